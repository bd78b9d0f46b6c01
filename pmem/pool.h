// Pool: one persistent-memory pool file, its crash-safe transactions, and
// the snapshots that readers pin. The format is in pmem/layout.h.
//
// A pool is opened either by the single writer (Open / Create) or by any
// number of readers in any process (OpenReadOnly). The writer changes the
// pool only through a Transaction: it allocates extents, writes them, and
// commits a root blob (the catalog of the layer above). Commit persists the
// extents, then writes the older meta slot with txn_id + 1, so a crash leaves
// either the old state or the new one (invariant 2).
//
// Durability (DESIGN.md): a failed persist is never acknowledged; the pool
// then refuses every later write (the error it returns says why) until it
// is reopened. Readers never pin a state above the one the writer last
// acknowledged (LockHeader::acked_txn).
//
// Readers call Pin() and get a Snapshot: the state of one txn, with a base
// pointer valid for the Snapshot's lifetime. The pin is recorded in the
// reader table ("<pool>.lock"), and the writer does not reuse an extent freed
// by txn T while any reader pins a txn older than T (invariant 3). Pins of
// processes that die are dropped by the kernel with their locks.
//
// Thread-safety: Pin(), Info() and Snapshot are safe from any thread. At most
// one Transaction is open at a time per Pool; Begin() fails while one is.
// Ownership: a Snapshot keeps the mapping it points into alive, so pointers
// obtained from it stay valid until it is destroyed, even if the writer grows
// the pool (which makes a new mapping) in the meantime.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/status.h"

namespace quiver::pmem {

class Device;
class Mapping;
class ReaderTable;
struct PoolShared;

// A byte range in the pool file. Offsets, never pointers (invariant 1).
struct Extent {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool empty() const { return length == 0; }
  uint64_t end() const { return offset + length; }
  bool operator==(const Extent&) const = default;
};

enum class Durability {
  kSync,     // durable before Commit returns, with every commit before it
             // (the default)
  kRelaxed,  // the extents are persisted but not the meta slot: a power loss
             // may lose this commit (never the last durable state) until the
             // next kSync commit or Pool::Sync, by this process or another
};

struct PoolOptions {
  // Grow the file automatically when an allocation does not fit: by at least
  // this many bytes (and at least doubling), 0 = never grow automatically.
  uint64_t auto_grow_step = 0;
  // Where every effect on the file goes (pmem/device.h); null = libpmem and
  // the OS. Tests pass a simulated device. Not owned: keep it alive.
  Device* device = nullptr;
};

struct ReaderInfo {
  uint32_t slot = 0;
  uint32_t pid = 0;
  uint64_t txn_id = 0;
  uint64_t pin_time_ns = 0;
};

struct PoolInfo {
  std::string path;
  std::string uuid;  // 8-4-4-4-12 hex
  uint32_t format_version = 0;
  uint64_t page_size = 0;
  uint64_t create_time_ns = 0;
  uint64_t capacity = 0;    // bytes the pool may use
  uint64_t file_bytes = 0;  // logical file size
  uint64_t disk_bytes = 0;  // blocks actually allocated (sparse file)
  uint64_t high_water = 0;
  uint64_t used_bytes = 0;         // allocated extents + metadata pages
  uint64_t free_bytes = 0;         // capacity - used
  uint64_t free_list_bytes = 0;    // freed extents below the high water
  uint64_t free_list_pending = 0;  // of which waiting for readers to move on
  size_t free_extents = 0;
  uint64_t txn_id = 0;
  uint64_t commit_time_ns = 0;
  Extent root;
  bool is_pmem = false;  // engine: "pmem" (cache flushes) or "mmap" (msync)
  bool read_only = false;
  std::vector<ReaderInfo> readers;
  const char* engine() const { return is_pmem ? "pmem" : "mmap"; }
};

// One problem found by Check().
struct CheckIssue {
  std::string where;    // e.g. "meta slot 1 (offset 8192)"
  std::string problem;  // e.g. "checksum mismatch: stored 0x1234, computed 0x5678"
};

struct CheckReport {
  std::vector<CheckIssue> issues;  // damage: the pool is not healthy
  std::vector<std::string> notes;  // informational lines
  bool healthy() const { return issues.empty(); }
};

// The state of one committed txn, pinned for as long as this object lives.
class Snapshot {
 public:
  Snapshot(Snapshot&&) noexcept;
  Snapshot& operator=(Snapshot&&) noexcept;
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  ~Snapshot();

  uint64_t txn_id() const { return txn_id_; }
  Extent root() const { return root_; }
  // Start of the mapping; valid while this Snapshot lives.
  const uint8_t* base() const { return base_; }
  uint64_t mapped_size() const { return mapped_size_; }
  // Pointer to [offset, offset+length), or Corruption if out of bounds.
  Result<const uint8_t*> Read(uint64_t offset, uint64_t length) const;
  // Something that keeps the mapping and the pin alive (for Buffer::Wrap).
  std::shared_ptr<const void> keep_alive() const { return pin_; }

 private:
  friend class Pool;
  Snapshot() = default;
  uint64_t txn_id_ = 0;
  Extent root_;
  const uint8_t* base_ = nullptr;
  uint64_t mapped_size_ = 0;
  std::shared_ptr<const void> pin_;  // releases the reader slot and mapping
};

class Pool;

// A write transaction. Obtained from Pool::Begin(); exactly one may be open.
// Destroying it without Commit() aborts it: every extent it allocated returns
// to the free list and the pool is unchanged.
class Transaction {
 public:
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // The txn id this transaction will commit as.
  uint64_t txn_id() const;
  // The root of the state this transaction started from.
  Extent base_root() const;

  // Allocates `size` bytes (rounded up to whole pages, page-aligned).
  // OutOfSpace names the bytes asked for and the bytes free.
  Result<Extent> Allocate(uint64_t size);
  // Writable pointer to an extent allocated by this transaction; valid until
  // Commit or abort.
  uint8_t* Data(const Extent& e);
  // Read-only pointer into the state this transaction started from.
  Result<const uint8_t*> Read(uint64_t offset, uint64_t length) const;
  // Frees an extent (its length rounds up to whole pages): one of the base
  // state's (reusable once readers move past this txn) or one this
  // transaction allocated (reusable at once).
  Status Free(const Extent& e);

  // Persists every allocated extent, then publishes `root` as txn_id().
  Status Commit(const Extent& root, Durability durability = Durability::kSync);
  // Drops the transaction (also done by the destructor).
  void Abort();

 private:
  friend class Pool;
  struct State;
  explicit Transaction(Pool* pool);
  Pool* pool_;
  std::unique_ptr<State> state_;
};

class Pool {
 public:
  // Creates a new pool file of `capacity` bytes (sparse) and opens it as the
  // writer. Fails with AlreadyExists if `path` exists.
  static Result<std::unique_ptr<Pool>> Create(const std::string& path, uint64_t capacity,
                                              PoolOptions options = {});
  // Opens an existing pool as its single writer; Locked names the pid of the
  // process that holds the writer lock.
  static Result<std::unique_ptr<Pool>> Open(const std::string& path, PoolOptions options = {});
  // Opens an existing pool for reading; never blocks and is never blocked.
  static Result<std::unique_ptr<Pool>> OpenReadOnly(const std::string& path,
                                                    PoolOptions options = {});
  // Verifies a pool without opening it for writing: superblock, both meta
  // slots, free list, extents in bounds and not overlapping. `live` lists
  // extents the layer above references (may be empty).
  static CheckReport Check(const std::string& path, const std::vector<Extent>& live = {});

  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  const std::string& path() const;
  bool read_only() const;
  bool is_pmem() const;
  PoolInfo Info() const;

  // Pins the latest committed state.
  Result<Snapshot> Pin();

  // Writer: Corruption unless `e` (an extent the layer above references in
  // the current state; its length rounds up to whole pages) lies in the
  // allocated area and overlaps no free run and not the free list's own
  // extent: the allocator would hand such bytes out again while they are
  // still read. Open checks the root blob so; the layer above checks the
  // extents its root names. OK on a read-only pool, which allocates nothing.
  Status CheckInUse(const Extent& e) const;

  // Writer only. Starts a transaction (FailedPrecondition-like Invalid if one
  // is open or the pool is read-only).
  Result<std::unique_ptr<Transaction>> Begin();
  // Writer only, no open transaction: raises the capacity (file extended,
  // sparse) and commits it as a new txn.
  Status Grow(uint64_t new_capacity);
  // Writer only: makes the last kRelaxed commit durable (its meta slot).
  Status Sync();

 private:
  friend class Transaction;
  Pool();
  std::unique_ptr<PoolShared> s_;
};

}  // namespace quiver::pmem
