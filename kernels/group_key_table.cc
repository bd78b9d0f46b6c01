#include "kernels/group_key_table_internal.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace quiver::kernels::internal {

uint64_t HashBytes(const uint8_t* p, size_t n) { return XXH3_64bits(p, n); }

GroupKeyTable::GroupKeyTable(bool int_keys) : int_keys_(int_keys) {
  slots_ = SlotArray(64);
  mask_ = slots_.size() - 1;
  if (!int_keys_) offsets_.push_back(0);
}

void GroupKeyTable::Grow() { Rehash(slots_.size() * 2); }

void GroupKeyTable::Rehash(size_t slots) {
  SlotArray old = std::move(slots_);
  slots_ = SlotArray(slots);
  mask_ = slots_.size() - 1;
  if (!int_keys_) {
    // Every byte key has a slot: the groups in order, their hashes and
    // offsets read sequentially.
    for (size_t g = 0; g < hashes_.size(); ++g) {
      const uint64_t h = hashes_[g];
      size_t i = size_t(h) & mask_;
      while (slots_[i].gid >= 0) i = (i + 1) & mask_;
      slots_[i] = Slot{offsets_[g], int32_t(g), uint32_t(h >> 32)};
    }
    return;
  }
  // Int keys: the NULL group has no slot, so from the old slots.
  for (size_t j = 0; j < old.size(); ++j) {
    const Slot& s = old[j];
    if (s.gid < 0) continue;
    size_t i = size_t(MixInt(s.word)) & mask_;
    while (slots_[i].gid >= 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

void GroupKeyTable::Reserve(int64_t groups, int64_t key_bytes) {
  size_t want = slots_.size();
  while (want < size_t(groups) * 2 + 2) want *= 2;
  if (want > slots_.size()) Rehash(want);
  if (int_keys_) {
    ints_.reserve(size_t(groups));
  } else {
    hashes_.reserve(size_t(groups));
    offsets_.reserve(size_t(groups) + 1);
    arena_.reserve(size_t(key_bytes));
  }
}

int64_t GroupKeyTable::memory_bytes() const {
  return int64_t(slots_.size() * sizeof(Slot) + ints_.capacity() * 8 + hashes_.capacity() * 8 +
                 offsets_.capacity() * 8 + arena_.capacity());
}

}  // namespace quiver::kernels::internal
