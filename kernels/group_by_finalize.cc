// GroupByState (kernels/group_by.h): merging partial tables (serially, or
// partitioned by hash for a parallel merge) and putting the merged groups in
// their output order; the columns themselves are group_by_output.cc's.
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

bool IsStr(TypeId id) { return IsBinaryLike(id); }

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
  s.table_ = internal::GroupKeyTable(table_.kind());
  s.pack_ = pack_;
  for (const StringIds& c : strs_) s.strs_.emplace_back(c.col);
  for (const Agg& a : aggs_) {
    Agg e;
    e.kind = a.kind;
    e.value = a.value;
    e.type = a.type;
    e.filtered = a.filtered;
    if (a.grouped) e.grouped = a.grouped->NewEmpty();
    s.aggs_.push_back(std::move(e));
  }
  return s;
}

GroupByState GroupByState::KeysOf(const std::vector<int32_t>& groups) const {
  GroupByState s = EmptyLike();
  s.table_.Reserve(int64_t(groups.size()), table_.int_keys() ? 0 : table_.key_bytes());
  for (int32_t g : groups) s.FindOrAddGroupOf(*this, g);
  s.Resize(size_t(s.table_.size()));
  for (size_t i = 0; i < groups.size(); ++i) s.group_first_[i] = group_first_[size_t(groups[i])];
  s.admit_limit_ = s.table_.size();
  return s;
}

GroupByState GroupByState::KeysOnly() const {
  std::vector<int32_t> all(group_rows_.size());
  for (size_t g = 0; g < all.size(); ++g) all[g] = int32_t(g);
  return KeysOf(all);
}

Result<GroupByState> GroupByState::FirstGroups(std::vector<GroupByState>* parts, int64_t n) {
  if (parts->empty()) return Status::Invalid("group-by: no partial tables");
  GroupByState all = std::move((*parts)[0]);
  for (size_t w = 1; w < parts->size(); ++w) QUIVER_RETURN_NOT_OK(all.Merge((*parts)[w]));
  parts->clear();
  if (all.split()) return Status::Internal("group-by: FirstGroups of a split table");
  // Merge kept each group's smallest first ordinal: its first row's.
  std::vector<int32_t> order(all.group_rows_.size());
  for (size_t g = 0; g < order.size(); ++g) order[g] = int32_t(g);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return all.group_first_[size_t(a)] < all.group_first_[size_t(b)];
  });
  if (int64_t(order.size()) > n) order.resize(size_t(std::max<int64_t>(0, n)));
  return all.KeysOf(order);
}

void GroupByState::Reserve(size_t groups) {
  group_rows_.reserve(groups);
  group_first_.reserve(groups);
  for (Agg& a : aggs_) {
    if (a.kind == AggKind::kCountStar && !a.filtered) continue;
    a.count.reserve(groups);
    switch (a.kind) {
      case AggKind::kSum:
      case AggKind::kAvg:
        if (IsFloating(a.type.id))
          a.float_sum.reserve(groups);
        else
          a.int_sum.reserve(groups);
        break;
      case AggKind::kMin:
      case AggKind::kMax:
        a.has.reserve(groups);
        a.nan.reserve(groups);
        if (IsStr(a.type.value_type().id) || a.type.id == TypeId::kDecimal128) {
          a.str_min.reserve(groups);
          a.str_max.reserve(groups);
        } else {
          a.num_min.reserve(groups);
          a.num_max.reserve(groups);
        }
        break;
      default:
        break;
    }
  }
}

int32_t GroupByState::FindOrAddGroupOf(const GroupByState& o, int32_t og) {
  if (mode_ == Mode::kSingleInt) {
    if (og == o.null_gid_) return NullIntGroup();
    const int64_t v = o.table_.int_key(og);
    return table_.FindOrAddInt(v, internal::MixInt(uint64_t(v)));
  }
  if (mode_ == Mode::kPacked) {
    const internal::PackedKey& k = o.table_.wide_key(og);
    return table_.FindOrAddWide(k, internal::MixPacked(k));
  }
  if (mode_ == Mode::kInterned) return AddInternedGroupOf(o, og);
  const std::string_view k = o.table_.bytes(og);
  return table_.FindOrAddBytes(reinterpret_cast<const uint8_t*>(k.data()), uint32_t(k.size()),
                               o.table_.hash(og));
}

void GroupByState::PrefetchGroup(size_t g) const {
  table_.PrefetchKey(int32_t(g));
  __builtin_prefetch(&group_rows_[g]);
  __builtin_prefetch(&group_first_[g]);
  for (const Agg& a : aggs_) {
    if (!a.count.empty()) __builtin_prefetch(&a.count[g]);
    if (!a.int_sum.empty()) __builtin_prefetch(&a.int_sum[g]);
    if (!a.float_sum.empty()) __builtin_prefetch(&a.float_sum[g]);
    if (!a.num_min.empty()) __builtin_prefetch(&a.num_min[g]);
    if (!a.num_max.empty()) __builtin_prefetch(&a.num_max[g]);
  }
}

int32_t GroupByState::FindGroupOf(const GroupByState& o, int32_t og) const {
  if (mode_ == Mode::kSingleInt) {
    if (og == o.null_gid_) return null_gid_;
    const int64_t v = o.table_.int_key(og);
    return table_.FindInt(v, internal::MixInt(uint64_t(v)));
  }
  if (mode_ == Mode::kPacked) {
    const internal::PackedKey& k = o.table_.wide_key(og);
    return table_.FindWide(k, internal::MixPacked(k));
  }
  if (mode_ == Mode::kInterned) return FindInternedGroupOf(o, og);
  const std::string_view k = o.table_.bytes(og);
  return table_.FindBytes(reinterpret_cast<const uint8_t*>(k.data()), uint32_t(k.size()),
                          o.table_.hash(og));
}

void GroupByState::FindGroupsOf(const GroupByState& o, int32_t begin, int32_t end,
                                int32_t* out) const {
  constexpr int32_t kAhead = 8;
  if (mode_ != Mode::kInterned) {
    for (int32_t og = begin; og < end; ++og) {
      if (og + kAhead < end) PrefetchGroupOf(o, og + kAhead);
      out[og - begin] = FindGroupOf(o, og);
    }
    return;
  }
  // Each key translated and hashed once, a batch at a time, then the probes
  // with the slot of a key ahead in flight (a translation costs lookups:
  // PrefetchGroupOf and FindGroupOf would each pay them).
  constexpr int32_t kBatch = 1024;
  internal::PackedKey keys[kBatch];
  uint64_t h[kBatch];
  bool known[kBatch];
  for (int32_t start = begin; start < end; start += kBatch) {
    const int32_t m = std::min(kBatch, end - start);
    for (int32_t i = 0; i < m; ++i) {
      known[i] = FindKeyOf(o, start + i, &keys[i]);
      h[i] = known[i] ? internal::MixPacked(keys[i]) : 0;
    }
    for (int32_t i = 0; i < m; ++i) {
      if (i + kAhead < m && known[i + kAhead]) table_.Prefetch(h[i + kAhead]);
      out[start - begin + i] = known[i] ? table_.FindWide(keys[i], h[i]) : -1;
    }
  }
}

void GroupByState::FoldOverflow(const GroupByState& o, const uint8_t* overflow) {
  for (size_t i = 0; i < aggs_.size(); ++i) {
    aggs_[i].sum_overflow = aggs_[i].sum_overflow || o.aggs_[i].sum_overflow || overflow[i];
  }
}

void GroupByState::MergeGroup(size_t g, const GroupByState& o, size_t og, uint8_t* overflow) {
  group_rows_[g] += o.group_rows_[og];
  const int64_t f = o.group_first_[og];
  if (f >= 0 && (group_first_[g] < 0 || f < group_first_[g])) group_first_[g] = f;
  for (size_t i = 0; i < aggs_.size(); ++i) {
    Agg& a = aggs_[i];
    const Agg& b = o.aggs_[i];
    if (a.grouped || (a.kind == AggKind::kCountStar && !a.filtered)) continue;
    a.count[g] += b.count[og];
    if (!a.int_sum.empty() && __builtin_add_overflow(a.int_sum[g], b.int_sum[og], &a.int_sum[g])) {
      overflow[i] = 1;  // decimal128 only: integer sums stay far inside 128 bits
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

Status GroupByState::Merge(const GroupByState& o) {
  if (o.key_types_ != key_types_ || o.value_types_ != value_types_ ||
      o.aggs_.size() != aggs_.size()) {
    return Status::Invalid("group-by: cannot merge partial tables of different shapes");
  }
  if (radix_ || o.radix_)
    return Status::Invalid("group-by: Seal() partial tables before merging them");
  if (split() || o.split()) {
    // Partition by partition; an unsplit side is split first (a copy of
    // other, which is const).
    if (!split()) Split();
    const GroupByState* from = &o;
    GroupByState copy = o.EmptyLike();
    if (!o.split()) {
      QUIVER_RETURN_NOT_OK(copy.Merge(o));
      copy.Split();
      from = &copy;
    }
    for (size_t p = 0; p < parts_.size(); ++p)
      QUIVER_RETURN_NOT_OK(parts_[p].Merge(from->parts_[p]));
    return Status::OK();
  }
  std::vector<int32_t> map(size_t(o.num_groups()));
  // Room for the groups of both in the vectors: no growth while inserting
  // (the keys in common make it an upper bound). Not in the key table,
  // which then grows only as far as the keys new to it need: sized for
  // the sum, a table of mostly common keys is twice as large as its groups
  // need, and probing it misses the cache more (ClickBench's URL group-by
  // took 10% more CPU).
  const int64_t most = num_groups() + o.num_groups();
  Reserve(size_t(most));
  for (size_t og = 0; og < map.size(); ++og) {
    if (og + 8 < map.size()) {  // the slot and the key of a group ahead
      table_.Prefetch(o.table_.hash(int32_t(og + 8)));
      o.table_.PrefetchKey(int32_t(og + 8));
    }
    map[og] = FindOrAddGroupOf(o, int32_t(og));
  }
  Resize(size_t(table_.size()));
  std::vector<uint8_t> overflow(aggs_.size(), 0);
  for (size_t og = 0; og < map.size(); ++og) MergeGroup(size_t(map[og]), o, og, overflow.data());
  FoldOverflow(o, overflow.data());
  return MergeGrouped(o, map.data());
}

Status GroupByState::MergeGrouped(const GroupByState& o, const int32_t* map, const Runner* run) {
  for (size_t i = 0; i < aggs_.size(); ++i) {
    GroupedAgg* a = aggs_[i].grouped.get();
    if (a == nullptr) continue;
    if (run != nullptr) {
      QUIVER_RETURN_NOT_OK(a->MergeParallel(*o.aggs_[i].grouped, map, *run));
    } else {
      a->Merge(*o.aggs_[i].grouped, map);
    }
  }
  return Status::OK();
}

bool GroupByState::has_grouped() const {
  for (const Agg& a : aggs_) {
    if (a.grouped) return true;
  }
  return false;
}

Result<std::vector<std::shared_ptr<ArrayData>>> GroupByState::Finalize() const {
  if (radix_) return Status::Invalid("group-by: Seal() the table before Finalize");
  if (split()) {
    std::vector<const GroupByState*> tables;
    for (const GroupByState& p : parts_) tables.push_back(&p);
    return OrderedOutput(
        tables,
        [](int64_t n, const std::function<Status(int64_t)>& fn) -> Status {
          for (int64_t i = 0; i < n; ++i) QUIVER_RETURN_NOT_OK(fn(i));
          return Status::OK();
        },
        nullptr, nullptr);
  }
  return FinalizeOne(nullptr, nullptr);
}

Result<std::vector<std::shared_ptr<ArrayData>>> GroupByState::FinalizeOne(
    const OutputLimit* limit, int64_t* groups) const {
  // First-seen order by this table, then by the tables merged into it.
  std::vector<GroupRef> order(static_cast<size_t>(num_groups()));
  for (size_t g = 0; g < order.size(); ++g) order[g] = GroupRef{0, int32_t(g)};
  auto serial = [](int64_t n, const std::function<Status(int64_t)>& fn) -> Status {
    for (int64_t i = 0; i < n; ++i) QUIVER_RETURN_NOT_OK(fn(i));
    return Status::OK();
  };
  auto out = OutputColumns({this}, &order, serial, limit, true);
  if (groups != nullptr) *groups = int64_t(order.size());
  return out;
}

Status GroupByState::FoldTables(std::vector<GroupByState>* in, const Runner& run,
                                std::vector<std::vector<uint8_t>>* kept) {
  std::stable_sort(in->begin(), in->end(), [](const GroupByState& a, const GroupByState& b) {
    return a.num_groups() > b.num_groups();
  });
  const size_t ntables = in->size(), naggs = (*in)[0].aggs_.size();
  kept->assign(ntables, {});
  (*kept)[0].assign((*in)[0].group_rows_.size(), 1);
  // Ranges of groups folded by one call of run's fn each.
  constexpr int64_t kRange = int64_t(1) << 15;
  for (size_t w = 1; w < ntables; ++w) {
    const GroupByState& o = (*in)[w];
    const int64_t n = int64_t(o.group_rows_.size());
    std::vector<uint8_t>& keep = (*kept)[w];
    keep.assign(size_t(n), 1);
    // Group og's group map[og] in table owner[og] (map[og] < 0: none).
    std::vector<int32_t> map(size_t(n), -1);
    std::vector<uint8_t> owner(size_t(n), 0);
    const int64_t ranges = (n + kRange - 1) / kRange;
    // Per range and earlier table: each aggregate's decimal overflow.
    std::vector<uint8_t> overflow(size_t(ranges) * w * naggs, 0);
    for (size_t t = 0; t < w; ++t) (*in)[t].MapStringsOf(&o);
    QUIVER_RETURN_NOT_OK(run(ranges, [&](int64_t r) -> Status {
      const int32_t begin = int32_t(r * kRange), end = int32_t(std::min(n, (r + 1) * kRange));
      // Lookups first, in the first table a batch at a time (FindGroupsOf),
      // then in the others for the groups not found; then the folds, with
      // the target group of one ahead.
      constexpr int32_t kAhead = 8;
      std::vector<int32_t> found(size_t(end - begin));
      (*in)[0].FindGroupsOf(o, begin, end, found.data());
      for (int32_t og = begin; og < end; ++og) {
        int32_t g = found[size_t(og - begin)];
        size_t t = 0;
        while (g < 0 && ++t < w) g = (*in)[t].FindGroupOf(o, og);
        if (g < 0) continue;
        map[size_t(og)] = g;
        owner[size_t(og)] = uint8_t(t);
        keep[size_t(og)] = 0;
      }
      for (int32_t og = begin; og < end; ++og) {
        if (og + kAhead < end && map[size_t(og + kAhead)] >= 0)
          (*in)[owner[size_t(og + kAhead)]].PrefetchGroup(size_t(map[size_t(og + kAhead)]));
        if (map[size_t(og)] < 0) continue;
        const size_t t = owner[size_t(og)];
        (*in)[t].MergeGroup(size_t(map[size_t(og)]), o, size_t(og),
                            overflow.data() + (size_t(r) * w + t) * naggs);  // naggs may be 0
      }
      return Status::OK();
    }));
    for (size_t t = 0; t < w; ++t) (*in)[t].MapStringsOf(nullptr);
    std::vector<uint8_t> any(naggs);
    std::vector<int32_t> tmap;
    for (size_t t = 0; t < w; ++t) {
      GroupByState& dst = (*in)[t];
      std::fill(any.begin(), any.end(), 0);
      for (int64_t r = 0; r < ranges; ++r) {
        for (size_t i = 0; i < naggs; ++i) any[i] |= overflow[(size_t(r) * w + t) * naggs + i];
      }
      dst.FoldOverflow(o, any.data());
      if (!o.has_grouped()) continue;
      tmap.assign(size_t(n), -1);
      for (int64_t og = 0; og < n; ++og) {
        if (owner[size_t(og)] == t) tmap[size_t(og)] = map[size_t(og)];
      }
      QUIVER_RETURN_NOT_OK(dst.MergeGrouped(o, tmap.data(), &run));
    }
  }
  return Status::OK();
}

Result<std::vector<std::shared_ptr<ArrayData>>> GroupByState::OrderedOutput(
    const std::vector<const GroupByState*>& tables, const Runner& run, const OutputLimit* limit,
    int64_t* groups, const std::vector<std::vector<uint8_t>>* kept) {
  auto output = [kept](size_t p, int32_t g) { return kept == nullptr || (*kept)[p][size_t(g)]; };
  int64_t total = 0;
  for (size_t p = 0; p < tables.size(); ++p) {
    if (kept == nullptr) {
      total += tables[p]->num_groups();
    } else {
      for (uint8_t k : (*kept)[p]) total += k;
    }
  }
  if (limit != nullptr && limit->k >= 0 && total > limit->k) {
    // A top-k: the groups in table order, ties broken by first ordinal; only
    // the kept ones are put in first-ordinal order.
    std::vector<GroupRef> order;
    order.reserve(size_t(total));
    for (size_t p = 0; p < tables.size(); ++p) {
      for (int32_t g = 0; g < int32_t(tables[p]->group_rows_.size()); ++g) {
        if (output(p, g)) order.push_back(GroupRef{uint32_t(p), g});
      }
    }
    auto out = OutputColumns(tables, &order, run, limit, false);
    if (groups != nullptr) *groups = int64_t(order.size());
    return out;
  }
  struct Item {
    uint64_t key;
    GroupRef ref;
  };
  int64_t lo = std::numeric_limits<int64_t>::max();
  for (const GroupByState* t : tables) {
    for (int64_t f : t->group_first_) lo = std::min(lo, f);
  }
  std::vector<Item> items;
  items.reserve(size_t(total));
  for (size_t p = 0; p < tables.size(); ++p) {
    const GroupByState& t = *tables[p];
    for (int32_t g = 0; g < int32_t(t.group_rows_.size()); ++g) {
      if (!output(p, g)) continue;
      items.push_back(Item{uint64_t(t.group_first_[size_t(g)] - lo), GroupRef{uint32_t(p), g}});
    }
  }
  RadixSortByKey(&items);
  std::vector<GroupRef> order(items.size());
  for (size_t i = 0; i < items.size(); ++i) order[i] = items[i].ref;
  items = {};
  auto out = OutputColumns(tables, &order, run, limit, true);
  if (groups != nullptr) *groups = int64_t(order.size());
  return out;
}

Result<std::vector<std::shared_ptr<ArrayData>>> GroupByState::FinalizeAll(
    std::vector<GroupByState>* parts, const Runner& run, int64_t* groups, int64_t* merged_bytes,
    const OutputLimit* limit) {
  *merged_bytes = 0;
  std::vector<GroupByState> in;
  for (GroupByState& p : *parts) {
    if (p.num_groups() > 0 || in.empty()) in.push_back(std::move(p));
  }
  parts->clear();
  if (in.empty()) return Status::Invalid("group-by: no partial tables to finalize");
  for (const GroupByState& p : in) {
    if (p.key_types_ != in[0].key_types_ || p.value_types_ != in[0].value_types_ ||
        p.aggs_.size() != in[0].aggs_.size()) {
      return Status::Invalid("group-by: cannot merge partial tables of different shapes");
    }
  }
  int64_t total = 0;
  bool any_split = false;
  for (const GroupByState& p : in) {
    total += p.num_groups();
    any_split |= p.split() || p.radix_;
  }
  *groups = total;  // an upper bound until merged
  std::vector<const GroupByState*> tables;
  if (in[0].mode_ != Mode::kSingleDict &&
      (any_split || (in.size() > 2 && total > kSplitGroups))) {
    // Three or more tables with many groups, or radix tables (split):
    // partition by partition, in parallel (partition p of every table, then
    // every table's rows buffered for p, into partition p of the first).
    // Two unsplit tables fold (FoldTables): measured on 2 cores, splitting
    // both costs more CPU than the second thread saves.
    QUIVER_RETURN_NOT_OK(run(int64_t(in.size()), [&](int64_t w) -> Status {
      GroupByState& t = in[size_t(w)];
      if (t.radix_) {
        t.SplitHead();
      } else if (!t.split()) {
        t.Split();
      }
      return Status::OK();
    }));
    const size_t nparts = in[0].parts_.size();
    QUIVER_RETURN_NOT_OK(run(int64_t(nparts), [&](int64_t p) -> Status {
      GroupByState& to = in[0].parts_[size_t(p)];
      for (size_t w = 1; w < in.size(); ++w) {
        QUIVER_RETURN_NOT_OK(to.Merge(in[w].parts_[size_t(p)]));
        in[w].parts_[size_t(p)] = in[w].parts_[size_t(p)].EmptyLike();  // free it
      }
      for (GroupByState& w : in) {
        if (w.radix_) QUIVER_RETURN_NOT_OK(w.FoldRadixInto(&to, size_t(p), /*release=*/true));
      }
      return Status::OK();
    }));
    for (GroupByState& w : in) w.EndRadix();
    in.erase(in.begin() + 1, in.end());
  } else if (!any_split && in.size() > 1 && in.size() < 256) {  // FoldTables' owner is a byte
    std::vector<std::vector<uint8_t>> kept;
    QUIVER_RETURN_NOT_OK(FoldTables(&in, run, &kept));
    *merged_bytes = 0;
    for (const GroupByState& t : in) {
      tables.push_back(&t);
      *merged_bytes += t.memory_bytes();
    }
    return OrderedOutput(tables, run, limit, groups, &kept);
  } else {
    // Into the largest table: the fewest groups to insert.
    size_t largest = 0;
    for (size_t w = 1; w < in.size(); ++w) {
      if (in[w].num_groups() > in[largest].num_groups()) largest = w;
    }
    std::swap(in[0], in[largest]);
    const bool merged = in.size() > 1;
    for (size_t w = 1; w < in.size(); ++w) QUIVER_RETURN_NOT_OK(in[0].Merge(in[w]));
    in.erase(in.begin() + 1, in.end());
    if (!in[0].split()) {
      *groups = in[0].num_groups();
      *merged_bytes = in[0].memory_bytes();
      // A single table is already in first-seen order unless others were
      // merged into it (even with no group in common: their groups follow
      // its own, whatever their first rows).
      if (!merged) return in[0].FinalizeOne(limit, groups);
      tables.push_back(&in[0]);
    }
  }
  if (in[0].split()) {
    for (const GroupByState& p : in[0].parts_) tables.push_back(&p);
  }
  *groups = in[0].num_groups();
  *merged_bytes = in[0].memory_bytes();
  return OrderedOutput(tables, run, limit, groups);
}

}  // namespace quiver::kernels
