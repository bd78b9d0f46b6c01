// Logical column types, fields and schemas, following Apache Arrow's columnar
// format (https://arrow.apache.org/docs/format/Columnar.html).
//
// DataType is a small value type; Schema owns its fields. All are immutable
// once built and safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace quiver {

enum class TypeId : uint8_t {
  // Not a column type: "no type yet" (an untyped NULL literal, an expression
  // not bound yet) and, as dict_index, "not dictionary-encoded". 0, as the C
  // API's QUIVER_TYPE_NULL, which means the same.
  kNone = 0,
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat32,
  kFloat64,
  kUtf8,
  kBinary,
  kDate32,     // days since 1970-01-01, int32
  kTimestamp,  // int64 in `unit` since the epoch, optional time zone
  // Ids from here on were added with issue 16. The catalog stores schemas as
  // Arrow Schema flatbuffers, never these numbers, so their order is free.
  kDecimal128,  // 16-byte two's-complement little-endian integer scaled by 10^-scale
  kDecimal256,  // 32-byte two's-complement little-endian integer scaled by 10^-scale
  kDate64,      // int64 milliseconds since the epoch (whole days)
  kTime32,      // int32 seconds or milliseconds since midnight (`unit`)
  kTime64,      // int64 micro- or nanoseconds since midnight (`unit`)
  kDuration,    // int64 count of `unit`
  kFloat16,     // IEEE half float (2 bytes); stored and returned, not computed on
  kIntervalYearMonth,    // int32 months
  kIntervalDayTime,      // int32 days, int32 milliseconds
  kIntervalMonthDayNano, // int32 months, int32 days, int64 nanoseconds
  kFixedSizeBinary,      // `byte_width` bytes per value, compared as unsigned bytes
  kNull,                 // Arrow's Null: no buffers, every value null
  // Nested types (issue 16). Their children are DataType::children.
  kList,           // int32 offsets into one child (large_list: large_offsets, held as 32-bit)
  kFixedSizeList,  // `list_size` child values per row
  kStruct,         // one child per field, each as long as the struct
  kMap,            // a list of one non-nullable struct child <key, value>
};

struct Field;

enum class TimeUnit : uint8_t { kSecond = 0, kMilli, kMicro, kNano };

// Units of `u` per second: 1, 1e3, 1e6, 1e9.
constexpr int64_t UnitsPerSecond(TimeUnit u) {
  return u == TimeUnit::kSecond  ? 1
         : u == TimeUnit::kMilli ? 1000
         : u == TimeUnit::kMicro ? 1000000
                                 : 1000000000;
}
// Decimal digits of a fraction of a second in `u`: 0, 3, 6, 9.
constexpr int UnitDigits(TimeUnit u) {
  return u == TimeUnit::kSecond ? 0 : u == TimeUnit::kMilli ? 3 : u == TimeUnit::kMicro ? 6 : 9;
}

// Largest precision of each decimal width (Arrow's and SQL's limits).
constexpr int kMaxDecimal128Precision = 38;
constexpr int kMaxDecimal256Precision = 76;

// A column's type. A dictionary-encoded column has `id` = the value type
// (kUtf8) and `dict_index` = the index type (any integer type, signed or
// unsigned, as Arrow allows); for every other column `dict_index` is kNone.
struct DataType {
  TypeId id = TypeId::kNone;
  TimeUnit unit = TimeUnit::kSecond;  // kTimestamp, kTime32, kTime64, kDuration
  std::string timezone;               // kTimestamp only; empty = none
  TypeId dict_index = TypeId::kNone;
  int64_t dict_id = 0;  // Arrow IPC dictionary id, if encoded
  // Decimals only: total significant digits (1..38 for decimal128, 1..76 for
  // decimal256) and digits after the point (0..precision).
  int32_t precision = 0;
  int32_t scale = 0;
  // kFixedSizeBinary only: bytes per value (>= 1).
  int32_t byte_width = 0;
  // utf8 / binary declared as Arrow's large_utf8 / large_binary (64-bit
  // offsets). Quiver holds them with 32-bit offsets like utf8 / binary (a
  // chunk is 64K rows: its strings fit 2 GiB, or ingest says they do not),
  // so every kernel and reader works on them unchanged; the flag only makes
  // Arrow IPC output declare large_* and write 64-bit offsets. An IPC
  // detail, like dict_id: equality ignores it.
  bool large_offsets = false;
  // Nested types only: the child fields (list, large_list, fixed_size_list
  // and map: one; struct: one per member). Shared, immutable once built.
  std::shared_ptr<const std::vector<Field>> children;
  // kFixedSizeList only: values per row (>= 0).
  int32_t list_size = 0;
  // kMap only: Arrow's keysSorted flag.
  bool keys_sorted = false;

  DataType() = default;
  explicit DataType(TypeId i) : id(i) {}

  static DataType Timestamp(TimeUnit u, std::string tz = {}) {
    DataType t(TypeId::kTimestamp);
    t.unit = u;
    t.timezone = std::move(tz);
    return t;
  }
  // decimal128 when precision <= 38, else decimal256.
  static DataType Decimal(int32_t precision, int32_t scale) {
    DataType t(precision <= kMaxDecimal128Precision ? TypeId::kDecimal128 : TypeId::kDecimal256);
    t.precision = precision;
    t.scale = scale;
    return t;
  }
  static DataType FixedSizeBinary(int32_t width) {
    DataType t(TypeId::kFixedSizeBinary);
    t.byte_width = width;
    return t;
  }
  static DataType List(Field item, bool large = false);
  static DataType FixedSizeList(Field item, int32_t size);
  static DataType Struct(std::vector<Field> fields);
  // map<key, value>: a list of struct "entries" <key (not null), value>.
  static DataType Map(DataType key, DataType value, bool keys_sorted = false);
  static DataType Dictionary(TypeId index, TypeId value = TypeId::kUtf8) {
    DataType t(value);
    t.dict_index = index;
    return t;
  }

  bool is_dictionary() const { return dict_index != TypeId::kNone; }
  // The type of the dictionary's values (the column without encoding).
  DataType value_type() const {
    DataType t = *this;
    t.dict_index = TypeId::kNone;
    return t;
  }

  bool is_nested() const { return id >= TypeId::kList && id <= TypeId::kMap; }
  size_t num_children() const;  // out of line: Field is incomplete here
  const Field& child(size_t i) const;

  bool is_decimal() const { return id == TypeId::kDecimal128 || id == TypeId::kDecimal256; }
  // Time and duration types, whose `unit` is part of the type.
  bool has_unit() const {
    return id == TypeId::kTime32 || id == TypeId::kTime64 || id == TypeId::kDuration;
  }
  static DataType WithUnit(TypeId id, TimeUnit u) {
    DataType t(id);
    t.unit = u;
    return t;
  }

  // e.g. "int64", "timestamp[ms, tz=UTC]", "decimal128(12, 2)",
  // "fixed_size_binary[16]", "dictionary<int32, utf8>".
  std::string ToString() const;

  // Equality ignores dict_id and large_offsets (IPC details); nested types
  // compare their children's names, types and nullability.
  bool operator==(const DataType& o) const {
    return id == o.id && dict_index == o.dict_index &&
           (id != TypeId::kTimestamp || (unit == o.unit && timezone == o.timezone)) &&
           (!has_unit() || unit == o.unit) &&
           (!is_decimal() || (precision == o.precision && scale == o.scale)) &&
           (id != TypeId::kFixedSizeBinary || byte_width == o.byte_width) &&
           (!is_nested() || ChildrenEqual(o));
  }
  bool operator!=(const DataType& o) const { return !(*this == o); }

 private:
  bool ChildrenEqual(const DataType& o) const;
};

// Properties of the physical layout.
bool IsInteger(TypeId id);
bool IsSignedInteger(TypeId id);
bool IsFloating(TypeId id);
bool IsNumeric(TypeId id);    // integers and floats
bool IsVarLength(TypeId id);  // utf8, binary
// Values read as bytes with ArrayView::StringValue and ordered by memcmp:
// utf8, binary and fixed_size_binary.
bool IsBinaryLike(TypeId id);
// Most dictionary entries indices of type `index` can address: 2^7 (int8),
// 2^8 (uint8), 2^15, 2^16, else 2^31 (a dictionary's strings have 32-bit
// offsets, so no more entries fit anyway).
int64_t MaxDictionarySize(TypeId index);
// Values are signed integers of ByteWidth(id) bytes, ordered as numbers:
// signed integers, date32, date64, time32, time64, timestamp, duration.
bool IsSignedIntStorage(TypeId id);
// Width in bytes of one fixed-width value (int64: 8, date32: 4, timestamp: 8,
// decimal128: 16, decimal256: 32);
// 0 for bool (bit-packed), var-length types, kNull and kNone.
int ByteWidth(TypeId id);
// As above, plus fixed_size_binary's byte_width.
int ByteWidth(const DataType& type);
// The short lower-case name ("int64", "utf8", "timestamp", ...).
const char* TypeIdName(TypeId id);

struct KeyValue {
  std::string key;
  std::string value;
};

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;
  std::vector<KeyValue> metadata;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields, std::vector<KeyValue> metadata = {})
      : fields_(std::move(fields)), metadata_(std::move(metadata)) {}

  const std::vector<Field>& fields() const { return fields_; }
  const Field& field(size_t i) const { return fields_[i]; }
  size_t num_fields() const { return fields_.size(); }
  const std::vector<KeyValue>& metadata() const { return metadata_; }
  // Index of the field named `name`, or -1.
  int FieldIndex(const std::string& name) const;

 private:
  std::vector<Field> fields_;
  std::vector<KeyValue> metadata_;
};

}  // namespace quiver
