// ChunkPruner (store/exec_prune.cc): its integer fast path must decide
// exactly as the general MayBeTrue for every chunk — checked on random
// conjunctions of integer comparisons against random chunk statistics, edge
// values of int64 included, and on WHEREs it does not compile.
#include <catch2/catch.hpp>
#include <limits>
#include <random>
#include <string>

#include "store/exec_internal.h"
#include "store/query.h"
#include "store/query_bind.h"

using namespace quiver;
using namespace quiver::store;
namespace si = quiver::store::internal;

namespace {

Schema TwoInts() {
  return Schema(std::vector<Field>{{"a", DataType(TypeId::kInt64), true, {}},
                                   {"b", DataType(TypeId::kInt32), true, {}},
                                   {"f", DataType(TypeId::kFloat64), true, {}}});
}

query::BoundQuery BindWhere(const std::string& where) {
  auto q = query::ParseSql("SELECT a FROM t WHERE " + where);
  REQUIRE(q.ok());
  auto b = query::Bind(*q, TwoInts());
  INFO(where);
  REQUIRE(b.ok());
  REQUIRE(b->where != nullptr);
  return std::move(b).value();
}

ColumnStats IntStats(int64_t min, int64_t max, int64_t rows) {
  ColumnStats s;
  s.kind = ColumnStats::Kind::kInt;
  s.row_count = rows;
  s.has_min = s.has_max = true;
  s.min_int = min;
  s.max_int = max;
  return s;
}

}  // namespace

TEST_CASE("ChunkPruner decides as MayBeTrue on random integer conditions and statistics",
          "[store][prune]") {
  std::mt19937_64 rng(20261201);
  const int64_t edges[] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::min() + 1,
                           -1000, -1, 0, 1, 7, 999, 1000,
                           std::numeric_limits<int64_t>::max() - 1, std::numeric_limits<int64_t>::max()};
  auto value = [&]() -> int64_t {
    if (rng() % 3 == 0) return edges[rng() % std::size(edges)];
    return int64_t(rng() % 2001) - 1000;
  };
  const char* ops[] = {"=", "<", "<=", ">", ">="};
  const char* cols[] = {"a", "b"};
  int compiled = 0, pruned = 0;
  for (int iter = 0; iter < 400; ++iter) {
    // 1-3 terms: `col op v`, `v op col` or `col BETWEEN v AND w`.
    std::string where;
    const int terms = 1 + int(rng() % 3);
    for (int t = 0; t < terms; ++t) {
      if (t) where += " AND ";
      const std::string col = cols[rng() % 2];
      const int shape = int(rng() % 3);
      const std::string v = std::to_string(value()), w = std::to_string(value());
      if (shape == 0) where += col + " " + ops[rng() % 5] + " " + v;
      else if (shape == 1) where += v + " " + ops[rng() % 5] + " " + col;
      else where += col + " BETWEEN " + v + " AND " + w;
    }
    if (where.find("-9223372036854775808") != std::string::npos) continue;  // not an int64 literal in SQL
    const query::BoundQuery bq = BindWhere(where);
    si::ChunkPruner pruner(*bq.where);
    for (int c = 0; c < 20; ++c) {
      int64_t lo = value(), hi = value();
      if (lo > hi) std::swap(lo, hi);
      int64_t lo2 = value(), hi2 = value();
      if (lo2 > hi2) std::swap(lo2, hi2);
      std::vector<ColumnStats> stats = {IntStats(lo, hi, 100), IntStats(lo2, hi2, 100), ColumnStats{}};
      if (c % 7 == 6) stats[1].row_count = 50;  // statistics of another row count: unusable
      const bool want = si::MayBeTrue(*bq.where, stats, 100);
      INFO(where << " over a in [" << lo << ", " << hi << "], b in [" << lo2 << ", " << hi2 << "]");
      CHECK(pruner.MayBeTrue(stats, 100) == want);
      pruned += want ? 0 : 1;
    }
    ++compiled;
  }
  CHECK(compiled > 300);
  CHECK(pruned > 500);  // the cases prune often enough to mean something
}

TEST_CASE("ChunkPruner leaves other conditions to MayBeTrue", "[store][prune]") {
  const std::vector<ColumnStats> stats = {IntStats(10, 20, 100), IntStats(0, 5, 100), ColumnStats{}};
  for (const char* where : {"a <> 15", "a = 30 OR b = 3", "a IN (1, 2)", "a = NULL", "f > 1.5",
                            "a = 30 AND f > 1", "NOT (a = 15)", "a = 15.5", "15 = a"}) {
    INFO(where);
    const query::BoundQuery bq = BindWhere(where);
    CHECK(si::ChunkPruner(*bq.where).MayBeTrue(stats, 100) ==
          si::MayBeTrue(*bq.where, stats, 100));
  }
  // And prunes a point lookup outside the chunk's range.
  const query::BoundQuery bq = BindWhere("a = 21");
  CHECK_FALSE(si::ChunkPruner(*bq.where).MayBeTrue(stats, 100));
  CHECK(si::ChunkPruner(*BindWhere("a = 20").where).MayBeTrue(stats, 100));
}
