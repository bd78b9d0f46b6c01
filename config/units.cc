#include "config/units.h"

#include <cctype>
#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace quiver {

Result<uint64_t> ParseSize(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return Status::Invalid("size \"" + text + "\" does not start with a number");
  double value = 0;
  try {
    value = std::stod(text.substr(0, i));
  } catch (...) {
    return Status::Invalid("size \"" + text + "\" is not a number");
  }
  std::string unit = text.substr(i);
  for (auto& c : unit) c = char(std::tolower(static_cast<unsigned char>(c)));
  uint64_t mult = 1;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib")
    mult = 1ull << 10;
  else if (unit == "m" || unit == "mb" || unit == "mib")
    mult = 1ull << 20;
  else if (unit == "g" || unit == "gb" || unit == "gib")
    mult = 1ull << 30;
  else if (unit == "t" || unit == "tb" || unit == "tib")
    mult = 1ull << 40;
  else
    return Status::Invalid("size \"" + text + "\" has an unknown unit \"" + unit +
                           "\" (use K, M, G or T)");
  double bytes = value * double(mult);
  if (!(bytes < 1.8e19)) return Status::Invalid("size \"" + text + "\" is too large");
  return uint64_t(std::llround(bytes));
}

std::string FormatBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%" PRIu64 " B", bytes);
  else
    std::snprintf(buf, sizeof buf, "%.2f %s", v, units[u]);
  return buf;
}

}  // namespace quiver
