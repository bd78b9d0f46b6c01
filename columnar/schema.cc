#include "columnar/schema.h"

#include <nlohmann/json.hpp>

#include <limits>
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
  if (t.is_nested()) {
    if (t.id == TypeId::kFixedSizeList && t.list_size < 0) return false;
    const size_t need = t.id == TypeId::kStruct ? t.num_children() : 1;
    if (t.num_children() != need) return false;
    for (size_t k = 0; k < t.num_children(); ++k) {
      const DataType& c = t.child(k).type;
      // Dictionaries are whole-column only (a chunk's dictionary message is
      // per top-level field).
      if (c.is_dictionary() || !IsStoredType(c)) return false;
    }
    return t.id != TypeId::kMap ||
           (t.child(0).type.id == TypeId::kStruct && t.child(0).type.num_children() == 2);
  }
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

namespace {

nlohmann::json FieldToJson(const Field& f) {
  nlohmann::json jf;
  const DataType& t = f.type;
  jf["name"] = f.name;
  jf["type"] = t.large_offsets && !t.is_dictionary() && (IsVarLength(t.id) || t.id == TypeId::kList)
                   ? (t.id == TypeId::kList ? std::string("large_list") : t.ToString())
                   : std::string(TypeIdName(t.id));
  if (t.id == TypeId::kTimestamp || t.has_unit()) {
    jf["unit"] = kUnitNames[int(t.unit) & 3];
    if (!t.timezone.empty()) jf["timezone"] = t.timezone;
  }
  if (t.is_decimal()) {
    jf["precision"] = t.precision;
    jf["scale"] = t.scale;
  }
  if (t.id == TypeId::kFixedSizeBinary) jf["byte_width"] = t.byte_width;
  if (t.id == TypeId::kFixedSizeList) jf["list_size"] = t.list_size;
  if (t.id == TypeId::kMap && t.keys_sorted) jf["keys_sorted"] = true;
  if (t.is_dictionary()) jf["dictionary"] = {{"index_type", TypeIdName(t.dict_index)}};
  if (t.is_nested()) {
    nlohmann::json kids = nlohmann::json::array();
    for (size_t k = 0; k < t.num_children(); ++k) kids.push_back(FieldToJson(t.child(k)));
    jf["children"] = std::move(kids);
  }
  jf["nullable"] = f.nullable;
  if (!f.metadata.empty()) jf["metadata"] = KvToJson(f.metadata);
  return jf;
}

}  // namespace

std::string SchemaToJson(const Schema& schema, int indent) {
  nlohmann::json fields = nlohmann::json::array();
  for (const Field& f : schema.fields()) fields.push_back(FieldToJson(f));
  nlohmann::json j;
  j["fields"] = std::move(fields);
  if (!schema.metadata().empty()) j["metadata"] = KvToJson(schema.metadata());
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

Result<Field> FieldFromJson(const nlohmann::json& jf, std::string where, int depth);

// A nested type's "children" (and "list_size", "keys_sorted").
Result<DataType> NestedFromJson(const nlohmann::json& jf, const std::string& type_name, const std::string& where,
                                int depth) {
  if (depth >= 32) return Status::Invalid(where + ": types nest more than 32 deep");
  if (!jf.contains("children") || !jf["children"].is_array()) {
    return Status::Invalid(where + ": " + type_name + " needs a \"children\" array of fields");
  }
  std::vector<Field> kids;
  size_t k = 0;
  for (const auto& jc : jf["children"]) {
    QUIVER_ASSIGN_OR_RETURN(Field c, FieldFromJson(jc, where + " child " + std::to_string(k++), depth + 1));
    kids.push_back(std::move(c));
  }
  if (type_name == "struct") return DataType::Struct(std::move(kids));
  if (kids.size() != 1) return Status::Invalid(where + ": " + type_name + " needs exactly one child field");
  if (type_name == "fixed_size_list") {
    const auto& n = jf.contains("list_size") ? jf["list_size"] : nlohmann::json();
    if (!n.is_number_integer() || n.get<int64_t>() < 0 || n.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
      return Status::Invalid(where + ": fixed_size_list needs an integer \"list_size\" >= 0");
    }
    return DataType::FixedSizeList(std::move(kids[0]), n.get<int32_t>());
  }
  if (type_name == "map") {
    DataType t(TypeId::kMap);
    t.keys_sorted = jf.contains("keys_sorted") && jf["keys_sorted"].is_boolean() && jf["keys_sorted"].get<bool>();
    t.children = std::make_shared<const std::vector<Field>>(std::move(kids));
    return t;
  }
  return DataType::List(std::move(kids[0]), type_name == "large_list");
}

Result<Field> FieldFromJson(const nlohmann::json& jf, std::string where, int depth) {
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
  } else if (type_name == "list" || type_name == "large_list" || type_name == "fixed_size_list" ||
             type_name == "struct" || type_name == "map") {
    QUIVER_ASSIGN_OR_RETURN(f.type, NestedFromJson(jf, type_name, where, depth));
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
  return f;
}

}  // namespace

Result<std::shared_ptr<const Schema>> SchemaFromJson(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Invalid("schema JSON does not parse");
  if (!j.is_object() || !j.contains("fields") || !j["fields"].is_array()) {
    return Status::Invalid("schema JSON needs an object with a \"fields\" array");
  }
  std::vector<Field> fields;
  size_t i = 0;
  for (const auto& jf : j["fields"]) {
    QUIVER_ASSIGN_OR_RETURN(Field f, FieldFromJson(jf, "schema JSON field " + std::to_string(i++), 0));
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
  // Nested types in datashape's own notation (printed only: a datashape
  // schema file takes flat columns).
  auto child = [](const Field& f) { return (f.nullable ? "?" : "") + DatashapeType(f.type); };
  switch (t.id) {
    case TypeId::kList: return "var * " + child(t.child(0));
    case TypeId::kFixedSizeList: return std::to_string(t.list_size) + " * " + child(t.child(0));
    case TypeId::kStruct: {
      std::string s = "{";
      for (size_t k = 0; k < t.num_children(); ++k) {
        s += (k ? ", " : "") + (IsIdentifier(t.child(k).name) ? t.child(k).name : Quote(t.child(k).name)) + ": " +
             child(t.child(k));
      }
      return s + "}";
    }
    case TypeId::kMap: {
      const DataType& e = t.child(0).type;
      return "map[" + DatashapeType(e.child(0).type) + ", " + child(e.child(1)) + "]";
    }
    default: break;
  }
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
