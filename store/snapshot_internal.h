// Private to store/: the Snapshot implementation and the chunk cache behind
// TableView::ReadChunk.
//
// Validation and checksum verification are lazy per column and happen once
// per process, not once per snapshot: a query pays for the columns it reads,
// the first time any snapshot reads them. The ChunkCache (one per Store)
// keeps, for every chunk of the latest catalog, what checking it found,
// keyed by the chunk's offset and the txn that wrote it (an extent reused
// later belongs to a later txn, so the key never names two different
// contents). The cache holds no pin: its columns point into the mapping they
// were read from without owning it, and a snapshot re-points them at its own
// mapping and pin before handing them out.
//
// Thread-safety: SnapshotData is immutable after Make() apart from its
// per-chunk slots, each guarded by its own mutex. SnapshotCache is used
// under the Store's snapshot mutex; a ChunkEntry guards itself.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"
#include "pmem/pool.h"
#include "store/catalog_internal.h"
#include "store/store.h"

namespace quiver::store {

// What checking one chunk found so far. Shared by every snapshot holding it.
struct ChunkEntry {
  // A validated, verified column; its pool buffers borrowed (no owner) from
  // the mapping [base, base + mapped) that was current when it was opened.
  struct Column {
    std::shared_ptr<ArrayData> data;
    const uint8_t* base = nullptr;
    uint64_t mapped = 0;
  };
  std::mutex mu;
  bool structure_checked = false;  // framing, metadata checksum, row count
  std::vector<Column> columns;     // by field; data == nullptr: not yet opened
};

// What the Store remembers between snapshots without pinning anything: the
// latest state it decoded (its tables, so that a new snapshot of the same
// state costs a pin and a few copies, not a catalog decode) and one chunk
// entry per chunk of that state.
class SnapshotCache {
 public:
  // The tables of the state `pin` holds (views with no snapshot set yet) and
  // their chunk entries, in table (name) then chunk order. Entries of chunks
  // no longer in the state are forgotten (snapshots holding them keep them).
  // The list is shared by every snapshot of the state (one reference, not
  // one per chunk: a new snapshot of a table of many chunks stays cheap).
  using EntryList = std::vector<std::shared_ptr<ChunkEntry>>;
  Status Prepare(const pmem::Snapshot& pin, std::vector<TableView>* tables,
                 std::shared_ptr<const EntryList>* entries);

 private:
  // The state decoded last: a txn and its root blob identify it (published
  // bytes are immutable while a txn id is current in this process).
  bool valid_ = false;
  uint64_t txn_ = 0;
  pmem::Extent root_;
  std::vector<TableView> tables_;
  std::shared_ptr<const EntryList> list_;
  std::map<std::pair<uint64_t, uint64_t>, std::shared_ptr<ChunkEntry>> entries_;
};

class SnapshotData : public Snapshot {
 public:
  // The state `pin` holds, decoded by (or remembered in) `cache`.
  static Result<std::shared_ptr<SnapshotData>> Make(pmem::Snapshot pin, SnapshotCache* cache);

  uint64_t txn() const override { return pin_.txn_id(); }
  const std::vector<TableView>& tables() const override { return tables_; }
  Result<const TableView*> table(const std::string& name) const override;
  const pmem::Snapshot& pool_snapshot() const override { return pin_; }

  // Chunk i with the given columns (null: every column); the others are
  // null in the batch.
  Result<RecordBatch> Read(const TableView& t, size_t i, const std::vector<size_t>* columns) const;

 private:
  // One chunk as this snapshot hands it out: its columns bound to this
  // snapshot's pin (null: not asked for yet).
  struct Slot {
    std::mutex mu;
    std::vector<std::shared_ptr<ArrayData>> columns;
  };

  explicit SnapshotData(pmem::Snapshot pin) : pin_(std::move(pin)) {}
  // Opens (validates, verifies) the given columns of chunk i into `e`.
  Status Open(const TableView& t, size_t i, const std::vector<size_t>& columns,
              ChunkEntry& e) const;

  pmem::Snapshot pin_;
  std::vector<TableView> tables_;  // sorted by name
  // One slot per chunk of every table (entries_[k] is slot k's entry),
  // allocated at once; a slot's columns are filled when first read.
  std::shared_ptr<const SnapshotCache::EntryList> entries_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace quiver::store
