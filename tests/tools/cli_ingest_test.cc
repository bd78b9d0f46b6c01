// quiver ingest, run as the real binary; results read back through the store.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "columnar/array.h"
#include "columnar/ipc.h"
#include "columnar/schema_spec.h"
#include "columnar/text_test_util.h"
#include "store/store.h"
#include "cli_test_util.h"
#include "test_util.h"

using quiver::testing::CellText;
using quiver::testing::TempDir;
using quiver::testing::Texts;
using quiver::testing::WriteFileBytes;

namespace {

using Run = quiver::testing::ShellRun;
using quiver::testing::Quiver;

// A table's contents as seen by a fresh read-only Store.
struct TableData {
  bool exists = false;
  std::string schema;  // SchemaToSpec
  int64_t rows = 0;
  size_t chunks = 0;
  std::vector<Texts> columns;  // per column, every row's CellText
};

TableData ReadTable(const std::string& pool, const std::string& table) {
  quiver::store::StoreOptions so;
  so.read_only = true;
  auto st = quiver::store::Store::Open(pool, so);
  INFO(st.status().message());
  REQUIRE(st.ok());
  auto snap = (*st)->GetSnapshot();
  REQUIRE(snap.ok());
  TableData d;
  auto t = (*snap)->table(table);
  if (!t.ok()) return d;
  d.exists = true;
  d.schema = quiver::SchemaToSpec(*(*t)->schema());
  d.rows = (*t)->num_rows();
  d.chunks = (*t)->num_chunks();
  d.columns.resize((*t)->schema()->num_fields());
  for (size_t i = 0; i < (*t)->num_chunks(); ++i) {
    auto b = (*t)->ReadChunk(i);
    INFO(b.status().message());
    REQUIRE(b.ok());
    for (size_t c = 0; c < d.columns.size(); ++c) {
      for (int64_t r = 0; r < b->num_rows; ++r) d.columns[c].push_back(CellText(*b, c, r));
    }
  }
  return d;
}

bool SameTable(const TableData& a, const TableData& b) {
  return a.exists == b.exists && a.schema == b.schema && a.rows == b.rows && a.chunks == b.chunks &&
         a.columns == b.columns;
}

std::string Gzip(const std::string& in) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, uLong(in.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  REQUIRE_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

const char* kCsv =
    "id,name,price,ok,day,ts,zip\n"
    "1,\"a, b\",1.5,true,2024-01-02,2024-01-02 03:04:05,007\n"
    "2,\"say \"\"hi\"\"\nthere\",-2,false,1970-01-01,2024-01-02T03:04:05.25Z,010\n"
    "3,,,,,,\n";

void CheckKcsv(const TableData& d) {
  REQUIRE(d.exists);
  CHECK(d.schema ==
        "id:int64,name:utf8,price:float64,ok:bool,day:date32,ts:timestamp[us, tz=UTC],zip:utf8");
  REQUIRE(d.rows == 3);
  CHECK(d.columns[0] == Texts{"1", "2", "3"});
  CHECK(d.columns[1] == Texts{"a, b", "say \"hi\"\nthere", "null"});
  CHECK(d.columns[2] == Texts{"1.5", "-2", "null"});
  CHECK(d.columns[3] == Texts{"true", "false", "null"});
  CHECK(d.columns[4] == Texts{"19724", "0", "null"});
  CHECK(d.columns[5] == Texts{"1704164645000000", "1704164645250000", "null"});
  CHECK(d.columns[6] == Texts{"007", "010", "null"});
}

std::string NewPool(const TempDir& dir) {
  std::string p = dir.file("pool");
  Run c = Quiver("pool create " + p + " --size 256M");
  REQUIRE(c.code == 0);
  return p;
}

}  // namespace

TEST_CASE("quiver ingest loads CSV with inferred types, exactly", "[tools][ingest]") {
  TempDir dir;
  std::string pool = NewPool(dir);
  WriteFileBytes(dir.file("a.csv"), kCsv);
  Run r = Quiver("ingest " + pool + " t " + dir.file("a.csv"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("ingested 3 rows into \"t\" (1 chunks)") != std::string::npos);
  CheckKcsv(ReadTable(pool, "t"));
  CHECK(Quiver("pool check " + pool + " --deep").code == 0);
}

TEST_CASE("quiver ingest reads TSV, NDJSON, gzip, zstd and stdin", "[tools][ingest]") {
  TempDir dir;
  std::string pool = NewPool(dir);
  std::string tsv = "a\tb\n1\tx, y\n2\t\n";
  WriteFileBytes(dir.file("t.tsv"), tsv);
  Run r = Quiver("ingest " + pool + " tsv " + dir.file("t.tsv"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  TableData d = ReadTable(pool, "tsv");
  CHECK(d.schema == "a:int64,b:utf8");
  CHECK(d.columns[1] == Texts{"x, y", "null"});

  WriteFileBytes(dir.file("n.jsonl"), "{\"k\": \"a\", \"v\": 1}\n{\"v\": 2.5}\n");
  r = Quiver("ingest " + pool + " nd " + dir.file("n.jsonl"));
  REQUIRE(r.code == 0);
  d = ReadTable(pool, "nd");
  CHECK(d.schema == "k:utf8,v:float64");
  CHECK(d.columns[0] == Texts{"a", "null"});
  CHECK(d.columns[1] == Texts{"1", "2.5"});

  WriteFileBytes(dir.file("a.csv.gz"), Gzip(kCsv));
  r = Quiver("ingest " + pool + " gz " + dir.file("a.csv.gz"));
  REQUIRE(r.code == 0);
  CheckKcsv(ReadTable(pool, "gz"));
  // Compression is found by magic bytes, not by the name.
  WriteFileBytes(dir.file("disguised.csv"), Zstd(kCsv));
  r = Quiver("ingest " + pool + " zst " + dir.file("disguised.csv"));
  REQUIRE(r.code == 0);
  CheckKcsv(ReadTable(pool, "zst"));

  WriteFileBytes(dir.file("stdin.bin"), Gzip(kCsv));
  r = Quiver("ingest " + pool + " stdin - --format csv < " + dir.file("stdin.bin"));
  REQUIRE(r.code == 0);
  CheckKcsv(ReadTable(pool, "stdin"));
  // Without --format, stdin is sniffed: '{' starts NDJSON.
  r = Quiver("ingest " + pool + " stdin2 - < " + dir.file("n.jsonl"));
  REQUIRE(r.code == 0);
  CHECK(ReadTable(pool, "stdin2").rows == 2);
  // A damaged compressed stream is a data error.
  std::string z = Gzip(kCsv);
  WriteFileBytes(dir.file("trunc.csv.gz"), z.substr(0, z.size() / 2));
  r = Quiver("ingest " + pool + " bad " + dir.file("trunc.csv.gz"));
  CHECK(r.code == 2);
  CHECK(r.out.find("truncated gzip data") != std::string::npos);
  CHECK_FALSE(ReadTable(pool, "bad").exists);
}

TEST_CASE("quiver ingest reads Arrow IPC streams and files", "[tools][ingest]") {
  TempDir dir;
  std::string pool = NewPool(dir);
  auto schema = std::make_shared<quiver::Schema>(*quiver::ParseSchemaSpec("x:int32,s:dictionary<int32, utf8>"));
  std::vector<quiver::RecordBatch> batches;
  for (int k = 0; k < 2; ++k) {
    quiver::RecordBatchBuilder b(schema);
    for (int i = 0; i < 3; ++i) {
      b.column(0).AppendInt(k * 10 + i);
      if (i == 1) {
        b.column(1).AppendNull();
      } else {
        b.column(1).AppendString(k ? "q" : "p");
      }
    }
    auto batch = b.Finish();
    REQUIRE(batch.ok());
    batches.push_back(*batch);
  }
  std::string stream;
  quiver::StringSink sink(&stream);
  auto w = quiver::StreamWriter::Open(&sink, schema);
  REQUIRE(w.ok());
  for (const auto& b : batches) REQUIRE((*w)->WriteBatch(b).ok());
  REQUIRE((*w)->Close().ok());
  WriteFileBytes(dir.file("s.arrows"), stream);
  auto file = quiver::WriteIpcFile(*schema, batches);
  REQUIRE(file.ok());
  WriteFileBytes(dir.file("f.feather"), *file);

  Run r = Quiver("ingest " + pool + " a " + dir.file("s.arrows"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  r = Quiver("ingest " + pool + " a " + dir.file("f.feather") + " --append");
  REQUIRE(r.code == 0);
  TableData d = ReadTable(pool, "a");
  CHECK(d.schema == "x:int32,s:dictionary<int32, utf8>");
  CHECK(d.columns[0] == Texts{"0", "1", "2", "10", "11", "12", "0", "1", "2", "10", "11", "12"});
  CHECK(d.columns[1] == Texts{"p", "null", "p", "q", "null", "q", "p", "null", "p", "q", "null", "q"});
  // Arrow with a different schema cannot be appended: the field is named.
  auto other = std::make_shared<quiver::Schema>(*quiver::ParseSchemaSpec("x:int64,s:dictionary<int32, utf8>"));
  auto f2 = quiver::WriteIpcFile(*other, {});
  REQUIRE(f2.ok());
  WriteFileBytes(dir.file("other.arrow"), *f2);
  r = Quiver("ingest " + pool + " a " + dir.file("other.arrow") + " --append");
  CHECK(r.code == 2);
  CHECK(r.out.find("field \"x\" of " + dir.file("other.arrow") + " is int64, but table \"a\" stores int32") !=
        std::string::npos);
  CHECK(ReadTable(pool, "a").rows == 12);
}

TEST_CASE("quiver ingest --append, --replace, schema overrides and mismatches", "[tools][ingest]") {
  TempDir dir;
  std::string pool = NewPool(dir);
  WriteFileBytes(dir.file("a.csv"), "id,zip\n1,007\n2,010\n");
  Run r = Quiver("ingest " + pool + " t " + dir.file("a.csv") + " --schema zip:int32");
  INFO(r.out);
  REQUIRE(r.code == 0);
  TableData d = ReadTable(pool, "t");
  CHECK(d.schema == "id:int64,zip:int32");
  CHECK(d.columns[1] == Texts{"7", "10"});

  // Exists: needs --append or --replace.
  r = Quiver("ingest " + pool + " t " + dir.file("a.csv"));
  CHECK(r.code == 1);
  CHECK(r.out.find("table \"t\" exists: pass --append") != std::string::npos);
  // Appending reads with the table's types; header order may differ.
  WriteFileBytes(dir.file("b.csv"), "zip,id\n3,30\n");
  r = Quiver("ingest " + pool + " t " + dir.file("b.csv") + " --append");
  REQUIRE(r.code == 0);
  d = ReadTable(pool, "t");
  CHECK(d.columns[0] == Texts{"1", "2", "30"});
  CHECK(d.columns[1] == Texts{"7", "10", "3"});
  TableData before = d;
  // A header naming a column the table lacks, and a --schema that differs
  // from the table: errors that name the field; the table is unchanged.
  WriteFileBytes(dir.file("c.csv"), "id,zap\n1,2\n");
  r = Quiver("ingest " + pool + " t " + dir.file("c.csv") + " --append");
  CHECK(r.code == 2);
  CHECK(r.out.find("has no column \"zip\"") != std::string::npos);
  r = Quiver("ingest " + pool + " t " + dir.file("b.csv") + " --append --schema zip:int64");
  CHECK(r.code == 2);
  CHECK(r.out.find("--schema gives field \"zip\" type int64, but table \"t\" stores int32") != std::string::npos);
  CHECK(SameTable(ReadTable(pool, "t"), before));
  // Replace: the rows are replaced, the schema kept.
  r = Quiver("ingest " + pool + " t " + dir.file("b.csv") + " --replace");
  REQUIRE(r.code == 0);
  d = ReadTable(pool, "t");
  CHECK(d.rows == 1);
  CHECK(d.columns[0] == Texts{"30"});
  CHECK(d.schema == "id:int64,zip:int32");
}

TEST_CASE("a failed quiver ingest leaves the table and the pool as before", "[tools][ingest]") {
  TempDir dir;
  std::string pool = NewPool(dir);
  WriteFileBytes(dir.file("a.csv"), kCsv);
  REQUIRE(Quiver("ingest " + pool + " t " + dir.file("a.csv")).code == 0);
  TableData before = ReadTable(pool, "t");
  // Many chunks are appended before the bad row at the end.
  std::string big = "id,name,price,ok,day,ts,zip\n";
  for (int i = 0; i < 3000; ++i) big += std::to_string(i) + ",n,1.5,true,2024-01-02,2024-01-02 00:00:00,x\n";
  std::string bad = big + "oops,n,1.5,true,2024-01-02,2024-01-02 00:00:00,x\n";
  WriteFileBytes(dir.file("bad.csv"), bad);
  Run r = Quiver("ingest " + pool + " t " + dir.file("bad.csv") + " --append --chunk-rows 100");
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK(r.out.find(dir.file("bad.csv") + ":3002: column 1 (\"id\"), byte ") != std::string::npos);
  CHECK(r.out.find("nothing was written") != std::string::npos);
  CHECK(SameTable(ReadTable(pool, "t"), before));
  // A new table is not created either.
  r = Quiver("ingest " + pool + " fresh " + dir.file("bad.csv") + " --chunk-rows 100 --schema id:int64");
  CHECK(r.code == 2);
  CHECK_FALSE(ReadTable(pool, "fresh").exists);
  // Two files in one transaction: the second one's error undoes the first.
  WriteFileBytes(dir.file("good.csv"), big);
  r = Quiver("ingest " + pool + " t " + dir.file("good.csv") + " " + dir.file("bad.csv") + " --append");
  CHECK(r.code == 2);
  CHECK(SameTable(ReadTable(pool, "t"), before));
  r = Quiver("ingest " + pool + " t " + dir.file("good.csv") + " " + dir.file("good.csv") + " --append --chunk-rows 1000");
  CHECK(r.code == 0);
  TableData after = ReadTable(pool, "t");
  CHECK(after.rows == 3 + 6000);
  CHECK(after.chunks == 1 + 6);
  CHECK(Quiver("pool check " + pool + " --deep").code == 0);
}

TEST_CASE("quiver ingest --on-error skip writes rejected rows to the reject file", "[tools][ingest]") {
  TempDir dir;
  std::string pool = NewPool(dir);
  WriteFileBytes(dir.file("a.csv"), "a,b\n1,x\nnope,y\n3\n4,z\n");
  Run r = Quiver("ingest " + pool + " t " + dir.file("a.csv") +
                 " --schema a:int64,b:utf8 --on-error skip --reject-file " + dir.file("rej.ndjson"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("ingested 2 rows into \"t\" (1 chunks)") != std::string::npos);
  CHECK(r.out.find("2 rows skipped") != std::string::npos);
  TableData d = ReadTable(pool, "t");
  CHECK(d.columns[0] == Texts{"1", "4"});
  std::string rej = quiver::testing::ReadFileBytes(dir.file("rej.ndjson"));
  std::string f = dir.file("a.csv");
  CHECK(rej.find("{\"file\":\"" + f + "\",\"line\":3,\"byte\":8,\"reason\":\"" + f +
                 ":3: column 1 (\\\"a\\\"), byte 8: \\\"nope\\\" is not a valid int64\",\"raw\":\"nope,y\"}\n") == 0);
  CHECK(rej.find("\"line\":4,\"byte\":15,\"reason\":\"" + f + ":4: row has 1 field, expected 2 (byte 15)\",\"raw\":\"3\"}\n") !=
        std::string::npos);
  // --reject-file without skip is a usage error.
  CHECK(Quiver("ingest " + pool + " t2 " + dir.file("a.csv") + " --reject-file x").code == 1);
}

TEST_CASE("quiver ingest exit codes: 1 usage, 2 data, 3 pool", "[tools][ingest]") {
  TempDir dir;
  std::string pool = NewPool(dir);
  WriteFileBytes(dir.file("a.csv"), "a\n1\n");
  CHECK(Quiver("ingest").code == 1);
  CHECK(Quiver("ingest " + pool + " t").code == 1);
  CHECK(Quiver("ingest " + pool + " t " + dir.file("a.csv") + " --bogus").code == 1);
  CHECK(Quiver("ingest " + pool + " t " + dir.file("a.csv") + " --format xml").code == 1);
  CHECK(Quiver("ingest " + pool + " 9bad " + dir.file("a.csv")).code == 1);
  CHECK(Quiver("ingest " + pool + " t " + dir.file("a.csv") + " --schema a").code == 1);
  Run h = Quiver("ingest --help");
  CHECK(h.code == 0);
  CHECK(h.out.find("Usage: quiver ingest POOL TABLE FILE...") == 0);
  Run missing = Quiver("ingest " + pool + " t " + dir.file("nope.csv"));
  CHECK(missing.code == 2);
  CHECK(missing.out.find("cannot open " + dir.file("nope.csv")) != std::string::npos);
  WriteFileBytes(dir.file("dup.csv"), "a,a\n1,2\n");
  CHECK(Quiver("ingest " + pool + " t " + dir.file("dup.csv")).code == 2);
  CHECK(Quiver("ingest " + dir.file("nopool") + " t " + dir.file("a.csv")).code == 3);
  WriteFileBytes(dir.file("junk"), std::string(100000, 'x'));
  CHECK(Quiver("ingest " + dir.file("junk") + " t " + dir.file("a.csv")).code == 3);
}

namespace {

// Starts `quiver ingest` reading stdin from a pipe the test writes, with
// progress lines on a stderr pipe the test reads.
struct Child {
  pid_t pid = -1;
  int in = -1;   // write end of the child's stdin
  int err = -1;  // read end of the child's stderr
};

Child StartIngest(const std::vector<std::string>& args) {
  int in[2], err[2];
  REQUIRE(pipe(in) == 0);
  REQUIRE(pipe(err) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(err[1], 2);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    close(in[0]);
    close(in[1]);
    close(err[0]);
    close(err[1]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(QUIVER_CLI));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(QUIVER_CLI, argv.data());
    _exit(127);
  }
  close(in[0]);
  close(err[1]);
  return {pid, in[1], err[0]};
}

// Reads stderr lines until one reports at least `rows` rows appended.
bool WaitForProgress(int fd, int64_t rows, std::string* seen) {
  std::string line;
  while (quiver::testing::ReadLine(fd, &line)) {
    *seen += line + "\n";
    long long r = 0;
    if (std::sscanf(line.c_str(), "progress: rows=%lld", &r) == 1 && r >= rows) return true;
  }
  return false;
}

void WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n <= 0) return;  // the reader is gone (EPIPE): fine
    off += size_t(n);
  }
}

}  // namespace

TEST_CASE("quiver ingest killed with SIGKILL or interrupted mid-way leaves the table as before",
          "[tools][ingest]") {
  signal(SIGPIPE, SIG_IGN);
  TempDir dir;
  std::string pool = NewPool(dir);
  WriteFileBytes(dir.file("a.csv"), kCsv);
  REQUIRE(Quiver("ingest " + pool + " t " + dir.file("a.csv")).code == 0);
  TableData before = ReadTable(pool, "t");
  std::string rows;
  for (int i = 0; i < 4000; ++i) rows += std::to_string(i) + ",n,1.5,true,2024-01-02,2024-01-02 00:00:00,x\n";

  for (int sig : {SIGKILL, SIGINT}) {
    INFO("signal " << sig);
    Child c = StartIngest({"ingest", pool, "t", "-", "--format", "csv", "--append", "--chunk-rows", "500",
                           "--progress", "lines", "--threads", "2"});
    // The writer thread fills the pipe while the child parses; the pipe
    // stays open, so the child is mid-transaction when it is signalled.
    std::thread writer([&] { WriteAll(c.in, std::string("id,name,price,ok,day,ts,zip\n") + rows); });
    std::string seen;
    bool progressed = WaitForProgress(c.err, 1000, &seen);
    INFO(seen);
    CHECK(progressed);
    REQUIRE(kill(c.pid, sig) == 0);
    int code = quiver::testing::WaitChild(c.pid);
    std::string rest;
    while (quiver::testing::ReadLine(c.err, &rest)) seen += rest + "\n";
    close(c.in);
    writer.join();
    close(c.err);
    if (sig == SIGKILL) {
      CHECK(code == 128 + SIGKILL);
    } else {
      CHECK(code == 130);
      CHECK(seen.find("interrupted; nothing was written to table \"t\"") != std::string::npos);
    }
    // The pool opens (as writer: the dead writer's lock is gone), checks
    // healthy, and the table holds exactly what it held.
    {
      auto st = quiver::store::Store::Open(pool);
      INFO(st.status().message());
      REQUIRE(st.ok());
    }
    CHECK(Quiver("pool check " + pool + " --deep").code == 0);
    CHECK(SameTable(ReadTable(pool, "t"), before));
  }
}

TEST_CASE("CSV and NDJSON round trips through quiver export give the input's values back",
          "[tools][ingest]") {
  TempDir dir;
  std::string pool = NewPool(dir);
  // Written in export's canonical forms (see columnar/text_format.h): floats
  // shortest with ".0" for integral values, timestamps in UTC with 'Z' and
  // the unit's digits, "" for the empty string, an empty field for null.
  std::string csv =
      "id,name,price,ok,day,ts,zip\n"
      "1,\"a, b\",1.5,true,2024-01-02,2024-01-02T03:04:05.000000Z,007\n"
      "2,\"say \"\"hi\"\"\nthere\",-2.0,false,1970-01-01,2024-01-02T03:04:05.250000Z,\"\"\n"
      "3,\xF0\x9F\x99\x82,0.1,,,,\n";
  WriteFileBytes(dir.file("in.csv"), csv);
  Run r = Quiver("ingest " + pool + " c " + dir.file("in.csv"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  r = Quiver("export " + pool + " c --format csv --quiet -o " + dir.file("out.csv"));
  REQUIRE(r.code == 0);
  CHECK(quiver::testing::ReadFileBytes(dir.file("out.csv")) == csv);

  std::string nd =
      "{\"id\":1,\"name\":\"a\\nb\",\"v\":1.5,\"ok\":true,\"day\":\"2024-01-02\"}\n"
      "{\"id\":2,\"name\":\"\\u00e9\",\"v\":-3.0,\"ok\":false,\"day\":\"1970-01-01\"}\n"
      "{\"id\":null,\"name\":null,\"v\":null,\"ok\":null,\"day\":null}\n";
  WriteFileBytes(dir.file("in.ndjson"), nd);
  r = Quiver("ingest " + pool + " n " + dir.file("in.ndjson"));
  REQUIRE(r.code == 0);
  r = Quiver("export " + pool + " n --format ndjson --quiet -o " + dir.file("out.ndjson"));
  REQUIRE(r.code == 0);
  std::string out = quiver::testing::ReadFileBytes(dir.file("out.ndjson"));
  // The writer emits UTF-8 rather than \u escapes; otherwise the same bytes.
  std::string expect = nd;
  expect.replace(expect.find("\\u00e9"), 6, "\xc3\xa9");
  CHECK(out == expect);
}

namespace {

// Rows and an order-sensitive hash of the (id, v) rows of a table with two
// int64 columns, so "unchanged" and "previous + the whole file" are exact.
struct Digest {
  int64_t rows = 0;
  uint64_t hash = 1469598103934665603ull;
  bool operator==(const Digest& o) const { return rows == o.rows && hash == o.hash; }
  void Add(int64_t id, int64_t v) {
    hash = (hash ^ uint64_t(id)) * 1099511628211ull;
    hash = (hash ^ uint64_t(v)) * 1099511628211ull;
    ++rows;
  }
};

Digest DigestTable(const std::string& pool, const std::string& table) {
  quiver::store::StoreOptions so;
  so.read_only = true;
  auto st = quiver::store::Store::Open(pool, so);
  INFO(st.status().message());
  REQUIRE(st.ok());
  auto snap = (*st)->GetSnapshot();
  REQUIRE(snap.ok());
  auto t = (*snap)->table(table);
  REQUIRE(t.ok());
  REQUIRE(quiver::SchemaToSpec(*(*t)->schema()) == "id:int64,v:int64");
  Digest d;
  for (size_t i = 0; i < (*t)->num_chunks(); ++i) {
    auto b = (*t)->ReadChunk(i);
    INFO(b.status().message());
    REQUIRE(b.ok());
    quiver::ColumnViews views(*b);
    for (int64_t r = 0; r < b->num_rows; ++r) {
      // A null (never written) poisons the hash.
      d.Add(views[0].IsNull(r) ? INT64_MIN : views[0].Value<int64_t>(r),
            views[1].IsNull(r) ? INT64_MIN : views[1].Value<int64_t>(r));
    }
  }
  REQUIRE(d.rows == (*t)->num_rows());
  return d;
}

// `quiver ingest ARGS` with stdout and stderr to `log`; stdin is a pipe whose
// write end is returned in *in (or /dev/null when in is null).
pid_t SpawnIngest(const std::vector<std::string>& args, const std::string& log, int* in) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(QUIVER_CLI));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int p[2] = {-1, -1};
  if (in) REQUIRE(pipe(p) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int fd0 = in ? p[0] : open("/dev/null", O_RDONLY);
    int fd1 = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd0, 0);
    dup2(fd1, 1);
    dup2(fd1, 2);
    if (in) close(p[1]);
    execv(QUIVER_CLI, argv.data());
    _exit(127);
  }
  if (in) {
    close(p[0]);
    *in = p[1];
  }
  return pid;
}

}  // namespace

TEST_CASE("An ingest killed with SIGKILL at random moments leaves the table unchanged or fully ingested",
          "[tools][ingest]") {
  using Clock = std::chrono::steady_clock;
  signal(SIGPIPE, SIG_IGN);
  int kills = 24;
  if (const char* e = std::getenv("QUIVER_INGEST_KILLS")) kills = std::max(1, std::atoi(e));
  uint64_t seed = std::random_device{}();
  if (const char* e = std::getenv("QUIVER_INGEST_KILL_SEED")) seed = std::strtoull(e, nullptr, 10);
  std::fprintf(stderr, "[ingest kill test] QUIVER_INGEST_KILL_SEED=%llu QUIVER_INGEST_KILLS=%d\n",
               (unsigned long long)seed, kills);
  INFO("QUIVER_INGEST_KILL_SEED=" << seed);
  std::mt19937_64 rng(seed);

  TempDir dir;
  std::string pool = dir.file("pool");
  REQUIRE(Quiver("pool create " + pool + " --size 1G").code == 0);
  WriteFileBytes(dir.file("seed.csv"), "id,v\n-1,10\n-2,20\n-3,30\n");
  REQUIRE(Quiver("ingest " + pool + " t " + dir.file("seed.csv")).code == 0);
  Digest base = DigestTable(pool, "t");
  REQUIRE(base.rows == 3);

  // The input, written once: big enough that one ingest takes a while.
  constexpr int64_t kRows = 750000;
  std::string csv = "id,v\n";
  std::vector<std::pair<int64_t, int64_t>> values;
  values.reserve(kRows);
  for (int64_t i = 0; i < kRows; ++i) {
    int64_t v = (i * 7919) % 100003 - 50000;
    csv += std::to_string(i) + "," + std::to_string(v) + "\n";
    values.emplace_back(i, v);
  }
  std::string big = dir.file("big.csv");
  WriteFileBytes(big, csv);
  auto plus_file = [&](Digest d) {
    for (const auto& [id, v] : values) d.Add(id, v);
    return d;
  };
  auto args_for = [&](bool from_stdin) {
    return std::vector<std::string>{"ingest", pool, "t", from_stdin ? "-" : big, "--append", "--format",
                                    "csv", "--chunk-rows", "20000", "--progress", "none"};
  };

  // One ingest, run to its end or sent SIGKILL `delay` after the fork.
  struct Outcome {
    int code;      // exit code, or 128+signal
    double secs;   // fork to exit
  };
  auto run = [&](bool from_stdin, std::optional<Clock::duration> delay) {
    int in = -1;
    auto t0 = Clock::now();
    pid_t pid = SpawnIngest(args_for(from_stdin), dir.file("log"), from_stdin ? &in : nullptr);
    std::thread writer;
    if (from_stdin) {
      writer = std::thread([&, in] {
        WriteAll(in, csv);  // stops at EPIPE once the child is gone
        close(in);
      });
    }
    if (delay) {
      // The randomly timed kill is the thing under test, so this sleep is
      // deliberate.
      std::this_thread::sleep_until(t0 + *delay);
      REQUIRE(kill(pid, SIGKILL) == 0);  // a zombie can still be signalled
    }
    int code = quiver::testing::WaitChild(pid);
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    if (writer.joinable()) writer.join();
    return Outcome{code, secs};
  };
  auto check_pool = [&] {
    {
      auto st = quiver::store::Store::Open(pool);  // as writer: recovers the dead writer's state
      INFO(st.status().message());
      REQUIRE(st.ok());
    }
    Run c = Quiver("pool check " + pool + " --deep");
    INFO(c.out);
    REQUIRE(c.code == 0);
  };

  // Measure uninterrupted ingests of each kind, twice (the first run may be
  // slowed by a cold cache): the shorter one is the kill window. Each is a
  // full append.
  double dur[2] = {1e9, 1e9};
  for (bool from_stdin : {false, true, false, true}) {
    Outcome o = run(from_stdin, std::nullopt);
    INFO(quiver::testing::ReadFileBytes(dir.file("log")));
    REQUIRE(o.code == 0);
    dur[from_stdin] = std::min(dur[from_stdin], o.secs);
    check_pool();
    Digest d = DigestTable(pool, "t");
    REQUIRE(d == plus_file(base));
    base = d;
  }
  std::fprintf(stderr, "[ingest kill test] uninterrupted ingest of %lld rows: file %.3f s, stdin %.3f s\n",
               (long long)kRows, dur[0], dur[1]);

  // Kill moments from 0 to 2x the uninterrupted duration: before the pool
  // is open, while chunks are appended, around the commit, and after the
  // exit (the upper half keeps "fully ingested" reachable even when a run is
  // slower than the measured one, e.g. next to other tests on a busy CI). Stratified (one random moment in each of `kills` equal slices
  // of the window, in random order) so that every part of the window is hit
  // in every run.
  std::vector<double> fracs;
  for (int k = 0; k < kills; ++k) {
    fracs.push_back(2.0 * (k + std::uniform_real_distribution<double>(0.0, 1.0)(rng)) / kills);
  }
  std::shuffle(fracs.begin(), fracs.end(), rng);
  int unchanged = 0, full = 0, killed_after_commit = 0, exited_before_kill = 0;
  for (int k = 0; k < kills; ++k) {
    bool from_stdin = k % 3 == 2;
    double frac = fracs[k];
    auto delay = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(frac * dur[from_stdin]));
    Outcome o = run(from_stdin, delay);
    std::string log = quiver::testing::ReadFileBytes(dir.file("log"));
    INFO("iteration " << k << (from_stdin ? " (stdin)" : " (file)") << ", kill after "
                      << std::chrono::duration<double>(delay).count() << " s (" << frac
                      << " of the measured duration), exit " << o.code << ", log: " << log);
    REQUIRE((o.code == 128 + SIGKILL || o.code == 0));
    if (o.code == 0) ++exited_before_kill;
    check_pool();
    Digest d = DigestTable(pool, "t");
    Digest whole = plus_file(base);
    INFO("found " << d.rows << " rows; before " << base.rows << ", fully ingested " << whole.rows);
    if (d == base) {
      ++unchanged;
      REQUIRE(o.code != 0);  // a finished ingest must be visible
    } else if (d == whole) {
      ++full;
      if (o.code != 0) ++killed_after_commit;
      base = d;
    } else {
      FAIL("the table is neither unchanged nor fully ingested");
    }
  }
  std::fprintf(stderr,
               "[ingest kill test] %d kills: %d unchanged, %d fully ingested (%d of them killed after the "
               "commit, %d exited before the kill)\n",
               kills, unchanged, full, killed_after_commit, exited_before_kill);
  CHECK(unchanged > 0);
  CHECK(full > 0);
}
