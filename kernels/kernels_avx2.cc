// The avx2 target: simd_internal.h instantiated for xsimd::avx2. This unit is
// compiled with avx2 flags (kernels/CMakeLists.txt) and only entered after
// dispatch.cc has checked the CPU.
#if defined(QUIVER_KERNELS_X86)
#include "kernels/simd_internal.h"

namespace quiver::kernels::internal {

void FillAvx2Table(KernelTable* t) { FillSimdTable<xsimd::avx2>(t); }

}  // namespace quiver::kernels::internal
#endif
