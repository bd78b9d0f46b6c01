// The catalog's and Arrow IPC's Schema flatbuffer: Quiver schemas to and
// from Arrow's Schema.fbs tables, nested fields included.
#include <string>
#include <vector>

#include "columnar/ipc_internal.h"
#include "columnar/schema.h"

namespace quiver {

namespace fb = ipc_internal::fb;
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

namespace {

// One field and, first, its children (a flatbuffer table's parts are built
// before the table). `dict_id`: the id a dictionary-encoded field declares.
flatbuffers::Offset<fb::Field> BuildField(flatbuffers::FlatBufferBuilder& fbb, const Field& f,
                                          SchemaForm form, int64_t dict_id) {
  const DataType& t = f.type;
  // large_utf8 / large_binary / large_list: declared as such on the wire; in
  // storage (whose bodies have 32-bit offsets) as utf8 / binary / list plus
  // a marker.
  const bool large = t.large_offsets && (t.id == TypeId::kUtf8 || t.id == TypeId::kBinary || t.id == TypeId::kList);
  std::vector<KeyValue> metadata = f.metadata;
  if (large && form == SchemaForm::kStorage) metadata.push_back({kLargeOffsetsKey, "true"});
  std::vector<flatbuffers::Offset<fb::Field>> children;
  for (size_t k = 0; k < t.num_children(); ++k) children.push_back(BuildField(fbb, t.child(k), form, 0));
  fb::Type type_type = fb::Type::NONE;
  flatbuffers::Offset<void> type_off;
  auto put = [&](fb::Type tt, flatbuffers::Offset<void> off) {
    type_type = tt;
    type_off = off;
  };
  switch (t.id) {
    case TypeId::kBool:
      put(fb::Type::Bool, fb::CreateBool(fbb).Union());
      break;
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      put(fb::Type::FloatingPoint,
          fb::CreateFloatingPoint(fbb, t.id == TypeId::kFloat32 ? fb::Precision::SINGLE : fb::Precision::DOUBLE).Union());
      break;
    case TypeId::kUtf8:
      if (large && form == SchemaForm::kWire) {
        put(fb::Type::LargeUtf8, fb::CreateLargeUtf8(fbb).Union());
      } else {
        put(fb::Type::Utf8, fb::CreateUtf8(fbb).Union());
      }
      break;
    case TypeId::kBinary:
      if (large && form == SchemaForm::kWire) {
        put(fb::Type::LargeBinary, fb::CreateLargeBinary(fbb).Union());
      } else {
        put(fb::Type::Binary, fb::CreateBinary(fbb).Union());
      }
      break;
    case TypeId::kNull:
      put(fb::Type::Null, fb::CreateNull(fbb).Union());
      break;
    case TypeId::kFixedSizeBinary:
      put(fb::Type::FixedSizeBinary, fb::CreateFixedSizeBinary(fbb, t.byte_width).Union());
      break;
    case TypeId::kDate32:
      put(fb::Type::Date, fb::CreateDate(fbb, fb::DateUnit::DAY).Union());
      break;
    case TypeId::kTimestamp: {
      auto tz = t.timezone.empty() ? 0 : fbb.CreateString(t.timezone);
      put(fb::Type::Timestamp, fb::CreateTimestamp(fbb, fb::TimeUnit(int(t.unit)), tz).Union());
      break;
    }
    case TypeId::kDate64:
      put(fb::Type::Date, fb::CreateDate(fbb, fb::DateUnit::MILLISECOND).Union());
      break;
    case TypeId::kTime32:
    case TypeId::kTime64:
      put(fb::Type::Time, fb::CreateTime(fbb, fb::TimeUnit(int(t.unit)), t.id == TypeId::kTime32 ? 32 : 64).Union());
      break;
    case TypeId::kDuration:
      put(fb::Type::Duration, fb::CreateDuration(fbb, fb::TimeUnit(int(t.unit))).Union());
      break;
    case TypeId::kFloat16:
      put(fb::Type::FloatingPoint, fb::CreateFloatingPoint(fbb, fb::Precision::HALF).Union());
      break;
    case TypeId::kIntervalYearMonth:
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalMonthDayNano:
      put(fb::Type::Interval, fb::CreateInterval(fbb, t.id == TypeId::kIntervalYearMonth ? fb::IntervalUnit::YEAR_MONTH
                                         : t.id == TypeId::kIntervalDayTime ? fb::IntervalUnit::DAY_TIME
                                                                            : fb::IntervalUnit::MONTH_DAY_NANO)
                     .Union());
      break;
    case TypeId::kDecimal128:
    case TypeId::kDecimal256:
      put(fb::Type::Decimal, fb::CreateDecimal(fbb, t.precision, t.scale, t.id == TypeId::kDecimal128 ? 128 : 256)
                     .Union());
      break;
    case TypeId::kList:
      if (t.large_offsets && form == SchemaForm::kWire) {
        put(fb::Type::LargeList, fb::CreateLargeList(fbb).Union());
      } else {
        put(fb::Type::List, fb::CreateList(fbb).Union());
      }
      break;
    case TypeId::kFixedSizeList:
      put(fb::Type::FixedSizeList, fb::CreateFixedSizeList(fbb, t.list_size).Union());
      break;
    case TypeId::kStruct:
      put(fb::Type::Struct_, fb::CreateStruct_(fbb).Union());
      break;
    case TypeId::kMap:
      put(fb::Type::Map, fb::CreateMap(fbb, t.keys_sorted).Union());
      break;
    default: {
      auto [w, s] = IntWidth(t.id);
      put(fb::Type::Int, fb::CreateInt(fbb, w, s).Union());
      break;
    }
  }
  flatbuffers::Offset<fb::DictionaryEncoding> dict = 0;
  if (t.is_dictionary()) {
    auto [w, s] = IntWidth(t.dict_index);
    auto index = fb::CreateInt(fbb, w, s);
    dict = fb::CreateDictionaryEncoding(fbb, dict_id, index, false);
  }
  auto name = fbb.CreateString(f.name);
  auto kids = fbb.CreateVector(children);
  auto md = BuildKv(fbb, metadata);
  return fb::CreateField(fbb, name, f.nullable, type_type, type_off, dict, kids, md);
}

}  // namespace

flatbuffers::Offset<fb::Schema> BuildSchema(flatbuffers::FlatBufferBuilder& fbb,
                                            const Schema& schema, SchemaForm form) {
  std::vector<flatbuffers::Offset<fb::Field>> fields;
  for (size_t i = 0; i < schema.num_fields(); ++i) fields.push_back(BuildField(fbb, schema.field(i), form, int64_t(i)));
  auto fields_off = fbb.CreateVector(fields);
  auto md = BuildKv(fbb, schema.metadata());
  return fb::CreateSchema(fbb, fb::Endianness::Little, fields_off, md);
}

namespace {

Result<Field> ReadField(const fb::Field* f, bool wire, int depth, const std::string& path, uint8_t* form);

// The children of a nested field, and its type. Arrow's rules: a list,
// large list or fixed-size list has one child; a map one non-nullable struct
// child of two fields (key, value); a struct any number.
Result<DataType> ReadNested(const fb::Field* f, bool wire, int depth, const std::string& path) {
  constexpr int kMaxDepth = 32;
  if (depth >= kMaxDepth) {
    return Status::NotSupported("field '" + path + "' nests types more than " + std::to_string(kMaxDepth) + " deep");
  }
  std::vector<Field> kids;
  if (f->children() != nullptr) {
    for (flatbuffers::uoffset_t k = 0; k < f->children()->size(); ++k) {
      const fb::Field* c = f->children()->Get(k);
      if (c == nullptr) return Status::Corruption("field '" + path + "' child " + std::to_string(k) + " is null");
      const std::string name = c->name() ? c->name()->str() : std::string();
      uint8_t ignored = 0;
      QUIVER_ASSIGN_OR_RETURN(Field child, ReadField(c, wire, depth + 1, path + "." + name, &ignored));
      kids.push_back(std::move(child));
    }
  }
  const fb::Type tt = f->type_type();
  auto need = [&](size_t n) -> Status {
    if (kids.size() == n) return Status::OK();
    return Status::Corruption("field '" + path + "' of type " + ArrowTypeName(tt) + " has " +
                              std::to_string(kids.size()) + " children, Arrow requires " + std::to_string(n));
  };
  if (tt == fb::Type::Struct_) return DataType::Struct(std::move(kids));
  QUIVER_RETURN_NOT_OK(need(1));
  if (tt == fb::Type::FixedSizeList) {
    const int32_t size = f->type_as_FixedSizeList()->listSize();
    if (size < 0) return Status::Corruption("field '" + path + "': FixedSizeList of " + std::to_string(size) + " values");
    return DataType::FixedSizeList(std::move(kids[0]), size);
  }
  if (tt == fb::Type::Map) {
    const DataType& e = kids[0].type;
    if (e.id != TypeId::kStruct || e.num_children() != 2) {
      return Status::Corruption("field '" + path + "': a Map's child must be a struct of two fields (key, value), found " +
                                e.ToString());
    }
    DataType t(TypeId::kMap);
    t.keys_sorted = f->type_as_Map()->keysSorted();
    t.children = std::make_shared<const std::vector<Field>>(std::move(kids));
    return t;
  }
  return DataType::List(std::move(kids[0]), tt == fb::Type::LargeList);
}

// One field. `wire`: an IPC stream's or file's schema (large and view types
// accepted, their WireForm in *form); else the catalog's.
Result<Field> ReadField(const fb::Field* f, bool wire, int depth, const std::string& path, uint8_t* form) {
  Field out;
  out.name = f->name() ? f->name()->str() : std::string();
  out.nullable = f->nullable();
  out.metadata = ReadKv(f->custom_metadata());
  auto unsupported = [&](const std::string& what) {
    return Status::NotSupported("unsupported Arrow type " + what + " in field '" + path + "'");
  };
  DataType t;
  *form = kWireAsHeld;
  if (f->type_type() != fb::Type::NONE && f->type() == nullptr) {
    return Status::Corruption("field '" + path + "' has type " + ArrowTypeName(f->type_type()) +
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
      if (!wire) return unsupported(ArrowTypeName(f->type_type()));
      *form = kWireLargeOffsets;
      t = DataType(f->type_type() == fb::Type::LargeUtf8 ? TypeId::kUtf8 : TypeId::kBinary);
      t.large_offsets = true;
      break;
    case fb::Type::Utf8View:
    case fb::Type::BinaryView:
      // Stored as utf8/binary: a view column's values point into data
      // buffers shared by the whole batch, in any order, which a chunk
      // (one column, one contiguous data buffer) cannot keep as they are.
      if (!wire || depth > 0 || f->dictionary() != nullptr) return unsupported(ArrowTypeName(f->type_type()));
      *form = kWireView;
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
        return Status::Corruption("field '" + path + "': FixedSizeBinary of " + std::to_string(w) + " bytes");
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
      if (u < 0 || u > 3) return Status::Corruption("Time with unknown unit in field '" + path + "'");
      t = DataType::WithUnit(tm->bitWidth() == 32 ? TypeId::kTime32 : TypeId::kTime64, TimeUnit(u));
      if ((tm->bitWidth() != 32 && tm->bitWidth() != 64) || !IsStoredType(t)) {
        return Status::Corruption("field '" + path + "': Time of " + std::to_string(tm->bitWidth()) +
                                  " bits in unit " + std::to_string(u) + " (Arrow: 32 bits s/ms, 64 bits us/ns)");
      }
      break;
    }
    case fb::Type::Duration: {
      int u = int(f->type_as_Duration()->unit());
      if (u < 0 || u > 3) return Status::Corruption("Duration with unknown unit in field '" + path + "'");
      t = DataType::WithUnit(TypeId::kDuration, TimeUnit(u));
      break;
    }
    case fb::Type::Interval:
      switch (f->type_as_Interval()->unit()) {
        case fb::IntervalUnit::YEAR_MONTH: t = DataType(TypeId::kIntervalYearMonth); break;
        case fb::IntervalUnit::DAY_TIME: t = DataType(TypeId::kIntervalDayTime); break;
        case fb::IntervalUnit::MONTH_DAY_NANO: t = DataType(TypeId::kIntervalMonthDayNano); break;
        default: return Status::Corruption("Interval with unknown unit in field '" + path + "'");
      }
      break;
    case fb::Type::Timestamp: {
      auto ts = f->type_as_Timestamp();
      int u = int(ts->unit());
      if (u < 0 || u > 3) return Status::Corruption("Timestamp with unknown unit " + std::to_string(u) +
                                                    " in field '" + path + "'");
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
        return Status::NotSupported("unsupported Arrow type " + t.ToString() + " in field '" + path +
                                    "' (precision 1..38 for decimal128, 1..76 for decimal256, "
                                    "scale 0..precision)");
      }
      break;
    }
    case fb::Type::List:
    case fb::Type::LargeList:
    case fb::Type::Map:
    case fb::Type::FixedSizeList:
    case fb::Type::Struct_: {
      QUIVER_ASSIGN_OR_RETURN(t, ReadNested(f, wire, depth, path));
      if (t.large_offsets && !wire) return unsupported("LargeList");
      break;
    }
    case fb::Type::NONE:
      return Status::Corruption("field '" + path + "' has no type");
    default:
      return unsupported(ArrowTypeName(f->type_type()));
  }
  if (!t.is_nested() && f->children() != nullptr && f->children()->size() != 0) {
    return Status::Corruption("primitive field '" + path + "' has children");
  }
  for (size_t k = 0; k < out.metadata.size(); ++k) {
    if (out.metadata[k].key != kLargeOffsetsKey) continue;
    if (t.id == TypeId::kUtf8 || t.id == TypeId::kBinary || t.id == TypeId::kList) t.large_offsets = true;
    out.metadata.erase(out.metadata.begin() + ptrdiff_t(k));
    break;
  }
  if (const fb::DictionaryEncoding* d = f->dictionary()) {
    QUIVER_ASSIGN_OR_RETURN(TypeId index, IntTypeId(d->indexType()));
    if (t.id != TypeId::kUtf8 || t.large_offsets || depth > 0) {
      return unsupported(std::string(depth > 0 ? "a dictionary inside a nested type, " : "") + "Dictionary<" +
                         t.ToString() + ">");
    }
    t.dict_index = index;
    t.dict_id = d->id();
  }
  // A nested type holding large offsets anywhere has them on the wire as
  // 64-bit values: its reader converts the whole tree.
  if (wire && t.is_nested() && HasLargeOffsets(t)) *form = kWireLargeOffsets;
  out.type = std::move(t);
  return out;
}

}  // namespace

bool HasLargeOffsets(const DataType& t) {
  if (t.large_offsets) return true;
  for (size_t k = 0; k < t.num_children(); ++k) {
    if (HasLargeOffsets(t.child(k).type)) return true;
  }
  return false;
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
      uint8_t form = kWireAsHeld;
      const std::string name = f->name() ? f->name()->str() : std::string();
      QUIVER_ASSIGN_OR_RETURN(Field out, ReadField(f, wire != nullptr, 0, name, &form));
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

}  // namespace quiver
