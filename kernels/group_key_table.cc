#include "kernels/group_key_table_internal.h"
#include "kernels/scratch_cache_internal.h"

#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace quiver::kernels::internal {
namespace {

// Growth: by 4 while the table has fewer than 2^18 slots (4 MiB of 16-byte
// slots; 100000 groups then rehash 44000 keys on the way instead of 109000),
// by 2 once it is large (memory).
constexpr size_t kGrowBy4Slots = size_t(1) << 18;

// madvise's MADV_POPULATE_WRITE (Linux 5.14), which older headers lack.
#ifdef MADV_POPULATE_WRITE
constexpr int kPopulateWrite = MADV_POPULATE_WRITE;
#else
constexpr int kPopulateWrite = 23;
#endif

// Released scratch blocks, kept up to ScratchCacheCap() bytes in all (see
// kernels/scratch_cache_internal.h).
struct BlockCache {
  std::mutex mu;
  ScratchRanges kept{kScratchBytes, ScratchCacheCap()};
};
BlockCache& Cache() {
  static BlockCache* cache = new BlockCache;  // never destroyed: used until exit
  return *cache;
}

// A mapping of len bytes (a multiple of kScratchBytes) aligned to
// kScratchBytes, huge pages asked for; not faulted in.
void* ReserveAligned(size_t len) {
  // Maps a huge page more than asked, then unmaps the ends.
  void* m = mmap(nullptr, len + kScratchBytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) throw std::bad_alloc();
  const uintptr_t at = reinterpret_cast<uintptr_t>(m);
  const uintptr_t start = (at + kScratchBytes - 1) / kScratchBytes * kScratchBytes;
  if (start > at) munmap(m, start - at);
  const uintptr_t end = start + len, map_end = at + len + kScratchBytes;
  if (map_end > end) munmap(reinterpret_cast<void*>(end), map_end - end);
  void* p = reinterpret_cast<void*>(start);
#ifdef MADV_HUGEPAGE
  madvise(p, len, MADV_HUGEPAGE);
#endif
  return p;
}

// A block of len bytes for a request no one kept range fits: kept ranges
// moved into a fresh mapping (mremap moves their pages, no copy), the rest
// faulted in. On this VM the kernel's zeroing of fresh pages costs far more
// than a memset of kept ones. *fresh: whether no kept page was used.
// `populate`: the fresh pages are faulted in for writing now.
void* Assemble(size_t len, bool* fresh, bool populate) {
  char* p = static_cast<char*>(ReserveAligned(len));
  size_t off = 0;
  while (off < len) {
    size_t n = 0;
    void* piece = nullptr;
    {
      BlockCache& c = Cache();
      std::lock_guard<std::mutex> lock(c.mu);
      piece = c.kept.TakeLongest(len - off, &n);
    }
    if (piece == nullptr) break;
    if (mremap(piece, n, n, MREMAP_MAYMOVE | MREMAP_FIXED, p + off) == MAP_FAILED) {
      munmap(piece, n);
      break;
    }
    off += n;
  }
  *fresh = off == 0;
  // Faulted in for writing now, in one call: a table is read before it is
  // written (a probe finds an empty slot), and a first read maps the shared
  // zero page, which the first write then replaces, flushing the TLB of
  // every core running the process — a tenth of a million-group query's
  // CPU. Before Linux 5.14 the call fails and the pages fault in lazily.
  if (populate && off < len) madvise(p + off, len - off, kPopulateWrite);
  return p;
}

}  // namespace

uint64_t HashBytes(const uint8_t* p, size_t n) { return XXH3_64bits(p, n); }

void* TakeScratch(size_t bytes, size_t most, size_t* len, bool* fresh, bool populate) {
  {
    BlockCache& c = Cache();
    std::lock_guard<std::mutex> lock(c.mu);
    if (void* p = c.kept.Take(bytes, most, len)) {
      if (fresh) *fresh = false;
      return p;
    }
  }
  *len = ScratchLength(bytes);
  bool all_fresh = true;
  void* p = Assemble(*len, &all_fresh, populate);
  if (fresh) *fresh = all_fresh;
  return p;
}

void GiveScratch(void* p, size_t len) {
  std::vector<std::pair<void*, size_t>> drop;
  {
    BlockCache& c = Cache();
    std::lock_guard<std::mutex> lock(c.mu);
    drop = c.kept.Give(p, len);
  }
  for (const auto& [q, n] : drop) munmap(q, n);
}

ZeroedBlock::ZeroedBlock(size_t bytes) : bytes_(bytes) {
  if (bytes == 0) return;
  if (bytes >= kScratchBytes) {
    // A kept block up to 4 times as long will do (slot arrays are powers of
    // two): zeroed here; a fresh one is zero pages.
    size_t len = 0;
    bool fresh = false;
    p_ = TakeScratch(bytes, 4 * ScratchLength(bytes), &len, &fresh);
    if (!fresh) std::memset(p_, 0, bytes);
    bytes_ = len;
    mapped_ = true;
    return;
  }
  // malloc and memset, not calloc: calloc leaves fresh heap pages
  // untouched, and a table's first read of one maps the zero page, which
  // its first write replaces with a fault and a flush of every core's TLB
  // (see Assemble). GCC folds malloc + memset into calloc; the empty asm,
  // which may read the block, keeps the memset.
  p_ = std::malloc(bytes);
  if (p_ == nullptr) throw std::bad_alloc();
  asm volatile("" : : "r"(p_) : "memory");
  std::memset(p_, 0, bytes);
}

void ZeroedBlock::Release() {
  if (p_ == nullptr) return;
  if (mapped_)
    GiveScratch(p_, bytes_);
  else
    std::free(p_);
  p_ = nullptr;
  bytes_ = 0;
}

GroupKeyTable::GroupKeyTable(KeyKind kind) : kind_(kind) {
  slots_ = SlotArray<Slot>(64);
  mask_ = 63;
  if (kind_ == KeyKind::kWide) {
    wide_slots_ = SlotArray<WideSlot>(16);
    wide_mask_ = 15;
  }
  if (kind_ == KeyKind::kBytes) offsets_.push_back(0);
}

void GroupKeyTable::Grow() {
  const size_t n = slots_.size();
  Rehash(n < kGrowBy4Slots ? n * 4 : n * 2);
}

void GroupKeyTable::RehashWide(size_t slots) {
  SlotArray<WideSlot> old = std::move(wide_slots_);
  wide_slots_ = SlotArray<WideSlot>(slots);
  wide_mask_ = slots - 1;
  for (size_t j = 0; j < old.size(); ++j) {
    const WideSlot& s = old[j];
    if (s.id1 == 0) continue;
    size_t i = size_t(MixPacked(PackedKey{s.lo, s.hi, s.nulls})) & wide_mask_;
    while (wide_slots_[i].id1 != 0) i = (i + 1) & wide_mask_;
    wide_slots_[i] = s;
  }
}

void GroupKeyTable::Rehash(size_t slots) {
  mask_ = slots - 1;
  SlotArray<Slot> old = std::move(slots_);
  slots_ = SlotArray<Slot>(slots);
  if (kind_ == KeyKind::kBytes) {
    // Every byte key has a slot: the groups in order, their hashes and
    // offsets read sequentially.
    old = SlotArray<Slot>();
    for (size_t g = 0; g < hashes_.size(); ++g) {
      const uint64_t h = hashes_[g];
      size_t i = size_t(h) & mask_;
      while (slots_[i].id1 != 0) i = (i + 1) & mask_;
      slots_[i] = Slot{offsets_[g], uint32_t(g) + 1, uint32_t(h >> 32)};
    }
    return;
  }
  // Int keys (the NULL group has no slot) and wide keys (some are in the
  // 32-byte slots): from the old slots.
  const bool wide = kind_ == KeyKind::kWide;
  for (size_t j = 0; j < old.size(); ++j) {
    const Slot& s = old[j];
    if (s.id1 == 0) continue;
    const uint64_t h = wide ? MixPacked(PackedKey{s.word, s.tag, 0}) : MixInt(s.word);
    size_t i = size_t(h) & mask_;
    while (slots_[i].id1 != 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

void GroupKeyTable::Reserve(int64_t groups, int64_t key_bytes) {
  size_t want = slots_.size();
  while (want < size_t(groups) * 2 + 2) want *= 2;
  if (want > slots_.size()) Rehash(want);
  switch (kind_) {
    case KeyKind::kInt: ints_.reserve(size_t(groups)); break;
    case KeyKind::kWide: wides_.reserve(size_t(groups)); break;
    case KeyKind::kBytes:
      hashes_.reserve(size_t(groups));
      offsets_.reserve(size_t(groups) + 1);
      arena_.reserve(size_t(key_bytes));
      break;
  }
}

int64_t GroupKeyTable::memory_bytes() const {
  return int64_t(slots_.size() * sizeof(Slot) + wide_slots_.size() * sizeof(WideSlot) +
                 ints_.capacity() * 8 + wides_.capacity() * sizeof(PackedKey) +
                 hashes_.capacity() * 8 + offsets_.capacity() * 8 + arena_.capacity());
}

}  // namespace quiver::kernels::internal
