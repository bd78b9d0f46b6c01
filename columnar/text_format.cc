// Result formats: their names and content types, ResultWriter's buffering
// and the factory. The writers are in text_*_writer.cc, value rendering in
// text_value.cc (see text_format_internal.h).
#include "columnar/text_format.h"

#include "columnar/text_format_internal.h"

namespace quiver {

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

const char* ResultFormatName(ResultFormat f) {
  switch (f) {
    case ResultFormat::kJson:
      return "json";
    case ResultFormat::kNdjson:
      return "ndjson";
    case ResultFormat::kCsv:
      return "csv";
    case ResultFormat::kTsv:
      return "tsv";
    case ResultFormat::kTable:
      return "table";
    case ResultFormat::kArrow:
      return "arrow";
    case ResultFormat::kArrowFile:
      return "arrow-file";
    case ResultFormat::kParquet:
      return "parquet";
  }
  return "?";
}

Result<ResultFormat> ParseResultFormat(std::string_view name) {
  for (ResultFormat f :
       {ResultFormat::kJson, ResultFormat::kNdjson, ResultFormat::kCsv, ResultFormat::kTsv,
        ResultFormat::kTable, ResultFormat::kArrow, ResultFormat::kArrowFile,
        ResultFormat::kParquet}) {
    if (name == ResultFormatName(f)) return f;
  }
  return Status::Invalid("unknown format \"" + std::string(name) +
                         "\" (expected json, ndjson, csv, tsv, table, arrow, arrow-file or parquet)");
}

const char* ResultFormatContentType(ResultFormat f) {
  switch (f) {
    case ResultFormat::kJson:
      return "application/json";
    case ResultFormat::kNdjson:
      return "application/x-ndjson";
    case ResultFormat::kCsv:
      return "text/csv; charset=utf-8; header=present";
    case ResultFormat::kTsv:
      return "text/tab-separated-values; charset=utf-8";
    case ResultFormat::kTable:
      return "text/plain; charset=utf-8";
    case ResultFormat::kArrow:
      return "application/vnd.apache.arrow.stream";
    case ResultFormat::kArrowFile:
      return "application/vnd.apache.arrow.file";
    case ResultFormat::kParquet:
      return "application/vnd.apache.parquet";
  }
  return "application/octet-stream";
}

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

std::unique_ptr<ResultWriter> ResultWriter::Make(ResultFormat format, TextSink sink,
                                                 TextFormatOptions options) {
  switch (format) {
    case ResultFormat::kJson:
      return text_internal::MakeJsonWriter(std::move(sink), options, false);
    case ResultFormat::kNdjson:
      return text_internal::MakeJsonWriter(std::move(sink), options, true);
    case ResultFormat::kCsv:
      return text_internal::MakeCsvWriter(std::move(sink), options, ',');
    case ResultFormat::kTsv:
      return text_internal::MakeCsvWriter(std::move(sink), options, '\t');
    case ResultFormat::kTable:
      return text_internal::MakeTableWriter(std::move(sink), options);
    case ResultFormat::kArrow:
      return text_internal::MakeArrowWriter(std::move(sink), options, false);
    case ResultFormat::kArrowFile:
      return text_internal::MakeArrowWriter(std::move(sink), options, true);
    case ResultFormat::kParquet:
      return text_internal::MakeParquetWriter(std::move(sink), options);
  }
  return nullptr;
}

}  // namespace quiver
