// Mask: the result of a predicate over n rows, in SQL's three-valued logic,
// and the conversions between the two selection representations.
//
// Why bitmaps: compare kernels produce one bit per row at SIMD speed (a
// movemask per vector), AND/OR/NOT of predicates are word operations, a
// count is a popcount, and aggregates consume 64-row blocks (skipping empty
// words, taking full words at full vector speed). A mask costs n/8 bytes
// whatever the selectivity. Take and sort want row numbers instead, so
// ToSelection() converts a mask into a SelectionVector (ascending int32 row
// indices, columnar/array.h) once the predicate tree is fully combined;
// FromSelection() goes back.
//
// Three-valued logic: each row is TRUE, FALSE or NULL (unknown). A mask holds
// two bitmaps: `is_true` and `is_known` (not NULL); `is_true` is a subset of
// `is_known`. An empty `is_known` means every row is known (no NULLs), which
// is the common case and costs nothing. A query keeps the rows that are TRUE.
// Both bitmaps start at row 0 (no offset) and bits at positions >= length
// are zero.
//
// Mask is a movable value type; distinct masks may be used from distinct
// threads.
#pragma once

#include <cstdint>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"

namespace quiver::kernels {

struct Mask {
  int64_t length = 0;
  std::vector<uint64_t> is_true;   // ceil(length / 64) words
  std::vector<uint64_t> is_known;  // empty, or ceil(length / 64) words

  static int64_t WordsFor(int64_t n) { return (n + 63) / 64; }
  // Every row TRUE / FALSE / NULL.
  static Mask AllTrue(int64_t n);
  static Mask AllFalse(int64_t n);
  static Mask AllNull(int64_t n);
  // TRUE at the listed rows (ascending or not), FALSE elsewhere.
  static Mask FromSelection(const SelectionVector& rows, int64_t n);

  bool has_nulls() const { return !is_known.empty(); }
  bool IsTrue(int64_t i) const { return (is_true[i >> 6] >> (i & 63)) & 1; }
  bool IsNull(int64_t i) const {
    return has_nulls() && !((is_known[i >> 6] >> (i & 63)) & 1);
  }
  // Drops an all-ones is_known bitmap.
  void Normalize();
};

// SQL AND / OR / NOT (Kleene logic). Lengths must match (Invalid otherwise).
Result<Mask> And(const Mask& a, const Mask& b);
Result<Mask> Or(const Mask& a, const Mask& b);
Mask Not(const Mask& a);

// Number of TRUE rows.
int64_t CountTrue(const Mask& m);

// The rows of a batch of n that a kernel loops over: the TRUE rows of
// `filter` (`rows` points into `sel`), or with no filter every row (`rows`
// null: row k is k). Not copyable (rows points into sel).
struct SelectedRows {
  SelectedRows(const Mask* filter, int64_t n);
  SelectedRows(const SelectedRows&) = delete;
  SelectedRows& operator=(const SelectedRows&) = delete;
  SelectionVector sel;
  const int32_t* rows = nullptr;
  int64_t count = 0;
};
// The TRUE rows, ascending.
SelectionVector ToSelection(const Mask& m);

// Copies n bits starting at bit `offset` of an LSB-first bitmap into words
// starting at bit 0 (bits past n zeroed). Used for validity bitmaps.
void CopyBitmap(const uint8_t* bits, int64_t offset, int64_t n, uint64_t* out);

}  // namespace quiver::kernels
