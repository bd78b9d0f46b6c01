// The codec for a response (Accept-Encoding).

#include <cctype>
#include <cstdlib>

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

const char* EncodingName(Encoding e) { return CodecName(e); }

}  // namespace quiver::http
