#include "store/store.h"

#include <flatbuffers/flatbuffers.h>
#include <time.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <unordered_map>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "columnar/schema.h"
#include "store/fbs/catalog_generated.h"

namespace quiver::store {

namespace {

uint64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// The mutable form of one table while a transaction changes the catalog.
struct TableState {
  uint64_t id = 0;
  std::string name;
  std::string schema_fb;  // Arrow Schema flatbuffer
  std::shared_ptr<const Schema> schema;
  std::vector<ChunkInfo> chunks;
  uint64_t created_ns = 0, modified_ns = 0, created_txn = 0, modified_txn = 0;
  int64_t rows() const {
    int64_t n = 0;
    for (const auto& c : chunks) n += c.rows;
    return n;
  }
};

struct CatalogState {
  uint64_t next_table_id = 1;
  std::map<std::string, TableState> tables;  // by name
};

std::string TableList(const CatalogState& c) {
  if (c.tables.empty()) return "the pool has no tables";
  std::string s = "tables:";
  for (const auto& [name, t] : c.tables) s += " " + name + (&t == &c.tables.rbegin()->second ? "" : ",");
  return s;
}

Result<CatalogState> DecodeCatalog(const uint8_t* data, uint64_t length) {
  CatalogState c;
  if (length == 0) return c;
  flatbuffers::Verifier verifier(data, size_t(length));
  if (!fb::CatalogBufferHasIdentifier(data) || !fb::VerifyCatalogBuffer(verifier)) {
    return Status::Corruption("the catalog (" + std::to_string(length) +
                              " bytes) fails flatbuffer verification");
  }
  const fb::Catalog* cat = fb::GetCatalog(data);
  if (cat->format_version() != 1) {
    return Status::NotSupported("catalog format version " + std::to_string(cat->format_version()) +
                                " is not supported (this build reads 1)");
  }
  c.next_table_id = cat->next_table_id();
  if (cat->tables() == nullptr) return c;
  for (const fb::TableEntry* t : *cat->tables()) {
    TableState s;
    s.id = t->id();
    s.name = t->name()->str();
    s.schema_fb.assign(reinterpret_cast<const char*>(t->schema()->data()), t->schema()->size());
    auto schema = SchemaFromFlatbuffer(reinterpret_cast<const uint8_t*>(s.schema_fb.data()),
                                       int64_t(s.schema_fb.size()));
    if (!schema.ok()) return schema.status().WithContext("catalog, table \"" + s.name + "\"");
    s.schema = *schema;
    s.created_ns = t->created_ns();
    s.modified_ns = t->modified_ns();
    s.created_txn = t->created_txn();
    s.modified_txn = t->modified_txn();
    if (t->chunks() != nullptr) {
      for (const fb::Chunk* ch : *t->chunks()) {
        ChunkInfo ci;
        ci.offset = ch->offset();
        ci.length = ch->length();
        ci.rows = ch->rows();
        ci.created_txn = ch->created_txn();
        if (ci.rows < 0) {
          return Status::Corruption("catalog, table \"" + s.name + "\": chunk at offset " +
                                    std::to_string(ci.offset) + " has a negative row count");
        }
        if (ch->stats() != nullptr) {
          for (const fb::ColumnStatsBytes* sb : *ch->stats()) {
            std::string_view bytes;
            if (sb->bytes() != nullptr) {
              bytes = {reinterpret_cast<const char*>(sb->bytes()->data()), sb->bytes()->size()};
            }
            auto st = ColumnStats::Deserialize(bytes);
            if (!st.ok()) {
              return st.status().WithContext("catalog, table \"" + s.name +
                                             "\", statistics of the chunk at offset " +
                                             std::to_string(ci.offset));
            }
            ci.stats.push_back(std::move(*st));
          }
        }
        if (ci.stats.size() != s.schema->num_fields()) {
          return Status::Corruption("catalog, table \"" + s.name + "\": chunk at offset " +
                                    std::to_string(ci.offset) + " has statistics for " +
                                    std::to_string(ci.stats.size()) + " columns, the schema has " +
                                    std::to_string(s.schema->num_fields()));
        }
        s.chunks.push_back(std::move(ci));
      }
    }
    std::string name = s.name;
    c.tables.emplace(std::move(name), std::move(s));
  }
  return c;
}

std::string EncodeCatalog(const CatalogState& c) {
  flatbuffers::FlatBufferBuilder b(4096);
  std::vector<flatbuffers::Offset<fb::TableEntry>> tables;
  for (const auto& [name, t] : c.tables) {
    std::vector<flatbuffers::Offset<fb::Chunk>> chunks;
    for (const ChunkInfo& ci : t.chunks) {
      std::vector<flatbuffers::Offset<fb::ColumnStatsBytes>> stats;
      for (const ColumnStats& st : ci.stats) {
        std::string bytes = st.Serialize();
        stats.push_back(fb::CreateColumnStatsBytes(
            b, b.CreateVector(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
      }
      chunks.push_back(fb::CreateChunk(b, ci.offset, ci.length, ci.rows, ci.created_txn,
                                       b.CreateVector(stats)));
    }
    auto name_off = b.CreateString(name);
    auto schema_off = b.CreateVector(reinterpret_cast<const uint8_t*>(t.schema_fb.data()),
                                     t.schema_fb.size());
    auto chunks_off = b.CreateVector(chunks);
    tables.push_back(fb::CreateTableEntry(b, t.id, name_off, schema_off, chunks_off, t.rows(),
                                     t.created_ns, t.modified_ns, t.created_txn, t.modified_txn));
  }
  auto cat = fb::CreateCatalog(b, 1, c.next_table_id, b.CreateVector(tables));
  fb::FinishCatalogBuffer(b, cat);
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

// Writes the catalog into a new extent of `txn`, frees the old one, commits.
Result<uint64_t> CommitCatalog(pmem::Transaction& txn, const CatalogState& c,
                               pmem::Durability durability) {
  std::string bytes = EncodeCatalog(c);
  QUIVER_ASSIGN_OR_RETURN(pmem::Extent e, txn.Allocate(bytes.size()));
  std::memcpy(txn.Data(e), bytes.data(), bytes.size());
  pmem::Extent old = txn.base_root();
  if (!old.empty()) QUIVER_RETURN_NOT_OK(txn.Free(old));
  uint64_t id = txn.txn_id();
  QUIVER_RETURN_NOT_OK(txn.Commit({e.offset, bytes.size()}, durability));
  return id;
}

Result<CatalogState> LoadCatalog(const pmem::Transaction& txn) {
  pmem::Extent root = txn.base_root();
  if (root.empty()) return CatalogState{};
  QUIVER_ASSIGN_OR_RETURN(const uint8_t* p, txn.Read(root.offset, root.length));
  return DecodeCatalog(p, root.length);
}

bool SameLayout(const Schema& a, const Schema& b) {
  if (a.num_fields() != b.num_fields()) return false;
  for (size_t i = 0; i < a.num_fields(); ++i) {
    if (a.field(i).name != b.field(i).name || !(a.field(i).type == b.field(i).type)) return false;
  }
  return true;
}

std::string SchemaText(const Schema& s) { return SchemaToDatashape(s); }

// Re-points a validated batch's pool-backed buffers at a new owner (a newer
// snapshot's pin) without validating again. Buffers outside the mapping
// (copied by the reader) keep their own ownership.
std::shared_ptr<ArrayData> Rebind(const std::shared_ptr<ArrayData>& in, const uint8_t* lo,
                                  const uint8_t* hi, const std::shared_ptr<const void>& owner) {
  auto out = std::make_shared<ArrayData>(*in);
  for (auto& b : out->buffers) {
    if (b && b->data() >= lo && b->data() < hi) b = Buffer::Wrap(b->data(), b->size(), owner);
  }
  if (in->dictionary) out->dictionary = Rebind(in->dictionary, lo, hi, owner);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------

// A validated chunk, opened lazily; shared between snapshots in which the
// chunk is unchanged.
struct ChunkSlot {
  std::mutex mu;
  bool opened = false;
  RecordBatch batch;
};

class SnapshotData : public Snapshot {
 public:
  uint64_t txn() const override { return pin_.txn_id(); }
  const std::vector<TableView>& tables() const override { return tables_; }
  Result<const TableView*> table(const std::string& name) const override {
    auto it = std::lower_bound(tables_.begin(), tables_.end(), name,
                               [](const TableView& t, const std::string& n) { return t.name() < n; });
    if (it != tables_.end() && it->name() == name) return &*it;
    std::string list;
    for (const auto& t : tables_) list += (list.empty() ? "" : ", ") + t.name();
    return Status::NotFound("unknown table \"" + name + "\"; " +
                            (list.empty() ? std::string("the pool has no tables")
                                          : "tables: " + list));
  }
  const pmem::Snapshot& pool_snapshot() const override { return pin_; }

  static Result<std::shared_ptr<SnapshotData>> Make(pmem::Snapshot pin,
                                                    const SnapshotData* previous) {
    auto s = std::shared_ptr<SnapshotData>(new SnapshotData(std::move(pin)));
    const pmem::Extent root = s->pin_.root();
    CatalogState cat;
    if (!root.empty()) {
      QUIVER_ASSIGN_OR_RETURN(const uint8_t* p, s->pin_.Read(root.offset, root.length));
      QUIVER_ASSIGN_OR_RETURN(cat, DecodeCatalog(p, root.length));
    }
    // Chunks validated by the previous snapshot (still pinned here, so an
    // equal offset is the same chunk) are carried over.
    std::unordered_map<uint64_t, ChunkSlot*> carried;
    bool same_mapping = previous != nullptr && previous->pin_.base() == s->pin_.base();
    if (same_mapping) {
      for (const auto& t : previous->tables_) {
        for (size_t i = 0; i < t.chunks_.size(); ++i) {
          carried[t.chunks_[i].offset] = previous->slots_[t.first_cache_slot_ + i].get();
        }
      }
    }
    const uint8_t* lo = s->pin_.base();
    const uint8_t* hi = lo + s->pin_.mapped_size();
    std::shared_ptr<const void> owner = s->pin_.keep_alive();
    for (auto& [name, t] : cat.tables) {
      TableView v;
      v.snap_ = s.get();
      v.name_ = t.name;
      v.id_ = t.id;
      v.schema_ = t.schema;
      v.rows_ = t.rows();
      v.created_ns_ = t.created_ns;
      v.modified_ns_ = t.modified_ns;
      v.created_txn_ = t.created_txn;
      v.modified_txn_ = t.modified_txn;
      v.first_cache_slot_ = s->slots_.size();
      for (const ChunkInfo& ci : t.chunks) {
        auto slot = std::make_unique<ChunkSlot>();
        auto it = carried.find(ci.offset);
        if (it != carried.end()) {
          std::lock_guard<std::mutex> g(it->second->mu);
          if (it->second->opened) {
            slot->opened = true;
            slot->batch = it->second->batch;
            for (auto& col : slot->batch.columns) col = Rebind(col, lo, hi, owner);
          }
        }
        s->slots_.push_back(std::move(slot));
      }
      v.chunks_ = std::move(t.chunks);
      s->tables_.push_back(std::move(v));
    }
    return s;
  }

  Result<RecordBatch> Read(const TableView& t, size_t i) const {
    if (i >= t.chunks_.size()) {
      return Status::Invalid("table \"" + t.name_ + "\" has no chunk " + std::to_string(i));
    }
    ChunkSlot& slot = *slots_[t.first_cache_slot_ + i];
    std::lock_guard<std::mutex> g(slot.mu);
    if (!slot.opened) {
      const ChunkInfo& ci = t.chunks_[i];
      QUIVER_ASSIGN_OR_RETURN(const uint8_t* p, pin_.Read(ci.offset, ci.length));
      auto batch = OpenChunk(t.schema_, p, int64_t(ci.length), pin_.keep_alive());
      if (!batch.ok()) {
        return batch.status().WithContext("table \"" + t.name_ + "\", chunk " + std::to_string(i) +
                                          " at pool offset " + std::to_string(ci.offset));
      }
      if (batch->num_rows != ci.rows) {
        return Status::Corruption("table \"" + t.name_ + "\", chunk " + std::to_string(i) +
                                  " at pool offset " + std::to_string(ci.offset) + " holds " +
                                  std::to_string(batch->num_rows) + " rows, the catalog says " +
                                  std::to_string(ci.rows));
      }
      slot.batch = std::move(*batch);
      slot.opened = true;
    }
    return slot.batch;
  }

 private:
  explicit SnapshotData(pmem::Snapshot pin) : pin_(std::move(pin)) {}
  pmem::Snapshot pin_;
  std::vector<TableView> tables_;  // sorted by name
  std::vector<std::unique_ptr<ChunkSlot>> slots_;
};

uint64_t TableView::bytes() const {
  uint64_t n = 0;
  for (const auto& c : chunks_) n += c.length;
  return n;
}

Result<RecordBatch> TableView::ReadChunk(size_t i) const { return snap_->Read(*this, i); }

Result<std::pair<const uint8_t*, uint64_t>> TableView::ChunkBytes(size_t i) const {
  if (i >= chunks_.size()) {
    return Status::Invalid("table \"" + name_ + "\" has no chunk " + std::to_string(i));
  }
  // Validate once (cached) before handing raw bytes out.
  QUIVER_RETURN_NOT_OK(ReadChunk(i));
  QUIVER_ASSIGN_OR_RETURN(const uint8_t* p,
                          snap_->pool_snapshot().Read(chunks_[i].offset, chunks_[i].length));
  return std::make_pair(p, chunks_[i].length);
}

// ---------------------------------------------------------------------------
// Store
// ---------------------------------------------------------------------------

Status ValidateTableName(const std::string& name) {
  if (name.empty()) return Status::Invalid("table name is empty");
  if (name.size() > 128) {
    return Status::Invalid("table name is " + std::to_string(name.size()) +
                           " characters long; the limit is 128");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool ok = std::isalpha(c) || c == '_' || (i > 0 && std::isdigit(c));
    if (!ok) {
      std::string shown = c < 0x20 || c >= 0x7f ? "byte 0x" + [&] {
        char b[3];
        std::snprintf(b, sizeof b, "%02x", c);
        return std::string(b);
      }() : "'" + std::string(1, char(c)) + "'";
      return Status::Invalid("table name \"" + name.substr(0, 64) + "\" has " + shown +
                             " at position " + std::to_string(i + 1) +
                             "; names use ASCII letters, digits and _ and do not start with a digit");
    }
  }
  return Status::OK();
}

Store::~Store() = default;

const std::string& Store::path() const { return pool_->path(); }

Result<std::unique_ptr<Store>> Store::Create(const std::string& path, uint64_t capacity,
                                             StoreOptions options) {
  options.read_only = false;
  options.pool.auto_grow_step = options.auto_grow_step;
  QUIVER_ASSIGN_OR_RETURN(auto pool, pmem::Pool::Create(path, capacity, options.pool));
  std::unique_ptr<Store> s(new Store());
  s->options_ = std::move(options);
  s->pool_ = std::move(pool);
  return s;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, StoreOptions options) {
  std::unique_ptr<pmem::Pool> pool;
  if (options.read_only) {
    QUIVER_ASSIGN_OR_RETURN(pool, pmem::Pool::OpenReadOnly(path, options.pool));
  } else {
    options.pool.auto_grow_step = options.auto_grow_step;
    QUIVER_ASSIGN_OR_RETURN(pool, pmem::Pool::Open(path, options.pool));
  }
  std::unique_ptr<Store> s(new Store());
  s->options_ = std::move(options);
  s->pool_ = std::move(pool);
  // Fail early on a damaged catalog.
  QUIVER_RETURN_NOT_OK(s->GetSnapshot());
  return s;
}

Result<std::shared_ptr<const Snapshot>> Store::GetSnapshot() {
  std::lock_guard<std::mutex> g(snap_mu_);
  return SnapshotLocked();
}

Result<std::shared_ptr<const Snapshot>> Store::SnapshotLocked() {
  QUIVER_ASSIGN_OR_RETURN(pmem::Snapshot pin, pool_->Pin());
  if (current_ && current_->txn() == pin.txn_id()) {
    return std::static_pointer_cast<const Snapshot>(current_);
  }
  auto made = SnapshotData::Make(std::move(pin), current_.get());
  if (!made.ok()) return made.status().WithContext(pool_->path());
  current_ = std::move(*made);
  return std::static_pointer_cast<const Snapshot>(current_);
}

struct Store::Mutation {
  pmem::Transaction* txn;
  CatalogState catalog;
  uint64_t now_ns;
  Result<TableState*> Find(const std::string& name) {
    auto it = catalog.tables.find(name);
    if (it == catalog.tables.end()) {
      return Status::NotFound("unknown table \"" + name + "\"; " + TableList(catalog));
    }
    return &it->second;
  }
  Status FreeChunks(TableState& t) {
    for (const ChunkInfo& c : t.chunks) QUIVER_RETURN_NOT_OK(txn->Free({c.offset, c.length}));
    t.chunks.clear();
    return Status::OK();
  }
  void Touch(TableState& t) {
    t.modified_ns = now_ns;
    t.modified_txn = txn->txn_id();
  }
};

Status Store::Mutate(const std::function<Status(Mutation&)>& fn) {
  if (read_only()) return Status::Invalid("pool " + path() + " is open read-only");
  std::lock_guard<std::mutex> g(write_mu_);
  QUIVER_ASSIGN_OR_RETURN(auto txn, pool_->Begin());
  Mutation m{txn.get(), {}, NowNs()};
  QUIVER_ASSIGN_OR_RETURN(m.catalog, LoadCatalog(*txn));
  QUIVER_RETURN_NOT_OK(fn(m));
  QUIVER_RETURN_NOT_OK(CommitCatalog(*txn, m.catalog, pmem::Durability::kSync).status());
  // Move the cached snapshot (and so this process's pin) to the new state
  // at once, so that what this commit freed is not held back by our own pin.
  (void)GetSnapshot();
  return Status::OK();
}

Status Store::CreateTable(const std::string& name, const Schema& schema, bool if_not_exists) {
  QUIVER_RETURN_NOT_OK(ValidateTableName(name));
  QUIVER_RETURN_NOT_OK(ValidateSchema(schema));
  QUIVER_ASSIGN_OR_RETURN(std::string fbytes, SchemaToFlatbuffer(schema));
  bool exists = false;
  Status s = Mutate([&](Mutation& m) -> Status {
    if (m.catalog.tables.count(name)) {
      if (if_not_exists) {
        exists = true;
        return Status::Cancelled("exists");
      }
      return Status::AlreadyExists("table \"" + name + "\" already exists");
    }
    TableState t;
    t.id = m.catalog.next_table_id++;
    t.name = name;
    t.schema_fb = fbytes;
    t.schema = std::make_shared<Schema>(schema);
    t.created_ns = t.modified_ns = m.now_ns;
    t.created_txn = t.modified_txn = m.txn->txn_id();
    m.catalog.tables.emplace(name, std::move(t));
    return Status::OK();
  });
  return exists ? Status::OK() : s;
}

Status Store::DropTable(const std::string& name) {
  return Mutate([&](Mutation& m) -> Status {
    QUIVER_ASSIGN_OR_RETURN(TableState * t, m.Find(name));
    QUIVER_RETURN_NOT_OK(m.FreeChunks(*t));
    m.catalog.tables.erase(name);
    return Status::OK();
  });
}

Status Store::RenameTable(const std::string& from, const std::string& to) {
  QUIVER_RETURN_NOT_OK(ValidateTableName(to));
  return Mutate([&](Mutation& m) -> Status {
    QUIVER_ASSIGN_OR_RETURN(TableState * t, m.Find(from));
    if (from == to) return Status::OK();
    if (m.catalog.tables.count(to)) return Status::AlreadyExists("table \"" + to + "\" already exists");
    TableState moved = std::move(*t);
    m.catalog.tables.erase(from);
    moved.name = to;
    m.Touch(moved);
    m.catalog.tables.emplace(to, std::move(moved));
    return Status::OK();
  });
}

Status Store::TruncateTable(const std::string& name) {
  return Mutate([&](Mutation& m) -> Status {
    QUIVER_ASSIGN_OR_RETURN(TableState * t, m.Find(name));
    QUIVER_RETURN_NOT_OK(m.FreeChunks(*t));
    m.Touch(*t);
    return Status::OK();
  });
}

// ---------------------------------------------------------------------------
// Writing rows
// ---------------------------------------------------------------------------

Result<std::unique_ptr<TableWriter>> Store::BeginWrite(const std::string& table,
                                                       WriteOptions options) {
  if (read_only()) return Status::Invalid("pool " + path() + " is open read-only");
  QUIVER_RETURN_NOT_OK(ValidateTableName(table));
  std::unique_ptr<TableWriter> w(new TableWriter());
  w->store_ = this;
  w->lock_ = std::unique_lock<std::mutex>(write_mu_);
  QUIVER_ASSIGN_OR_RETURN(w->txn_, pool_->Begin());
  QUIVER_ASSIGN_OR_RETURN(CatalogState cat, LoadCatalog(*w->txn_));
  auto it = cat.tables.find(table);
  if (it == cat.tables.end()) {
    if (!options.create_schema) {
      return Status::NotFound("unknown table \"" + table + "\"; " + TableList(cat));
    }
    QUIVER_RETURN_NOT_OK(ValidateSchema(*options.create_schema));
    w->schema_ = options.create_schema;
    w->creating_ = true;
  } else {
    w->schema_ = it->second.schema;
    if (options.create_schema && !SameLayout(*options.create_schema, *w->schema_)) {
      return Status::TypeError("table \"" + table + "\" exists with schema " +
                               SchemaText(*w->schema_) + ", not " +
                               SchemaText(*options.create_schema));
    }
  }
  w->table_ = table;
  w->options_ = std::move(options);
  return w;
}

TableWriter::~TableWriter() { Abort(); }

void TableWriter::Abort() {
  if (done_) return;
  done_ = true;
  if (txn_) txn_->Abort();  // every extent written returns to the free list
  txn_.reset();
  if (lock_.owns_lock()) lock_.unlock();
}

Status TableWriter::Append(const RecordBatch& batch) {
  if (done_) return Status::Invalid("the write to \"" + table_ + "\" is finished");
  if (batch.num_rows == 0) return Status::OK();
  if (!batch.schema || !SameLayout(*batch.schema, *schema_)) {
    return Status::TypeError("rows for table \"" + table_ + "\" have schema " +
                             (batch.schema ? SchemaText(*batch.schema) : std::string("(none)")) +
                             "; the table's is " + SchemaText(*schema_));
  }
  for (size_t c = 0; c < schema_->num_fields(); ++c) {
    if (!schema_->field(c).nullable && batch.columns[c]->null_count > 0) {
      return Status::Invalid("column \"" + schema_->field(c).name + "\" of table \"" + table_ +
                             "\" is not nullable, but " +
                             std::to_string(batch.columns[c]->null_count) +
                             " appended values are null");
    }
  }
  QUIVER_RETURN_NOT_OK(ValidateBatch(batch));
  const int64_t max_rows = std::max<int64_t>(1, store_->options_.max_chunk_rows);
  for (int64_t start = 0; start < batch.num_rows; start += max_rows) {
    int64_t n = std::min(max_rows, batch.num_rows - start);
    RecordBatch piece = batch;
    if (start != 0 || n != batch.num_rows) {
      QUIVER_ASSIGN_OR_RETURN(piece, SliceBatch(batch, start, n));
    }
    // The stored chunk carries the table's schema (names, nullability,
    // metadata), not the batch's.
    piece.schema = schema_;
    QUIVER_ASSIGN_OR_RETURN(ChunkEncoder enc, ChunkEncoder::Make(piece));
    QUIVER_ASSIGN_OR_RETURN(pmem::Extent e, txn_->Allocate(uint64_t(enc.size())));
    QUIVER_RETURN_NOT_OK(enc.WriteTo(txn_->Data(e), enc.size()));
    ChunkInfo ci;
    ci.offset = e.offset;
    ci.length = uint64_t(enc.size());
    ci.rows = n;
    ci.created_txn = txn_->txn_id();
    ci.stats = ComputeBatchStats(piece);
    new_chunks_.push_back(std::move(ci));
    rows_written_ += n;
    bytes_written_ += uint64_t(enc.size());
  }
  return Status::OK();
}

Result<uint64_t> TableWriter::Commit() {
  if (done_) return Status::Invalid("the write to \"" + table_ + "\" is finished");
  auto fail = [&](Status s) -> Result<uint64_t> {
    Abort();
    return s;
  };
  auto cat = LoadCatalog(*txn_);
  if (!cat.ok()) return fail(cat.status());
  uint64_t now = NowNs();
  auto it = cat->tables.find(table_);
  if (it == cat->tables.end()) {
    auto fbytes = SchemaToFlatbuffer(*schema_);
    if (!fbytes.ok()) return fail(fbytes.status());
    TableState t;
    t.id = cat->next_table_id++;
    t.name = table_;
    t.schema_fb = std::move(*fbytes);
    t.schema = schema_;
    t.created_ns = now;
    t.created_txn = txn_->txn_id();
    it = cat->tables.emplace(table_, std::move(t)).first;
  } else if (options_.mode == WriteMode::kReplace) {
    for (const ChunkInfo& c : it->second.chunks) {
      Status s = txn_->Free({c.offset, c.length});
      if (!s.ok()) return fail(s);
    }
    it->second.chunks.clear();
  }
  TableState& t = it->second;
  for (auto& c : new_chunks_) t.chunks.push_back(std::move(c));
  t.modified_ns = now;
  t.modified_txn = txn_->txn_id();
  auto id = CommitCatalog(*txn_, *cat, options_.durability);
  if (!id.ok()) return fail(id.status());
  done_ = true;
  txn_.reset();
  lock_.unlock();
  (void)store_->GetSnapshot();  // see Store::Mutate
  return id;
}

Result<uint64_t> Store::Write(const std::string& table, const std::vector<RecordBatch>& batches,
                              WriteOptions options) {
  QUIVER_ASSIGN_OR_RETURN(auto w, BeginWrite(table, std::move(options)));
  for (const RecordBatch& b : batches) QUIVER_RETURN_NOT_OK(w->Append(b));
  return w->Commit();
}

// ---------------------------------------------------------------------------
// Compaction
// ---------------------------------------------------------------------------

namespace {

void AppendValue(ArrayBuilder& b, const ArrayView& v, int64_t i) {
  if (v.IsNull(i)) {
    b.AppendNull();
    return;
  }
  if (v.type->is_dictionary()) {
    int64_t k = v.DictIndex(i);
    b.AppendString(v.dictionary->StringValue(k));
    return;
  }
  switch (v.type->id) {
    case TypeId::kBool: b.AppendBool(v.BoolValue(i)); break;
    case TypeId::kInt8: b.AppendInt(v.Value<int8_t>(i)); break;
    case TypeId::kInt16: b.AppendInt(v.Value<int16_t>(i)); break;
    case TypeId::kInt32:
    case TypeId::kDate32: b.AppendInt(v.Value<int32_t>(i)); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: b.AppendInt(v.Value<int64_t>(i)); break;
    case TypeId::kUInt8: b.AppendUInt(v.Value<uint8_t>(i)); break;
    case TypeId::kUInt16: b.AppendUInt(v.Value<uint16_t>(i)); break;
    case TypeId::kUInt32: b.AppendUInt(v.Value<uint32_t>(i)); break;
    case TypeId::kUInt64: b.AppendUInt(v.Value<uint64_t>(i)); break;
    case TypeId::kFloat32: b.AppendDouble(v.Value<float>(i)); break;
    case TypeId::kFloat64: b.AppendDouble(v.Value<double>(i)); break;
    case TypeId::kUtf8:
    case TypeId::kBinary: b.AppendString(v.StringValue(i)); break;
    case TypeId::kNull: b.AppendNull(); break;
  }
}

// Concatenates batches of one schema into a single batch (new buffers).
Result<RecordBatch> Concatenate(const std::shared_ptr<const Schema>& schema,
                                const std::vector<RecordBatch>& parts) {
  RecordBatchBuilder builder(schema);
  for (size_t c = 0; c < schema->num_fields(); ++c) {
    ArrayBuilder& b = builder.column(c);
    int64_t total = 0;
    for (const auto& p : parts) total += p.num_rows;
    b.Reserve(total);
    for (const auto& p : parts) {
      ArrayView v = p.columns[c]->View();
      ArrayView dict;
      if (p.columns[c]->dictionary) {
        dict = p.columns[c]->dictionary->View();
        v.dictionary = &dict;
      }
      for (int64_t i = 0; i < p.num_rows; ++i) AppendValue(b, v, i);
    }
  }
  return builder.Finish();
}

}  // namespace

Result<CompactResult> Store::Compact(const std::string& only_table, int64_t target_rows) {
  if (target_rows <= 0) target_rows = options_.max_chunk_rows;
  CompactResult result;
  QUIVER_ASSIGN_OR_RETURN(auto snap, GetSnapshot());
  // The snapshot pins the state we read chunks from; the mutation below
  // starts from the same or a newer state and checks that the chunks it
  // replaces are still there.
  Status s = Mutate([&](Mutation& m) -> Status {
    for (auto& [name, t] : m.catalog.tables) {
      if (!only_table.empty() && name != only_table) continue;
      auto view = snap->table(name);
      if (!view.ok()) continue;  // created after our snapshot: leave it
      result.chunks_before += int64_t(t.chunks.size());
      std::vector<ChunkInfo> out;
      bool changed = false;
      size_t i = 0;
      while (i < t.chunks.size()) {
        // A run of adjacent small chunks, up to target_rows in total.
        size_t j = i;
        int64_t rows = 0;
        while (j < t.chunks.size() && t.chunks[j].rows < target_rows &&
               rows + t.chunks[j].rows <= target_rows) {
          rows += t.chunks[j].rows;
          ++j;
        }
        if (j - i < 2) {
          out.push_back(t.chunks[i]);
          ++i;
          continue;
        }
        std::vector<RecordBatch> parts;
        for (size_t k = i; k < j; ++k) {
          // Find the chunk in the pinned snapshot by offset.
          const auto& vchunks = (*view)->chunks();
          auto it = std::find_if(vchunks.begin(), vchunks.end(),
                                 [&](const ChunkInfo& c) { return c.offset == t.chunks[k].offset; });
          if (it == vchunks.end()) return Status::Cancelled("table changed during compaction");
          QUIVER_ASSIGN_OR_RETURN(RecordBatch b, (*view)->ReadChunk(size_t(it - vchunks.begin())));
          parts.push_back(std::move(b));
        }
        QUIVER_ASSIGN_OR_RETURN(RecordBatch merged, Concatenate(t.schema, parts));
        QUIVER_ASSIGN_OR_RETURN(ChunkEncoder enc, ChunkEncoder::Make(merged));
        QUIVER_ASSIGN_OR_RETURN(pmem::Extent e, m.txn->Allocate(uint64_t(enc.size())));
        QUIVER_RETURN_NOT_OK(enc.WriteTo(m.txn->Data(e), enc.size()));
        ChunkInfo ci;
        ci.offset = e.offset;
        ci.length = uint64_t(enc.size());
        ci.rows = merged.num_rows;
        ci.created_txn = m.txn->txn_id();
        ci.stats = ComputeBatchStats(merged);
        for (size_t k = i; k < j; ++k) {
          QUIVER_RETURN_NOT_OK(m.txn->Free({t.chunks[k].offset, t.chunks[k].length}));
        }
        out.push_back(std::move(ci));
        changed = true;
        i = j;
      }
      result.chunks_after += int64_t(out.size());
      if (changed) {
        t.chunks = std::move(out);
        m.Touch(t);
        ++result.tables;
      }
    }
    if (result.tables == 0) return Status::Cancelled("nothing to compact");
    result.txn = m.txn->txn_id();
    return Status::OK();
  });
  if (s.code() == StatusCode::kCancelled && s.message() == "nothing to compact") {
    result.txn = 0;
    return result;
  }
  QUIVER_RETURN_NOT_OK(s);
  return result;
}

// ---------------------------------------------------------------------------
// Check
// ---------------------------------------------------------------------------

StoreCheck Store::Check(const std::string& path, bool deep) {
  StoreCheck r;
  std::vector<pmem::Extent> live;
  {
    StoreOptions o;
    o.read_only = true;
    auto store = Store::Open(path, o);
    if (!store.ok()) {
      r.pool = pmem::Pool::Check(path);
      if (r.pool.healthy()) r.problems.push_back(store.status().message());
      return r;
    }
    auto snap = (*store)->GetSnapshot();
    if (!snap.ok()) {
      r.problems.push_back(snap.status().message());
    } else {
      pmem::Extent root = (*snap)->pool_snapshot().root();
      if (!root.empty()) live.push_back(root);
      for (const TableView& t : (*snap)->tables()) {
        for (size_t i = 0; i < t.num_chunks(); ++i) {
          live.push_back({t.chunks()[i].offset, t.chunks()[i].length});
          if (deep) {
            auto b = t.ReadChunk(i);
            if (!b.ok()) r.problems.push_back(b.status().message());
          }
        }
      }
    }
  }
  r.pool = pmem::Pool::Check(path, live);
  return r;
}

}  // namespace quiver::store
