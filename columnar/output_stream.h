// OutputStream: the one output byte stream of Quiver's result writers. Bytes
// go to a destination function (a file descriptor, a socket, a string),
// optionally through a compression filter (columnar/compress.h). It is an
// OutputSink for the Arrow IPC writers (columnar/ipc.h) and gives a TextSink
// for the ResultWriters (columnar/text_format.h). Used by the quiver CLI
// (query output, export); quiverd's streamed responses can use it too.
//
// Not thread-safe: one writer at a time. The destination function is owned
// (copied) by the stream.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "columnar/compress.h"
#include "columnar/ipc.h"
#include "columnar/text_format.h"
#include "config/status.h"

namespace quiver {

class OutputStream : public OutputSink {
 public:
  // Bytes go to `destination` as they are written (compressed first when
  // `codec` is not kIdentity). An error from it stops the stream: every
  // later Write returns that error.
  static Result<std::unique_ptr<OutputStream>> Make(TextSink destination,
                                                    Codec codec = Codec::kIdentity,
                                                    CompressOptions options = {});

  Status Write(std::string_view bytes);
  Status Write(const uint8_t* data, int64_t size) override;
  // Ends the compression frame, if any. Call once, after the last Write.
  Status Finish();
  // A TextSink that writes into this stream (which must outlive it).
  TextSink AsTextSink();

  Codec codec() const { return codec_; }
  uint64_t bytes_in() const { return bytes_in_; }    // as written by the caller
  uint64_t bytes_out() const { return bytes_out_; }  // as handed to the destination

 private:
  OutputStream() = default;
  Status Emit(const std::string& bytes);

  TextSink destination_;
  Codec codec_ = Codec::kIdentity;
  std::unique_ptr<Compressor> compressor_;
  std::string buf_;
  Status error_;
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
};

}  // namespace quiver
