// Quiver's compute kernels: the public surface of kernels/.
//
// The query engine evaluates a WHERE clause into a Mask per chunk
// (predicate.h; combined with And/Or/Not in mask.h), then either
//   - gathers projected columns with Filter/Take (take.h),
//   - folds aggregates into per-thread AggStates (aggregate.h) or
//     GroupByStates (group_by.h), merges them and finalises, or
//   - orders rows with SortIndices/TopK (sort.h).
// Literals are kernels::Scalar values (scalar.h). Every kernel reads
// ArrayViews (columnar/array.h) and never keeps them past the call.
// SIMD code is chosen at run time (dispatch.h); reference.h holds the
// row-at-a-time implementations the tests compare against.
#pragma once

#include "kernels/aggregate.h"
#include "kernels/compare_op.h"
#include "kernels/dispatch.h"
#include "kernels/group_by.h"
#include "kernels/mask.h"
#include "kernels/predicate.h"
#include "kernels/scalar.h"
#include "kernels/sort.h"
#include "kernels/take.h"
