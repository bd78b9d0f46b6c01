// Runs the real `quiver` binary, as an operator would.
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "cli_test_util.h"
#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "store/store.h"
#include "test_util.h"

using quiver::testing::TempDir;

namespace {

using Run = quiver::testing::ShellRun;
using quiver::testing::Quiver;

}  // namespace

TEST_CASE("quiver pool create, info and check work on a sparse 1G pool", "[tools]") {
  TempDir dir;
  std::string path = dir.file("p");
  Run c = Quiver("pool create " + path + " --size 1G");
  INFO(c.out);
  REQUIRE(c.code == 0);
  CHECK(c.out.find("created pool " + path + ": 1.00 GiB capacity") != std::string::npos);
  struct stat st{};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK(st.st_size == (1ll << 30));
  CHECK(st.st_blocks * 512 < (1ll << 20));  // sparse

  Run i = Quiver("pool info " + path);
  INFO(i.out);
  REQUIRE(i.code == 0);
  CHECK(i.out.find("txn             1") != std::string::npos);
  CHECK(i.out.find("engine          mmap") != std::string::npos);
  CHECK(i.out.find("capacity        1.00 GiB (1073741824 bytes)") != std::string::npos);

  Run j = Quiver("pool info " + path + " --json");
  REQUIRE(j.code == 0);
  CHECK(j.out.find("\"capacity_bytes\": 1073741824") != std::string::npos);

  Run k = Quiver("pool check " + path + " --deep");
  INFO(k.out);
  CHECK(k.code == 0);
  CHECK(k.out.find(path + ": healthy") != std::string::npos);

  Run g = Quiver("pool grow " + path + " --size 2G");
  INFO(g.out);
  CHECK(g.code == 0);
  CHECK(Quiver("pool info " + path).out.find("capacity        2.00 GiB") != std::string::npos);
}

TEST_CASE("quiver exit codes: 1 for usage, 3 for pool errors", "[tools]") {
  TempDir dir;
  std::string path = dir.file("p");
  CHECK(Quiver("").code == 1);
  CHECK(Quiver("--help").code == 0);
  CHECK(Quiver("frobnicate").code == 1);
  Run h = Quiver("pool create --help");
  CHECK(h.code == 0);
  CHECK(h.out.find("Usage: quiver pool create PATH") != std::string::npos);
  CHECK(Quiver("pool create " + path + " --size 12Q").code == 1);
  CHECK(Quiver("pool create " + path + " --bogus").code == 1);
  REQUIRE(Quiver("pool create " + path + " --size 8M").code == 0);
  Run again = Quiver("pool create " + path + " --size 8M");
  CHECK(again.code == 3);
  CHECK(again.out.find("already exists") != std::string::npos);
  quiver::testing::WriteFileBytes(dir.file("junk"), std::string(100000, 'x'));
  Run bad = Quiver("pool check " + dir.file("junk"));
  CHECK(bad.code == 3);
  CHECK(bad.out.find("DAMAGED") != std::string::npos);
  CHECK(bad.out.find("is not a Quiver pool (no pool magic at offset 0)") != std::string::npos);
  Run missing = Quiver("pool info " + dir.file("nope"));
  CHECK(missing.code == 3);  // a missing pool is a pool error, as for every command
  CHECK(missing.out.find("No such file") != std::string::npos);
}

TEST_CASE("A flipped bit makes pool check --deep and sql reading it exit 3 naming the buffer",
          "[tools]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto schema = std::make_shared<quiver::Schema>(
      std::vector<quiver::Field>{{"id", quiver::DataType(quiver::TypeId::kInt64), false, {}},
                                 {"fare", quiver::DataType(quiver::TypeId::kFloat64), true, {}}});
  uint64_t fare_at = 0;
  {
    auto store = quiver::store::Store::Create(path, 16ull << 20);
    REQUIRE(store.ok());
    quiver::RecordBatchBuilder b(schema);
    for (int i = 0; i < 1000; ++i) {
      b.column(0).AppendInt(i);
      b.column(1).AppendDouble(i / 2.0);
    }
    auto batch = b.Finish();
    REQUIRE(batch.ok());
    quiver::store::WriteOptions w;
    w.create_schema = schema;
    REQUIRE((*store)->Write("trips", {*batch}, w).ok());
    auto snap = (*store)->GetSnapshot();
    REQUIRE(snap.ok());
    const quiver::store::ChunkInfo& ci = (*(*snap)->table("trips"))->chunks()[0];
    auto p = (*snap)->pool_snapshot().Read(ci.offset, ci.length);
    REQUIRE(p.ok());
    auto reader = quiver::ChunkReader::Open(schema, *p, int64_t(ci.length));
    REQUIRE(reader.ok());
    fare_at = ci.offset + uint64_t(reader->column_ranges(1)[1].offset);
  }
  REQUIRE(Quiver("pool check " + path + " --deep").code == 0);
  std::string bytes = quiver::testing::ReadFileBytes(path);
  bytes[fare_at + 100] = char(bytes[fare_at + 100] ^ 0x10);
  quiver::testing::WriteFileBytes(path, bytes);

  Run k = Quiver("pool check " + path + " --deep");
  INFO(k.out);
  CHECK(k.code == 3);
  CHECK(k.out.find("DAMAGED") != std::string::npos);
  CHECK(k.out.find("table \"trips\", chunk 0, column \"fare\": the values buffer at file offset " +
                   std::to_string(fare_at)) != std::string::npos);
  CHECK(Quiver("pool check " + path).code == 0);  // a shallow check reads no chunk

  Run q = Quiver("sql " + path + " 'SELECT count(*) FROM trips WHERE fare > 30'");
  INFO(q.out);
  CHECK(q.code == 3);
  CHECK(q.out.find("column \"fare\"") != std::string::npos);
  Run ok =
      Quiver("sql " + path + " 'SELECT count(*) AS n FROM trips WHERE id >= 990' --format csv");
  INFO(ok.out);
  CHECK(ok.code == 0);
  CHECK(ok.out.find("10") != std::string::npos);
}
