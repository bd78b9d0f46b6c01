#include "columnar/interval_text.h"

#include <cctype>
#include <charconv>

namespace quiver {

namespace {

// The (months, days, nanos) one `unit` stands for.
bool UnitParts(std::string_view unit, IntervalParts* p) {
  std::string u;
  for (char c : unit) u.push_back(char(std::tolower(static_cast<unsigned char>(c))));
  if (u.size() > 2 && u.back() == 's') u.pop_back();
  *p = IntervalParts{};
  if (u == "year" || u == "yr" || u == "y") p->months = 12;
  else if (u == "quarter") p->months = 3;
  else if (u == "month" || u == "mon") p->months = 1;
  else if (u == "week" || u == "w") p->days = 7;
  else if (u == "day" || u == "d") p->days = 1;
  else if (u == "hour" || u == "hr" || u == "h") p->nanos = 3600000000000LL;
  else if (u == "minute" || u == "min" || u == "m") p->nanos = 60000000000LL;
  else if (u == "second" || u == "sec" || u == "s") p->nanos = 1000000000LL;
  else if (u == "millisecond" || u == "ms") p->nanos = 1000000LL;
  else if (u == "microsecond" || u == "us") p->nanos = 1000LL;
  else if (u == "nanosecond" || u == "ns") p->nanos = 1LL;
  else return false;
  return true;
}

bool Add(int64_t k, int64_t unit, int64_t* acc) {
  int64_t v;
  return !__builtin_mul_overflow(k, unit, &v) && !__builtin_add_overflow(*acc, v, acc);
}

// [+|-]HH:MM[:SS[.f]] as nanoseconds.
bool ParseClock(std::string_view w, int64_t* nanos) {
  bool negative = false;
  if (!w.empty() && (w[0] == '-' || w[0] == '+')) {
    negative = w[0] == '-';
    w.remove_prefix(1);
  }
  int64_t field[3] = {0, 0, 0};
  int64_t frac = 0;
  int k = 0;
  size_t i = 0;
  while (k < 3) {
    const size_t start = i;
    while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i]))) ++i;
    if (i == start || i - start > 12) return false;
    std::from_chars(w.data() + start, w.data() + i, field[k]);
    ++k;
    if (i == w.size() || w[i] != ':') break;
    ++i;
  }
  if (k < 2) return false;
  if (i < w.size() && w[i] == '.' && k == 3) {
    ++i;
    int digits = 0;
    while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i]))) {
      if (digits == 9) return false;
      frac = frac * 10 + (w[i++] - '0');
      ++digits;
    }
    if (digits == 0) return false;
    for (; digits < 9; ++digits) frac *= 10;
  }
  if (i != w.size() || field[1] > 59 || field[2] > 59) return false;
  int64_t n = 0;
  if (!Add(field[0], 3600000000000LL, &n) || !Add(field[1], 60000000000LL, &n) ||
      !Add(field[2], 1000000000LL, &n) || !Add(frac, 1, &n)) {
    return false;
  }
  *nanos = negative ? -n : n;
  return true;
}

}  // namespace

bool ParseIntervalText(std::string_view text, IntervalParts* out, std::string* why) {
  *out = IntervalParts{};
  std::string_view words[64];
  size_t n = 0;
  for (size_t i = 0; i < text.size();) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i) {
      if (n == 64) {
        *why = "too many parts";
        return false;
      }
      words[n++] = text.substr(i, j - i);
    }
    i = j;
  }
  if (n == 0) {
    *why = "an interval is empty";
    return false;
  }
  size_t w = 0;
  while (w < n) {
    if (words[w].find(':') != std::string_view::npos) {
      int64_t clock;
      if (w + 1 != n || !ParseClock(words[w], &clock)) {
        *why = "'" + std::string(words[w]) + "' is not a time of the form HH:MM[:SS[.f]] at the end";
        return false;
      }
      if (!Add(clock, 1, &out->nanos)) {
        *why = "out of range";
        return false;
      }
      break;
    }
    std::string_view num = words[w];
    const char* b = num.data();
    const char* e = num.data() + num.size();
    if (b != e && *b == '+') ++b;
    int64_t k;
    auto r = std::from_chars(b, e, k);
    if (r.ec == std::errc::result_out_of_range) {
      *why = "'" + std::string(num) + "' is out of range";
      return false;
    }
    if (r.ec != std::errc() || r.ptr != e) {
      *why = "'" + std::string(num) + "' is not a whole number";
      return false;
    }
    if (w + 1 == n) {
      *why = "'" + std::string(num) + "' has no unit (day, month, ...)";
      return false;
    }
    IntervalParts unit;
    if (!UnitParts(words[w + 1], &unit)) {
      *why = "unknown unit '" + std::string(words[w + 1]) +
             "' (expected year, quarter, month, week, day, hour, minute, second, millisecond, "
             "microsecond or nanosecond)";
      return false;
    }
    if (!Add(k, unit.months, &out->months) || !Add(k, unit.days, &out->days) ||
        !Add(k, unit.nanos, &out->nanos)) {
      *why = "out of range";
      return false;
    }
    w += 2;
  }
  return true;
}

}  // namespace quiver
