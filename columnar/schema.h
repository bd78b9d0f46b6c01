// Schema serialisation: the Arrow Schema flatbuffer (the IPC wire form and the
// catalog's form), JSON for HTTP clients, and datashape text for humans.
//
// Datashape text written and read here:
//   var * {id: int64, fare: ?float64, vendor: string}
// `?` marks a nullable field. Type names: bool, int8..int64, uint8..uint64,
// float32, float64, string (utf8), bytes (binary), date (date32),
// timestamp[unit='ms'] or timestamp[unit='us', tz='UTC'], and
// dict[string, int32] for dictionary-encoded utf8. Field names that are not
// identifiers are single-quoted with \' and \\ escapes.
//
// JSON form:
//   {"fields": [{"name": "ts", "type": "timestamp", "unit": "ms", "timezone": "UTC",
//                "nullable": true},
//               {"name": "v", "type": "utf8", "dictionary": {"index_type": "int32"},
//                "nullable": true, "metadata": {"k": "v"}}],
//    "metadata": {"k": "v"}}
//
// All functions are pure; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/types.h"
#include "config/status.h"

namespace quiver {

// Checks that every field has a type Quiver stores (see types.h) and that the
// field names are unique and non-empty.
Status ValidateSchema(const Schema& schema);

// The Arrow Schema flatbuffer (a root `Schema` table, no message framing).
// Dictionary-encoded fields get dictionary id = their field index.
Result<std::string> SchemaToFlatbuffer(const Schema& schema);
// Verifies and reads a root Schema flatbuffer. Rejects big-endian schemas and
// unsupported types by name.
Result<std::shared_ptr<const Schema>> SchemaFromFlatbuffer(const uint8_t* data, int64_t size);

std::string SchemaToJson(const Schema& schema, int indent = -1);
Result<std::shared_ptr<const Schema>> SchemaFromJson(std::string_view json);

std::string SchemaToDatashape(const Schema& schema);
Result<std::shared_ptr<const Schema>> SchemaFromDatashape(std::string_view text);

// Parses a type name as written by DataType::ToString() or the datashape
// names above ("int64", "utf8", "string", "timestamp[ms, tz=UTC]", ...), and
// Arrow's and DuckDB's spellings in any case (bigint, varchar, double,
// decimal(12,2), timestamp = timestamp[us, tz=UTC], ...; the table and the
// int8 rule are in columnar/type_name.cc and README "Types").
Result<DataType> ParseTypeName(std::string_view name);

// True if Quiver stores columns of this type (valid decimal precision and
// scale, a supported dictionary encoding, ...).
bool IsStoredType(const DataType& t);

bool SchemaEquals(const Schema& a, const Schema& b, bool check_metadata = true);

}  // namespace quiver
