// Interval text (columnar/interval_text.h): the forms Quiver, DuckDB and
// PostgreSQL print, errors that say what is wrong, and interval columns read
// from CSV into each of Arrow's three interval layouts.
#include "columnar/interval_text.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "columnar/csv.h"
#include "columnar/schema_spec.h"

using namespace quiver;

namespace {

std::string Parts(std::string_view text) {
  IntervalParts p;
  std::string why;
  if (!ParseIntervalText(text, &p, &why)) return "error: " + why;
  return std::to_string(p.months) + "/" + std::to_string(p.days) + "/" + std::to_string(p.nanos);
}

}  // namespace

TEST_CASE("Interval text reads Quiver's, DuckDB's and PostgreSQL's spellings", "[columnar]") {
  CHECK(Parts("1 months 2 days 3 ns") == "1/2/3");
  CHECK(Parts("-40 days 1000 ms") == "0/-40/1000000000");
  CHECK(Parts("1 year 2 mons 3 days 04:05:06.5") == "14/3/14706500000000");
  CHECK(Parts("-2 hours") == "0/0/-7200000000000");
  CHECK(Parts("1 day -00:00:01") == "0/1/-1000000000");
  CHECK(Parts("3 WEEKS 1 Quarter") == "3/21/0");
  CHECK(Parts("90 min 30 sec 5 us") == "0/0/5430000005000");
  CHECK(Parts("  2   days  ") == "0/2/0");
  CHECK(Parts("12:30") == "0/0/45000000000000");
  CHECK(Parts("") == "error: an interval is empty");
  CHECK(Parts("3") == "error: '3' has no unit (day, month, ...)");
  CHECK(Parts("x days") == "error: 'x' is not a whole number");
  CHECK(Parts("1.5 days") == "error: '1.5' is not a whole number");
  CHECK(Parts("3 fortnights").find("error: unknown unit 'fortnights'") == 0);
  CHECK(Parts("04:05:06 1 day").find("error: '04:05:06' is not a time") == 0);
  CHECK(Parts("1 day 25:61") .find("error: '25:61' is not a time") == 0);
  CHECK(Parts("99999999999999999999 days") == "error: '99999999999999999999' is out of range");
  CHECK(Parts("9223372036854775807 hours") == "error: out of range");
}

TEST_CASE("Interval columns read from CSV into each interval layout", "[columnar]") {
  CsvOptions o;
  o.source_name = "iv.csv";
  o.overrides = *ParseSchemaSpec("a:interval,b:interval[day_time],c:interval[year_month]");
  auto t = ReadCsv("a,b,c\n1 months 2 days 3 ns,-40 days 1000 ms,-300\n,,\n2 hours,1 day 00:00:01,1 year\n", o);
  INFO(t.status().message());
  REQUIRE(t.ok());
  REQUIRE(t->batches.size() == 1);
  const RecordBatch& b = t->batches[0];
  const ArrayView a = b.columns[0]->View(), d = b.columns[1]->View(), c = b.columns[2]->View();
  int32_t md[2];
  int64_t ns;
  std::memcpy(md, a.values + 16 * a.offset, 8);
  std::memcpy(&ns, a.values + 16 * a.offset + 8, 8);
  CHECK(md[0] == 1);
  CHECK(md[1] == 2);
  CHECK(ns == 3);
  CHECK(a.IsNull(1));
  int32_t dm[2];
  std::memcpy(dm, d.values + 8 * (d.offset + 2), 8);
  CHECK(dm[0] == 1);
  CHECK(dm[1] == 1000);
  CHECK(c.Value<int32_t>(0) == -300);  // a bare count of months, as Quiver prints year-month intervals
  CHECK(c.Value<int32_t>(2) == 12);
  CHECK(c.IsNull(1));

  auto bad = [&](const std::string& spec, const std::string& csv) {
    CsvOptions x = o;
    x.overrides = *ParseSchemaSpec(spec);
    auto r = ReadCsv(csv, x);
    REQUIRE_FALSE(r.ok());
    return r.status().message();
  };
  CHECK(bad("b:interval[day_time]", "b\n1 ns\n").find("iv.csv:2") != std::string::npos);
  CHECK(bad("b:interval[day_time]", "b\n1 ns\n").find("whole milliseconds") != std::string::npos);
  CHECK(bad("b:interval[day_time]", "b\n1 month\n").find("holds no months") != std::string::npos);
  CHECK(bad("c:interval[year_month]", "c\n3 days\n").find("whole months only") != std::string::npos);
  CHECK(bad("a:interval", "a\n3000000000 months\n").find("out of range for interval") != std::string::npos);
}
