#include "columnar/ndjson.h"

#include <catch2/catch.hpp>

#include "columnar/schema.h"
#include "columnar/schema_spec.h"
#include "text_test_util.h"

using quiver::ColumnViews;
using quiver::DataType;
using quiver::Field;
using quiver::Schema;
using quiver::NdjsonOptions;
using quiver::ReadNdjson;
using quiver::TimeUnit;
using quiver::TypeId;
using quiver::testing::ColumnTexts;
using quiver::testing::Texts;

namespace {

NdjsonOptions Opts(int threads = 1) {
  NdjsonOptions o;
  o.source_name = "t.ndjson";
  o.num_threads = threads;
  return o;
}

quiver::TextTable MustRead(const std::string& text, const NdjsonOptions& o = Opts()) {
  auto r = ReadNdjson(text, o);
  INFO(r.status().message());
  REQUIRE(r.ok());
  return std::move(*r);
}

std::string ErrorOf(const std::string& text, const NdjsonOptions& o = Opts()) {
  auto r = ReadNdjson(text, o);
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

}  // namespace

TEST_CASE("NDJSON keys in any order, missing keys are null, columns in first-seen order", "[columnar][ndjson]") {
  std::string text =
      "\xEF\xBB\xBF{\"id\": 1, \"name\": \"a\"}\r\n"
      "{\"name\": \"b\", \"id\": 2, \"score\": 1.5}\n"
      "\n"
      "{\"id\": 3}\n"
      "{\"score\": 2, \"ok\": true, \"id\": null}";
  auto t = MustRead(text);
  REQUIRE(t.schema->num_fields() == 4);
  CHECK(t.schema->field(0).name == "id");
  CHECK(t.schema->field(1).name == "name");
  CHECK(t.schema->field(2).name == "score");
  CHECK(t.schema->field(3).name == "ok");
  CHECK(t.schema->field(0).type == DataType(TypeId::kInt64));
  CHECK(t.schema->field(1).type == DataType(TypeId::kUtf8));
  CHECK(t.schema->field(2).type == DataType(TypeId::kFloat64));
  CHECK(t.schema->field(3).type == DataType(TypeId::kBool));
  CHECK(ColumnTexts(t, 0) == Texts{"1", "2", "3", "null"});
  CHECK(ColumnTexts(t, 1) == Texts{"a", "b", "null", "null"});
  CHECK(ColumnTexts(t, 2) == Texts{"null", "1.5", "null", "2"});
  CHECK(ColumnTexts(t, 3) == Texts{"null", "null", "null", "true"});
}

TEST_CASE("NDJSON inference: strings stay strings, dates and timestamps, big integers and mixes are text",
          "[columnar][ndjson]") {
  std::string text =
      "{\"zip\": \"007\", \"n\": \"12\", \"d\": \"2024-01-02\", \"ts\": \"2024-01-02T03:04:05Z\", "
      "\"big\": 123456789012345678901, \"u\": 18446744073709551615, \"mix\": 1, \"e\": \"x\\u00e9\\n\"}\n"
      "{\"zip\": \"010\", \"n\": \"13\", \"d\": \"1970-01-01\", \"ts\": \"2024-01-02 03:04:06\", "
      "\"big\": 1, \"u\": 1, \"mix\": \"one\", \"e\": \"\"}\n";
  auto t = MustRead(text);
  const auto& f = t.schema->fields();
  CHECK(f[0].type == DataType(TypeId::kUtf8));
  CHECK(f[1].type == DataType(TypeId::kUtf8));
  CHECK(f[2].type == DataType(TypeId::kDate32));
  CHECK(f[3].type == DataType::Timestamp(TimeUnit::kMicro, "UTC"));
  CHECK(f[4].type == DataType(TypeId::kUtf8));
  CHECK(f[5].type == DataType(TypeId::kUtf8));
  CHECK(f[6].type == DataType(TypeId::kUtf8));
  CHECK(ColumnTexts(t, 0) == Texts{"007", "010"});
  CHECK(ColumnTexts(t, 2) == Texts{"19724", "0"});
  CHECK(ColumnTexts(t, 3) == Texts{"1704164645000000", "1704164646000000"});
  CHECK(ColumnTexts(t, 4) == Texts{"123456789012345678901", "1"});
  CHECK(ColumnTexts(t, 5) == Texts{"18446744073709551615", "1"});
  CHECK(ColumnTexts(t, 6) == Texts{"1", "one"});
  CHECK(ColumnTexts(t, 7) == Texts{"x\xc3\xa9\n", ""});
}

TEST_CASE("NDJSON: arrays and objects become list, struct and map columns", "[columnar][ndjson]") {
  // Inferred: arrays as lists, objects as structs (keys in first-seen
  // order), a column mixing shapes as utf8 JSON text.
  auto t = MustRead("{\"a\": [1, 2], \"b\": {\"x\": 1, \"y\": [\"p\"]}, \"c\": [1]}\n"
                    "{\"a\": [], \"b\": {\"z\": true}, \"c\": \"s\"}\n{\"a\": null, \"b\": null, \"c\": {\"k\": [null, 2.5]}}\n");
  CHECK(t.schema->field(0).type.ToString() == "list<item: int64>");
  CHECK(t.schema->field(1).type.ToString() == "struct<x: int64, y: list<item: utf8>, z: bool>");
  CHECK(t.schema->field(2).type.ToString() == "utf8");
  CHECK(ColumnTexts(t, 2) == Texts{"[1]", "s", "{\"k\":[null,2.5]}"});
  ColumnViews v(t.batches[0]);
  CHECK(v[0].offsets[0] == 0);
  CHECK(v[0].offsets[1] == 2);
  CHECK(v[0].offsets[2] == 2);
  CHECK(v[0].IsNull(2));
  CHECK(v[0].children[0].Value<int64_t>(1) == 2);
  CHECK(v[1].IsValid(1));
  CHECK(v[1].children[0].IsNull(1));  // no "x" in row 2
  CHECK(v[1].children[2].BoolValue(1));
  CHECK(v[1].IsNull(2));

  // With a schema: a map, a fixed-size list; values that do not fit are
  // errors naming the path inside the value.
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"m", DataType::Map(DataType(TypeId::kUtf8), DataType(TypeId::kInt32)), true, {}},
      {"f", DataType::FixedSizeList(Field{"v", DataType(TypeId::kFloat64), true, {}}, 2), true, {}},
      {"s", DataType::Struct({Field{"n", DataType(TypeId::kInt32), true, {}}}), true, {}}});
  auto o = Opts();
  o.schema = schema;
  auto m = MustRead("{\"m\": {\"a\": 1, \"b\": null}, \"f\": [1, 2.5]}\n{\"m\": {}, \"f\": null}\n", o);
  ColumnViews mv(m.batches[0]);
  CHECK(mv[0].offsets[1] == 2);
  CHECK(mv[0].children[0].children[0].StringValue(1) == "b");
  CHECK(mv[0].children[0].children[1].IsNull(1));
  CHECK(mv[1].children[0].Value<double>(1) == 2.5);
  CHECK(mv[1].IsNull(1));
  CHECK(mv[2].IsNull(0));  // a missing key
  CHECK(ErrorOf("{\"f\": [1, 2, 3]}\n", o).find("t.ndjson:1: key \"f\" (column 2), byte 0: JSON array of 3 items is not a "
                                                 "fixed_size_list<v: float64>[2]") == 0);
  CHECK(ErrorOf("{\"s\": {\"n\": \"x\"}}\n", o).find(".n: JSON string \"x\" is not a valid int32") != std::string::npos);
  CHECK(ErrorOf("{\"s\": {\"q\": 1}}\n", o).find("key \"q\" is not a member of struct<n: int32>") != std::string::npos);
  CHECK(ErrorOf("{\"m\": [1]}\n", o).find("JSON array is not a map<utf8, int32> (expected a JSON object)") !=
        std::string::npos);
  CHECK(ErrorOf("{\"m\": {\"a\": [[[[1]]]]}}\n", o).find("[\"a\"]: JSON array is not a valid int32") != std::string::npos);
}

TEST_CASE("NDJSON: a line that is not one object is rejected naming the line", "[columnar][ndjson]") {
  CHECK(ErrorOf("[1, 2]\n").find("t.ndjson:1: the line is a JSON array") == 0);
  CHECK(ErrorOf("{\"a\": 1}\n5\n").find("t.ndjson:2: the line is not a JSON object") == 0);
}

TEST_CASE("NDJSON: a contradicting value, an unknown key, a duplicate key and bad JSON name the line",
          "[columnar][ndjson]") {
  auto o = Opts();
  o.sample_rows = 2;
  std::string e = ErrorOf("{\"a\": 1}\n{\"a\": 2}\n{\"a\": \"x\"}\n", o);
  CHECK(e.find("t.ndjson:3: key \"a\" (column 1), byte 18: JSON string \"x\" is not a valid int64 "
               "(the column's type was inferred from the first 2 lines") == 0);
  auto o1 = Opts();
  o1.sample_rows = 1;
  CHECK(ErrorOf("{\"a\": 1}\n{\"a\": 1.5}\n", o1).find("t.ndjson:2: key \"a\" (column 1), byte 9: JSON number 1.5 is not a valid int64") == 0);
  CHECK(ErrorOf("{\"a\": 1}\n{\"a\": 2}\n{\"b\": 3}\n", o)
            .find("t.ndjson:3: key \"b\" is not a column of the table (the columns are the keys of the first 2 lines") == 0);
  CHECK(ErrorOf("{\"a\": 1, \"a\": 2}\n").find("t.ndjson:1: key \"a\" appears twice") == 0);
  std::string bad = ErrorOf("{\"a\": 1}\n{\"a\": tru}\n");
  CHECK(bad.find("t.ndjson:2: parse error") == 0);
  CHECK(ErrorOf("{\"a\": \"\xff\"}\n").find("t.ndjson:1: parse error") == 0);  // invalid UTF-8
}

TEST_CASE("NDJSON with a schema converts values and checks ranges", "[columnar][ndjson]") {
  auto o = Opts();
  o.schema = std::make_shared<quiver::Schema>(*quiver::ParseSchemaSpec(
      "i8:int8, f:float32, s:utf8, d:date32, ts:timestamp[ms, tz=UTC], c:dictionary<int32, utf8>"));
  auto t = MustRead("{\"i8\": -128, \"f\": 2, \"s\": 12, \"d\": \"2000-03-01\", \"ts\": \"1970-01-01T00:00:01.5+00:00\", \"c\": \"k\"}\n"
                    "{\"s\": true, \"c\": \"k\"}\n",
                    o);
  CHECK(ColumnTexts(t, 0) == Texts{"-128", "null"});
  CHECK(ColumnTexts(t, 1) == Texts{"2", "null"});
  CHECK(ColumnTexts(t, 2) == Texts{"12", "true"});  // JSON text of non-strings
  CHECK(ColumnTexts(t, 3) == Texts{"11017", "null"});
  CHECK(ColumnTexts(t, 4) == Texts{"1500", "null"});
  CHECK(ColumnTexts(t, 5) == Texts{"k", "k"});
  CHECK(ErrorOf("{\"i8\": 128}\n", o).find("t.ndjson:1: key \"i8\" (column 1), byte 0: JSON integer 128 is not a valid int8 (out of range)") == 0);
}

TEST_CASE("NDJSON: empty input, skip mode, parallel parsing", "[columnar][ndjson]") {
  CHECK(ErrorOf("").find("t.ndjson:1: the input is empty: no JSON object to name the columns") == 0);
  CHECK(ErrorOf("{}\n").find("t.ndjson:1: no keys in the first lines") == 0);
  auto eo = Opts();
  eo.schema = std::make_shared<quiver::Schema>(*quiver::ParseSchemaSpec("a:int64"));
  auto e = MustRead("", eo);
  CHECK(e.schema->num_fields() == 1);
  CHECK(e.num_rows() == 0);

  auto o = Opts();
  o.on_error = quiver::OnError::kSkip;
  o.schema = std::make_shared<quiver::Schema>(*quiver::ParseSchemaSpec("a:int64"));
  auto s = MustRead("{\"a\": 1}\n{\"a\": {}}\n{\"a\": \"x\"}\r\n{\"a\": 4}\n", o);  // {} is no int64
  CHECK(ColumnTexts(s, 0) == Texts{"1", "4"});
  REQUIRE(s.rejected.size() == 2);
  CHECK(s.rejected[0].line == 2);
  CHECK(s.rejected[0].raw == "{\"a\": {}}");
  CHECK(s.rejected[1].line == 3);
  CHECK(s.rejected[1].raw == "{\"a\": \"x\"}");

  std::string big;
  for (int i = 0; i < 3000; ++i) big += "{\"i\": " + std::to_string(i) + ", \"s\": \"v" + std::to_string(i % 5) + "\"}\n";
  auto o1 = Opts(1);
  o1.batch_rows = 100;
  o1.sample_rows = 100;
  auto o3 = o1;
  o3.num_threads = 3;
  auto t1 = MustRead(big, o1);
  auto t3 = MustRead(big, o3);
  CHECK(t1.num_rows() == 3000);
  CHECK(t3.batches.size() == 30);
  CHECK(t1.schema->field(1).type == DataType::Dictionary(TypeId::kInt32));
  CHECK(ColumnTexts(t1, 0) == ColumnTexts(t3, 0));
  CHECK(ColumnTexts(t1, 1) == ColumnTexts(t3, 1));
  CHECK(ColumnTexts(t3, 0)[2999] == "2999");
}
