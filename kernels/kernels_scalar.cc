// The scalar target: the plain block loops, built without vectorisation.
#include "kernels/loops_internal.h"

namespace quiver::kernels::internal {

void FillScalarTable(KernelTable* t) { FillPlainTable(t); }

}  // namespace quiver::kernels::internal
