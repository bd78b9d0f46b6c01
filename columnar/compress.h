// gzip (zlib) and zstd (libzstd): streaming compression and decompression,
// the one place in Quiver that calls those libraries. quiverd compresses
// responses with it, `quiver export --zstd` its output, and the ingest path
// (store/ingest.h) decompresses files and request bodies.
//
// Compressor and Decompressor objects are not thread-safe; use one per
// stream. The free functions are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "config/status.h"

namespace quiver {

enum class Codec { kIdentity, kGzip, kZstd };

// "gzip", "zstd" or "identity".
const char* CodecName(Codec c);

// The codec whose magic bytes start `head` (gzip 1f 8b, zstd 28 b5 2f fd);
// kIdentity for anything else (also for fewer than 4 bytes of zstd).
Codec CodecFromMagic(std::string_view head);

struct CompressOptions {
  int level = 0;  // 0: the codec's default (zstd 3, gzip 6)
  // Flush after every Write, so that a reader can decode what it has
  // received so far (streamed HTTP responses). Off: better ratio (files).
  bool flush_each_write = true;
  // zstd only: a content checksum at the end of the frame.
  bool checksum = false;
};

// A streaming compressor: Write() appends the compressed bytes available so
// far to *out; Finish() ends the frame (gzip member).
class Compressor {
 public:
  // InvalidArgument for kIdentity.
  static Result<std::unique_ptr<Compressor>> Make(Codec c, CompressOptions options = {});
  virtual ~Compressor() = default;
  virtual Status Write(std::string_view in, std::string* out) = 0;
  virtual Status Finish(std::string* out) = 0;
};

// A streaming decompressor over one input that may hold several frames
// (concatenated .gz members or zstd frames).
class Decompressor {
 public:
  // InvalidArgument for kIdentity.
  static Result<std::unique_ptr<Decompressor>> Make(Codec c);
  virtual ~Decompressor() = default;
  // Decodes from *in (advancing it past what was consumed) into out[0, n);
  // returns the number of bytes written, which is 0 only when *in is used
  // up. Errors: IOError "damaged gzip data (...)" /
  // "damaged zstd data (...)".
  virtual Result<size_t> Run(std::string_view* in, char* out, size_t n) = 0;
  // True when the input consumed so far ends at the end of a frame (false
  // for a truncated stream).
  virtual bool AtFrameEnd() const = 0;
};

// One-shot helpers over whole buffers.
Result<std::string> Compress(Codec c, std::string_view in, CompressOptions options = {});
// kIdentity returns `in`. InvalidArgument for damaged data.
Result<std::string> Decompress(Codec c, std::string_view in);
// Decodes all of `in` (one or more frames / members) into exactly out[0, n),
// for blocks whose decoded size is known (Parquet pages). InvalidArgument
// when the data is damaged or decodes to another size.
Status DecompressExact(Codec c, std::string_view in, char* out, size_t n);

}  // namespace quiver
