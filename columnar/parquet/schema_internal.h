// The one mapping between Parquet columns and Arrow (Quiver) types, both
// ways. Parquet → Arrow: MapParquetSchema (flat columns: a leaf directly
// under the root, REQUIRED or OPTIONAL; nested columns: a group or a
// repeated field under the root, mapped by nested_schema.cc to a LevelNode
// tree). Arrow → Parquet: ParquetElementFor (a leaf) and
// AppendParquetElements (any field, nested ones as groups).
// DECIMAL(p, s) of any physical type reads as decimal128(p, s), or
// decimal256(p, s) for p > 38; decimals are written as FIXED_LEN_BYTE_ARRAY
// DECIMAL (big-endian two's complement, 16 or 32 bytes). Types Quiver does
// not hold yet (times, intervals, nested groups, repeated fields) are
// NotSupported errors naming the Parquet type and the column, raised when
// such a column is read (a projection can leave it out).
#pragma once

#include <cstdint>
#include <memory>
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

struct NestedColumn;

// One readable column: a leaf, or (`nested` set) a top-level nested column.
struct ColumnSpec {
  std::string name;  // a leaf of a nested column: its dotted path
  int leaf = 0;  // index among the file's leaves = in RowGroup::columns (nested: the first)
  format::Type::type physical = format::Type::INT32;
  int type_length = 0;  // FIXED_LEN_BYTE_ARRAY only
  int max_def = 0;      // flat: 1 for OPTIONAL, 0 for REQUIRED (nested: the top node's)
  int max_rep = 0;      // repeated fields on the leaf's path (0 for a flat column)
  // A leaf of a nested column: entries whose definition level reaches this
  // are the leaf's slots (a value or a null), the others are nulls or empty
  // lists above it (max_def, or max_def - 1 for an OPTIONAL leaf).
  int slot_def = 0;
  DataType type;        // the Arrow type (dictionary columns: decided by the reader)
  std::shared_ptr<const NestedColumn> nested;  // nested columns only
  Convert convert = Convert::kCopy;
  int64_t divisor = 1;  // kDivide only
  // Not OK for a column Quiver cannot read (a nested group, a type it does
  // not hold): reading it is this error; the other columns stay readable.
  Status unsupported;
};

// A nested column's shape: the Arrow nodes from the top-level column down
// to its leaves, each with the levels that say where it has a slot. A node
// has a slot for each level entry with definition level >= def and
// repetition level <= rep; the slot is valid (not null) when the definition
// level reaches valid_def (its parent's valid_def + nullable). A struct's
// children have a slot wherever the struct has one (null or not). A list
// (or map) adds one repetition level for its child, whose slots start at
// the list's valid_def + 1 (the repeated field). A map is a list whose
// child is the non-nullable "entries" struct <key, value>.
struct LevelNode {
  enum class Kind : uint8_t { kLeaf, kStruct, kList, kMap };
  Kind kind = Kind::kLeaf;
  std::string name;  // the Arrow field name
  bool nullable = false;
  int def = 0;
  int valid_def = 0;
  int rep = 0;
  int leaf = -1;  // kLeaf: index in NestedColumn::leaves
  int first_leaf = 0;  // the leftmost leaf below (whose levels give this node's slots)
  // From the footer's Arrow schema: a list read as fixed_size_list or
  // large_list, a map's keys_sorted.
  int32_t fixed_size = -1;
  bool large = false;
  bool keys_sorted = false;
  DataType type;  // the Arrow type
  std::vector<LevelNode> children;
};

struct NestedColumn {
  LevelNode root;
  std::vector<ColumnSpec> leaves;  // in file order; leaves[k].leaf = root's leaf + k
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

// Appends the schema elements of `field` (nested types as LIST / MAP /
// struct groups, depth-first) and the path of each leaf below it.
Status AppendParquetElements(const Field& field, std::vector<format::SchemaElement>* elements,
                             std::vector<std::vector<std::string>>* leaf_paths);

// The nested column whose group starts at schema[*i] (a top-level group or
// repeated field); advances *i past it and counts its leaves in *leaves.
// Invalid for a damaged tree; a shape or leaf type Quiver cannot read sets
// `unsupported` on the returned spec.
Result<ColumnSpec> MapNestedColumn(const std::vector<format::SchemaElement>& schema, size_t* i,
                                   int* leaves);

// Applies the footer's Arrow type `arrow` to a column read from Parquet
// (large string / list flags, fixed_size_list, time zones, durations,
// field names Parquet does not keep); anything that does not match is left.
void RefineWithArrowType(const DataType& arrow, ColumnSpec* c);
// RefineWithArrowType of a nested column (nested_schema.cc).
void RefineNestedColumn(const DataType& arrow, ColumnSpec* c);

// The Arrow type and conversion of one leaf element (its name, physical
// type and levels already set in *c): NotSupported for a type Quiver
// cannot hold.
Status MapLeafType(const format::SchemaElement& e, ColumnSpec* c);

}  // namespace quiver::parquet
