// Date functions registered by RegisterDateFormat (from RegisterDate):
// strftime, make_date, make_timestamp, current_date/today,
// now/current_timestamp, to_timestamp, epoch_ms, epoch_us and add_interval
// (the lead's spelling of `x + INTERVAL ...`). DuckDB's semantics; a time
// zone is ignored (UTC).
#include <chrono>
#include <cmath>

#include "kernels/fn_text_internal.h"

namespace quiver::kernels::internal {
namespace {

using Types = std::vector<DataType>;
using Consts = std::vector<const Scalar*>;
using Args = std::vector<Datum>;

constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

// One piece of a strftime format: a literal run, or a specifier.
struct FormatPart {
  char spec = 0;        // 0: literal
  bool no_pad = false;  // "%-d"
  std::string literal;
};

// DuckDB's specifiers (plus C's %e, the space-padded day).
Result<std::vector<FormatPart>> ParseFormat(const std::string& fmt) {
  static constexpr std::string_view kSpecs = "aAbBcdefgGHIjmMnpSuVwxXyYzZ%";
  std::vector<FormatPart> parts;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      if (parts.empty() || parts.back().spec != 0) parts.emplace_back();
      parts.back().literal += fmt[i];
      continue;
    }
    FormatPart p;
    if (i + 1 < fmt.size() && fmt[i + 1] == '-') {
      p.no_pad = true;
      ++i;
    }
    if (i + 1 >= fmt.size() || kSpecs.find(fmt[i + 1]) == std::string_view::npos) {
      return Status::Invalid("strftime: unknown format specifier '" +
                             fmt.substr(i - p.no_pad, 2 + p.no_pad) + "' in '" + fmt + "'");
    }
    p.spec = fmt[++i];
    parts.push_back(std::move(p));
  }
  return parts;
}

void AppendNum(std::string* out, int64_t v, int width, bool no_pad, char pad = '0') {
  char buf[24];
  int n = 0;
  const bool neg = v < 0;
  uint64_t u = neg ? 0 - uint64_t(v) : uint64_t(v);
  do {
    buf[n++] = char('0' + u % 10);
    u /= 10;
  } while (u);
  if (neg) out->push_back('-');
  for (int k = n; !no_pad && k < width; ++k) out->push_back(pad);
  while (n) out->push_back(buf[--n]);
}

void Format(const std::vector<FormatPart>& parts, int64_t days, int64_t nanos, std::string* out) {
  static constexpr const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};
  static constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
  int64_t y, iso_year;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  const int64_t hour = nanos / (3600 * kNanosPerSecond);
  const int64_t minute = nanos / (60 * kNanosPerSecond) % 60;
  const int64_t second = nanos / kNanosPerSecond % 60;
  const int64_t frac = nanos % kNanosPerSecond;
  out->clear();
  for (const FormatPart& p : parts) {
    const bool np = p.no_pad;
    switch (p.spec) {
      case 0:
        out->append(p.literal);
        break;
      case 'a':
        out->append(kDays[DayOfWeek(days)], 3);
        break;
      case 'A':
        out->append(kDays[DayOfWeek(days)]);
        break;
      case 'b':
        out->append(kMonths[m - 1], 3);
        break;
      case 'B':
        out->append(kMonths[m - 1]);
        break;
      case 'd':
        AppendNum(out, d, 2, np);
        break;
      case 'e':
        AppendNum(out, d, 2, np, ' ');
        break;
      case 'f':
        AppendNum(out, frac / 1000, 6, np);
        break;
      case 'g':
        AppendNum(out, frac / 1000000, 3, np);
        break;
      case 'G':
        IsoWeek(days, &iso_year);
        AppendNum(out, iso_year, 4, np);
        break;
      case 'H':
        AppendNum(out, hour, 2, np);
        break;
      case 'I':
        AppendNum(out, hour % 12 == 0 ? 12 : hour % 12, 2, np);
        break;
      case 'j':
        AppendNum(out, days - DaysFromCivil(y, 1, 1) + 1, 3, np);
        break;
      case 'm':
        AppendNum(out, m, 2, np);
        break;
      case 'M':
        AppendNum(out, minute, 2, np);
        break;
      case 'n':
        AppendNum(out, frac, 9, np);
        break;
      case 'p':
        out->append(hour < 12 ? "AM" : "PM");
        break;
      case 'S':
        AppendNum(out, second, 2, np);
        break;
      case 'u':
        AppendNum(out, DayOfWeek(days) == 0 ? 7 : DayOfWeek(days), 1, np);
        break;
      case 'V':
        AppendNum(out, IsoWeek(days, &iso_year), 2, np);
        break;
      case 'w':
        AppendNum(out, DayOfWeek(days), 1, np);
        break;
      case 'c':
      case 'x':
        AppendNum(out, y, y >= 0 ? 4 : 0, false);
        out->push_back('-');
        AppendNum(out, m, 2, false);
        out->push_back('-');
        AppendNum(out, d, 2, false);
        if (p.spec == 'x') break;
        out->push_back(' ');
        [[fallthrough]];
      case 'X':
        AppendNum(out, hour, 2, false);
        out->push_back(':');
        AppendNum(out, minute, 2, false);
        out->push_back(':');
        AppendNum(out, second, 2, false);
        break;
      case 'y':
        AppendNum(out, (y < 0 ? -y : y) % 100, 2, np);
        break;
      case 'Y':
        AppendNum(out, y, y >= 0 ? 4 : 0, np);
        break;
      case 'z':
        out->append("+00");
        break;
      case 'Z':
        break;
      case '%':
        out->push_back('%');
        break;
      default:
        break;
    }
  }
}

// strftime(x, format): the format is a constant, parsed once.
Result<BoundFunctionPtr> BindStrftime(const Types& t, const Consts& c) {
  if (t.size() != 2 || !(IsTimeType(t[0]) || IsNullType(t[0])) || !IsStringType(t[1])) {
    return BoundFunctionPtr();
  }
  const DataType utf8(TypeId::kUtf8);
  bool is_null;
  QUIVER_ASSIGN_OR_RETURN(std::string fmt, ConstantString("strftime", "format", c, 1, &is_null));
  if (is_null) return AllNull(utf8);
  QUIVER_ASSIGN_OR_RETURN(auto parsed, ParseFormat(fmt));
  auto parts = std::make_shared<const std::vector<FormatPart>>(std::move(parsed));
  return MakeFunction(utf8, [parts](const Args& args, int64_t rows) -> Result<Datum> {
    const TimeIn in(args[0]);
    StrOut out(rows);
    std::string s;
    for (int64_t i = 0; i < rows; ++i) {
      if (in.IsNull(i)) {
        out.SetNull(i);
        continue;
      }
      int64_t days, nanos;
      in.Split(i, &days, &nanos);
      Format(*parts, days, nanos, &s);
      out.Set(i, s);
    }
    return out.Finish();
  });
}

bool AllNumbers(const Types& t, size_t n, bool last_may_be_float) {
  if (t.size() != n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (!(i + 1 == n && last_may_be_float ? IsNumberType(t[i]) : IsIntType(t[i]))) return false;
  }
  return true;
}

// Days of y-m-d, or false when it is not a date that date32 holds.
bool CheckedDays(int64_t y, int64_t m, int64_t d, int64_t* days) {
  if (m < 1 || m > 12 || y < -5877000 || y > 5877000) return false;
  if (d < 1 || d > int64_t(DaysInMonth(y, unsigned(m)))) return false;
  *days = DaysFromCivil(y, unsigned(m), unsigned(d));
  return *days >= INT32_MIN && *days <= INT32_MAX;
}

std::string YmdText(int64_t y, int64_t m, int64_t d) {
  return std::to_string(y) + "-" + std::to_string(m) + "-" + std::to_string(d);
}

// make_date(y, m, d) and make_timestamp(y, m, d, h, mi, s) /
// make_timestamp(micros): an invalid date or time is an InvalidArgument.
Result<BoundFunctionPtr> BindMake(bool timestamp, const Types& t) {
  if (timestamp && AllNumbers(t, 1, false)) {
    const DataType ts = DataType::Timestamp(TimeUnit::kMicro);
    return MakeFunction(ts, [ts](const Args& args, int64_t rows) -> Result<Datum> {
      const NumIn in(args[0]);
      FixedOut<int64_t> out(ts, rows);
      for (int64_t i = 0; i < rows; ++i) {
        in.IsNull(i) ? out.SetNull(i) : out.Set(i, in.Int(i));
      }
      return out.Finish();
    });
  }
  if (!AllNumbers(t, timestamp ? 6 : 3, timestamp)) return BoundFunctionPtr();
  const DataType type =
      timestamp ? DataType::Timestamp(TimeUnit::kMicro) : DataType(TypeId::kDate32);
  return MakeFunction(type, [type, timestamp](const Args& args, int64_t rows) -> Result<Datum> {
    std::vector<NumIn> in(args.begin(), args.end());
    FixedOut<int64_t> ts_out(type, timestamp ? rows : 0);
    FixedOut<int32_t> date_out(type, timestamp ? 0 : rows);
    for (int64_t i = 0; i < rows; ++i) {
      bool null = false;
      for (const NumIn& a : in) null |= a.IsNull(i);
      if (null) {
        timestamp ? ts_out.SetNull(i) : date_out.SetNull(i);
        continue;
      }
      int64_t days;
      const int64_t y = in[0].Int(i), m = in[1].Int(i), d = in[2].Int(i);
      if (!CheckedDays(y, m, d, &days)) {
        return Status::Invalid(std::string(timestamp ? "make_timestamp" : "make_date") +
                               ": invalid date " + YmdText(y, m, d));
      }
      if (!timestamp) {
        date_out.Set(i, int32_t(days));
        continue;
      }
      const int64_t h = in[3].Int(i), mi = in[4].Int(i);
      const double s = in[5].Double(i);
      if (h < 0 || h > 23 || mi < 0 || mi > 59 || !(s >= 0 && s < 61)) {
        return Status::Invalid("make_timestamp: invalid time " + std::to_string(h) + ":" +
                               std::to_string(mi) + ":" + std::to_string(s));
      }
      int64_t v;
      if (__builtin_mul_overflow(days, kMicrosPerDay, &v)) {
        return Status::Overflow("make_timestamp: " + YmdText(y, m, d) +
                                " is out of range for timestamp[us]");
      }
      ts_out.Set(i, v + (h * 3600 + mi * 60) * 1000000 + std::llround(s * 1e6));
    }
    return timestamp ? ts_out.Finish() : date_out.Finish();
  });
}

// to_timestamp(seconds): seconds since the epoch (a fraction kept to the
// microsecond) as timestamp[us].
Result<BoundFunctionPtr> BindToTimestamp(const Types& t) {
  if (t.size() != 1 || !IsNumberType(t[0])) return BoundFunctionPtr();
  const DataType ts = DataType::Timestamp(TimeUnit::kMicro);
  return MakeFunction(ts, [ts](const Args& args, int64_t rows) -> Result<Datum> {
    const NumIn in(args[0]);
    FixedOut<int64_t> out(ts, rows);
    for (int64_t i = 0; i < rows; ++i) {
      if (in.IsNull(i)) {
        out.SetNull(i);
        continue;
      }
      const double micros = std::round(in.Double(i) * 1e6);
      if (!(micros > -9.2e18 && micros < 9.2e18)) {
        return Status::Invalid("to_timestamp: " + std::to_string(in.Double(i)) +
                               " seconds is out of range for timestamp[us]");
      }
      out.Set(i, int64_t(micros));
    }
    return out.Finish();
  });
}

// epoch_ms(x) / epoch_us(x): milliseconds (microseconds) since the epoch,
// truncated toward zero as DuckDB; epoch_ms(int) is the inverse, a
// timestamp[ms].
Result<BoundFunctionPtr> BindEpochUnits(int64_t per_sec, const Types& t) {
  if (t.size() != 1) return BoundFunctionPtr();
  if (per_sec == 1000 && IsInteger(t[0].id)) {
    const DataType ts = DataType::Timestamp(TimeUnit::kMilli);
    return MakeFunction(ts, [ts](const Args& args, int64_t rows) -> Result<Datum> {
      const NumIn in(args[0]);
      FixedOut<int64_t> out(ts, rows);
      for (int64_t i = 0; i < rows; ++i) in.IsNull(i) ? out.SetNull(i) : out.Set(i, in.Int(i));
      return out.Finish();
    });
  }
  if (!IsTimeType(t[0]) && !IsNullType(t[0])) return BoundFunctionPtr();
  const DataType i64(TypeId::kInt64);
  return MakeFunction(i64, [i64, per_sec](const Args& args, int64_t rows) -> Result<Datum> {
    const TimeIn in(args[0]);
    const int64_t src = in.is_date() ? 1 : in.units_per_second();
    const int64_t mul = in.is_date() ? per_sec * 86400 : (per_sec > src ? per_sec / src : 1);
    const int64_t div = per_sec < src ? src / per_sec : 1;
    FixedOut<int64_t> out(i64, rows);
    for (int64_t i = 0; i < rows; ++i) {
      if (in.IsNull(i)) {
        out.SetNull(i);
        continue;
      }
      int64_t v;
      if (__builtin_mul_overflow(in.Raw(i), mul, &v)) {
        return Status::Overflow("epoch_ms/epoch_us: the result is out of range for int64");
      }
      out.Set(i, v / div);
    }
    return out.Finish();
  });
}

// add_interval(x, months, days, micros): months first (the day clamped to
// the new month's length: Jan 31 + 1 month = Feb 28/29), then days, then
// microseconds. A date gives a timestamp[us] (as DuckDB); a timestamp keeps
// its unit when the microseconds are a whole number of that unit, else
// becomes timestamp[us] (timestamp[ns] stays ns).
Result<BoundFunctionPtr> BindAddInterval(const Types& t, const Consts& c) {
  if (t.size() != 4 || !(IsTimeType(t[0]) || IsNullType(t[0])) || !IsIntType(t[1]) ||
      !IsIntType(t[2]) || !IsIntType(t[3])) {
    return BoundFunctionPtr();
  }
  DataType out_type = DataType::Timestamp(TimeUnit::kMicro);
  if (t[0].id == TypeId::kTimestamp) {
    const int64_t per_sec = UnitsPerSecond(t[0].unit);
    const bool exact = per_sec >= 1000000 || (c[3] != nullptr && !c[3]->is_null() &&
                                              c[3]->int64_value() % (1000000 / per_sec) == 0);
    if (exact) out_type = t[0];
  }
  return MakeFunction(out_type, [out_type](const Args& args, int64_t rows) -> Result<Datum> {
    const TimeIn in(args[0]);
    const NumIn months(args[1]), add_days(args[2]), micros(args[3]);
    const int64_t per_sec = UnitsPerSecond(out_type.unit);
    FixedOut<int64_t> out(out_type, rows);
    for (int64_t i = 0; i < rows; ++i) {
      if (in.IsNull(i) || months.IsNull(i) || add_days.IsNull(i) || micros.IsNull(i)) {
        out.SetNull(i);
        continue;
      }
      int64_t days, nanos;
      in.Split(i, &days, &nanos);
      bool overflow = false;
      if (const int64_t mo = months.Int(i); mo != 0) {
        int64_t y, total;
        unsigned m, d;
        CivilFromDays(days, &y, &m, &d);
        overflow |= __builtin_add_overflow(y * 12 + int64_t(m) - 1, mo, &total);
        int64_t ny = total / 12, nm = total % 12;
        if (nm < 0) {
          nm += 12;
          ny -= 1;
        }
        overflow |= ny < -(int64_t(1) << 40) || ny > (int64_t(1) << 40);
        if (!overflow) {
          days =
              DaysFromCivil(ny, unsigned(nm + 1), std::min(d, DaysInMonth(ny, unsigned(nm + 1))));
        }
      }
      int64_t v, part;
      const int64_t us = micros.Int(i);
      overflow |= __builtin_add_overflow(days, add_days.Int(i), &days);
      overflow |= __builtin_mul_overflow(days, per_sec * 86400, &v);
      overflow |= __builtin_add_overflow(v, nanos / (kNanosPerSecond / per_sec), &v);
      overflow |= per_sec >= 1000000 ? __builtin_mul_overflow(us, per_sec / 1000000, &part)
                                     : (part = us / (1000000 / per_sec), false);
      overflow |= __builtin_add_overflow(v, part, &v);
      if (overflow) {
        return Status::Overflow("add_interval: the result is out of range for " +
                                out_type.ToString());
      }
      out.Set(i, v);
    }
    return out.Finish();
  });
}

// current_date() / now(): the time when the query was bound, constant for
// the whole query.
BoundFunctionPtr BindNow(bool date) {
  const int64_t micros = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  int64_t days = micros / kMicrosPerDay;
  if (micros % kMicrosPerDay < 0) --days;
  const DataType type = date ? DataType(TypeId::kDate32) : DataType::Timestamp(TimeUnit::kMicro);
  const Scalar v =
      date ? Scalar::Date32(int32_t(days)) : Scalar::Timestamp(micros, TimeUnit::kMicro);
  return MakeFunction(type, [v, type](const Args&, int64_t rows) -> Result<Datum> {
    QUIVER_ASSIGN_OR_RETURN(auto data, ToArray(Datum::Of(v, type), rows));
    return Datum::Own(std::move(data));
  });
}

}  // namespace

void RegisterDateFormat(FunctionRegistry& r) {
  r.Add({"strftime", "strftime(date32|timestamp, utf8)", BindStrftime});
  r.Add({"make_date", "make_date(int, int, int)",
         [](const Types& t, const Consts&) { return BindMake(false, t); }});
  r.Add({"make_timestamp", "make_timestamp(int, int, int, int, int, double), make_timestamp(int)",
         [](const Types& t, const Consts&) { return BindMake(true, t); }});
  r.Add({"to_timestamp", "to_timestamp(double)",
         [](const Types& t, const Consts&) { return BindToTimestamp(t); }});
  r.Add({"epoch_ms", "epoch_ms(date32|timestamp), epoch_ms(int)",
         [](const Types& t, const Consts&) { return BindEpochUnits(1000, t); }});
  r.Add({"epoch_us", "epoch_us(date32|timestamp)",
         [](const Types& t, const Consts&) { return BindEpochUnits(1000000, t); }});
  r.Add({"add_interval", "add_interval(date32|timestamp, int, int, int)", BindAddInterval});
  auto now = [](bool date) {
    return [date](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
      if (!t.empty()) return BoundFunctionPtr();
      return BindNow(date);
    };
  };
  r.Add({"current_date", "current_date()", now(true)});
  r.Alias("today", "current_date");
  r.Add({"now", "now()", now(false)});
  r.Alias("current_timestamp", "now");
  r.Alias("get_current_timestamp", "now");
}

}  // namespace quiver::kernels::internal
