// libFuzzer target: feeds arbitrary bytes to the Parquet reader (footer,
// schema mapping, page headers, codecs, every value and level decoder).
// Every input must produce batches or an error Status, never a crash or an
// out-of-bounds read (built with ASan/UBSan). The limits on rows and page
// sizes keep a damaged header from asking for gigabytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "columnar/parquet/reader.h"
#include "columnar/stats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  quiver::parquet::ReadOptions o;
  o.num_threads = 1;
  o.max_row_group_rows = 1 << 16;
  o.max_page_bytes = 1 << 20;
  auto file = quiver::parquet::ParquetFile::Open(bytes, o);
  if (!file.ok()) return 0;
  for (int i = 0; i < (*file)->num_row_groups() && i < 64; ++i) {
    auto batch = (*file)->ReadRowGroup(i);
    // Touches every value so that the sanitizers see any bad offset.
    if (batch.ok()) {
      for (const auto& s : quiver::ComputeBatchStats(*batch)) (void)s.Serialize();
    }
  }
  return 0;
}
