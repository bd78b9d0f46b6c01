// The json, ndjson and csv writers write a column at a time
// (columnar/text_cells.cc): their bytes must be exactly those of one value
// at a time. These tests compare whole results, in batches that cross the
// writers' 2048-row runs with NULLs at the edges, against a row-at-a-time
// rendering built here, and pin the bytes of the values with special
// spellings.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "columnar/builder.h"
#include "columnar/schema.h"
#include "columnar/text_format.h"
#include "columnar/text_format_internal.h"
#include "columnar_test_util.h"
#include "text_render_util.h"

using namespace quiver;

namespace {

using quiver::testing::Render;

// A JSON string one byte at a time, as text_format.h specifies it.
std::string RefJsonString(std::string_view s) {
  std::string valid;
  AppendValidUtf8(&valid, s);
  std::string out = "\"";
  for (unsigned char c : valid) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char u[8];
          std::snprintf(u, sizeof u, "\\u%04x", unsigned(c));
          out += u;
        } else {
          out.push_back(char(c));
        }
    }
  }
  return out + "\"";
}

// A CSV field by the RFC 4180 rules of text_format.h.
std::string RefCsvField(std::string_view s, char delimiter, bool first) {
  std::string valid;
  AppendValidUtf8(&valid, s);
  bool quote = valid.empty() || (first && valid[0] == '#') ||
               valid.find_first_of(std::string{delimiter, '"', '\n', '\r'}) != std::string::npos;
  if (!quote) return valid;
  std::string out = "\"";
  for (char c : valid) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

// One value, row at a time, with the per-value renderers.
std::string RefJsonValue(const ArrayView& v, int64_t r, bool int64_as_string) {
  if (!v.IsNull(r) && text_internal::IsStringLike(v)) return RefJsonString(text_internal::StringAt(v, r));
  std::string out;
  text_internal::AppendJsonValue(&out, v, r, int64_as_string);
  return out;
}

std::string RefCsvValue(const ArrayView& v, int64_t r, char delimiter, bool first) {
  if (v.IsNull(r)) return "";
  if (text_internal::IsStringLike(v)) return RefCsvField(text_internal::StringAt(v, r), delimiter, first);
  std::string out;
  if (text_internal::IsBytesColumn(v)) {
    if (v.StringValue(r).empty()) return "\"\"";
    AppendBase64(&out, v.StringValue(r));
  } else if (v.type->is_nested()) {
    text_internal::AppendJsonValue(&out, v, r, false);
    return RefCsvField(out, delimiter, first);
  } else {
    text_internal::AppendPlain(&out, v, r);
  }
  return out;
}

// The whole json / ndjson / csv document, one row at a time.
std::string RefRender(ResultFormat f, const Schema& schema, const std::vector<RecordBatch>& batches,
                      const TextFormatOptions& o) {
  const bool csv = f == ResultFormat::kCsv || f == ResultFormat::kTsv;
  const char delimiter = f == ResultFormat::kTsv ? '\t' : ',';
  const bool ndjson = f == ResultFormat::kNdjson, objects = ndjson || o.records;
  std::string out;
  if (csv) {
    for (size_t c = 0; c < schema.fields().size(); ++c) {
      out += (c > 0 ? std::string(1, delimiter) : "") + RefCsvField(schema.fields()[c].name, delimiter, c == 0);
    }
    out += "\n";
  } else if (!ndjson) {
    out += "{\"columns\":[";
    for (size_t c = 0; c < schema.fields().size(); ++c) {
      out += (c > 0 ? ",{\"name\":" : "{\"name\":") + RefJsonString(schema.fields()[c].name) +
             ",\"type\":" + RefJsonString(schema.fields()[c].type.value_type().ToString()) + "}";
    }
    out += "],\"rows\":[";
  }
  int64_t rows = 0;
  for (const RecordBatch& b : batches) {
    ColumnViews views(b);
    for (int64_t r = 0; r < b.num_rows; ++r, ++rows) {
      if (!csv && !ndjson) out += rows == 0 ? "\n" : ",\n";
      if (!csv) out += objects ? "{" : "[";
      for (size_t c = 0; c < views.size(); ++c) {
        if (c > 0) out += csv ? delimiter : ',';
        if (csv) {
          out += RefCsvValue(views[c], r, delimiter, c == 0);
          continue;
        }
        if (objects) out += RefJsonString(schema.fields()[c].name) + ":";
        out += RefJsonValue(views[c], r, o.int64_as_string);
      }
      if (!csv) out += objects ? "}" : "]";
      if (csv || ndjson) out += "\n";
    }
  }
  if (!csv && !ndjson) {
    out += std::string(rows > 0 ? "\n" : "") + "],\"row_count\":" + std::to_string(rows) +
           ",\"truncated\":false,\"elapsed_ms\":0.000}\n";
  }
  return out;
}

std::shared_ptr<const Schema> MoreTypesSchema() {
  std::vector<Field> f = {
      {"#first", DataType(TypeId::kUtf8), true, {}},
      {"dec", DataType::Decimal(20, 3), true, {}},
      {"date64", DataType(TypeId::kDate64), true, {}},
      {"time64", DataType::WithUnit(TypeId::kTime64, TimeUnit::kMicro), true, {}},
      {"dur", DataType::WithUnit(TypeId::kDuration, TimeUnit::kMilli), true, {}},
      {"fsb", DataType::FixedSizeBinary(3), true, {}},
      {"list", DataType::List(Field{"item", DataType(TypeId::kInt64), true, {}}), true, {}},
      {"ts_far", DataType::Timestamp(TimeUnit::kSecond), true, {}},
      {"d_far", DataType(TypeId::kDate32), true, {}},
      {"f64_special", DataType(TypeId::kFloat64), true, {}},
      {"runs64", DataType(TypeId::kInt64), true, {}},  // equal values in runs (copied text)
      {"runs8", DataType(TypeId::kInt8), true, {}},
  };
  return std::make_shared<Schema>(std::move(f));
}

RecordBatch MoreTypesBatch(int64_t first, int64_t rows) {
  static const char* kTexts[] = {"#hash", "", "a,b", "line\nbreak", "cr\rx", "q\"q", "\xff\xfe bad",
                                 "ok", "caf\xc3\xa9", "\x01\x1f\x7f", "back\\slash and a long tail", "e\xe2\x82"};
  static const double kDoubles[] = {-0.0, 0.0, 1.0, -1.5, 1e300, 1e-300, 0.1, 123456789012345678.0,
                                    std::nan(""), std::numeric_limits<double>::infinity(),
                                    -std::numeric_limits<double>::infinity(), 5e-324};
  RecordBatchBuilder b(MoreTypesSchema());
  for (int64_t r = first; r < first + rows; ++r) {
    const bool null = r % 2048 == 2047 || r % 2048 == 0 || r % 13 == 5;
    for (size_t c = 0; c < b.num_columns(); ++c) {
      ArrayBuilder& col = b.column(c);
      if (null && c % 2 == size_t(r % 2)) {
        col.AppendNull();
        continue;
      }
      switch (c) {
        case 0: col.AppendString(kTexts[r % 12]); break;
        case 1: col.AppendDecimal(__int128(r * 1000003 - 7000000) * (r % 3 == 0 ? -1 : 1)); break;
        case 2: col.AppendInt(r % 2 ? r * 86400000 : r * 1234567 - 9999999); break;
        case 3: col.AppendInt(r * 999999 % 86400000000); break;
        case 4: col.AppendInt(-r * 17); break;
        case 5: col.AppendString(std::string{char('a' + r % 26), char(r % 256), '"'}); break;
        case 6:
          col.AppendList();
          for (int64_t k = 0; k < r % 3; ++k) col.child(0).AppendInt(r - k);
          break;
        case 7: col.AppendInt(r % 3 == 0 ? int64_t(-62167219200) - r * 86400 * 400  // year < 0
                              : r % 3 == 1 ? int64_t(253402300800) + r * 977  // year > 9999
                                           : int64_t(-r) * 3601);
          break;
        case 8: col.AppendInt(r % 2 ? int32_t(3000000 + r) : int32_t(-800000 - r)); break;
        case 9: col.AppendDouble(kDoubles[r % 12]); break;
        case 10: col.AppendInt((r / 7) % 3 == 0 ? 0 : (r / 7) % 3 == 1 ? -(r / 7) * 1000003 : r / 7); break;
        case 11: col.AppendInt(r / 5 % 4 == 0 ? 0 : int8_t(r / 5)); break;
        default: break;
      }
    }
  }
  return std::move(b.Finish()).value();
}

// `b` without its first `skip` rows, as a slice (column offsets), the way
// a LIMIT/OFFSET can hand a batch on.
RecordBatch Sliced(RecordBatch b, int64_t skip) {
  for (auto& c : b.columns) {
    auto copy = std::make_shared<ArrayData>(*c);
    copy->offset += skip;
    copy->length -= skip;
    copy->null_count = -1;
    c = std::move(copy);
  }
  b.num_rows -= skip;
  return b;
}

}  // namespace

TEST_CASE("Column-at-a-time json, ndjson, csv and tsv keep the row-at-a-time bytes for every type",
          "[columnar]") {
  const std::vector<std::pair<std::shared_ptr<const Schema>, std::vector<RecordBatch>>> results = {
      {testing::AllTypesSchema(),
       {testing::AllTypesBatch(0, 2049), testing::AllTypesBatch(2049, 1), testing::AllTypesBatch(2050, 0),
        testing::AllTypesBatch(2050, 4100), Sliced(testing::AllTypesBatch(6150, 2100), 13)}},
      {MoreTypesSchema(), {MoreTypesBatch(0, 2048), MoreTypesBatch(2048, 2500)}},
  };
  for (const auto& [schema, batches] : results) {
    for (ResultFormat f : {ResultFormat::kJson, ResultFormat::kNdjson, ResultFormat::kCsv, ResultFormat::kTsv}) {
      for (int variant = 0; variant < 3; ++variant) {
        TextFormatOptions o;
        o.int64_as_string = variant == 1;
        o.records = variant == 2;
        o.flush_bytes = variant == 0 ? 64 * 1024 : 333;
        INFO(ResultFormatName(f) << " variant " << variant << " columns " << schema->fields().size());
        std::string got = Render(f, *schema, batches, o);
        std::string want = RefRender(f, *schema, batches, o);
        REQUIRE(got.size() == want.size());
        CHECK(got == want);
      }
    }
  }
}

TEST_CASE("Column-at-a-time json pins integer, float, date and timestamp spellings", "[columnar]") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"i", DataType(TypeId::kInt64), true, {}},
      {"u", DataType(TypeId::kUInt64), true, {}},
      {"f", DataType(TypeId::kFloat64), true, {}},
      {"g", DataType(TypeId::kFloat32), true, {}},
      {"ts", DataType::Timestamp(TimeUnit::kMilli), true, {}},
      {"d", DataType(TypeId::kDate32), true, {}}});
  RecordBatchBuilder b(schema);
  const int64_t ints[] = {0, -1, 9, 10, 99, 100, 99999999, 100000000, 9999999999999999, 10000000000000000,
                          std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  const uint64_t uints[] = {0, 1, 12345678, 123456789, 1234567890123456789ull, std::numeric_limits<uint64_t>::max()};
  const double doubles[] = {-0.0, 1.0, 0.1, 1e300, std::nan(""), -std::numeric_limits<double>::infinity()};
  for (int r = 0; r < 12; ++r) {
    b.column(0).AppendInt(ints[r]);
    b.column(1).AppendUInt(uints[r % 6]);
    b.column(2).AppendDouble(doubles[r % 6]);
    b.column(3).AppendDouble(r % 6 == 2 ? double(0.1f) : doubles[r % 6]);
    b.column(4).AppendInt(r == 0 ? -1 : r == 1 ? 253402300800000 : 1700000000123 + r);
    if (r == 2) {
      b.column(5).AppendNull();
    } else {
      b.column(5).AppendInt(r == 0 ? -719529 : r == 1 ? 2932897 : 19000 + r);
    }
  }
  RecordBatch batch = std::move(b.Finish()).value();
  TextFormatOptions o;
  o.int64_as_string = true;
  std::string nd = Render(ResultFormat::kNdjson, *schema, {batch}, o);
  std::vector<std::string> lines;
  for (size_t at = 0, nl; (nl = nd.find('\n', at)) != std::string::npos; at = nl + 1) {
    lines.push_back(nd.substr(at, nl - at));
  }
  REQUIRE(lines.size() == 12);
  CHECK(lines[0] == R"({"i":"0","u":"0","f":-0.0,"g":-0.0,"ts":"1969-12-31T23:59:59.999Z","d":"-0001-12-31"})");
  CHECK(lines[1] == R"({"i":"-1","u":"1","f":1.0,"g":1.0,"ts":"+10000-01-01T00:00:00.000Z","d":"+10000-01-01"})");
  CHECK(lines[2] == R"({"i":"9","u":"12345678","f":0.1,"g":0.1,"ts":"2023-11-14T22:13:20.125Z","d":null})");
  CHECK(lines[3] == R"({"i":"10","u":"123456789","f":1e+300,"g":"Infinity","ts":"2023-11-14T22:13:20.126Z","d":"2022-01-11"})");
  CHECK(lines[4] == R"({"i":"99","u":"1234567890123456789","f":"NaN","g":"NaN","ts":"2023-11-14T22:13:20.127Z","d":"2022-01-12"})");
  CHECK(lines[5] == R"({"i":"100","u":"18446744073709551615","f":"-Infinity","g":"-Infinity","ts":"2023-11-14T22:13:20.128Z","d":"2022-01-13"})");
  CHECK(lines[6].starts_with(R"({"i":"99999999",)"));
  CHECK(lines[7].starts_with(R"({"i":"100000000",)"));
  CHECK(lines[8].starts_with(R"({"i":"9999999999999999",)"));
  CHECK(lines[9].starts_with(R"({"i":"10000000000000000",)"));
  CHECK(lines[10].starts_with(R"({"i":"-9223372036854775808",)"));
  CHECK(lines[11].starts_with(R"({"i":"9223372036854775807",)"));
  std::string csv = Render(ResultFormat::kCsv, *schema, {batch});
  CHECK(csv.substr(0, csv.find('\n', csv.find('\n') + 1) + 1) ==
        "i,u,f,g,ts,d\n0,0,-0.0,-0.0,1969-12-31T23:59:59.999Z,-0001-12-31\n");
  CHECK(csv.find("\n99,1234567890123456789,NaN,NaN,2023-11-14T22:13:20.127Z,2022-01-12\n") != std::string::npos);
  CHECK(csv.find("\n10,123456789,1e+300,Infinity,") != std::string::npos);
}

TEST_CASE("Column-at-a-time json strings escape at every position of an eight-byte word",
          "[columnar]") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"s", DataType(TypeId::kUtf8), true, {}}});
  RecordBatchBuilder b(schema);
  std::vector<std::pair<std::string, std::string>> cases;
  for (size_t at = 0; at < 19; ++at) {
    std::string pad(at, 'x');
    cases.push_back({pad + "\"" + pad, "\"" + pad + "\\\"" + pad + "\""});
    cases.push_back({pad + "\\", "\"" + pad + "\\\\\""});
    cases.push_back({pad + "\x1f" + "y", "\"" + pad + "\\u001fy\""});
    cases.push_back({pad + "\n\t\x7f", "\"" + pad + "\\n\\t\x7f\""});
    cases.push_back({pad + "\xc3\xa9" + pad, "\"" + pad + "\xc3\xa9" + pad + "\""});
    cases.push_back({pad + "\xc3", "\"" + pad + "\xef\xbf\xbd\""});
    cases.push_back({pad + "\xe2\x82" + "z", "\"" + pad + "\xef\xbf\xbdz\""});
  }
  for (auto& [in, out] : cases) b.column(0).AppendString(in);
  std::string nd = Render(ResultFormat::kNdjson, *schema, {std::move(b.Finish()).value()});
  std::string want;
  for (auto& [in, out] : cases) want += "{\"s\":" + out + "}\n";
  CHECK(nd == want);
}

TEST_CASE("Column-at-a-time csv fields quote and replace exactly as before", "[columnar]") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"a", DataType::Dictionary(TypeId::kInt32), true, {}},
                                                            {"b", DataType(TypeId::kUtf8), true, {}}});
  RecordBatchBuilder b(schema);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"#x", "\"#x\""},           {"", "\"\""},
      {"plain text", "plain text"}, {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""}, {"l1\r\nl2", "\"l1\r\nl2\""},
      {"caf\xc3\xa9 au lait", "caf\xc3\xa9 au lait"}, {"bad \xff byte", "bad \xef\xbf\xbd byte"},
      {"tab\there", "tab\there"}};
  for (auto& [in, out] : cases) {
    b.column(0).AppendString(in);
    b.column(1).AppendString(in);
  }
  b.column(0).AppendNull();
  b.column(1).AppendNull();
  std::string csv = Render(ResultFormat::kCsv, *schema, {std::move(b.Finish()).value()});
  std::string want = "a,b\n";
  for (auto& [in, out] : cases) want += out + "," + (in == "#x" ? "#x" : out) + "\n";
  want += ",\n";
  CHECK(csv == want);
  std::string tsv = Render(ResultFormat::kTsv, *schema, {std::move(RecordBatchBuilder(schema).Finish()).value()});
  CHECK(tsv == "a\tb\n");
}

TEST_CASE("Timestamps at the ends of int64 print the same through the writer and FormatTimestamp",
          "[columnar]") {
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  CHECK(FormatTimestamp(lo, TimeUnit::kNano) == "1677-09-21T00:12:43.145224192Z");
  CHECK(FormatTimestamp(hi, TimeUnit::kNano) == "2262-04-11T23:47:16.854775807Z");
  CHECK(FormatTimestamp(hi, TimeUnit::kSecond) == "+292277026596-12-04T15:30:07Z");
  CHECK(FormatTimestamp(lo, TimeUnit::kSecond) == "-292277022657-01-27T08:29:52Z");
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"s", DataType::Timestamp(TimeUnit::kSecond), true, {}},
                                                            {"ns", DataType::Timestamp(TimeUnit::kNano), true, {}}});
  RecordBatchBuilder b(schema);
  b.column(0).AppendInt(lo);
  b.column(1).AppendInt(lo);
  b.column(0).AppendInt(hi);
  b.column(1).AppendInt(hi);
  std::string json = Render(ResultFormat::kJson, *schema, {std::move(b.Finish()).value()});
  CHECK(json.find("\n[\"-292277022657-01-27T08:29:52Z\",\"1677-09-21T00:12:43.145224192Z\"],\n"
                  "[\"+292277026596-12-04T15:30:07Z\",\"2262-04-11T23:47:16.854775807Z\"]\n") != std::string::npos);
}
