#include "kernels/mask.h"

#include <cstring>

#include "kernels/dispatch_internal.h"

namespace quiver::kernels {
namespace {

void ClearTail(std::vector<uint64_t>* words, int64_t n) {
  if (n % 64 != 0 && !words->empty()) words->back() &= (uint64_t(1) << (n % 64)) - 1;
}

std::vector<uint64_t> Ones(int64_t n) {
  std::vector<uint64_t> w(size_t(Mask::WordsFor(n)), ~uint64_t(0));
  ClearTail(&w, n);
  return w;
}

Status CheckLengths(const Mask& a, const Mask& b, const char* op) {
  if (a.length != b.length) {
    return Status::Invalid(std::string(op) + " of masks of different lengths (" +
                           std::to_string(a.length) + " and " + std::to_string(b.length) + ")");
  }
  return Status::OK();
}

}  // namespace

Mask Mask::AllTrue(int64_t n) {
  Mask m;
  m.length = n;
  m.is_true = Ones(n);
  return m;
}

Mask Mask::AllFalse(int64_t n) {
  Mask m;
  m.length = n;
  m.is_true.assign(size_t(WordsFor(n)), 0);
  return m;
}

Mask Mask::AllNull(int64_t n) {
  Mask m = AllFalse(n);
  m.is_known.assign(size_t(WordsFor(n)), 0);
  return m;
}

Mask Mask::FromSelection(const SelectionVector& rows, int64_t n) {
  Mask m = AllFalse(n);
  for (int32_t r : rows) m.is_true[size_t(r) >> 6] |= uint64_t(1) << (r & 63);
  return m;
}

void Mask::Normalize() {
  if (is_known.empty()) return;
  std::vector<uint64_t> ones = Ones(length);
  if (is_known == ones) is_known.clear();
}

// Kleene AND: TRUE if both TRUE; FALSE if either FALSE; else NULL.
// With T = is_true and F = is_known & ~is_true:
//   T' = Ta & Tb,  F' = Fa | Fb,  known' = T' | F'.
Result<Mask> And(const Mask& a, const Mask& b) {
  QUIVER_RETURN_NOT_OK(CheckLengths(a, b, "AND"));
  Mask m;
  m.length = a.length;
  size_t nw = size_t(Mask::WordsFor(a.length));
  m.is_true.resize(nw);
  for (size_t i = 0; i < nw; ++i) m.is_true[i] = a.is_true[i] & b.is_true[i];
  if (a.has_nulls() || b.has_nulls()) {
    m.is_known.resize(nw);
    for (size_t i = 0; i < nw; ++i) {
      uint64_t ka = a.has_nulls() ? a.is_known[i] : ~uint64_t(0);
      uint64_t kb = b.has_nulls() ? b.is_known[i] : ~uint64_t(0);
      uint64_t fa = ka & ~a.is_true[i], fb = kb & ~b.is_true[i];
      m.is_known[i] = m.is_true[i] | fa | fb;
    }
    ClearTail(&m.is_known, m.length);
    m.Normalize();
  }
  return m;
}

// Kleene OR: TRUE if either TRUE; FALSE if both FALSE; else NULL.
Result<Mask> Or(const Mask& a, const Mask& b) {
  QUIVER_RETURN_NOT_OK(CheckLengths(a, b, "OR"));
  Mask m;
  m.length = a.length;
  size_t nw = size_t(Mask::WordsFor(a.length));
  m.is_true.resize(nw);
  for (size_t i = 0; i < nw; ++i) m.is_true[i] = a.is_true[i] | b.is_true[i];
  if (a.has_nulls() || b.has_nulls()) {
    m.is_known.resize(nw);
    for (size_t i = 0; i < nw; ++i) {
      uint64_t ka = a.has_nulls() ? a.is_known[i] : ~uint64_t(0);
      uint64_t kb = b.has_nulls() ? b.is_known[i] : ~uint64_t(0);
      uint64_t fa = ka & ~a.is_true[i], fb = kb & ~b.is_true[i];
      m.is_known[i] = m.is_true[i] | (fa & fb);
    }
    ClearTail(&m.is_known, m.length);
    m.Normalize();
  }
  return m;
}

Mask Not(const Mask& a) {
  Mask m;
  m.length = a.length;
  m.is_known = a.is_known;
  size_t nw = size_t(Mask::WordsFor(a.length));
  m.is_true.resize(nw);
  for (size_t i = 0; i < nw; ++i) {
    uint64_t k = a.has_nulls() ? a.is_known[i] : ~uint64_t(0);
    m.is_true[i] = k & ~a.is_true[i];
  }
  ClearTail(&m.is_true, m.length);
  return m;
}

int64_t CountTrue(const Mask& m) {
  return internal::Kernels().count_bits(m.is_true.data(), int64_t(m.is_true.size()));
}

SelectedRows::SelectedRows(const Mask* filter, int64_t n) : count(n) {
  if (filter == nullptr) return;
  sel = ToSelection(*filter);
  rows = sel.data();
  count = int64_t(sel.size());
}

SelectionVector ToSelection(const Mask& m) {
  SelectionVector out(size_t(CountTrue(m)));
  int32_t* p = out.data();
  for (size_t w = 0; w < m.is_true.size(); ++w) {
    uint64_t word = m.is_true[w];
    const int32_t base = int32_t(w * 64);
    if (word == ~uint64_t(0)) {  // a run of 64 kept rows
      for (int32_t j = 0; j < 64; ++j) p[j] = base + j;
      p += 64;
      continue;
    }
    for (; word != 0; word &= word - 1) *p++ = base + int32_t(__builtin_ctzll(word));
  }
  return out;
}

void CopyBitmap(const uint8_t* bits, int64_t offset, int64_t n, uint64_t* out) {
  int64_t nw = Mask::WordsFor(n);
  int64_t total_bytes = BytesForBits(offset + n);
  for (int64_t w = 0; w < nw; ++w) {
    int64_t start = offset + w * 64;
    int64_t byte = start >> 3;
    int shift = int(start & 7);
    uint64_t x;
    if (byte + 9 <= total_bytes) {
      std::memcpy(&x, bits + byte, 8);
      x >>= shift;
      if (shift != 0) x |= uint64_t(bits[byte + 8]) << (64 - shift);
    } else {
      unsigned __int128 acc = 0;
      for (int64_t k = 0; byte + k < total_bytes && k < 9; ++k) {
        acc |= static_cast<unsigned __int128>(bits[byte + k]) << (8 * k);
      }
      x = uint64_t(acc >> shift);
    }
    int64_t remaining = n - w * 64;
    if (remaining < 64) x &= (uint64_t(1) << remaining) - 1;
    out[w] = x;
  }
}

}  // namespace quiver::kernels
