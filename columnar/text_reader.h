// Options, callbacks and results shared by the text readers (CSV and NDJSON,
// columnar/csv.h and columnar/ndjson.h).
//
// A reader turns rows of text into RecordBatches of one schema: either the
// caller's (`TextReadOptions::schema`) or one inferred from the first rows
// (see columnar/infer.h for the rules), with per-column overrides.
//
// Streaming: the input is pulled through a ReadFn in pieces, cut into blocks
// of whole rows (a CSV row may span lines inside quotes), and the blocks are
// parsed on `num_threads` threads; batches, rejected rows and errors are
// delivered on the calling thread in input order. Memory stays bounded by
// about (num_threads + 2) blocks.
//
// Errors name the source, the line (1-based physical line, counting line
// ends inside quoted fields), the column (number and name) and the byte
// offset in the (decompressed) input. Codes: InvalidArgument for malformed
// text (bad quoting, ragged rows, invalid UTF-8, bad JSON, unknown columns),
// TypeError for a value that does not fit its column's type, Cancelled when
// `cancelled` returned true.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "columnar/infer.h"
#include "columnar/types.h"
#include "config/status.h"

namespace quiver {

enum class OnError {
  kAbort,  // the first bad row stops the read with its error
  kSkip,   // bad rows are left out and reported through on_reject
};

struct RejectedRow {
  int64_t line = 0;         // where the row starts
  int64_t byte_offset = 0;  // of the row start
  std::string raw;          // the row's bytes without its line end
  std::string reason;       // the error message (with source and line)
};

struct TextReadOptions {
  // Named in messages ("trips.csv:12: ...").
  std::string source_name = "<input>";
  // The schema to read into (no inference). CSV header names / NDJSON keys
  // are matched to its fields by name.
  std::shared_ptr<const Schema> schema;
  // Without `schema`: types for some columns (matched by name); the others
  // are inferred.
  std::vector<Field> overrides;
  InferOptions infer;
  // Inference looks at the first sample_rows rows, or fewer if they take
  // more than sample_bytes.
  int64_t sample_rows = 10000;
  int64_t sample_bytes = 16 << 20;
  // Rows per batch (the last one may be shorter; skipped rows make a batch
  // shorter too).
  int64_t batch_rows = 65536;
  // Parser threads; 0 = one per hardware thread.
  int num_threads = 0;
  OnError on_error = OnError::kAbort;
  // Polled between blocks; returning true stops the read with Cancelled.
  std::function<bool()> cancelled;
};

// Fills buf with up to n bytes and returns how many; 0 at end of input.
using ReadFn = std::function<Result<size_t>(char* buf, size_t n)>;

struct TextCallbacks {
  // Called once, before the first batch, with the schema batches will have
  // (also for an input with no rows). An error stops the read.
  std::function<Status(const std::shared_ptr<const Schema>&)> on_schema;
  // Each batch, in input order. An error stops the read.
  std::function<Status(RecordBatch)> on_batch;
  // Each rejected row (OnError::kSkip), in input order.
  std::function<void(const RejectedRow&)> on_reject;
  // After each block: input bytes consumed and rows read so far.
  std::function<void(int64_t bytes, int64_t rows)> on_progress;
};

struct TextReadStats {
  int64_t rows = 0;      // rows delivered in batches
  int64_t rejected = 0;  // rows skipped
  int64_t bytes = 0;     // input bytes consumed
  int64_t batches = 0;
};

// A whole input read at once.
struct TextTable {
  std::shared_ptr<const Schema> schema;
  std::vector<RecordBatch> batches;
  std::vector<RejectedRow> rejected;
  int64_t num_rows() const {
    int64_t n = 0;
    for (const auto& b : batches) n += b.num_rows;
    return n;
  }
};

}  // namespace quiver
