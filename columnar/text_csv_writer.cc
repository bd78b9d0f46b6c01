// The csv and tsv writers.
#include <string>

#include "columnar/text_format_internal.h"

namespace quiver::text_internal {

namespace {

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
        } else if (IsBytesColumn(v)) {
          std::string_view bytes = v.StringValue(r);
          if (bytes.empty()) {
            buf_ += "\"\"";
          } else {
            AppendBase64(&buf_, bytes);
          }
        } else if (v.type->is_nested()) {
          std::string json;
          AppendJsonValue(&json, v, r, false);
          AppendField(json, c == 0);
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

}  // namespace

std::unique_ptr<ResultWriter> MakeCsvWriter(TextSink sink, TextFormatOptions options,
                                            char delimiter) {
  return std::make_unique<CsvWriter>(std::move(sink), options, delimiter);
}

}  // namespace quiver::text_internal
