#include <nlohmann/json.hpp>

#include "columnar/ndjson_internal.h"

namespace quiver::ndjson_internal {

namespace {

void AppendJsonText(const JsonValue& v, std::string* out) {
  switch (v.kind) {
    case JsonKind::kNull: *out += "null"; return;
    case JsonKind::kBool: *out += v.b ? "true" : "false"; return;
    case JsonKind::kInt: *out += std::to_string(v.i); return;
    case JsonKind::kString: *out += nlohmann::json(v.s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); return;
    case JsonKind::kNested: {
      const JsonNode& n = *v.node;
      out->push_back(n.object ? '{' : '[');
      for (size_t k = 0; k < n.items.size(); ++k) {
        if (k > 0) out->push_back(',');
        if (n.object) {
          *out += nlohmann::json(n.keys[k]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
          out->push_back(':');
        }
        AppendJsonText(n.items[k], out);
      }
      out->push_back(n.object ? '}' : ']');
      return;
    }
    default: *out += v.s; return;  // numbers: their text as written
  }
}

}  // namespace

const char* KindName(const JsonValue& v) {
  switch (v.kind) {
    case JsonKind::kNull: return "null";
    case JsonKind::kInt:
    case JsonKind::kUInt:
    case JsonKind::kBigInt: return "integer";
    case JsonKind::kFloat: return "number";
    case JsonKind::kBool: return "boolean";
    case JsonKind::kString: return "string";
    case JsonKind::kNested: return v.node->object ? "object" : "array";
  }
  return "value";
}

void JsonShape::Observe(const JsonValue& v) {
  if (v.kind == JsonKind::kNull || kind_ == Kind::kMixed) return;
  const Kind k = v.kind != JsonKind::kNested ? Kind::kScalar : v.node->object ? Kind::kObject : Kind::kList;
  if (kind_ != Kind::kNone && kind_ != k) {
    kind_ = Kind::kMixed;
    return;
  }
  kind_ = k;
  switch (v.kind) {
    case JsonKind::kInt: scalar_.ObserveJsonInt(); return;
    case JsonKind::kFloat: scalar_.ObserveJsonFloat(); return;
    case JsonKind::kBool: scalar_.ObserveJsonBool(); return;
    case JsonKind::kString: scalar_.ObserveJsonString(v.s); return;
    case JsonKind::kUInt:
    case JsonKind::kBigInt: scalar_.ObserveJsonBigInteger(); return;
    default: break;
  }
  const JsonNode& n = *v.node;
  if (!n.object) {
    if (!item_) item_ = std::make_unique<JsonShape>();
    for (const JsonValue& x : n.items) item_->Observe(x);
    return;
  }
  for (size_t k = 0; k < n.items.size(); ++k) {
    size_t f = 0;
    while (f < names_.size() && names_[f] != n.keys[k]) ++f;
    if (f == names_.size()) {
      names_.push_back(n.keys[k]);
      fields_.push_back(std::make_unique<JsonShape>());
    }
    fields_[f]->Observe(n.items[k]);
  }
}

DataType JsonShape::Decide(const InferOptions& options, bool nested) const {
  switch (kind_) {
    case Kind::kList:
      return DataType::List(Field{"item", item_ ? item_->Decide(options, true) : DataType(TypeId::kUtf8), true, {}});
    case Kind::kObject: {
      std::vector<Field> fields;
      for (size_t f = 0; f < names_.size(); ++f) fields.push_back(Field{names_[f], fields_[f]->Decide(options, true), true, {}});
      return DataType::Struct(std::move(fields));
    }
    case Kind::kMixed: return DataType(TypeId::kUtf8);
    default: {
      DataType t = scalar_.Decide(options);
      // Dictionaries are whole-column only: a value inside a nested column is plain utf8.
      return nested && t.is_dictionary() ? t.value_type() : t;
    }
  }
}

bool WalkJson(JsonValue& v, const DataType& type, ArrayBuilder* b, std::string* why) {
  auto fail = [&](const std::string& what) {
    *why = what;
    return false;
  };
  auto at = [&](const std::string& path) {  // prefixes the inner failure's path: [2].b: ...
    const bool inner_path = !why->empty() && ((*why)[0] == '.' || (*why)[0] == '[');
    *why = path + (inner_path ? "" : ": ") + *why;
    return false;
  };
  if (v.kind == JsonKind::kNull) {
    if (b) b->AppendNull();
    return true;
  }
  if (!type.is_nested()) {
    if (v.kind == JsonKind::kNested) {
      if (type.id != TypeId::kUtf8 || type.is_dictionary()) {
        return fail(std::string("JSON ") + KindName(v) + " is not a valid " + type.ToString());
      }
      std::string text;
      AppendJsonText(v, &text);
      if (b) b->AppendString(text);
      return true;
    }
    Cell cell;
    if (!ConvertJson(v, type, &cell, why)) return false;
    if (b) AppendCell(*b, cell);
    return true;
  }
  const bool want_object = type.id == TypeId::kStruct || type.id == TypeId::kMap;
  if (v.kind != JsonKind::kNested || v.node->object != want_object) {
    return fail(std::string("JSON ") + KindName(v) + " is not a " + type.ToString() + " (expected a JSON " +
                (want_object ? "object" : "array") + ")");
  }
  JsonNode& n = *v.node;
  if (type.id == TypeId::kStruct) {
    for (const std::string& key : n.keys) {
      size_t f = 0;
      while (f < type.num_children() && type.child(f).name != key) ++f;
      if (f == type.num_children()) return fail("key \"" + key + "\" is not a member of " + type.ToString());
    }
    if (b) b->AppendStruct();
    for (size_t f = 0; f < type.num_children(); ++f) {
      size_t k = 0;
      while (k < n.keys.size() && n.keys[k] != type.child(f).name) ++k;
      ArrayBuilder* c = b ? &b->child(f) : nullptr;
      if (k == n.keys.size()) {
        if (c) c->AppendNull();
      } else if (!WalkJson(n.items[k], type.child(f).type, c, why)) {
        return at("." + type.child(f).name);
      }
    }
    return true;
  }
  if (type.id == TypeId::kFixedSizeList && int64_t(n.items.size()) != type.list_size) {
    return fail("JSON array of " + std::to_string(n.items.size()) + " items is not a " + type.ToString());
  }
  if (b) b->AppendList();
  ArrayBuilder* c = b ? &b->child(0) : nullptr;
  if (type.id == TypeId::kMap) {
    const DataType& key_type = type.child(0).type.child(0).type;
    const DataType& value_type = type.child(0).type.child(1).type;
    for (size_t k = 0; k < n.items.size(); ++k) {
      // A JSON key is text: the text rules convert it (map<int64, ...> takes "12").
      Cell cell;
      if (IsVarLength(key_type.id)) {
        cell.s = n.keys[k];
      } else if (!ConvertText(n.keys[k], key_type, &cell, why)) {
        return at("[\"" + n.keys[k] + "\"] key");
      }
      if (c) {
        c->AppendStruct();
        AppendCell(c->child(0), cell);
      }
      if (!WalkJson(n.items[k], value_type, c ? &c->child(1) : nullptr, why)) return at("[\"" + n.keys[k] + "\"]");
    }
    return true;
  }
  for (size_t k = 0; k < n.items.size(); ++k) {
    if (!WalkJson(n.items[k], type.child(0).type, c, why)) return at("[" + std::to_string(k) + "]");
  }
  return true;
}

}  // namespace quiver::ndjson_internal
