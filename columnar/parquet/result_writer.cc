// The "parquet" result format (columnar/text_format.h) over ParquetWriter.
#include "columnar/parquet/writer.h"
#include "columnar/text_format_internal.h"

namespace quiver::text_internal {
namespace {

class ParquetResultWriter : public WriterBase {
 public:
  ParquetResultWriter(TextSink sink, TextFormatOptions options)
      : WriterBase(std::move(sink), options) {}

  Status Begin(const Schema& schema) override {
    QUIVER_RETURN_NOT_OK(CheckBegin(schema));
    parquet::WriteOptions o;
    QUIVER_ASSIGN_OR_RETURN(o.compression, parquet::ParseCompression(options_.compression));
    auto sink = [this](std::string_view bytes) {
      buf_.append(bytes);
      return MaybeFlush();
    };
    QUIVER_ASSIGN_OR_RETURN(writer_, parquet::ParquetWriter::Open(
                                         std::make_shared<const Schema>(schema), o, sink));
    return MaybeFlush();
  }

  Status Write(const RecordBatch& batch) override {
    QUIVER_RETURN_NOT_OK(CheckBatch(batch));
    QUIVER_RETURN_NOT_OK(writer_->WriteBatch(batch));
    rows_ += batch.num_rows;
    return MaybeFlush();
  }

  Status End(const ResultTrailer&) override {
    QUIVER_RETURN_NOT_OK(CheckEnd());
    QUIVER_RETURN_NOT_OK(writer_->Close());
    return Flush();
  }

  Status Fail(const Status&) override {
    QUIVER_RETURN_NOT_OK(CheckFail());
    state_ = State::kDone;
    return Flush();
  }

 private:
  std::unique_ptr<parquet::ParquetWriter> writer_;
};

}  // namespace

std::unique_ptr<ResultWriter> MakeParquetWriter(TextSink sink, TextFormatOptions options) {
  return std::make_unique<ParquetResultWriter>(std::move(sink), options);
}

}  // namespace quiver::text_internal
