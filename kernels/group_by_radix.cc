// GroupByState's radix mode (group_by.h, kRadixGroups): a table of many
// groups stops adding keys to its own table. That table (the head: the
// keys seen first, which for skewed data are the frequent ones) keeps
// counting the rows of its keys, in the cache; every other row is appended,
// key and ordinal, to the list of its partition (the top kPartitionBits
// bits of the key's hash, as Split). The lists are looked up one partition
// at a time, where a partition's table fits in the cache: into
// radix_parts_[p] when list p is full, or straight into the merged partition
// by FinalizeAll (no per-thread table for those rows at all). The lists are
// fixed regions of one scratch block (kernels/partition_lists_internal.h).
//
// Why: measured on ClickBench's GROUP BY UserID (a million distinct
// integers at 10M rows), probing one table larger than the L2 cache missed
// it on most rows even with the slot prefetched 16 rows ahead; appending
// to 64 lists streams through memory instead.
#include <algorithm>
#include <type_traits>

#include "kernels/column_internal.h"
#include "kernels/group_by.h"
#include "kernels/grouped_agg_internal.h"

namespace quiver::kernels {

using internal::BatchRow;

bool GroupByState::RadixApplies() const {
  if (mode_ != Mode::kSingleInt && mode_ != Mode::kPacked) return false;
  if (admit_limit_ >= 0 || split()) return false;
  for (const Agg& a : aggs_) {
    if (a.grouped || a.kind != AggKind::kCountStar || a.filtered) return false;
  }
  return true;
}

void GroupByState::StartRadix() {
  radix_ = true;
  direct_tried_ = true;  // the rows of keys outside the head go to the lists
  direct_.clear();
  const size_t nparts = size_t(1) << kPartitionBits;
  const size_t entry = mode_ == Mode::kSingleInt ? sizeof(BufferedInt) : sizeof(BufferedPacked);
  size_t per = std::max<size_t>(1, size_t(radix_limits_.list_bytes) / nparts / entry);
  if (expect_rows_ > 0) {
    // The rows still to come, spread over the partitions, with room for
    // the unevenness of a hash (a list that fills is folded, no harm).
    const int64_t left = std::max<int64_t>(0, expect_rows_ - rows_offered_);
    per = std::min(per, size_t(left) / nparts * 5 / 4 + 1024);
  }
  if (mode_ == Mode::kSingleInt) {
    radix_ints_ = internal::PartitionLists<BufferedInt>(nparts, per);
  } else {
    radix_packed_ = internal::PartitionLists<BufferedPacked>(nparts, per);
  }
}

namespace {

// Looks up n keys in the head table (hashes first, then the probes with
// the slot of a key ahead in flight): a key it holds counts there, any
// other is appended to its partition's list; fold(p) empties list p when
// it is full. ordinal(k): key k's row ordinal.
template <typename Key, typename Entry, typename Hash, typename Find, typename Ordinal,
          typename Fold>
void CountOrBuffer(const Key* keys, Ordinal&& ordinal, int64_t n, uint64_t* h,
                   const internal::GroupKeyTable& head, int64_t* counts,
                   internal::PartitionLists<Entry>* lists, int shift, Hash&& hash, Find&& find,
                   Fold&& fold) {
  constexpr int64_t kAhead = 16;
  for (int64_t k = 0; k < n; ++k) h[k] = hash(keys[k]);
  for (int64_t k = 0; k < n; ++k) {
    if (k + kAhead < n) head.Prefetch(h[k + kAhead]);
    const int32_t g = find(keys[k], h[k]);
    if (g >= 0) {
      ++counts[g];
      continue;
    }
    const size_t p = size_t(h[k] >> shift);
    if (lists->Push(p, Entry{keys[k], ordinal(k)})) fold(p);
  }
}

}  // namespace

void GroupByState::FoldList(size_t p) {
  if (radix_parts_.empty()) {
    for (size_t i = 0; i < (size_t(1) << kPartitionBits); ++i) radix_parts_.push_back(EmptyLike());
  }
  radix_parts_[p].AddBuffered(this, p);
}

void GroupByState::BufferRows(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t n,
                              int64_t first_row) {
  constexpr int kShift = 64 - kPartitionBits;  // a key's partition: the top bits of its hash
  auto fold = [this](size_t p) { FoldList(p); };
  auto int_hash = [](int64_t v) { return internal::MixInt(uint64_t(v)); };
  auto int_find = [this](int64_t v, uint64_t h) { return table_.FindInt(v, h); };
  const ArrayView& col = keys[0];
  // One integer key without NULLs, every row: the ordinals are counted, and
  // 64-bit keys read in place (narrower ones widened a batch at a time).
  const bool dense = mode_ == Mode::kSingleInt && rows == nullptr && !internal::HasNulls(col);
  const bool in_place = col.type->id == TypeId::kInt64 || col.type->id == TypeId::kUInt64;
  std::vector<int64_t> ordinals;
  std::vector<int64_t> ints;
  hashes_.resize(size_t(std::min(kBatchRows, n)));
  for (int64_t start = 0; start < n; start += kBatchRows) {
    const int64_t m = std::min(kBatchRows, n - start);
    if (dense) {
      const int64_t base = first_row + start;
      const int64_t* batch = in_place ? col.data<int64_t>() + start : nullptr;
      if (!in_place) {
        ints.resize(size_t(m));
        internal::VisitFixedWidth(
            col.type->id,
            [&](auto tag) {
              using T = decltype(tag);
              if constexpr (!std::is_floating_point_v<T>) {
                const T* data = col.data<T>() + start;
                for (int64_t k = 0; k < m; ++k) ints[size_t(k)] = int64_t(data[k]);
              }
              return 0;
            },
            [] { return 0; });
        batch = ints.data();
      }
      CountOrBuffer(batch, [base](int64_t k) { return base + k; }, m,
                    hashes_.data(), table_, group_rows_.data(), &radix_ints_, kShift, int_hash,
                    int_find, fold);
      continue;
    }
    const int32_t* batch_rows = rows ? rows + start : nullptr;
    ordinals.resize(size_t(m));
    const int64_t* ord = ordinals.data();
    auto listed = [ord](int64_t k) { return ord[k]; };
    if (mode_ == Mode::kPacked) {
      for (int64_t k = 0; k < m; ++k)
        ordinals[size_t(k)] = first_row + BatchRow(batch_rows, start, k);
      PackIntKeys(keys, batch_rows, start, m);
      CountOrBuffer(
          packed_.data(), listed, m, hashes_.data(), table_, group_rows_.data(), &radix_packed_,
          kShift, [](const internal::PackedKey& k) { return internal::MixPacked(k); },
          [&](const internal::PackedKey& k, uint64_t h) { return table_.FindWide(k, h); }, fold);
      continue;
    }
    // One integer key: its values as int64, NULL rows counted in the head
    // (the NULL group has no slot: it is always there once made).
    ints.clear();
    size_t kept = 0;
    internal::ForEachIntKey(col, batch_rows, start, m,
                            [&](int64_t, int64_t r, bool valid, int64_t v) {
                              if (valid) {
                                ints.push_back(v);
                                ordinals[kept++] = first_row + r;
                                return;
                              }
                              const int32_t g = NullIntGroup();
                              Resize(size_t(table_.size()));
                              int64_t& first = group_first_[size_t(g)];
                              if (first < 0) first = first_row + r;
                              ++group_rows_[size_t(g)];
                            });
    CountOrBuffer(ints.data(), listed, int64_t(ints.size()), hashes_.data(), table_,
                  group_rows_.data(), &radix_ints_, kShift, int_hash, int_find, fold);
  }
}

int64_t GroupByState::RadixBytes() const {
  int64_t b = int64_t(radix_ints_.used_bytes() + radix_packed_.used_bytes());
  for (const GroupByState& p : radix_parts_) b += p.memory_bytes();
  return b;
}

int64_t GroupByState::RadixGroups() const {
  int64_t n = 0;
  for (const GroupByState& p : radix_parts_) n += p.num_groups();
  return n;
}

void GroupByState::AddBuffered(GroupByState* from, size_t p) {
  // A batch at a time: hashes first, then the probes with the slots of rows
  // ahead in flight; then the counts and first ordinals (the minimum: rows
  // of other tables may come after rows of later ordinals).
  constexpr int64_t kAhead = 16;
  uint64_t h[kBatchRows];
  int32_t gids[kBatchRows];
  auto add = [&](auto* lists, auto&& hash, auto&& find) {
    if (lists->empty()) return;
    const auto* e = lists->data(p);
    const int64_t n = int64_t(lists->size(p));
    for (int64_t start = 0; start < n; start += kBatchRows, e += kBatchRows) {
      const int64_t m = std::min(kBatchRows, n - start);
      for (int64_t i = 0; i < m; ++i) h[i] = hash(e[i].key);
      for (int64_t i = 0; i < m; ++i) {
        if (i + kAhead < m) table_.Prefetch(h[i + kAhead]);
        gids[i] = find(e[i].key, h[i]);
      }
      Resize(size_t(table_.size()));
      int64_t* counts = group_rows_.data();
      int64_t* first = group_first_.data();
      for (int64_t i = 0; i < m; ++i) {
        const int32_t g = gids[i];
        ++counts[g];
        if (first[g] < 0 || e[i].row < first[g]) first[g] = e[i].row;
      }
    }
    lists->clear(p);
  };
  add(
      &from->radix_ints_, [](int64_t v) { return internal::MixInt(uint64_t(v)); },
      [&](int64_t v, uint64_t hv) { return table_.FindOrAddInt(v, hv); });
  add(
      &from->radix_packed_, [](const internal::PackedKey& k) { return internal::MixPacked(k); },
      [&](const internal::PackedKey& k, uint64_t hv) { return table_.FindOrAddWide(k, hv); });
}

void GroupByState::SplitHead() {
  auto ints = std::move(radix_ints_);
  auto packed = std::move(radix_packed_);
  auto lists = std::move(radix_parts_);
  Split();  // resets this table, then holds the head's groups in parts_
  radix_ = true;
  radix_ints_ = std::move(ints);
  radix_packed_ = std::move(packed);
  radix_parts_ = std::move(lists);
}

Status GroupByState::FoldRadixInto(GroupByState* to, size_t p, bool release) {
  if (!radix_parts_.empty()) {
    QUIVER_RETURN_NOT_OK(to->Merge(radix_parts_[p]));
    if (release) radix_parts_[p] = radix_parts_[p].EmptyLike();
  }
  to->AddBuffered(this, p);
  return Status::OK();
}

void GroupByState::EndRadix() {
  radix_ = false;
  radix_ints_.Release();
  radix_packed_.Release();
  radix_parts_.clear();
}

Status GroupByState::Seal() {
  if (!radix_) return Status::OK();
  SplitHead();
  for (size_t p = 0; p < parts_.size(); ++p)
    QUIVER_RETURN_NOT_OK(FoldRadixInto(&parts_[p], p, /*release=*/true));
  EndRadix();
  return Status::OK();
}

}  // namespace quiver::kernels
