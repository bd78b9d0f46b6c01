#include "columnar/stats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "columnar/builder.h"
#include "columnar/decimal.h"

namespace quiver {

ColumnStats::Kind StatsKindFor(const DataType& type) {
  // Decimals keep DecimalSortKey bytes (big-endian, sign flipped), which
  // memcmp orders as the numbers.
  if (type.is_dictionary() || IsBinaryLike(type.id) || type.is_decimal()) return ColumnStats::Kind::kBytes;
  if (IsFloating(type.id)) return ColumnStats::Kind::kDouble;
  if (IsInteger(type.id) && !IsSignedInteger(type.id)) return ColumnStats::Kind::kUInt;
  return ColumnStats::Kind::kInt;
}

namespace {

template <typename T>
bool NonDecreasing(const ArrayView& v) {
  const T* p = v.data<T>();
  // Blocks without an early exit inside (they vectorise), and a stop after
  // the first block that is out of order (most unsorted columns: the first).
  for (int64_t start = 1; start < v.length; start += 1024) {
    const int64_t end = std::min<int64_t>(v.length, start + 1024);
    bool ok = true;
    for (int64_t i = start; i < end; ++i) ok &= !(p[i] < p[i - 1]);
    if (!ok) return false;
  }
  return true;
}

// Min and max of the valid values into *lo/*hi (when *any, merged with
// them). Locals carry the running bounds, and a column without a validity
// bitmap takes a loop the compiler vectorises.
template <typename T, typename U>
void MinMax(const ArrayView& v, bool* any, U* lo, U* hi) {
  const T* p = v.data<T>();
  T mn = std::numeric_limits<T>::max(), mx = std::numeric_limits<T>::lowest();
  bool seen = false;
  if (v.validity == nullptr) {
    for (int64_t i = 0; i < v.length; ++i) {
      mn = std::min(mn, p[i]);
      mx = std::max(mx, p[i]);
    }
    seen = v.length > 0;
  } else {
    for (int64_t i = 0; i < v.length; ++i) {
      if (!v.IsValid(i)) continue;
      mn = std::min(mn, p[i]);
      mx = std::max(mx, p[i]);
      seen = true;
    }
  }
  if (!seen) return;
  if (!*any) {
    *lo = U(mn);
    *hi = U(mx);
    *any = true;
  } else {
    *lo = std::min(*lo, U(mn));
    *hi = std::max(*hi, U(mx));
  }
}

// Min and max of the non-NaN valid values; NaN only sets has_nan. A
// comparison with NaN is false, so NaN never becomes a bound.
template <typename T>
void MinMaxFloat(const ArrayView& v, ColumnStats* s) {
  const T* p = v.data<T>();
  double mn = std::numeric_limits<double>::infinity(), mx = -mn;
  bool nan = false, seen = false;
  for (int64_t i = 0; i < v.length; ++i) {
    if (v.validity != nullptr && !v.IsValid(i)) continue;
    const double x = double(p[i]);
    nan |= x != x;
    if (x < mn) mn = x;
    if (x > mx) mx = x;
    seen |= x == x;
  }
  s->has_nan = s->has_nan || nan;
  if (!seen) return;
  // An infinite bound is a real value here (seen), and mn <= mx.
  s->min_double = mn;
  s->max_double = mx;
  s->has_min = s->has_max = true;
}

// used[k] = 1 for every dictionary entry k a valid row of `v` refers to.
template <typename I>
void MarkUsed(const ArrayView& v, int64_t entries, std::vector<uint8_t>* used) {
  const I* p = v.data<I>();
  uint8_t* u = used->data();
  for (int64_t i = 0; i < v.length; ++i) {
    if (v.validity != nullptr && !v.IsValid(i)) continue;
    // Unsigned compare: a negative index (or one past int64) is out of range.
    if (uint64_t(int64_t(p[i])) < uint64_t(entries)) u[size_t(p[i])] = 1;
  }
}

void MarkUsedEntries(const ArrayView& v, int64_t entries, std::vector<uint8_t>* used) {
  switch (v.type->dict_index) {
    case TypeId::kInt8: return MarkUsed<int8_t>(v, entries, used);
    case TypeId::kInt16: return MarkUsed<int16_t>(v, entries, used);
    case TypeId::kInt32: return MarkUsed<int32_t>(v, entries, used);
    case TypeId::kInt64: return MarkUsed<int64_t>(v, entries, used);
    case TypeId::kUInt8: return MarkUsed<uint8_t>(v, entries, used);
    case TypeId::kUInt16: return MarkUsed<uint16_t>(v, entries, used);
    case TypeId::kUInt32: return MarkUsed<uint32_t>(v, entries, used);
    case TypeId::kUInt64: return MarkUsed<uint64_t>(v, entries, used);
    default: return;
  }
}

int CompareBytes(std::string_view a, std::string_view b) { return a.compare(b); }

void TruncateStrings(ColumnStats* s) {
  if (s->has_min && int64_t(s->min_bytes.size()) > kStatsPrefixBytes) {
    s->min_bytes.resize(size_t(kStatsPrefixBytes));
    s->min_exact = false;
  }
  if (s->has_max && int64_t(s->max_bytes.size()) > kStatsPrefixBytes) {
    std::string m = s->max_bytes.substr(0, size_t(kStatsPrefixBytes));
    while (!m.empty() && static_cast<unsigned char>(m.back()) == 0xFF) m.pop_back();
    if (m.empty()) {
      s->has_max = false;  // no finite upper bound of bounded length
      s->max_bytes.clear();
    } else {
      m.back() = char(static_cast<unsigned char>(m.back()) + 1);
      s->max_bytes = std::move(m);
    }
    s->max_exact = false;
  }
}

}  // namespace

ColumnStats ComputeColumnStats(const ArrayData& column) {
  ColumnStats s;
  s.kind = StatsKindFor(column.type);
  s.row_count = column.length;
  ArrayView v = column.View();
  const int64_t nulls = v.validity != nullptr ? ComputeNullCount(column) : 0;
  s.null_count = nulls;
  if (nulls == 0) v.validity = nullptr;  // every row valid: the loops below skip the bitmap
  bool any = false;
  switch (column.type.is_dictionary() ? TypeId::kUtf8 : column.type.id) {
    case TypeId::kBool:
      for (int64_t i = 0; i < v.length; ++i) {
        if (!v.IsValid(i)) continue;
        int64_t x = v.BoolValue(i);
        if (!any) {
          s.min_int = s.max_int = x;
          any = true;
        } else {
          s.min_int = std::min(s.min_int, x);
          s.max_int = std::max(s.max_int, x);
        }
      }
      break;
    case TypeId::kInt8:
      MinMax<int8_t>(v, &any, &s.min_int, &s.max_int);
      s.sorted = nulls == 0 && NonDecreasing<int8_t>(v);
      break;
    case TypeId::kInt16:
      MinMax<int16_t>(v, &any, &s.min_int, &s.max_int);
      s.sorted = nulls == 0 && NonDecreasing<int16_t>(v);
      break;
    case TypeId::kInt32: case TypeId::kDate32:
      MinMax<int32_t>(v, &any, &s.min_int, &s.max_int);
      s.sorted = nulls == 0 && NonDecreasing<int32_t>(v);
      break;
    case TypeId::kInt64: case TypeId::kTimestamp:
      MinMax<int64_t>(v, &any, &s.min_int, &s.max_int);
      s.sorted = nulls == 0 && NonDecreasing<int64_t>(v);
      break;
    case TypeId::kUInt8: MinMax<uint8_t>(v, &any, &s.min_uint, &s.max_uint); break;
    case TypeId::kUInt16: MinMax<uint16_t>(v, &any, &s.min_uint, &s.max_uint); break;
    case TypeId::kUInt32: MinMax<uint32_t>(v, &any, &s.min_uint, &s.max_uint); break;
    case TypeId::kUInt64: MinMax<uint64_t>(v, &any, &s.min_uint, &s.max_uint); break;
    case TypeId::kFloat32: MinMaxFloat<float>(v, &s); any = s.has_min; break;
    case TypeId::kFloat64: MinMaxFloat<double>(v, &s); any = s.has_min; break;
    case TypeId::kUtf8:
    case TypeId::kBinary:
    case TypeId::kFixedSizeBinary: {
      std::string_view lo, hi;
      auto add = [&](std::string_view x) {
        if (!any) {
          lo = hi = x;
          any = true;
        } else {
          if (CompareBytes(x, lo) < 0) lo = x;
          if (CompareBytes(x, hi) > 0) hi = x;
        }
      };
      if (column.type.is_dictionary()) {
        // The entries the rows use, then their strings once each: a chunk of
        // 64K rows over a dictionary of a few hundred entries compares a few
        // hundred strings, not 64K.
        ArrayView dv;
        if (column.dictionary) dv = column.dictionary->View();
        std::vector<uint8_t> used(size_t(dv.length), 0);
        MarkUsedEntries(v, dv.length, &used);
        for (int64_t k = 0; k < dv.length; ++k) {
          if (used[size_t(k)] && dv.IsValid(k)) add(dv.StringValue(k));
        }
      } else {
        for (int64_t i = 0; i < v.length; ++i) {
          if (v.IsValid(i)) add(v.StringValue(i));
        }
      }
      s.min_bytes = std::string(lo);
      s.max_bytes = std::string(hi);
      break;
    }
    case TypeId::kTime32:
      MinMax<int32_t>(v, &any, &s.min_int, &s.max_int);
      break;
    case TypeId::kDate64:
    case TypeId::kTime64:
    case TypeId::kDuration:
      MinMax<int64_t>(v, &any, &s.min_int, &s.max_int);
      break;
    case TypeId::kDecimal128:
    case TypeId::kDecimal256: {
      // The rows of the least and greatest values by memcmp of their sort
      // keys, built in a buffer per row; the keys kept are built once.
      const int w = ByteWidth(column.type.id);
      const uint8_t* base = v.values + v.offset * w;
      uint8_t key[32], lo_key[32], hi_key[32];
      for (int64_t i = 0; i < v.length; ++i) {
        if (!v.IsValid(i)) continue;
        DecimalSortKeyInto(base + i * w, w, key);
        if (!any || std::memcmp(key, lo_key, size_t(w)) < 0) std::memcpy(lo_key, key, size_t(w));
        if (!any || std::memcmp(key, hi_key, size_t(w)) > 0) std::memcpy(hi_key, key, size_t(w));
        any = true;
      }
      if (any) {
        s.min_bytes.assign(reinterpret_cast<const char*>(lo_key), size_t(w));
        s.max_bytes.assign(reinterpret_cast<const char*>(hi_key), size_t(w));
      }
      break;
    }
    default: break;
  }
  if (s.kind != ColumnStats::Kind::kDouble) s.has_min = s.has_max = any;
  if (s.kind == ColumnStats::Kind::kBytes) TruncateStrings(&s);
  return s;
}

std::vector<ColumnStats> ComputeBatchStats(const RecordBatch& batch) {
  std::vector<ColumnStats> out;
  for (const auto& c : batch.columns) out.push_back(ComputeColumnStats(*c));
  return out;
}

// Format v1: "QST1", kind u8, flags u8 (has_min, has_max, min_exact,
// max_exact, has_nan, sorted), row_count i64, null_count i64, then min and max:
// 8 bytes each for numbers, or u32 length + bytes for strings.
std::string ColumnStats::Serialize() const {
  std::string out = "QST1";
  auto put = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
  out += char(kind);
  out += char((has_min ? 1 : 0) | (has_max ? 2 : 0) | (min_exact ? 4 : 0) | (max_exact ? 8 : 0) |
              (has_nan ? 16 : 0) | (sorted ? 32 : 0));
  put(&row_count, 8);
  put(&null_count, 8);
  switch (kind) {
    case Kind::kInt: put(&min_int, 8); put(&max_int, 8); break;
    case Kind::kUInt: put(&min_uint, 8); put(&max_uint, 8); break;
    case Kind::kDouble: put(&min_double, 8); put(&max_double, 8); break;
    case Kind::kBytes:
      for (const std::string* s : {&min_bytes, &max_bytes}) {
        uint32_t n = uint32_t(s->size());
        put(&n, 4);
        out += *s;
      }
      break;
  }
  return out;
}

Result<ColumnStats> ColumnStats::Deserialize(std::string_view in) {
  size_t pos = 0;
  auto take = [&](void* p, size_t n) {
    if (in.size() - pos < n) return false;
    std::memcpy(p, in.data() + pos, n);
    pos += n;
    return true;
  };
  auto bad = [&](const std::string& what) {
    return Status::Corruption("column statistics: " + what + " at offset " + std::to_string(pos));
  };
  if (in.size() < 6 || in.substr(0, 4) != "QST1") return bad("missing QST1 header");
  pos = 4;
  ColumnStats s;
  uint8_t kind = uint8_t(in[pos++]);
  uint8_t flags = uint8_t(in[pos++]);
  if (kind < 1 || kind > 4) return bad("unknown kind " + std::to_string(kind));
  s.kind = Kind(kind);
  s.has_min = flags & 1;
  s.has_max = flags & 2;
  s.min_exact = flags & 4;
  s.max_exact = flags & 8;
  s.has_nan = flags & 16;
  s.sorted = flags & 32;
  if (!take(&s.row_count, 8) || !take(&s.null_count, 8)) return bad("truncated counts");
  if (s.row_count < 0 || s.null_count < 0 || s.null_count > s.row_count) return bad("inconsistent counts");
  bool ok = true;
  switch (s.kind) {
    case Kind::kInt: ok = take(&s.min_int, 8) && take(&s.max_int, 8); break;
    case Kind::kUInt: ok = take(&s.min_uint, 8) && take(&s.max_uint, 8); break;
    case Kind::kDouble: ok = take(&s.min_double, 8) && take(&s.max_double, 8); break;
    case Kind::kBytes:
      for (std::string* str : {&s.min_bytes, &s.max_bytes}) {
        uint32_t n = 0;
        if (!take(&n, 4) || in.size() - pos < n) {
          ok = false;
          break;
        }
        str->assign(in.data() + pos, n);
        pos += n;
      }
      break;
  }
  if (!ok) return bad("truncated min/max");
  if (pos != in.size()) return bad("trailing bytes");
  return s;
}

bool ColumnStats::operator==(const ColumnStats& o) const {
  return kind == o.kind && row_count == o.row_count && null_count == o.null_count && has_min == o.has_min &&
         has_max == o.has_max && min_exact == o.min_exact && max_exact == o.max_exact && has_nan == o.has_nan &&
         sorted == o.sorted && min_int == o.min_int && max_int == o.max_int && min_uint == o.min_uint && max_uint == o.max_uint &&
         (min_double == o.min_double || (std::isnan(min_double) && std::isnan(o.min_double))) &&
         (max_double == o.max_double || (std::isnan(max_double) && std::isnan(o.max_double))) &&
         min_bytes == o.min_bytes && max_bytes == o.max_bytes;
}

}  // namespace quiver
