// lpad/rpad (registered from RegisterString) and the simple case mapping
// behind lower/upper/ilike (kernels/fn_text_internal.h).
#include <algorithm>

#include "kernels/fn_text_internal.h"

namespace quiver::kernels::internal {
namespace {

// Lower-case of code point c for c < U+0800 (the two-byte UTF-8 range);
// c itself when it has no simple mapping here.
uint32_t LowerCp(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0xC0) return c;
  if (c <= 0xDE) return c == 0xD7 ? c : c + 32;
  if (c >= 0x100 && c <= 0x137) return c == 0x130 || c == 0x131 || (c & 1) ? c : c + 1;
  if (c >= 0x139 && c <= 0x148) return (c & 1) ? c + 1 : c;
  if (c >= 0x14A && c <= 0x177) return (c & 1) ? c : c + 1;
  if (c == 0x178) return 0xFF;
  if (c >= 0x179 && c <= 0x17E) return (c & 1) ? c + 1 : c;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x391 && c <= 0x3A9) return c == 0x3A2 ? c : c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  return c;
}

uint32_t UpperCp(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0xE0) return c;
  if (c <= 0xFE) return c == 0xF7 ? c : c - 32;
  if (c == 0xFF) return 0x178;
  if (c >= 0x101 && c <= 0x137) return c == 0x131 || !(c & 1) ? c : c - 1;
  if (c >= 0x13A && c <= 0x148) return (c & 1) ? c : c - 1;
  if (c >= 0x14B && c <= 0x177) return (c & 1) ? c - 1 : c;
  if (c >= 0x17A && c <= 0x17E) return (c & 1) ? c : c - 1;
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 37;
  if (c == 0x3C2) return 0x3A3;
  if (c >= 0x3B1 && c <= 0x3C9) return c - 32;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 63;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

bool IsAscii(std::string_view s) {
  unsigned char any = 0;
  for (char c : s) any |= static_cast<unsigned char>(c);
  return any < 0x80;
}

template <uint32_t (*Map)(uint32_t)>
void AppendMapped(std::string_view s, std::string* out) {
  const size_t base = out->size();
  out->resize(base + s.size());
  char* o = out->data() + base;
  if (IsAscii(s)) {
    // Branch-free, so that the compiler vectorises it.
    const bool upper = Map('a') == 'A';
    const unsigned char from = upper ? 'a' : 'A';
    for (size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      const unsigned char flip = (unsigned char)(c - from) < 26 ? 0x20 : 0;
      o[i] = char(c ^ flip);
    }
    return;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      *o++ = char(Map(b0));
      continue;
    }
    const auto b1 = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    if (b0 >= 0xC2 && b0 <= 0xDF && (b1 & 0xC0) == 0x80) {
      // Every mapping here stays within two-byte code points.
      const uint32_t c = Map((uint32_t(b0 & 0x1F) << 6) | (b1 & 0x3F));
      *o++ = char(0xC0 | (c >> 6));
      *o++ = char(0x80 | (c & 0x3F));
      ++i;
      continue;
    }
    *o++ = char(b0);
  }
}

bool IsCont(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The first n code points of s (all of s if shorter); *count gets how many.
std::string_view Prefix(std::string_view s, int64_t n, int64_t* count) {
  size_t i = 0;
  int64_t k = 0;
  while (i < s.size()) {
    if (!IsCont(s[i])) {
      if (k == n) break;
      ++k;
    }
    ++i;
  }
  *count = k;
  return s.substr(0, i);
}

// lpad/rpad (DuckDB): the result has exactly `len` code points; a longer
// string is cut to its first `len`; `pad` repeats cyclically. Appends to *v;
// false (nothing appended) when padding is needed and `pad` is empty.
bool Pad(std::string_view s, int64_t len, std::string_view pad, bool left, std::string* v) {
  if (len <= 0) return true;
  // Capped so that one row stays well within a column's 2 GiB of data.
  len = std::min<int64_t>(len, int64_t(1) << 28);
  int64_t have;
  const std::string_view kept = Prefix(s, len, &have);
  if (have == len) {
    v->append(kept);
    return true;
  }
  if (pad.empty()) return false;
  std::string fill;
  for (int64_t k = 0; k < len - have;) {
    for (size_t i = 0; i < pad.size() && k < len - have; ++k) {
      size_t j = i + 1;
      while (j < pad.size() && IsCont(pad[j])) ++j;
      fill.append(pad.substr(i, j - i));
      i = j;
    }
  }
  if (left) v->append(fill);
  v->append(kept);
  if (!left) v->append(fill);
  return true;
}

}  // namespace

void AppendLower(std::string_view s, std::string* out) { AppendMapped<LowerCp>(s, out); }
void AppendUpper(std::string_view s, std::string* out) { AppendMapped<UpperCp>(s, out); }

void RegisterStringPad(FunctionRegistry& r) {
  auto pad = [](bool left) {
    return [left](const std::vector<DataType>& t,
                  const std::vector<const Scalar*>&) -> Result<BoundFunctionPtr> {
      if (t.size() != 3 || !IsStringType(t[0]) || !IsIntType(t[1]) || !IsStringType(t[2])) {
        return BoundFunctionPtr();
      }
      return MakeFunction(DataType(TypeId::kUtf8),
                          [left](const std::vector<Datum>& args, int64_t rows) -> Result<Datum> {
                            StrOut out(rows);
                            bool short_pad = false;
                            MapStrings<std::string>(
                                args, 0, rows, out,
                                [&, len = NumIn(args[1]), p = StrIn(args[2])](
                                    int64_t i, std::string_view s, std::string* v) {
                                  if (len.IsNull(i) || p.IsNull(i)) return false;
                                  if (Pad(s, len.Int(i), p.Get(i), left, v)) return true;
                                  short_pad = true;
                                  return false;
                                });
                            if (short_pad) {
                              return Status::Invalid(std::string(left ? "lpad" : "rpad") +
                                                     ": the padding string is empty");
                            }
                            return out.Finish();
                          });
    };
  };
  r.Add({"lpad", "lpad(utf8, int, utf8)", pad(true)});
  r.Add({"rpad", "rpad(utf8, int, utf8)", pad(false)});
}

}  // namespace quiver::kernels::internal
