// The compact schema text of `quiver ingest --schema`:
//   "id:int64, fare:float64, ts:timestamp[ms, tz=UTC], city:dictionary<int32, utf8>"
// Fields are separated by commas outside brackets; each is NAME:TYPE with a
// type name ParseTypeName() accepts (int64, utf8/string, date32/date,
// timestamp[us, tz=UTC], dictionary<int32, utf8>, ...). A trailing "?" or a
// leading "!" on the type is not needed: every field is nullable.
// A schema file may hold this text, the JSON schema form or datashape text
// (see columnar/schema.h); ParseSchemaText tells them apart.
//
// Pure functions; thread-safe.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "columnar/types.h"
#include "config/status.h"

namespace quiver {

// Parses the compact text into fields (names unique and non-empty).
Result<std::vector<Field>> ParseSchemaSpec(std::string_view text);
// The compact text, JSON ('{...}') or datashape ('var * {...}' / '{...}'
// without quotes) into fields.
Result<std::vector<Field>> ParseSchemaText(std::string_view text);
// "id:int64,fare:float64" for a schema (the inverse of ParseSchemaSpec).
std::string SchemaToSpec(const Schema& schema);

}  // namespace quiver
