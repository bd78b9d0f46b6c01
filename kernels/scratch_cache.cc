#include <unistd.h>

#include <algorithm>
#include <iterator>

#include "kernels/scratch_cache_internal.h"

namespace quiver::kernels::internal {

void* ScratchRanges::Take(size_t bytes, size_t most, size_t* len) {
  auto best = kept_.end();
  for (auto it = kept_.begin(); it != kept_.end(); ++it) {
    if (it->second.len >= bytes && (best == kept_.end() || it->second.len < best->second.len))
      best = it;
  }
  if (best == kept_.end()) return nullptr;
  const uintptr_t at = best->first;
  const Range r = best->second;
  kept_.erase(best);
  size_t take = r.len;
  if (take > std::max(bytes, most)) {
    // The front only: the rest stays kept, as old as the range it was.
    take = (bytes + unit_ - 1) / unit_ * unit_;
    kept_.emplace(at + take, Range{r.len - take, r.age});
  }
  bytes_ -= take;
  *len = take;
  return reinterpret_cast<void*>(at);
}

void* ScratchRanges::TakeLongest(size_t most, size_t* len) {
  auto best = kept_.end();
  for (auto it = kept_.begin(); it != kept_.end(); ++it) {
    if (best == kept_.end() || it->second.len > best->second.len) best = it;
  }
  if (best == kept_.end() || most == 0) return nullptr;
  return Take(std::min(best->second.len, most), most, len);
}

std::vector<std::pair<void*, size_t>> ScratchRanges::Give(void* p, size_t len) {
  std::vector<std::pair<void*, size_t>> drop;
  if (len > cap_) {
    drop.emplace_back(p, len);
    return drop;
  }
  uintptr_t at = reinterpret_cast<uintptr_t>(p);
  Range r{len, ++clock_};
  // Joins the kept neighbours: the next range, then the previous one.
  auto next = kept_.lower_bound(at);
  if (next != kept_.end() && next->first == at + r.len) {
    r.len += next->second.len;
    next = kept_.erase(next);
  }
  if (next != kept_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second.len == at) {
      at = prev->first;
      r.len += prev->second.len;
      kept_.erase(prev);
    }
  }
  kept_.emplace(at, r);
  bytes_ += len;
  while (bytes_ > cap_) {
    // Evicts from the range given back longest ago: its tail when that is
    // enough, else all of it.
    auto oldest = kept_.begin();
    for (auto it = kept_.begin(); it != kept_.end(); ++it) {
      if (it->second.age < oldest->second.age) oldest = it;
    }
    const size_t excess = (bytes_ - cap_ + unit_ - 1) / unit_ * unit_;
    Range& o = oldest->second;
    const size_t cut = std::min(excess, o.len);
    drop.emplace_back(reinterpret_cast<void*>(oldest->first + o.len - cut), cut);
    bytes_ -= cut;
    o.len -= cut;
    if (o.len == 0) kept_.erase(oldest);
  }
  return drop;
}

size_t ScratchCacheCap() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  constexpr size_t kLeast = size_t(256) << 20, kMost = size_t(4) << 30;
  if (pages <= 0 || page <= 0) return kLeast;
  return std::clamp(size_t(pages) * size_t(page) / 8, kLeast, kMost);
}

}  // namespace quiver::kernels::internal
