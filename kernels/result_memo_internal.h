// Results of an expensive string function (a regular expression) by input
// value, for one Exec over one batch: columns such as URLs and referers
// repeat values, and a repeated value reuses the earlier result instead of
// running the expression again. Used by kernels/fn_regex.cc; not an API for
// other layers.
//
// Keys are views of the input column and results are positions in the
// caller's output (both must stay valid for the memo's life). The memo holds
// at most half its slots and stops adding when full; it switches itself off
// when the first rows show few repeats (then every row runs the function,
// at the cost of a hash for those first rows only).
//
// Thread-safety: one object per Exec (one thread).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "kernels/group_key_table_internal.h"

namespace quiver::kernels::internal {

class ResultMemo {
 public:
  // For a batch of `rows` rows.
  explicit ResultMemo(int64_t rows) {
    size_t cap = 64;
    while (cap < size_t(rows) * 2 && cap < kMaxSlots) cap *= 2;
    slots_.resize(cap);
    mask_ = cap - 1;
  }

  bool enabled() const { return enabled_; }

  // The result stored for `key` into *begin/*len; false when there is none.
  // Call Add after a miss (with the same hash).
  bool Find(std::string_view key, uint64_t* hash, uint32_t* begin, uint32_t* len) {
    const uint64_t h = HashBytes(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    *hash = h;
    ++lookups_;
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == nullptr) break;
      if (s.hash == h && s.key_len == key.size() &&
          std::memcmp(s.key, key.data(), key.size()) == 0) {
        ++hits_;
        *begin = s.begin;
        *len = s.len;
        return true;
      }
    }
    if (lookups_ == kProbeRows && hits_ * 8 < lookups_) enabled_ = false;
    return false;
  }

  void Add(std::string_view key, uint64_t hash, uint32_t begin, uint32_t len) {
    if (used_ * 2 >= slots_.size() || key.data() == nullptr) return;
    size_t i = hash & mask_;
    while (slots_[i].key != nullptr) i = (i + 1) & mask_;
    slots_[i] = Slot{hash, key.data(), uint32_t(key.size()), begin, len};
    ++used_;
  }

 private:
  static constexpr size_t kMaxSlots = size_t(1) << 15;
  static constexpr int64_t kProbeRows = 2048;  // rows looked up before deciding to stay on
  struct Slot {
    uint64_t hash = 0;
    const char* key = nullptr;  // null: empty slot
    uint32_t key_len = 0;
    uint32_t begin = 0;
    uint32_t len = 0;
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t used_ = 0;
  int64_t lookups_ = 0;
  int64_t hits_ = 0;
  bool enabled_ = true;
};

}  // namespace quiver::kernels::internal
