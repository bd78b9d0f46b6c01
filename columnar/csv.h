// CSV and TSV (RFC 4180) into RecordBatches.
//
// Syntax: fields separated by `delimiter`, rows ending in LF, CRLF or a lone
// CR; a field may be enclosed in double quotes, and then holds delimiters,
// line ends (LF and CR) and doubled quotes ("" is one "). A quote inside an
// unquoted field, or anything but a delimiter or line end after a closing
// quote, is an error; so is an unterminated quoted field. A UTF-8 byte order
// mark at the start is skipped; blank lines are skipped; a missing last line
// end is fine. Every row must be valid UTF-8 and have as many fields as the
// header (an error naming the line otherwise).
//
// Header: with `header`, the first row names the columns (names must be
// non-empty and unique). Without it, columns are named f0, f1, ...; a list
// of overrides (TextReadOptions::overrides) naming every column then names
// them in order instead.
//
// Nulls: an unquoted field equal to one of `null_values` (default: only the
// empty field) is null in every column type. A quoted empty field ("") is
// the empty string in a string column and null in any other column.
//
// Types: see columnar/infer.h. With a given schema, header names are matched
// to its fields by name (any order; every field must appear).
//
// Thread-safety: the functions are reentrant; see text_reader.h for the
// threads a streaming read uses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "columnar/text_reader.h"

namespace quiver {

struct CsvOptions : TextReadOptions {
  char delimiter = ',';
  bool header = true;
  std::vector<std::string> null_values = {""};
};

// Reads a whole CSV held in memory. `schema_or_null` (if set) overrides
// options.schema: the schema to read into, or null to infer one.
Result<TextTable> ReadCsv(std::string_view data, const CsvOptions& options,
                          std::shared_ptr<const Schema> schema_or_null = nullptr);

// Streams a CSV from `read`, delivering batches through `callbacks`.
Status ReadCsvStream(const ReadFn& read, const CsvOptions& options, const TextCallbacks& callbacks,
                     TextReadStats* stats);

}  // namespace quiver
