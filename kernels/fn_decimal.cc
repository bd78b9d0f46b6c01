// Decimal arithmetic and math: + - * % and unary minus on decimal128 with
// decimal128 or integer operands, and abs sign round floor ceil trunc of a
// decimal128 (BindDecimalArithmetic / BindDecimalMath, called by the binders
// of fn_arith.cc and fn_math.cc). Also DecimalInput, DecimalSpecOf and
// CompareDecimals of kernels/fn_decimal_internal.h.
//
// Result types are DuckDB's (v1.5), with integers as decimal(width, 0)
// (DecimalSpecOf) and S = max(s1, s2):
//   a + b, a - b  decimal(max(max(p1 - s1, p2 - s2) + S, p1, p2) + 1, S)
//   a * b         decimal(p1 + p2, s1 + s2); s1 + s2 > 38 is an error
//   a % b         decimal(max(max(p1 - s1, p2 - s2) + S, p1, p2), S)
// A precision above 18 from operands of at most 18 digits is lowered to 18
// (for * only while the scale is below 18), and any precision above 38 to 38:
// DuckDB keeps such results in 64 bits and checks them. A value that does not
// fit the result's precision (or 128 bits) is an Overflow error naming the
// operation and its operands, never a wrapped value; so is an operand of + -
// % that does not fit the result type once brought to its scale (DuckDB
// casts the operands to it). `/` and `//` on decimals, and any operation
// with a float, are float64 (fn_arith.cc). x % 0 is NULL.
//   -x, abs(x)     decimal(p, s);  sign(x) int8
//   floor, ceil, trunc, round(x)   decimal(p, 0)
//   round(x, n)    n >= s: x itself; 0 <= n < s: decimal(p, n); n < 0:
//                  decimal(p, 0) rounded to a multiple of 10^-n (an Overflow
//                  error when that needs more than p digits). n must be a
//                  constant, as in DuckDB. Rounding is half away from zero.
#include <string>
#include <string_view>

#include "kernels/aggregate.h"
#include "kernels/column_internal.h"
#include "kernels/fn_decimal_internal.h"

namespace quiver::kernels::internal {

std::optional<DecimalSpec> DecimalSpecOf(const DataType& t, const Scalar* constant) {
  if (t.is_dictionary()) return std::nullopt;
  if (t.id == TypeId::kDecimal128) return DecimalSpec{t.precision, t.scale};
  if (constant != nullptr && constant->kind() == Scalar::Kind::kInt64 &&
      constant->int64_value() >= INT32_MIN && constant->int64_value() <= INT32_MAX) {
    return DecimalSpec{10, 0};
  }
  switch (t.id) {
    case TypeId::kInt8:
    case TypeId::kUInt8:
      return DecimalSpec{3, 0};
    case TypeId::kInt16:
    case TypeId::kUInt16:
      return DecimalSpec{5, 0};
    case TypeId::kInt32:
    case TypeId::kUInt32:
      return DecimalSpec{10, 0};
    case TypeId::kInt64:
      return DecimalSpec{19, 0};
    case TypeId::kUInt64:
      return DecimalSpec{20, 0};
    default:
      return std::nullopt;
  }
}

namespace {

std::string SpecText(int precision, int scale) {
  return "decimal(" + std::to_string(precision) + ", " + std::to_string(scale) + ")";
}

// v * m into *out; true when that leaves 128 bits or `precision` digits.
inline bool ScaleUp(int128_t v, int128_t m, int128_t max, int128_t* out) {
  return __builtin_mul_overflow(v, m, out) | (*out > max) | (*out < -max);
}

}  // namespace

Status DecimalInput::Load(const Datum& d, int64_t rows, int scale, int precision) {
  bytes_ = nullptr;
  storage_.clear();
  const int128_t max = MaxDecimal128(precision);
  auto too_big = [&](const std::string& value) {
    return Status::Overflow("value " + value + " does not fit " + SpecText(precision, scale));
  };
  if (d.is_scalar) {
    const Scalar& s = d.scalar;
    int128_t v = 0;
    int from = 0;
    switch (s.kind()) {
      case Scalar::Kind::kNull:
        scalar_ = 0;
        return Status::OK();
      case Scalar::Kind::kDecimal:
        v = s.decimal_value();
        from = s.scale();
        break;
      case Scalar::Kind::kInt64:
        v = s.int64_value();
        break;
      case Scalar::Kind::kUInt64:
        v = s.uint64_value();
        break;
      case Scalar::Kind::kBool:
        v = s.bool_value() ? 1 : 0;
        break;
      default:
        return Status::TypeError("expected a decimal or an integer, got " + s.ToString());
    }
    if (from > scale) return Status::Internal("decimal input at a smaller scale");
    if (ScaleUp(v, Pow10Int128(scale - from), max, &scalar_)) {
      return too_big(FormatDecimal128(v, from));
    }
    return Status::OK();
  }
  const ArrayView& view = d.view;
  storage_.resize(size_t(rows));
  int128_t* out = storage_.data();
  if (d.type.id == TypeId::kNone) {
    std::fill(storage_.begin(), storage_.end(), int128_t(0));
    bytes_ = reinterpret_cast<const uint8_t*>(out);
    return Status::OK();
  }
  int from = 0;
  bool bad = false;
  const uint8_t* raw = nullptr;
  if (IsDecimal128(d.type)) {
    from = d.type.scale;
    raw = view.values + view.offset * 16;
    if (from == scale && precision >= d.type.precision) {
      storage_.clear();
      bytes_ = raw;
      return Status::OK();
    }
    if (from > scale) return Status::Internal("decimal input at a smaller scale");
    const int128_t m = Pow10Int128(scale - from);
    for (int64_t i = 0; i < rows; ++i) bad |= ScaleUp(LoadDecimal128(raw + i * 16), m, max, &out[i]);
  } else if (d.type.id == TypeId::kBool) {
    for (int64_t i = 0; i < rows; ++i) out[i] = view.BoolValue(i) ? 1 : 0;
    const int128_t m = Pow10Int128(scale);
    for (int64_t i = 0; i < rows; ++i) bad |= ScaleUp(out[i], m, max, &out[i]);
  } else {
    const int128_t m = Pow10Int128(scale);
    QUIVER_RETURN_NOT_OK(VisitFixedWidth(
        d.type.id,
        [&](auto tag) -> Status {
          using T = decltype(tag);
          if constexpr (std::is_integral_v<T>) {
            const T* x = view.data<T>();
            for (int64_t i = 0; i < rows; ++i) bad |= ScaleUp(int128_t(x[i]), m, max, &out[i]);
            return Status::OK();
          } else {
            return Status::TypeError("expected a decimal or an integer, got " + d.type.ToString());
          }
        },
        [&]() -> Status {
          return Status::TypeError("expected a decimal or an integer, got " + d.type.ToString());
        }));
  }
  if (bad) {  // the first valid row that does not fit (NULL rows hold anything)
    const int128_t m = Pow10Int128(scale - from);
    for (int64_t i = 0; i < rows; ++i) {
      if (!view.IsValid(i)) continue;
      int128_t v = 0, r;
      if (raw != nullptr) {
        v = LoadDecimal128(raw + i * 16);
      } else {
        const Scalar s = ValueAt(view, i);
        v = s.kind() == Scalar::Kind::kUInt64 ? int128_t(s.uint64_value())
            : s.kind() == Scalar::Kind::kBool ? int128_t(s.bool_value())
                                              : int128_t(s.int64_value());
      }
      if (ScaleUp(v, m, max, &r)) return too_big(FormatDecimal128(v, from));
    }
  }
  bytes_ = reinterpret_cast<const uint8_t*>(out);
  return Status::OK();
}

int CompareDecimals(int128_t a, int sa, int128_t b, int sb) {
  if (sa < sb) return -CompareDecimals(b, sb, a, sa);
  if (sa > sb) {
    int128_t up;
    if (__builtin_mul_overflow(b, Pow10Int128(sa - sb), &up)) return b < 0 ? 1 : -1;
    b = up;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

namespace {

enum class DecOp { kAdd, kSub, kMul, kMod };

const char* DecOpName(DecOp op) {
  switch (op) {
    case DecOp::kAdd:
      return "+";
    case DecOp::kSub:
      return "-";
    case DecOp::kMul:
      return "*";
    case DecOp::kMod:
      return "%";
  }
  return "?";
}

// How an operation is computed: the operands are loaded at their scales,
// checked against operand_precision digits, and the result must fit
// result.precision digits.
struct DecPlan {
  DecOp op = DecOp::kAdd;
  DataType result;
  int scale_a = 0, scale_b = 0;
  int operand_precision = kMaxDecimal128Precision;
  // *: the operands' digits add up to 38 at most, so a valid row's product
  // cannot leave 128 bits (NULL rows may hold anything: the product wraps).
  bool product_fits = false;
};

// x op y into *r; true when the result leaves 128 bits or `max`. Division
// by zero (and by -1, which cannot leave a remainder) yields 0 here.
using uint128_t = unsigned __int128;

// kOp, or kWrappingMul: * of operands whose product fits (DecPlan::product_fits).
constexpr int kWrappingMul = 4;

template <int kOp>
inline bool DecRow(int128_t x, int128_t y, int128_t max, int128_t* r) {
  bool o = false;
  if constexpr (kOp == kWrappingMul) *r = int128_t(uint128_t(x) * uint128_t(y));
  if constexpr (kOp == int(DecOp::kAdd)) o = __builtin_add_overflow(x, y, r);
  if constexpr (kOp == int(DecOp::kSub)) o = __builtin_sub_overflow(x, y, r);
  if constexpr (kOp == int(DecOp::kMul)) o = __builtin_mul_overflow(x, y, r);
  if constexpr (kOp == int(DecOp::kMod)) *r = ((y == 0) | (y == -1)) ? int128_t(0) : x % y;
  return o | (*r > max) | (*r < -max);
}

template <int kOp>
bool DecLoop(const DecimalInput& a, const DecimalInput& b, int64_t n, int128_t max, uint8_t* out) {
  bool flag = false;
  int128_t r;
  const uint8_t* x = a.bytes();
  const uint8_t* y = b.bytes();
  if (x != nullptr && y != nullptr) {
    for (int64_t i = 0; i < n; ++i) {
      flag |= DecRow<kOp>(LoadDecimal128(x + i * 16), LoadDecimal128(y + i * 16), max, &r);
      StoreDecimal128(out + i * 16, r);
    }
  } else if (x != nullptr) {
    const int128_t c = b.scalar();
    for (int64_t i = 0; i < n; ++i) {
      flag |= DecRow<kOp>(LoadDecimal128(x + i * 16), c, max, &r);
      StoreDecimal128(out + i * 16, r);
    }
  } else {
    const int128_t c = a.scalar();
    for (int64_t i = 0; i < n; ++i) {
      flag |= DecRow<kOp>(c, LoadDecimal128(y + i * 16), max, &r);
      StoreDecimal128(out + i * 16, r);
    }
  }
  return flag;
}

bool DecRowAny(DecOp op, int128_t x, int128_t y, int128_t max, int128_t* r) {
  switch (op) {
    case DecOp::kAdd:
      return DecRow<int(DecOp::kAdd)>(x, y, max, r);
    case DecOp::kSub:
      return DecRow<int(DecOp::kSub)>(x, y, max, r);
    case DecOp::kMul:
      return DecRow<int(DecOp::kMul)>(x, y, max, r);
    case DecOp::kMod:
      return DecRow<int(DecOp::kMod)>(x, y, max, r);
  }
  return false;
}

Status InOperation(const Status& s, DecOp op) {
  return Status(s.code(), std::string("decimal ") + DecOpName(op) + ": " + s.message());
}

Result<Datum> ExecDecimal(const DecPlan& plan, const std::vector<Datum>& args, int64_t rows) {
  const DataType& type = plan.result;
  int64_t nulls = 0;
  std::shared_ptr<Buffer> validity = AndValidity({&args[0], &args[1]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(type, rows));
  DecimalInput a, b;
  if (Status s = a.Load(args[0], rows, plan.scale_a, plan.operand_precision); !s.ok()) {
    return InOperation(s, plan.op);
  }
  if (Status s = b.Load(args[1], rows, plan.scale_b, plan.operand_precision); !s.ok()) {
    return InOperation(s, plan.op);
  }
  const bool mod = plan.op == DecOp::kMod;
  if (mod && b.is_scalar() && b.scalar() == 0) return Datum::Own(NullColumn(type, rows));
  auto buf = Buffer::Allocate(rows * 16);
  uint8_t* out = buf->mutable_data();
  const int128_t max = MaxDecimal128(type.precision);
  bool overflow = false;
  switch (plan.op) {
    case DecOp::kAdd:
      overflow = DecLoop<int(DecOp::kAdd)>(a, b, rows, max, out);
      break;
    case DecOp::kSub:
      overflow = DecLoop<int(DecOp::kSub)>(a, b, rows, max, out);
      break;
    case DecOp::kMul:
      overflow = plan.product_fits ? DecLoop<kWrappingMul>(a, b, rows, max, out)
                                   : DecLoop<int(DecOp::kMul)>(a, b, rows, max, out);
      break;
    case DecOp::kMod:
      overflow = DecLoop<int(DecOp::kMod)>(a, b, rows, max, out);
      break;
  }
  if (overflow) {  // the first valid row that overflowed (NULL rows hold anything)
    for (int64_t i = 0; i < rows; ++i) {
      int128_t r;
      if ((validity == nullptr || GetBit(validity->data(), i)) &&
          DecRowAny(plan.op, a.At(i), b.At(i), max, &r)) {
        return Status::Overflow("decimal overflow in " + FormatDecimal128(a.At(i), plan.scale_a) +
                                " " + DecOpName(plan.op) + " " +
                                FormatDecimal128(b.At(i), plan.scale_b) +
                                ": the result does not fit " + type.ToString());
      }
    }
  }
  if (mod && !b.is_scalar()) {  // x % 0 is NULL
    for (int64_t i = 0; i < rows; ++i) {
      if (b.At(i) != 0) continue;
      if (validity == nullptr) validity = AllValidBitmap(rows);
      ClearBit(validity->mutable_data(), i);
    }
  }
  return Datum::Own(MakeColumn(type, rows, {validity, buf}));
}

// DuckDB keeps results of operands of at most 18 digits in 64 bits.
constexpr int kMaxInt64Digits = 18;

Result<DecPlan> PlanBinary(DecOp op, DecimalSpec a, DecimalSpec b) {
  DecPlan plan;
  plan.op = op;
  const int max_width = std::max(a.precision, b.precision);
  const int max_scale = std::max(a.scale, b.scale);
  const int over = std::max(a.precision - a.scale, b.precision - b.scale);
  int width = 0, scale = 0;
  if (op == DecOp::kMul) {
    scale = a.scale + b.scale;
    if (scale > kMaxDecimal128Precision) {
      return Status::Overflow("decimal multiplication needs scale " + std::to_string(scale) +
                              " to be exact, more than 38: cast an operand to double or to a "
                              "decimal of a smaller scale");
    }
    width = a.precision + b.precision;
    if (width > kMaxInt64Digits && max_width <= kMaxInt64Digits && scale < kMaxInt64Digits) {
      width = kMaxInt64Digits;
    }
    plan.scale_a = a.scale;
    plan.scale_b = b.scale;
    plan.product_fits = a.precision + b.precision <= kMaxDecimal128Precision;
  } else {
    scale = max_scale;
    width = std::max(max_scale + over, max_width) + (op == DecOp::kMod ? 0 : 1);
    if (width > kMaxInt64Digits && max_width <= kMaxInt64Digits) width = kMaxInt64Digits;
    plan.scale_a = plan.scale_b = scale;
  }
  width = std::min(width, kMaxDecimal128Precision);
  if (op != DecOp::kMul) plan.operand_precision = width;
  plan.result = DataType::Decimal(width, scale);
  return plan;
}

Result<Datum> ExecNegate(const DataType& type, const std::vector<Datum>& args, int64_t rows) {
  int64_t nulls = 0;
  std::shared_ptr<Buffer> validity = AndValidity({&args[0]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(type, rows));
  DecimalInput a;
  QUIVER_RETURN_NOT_OK(a.Load(args[0], rows, type.scale));
  auto buf = Buffer::Allocate(rows * 16);
  uint8_t* out = buf->mutable_data();
  const uint8_t* x = a.bytes();
  for (int64_t i = 0; i < rows; ++i) {
    int128_t r;
    __builtin_sub_overflow(int128_t(0), LoadDecimal128(x + i * 16), &r);  // |x| < 10^38
    StoreDecimal128(out + i * 16, r);
  }
  return Datum::Own(MakeColumn(type, rows, {validity, buf}));
}

}  // namespace

Result<BoundFunctionPtr> BindDecimalArithmetic(std::string_view op,
                                               const std::vector<DataType>& types,
                                               const std::vector<const Scalar*>& constants) {
  if (op == "neg") {
    if (types.size() != 1 || !IsDecimal128(types[0])) return BoundFunctionPtr();
    const DataType t = types[0];
    return MakeBound(t, [t](const std::vector<Datum>& args, int64_t rows) {
      return ExecNegate(t, args, rows);
    });
  }
  if (types.size() != 2) return BoundFunctionPtr();
  DecOp dop;
  if (op == "+") {
    dop = DecOp::kAdd;
  } else if (op == "-") {
    dop = DecOp::kSub;
  } else if (op == "*") {
    dop = DecOp::kMul;
  } else if (op == "%") {
    dop = DecOp::kMod;
  } else {
    return BoundFunctionPtr();
  }
  auto constant = [&](size_t i) { return i < constants.size() ? constants[i] : nullptr; };
  std::optional<DecimalSpec> a = DecimalSpecOf(types[0], constant(0));
  std::optional<DecimalSpec> b = DecimalSpecOf(types[1], constant(1));
  if (!a && types[0].id == TypeId::kNone) a = b;  // an untyped NULL takes the other's type
  if (!b && types[1].id == TypeId::kNone) b = a;
  if (!a || !b) return BoundFunctionPtr();
  QUIVER_ASSIGN_OR_RETURN(DecPlan plan, PlanBinary(dop, *a, *b));
  return MakeBound(plan.result, [plan](const std::vector<Datum>& args, int64_t rows) {
    return ExecDecimal(plan, args, rows);
  });
}

namespace {

enum class DecRound { kAbs, kFloor, kCeil, kTrunc, kRound };

// x (at scale s) to a multiple of 10^k by `how` (k in [0, 38]), in units
// of 10^k; abs keeps x's scale (k is 0).
inline int128_t RoundRow(DecRound how, int128_t x, int k) {
  if (how == DecRound::kAbs) return x < 0 ? int128_t(0) - x : x;
  if (how == DecRound::kRound) return DivPow10RoundHalfAway(x, k);
  if (k == 0) return x;
  const int128_t p = Pow10Int128(k);
  const int128_t q = x / p, r = x % p;
  if (how == DecRound::kFloor && r < 0) return q - 1;
  if (how == DecRound::kCeil && r > 0) return q + 1;
  return q;
}

// out = how(x) dropping k digits, then times 10^up (round to a negative
// number of digits); an Overflow error when that needs more than
// type.precision digits.
Result<Datum> ExecRounding(DecRound how, const DataType& type, int k, int up, const char* name,
                           const std::vector<Datum>& args, int64_t rows) {
  int64_t nulls = 0;
  std::shared_ptr<Buffer> validity = AndValidity({&args[0]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(type, rows));
  const int scale = args[0].type.scale;
  DecimalInput a;
  QUIVER_RETURN_NOT_OK(a.Load(args[0], rows, scale));
  auto buf = Buffer::Allocate(rows * 16);
  uint8_t* out = buf->mutable_data();
  const uint8_t* x = a.bytes();
  const int128_t m = Pow10Int128(up), max = MaxDecimal128(type.precision);
  bool bad = false;
  // NULL rows may hold values outside 38 digits: clamp before rounding.
  const int128_t in_max = MaxDecimal128(kMaxDecimal128Precision);
  for (int64_t i = 0; i < rows; ++i) {
    const int128_t v = std::clamp(LoadDecimal128(x + i * 16), -in_max, in_max);
    int128_t r = RoundRow(how, v, k);
    if (up > 0) bad |= ScaleUp(r, m, max, &r);
    StoreDecimal128(out + i * 16, r);
  }
  if (bad) {
    for (int64_t i = 0; i < rows; ++i) {
      int128_t r;
      const int128_t v = LoadDecimal128(x + i * 16);
      if ((validity == nullptr || GetBit(validity->data(), i)) &&
          ScaleUp(RoundRow(how, v, k), m, max, &r)) {
        return Status::Overflow(std::string(name) + "(" + FormatDecimal128(v, scale) + ", " +
                                std::to_string(-up) + ") does not fit " + type.ToString());
      }
    }
  }
  return Datum::Own(MakeColumn(type, rows, {validity, buf}));
}

Result<Datum> ExecDecimalSign(const std::vector<Datum>& args, int64_t rows) {
  const DataType type(TypeId::kInt8);
  int64_t nulls = 0;
  std::shared_ptr<Buffer> validity = AndValidity({&args[0]}, rows, &nulls);
  if (nulls == rows) return Datum::Own(NullColumn(type, rows));
  DecimalInput a;
  QUIVER_RETURN_NOT_OK(a.Load(args[0], rows, args[0].type.scale));
  auto buf = AllocateValues<int8_t>(rows);
  int8_t* out = MutableValues<int8_t>(buf);
  const uint8_t* x = a.bytes();
  for (int64_t i = 0; i < rows; ++i) {
    const int128_t v = LoadDecimal128(x + i * 16);
    out[i] = int8_t((v > 0) - (v < 0));
  }
  return Datum::Own(MakeColumn(type, rows, {validity, buf}));
}

BoundFunctionPtr BindRounding(DecRound how, DataType type, int k, int up, const char* name) {
  return MakeBound(type, [how, type, k, up, name](const std::vector<Datum>& args, int64_t rows) {
    return ExecRounding(how, type, k, up, name, args, rows);
  });
}

}  // namespace

Result<BoundFunctionPtr> BindDecimalMath(std::string_view name, const std::vector<DataType>& types,
                                         const std::vector<const Scalar*>& constants) {
  if (types.empty() || !IsDecimal128(types[0])) return BoundFunctionPtr();
  const DataType& t = types[0];
  if (types.size() == 1) {
    if (name == "sign") return MakeBound(DataType(TypeId::kInt8), ExecDecimalSign);
    if (name == "abs") return BindRounding(DecRound::kAbs, t, 0, 0, "abs");
    const DataType whole = DataType::Decimal(t.precision, 0);
    if (name == "floor") return BindRounding(DecRound::kFloor, whole, t.scale, 0, "floor");
    if (name == "ceil") return BindRounding(DecRound::kCeil, whole, t.scale, 0, "ceil");
    if (name == "trunc") return BindRounding(DecRound::kTrunc, whole, t.scale, 0, "trunc");
    if (name == "round") return BindRounding(DecRound::kRound, whole, t.scale, 0, "round");
    return BoundFunctionPtr();
  }
  if (name != "round" || types.size() != 2) return BoundFunctionPtr();
  if (!IsInteger(types[1].id) && types[1].id != TypeId::kNone) return BoundFunctionPtr();
  const Scalar* n = constants.size() > 1 ? constants[1] : nullptr;
  if (n == nullptr) {
    return Status::NotSupported("round(" + t.ToString() +
                                ", n) needs a constant n (as in DuckDB); cast x to double to "
                                "round by a column");
  }
  if (n->is_null()) {
    return MakeBound(t, [t](const std::vector<Datum>&, int64_t rows) {
      return Datum::Own(NullColumn(t, rows));
    });
  }
  const int64_t digits = n->kind() == Scalar::Kind::kUInt64 ? int64_t(std::min<uint64_t>(
                                                                  n->uint64_value(), 100))
                                                            : n->int64_value();
  if (digits >= t.scale) {
    return MakeBound(t, [](const std::vector<Datum>& args, int64_t) -> Result<Datum> {
      return args[0];
    });
  }
  if (digits >= 0) {
    return BindRounding(DecRound::kRound, DataType::Decimal(t.precision, int(digits)),
                        t.scale - int(digits), 0, "round");
  }
  // Rounding to a multiple of 10^m: beyond the integer digits every value
  // rounds to 0 (truncating by 10^38 gives that).
  const DataType whole = DataType::Decimal(t.precision, 0);
  if (-digits > t.precision - t.scale) {
    return BindRounding(DecRound::kTrunc, whole, kMaxDecimal128Precision, 0, "round");
  }
  const int m = int(-digits);
  return BindRounding(DecRound::kRound, whole, t.scale + m, m, "round");
}

}  // namespace quiver::kernels::internal
