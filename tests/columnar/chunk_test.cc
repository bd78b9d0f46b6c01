#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "columnar_test_util.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::AllTypesBatch;
using quiver::testing::BatchJson;

namespace {

// 64-byte aligned memory standing in for a pool extent.
std::shared_ptr<uint8_t> AlignedBytes(int64_t n) {
  void* p = std::aligned_alloc(64, size_t(RoundUp64(n > 0 ? n : 1)));
  return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
}

}  // namespace

TEST_CASE("Chunk encoding round-trips every type with nulls through zero-copy open", "[columnar]") {
  RecordBatch batch = AllTypesBatch(0, 300);
  auto enc = ChunkEncoder::Make(batch);
  REQUIRE(enc.ok());
  int64_t size = enc->size();
  CHECK(size % 64 == 0);
  auto mem = AlignedBytes(size);
  std::memset(mem.get(), 0xAB, size_t(size));
  REQUIRE(enc->WriteTo(mem.get(), size).ok());
  CHECK(EncodedSize(batch).value() == size);

  auto opened = OpenChunk(batch.schema, mem.get(), size, mem);
  REQUIRE(opened.ok());
  CHECK(BatchJson(*opened) == BatchJson(batch));
  // Buffers point into the mapping, 64-byte aligned.
  for (const auto& col : opened->columns) {
    for (const auto& buf : col->buffers) {
      if (buf == nullptr || buf->size() == 0) continue;
      CHECK(buf->data() >= mem.get());
      CHECK(buf->data() < mem.get() + size);
      CHECK(reinterpret_cast<uintptr_t>(buf->data()) % 64 == 0);
    }
  }
  // The bytes are deterministic, padding included.
  auto again = EncodeChunk(batch);
  REQUIRE(again.ok());
  CHECK(std::memcmp(again->data(), mem.get(), size_t(size)) == 0);
}

TEST_CASE("Chunk encoding handles empty batches and slices with non-zero offsets", "[columnar]") {
  RecordBatch empty = AllTypesBatch(0, 0);
  auto bytes = EncodeChunk(empty);
  REQUIRE(bytes.ok());
  auto owner = std::make_shared<std::string>(*bytes);
  auto opened = OpenChunk(empty.schema, reinterpret_cast<const uint8_t*>(owner->data()), int64_t(owner->size()), owner);
  REQUIRE(opened.ok());
  CHECK(opened->num_rows == 0);
  CHECK(BatchJson(*opened) == BatchJson(empty));

  RecordBatch full = AllTypesBatch(0, 100);
  for (auto [off, len] : {std::pair<int64_t, int64_t>{3, 50}, {8, 17}, {13, 0}, {1, 99}, {99, 1}}) {
    auto slice = SliceBatch(full, off, len);
    REQUIRE(slice.ok());
    auto enc = EncodeChunk(*slice);
    REQUIRE(enc.ok());
    auto own = std::make_shared<std::string>(*enc);
    auto back = OpenChunk(full.schema, reinterpret_cast<const uint8_t*>(own->data()), int64_t(own->size()), own);
    REQUIRE(back.ok());
    CHECK(back->num_rows == len);
    CHECK(BatchJson(*back) == BatchJson(*slice));
    // The slice's values are the original rows.
    CHECK(BatchJson(*back) == BatchJson(AllTypesBatch(off, len)));
  }
}

TEST_CASE("EncodeInto refuses a destination smaller than the encoded size", "[columnar]") {
  RecordBatch batch = AllTypesBatch(0, 10);
  int64_t size = EncodedSize(batch).value();
  std::vector<uint8_t> dst(static_cast<size_t>(size));
  CHECK(EncodeInto(batch, dst.data(), size - 1).code() == StatusCode::kInvalidArgument);
  CHECK(EncodeInto(batch, dst.data(), size).ok());
}

TEST_CASE("Chunk encoder rejects a batch that does not match its schema", "[columnar]") {
  RecordBatch batch = AllTypesBatch(0, 10);
  batch.columns[2]->length = 9;
  CHECK(EncodedSize(batch).status().code() == StatusCode::kInvalidArgument);
  RecordBatch b2 = AllTypesBatch(0, 10);
  b2.columns.pop_back();
  CHECK(EncodedSize(b2).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Truncated chunks are refused with a corruption status", "[columnar]") {
  RecordBatch batch = AllTypesBatch(0, 40);
  std::string bytes = EncodeChunk(batch).value();
  for (size_t n = 0; n < bytes.size(); n += (n < 600 ? 1 : 61)) {
    auto own = std::make_shared<std::string>(bytes.substr(0, n));
    auto r = OpenChunk(batch.schema, reinterpret_cast<const uint8_t*>(own->data()), int64_t(n), own);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kCorruption);
  }
}

TEST_CASE("Chunks with flipped bytes never read out of bounds", "[columnar]") {
  RecordBatch batch = AllTypesBatch(0, 40);
  std::string bytes = EncodeChunk(batch).value();
  std::mt19937 rng(42);
  int errors = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    auto own = std::make_shared<std::string>(bytes);
    int flips = 1 + int(rng() % 3);
    for (int k = 0; k < flips; ++k) (*own)[rng() % own->size()] ^= char(1 + rng() % 255);
    auto r = OpenChunk(batch.schema, reinterpret_cast<const uint8_t*>(own->data()), int64_t(own->size()), own);
    if (!r.ok()) {
      ++errors;
      CHECK((r.status().code() == StatusCode::kCorruption || r.status().code() == StatusCode::kNotSupported));
      CHECK_THAT(r.status().message(), Catch::Contains("offset"));
    } else {
      // A damaged value byte can still decode; reading it must be safe.
      (void)BatchJson(*r);
    }
  }
  CHECK(errors > 0);
}

TEST_CASE("Chunk with a dictionary index out of range is refused", "[columnar]") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"d", DataType::Dictionary(TypeId::kInt8), true, {}}});
  RecordBatchBuilder b(schema);
  b.column(0).AppendString("x");
  b.column(0).AppendString("y");
  RecordBatch batch = b.Finish().value();
  std::string bytes = EncodeChunk(batch).value();
  // Find the index buffer: the last message's body holds bytes 0, 1.
  auto pos = bytes.rfind(std::string("\x00\x01", 2));
  REQUIRE(pos != std::string::npos);
  bytes[pos + 1] = 5;
  auto own = std::make_shared<std::string>(bytes);
  auto r = OpenChunk(schema, reinterpret_cast<const uint8_t*>(own->data()), int64_t(own->size()), own);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::StartsWith("column 'd' row 1: dictionary index 5 outside a dictionary of 2 values at offset "));
}

TEST_CASE("Opening a chunk without an owner copies its buffers", "[columnar]") {
  RecordBatch batch = AllTypesBatch(5, 20);
  auto bytes = std::make_unique<std::string>(EncodeChunk(batch).value());
  auto r = OpenChunk(batch.schema, reinterpret_cast<const uint8_t*>(bytes->data()), int64_t(bytes->size()), nullptr);
  REQUIRE(r.ok());
  std::memset(bytes->data(), 0, bytes->size());
  bytes.reset();
  CHECK(BatchJson(*r) == BatchJson(batch));
}

TEST_CASE("Regression: fuzz-found inputs (header without table, misaligned struct vectors, huge buffer offset) are refused", "[columnar]") {
  std::string dir = std::string(__FILE__).substr(0, std::string(__FILE__).rfind('/')) + "/fuzz_corpus/";
  std::vector<Field> f = {{"b", DataType(TypeId::kBool), true, {}},       {"i8", DataType(TypeId::kInt8), true, {}},
                          {"i64", DataType(TypeId::kInt64), true, {}},    {"u16", DataType(TypeId::kUInt16), true, {}},
                          {"f64", DataType(TypeId::kFloat64), true, {}},  {"s", DataType(TypeId::kUtf8), true, {}},
                          {"bin", DataType(TypeId::kBinary), true, {}},   {"d", DataType(TypeId::kDate32), true, {}},
                          {"ts", DataType::Timestamp(TimeUnit::kMilli, "UTC"), true, {}},
                          {"dict", DataType::Dictionary(TypeId::kInt16), true, {}}};
  auto schema = std::make_shared<Schema>(std::move(f));  // the schema of columnar/ipc_fuzz.cc
  for (const char* name : {"regression_header_without_table.bin", "regression_misaligned_field_nodes.bin",
                           "regression_huge_buffer_offset.arrows", "regression_type_without_table.arrows"}) {
    INFO(name);
    auto own = std::make_shared<std::string>(quiver::testing::ReadFileBytes(dir + name));
    REQUIRE_FALSE(own->empty());
    auto r = OpenChunk(schema, reinterpret_cast<const uint8_t*>(own->data()), int64_t(own->size()), own);
    if (r.ok()) (void)quiver::testing::BatchJson(*r);
    auto t = ReadIpc(own);
    if (t.ok()) (void)quiver::testing::BatchesJson(*t->schema, t->batches);
  }
}
