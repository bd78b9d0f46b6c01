// Builders for expected query trees in the store tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/query.h"

namespace quiver::query::testing {

inline ExprPtr Col(std::string name) { return Expr::Column(std::move(name)); }
inline ExprPtr I(int64_t v) { return Expr::Literal(Value(v)); }
inline ExprPtr U(uint64_t v) { return Expr::Literal(Value(v)); }
inline ExprPtr D(double v) { return Expr::Literal(Value(v)); }
inline ExprPtr S(std::string v) { return Expr::Literal(Value(std::move(v))); }
inline ExprPtr B(bool v) { return Expr::Literal(Value(v)); }
inline ExprPtr Null() { return Expr::Literal(Value()); }

inline ExprPtr Eq(ExprPtr a, ExprPtr b) { return Expr::Compare(CompareOp::kEq, a, b); }
inline ExprPtr Ne(ExprPtr a, ExprPtr b) { return Expr::Compare(CompareOp::kNe, a, b); }
inline ExprPtr Lt(ExprPtr a, ExprPtr b) { return Expr::Compare(CompareOp::kLt, a, b); }
inline ExprPtr Le(ExprPtr a, ExprPtr b) { return Expr::Compare(CompareOp::kLe, a, b); }
inline ExprPtr Gt(ExprPtr a, ExprPtr b) { return Expr::Compare(CompareOp::kGt, a, b); }
inline ExprPtr Ge(ExprPtr a, ExprPtr b) { return Expr::Compare(CompareOp::kGe, a, b); }
inline ExprPtr And(std::vector<ExprPtr> a) { return Expr::And(std::move(a)); }
inline ExprPtr Or(std::vector<ExprPtr> a) { return Expr::Or(std::move(a)); }
inline ExprPtr Not(ExprPtr a) { return Expr::Not(std::move(a)); }

// The error message of a failed parse, or "ok".
template <typename T>
std::string ErrorOf(const Result<T>& r) {
  return r.ok() ? std::string("ok") : r.status().message();
}

// SQL text of a parsed filter, or the error message.
inline std::string FilterSql(std::string_view text) {
  Result<ExprPtr> r = ParseFilter(text);
  return r.ok() ? ToSql(**r) : "error: " + r.status().message();
}

}  // namespace quiver::query::testing
