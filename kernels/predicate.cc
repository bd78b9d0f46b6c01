#include "kernels/predicate.h"

#include <algorithm>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>

#include "kernels/column_internal.h"
#include "kernels/dispatch_internal.h"
#include "kernels/literal_internal.h"
#include "kernels/string_search_internal.h"

namespace quiver::kernels {
namespace {

using internal::ExactLiteral;
using internal::HasNulls;
using internal::Kernels;

bool IsStringType(const DataType& t) { return IsBinaryLike(t.id); }

void ClearTail(std::vector<uint64_t>* w, int64_t n) {
  if (n % 64 != 0 && !w->empty()) w->back() &= (uint64_t(1) << (n % 64)) - 1;
}

// Turns raw comparison bits into a Mask: NULL rows become unknown.
Mask WithValidity(const ArrayView& col, std::vector<uint64_t> bits) {
  Mask m;
  m.length = col.length;
  m.is_true = std::move(bits);
  if (HasNulls(col)) {
    m.is_known = internal::ValidityWords(col);
    for (size_t i = 0; i < m.is_true.size(); ++i) m.is_true[i] &= m.is_known[i];
    m.Normalize();
  }
  return m;
}

Mask ConstMask(const ArrayView& col, bool value) {
  std::vector<uint64_t> bits(size_t(Mask::WordsFor(col.length)), value ? ~uint64_t(0) : 0);
  ClearTail(&bits, col.length);
  return WithValidity(col, std::move(bits));
}

// A comparison on the physical type after applying the literal's exact value.
template <typename T>
struct Resolved {
  bool is_const = false;
  bool value = false;
  CompareOp op = CompareOp::kEq;
  T lit{};
};

template <typename T>
Resolved<T> Constant(bool v) {
  Resolved<T> r;
  r.is_const = true;
  r.value = v;
  return r;
}

template <typename T>
Resolved<T> Resolve(CompareOp op, const ExactLiteral& e) {
  if (e.is_nan) return Constant<T>(op == CompareOp::kNe);
  Resolved<T> r;
  r.op = op;
  if constexpr (std::is_floating_point_v<T>) {
    const long double l = e.lo;
    const long double max = std::numeric_limits<T>::max();
    const T inf = std::numeric_limits<T>::infinity();
    T t = l > max ? inf : l < -max ? -inf : T(l);
    if (static_cast<long double>(t) == l) {
      r.lit = t;
      return r;
    }
    T down, up;
    if (static_cast<long double>(t) > l) {
      up = t;
      down = std::nextafter(t, -inf);
    } else {
      down = t;
      up = std::nextafter(t, inf);
    }
    switch (op) {
      case CompareOp::kEq: return Constant<T>(false);
      case CompareOp::kNe: return Constant<T>(true);
      case CompareOp::kLt:
      case CompareOp::kLe: r.op = CompareOp::kLe; r.lit = down; return r;
      case CompareOp::kGt:
      case CompareOp::kGe: r.op = CompareOp::kGe; r.lit = up; return r;
    }
    return r;
  } else {
    const long double tmin = std::numeric_limits<T>::min();
    const long double tmax = std::numeric_limits<T>::max();
    switch (op) {
      case CompareOp::kEq:
      case CompareOp::kNe:
        if (!e.exact() || e.lo < tmin || e.lo > tmax) return Constant<T>(op == CompareOp::kNe);
        r.lit = T(e.lo);
        return r;
      case CompareOp::kLt:  // col < x  <=>  col < ceil(x)
        if (e.hi > tmax) return Constant<T>(true);
        if (e.hi <= tmin) return Constant<T>(false);
        r.lit = T(e.hi);
        return r;
      case CompareOp::kLe:  // col <= floor(x)
        if (e.lo >= tmax) return Constant<T>(true);
        if (e.lo < tmin) return Constant<T>(false);
        r.lit = T(e.lo);
        return r;
      case CompareOp::kGt:  // col > floor(x)
        if (e.lo >= tmax) return Constant<T>(false);
        if (e.lo < tmin) return Constant<T>(true);
        r.lit = T(e.lo);
        return r;
      case CompareOp::kGe:  // col >= ceil(x)
        if (e.hi > tmax) return Constant<T>(false);
        if (e.hi <= tmin) return Constant<T>(true);
        r.lit = T(e.hi);
        return r;
    }
    return r;
  }
}

template <typename T>
Result<Mask> CompareFixed(const ArrayView& col, CompareOp op, const Scalar& lit) {
  QUIVER_ASSIGN_OR_RETURN(ExactLiteral e, internal::ToExact(lit, *col.type));
  if (e.is_null) return Mask::AllNull(col.length);
  Resolved<T> r = Resolve<T>(op, e);
  if (r.is_const) return ConstMask(col, r.value);
  std::vector<uint64_t> bits(size_t(Mask::WordsFor(col.length)));
  Kernels().For<T>().compare(col.data<T>(), col.length, r.op, r.lit, bits.data());
  return WithValidity(col, std::move(bits));
}

template <typename T>
Result<Mask> BetweenFixed(const ArrayView& col, const Scalar& lo, const Scalar& hi) {
  QUIVER_ASSIGN_OR_RETURN(ExactLiteral el, internal::ToExact(lo, *col.type));
  QUIVER_ASSIGN_OR_RETURN(ExactLiteral eh, internal::ToExact(hi, *col.type));
  if (!el.is_null && !eh.is_null) {
    Resolved<T> rl = Resolve<T>(CompareOp::kGe, el);
    Resolved<T> rh = Resolve<T>(CompareOp::kLe, eh);
    // Resolve keeps >= and <= as they are, so both ends fuse into one pass.
    if (!rl.is_const && !rh.is_const && rl.op == CompareOp::kGe && rh.op == CompareOp::kLe) {
      std::vector<uint64_t> bits(size_t(Mask::WordsFor(col.length)));
      Kernels().For<T>().between(col.data<T>(), col.length, rl.lit, rh.lit, bits.data());
      return WithValidity(col, std::move(bits));
    }
  }
  QUIVER_ASSIGN_OR_RETURN(Mask a, CompareFixed<T>(col, CompareOp::kGe, lo));
  QUIVER_ASSIGN_OR_RETURN(Mask b, CompareFixed<T>(col, CompareOp::kLe, hi));
  return And(a, b);
}

// Writes bit i = f(i) for i in [0, n).
template <typename F>
std::vector<uint64_t> BitsFrom(int64_t n, F f) {
  std::vector<uint64_t> bits(size_t(Mask::WordsFor(n)));
  for (int64_t base = 0; base < n; base += 64) {
    const int64_t lim = std::min<int64_t>(64, n - base);
    uint64_t word = 0;
    for (int64_t j = 0; j < lim; ++j) word |= uint64_t(f(base + j) ? 1 : 0) << j;
    bits[size_t(base >> 6)] = word;
  }
  return bits;
}

Result<Mask> CompareBool(const ArrayView& col, CompareOp op, const Scalar& lit) {
  QUIVER_ASSIGN_OR_RETURN(Scalar b, CastLiteral(lit, *col.type));
  if (b.is_null()) return Mask::AllNull(col.length);
  const int l = b.bool_value() ? 1 : 0;
  return WithValidity(col, BitsFrom(col.length, [&](int64_t i) {
    const int x = col.BoolValue(i) ? 1 : 0;
    switch (op) {
      case CompareOp::kEq: return x == l;
      case CompareOp::kNe: return x != l;
      case CompareOp::kLt: return x < l;
      case CompareOp::kLe: return x <= l;
      case CompareOp::kGt: return x > l;
      case CompareOp::kGe: return x >= l;
    }
    return false;
  }));
}

// decimal128 against a number literal, exactly: the literal lies in
// [lo, hi] at the column's scale (lo < hi when it has more digits than the
// scale, and then strictly between them).
Result<Mask> CompareDecimal(const ArrayView& col, CompareOp op, const Scalar& lit) {
  if (lit.is_null()) return Mask::AllNull(col.length);
  QUIVER_ASSIGN_OR_RETURN(DecimalBounds b, DecimalLiteral(lit, *col.type));
  const bool exact = b.exact();
  const uint8_t* base = col.values + col.offset * 16;
  return WithValidity(col, BitsFrom(col.length, [&](int64_t i) {
    const __int128 x = LoadDecimal128(base + i * 16);
    switch (op) {
      case CompareOp::kEq: return exact && x == b.lo;
      case CompareOp::kNe: return !exact || x != b.lo;
      case CompareOp::kLt: return exact ? x < b.lo : x <= b.lo;
      case CompareOp::kLe: return x <= b.lo;
      case CompareOp::kGt: return exact ? x > b.hi : x >= b.hi;
      case CompareOp::kGe: return x >= b.hi;
    }
    return false;
  }));
}

bool CompareStrings(std::string_view x, CompareOp op, std::string_view l) {
  switch (op) {
    case CompareOp::kEq: return x.size() == l.size() && std::memcmp(x.data(), l.data(), x.size()) == 0;
    case CompareOp::kNe: return !(x.size() == l.size() && std::memcmp(x.data(), l.data(), x.size()) == 0);
    case CompareOp::kLt: return x < l;
    case CompareOp::kLe: return x <= l;
    case CompareOp::kGt: return x > l;
    case CompareOp::kGe: return x >= l;
  }
  return false;
}

template <typename F>
Mask StringPredicate(const ArrayView& col, F f) {
  if (col.offsets == nullptr) {  // fixed_size_binary
    return WithValidity(col, BitsFrom(col.length, [&](int64_t i) { return f(col.StringValue(i)); }));
  }
  const int32_t* o = col.offsets + col.offset;
  const char* data = reinterpret_cast<const char*>(col.values);
  return WithValidity(col, BitsFrom(col.length, [&](int64_t i) {
    return f(std::string_view(data + o[i], size_t(o[i + 1] - o[i])));
  }));
}

// Bit i: row i is empty (o[i + 1] == o[i]), or not empty with `ne`; four
// offsets per SSE2 compare.
std::vector<uint64_t> EmptyBits(const int32_t* o, int64_t n, bool ne) {
  std::vector<uint64_t> bits(size_t(Mask::WordsFor(n)));
  int64_t base = 0;
#if defined(__SSE2__)
  for (; base + 64 <= n; base += 64) {
    uint64_t word = 0;
    for (int j = 0; j < 64; j += 4) {
      const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(o + base + j));
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(o + base + j + 1));
      word |= uint64_t(_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(a, b)))) << j;
    }
    bits[size_t(base >> 6)] = ne ? ~word : word;
  }
#endif
  for (; base < n; base += 64) {
    const int64_t lim = std::min<int64_t>(64, n - base);
    uint64_t word = 0;
    for (int64_t j = 0; j < lim; ++j) word |= uint64_t((o[base + j + 1] == o[base + j]) != ne) << j;
    bits[size_t(base >> 6)] = word;
  }
  return bits;
}

// x = l (or x <> l with `ne`): the lengths first, then the bytes.
Mask EqualsString(const ArrayView& col, std::string_view l, bool ne) {
  if (l.empty() && col.offsets != nullptr) {  // x = '' / x <> '': the offsets alone
    return WithValidity(col, EmptyBits(col.offsets + col.offset, col.length, ne));
  }
  return StringPredicate(col, [&](std::string_view x) {
    return (x.size() == l.size() && std::memcmp(x.data(), l.data(), l.size()) == 0) != ne;
  });
}

// contains(x, needle) over a plain (not dictionary) column: one search over
// the value buffer, matches mapped to rows through the offsets.
Mask ContainsPlain(const ArrayView& col, std::string_view needle) {
  if (needle.empty()) return ConstMask(col, true);
  if (col.offsets == nullptr || col.length == 0) {
    return StringPredicate(col, [&](std::string_view x) { return x.find(needle) != x.npos; });
  }
  std::vector<uint64_t> bits(size_t(Mask::WordsFor(col.length)));
  internal::ContainsRows(reinterpret_cast<const char*>(col.values), col.offsets + col.offset,
                         col.length, needle, bits.data());
  return WithValidity(col, std::move(bits));
}

// Evaluates `eval` (a predicate on string values) once over the dictionary,
// then maps each row's index through the result.
template <typename Eval>
Result<Mask> OnDictionary(const ArrayView& col, Eval eval) {
  if (col.dictionary == nullptr) {
    return Status::Invalid("dictionary-encoded column view has no dictionary");
  }
  const ArrayView& dict = *col.dictionary;
  QUIVER_ASSIGN_OR_RETURN(Mask dm, eval(dict));
  const int64_t n = col.length;
  const int64_t dn = dict.length;
  // Fast path: the predicate holds for exactly one entry (or fails for
  // exactly one) and no entry is NULL: a SIMD compare of the indices.
  if (!dm.has_nulls()) {
    const int64_t ntrue = CountTrue(dm);
    if (ntrue == 0) return ConstMask(col, false);
    if (ntrue == dn) return ConstMask(col, true);
    int64_t pick = -1;
    CompareOp op = CompareOp::kEq;
    if (ntrue == 1) {
      pick = ToSelection(dm)[0];
    } else if (ntrue == dn - 1) {
      pick = ToSelection(Not(dm))[0];
      op = CompareOp::kNe;
    }
    if (pick >= 0) {
      return internal::VisitIndex(
          col.type->dict_index,
          [&](auto tag) -> Result<Mask> {
            using I = decltype(tag);
            // pick >= 0; compared unsigned so that uint64's maximum does not turn negative.
            if (uint64_t(pick) > uint64_t(std::numeric_limits<I>::max())) return ConstMask(col, op == CompareOp::kNe);
            std::vector<uint64_t> bits(size_t(Mask::WordsFor(n)));
            Kernels().For<I>().compare(col.data<I>(), n, op, I(pick), bits.data());
            return WithValidity(col, std::move(bits));
          },
          [&]() -> Result<Mask> { return Status::TypeError("unsupported dictionary index type"); });
    }
  }
  // General path: byte tables of TRUE and of known entries.
  std::vector<uint8_t> is_true(static_cast<size_t>(dn)), is_known(static_cast<size_t>(dn));
  for (int64_t j = 0; j < dn; ++j) {
    is_true[size_t(j)] = dm.IsTrue(j);
    is_known[size_t(j)] = !dm.IsNull(j);
  }
  auto lookup = [&](const std::vector<uint8_t>& table) -> Result<std::vector<uint64_t>> {
    std::vector<uint64_t> bits(size_t(Mask::WordsFor(n)));
    const auto& k = Kernels();
    switch (col.type->dict_index) {
      case TypeId::kInt8: k.lookup8(col.data<int8_t>(), n, table.data(), dn, bits.data()); break;
      case TypeId::kInt16: k.lookup16(col.data<int16_t>(), n, table.data(), dn, bits.data()); break;
      case TypeId::kInt32: k.lookup32(col.data<int32_t>(), n, table.data(), dn, bits.data()); break;
      default:
        bits = BitsFrom(n, [&](int64_t i) {
          int64_t x = col.DictIndex(i);
          return x >= 0 && x < dn && table[size_t(x)] != 0;
        });
    }
    return bits;
  };
  QUIVER_ASSIGN_OR_RETURN(std::vector<uint64_t> t, lookup(is_true));
  Mask m = WithValidity(col, std::move(t));
  if (dm.has_nulls()) {
    QUIVER_ASSIGN_OR_RETURN(std::vector<uint64_t> k, lookup(is_known));
    if (!m.has_nulls()) {
      m.is_known = std::move(k);
    } else {
      for (size_t i = 0; i < k.size(); ++i) m.is_known[i] &= k[i];
    }
    for (size_t i = 0; i < m.is_true.size(); ++i) m.is_true[i] &= m.is_known[i];
    m.Normalize();
  }
  return m;
}

Status NotAStringColumn(const ArrayView& col, const char* what) {
  return Status::TypeError(std::string(what) + " needs a utf8 or binary column, not " +
                           col.type->ToString());
}

// Applies `on_plain` (a Mask of a plain utf8/binary view) to a column or,
// once, to the dictionary of a dictionary column.
template <typename G>
Result<Mask> StringColumnOrDictionary(const ArrayView& col, const char* what, G on_plain) {
  if (col.type->is_dictionary()) {
    if (!IsStringType(col.type->value_type())) return NotAStringColumn(col, what);
    return OnDictionary(col, [&](const ArrayView& d) -> Result<Mask> { return on_plain(d); });
  }
  if (!IsStringType(*col.type)) return NotAStringColumn(col, what);
  return on_plain(col);
}

// Applies a predicate on string values to a utf8/binary column or a
// dictionary of them.
template <typename F>
Result<Mask> StringOrDictionary(const ArrayView& col, const char* what, F f) {
  return StringColumnOrDictionary(col, what,
                                  [&](const ArrayView& v) { return StringPredicate(v, f); });
}

// Open-addressing set of fixed-width values (by bit pattern).
template <typename T>
class FlatSet {
 public:
  explicit FlatSet(size_t n) {
    size_t cap = 16;
    while (cap < n * 2) cap *= 2;
    slots_.resize(cap);
    used_.resize(cap);
    mask_ = cap - 1;
  }
  void Insert(T v) {
    size_t i = Hash(v);
    while (used_[i] && !Same(slots_[i], v)) i = (i + 1) & mask_;
    used_[i] = 1;
    slots_[i] = v;
  }
  bool Contains(T v) const {
    size_t i = Hash(v);
    while (used_[i]) {
      if (Same(slots_[i], v)) return true;
      i = (i + 1) & mask_;
    }
    return false;
  }

 private:
  static uint64_t Bits(T v) {
    uint64_t b = 0;
    std::memcpy(&b, &v, sizeof(T));
    return b;
  }
  static bool Same(T a, T b) { return Bits(a) == Bits(b); }
  size_t Hash(T v) const { return size_t((Bits(v) * 0x9E3779B97F4A7C15ull) >> 20) & mask_; }
  std::vector<T> slots_;
  std::vector<uint8_t> used_;
  size_t mask_;
};

constexpr size_t kSmallInList = 4;

template <typename T>
Result<Mask> InFixed(const ArrayView& col, const std::vector<Scalar>& values) {
  std::vector<T> keys;
  bool list_has_null = false;
  for (const Scalar& v : values) {
    QUIVER_ASSIGN_OR_RETURN(ExactLiteral e, internal::ToExact(v, *col.type));
    if (e.is_null) {
      list_has_null = true;
      continue;
    }
    Resolved<T> r = Resolve<T>(CompareOp::kEq, e);
    if (r.is_const) continue;  // cannot equal any value of the column type
    T k = r.lit;
    if constexpr (std::is_floating_point_v<T>) {
      if (k == 0) k = 0;  // -0.0 equals 0.0
    }
    keys.push_back(k);
  }
  const int64_t n = col.length;
  std::vector<uint64_t> bits(size_t(Mask::WordsFor(n)));
  if (keys.size() <= kSmallInList) {
    std::vector<uint64_t> tmp(bits.size());
    for (T k : keys) {
      Kernels().For<T>().compare(col.data<T>(), n, CompareOp::kEq, k, tmp.data());
      for (size_t i = 0; i < bits.size(); ++i) bits[i] |= tmp[i];
    }
  } else {
    FlatSet<T> set(keys.size());
    for (T k : keys) set.Insert(k);
    const T* data = col.data<T>();
    bits = BitsFrom(n, [&](int64_t i) {
      T x = data[i];
      if constexpr (std::is_floating_point_v<T>) {
        if (x == 0) x = 0;
      }
      return set.Contains(x);
    });
  }
  Mask m = WithValidity(col, std::move(bits));
  if (list_has_null) {
    // x IN (..., NULL) is TRUE on a match and NULL otherwise.
    m.is_known = m.is_true;
    m.Normalize();
  }
  return m;
}

Result<Mask> InStrings(const ArrayView& col, const std::vector<Scalar>& values) {
  bool list_has_null = false;
  std::vector<std::string> keys;
  for (const Scalar& v : values) {
    QUIVER_ASSIGN_OR_RETURN(Scalar s, CastLiteral(v, col.type->value_type()));
    if (s.is_null()) {
      list_has_null = true;
    } else {
      keys.push_back(s.string_value());
    }
  }
  std::unordered_set<std::string_view> set(keys.begin(), keys.end());
  QUIVER_ASSIGN_OR_RETURN(Mask m, StringOrDictionary(col, "IN", [&](std::string_view x) {
    return set.count(x) != 0;
  }));
  if (list_has_null) {
    m.is_known = m.is_true;
    m.Normalize();
  }
  return m;
}

// Matches s against pattern p from the given positions (no fast paths).
bool LikeFrom(std::string_view s, std::string_view p, char escape) {
  size_t si = 0, pi = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  auto char_len = [](unsigned char c) -> size_t {
    if (c < 0x80) return 1;
    if ((c >> 5) == 0x6) return 2;
    if ((c >> 4) == 0xE) return 3;
    if ((c >> 3) == 0x1E) return 4;
    return 1;
  };
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
      continue;
    }
    if (pi < p.size()) {
      if (p[pi] == '_') {
        pi += 1;
        si += std::min(char_len(static_cast<unsigned char>(s[si])), s.size() - si);
        continue;
      }
      size_t lit = pi;
      if (p[pi] == escape && pi + 1 < p.size()) lit = pi + 1;
      if (p[lit] == s[si]) {
        pi = lit + 1;
        si += 1;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    // Backtrack: let the last % swallow one more character.
    star_s += std::min(char_len(static_cast<unsigned char>(s[star_s])), s.size() - star_s);
    si = star_s;
    pi = star_p;
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

// The longest run of literal bytes in a LIKE pattern, escapes decoded (as
// LikeFrom reads them): every string the pattern matches holds it. Not the
// run the pattern starts with: the matcher rules out a row on it at once.
std::string LongestLiteral(std::string_view p, char escape) {
  std::string best, run;
  bool leading = true;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == escape && i + 1 < p.size()) {
      run.push_back(p[++i]);
    } else if (p[i] == '%' || p[i] == '_') {
      if (run.size() > best.size() && !leading) best = run;
      leading = false;
      run.clear();
    } else {
      run.push_back(p[i]);
    }
  }
  return run.size() > best.size() && !leading ? run : best;
}

}  // namespace

bool LikeMatch(std::string_view s, std::string_view pattern, char escape) {
  return LikeFrom(s, pattern, escape);
}

Result<Mask> Compare(const ArrayView& col, CompareOp op, const Scalar& lit) {
  const DataType& type = *col.type;
  if (type.id == TypeId::kNull) return Mask::AllNull(col.length);  // NULL compared: unknown
  if (type.is_dictionary()) {
    QUIVER_ASSIGN_OR_RETURN(Scalar s, CastLiteral(lit, type.value_type()));
    if (s.is_null()) return Mask::AllNull(col.length);
    return OnDictionary(col, [&](const ArrayView& d) { return Compare(d, op, s); });
  }
  if (IsStringType(type)) {
    QUIVER_ASSIGN_OR_RETURN(Scalar s, CastLiteral(lit, type));
    if (s.is_null()) return Mask::AllNull(col.length);
    const std::string& l = s.string_value();
    if (op == CompareOp::kEq || op == CompareOp::kNe) return EqualsString(col, l, op == CompareOp::kNe);
    return StringPredicate(col, [&](std::string_view x) { return CompareStrings(x, op, l); });
  }
  if (type.id == TypeId::kBool) return CompareBool(col, op, lit);
  if (type.id == TypeId::kDecimal128) return CompareDecimal(col, op, lit);
  return internal::VisitFixedWidth(
      type.id, [&](auto tag) { return CompareFixed<decltype(tag)>(col, op, lit); },
      [&]() -> Result<Mask> { return internal::LiteralMismatch(type, lit); });
}

Result<Mask> Between(const ArrayView& col, const Scalar& lo, const Scalar& hi) {
  const DataType& type = *col.type;
  if (type.id == TypeId::kNull) return Mask::AllNull(col.length);
  if (type.is_dictionary() || IsStringType(type) || type.id == TypeId::kBool ||
      type.id == TypeId::kDecimal128) {
    QUIVER_ASSIGN_OR_RETURN(Mask a, Compare(col, CompareOp::kGe, lo));
    QUIVER_ASSIGN_OR_RETURN(Mask b, Compare(col, CompareOp::kLe, hi));
    return And(a, b);
  }
  return internal::VisitFixedWidth(
      type.id, [&](auto tag) { return BetweenFixed<decltype(tag)>(col, lo, hi); },
      [&]() -> Result<Mask> { return internal::LiteralMismatch(type, lo); });
}

Result<Mask> In(const ArrayView& col, const std::vector<Scalar>& values) {
  const DataType& type = *col.type;
  if (type.id == TypeId::kNull) return Mask::AllNull(col.length);
  if (type.is_dictionary() || IsStringType(type)) return InStrings(col, values);
  if (type.id == TypeId::kBool || type.id == TypeId::kDecimal128) {
    Mask m = Mask::AllFalse(col.length);
    for (const Scalar& v : values) {
      QUIVER_ASSIGN_OR_RETURN(Mask e, Compare(col, CompareOp::kEq, v));
      QUIVER_ASSIGN_OR_RETURN(m, Or(m, e));
    }
    return m;
  }
  return internal::VisitFixedWidth(
      type.id, [&](auto tag) { return InFixed<decltype(tag)>(col, values); },
      [&]() -> Result<Mask> { return Status::TypeError("IN is not supported on " + type.ToString()); });
}

Mask IsNotNull(const ArrayView& col) {
  Mask m;
  m.length = col.length;
  if (HasNulls(col)) {
    m.is_true = internal::ValidityWords(col);
  } else {
    m = Mask::AllTrue(col.length);
  }
  if (col.type->is_dictionary() && col.dictionary != nullptr && HasNulls(*col.dictionary)) {
    const ArrayView& d = *col.dictionary;
    for (int64_t i = 0; i < col.length; ++i) {
      if (m.IsTrue(i)) {
        int64_t x = col.DictIndex(i);
        if (x < 0 || x >= d.length || d.IsNull(x)) m.is_true[size_t(i >> 6)] &= ~(uint64_t(1) << (i & 63));
      }
    }
  }
  return m;
}

Mask IsNull(const ArrayView& col) {
  Mask m = Not(IsNotNull(col));
  return m;
}

Result<Mask> StartsWith(const ArrayView& col, std::string_view prefix) {
  return StringOrDictionary(col, "starts_with", [&](std::string_view x) {
    return x.size() >= prefix.size() && std::memcmp(x.data(), prefix.data(), prefix.size()) == 0;
  });
}

Result<Mask> EndsWith(const ArrayView& col, std::string_view suffix) {
  return StringOrDictionary(col, "ends_with", [&](std::string_view x) {
    return x.size() >= suffix.size() &&
           std::memcmp(x.data() + x.size() - suffix.size(), suffix.data(), suffix.size()) == 0;
  });
}

Result<Mask> Contains(const ArrayView& col, std::string_view needle) {
  return StringColumnOrDictionary(col, "contains",
                                  [&](const ArrayView& v) { return ContainsPlain(v, needle); });
}

Result<Mask> Like(const ArrayView& col, std::string_view pattern, char escape) {
  // Patterns without '_' or escapes whose '%' are only at the ends become
  // equality, starts_with, ends_with or contains.
  bool simple = pattern.find('_') == std::string_view::npos &&
                pattern.find(escape) == std::string_view::npos;
  if (simple) {
    std::string_view core = pattern;
    bool lead = !core.empty() && core.front() == '%';
    if (lead) core.remove_prefix(1);
    bool trail = !core.empty() && core.back() == '%';
    if (trail) core.remove_suffix(1);
    if (core.find('%') == std::string_view::npos) {
      if (lead && trail) return Contains(col, core);
      if (lead) return EndsWith(col, core);
      if (trail) return StartsWith(col, core);
      return StringColumnOrDictionary(col, "LIKE",
                                      [&](const ArrayView& v) { return EqualsString(v, core, false); });
    }
  }
  // Any other pattern over a plain column: the buffer-wide search for its
  // longest literal run rules out the rows without it, and the matcher
  // runs on the others only ('%a%b%', 'x_y%', '%.com/%?%').
  // (At most its first 32 bytes, which every match holds too: the search
  // compares a candidate's bytes, and a long run of one repeated byte would
  // make every position a candidate.)
  if (const std::string need = LongestLiteral(pattern, escape).substr(0, 32);
      need.size() >= 2 && !col.type->is_dictionary() && col.offsets != nullptr) {
    QUIVER_ASSIGN_OR_RETURN(Mask m, Contains(col, need));
    const int32_t* o = col.offsets + col.offset;
    const char* data = reinterpret_cast<const char*>(col.values);
    for (size_t w = 0; w < m.is_true.size(); ++w) {
      for (uint64_t bits = m.is_true[w]; bits != 0; bits &= bits - 1) {
        const int64_t i = int64_t(w * 64) + __builtin_ctzll(bits);
        if (!LikeFrom(std::string_view(data + o[i], size_t(o[i + 1] - o[i])), pattern, escape))
          m.is_true[w] &= ~(uint64_t(1) << (i & 63));
      }
    }
    return m;
  }
  return StringOrDictionary(col, "LIKE", [&](std::string_view x) { return LikeFrom(x, pattern, escape); });
}

}  // namespace quiver::kernels
