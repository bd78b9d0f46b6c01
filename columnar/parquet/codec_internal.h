// Page compression codecs of Parquet: UNCOMPRESSED, SNAPPY, GZIP, BROTLI,
// ZSTD, LZ4_RAW and the deprecated LZ4 (Hadoop's framing, with a fallback to
// a bare LZ4 block as some writers produced). LZO is not supported. gzip
// and zstd go through columnar/compress.h; snappy, lz4 and brotli are
// called only here. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "columnar/parquet/thrift_internal.h"
#include "config/status.h"

namespace quiver::parquet {

// "UNCOMPRESSED", "SNAPPY", ... (the specification's names).
const char* CodecName(format::CompressionCodec::type codec);

// Decodes `in` into exactly out[0, n). Invalid when the data is damaged or
// decodes to another size; NotSupported for LZO and unknown codecs.
Status DecompressPage(format::CompressionCodec::type codec, std::string_view in, uint8_t* out,
                      size_t n);

// Appends the compressed form of `in` to *out. `level` 0 is the codec's
// default. NotSupported for the codecs Quiver does not write (LZO, LZ4).
Status CompressPage(format::CompressionCodec::type codec, std::string_view in, int level,
                    std::string* out);

}  // namespace quiver::parquet
