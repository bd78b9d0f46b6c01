// Decimal arithmetic, math, casts and comparisons of kernels/fn_decimal.cc
// and fn_decimal_cast.cc through kernels/function.h. Result types and values
// are DuckDB's (v1.5, checked with @duckdb/node-api), except where
// fn_decimal.cc says otherwise; the random test checks every row against
// __int128 arithmetic done here.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "columnar/decimal.h"
#include "kernels/aggregate.h"
#include "kernels/function.h"
#include "function_text_test_util.h"

namespace qk = quiver::kernels;
using qk::Datum;
using qk::Scalar;
using quiver::DataType;
using quiver::int128_t;
using quiver::StatusCode;
using quiver::TypeId;

namespace {

const DataType kI32(TypeId::kInt32), kI64(TypeId::kInt64), kF64(TypeId::kFloat64),
    kUtf8(TypeId::kUtf8), kI8(TypeId::kInt8), kBool(TypeId::kBool);
DataType Dec(int p, int s) { return DataType::Decimal(p, s); }

// A decimal scalar from its text ("NULL" for NULL).
Scalar DS(const std::string& text, const DataType& t) {
  if (text == "NULL") return Scalar::Null();
  return Scalar::Decimal(quiver::ParseDecimal128(text, t.precision, t.scale).value(), t.precision,
                         t.scale);
}

Datum DecCol(const DataType& t, const std::vector<std::string>& texts) {
  std::vector<Scalar> v;
  for (const auto& s : texts) v.push_back(DS(s, t));
  return Datum::Own(qk::ScalarsToArray(v, t).value());
}
Datum IntCol(const DataType& t, const std::vector<std::optional<int64_t>>& values) {
  std::vector<Scalar> v;
  for (auto x : values) v.push_back(x ? Scalar::Int64(*x) : Scalar::Null());
  return Datum::Own(qk::ScalarsToArray(v, t).value());
}
Datum Lit(Scalar s, const DataType& t) { return Datum::Of(std::move(s), t); }

std::string Render(const Scalar& s) {
  return s.kind() == Scalar::Kind::kDouble ? quiver::ShortestDouble(s.double_value()) : s.ToString();
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

std::string Eval(const std::string& name, const std::vector<Datum>& args) {
  auto r = Call(name, args);
  if (!r.ok()) return "error: " + r.status().message();
  return Render(*r);
}

std::string TypeOf(const std::string& name, const std::vector<DataType>& types,
                   std::vector<const Scalar*> constants = {}) {
  constants.resize(types.size(), nullptr);
  auto fn = qk::BindFunction(name, types, constants);
  if (!fn.ok()) return "error: " + fn.status().message();
  return (*fn)->result_type().ToString();
}

std::string Cast(const Datum& d, const DataType& to, bool try_cast = false) {
  auto r = fntest::CastOf(d, to, try_cast);
  if (!r.ok()) return "error: " + r.status().message();
  return Render(*r);
}

}  // namespace

TEST_CASE("decimal arithmetic has DuckDB's result types", "[kernels][decimal]") {
  const Scalar two = Scalar::Int64(2), big = Scalar::Int64(int64_t(1) << 40);
  CHECK(TypeOf("*", {Dec(12, 2), kI64}) == "decimal128(31, 2)");
  CHECK(TypeOf("+", {Dec(12, 2), kI64}) == "decimal128(22, 2)");
  CHECK(TypeOf("*", {Dec(12, 2), kI32}) == "decimal128(18, 2)");  // lowered to 64-bit width
  CHECK(TypeOf("+", {Dec(12, 2), kI32}) == "decimal128(13, 2)");
  CHECK(TypeOf("+", {Dec(12, 2), kI8}) == "decimal128(13, 2)");
  CHECK(TypeOf("*", {Dec(12, 2), kI64}, {nullptr, &two}) == "decimal128(18, 2)");  // INTEGER literal
  CHECK(TypeOf("*", {Dec(12, 2), kI64}, {nullptr, &big}) == "decimal128(31, 2)");  // BIGINT literal
  CHECK(TypeOf("+", {Dec(12, 2), Dec(18, 4)}) == "decimal128(18, 4)");
  CHECK(TypeOf("-", {Dec(12, 2), Dec(2, 1)}) == "decimal128(13, 2)");
  CHECK(TypeOf("*", {Dec(12, 2), Dec(2, 1)}) == "decimal128(14, 3)");
  CHECK(TypeOf("*", {Dec(12, 2), Dec(18, 4)}) == "decimal128(18, 6)");  // checked at 18 digits
  CHECK(TypeOf("%", {Dec(12, 2), Dec(18, 4)}) == "decimal128(18, 4)");
  CHECK(TypeOf("%", {Dec(12, 2), kI32}) == "decimal128(12, 2)");
  CHECK(TypeOf("*", {Dec(38, 2), Dec(20, 2)}) == "decimal128(38, 4)");
  CHECK(TypeOf("+", {Dec(38, 0), Dec(38, 10)}) == "decimal128(38, 10)");
  CHECK(TypeOf("+", {Dec(20, 2), DataType(TypeId::kUInt64)}) == "decimal128(23, 2)");
  CHECK(TypeOf("/", {Dec(12, 2), Dec(18, 4)}) == "float64");
  CHECK(TypeOf("/", {Dec(12, 2), kI32}) == "float64");
  CHECK(TypeOf("//", {Dec(12, 2), kI32}) == "float64");
  CHECK(TypeOf("*", {Dec(12, 2), kF64}) == "float64");
  CHECK(TypeOf("neg", {Dec(12, 2)}) == "decimal128(12, 2)");
  CHECK(TypeOf("*", {Dec(38, 20), Dec(38, 20)}).find("needs scale 40") != std::string::npos);
  // decimal256 is stored, not computed on.
  CHECK(TypeOf("+", {Dec(40, 2), kI32}).rfind("error: no function matches", 0) == 0);
}

TEST_CASE("decimal + - * % are exact over columns and scalars, NULLs propagate", "[kernels][decimal]") {
  const DataType p = Dec(12, 2), q = Dec(18, 4);
  Datum price = DecCol(p, {"12.34", "-0.05", "NULL", "99999.99", "0.00"});
  Datum d4 = DecCol(q, {"1.2500", "-7.1234", "3.0000", "NULL", "-0.0001"});
  Datum qty = IntCol(kI64, {3, std::nullopt, 2, -4, 7});
  CHECK(Eval("+", {price, d4}) == "13.5900, -7.1734, NULL, NULL, -0.0001");
  CHECK(Eval("-", {price, d4}) == "11.0900, 7.0734, NULL, NULL, 0.0001");
  CHECK(Eval("*", {price, d4}) == "15.425000, 0.356170, NULL, NULL, 0.000000");
  CHECK(Eval("*", {price, qty}) == "37.02, NULL, NULL, -399999.96, 0.00");
  CHECK(Eval("+", {qty, price}) == "15.34, NULL, NULL, 99995.99, 7.00");
  CHECK(Eval("%", {price, d4}) == "1.0900, -0.0500, NULL, NULL, 0.0000");
  CHECK(Eval("%", {price, Lit(Scalar::Int64(3), kI64)}) == "0.34, -0.05, NULL, 0.99, 0.00");
  CHECK(Eval("%", {price, Lit(Scalar::Int64(0), kI64)}) == "NULL, NULL, NULL, NULL, NULL");
  CHECK(Eval("%", {d4, IntCol(kI32, {1, 0, 2, 1, 0})}) == "0.2500, NULL, 1.0000, NULL, NULL");
  CHECK(Eval("*", {price, Lit(DS("2.5", Dec(2, 1)), Dec(2, 1))}) ==
        "30.850, -0.125, NULL, 249999.975, 0.000");
  CHECK(Eval("-", {Lit(DS("100", Dec(3, 0)), Dec(3, 0)), price}) ==
        "87.66, 100.05, NULL, -99899.99, 100.00");
  CHECK(Eval("neg", {price}) == "-12.34, 0.05, NULL, -99999.99, 0.00");
  CHECK(Eval("+", {price, Lit(Scalar::Null(), p)}) == "NULL, NULL, NULL, NULL, NULL");
  // Scalars only give a scalar.
  CHECK(Eval("*", {Lit(DS("1.5", Dec(2, 1)), Dec(2, 1)), Lit(Scalar::Int64(3), kI64)}) ==
        "scalar 4.5");
  // With a float, or divided: float64.
  CHECK(Eval("/", {price, Lit(Scalar::Int64(4), kI64)}) == "3.085, -0.0125, NULL, 24999.9975, 0");
  CHECK(Eval("*", {price, Lit(Scalar::Double(0.5), kF64)}) == "6.17, -0.025, NULL, 49999.995, 0");
}

TEST_CASE("decimal overflow is an error naming the operation, never a wrapped value",
          "[kernels][decimal]") {
  const DataType big = Dec(38, 0);
  Datum max = DecCol(big, {"1", "99999999999999999999999999999999999999"});
  std::string e = Eval("+", {max, Lit(Scalar::Int64(1), kI64)});
  CHECK(e.find("decimal overflow in 99999999999999999999999999999999999999 + 1") != std::string::npos);
  CHECK(Call("+", {max, max}).status().code() == StatusCode::kOverflow);
  e = Eval("*", {max, max});
  CHECK(e.find("decimal overflow in 99999999999999999999999999999999999999 * ") != std::string::npos);
  // 128 bits left (not only the precision): -10^37 * -10^37 * ... via *.
  Datum huge = DecCol(Dec(38, 0), {"-90000000000000000000000000000000000000"});
  CHECK(Eval("-", {huge, DecCol(Dec(38, 0), {"90000000000000000000000000000000000000"})})
            .find("decimal overflow") != std::string::npos);
  // Lowered to 18 digits as DuckDB: 9999999999.99 * 2147483647 does not fit.
  e = Eval("*", {DecCol(Dec(12, 2), {"9999999999.99"}), IntCol(kI32, {2147483647})});
  CHECK(e.find("does not fit decimal128(18, 2)") != std::string::npos);
  // An operand that does not fit the result type at its scale (DuckDB casts it).
  e = Eval("+", {DecCol(Dec(18, 0), {"999999999999999999"}), DecCol(Dec(18, 4), {"0.0001"})});
  CHECK(e.find("does not fit decimal(18, 4)") != std::string::npos);
  // NULL rows never overflow, whatever they hold.
  CHECK(Eval("+", {DecCol(big, {"NULL", "5"}), DecCol(big, {"99999999999999999999999999999999999999", "NULL"})}) ==
        "NULL, NULL");
}

TEST_CASE("decimal abs sign round floor ceil trunc keep decimals and round half away from zero",
          "[kernels][decimal]") {
  const DataType t = Dec(6, 3);
  Datum x = DecCol(t, {"1.005", "-1.005", "2.499", "-2.5", "NULL", "0.000", "999.999"});
  DataType type;
  REQUIRE(Call("round", {x, Lit(Scalar::Int64(2), kI64)}, &type).ok());
  CHECK(type == Dec(6, 2));
  CHECK(Eval("round", {x, Lit(Scalar::Int64(2), kI64)}) ==
        "1.01, -1.01, 2.50, -2.50, NULL, 0.00, 1000.00");
  CHECK(Eval("round", {x}) == "1, -1, 2, -3, NULL, 0, 1000");
  CHECK(Eval("round", {x, Lit(Scalar::Int64(5), kI64)}) ==
        "1.005, -1.005, 2.499, -2.500, NULL, 0.000, 999.999");
  CHECK(Eval("round", {x, Lit(Scalar::Int64(-1), kI64)}) == "0, 0, 0, 0, NULL, 0, 1000");
  CHECK(Eval("round", {x, Lit(Scalar::Int64(-5), kI64)}) == "0, 0, 0, 0, NULL, 0, 0");
  CHECK(Eval("floor", {x}) == "1, -2, 2, -3, NULL, 0, 999");
  CHECK(Eval("ceil", {x}) == "2, -1, 3, -2, NULL, 0, 1000");
  CHECK(Eval("trunc", {x}) == "1, -1, 2, -2, NULL, 0, 999");
  CHECK(Eval("abs", {x}) == "1.005, 1.005, 2.499, 2.500, NULL, 0.000, 999.999");
  CHECK(Eval("sign", {x}) == "1, -1, 1, -1, NULL, 0, 1");
  REQUIRE(Call("floor", {x}, &type).ok());
  CHECK(type == Dec(6, 0));
  // 99 rounded to hundreds needs three digits: an error, not a wrong value.
  CHECK(Eval("round", {DecCol(Dec(2, 0), {"99"}), Lit(Scalar::Int64(-2), kI64)})
            .find("does not fit decimal128(2, 0)") != std::string::npos);
  CHECK(Eval("round", {DecCol(Dec(2, 0), {"-45"}), Lit(Scalar::Int64(-1), kI64)}) == "-50");
  // A rounding digit count from a column is refused (as DuckDB does).
  CHECK(Eval("round", {x, IntCol(kI32, {1, 1, 1, 1, 1, 1, 1})}).find("needs a constant n") !=
        std::string::npos);
  // Float functions read decimals as doubles.
  CHECK(Eval("sqrt", {DecCol(Dec(4, 2), {"2.25"})}) == "1.5");
}

TEST_CASE("CAST to and from decimal rounds half away from zero and checks the range",
          "[kernels][decimal]") {
  Datum x = DecCol(Dec(6, 3), {"12.345", "-12.345", "12.344", "NULL"});
  CHECK(Cast(x, Dec(4, 2)) == "12.35, -12.35, 12.34, NULL");
  CHECK(Cast(x, Dec(10, 5)) == "12.34500, -12.34500, 12.34400, NULL");
  CHECK(Cast(x, Dec(3, 2)).find("value 12.345 is out of range for decimal128(3, 2)") !=
        std::string::npos);
  CHECK(Cast(x, Dec(3, 2), true) == "NULL, NULL, NULL, NULL");
  CHECK(Cast(x, kI64) == "12, -12, 12, NULL");
  CHECK(Cast(DecCol(Dec(3, 1), {"12.5", "-12.5", "0.4"}), kI8) == "13, -13, 0");
  CHECK(Cast(DecCol(Dec(4, 1), {"128.0"}), kI8).find("out of range for int8") != std::string::npos);
  CHECK(Cast(DecCol(Dec(3, 1), {"-0.5"}), DataType(TypeId::kUInt64)).find("out of range") !=
        std::string::npos);
  CHECK(Cast(x, kF64) == "12.345, -12.345, 12.344, NULL");
  CHECK(Cast(x, kUtf8) == "'12.345', '-12.345', '12.344', NULL");
  CHECK(Cast(DecCol(Dec(3, 2), {"-0.05", "0.00"}), kBool) == "true, false");
  // Integers and bools.
  CHECK(Cast(IntCol(kI64, {3, -4, std::nullopt}), Dec(10, 2)) == "3.00, -4.00, NULL");
  CHECK(Cast(IntCol(kI64, {123456}), Dec(5, 1)).find("value 123456 is out of range") !=
        std::string::npos);
  CHECK(Cast(Lit(Scalar::Bool(true), kBool), Dec(3, 1)) == "scalar 1.0");
  // Floats: x * 10^scale in double, rounded half away from zero.
  auto f = [](std::vector<double> v) {
    std::vector<Scalar> s;
    for (double d : v) s.push_back(Scalar::Double(d));
    return Datum::Own(qk::ScalarsToArray(s, kF64).value());
  };
  CHECK(Cast(f({1.5, 2.25, -2.25, 2.35, 1.005}), Dec(5, 2)) == "1.50, 2.25, -2.25, 2.35, 1.00");
  CHECK(Cast(f({2.25, -2.25}), Dec(3, 1)) == "2.3, -2.3");
  CHECK(Cast(f({0.1}), Dec(20, 19)) == "0.1000000000000000000");
  CHECK(Cast(f({std::nan("")}), Dec(5, 1)) == "error: cannot cast NaN to decimal128(5, 1)");
  CHECK(Cast(f({-INFINITY}), Dec(5, 1), true) == "NULL");
  CHECK(Cast(f({1e10}), Dec(5, 1)).find("out of range") != std::string::npos);
  // Text: DuckDB's forms, digits beyond the scale round.
  auto s = [](std::vector<std::string> v) {
    std::vector<Scalar> out;
    for (auto& t : v) out.push_back(Scalar::String(t));
    return Datum::Own(qk::ScalarsToArray(out, kUtf8).value());
  };
  CHECK(Cast(s({"1.5", " 1.5 ", "1.55", "+1.5", ".5", "5.", "-1.45", "1e2", "1.25e-1"}), Dec(6, 1)) ==
        "1.5, 1.5, 1.6, 1.5, 0.5, 5.0, -1.5, 100.0, 0.1");
  CHECK(Cast(s({"-0.05"}), Dec(3, 2)) == "-0.05");
  CHECK(Cast(s({"abc"}), Dec(5, 1)) == "error: cannot cast 'abc' to decimal128(5, 1)");
  CHECK(Cast(s({""}), Dec(5, 1)) == "error: cannot cast '' to decimal128(5, 1)");
  CHECK(Cast(s({"123456"}), Dec(5, 1)) == "error: value '123456' is out of range for decimal128(5, 1)");
  CHECK(Cast(s({"abc", "1,5", "2"}), Dec(5, 1), true) == "NULL, NULL, 2.0");
  // DuckDB's digit separators: one '_' between digits, not in the exponent.
  CHECK(Cast(s({"1_000.2_5", "123_5", "1__0", "_1", "1_", "1_.5", "1e1_0"}), Dec(10, 2), true) ==
        "1000.25, 1235.00, NULL, NULL, NULL, NULL, NULL");
  // Not every type converts.
  CHECK(Cast(Lit(Scalar::Date32(1), DataType(TypeId::kDate32)), Dec(5, 1)).find("not supported") !=
        std::string::npos);
}

TEST_CASE("decimals compare exactly across scales and with integers, as doubles with floats",
          "[kernels][decimal]") {
  Datum a = DecCol(Dec(12, 2), {"12.34", "1.25", "-0.05", "NULL", "3.00"});
  Datum b = DecCol(Dec(18, 4), {"12.3400", "1.2500", "-7.1234", "1.0000", "2.9999"});
  CHECK(Eval("=", {a, b}) == "true, true, false, NULL, false");
  CHECK(Eval(">", {a, b}) == "false, false, true, NULL, true");
  CHECK(Eval("=", {a, IntCol(kI64, {12, 1, 0, 1, 3})}) == "false, false, false, NULL, true");
  CHECK(Eval("<", {a, Lit(Scalar::Double(1.25), kF64)}) == "false, false, true, NULL, false");
  // Scaling the side of smaller scale up may leave 128 bits: still exact.
  Datum huge = DecCol(Dec(38, 0), {"99999999999999999999999999999999999999",
                                   "-99999999999999999999999999999999999999", "0"});
  Datum tiny = DecCol(Dec(38, 30), {"0.000000000000000000000000000001", "1", "-0.000000000000000000000000000001"});
  CHECK(Eval(">", {huge, tiny}) == "true, false, true");
  CHECK(Eval("<", {tiny, huge}) == "true, false, true");
  // greatest/least/coalesce take the common type of their arguments.
  DataType type;
  REQUIRE(Call("greatest", {a, b}, &type).ok());
  CHECK(type == Dec(18, 4));
  CHECK(Eval("greatest", {a, b}) == "12.3400, 1.2500, -0.0500, 1.0000, 3.0000");
  CHECK(Eval("least", {a, IntCol(kI64, {20, 0, -1, 4, 5})}) == "12.34, 0.00, -1.00, 4.00, 3.00");
  CHECK(Eval("coalesce", {a, Lit(DS("0.5", Dec(1, 1)), Dec(1, 1))}) ==
        "12.34, 1.25, -0.05, 0.50, 3.00");
  REQUIRE(Call("coalesce", {DecCol(Dec(38, 0), {"1"}), DecCol(Dec(38, 10), {"1"})}, &type).ok());
  CHECK(type == Dec(38, 0));  // DuckDB keeps the integer digits
  CHECK(Eval("nullif", {a, b}) == "NULL, NULL, -0.05, NULL, 3.00");
}

TEST_CASE("decimal arithmetic matches __int128 arithmetic on random rows", "[kernels][decimal]") {
  std::mt19937_64 rng(16);
  // 20 digits: no result is lowered to 18 digits (that would overflow).
  const DataType ta = Dec(20, 4), tb = Dec(10, 2);
  const int64_t n = 3000;
  std::vector<Scalar> va, vb;
  std::vector<std::optional<int128_t>> xa, xb;
  for (int64_t i = 0; i < n; ++i) {
    auto gen = [&](const DataType& t, std::vector<Scalar>* v, std::vector<std::optional<int128_t>>* x) {
      if (rng() % 11 == 0) {
        v->push_back(Scalar::Null());
        x->push_back(std::nullopt);
        return;
      }
      int128_t m = quiver::MaxDecimal128(rng() % 3 == 0 ? t.precision : 6);
      int128_t val = (int128_t(rng()) << 32 | int128_t(rng() >> 32)) % (m + 1);
      if (rng() % 2) val = -val;
      v->push_back(Scalar::Decimal(val, t.precision, t.scale));
      x->push_back(val);
    };
    gen(ta, &va, &xa);
    gen(tb, &vb, &xb);
  }
  Datum a = Datum::Own(qk::ScalarsToArray(va, ta).value());
  Datum b = Datum::Own(qk::ScalarsToArray(vb, tb).value());
  // scale 4 result from scale 4 and scale 2 operands (b * 100), or scale 6 for *.
  struct Case {
    const char* op;
    int128_t (*f)(int128_t, int128_t);
  };
  const Case cases[] = {{"+", [](int128_t x, int128_t y) { return x + y * 100; }},
                        {"-", [](int128_t x, int128_t y) { return x - y * 100; }},
                        {"*", [](int128_t x, int128_t y) { return x * y; }},
                        {"%", [](int128_t x, int128_t y) { return y == 0 ? int128_t(0) : x % (y * 100); }}};
  for (const Case& c : cases) {
    DataType type;
    auto r = Call(c.op, {a, b}, &type);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    for (int64_t i = 0; i < n; ++i) {
      INFO(c.op << " row " << i);
      Scalar got = qk::ValueAt(r->view, i);
      if (!xa[size_t(i)] || !xb[size_t(i)] || (c.op[0] == '%' && *xb[size_t(i)] == 0)) {
        CHECK(got.is_null());
        continue;
      }
      REQUIRE(got.kind() == Scalar::Kind::kDecimal);
      CHECK(quiver::FormatDecimal128(got.decimal_value(), type.scale) ==
            quiver::FormatDecimal128(c.f(*xa[size_t(i)], *xb[size_t(i)]), type.scale));
    }
  }
  // Against the scalar on either side too.
  auto r = Call("-", {Lit(Scalar::Decimal(5, 3, 2), Dec(3, 2)), a});
  REQUIRE(r.ok());
  for (int64_t i = 0; i < n; ++i) {
    Scalar got = qk::ValueAt(r->view, i);
    if (!xa[size_t(i)]) {
      CHECK(got.is_null());
    } else {
      CHECK(got.decimal_value() == 500 - *xa[size_t(i)]);
    }
  }
}
