// zstd and gzip for responses.
#include <zlib.h>
#include <zstd.h>

#include <cctype>
#include <cstdlib>
#include <vector>

#include "http/compress_internal.h"

namespace quiver::http {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

class ZstdCompressor : public Compressor {
 public:
  explicit ZstdCompressor(int level) : ctx_(ZSTD_createCCtx()) {
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, level);
  }
  ~ZstdCompressor() override { ZSTD_freeCCtx(ctx_); }
  Status Write(std::string_view in, std::string* out) override {
    return Run(in, ZSTD_e_flush, out);
  }
  Status Finish(std::string* out) override { return Run({}, ZSTD_e_end, out); }

 private:
  Status Run(std::string_view in, ZSTD_EndDirective mode, std::string* out) {
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    std::vector<char> buf(ZSTD_CStreamOutSize());
    for (;;) {
      ZSTD_outBuffer output{buf.data(), buf.size(), 0};
      size_t left = ZSTD_compressStream2(ctx_, &output, &input, mode);
      if (ZSTD_isError(left)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(left));
      out->append(buf.data(), output.pos);
      if (left == 0 && input.pos == input.size) return Status::OK();
    }
  }
  ZSTD_CCtx* ctx_;
};

class GzipCompressor : public Compressor {
 public:
  explicit GzipCompressor(int level) {
    ok_ = deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipCompressor() override {
    if (ok_) deflateEnd(&z_);
  }
  Status Write(std::string_view in, std::string* out) override {
    if (in.empty()) return Status::OK();
    return Run(in, Z_SYNC_FLUSH, out);
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
};

}  // namespace

Encoding ChooseEncoding(std::string_view header) {
  bool zstd = false, gzip = false, star = false;
  bool zstd_refused = false, gzip_refused = false;
  std::string h = Lower(header);
  std::string_view rest = h;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    std::string_view name = item;
    bool refused = false;
    auto semi = item.find(';');
    if (semi != std::string_view::npos) {
      name = Trim(item.substr(0, semi));
      std::string_view param = Trim(item.substr(semi + 1));
      if (param.rfind("q=", 0) == 0) {
        refused = std::strtod(std::string(param.substr(2)).c_str(), nullptr) <= 0.0;
      }
    }
    if (name == "zstd") (refused ? zstd_refused : zstd) = true;
    if (name == "gzip" || name == "x-gzip") (refused ? gzip_refused : gzip) = true;
    if (name == "*" && !refused) star = true;
  }
  if ((zstd || star) && !zstd_refused) return Encoding::kZstd;
  if ((gzip || star) && !gzip_refused) return Encoding::kGzip;
  return Encoding::kIdentity;
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kGzip: return "gzip";
    case Encoding::kZstd: return "zstd";
    case Encoding::kIdentity: break;
  }
  return "identity";
}

Result<std::unique_ptr<Compressor>> Compressor::Make(Encoding e, int level) {
  switch (e) {
    case Encoding::kZstd: return std::unique_ptr<Compressor>(new ZstdCompressor(level ? level : 3));
    case Encoding::kGzip: return std::unique_ptr<Compressor>(new GzipCompressor(level ? level : 6));
    case Encoding::kIdentity: break;
  }
  return Status::Invalid("no compressor for identity encoding");
}

Result<std::string> Compress(Encoding e, std::string_view in) {
  QUIVER_ASSIGN_OR_RETURN(auto c, Compressor::Make(e));
  std::string out;
  QUIVER_RETURN_NOT_OK(c->Write(in, &out));
  QUIVER_RETURN_NOT_OK(c->Finish(&out));
  return out;
}

Result<std::string> Decompress(Encoding e, std::string_view in) {
  std::string out;
  if (e == Encoding::kZstd) {
    ZSTD_DCtx* d = ZSTD_createDCtx();
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    std::vector<char> buf(ZSTD_DStreamOutSize());
    size_t rc = 0;
    while (input.pos < input.size) {
      ZSTD_outBuffer output{buf.data(), buf.size(), 0};
      rc = ZSTD_decompressStream(d, &output, &input);
      if (ZSTD_isError(rc)) {
        ZSTD_freeDCtx(d);
        return Status::Invalid(std::string("zstd: ") + ZSTD_getErrorName(rc));
      }
      out.append(buf.data(), output.pos);
    }
    ZSTD_freeDCtx(d);
    return out;
  }
  if (e == Encoding::kGzip) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 32) != Z_OK) return Status::Internal("zlib: inflateInit2 failed");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = uInt(in.size());
    char buf[16384];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = inflate(&z, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END) {
        inflateEnd(&z);
        return Status::Invalid("gzip: corrupt data");
      }
      out.append(buf, sizeof buf - z.avail_out);
      if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) break;
    }
    inflateEnd(&z);
    return out;
  }
  return std::string(in);
}

}  // namespace quiver::http
