// float16 and interval columns in queries (store/plan_widen.cc).
// float16: wherever a query computes with one (WHERE, expressions,
// aggregates, ORDER BY, HAVING) it reads as float32; selected or grouped as
// it is, it stays float16. Each query on the float16 column h is checked
// against the same query on f, a float32 column holding the same values
// (float16 -> float32 is exact), and the float16 outputs against the bits
// written. Intervals sort by their length (a month is 30 days), decimal256
// by value.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "columnar/decimal.h"
#include "columnar/half_float.h"
#include "kernels/kernels.h"
#include "store/exec.h"
#include "sql_test_util.h"
#include "test_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

constexpr int64_t kRows = 500;

// h(i): NULL when i % 11 == 3; otherwise one of a spread of float16 values:
// negatives, -0.0 and +0.0, a subnormal, the largest finite, fractions that
// float16 holds exactly and some it rounds.
std::optional<double> H(int64_t i) {
  if (i % 11 == 3) return std::nullopt;
  static const double kValues[] = {1.5,     -2.25, 0.0,   -0.0, 65504.0, 5.960464477539063e-08,
                                   0.1,     -7.0,  1024.5, 3.0, -0.5,    2.0};
  return kValues[i % 12] + (i % 12 == 9 ? double(i % 5) : 0.0);
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store;

  Fixture() {
    StoreOptions o;
    o.max_chunk_rows = 64;
    auto schema = std::make_shared<Schema>(std::vector<Field>{
        {"id", DataType(TypeId::kInt64), false, {}},
        {"h", DataType(TypeId::kFloat16), true, {}},
        {"f", DataType(TypeId::kFloat32), true, {}},
    });
    RecordBatchBuilder b(schema);
    for (int64_t i = 0; i < kRows; ++i) {
      b.column(0).AppendInt(i);
      if (auto v = H(i)) {
        b.column(1).AppendDouble(*v);
        b.column(2).AppendDouble(double(HalfToFloat(FloatToHalf(*v))));
      } else {
        b.column(1).AppendNull();
        b.column(2).AppendNull();
      }
    }
    auto batch = b.Finish();
    REQUIRE(batch.ok());
    store = quiver::testing::StoreWithTable(dir.path() + "/half.pool", "t", schema, {*batch}, o);
  }

  QueryResult Run(const std::string& sql, int threads = 0) { return quiver::testing::RunSql(*store, sql, threads); }
};

std::vector<std::string> Rows(const QueryResult& r) { return quiver::testing::ResultRows(r); }

// `sql` with every "h" replaced by "f".
std::string OnFloat32(std::string sql) {
  for (size_t p = 0; (p = sql.find('h', p)) != std::string::npos; ++p) {
    const bool word_start = p == 0 || !std::isalnum(static_cast<unsigned char>(sql[p - 1]));
    const bool word_end = p + 1 == sql.size() || !std::isalnum(static_cast<unsigned char>(sql[p + 1]));
    if (word_start && word_end) sql[p] = 'f';
  }
  return sql;
}

}  // namespace

TEST_CASE("float16 columns filter, sort, compute and aggregate as their float32 values", "[store]") {
  Fixture f;
  const char* queries[] = {
      "SELECT id FROM t WHERE h > 0.5 ORDER BY id",
      "SELECT id FROM t WHERE h = 0 OR h IS NULL ORDER BY id",
      "SELECT id FROM t WHERE h BETWEEN -3 AND 2 AND id % 2 = 0 ORDER BY id",
      "SELECT id, h + 1 AS v, h * h AS sq, CAST(h AS double) AS d FROM t WHERE id < 40 ORDER BY id",
      "SELECT id FROM t ORDER BY h DESC NULLS LAST, id LIMIT 30",
      "SELECT id FROM t ORDER BY h NULLS FIRST, id",
      "SELECT min(h), max(h), sum(h), avg(h), count(h), count(DISTINCT h) FROM t",
      "SELECT min(h) AS lo, max(h) AS hi FROM t WHERE id >= 100",
      "SELECT id % 4 AS g, min(h), max(h), sum(h) FROM t GROUP BY 1 ORDER BY 1",
      "SELECT id % 3 AS g, count(*) FROM t GROUP BY 1 HAVING max(h) > 1000 ORDER BY 1",
      "SELECT sum(id) FILTER (WHERE h < 0) FROM t",
      "SELECT id FROM t WHERE h IN (1.5, 3.0, -7) ORDER BY id",
      "SELECT id FROM (SELECT id, h FROM t WHERE id > 50) WHERE h < 0 ORDER BY id",
  };
  for (const char* q : queries) {
    INFO(q);
    CHECK(Rows(f.Run(q)) == Rows(f.Run(OnFloat32(q))));
  }
  // Output names are those of the query as written.
  QueryResult named = f.Run("SELECT min(h), h + 1, count(DISTINCT h) FROM t GROUP BY h + 1");
  REQUIRE(named.schema->num_fields() == 3);
  CHECK(named.schema->field(0).name == "min(h)");
  CHECK(named.schema->field(1).name == "h + 1");
  CHECK(named.schema->field(2).name == "count(DISTINCT h)");
}

TEST_CASE("float16 columns selected or grouped as they are stay float16", "[store]") {
  Fixture f;
  // Selected, sorted by itself (by name, alias and position): float16 out,
  // in the order of the float32 values.
  for (const char* q : {"SELECT h FROM t ORDER BY h NULLS LAST, id", "SELECT h AS x FROM t ORDER BY x NULLS LAST, id",
                        "SELECT h FROM t ORDER BY 1 NULLS LAST, id"}) {
    INFO(q);
    QueryResult r = f.Run(q);
    REQUIRE(r.schema->field(0).type.id == TypeId::kFloat16);
    // The same order as the float32 column's; every value the bits written.
    QueryResult ref = f.Run("SELECT f, id FROM t ORDER BY f NULLS LAST, id");
    std::vector<std::pair<uint16_t, bool>> got, want;
    for (const auto& b : r.batches) {
      const ColumnViews views(b);
      for (int64_t i = 0; i < b.num_rows; ++i) got.push_back({views[0].Value<uint16_t>(i), views[0].IsNull(i)});
    }
    for (const auto& b : ref.batches) {
      const ColumnViews views(b);
      for (int64_t i = 0; i < b.num_rows; ++i) {
        const bool null = views[0].IsNull(i);
        const int64_t id = views[1].Value<int64_t>(i);
        want.push_back({null ? uint16_t(0) : FloatToHalf(*H(id)), null});
        if (!null) CHECK(views[0].Value<float>(i) == HalfToFloat(FloatToHalf(*H(id))));
      }
    }
    for (auto& g : got) {
      if (g.second) g.first = 0;
    }
    CHECK(got == want);
  }
  // Grouped as it is: the keys keep their type; -0.0 and 0.0 are one group.
  QueryResult g = f.Run("SELECT h, count(*) AS n FROM t GROUP BY h ORDER BY h NULLS LAST");
  REQUIRE(g.schema->field(0).type.id == TypeId::kFloat16);
  std::map<double, int64_t> counts;
  int64_t nulls = 0;
  for (int64_t i = 0; i < kRows; ++i) {
    if (auto v = H(i)) {
      ++counts[double(HalfToFloat(FloatToHalf(*v)))];
    } else {
      ++nulls;
    }
  }
  std::vector<std::string> want;
  for (const auto& [v, n] : counts) want.push_back(kernels::Scalar::Double(v).ToString() + "|" + std::to_string(n));
  want.push_back("NULL|" + std::to_string(nulls));
  CHECK(Rows(g) == want);
}

TEST_CASE("Interval columns sort by their length with a month as 30 days and a day as 24 hours", "[store]") {
  TempDir dir;
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"iv", DataType(TypeId::kIntervalMonthDayNano), true, {}},
      {"ym", DataType(TypeId::kIntervalYearMonth), true, {}},
  });
  // (months, days, nanos) per row, with ties under the rule ('1 month' =
  // '30 days' = '720 hours') and NULLs.
  struct Iv {
    int32_t months, days;
    int64_t nanos;
  };
  const std::vector<std::optional<Iv>> rows = {
      Iv{1, 0, 0},   Iv{0, 30, 0}, Iv{0, 0, 720LL * 3600 * 1000000000}, Iv{0, 1, 1}, std::nullopt,
      Iv{-2, 45, 0}, Iv{0, 0, -1}, Iv{12, -1, 5},                       Iv{0, 1, 0}, Iv{0, 0, 86400LL * 1000000000 + 1}};
  auto key = [](const Iv& v) {
    return __int128(v.months) * 30 * 86400000000000LL + __int128(v.days) * 86400000000000LL + v.nanos;
  };
  RecordBatchBuilder b(schema);
  for (size_t i = 0; i < rows.size(); ++i) {
    b.column(0).AppendInt(int64_t(i));
    if (rows[i]) {
      uint8_t bytes[16];
      std::memcpy(bytes, &rows[i]->months, 4);
      std::memcpy(bytes + 4, &rows[i]->days, 4);
      std::memcpy(bytes + 8, &rows[i]->nanos, 8);
      b.column(1).AppendBytes(bytes);
      const int32_t ym = rows[i]->months;
      b.column(2).AppendBytes(&ym);
    } else {
      b.column(1).AppendNull();
      b.column(2).AppendNull();
    }
  }
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  auto store = quiver::testing::StoreWithTable(dir.path() + "/iv.pool", "t", schema, {*batch});
  auto run = [&](const std::string& sql) {
    QueryResult r = quiver::testing::RunSql(*store, sql);
    std::vector<int64_t> ids;
    for (const auto& batch : r.batches) {
      const ColumnViews views(batch);
      for (int64_t i = 0; i < batch.num_rows; ++i) ids.push_back(views[0].Value<int64_t>(i));
    }
    return ids;
  };
  // By key, ties by id; NULLs last.
  std::vector<std::pair<__int128, int64_t>> order;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i]) order.push_back({key(*rows[i]), int64_t(i)});
  }
  std::sort(order.begin(), order.end());
  std::vector<int64_t> want;
  for (const auto& o : order) want.push_back(o.second);
  want.push_back(4);
  CHECK(run("SELECT id, iv FROM t ORDER BY iv NULLS LAST, id") == want);
  CHECK(run("SELECT id, iv AS x FROM t ORDER BY x NULLS LAST, id") == want);
  CHECK(run("SELECT id, iv FROM t ORDER BY 2 NULLS LAST, id") == want);
  // Year-month intervals by their months.
  std::vector<std::pair<int32_t, int64_t>> by_months;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i]) by_months.push_back({-rows[i]->months, int64_t(i)});
  }
  std::sort(by_months.begin(), by_months.end());
  std::vector<int64_t> want_ym;
  for (const auto& o : by_months) want_ym.push_back(o.second);
  want_ym.push_back(4);
  CHECK(run("SELECT id FROM t ORDER BY ym DESC NULLS LAST, id") == want_ym);
  // Comparisons: with INTERVAL literals (a month is 30 days) and with each other.
  const __int128 day = 86400000000000LL;
  auto ids_where = [&](auto pred) {
    std::vector<int64_t> ids;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i] && pred(*rows[i])) ids.push_back(int64_t(i));
    }
    return ids;
  };
  CHECK(run("SELECT id FROM t WHERE iv > INTERVAL '1 day' ORDER BY id") ==
        ids_where([&](const Iv& v) { return key(v) > day; }));
  CHECK(run("SELECT id FROM t WHERE iv = INTERVAL '720 hours' ORDER BY id") ==
        ids_where([&](const Iv& v) { return key(v) == 30 * day; }));
  CHECK(run("SELECT id FROM t WHERE iv BETWEEN INTERVAL '0 days' AND INTERVAL '1 month' ORDER BY id") ==
        ids_where([&](const Iv& v) { return key(v) >= 0 && key(v) <= 30 * day; }));
  CHECK(run("SELECT id FROM t WHERE ym < iv ORDER BY id") ==
        ids_where([&](const Iv& v) { return v.months * 30 * day < key(v); }));
}

TEST_CASE("decimal256 columns sort and compare by value", "[store]") {
  TempDir dir;
  const DataType type = DataType::Decimal(50, 5);  // past 38 digits: decimal256
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"d", type, true, {}},
  });
  // Values as text: both signs, a scale's worth of fractions, NULLs, and
  // the extremes of decimal256(50, 5), past what 128 bits hold.
  const std::string kMax = "999999999999999999999999999999999999999999999.99999";
  std::vector<std::optional<std::string>> values;
  for (int i = 0; i < 40; ++i) {
    if (i % 9 == 4) {
      values.push_back(std::nullopt);
    } else {
      const int64_t v = (i * 7919 % 2001 - 1000) * 1000 + i % 7;  // in 10^-5 units
      values.push_back((v < 0 ? "-" : "") + std::to_string(std::llabs(v) / 100000) + "." +
                       std::string(5 - std::to_string(std::llabs(v) % 100000).size(), '0') +
                       std::to_string(std::llabs(v) % 100000));
    }
  }
  values.push_back(kMax);
  values.push_back("-" + kMax);
  RecordBatchBuilder b(schema);
  for (size_t i = 0; i < values.size(); ++i) {
    b.column(0).AppendInt(int64_t(i));
    if (values[i]) {
      uint8_t le[32];
      REQUIRE(ParseDecimal256(*values[i], 50, 5, le).ok());
      b.column(1).AppendBytes(le);
    } else {
      b.column(1).AppendNull();
    }
  }
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  auto store = quiver::testing::StoreWithTable(dir.path() + "/d.pool", "t", schema, {*batch});
  auto ids = [&](const std::string& sql) {
    std::vector<int64_t> out;
    for (const auto& rb : quiver::testing::RunSql(*store, sql).batches) {
      const ColumnViews views(rb);
      for (int64_t i = 0; i < rb.num_rows; ++i) out.push_back(views[0].Value<int64_t>(i));
    }
    return out;
  };
  // The order: -max, then the small values by value (ties by id), then +max.
  auto rank = [&](size_t i) -> std::pair<int, double> {
    const std::string& v = *values[i];
    if (v == kMax) return {1, 0};
    if (v == "-" + kMax) return {-1, 0};
    return {0, std::stod(v)};  // 5 fractional digits of at most 7 digits: exact enough to order
  };
  std::vector<size_t> order;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return rank(x) < rank(y); });
  std::vector<int64_t> want(order.begin(), order.end());
  CHECK(ids("SELECT id FROM t WHERE d IS NOT NULL ORDER BY d, id") == want);
  std::vector<int64_t> positive;
  for (size_t i : order) {
    if (rank(i) > std::pair<int, double>{0, 1.5}) positive.push_back(int64_t(i));
  }
  std::sort(positive.begin(), positive.end());
  CHECK(ids("SELECT id FROM t WHERE d > 1.5 ORDER BY id") == positive);
  CHECK(ids("SELECT id FROM t WHERE d = d ORDER BY id").size() == order.size());
  CHECK(quiver::testing::SqlError(*store, "SELECT id FROM t WHERE d > 1.123456").message().find("cannot compare") !=
        std::string::npos);
  // min/max on the keys, turned back into decimal256 (type and digits kept).
  QueryResult mm = quiver::testing::RunSql(*store, "SELECT min(d), max(d) FROM t");
  REQUIRE(mm.schema->field(0).type == type);
  CHECK(quiver::testing::ResultRows(mm) == std::vector<std::string>{"-" + kMax + "|" + kMax});
  // Per group, and in HAVING: the small values only (ids below 40).
  std::map<int64_t, std::pair<size_t, size_t>> groups;  // id % 3 -> (argmin, argmax) by rank
  for (size_t i : order) {
    if (i >= 40) continue;
    auto [it, fresh] = groups.try_emplace(int64_t(i % 3), i, i);
    if (!fresh) it->second.second = i;  // `order` ascends: the last is the max
  }
  std::vector<std::string> want_groups;
  for (const auto& [g, mn] : groups) {
    if (std::stod(*values[mn.second]) > 0) want_groups.push_back(std::to_string(g) + "|" + *values[mn.first] + "|" + *values[mn.second]);
  }
  CHECK(quiver::testing::ResultRows(quiver::testing::RunSql(
            *store, "SELECT id % 3 AS g, min(d), max(d) FROM t WHERE id < 40 GROUP BY 1 HAVING max(d) > 0 ORDER BY 1")) ==
        want_groups);
}
