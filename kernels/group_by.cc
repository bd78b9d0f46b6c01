#include "kernels/group_by.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "columnar/decimal.h"
#include "kernels/column_internal.h"

namespace quiver::kernels {
namespace {

using internal::HasNulls;

bool IsIntKey(const DataType& t) {
  return !t.is_dictionary() &&
         (IsInteger(t.id) || t.id == TypeId::kDate32 || t.id == TypeId::kTimestamp);
}

bool IsStr(TypeId id) { return id == TypeId::kUtf8 || id == TypeId::kBinary; }

// Key encoding: a tag byte (0 NULL, 1 value), then 8 bytes for numbers
// (int64 bit pattern, or the double with -0 and NaN canonical), 16 for a
// decimal128 (the scaled integer), or a 4-byte
// length and the bytes for strings.
void EncodeScalar(const Scalar& v, std::string* out) {
  if (v.is_null()) {
    out->push_back('\0');
    return;
  }
  out->push_back('\1');
  switch (v.kind()) {
    case Scalar::Kind::kString: {
      uint32_t len = uint32_t(v.string_value().size());
      out->append(reinterpret_cast<const char*>(&len), 4);
      out->append(v.string_value());
      return;
    }
    case Scalar::Kind::kDecimal: {
      __int128 x = v.decimal_value();
      out->append(reinterpret_cast<const char*>(&x), 16);
      return;
    }
    case Scalar::Kind::kDouble: {
      double d = v.double_value();
      if (d == 0) d = 0;
      if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
      out->append(reinterpret_cast<const char*>(&d), 8);
      return;
    }
    default: {
      int64_t i = v.int64_value();
      out->append(reinterpret_cast<const char*>(&i), 8);
      return;
    }
  }
}

Scalar FromNumber(const DataType& t, long double v) {
  if (t.id == TypeId::kDate32) return Scalar::Date32(int32_t(v));
  if (t.id == TypeId::kTimestamp) return Scalar::Timestamp(int64_t(v), t.unit);
  if (t.id == TypeId::kBool) return Scalar::Bool(v != 0);
  if (IsFloating(t.id)) return Scalar::Double(double(v));
  if (IsSignedInteger(t.id) || t.id == TypeId::kDate64 || t.has_unit()) return Scalar::Int64(int64_t(v));
  return Scalar::UInt64(uint64_t(v));
}

// Decodes one key starting at *pos.
Scalar DecodeScalar(const DataType& t, const std::string& s, size_t* pos) {
  if (s[(*pos)++] == '\0') return Scalar::Null();
  DataType vt = t.value_type();
  if (IsStr(vt.id)) {
    uint32_t len;
    std::memcpy(&len, s.data() + *pos, 4);
    Scalar r = Scalar::String(s.substr(*pos + 4, len));
    *pos += 4 + len;
    return r;
  }
  if (vt.id == TypeId::kDecimal128) {
    __int128 x;
    std::memcpy(&x, s.data() + *pos, 16);
    *pos += 16;
    return Scalar::Decimal(x, vt.precision, vt.scale);
  }
  int64_t i;
  std::memcpy(&i, s.data() + *pos, 8);
  *pos += 8;
  if (IsFloating(vt.id)) {
    double d;
    std::memcpy(&d, &i, 8);
    return Scalar::Double(d);
  }
  if (vt.id == TypeId::kDate32) return Scalar::Date32(int32_t(i));
  if (vt.id == TypeId::kTimestamp) return Scalar::Timestamp(i, vt.unit);
  if (vt.id == TypeId::kBool) return Scalar::Bool(i != 0);
  if (IsSignedInteger(vt.id) || vt.id == TypeId::kDate64 || vt.has_unit()) return Scalar::Int64(i);
  return Scalar::UInt64(uint64_t(i));
}

std::string EncodeInt(int64_t v) {
  std::string s(9, '\1');
  std::memcpy(s.data() + 1, &v, 8);
  return s;
}

inline size_t HashInt(int64_t v, size_t mask) {
  uint64_t h = uint64_t(v) * 0x9E3779B97F4A7C15ull;
  return size_t(h ^ (h >> 29)) & mask;
}

// Row k of a batch: rows[k], or base + k when every row is taken.
inline int64_t RowAt(const int32_t* rows, int64_t base, int64_t k) { return rows ? rows[k] : base + k; }

// Rows per batch inside Consume: the group ids of a batch stay in cache.
constexpr int64_t kBatchRows = 4096;

// The rows of a batch (rows[k] or base + k) that `mask` keeps, with their
// group ids.
void SelectRows(const Mask& mask, const int32_t* rows, int64_t base, int64_t n, const int32_t* gids,
                std::vector<int32_t>* out_rows, std::vector<int32_t>* out_gids) {
  out_rows->clear();
  out_gids->clear();
  for (int64_t k = 0; k < n; ++k) {
    const int64_t r = RowAt(rows, base, k);
    if (mask.IsTrue(r)) {
      out_rows->push_back(int32_t(r));
      out_gids->push_back(gids[k]);
    }
  }
}

}  // namespace

Result<GroupByState> GroupByState::Make(std::vector<DataType> key_types,
                                        std::vector<DataType> value_types,
                                        std::vector<AggregateSpec> aggregates) {
  if (key_types.empty()) return Status::Invalid("group-by needs at least one key column");
  GroupByState s;
  for (const AggregateSpec& spec : aggregates) {
    Agg a;
    a.kind = spec.kind;
    a.value = spec.value;
    a.filtered = spec.filtered;
    if (spec.grouped != GroupedAggKind::kNone) {
      if (spec.value < 0 || spec.value >= int(value_types.size())) {
        return Status::Invalid(std::string("group-by aggregate ") +
                               GroupedAggKindName(spec.grouped) + " refers to value column " +
                               std::to_string(spec.value));
      }
      a.type = value_types[size_t(spec.value)];
      QUIVER_ASSIGN_OR_RETURN(a.grouped, GroupedAgg::Make(spec.grouped, a.type, spec.param));
    } else if (spec.kind != AggKind::kCountStar) {
      if (spec.value < 0 || spec.value >= int(value_types.size())) {
        return Status::Invalid(std::string("group-by aggregate ") + AggKindName(spec.kind) +
                               " refers to value column " + std::to_string(spec.value) + " of " +
                               std::to_string(value_types.size()));
      }
      a.type = value_types[size_t(spec.value)];
      QUIVER_RETURN_NOT_OK(AggResultType(spec.kind, a.type));
    }
    s.aggs_.push_back(std::move(a));
  }
  if (key_types.size() == 1 && IsIntKey(key_types[0])) {
    s.mode_ = Mode::kSingleInt;
    s.int_slots_.assign(64, 0);
    s.int_gids_.assign(64, -1);
  } else if (key_types.size() == 1 && key_types[0].is_dictionary()) {
    s.mode_ = Mode::kSingleDict;
  }
  s.key_types_ = std::move(key_types);
  s.value_types_ = std::move(value_types);
  return s;
}

int32_t GroupByState::AddGroup(std::string encoded) {
  int32_t g = int32_t(group_keys_.size());
  group_keys_.push_back(std::move(encoded));
  group_rows_.push_back(0);
  return g;
}

int32_t GroupByState::FindOrAddInt(int64_t v) {
  size_t mask = int_slots_.size() - 1;
  size_t i = HashInt(v, mask);
  while (int_gids_[i] >= 0) {
    if (int_slots_[i] == v) return int_gids_[i];
    i = (i + 1) & mask;
  }
  int32_t g = AddGroup(EncodeInt(v));
  int_slots_[i] = v;
  int_gids_[i] = g;
  // Keep the load under one half.
  if (size_t(g + 1) * 2 > int_slots_.size()) {
    std::vector<int64_t> old_slots = std::move(int_slots_);
    std::vector<int32_t> old_gids = std::move(int_gids_);
    int_slots_.assign(old_slots.size() * 2, 0);
    int_gids_.assign(old_slots.size() * 2, -1);
    size_t m = int_slots_.size() - 1;
    for (size_t j = 0; j < old_slots.size(); ++j) {
      if (old_gids[j] < 0) continue;
      size_t k = HashInt(old_slots[j], m);
      while (int_gids_[k] >= 0) k = (k + 1) & m;
      int_slots_[k] = old_slots[j];
      int_gids_[k] = old_gids[j];
    }
  }
  return g;
}

int32_t GroupByState::FindOrAddNullInt() {
  if (null_gid_ < 0) null_gid_ = AddGroup(std::string(1, '\0'));
  return null_gid_;
}

int32_t GroupByState::FindOrAddEncoded(const std::string& encoded) {
  if (mode_ == Mode::kSingleInt) {
    if (encoded[0] == '\0') return FindOrAddNullInt();
    int64_t v;
    std::memcpy(&v, encoded.data() + 1, 8);
    return FindOrAddInt(v);
  }
  auto it = generic_.find(encoded);
  if (it != generic_.end()) return it->second;
  int32_t g = AddGroup(encoded);
  generic_.emplace(encoded, g);
  return g;
}

Status GroupByState::GroupIds(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base,
                              int64_t n, std::vector<int32_t>* gids) {
  gids->resize(size_t(n));
  int32_t* out = gids->data();
  if (mode_ == Mode::kSingleInt) {
    const ArrayView& col = keys[0];
    const bool nulls = HasNulls(col);
    internal::VisitFixedWidth(
        col.type->id,
        [&](auto tag) {
          using T = decltype(tag);
          const T* data = col.data<T>();
          for (int64_t k = 0; k < n; ++k) {
            int64_t r = RowAt(rows, base, k);
            if (nulls && col.IsNull(r)) {
              out[k] = FindOrAddNullInt();
            } else {
              int64_t v;
              if constexpr (std::is_floating_point_v<T>) {
                v = 0;  // not reached: float keys use the generic mode
              } else {
                v = int64_t(data[r]);
              }
              out[k] = FindOrAddInt(v);
            }
          }
          return 0;
        },
        [] { return 0; });
    return Status::OK();
  }
  if (mode_ == Mode::kSingleDict) {
    const ArrayView& col = keys[0];
    if (col.dictionary == nullptr) return Status::Invalid("group-by: dictionary key without dictionary");
    const ArrayView& dict = *col.dictionary;
    // Each dictionary entry is looked up once per Consume, when a row first
    // uses it; rows then index this table (reset by Consume).
    std::vector<int32_t>& entry_gid = dict_gids_;
    if (int64_t(entry_gid.size()) != dict.length) entry_gid.assign(size_t(dict.length), -1);
    int32_t& null_gid = dict_null_gid_;
    auto resolve = [&](int64_t e) {
      std::string enc;
      EncodeScalar(ValueAt(dict, e), &enc);
      return entry_gid[size_t(e)] = FindOrAddEncoded(enc);
    };
    const bool nulls = HasNulls(col);
    const int64_t dn = dict.length;
    int32_t* table = entry_gid.data();
    return internal::VisitIndex(
        col.type->dict_index,
        [&](auto tag) -> Status {
          using I = decltype(tag);
          const I* idx = col.data<I>();
          for (int64_t k = 0; k < n; ++k) {
            int64_t r = RowAt(rows, base, k);
            int64_t x = int64_t(idx[r]);
            if ((nulls && col.IsNull(r)) || x < 0 || x >= dn) {
              if (null_gid < 0) null_gid = FindOrAddEncoded(std::string(1, '\0'));
              out[k] = null_gid;
            } else {
              int32_t g = table[x];
              out[k] = g >= 0 ? g : resolve(x);
            }
          }
          return Status::OK();
        },
        [&]() -> Status { return Status::TypeError("group-by: bad dictionary index type"); });
  }
  std::string enc;
  for (int64_t k = 0; k < n; ++k) {
    int64_t r = RowAt(rows, base, k);
    enc.clear();
    for (const ArrayView& key : keys) EncodeScalar(ValueAt(key, r), &enc);
    out[k] = FindOrAddEncoded(enc);
  }
  return Status::OK();
}

void GroupByState::Resize(size_t groups) {
  for (Agg& a : aggs_) {
    if (a.count.size() >= groups) continue;
    a.count.resize(groups);
    if (a.grouped) a.grouped->Resize(groups);
    switch (a.kind) {
      case AggKind::kSum:
      case AggKind::kAvg:
        if (IsFloating(a.type.id)) a.float_sum.resize(groups);
        else a.int_sum.resize(groups);
        break;
      case AggKind::kMin:
      case AggKind::kMax:
        a.has.resize(groups);
        a.nan.resize(groups);
        if (IsStr(a.type.value_type().id) || a.type.id == TypeId::kDecimal128) {
          a.str_min.resize(groups);
          a.str_max.resize(groups);
        } else {
          a.num_min.resize(groups);
          a.num_max.resize(groups);
        }
        break;
      default: break;
    }
  }
}

void GroupByState::UpdateAgg(Agg* a, const ArrayView& col, const int32_t* rows, int64_t base,
                             int64_t n, const int32_t* gids) {
  if (a->kind == AggKind::kCountStar) return;
  const bool nulls = HasNulls(col);
  const bool dict_nulls = col.type->is_dictionary() && col.dictionary && HasNulls(*col.dictionary);
  auto valid = [&](int64_t r) {
    if (nulls && col.IsNull(r)) return false;
    return !dict_nulls || !ValueAt(col, r).is_null();
  };
  if (a->kind == AggKind::kCount) {
    for (int64_t k = 0; k < n; ++k) a->count[size_t(gids[k])] += valid(RowAt(rows, base, k));
    return;
  }
  const bool minmax = a->kind == AggKind::kMin || a->kind == AggKind::kMax;
  if (minmax && (a->type.is_dictionary() || IsStr(a->type.id) || a->type.id == TypeId::kBool)) {
    for (int64_t k = 0; k < n; ++k) {
      int64_t r = RowAt(rows, base, k);
      if (!valid(r)) continue;
      size_t g = size_t(gids[k]);
      Scalar v = ValueAt(col, r);
      ++a->count[g];
      if (a->type.id == TypeId::kBool) {
        long double x = v.bool_value();
        if (!a->has[g] || x < a->num_min[g]) a->num_min[g] = x;
        if (!a->has[g] || x > a->num_max[g]) a->num_max[g] = x;
      } else {
        const std::string& s = v.string_value();
        if (!a->has[g] || s < a->str_min[g]) a->str_min[g] = s;
        if (!a->has[g] || s > a->str_max[g]) a->str_max[g] = s;
      }
      a->has[g] = 1;
    }
    return;
  }
  if (col.type->id == TypeId::kDecimal128) {
    // Exact: sums in 128 bits (overflow reported by Finish), min/max as
    // DecimalSortKey strings, which compare as the numbers.
    const uint8_t* data = col.values + col.offset * 16;
    for (int64_t k = 0; k < n; ++k) {
      int64_t r = RowAt(rows, base, k);
      if (nulls && col.IsNull(r)) continue;
      size_t g = size_t(gids[k]);
      ++a->count[g];
      if (!minmax) {
        if (__builtin_add_overflow(a->int_sum[g], LoadDecimal128(data + r * 16), &a->int_sum[g])) {
          a->decimal_overflow = true;
        }
        continue;
      }
      std::string key = DecimalSortKey(data + r * 16, 16);
      if (!a->has[g] || key < a->str_min[g]) a->str_min[g] = key;
      if (!a->has[g] || key > a->str_max[g]) a->str_max[g] = key;
      a->has[g] = 1;
    }
    return;
  }
  internal::VisitFixedWidth(
      col.type->id,
      [&](auto tag) {
        using T = decltype(tag);
        const T* data = col.data<T>();
        if (!minmax) {
          // Raw pointers: stores through them cannot alias the vectors.
          int64_t* counts = a->count.data();
          double* fsums = a->float_sum.data();
          __int128* isums = a->int_sum.data();
          for (int64_t k = 0; k < n; ++k) {
            int64_t r = RowAt(rows, base, k);
            if (nulls && col.IsNull(r)) continue;
            size_t g = size_t(gids[k]);
            ++counts[g];
            if constexpr (std::is_floating_point_v<T>) {
              fsums[g] += double(data[r]);
            } else {
              isums[g] += data[r];
            }
          }
          return 0;
        }
        for (int64_t k = 0; k < n; ++k) {
          int64_t r = RowAt(rows, base, k);
          if (nulls && col.IsNull(r)) continue;
          size_t g = size_t(gids[k]);
          ++a->count[g];
          T x = data[r];
          if constexpr (std::is_floating_point_v<T>) {
            if (x != x) {
              a->nan[g] = 1;
              continue;
            }
          }
          long double l = x;
          if (!a->has[g] || l < a->num_min[g]) a->num_min[g] = l;
          if (!a->has[g] || l > a->num_max[g]) a->num_max[g] = l;
          a->has[g] = 1;
        }
        return 0;
      },
      [] { return 0; });
}

Status GroupByState::Consume(const std::vector<ArrayView>& keys,
                             const std::vector<ArrayView>& values, const Mask* filter,
                             const std::vector<const Mask*>& agg_filters) {
  if (keys.size() != key_types_.size() || values.size() != value_types_.size()) {
    return Status::Invalid("group-by: expected " + std::to_string(key_types_.size()) + " keys and " +
                           std::to_string(value_types_.size()) + " values, got " +
                           std::to_string(keys.size()) + " and " + std::to_string(values.size()));
  }
  const int64_t len = keys[0].length;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!(*keys[i].type == key_types_[i]) || keys[i].length != len) {
      return Status::TypeError("group-by key " + std::to_string(i) + " is " + keys[i].type->ToString() +
                               " of " + std::to_string(keys[i].length) + " rows, expected " +
                               key_types_[i].ToString() + " of " + std::to_string(len));
    }
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (!(*values[i].type == value_types_[i]) || values[i].length != len) {
      return Status::TypeError("group-by value " + std::to_string(i) + " is " +
                               values[i].type->ToString() + ", expected " + value_types_[i].ToString() +
                               " of " + std::to_string(len) + " rows");
    }
  }
  if (filter != nullptr && filter->length != len) {
    return Status::Invalid("group-by: mask of " + std::to_string(filter->length) + " rows for " +
                           std::to_string(len));
  }
  if (!agg_filters.empty() && agg_filters.size() != aggs_.size()) {
    return Status::Invalid("group-by: " + std::to_string(agg_filters.size()) +
                           " aggregate masks for " + std::to_string(aggs_.size()) + " aggregates");
  }
  for (const Mask* f : agg_filters) {
    if (f != nullptr && f->length != len)
      return Status::Invalid("group-by: aggregate mask of wrong length");
  }
  SelectionVector sel;
  const int32_t* rows = nullptr;
  int64_t n = len;
  if (filter != nullptr) {
    sel = ToSelection(*filter);
    rows = sel.data();
    n = int64_t(sel.size());
  }
  std::vector<int32_t> gids, own_rows, own_gids;
  dict_gids_.clear();
  dict_null_gid_ = -1;
  for (int64_t start = 0; start < n; start += kBatchRows) {
    const int64_t m = std::min(kBatchRows, n - start);
    const int32_t* batch_rows = rows ? rows + start : nullptr;
    QUIVER_RETURN_NOT_OK(GroupIds(keys, batch_rows, start, m, &gids));
    Resize(group_keys_.size());
    int64_t* group_rows = group_rows_.data();
    for (int64_t k = 0; k < m; ++k) ++group_rows[gids[size_t(k)]];
    for (size_t i = 0; i < aggs_.size(); ++i) {
      Agg& a = aggs_[i];
      const Mask* own = agg_filters.empty() ? nullptr : agg_filters[i];
      const int32_t* a_rows = batch_rows;
      const int32_t* a_gids = gids.data();
      int64_t a_base = start, a_n = m;
      if (own != nullptr) {  // FILTER: the rows of the batch its mask keeps
        SelectRows(*own, batch_rows, start, m, gids.data(), &own_rows, &own_gids);
        a_rows = own_rows.data();
        a_gids = own_gids.data();
        a_base = 0;
        a_n = int64_t(own_rows.size());
      }
      if (a.grouped) {
        a.grouped->Update(values[size_t(a.value)], a_rows, a_base, a_n, a_gids);
      } else if (a.kind != AggKind::kCountStar) {
        UpdateAgg(&a, values[size_t(a.value)], a_rows, a_base, a_n, a_gids);
      } else if (a.filtered) {
        for (int64_t k = 0; k < a_n; ++k) ++a.count[size_t(a_gids[k])];
      }
    }
  }
  return Status::OK();
}

Status GroupByState::Merge(const GroupByState& o) {
  if (o.key_types_ != key_types_ || o.value_types_ != value_types_ || o.aggs_.size() != aggs_.size()) {
    return Status::Invalid("group-by: cannot merge partial tables of different shapes");
  }
  std::vector<int32_t> map(o.group_keys_.size());
  for (size_t og = 0; og < o.group_keys_.size(); ++og) map[og] = FindOrAddEncoded(o.group_keys_[og]);
  Resize(group_keys_.size());
  for (size_t i = 0; i < aggs_.size(); ++i) aggs_[i].decimal_overflow |= o.aggs_[i].decimal_overflow;
  for (size_t og = 0; og < map.size(); ++og) {
    size_t g = size_t(map[og]);
    group_rows_[g] += o.group_rows_[og];
    for (size_t i = 0; i < aggs_.size(); ++i) {
      Agg& a = aggs_[i];
      const Agg& b = o.aggs_[i];
      a.count[g] += b.count[og];
      if (a.kind == AggKind::kCountStar || a.grouped) continue;
      if (!a.int_sum.empty() && __builtin_add_overflow(a.int_sum[g], b.int_sum[og], &a.int_sum[g])) {
        a.decimal_overflow = true;
      }
      if (!a.float_sum.empty()) a.float_sum[g] += b.float_sum[og];
      if (a.kind == AggKind::kMin || a.kind == AggKind::kMax) {
        a.nan[g] |= b.nan[og];
        if (!b.has[og]) continue;
        if (!a.str_min.empty()) {
          if (!a.has[g] || b.str_min[og] < a.str_min[g]) a.str_min[g] = b.str_min[og];
          if (!a.has[g] || b.str_max[og] > a.str_max[g]) a.str_max[g] = b.str_max[og];
        } else {
          if (!a.has[g] || b.num_min[og] < a.num_min[g]) a.num_min[g] = b.num_min[og];
          if (!a.has[g] || b.num_max[og] > a.num_max[g]) a.num_max[g] = b.num_max[og];
        }
        a.has[g] = 1;
      }
    }
  }
  for (size_t i = 0; i < aggs_.size(); ++i) {
    if (aggs_[i].grouped) aggs_[i].grouped->Merge(*o.aggs_[i].grouped, map.data());
  }
  return Status::OK();
}

size_t GroupByState::GroupedAggBytes() const {
  size_t n = 0;
  for (const Agg& a : aggs_) n += a.grouped ? a.grouped->MemoryBytes() : 0;
  return n;
}

Result<std::vector<std::shared_ptr<ArrayData>>> GroupByState::Finalize() const {
  std::vector<std::shared_ptr<ArrayData>> out;
  const size_t groups = group_keys_.size();
  std::vector<std::vector<Scalar>> keys(key_types_.size(), std::vector<Scalar>(groups));
  for (size_t g = 0; g < groups; ++g) {
    size_t pos = 0;
    for (size_t k = 0; k < key_types_.size(); ++k) keys[k][g] = DecodeScalar(key_types_[k], group_keys_[g], &pos);
  }
  for (size_t k = 0; k < key_types_.size(); ++k) {
    QUIVER_ASSIGN_OR_RETURN(auto col, ScalarsToArray(keys[k], key_types_[k].value_type()));
    out.push_back(std::move(col));
  }
  for (const Agg& a : aggs_) {
    if (a.grouped) {
      QUIVER_ASSIGN_OR_RETURN(auto col, a.grouped->Finalize(groups));
      out.push_back(std::move(col));
      continue;
    }
    DataType in = a.kind == AggKind::kCountStar ? DataType(TypeId::kInt64) : a.type;
    QUIVER_ASSIGN_OR_RETURN(DataType rt, AggResultType(a.kind, in));
    std::vector<Scalar> vals(groups);
    for (size_t g = 0; g < groups; ++g) {
      switch (a.kind) {
        case AggKind::kCountStar:
          vals[g] = Scalar::Int64(a.filtered ? a.count[g] : group_rows_[g]);
          break;
        case AggKind::kCount: vals[g] = Scalar::Int64(a.count[g]); break;
        case AggKind::kSum:
        case AggKind::kAvg: {
          if (a.count[g] == 0) break;
          if (IsFloating(a.type.id)) {
            double s = a.float_sum[g];
            vals[g] = Scalar::Double(a.kind == AggKind::kSum ? s : s / double(a.count[g]));
            break;
          }
          __int128 s = a.int_sum[g];
          if (a.type.id == TypeId::kDecimal128) {
            if (a.decimal_overflow || (a.kind == AggKind::kSum && !FitsDecimal128(s, rt.precision))) {
              return Status::Overflow("sum of " + a.type.ToString() + " column overflows " +
                                      (a.kind == AggKind::kSum ? rt.ToString() : "128 bits") + " in a group");
            }
            vals[g] = a.kind == AggKind::kSum ? Scalar::Decimal(s, rt.precision, rt.scale)
                                              : Scalar::Double(Decimal128ToDouble(s, a.type.scale) / double(a.count[g]));
            break;
          }
          if (a.kind == AggKind::kAvg) {
            vals[g] = Scalar::Double(double(static_cast<long double>(s) / a.count[g]));
          } else if (IsSignedInteger(a.type.id)) {
            if (s > std::numeric_limits<int64_t>::max() || s < std::numeric_limits<int64_t>::min()) {
              return Status::Overflow("sum of " + a.type.ToString() + " column overflows int64 in a group");
            }
            vals[g] = Scalar::Int64(int64_t(s));
          } else {
            if (s > static_cast<__int128>(std::numeric_limits<uint64_t>::max())) {
              return Status::Overflow("sum of " + a.type.ToString() + " column overflows uint64 in a group");
            }
            vals[g] = Scalar::UInt64(uint64_t(s));
          }
          break;
        }
        case AggKind::kMin:
        case AggKind::kMax: {
          bool is_max = a.kind == AggKind::kMax;
          if (a.nan[g] && (is_max || !a.has[g])) {
            vals[g] = Scalar::Double(std::nan(""));
          } else if (a.has[g]) {
            if (a.type.id == TypeId::kDecimal128) {
              uint8_t le[16];
              DecimalFromSortKey(is_max ? a.str_max[g] : a.str_min[g], le);
              vals[g] = Scalar::Decimal(LoadDecimal128(le), a.type.precision, a.type.scale);
            } else if (!a.str_min.empty()) {
              vals[g] = Scalar::String(is_max ? a.str_max[g] : a.str_min[g]);
            } else {
              vals[g] = FromNumber(a.type, is_max ? a.num_max[g] : a.num_min[g]);
            }
          }
          break;
        }
      }
    }
    QUIVER_ASSIGN_OR_RETURN(auto col, ScalarsToArray(vals, rt));
    out.push_back(std::move(col));
  }
  return out;
}

}  // namespace quiver::kernels
