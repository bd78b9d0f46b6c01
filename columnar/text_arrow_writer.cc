// The arrow and arrow-file writers, through columnar/ipc.h.
#include "columnar/ipc.h"
#include "columnar/text_format_internal.h"

namespace quiver::text_internal {

namespace {

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

std::unique_ptr<ResultWriter> MakeArrowWriter(TextSink sink, TextFormatOptions options, bool file) {
  return std::make_unique<ArrowWriter>(std::move(sink), options, file);
}

}  // namespace quiver::text_internal
