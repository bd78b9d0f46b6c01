// Functions registered by RegisterArithmetic (kernels/function_internal.h):
// + - * / // % on numbers, date32 and timestamps, unary "neg", and "||".
//
// Rules (DuckDB's, with Quiver's integer widths): decimal128 operands are
// exact decimal arithmetic (fn_decimal.cc, with its result types), except
// `/`, `//` and a float operand, which compute in float64. Integers are computed in
// int64 (uint64 when both sides are unsigned) with overflow an Overflow
// error; any float operand, and `/` always, compute in float64. `//` on
// floats is plain division (as in DuckDB); `%` on floats is fmod. Division
// or modulo by zero (0.0 and -0.0 included) gives NULL.
// date32 +/- integer adds days; date32 - date32 is int64 days; timestamp
// +/- integer adds units of the timestamp's own unit.
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "kernels/function_internal.h"

namespace quiver::kernels::internal {
namespace {

enum class Op { kAdd, kSub, kMul, kDiv, kIntDiv, kMod };

const char* OpName(Op op) {
  switch (op) {
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kIntDiv:
      return "//";
    case Op::kMod:
      return "%";
  }
  return "?";
}

// Runs f(x, y, out[i]) over the rows for each broadcast shape (at least one
// side is a column); returns the OR of f's results (an overflow flag).
template <typename C, typename R, typename F>
bool Loop2(const NumericInput<C>& a, const NumericInput<C>& b, int64_t n, R* out, F f) {
  bool flag = false;
  if (a.values() != nullptr && b.values() != nullptr) {
    const C* x = a.values();
    const C* y = b.values();
    for (int64_t i = 0; i < n; ++i) flag |= f(x[i], y[i], out[i]);
  } else if (a.values() != nullptr) {
    const C* x = a.values();
    const C y = b.scalar();
    for (int64_t i = 0; i < n; ++i) flag |= f(x[i], y, out[i]);
  } else {
    const C x = a.scalar();
    const C* y = b.values();
    for (int64_t i = 0; i < n; ++i) flag |= f(x, y[i], out[i]);
  }
  return flag;
}

// Integer x op y into *r; true on overflow. Division by zero yields 0 here
// (the row is made NULL afterwards).
template <typename C>
inline bool IntOp(Op op, C x, C y, C* r) {
  switch (op) {
    case Op::kAdd:
      return __builtin_add_overflow(x, y, r);
    case Op::kSub:
      return __builtin_sub_overflow(x, y, r);
    case Op::kMul:
      return __builtin_mul_overflow(x, y, r);
    default:
      break;
  }
  bool o = false;
  C d = y;
  if constexpr (std::is_signed_v<C>) {
    o = (op == Op::kIntDiv) & (x == std::numeric_limits<C>::min()) & (y == -1);
    d = ((y == 0) | (y == -1)) ? C(1) : y;  // x % -1 is 0, x // -1 is -x
    *r = op == Op::kMod ? (y == -1 ? C(0) : C(x % d)) : (y == -1 ? C(o ? 0 : -x) : C(x / d));
  } else {
    d = y == 0 ? C(1) : y;
    *r = op == Op::kMod ? C(x % d) : C(x / d);
  }
  return o;
}

template <typename C, Op kOp>
bool IntLoop(const NumericInput<C>& a, const NumericInput<C>& b, int64_t n, C* out) {
  return Loop2(a, b, n, out, [](C x, C y, C& r) { return IntOp<C>(kOp, x, y, &r); });
}

// Makes rows whose divisor is zero NULL.
template <typename C>
void NullOnZero(const NumericInput<C>& b, int64_t rows, std::shared_ptr<Buffer>* validity) {
  if (b.is_scalar()) return;  // a scalar zero is handled by the caller
  const C* y = b.values();
  bool any = false;
  for (int64_t i = 0; i < rows; ++i) any |= y[i] == C(0);
  if (!any) return;
  if (*validity == nullptr) *validity = AllValidBitmap(rows);
  uint8_t* bits = (*validity)->mutable_data();
  for (int64_t i = 0; i < rows; ++i) {
    if (y[i] == C(0)) ClearBit(bits, i);
  }
}

template <typename C>
Result<Datum> ExecInt(Op op, const DataType& result, const std::vector<Datum>& args, int64_t rows) {
  int64_t nulls = 0;
  std::shared_ptr<Buffer> validity = AndValidity({&args[0], &args[1]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(result, rows));
  NumericInput<C> a, b;
  QUIVER_RETURN_NOT_OK(a.Load(args[0], rows));
  QUIVER_RETURN_NOT_OK(b.Load(args[1], rows));
  const bool divides = op == Op::kIntDiv || op == Op::kMod;
  if (nulls == rows || (divides && b.is_scalar() && b.scalar() == C(0))) {
    return Datum::Own(NullColumn(result, rows));
  }
  auto buf = AllocateValues<C>(rows);
  C* out = MutableValues<C>(buf);
  bool overflow = false;
  switch (op) {
    case Op::kAdd:
      overflow = IntLoop<C, Op::kAdd>(a, b, rows, out);
      break;
    case Op::kSub:
      overflow = IntLoop<C, Op::kSub>(a, b, rows, out);
      break;
    case Op::kMul:
      overflow = IntLoop<C, Op::kMul>(a, b, rows, out);
      break;
    case Op::kIntDiv:
      overflow = IntLoop<C, Op::kIntDiv>(a, b, rows, out);
      break;
    case Op::kMod:
      overflow = IntLoop<C, Op::kMod>(a, b, rows, out);
      break;
    case Op::kDiv:
      return Status::Internal("integer /");
  }
  if (overflow) {  // find the first overflow in a valid row (NULL rows hold anything)
    for (int64_t i = 0; i < rows; ++i) {
      C r;
      if ((validity == nullptr || GetBit(validity->data(), i)) && IntOp<C>(op, a[i], b[i], &r)) {
        return Status::Overflow("integer overflow in " + std::to_string(a[i]) + " " + OpName(op) +
                                " " + std::to_string(b[i]));
      }
    }
  }
  if (divides) NullOnZero(b, rows, &validity);
  return Datum::Own(MakeColumn(result, rows, {validity, buf}));
}

template <Op kOp>
bool FloatLoop(const NumericInput<double>& a, const NumericInput<double>& b, int64_t n,
               double* out) {
  return Loop2(a, b, n, out, [](double x, double y, double& r) {
    if constexpr (kOp == Op::kAdd) r = x + y;
    if constexpr (kOp == Op::kSub) r = x - y;
    if constexpr (kOp == Op::kMul) r = x * y;
    if constexpr (kOp == Op::kDiv || kOp == Op::kIntDiv) r = x / y;
    if constexpr (kOp == Op::kMod) r = std::fmod(x, y);
    return false;
  });
}

Result<Datum> ExecFloat(Op op, const std::vector<Datum>& args, int64_t rows) {
  const DataType result(TypeId::kFloat64);
  int64_t nulls = 0;
  std::shared_ptr<Buffer> validity = AndValidity({&args[0], &args[1]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(result, rows));
  NumericInput<double> a, b;
  QUIVER_RETURN_NOT_OK(a.Load(args[0], rows));
  QUIVER_RETURN_NOT_OK(b.Load(args[1], rows));
  const bool divides = op == Op::kDiv || op == Op::kIntDiv || op == Op::kMod;
  if (nulls == rows || (divides && b.is_scalar() && b.scalar() == 0)) {
    return Datum::Own(NullColumn(result, rows));
  }
  auto buf = AllocateValues<double>(rows);
  double* out = MutableValues<double>(buf);
  switch (op) {
    case Op::kAdd:
      FloatLoop<Op::kAdd>(a, b, rows, out);
      break;
    case Op::kSub:
      FloatLoop<Op::kSub>(a, b, rows, out);
      break;
    case Op::kMul:
      FloatLoop<Op::kMul>(a, b, rows, out);
      break;
    case Op::kDiv:
    case Op::kIntDiv:
      FloatLoop<Op::kDiv>(a, b, rows, out);
      break;
    case Op::kMod:
      FloatLoop<Op::kMod>(a, b, rows, out);
      break;
  }
  if (divides) NullOnZero(b, rows, &validity);
  return Datum::Own(MakeColumn(result, rows, {validity, buf}));
}

// date32 +/- days: computed in int64, then range-checked into int32.
Result<Datum> ExecDate(Op op, bool date_first, const std::vector<Datum>& args, int64_t rows) {
  const DataType date(TypeId::kDate32);
  QUIVER_ASSIGN_OR_RETURN(Datum wide, ExecInt<int64_t>(op, DataType(TypeId::kInt64), args, rows));
  const ArrayView& v = wide.view;
  auto buf = AllocateValues<int32_t>(rows);
  int32_t* out = MutableValues<int32_t>(buf);
  const int64_t* in = v.data<int64_t>();
  bool bad = false;
  for (int64_t i = 0; i < rows; ++i) {
    bad |= in[i] != int64_t(int32_t(in[i]));
    out[i] = int32_t(in[i]);
  }
  if (bad) {
    for (int64_t i = 0; i < rows; ++i) {
      if (v.IsValid(i) && in[i] != int64_t(int32_t(in[i]))) {
        return Status::Overflow("date out of range: " + std::to_string(in[i]) + " days in " +
                                (date_first ? "date32 " : "integer ") + OpName(op) +
                                (date_first ? " integer" : " date32"));
      }
    }
  }
  std::shared_ptr<Buffer> validity;
  if (v.null_count > 0) validity = Buffer::Copy(v.validity, BytesForBits(rows));
  return Datum::Own(MakeColumn(date, rows, {validity, buf}));
}

bool IsNumOrNull(const DataType& t) { return IsNumeric(t.id) || t.id == TypeId::kNone; }
bool IsIntOrNull(const DataType& t) { return IsInteger(t.id) || t.id == TypeId::kNone; }

BoundFunctionPtr BindNumeric(Op op, const DataType& a, const DataType& b) {
  if (IsFloating(a.id) || IsFloating(b.id) || op == Op::kDiv) {
    return MakeBound(
        DataType(TypeId::kFloat64),
        [op](const std::vector<Datum>& args, int64_t rows) { return ExecFloat(op, args, rows); });
  }
  DataType r = ArithmeticType(a, b);
  if (r.id == TypeId::kUInt64) {
    return MakeBound(r, [op, r](const std::vector<Datum>& args, int64_t rows) {
      return ExecInt<uint64_t>(op, r, args, rows);
    });
  }
  return MakeBound(r, [op, r](const std::vector<Datum>& args, int64_t rows) {
    return ExecInt<int64_t>(op, r, args, rows);
  });
}

BoundFunctionPtr BindTemporal(Op op, const DataType& a, const DataType& b) {
  const bool add_sub = op == Op::kAdd || op == Op::kSub;
  if (!add_sub) return nullptr;
  if (a.id == TypeId::kDate32 && b.id == TypeId::kDate32 && op == Op::kSub) {
    DataType r(TypeId::kInt64);
    return MakeBound(r, [r](const std::vector<Datum>& args, int64_t rows) {
      return ExecInt<int64_t>(Op::kSub, r, args, rows);
    });
  }
  const bool date_first = a.id == TypeId::kDate32 && IsIntOrNull(b);
  if (date_first || (op == Op::kAdd && b.id == TypeId::kDate32 && IsIntOrNull(a))) {
    return MakeBound(DataType(TypeId::kDate32),
                     [op, date_first](const std::vector<Datum>& args, int64_t rows) {
                       return ExecDate(op, date_first, args, rows);
                     });
  }
  const bool ts_first = a.id == TypeId::kTimestamp && IsIntOrNull(b);
  if (ts_first || (op == Op::kAdd && b.id == TypeId::kTimestamp && IsIntOrNull(a))) {
    DataType r = ts_first ? a : b;
    return MakeBound(r, [op, r](const std::vector<Datum>& args, int64_t rows) {
      return ExecInt<int64_t>(op, r, args, rows);
    });
  }
  return nullptr;
}

bool IsDecimalOperand(const DataType& t) { return t.id == TypeId::kDecimal128; }

// A decimal128 operand: exact decimal arithmetic (fn_decimal.cc) with
// decimals and integers; `/`, `//` and any float operand compute in float64.
Result<BoundFunctionPtr> BindWithDecimal(Op op, const std::vector<DataType>& types,
                                         const std::vector<const Scalar*>& constants) {
  auto exact = [](const DataType& t) {
    return IsDecimalOperand(t) || IsInteger(t.id) || t.id == TypeId::kNone;
  };
  const bool divides = op == Op::kDiv || op == Op::kIntDiv;
  if (!divides && exact(types[0]) && exact(types[1])) {
    return BindDecimalArithmetic(OpName(op), types, constants);
  }
  auto number = [](const DataType& t) { return IsDecimalOperand(t) || IsNumOrNull(t); };
  if (!number(types[0]) || !number(types[1])) return BoundFunctionPtr();
  return MakeBound(DataType(TypeId::kFloat64), [op](const std::vector<Datum>& args, int64_t rows) {
    return ExecFloat(op, args, rows);
  });
}

Result<BoundFunctionPtr> BindBinary(Op op, const std::vector<DataType>& types,
                                    const std::vector<const Scalar*>& constants) {
  if (types.size() != 2) return BoundFunctionPtr();
  if (types[0].is_dictionary() || types[1].is_dictionary()) return BoundFunctionPtr();
  if (IsDecimalOperand(types[0]) || IsDecimalOperand(types[1])) {
    return BindWithDecimal(op, types, constants);
  }
  if (IsNumOrNull(types[0]) && IsNumOrNull(types[1])) return BindNumeric(op, types[0], types[1]);
  return BindTemporal(op, types[0], types[1]);
}

Result<Datum> ExecNeg(const DataType& type, const std::vector<Datum>& args, int64_t rows) {
  int64_t nulls = 0;
  std::shared_ptr<Buffer> validity = AndValidity({&args[0]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(type, rows));
  if (type.id == TypeId::kFloat64) {
    NumericInput<double> a;
    QUIVER_RETURN_NOT_OK(a.Load(args[0], rows));
    auto buf = AllocateValues<double>(rows);
    double* out = MutableValues<double>(buf);
    const double* x = a.values();
    for (int64_t i = 0; i < rows; ++i) out[i] = -x[i];
    return Datum::Own(MakeColumn(type, rows, {validity, buf}));
  }
  NumericInput<int64_t> a;
  QUIVER_RETURN_NOT_OK(a.Load(args[0], rows));
  auto buf = AllocateValues<int64_t>(rows);
  int64_t* out = MutableValues<int64_t>(buf);
  const int64_t* x = a.values();
  bool overflow = false;
  for (int64_t i = 0; i < rows; ++i) overflow |= __builtin_sub_overflow(int64_t(0), x[i], &out[i]);
  if (overflow) {
    for (int64_t i = 0; i < rows; ++i) {
      if ((validity == nullptr || GetBit(validity->data(), i)) &&
          x[i] == std::numeric_limits<int64_t>::min()) {
        return Status::Overflow("integer overflow in -(" + std::to_string(x[i]) + ")");
      }
    }
  }
  return Datum::Own(MakeColumn(type, rows, {validity, buf}));
}

Result<Datum> ExecConcat(const std::vector<Datum>& args, int64_t rows) {
  StringInput a(args[0]), b(args[1]);
  StringOutput out(rows);
  for (int64_t i = 0; i < rows; ++i) {
    if (a.IsNull(i) || b.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    std::string_view x = a[i], y = b[i];
    std::string s;
    s.reserve(x.size() + y.size());
    s.append(x).append(y);
    out.Append(s);
  }
  QUIVER_ASSIGN_OR_RETURN(auto col, out.Finish());
  return Datum::Own(std::move(col));
}

bool IsTextOrNull(const DataType& t) {
  return t.id == TypeId::kUtf8 || t.id == TypeId::kBinary || t.id == TypeId::kNone;
}

void AddBinary(FunctionRegistry& r, const char* name, Op op, std::string signatures) {
  r.Add({name, std::move(signatures),
         [op](const std::vector<DataType>& types, const std::vector<const Scalar*>& constants) {
           return BindBinary(op, types, constants);
         }});
}

}  // namespace

void RegisterArithmetic(FunctionRegistry& r) {
  AddBinary(r, "+", Op::kAdd,
            "+(numeric, numeric), +(decimal, decimal or integer), +(date32, integer), +(integer, date32), +(timestamp, integer), "
            "+(integer, timestamp)");
  AddBinary(r, "-", Op::kSub,
            "-(numeric, numeric), -(date32, integer), -(date32, date32), -(timestamp, integer)");
  AddBinary(r, "*", Op::kMul, "*(numeric, numeric)");
  AddBinary(r, "/", Op::kDiv, "/(numeric, numeric)");
  AddBinary(r, "//", Op::kIntDiv, "//(numeric, numeric)");
  AddBinary(r, "%", Op::kMod, "%(numeric, numeric)");
  r.Add({"neg", "neg(numeric)",
         [](const std::vector<DataType>& types,
            const std::vector<const Scalar*>& constants) -> Result<BoundFunctionPtr> {
           if (types.size() == 1 && IsDecimalOperand(types[0])) {
             return BindDecimalArithmetic("neg", types, constants);
           }
           if (types.size() != 1 || types[0].is_dictionary() || !IsNumOrNull(types[0]))
             return BoundFunctionPtr();
           DataType t(IsFloating(types[0].id) ? TypeId::kFloat64 : TypeId::kInt64);
           return MakeBound(t, [t](const std::vector<Datum>& args, int64_t rows) {
             return ExecNeg(t, args, rows);
           });
         }});
  r.Add({"||", "||(utf8, utf8)",
         [](const std::vector<DataType>& types,
            const std::vector<const Scalar*>&) -> Result<BoundFunctionPtr> {
           if (types.size() != 2 || !IsTextOrNull(types[0]) || !IsTextOrNull(types[1]))
             return BoundFunctionPtr();
           return MakeBound(DataType(TypeId::kUtf8), ExecConcat);
         }});
}

}  // namespace quiver::kernels::internal
