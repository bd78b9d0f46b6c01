#include "columnar/text_format.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "columnar/ipc.h"

namespace quiver {

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

const char* ResultFormatName(ResultFormat f) {
  switch (f) {
    case ResultFormat::kJson: return "json";
    case ResultFormat::kNdjson: return "ndjson";
    case ResultFormat::kCsv: return "csv";
    case ResultFormat::kTsv: return "tsv";
    case ResultFormat::kTable: return "table";
    case ResultFormat::kArrow: return "arrow";
    case ResultFormat::kArrowFile: return "arrow-file";
  }
  return "?";
}

Result<ResultFormat> ParseResultFormat(std::string_view name) {
  for (ResultFormat f : {ResultFormat::kJson, ResultFormat::kNdjson, ResultFormat::kCsv,
                         ResultFormat::kTsv, ResultFormat::kTable, ResultFormat::kArrow,
                         ResultFormat::kArrowFile}) {
    if (name == ResultFormatName(f)) return f;
  }
  return Status::Invalid("unknown format \"" + std::string(name) +
                         "\" (expected json, ndjson, csv, tsv, table, arrow or arrow-file)");
}

const char* ResultFormatContentType(ResultFormat f) {
  switch (f) {
    case ResultFormat::kJson: return "application/json";
    case ResultFormat::kNdjson: return "application/x-ndjson";
    case ResultFormat::kCsv: return "text/csv; charset=utf-8; header=present";
    case ResultFormat::kTsv: return "text/tab-separated-values; charset=utf-8";
    case ResultFormat::kTable: return "text/plain; charset=utf-8";
    case ResultFormat::kArrow: return "application/vnd.apache.arrow.stream";
    case ResultFormat::kArrowFile: return "application/vnd.apache.arrow.file";
  }
  return "application/octet-stream";
}

// ---------------------------------------------------------------------------
// Value renderings
// ---------------------------------------------------------------------------

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length (1..4) of the well-formed UTF-8 sequence at p[0, n), or -k where
// k >= 1 is the length of the maximal ill-formed subpart starting there
// (Unicode 15, section 3.9, "U+FFFD substitution of maximal subparts").
int Utf8Step(const unsigned char* p, size_t n) {
  unsigned c = p[0];
  if (c < 0x80) return 1;
  int len;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c == 0xE0) {
    len = 3, lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    len = 3;
  } else if (c == 0xED) {
    len = 3, hi = 0x9F;  // no surrogates
  } else if (c == 0xF0) {
    len = 4, lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    len = 4;
  } else if (c == 0xF4) {
    len = 4, hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;
  }
  for (int k = 1; k < len; ++k) {
    if (size_t(k) >= n) return -k;
    unsigned b = p[k];
    bool ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return -k;
  }
  return len;
}

template <typename T>
void AppendInteger(std::string* out, T v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

// Appends `v` zero-padded to `width` digits (v >= 0).
void AppendPadded(std::string* out, int64_t v, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (int k = int(r.ptr - buf); k < width; ++k) out->push_back('0');
  out->append(buf, r.ptr);
}

// Floor division and modulo for a positive divisor.
inline void FloorDivMod(int64_t v, int64_t d, int64_t* q, int64_t* r) {
  *q = v / d;
  *r = v % d;
  if (*r < 0) {
    *r += d;
    *q -= 1;
  }
}

template <typename F>
void AppendFloating(std::string* out, F v) {
  if (std::isnan(v)) {
    *out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    *out += v > 0 ? "Infinity" : "-Infinity";
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
  for (const char* p = buf; p < r.ptr; ++p) {
    if (*p != '-' && (*p < '0' || *p > '9')) return;
  }
  *out += ".0";
}

const char kHex[] = "0123456789abcdef";

}  // namespace

void AppendValidUtf8(std::string* out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), run = 0, i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    int step = Utf8Step(p + i, n - i);
    if (step > 0) {
      i += size_t(step);
      continue;
    }
    out->append(s.data() + run, i - run);
    out->append(kReplacement);
    i += size_t(-step);
    run = i;
  }
  out->append(s.data() + run, n - run);
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), run = 0, i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      int step = Utf8Step(p + i, n - i);
      if (step > 0) {
        i += size_t(step);
        continue;
      }
      out->append(s.data() + run, i - run);
      out->append(kReplacement);
      i += size_t(-step);
      run = i;
      continue;
    }
    out->append(s.data() + run, i - run);
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      default:
        *out += "\\u00";
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
    ++i;
    run = i;
  }
  out->append(s.data() + run, n - run);
  out->push_back('"');
}

void AppendDouble(std::string* out, double v) { AppendFloating(out, v); }
void AppendFloat(std::string* out, float v) { AppendFloating(out, v); }

void AppendDate32(std::string* out, int64_t days) {
  // Howard Hinnant's civil_from_days, in 64 bits so that any int64 day
  // number (timestamps in seconds reach ±1e14 days) converts.
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  if (y < 0) {
    out->push_back('-');
    AppendPadded(out, -y, 4);
  } else {
    if (y > 9999) out->push_back('+');
    AppendPadded(out, y, 4);
  }
  out->push_back('-');
  AppendPadded(out, m, 2);
  out->push_back('-');
  AppendPadded(out, d, 2);
}

void AppendTimestamp(std::string* out, int64_t value, TimeUnit unit) {
  static constexpr int64_t kPerSecond[] = {1, 1000, 1000000, 1000000000};
  static constexpr int kDigits[] = {0, 3, 6, 9};
  int64_t per_second = kPerSecond[int(unit)];
  int64_t seconds, fraction, days, tod;
  FloorDivMod(value, per_second, &seconds, &fraction);
  FloorDivMod(seconds, 86400, &days, &tod);
  AppendDate32(out, days);
  out->push_back('T');
  AppendPadded(out, tod / 3600, 2);
  out->push_back(':');
  AppendPadded(out, tod / 60 % 60, 2);
  out->push_back(':');
  AppendPadded(out, tod % 60, 2);
  if (kDigits[int(unit)] > 0) {
    out->push_back('.');
    AppendPadded(out, fraction, kDigits[int(unit)]);
  }
  out->push_back('Z');
}

void AppendBase64(std::string* out, std::string_view bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size(), i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = uint32_t(p[i]) << 16 | uint32_t(p[i + 1]) << 8 | p[i + 2];
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back(kAlphabet[v & 63]);
  }
  if (i < n) {
    uint32_t v = uint32_t(p[i]) << 16 | (i + 1 < n ? uint32_t(p[i + 1]) << 8 : 0);
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=');
    out->push_back('=');
  }
}

namespace {

// Bool, numbers, dates and timestamps as plain text (not strings, binary or
// dictionaries; not null).
void AppendPlain(std::string* out, const ArrayView& v, int64_t i) {
  switch (v.type->id) {
    case TypeId::kBool: *out += v.BoolValue(i) ? "true" : "false"; break;
    case TypeId::kInt8: AppendInteger(out, v.Value<int8_t>(i)); break;
    case TypeId::kInt16: AppendInteger(out, v.Value<int16_t>(i)); break;
    case TypeId::kInt32: AppendInteger(out, v.Value<int32_t>(i)); break;
    case TypeId::kInt64: AppendInteger(out, v.Value<int64_t>(i)); break;
    case TypeId::kUInt8: AppendInteger(out, v.Value<uint8_t>(i)); break;
    case TypeId::kUInt16: AppendInteger(out, v.Value<uint16_t>(i)); break;
    case TypeId::kUInt32: AppendInteger(out, v.Value<uint32_t>(i)); break;
    case TypeId::kUInt64: AppendInteger(out, v.Value<uint64_t>(i)); break;
    case TypeId::kFloat32: AppendFloat(out, v.Value<float>(i)); break;
    case TypeId::kFloat64: AppendDouble(out, v.Value<double>(i)); break;
    case TypeId::kDate32: AppendDate32(out, v.Value<int32_t>(i)); break;
    case TypeId::kTimestamp: AppendTimestamp(out, v.Value<int64_t>(i), v.type->unit); break;
    default: break;
  }
}

bool IsStringLike(const ArrayView& v) {
  return v.type->is_dictionary() || v.type->id == TypeId::kUtf8;
}

std::string_view StringAt(const ArrayView& v, int64_t i) {
  if (v.type->is_dictionary()) return v.dictionary->StringValue(v.DictIndex(i));
  return v.StringValue(i);
}

void AppendJsonValue(std::string* out, const ArrayView& v, int64_t i, bool int64_as_string) {
  if (v.IsNull(i)) {
    *out += "null";
    return;
  }
  if (IsStringLike(v)) {
    AppendJsonString(out, StringAt(v, i));
    return;
  }
  switch (v.type->id) {
    case TypeId::kInt64:
    case TypeId::kUInt64:
      if (int64_as_string) {
        out->push_back('"');
        AppendPlain(out, v, i);
        out->push_back('"');
      } else {
        AppendPlain(out, v, i);
      }
      return;
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      double d = v.type->id == TypeId::kFloat32 ? double(v.Value<float>(i)) : v.Value<double>(i);
      bool quote = !std::isfinite(d);
      if (quote) out->push_back('"');
      AppendPlain(out, v, i);
      if (quote) out->push_back('"');
      return;
    }
    case TypeId::kDate32:
    case TypeId::kTimestamp:
      out->push_back('"');
      AppendPlain(out, v, i);
      out->push_back('"');
      return;
    case TypeId::kBinary:
      out->push_back('"');
      AppendBase64(out, v.StringValue(i));
      out->push_back('"');
      return;
    default: AppendPlain(out, v, i); return;
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// ResultWriter
// ---------------------------------------------------------------------------

Status ResultWriter::Flush() {
  if (!sink_error_.ok()) return sink_error_;
  if (buf_.empty()) return Status::OK();
  Status s = sink_(buf_);
  bytes_ += buf_.size();
  buf_.clear();
  if (!s.ok()) sink_error_ = s;
  return s;
}

Status ResultWriter::MaybeFlush() {
  if (buf_.size() >= options_.flush_bytes) return Flush();
  return Status::OK();
}

namespace {

std::string ErrorJson(const Status& error) {
  std::string s = "{\"code\":";
  AppendJsonString(&s, StatusCodeName(error.code()));
  s += ",\"message\":";
  AppendJsonString(&s, error.message());
  s += "}";
  return s;
}

// State shared by the writers: the order of calls and the schema check.
class WriterBase : public ResultWriter {
 protected:
  WriterBase(TextSink sink, TextFormatOptions options)
      : ResultWriter(std::move(sink), options) {}
  enum class State { kInit, kBegun, kDone };

  Status CheckBegin(const Schema& schema) {
    if (!sink_error_.ok()) return sink_error_;
    if (state_ != State::kInit) return Status::Internal("ResultWriter::Begin called twice");
    state_ = State::kBegun;
    fields_ = schema.fields();
    return Status::OK();
  }

  Status CheckBatch(const RecordBatch& batch) {
    if (!sink_error_.ok()) return sink_error_;
    if (state_ != State::kBegun) {
      return Status::Internal("ResultWriter::Write called outside Begin/End");
    }
    if (batch.columns.size() != fields_.size()) {
      return Status::Invalid("result batch has " + std::to_string(batch.columns.size()) +
                             " columns, the result schema " + std::to_string(fields_.size()));
    }
    for (size_t c = 0; c < fields_.size(); ++c) {
      const ArrayData& col = *batch.columns[c];
      if (!(col.type == fields_[c].type) || col.length != batch.num_rows ||
          (col.type.is_dictionary() && !col.dictionary)) {
        return Status::Invalid("result column " + fields_[c].name + " is " + col.type.ToString() +
                               " with " + std::to_string(col.length) + " rows, expected " +
                               fields_[c].type.ToString() + " with " +
                               std::to_string(batch.num_rows));
      }
    }
    return Status::OK();
  }

  Status CheckEnd() {
    if (!sink_error_.ok()) return sink_error_;
    if (state_ != State::kBegun) return Status::Internal("ResultWriter::End without Begin");
    state_ = State::kDone;
    return Status::OK();
  }

  // For Fail: false if the output is already complete.
  Status CheckFail() {
    if (!sink_error_.ok()) return sink_error_;
    if (state_ == State::kDone) return Status::Internal("ResultWriter::Fail after End");
    return Status::OK();
  }

  State state_ = State::kInit;
  std::vector<Field> fields_;
};

// json and ndjson.
class JsonWriter : public WriterBase {
 public:
  JsonWriter(TextSink sink, TextFormatOptions options, bool ndjson)
      : WriterBase(std::move(sink), options), ndjson_(ndjson) {}

  Status Begin(const Schema& schema) override {
    QUIVER_RETURN_NOT_OK(CheckBegin(schema));
    keys_.clear();
    for (const Field& f : fields_) {
      std::string k;
      AppendJsonString(&k, f.name);
      k.push_back(':');
      keys_.push_back(std::move(k));
    }
    if (ndjson_) return Status::OK();
    buf_ += "{\"columns\":[";
    for (size_t c = 0; c < fields_.size(); ++c) {
      if (c > 0) buf_.push_back(',');
      buf_ += "{\"name\":";
      AppendJsonString(&buf_, fields_[c].name);
      buf_ += ",\"type\":";
      AppendJsonString(&buf_, fields_[c].type.value_type().ToString());
      buf_.push_back('}');
    }
    buf_ += "],\"rows\":[";
    return MaybeFlush();
  }

  Status Write(const RecordBatch& batch) override {
    QUIVER_RETURN_NOT_OK(CheckBatch(batch));
    ColumnViews views(batch);
    bool objects = ndjson_ || options_.records;
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      if (!ndjson_) buf_ += rows_ == 0 ? "\n" : ",\n";
      buf_.push_back(objects ? '{' : '[');
      for (size_t c = 0; c < views.size(); ++c) {
        if (c > 0) buf_.push_back(',');
        if (objects) buf_ += keys_[c];
        AppendJsonValue(&buf_, views[c], r, options_.int64_as_string);
      }
      buf_.push_back(objects ? '}' : ']');
      if (ndjson_) buf_.push_back('\n');
      ++rows_;
      if (buf_.size() >= options_.flush_bytes) QUIVER_RETURN_NOT_OK(Flush());
    }
    return Status::OK();
  }

  Status End(const ResultTrailer& trailer) override {
    QUIVER_RETURN_NOT_OK(CheckEnd());
    if (!ndjson_) {
      CloseRows();
      buf_ += ",\"truncated\":";
      buf_ += trailer.truncated ? "true" : "false";
      buf_ += ",\"elapsed_ms\":";
      char ms[32];
      auto r = std::to_chars(ms, ms + sizeof ms, trailer.elapsed_ms, std::chars_format::fixed, 3);
      buf_.append(ms, r.ptr);
      for (const auto& [name, value] : trailer.extra) {
        buf_.push_back(',');
        AppendJsonString(&buf_, name);
        buf_.push_back(':');
        buf_ += value;
      }
      buf_ += "}\n";
    }
    return Flush();
  }

  Status Fail(const Status& error) override {
    QUIVER_RETURN_NOT_OK(CheckFail());
    if (ndjson_ || state_ == State::kInit) {
      buf_ += "{\"error\":" + ErrorJson(error) + "}\n";
    } else {
      CloseRows();
      buf_ += ",\"error\":" + ErrorJson(error) + "}\n";
    }
    state_ = State::kDone;
    return Flush();
  }

 private:
  void CloseRows() {
    if (rows_ > 0) buf_.push_back('\n');
    buf_ += "],\"row_count\":";
    AppendInteger(&buf_, rows_);
  }

  bool ndjson_;
  std::vector<std::string> keys_;  // "name": per column
};

// csv and tsv.
class CsvWriter : public WriterBase {
 public:
  CsvWriter(TextSink sink, TextFormatOptions options, char delimiter)
      : WriterBase(std::move(sink), options),
        delimiter_(delimiter),
        eol_(options.crlf ? "\r\n" : "\n") {}

  Status Begin(const Schema& schema) override {
    QUIVER_RETURN_NOT_OK(CheckBegin(schema));
    if (options_.header) {
      for (size_t c = 0; c < fields_.size(); ++c) {
        if (c > 0) buf_.push_back(delimiter_);
        AppendField(fields_[c].name, c == 0);
      }
      buf_ += eol_;
    }
    return MaybeFlush();
  }

  Status Write(const RecordBatch& batch) override {
    QUIVER_RETURN_NOT_OK(CheckBatch(batch));
    ColumnViews views(batch);
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      for (size_t c = 0; c < views.size(); ++c) {
        if (c > 0) buf_.push_back(delimiter_);
        const ArrayView& v = views[c];
        if (v.IsNull(r)) continue;
        if (IsStringLike(v)) {
          AppendField(StringAt(v, r), c == 0);
        } else if (v.type->id == TypeId::kBinary) {
          std::string_view bytes = v.StringValue(r);
          if (bytes.empty()) {
            buf_ += "\"\"";
          } else {
            AppendBase64(&buf_, bytes);
          }
        } else {
          AppendPlain(&buf_, v, r);
        }
      }
      buf_ += eol_;
      ++rows_;
      if (buf_.size() >= options_.flush_bytes) QUIVER_RETURN_NOT_OK(Flush());
    }
    return Status::OK();
  }

  Status End(const ResultTrailer&) override {
    QUIVER_RETURN_NOT_OK(CheckEnd());
    return Flush();
  }

  Status Fail(const Status& error) override {
    QUIVER_RETURN_NOT_OK(CheckFail());
    buf_ += "#error: ";
    buf_ += StatusCodeName(error.code());
    buf_ += ": ";
    size_t start = buf_.size();
    AppendValidUtf8(&buf_, error.message());
    for (size_t i = start; i < buf_.size(); ++i) {
      if (buf_[i] == '\n' || buf_[i] == '\r') buf_[i] = ' ';
    }
    buf_ += eol_;
    state_ = State::kDone;
    return Flush();
  }

 private:
  void AppendField(std::string_view s, bool first) {
    scratch_.clear();
    AppendValidUtf8(&scratch_, s);
    bool quote = scratch_.empty() || (first && scratch_[0] == '#');
    for (char ch : scratch_) {
      if (ch == delimiter_ || ch == '"' || ch == '\n' || ch == '\r') {
        quote = true;
        break;
      }
    }
    if (!quote) {
      buf_ += scratch_;
      return;
    }
    buf_.push_back('"');
    for (char ch : scratch_) {
      if (ch == '"') buf_.push_back('"');
      buf_.push_back(ch);
    }
    buf_.push_back('"');
  }

  char delimiter_;
  std::string eol_;
  std::string scratch_;
};

// Aligned text for people; buffers every row.
class TextTableWriter : public WriterBase {
 public:
  TextTableWriter(TextSink sink, TextFormatOptions options)
      : WriterBase(std::move(sink), options) {}

  Status Begin(const Schema& schema) override {
    QUIVER_RETURN_NOT_OK(CheckBegin(schema));
    headers_.clear();
    widths_.clear();
    right_.clear();
    for (const Field& f : fields_) {
      right_.push_back(!f.type.is_dictionary() && IsNumeric(f.type.id));
      headers_.push_back(Cell(f.name));
      widths_.push_back(headers_.back().second);
    }
    return Status::OK();
  }

  Status Write(const RecordBatch& batch) override {
    QUIVER_RETURN_NOT_OK(CheckBatch(batch));
    ColumnViews views(batch);
    std::string text;
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      std::vector<std::pair<std::string, size_t>> row;
      row.reserve(views.size());
      for (size_t c = 0; c < views.size(); ++c) {
        const ArrayView& v = views[c];
        text.clear();
        if (v.IsNull(r)) {
          text = "NULL";
        } else if (IsStringLike(v)) {
          text = StringAt(v, r);
        } else if (v.type->id == TypeId::kBinary) {
          text = "\\x";
          for (unsigned char ch : v.StringValue(r)) {
            text.push_back(kHex[ch >> 4]);
            text.push_back(kHex[ch & 15]);
          }
        } else {
          AppendPlain(&text, v, r);
        }
        row.push_back(Cell(text));
        widths_[c] = std::max(widths_[c], row.back().second);
      }
      rows_text_.push_back(std::move(row));
      ++rows_;
    }
    return Status::OK();
  }

  Status End(const ResultTrailer& trailer) override {
    QUIVER_RETURN_NOT_OK(CheckEnd());
    Render();
    buf_ += "(" + std::to_string(rows_) + (rows_ == 1 ? " row" : " rows");
    buf_ += trailer.truncated ? ", truncated)\n" : ")\n";
    return Flush();
  }

  Status Fail(const Status& error) override {
    QUIVER_RETURN_NOT_OK(CheckFail());
    if (state_ == State::kBegun) Render();
    buf_ += "ERROR: ";
    buf_ += StatusCodeName(error.code());
    buf_ += ": ";
    AppendValidUtf8(&buf_, error.message());
    buf_ += "\n";
    state_ = State::kDone;
    return Flush();
  }

 private:
  // The cell's display text (valid UTF-8, control characters escaped, cut
  // to max_cell_width) and its width in code points.
  std::pair<std::string, size_t> Cell(std::string_view raw) const {
    std::string valid;
    AppendValidUtf8(&valid, raw);
    std::string out;
    std::vector<size_t> starts;  // byte offset of each code point in `out`
    for (size_t i = 0; i < valid.size();) {
      unsigned char c = static_cast<unsigned char>(valid[i]);
      if (c < 0x20 || c == 0x7F) {
        std::string e = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : "";
        if (e.empty()) {
          e = "\\x";
          e.push_back(kHex[c >> 4]);
          e.push_back(kHex[c & 15]);
        }
        for (char ch : e) {  // an escape counts as its characters
          starts.push_back(out.size());
          out.push_back(ch);
        }
        ++i;
        continue;
      }
      const auto* p = reinterpret_cast<const unsigned char*>(valid.data()) + i;
      size_t len = c < 0x80 ? 1 : size_t(Utf8Step(p, valid.size() - i));
      starts.push_back(out.size());
      out.append(valid, i, len);
      i += len;
    }
    size_t width = starts.size();
    size_t max = size_t(options_.max_cell_width);
    if (max > 0 && width > max) {
      out.resize(starts[max - 1]);
      out += "\xE2\x80\xA6";  // …
      width = max;
    }
    return {std::move(out), width};
  }

  void Pad(size_t n) { buf_.append(n, ' '); }

  void EndLine() {
    while (!buf_.empty() && buf_.back() == ' ') buf_.pop_back();
    buf_.push_back('\n');
  }

  void Render() {
    if (fields_.empty()) return;
    for (size_t c = 0; c < fields_.size(); ++c) {
      if (c > 0) buf_.push_back('|');
      size_t room = widths_[c] - headers_[c].second;
      Pad(1 + room / 2);
      buf_ += headers_[c].first;
      Pad(room - room / 2 + 1);
    }
    EndLine();
    for (size_t c = 0; c < fields_.size(); ++c) {
      if (c > 0) buf_.push_back('+');
      buf_.append(widths_[c] + 2, '-');
    }
    buf_.push_back('\n');
    for (const auto& row : rows_text_) {
      for (size_t c = 0; c < row.size(); ++c) {
        if (c > 0) buf_.push_back('|');
        size_t room = widths_[c] - row[c].second;
        Pad(1 + (right_[c] ? room : 0));
        buf_ += row[c].first;
        Pad(1 + (right_[c] ? 0 : room));
      }
      EndLine();
    }
    rows_text_.clear();
  }

  std::vector<std::pair<std::string, size_t>> headers_;
  std::vector<size_t> widths_;
  std::vector<bool> right_;
  std::vector<std::vector<std::pair<std::string, size_t>>> rows_text_;
};

// arrow and arrow-file, through columnar/ipc.h.
class ArrowWriter : public WriterBase {
 public:
  ArrowWriter(TextSink sink, TextFormatOptions options, bool file)
      : WriterBase(std::move(sink), options), file_(file), adapter_(this) {}

  Status Begin(const Schema& schema) override {
    QUIVER_RETURN_NOT_OK(CheckBegin(schema));
    auto shared = std::make_shared<const Schema>(schema);
    if (file_) {
      QUIVER_ASSIGN_OR_RETURN(file_writer_, FileWriter::Open(&adapter_, shared));
    } else {
      QUIVER_ASSIGN_OR_RETURN(stream_writer_, StreamWriter::Open(&adapter_, shared));
    }
    return MaybeFlush();
  }

  Status Write(const RecordBatch& batch) override {
    QUIVER_RETURN_NOT_OK(CheckBatch(batch));
    QUIVER_RETURN_NOT_OK(file_ ? file_writer_->WriteBatch(batch)
                               : stream_writer_->WriteBatch(batch));
    rows_ += batch.num_rows;
    return MaybeFlush();
  }

  Status End(const ResultTrailer&) override {
    QUIVER_RETURN_NOT_OK(CheckEnd());
    QUIVER_RETURN_NOT_OK(file_ ? file_writer_->Close() : stream_writer_->Close());
    return Flush();
  }

  Status Fail(const Status&) override {
    QUIVER_RETURN_NOT_OK(CheckFail());
    state_ = State::kDone;
    return Flush();
  }

 private:
  class Adapter : public OutputSink {
   public:
    explicit Adapter(ArrowWriter* w) : w_(w) {}
    Status Write(const uint8_t* data, int64_t size) override {
      w_->buf_.append(reinterpret_cast<const char*>(data), size_t(size));
      return w_->MaybeFlush();
    }

   private:
    ArrowWriter* w_;
  };

  bool file_;
  Adapter adapter_;
  std::unique_ptr<StreamWriter> stream_writer_;
  std::unique_ptr<FileWriter> file_writer_;
};

}  // namespace

std::unique_ptr<ResultWriter> ResultWriter::Make(ResultFormat format, TextSink sink,
                                                 TextFormatOptions options) {
  switch (format) {
    case ResultFormat::kJson:
      return std::make_unique<JsonWriter>(std::move(sink), options, false);
    case ResultFormat::kNdjson:
      return std::make_unique<JsonWriter>(std::move(sink), options, true);
    case ResultFormat::kCsv: return std::make_unique<CsvWriter>(std::move(sink), options, ',');
    case ResultFormat::kTsv: return std::make_unique<CsvWriter>(std::move(sink), options, '\t');
    case ResultFormat::kTable: return std::make_unique<TextTableWriter>(std::move(sink), options);
    case ResultFormat::kArrow:
      return std::make_unique<ArrowWriter>(std::move(sink), options, false);
    case ResultFormat::kArrowFile:
      return std::make_unique<ArrowWriter>(std::move(sink), options, true);
  }
  return nullptr;
}

}  // namespace quiver
