// The aligned text table writer (for people).
#include <algorithm>
#include <string>

#include "columnar/text_format_internal.h"

namespace quiver::text_internal {

namespace {

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
        } else if (IsBytesColumn(v)) {
          text = "\\x";
          for (unsigned char ch : v.StringValue(r)) {
            text.push_back(kHex[ch >> 4]);
            text.push_back(kHex[ch & 15]);
          }
        } else if (v.type->is_nested()) {
          AppendJsonValue(&text, v, r, false);
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

}  // namespace

std::unique_ptr<ResultWriter> MakeTableWriter(TextSink sink, TextFormatOptions options) {
  return std::make_unique<TextTableWriter>(std::move(sink), options);
}

}  // namespace quiver::text_internal
