// Nested Parquet columns (lists, structs, maps, at any depth): DuckDB writes
// them and Quiver reads every value DuckDB reads; Quiver writes them and
// DuckDB reads every value back; the legacy list forms of LogicalTypes.md
// and damaged levels, in files made by hand.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "columnar/builder.h"
#include "columnar/columnar_test_util.h"
#include "columnar/parquet/encoding_internal.h"
#include "columnar/parquet/reader.h"
#include "columnar/parquet/thrift_internal.h"
#include "columnar/parquet/writer.h"
#include "duckdb_test_util.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::DuckDbAvailable;
using quiver::testing::NodeModules;
using quiver::testing::RepoRoot;
using quiver::testing::RunDuckDb;
using quiver::testing::ValueJson;

namespace {

using format_meta_t = quiver::parquet::format::FileMetaData;

// Row i of v as DuckDB's JSON spells it: lists as arrays, structs as
// objects, maps as arrays of {"key", "value"}.
nlohmann::json NestedJson(const ArrayView& v, int64_t i) {
  if (v.IsNull(i)) return nullptr;
  const DataType& t = *v.type;
  switch (t.id) {
    case TypeId::kList:
    case TypeId::kMap:
    case TypeId::kFixedSizeList: {
      nlohmann::json a = nlohmann::json::array();
      int64_t b = 0, e = 0;
      if (t.id == TypeId::kFixedSizeList) {
        b = (v.offset + i) * t.list_size, e = b + t.list_size;
      } else {
        b = v.offsets[v.offset + i], e = v.offsets[v.offset + i + 1];
      }
      for (int64_t j = b; j < e; ++j) a.push_back(NestedJson(v.children[0], j));
      return a;
    }
    case TypeId::kStruct: {
      nlohmann::json o = nlohmann::json::object();
      for (int32_t c = 0; c < v.num_children; ++c) o[t.child(size_t(c)).name] = NestedJson(v.children[c], v.offset + i);
      return o;
    }
    default:
      return ValueJson(v, i);
  }
}

struct Read {
  std::shared_ptr<const Schema> schema;
  std::vector<RecordBatch> batches;
};

Result<Read> ReadBytes(std::string bytes, std::vector<std::string> columns = {}) {
  Read r;
  TextCallbacks cb;
  cb.on_schema = [&](const std::shared_ptr<const Schema>& s) {
    r.schema = s;
    return Status::OK();
  };
  cb.on_batch = [&](RecordBatch b) {
    r.batches.push_back(std::move(b));
    return Status::OK();
  };
  parquet::ReadOptions o;
  o.columns = std::move(columns);
  o.num_threads = 2;
  QUIVER_RETURN_NOT_OK(parquet::ReadParquet(std::make_shared<std::string>(std::move(bytes)), o, cb, nullptr));
  return r;
}

// Column c of every batch, row by row.
nlohmann::json ColumnJson(const Read& r, size_t c) {
  nlohmann::json col = nlohmann::json::array();
  for (const RecordBatch& b : r.batches) {
    ColumnViews v(b);
    for (int64_t i = 0; i < b.num_rows; ++i) col.push_back(NestedJson(v[c], i));
  }
  return col;
}

// The footer of a Parquet file.
format_meta_t Footer(const std::string& file) {
  format_meta_t meta;
  uint32_t len = 0;
  REQUIRE(file.size() >= 12);
  std::memcpy(&len, file.data() + file.size() - 8, 4);
  REQUIRE(len <= file.size() - 12);
  size_t used = 0;
  const auto* at = reinterpret_cast<const uint8_t*>(file.data()) + file.size() - 8 - len;
  REQUIRE(parquet::DecodeFileMetaData(at, len, &meta, &used).ok());
  return meta;
}

// Whether every chunk of the leaf at `path` ("ls.list.element") has a
// dictionary page and RLE_DICTIONARY data pages.
bool LeafIsDictionaryEncoded(const format_meta_t& meta, const std::string& path) {
  bool seen = false;
  for (const auto& rg : meta.row_groups) {
    for (const auto& c : rg.columns) {
      std::string p;
      for (const auto& part : c.meta_data.path_in_schema) p += (p.empty() ? "" : ".") + part;
      if (p != path) continue;
      seen = true;
      const auto& e = c.meta_data.encodings;
      if (!c.meta_data.__isset.dictionary_page_offset ||
          std::find(e.begin(), e.end(), parquet::format::Encoding::RLE_DICTIONARY) == e.end()) {
        return false;
      }
    }
  }
  REQUIRE(seen);
  return true;
}

// Nested columns with nulls at every level and empty lists, row i of 4500.
const char* kNestedTable =
    "CREATE TABLE t AS SELECT i AS id, "
    "CASE WHEN i % 7 = 0 THEN NULL WHEN i % 5 = 0 THEN []::INTEGER[] "
    "  ELSE [i, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 2 END, i % 11]::INTEGER[] END AS li, "
    "CASE WHEN i % 6 = 0 THEN NULL ELSE ['w' || (i % 4), NULL, repeat('x', i % 9)] END AS ls, "
    "CASE WHEN i % 9 = 0 THEN NULL ELSE {'a': CASE WHEN i % 4 = 0 THEN NULL ELSE i::INTEGER END, "
    "  'b': 'v' || (i % 3), 'c': CASE WHEN i % 8 = 0 THEN NULL ELSE [i % 5, i % 7]::INTEGER[] END} END AS st, "
    "CASE WHEN i % 10 = 0 THEN NULL WHEN i % 4 = 0 THEN MAP([]::VARCHAR[], []::INTEGER[]) "
    "  ELSE MAP(['k' || (i % 3), 'z'], [i::INTEGER, CASE WHEN i % 3 = 0 THEN NULL ELSE -i END]) END AS mp, "
    "CASE WHEN i % 13 = 0 THEN NULL ELSE [[i::INTEGER], [], NULL, [NULL, (i % 4)::INTEGER]] END AS ll, "
    "CASE WHEN i % 12 = 0 THEN NULL WHEN i % 5 = 0 THEN [] "
    "  ELSE [{'x': i::INTEGER, 'y': CASE WHEN i % 2 = 0 THEN NULL ELSE ['p', 'q'] END}, NULL] END AS lst, "
    "CASE WHEN i % 14 = 0 THEN NULL ELSE MAP(['m'], [[i::INTEGER, NULL]]) END AS ml "
    "FROM range(4500) r(i)";
const char* kNestedColumns = "id, li, ls, st, mp, ll, lst, ml";

}  // namespace

TEST_CASE("Nested columns DuckDB writes (v1 and v2 pages) read with DuckDB's values",
          "[parquet][interop][nested]") {
  if (!DuckDbAvailable()) return;
  quiver::testing::TempDir dir;
  nlohmann::json spec;
  spec["setup"] = {kNestedTable};
  for (const std::string v : {"v1", "v2"}) {
    spec["setup"].push_back("COPY t TO '" + dir.file(v + ".parquet") + "' (FORMAT parquet, PARQUET_VERSION " +
                            v + ", ROW_GROUP_SIZE 2048)");
  }
  spec["query"] = std::string("SELECT ") + kNestedColumns + " FROM t ORDER BY id";
  nlohmann::json want = RunDuckDb(dir, spec);
  for (const std::string v : {"v1", "v2"}) {
    INFO("page " << v);
    auto r = ReadBytes(quiver::testing::ReadFileBytes(dir.file(v + ".parquet")));
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    REQUIRE(r->schema->num_fields() == want["values"].size());
    CHECK(r->batches.size() >= 2);
    for (size_t c = 0; c < r->schema->num_fields(); ++c) {
      INFO("column " << r->schema->field(c).name << " " << r->schema->field(c).type.ToString());
      CHECK(ColumnJson(*r, c) == want["values"][c]);
    }
    CHECK(r->schema->field(4).type.id == TypeId::kMap);
    CHECK(r->schema->field(2).type.child(0).type == DataType(TypeId::kUtf8));  // never a dictionary
  }
  // A projection of nested columns reads all their leaves.
  auto p = ReadBytes(quiver::testing::ReadFileBytes(dir.file("v1.parquet")), {"lst", "id"});
  REQUIRE(p.ok());
  REQUIRE(p->schema->num_fields() == 2);
  CHECK(ColumnJson(*p, 0) == want["values"][6]);
}

TEST_CASE("DuckDB reads every value of nested columns Quiver writes", "[parquet][interop][nested]") {
  if (!DuckDbAvailable()) return;
  quiver::testing::TempDir dir;
  nlohmann::json spec;
  spec["setup"] = {kNestedTable,
                   "COPY t TO '" + dir.file("duck.parquet") + "' (FORMAT parquet, ROW_GROUP_SIZE 2048)"};
  spec["query"] = std::string("SELECT ") + kNestedColumns + " FROM t ORDER BY id";
  nlohmann::json want = RunDuckDb(dir, spec);
  auto r = ReadBytes(quiver::testing::ReadFileBytes(dir.file("duck.parquet")));
  REQUIRE(r.ok());
  // Sliced batches too: offsets of nested children must be honoured.
  std::vector<RecordBatch> batches;
  for (const RecordBatch& b : r->batches) {
    batches.push_back(SliceBatch(b, 0, 100).value());
    batches.push_back(SliceBatch(b, 100, b.num_rows - 100).value());
  }
  parquet::WriteOptions o;
  o.row_group_rows = 1500;
  o.page_rows = 400;
  auto file = parquet::WriteParquet(r->schema, batches, o);
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  quiver::testing::WriteFileBytes(dir.file("quiver.parquet"), *file);
  // String leaves whose values repeat are written with dictionaries.
  const format_meta_t meta = Footer(*file);
  for (const char* leaf : {"ls.list.element", "st.b", "mp.key_value.key", "lst.list.element.y.list.element",
                           "ml.key_value.key"}) {
    INFO(leaf);
    CHECK(LeafIsDictionaryEncoded(meta, leaf));
  }
  CHECK_FALSE(LeafIsDictionaryEncoded(meta, "li.list.element"));  // integers stay PLAIN
  nlohmann::json back_spec;
  back_spec["query"] = std::string("SELECT ") + kNestedColumns + " FROM read_parquet('" +
                       dir.file("quiver.parquet") + "')";
  nlohmann::json got = RunDuckDb(dir, back_spec);
  REQUIRE(got["values"].size() == want["values"].size());
  for (size_t c = 0; c < want["values"].size(); ++c) {
    INFO("column " << r->schema->field(c).name);
    CHECK(got["values"][c] == want["values"][c]);
  }
  // And Quiver reads its own file back with the same types and values.
  auto again = ReadBytes(*file);
  REQUIRE(again.ok());
  for (size_t c = 0; c < r->schema->num_fields(); ++c) {
    CHECK(again->schema->field(c).type == r->schema->field(c).type);
    CHECK(ColumnJson(*again, c) == want["values"][c]);
  }
}

namespace {

namespace format = quiver::parquet::format;
using FR = format::FieldRepetitionType;

format::SchemaElement El(const std::string& name, FR::type r, int children = 0,
                         format::Type::type t = format::Type::INT32) {
  format::SchemaElement e;
  e.__set_name(name);
  e.__set_repetition_type(r);
  if (children > 0) {
    e.__set_num_children(children);
  } else {
    e.__set_type(t);
  }
  return e;
}
format::SchemaElement Annotated(format::SchemaElement e, format::ConvertedType::type ct) {
  e.__set_converted_type(ct);
  return e;
}

// One leaf's data: its levels and PLAIN values, as one v1 page.
struct LeafData {
  std::string path;
  format::Type::type type;
  int max_rep, max_def;
  std::vector<uint32_t> rep, def;
  std::string values;
};

void PutLevels(const std::vector<uint32_t>& levels, int max, std::string* out) {
  std::string rle;
  parquet::EncodeRle(levels.data(), int64_t(levels.size()), parquet::BitWidth(uint64_t(max)), &rle);
  uint32_t n = uint32_t(rle.size());
  out->append(reinterpret_cast<const char*>(&n), 4);
  out->append(rle);
}

std::string Ints(std::vector<int32_t> v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
}

// A file of one row group: `elements` below the root (`top` of them its
// children), one uncompressed v1 page per leaf.
std::string NestedFile(const std::vector<format::SchemaElement>& elements, int top,
                       const std::vector<LeafData>& leaves, int64_t rows) {
  std::string file = "PAR1";
  format::RowGroup rg;
  for (const LeafData& l : leaves) {
    std::string body;
    if (l.max_rep > 0) PutLevels(l.rep, l.max_rep, &body);
    if (l.max_def > 0) PutLevels(l.def, l.max_def, &body);
    body += l.values;
    format::PageHeader h;
    h.__set_type(format::PageType::DATA_PAGE);
    h.__set_uncompressed_page_size(int32_t(body.size()));
    h.__set_compressed_page_size(int32_t(body.size()));
    format::DataPageHeader d;
    d.__set_num_values(int32_t(l.def.size()));
    d.__set_encoding(format::Encoding::PLAIN);
    d.__set_definition_level_encoding(format::Encoding::RLE);
    d.__set_repetition_level_encoding(format::Encoding::RLE);
    h.__set_data_page_header(d);
    const int64_t start = int64_t(file.size());
    REQUIRE(parquet::EncodePageHeader(h, &file).ok());
    file += body;
    format::ColumnMetaData m;
    m.__set_type(l.type);
    m.__set_encodings({format::Encoding::PLAIN});
    m.__set_path_in_schema({l.path});
    m.__set_codec(format::CompressionCodec::UNCOMPRESSED);
    m.__set_num_values(int64_t(l.def.size()));
    m.__set_total_uncompressed_size(int64_t(file.size()) - start);
    m.__set_total_compressed_size(int64_t(file.size()) - start);
    m.__set_data_page_offset(start);
    format::ColumnChunk chunk;
    chunk.__set_file_offset(start);
    chunk.__set_meta_data(m);
    rg.columns.push_back(chunk);
  }
  rg.__set_num_rows(rows);
  rg.__set_total_byte_size(int64_t(file.size()));
  format::SchemaElement root;
  root.__set_name("schema");
  root.__set_num_children(top);
  std::vector<format::SchemaElement> schema = {root};
  schema.insert(schema.end(), elements.begin(), elements.end());
  format::FileMetaData meta;
  meta.__set_version(1);
  meta.__set_schema(schema);
  meta.__set_num_rows(rows);
  meta.__set_row_groups({rg});
  std::string footer;
  REQUIRE(parquet::EncodeFileMetaData(meta, &footer).ok());
  file += footer;
  uint32_t len = uint32_t(footer.size());
  file.append(reinterpret_cast<const char*>(&len), 4);
  return file + "PAR1";
}

}  // namespace

TEST_CASE("Legacy Parquet list and map forms read as LogicalTypes.md says", "[parquet][nested]") {
  using CT = format::ConvertedType;
  // a: two-level list of required int32; b: "_tuple" group as the element;
  // kv: a bare repeated group of two fields; m: MAP_KEY_VALUE.
  std::vector<format::SchemaElement> schema = {
      Annotated(El("a", FR::OPTIONAL, 1), CT::LIST), El("array", FR::REPEATED),
      Annotated(El("b", FR::OPTIONAL, 1), CT::LIST), El("b_tuple", FR::REPEATED, 1), El("x", FR::REQUIRED),
      El("kv", FR::REPEATED, 2), El("k", FR::REQUIRED), El("v", FR::OPTIONAL),
      Annotated(El("m", FR::OPTIONAL, 1), CT::MAP_KEY_VALUE), El("map", FR::REPEATED, 2),
      Annotated(El("key", FR::REQUIRED, 0, format::Type::BYTE_ARRAY), CT::UTF8), El("value", FR::OPTIONAL)};
  // Rows: a = [1, 2], [], null; b = [{x: 5}], null, [{x: 6}, {x: 7}];
  // kv = [], [{k: 1, v: null}], [{k: 2, v: 3}]; m = {"p": 4}, null, {}.
  std::string key = std::string("\x01\x00\x00\x00", 4) + "p";
  std::vector<LeafData> leaves = {
      {"a.array", format::Type::INT32, 1, 2, {0, 1, 0, 0}, {2, 2, 1, 0}, Ints({1, 2})},
      {"b.b_tuple.x", format::Type::INT32, 1, 2, {0, 0, 0, 1}, {2, 0, 2, 2}, Ints({5, 6, 7})},
      {"kv.k", format::Type::INT32, 1, 1, {0, 0, 0}, {0, 1, 1}, Ints({1, 2})},
      {"kv.v", format::Type::INT32, 1, 2, {0, 0, 0}, {0, 1, 2}, Ints({3})},
      {"m.map.key", format::Type::BYTE_ARRAY, 1, 2, {0, 0, 0}, {2, 0, 1}, key},
      {"m.map.value", format::Type::INT32, 1, 3, {0, 0, 0}, {3, 0, 1}, Ints({4})}};
  auto r = ReadBytes(NestedFile(schema, 4, leaves, 3));
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  const Schema& s = *r->schema;
  CHECK(s.field(0).type == DataType::List(Field{"array", DataType(TypeId::kInt32), false, {}}));
  CHECK(s.field(1).type ==
        DataType::List(Field{"b_tuple", DataType::Struct({Field{"x", DataType(TypeId::kInt32), false, {}}}), false, {}}));
  CHECK_FALSE(s.field(2).nullable);
  CHECK(s.field(3).type.id == TypeId::kMap);
  CHECK(ColumnJson(*r, 0) == nlohmann::json::parse(R"([[1, 2], [], null])"));
  CHECK(ColumnJson(*r, 1) == nlohmann::json::parse(R"([[{"x": 5}], null, [{"x": 6}, {"x": 7}]])"));
  CHECK(ColumnJson(*r, 2) == nlohmann::json::parse(R"([[], [{"k": 1, "v": null}], [{"k": 2, "v": 3}]])"));
  CHECK(ColumnJson(*r, 3) == nlohmann::json::parse(R"([[{"key": "p", "value": 4}], null, []])"));
}

TEST_CASE("Damaged Parquet levels are errors naming the column and row group", "[parquet][nested]") {
  std::vector<format::SchemaElement> schema = {
      Annotated(El("a", FR::OPTIONAL, 1), format::ConvertedType::LIST), El("list", FR::REPEATED, 1),
      El("element", FR::REQUIRED)};
  auto read = [&](std::vector<uint32_t> rep, std::vector<uint32_t> def, int64_t rows) {
    return ReadBytes(NestedFile(schema, 1, {{"a.list.element", format::Type::INT32, 1, 2, rep, def, Ints({1, 2, 3})}}, rows));
  };
  REQUIRE(read({0, 1, 0}, {2, 2, 2}, 2).ok());
  auto continues_null = read({0, 1}, {0, 2}, 1);
  REQUIRE_FALSE(continues_null.ok());
  CHECK(continues_null.status().message().find("column \"a.list.element\", row group 0") != std::string::npos);
  CHECK(continues_null.status().message().find("continues a null or empty list") != std::string::npos);
  auto first = read({1, 0}, {2, 2}, 1);
  REQUIRE_FALSE(first.ok());
  CHECK(first.status().message().find("first repetition level is 1") != std::string::npos);
  auto too_deep = read({0, 0}, {2, 3}, 2);  // bit width 2 holds 3
  REQUIRE_FALSE(too_deep.ok());
  CHECK(too_deep.status().message().find("definition level 3 above the column's maximum 2") != std::string::npos);
  CHECK(too_deep.status().message().find("page 0") != std::string::npos);
  auto rows = read({0, 1, 0}, {2, 2, 2}, 3);
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.status().message().find("its levels give 2 rows, the row group has 3") != std::string::npos);
}

TEST_CASE("large_list and fixed_size_list come back through Quiver's Parquet as written",
          "[parquet][nested]") {
  // fixed_size_list<int32>[2]: [1, 2], null, [5, null]; large_list<utf8>: ["a"], [], null.
  auto fsl = std::make_shared<ArrayData>();
  fsl->type = DataType::FixedSizeList(Field{"item", DataType(TypeId::kInt32), true, {}}, 2);
  fsl->length = 3;
  fsl->null_count = 1;
  const uint8_t valid = 0b101;
  fsl->buffers = {Buffer::Copy(&valid, 1)};
  auto ints = std::make_shared<ArrayData>();
  ints->type = DataType(TypeId::kInt32);
  ints->length = 6;
  ints->null_count = 3;
  const uint8_t int_valid = 0b010011;
  const int32_t int_values[] = {1, 2, 0, 0, 5, 0};
  ints->buffers = {Buffer::Copy(&int_valid, 1), Buffer::Copy(int_values, sizeof int_values)};
  fsl->children = {ints};
  auto ll = std::make_shared<ArrayData>();
  ll->type = DataType::List(Field{"item", DataType(TypeId::kUtf8), true, {}}, true);
  ll->length = 3;
  ll->null_count = 1;
  const uint8_t ll_valid = 0b011;
  const int32_t ll_offsets[] = {0, 1, 1, 1};
  ll->buffers = {Buffer::Copy(&ll_valid, 1), Buffer::Copy(ll_offsets, sizeof ll_offsets)};
  auto strs = std::make_shared<ArrayData>();
  strs->type = DataType(TypeId::kUtf8);
  strs->length = 1;
  const int32_t str_offsets[] = {0, 1};
  strs->buffers = {nullptr, Buffer::Copy(str_offsets, sizeof str_offsets), Buffer::Copy("a", 1)};
  ll->children = {strs};
  auto schema = std::make_shared<const Schema>(
      std::vector<Field>{Field{"f", fsl->type, true, {}}, Field{"l", ll->type, true, {}}});
  RecordBatch b{schema, 3, {fsl, ll}};
  auto file = parquet::WriteParquet(schema, {b});
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  auto r = ReadBytes(*file);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(r->schema->field(0).type == fsl->type);
  CHECK(r->schema->field(0).type.child(0).name == "item");
  CHECK(r->schema->field(1).type.large_offsets);
  CHECK(ColumnJson(*r, 0) == nlohmann::json::parse(R"([[1, 2], null, [5, null]])"));
  CHECK(ColumnJson(*r, 1) == nlohmann::json::parse(R"([["a"], [], null])"));
}

TEST_CASE("Nested string leaves are dictionary-encoded when their values repeat, PLAIN when they do not",
          "[parquet][nested]") {
  // struct<tag: utf8, name: utf8>, 300 rows: tag takes 3 values (and nulls),
  // name is distinct in every row.
  Field tag{"tag", DataType(TypeId::kUtf8), true, {}}, name{"name", DataType(TypeId::kUtf8), true, {}};
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"s", DataType::Struct({tag, name}), true, {}}});
  RecordBatchBuilder b(schema);
  for (int i = 0; i < 300; ++i) {
    ArrayBuilder& st = b.column(0);
    if (i % 17 == 0) {
      st.AppendNull();
      continue;
    }
    if (i % 5 == 0) st.child(0).AppendNull();
    else st.child(0).AppendString(std::string("tag-") + char('a' + i % 3));
    st.child(1).AppendString("name-" + std::to_string(i));
    st.AppendStruct();
  }
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  parquet::WriteOptions o;
  o.page_rows = 64;
  auto file = parquet::WriteParquet(schema, {*batch}, o);
  REQUIRE(file.ok());
  const format_meta_t meta = Footer(*file);
  CHECK(LeafIsDictionaryEncoded(meta, "s.tag"));
  CHECK_FALSE(LeafIsDictionaryEncoded(meta, "s.name"));
  // The statistics are those of the values, as for a PLAIN leaf.
  const auto& tag_meta = meta.row_groups[0].columns[0].meta_data;
  CHECK(tag_meta.statistics.min_value == "tag-a");
  CHECK(tag_meta.statistics.max_value == "tag-c");
  auto back = ReadBytes(*file);
  INFO(back.status().ToString());
  REQUIRE(back.ok());
  ColumnViews in(*batch);
  nlohmann::json want = nlohmann::json::array();
  for (int64_t i = 0; i < batch->num_rows; ++i) want.push_back(NestedJson(in[0], i));
  CHECK(ColumnJson(*back, 0) == want);
  CHECK(back->schema->field(0).type == schema->field(0).type);
}
