#include "columnar/csv.h"

#include <catch2/catch.hpp>

#include "columnar/schema.h"
#include "columnar/schema_spec.h"
#include "text_test_util.h"

using quiver::CsvOptions;
using quiver::DataType;
using quiver::ReadCsv;
using quiver::TimeUnit;
using quiver::TypeId;
using quiver::testing::ColumnTexts;
using quiver::testing::Texts;

namespace {

CsvOptions Opts(int threads = 1) {
  CsvOptions o;
  o.source_name = "t.csv";
  o.num_threads = threads;
  return o;
}

quiver::TextTable MustRead(const std::string& csv, const CsvOptions& o = Opts()) {
  auto r = ReadCsv(csv, o);
  INFO(r.status().message());
  REQUIRE(r.ok());
  return std::move(*r);
}

std::string ErrorOf(const std::string& csv, const CsvOptions& o = Opts()) {
  auto r = ReadCsv(csv, o);
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

}  // namespace

TEST_CASE("CSV quoted fields hold delimiters, doubled quotes, LF, CR and CRLF", "[columnar][csv]") {
  std::string csv =
      "\xEF\xBB\xBFid,text\r\n"
      "1,\"a, b\"\r\n"
      "2,\"say \"\"hi\"\"\"\r\n"
      "3,\"two\nlines\"\r\n"
      "4,\"bare\rcr\"\r\n"
      "5,\"crlf\r\ninside\"\r\n"
      "6,\"\xF0\x9F\x99\x82 emoji\"\n"
      "7,last without newline";
  auto t = MustRead(csv);
  REQUIRE(t.schema->num_fields() == 2);
  CHECK(t.schema->field(0).name == "id");  // the BOM is not part of the name
  CHECK(t.schema->field(0).type == DataType(TypeId::kInt64));
  CHECK(ColumnTexts(t, 0) == Texts{"1", "2", "3", "4", "5", "6", "7"});
  CHECK(ColumnTexts(t, 1) == Texts{"a, b", "say \"hi\"", "two\nlines", "bare\rcr", "crlf\r\ninside",
                                   "\xF0\x9F\x99\x82 emoji", "last without newline"});
}

TEST_CASE("CSV line numbers count line ends inside quoted fields", "[columnar][csv]") {
  // Row "x" starts on line 6: the quoted field of row 1 spans lines 2-4.
  std::string csv = "a,b\n1,\"l1\nl2\r\nl3\"\n2,ok\nx,y\n";
  auto so = Opts();
  so.sample_rows = 2;
  std::string e = ErrorOf(csv, so);
  CHECK(e.find("t.csv:6: column 1 (\"a\"), byte 23: \"x\" is not a valid int64") == 0);
  // A field after a multi-line field is reported on its own line.
  std::string csv2 = "a,b\n\"p\nq\",zz\n";
  auto o = Opts();
  o.schema = std::make_shared<quiver::Schema>(std::vector<quiver::Field>{
      {"a", DataType(TypeId::kUtf8), true, {}}, {"b", DataType(TypeId::kInt64), true, {}}});
  std::string e2 = ErrorOf(csv2, o);
  CHECK(e2.find("t.csv:3: column 2 (\"b\"), byte 10: \"zz\" is not a valid int64") == 0);
}

TEST_CASE("CSV inference: ints, leading zeros, 64-bit limits, floats, bools", "[columnar][csv]") {
  std::string csv =
      "i,zip,big,max,f,mixed,b,s\n"
      "1,007,123456789012345678901,9223372036854775807,1.5,1,true,x\n"
      "-2,010,1,-9223372036854775808,-2e3,2.25,FALSE,y\n"
      "0,123,2,0,.5,3,True,z\n";
  auto t = MustRead(csv);
  const auto& f = t.schema->fields();
  CHECK(f[0].type == DataType(TypeId::kInt64));
  CHECK(f[1].type == DataType(TypeId::kUtf8));  // leading zeros stay text
  CHECK(f[2].type == DataType(TypeId::kUtf8));  // beyond 64 bits stays text
  CHECK(f[3].type == DataType(TypeId::kInt64));
  CHECK(f[4].type == DataType(TypeId::kFloat64));
  CHECK(f[5].type == DataType(TypeId::kFloat64));
  CHECK(f[6].type == DataType(TypeId::kBool));
  CHECK(f[7].type == DataType(TypeId::kUtf8));
  CHECK(ColumnTexts(t, 1) == Texts{"007", "010", "123"});
  CHECK(ColumnTexts(t, 2) == Texts{"123456789012345678901", "1", "2"});
  CHECK(ColumnTexts(t, 3) == Texts{"9223372036854775807", "-9223372036854775808", "0"});
  CHECK(ColumnTexts(t, 4) == Texts{"1.5", "-2000", "0.5"});
  CHECK(ColumnTexts(t, 5) == Texts{"1", "2.25", "3"});
  CHECK(ColumnTexts(t, 6) == Texts{"true", "false", "true"});
}

TEST_CASE("CSV inference: dates and ISO-8601 timestamps become date32 and timestamp[us, UTC]",
          "[columnar][csv]") {
  std::string csv =
      "d,ts,tz,mixed,ns,notdate\n"
      "2024-01-02,2024-01-02 03:04:05,2024-01-02T03:04:05Z,2024-01-02,2024-01-02 00:00:00.123456789,2024-13-01\n"
      "1970-01-01,1970-01-01T00:00:00.5,2024-01-02T05:04:05+02:00,2024-01-02 00:00:01,1970-01-01 00:00:00.000000001,x\n";
  auto t = MustRead(csv);
  const auto& f = t.schema->fields();
  CHECK(f[0].type == DataType(TypeId::kDate32));
  CHECK(f[1].type == DataType::Timestamp(TimeUnit::kMicro, "UTC"));
  CHECK(f[2].type == DataType::Timestamp(TimeUnit::kMicro, "UTC"));
  CHECK(f[3].type == DataType::Timestamp(TimeUnit::kMicro, "UTC"));  // dates mixed with timestamps
  CHECK(f[4].type == DataType::Timestamp(TimeUnit::kNano, "UTC"));   // 9 fractional digits
  CHECK(f[5].type == DataType(TypeId::kUtf8));                      // month 13 is no date
  CHECK(ColumnTexts(t, 0) == Texts{"19724", "0"});
  CHECK(ColumnTexts(t, 1) == Texts{"1704164645000000", "500000"});
  // +02:00 is two hours ahead of UTC: the same instant as 03:04:05Z.
  CHECK(ColumnTexts(t, 2) == Texts{"1704164645000000", "1704164645000000"});
  CHECK(ColumnTexts(t, 3) == Texts{"1704153600000000", "1704153601000000"});
  CHECK(ColumnTexts(t, 4) == Texts{"1704153600123456789", "1"});
}

TEST_CASE("CSV: a later value contradicting the inferred type is an error naming line and column",
          "[columnar][csv]") {
  std::string csv = "name,qty\na,1\nb,2\nc,3\nd,x\n";
  auto o = Opts();
  o.sample_rows = 2;
  std::string e = ErrorOf(csv, o);
  CHECK(e.find("t.csv:5: column 2 (\"qty\"), byte 23: \"x\" is not a valid int64 (the column's type was "
               "inferred from the first 2 rows") == 0);
  // A fraction where an int was inferred: never truncated.
  std::string e2 = ErrorOf("qty\n1\n2\n2.5\n", [] {
    auto o = Opts();
    o.sample_rows = 2;
    return o;
  }());
  CHECK(e2.find("t.csv:4: column 1 (\"qty\"), byte 8: \"2.5\" is not a valid int64") == 0);
  // Sub-microsecond digits in a timestamp[us] column are not truncated.
  auto o3 = Opts();
  o3.sample_rows = 1;
  std::string e3 = ErrorOf("ts\n2024-01-01 00:00:00.5\n2024-01-01 00:00:00.1234567\n", o3);
  CHECK(e3.find("t.csv:3: column 1 (\"ts\")") == 0);
  CHECK(e3.find("more precision than the column's unit") != std::string::npos);
}

TEST_CASE("CSV: invalid UTF-8 is an error naming the line", "[columnar][csv]") {
  std::string e = ErrorOf("a,b\n1,ok\n2,bad\xff\n");
  CHECK(e.find("t.csv:3: invalid UTF-8 in column 2 (\"b\"), byte 14") == 0);
  std::string e2 = ErrorOf("a\xc3,b\n1,2\n");
  CHECK(e2.find("t.csv:1: the header is not valid UTF-8") == 0);
}

TEST_CASE("CSV nulls: empty fields, quoted empty strings, --null-values", "[columnar][csv]") {
  std::string csv = "i,s,f\n1,,2.5\n,\"\",\n3,NA,NA\n";
  auto t = MustRead(csv + "", [] {
    auto o = Opts();
    o.schema = std::make_shared<quiver::Schema>(std::vector<quiver::Field>{
        {"i", DataType(TypeId::kInt64), true, {}},
        {"s", DataType(TypeId::kUtf8), true, {}},
        {"f", DataType(TypeId::kFloat64), true, {}}});
    o.null_values = {"", "NA"};
    return o;
  }());
  CHECK(ColumnTexts(t, 0) == Texts{"1", "null", "3"});
  CHECK(ColumnTexts(t, 1) == Texts{"null", "", "null"});
  CHECK(ColumnTexts(t, 2) == Texts{"2.5", "null", "null"});
  // With the default list only the empty field is null: "NA" is a value.
  auto t2 = MustRead(csv);
  CHECK(t2.schema->field(0).type == DataType(TypeId::kInt64));
  CHECK(t2.schema->field(2).type == DataType(TypeId::kUtf8));
  CHECK(ColumnTexts(t2, 2) == Texts{"2.5", "null", "NA"});
  // A quoted "NA" is never null.
  auto o3 = Opts();
  o3.null_values = {"NA"};
  auto t3 = MustRead("s\nNA\n\"NA\"\n", o3);
  CHECK(ColumnTexts(t3, 0) == Texts{"null", "NA"});
}

TEST_CASE("CSV: empty input, header only, blank lines", "[columnar][csv]") {
  CHECK(ErrorOf("").find("t.csv:1: the input is empty: no header row") == 0);
  auto h = MustRead("a,b\r\n");
  REQUIRE(h.schema->num_fields() == 2);
  CHECK(h.schema->field(1).name == "b");
  CHECK(h.schema->field(1).type == DataType(TypeId::kUtf8));  // nothing to infer from
  CHECK(h.num_rows() == 0);
  auto b = MustRead("a\n1\n\n2\n\r\n");
  CHECK(ColumnTexts(b, 0) == Texts{"1", "2"});
  // An empty input with a schema is zero rows of that schema.
  auto o = Opts();
  o.schema = std::make_shared<quiver::Schema>(std::vector<quiver::Field>{{"x", DataType(TypeId::kInt64), true, {}}});
  auto e = MustRead("", o);
  CHECK(e.num_rows() == 0);
  CHECK(e.schema->field(0).name == "x");
}

TEST_CASE("CSV syntax errors: ragged rows, stray and unclosed quotes, bad headers", "[columnar][csv]") {
  CHECK(ErrorOf("a,b\n1,2\n3\n").find("t.csv:3: row has 1 field, expected 2 (byte 8)") == 0);
  CHECK(ErrorOf("a,b\n1,2,3\n").find("t.csv:2: row has 3 fields, expected 2") == 0);
  CHECK(ErrorOf("a,b\n1,x\"y\n").find("t.csv:2: quote inside unquoted field (column 2)") == 0);
  CHECK(ErrorOf("a,b\n1,\"x\"y\n").find("t.csv:2: unexpected character \"y\" after the closing quote of column 2") == 0);
  CHECK(ErrorOf("a,b\n1,2\n3,\"open\nmore\n").find("t.csv:3: quoted field (column 2) is not closed") == 0);
  CHECK(ErrorOf("a,a\n1,2\n").find("t.csv:1: header names column \"a\" twice (columns 1 and 2)") == 0);
  CHECK(ErrorOf("a,,c\n1,2,3\n").find("t.csv:1: header column 2 has an empty name") == 0);
}

TEST_CASE("CSV schema: partial overrides, full schema by header name, positional without header",
          "[columnar][csv]") {
  auto o = Opts();
  o.overrides = *quiver::ParseSchemaSpec("zip:int32, price:float32");
  auto t = MustRead("zip,price,name\n007,1,x\n", o);
  CHECK(t.schema->field(0).type == DataType(TypeId::kInt32));
  CHECK(t.schema->field(1).type == DataType(TypeId::kFloat32));
  CHECK(t.schema->field(2).type == DataType(TypeId::kUtf8));
  CHECK(ColumnTexts(t, 0) == Texts{"7"});  // an explicit int column reads 007 as 7

  auto bad = Opts();
  bad.overrides = *quiver::ParseSchemaSpec("nope:int64");
  CHECK(ErrorOf("a\n1\n", bad).find("schema override names column \"nope\"") == 0);

  // A full schema matches header names in any order.
  auto full = Opts();
  full.schema = std::make_shared<quiver::Schema>(std::vector<quiver::Field>{
      {"a", DataType(TypeId::kInt64), true, {}}, {"b", DataType(TypeId::kUtf8), true, {}}});
  auto r = MustRead("b,a\nx,1\ny,2\n", full);
  CHECK(ColumnTexts(r, 0) == Texts{"1", "2"});
  CHECK(ColumnTexts(r, 1) == Texts{"x", "y"});
  CHECK(ErrorOf("a,c\n1,2\n", full).find("t.csv:1: the input has no column \"b\"") == 0);

  auto nh = Opts();
  nh.header = false;
  auto n = MustRead("1,x\n2,y\n", nh);
  CHECK(n.schema->field(0).name == "f0");
  CHECK(n.schema->field(1).name == "f1");
  nh.overrides = *quiver::ParseSchemaSpec("id:int16,name:utf8");
  auto n2 = MustRead("1,x\n2,y\n", nh);
  CHECK(n2.schema->field(0).name == "id");
  CHECK(n2.schema->field(0).type == DataType(TypeId::kInt16));
  CHECK(ColumnTexts(n2, 1) == Texts{"x", "y"});
}

TEST_CASE("CSV schema spec text handles bracketed types and rejects bad entries", "[columnar][csv]") {
  auto f = quiver::ParseSchemaSpec("ts:timestamp[ms, tz=UTC], c:dictionary<int32, utf8>, d:date32");
  REQUIRE(f.ok());
  REQUIRE(f->size() == 3);
  CHECK((*f)[0].type == DataType::Timestamp(TimeUnit::kMilli, "UTC"));
  CHECK((*f)[1].type == DataType::Dictionary(TypeId::kInt32));
  CHECK((*f)[2].type == DataType(TypeId::kDate32));
  CHECK_FALSE(quiver::ParseSchemaSpec("a:int64,a:utf8").ok());
  CHECK_FALSE(quiver::ParseSchemaSpec("a").ok());
  CHECK_FALSE(quiver::ParseSchemaSpec("a:nosuchtype").ok());
  auto js = quiver::ParseSchemaText(R"({"fields": [{"name": "x", "type": "int64"}]})");
  REQUIRE(js.ok());
  CHECK((*js)[0].name == "x");
}

TEST_CASE("CSV: low-cardinality strings are dictionary-encoded", "[columnar][csv]") {
  std::string csv = "city,id\n";
  for (int i = 0; i < 100; ++i) csv += std::string(i % 3 == 0 ? "paris" : i % 3 == 1 ? "rome" : "oslo") + ",u" + std::to_string(i) + "\n";
  auto t = MustRead(csv);
  CHECK(t.schema->field(0).type == DataType::Dictionary(TypeId::kInt32));
  CHECK(t.schema->field(1).type == DataType(TypeId::kUtf8));
  auto city = ColumnTexts(t, 0);
  CHECK(city[0] == "paris");
  CHECK(city[98] == "oslo");
  CHECK(city[99] == "paris");
  CHECK(city[97] == "rome");
}

TEST_CASE("CSV --on-error skip leaves bad rows out and reports them in order", "[columnar][csv]") {
  auto o = Opts();
  o.on_error = quiver::OnError::kSkip;
  o.schema = std::make_shared<quiver::Schema>(std::vector<quiver::Field>{
      {"a", DataType(TypeId::kInt64), true, {}}, {"b", DataType(TypeId::kUtf8), true, {}}});
  auto t = MustRead("a,b\n1,x\nnope,y\n3\n4,\"z\"w\n5,ok\n", o);
  CHECK(ColumnTexts(t, 0) == Texts{"1", "5"});
  REQUIRE(t.rejected.size() == 3);
  CHECK(t.rejected[0].line == 3);
  CHECK(t.rejected[0].raw == "nope,y");
  CHECK(t.rejected[0].byte_offset == 8);
  CHECK(t.rejected[0].reason.find("t.csv:3: column 1 (\"a\")") == 0);
  CHECK(t.rejected[1].line == 4);
  CHECK(t.rejected[1].raw == "3");
  CHECK(t.rejected[2].line == 5);
  CHECK(t.rejected[2].raw == "4,\"z\"w");
}

TEST_CASE("CSV parallel parsing gives the same rows and line numbers as one thread", "[columnar][csv]") {
  std::string csv = "id,note,v\n";
  int64_t line = 2;
  int64_t bad_line = 0;
  for (int i = 0; i < 5000; ++i) {
    if (i % 7 == 0) {
      csv += std::to_string(i) + ",\"multi\nline " + std::to_string(i) + "\"," + std::to_string(i * 0.5) + "\n";
      line += 2;
    } else {
      csv += std::to_string(i) + ",\"a,\"\"b\"\"\"," + std::to_string(i) + "\n";
      line += 1;
    }
  }
  bad_line = line;
  auto o1 = Opts(1);
  o1.batch_rows = 333;
  o1.sample_rows = 333;
  auto o4 = o1;
  o4.num_threads = 4;
  auto t1 = MustRead(csv, o1);
  auto t4 = MustRead(csv, o4);
  CHECK(t1.num_rows() == 5000);
  CHECK(t1.batches.size() == 16);
  for (size_t c = 0; c < 3; ++c) CHECK(ColumnTexts(t1, c) == ColumnTexts(t4, c));
  CHECK(ColumnTexts(t4, 1)[7] == "multi\nline 7");
  std::string bad = csv + "x,y,z\n";
  std::string e1 = ErrorOf(bad, o1);
  std::string e4 = ErrorOf(bad, o4);
  CHECK(e1 == e4);
  CHECK(e4.find("t.csv:" + std::to_string(bad_line) + ": column 1 (\"id\")") == 0);
}

TEST_CASE("TSV: a tab delimiter", "[columnar][csv]") {
  auto o = Opts();
  o.delimiter = '\t';
  auto t = MustRead("a\tb\n1\thello, world\n", o);
  CHECK(ColumnTexts(t, 1) == Texts{"hello, world"});
}

TEST_CASE("CSV streaming reads a row split across many small reads", "[columnar][csv]") {
  std::string csv = "a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n";
  size_t pos = 0;
  quiver::ReadFn read = [&](char* buf, size_t) -> quiver::Result<size_t> {
    if (pos == csv.size()) return size_t(0);
    buf[0] = csv[pos++];  // one byte at a time: CRLF split across reads
    return size_t(1);
  };
  quiver::TextCallbacks cb;
  std::vector<quiver::RecordBatch> batches;
  cb.on_batch = [&](quiver::RecordBatch b) {
    batches.push_back(std::move(b));
    return quiver::Status::OK();
  };
  quiver::TextReadStats stats;
  auto o = Opts(2);
  REQUIRE(quiver::ReadCsvStream(read, o, cb, &stats).ok());
  CHECK(stats.rows == 2);
  CHECK(stats.bytes == int64_t(csv.size()));
  REQUIRE(batches.size() == 1);
  CHECK(quiver::testing::CellText(batches[0], 1, 0) == "x\r\ny");
}

TEST_CASE("CSV rows may end in a lone CR (old Mac files)", "[columnar][csv]") {
  auto t = MustRead("a,b\r1,x\r2,\"y\rz\"\r3,w");
  CHECK(ColumnTexts(t, 0) == Texts{"1", "2", "3"});
  CHECK(ColumnTexts(t, 1) == Texts{"x", "y\rz", "w"});
  auto o = Opts();
  o.sample_rows = 1;
  CHECK(ErrorOf("a\r1\r2\rx\r", o).find("t.csv:4: column 1 (\"a\"), byte 6:") == 0);
}
