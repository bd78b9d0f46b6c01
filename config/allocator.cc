#include "config/allocator.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace quiver {

void TuneAllocator() {
  const char* keep = std::getenv("QUIVER_MALLOC_DEFAULTS");
  if (keep != nullptr && std::strcmp(keep, "1") == 0) return;
#if defined(__GLIBC__)
  // 32 MiB is the largest mmap threshold glibc accepts on 64-bit.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  // No block is mapped on its own (M_MMAP_THRESHOLD cannot pass 32 MiB):
  // a query's larger arrays (a top-k's order of ten million groups is 76
  // MiB) then come from the heap, whose freed pages the next query reuses,
  // rather than from a mapping unmapped on free and faulted in afresh.
  mallopt(M_MMAP_MAX, 0);
  // One arena per 8 cores (glibc's default: 8 per core): a thread arena
  // unmaps each of its heaps that empties, whatever the trim threshold, so
  // a query's per-thread blocks were fresh pages again in the next query.
  // Small blocks still come from each thread's lock-free cache (tcache).
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  mallopt(M_ARENA_MAX, int(std::max(1L, cores / 8)));
#endif
}

}  // namespace quiver
