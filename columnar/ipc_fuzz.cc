// libFuzzer target: feeds arbitrary bytes to the IPC stream reader, the IPC
// file reader and the chunk opener (against a fixed schema with every type).
// Every input must produce batches or an error Status, never a crash or an
// out-of-bounds read (built with ASan/UBSan).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "columnar/ipc.h"
#include "columnar/stats.h"

namespace {

std::shared_ptr<const quiver::Schema> ChunkSchema() {
  using quiver::DataType;
  using quiver::TypeId;
  std::vector<quiver::Field> f = {
      {"b", DataType(TypeId::kBool), true, {}},
      {"i8", DataType(TypeId::kInt8), true, {}},
      {"i64", DataType(TypeId::kInt64), true, {}},
      {"u16", DataType(TypeId::kUInt16), true, {}},
      {"f64", DataType(TypeId::kFloat64), true, {}},
      {"s", DataType(TypeId::kUtf8), true, {}},
      {"bin", DataType(TypeId::kBinary), true, {}},
      {"d", DataType(TypeId::kDate32), true, {}},
      {"ts", DataType::Timestamp(quiver::TimeUnit::kMilli, "UTC"), true, {}},
      {"dict", DataType::Dictionary(TypeId::kInt16), true, {}},
  };
  return std::make_shared<quiver::Schema>(std::move(f));
}

// Touches every value so that the sanitizers see any bad offset.
void Consume(const quiver::RecordBatch& batch) {
  for (const auto& s : quiver::ComputeBatchStats(batch)) (void)s.Serialize();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto schema = ChunkSchema();
  // Copy into an owned buffer so that zero-copy batches have an owner.
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  const auto* p = reinterpret_cast<const uint8_t*>(bytes->data());
  auto n = int64_t(size);

  if (auto reader = quiver::StreamReader::Open(p, n, bytes); reader.ok()) {
    quiver::RecordBatch batch;
    for (int i = 0; i < 1000; ++i) {
      auto more = (*reader)->Next(&batch);
      if (!more.ok() || !*more) break;
      Consume(batch);
    }
  }
  if (auto reader = quiver::FileReader::Open(p, n, bytes); reader.ok()) {
    for (int i = 0; i < (*reader)->num_batches() && i < 1000; ++i) {
      auto batch = (*reader)->ReadBatch(i);
      if (batch.ok()) Consume(*batch);
    }
  }
  if (auto batch = quiver::OpenChunk(schema, p, n, bytes); batch.ok()) Consume(*batch);
  return 0;
}
