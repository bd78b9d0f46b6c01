// Functions registered by RegisterMath (kernels/function_internal.h).
#include "kernels/function_internal.h"

namespace quiver::kernels::internal {

void RegisterMath(FunctionRegistry& r) { (void)r; }

}  // namespace quiver::kernels::internal
