#include "columnar/csv.h"

#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "columnar/builder.h"
#include "columnar/text_reader_internal.h"

namespace quiver {

namespace {

using internal::BlockResult;
using internal::TextBlock;
using internal::Where;

struct FieldRef {
  const char* begin;  // of the field's text in the block (after an opening quote)
  size_t len;
  const char* start;  // of the field in the block (the opening quote if quoted)
  int64_t line;       // physical line the field starts on
  bool quoted;
  int scratch = -1;   // index of the unescaped text when it held doubled quotes
};

// One row's fields. Unescaped texts live in `scratch`.
struct Row {
  std::vector<FieldRef> fields;
  std::vector<std::string> scratch;
  size_t scratch_used = 0;
  const char* begin = nullptr;
  const char* end = nullptr;  // without the line end
  int64_t line = 0;
  std::string_view Text(const FieldRef& f) const {
    return f.scratch >= 0 ? std::string_view(scratch[size_t(f.scratch)]) : std::string_view(f.begin, f.len);
  }
};

// Tokenizes the row at *p (a row boundary, p < end). Advances *p past the
// row's line end and *line past its line ends. On a syntax error returns
// false with *why set, and skips to the next line end (so a skipping reader
// resynchronises).
bool TokenizeRow(const char** p, const char* end, char delim, int64_t* line, Row* row,
                 std::string* why, int64_t* error_line) {
  row->fields.clear();
  row->scratch_used = 0;
  row->begin = *p;
  row->line = *line;
  const char* q = *p;
  auto finish_line = [&](const char* at) {
    // at points to '\n' or '\r' (or end): step past the line end.
    row->end = at;
    if (at < end) {
      if (*at == '\r' && at + 1 < end && at[1] == '\n') ++at;
      ++at;
      ++*line;
    }
    *p = at;
  };
  auto fail = [&](const std::string& msg, const char* at) {
    *why = msg;
    *error_line = *line;
    // Resynchronise at the next line end.
    while (at < end && *at != '\n' && *at != '\r') ++at;
    finish_line(at);
    return false;
  };
  for (;;) {
    FieldRef f{};
    f.start = q;
    f.line = *line;
    if (q < end && *q == '"') {
      f.quoted = true;
      ++q;
      f.begin = q;
      bool escaped = false;
      const char* close = nullptr;
      while (true) {
        const char* hit = static_cast<const char*>(std::memchr(q, '"', size_t(end - q)));
        if (hit == nullptr) {
          *line += internal::CountLineEnds(f.begin, end);
          *why = "quoted field (column " + std::to_string(row->fields.size() + 1) +
                 ") is not closed before the end of the input";
          *error_line = f.line;
          row->end = end;
          *p = end;
          return false;
        }
        if (hit + 1 < end && hit[1] == '"') {
          escaped = true;
          q = hit + 2;
          continue;
        }
        close = hit;
        break;
      }
      f.len = size_t(close - f.begin);
      *line += internal::CountLineEnds(f.begin, close);
      if (escaped) {
        if (row->scratch_used == row->scratch.size()) row->scratch.emplace_back();
        std::string& s = row->scratch[row->scratch_used];
        s.clear();
        for (const char* c = f.begin; c < close; ++c) {
          s.push_back(*c);
          if (*c == '"') ++c;  // "" -> "
        }
        f.scratch = int(row->scratch_used++);
      }
      q = close + 1;
      row->fields.push_back(f);
      if (q == end) {
        finish_line(q);
        return true;
      }
      if (*q == delim) {
        ++q;
        continue;
      }
      if (*q == '\n' || *q == '\r') {
        finish_line(q);
        return true;
      }
      return fail("unexpected character " + QuoteForMessage(std::string_view(q, 1)) +
                      " after the closing quote of column " + std::to_string(row->fields.size()),
                  q);
    }
    f.begin = q;
    while (q < end) {
      char c = *q;
      if (c == delim || c == '\n' || c == '\r') break;
      if (c == '"') {
        return fail("quote inside unquoted field (column " + std::to_string(row->fields.size() + 1) +
                        "); quote the whole field and double the quote",
                    q);
      }
      ++q;
    }
    f.len = size_t(q - f.begin);
    row->fields.push_back(f);
    if (q < end && *q == delim) {
      ++q;
      continue;
    }
    finish_line(q);
    return true;
  }
}

class CsvFormat : public internal::TextFormat {
 public:
  explicit CsvFormat(const CsvOptions& o) : o_(o) {
    for (const auto& n : o_.null_values) nulls_.insert(n);
  }

  bool quote_aware() const override { return true; }
  bool has_header() const override { return o_.header; }

  Status ReadHeader(const TextBlock& block) override {
    header_line_ = block.first_line;
    if (block.data.empty()) {
      return Status::OK();  // empty input; Resolve decides
    }
    const char* p = block.data.data();
    const char* end = p + block.data.size();
    int64_t line = block.first_line;
    Row row;
    std::string why;
    int64_t err_line = line;
    size_t bad;
    if (!ValidUtf8(block.data.data(), block.data.size(), &bad)) {
      return Status::Invalid(Where(o_, line) + "the header is not valid UTF-8 (byte " +
                             std::to_string(block.first_byte + int64_t(bad)) + ")");
    }
    if (!TokenizeRow(&p, end, o_.delimiter, &line, &row, &why, &err_line)) {
      return Status::Invalid(Where(o_, err_line) + "header: " + why);
    }
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < row.fields.size(); ++i) {
      std::string name(row.Text(row.fields[i]));
      if (name.empty()) {
        return Status::Invalid(Where(o_, block.first_line) + "header column " +
                               std::to_string(i + 1) + " has an empty name");
      }
      if (!seen.insert(name).second) {
        return Status::Invalid(Where(o_, block.first_line) + "header names column \"" + name +
                               "\" twice (columns " +
                               std::to_string(FindName(names_, name) + 1) + " and " +
                               std::to_string(i + 1) + ")");
      }
      names_.push_back(std::move(name));
    }
    have_header_ = true;
    return Status::OK();
  }

  Result<std::shared_ptr<const Schema>> Resolve(const TextBlock& sample) override {
    // Column count: from the header, else from the first sample row.
    std::vector<Row> rows;
    std::vector<int64_t> lines;
    TokenizeSample(sample, &rows);
    if (!have_header_) {
      if (o_.header && !o_.schema) {
        return Status::Invalid(Where(o_, 1) + "the input is empty: no header row to name the columns");
      }
      size_t n = 0;
      if (!rows.empty()) {
        n = rows[0].fields.size();
      } else if (o_.schema) {
        n = o_.schema->num_fields();
      } else if (o_.overrides.size() > 0) {
        n = o_.overrides.size();
      }
      bool positional = !o_.overrides.empty() && o_.overrides.size() == n;
      for (size_t i = 0; i < n; ++i) {
        if (o_.schema && o_.schema->num_fields() == n) {
          names_.push_back(o_.schema->field(i).name);
        } else if (positional && !o_.header) {
          names_.push_back(o_.overrides[i].name);
        } else {
          names_.push_back("f" + std::to_string(i));
        }
      }
    }
    std::shared_ptr<const Schema> schema;
    if (o_.schema) {
      schema = o_.schema;
      std::unordered_set<std::string> in_input(names_.begin(), names_.end());
      for (const Field& f : schema->fields()) {
        if (!in_input.count(f.name)) {
          return Status::Invalid(Where(o_, header_line_) + "the input has no column \"" + f.name +
                                 "\" (the schema's field " + std::to_string(schema->FieldIndex(f.name) + 1) +
                                 "); its columns are " + NameList(names_));
        }
      }
    } else {
      std::vector<Field> fields(names_.size());
      std::vector<ColumnInferrer> inferrers(names_.size());
      for (const Row& r : rows) {
        if (r.fields.size() != names_.size()) continue;  // reported by Parse
        for (size_t i = 0; i < r.fields.size(); ++i) {
          const FieldRef& f = r.fields[i];
          std::string_view t = r.Text(f);
          if (!f.quoted && nulls_.count(std::string(t))) continue;
          if (f.quoted && t.empty()) continue;
          inferrers[i].ObserveText(t);
        }
      }
      for (size_t i = 0; i < names_.size(); ++i) {
        fields[i].name = names_[i];
        fields[i].type = inferrers[i].Decide(o_.infer);
        inferred_.push_back(true);
      }
      for (const Field& ov : o_.overrides) {
        int k = FindName(names_, ov.name);
        if (k < 0) {
          return Status::Invalid("schema override names column \"" + ov.name +
                                 "\", which " + o_.source_name + " does not have; its columns are " +
                                 NameList(names_));
        }
        fields[size_t(k)].type = ov.type;
        inferred_[size_t(k)] = false;
      }
      schema = std::make_shared<Schema>(std::move(fields));
    }
    schema_ = schema;
    // Input column i goes to schema field map_[i].
    for (const std::string& n : names_) {
      int k = schema_->FieldIndex(n);
      if (k < 0) {
        return Status::Invalid(Where(o_, header_line_) + "column \"" + n +
                               "\" of the input is not a field of the schema " + SchemaNames());
      }
      map_.push_back(k);
    }
    if (inferred_.empty()) inferred_.assign(schema_->num_fields(), false);
    sample_rows_ = int64_t(rows.size());
    return schema_;
  }

  BlockResult Parse(const TextBlock& block) const override {
    BlockResult out;
    RecordBatchBuilder builder(schema_);
    const size_t ncols = map_.size();
    const char* p = block.data.data();
    const char* end = p + block.data.size();
    int64_t line = block.first_line;
    Row row;
    std::vector<Cell> cells(schema_->num_fields());
    std::string why;
    std::string null_key;
    for (size_t c = 0; c < schema_->num_fields(); ++c) {
      builder.column(c).Reserve(o_.batch_rows);
    }
    while (p < end) {
      int64_t err_line = line;
      const char* row_start = p;
      bool ok = TokenizeRow(&p, end, o_.delimiter, &line, &row, &why, &err_line);
      int64_t row_byte = block.first_byte + (row_start - block.data.data());
      auto reject = [&](Status s) -> bool {
        if (o_.on_error == OnError::kAbort) {
          out.status = std::move(s);
          return false;
        }
        RejectedRow r;
        r.line = row.line;
        r.byte_offset = row_byte;
        r.raw.assign(row_start, size_t(row.end - row_start));
        r.reason = s.message();
        out.rejected.push_back(std::move(r));
        return true;
      };
      if (!ok) {
        Status s = Status::Invalid(Where(o_, err_line) + why + " (byte " + std::to_string(row_byte) + ")");
        if (!reject(std::move(s))) return out;
        continue;
      }
      if (row.end == row_start) continue;  // blank line
      size_t bad;
      if (!ValidUtf8(row_start, size_t(row.end - row_start), &bad)) {
        const char* at = row_start + bad;
        size_t col = 0;
        int64_t at_line = row.line + internal::CountLineEnds(row_start, at);
        for (size_t i = 0; i < row.fields.size(); ++i) {
          if (row.fields[i].start <= at) col = i;
        }
        std::string colname = col < ncols ? ColumnName(col) : "column " + std::to_string(col + 1);
        Status s = Status::Invalid(Where(o_, at_line) + "invalid UTF-8 in " + colname + ", byte " +
                                   std::to_string(block.first_byte + (at - block.data.data())));
        if (!reject(std::move(s))) return out;
        continue;
      }
      if (row.fields.size() != ncols) {
        Status s = Status::Invalid(Where(o_, row.line) + "row has " + std::to_string(row.fields.size()) +
                                   " field" + (row.fields.size() == 1 ? "" : "s") + ", expected " +
                                   std::to_string(ncols) + " (byte " + std::to_string(row_byte) + ")");
        if (!reject(std::move(s))) return out;
        continue;
      }
      bool row_ok = true;
      for (size_t i = 0; i < ncols; ++i) {
        const FieldRef& f = row.fields[i];
        size_t k = size_t(map_[i]);
        const DataType& type = schema_->field(k).type;
        std::string_view t = row.Text(f);
        Cell& cell = cells[k];
        bool is_string = type.is_dictionary() || IsVarLength(type.id);
        if (!f.quoted) {
          null_key.assign(t);
          if (nulls_.count(null_key)) {
            cell.null = true;
            continue;
          }
        } else if (t.empty() && !is_string) {
          cell.null = true;
          continue;
        }
        if (!ConvertText(t, type, &cell, &why)) {
          std::string msg = Where(o_, f.line) + ColumnName(i) + ", byte " +
                            std::to_string(block.first_byte + (f.start - block.data.data())) + ": " + why;
          if (inferred_[k]) {
            msg += " (the column's type was inferred from the first " + std::to_string(sample_rows_) +
                   " rows; give its type in the schema to read such values)";
          }
          row_ok = reject(Status::TypeError(msg));
          if (!row_ok) return out;
          row_ok = false;
          break;
        }
      }
      if (!row_ok) continue;
      for (size_t k = 0; k < cells.size(); ++k) AppendCell(builder.column(k), cells[k]);
    }
    auto batch = builder.Finish();
    if (!batch.ok()) {
      out.status = batch.status().WithContext(Where(o_, block.first_line) + "rows from here on");
      return out;
    }
    out.batch = std::move(*batch);
    return out;
  }

 private:
  static int FindName(const std::vector<std::string>& names, const std::string& n) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == n) return int(i);
    }
    return -1;
  }
  static std::string NameList(const std::vector<std::string>& names) {
    std::string s;
    for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + ("\"" + names[i] + "\"");
    return s.empty() ? "(none)" : s;
  }
  std::string SchemaNames() const {
    std::vector<std::string> n;
    for (const Field& f : schema_->fields()) n.push_back(f.name);
    return NameList(n);
  }
  std::string ColumnName(size_t input_col) const {
    return "column " + std::to_string(input_col + 1) + " (\"" + names_[input_col] + "\")";
  }
  void TokenizeSample(const TextBlock& sample, std::vector<Row>* rows) const {
    const char* p = sample.data.data();
    const char* end = p + sample.data.size();
    int64_t line = sample.first_line;
    std::string why;
    int64_t el;
    while (p < end && int64_t(rows->size()) < o_.sample_rows) {
      Row r;
      const char* s = p;
      if (!TokenizeRow(&p, end, o_.delimiter, &line, &r, &why, &el)) continue;
      if (r.end == s) continue;
      rows->push_back(std::move(r));
    }
  }

  const CsvOptions& o_;
  std::unordered_set<std::string> nulls_;
  std::vector<std::string> names_;
  bool have_header_ = false;
  int64_t header_line_ = 1;
  std::shared_ptr<const Schema> schema_;
  std::vector<int> map_;
  std::vector<bool> inferred_;
  int64_t sample_rows_ = 0;
};

}  // namespace

Result<TextTable> ReadCsv(std::string_view data, const CsvOptions& options,
                          std::shared_ptr<const Schema> schema_or_null) {
  CsvOptions o = options;
  if (schema_or_null) o.schema = std::move(schema_or_null);
  CsvFormat format(o);
  return internal::ReadTextWhole(data, o, format);
}

Status ReadCsvStream(const ReadFn& read, const CsvOptions& options, const TextCallbacks& callbacks,
                     TextReadStats* stats) {
  CsvFormat format(options);
  return internal::RunTextReader(read, options, format, callbacks, stats);
}

}  // namespace quiver
