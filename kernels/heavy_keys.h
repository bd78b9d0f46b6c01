// Heavy keys first: GROUP BY ... ORDER BY COUNT(*) DESC LIMIT k without an
// exact count of every key.
//
// Counting millions of keys exactly costs a probe of a hash table far larger
// than the cache for every row. When a few keys hold most rows (the users,
// URLs and search phrases of web analytics), the k largest counts are
// decided by those keys alone. CountSketch is a count-min sketch of the
// rows' group keys: two rows of 2^16 counters, each key adding one to a
// counter per row (chosen by two halves of a 64-bit hash of the key), so
// that Bound(key) — the smaller of its two counters — is at least the
// key's count. After a first pass over every row, a key whose bound is
// below a threshold t cannot have t rows; if k keys end up with exact
// counts of at least t, no key left out belongs among the k largest (nor
// ties with the k-th). The second pass counts exactly only the rows whose
// key's bound reaches t (Admit): a table of a few thousand keys, in cache.
// The caller checks the k-th exact count against t, and counts every key
// when the check fails.
//
// Equal group keys (as GroupByState groups them: strings by bytes whether
// plain or dictionary, -0.0 as 0.0, every NaN one value, NULL one value)
// hash equal (KeyHashes), so each key's rows all pass or all fail Admit
// and an admitted key's aggregates are complete. Unequal keys may share a
// hash: that only loosens their bounds.
//
// Thread-safety: none; one sketch per worker, then Merge.
#pragma once

#include <cstdint>
#include <vector>

#include "columnar/array.h"
#include "kernels/mask.h"

namespace quiver::kernels {

// A 64-bit hash of each row's group key (all of `keys`, in order): rows
// rows[0, n), or base .. base + n when rows is null; out[k] for row k.
void KeyHashes(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base, int64_t n,
               uint64_t* out);

class CountSketch {
 public:
  static constexpr int kWidthBits = 16;
  static constexpr size_t kWidth = size_t(1) << kWidthBits;
  // Counters are 32-bit: a sketch counts fewer than 2^32 rows in all.
  static constexpr int64_t kMaxRows = (int64_t(1) << 32) - 1;

  CountSketch() : counts_(2 * kWidth, 0) {}

  // Counts the rows of a batch of n rows (those `filter` holds TRUE, or
  // every row) by their key. With `hashes`, it is set to the key hashes of
  // those rows, for Admit to use again.
  void AddRows(const std::vector<ArrayView>& keys, int64_t n, const Mask* filter,
               std::vector<uint64_t>* hashes = nullptr);
  // Adds another sketch's counts (the same key hashes).
  void Merge(const CountSketch& o);
  // The rows of a batch of n rows that `filter` (if any) holds TRUE and
  // whose key's bound is at least t. `hashes`: the key hashes AddRows gave
  // for the same rows, used when it holds one per row (else the keys are
  // hashed again).
  Mask Admit(const std::vector<ArrayView>& keys, int64_t n, const Mask* filter, uint64_t t,
             const std::vector<uint64_t>* hashes = nullptr) const;

  // How HeavyThreshold judges a sketch.
  struct Judgement {
    // The sketch of every row (else of a prefix of them).
    bool final = false;
    // Each row costs far more than a probe of the key table (a
    // COUNT(DISTINCT) inserts into a set of its own).
    bool costly = false;
    // The threshold is the k-th largest counter over this, or over half
    // this, ... down to 2, the first that leaves few enough rows for pass
    // 2: 2 when the order is by the rows of a group; 4 for a
    // COUNT(DISTINCT), which is at most the rows and often about half.
    int divisor = 2;
  };
  // The threshold for the k largest counts, judged on the rows counted so
  // far out of `scanned` rows read (WHERE's rows and the rest): the smaller
  // of the two rows' k-th largest counters over j.divisor (or a smaller
  // divisor, see Judgement). When the k heaviest keys are far heavier than
  // the rest it is below the k-th count, so the caller's check after the
  // second pass holds (when it is not, the check fails and the caller
  // counts every key). 0 when a second pass would not pay:
  //  - WHERE kept fewer than 1 row in 16 (the scan, twice, costs more than
  //    counting the few rows);
  //  - no k keys stand out: the threshold is under 8 times the mean
  //    counter, or the counters that reach it hold a quarter of the rows
  //    (so also when there are few keys) — half of them when `costly`;
  //  - `final` and not `costly`: fewer than kMinKeys keys, whose table is
  //    in cache already. (A prefix of the rows shows fewer keys than the
  //    whole, so a judgement on a prefix leaves this out.)
  uint64_t HeavyThreshold(int64_t k, int64_t scanned, const Judgement& j) const;
  static constexpr double kMinKeys = 16384;
  int64_t rows() const { return rows_; }
  size_t memory_bytes() const { return counts_.size() * sizeof(uint32_t); }

 private:
  // The smaller of the two rows' k-th largest counters over `divisor` (at
  // least 1).
  uint64_t Threshold(int64_t k, int divisor) const;
  // An upper estimate of the rows Admit(t) keeps: the rows in counters of
  // at least t in the first row of counters.
  int64_t RowsAtLeast(uint64_t t) const;
  // The distinct keys counted, estimated by linear counting over the first
  // row of counters (a lower bound once most counters are in use).
  double DistinctKeys() const;
  uint64_t Bound(uint64_t h) const {
    const uint32_t a = counts_[h & (kWidth - 1)];
    const uint32_t b = counts_[kWidth + ((h >> 32) & (kWidth - 1))];
    return a < b ? a : b;
  }
  // Sets bit r of `bits` for each row r = rows[k] (or base + k), k < m,
  // whose key hash h[k] has a bound of at least t.
  void MarkAdmitted(const uint64_t* h, const int32_t* rows, int64_t base, int64_t m, uint64_t t,
                    uint64_t* bits) const;
  std::vector<uint32_t> counts_;  // two rows of kWidth counters
  int64_t rows_ = 0;
  std::vector<uint64_t> hashes_;  // scratch: a batch's key hashes
};

}  // namespace quiver::kernels
