// Predicates: column op literal → Mask (kernels/mask.h), with SQL semantics.
//
// Every predicate takes a column view and typed literals (kernels/scalar.h)
// and returns one Mask over the view's rows. A NULL row gives NULL (except
// IS [NOT] NULL); a NULL literal gives NULL for every row. Literals are
// converted to the column's type with SQL rules (CastLiteral): a literal that
// cannot be (e.g. 'abc' against an int64 column) is a TypeError, never a
// silent false. A numeric literal outside the column's range or with a
// fraction compares as the exact number it is: int8 column < 1000 is TRUE for
// every non-NULL row, int column = 2.5 is FALSE, int column < 2.5 is <= 2.
//
// Types: every integer and float type, date32 and timestamp (SIMD kernels,
// dispatch.h), bool, utf8/binary (equality, ordering, starts_with, contains,
// LIKE) and dictionary-encoded utf8: those evaluate the predicate once on the
// dictionary and then map the indices through the result (a single matching
// entry becomes a SIMD compare on the indices).
//
// Floats follow IEEE: NaN compares FALSE with everything except !=.
//
// Thread-safety: all functions are pure; the views must stay alive for the
// call only. The returned Mask owns its bits.
#pragma once

#include <string_view>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"
#include "kernels/compare_op.h"
#include "kernels/mask.h"
#include "kernels/scalar.h"

namespace quiver::kernels {

// col op lit.
Result<Mask> Compare(const ArrayView& col, CompareOp op, const Scalar& lit);
// lo <= col AND col <= hi (SQL BETWEEN, NULL bounds give NULL or FALSE).
Result<Mask> Between(const ArrayView& col, const Scalar& lo, const Scalar& hi);
// col IN (values...). A NULL in the list makes non-matching rows NULL.
// Small lists run as SIMD compares; larger ones probe a hash set.
Result<Mask> In(const ArrayView& col, const std::vector<Scalar>& values);
// IS NULL / IS NOT NULL: never NULL themselves. For a dictionary column a row
// whose dictionary entry is NULL is NULL.
Mask IsNull(const ArrayView& col);
Mask IsNotNull(const ArrayView& col);

// utf8 / binary / dictionary<utf8> only (TypeError otherwise).
Result<Mask> StartsWith(const ArrayView& col, std::string_view prefix);
Result<Mask> EndsWith(const ArrayView& col, std::string_view suffix);
Result<Mask> Contains(const ArrayView& col, std::string_view needle);
// SQL LIKE: '%' matches any sequence, '_' one UTF-8 character, `escape`
// makes the next pattern character literal. Case-sensitive.
Result<Mask> Like(const ArrayView& col, std::string_view pattern, char escape = '\\');

// The LIKE matcher on one string (also the scalar reference).
bool LikeMatch(std::string_view s, std::string_view pattern, char escape = '\\');

}  // namespace quiver::kernels
