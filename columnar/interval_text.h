// Interval text: the one grammar for INTERVAL literals in SQL and interval
// columns read from CSV and NDJSON.
//
//   [+|-]N unit [[+|-]N unit ...] [[+|-]HH:MM[:SS[.f]]]
//
// unit: year, quarter, month (mon), week, day, hour, minute (min), second
// (sec), millisecond (ms), microsecond (us), nanosecond (ns); a trailing s
// and any case allowed. This reads back what Quiver prints
// (`1 months 2 days 3 ns`, `-40 days 1000 ms`) and what DuckDB and PostgreSQL
// print (`1 year 2 mons 3 days 04:05:06.5`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace quiver {

struct IntervalParts {
  int64_t months = 0;
  int64_t days = 0;
  int64_t nanos = 0;
};

// Parses `text`; on failure returns false and says why in *why ("unknown
// unit 'fortnight'", "'x' is not a whole number", "out of range").
bool ParseIntervalText(std::string_view text, IntervalParts* out, std::string* why);

}  // namespace quiver
