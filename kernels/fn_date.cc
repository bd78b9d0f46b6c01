// Functions registered by RegisterDate (kernels/function_internal.h):
// date_part (EXTRACT) and its shorthands (year, month, ..., epoch),
// date_trunc, date_diff/datediff; the rest of the date functions are in
// fn_date_format.cc. DuckDB's semantics on date32 and timestamp (any unit; a
// time zone is ignored: every value is UTC). Units are constants, checked
// when the function is bound.
#include <algorithm>
#include <array>
#include <limits>
#include <type_traits>

#include "kernels/fn_text_internal.h"

namespace quiver::kernels::internal {

int64_t IsoWeek(int64_t days, int64_t* iso_year) {
  const int64_t isodow = DayOfWeek(days) == 0 ? 7 : DayOfWeek(days);
  const int64_t thursday = days - (isodow - 1) + 3;
  int64_t y;
  unsigned m, d;
  CivilFromDays(thursday, &y, &m, &d);
  *iso_year = y;
  return (thursday - DaysFromCivil(y, 1, 1)) / 7 + 1;
}

namespace {

using Types = std::vector<DataType>;
using Consts = std::vector<const Scalar*>;
using Args = std::vector<Datum>;

// Fields of date_part; the first ten are also the units of date_trunc and
// date_diff.
enum class Field : uint8_t {
  kMicrosecond,
  kMillisecond,
  kSecond,
  kMinute,
  kHour,
  kDay,
  kWeek,
  kMonth,
  kQuarter,
  kYear,
  kDow,
  kIsoDow,
  kDoy,
  kIsoYear,
  kEpoch,
};
constexpr int kUnitCount = int(Field::kYear) + 1;

struct FieldName {
  const char* name;
  Field field;
};
constexpr std::array<FieldName, 30> kFieldNames = {{
    {"microsecond", Field::kMicrosecond},
    {"microseconds", Field::kMicrosecond},
    {"us", Field::kMicrosecond},
    {"millisecond", Field::kMillisecond},
    {"milliseconds", Field::kMillisecond},
    {"ms", Field::kMillisecond},
    {"second", Field::kSecond},
    {"seconds", Field::kSecond},
    {"minute", Field::kMinute},
    {"minutes", Field::kMinute},
    {"hour", Field::kHour},
    {"hours", Field::kHour},
    {"day", Field::kDay},
    {"days", Field::kDay},
    {"week", Field::kWeek},
    {"weeks", Field::kWeek},
    {"month", Field::kMonth},
    {"months", Field::kMonth},
    {"quarter", Field::kQuarter},
    {"quarters", Field::kQuarter},
    {"year", Field::kYear},
    {"years", Field::kYear},
    {"dow", Field::kDow},
    {"dayofweek", Field::kDow},
    {"isodow", Field::kIsoDow},
    {"doy", Field::kDoy},
    {"dayofyear", Field::kDoy},
    {"isoyear", Field::kIsoYear},
    {"epoch", Field::kEpoch},
    {"dayofmonth", Field::kDay},
}};

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
  return out;
}

// The field or unit named by constant argument 0; units_only: one of the
// first ten. *is_null is set for a NULL constant.
Result<Field> ParseField(std::string_view fn, const Consts& c, bool units_only, bool* is_null) {
  QUIVER_ASSIGN_OR_RETURN(std::string name, ConstantString(fn, "unit", c, 0, is_null));
  if (*is_null) return Field::kDay;
  const std::string lower = Lower(name);
  for (const FieldName& f : kFieldNames) {
    if (lower == f.name && (!units_only || int(f.field) < kUnitCount)) return f.field;
  }
  return Status::Invalid(std::string(fn) + ": unknown unit '" + name +
                         (units_only ? "' (expected microsecond, millisecond, second, minute, "
                                       "hour, day, week, month, quarter or year)"
                                     : "' (expected year, quarter, month, week, day, dow, "
                                       "isodow, doy, isoyear, hour, minute, second, "
                                       "millisecond, microsecond or epoch)"));
}

// The value of an integer field of the instant (days, nanos).
int64_t FieldValue(Field f, int64_t days, int64_t nanos) {
  int64_t y;
  unsigned m, d;
  switch (f) {
    case Field::kMicrosecond:
      return nanos % (60 * kNanosPerSecond) / 1000;
    case Field::kMillisecond:
      return nanos % (60 * kNanosPerSecond) / 1000000;
    case Field::kSecond:
      return nanos / kNanosPerSecond % 60;
    case Field::kMinute:
      return nanos / (60 * kNanosPerSecond) % 60;
    case Field::kHour:
      return nanos / (3600 * kNanosPerSecond);
    case Field::kDow:
      return DayOfWeek(days);
    case Field::kIsoDow:
      return DayOfWeek(days) == 0 ? 7 : DayOfWeek(days);
    case Field::kWeek:
      return IsoWeek(days, &y);
    case Field::kIsoYear:
      IsoWeek(days, &y);
      return y;
    default:
      break;
  }
  CivilFromDays(days, &y, &m, &d);
  switch (f) {
    case Field::kDay:
      return d;
    case Field::kMonth:
      return m;
    case Field::kQuarter:
      return (m - 1) / 3 + 1;
    case Field::kYear:
      return y;
    case Field::kDoy:
      return days - DaysFromCivil(y, 1, 1) + 1;
    default:
      return 0;
  }
}

// The sub-day fields (microsecond .. hour) of a timestamp column: a floor
// modulo by the day per row, every division by a constant of the column's
// unit (no calendar, no division by a variable).
template <int64_t kPerSec, Field F>
void TimeOfDayLoop(const int64_t* x, int64_t rows, int64_t* out) {
  constexpr int64_t kPerDay = kPerSec * 86400, kNanosPerUnit = kNanosPerSecond / kPerSec;
  for (int64_t i = 0; i < rows; ++i) {
    int64_t r = x[i] % kPerDay;
    r += r < 0 ? kPerDay : 0;
    out[i] = FieldValue(F, 0, r * kNanosPerUnit);
  }
}

template <int64_t kPerSec>
void TimeOfDay(Field f, const int64_t* x, int64_t rows, int64_t* out) {
  switch (f) {
    case Field::kMicrosecond: return TimeOfDayLoop<kPerSec, Field::kMicrosecond>(x, rows, out);
    case Field::kMillisecond: return TimeOfDayLoop<kPerSec, Field::kMillisecond>(x, rows, out);
    case Field::kSecond: return TimeOfDayLoop<kPerSec, Field::kSecond>(x, rows, out);
    case Field::kMinute: return TimeOfDayLoop<kPerSec, Field::kMinute>(x, rows, out);
    default: return TimeOfDayLoop<kPerSec, Field::kHour>(x, rows, out);
  }
}

// TimeOfDay for a timestamp array in any unit; false if `d` is not one.
bool TimeOfDayColumn(Field f, const Datum& d, int64_t rows, int64_t* out) {
  if (d.is_scalar || d.type.id != TypeId::kTimestamp || f > Field::kHour) return false;
  const int64_t* x = d.view.data<int64_t>();
  switch (UnitsPerSecond(d.type.unit)) {
    case 1: TimeOfDay<1>(f, x, rows, out); return true;
    case 1000: TimeOfDay<1000>(f, x, rows, out); return true;
    case 1000000: TimeOfDay<1000000>(f, x, rows, out); return true;
    case 1000000000: TimeOfDay<1000000000>(f, x, rows, out); return true;
    default: return false;
  }
}

BoundFunctionPtr BindPart(Field f) {
  if (f == Field::kEpoch) {
    const DataType f64(TypeId::kFloat64);
    return MakeFunction(f64, [f64](const Args& args, int64_t rows) -> Result<Datum> {
      const TimeIn in(args.back());
      FixedOut<double> out(f64, rows);
      for (int64_t i = 0; i < rows; ++i) {
        if (in.IsNull(i)) {
          out.SetNull(i);
          continue;
        }
        // As DuckDB: the raw count divided by its units per second.
        const double raw = double(in.Raw(i));
        out.Set(i, in.is_date() ? raw * 86400.0 : raw / double(in.units_per_second()));
      }
      return out.Finish();
    });
  }
  const DataType i64(TypeId::kInt64);
  return MakeFunction(i64, [f, i64](const Args& args, int64_t rows) -> Result<Datum> {
    const TimeIn in(args.back());
    FixedOut<int64_t> out(i64, rows);
    if (TimeOfDayColumn(f, args.back(), rows, out.values())) {
      if (args.back().view.validity != nullptr) {
        for (int64_t i = 0; i < rows; ++i) {
          if (in.IsNull(i)) out.SetNull(i);
        }
      }
      return out.Finish();
    }
    for (int64_t i = 0; i < rows; ++i) {
      if (in.IsNull(i)) {
        out.SetNull(i);
        continue;
      }
      int64_t days, nanos;
      in.Split(i, &days, &nanos);
      out.Set(i, FieldValue(f, days, nanos));
    }
    return out.Finish();
  });
}

// x - floor_mod(x, step) for n values; false when a value lies within
// `step` of INT64_MIN (its result may not fit: the caller takes the checked
// path). Step is a constant where it can be, so that % is a multiply.
template <typename Step>
bool TruncToStep(const int64_t* in, int64_t* out, int64_t n, Step step) {
  bool low = false;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = in[i];
    int64_t r = v % step;
    r += r < 0 ? int64_t(step) : 0;
    out[i] = int64_t(uint64_t(v) - uint64_t(r));  // wraps only where `low` says so
    low |= v < std::numeric_limits<int64_t>::min() + int64_t(step);
  }
  return !low;
}

bool TruncTo(const int64_t* in, int64_t* out, int64_t n, int64_t step) {
  auto c = [&](auto k) { return TruncToStep(in, out, n, k); };
  switch (step) {
    case 60: return c(std::integral_constant<int64_t, 60>());
    case 1000: return c(std::integral_constant<int64_t, 1000>());
    case 3600: return c(std::integral_constant<int64_t, 3600>());
    case 60000: return c(std::integral_constant<int64_t, 60000>());
    case 1000000: return c(std::integral_constant<int64_t, 1000000>());
    case 3600000: return c(std::integral_constant<int64_t, 3600000>());
    case 60000000: return c(std::integral_constant<int64_t, 60000000>());
    case 1000000000: return c(std::integral_constant<int64_t, 1000000000>());
    case 3600000000: return c(std::integral_constant<int64_t, 3600000000>());
    case 60000000000: return c(std::integral_constant<int64_t, 60000000000>());
    case 3600000000000: return c(std::integral_constant<int64_t, 3600000000000>());
    default: return TruncToStep(in, out, n, step);
  }
}

// date_trunc(unit, x): x with every smaller field zeroed; weeks start on
// Monday. A date becomes a timestamp[us] (as DuckDB); a timestamp keeps its
// type. A timestamp column truncated to an hour or less is one floor to a
// multiple of the unit per value (TruncTo), nulls copied.
BoundFunctionPtr BindTrunc(Field f, const DataType& in_type) {
  const DataType out_type =
      in_type.id == TypeId::kDate32 ? DataType::Timestamp(TimeUnit::kMicro) : in_type;
  return MakeFunction(out_type, [f, out_type](const Args& args, int64_t rows) -> Result<Datum> {
    const TimeIn in(args[1]);
    const int64_t per_sec = UnitsPerSecond(out_type.unit);
    const int64_t nanos_per_unit = kNanosPerSecond / per_sec;
    static constexpr int64_t kUnitNanos[] = {1000, 1000000, kNanosPerSecond, 60 * kNanosPerSecond,
                                             3600 * kNanosPerSecond};
    FixedOut<int64_t> out(out_type, rows);
    const Datum& x = args[1];
    if (f <= Field::kHour && !in.is_date() && !x.is_scalar && !IsNullType(x.type) &&
        TruncTo(x.view.data<int64_t>(), out.values(), rows,
                std::max<int64_t>(1, kUnitNanos[int(f)] / nanos_per_unit))) {
      if (x.view.validity != nullptr) {
        for (int64_t i = 0; i < rows; ++i) {
          if (x.view.IsNull(i)) out.SetNull(i);
        }
      }
      return out.Finish();
    }
    bool overflow = false;
    for (int64_t i = 0; i < rows; ++i) {
      if (in.IsNull(i)) {
        out.SetNull(i);
        continue;
      }
      int64_t days, nanos;
      in.Split(i, &days, &nanos);
      if (f <= Field::kHour) {
        nanos -= nanos % kUnitNanos[int(f)];
      } else {
        nanos = 0;
        int64_t y;
        unsigned m, d;
        CivilFromDays(days, &y, &m, &d);
        switch (f) {
          case Field::kWeek:
            days -= (DayOfWeek(days) + 6) % 7;
            break;
          case Field::kMonth:
            days = DaysFromCivil(y, m, 1);
            break;
          case Field::kQuarter:
            days = DaysFromCivil(y, (m - 1) / 3 * 3 + 1, 1);
            break;
          case Field::kYear:
            days = DaysFromCivil(y, 1, 1);
            break;
          default:
            break;
        }
      }
      int64_t v;
      if (__builtin_mul_overflow(days, per_sec * 86400, &v) ||
          __builtin_add_overflow(v, nanos / nanos_per_unit, &v)) {
        overflow = true;
        out.SetNull(i);
        continue;
      }
      out.Set(i, v);
    }
    if (overflow)
      return Status::Overflow("date_trunc: the result is out of range for " + out_type.ToString());
    return out.Finish();
  });
}

// date_diff(unit, a, b): the number of unit boundaries crossed from a to b
// (DuckDB): calendar units compare year/quarter/month numbers, time units
// floor both instants to the unit; weeks are whole days / 7, toward zero.
BoundFunctionPtr BindDiff(Field f) {
  const DataType i64(TypeId::kInt64);
  return MakeFunction(i64, [f, i64](const Args& args, int64_t rows) -> Result<Datum> {
    const TimeIn a_in(args[1]), b_in(args[2]);
    static constexpr int64_t kUnitNanos[] = {1000, 1000000, kNanosPerSecond, 60 * kNanosPerSecond,
                                             3600 * kNanosPerSecond};
    FixedOut<int64_t> out(i64, rows);
    bool overflow = false;
    for (int64_t i = 0; i < rows; ++i) {
      if (a_in.IsNull(i) || b_in.IsNull(i)) {
        out.SetNull(i);
        continue;
      }
      int64_t da, na, db, nb;
      a_in.Split(i, &da, &na);
      b_in.Split(i, &db, &nb);
      __int128 diff;
      if (f <= Field::kHour) {
        const int64_t u = kUnitNanos[int(f)];
        diff = (__int128(db) - da) * (kNanosPerDay / u) + (nb / u - na / u);
      } else if (f == Field::kDay) {
        diff = __int128(db) - da;
      } else if (f == Field::kWeek) {
        diff = (__int128(db) - da) / 7;
      } else {
        int64_t ya, yb;
        unsigned ma, mb, d;
        CivilFromDays(da, &ya, &ma, &d);
        CivilFromDays(db, &yb, &mb, &d);
        if (f == Field::kYear) {
          diff = __int128(yb) - ya;
        } else if (f == Field::kQuarter) {
          diff = (__int128(yb) - ya) * 4 + (int(mb) - 1) / 3 - (int(ma) - 1) / 3;
        } else {
          diff = (__int128(yb) - ya) * 12 + int(mb) - int(ma);
        }
      }
      if (diff > INT64_MAX || diff < INT64_MIN) {
        overflow = true;
        out.SetNull(i);
        continue;
      }
      out.Set(i, int64_t(diff));
    }
    if (overflow) return Status::Overflow("date_diff: the result is out of range for int64");
    return out.Finish();
  });
}

// Binds fn(unit, x...) where the unit is constant argument 0 and `times`
// date/timestamp arguments follow.
template <typename Make>
Result<BoundFunctionPtr> BindWithUnit(std::string_view fn, const Types& t, const Consts& c,
                                      size_t times, bool units_only, DataType null_type,
                                      Make make) {
  if (t.size() != times + 1 || !IsStringType(t[0])) return BoundFunctionPtr();
  for (size_t i = 1; i < t.size(); ++i) {
    if (!IsTimeType(t[i]) && !IsNullType(t[i])) return BoundFunctionPtr();
  }
  bool is_null;
  QUIVER_ASSIGN_OR_RETURN(Field f, ParseField(fn, c, units_only, &is_null));
  if (is_null) return AllNull(null_type);
  return make(f);
}

struct Shorthand {
  const char* name;
  Field field;
};
constexpr std::array<Shorthand, 17> kShorthands = {{
    {"year", Field::kYear},
    {"quarter", Field::kQuarter},
    {"month", Field::kMonth},
    {"week", Field::kWeek},
    {"weekofyear", Field::kWeek},
    {"day", Field::kDay},
    {"dayofmonth", Field::kDay},
    {"dayofweek", Field::kDow},
    {"isodow", Field::kIsoDow},
    {"dayofyear", Field::kDoy},
    {"isoyear", Field::kIsoYear},
    {"hour", Field::kHour},
    {"minute", Field::kMinute},
    {"second", Field::kSecond},
    {"millisecond", Field::kMillisecond},
    {"microsecond", Field::kMicrosecond},
    {"epoch", Field::kEpoch},
}};

}  // namespace

void RegisterDate(FunctionRegistry& r) {
  r.Add({"date_part", "date_part(utf8, date32), date_part(utf8, timestamp)",
         [](const Types& t, const Consts& c) {
           const DataType type(t.size() == 2 && IsStringType(t[0]) && c[0] && !c[0]->is_null() &&
                                       Lower(c[0]->string_value()) == "epoch"
                                   ? TypeId::kFloat64
                                   : TypeId::kInt64);
           return BindWithUnit("date_part", t, c, 1, false, type, BindPart);
         }});
  r.Alias("datepart", "date_part");
  r.Add({"date_trunc", "date_trunc(utf8, date32), date_trunc(utf8, timestamp)",
         [](const Types& t, const Consts& c) {
           const DataType type = t.size() == 2 && t[1].id == TypeId::kTimestamp
                                     ? t[1]
                                     : DataType::Timestamp(TimeUnit::kMicro);
           return BindWithUnit("date_trunc", t, c, 1, true, type,
                               [&](Field f) { return BindTrunc(f, type); });
         }});
  r.Alias("datetrunc", "date_trunc");
  r.Add({"date_diff", "date_diff(utf8, date32|timestamp, date32|timestamp)",
         [](const Types& t, const Consts& c) {
           return BindWithUnit("date_diff", t, c, 2, true, DataType(TypeId::kInt64), BindDiff);
         }});
  r.Alias("datediff", "date_diff");
  for (const Shorthand& s : kShorthands) {
    const Field f = s.field;
    r.Add({s.name, std::string(s.name) + "(date32), " + s.name + "(timestamp)",
           [f](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
             if (t.size() != 1 || !(IsTimeType(t[0]) || IsNullType(t[0]))) {
               return BoundFunctionPtr();
             }
             return BindPart(f);
           }});
  }
  RegisterDateFormat(r);
}

}  // namespace quiver::kernels::internal
