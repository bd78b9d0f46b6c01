// Transactions: the extent allocator and the commit protocol.
//
// Commit, in order (README "Commit protocol"):
//   1. the new free list is computed; extents freed now are tagged with this
//      txn and are reused only when no reader pins an older txn and a durable
//      commit has made their freeing durable;
//   2. every extent the transaction wrote is persisted (relaxed commits too:
//      the page cache may write a meta page back at any moment, so nothing a
//      meta slot references may be left unpersisted);
//   3. the new meta slot is written into the slot that does not hold the
//      newest durable state, and — for a sync commit — persisted. A relaxed
//      commit skips only this persist; Pool::Sync or the next sync commit
//      makes it durable.
// A persist that fails is never acknowledged: the slot's old bytes are put
// back, and the pool refuses every later write until reopened.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "pmem/pool_internal.h"

namespace quiver::pmem {

Transaction::Transaction(Pool* pool) : pool_(pool), state_(std::make_unique<State>()) {}

Transaction::~Transaction() { Abort(); }

uint64_t Transaction::txn_id() const { return state_->txn; }
Extent Transaction::base_root() const {
  return {state_->base.root_offset, state_->base.root_length};
}

void Transaction::Abort() {
  if (state_->done) return;
  state_->done = true;
  std::lock_guard<std::mutex> g(pool_->s_->mu);
  pool_->s_->txn_open = false;
}

Result<std::unique_ptr<Transaction>> Pool::Begin() {
  QUIVER_RETURN_NOT_OK(s_->CheckWritable());
  std::unique_ptr<Transaction> t(new Transaction(this));
  uint64_t oldest = s_->OldestPin();
  std::lock_guard<std::mutex> g(s_->mu);
  if (s_->txn_open) return Status::Invalid("a transaction is already open on " + s_->path);
  s_->txn_open = true;
  Transaction::State& st = *t->state_;
  st.base = s_->current;
  st.txn = s_->current.txn_id + 1;
  st.high_water = s_->current.high_water;
  st.capacity = s_->current.capacity;
  st.mapping = s_->mapping;
  // Runs freed by txn T become reusable once no reader pins a txn < T and
  // T's freeing is durable (else a power loss could bring back a state that
  // references them). Normalise those to 0 and merge neighbours.
  uint64_t reusable_upto = std::min(oldest, s_->durable_txn);
  st.free = s_->free;
  for (auto it = st.free.begin(); it != st.free.end();) {
    if (it->second.freed_txn != 0 && it->second.freed_txn <= reusable_upto) {
      it->second.freed_txn = 0;
    }
    if (it != st.free.begin()) {
      auto prev = std::prev(it);
      if (prev->second.freed_txn == 0 && it->second.freed_txn == 0 &&
          prev->first + prev->second.length == it->first) {
        prev->second.length += it->second.length;
        it = st.free.erase(it);
        continue;
      }
    }
    ++it;
  }
  return t;
}

namespace {

Status FullError(const std::string& path, const FreeMap& free, uint64_t capacity,
                 uint64_t high_water, uint64_t size) {
  uint64_t free_total = capacity - high_water, largest = capacity - high_water;
  for (auto& [off, run] : free) {
    if (run.freed_txn == 0) {
      free_total += run.length;
      largest = std::max(largest, run.length);
    }
  }
  return Status::OutOfSpace("pool " + path + " is full: asked for " + std::to_string(size) +
                            " bytes, " + std::to_string(free_total) +
                            " bytes free (largest free extent " + std::to_string(largest) +
                            ") of capacity " + std::to_string(capacity));
}

}  // namespace

Result<Extent> Transaction::Allocate(uint64_t size) {
  State& st = *state_;
  if (st.done) return Status::Invalid("transaction is finished");
  if (size == 0) return Status::Invalid("cannot allocate 0 bytes");
  uint64_t need = RoundUpPage(size);
  if (need < size) return Status::OutOfSpace("allocation of " + std::to_string(size) + " bytes");
  // First fit among runs that are reusable now.
  for (auto it = st.free.begin(); it != st.free.end(); ++it) {
    if (it->second.freed_txn != 0 || it->second.length < need) continue;
    Extent e{it->first, need};
    FreeRun rest{it->second.length - need, 0};
    st.free.erase(it);
    if (rest.length > 0) st.free.emplace(e.offset + need, rest);
    st.allocated.push_back(e);
    return e;
  }
  PoolShared& s = *pool_->s_;
  if (st.high_water + need > st.capacity) {
    uint64_t step = s.options.auto_grow_step;
    if (step == 0) return FullError(s.path, st.free, st.capacity, st.high_water, size);
    uint64_t target = std::max({st.capacity * 2, st.capacity + step, st.high_water + need});
    target = RoundUpPage(target);
    QUIVER_RETURN_NOT_OK(s.device->Resize(s.fd, target, s.path));
    // The new size is durable before any meta slot that claims it.
    Status synced = s.device->SyncFile(s.fd, s.path);
    if (!synced.ok()) return s.Fail(synced);
    // If mapping fails, the file is longer but the state still says the old
    // capacity; the next grow or open will use the space.
    QUIVER_ASSIGN_OR_RETURN(auto mapped, Mapping::MapWritable(s.device, s.fd, s.path));
    st.old_mappings.push_back(st.mapping);
    st.mapping = mapped;
    st.capacity = target;
  }
  // Reserve the blocks now: writing through a mapping into a hole of a full
  // disk would raise SIGBUS; the reservation reports ENOSPC instead.
  QUIVER_RETURN_NOT_OK(s.device->Reserve(s.fd, st.high_water, need, s.path));
  st.mapping->Prefault(st.high_water, need);
  Extent e{st.high_water, need};
  st.high_water += need;
  st.allocated.push_back(e);
  return e;
}

uint8_t* Transaction::Data(const Extent& e) { return state_->mapping->base() + e.offset; }

Result<const uint8_t*> Transaction::Read(uint64_t offset, uint64_t length) const {
  const State& st = *state_;
  if (offset > st.high_water || length > st.high_water - offset) {
    return Status::Corruption("reference " + Range(offset, length) +
                              " reaches beyond the allocated area of " + pool_->s_->path);
  }
  return st.mapping->base() + offset;
}

Status Transaction::Free(const Extent& exact) {
  State& st = *state_;
  if (st.done) return Status::Invalid("transaction is finished");
  if (exact.length == 0) return Status::OK();
  // Extents are whole pages; callers may name the bytes they used.
  const Extent e{exact.offset, RoundUpPage(exact.length)};
  if (e.offset % kPageSize != 0 || e.offset < kDataStart || e.end() > st.high_water) {
    return Status::Invalid("cannot free " + Range(e.offset, e.length) +
                           ": not an allocated extent");
  }
  // Refuse double frees: the range must not overlap a free run.
  auto it = st.free.upper_bound(e.offset);
  if (it != st.free.end() && it->first < e.end()) {
    return Status::Internal("double free of " + Range(e.offset, e.length));
  }
  if (it != st.free.begin()) {
    auto prev = std::prev(it);
    if (prev->first + prev->second.length > e.offset) {
      return Status::Internal("double free of " + Range(e.offset, e.length));
    }
  }
  auto mine = std::find(st.allocated.begin(), st.allocated.end(), e);
  if (mine != st.allocated.end()) {
    // Allocated by this very transaction: no state references it.
    st.allocated.erase(mine);
    InsertFree(st.free, e.offset, e.length, 0);
    return Status::OK();
  }
  for (const Extent& f : st.freed) {
    if (f.offset < e.end() && e.offset < f.end()) {
      return Status::Internal("double free of " + Range(e.offset, e.length));
    }
  }
  st.freed.push_back(e);
  return Status::OK();
}

namespace {

std::vector<Extent> MergeRanges(std::vector<Extent> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const Extent& a, const Extent& b) { return a.offset < b.offset; });
  std::vector<Extent> merged;
  for (const Extent& r : ranges) {
    if (!merged.empty() && merged.back().end() >= r.offset) {
      merged.back().length = std::max(merged.back().end(), r.end()) - merged.back().offset;
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

// Persists the extents a transaction wrote.
Status PersistExtents(const Mapping& m, const std::vector<Extent>& written) {
  std::vector<Extent> merged = MergeRanges(written);
  if (merged.empty()) return Status::OK();
  if (m.is_pmem()) {
    // Cache flushes cost per byte: flush exactly the ranges.
    for (const Extent& r : merged) QUIVER_RETURN_NOT_OK(m.Persist(r.offset, r.length));
    return Status::OK();
  }
  // msync costs per call and writes back only dirty pages: one call over the
  // whole span (pages between the ranges are clean).
  uint64_t lo = merged.front().offset, hi = merged.back().end();
  return m.Persist(lo, hi - lo);
}

}  // namespace

Status Transaction::Commit(const Extent& root, Durability durability) {
  State& st = *state_;
  if (st.done) return Status::Invalid("transaction is finished");
  PoolShared& s = *pool_->s_;
  auto fail = [&](Status why) {
    Abort();
    return why;
  };
  Status writable = s.CheckWritable();
  if (!writable.ok()) return fail(writable);
  if (!root.empty() &&
      (root.offset < kDataStart || root.end() > st.high_water || root.offset % kPageSize != 0)) {
    return fail(Status::Invalid("root " + Range(root.offset, root.length) +
                                " is not at the start of an allocated extent"));
  }
  // The new free list: runs not allocated, the base state's extents freed
  // now, and the old free list blob itself, freed the same way.
  FreeMap next = st.free;
  for (const Extent& f : st.freed) InsertFree(next, f.offset, f.length, st.txn);
  if (st.base.freelist_length != 0) {
    InsertFree(next, st.base.freelist_offset, st.base.freelist_length, st.txn);
  }
  // A short list goes inline into the meta slot's page; a long one into an
  // extent of its own.
  Extent list_extent;
  std::vector<FreeEntry> inline_entries;
  st.free = std::move(next);
  if (st.free.size() <= kInlineFreeEntries) {
    for (const auto& [off, run] : st.free) {
      inline_entries.push_back({off, run.length, run.freed_txn});
    }
  } else {
    auto e = Allocate(FreeListBytes(st.free.size()));
    if (!e.ok()) return fail(e.status());
    list_extent = *e;
    EncodeFreeList(st.free, Data(list_extent));
  }

  Status ps = PersistExtents(*st.mapping, st.allocated);
  if (!ps.ok()) return fail(s.Fail(ps));

  MetaSlot m{};
  m.magic = kMetaMagic;
  m.txn_id = st.txn;
  m.capacity = st.capacity;
  m.high_water = st.high_water;
  m.root_offset = root.offset;
  m.root_length = root.length;
  m.freelist_offset = list_extent.offset;
  m.freelist_length = list_extent.length;
  m.commit_time_ns = NowNs();
  std::memcpy(m.uuid, s.sb.uuid, 16);
  int slot;
  {
    std::lock_guard<std::mutex> g(s.mu);
    slot = 1 - s.durable_slot;
  }
  uint8_t* page = st.mapping->base() + kMetaOffset[slot];
  uint64_t inline_bytes = inline_entries.size() * sizeof(FreeEntry);
  std::vector<uint8_t> old_page(page, page + kPageSize);
  if (!inline_entries.empty()) std::memcpy(page + sizeof m, inline_entries.data(), inline_bytes);
  m.inline_free_count = uint32_t(inline_entries.size());
  m.inline_free_crc = inline_entries.empty() ? 0 : Crc32(page + sizeof m, inline_bytes);
  m.checksum = MetaCrc(m);
  std::memcpy(page, &m, sizeof m);
  if (durability == Durability::kSync) {
    ps = st.mapping->Persist(kMetaOffset[slot], sizeof m + inline_bytes);
    if (!ps.ok()) {
      // Never acknowledged: put the slot back as it was, so that neither a
      // reader nor a later writeback publishes it (best effort: the device
      // failed). Readers never pin above the acknowledged txn anyway.
      std::memcpy(page, old_page.data(), kPageSize);
      return fail(s.Fail(ps));
    }
  }

  {
    std::lock_guard<std::mutex> g(s.mu);
    if (durability == Durability::kSync) {
      s.durable_txn = st.txn;
      s.durable_slot = slot;
    }
    s.current = m;
    s.current_slot = slot;
    s.free = std::move(st.free);
    s.mapping = st.mapping;
    s.txn_open = false;
    st.done = true;
  }
  s.table->SetAcked(st.txn);
  return Status::OK();
}

}  // namespace quiver::pmem
