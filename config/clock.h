// Wall-clock time for timestamps that are stored or shown (pool creation,
// commit and table modification times, reader pin times).
//
// Thread-safety: free function, callable from any thread.
#pragma once

#include <cstdint>

namespace quiver {

// Nanoseconds since the Unix epoch (CLOCK_REALTIME).
uint64_t NowNs();

}  // namespace quiver
