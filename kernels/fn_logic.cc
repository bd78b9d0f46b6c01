// Functions registered by RegisterLogic (kernels/function_internal.h).
#include "kernels/function_internal.h"

namespace quiver::kernels::internal {

void RegisterLogic(FunctionRegistry& r) { (void)r; }

}  // namespace quiver::kernels::internal
