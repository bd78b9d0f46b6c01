#include "kernels/heavy_keys.h"

// XXH3 inlined: most key strings are short, where a call costs as much as
// the hash.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <type_traits>

#include "kernels/grouped_agg_internal.h"

namespace quiver::kernels {
namespace {

using internal::CanonicalBits;
using internal::Mix64;

// The hash of a NULL key value, and each key column's salt step.
constexpr uint64_t kNullKeyHash = 0x6e756c6c6b657921ull;
constexpr uint64_t kColumnSalt = 0x9e3779b97f4a7c15ull;
// Rows hashed at a time: the hashes of a block stay in L1.
constexpr int64_t kBlock = 1024;

// The hash of each row's value of one key column (kNullKeyHash for NULL):
// the canonical bits of a number or bool, XXH3 of a string's bytes (plain
// or dictionary) or of a decimal's, interval's or float16's stored bytes.
void ColumnHashes(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                  uint64_t* out) {
  std::fill(out, out + n, kNullKeyHash);
  internal::ForEachValue(col, rows, base, n, [&](int64_t k, auto v) {
    if constexpr (std::is_same_v<decltype(v), std::string_view>) {
      out[k] = XXH3_64bits(v.data(), v.size());
    } else {
      out[k] = CanonicalBits(v);
    }
  });
}

}  // namespace

void KeyHashes(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base, int64_t n,
               uint64_t* out) {
  uint64_t col[kBlock];
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t m = std::min(kBlock, n - start);
    const int32_t* r = rows ? rows + start : nullptr;
    uint64_t* h = out + start;
    for (size_t c = 0; c < keys.size(); ++c) {
      ColumnHashes(keys[c], r, base + start, m, col);
      const uint64_t salt = kColumnSalt * (c + 1);
      if (c == 0) {
        for (int64_t k = 0; k < m; ++k) h[k] = Mix64(col[k] + salt);
      } else {
        for (int64_t k = 0; k < m; ++k) h[k] = Mix64(h[k] ^ (col[k] + salt));
      }
    }
  }
}

void CountSketch::AddRows(const std::vector<ArrayView>& keys, int64_t n, const Mask* filter,
                          std::vector<uint64_t>* hashes) {
  const SelectedRows selected(filter, n);
  const int32_t* rows = selected.rows;
  n = selected.count;
  uint64_t* h = nullptr;
  if (hashes != nullptr) {
    hashes->resize(size_t(n));
    h = hashes->data();
  } else {
    hashes_.resize(size_t(std::min(n, kBlock)));
  }
  uint32_t* a = counts_.data();
  uint32_t* b = a + kWidth;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t m = std::min(kBlock, n - start);
    uint64_t* hb = h ? h + start : hashes_.data();
    KeyHashes(keys, rows ? rows + start : nullptr, start, m, hb);
    for (int64_t k = 0; k < m; ++k) {
      ++a[hb[k] & (kWidth - 1)];
      ++b[(hb[k] >> 32) & (kWidth - 1)];
    }
  }
  rows_ += n;
}

void CountSketch::Merge(const CountSketch& o) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
  rows_ += o.rows_;
}

Mask CountSketch::Admit(const std::vector<ArrayView>& keys, int64_t n, const Mask* filter,
                        uint64_t t, const std::vector<uint64_t>* hashes) const {
  Mask out = Mask::AllFalse(n);
  const SelectedRows sr(filter, n);
  const int32_t* rows = sr.rows;
  if (hashes != nullptr && int64_t(hashes->size()) == sr.count) {
    MarkAdmitted(hashes->data(), rows, 0, sr.count, t, out.is_true.data());
    return out;
  }
  uint64_t h[kBlock];
  for (int64_t start = 0; start < sr.count; start += kBlock) {
    const int64_t m = std::min(kBlock, sr.count - start);
    KeyHashes(keys, rows ? rows + start : nullptr, start, m, h);
    MarkAdmitted(h, rows ? rows + start : nullptr, start, m, t, out.is_true.data());
  }
  return out;
}

void CountSketch::MarkAdmitted(const uint64_t* h, const int32_t* rows, int64_t base, int64_t m,
                               uint64_t t, uint64_t* bits) const {
  for (int64_t k = 0; k < m; ++k) {
    const int64_t r = rows ? rows[k] : base + k;
    bits[r >> 6] |= uint64_t(Bound(h[k]) >= t) << (r & 63);
  }
}

uint64_t CountSketch::Threshold(int64_t k, int divisor) const {
  if (k <= 0) return 1;
  uint64_t lowest = ~uint64_t(0);
  std::vector<uint32_t> row(kWidth);
  for (size_t r = 0; r < 2; ++r) {
    std::copy(counts_.begin() + r * kWidth, counts_.begin() + (r + 1) * kWidth, row.begin());
    const size_t kth = size_t(std::min<int64_t>(k, int64_t(kWidth))) - 1;
    std::nth_element(row.begin(), row.begin() + kth, row.end(), std::greater<uint32_t>());
    lowest = std::min<uint64_t>(lowest, row[kth]);
  }
  return std::max<uint64_t>(1, lowest / uint64_t(std::max(divisor, 1)));
}

uint64_t CountSketch::HeavyThreshold(int64_t k, int64_t scanned, const Judgement& j) const {
  if (rows_ == 0 || rows_ * 16 < scanned) return 0;
  if (j.final && !j.costly && DistinctKeys() < kMinKeys) return 0;
  // From the lowest threshold (the surest check) to the highest (the
  // fewest rows in pass 2).
  for (int d = std::max(j.divisor, 2); d >= 2; d /= 2) {
    const uint64_t t = Threshold(k, d);
    if (double(t) < 8 * double(rows_) / double(kWidth)) return 0;
    if (RowsAtLeast(t) * (j.costly ? 2 : 4) < rows_) return t;
  }
  return 0;
}

double CountSketch::DistinctKeys() const {
  size_t zeros = 0;
  for (size_t i = 0; i < kWidth; ++i) zeros += counts_[i] == 0;
  if (zeros == 0) zeros = 1;
  return -double(kWidth) * std::log(double(zeros) / double(kWidth));
}

int64_t CountSketch::RowsAtLeast(uint64_t t) const {
  int64_t n = 0;
  for (size_t i = 0; i < kWidth; ++i) {
    if (counts_[i] >= t) n += counts_[i];
  }
  return n;
}

}  // namespace quiver::kernels
