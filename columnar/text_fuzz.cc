// libFuzzer target: feeds arbitrary bytes to the CSV and NDJSON readers
// (inferring or with a fixed schema, aborting or skipping bad rows, one or
// two threads, small batches). Every input must produce batches or an error
// Status, never a crash or an out-of-bounds read (built with ASan/UBSan).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "columnar/csv.h"
#include "columnar/ndjson.h"
#include "columnar/schema_spec.h"
#include "columnar/stats.h"

namespace {

// Touches every value so that the sanitizers see any bad offset.
void Consume(const quiver::Result<quiver::TextTable>& t) {
  if (!t.ok()) return;
  for (const auto& b : t->batches) {
    for (const auto& s : quiver::ComputeBatchStats(b)) (void)s.Serialize();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  static const auto schema = std::make_shared<quiver::Schema>(*quiver::ParseSchemaSpec(
      "a:int64,b:utf8,c:float64,d:date32,e:timestamp[ns, tz=UTC],f:dictionary<int8, utf8>,g:bool,h:uint8"));
  quiver::TextReadOptions base;
  base.num_threads = (mode & 1) ? 2 : 1;
  base.on_error = (mode & 2) ? quiver::OnError::kSkip : quiver::OnError::kAbort;
  base.batch_rows = 1 + (mode >> 5);
  base.sample_rows = 1 + (mode >> 4);
  if (mode & 4) base.schema = schema;
  if (mode & 8) {
    quiver::NdjsonOptions o;
    static_cast<quiver::TextReadOptions&>(o) = base;
    Consume(quiver::ReadNdjson(text, o));
  } else {
    quiver::CsvOptions o;
    static_cast<quiver::TextReadOptions&>(o) = base;
    o.header = (mode & 16) == 0;
    o.null_values = {"", "NA"};
    Consume(quiver::ReadCsv(text, o));
  }
  return 0;
}
