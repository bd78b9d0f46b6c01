// Functions registered by RegisterLogic (kernels/function_internal.h):
// comparisons as values, Kleene and/or/not, IS [NOT] DISTINCT FROM, in_list
// and case_when; also CompareBits, the comparison core fn_math shares.
#include <bit>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "kernels/column_internal.h"
#include "kernels/fn_decimal_internal.h"
#include "kernels/function_internal.h"
#include "kernels/mask.h"

namespace quiver::kernels::internal {
namespace {

using Words = std::vector<uint64_t>;

// SQL order on numbers: NaN equals NaN and is above everything.
template <CompareOp kOp, typename T>
inline bool Cmp(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    const bool xn = x != x, yn = y != y;
    const bool eq = (x == y) | (xn & yn);
    const bool lt = (x < y) | (!xn & yn);
    if constexpr (kOp == CompareOp::kEq) return eq;
    if constexpr (kOp == CompareOp::kNe) return !eq;
    if constexpr (kOp == CompareOp::kLt) return lt;
    if constexpr (kOp == CompareOp::kLe) return lt | eq;
    if constexpr (kOp == CompareOp::kGt) return !(lt | eq);
    if constexpr (kOp == CompareOp::kGe) return !lt;
  } else {
    if constexpr (kOp == CompareOp::kEq) return x == y;
    if constexpr (kOp == CompareOp::kNe) return x != y;
    if constexpr (kOp == CompareOp::kLt) return x < y;
    if constexpr (kOp == CompareOp::kLe) return x <= y;
    if constexpr (kOp == CompareOp::kGt) return x > y;
    if constexpr (kOp == CompareOp::kGe) return x >= y;
  }
  return false;
}

// Packs f(row) for rows [0, n) into words.
template <typename F>
inline void Pack(int64_t n, uint64_t* out, F f) {
  const int64_t full = n / 64;
  for (int64_t w = 0; w < full; ++w) {
    uint64_t word = 0;
    for (int j = 0; j < 64; ++j) word |= uint64_t(f(w * 64 + j)) << j;
    out[w] = word;
  }
  if (n > full * 64) {
    uint64_t word = 0;
    for (int64_t j = 0; full * 64 + j < n; ++j) word |= uint64_t(f(full * 64 + j)) << j;
    out[full] = word;
  }
}

template <CompareOp kOp, typename T>
void CompareNumbers(const NumericInput<T>& a, const NumericInput<T>& b, int64_t n, uint64_t* out) {
  if (a.values() != nullptr && b.values() != nullptr) {
    const T* x = a.values();
    const T* y = b.values();
    Pack(n, out, [x, y](int64_t i) { return Cmp<kOp>(x[i], y[i]); });
  } else if (a.values() != nullptr) {
    const T* x = a.values();
    const T y = b.scalar();
    Pack(n, out, [x, y](int64_t i) { return Cmp<kOp>(x[i], y); });
  } else if (b.values() != nullptr) {
    const T x = a.scalar();
    const T* y = b.values();
    Pack(n, out, [x, y](int64_t i) { return Cmp<kOp>(x, y[i]); });
  } else {
    const bool r = Cmp<kOp>(a.scalar(), b.scalar());
    Pack(n, out, [r](int64_t) { return r; });
  }
}

template <typename T>
Status CompareAs(CompareOp op, const Datum& a, const Datum& b, int64_t rows, uint64_t* out) {
  NumericInput<T> x, y;
  QUIVER_RETURN_NOT_OK(x.Load(a, rows));
  QUIVER_RETURN_NOT_OK(y.Load(b, rows));
  switch (op) {
    case CompareOp::kEq:
      CompareNumbers<CompareOp::kEq>(x, y, rows, out);
      break;
    case CompareOp::kNe:
      CompareNumbers<CompareOp::kNe>(x, y, rows, out);
      break;
    case CompareOp::kLt:
      CompareNumbers<CompareOp::kLt>(x, y, rows, out);
      break;
    case CompareOp::kLe:
      CompareNumbers<CompareOp::kLe>(x, y, rows, out);
      break;
    case CompareOp::kGt:
      CompareNumbers<CompareOp::kGt>(x, y, rows, out);
      break;
    case CompareOp::kGe:
      CompareNumbers<CompareOp::kGe>(x, y, rows, out);
      break;
  }
  return Status::OK();
}

bool Holds(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEq:
      return c == 0;
    case CompareOp::kNe:
      return c != 0;
    case CompareOp::kLt:
      return c < 0;
    case CompareOp::kLe:
      return c <= 0;
    case CompareOp::kGt:
      return c > 0;
    case CompareOp::kGe:
      return c >= 0;
  }
  return false;
}

// Exact three-way order of values of different representations (NaN is
// the largest number), without rounding either side.
template <typename I>
inline int Cmp3(I x, double y) {
  constexpr double kLo = std::is_signed_v<I> ? -9223372036854775808.0 : 0.0;
  constexpr double kHi = std::is_signed_v<I> ? 9223372036854775808.0 : 18446744073709551616.0;
  if (y != y || y >= kHi) return -1;
  if (y < kLo) return 1;
  const double t = std::trunc(y);  // in I's range
  const I ty = I(t);
  if (x != ty) return x < ty ? -1 : 1;
  return t < y ? -1 : t > y ? 1 : 0;  // equal integer parts: y's fraction decides
}
inline int Cmp3(int64_t x, uint64_t y) {
  return x < 0 || uint64_t(x) < y ? -1 : uint64_t(x) > y ? 1 : 0;
}
inline int Cmp3(uint64_t x, int64_t y) { return -Cmp3(y, x); }
inline int Cmp3(double x, int64_t y) { return -Cmp3(y, x); }
inline int Cmp3(double x, uint64_t y) { return -Cmp3(y, x); }

template <typename X, typename Y>
Status CompareMixed(CompareOp op, const Datum& a, const Datum& b, int64_t rows, uint64_t* out) {
  NumericInput<X> x;
  NumericInput<Y> y;
  QUIVER_RETURN_NOT_OK(x.Load(a, rows));
  QUIVER_RETURN_NOT_OK(y.Load(b, rows));
  Pack(rows, out, [&](int64_t i) { return Holds(op, Cmp3(x[i], y[i])); });
  return Status::OK();
}

Status CompareStrings(CompareOp op, const Datum& a, const Datum& b, int64_t rows, uint64_t* out) {
  // A dictionary column against a constant: compare each dictionary entry once.
  if (!a.is_scalar && a.view.dictionary != nullptr && b.is_scalar) {
    const std::string s = b.scalar.is_null() ? std::string() : b.scalar.string_value();
    QUIVER_ASSIGN_OR_RETURN(
        Datum mapped, MapDictionary(a, [&](const Datum& dict) -> Result<Datum> {
          const ArrayView& v = dict.view;
          auto bits = Buffer::Allocate(Mask::WordsFor(v.length) * 8);
          Pack(v.length, MutableValues<uint64_t>(bits),
               [&](int64_t i) { return Holds(op, v.StringValue(i).compare(s)); });
          return Datum::Own(MakeColumn(DataType(TypeId::kBool), v.length, {nullptr, bits}));
        }));
    CopyBitmap(mapped.view.values, mapped.view.offset, rows, out);
    return Status::OK();
  }
  if (a.is_scalar && !b.is_scalar) return CompareStrings(FlipCompareOp(op), b, a, rows, out);
  StringInput x(a), y(b);
  Pack(rows, out, [&](int64_t i) { return Holds(op, x[i].compare(y[i])); });
  return Status::OK();
}

// An integer constant that converts to double without rounding.
bool ExactInDouble(const Scalar& s) {
  constexpr int64_t kLimit = int64_t(1) << 53;
  if (s.kind() == Scalar::Kind::kUInt64) return s.uint64_value() <= uint64_t(kLimit);
  return s.int64_value() >= -kLimit && s.int64_value() <= kLimit;
}

bool IsTemporal(TypeId id) { return id == TypeId::kDate32 || id == TypeId::kTimestamp; }
bool IsText(TypeId id) { return IsBinaryLike(id); }

// The validity of a Datum as words (all ones when it has no NULLs).
Words ValidWords(const Datum& d, int64_t rows) {
  Words w(size_t(Mask::WordsFor(rows)), ~uint64_t(0));
  if (d.is_scalar) {
    if (d.scalar.is_null()) std::fill(w.begin(), w.end(), 0);
  } else if (HasNulls(d.view)) {
    CopyBitmap(d.view.validity, d.view.offset, rows, w.data());
  }
  return w;
}

// A bool column from value words and (optional) validity words.
Datum BoolColumn(const Words& values, const Words* valid, int64_t rows) {
  const int64_t bytes = int64_t(values.size()) * 8;
  std::shared_ptr<Buffer> validity = valid ? Buffer::Copy(valid->data(), bytes) : nullptr;
  return Datum::Own(
      MakeColumn(DataType(TypeId::kBool), rows, {validity, Buffer::Copy(values.data(), bytes)}));
}

// A decimal against a decimal of any scale or an integer, exactly; against
// a float as doubles (DuckDB casts the decimal to DOUBLE).
Status CompareWithDecimal(CompareOp op, const Datum& a, const Datum& b, int64_t rows,
                          uint64_t* out) {
  if (IsFloating(a.type.id) || IsFloating(b.type.id)) return CompareAs<double>(op, a, b, rows, out);
  const int sa = IsDecimal128(a.type) ? a.type.scale : 0;
  const int sb = IsDecimal128(b.type) ? b.type.scale : 0;
  DecimalInput x, y;
  QUIVER_RETURN_NOT_OK(x.Load(a, rows, sa));
  QUIVER_RETURN_NOT_OK(y.Load(b, rows, sb));
  Pack(rows, out, [&](int64_t i) { return Holds(op, CompareDecimals(x.At(i), sa, y.At(i), sb)); });
  return Status::OK();
}

}  // namespace

bool Comparable(const DataType& a, const DataType& b) {
  if (a.id == TypeId::kNone || b.id == TypeId::kNone) return true;
  const auto number = [](const DataType& t) { return IsNumeric(t.id) || IsDecimal128(t); };
  if (number(a) && number(b)) return true;
  if (IsText(a.id) && IsText(b.id)) return true;
  if (IsTemporal(a.id) && IsTemporal(b.id)) return true;
  return a.id == TypeId::kBool && b.id == TypeId::kBool;
}

Result<std::vector<uint64_t>> CompareBits(CompareOp op, const Datum& a, const Datum& b,
                                          int64_t rows) {
  Words out(size_t(Mask::WordsFor(rows)), 0);
  const TypeId ta = a.type.id, tb = b.type.id;
  if (IsNullScalar(a) || IsNullScalar(b) || ta == TypeId::kNone || tb == TypeId::kNone) return out;
  if (IsText(ta) && IsText(tb)) {
    QUIVER_RETURN_NOT_OK(CompareStrings(op, a, b, rows, out.data()));
    return out;
  }
  if (IsTemporal(ta) && IsTemporal(tb) && !(a.type == b.type)) {
    QUIVER_ASSIGN_OR_RETURN(DataType common, CommonType(a.type, b.type));
    QUIVER_ASSIGN_OR_RETURN(Datum ca, CastDatum(a, common, rows));
    QUIVER_ASSIGN_OR_RETURN(Datum cb, CastDatum(b, common, rows));
    QUIVER_RETURN_NOT_OK(CompareAs<int64_t>(op, ca, cb, rows, out.data()));
    return out;
  }
  if (!Comparable(a.type, b.type)) {
    return Status::TypeError("cannot compare " + a.type.ToString() + " with " + b.type.ToString());
  }
  if (IsDecimal128(a.type) || IsDecimal128(b.type)) {
    QUIVER_RETURN_NOT_OK(CompareWithDecimal(op, a, b, rows, out.data()));
    return out;
  }
  // The representation each side is read in: 0 int64 (signed, bool), 1
  // uint64, 2 double. Equal ones compare directly; double also serves an
  // integer side whose values are all exact in double.
  auto kind = [](const Datum& d) {
    return IsFloating(d.type.id) ? 2 : IsInteger(d.type.id) && !IsSignedInteger(d.type.id) ? 1 : 0;
  };
  const int ka = kind(a), kb = kind(b);
  auto exact_in_double = [](const Datum& d) {
    return ByteWidth(d.type.id) <= 4 || (d.is_scalar && ExactInDouble(d.scalar));
  };
  Status st;
  if (ka == 2 || kb == 2) {
    const Datum& i = ka == 2 ? b : a;
    if ((ka == 2 && kb == 2) || exact_in_double(i)) {
      st = CompareAs<double>(op, a, b, rows, out.data());
    } else if (ka == 2) {
      st = kb == 1 ? CompareMixed<double, uint64_t>(op, a, b, rows, out.data())
                   : CompareMixed<double, int64_t>(op, a, b, rows, out.data());
    } else {
      st = ka == 1 ? CompareMixed<uint64_t, double>(op, a, b, rows, out.data())
                   : CompareMixed<int64_t, double>(op, a, b, rows, out.data());
    }
  } else if (ka == 1 && kb == 1) {
    st = CompareAs<uint64_t>(op, a, b, rows, out.data());
  } else if (ka == kb || ByteWidth((ka == 1 ? a : b).type.id) <= 4) {
    st = CompareAs<int64_t>(op, a, b, rows, out.data());  // uint32 and narrower fit int64
  } else {
    st = ka == 1 ? CompareMixed<uint64_t, int64_t>(op, a, b, rows, out.data())
                 : CompareMixed<int64_t, uint64_t>(op, a, b, rows, out.data());
  }
  QUIVER_RETURN_NOT_OK(st);
  return out;
}

namespace {

Result<Datum> ExecCompare(CompareOp op, const std::vector<Datum>& args, int64_t rows) {
  int64_t nulls = 0;
  std::shared_ptr<Buffer> validity = AndValidity({&args[0], &args[1]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(DataType(TypeId::kBool), rows));
  QUIVER_ASSIGN_OR_RETURN(Words bits, CompareBits(op, args[0], args[1], rows));
  return Datum::Own(MakeColumn(DataType(TypeId::kBool), rows,
                               {validity, Buffer::Copy(bits.data(), int64_t(bits.size()) * 8)}));
}

Result<Datum> ExecDistinct(bool distinct, const std::vector<Datum>& args, int64_t rows) {
  Words va = ValidWords(args[0], rows), vb = ValidWords(args[1], rows);
  QUIVER_ASSIGN_OR_RETURN(Words eq, CompareBits(CompareOp::kEq, args[0], args[1], rows));
  for (size_t w = 0; w < eq.size(); ++w) {
    uint64_t d = (va[w] & vb[w] & ~eq[w]) | (va[w] ^ vb[w]);
    eq[w] = distinct ? d : ~d;
  }
  return BoolColumn(eq, nullptr, rows);
}

// Kleene AND (is_and) or OR over n bool arguments.
Result<Datum> ExecAndOr(bool is_and, const std::vector<Datum>& args, int64_t rows) {
  const size_t nw = size_t(Mask::WordsFor(rows));
  Words decided(nw, 0), all_valid(nw, ~uint64_t(0)), value(nw);
  for (const Datum& d : args) {
    Words v = ValidWords(d, rows);
    Words bits(nw, 0);
    if (d.is_scalar) {
      if (!d.scalar.is_null() && d.scalar.bool_value())
        std::fill(bits.begin(), bits.end(), ~uint64_t(0));
    } else {
      CopyBitmap(d.view.values, d.view.offset, rows, bits.data());
    }
    for (size_t w = 0; w < nw; ++w) {
      decided[w] |= v[w] & (is_and ? ~bits[w] : bits[w]);  // a FALSE (AND) or TRUE (OR) decides
      all_valid[w] &= v[w];
    }
  }
  for (size_t w = 0; w < nw; ++w) {
    value[w] = is_and ? ~decided[w] & all_valid[w] : decided[w];
    all_valid[w] |= decided[w];
  }
  return BoolColumn(value, &all_valid, rows);
}

Result<Datum> ExecNot(const std::vector<Datum>& args, int64_t rows) {
  const size_t nw = size_t(Mask::WordsFor(rows));
  Words bits(nw, 0);
  CopyBitmap(args[0].view.values, args[0].view.offset, rows, bits.data());
  for (uint64_t& w : bits) w = ~w;
  Words v = ValidWords(args[0], rows);
  return BoolColumn(bits, &v, rows);
}

// x IN (v1, ..., vn): TRUE if some vi = x; else NULL if x or some vi is NULL.
Result<Datum> ExecInList(const std::vector<Datum>& args, int64_t rows) {
  const size_t nw = size_t(Mask::WordsFor(rows));
  Words vx = ValidWords(args[0], rows);
  Words any_eq(nw, 0), any_null(nw, 0);
  for (size_t w = 0; w < nw; ++w) any_null[w] = ~vx[w];
  for (size_t k = 1; k < args.size(); ++k) {
    Words vk = ValidWords(args[k], rows);
    QUIVER_ASSIGN_OR_RETURN(Words eq, CompareBits(CompareOp::kEq, args[0], args[k], rows));
    for (size_t w = 0; w < nw; ++w) {
      any_eq[w] |= eq[w] & vx[w] & vk[w];
      any_null[w] |= ~vk[w];
    }
  }
  Words valid(nw);
  for (size_t w = 0; w < nw; ++w) valid[w] = any_eq[w] | ~any_null[w];
  return BoolColumn(any_eq, &valid, rows);
}

Result<Datum> ExecCaseWhen(const DataType& type, const std::vector<Datum>& args, int64_t rows) {
  const size_t n = args.size();
  const bool has_else = n % 2 == 1;
  std::vector<Datum> values;
  for (size_t k = 1; k < n; k += 2) {
    QUIVER_ASSIGN_OR_RETURN(Datum v, CastDatum(args[k], type, rows));
    values.push_back(std::move(v));
  }
  if (has_else) {
    QUIVER_ASSIGN_OR_RETURN(Datum v, CastDatum(args[n - 1], type, rows));
    values.push_back(std::move(v));
  }
  std::vector<int32_t> pick(size_t(rows), has_else ? int32_t(values.size() - 1) : -1);
  for (size_t k = (n - (has_else ? 1 : 0)); k >= 2;
       k -= 2) {  // last condition first: the first TRUE wins
    const size_t c = k - 2;
    const Datum& cond = args[c];
    const int32_t branch = int32_t(c / 2);
    if (cond.is_scalar) {
      if (!cond.scalar.is_null() && cond.scalar.bool_value())
        std::fill(pick.begin(), pick.end(), branch);
      continue;
    }
    Words is_true = ValidWords(cond, rows);
    Words bits(is_true.size());
    CopyBitmap(cond.view.values, cond.view.offset, rows, bits.data());
    for (size_t w = 0; w < bits.size(); ++w) {
      for (uint64_t t = is_true[w] & bits[w]; t != 0; t &= t - 1) {
        pick[w * 64 + size_t(std::countr_zero(t))] = branch;
      }
    }
  }
  return ChooseRows(type, values, pick, rows);
}

bool IsBoolOrNull(const DataType& t) { return t.id == TypeId::kBool || t.id == TypeId::kNone; }

using Types = std::vector<DataType>;
using Consts = std::vector<const Scalar*>;

void AddCompare(FunctionRegistry& r, const char* name, CompareOp op) {
  r.Add({name, std::string(name) + "(any, any) of comparable types",
         [op](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (t.size() != 2 || !Comparable(t[0], t[1])) return BoundFunctionPtr();
           return MakeBound(DataType(TypeId::kBool),
                            [op](const std::vector<Datum>& args, int64_t rows) {
                              return ExecCompare(op, args, rows);
                            });
         }});
}

void AddDistinct(FunctionRegistry& r, const char* name, bool distinct) {
  r.Add({name, std::string(name) + "(any, any) of comparable types",
         [distinct](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (t.size() != 2 || !Comparable(t[0], t[1])) return BoundFunctionPtr();
           return MakeBound(DataType(TypeId::kBool),
                            [distinct](const std::vector<Datum>& args, int64_t rows) {
                              return ExecDistinct(distinct, args, rows);
                            });
         }});
}

void AddAndOr(FunctionRegistry& r, const char* name, bool is_and) {
  r.Add({name, std::string(name) + "(bool, bool, ...)",
         [is_and](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (t.size() < 2) return BoundFunctionPtr();
           for (const DataType& x : t) {
             if (!IsBoolOrNull(x)) return BoundFunctionPtr();
           }
           return MakeBound(DataType(TypeId::kBool),
                            [is_and](const std::vector<Datum>& args, int64_t rows) {
                              return ExecAndOr(is_and, args, rows);
                            });
         }});
}

Result<BoundFunctionPtr> BindCaseWhen(const Types& t) {
  if (t.size() < 2) return BoundFunctionPtr();
  for (size_t c = 0; c + 1 < t.size(); c += 2) {
    if (!IsBoolOrNull(t[c])) return BoundFunctionPtr();
  }
  QUIVER_ASSIGN_OR_RETURN(DataType type, CommonTypeOf(t, 1, 2, t.size()));
  if (t.size() % 2 == 1) {
    QUIVER_ASSIGN_OR_RETURN(type, CommonType(type, t.back()));
  }
  return MakeBound(type, [type](const std::vector<Datum>& args, int64_t rows) {
    return ExecCaseWhen(type, args, rows);
  });
}

}  // namespace

void RegisterLogic(FunctionRegistry& r) {
  AddCompare(r, "=", CompareOp::kEq);
  AddCompare(r, "<>", CompareOp::kNe);
  AddCompare(r, "<", CompareOp::kLt);
  AddCompare(r, "<=", CompareOp::kLe);
  AddCompare(r, ">", CompareOp::kGt);
  AddCompare(r, ">=", CompareOp::kGe);
  r.Alias("!=", "<>");
  AddDistinct(r, "is_distinct_from", true);
  AddDistinct(r, "is_not_distinct_from", false);
  AddAndOr(r, "and", true);
  AddAndOr(r, "or", false);
  r.Add({"not", "not(bool)", [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (t.size() != 1 || !IsBoolOrNull(t[0])) return BoundFunctionPtr();
           return MakeBound(DataType(TypeId::kBool), ExecNot);
         }});
  r.Add({"in_list", "in_list(x, v1, ..., vn) of comparable types",
         [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (t.size() < 2) return BoundFunctionPtr();
           for (size_t k = 1; k < t.size(); ++k) {
             if (!Comparable(t[0], t[k])) return BoundFunctionPtr();
           }
           return MakeBound(DataType(TypeId::kBool), ExecInList);
         }});
  r.Add({"case_when", "case_when(bool, any, [bool, any, ...] [, else])",
         [](const Types& t, const Consts&) { return BindCaseWhen(t); }});
}

}  // namespace quiver::kernels::internal
