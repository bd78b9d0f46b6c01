#include "store/query_bind.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <set>

#include "columnar/civil_time.h"
#include "columnar/decimal.h"
#include "columnar/text_format.h"
#include "kernels/aggregate.h"
#include "store/query_internal.h"

namespace quiver::query {
namespace {

using internal::EqualsIgnoreCase;

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

class Binder {
 public:
  Binder(const Schema& schema, std::string_view table) : schema_(schema), table_(table) {}

  Result<int> ResolveColumn(const std::string& name) const {
    int i = schema_.FieldIndex(name);
    if (i >= 0) return i;
    std::string msg = "unknown column \"" + name + "\"; table \"" + table_ + "\" has ";
    if (schema_.num_fields() == 0) return Status::NotFound(msg + "no columns");
    msg += "columns: ";
    constexpr size_t kMaxListed = 30;
    for (size_t k = 0; k < schema_.num_fields() && k < kMaxListed; ++k) {
      if (k > 0) msg += ", ";
      msg += schema_.field(k).name;
    }
    if (schema_.num_fields() > kMaxListed) {
      msg += ", ... (" + std::to_string(schema_.num_fields() - kMaxListed) + " more)";
    }
    return Status::NotFound(msg);
  }

  Result<BoundExprPtr> BindCondition(const Expr& e, int depth);

 private:
  // "int64 column "fare"" or "utf8 literal 'abc'".
  std::string Describe(const Expr& e) const {
    if (e.kind == ExprKind::kColumn) {
      int i = schema_.FieldIndex(e.column);
      std::string type = i >= 0 ? schema_.field(size_t(i)).type.ToString() : "unknown";
      return type + " column \"" + e.column + "\"";
    }
    return std::string(ValueTypeName(e.value)) + " literal " + ValueToSql(e.value);
  }

  Result<BoundExprPtr> BindColumn(const Expr& e) {
    QUIVER_ASSIGN_OR_RETURN(int i, ResolveColumn(e.column));
    auto b = std::make_shared<BoundExpr>();
    b->kind = ExprKind::kColumn;
    b->column = i;
    b->type = schema_.field(size_t(i)).type;
    return BoundExprPtr(std::move(b));
  }

  Result<BoundExprPtr> BindComparison(const Expr& e);
  Result<BoundExprPtr> BindLike(const Expr& e);

  const Schema& schema_;
  std::string table_;
};

// ---------------------------------------------------------------------------
// Literal casting
// ---------------------------------------------------------------------------

// The natural numeric type of a number literal.
TypeId NaturalType(const Value& v) {
  if (std::holds_alternative<int64_t>(v)) return TypeId::kInt64;
  if (std::holds_alternative<uint64_t>(v)) return TypeId::kUInt64;
  return TypeId::kFloat64;
}

bool RangeOf(TypeId t, int64_t* lo, uint64_t* hi) {
  switch (t) {
    case TypeId::kInt8:
      *lo = INT8_MIN;
      *hi = INT8_MAX;
      return true;
    case TypeId::kInt16:
      *lo = INT16_MIN;
      *hi = INT16_MAX;
      return true;
    case TypeId::kInt32:
      *lo = INT32_MIN;
      *hi = INT32_MAX;
      return true;
    case TypeId::kInt64:
      *lo = INT64_MIN;
      *hi = INT64_MAX;
      return true;
    case TypeId::kUInt8:
      *lo = 0;
      *hi = UINT8_MAX;
      return true;
    case TypeId::kUInt16:
      *lo = 0;
      *hi = UINT16_MAX;
      return true;
    case TypeId::kUInt32:
      *lo = 0;
      *hi = UINT32_MAX;
      return true;
    case TypeId::kUInt64:
      *lo = 0;
      *hi = UINT64_MAX;
      return true;
    default:
      return false;
  }
}

// `number` (int64, uint64 or double) as an exact value of numeric type `t`
// in its canonical alternative, or nullopt when it is not representable.
// Float targets take any number; float32 only when nothing is lost.
std::optional<Value> ExactNumber(const Value& number, TypeId t) {
  if (IsFloating(t)) {
    double d;
    if (auto* i = std::get_if<int64_t>(&number)) {
      d = double(*i);
    } else if (auto* u = std::get_if<uint64_t>(&number)) {
      d = double(*u);
    } else {
      d = std::get<double>(number);
    }
    if (t == TypeId::kFloat32 && double(float(d)) != d) return std::nullopt;
    return Value(d);
  }
  int64_t lo;
  uint64_t hi;
  if (!RangeOf(t, &lo, &hi)) return std::nullopt;
  // Reduce the number to sign and magnitude as integers.
  bool negative = false;
  uint64_t mag = 0;
  if (auto* i = std::get_if<int64_t>(&number)) {
    negative = *i < 0;
    mag = negative ? uint64_t(0) - uint64_t(*i) : uint64_t(*i);
  } else if (auto* u = std::get_if<uint64_t>(&number)) {
    mag = *u;
  } else {
    double d = std::get<double>(number);
    if (!std::isfinite(d) || d != std::trunc(d)) return std::nullopt;
    if (d >= 18446744073709551616.0 || d < -9223372036854775808.0) return std::nullopt;
    negative = d < 0;
    if (negative) {
      mag = uint64_t(0) - uint64_t(int64_t(d));
    } else {
      mag = uint64_t(d);
    }
  }
  if (negative) {
    if (mag == 0) negative = false;  // -0.0
  }
  if (negative) {
    uint64_t lo_mag = uint64_t(0) - uint64_t(lo);
    if (lo == 0 || mag > lo_mag) return std::nullopt;
    return Value(int64_t(uint64_t(0) - mag));
  }
  if (mag > hi) return std::nullopt;
  if (IsSignedInteger(t)) return Value(int64_t(mag));
  return Value(mag);
}

// The smallest numeric type both `a` and `b` convert to (exactly, except
// that float64 rounds integers beyond 2^53).
TypeId WidenNumeric(TypeId a, TypeId b) {
  if (a == b) return a;
  if (IsFloating(a) || IsFloating(b)) return TypeId::kFloat64;
  const bool sa = IsSignedInteger(a), sb = IsSignedInteger(b);
  if (sa == sb) return ByteWidth(a) >= ByteWidth(b) ? a : b;
  TypeId s = sa ? a : b, u = sa ? b : a;
  if (ByteWidth(u) < ByteWidth(s)) return s;
  if (ByteWidth(u) < 8) return TypeId::kInt64;
  return TypeId::kFloat64;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

// A literal seen as a number for a numeric comparison: numbers as they are,
// strings when they spell a number (SQL's implicit cast of '42'); nullopt
// for anything else.
std::optional<Value> AsNumber(const Value& v) {
  if (std::holds_alternative<int64_t>(v) || std::holds_alternative<uint64_t>(v) ||
      std::holds_alternative<double>(v)) {
    return v;
  }
  if (auto* s = std::get_if<std::string>(&v)) {
    return internal::ParseNumber(Trim(*s), true, nullptr);
  }
  return std::nullopt;
}

// Casts a non-numeric literal to `t` (utf8, binary, bool, date32, date64,
// timestamp, time32/time64 from 'HH:MM:SS[.f]' or a count of units,
// duration from a count). `reason` gets why a string did not convert.
std::optional<Value> CastOther(const Value& v, const DataType& t, std::string* reason) {
  const std::string* s = std::get_if<std::string>(&v);
  switch (t.id) {
    case TypeId::kUtf8:
    case TypeId::kBinary:
      if (s) return v;
      return std::nullopt;
    case TypeId::kFixedSizeBinary:
      if (s) {
        Result<std::string> bytes = ParseFixedSizeBinary(*s, t);
        if (bytes.ok()) return Value(std::move(*bytes));
        *reason = bytes.status().message();
      }
      return std::nullopt;
    case TypeId::kBool:
      if (std::holds_alternative<bool>(v)) return v;
      if (s) {
        std::string x = Trim(*s);
        if (EqualsIgnoreCase(x, "true") || EqualsIgnoreCase(x, "t") || x == "1") return Value(true);
        if (EqualsIgnoreCase(x, "false") || EqualsIgnoreCase(x, "f") || x == "0")
          return Value(false);
      }
      return std::nullopt;
    case TypeId::kDate32:
      if (s) {
        Result<int32_t> d = ParseDateLiteral(Trim(*s));
        if (d.ok()) return Value(int64_t(*d));
        *reason = d.status().message();
      }
      return std::nullopt;
    case TypeId::kTimestamp:
      if (s) {
        Result<int64_t> ts = ParseTimestampLiteral(Trim(*s), t.unit);
        if (ts.ok()) return Value(*ts);
        *reason = ts.status().message();
      }
      return std::nullopt;
    case TypeId::kDate64:
      if (s) {
        Result<int32_t> d = ParseDateLiteral(Trim(*s));
        if (d.ok()) return Value(int64_t(*d) * 86400000);
        *reason = d.status().message();
      }
      if (std::holds_alternative<int64_t>(v)) return v;  // milliseconds
      return std::nullopt;
    case TypeId::kTime32:
    case TypeId::kTime64:
      if (s) {
        Result<int64_t> tod = ParseTimeOfDayLiteral(Trim(*s), t);
        if (tod.ok()) return Value(*tod);
        *reason = tod.status().message();
      }
      if (std::holds_alternative<int64_t>(v)) return v;  // a count of the column's unit
      return std::nullopt;
    case TypeId::kDuration:
      // Counts of the column's unit.
      if (std::holds_alternative<int64_t>(v)) return v;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

DataType NaturalDataType(const Value& v) {
  switch (v.index()) {
    case 0:
      return DataType(TypeId::kNone);
    case 1:
      return DataType(TypeId::kBool);
    case 2:
      return DataType(TypeId::kInt64);
    case 3:
      return DataType(TypeId::kUInt64);
    case 4:
      return DataType(TypeId::kFloat64);
    default:
      return DataType(TypeId::kUtf8);
  }
}

// ---------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------

std::shared_ptr<BoundExpr> Condition(const Expr& e) {
  auto b = std::make_shared<BoundExpr>();
  b->kind = e.kind;
  b->op = e.op;
  b->negated = e.negated;
  b->type = DataType(TypeId::kBool);
  return b;
}

BoundExprPtr LiteralNode(Value v, const DataType& type) {
  auto b = std::make_shared<BoundExpr>();
  b->kind = ExprKind::kLiteral;
  b->type = type;
  b->literal = TypedScalar{std::move(v), type};
  return b;
}

Result<BoundExprPtr> Binder::BindComparison(const Expr& e) {
  // The anchor: the first column operand decides the type literals are cast
  // to; more columns must have a common type with it.
  const Expr* anchor = nullptr;
  DataType target;
  for (const ExprPtr& a : e.args) {
    if (a->kind != ExprKind::kColumn) continue;
    QUIVER_ASSIGN_OR_RETURN(int i, ResolveColumn(a->column));
    DataType t = schema_.field(size_t(i)).type.value_type();
    if (anchor == nullptr) {
      anchor = a.get();
      target = t;
    } else if (!(t == target)) {
      const bool dt = t.id == TypeId::kDecimal128, dtarget = target.id == TypeId::kDecimal128;
      if (IsNumeric(t.id) && IsNumeric(target.id)) {
        target = DataType(WidenNumeric(target.id, t.id));
      } else if ((dt || dtarget) && (dt || IsNumeric(t.id)) && (dtarget || IsNumeric(target.id))) {
        // Decimals compare exactly with decimals of any scale and with
        // integers, as doubles with floats (row by row, CompareValues);
        // literals take the decimal of the larger scale.
        if (dt && (!dtarget || t.scale > target.scale)) target = t;
      } else {
        return Status::TypeError("cannot compare " + Describe(*anchor) + " with " + Describe(*a));
      }
    }
  }
  if (anchor == nullptr) {
    // Literals only (`1 = 1`): the first non-null literal decides.
    for (const ExprPtr& a : e.args) {
      if (a->kind == ExprKind::kLiteral && !std::holds_alternative<std::monostate>(a->value)) {
        anchor = a.get();
        target = NaturalDataType(a->value);
        break;
      }
    }
  }
  if (anchor == nullptr) target = DataType(TypeId::kNone);

  // Numeric comparisons: literals that do not fit the column's type widen
  // the comparison (an int8 column against 1000 compares as int64; an int
  // column against 2.5 as float64), as SQL's numeric promotion does.
  if (IsNumeric(target.id)) {
    TypeId wide = target.id;
    for (const ExprPtr& a : e.args) {
      if (a->kind != ExprKind::kLiteral || a.get() == anchor) continue;
      if (std::holds_alternative<std::monostate>(a->value)) continue;
      std::optional<Value> num = AsNumber(a->value);
      if (!num) {
        return Status::TypeError("cannot compare " + Describe(*anchor) + " with " + Describe(*a));
      }
      if (!ExactNumber(*num, wide)) wide = WidenNumeric(wide, NaturalType(*num));
    }
    if (wide != target.id) target = DataType(wide);
  }

  auto node = Condition(e);
  node->operand_type = target;
  for (const ExprPtr& a : e.args) {
    if (a->kind == ExprKind::kColumn) {
      QUIVER_ASSIGN_OR_RETURN(BoundExprPtr c, BindColumn(*a));
      node->args.push_back(std::move(c));
      continue;
    }
    // A literal.
    // A null-type column compares as NULL with anything: the literal keeps
    // the column's type and the kernel answers unknown for every row.
    if (std::holds_alternative<std::monostate>(a->value) || target.id == TypeId::kNone ||
        target.id == TypeId::kNull) {
      node->args.push_back(LiteralNode(a->value, target));
      continue;
    }
    std::optional<Value> cast;
    std::string reason;
    if (target.id == TypeId::kDecimal128) {
      // Kept as the literal's exact decimal text; the kernels compare it
      // exactly at the column's scale (kernels::DecimalLiteral).
      std::optional<Value> num = AsNumber(a->value);
      if (num) {
        std::string text = std::holds_alternative<int64_t>(*num)    ? std::to_string(std::get<int64_t>(*num))
                           : std::holds_alternative<uint64_t>(*num) ? std::to_string(std::get<uint64_t>(*num))
                                                                    : ShortestDouble(std::get<double>(*num));
        if (const std::string* s = std::get_if<std::string>(&a->value)) text = Trim(*s);
        if (!a->number_text.empty()) text = a->number_text;
        if (DecimalLiteralBounds(text, target.scale).ok()) cast = Value(text);
      }
    } else if (IsNumeric(target.id)) {
      std::optional<Value> num = AsNumber(a->value);
      if (num) cast = ExactNumber(*num, target.id);
    } else {
      cast = CastOther(a->value, target, &reason);
    }
    if (!cast) {
      std::string msg = "cannot compare " + Describe(*anchor) + " with " + Describe(*a);
      if (!reason.empty()) msg += ": " + reason;
      return Status::TypeError(msg);
    }
    node->args.push_back(LiteralNode(std::move(*cast), target));
  }
  return BoundExprPtr(std::move(node));
}

Result<BoundExprPtr> Binder::BindLike(const Expr& e) {
  const Expr& subject = *e.args[0];
  const Expr& pattern = *e.args[1];
  DataType type(TypeId::kUtf8);
  auto node = Condition(e);
  if (subject.kind == ExprKind::kColumn) {
    QUIVER_ASSIGN_OR_RETURN(BoundExprPtr c, BindColumn(subject));
    DataType t = c->type.value_type();
    if (t.id != TypeId::kUtf8 && t.id != TypeId::kBinary) {
      return Status::TypeError("LIKE needs a utf8 or binary operand, found " + Describe(subject));
    }
    type = t;
    node->args.push_back(std::move(c));
  } else if (std::holds_alternative<std::string>(subject.value) ||
             std::holds_alternative<std::monostate>(subject.value)) {
    node->args.push_back(LiteralNode(subject.value, type));
  } else {
    return Status::TypeError("LIKE needs a utf8 or binary operand, found " + Describe(subject));
  }
  if (pattern.kind != ExprKind::kLiteral ||
      !(std::holds_alternative<std::string>(pattern.value) ||
        std::holds_alternative<std::monostate>(pattern.value))) {
    return Status::TypeError("the pattern of LIKE must be a string literal, found " +
                             Describe(pattern));
  }
  node->args.push_back(LiteralNode(pattern.value, type));
  node->operand_type = type;
  return BoundExprPtr(std::move(node));
}

Result<BoundExprPtr> Binder::BindCondition(const Expr& e, int depth) {
  if (depth > internal::kMaxDepth) {
    return Status::Invalid("expression nested too deeply (more than " +
                           std::to_string(internal::kMaxDepth) + " levels)");
  }
  for (const ExprPtr& a : e.args) {
    if (a == nullptr) return Status::Invalid("expression has a missing argument");
  }
  auto need_values = [&]() -> Status {
    for (const ExprPtr& a : e.args) {
      if (!a->is_value()) {
        return Status::Invalid("an operand of " + ToSql(e) +
                               " is a condition; operands must be columns or literals");
      }
    }
    return Status::OK();
  };
  switch (e.kind) {
    case ExprKind::kColumn: {
      QUIVER_ASSIGN_OR_RETURN(BoundExprPtr c, BindColumn(e));
      if (c->type.id != TypeId::kBool) {
        return Status::TypeError("expected a condition, found " + Describe(e));
      }
      return c;
    }
    case ExprKind::kLiteral:
      if (std::holds_alternative<bool>(e.value) ||
          std::holds_alternative<std::monostate>(e.value)) {
        return LiteralNode(e.value, DataType(TypeId::kBool));
      }
      return Status::TypeError("expected a condition, found " + Describe(e));
    case ExprKind::kCompare:
    case ExprKind::kBetween:
    case ExprKind::kIn: {
      const size_t min_args = e.kind == ExprKind::kBetween ? 3 : 2;
      if (e.args.size() < min_args || (e.kind != ExprKind::kIn && e.args.size() != min_args)) {
        return Status::Invalid("wrong number of operands in " + ToSql(e));
      }
      QUIVER_RETURN_NOT_OK(need_values());
      return BindComparison(e);
    }
    case ExprKind::kLike:
      if (e.args.size() != 2) return Status::Invalid("wrong number of operands in " + ToSql(e));
      QUIVER_RETURN_NOT_OK(need_values());
      return BindLike(e);
    case ExprKind::kIsNull: {
      if (e.args.size() != 1) return Status::Invalid("wrong number of operands in " + ToSql(e));
      QUIVER_RETURN_NOT_OK(need_values());
      auto node = Condition(e);
      const Expr& x = *e.args[0];
      if (x.kind == ExprKind::kColumn) {
        QUIVER_ASSIGN_OR_RETURN(BoundExprPtr c, BindColumn(x));
        node->args.push_back(std::move(c));
      } else {
        node->args.push_back(LiteralNode(x.value, NaturalDataType(x.value)));
      }
      return BoundExprPtr(std::move(node));
    }
    case ExprKind::kAnd:
    case ExprKind::kOr:
    case ExprKind::kNot: {
      if (e.args.empty() || (e.kind == ExprKind::kNot && e.args.size() != 1)) {
        return Status::Invalid("wrong number of operands in a logical operator");
      }
      auto node = Condition(e);
      for (const ExprPtr& a : e.args) {
        QUIVER_ASSIGN_OR_RETURN(BoundExprPtr c, BindCondition(*a, depth + 1));
        node->args.push_back(std::move(c));
      }
      return BoundExprPtr(std::move(node));
    }
    default:
      return Status::Invalid("the condition " + ToSql(e) +
                             " needs the query planner (store/plan_internal.h)");
  }
}

Result<DataType> AggregateType(AggFunc f, const DataType& input, const std::string& column) {
  const DataType value = input.value_type();
  auto reject = [&](const char* what) {
    return Status::TypeError(std::string(AggFuncName(f)) + " is not defined for " +
                             value.ToString() + " column \"" + column + "\"; it needs " + what);
  };
  switch (f) {
    case AggFunc::kCount:
      return DataType(TypeId::kInt64);
    case AggFunc::kSum:
      // Decimals follow kernels' rule (decimal128(38, s)), the one place for it.
      if (value.id == TypeId::kDecimal128) return kernels::AggResultType(kernels::AggKind::kSum, value);
      if (IsSignedInteger(value.id)) return DataType(TypeId::kInt64);
      if (IsInteger(value.id)) return DataType(TypeId::kUInt64);
      if (IsFloating(value.id)) return DataType(TypeId::kFloat64);
      return reject("a numeric column");
    case AggFunc::kAvg:
      if (IsNumeric(value.id) || value.id == TypeId::kDecimal128) return DataType(TypeId::kFloat64);
      return reject("a numeric column");
    case AggFunc::kMin:
    case AggFunc::kMax:
      if (!kernels::AggResultType(kernels::AggKind::kMin, value).ok()) {
        return reject("a column with a min and max here (intervals sort and compare, but their min/max and that of nested values are not computed)");
      }
      return value;
    case AggFunc::kNone:
      return input;
    default: {
      // COUNT(DISTINCT), variance, quantiles, ...: kernels/grouped_agg.h
      // holds their type rules.
      const kernels::GroupedAggKind g = internal::GroupedAggOf(f);
      if (g == kernels::GroupedAggKind::kNone) break;
      Result<DataType> r = kernels::GroupedAggResultType(g, input);
      if (!r.ok()) return reject(kernels::GroupedAggAccepts(g));
      return r;
    }
  }
  return Status::NotSupported(std::string(AggFuncName(f)) + " is not supported yet");
}

}  // namespace

std::string AggOutputName(const SelectItem& s) {
  std::string name = AggFuncName(s.agg);
  for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  name += "(";
  if (s.agg == AggFunc::kCountDistinct) name += "DISTINCT ";
  name += s.column.empty() ? std::string("*") : s.column;
  if (s.agg == AggFunc::kQuantileCont || s.agg == AggFunc::kQuantileDisc) {
    name += ", " + ValueToSql(Value(s.param));
  }
  if (s.agg == AggFunc::kStringAgg) name += ", " + ValueToSql(Value(s.sep));
  return name + ")";
}

kernels::GroupedAggKind internal::GroupedAggOf(AggFunc f) {
  using G = kernels::GroupedAggKind;
  switch (f) {
    case AggFunc::kCountDistinct:
      return G::kCountDistinct;
    case AggFunc::kApproxCountDistinct:
      return G::kApproxCountDistinct;
    case AggFunc::kStddevSamp:
      return G::kStddevSamp;
    case AggFunc::kStddevPop:
      return G::kStddevPop;
    case AggFunc::kVarSamp:
      return G::kVarSamp;
    case AggFunc::kVarPop:
      return G::kVarPop;
    case AggFunc::kMedian:
      return G::kMedian;
    case AggFunc::kQuantileCont:
      return G::kQuantileCont;
    case AggFunc::kQuantileDisc:
      return G::kQuantileDisc;
    case AggFunc::kBoolAnd:
      return G::kBoolAnd;
    case AggFunc::kBoolOr:
      return G::kBoolOr;
    case AggFunc::kAnyValue:
      return G::kAnyValue;
    case AggFunc::kList:
      return G::kList;
    case AggFunc::kStringAgg:
      return G::kStringAgg;
    default:
      return G::kNone;
  }
}

// ---------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------

Result<BoundExprPtr> BindFilter(const Expr& filter, const Schema& schema, std::string_view table) {
  Binder binder(schema, table);
  return binder.BindCondition(filter, 0);
}

Result<BoundQuery> Bind(const Query& query, const Schema& schema) {
  Binder binder(schema, query.table);
  BoundQuery out;
  out.table = query.table;
  out.limit = query.limit;
  out.offset = query.offset.value_or(0);
  if (query.limit && *query.limit < 0) return Status::Invalid("LIMIT must not be negative");
  if (query.offset && *query.offset < 0) return Status::Invalid("OFFSET must not be negative");

  // Select list.
  if (query.select.empty()) {
    for (size_t i = 0; i < schema.num_fields(); ++i) {
      out.outputs.push_back(
          BoundOutput{schema.field(i).name, AggFunc::kNone, int(i), schema.field(i).type, 0.5, nullptr, {}});
    }
  } else {
    for (const SelectItem& s : query.select) {
      BoundOutput o;
      o.agg = s.agg;
      if (s.column.empty()) {
        if (s.agg != AggFunc::kCount)
          return Status::Invalid("empty column name in the select list");
        o.type = DataType(TypeId::kInt64);
      } else {
        QUIVER_ASSIGN_OR_RETURN(o.column, binder.ResolveColumn(s.column));
        QUIVER_ASSIGN_OR_RETURN(
            o.type, AggregateType(s.agg, schema.field(size_t(o.column)).type, s.column));
      }
      if (s.agg == AggFunc::kQuantileCont || s.agg == AggFunc::kQuantileDisc) {
        if (!(s.param >= 0 && s.param <= 1)) {
          return Status::Invalid(std::string(AggFuncName(s.agg)) +
                                 ": the quantile must be between 0 and 1, got " +
                                 ValueToSql(Value(s.param)));
        }
        o.param = s.param;
      }
      o.name = !s.alias.empty() ? s.alias : s.agg == AggFunc::kNone ? s.column : AggOutputName(s);
      if (s.expr) {
        return Status::Invalid("expression " + ToSql(*s.expr) +
                               " in the select list needs the query planner (store/plan_internal.h)");
      }
      o.param = s.param;
      o.sep = s.sep;
      if (s.filter) {
        if (s.agg == AggFunc::kNone) return Status::Invalid("FILTER needs an aggregate");
        QUIVER_ASSIGN_OR_RETURN(o.filter, binder.BindCondition(*s.filter, 0));
      }
      out.outputs.push_back(std::move(o));
    }
  }
  {
    std::set<std::string> names;
    for (const BoundOutput& o : out.outputs) {
      if (!names.insert(o.name).second) {
        return Status::Invalid("duplicate output column name \"" + o.name +
                               "\"; give one of them another name with AS");
      }
    }
  }

  // WHERE.
  if (query.where) {
    QUIVER_ASSIGN_OR_RETURN(out.where, binder.BindCondition(*query.where, 0));
  }

  // GROUP BY and the aggregate rule.
  std::set<int> group_set;
  for (const std::string& name : query.group_by) {
    QUIVER_ASSIGN_OR_RETURN(int i, binder.ResolveColumn(name));
    if (group_set.insert(i).second) out.group_by.push_back(i);
  }
  out.aggregate = !query.group_by.empty();
  for (const BoundOutput& o : out.outputs) out.aggregate = out.aggregate || o.agg != AggFunc::kNone;
  if (out.aggregate) {
    for (const BoundOutput& o : out.outputs) {
      if (o.agg == AggFunc::kNone && group_set.count(o.column) == 0) {
        return Status::Invalid("column \"" + schema.field(size_t(o.column)).name +
                               "\" must appear in GROUP BY or be used in an aggregate function");
      }
    }
  }

  // ORDER BY: output names (aliases first, as SQL does), positions, then
  // table columns.
  for (const OrderItem& item : query.order_by) {
    BoundOrderKey key;
    key.descending = item.descending;
    key.nulls_first =
        item.nulls == NullOrder::kDefault ? item.descending : item.nulls == NullOrder::kFirst;
    if (item.position != 0) {
      if (item.position < 1 || uint64_t(item.position) > out.outputs.size()) {
        return Status::Invalid("ORDER BY position " + std::to_string(item.position) +
                               " is out of range; the select list has " +
                               std::to_string(out.outputs.size()) +
                               (out.outputs.size() == 1 ? " column" : " columns"));
      }
      key.output = int(item.position - 1);
    } else if (item.agg != AggFunc::kNone) {
      for (size_t i = 0; i < out.outputs.size(); ++i) {
        const BoundOutput& o = out.outputs[i];
        const std::string column = o.column >= 0 ? schema.field(size_t(o.column)).name : "";
        if (o.agg == item.agg && column == item.name) key.output = int(i);
      }
      if (key.output < 0) {
        return Status::Invalid("ORDER BY " +
                               internal::SelectItemToSql(SelectItem(item.agg, item.name)) +
                               " must also appear in the select list");
      }
    } else {
      for (size_t i = 0; i < out.outputs.size(); ++i) {
        if (out.outputs[i].name == item.name) key.output = int(i);
      }
      if (key.output < 0) {
        QUIVER_ASSIGN_OR_RETURN(key.column, binder.ResolveColumn(item.name));
        if (out.aggregate && group_set.count(key.column) == 0) {
          return Status::Invalid("ORDER BY column \"" + item.name +
                                 "\" must appear in GROUP BY or be used in an aggregate function");
        }
      }
    }
    out.order_by.push_back(key);
  }
  return out;
}

}  // namespace quiver::query
