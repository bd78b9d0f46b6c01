// Functions registered by RegisterRegex (kernels/function_internal.h).
#include "kernels/function_internal.h"

namespace quiver::kernels::internal {

void RegisterRegex(FunctionRegistry& r) { (void)r; }

}  // namespace quiver::kernels::internal
