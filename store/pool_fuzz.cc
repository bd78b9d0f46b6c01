// libFuzzer target for the pool opener and everything that reads a pool
// file: superblock, meta slots, inline and out-of-line free lists, the
// catalog, chunk bytes. A real pool is large, so the input is not a file but
// a list of edits applied to a private copy of one of three small valid
// pools built once per process (in a temporary directory under /dev/shm):
//   0: tables "a" (4 chunks: int64, utf8, dictionary, float64, bool,
//      timestamp, date32 columns) and "b" (1 chunk), a dropped table's
//      extents on the free list; chunks and catalog with checksums;
//   1: the same written without checksums (as pools were before them), so
//      edited chunk bytes reach the chunk validator rather than a checksum;
//   2: an empty catalog and a free list of 200 runs, long enough to live
//      out of line in its own checksummed extent.
// Each copy is opened read-only and as the writer; every table is listed,
// every chunk's columns read through TableView::ReadChunk and walked
// (statistics; on the read-only pass also NDJSON text and two queries per
// table), the deep check
// (Store::Check, as `quiver check --deep`) runs, and the writer commits:
// a new table, a drop and a compaction, after which a snapshot taken before
// them is read again. Everything must end in a clean Status: no crash, no
// sanitizer report, no hang.
//
// Input: byte 0 picks the pool (mod 3); byte 1 holds flags (bit 0: reseal,
// i.e. recompute every CRC-32 and the catalog's XXH3 after the edits, so
// that edits get past the checksums to the structure checks behind them).
// Then operations, each one kind byte (mod 5) and its arguments:
//   0 bytes:   region, offset (u16), n (mod 16, plus 1), n bytes written at
//              region start + offset mod region size. Regions (mod 7):
//              superblock, meta page 0, meta page 1, catalog blob, free list
//              (out of line, or the current slot's inline entries), chunk
//              (region / 7 picks which), the whole file;
//   1 catalog: table, chunk, field, selector, u64 value. Field (mod 8):
//              chunk offset, length, rows, created txn, drop its checksums,
//              swap two columns' statistics, copy the chunk's entry into
//              another table, swap two tables' schemas. The catalog is
//              encoded again in place (resealed) after all such edits;
//   2 meta:    slot (mod 3: 0, 1, current), field (mod 11: the eight u64
//              fields from magic to freelist_length, commit time, inline
//              count, inline CRC), selector, u64 value;
//   3 free:    entry, field (mod 3: offset, length, freed txn), selector,
//              u64 value, on the current slot's free list;
//   4 size:    u32: the file is cut to that many bytes (mod its size).
// A selector (mod 4) makes the value: the u64 itself; the offset of a chunk
// of the base pool (value mod chunks); the root blob's offset plus the low
// 16 bits; the field's current value plus a signed 16-bit delta.
// Built only with -DQUIVER_FUZZ=ON and clang (store/CMakeLists.txt);
// tests/columnar/run_fuzz.sh runs it in CI:
//   build-fuzz/store/pool_fuzz tests/store/pool_fuzz_corpus
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "columnar/stats.h"
#include "columnar/text_format.h"
#include "pmem/layout.h"
#include "pmem/pool.h"
#include "store/catalog_internal.h"
#include "store/checksum_internal.h"
#include "store/exec.h"
#include "store/store.h"

namespace {

using quiver::DataType;
using quiver::Schema;
using quiver::TypeId;
namespace pm = quiver::pmem;
namespace st = quiver::store;

constexpr uint64_t kCapacity = 1ull << 20;

[[noreturn]] void Die(const char* what, const quiver::Status& s) {
  std::fprintf(stderr, "pool_fuzz setup: %s: %s\n", what, s.ToString().c_str());
  std::abort();
}

struct BasePool {
  std::vector<uint8_t> image;  // the file's bytes up to the high-water mark
  uint64_t file_size = 0;
  bool checksums = true;
  st::CatalogState catalog;
  std::vector<pm::Extent> chunks;  // every chunk of every table
};

std::string& Dir() {
  static std::string dir;
  return dir;
}

std::shared_ptr<const Schema> SchemaA() {
  std::vector<quiver::Field> f = {
      {"id", DataType(TypeId::kInt64), false, {}},
      {"name", DataType(TypeId::kUtf8), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt8), true, {}},
      {"score", DataType(TypeId::kFloat64), true, {}},
      {"flag", DataType(TypeId::kBool), true, {}},
      {"ts", DataType::Timestamp(quiver::TimeUnit::kMicro), true, {}},
      {"day", DataType(TypeId::kDate32), true, {}},
  };
  return std::make_shared<const Schema>(std::move(f));
}

std::shared_ptr<const Schema> SchemaB() {
  std::vector<quiver::Field> f = {
      {"k", DataType(TypeId::kInt32), true, {}},
      {"v", DataType(TypeId::kUtf8), true, {}},
  };
  return std::make_shared<const Schema>(std::move(f));
}

quiver::RecordBatch BatchA(int rows, int seed) {
  quiver::RecordBatchBuilder b(SchemaA());
  const char* cities[] = {"Oslo", "Lima", "", "Pune"};
  for (int i = 0; i < rows; ++i) {
    int v = seed + i;
    b.column(0).AppendInt(v * 1000003LL);
    if (v % 5 == 0)
      b.column(1).AppendNull();
    else
      b.column(1).AppendString(std::string(v % 9, 'x'));
    if (v % 7 == 0)
      b.column(2).AppendNull();
    else
      b.column(2).AppendString(cities[v % 4]);
    b.column(3).AppendDouble(v * 0.5 - 3);
    b.column(4).AppendBool(v % 3 == 0);
    b.column(5).AppendInt(int64_t(v) * 86'400'000'000LL);
    if (v % 4 == 1)
      b.column(6).AppendNull();
    else
      b.column(6).AppendInt(19000 + v);
  }
  auto batch = b.Finish();
  if (!batch.ok()) Die("batch a", batch.status());
  return *batch;
}

quiver::RecordBatch BatchB(int rows) {
  quiver::RecordBatchBuilder b(SchemaB());
  for (int i = 0; i < rows; ++i) {
    b.column(0).AppendInt(i - 2);
    b.column(1).AppendString(i % 2 ? "odd" : "even row");
  }
  auto batch = b.Finish();
  if (!batch.ok()) Die("batch b", batch.status());
  return *batch;
}

void Check(const quiver::Status& s, const char* what) {
  if (!s.ok()) Die(what, s);
}

// Reads the file into a BasePool (up to the current high-water mark) and
// decodes its catalog.
BasePool Capture(const std::string& path, bool checksums) {
  BasePool b;
  b.checksums = checksums;
  st::StoreOptions o;
  o.read_only = true;
  auto store = st::Store::Open(path, o);
  if (!store.ok()) Die("reopen", store.status());
  auto snap = (*store)->GetSnapshot();
  if (!snap.ok()) Die("snapshot", snap.status());
  const pm::Snapshot& pin = (*snap)->pool_snapshot();
  uint64_t hw = (*store)->pool().Info().high_water;
  b.file_size = (*store)->pool().Info().file_bytes;
  b.image.assign(pin.base(), pin.base() + hw);
  auto cat =
      st::DecodeCatalog(b.image.data() + pin.root().offset, pin.root().length, pin.root().offset);
  if (!cat.ok()) Die("catalog", cat.status());
  b.catalog = std::move(*cat);
  for (const auto& [name, t] : b.catalog.tables) {
    for (const auto& c : t.chunks) b.chunks.push_back({c.offset, c.length});
  }
  return b;
}

BasePool MakeTablesPool(const std::string& path, bool checksums) {
  st::StoreOptions o;
  o.max_chunk_rows = 8;
  o.auto_grow_step = 0;
  o.checksums = checksums;
  auto s = st::Store::Create(path, kCapacity, o);
  if (!s.ok()) Die("create", s.status());
  st::Store& store = **s;
  Check(store.CreateTable("a", *SchemaA()), "create a");
  Check(store.Write("a", {BatchA(20, 0)}).status(), "write a");
  Check(store.CreateTable("gone", *SchemaB()), "create gone");
  Check(store.Write("gone", {BatchB(3)}).status(), "write gone");
  Check(store.Write("a", {BatchA(5, 40)}).status(), "append a");
  Check(store.CreateTable("b", *SchemaB()), "create b");
  Check(store.Write("b", {BatchB(6)}).status(), "write b");
  Check(store.DropTable("gone"), "drop gone");
  s->reset();
  return Capture(path, checksums);
}

// A pool whose free list (200 runs freed by one txn, none adjacent) does
// not fit inline in its meta slot.
BasePool MakeLongFreeListPool(const std::string& path) {
  auto pool = pm::Pool::Create(path, 2 * kCapacity);
  if (!pool.ok()) Die("create 2", pool.status());
  const std::string cat = st::EncodeCatalog(st::CatalogState{});
  std::vector<pm::Extent> pages;
  {
    auto txn = (*pool)->Begin();
    if (!txn.ok()) Die("begin", txn.status());
    auto root = (*txn)->Allocate(cat.size());
    if (!root.ok()) Die("alloc root", root.status());
    std::memcpy((*txn)->Data(*root), cat.data(), cat.size());
    for (int i = 0; i < 400; ++i) {  // 400 pages: the pool is 512
      auto e = (*txn)->Allocate(1);
      if (!e.ok()) Die("alloc", e.status());
      pages.push_back(*e);
    }
    Check((*txn)->Commit({root->offset, cat.size()}), "commit 1");
  }
  {
    auto txn = (*pool)->Begin();
    if (!txn.ok()) Die("begin", txn.status());
    for (size_t i = 0; i < pages.size(); i += 2) Check((*txn)->Free(pages[i]), "free");
    Check((*txn)->Commit((*txn)->base_root()), "commit 2");
  }
  pool->reset();
  return Capture(path, true);
}

const std::vector<BasePool>& Bases() {
  static const std::vector<BasePool>* bases = [] {
    char dir[] = "/dev/shm/quiver-pool-fuzz-XXXXXX";
    if (mkdtemp(dir) == nullptr) std::abort();
    Dir() = dir;
    auto* v = new std::vector<BasePool>();
    v->push_back(MakeTablesPool(Dir() + "/base0.pool", true));
    v->push_back(MakeTablesPool(Dir() + "/base1.pool", false));
    v->push_back(MakeLongFreeListPool(Dir() + "/base2.pool"));
    std::atexit([] { std::system(("rm -rf " + Dir()).c_str()); });
    return v;
  }();
  return *bases;
}

// ---------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------

class Input {
 public:
  Input(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  bool done() const { return i_ >= n_; }
  uint8_t U8() { return i_ < n_ ? p_[i_++] : 0; }
  uint64_t Le(int bytes) {
    uint64_t v = 0;
    for (int k = 0; k < bytes; ++k) v |= uint64_t(U8()) << (8 * k);
    return v;
  }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t i_ = 0;
};

struct Op {
  uint8_t kind = 0, a = 0, b = 0, c = 0, sel = 0;
  uint64_t value = 0;
  std::vector<uint8_t> bytes;
};

std::vector<Op> ParseOps(Input& in) {
  std::vector<Op> ops;
  while (!in.done() && ops.size() < 64) {
    Op op;
    op.kind = in.U8() % 5;
    switch (op.kind) {
      case 0: {
        op.a = in.U8();
        op.value = in.Le(2);
        int n = in.U8() % 16 + 1;
        for (int k = 0; k < n; ++k) op.bytes.push_back(in.U8());
        break;
      }
      case 1:
        op.a = in.U8();
        op.b = in.U8();
        op.c = in.U8();
        op.sel = in.U8();
        op.value = in.Le(8);
        break;
      case 2:
      case 3:
        op.a = in.U8();
        op.b = in.U8();
        op.sel = in.U8();
        op.value = in.Le(8);
        break;
      default:
        op.value = in.Le(4);
        break;
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

// ---------------------------------------------------------------------------
// The image being edited
// ---------------------------------------------------------------------------

struct Image {
  const BasePool* base;
  std::vector<uint8_t> bytes;
  uint64_t file_size;

  bool In(uint64_t off, uint64_t len) const {
    return off <= bytes.size() && len <= bytes.size() - off;
  }
  pm::MetaSlot Meta(int slot) const {
    pm::MetaSlot m;
    std::memcpy(&m, bytes.data() + pm::kMetaOffset[slot], sizeof m);
    return m;
  }
  void SetMeta(int slot, const pm::MetaSlot& m) {
    std::memcpy(bytes.data() + pm::kMetaOffset[slot], &m, sizeof m);
  }
  // The slot the pool will most likely pick: right magic, highest txn.
  int Current() const {
    pm::MetaSlot m0 = Meta(0), m1 = Meta(1);
    bool ok0 = m0.magic == pm::kMetaMagic, ok1 = m1.magic == pm::kMetaMagic;
    if (ok0 && ok1) return m1.txn_id > m0.txn_id ? 1 : 0;
    return ok1 ? 1 : 0;
  }
};

uint64_t Crc(const uint8_t* p, uint64_t n) { return crc32(0L, p, uInt(n)); }

uint64_t Value(const Op& op, const Image& img, uint64_t current) {
  const BasePool& b = *img.base;
  switch (op.sel % 4) {
    case 0:
      return op.value;
    case 1:
      return b.chunks.empty() ? op.value : b.chunks[op.value % b.chunks.size()].offset;
    case 2:
      return img.Meta(img.Current()).root_offset + (op.value & 0xffff);
    default:
      return current + uint64_t(int64_t(int16_t(op.value & 0xffff)));
  }
}

// Applies the catalog operations to a copy of the base catalog and writes
// it back in place of the root blob, when it still fits its extent.
void ApplyCatalogOps(const std::vector<Op>& ops, Image& img) {
  st::CatalogState cat = img.base->catalog;
  bool dirty = false;
  for (const Op& op : ops) {
    if (op.kind != 1 || cat.tables.empty()) continue;
    auto t = std::next(cat.tables.begin(), op.a % cat.tables.size());
    auto t2 = std::next(cat.tables.begin(), op.c % cat.tables.size());
    int field = op.b % 8;
    if (field == 7) {
      std::swap(t->second.schema_fb, t2->second.schema_fb);
      std::swap(t->second.schema, t2->second.schema);
      dirty = true;
      continue;
    }
    if (t->second.chunks.empty()) continue;
    st::ChunkInfo& ci = t->second.chunks[(op.b / 8) % t->second.chunks.size()];
    switch (field) {
      case 0:
        ci.offset = Value(op, img, ci.offset);
        break;
      case 1:
        ci.length = Value(op, img, ci.length);
        break;
      case 2:
        ci.rows = int64_t(Value(op, img, uint64_t(ci.rows)));
        break;
      case 3:
        ci.created_txn = Value(op, img, ci.created_txn);
        break;
      case 4:
        ci.checksummed = false;
        ci.checksums.clear();
        break;
      case 5:
        if (!ci.stats.empty()) {
          std::swap(ci.stats[op.value % ci.stats.size()],
                    ci.stats[(op.value >> 8) % ci.stats.size()]);
        }
        break;
      default:
        t2->second.chunks.push_back(ci);
        break;
    }
    dirty = true;
  }
  if (!dirty) return;
  const int slot = img.Current();
  pm::MetaSlot m = img.Meta(slot);
  std::string blob = st::EncodeCatalog(cat, img.base->checksums);
  uint64_t room = (m.root_length + pm::kPageSize - 1) / pm::kPageSize * pm::kPageSize;
  if (blob.size() > room || !img.In(m.root_offset, blob.size())) return;
  std::memcpy(img.bytes.data() + m.root_offset, blob.data(), blob.size());
  m.root_length = blob.size();
  m.checksum =
      uint32_t(Crc(reinterpret_cast<const uint8_t*>(&m), offsetof(pm::MetaSlot, checksum)));
  img.SetMeta(slot, m);
}

// [offset, length) of byte region `r` in the image (length 0: none).
pm::Extent Region(const Image& img, uint8_t r) {
  const int slot = img.Current();
  const pm::MetaSlot m = img.Meta(slot);
  switch (r % 7) {
    case 0:
      return {0, sizeof(pm::Superblock)};
    case 1:
      return {pm::kMetaOffset[0], pm::kPageSize};
    case 2:
      return {pm::kMetaOffset[1], pm::kPageSize};
    case 3:
      return {m.root_offset, m.root_length};
    case 4:
      if (m.freelist_length != 0) return {m.freelist_offset, m.freelist_length};
      return {pm::kMetaOffset[slot] + sizeof(pm::MetaSlot),
              uint64_t(m.inline_free_count % (pm::kInlineFreeEntries + 1)) * sizeof(pm::FreeEntry)};
    case 5: {
      const auto& chunks = img.base->chunks;
      if (chunks.empty()) return {};
      return chunks[(r / 7) % chunks.size()];
    }
    default:
      return {0, img.bytes.size()};
  }
}

void ApplyByteOp(const Op& op, Image& img) {
  pm::Extent r = Region(img, op.a);
  if (r.length == 0 || !img.In(r.offset, r.length)) return;
  uint64_t at = r.offset + op.value % r.length;
  for (uint8_t byte : op.bytes) {
    if (at >= r.end()) break;
    img.bytes[at++] = byte;
  }
}

void ApplyMetaOp(const Op& op, Image& img) {
  int slot = op.a % 3 == 2 ? img.Current() : op.a % 3;
  pm::MetaSlot m = img.Meta(slot);
  int field = op.b % 11;
  if (field < 9) {
    uint64_t v;
    std::memcpy(&v, reinterpret_cast<uint8_t*>(&m) + 8 * field, 8);
    v = Value(op, img, v);
    std::memcpy(reinterpret_cast<uint8_t*>(&m) + 8 * field, &v, 8);
  } else if (field == 9) {
    m.inline_free_count = uint32_t(Value(op, img, m.inline_free_count));
  } else {
    m.inline_free_crc = uint32_t(Value(op, img, m.inline_free_crc));
  }
  img.SetMeta(slot, m);
}

// The current slot's free entries as a byte range of the image.
pm::Extent FreeEntries(const Image& img) {
  const int slot = img.Current();
  const pm::MetaSlot m = img.Meta(slot);
  if (m.freelist_length != 0) {
    if (!img.In(m.freelist_offset, sizeof(pm::FreeListHeader))) return {};
    pm::FreeListHeader h;
    std::memcpy(&h, img.bytes.data() + m.freelist_offset, sizeof h);
    uint64_t room = (m.freelist_length - sizeof h) / sizeof(pm::FreeEntry);
    uint64_t n = std::min<uint64_t>(h.count, room);
    return {m.freelist_offset + sizeof h, n * sizeof(pm::FreeEntry)};
  }
  uint64_t n = std::min<uint64_t>(m.inline_free_count, pm::kInlineFreeEntries);
  return {pm::kMetaOffset[slot] + sizeof(pm::MetaSlot), n * sizeof(pm::FreeEntry)};
}

void ApplyFreeOp(const Op& op, Image& img) {
  pm::Extent r = FreeEntries(img);
  uint64_t n = r.length / sizeof(pm::FreeEntry);
  if (n == 0 || !img.In(r.offset, r.length)) return;
  uint64_t at = r.offset + (op.a % n) * sizeof(pm::FreeEntry) + 8 * (op.b % 3);
  uint64_t v;
  std::memcpy(&v, img.bytes.data() + at, 8);
  v = Value(op, img, v);
  std::memcpy(img.bytes.data() + at, &v, 8);
}

// Recomputes every checksum the edits may have broken, innermost first:
// the catalog's XXH3, the free lists' CRCs, the meta slots', the superblock's.
void Reseal(Image& img) {
  pm::MetaSlot cur = img.Meta(img.Current());
  if (cur.root_length >= st::kCatalogHeaderSize && img.In(cur.root_offset, cur.root_length) &&
      std::memcmp(img.bytes.data() + cur.root_offset, "QVK1", 4) == 0) {
    uint8_t* blob = img.bytes.data() + cur.root_offset;
    uint64_t sum =
        st::Checksum(blob + st::kCatalogHeaderSize, cur.root_length - st::kCatalogHeaderSize);
    std::memcpy(blob + 8, &sum, 8);
  }
  for (int slot = 0; slot < 2; ++slot) {
    pm::MetaSlot m = img.Meta(slot);
    if (m.magic != pm::kMetaMagic) continue;
    if (m.freelist_length >= sizeof(pm::FreeListHeader) &&
        img.In(m.freelist_offset, m.freelist_length)) {
      pm::FreeListHeader h;
      std::memcpy(&h, img.bytes.data() + m.freelist_offset, sizeof h);
      uint64_t room = (m.freelist_length - sizeof h) / sizeof(pm::FreeEntry);
      if (h.count <= room) {
        h.checksum = uint32_t(
            Crc(img.bytes.data() + m.freelist_offset + sizeof h, h.count * sizeof(pm::FreeEntry)));
        std::memcpy(img.bytes.data() + m.freelist_offset, &h, sizeof h);
      }
    }
    if (m.inline_free_count != 0 && m.inline_free_count <= pm::kInlineFreeEntries) {
      m.inline_free_crc = uint32_t(Crc(img.bytes.data() + pm::kMetaOffset[slot] + sizeof m,
                                       m.inline_free_count * sizeof(pm::FreeEntry)));
    }
    m.checksum =
        uint32_t(Crc(reinterpret_cast<const uint8_t*>(&m), offsetof(pm::MetaSlot, checksum)));
    img.SetMeta(slot, m);
  }
  pm::Superblock sb;
  std::memcpy(&sb, img.bytes.data(), sizeof sb);
  sb.checksum =
      uint32_t(Crc(reinterpret_cast<const uint8_t*>(&sb), offsetof(pm::Superblock, checksum)));
  std::memcpy(img.bytes.data(), &sb, sizeof sb);
}

std::string WriteImage(const Image& img) {
  const std::string path = Dir() + "/edited.pool";
  unlink(path.c_str());
  unlink((path + ".lock").c_str());
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) std::abort();
  uint64_t n = std::min<uint64_t>(img.bytes.size(), img.file_size);
  if (ftruncate(fd, off_t(img.file_size)) != 0 ||
      pwrite(fd, img.bytes.data(), n, 0) != ssize_t(n)) {
    std::abort();
  }
  close(fd);
  return path;
}

// ---------------------------------------------------------------------------
// Reading and writing the edited pool
// ---------------------------------------------------------------------------

// Reads every chunk of every table and walks the values (statistics);
// `full` also prints them as NDJSON and runs two queries per table (whose
// planner prunes chunks by the catalog's statistics). Only the first read
// of a pool is full: the queries take a third of an input's time.
void ReadAll(const std::shared_ptr<const st::Snapshot>& snap, bool full) {
  for (const st::TableView& t : snap->tables()) {
    for (size_t i = 0; i < t.num_chunks(); ++i) {
      auto bytes = t.ChunkBytes(i);
      auto batch = t.ReadChunk(i);
      if (!batch.ok()) continue;
      (void)quiver::ComputeBatchStats(*batch);
      if (!full) continue;
      auto w = quiver::ResultWriter::Make(quiver::ResultFormat::kNdjson,
                                          [](std::string_view) { return quiver::Status::OK(); });
      if (w->Begin(*batch->schema).ok() && w->Write(*batch).ok()) w->End({}).IgnoreError();
    }
    if (!full || t.schema()->num_fields() == 0) continue;
    const std::string col = "\"" + t.schema()->field(0).name + "\"";
    const std::string from = " FROM \"" + t.name() + "\"";
    st::QueryOptions qo;
    qo.threads = 1;
    st::ExecuteSql(snap, "SELECT count(*)" + from + " WHERE " + col + " IS NOT NULL", qo)
        .status()
        .IgnoreError();
    st::ExecuteSql(snap, "SELECT *" + from + " ORDER BY " + col + " LIMIT 3", qo)
        .status()
        .IgnoreError();
  }
}

void Exercise(const std::string& path, bool writer) {
  st::StoreOptions o;
  o.read_only = !writer;
  o.auto_grow_step = 1ull << 20;
  auto store = st::Store::Open(path, o);
  if (!store.ok()) return;
  (void)(*store)->pool().Info();
  auto before = (*store)->GetSnapshot();
  if (!before.ok()) return;
  ReadAll(*before, /*full=*/!writer);
  if (!writer) return;
  st::Store& s = **store;
  st::WriteOptions wo;
  wo.create_schema = SchemaB();
  s.Write("fuzz_added", {BatchB(3)}, wo).status().IgnoreError();
  if (!(*before)->tables().empty()) s.DropTable((*before)->tables()[0].name()).IgnoreError();
  s.Compact("", 64).status().IgnoreError();
  // The snapshot from before the commits must read the same bytes still.
  ReadAll(*before, false);
  auto after = s.GetSnapshot();
  if (after.ok()) ReadAll(*after, false);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& bases = Bases();
  Input in(data, size);
  Image img;
  img.base = &bases[in.U8() % bases.size()];
  img.bytes = img.base->image;
  img.file_size = img.base->file_size;
  const uint8_t flags = in.U8();
  std::vector<Op> ops = ParseOps(in);
  ApplyCatalogOps(ops, img);
  for (const Op& op : ops) {
    switch (op.kind) {
      case 0:
        ApplyByteOp(op, img);
        break;
      case 2:
        ApplyMetaOp(op, img);
        break;
      case 3:
        ApplyFreeOp(op, img);
        break;
      case 4:
        img.file_size = op.value % (img.file_size + 1);
        break;
      default:
        break;
    }
  }
  if (flags & 1) Reseal(img);
  const std::string path = WriteImage(img);
  Exercise(path, /*writer=*/false);
  st::Store::Check(path, /*deep=*/true);
  Exercise(path, /*writer=*/true);
  return 0;
}
