// The one date/time text grammar (columnar/datetime_text.h) that text
// ingest, SQL literals and CAST share.
#include <catch2/catch.hpp>

#include "columnar/datetime_text.h"
#include "columnar/infer.h"

using namespace quiver;

namespace {

// The instant in microseconds, or the problem's text.
std::string Us(std::string_view s) {
  DateTimeText t;
  DateTimeProblem p = ParseDateTimeText(s, &t);
  if (p != DateTimeProblem::kNone) return DateTimeProblemText(p, t, "shape");
  int64_t us = 0;
  bool excess = false;
  if (!DateTimeToUnits(t, TimeUnit::kMicro, &us, &excess)) return excess ? "excess" : "overflow";
  return std::to_string(us) + (t.has_time ? "" : " (date)");
}

}  // namespace

TEST_CASE("One grammar of dates and timestamps", "[columnar]") {
  CHECK(Us("1970-01-02") == "86400000000 (date)");
  CHECK(Us("1970-01-01 00:00:01") == "1000000");
  CHECK(Us("1970-01-01T00:01") == "60000000");
  CHECK(Us("1970-01-01t00:00:00.5z") == "500000");
  CHECK(Us("1970-01-01 00:00:00,25") == "250000");
  CHECK(Us("1970-01-01 01:00:00+01") == "0");
  CHECK(Us("1970-01-01 01:30:00+01:30") == "0");
  CHECK(Us("1970-01-01 00:00:00-0130") == "5400000000");
  CHECK(Us("1969-12-31 23:59:59.5") == "-500000");
  CHECK(Us("2016-12-31 23:59:60") == Us("2016-12-31 23:59:59"));  // a leap second
  CHECK(Us("1970-01-01 00:00:00.0000001") == "excess");
  CHECK(Us("1970-01-01 00:00:00.0000000") == "0");
  CHECK(Us("2020-13-01") == "month 13 is out of range");
  CHECK(Us("2021-02-29") == "day 29 is out of range for the month");
  CHECK(Us("2020-01-01 24:00") == "hour 24 is out of range");
  CHECK(Us("2020-01-01 10:60") == "minute 60 is out of range");
  CHECK(Us("2020-01-01 10:00:61") == "second 61 is out of range");
  CHECK(Us("2020-01-01 10:00+24:00") == "time zone offset is out of range");
  for (const char* bad : {"2020-1-01", "2020-01-01x", "2020-01-01 10", "2020-01-01 10:00:00.", "2020-01-01 10:00 UTC",
                          "2020-01-01 10:00:00.1234567890", "", "20200101"}) {
    CHECK(Us(bad) == "shape");
  }
  DateTimeText t;
  CHECK(ParseTimeOfDayText("23:59:59.999", &t) == DateTimeProblem::kNone);
  CHECK(t.seconds == 86399);
  CHECK(t.fraction == "999");
  CHECK(ParseTimeOfDayText("2020-01-01", &t) == DateTimeProblem::kShape);
  // Text ingest reads the same grammar.
  int64_t v = 0;
  CHECK(ParseTimestampText("1970-01-01 01:30:00+01:30", TimeUnit::kSecond, true, &v));
  CHECK(v == 0);
  int32_t d = 0;
  CHECK(ParseDateText("1970-01-03", &d));
  CHECK(d == 2);
  CHECK_FALSE(ParseDateText("1970-01-03 00:00", &d));
}
