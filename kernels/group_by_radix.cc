// GroupByState's radix mode (group_by.h, kRadixGroups): a table of many
// groups stops adding keys to its own table. That table (the head: the
// keys seen first, which for skewed data are the frequent ones) keeps
// counting the rows of its keys, in the cache; every other row is appended,
// key and ordinal, to the list of its partition (the top kPartitionBits
// bits of the key's hash, as Split). The lists are looked up one partition
// at a time, where a partition's table fits in the cache: into radix_parts_
// once they hold kRadixBytes, or straight into the merged partition by
// FinalizeAll (no per-thread table for those rows at all).
//
// Why: measured on ClickBench's GROUP BY UserID (a million distinct
// integers at 10M rows), probing one table larger than the L2 cache missed
// it on most rows even with the slot prefetched 16 rows ahead; appending
// to 64 lists streams through memory instead.
#include <algorithm>

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
  if (mode_ == Mode::kSingleInt) {
    radix_ints_.resize(nparts);
  } else {
    radix_packed_.resize(nparts);
  }
}

namespace {

// Looks up n keys in the head table (hashes first, then the probes with
// the slot of a key ahead in flight): a key it holds counts there, any
// other is appended to its partition's list.
template <typename Key, typename Entry, typename Hash, typename Find>
void CountOrBuffer(const Key* keys, const int64_t* ordinals, int64_t n, uint64_t* h,
                   const internal::GroupKeyTable& head, int64_t* counts,
                   std::vector<internal::ScratchVector<Entry>>* lists, int shift, Hash&& hash,
                   Find&& find) {
  constexpr int64_t kAhead = 16;
  for (int64_t k = 0; k < n; ++k) h[k] = hash(keys[k]);
  for (int64_t k = 0; k < n; ++k) {
    if (k + kAhead < n) head.Prefetch(h[k + kAhead]);
    const int32_t g = find(keys[k], h[k]);
    if (g >= 0) {
      ++counts[g];
    } else {
      (*lists)[h[k] >> shift].push_back(Entry{keys[k], ordinals[k]});
    }
  }
}

}  // namespace

void GroupByState::BufferRows(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t n,
                              int64_t first_row) {
  constexpr int kShift = 64 - kPartitionBits;  // a key's partition: the top bits of its hash
  std::vector<int64_t> ordinals;
  std::vector<int64_t> ints;
  for (int64_t start = 0; start < n; start += kBatchRows) {
    const int64_t m = std::min(kBatchRows, n - start);
    const int32_t* batch_rows = rows ? rows + start : nullptr;
    ordinals.resize(size_t(m));
    if (mode_ == Mode::kPacked) {
      for (int64_t k = 0; k < m; ++k)
        ordinals[size_t(k)] = first_row + BatchRow(batch_rows, start, k);
      PackIntKeys(keys, batch_rows, start, m);
      hashes_.resize(size_t(m));
      CountOrBuffer<internal::PackedKey, BufferedPacked>(
          packed_.data(), ordinals.data(), m, hashes_.data(), table_, group_rows_.data(),
          &radix_packed_, kShift,
          [](const internal::PackedKey& k) { return internal::MixPacked(k); },
          [&](const internal::PackedKey& k, uint64_t h) { return table_.FindWide(k, h); });
      continue;
    }
    // One integer key: its values as int64, NULL rows counted in the head
    // (the NULL group has no slot: it is always there once made).
    ints.clear();
    size_t kept = 0;
    internal::ForEachIntKey(keys[0], batch_rows, start, m,
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
    hashes_.resize(ints.size());
    CountOrBuffer<int64_t, BufferedInt>(
        ints.data(), ordinals.data(), int64_t(ints.size()), hashes_.data(), table_,
        group_rows_.data(), &radix_ints_, kShift,
        [](int64_t v) { return internal::MixInt(uint64_t(v)); },
        [&](int64_t v, uint64_t h) { return table_.FindInt(v, h); });
  }
  int64_t listed = 0;
  for (const auto& l : radix_ints_) listed += int64_t(l.size() * sizeof(BufferedInt));
  for (const auto& l : radix_packed_) listed += int64_t(l.size() * sizeof(BufferedPacked));
  if (listed > radix_limits_.list_bytes) FoldLists(/*release=*/false);
}

int64_t GroupByState::RadixBytes() const {
  int64_t b = 0;
  for (const auto& v : radix_ints_) b += int64_t(v.capacity() * sizeof(BufferedInt));
  for (const auto& v : radix_packed_) b += int64_t(v.capacity() * sizeof(BufferedPacked));
  for (const GroupByState& p : radix_parts_) b += p.memory_bytes();
  return b;
}

int64_t GroupByState::RadixGroups() const {
  int64_t n = 0;
  for (const GroupByState& p : radix_parts_) n += p.num_groups();
  return n;
}

void GroupByState::AddBuffered(GroupByState* from, size_t p, bool release) {
  // Hashes first, then the probes with the slots of rows ahead in flight;
  // then the counts and first ordinals (the minimum: rows of other tables
  // may come after rows of later ordinals).
  constexpr size_t kAhead = 16;
  std::vector<int32_t> gids;
  auto add = [&](auto& list, auto&& hash, auto&& find) {
    const size_t n = list.size();
    const auto* e = list.data();
    hashes_.resize(n);
    gids.resize(n);
    uint64_t* h = hashes_.data();
    for (size_t i = 0; i < n; ++i) h[i] = hash(e[i].key);
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) table_.Prefetch(h[i + kAhead]);
      gids[i] = find(e[i].key, h[i]);
    }
    Resize(size_t(table_.size()));
    int64_t* counts = group_rows_.data();
    int64_t* first = group_first_.data();
    for (size_t i = 0; i < n; ++i) {
      const int32_t g = gids[i];
      ++counts[g];
      if (first[g] < 0 || e[i].row < first[g]) first[g] = e[i].row;
    }
    if (release) {
      list = {};
    } else {
      list.clear();
    }
  };
  if (!from->radix_ints_.empty()) {
    add(
        from->radix_ints_[p], [](int64_t v) { return internal::MixInt(uint64_t(v)); },
        [&](int64_t v, uint64_t h) { return table_.FindOrAddInt(v, h); });
  }
  if (!from->radix_packed_.empty()) {
    add(
        from->radix_packed_[p],
        [](const internal::PackedKey& k) { return internal::MixPacked(k); },
        [&](const internal::PackedKey& k, uint64_t h) { return table_.FindOrAddWide(k, h); });
  }
}

void GroupByState::FoldLists(bool release) {
  if (radix_parts_.empty()) {
    for (size_t p = 0; p < (size_t(1) << kPartitionBits); ++p) radix_parts_.push_back(EmptyLike());
  }
  for (size_t p = 0; p < radix_parts_.size(); ++p) radix_parts_[p].AddBuffered(this, p, release);
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
  to->AddBuffered(this, p, release);
  return Status::OK();
}

void GroupByState::EndRadix() {
  radix_ = false;
  radix_ints_.clear();
  radix_packed_.clear();
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
