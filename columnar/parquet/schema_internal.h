// The one mapping between Parquet columns and Arrow (Quiver) types, both
// ways. Parquet → Arrow: MapParquetSchema (flat columns: a leaf directly
// under the root, REQUIRED or OPTIONAL). Arrow → Parquet: ParquetElementFor.
// DECIMAL(p, s) of any physical type reads as decimal128(p, s), or
// decimal256(p, s) for p > 38; decimals are written as FIXED_LEN_BYTE_ARRAY
// DECIMAL (big-endian two's complement, 16 or 32 bytes). Types Quiver does
// not hold yet (times, intervals, nested groups, repeated fields) are
// NotSupported errors naming the Parquet type and the column, raised when
// such a column is read (a projection can leave it out).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "columnar/parquet/thrift_internal.h"
#include "columnar/types.h"
#include "config/status.h"

namespace quiver::parquet {

// How a column's physical values become Arrow values.
enum class Convert : uint8_t {
  kCopy,        // same bytes (int32, int64, float, double, date32, timestamps, uint32/64,
                // FIXED_LEN_BYTE_ARRAY → fixed_size_binary)
  kNarrow8,     // INT32 → 1-byte integers
  kNarrow16,    // INT32 → 2-byte integers
  kInt96,       // INT96 (nanoseconds of day, Julian day) → timestamp[ns]
  kHalf,        // FIXED_LEN_BYTE_ARRAY(2) float16 → float32
  kBool,        // BOOLEAN → bool
  kBytes,       // BYTE_ARRAY → utf8 / binary
  kDivide,      // INT64 timestamp → a coarser unit (value / divisor, rounded down)
  kDecimalInt,  // INT32/INT64 DECIMAL → decimal128/256 (sign-extended)
  kDecimalBE,   // FIXED_LEN_BYTE_ARRAY/BYTE_ARRAY DECIMAL (big-endian two's
                // complement) → decimal128/256 (little-endian, sign-extended)
};

// One readable leaf column.
struct ColumnSpec {
  std::string name;
  int leaf = 0;  // index among the file's leaves = in RowGroup::columns
  format::Type::type physical = format::Type::INT32;
  int type_length = 0;  // FIXED_LEN_BYTE_ARRAY only
  int max_def = 0;      // 1 for OPTIONAL, 0 for REQUIRED
  DataType type;        // the Arrow type (dictionary columns: decided by the reader)
  Convert convert = Convert::kCopy;
  int64_t divisor = 1;  // kDivide only
  // Not OK for a column Quiver cannot read (a nested group, a type it does
  // not hold): reading it is this error; the other columns stay readable.
  Status unsupported;
};

struct ParquetColumns {
  std::vector<ColumnSpec> columns;  // the root's children, in order
  int leaves = 0;                   // leaf columns (= column chunks per row group)
};

// Bytes of one physical value (BOOLEAN 0: bit-packed; BYTE_ARRAY 0: varies).
int PhysicalWidth(format::Type::type t, int type_length);
const char* PhysicalTypeName(format::Type::type t);

// The columns of a file's schema (FileMetaData::schema), in order. Invalid
// for a schema tree that is damaged.
Result<ParquetColumns> MapParquetSchema(const std::vector<format::SchemaElement>& schema);

// Refines the columns with the Arrow schema a writer stored in the footer
// ("ARROW:schema", base64 of an IPC schema message), where Parquet alone
// loses information: a timestamp's time zone name (Parquet keeps only
// "adjusted to UTC") and timestamp[s] (written as a finer unit). Anything
// else, or a value that does not decode, is left as Parquet says.
void ApplyArrowSchema(const std::string& base64_ipc_schema, std::vector<ColumnSpec>* columns);

// The schema element (leaf) a Quiver field is written as.
Result<format::SchemaElement> ParquetElementFor(const Field& field);

}  // namespace quiver::parquet
