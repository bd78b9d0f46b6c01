// Type-name parsing shared by the schema readers (schema.cc): the names of
// `--schema`, the JSON schema and datashape text. ParseTypeName (schema.h) is
// the public entry point; these are its pieces.
#pragma once

#include <string>
#include <string_view>

#include "columnar/types.h"
#include "config/status.h"

namespace quiver::type_name_internal {

// "s", "ms", "us", "ns" indexed by TimeUnit.
extern const char* const kUnitNames[4];
// Parses a unit name (also "second", "millisecond", ... in any case).
Result<TimeUnit> ParseUnit(std::string_view u);
// A type name without parameters (any case): Arrow's and DuckDB's spellings.
Result<TypeId> ParseSimpleId(std::string_view n);
std::string Trim(std::string_view s);

}  // namespace quiver::type_name_internal
