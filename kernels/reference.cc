#include "kernels/reference.h"

#include <cmath>

#include "kernels/aggregate.h"
#include "kernels/literal_internal.h"

namespace quiver::kernels::reference {
namespace {

bool IsString(const DataType& t) { return IsBinaryLike(t.id); }

// The row's value as a real number (numeric / temporal columns).
long double Real(const ArrayView& col, int64_t i) {
  switch (col.type->id) {
    case TypeId::kInt8: return col.Value<int8_t>(i);
    case TypeId::kInt16: return col.Value<int16_t>(i);
    case TypeId::kInt32: case TypeId::kDate32: return col.Value<int32_t>(i);
    case TypeId::kInt64: case TypeId::kTimestamp: return col.Value<int64_t>(i);
    case TypeId::kUInt8: return col.Value<uint8_t>(i);
    case TypeId::kUInt16: return col.Value<uint16_t>(i);
    case TypeId::kUInt32: return col.Value<uint32_t>(i);
    case TypeId::kUInt64: return col.Value<uint64_t>(i);
    case TypeId::kFloat32: return col.Value<float>(i);
    case TypeId::kFloat64: return col.Value<double>(i);
    default: return 0;
  }
}

bool RealCompare(long double x, CompareOp op, const internal::ExactLiteral& e) {
  if (e.is_nan) return op == CompareOp::kNe;
  // Between floor and ceil lies the literal; for integers x < L <=> x < ceil.
  switch (op) {
    case CompareOp::kEq: return e.exact() && x == e.lo;
    case CompareOp::kNe: return !(e.exact() && x == e.lo);
    case CompareOp::kLt: return x < e.hi;
    case CompareOp::kLe: return x <= e.lo;
    case CompareOp::kGt: return x > e.lo;
    case CompareOp::kGe: return x >= e.hi;
  }
  return false;
}

bool StrCompare(const std::string& x, CompareOp op, const std::string& l) {
  int c = x.compare(l);
  switch (op) {
    case CompareOp::kEq: return c == 0;
    case CompareOp::kNe: return c != 0;
    case CompareOp::kLt: return c < 0;
    case CompareOp::kLe: return c <= 0;
    case CompareOp::kGt: return c > 0;
    case CompareOp::kGe: return c >= 0;
  }
  return false;
}

template <typename F>
Result<Tris> StringRows(const ArrayView& col, F f) {
  if (!IsString(col.type->value_type())) return Status::TypeError("not a string column");
  Tris out(size_t(col.length));
  for (int64_t i = 0; i < col.length; ++i) {
    Scalar v = ValueAt(col, i);
    out[size_t(i)] = v.is_null() ? kUnknown : f(v.string_value()) ? kTrue : kFalse;
  }
  return out;
}

size_t CharLen(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xE) return 3;
  if ((c >> 3) == 0x1E) return 4;
  return 1;
}

}  // namespace

Tris FromMask(const Mask& m) {
  Tris out(size_t(m.length));
  for (int64_t i = 0; i < m.length; ++i) {
    out[size_t(i)] = m.IsNull(i) ? kUnknown : m.IsTrue(i) ? kTrue : kFalse;
  }
  return out;
}

Tris And(const Tris& a, const Tris& b) {
  Tris o(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    o[i] = (a[i] == kFalse || b[i] == kFalse) ? kFalse : (a[i] == kTrue && b[i] == kTrue) ? kTrue : kUnknown;
  }
  return o;
}

Tris Or(const Tris& a, const Tris& b) {
  Tris o(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    o[i] = (a[i] == kTrue || b[i] == kTrue) ? kTrue : (a[i] == kFalse && b[i] == kFalse) ? kFalse : kUnknown;
  }
  return o;
}

Tris Not(const Tris& a) {
  Tris o(a.size());
  for (size_t i = 0; i < a.size(); ++i) o[i] = a[i] == kUnknown ? kUnknown : a[i] == kTrue ? kFalse : kTrue;
  return o;
}

Result<Tris> Compare(const ArrayView& col, CompareOp op, const Scalar& lit) {
  const DataType& type = *col.type;
  Tris out(size_t(col.length));
  if (IsString(type.value_type()) || type.id == TypeId::kBool) {
    QUIVER_ASSIGN_OR_RETURN(Scalar l, CastLiteral(lit, type.value_type()));
    for (int64_t i = 0; i < col.length; ++i) {
      Scalar v = ValueAt(col, i);
      if (v.is_null() || l.is_null()) {
        out[size_t(i)] = kUnknown;
      } else if (type.id == TypeId::kBool) {
        out[size_t(i)] = RealCompare(v.bool_value(), op, internal::ExactLiteral{false, false, l.bool_value() ? 1.0L : 0.0L, l.bool_value() ? 1.0L : 0.0L}) ? kTrue : kFalse;
      } else {
        out[size_t(i)] = StrCompare(v.string_value(), op, l.string_value()) ? kTrue : kFalse;
      }
    }
    return out;
  }
  QUIVER_ASSIGN_OR_RETURN(internal::ExactLiteral e, internal::ToExact(lit, type));
  for (int64_t i = 0; i < col.length; ++i) {
    if (e.is_null || col.IsNull(i)) {
      out[size_t(i)] = kUnknown;
    } else {
      out[size_t(i)] = RealCompare(Real(col, i), op, e) ? kTrue : kFalse;
    }
  }
  return out;
}

Result<Tris> Between(const ArrayView& col, const Scalar& lo, const Scalar& hi) {
  QUIVER_ASSIGN_OR_RETURN(Tris a, Compare(col, CompareOp::kGe, lo));
  QUIVER_ASSIGN_OR_RETURN(Tris b, Compare(col, CompareOp::kLe, hi));
  return And(a, b);
}

Result<Tris> In(const ArrayView& col, const std::vector<Scalar>& values) {
  Tris out(size_t(col.length), kFalse);
  for (const Scalar& v : values) {
    QUIVER_ASSIGN_OR_RETURN(Tris e, Compare(col, CompareOp::kEq, v));
    out = Or(out, e);
  }
  // A NULL row is NULL even for an empty list in this reference's model.
  for (int64_t i = 0; i < col.length; ++i) {
    if (ValueAt(col, i).is_null()) out[size_t(i)] = kUnknown;
  }
  return out;
}

Tris IsNull(const ArrayView& col) {
  Tris out(size_t(col.length));
  for (int64_t i = 0; i < col.length; ++i) out[size_t(i)] = ValueAt(col, i).is_null() ? kTrue : kFalse;
  return out;
}

Result<Tris> StartsWith(const ArrayView& col, std::string_view prefix) {
  return StringRows(col, [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
}

Result<Tris> Contains(const ArrayView& col, std::string_view needle) {
  return StringRows(col, [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

bool LikeMatch(std::string_view s, std::string_view p, char escape) {
  if (p.empty()) return s.empty();
  if (p[0] == '%') {
    for (size_t k = 0; k <= s.size();) {
      if (LikeMatch(s.substr(k), p.substr(1), escape)) return true;
      if (k == s.size()) break;
      k += std::min(CharLen(static_cast<unsigned char>(s[k])), s.size() - k);
    }
    return false;
  }
  if (s.empty()) return false;
  if (p[0] == '_') {
    size_t len = std::min(CharLen(static_cast<unsigned char>(s[0])), s.size());
    return LikeMatch(s.substr(len), p.substr(1), escape);
  }
  size_t skip = (p[0] == escape && p.size() > 1) ? 1 : 0;
  return p[skip] == s[0] && LikeMatch(s.substr(1), p.substr(skip + 1), escape);
}

Result<Tris> Like(const ArrayView& col, std::string_view pattern, char escape) {
  return StringRows(col, [&](const std::string& s) { return LikeMatch(s, pattern, escape); });
}

Sums Sum(const ArrayView& col, const std::vector<int32_t>& rows) {
  Sums s;
  for (int32_t r : rows) {
    ++s.rows;
    if (col.IsNull(r)) continue;
    ++s.count;
    long double x = Real(col, r);
    if (IsFloating(col.type->id)) {
      s.float_sum += x;
    } else if (col.type->id == TypeId::kUInt64) {
      s.int_sum += col.Value<uint64_t>(r);
    } else if (col.type->id == TypeId::kInt64) {
      s.int_sum += col.Value<int64_t>(r);
    } else {
      s.int_sum += static_cast<__int128>(x);
    }
  }
  return s;
}

int64_t CountTrue(const Tris& t) {
  int64_t c = 0;
  for (Tri x : t) c += x == kTrue;
  return c;
}

}  // namespace quiver::kernels::reference
