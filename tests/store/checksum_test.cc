// Checksums of stored data: a flipped bit in any buffer of a chunk, in its
// metadata or in the catalog is found by the query that reads it (data_loss
// naming table, chunk and column) and by a deep check (with the file
// offset); queries that do not read it still answer; old pools still read.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "store/exec.h"
#include "store/store.h"
#include "test_util.h"
#include "trips_data.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

using testing::MakeTrips;
using testing::TripsSchema;

constexpr int64_t kRows = 1000;

// A pool with table trips (one chunk of kRows rows); returns the chunk's
// file offset and length.
std::pair<uint64_t, uint64_t> MakePool(const std::string& path, bool checksums = true) {
  StoreOptions o;
  o.checksums = checksums;
  auto store = Store::Create(path, 64ull << 20, o);
  REQUIRE(store.ok());
  WriteOptions w;
  w.create_schema = TripsSchema();
  REQUIRE((*store)->Write("trips", {MakeTrips(0, kRows)}, w).ok());
  auto snap = (*store)->GetSnapshot();
  REQUIRE(snap.ok());
  const ChunkInfo& ci = (*(*snap)->table("trips"))->chunks()[0];
  CHECK(ci.checksummed == checksums);
  return {ci.offset, ci.length};
}

// The file offset of buffer `k` of column `col` of the chunk at `chunk`.
uint64_t BufferOffset(const std::string& path, std::pair<uint64_t, uint64_t> chunk, size_t col,
                      size_t k) {
  std::string bytes = quiver::testing::ReadFileBytes(path).substr(chunk.first, chunk.second);
  auto own = std::make_shared<std::string>(bytes);
  auto reader = ChunkReader::Open(TripsSchema(), reinterpret_cast<const uint8_t*>(own->data()),
                                  int64_t(own->size()));
  REQUIRE(reader.ok());
  const ByteRange& r = reader->column_ranges(col).at(k);
  REQUIRE(r.length > 0);
  return chunk.first + uint64_t(r.offset);
}

void FlipBit(const std::string& path, uint64_t offset, int bit = 3) {
  int fd = open(path.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  char c = 0;
  REQUIRE(pread(fd, &c, 1, off_t(offset)) == 1);
  c = char(c ^ (1 << bit));
  REQUIRE(pwrite(fd, &c, 1, off_t(offset)) == 1);
  close(fd);
}

Result<QueryResult> Sql(const std::string& path, const std::string& sql) {
  StoreOptions ro;
  ro.read_only = true;
  QUIVER_ASSIGN_OR_RETURN(auto store, Store::Open(path, ro));
  QUIVER_ASSIGN_OR_RETURN(auto snap, store->GetSnapshot());
  return ExecuteSql(snap, sql);
}

int64_t Count(const std::string& path, const std::string& sql) {
  auto r = Sql(path, sql);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  REQUIRE(r->batches.size() == 1);
  return r->batches[0].columns[0]->View().Value<int64_t>(0);
}

bool HasProblem(const StoreCheck& c, const std::string& a, const std::string& b) {
  for (const auto& p : c.problems) {
    if (p.find(a) != std::string::npos && p.find(b) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("A flipped bit in any column buffer fails the query that reads it with data_loss",
          "[store]") {
  struct Target {
    const char* what;
    size_t col;
    size_t buffer;
    const char* query_reading;      // reads the damaged column
    const char* query_not_reading;  // does not
    int64_t expected;               // the second query's answer
  };
  // Rows with id > 30: 969. Cities of ids 0..999: 200 each.
  const Target targets[] = {
      {"fare values", 1, 1, "SELECT count(*) FROM trips WHERE fare > 30",
       "SELECT count(*) FROM trips WHERE id > 30", 969},
      {"fare validity bitmap", 1, 0, "SELECT count(*) FROM trips WHERE fare > 30",
       "SELECT count(*) FROM trips WHERE id > 30", 969},
      {"note offsets", 3, 1, "SELECT count(*) FROM trips WHERE note = 'n5'",
       "SELECT count(*) FROM trips WHERE city = 'city_1'", 200},
      {"note data", 3, 2, "SELECT count(*) FROM trips WHERE note = 'n5'",
       "SELECT count(*) FROM trips WHERE fare IS NULL", 143},
      {"city dictionary data", 2, 4, "SELECT count(*) FROM trips WHERE city = 'city_1'",
       "SELECT count(*) FROM trips WHERE id > 30", 969},
      {"city indices", 2, 1, "SELECT count(*) FROM trips WHERE city = 'city_1'",
       "SELECT count(*) FROM trips WHERE note IS NULL", 334},
  };
  const char* column_names[] = {"id", "fare", "city", "note"};
  for (const Target& t : targets) {
    DYNAMIC_SECTION(t.what) {
      TempDir dir;
      std::string path = dir.file("p");
      auto chunk = MakePool(path);
      REQUIRE(Store::Check(path, true).healthy());
      uint64_t at = BufferOffset(path, chunk, t.col, t.buffer);
      FlipBit(path, at + 1);

      auto bad = Sql(path, t.query_reading);
      REQUIRE_FALSE(bad.ok());
      CHECK(bad.status().code() == StatusCode::kDataLoss);
      CHECK(bad.status().ToString().rfind("data_loss: ", 0) == 0);
      const std::string& m = bad.status().message();
      CHECK(m.find("table \"trips\"") != std::string::npos);
      CHECK(m.find("chunk 0") != std::string::npos);
      CHECK(m.find(std::string("column \"") + column_names[t.col] + "\"") != std::string::npos);

      CHECK(Count(path, t.query_not_reading) == t.expected);

      StoreCheck check = Store::Check(path, true);
      CHECK_FALSE(check.healthy());
      for (const auto& p : check.problems) UNSCOPED_INFO(p);
      CHECK(HasProblem(check, std::string("column \"") + column_names[t.col] + "\"",
                       "file offset " + std::to_string(at)));
      // A shallow check does not read chunks.
      CHECK(Store::Check(path, false).healthy());
    }
  }
}

TEST_CASE("A flipped bit in a chunk's metadata fails every query that reads the chunk", "[store]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto chunk = MakePool(path);
  // The chunk starts with the dictionary message of column city: an 8-byte
  // prefix, then its flatbuffer metadata.
  FlipBit(path, chunk.first + 12, 0);
  auto bad = Sql(path, "SELECT count(*) FROM trips WHERE id > 30");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kDataLoss);
  CHECK(bad.status().message().find("table \"trips\", chunk 0") != std::string::npos);
  // Counting rows reads no column: the catalog's count answers.
  CHECK(Count(path, "SELECT count(*) FROM trips") == kRows);
  StoreCheck check = Store::Check(path, true);
  CHECK_FALSE(check.healthy());
  CHECK(HasProblem(check, "table \"trips\", chunk 0", std::to_string(chunk.first)));
}

TEST_CASE("A flipped bit in the catalog refuses the pool with data_loss and its offset",
          "[store]") {
  TempDir dir;
  std::string path = dir.file("p");
  MakePool(path);
  uint64_t root_offset = 0, root_length = 0;
  {
    StoreOptions ro;
    ro.read_only = true;
    auto store = Store::Open(path, ro);
    REQUIRE(store.ok());
    auto snap = (*store)->GetSnapshot();
    REQUIRE(snap.ok());
    root_offset = (*snap)->pool_snapshot().root().offset;
    root_length = (*snap)->pool_snapshot().root().length;
  }
  FlipBit(path, root_offset + root_length / 2);
  StoreOptions ro;
  ro.read_only = true;
  auto store = Store::Open(path, ro);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == StatusCode::kDataLoss);
  CHECK(store.status().message().find("catalog at file offset " + std::to_string(root_offset)) !=
        std::string::npos);
  StoreCheck check = Store::Check(path, true);
  CHECK_FALSE(check.healthy());
  CHECK(HasProblem(check, "catalog", "file offset " + std::to_string(root_offset)));
}

TEST_CASE("A pool written before checksums opens, reads, and deep-checks with a note", "[store]") {
  TempDir dir;
  std::string path = dir.file("p");
  MakePool(path, /*checksums=*/false);
  CHECK(Count(path, "SELECT count(*) FROM trips WHERE fare > 30") == 805);
  StoreCheck check = Store::Check(path, true);
  CHECK(check.healthy());
  std::string notes;
  for (const auto& n : check.pool.notes) notes += n + "\n";
  CHECK(notes.find("the catalog was written before checksums") != std::string::npos);
  CHECK(notes.find("1 of 1 chunks were written before checksums") != std::string::npos);
  {
    // A writer of today appends checksummed chunks beside the old ones.
    auto store = Store::Open(path);
    REQUIRE(store.ok());
    REQUIRE((*store)->Write("trips", {MakeTrips(0, 10)}).ok());
  }
  CHECK(Count(path, "SELECT count(*) FROM trips") == kRows + 10);
  check = Store::Check(path, true);
  CHECK(check.healthy());
  notes.clear();
  for (const auto& n : check.pool.notes) notes += n + "\n";
  CHECK(notes.find("the catalog was written before") == std::string::npos);
  CHECK(notes.find("1 of 2 chunks were written before checksums") != std::string::npos);
}

TEST_CASE("ReadChunk with a column list opens only those columns", "[store]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto chunk = MakePool(path);
  FlipBit(path, BufferOffset(path, chunk, 3, 2) + 1);  // note data
  StoreOptions ro;
  ro.read_only = true;
  auto store = Store::Open(path, ro);
  REQUIRE(store.ok());
  auto snap = (*store)->GetSnapshot();
  REQUIRE(snap.ok());
  const TableView* t = *(*snap)->table("trips");
  auto b = t->ReadChunk(0, {1});
  REQUIRE(b.ok());
  CHECK(b->num_rows == kRows);
  CHECK(b->columns[0] == nullptr);
  REQUIRE(b->columns[1] != nullptr);
  CHECK(b->columns[1]->View().Value<double>(3) == 1.5);
  CHECK(b->columns[3] == nullptr);
  auto all = t->ReadChunk(0);
  REQUIRE_FALSE(all.ok());
  CHECK(all.status().code() == StatusCode::kDataLoss);
  CHECK(t->ReadChunk(0, {0, 1, 2}).ok());
  CHECK(t->ReadChunk(0, {4}).status().code() == StatusCode::kInvalidArgument);
}
