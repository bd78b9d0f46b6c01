// PartitionLists: the append-only lists of GroupByState's radix mode
// (kernels/group_by_radix.cc), one per hash partition, carved out of one
// scratch block (TakeScratch: huge pages, and a block an earlier query
// released is reused with its pages already faulted in). Each list has a
// fixed capacity; a full list is emptied by its owner (folded into that
// partition's table) before the next append.
//
// Why not a growing vector per partition: measured on ClickBench's GROUP BY
// UserID (10M rows), 64 vectors doubling through malloc spent a tenth of the
// query's CPU in page faults, copies and the TLB shootdowns of freeing old
// mappings; lists that never move or grow spend none.
//
// Thread-safety: appends and clear(p) touch list p only, so different
// partitions may be read and cleared on different threads at once.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "kernels/group_key_table_internal.h"

namespace quiver::kernels::internal {

template <typename Entry>
class PartitionLists {
 public:
  PartitionLists() = default;
  // `parts` lists of `per_part` entries each (per_part >= 1).
  PartitionLists(size_t parts, size_t per_part) : per_(per_part) {
    const size_t bytes = ScratchLength(parts * per_part * sizeof(Entry));
    // Written in order before read, and maybe in small part: not faulted
    // in ahead (a new page's first touch is a write, which maps it).
    base_ = static_cast<Entry*>(TakeScratch(bytes, bytes, &len_, nullptr, /*populate=*/false));
    cur_.resize(parts);
    for (size_t p = 0; p < parts; ++p) cur_[p] = base_ + p * per_;
  }
  PartitionLists(PartitionLists&& o) noexcept { *this = std::move(o); }
  PartitionLists& operator=(PartitionLists&& o) noexcept {
    if (this != &o) {
      Release();
      base_ = std::exchange(o.base_, nullptr);
      len_ = std::exchange(o.len_, 0);
      per_ = std::exchange(o.per_, 0);
      cur_ = std::move(o.cur_);
      o.cur_.clear();
    }
    return *this;
  }
  PartitionLists(const PartitionLists&) = delete;
  PartitionLists& operator=(const PartitionLists&) = delete;
  ~PartitionLists() { Release(); }

  bool empty() const { return base_ == nullptr; }
  size_t parts() const { return cur_.size(); }
  const Entry* data(size_t p) const { return base_ + p * per_; }
  size_t size(size_t p) const { return size_t(cur_[p] - data(p)); }
  void clear(size_t p) { cur_[p] = base_ + p * per_; }
  // Appends e to list p, which must not be full; returns whether it is now.
  bool Push(size_t p, const Entry& e) {
    Entry* c = cur_[p];
    *c = e;
    cur_[p] = ++c;
    return c == base_ + (p + 1) * per_;
  }
  // The bytes the lists hold (what was appended, not the block's length:
  // its untouched pages take no memory).
  size_t used_bytes() const {
    size_t n = 0;
    for (size_t p = 0; p < cur_.size(); ++p) n += size(p);
    return n * sizeof(Entry);
  }
  void Release() {
    if (base_ != nullptr) GiveScratch(base_, len_);
    base_ = nullptr;
    len_ = 0;
    cur_.clear();
  }

 private:
  Entry* base_ = nullptr;
  size_t len_ = 0;
  size_t per_ = 0;
  std::vector<Entry*> cur_;  // list p's end
};

}  // namespace quiver::kernels::internal
