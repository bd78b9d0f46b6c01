#include "columnar/datetime_text.h"

#include "columnar/civil_time.h"

namespace quiver {

namespace {

// A cursor over the text; never reads past its end.
struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool Done() const { return i >= s.size(); }
  char Peek() const { return Done() ? '\0' : s[i]; }
  bool Accept(char c) {
    if (Peek() != c) return false;
    ++i;
    return true;
  }
  // Exactly n digits.
  bool Digits(int n, int64_t* out) {
    int64_t v = 0;
    for (int k = 0; k < n; ++k) {
      const char c = Peek();
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
      ++i;
    }
    *out = v;
    return true;
  }
};

// HH:MM[:SS[.f]] at the cursor: seconds since midnight and the fraction.
DateTimeProblem Clock(Cursor* c, DateTimeText* out, int64_t* secs) {
  int64_t hh, mm, ss = 0;
  if (!c->Digits(2, &hh) || !c->Accept(':') || !c->Digits(2, &mm)) return DateTimeProblem::kShape;
  if (c->Accept(':')) {
    if (!c->Digits(2, &ss)) return DateTimeProblem::kShape;
    if (c->Accept('.') || c->Accept(',')) {
      const size_t start = c->i;
      while (c->Peek() >= '0' && c->Peek() <= '9') ++c->i;
      if (c->i == start || c->i - start > 9) return DateTimeProblem::kShape;
      out->fraction = c->s.substr(start, c->i - start);
    }
  }
  if (hh > 23) return out->bad_value = hh, DateTimeProblem::kHour;
  if (mm > 59) return out->bad_value = mm, DateTimeProblem::kMinute;
  if (ss > 60) return out->bad_value = ss, DateTimeProblem::kSecond;
  if (ss == 60) ss = 59;  // a leap second
  *secs = hh * 3600 + mm * 60 + ss;
  return DateTimeProblem::kNone;
}

}  // namespace

DateTimeProblem ParseDateTimeText(std::string_view s, DateTimeText* out) {
  *out = DateTimeText();
  Cursor c{s};
  int64_t y, m, d;
  if (!c.Digits(4, &y) || !c.Accept('-') || !c.Digits(2, &m) || !c.Accept('-') || !c.Digits(2, &d)) {
    return DateTimeProblem::kShape;
  }
  if (m < 1 || m > 12) return out->bad_value = m, DateTimeProblem::kMonth;
  if (d < 1 || d > int64_t(DaysInMonth(y, unsigned(m)))) return out->bad_value = d, DateTimeProblem::kDay;
  out->days = DaysFromCivil(y, unsigned(m), unsigned(d));
  out->seconds = out->days * 86400;
  if (c.Done()) return DateTimeProblem::kNone;
  if (!c.Accept('T') && !c.Accept('t') && !c.Accept(' ')) return DateTimeProblem::kShape;
  int64_t secs = 0;
  if (DateTimeProblem p = Clock(&c, out, &secs); p != DateTimeProblem::kNone) return p;
  out->has_time = true;
  int64_t offset = 0;
  if (c.Accept('Z') || c.Accept('z')) {
    // UTC
  } else if (c.Peek() == '+' || c.Peek() == '-') {
    const bool minus = c.Peek() == '-';
    ++c.i;
    int64_t oh, om = 0;
    if (!c.Digits(2, &oh)) return DateTimeProblem::kShape;
    if (!c.Done()) {
      c.Accept(':');
      if (!c.Digits(2, &om)) return DateTimeProblem::kShape;
    }
    if (oh > 23 || om > 59) return DateTimeProblem::kOffset;
    offset = (minus ? -1 : 1) * (oh * 3600 + om * 60);
  }
  if (!c.Done()) return DateTimeProblem::kShape;
  out->seconds += secs - offset;
  return DateTimeProblem::kNone;
}

DateTimeProblem ParseTimeOfDayText(std::string_view s, DateTimeText* out) {
  *out = DateTimeText();
  Cursor c{s};
  int64_t secs = 0;
  if (DateTimeProblem p = Clock(&c, out, &secs); p != DateTimeProblem::kNone) return p;
  if (!c.Done()) return DateTimeProblem::kShape;
  out->has_time = true;
  out->seconds = secs;
  return DateTimeProblem::kNone;
}

std::string DateTimeProblemText(DateTimeProblem p, const DateTimeText& t, const char* shape) {
  const std::string v = std::to_string(t.bad_value);
  switch (p) {
    case DateTimeProblem::kNone: return "";
    case DateTimeProblem::kMonth: return "month " + v + " is out of range";
    case DateTimeProblem::kDay: return "day " + v + " is out of range for the month";
    case DateTimeProblem::kHour: return "hour " + v + " is out of range";
    case DateTimeProblem::kMinute: return "minute " + v + " is out of range";
    case DateTimeProblem::kSecond: return "second " + v + " is out of range";
    case DateTimeProblem::kOffset: return "time zone offset is out of range";
    case DateTimeProblem::kShape: break;
  }
  return shape;
}

bool FractionToUnits(std::string_view fraction, TimeUnit unit, int64_t* out) {
  const size_t digits = size_t(UnitDigits(unit));
  int64_t v = 0;
  for (size_t k = 0; k < digits; ++k) v = v * 10 + (k < fraction.size() ? fraction[k] - '0' : 0);
  for (size_t k = digits; k < fraction.size(); ++k) {
    if (fraction[k] != '0') return false;
  }
  *out = v;
  return true;
}

bool DateTimeToUnits(const DateTimeText& t, TimeUnit unit, int64_t* out, bool* excess) {
  int64_t sub = 0;
  const bool fits = FractionToUnits(t.fraction, unit, &sub);
  if (excess) *excess = !fits;
  if (!fits) return false;
  return !__builtin_mul_overflow(t.seconds, UnitsPerSecond(unit), out) && !__builtin_add_overflow(*out, sub, out);
}

}  // namespace quiver
