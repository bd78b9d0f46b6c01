// The allocator settings of Quiver's own programs (quiverd, the quiver CLI
// and the benchmarks call TuneAllocator first thing in main). The libraries
// never call it: a program that links Quiver keeps its own settings.
//
// Why: glibc serves each block above a sliding threshold (128 KiB at first)
// with its own mmap and unmaps it on free, and trims a heap whose free top
// passes 128 KiB. Then every query's hash tables, distinct sets and result
// buffers are fresh pages that the kernel faults in and zeroes one by one:
// measured at a quarter to a third of the CPU of a GROUP BY on a million
// keys (ClickBench Q16, Q33). Keeping freed blocks in the heap whatever
// their size (no block mapped on its own), up to 512 MiB of free heap top,
// and one arena per 8 cores (a thread arena unmaps every heap that empties)
// lets the next query reuse the pages: at 10M ClickBench rows, Q9/Q10/Q35
// went from 10 000-35 000 page faults per run to under 1 200. Memory a
// query frees stays with the process for the next one: the heap's top is
// trimmed past 512 MiB, but free blocks below a live one stay until reused,
// so RSS stays near the largest query's peak heap.
//
// QUIVER_MALLOC_DEFAULTS=1 in the environment leaves glibc's defaults (to
// measure the difference).
#pragma once

namespace quiver {

void TuneAllocator();

}  // namespace quiver
