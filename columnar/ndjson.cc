#include "columnar/ndjson.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "columnar/builder.h"
#include "columnar/half_float.h"
#include "columnar/ndjson_internal.h"
#include "columnar/text_reader_internal.h"

namespace quiver {

namespace {

using internal::BlockResult;
using internal::TextBlock;
using internal::Where;
using ndjson_internal::JsonKind;
using ndjson_internal::JsonNode;
using ndjson_internal::JsonShape;
using ndjson_internal::JsonValue;
using ndjson_internal::ConvertJson;

// Arrays and objects nest at most this deep inside a line's object.
constexpr size_t kMaxJsonDepth = 64;

// SAX handler for one line: collects the top-level object's values
// (scalars, and arrays and objects as JsonNode trees).
class LineSax {
 public:
  struct Entry {
    std::string key;
    JsonValue value;
  };

  void Reset() {
    used_ = 0;
    depth_ = 0;
    stack_.clear();
    error_.clear();
    error_pos_ = 0;
  }
  size_t size() const { return used_; }
  Entry& entry(size_t i) { return entries_[i]; }
  const std::string& error() const { return error_; }
  void SetError(std::string e) { error_ = std::move(e); }
  size_t error_pos() const { return error_pos_; }

  bool null() { return Scalar(JsonKind::kNull) != nullptr; }
  bool boolean(bool v) {
    JsonValue* x = Scalar(JsonKind::kBool);
    if (x) x->b = v;
    return x != nullptr;
  }
  bool number_integer(int64_t v) {
    JsonValue* x = Scalar(JsonKind::kInt);
    if (x) x->i = v;
    return x != nullptr;
  }
  bool number_unsigned(uint64_t v) {
    if (v <= uint64_t(std::numeric_limits<int64_t>::max())) return number_integer(int64_t(v));
    JsonValue* x = Scalar(JsonKind::kUInt);
    if (x) x->u = v, x->s = std::to_string(v);
    return x != nullptr;
  }
  bool number_float(double v, const std::string& raw) {
    bool integral = raw.find_first_of(".eE") == std::string::npos;
    JsonValue* x = Scalar(integral ? JsonKind::kBigInt : JsonKind::kFloat);
    if (x) x->d = v, x->s = raw;
    return x != nullptr;
  }
  bool string(std::string& v) {
    JsonValue* x = Scalar(JsonKind::kString);
    if (x) x->s.swap(v);
    return x != nullptr;
  }
  bool binary(std::vector<uint8_t>&) { return Fail("binary values are not JSON"); }
  bool start_object(size_t) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return Open(true);
  }
  bool end_object() {
    if (!stack_.empty()) {
      stack_.pop_back();
    } else {
      --depth_;
    }
    return true;
  }
  bool start_array(size_t) {
    if (depth_ == 0) return Fail("the line is a JSON array; each line must be one JSON object");
    return Open(false);
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool key(std::string& k) {
    if (!stack_.empty()) {
      stack_.back()->keys.emplace_back().swap(k);
    } else {
      key_.swap(k);
    }
    return true;
  }
  bool parse_error(size_t pos, const std::string&, const nlohmann::detail::exception& ex) {
    error_ = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> after "]"
    auto b = error_.find("] ");
    if (b != std::string::npos) error_ = error_.substr(b + 2);
    error_pos_ = pos;
    return false;
  }

 private:
  bool Fail(std::string msg) {
    error_ = std::move(msg);
    return false;
  }
  // Where the next value goes: an item of the innermost open array or
  // object, else the value of the top-level key just read.
  JsonValue* Scalar(JsonKind k) {
    if (depth_ == 0) {
      Fail("the line is not a JSON object");
      return nullptr;
    }
    JsonValue* v;
    if (!stack_.empty()) {
      v = &stack_.back()->items.emplace_back();
    } else {
      if (used_ == entries_.size()) entries_.emplace_back();
      Entry& e = entries_[used_++];
      e.key.swap(key_);
      v = &e.value;
      v->node.reset();
    }
    v->kind = k;
    return v;
  }
  // An array or object inside the line's object.
  bool Open(bool object) {
    if (stack_.size() >= kMaxJsonDepth) {
      return Fail("arrays and objects nest more than " + std::to_string(kMaxJsonDepth) + " deep");
    }
    JsonValue* v = Scalar(JsonKind::kNested);
    if (v == nullptr) return false;
    v->node = std::make_shared<JsonNode>();
    v->node->object = object;
    stack_.push_back(v->node.get());
    return true;
  }

  std::vector<JsonNode*> stack_;  // open arrays and objects, innermost last
  std::vector<Entry> entries_;
  size_t used_ = 0;
  int depth_ = 0;
  std::string key_;
  std::string error_;
  size_t error_pos_ = 0;
};


bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

class NdjsonFormat : public internal::TextFormat {
 public:
  explicit NdjsonFormat(const NdjsonOptions& o) : o_(o) {}
  bool quote_aware() const override { return false; }
  bool has_header() const override { return false; }
  Status ReadHeader(const TextBlock&) override { return Status::OK(); }

  Result<std::shared_ptr<const Schema>> Resolve(const TextBlock& sample) override {
    if (o_.schema) {
      schema_ = o_.schema;
      inferred_ = false;
    } else {
      std::vector<std::string> names;
      std::unordered_map<std::string, size_t> index;
      std::vector<JsonShape> inf;
      LineSax sax;
      int64_t rows = 0;
      std::string first_error;
      ForEachLine(sample, [&](std::string_view line, int64_t line_no, int64_t) {
        if (rows >= o_.sample_rows) return false;
        ++rows;
        sax.Reset();
        if (!ParseLine(line, &sax)) {
          // Reported by Parse, unless no line gives a column.
          if (first_error.empty()) first_error = Where(o_, line_no) + sax.error();
          return true;
        }
        for (size_t i = 0; i < sax.size(); ++i) {
          auto& e = sax.entry(i);
          auto [it, added] = index.try_emplace(e.key, names.size());
          if (added) {
            names.push_back(e.key);
            inf.emplace_back();
          }
          inf[it->second].Observe(e.value);
        }
        return true;
      });
      sample_rows_ = rows;
      if (names.empty() && o_.overrides.empty()) {
        if (!first_error.empty()) return Status::Invalid(first_error);
        return Status::Invalid(Where(o_, sample.first_line) +
                               (rows == 0 ? "the input is empty: no JSON object to name the columns"
                                          : "no keys in the first lines to name the columns"));
      }
      std::vector<Field> fields(names.size());
      for (size_t i = 0; i < names.size(); ++i) {
        fields[i].name = names[i];
        fields[i].type = inf[i].Decide(o_.infer);
      }
      for (const Field& ov : o_.overrides) {
        auto it = index.find(ov.name);
        if (it == index.end()) {
          // A column no sampled line has: added with the given type.
          fields.push_back(ov);
          continue;
        }
        fields[it->second].type = ov.type;
      }
      schema_ = std::make_shared<Schema>(std::move(fields));
      inferred_ = true;
    }
    for (size_t i = 0; i < schema_->num_fields(); ++i) columns_[schema_->field(i).name] = i;
    return schema_;
  }

  BlockResult Parse(const TextBlock& block) const override {
    BlockResult out;
    RecordBatchBuilder builder(schema_);
    const size_t n = schema_->num_fields();
    std::vector<Cell> cells(n);
    std::vector<int64_t> seen(n, -1);
    std::vector<JsonValue*> nested(n, nullptr);
    LineSax sax;
    std::string why;
    int64_t row_no = 0;
    ForEachLine(block, [&](std::string_view line, int64_t line_no, int64_t byte) {
      auto reject = [&](Status s) {
        if (o_.on_error == OnError::kAbort) {
          out.status = std::move(s);
          return false;
        }
        RejectedRow r;
        r.line = line_no;
        r.byte_offset = byte;
        r.raw.assign(line);
        if (!r.raw.empty() && r.raw.back() == '\r') r.raw.pop_back();
        r.reason = s.message();
        out.rejected.push_back(std::move(r));
        return true;
      };
      ++row_no;
      sax.Reset();
      if (!ParseLine(line, &sax)) {
        std::string msg = Where(o_, line_no) + sax.error();
        if (sax.error_pos() > 0) msg += " (byte " + std::to_string(byte + int64_t(sax.error_pos()) - 1) + ")";
        return reject(Status::Invalid(msg));
      }
      for (size_t i = 0; i < sax.size(); ++i) {
        auto& e = sax.entry(i);
        auto it = columns_.find(e.key);
        if (it == columns_.end()) {
          std::string msg = Where(o_, line_no) + "key \"" + e.key + "\" is not a column of the table";
          if (inferred_) {
            msg += " (the columns are the keys of the first " + std::to_string(sample_rows_) +
                   " lines; give a schema that has it)";
          }
          return reject(Status::Invalid(msg));
        }
        size_t k = it->second;
        if (seen[k] == row_no) {
          return reject(Status::Invalid(Where(o_, line_no) + "key \"" + e.key + "\" appears twice"));
        }
        seen[k] = row_no;
        const DataType& type = schema_->field(k).type;
        const bool walk = type.is_nested() || e.value.kind == JsonKind::kNested;
        // Nested values are checked here and appended with the row below.
        nested[k] = walk ? &e.value : nullptr;
        why.clear();
        if (walk ? !ndjson_internal::WalkJson(e.value, type, nullptr, &why) : !ConvertJson(e.value, type, &cells[k], &why)) {
          std::string msg = Where(o_, line_no) + "key \"" + e.key + "\" (column " + std::to_string(k + 1) +
                            "), byte " + std::to_string(byte) + ": " + why;
          if (inferred_) {
            msg += " (the column's type was inferred from the first " + std::to_string(sample_rows_) +
                   " lines; give its type in the schema to read such values)";
          }
          return reject(Status::TypeError(msg));
        }
      }
      for (size_t k = 0; k < n; ++k) {
        if (seen[k] != row_no) {
          cells[k].null = true;
          nested[k] = nullptr;
        }
        if (nested[k] != nullptr) {
          ndjson_internal::WalkJson(*nested[k], schema_->field(k).type, &builder.column(k), &why);
        } else {
          AppendCell(builder.column(k), cells[k]);
        }
      }
      return true;
    });
    if (!out.status.ok()) return out;
    auto batch = builder.Finish();
    if (!batch.ok()) {
      out.status = batch.status().WithContext(Where(o_, block.first_line) + "rows from here on");
      return out;
    }
    out.batch = std::move(*batch);
    return out;
  }

 private:
  // Calls fn(line, line_no, byte_offset) for each non-blank line until it
  // returns false. Lines end at LF (a CR before it stays in `line`; JSON
  // treats it as whitespace) or a lone CR.
  template <typename Fn>
  static void ForEachLine(const TextBlock& block, Fn&& fn) {
    const char* p = block.data.data();
    const char* end = p + block.data.size();
    int64_t line_no = block.first_line;
    while (p < end) {
      const char* e = p;
      while (e < end && *e != '\n' && !(*e == '\r' && (e + 1 == end || e[1] != '\n'))) ++e;
      std::string_view line(p, size_t(e - p));
      if (!IsBlank(line)) {
        if (!fn(line, line_no, block.first_byte + (p - block.data.data()))) return;
      }
      ++line_no;
      p = e < end ? e + 1 : e;
    }
  }

  static bool ParseLine(std::string_view line, LineSax* sax) {
    try {
      return nlohmann::json::sax_parse(line.begin(), line.end(), sax);
    } catch (const std::exception& e) {
      sax->SetError(e.what());
      return false;
    }
  }

  const NdjsonOptions& o_;
  std::shared_ptr<const Schema> schema_;
  std::unordered_map<std::string, size_t> columns_;
  bool inferred_ = false;
  int64_t sample_rows_ = 0;
};

}  // namespace

namespace ndjson_internal {

bool ConvertJson(JsonValue& v, const DataType& type, Cell* cell, std::string* why) {
  cell->null = false;
  if (v.kind == JsonKind::kNull) {
    cell->null = true;
    return true;
  }
  auto fail = [&](const std::string& extra = "") {
    std::string shown = v.kind == JsonKind::kString ? QuoteForMessage(v.s)
                        : v.kind == JsonKind::kInt  ? std::to_string(v.i)
                        : v.kind == JsonKind::kBool ? (v.b ? "true" : "false")
                                                    : v.s;
    *why = "JSON " + std::string(KindName(v)) + " " + shown + " is not " +
           (type.is_dictionary() ? std::string("a string") : "a valid " + type.ToString()) + extra;
    return false;
  };
  if (type.is_dictionary() || IsVarLength(type.id)) {
    switch (v.kind) {
      case JsonKind::kInt: v.s = std::to_string(v.i); break;
      case JsonKind::kBool: v.s = v.b ? "true" : "false"; break;
      default: break;
    }
    cell->s = v.s;
    return true;
  }
  if (type.id == TypeId::kFixedSizeBinary) {
    if (v.kind != JsonKind::kString) return fail();
    return ConvertText(v.s, type, cell, why);  // the text rule: its bytes or hex
  }
  switch (type.id) {
    case TypeId::kBool:
      if (v.kind != JsonKind::kBool) return fail();
      cell->i = v.b;
      return true;
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: {
      if (v.kind != JsonKind::kInt) return fail(v.kind == JsonKind::kUInt ? " (out of range)" : "");
      if (!FitsSignedType(type.id, v.i)) return fail(" (out of range)");
      cell->i = v.i;
      return true;
    }
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64: {
      uint64_t x;
      if (v.kind == JsonKind::kInt && v.i >= 0) {
        x = uint64_t(v.i);
      } else if (v.kind == JsonKind::kUInt) {
        x = v.u;
      } else {
        return fail();
      }
      if (x > MaxUnsigned(type.id)) return fail(" (out of range)");
      cell->u = x;
      cell->i = int64_t(x);
      return true;
    }
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      if (v.kind == JsonKind::kInt) {
        cell->d = double(v.i);
      } else if (v.kind == JsonKind::kUInt) {
        cell->d = double(v.u);
      } else if (v.kind == JsonKind::kFloat || v.kind == JsonKind::kBigInt) {
        cell->d = v.d;
      } else {
        return fail();
      }
      if (type.id == TypeId::kFloat16 && !FitsHalf(cell->d)) {
        return fail(" (out of range for float16: its largest value is 65504)");
      }
      return true;
    case TypeId::kDate32:
    case TypeId::kTimestamp:
      if (v.kind != JsonKind::kString) return fail();
      return ConvertText(v.s, type, cell, why);
    case TypeId::kDecimal128:
    case TypeId::kDecimal256:
      // A JSON number as written (its raw text, never through a double),
      // or a string holding one.
      if (v.kind == JsonKind::kInt) v.s = std::to_string(v.i);
      if (v.kind == JsonKind::kBool || v.kind == JsonKind::kNull) return fail();
      return ConvertText(v.s, type, cell, why);
    default:
      return fail();
  }
}

}  // namespace ndjson_internal

Result<TextTable> ReadNdjson(std::string_view data, const NdjsonOptions& options,
                             std::shared_ptr<const Schema> schema_or_null) {
  NdjsonOptions o = options;
  if (schema_or_null) o.schema = std::move(schema_or_null);
  NdjsonFormat format(o);
  return internal::ReadTextWhole(data, o, format);
}

Status ReadNdjsonStream(const ReadFn& read, const NdjsonOptions& options,
                        const TextCallbacks& callbacks, TextReadStats* stats) {
  NdjsonFormat format(options);
  return internal::RunTextReader(read, options, format, callbacks, stats);
}

}  // namespace quiver
