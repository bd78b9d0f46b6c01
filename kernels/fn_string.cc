// Functions registered by RegisterString (kernels/function_internal.h).
#include "kernels/function_internal.h"

namespace quiver::kernels::internal {

void RegisterString(FunctionRegistry& r) { (void)r; }

}  // namespace quiver::kernels::internal
