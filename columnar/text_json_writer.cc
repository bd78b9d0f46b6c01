// The json and ndjson writers.
#include <string>

#include "columnar/text_format_internal.h"

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

// State shared by the writers: the order of calls and the schema check.
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

}  // namespace

std::unique_ptr<ResultWriter> MakeJsonWriter(TextSink sink, TextFormatOptions options,
                                             bool ndjson) {
  return std::make_unique<JsonWriter>(std::move(sink), options, ndjson);
}

}  // namespace quiver::text_internal
