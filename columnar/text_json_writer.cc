// The json and ndjson writers.
#include <string>

#include "columnar/text_cells.h"

namespace quiver::text_internal {

namespace {

std::string ErrorJson(const Status& error) {
  std::string s = "{\"code\":";
  AppendJsonString(&s, StatusCodeName(error.code()));
  s += ",\"message\":";
  AppendJsonString(&s, error.message());
  s += "}";
  return s;
}

// json and ndjson.
class JsonWriter : public CellWriter {
 public:
  JsonWriter(TextSink sink, TextFormatOptions options, bool ndjson)
      : CellWriter(std::move(sink), options), ndjson_(ndjson) {}

  Status Begin(const Schema& schema) override {
    QUIVER_RETURN_NOT_OK(CheckBegin(schema));
    const bool objects = ndjson_ || options_.records;
    shape_ = RowShape{};
    shape_.first_prefix = ndjson_ ? "" : "\n";
    shape_.prefix = ndjson_ ? "" : ",\n";
    shape_.open = objects ? "{" : "[";
    shape_.separator = ",";
    shape_.close = objects ? "}" : "]";
    if (ndjson_) shape_.close += "\n";
    styles_.clear();
    for (const Field& f : fields_) {
      if (objects) {
        std::string k;
        AppendJsonString(&k, f.name);
        k.push_back(':');
        shape_.keys.push_back(std::move(k));
      }
      CellStyle style;
      style.int64_as_string = options_.int64_as_string;
      styles_.push_back(style);
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

  Status Write(const RecordBatch& batch) override { return WriteCells(batch); }

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
};

}  // namespace

std::unique_ptr<ResultWriter> MakeJsonWriter(TextSink sink, TextFormatOptions options,
                                             bool ndjson) {
  return std::make_unique<JsonWriter>(std::move(sink), options, ndjson);
}

}  // namespace quiver::text_internal
