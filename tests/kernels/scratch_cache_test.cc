// ScratchRanges (kernels/scratch_cache_internal.h): the kept scratch blocks,
// over made-up addresses (it makes no system call), and TakeScratch /
// GiveScratch over real mappings.
#include <malloc.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "kernels/group_key_table_internal.h"
#include "kernels/scratch_cache_internal.h"

namespace {

using quiver::kernels::internal::ScratchRanges;

constexpr size_t kUnit = 1 << 20;
// A made-up, unit-aligned address: unit i of an imaginary mapping.
void* At(size_t i) { return reinterpret_cast<void*>(uintptr_t(1) << 40 | i * kUnit); }

}  // namespace

TEST_CASE("Kept scratch ranges serve a smaller request from the front of the best fit",
          "[kernels]") {
  ScratchRanges r(kUnit, 100 * kUnit);
  REQUIRE(r.Give(At(0), 8 * kUnit).empty());
  REQUIRE(r.Give(At(20), 4 * kUnit).empty());
  size_t len = 0;
  // 3 units: the 4-unit range is the smallest that fits; `most` lets the
  // caller take all of it.
  CHECK(r.Take(3 * kUnit, 4 * kUnit, &len) == At(20));
  CHECK(len == 4 * kUnit);
  // 2 units, no more: the front of the 8-unit range, the rest stays kept.
  CHECK(r.Take(2 * kUnit, 2 * kUnit, &len) == At(0));
  CHECK(len == 2 * kUnit);
  CHECK(r.bytes() == 6 * kUnit);
  CHECK(r.Take(6 * kUnit, 6 * kUnit, &len) == At(2));
  CHECK(len == 6 * kUnit);
  CHECK(r.Take(kUnit, kUnit, &len) == nullptr);
  CHECK(r.bytes() == 0);
}

TEST_CASE("Kept scratch ranges given back next to each other serve one larger request",
          "[kernels]") {
  ScratchRanges r(kUnit, 100 * kUnit);
  // Out of order: each joins the neighbour before it, after it, or both.
  REQUIRE(r.Give(At(4), 2 * kUnit).empty());
  REQUIRE(r.Give(At(0), 2 * kUnit).empty());
  REQUIRE(r.Give(At(8), 2 * kUnit).empty());
  CHECK(r.ranges() == 3);
  REQUIRE(r.Give(At(2), 2 * kUnit).empty());
  CHECK(r.ranges() == 2);
  REQUIRE(r.Give(At(6), 2 * kUnit).empty());
  CHECK(r.ranges() == 1);
  size_t len = 0;
  CHECK(r.Take(10 * kUnit, 10 * kUnit, &len) == At(0));
  CHECK(len == 10 * kUnit);
}

TEST_CASE("Kept scratch ranges stay within the cap, evicting the oldest first", "[kernels]") {
  ScratchRanges r(kUnit, 10 * kUnit);
  REQUIRE(r.Give(At(0), 4 * kUnit).empty());
  REQUIRE(r.Give(At(100), 4 * kUnit).empty());
  // 3 units over: the tail of the oldest range goes.
  auto drop = r.Give(At(200), 5 * kUnit);
  REQUIRE(drop.size() == 1);
  CHECK(drop[0] == std::make_pair(At(1), 3 * kUnit));
  CHECK(r.bytes() == 10 * kUnit);
  // 6 units over: the rest of the oldest range, the next oldest, then the
  // tail of the one after.
  drop = r.Give(At(300), 6 * kUnit);
  REQUIRE(drop.size() == 3);
  CHECK(drop[0] == std::make_pair(At(0), kUnit));
  CHECK(drop[1] == std::make_pair(At(100), 4 * kUnit));
  CHECK(drop[2] == std::make_pair(At(204), kUnit));
  CHECK(r.bytes() == 10 * kUnit);
  // A range longer than the cap is not kept.
  drop = r.Give(At(400), 11 * kUnit);
  REQUIRE(drop.size() == 1);
  CHECK(drop[0] == std::make_pair(At(400), 11 * kUnit));
  CHECK(r.bytes() == 10 * kUnit);
}

TEST_CASE("A released scratch block serves the next smaller one and a zeroed block is zero",
          "[kernels]") {
  using namespace quiver::kernels::internal;
  size_t len = 0;
  bool fresh = false;
  auto* p = static_cast<uint8_t*>(TakeScratch(3 * kScratchBytes, 3 * kScratchBytes, &len, &fresh));
  REQUIRE(len == 3 * kScratchBytes);
  std::memset(p, 0xab, len);
  GiveScratch(p, len);
  // Kept: a smaller request is served from it (or from a block an earlier
  // test case gave back), not mapped afresh, and gets only what it asked.
  size_t len2 = 0;
  auto* q = static_cast<uint8_t*>(TakeScratch(kScratchBytes, kScratchBytes, &len2, &fresh));
  CHECK(len2 == kScratchBytes);
  CHECK(!fresh);
  GiveScratch(q, len2);
  // Dirty kept memory: a ZeroedBlock clears what it hands out.
  ZeroedBlock z(kScratchBytes + 5);
  const auto* b = static_cast<const uint8_t*>(z.data());
  size_t nonzero = 0;
  for (size_t i = 0; i < kScratchBytes + 5; ++i) nonzero += b[i] != 0;
  CHECK(nonzero == 0);
}

TEST_CASE("The longest kept scratch range gives its front up to what is asked", "[kernels]") {
  ScratchRanges r(kUnit, 100 * kUnit);
  size_t len = 0;
  CHECK(r.TakeLongest(4 * kUnit, &len) == nullptr);
  REQUIRE(r.Give(At(0), 3 * kUnit).empty());
  REQUIRE(r.Give(At(10), 6 * kUnit).empty());
  CHECK(r.TakeLongest(4 * kUnit, &len) == At(10));
  CHECK(len == 4 * kUnit);
  // Now 3 units at 0 and 2 at 14: the longest, whole.
  CHECK(r.TakeLongest(8 * kUnit, &len) == At(0));
  CHECK(len == 3 * kUnit);
  CHECK(r.TakeLongest(8 * kUnit, &len) == At(14));
  CHECK(len == 2 * kUnit);
  CHECK(r.bytes() == 0);
}

TEST_CASE("A scratch block longer than any kept one reuses the kept pages", "[kernels]") {
  using namespace quiver::kernels::internal;
  // Two kept blocks apart (a block mapped between them keeps them from
  // joining), then a request as long as both.
  size_t la = 0, lb = 0, lc = 0, ld = 0;
  auto* a = static_cast<uint8_t*>(TakeScratch(kScratchBytes, kScratchBytes, &la));
  auto* b = static_cast<uint8_t*>(TakeScratch(kScratchBytes, kScratchBytes, &lb));
  auto* c = static_cast<uint8_t*>(TakeScratch(kScratchBytes, kScratchBytes, &lc));
  std::memset(a, 1, la);
  std::memset(c, 3, lc);
  GiveScratch(a, la);
  GiveScratch(c, lc);
  // Every kept block is taken; a 1-unit block or longer ones from earlier
  // test cases may be among them, so ask for all that is kept and more.
  bool fresh = true;
  auto* d = static_cast<uint8_t*>(TakeScratch(64 * kScratchBytes, 64 * kScratchBytes, &ld, &fresh));
  CHECK(ld == 64 * kScratchBytes);
  CHECK(!fresh);
  // Every page is there to write and read, moved or new.
  std::memset(d, 7, ld);
  size_t wrong = 0;
  for (size_t i = 0; i < ld; i += 4096) wrong += d[i] != 7;
  CHECK(wrong == 0);
  GiveScratch(d, ld);
  GiveScratch(b, lb);
}

namespace {
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

long MinorFaults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}
}  // namespace

TEST_CASE("A small zeroed block is written when made: using it takes no page fault",
          "[kernels]") {
  using namespace quiver::kernels::internal;
  // Heap blocks of this size are fresh mappings (the threshold pinned: it
  // rises as mapped blocks are freed). A block left to calloc would be
  // untouched pages, each faulting on first use (twice: read, then write).
  // AddressSanitizer's allocator ignores mallopt, and its shadow pages
  // fault on their own: nothing to count there (GCC says __SANITIZE_ADDRESS__,
  // clang __has_feature).
  if (kAddressSanitizer) {
    SUCCEED("not counted under AddressSanitizer");
    return;
  }
  REQUIRE(mallopt(M_MMAP_THRESHOLD, 128 * 1024) == 1);
  const size_t bytes = kScratchBytes - 4096;
  for (int round = 0; round < 3; ++round) {
    ZeroedBlock z(bytes);
    auto* p = static_cast<volatile uint8_t*>(z.data());
    const long before = MinorFaults();
    size_t nonzero = 0;
    for (size_t i = 0; i < bytes; i += 4096) {
      nonzero += p[i] != 0;
      p[i] = 1;
    }
    const long faults = MinorFaults() - before;
    CHECK(nonzero == 0);
    CHECK(faults == 0);
  }
}
