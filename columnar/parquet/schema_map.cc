// Parquet <-> Arrow type mapping (schema_internal.h).
#include "columnar/parquet/schema_internal.h"

#include <memory>

#include "columnar/ipc.h"

namespace quiver::parquet {
namespace {

using PT = format::Type;
using CT = format::ConvertedType;

Status Unsupported(const std::string& what, const std::string& column) {
  return Status::NotSupported("unsupported Parquet type " + what + " in column \"" + column + "\"");
}

TimeUnit UnitOf(const format::TimeUnit& u) {
  if (u.__isset.MILLIS) return TimeUnit::kMilli;
  if (u.__isset.NANOS) return TimeUnit::kNano;
  return TimeUnit::kMicro;
}

// DECIMAL(p, s) on INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY: the
// logical type's precision and scale when present, else the element's.
Status MapDecimal(const format::SchemaElement& e, ColumnSpec* c) {
  const bool logical = e.__isset.logicalType && e.logicalType.__isset.DECIMAL;
  const int32_t p = logical ? e.logicalType.DECIMAL.precision : e.precision;
  const int32_t s = logical ? e.logicalType.DECIMAL.scale : e.scale;
  const std::string what = "DECIMAL(" + std::to_string(p) + ", " + std::to_string(s) + ") (" +
                           PhysicalTypeName(e.type) + ")";
  if (p < 1 || p > kMaxDecimal256Precision || s < 0 || s > p) {
    return Status::Invalid("column \"" + c->name + "\": " + what +
                           " has a precision or scale out of range (precision 1..76, scale 0..precision)");
  }
  c->type = DataType::Decimal(p, s);
  const int out_width = ByteWidth(c->type.id);
  switch (e.type) {
    case PT::INT32:
    case PT::INT64:
      c->convert = Convert::kDecimalInt;
      return Status::OK();
    case PT::FIXED_LEN_BYTE_ARRAY:
      if (e.type_length <= 0) {
        return Status::Invalid("column \"" + c->name + "\": FIXED_LEN_BYTE_ARRAY without a length");
      }
      if (e.type_length > out_width) {
        return Unsupported(what + " of " + std::to_string(e.type_length) + " bytes", c->name);
      }
      c->convert = Convert::kDecimalBE;
      return Status::OK();
    case PT::BYTE_ARRAY:
      c->convert = Convert::kDecimalBE;
      return Status::OK();
    default:
      return Unsupported(what, c->name);
  }
}

}  // namespace

// The Arrow type and conversion of one leaf. Logical types come first; the
// legacy converted type is used when there is none.
Status MapLeafType(const format::SchemaElement& e, ColumnSpec* c) {
  const std::string phys = PhysicalTypeName(e.type);
  const bool has_logical = e.__isset.logicalType;
  const format::LogicalType& lt = e.logicalType;
  const bool has_ct = e.__isset.converted_type;
  const CT::type ct = e.converted_type;
  if (has_logical && lt.__isset.UNKNOWN) {  // always null, whatever the physical type
    c->type = DataType(TypeId::kNull);
    return Status::OK();
  }
  if ((has_logical && lt.__isset.DECIMAL) || (has_ct && ct == CT::DECIMAL)) {
    return MapDecimal(e, c);
  }
  if ((has_logical && lt.__isset.TIME) || (has_ct && (ct == CT::TIME_MILLIS || ct == CT::TIME_MICROS))) {
    // Milliseconds in INT32 → time32[ms]; micro- or nanoseconds in INT64 → time64.
    TimeUnit u = has_logical && lt.__isset.TIME ? UnitOf(lt.TIME.unit)
                 : ct == CT::TIME_MILLIS        ? TimeUnit::kMilli
                                                : TimeUnit::kMicro;
    if (e.type == PT::INT32 && u == TimeUnit::kMilli) {
      c->type = DataType::WithUnit(TypeId::kTime32, u);
      return Status::OK();
    }
    if (e.type == PT::INT64 && u != TimeUnit::kMilli) {
      c->type = DataType::WithUnit(TypeId::kTime64, u);
      return Status::OK();
    }
    return Unsupported("TIME (" + phys + ")", c->name);
  }
  if (has_ct && ct == CT::INTERVAL) return Unsupported("INTERVAL", c->name);
  if ((has_logical && (lt.__isset.LIST || lt.__isset.MAP)) ||
      (has_ct && (ct == CT::LIST || ct == CT::MAP || ct == CT::MAP_KEY_VALUE))) {
    return Unsupported("LIST/MAP", c->name);
  }
  switch (e.type) {
    case PT::BOOLEAN:
      c->type = DataType(TypeId::kBool);
      c->convert = Convert::kBool;
      return Status::OK();
    case PT::INT32: {
      int bits = 32;
      bool is_signed = true;
      if (has_logical && lt.__isset.INTEGER) {
        bits = lt.INTEGER.bitWidth;
        is_signed = lt.INTEGER.isSigned;
      } else if (has_ct && ct >= CT::UINT_8 && ct <= CT::INT_64) {
        static const int kBits[] = {8, 16, 32, 64, 8, 16, 32, 64};
        bits = kBits[ct - CT::UINT_8];
        is_signed = ct >= CT::INT_8;
      }
      if ((has_logical && lt.__isset.DATE) || (has_ct && ct == CT::DATE)) {
        c->type = DataType(TypeId::kDate32);
        return Status::OK();
      }
      if (bits == 8) {
        c->type = DataType(is_signed ? TypeId::kInt8 : TypeId::kUInt8);
        c->convert = Convert::kNarrow8;
      } else if (bits == 16) {
        c->type = DataType(is_signed ? TypeId::kInt16 : TypeId::kUInt16);
        c->convert = Convert::kNarrow16;
      } else if (bits == 32) {
        c->type = DataType(is_signed ? TypeId::kInt32 : TypeId::kUInt32);
      } else {
        return Unsupported("INT(" + std::to_string(bits) + ") stored as INT32", c->name);
      }
      return Status::OK();
    }
    case PT::INT64: {
      if (has_logical && lt.__isset.TIMESTAMP) {
        c->type = DataType::Timestamp(UnitOf(lt.TIMESTAMP.unit),
                                      lt.TIMESTAMP.isAdjustedToUTC ? "UTC" : "");
        return Status::OK();
      }
      if (has_ct && (ct == CT::TIMESTAMP_MILLIS || ct == CT::TIMESTAMP_MICROS)) {
        // The legacy annotations are instants (adjusted to UTC).
        c->type = DataType::Timestamp(ct == CT::TIMESTAMP_MILLIS ? TimeUnit::kMilli : TimeUnit::kMicro,
                                      "UTC");
        return Status::OK();
      }
      bool is_signed = true;
      if (has_logical && lt.__isset.INTEGER) {
        is_signed = lt.INTEGER.isSigned;
        if (lt.INTEGER.bitWidth != 64) {
          return Unsupported("INT(" + std::to_string(lt.INTEGER.bitWidth) + ") stored as INT64",
                             c->name);
        }
      } else if (has_ct && ct == CT::UINT_64) {
        is_signed = false;
      }
      c->type = DataType(is_signed ? TypeId::kInt64 : TypeId::kUInt64);
      return Status::OK();
    }
    case PT::INT96:
      c->type = DataType::Timestamp(TimeUnit::kNano);
      c->convert = Convert::kInt96;
      return Status::OK();
    case PT::FLOAT:
      c->type = DataType(TypeId::kFloat32);
      return Status::OK();
    case PT::DOUBLE:
      c->type = DataType(TypeId::kFloat64);
      return Status::OK();
    case PT::BYTE_ARRAY: {
      const bool text = (has_logical && (lt.__isset.STRING || lt.__isset.ENUM || lt.__isset.JSON)) ||
                        (has_ct && (ct == CT::UTF8 || ct == CT::ENUM || ct == CT::JSON));
      c->type = DataType(text ? TypeId::kUtf8 : TypeId::kBinary);
      c->convert = Convert::kBytes;
      return Status::OK();
    }
    case PT::FIXED_LEN_BYTE_ARRAY:
      if (e.type_length <= 0) {
        return Status::Invalid("column \"" + c->name + "\": FIXED_LEN_BYTE_ARRAY without a length");
      }
      if (has_logical && lt.__isset.FLOAT16) {
        if (e.type_length != 2) return Unsupported("FLOAT16 of length " + std::to_string(e.type_length), c->name);
        c->type = DataType(TypeId::kFloat32);
        c->convert = Convert::kHalf;
        return Status::OK();
      }
      // UUID and unannotated: the bytes, as fixed_size_binary of the same
      // width (copied as they are: PLAIN FIXED_LEN_BYTE_ARRAY is Arrow's layout).
      c->type = DataType::FixedSizeBinary(e.type_length);
      return Status::OK();
  }
  return Unsupported("with physical type " + std::to_string(int(e.type)), c->name);
}

int PhysicalWidth(PT::type t, int type_length) {
  switch (t) {
    case PT::INT32:
    case PT::FLOAT:
      return 4;
    case PT::INT64:
    case PT::DOUBLE:
      return 8;
    case PT::INT96:
      return 12;
    case PT::FIXED_LEN_BYTE_ARRAY:
      return type_length;
    case PT::BOOLEAN:
    case PT::BYTE_ARRAY:
      break;
  }
  return 0;
}

const char* PhysicalTypeName(PT::type t) {
  switch (t) {
    case PT::BOOLEAN:
      return "BOOLEAN";
    case PT::INT32:
      return "INT32";
    case PT::INT64:
      return "INT64";
    case PT::INT96:
      return "INT96";
    case PT::FLOAT:
      return "FLOAT";
    case PT::DOUBLE:
      return "DOUBLE";
    case PT::BYTE_ARRAY:
      return "BYTE_ARRAY";
    case PT::FIXED_LEN_BYTE_ARRAY:
      return "FIXED_LEN_BYTE_ARRAY";
  }
  return "unknown";
}

Result<ParquetColumns> MapParquetSchema(const std::vector<format::SchemaElement>& schema) {
  if (schema.empty()) return Status::Invalid("the schema has no root element");
  const format::SchemaElement& root = schema[0];
  const int64_t children = root.__isset.num_children ? root.num_children : 0;
  if (children < 0 || size_t(children) >= schema.size() + 1) {
    return Status::Invalid("the schema root claims " + std::to_string(children) + " children");
  }
  ParquetColumns out;
  size_t i = 1;
  for (int64_t k = 0; k < children; ++k) {
    if (i >= schema.size()) return Status::Invalid("the schema ends before its root's children");
    const format::SchemaElement& e = schema[i];
    ColumnSpec c;
    c.name = e.name;
    c.leaf = out.leaves;
    if ((e.__isset.num_children && e.num_children > 0) ||
        (e.__isset.repetition_type && e.repetition_type == format::FieldRepetitionType::REPEATED)) {
      QUIVER_ASSIGN_OR_RETURN(ColumnSpec nested, MapNestedColumn(schema, &i, &out.leaves));
      out.columns.push_back(std::move(nested));
      continue;
    }
    ++i;
    ++out.leaves;
    if (!e.__isset.type) {
      c.unsupported = Status::Invalid("column \"" + e.name + "\" has no physical type");
    } else {
      c.physical = e.type;
      c.type_length = e.__isset.type_length ? e.type_length : 0;
      c.max_def = e.__isset.repetition_type &&
                  e.repetition_type == format::FieldRepetitionType::OPTIONAL;
      c.unsupported = MapLeafType(e, &c);
    }
    out.columns.push_back(std::move(c));
  }
  if (i != schema.size()) return Status::Invalid("the schema has elements outside its root");
  return out;
}

namespace {

// RFC 4648 base64 (padding optional); nullopt-like empty result on a bad
// character.
bool DecodeBase64(const std::string& in, std::string* out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = value(c);
    if (v < 0) return false;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(char((acc >> bits) & 0xff));
    }
  }
  return true;
}

}  // namespace

void ApplyArrowSchema(const std::string& base64_ipc_schema, std::vector<ColumnSpec>* columns) {
  auto message = std::make_shared<std::string>();
  if (!DecodeBase64(base64_ipc_schema, message.get())) return;
  message->append(EndOfStreamMarker());
  auto ipc = ReadIpc(message);
  if (!ipc.ok()) return;  // a type Quiver cannot hold yet, or not a schema
  const Schema& arrow = *ipc->schema;
  for (ColumnSpec& c : *columns) {
    int k = arrow.FieldIndex(c.name);
    if (k < 0 || !c.unsupported.ok()) continue;
    RefineWithArrowType(arrow.field(size_t(k)).type, &c);
  }
}

void RefineWithArrowType(const DataType& a, ColumnSpec* col) {
  if (col->nested) {
    RefineNestedColumn(a, col);
    return;
  }
  ColumnSpec& c = *col;
  if (a.large_offsets && c.convert == Convert::kBytes && a.id == c.type.id) {
    c.type.large_offsets = true;  // large_utf8 / large_binary, written as BYTE_ARRAY
    return;
  }
  if (c.convert != Convert::kCopy) return;
  if (a.id == TypeId::kDuration && c.type.id == TypeId::kInt64) {
    c.type = a;  // Parquet has no duration: written as plain INT64
    return;
  }
  if (c.type.id != TypeId::kTimestamp) return;
  if (a.id != TypeId::kTimestamp || a.timezone.empty() != c.type.timezone.empty()) return;
  c.type.timezone = a.timezone;
  const int64_t from = UnitsPerSecond(c.type.unit), to = UnitsPerSecond(a.unit);
  if (to < from) {
    c.convert = Convert::kDivide;
    c.divisor = from / to;
    c.type.unit = a.unit;
  }
}

Result<format::SchemaElement> ParquetElementFor(const Field& f) {
  format::SchemaElement e;
  e.__set_name(f.name);
  e.__set_repetition_type(f.nullable ? format::FieldRepetitionType::OPTIONAL
                                     : format::FieldRepetitionType::REQUIRED);
  auto integer = [&](PT::type t, int bits, bool is_signed) {
    e.__set_type(t);
    format::IntType it;
    it.__set_bitWidth(int8_t(bits));
    it.__set_isSigned(is_signed);
    format::LogicalType lt;
    lt.__set_INTEGER(it);
    e.__set_logicalType(lt);
    static const CT::type kSigned[] = {CT::INT_8, CT::INT_16, CT::INT_32, CT::INT_64};
    static const CT::type kUnsigned[] = {CT::UINT_8, CT::UINT_16, CT::UINT_32, CT::UINT_64};
    int k = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3;
    e.__set_converted_type(is_signed ? kSigned[k] : kUnsigned[k]);
  };
  const DataType& t = f.type;
  switch (t.id) {
    case TypeId::kBool:
      e.__set_type(PT::BOOLEAN);
      break;
    case TypeId::kInt8:
      integer(PT::INT32, 8, true);
      break;
    case TypeId::kInt16:
      integer(PT::INT32, 16, true);
      break;
    case TypeId::kInt32:
      e.__set_type(PT::INT32);
      break;
    case TypeId::kInt64:
      e.__set_type(PT::INT64);
      break;
    case TypeId::kUInt8:
      integer(PT::INT32, 8, false);
      break;
    case TypeId::kUInt16:
      integer(PT::INT32, 16, false);
      break;
    case TypeId::kUInt32:
      integer(PT::INT32, 32, false);
      break;
    case TypeId::kUInt64:
      integer(PT::INT64, 64, false);
      break;
    case TypeId::kFloat32:
      e.__set_type(PT::FLOAT);
      break;
    case TypeId::kFloat64:
      e.__set_type(PT::DOUBLE);
      break;
    case TypeId::kUtf8: {
      e.__set_type(PT::BYTE_ARRAY);
      format::LogicalType lt;
      lt.__set_STRING(format::StringType());
      e.__set_logicalType(lt);
      e.__set_converted_type(CT::UTF8);
      break;
    }
    case TypeId::kBinary:
      e.__set_type(PT::BYTE_ARRAY);
      break;
    case TypeId::kNull: {  // INT32 annotated UNKNOWN (always null), as Arrow's writers do
      e.__set_type(PT::INT32);
      format::LogicalType lt;
      lt.__set_UNKNOWN(format::NullType());
      e.__set_logicalType(lt);
      break;
    }
    case TypeId::kFixedSizeBinary:  // no logical type: UUID would claim a meaning the bytes may not have
      e.__set_type(PT::FIXED_LEN_BYTE_ARRAY);
      e.__set_type_length(t.byte_width);
      break;
    case TypeId::kDate32:
    case TypeId::kDate64: {  // date64 as DATE (days) too, as Arrow's writers do
      e.__set_type(PT::INT32);
      format::LogicalType lt;
      lt.__set_DATE(format::DateType());
      e.__set_logicalType(lt);
      e.__set_converted_type(CT::DATE);
      break;
    }
    case TypeId::kTimestamp: {
      e.__set_type(PT::INT64);
      format::TimeUnit u;
      if (t.unit == TimeUnit::kMilli) {
        u.__set_MILLIS(format::MilliSeconds());
      } else if (t.unit == TimeUnit::kNano) {
        u.__set_NANOS(format::NanoSeconds());
      } else {
        u.__set_MICROS(format::MicroSeconds());  // seconds are written as microseconds
      }
      format::TimestampType ts;
      ts.__set_isAdjustedToUTC(!t.timezone.empty());
      ts.__set_unit(u);
      format::LogicalType lt;
      lt.__set_TIMESTAMP(ts);
      e.__set_logicalType(lt);
      if (!t.timezone.empty() && t.unit == TimeUnit::kMilli) e.__set_converted_type(CT::TIMESTAMP_MILLIS);
      if (!t.timezone.empty() && (t.unit == TimeUnit::kMicro || t.unit == TimeUnit::kSecond)) {
        e.__set_converted_type(CT::TIMESTAMP_MICROS);
      }
      break;
    }
    case TypeId::kNone:
      return Status::NotSupported("column \"" + f.name + "\" has no type; Parquet cannot store it");
    case TypeId::kList:
    case TypeId::kFixedSizeList:
    case TypeId::kStruct:
    case TypeId::kMap:
      return Status::Invalid("internal: nested column \"" + f.name +
                             "\" is written by AppendParquetElements, not as one leaf");
    case TypeId::kDecimal128:
    case TypeId::kDecimal256: {
      e.__set_type(PT::FIXED_LEN_BYTE_ARRAY);
      e.__set_type_length(ByteWidth(t.id));
      format::DecimalType d;
      d.__set_precision(t.precision);
      d.__set_scale(t.scale);
      format::LogicalType lt;
      lt.__set_DECIMAL(d);
      e.__set_logicalType(lt);
      e.__set_converted_type(CT::DECIMAL);
      e.__set_precision(t.precision);
      e.__set_scale(t.scale);
      break;
    }
    case TypeId::kTime32:
    case TypeId::kTime64: {
      const bool millis = t.id == TypeId::kTime32;  // time32[s] is written as milliseconds
      e.__set_type(millis ? PT::INT32 : PT::INT64);
      format::TimeUnit u;
      if (millis) {
        u.__set_MILLIS(format::MilliSeconds());
        e.__set_converted_type(CT::TIME_MILLIS);
      } else if (t.unit == TimeUnit::kNano) {
        u.__set_NANOS(format::NanoSeconds());
      } else {
        u.__set_MICROS(format::MicroSeconds());
        e.__set_converted_type(CT::TIME_MICROS);
      }
      format::TimeType tt;
      tt.__set_isAdjustedToUTC(false);
      tt.__set_unit(u);
      format::LogicalType lt;
      lt.__set_TIME(tt);
      e.__set_logicalType(lt);
      break;
    }
    case TypeId::kDuration:  // plain INT64; the footer's Arrow schema restores the type
      e.__set_type(PT::INT64);
      break;
    case TypeId::kFloat16: {
      e.__set_type(PT::FIXED_LEN_BYTE_ARRAY);
      e.__set_type_length(2);
      format::LogicalType lt;
      lt.__set_FLOAT16(format::Float16Type());
      e.__set_logicalType(lt);
      break;
    }
    case TypeId::kIntervalYearMonth:
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalMonthDayNano:
      return Status::NotSupported("column \"" + f.name + "\" is " + t.ToString() +
                                  ", which Parquet cannot hold exactly (its INTERVAL is "
                                  "months, days and milliseconds)");
  }
  return e;
}

}  // namespace quiver::parquet
