// Literal text of the query layer: dates, timestamps and LIKE patterns
// (store/query_bind.h), apart from the binder that uses them.
#include <string>
#include <string_view>

#include "columnar/datetime_text.h"
#include "store/query_bind.h"

namespace quiver::query {
namespace {

// Dates and times: the one grammar of columnar/datetime_text.h, with the
// shapes and ranges named in errors.
constexpr const char* kDateShape = "expected 'YYYY-MM-DD'";
constexpr const char* kTimestampShape =
    "expected 'YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]][Z|+HH:MM|-HH:MM]'";
constexpr const char* kTimeShape = "expected 'HH:MM[:SS[.fffffffff]]'";

Status Problem(DateTimeProblem p, const DateTimeText& t, const char* shape) {
  return Status::TypeError(DateTimeProblemText(p, t, shape));
}

Status ExcessDigits(std::string_view text, const DataType& type) {
  return Status::TypeError("'" + std::string(text) + "' has more fractional digits than " + type.ToString() +
                           " holds");
}

}  // namespace

Result<int64_t> ParseTimeOfDayLiteral(std::string_view text, const DataType& type) {
  DateTimeText t;
  if (DateTimeProblem p = ParseTimeOfDayText(text, &t); p != DateTimeProblem::kNone) return Problem(p, t, kTimeShape);
  int64_t sub = 0;
  if (!FractionToUnits(t.fraction, type.unit, &sub)) return ExcessDigits(text, type);
  return t.seconds * UnitsPerSecond(type.unit) + sub;
}

Result<int32_t> ParseDateLiteral(std::string_view text) {
  DateTimeText t;
  DateTimeProblem p = ParseDateTimeText(text, &t);
  if (p == DateTimeProblem::kNone && t.has_time) p = DateTimeProblem::kShape;
  if (p != DateTimeProblem::kNone) return Problem(p, t, kDateShape);
  return int32_t(t.days);
}

Result<int64_t> ParseTimestampLiteral(std::string_view text, TimeUnit unit) {
  DateTimeText t;
  if (DateTimeProblem p = ParseDateTimeText(text, &t); p != DateTimeProblem::kNone) {
    return Problem(p, t, kTimestampShape);
  }
  int64_t out = 0;
  bool excess = false;
  if (!DateTimeToUnits(t, unit, &out, &excess)) {
    if (excess) return ExcessDigits(text, DataType::Timestamp(unit));
    return Status::TypeError("'" + std::string(text) + "' is out of range for " + DataType::Timestamp(unit).ToString());
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
