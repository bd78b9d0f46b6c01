// The one grammar of dates and timestamps as text, shared by text ingest
// (columnar/infer.cc), SQL literals (store/query_literals.cc) and the
// kernels' literal and CAST conversions (kernels/scalar.cc):
//
//   YYYY-MM-DD [ (T | t | space) HH:MM [ :SS [ (. | ,) f{1,9} ] ] [ Z | z | ±HH | ±HH:MM | ±HHMM ] ]
//
// Times of day alone (time32/time64 literals): HH:MM[:SS[.f{1,9}]].
// A leap second (:60) reads as :59, as most systems do. Offsets convert to
// UTC. Parsing never allocates: a problem comes back as a code, and
// DateTimeProblemText renders it for messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "columnar/types.h"

namespace quiver {

enum class DateTimeProblem : uint8_t { kNone, kShape, kMonth, kDay, kHour, kMinute, kSecond, kOffset };

struct DateTimeText {
  int64_t days = 0;            // the date, days since 1970-01-01 (before the offset)
  int64_t seconds = 0;         // the instant, UTC seconds since the epoch
  std::string_view fraction;   // digits after the point, as written (0..9 of them)
  bool has_time = false;       // a time of day was written
  int64_t bad_value = 0;       // the out-of-range field, for messages
};

// A date, optionally with a time and an offset.
DateTimeProblem ParseDateTimeText(std::string_view s, DateTimeText* out);
// A time of day: out->seconds is seconds since midnight.
DateTimeProblem ParseTimeOfDayText(std::string_view s, DateTimeText* out);

// "month 13 is out of range", "time zone offset is out of range", ...;
// `shape` for kShape (the form the caller expected).
std::string DateTimeProblemText(DateTimeProblem p, const DateTimeText& t, const char* shape);

// `fraction` as a count of `unit`s (milliseconds of ".5" are 500). False
// when a nonzero digit lies beyond the unit's precision.
bool FractionToUnits(std::string_view fraction, TimeUnit unit, int64_t* out);

// The instant in `unit`s since the epoch; false on int64 overflow or a
// fraction finer than the unit (*excess set for the latter).
bool DateTimeToUnits(const DateTimeText& t, TimeUnit unit, int64_t* out, bool* excess = nullptr);

}  // namespace quiver
