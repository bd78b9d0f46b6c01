// Type names in Arrow's and DuckDB's spellings (see ParseTypeName in
// schema.h and the table in README "Types").
//
// One rule for the names both systems use with different meanings: the
// Arrow name wins, because Quiver's types are Arrow's. `int8` is Arrow's
// 8-bit integer (DuckDB's INT8 is PostgreSQL's 8-byte BIGINT: write `bigint`
// or `int64` for that); INT1/INT2/INT4, which Arrow does not use, keep their
// DuckDB byte counts. `float` is 32-bit in both.
#include <cctype>
#include <utility>
#include <vector>

#include <optional>

#include "columnar/schema.h"
#include "columnar/type_name_internal.h"

namespace quiver {

namespace type_name_internal {

const char* const kUnitNames[4] = {"s", "ms", "us", "ns"};

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<TimeUnit> ParseUnit(std::string_view u_in) {
  static const std::pair<const char*, TimeUnit> kNames[] = {
      {"s", TimeUnit::kSecond},       {"second", TimeUnit::kSecond},
      {"ms", TimeUnit::kMilli},       {"millisecond", TimeUnit::kMilli},
      {"us", TimeUnit::kMicro},       {"microsecond", TimeUnit::kMicro},
      {"ns", TimeUnit::kNano},        {"nanosecond", TimeUnit::kNano},
  };
  std::string u = Lower(Trim(u_in));
  for (const auto& [name, unit] : kNames) {
    if (u == name) return unit;
  }
  return Status::Invalid("unknown time unit '" + std::string(u_in) + "' (expected s, ms, us or ns)");
}

Result<TypeId> ParseSimpleId(std::string_view n) {
  static const std::pair<const char*, TypeId> kNames[] = {
      // Arrow names (also Quiver's ToString and datashape).
      {"bool", TypeId::kBool}, {"int8", TypeId::kInt8}, {"int16", TypeId::kInt16},
      {"int32", TypeId::kInt32}, {"int64", TypeId::kInt64}, {"uint8", TypeId::kUInt8},
      {"uint16", TypeId::kUInt16}, {"uint32", TypeId::kUInt32}, {"uint64", TypeId::kUInt64},
      {"float32", TypeId::kFloat32}, {"float64", TypeId::kFloat64}, {"utf8", TypeId::kUtf8},
      {"string", TypeId::kUtf8}, {"binary", TypeId::kBinary}, {"bytes", TypeId::kBinary},
      {"date32", TypeId::kDate32}, {"date", TypeId::kDate32}, {"date64", TypeId::kDate64},
      {"float16", TypeId::kFloat16}, {"halffloat", TypeId::kFloat16}, {"null", TypeId::kNull},
      // DuckDB / SQL names.
      {"boolean", TypeId::kBool}, {"logical", TypeId::kBool},
      {"tinyint", TypeId::kInt8}, {"int1", TypeId::kInt8},
      {"smallint", TypeId::kInt16}, {"int2", TypeId::kInt16}, {"short", TypeId::kInt16},
      {"integer", TypeId::kInt32}, {"int", TypeId::kInt32}, {"int4", TypeId::kInt32},
      {"signed", TypeId::kInt32},
      {"bigint", TypeId::kInt64}, {"long", TypeId::kInt64},
      {"utinyint", TypeId::kUInt8}, {"usmallint", TypeId::kUInt16},
      {"uinteger", TypeId::kUInt32}, {"ubigint", TypeId::kUInt64},
      {"float", TypeId::kFloat32}, {"real", TypeId::kFloat32}, {"float4", TypeId::kFloat32},
      {"double", TypeId::kFloat64}, {"float8", TypeId::kFloat64},
      {"double precision", TypeId::kFloat64},
      {"varchar", TypeId::kUtf8}, {"text", TypeId::kUtf8}, {"char", TypeId::kUtf8},
      {"bpchar", TypeId::kUtf8}, {"character varying", TypeId::kUtf8},
      {"blob", TypeId::kBinary}, {"bytea", TypeId::kBinary}, {"varbinary", TypeId::kBinary},
  };
  std::string lower = Lower(Trim(n));
  for (const auto& [name, id] : kNames) {
    if (lower == name) return id;
  }
  return Status::Invalid("unknown type '" + std::string(n) + "'");
}

}  // namespace type_name_internal

namespace {

using type_name_internal::ParseSimpleId;
using type_name_internal::ParseUnit;
using type_name_internal::Trim;

// Parses "k=v, k2='v2'" style parameter lists into (key, value) pairs; a bare
// value gets an empty key.
std::vector<std::pair<std::string, std::string>> SplitParams(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string cur;
  bool quoted = false;
  auto flush = [&] {
    std::string item = Trim(cur);
    cur.clear();
    if (item.empty()) return;
    std::string key, value = item;
    size_t eq = item.find('=');
    if (eq != std::string::npos) {
      key = Trim(item.substr(0, eq));
      value = Trim(item.substr(eq + 1));
    }
    if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out.emplace_back(key, value);
  };
  for (char c : s) {
    if (c == '\'' || c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Result<int32_t> SmallInt(const std::string& v, const std::string& what, const std::string& name) {
  if (v.empty() || v.size() > 3) return Status::Invalid("bad " + what + " '" + v + "' in '" + name + "'");
  int32_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return Status::Invalid("bad " + what + " '" + v + "' in '" + name + "'");
    n = n * 10 + (c - '0');
  }
  return n;
}

// decimal(p, s) / numeric(p, s) / decimal128(p, s) / decimal256(p, s); bare
// decimal is DuckDB's DECIMAL(18, 3).
Result<DataType> ParseDecimal(const std::string& head, const std::vector<std::pair<std::string, std::string>>& params,
                              const std::string& name) {
  int32_t precision = 18, scale = 3;
  if (!params.empty()) {
    if (params.size() > 2) return Status::Invalid("decimal takes (precision, scale) in '" + name + "'");
    QUIVER_ASSIGN_OR_RETURN(precision, SmallInt(params[0].second, "decimal precision", name));
    scale = 0;
    if (params.size() == 2) {
      QUIVER_ASSIGN_OR_RETURN(scale, SmallInt(params[1].second, "decimal scale", name));
    }
  }
  const int max = head == "decimal128" ? kMaxDecimal128Precision : kMaxDecimal256Precision;
  if (precision < 1 || precision > max) {
    return Status::Invalid("decimal precision " + std::to_string(precision) + " out of range 1.." +
                           std::to_string(max) + " in '" + name + "'");
  }
  if (scale > precision) {
    return Status::Invalid("decimal scale " + std::to_string(scale) + " is larger than its precision " +
                           std::to_string(precision) + " in '" + name + "'");
  }
  DataType t = DataType::Decimal(precision, scale);
  if (head == "decimal256") t.id = TypeId::kDecimal256;
  return t;
}

// Bare timestamp names: timestamp = timestamp[us, tz=UTC] (what inference
// produces), DuckDB's timestamp_s/_ms/_ns and timestamptz.
bool BareTimestamp(const std::string& lower, DataType* t) {
  static const std::pair<const char*, TimeUnit> kNames[] = {
      {"timestamp", TimeUnit::kMicro},     {"datetime", TimeUnit::kMicro},
      {"timestamptz", TimeUnit::kMicro},   {"timestamp with time zone", TimeUnit::kMicro},
      {"timestamp without time zone", TimeUnit::kMicro},
      {"timestamp_s", TimeUnit::kSecond},  {"timestamp_ms", TimeUnit::kMilli},
      {"timestamp_us", TimeUnit::kMicro},  {"timestamp_ns", TimeUnit::kNano},
  };
  for (const auto& [n, unit] : kNames) {
    if (lower == n) {
      *t = DataType::Timestamp(unit, "UTC");
      return true;
    }
  }
  return false;
}

}  // namespace

// Splits at the commas outside brackets and quotes.
std::vector<std::string> SplitTopLevel(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  char quote = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '<' || c == '(' || c == '[') {
      ++depth;
    } else if (c == '>' || c == ')' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(Trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!Trim(cur).empty() || !out.empty()) out.push_back(Trim(cur));
  return out;
}

// "name: type", "name type" (DuckDB's STRUCT(a INTEGER)) or, where a name
// is optional (list items), just "type". Names may be "quoted".
Result<Field> ParseChild(const std::string& text, bool named, const std::string& whole) {
  Field f;
  f.name = "item";
  std::string type = text;
  size_t cut = std::string::npos;
  if (!text.empty() && text[0] == '"') {
    const size_t end = text.find('"', 1);
    if (end == std::string::npos) return Status::Invalid("unterminated field name in '" + whole + "'");
    f.name = text.substr(1, end - 1);
    cut = end + 1;
  } else {
    const size_t colon = text.find(':');
    const size_t bracket = text.find_first_of("<([");
    if (colon != std::string::npos && colon < bracket) {
      f.name = Trim(text.substr(0, colon));
      cut = colon;
    } else if (named) {
      cut = text.find_first_of(" \t");
      if (cut == std::string::npos) return Status::Invalid("struct field '" + text + "' needs a name and a type in '" + whole + "'");
      f.name = text.substr(0, cut);
    }
  }
  if (cut != std::string::npos) {
    type = Trim(text.substr(cut));
    if (!type.empty() && type[0] == ':') type = Trim(type.substr(1));
  }
  if (f.name.empty() || type.empty()) return Status::Invalid("malformed field '" + text + "' in '" + whole + "'");
  QUIVER_ASSIGN_OR_RETURN(f.type, ParseTypeName(type));
  return f;
}

// list<T>, large_list<T>, fixed_size_list<T>[n], struct<a: T, ...>,
// map<K, V> (Arrow's and ToString's spellings); T[] and T[n], STRUCT(a T),
// MAP(K, V) (DuckDB's). nullopt: not a nested type name.
Result<std::optional<DataType>> ParseNested(const std::string& name) {
  const std::string lower = Lower(name);
  const size_t br = name.find_first_of("<(");
  const std::string head = br == std::string::npos ? std::string() : Trim(lower.substr(0, br));
  // A trailing [] or [n] after a complete type: DuckDB's list or array.
  if (name.back() == ']' && head != "fixed_size_list") {
    const size_t open = name.rfind('[');
    const std::string inner = Trim(name.substr(0, open));
    const std::string n = Trim(name.substr(open + 1, name.size() - open - 2));
    // timestamp[ms], fixed_size_binary[16], dict[string, int32]: the
    // brackets hold the type's parameters, not an array size.
    static const char* kBracketed[] = {"timestamp", "datetime", "time32", "time64", "duration", "interval",
                                       "fixed_size_binary", "binary", "bytes", "varbinary", "blob", "dict",
                                       "dictionary", "decimal", "decimal128", "decimal256", "numeric",
                                       "varchar", "char", "bpchar", "string"};
    if (inner.empty() || n.find_first_not_of("0123456789") != std::string::npos) return std::optional<DataType>();
    if (!n.empty() && inner.find_first_of("[<(") == std::string::npos) {  // T[] is always a list
      for (const char* k : kBracketed) {
        if (Lower(inner) == k) return std::optional<DataType>();
      }
    }
    QUIVER_ASSIGN_OR_RETURN(DataType item, ParseTypeName(inner));
    Field f{"item", std::move(item), true, {}};
    if (n.empty()) return std::optional<DataType>(DataType::List(std::move(f)));
    QUIVER_ASSIGN_OR_RETURN(int32_t size, SmallInt(n, "array size", name));
    return std::optional<DataType>(DataType::FixedSizeList(std::move(f), size));
  }
  if (head != "list" && head != "large_list" && head != "fixed_size_list" && head != "struct" && head != "map") {
    return std::optional<DataType>();
  }
  const char close = name[br] == '<' ? '>' : ')';
  size_t end = name.size() - 1;
  int32_t fixed = -1;
  if (head == "fixed_size_list") {
    const size_t open = name.rfind('[');
    if (name.back() != ']' || open == std::string::npos || open < br) {
      return Status::Invalid("expected fixed_size_list<TYPE>[SIZE] in '" + name + "'");
    }
    QUIVER_ASSIGN_OR_RETURN(fixed, SmallInt(Trim(name.substr(open + 1, name.size() - open - 2)), "list size", name));
    end = name.find_last_not_of(" \t", open - 1);
  }
  if (name[end] != close) return Status::Invalid("malformed type '" + name + "'");
  const std::vector<std::string> parts = SplitTopLevel(std::string_view(name).substr(br + 1, end - br - 1));
  if (head == "struct") {
    std::vector<Field> fields;
    for (const std::string& p : parts) {
      QUIVER_ASSIGN_OR_RETURN(Field f, ParseChild(p, true, name));
      fields.push_back(std::move(f));
    }
    return std::optional<DataType>(DataType::Struct(std::move(fields)));
  }
  if (head == "map") {
    if (parts.size() != 2) return Status::Invalid("expected map<KEY, VALUE> in '" + name + "'");
    QUIVER_ASSIGN_OR_RETURN(DataType k, ParseTypeName(parts[0]));
    QUIVER_ASSIGN_OR_RETURN(DataType v, ParseTypeName(parts[1]));
    return std::optional<DataType>(DataType::Map(std::move(k), std::move(v)));
  }
  if (parts.size() != 1) return Status::Invalid("expected " + head + "<TYPE> in '" + name + "'");
  QUIVER_ASSIGN_OR_RETURN(Field item, ParseChild(parts[0], false, name));
  if (fixed >= 0) return std::optional<DataType>(DataType::FixedSizeList(std::move(item), fixed));
  return std::optional<DataType>(DataType::List(std::move(item), head == "large_list"));
}

Result<DataType> ParseTypeName(std::string_view name_in) {
  std::string name = Trim(name_in);
  if (name.empty()) return Status::Invalid("empty type name");
  {
    QUIVER_ASSIGN_OR_RETURN(std::optional<DataType> nested, ParseNested(name));
    if (nested) {
      if (!IsStoredType(*nested)) return Status::NotSupported("unsupported type '" + name + "'");
      return *nested;
    }
  }
  size_t br = name.find_first_of("[<(");
  if (br == std::string::npos) {
    std::string lower = Lower(name);
    DataType t;
    if (BareTimestamp(lower, &t)) return t;
    if (lower == "decimal" || lower == "numeric") return ParseDecimal(lower, {}, name);
    // Arrow's default units; DuckDB's TIME is microseconds and its INTERVAL
    // months/days/microseconds (Arrow month_day_nano).
    if (lower == "time32") return DataType::WithUnit(TypeId::kTime32, TimeUnit::kMilli);
    if (lower == "time64" || lower == "time") return DataType::WithUnit(TypeId::kTime64, TimeUnit::kMicro);
    if (lower == "duration") return DataType::WithUnit(TypeId::kDuration, TimeUnit::kMilli);
    if (lower == "interval") return DataType(TypeId::kIntervalMonthDayNano);
    if (lower == "large_utf8" || lower == "large_string" || lower == "large_binary") {
      DataType t(lower == "large_binary" ? TypeId::kBinary : TypeId::kUtf8);
      t.large_offsets = true;
      return t;
    }
    QUIVER_ASSIGN_OR_RETURN(TypeId id, ParseSimpleId(name));
    return DataType(id);
  }
  char close = name[br] == '[' ? ']' : name[br] == '<' ? '>' : ')';
  if (name.back() != close) return Status::Invalid("malformed type '" + name + "'");
  std::string head = Lower(Trim(name.substr(0, br)));
  auto params = SplitParams(std::string_view(name).substr(br + 1, name.size() - br - 2));
  if (head == "decimal" || head == "numeric" || head == "decimal128" || head == "decimal256") {
    return ParseDecimal(head, params, name);
  }
  if (head == "varchar" || head == "char" || head == "bpchar" || head == "string") {
    // A length limit (DuckDB ignores it too).
    return DataType(TypeId::kUtf8);
  }
  if (head == "time32" || head == "time64" || head == "duration") {
    if (params.size() != 1 || (!params[0].first.empty() && params[0].first != "unit")) {
      return Status::Invalid("expected " + head + "[UNIT] in '" + name + "'");
    }
    QUIVER_ASSIGN_OR_RETURN(TimeUnit u, ParseUnit(params[0].second));
    DataType t = DataType::WithUnit(head == "time32" ? TypeId::kTime32 : head == "time64" ? TypeId::kTime64
                                                                                        : TypeId::kDuration, u);
    if (!IsStoredType(t)) {
      return Status::Invalid("'" + name + "': time32 takes s or ms, time64 us or ns");
    }
    return t;
  }
  if (head == "fixed_size_binary" || head == "binary" || head == "bytes" || head == "varbinary" || head == "blob") {
    // fixed_size_binary[16] (Arrow's spelling); binary(16) as in MySQL.
    if (params.size() != 1 || !params[0].first.empty()) {
      return Status::Invalid("expected fixed_size_binary[BYTES] in '" + name + "'");
    }
    QUIVER_ASSIGN_OR_RETURN(int32_t width, SmallInt(params[0].second, "byte width", name));
    if (width < 1) return Status::Invalid("byte width 0 in '" + name + "' (at least 1)");
    return DataType::FixedSizeBinary(width);
  }
  if (head == "interval") {
    std::string u = params.size() == 1 ? Lower(params[0].second) : std::string();
    if (u == "year_month" || u == "months") return DataType(TypeId::kIntervalYearMonth);
    if (u == "day_time") return DataType(TypeId::kIntervalDayTime);
    if (u == "month_day_nano") return DataType(TypeId::kIntervalMonthDayNano);
    return Status::Invalid("expected interval[year_month|day_time|month_day_nano] in '" + name + "'");
  }
  if (head == "timestamp" || head == "datetime") {
    DataType t = DataType::Timestamp(TimeUnit::kMicro);
    bool have_unit = false;
    for (const auto& [k, v] : params) {
      if (k.empty() || k == "unit") {
        QUIVER_ASSIGN_OR_RETURN(t.unit, ParseUnit(v));
        have_unit = true;
      } else if (k == "tz" || k == "timezone") {
        t.timezone = v;
      } else {
        return Status::Invalid("unknown timestamp parameter '" + k + "' in '" + name + "'");
      }
    }
    if (!have_unit) return Status::Invalid("timestamp without unit in '" + name + "'");
    return t;
  }
  if (head == "dictionary" || head == "dict") {
    // dictionary<int32, utf8> (ToString order) or dict[string, int32].
    if (params.size() != 2) return Status::Invalid("malformed dictionary type '" + name + "'");
    QUIVER_ASSIGN_OR_RETURN(TypeId a, ParseSimpleId(params[0].second));
    QUIVER_ASSIGN_OR_RETURN(TypeId b, ParseSimpleId(params[1].second));
    DataType t = IsInteger(a) ? DataType::Dictionary(a, b) : DataType::Dictionary(b, a);
    if (!IsStoredType(t)) {
      return Status::NotSupported("unsupported dictionary type '" + name +
                                  "' (only utf8 values, with integer indices)");
    }
    return t;
  }
  return Status::Invalid("unknown type '" + name + "'");
}

}  // namespace quiver
