// Functions registered by RegisterString (kernels/function_internal.h):
// length/char_length, octet_length/strlen (also of binary and
// fixed_size_binary), hex/to_hex (of any bytes), lower/lcase, upper/ucase,
// substring/substr, strpos/instr, concat, concat_ws, trim/ltrim/rtrim,
// replace, left, right, split_part, starts_with, ends_with/suffix, contains,
// reverse, repeat (lpad/rpad in fn_string_pad.cc). DuckDB's semantics;
// lengths and positions count code points.
#include <algorithm>
#include <bit>
#include <cstring>
#include <initializer_list>

#include "kernels/aggregate.h"
#include "kernels/dispatch_internal.h"
#include "kernels/fn_text_internal.h"
#include "kernels/predicate.h"

namespace quiver::kernels::internal {

Result<Datum> LambdaFunction::Exec(const std::vector<Datum>& args, int64_t rows) const {
  const bool all_scalar = OthersScalar(args, args.size());
  if (!all_scalar) return fn_(args, rows);
  QUIVER_ASSIGN_OR_RETURN(Datum col, fn_(args, 1));
  return Datum::Of(ValueAt(col.view, 0), result_type());
}

BoundFunctionPtr AllNull(DataType result) {
  DataType t = result;
  return MakeFunction(
      std::move(result), [t](const std::vector<Datum>&, int64_t rows) -> Result<Datum> {
        QUIVER_ASSIGN_OR_RETURN(auto data, ToArray(Datum::Of(Scalar::Null(), t), rows));
        return Datum::Own(std::move(data));
      });
}

Result<std::string> ConstantString(std::string_view fn, std::string_view what,
                                   const std::vector<const Scalar*>& constants, size_t i,
                                   bool* is_null) {
  const Scalar* c = i < constants.size() ? constants[i] : nullptr;
  if (c == nullptr) {
    return Status::Invalid(std::string(fn) + ": the " + std::string(what) + " must be a constant");
  }
  *is_null = c->is_null();
  return *is_null ? std::string() : c->string_value();
}

namespace {

using Types = std::vector<DataType>;
using Consts = std::vector<const Scalar*>;
using Args = std::vector<Datum>;
using TypePred = bool (*)(const DataType&);

DataType Int64Type() { return DataType(TypeId::kInt64); }
DataType Utf8Type() { return DataType(TypeId::kUtf8); }

bool Match(const Types& t, std::initializer_list<TypePred> preds) {
  if (t.size() != preds.size()) return false;
  size_t i = 0;
  for (TypePred p : preds) {
    if (!p(t[i++])) return false;
  }
  return true;
}

bool IsCont(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

int64_t CodePoints(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += !IsCont(c);
  return n;
}

// Byte offset of code point k (0-based) in s; s.size() when k is past the end.
size_t ByteOfCodePoint(std::string_view s, int64_t k) {
  size_t i = 0;
  while (i < s.size()) {
    if (!IsCont(s[i]) && k-- == 0) return i;
    ++i;
  }
  return s.size();
}

// Code points [start, end) of s (0-based, clamped).
std::string_view CodePointSlice(std::string_view s, int64_t start, int64_t end) {
  const size_t b = ByteOfCodePoint(s, start);
  const size_t e = b + ByteOfCodePoint(s.substr(b), end - start);
  return s.substr(b, e - b);
}

// DuckDB's substring rules on a string of `size` code points, 1-based
// `offset`: a negative offset counts from the end, offset 0 starts one
// before the first character, a negative length takes characters before the
// start. Returns false for an empty result.
bool SubstringRange(int64_t size, int64_t offset, int64_t length, int64_t* start, int64_t* end) {
  constexpr int64_t kBig = int64_t(1) << 61;
  offset = std::clamp(offset, -kBig, kBig);
  length = std::clamp(length, -kBig, kBig);
  if (length == 0) return false;
  if (offset > 0) {
    *start = std::min(size, offset - 1);
  } else if (offset < 0) {
    *start = std::max<int64_t>(size + offset, 0);
  } else {
    *start = 0;
    if (--length <= 0) return false;
  }
  if (length > 0) {
    *end = std::min(size, *start + length);
  } else {
    *end = *start;
    *start = std::max<int64_t>(0, *start + length);
  }
  return *start < *end;
}

// The 1-based code-point position of needle in hay, 0 when absent.
int64_t StrPos(std::string_view hay, std::string_view needle) {
  const size_t at = hay.find(needle);
  if (at == std::string_view::npos) return 0;
  return CodePoints(hay.substr(0, at)) + 1;
}

// The code points of `chars` (for trim's set).
std::vector<std::string_view> SplitCodePoints(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i + 1;
    while (j < s.size() && IsCont(s[j])) ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string_view Trim(std::string_view s, std::string_view chars, bool left, bool right) {
  auto in_set = [&](std::string_view cp) { return chars.find(cp) != std::string_view::npos; };
  if (left) {
    while (!s.empty()) {
      size_t n = 1;
      while (n < s.size() && IsCont(s[n])) ++n;
      if (!in_set(s.substr(0, n))) break;
      s.remove_prefix(n);
    }
  }
  if (right) {
    while (!s.empty()) {
      size_t b = s.size() - 1;
      while (b > 0 && IsCont(s[b])) --b;
      if (!in_set(s.substr(b))) break;
      s.remove_suffix(s.size() - b);
    }
  }
  return s;
}

std::string_view SplitPart(std::string_view s, std::string_view delim, int64_t index) {
  std::vector<std::string_view> parts;
  if (delim.empty()) {
    if (s.empty()) return {};
    parts = SplitCodePoints(s);
  } else {
    size_t pos = 0;
    while (true) {
      const size_t at = s.find(delim, pos);
      if (at == std::string_view::npos) {
        parts.push_back(s.substr(pos));
        break;
      }
      parts.push_back(s.substr(pos, at - pos));
      pos = at + delim.size();
    }
  }
  const int64_t n = int64_t(parts.size());
  if (index > 0 && index <= n) return parts[size_t(index - 1)];
  if (index < 0 && -index <= n) return parts[size_t(n + index)];
  return {};
}

// Result builders over MapStrings for arg 0 with a per-Exec kernel factory.
template <typename Make>
BoundFunctionPtr IntFn(Make make) {
  return MakeFunction(Int64Type(), [make](const Args& args, int64_t rows) -> Result<Datum> {
    FixedOut<int64_t> out(Int64Type(), rows);
    MapStrings<int64_t>(args, 0, rows, out, make(args));
    return out.Finish();
  });
}
template <typename Make>
BoundFunctionPtr BoolFn(Make make) {
  return MakeFunction(DataType(TypeId::kBool),
                      [make](const Args& args, int64_t rows) -> Result<Datum> {
                        BoolOut out(rows);
                        MapStrings<bool>(args, 0, rows, out, make(args));
                        return out.Finish();
                      });
}
template <typename Make>
BoundFunctionPtr StrFn(Make make) {
  return MakeFunction(Utf8Type(), [make](const Args& args, int64_t rows) -> Result<Datum> {
    StrOut out(rows);
    MapStrings<std::string>(args, 0, rows, out, make(args));
    return out.Finish();
  });
}

// True when no byte of [p, p + n) has its high bit set.
bool AllAscii(const uint8_t* p, size_t n) {
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  size_t i = 0;
  while (i + 256 <= n) {  // blocks, so that a non-ASCII byte ends the scan early
    uint64_t acc = 0;
    for (size_t j = 0; j < 256; j += 8) {
      uint64_t w;
      std::memcpy(&w, p + i + j, 8);
      acc |= w;
    }
    if ((acc & kHigh) != 0) return false;
    i += 256;
  }
  uint8_t rest = 0;
  for (; i < n; ++i) rest |= p[i];
  return (rest & 0x80) == 0;
}

// The set bits of x, inline: the portable build has no popcnt instruction,
// and __builtin_popcountll is then a library call.
inline int64_t Popcount(uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555ull;
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return int64_t((x * 0x0101010101010101ull) >> 56);
}

// Code points of each of `rows` strings at offsets o in p (o[0] first):
// one pass marks the continuation bytes of the whole buffer in 64-bit
// masks, then their running counts, then each row is its byte length less the
// continuation bytes between its two offsets (two lookups and popcounts).
void CountCodePointsPerRow(const uint8_t* p, const int32_t* o, int64_t rows,
                           FixedOut<int64_t>* out) {
  const size_t n = size_t(o[rows] - o[0]);
  const uint8_t* base = p + o[0];
  const size_t blocks = n / 64 + 1;
  std::vector<uint64_t> mask(blocks, 0);
  std::vector<int64_t> before(blocks, 0);  // continuation bytes ahead of block b
  int64_t total = 0;
  // The whole blocks in vector lanes (KernelTable::utf8_continuation_masks),
  // the last, partial one here.
  internal::Kernels().utf8_continuation_masks(base, n / 64, mask.data());
  for (size_t k = 0; (n / 64) * 64 + k < n; ++k)
    mask[n / 64] |= uint64_t((base[(n / 64) * 64 + k] & 0xC0) == 0x80) << k;
  for (size_t b = 0; b < blocks; ++b) {
    before[b] = total;
    total += Popcount(mask[b]);
  }
  auto cont_before = [&](size_t x) {  // continuation bytes in base[0, x)
    const uint64_t low = (x & 63) == 0 ? 0 : mask[x >> 6] & ((uint64_t(1) << (x & 63)) - 1);
    return before[x >> 6] + Popcount(low);
  };
  int64_t prev = cont_before(0);
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t next = cont_before(size_t(o[i + 1] - o[0]));
    out->Set(i, int64_t(o[i + 1] - o[i]) - (next - prev));
    prev = next;
  }
}

// length(s) (code points) or octet_length(s) (bytes) per row. A plain
// utf8/binary column is read from its offsets: the byte length, or, for code
// points when the column's bytes are not all ASCII, the bytes less the
// continuation bytes (CountCodePointsPerRow). Anything else (a dictionary, a scalar, fixed_size_binary) runs
// per value.
BoundFunctionPtr LengthFn(bool code_points) {
  return MakeFunction(Int64Type(), [code_points](const Args& args, int64_t rows) -> Result<Datum> {
    FixedOut<int64_t> out(Int64Type(), rows);
    const Datum& a = args[0];
    if (a.is_scalar || IsNullType(a.type) || a.type.is_dictionary() || a.view.offsets == nullptr) {
      MapStrings<int64_t>(args, 0, rows, out, [code_points](int64_t, std::string_view s, int64_t* v) {
        *v = code_points ? CodePoints(s) : int64_t(s.size());
        return true;
      });
      return out.Finish();
    }
    const ArrayView& v = a.view;
    const int32_t* o = v.offsets + v.offset;
    const bool bytes = !code_points || rows == 0 || AllAscii(v.values + o[0], size_t(o[rows] - o[0]));
    if (bytes) {
      for (int64_t i = 0; i < rows; ++i) out.Set(i, int64_t(o[i + 1] - o[i]));
    } else {
      CountCodePointsPerRow(v.values, o, rows, &out);
    }
    if (v.validity != nullptr) {
      for (int64_t i = 0; i < rows; ++i) {
        if (v.IsNull(i)) out.SetNull(i);
      }
    }
    return out.Finish();
  });
}

// A second string argument (needle, prefix, ...) read per row.
template <typename F>
auto WithStr2(F f) {
  return [f](const Args& args) {
    return [f, b = StrIn(args[1])](int64_t i, std::string_view s, auto* v) {
      if (b.IsNull(i)) return false;
      *v = f(s, b.Get(i));
      return true;
    };
  };
}

void RegisterBasics(FunctionRegistry& r) {
  r.Add({"length", "length(utf8)", [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (!Match(t, {IsStringType})) return BoundFunctionPtr();
           return LengthFn(true);
         }});
  r.Alias("char_length", "length");
  r.Alias("character_length", "length");
  r.Add({"octet_length", "octet_length(utf8|binary|fixed_size_binary)",
         [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (!Match(t, {IsBytesType})) return BoundFunctionPtr();
           return LengthFn(false);
         }});
  r.Alias("strlen", "octet_length");
  // hex: every byte as two upper-case hex digits (DuckDB's hex of a string
  // or blob).
  r.Add({"hex", "hex(utf8|binary|fixed_size_binary)",
         [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (!Match(t, {IsBytesType})) return BoundFunctionPtr();
           return StrFn([](const Args&) {
             return [](int64_t, std::string_view s, std::string* v) {
               static constexpr char kDigits[] = "0123456789ABCDEF";
               for (unsigned char c : s) {
                 v->push_back(kDigits[c >> 4]);
                 v->push_back(kDigits[c & 15]);
               }
               return true;
             };
           });
         }});
  r.Alias("to_hex", "hex");
  auto case_fn = [](bool upper) {
    return [upper](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
      if (!Match(t, {IsStringType})) return BoundFunctionPtr();
      return StrFn([upper](const Args&) {
        return [upper](int64_t, std::string_view s, std::string* v) {
          upper ? AppendUpper(s, v) : AppendLower(s, v);
          return true;
        };
      });
    };
  };
  r.Add({"lower", "lower(utf8)", case_fn(false)});
  r.Alias("lcase", "lower");
  r.Add({"upper", "upper(utf8)", case_fn(true)});
  r.Alias("ucase", "upper");
  r.Add({"reverse", "reverse(utf8)", [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (!Match(t, {IsStringType})) return BoundFunctionPtr();
           return StrFn([](const Args&) {
             return [](int64_t, std::string_view s, std::string* v) {
               auto cps = SplitCodePoints(s);
               for (auto it = cps.rbegin(); it != cps.rend(); ++it) v->append(*it);
               return true;
             };
           });
         }});
}

void RegisterSubstring(FunctionRegistry& r) {
  r.Add({"substring", "substring(utf8, int), substring(utf8, int, int)",
         [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           const bool has_len = t.size() == 3;
           if (!Match(t, {IsStringType, IsIntType}) &&
               !Match(t, {IsStringType, IsIntType, IsIntType})) {
             return BoundFunctionPtr();
           }
           return StrFn([has_len](const Args& args) {
             return [has_len, start = NumIn(args[1]),
                     len = has_len ? NumIn(args[2]) : NumIn(args[1])](int64_t i, std::string_view s,
                                                                      std::string* v) {
               if (start.IsNull(i) || (has_len && len.IsNull(i))) return false;
               const int64_t size = CodePoints(s);
               int64_t b, e;
               if (!SubstringRange(size, start.Int(i), has_len ? len.Int(i) : INT64_MAX, &b, &e)) {
                 return true;
               }
               v->append(size == int64_t(s.size()) ? s.substr(size_t(b), size_t(e - b))
                                                   : CodePointSlice(s, b, e));
               return true;
             };
           });
         }});
  r.Alias("substr", "substring");
  auto side = [](bool left) {
    return [left](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
      if (!Match(t, {IsStringType, IsIntType})) return BoundFunctionPtr();
      return StrFn([left](const Args& args) {
        return [left, n = NumIn(args[1])](int64_t i, std::string_view s, std::string* v) {
          if (n.IsNull(i)) return false;
          const int64_t size = CodePoints(s);
          int64_t k = std::clamp<int64_t>(n.Int(i), -size, size);
          // A negative count drops that many characters from the other end.
          if (k < 0) k = size + k;
          v->append(left ? CodePointSlice(s, 0, k) : CodePointSlice(s, size - k, size));
          return true;
        };
      });
    };
  };
  r.Add({"left", "left(utf8, int)", side(true)});
  r.Add({"right", "right(utf8, int)", side(false)});
  r.Add({"split_part", "split_part(utf8, utf8, int)",
         [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (!Match(t, {IsStringType, IsStringType, IsIntType})) return BoundFunctionPtr();
           return StrFn([](const Args& args) {
             return [d = StrIn(args[1]), n = NumIn(args[2])](int64_t i, std::string_view s,
                                                             std::string* v) {
               if (d.IsNull(i) || n.IsNull(i)) return false;
               v->append(SplitPart(s, d.Get(i), n.Int(i)));
               return true;
             };
           });
         }});
  r.Add({"repeat", "repeat(utf8, int)",
         [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (!Match(t, {IsStringType, IsIntType})) return BoundFunctionPtr();
           return StrFn([](const Args& args) {
             return [n = NumIn(args[1])](int64_t i, std::string_view s, std::string* v) {
               if (n.IsNull(i)) return false;
               // Capped so that one row stays within a column's 2 GiB of data.
               const int64_t times =
                   s.empty() ? 0
                             : std::min<int64_t>(n.Int(i), (int64_t(1) << 30) / int64_t(s.size()));
               for (int64_t k = 0; k < times; ++k) v->append(s);
               return true;
             };
           });
         }});
}

// contains(s, needle): a column against a constant needle runs the
// predicate kernel (one search over the column's bytes, or once per entry of
// a dictionary); anything else runs per row.
BoundFunctionPtr ContainsFn() {
  return MakeFunction(DataType(TypeId::kBool), [](const Args& args, int64_t rows) -> Result<Datum> {
    BoolOut out(rows);
    const Datum& a = args[0];
    const Datum& b = args[1];
    if (!a.is_scalar && (a.type.id == TypeId::kUtf8 || a.type.is_dictionary()) && b.is_scalar &&
        !b.scalar.is_null()) {
      QUIVER_ASSIGN_OR_RETURN(Mask m, kernels::Contains(a.view, b.scalar.string_value()));
      for (int64_t i = 0; i < rows; ++i) {
        if (m.IsNull(i)) {
          out.SetNull(i);
        } else {
          out.Set(i, m.IsTrue(i));
        }
      }
      return out.Finish();
    }
    auto contains = [](std::string_view s, std::string_view p) { return s.find(p) != s.npos; };
    MapStrings<bool>(args, 0, rows, out, WithStr2(contains)(args));
    return out.Finish();
  });
}

void RegisterSearch(FunctionRegistry& r) {
  auto int2 = [](auto f) {
    return [f](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
      if (!Match(t, {IsStringType, IsStringType})) return BoundFunctionPtr();
      return IntFn(WithStr2(f));
    };
  };
  auto bool2 = [](auto f) {
    return [f](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
      if (!Match(t, {IsStringType, IsStringType})) return BoundFunctionPtr();
      return BoolFn(WithStr2(f));
    };
  };
  r.Add({"strpos", "strpos(utf8, utf8)", int2(StrPos)});
  r.Alias("instr", "strpos");
  r.Add({"starts_with", "starts_with(utf8, utf8)",
         bool2([](std::string_view s, std::string_view p) { return s.starts_with(p); })});
  r.Alias("prefix", "starts_with");
  r.Add({"ends_with", "ends_with(utf8, utf8)",
         bool2([](std::string_view s, std::string_view p) { return s.ends_with(p); })});
  r.Alias("suffix", "ends_with");
  r.Add({"contains", "contains(utf8, utf8)",
         [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (!Match(t, {IsStringType, IsStringType})) return BoundFunctionPtr();
           return ContainsFn();
         }});
  r.Add({"replace", "replace(utf8, utf8, utf8)",
         [](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
           if (!Match(t, {IsStringType, IsStringType, IsStringType})) return BoundFunctionPtr();
           return StrFn([](const Args& args) {
             return [from = StrIn(args[1]), to = StrIn(args[2])](int64_t i, std::string_view s,
                                                                 std::string* v) {
               if (from.IsNull(i) || to.IsNull(i)) return false;
               const std::string_view f = from.Get(i);
               if (f.empty()) {
                 v->append(s);
                 return true;
               }
               size_t pos = 0;
               for (size_t at; (at = s.find(f, pos)) != std::string_view::npos;
                    pos = at + f.size()) {
                 v->append(s.substr(pos, at - pos));
                 v->append(to.Get(i));
               }
               v->append(s.substr(pos));
               return true;
             };
           });
         }});
}

void RegisterTrim(FunctionRegistry& r) {
  auto trim = [](bool left, bool right) {
    return [left, right](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
      const bool has_chars = t.size() == 2;
      if (!Match(t, {IsStringType}) && !Match(t, {IsStringType, IsStringType})) {
        return BoundFunctionPtr();
      }
      return StrFn([=](const Args& args) {
        return [=, chars = has_chars ? StrIn(args[1]) : StrIn(args[0])](
                   int64_t i, std::string_view s, std::string* v) {
          if (has_chars && chars.IsNull(i)) return false;
          v->append(Trim(s, has_chars ? chars.Get(i) : std::string_view(" "), left, right));
          return true;
        };
      });
    };
  };
  r.Add({"trim", "trim(utf8), trim(utf8, utf8)", trim(true, true)});
  r.Add({"ltrim", "ltrim(utf8), ltrim(utf8, utf8)", trim(true, false)});
  r.Add({"rtrim", "rtrim(utf8), rtrim(utf8, utf8)", trim(false, true)});
}

// concat(a, ...): NULL arguments are skipped; concat_ws(sep, a, ...): NULL
// when sep is NULL, NULL arguments skipped (no separator for them).
void RegisterConcat(FunctionRegistry& r) {
  auto concat = [](bool ws) {
    return [ws](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
      if (t.size() < (ws ? 2u : 1u)) return BoundFunctionPtr();
      for (const DataType& type : t) {
        if (!IsStringType(type)) return BoundFunctionPtr();
      }
      return MakeFunction(Utf8Type(), [ws](const Args& args, int64_t rows) -> Result<Datum> {
        std::vector<StrIn> in;
        in.reserve(args.size());
        for (const Datum& a : args) in.emplace_back(a);
        StrOut out(rows);
        std::string v;
        for (int64_t i = 0; i < rows; ++i) {
          if (ws && in[0].IsNull(i)) {
            out.SetNull(i);
            continue;
          }
          v.clear();
          bool first = true;
          for (size_t k = ws ? 1 : 0; k < in.size(); ++k) {
            if (in[k].IsNull(i)) continue;
            if (ws && !first) v.append(in[0].Get(i));
            v.append(in[k].Get(i));
            first = false;
          }
          out.Set(i, v);
        }
        return out.Finish();
      });
    };
  };
  r.Add({"concat", "concat(utf8, ...)", concat(false)});
  r.Add({"concat_ws", "concat_ws(utf8, utf8, ...)", concat(true)});
}

}  // namespace

void RegisterString(FunctionRegistry& r) {
  RegisterBasics(r);
  RegisterSubstring(r);
  RegisterSearch(r);
  RegisterTrim(r);
  RegisterConcat(r);
  RegisterStringPad(r);
}

}  // namespace quiver::kernels::internal
