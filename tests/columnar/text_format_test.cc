#include "columnar/text_format.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "columnar/schema.h"
#include "columnar_test_util.h"
#include "text_render_util.h"

using namespace quiver;

namespace {

std::shared_ptr<const Schema> MakeSchema(std::vector<std::pair<std::string, DataType>> cols) {
  std::vector<Field> f;
  for (auto& [name, type] : cols) f.push_back({name, type, true, {}});
  return std::make_shared<Schema>(std::move(f));
}

using quiver::testing::Render;

// A one-column batch built by `fill`.
template <typename F>
RecordBatch OneColumn(const std::string& name, DataType type, F fill) {
  auto schema = MakeSchema({{name, type}});
  RecordBatchBuilder b(schema);
  fill(b.column(0));
  return b.Finish().value();
}

// A two-column (id int64, v) batch built from a list of optional cells.
RecordBatch Strings(std::vector<std::optional<std::string>> values, DataType type = DataType(TypeId::kUtf8)) {
  auto schema = MakeSchema({{"v", type}});
  RecordBatchBuilder b(schema);
  for (auto& v : values) {
    if (v) {
      b.column(0).AppendString(*v);
    } else {
      b.column(0).AppendNull();
    }
  }
  return b.Finish().value();
}

}  // namespace

TEST_CASE("JSON renders every type, nulls and the trailer", "[columnar]") {
  auto schema = MakeSchema({{"b", DataType(TypeId::kBool)},
                            {"i8", DataType(TypeId::kInt8)},
                            {"u32", DataType(TypeId::kUInt32)},
                            {"f64", DataType(TypeId::kFloat64)},
                            {"s", DataType(TypeId::kUtf8)},
                            {"bin", DataType(TypeId::kBinary)},
                            {"d", DataType(TypeId::kDate32)},
                            {"ts", DataType::Timestamp(TimeUnit::kMilli, "UTC")},
                            {"dict", DataType::Dictionary(TypeId::kInt8)}});
  RecordBatchBuilder b(schema);
  b.column(0).AppendBool(true);
  b.column(1).AppendInt(-128);
  b.column(2).AppendUInt(4294967295u);
  b.column(3).AppendDouble(2.5);
  b.column(4).AppendString("caf\xc3\xa9");
  b.column(5).AppendString(std::string("\x00\xff\x10", 3));
  b.column(6).AppendInt(19675);
  b.column(7).AppendInt(1700000000123);
  b.column(8).AppendString("red");
  for (size_t c = 0; c < b.num_columns(); ++c) b.column(c).AppendNull();
  b.column(0).AppendBool(false);
  b.column(1).AppendInt(7);
  b.column(2).AppendUInt(0);
  b.column(3).AppendDouble(-1);
  b.column(4).AppendString("");
  b.column(5).AppendString("");
  b.column(6).AppendInt(-1);
  b.column(7).AppendInt(-1);
  b.column(8).AppendString("blue");
  RecordBatch batch = b.Finish().value();

  ResultTrailer t;
  t.truncated = true;
  t.elapsed_ms = 1.25;
  t.extra = {{"stats", "{\"chunks\":1}"}};
  CHECK(Render(ResultFormat::kJson, *schema, {batch}, {}, t) ==
        "{\"columns\":[{\"name\":\"b\",\"type\":\"bool\"},{\"name\":\"i8\",\"type\":\"int8\"},"
        "{\"name\":\"u32\",\"type\":\"uint32\"},{\"name\":\"f64\",\"type\":\"float64\"},"
        "{\"name\":\"s\",\"type\":\"utf8\"},{\"name\":\"bin\",\"type\":\"binary\"},"
        "{\"name\":\"d\",\"type\":\"date32\"},{\"name\":\"ts\",\"type\":\"timestamp[ms, tz=UTC]\"},"
        "{\"name\":\"dict\",\"type\":\"utf8\"}],\"rows\":[\n"
        "[true,-128,4294967295,2.5,\"caf\xc3\xa9\",\"AP8Q\",\"2023-11-14\",\"2023-11-14T22:13:20.123Z\",\"red\"],\n"
        "[null,null,null,null,null,null,null,null,null],\n"
        "[false,7,0,-1.0,\"\",\"\",\"1969-12-31\",\"1969-12-31T23:59:59.999Z\",\"blue\"]\n"
        "],\"row_count\":3,\"truncated\":true,\"elapsed_ms\":1.250,\"stats\":{\"chunks\":1}}\n");

  TextFormatOptions records;
  records.records = true;
  CHECK(Render(ResultFormat::kJson, *schema, {batch}, records) ==
        "{\"columns\":[{\"name\":\"b\",\"type\":\"bool\"},{\"name\":\"i8\",\"type\":\"int8\"},"
        "{\"name\":\"u32\",\"type\":\"uint32\"},{\"name\":\"f64\",\"type\":\"float64\"},"
        "{\"name\":\"s\",\"type\":\"utf8\"},{\"name\":\"bin\",\"type\":\"binary\"},"
        "{\"name\":\"d\",\"type\":\"date32\"},{\"name\":\"ts\",\"type\":\"timestamp[ms, tz=UTC]\"},"
        "{\"name\":\"dict\",\"type\":\"utf8\"}],\"rows\":[\n"
        "{\"b\":true,\"i8\":-128,\"u32\":4294967295,\"f64\":2.5,\"s\":\"caf\xc3\xa9\",\"bin\":\"AP8Q\","
        "\"d\":\"2023-11-14\",\"ts\":\"2023-11-14T22:13:20.123Z\",\"dict\":\"red\"},\n"
        "{\"b\":null,\"i8\":null,\"u32\":null,\"f64\":null,\"s\":null,\"bin\":null,\"d\":null,"
        "\"ts\":null,\"dict\":null},\n"
        "{\"b\":false,\"i8\":7,\"u32\":0,\"f64\":-1.0,\"s\":\"\",\"bin\":\"\",\"d\":\"1969-12-31\","
        "\"ts\":\"1969-12-31T23:59:59.999Z\",\"dict\":\"blue\"}\n"
        "],\"row_count\":3,\"truncated\":false,\"elapsed_ms\":0.000}\n");

  CHECK(Render(ResultFormat::kNdjson, *schema, {batch}) ==
        "{\"b\":true,\"i8\":-128,\"u32\":4294967295,\"f64\":2.5,\"s\":\"caf\xc3\xa9\",\"bin\":\"AP8Q\","
        "\"d\":\"2023-11-14\",\"ts\":\"2023-11-14T22:13:20.123Z\",\"dict\":\"red\"}\n"
        "{\"b\":null,\"i8\":null,\"u32\":null,\"f64\":null,\"s\":null,\"bin\":null,\"d\":null,"
        "\"ts\":null,\"dict\":null}\n"
        "{\"b\":false,\"i8\":7,\"u32\":0,\"f64\":-1.0,\"s\":\"\",\"bin\":\"\",\"d\":\"1969-12-31\","
        "\"ts\":\"1969-12-31T23:59:59.999Z\",\"dict\":\"blue\"}\n");

  CHECK(Render(ResultFormat::kCsv, *schema, {batch}) ==
        "b,i8,u32,f64,s,bin,d,ts,dict\n"
        "true,-128,4294967295,2.5,caf\xc3\xa9,AP8Q,2023-11-14,2023-11-14T22:13:20.123Z,red\n"
        ",,,,,,,,\n"
        "false,7,0,-1.0,\"\",\"\",1969-12-31,1969-12-31T23:59:59.999Z,blue\n");

  CHECK(Render(ResultFormat::kTable, *schema, {batch}) ==
        "   b   |  i8  |    u32     | f64  |  s   |   bin    |     d      |            ts"
        "            | dict\n"
        "-------+------+------------+------+------+----------+------------+------------------"
        "--------+------\n"
        " true  | -128 | 4294967295 |  2.5 | caf\xc3\xa9 | \\x00ff10 | 2023-11-14 | "
        "2023-11-14T22:13:20.123Z | red\n"
        " NULL  | NULL |       NULL | NULL | NULL | NULL     | NULL       | NULL            "
        "         | NULL\n"
        " false |    7 |          0 | -1.0 |      | \\x       | 1969-12-31 | "
        "1969-12-31T23:59:59.999Z | blue\n"
        "(3 rows)\n");
}

TEST_CASE("int64 and uint64 extremes are exact, optionally as JSON strings", "[columnar]") {
  auto schema = MakeSchema({{"i", DataType(TypeId::kInt64)}, {"u", DataType(TypeId::kUInt64)}});
  RecordBatchBuilder b(schema);
  b.column(0).AppendInt(std::numeric_limits<int64_t>::min());
  b.column(1).AppendUInt(std::numeric_limits<uint64_t>::max());
  b.column(0).AppendInt(std::numeric_limits<int64_t>::max());
  b.column(1).AppendUInt(9007199254740993ull);  // 2^53 + 1
  RecordBatch batch = b.Finish().value();
  CHECK(Render(ResultFormat::kNdjson, *schema, {batch}) ==
        "{\"i\":-9223372036854775808,\"u\":18446744073709551615}\n"
        "{\"i\":9223372036854775807,\"u\":9007199254740993}\n");
  TextFormatOptions o;
  o.int64_as_string = true;
  CHECK(Render(ResultFormat::kNdjson, *schema, {batch}, o) ==
        "{\"i\":\"-9223372036854775808\",\"u\":\"18446744073709551615\"}\n"
        "{\"i\":\"9223372036854775807\",\"u\":\"9007199254740993\"}\n");
  CHECK(Render(ResultFormat::kCsv, *schema, {batch}) ==
        "i,u\n-9223372036854775808,18446744073709551615\n9223372036854775807,9007199254740993\n");
}

TEST_CASE("Floats print the shortest round-trip text; NaN and infinities are named", "[columnar]") {
  std::vector<double> values = {0.1,
                                1.0,
                                -0.0,
                                1e300,
                                123456789012.0,
                                5e-324,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity()};
  RecordBatch f64 = OneColumn("x", DataType(TypeId::kFloat64), [&](ArrayBuilder& c) {
    for (double v : values) c.AppendDouble(v);
  });
  CHECK(Render(ResultFormat::kNdjson, *f64.schema, {f64}) ==
        "{\"x\":0.1}\n{\"x\":1.0}\n{\"x\":-0.0}\n{\"x\":1e+300}\n{\"x\":123456789012.0}\n"
        "{\"x\":5e-324}\n{\"x\":1.7976931348623157e+308}\n{\"x\":\"NaN\"}\n"
        "{\"x\":\"Infinity\"}\n{\"x\":\"-Infinity\"}\n");
  CHECK(Render(ResultFormat::kCsv, *f64.schema, {f64}) ==
        "x\n0.1\n1.0\n-0.0\n1e+300\n123456789012.0\n5e-324\n1.7976931348623157e+308\nNaN\n"
        "Infinity\n-Infinity\n");
  // Every value reads back exactly.
  for (double v : values) {
    std::string s;
    AppendDouble(&s, v);
    if (std::isnan(v)) {
      CHECK(s == "NaN");
    } else if (!std::isinf(v)) {
      CHECK(std::strtod(s.c_str(), nullptr) == v);
      CHECK(std::signbit(std::strtod(s.c_str(), nullptr)) == std::signbit(v));
    }
  }

  RecordBatch f32 = OneColumn("y", DataType(TypeId::kFloat32), [&](ArrayBuilder& c) {
    c.AppendDouble(0.1f);
    c.AppendDouble(3.4028235e38f);
    c.AppendDouble(16777216.0f);
    c.AppendDouble(std::numeric_limits<float>::quiet_NaN());
  });
  CHECK(Render(ResultFormat::kCsv, *f32.schema, {f32}) ==
        "y\n0.1\n3.4028235e+38\n16777216.0\nNaN\n");
}

TEST_CASE("Timestamps are ISO-8601 UTC with the digits of their unit; dates span all years",
          "[columnar]") {
  std::string s;
  auto ts = [&](int64_t v, TimeUnit u) {
    s.clear();
    AppendTimestamp(&s, v, u);
    return s;
  };
  CHECK(ts(0, TimeUnit::kSecond) == "1970-01-01T00:00:00Z");
  CHECK(ts(1700000000, TimeUnit::kSecond) == "2023-11-14T22:13:20Z");
  CHECK(ts(1700000000123, TimeUnit::kMilli) == "2023-11-14T22:13:20.123Z");
  CHECK(ts(1700000000000001, TimeUnit::kMicro) == "2023-11-14T22:13:20.000001Z");
  CHECK(ts(1700000000123456789, TimeUnit::kNano) == "2023-11-14T22:13:20.123456789Z");
  CHECK(ts(-1, TimeUnit::kNano) == "1969-12-31T23:59:59.999999999Z");
  CHECK(ts(-1, TimeUnit::kSecond) == "1969-12-31T23:59:59Z");
  CHECK(ts(951782400, TimeUnit::kSecond) == "2000-02-29T00:00:00Z");
  CHECK(ts(std::numeric_limits<int64_t>::max(), TimeUnit::kNano) ==
        "2262-04-11T23:47:16.854775807Z");
  CHECK(ts(std::numeric_limits<int64_t>::min(), TimeUnit::kNano) ==
        "1677-09-21T00:12:43.145224192Z");
  CHECK(ts(std::numeric_limits<int64_t>::max(), TimeUnit::kMilli) ==
        "+292278994-08-17T07:12:55.807Z");
  CHECK(ts(std::numeric_limits<int64_t>::min(), TimeUnit::kSecond) ==
        "-292277022657-01-27T08:29:52Z");

  auto date = [&](int64_t d) {
    s.clear();
    AppendDate32(&s, d);
    return s;
  };
  CHECK(date(0) == "1970-01-01");
  CHECK(date(-719528) == "0000-01-01");
  CHECK(date(-719529) == "-0001-12-31");
  CHECK(date(2932896) == "9999-12-31");
  CHECK(date(2932897) == "+10000-01-01");
  CHECK(date(std::numeric_limits<int32_t>::min()) == "-5877641-06-23");
  CHECK(date(std::numeric_limits<int32_t>::max()) == "+5881580-07-11");

  // A time zone in the type changes nothing: the instant is written in UTC.
  RecordBatch tz = OneColumn("t", DataType::Timestamp(TimeUnit::kMicro, "America/New_York"),
                             [](ArrayBuilder& c) { c.AppendInt(1700000000000000); });
  CHECK(Render(ResultFormat::kNdjson, *tz.schema, {tz}) ==
        "{\"t\":\"2023-11-14T22:13:20.000000Z\"}\n");
}

TEST_CASE("JSON strings escape control characters and replace invalid UTF-8", "[columnar]") {
  std::string s;
  auto json = [&](std::string_view in) {
    s.clear();
    AppendJsonString(&s, in);
    return s;
  };
  CHECK(json("plain") == "\"plain\"");
  CHECK(json("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json("\n\r\t\b\f") == "\"\\n\\r\\t\\b\\f\"");
  CHECK(json(std::string("\x00\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
  CHECK(json("emoji \xf0\x9f\x98\x80 \xe2\x82\xac") == "\"emoji \xf0\x9f\x98\x80 \xe2\x82\xac\"");
  const std::string r = "\xef\xbf\xbd";  // U+FFFD
  CHECK(json("a\xff" "b") == "\"a" + r + "b\"");
  CHECK(json("\xe2\x82") == "\"" + r + "\"");                  // truncated sequence: one
  CHECK(json("\xf0\x9f\x98" "a") == "\"" + r + "a\"");         // maximal subpart
  CHECK(json("\xed\xa0\x80") == "\"" + r + r + r + "\"");      // surrogate: three
  CHECK(json("\xc0\xaf") == "\"" + r + r + "\"");              // overlong
  CHECK(json("\xf4\x90\x80\x80") == "\"" + r + r + r + r + "\"");  // above U+10FFFF
  CHECK(json("\x80" "\xbf") == "\"" + r + r + "\"");

  RecordBatch strings = Strings({"x\ny", std::string("nul\0", 4), "bad\xfe"});
  CHECK(Render(ResultFormat::kNdjson, *strings.schema, {strings}) ==
        "{\"v\":\"x\\ny\"}\n{\"v\":\"nul\\u0000\"}\n{\"v\":\"bad" + r + "\"}\n");
  // Column names are escaped too.
  RecordBatch odd = OneColumn("we\"ird\n", DataType(TypeId::kInt32),
                              [](ArrayBuilder& c) { c.AppendInt(1); });
  CHECK(Render(ResultFormat::kNdjson, *odd.schema, {odd}) == "{\"we\\\"ird\\n\":1}\n");
}

TEST_CASE("CSV quotes only when needed and tells empty strings from NULL", "[columnar]") {
  RecordBatch batch = Strings({"plain", "with,comma", "with \"quote\"", "line\nbreak", "cr\rx",
                               "", std::nullopt, "#hash", "tab\tx", " spaced ", "bad\xff"});
  CHECK(Render(ResultFormat::kCsv, *batch.schema, {batch}) ==
        "v\nplain\n\"with,comma\"\n\"with \"\"quote\"\"\"\n\"line\nbreak\"\n\"cr\rx\"\n\"\"\n\n"
        "\"#hash\"\ntab\tx\n spaced \nbad\xef\xbf\xbd\n");
  CHECK(Render(ResultFormat::kTsv, *batch.schema, {batch}) ==
        "v\nplain\nwith,comma\n\"with \"\"quote\"\"\"\n\"line\nbreak\"\n\"cr\rx\"\n\"\"\n\n"
        "\"#hash\"\n\"tab\tx\"\n spaced \nbad\xef\xbf\xbd\n");

  // '#' is quoted only in the first column; header names are quoted as needed.
  auto schema = MakeSchema({{"a,b", DataType(TypeId::kUtf8)}, {"#c", DataType(TypeId::kUtf8)}});
  RecordBatchBuilder b(schema);
  b.column(0).AppendString("x");
  b.column(1).AppendString("#y");
  RecordBatch two = b.Finish().value();
  CHECK(Render(ResultFormat::kCsv, *schema, {two}) == "\"a,b\",#c\nx,#y\n");
  TextFormatOptions o;
  o.crlf = true;
  o.header = false;
  CHECK(Render(ResultFormat::kCsv, *schema, {two, two}, o) == "x,#y\r\nx,#y\r\n");
}

TEST_CASE("Dictionary columns are decoded in every format, with nulls and slices", "[columnar]") {
  for (TypeId index : {TypeId::kInt8, TypeId::kInt16, TypeId::kInt32}) {
    RecordBatch batch = Strings({"red", std::nullopt, "green", "red", "a,b"},
                                DataType::Dictionary(index));
    RecordBatch tail = SliceBatch(batch, 2, 3).value();
    CHECK(Render(ResultFormat::kCsv, *batch.schema, {tail}) == "v\ngreen\nred\n\"a,b\"\n");
    CHECK(Render(ResultFormat::kNdjson, *batch.schema, {batch}) ==
          "{\"v\":\"red\"}\n{\"v\":null}\n{\"v\":\"green\"}\n{\"v\":\"red\"}\n{\"v\":\"a,b\"}\n");
  }
  // Bit-packed booleans and validity at a non-zero offset.
  RecordBatch bools = OneColumn("b", DataType(TypeId::kBool), [](ArrayBuilder& c) {
    for (int i = 0; i < 20; ++i) {
      if (i % 5 == 0) {
        c.AppendNull();
      } else {
        c.AppendBool(i % 3 == 0);
      }
    }
  });
  RecordBatch slice = SliceBatch(bools, 9, 4).value();
  CHECK(Render(ResultFormat::kCsv, *slice.schema, {slice}, {}) == "b\ntrue\n\nfalse\ntrue\n");
}

TEST_CASE("The table format aligns columns, escapes and cuts long cells", "[columnar]") {
  auto schema = MakeSchema({{"id", DataType(TypeId::kInt64)},
                            {"name", DataType(TypeId::kUtf8)},
                            {"fare", DataType(TypeId::kFloat64)}});
  RecordBatchBuilder b(schema);
  b.column(0).AppendInt(1);
  b.column(1).AppendString("a\tb\nc");
  b.column(2).AppendDouble(2.5);
  b.column(0).AppendInt(1000);
  b.column(1).AppendString("\xce\xb3\xce\xb3");
  b.column(2).AppendNull();
  b.column(0).AppendInt(-3);
  b.column(1).AppendString("0123456789abcdef");
  b.column(2).AppendDouble(10.25);
  RecordBatch batch = b.Finish().value();
  TextFormatOptions o;
  o.max_cell_width = 8;
  CHECK(Render(ResultFormat::kTable, *schema, {batch}, o) ==
        "  id  |   name   | fare\n"
        "------+----------+-------\n"
        "    1 | a\\tb\\nc  |   2.5\n"
        " 1000 | \xce\xb3\xce\xb3       |  NULL\n"
        "   -3 | 0123456\xe2\x80\xa6 | 10.25\n"
        "(3 rows)\n");
  ResultTrailer t;
  t.truncated = true;
  RecordBatch one = SliceBatch(batch, 0, 1).value();
  CHECK(Render(ResultFormat::kTable, *schema, {one}, {}, t) ==
        " id |  name   | fare\n"
        "----+---------+------\n"
        "  1 | a\\tb\\nc |  2.5\n"
        "(1 row, truncated)\n");
}

TEST_CASE("Empty results are complete documents in every format", "[columnar]") {
  auto schema = MakeSchema({{"a", DataType(TypeId::kInt32)}, {"b", DataType(TypeId::kUtf8)}});
  RecordBatch empty = RecordBatchBuilder(schema).Finish().value();
  CHECK(Render(ResultFormat::kJson, *schema, {}) ==
        "{\"columns\":[{\"name\":\"a\",\"type\":\"int32\"},{\"name\":\"b\",\"type\":\"utf8\"}],"
        "\"rows\":[],\"row_count\":0,\"truncated\":false,\"elapsed_ms\":0.000}\n");
  CHECK(Render(ResultFormat::kJson, *schema, {empty}) ==
        Render(ResultFormat::kJson, *schema, {}));
  CHECK(Render(ResultFormat::kNdjson, *schema, {empty}).empty());
  CHECK(Render(ResultFormat::kCsv, *schema, {empty}) == "a,b\n");
  CHECK(Render(ResultFormat::kTsv, *schema, {}) == "a\tb\n");
  CHECK(Render(ResultFormat::kTable, *schema, {}) == " a | b\n---+---\n(0 rows)\n");
  std::string arrow = Render(ResultFormat::kArrow, *schema, {});
  auto back = ReadIpc(std::make_shared<const std::string>(arrow));
  REQUIRE(back.ok());
  CHECK(back->batches.empty());
  CHECK(SchemaEquals(*back->schema, *schema));
}

TEST_CASE("An error after output began ends each format with its documented marker",
          "[columnar]") {
  auto schema = MakeSchema({{"a", DataType(TypeId::kInt32)}});
  RecordBatch batch = OneColumn("a", DataType(TypeId::kInt32), [](ArrayBuilder& c) {
    c.AppendInt(1);
    c.AppendInt(2);
  });
  Status error = Status::Corruption("chunk 3 of \"t\": bad offset\nat byte 64");
  auto run = [&](ResultFormat f, bool begin) {
    std::string out;
    auto w = ResultWriter::Make(f, [&](std::string_view s) {
      out.append(s);
      return Status::OK();
    });
    if (begin) {
      REQUIRE(w->Begin(*schema).ok());
      REQUIRE(w->Write(batch).ok());
    }
    REQUIRE(w->Fail(error).ok());
    CHECK(w->End({}).code() == StatusCode::kInternal);  // the output is complete
    return out;
  };
  const std::string err =
      "{\"code\":\"corruption\",\"message\":\"chunk 3 of \\\"t\\\": bad offset\\nat byte 64\"}";
  CHECK(run(ResultFormat::kJson, true) ==
        "{\"columns\":[{\"name\":\"a\",\"type\":\"int32\"}],\"rows\":[\n[1],\n[2]\n],"
        "\"row_count\":2,\"error\":" + err + "}\n");
  CHECK(run(ResultFormat::kJson, false) == "{\"error\":" + err + "}\n");
  CHECK(run(ResultFormat::kNdjson, true) == "{\"a\":1}\n{\"a\":2}\n{\"error\":" + err + "}\n");
  CHECK(run(ResultFormat::kCsv, true) ==
        "a\n1\n2\n#error: corruption: chunk 3 of \"t\": bad offset at byte 64\n");
  CHECK(run(ResultFormat::kTsv, false) ==
        "#error: corruption: chunk 3 of \"t\": bad offset at byte 64\n");
  CHECK(run(ResultFormat::kTable, true) ==
        " a\n---\n 1\n 2\nERROR: corruption: chunk 3 of \"t\": bad offset\nat byte 64\n");
  // Arrow: the stream stops without its end-of-stream marker.
  std::string arrow = run(ResultFormat::kArrow, true);
  std::string eos = EndOfStreamMarker();
  REQUIRE(arrow.size() > eos.size());
  CHECK(arrow.substr(arrow.size() - eos.size()) != eos);
}

TEST_CASE("Writers stream through the sink in pieces and stop at a sink error", "[columnar]") {
  RecordBatch batch = OneColumn("n", DataType(TypeId::kInt64), [](ArrayBuilder& c) {
    for (int i = 0; i < 1000; ++i) c.AppendInt(i);
  });
  TextFormatOptions o;
  o.flush_bytes = 100;
  std::vector<std::string> pieces;
  auto w = ResultWriter::Make(
      ResultFormat::kCsv,
      [&](std::string_view s) {
        pieces.emplace_back(s);
        return Status::OK();
      },
      o);
  REQUIRE(w->Begin(*batch.schema).ok());
  REQUIRE(w->Write(batch).ok());
  size_t before_end = pieces.size();
  CHECK(before_end > 20);  // flushed during Write, not only at End
  REQUIRE(w->End({}).ok());
  std::string all;
  for (auto& p : pieces) {
    CHECK(p.size() <= 100 + 8);
    all += p;
  }
  CHECK(all.substr(0, 8) == "n\n0\n1\n2\n");
  CHECK(w->rows_written() == 1000);
  CHECK(w->bytes_written() == all.size());

  int calls = 0;
  auto failing = ResultWriter::Make(
      ResultFormat::kNdjson,
      [&](std::string_view) {
        ++calls;
        return Status::IOError("client went away");
      },
      o);
  REQUIRE(failing->Begin(*batch.schema).ok());
  Status s = failing->Write(batch);
  CHECK(s.code() == StatusCode::kIOError);
  CHECK(calls == 1);
  CHECK(failing->Write(batch).message() == "client went away");
  CHECK(failing->Fail(Status::Internal("x")).code() == StatusCode::kIOError);
  CHECK(calls == 1);
}

TEST_CASE("Writers refuse batches that do not match the schema", "[columnar]") {
  auto schema = MakeSchema({{"a", DataType(TypeId::kInt32)}});
  RecordBatch wrong = OneColumn("a", DataType(TypeId::kInt64), [](ArrayBuilder& c) {
    c.AppendInt(1);
  });
  for (ResultFormat f : {ResultFormat::kJson, ResultFormat::kCsv, ResultFormat::kTable,
                         ResultFormat::kArrow}) {
    auto w = ResultWriter::Make(f, [](std::string_view) { return Status::OK(); });
    CHECK(w->Write(wrong).code() == StatusCode::kInternal);  // before Begin
    REQUIRE(w->Begin(*schema).ok());
    Status s = w->Write(wrong);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message() == "result column a is int64 with 1 rows, expected int32 with 1");
  }
}

TEST_CASE("Arrow stream and file results read back with every type", "[columnar]") {
  auto schema = testing::AllTypesSchema();
  std::vector<RecordBatch> batches = {testing::AllTypesBatch(0, 50), testing::AllTypesBatch(50, 7)};
  for (ResultFormat f : {ResultFormat::kArrow, ResultFormat::kArrowFile}) {
    TextFormatOptions o;
    o.flush_bytes = 512;
    std::string bytes = Render(f, *schema, batches, o);
    auto back = ReadIpc(std::make_shared<const std::string>(bytes));
    REQUIRE(back.ok());
    CHECK(testing::BatchesJson(*back->schema, back->batches) ==
          testing::BatchesJson(*schema, batches));
  }
  // Every type also renders in every text format without error, and the CSV
  // has one line per row plus the header (no field of this data has a newline).
  std::string csv = Render(ResultFormat::kCsv, *schema, batches);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 58);
  std::string json = Render(ResultFormat::kJson, *schema, batches);
  auto parsed = nlohmann::json::parse(json);
  CHECK(parsed["row_count"] == 57);
  CHECK(parsed["rows"].size() == 57);
  CHECK(parsed["rows"][1][4] == std::numeric_limits<int64_t>::min());
  CHECK(parsed["rows"][6][8] == std::numeric_limits<uint64_t>::max());
  CHECK(!Render(ResultFormat::kTable, *schema, batches).empty());
}

TEST_CASE("Result format names parse and name their content types", "[columnar]") {
  for (const char* name : {"json", "ndjson", "csv", "tsv", "table", "arrow", "arrow-file"}) {
    auto f = ParseResultFormat(name);
    REQUIRE(f.ok());
    CHECK(std::string(ResultFormatName(*f)) == name);
  }
  CHECK(ParseResultFormat("xml").status().message() ==
        "unknown format \"xml\" (expected json, ndjson, csv, tsv, table, arrow, arrow-file or parquet)");
  CHECK(std::string(ResultFormatContentType(ResultFormat::kNdjson)) == "application/x-ndjson");
  CHECK(IsBinaryFormat(ResultFormat::kArrowFile));
  CHECK(!IsBinaryFormat(ResultFormat::kCsv));
}
