// The sse42 target: simd_internal.h instantiated for xsimd::sse4_2. This unit is
// compiled with sse42 flags (kernels/CMakeLists.txt) and only entered after
// dispatch.cc has checked the CPU.
#if defined(QUIVER_KERNELS_X86)
#include "kernels/simd_internal.h"

namespace quiver::kernels::internal {

void FillSse42Table(KernelTable* t) { FillSimdTable<xsimd::sse4_2>(t); }

}  // namespace quiver::kernels::internal
#endif
