// Date and time functions (kernels/fn_date.cc, fn_date_format.cc). Expected
// values are DuckDB 1.5's answers.
#include <limits>

#include "kernels/scalar.h"
#include "tests/kernels/function_text_test_util.h"

using namespace fntest;
using quiver::StatusCode;

namespace {

const TimeUnit kUnits[] = {TimeUnit::kSecond, TimeUnit::kMilli, TimeUnit::kMicro, TimeUnit::kNano};

int64_t Days(const char* text);

// 'YYYY-MM-DD HH:MM:SS[.f]' in `unit` (truncated toward -inf for coarser
// units). Parsed here, not by ParseTimestampNanos, whose nanoseconds stop at
// 1677..2262.
int64_t Ts(const char* text, TimeUnit unit = TimeUnit::kMicro) {
  const std::string s = text;
  REQUIRE(s.size() >= 19);
  const int64_t secs = Days(s.substr(0, 10).c_str()) * 86400 + std::stoll(s.substr(11, 2)) * 3600 +
                       std::stoll(s.substr(14, 2)) * 60 + std::stoll(s.substr(17, 2));
  std::string frac = s.size() > 20 ? s.substr(20) : "";
  frac.resize(9, '0');
  const int64_t per_sec = quiver::UnitsPerSecond(unit);
  return secs * per_sec + std::stoll(frac) / (1000000000 / per_sec);
}
int64_t Days(const char* text) {
  auto d = quiver::kernels::ParseDate32(text);
  REQUIRE(d.ok());
  return *d;
}

Datum TsCol(const std::vector<const char*>& texts, TimeUnit unit = TimeUnit::kMicro) {
  std::vector<OptInt> v;
  for (const char* t : texts) v.push_back(t ? OptInt(Ts(t, unit)) : std::nullopt);
  return Col(Ints(v, DataType::Timestamp(unit)));
}
Datum DateCol(const std::vector<const char*>& texts) {
  std::vector<OptInt> v;
  for (const char* t : texts) v.push_back(t ? OptInt(Days(t)) : std::nullopt);
  return Col(Ints(v, DataType(TypeId::kDate32)));
}
Datum TsLit(const char* text, TimeUnit unit = TimeUnit::kMicro) {
  return Lit(Scalar::Timestamp(Ts(text, unit), unit));
}
Datum DateLit(const char* text) { return Lit(Scalar::Date32(int32_t(Days(text)))); }

// Instants before 1970, on leap days, after 2038, and a NULL.
const std::vector<const char*> kInstants = {"1969-12-31 23:59:58.25",
                                            "2024-02-29 13:45:30.123456",
                                            "1900-03-01 00:00:00",
                                            "2100-12-31 23:59:59.999999",
                                            "2038-01-19 03:14:08",
                                            "1600-02-29 12:00:00",
                                            nullptr};

}  // namespace

TEST_CASE("date_part gives every field of timestamps before 1970 and after 2038", "[kernels]") {
  // DuckDB: date_part(field, t) for each instant of kInstants.
  const std::pair<const char*, Strs> want[] = {
      {"year", {"1969", "2024", "1900", "2100", "2038", "1600", "NULL"}},
      {"quarter", {"4", "1", "1", "4", "1", "1", "NULL"}},
      {"month", {"12", "2", "3", "12", "1", "2", "NULL"}},
      {"week", {"1", "9", "9", "52", "3", "9", "NULL"}},
      {"day", {"31", "29", "1", "31", "19", "29", "NULL"}},
      {"dow", {"3", "4", "4", "5", "2", "2", "NULL"}},
      {"isodow", {"3", "4", "4", "5", "2", "2", "NULL"}},
      {"doy", {"365", "60", "60", "365", "19", "60", "NULL"}},
      {"isoyear", {"1970", "2024", "1900", "2100", "2038", "1600", "NULL"}},
      {"hour", {"23", "13", "0", "23", "3", "12", "NULL"}},
      {"minute", {"59", "45", "0", "59", "14", "0", "NULL"}},
      {"second", {"58", "30", "0", "59", "8", "0", "NULL"}},
      {"millisecond", {"58250", "30123", "0", "59999", "8000", "0", "NULL"}},
      {"microsecond", {"58250000", "30123456", "0", "59999999", "8000000", "0", "NULL"}},
  };
  const Datum col = TsCol(kInstants);
  for (const auto& [field, values] : want) {
    INFO(field);
    CHECK(Eval("date_part", {Lit(field), col}) == values);
  }
  // Field names are case-insensitive; plurals and DuckDB's synonyms work.
  CHECK(Eval("date_part", {Lit("YEARS"), col})[1] == "2024");
  CHECK(Eval("date_part", {Lit("dayofyear"), col})[1] == "60");
  // Shorthands.
  CHECK(Eval("year", {col}) == want[0].second);
  CHECK(Eval("dayofweek", {col}) == want[5].second);
  CHECK(Eval("hour", {col}) == want[9].second);
  CHECK(Eval("microsecond", {col}) == want[13].second);
  CHECK(Eval1("weekofyear", {DateLit("2024-01-07")}) == "1");
  CHECK(Eval1("isodow", {DateLit("2024-01-07")}) == "7");
  // epoch is a double: seconds since 1970 with the fraction.
  auto epoch = Call("date_part", {Lit("epoch"), col});
  REQUIRE(epoch.ok());
  CHECK(epoch->type.id == TypeId::kFloat64);
  const double secs[] = {-1.75,        1709214330.123456, -2203891200.0, 4133980799.999999,
                         2147483648.0, -11670955200.0};
  for (int i = 0; i < 6; ++i) CHECK(epoch->view.Value<double>(i) == Approx(secs[i]).epsilon(1e-15));
  CHECK(epoch->view.IsNull(6));
  CHECK(Eval1("epoch", {DateLit("1960-01-01")}) == "-315619200");
}

TEST_CASE("date_part and date_trunc agree on every timestamp unit", "[kernels]") {
  for (TimeUnit unit : kUnits) {
    INFO(int(unit));
    const Datum col =
        TsCol({"1969-12-31 23:59:58", "2024-02-29 13:45:30", "1900-03-01 00:00:00", nullptr}, unit);
    CHECK(Eval("date_part", {Lit("minute"), col}) == Strs{"59", "45", "0", "NULL"});
    CHECK(Eval("date_part", {Lit("doy"), col}) == Strs{"365", "60", "60", "NULL"});
    CHECK(Eval("date_trunc", {Lit("hour"), col}) ==
          Strs{"1969-12-31 23:00:00", "2024-02-29 13:00:00", "1900-03-01 00:00:00", "NULL"});
    CHECK(Eval("date_trunc", {Lit("week"), col}) ==
          Strs{"1969-12-29 00:00:00", "2024-02-26 00:00:00", "1900-02-26 00:00:00", "NULL"});
    auto r = Call("date_trunc", {Lit("day"), col});
    REQUIRE(r.ok());
    CHECK(r->type == DataType::Timestamp(unit));
  }
}

TEST_CASE("date_trunc to an hour or less floors in every timestamp unit, near the type's ends too",
          "[kernels]") {
  // Every sub-day unit of every timestamp unit, against the instants
  // truncated by hand (Ts floors to the column's unit): the floor of a
  // value before 1970 goes down, not toward zero.
  const std::pair<const char*, int> parts[] = {{"hour", 13}, {"minute", 16}, {"second", 19}};
  // (Within 1677..2262, where nanoseconds reach.)
  const std::vector<const char*> in = {"1969-12-31 23:59:58.25", "2024-02-29 13:45:30.123456",
                                       "1700-03-01 05:06:07.5", "1969-12-31 23:00:00", nullptr};
  for (TimeUnit unit : kUnits) {
    for (const auto& [name, keep] : parts) {
      INFO(int(unit) << " " << name);
      std::vector<OptInt> want;
      for (const char* t : in) {
        if (t == nullptr) {
          want.push_back(std::nullopt);
          continue;
        }
        std::string floor = std::string(t).substr(0, size_t(keep));
        floor += std::string(":00:00").substr(0, 19 - size_t(keep));
        want.push_back(Ts(floor.c_str(), unit));
      }
      auto r = Call("date_trunc", {Lit(name), TsCol(in, unit)});
      REQUIRE(r.ok());
      for (size_t i = 0; i < in.size(); ++i) {
        INFO(i);
        if (!want[i]) {
          CHECK(r->view.IsNull(int64_t(i)));
        } else {
          CHECK(r->view.Value<int64_t>(int64_t(i)) == *want[i]);
        }
      }
    }
  }
  // The lowest microsecond instants: a minute's floor past the type's end is
  // an overflow error, as for any unit; one minute up it fits.
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const Datum low = Col(Ints({lo + 5, std::nullopt}, DataType::Timestamp(TimeUnit::kMicro)));
  CHECK(Call("date_trunc", {Lit("minute"), low}).status().code() == StatusCode::kOverflow);
  const int64_t fits = lo + 120000000;  // two minutes above the end
  auto r = Call("date_trunc", {Lit("minute"), Col(Ints({fits}, DataType::Timestamp(TimeUnit::kMicro)))});
  REQUIRE(r.ok());
  CHECK(r->view.Value<int64_t>(0) == fits - ((fits % 60000000) + 60000000) % 60000000);
  CHECK(r->view.Value<int64_t>(0) % 60000000 == 0);
}

TEST_CASE("date_trunc truncates to every unit; on a date it gives a timestamp", "[kernels]") {
  const std::pair<const char*, Strs> want[] = {
      {"microsecond",
       {"1969-12-31 23:59:58.25", "2024-02-29 13:45:30.123456", "1600-02-29 12:00:00"}},
      {"millisecond", {"1969-12-31 23:59:58.25", "2024-02-29 13:45:30.123", "1600-02-29 12:00:00"}},
      {"second", {"1969-12-31 23:59:58", "2024-02-29 13:45:30", "1600-02-29 12:00:00"}},
      {"minute", {"1969-12-31 23:59:00", "2024-02-29 13:45:00", "1600-02-29 12:00:00"}},
      {"hour", {"1969-12-31 23:00:00", "2024-02-29 13:00:00", "1600-02-29 12:00:00"}},
      {"day", {"1969-12-31 00:00:00", "2024-02-29 00:00:00", "1600-02-29 00:00:00"}},
      {"week", {"1969-12-29 00:00:00", "2024-02-26 00:00:00", "1600-02-28 00:00:00"}},
      {"month", {"1969-12-01 00:00:00", "2024-02-01 00:00:00", "1600-02-01 00:00:00"}},
      {"quarter", {"1969-10-01 00:00:00", "2024-01-01 00:00:00", "1600-01-01 00:00:00"}},
      {"year", {"1969-01-01 00:00:00", "2024-01-01 00:00:00", "1600-01-01 00:00:00"}},
  };
  const Datum col =
      TsCol({"1969-12-31 23:59:58.25", "2024-02-29 13:45:30.123456", "1600-02-29 12:00:00"});
  for (const auto& [unit, values] : want) {
    INFO(unit);
    CHECK(Eval("date_trunc", {Lit(unit), col}) == values);
  }
  auto r = Call("date_trunc", {Lit("month"), DateCol({"2024-03-15", "1969-07-20", nullptr})});
  REQUIRE(r.ok());
  CHECK(r->type == DataType::Timestamp(TimeUnit::kMicro));
  CHECK(Eval("date_trunc", {Lit("month"), DateCol({"2024-03-15", "1969-07-20", nullptr})}) ==
        Strs{"2024-03-01 00:00:00", "1969-07-01 00:00:00", "NULL"});
  CHECK(Eval1("date_trunc", {Lit("hour"), DateLit("2024-03-15")}) == "2024-03-15 00:00:00");
  CHECK(Eval1("date_trunc", {Lit("week"), DateLit("1970-01-01")}) == "1969-12-29 00:00:00");
  CHECK(Eval1("date_trunc", {NullOf(DataType(TypeId::kUtf8)), DateLit("1970-01-01")}) == "NULL");
}

TEST_CASE("date_diff counts unit boundaries crossed, as DuckDB", "[kernels]") {
  const Datum a = TsCol({"1969-12-31 23:59:58.25", "2024-02-29 13:45:30.123456",
                         "1600-02-29 12:00:00", "2023-12-31 23:59:59", nullptr});
  const Datum b = TsCol({"2024-02-29 13:45:30.123456", "1969-12-31 23:59:58.25",
                         "1600-03-01 11:59:59.999", "2024-01-01 00:00:00", "2024-01-01 00:00:00"});
  const std::pair<const char*, Strs> want[] = {
      {"microsecond", {"1709214331873456", "-1709214331873456", "86399999000", "1000000", "NULL"}},
      {"millisecond", {"1709214331873", "-1709214331873", "86399999", "1000", "NULL"}},
      {"second", {"1709214332", "-1709214332", "86399", "1", "NULL"}},
      {"minute", {"28486906", "-28486906", "1439", "1", "NULL"}},
      {"hour", {"474782", "-474782", "23", "1", "NULL"}},
      {"day", {"19783", "-19783", "1", "1", "NULL"}},
      {"week", {"2826", "-2826", "0", "0", "NULL"}},
      {"month", {"650", "-650", "1", "1", "NULL"}},
      {"quarter", {"217", "-217", "0", "1", "NULL"}},
      {"year", {"55", "-55", "0", "1", "NULL"}},
  };
  for (const auto& [unit, values] : want) {
    INFO(unit);
    CHECK(Eval("date_diff", {Lit(unit), a, b}) == values);
  }
  // Dates, a date against a timestamp, the datediff spelling; weeks are days / 7.
  CHECK(Eval1("datediff", {Lit("week"), DateLit("2024-03-10"), DateLit("2024-03-11")}) == "0");
  CHECK(Eval1("date_diff", {Lit("week"), DateLit("2024-03-04"), DateLit("2024-03-17")}) == "1");
  CHECK(Eval1("date_diff", {Lit("week"), DateLit("2024-03-18"), DateLit("2024-03-12")}) == "0");
  CHECK(Eval1("date_diff", {Lit("month"), DateLit("2024-01-31"), DateLit("2024-02-01")}) == "1");
  CHECK(Eval1("date_diff", {Lit("hour"), DateLit("2024-01-01"), TsLit("2024-01-01 05:30:00")}) ==
        "5");
  CHECK(Eval1("date_diff", {Lit("day"), DateLit("1900-01-01"), DateLit("2100-01-01")}) == "73049");
}

TEST_CASE("unknown units and non-constant units are errors naming the unit", "[kernels]") {
  const Datum col = TsCol({"2024-01-01 00:00:00"});
  auto bad = Bind("date_trunc", {Lit("mnth"), col});
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message() ==
        "date_trunc: unknown unit 'mnth' (expected microsecond, millisecond, second, minute, "
        "hour, day, week, month, quarter or year)");
  CHECK(Bind("date_trunc", {Lit("dow"), col}).status().code() == StatusCode::kInvalidArgument);
  CHECK(Bind("date_diff", {Lit("epoch"), col, col}).status().code() ==
        StatusCode::kInvalidArgument);
  auto part = Bind("date_part", {Lit("fortnight"), col});
  CHECK(part.status().message().starts_with("date_part: unknown unit 'fortnight' (expected year"));
  auto var = Bind("date_part", {Col(Strings({"year"})), col});
  CHECK(var.status().message() == "date_part: the unit must be a constant");
  CHECK(Bind("date_part", {Lit("year"), Lit("2024-01-01")}).status().code() ==
        StatusCode::kTypeError);
}

TEST_CASE("strftime formats every specifier as DuckDB", "[kernels]") {
  const Datum col = TsCol({"1969-12-31 23:59:58.25", "2024-02-29 13:45:30.123456",
                           "0044-03-15 00:00:00", "2100-01-01 12:00:00", nullptr});
  const char* fmt =
      "%Y-%m-%d %H:%M:%S.%f|%j|%a %A|%b %B|%y|%g|%n|%I %p|%w %u|%V %G|"
      "%-d/%-m/%-y %-H:%-M:%-S|%c|%x|%X|%z%Z|%%";
  CHECK(Eval("strftime", {col, Lit(fmt)}) ==
        Strs{"1969-12-31 23:59:58.250000|365|Wed Wednesday|Dec December|69|250|250000000|11 PM|"
             "3 3|01 1970|31/12/69 23:59:58|1969-12-31 23:59:58|1969-12-31|23:59:58|+00|%",
             "2024-02-29 13:45:30.123456|060|Thu Thursday|Feb February|24|123|123456000|01 PM|"
             "4 4|09 2024|29/2/24 13:45:30|2024-02-29 13:45:30|2024-02-29|13:45:30|+00|%",
             "0044-03-15 00:00:00.000000|075|Tue Tuesday|Mar March|44|000|000000000|12 AM|"
             "2 2|11 0044|15/3/44 0:0:0|0044-03-15 00:00:00|0044-03-15|00:00:00|+00|%",
             "2100-01-01 12:00:00.000000|001|Fri Friday|Jan January|00|000|000000000|12 PM|"
             "5 5|53 2099|1/1/0 12:0:0|2100-01-01 12:00:00|2100-01-01|12:00:00|+00|%",
             "NULL"});
  CHECK(Eval1("strftime", {DateLit("1969-07-20"), Lit("%Y-%m-%d %H:%M:%S %p")}) ==
        "1969-07-20 00:00:00 AM");
  CHECK(Eval1("strftime", {DateLit("2024-03-05"), Lit("[%e]")}) == "[ 5]");
  CHECK(Eval1("strftime", {TsLit("2024-03-05 00:07:09", TimeUnit::kSecond), Lit("%I %p")}) ==
        "12 AM");
  CHECK(Eval1("strftime", {TsLit("2024-03-05 00:07:09.5", TimeUnit::kNano), Lit("%S.%n")}) ==
        "09.500000000");
  auto bad = Bind("strftime", {col, Lit("%Y %Q")});
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message() == "strftime: unknown format specifier '%Q' in '%Y %Q'");
  CHECK(Bind("strftime", {col, Lit("100%")}).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("add_interval adds months (clamping the day), days and microseconds", "[kernels]") {
  const int64_t kHour = 3600LL * 1000000;
  const Datum d = DateCol({"2024-01-31", "2023-01-31", "1969-12-31", "2024-02-29", nullptr});
  auto add = [&](int64_t months, int64_t days, int64_t micros) {
    return Eval("add_interval", {d, Lit(months), Lit(days), Lit(micros)});
  };
  // DuckDB: d + INTERVAL 1 MONTH, '-1 month', 13 months, '3 days', '1 day 2 hours', - 1 year.
  CHECK(add(1, 0, 0) == Strs{"2024-02-29 00:00:00", "2023-02-28 00:00:00", "1970-01-31 00:00:00",
                             "2024-03-29 00:00:00", "NULL"});
  CHECK(add(-1, 0, 0) == Strs{"2023-12-31 00:00:00", "2022-12-31 00:00:00", "1969-11-30 00:00:00",
                              "2024-01-29 00:00:00", "NULL"});
  CHECK(add(13, 0, 0) == Strs{"2025-02-28 00:00:00", "2024-02-29 00:00:00", "1971-01-31 00:00:00",
                              "2025-03-29 00:00:00", "NULL"});
  CHECK(add(0, 3, 0) == Strs{"2024-02-03 00:00:00", "2023-02-03 00:00:00", "1970-01-03 00:00:00",
                             "2024-03-03 00:00:00", "NULL"});
  CHECK(add(0, 1, 2 * kHour) == Strs{"2024-02-01 02:00:00", "2023-02-01 02:00:00",
                                     "1970-01-01 02:00:00", "2024-03-01 02:00:00", "NULL"});
  CHECK(add(-12, 0, 0) == Strs{"2023-01-31 00:00:00", "2022-01-31 00:00:00", "1968-12-31 00:00:00",
                               "2023-02-28 00:00:00", "NULL"});
  // Timestamps keep their unit when the microseconds fit it.
  for (TimeUnit unit : kUnits) {
    const Datum ts = TsCol({"2024-01-31 10:00:00", "1969-12-31 23:00:00"}, unit);
    auto r = Call("add_interval", {ts, Lit(int64_t(1)), Lit(int64_t(0)), Lit(kHour)});
    REQUIRE(r.ok());
    CHECK(r->type == DataType::Timestamp(unit));
    CHECK(Eval("add_interval", {ts, Lit(int64_t(1)), Lit(int64_t(0)), Lit(kHour)}) ==
          Strs{"2024-02-29 11:00:00", "1970-02-01 00:00:00"});
  }
  auto ms = Call("add_interval", {TsCol({"2024-01-01 00:00:00"}, TimeUnit::kSecond),
                                  Lit(int64_t(0)), Lit(int64_t(0)), Lit(int64_t(1500))});
  REQUIRE(ms.ok());
  CHECK(ms->type == DataType::Timestamp(TimeUnit::kMicro));
  auto overflow = Call("add_interval", {TsCol({"2024-01-01 00:00:00"}, TimeUnit::kNano),
                                        Lit(int64_t(12 * 300)), Lit(int64_t(0)), Lit(int64_t(0))});
  CHECK(overflow.status().code() == StatusCode::kOverflow);
}

TEST_CASE("make_date, make_timestamp, to_timestamp and epoch_ms", "[kernels]") {
  CHECK(Eval1("make_date", {Lit(int64_t(2024)), Lit(int64_t(2)), Lit(int64_t(29))}) ==
        "2024-02-29");
  CHECK(Eval("make_date",
             {Col(Ints({1600, 1900, std::nullopt, 2100})), Lit(int64_t(2)), Lit(int64_t(28))}) ==
        Strs{"1600-02-28", "1900-02-28", "NULL", "2100-02-28"});
  auto bad = Call("make_date", {Lit(int64_t(2023)), Lit(int64_t(2)), Lit(int64_t(29))});
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message() == "make_date: invalid date 2023-2-29");
  CHECK(
      Call("make_date", {Lit(int64_t(1900)), Lit(int64_t(2)), Lit(int64_t(29))}).status().code() ==
      StatusCode::kInvalidArgument);
  CHECK(Eval1("make_timestamp", {Lit(int64_t(2024)), Lit(int64_t(2)), Lit(int64_t(29)),
                                 Lit(int64_t(1)), Lit(int64_t(2)), Lit(Scalar::Double(3.5))}) ==
        "2024-02-29 01:02:03.5");
  CHECK(Eval1("make_timestamp", {Lit(int64_t(1000000))}) == "1970-01-01 00:00:01");
  CHECK(Call("make_timestamp", {Lit(int64_t(2024)), Lit(int64_t(2)), Lit(int64_t(29)),
                                Lit(int64_t(24)), Lit(int64_t(0)), Lit(int64_t(0))})
            .status()
            .code() == StatusCode::kInvalidArgument);
  CHECK(Eval1("to_timestamp", {Lit(Scalar::Double(1.5))}) == "1970-01-01 00:00:01.5");
  CHECK(Eval1("to_timestamp", {Lit(Scalar::Double(-86400.25))}) == "1969-12-30 23:59:59.75");
  CHECK(Eval1("to_timestamp", {Lit(int64_t(4102444800))}) == "2100-01-01 00:00:00");
  CHECK(Call("to_timestamp", {Lit(Scalar::Double(1e300))}).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(Eval1("to_timestamp", {Null()}) == "NULL");
  CHECK(Eval1("epoch_ms", {Lit(int64_t(1000))}) == "1970-01-01 00:00:01");
  CHECK(Eval1("epoch_ms", {TsLit("1969-12-31 23:59:59.9995")}) == "0");
  CHECK(Eval1("epoch_ms", {TsLit("2100-01-01 00:00:00", TimeUnit::kSecond)}) == "4102444800000");
  CHECK(Eval1("epoch_ms", {DateLit("1960-01-01")}) == "-315619200000");
  CHECK(Eval1("epoch_us", {TsLit("2024-01-01 00:00:00.5", TimeUnit::kNano)}) == "1704067200500000");
}

TEST_CASE("current_date and now are constants fixed when the query is bound", "[kernels]") {
  auto now = Bind("now", {});
  REQUIRE(now.ok());
  auto a = (*now)->Exec({}, 1);
  auto b = (*now)->Exec({}, 1);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->is_scalar);
  CHECK(a->scalar == b->scalar);
  CHECK(a->type == DataType::Timestamp(TimeUnit::kMicro));
  CHECK(a->scalar.int64_value() > Ts("2024-01-01 00:00:00"));
  auto today = Call("current_date", {});
  REQUIRE(today.ok());
  CHECK(today->type.id == TypeId::kDate32);
  CHECK(today->scalar.int64_value() == a->scalar.int64_value() / (86400LL * 1000000));
  CHECK(Bind("current_timestamp", {}).ok());
  CHECK(Bind("today", {}).ok());
}
