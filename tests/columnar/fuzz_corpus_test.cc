// Regenerates the Quiver-written seeds of tests/columnar/fuzz_corpus (hidden
// test; run `columnar_tests "[.corpus]"` with QUIVER_FUZZ_CORPUS_OUT set).
// The chunk seed uses the fixed schema of columnar/ipc_fuzz.cc.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "columnar_test_util.h"
#include "test_util.h"

using namespace quiver;

namespace {

// Must match ChunkSchema() in columnar/ipc_fuzz.cc.
std::shared_ptr<const Schema> FuzzChunkSchema() {
  std::vector<Field> f = {
      {"b", DataType(TypeId::kBool), true, {}},
      {"i8", DataType(TypeId::kInt8), true, {}},
      {"i64", DataType(TypeId::kInt64), true, {}},
      {"u16", DataType(TypeId::kUInt16), true, {}},
      {"f64", DataType(TypeId::kFloat64), true, {}},
      {"s", DataType(TypeId::kUtf8), true, {}},
      {"bin", DataType(TypeId::kBinary), true, {}},
      {"d", DataType(TypeId::kDate32), true, {}},
      {"ts", DataType::Timestamp(TimeUnit::kMilli, "UTC"), true, {}},
      {"dict", DataType::Dictionary(TypeId::kInt16), true, {}},
  };
  return std::make_shared<Schema>(std::move(f));
}

RecordBatch FuzzBatch(int64_t rows) {
  RecordBatchBuilder b(FuzzChunkSchema());
  for (int64_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < b.num_columns(); ++c) {
      ArrayBuilder& col = b.column(c);
      if ((r + int64_t(c)) % 4 == 0) {
        col.AppendNull();
        continue;
      }
      switch (col.type().is_dictionary() ? TypeId::kNone : col.type().id) {
        case TypeId::kBool: col.AppendBool(r & 1); break;
        case TypeId::kFloat64: col.AppendDouble(double(r) / 3); break;
        case TypeId::kUtf8: case TypeId::kBinary: col.AppendString(std::string(size_t(r % 4), 'a' + char(r))); break;
        case TypeId::kNone: col.AppendString(r % 3 ? "x" : "yy"); break;
        default: col.AppendInt(r * 3 - 7); break;
      }
    }
  }
  return b.Finish().value();
}

}  // namespace

TEST_CASE("Fuzz seed corpus is generated from Quiver's writers", "[.corpus]") {
  const char* out = std::getenv("QUIVER_FUZZ_CORPUS_OUT");
  REQUIRE(out != nullptr);
  std::string dir = out;
  auto schema = FuzzChunkSchema();
  std::vector<RecordBatch> batches = {FuzzBatch(9), FuzzBatch(0), FuzzBatch(3)};
  quiver::testing::WriteFileBytes(dir + "/quiver_chunk.bin", EncodeChunk(FuzzBatch(9)).value());
  quiver::testing::WriteFileBytes(dir + "/quiver_chunk_empty.bin", EncodeChunk(FuzzBatch(0)).value());
  quiver::testing::WriteFileBytes(dir + "/quiver_stream.arrows", WriteIpcStream(*schema, batches).value());
  quiver::testing::WriteFileBytes(dir + "/quiver_file.arrow", WriteIpcFile(*schema, batches).value());
  quiver::testing::WriteFileBytes(dir + "/quiver_all_types.arrows",
                                  WriteIpcStream(*quiver::testing::AllTypesSchema(),
                                                 {quiver::testing::AllTypesBatch(0, 6)}).value());
}
