// The nested rows the C API tests write and check, shared by the pool
// generator (make_pool.cc `nested`), the Catch tests and, by formula, the C
// and Python readers (tests/capi/capi_read.c, tests/python/test_nested.py).
//
// Table "nested", row i:
//   id     int64 (not null)                 i
//   tags   list<item: utf8>                 null if i % 5 == 4, else i % 4 items;
//                                           item k null if (i + k) % 3 == 2, else "t<i>_<k>"
//   pt     struct<x: int32 (not null),      null if i % 6 == 5 (children still hold
//                 y: float64, name: utf8>   values there): x = i, y null if i % 4 == 1
//                                           else i * 1.5, name "p<i>"
//   vec    fixed_size_list<item: float32>[3]  null if i % 7 == 6; item k = i * 10 + k
//   attrs  map<utf8, int64> (keys sorted)   null if i % 8 == 7; i % 3 entries: key "k<k>",
//                                           value i * 100 + k, null when k == 1
//   big    large_list<item: int16>          null if i % 9 == 8, else [i, -i]
//   ll     list<item: list<item: int32>>    i % 3 inner lists; inner list j has j items,
//                                           item k = i * 100 + j * 10 + k
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "columnar/types.h"

namespace quiver::capi_test {

inline std::shared_ptr<const Schema> NestedSchema() {
  Field item_utf8{"item", DataType(TypeId::kUtf8), true, {}};
  Field item_i16{"item", DataType(TypeId::kInt16), true, {}};
  Field item_i32{"item", DataType(TypeId::kInt32), true, {}};
  Field item_f32{"item", DataType(TypeId::kFloat32), true, {}};
  DataType pt = DataType::Struct({{"x", DataType(TypeId::kInt32), false, {}},
                                  {"y", DataType(TypeId::kFloat64), true, {}},
                                  {"name", DataType(TypeId::kUtf8), true, {}}});
  Field inner{"item", DataType::List(item_i32), true, {}};
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"tags", DataType::List(item_utf8), true, {}},
      {"pt", pt, true, {{"kind", "point"}}},
      {"vec", DataType::FixedSizeList(item_f32, 3), true, {}},
      {"attrs", DataType::Map(DataType(TypeId::kUtf8), DataType(TypeId::kInt64), true), true, {}},
      {"big", DataType::List(item_i16, /*large=*/true), true, {}},
      {"ll", DataType::List(inner), true, {}},
  });
}

// A validity bitmap from `valid` (null when every row is valid) and its
// null count.
inline std::shared_ptr<Buffer> BitmapOf(const std::vector<bool>& valid, int64_t* nulls) {
  *nulls = 0;
  for (bool v : valid) *nulls += v ? 0 : 1;
  if (*nulls == 0) return nullptr;
  auto b = Buffer::Allocate(BytesForBits(int64_t(valid.size())));
  for (size_t i = 0; i < valid.size(); ++i) {
    if (valid[i]) SetBit(b->mutable_data(), int64_t(i));
  }
  return b;
}

// A nested column of `type`: validity from `valid`, list offsets (list and
// map only) and children.
inline std::shared_ptr<ArrayData> NestedArray(const DataType& type, const std::vector<bool>& valid,
                                              const std::vector<int32_t>& offsets,
                                              std::vector<std::shared_ptr<ArrayData>> children) {
  auto a = std::make_shared<ArrayData>();
  a->type = type;
  a->length = int64_t(valid.size());
  a->buffers = {BitmapOf(valid, &a->null_count)};
  if (type.id == TypeId::kList || type.id == TypeId::kMap) {
    auto o = Buffer::Copy(offsets.data(), int64_t(offsets.size() * sizeof(int32_t)));
    a->buffers.push_back(o);
  }
  a->children = std::move(children);
  return a;
}

inline std::shared_ptr<ArrayData> MustFinish(ArrayBuilder& b) {
  auto r = b.Finish();
  return r.ok() ? *r : nullptr;
}

// Rows [start, start + n).
inline Result<RecordBatch> MakeNested(int64_t start, int64_t n) {
  auto schema = NestedSchema();
  auto type = [&](int i) { return schema->field(size_t(i)).type; };
  ArrayBuilder id{DataType(TypeId::kInt64)};
  ArrayBuilder tag_items{DataType(TypeId::kUtf8)}, x{DataType(TypeId::kInt32)},
      y{DataType(TypeId::kFloat64)}, name{DataType(TypeId::kUtf8)},
      vec_items{DataType(TypeId::kFloat32)}, keys{DataType(TypeId::kUtf8)},
      values{DataType(TypeId::kInt64)}, big_items{DataType(TypeId::kInt16)},
      ll_items{DataType(TypeId::kInt32)};
  std::vector<bool> tags_valid, pt_valid, vec_valid, attrs_valid, big_valid, ll_valid,
      inner_valid;
  std::vector<int32_t> tags_off{0}, attrs_off{0}, big_off{0}, ll_off{0}, inner_off{0};
  for (int64_t i = start; i < start + n; ++i) {
    id.AppendInt(i);
    tags_valid.push_back(i % 5 != 4);
    for (int64_t k = 0; tags_valid.back() && k < i % 4; ++k) {
      if ((i + k) % 3 == 2)
        tag_items.AppendNull();
      else
        tag_items.AppendString("t" + std::to_string(i) + "_" + std::to_string(k));
    }
    tags_off.push_back(int32_t(tag_items.length()));
    pt_valid.push_back(i % 6 != 5);
    x.AppendInt(i);
    if (i % 4 == 1)
      y.AppendNull();
    else
      y.AppendDouble(double(i) * 1.5);
    name.AppendString("p" + std::to_string(i));
    vec_valid.push_back(i % 7 != 6);
    for (int64_t k = 0; k < 3; ++k) vec_items.AppendDouble(double(i * 10 + k));
    attrs_valid.push_back(i % 8 != 7);
    for (int64_t k = 0; attrs_valid.back() && k < i % 3; ++k) {
      keys.AppendString("k" + std::to_string(k));
      if (k == 1)
        values.AppendNull();
      else
        values.AppendInt(i * 100 + k);
    }
    attrs_off.push_back(int32_t(keys.length()));
    big_valid.push_back(i % 9 != 8);
    if (big_valid.back()) {
      big_items.AppendInt(i);
      big_items.AppendInt(-i);
    }
    big_off.push_back(int32_t(big_items.length()));
    ll_valid.push_back(true);
    for (int64_t j = 0; j < i % 3; ++j) {
      for (int64_t k = 0; k < j; ++k) ll_items.AppendInt(i * 100 + j * 10 + k);
      inner_valid.push_back(true);
      inner_off.push_back(int32_t(ll_items.length()));
    }
    ll_off.push_back(int32_t(inner_valid.size()));
  }
  const DataType& entries = type(4).child(0).type;
  const std::vector<bool> entries_valid(size_t(keys.length()), true);
  const DataType& inner = type(6).child(0).type;
  RecordBatch batch;
  batch.schema = schema;
  batch.num_rows = n;
  batch.columns = {
      MustFinish(id),
      NestedArray(type(1), tags_valid, tags_off, {MustFinish(tag_items)}),
      NestedArray(type(2), pt_valid, {}, {MustFinish(x), MustFinish(y), MustFinish(name)}),
      NestedArray(type(3), vec_valid, {}, {MustFinish(vec_items)}),
      NestedArray(type(4), attrs_valid, attrs_off,
                  {NestedArray(entries, entries_valid, {},
                               {MustFinish(keys), MustFinish(values)})}),
      NestedArray(type(5), big_valid, big_off, {MustFinish(big_items)}),
      NestedArray(type(6), ll_valid, ll_off,
                  {NestedArray(inner, inner_valid, inner_off, {MustFinish(ll_items)})}),
  };
  for (const auto& c : batch.columns) {
    if (c == nullptr) return Status::Internal("MakeNested: a builder failed");
  }
  QUIVER_RETURN_NOT_OK(ValidateBatch(batch));
  return batch;
}

// Row i of column `col` of "nested" as tests/capi/arrow_c_walk.h renders it
// (JSON: %.17g floats, maps as [{"key", "value"}...]).
inline std::string ExpectedNested(int64_t i, int col) {
  auto num = [](double v) {
    char t[64];
    std::snprintf(t, sizeof t, "%.17g", v);
    return std::string(t);
  };
  auto str = [](const std::string& v) { return "\"" + v + "\""; };
  std::string out;
  switch (col) {
    case 0:
      return std::to_string(i);
    case 1:
      if (i % 5 == 4) return "null";
      out = "[";
      for (int64_t k = 0; k < i % 4; ++k) {
        out += k ? "," : "";
        out += (i + k) % 3 == 2 ? "null" : str("t" + std::to_string(i) + "_" + std::to_string(k));
      }
      return out + "]";
    case 2:
      if (i % 6 == 5) return "null";
      return "{\"x\":" + std::to_string(i) + ",\"y\":" + (i % 4 == 1 ? "null" : num(double(i) * 1.5)) +
             ",\"name\":" + str("p" + std::to_string(i)) + "}";
    case 3:
      if (i % 7 == 6) return "null";
      return "[" + num(double(i * 10)) + "," + num(double(i * 10 + 1)) + "," + num(double(i * 10 + 2)) + "]";
    case 4:
      if (i % 8 == 7) return "null";
      out = "[";
      for (int64_t k = 0; k < i % 3; ++k) {
        out += k ? "," : "";
        out += "{\"key\":" + str("k" + std::to_string(k)) +
               ",\"value\":" + (k == 1 ? std::string("null") : std::to_string(i * 100 + k)) + "}";
      }
      return out + "]";
    case 5:
      if (i % 9 == 8) return "null";
      return "[" + std::to_string(i) + "," + std::to_string(-i) + "]";
    default:
      out = "[";
      for (int64_t j = 0; j < i % 3; ++j) {
        out += j ? ",[" : "[";
        for (int64_t k = 0; k < j; ++k) out += (k ? "," : "") + std::to_string(i * 100 + j * 10 + k);
        out += "]";
      }
      return out + "]";
  }
}

}  // namespace quiver::capi_test
