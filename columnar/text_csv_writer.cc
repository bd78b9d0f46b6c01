// The csv and tsv writers.
#include <string>

#include "columnar/text_cells.h"

namespace quiver::text_internal {

namespace {

// csv and tsv.
class CsvWriter : public CellWriter {
 public:
  CsvWriter(TextSink sink, TextFormatOptions options, char delimiter)
      : CellWriter(std::move(sink), options),
        delimiter_(delimiter),
        eol_(options.crlf ? "\r\n" : "\n") {}

  Status Begin(const Schema& schema) override {
    QUIVER_RETURN_NOT_OK(CheckBegin(schema));
    shape_ = RowShape{};
    shape_.separator = std::string(1, delimiter_);
    shape_.close = eol_;
    styles_.clear();
    for (size_t c = 0; c < fields_.size(); ++c) {
      CellStyle style;
      style.json = false;
      style.delimiter = delimiter_;
      style.first_column = c == 0;
      styles_.push_back(style);
    }
    if (options_.header) {
      for (size_t c = 0; c < fields_.size(); ++c) {
        if (c > 0) buf_.push_back(delimiter_);
        AppendCsvField(&buf_, fields_[c].name, delimiter_, c == 0);
      }
      buf_ += eol_;
    }
    return MaybeFlush();
  }

  Status Write(const RecordBatch& batch) override { return WriteCells(batch); }

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
  char delimiter_;
  std::string eol_;
};

}  // namespace

void AppendCsvField(std::string* out, std::string_view s, char delimiter, bool first_column) {
  if (IsPlainCsvText(s, delimiter)) {  // the common case: nothing to replace or double
    const bool quote = s.empty() || (first_column && s[0] == '#');
    if (quote) out->push_back('"');
    out->append(s);
    if (quote) out->push_back('"');
    return;
  }
  std::string valid;
  AppendValidUtf8(&valid, s);
  bool quote = valid.empty() || (first_column && valid[0] == '#');
  for (char ch : valid) {
    if (ch == delimiter || ch == '"' || ch == '\n' || ch == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) {
    out->append(valid);
    return;
  }
  out->push_back('"');
  for (char ch : valid) {
    if (ch == '"') out->push_back('"');
    out->push_back(ch);
  }
  out->push_back('"');
}

std::unique_ptr<ResultWriter> MakeCsvWriter(TextSink sink, TextFormatOptions options,
                                            char delimiter) {
  return std::make_unique<CsvWriter>(std::move(sink), options, delimiter);
}

}  // namespace quiver::text_internal
