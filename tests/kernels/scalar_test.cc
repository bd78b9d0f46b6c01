#include <catch2/catch.hpp>

#include "kernels/scalar.h"

namespace qk = quiver::kernels;
using qk::Scalar;
using quiver::DataType;
using quiver::StatusCode;
using quiver::TimeUnit;
using quiver::TypeId;

TEST_CASE("CastLiteral converts literals to column types with SQL rules", "[kernels]") {
  CHECK(qk::CastLiteral(Scalar::Int64(5), DataType(TypeId::kInt8))->int64_value() == 5);
  CHECK(qk::CastLiteral(Scalar::Double(4.0), DataType(TypeId::kInt16))->int64_value() == 4);
  CHECK(qk::CastLiteral(Scalar::String("12"), DataType(TypeId::kUInt32))->uint64_value() == 12);
  CHECK(qk::CastLiteral(Scalar::Int64(3), DataType(TypeId::kFloat64))->double_value() == 3.0);
  CHECK(qk::CastLiteral(Scalar::String("1970-01-03"), DataType(TypeId::kDate32))->int64_value() == 2);
  auto ts = qk::CastLiteral(Scalar::Timestamp(2, TimeUnit::kSecond), DataType::Timestamp(TimeUnit::kMilli));
  CHECK(ts->int64_value() == 2000);
  CHECK(ts->unit() == TimeUnit::kMilli);
  CHECK(qk::CastLiteral(Scalar::Date32(1), DataType::Timestamp(TimeUnit::kSecond))->int64_value() == 86400);
  CHECK(qk::CastLiteral(Scalar::String("1970-01-01 00:00:01.5"), DataType::Timestamp(TimeUnit::kMilli))
            ->int64_value() == 1500);
  CHECK(qk::CastLiteral(Scalar::String("t"), DataType(TypeId::kBool))->bool_value());
  CHECK(qk::CastLiteral(Scalar::Null(), DataType(TypeId::kInt64))->is_null());
  CHECK(qk::CastLiteral(Scalar::String("x"), DataType::Dictionary(TypeId::kInt32))->string_value() == "x");

  auto bad = qk::CastLiteral(Scalar::String("abc"), DataType(TypeId::kInt64));
  CHECK(bad.status().code() == StatusCode::kTypeError);
  CHECK(bad.status().message() == "cannot compare int64 column with string literal 'abc'");
  CHECK(qk::CastLiteral(Scalar::Int64(300), DataType(TypeId::kInt8)).status().message() ==
        "literal 300 is out of range for int8 column");
  CHECK(qk::CastLiteral(Scalar::Double(2.5), DataType(TypeId::kInt32)).status().code() == StatusCode::kTypeError);
  CHECK(qk::CastLiteral(Scalar::Int64(-1), DataType(TypeId::kUInt64)).status().code() == StatusCode::kTypeError);
  CHECK(qk::CastLiteral(Scalar::Int64(1), DataType(TypeId::kUtf8)).status().code() == StatusCode::kTypeError);
  CHECK(qk::CastLiteral(Scalar::Int64(1), DataType(TypeId::kBool)).status().code() == StatusCode::kTypeError);
  CHECK(qk::CastLiteral(Scalar::Timestamp(1500, TimeUnit::kMilli), DataType::Timestamp(TimeUnit::kSecond))
            .status().code() == StatusCode::kTypeError);
  CHECK_FALSE(qk::ParseDate32("2023-02-29").ok());
  CHECK(qk::ParseDate32("2024-02-29").ok());
  CHECK(qk::ParseTimestampNanos("2024-01-01T10:00:00Z").ok());
  CHECK_FALSE(qk::ParseTimestampNanos("2024-01-01 25:00:00").ok());
  CHECK(Scalar::String("it's").ToString() == "'it''s'");
  CHECK(Scalar::Date32(0).ToString() == "DATE '1970-01-01'");
}
