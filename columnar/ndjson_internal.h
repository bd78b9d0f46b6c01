// Private to columnar/: the NDJSON reader's parsed values (ndjson.cc) and
// its nested values — JSON arrays and objects as list, struct and map
// columns — (ndjson_nested.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "columnar/infer.h"

namespace quiver::ndjson_internal {

enum class JsonKind : uint8_t { kNull, kInt, kUInt, kFloat, kBool, kString, kBigInt, kNested };

struct JsonNode;

struct JsonValue {
  JsonKind kind = JsonKind::kNull;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  bool b = false;
  std::string s;                  // strings; the JSON text of numbers
  std::shared_ptr<JsonNode> node;  // kNested: an array or object
};

// A JSON array or object below a line's top-level object.
struct JsonNode {
  bool object = false;
  std::vector<std::string> keys;  // objects: the key of each item
  std::vector<JsonValue> items;
};

// "integer", "string", "array", ... for messages.
const char* KindName(const JsonValue& v);

// Converts a scalar to a flat column type's cell (the flat rules of
// ndjson.cc); false with *why set when it does not fit.
bool ConvertJson(JsonValue& v, const DataType& type, Cell* cell, std::string* why);

// The type of a column from the values of a sample: scalars as
// ColumnInferrer decides, arrays as list<item>, objects as struct<keys in
// first-seen order>, recursively; a column mixing arrays, objects and
// scalars is utf8 (each value's JSON text).
class JsonShape {
 public:
  void Observe(const JsonValue& v);
  // `nested`: a value inside an array or object (never a dictionary).
  DataType Decide(const InferOptions& options, bool nested = false) const;

 private:
  enum class Kind : uint8_t { kNone, kScalar, kList, kObject, kMixed };
  Kind kind_ = Kind::kNone;
  ColumnInferrer scalar_;
  std::unique_ptr<JsonShape> item_;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<JsonShape>> fields_;
};

// Checks `v` against `type` and, when `b` is set, appends it: JSON arrays
// to lists and fixed-size lists (of exactly list_size items), objects to
// structs (members by key; a key the struct lacks is an error) and maps
// (each key converted to the key type), scalars by ConvertJson, arrays and
// objects in a utf8 column as their JSON text. False with *why naming the
// path inside the value (`[2].b`) when it does not fit.
bool WalkJson(JsonValue& v, const DataType& type, ArrayBuilder* b, std::string* why);

}  // namespace quiver::ndjson_internal
