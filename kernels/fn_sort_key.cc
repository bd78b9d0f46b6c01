// Sort keys of the types the kernels do not order themselves; the planner
// (store/plan_widen.cc) compares and sorts those columns by them.
//
// interval_key: an interval's place in the order intervals compare and sort
// in, as DuckDB and PostgreSQL order them: a month counts 30 days and a day
// 24 hours, so '1 month' = '30 days' and '1 day' < '25 hours'. The key is
// the interval's length in nanoseconds under that rule, a decimal128(38, 0)
// (every Arrow interval fits: at most about 5.6e24). The planner
// (store/plan_widen.cc) compares and sorts interval columns by it.
//   interval_key(interval[year_month|day_time|month_day_nano])
//   interval_key(months, days, microseconds)   (an INTERVAL '...' literal)
//
// decimal256_key: a decimal256's 32 bytes big-endian with the sign bit
// flipped, as a fixed_size_binary[32], whose byte order (memcmp) is the
// numbers' order at one scale.
#include <cstring>

#include "columnar/decimal.h"
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

// A column of 32-byte values from one of 32-byte values, row by row through
// `f(in, out)`; NULL where the input is.
template <typename F>
Datum Map32Bytes(const DataType& out_type, const Datum& in, int64_t rows, F f) {
  auto data = std::make_shared<ArrayData>();
  data->type = out_type;
  data->length = rows;
  auto values = Buffer::Allocate(rows * 32);
  std::shared_ptr<Buffer> validity;
  int64_t nulls = 0;
  for (int64_t i = 0; i < rows; ++i) {
    uint8_t* out = values->mutable_data() + i * 32;
    if (in.is_scalar || in.view.IsNull(i)) {
      if (validity == nullptr) {
        validity = Buffer::Allocate(BytesForBits(rows));
        std::memset(validity->mutable_data(), 0xff, size_t(BytesForBits(rows)));
      }
      ClearBit(validity->mutable_data(), i);
      ++nulls;
      std::memset(out, 0, 32);
    } else {
      f(in.view.values + (in.view.offset + i) * 32, out);
    }
  }
  data->null_count = nulls;
  data->buffers = {std::move(validity), std::move(values)};
  return Datum::Own(std::move(data));
}

Result<BoundFunctionPtr> BindDecimal256Key(const Types& t, const Consts&) {
  if (t.size() != 1 || t[0].id != TypeId::kDecimal256) return BoundFunctionPtr();
  const DataType out_type = DataType::FixedSizeBinary(32);
  return MakeFunction(out_type, [out_type](const Args& args, int64_t rows) -> Result<Datum> {
    return Map32Bytes(out_type, args[0], rows, Decimal256SortKey);
  });
}

// decimal256_from_key(key, precision, scale): the decimal256(p, s) a
// decimal256_key stands for (min/max of decimal256 are taken on keys).
Result<BoundFunctionPtr> BindDecimal256FromKey(const Types& t, const Consts& c) {
  if (t.size() != 3 || t[0].id != TypeId::kFixedSizeBinary || t[0].byte_width != 32 || c[1] == nullptr ||
      c[2] == nullptr || c[1]->is_null() || c[2]->is_null()) {
    return BoundFunctionPtr();
  }
  const DataType out_type = DataType::Decimal(int32_t(c[1]->int64_value()), int32_t(c[2]->int64_value()));
  if (out_type.id != TypeId::kDecimal256) return BoundFunctionPtr();
  return MakeFunction(out_type, [out_type](const Args& args, int64_t rows) -> Result<Datum> {
    return Map32Bytes(out_type, args[0], rows, Decimal256FromSortKey);
  });
}

}  // namespace

void RegisterSortKeys(FunctionRegistry& r) {
  r.Add({"decimal256_from_key", "decimal256_from_key(fixed_size_binary[32], precision, scale)",
         BindDecimal256FromKey});
  r.Add({"interval_key", "interval_key(interval), interval_key(int, int, int)", BindIntervalKey});
  r.Add({"decimal256_key", "decimal256_key(decimal256)", BindDecimal256Key});
}

}  // namespace quiver::kernels::internal
