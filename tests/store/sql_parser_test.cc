#include <catch2/catch.hpp>

#include <limits>

#include "store/query.h"
#include "tests/store/query_test_util.h"

using namespace quiver::query;           // NOLINT
using namespace quiver::query::testing;  // NOLINT
using quiver::Result;

namespace {
Query MustParse(std::string_view sql) {
  Result<Query> r = ParseSql(sql);
  INFO(sql << " -> " << ErrorOf(r));
  REQUIRE(r.ok());
  return *r;
}
ExprPtr MustFilter(std::string_view text) {
  Result<ExprPtr> r = ParseFilter(text);
  INFO(text << " -> " << ErrorOf(r));
  REQUIRE(r.ok());
  return *r;
}
}  // namespace

TEST_CASE("A full SELECT parses into every part of the query model", "[store]") {
  Query q = MustParse(
      "SELECT carrier, AVG(dep_delay) AS d FROM flights "
      "WHERE dep_delay > 30 AND origin IN ('JFK', 'LGA') "
      "GROUP BY carrier ORDER BY d DESC LIMIT 10 OFFSET 5");
  CHECK(q.table == "flights");
  REQUIRE(q.select.size() == 2);
  CHECK(q.select[0] == SelectItem{AggFunc::kNone, "carrier", ""});
  CHECK(q.select[1] == SelectItem{AggFunc::kAvg, "dep_delay", "d"});
  CHECK(ExprEquals(q.where, And({Gt(Col("dep_delay"), I(30)),
                                 Expr::In(Col("origin"), {S("JFK"), S("LGA")})})));
  CHECK(q.group_by == std::vector<std::string>{"carrier"});
  REQUIRE(q.order_by.size() == 1);
  CHECK(q.order_by[0] == OrderItem{"d", 0, true, NullOrder::kDefault});
  CHECK(q.limit == 10);
  CHECK(q.offset == 5);
}

TEST_CASE("SELECT star gives an empty select list and optional clauses stay unset", "[store]") {
  Query q = MustParse("select * from t");
  CHECK(q.table == "t");
  CHECK(q.select.empty());
  CHECK(q.where == nullptr);
  CHECK(q.group_by.empty());
  CHECK(q.order_by.empty());
  CHECK_FALSE(q.limit.has_value());
  CHECK_FALSE(q.offset.has_value());
}

TEST_CASE("Keywords are case-insensitive and identifiers keep their case", "[store]") {
  Query a = MustParse("SeLeCt Fare FrOm Trips wHeRe Fare iS nOt NuLl");
  CHECK(a.select[0].column == "Fare");
  CHECK(a.table == "Trips");
  CHECK(ExprEquals(a.where, Expr::IsNull(Col("Fare"), true)));
}

TEST_CASE("Every aggregate parses, COUNT(*) has no column", "[store]") {
  Query q = MustParse("SELECT count(*), COUNT(a), sum(b) AS s, Min(c), MAX(d), avg(e) FROM t");
  REQUIRE(q.select.size() == 6);
  CHECK(q.select[0] == SelectItem{AggFunc::kCount, "", ""});
  CHECK(q.select[1] == SelectItem{AggFunc::kCount, "a", ""});
  CHECK(q.select[2] == SelectItem{AggFunc::kSum, "b", "s"});
  CHECK(q.select[3] == SelectItem{AggFunc::kMin, "c", ""});
  CHECK(q.select[4] == SelectItem{AggFunc::kMax, "d", ""});
  CHECK(q.select[5] == SelectItem{AggFunc::kAvg, "e", ""});
}

TEST_CASE("Aggregate names are not reserved words", "[store]") {
  Query q = MustParse("SELECT count, sum FROM t WHERE max > 1 ORDER BY min");
  CHECK(q.select[0] == SelectItem{AggFunc::kNone, "count", ""});
  CHECK(q.select[1] == SelectItem{AggFunc::kNone, "sum", ""});
  CHECK(ExprEquals(q.where, Gt(Col("max"), I(1))));
  CHECK(q.order_by[0].name == "min");
}

TEST_CASE("Quoted identifiers allow keywords, spaces and doubled quotes", "[store]") {
  Query q = MustParse(R"(SELECT "select", "a ""b"" c" AS "FROM" FROM "my table" WHERE "order" = 1)");
  CHECK(q.select[0].column == "select");
  CHECK(q.select[1].column == "a \"b\" c");
  CHECK(q.select[1].alias == "FROM");
  CHECK(q.table == "my table");
  CHECK(ExprEquals(q.where, Eq(Col("order"), I(1))));
}

TEST_CASE("String literals use single quotes with '' as the escape", "[store]") {
  CHECK(ExprEquals(MustFilter("name = 'it''s'"), Eq(Col("name"), S("it's"))));
  CHECK(ExprEquals(MustFilter("name = ''"), Eq(Col("name"), S(""))));
  CHECK(ExprEquals(MustFilter("name = 'a\nb'"), Eq(Col("name"), S("a\nb"))));
  CHECK(ExprEquals(MustFilter("name = 'Zürich'"), Eq(Col("name"), S("Zürich"))));
}

TEST_CASE("Every comparison operator parses, with both spellings of not-equal", "[store]") {
  CHECK(ExprEquals(MustFilter("a = 1"), Eq(Col("a"), I(1))));
  CHECK(ExprEquals(MustFilter("a == 1"), Eq(Col("a"), I(1))));
  CHECK(ExprEquals(MustFilter("a <> 1"), Ne(Col("a"), I(1))));
  CHECK(ExprEquals(MustFilter("a != 1"), Ne(Col("a"), I(1))));
  CHECK(ExprEquals(MustFilter("a < 1"), Lt(Col("a"), I(1))));
  CHECK(ExprEquals(MustFilter("a <= 1"), Le(Col("a"), I(1))));
  CHECK(ExprEquals(MustFilter("a > 1"), Gt(Col("a"), I(1))));
  CHECK(ExprEquals(MustFilter("a >= 1"), Ge(Col("a"), I(1))));
  CHECK(ExprEquals(MustFilter("a>=1"), Ge(Col("a"), I(1))));
  CHECK(ExprEquals(MustFilter("1 < a"), Lt(I(1), Col("a"))));
  CHECK(ExprEquals(MustFilter("a = b"), Eq(Col("a"), Col("b"))));
}

TEST_CASE("BETWEEN, IN, IS NULL and LIKE parse with and without NOT", "[store]") {
  CHECK(ExprEquals(MustFilter("a BETWEEN 1 AND 5"), Expr::Between(Col("a"), I(1), I(5))));
  CHECK(ExprEquals(MustFilter("a NOT BETWEEN 1 AND 5"), Expr::Between(Col("a"), I(1), I(5), true)));
  CHECK(ExprEquals(MustFilter("a IN (1)"), Expr::In(Col("a"), {I(1)})));
  CHECK(ExprEquals(MustFilter("a NOT IN (1, -2, 'x', NULL, TRUE)"),
                   Expr::In(Col("a"), {I(1), I(-2), S("x"), Null(), B(true)}, true)));
  CHECK(ExprEquals(MustFilter("a IS NULL"), Expr::IsNull(Col("a"))));
  CHECK(ExprEquals(MustFilter("a IS NOT NULL"), Expr::IsNull(Col("a"), true)));
  CHECK(ExprEquals(MustFilter("a LIKE 'x%_'"), Expr::Like(Col("a"), S("x%_"))));
  CHECK(ExprEquals(MustFilter("a NOT LIKE 'x%'"), Expr::Like(Col("a"), S("x%"), true)));
}

TEST_CASE("BETWEEN takes its own AND before the logical AND", "[store]") {
  CHECK(ExprEquals(MustFilter("a BETWEEN 1 AND 5 AND b = 2"),
                   And({Expr::Between(Col("a"), I(1), I(5)), Eq(Col("b"), I(2))})));
}

TEST_CASE("NOT binds tighter than AND, and AND tighter than OR", "[store]") {
  CHECK(ExprEquals(MustFilter("a = 1 OR b = 2 AND c = 3"),
                   Or({Eq(Col("a"), I(1)), And({Eq(Col("b"), I(2)), Eq(Col("c"), I(3))})})));
  CHECK(ExprEquals(MustFilter("a = 1 AND b = 2 OR c = 3"),
                   Or({And({Eq(Col("a"), I(1)), Eq(Col("b"), I(2))}), Eq(Col("c"), I(3))})));
  CHECK(ExprEquals(MustFilter("NOT a = 1 AND b = 2"),
                   And({Not(Eq(Col("a"), I(1))), Eq(Col("b"), I(2))})));
  CHECK(ExprEquals(MustFilter("NOT NOT flag"), Not(Not(Col("flag")))));
  CHECK(ExprEquals(MustFilter("NOT (a = 1 OR b = 2)"),
                   Not(Or({Eq(Col("a"), I(1)), Eq(Col("b"), I(2))}))));
}

TEST_CASE("Chains of AND and OR are flat and parentheses keep a group", "[store]") {
  CHECK(ExprEquals(MustFilter("a AND b AND c"), And({Col("a"), Col("b"), Col("c")})));
  CHECK(ExprEquals(MustFilter("a OR b OR c"), Or({Col("a"), Col("b"), Col("c")})));
  CHECK(ExprEquals(MustFilter("a AND (b AND c)"), And({Col("a"), And({Col("b"), Col("c")})})));
  CHECK(ExprEquals(MustFilter("(a OR b) AND c"), And({Or({Col("a"), Col("b")}), Col("c")})));
  CHECK(ExprEquals(MustFilter("((a = 1))"), Eq(Col("a"), I(1))));
  CHECK(ExprEquals(MustFilter("(a) = 1"), Eq(Col("a"), I(1))));
}

TEST_CASE("TRUE, FALSE and NULL are literals and bare booleans are conditions", "[store]") {
  CHECK(ExprEquals(MustFilter("TRUE"), B(true)));
  CHECK(ExprEquals(MustFilter("flag = false"), Eq(Col("flag"), B(false))));
  CHECK(ExprEquals(MustFilter("x = null"), Eq(Col("x"), Null())));
  CHECK(ExprEquals(MustFilter("active AND NOT deleted"), And({Col("active"), Not(Col("deleted"))})));
}

TEST_CASE("Numbers parse as exact integers, unsigned beyond int64, or doubles", "[store]") {
  CHECK(ExprEquals(MustFilter("a = 42"), Eq(Col("a"), I(42))));
  CHECK(ExprEquals(MustFilter("a = -42"), Eq(Col("a"), I(-42))));
  CHECK(ExprEquals(MustFilter("a = 9007199254740993"), Eq(Col("a"), I(9007199254740993LL))));
  CHECK(ExprEquals(MustFilter("a = 9223372036854775807"),
                   Eq(Col("a"), I(std::numeric_limits<int64_t>::max()))));
  CHECK(ExprEquals(MustFilter("a = -9223372036854775808"),
                   Eq(Col("a"), I(std::numeric_limits<int64_t>::min()))));
  CHECK(ExprEquals(MustFilter("a = 9223372036854775808"), Eq(Col("a"), U(9223372036854775808ULL))));
  CHECK(ExprEquals(MustFilter("a = 18446744073709551615"),
                   Eq(Col("a"), U(std::numeric_limits<uint64_t>::max()))));
  CHECK(ExprEquals(MustFilter("a = 2.5"), Eq(Col("a"), D(2.5))));
  CHECK(ExprEquals(MustFilter("a = -2.5"), Eq(Col("a"), D(-2.5))));
  CHECK(ExprEquals(MustFilter("a = .5"), Eq(Col("a"), D(0.5))));
  CHECK(ExprEquals(MustFilter("a = 5."), Eq(Col("a"), D(5.0))));
  CHECK(ExprEquals(MustFilter("a = 1e3"), Eq(Col("a"), D(1000.0))));
  CHECK(ExprEquals(MustFilter("a = 1.5E-3"), Eq(Col("a"), D(0.0015))));
  CHECK(ExprEquals(MustFilter("a = 2e+2"), Eq(Col("a"), D(200.0))));
  CHECK(ExprEquals(MustFilter("a = 1e-400"), Eq(Col("a"), D(0.0))));
}

TEST_CASE("A trailing semicolon and comments are allowed", "[store]") {
  CHECK(MustParse("SELECT a FROM t;") == MustParse("SELECT a FROM t"));
  CHECK(MustParse("SELECT a -- the column\nFROM /* here */ t ;") == MustParse("SELECT a FROM t"));
  CHECK(MustParse("\n\tSELECT a\r\n FROM t\n") == MustParse("SELECT a FROM t"));
}

TEST_CASE("ORDER BY takes names, positions, directions and null order", "[store]") {
  Query q = MustParse("SELECT a, b FROM t ORDER BY a, 2 DESC, c ASC NULLS FIRST, d DESC NULLS LAST");
  REQUIRE(q.order_by.size() == 4);
  CHECK(q.order_by[0] == OrderItem{"a", 0, false, NullOrder::kDefault});
  CHECK(q.order_by[1] == OrderItem{"", 2, true, NullOrder::kDefault});
  CHECK(q.order_by[2] == OrderItem{"c", 0, false, NullOrder::kFirst});
  CHECK(q.order_by[3] == OrderItem{"d", 0, true, NullOrder::kLast});
}

TEST_CASE("LIMIT and OFFSET may come in either order", "[store]") {
  Query a = MustParse("SELECT a FROM t LIMIT 3 OFFSET 4");
  Query b = MustParse("SELECT a FROM t OFFSET 4 LIMIT 3");
  CHECK(a == b);
  CHECK(a.limit == 3);
  CHECK(a.offset == 4);
  CHECK(MustParse("SELECT a FROM t OFFSET 7").offset == 7);
  CHECK(MustParse("SELECT a FROM t LIMIT 0").limit == 0);
}

TEST_CASE("The URL-parameter parsers read order_by, select and column lists", "[store]") {
  auto order = ParseOrderBy("a desc, b asc nulls first, 3");
  REQUIRE(order.ok());
  REQUIRE(order->size() == 3);
  CHECK((*order)[0] == OrderItem{"a", 0, true, NullOrder::kDefault});
  CHECK((*order)[1] == OrderItem{"b", 0, false, NullOrder::kFirst});
  CHECK((*order)[2] == OrderItem{"", 3, false, NullOrder::kDefault});

  auto select = ParseSelectList("a,b,c");
  REQUIRE(select.ok());
  CHECK(*select == std::vector<SelectItem>{{AggFunc::kNone, "a", ""},
                                           {AggFunc::kNone, "b", ""},
                                           {AggFunc::kNone, "c", ""}});
  auto agg = ParseSelectList("carrier, count(*) as n");
  REQUIRE(agg.ok());
  CHECK((*agg)[1] == SelectItem{AggFunc::kCount, "", "n"});
  auto star = ParseSelectList("*");
  REQUIRE(star.ok());
  CHECK(star->empty());

  auto cols = ParseColumnList("a, \"b c\"");
  REQUIRE(cols.ok());
  CHECK(*cols == std::vector<std::string>{"a", "b c"});
}

TEST_CASE("An alias may leave out AS where a name cannot be a misspelt keyword", "[store]") {
  Query q = MustParse("SELECT a x, count(*) n, b \"Total\" FROM t u WHERE u.a > 1 ORDER BY n");
  REQUIRE(q.select.size() == 3);
  CHECK(q.select[0].alias == "x");
  CHECK(q.select[1].alias == "n");
  CHECK(q.select[2].alias == "Total");
  CHECK(q.table == "t");
  CHECK(ExprEquals(q.where, Gt(Col("a"), I(1))));  // u. is the table's qualifier
  CHECK(MustParse("SELECT 1 one").select[0].alias == "one");
  CHECK(MustParse("SELECT a total FROM t LIMIT 1").select[0].alias == "total");
  CHECK(MustParse("SELECT n FROM (SELECT count(*) n FROM t) s").from_query->select[0].alias == "n");
  // A reserved word is never a bare alias.
  CHECK(!ParseSql("SELECT a where FROM t").ok());
}

TEST_CASE("GROUP BY ALL groups by every select item without an aggregate", "[store]") {
  Query q = MustParse("SELECT a, b, count(*), sum(c) + 1 FROM t GROUP BY ALL");
  CHECK(q.group_by == std::vector<std::string>{"a", "b"});
  q = MustParse("SELECT a, lower(b) AS l, max(c) FROM t GROUP BY ALL");
  REQUIRE(q.group_by_exprs.size() == 2);
  CHECK(ExprEquals(q.group_by_exprs[0], Col("a")));
  CHECK(q.group_by_exprs[1]->kind == ExprKind::kCall);
  q = MustParse("SELECT count(*) FROM t GROUP BY ALL");  // no key: one group
  CHECK(q.group_by.empty());
  CHECK(q.group_by_exprs.empty());
}

TEST_CASE("ORDER BY ALL orders by every select column; LIMIT ALL is no limit", "[store]") {
  Query q = MustParse("SELECT a, count(*) FROM t GROUP BY a ORDER BY ALL DESC NULLS LAST");
  REQUIRE(q.order_by.size() == 2);
  CHECK(q.order_by[0] == OrderItem{"", 1, true, NullOrder::kLast});
  CHECK(q.order_by[1] == OrderItem{"", 2, true, NullOrder::kLast});
  q = MustParse("SELECT a, b FROM t ORDER BY ALL LIMIT ALL OFFSET 3");
  CHECK(q.order_by[1] == OrderItem{"", 2, false, NullOrder::kDefault});
  CHECK(!q.limit);
  CHECK(q.offset == 3);
  CHECK(MustParse("SELECT a FROM t OFFSET 1 LIMIT ALL").offset == 1);
}

TEST_CASE("STRING_AGG takes a separator literal, ',' by default, and reads back", "[store]") {
  Query q = MustParse("SELECT string_agg(a, ' | ') AS s, string_agg(b) FROM t");
  REQUIRE(q.select.size() == 2);
  CHECK(q.select[0].agg == AggFunc::kStringAgg);
  CHECK(q.select[0].sep == " | ");
  CHECK(q.select[1].sep == ",");
  CHECK(ToSql(q) == "SELECT STRING_AGG(a, ' | ') AS s, STRING_AGG(b, ',') FROM t");
  CHECK(MustParse(ToSql(q)) == q);
  // Inside an expression the separator is the aggregate's value.
  q = MustParse("SELECT length(string_agg(a, ';')) FROM t");
  REQUIRE(q.select[0].expr);
  CHECK(ToSql(*q.select[0].expr) == "length(STRING_AGG(a, ';'))");
}

// --- errors ---

TEST_CASE("A misspelt FROM names its line, column and the word found", "[store]") {
  TextPosition pos;
  auto r = ParseSql("SELECT carrier, AVG(x) AS d FORM flights", &pos);
  CHECK(ErrorOf(r) == "syntax error at line 1, column 29: expected FROM, found 'FORM'");
  CHECK(r.status().code() == quiver::StatusCode::kInvalidArgument);
  CHECK(pos.line == 1);
  CHECK(pos.column == 29);
  CHECK(pos.offset == 28);
}

TEST_CASE("Error positions count lines and characters, not bytes", "[store]") {
  TextPosition pos;
  auto r = ParseSql("SELECT a\nFROM t\nWHERE städte = 'ü' AND", &pos);
  CHECK(ErrorOf(r) ==
        "syntax error at line 3, column 23: expected a column, a literal or '(', found end of input");
  CHECK(pos.line == 3);
  CHECK(pos.column == 23);  // 22 characters, 24 bytes
  CHECK(pos.offset == 16 + 24);
}

TEST_CASE("Every syntax error of the SQL parser names its position and problem", "[store]") {
  struct Case {
    const char* sql;
    const char* message;
  };
  const Case cases[] = {
      {"", "syntax error at line 1, column 1: expected SELECT, found end of input"},
      {"SELEC a FROM t", "syntax error at line 1, column 1: expected SELECT, found 'SELEC'"},
      {"SELECT FROM t",
       "syntax error at line 1, column 8: expected column name, aggregate or *, found 'FROM'"},
      {"SELECT a, FROM t",
       "syntax error at line 1, column 11: expected column name, aggregate or *, found 'FROM'"},
      {"SELECT a, * FROM t", "syntax error at line 1, column 11: '*' must be the whole select list"},
      {"SELECT neg(a, 1) FROM t",
       "syntax error at line 1, column 8: unknown function 'neg' (write -x)"},
      {"SELECT a FROM", "syntax error at line 1, column 14: expected table name, found end of input"},
      {"SELECT a FROM t WHRE a = 1",
       "syntax error at line 1, column 17: expected WHERE, GROUP BY, ORDER BY, LIMIT, OFFSET or "
       "end of query, found 'WHRE'"},
      {"SELECT a FROM t WHERE a = 1 LIMT 5",
       "syntax error at line 1, column 29: expected AND, OR, GROUP BY, ORDER BY, LIMIT, OFFSET or "
       "end of query, found 'LIMT'"},
      {"SELECT a FROM t GROUP a", "syntax error at line 1, column 23: expected BY, found 'a'"},
      {"SELECT a FROM t ORDER BY", "syntax error at line 1, column 25: expected column name, "
                                   "alias or position, found end of input"},
      {"SELECT a FROM t ORDER BY 0",
       "syntax error at line 1, column 26: ORDER BY position must be at least 1"},
      {"SELECT a FROM t ORDER BY a NULLS", "syntax error at line 1, column 33: expected FIRST or "
                                           "LAST, found end of input"},
      {"SELECT a FROM t LIMIT -1",
       "syntax error at line 1, column 23: expected a non-negative integer after LIMIT, found '-'"},
      {"SELECT a FROM t LIMIT 1.5",
       "syntax error at line 1, column 23: LIMIT must be an integer from 0 to 9223372036854775807, "
       "found '1.5'"},
      {"SELECT a FROM t LIMIT 9223372036854775808",
       "syntax error at line 1, column 23: LIMIT must be an integer from 0 to 9223372036854775807, "
       "found '9223372036854775808'"},
      {"SELECT a FROM t LIMIT 1 LIMIT 2",
       "syntax error at line 1, column 25: expected OFFSET or end of query, found 'LIMIT'"},
      {"SELECT a FROM t;;", "syntax error at line 1, column 17: expected WHERE, GROUP BY, ORDER "
                            "BY, LIMIT, OFFSET or end of query, found ';'"},
      {"SELECT sum(*) FROM t",
       "syntax error at line 1, column 8: only COUNT takes '*'"},
      {"SELECT count(a FROM t", "syntax error at line 1, column 16: expected ')', found 'FROM'"},
      {"SELECT a AS FROM t",
       "syntax error at line 1, column 13: expected alias after AS, found 'FROM'"},
      {"SELECT a b c FROM t", "syntax error at line 1, column 10: expected FROM, found 'b'"},
      {"SELECT a FORM t", "syntax error at line 1, column 10: expected FROM, found 'FORM'"},
      {"SELECT a FROM t u v",
       "syntax error at line 1, column 17: expected WHERE, GROUP BY, ORDER BY, LIMIT, OFFSET or "
       "end of query, found 'u'"},
      {"SELECT string_agg(a, 1) FROM t",
       "syntax error at line 1, column 22: expected the separator of STRING_AGG (a string "
       "literal), found '1'"},
      {"SELECT * FROM t ORDER BY ALL",
       "syntax error at line 1, column 26: ORDER BY ALL needs a select list, not *"},
      {"SELECT a FROM t LIMIT ALL LIMIT 2",
       "syntax error at line 1, column 27: expected OFFSET or end of query, found 'LIMIT'"},
      {"SELECT * FROM t GROUP BY ALL",
       "syntax error at line 1, column 26: GROUP BY ALL needs a select list, not *"},
      {"SELECT a FROM t WHERE", "syntax error at line 1, column 22: expected a column, a literal "
                                "or '(', found end of input"},
      {"SELECT a FROM t WHERE a = 'abc",
       "syntax error at line 1, column 27: unterminated string literal"},
      {"SELECT \"a FROM t", "syntax error at line 1, column 8: unterminated quoted identifier"},
      {"SELECT \"\" FROM t", "syntax error at line 1, column 8: empty quoted identifier"},
      {"SELECT a FROM t WHERE a ~ 1", "syntax error at line 1, column 25: unexpected character '~'"},
      {"SELECT a FROM t WHERE a = 1\x01", "syntax error at line 1, column 28: unexpected byte 0x01"},
      {"SELECT a FROM t /* open", "syntax error at line 1, column 17: unterminated comment"},
      {"SELECT a FROM t WHERE a = 12abc", "syntax error at line 1, column 27: invalid number '12abc'"},
      {"SELECT a FROM t WHERE a = 1.2.3", "syntax error at line 1, column 27: invalid number '1.2.3'"},
      {"SELECT a FROM t WHERE a = 1e999",
       "syntax error at line 1, column 27: number out of range: 1e999"},
      {"SELECT a FROM t WHERE a = 18446744073709551616",
       "syntax error at line 1, column 27: integer out of range: 18446744073709551616"},
      {"SELECT a FROM t WHERE a = -9223372036854775809",
       "syntax error at line 1, column 27: integer out of range: -9223372036854775809"},
      {"SELECT a FROM t WHERE (a = 1", "syntax error at line 1, column 29: expected ')', found end "
                                       "of input"},
      {"SELECT a FROM t WHERE a = 1)", "syntax error at line 1, column 28: expected AND, OR, GROUP "
                                       "BY, ORDER BY, LIMIT, OFFSET or end of query, found ')'"},
      {"SELECT a FROM t WHERE a BETWEEN 1 OR 2",
       "syntax error at line 1, column 35: expected AND, found 'OR'"},
      {"SELECT a FROM t WHERE a IN 1", "syntax error at line 1, column 28: expected '(', found '1'"},
      {"SELECT a FROM t WHERE a IN ()",
       "syntax error at line 1, column 29: expected a column, a literal or '(', found ')'"},
      {"SELECT a FROM t WHERE a IS 1", "syntax error at line 1, column 28: expected NULL, found '1'"},
      {"SELECT a FROM t WHERE a NOT 1", "syntax error at line 1, column 25: expected AND, OR, GROUP "
                                        "BY, ORDER BY, LIMIT, OFFSET or end of query, found 'NOT'"},
      {"SELECT a FROM t WHERE a = 1 = 2", "syntax error at line 1, column 29: expected AND, OR, "
                                          "GROUP BY, ORDER BY, LIMIT, OFFSET or end of query, "
                                          "found '='"},
      {"SELECT a\nFROM t\nWHERE a = 1 AND\n  AND b = 2",
       "syntax error at line 4, column 3: expected a column, a literal or '(', found 'AND'"},
  };
  for (const Case& c : cases) {
    INFO(c.sql);
    CHECK(ErrorOf(ParseSql(c.sql)) == c.message);
  }
}

TEST_CASE("The filter and list parsers report errors the same way", "[store]") {
  CHECK(ErrorOf(ParseFilter("a = 1 b")) ==
        "syntax error at line 1, column 7: expected AND, OR or end of filter, found 'b'");
  CHECK(ErrorOf(ParseFilter("")) ==
        "syntax error at line 1, column 1: expected a column, a literal or '(', found end of input");
  CHECK(ErrorOf(ParseOrderBy("a desc b")) ==
        "syntax error at line 1, column 8: expected ',', ASC, DESC, NULLS or end of list, found 'b'");
  CHECK(ErrorOf(ParseSelectList("a,")) ==
        "syntax error at line 1, column 3: expected column name, aggregate or *, found end of input");
  CHECK(ErrorOf(ParseColumnList("a b")) ==
        "syntax error at line 1, column 3: expected ',' or end of list, found 'b'");
}

TEST_CASE("Deeply nested input is refused instead of overflowing the stack", "[store]") {
  std::string deep = std::string(5000, '(') + "a" + std::string(5000, ')');
  auto r = ParseFilter(deep);
  CHECK(ErrorOf(r) == "syntax error at line 1, column 201: expression nested too deeply (more than "
                      "200 levels)");
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "NOT ";
  CHECK_FALSE(ParseFilter(nots + "a").ok());
  // Depth up to the limit is fine.
  std::string ok = std::string(100, '(') + "a = 1" + std::string(100, ')');
  CHECK(ParseFilter(ok).ok());
}

TEST_CASE("A long string token is shortened in messages", "[store]") {
  std::string sql = "SELECT a FROM t WHERE a = 1 '" + std::string(100, 'x') + "'";
  CHECK(ErrorOf(ParseSql(sql)) ==
        "syntax error at line 1, column 29: expected AND, OR, GROUP BY, ORDER BY, LIMIT, OFFSET or "
        "end of query, found string '" + std::string(39, 'x') + "...");
}

TEST_CASE("ORDER BY may name an aggregate of the select list", "[store]") {
  Query q = MustParse("SELECT city, count(*), avg(fare) FROM t GROUP BY city "
                      "ORDER BY COUNT(*) DESC, avg(fare) NULLS FIRST");
  REQUIRE(q.order_by.size() == 2);
  CHECK(q.order_by[0] == OrderItem{"", 0, true, NullOrder::kDefault, AggFunc::kCount});
  CHECK(q.order_by[1] == OrderItem{"fare", 0, false, NullOrder::kFirst, AggFunc::kAvg});
  CHECK(ToSql(q) == "SELECT city, COUNT(*), AVG(fare) FROM t GROUP BY city "
                    "ORDER BY COUNT(*) DESC, AVG(fare) NULLS FIRST");
  // Any aggregate or expression parses; the planner decides whether it fits.
  CHECK(ParseSql("SELECT a FROM t ORDER BY median(a)").ok());
  auto order = ParseOrderBy("count(*) desc");
  REQUIRE(order.ok());
  CHECK((*order)[0].agg == AggFunc::kCount);
}
