#include "store/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "columnar/builder.h"
#include "test_util.h"
#include "trips_data.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

using testing::MakeTrips;
using testing::TripsSchema;

// Reads every row of a table as text "id|fare|city|note".
std::vector<std::string> Rows(const TableView& t) {
  std::vector<std::string> out;
  for (size_t c = 0; c < t.num_chunks(); ++c) {
    auto batch = t.ReadChunk(c);
    REQUIRE(batch.ok());
    ArrayView id = batch->columns[0]->View();
    ArrayView fare = batch->columns[1]->View();
    ArrayView city = batch->columns[2]->View();
    ArrayView dict = batch->columns[2]->dictionary->View();
    city.dictionary = &dict;
    ArrayView note = batch->columns[3]->View();
    for (int64_t i = 0; i < batch->num_rows; ++i) {
      std::string row = std::to_string(id.Value<int64_t>(i)) + "|";
      row += fare.IsNull(i) ? "null" : std::to_string(fare.Value<double>(i));
      row += "|" + std::string(dict.StringValue(city.DictIndex(i)));
      row += "|" + (note.IsNull(i) ? std::string("null") : std::string(note.StringValue(i)));
      out.push_back(row);
    }
  }
  return out;
}

std::vector<std::string> Expected(int64_t start, int64_t n) {
  std::vector<std::string> out;
  for (int64_t i = start; i < start + n; ++i) {
    std::string row =
        std::to_string(i) + "|" + (i % 7 == 0 ? "null" : std::to_string(double(i) / 2));
    row += "|city_" + std::to_string(i % 5) + "|" + (i % 3 == 0 ? "null" : "n" + std::to_string(i));
    out.push_back(row);
  }
  return out;
}

std::unique_ptr<Store> MustCreate(const std::string& path, StoreOptions o = {}) {
  auto s = Store::Create(path, 64ull << 20, o);
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  return std::move(s).value();
}

}  // namespace

TEST_CASE("Rows appended to a table read back exactly, across reopen", "[store]") {
  TempDir dir;
  std::string path = dir.file("p");
  {
    auto store = MustCreate(path);
    REQUIRE(store->CreateTable("trips", *TripsSchema()).ok());
    REQUIRE(store->Write("trips", {MakeTrips(0, 1000), MakeTrips(1000, 500)}).ok());
    auto snap = store->GetSnapshot();
    REQUIRE(snap.ok());
    auto t = (*snap)->table("trips");
    REQUIRE(t.ok());
    CHECK((*t)->num_rows() == 1500);
    CHECK((*t)->num_chunks() == 2);
    CHECK(Rows(**t) == Expected(0, 1500));
  }
  StoreOptions ro;
  ro.read_only = true;
  auto store = Store::Open(path, ro);
  REQUIRE(store.ok());
  auto snap = (*store)->GetSnapshot();
  REQUIRE(snap.ok());
  auto t = (*snap)->table("trips");
  REQUIRE(t.ok());
  CHECK(Rows(**t) == Expected(0, 1500));
  // Statistics per chunk: id min/max, fare nulls.
  const ChunkInfo& c0 = (*t)->chunks()[0];
  CHECK(c0.rows == 1000);
  CHECK(c0.stats[0].min_int == 0);
  CHECK(c0.stats[0].max_int == 999);
  CHECK(c0.stats[1].null_count == 143);  // multiples of 7 in [0, 1000)
  CHECK(c0.offset % 64 == 0);
}

TEST_CASE("Large batches are split into chunks of at most max_chunk_rows", "[store]") {
  TempDir dir;
  StoreOptions o;
  o.max_chunk_rows = 300;
  auto store = MustCreate(dir.file("p"), o);
  WriteOptions w;
  w.create_schema = TripsSchema();
  REQUIRE(store->Write("trips", {MakeTrips(0, 1000)}, w).ok());
  auto snap = store->GetSnapshot();  // the table view lives as long as this
  REQUIRE(snap.ok());
  auto t = (*snap)->table("trips");
  REQUIRE(t.ok());
  CHECK((*t)->num_chunks() == 4);
  CHECK((*t)->chunks()[3].rows == 100);
  CHECK(Rows(**t) == Expected(0, 1000));
}

TEST_CASE("A snapshot keeps its version while the writer changes the table", "[store]") {
  TempDir dir;
  auto store = MustCreate(dir.file("p"));
  WriteOptions w;
  w.create_schema = TripsSchema();
  REQUIRE(store->Write("trips", {MakeTrips(0, 100)}, w).ok());
  auto before = store->GetSnapshot();
  REQUIRE(before.ok());
  REQUIRE(store->Write("trips", {MakeTrips(100, 50)}).ok());
  REQUIRE(store->TruncateTable("trips").ok());
  REQUIRE(store->Write("trips", {MakeTrips(7000, 10)}).ok());
  // The old snapshot still reads its 100 rows (their extents are pinned).
  CHECK(Rows(**(*before)->table("trips")) == Expected(0, 100));
  auto after = store->GetSnapshot();
  REQUIRE(after.ok());
  CHECK((*after)->txn() > (*before)->txn());
  CHECK(Rows(**(*after)->table("trips")) == Expected(7000, 10));
}

TEST_CASE("An aborted write leaves the table and the pool unchanged", "[store]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto store = MustCreate(path);
  WriteOptions w;
  w.create_schema = TripsSchema();
  REQUIRE(store->Write("trips", {MakeTrips(0, 100)}, w).ok());
  uint64_t txn = (*store->GetSnapshot())->txn();
  uint64_t used = store->pool().Info().used_bytes;
  {
    auto writer = store->BeginWrite("trips");
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Append(MakeTrips(100, 5000)).ok());
    // Dropped without Commit.
  }
  CHECK((*store->GetSnapshot())->txn() == txn);
  CHECK(store->pool().Info().used_bytes == used);
  CHECK(Rows(**(*store->GetSnapshot())->table("trips")) == Expected(0, 100));
  // A failing append (wrong schema) does not disturb the writer lock either.
  auto other =
      std::make_shared<Schema>(std::vector<Field>{{"x", DataType(TypeId::kInt32), true, {}}});
  RecordBatchBuilder b(other);
  b.column(0).AppendInt(1);
  auto wrong = b.Finish();
  REQUIRE(wrong.ok());
  auto r = store->Write("trips", {*wrong});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kTypeError);
  CHECK(r.status().message().find("the table's is var * {id: int64") != std::string::npos);
  REQUIRE(store->Write("trips", {MakeTrips(100, 1)}).ok());
}

TEST_CASE("Replace swaps a table's contents in one transaction", "[store]") {
  TempDir dir;
  auto store = MustCreate(dir.file("p"));
  WriteOptions w;
  w.create_schema = TripsSchema();
  REQUIRE(store->Write("trips", {MakeTrips(0, 100)}, w).ok());
  w.mode = WriteMode::kReplace;
  REQUIRE(store->Write("trips", {MakeTrips(500, 20)}, w).ok());
  CHECK(Rows(**(*store->GetSnapshot())->table("trips")) == Expected(500, 20));
}

TEST_CASE("Create, rename and drop tables; errors name what exists", "[store]") {
  TempDir dir;
  auto store = MustCreate(dir.file("p"));
  REQUIRE(store->CreateTable("a", *TripsSchema()).ok());
  REQUIRE(store->CreateTable("b", *TripsSchema()).ok());
  auto dup = store->CreateTable("a", *TripsSchema());
  CHECK(dup.code() == StatusCode::kAlreadyExists);
  CHECK(store->CreateTable("a", *TripsSchema(), /*if_not_exists=*/true).ok());
  REQUIRE(store->RenameTable("a", "c").ok());
  CHECK(store->RenameTable("b", "c").code() == StatusCode::kAlreadyExists);
  auto snap = store->GetSnapshot();
  REQUIRE(snap.ok());
  auto missing = (*snap)->table("a");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == "unknown table \"a\"; tables: b, c");
  REQUIRE(store->DropTable("b").ok());
  CHECK(store->DropTable("b").code() == StatusCode::kNotFound);
  auto names = (*store->GetSnapshot())->tables();
  REQUIRE(names.size() == 1);
  CHECK(names[0].name() == "c");
}

TEST_CASE("Table names that are not identifiers are refused", "[store]") {
  CHECK(ValidateTableName("trips_2024").ok());
  CHECK(ValidateTableName("_x").ok());
  CHECK(ValidateTableName("").message() == "table name is empty");
  CHECK(ValidateTableName("../etc").message() ==
        "table name \"../etc\" has '.' at position 1; names use ASCII letters, digits and _ and "
        "do not start with a digit");
  CHECK(ValidateTableName("a/b").code() == StatusCode::kInvalidArgument);
  CHECK(ValidateTableName(std::string("a\0b", 3)).message().find("byte 0x00 at position 2") !=
        std::string::npos);
  CHECK(ValidateTableName("9lives").code() == StatusCode::kInvalidArgument);
  CHECK(ValidateTableName(std::string(129, 'x')).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Nulls in a non-nullable column are refused", "[store]") {
  TempDir dir;
  auto store = MustCreate(dir.file("p"));
  auto schema =
      std::make_shared<Schema>(std::vector<Field>{{"id", DataType(TypeId::kInt64), false, {}}});
  REQUIRE(store->CreateTable("t", *schema).ok());
  auto loose =
      std::make_shared<Schema>(std::vector<Field>{{"id", DataType(TypeId::kInt64), true, {}}});
  RecordBatchBuilder b(loose);
  b.column(0).AppendInt(1);
  b.column(0).AppendNull();
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  auto r = store->Write("t", {*batch});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() ==
        "column \"id\" of table \"t\" is not nullable, but 1 appended values are null");
}

TEST_CASE("Compaction merges small chunks, keeps rows and frees the old extents", "[store]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto store = MustCreate(path);
  WriteOptions w;
  w.create_schema = TripsSchema();
  for (int i = 0; i < 20; ++i) REQUIRE(store->Write("trips", {MakeTrips(i * 10, 10)}, w).ok());
  auto before = store->GetSnapshot();
  REQUIRE(before.ok());
  CHECK((*(*before)->table("trips"))->num_chunks() == 20);
  auto r = store->Compact("trips", 64);
  REQUIRE(r.ok());
  CHECK(r->chunks_before == 20);
  CHECK(r->chunks_after == 4);  // 60 + 60 + 60 + 20 rows
  auto after = store->GetSnapshot();
  REQUIRE(after.ok());
  auto t = (*after)->table("trips");
  CHECK((*t)->num_chunks() == 4);
  CHECK(Rows(**t) == Expected(0, 200));
  CHECK(Rows(**(*before)->table("trips")) == Expected(0, 200));  // old version intact
  auto again = store->Compact("trips", 64);
  REQUIRE(again.ok());
  CHECK(again->txn == 0);  // nothing left to merge
  before = Status::Cancelled("released");
  auto check = Store::Check(path, /*deep=*/true);
  for (auto& p : check.problems) UNSCOPED_INFO(p);
  for (auto& i : check.pool.issues) UNSCOPED_INFO(i.where << ": " << i.problem);
  CHECK(check.healthy());
}

TEST_CASE("A damaged chunk is reported by a deep check and by reads, never read past", "[store]") {
  TempDir dir;
  std::string path = dir.file("p");
  uint64_t chunk_offset = 0;
  {
    auto store = MustCreate(path);
    WriteOptions w;
    w.create_schema = TripsSchema();
    REQUIRE(store->Write("trips", {MakeTrips(0, 1000)}, w).ok());
    chunk_offset = (*(*store->GetSnapshot())->table("trips"))->chunks()[0].offset;
  }
  CHECK(Store::Check(path, true).healthy());
  // Overwrite the start of the chunk's metadata.
  int fd = open(path.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  std::string junk(64, '\x7f');
  REQUIRE(pwrite(fd, junk.data(), junk.size(), off_t(chunk_offset)) == 64);
  close(fd);
  auto check = Store::Check(path, true);
  REQUIRE_FALSE(check.healthy());
  REQUIRE_FALSE(check.problems.empty());
  CHECK(check.problems[0].find("table \"trips\", chunk 0 at pool offset " +
                               std::to_string(chunk_offset)) != std::string::npos);
  StoreOptions ro;
  ro.read_only = true;
  auto store = Store::Open(path, ro);
  REQUIRE(store.ok());
  auto snap = (*store)->GetSnapshot();
  REQUIRE(snap.ok());
  auto t = (*snap)->table("trips");
  REQUIRE(t.ok());
  CHECK_FALSE((*t)->ReadChunk(0).ok());
}

TEST_CASE("Chunks validated once are shared by later snapshots", "[store]") {
  TempDir dir;
  auto store = MustCreate(dir.file("p"));
  WriteOptions w;
  w.create_schema = TripsSchema();
  REQUIRE(store->Write("trips", {MakeTrips(0, 100)}, w).ok());
  auto s1 = store->GetSnapshot();
  auto b1 = (*(*s1)->table("trips"))->ReadChunk(0);
  REQUIRE(b1.ok());
  REQUIRE(store->Write("trips", {MakeTrips(100, 10)}).ok());
  auto s2 = store->GetSnapshot();
  auto b2 = (*(*s2)->table("trips"))->ReadChunk(0);
  REQUIRE(b2.ok());
  // Same bytes in the mapping: zero copy, no second validation needed.
  CHECK(b1->columns[0]->buffers[1]->data() == b2->columns[0]->buffers[1]->data());
  const uint8_t* base = (*s2)->pool_snapshot().base();
  const uint8_t* p = b2->columns[0]->buffers[1]->data();
  CHECK(p >= base);
  CHECK(p < base + (*s2)->pool_snapshot().mapped_size());
  // Dropping the first snapshot does not invalidate the second's batch.
  s1 = Status::Cancelled("released");
  b1 = Status::Cancelled("released");
  CHECK(Rows(**(*s2)->table("trips")) == Expected(0, 110));
}

TEST_CASE("A writer's own cached snapshot never holds back the space its commits free") {
  TempDir dir;
  auto store = MustCreate(dir.path() + "/reuse.pool");
  WriteOptions w;
  w.create_schema = TripsSchema();
  REQUIRE(store->Write("a", {MakeTrips(0, 20000)}, w).ok());
  const uint64_t high_after_a = store->pool().Info().high_water;
  REQUIRE(store->DropTable("a").ok());
  // No GetSnapshot() in between: the store itself must have moved its pin.
  REQUIRE(store->Write("b", {MakeTrips(0, 20000)}, w).ok());
  pmem::PoolInfo info = store->pool().Info();
  CHECK(info.high_water <= high_after_a + 16 * 1024);  // a catalog page or two, not the table
  CHECK(info.free_list_pending == 0);
}

TEST_CASE("Releasing the last snapshot releases the store's pin without a refresh", "[store]") {
  TempDir dir;
  auto store = MustCreate(dir.file("p"));
  WriteOptions w;
  w.create_schema = TripsSchema();
  REQUIRE(store->Write("trips", {MakeTrips(0, 100)}, w).ok());
  CHECK(store->pool().Info().readers.empty());
  auto s1 = store->GetSnapshot();
  REQUIRE(s1.ok());
  auto s2 = store->GetSnapshot();
  REQUIRE(s2.ok());
  CHECK(s1->get() == s2->get());  // the same state: the same snapshot
  CHECK(store->pool().Info().readers.size() == 1);
  REQUIRE(store->Write("trips", {MakeTrips(100, 10)}).ok());
  auto s3 = store->GetSnapshot();
  REQUIRE(s3.ok());
  CHECK((*s3)->txn() > (*s1)->txn());
  CHECK(Rows(**(*s1)->table("trips")) == Expected(0, 100));
  s1 = Status::Cancelled("released");
  s2 = Status::Cancelled("released");
  s3 = Status::Cancelled("released");
  CHECK(store->pool().Info().readers.empty());
}
