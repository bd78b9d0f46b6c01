// Functions registered by RegisterCast (kernels/function_internal.h).
#include "kernels/function_internal.h"

namespace quiver::kernels::internal {

void RegisterCast(FunctionRegistry& r) { (void)r; }

}  // namespace quiver::kernels::internal
