// Private to pmem/: the state a Pool shares with its Transactions and
// Snapshots. pool.cc opens, pins and grows; txn.cc allocates and commits;
// check.cc reports.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pmem/file_internal.h"
#include "pmem/format_internal.h"
#include "pmem/pool.h"

namespace quiver::pmem {

// In-process pins: one reader-table slot per pinned txn, shared by every
// Snapshot of that txn in this process.
class PinRegistry {
 public:
  explicit PinRegistry(std::shared_ptr<ReaderTable> table) : table_(std::move(table)) {}
  Status Ref(uint64_t txn);
  void Unref(uint64_t txn);

 private:
  struct Pin {
    uint32_t slot;
    uint64_t refs;
  };
  std::mutex mu_;
  std::shared_ptr<ReaderTable> table_;
  std::map<uint64_t, Pin> pins_;
};

struct PoolShared {
  std::string path;
  bool read_only = false;
  PoolOptions options;
  Device* device = nullptr;
  int fd = -1;
  Superblock sb{};
  std::shared_ptr<ReaderTable> table;
  // Reader tables whose file was deleted or replaced while this writer ran:
  // readers that registered there before still count (OldestPin).
  std::vector<std::shared_ptr<ReaderTable>> orphan_tables;
  std::shared_ptr<PinRegistry> pins;

  std::mutex mu;                     // guards everything below
  std::shared_ptr<Mapping> mapping;  // the newest mapping
  // Writer only: the authoritative current state and allocator.
  MetaSlot current{};
  int current_slot = 0;
  // The newest state known to be durable, and its slot. Commits write the
  // other slot, so a relaxed commit never overwrites the last durable state,
  // and space freed after it is not reused until a durable commit makes its
  // freeing durable (DESIGN.md, durability contract).
  uint64_t durable_txn = 0;
  int durable_slot = 0;
  FreeMap free;
  bool txn_open = false;
  // Set when a persist failed: the writer refuses every later write until
  // the pool is reopened (what it wrote may or may not be on disk).
  Status failed;

  ~PoolShared();

  // Reader: the current meta slot as the mapping shows it now, never above
  // the txn the writer acknowledged.
  Result<MetaSlot> ReadCurrentMeta(int* slot = nullptr);
  // Reader: remaps if the state reaches beyond the mapping (the pool grew).
  Status EnsureMapped(uint64_t capacity);
  // Writer: OK, or the error that stopped the writer.
  Status CheckWritable() const;
  // Writer: records a failed persist; returns the error to report.
  Status Fail(const Status& why);
  // Writer: the oldest txn any live reader pins (all reader tables).
  uint64_t OldestPin();
};

struct Transaction::State {
  uint64_t txn = 0;
  MetaSlot base{};
  FreeMap free;
  uint64_t high_water = 0;
  uint64_t capacity = 0;
  std::vector<Extent> allocated;
  std::vector<Extent> freed;  // extents of the base state, freed by this txn
  std::shared_ptr<Mapping> mapping;
  std::vector<std::shared_ptr<Mapping>> old_mappings;  // kept alive until the end
  bool done = false;
};

std::string LockPath(const std::string& path);

// Pool::CheckInUse against the state `m` and its free runs `free` (check.cc).
Status InUseProblem(const MetaSlot& m, const FreeMap& free, const Extent& e);

}  // namespace quiver::pmem
