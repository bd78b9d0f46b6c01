// Results of an expensive string function (a regular expression) by input
// value, kept across the batches of one query: columns such as URLs and
// referers repeat values, and a repeated value reuses the earlier result
// instead of running the expression again. Used by kernels/fn_regex.cc; not
// an API for other layers.
//
// A ResultCache belongs to one thread and one bound function (one query's
// expression): ResultCaches hands each thread its own, once per batch, and
// they are freed with the bound function. Keys and results are copied into
// the cache's own bytes (a batch's column and output do not outlive it). A
// cache holds at most PerThreadBytes() of them (and one entry per 64 bytes)
// and stops adding when full. It switches itself off when its first kProbeRows
// lookups find few repeats (every row then runs the function), and tries
// again every kRetryBatches batches.
//
// Why across batches: a batch of 64K referers of ClickBench's hits holds
// about a third distinct values, the whole million rows one in nine; a
// per-batch memo ran the expression for every value new to the batch.
//
// Thread-safety: ResultCaches::Mine may be called from any thread; each
// ResultCache is used by the one thread it was handed to.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace quiver::kernels::internal {

class ResultCache {
 public:
  // At most max_bytes of keys and results, and one entry per 64 of them.
  explicit ResultCache(size_t max_bytes) : max_bytes_(max_bytes), max_entries_(max_bytes / 64) {}

  // Called before each batch (the retry count of a cache switched off).
  void StartBatch() {
    if (enabled_ || --retry_in_ > 0) return;
    enabled_ = true;
    lookups_ = hits_ = 0;
  }
  bool enabled() const { return enabled_; }

  // The result stored for `key` (h: its HashBytes) into *value, which stays
  // valid until the next Add; false when there is none.
  bool Find(std::string_view key, uint64_t h, std::string_view* value) {
    ++lookups_;
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.key_len == kEmpty) break;
      if (s.hash == h && s.key_len == key.size() &&
          std::memcmp(arena_.data() + s.at, key.data(), key.size()) == 0) {
        ++hits_;
        *value = std::string_view(arena_.data() + s.at + s.key_len, s.value_len);
        return true;
      }
    }
    if (lookups_ == kProbeRows && hits_ * 8 < lookups_) {
      enabled_ = false;
      retry_in_ = kRetryBatches;
    }
    return false;
  }

  // Hints into the cache the slot a Find of hash h starts at; and, some rows
  // later, the stored key bytes that Find will compare (when the slot holds
  // h). A cache of many long values is not in the CPU's cache.
  void PrefetchSlot(uint64_t h) const { __builtin_prefetch(&slots_[h & (slots_.size() - 1)]); }
  void PrefetchKey(uint64_t h) const {
    const Slot& s = slots_[h & (slots_.size() - 1)];
    if (s.key_len != kEmpty && s.hash == h) {
      __builtin_prefetch(arena_.data() + s.at);
      __builtin_prefetch(arena_.data() + s.at + 64);
    }
  }

  // Keeps `value` as the result of `key` (after a Find that missed, same h).
  void Add(std::string_view key, uint64_t h, std::string_view value) {
    if (used_ >= max_entries_ || arena_.size() + key.size() + value.size() > max_bytes_) return;
    if ((used_ + 1) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    size_t i = h & mask;
    while (slots_[i].key_len != kEmpty) i = (i + 1) & mask;
    slots_[i] = Slot{h, uint32_t(arena_.size()), uint32_t(key.size()), uint32_t(value.size())};
    arena_.append(key);
    arena_.append(value);
    ++used_;
  }

  size_t entries() const { return used_; }

 private:
  static constexpr int64_t kProbeRows = 2048;  // lookups before deciding to stay on
  static constexpr int kRetryBatches = 16;
  static constexpr uint32_t kEmpty = UINT32_MAX;  // key_len of an empty slot
  struct Slot {
    uint64_t hash = 0;
    uint32_t at = 0;  // the key's bytes, then the value's, in arena_
    uint32_t key_len = kEmpty;
    uint32_t value_len = 0;
  };

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key_len == kEmpty) continue;
      size_t i = s.hash & mask;
      while (slots_[i].key_len != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  const size_t max_bytes_, max_entries_;
  std::vector<Slot> slots_ = std::vector<Slot>(1024);
  std::string arena_;
  size_t used_ = 0;
  int64_t lookups_ = 0;
  int64_t hits_ = 0;
  int retry_in_ = 0;
  bool enabled_ = true;
};

// The ResultCache of each thread that evaluates one bound function.
class ResultCaches {
 public:
  ResultCache* Mine() {
    std::lock_guard<std::mutex> lock(mu_);
    std::unique_ptr<ResultCache>& c = by_thread_[std::this_thread::get_id()];
    if (!c) c = std::make_unique<ResultCache>(PerThreadBytes());
    return c.get();
  }
  // 32 MiB of keys and results for one function over all the threads a
  // machine has, between 512 KiB and 8 MiB a thread (8 MiB held a hit rate
  // as good as 16 MiB on 10M rows of ClickBench's referers).
  static size_t PerThreadBytes() {
    static const size_t bytes = [] {
      const size_t hw = std::max(1u, std::thread::hardware_concurrency());
      return std::clamp((size_t(32) << 20) / hw, size_t(512) << 10, size_t(8) << 20);
    }();
    return bytes;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::thread::id, std::unique_ptr<ResultCache>> by_thread_;
};

}  // namespace quiver::kernels::internal
