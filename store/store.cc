#include "store/store.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "columnar/builder.h"
#include "columnar/schema.h"
#include "config/clock.h"
#include "store/catalog_internal.h"
#include "store/checksum_internal.h"
#include "store/mutation_internal.h"
#include "store/snapshot_internal.h"

namespace quiver::store {

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
      std::string shown = c < 0x20 || c >= 0x7f ? "byte 0x" +
                                                      [&] {
                                                        char b[3];
                                                        std::snprintf(b, sizeof b, "%02x", c);
                                                        return std::string(b);
                                                      }()
                                                : "'" + std::string(1, char(c)) + "'";
      return Status::Invalid(
          "table name \"" + name.substr(0, 64) + "\" has " + shown + " at position " +
          std::to_string(i + 1) +
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
  s->cache_ = std::make_unique<SnapshotCache>();
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
  s->cache_ = std::make_unique<SnapshotCache>();
  s->options_ = std::move(options);
  s->pool_ = std::move(pool);
  // Fail early on a damaged catalog.
  QUIVER_ASSIGN_OR_RETURN(auto snap, s->GetSnapshot());
  if (!s->read_only()) {
    // A writer must not allocate over what the catalog references.
    for (const TableView& t : snap->tables()) {
      for (size_t i = 0; i < t.num_chunks(); ++i) {
        const ChunkInfo& ci = t.chunks()[i];
        Status used = s->pool_->CheckInUse({ci.offset, ci.length});
        if (!used.ok()) {
          return used.WithContext(path + ": table \"" + t.name() + "\", chunk " +
                                  std::to_string(i));
        }
      }
    }
  }
  return s;
}

Result<std::shared_ptr<const Snapshot>> Store::GetSnapshot() {
  std::lock_guard<std::mutex> g(snap_mu_);
  return SnapshotLocked();
}

Result<std::shared_ptr<const Snapshot>> Store::SnapshotLocked() {
  QUIVER_ASSIGN_OR_RETURN(pmem::Snapshot pin, pool_->Pin());
  std::shared_ptr<const SnapshotData> cached = current_.lock();
  if (cached && cached->txn() == pin.txn_id())
    return std::static_pointer_cast<const Snapshot>(cached);
  auto made = SnapshotData::Make(std::move(pin), cache_.get());
  if (!made.ok()) return made.status().WithContext(pool_->path());
  current_ = *made;
  return std::static_pointer_cast<const Snapshot>(*made);
}

Status Store::Mutate(const std::function<Status(Mutation&)>& fn) {
  if (read_only()) return Status::Invalid("pool " + path() + " is open read-only");
  std::lock_guard<std::mutex> g(write_mu_);
  QUIVER_ASSIGN_OR_RETURN(auto txn, pool_->Begin());
  QUIVER_ASSIGN_OR_RETURN(CatalogState catalog, LoadCatalog(*txn));
  Mutation m{txn.get(), std::move(catalog), NowNs()};
  QUIVER_RETURN_NOT_OK(fn(m));
  return CommitCatalog(*txn, m.catalog, pmem::Durability::kSync, options_.checksums).status();
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
    if (m.catalog.tables.count(to))
      return Status::AlreadyExists("table \"" + to + "\" already exists");
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
  if (options.idempotency_key.size() > 256) {
    return Status::Invalid("an idempotency key has at most 256 bytes, not " +
                           std::to_string(options.idempotency_key.size()));
  }
  std::unique_ptr<TableWriter> w(new TableWriter());
  w->store_ = this;
  w->lock_ = std::unique_lock<std::mutex>(write_mu_);
  QUIVER_ASSIGN_OR_RETURN(w->txn_, pool_->Begin());
  QUIVER_ASSIGN_OR_RETURN(CatalogState cat, LoadCatalog(*w->txn_));
  auto it = cat.tables.find(table);
  if (it == cat.tables.end()) {
    if (!options.create_schema) {
      return UnknownTable(table, cat);
    }
    QUIVER_RETURN_NOT_OK(ValidateSchema(*options.create_schema));
    w->schema_ = options.create_schema;
    w->creating_ = true;
  } else {
    w->schema_ = it->second.schema;
    if (!options.idempotency_key.empty()) {
      for (const CommitKey& k : it->second.commit_keys) {
        if (k.key != options.idempotency_key) continue;
        return Status::AlreadyExists("the append with idempotency key \"" + k.key +
                                     "\" was already applied to table \"" + table +
                                     "\" in txn " + std::to_string(k.txn) + " (" +
                                     std::to_string(k.rows) + " rows)");
      }
    }
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
    QUIVER_ASSIGN_OR_RETURN(ChunkInfo ci, WriteChunk(*txn_, piece, store_->options_.checksums));
    rows_written_ += n;
    bytes_written_ += ci.length;
    new_chunks_.push_back(std::move(ci));
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
  if (!options_.idempotency_key.empty()) {
    t.commit_keys.push_back(CommitKey{options_.idempotency_key, txn_->txn_id(), rows_written_});
    if (t.commit_keys.size() > kMaxCommitKeys) {
      t.commit_keys.erase(t.commit_keys.begin(),
                          t.commit_keys.end() - std::ptrdiff_t(kMaxCommitKeys));
    }
  }
  t.modified_ns = now;
  t.modified_txn = txn_->txn_id();
  auto id = CommitCatalog(*txn_, *cat, options_.durability, store_->options_.checksums);
  if (!id.ok()) return fail(id.status());
  done_ = true;
  txn_.reset();
  lock_.unlock();
  return id;
}

Result<uint64_t> Store::Write(const std::string& table, const std::vector<RecordBatch>& batches,
                              WriteOptions options) {
  QUIVER_ASSIGN_OR_RETURN(auto w, BeginWrite(table, std::move(options)));
  for (const RecordBatch& b : batches) QUIVER_RETURN_NOT_OK(w->Append(b));
  return w->Commit();
}

// ---------------------------------------------------------------------------
// Check
// ---------------------------------------------------------------------------

StoreCheck Store::Check(const std::string& path, bool deep) {
  StoreCheck r;
  std::vector<pmem::Extent> live;
  std::vector<std::string> notes;
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
      const pmem::Snapshot& pin = (*snap)->pool_snapshot();
      pmem::Extent root = pin.root();
      if (!root.empty()) live.push_back(root);
      int64_t chunks = 0, unchecked = 0;
      for (const TableView& t : (*snap)->tables()) {
        for (size_t i = 0; i < t.num_chunks(); ++i) {
          const ChunkInfo& ci = t.chunks()[i];
          live.push_back({ci.offset, ci.length});
          ++chunks;
          if (!ci.checksummed) ++unchecked;
          if (!deep) continue;
          auto p = pin.Read(ci.offset, ci.length);
          if (!p.ok()) {
            r.problems.push_back(p.status().message());
            continue;
          }
          DeepCheckChunk(ChunkPlace{t.name(), i, ci}, t.schema(), *p, &r.problems);
        }
      }
      if (!root.empty()) {
        auto blob = pin.Read(root.offset, root.length);  // decoded fine by GetSnapshot
        auto catalog = blob.ok() ? DecodeCatalog(*blob, root.length, root.offset)
                                 : Result<CatalogState>(blob.status());
        if (catalog.ok() && !catalog->checksummed) {
          notes.push_back("the catalog was written before checksums and carries none");
        }
      }
      if (unchecked > 0) {
        notes.push_back(std::to_string(unchecked) + " of " + std::to_string(chunks) +
                        " chunks were written before checksums and carry none" +
                        (deep ? " (validated, not verified)" : ""));
      }
    }
  }
  r.pool = pmem::Pool::Check(path, live);
  for (auto& n : notes) r.pool.notes.push_back(std::move(n));
  return r;
}

}  // namespace quiver::store
