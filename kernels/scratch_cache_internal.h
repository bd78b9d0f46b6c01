// ScratchRanges: the bookkeeping of the released scratch blocks that the
// group tables and COUNT(DISTINCT) sets keep for the next table (see
// TakeScratch in group_key_table_internal.h). It holds address ranges only
// and makes no system call: the caller maps what Take cannot serve and unmaps
// what Give evicts. Not thread-safe: the caller holds a lock.
//
// A range is a multiple of `unit` bytes (the huge page size) at an address
// aligned to it. A request takes the smallest kept range that fits and, when
// that is longer than the caller's `most`, only the front it asked for: the
// rest stays kept. A range given back joins its kept neighbours, so blocks of
// one query's sizes serve the next query's other sizes. Kept bytes never pass
// `cap`: Give evicts the ranges given back longest ago first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace quiver::kernels::internal {

class ScratchRanges {
 public:
  ScratchRanges(size_t unit, size_t cap) : unit_(unit), cap_(cap) {}

  // A kept range of at least `bytes` (a multiple of unit), or nullptr; *len
  // gets its length, at most max(bytes, most) (the front of a longer range).
  void* Take(size_t bytes, size_t most, size_t* len);
  // The front, up to `most` bytes (a multiple of unit), of the longest kept
  // range, or nullptr when none is kept; *len gets its length. For a request
  // that no one range fits: the caller moves pieces into one fresh mapping.
  void* TakeLongest(size_t most, size_t* len);
  // Keeps [p, p + len); returns the ranges evicted to stay within the cap
  // (the range itself when it is longer than the cap), for the caller to
  // unmap.
  std::vector<std::pair<void*, size_t>> Give(void* p, size_t len);

  size_t bytes() const { return bytes_; }
  size_t ranges() const { return kept_.size(); }

 private:
  struct Range {
    size_t len;
    uint64_t age;  // when it was last given back
  };
  size_t unit_, cap_;
  std::map<uintptr_t, Range> kept_;  // by address, never adjacent
  size_t bytes_ = 0;
  uint64_t clock_ = 0;
};

// The cap for this machine: an eighth of its physical memory, at least
// 256 MiB and at most 4 GiB. At 10M ClickBench rows on 2 threads, a GROUP BY
// of millions of keys (Q17, Q33) holds 1.5 to 3 GiB of blocks at once; a
// smaller cap maps (and the kernel zeroes) the difference on every query.
size_t ScratchCacheCap();

}  // namespace quiver::kernels::internal
