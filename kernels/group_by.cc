#include "kernels/group_by.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "columnar/decimal.h"
#include "kernels/column_internal.h"
#include "kernels/grouped_agg_internal.h"

namespace quiver::kernels {
namespace {

using internal::HasNulls;
using internal::BatchRow;

bool IsIntKey(const DataType& t) {
  return !t.is_dictionary() && (IsInteger(t.id) || IsSignedIntStorage(t.id));
}

bool IsStr(TypeId id) { return IsBinaryLike(id); }

// The rows of a batch (rows[k] or base + k) that `mask` keeps, with their
// group ids.
void SelectRows(const Mask& mask, const int32_t* rows, int64_t base, int64_t n, const int32_t* gids,
                std::vector<int32_t>* out_rows, std::vector<int32_t>* out_gids) {
  out_rows->clear();
  out_gids->clear();
  for (int64_t k = 0; k < n; ++k) {
    const int64_t r = BatchRow(rows, base, k);
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
  for (const DataType& k : key_types) {
    if (k.is_nested()) {
      return Status::TypeError("cannot group by or DISTINCT a " + k.ToString() +
                               " value (group by its members or elements instead, e.g. x.member or x[1])");
    }
  }
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
      QUIVER_ASSIGN_OR_RETURN(a.grouped, GroupedAgg::Make(spec.grouped, a.type, spec.param, spec.sep));
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
  // Integer keys pack at their width, string keys (kInterned) as 32-bit ids.
  uint32_t key_bits = 0;
  bool all_int = true, packable = true;
  for (size_t c = 0; c < key_types.size(); ++c) {
    const DataType& k = key_types[c];
    const bool str = internal::IsStringKey(k);
    all_int = all_int && IsIntKey(k);
    packable = packable && (IsIntKey(k) || str);
    if (!packable) continue;
    s.pack_.push_back({key_bits, str ? 32 : uint32_t(ByteWidth(k.id)) * 8,
                       !str && IsSignedIntStorage(k.id)});
    key_bits += s.pack_.back().bits;
    if (str) s.strs_.emplace_back(c);
  }
  const bool fits = key_bits <= 128 && key_types.size() <= 64;
  if (key_types.size() == 1 && IsIntKey(key_types[0])) {
    s.mode_ = Mode::kSingleInt;
    s.table_ = internal::GroupKeyTable(internal::KeyKind::kInt);
  } else if (all_int && fits) {
    s.mode_ = Mode::kPacked;
    s.table_ = internal::GroupKeyTable(internal::KeyKind::kWide);
  } else if (packable && fits && key_types.size() > 1 && s.strs_.size() == 1) {
    // One string key among integers (UserID, SearchPhrase): its id lookup
    // replaces a copy and a byte compare. With two or more (Referer, URL)
    // each row would pay a lookup per string, each in a table of its own:
    // measured slower than one probe of the encoded key (ClickBench Q40).
    s.mode_ = Mode::kInterned;
    s.table_ = internal::GroupKeyTable(internal::KeyKind::kWide);
  } else if (key_types.size() == 1 && key_types[0].is_dictionary()) {
    s.mode_ = Mode::kSingleDict;
  } else if (key_types.size() == 1 && IsBinaryLike(key_types[0].id)) {
    s.mode_ = Mode::kSingleString;
  }
  if (s.mode_ != Mode::kPacked && s.mode_ != Mode::kInterned) s.pack_.clear();
  if (s.mode_ != Mode::kInterned) s.strs_.clear();
  s.key_types_ = std::move(key_types);
  s.value_types_ = std::move(value_types);
  return s;
}

void GroupByState::Resize(size_t groups) {
  if (group_rows_.size() < groups) {
    group_rows_.resize(groups, 0);
    group_first_.resize(groups, -1);
  }
  for (Agg& a : aggs_) {
    if (a.count.size() >= groups) continue;
    a.count.resize(groups);
    if (a.grouped) a.grouped->Resize(groups);
    switch (a.kind) {
      case AggKind::kSum:
      case AggKind::kAvg:
        if (IsFloating(a.type.id))
          a.float_sum.resize(groups);
        else
          a.int_sum.resize(groups);
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
      default:
        break;
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
    for (int64_t k = 0; k < n; ++k) a->count[size_t(gids[k])] += valid(BatchRow(rows, base, k));
    return;
  }
  const bool minmax = a->kind == AggKind::kMin || a->kind == AggKind::kMax;
  if (minmax && (a->type.is_dictionary() || IsStr(a->type.id)) &&
      (col.type->is_dictionary() || IsStr(col.type->id))) {
    // Strings read in place, only the asked-for bound kept (no value copied
    // per row).
    const bool is_min = a->kind == AggKind::kMin;
    std::vector<std::string>& best = is_min ? a->str_min : a->str_max;
    const ArrayView* dict = col.type->is_dictionary() ? col.dictionary : nullptr;
    if (col.type->is_dictionary() && dict == nullptr) return;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t r = BatchRow(rows, base, k);
      if (nulls && col.IsNull(r)) continue;
      std::string_view s;
      if (dict != nullptr) {
        const int64_t e = col.DictIndex(r);
        if (e < 0 || e >= dict->length || dict->IsNull(e)) continue;
        s = dict->StringValue(e);
      } else {
        s = col.StringValue(r);
      }
      const size_t g = size_t(gids[k]);
      ++a->count[g];
      if (!a->has[g] || (is_min ? s < std::string_view(best[g]) : s > std::string_view(best[g])))
        best[g].assign(s);
      a->has[g] = 1;
    }
    return;
  }
  if (minmax && (a->type.is_dictionary() || IsStr(a->type.id) || a->type.id == TypeId::kBool)) {
    for (int64_t k = 0; k < n; ++k) {
      int64_t r = BatchRow(rows, base, k);
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
    UpdateDecimalAgg(a, col, rows, base, n, gids);
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
            int64_t r = BatchRow(rows, base, k);
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
          int64_t r = BatchRow(rows, base, k);
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

void GroupByState::UpdateDecimalAgg(Agg* a, const ArrayView& col, const int32_t* rows,
                                    int64_t base, int64_t n, const int32_t* gids) {
  // Exact: sums of the scaled integers in 128 bits (leaving them is
  // sum_overflow, an error at output), min/max as DecimalSortKey strings,
  // which compare as the numbers.
  const bool nulls = HasNulls(col);
  const bool minmax = a->kind == AggKind::kMin || a->kind == AggKind::kMax;
  const uint8_t* data = col.values + col.offset * 16;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t r = BatchRow(rows, base, k);
    if (nulls && col.IsNull(r)) continue;
    const size_t g = size_t(gids[k]);
    ++a->count[g];
    if (!minmax) {
      if (__builtin_add_overflow(a->int_sum[g], LoadDecimal128(data + r * 16), &a->int_sum[g])) {
        a->sum_overflow = true;
      }
      continue;
    }
    std::string key = DecimalSortKey(data + r * 16, 16);
    if (!a->has[g] || key < a->str_min[g]) a->str_min[g] = key;
    if (!a->has[g] || key > a->str_max[g]) a->str_max[g] = std::move(key);
    a->has[g] = 1;
  }
}

Status GroupByState::Consume(const std::vector<ArrayView>& keys,
                             const std::vector<ArrayView>& values, const Mask* filter,
                             int64_t first_row, const std::vector<const Mask*>& agg_filters) {
  if (keys.size() != key_types_.size() || values.size() != value_types_.size()) {
    return Status::Invalid("group-by: expected " + std::to_string(key_types_.size()) +
                           " keys and " + std::to_string(value_types_.size()) + " values, got " +
                           std::to_string(keys.size()) + " and " + std::to_string(values.size()));
  }
  const int64_t len = keys[0].length;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!(*keys[i].type == key_types_[i]) || keys[i].length != len) {
      return Status::TypeError("group-by key " + std::to_string(i) + " is " +
                               keys[i].type->ToString() + " of " + std::to_string(keys[i].length) +
                               " rows, expected " + key_types_[i].ToString() + " of " +
                               std::to_string(len));
    }
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (!(*values[i].type == value_types_[i]) || values[i].length != len) {
      return Status::TypeError("group-by value " + std::to_string(i) + " is " +
                               values[i].type->ToString() + ", expected " +
                               value_types_[i].ToString() + " of " + std::to_string(len) + " rows");
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
  rows_offered_ += len;
  if (SmallDictApplies(keys, values, agg_filters))
    return ConsumeSmallDict(keys[0], values, filter, first_row);
  const SelectedRows selected(filter, len);
  const int32_t* rows = selected.rows;
  const int64_t n = selected.count;
  rows_taken_ += n;
  if (radix_) {
    BufferRows(keys, rows, n, first_row);
    return Status::OK();
  }
  QUIVER_RETURN_NOT_OK(ConsumeRows(keys, values, rows, n, first_row, agg_filters));
  if (!radix_decided_ && table_.size() > radix_limits_.head_groups) {
    radix_decided_ = true;
    if (RadixPays()) StartRadix();
  }
  return Status::OK();
}

uint64_t GroupByState::PartitionHashOfGroup(int32_t g) const {
  if (mode_ == Mode::kSingleInt) return g == null_gid_ ? 0 : table_.hash(g);
  if (mode_ == Mode::kInterned) return InternedGroupHash(g);
  return table_.hash(g);
}

void GroupByState::Split() {
  const size_t nparts = size_t(1) << kPartitionBits;
  const int32_t groups = int32_t(group_rows_.size());
  std::vector<GroupByState> parts;
  for (size_t p = 0; p < nparts; ++p) parts.push_back(EmptyLike());
  // Sized first, then keys, then aggregates: no growth, sequential reads.
  std::vector<uint8_t> part_of(static_cast<size_t>(groups));
  std::vector<int64_t> counts(nparts, 0);
  for (int32_t g = 0; g < groups; ++g) {
    part_of[size_t(g)] = uint8_t(PartitionHashOfGroup(g) >> (64 - kPartitionBits));
    ++counts[part_of[size_t(g)]];
  }
  const int64_t avg_key = table_.int_keys() ? 0 : table_.key_bytes() / std::max<int64_t>(1, groups);
  for (size_t p = 0; p < nparts; ++p) {
    parts[p].table_.Reserve(counts[p], counts[p] * avg_key * 5 / 4);
    parts[p].Reserve(size_t(counts[p]));
  }
  std::vector<int32_t> to(static_cast<size_t>(groups));
  for (int32_t g = 0; g < groups; ++g)
    to[size_t(g)] = parts[part_of[size_t(g)]].FindOrAddGroupOf(*this, g);
  for (GroupByState& p : parts) p.Resize(size_t(p.table_.size()));
  std::vector<uint8_t> overflow(nparts * aggs_.size(), 0);
  for (int32_t g = 0; g < groups; ++g) {
    const size_t p = part_of[size_t(g)];
    parts[p].MergeGroup(size_t(to[size_t(g)]), *this, size_t(g), &overflow[p * aggs_.size()]);
  }
  for (size_t p = 0; p < nparts; ++p) parts[p].FoldOverflow(*this, &overflow[p * aggs_.size()]);
  if (has_grouped()) {  // each partition takes its groups' states (-1: not its group)
    std::vector<int32_t> map(static_cast<size_t>(groups));
    for (size_t p = 0; p < nparts; ++p) {
      for (int32_t g = 0; g < groups; ++g)
        map[size_t(g)] = part_of[size_t(g)] == p ? to[size_t(g)] : -1;
      (void)parts[p].MergeGrouped(*this, map.data());  // no runner: cannot fail
    }
  }
  GroupByState empty = EmptyLike();
  *this = std::move(empty);
  parts_ = std::move(parts);
}

Status GroupByState::ConsumePartitioned(const std::vector<ArrayView>& keys,
                                        const std::vector<ArrayView>& values, const int32_t* rows,
                                        int64_t n, int64_t first_row,
                                        const std::vector<const Mask*>& agg_filters) {
  part_rows_.resize(parts_.size());
  // Batches of 16 x kBatchRows rows: each partition then gets a batch of
  // its own of about kBatchRows / 4 rows.
  constexpr int64_t kRows = 16 * kBatchRows;
  for (int64_t start = 0; start < n; start += kRows) {
    const int64_t m = std::min(kRows, n - start);
    const int32_t* batch_rows = rows ? rows + start : nullptr;
    // The partition of each row: the top bits of the hash its group gets.
    if (mode_ == Mode::kSingleInt) {
      hashes_.resize(size_t(m));
      internal::ForEachIntKey(keys[0], batch_rows, start, m,
                              [&](int64_t k, int64_t, bool valid, int64_t v) {
                                hashes_[size_t(k)] = valid ? internal::MixInt(uint64_t(v)) : 0;
                              });
    } else if (mode_ == Mode::kPacked) {
      PackKeys(keys, batch_rows, start, m);
    } else if (mode_ == Mode::kInterned) {
      QUIVER_RETURN_NOT_OK(InternedRowHashes(keys, batch_rows, start, m));
    } else if (mode_ == Mode::kSingleString) {
      StringHashes(keys[0], batch_rows, start, m);
    } else {
      EncodeKeys(keys, batch_rows, start, m);
    }
    for (auto& pr : part_rows_) pr.clear();
    for (int64_t k = 0; k < m; ++k) {
      part_rows_[size_t(hashes_[size_t(k)] >> (64 - kPartitionBits))].push_back(
          int32_t(BatchRow(batch_rows, start, k)));
    }
    for (size_t p = 0; p < parts_.size(); ++p) {
      if (part_rows_[p].empty()) continue;
      QUIVER_RETURN_NOT_OK(parts_[p].ConsumeRows(keys, values, part_rows_[p].data(),
                                                 int64_t(part_rows_[p].size()), first_row,
                                                 agg_filters));
    }
  }
  return Status::OK();
}

Status GroupByState::ConsumeRows(const std::vector<ArrayView>& keys,
                                 const std::vector<ArrayView>& values, const int32_t* rows,
                                 int64_t n, int64_t first_row,
                                 const std::vector<const Mask*>& agg_filters) {
  if (!parts_.empty()) return ConsumePartitioned(keys, values, rows, n, first_row, agg_filters);
  std::vector<int32_t> gids, own_rows, own_gids, kept_rows;
  dict_gids_.clear();
  dict_null_gid_ = -1;
  for (StringIds& s : strs_) s.dict_ids.clear();
  for (int64_t start = 0; start < n; start += kBatchRows) {
    int64_t m = std::min(kBatchRows, n - start);
    const int32_t* batch_rows = rows ? rows + start : nullptr;
    const int32_t old_groups = int32_t(group_rows_.size());
    QUIVER_RETURN_NOT_OK(GroupIds(keys, batch_rows, start, m, &gids));
    rows_fed_ += m;
    if (admit_limit_ >= 0 && std::find_if(gids.begin(), gids.end(), [](int32_t g) {
                               return g < 0;
                             }) != gids.end()) {
      // AdmitAtMost: the rows of keys left out go no further.
      kept_rows.clear();
      size_t j = 0;
      for (int64_t k = 0; k < m; ++k) {
        if (gids[size_t(k)] < 0) continue;
        kept_rows.push_back(int32_t(BatchRow(batch_rows, start, k)));
        gids[j++] = gids[size_t(k)];
      }
      rows_skipped_ += m - int64_t(j);
      gids.resize(j);
      batch_rows = kept_rows.data();
      m = int64_t(j);
    }
    if (!presized_ && table_.size() >= kPresizeGroups) Presize();
    if (presized_ && expect_rows_ > 0 && table_.NearGrowth(kBatchRows)) GrowAhead();
    Resize(size_t(table_.size()));
    int64_t* group_rows = group_rows_.data();
    int64_t* first = group_first_.data();
    // Millions of groups: each count is a cache miss, the one kAhead rows
    // on in flight.
    constexpr int64_t kAhead = 16;
    const bool far = table_.size() > kFarGroups;
    for (int64_t k = 0; k < m; ++k) {
      if (far && k + kAhead < m) __builtin_prefetch(&group_rows[gids[size_t(k + kAhead)]], 1);
      const int32_t g = gids[size_t(k)];
      ++group_rows[g];
      if (g >= old_groups && first[g] < 0) first[g] = first_row + BatchRow(batch_rows, start, k);
    }
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

void GroupByState::Presize() {
  presized_ = true;
  if (RadixPays()) return;  // past kRadixGroups, partitions take the rows
  if (expect_rows_ <= 0 || rows_fed_ <= 0 || rows_offered_ <= 0) return;
  if (double(table_.size()) / double(rows_fed_) < kPresizeRate) return;
  // With a tenth to spare.
  int64_t want = std::min(expect_rows_, int64_t(ExpectedGroups() * 1.1));
  if (admit_limit_ >= 0) want = std::min(want, admit_limit_);
  if (want <= table_.size()) return;
  ReserveKeys(want);
  Reserve(size_t(want));
}

void GroupByState::ReserveKeys(int64_t groups) {
  // Byte keys: the bytes a key has taken so far, an eighth to spare.
  const int64_t key_bytes = table_.int_keys() ? 0
                                              : table_.key_bytes() /
                                                    std::max<int64_t>(1, table_.size()) * groups *
                                                    9 / 8;
  table_.Reserve(groups, key_bytes);
}

void GroupByState::GrowAhead() {
  if (table_.slot_count() == grown_slots_) return;  // decided for this array
  // A table that may yet take radix mode keeps its head small until then.
  if (!radix_decided_ && RadixApplies()) return;
  grown_slots_ = table_.slot_count();
  const int64_t groups = table_.size();
  const int64_t rows = rows_fed_ - grown_rows_, added = groups - grown_groups_;
  grown_rows_ = rows_fed_;
  grown_groups_ = groups;
  if (rows <= 0 || rows_offered_ <= 0 || admit_limit_ >= 0) return;
  const double kept = double(expect_rows_) * double(rows_taken_) / double(rows_offered_);
  const double left = std::max(0.0, kept - double(rows_fed_));
  const double want = double(groups) + double(added) / double(rows) * left;
  if (want <= 2.0 * double(groups)) return;  // doubling will do
  ReserveKeys(int64_t(std::min(want * 1.1, 4.0 * double(groups))));
}

double GroupByState::ExpectedGroups() const {
  if (expect_rows_ <= 0 || rows_fed_ <= 0 || rows_offered_ <= 0) return double(table_.size());
  // New groups per row looked up so far, times the rows the filter is
  // expected to keep.
  const double rate = double(table_.size()) / double(rows_fed_);
  const double kept = double(expect_rows_) * double(rows_taken_) / double(rows_offered_);
  return rate * kept;
}

int64_t GroupByState::memory_bytes() const {
  int64_t b = 0;
  for (const GroupByState& p : parts_) b += p.memory_bytes();
  for (const auto& pr : part_rows_) b += int64_t(pr.capacity() * 4);
  b += RadixBytes();
  b += table_.memory_bytes() + int64_t(group_rows_.capacity() + group_first_.capacity()) * 8 +
       int64_t(enc_.capacity() + (enc_off_.capacity() + enc_at_.capacity()) * 4 +
               hashes_.capacity() * 8 + direct_.capacity() * 4) +
       int64_t(packed_.capacity() * sizeof(internal::PackedKey)) + InternBytes();
  for (const Agg& a : aggs_) {
    b += int64_t(a.count.capacity() * 8 + a.int_sum.capacity() * 16 + a.float_sum.capacity() * 8 +
                 (a.num_min.capacity() + a.num_max.capacity()) * sizeof(long double) +
                 a.has.capacity() + a.nan.capacity() +
                 (a.str_min.capacity() + a.str_max.capacity()) * sizeof(std::string));
    if (a.grouped) b += int64_t(a.grouped->MemoryBytes());
  }
  return b;
}

size_t GroupByState::GroupedAggBytes() const {
  size_t n = 0;
  for (const GroupByState& p : parts_) n += p.GroupedAggBytes();
  for (const Agg& a : aggs_) n += a.grouped ? a.grouped->MemoryBytes() : 0;
  return n;
}

}  // namespace quiver::kernels
