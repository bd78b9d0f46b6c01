// Store: tables in a pool. The C++ API used by quiverd, the quiver CLI and
// the local reader library alike.
//
// A pool's committed state is a catalog (store/fbs/catalog.fbs): tables with
// their Arrow schema and a list of chunks, each chunk an Arrow IPC record
// batch (with its dictionaries) lying in its own pool extent, with per-column
// statistics. Every change — create, append, drop, rename, truncate,
// replace, compact — is one pool transaction that writes new chunks and a
// new catalog; unchanged chunks are shared between catalog versions.
//
// Reading: GetSnapshot() pins the latest committed state and returns an
// immutable Snapshot; its tables and the batches read from them stay valid
// (and unchanged) for as long as the Snapshot is held, whatever the writer
// does meanwhile. Chunks are validated once when first read and the result
// is shared by later snapshots in which the chunk is unchanged (the Store
// remembers it without holding a pin; see store/snapshot_internal.h).
//
// Writing: only a Store opened as writer (one process per pool) may write;
// write operations are serialised by the Store (a second concurrent writer
// thread waits). A TableWriter streams batches into a table inside one
// transaction: nothing is visible until Commit(), and an error, abort or
// crash leaves the table exactly as it was.
//
// Thread-safety: every Store method and every Snapshot may be used from any
// thread. A TableWriter is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "columnar/stats.h"
#include "columnar/types.h"
#include "config/status.h"
#include "pmem/pool.h"

namespace quiver::store {

struct StoreOptions {
  bool read_only = false;
  // Rows per chunk when appending: larger batches are split.
  int64_t max_chunk_rows = 1 << 20;
  // Writer: grow the pool file automatically by at least this many bytes
  // when it is full (0 = fail with OutOfSpace instead).
  uint64_t auto_grow_step = 1ull << 30;
  pmem::PoolOptions pool;  // test hooks
  // Test hook: false writes chunks and catalogs without checksums, as pools
  // were written before them.
  bool checksums = true;
};

struct ChunkInfo {
  uint64_t offset = 0;  // in the pool file
  uint64_t length = 0;  // exact encoded bytes
  int64_t rows = 0;
  uint64_t created_txn = 0;
  std::vector<ColumnStats> stats;  // per field
  // XXH3-64 checksums (store/checksum_internal.h), recorded when written;
  // false for chunks of pools written before checksums.
  bool checksummed = false;
  uint64_t metadata_checksum = 0;
  std::vector<std::vector<uint64_t>> checksums;  // per field: its buffers
};

// An append applied with an idempotency key, remembered in the catalog
// (store/fbs/catalog.fbs, CommitKey) in the transaction that applied it.
struct CommitKey {
  std::string key;
  uint64_t txn = 0;
  int64_t rows = 0;
};
// Idempotency keys remembered per table (the oldest are forgotten first).
inline constexpr size_t kMaxCommitKeys = 1024;

class SnapshotCache;
class SnapshotData;

// One table as of one snapshot. Valid while the Snapshot it came from lives.
class TableView {
 public:
  const std::string& name() const { return name_; }
  uint64_t id() const { return id_; }
  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  int64_t num_rows() const { return rows_; }
  size_t num_chunks() const { return chunks_->size(); }
  uint64_t bytes() const;
  const std::vector<ChunkInfo>& chunks() const { return *chunks_; }
  uint64_t created_ns() const { return created_ns_; }
  uint64_t modified_ns() const { return modified_ns_; }
  uint64_t modified_txn() const { return modified_txn_; }
  // Recent appends made with an idempotency key, oldest first.
  const std::vector<CommitKey>& commit_keys() const { return *commit_keys_; }
  // The key's entry, or nullptr when no remembered append used it.
  const CommitKey* FindCommitKey(const std::string& key) const;

  // Chunks [first, first + count) of this table as a table of their own
  // (same name, schema and snapshot; chunk i of the slice is chunk first + i
  // here): a query over the slice reads those chunks only. Both must lie
  // within num_chunks(). Valid while the Snapshot lives.
  TableView Slice(size_t first, size_t count) const;

  // Chunk i as a record batch whose buffers point into the pool mapping
  // (zero copy). The batch keeps the pin alive. Each column is validated
  // and its buffers verified against their checksums the first time this
  // process reads it; damage is DataLoss (a checksum fails) or Corruption
  // (a chunk without checksums fails validation), naming table, chunk and
  // column.
  Result<RecordBatch> ReadChunk(size_t i) const;
  // Only the given columns (field indices): the others are null in the
  // batch, and neither validated nor verified.
  Result<RecordBatch> ReadChunk(size_t i, const std::vector<size_t>& columns) const;
  // The chunk's encoded bytes as they lie in the pool (Arrow IPC messages:
  // its dictionaries, then its record batch). Valid while the Snapshot lives.
  Result<std::pair<const uint8_t*, uint64_t>> ChunkBytes(size_t i) const;

 private:
  friend class SnapshotCache;
  friend class SnapshotData;
  friend class Store;
  const SnapshotData* snap_ = nullptr;
  std::string name_;
  uint64_t id_ = 0;
  std::shared_ptr<const Schema> schema_;
  // Shared by the snapshots of one state (decoded once; never null).
  std::shared_ptr<const std::vector<ChunkInfo>> chunks_ =
      std::make_shared<const std::vector<ChunkInfo>>();
  std::shared_ptr<const std::vector<CommitKey>> commit_keys_ =
      std::make_shared<const std::vector<CommitKey>>();
  int64_t rows_ = 0;
  uint64_t created_ns_ = 0, modified_ns_ = 0, created_txn_ = 0, modified_txn_ = 0;
  size_t first_cache_slot_ = 0;  // index of chunk 0 in the snapshot's chunk cache
};

// An immutable, pinned view of one committed state.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  virtual uint64_t txn() const = 0;
  virtual const std::vector<TableView>& tables() const = 0;
  // NotFound names the tables that exist.
  virtual Result<const TableView*> table(const std::string& name) const = 0;
  virtual const pmem::Snapshot& pool_snapshot() const = 0;
};

enum class WriteMode { kAppend, kReplace };

struct WriteOptions {
  WriteMode mode = WriteMode::kAppend;
  pmem::Durability durability = pmem::Durability::kSync;
  // Create the table with the given schema if it does not exist.
  std::shared_ptr<const Schema> create_schema;
  // When set, the append is recorded under this key in the same transaction
  // (TableView::commit_keys), and BeginWrite refuses a key the table already
  // holds with AlreadyExists, so that a retried append is never applied
  // twice. At most 256 bytes.
  std::string idempotency_key;
};

class Store;

// Streams batches into one table within one transaction.
class TableWriter {
 public:
  ~TableWriter();  // aborts unless committed
  TableWriter(const TableWriter&) = delete;
  TableWriter& operator=(const TableWriter&) = delete;

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  // Writes the batch into new pool extents now (split into chunks of at
  // most max_chunk_rows). The batch must match the table's schema.
  Status Append(const RecordBatch& batch);
  int64_t rows_written() const { return rows_written_; }
  int64_t chunks_written() const { return int64_t(new_chunks_.size()); }
  uint64_t bytes_written() const { return bytes_written_; }
  // Publishes everything appended as one new state. Returns the txn id.
  Result<uint64_t> Commit();
  void Abort();

 private:
  friend class Store;
  TableWriter() = default;
  Store* store_ = nullptr;
  std::unique_lock<std::mutex> lock_;  // the store's write lock
  std::unique_ptr<pmem::Transaction> txn_;
  std::string table_;
  std::shared_ptr<const Schema> schema_;
  WriteOptions options_;
  bool creating_ = false;
  std::vector<ChunkInfo> new_chunks_;
  int64_t rows_written_ = 0;
  uint64_t bytes_written_ = 0;
  bool done_ = false;
};

struct CompactResult {
  int tables = 0;
  int64_t chunks_before = 0;
  int64_t chunks_after = 0;
  uint64_t txn = 0;  // 0 when nothing needed compacting
};

struct StoreCheck {
  pmem::CheckReport pool;             // pool-level (with every chunk extent as live)
  std::vector<std::string> problems;  // catalog and chunk problems
  bool healthy() const { return pool.healthy() && problems.empty(); }
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Create(const std::string& path, uint64_t capacity,
                                               StoreOptions options = {});
  static Result<std::unique_ptr<Store>> Open(const std::string& path, StoreOptions options = {});
  // Verifies the pool, the catalog, and with `deep` every chunk's contents:
  // every buffer against its checksum (a damaged one is reported with its
  // byte offset in the file) and every column's Arrow structure. A pool
  // written before checksums gets a note that it carries none.
  static StoreCheck Check(const std::string& path, bool deep);
  ~Store();

  const std::string& path() const;
  bool read_only() const { return options_.read_only; }
  pmem::Pool& pool() { return *pool_; }

  // Pins the latest committed state. While some caller still holds the
  // snapshot of the latest state, the same one is returned (cheap); the pin
  // goes with the last holder, so an idle Store pins nothing.
  Result<std::shared_ptr<const Snapshot>> GetSnapshot();

  // --- writer only ---------------------------------------------------------
  Status CreateTable(const std::string& name, const Schema& schema, bool if_not_exists = false);
  Result<std::unique_ptr<TableWriter>> BeginWrite(const std::string& table,
                                                  WriteOptions options = {});
  // One-shot append (or replace) of whole batches.
  Result<uint64_t> Write(const std::string& table, const std::vector<RecordBatch>& batches,
                         WriteOptions options = {});
  Status DropTable(const std::string& name);
  Status RenameTable(const std::string& from, const std::string& to);
  Status TruncateTable(const std::string& name);
  // Merges runs of adjacent chunks smaller than target_rows into chunks of
  // about target_rows; all tables when `table` is empty.
  Result<CompactResult> Compact(const std::string& table = "", int64_t target_rows = 0);

 private:
  friend class TableWriter;
  Store() = default;
  struct Mutation;
  Status Mutate(const std::function<Status(Mutation&)>& fn);
  Result<std::shared_ptr<const Snapshot>> SnapshotLocked();

  StoreOptions options_;
  std::unique_ptr<pmem::Pool> pool_;
  std::mutex write_mu_;
  std::mutex snap_mu_;  // guards current_ and cache_
  std::weak_ptr<const SnapshotData> current_;
  std::unique_ptr<SnapshotCache> cache_;
};

// Table names: 1 to 128 characters, ASCII letters, digits and underscores,
// not starting with a digit. (No dots, slashes or NULs: names appear in URLs
// and paths.)
Status ValidateTableName(const std::string& name);

}  // namespace quiver::store
