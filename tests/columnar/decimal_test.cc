// Exact decimal parsing, printing and ordering (columnar/decimal.h).
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "columnar/decimal.h"

using namespace quiver;

TEST_CASE("Decimal text parses exactly at the column's scale", "[columnar]") {
  CHECK(ParseDecimal128("12.5", 12, 2).value() == 1250);
  CHECK(ParseDecimal128("-0.05", 12, 2).value() == -5);
  CHECK(ParseDecimal128("+7", 5, 0).value() == 7);
  CHECK(ParseDecimal128("12.500", 12, 2).value() == 1250);  // trailing zeros are exact
  CHECK(ParseDecimal128("1.5e2", 12, 2).value() == 15000);
  CHECK(ParseDecimal128(".25", 4, 2).value() == 25);
  CHECK(ParseDecimal128("9999999999.99", 12, 2).value() == 999999999999);
  CHECK(ParseDecimal128("99999999999999999999999999999999999999", 38, 0).value() == MaxDecimal128(38));
  CHECK(ParseDecimal128("12.501", 12, 2).status().message() ==
        "'12.501' has more than 2 digits after the point (decimal(12, 2) does not round)");
  CHECK(ParseDecimal128("10000000000", 12, 2).status().message() ==
        "'10000000000' is out of range for decimal(12, 2) (at most 10 digits before the point)");
  CHECK(ParseDecimal128("1e40", 38, 0).status().message() ==
        "'1e40' is out of range for decimal(38, 0) (at most 38 digits before the point)");
  for (const char* bad : {"", "-", "1.2.3", "abc", "1e", "12 3", "0x10", "nan"}) {
    INFO(bad);
    CHECK(ParseDecimal128(bad, 12, 2).status().message() == "'" + std::string(bad) + "' is not a decimal number");
  }
}

TEST_CASE("Decimals print every digit and read back", "[columnar]") {
  CHECK(FormatDecimal128(1250, 2) == "12.50");
  CHECK(FormatDecimal128(-5, 2) == "-0.05");
  CHECK(FormatDecimal128(0, 3) == "0.000");
  CHECK(FormatDecimal128(7, 0) == "7");
  CHECK(FormatDecimal128(-MaxDecimal128(38), 38) == "-0.99999999999999999999999999999999999999");
  std::mt19937_64 rng(16);
  for (int i = 0; i < 2000; ++i) {
    int scale = int(rng() % 39);
    int128_t v = (int128_t(int64_t(rng())) << 64 | int128_t(rng())) % Pow10Int128(38);
    std::string text = FormatDecimal128(v, scale);
    INFO(text);
    REQUIRE(ParseDecimal128(text, 38, scale).value() == v);
  }
  // decimal256: 76 digits and negative values.
  uint8_t bytes[32];
  std::string big = "-1234567890123456789012345678901234567890123456789012345678901234567.890123456";
  REQUIRE(ParseDecimal256(big, 76, 9, bytes).ok());
  CHECK(FormatDecimal256(bytes, 9) == big);
  REQUIRE(ParseDecimal256("0.5", 10, 3, bytes).ok());
  CHECK(FormatDecimal256(bytes, 3) == "0.500");
  CHECK_FALSE(ParseDecimal256("1e80", 76, 0, bytes).ok());
}

TEST_CASE("Decimal literal bounds bracket inexact literals and sort keys order like the numbers", "[columnar]") {
  auto b = DecimalLiteralBounds("10.555", 2).value();
  CHECK((b.lo == 1055 && b.hi == 1056));
  b = DecimalLiteralBounds("-10.555", 2).value();
  CHECK((b.lo == -1056 && b.hi == -1055));
  b = DecimalLiteralBounds("10.5", 2).value();
  CHECK((b.exact() && b.lo == 1050));
  b = DecimalLiteralBounds("1e50", 2).value();
  CHECK(b.lo == Pow10Int128(38));
  CHECK(ShortestDouble(0.1) == "0.1");

  std::vector<int128_t> values = {0, 1, -1, 1250, -1250, MaxDecimal128(38), -MaxDecimal128(38), 255, 256, -256};
  std::vector<std::string> keys;
  for (int128_t v : values) {
    uint8_t le[16];
    StoreDecimal128(le, v);
    keys.push_back(DecimalSortKey(le, 16));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < values.size(); ++j) {
      CHECK((values[i] < values[j]) == (keys[i] < keys[j]));
    }
  }
}
