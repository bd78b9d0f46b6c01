#include <catch2/catch.hpp>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "columnar_test_util.h"

using namespace quiver;

TEST_CASE("Builders produce 64-byte aligned buffers with validity only when needed", "[columnar]") {
  ArrayBuilder b{DataType(TypeId::kInt32)};
  for (int i = 0; i < 10; ++i) b.AppendInt(i);
  auto a = b.Finish().value();
  CHECK(a->null_count == 0);
  CHECK(a->buffers[0] == nullptr);
  CHECK(reinterpret_cast<uintptr_t>(a->buffers[1]->data()) % 64 == 0);
  CHECK(a->View().Value<int32_t>(9) == 9);
  CHECK(b.length() == 0);  // Finish resets

  ArrayBuilder s{DataType(TypeId::kUtf8)};
  s.AppendString("ab");
  s.AppendNull();
  s.AppendString("");
  s.AppendString("cde");
  auto sa = s.Finish().value();
  ArrayView v = sa->View();
  CHECK(sa->null_count == 1);
  CHECK(v.IsNull(1));
  CHECK(v.StringValue(0) == "ab");
  CHECK(v.StringValue(2).empty());
  CHECK(v.StringValue(3) == "cde");
}

TEST_CASE("Bool builder packs bits LSB first", "[columnar]") {
  ArrayBuilder b{DataType(TypeId::kBool)};
  for (int i = 0; i < 20; ++i) {
    if (i == 7) {
      b.AppendNull();
    } else {
      b.AppendBool(i % 3 == 0);
    }
  }
  auto a = b.Finish().value();
  CHECK(a->buffers[1]->data()[0] == 0b01001001);
  ArrayView v = a->View();
  CHECK(v.IsNull(7));
  CHECK(v.BoolValue(9));
  CHECK_FALSE(v.BoolValue(10));
}

TEST_CASE("Dictionary builder reports a dictionary that outgrows int8 indices", "[columnar]") {
  ArrayBuilder b(DataType::Dictionary(TypeId::kInt8));
  for (int i = 0; i < 129; ++i) b.AppendString(std::to_string(i));
  auto r = b.Finish();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kOverflow);
  ArrayBuilder ok(DataType::Dictionary(TypeId::kInt8));
  for (int i = 0; i < 1000; ++i) ok.AppendString(std::to_string(i % 128));
  auto a = ok.Finish().value();
  CHECK(a->dictionary->length == 128);
  CHECK(a->View().DictIndex(999) == 999 % 128);
}

TEST_CASE("Dictionaries with int64 and unsigned indices build, hold their index range and round-trip IPC",
          "[columnar]") {
  for (TypeId index : {TypeId::kUInt8, TypeId::kUInt16, TypeId::kUInt32, TypeId::kUInt64, TypeId::kInt64}) {
    INFO(TypeIdName(index));
    const int64_t max = MaxDictionarySize(index);
    CHECK(max == (index == TypeId::kUInt8 ? 256 : index == TypeId::kUInt16 ? 65536 : int64_t(1) << 31));
    auto schema = std::make_shared<Schema>(std::vector<Field>{{"s", DataType::Dictionary(index), true, {}}});
    RecordBatchBuilder b(schema);
    const int distinct = index == TypeId::kUInt8 ? 256 : 300;  // uint8: every index up to 255
    for (int i = 0; i < 1000; ++i) {
      if (i % 7 == 3) {
        b.column(0).AppendNull();
      } else {
        b.column(0).AppendString("v" + std::to_string(i % distinct));
      }
    }
    auto batch = b.Finish().value();
    auto bytes = WriteIpcStream(*schema, {batch});
    REQUIRE(bytes.ok());
    auto back = ReadIpc(std::make_shared<const std::string>(*bytes));
    INFO(back.status().ToString());
    REQUIRE(back.ok());
    CHECK(back->schema->field(0).type == DataType::Dictionary(index));
    ArrayView v = back->batches[0].columns[0]->View();
    ArrayView d = back->batches[0].columns[0]->dictionary->View();
    for (int i = 0; i < 1000; ++i) {
      REQUIRE(v.IsNull(i) == (i % 7 == 3));
      if (!v.IsNull(i)) REQUIRE(d.StringValue(v.DictIndex(i)) == "v" + std::to_string(i % distinct));
    }
  }
  ArrayBuilder over(DataType::Dictionary(TypeId::kUInt8));
  for (int i = 0; i < 257; ++i) over.AppendString(std::to_string(i));
  CHECK(over.Finish().status().code() == StatusCode::kOverflow);
}

TEST_CASE("Record batch builder rejects columns of different lengths", "[columnar]") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"a", DataType(TypeId::kInt8), true, {}},
                                                            {"b", DataType(TypeId::kInt8), true, {}}});
  RecordBatchBuilder b(schema);
  b.column(0).AppendInt(1);
  CHECK(b.Finish().status().message() == "column 'b' has 0 rows, expected 1");
}

TEST_CASE("Slicing a batch keeps values and recounts nulls", "[columnar]") {
  RecordBatch full = testing::AllTypesBatch(0, 50);
  RecordBatch s = SliceBatch(full, 7, 20).value();
  CHECK(testing::BatchJson(s)["batches"][0]["columns"] == testing::BatchJson(testing::AllTypesBatch(7, 20))["batches"][0]["columns"]);
  for (const auto& c : s.columns) CHECK(c->null_count == ComputeNullCount(*c));
  CHECK_FALSE(SliceBatch(full, 40, 11).ok());
}
