// OutputStream of columnar/output_stream.h.
#include "columnar/output_stream.h"

namespace quiver {

Result<std::unique_ptr<OutputStream>> OutputStream::Make(TextSink destination, Codec codec,
                                                         CompressOptions options) {
  std::unique_ptr<OutputStream> s(new OutputStream());
  s->destination_ = std::move(destination);
  s->codec_ = codec;
  if (codec != Codec::kIdentity) {
    QUIVER_ASSIGN_OR_RETURN(s->compressor_, Compressor::Make(codec, options));
  }
  return s;
}

Status OutputStream::Emit(const std::string& bytes) {
  if (bytes.empty()) return Status::OK();
  error_ = destination_(bytes);
  if (error_.ok()) bytes_out_ += bytes.size();
  return error_;
}

Status OutputStream::Write(std::string_view bytes) {
  if (!error_.ok()) return error_;
  bytes_in_ += bytes.size();
  if (!compressor_) {
    if (bytes.empty()) return Status::OK();
    error_ = destination_(bytes);
    if (error_.ok()) bytes_out_ += bytes.size();
    return error_;
  }
  buf_.clear();
  QUIVER_RETURN_NOT_OK(compressor_->Write(bytes, &buf_));
  return Emit(buf_);
}

Status OutputStream::Write(const uint8_t* data, int64_t size) {
  return Write(std::string_view(reinterpret_cast<const char*>(data), size_t(size)));
}

Status OutputStream::Finish() {
  if (!error_.ok()) return error_;
  if (!compressor_) return Status::OK();
  buf_.clear();
  QUIVER_RETURN_NOT_OK(compressor_->Finish(&buf_));
  return Emit(buf_);
}

TextSink OutputStream::AsTextSink() {
  return [this](std::string_view b) { return Write(b); };
}

}  // namespace quiver
