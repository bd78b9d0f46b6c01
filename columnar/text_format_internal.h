// Internals of the result writers (columnar/text_format.h), shared by their
// files and not an API:
//   text_format.cc       format names, ResultWriter buffering, the factory
//   text_value.cc        one value as text (numbers, dates, JSON strings)
//   text_json_writer.cc  json and ndjson
//   text_csv_writer.cc   csv and tsv
//   text_cells.cc        column-at-a-time cells and rows for json and csv
//   text_put_internal.h  the text of numbers, dates and timestamps
//   text_table_writer.cc aligned text tables
//   text_arrow_writer.cc arrow and arrow-file (columnar/ipc.h)
//
// Thread-safety: as ResultWriter (one thread at a time per writer); the
// functions are pure.
#pragma once

#include <charconv>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/text_format.h"
#include "columnar/text_put_internal.h"

namespace quiver::text_internal {

// Appends the decimal digits of integer `v`.
template <typename T>
void AppendInteger(std::string* out, T v) {
  char buf[kMaxPutBytes];
  out->append(buf, PutInteger(buf, v));
}

inline constexpr char kHex[] = "0123456789abcdef";

// Length (1..4) of the well-formed UTF-8 sequence at p[0, n), or -k where
// k >= 1 is the length of the maximal ill-formed subpart starting there.
int Utf8Step(const unsigned char* p, size_t n);

// True if `s` is valid UTF-8 without the delimiter, a quote, CR or LF: a
// CSV field that needs neither replacements nor doubled quotes.
bool IsPlainCsvText(std::string_view s, char delimiter);

// Bool, numbers, dates and timestamps as plain text (not strings, binary or
// dictionaries; not null).
void AppendPlain(std::string* out, const ArrayView& v, int64_t i);
// True for utf8 and dictionary-encoded columns.
bool IsStringLike(const ArrayView& v);
// True for binary and fixed_size_binary: one rule prints their bytes,
// base64 in JSON and CSV, \x and hex digits in tables.
bool IsBytesColumn(const ArrayView& v);
// Row i of a string-like column.
std::string_view StringAt(const ArrayView& v, int64_t i);
// Row i as a JSON value (null, number, string; int64 optionally quoted;
// lists and fixed-size lists as arrays, structs as objects, maps as objects
// keyed by each key's text). CSV and tables print nested values this way too.
void AppendJsonValue(std::string* out, const ArrayView& v, int64_t i, bool int64_as_string);

// State shared by the writers: the order of calls and the schema check.
class WriterBase : public ResultWriter {
 protected:
  WriterBase(TextSink sink, TextFormatOptions options) : ResultWriter(std::move(sink), options) {}
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

// The writers, one per family of formats.
std::unique_ptr<ResultWriter> MakeJsonWriter(TextSink sink, TextFormatOptions options, bool ndjson);
std::unique_ptr<ResultWriter> MakeCsvWriter(TextSink sink, TextFormatOptions options,
                                            char delimiter);
std::unique_ptr<ResultWriter> MakeTableWriter(TextSink sink, TextFormatOptions options);
std::unique_ptr<ResultWriter> MakeArrowWriter(TextSink sink, TextFormatOptions options, bool file);
// In columnar/parquet/result_writer.cc (library quiver::parquet).
std::unique_ptr<ResultWriter> MakeParquetWriter(TextSink sink, TextFormatOptions options);

}  // namespace quiver::text_internal
