#include "columnar/types.h"

namespace quiver {

const char* TypeIdName(TypeId id) {
  switch (id) {
    case TypeId::kNone: return "null";  // an untyped NULL, as messages name it
    case TypeId::kNull: return "null";
    case TypeId::kBool: return "bool";
    case TypeId::kInt8: return "int8";
    case TypeId::kInt16: return "int16";
    case TypeId::kInt32: return "int32";
    case TypeId::kInt64: return "int64";
    case TypeId::kUInt8: return "uint8";
    case TypeId::kUInt16: return "uint16";
    case TypeId::kUInt32: return "uint32";
    case TypeId::kUInt64: return "uint64";
    case TypeId::kFloat32: return "float32";
    case TypeId::kFloat64: return "float64";
    case TypeId::kUtf8: return "utf8";
    case TypeId::kBinary: return "binary";
    case TypeId::kDate32: return "date32";
    case TypeId::kTimestamp: return "timestamp";
    case TypeId::kDecimal128: return "decimal128";
    case TypeId::kDecimal256: return "decimal256";
    case TypeId::kDate64: return "date64";
    case TypeId::kTime32: return "time32";
    case TypeId::kTime64: return "time64";
    case TypeId::kDuration: return "duration";
    case TypeId::kFloat16: return "float16";
    case TypeId::kIntervalYearMonth: return "interval[year_month]";
    case TypeId::kIntervalDayTime: return "interval[day_time]";
    case TypeId::kIntervalMonthDayNano: return "interval[month_day_nano]";
    case TypeId::kFixedSizeBinary: return "fixed_size_binary";
    case TypeId::kList: return "list";
    case TypeId::kFixedSizeList: return "fixed_size_list";
    case TypeId::kStruct: return "struct";
    case TypeId::kMap: return "map";
  }
  return "unknown";
}

bool IsInteger(TypeId id) { return id >= TypeId::kInt8 && id <= TypeId::kUInt64; }
bool IsSignedInteger(TypeId id) { return id >= TypeId::kInt8 && id <= TypeId::kInt64; }
bool IsFloating(TypeId id) { return id == TypeId::kFloat32 || id == TypeId::kFloat64; }
bool IsNumeric(TypeId id) { return IsInteger(id) || IsFloating(id); }
bool IsVarLength(TypeId id) { return id == TypeId::kUtf8 || id == TypeId::kBinary; }
bool IsBinaryLike(TypeId id) { return IsVarLength(id) || id == TypeId::kFixedSizeBinary; }
int64_t MaxDictionarySize(TypeId index) {
  switch (index) {
    case TypeId::kInt8: return int64_t(1) << 7;
    case TypeId::kUInt8: return int64_t(1) << 8;
    case TypeId::kInt16: return int64_t(1) << 15;
    case TypeId::kUInt16: return int64_t(1) << 16;
    default: return int64_t(1) << 31;
  }
}

bool IsSignedIntStorage(TypeId id) {
  return IsSignedInteger(id) || id == TypeId::kDate32 || id == TypeId::kDate64 ||
         id == TypeId::kTime32 || id == TypeId::kTime64 || id == TypeId::kTimestamp ||
         id == TypeId::kDuration;
}

int ByteWidth(TypeId id) {
  switch (id) {
    case TypeId::kInt8: case TypeId::kUInt8: return 1;
    case TypeId::kInt16: case TypeId::kUInt16: case TypeId::kFloat16: return 2;
    case TypeId::kInt32: case TypeId::kUInt32: case TypeId::kFloat32: case TypeId::kDate32:
    case TypeId::kTime32: case TypeId::kIntervalYearMonth: return 4;
    case TypeId::kInt64: case TypeId::kUInt64: case TypeId::kFloat64: case TypeId::kTimestamp:
    case TypeId::kDate64: case TypeId::kTime64: case TypeId::kDuration: case TypeId::kIntervalDayTime: return 8;
    case TypeId::kIntervalMonthDayNano: return 16;
    case TypeId::kDecimal128: return 16;
    case TypeId::kDecimal256: return 32;
    default: return 0;
  }
}

int ByteWidth(const DataType& type) {
  return type.id == TypeId::kFixedSizeBinary ? type.byte_width : ByteWidth(type.id);
}

DataType DataType::List(Field item, bool large) {
  DataType t(TypeId::kList);
  t.children = std::make_shared<const std::vector<Field>>(std::vector<Field>{std::move(item)});
  t.large_offsets = large;
  return t;
}

DataType DataType::FixedSizeList(Field item, int32_t size) {
  DataType t(TypeId::kFixedSizeList);
  t.children = std::make_shared<const std::vector<Field>>(std::vector<Field>{std::move(item)});
  t.list_size = size;
  return t;
}

DataType DataType::Struct(std::vector<Field> fields) {
  DataType t(TypeId::kStruct);
  t.children = std::make_shared<const std::vector<Field>>(std::move(fields));
  return t;
}

DataType DataType::Map(DataType key, DataType value, bool keys_sorted) {
  Field k{"key", std::move(key), false, {}};
  Field v{"value", std::move(value), true, {}};
  DataType t(TypeId::kMap);
  t.children = std::make_shared<const std::vector<Field>>(
      std::vector<Field>{Field{"entries", Struct({std::move(k), std::move(v)}), false, {}}});
  t.keys_sorted = keys_sorted;
  return t;
}

const Field& DataType::child(size_t i) const { return (*children)[i]; }
size_t DataType::num_children() const { return children ? children->size() : 0; }

bool DataType::ChildrenEqual(const DataType& o) const {
  if (id == TypeId::kFixedSizeList && list_size != o.list_size) return false;
  if (num_children() != o.num_children()) return false;
  for (size_t i = 0; i < num_children(); ++i) {
    const Field& a = child(i);
    const Field& b = o.child(i);
    if (a.type != b.type || a.nullable != b.nullable) return false;
    // List items and map entries are named by convention ("item",
    // "element", "entries"): only struct members are named by the data.
    if (id == TypeId::kStruct && a.name != b.name) return false;
  }
  return true;
}

namespace {

std::string ChildrenString(const DataType& t) {
  std::string s;
  for (size_t i = 0; i < t.num_children(); ++i) {
    if (i > 0) s += ", ";
    s += t.child(i).name + ": " + t.child(i).type.ToString();
  }
  return s;
}

}  // namespace

std::string DataType::ToString() const {
  std::string s;
  if (id == TypeId::kList) {
    s = std::string(large_offsets ? "large_list<" : "list<") + ChildrenString(*this) + ">";
  } else if (id == TypeId::kFixedSizeList) {
    s = "fixed_size_list<" + ChildrenString(*this) + ">[" + std::to_string(list_size) + "]";
  } else if (id == TypeId::kStruct) {
    s = "struct<" + ChildrenString(*this) + ">";
  } else if (id == TypeId::kMap && num_children() == 1 && child(0).type.num_children() == 2) {
    const DataType& e = child(0).type;
    s = "map<" + e.child(0).type.ToString() + ", " + e.child(1).type.ToString() + ">";
  } else if (id == TypeId::kTimestamp) {
    static const char* kUnits[] = {"s", "ms", "us", "ns"};
    s = std::string("timestamp[") + kUnits[int(unit)];
    if (!timezone.empty()) s += ", tz=" + timezone;
    s += "]";
  } else if (has_unit()) {
    static const char* kUnits[] = {"s", "ms", "us", "ns"};
    s = std::string(TypeIdName(id)) + "[" + kUnits[int(unit) & 3] + "]";
  } else if (id == TypeId::kFixedSizeBinary) {
    s = "fixed_size_binary[" + std::to_string(byte_width) + "]";
  } else if (is_decimal()) {
    s = std::string(TypeIdName(id)) + "(" + std::to_string(precision) + ", " + std::to_string(scale) + ")";
  } else if (large_offsets && (id == TypeId::kUtf8 || id == TypeId::kBinary)) {
    s = id == TypeId::kUtf8 ? "large_utf8" : "large_binary";
  } else {
    s = TypeIdName(id);
  }
  if (is_dictionary()) s = std::string("dictionary<") + TypeIdName(dict_index) + ", " + s + ">";
  return s;
}

int Schema::FieldIndex(const std::string& name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return int(i);
  }
  return -1;
}

}  // namespace quiver
