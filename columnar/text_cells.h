// Column-at-a-time text for the json, ndjson, csv and tsv writers (internal
// to columnar/, see text_format_internal.h): a run of rows of one column is
// written as text cells end to end, with one type dispatch per column and
// run rather than per value, then CellWriter interleaves the cells into
// rows. The bytes are exactly those of the per-value renderings in
// text_value.cc (AppendJsonValue, AppendPlain, the CSV field rules); the
// tests in tests/columnar/text_cells_test.cc pin them.
//
// Thread-safety: as ResultWriter (one thread at a time per writer).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/text_format_internal.h"

namespace quiver::text_internal {

// One column's values for a run of rows as text, end to end: cell k is
// bytes[k == 0 ? 0 : ends[k - 1], ends[k]). Only bytes[0, size) are the
// cells: `bytes` is not shrunk between runs, so that fixed-width columns
// write into room that is zeroed once, not once per run.
struct Cells {
  std::string bytes;
  size_t size = 0;
  size_t longest = 0;  // no cell is longer
  std::vector<size_t> ends;
  void Clear() {
    size = 0;
    longest = 0;
    ends.clear();
  }
};

// How a column's values are written.
struct CellStyle {
  bool json = true;              // JSON values (AppendJsonValue); else CSV fields
  bool int64_as_string = false;  // json: int64/uint64 as strings
  char delimiter = ',';          // csv: the field delimiter
  bool first_column = false;     // csv: a value starting with '#' is quoted
};

// A dictionary column's values already written in a style, kept across the
// runs of one batch: each distinct index is formatted once.
struct DictCells {
  std::string bytes;
  std::vector<int64_t> start;  // -1: not written yet
  std::vector<uint32_t> size;
  void Reset() {
    bytes.clear();
    start.clear();
    size.clear();
  }
};

// Appends the cells of rows [begin, end) of `v` to *out.
void AppendCells(const ArrayView& v, int64_t begin, int64_t end, const CellStyle& style,
                 DictCells* dict, Cells* out);

// A CSV/TSV field: `s` with invalid UTF-8 replaced by U+FFFD, quoted when it
// is empty, holds the delimiter, a quote, CR or LF, or (first column) starts
// with '#'; inner quotes doubled.
void AppendCsvField(std::string* out, std::string_view s, char delimiter, bool first_column);

// The writers of rows made of cells: per row `prefix` (`first_prefix` for the
// result's first row), `open`, the cells separated by `separator`, each
// after its column's key (if any), and `close`.
struct RowShape {
  std::string first_prefix, prefix, open, separator, close;
  std::vector<std::string> keys;  // empty, or one per column
};

class CellWriter : public WriterBase {
 protected:
  CellWriter(TextSink sink, TextFormatOptions options) : WriterBase(std::move(sink), options) {}
  // Writes the batch's rows in runs, flushing whenever flush_bytes are
  // pending after a row (as a row-at-a-time writer would).
  Status WriteCells(const RecordBatch& batch);

  RowShape shape_;
  std::vector<CellStyle> styles_;  // one per column, set by Begin

 private:
  Status WriteRows(int64_t rows);

  std::vector<Cells> cells_;
  std::vector<DictCells> dicts_;
};

}  // namespace quiver::text_internal
