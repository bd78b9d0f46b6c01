// Lowering and binding of value expressions into computed columns (see
// store/plan_internal.h).
#include <cctype>
#include <functional>

#include "columnar/schema.h"

#include "store/exec_internal.h"
#include "store/plan_internal.h"
#include "store/query_internal.h"

namespace quiver::store::internal {

using query::BoundExpr;
using query::BoundExprPtr;
using query::Expr;
using query::ExprKind;
using query::ExprPtr;
using query::Value;

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

DataType NaturalType(const Value& v) {
  switch (v.index()) {
    case 0: return DataType(TypeId::kNone);
    case 1: return DataType(TypeId::kBool);
    case 2: return DataType(TypeId::kInt64);
    case 3: return DataType(TypeId::kUInt64);
    case 4: return DataType(TypeId::kFloat64);
    default: return DataType(TypeId::kUtf8);
  }
}

BoundExprPtr LiteralOf(const Value& v, DataType type) {
  auto b = std::make_shared<BoundExpr>();
  b->kind = ExprKind::kLiteral;
  b->type = type;
  b->literal = query::TypedScalar{v, type};
  return b;
}

bool IsPredicate(ExprKind k) {
  return k == ExprKind::kCompare || k == ExprKind::kBetween || k == ExprKind::kIn ||
         k == ExprKind::kIsNull || k == ExprKind::kLike || k == ExprKind::kAnd ||
         k == ExprKind::kOr || k == ExprKind::kNot;
}

bool IsLiteral(const ExprPtr& e) { return e && e->kind == ExprKind::kLiteral; }

// A SQL number with a fraction and no exponent (2.5, -0.05, .5) is
// DuckDB's decimal(integer digits + fraction digits, fraction digits); with
// more than 38 digits, or an exponent, it is a double (nullopt).
std::optional<DataType> DecimalNumberType(const Expr& e) {
  if (e.kind != ExprKind::kLiteral || e.number_text.empty() ||
      !std::holds_alternative<double>(e.value)) {
    return std::nullopt;
  }
  std::string_view t = e.number_text;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) t.remove_prefix(1);
  const size_t point = t.find('.');
  if (point == std::string_view::npos || t.find_first_not_of("0123456789.") != std::string_view::npos) {
    return std::nullopt;
  }
  const int fraction = int(t.size() - point - 1);
  const int width = int(point) + fraction;
  if (width < 1 || width > kMaxDecimal128Precision) return std::nullopt;
  return DataType::Decimal(width, fraction);
}

bool IsDecimalValue(const BoundExprPtr& b) { return b->type.value_type().id == TypeId::kDecimal128; }

// Where a decimal meets number literals with a fraction (price * 2.5,
// coalesce(price, 0.5), CASE ... THEN price ELSE 0.05), the literals are
// taken exactly as decimals from their text, as DuckDB types them; elsewhere
// they stay doubles (fare * 1.5 on a float64 column is float64). `which`
// says which of bound[i] (from source[i]) take part; empty: all.
// Whether `e` is made of literals only (through calls and casts) and holds
// a number with a fraction: `1 + 0.5`, `round(2.55, 1)`.
bool ConstantWithFraction(const Expr& e, bool* fraction) {
  if (e.kind == ExprKind::kLiteral) {
    *fraction = *fraction || DecimalNumberType(e).has_value();
    return true;
  }
  if (e.kind != ExprKind::kCall && e.kind != ExprKind::kCast) return false;
  for (const auto& a : e.args) {
    if (a == nullptr || !ConstantWithFraction(*a, fraction)) return false;
  }
  return true;
}

// A constant with fractions bound again with them as exact decimals (as
// DuckDB types them everywhere): `price * (1 + 0.5)` stays decimal. Kept
// as first bound when that does not bind (a function without a decimal
// signature).
using Rebind = std::function<Result<BoundExprPtr>(const Expr&)>;

void ExactDecimalLiterals(const std::vector<ExprPtr>& source, std::vector<BoundExprPtr>* bound,
                          const Rebind& rebind, const std::vector<bool>& which = {}) {
  auto takes_part = [&](size_t i) { return which.empty() || which[i]; };
  bool any_decimal = false;
  for (size_t i = 0; i < bound->size(); ++i) {
    any_decimal = any_decimal || (takes_part(i) && IsDecimalValue((*bound)[i]));
  }
  if (!any_decimal) return;
  for (size_t i = 0; i < bound->size() && i < source.size(); ++i) {
    if (!takes_part(i) || source[i] == nullptr) continue;
    bool fraction = false;
    if (std::optional<DataType> t = DecimalNumberType(*source[i])) {
      (*bound)[i] = LiteralOf(Value(source[i]->number_text), *t);
    } else if (source[i]->kind != ExprKind::kLiteral && ConstantWithFraction(*source[i], &fraction) &&
               fraction) {
      Result<BoundExprPtr> exact = rebind(*source[i]);
      if (exact.ok() && IsDecimalValue(*exact)) (*bound)[i] = std::move(*exact);
    }
  }
}

}  // namespace

Result<DataType> SqlTypeNamed(const std::string& name_in) {
  std::string name = Lower(name_in);
  static const std::pair<const char*, TypeId> kNames[] = {
      {"boolean", TypeId::kBool},    {"bool", TypeId::kBool},        {"tinyint", TypeId::kInt8},
      {"int1", TypeId::kInt8},       {"smallint", TypeId::kInt16},   {"int2", TypeId::kInt16},
      {"short", TypeId::kInt16},     {"integer", TypeId::kInt32},    {"int", TypeId::kInt32},
      {"int4", TypeId::kInt32},      {"signed", TypeId::kInt32},     {"bigint", TypeId::kInt64},
      {"int8", TypeId::kInt64},      {"long", TypeId::kInt64},       {"utinyint", TypeId::kUInt8},
      {"usmallint", TypeId::kUInt16}, {"uinteger", TypeId::kUInt32}, {"ubigint", TypeId::kUInt64},
      {"real", TypeId::kFloat32},    {"float4", TypeId::kFloat32},   {"float", TypeId::kFloat32},
      {"double", TypeId::kFloat64},  {"float8", TypeId::kFloat64},   {"varchar", TypeId::kUtf8},
      {"text", TypeId::kUtf8},       {"string", TypeId::kUtf8},      {"char", TypeId::kUtf8},
      {"bpchar", TypeId::kUtf8},     {"blob", TypeId::kBinary},      {"bytea", TypeId::kBinary},
      {"date", TypeId::kDate32},
  };
  std::string base = name.substr(0, name.find('('));
  for (const auto& [n, id] : kNames) {
    if (base == n) return DataType(id);
  }
  if (base == "timestamp" || base == "datetime" || base == "timestamp with time zone" ||
      base == "timestamptz") {
    return DataType::Timestamp(TimeUnit::kMicro, base == "timestamp" || base == "datetime"
                                                     ? std::string()
                                                     : std::string("UTC"));
  }
  if (base == "timestamp_s") return DataType::Timestamp(TimeUnit::kSecond);
  if (base == "timestamp_ms") return DataType::Timestamp(TimeUnit::kMilli);
  if (base == "timestamp_ns") return DataType::Timestamp(TimeUnit::kNano);
  auto parsed = ParseTypeName(name);
  if (parsed.ok()) return parsed;
  return Status::TypeError("unknown type '" + name_in + "' in CAST");
}

ExprLowering::ExprLowering(std::shared_ptr<const Schema> source, std::string table)
    : source_(std::move(source)), table_(std::move(table)), fields_(source_->fields()) {}

std::shared_ptr<const Schema> ExprLowering::schema() const {
  return std::make_shared<const Schema>(fields_, source_->metadata());
}

Result<int> ExprLowering::Resolve(const std::string& name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return int(i);
  }
  std::string msg = "unknown column \"" + name + "\"; ";
  msg += table_.empty() ? std::string("the query has ") : "table \"" + table_ + "\" has ";
  if (source_->num_fields() == 0) return Status::NotFound(msg + "no columns");
  msg += "columns: ";
  constexpr size_t kMaxListed = 30;
  for (size_t k = 0; k < source_->num_fields() && k < kMaxListed; ++k) {
    if (k > 0) msg += ", ";
    msg += source_->field(k).name;
  }
  if (source_->num_fields() > kMaxListed) {
    msg += ", ... (" + std::to_string(source_->num_fields() - kMaxListed) + " more)";
  }
  return Status::NotFound(msg);
}

Result<std::string> ExprLowering::Materialize(const Expr& e) {
  if (e.kind == ExprKind::kColumn) {
    QUIVER_ASSIGN_OR_RETURN(int unused, Resolve(e.column));
    (void)unused;
    return e.column;
  }
  const std::string text = query::ToSql(e);
  if (auto it = by_text_.find(text); it != by_text_.end()) return it->second;
  QUIVER_ASSIGN_OR_RETURN(BoundExprPtr b, BindValue(e));
  // An untyped NULL column is int32, as DuckDB's NULL literal is INTEGER.
  if (b->type.id == TypeId::kNone) b = LiteralOf(Value(), DataType(TypeId::kInt32));
  std::string name = "#" + std::to_string(computed_.size());
  Field f;
  f.name = name;
  f.type = b->type.id == TypeId::kNone ? DataType(TypeId::kInt32) : b->type;
  fields_.push_back(std::move(f));
  computed_.push_back(std::move(b));
  by_text_[text] = name;
  return name;
}

Result<ExprPtr> ExprLowering::LowerCondition(const Expr& e) {
  auto value_arg = [&](const ExprPtr& a) -> Result<ExprPtr> {
    if (a == nullptr) return Status::Invalid("expression has a missing argument");
    if (a->is_value()) return a;
    QUIVER_ASSIGN_OR_RETURN(std::string col, Materialize(*a));
    return Expr::Column(col);
  };
  auto copy = [&](std::vector<ExprPtr> args) {
    auto n = std::make_shared<Expr>(e);
    n->args = std::move(args);
    return ExprPtr(std::move(n));
  };
  switch (e.kind) {
    case ExprKind::kAnd:
    case ExprKind::kOr:
    case ExprKind::kNot: {
      std::vector<ExprPtr> args;
      for (const ExprPtr& a : e.args) {
        if (a == nullptr) return Status::Invalid("expression has a missing argument");
        QUIVER_ASSIGN_OR_RETURN(ExprPtr l, LowerCondition(*a));
        args.push_back(std::move(l));
      }
      return copy(std::move(args));
    }
    case ExprKind::kCompare:
      // Column against column: the vectorised comparison function, not the
      // row-at-a-time fallback of the predicate evaluator.
      if (e.args.size() == 2 && !IsLiteral(e.args[0]) && !IsLiteral(e.args[1])) {
        QUIVER_ASSIGN_OR_RETURN(std::string col, Materialize(e));
        return Expr::Column(col);
      }
      [[fallthrough]];
    case ExprKind::kBetween:
    case ExprKind::kIsNull: {
      std::vector<ExprPtr> args;
      for (const ExprPtr& a : e.args) {
        QUIVER_ASSIGN_OR_RETURN(ExprPtr l, value_arg(a));
        args.push_back(std::move(l));
      }
      return copy(std::move(args));
    }
    case ExprKind::kIn: {
      bool literal_list = true;
      for (size_t i = 1; i < e.args.size(); ++i) literal_list = literal_list && IsLiteral(e.args[i]);
      if (!literal_list) {
        QUIVER_ASSIGN_OR_RETURN(std::string col, Materialize(e));
        return Expr::Column(col);
      }
      std::vector<ExprPtr> args = e.args;
      QUIVER_ASSIGN_OR_RETURN(args[0], value_arg(e.args[0]));
      return copy(std::move(args));
    }
    case ExprKind::kLike: {
      if (e.args.size() != 2 || !IsLiteral(e.args[1])) {
        QUIVER_ASSIGN_OR_RETURN(std::string col, Materialize(e));
        return Expr::Column(col);
      }
      QUIVER_ASSIGN_OR_RETURN(ExprPtr x, value_arg(e.args[0]));
      return copy({std::move(x), e.args[1]});
    }
    case ExprKind::kColumn:
    case ExprKind::kLiteral:
      return ExprPtr(std::make_shared<Expr>(e));
    default: {
      QUIVER_ASSIGN_OR_RETURN(std::string col, Materialize(e));
      return Expr::Column(col);
    }
  }
}

Result<BoundExprPtr> ExprLowering::BindPredicate(const Expr& e) {
  QUIVER_ASSIGN_OR_RETURN(ExprPtr lowered, LowerCondition(e));
  if (lowered->kind == ExprKind::kColumn) {
    QUIVER_ASSIGN_OR_RETURN(int i, Resolve(lowered->column));
    auto b = std::make_shared<BoundExpr>();
    b->kind = ExprKind::kColumn;
    b->column = i;
    b->type = fields_[size_t(i)].type;
    return BoundExprPtr(std::move(b));
  }
  const Schema ext(fields_);
  return query::BindFilter(*lowered, ext, table_);
}

Result<BoundExprPtr> ExprLowering::BindCall(const Expr& e, int depth) {
  std::string name = Lower(e.column);
  std::vector<ExprPtr> args = e.args;
  // Date arithmetic with INTERVAL literals.
  if ((name == "+" || name == "-") && args.size() == 2 &&
      (args[1]->kind == ExprKind::kInterval || (name == "+" && args[0]->kind == ExprKind::kInterval))) {
    const bool first = args[0]->kind == ExprKind::kInterval;
    const Expr& iv = first ? *args[0] : *args[1];
    const int64_t sign = name == "-" ? -1 : 1;
    std::vector<ExprPtr> call{first ? args[1] : args[0]};
    for (int k = 0; k < 3; ++k) call.push_back(Expr::Literal(Value(sign * iv.interval[k])));
    return BindValue(*Expr::Call("add_interval", std::move(call)), depth + 1);
  }
  std::vector<BoundExprPtr> bound;
  for (const ExprPtr& a : args) {
    if (a == nullptr) return Status::Invalid("function " + name + " has a missing argument");
    QUIVER_ASSIGN_OR_RETURN(BoundExprPtr b, BindValue(*a, depth + 1));
    bound.push_back(std::move(b));
  }
  ExactDecimalLiterals(args, &bound, [&](const Expr& x) { return BindExact(x, depth + 1); });
  // date - date is a number of days (as in DuckDB).
  if (name == "-" && bound.size() == 2 && bound[0]->type.id == TypeId::kDate32 &&
      bound[1]->type.id == TypeId::kDate32) {
    return BindValue(*Expr::Call("date_diff", {Expr::Literal(Value(std::string("day"))), args[1],
                                               args[0]}),
                     depth + 1);
  }
  // || and concat join text: other operands are cast to text (DuckDB).
  if (name == "||" || name == "concat" || name == "concat_ws") {
    for (auto& b : bound) {
      const TypeId id = b->type.value_type().id;
      if (id == TypeId::kUtf8 || id == TypeId::kBinary || id == TypeId::kNone) continue;
      QUIVER_ASSIGN_OR_RETURN(kernels::BoundFunctionPtr cast,
                              kernels::BindCast(b->type, DataType(TypeId::kUtf8)));
      auto c = std::make_shared<BoundExpr>();
      c->kind = ExprKind::kCall;
      c->fn = cast;
      c->type = cast->result_type();
      c->args = {b};
      b = std::move(c);
    }
  }
  // A NULL literal takes the type of the other arguments.
  DataType other(TypeId::kNone);
  for (const auto& b : bound) {
    if (b->type.id != TypeId::kNone) {
      other = b->type.value_type();
      break;
    }
  }
  std::vector<DataType> types;
  std::vector<kernels::Scalar> consts(bound.size());
  std::vector<const kernels::Scalar*> const_ptrs(bound.size(), nullptr);
  for (size_t i = 0; i < bound.size(); ++i) {
    if (bound[i]->type.id == TypeId::kNone && other.id != TypeId::kNone &&
        bound[i]->kind == ExprKind::kLiteral) {
      bound[i] = LiteralOf(Value(), other);
    }
    types.push_back(bound[i]->type);
    if (bound[i]->kind == ExprKind::kLiteral) {
      consts[i] = ToKernelScalar(bound[i]->literal);
      const_ptrs[i] = &consts[i];
    }
  }
  auto fn = kernels::BindFunction(name, types, const_ptrs);
  if (!fn.ok()) return fn.status();
  auto b = std::make_shared<BoundExpr>();
  b->kind = ExprKind::kCall;
  b->fn = *fn;
  b->fn_name = std::string(name);
  b->type = (*fn)->result_type();
  b->args = std::move(bound);
  return BoundExprPtr(std::move(b));
}

Result<BoundExprPtr> ExprLowering::BindCase(const Expr& e, int depth) {
  // CASE as case_when(cond1, value1, ..., [else]); a simple CASE compares
  // its operand with each WHEN value.
  std::vector<ExprPtr> call;
  size_t i = 0;
  ExprPtr operand;
  if (e.negated) operand = e.args[i++];
  std::vector<BoundExprPtr> bound;
  for (; i + 1 < e.args.size(); i += 2) {
    ExprPtr cond = operand ? Expr::Compare(query::CompareOp::kEq, operand, e.args[i]) : e.args[i];
    QUIVER_ASSIGN_OR_RETURN(BoundExprPtr c, BindCaseCondition(*cond, depth + 1));
    QUIVER_ASSIGN_OR_RETURN(BoundExprPtr v, BindValue(*e.args[i + 1], depth + 1));
    bound.push_back(std::move(c));
    bound.push_back(std::move(v));
  }
  if (i < e.args.size()) {
    QUIVER_ASSIGN_OR_RETURN(BoundExprPtr v, BindValue(*e.args[i], depth + 1));
    bound.push_back(std::move(v));
  }
  {  // the values (THEN and ELSE), not the conditions
    std::vector<ExprPtr> values(bound.size());
    std::vector<bool> is_value(bound.size(), false);
    size_t first = operand ? 1 : 0;
    for (size_t k = 0; k < bound.size(); ++k) {
      is_value[k] = k % 2 == 1 || k + 1 == bound.size();
      if (is_value[k]) values[k] = e.args[first + k];
    }
    ExactDecimalLiterals(values, &bound, [&](const Expr& x) { return BindExact(x, depth + 1); },
                         is_value);
  }
  DataType other(TypeId::kNone);
  for (size_t k = 1; k < bound.size(); k += (k + 1 < bound.size() ? 2 : 1)) {
    if (bound[k]->type.id != TypeId::kNone) {
      other = bound[k]->type.value_type();
      break;
    }
    if (k + 1 >= bound.size()) break;
  }
  std::vector<DataType> types;
  std::vector<const kernels::Scalar*> consts(bound.size(), nullptr);
  for (size_t k = 0; k < bound.size(); ++k) {
    const bool is_value = (k % 2 == 1) || k + 1 == bound.size();
    if (is_value && bound[k]->type.id == TypeId::kNone && other.id != TypeId::kNone) {
      bound[k] = LiteralOf(Value(), other);
    }
    types.push_back(bound[k]->type);
  }
  QUIVER_ASSIGN_OR_RETURN(kernels::BoundFunctionPtr fn,
                          kernels::BindFunction("case_when", types, consts));
  auto b = std::make_shared<BoundExpr>();
  b->kind = ExprKind::kCall;
  b->is_case = true;
  b->fn = fn;
  b->type = fn->result_type();
  b->args = std::move(bound);
  return BoundExprPtr(std::move(b));
}

namespace {

// True when `e` computes a value that can fail: a function call, CAST or
// CASE (outside subqueries).
bool Computes(const Expr& e) {
  if (e.kind == ExprKind::kCall || e.kind == ExprKind::kCast || e.kind == ExprKind::kCase) return true;
  if (e.kind == ExprKind::kSubquery) return false;
  for (const ExprPtr& a : e.args) {
    if (a != nullptr && Computes(*a)) return true;
  }
  return false;
}

}  // namespace

Result<BoundExprPtr> ExprLowering::BindCaseCondition(const Expr& e, int depth) {
  if (!Computes(e)) return BindPredicate(e);
  switch (e.kind) {
    case ExprKind::kCompare:
      return BindCall(*Expr::Call(query::CompareOpSql(e.op), e.args), depth);
    case ExprKind::kAnd:
    case ExprKind::kOr:
    case ExprKind::kNot: {
      std::vector<BoundExprPtr> args;
      std::vector<DataType> types;
      for (const ExprPtr& a : e.args) {
        QUIVER_ASSIGN_OR_RETURN(BoundExprPtr b, BindCaseCondition(*a, depth + 1));
        types.push_back(b->type);
        args.push_back(std::move(b));
      }
      const char* name = e.kind == ExprKind::kAnd ? "and" : e.kind == ExprKind::kOr ? "or" : "not";
      std::vector<const kernels::Scalar*> consts(args.size(), nullptr);
      QUIVER_ASSIGN_OR_RETURN(kernels::BoundFunctionPtr fn, kernels::BindFunction(name, types, consts));
      auto b = std::make_shared<BoundExpr>();
      b->kind = ExprKind::kCall;
      b->fn = fn;
      b->type = fn->result_type();
      b->args = std::move(args);
      return BoundExprPtr(std::move(b));
    }
    default:
      return BindPredicate(e);
  }
}

Result<BoundExprPtr> ExprLowering::BindCast(const Expr& e, int depth) {
  QUIVER_ASSIGN_OR_RETURN(DataType to, SqlTypeNamed(e.column));
  QUIVER_ASSIGN_OR_RETURN(BoundExprPtr x, BindValue(*e.args[0], depth + 1));
  // CAST(0.1 AS decimal(20, 19)) is exact: the number's text, not its double.
  if (to.id == TypeId::kDecimal128) {
    if (std::optional<DataType> t = DecimalNumberType(*e.args[0])) {
      x = LiteralOf(Value(e.args[0]->number_text), *t);
    }
  }
  if (x->type.id == TypeId::kNone) return LiteralOf(Value(), to);
  if (x->type.value_type() == to && !x->type.is_dictionary()) return x;
  QUIVER_ASSIGN_OR_RETURN(kernels::BoundFunctionPtr fn, kernels::BindCast(x->type, to, e.negated));
  auto b = std::make_shared<BoundExpr>();
  b->kind = ExprKind::kCall;
  b->fn = fn;
  b->type = fn->result_type();
  b->args = {std::move(x)};
  return BoundExprPtr(std::move(b));
}

Result<BoundExprPtr> ExprLowering::BindExact(const Expr& e, int depth) {
  const bool was = exact_fractions_;
  exact_fractions_ = true;
  Result<BoundExprPtr> b = BindValue(e, depth);
  exact_fractions_ = was;
  return b;
}

Result<BoundExprPtr> ExprLowering::BindValue(const Expr& e, int depth) {
  if (depth > query::internal::kMaxDepth) {
    return Status::Invalid("expression nested too deeply (more than " +
                           std::to_string(query::internal::kMaxDepth) + " levels)");
  }
  switch (e.kind) {
    case ExprKind::kColumn: {
      QUIVER_ASSIGN_OR_RETURN(int i, Resolve(e.column));
      auto b = std::make_shared<BoundExpr>();
      b->kind = ExprKind::kColumn;
      b->column = i;
      b->type = fields_[size_t(i)].type;
      return BoundExprPtr(std::move(b));
    }
    case ExprKind::kLiteral:
      if (exact_fractions_) {
        if (std::optional<DataType> t = DecimalNumberType(e)) return LiteralOf(Value(e.number_text), *t);
      }
      return LiteralOf(e.value, NaturalType(e.value));
    case ExprKind::kCall:
      return BindCall(e, depth);
    case ExprKind::kCase:
      return BindCase(e, depth);
    case ExprKind::kCast:
      return BindCast(e, depth);
    case ExprKind::kAggregate:
      return Status::Invalid("aggregate " + query::ToSql(e) +
                             " is not allowed here (not in WHERE, GROUP BY or inside another "
                             "aggregate)");
    case ExprKind::kSubquery:
      return Status::Invalid("a subquery is not allowed here");
    case ExprKind::kInterval:
      return Status::TypeError("an INTERVAL can only be added to or subtracted from a date or "
                               "timestamp");
    case ExprKind::kCompare:
      if (e.args.size() == 2 && !IsLiteral(e.args[0]) && !IsLiteral(e.args[1])) {
        return BindCall(*Expr::Call(query::CompareOpSql(e.op), e.args), depth);
      }
      return BindPredicate(e);
    case ExprKind::kIn:
    case ExprKind::kLike: {
      bool literal_rest = true;
      for (size_t i = 1; i < e.args.size(); ++i) literal_rest = literal_rest && IsLiteral(e.args[i]);
      if (literal_rest) return BindPredicate(e);
      ExprPtr call = Expr::Call(e.kind == ExprKind::kIn ? "in_list" : "like", e.args);
      if (e.negated) call = Expr::Call("not", {call});
      return BindCall(*call, depth);
    }
    default:
      if (IsPredicate(e.kind)) return BindPredicate(e);
      return Status::Internal("unhandled expression kind");
  }
}

}  // namespace quiver::store::internal
