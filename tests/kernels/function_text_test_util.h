// Helpers of the string and date function tests: columns from values,
// calling a registered function the way the query layer does (bind with the
// constants, then Exec), and rendering results as text (NULL, strings as
// they are, DATE as YYYY-MM-DD, timestamps as YYYY-MM-DD HH:MM:SS[.ffffff]
// as DuckDB prints them).
#pragma once

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "columnar/civil_time.h"
#include "kernels/aggregate.h"
#include "kernels/function.h"

namespace fntest {

using quiver::ArrayData;
using quiver::DataType;
using quiver::TimeUnit;
using quiver::TypeId;
using quiver::kernels::Datum;
using quiver::kernels::Scalar;
using OptStr = std::optional<std::string>;
using OptInt = std::optional<int64_t>;

inline std::shared_ptr<ArrayData> Build(const DataType& type,
                                        const std::function<void(quiver::ArrayBuilder&)>& fill) {
  quiver::ArrayBuilder b(type);
  fill(b);
  auto r = b.Finish();
  REQUIRE(r.ok());
  return *r;
}

inline std::shared_ptr<ArrayData> Strings(const std::vector<OptStr>& v, bool dict = false) {
  return Build(dict ? DataType::Dictionary(TypeId::kInt32) : DataType(TypeId::kUtf8),
               [&](quiver::ArrayBuilder& b) {
                 for (const OptStr& s : v) s ? b.AppendString(*s) : b.AppendNull();
               });
}

// Integers, dates (days) or timestamps (units) by type.
inline std::shared_ptr<ArrayData> Ints(const std::vector<OptInt>& v,
                                       DataType type = DataType(TypeId::kInt64)) {
  return Build(type, [&](quiver::ArrayBuilder& b) {
    for (const OptInt& x : v) x ? b.AppendInt(*x) : b.AppendNull();
  });
}

// The rows of `d` from `off` on, sharing its buffers (a non-zero offset).
inline std::shared_ptr<ArrayData> Sliced(const std::shared_ptr<ArrayData>& d, int64_t off) {
  auto s = std::make_shared<ArrayData>(*d);
  s->offset += off;
  s->length -= off;
  s->null_count = quiver::ComputeNullCount(*s);
  return s;
}

inline Datum Col(std::shared_ptr<ArrayData> d) { return Datum::Own(std::move(d)); }

inline DataType TypeOf(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::kBool:
      return DataType(TypeId::kBool);
    case Scalar::Kind::kInt64:
      return DataType(TypeId::kInt64);
    case Scalar::Kind::kUInt64:
      return DataType(TypeId::kUInt64);
    case Scalar::Kind::kDouble:
      return DataType(TypeId::kFloat64);
    case Scalar::Kind::kString:
      return DataType(TypeId::kUtf8);
    case Scalar::Kind::kDate32:
      return DataType(TypeId::kDate32);
    case Scalar::Kind::kTimestamp:
      return DataType::Timestamp(s.unit());
    default:
      return DataType(TypeId::kNone);
  }
}
inline Datum Lit(Scalar s) {
  DataType t = TypeOf(s);
  return Datum::Of(std::move(s), std::move(t));
}
inline Datum Lit(const char* s) { return Lit(Scalar::String(s)); }
inline Datum Lit(int64_t v) { return Lit(Scalar::Int64(v)); }
inline Datum Null() { return Lit(Scalar::Null()); }
// A NULL of a given type (e.g. a NULL utf8 scalar).
inline Datum NullOf(DataType t) { return Datum::Of(Scalar::Null(), std::move(t)); }

inline quiver::Result<quiver::kernels::BoundFunctionPtr> Bind(const std::string& name,
                                                              const std::vector<Datum>& args) {
  std::vector<DataType> types;
  std::vector<const Scalar*> constants;
  for (const Datum& a : args) {
    types.push_back(a.type);
    constants.push_back(a.is_scalar ? &a.scalar : nullptr);
  }
  return quiver::kernels::BindFunction(name, types, constants);
}

inline int64_t RowsOf(const std::vector<Datum>& args) {
  for (const Datum& a : args) {
    if (!a.is_scalar) return a.view.length;
  }
  return 1;
}

// Binds and runs `name` on `args`; *type (if given) gets the bound result
// type, which the result must have.
inline quiver::Result<Datum> Call(const std::string& name, const std::vector<Datum>& args,
                                  DataType* type = nullptr) {
  QUIVER_ASSIGN_OR_RETURN(auto fn, Bind(name, args));
  if (type != nullptr) *type = fn->result_type();
  QUIVER_ASSIGN_OR_RETURN(Datum out, fn->Exec(args, RowsOf(args)));
  if (!(out.type == fn->result_type())) return quiver::Status::Internal("result type mismatch");
  return out;
}

// CAST / TRY_CAST of `d` to `to`, bound and run as the query layer does.
inline quiver::Result<Datum> CastOf(const Datum& d, const DataType& to, bool try_cast = false) {
  QUIVER_ASSIGN_OR_RETURN(auto fn, quiver::kernels::BindCast(d.type, to, try_cast));
  return fn->Exec({d}, d.is_scalar ? 1 : d.view.length);
}

inline std::string Render(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::kNull:
      return "NULL";
    case Scalar::Kind::kString:
      return s.string_value();
    case Scalar::Kind::kDate32:
    case Scalar::Kind::kTimestamp: {
      const bool date = s.kind() == Scalar::Kind::kDate32;
      const int64_t per_sec = date ? 1 : quiver::UnitsPerSecond(s.unit());
      const int64_t per_day = date ? 1 : per_sec * 86400;
      int64_t days = s.int64_value() / per_day, rest = s.int64_value() % per_day;
      if (rest < 0) {
        rest += per_day;
        --days;
      }
      int64_t y;
      unsigned m, d;
      quiver::CivilFromDays(days, &y, &m, &d);
      char buf[80];
      std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
      std::string out = buf;
      if (date) return out;
      const int64_t secs = rest / per_sec;
      std::snprintf(buf, sizeof buf, " %02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                    static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
      out += buf;
      if (const int64_t frac = rest % per_sec; frac != 0) {
        std::snprintf(buf, sizeof buf, ".%0*lld", quiver::UnitDigits(s.unit()),
                      static_cast<long long>(frac));
        std::string f = buf;
        while (f.back() == '0') f.pop_back();
        out += f;
      }
      return out;
    }
    default:
      return s.ToString();
  }
}

// The result of a call as text, one entry per row; a scalar result is one
// entry.
inline std::vector<std::string> Eval(const std::string& name, const std::vector<Datum>& args) {
  auto r = Call(name, args);
  INFO(name << ": " << r.status().ToString());
  REQUIRE(r.ok());
  std::vector<std::string> out;
  if (r->is_scalar) {
    out.push_back(Render(r->scalar));
    return out;
  }
  for (int64_t i = 0; i < r->view.length; ++i) {
    out.push_back(Render(quiver::kernels::ValueAt(r->view, i)));
  }
  return out;
}

// One value from an all-constant call.
inline std::string Eval1(const std::string& name, const std::vector<Datum>& args) {
  auto v = Eval(name, args);
  REQUIRE(v.size() == 1);
  return v[0];
}

using Strs = std::vector<std::string>;

}  // namespace fntest
