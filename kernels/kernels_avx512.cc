// The avx512 target: simd_internal.h instantiated for xsimd::avx512bw. This unit is
// compiled with avx512 flags (kernels/CMakeLists.txt) and only entered after
// dispatch.cc has checked the CPU.
#if defined(QUIVER_KERNELS_X86)
#include "kernels/simd_internal.h"

namespace quiver::kernels::internal {

void FillAvx512Table(KernelTable* t) { FillSimdTable<xsimd::avx512bw>(t); }

}  // namespace quiver::kernels::internal
#endif
