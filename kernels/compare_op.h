// The comparison operators of predicates and their SQL spelling.
#pragma once

namespace quiver::kernels {

enum class CompareOp : int { kEq = 0, kNe, kLt, kLe, kGt, kGe };

// "=", "!=", "<", "<=", ">", ">=".
const char* CompareOpName(CompareOp op);

// a op b  <=>  b Flip(op) a.
inline CompareOp FlipCompareOp(CompareOp op) {
  switch (op) {
    case CompareOp::kLt: return CompareOp::kGt;
    case CompareOp::kLe: return CompareOp::kGe;
    case CompareOp::kGt: return CompareOp::kLt;
    case CompareOp::kGe: return CompareOp::kLe;
    default: return op;
  }
}

}  // namespace quiver::kernels
