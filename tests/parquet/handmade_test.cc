// Parquet files made by hand, for what DuckDB does not write: INT96
// timestamps, FLOAT16, the Hadoop LZ4 framing, DELTA_BYTE_ARRAY and
// BYTE_STREAM_SPLIT pages, dictionary-encoded FIXED_LEN_BYTE_ARRAY, DECIMAL
// in BYTE_ARRAY, and the errors for types Quiver does not hold yet.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "columnar/decimal.h"
#include "columnar/parquet/codec_internal.h"
#include "columnar/parquet/encoding_internal.h"
#include "columnar/parquet/reader.h"
#include "columnar/parquet/thrift_internal.h"

using namespace quiver;
using namespace quiver::parquet;

namespace {

struct Page {
  format::PageType::type type = format::PageType::DATA_PAGE;
  format::Encoding::type encoding = format::Encoding::PLAIN;
  format::Encoding::type level_encoding = format::Encoding::RLE;  // both levels of a v1 page
  int32_t num_values = 0;
  std::string body;  // uncompressed: levels (v1: with their length) and values
};

struct Chunk {
  format::Type::type type;
  std::string path;
  std::vector<Page> pages;
};

// Appends a column chunk of `pages` compressed with `codec` (LZ4 in
// Hadoop's framing) to `file`; returns its metadata.
format::ColumnChunk WriteChunk(std::string* out, const Chunk& c, int64_t rows,
                               format::CompressionCodec::type codec) {
  std::string& file = *out;
  const int64_t start = int64_t(file.size());
  int64_t dict_offset = -1, data_offset = -1;
  for (const Page& p : c.pages) {
    std::string z;
    if (codec == format::CompressionCodec::LZ4) {
      std::string block;
      REQUIRE(CompressPage(format::CompressionCodec::LZ4_RAW, p.body, 0, &block).ok());
      for (uint32_t v : {uint32_t(p.body.size()), uint32_t(block.size())}) {
        for (int s = 24; s >= 0; s -= 8) z.push_back(char((v >> s) & 0xff));
      }
      z += block;
    } else {
      REQUIRE(CompressPage(codec, p.body, 0, &z).ok());
    }
    format::PageHeader h;
    h.__set_type(p.type);
    h.__set_uncompressed_page_size(int32_t(p.body.size()));
    h.__set_compressed_page_size(int32_t(z.size()));
    if (p.type == format::PageType::DICTIONARY_PAGE) {
      format::DictionaryPageHeader d;
      d.__set_num_values(p.num_values);
      d.__set_encoding(format::Encoding::PLAIN);
      h.__set_dictionary_page_header(d);
      dict_offset = int64_t(file.size());
    } else {
      format::DataPageHeader d;
      d.__set_num_values(p.num_values);
      d.__set_encoding(p.encoding);
      d.__set_definition_level_encoding(p.level_encoding);
      d.__set_repetition_level_encoding(p.level_encoding);
      h.__set_data_page_header(d);
      if (data_offset < 0) data_offset = int64_t(file.size());
    }
    REQUIRE(EncodePageHeader(h, &file).ok());
    file += z;
  }
  format::ColumnMetaData m;
  m.__set_type(c.type);
  m.__set_encodings({format::Encoding::PLAIN});
  m.__set_path_in_schema({c.path});
  m.__set_codec(codec);
  // Level entries: the data pages' values (a nested leaf has more than rows).
  int64_t values = 0;
  for (const Page& p : c.pages) values += p.type == format::PageType::DICTIONARY_PAGE ? 0 : p.num_values;
  m.__set_num_values(std::max(rows, values));
  m.__set_total_uncompressed_size(int64_t(file.size()) - start);
  m.__set_total_compressed_size(int64_t(file.size()) - start);
  m.__set_data_page_offset(data_offset < 0 ? start : data_offset);
  if (dict_offset >= 0) m.__set_dictionary_page_offset(dict_offset);
  format::ColumnChunk chunk;
  chunk.__set_file_offset(start);
  chunk.__set_meta_data(m);
  return chunk;
}

// A file of one row group of `rows` rows: `elements` are the schema below
// the root (depth-first), `root_children` of them the root's children, and
// `chunks` the leaves' data in order.
std::string MakeFileOf(const std::vector<format::SchemaElement>& elements, int root_children,
                       const std::vector<Chunk>& chunks, int64_t rows,
                       format::CompressionCodec::type codec = format::CompressionCodec::UNCOMPRESSED) {
  std::string file = "PAR1";
  format::RowGroup rg;
  for (const Chunk& c : chunks) rg.columns.push_back(WriteChunk(&file, c, rows, codec));
  rg.__set_num_rows(rows);
  rg.__set_total_byte_size(int64_t(file.size()));
  format::SchemaElement root;
  root.__set_name("schema");
  root.__set_num_children(root_children);
  std::vector<format::SchemaElement> schema = {root};
  schema.insert(schema.end(), elements.begin(), elements.end());
  format::FileMetaData meta;
  meta.__set_version(1);
  meta.__set_schema(schema);
  meta.__set_num_rows(rows);
  meta.__set_row_groups({rg});
  std::string footer;
  REQUIRE(EncodeFileMetaData(meta, &footer).ok());
  file += footer;
  uint32_t len = uint32_t(footer.size());
  file.append(reinterpret_cast<const char*>(&len), 4);
  return file + "PAR1";
}

// A file of one column `leaf` made of `pages`.
std::string MakeFile(const format::SchemaElement& leaf, int64_t rows, const std::vector<Page>& pages,
                     format::CompressionCodec::type codec = format::CompressionCodec::UNCOMPRESSED) {
  return MakeFileOf({leaf}, 1, {{leaf.type, leaf.name, pages}}, rows, codec);
}

format::SchemaElement Leaf(const std::string& name, format::Type::type t, bool optional) {
  format::SchemaElement e;
  e.__set_name(name);
  e.__set_type(t);
  e.__set_repetition_type(optional ? format::FieldRepetitionType::OPTIONAL
                                   : format::FieldRepetitionType::REQUIRED);
  return e;
}

// v1 definition levels (bit width 1) with their 4-byte length.
std::string Levels(const std::vector<uint32_t>& defs) {
  std::string rle;
  EncodeRle(defs.data(), int64_t(defs.size()), 1, &rle);
  uint32_t n = uint32_t(rle.size());
  return std::string(reinterpret_cast<const char*>(&n), 4) + rle;
}

// Levels in the deprecated BIT_PACKED encoding: no length, each value's
// bits from the most significant down, the last byte padded with zeros.
std::string BitPackedLevels(const std::vector<uint32_t>& levels, int bit_width) {
  std::string out((levels.size() * size_t(bit_width) + 7) / 8, '\0');
  size_t bit = 0;
  for (uint32_t v : levels) {
    for (int k = bit_width - 1; k >= 0; --k, ++bit) {
      if ((v >> k) & 1) out[bit / 8] = char(uint8_t(out[bit / 8]) | (0x80 >> (bit % 8)));
    }
  }
  return out;
}

template <typename T>
std::string Bytes(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

Result<RecordBatch> ReadOnly(const std::string& file) {
  auto f = ParquetFile::Open(std::make_shared<std::string>(file));
  if (!f.ok()) return f.status();
  return (*f)->ReadRowGroup(0);
}

}  // namespace

TEST_CASE("Parquet INT96 timestamps become timestamp[ns]", "[parquet]") {
  std::string values;
  for (auto [day, nanos] : {std::pair<int32_t, uint64_t>{2440588, 0}, {2440589, 1}, {2440587, 86399999999999}}) {
    values.append(reinterpret_cast<const char*>(&nanos), 8);
    values.append(reinterpret_cast<const char*>(&day), 4);
  }
  Page p;
  p.num_values = 4;
  p.body = Levels({1, 0, 1, 1}) + values;
  auto b = ReadOnly(MakeFile(Leaf("t", format::Type::INT96, true), 4, {p}));
  INFO(b.status().ToString());
  REQUIRE(b.ok());
  ArrayView v = b->columns[0]->View();
  CHECK(*v.type == DataType::Timestamp(TimeUnit::kNano));
  CHECK(v.Value<int64_t>(0) == 0);
  CHECK(v.IsNull(1));
  CHECK(v.Value<int64_t>(2) == 86400000000001);
  CHECK(v.Value<int64_t>(3) == -1);
}

TEST_CASE("Parquet BIT_PACKED levels (parquet-mr 1.x) read MSB first, flat and nested", "[parquet]") {
  // A flat optional int32: definition levels 1 0 1 1 0 1 1 1 1 0 at one bit,
  // 10110111 10 -> 0xB7 0x80 (LSB-first reading would give other nulls).
  const std::vector<uint32_t> defs = {1, 0, 1, 1, 0, 1, 1, 1, 1, 0};
  CHECK(BitPackedLevels(defs, 1) == std::string("\xB7\x80", 2));
  Page p;
  p.level_encoding = format::Encoding::BIT_PACKED;
  p.num_values = 10;
  p.body = BitPackedLevels(defs, 1) + Bytes(std::vector<int32_t>{10, 30, 40, 60, 70, 80, 90});
  auto b = ReadOnly(MakeFile(Leaf("x", format::Type::INT32, true), 10, {p}));
  INFO(b.status().ToString());
  REQUIRE(b.ok());
  ArrayView v = b->columns[0]->View();
  std::vector<std::optional<int32_t>> got;
  for (int64_t i = 0; i < v.length; ++i) got.push_back(v.IsNull(i) ? std::nullopt : std::optional(v.Value<int32_t>(i)));
  CHECK(got == std::vector<std::optional<int32_t>>{10, std::nullopt, 30, 40, std::nullopt, 60, 70, 80, 90,
                                                    std::nullopt});

  // optional group l (LIST) { repeated group list { optional int32 element; } }:
  // repetition levels at 1 bit, definition levels at 2 bits (max 3). Rows:
  // [1, 2, null], null, [], [4].
  format::SchemaElement l, list;
  l.__set_name("l");
  l.__set_repetition_type(format::FieldRepetitionType::OPTIONAL);
  l.__set_num_children(1);
  l.__set_converted_type(format::ConvertedType::LIST);
  list.__set_name("list");
  list.__set_repetition_type(format::FieldRepetitionType::REPEATED);
  list.__set_num_children(1);
  auto element = Leaf("element", format::Type::INT32, true);
  const std::vector<uint32_t> reps = {0, 1, 1, 0, 0, 0}, nested_defs = {3, 3, 2, 0, 1, 3};
  Page n;
  n.level_encoding = format::Encoding::BIT_PACKED;
  n.num_values = 6;
  n.body = BitPackedLevels(reps, 1) + BitPackedLevels(nested_defs, 2) + Bytes(std::vector<int32_t>{1, 2, 4});
  const std::string file = MakeFileOf({l, list, element}, 1, {{format::Type::INT32, "l.list.element", {n}}}, 4);
  auto nb = ReadOnly(file);
  INFO(nb.status().ToString());
  REQUIRE(nb.ok());
  ArrayView lv = nb->columns[0]->View();
  REQUIRE(lv.length == 4);
  CHECK(lv.IsValid(0));
  CHECK(lv.IsNull(1));
  CHECK(lv.IsValid(2));
  CHECK(lv.IsValid(3));
  CHECK(std::vector<int32_t>(lv.offsets, lv.offsets + 5) == std::vector<int32_t>{0, 3, 3, 3, 4});
  const ArrayData& items = *nb->columns[0]->children[0];
  ArrayView iv = items.View();
  REQUIRE(iv.length == 4);
  CHECK(iv.Value<int32_t>(0) == 1);
  CHECK(iv.Value<int32_t>(1) == 2);
  CHECK(iv.IsNull(2));
  CHECK(iv.Value<int32_t>(3) == 4);

  // Levels cut short: the error names the column, the levels and the sizes.
  p.body = std::string("\xB7", 1);
  auto cut = ReadOnly(MakeFile(Leaf("x", format::Type::INT32, true), 10, {p}));
  REQUIRE_FALSE(cut.ok());
  INFO(cut.status().message());
  CHECK(cut.status().message().find("\"x\"") != std::string::npos);
  CHECK(cut.status().message().find("definition levels (BIT_PACKED) need 2 bytes for 10 values, the page has 1") !=
        std::string::npos);
}

TEST_CASE("Parquet FLOAT16 becomes float32, BYTE_STREAM_SPLIT doubles decode", "[parquet]") {
  auto leaf = Leaf("h", format::Type::FIXED_LEN_BYTE_ARRAY, false);
  leaf.__set_type_length(2);
  format::LogicalType lt;
  lt.__set_FLOAT16(format::Float16Type());
  leaf.__set_logicalType(lt);
  Page p;
  p.num_values = 4;
  p.body = Bytes(std::vector<uint16_t>{0x3C00, 0xC000, 0x7C00, 0x0001});
  auto b = ReadOnly(MakeFile(leaf, 4, {p}));
  REQUIRE(b.ok());
  ArrayView v = b->columns[0]->View();
  CHECK(*v.type == DataType(TypeId::kFloat32));
  CHECK(v.Value<float>(0) == 1.0f);
  CHECK(v.Value<float>(1) == -2.0f);
  CHECK(std::isinf(v.Value<float>(2)));
  CHECK(v.Value<float>(3) == std::ldexp(1.0f, -24));

  std::vector<double> d = {1.5, -0.25, 1e300};
  std::string raw = Bytes(d), split(raw.size(), '\0');
  for (size_t k = 0; k < 8; ++k) {
    for (size_t i = 0; i < d.size(); ++i) split[k * d.size() + i] = raw[i * 8 + k];
  }
  Page s;
  s.encoding = format::Encoding::BYTE_STREAM_SPLIT;
  s.num_values = 3;
  s.body = split;
  auto bd = ReadOnly(MakeFile(Leaf("d", format::Type::DOUBLE, false), 3, {s}, format::CompressionCodec::LZ4));
  INFO(bd.status().ToString());
  REQUIRE(bd.ok());
  ArrayView dv = bd->columns[0]->View();
  CHECK(dv.Value<double>(0) == 1.5);
  CHECK(dv.Value<double>(1) == -0.25);
  CHECK(dv.Value<double>(2) == 1e300);
}

TEST_CASE("Parquet DELTA_BYTE_ARRAY strings and dictionary-encoded UUIDs", "[parquet]") {
  auto leaf = Leaf("s", format::Type::BYTE_ARRAY, true);
  leaf.__set_converted_type(format::ConvertedType::UTF8);
  std::vector<int64_t> prefix = {0, 2, 0, 3}, suffix = {4, 2, 6, 5};
  std::string values;
  EncodeDeltaBinaryPacked(prefix.data(), 4, true, &values);
  EncodeDeltaBinaryPacked(suffix.data(), 4, true, &values);
  values += "axislebabbleyhood";
  Page p;
  p.encoding = format::Encoding::DELTA_BYTE_ARRAY;
  p.num_values = 5;
  p.body = Levels({1, 1, 0, 1, 1}) + values;
  auto b = ReadOnly(MakeFile(leaf, 5, {p}, format::CompressionCodec::SNAPPY));
  INFO(b.status().ToString());
  REQUIRE(b.ok());
  ArrayView v = b->columns[0]->View();
  CHECK(*v.type == DataType(TypeId::kUtf8));
  CHECK(v.StringValue(0) == "axis");
  CHECK(v.StringValue(1) == "axle");
  CHECK(v.IsNull(2));
  CHECK(v.StringValue(3) == "babble");
  CHECK(v.StringValue(4) == "babyhood");

  auto uuid = Leaf("u", format::Type::FIXED_LEN_BYTE_ARRAY, false);
  uuid.__set_type_length(16);
  format::LogicalType lt;
  lt.__set_UUID(format::UUIDType());
  uuid.__set_logicalType(lt);
  Page dict;
  dict.type = format::PageType::DICTIONARY_PAGE;
  dict.num_values = 2;
  dict.body = std::string(16, 'a') + std::string(16, 'b');
  Page data;
  data.encoding = format::Encoding::RLE_DICTIONARY;
  data.num_values = 3;
  std::vector<uint32_t> idx = {1, 0, 1};
  data.body = std::string(1, char(1));
  EncodeRle(idx.data(), 3, 1, &data.body);
  auto u = ReadOnly(MakeFile(uuid, 3, {dict, data}, format::CompressionCodec::GZIP));
  INFO(u.status().ToString());
  REQUIRE(u.ok());
  ArrayView uv = u->columns[0]->View();
  CHECK(*uv.type == DataType::FixedSizeBinary(16));
  CHECK(uv.StringValue(0) == std::string(16, 'b'));
  CHECK(uv.StringValue(1) == std::string(16, 'a'));
  // An index past the dictionary is an error naming the column and page.
  idx = {1, 2, 0};
  data.body = std::string(1, char(2));
  EncodeRle(idx.data(), 3, 2, &data.body);
  auto bad = ReadOnly(MakeFile(uuid, 3, {dict, data}));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("column \"u\", row group 0, page 1 at byte") != std::string::npos);
  CHECK(bad.status().message().find("dictionary index 2 out of range") != std::string::npos);
}

TEST_CASE("Parquet types Quiver does not hold yet are named in the error", "[parquet]") {
  auto iv = Leaf("span", format::Type::FIXED_LEN_BYTE_ARRAY, true);
  iv.__set_type_length(12);
  iv.__set_converted_type(format::ConvertedType::INTERVAL);
  auto r = ParquetFile::Open(std::make_shared<std::string>(MakeFile(iv, 0, {})));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kNotSupported);
  CHECK(r.status().message() == "<input>: unsupported Parquet type INTERVAL in column \"span\"");
  auto dec = Leaf("price", format::Type::FIXED_LEN_BYTE_ARRAY, true);
  dec.__set_type_length(17);
  dec.__set_converted_type(format::ConvertedType::DECIMAL);
  dec.__set_precision(38);
  dec.__set_scale(2);
  r = ParquetFile::Open(std::make_shared<std::string>(MakeFile(dec, 0, {})));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() ==
        "<input>: unsupported Parquet type DECIMAL(38, 2) (FIXED_LEN_BYTE_ARRAY) of 17 bytes in column \"price\"");
  dec.__set_precision(77);
  r = ParquetFile::Open(std::make_shared<std::string>(MakeFile(dec, 0, {})));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("column \"price\": DECIMAL(77, 2) (FIXED_LEN_BYTE_ARRAY) has a precision or "
                                  "scale out of range") != std::string::npos);
  auto list = Leaf("tags", format::Type::BYTE_ARRAY, false);
  list.__set_repetition_type(format::FieldRepetitionType::REPEATED);
  r = ParquetFile::Open(std::make_shared<std::string>(MakeFile(list, 0, {})));
  REQUIRE(r.ok());  // a bare repeated field: a list of required elements (nested_test.cc)
  CHECK((*r)->schema()->field(0).type == DataType::List(Field{"tags", DataType(TypeId::kBinary), false, {}}));
}

TEST_CASE("Parquet unsupported columns fail only when they are read", "[parquet]") {
  // schema { optional group g { optional int32 x; } required int32 y; optional fixed(12) p (INTERVAL) }
  format::SchemaElement g;
  g.__set_name("g");
  g.__set_num_children(1);
  g.__set_repetition_type(format::FieldRepetitionType::OPTIONAL);
  auto x = Leaf("x", format::Type::INT32, true);
  auto y = Leaf("y", format::Type::INT32, false);
  auto p = Leaf("p", format::Type::FIXED_LEN_BYTE_ARRAY, true);
  p.__set_type_length(12);
  p.__set_converted_type(format::ConvertedType::INTERVAL);
  Page ys;
  ys.num_values = 3;
  ys.body = Bytes(std::vector<int32_t>{7, -8, 9});
  Page nulls;
  nulls.num_values = 3;
  nulls.body = Levels({0, 0, 0});
  const std::string file = MakeFileOf(
      {g, x, y, p}, 3,
      {{format::Type::INT32, "g.x", {nulls}}, {format::Type::INT32, "y", {ys}}, {format::Type::FIXED_LEN_BYTE_ARRAY, "p", {nulls}}},
      3);
  auto bytes = std::make_shared<std::string>(file);
  auto all = ParquetFile::Open(bytes);
  REQUIRE_FALSE(all.ok());
  CHECK(all.status().message() == "<input>: unsupported Parquet type INTERVAL in column \"p\"");
  ReadOptions o;
  o.columns = {"g"};
  auto only_g = ParquetFile::Open(bytes, o);
  REQUIRE(only_g.ok());
  auto g_batch = (*only_g)->ReadRowGroup(0);
  INFO(g_batch.status().ToString());
  REQUIRE(g_batch.ok());
  CHECK(g_batch->columns[0]->type.id == TypeId::kStruct);
  CHECK(g_batch->columns[0]->null_count == 3);
  CHECK(g_batch->columns[0]->children[0]->length == 3);
  o.columns = {"y"};
  auto only_y = ParquetFile::Open(bytes, o);
  INFO(only_y.status().ToString());
  REQUIRE(only_y.ok());
  auto b = (*only_y)->ReadRowGroup(0);
  REQUIRE(b.ok());
  ArrayView v = b->columns[0]->View();
  CHECK(v.Value<int32_t>(0) == 7);
  CHECK(v.Value<int32_t>(1) == -8);
  CHECK(v.Value<int32_t>(2) == 9);
  o.columns = {"y", "p"};
  auto with_p = ParquetFile::Open(bytes, o);
  REQUIRE_FALSE(with_p.ok());
  CHECK(with_p.status().message() == "<input>: unsupported Parquet type INTERVAL in column \"p\"");
}

TEST_CASE("Parquet DECIMAL in BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY reads exactly, sign-extended", "[parquet]") {
  // BYTE_ARRAY: minimal big-endian two's complement, lengths 1..17 (the 17-byte
  // one only repeats the sign), with a null.
  auto leaf = Leaf("v", format::Type::BYTE_ARRAY, true);
  format::DecimalType dt;
  dt.__set_precision(38);
  dt.__set_scale(2);
  format::LogicalType lt;
  lt.__set_DECIMAL(dt);
  leaf.__set_logicalType(lt);
  auto plain = [](const std::vector<std::string>& values) {
    std::string out;
    for (const std::string& v : values) {
      uint32_t n = uint32_t(v.size());
      out.append(reinterpret_cast<const char*>(&n), 4);
      out += v;
    }
    return out;
  };
  const std::string minus_one(1, char(0xff));
  const std::string big = "\x00" + std::string("\x4b\x3b\x4c\xa8\x5a\x86\xc4\x7a\x09\x8a\x22\x3f\xff\xff\xff\xff", 16);
  Page p;
  p.num_values = 5;
  p.body = Levels({1, 0, 1, 1, 1}) + plain({std::string("\x04\xe2", 2), minus_one, big,
                                            std::string("\xfb\x1e", 2)});
  auto b = ReadOnly(MakeFile(leaf, 5, {p}));
  INFO(b.status().ToString());
  REQUIRE(b.ok());
  ArrayView v = b->columns[0]->View();
  CHECK(*v.type == DataType::Decimal(38, 2));
  auto at = [&](int64_t i) { return FormatDecimal128(LoadDecimal128(v.values + (v.offset + i) * 16), 2); };
  CHECK(at(0) == "12.50");
  CHECK(v.IsNull(1));
  CHECK(at(2) == "-0.01");
  CHECK(at(3) == "999999999999999999999999999999999999.99");
  CHECK(at(4) == "-12.50");
  // A value with more than sign bytes above 16 does not fit decimal128.
  p.num_values = 1;
  p.body = Levels({1}) + plain({"\x01" + std::string(16, '\0')});
  auto wide = ReadOnly(MakeFile(leaf, 1, {p}));
  REQUIRE_FALSE(wide.ok());
  CHECK(wide.status().message().find("DECIMAL value of 17 bytes does not fit decimal128(38, 2)") !=
        std::string::npos);

  // FIXED_LEN_BYTE_ARRAY(5), dictionary-encoded, into decimal128(10, 3).
  auto fixed = Leaf("f", format::Type::FIXED_LEN_BYTE_ARRAY, false);
  fixed.__set_type_length(5);
  fixed.__set_converted_type(format::ConvertedType::DECIMAL);
  fixed.__set_precision(10);
  fixed.__set_scale(3);
  Page dict;
  dict.type = format::PageType::DICTIONARY_PAGE;
  dict.num_values = 2;
  dict.body = std::string("\x7f\xff\xff\xff\xff\x80\x00\x00\x00\x00", 10);
  Page data;
  data.encoding = format::Encoding::RLE_DICTIONARY;
  data.num_values = 3;
  std::vector<uint32_t> idx = {1, 0, 1};
  data.body = std::string(1, char(1));
  EncodeRle(idx.data(), 3, 1, &data.body);
  auto f = ReadOnly(MakeFile(fixed, 3, {dict, data}));
  INFO(f.status().ToString());
  REQUIRE(f.ok());
  ArrayView fv = f->columns[0]->View();
  CHECK(*fv.type == DataType::Decimal(10, 3));
  CHECK(FormatDecimal128(LoadDecimal128(fv.values), 3) == "-549755813.888");
  CHECK(FormatDecimal128(LoadDecimal128(fv.values + 16), 3) == "549755813.887");
}
