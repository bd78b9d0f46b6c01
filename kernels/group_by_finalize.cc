// GroupByState (kernels/group_by.h): merging partial tables (serially, or
// partitioned by hash for a parallel merge) and building the result columns.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "columnar/builder.h"
#include "kernels/group_by.h"

namespace quiver::kernels {
namespace {

bool IsStr(TypeId id) { return id == TypeId::kUtf8 || id == TypeId::kBinary; }

// Appends a number of the column's value type (see the key encoding in
// group_by.cc: 8 bytes, a double's bits for floats).
void AppendBits(ArrayBuilder* b, TypeId id, uint64_t bits) {
  if (IsFloating(id)) {
    double d;
    std::memcpy(&d, &bits, 8);
    b->AppendDouble(d);
  } else if (id == TypeId::kBool) {
    b->AppendBool(bits != 0);
  } else if (IsSignedInteger(id) || id == TypeId::kDate32 || id == TypeId::kTimestamp) {
    b->AppendInt(int64_t(bits));
  } else {
    b->AppendUInt(bits);
  }
}

void AppendNumber(ArrayBuilder* b, TypeId id, long double v) {
  if (id == TypeId::kBool) b->AppendBool(v != 0);
  else if (IsFloating(id)) b->AppendDouble(double(v));
  else if (IsSignedInteger(id) || id == TypeId::kDate32 || id == TypeId::kTimestamp) b->AppendInt(int64_t(v));
  else b->AppendUInt(uint64_t(v));
}

// Key column c of an encoded key: appends it to b.
void AppendEncodedKey(ArrayBuilder* b, const std::vector<DataType>& types, size_t c, std::string_view key) {
  size_t pos = 0;
  auto is_str = [](const DataType& t) { return t.is_dictionary() || IsStr(t.id); };
  for (size_t j = 0; j < c; ++j) {
    if (is_str(types[j])) {
      uint32_t len;
      std::memcpy(&len, key.data() + pos + 1, 4);
      pos += 5 + len;
    } else {
      pos += 9;
    }
  }
  if (key[pos] == 0) {
    b->AppendNull();
    return;
  }
  if (is_str(types[c])) {
    uint32_t len;
    std::memcpy(&len, key.data() + pos + 1, 4);
    b->AppendString(key.substr(pos + 5, len));
    return;
  }
  uint64_t bits;
  std::memcpy(&bits, key.data() + pos + 1, 8);
  AppendBits(b, types[c].id, bits);
}

// Sorts items by key (LSD radix, 16-bit digits, as many passes as the
// largest key needs).
template <typename Item>
void RadixSortByKey(std::vector<Item>* items) {
  uint64_t max = 0;
  for (const Item& it : *items) max |= it.key;
  std::vector<Item> tmp(items->size());
  std::vector<size_t> count(1 << 16);
  for (int shift = 0; shift < 64 && (max >> shift) != 0; shift += 16) {
    std::fill(count.begin(), count.end(), 0);
    for (const Item& it : *items) ++count[(it.key >> shift) & 0xffff];
    size_t sum = 0;
    for (size_t& c : count) {
      const size_t n = c;
      c = sum;
      sum += n;
    }
    for (const Item& it : *items) tmp[count[(it.key >> shift) & 0xffff]++] = it;
    items->swap(tmp);
  }
}

}  // namespace

GroupByState GroupByState::EmptyLike() const {
  GroupByState s;
  s.key_types_ = key_types_;
  s.value_types_ = value_types_;
  s.mode_ = mode_;
  s.table_ = internal::GroupKeyTable(table_.int_keys());
  for (const Agg& a : aggs_) s.aggs_.push_back(Agg{a.kind, a.value, a.type, {}, {}, {}, {}, {}, {}, {}, {}, {}});
  return s;
}

int32_t GroupByState::FindOrAddGroupOf(const GroupByState& o, int32_t og) {
  if (mode_ == Mode::kSingleInt) {
    if (og == o.null_gid_) return NullIntGroup();
    const int64_t v = o.table_.int_key(og);
    return table_.FindOrAddInt(v, internal::MixInt(uint64_t(v)));
  }
  const std::string_view k = o.table_.bytes(og);
  return table_.FindOrAddBytes(reinterpret_cast<const uint8_t*>(k.data()), uint32_t(k.size()), o.table_.hash(og));
}

void GroupByState::MergeGroup(size_t g, const GroupByState& o, size_t og) {
  group_rows_[g] += o.group_rows_[og];
  const int64_t f = o.group_first_[og];
  if (f >= 0 && (group_first_[g] < 0 || f < group_first_[g])) group_first_[g] = f;
  for (size_t i = 0; i < aggs_.size(); ++i) {
    Agg& a = aggs_[i];
    const Agg& b = o.aggs_[i];
    if (a.kind == AggKind::kCountStar) continue;
    a.count[g] += b.count[og];
    if (!a.int_sum.empty()) a.int_sum[g] += b.int_sum[og];
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

Status GroupByState::Merge(const GroupByState& o) {
  if (o.key_types_ != key_types_ || o.value_types_ != value_types_ || o.aggs_.size() != aggs_.size()) {
    return Status::Invalid("group-by: cannot merge partial tables of different shapes");
  }
  std::vector<int32_t> map(size_t(o.num_groups()));
  for (size_t og = 0; og < map.size(); ++og) map[og] = FindOrAddGroupOf(o, int32_t(og));
  Resize(size_t(table_.size()));
  for (size_t og = 0; og < map.size(); ++og) MergeGroup(size_t(map[og]), o, og);
  return Status::OK();
}

Result<std::shared_ptr<ArrayData>> GroupByState::OutputColumn(const std::vector<const GroupByState*>& parts,
                                                              const std::vector<GroupRef>& order, size_t c) {
  const GroupByState& shape = *parts[0];
  const size_t nkeys = shape.key_types_.size();
  if (c < nkeys) {
    const DataType vt = shape.key_types_[c].value_type();
    ArrayBuilder b(vt);
    b.Reserve(int64_t(order.size()));
    for (const GroupRef& r : order) {
      const GroupByState& s = *parts[r.part];
      if (s.mode_ != Mode::kSingleInt) {
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
  const DataType in = shape_agg.kind == AggKind::kCountStar ? DataType(TypeId::kInt64) : shape_agg.type;
  QUIVER_ASSIGN_OR_RETURN(DataType rt, AggResultType(shape_agg.kind, in));
  const TypeId vid = shape_agg.type.value_type().id;
  ArrayBuilder b(rt.value_type());
  b.Reserve(int64_t(order.size()));
  for (const GroupRef& r : order) {
    const GroupByState& s = *parts[r.part];
    const Agg& a = s.aggs_[ai];
    const size_t g = size_t(r.gid);
    switch (a.kind) {
      case AggKind::kCountStar: b.AppendInt(s.group_rows_[g]); break;
      case AggKind::kCount: b.AppendInt(a.count[g]); break;
      case AggKind::kSum:
      case AggKind::kAvg: {
        if (a.count[g] == 0) {
          b.AppendNull();
        } else if (IsFloating(a.type.id)) {
          const double sum = a.float_sum[g];
          b.AppendDouble(a.kind == AggKind::kSum ? sum : sum / double(a.count[g]));
        } else if (a.kind == AggKind::kAvg) {
          b.AppendDouble(double(static_cast<long double>(a.int_sum[g]) / a.count[g]));
        } else if (IsSignedInteger(a.type.id)) {
          const __int128 sum = a.int_sum[g];
          if (sum > std::numeric_limits<int64_t>::max() || sum < std::numeric_limits<int64_t>::min()) {
            return Status::Overflow("sum of " + a.type.ToString() + " column overflows int64 in a group");
          }
          b.AppendInt(int64_t(sum));
        } else {
          const __int128 sum = a.int_sum[g];
          if (sum > static_cast<__int128>(std::numeric_limits<uint64_t>::max())) {
            return Status::Overflow("sum of " + a.type.ToString() + " column overflows uint64 in a group");
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

Result<std::vector<std::shared_ptr<ArrayData>>> GroupByState::Finalize() const {
  std::vector<GroupRef> order(static_cast<size_t>(num_groups()));
  for (size_t g = 0; g < order.size(); ++g) order[g] = GroupRef{0, int32_t(g)};
  const std::vector<const GroupByState*> parts = {this};
  std::vector<std::shared_ptr<ArrayData>> out;
  for (size_t c = 0; c < key_types_.size() + aggs_.size(); ++c) {
    QUIVER_ASSIGN_OR_RETURN(auto col, OutputColumn(parts, order, c));
    out.push_back(std::move(col));
  }
  return out;
}

Result<std::vector<std::shared_ptr<ArrayData>>> GroupByState::FinalizeAll(std::vector<GroupByState>* parts,
                                                                          const Runner& run, int64_t* groups,
                                                                          int64_t* merged_bytes) {
  *merged_bytes = 0;
  std::vector<GroupByState> in;
  for (GroupByState& p : *parts) {
    if (p.num_groups() > 0 || in.empty()) in.push_back(std::move(p));
  }
  parts->clear();
  if (in.empty()) return Status::Invalid("group-by: no partial tables to finalize");
  for (const GroupByState& p : in) {
    if (p.key_types_ != in[0].key_types_ || p.value_types_ != in[0].value_types_ || p.aggs_.size() != in[0].aggs_.size()) {
      return Status::Invalid("group-by: cannot merge partial tables of different shapes");
    }
  }
  if (in.size() == 1) {
    *groups = in[0].num_groups();
    return in[0].Finalize();
  }
  int64_t total = 0;
  for (const GroupByState& p : in) total += p.num_groups();
  // 64 partitions by the hash's top bits (the table indexes with its low
  // bits): enough to keep every thread busy, each partition's table small.
  const int bits = total >= (1 << 15) ? 6 : 0;
  const size_t nparts = size_t(1) << bits;
  std::vector<std::vector<std::vector<int32_t>>> lists(in.size(), std::vector<std::vector<int32_t>>(nparts));
  QUIVER_RETURN_NOT_OK(run(int64_t(in.size()), [&](int64_t w) -> Status {
    const GroupByState& p = in[size_t(w)];
    auto& mine = lists[size_t(w)];
    for (int32_t g = 0; g < int32_t(p.num_groups()); ++g) {
      mine[bits ? size_t(p.table_.hash(g) >> (64 - bits)) : 0].push_back(g);
    }
    return Status::OK();
  }));
  std::vector<GroupByState> merged;
  for (size_t p = 0; p < nparts; ++p) merged.push_back(in[0].EmptyLike());
  QUIVER_RETURN_NOT_OK(run(int64_t(nparts), [&](int64_t p) -> Status {
    GroupByState& m = merged[size_t(p)];
    for (size_t w = 0; w < in.size(); ++w) {
      for (int32_t og : lists[w][size_t(p)]) {
        const int32_t g = m.FindOrAddGroupOf(in[w], og);
        if (size_t(g) >= m.group_rows_.size()) m.Resize(size_t(g) + 1);
        m.MergeGroup(size_t(g), in[w], size_t(og));
      }
    }
    return Status::OK();
  }));
  in.clear();
  // First-ordinal order: the order a single thread reading the table in
  // order would have produced.
  struct Item {
    uint64_t key;
    GroupRef ref;
  };
  std::vector<Item> items;
  int64_t lo = std::numeric_limits<int64_t>::max();
  for (const GroupByState& m : merged) {
    *merged_bytes += m.memory_bytes();
    for (int64_t f : m.group_first_) lo = std::min(lo, f);
  }
  items.reserve(size_t(total));
  for (size_t p = 0; p < nparts; ++p) {
    const GroupByState& m = merged[p];
    for (int32_t g = 0; g < int32_t(m.num_groups()); ++g) {
      items.push_back(Item{uint64_t(m.group_first_[size_t(g)] - lo), GroupRef{uint32_t(p), g}});
    }
  }
  RadixSortByKey(&items);
  std::vector<GroupRef> order(items.size());
  for (size_t i = 0; i < items.size(); ++i) order[i] = items[i].ref;
  items = {};
  *groups = int64_t(order.size());
  std::vector<const GroupByState*> ptrs;
  for (const GroupByState& m : merged) ptrs.push_back(&m);
  const size_t ncols = merged[0].key_types_.size() + merged[0].aggs_.size();
  std::vector<std::shared_ptr<ArrayData>> out(ncols);
  QUIVER_RETURN_NOT_OK(run(int64_t(ncols), [&](int64_t c) -> Status {
    QUIVER_ASSIGN_OR_RETURN(out[size_t(c)], OutputColumn(ptrs, order, size_t(c)));
    return Status::OK();
  }));
  return out;
}

}  // namespace quiver::kernels
