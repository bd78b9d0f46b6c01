// gzip and zstd behind columnar/compress.h.
#include "columnar/compress.h"

#include <zlib.h>
#include <zstd.h>

#include <climits>
#include <cstring>
#include <memory>
#include <vector>

namespace quiver {
namespace {

class ZstdCompressor : public Compressor {
 public:
  explicit ZstdCompressor(const CompressOptions& o)
      : ctx_(ZSTD_createCCtx()), flush_(o.flush_each_write) {
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, o.level ? o.level : 3);
    if (o.checksum) ZSTD_CCtx_setParameter(ctx_, ZSTD_c_checksumFlag, 1);
  }
  ~ZstdCompressor() override { ZSTD_freeCCtx(ctx_); }
  ZstdCompressor(const ZstdCompressor&) = delete;
  ZstdCompressor& operator=(const ZstdCompressor&) = delete;
  Status Write(std::string_view in, std::string* out) override {
    return Run(in, flush_ ? ZSTD_e_flush : ZSTD_e_continue, out);
  }
  Status Finish(std::string* out) override { return Run({}, ZSTD_e_end, out); }

 private:
  Status Run(std::string_view in, ZSTD_EndDirective mode, std::string* out) {
    if (ctx_ == nullptr) return Status::Internal("zstd: ZSTD_createCCtx failed");
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    std::vector<char> buf(ZSTD_CStreamOutSize());
    for (;;) {
      ZSTD_outBuffer output{buf.data(), buf.size(), 0};
      size_t left = ZSTD_compressStream2(ctx_, &output, &input, mode);
      if (ZSTD_isError(left)) {
        return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(left));
      }
      out->append(buf.data(), output.pos);
      bool drained = mode == ZSTD_e_continue || left == 0;
      if (drained && input.pos == input.size) return Status::OK();
    }
  }
  ZSTD_CCtx* ctx_;
  bool flush_;
};

class GzipCompressor : public Compressor {
 public:
  explicit GzipCompressor(const CompressOptions& o) : flush_(o.flush_each_write) {
    ok_ = deflateInit2(&z_, o.level ? o.level : 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) ==
          Z_OK;
  }
  ~GzipCompressor() override {
    if (ok_) deflateEnd(&z_);
  }
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;
  Status Write(std::string_view in, std::string* out) override {
    if (in.empty()) return Status::OK();
    return Run(in, flush_ ? Z_SYNC_FLUSH : Z_NO_FLUSH, out);
  }
  Status Finish(std::string* out) override { return Run({}, Z_FINISH, out); }

 private:
  Status Run(std::string_view in, int flush, std::string* out) {
    if (!ok_) return Status::Internal("zlib: deflateInit2 failed");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = uInt(in.size());
    char buf[16384];
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(buf);
      z_.avail_out = sizeof buf;
      int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return Status::Internal("zlib: deflate failed");
      out->append(buf, sizeof buf - z_.avail_out);
      if (flush == Z_FINISH ? rc == Z_STREAM_END : (z_.avail_out != 0 && z_.avail_in == 0)) {
        return Status::OK();
      }
    }
  }
  z_stream z_{};
  bool ok_ = false;
  bool flush_;
};

class GzipDecompressor : public Decompressor {
 public:
  GzipDecompressor() { ok_ = inflateInit2(&z_, 15 + 32) == Z_OK; }
  ~GzipDecompressor() override {
    if (ok_) inflateEnd(&z_);
  }
  GzipDecompressor(const GzipDecompressor&) = delete;
  GzipDecompressor& operator=(const GzipDecompressor&) = delete;

  Result<size_t> Run(std::string_view* in, char* out, size_t n) override {
    if (!ok_) return Status::Internal("zlib: inflateInit2 failed");
    size_t produced = 0;
    while (produced == 0 && !in->empty()) {
      if (stream_end_) {
        // Another gzip member follows (concatenated .gz files).
        inflateReset(&z_);
        stream_end_ = false;
      }
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in->data()));
      z_.avail_in = uInt(std::min<size_t>(in->size(), UINT_MAX));
      z_.next_out = reinterpret_cast<Bytef*>(out);
      z_.avail_out = uInt(std::min<size_t>(n, UINT_MAX));
      uInt before_in = z_.avail_in, before_out = z_.avail_out;
      int r = inflate(&z_, Z_NO_FLUSH);
      in->remove_prefix(before_in - z_.avail_in);
      produced = before_out - z_.avail_out;
      started_ = true;
      if (r == Z_STREAM_END) {
        stream_end_ = true;
      } else if (r != Z_OK && r != Z_BUF_ERROR) {
        return Status::IOError(std::string("damaged gzip data (") +
                               (z_.msg ? z_.msg : "inflate failed") + ")");
      } else if (produced == 0 && before_in == z_.avail_in) {
        break;  // no progress possible
      }
    }
    return produced;
  }
  bool AtFrameEnd() const override { return stream_end_ || !started_; }

 private:
  z_stream z_{};
  bool ok_ = false;
  bool started_ = false;
  bool stream_end_ = false;
};

class ZstdDecompressor : public Decompressor {
 public:
  ZstdDecompressor() : ctx_(ZSTD_createDCtx()) {}
  ~ZstdDecompressor() override { ZSTD_freeDCtx(ctx_); }
  ZstdDecompressor(const ZstdDecompressor&) = delete;
  ZstdDecompressor& operator=(const ZstdDecompressor&) = delete;

  Result<size_t> Run(std::string_view* in, char* out, size_t n) override {
    if (ctx_ == nullptr) return Status::Internal("zstd: ZSTD_createDCtx failed");
    ZSTD_outBuffer ob{out, n, 0};
    while (ob.pos == 0 && !in->empty()) {
      ZSTD_inBuffer ib{in->data(), in->size(), 0};
      size_t r = ZSTD_decompressStream(ctx_, &ob, &ib);
      in->remove_prefix(ib.pos);
      if (ZSTD_isError(r)) {
        return Status::IOError(std::string("damaged zstd data (") + ZSTD_getErrorName(r) + ")");
      }
      pending_ = r;
      if (ib.pos == 0 && ob.pos == 0) break;  // no progress possible
    }
    return ob.pos;
  }
  bool AtFrameEnd() const override { return pending_ == 0; }

 private:
  ZSTD_DCtx* ctx_;
  size_t pending_ = 0;
};

}  // namespace

const char* CodecName(Codec c) {
  switch (c) {
    case Codec::kGzip:
      return "gzip";
    case Codec::kZstd:
      return "zstd";
    case Codec::kIdentity:
      break;
  }
  return "identity";
}

Codec CodecFromMagic(std::string_view h) {
  const auto* m = reinterpret_cast<const unsigned char*>(h.data());
  if (h.size() >= 2 && m[0] == 0x1f && m[1] == 0x8b) return Codec::kGzip;
  if (h.size() >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
    return Codec::kZstd;
  }
  return Codec::kIdentity;
}

Result<std::unique_ptr<Compressor>> Compressor::Make(Codec c, CompressOptions options) {
  switch (c) {
    case Codec::kZstd:
      return std::unique_ptr<Compressor>(new ZstdCompressor(options));
    case Codec::kGzip:
      return std::unique_ptr<Compressor>(new GzipCompressor(options));
    case Codec::kIdentity:
      break;
  }
  return Status::Invalid("no compressor for identity encoding");
}

Result<std::unique_ptr<Decompressor>> Decompressor::Make(Codec c) {
  switch (c) {
    case Codec::kZstd:
      return std::unique_ptr<Decompressor>(new ZstdDecompressor());
    case Codec::kGzip:
      return std::unique_ptr<Decompressor>(new GzipDecompressor());
    case Codec::kIdentity:
      break;
  }
  return Status::Invalid("no decompressor for identity encoding");
}

Result<std::string> Compress(Codec c, std::string_view in, CompressOptions options) {
  QUIVER_ASSIGN_OR_RETURN(auto z, Compressor::Make(c, options));
  std::string out;
  QUIVER_RETURN_NOT_OK(z->Write(in, &out));
  QUIVER_RETURN_NOT_OK(z->Finish(&out));
  return out;
}

Result<std::string> Decompress(Codec c, std::string_view in) {
  if (c == Codec::kIdentity) return std::string(in);
  QUIVER_ASSIGN_OR_RETURN(auto d, Decompressor::Make(c));
  std::string out;
  std::vector<char> buf(1 << 16);
  for (;;) {
    auto n = d->Run(&in, buf.data(), buf.size());
    if (!n.ok()) return Status::Invalid(n.status().message());
    if (*n == 0) break;
    out.append(buf.data(), *n);
  }
  return out;
}

Status DecompressExact(Codec c, std::string_view in, char* out, size_t n) {
  if (c == Codec::kIdentity) {
    if (in.size() != n) return Status::Invalid("stored block size differs from the expected size");
    if (n) std::memcpy(out, in.data(), n);
    return Status::OK();
  }
  if (c == Codec::kZstd) {
    // One call decodes every frame of a buffer whose decoded size is known.
    thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(),
                                                                         ZSTD_freeDCtx);
    if (!ctx) return Status::Internal("zstd: ZSTD_createDCtx failed");
    size_t r = ZSTD_decompressDCtx(ctx.get(), out, n, in.data(), in.size());
    if (ZSTD_isError(r)) {
      return Status::Invalid(std::string("damaged zstd data (") + ZSTD_getErrorName(r) + ")");
    }
    if (r != n) {
      return Status::Invalid("zstd data decodes to " + std::to_string(r) + " bytes, not " +
                             std::to_string(n));
    }
    return Status::OK();
  }
  QUIVER_ASSIGN_OR_RETURN(auto d, Decompressor::Make(c));
  size_t got = 0;
  while (got < n) {
    auto k = d->Run(&in, out + got, n - got);
    if (!k.ok()) return Status::Invalid(k.status().message());
    if (*k == 0) break;
    got += *k;
  }
  char extra;
  auto more = d->Run(&in, &extra, 1);
  if (!more.ok()) return Status::Invalid(more.status().message());
  if (got != n || *more != 0) {
    return Status::Invalid(std::string(CodecName(c)) + " data decodes to " +
                           (got != n ? std::to_string(got) : "more than " + std::to_string(n)) +
                           " bytes, not " + std::to_string(n));
  }
  if (!d->AtFrameEnd()) return Status::Invalid(std::string("truncated ") + CodecName(c) + " data");
  return Status::OK();
}

}  // namespace quiver
