// Memory read bandwidth of this machine, measured by the benchmark program
// that reports against it, in the same run (kernels_bench, trips_bench).
//
// MeasureReadBandwidth(bytes, threads): bytes/s read by `threads` threads at
// once, each over its own slice of one buffer of `bytes` (make it several
// times the last-level cache so that the reads come from memory): the best
// of several passes of glibc's vectorised memchr (for a byte that is absent)
// and of a plain 8-way unrolled sum of 64-bit words. A buffer within the
// last-level cache measures the cache instead.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace quiver::bench {

// The last-level cache's bytes (the largest cache sysconf reports), or 32 MB
// when it reports none.
inline size_t LastLevelCacheBytes() {
  long best = 0;
#ifdef _SC_LEVEL3_CACHE_SIZE
  best = std::max(best, sysconf(_SC_LEVEL3_CACHE_SIZE));
#endif
#ifdef _SC_LEVEL2_CACHE_SIZE
  best = std::max(best, sysconf(_SC_LEVEL2_CACHE_SIZE));
#endif
  return best > 0 ? size_t(best) : size_t(32) << 20;
}

namespace internal {

// Keeps a value alive past the optimiser (benchmark::DoNotOptimize without
// the library).
template <typename T>
inline void Keep(const T& v) {
  asm volatile("" : : "r,m"(v) : "memory");
}

// One pass over [p, p + bytes) by memchr (which == 0) or by the unrolled sum.
inline void ReadPass(const uint8_t* p, size_t bytes, int which) {
  if (which == 0) {
    const void* hit = std::memchr(p, 0, bytes);
    Keep(hit);
    return;
  }
  const uint64_t* w = reinterpret_cast<const uint64_t*>(p);
  uint64_t a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (size_t k = 0; k + 8 <= bytes / 8; k += 8) {
    for (size_t j = 0; j < 8; ++j) a[j] += w[k + j];
  }
  Keep(a);
}

}  // namespace internal

inline double MeasureReadBandwidth(size_t bytes, int threads) {
  threads = std::max(1, threads);
  bytes = bytes / (64 * size_t(threads)) * 64 * size_t(threads);
  std::unique_ptr<uint8_t, decltype(&std::free)> buf(
      static_cast<uint8_t*>(std::aligned_alloc(64, bytes)), &std::free);
  if (!buf) return 0;
  // Huge pages where the kernel gives them on request: TLB misses on 4 KB
  // pages would lower the number below what the memory delivers.
  madvise(buf.get(), bytes, MADV_HUGEPAGE);
  std::memset(buf.get(), 1, bytes);  // faults every page in before timing
  const size_t slice = bytes / size_t(threads);
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    for (int which = 0; which < 2; ++which) {
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<std::thread> pool;
      for (int t = 1; t < threads; ++t)
        pool.emplace_back(internal::ReadPass, buf.get() + size_t(t) * slice, slice, which);
      internal::ReadPass(buf.get(), slice, which);
      for (auto& th : pool) th.join();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best = std::max(best, double(bytes) / s);
    }
  }
  return best;
}

}  // namespace quiver::bench
