// Literal text of the query layer: dates, timestamps and LIKE patterns
// (store/query_bind.h), apart from the binder that uses them.
#include <string>
#include <string_view>

#include "columnar/civil_time.h"
#include "store/query_bind.h"

namespace quiver::query {
namespace {

// ---------------------------------------------------------------------------
// Dates and times
// ---------------------------------------------------------------------------

// A small cursor over date/time text.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool Done() const { return i_ >= s_.size(); }
  char Peek() const { return Done() ? '\0' : s_[i_]; }
  bool Accept(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  // Exactly `n` digits.
  bool Digits(int n, int64_t* out) {
    int64_t v = 0;
    for (int k = 0; k < n; ++k) {
      char c = Peek();
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
      ++i_;
    }
    *out = v;
    return true;
  }
  // One or more digits, as text.
  std::string_view DigitRun() {
    size_t start = i_;
    while (!Done() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return s_.substr(start, i_ - start);
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

constexpr const char* kDateShape = "expected 'YYYY-MM-DD'";
constexpr const char* kTimestampShape =
    "expected 'YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]][Z|+HH:MM|-HH:MM]'";

Status ParseDateParts(Cursor* c, int64_t* days, const char* shape) {
  int64_t y, m, d;
  if (!c->Digits(4, &y) || !c->Accept('-') || !c->Digits(2, &m) || !c->Accept('-') ||
      !c->Digits(2, &d)) {
    return Status::TypeError(shape);
  }
  if (m < 1 || m > 12) return Status::TypeError("month " + std::to_string(m) + " is out of range");
  if (d < 1 || d > DaysInMonth(y, unsigned(m))) {
    return Status::TypeError("day " + std::to_string(d) + " is out of range for the month");
  }
  *days = DaysFromCivil(y, unsigned(m), unsigned(d));
  return Status::OK();
}

// HH:MM[:SS[.digits]], each field in range.
Status ParseClock(Cursor* c, int64_t* hh, int64_t* mm, int64_t* ss, std::string_view* fraction,
                  const char* shape) {
  if (!c->Digits(2, hh) || !c->Accept(':') || !c->Digits(2, mm)) return Status::TypeError(shape);
  if (c->Accept(':')) {
    if (!c->Digits(2, ss)) return Status::TypeError(shape);
    if (c->Accept('.')) {
      *fraction = c->DigitRun();
      if (fraction->empty()) return Status::TypeError(shape);
    }
  }
  if (*hh > 23) return Status::TypeError("hour " + std::to_string(*hh) + " is out of range");
  if (*mm > 59) return Status::TypeError("minute " + std::to_string(*mm) + " is out of range");
  if (*ss > 59) return Status::TypeError("second " + std::to_string(*ss) + " is out of range");
  return Status::OK();
}

// The fraction of a second as a count of `unit`s; digits beyond the unit
// must be zeros ('...:00.5' is not a whole second).
Result<int64_t> FractionUnits(std::string_view fraction, TimeUnit unit, std::string_view text,
                              const DataType& type) {
  const int digits = UnitDigits(unit);
  for (size_t k = size_t(digits); k < fraction.size(); ++k) {
    if (fraction[k] != '0') {
      return Status::TypeError("'" + std::string(text) + "' has more fractional digits than " +
                               type.ToString() + " holds");
    }
  }
  int64_t sub = 0;
  for (int k = 0; k < digits; ++k) {
    sub = sub * 10 + (size_t(k) < fraction.size() ? fraction[size_t(k)] - '0' : 0);
  }
  return sub;
}

constexpr const char* kTimeShape = "expected 'HH:MM[:SS[.fffffffff]]'";

}  // namespace

Result<int64_t> ParseTimeOfDayLiteral(std::string_view text, const DataType& type) {
  Cursor c(text);
  int64_t hh = 0, mm = 0, ss = 0;
  std::string_view fraction;
  QUIVER_RETURN_NOT_OK(ParseClock(&c, &hh, &mm, &ss, &fraction, kTimeShape));
  if (!c.Done()) return Status::TypeError(kTimeShape);
  QUIVER_ASSIGN_OR_RETURN(int64_t sub, FractionUnits(fraction, type.unit, text, type));
  return (hh * 3600 + mm * 60 + ss) * UnitsPerSecond(type.unit) + sub;
}

Result<int32_t> ParseDateLiteral(std::string_view text) {
  Cursor c(text);
  int64_t days = 0;
  QUIVER_RETURN_NOT_OK(ParseDateParts(&c, &days, kDateShape));
  if (!c.Done()) return Status::TypeError(kDateShape);
  return int32_t(days);
}

Result<int64_t> ParseTimestampLiteral(std::string_view text, TimeUnit unit) {
  Cursor c(text);
  int64_t days = 0;
  QUIVER_RETURN_NOT_OK(ParseDateParts(&c, &days, kTimestampShape));
  int64_t hh = 0, mm = 0, ss = 0, offset_minutes = 0;
  std::string_view fraction;
  if (c.Accept(' ') || c.Accept('T') || c.Accept('t')) {
    QUIVER_RETURN_NOT_OK(ParseClock(&c, &hh, &mm, &ss, &fraction, kTimestampShape));
    if (c.Accept('Z') || c.Accept('z')) {
      // UTC.
    } else if (c.Peek() == '+' || c.Peek() == '-') {
      const bool minus = c.Peek() == '-';
      c.Accept(c.Peek());
      int64_t oh = 0, om = 0;
      if (!c.Digits(2, &oh)) return Status::TypeError(kTimestampShape);
      c.Accept(':');
      if (!c.Digits(2, &om)) return Status::TypeError(kTimestampShape);
      if (oh > 23 || om > 59) return Status::TypeError("time zone offset is out of range");
      offset_minutes = (minus ? -1 : 1) * (oh * 60 + om);
    }
  }
  if (!c.Done()) return Status::TypeError(kTimestampShape);

  const int digits = UnitDigits(unit);
  QUIVER_ASSIGN_OR_RETURN(int64_t sub, FractionUnits(fraction, unit, text, DataType::Timestamp(unit)));
  int64_t scale = 1;
  for (int k = 0; k < digits; ++k) scale *= 10;
  const int64_t seconds = days * 86400 + hh * 3600 + mm * 60 + ss - offset_minutes * 60;
  int64_t out = 0;
  if (__builtin_mul_overflow(seconds, scale, &out) || __builtin_add_overflow(out, sub, &out)) {
    return Status::TypeError("'" + std::string(text) + "' is out of range for " +
                             DataType::Timestamp(unit).ToString());
  }
  return out;
}

bool LikeMatch(std::string_view text, std::string_view pattern) {
  auto char_len = [&](size_t i) -> size_t {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return std::min(n, text.size() - i);
  };
  constexpr size_t kNone = std::string_view::npos;
  size_t t = 0, p = 0, star_p = kNone, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == '_') {
      t += char_len(t);
      ++p;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++t;
      ++p;
    } else if (star_p != kNone) {
      // Let the last % absorb one more character and retry from there.
      star_t += char_len(star_t);
      t = star_t;
      p = star_p;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

}  // namespace quiver::query
