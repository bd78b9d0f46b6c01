#include <catch2/catch.hpp>

#include "columnar/ipc_internal.h"
#include "columnar/schema.h"
#include "columnar_test_util.h"

using namespace quiver;

TEST_CASE("Schema survives the Arrow flatbuffer with field and schema metadata", "[columnar]") {
  auto schema = testing::AllTypesSchema();
  auto fb = SchemaToFlatbuffer(*schema);
  REQUIRE(fb.ok());
  auto back = SchemaFromFlatbuffer(reinterpret_cast<const uint8_t*>(fb->data()), int64_t(fb->size()));
  REQUIRE(back.ok());
  CHECK(SchemaEquals(*schema, **back));
  CHECK((*back)->field(4).metadata.at(0).value == "cents");
  CHECK((*back)->metadata().at(0).key == "source");
  CHECK((*back)->field(17).type.timezone == "America/New_York");
  CHECK((*back)->field(18).type.dict_id == 18);
  CHECK_FALSE((*back)->field(21).nullable);
}

TEST_CASE("Schema flatbuffer reader rejects damage and unsupported types by name", "[columnar]") {
  CHECK(SchemaFromFlatbuffer(reinterpret_cast<const uint8_t*>("garbage!garbage!"), 16).status().code() ==
        StatusCode::kCorruption);
  namespace fb = ipc_internal::fb;
  flatbuffers::FlatBufferBuilder fbb;
  auto field = fb::CreateField(fbb, fbb.CreateString("x"), true, fb::Type::LargeUtf8,
                               fb::CreateLargeUtf8(fbb).Union());
  fbb.Finish(fb::CreateSchema(fbb, fb::Endianness::Little, fbb.CreateVector(std::vector{field})));
  auto r = SchemaFromFlatbuffer(fbb.GetBufferPointer(), fbb.GetSize());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kNotSupported);
  CHECK(r.status().message() == "unsupported Arrow type LargeUtf8 in field 'x'");

  flatbuffers::FlatBufferBuilder big;
  big.Finish(fb::CreateSchema(big, fb::Endianness::Big));
  auto rb = SchemaFromFlatbuffer(big.GetBufferPointer(), big.GetSize());
  CHECK(rb.status().code() == StatusCode::kNotSupported);
  CHECK_THAT(rb.status().message(), Catch::Contains("big-endian"));
}

TEST_CASE("Schema JSON round-trips every type and rejects bad documents", "[columnar]") {
  auto schema = testing::AllTypesSchema();
  std::string json = SchemaToJson(*schema);
  auto back = SchemaFromJson(json);
  INFO(back.status().ToString());
  REQUIRE(back.ok());
  CHECK(SchemaEquals(*schema, **back));
  CHECK_THAT(json, Catch::Contains(R"({"name":"ts_ms","nullable":true,"timezone":"UTC","type":"timestamp","unit":"ms"})"));
  CHECK(SchemaFromJson("{").status().code() == StatusCode::kInvalidArgument);
  CHECK(SchemaFromJson(R"({"fields":[{"name":"a","type":"int128"}]})").status().message() ==
        "schema JSON field 0 ('a'): unknown type 'int128'");
  CHECK(SchemaFromJson(R"({"fields":[{"name":"a","type":"int8"},{"name":"a","type":"int8"}]})")
            .status()
            .message() == "duplicate field name 'a'");
  CHECK_FALSE(SchemaFromJson(R"({"fields":[{"name":"t","type":"timestamp"}]})").ok());
}

TEST_CASE("Datashape text is written and parsed with nullable markers", "[columnar]") {
  Schema s({{"id", DataType(TypeId::kInt64), false, {}},
            {"fare", DataType(TypeId::kFloat64), true, {}},
            {"vendor", DataType(TypeId::kUtf8), false, {}}});
  CHECK(SchemaToDatashape(s) == "var * {id: int64, fare: ?float64, vendor: string}");
  auto parsed = SchemaFromDatashape("var * {id: int64, fare: ?float64, vendor: string}");
  REQUIRE(parsed.ok());
  CHECK(SchemaEquals(s, **parsed));

  auto all = testing::AllTypesSchema();
  std::string text = SchemaToDatashape(*all);
  CHECK_THAT(text, Catch::Contains("ts_ns: ?timestamp[unit='ns', tz='America/New_York']"));
  CHECK_THAT(text, Catch::Contains("dict8: ?dict[string, int8]"));
  auto back = SchemaFromDatashape(text);
  REQUIRE(back.ok());
  CHECK(SchemaEquals(*all, **back, /*check_metadata=*/false));

  Schema odd({{"my col's", DataType(TypeId::kDate32), true, {}}});
  auto odd_back = SchemaFromDatashape(SchemaToDatashape(odd));
  REQUIRE(odd_back.ok());
  CHECK((*odd_back)->field(0).name == "my col's");

  CHECK(SchemaFromDatashape("var * {id int64}").status().message() ==
        "datashape: expected ':' after field 'id' at offset 10");
  CHECK_FALSE(SchemaFromDatashape("{a: float128}").ok());
}

TEST_CASE("Type names parse in both ToString and datashape spellings", "[columnar]") {
  CHECK(ParseTypeName("timestamp[ms, tz=UTC]").value() == DataType::Timestamp(TimeUnit::kMilli, "UTC"));
  CHECK(ParseTypeName("dictionary<int16, utf8>").value() == DataType::Dictionary(TypeId::kInt16));
  CHECK(ParseTypeName("string").value() == DataType(TypeId::kUtf8));
  CHECK(ParseTypeName("dict[binary, int8]").status().code() == StatusCode::kNotSupported);
}
