// The allocator settings of Quiver's own programs (quiverd, the quiver CLI
// and the benchmarks call TuneAllocator first thing in main). The libraries
// never call it: a program that links Quiver keeps its own settings.
//
// Why: glibc serves each block above a sliding threshold (128 KiB at first)
// with its own mmap and unmaps it on free, and trims a heap whose free top
// passes 128 KiB. Then every query's hash tables, distinct sets and result
// buffers are fresh pages that the kernel faults in and zeroes one by one:
// measured at a quarter to a third of the CPU of a GROUP BY on a million
// keys (ClickBench Q16, Q33). Keeping freed blocks of up to 32 MiB in the
// heap, and up to 512 MiB of free heap top per arena, lets the next query
// reuse the pages. Memory a query frees stays with the process for the next
// one, up to those bounds; blocks larger than 32 MiB are still mapped and
// returned as before.
//
// QUIVER_MALLOC_DEFAULTS=1 in the environment leaves glibc's defaults (to
// measure the difference).
#pragma once

namespace quiver {

void TuneAllocator();

}  // namespace quiver
