// Parquet page codecs (codec_internal.h).
#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <snappy.h>

#include <climits>
#include <cstring>

#include "columnar/compress.h"
#include "columnar/parquet/codec_internal.h"

namespace quiver::parquet {
namespace {

using CC = format::CompressionCodec;

uint32_t LoadBigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(u[0]) << 24 | uint32_t(u[1]) << 16 | uint32_t(u[2]) << 8 | uint32_t(u[3]);
}

Status Lz4Block(std::string_view in, uint8_t* out, size_t n) {
  if (in.size() > size_t(INT_MAX) || n > size_t(INT_MAX)) {
    return Status::Invalid("lz4 block larger than 2 GiB");
  }
  int r = LZ4_decompress_safe(in.data(), reinterpret_cast<char*>(out), int(in.size()), int(n));
  if (r < 0) return Status::Invalid("damaged lz4 data");
  if (size_t(r) != n) {
    return Status::Invalid("lz4 data decodes to " + std::to_string(r) + " bytes, not " +
                           std::to_string(n));
  }
  return Status::OK();
}

// Hadoop's framing: blocks of [decoded size, encoded size] (big-endian
// 32-bit) followed by an LZ4 block.
Status Lz4Hadoop(std::string_view in, uint8_t* out, size_t n) {
  size_t done = 0;
  while (!in.empty()) {
    if (in.size() < 8) return Status::Invalid("truncated Hadoop lz4 frame header");
    uint32_t decoded = LoadBigEndian32(in.data());
    uint32_t encoded = LoadBigEndian32(in.data() + 4);
    in.remove_prefix(8);
    if (encoded > in.size() || decoded > n - done) {
      return Status::Invalid("Hadoop lz4 frame sizes exceed the page");
    }
    QUIVER_RETURN_NOT_OK(Lz4Block(in.substr(0, encoded), out + done, decoded));
    done += decoded;
    in.remove_prefix(encoded);
  }
  if (done != n) return Status::Invalid("Hadoop lz4 frames decode to fewer bytes than the page");
  return Status::OK();
}

}  // namespace

const char* CodecName(CC::type codec) {
  switch (codec) {
    case CC::UNCOMPRESSED:
      return "UNCOMPRESSED";
    case CC::SNAPPY:
      return "SNAPPY";
    case CC::GZIP:
      return "GZIP";
    case CC::LZO:
      return "LZO";
    case CC::BROTLI:
      return "BROTLI";
    case CC::LZ4:
      return "LZ4";
    case CC::ZSTD:
      return "ZSTD";
    case CC::LZ4_RAW:
      return "LZ4_RAW";
  }
  return "unknown codec";
}

Status DecompressPage(CC::type codec, std::string_view in, uint8_t* out, size_t n) {
  char* o = reinterpret_cast<char*>(out);
  switch (codec) {
    case CC::UNCOMPRESSED:
      return DecompressExact(Codec::kIdentity, in, o, n);
    case CC::GZIP:
      return DecompressExact(Codec::kGzip, in, o, n);
    case CC::ZSTD:
      return DecompressExact(Codec::kZstd, in, o, n);
    case CC::SNAPPY: {
      size_t len = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &len)) {
        return Status::Invalid("damaged snappy data (no length header)");
      }
      if (len != n) {
        return Status::Invalid("snappy data decodes to " + std::to_string(len) + " bytes, not " +
                               std::to_string(n));
      }
      if (!snappy::RawUncompress(in.data(), in.size(), o)) {
        return Status::Invalid("damaged snappy data");
      }
      return Status::OK();
    }
    case CC::LZ4_RAW:
      return Lz4Block(in, out, n);
    case CC::LZ4: {
      Status s = Lz4Hadoop(in, out, n);
      return s.ok() ? s : Lz4Block(in, out, n).ok() ? Status::OK() : s;
    }
    case CC::BROTLI: {
      size_t got = n;
      auto r = BrotliDecoderDecompress(in.size(), reinterpret_cast<const uint8_t*>(in.data()),
                                       &got, out);
      if (r != BROTLI_DECODER_RESULT_SUCCESS) return Status::Invalid("damaged brotli data");
      if (got != n) {
        return Status::Invalid("brotli data decodes to " + std::to_string(got) + " bytes, not " +
                               std::to_string(n));
      }
      return Status::OK();
    }
    case CC::LZO:
      break;
  }
  return Status::NotSupported(std::string("pages compressed with ") + CodecName(codec) +
                              " are not supported");
}

Status CompressPage(CC::type codec, std::string_view in, int level, std::string* out) {
  switch (codec) {
    case CC::UNCOMPRESSED:
      out->append(in);
      return Status::OK();
    case CC::GZIP:
    case CC::ZSTD: {
      CompressOptions o;
      o.level = level;
      o.flush_each_write = false;
      QUIVER_ASSIGN_OR_RETURN(std::string z,
                              Compress(codec == CC::GZIP ? Codec::kGzip : Codec::kZstd, in, o));
      out->append(z);
      return Status::OK();
    }
    case CC::SNAPPY: {
      size_t start = out->size();
      out->resize(start + snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out->data() + start, &n);
      out->resize(start + n);
      return Status::OK();
    }
    case CC::LZ4_RAW: {
      if (in.size() > size_t(LZ4_MAX_INPUT_SIZE)) return Status::Invalid("page too large for lz4");
      size_t start = out->size();
      int bound = LZ4_compressBound(int(in.size()));
      out->resize(start + size_t(bound));
      int n = LZ4_compress_default(in.data(), out->data() + start, int(in.size()), bound);
      if (n <= 0) return Status::Internal("lz4 compression failed");
      out->resize(start + size_t(n));
      return Status::OK();
    }
    case CC::BROTLI: {
      size_t start = out->size();
      size_t n = BrotliEncoderMaxCompressedSize(in.size());
      if (n == 0) n = in.size() + 1024;
      out->resize(start + n);
      if (!BrotliEncoderCompress(level ? level : 5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
                                 in.size(), reinterpret_cast<const uint8_t*>(in.data()), &n,
                                 reinterpret_cast<uint8_t*>(out->data() + start))) {
        return Status::Internal("brotli compression failed");
      }
      out->resize(start + n);
      return Status::OK();
    }
    case CC::LZO:
    case CC::LZ4:
      break;
  }
  return Status::NotSupported(std::string("Quiver does not write ") + CodecName(codec) + " pages");
}

}  // namespace quiver::parquet
