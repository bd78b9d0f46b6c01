// Functions registered by RegisterDate (kernels/function_internal.h).
#include "kernels/function_internal.h"

namespace quiver::kernels::internal {

void RegisterDate(FunctionRegistry& r) { (void)r; }

}  // namespace quiver::kernels::internal
