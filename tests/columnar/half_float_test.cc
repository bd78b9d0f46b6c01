// float16 (columnar/half_float.h): conversions both ways at every edge, and
// float16 columns read from CSV and NDJSON text.
#include "columnar/half_float.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "columnar/csv.h"
#include "columnar/ndjson.h"
#include "columnar/schema_spec.h"

using namespace quiver;

TEST_CASE("float16 conversions round to nearest, ties to even, at every edge", "[columnar]") {
  // Exact values.
  CHECK(FloatToHalf(1.0) == 0x3c00);
  CHECK(FloatToHalf(-2.0) == 0xc000);
  CHECK(FloatToHalf(65504.0) == 0x7bff);
  CHECK(FloatToHalf(0.0) == 0x0000);
  CHECK(FloatToHalf(-0.0) == 0x8000);
  CHECK(FloatToHalf(std::ldexp(1.0, -14)) == 0x0400);  // smallest normal
  CHECK(FloatToHalf(std::ldexp(1.0, -24)) == 0x0001);  // smallest subnormal
  CHECK(FloatToHalf(std::ldexp(1023.0, -24)) == 0x03ff);  // largest subnormal
  // Ties to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10.
  CHECK(FloatToHalf(1.0 + std::ldexp(1.0, -11)) == 0x3c00);
  CHECK(FloatToHalf(1.0 + 3 * std::ldexp(1.0, -11)) == 0x3c02);
  CHECK(FloatToHalf(std::ldexp(1.0, -25)) == 0x0000);      // half the smallest subnormal: to even (0)
  CHECK(FloatToHalf(std::ldexp(3.0, -25)) == 0x0002);      // 1.5 subnormal units: to even (2)
  CHECK(FloatToHalf(std::ldexp(2047.0, -25)) == 0x0400);   // rounds up into the normals
  CHECK(FloatToHalf(2047.0) == 0x67ff);                    // 11 bits: exact
  CHECK(FloatToHalf(4095.0) == 0x6c00);                    // 4095 -> 4096 (even), a binade up
  // Overflow: 65519.99 rounds to 65504, 65520 (the halfway point) to infinity.
  CHECK(FloatToHalf(65519.99) == 0x7bff);
  CHECK(FloatToHalf(65520.0) == 0x7c00);
  CHECK(FloatToHalf(-1e9) == 0xfc00);
  CHECK(FloatToHalf(std::numeric_limits<double>::infinity()) == 0x7c00);
  CHECK(std::isnan(HalfToFloat(FloatToHalf(std::nan("")))));
  CHECK(FitsHalf(65519.0));
  CHECK_FALSE(FitsHalf(65520.0));
  CHECK_FALSE(FitsHalf(-70000.0));
  CHECK(FitsHalf(std::numeric_limits<double>::infinity()));  // infinity is a float16 value
  // Every float16 value survives float -> half -> float.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = HalfToFloat(uint16_t(h));
    if (std::isnan(f)) continue;
    INFO(h);
    REQUIRE(FloatToHalf(f) == h);
  }
}

TEST_CASE("float16 columns read from CSV and NDJSON, out-of-range values refused", "[columnar]") {
  CsvOptions o;
  o.source_name = "h.csv";
  o.overrides = *ParseSchemaSpec("h:float16");
  auto t = ReadCsv("id,h\n1,1.5\n2,-0.1\n3,\n4,65504\n", o);
  INFO(t.status().message());
  REQUIRE(t.ok());
  REQUIRE(t->schema->field(1).type.id == TypeId::kFloat16);
  REQUIRE(t->batches.size() == 1);
  const ArrayView v = t->batches[0].columns[1]->View();
  REQUIRE(v.length == 4);
  CHECK(v.Value<uint16_t>(0) == 0x3e00);
  CHECK(v.Value<uint16_t>(1) == FloatToHalf(-0.1));
  CHECK(v.IsNull(2));
  CHECK(v.Value<uint16_t>(3) == 0x7bff);
  auto bad = ReadCsv("h\n1\n70000\n", o);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("h.csv:3") != std::string::npos);
  CHECK(bad.status().message().find("out of range for float16") != std::string::npos);

  NdjsonOptions n;
  n.source_name = "h.ndjson";
  n.overrides = *ParseSchemaSpec("h:float16");
  auto j = ReadNdjson("{\"h\": 2.5}\n{\"h\": null}\n{\"h\": -3}\n", n);
  INFO(j.status().message());
  REQUIRE(j.ok());
  const ArrayView w = j->batches[0].columns[0]->View();
  CHECK(w.Value<uint16_t>(0) == 0x4100);
  CHECK(w.IsNull(1));
  CHECK(w.Value<uint16_t>(2) == 0xc200);
  auto jbad = ReadNdjson("{\"h\": 1e6}\n", n);
  REQUIRE_FALSE(jbad.ok());
  CHECK(jbad.status().message().find("out of range for float16") != std::string::npos);
}
