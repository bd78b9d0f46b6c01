#include "columnar/schema_spec.h"

#include <set>
#include <string>

#include "columnar/schema.h"

namespace quiver {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' ||
                        s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                        s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Result<std::vector<Field>> ParseSchemaSpec(std::string_view text) {
  std::vector<Field> fields;
  std::set<std::string> names;
  int depth = 0;
  size_t start = 0;
  auto add = [&](std::string_view item) -> Status {
    item = Trim(item);
    if (item.empty()) return Status::Invalid("empty field in schema \"" + std::string(text) + "\"");
    size_t colon = item.find(':');
    if (colon == std::string_view::npos) {
      return Status::Invalid("schema field \"" + std::string(item) + "\" has no type (expected NAME:TYPE, e.g. id:int64)");
    }
    std::string name(Trim(item.substr(0, colon)));
    std::string_view type_name = Trim(item.substr(colon + 1));
    if (name.empty()) return Status::Invalid("schema field \"" + std::string(item) + "\" has an empty name");
    if (!names.insert(name).second) return Status::Invalid("schema names field \"" + name + "\" twice");
    auto type = ParseTypeName(type_name);
    if (!type.ok()) {
      return Status::Invalid("schema field \"" + name + "\": " + type.status().message());
    }
    Field f;
    f.name = name;
    f.type = *type;
    fields.push_back(std::move(f));
    return Status::OK();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '[' || c == '<' || c == '(') ++depth;
    if (c == ']' || c == '>' || c == ')') --depth;
    if (c == ',' && depth == 0) {
      QUIVER_RETURN_NOT_OK(add(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (depth != 0) return Status::Invalid("unbalanced brackets in schema \"" + std::string(text) + "\"");
  if (!Trim(text.substr(start)).empty() || !fields.empty()) {
    QUIVER_RETURN_NOT_OK(add(text.substr(start)));
  }
  if (fields.empty()) return Status::Invalid("empty schema");
  return fields;
}

Result<std::vector<Field>> ParseSchemaText(std::string_view text) {
  std::string_view t = Trim(text);
  if (t.substr(0, 3) == "var" || (!t.empty() && t[0] == '{' && t.find('"') == std::string_view::npos)) {
    QUIVER_ASSIGN_OR_RETURN(auto s, SchemaFromDatashape(t));
    return s->fields();
  }
  if (!t.empty() && t[0] == '{') {
    QUIVER_ASSIGN_OR_RETURN(auto s, SchemaFromJson(t));
    return s->fields();
  }
  return ParseSchemaSpec(t);
}

std::string SchemaToSpec(const Schema& schema) {
  std::string out;
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    if (i) out += ',';
    out += schema.field(i).name + ":" + schema.field(i).type.ToString();
  }
  return out;
}

}  // namespace quiver
