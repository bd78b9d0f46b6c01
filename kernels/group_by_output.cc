// GroupByState (kernels/group_by.h): the result columns of merged tables — keys,
// aggregates and grouped aggregates for a list of groups — and the top-k
// that keeps only the groups an ORDER BY ... LIMIT needs.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "columnar/builder.h"
#include "columnar/decimal.h"
#include "kernels/column_internal.h"
#include "kernels/group_by.h"

namespace quiver::kernels {
namespace {

// Appends a number of the column's value type (see the key encoding in
// group_key_table_internal.h: 8 bytes, a double's bits for floats).
void AppendBits(ArrayBuilder* b, TypeId id, uint64_t bits) {
  if (IsFloating(id)) {
    double d;
    std::memcpy(&d, &bits, 8);
    b->AppendDouble(d);
  } else if (id == TypeId::kBool) {
    b->AppendBool(bits != 0);
  } else if (IsSignedIntStorage(id)) {
    b->AppendInt(int64_t(bits));
  } else {
    b->AppendUInt(bits);
  }
}

void AppendNumber(ArrayBuilder* b, TypeId id, long double v) {
  if (id == TypeId::kBool)
    b->AppendBool(v != 0);
  else if (IsFloating(id))
    b->AppendDouble(double(v));
  else if (IsSignedIntStorage(id))
    b->AppendInt(int64_t(v));
  else
    b->AppendUInt(uint64_t(v));
}

// Key column c of an encoded key: appends it to b.
void AppendEncodedKey(ArrayBuilder* b, const std::vector<DataType>& types, size_t c,
                      std::string_view key) {
  size_t pos = 0;
  for (size_t j = 0; j < c; ++j) {
    if (internal::IsStringKey(types[j])) {
      uint32_t len;
      std::memcpy(&len, key.data() + pos + 1, 4);
      pos += internal::kStringKeyHeader + len;
    } else {
      pos += internal::FixedKeyBytes(types[j]);
    }
  }
  if (key[pos] == 0) {
    b->AppendNull();
    return;
  }
  if (internal::IsStringKey(types[c])) {
    uint32_t len;
    std::memcpy(&len, key.data() + pos + 1, 4);
    b->AppendString(key.substr(pos + internal::kStringKeyHeader, len));
    return;
  }
  if (internal::RawKeyWidth(types[c].id) != 0) {
    b->AppendBytes(key.data() + pos + 1);
    return;
  }
  uint64_t bits;
  std::memcpy(&bits, key.data() + pos + 1, 8);
  AppendBits(b, types[c].id, bits);
}

}  // namespace

Result<std::shared_ptr<ArrayData>> GroupByState::GroupedOutput(
    const std::vector<const GroupByState*>& parts, const std::vector<GroupRef>& order, size_t ai) {
  const GroupedAgg& shape = *parts[0]->aggs_[ai].grouped;
  bool identity = parts.size() == 1;
  for (size_t i = 0; identity && i < order.size(); ++i) identity = order[i].gid == int32_t(i);
  if (identity) return shape.Finalize(order.size());
  if (shape.GroupResult(0).has_value()) {
    // Each group's result read where it is.
    std::vector<Scalar> values;
    values.reserve(order.size());
    for (const GroupRef& r : order) {
      values.push_back(*parts[r.part]->aggs_[ai].grouped->GroupResult(size_t(r.gid)));
    }
    return ScalarsToArray(values, shape.result_type());
  }
  // The groups in output order: each table's states folded into a new one
  // whose group i is order[i].
  std::unique_ptr<GroupedAgg> out = shape.NewEmpty();
  out->Resize(order.size());
  std::vector<int32_t> map;
  for (size_t p = 0; p < parts.size(); ++p) {
    map.assign(parts[p]->group_rows_.size(), -1);
    for (size_t i = 0; i < order.size(); ++i) {
      if (order[i].part == p) map[size_t(order[i].gid)] = int32_t(i);
    }
    out->Merge(*parts[p]->aggs_[ai].grouped, map.data());
  }
  return out->Finalize(order.size());
}

namespace {

// An integer column of n values written straight into its buffers:
// value(i, &v) sets row i's value, or returns false for a NULL.
template <typename T, typename F>
std::shared_ptr<ArrayData> DirectIntColumn(const DataType& type, int64_t n, F&& value) {
  auto data = std::make_shared<ArrayData>();
  data->type = type;
  data->length = n;
  auto values = Buffer::Allocate(n * int64_t(sizeof(T)));
  auto validity = Buffer::Allocate(BytesForBits(n));
  T* v = reinterpret_cast<T*>(values->mutable_data());
  uint8_t* bits = validity->mutable_data();
  std::memset(bits, 0xff, size_t(BytesForBits(n)));
  int64_t nulls = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!value(i, &v[i])) {
      v[i] = T(0);
      ClearBit(bits, i);
      ++nulls;
    }
  }
  data->null_count = nulls;
  data->buffers = {nulls == 0 ? nullptr : std::move(validity), std::move(values)};
  return data;
}

}  // namespace

// Key column c when every table keeps its keys as integers (one int key, or
// packed keys) of an integer type: no builder call per group.
std::shared_ptr<ArrayData> GroupByState::IntKeyColumn(const std::vector<const GroupByState*>& parts,
                                                      const std::vector<GroupRef>& order,
                                                      size_t c) {
  const DataType vt = parts[0]->key_types_[c].value_type();
  for (const GroupByState* p : parts) {
    if (p->mode_ != Mode::kSingleInt && p->mode_ != Mode::kPacked) return nullptr;
  }
  if (vt.id == TypeId::kBool || IsFloating(vt.id) || vt.id == TypeId::kDecimal128) return nullptr;
  return internal::VisitFixedWidth(
      vt.id,
      [&](auto tag) -> std::shared_ptr<ArrayData> {
        using T = decltype(tag);
        if constexpr (!std::is_integral_v<T>) {
          return nullptr;
        } else {
          return DirectIntColumn<T>(vt, int64_t(order.size()), [&](int64_t i, T* out) {
            if (size_t(i) + 8 < order.size())
              parts[order[size_t(i) + 8].part]->table_.PrefetchKey(order[size_t(i) + 8].gid);
            const GroupRef& r = order[size_t(i)];
            const GroupByState& s = *parts[r.part];
            if (s.mode_ == Mode::kPacked) {
              const internal::PackedKey& k = s.table_.wide_key(r.gid);
              if ((k.nulls >> c) & 1) return false;
              *out = T(internal::PackGet(k, s.pack_[c]));
              return true;
            }
            if (r.gid == s.null_gid_) return false;
            *out = T(s.table_.int_key(r.gid));
            return true;
          });
        }
      },
      []() -> std::shared_ptr<ArrayData> { return nullptr; });
}

Result<std::shared_ptr<ArrayData>> GroupByState::OutputColumn(
    const std::vector<const GroupByState*>& parts, const std::vector<GroupRef>& order, size_t c) {
  const GroupByState& shape = *parts[0];
  const size_t nkeys = shape.key_types_.size();
  if (c < nkeys) {
    if (auto direct = IntKeyColumn(parts, order, c)) return direct;
    const DataType vt = shape.key_types_[c].value_type();
    ArrayBuilder b(vt);
    b.Reserve(int64_t(order.size()));
    for (size_t i = 0; i < order.size(); ++i) {
      if (i + 8 < order.size()) parts[order[i + 8].part]->table_.PrefetchKey(order[i + 8].gid);
      const GroupRef& r = order[i];
      const GroupByState& s = *parts[r.part];
      if (s.mode_ == Mode::kInterned) {
        s.AppendInternedKey(&b, c, r.gid);
      } else if (s.mode_ == Mode::kPacked) {
        const internal::PackedKey& k = s.table_.wide_key(r.gid);
        if ((k.nulls >> c) & 1)
          b.AppendNull();
        else
          AppendBits(&b, vt.id, internal::PackGet(k, s.pack_[c]));
      } else if (s.mode_ != Mode::kSingleInt) {
        AppendEncodedKey(&b, s.key_types_, c, s.table_.bytes(r.gid));
      } else if (r.gid == s.null_gid_) {
        b.AppendNull();
      } else {
        AppendBits(&b, vt.id, uint64_t(s.table_.int_key(r.gid)));
      }
    }
    return b.Finish();
  }
  const size_t ai = c - nkeys;
  const Agg& shape_agg = shape.aggs_[ai];
  if (shape_agg.grouped) return GroupedOutput(parts, order, ai);
  const DataType in =
      shape_agg.kind == AggKind::kCountStar ? DataType(TypeId::kInt64) : shape_agg.type;
  QUIVER_ASSIGN_OR_RETURN(DataType rt, AggResultType(shape_agg.kind, in));
  if (shape_agg.kind == AggKind::kCountStar || shape_agg.kind == AggKind::kCount) {
    return DirectIntColumn<int64_t>(rt.value_type(), int64_t(order.size()), [&](int64_t i, int64_t* out) {
      if (size_t(i) + 8 < order.size())
        parts[order[size_t(i) + 8].part]->PrefetchGroup(size_t(order[size_t(i) + 8].gid));
      const GroupRef& r = order[size_t(i)];
      const GroupByState& s = *parts[r.part];
      const Agg& a = s.aggs_[ai];
      const size_t g = size_t(r.gid);
      *out = a.kind == AggKind::kCountStar && !a.filtered ? s.group_rows_[g] : a.count[g];
      return true;
    });
  }
  const TypeId vid = shape_agg.type.value_type().id;
  ArrayBuilder b(rt.value_type());
  b.Reserve(int64_t(order.size()));
  for (size_t i = 0; i < order.size(); ++i) {
    if (i + 8 < order.size()) parts[order[i + 8].part]->PrefetchGroup(size_t(order[i + 8].gid));
    const GroupRef& r = order[i];
    const GroupByState& s = *parts[r.part];
    const Agg& a = s.aggs_[ai];
    const size_t g = size_t(r.gid);
    switch (a.kind) {
      case AggKind::kCountStar:
        b.AppendInt(a.filtered ? a.count[g] : s.group_rows_[g]);
        break;
      case AggKind::kCount:
        b.AppendInt(a.count[g]);
        break;
      case AggKind::kSum:
      case AggKind::kAvg: {
        if (a.count[g] == 0) {
          b.AppendNull();
        } else if (IsFloating(a.type.id)) {
          const double sum = a.float_sum[g];
          b.AppendDouble(a.kind == AggKind::kSum ? sum : sum / double(a.count[g]));
        } else if (a.type.id == TypeId::kDecimal128) {
          const __int128 sum = a.int_sum[g];
          const bool is_sum = a.kind == AggKind::kSum;
          if (a.sum_overflow || (is_sum && !FitsDecimal128(sum, rt.precision))) {
            return Status::Overflow("sum of " + a.type.ToString() + " column overflows " +
                                    (is_sum ? rt.ToString() : "128 bits") + " in a group");
          }
          if (is_sum) {
            b.AppendDecimal(sum);
          } else {
            b.AppendDouble(Decimal128ToDouble(sum, a.type.scale) / double(a.count[g]));
          }
        } else if (a.kind == AggKind::kAvg) {
          b.AppendDouble(double(static_cast<long double>(a.int_sum[g]) / a.count[g]));
        } else if (IsSignedInteger(a.type.id)) {
          const __int128 sum = a.int_sum[g];
          if (sum > std::numeric_limits<int64_t>::max() ||
              sum < std::numeric_limits<int64_t>::min()) {
            return Status::Overflow("sum of " + a.type.ToString() +
                                    " column overflows int64 in a group");
          }
          b.AppendInt(int64_t(sum));
        } else {
          const __int128 sum = a.int_sum[g];
          if (sum > static_cast<__int128>(std::numeric_limits<uint64_t>::max())) {
            return Status::Overflow("sum of " + a.type.ToString() +
                                    " column overflows uint64 in a group");
          }
          b.AppendUInt(uint64_t(sum));
        }
        break;
      }
      case AggKind::kMin:
      case AggKind::kMax: {
        const bool is_max = a.kind == AggKind::kMax;
        if (a.nan[g] && (is_max || !a.has[g])) {
          b.AppendDouble(std::nan(""));
        } else if (!a.has[g]) {
          b.AppendNull();
        } else if (a.type.id == TypeId::kDecimal128) {
          uint8_t le[16];
          DecimalFromSortKey(is_max ? a.str_max[g] : a.str_min[g], le);
          b.AppendBytes(le);
        } else if (!a.str_min.empty()) {
          b.AppendString(is_max ? a.str_max[g] : a.str_min[g]);
        } else {
          AppendNumber(&b, vid, is_max ? a.num_max[g] : a.num_min[g]);
        }
        break;
      }
    }
  }
  return b.Finish();
}


bool GroupByState::KeepTopCounts(const std::vector<const GroupByState*>& tables,
                                 std::vector<GroupRef>* order, const OutputLimit& limit) {
  if (limit.built != nullptr || limit.keys.size() != 1 || limit.k < 0) return false;
  const size_t c = limit.columns[size_t(limit.keys[0].column)];
  const size_t nkeys = tables[0]->key_types_.size();
  if (c < nkeys) return false;
  const Agg& a = tables[0]->aggs_[c - nkeys];
  if (a.kind != AggKind::kCountStar || a.filtered || a.grouped) return false;
  // A count is never NULL: the order is the count's, ties by first ordinal,
  // then by place in `order` (as KeepTopK breaks them).
  struct Cand {
    int64_t count;
    int64_t first;
    size_t pos;
    GroupRef ref;
  };
  const bool desc = limit.keys[0].descending;
  auto earlier = [](const Cand& x, const Cand& y) {
    return x.first != y.first ? x.first < y.first : x.pos < y.pos;
  };
  auto before = [desc, earlier](const Cand& x, const Cand& y) {
    if (x.count != y.count) return desc ? x.count > y.count : x.count < y.count;
    return earlier(x, y);
  };
  auto cand = [&](size_t i) {
    const GroupRef r = (*order)[i];
    const GroupByState& t = *tables[r.part];
    return Cand{t.group_rows_[size_t(r.gid)], t.group_first_[size_t(r.gid)], i, r};
  };
  std::vector<Cand> heap;
  if (size_t(limit.k) * 8 >= order->size()) {
    // Most groups kept (a large OFFSET): every candidate, then a selection
    // of the k best, not a heap as large as the input.
    heap.reserve(order->size());
    for (size_t i = 0; i < order->size(); ++i) heap.push_back(cand(i));
    if (size_t(limit.k) < heap.size()) {
      std::nth_element(heap.begin(), heap.begin() + limit.k, heap.end(), before);
      heap.resize(size_t(limit.k));
    }
  } else {
    // A heap of the k best so far, the last of them in order on top.
    heap.reserve(size_t(limit.k));
    for (size_t i = 0; i < order->size(); ++i) {
      const Cand x = cand(i);
      if (heap.size() < size_t(limit.k)) {
        heap.push_back(x);
        std::push_heap(heap.begin(), heap.end(), before);
      } else if (!heap.empty() && before(x, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), before);
        heap.back() = x;
        std::push_heap(heap.begin(), heap.end(), before);
      }
    }
  }
  // The kept groups in first-ordinal order.
  std::sort(heap.begin(), heap.end(), earlier);
  order->clear();
  for (const Cand& x : heap) order->push_back(x.ref);
  return true;
}

Status GroupByState::KeepTopK(const std::vector<const GroupByState*>& tables,
                              std::vector<GroupRef>* order, const Runner& run,
                              const OutputLimit& limit, bool in_first_order) {
  // The order's columns for every group and a stable top-k over them.
  std::vector<std::shared_ptr<ArrayData>> sort_cols(limit.columns.size());
  QUIVER_RETURN_NOT_OK(run(int64_t(sort_cols.size()), [&](int64_t i) -> Status {
    QUIVER_ASSIGN_OR_RETURN(sort_cols[size_t(i)],
                            OutputColumn(tables, *order, limit.columns[size_t(i)]));
    return Status::OK();
  }));
  if (limit.built != nullptr) *limit.built = sort_cols;
  auto first_of = [&](const GroupRef& r) {
    return tables[r.part]->group_first_[size_t(r.gid)];
  };
  std::vector<SortKey> keys = limit.keys;
  if (!in_first_order) {
    // Ties go by first ordinal, as they would by position in that order.
    ArrayBuilder b{DataType(TypeId::kInt64)};
    b.Reserve(int64_t(order->size()));
    for (const GroupRef& r : *order) b.AppendInt(first_of(r));
    QUIVER_ASSIGN_OR_RETURN(auto firsts, b.Finish());
    sort_cols.push_back(std::move(firsts));
    keys.push_back(SortKey::Asc(int(sort_cols.size() - 1)));
  }
  const ColumnViews views(sort_cols);
  QUIVER_ASSIGN_OR_RETURN(SelectionVector top, TopK(views.views(), keys, limit.k));
  std::vector<GroupRef> kept;
  kept.reserve(top.size());
  for (int32_t i : top) kept.push_back((*order)[size_t(i)]);
  // The kept groups back in first-ordinal order.
  std::sort(kept.begin(), kept.end(),
            [&](const GroupRef& a, const GroupRef& b) { return first_of(a) < first_of(b); });
  *order = std::move(kept);
  return Status::OK();
}

Result<std::vector<std::shared_ptr<ArrayData>>> GroupByState::OutputColumns(
    const std::vector<const GroupByState*>& tables, std::vector<GroupRef>* order,
    const Runner& run, const OutputLimit* limit, bool in_first_order) {
  if (limit != nullptr && limit->k >= 0 && int64_t(order->size()) > limit->k) {
    if (!KeepTopCounts(tables, order, *limit)) {
      QUIVER_RETURN_NOT_OK(KeepTopK(tables, order, run, *limit, in_first_order));
    }
  } else if (!in_first_order) {
    std::vector<std::pair<int64_t, GroupRef>> items;
    items.reserve(order->size());
    for (const GroupRef& r : *order) items.emplace_back(tables[r.part]->group_first_[size_t(r.gid)], r);
    std::sort(items.begin(), items.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < items.size(); ++i) (*order)[i] = items[i].second;
  }
  const GroupByState& shape = *tables[0];
  const size_t ncols = shape.key_types_.size() + shape.aggs_.size();
  std::vector<std::shared_ptr<ArrayData>> out(ncols);
  QUIVER_RETURN_NOT_OK(run(int64_t(ncols), [&](int64_t c) -> Status {
    QUIVER_ASSIGN_OR_RETURN(out[size_t(c)], OutputColumn(tables, *order, size_t(c)));
    return Status::OK();
  }));
  return out;
}


}  // namespace quiver::kernels
