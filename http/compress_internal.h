// Response compression for quiverd: zstd (libzstd) and gzip (zlib), whole
// bodies or streamed chunk by chunk. Private to http/.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "config/status.h"

namespace quiver::http {

enum class Encoding { kIdentity, kGzip, kZstd };

// The encoding to use for a request's Accept-Encoding header: zstd if it is
// accepted, else gzip, else identity. Honours q=0 ("gzip;q=0" refuses gzip)
// and "*".
Encoding ChooseEncoding(std::string_view accept_encoding);
const char* EncodingName(Encoding e);  // "zstd", "gzip", "identity"

// A streaming compressor: every Write() returns the compressed bytes
// available so far (flushed, so that the client can decode what it has
// received); Finish() ends the frame.
class Compressor {
 public:
  static Result<std::unique_ptr<Compressor>> Make(Encoding e, int level = 0);
  virtual ~Compressor() = default;
  virtual Status Write(std::string_view in, std::string* out) = 0;
  virtual Status Finish(std::string* out) = 0;
};

// One-shot helpers (also used by tests to decode).
Result<std::string> Compress(Encoding e, std::string_view in);
Result<std::string> Decompress(Encoding e, std::string_view in);

}  // namespace quiver::http
