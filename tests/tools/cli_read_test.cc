// Runs the real quiver binary on pools made through store::Store: ls,
// schema, head, sql, query, export, drop, rename, truncate, compact.
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "columnar/schema.h"
#include "store/store.h"
#include "cli_test_util.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::ReadFileBytes;
using quiver::testing::TempDir;

namespace {

struct Run {
  int code;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

// Runs `quiver ARGS...`; stdout and stderr are captured apart.
Run Quiver(const TempDir& dir, const std::vector<std::string>& args) {
  std::string err_file = dir.file("stderr.txt");
  std::string cmd = QUIVER_CLI;
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  cmd += " 2>" + ShellQuote(err_file);
  quiver::testing::ShellRun r = quiver::testing::RunShell(cmd);
  return {r.code, r.out, ReadFileBytes(err_file)};
}

std::shared_ptr<const Schema> TripsSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"city", DataType::Dictionary(TypeId::kInt8), true, {}},
      {"fare", DataType(TypeId::kFloat64), true, {}},
      {"note", DataType(TypeId::kUtf8), true, {}},
      {"ts", DataType::Timestamp(TimeUnit::kMilli), true, {}},
  });
}

// The four rows every test starts from (one chunk).
RecordBatch Trips() {
  RecordBatchBuilder b(TripsSchema());
  auto row = [&](int64_t id, const char* city, std::optional<double> fare,
                 std::optional<std::string> note, std::optional<int64_t> ts) {
    b.column(0).AppendInt(id);
    b.column(1).AppendString(city);
    fare ? b.column(2).AppendDouble(*fare) : b.column(2).AppendNull();
    note ? b.column(3).AppendString(*note) : b.column(3).AppendNull();
    ts ? b.column(4).AppendInt(*ts) : b.column(4).AppendNull();
  };
  row(1, "JFK", 12.5, "a,b", 1700000000000);
  row(2, "LGA", 30.0, std::nullopt, 1700000060500);
  row(3, "JFK", std::nullopt, "", 1700000120000);
  row(4, "EWR", 7.25, "quote \"x\"", std::nullopt);
  return b.Finish().value();
}

const char kTripsCsv[] =
    "id,city,fare,note,ts\n"
    "1,JFK,12.5,\"a,b\",2023-11-14T22:13:20.000Z\n"
    "2,LGA,30.0,,2023-11-14T22:14:20.500Z\n"
    "3,JFK,,\"\",2023-11-14T22:15:20.000Z\n"
    "4,EWR,7.25,\"quote \"\"x\"\"\",\n";

// A pool with table "trips" (4 rows, one chunk) and an empty table "empty".
std::string MakePool(const TempDir& dir) {
  std::string path = dir.file("p.pool");
  auto store = store::Store::Create(path, 64 << 20);
  REQUIRE(store.ok());
  REQUIRE((*store)->CreateTable("trips", *TripsSchema()).ok());
  REQUIRE((*store)->Write("trips", {Trips()}).ok());
  REQUIRE((*store)->CreateTable("empty", Schema({{"x", DataType(TypeId::kInt32), true, {}}})).ok());
  return path;
}

store::StoreOptions ReadOnly() {
  store::StoreOptions o;
  o.read_only = true;
  return o;
}

std::string Pad(const std::string& s, size_t width, bool right) {
  std::string pad(width > s.size() ? width - s.size() : 0, ' ');
  return right ? pad + s : s + pad;
}

}  // namespace

TEST_CASE("quiver ls lists tables sorted by name, as a table and as JSON", "[tools]") {
  TempDir dir;
  std::string pool = MakePool(dir);
  uint64_t bytes = 0;
  {
    auto store = store::Store::Open(pool, ReadOnly());
    REQUIRE(store.ok());
    bytes = (*(*store)->GetSnapshot().value()->table("trips"))->bytes();
  }
  std::string b = std::to_string(bytes);
  size_t w = std::max<size_t>(5, b.size());
  Run r = Quiver(dir, {"ls", pool});
  INFO(r.err);
  CHECK(r.code == 0);
  size_t room = w - 5;
  CHECK(r.out == " name  | rows | chunks |" + std::string(1 + room / 2, ' ') + "bytes\n" +
                     "-------+------+--------+" + std::string(w + 2, '-') + "\n" +
                     " empty |    0 |      0 | " + Pad("0", w, true) + "\n" +
                     " trips |    4 |      1 | " + Pad(b, w, true) + "\n" +
                     "(2 rows)\n");
  CHECK(r.err.empty());

  Run j = Quiver(dir, {"ls", pool, "--json"});
  REQUIRE(j.code == 0);
  auto doc = nlohmann::json::parse(j.out);
  REQUIRE(doc["tables"].size() == 2);
  CHECK(doc["tables"][1]["name"] == "trips");
  CHECK(doc["tables"][1]["rows"] == 4);
  CHECK(doc["tables"][1]["chunks"] == 1);
  CHECK(doc["tables"][1]["bytes"] == bytes);
  CHECK(doc["tables"][1]["columns"] == 5);
  CHECK(doc["tables"][0]["name"] == "empty");
  CHECK(doc["txn"].get<uint64_t>() > 0);
}

TEST_CASE("quiver schema prints columns, JSON and datashape", "[tools]") {
  TempDir dir;
  std::string pool = MakePool(dir);
  Run r = Quiver(dir, {"schema", pool, "trips"});
  CHECK(r.code == 0);
  CHECK(r.out ==
        " column |          type          | nullable\n"
        "--------+------------------------+----------\n"
        " id     | int64                  | false\n"
        " city   | dictionary<int8, utf8> | true\n"
        " fare   | float64                | true\n"
        " note   | utf8                   | true\n"
        " ts     | timestamp[ms]          | true\n"
        "(5 rows)\n");
  Run j = Quiver(dir, {"schema", pool, "trips", "--json"});
  CHECK(j.code == 0);
  CHECK(j.out == SchemaToJson(*TripsSchema(), 2) + "\n");
  Run d = Quiver(dir, {"schema", pool, "trips", "--datashape"});
  CHECK(d.code == 0);
  CHECK(d.out ==
        "var * {id: int64, city: ?dict[string, int8], fare: ?float64, note: ?string, "
        "ts: ?timestamp[unit='ms']}\n");
  Run missing = Quiver(dir, {"schema", pool, "nope"});
  CHECK(missing.code == 2);
  CHECK(missing.out.empty());
  CHECK(missing.err.find("quiver schema: ") == 0);
  CHECK(missing.err.find("nope") != std::string::npos);
  CHECK(Quiver(dir, {"schema", pool, "trips", "--json", "--datashape"}).code == 1);
}

TEST_CASE("quiver commands use exit 1 for usage, 3 for pool errors, and have --help",
          "[tools]") {
  TempDir dir;
  std::string pool = MakePool(dir);
  for (const char* c : {"ls", "schema", "head", "sql", "query", "export", "drop", "rename",
                        "truncate", "compact"}) {
    Run h = Quiver(dir, {c, "--help"});
    INFO(c);
    CHECK(h.code == 0);
    CHECK(h.out.find(std::string("Usage: quiver ") + c + " ") == 0);
  }
  CHECK(Quiver(dir, {"ls"}).code == 1);
  CHECK(Quiver(dir, {"ls", pool, "--bogus"}).code == 1);
  CHECK(Quiver(dir, {"head", pool, "trips", "-n", "x"}).code == 1);
  CHECK(Quiver(dir, {"query", pool, "trips", "--limit", "-1"}).code == 1);
  CHECK(Quiver(dir, {"sql", pool, "SELECT * FROM trips", "--format", "xml"}).code == 1);
  CHECK(Quiver(dir, {"compact", pool, "--target-rows", "0"}).code == 1);
  Run missing = Quiver(dir, {"ls", dir.file("nope.pool")});
  CHECK(missing.code == 3);
  CHECK(missing.err.find("quiver ls: ") == 0);
  quiver::testing::WriteFileBytes(dir.file("junk"), std::string(100000, 'x'));
  CHECK(Quiver(dir, {"sql", dir.file("junk"), "SELECT * FROM t"}).code == 3);
}

TEST_CASE("quiver drop, rename and truncate change the catalog and report", "[tools]") {
  TempDir dir;
  std::string pool = MakePool(dir);
  Run r = Quiver(dir, {"rename", pool, "trips", "rides"});
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.out.empty());
  CHECK(r.err == "renamed table trips to rides\n");
  Run exists = Quiver(dir, {"rename", pool, "rides", "empty"});
  CHECK(exists.code == 2);
  CHECK(exists.err == "quiver rename: table \"empty\" already exists\n");
  CHECK(Quiver(dir, {"rename", pool, "rides", "bad-name"}).code == 2);
  CHECK(Quiver(dir, {"rename", pool, "nope", "other"}).code == 2);

  Run t = Quiver(dir, {"truncate", pool, "rides"});
  CHECK(t.code == 0);
  CHECK(t.err.find("truncated table rides, removed (4 rows, 1 chunks, ") == 0);
  Run d = Quiver(dir, {"drop", pool, "empty"});
  CHECK(d.code == 0);
  CHECK(d.err == "dropped table empty (0 rows, 0 chunks, 0 B)\n");
  Run again = Quiver(dir, {"drop", pool, "empty"});
  CHECK(again.code == 2);
  CHECK(again.err.find("quiver drop: ") == 0);

  auto store = store::Store::Open(pool, ReadOnly());
  REQUIRE(store.ok());
  auto snap = (*store)->GetSnapshot().value();
  REQUIRE(snap->tables().size() == 1);
  CHECK(snap->tables()[0].name() == "rides");
  CHECK(snap->tables()[0].num_rows() == 0);
  CHECK(SchemaEquals(*snap->tables()[0].schema(), *TripsSchema()));
  CHECK(Quiver(dir, {"pool", "check", pool, "--deep"}).code == 0);
}

TEST_CASE("quiver compact merges small chunks; a held writer lock is a pool error", "[tools]") {
  TempDir dir;
  std::string pool = MakePool(dir);
  {
    auto store = store::Store::Open(pool);
    REQUIRE(store.ok());
    for (int i = 0; i < 4; ++i) REQUIRE((*store)->Write("trips", {Trips()}).ok());
    // While this process holds the writer lock, admin commands are refused.
    Run locked = Quiver(dir, {"drop", pool, "trips"});
    CHECK(locked.code == 3);
    CHECK(locked.err.find("locked by pid " + std::to_string(getpid())) != std::string::npos);
    // Readers are not blocked.
    CHECK(Quiver(dir, {"ls", pool}).code == 0);
  }
  Run c = Quiver(dir, {"compact", pool, "trips", "--target-rows", "100"});
  INFO(c.err);
  CHECK(c.code == 0);
  CHECK(c.err.find("compacted 1 table: 5 chunks -> 1 (txn ") == 0);
  Run nothing = Quiver(dir, {"compact", pool});
  CHECK(nothing.code == 0);
  CHECK(nothing.err == "nothing to compact\n");
  CHECK(Quiver(dir, {"compact", pool, "nope"}).code == 2);
  Run out = Quiver(dir, {"export", pool, "trips", "-o", "-", "--quiet"});
  CHECK(out.code == 0);
  std::string body(kTripsCsv + std::string(kTripsCsv).find('\n') + 1);
  CHECK(out.out == std::string(kTripsCsv) + body + body + body + body);
}

TEST_CASE("quiver export streams a full table to csv, ndjson and arrow exactly", "[tools]") {
  TempDir dir;
  std::string pool = MakePool(dir);
  {
    auto store = store::Store::Open(pool);
    REQUIRE(store.ok());
    REQUIRE((*store)->Write("trips", {Trips()}).ok());  // a second chunk
  }
  std::string body(kTripsCsv + std::string(kTripsCsv).find('\n') + 1);
  Run csv = Quiver(dir, {"export", pool, "trips", "-o", dir.file("t.csv")});
  INFO(csv.err);
  CHECK(csv.code == 0);
  CHECK(csv.out.empty());
  CHECK(ReadFileBytes(dir.file("t.csv")) == std::string(kTripsCsv) + body);
  CHECK(csv.err.find("exported 8 rows of trips to " + dir.file("t.csv") + " (csv, ") == 0);
  CHECK(access(dir.file("t.csv.tmp").c_str(), F_OK) != 0);

  Run nd = Quiver(dir, {"export", pool, "trips", "--format", "ndjson", "-o", "-", "--quiet"});
  CHECK(nd.code == 0);
  CHECK(nd.err.empty());
  const std::string rows =
      "{\"id\":1,\"city\":\"JFK\",\"fare\":12.5,\"note\":\"a,b\",\"ts\":\"2023-11-14T22:13:20.000Z\"}\n"
      "{\"id\":2,\"city\":\"LGA\",\"fare\":30.0,\"note\":null,\"ts\":\"2023-11-14T22:14:20.500Z\"}\n"
      "{\"id\":3,\"city\":\"JFK\",\"fare\":null,\"note\":\"\",\"ts\":\"2023-11-14T22:15:20.000Z\"}\n"
      "{\"id\":4,\"city\":\"EWR\",\"fare\":7.25,\"note\":\"quote \\\"x\\\"\",\"ts\":null}\n";
  CHECK(nd.out == rows + rows);
  // The format follows the file's extension.
  REQUIRE(Quiver(dir, {"export", pool, "trips", "-o", dir.file("t.jsonl")}).code == 0);
  CHECK(ReadFileBytes(dir.file("t.jsonl")) == rows + rows);

  // Arrow stream: the schema message, the chunks' bytes as they lie in the
  // pool, the end-of-stream marker.
  Run arrow = Quiver(dir, {"export", pool, "trips", "-o", dir.file("t.arrows")});
  CHECK(arrow.code == 0);
  std::string expected = SchemaMessage(*TripsSchema()).value();
  {
    auto store = store::Store::Open(pool, ReadOnly());
    REQUIRE(store.ok());
    auto snap = (*store)->GetSnapshot().value();
    const store::TableView* t = snap->table("trips").value();
    REQUIRE(t->num_chunks() == 2);
    for (size_t i = 0; i < 2; ++i) {
      auto bytes = t->ChunkBytes(i).value();
      expected.append(reinterpret_cast<const char*>(bytes.first), bytes.second);
    }
  }
  expected += EndOfStreamMarker();
  std::string stream = ReadFileBytes(dir.file("t.arrows"));
  CHECK(stream == expected);
  auto back = ReadIpc(std::make_shared<const std::string>(stream));
  REQUIRE(back.ok());
  CHECK(back->batches.size() == 2);

  // Arrow file (Feather v2), zstd-compressed.
  Run file = Quiver(dir, {"export", pool, "trips", "--format", "arrow-file", "--zstd", "-o",
                          dir.file("t.arrow.zst")});
  CHECK(file.code == 0);
  CHECK(file.err.find("(arrow-file, zstd, ") != std::string::npos);
  std::string z = ReadFileBytes(dir.file("t.arrow.zst"));
  unsigned long long size = ZSTD_getFrameContentSize(z.data(), z.size());
  std::string raw;
  if (size == ZSTD_CONTENTSIZE_UNKNOWN) {
    raw.resize(1 << 20);
  } else {
    raw.resize(size);
  }
  size_t n = ZSTD_decompress(raw.data(), raw.size(), z.data(), z.size());
  REQUIRE(!ZSTD_isError(n));
  raw.resize(n);
  CHECK(raw.substr(0, 6) == "ARROW1");
  auto fback = ReadIpc(std::make_shared<const std::string>(raw));
  REQUIRE(fback.ok());
  int64_t total = 0;
  for (const auto& b : fback->batches) total += b.num_rows;
  CHECK(total == 8);

  // An empty table is a header alone.
  Run empty = Quiver(dir, {"export", pool, "empty", "-o", "-", "--quiet"});
  CHECK(empty.code == 0);
  CHECK(empty.out == "x\n");
}

TEST_CASE("A failed export leaves no partial file and keeps an existing one", "[tools]") {
  TempDir dir;
  std::string pool = MakePool(dir);
  uint64_t second_chunk = 0;
  {
    auto store = store::Store::Open(pool);
    REQUIRE(store.ok());
    REQUIRE((*store)->Write("trips", {Trips()}).ok());
    auto snap = (*store)->GetSnapshot().value();
    second_chunk = snap->table("trips").value()->chunks()[1].offset;
  }
  // Damage the second chunk's message header: the first chunk is written
  // before the export finds the damage.
  {
    std::fstream f(pool, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(second_chunk));
    f.write("\x01\x02\x03\x04\x05\x06\x07\x08", 8);
  }
  std::string out = dir.file("t.csv");
  quiver::testing::WriteFileBytes(out, "previous contents\n");
  Run r = Quiver(dir, {"export", pool, "trips", "-o", out});
  CHECK(r.code == 3);
  CHECK(r.err.find("quiver export: ") == 0);
  CHECK(r.err.find("(nothing written to " + out + ")\n") != std::string::npos);
  CHECK(ReadFileBytes(out) == "previous contents\n");
  CHECK(access((out + ".tmp").c_str(), F_OK) != 0);

  // To stdout, the csv ends with the error marker line.
  Run s = Quiver(dir, {"export", pool, "trips", "-o", "-", "--quiet"});
  CHECK(s.code == 3);
  std::string body(kTripsCsv);
  REQUIRE(s.out.size() > body.size());
  CHECK(s.out.substr(0, body.size()) == body);
  CHECK(s.out.substr(body.size(), 8) == "#error: ");

  // Usage errors create nothing.
  CHECK(Quiver(dir, {"export", pool, "trips"}).code == 1);
  CHECK(Quiver(dir, {"export", pool, "trips", "--format", "table", "-o", "x"}).code == 1);
  Run nodir = Quiver(dir, {"export", pool, "empty", "-o", dir.file("no/such/dir.csv")});
  CHECK(nodir.code == 2);
  CHECK(nodir.err.find("cannot create " + dir.file("no/such/dir.csv.tmp")) != std::string::npos);
}

TEST_CASE("quiver sql prints results as csv, table, json, ndjson and arrow", "[tools]") {
  TempDir dir;
  std::string pool = MakePool(dir);
  // Not a terminal: csv by default.
  Run all = Quiver(dir, {"sql", pool, "SELECT * FROM trips"});
  INFO(all.err);
  CHECK(all.code == 0);
  CHECK(all.out == kTripsCsv);
  CHECK(all.err.empty());

  Run t = Quiver(dir, {"sql", pool,
                       "SELECT city, count(*) AS n, sum(fare) AS total FROM trips "
                       "GROUP BY city ORDER BY n DESC, city",
                       "--format", "table"});
  CHECK(t.code == 0);
  CHECK(t.out ==
        " city | n | total\n"
        "------+---+-------\n"
        " JFK  | 2 |  12.5\n"
        " EWR  | 1 |  7.25\n"
        " LGA  | 1 |  30.0\n"
        "(3 rows)\n");

  Run j = Quiver(dir, {"sql", pool, "SELECT id, note FROM trips WHERE id >= 3", "--format",
                       "json"});
  CHECK(j.code == 0);
  const std::string prefix =
      "{\"columns\":[{\"name\":\"id\",\"type\":\"int64\"},{\"name\":\"note\",\"type\":\"utf8\"}],"
      "\"rows\":[\n[3,\"\"],\n[4,\"quote \\\"x\\\"\"]\n],\"row_count\":2,\"truncated\":false,"
      "\"elapsed_ms\":";
  CHECK(j.out.substr(0, prefix.size()) == prefix);
  CHECK(j.out.substr(j.out.size() - 2) == "}\n");

  Run nd = Quiver(dir, {"sql", pool, "SELECT ts FROM trips ORDER BY ts DESC LIMIT 2 OFFSET 1",
                        "--format", "ndjson"});
  CHECK(nd.code == 0);
  CHECK(nd.out ==
        "{\"ts\":\"2023-11-14T22:15:20.000Z\"}\n{\"ts\":\"2023-11-14T22:14:20.500Z\"}\n");

  Run tsv = Quiver(dir, {"sql", pool, "SELECT id, note FROM trips WHERE note IS NULL", "--format",
                         "tsv"});
  CHECK(tsv.code == 0);
  CHECK(tsv.out == "id\tnote\n2\t\n");

  Run arrow = Quiver(dir, {"sql", pool, "SELECT city, fare FROM trips WHERE fare > 10", "--format",
                           "arrow"});
  CHECK(arrow.code == 0);
  auto back = ReadIpc(std::make_shared<const std::string>(arrow.out));
  REQUIRE(back.ok());
  REQUIRE(back->schema->num_fields() == 2);
  // Dictionary columns come out of queries with int32 indices.
  CHECK(back->schema->field(0).type == DataType::Dictionary(TypeId::kInt32));
  int64_t rows = 0;
  for (const auto& b : back->batches) rows += b.num_rows;
  CHECK(rows == 2);
}

TEST_CASE("quiver sql and query errors: caret under the position, exit 2", "[tools]") {
  TempDir dir;
  std::string pool = MakePool(dir);
  Run syntax = Quiver(dir, {"sql", pool, "SELECT * FORM trips"});
  CHECK(syntax.code == 2);
  CHECK(syntax.out.empty());
  CHECK(syntax.err ==
        "quiver sql: syntax error at line 1, column 10: expected FROM, found 'FORM'\n"
        "  SELECT * FORM trips\n"
        "           ^\n");
  Run second_line = Quiver(dir, {"sql", pool, "SELECT *\nFROM trips\nWHERE fare >> 3"});
  CHECK(second_line.code == 2);
  CHECK(second_line.err ==
        "quiver sql: syntax error at line 3, column 13: expected a column, a literal or '(', "
        "found '>'\n"
        "  WHERE fare >> 3\n"
        "              ^\n");
  Run where = Quiver(dir, {"query", pool, "trips", "--where", "city = 'caf\xc3\xa9' and"});
  CHECK(where.code == 2);
  CHECK(where.err.find("quiver query: --where: syntax error at line 1, column 18: ") == 0);
  CHECK(where.err.substr(where.err.find('\n') + 1) ==
        "  city = 'caf\xc3\xa9' and\n"
        "                   ^\n");  // after the last code point
  Run column = Quiver(dir, {"query", pool, "trips", "--where", "nope > 3"});
  CHECK(column.code == 2);
  CHECK(column.err ==
        "quiver query: unknown column \"nope\"; table \"trips\" has columns: id, city, fare, "
        "note, ts\n");
  Run type = Quiver(dir, {"sql", pool, "SELECT * FROM trips WHERE fare > 'x'"});
  CHECK(type.code == 2);
  Run table = Quiver(dir, {"sql", pool, "SELECT * FROM nope"});
  CHECK(table.code == 2);
  CHECK(table.err.find("quiver sql: ") == 0);
  CHECK(table.err.find("nope") != std::string::npos);
  CHECK(table.out.empty());
}

TEST_CASE("quiver query and head build the query from options", "[tools]") {
  TempDir dir;
  std::string pool = MakePool(dir);
  Run q = Quiver(dir, {"query", pool, "trips", "--select", "id, fare", "--where",
                       "fare is not null", "--order-by", "fare desc", "--limit", "2", "--format",
                       "csv"});
  INFO(q.err);
  CHECK(q.code == 0);
  CHECK(q.out == "id,fare\n2,30.0\n1,12.5\n");
  Run off = Quiver(dir, {"query", pool, "trips", "--select", "id", "--offset", "3"});
  CHECK(off.code == 0);
  CHECK(off.out == "id\n4\n");
  Run g = Quiver(dir, {"query", pool, "trips", "--select", "city, count(*) as n", "--group-by",
                       "city", "--order-by", "city"});
  CHECK(g.code == 0);
  CHECK(g.out == "city,n\nEWR,1\nJFK,2\nLGA,1\n");
  Run h = Quiver(dir, {"head", pool, "trips", "-n", "2", "--format", "table"});
  CHECK(h.code == 0);
  CHECK(h.out ==
        " id | city | fare | note |            ts\n"
        "----+------+------+------+--------------------------\n"
        "  1 | JFK  | 12.5 | a,b  | 2023-11-14T22:13:20.000Z\n"
        "  2 | LGA  | 30.0 | NULL | 2023-11-14T22:14:20.500Z\n"
        "(2 rows)\n");
  Run h0 = Quiver(dir, {"head", pool, "empty"});
  CHECK(h0.code == 0);
  CHECK(h0.out == "x\n");
}

TEST_CASE("quiver export with --where and --select goes through the executor", "[tools]") {
  TempDir dir;
  std::string pool = MakePool(dir);
  Run r = Quiver(dir, {"export", pool, "trips", "--where", "city = 'JFK'", "--select", "id, note",
                       "-o", dir.file("jfk.tsv")});
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(ReadFileBytes(dir.file("jfk.tsv")) == "id\tnote\n1\ta,b\n3\t\"\"\n");
  CHECK(r.err.find("exported 2 rows of trips to " + dir.file("jfk.tsv") + " (tsv, ") == 0);
  Run bad = Quiver(dir, {"export", pool, "trips", "--where", "fare >", "-o", dir.file("x.csv")});
  CHECK(bad.code == 2);
  CHECK(access(dir.file("x.csv").c_str(), F_OK) != 0);
  CHECK(access(dir.file("x.csv.tmp").c_str(), F_OK) != 0);
  Run unknown = Quiver(dir, {"export", pool, "trips", "--select", "nope", "-o", dir.file("x.csv")});
  CHECK(unknown.code == 2);
  CHECK(access(dir.file("x.csv.tmp").c_str(), F_OK) != 0);
}
