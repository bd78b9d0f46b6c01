// Response compression for quiverd: the codec for a request's
// Accept-Encoding. The compression itself is columnar/compress.h.
// Private to http/.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "columnar/compress.h"
#include "config/status.h"

namespace quiver::http {

// The codecs and (de)compressors live in columnar/compress.h; these are
// their HTTP spellings.
using Encoding = Codec;
using ::quiver::Compress;
using ::quiver::Compressor;
using ::quiver::Decompress;

// The encoding to use for a request's Accept-Encoding header: zstd if it is
// accepted, else gzip, else identity. Honours q=0 ("gzip;q=0" refuses gzip)
// and "*".
Encoding ChooseEncoding(std::string_view accept_encoding);
const char* EncodingName(Encoding e);  // "zstd", "gzip", "identity"

}  // namespace quiver::http
