// Functions registered by RegisterArithmetic (kernels/function_internal.h).
#include "kernels/function_internal.h"

namespace quiver::kernels::internal {

void RegisterArithmetic(FunctionRegistry& r) { (void)r; }

}  // namespace quiver::kernels::internal
