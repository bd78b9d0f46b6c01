// Helpers shared by the query parsers, ToSql and Bind. Not a public API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kernels/grouped_agg.h"
#include "store/query.h"

namespace quiver::query::internal {

// Expressions nest at most this deep (parentheses, NOT chains, JSON
// objects), so that hostile input cannot exhaust the stack.
inline constexpr int kMaxDepth = 200;

// True for the words that cannot be column names unless quoted (SELECT,
// FROM, AND, NULL, ...); case-insensitive.
bool IsReservedWord(std::string_view word);
// `name` as is when it is a plain identifier, else in double quotes with
// embedded quotes doubled.
std::string QuoteIdentifier(std::string_view name);
// 'text' with embedded quotes doubled.
std::string QuoteString(std::string_view text);
// True for the arithmetic operators a kCall may name: + - * / // % || neg.
inline bool IsArithmeticOperator(const std::string& op) {
  static const char* const kOps[] = {"+", "-", "*", "/", "//", "%", "||", "neg"};
  for (const char* k : kOps) {
    if (op == k) return true;
  }
  return false;
}
// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Parses a complete number in SQL spelling (digits, optional '.', optional
// exponent, optional leading '-' when `allow_sign`): an integer (int64, or
// uint64 above INT64_MAX) or a double. nullopt if `text` is not exactly such
// a number or is out of range; `*why` then says which.
std::optional<Value> ParseNumber(std::string_view text, bool allow_sign, std::string* why);

// The canonical SQL of one select item (`AVG(x) AS d`) and one ORDER BY
// item (`d DESC NULLS FIRST`).
std::string SelectItemToSql(const SelectItem& s);
std::string OrderItemToSql(const OrderItem& o);

// The kernel state of an aggregate that kernels/grouped_agg.h computes
// (COUNT(DISTINCT), variance, quantiles, ...); kNone for COUNT, SUM, MIN,
// MAX and AVG (kernels/aggregate.h). Defined in query_bind.cc.
kernels::GroupedAggKind GroupedAggOf(AggFunc f);

}  // namespace quiver::query::internal
