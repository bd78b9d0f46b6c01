#include "kernels/sort.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <cstring>
#include <string_view>

#include "columnar/decimal.h"
#include "kernels/column_internal.h"

namespace quiver::kernels {
namespace {

enum class Kind { kSigned, kUnsigned, kFloat, kString, kRank, kBool, kDecimal };

// One key column prepared for comparisons.
struct KeyColumn {
  Kind kind;
  const ArrayView* col;
  bool descending;
  bool nulls_first;
  bool has_nulls;
  std::vector<int32_t> rank;  // kRank: dictionary entry → rank, -1 if NULL
  int width = 8;              // kSigned / kUnsigned: bytes per value

  bool IsNull(int32_t r) const {
    if (has_nulls && col->IsNull(r)) return true;
    if (kind == Kind::kRank) {
      int64_t x = col->DictIndex(r);
      return x < 0 || x >= int64_t(rank.size()) || rank[size_t(x)] < 0;
    }
    return false;
  }

  template <typename T>
  static int Three(T a, T b) { return a < b ? -1 : (b < a ? 1 : 0); }

  static int FloatThree(double a, double b) {
    bool na = std::isnan(a), nb = std::isnan(b);
    if (na || nb) return int(na) - int(nb);
    return Three(a, b);
  }

  // Ascending comparison of two non-NULL rows.
  int CompareValues(int32_t a, int32_t b) const {
    switch (kind) {
      case Kind::kSigned:
        switch (width) {
          case 1: return Three(col->Value<int8_t>(a), col->Value<int8_t>(b));
          case 2: return Three(col->Value<int16_t>(a), col->Value<int16_t>(b));
          case 4: return Three(col->Value<int32_t>(a), col->Value<int32_t>(b));
          default: return Three(col->Value<int64_t>(a), col->Value<int64_t>(b));
        }
      case Kind::kUnsigned:
        switch (width) {
          case 1: return Three(col->Value<uint8_t>(a), col->Value<uint8_t>(b));
          case 2: return Three(col->Value<uint16_t>(a), col->Value<uint16_t>(b));
          case 4: return Three(col->Value<uint32_t>(a), col->Value<uint32_t>(b));
          default: return Three(col->Value<uint64_t>(a), col->Value<uint64_t>(b));
        }
      case Kind::kFloat:
        if (col->type->id == TypeId::kFloat32) return FloatThree(col->Value<float>(a), col->Value<float>(b));
        return FloatThree(col->Value<double>(a), col->Value<double>(b));
      case Kind::kString: {
        int c = col->StringValue(a).compare(col->StringValue(b));
        return c < 0 ? -1 : c > 0 ? 1 : 0;
      }
      case Kind::kRank: return Three(rank[size_t(col->DictIndex(a))], rank[size_t(col->DictIndex(b))]);
      case Kind::kBool: return Three(int(col->BoolValue(a)), int(col->BoolValue(b)));
      case Kind::kDecimal:
        return Three(LoadDecimal128(col->values + (col->offset + a) * 16),
                     LoadDecimal128(col->values + (col->offset + b) * 16));
    }
    return 0;
  }

  // Comparison in output order.
  int Compare(int32_t a, int32_t b) const {
    bool na = IsNull(a), nb = IsNull(b);
    if (na || nb) {
      if (na && nb) return 0;
      return (na ? -1 : 1) * (nulls_first ? 1 : -1);
    }
    int c = CompareValues(a, b);
    return descending ? -c : c;
  }
};

Result<std::vector<KeyColumn>> Prepare(const std::vector<ArrayView>& columns,
                                       const std::vector<SortKey>& keys, int64_t* length) {
  if (keys.empty()) return Status::Invalid("sort needs at least one key");
  std::vector<KeyColumn> out;
  *length = -1;
  for (const SortKey& k : keys) {
    if (k.column < 0 || k.column >= int(columns.size())) {
      return Status::Invalid("sort key refers to column " + std::to_string(k.column) + " of " +
                             std::to_string(columns.size()));
    }
    const ArrayView& col = columns[size_t(k.column)];
    if (*length >= 0 && col.length != *length) {
      return Status::Invalid("sort columns have different lengths");
    }
    *length = col.length;
    KeyColumn kc{Kind::kSigned, &col, k.descending, k.nulls_first, internal::HasNulls(col), {}};
    const DataType& t = *col.type;
    if (t.is_dictionary()) {
      if (col.dictionary == nullptr) return Status::Invalid("sort: dictionary column without dictionary");
      const ArrayView& d = *col.dictionary;
      std::vector<int32_t> order(size_t(d.length));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        bool na = d.IsNull(a), nb = d.IsNull(b);
        if (na || nb) return !na && nb;
        return d.StringValue(a) < d.StringValue(b);
      });
      kc.kind = Kind::kRank;
      kc.rank.assign(size_t(d.length), -1);
      int32_t rank = 0;
      for (size_t i = 0; i < order.size(); ++i) {
        if (d.IsNull(order[i])) continue;
        // Equal strings share a rank, so the sort stays stable across them.
        if (i > 0 && !d.IsNull(order[i - 1]) && d.StringValue(order[i - 1]) == d.StringValue(order[i])) {
          kc.rank[size_t(order[i])] = rank - 1;
        } else {
          kc.rank[size_t(order[i])] = rank++;
        }
      }
    } else if (IsBinaryLike(t.id)) {
      kc.kind = Kind::kString;
    } else if (t.id == TypeId::kBool || t.id == TypeId::kNull) {  // null: never compared, all rows null
      kc.kind = Kind::kBool;
    } else if (t.id == TypeId::kDecimal128) {
      kc.kind = Kind::kDecimal;
    } else if (IsFloating(t.id)) {
      kc.kind = Kind::kFloat;
    } else if (IsInteger(t.id) && !IsSignedInteger(t.id)) {
      kc.kind = Kind::kUnsigned;
    } else if (IsSignedInteger(t.id) || t.id == TypeId::kDate32 || t.id == TypeId::kTimestamp ||
               t.id == TypeId::kDate64 || t.has_unit()) {
      kc.kind = Kind::kSigned;
    } else {
      return Status::TypeError("cannot sort a " + t.ToString() + " column");
    }
    if (kc.kind == Kind::kSigned || kc.kind == Kind::kUnsigned) kc.width = ByteWidth(t.id);
    out.push_back(std::move(kc));
  }
  return out;
}

Result<SelectionVector> InitialRows(const SelectionVector* rows, int64_t length) {
  SelectionVector out;
  if (rows != nullptr) {
    for (int32_t r : *rows) {
      if (r < 0 || r >= length) {
        return Status::Invalid("sort: row " + std::to_string(r) + " outside " + std::to_string(length) + " rows");
      }
    }
    out = *rows;
  } else {
    out.resize(size_t(length));
    std::iota(out.begin(), out.end(), 0);
  }
  return out;
}

// A row with its first key normalised: NULL rows in their own rank (before
// or after the others, as the key says), then a 64-bit key whose unsigned
// order is the key's output order, then the row's position in the input.
struct Normal {
  uint64_t key;
  uint32_t pos;
  uint8_t rank;  // 0 or 1: NULLs first or last
};

// Whether the first key normalises: numbers, dates, times, bools.
bool Normalises(const KeyColumn& k) {
  return k.kind == Kind::kSigned || k.kind == Kind::kUnsigned || k.kind == Kind::kFloat ||
         k.kind == Kind::kBool;
}

// Row r's key bits in ascending order (KeyColumn::CompareValues' order:
// -0.0 equals 0.0, every NaN equal and after every number).
uint64_t NormalBits(const KeyColumn& k, int32_t r) {
  const ArrayView& c = *k.col;
  switch (k.kind) {
    case Kind::kSigned:
      switch (k.width) {
        case 1: return uint64_t(int64_t(c.Value<int8_t>(r))) ^ (uint64_t(1) << 63);
        case 2: return uint64_t(int64_t(c.Value<int16_t>(r))) ^ (uint64_t(1) << 63);
        case 4: return uint64_t(int64_t(c.Value<int32_t>(r))) ^ (uint64_t(1) << 63);
        default: return uint64_t(c.Value<int64_t>(r)) ^ (uint64_t(1) << 63);
      }
    case Kind::kUnsigned:
      switch (k.width) {
        case 1: return c.Value<uint8_t>(r);
        case 2: return c.Value<uint16_t>(r);
        case 4: return c.Value<uint32_t>(r);
        default: return c.Value<uint64_t>(r);
      }
    case Kind::kFloat: {
      double d = c.type->id == TypeId::kFloat32 ? double(c.Value<float>(r)) : c.Value<double>(r);
      if (std::isnan(d)) return ~uint64_t(0);
      if (d == 0) d = 0.0;  // -0.0
      uint64_t b;
      std::memcpy(&b, &d, 8);
      return (b >> 63) ? ~b : b | (uint64_t(1) << 63);
    }
    case Kind::kBool: return c.BoolValue(r) ? 1 : 0;
    default: return 0;
  }
}

// Rows `in` (positions in order) with the first key normalised.
std::vector<Normal> Normalise(const KeyColumn& k, const SelectionVector& in) {
  std::vector<Normal> out(in.size());
  const uint8_t null_rank = k.nulls_first ? 0 : 1;
  for (size_t i = 0; i < in.size(); ++i) {
    const int32_t r = in[i];
    if (k.IsNull(r)) {
      out[i] = Normal{0, uint32_t(i), null_rank};
    } else {
      const uint64_t b = NormalBits(k, r);
      out[i] = Normal{k.descending ? ~b : b, uint32_t(i), uint8_t(1 - null_rank)};
    }
  }
  return out;
}

// Orders rows `out` by keys kc, the first of which normalises, keeping the
// first kk in order (all of them when kk is out.size()); ties by position.
void SortNormal(const std::vector<KeyColumn>& kc, SelectionVector* out, size_t kk) {
  std::vector<Normal> items = Normalise(kc[0], *out);
  const SelectionVector& rows = *out;
  auto before = [&](const Normal& a, const Normal& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.key != b.key) return a.key < b.key;
    for (size_t i = 1; i < kc.size(); ++i) {
      const int c = kc[i].Compare(rows[a.pos], rows[b.pos]);
      if (c != 0) return c < 0;
    }
    return a.pos < b.pos;
  };
  const auto mid = items.begin() + ptrdiff_t(kk);
  if (kk * 8 < items.size()) {
    std::partial_sort(items.begin(), mid, items.end(), before);
  } else {
    if (kk < items.size()) std::nth_element(items.begin(), mid, items.end(), before);
    std::sort(items.begin(), mid, before);
  }
  SelectionVector result(kk);
  for (size_t i = 0; i < kk; ++i) result[i] = rows[items[i].pos];
  *out = std::move(result);
}

}  // namespace

Result<SelectionVector> SortIndices(const std::vector<ArrayView>& columns,
                                    const std::vector<SortKey>& keys, const SelectionVector* rows) {
  int64_t length;
  QUIVER_ASSIGN_OR_RETURN(std::vector<KeyColumn> kc, Prepare(columns, keys, &length));
  QUIVER_ASSIGN_OR_RETURN(SelectionVector out, InitialRows(rows, length));
  if (Normalises(kc[0])) {
    SortNormal(kc, &out, out.size());
    return out;
  }
  std::stable_sort(out.begin(), out.end(), [&](int32_t a, int32_t b) {
    for (const KeyColumn& k : kc) {
      int c = k.Compare(a, b);
      if (c != 0) return c < 0;
    }
    return false;
  });
  return out;
}

Result<SelectionVector> TopK(const std::vector<ArrayView>& columns, const std::vector<SortKey>& keys,
                             int64_t k, const SelectionVector* rows) {
  if (k < 0) return Status::Invalid("top-k with negative k " + std::to_string(k));
  int64_t length;
  QUIVER_ASSIGN_OR_RETURN(std::vector<KeyColumn> kc, Prepare(columns, keys, &length));
  QUIVER_ASSIGN_OR_RETURN(SelectionVector out, InitialRows(rows, length));
  if (Normalises(kc[0])) {
    SortNormal(kc, &out, std::min(size_t(k), out.size()));
    return out;
  }
  // Position in the input breaks ties, which makes partial_sort stable.
  std::vector<std::pair<int32_t, int32_t>> items(out.size());
  for (size_t i = 0; i < out.size(); ++i) items[i] = {out[i], int32_t(i)};
  size_t kk = std::min(size_t(k), items.size());
  auto before = [&](const auto& a, const auto& b) {
    for (const KeyColumn& key : kc) {
      int c = key.Compare(a.first, b.first);
      if (c != 0) return c < 0;
    }
    return a.second < b.second;
  };
  const auto mid = items.begin() + ptrdiff_t(kk);
  if (kk * 8 < items.size()) {
    std::partial_sort(items.begin(), mid, items.end(), before);  // a heap of the few kept
  } else {
    // Most rows kept (a large OFFSET): a selection, then a sort of the kept
    // rows, not a heap as large as the input. The order is total (position
    // breaks ties), so the rows are the same.
    if (kk < items.size()) std::nth_element(items.begin(), mid, items.end(), before);
    std::sort(items.begin(), mid, before);
  }
  SelectionVector result(kk);
  for (size_t i = 0; i < kk; ++i) result[i] = items[i].first;
  return result;
}

}  // namespace quiver::kernels
