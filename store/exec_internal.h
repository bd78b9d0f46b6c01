// Internals of the executor, exposed for its tests.
#pragma once

#include <optional>

#include "kernels/compare_op.h"
#include "kernels/scalar.h"
#include "store/query_bind.h"

namespace quiver::store::internal {

// A bound literal as a kernel scalar (dates and timestamps keep their kind).
kernels::Scalar ToKernelScalar(const query::TypedScalar& t);

// a op b with SQL semantics on two values of comparable kinds (numbers of any
// kind, or two strings): nullopt (NULL) when either is NULL; NaN is unequal
// to everything.
std::optional<bool> CompareValues(const kernels::Scalar& a, kernels::CompareOp op,
                                  const kernels::Scalar& b);

}  // namespace quiver::store::internal
