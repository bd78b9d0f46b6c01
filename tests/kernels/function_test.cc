// Scalar functions of kernels/function.h: arithmetic, comparisons and logic,
// math, CAST, and the Datum plumbing (ToArray, scalars, dictionaries,
// sliced views). Expected values follow DuckDB (checked with
// @duckdb/node-api), except where function.h / fn_*.cc document otherwise.
#include "kernels/function.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "columnar/text_format.h"
#include "kernels/aggregate.h"
#include "function_text_test_util.h"

namespace qk = quiver::kernels;
using qk::Datum;
using qk::Scalar;
using quiver::ArrayData;
using quiver::DataType;
using quiver::StatusCode;
using quiver::TimeUnit;
using quiver::TypeId;

namespace {

const DataType kI8(TypeId::kInt8), kI32(TypeId::kInt32), kI64(TypeId::kInt64), kU8(TypeId::kUInt8),
    kU64(TypeId::kUInt64), kF32(TypeId::kFloat32), kF64(TypeId::kFloat64), kBool(TypeId::kBool),
    kUtf8(TypeId::kUtf8), kDate(TypeId::kDate32), kNullT(TypeId::kNone);
const DataType kTsMs = DataType::Timestamp(TimeUnit::kMilli);
const DataType kTsS = DataType::Timestamp(TimeUnit::kSecond);
const DataType kDict = DataType::Dictionary(TypeId::kInt32);
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

Scalar I(int64_t v) { return Scalar::Int64(v); }
Scalar U(uint64_t v) { return Scalar::UInt64(v); }
Scalar D(double v) { return Scalar::Double(v); }
Scalar S(std::string v) { return Scalar::String(std::move(v)); }
Scalar B(bool v) { return Scalar::Bool(v); }
Scalar N() { return Scalar::Null(); }

// A column of `type`; with `slice` > 0 the values sit after `slice` NULL rows
// of the buffers (ArrayData::offset = slice), to exercise offsets.
Datum Col(const DataType& type, std::vector<Scalar> values, int64_t slice = 0) {
  std::vector<Scalar> all(size_t(slice), N());
  all.insert(all.end(), values.begin(), values.end());
  std::shared_ptr<ArrayData> data;
  if (type.is_dictionary()) {
    quiver::ArrayBuilder b(type);
    for (const Scalar& s : all) {
      if (s.is_null()) {
        b.AppendNull();
      } else {
        b.AppendString(s.string_value());
      }
    }
    data = b.Finish().value();
  } else {
    data = qk::ScalarsToArray(all, type).value();
  }
  if (slice > 0) {
    auto sliced = std::make_shared<ArrayData>(*data);
    sliced->offset = slice;
    sliced->length = int64_t(values.size());
    sliced->null_count = 0;
    for (const Scalar& s : values) sliced->null_count += s.is_null();
    data = sliced;
  }
  return Datum::Own(data);
}
Datum Lit(Scalar s, const DataType& type) { return Datum::Of(std::move(s), type); }

std::string Render(const Scalar& s) {
  std::string out;
  switch (s.kind()) {
    case Scalar::Kind::kNull:
      return "NULL";
    case Scalar::Kind::kDouble:
      quiver::AppendDouble(&out, s.double_value());
      return out;
    case Scalar::Kind::kString:
      return "'" + s.string_value() + "'";
    case Scalar::Kind::kDate32:
      quiver::AppendDate32(&out, s.int64_value());
      return out;
    case Scalar::Kind::kTimestamp:
      quiver::AppendTimestamp(&out, s.int64_value(), s.unit());
      return out;
    default:
      return s.ToString();
  }
}

std::string Render(const Datum& d) {
  if (d.is_scalar) return "scalar " + Render(d.scalar);
  std::string out;
  for (int64_t i = 0; i < d.view.length; ++i) {
    if (i) out += ", ";
    out += Render(qk::ValueAt(d.view, i));
  }
  return out;
}

using fntest::Call;

// The rendered result, or "error: <message>".
std::string Eval(const std::string& name, const std::vector<Datum>& args) {
  auto r = Call(name, args);
  if (!r.ok()) return "error: " + r.status().message();
  return Render(*r);
}

DataType ResultType(const std::string& name, const std::vector<DataType>& types) {
  auto fn = qk::BindFunction(name, types, std::vector<const Scalar*>(types.size(), nullptr));
  REQUIRE(fn.ok());
  return (*fn)->result_type();
}

StatusCode Code(const std::string& name, const std::vector<Datum>& args) {
  return Call(name, args).status().code();
}

std::string Cast(const Datum& d, const DataType& to, bool try_cast = false) {
  auto r = fntest::CastOf(d, to, try_cast);
  if (!r.ok()) return "error: " + r.status().message();
  return Render(*r);
}

}  // namespace

TEST_CASE("ToArray broadcasts scalars and copies borrowed views", "[kernels][function]") {
  auto ints = qk::ToArray(Lit(I(7), kI32), 3).value();
  CHECK(Render(Datum::Own(ints)) == "7, 7, 7");
  CHECK(ints->type == kI32);
  CHECK(Render(Datum::Own(qk::ToArray(Lit(S("ab"), kUtf8), 2).value())) == "'ab', 'ab'");
  CHECK(Render(Datum::Own(qk::ToArray(Lit(S("x"), kDict), 2).value())) == "'x', 'x'");
  CHECK(Render(Datum::Own(qk::ToArray(Lit(B(true), kBool), 3).value())) == "true, true, true");
  auto nulls = qk::ToArray(Lit(N(), kF64), 2).value();
  CHECK(nulls->null_count == 2);
  CHECK(Render(Datum::Own(nulls)) == "NULL, NULL");
  CHECK(Render(Datum::Own(qk::ToArray(Lit(D(2.5), kF64), 1).value())) == "2.5");

  // A Datum::Own column is shared, not copied; any other owner in `keep` is
  // not mistaken for one.
  Datum owned = Col(kI64, {I(1), I(2)});
  CHECK(qk::ToArray(owned, 2).value().get() == qk::ToArray(owned, 2).value().get());
  Datum foreign = Datum::Borrow(owned.view);
  foreign.keep = std::make_shared<int>(5);
  auto copied = qk::ToArray(foreign, 2).value();
  CHECK(copied.get() != qk::ToArray(owned, 2).value().get());
  CHECK(Render(Datum::Own(copied)) == "1, 2");

  // Borrowed, sliced views of every layout are copied to offset 0.
  for (const auto& [type, vals] : std::vector<std::pair<DataType, std::vector<Scalar>>>{
           {kI64, {I(1), N(), I(3)}},
           {kU8, {U(1), U(2), N()}},
           {kBool, {B(true), N(), B(false)}},
           {kUtf8, {S("a"), N(), S("ccc")}},
           {kDict, {S("a"), N(), S("a")}},
           {kDate, {Scalar::Date32(1), N(), Scalar::Date32(3)}}}) {
    Datum owned = Col(type, vals, 5);
    Datum borrowed = Datum::Borrow(owned.view);
    auto copy = qk::ToArray(borrowed, 3).value();
    CHECK(copy->offset == 0);
    CHECK(copy->null_count == 1);
    CHECK(Render(Datum::Own(copy)) == Render(owned));
  }
}

TEST_CASE("Arithmetic on integers is done in 64 bits and overflow is an error",
          "[kernels][function]") {
  CHECK(Eval("+", {Col(kI8, {I(100), I(-100), N()}), Col(kI8, {I(100), I(-100), I(1)})}) ==
        "200, -200, NULL");
  CHECK(ResultType("+", {kI8, kI8}) == kI64);
  CHECK(ResultType("*", {kU8, kU64}) == kU64);
  CHECK(ResultType("-", {kU8, kI8}) == kI64);
  CHECK(ResultType("+", {kI32, kF32}) == kF64);
  CHECK(ResultType("/", {kI32, kI32}) == kF64);
  CHECK(Eval("-", {Col(kI64, {I(5), I(-5)}), Lit(I(7), kI64)}) == "-2, -12");
  CHECK(Eval("*", {Lit(I(3), kI32), Col(kI32, {I(4), N(), I(-2)})}) == "12, NULL, -6");
  CHECK(Eval("+", {Lit(I(3), kI32), Lit(I(4), kI64)}) == "scalar 7");
  CHECK(Eval("+", {Lit(I(3), kI32), Lit(N(), kNullT)}) == "scalar NULL");

  CHECK(Eval("+", {Col(kI64, {I(kMax)}), Lit(I(1), kI64)}) ==
        "error: integer overflow in 9223372036854775807 + 1");
  CHECK(Code("+", {Col(kI64, {I(kMax)}), Lit(I(1), kI64)}) == StatusCode::kOverflow);
  CHECK(Eval("-", {Col(kI64, {I(kMin)}), Lit(I(1), kI64)}) ==
        "error: integer overflow in -9223372036854775808 - 1");
  CHECK(Eval("*", {Col(kI64, {I(kMax / 2 + 1)}), Lit(I(2), kI64)}) ==
        "error: integer overflow in 4611686018427387904 * 2");
  CHECK(Eval("neg", {Col(kI64, {I(kMin)})}) ==
        "error: integer overflow in -(-9223372036854775808)");
  CHECK(Eval("neg", {Col(kI64, {I(kMax), N(), I(0)})}) == "-9223372036854775807, NULL, 0");
  CHECK(Eval("//", {Col(kI64, {I(kMin)}), Lit(I(-1), kI64)}) ==
        "error: integer overflow in -9223372036854775808 // -1");
  CHECK(Eval("%", {Col(kI64, {I(kMin)}), Lit(I(-1), kI64)}) == "0");
  CHECK(Eval("-", {Col(kU8, {U(5)}), Col(kU8, {U(6)})}) == "error: integer overflow in 5 - 6");
  CHECK(Eval("+", {Col(kU64, {U(UINT64_MAX - 1)}), Col(kU8, {U(1)})}) == "18446744073709551615");
  CHECK(Code("+", {Col(kU64, {U(UINT64_MAX)}), Col(kI8, {I(1)})}) == StatusCode::kOverflow);
  // Overflow in a NULL row is not an error (its value is not computed).
  Datum with_null = Col(kI64, {I(1), N()});
  CHECK(Eval("+", {with_null, Col(kI64, {I(1), I(kMax)})}) == "2, NULL");
}

TEST_CASE("Division: / is float64, // truncates, % is C's, by zero is NULL",
          "[kernels][function]") {
  CHECK(Eval("/", {Col(kI32, {I(1), I(-7), I(1), N()}), Col(kI32, {I(2), I(2), I(0), I(1)})}) ==
        "0.5, -3.5, NULL, NULL");
  CHECK(Eval("//", {Col(kI32, {I(-7), I(7), I(7)}), Col(kI32, {I(2), I(0), I(-2)})}) ==
        "-3, NULL, -3");
  CHECK(Eval("%", {Col(kI32, {I(-7), I(7), I(7)}), Col(kI32, {I(2), I(0), I(-2)})}) ==
        "-1, NULL, 1");
  CHECK(Eval("%", {Col(kI32, {I(1), I(2)}), Lit(I(0), kI32)}) == "NULL, NULL");
  CHECK(Eval("mod", {Col(kI32, {I(7)}), Lit(I(3), kI32)}) == "1");
  CHECK(Eval("%", {Col(kF64, {D(-7.5), D(5.5)}), Col(kF64, {D(2), D(0)})}) == "-1.5, NULL");
  CHECK(Eval("//", {Col(kF64, {D(7.5), D(1)}), Col(kF64, {D(2), D(-0.0)})}) == "3.75, NULL");
  CHECK(Eval("/", {Col(kF64, {D(1), D(0)}), Lit(D(0), kF64)}) == "NULL, NULL");
  CHECK(Eval("//", {Col(kU64, {U(3)}), Col(kU64, {U(2)})}) == "1");
}

TEST_CASE("Float arithmetic keeps NaN, infinities and -0.0", "[kernels][function]") {
  CHECK(Eval("+", {Col(kF64, {D(kNaN), D(kInf), D(kInf)}), Col(kF64, {D(1), D(1), D(-kInf)})}) ==
        "NaN, Infinity, NaN");
  CHECK(Eval("*", {Col(kF32, {D(1.5)}), Col(kI64, {I(2)})}) == "3.0");
  auto neg = Call("neg", {Col(kF64, {D(0.0)})}).value();
  CHECK(std::signbit(qk::ValueAt(neg.view, 0).double_value()));
  CHECK(Eval("neg", {Col(kF32, {D(2.5)})}) == "-2.5");
}

TEST_CASE("Date and timestamp arithmetic with integers", "[kernels][function]") {
  CHECK(Eval("+", {Col(kDate, {Scalar::Date32(0), N()}), Lit(I(31), kI64)}) == "1970-02-01, NULL");
  CHECK(Eval("+", {Lit(I(1), kI32), Col(kDate, {Scalar::Date32(0)})}) == "1970-01-02");
  CHECK(Eval("-", {Col(kDate, {Scalar::Date32(0)}), Lit(I(1), kI32)}) == "1969-12-31");
  CHECK(Eval("-", {Col(kDate, {Scalar::Date32(10)}), Col(kDate, {Scalar::Date32(3)})}) == "7");
  CHECK(ResultType("-", {kDate, kDate}) == kI64);
  CHECK(Eval("+", {Col(kTsMs, {Scalar::Timestamp(1000, TimeUnit::kMilli)}), Lit(I(500), kI64)}) ==
        "1970-01-01T00:00:01.500Z");
  CHECK(Code("+", {Col(kDate, {Scalar::Date32(0)}), Lit(I(int64_t(1) << 40), kI64)}) ==
        StatusCode::kOverflow);
  auto bad = qk::BindFunction("*", {kDate, kI32}, {nullptr, nullptr});
  CHECK(bad.status().code() == StatusCode::kTypeError);
  CHECK(bad.status().message().rfind(
            "no function matches *(date32, int32); candidates: *(numeric, numeric)", 0) == 0);
}

TEST_CASE("|| concatenates strings and is NULL if either side is", "[kernels][function]") {
  CHECK(Eval("||", {Col(kUtf8, {S("a"), S(""), N()}), Lit(S("-x"), kUtf8)}) == "'a-x', '-x', NULL");
  CHECK(Eval("||", {Col(kDict, {S("q"), N(), S("q")}, 3), Col(kUtf8, {S("1"), S("2"), S("3")})}) ==
        "'q1', NULL, 'q3'");
  CHECK(Eval("||", {Lit(S("a"), kUtf8), Lit(S("b"), kUtf8)}) == "scalar 'ab'");
  CHECK(Code("||", {Col(kI64, {I(1)}), Lit(S("b"), kUtf8)}) == StatusCode::kTypeError);
}

TEST_CASE("Comparisons are values with NULLs, exact across numeric types", "[kernels][function]") {
  CHECK(Eval("=", {Col(kI64, {I(1), I(2), N()}), Col(kF64, {D(1.0), D(2.5), D(1)})}) ==
        "true, false, NULL");
  CHECK(Eval("<", {Col(kU64, {U(UINT64_MAX)}), Col(kI64, {I(-1)})}) == "false");
  CHECK(Eval(">", {Col(kU64, {U(UINT64_MAX)}), Lit(I(-1), kI64)}) == "true");
  // 2^63 is not int64's max; long double keeps the difference.
  CHECK(Eval("=", {Col(kI64, {I(kMax)}), Lit(D(9223372036854775808.0), kF64)}) == "false");
  // int64 and uint64 columns against float64 columns, compared exactly
  // (DuckDB rounds the integer to double: 2^53 + 1 = 2^53 there).
  const int64_t p53 = int64_t(1) << 53;
  Datum ints = Col(kI64, {I(p53 + 1), I(kMax), I(kMin), I(-3), I(-4), I(5), I(1)});
  Datum dbls = Col(kF64, {D(double(p53)), D(9223372036854775808.0), D(-9223372036854775808.0),
                          D(-3.5), D(-3.5), D(kNaN), D(-kInf)});
  CHECK(Eval("=", {ints, dbls}) == "false, false, true, false, false, false, false");
  CHECK(Eval("<", {ints, dbls}) == "false, true, false, false, true, true, false");
  CHECK(Eval(">", {dbls, ints}) == "false, true, false, false, true, true, false");
  CHECK(Eval("<", {Col(kU64, {U(UINT64_MAX), U(p53 + 1)}),
                   Col(kF64, {D(18446744073709551616.0), D(double(p53))})}) == "true, false");
  CHECK(Eval("<", {Col(kU64, {U(UINT64_MAX), U(3)}), Col(kI64, {I(-1), I(4)})}) == "false, true");
  CHECK(Eval(">=", {Col(kI64, {I(-1), I(4)}), Col(kU64, {U(UINT64_MAX), U(4)})}) == "false, true");
  CHECK(Eval("<>", {Col(kI8, {I(3), I(4)}), Lit(I(3), kI64)}) == "false, true");
  CHECK(Eval("<=", {Lit(I(3), kI64), Col(kI8, {I(3), I(2)})}) == "true, false");
  // NaN equals NaN and is the largest number; -0.0 = 0.0.
  CHECK(Eval("=", {Col(kF64, {D(kNaN), D(-0.0)}), Col(kF64, {D(kNaN), D(0.0)})}) == "true, true");
  CHECK(Eval(">", {Col(kF64, {D(kNaN), D(kInf)}), Lit(D(1e308), kF64)}) == "true, true");
  CHECK(Eval("<", {Col(kF64, {D(kInf)}), Lit(D(kNaN), kF64)}) == "true");
  CHECK(Eval(">=", {Col(kI32, {I(1)}), Lit(D(kNaN), kF64)}) == "false");
  CHECK(Eval("<", {Col(kUtf8, {S("B"), S("a"), S("ab")}), Lit(S("a"), kUtf8)}) ==
        "true, false, false");
  CHECK(Eval(">", {Col(kDict, {S("b"), N(), S("a")}, 2), Lit(S("a"), kUtf8)}) ==
        "true, NULL, false");
  CHECK(Eval("=", {Lit(S("a"), kUtf8), Col(kDict, {S("b"), S("a")})}) == "false, true");
  CHECK(Eval("=", {Col(kDict, {S("b"), S("a")}), Col(kUtf8, {S("b"), S("b")})}) == "true, false");
  CHECK(Eval(">", {Col(kDate, {Scalar::Date32(1)}),
                   Lit(Scalar::Timestamp(23 * 3600, TimeUnit::kSecond), kTsS)}) == "true");
  CHECK(Eval("=", {Col(kTsMs, {Scalar::Timestamp(2000, TimeUnit::kMilli)}),
                   Lit(Scalar::Timestamp(2, TimeUnit::kSecond), kTsS)}) == "true");
  CHECK(Eval("=", {Col(kBool, {B(true), B(false)}), Lit(B(true), kBool)}) == "true, false");
  CHECK(Eval("=", {Col(kI64, {I(1)}), Lit(N(), kNullT)}) == "NULL");
  CHECK(Eval("!=", {Col(kI64, {I(1)}), Lit(I(2), kI64)}) == "true");
  CHECK(qk::BindFunction("=", {kI64, kUtf8}, {nullptr, nullptr}).status().code() ==
        StatusCode::kTypeError);
}

TEST_CASE("AND, OR and NOT follow Kleene logic", "[kernels][function]") {
  Datum a = Col(kBool, {B(true), B(true), B(true), B(false), B(false), B(false), N(), N(), N()});
  Datum b = Col(kBool, {B(true), B(false), N(), B(true), B(false), N(), B(true), B(false), N()}, 7);
  CHECK(Eval("and", {a, b}) == "true, false, NULL, false, false, false, NULL, false, NULL");
  CHECK(Eval("or", {a, b}) == "true, true, true, true, false, NULL, true, NULL, NULL");
  CHECK(Eval("not", {a}) == "false, false, false, true, true, true, NULL, NULL, NULL");
  CHECK(Eval("and", {Col(kBool, {B(true), B(true)}), Lit(N(), kBool), Lit(B(false), kBool)}) ==
        "false, false");
  CHECK(Eval("or", {Col(kBool, {B(false), B(true)}), Lit(N(), kNullT)}) == "NULL, true");
  CHECK(Eval("and", {Lit(B(true), kBool), Lit(N(), kBool)}) == "scalar NULL");
  CHECK(Code("and", {Col(kI64, {I(1)}), Lit(B(true), kBool)}) == StatusCode::kTypeError);
}

TEST_CASE("IS [NOT] DISTINCT FROM is never NULL", "[kernels][function]") {
  Datum a = Col(kI64, {I(1), I(1), N(), N()});
  Datum b = Col(kI32, {I(1), N(), I(1), N()});
  CHECK(Eval("is_distinct_from", {a, b}) == "false, true, true, false");
  CHECK(Eval("is_not_distinct_from", {a, b}) == "true, false, false, true");
  CHECK(Eval("is_distinct_from", {Col(kUtf8, {S("x"), N()}), Lit(N(), kUtf8)}) == "true, false");
}

TEST_CASE("in_list follows SQL's NULL rules", "[kernels][function]") {
  Datum x = Col(kI64, {I(1), I(2), N(), I(3)});
  CHECK(Eval("in_list", {x, Lit(I(1), kI64), Lit(I(3), kI32)}) == "true, false, NULL, true");
  CHECK(Eval("in_list", {x, Lit(I(1), kI64), Lit(N(), kI64)}) == "true, NULL, NULL, NULL");
  CHECK(Eval("in_list", {x, Col(kF64, {D(1), D(1), D(1), D(3)})}) == "true, false, NULL, true");
  CHECK(Eval("in_list", {Col(kDict, {S("JFK"), S("EWR"), N()}), Lit(S("JFK"), kUtf8),
                         Lit(S("LGA"), kUtf8)}) == "true, false, NULL");
}

TEST_CASE("case_when picks the first TRUE condition; NULL is not true", "[kernels][function]") {
  Datum c1 = Col(kBool, {B(true), B(false), N(), B(false)});
  Datum c2 = Col(kBool, {B(true), B(true), B(true), N()});
  CHECK(Eval("case_when", {c1, Lit(I(1), kI64), c2, Lit(D(2.5), kF64), Lit(I(0), kI32)}) ==
        "1.0, 2.5, 2.5, 0.0");
  CHECK(ResultType("case_when", {kBool, kI64, kBool, kF64, kI32}) == kF64);
  CHECK(Eval("case_when", {c1, Col(kUtf8, {S("a"), S("b"), S("c"), S("d")})}) ==
        "'a', NULL, NULL, NULL");
  CHECK(Eval("case_when", {c2, Col(kDict, {S("x"), S("y"), N(), S("w")}), Lit(S("else"), kUtf8)}) ==
        "'x', 'y', NULL, 'else'");
  CHECK(Eval("case_when", {c1, Lit(B(true), kBool), Lit(B(false), kBool)}) ==
        "true, false, false, false");
  CHECK(Eval("case_when", {Lit(N(), kBool), Lit(I(1), kI64), Lit(I(0), kI64)}) == "scalar 0");
  CHECK(qk::BindFunction("case_when", {kBool, kI64, kBool, kUtf8},
                         {nullptr, nullptr, nullptr, nullptr})
            .status()
            .message() == "no common type for int64 and utf8");
}

TEST_CASE("Math functions follow DuckDB's values and errors", "[kernels][function]") {
  CHECK(Eval("abs", {Col(kI8, {I(-128), I(5), N()})}) == "128, 5, NULL");
  CHECK(Eval("abs", {Col(kI64, {I(kMin)})}) ==
        "error: integer overflow in abs(-9223372036854775808)");
  CHECK(Eval("abs", {Col(kF64, {D(-0.0), D(-kInf)})}) == "0.0, Infinity");
  CHECK(Eval("round", {Col(kF64, {D(2.5), D(-2.5), D(0.4)})}) == "3.0, -3.0, 0.0");
  CHECK(Eval("round", {Col(kF64, {D(2.345), D(1234.5)}), Col(kI32, {I(2), I(-2)})}) ==
        "2.35, 1200.0");
  CHECK(Eval("round", {Col(kI64, {I(15), I(-15), I(14)}), Lit(I(-1), kI64)}) == "20, -20, 10");
  // As DuckDB: x * 10^n is rounded, so 1.005 (really 1.00499...) gives 1.0.
  CHECK(Eval("round", {Col(kF64, {D(1.005), D(0.285), D(5.015)}), Lit(I(2), kI64)}) ==
        "1.0, 0.28, 5.01");
  CHECK(Eval("round", {Col(kI32, {I(5)})}) == "5");
  CHECK(ResultType("round", {kI32}) == kI64);
  CHECK(Eval("round", {Col(kI64, {I(kMax)}), Lit(I(-1), kI64)}) ==
        "error: integer overflow in round(9223372036854775807, -1)");
  CHECK(Eval("floor", {Col(kF64, {D(2.5), D(-2.5)})}) == "2.0, -3.0");
  CHECK(Eval("ceil", {Col(kF32, {D(2.5)})}) == "3.0");
  CHECK(Eval("ceiling", {Col(kI32, {I(5)})}) == "5");
  CHECK(Eval("trunc", {Col(kF64, {D(-2.7), D(kNaN)})}) == "-2.0, NaN");
  CHECK(Eval("sqrt", {Col(kI32, {I(16), N()})}) == "4.0, NULL");
  CHECK(Eval("sqrt", {Col(kF64, {D(-1)})}) ==
        "error: cannot take square root of a negative number");
  CHECK(Code("sqrt", {Col(kF64, {D(-1)})}) == StatusCode::kInvalidArgument);
  CHECK(Eval("sqrt", {Col(kF64, {D(-1), D(4)}, 0)}).rfind("error", 0) == 0);
  CHECK(Eval("sqrt", {Col(kF64, {D(-0.0), D(kNaN)})}) == "-0.0, NaN");
  CHECK(Eval("ln", {Col(kF64, {D(0)})}) ==
        "error: cannot take logarithm of zero or of a negative number");
  CHECK(Eval("ln", {Col(kF64, {D(1), D(kInf)})}) == "0.0, Infinity");
  CHECK(Eval("log10", {Col(kI64, {I(1000)})}) == "3.0");
  CHECK(Eval("log", {Col(kI64, {I(100)})}) == "2.0");
  CHECK(Eval("log", {Lit(I(2), kI64), Col(kI64, {I(8)})}) == "3.0");
  CHECK(Eval("log", {Lit(I(2), kI64), Col(kI64, {I(-1)})}) ==
        "error: cannot take logarithm of a negative number");
  CHECK(Eval("exp", {Col(kF64, {D(0), D(1000)})}) == "1.0, Infinity");
  CHECK(Eval("power", {Col(kI64, {I(2)}), Lit(I(10), kI64)}) == "1024.0");
  CHECK(Eval("pow", {Col(kF64, {D(-8)}), Lit(D(0.5), kF64)}) == "NaN");
  CHECK(Eval("sign", {Col(kF64, {D(-3.2), D(0), D(kNaN), D(-0.0), D(kInf)})}) == "-1, 0, 0, 0, 1");
  CHECK(Eval("sign", {Col(kU64, {U(5), U(0)})}) == "1, 0");
  CHECK(ResultType("sign", {kI64}) == kI8);
  CHECK(qk::BindFunction("round", {kUtf8}, {nullptr}).status().message() ==
        "no function matches round(utf8); candidates: round(numeric), round(numeric, integer)");
}

TEST_CASE("greatest, least, coalesce and nullif", "[kernels][function]") {
  Datum a = Col(kI64, {I(1), N(), N(), I(5)});
  Datum b = Col(kI32, {I(3), I(2), N(), I(4)});
  CHECK(Eval("greatest", {a, b}) == "3, 2, NULL, 5");
  CHECK(Eval("least", {a, b, Lit(I(0), kI8)}) == "0, 0, 0, 0");
  CHECK(Eval("least", {a, b}) == "1, 2, NULL, 4");
  CHECK(Eval("greatest", {a, Lit(D(2.5), kF64)}) == "2.5, 2.5, 2.5, 5.0");
  CHECK(Eval("greatest", {Col(kF64, {D(1)}), Lit(D(kNaN), kF64)}) == "NaN");
  CHECK(Eval("least", {Col(kF64, {D(1)}), Lit(D(kNaN), kF64)}) == "1.0");
  CHECK(Eval("greatest", {Col(kUtf8, {S("a"), N()}), Col(kDict, {S("b"), S("c")})}) == "'b', 'c'");
  CHECK(Eval("coalesce", {a, b, Lit(I(9), kI64)}) == "1, 2, 9, 5");
  CHECK(Eval("coalesce", {Col(kUtf8, {N(), S("x")}), Lit(S("d"), kUtf8)}) == "'d', 'x'");
  CHECK(Eval("coalesce", {Lit(N(), kNullT), Lit(I(2), kI64)}) == "scalar 2");
  CHECK(ResultType("coalesce", {kI32, kF32}) == kF64);
  CHECK(Eval("nullif", {a, Lit(I(5), kI64)}) == "1, NULL, NULL, NULL");
  CHECK(Eval("nullif", {Col(kI64, {I(1)}), Lit(N(), kI64)}) == "1");
  CHECK(Eval("nullif", {Col(kUtf8, {S("x"), S("")}), Lit(S(""), kUtf8)}) == "'x', NULL");
}

TEST_CASE("CAST between numbers is range-checked; floats round half away from zero",
          "[kernels][function]") {
  CHECK(Cast(Col(kI64, {I(127), I(-128), N()}), kI8) == "127, -128, NULL");
  CHECK(Cast(Col(kI64, {I(300)}), kI8) == "error: value 300 is out of range for int8");
  CHECK(Cast(Col(kI64, {I(-1)}), kU64) == "error: value -1 is out of range for uint64");
  CHECK(Cast(Col(kU64, {U(UINT64_MAX)}), kI64) ==
        "error: value 18446744073709551615 is out of range for int64");
  CHECK(Cast(Col(kF64, {D(2.5), D(-2.5), D(0.49999)}), kI32) == "3, -3, 0");
  CHECK(Cast(Col(kF64, {D(kNaN)}), kI64) == "error: value NaN is out of range for int64");
  CHECK(Cast(Col(kF64, {D(9223372036854775808.0)}), kI64) ==
        "error: value 9223372036854775808.0 is out of range for int64");
  CHECK(Cast(Col(kF64, {D(1e300)}), kF32) == "error: value 1e+300 is out of range for float32");
  CHECK(Cast(Col(kF64, {D(kInf), D(1.5)}), kF32) == "Infinity, 1.5");
  CHECK(Cast(Col(kI64, {I(kMax)}), kF64) == "9223372036854775808.0");
  CHECK(Cast(Col(kBool, {B(true), B(false)}), kI32) == "1, 0");
  CHECK(Cast(Col(kI32, {I(2), I(0)}), kBool) == "true, false");
  CHECK(Cast(Col(kI64, {I(300), I(1)}), kI8, true) == "NULL, 1");
  CHECK(Cast(Lit(I(5), kI64), kF64) == "scalar 5.0");
  CHECK(Code("+", {Col(kI8, {I(1)}), Col(kI8, {I(1)})}) == StatusCode::kOk);
}

TEST_CASE("CAST to and from text", "[kernels][function]") {
  CHECK(Cast(Col(kI64, {I(-5), N()}), kUtf8) == "'-5', NULL");
  CHECK(Cast(Col(kF64, {D(1.5), D(1.0), D(0.1), D(kNaN), D(-kInf)}), kUtf8) ==
        "'1.5', '1.0', '0.1', 'NaN', '-Infinity'");
  CHECK(Cast(Col(kF32, {D(0.1)}), kUtf8) == "'0.1'");
  CHECK(Cast(Col(kBool, {B(true)}), kUtf8) == "'true'");
  CHECK(Cast(Col(kDate, {Scalar::Date32(18262)}), kUtf8) == "'2020-01-01'");
  CHECK(Cast(Col(kTsMs, {Scalar::Timestamp(1500, TimeUnit::kMilli)}), kUtf8) ==
        "'1970-01-01T00:00:01.500Z'");
  CHECK(Cast(Col(kDict, {S("a"), N(), S("a")}, 1), kUtf8) == "'a', NULL, 'a'");
  CHECK(Cast(Col(kUtf8, {S(" 12 "), S("1.5"), S("2.5"), S("1e3"), S("-7")}), kI32) ==
        "12, 2, 3, 1000, -7");
  CHECK(Cast(Col(kUtf8, {S("abc")}), kI32) == "error: cannot cast 'abc' to int32");
  CHECK(Cast(Col(kUtf8, {S("")}), kI32) == "error: cannot cast '' to int32");
  CHECK(Cast(Col(kUtf8, {S("300")}), kI8) == "error: value 300 is out of range for int8");
  CHECK(Cast(Col(kUtf8, {S("99999999999999999999")}), kI64) ==
        "error: value 99999999999999999999 is out of range for int64");
  CHECK(Cast(Col(kUtf8, {S("abc"), S("4"), N()}), kI32, true) == "NULL, 4, NULL");
  CHECK(Cast(Col(kUtf8, {S("nan"), S("-Infinity"), S(" 1.5e2"), S("inf")}), kF64) ==
        "NaN, -Infinity, 150.0, Infinity");
  CHECK(Cast(Col(kUtf8, {S("t"), S("YES"), S("0"), S("false")}), kBool) ==
        "true, true, false, false");
  CHECK(Cast(Col(kUtf8, {S(" true ")}), kBool) == "error: cannot cast ' true ' to bool");
  CHECK(Cast(Col(kUtf8, {S("2020-01-01"), S("2020-01-01 10:00:00")}), kDate) ==
        "2020-01-01, 2020-01-01");
  CHECK(Cast(Col(kUtf8, {S("2020-02-30")}), kDate) == "error: cannot cast '2020-02-30' to date32");
  CHECK(Cast(Col(kUtf8, {S("1970-01-01 00:00:01.5")}), kTsMs) == "1970-01-01T00:00:01.500Z");
  CHECK(Cast(Col(kDict, {S("7"), S("x")}), kI64, true) == "7, NULL");
  CHECK(Cast(Lit(S("42"), kUtf8), kI64) == "scalar 42");
  CHECK(qk::BindCast(kDate, kI64).status().code() == StatusCode::kTypeError);
}

TEST_CASE("CAST between dates and timestamps floors to the coarser unit", "[kernels][function]") {
  CHECK(Cast(Col(kTsMs, {Scalar::Timestamp(-500, TimeUnit::kMilli)}), kDate) == "1969-12-31");
  CHECK(Cast(Col(kTsMs, {Scalar::Timestamp(-500, TimeUnit::kMilli)}), kTsS) ==
        "1969-12-31T23:59:59Z");
  CHECK(Cast(Col(kDate, {Scalar::Date32(1), N()}), kTsMs) == "1970-01-02T00:00:00.000Z, NULL");
  CHECK(Cast(Col(kTsS, {Scalar::Timestamp(int64_t(1) << 60, TimeUnit::kSecond)}), kTsMs)
            .rfind("error: value", 0) == 0);
  CHECK(Cast(Col(kTsS, {Scalar::Timestamp(int64_t(1) << 60, TimeUnit::kSecond)}), kTsMs, true) ==
        "NULL");
}

TEST_CASE("Unknown functions and all-scalar calls", "[kernels][function]") {
  CHECK(qk::BindFunction("nope", {}, {}).status().code() == StatusCode::kNotFound);
  CHECK(Eval("ABS", {Lit(I(-3), kI64)}) == "scalar 3");
  CHECK(Eval("-", {Lit(I(5), kI64), Lit(I(7), kI64)}) == "scalar -2");
  auto names = qk::FunctionNames();
  for (const char* n : {"+",
                        "-",
                        "*",
                        "/",
                        "//",
                        "%",
                        "neg",
                        "||",
                        "=",
                        "<>",
                        "<",
                        "<=",
                        ">",
                        ">=",
                        "and",
                        "or",
                        "not",
                        "is_distinct_from",
                        "is_not_distinct_from",
                        "in_list",
                        "case_when",
                        "abs",
                        "round",
                        "floor",
                        "ceil",
                        "trunc",
                        "sqrt",
                        "power",
                        "pow",
                        "exp",
                        "ln",
                        "log10",
                        "log",
                        "mod",
                        "sign",
                        "greatest",
                        "least",
                        "coalesce",
                        "nullif"}) {
    CHECK(std::find(names.begin(), names.end(), n) != names.end());
  }
}

namespace {

// Checks every row of name(args) against ref(row values) on `rows` rows.
template <typename Ref>
void CheckRows(const std::string& name, const std::vector<Datum>& args, int64_t rows, Ref ref) {
  auto out = Call(name, args);
  REQUIRE(out.ok());
  REQUIRE(!out->is_scalar);
  REQUIRE(out->view.length == rows);
  int64_t nulls = 0;
  for (int64_t i = 0; i < rows; ++i) {
    std::vector<Scalar> row;
    for (const Datum& a : args) row.push_back(a.is_scalar ? a.scalar : qk::ValueAt(a.view, i));
    const std::string want = Render(ref(row));
    const std::string got = Render(qk::ValueAt(out->view, i));
    nulls += out->view.IsNull(i);
    if (want != got) {
      FAIL_CHECK(name << " row " << i << ": got " << got << ", want " << want);
      return;
    }
  }
  CHECK(out->view.null_count == nulls);
}

}  // namespace

TEST_CASE("Functions agree with a row-at-a-time reference across word boundaries",
          "[kernels][function]") {
  const int64_t n = 300;  // several 64-row words and a partial one
  std::vector<Scalar> a, b, f, p, q, s;
  uint64_t x = 12345;
  auto next = [&x] { return x = x * 6364136223846793005ULL + 1442695040888963407ULL, x >> 33; };
  const char* words[] = {"x", "y", "zz", ""};
  for (int64_t i = 0; i < n; ++i) {
    a.push_back(next() % 7 == 0 ? N() : I(int64_t(next() % 2001) - 1000));
    b.push_back(next() % 5 == 0 ? N() : I(int64_t(next() % 21) - 10));
    f.push_back(next() % 6 == 0 ? N() : D(double(int64_t(next() % 41) - 20) / 4));
    p.push_back(next() % 4 == 0 ? N() : B(next() & 1));
    q.push_back(next() % 4 == 0 ? N() : B(next() & 1));
    s.push_back(next() % 5 == 0 ? N() : S(words[next() % 4]));
  }
  // Sliced columns (offsets 3, 61, 64, 0) so bitmaps start mid-byte and mid-word.
  Datum ca = Col(kI64, a, 3), cb = Col(kI32, b, 61), cf = Col(kF64, f, 64), cp = Col(kBool, p, 3),
        cq = Col(kBool, q, 5), cs = Col(kDict, s, 7);
  auto is_null = [](const Scalar& v) { return v.is_null(); };
  auto num = [](const Scalar& v) {
    return v.kind() == Scalar::Kind::kDouble ? v.double_value() : double(v.int64_value());
  };
  CheckRows("+", {ca, cb}, n, [&](const std::vector<Scalar>& r) {
    return is_null(r[0]) || is_null(r[1]) ? N() : I(r[0].int64_value() + r[1].int64_value());
  });
  CheckRows("%", {ca, cb}, n, [&](const std::vector<Scalar>& r) {
    return is_null(r[0]) || is_null(r[1]) || r[1].int64_value() == 0
               ? N()
               : I(r[0].int64_value() % r[1].int64_value());
  });
  CheckRows("//", {ca, Lit(I(7), kI64)}, n, [&](const std::vector<Scalar>& r) {
    return is_null(r[0]) ? N() : I(r[0].int64_value() / 7);
  });
  CheckRows("/", {cf, cb}, n, [&](const std::vector<Scalar>& r) {
    return is_null(r[0]) || is_null(r[1]) || r[1].int64_value() == 0 ? N()
                                                                     : D(num(r[0]) / num(r[1]));
  });
  CheckRows("<", {ca, cf}, n, [&](const std::vector<Scalar>& r) {
    return is_null(r[0]) || is_null(r[1]) ? N() : B(num(r[0]) < num(r[1]));
  });
  CheckRows(">=", {Lit(I(0), kI64), cb}, n, [&](const std::vector<Scalar>& r) {
    return is_null(r[1]) ? N() : B(0 >= r[1].int64_value());
  });
  CheckRows("=", {cs, Lit(S("zz"), kUtf8)}, n, [&](const std::vector<Scalar>& r) {
    return is_null(r[0]) ? N() : B(r[0].string_value() == "zz");
  });
  CheckRows("<", {cs, cs}, n,
            [&](const std::vector<Scalar>& r) { return is_null(r[0]) ? N() : B(false); });
  auto kleene_and = [&](const std::vector<Scalar>& r) {
    if ((!is_null(r[0]) && !r[0].bool_value()) || (!is_null(r[1]) && !r[1].bool_value()))
      return B(false);
    return is_null(r[0]) || is_null(r[1]) ? N() : B(true);
  };
  CheckRows("and", {cp, cq}, n, kleene_and);
  CheckRows("or", {cp, cq}, n, [&](const std::vector<Scalar>& r) {
    if ((!is_null(r[0]) && r[0].bool_value()) || (!is_null(r[1]) && r[1].bool_value()))
      return B(true);
    return is_null(r[0]) || is_null(r[1]) ? N() : B(false);
  });
  CheckRows("not", {cq}, n, [&](const std::vector<Scalar>& r) {
    return is_null(r[0]) ? N() : B(!r[0].bool_value());
  });
  CheckRows("is_distinct_from", {ca, cb}, n, [&](const std::vector<Scalar>& r) {
    if (is_null(r[0]) || is_null(r[1])) return B(is_null(r[0]) != is_null(r[1]));
    return B(r[0].int64_value() != r[1].int64_value());
  });
  CheckRows("in_list", {cb, Lit(I(3), kI64), Lit(I(-4), kI64)}, n,
            [&](const std::vector<Scalar>& r) {
              if (is_null(r[0])) return N();
              return B(r[0].int64_value() == 3 || r[0].int64_value() == -4);
            });
  CheckRows("coalesce", {ca, cb, Lit(I(99), kI64)}, n, [&](const std::vector<Scalar>& r) {
    return !is_null(r[0]) ? r[0] : !is_null(r[1]) ? r[1] : I(99);
  });
  CheckRows("coalesce", {cs, Lit(S("-"), kUtf8)}, n,
            [&](const std::vector<Scalar>& r) { return is_null(r[0]) ? S("-") : r[0]; });
  CheckRows("greatest", {ca, cb}, n, [&](const std::vector<Scalar>& r) {
    if (is_null(r[0])) return r[1];
    if (is_null(r[1])) return r[0];
    return I(std::max(r[0].int64_value(), r[1].int64_value()));
  });
  CheckRows("case_when", {cp, ca, cq, cb, Lit(I(-1), kI64)}, n, [&](const std::vector<Scalar>& r) {
    if (!is_null(r[0]) && r[0].bool_value()) return r[1];
    if (!is_null(r[2]) && r[2].bool_value()) return r[3];
    return I(-1);
  });
  CheckRows("case_when", {cq, cs}, n, [&](const std::vector<Scalar>& r) {
    return !is_null(r[0]) && r[0].bool_value() ? r[1] : N();
  });
  CheckRows("||", {cs, cs}, n, [&](const std::vector<Scalar>& r) {
    return is_null(r[0]) ? N() : S(r[0].string_value() + r[0].string_value());
  });
  CheckRows("abs", {ca}, n, [&](const std::vector<Scalar>& r) {
    return is_null(r[0]) ? N() : I(std::abs(r[0].int64_value()));
  });
}
