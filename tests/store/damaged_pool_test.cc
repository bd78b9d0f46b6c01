// Pools whose structures are consistent (every checksum right) but wrong:
// the inputs that the pool fuzzer (store/pool_fuzz.cc) found crashing, each
// rebuilt here from a real pool with the same edit, and refused with a clean
// error that names the damaged structure.
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "columnar/builder.h"
#include "pmem/layout.h"
#include "store/catalog_internal.h"
#include "store/checksum_internal.h"
#include "store/store.h"
#include "test_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

std::shared_ptr<const Schema> IntSchema() {
  return std::make_shared<const Schema>(
      std::vector<Field>{{"x", DataType(TypeId::kInt64), true, {}}});
}

std::shared_ptr<const Schema> TextSchema() {
  return std::make_shared<const Schema>(
      std::vector<Field>{{"s", DataType(TypeId::kUtf8), true, {}}});
}

RecordBatch Ints(int n) {
  RecordBatchBuilder b(IntSchema());
  for (int i = 0; i < n; ++i) b.column(0).AppendInt(i);
  auto r = b.Finish();
  REQUIRE(r.ok());
  return *r;
}

RecordBatch Texts(int n) {
  RecordBatchBuilder b(TextSchema());
  for (int i = 0; i < n; ++i) {
    b.column(0).AppendString(std::string(size_t(i), 'a'));
  }
  auto r = b.Finish();
  REQUIRE(r.ok());
  return *r;
}

// A pool with table "nums" (one chunk of one int64 column) and table
// "text" (one chunk of one utf8 column).
void MakePool(const std::string& path) {
  auto s = Store::Create(path, 8ull << 20);
  REQUIRE(s.ok());
  WriteOptions w;
  w.create_schema = IntSchema();
  REQUIRE((*s)->Write("nums", {Ints(100)}, w).ok());
  w.create_schema = TextSchema();
  REQUIRE((*s)->Write("text", {Texts(50)}, w).ok());
}

uint32_t Crc(const void* p, size_t n) {
  return uint32_t(crc32(0L, static_cast<const Bytef*>(p), uInt(n)));
}

// The pool file's bytes, edited in memory and written back with the meta
// slot's checksums recomputed (so that the edit is not a torn slot).
class PoolFile {
 public:
  explicit PoolFile(std::string path) : path_(std::move(path)) {
    bytes_ = testing::ReadFileBytes(path_);
    pmem::MetaSlot m0 = Meta(0), m1 = Meta(1);
    slot_ = m1.magic == pmem::kMetaMagic && m1.txn_id > m0.txn_id ? 1 : 0;
  }
  int slot() const { return slot_; }
  pmem::MetaSlot Meta(int slot) const {
    pmem::MetaSlot m;
    std::memcpy(&m, bytes_.data() + pmem::kMetaOffset[slot], sizeof m);
    return m;
  }
  uint8_t* At(uint64_t offset) { return reinterpret_cast<uint8_t*>(bytes_.data()) + offset; }
  // Replaces the current slot's free list with `entries` (inline).
  void SetFreeList(const std::vector<pmem::FreeEntry>& entries) {
    pmem::MetaSlot m = Meta(slot_);
    uint8_t* list = At(pmem::kMetaOffset[slot_] + sizeof m);
    std::memcpy(list, entries.data(), entries.size() * sizeof(pmem::FreeEntry));
    m.freelist_offset = m.freelist_length = 0;
    m.inline_free_count = uint32_t(entries.size());
    m.inline_free_crc = Crc(list, entries.size() * sizeof(pmem::FreeEntry));
    Seal(m);
  }
  // Writes `blob` over the current root blob (it must fit its pages).
  void SetRoot(const std::string& blob) {
    pmem::MetaSlot m = Meta(slot_);
    REQUIRE(blob.size() <=
            (m.root_length + pmem::kPageSize - 1) / pmem::kPageSize * pmem::kPageSize);
    std::memcpy(At(m.root_offset), blob.data(), blob.size());
    m.root_length = blob.size();
    Seal(m);
  }
  CatalogState Catalog() {
    pmem::MetaSlot m = Meta(slot_);
    auto c = DecodeCatalog(At(m.root_offset), m.root_length, m.root_offset);
    REQUIRE(c.ok());
    return *c;
  }
  void Save() { testing::WriteFileBytes(path_, bytes_); }

 private:
  void Seal(pmem::MetaSlot m) {
    m.checksum = Crc(&m, offsetof(pmem::MetaSlot, checksum));
    std::memcpy(At(pmem::kMetaOffset[slot_]), &m, sizeof m);
  }
  std::string path_;
  std::string bytes_;
  int slot_ = 0;
};

bool Has(const Status& s, const std::string& text) {
  return s.message().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("A free list that covers a live chunk is refused when a writer opens the pool",
          "[store]") {
  // Found by pool_fuzz: the writer handed the chunk's pages out again, wrote
  // over them, and a snapshot that had validated the chunk read past its
  // (rewritten) string offsets.
  TempDir dir;
  const std::string path = dir.file("p");
  MakePool(path);
  PoolFile f(path);
  const ChunkInfo chunk = f.Catalog().tables.at("text").chunks[0];
  f.SetFreeList({{chunk.offset, pmem::kPageSize, 0}});
  f.Save();

  auto writer = Store::Open(path);
  REQUIRE_FALSE(writer.ok());
  CHECK(writer.status().code() == StatusCode::kCorruption);
  INFO(writer.status().message());
  CHECK(Has(writer.status(), "table \"text\", chunk 0"));
  CHECK(Has(writer.status(),
            "is in use but the free list holds [" + std::to_string(chunk.offset) + ", "));
  // A reader allocates nothing: it still reads the table.
  StoreOptions ro;
  ro.read_only = true;
  auto reader = Store::Open(path, ro);
  REQUIRE(reader.ok());
  auto snap = (*reader)->GetSnapshot();
  REQUIRE(snap.ok());
  auto batch = (*(*snap)->table("text"))->ReadChunk(0);
  REQUIRE(batch.ok());
  CHECK(batch->num_rows == 50);
}

TEST_CASE("A free list that covers the catalog is refused when a writer opens the pool",
          "[store]") {
  TempDir dir;
  const std::string path = dir.file("p");
  MakePool(path);
  PoolFile f(path);
  const pmem::MetaSlot m = f.Meta(f.slot());
  f.SetFreeList({{m.root_offset / pmem::kPageSize * pmem::kPageSize, pmem::kPageSize, 0}});
  f.Save();
  auto writer = Store::Open(path);
  REQUIRE_FALSE(writer.ok());
  INFO(writer.status().message());
  CHECK(writer.status().code() == StatusCode::kCorruption);
  CHECK(Has(writer.status(), "root blob: extent [" + std::to_string(m.root_offset)));
}

TEST_CASE("Two tables that list the same chunk are refused, whatever their schemas", "[store]") {
  // Both tables would share one validated-chunk cache entry (keyed by
  // offset and txn): once "nums" had validated the chunk's int64 column,
  // "text" would be handed that column as its utf8 one (and with more
  // columns, index past the entry's). Seen while writing pool_fuzz, whose
  // catalog edit "copy a chunk into another table" builds this pool.
  TempDir dir;
  const std::string path = dir.file("p");
  MakePool(path);
  PoolFile f(path);
  CatalogState cat = f.Catalog();
  cat.tables.at("text").chunks.push_back(cat.tables.at("nums").chunks[0]);
  f.SetRoot(EncodeCatalog(cat));
  f.Save();

  StoreOptions ro;
  ro.read_only = true;
  auto reader = Store::Open(path, ro);
  REQUIRE_FALSE(reader.ok());
  INFO(reader.status().message());
  CHECK(reader.status().code() == StatusCode::kCorruption);
  CHECK(Has(reader.status(), "table \"nums\", chunk 0"));
  CHECK(Has(reader.status(), "table \"text\", chunk 1"));
  CHECK(Has(reader.status(), "share pool pages"));
  auto check = Store::Check(path, true);
  CHECK_FALSE(check.healthy());
}

TEST_CASE("A chunk listed over the catalog's own pages is refused", "[store]") {
  TempDir dir;
  const std::string path = dir.file("p");
  MakePool(path);
  PoolFile f(path);
  const pmem::MetaSlot m = f.Meta(f.slot());
  CatalogState cat = f.Catalog();
  cat.tables.at("nums").chunks[0].offset = m.root_offset;
  cat.tables.at("nums").chunks[0].checksummed = false;
  f.SetRoot(EncodeCatalog(cat));
  f.Save();
  StoreOptions ro;
  ro.read_only = true;
  auto reader = Store::Open(path, ro);
  REQUIRE_FALSE(reader.ok());
  INFO(reader.status().message());
  CHECK(Has(reader.status(), "the catalog [" + std::to_string(m.root_offset)));
}
