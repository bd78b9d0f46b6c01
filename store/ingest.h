// The one ingest path: turns input bytes (a file, stdin or an HTTP request
// body) into record batches for a table. Used by `quiver ingest` and by
// quiverd's append endpoint, so both read the same formats with the same
// errors:
//   - the format, from a name (--format), a path's extension, a media type
//     or, failing those, the content (SniffInputFormat);
//   - gzip / zstd decompression chosen by magic bytes (InputReader);
//   - one rule for "this input's schema fits the table" (CheckInputSchema);
//   - CSV / TSV / NDJSON (columnar/csv.h, ndjson.h), Arrow IPC (stream or
//     file) or Parquet (columnar/parquet/reader.h) read into batches of the
//     table's schema (ReadInput).
//
// Thread-safety: an InputReader is used by one thread at a time; the free
// functions are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/array.h"
#include "columnar/compress.h"
#include "columnar/text_reader.h"
#include "config/status.h"

namespace quiver::store {

enum class InputFormat { kCsv, kTsv, kNdjson, kArrow, kParquet };

// "csv", "tsv"/"tab", "ndjson"/"jsonl"/"json", "arrow"/"arrows"/"ipc"/
// "feather", "parquet"/"pq" (any case); nullopt for another name.
std::optional<InputFormat> InputFormatFromName(const std::string& name);
// From the extension, looking through a .gz/.gzip/.zst/.zstd suffix;
// nullopt when the extension says nothing.
std::optional<InputFormat> InputFormatFromPath(const std::string& path);
// From an HTTP media type (application/x-ndjson, application/ndjson,
// application/jsonl, application/json-seq, text/csv,
// text/tab-separated-values, application/vnd.apache.arrow.stream or .file,
// application/vnd.apache.parquet or application/x-parquet).
// NotSupported, naming the accepted types, for another.
Result<InputFormat> InputFormatFromMediaType(const std::string& media_type);
// From the first decompressed bytes: Arrow IPC and Parquet by their magic,
// NDJSON when the
// first non-blank character is '{', else CSV.
InputFormat SniffInputFormat(std::string_view head);

// Decompressed bytes of one input. The codec is chosen by the input's first
// bytes (gzip 1f 8b, zstd 28 b5 2f fd), whatever its name says; other input
// passes through. Owns the decompressor; the raw source is a function.
class InputReader {
 public:
  // Reads up to n raw bytes into buf; 0 at the end.
  using RawRead = std::function<Result<size_t>(char* buf, size_t n)>;

  // `name` appears in messages ("trips.csv.gz: truncated gzip data ...");
  // `raw_total` is the raw size when known (for progress), else -1.
  static Result<std::unique_ptr<InputReader>> Open(std::string name, RawRead raw,
                                                   int64_t raw_total = -1);
  // Over bytes in memory (an HTTP request body); `bytes` must outlive the
  // reader.
  static Result<std::unique_ptr<InputReader>> FromBytes(std::string name, std::string_view bytes);

  const std::string& name() const { return name_; }
  Codec codec() const { return codec_; }
  int64_t raw_read() const { return raw_read_; }
  int64_t raw_total() const { return raw_total_; }

  // Decompressed bytes into out[0, n); 0 at the end. IOError for damaged or
  // truncated compressed data.
  Result<size_t> Read(char* out, size_t n);
  // The first n decompressed bytes (fewer at the end), read again by Read.
  Result<std::string> Peek(size_t n);

 private:
  InputReader() = default;
  Result<size_t> RawReadCounted(char* buf, size_t n);
  Result<bool> FillRaw();  // false at the end of the raw input
  Result<size_t> ReadDecoded(char* out, size_t n);

  std::string name_;
  RawRead raw_;
  int64_t raw_total_ = -1;
  int64_t raw_read_ = 0;
  Codec codec_ = Codec::kIdentity;
  std::unique_ptr<Decompressor> decoder_;
  std::string raw_buf_;
  size_t raw_pos_ = 0, raw_len_ = 0;
  std::string peek_;
  size_t peek_pos_ = 0;
};

// The one rule for appending an input to an existing table: the same fields
// in the same order, with the same names and types (nullability and
// metadata are not compared). TypeError naming the first difference, the
// input (`source`) and the table (`table`, or "the table" when empty).
Status CheckInputSchema(const std::string& table, const Schema& table_schema, const Schema& input,
                        const std::string& source);

struct InputOptions {
  InputFormat format = InputFormat::kCsv;
  std::string table;  // named in schema errors (may be empty)
  // The table's schema when it exists: text input is read into it and Arrow
  // input must match it (CheckInputSchema). Null: a new table, whose schema
  // comes from the input (inferred for text, carried by Arrow).
  std::shared_ptr<const Schema> table_schema;
  // Text input, new table only: types for some columns.
  std::vector<Field> overrides;
  int64_t batch_rows = 65536;
  int num_threads = 0;  // text parser threads; 0 = one per hardware thread
  OnError on_error = OnError::kAbort;
  std::optional<char> delimiter;                // CSV/TSV; default ',' or '\t'
  bool header = true;                           // CSV/TSV
  std::vector<std::string> null_values = {""};  // CSV/TSV
  std::function<bool()> cancelled;
};

// Reads `in` as `options.format`, calling cb.on_schema once with the schema
// of the batches, then cb.on_batch for each non-empty batch (Arrow batches
// are given the table's schema object), cb.on_reject / cb.on_progress as the
// text readers do (Arrow input reports progress while its bytes are read).
// Errors carry the input's name.
Status ReadInput(InputReader& in, const InputOptions& options, const TextCallbacks& cb,
                 TextReadStats* stats);

}  // namespace quiver::store
