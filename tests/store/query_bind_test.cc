#include <catch2/catch.hpp>

#include <limits>

#include "store/query.h"
#include "store/query_bind.h"
#include "tests/store/query_test_util.h"

using namespace quiver::query;           // NOLINT
using namespace quiver::query::testing;  // NOLINT
using quiver::DataType;
using quiver::Field;
using quiver::Result;
using quiver::Schema;
using quiver::StatusCode;
using quiver::TimeUnit;
using quiver::TypeId;

namespace Catch {
template <>
struct StringMaker<DataType> {
  static std::string convert(const DataType& t) { return t.ToString(); }
};
template <>
struct StringMaker<TypedScalar> {
  static std::string convert(const TypedScalar& s) {
    return std::string(ValueTypeName(s.value)) + " " + ValueToSql(s.value) + " as " + s.type.ToString();
  }
};
}  // namespace Catch

namespace {

Field F(std::string name, DataType type) {
  Field f;
  f.name = std::move(name);
  f.type = std::move(type);
  return f;
}

Schema Trips() {
  return Schema({
      F("id", DataType(TypeId::kInt64)),
      F("ts", DataType::Timestamp(TimeUnit::kMicro)),
      F("fare", DataType(TypeId::kFloat64)),
      F("city", DataType(TypeId::kUtf8)),
      F("passengers", DataType(TypeId::kInt8)),
      F("distance", DataType(TypeId::kFloat32)),
      F("day", DataType(TypeId::kDate32)),
      F("paid", DataType(TypeId::kBool)),
      F("vendor", DataType::Dictionary(TypeId::kInt32)),
      F("bytes", DataType(TypeId::kUInt64)),
      F("zone", DataType(TypeId::kUInt16)),
      F("blob", DataType(TypeId::kBinary)),
      F("ts_s", DataType::Timestamp(TimeUnit::kSecond)),
      F("ts_ns", DataType::Timestamp(TimeUnit::kNano, "UTC")),
      F("count32", DataType(TypeId::kInt32)),
  });
}

const char kTripColumns[] =
    "id, ts, fare, city, passengers, distance, day, paid, vendor, bytes, zone, blob, ts_s, ts_ns, "
    "count32";

BoundQuery MustBind(std::string_view sql) {
  Result<Query> q = ParseSql(sql);
  INFO(sql << " -> " << ErrorOf(q));
  REQUIRE(q.ok());
  Result<BoundQuery> b = Bind(*q, Trips());
  INFO(sql << " -> " << ErrorOf(b));
  REQUIRE(b.ok());
  return *b;
}

std::string BindError(std::string_view sql) {
  Result<Query> q = ParseSql(sql);
  if (!q.ok()) return "parse error: " + q.status().message();
  return ErrorOf(Bind(*q, Trips()));
}

BoundExprPtr MustBindFilter(std::string_view where) {
  Result<ExprPtr> e = ParseFilter(where);
  INFO(where << " -> " << ErrorOf(e));
  REQUIRE(e.ok());
  Result<BoundExprPtr> b = BindFilter(**e, Trips(), "trips");
  INFO(where << " -> " << ErrorOf(b));
  REQUIRE(b.ok());
  return *b;
}

std::string FilterError(std::string_view where) {
  Result<ExprPtr> e = ParseFilter(where);
  if (!e.ok()) return "parse error: " + e.status().message();
  return ErrorOf(BindFilter(**e, Trips(), "trips"));
}

// The literal a comparison `where` ends with, after binding.
TypedScalar LiteralOf(std::string_view where) {
  BoundExprPtr b = MustBindFilter(where);
  REQUIRE(b->args.size() >= 2);
  REQUIRE(b->args.back()->kind == ExprKind::kLiteral);
  return b->args.back()->literal;
}

DataType T(TypeId id) { return DataType(id); }

}  // namespace

TEST_CASE("Binding resolves columns to field indices and expands SELECT *", "[store]") {
  BoundQuery b = MustBind("SELECT * FROM trips");
  CHECK(b.table == "trips");
  REQUIRE(b.outputs.size() == Trips().num_fields());
  CHECK(b.outputs[2].name == "fare");
  CHECK(b.outputs[2].column == 2);
  CHECK(b.outputs[2].type == T(TypeId::kFloat64));
  CHECK(b.outputs[8].type == DataType::Dictionary(TypeId::kInt32));
  CHECK_FALSE(b.aggregate);
  CHECK(b.where == nullptr);
  CHECK(b.offset == 0);
  CHECK_FALSE(b.limit.has_value());

  BoundQuery c = MustBind("SELECT city, fare AS f FROM trips LIMIT 5 OFFSET 2");
  REQUIRE(c.outputs.size() == 2);
  CHECK(c.outputs[0].column == 3);
  CHECK(c.outputs[1].name == "f");
  CHECK(c.limit == 5);
  CHECK(c.offset == 2);
}

TEST_CASE("An unknown column names the table and lists its columns", "[store]") {
  CHECK(BindError("SELECT fair FROM trips") ==
        std::string("unknown column \"fair\"; table \"trips\" has columns: ") + kTripColumns);
  CHECK(BindError("SELECT id FROM trips WHERE fair > 1") ==
        std::string("unknown column \"fair\"; table \"trips\" has columns: ") + kTripColumns);
  CHECK(BindError("SELECT id FROM trips GROUP BY fair") ==
        std::string("unknown column \"fair\"; table \"trips\" has columns: ") + kTripColumns);
  CHECK(BindError("SELECT id FROM trips ORDER BY fair") ==
        std::string("unknown column \"fair\"; table \"trips\" has columns: ") + kTripColumns);
  CHECK(BindError("SELECT sum(fair) FROM trips") ==
        std::string("unknown column \"fair\"; table \"trips\" has columns: ") + kTripColumns);
  Result<Query> q = ParseSql("SELECT Fare FROM trips");
  REQUIRE(q.ok());
  CHECK(Bind(*q, Trips()).status().code() == StatusCode::kNotFound);
}

TEST_CASE("A very wide table's column list is cut short in the message", "[store]") {
  std::vector<Field> fields;
  for (int i = 0; i < 40; ++i) fields.push_back(F("c" + std::to_string(i), DataType(TypeId::kInt32)));
  Query q;
  q.table = "wide";
  q.select = {{AggFunc::kNone, "nope", ""}};
  std::string expected = "unknown column \"nope\"; table \"wide\" has columns: c0";
  for (int i = 1; i < 30; ++i) expected += ", c" + std::to_string(i);
  expected += ", ... (10 more)";
  CHECK(ErrorOf(Bind(q, Schema(fields))) == expected);
  CHECK(ErrorOf(Bind(q, Schema())) == "unknown column \"nope\"; table \"wide\" has no columns");
}

TEST_CASE("Aggregates get SQL result types and default names", "[store]") {
  BoundQuery b = MustBind(
      "SELECT count(*), count(city), sum(id), sum(passengers), sum(bytes), sum(zone), sum(fare), "
      "sum(distance), avg(passengers), avg(bytes), min(city), max(ts), min(vendor), max(day), "
      "min(paid), avg(fare) AS mean_fare FROM trips");
  REQUIRE(b.outputs.size() == 16);
  CHECK(b.aggregate);
  const std::pair<const char*, DataType> expected[] = {
      {"count(*)", T(TypeId::kInt64)},       {"count(city)", T(TypeId::kInt64)},
      {"sum(id)", T(TypeId::kInt64)},        {"sum(passengers)", T(TypeId::kInt64)},
      {"sum(bytes)", T(TypeId::kUInt64)},    {"sum(zone)", T(TypeId::kUInt64)},
      {"sum(fare)", T(TypeId::kFloat64)},    {"sum(distance)", T(TypeId::kFloat64)},
      {"avg(passengers)", T(TypeId::kFloat64)}, {"avg(bytes)", T(TypeId::kFloat64)},
      {"min(city)", T(TypeId::kUtf8)},       {"max(ts)", DataType::Timestamp(TimeUnit::kMicro)},
      {"min(vendor)", T(TypeId::kUtf8)},     {"max(day)", T(TypeId::kDate32)},
      {"min(paid)", T(TypeId::kBool)},       {"mean_fare", T(TypeId::kFloat64)},
  };
  for (size_t i = 0; i < 16; ++i) {
    INFO(i);
    CHECK(b.outputs[i].name == expected[i].first);
    CHECK(b.outputs[i].type == expected[i].second);
    CHECK(b.outputs[i].agg != AggFunc::kNone);
  }
  CHECK(b.outputs[0].column == -1);
  CHECK(b.outputs[1].column == 3);
}

TEST_CASE("SUM and AVG of non-numeric columns name the type", "[store]") {
  CHECK(BindError("SELECT sum(city) FROM trips") ==
        "SUM is not defined for utf8 column \"city\"; it needs a numeric column");
  CHECK(BindError("SELECT avg(ts) FROM trips") ==
        "AVG is not defined for timestamp[us] column \"ts\"; it needs a numeric column");
  CHECK(BindError("SELECT sum(vendor) FROM trips") ==
        "SUM is not defined for utf8 column \"vendor\"; it needs a numeric column");
  CHECK(BindError("SELECT avg(paid) FROM trips") ==
        "AVG is not defined for bool column \"paid\"; it needs a numeric column");
  CHECK(BindError("SELECT sum(day) FROM trips") ==
        "SUM is not defined for date32 column \"day\"; it needs a numeric column");
  Result<Query> q = ParseSql("SELECT sum(city) FROM trips");
  REQUIRE(q.ok());
  CHECK(Bind(*q, Trips()).status().code() == StatusCode::kTypeError);
}

TEST_CASE("With GROUP BY every plain select column must be a group key", "[store]") {
  BoundQuery b = MustBind("SELECT city, paid, count(*) FROM trips GROUP BY city, paid, city");
  CHECK(b.aggregate);
  CHECK(b.group_by == std::vector<int>{3, 7});
  CHECK(BindError("SELECT city, fare FROM trips GROUP BY city") ==
        "column \"fare\" must appear in GROUP BY or be used in an aggregate function");
  CHECK(BindError("SELECT fare, count(*) FROM trips") ==
        "column \"fare\" must appear in GROUP BY or be used in an aggregate function");
  CHECK(BindError("SELECT * FROM trips GROUP BY id") ==
        "column \"ts\" must appear in GROUP BY or be used in an aggregate function");
  // GROUP BY without aggregates is DISTINCT over the keys.
  CHECK(MustBind("SELECT city FROM trips GROUP BY city").aggregate);
  CHECK(MustBind("SELECT count(*) FROM trips GROUP BY city").outputs.size() == 1);
}

TEST_CASE("Output names must be unique", "[store]") {
  CHECK(BindError("SELECT id, id FROM trips") ==
        "duplicate output column name \"id\"; give one of them another name with AS");
  CHECK(BindError("SELECT fare AS x, city AS x FROM trips") ==
        "duplicate output column name \"x\"; give one of them another name with AS");
  CHECK(MustBind("SELECT id, id AS id2 FROM trips").outputs.size() == 2);
}

TEST_CASE("ORDER BY resolves aliases, positions and columns with SQL null order", "[store]") {
  BoundQuery b = MustBind(
      "SELECT city AS c, avg(fare) AS f FROM trips GROUP BY city "
      "ORDER BY f DESC, 1, city NULLS FIRST, c DESC NULLS LAST");
  REQUIRE(b.order_by.size() == 4);
  CHECK(b.order_by[0].output == 1);
  CHECK(b.order_by[0].descending);
  CHECK(b.order_by[0].nulls_first);  // DESC defaults to NULLS FIRST
  CHECK(b.order_by[1].output == 0);
  CHECK_FALSE(b.order_by[1].descending);
  CHECK_FALSE(b.order_by[1].nulls_first);  // ASC defaults to NULLS LAST
  CHECK(b.order_by[2].output == -1);  // the group key itself, by its column name
  CHECK(b.order_by[2].column == 3);
  CHECK(b.order_by[2].nulls_first);
  CHECK(b.order_by[3].output == 0);
  CHECK_FALSE(b.order_by[3].nulls_first);

  // An alias wins over a column of the same name, as in SQL.
  BoundQuery swap = MustBind("SELECT id AS fare, fare AS id FROM trips ORDER BY fare");
  CHECK(swap.order_by[0].output == 0);
  // A column outside the select list orders a plain query.
  BoundQuery other = MustBind("SELECT id FROM trips ORDER BY ts DESC");
  CHECK(other.order_by[0].output == -1);
  CHECK(other.order_by[0].column == 1);
  // Positions count the expanded star.
  CHECK(MustBind("SELECT * FROM trips ORDER BY 15").order_by[0].output == 14);
}

TEST_CASE("ORDER BY errors name the position or column", "[store]") {
  CHECK(BindError("SELECT id, fare FROM trips ORDER BY 3") ==
        "ORDER BY position 3 is out of range; the select list has 2 columns");
  CHECK(BindError("SELECT id FROM trips ORDER BY 2") ==
        "ORDER BY position 2 is out of range; the select list has 1 column");
  CHECK(BindError("SELECT city, count(*) FROM trips GROUP BY city ORDER BY fare") ==
        "ORDER BY column \"fare\" must appear in GROUP BY or be used in an aggregate function");
}

TEST_CASE("A bound WHERE tree keeps the shape of the query with types filled in", "[store]") {
  BoundExprPtr b = MustBindFilter("fare > 30 AND city IN ('a', 'b') OR blob IS NULL OR paid");
  REQUIRE(b->kind == ExprKind::kOr);
  CHECK(b->type == T(TypeId::kBool));
  REQUIRE(b->args.size() == 3);
  const BoundExpr& conj = *b->args[0];
  REQUIRE(conj.kind == ExprKind::kAnd);
  const BoundExpr& gt = *conj.args[0];
  CHECK(gt.kind == ExprKind::kCompare);
  CHECK(gt.op == CompareOp::kGt);
  CHECK(gt.operand_type == T(TypeId::kFloat64));
  CHECK(gt.args[0]->kind == ExprKind::kColumn);
  CHECK(gt.args[0]->column == 2);
  CHECK(gt.args[1]->literal == TypedScalar{Value(30.0), T(TypeId::kFloat64)});
  const BoundExpr& in = *conj.args[1];
  CHECK(in.kind == ExprKind::kIn);
  CHECK(in.operand_type == T(TypeId::kUtf8));
  REQUIRE(in.args.size() == 3);
  CHECK(in.args[2]->literal == TypedScalar{Value(std::string("b")), T(TypeId::kUtf8)});
  CHECK(b->args[1]->kind == ExprKind::kIsNull);
  CHECK(b->args[1]->args[0]->column == 11);
  CHECK(b->args[2]->kind == ExprKind::kColumn);
  CHECK(b->args[2]->type == T(TypeId::kBool));

  BoundQuery q = MustBind("SELECT id FROM trips WHERE NOT paid");
  REQUIRE(q.where != nullptr);
  CHECK(q.where->kind == ExprKind::kNot);
}

TEST_CASE("Integer literals are cast to the column type when they fit", "[store]") {
  CHECK(LiteralOf("id = 5") == TypedScalar{Value(int64_t{5}), T(TypeId::kInt64)});
  CHECK(LiteralOf("passengers = -128") == TypedScalar{Value(int64_t{-128}), T(TypeId::kInt8)});
  CHECK(LiteralOf("zone = 65535") == TypedScalar{Value(uint64_t{65535}), T(TypeId::kUInt16)});
  CHECK(LiteralOf("bytes = 18446744073709551615") ==
        TypedScalar{Value(std::numeric_limits<uint64_t>::max()), T(TypeId::kUInt64)});
  CHECK(LiteralOf("bytes = 7") == TypedScalar{Value(uint64_t{7}), T(TypeId::kUInt64)});
  // An integral double is an exact integer.
  CHECK(LiteralOf("id = 3.0") == TypedScalar{Value(int64_t{3}), T(TypeId::kInt64)});
  CHECK(LiteralOf("id = 1e3") == TypedScalar{Value(int64_t{1000}), T(TypeId::kInt64)});
  // A string that spells a number is that number (SQL's implicit cast).
  CHECK(LiteralOf("id = '42'") == TypedScalar{Value(int64_t{42}), T(TypeId::kInt64)});
  CHECK(LiteralOf("fare = ' 2.5 '") == TypedScalar{Value(2.5), T(TypeId::kFloat64)});
  // NULL takes the column's type.
  CHECK(LiteralOf("id = NULL") == TypedScalar{Value(), T(TypeId::kInt64)});
}

TEST_CASE("Integers beyond 2^53 stay exact through parsing and binding", "[store]") {
  const int64_t big = 9007199254740993LL;  // 2^53 + 1, not a double
  CHECK(LiteralOf("id = 9007199254740993") == TypedScalar{Value(big), T(TypeId::kInt64)});
  CHECK(LiteralOf("id = -9223372036854775808") ==
        TypedScalar{Value(std::numeric_limits<int64_t>::min()), T(TypeId::kInt64)});
  Result<Query> json = ParseJsonQuery(
      R"({"table": "trips", "where": {"op": "=", "args": [{"col": "id"}, 9007199254740993]}})");
  REQUIRE(json.ok());
  Result<BoundQuery> b = Bind(*json, Trips());
  REQUIRE(b.ok());
  CHECK(b->where->args[1]->literal == TypedScalar{Value(big), T(TypeId::kInt64)});
}

TEST_CASE("Literals that do not fit widen the comparison by numeric promotion", "[store]") {
  BoundExprPtr wide = MustBindFilter("passengers < 1000");
  CHECK(wide->operand_type == T(TypeId::kInt64));
  CHECK(wide->args[0]->type == T(TypeId::kInt8));  // the executor widens the column
  CHECK(wide->args[1]->literal == TypedScalar{Value(int64_t{1000}), T(TypeId::kInt64)});
  CHECK(MustBindFilter("count32 < 9999999999")->operand_type == T(TypeId::kInt64));
  BoundExprPtr frac = MustBindFilter("id > 2.5");
  CHECK(frac->operand_type == T(TypeId::kFloat64));
  CHECK(frac->args[1]->literal == TypedScalar{Value(2.5), T(TypeId::kFloat64)});
  CHECK(MustBindFilter("zone > -1")->operand_type == T(TypeId::kInt64));
  CHECK(MustBindFilter("bytes > -1")->operand_type == T(TypeId::kFloat64));
  CHECK(MustBindFilter("id < 9223372036854775808")->operand_type == T(TypeId::kFloat64));
  // float32 keeps literals it holds exactly, widens for the others.
  CHECK(MustBindFilter("distance > 0.5")->operand_type == T(TypeId::kFloat32));
  CHECK(MustBindFilter("distance > 0.1")->operand_type == T(TypeId::kFloat64));
  CHECK(LiteralOf("distance > 2") == TypedScalar{Value(2.0), T(TypeId::kFloat32)});
  // BETWEEN and IN widen over all their literals and cast each one.
  BoundExprPtr between = MustBindFilter("passengers BETWEEN 1 AND 2.5");
  CHECK(between->operand_type == T(TypeId::kFloat64));
  CHECK(between->args[1]->literal == TypedScalar{Value(1.0), T(TypeId::kFloat64)});
  BoundExprPtr in = MustBindFilter("passengers IN (1, 300, NULL)");
  CHECK(in->operand_type == T(TypeId::kInt64));
  CHECK(in->args[1]->literal == TypedScalar{Value(int64_t{1}), T(TypeId::kInt64)});
  CHECK(in->args[3]->literal == TypedScalar{Value(), T(TypeId::kInt64)});
}

TEST_CASE("Column to column comparisons use a common type", "[store]") {
  CHECK(MustBindFilter("id = count32")->operand_type == T(TypeId::kInt64));
  CHECK(MustBindFilter("passengers < fare")->operand_type == T(TypeId::kFloat64));
  CHECK(MustBindFilter("zone < count32")->operand_type == T(TypeId::kInt32));
  CHECK(MustBindFilter("bytes = id")->operand_type == T(TypeId::kFloat64));
  CHECK(MustBindFilter("vendor = city")->operand_type == T(TypeId::kUtf8));
  CHECK(MustBindFilter("id BETWEEN count32 AND 7")->operand_type == T(TypeId::kInt64));
  CHECK(FilterError("id = city") == "cannot compare int64 column \"id\" with utf8 column \"city\"");
  CHECK(FilterError("ts = ts_s") ==
        "cannot compare timestamp[us] column \"ts\" with timestamp[s] column \"ts_s\"");
}

TEST_CASE("A literal of the wrong kind is a type error naming both types", "[store]") {
  CHECK(FilterError("fare > 'abc'") == "cannot compare float64 column \"fare\" with utf8 literal 'abc'");
  CHECK(FilterError("id = TRUE") == "cannot compare int64 column \"id\" with bool literal TRUE");
  CHECK(FilterError("city = 5") == "cannot compare utf8 column \"city\" with int64 literal 5");
  CHECK(FilterError("vendor = 2.5") == "cannot compare dictionary<int32, utf8> column \"vendor\" "
                                       "with float64 literal 2.5");
  CHECK(FilterError("paid = 1") == "cannot compare bool column \"paid\" with int64 literal 1");
  CHECK(FilterError("paid = 'maybe'") == "cannot compare bool column \"paid\" with utf8 literal 'maybe'");
  CHECK(FilterError("ts > 5") == "cannot compare timestamp[us] column \"ts\" with int64 literal 5");
  CHECK(FilterError("id IN (1, 'x')") == "cannot compare int64 column \"id\" with utf8 literal 'x'");
  CHECK(FilterError("id BETWEEN 1 AND 'z'") ==
        "cannot compare int64 column \"id\" with utf8 literal 'z'");
  CHECK(FilterError("'a' = 1") == "cannot compare utf8 literal 'a' with int64 literal 1");
  Result<ExprPtr> e = ParseFilter("fare > 'abc'");
  REQUIRE(e.ok());
  CHECK(BindFilter(**e, Trips(), "trips").status().code() == StatusCode::kTypeError);
}

TEST_CASE("Strings, booleans and binary literals bind to their columns", "[store]") {
  CHECK(LiteralOf("city = 'NYC'") == TypedScalar{Value(std::string("NYC")), T(TypeId::kUtf8)});
  CHECK(LiteralOf("vendor = 'acme'") == TypedScalar{Value(std::string("acme")), T(TypeId::kUtf8)});
  CHECK(LiteralOf("blob = 'xyz'") == TypedScalar{Value(std::string("xyz")), T(TypeId::kBinary)});
  CHECK(LiteralOf("paid = TRUE") == TypedScalar{Value(true), T(TypeId::kBool)});
  CHECK(LiteralOf("paid = 'false'") == TypedScalar{Value(false), T(TypeId::kBool)});
  CHECK(LiteralOf("paid = 'T'") == TypedScalar{Value(true), T(TypeId::kBool)});
  // Literal against literal compares in the first literal's type.
  CHECK(MustBindFilter("1 = 1")->operand_type == T(TypeId::kInt64));
  CHECK(MustBindFilter("1 < 2.5")->operand_type == T(TypeId::kFloat64));
  CHECK(MustBindFilter("NULL = NULL")->operand_type == T(TypeId::kNone));
}

TEST_CASE("Timestamp and date literals convert to the column's unit", "[store]") {
  const DataType us = DataType::Timestamp(TimeUnit::kMicro);
  CHECK(LiteralOf("ts >= '2020-01-02 03:04:05.123456'") ==
        TypedScalar{Value(int64_t{1577934245123456}), us});
  CHECK(LiteralOf("ts >= '2020-01-02T03:04:05Z'") == TypedScalar{Value(int64_t{1577934245000000}), us});
  CHECK(LiteralOf("ts >= '2020-01-02T05:04:05+02:00'") ==
        TypedScalar{Value(int64_t{1577934245000000}), us});
  CHECK(LiteralOf("ts >= '2020-01-02 03:04'") == TypedScalar{Value(int64_t{1577934240000000}), us});
  CHECK(LiteralOf("ts >= '2020-01-02'") == TypedScalar{Value(int64_t{1577923200000000}), us});
  CHECK(LiteralOf("ts_s < '1969-12-31 23:59:59'") ==
        TypedScalar{Value(int64_t{-1}), DataType::Timestamp(TimeUnit::kSecond)});
  CHECK(LiteralOf("ts_s < '2020-01-02 03:04:05.000'") ==
        TypedScalar{Value(int64_t{1577934245}), DataType::Timestamp(TimeUnit::kSecond)});
  CHECK(LiteralOf("ts_ns = '2020-01-02T03:04:05.000000001Z'") ==
        TypedScalar{Value(int64_t{1577934245000000001}), DataType::Timestamp(TimeUnit::kNano, "UTC")});
  CHECK(LiteralOf("day = '2020-02-29'") == TypedScalar{Value(int64_t{18321}), T(TypeId::kDate32)});
  CHECK(LiteralOf("day = '1970-01-01'") == TypedScalar{Value(int64_t{0}), T(TypeId::kDate32)});
  CHECK(LiteralOf("day = '1969-12-31'") == TypedScalar{Value(int64_t{-1}), T(TypeId::kDate32)});
  BoundExprPtr between = MustBindFilter("ts BETWEEN '2020-01-01' AND '2020-01-02'");
  CHECK(between->operand_type == us);
}

TEST_CASE("Bad dates and times are type errors that say what is wrong", "[store]") {
  CHECK(FilterError("day = '2021-02-29'") == "cannot compare date32 column \"day\" with utf8 literal "
                                             "'2021-02-29': day 29 is out of range for the month");
  CHECK(FilterError("day = '2020-13-01'") ==
        "cannot compare date32 column \"day\" with utf8 literal '2020-13-01': month 13 is out of range");
  CHECK(FilterError("day = '2020-01-01 10:00:00'") ==
        "cannot compare date32 column \"day\" with utf8 literal '2020-01-01 10:00:00': expected "
        "'YYYY-MM-DD'");
  CHECK(FilterError("ts = 'yesterday'") ==
        "cannot compare timestamp[us] column \"ts\" with utf8 literal 'yesterday': expected "
        "'YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]][Z|+HH:MM|-HH:MM]'");
  CHECK(FilterError("ts = '2020-01-01 24:00:00'") ==
        "cannot compare timestamp[us] column \"ts\" with utf8 literal '2020-01-01 24:00:00': hour "
        "24 is out of range");
  CHECK(FilterError("ts_s = '2020-01-01 00:00:00.5'") ==
        "cannot compare timestamp[s] column \"ts_s\" with utf8 literal '2020-01-01 00:00:00.5': "
        "'2020-01-01 00:00:00.5' has more fractional digits than timestamp[s] holds");
  CHECK(FilterError("ts_ns < '2262-04-12'") ==
        "cannot compare timestamp[ns, tz=UTC] column \"ts_ns\" with utf8 literal '2262-04-12': "
        "'2262-04-12' is out of range for timestamp[ns]");
}

TEST_CASE("Date and time literal parsers handle the documented forms", "[store]") {
  CHECK(ParseDateLiteral("2000-03-01").ValueOr(0) == 11017);
  CHECK(ParseDateLiteral("0001-01-01").ValueOr(0) == -719162);
  CHECK_FALSE(ParseDateLiteral("2000-3-1").ok());
  CHECK_FALSE(ParseDateLiteral("2000-03-01x").ok());
  CHECK(ParseTimestampLiteral("1970-01-01 00:00:00", TimeUnit::kNano).ValueOr(-1) == 0);
  CHECK(ParseTimestampLiteral("1970-01-01t00:00:01z", TimeUnit::kMilli).ValueOr(-1) == 1000);
  CHECK(ParseTimestampLiteral("1970-01-01T00:00:00-0130", TimeUnit::kSecond).ValueOr(-1) == 5400);
  CHECK(ParseTimestampLiteral("1970-01-01 00:00:00.1", TimeUnit::kMicro).ValueOr(-1) == 100000);
  CHECK(ParseTimestampLiteral("2262-04-11 23:47:16.854775807", TimeUnit::kNano).ValueOr(-1) ==
        std::numeric_limits<int64_t>::max());
  CHECK_FALSE(ParseTimestampLiteral("2262-04-11 23:47:16.854775808", TimeUnit::kNano).ok());
  CHECK_FALSE(ParseTimestampLiteral("1970-01-01 00:00:00.", TimeUnit::kNano).ok());
  CHECK_FALSE(ParseTimestampLiteral("1970-01-01 00:60", TimeUnit::kNano).ok());
  // A leap second reads as :59 (the one grammar of columnar/datetime_text.h, as ingest reads it).
  CHECK(ParseTimestampLiteral("1970-01-01 00:00:60", TimeUnit::kSecond).ValueOr(-1) == 59);
  CHECK_FALSE(ParseTimestampLiteral("1970-01-01 00:00:61", TimeUnit::kNano).ok());
  CHECK_FALSE(ParseTimestampLiteral("1970-01-01 00:00:00+25:00", TimeUnit::kNano).ok());
  CHECK_FALSE(ParseTimestampLiteral("1970-01-01 00:00:00 UTC", TimeUnit::kNano).ok());
  const DataType t32ms = DataType::WithUnit(TypeId::kTime32, TimeUnit::kMilli);
  const DataType t64ns = DataType::WithUnit(TypeId::kTime64, TimeUnit::kNano);
  CHECK(ParseTimeOfDayLiteral("11:06:40", DataType::WithUnit(TypeId::kTime32, TimeUnit::kSecond)).ValueOr(-1) ==
        40000);
  CHECK(ParseTimeOfDayLiteral("00:00:01.25", t32ms).ValueOr(-1) == 1250);
  CHECK(ParseTimeOfDayLiteral("23:59:59.999999999", t64ns).ValueOr(-1) == 86399999999999);
  CHECK(ParseTimeOfDayLiteral("01:02", t64ns).ValueOr(-1) == 3720000000000);
  auto fine = ParseTimeOfDayLiteral("00:00:00.0015", t32ms);
  REQUIRE_FALSE(fine.ok());
  CHECK(fine.status().message() == "'00:00:00.0015' has more fractional digits than time32[ms] holds");
  CHECK_FALSE(ParseTimeOfDayLiteral("24:00:00", t64ns).ok());
  CHECK_FALSE(ParseTimeOfDayLiteral("1:00:00", t64ns).ok());
  CHECK_FALSE(ParseTimeOfDayLiteral("01:00:00Z", t64ns).ok());
}

TEST_CASE("LIKE needs a string operand and a string pattern", "[store]") {
  BoundExprPtr like = MustBindFilter("city LIKE 'N%'");
  CHECK(like->kind == ExprKind::kLike);
  CHECK(like->operand_type == T(TypeId::kUtf8));
  CHECK(like->args[1]->literal == TypedScalar{Value(std::string("N%")), T(TypeId::kUtf8)});
  CHECK(MustBindFilter("vendor NOT LIKE '%x'")->negated);
  CHECK(MustBindFilter("blob LIKE 'x%'")->operand_type == T(TypeId::kBinary));
  CHECK(FilterError("id LIKE '1%'") == "LIKE needs a utf8 or binary operand, found int64 column \"id\"");
  CHECK(FilterError("city LIKE city") ==
        "the pattern of LIKE must be a string literal, found utf8 column \"city\"");
  CHECK(FilterError("city LIKE 5") ==
        "the pattern of LIKE must be a string literal, found int64 literal 5");
}

TEST_CASE("WHERE must be a condition", "[store]") {
  CHECK(FilterError("id") == "expected a condition, found int64 column \"id\"");
  CHECK(FilterError("5") == "expected a condition, found int64 literal 5");
  CHECK(FilterError("paid AND 'x'") == "expected a condition, found utf8 literal 'x'");
  CHECK(MustBindFilter("TRUE")->literal == TypedScalar{Value(true), T(TypeId::kBool)});
  CHECK(MustBindFilter("NULL")->type == T(TypeId::kBool));
  CHECK(MustBindFilter("NOT paid")->kind == ExprKind::kNot);
}

TEST_CASE("Hand-built trees with conditions as operands are refused by Bind", "[store]") {
  ExprPtr bad = Eq(Gt(Col("id"), I(1)), B(true));
  CHECK(ErrorOf(BindFilter(*bad, Trips(), "trips")) ==
        "an operand of id > 1 = TRUE is a condition; operands must be columns or literals");
  Expr empty_and;
  empty_and.kind = ExprKind::kAnd;
  CHECK(ErrorOf(BindFilter(empty_and, Trips(), "trips")) ==
        "wrong number of operands in a logical operator");
}

TEST_CASE("LikeMatch follows SQL LIKE with % and _", "[store]") {
  CHECK(LikeMatch("", ""));
  CHECK(LikeMatch("", "%"));
  CHECK_FALSE(LikeMatch("", "_"));
  CHECK(LikeMatch("abc", "abc"));
  CHECK_FALSE(LikeMatch("abc", "ABC"));  // case-sensitive
  CHECK(LikeMatch("abc", "a%"));
  CHECK(LikeMatch("abc", "%c"));
  CHECK(LikeMatch("abc", "%b%"));
  CHECK(LikeMatch("abc", "a_c"));
  CHECK_FALSE(LikeMatch("abc", "a_"));
  CHECK(LikeMatch("abc", "%%%"));
  CHECK(LikeMatch("abcbc", "%bc"));
  CHECK(LikeMatch("aXbXc", "a%b%c"));
  CHECK_FALSE(LikeMatch("aXbXd", "a%b%c"));
  CHECK(LikeMatch("Zürich", "Z_rich"));  // _ is one character, not one byte
  CHECK(LikeMatch("日本", "__"));
  CHECK_FALSE(LikeMatch("日本", "_"));
  CHECK(LikeMatch("100%", "100%"));
  // No exponential backtracking.
  std::string text(5000, 'a');
  CHECK_FALSE(LikeMatch(text, "%a%a%a%a%a%a%a%a%b"));
}

TEST_CASE("ORDER BY an aggregate resolves to the matching output", "[store]") {
  BoundQuery b = MustBind("SELECT city, avg(fare) AS f, count(*) FROM trips GROUP BY city "
                          "ORDER BY count(*) DESC, AVG(fare)");
  REQUIRE(b.order_by.size() == 2);
  CHECK(b.order_by[0].output == 2);
  CHECK(b.order_by[0].nulls_first);
  CHECK(b.order_by[1].output == 1);
  CHECK(BindError("SELECT city, count(*) FROM trips GROUP BY city ORDER BY sum(fare)") ==
        "ORDER BY SUM(fare) must also appear in the select list");
  CHECK(BindError("SELECT city FROM trips ORDER BY count(*)") ==
        "ORDER BY COUNT(*) must also appear in the select list");
}
