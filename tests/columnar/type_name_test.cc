// Type names of --schema, the JSON schema and datashape: Arrow's and
// DuckDB's spellings (columnar/type_name.cc).
#include <catch2/catch.hpp>

#include "columnar/schema.h"
#include "columnar/schema_spec.h"

using namespace quiver;

namespace {

DataType T(const char* name) {
  auto t = ParseTypeName(name);
  INFO(name << ": " << t.status().message());
  REQUIRE(t.ok());
  return *t;
}

}  // namespace

TEST_CASE("Bare timestamp means microseconds in UTC, and DuckDB's timestamp names their units", "[columnar]") {
  CHECK(T("timestamp") == DataType::Timestamp(TimeUnit::kMicro, "UTC"));
  CHECK(T("TIMESTAMP") == DataType::Timestamp(TimeUnit::kMicro, "UTC"));
  CHECK(T("timestamptz") == DataType::Timestamp(TimeUnit::kMicro, "UTC"));
  CHECK(T("timestamp with time zone") == DataType::Timestamp(TimeUnit::kMicro, "UTC"));
  CHECK(T("timestamp_s") == DataType::Timestamp(TimeUnit::kSecond, "UTC"));
  CHECK(T("TIMESTAMP_MS") == DataType::Timestamp(TimeUnit::kMilli, "UTC"));
  CHECK(T("timestamp_ns") == DataType::Timestamp(TimeUnit::kNano, "UTC"));
  // The explicit forms keep their meaning (no zone unless given).
  CHECK(T("timestamp[ms]") == DataType::Timestamp(TimeUnit::kMilli));
  CHECK(T("timestamp(us, tz=Europe/Paris)") == DataType::Timestamp(TimeUnit::kMicro, "Europe/Paris"));
}

TEST_CASE("DuckDB and Arrow type names are accepted in any case", "[columnar]") {
  const std::pair<const char*, TypeId> cases[] = {
      {"bigint", TypeId::kInt64},     {"BIGINT", TypeId::kInt64},    {"int64", TypeId::kInt64},
      {"long", TypeId::kInt64},       {"integer", TypeId::kInt32},   {"INT", TypeId::kInt32},
      {"int4", TypeId::kInt32},       {"int32", TypeId::kInt32},     {"smallint", TypeId::kInt16},
      {"int2", TypeId::kInt16},       {"tinyint", TypeId::kInt8},    {"int1", TypeId::kInt8},
      {"ubigint", TypeId::kUInt64},   {"UINTEGER", TypeId::kUInt32}, {"usmallint", TypeId::kUInt16},
      {"utinyint", TypeId::kUInt8},   {"double", TypeId::kFloat64},  {"float8", TypeId::kFloat64},
      {"DOUBLE PRECISION", TypeId::kFloat64}, {"float64", TypeId::kFloat64},
      {"real", TypeId::kFloat32},     {"float", TypeId::kFloat32},   {"float4", TypeId::kFloat32},
      {"varchar", TypeId::kUtf8},     {"VARCHAR(20)", TypeId::kUtf8}, {"string", TypeId::kUtf8},
      {"text", TypeId::kUtf8},        {"utf8", TypeId::kUtf8},       {"blob", TypeId::kBinary},
      {"bytea", TypeId::kBinary},     {"binary", TypeId::kBinary},   {"boolean", TypeId::kBool},
      {"BOOL", TypeId::kBool},        {"date", TypeId::kDate32},     {"DATE32", TypeId::kDate32},
  };
  for (const auto& [name, id] : cases) {
    INFO(name);
    CHECK(T(name) == DataType(id));
  }
  // The one name with two meanings: Arrow's wins (README "Types").
  CHECK(T("int8") == DataType(TypeId::kInt8));
  CHECK(T("INT8") == DataType(TypeId::kInt8));
  CHECK(ParseTypeName("hugeint").status().message() == "unknown type 'hugeint'");
}

TEST_CASE("Decimal type names take precision and scale and refuse impossible ones", "[columnar]") {
  CHECK(T("decimal(12,2)") == DataType::Decimal(12, 2));
  CHECK(T("DECIMAL(12, 2)") == DataType::Decimal(12, 2));
  CHECK(T("numeric(38,10)") == DataType::Decimal(38, 10));
  CHECK(T("decimal") == DataType::Decimal(18, 3));  // DuckDB's default
  CHECK(T("decimal(5)") == DataType::Decimal(5, 0));
  CHECK(T("decimal128(12, 2)") == DataType::Decimal(12, 2));
  CHECK(T("decimal(40,2)").id == TypeId::kDecimal256);
  DataType d256 = T("decimal256(20, 4)");
  CHECK(d256.id == TypeId::kDecimal256);
  CHECK(d256.ToString() == "decimal256(20, 4)");
  CHECK(DataType::Decimal(12, 2).ToString() == "decimal128(12, 2)");
  CHECK(ParseTypeName("decimal(0,0)").status().message() == "decimal precision 0 out of range 1..76 in 'decimal(0,0)'");
  CHECK(ParseTypeName("decimal128(39,0)").status().message() ==
        "decimal precision 39 out of range 1..38 in 'decimal128(39,0)'");
  CHECK(ParseTypeName("decimal(4,5)").status().message() ==
        "decimal scale 5 is larger than its precision 4 in 'decimal(4,5)'");
  CHECK_FALSE(ParseTypeName("decimal(a,2)").ok());
}

TEST_CASE("A --schema with DuckDB spellings and decimals round-trips through every schema form", "[columnar]") {
  auto fields = ParseSchemaSpec("id:BIGINT, price:decimal(12,2), big:decimal(50,5), at:timestamp, name:VARCHAR");
  REQUIRE(fields.ok());
  Schema schema(*fields);
  CHECK(schema.field(0).type == DataType(TypeId::kInt64));
  CHECK(schema.field(1).type == DataType::Decimal(12, 2));
  CHECK(schema.field(2).type == DataType::Decimal(50, 5));
  CHECK(schema.field(3).type == DataType::Timestamp(TimeUnit::kMicro, "UTC"));
  CHECK(SchemaToSpec(schema) ==
        "id:int64,price:decimal128(12, 2),big:decimal256(50, 5),at:timestamp[us, tz=UTC],name:utf8");
  auto spec_back = ParseSchemaSpec(SchemaToSpec(schema));
  REQUIRE(spec_back.ok());
  CHECK(SchemaEquals(Schema(*spec_back), schema));

  auto json_back = SchemaFromJson(SchemaToJson(schema));
  INFO(SchemaToJson(schema));
  REQUIRE(json_back.ok());
  CHECK(SchemaEquals(**json_back, schema));

  std::string ds = SchemaToDatashape(schema);
  CHECK_THAT(ds, Catch::Contains("price: ?decimal[12, 2]"));
  auto ds_back = SchemaFromDatashape(ds);
  INFO(ds);
  REQUIRE(ds_back.ok());
  CHECK(SchemaEquals(**ds_back, schema));

  auto fb = SchemaToFlatbuffer(schema);
  REQUIRE(fb.ok());
  auto fb_back = SchemaFromFlatbuffer(reinterpret_cast<const uint8_t*>(fb->data()), int64_t(fb->size()));
  REQUIRE(fb_back.ok());
  CHECK(SchemaEquals(**fb_back, schema));
}

TEST_CASE("Time, duration, date64, float16 and interval names parse and print back", "[columnar]") {
  CHECK(T("time32[ms]") == DataType::WithUnit(TypeId::kTime32, TimeUnit::kMilli));
  CHECK(T("time64[ns]") == DataType::WithUnit(TypeId::kTime64, TimeUnit::kNano));
  CHECK(T("TIME") == DataType::WithUnit(TypeId::kTime64, TimeUnit::kMicro));  // DuckDB's TIME
  CHECK(T("duration[s]") == DataType::WithUnit(TypeId::kDuration, TimeUnit::kSecond));
  CHECK_FALSE(T("duration[s]") == DataType::WithUnit(TypeId::kDuration, TimeUnit::kNano));
  CHECK(T("date64") == DataType(TypeId::kDate64));
  CHECK(T("halffloat") == DataType(TypeId::kFloat16));
  CHECK(T("interval[day_time]") == DataType(TypeId::kIntervalDayTime));
  CHECK(T("interval") == DataType(TypeId::kIntervalMonthDayNano));
  CHECK(ParseTypeName("time32[us]").status().message() == "'time32[us]': time32 takes s or ms, time64 us or ns");
  Schema schema(*ParseSchemaSpec("a:time32[s], b:duration[us], c:date64, d:float16, e:interval[year_month]"));
  for (auto* back : {&SchemaFromJson, &SchemaFromDatashape}) {
    std::string text = back == &SchemaFromJson ? SchemaToJson(schema) : SchemaToDatashape(schema);
    auto parsed = (*back)(text);
    INFO(text);
    REQUIRE(parsed.ok());
    CHECK(SchemaEquals(**parsed, schema));
  }
  auto fb = SchemaToFlatbuffer(schema);
  REQUIRE(fb.ok());
  auto fb_back = SchemaFromFlatbuffer(reinterpret_cast<const uint8_t*>(fb->data()), int64_t(fb->size()));
  REQUIRE(fb_back.ok());
  CHECK(SchemaEquals(**fb_back, schema));
}

TEST_CASE("fixed_size_binary, null and large string names parse and print back in every schema form", "[columnar]") {
  CHECK(T("fixed_size_binary[16]") == DataType::FixedSizeBinary(16));
  CHECK(T("BINARY(4)") == DataType::FixedSizeBinary(4));
  CHECK_FALSE(T("fixed_size_binary[4]") == DataType::FixedSizeBinary(5));
  CHECK(T("fixed_size_binary[16]").ToString() == "fixed_size_binary[16]");
  CHECK(ParseTypeName("fixed_size_binary[0]").status().message() ==
        "byte width 0 in 'fixed_size_binary[0]' (at least 1)");
  CHECK(T("null") == DataType(TypeId::kNull));
  CHECK(T("large_string").ToString() == "large_utf8");
  CHECK(T("large_binary").ToString() == "large_binary");
  CHECK(T("large_utf8").large_offsets);
  CHECK(T("large_utf8") == DataType(TypeId::kUtf8));  // the same values; only IPC output differs
  Schema schema(*ParseSchemaSpec("a:fixed_size_binary[3], b:null, c:large_utf8, d:large_binary, e:utf8"));
  auto flags = [](const Schema& s) {
    std::vector<bool> out;
    for (const Field& f : s.fields()) out.push_back(f.type.large_offsets);
    return out;
  };
  const std::vector<bool> want_flags{false, false, true, true, false};
  REQUIRE(flags(schema) == want_flags);
  auto json_back = SchemaFromJson(SchemaToJson(schema));
  REQUIRE(json_back.ok());
  CHECK(SchemaEquals(**json_back, schema));
  CHECK(flags(**json_back) == want_flags);
  auto ds_back = SchemaFromDatashape(SchemaToDatashape(schema));
  INFO(SchemaToDatashape(schema));
  REQUIRE(ds_back.ok());
  CHECK((*ds_back)->field(0).type == DataType::FixedSizeBinary(3));
  CHECK((*ds_back)->field(1).type == DataType(TypeId::kNull));
  // The catalog's form: utf8 / binary plus a marker that reading removes.
  auto fb = SchemaToFlatbuffer(schema);
  REQUIRE(fb.ok());
  auto fb_back = SchemaFromFlatbuffer(reinterpret_cast<const uint8_t*>(fb->data()), int64_t(fb->size()));
  REQUIRE(fb_back.ok());
  CHECK(SchemaEquals(**fb_back, schema, /*check_metadata=*/true));
  CHECK(flags(**fb_back) == want_flags);
}

TEST_CASE("Nested type names in Arrow's and DuckDB's spellings", "[columnar]") {
  auto text = [](const char* name) {
    auto t = quiver::ParseTypeName(name);
    return t.ok() ? t->ToString() : "error: " + t.status().message();
  };
  CHECK(text("list<int64>") == "list<item: int64>");
  CHECK(text("list<item: int32>") == "list<item: int32>");
  CHECK(text("large_list<element: utf8>") == "large_list<element: utf8>");
  CHECK(text("fixed_size_list<v: float64>[3]") == "fixed_size_list<v: float64>[3]");
  CHECK(text("struct<a: int32, b: utf8, c: list<item: int64>>") == "struct<a: int32, b: utf8, c: list<item: int64>>");
  CHECK(text("map<utf8, int32>") == "map<utf8, int32>");
  CHECK(text("map<varchar, list<double>>") == "map<utf8, list<item: float64>>");
  CHECK(text("INTEGER[]") == "list<item: int32>");
  CHECK(text("VARCHAR[][]") == "list<item: list<item: utf8>>");
  CHECK(text("DOUBLE[3]") == "fixed_size_list<item: float64>[3]");
  CHECK(text("timestamp[ms][]") == "list<item: timestamp[ms]>");
  CHECK(text("decimal(10, 2)[]") == "list<item: decimal128(10, 2)>");
  CHECK(text("STRUCT(a INTEGER, \"b c\" VARCHAR[], d STRUCT(e BIGINT))") ==
        "struct<a: int32, b c: list<item: utf8>, d: struct<e: int64>>");
  CHECK(text("MAP(VARCHAR, INTEGER)") == "map<utf8, int32>");
  // Brackets that hold parameters are not arrays.
  CHECK(text("timestamp[ms]") == "timestamp[ms]");
  CHECK(text("fixed_size_binary[16]") == "fixed_size_binary[16]");
  CHECK(text("dict[string, int32]") == "dictionary<int32, utf8>");
  // Every type's ToString reads back as itself.
  for (const char* name : {"list<item: int32>", "struct<a: int32, b: utf8>", "map<utf8, int32>",
                           "fixed_size_list<v: float64>[3]", "large_list<item: int16>"}) {
    auto t = quiver::ParseTypeName(name);
    REQUIRE(t.ok());
    CHECK(quiver::ParseTypeName(t->ToString())->ToString() == name);
  }
  CHECK_THAT(text("map<utf8>"), Catch::Contains("expected map<KEY, VALUE>"));
  CHECK_THAT(text("struct<a>"), Catch::Contains("needs a name and a type"));
  CHECK_THAT(text("list<int32, int64>"), Catch::Contains("expected list<TYPE>"));
  CHECK_THAT(text("list<nosuch>"), Catch::Contains("unknown type"));
  CHECK_THAT(text("list<dictionary<int32, utf8>>"), Catch::Contains("unsupported type"));
}

TEST_CASE("Bracketed parameters are not array sizes", "[columnar]") {
  auto text = [](const char* name) {
    auto t = quiver::ParseTypeName(name);
    return t.ok() ? t->ToString() : "error: " + t.status().message();
  };
  CHECK(text("decimal[12, 2]") == "decimal128(12, 2)");
  CHECK(text("decimal[12]") == "decimal128(12, 0)");
  CHECK(text("timestamp[unit='us', tz='UTC']") == "timestamp[us, tz=UTC]");
  CHECK(text("varchar[20]") == "utf8");
  CHECK(text("decimal[12, 2][]") == "list<item: decimal128(12, 2)>");
}
