// Functions registered by RegisterMath (kernels/function_internal.h).
//
// Result types: decimals as fn_decimal.cc says; abs, round, floor, ceil and trunc keep integers integers
// (int64, or uint64 for unsigned inputs: Quiver computes integers in 64 bits)
// and give float64 for floats; sqrt exp ln log10 log power give float64;
// sign gives int8. As in DuckDB: sqrt of a negative number and the logarithm
// of zero or of a negative number are errors (InvalidArgument "cannot take
// square root of a negative number"), not NaN; power returns NaN where C's
// pow does; log(x) is the base-10 logarithm, log(b, x) = ln(x) / ln(b);
// round(x, n) rounds half away from zero at 10^-n (n may be negative);
// greatest/least ignore NULLs (NULL only when every argument is), NaN is the
// largest number; mod is the % operator.
#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include "kernels/column_internal.h"
#include "kernels/function_internal.h"
#include "kernels/mask.h"

namespace quiver::kernels::internal {
namespace {

using Types = std::vector<DataType>;
using Consts = std::vector<const Scalar*>;
using Args = std::vector<Datum>;

// decimal128 too: the float64 functions read it as double; abs, round,
// floor, ceil, trunc and sign on a decimal are fn_decimal.cc's.
bool IsNumOrNull(const DataType& t) {
  return (IsNumeric(t.id) || t.id == TypeId::kNone || t.id == TypeId::kDecimal128) &&
         !t.is_dictionary();
}

// The integer-or-float64 type a numeric function returns for `t`.
DataType MathType(const DataType& t) {
  if (IsInteger(t.id)) return DataType(IsSignedInteger(t.id) ? TypeId::kInt64 : TypeId::kUInt64);
  return DataType(TypeId::kFloat64);
}

bool RowValid(const std::shared_ptr<Buffer>& validity, int64_t i) {
  return validity == nullptr || GetBit(validity->data(), i);
}

// out[i] = f(x[i]) in float64; `domain_ok` (if given) must hold on valid rows
// or the call fails with `domain_error`.
template <typename F, typename D>
Result<Datum> UnaryDouble(const Args& args, int64_t rows, F f, D domain_ok,
                          const char* domain_error) {
  const DataType type(TypeId::kFloat64);
  int64_t nulls = 0;
  auto validity = AndValidity({&args[0]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(type, rows));
  NumericInput<double> in;
  QUIVER_RETURN_NOT_OK(in.Load(args[0], rows));
  const double* x = in.values();
  bool ok = true;
  for (int64_t i = 0; i < rows; ++i) ok &= domain_ok(x[i]);
  if (!ok) {
    for (int64_t i = 0; i < rows; ++i) {
      if (RowValid(validity, i) && !domain_ok(x[i])) return Status::Invalid(domain_error);
    }
  }
  auto buf = AllocateValues<double>(rows);
  double* out = MutableValues<double>(buf);
  for (int64_t i = 0; i < rows; ++i) out[i] = f(x[i]);
  return Datum::Own(MakeColumn(type, rows, {validity, buf}));
}

constexpr auto kAny = [](double) { return true; };

void AddUnaryDouble(FunctionRegistry& r, const char* name, double (*f)(double),
                    bool (*domain)(double), const char* domain_error) {
  r.Add({name, std::string(name) + "(numeric)",
         [f, domain, domain_error](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (t.size() != 1 || !IsNumOrNull(t[0])) return BoundFunctionPtr();
           return MakeBound(DataType(TypeId::kFloat64), [=](const Args& args, int64_t rows) {
             return UnaryDouble(
                 args, rows, f, [domain](double x) { return domain == nullptr || domain(x); },
                 domain_error);
           });
         }});
}

// abs/floor/ceil/trunc/round on integers (identity for unsigned except abs).
enum class IntFn { kAbs, kIdentity };

Result<Datum> IntUnary(IntFn fn, const DataType& type, const Args& args, int64_t rows) {
  int64_t nulls = 0;
  auto validity = AndValidity({&args[0]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(type, rows));
  if (type.id == TypeId::kUInt64) {
    NumericInput<uint64_t> in;
    QUIVER_RETURN_NOT_OK(in.Load(args[0], rows));
    return Datum::Own(MakeColumn(type, rows, {validity, Buffer::Copy(in.values(), rows * 8)}));
  }
  NumericInput<int64_t> in;
  QUIVER_RETURN_NOT_OK(in.Load(args[0], rows));
  auto buf = AllocateValues<int64_t>(rows);
  int64_t* out = MutableValues<int64_t>(buf);
  const int64_t* x = in.values();
  if (fn == IntFn::kIdentity) {
    std::copy(x, x + rows, out);
  } else {
    bool overflow = false;
    for (int64_t i = 0; i < rows; ++i) {
      overflow |= x[i] == std::numeric_limits<int64_t>::min();
      // Negated as unsigned: INT64_MIN (reported below) must not be UB here.
      out[i] = x[i] < 0 ? int64_t(0 - uint64_t(x[i])) : x[i];
    }
    for (int64_t i = 0; overflow && i < rows; ++i) {
      if (RowValid(validity, i) && x[i] == std::numeric_limits<int64_t>::min()) {
        return Status::Overflow("integer overflow in abs(" + std::to_string(x[i]) + ")");
      }
    }
  }
  return Datum::Own(MakeColumn(type, rows, {validity, buf}));
}

void AddRounding(FunctionRegistry& r, const char* name, double (*f)(double), IntFn int_fn) {
  r.Add({name, std::string(name) + "(numeric)",
         [f, int_fn, name](const Types& t, const Consts& c) -> Result<BoundFunctionPtr> {
           if (t.size() == 1 && t[0].id == TypeId::kDecimal128) return BindDecimalMath(name, t, c);
           if (t.size() != 1 || !IsNumOrNull(t[0])) return BoundFunctionPtr();
           DataType type = MathType(t[0]);
           if (type.id == TypeId::kFloat64) {
             return MakeBound(type, [f](const Args& args, int64_t rows) {
               return UnaryDouble(args, rows, f, kAny, "");
             });
           }
           return MakeBound(type, [int_fn, type](const Args& args, int64_t rows) {
             return IntUnary(int_fn, type, args, rows);
           });
         }});
}

double RoundTo(double x, int64_t n) {
  if (n == 0) return std::round(x);
  if (n > 300 || !std::isfinite(x)) return x;
  if (n < -308) return 0.0 * x;
  const double p = std::pow(10.0, double(n > 0 ? n : -n));
  const double r = n > 0 ? std::round(x * p) / p : std::round(x / p) * p;
  return std::isfinite(r) ? r : x;
}

// round(x, n) for an integer x: half away from zero at 10^-n, n < 0.
bool RoundInt(int64_t x, int64_t n, int64_t* out) {
  if (n >= 0) {
    *out = x;
    return true;
  }
  if (n < -18) {
    *out = 0;
    return true;
  }
  int64_t p = 1;
  for (int64_t k = 0; k < -n; ++k) p *= 10;
  const int64_t q = x / p, rem = x % p;
  int64_t r = q;
  if (rem * 2 >= p) r = q + 1;
  if (rem * 2 <= -p) r = q - 1;
  return !__builtin_mul_overflow(r, p, out);
}

Result<Datum> ExecRound2(const DataType& type, const Args& args, int64_t rows) {
  int64_t nulls = 0;
  auto validity = AndValidity({&args[0], &args[1]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(type, rows));
  NumericInput<int64_t> n;
  QUIVER_RETURN_NOT_OK(n.Load(args[1], rows));
  if (type.id == TypeId::kFloat64) {
    NumericInput<double> x;
    QUIVER_RETURN_NOT_OK(x.Load(args[0], rows));
    auto buf = AllocateValues<double>(rows);
    double* out = MutableValues<double>(buf);
    for (int64_t i = 0; i < rows; ++i) out[i] = RoundTo(x[i], n[i]);
    return Datum::Own(MakeColumn(type, rows, {validity, buf}));
  }
  if (type.id ==
      TypeId::kUInt64) {  // rounding an unsigned value up may not fit int64: stay exact via uint64
    NumericInput<uint64_t> x;
    QUIVER_RETURN_NOT_OK(x.Load(args[0], rows));
    auto buf = AllocateValues<uint64_t>(rows);
    uint64_t* out = MutableValues<uint64_t>(buf);
    for (int64_t i = 0; i < rows; ++i) {
      if (n[i] >= 0 || !RowValid(validity, i)) {
        out[i] = x[i];
        continue;
      }
      if (n[i] < -19) {
        out[i] = 0;
        continue;
      }
      uint64_t p = 1;
      for (int64_t k = 0; k < -n[i]; ++k) p *= 10;
      uint64_t q = x[i] / p + (x[i] % p >= (p + 1) / 2 ? 1 : 0);
      if (__builtin_mul_overflow(q, p, &out[i])) {
        return Status::Overflow("integer overflow in round(" + std::to_string(x[i]) + ", " +
                                std::to_string(n[i]) + ")");
      }
    }
    return Datum::Own(MakeColumn(type, rows, {validity, buf}));
  }
  NumericInput<int64_t> x;
  QUIVER_RETURN_NOT_OK(x.Load(args[0], rows));
  auto buf = AllocateValues<int64_t>(rows);
  int64_t* out = MutableValues<int64_t>(buf);
  for (int64_t i = 0; i < rows; ++i) {
    if (!RoundInt(x[i], n[i], &out[i]) && RowValid(validity, i)) {
      return Status::Overflow("integer overflow in round(" + std::to_string(x[i]) + ", " +
                              std::to_string(n[i]) + ")");
    }
  }
  return Datum::Own(MakeColumn(type, rows, {validity, buf}));
}

Result<Datum> ExecBinaryDouble(const Args& args, int64_t rows, bool is_log) {
  const DataType type(TypeId::kFloat64);
  int64_t nulls = 0;
  auto validity = AndValidity({&args[0], &args[1]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(type, rows));
  NumericInput<double> a, b;
  QUIVER_RETURN_NOT_OK(a.Load(args[0], rows));
  QUIVER_RETURN_NOT_OK(b.Load(args[1], rows));
  auto buf = AllocateValues<double>(rows);
  double* out = MutableValues<double>(buf);
  for (int64_t i = 0; i < rows; ++i) {
    if (!is_log) {
      out[i] = std::pow(a[i], b[i]);
      continue;
    }
    if (RowValid(validity, i)) {
      if (a[i] < 0 || b[i] < 0)
        return Status::Invalid("cannot take logarithm of a negative number");
      if (a[i] == 0 || b[i] == 0) return Status::Invalid("cannot take logarithm of zero");
    }
    out[i] = std::log(b[i]) / std::log(a[i]);
  }
  return Datum::Own(MakeColumn(type, rows, {validity, buf}));
}

Result<Datum> ExecSign(const Args& args, int64_t rows) {
  const DataType type(TypeId::kInt8);
  int64_t nulls = 0;
  auto validity = AndValidity({&args[0]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(type, rows));
  auto buf = AllocateValues<int8_t>(rows);
  int8_t* out = MutableValues<int8_t>(buf);
  if (IsFloating(args[0].type.id)) {
    NumericInput<double> x;
    QUIVER_RETURN_NOT_OK(x.Load(args[0], rows));
    for (int64_t i = 0; i < rows; ++i) out[i] = int8_t((x[i] > 0) - (x[i] < 0));
  } else if (IsSignedInteger(args[0].type.id)) {
    NumericInput<int64_t> x;
    QUIVER_RETURN_NOT_OK(x.Load(args[0], rows));
    for (int64_t i = 0; i < rows; ++i) out[i] = int8_t((x[i] > 0) - (x[i] < 0));
  } else {
    NumericInput<uint64_t> x;
    QUIVER_RETURN_NOT_OK(x.Load(args[0], rows));
    for (int64_t i = 0; i < rows; ++i) out[i] = int8_t(x[i] > 0);
  }
  return Datum::Own(MakeColumn(type, rows, {validity, buf}));
}

// All arguments cast to `type`.
Result<Args> CastAll(const DataType& type, const Args& args, int64_t rows) {
  Args out;
  out.reserve(args.size());
  for (const Datum& d : args) {
    QUIVER_ASSIGN_OR_RETURN(Datum c, CastDatum(d, type, rows));
    out.push_back(std::move(c));
  }
  return out;
}

bool RowIsValid(const Datum& d, int64_t i) {
  return d.is_scalar ? !d.scalar.is_null() : d.view.IsValid(i);
}

Result<Datum> ExecCoalesce(const DataType& type, const Args& in, int64_t rows) {
  QUIVER_ASSIGN_OR_RETURN(Args args, CastAll(type, in, rows));
  // The first non-NULL argument wins: assign from the last to the first.
  std::vector<int32_t> pick(size_t(rows), -1);
  for (size_t k = args.size(); k-- > 0;) {
    const Datum& d = args[k];
    if (d.is_scalar || !HasNulls(d.view)) {
      if (!IsNullScalar(d)) std::fill(pick.begin(), pick.end(), int32_t(k));
      continue;
    }
    std::vector<uint64_t> valid(size_t(Mask::WordsFor(rows)));
    CopyBitmap(d.view.validity, d.view.offset, rows, valid.data());
    for (size_t w = 0; w < valid.size(); ++w) {
      for (uint64_t t = valid[w]; t != 0; t &= t - 1)
        pick[w * 64 + size_t(std::countr_zero(t))] = int32_t(k);
    }
  }
  return ChooseRows(type, args, pick, rows);
}

Result<Datum> ExecGreatest(bool greatest, const DataType& type, const Args& in, int64_t rows) {
  QUIVER_ASSIGN_OR_RETURN(Args args, CastAll(type, in, rows));
  Datum best = args[0];
  std::vector<int32_t> pick(static_cast<size_t>(rows));
  for (size_t k = 1; k < args.size(); ++k) {
    QUIVER_ASSIGN_OR_RETURN(
        auto bits, CompareBits(greatest ? CompareOp::kGt : CompareOp::kLt, args[k], best, rows));
    for (int64_t i = 0; i < rows; ++i) {
      const bool better = (bits[size_t(i >> 6)] >> (i & 63)) & 1;
      pick[size_t(i)] = RowIsValid(args[k], i) && (!RowIsValid(best, i) || better) ? 1 : 0;
    }
    QUIVER_ASSIGN_OR_RETURN(best, ChooseRows(type, {best, args[k]}, pick, rows));
  }
  if (best.is_scalar) return ChooseRows(type, {best}, std::vector<int32_t>(size_t(rows), 0), rows);
  return best;
}

Result<Datum> ExecNullIf(const DataType& type, const Args& args, int64_t rows) {
  QUIVER_ASSIGN_OR_RETURN(auto eq, CompareBits(CompareOp::kEq, args[0], args[1], rows));
  std::vector<int32_t> pick(size_t(rows), 0);
  for (int64_t i = 0; i < rows; ++i) {
    const bool same = (eq[size_t(i >> 6)] >> (i & 63)) & 1;
    if (RowIsValid(args[0], i) && RowIsValid(args[1], i) && same) pick[size_t(i)] = -1;
  }
  return ChooseRows(type, {args[0]}, pick, rows);
}

void AddVariadic(FunctionRegistry& r, const char* name, bool comparable,
                 std::function<Result<Datum>(const DataType&, const Args&, int64_t)> exec) {
  r.Add({name, std::string(name) + "(any, ...) of one common type",
         [comparable, exec](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (t.empty()) return BoundFunctionPtr();
           Result<DataType> type = CommonTypeOf(t, 0, 1, t.size());
           if (!type.ok()) return BoundFunctionPtr();
           if (comparable && !Comparable(*type, *type)) return BoundFunctionPtr();
           DataType ty = *type;
           return MakeBound(
               ty, [ty, exec](const Args& args, int64_t rows) { return exec(ty, args, rows); });
         }});
}

}  // namespace

void RegisterMath(FunctionRegistry& r) {
  AddRounding(
      r, "abs", [](double x) { return std::fabs(x); }, IntFn::kAbs);
  AddRounding(
      r, "floor", [](double x) { return std::floor(x); }, IntFn::kIdentity);
  AddRounding(
      r, "ceil", [](double x) { return std::ceil(x); }, IntFn::kIdentity);
  AddRounding(
      r, "trunc", [](double x) { return std::trunc(x); }, IntFn::kIdentity);
  r.Alias("ceiling", "ceil");
  r.Add({"round", "round(numeric), round(numeric, integer)",
         [](const Types& t, const Consts& c) -> Result<BoundFunctionPtr> {
           if (!t.empty() && t[0].id == TypeId::kDecimal128) return BindDecimalMath("round", t, c);
           if (t.empty() || t.size() > 2 || !IsNumOrNull(t[0])) return BoundFunctionPtr();
           DataType type = MathType(t[0]);
           if (t.size() == 2) {
             if (!IsInteger(t[1].id) && t[1].id != TypeId::kNone) return BoundFunctionPtr();
             return MakeBound(type, [type](const Args& args, int64_t rows) {
               return ExecRound2(type, args, rows);
             });
           }
           if (type.id != TypeId::kFloat64) {
             return MakeBound(type, [type](const Args& args, int64_t rows) {
               return IntUnary(IntFn::kIdentity, type, args, rows);
             });
           }
           return MakeBound(type, [](const Args& args, int64_t rows) {
             return UnaryDouble(
                 args, rows, [](double x) { return std::round(x); }, kAny, "");
           });
         }});
  AddUnaryDouble(
      r, "sqrt", [](double x) { return std::sqrt(x); }, [](double x) { return !(x < 0); },
      "cannot take square root of a negative number");
  AddUnaryDouble(
      r, "exp", [](double x) { return std::exp(x); }, nullptr, "");
  AddUnaryDouble(
      r, "ln", [](double x) { return std::log(x); }, [](double x) { return !(x <= 0); },
      "cannot take logarithm of zero or of a negative number");
  AddUnaryDouble(
      r, "log10", [](double x) { return std::log10(x); }, [](double x) { return !(x <= 0); },
      "cannot take logarithm of zero or of a negative number");
  r.Add({"log", "log(numeric), log(base numeric, numeric)",
         [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           for (const DataType& x : t) {
             if (!IsNumOrNull(x)) return BoundFunctionPtr();
           }
           if (t.size() == 1) {
             return MakeBound(DataType(TypeId::kFloat64), [](const Args& args, int64_t rows) {
               return UnaryDouble(
                   args, rows, [](double x) { return std::log10(x); },
                   [](double x) { return !(x <= 0); },
                   "cannot take logarithm of zero or of a negative number");
             });
           }
           if (t.size() != 2) return BoundFunctionPtr();
           return MakeBound(DataType(TypeId::kFloat64), [](const Args& args, int64_t rows) {
             return ExecBinaryDouble(args, rows, true);
           });
         }});
  r.Add({"power", "power(numeric, numeric)",
         [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (t.size() != 2 || !IsNumOrNull(t[0]) || !IsNumOrNull(t[1])) return BoundFunctionPtr();
           return MakeBound(DataType(TypeId::kFloat64), [](const Args& args, int64_t rows) {
             return ExecBinaryDouble(args, rows, false);
           });
         }});
  r.Alias("pow", "power");
  r.Alias("mod", "%");
  r.Add({"sign", "sign(numeric)", [](const Types& t, const Consts& c) -> Result<BoundFunctionPtr> {
           if (t.size() == 1 && t[0].id == TypeId::kDecimal128) return BindDecimalMath("sign", t, c);
           if (t.size() != 1 || !IsNumOrNull(t[0])) return BoundFunctionPtr();
           return MakeBound(DataType(TypeId::kInt8), ExecSign);
         }});
  AddVariadic(r, "greatest", true, [](const DataType& ty, const Args& a, int64_t rows) {
    return ExecGreatest(true, ty, a, rows);
  });
  AddVariadic(r, "least", true, [](const DataType& ty, const Args& a, int64_t rows) {
    return ExecGreatest(false, ty, a, rows);
  });
  AddVariadic(r, "coalesce", false, ExecCoalesce);
  r.Add({"nullif", "nullif(any, any) of comparable types",
         [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (t.size() != 2 || !Comparable(t[0], t[1])) return BoundFunctionPtr();
           DataType type = t[0].value_type();
           return MakeBound(type, [type](const Args& args, int64_t rows) {
             return ExecNullIf(type, args, rows);
           });
         }});
}

}  // namespace quiver::kernels::internal
