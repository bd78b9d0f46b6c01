// Nested columns (list, large_list, fixed_size_list, struct, map) in the
// columnar layer: types, schemas, IPC streams and chunks, slices,
// concatenation, and damaged nested data refused with the column named.
#include <catch2/catch.hpp>

#include "columnar/builder.h"
#include "columnar/concat.h"
#include "columnar/ipc.h"
#include "columnar/ipc_internal.h"
#include "columnar/schema.h"

using namespace quiver;
namespace fb = quiver::ipc_internal::fb;

namespace {

std::shared_ptr<Buffer> Bytes(const void* p, size_t n) { return Buffer::Copy(p, int64_t(n)); }

std::shared_ptr<ArrayData> Int32s(std::vector<int32_t> v, std::vector<bool> valid = {}) {
  auto a = std::make_shared<ArrayData>();
  a->type = DataType(TypeId::kInt32);
  a->length = int64_t(v.size());
  std::shared_ptr<Buffer> bits;
  if (!valid.empty()) {
    bits = Buffer::Allocate(BytesForBits(a->length));
    for (size_t i = 0; i < valid.size(); ++i) {
      if (valid[i]) SetBit(bits->mutable_data(), int64_t(i));
      a->null_count += !valid[i];
    }
  }
  a->buffers = {bits, Bytes(v.data(), v.size() * 4)};
  return a;
}

// list<item: int32> of rows [1, 2], null, [], [3, 4, 5] and the struct
// <n: int32, l: list<int32>> of rows {10, [1,2]}, {null, null}, null, {13, [3,4,5]}.
RecordBatch NestedBatch() {
  const DataType list = DataType::List(Field{"item", DataType(TypeId::kInt32), true, {}});
  auto l = std::make_shared<ArrayData>();
  l->type = list;
  l->length = 4;
  l->null_count = 1;
  auto lv = Buffer::Allocate(1);
  lv->mutable_data()[0] = 0b1101;
  int32_t off[] = {0, 2, 2, 2, 5};
  l->buffers = {lv, Bytes(off, sizeof off)};
  l->children = {Int32s({1, 2, 3, 4, 5})};
  auto s = std::make_shared<ArrayData>();
  s->type = DataType::Struct({Field{"n", DataType(TypeId::kInt32), true, {}}, Field{"l", list, true, {}}});
  s->length = 4;
  s->null_count = 1;
  auto sv = Buffer::Allocate(1);
  sv->mutable_data()[0] = 0b1011;
  s->buffers = {sv};
  s->children = {Int32s({10, 0, 12, 13}, {true, false, true, true}), l};
  RecordBatch b;
  b.schema = std::make_shared<Schema>(std::vector<Field>{{"l", list, true, {}}, {"s", s->type, true, {}}});
  b.num_rows = 4;
  b.columns = {l, s};
  return b;
}

// Row i of a list<int32> view as text ("null", "[1,2]").
std::string ListText(const ArrayView& v, int64_t i) {
  if (v.IsNull(i)) return "null";
  std::string out = "[";
  const ArrayView& c = v.children[0];
  for (int32_t k = v.offsets[v.offset + i]; k < v.offsets[v.offset + i + 1]; ++k) {
    out += (out.size() > 1 ? "," : "") + (c.IsNull(k) ? std::string("null") : std::to_string(c.Value<int32_t>(k)));
  }
  return out + "]";
}

std::vector<std::string> Rows(const RecordBatch& b) {
  ColumnViews v(b);
  std::vector<std::string> out;
  for (int64_t i = 0; i < b.num_rows; ++i) {
    const ArrayView& s = v[1];
    std::string st = "null";
    if (s.IsValid(i)) {
      const ArrayView& n = s.children[0];
      const int64_t r = s.offset + i;
      st = "{" + (n.IsNull(r) ? std::string("null") : std::to_string(n.Value<int32_t>(r))) + "," +
           ListText(s.children[1], r) + "}";
    }
    out.push_back(ListText(v[0], i) + " " + st);
  }
  return out;
}

const std::vector<std::string> kRows = {"[1,2] {10,[1,2]}", "null {null,null}", "[] null", "[3,4,5] {13,[3,4,5]}"};

// A stream of one list<int32> column "l" whose record batch says `offsets`
// over a child of `child_len` values.
std::string ListStream(std::vector<int32_t> offsets, int64_t child_len) {
  auto list = std::make_shared<Schema>(std::vector<Field>{
      {"l", DataType::List(Field{"item", DataType(TypeId::kInt32), true, {}}), true, {}}});
  std::string out = *SchemaMessage(*list);
  flatbuffers::FlatBufferBuilder fbb;
  const int64_t rows = int64_t(offsets.size()) - 1;
  std::vector<fb::FieldNode> nodes{fb::FieldNode(rows, 0), fb::FieldNode(child_len, 0)};
  std::vector<fb::Buffer> bufs{fb::Buffer(0, 0), fb::Buffer(0, int64_t(offsets.size()) * 4), fb::Buffer(0, 0),
                               fb::Buffer(64, child_len * 4)};
  auto rb = fb::CreateRecordBatch(fbb, rows, fbb.CreateVectorOfStructs(nodes), fbb.CreateVectorOfStructs(bufs));
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch, rb.Union(), 128));
  std::string meta(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  meta.resize((meta.size() + 7) / 8 * 8, '\0');
  std::string head(8, '\0');
  ipc_internal::StoreU32(reinterpret_cast<uint8_t*>(head.data()), 0xFFFFFFFFu);
  ipc_internal::StoreU32(reinterpret_cast<uint8_t*>(head.data()) + 4, uint32_t(meta.size()));
  std::string body(128, '\0');
  std::memcpy(body.data(), offsets.data(), offsets.size() * 4);
  return out + head + meta + body;
}

}  // namespace

TEST_CASE("Nested types print, compare and validate", "[columnar]") {
  const DataType item = DataType(TypeId::kInt32);
  const DataType l = DataType::List(Field{"item", item, true, {}});
  CHECK(l.ToString() == "list<item: int32>");
  CHECK(DataType::List(Field{"element", item, true, {}}) == l);  // list item names are conventions
  CHECK(DataType::List(Field{"item", item, false, {}}) != l);
  CHECK(DataType::List(Field{"item", item, true, {}}, true).ToString() == "large_list<item: int32>");
  CHECK(DataType::FixedSizeList(Field{"v", item, true, {}}, 3).ToString() == "fixed_size_list<v: int32>[3]");
  CHECK(DataType::FixedSizeList(Field{"v", item, true, {}}, 3) != DataType::FixedSizeList(Field{"v", item, true, {}}, 4));
  const DataType s = DataType::Struct({Field{"a", item, true, {}}, Field{"b", DataType(TypeId::kUtf8), true, {}}});
  CHECK(s.ToString() == "struct<a: int32, b: utf8>");
  CHECK(DataType::Struct({Field{"a", item, true, {}}, Field{"c", DataType(TypeId::kUtf8), true, {}}}) != s);
  CHECK(DataType::Map(DataType(TypeId::kUtf8), item).ToString() == "map<utf8, int32>");
  CHECK(IsStoredType(s));
  CHECK_FALSE(IsStoredType(DataType::List(Field{"d", DataType::Dictionary(TypeId::kInt32), true, {}})));
}

TEST_CASE("Nested schemas round-trip through the catalog flatbuffer and JSON", "[columnar]") {
  RecordBatch b = NestedBatch();
  std::vector<Field> fields = b.schema->fields();
  fields.push_back({"ll", DataType::List(Field{"item", DataType(TypeId::kInt16), true, {}}, true), true, {}});
  fields.push_back({"m", DataType::Map(DataType(TypeId::kUtf8), DataType(TypeId::kFloat64), true), true, {}});
  fields.push_back({"f", DataType::FixedSizeList(Field{"v", DataType(TypeId::kFloat32), false, {}}, 2), true, {}});
  Schema schema(fields);
  auto fbs = SchemaToFlatbuffer(schema);
  REQUIRE(fbs.ok());
  auto back = SchemaFromFlatbuffer(reinterpret_cast<const uint8_t*>(fbs->data()), int64_t(fbs->size()));
  REQUIRE(back.ok());
  CHECK(SchemaEquals(**back, schema));
  CHECK((*back)->field(2).type.large_offsets);
  CHECK((*back)->field(3).type.keys_sorted);
  CHECK((*back)->field(2).metadata.empty());  // the storage marker is not user metadata
  auto json = SchemaFromJson(SchemaToJson(schema));
  REQUIRE(json.ok());
  CHECK(SchemaEquals(**json, schema));
  CHECK((*json)->field(2).type.large_offsets);
  CHECK((*json)->field(4).type.ToString() == "fixed_size_list<v: float32>[2]");
  auto bad = SchemaFromJson(R"({"fields":[{"name":"x","type":"list","children":[]}]})");
  CHECK_THAT(bad.status().message(), Catch::Contains("list needs exactly one child field"));
}

TEST_CASE("Nested columns round-trip through IPC streams and chunks, sliced and concatenated", "[columnar]") {
  RecordBatch b = NestedBatch();
  REQUIRE(ValidateBatch(b).ok());
  CHECK(Rows(b) == kRows);
  auto stream = WriteIpcStream(*b.schema, {b});
  REQUIRE(stream.ok());
  auto read = ReadIpc(std::make_shared<const std::string>(*stream));
  REQUIRE(read.ok());
  CHECK(Rows(read->batches[0]) == kRows);

  auto chunk = EncodeChunk(b);
  REQUIRE(chunk.ok());
  auto keep = std::make_shared<std::string>(*chunk);
  auto opened = OpenChunk(b.schema, reinterpret_cast<const uint8_t*>(keep->data()), int64_t(keep->size()), keep);
  REQUIRE(opened.ok());
  CHECK(Rows(*opened) == kRows);

  // A slice keeps its offset into list offsets and struct children; the
  // writer cuts the children to the rows written.
  auto slice = SliceBatch(b, 1, 3);
  REQUIRE(slice.ok());
  CHECK(Rows(*slice) == std::vector<std::string>(kRows.begin() + 1, kRows.end()));
  auto sliced_stream = WriteIpcStream(*b.schema, {*slice});
  REQUIRE(sliced_stream.ok());
  auto sliced = ReadIpc(std::make_shared<const std::string>(*sliced_stream));
  REQUIRE(sliced.ok());
  CHECK(Rows(sliced->batches[0]) == std::vector<std::string>(kRows.begin() + 1, kRows.end()));
  CHECK(sliced->batches[0].columns[0]->children[0]->length == 3);  // [] and [3,4,5]: child values 2..4 only

  RecordBatch both;
  both.schema = b.schema;
  both.num_rows = 7;
  for (size_t c = 0; c < 2; ++c) {
    std::vector<ArraySlice> parts{{b.columns[c].get(), 0, 4}, {slice->columns[c].get(), 0, 3}};
    auto col = ConcatenateArrays(b.schema->field(c).type, parts);
    REQUIRE(col.ok());
    both.columns.push_back(*col);
  }
  REQUIRE(ValidateBatch(both).ok());
  std::vector<std::string> want = kRows;
  want.insert(want.end(), kRows.begin() + 1, kRows.end());
  CHECK(Rows(both) == want);
}

TEST_CASE("Damaged nested IPC data is refused with the column named", "[columnar]") {
  auto good = ReadIpc(std::make_shared<const std::string>(ListStream({0, 2, 3}, 3)));
  REQUIRE(good.ok());
  CHECK(ListText(ColumnViews(good->batches[0])[0], 1) == "[0]");

  auto short_child = ReadIpc(std::make_shared<const std::string>(ListStream({0, 2, 5}, 3)));
  CHECK(short_child.status().code() == StatusCode::kCorruption);
  CHECK_THAT(short_child.status().message(), Catch::Contains("column 'l.item' has 3 values where at least 5 are needed"));

  auto decreasing = ReadIpc(std::make_shared<const std::string>(ListStream({0, 3, 1}, 3)));
  CHECK_THAT(decreasing.status().message(), Catch::Contains("column 'l' list offsets decrease at row 1 (3 > 1)"));

  auto negative = ReadIpc(std::make_shared<const std::string>(ListStream({-1, 0, 1}, 3)));
  CHECK_THAT(negative.status().message(), Catch::Contains("column 'l' first list offset -1 is negative"));

  // A batch built in memory with list offsets past its child is refused by
  // the writer's validation.
  RecordBatch b = NestedBatch();
  b.columns[0]->children[0] = Int32s({1, 2});
  CHECK_THAT(ValidateBatch(b).message(), Catch::Contains("column 'l': child 'item' has 2 values, rows need 5"));
}
