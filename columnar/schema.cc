#include "columnar/schema.h"

#include <nlohmann/json.hpp>

#include <set>

#include "columnar/ipc_internal.h"
#include "columnar/type_name_internal.h"

namespace quiver {

using ipc_internal::fb::Type;
namespace fb = ipc_internal::fb;

namespace {

using type_name_internal::kUnitNames;
using type_name_internal::ParseSimpleId;
using type_name_internal::ParseUnit;

}  // namespace

bool IsStoredType(const DataType& t) {
  if (t.is_dictionary()) {
    return t.id == TypeId::kUtf8 && IsInteger(t.dict_index);
  }
  if (t.is_decimal()) {
    const int max = t.id == TypeId::kDecimal128 ? kMaxDecimal128Precision : kMaxDecimal256Precision;
    return t.precision >= 1 && t.precision <= max && t.scale >= 0 && t.scale <= t.precision;
  }
  if (t.id == TypeId::kFixedSizeBinary) return t.byte_width >= 1;
  if (t.id == TypeId::kTime32) return t.unit == TimeUnit::kSecond || t.unit == TimeUnit::kMilli;
  if (t.id == TypeId::kTime64) return t.unit == TimeUnit::kMicro || t.unit == TimeUnit::kNano;
  return t.id != TypeId::kNone && int(t.unit) <= int(TimeUnit::kNano);
}

Status ValidateSchema(const Schema& schema) {
  std::set<std::string> names;
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    const Field& f = schema.field(i);
    if (f.name.empty()) return Status::Invalid("field " + std::to_string(i) + " has an empty name");
    if (!names.insert(f.name).second) return Status::Invalid("duplicate field name '" + f.name + "'");
    if (!IsStoredType(f.type)) {
      return Status::NotSupported("unsupported type " + f.type.ToString() + " in field '" + f.name + "'");
    }
  }
  return Status::OK();
}

bool SchemaEquals(const Schema& a, const Schema& b, bool check_metadata) {
  if (a.num_fields() != b.num_fields()) return false;
  auto kv_eq = [](const std::vector<KeyValue>& x, const std::vector<KeyValue>& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i].key != y[i].key || x[i].value != y[i].value) return false;
    }
    return true;
  };
  for (size_t i = 0; i < a.num_fields(); ++i) {
    const Field& x = a.field(i);
    const Field& y = b.field(i);
    if (x.name != y.name || !(x.type == y.type) || x.nullable != y.nullable) return false;
    if (check_metadata && !kv_eq(x.metadata, y.metadata)) return false;
  }
  return !check_metadata || kv_eq(a.metadata(), b.metadata());
}

// ---------------------------------------------------------------------------
// Arrow Schema flatbuffer
// ---------------------------------------------------------------------------

namespace ipc_internal {

const char* ArrowTypeName(fb::Type t) {
  const char* name = fb::EnumNameType(t);
  return (name != nullptr && name[0] != '\0') ? name : "unknown";
}

namespace {

// Set bits in `words` 64-bit words at p. Without -mpopcnt the builtin is a
// libgcc call per word; the popcnt build of the loop is chosen at run time
// (validating a chunk's bitmaps is on the first query's path).
int64_t PopcountWords(const uint8_t* p, int64_t words) {
  int64_t n = 0;
  for (int64_t k = 0; k < words; ++k, p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    n += __builtin_popcountll(w);
  }
  return n;
}

#if defined(__x86_64__)
__attribute__((target("popcnt"))) int64_t PopcountWordsHw(const uint8_t* p, int64_t words) {
  int64_t n = 0;
  for (int64_t k = 0; k < words; ++k, p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    n += __builtin_popcountll(w);
  }
  return n;
}
#endif

}  // namespace

int64_t CountSetBits(const uint8_t* bits, int64_t offset, int64_t length) {
  int64_t n = 0;
  int64_t i = 0;
  for (; i < length && ((offset + i) & 7) != 0; ++i) n += GetBit(bits, offset + i);
  const uint8_t* p = bits + ((offset + i) >> 3);
  const int64_t words = (length - i) / 64;
#if defined(__x86_64__)
  static const bool hw = __builtin_cpu_supports("popcnt");
  n += hw ? PopcountWordsHw(p, words) : PopcountWords(p, words);
#else
  n += PopcountWords(p, words);
#endif
  i += words * 64;
  for (; i < length; ++i) n += GetBit(bits, offset + i);
  return n;
}

namespace {

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::KeyValue>>> BuildKv(
    flatbuffers::FlatBufferBuilder& fbb, const std::vector<KeyValue>& kvs) {
  if (kvs.empty()) return 0;
  std::vector<flatbuffers::Offset<fb::KeyValue>> v;
  for (const auto& kv : kvs) {
    v.push_back(fb::CreateKeyValue(fbb, fbb.CreateString(kv.key), fbb.CreateString(kv.value)));
  }
  return fbb.CreateVector(v);
}

std::pair<int, bool> IntWidth(TypeId id) {
  switch (id) {
    case TypeId::kInt8: return {8, true};
    case TypeId::kInt16: return {16, true};
    case TypeId::kInt32: return {32, true};
    case TypeId::kInt64: return {64, true};
    case TypeId::kUInt8: return {8, false};
    case TypeId::kUInt16: return {16, false};
    case TypeId::kUInt32: return {32, false};
    case TypeId::kUInt64: return {64, false};
    default: return {0, false};
  }
}

Result<TypeId> IntTypeId(const fb::Int* t) {
  if (t == nullptr) return TypeId::kInt32;
  bool s = t->is_signed();
  switch (t->bitWidth()) {
    case 8: return s ? TypeId::kInt8 : TypeId::kUInt8;
    case 16: return s ? TypeId::kInt16 : TypeId::kUInt16;
    case 32: return s ? TypeId::kInt32 : TypeId::kUInt32;
    case 64: return s ? TypeId::kInt64 : TypeId::kUInt64;
    default: return Status::Corruption("Int type with bit width " + std::to_string(t->bitWidth()));
  }
}

std::vector<KeyValue> ReadKv(const flatbuffers::Vector<flatbuffers::Offset<fb::KeyValue>>* v) {
  std::vector<KeyValue> out;
  if (v == nullptr) return out;
  for (const fb::KeyValue* kv : *v) {
    if (kv == nullptr) continue;
    out.push_back({kv->key() ? kv->key()->str() : std::string(),
                   kv->value() ? kv->value()->str() : std::string()});
  }
  return out;
}

}  // namespace

flatbuffers::Offset<fb::Schema> BuildSchema(flatbuffers::FlatBufferBuilder& fbb,
                                            const Schema& schema, SchemaForm form) {
  std::vector<flatbuffers::Offset<fb::Field>> fields;
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    const Field& f = schema.field(i);
    const DataType& t = f.type;
    // large_utf8 / large_binary: declared as such on the wire; in storage
    // (whose bodies have 32-bit offsets) utf8 / binary plus a marker.
    const bool large = t.large_offsets && (t.id == TypeId::kUtf8 || t.id == TypeId::kBinary);
    std::vector<KeyValue> metadata = f.metadata;
    if (large && form == SchemaForm::kStorage) metadata.push_back({kLargeOffsetsKey, "true"});
    fb::Type type_type = fb::Type::NONE;
    flatbuffers::Offset<void> type_off;
    switch (t.id) {
      case TypeId::kBool:
        type_type = fb::Type::Bool;
        type_off = fb::CreateBool(fbb).Union();
        break;
      case TypeId::kFloat32:
      case TypeId::kFloat64:
        type_type = fb::Type::FloatingPoint;
        type_off = fb::CreateFloatingPoint(fbb, t.id == TypeId::kFloat32 ? fb::Precision::SINGLE
                                                                          : fb::Precision::DOUBLE)
                       .Union();
        break;
      case TypeId::kUtf8:
        if (large && form == SchemaForm::kWire) {
          type_type = fb::Type::LargeUtf8;
          type_off = fb::CreateLargeUtf8(fbb).Union();
        } else {
          type_type = fb::Type::Utf8;
          type_off = fb::CreateUtf8(fbb).Union();
        }
        break;
      case TypeId::kBinary:
        if (large && form == SchemaForm::kWire) {
          type_type = fb::Type::LargeBinary;
          type_off = fb::CreateLargeBinary(fbb).Union();
        } else {
          type_type = fb::Type::Binary;
          type_off = fb::CreateBinary(fbb).Union();
        }
        break;
      case TypeId::kNull:
        type_type = fb::Type::Null;
        type_off = fb::CreateNull(fbb).Union();
        break;
      case TypeId::kFixedSizeBinary:
        type_type = fb::Type::FixedSizeBinary;
        type_off = fb::CreateFixedSizeBinary(fbb, t.byte_width).Union();
        break;
      case TypeId::kDate32:
        type_type = fb::Type::Date;
        type_off = fb::CreateDate(fbb, fb::DateUnit::DAY).Union();
        break;
      case TypeId::kTimestamp: {
        auto tz = t.timezone.empty() ? 0 : fbb.CreateString(t.timezone);
        type_type = fb::Type::Timestamp;
        type_off = fb::CreateTimestamp(fbb, fb::TimeUnit(int(t.unit)), tz).Union();
        break;
      }
      case TypeId::kDate64:
        type_type = fb::Type::Date;
        type_off = fb::CreateDate(fbb, fb::DateUnit::MILLISECOND).Union();
        break;
      case TypeId::kTime32:
      case TypeId::kTime64:
        type_type = fb::Type::Time;
        type_off = fb::CreateTime(fbb, fb::TimeUnit(int(t.unit)), t.id == TypeId::kTime32 ? 32 : 64).Union();
        break;
      case TypeId::kDuration:
        type_type = fb::Type::Duration;
        type_off = fb::CreateDuration(fbb, fb::TimeUnit(int(t.unit))).Union();
        break;
      case TypeId::kFloat16:
        type_type = fb::Type::FloatingPoint;
        type_off = fb::CreateFloatingPoint(fbb, fb::Precision::HALF).Union();
        break;
      case TypeId::kIntervalYearMonth:
      case TypeId::kIntervalDayTime:
      case TypeId::kIntervalMonthDayNano:
        type_type = fb::Type::Interval;
        type_off = fb::CreateInterval(fbb, t.id == TypeId::kIntervalYearMonth ? fb::IntervalUnit::YEAR_MONTH
                                           : t.id == TypeId::kIntervalDayTime ? fb::IntervalUnit::DAY_TIME
                                                                              : fb::IntervalUnit::MONTH_DAY_NANO)
                       .Union();
        break;
      case TypeId::kDecimal128:
      case TypeId::kDecimal256:
        type_type = fb::Type::Decimal;
        type_off = fb::CreateDecimal(fbb, t.precision, t.scale, t.id == TypeId::kDecimal128 ? 128 : 256)
                       .Union();
        break;
      default: {
        auto [w, s] = IntWidth(t.id);
        type_type = fb::Type::Int;
        type_off = fb::CreateInt(fbb, w, s).Union();
        break;
      }
    }
    flatbuffers::Offset<fb::DictionaryEncoding> dict = 0;
    if (t.is_dictionary()) {
      auto [w, s] = IntWidth(t.dict_index);
      auto index = fb::CreateInt(fbb, w, s);
      dict = fb::CreateDictionaryEncoding(fbb, int64_t(i), index, false);
    }
    auto name = fbb.CreateString(f.name);
    auto children = fbb.CreateVector(std::vector<flatbuffers::Offset<fb::Field>>{});
    auto md = BuildKv(fbb, metadata);
    fields.push_back(fb::CreateField(fbb, name, f.nullable, type_type, type_off, dict, children, md));
  }
  auto fields_off = fbb.CreateVector(fields);
  auto md = BuildKv(fbb, schema.metadata());
  return fb::CreateSchema(fbb, fb::Endianness::Little, fields_off, md);
}

Result<std::shared_ptr<const Schema>> ReadSchema(const fb::Schema* s, std::vector<uint8_t>* wire) {
  if (wire != nullptr) wire->clear();
  if (s == nullptr) return Status::Corruption("Arrow message has no Schema table");
  if (s->endianness() != fb::Endianness::Little) {
    return Status::NotSupported("big-endian Arrow schema (only little-endian data is supported)");
  }
  std::vector<Field> fields;
  if (s->fields() != nullptr) {
    for (flatbuffers::uoffset_t i = 0; i < s->fields()->size(); ++i) {
      const fb::Field* f = s->fields()->Get(i);
      if (f == nullptr) return Status::Corruption("schema field " + std::to_string(i) + " is null");
      Field out;
      out.name = f->name() ? f->name()->str() : std::string();
      out.nullable = f->nullable();
      out.metadata = ReadKv(f->custom_metadata());
      auto unsupported = [&](const std::string& what) {
        return Status::NotSupported("unsupported Arrow type " + what + " in field '" + out.name + "'");
      };
      DataType t;
      uint8_t form = kWireAsHeld;
      if (f->type_type() != fb::Type::NONE && f->type() == nullptr) {
        return Status::Corruption("field '" + out.name + "' has type " + ArrowTypeName(f->type_type()) +
                                  " without its type table");
      }
      switch (f->type_type()) {
        case fb::Type::Bool: t = DataType(TypeId::kBool); break;
        case fb::Type::Int: {
          QUIVER_ASSIGN_OR_RETURN(TypeId id, IntTypeId(f->type_as_Int()));
          t = DataType(id);
          break;
        }
        case fb::Type::FloatingPoint: {
          auto p = f->type_as_FloatingPoint()->precision();
          if (p == fb::Precision::SINGLE) {
            t = DataType(TypeId::kFloat32);
          } else if (p == fb::Precision::DOUBLE) {
            t = DataType(TypeId::kFloat64);
          } else {
            t = DataType(TypeId::kFloat16);
          }
          break;
        }
        case fb::Type::Utf8: t = DataType(TypeId::kUtf8); break;
        case fb::Type::Binary: t = DataType(TypeId::kBinary); break;
        case fb::Type::LargeUtf8:
        case fb::Type::LargeBinary:
          if (wire == nullptr) return unsupported(ArrowTypeName(f->type_type()));
          form = kWireLargeOffsets;
          t = DataType(f->type_type() == fb::Type::LargeUtf8 ? TypeId::kUtf8 : TypeId::kBinary);
          t.large_offsets = true;
          break;
        case fb::Type::Utf8View:
        case fb::Type::BinaryView:
          // Stored as utf8/binary: a view column's values point into data
          // buffers shared by the whole batch, in any order, which a chunk
          // (one column, one contiguous data buffer) cannot keep as they are.
          if (wire == nullptr || f->dictionary() != nullptr) return unsupported(ArrowTypeName(f->type_type()));
          form = kWireView;
          t = DataType(f->type_type() == fb::Type::Utf8View ? TypeId::kUtf8 : TypeId::kBinary);
          break;
        case fb::Type::Null:
          // Every value is null whatever the flag says (apache-arrow writes
          // nullable: false for it): the field is nullable.
          t = DataType(TypeId::kNull);
          out.nullable = true;
          break;
        case fb::Type::FixedSizeBinary: {
          int32_t w = f->type_as_FixedSizeBinary()->byteWidth();
          if (w < 1) {
            return Status::Corruption("field '" + out.name + "': FixedSizeBinary of " + std::to_string(w) + " bytes");
          }
          t = DataType::FixedSizeBinary(w);
          break;
        }
        case fb::Type::Date:
          t = DataType(f->type_as_Date()->unit() == fb::DateUnit::DAY ? TypeId::kDate32 : TypeId::kDate64);
          break;
        case fb::Type::Time: {
          auto tm = f->type_as_Time();
          int u = int(tm->unit());
          if (u < 0 || u > 3) return Status::Corruption("Time with unknown unit in field '" + out.name + "'");
          t = DataType::WithUnit(tm->bitWidth() == 32 ? TypeId::kTime32 : TypeId::kTime64, TimeUnit(u));
          if ((tm->bitWidth() != 32 && tm->bitWidth() != 64) || !IsStoredType(t)) {
            return Status::Corruption("field '" + out.name + "': Time of " + std::to_string(tm->bitWidth()) +
                                      " bits in unit " + std::to_string(u) + " (Arrow: 32 bits s/ms, 64 bits us/ns)");
          }
          break;
        }
        case fb::Type::Duration: {
          int u = int(f->type_as_Duration()->unit());
          if (u < 0 || u > 3) return Status::Corruption("Duration with unknown unit in field '" + out.name + "'");
          t = DataType::WithUnit(TypeId::kDuration, TimeUnit(u));
          break;
        }
        case fb::Type::Interval:
          switch (f->type_as_Interval()->unit()) {
            case fb::IntervalUnit::YEAR_MONTH: t = DataType(TypeId::kIntervalYearMonth); break;
            case fb::IntervalUnit::DAY_TIME: t = DataType(TypeId::kIntervalDayTime); break;
            case fb::IntervalUnit::MONTH_DAY_NANO: t = DataType(TypeId::kIntervalMonthDayNano); break;
            default: return Status::Corruption("Interval with unknown unit in field '" + out.name + "'");
          }
          break;
        case fb::Type::Timestamp: {
          auto ts = f->type_as_Timestamp();
          int u = int(ts->unit());
          if (u < 0 || u > 3) return Status::Corruption("Timestamp with unknown unit " + std::to_string(u) +
                                                        " in field '" + out.name + "'");
          t = DataType::Timestamp(TimeUnit(u), ts->timezone() ? ts->timezone()->str() : std::string());
          break;
        }
        case fb::Type::Decimal: {
          auto d = f->type_as_Decimal();
          const int bits = d->bitWidth();
          if (bits != 128 && bits != 256) return unsupported("Decimal" + std::to_string(bits));
          t = DataType::Decimal(d->precision(), d->scale());
          t.id = bits == 128 ? TypeId::kDecimal128 : TypeId::kDecimal256;
          if (!IsStoredType(t)) {
            return Status::NotSupported("unsupported Arrow type " + t.ToString() + " in field '" + out.name +
                                        "' (precision 1..38 for decimal128, 1..76 for decimal256, "
                                        "scale 0..precision)");
          }
          break;
        }
        case fb::Type::NONE:
          return Status::Corruption("field '" + out.name + "' has no type");
        default:
          return unsupported(ArrowTypeName(f->type_type()));
      }
      if (f->children() != nullptr && f->children()->size() != 0) {
        return Status::Corruption("primitive field '" + out.name + "' has children");
      }
      for (size_t k = 0; k < out.metadata.size(); ++k) {
        if (out.metadata[k].key != kLargeOffsetsKey) continue;
        if (t.id == TypeId::kUtf8 || t.id == TypeId::kBinary) t.large_offsets = true;
        out.metadata.erase(out.metadata.begin() + ptrdiff_t(k));
        break;
      }
      if (const fb::DictionaryEncoding* d = f->dictionary()) {
        QUIVER_ASSIGN_OR_RETURN(TypeId index, IntTypeId(d->indexType()));
        if (t.id != TypeId::kUtf8) {
          return unsupported("Dictionary<" + std::string(TypeIdName(t.id)) + ">");
        }
        t.dict_index = index;
        t.dict_id = d->id();
      }
      out.type = std::move(t);
      fields.push_back(std::move(out));
      if (wire != nullptr) wire->push_back(form);
    }
  }
  auto schema = std::make_shared<Schema>(std::move(fields), ReadKv(s->custom_metadata()));
  QUIVER_RETURN_NOT_OK(ValidateSchema(*schema));
  return std::shared_ptr<const Schema>(std::move(schema));
}

}  // namespace ipc_internal

Result<std::string> SchemaToFlatbuffer(const Schema& schema) {
  QUIVER_RETURN_NOT_OK(ValidateSchema(schema));
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(ipc_internal::BuildSchema(fbb, schema, ipc_internal::SchemaForm::kStorage));
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

Result<std::shared_ptr<const Schema>> SchemaFromFlatbuffer(const uint8_t* data, int64_t size) {
  if (size < 8 || size > int64_t(FLATBUFFERS_MAX_BUFFER_SIZE)) {
    return Status::Corruption("schema flatbuffer of " + std::to_string(size) + " bytes");
  }
  // Verification wants aligned input; copy when the caller's bytes are not.
  std::string copy;
  if ((reinterpret_cast<uintptr_t>(data) & 7) != 0) {
    copy.assign(reinterpret_cast<const char*>(data), size_t(size));
    data = reinterpret_cast<const uint8_t*>(copy.data());
  }
  flatbuffers::Verifier v(data, size_t(size));
  if (!fb::VerifySchemaBuffer(v)) return Status::Corruption("schema flatbuffer fails verification");
  return ipc_internal::ReadSchema(fb::GetSchema(data));
}

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

namespace {

nlohmann::json KvToJson(const std::vector<KeyValue>& kvs) {
  nlohmann::json o = nlohmann::json::object();
  for (const auto& kv : kvs) o[kv.key] = kv.value;
  return o;
}

Result<std::vector<KeyValue>> KvFromJson(const nlohmann::json& j, const std::string& where) {
  std::vector<KeyValue> out;
  if (!j.is_object()) return Status::Invalid(where + ": metadata must be an object of strings");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_string()) return Status::Invalid(where + ": metadata value of '" + it.key() + "' is not a string");
    out.push_back({it.key(), it.value().get<std::string>()});
  }
  return out;
}

}  // namespace

std::string SchemaToJson(const Schema& schema, int indent) {
  nlohmann::json fields = nlohmann::json::array();
  for (const Field& f : schema.fields()) {
    nlohmann::json jf;
    jf["name"] = f.name;
    jf["type"] = f.type.large_offsets && !f.type.is_dictionary() && IsVarLength(f.type.id)
                     ? f.type.ToString() : std::string(TypeIdName(f.type.id));
    if (f.type.id == TypeId::kTimestamp || f.type.has_unit()) {
      jf["unit"] = kUnitNames[int(f.type.unit) & 3];
      if (!f.type.timezone.empty()) jf["timezone"] = f.type.timezone;
    }
    if (f.type.is_decimal()) {
      jf["precision"] = f.type.precision;
      jf["scale"] = f.type.scale;
    }
    if (f.type.id == TypeId::kFixedSizeBinary) jf["byte_width"] = f.type.byte_width;
    if (f.type.is_dictionary()) jf["dictionary"] = {{"index_type", TypeIdName(f.type.dict_index)}};
    jf["nullable"] = f.nullable;
    if (!f.metadata.empty()) jf["metadata"] = KvToJson(f.metadata);
    fields.push_back(std::move(jf));
  }
  nlohmann::json j;
  j["fields"] = std::move(fields);
  if (!schema.metadata().empty()) j["metadata"] = KvToJson(schema.metadata());
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::shared_ptr<const Schema>> SchemaFromJson(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Invalid("schema JSON does not parse");
  if (!j.is_object() || !j.contains("fields") || !j["fields"].is_array()) {
    return Status::Invalid("schema JSON needs an object with a \"fields\" array");
  }
  std::vector<Field> fields;
  size_t i = 0;
  for (const auto& jf : j["fields"]) {
    std::string where = "schema JSON field " + std::to_string(i++);
    if (!jf.is_object() || !jf.contains("name") || !jf["name"].is_string() || !jf.contains("type") ||
        !jf["type"].is_string()) {
      return Status::Invalid(where + ": needs string \"name\" and \"type\"");
    }
    Field f;
    f.name = jf["name"].get<std::string>();
    where += " ('" + f.name + "')";
    std::string type_name = jf["type"].get<std::string>();
    if (type_name == "timestamp") {
      if (!jf.contains("unit")) return Status::Invalid(where + ": timestamp needs a \"unit\"");
      f.type = DataType::Timestamp(TimeUnit::kSecond);
    } else if ((type_name == "decimal128" || type_name == "decimal256") && jf.contains("precision")) {
      const auto& p = jf["precision"];
      const auto& sc = jf.contains("scale") ? jf["scale"] : nlohmann::json(0);
      if (!p.is_number_integer() || !sc.is_number_integer()) {
        return Status::Invalid(where + ": decimal \"precision\" and \"scale\" must be integers");
      }
      f.type = DataType::Decimal(p.get<int32_t>(), sc.get<int32_t>());
      f.type.id = type_name == "decimal128" ? TypeId::kDecimal128 : TypeId::kDecimal256;
      if (!IsStoredType(f.type)) return Status::Invalid(where + ": invalid " + f.type.ToString());
    } else if (type_name == "fixed_size_binary") {
      const auto& w = jf.contains("byte_width") ? jf["byte_width"] : nlohmann::json();
      if (!w.is_number_integer() || w.get<int64_t>() < 1 || w.get<int64_t>() > 999) {
        return Status::Invalid(where + ": fixed_size_binary needs an integer \"byte_width\" of 1..999");
      }
      f.type = DataType::FixedSizeBinary(w.get<int32_t>());
    } else {
      auto t = ParseTypeName(type_name);
      if (!t.ok()) return t.status().WithContext(where);
      f.type = *t;
    }
    if (jf.contains("unit")) {
      if ((f.type.id != TypeId::kTimestamp && !f.type.has_unit()) || !jf["unit"].is_string()) {
        return Status::Invalid(where + ": \"unit\" applies to timestamps, times and durations only, as a string");
      }
      auto u = ParseUnit(jf["unit"].get<std::string>());
      if (!u.ok()) return u.status().WithContext(where);
      f.type.unit = *u;
    }
    if (jf.contains("timezone")) {
      if (f.type.id != TypeId::kTimestamp || !jf["timezone"].is_string()) {
        return Status::Invalid(where + ": \"timezone\" applies to timestamps only, as a string");
      }
      f.type.timezone = jf["timezone"].get<std::string>();
    }
    if (jf.contains("dictionary")) {
      const auto& d = jf["dictionary"];
      if (!d.is_object() || !d.contains("index_type") || !d["index_type"].is_string()) {
        return Status::Invalid(where + ": \"dictionary\" needs a string \"index_type\"");
      }
      auto idx = ParseSimpleId(d["index_type"].get<std::string>());
      if (!idx.ok()) return idx.status().WithContext(where);
      f.type.dict_index = *idx;
    }
    if (jf.contains("nullable")) {
      if (!jf["nullable"].is_boolean()) return Status::Invalid(where + ": \"nullable\" must be a boolean");
      f.nullable = jf["nullable"].get<bool>();
    }
    if (jf.contains("metadata")) {
      QUIVER_ASSIGN_OR_RETURN(f.metadata, KvFromJson(jf["metadata"], where));
    }
    fields.push_back(std::move(f));
  }
  std::vector<KeyValue> md;
  if (j.contains("metadata")) {
    QUIVER_ASSIGN_OR_RETURN(md, KvFromJson(j["metadata"], "schema JSON"));
  }
  auto schema = std::make_shared<Schema>(std::move(fields), std::move(md));
  QUIVER_RETURN_NOT_OK(ValidateSchema(*schema));
  return std::shared_ptr<const Schema>(std::move(schema));
}

// ---------------------------------------------------------------------------
// Datashape
// ---------------------------------------------------------------------------

namespace {

bool IsIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string DatashapeType(const DataType& t) {
  if (t.is_dictionary()) return std::string("dict[string, ") + TypeIdName(t.dict_index) + "]";
  switch (t.id) {
    case TypeId::kUtf8: return "string";
    case TypeId::kBinary: return "bytes";
    case TypeId::kFixedSizeBinary: return "bytes[" + std::to_string(t.byte_width) + "]";
    case TypeId::kDate32: return "date";
    case TypeId::kTime32:
    case TypeId::kTime64:
    case TypeId::kDuration:
      return t.ToString();
    case TypeId::kDecimal128:
    case TypeId::kDecimal256:
      return std::string(t.id == TypeId::kDecimal128 ? "decimal" : "decimal256") + "[" +
             std::to_string(t.precision) + ", " + std::to_string(t.scale) + "]";
    case TypeId::kTimestamp: {
      std::string s = std::string("timestamp[unit='") + kUnitNames[int(t.unit) & 3] + "'";
      if (!t.timezone.empty()) s += ", tz=" + Quote(t.timezone);
      return s + "]";
    }
    default: return TypeIdName(t.id);
  }
}

}  // namespace

std::string SchemaToDatashape(const Schema& schema) {
  std::string s = "var * {";
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    const Field& f = schema.field(i);
    if (i > 0) s += ", ";
    s += IsIdentifier(f.name) ? f.name : Quote(f.name);
    s += ": ";
    if (f.nullable) s += "?";
    s += DatashapeType(f.type);
  }
  return s + "}";
}

Result<std::shared_ptr<const Schema>> SchemaFromDatashape(std::string_view text) {
  size_t pos = 0;
  auto err = [&](const std::string& what) {
    return Status::Invalid("datashape: " + what + " at offset " + std::to_string(pos));
  };
  auto skip_ws = [&] {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  };
  skip_ws();
  if (text.substr(pos, 3) == "var") {
    pos += 3;
    skip_ws();
    if (pos >= text.size() || text[pos] != '*') return err("expected '*' after 'var'");
    ++pos;
    skip_ws();
  }
  if (pos >= text.size() || text[pos] != '{') return err("expected '{'");
  ++pos;
  std::vector<Field> fields;
  skip_ws();
  if (pos < text.size() && text[pos] == '}') {
    ++pos;
  } else {
    while (true) {
      skip_ws();
      Field f;
      if (pos < text.size() && (text[pos] == '\'' || text[pos] == '"')) {
        char q = text[pos++];
        while (pos < text.size() && text[pos] != q) {
          if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
          f.name += text[pos++];
        }
        if (pos >= text.size()) return err("unterminated quoted name");
        ++pos;
      } else {
        while (pos < text.size() && (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_')) {
          f.name += text[pos++];
        }
      }
      if (f.name.empty()) return err("expected a field name");
      skip_ws();
      if (pos >= text.size() || text[pos] != ':') return err("expected ':' after field '" + f.name + "'");
      ++pos;
      skip_ws();
      f.nullable = false;
      if (pos < text.size() && text[pos] == '?') {
        f.nullable = true;
        ++pos;
      }
      size_t start = pos;
      int depth = 0;
      bool quoted = false;
      while (pos < text.size()) {
        char c = text[pos];
        if (c == '\'' || c == '"') quoted = !quoted;
        if (!quoted) {
          if (c == '[' || c == '<') ++depth;
          if (c == ']' || c == '>') --depth;
          if (depth == 0 && (c == ',' || c == '}')) break;
        }
        ++pos;
      }
      auto t = ParseTypeName(text.substr(start, pos - start));
      if (!t.ok()) return t.status().WithContext("datashape field '" + f.name + "'");
      f.type = *t;
      fields.push_back(std::move(f));
      if (pos >= text.size()) return err("expected '}'");
      if (text[pos++] == '}') break;
    }
  }
  skip_ws();
  if (pos != text.size()) return err("trailing text");
  auto schema = std::make_shared<Schema>(std::move(fields));
  QUIVER_RETURN_NOT_OK(ValidateSchema(*schema));
  return std::shared_ptr<const Schema>(std::move(schema));
}

}  // namespace quiver
