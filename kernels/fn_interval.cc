// interval_key: an interval's place in the order intervals compare and sort
// in, as DuckDB and PostgreSQL order them: a month counts 30 days and a day
// 24 hours, so '1 month' = '30 days' and '1 day' < '25 hours'. The key is
// the interval's length in nanoseconds under that rule, a decimal128(38, 0)
// (every Arrow interval fits: at most about 5.6e24). The planner
// (store/plan_widen.cc) compares and sorts interval columns by it.
//   interval_key(interval[year_month|day_time|month_day_nano])
//   interval_key(months, days, microseconds)   (an INTERVAL '...' literal)
#include <cstring>

#include "kernels/fn_text_internal.h"
#include "kernels/function_internal.h"

namespace quiver::kernels::internal {

namespace {

using Types = std::vector<DataType>;
using Consts = std::vector<const Scalar*>;
using Args = std::vector<Datum>;

constexpr __int128 kNanosPerDay = __int128(86400) * 1000000000;
constexpr __int128 kNanosPerMonth = 30 * kNanosPerDay;

bool IsInterval(TypeId id) {
  return id == TypeId::kIntervalYearMonth || id == TypeId::kIntervalDayTime ||
         id == TypeId::kIntervalMonthDayNano;
}

DataType KeyType() { return DataType::Decimal(38, 0); }

// Row i of an interval column (not null) as its key.
__int128 KeyAt(const ArrayView& v, int64_t i) {
  const uint8_t* p = v.values + (v.offset + i) * ByteWidth(*v.type);
  switch (v.type->id) {
    case TypeId::kIntervalYearMonth: {
      int32_t months;
      std::memcpy(&months, p, 4);
      return months * kNanosPerMonth;
    }
    case TypeId::kIntervalDayTime: {
      int32_t dm[2];  // days, milliseconds
      std::memcpy(dm, p, 8);
      return dm[0] * kNanosPerDay + __int128(dm[1]) * 1000000;
    }
    default: {
      int32_t md[2];  // months, days
      int64_t ns;
      std::memcpy(md, p, 8);
      std::memcpy(&ns, p + 8, 8);
      return md[0] * kNanosPerMonth + md[1] * kNanosPerDay + ns;
    }
  }
}

Result<BoundFunctionPtr> BindIntervalKey(const Types& t, const Consts&) {
  if (t.size() == 1 && IsInterval(t[0].id)) {
    return MakeFunction(KeyType(), [](const Args& args, int64_t rows) -> Result<Datum> {
      FixedOut<__int128> out(KeyType(), rows);
      const ArrayView& v = args[0].view;
      for (int64_t i = 0; i < rows; ++i) {
        if (args[0].is_scalar || v.IsNull(i)) {
          out.SetNull(i);
        } else {
          out.Set(i, KeyAt(v, i));
        }
      }
      return out.Finish();
    });
  }
  if (t.size() == 3 && IsIntType(t[0]) && IsIntType(t[1]) && IsIntType(t[2])) {
    return MakeFunction(KeyType(), [](const Args& args, int64_t rows) -> Result<Datum> {
      const NumIn months(args[0]), days(args[1]), micros(args[2]);
      FixedOut<__int128> out(KeyType(), rows);
      for (int64_t i = 0; i < rows; ++i) {
        if (months.IsNull(i) || days.IsNull(i) || micros.IsNull(i)) {
          out.SetNull(i);
        } else {
          out.Set(i, months.Int(i) * kNanosPerMonth + days.Int(i) * kNanosPerDay +
                         __int128(micros.Int(i)) * 1000);
        }
      }
      return out.Finish();
    });
  }
  return BoundFunctionPtr();
}

}  // namespace

void RegisterInterval(FunctionRegistry& r) {
  r.Add({"interval_key", "interval_key(interval), interval_key(int, int, int)", BindIntervalKey});
}

}  // namespace quiver::kernels::internal
