// NDJSON (one JSON object per line) into RecordBatches.
//
// Each non-blank line must be one JSON object whose values are scalars
// (null, booleans, numbers, strings). Keys may come in any order; a missing
// key is null; a key twice in one object is an error. A nested object or
// array is rejected with an error naming the line and the key (flatten such
// data first: Quiver has no nested types). A UTF-8 byte order mark at the
// start is skipped; lines may end in LF or CRLF.
//
// Columns: with a schema (TextReadOptions::schema), keys map to its fields
// by name and a key it does not have is an error. Otherwise the columns are
// the keys of the sample lines in order of first appearance, typed by
// inference (columnar/infer.h): JSON integers -> int64, numbers with a
// fraction or exponent (mixed with integers) -> float64, true/false -> bool,
// strings -> date32 / timestamp when every sampled value has that form,
// else utf8 (dictionary<int32, utf8> when few distinct values). Integers
// beyond 64 bits and columns mixing JSON kinds (e.g. numbers and strings)
// are utf8 holding each value's JSON text. A key that first appears after
// the sample is an error naming it.
//
// Conversions into a given type: integer columns take JSON integers (range
// checked); float columns any number; bool columns true/false; string
// columns strings, and numbers and booleans as their JSON text; date and
// timestamp columns strings of the forms in infer.h. Anything else is a
// TypeError naming line and key.
#pragma once

#include <string_view>

#include "columnar/text_reader.h"

namespace quiver {

struct NdjsonOptions : TextReadOptions {};

// Reads whole NDJSON held in memory; `schema_or_null` (if set) overrides
// options.schema.
Result<TextTable> ReadNdjson(std::string_view data, const NdjsonOptions& options,
                             std::shared_ptr<const Schema> schema_or_null = nullptr);

Status ReadNdjsonStream(const ReadFn& read, const NdjsonOptions& options,
                        const TextCallbacks& callbacks, TextReadStats* stats);

}  // namespace quiver
