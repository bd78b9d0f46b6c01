// Result formats: streaming writers that turn a schema and a sequence of
// record batches into JSON, NDJSON, CSV, TSV, an aligned text table, or an
// Arrow IPC stream / file — the bytes that quiverd and `quiver sql` send.
//
// A ResultWriter is driven as
//     Begin(schema)  Write(batch)*  End(trailer)      on success, or
//     Begin(schema)  Write(batch)*  Fail(status)      when an error comes up
// (Fail may also be called before Begin). Output goes to a TextSink, a
// callback that receives the bytes in order; an HTTP chunked response, a
// file or a std::string can all be sinks. Writers buffer output internally
// and call the sink whenever TextFormatOptions::flush_bytes have accumulated
// and at End/Fail, so each Write costs O(batch) memory, never O(result) —
// except the table format, which buffers every row to align its columns.
// A sink error is returned from the call that hit it and ends the writer:
// every later call returns the same error.
//
// Value renderings (the same in every text format unless noted):
//  - NULL: JSON null; an empty field in CSV/TSV; `NULL` in the table.
//  - bool: true / false.
//  - Integers: exact decimal digits. JSON numbers beyond 2^53 lose precision
//    in JavaScript's JSON.parse; the int64_as_string option writes every
//    int64 and uint64 value (whole column, so the JSON type never varies) as
//    a JSON string instead.
//  - float32/float64: the shortest text that reads back as the same value
//    (std::to_chars), with ".0" appended to integral values so that they stay
//    floats when read back (1.0, not 1; 1e+300 stays as is); float32 values
//    are shortest as float32 (0.1f prints 0.1). NaN and infinities are the
//    strings "NaN", "Infinity", "-Infinity" in JSON (quoted: JSON has no such
//    numbers) and the bare words NaN, Infinity, -Infinity in CSV/TSV/table.
//  - date32: YYYY-MM-DD (proleptic Gregorian; years outside 0000..9999 get a
//    sign and at least four digits, ISO 8601 expanded form: +10000-01-01).
//  - timestamp: ISO 8601 in UTC, YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z,
//    the fraction having exactly the digits of the unit (none for seconds).
//    A timestamp whose type names a time zone is still written in UTC with Z
//    (the instant is the same; the zone is in the column type).
//  - utf8: the text; invalid UTF-8 is replaced by U+FFFD, one per maximal
//    invalid subsequence (as Python's errors="replace" and WHATWG decoders).
//    JSON escapes ", \, and control characters (\n \r \t \b \f, else \u00XX).
//  - binary: base64 (RFC 4648, standard alphabet, padded) in JSON and CSV;
//    \x followed by hex digits in the table.
//  - dictionary-encoded utf8: the decoded string (JSON column type "utf8").
//
// Format specifics:
//  - json: {"columns":[{"name":"a","type":"int64"},...],
//           "rows":[[1,"x"],...],"row_count":N,"truncated":false,"elapsed_ms":1.250}
//    one row per line; `records` gives rows as objects {"a":1,"b":"x"}.
//    Column types are DataType::ToString() ("timestamp[ms, tz=UTC]"), with
//    dictionary columns reported as their value type.
//  - ndjson: one object per row and line, {"a":1,"b":"x"}, no trailer.
//  - csv: RFC 4180: a header line of column names, fields separated by ','
//    and quoted with "..." (inner quotes doubled) only when they contain the
//    delimiter, a quote, CR or LF; an empty string is written "" so that it
//    differs from NULL (an empty field). A first-column value starting with
//    '#' is quoted too, so that no data line can look like the error marker.
//    Lines end with LF (RFC 4180 says CRLF: set `crlf`).
//  - tsv: the csv rules with a tab as the delimiter.
//  - table: aligned columns for people, like psql: a header, a separator
//    line, numbers right-aligned, other values left-aligned, and a footer
//    "(N rows)". Cells longer than max_cell_width code points are cut and end
//    in "…"; newlines, tabs and other control characters in cells are shown
//    as \n, \t, \r, \xNN. Widths count code points.
//  - arrow / arrow-file: the Arrow IPC stream / file (columnar/ipc.h).
//  - parquet: an Apache Parquet file (columnar/parquet/writer.h), row groups
//    of about a million rows, compressed with TextFormatOptions::compression.
//
// Error markers (Fail, after output began):
//  - json: the document is closed with an "error" member in place of the
//    trailer: ...],"row_count":N,"error":{"code":"not_found","message":"..."}}
//    (before Begin, the whole document is {"error":{...}}).
//  - ndjson: a final line {"error":{"code":"...","message":"..."}}.
//  - csv/tsv: a final line `#error: <code>: <message>` (newlines in the
//    message replaced by spaces).
//  - table: the rows so far, then a line `ERROR: <code>: <message>`.
//  - arrow, parquet: nothing more is written; the stream ends without its
//    end-of-stream marker (a file without its footer), which readers of a
//    complete result reject. Codes are StatusCodeName() (config/status.h).
//
// Thread-safety: a writer is a single-threaded object.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "columnar/array.h"
#include "columnar/types.h"
#include "config/status.h"

namespace quiver {

enum class ResultFormat { kJson, kNdjson, kCsv, kTsv, kTable, kArrow, kArrowFile, kParquet };

// "json", "ndjson", "csv", "tsv", "table", "arrow", "arrow-file", "parquet".
const char* ResultFormatName(ResultFormat f);
// Accepts the names above; InvalidArgument lists them otherwise.
Result<ResultFormat> ParseResultFormat(std::string_view name);
// The HTTP Content-Type of a format, e.g. "text/csv; charset=utf-8".
const char* ResultFormatContentType(ResultFormat f);
// True for arrow, arrow-file and parquet.
inline bool IsBinaryFormat(ResultFormat f) {
  return f == ResultFormat::kArrow || f == ResultFormat::kArrowFile || f == ResultFormat::kParquet;
}

// Receives output bytes in order. A non-OK status stops the writer.
using TextSink = std::function<Status(std::string_view)>;

struct TextFormatOptions {
  // json: rows as objects keyed by column name (orient=records).
  bool records = false;
  // json/ndjson: every int64 and uint64 value as a JSON string.
  bool int64_as_string = false;
  // csv/tsv: write the header line.
  bool header = true;
  // csv/tsv: end lines with CRLF instead of LF.
  bool crlf = false;
  // table: cut cells longer than this many code points (0 = never).
  int max_cell_width = 60;
  // Call the sink once this many bytes are pending (and at End/Fail).
  size_t flush_bytes = 64 * 1024;
  // parquet: the page codec (zstd, snappy, gzip, lz4, brotli, none); an
  // unknown name fails Begin.
  std::string compression = "zstd";
};

// What is known only at the end of a result.
struct ResultTrailer {
  bool truncated = false;  // a row cap cut the result short
  double elapsed_ms = 0;
  // json only: extra members of the top-level object, written after
  // "elapsed_ms" as "name":value, the value being raw JSON text.
  std::vector<std::pair<std::string, std::string>> extra;
};

class ResultWriter {
 public:
  static std::unique_ptr<ResultWriter> Make(ResultFormat format, TextSink sink,
                                            TextFormatOptions options = {});
  virtual ~ResultWriter() = default;

  // Starts the result. The batches that follow must have this schema's
  // column count and types (InvalidArgument otherwise).
  virtual Status Begin(const Schema& schema) = 0;
  virtual Status Write(const RecordBatch& batch) = 0;
  // Completes the document and flushes.
  virtual Status End(const ResultTrailer& trailer) = 0;
  // Ends the output with the format's error marker (see the top of this
  // file) and flushes. Returns the sink's status, not `error`.
  virtual Status Fail(const Status& error) = 0;

  int64_t rows_written() const { return rows_; }
  uint64_t bytes_written() const { return bytes_; }

 protected:
  ResultWriter(TextSink sink, TextFormatOptions options)
      : sink_(std::move(sink)), options_(options) {}
  // Hand the pending bytes in buf_ to the sink: MaybeFlush only once
  // options_.flush_bytes have accumulated, Flush always.
  Status MaybeFlush();
  Status Flush();

  TextSink sink_;
  TextFormatOptions options_;
  std::string buf_;
  Status sink_error_;
  int64_t rows_ = 0;
  uint64_t bytes_ = 0;
};

// Building blocks, also used by the HTTP layer. All append to *out.
// A JSON string literal with quotes, escapes and U+FFFD for invalid UTF-8.
void AppendJsonString(std::string* out, std::string_view s);
// `s` with invalid UTF-8 replaced by U+FFFD.
void AppendValidUtf8(std::string* out, std::string_view s);
// Shortest round-trip text; ".0" added to integral values; nan/inf as
// NaN, Infinity, -Infinity.
void AppendDouble(std::string* out, double v);
void AppendFloat(std::string* out, float v);
// YYYY-MM-DD.
void AppendDate32(std::string* out, int64_t days);
// YYYY-MM-DDTHH:MM:SS[.fraction]Z.
void AppendTimestamp(std::string* out, int64_t value, TimeUnit unit);
// The same as a string: FormatTimestamp(ns, TimeUnit::kNano) for a wall-clock
// time in nanoseconds since the epoch.
std::string FormatTimestamp(int64_t value, TimeUnit unit);
// Time of day (time32/time64 in `unit`): HH:MM:SS[.fff|.ffffff|.fffffffff];
// values outside a day are printed as their count, not wrapped.
void AppendTimeOfDay(std::string* out, int64_t value, TimeUnit unit);
void AppendBase64(std::string* out, std::string_view bytes);
// Row i (not null) of any column as the text CAST(x AS varchar) gives:
// strings, binary and fixed_size_binary as their bytes, nested values as
// JSON text, every other type as CSV prints it.
void AppendCastText(std::string* out, const ArrayView& v, int64_t i);
// The bytes a text value stands for in a fixed_size_binary[w] column (CSV,
// NDJSON, SQL literals): a string of exactly w bytes as it is, else its hex
// spelling (2w hex digits, optionally after \x or 0x, as tables print them).
// Anything else is a TypeError naming the type and the text.
Result<std::string> ParseFixedSizeBinary(std::string_view text, const DataType& type);

}  // namespace quiver
