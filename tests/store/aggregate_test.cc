// The aggregates of issue 14 item 3 through the executor: COUNT(DISTINCT),
// approx_count_distinct, variance and standard deviation, median and
// quantiles, bool_and / bool_or, any_value, MIN/MAX of every type, and
// FILTER (WHERE ...), without and with GROUP BY, on one and many threads.
// Expected values are computed by hand on a small table and by a scalar
// reference on a larger one (split into many chunks).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "columnar/builder.h"
#include "kernels/kernels.h"
#include "store/exec.h"
#include "store/exec_internal.h"
#include "sql_test_util.h"
#include "test_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

constexpr int64_t kRows = 1000;

std::shared_ptr<const Schema> BigSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"g", DataType(TypeId::kInt32), false, {}},
      {"gname", DataType(TypeId::kUtf8), false, {}},
      {"x", DataType(TypeId::kFloat64), true, {}},
      {"n", DataType(TypeId::kInt64), true, {}},
      {"s", DataType(TypeId::kUtf8), true, {}},
      {"d", DataType::Dictionary(TypeId::kInt8), true, {}},
      {"b", DataType(TypeId::kBool), true, {}},
      {"day", DataType(TypeId::kDate32), true, {}},
      {"ts", DataType::Timestamp(TimeUnit::kMilli), true, {}},
  });
}

// Row i of table "t" (see BigSchema); nullopt = NULL.
std::optional<double> X(int64_t i) {
  if (i % 13 == 0) return std::nullopt;
  if (i % 101 == 5) return i % 2 ? -0.0 : 0.0;
  return double(i % 37) * 0.5;
}
std::optional<int64_t> N(int64_t i) {
  if (i % 19 == 0) return std::nullopt;
  return i % 17 - 8;
}
std::optional<std::string> S(int64_t i) {
  if (i % 7 == 0) return std::nullopt;
  return "s" + std::to_string(i % 23);
}
std::optional<std::string> D(int64_t i) {
  if (i % 11 == 0) return std::nullopt;
  return "d" + std::to_string(i % 5);
}
std::optional<bool> B(int64_t i) {
  if (i % 4 == 0) return std::nullopt;
  return i % 3 != 0 || i % 10 == 3;
}
int64_t Day(int64_t i) { return 15000 + i % 29; }
std::optional<int64_t> Ts(int64_t i) {
  if (i % 9 == 0) return std::nullopt;
  return 1000000000000 + (i % 31) * 1001;
}

RecordBatch MakeBig(int64_t start, int64_t n) {
  RecordBatchBuilder b(BigSchema());
  for (int64_t i = start; i < start + n; ++i) {
    b.column(0).AppendInt(i);
    b.column(1).AppendInt(i % 10);
    b.column(2).AppendString("g" + std::to_string(i % 10));
    if (auto v = X(i))
      b.column(3).AppendDouble(*v);
    else
      b.column(3).AppendNull();
    if (auto v = N(i))
      b.column(4).AppendInt(*v);
    else
      b.column(4).AppendNull();
    if (auto v = S(i))
      b.column(5).AppendString(*v);
    else
      b.column(5).AppendNull();
    if (auto v = D(i))
      b.column(6).AppendString(*v);
    else
      b.column(6).AppendNull();
    if (auto v = B(i))
      b.column(7).AppendBool(*v);
    else
      b.column(7).AppendNull();
    b.column(8).AppendInt(Day(i));
    if (auto v = Ts(i))
      b.column(9).AppendInt(*v);
    else
      b.column(9).AppendNull();
  }
  auto r = b.Finish();
  REQUIRE(r.ok());
  return std::move(r).value();
}

// Table "h": the hand-computed cases.
//   k   v     i     s     b      day  ts (us)
//   a   1     1     x     true   0    0
//   a   2     2     y     true   1    1000
//   a   3     3     x     false  2    2001
//   a   4     4     NULL  NULL   3    3000
//   b   NULL  NULL  NULL  NULL   NULL NULL
//   b   NULL  NULL  NULL  NULL   NULL NULL
//   c   5     10    z     true   7    9
RecordBatch MakeHand() {
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"k", DataType(TypeId::kUtf8), false, {}},
      {"v", DataType(TypeId::kFloat64), true, {}},
      {"i", DataType(TypeId::kInt64), true, {}},
      {"s", DataType(TypeId::kUtf8), true, {}},
      {"b", DataType(TypeId::kBool), true, {}},
      {"day", DataType(TypeId::kDate32), true, {}},
      {"ts", DataType::Timestamp(TimeUnit::kMicro), true, {}},
  });
  RecordBatchBuilder b(schema);
  struct Row {
    const char* k;
    std::optional<double> v;
    std::optional<int64_t> i;
    std::optional<std::string> s;
    std::optional<bool> b;
    std::optional<int64_t> day, ts;
  };
  const Row rows[] = {
      {"a", 1, 1, "x", true, 0, 0},
      {"a", 2, 2, "y", true, 1, 1000},
      {"a", 3, 3, "x", false, 2, 2001},
      {"a", 4, 4, std::nullopt, std::nullopt, 3, 3000},
      {"b", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {"b", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {"c", 5, 10, "z", true, 7, 9},
  };
  for (const Row& r : rows) {
    b.column(0).AppendString(r.k);
    if (r.v)
      b.column(1).AppendDouble(*r.v);
    else
      b.column(1).AppendNull();
    if (r.i)
      b.column(2).AppendInt(*r.i);
    else
      b.column(2).AppendNull();
    if (r.s)
      b.column(3).AppendString(*r.s);
    else
      b.column(3).AppendNull();
    if (r.b)
      b.column(4).AppendBool(*r.b);
    else
      b.column(4).AppendNull();
    if (r.day)
      b.column(5).AppendInt(*r.day);
    else
      b.column(5).AppendNull();
    if (r.ts)
      b.column(6).AppendInt(*r.ts);
    else
      b.column(6).AppendNull();
  }
  auto r = b.Finish();
  REQUIRE(r.ok());
  return std::move(r).value();
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store;

  Fixture() {
    StoreOptions o;
    o.max_chunk_rows = 100;
    auto s = Store::Create(dir.path() + "/agg.pool", 64ull << 20, o);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    store = std::move(s).value();
    WriteOptions w;
    w.create_schema = BigSchema();
    REQUIRE(store->Write("t", {MakeBig(0, kRows)}, w).ok());
    RecordBatch h = MakeHand();
    w.create_schema = h.schema;
    REQUIRE(store->Write("h", {h}, w).ok());
  }

  std::shared_ptr<const Snapshot> Snap() {
    auto s = store->GetSnapshot();
    REQUIRE(s.ok());
    return *s;
  }

  QueryResult Run(const std::string& sql, int threads = 0) {
    QueryOptions o;
    o.threads = threads;
    auto r = ExecuteSql(Snap(), sql, o);
    INFO(sql);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return std::move(r).value();
  }

  Status Fail(const std::string& sql) {
    auto r = ExecuteSql(Snap(), sql);
    INFO(sql);
    REQUIRE_FALSE(r.ok());
    return r.status();
  }

  // Runs `sql` with FILTER conditions (SQL WHERE text, one per output, ""
  // for none) set on the bound outputs: the parser cannot spell FILTER yet.
  QueryResult RunFiltered(const std::string& sql, const std::vector<std::string>& filters,
                          int threads = 0) {
    auto q = query::ParseSql(sql);
    REQUIRE(q.ok());
    auto snap = Snap();
    auto table = snap->table(q->table);
    REQUIRE(table.ok());
    const Schema& schema = *(*table)->schema();
    auto bound = query::Bind(*q, schema);
    REQUIRE(bound.ok());
    REQUIRE(filters.size() == bound->outputs.size());
    for (size_t i = 0; i < filters.size(); ++i) {
      if (filters[i].empty()) continue;
      auto e = query::ParseFilter(filters[i]);
      REQUIRE(e.ok());
      auto b = query::BindFilter(**e, schema, q->table);
      REQUIRE(b.ok());
      bound->outputs[i].filter = *b;
    }
    QueryOptions o;
    o.threads = threads;
    auto cursor = store::internal::OpenBound(snap, *bound, o);
    INFO(sql);
    INFO(cursor.status().ToString());
    REQUIRE(cursor.ok());
    QueryResult r;
    r.schema = (*cursor)->schema();
    for (;;) {
      auto b = (*cursor)->Next();
      REQUIRE(b.ok());
      if (!*b) break;
      r.num_rows += (*b)->num_rows;
      r.batches.push_back(std::move(**b));
    }
    return r;
  }
};

std::vector<std::string> Rows(const QueryResult& r) { return quiver::testing::ResultRows(r); }

// The cell values of a result, row by row.
std::vector<std::vector<kernels::Scalar>> Cells(const QueryResult& r) {
  std::vector<std::vector<kernels::Scalar>> out;
  for (const auto& b : r.batches) {
    const ColumnViews views(b);
    for (int64_t i = 0; i < b.num_rows; ++i) {
      std::vector<kernels::Scalar> row;
      for (size_t c = 0; c < views.size(); ++c) row.push_back(kernels::ValueAt(views[c], i));
      out.push_back(std::move(row));
    }
  }
  return out;
}

std::string Num(double v) { return kernels::Scalar::Double(v).ToString(); }

bool Close(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
}

// Equal values, doubles within a relative 1e-9 (variance may differ in the
// last bits with the split of rows between workers).
bool SameCells(const std::vector<std::vector<kernels::Scalar>>& a,
               const std::vector<std::vector<kernels::Scalar>>& b) {
  if (a.size() != b.size()) return false;
  for (size_t r = 0; r < a.size(); ++r) {
    if (a[r].size() != b[r].size()) return false;
    for (size_t c = 0; c < a[r].size(); ++c) {
      const auto& x = a[r][c];
      const auto& y = b[r][c];
      if (x.kind() == kernels::Scalar::Kind::kDouble && y.kind() == x.kind()) {
        if (!Close(x.double_value(), y.double_value())) return false;
      } else if (!(x == y)) {
        return false;
      }
    }
  }
  return true;
}

// A scalar reference over the rows of "t" that pass `keep`.
struct Reference {
  std::vector<double> xs;
  std::vector<int64_t> ns;
  std::set<std::string> distinct_s, distinct_d;
  std::set<double> distinct_x;  // -0.0 and 0.0 are one value here
  int bools = 0, trues = 0;
  std::vector<std::string> ss;

  template <typename Keep>
  explicit Reference(Keep keep) {
    for (int64_t i = 0; i < kRows; ++i) {
      if (!keep(i)) continue;
      if (auto v = X(i)) {
        xs.push_back(*v);
        distinct_x.insert(*v);
      }
      if (auto v = N(i)) ns.push_back(*v);
      if (auto v = S(i)) {
        distinct_s.insert(*v);
        ss.push_back(*v);
      }
      if (auto v = D(i)) distinct_d.insert(*v);
      if (auto v = B(i)) {
        ++bools;
        trues += *v;
      }
    }
  }
  static std::optional<double> Var(std::vector<double> v, bool sample) {
    if (v.empty() || (sample && v.size() < 2)) return std::nullopt;
    double mean = 0;
    for (double x : v) mean += x;
    mean /= double(v.size());
    double m2 = 0;
    for (double x : v) m2 += (x - mean) * (x - mean);
    return m2 / double(sample ? v.size() - 1 : v.size());
  }
  static std::optional<double> Cont(std::vector<double> v, double q) {
    if (v.empty()) return std::nullopt;
    std::sort(v.begin(), v.end());
    const double rn = double(v.size() - 1) * q;
    const size_t lo = size_t(std::floor(rn)), hi = size_t(std::ceil(rn));
    return v[lo] + (rn - double(lo)) * (v[hi] - v[lo]);
  }
  template <typename T>
  static std::optional<T> Disc(std::vector<T> v, double q) {
    if (v.empty()) return std::nullopt;
    std::sort(v.begin(), v.end());
    size_t idx = size_t(std::ceil(double(v.size()) * q));
    return v[std::max<size_t>(idx, 1) - 1];
  }
  std::vector<double> NsAsDouble() const { return std::vector<double>(ns.begin(), ns.end()); }
};

void CheckDouble(const kernels::Scalar& got, std::optional<double> want, const char* what) {
  INFO(what << ": got " << got.ToString());
  if (!want) {
    CHECK(got.is_null());
    return;
  }
  REQUIRE(got.kind() == kernels::Scalar::Kind::kDouble);
  CHECK(Close(got.double_value(), *want));
}

const char* kAllAggs =
    "count(DISTINCT x), count(DISTINCT n), count(DISTINCT s), count(DISTINCT d), "
    "approx_count_distinct(s), approx_count_distinct(x), "
    "var_samp(x), var_pop(x), stddev_samp(n), stddev_pop(n), "
    "median(x), quantile_cont(n, 0.3), quantile_disc(n, 0.3), quantile_disc(s, 0.7), "
    "bool_and(b), bool_or(b)";

// Compares one row of kAllAggs (from column `at` on) with the reference.
void CheckAllAggs(const std::vector<kernels::Scalar>& row, size_t at, const Reference& ref) {
  using kernels::Scalar;
  CHECK(row[at + 0] == Scalar::Int64(int64_t(ref.distinct_x.size())));
  CHECK(row[at + 1] ==
        Scalar::Int64(int64_t(std::set<int64_t>(ref.ns.begin(), ref.ns.end()).size())));
  CHECK(row[at + 2] == Scalar::Int64(int64_t(ref.distinct_s.size())));
  CHECK(row[at + 3] == Scalar::Int64(int64_t(ref.distinct_d.size())));
  // Small sets are held exactly before HyperLogLog takes over.
  CHECK(row[at + 4] == Scalar::Int64(int64_t(ref.distinct_s.size())));
  CHECK(row[at + 5] == Scalar::Int64(int64_t(ref.distinct_x.size())));
  CheckDouble(row[at + 6], Reference::Var(ref.xs, true), "var_samp(x)");
  CheckDouble(row[at + 7], Reference::Var(ref.xs, false), "var_pop(x)");
  auto sd = [](std::optional<double> v) { return v ? std::optional<double>(std::sqrt(*v)) : v; };
  CheckDouble(row[at + 8], sd(Reference::Var(ref.NsAsDouble(), true)), "stddev_samp(n)");
  CheckDouble(row[at + 9], sd(Reference::Var(ref.NsAsDouble(), false)), "stddev_pop(n)");
  CheckDouble(row[at + 10], Reference::Cont(ref.xs, 0.5), "median(x)");
  CheckDouble(row[at + 11], Reference::Cont(ref.NsAsDouble(), 0.3), "quantile_cont(n, 0.3)");
  auto disc_n = Reference::Disc(ref.ns, 0.3);
  CHECK(row[at + 12] == (disc_n ? Scalar::Int64(*disc_n) : Scalar::Null()));
  auto disc_s = Reference::Disc(ref.ss, 0.7);
  CHECK(row[at + 13] == (disc_s ? Scalar::String(*disc_s) : Scalar::Null()));
  CHECK(row[at + 14] == (ref.bools ? Scalar::Bool(ref.trues == ref.bools) : Scalar::Null()));
  CHECK(row[at + 15] == (ref.bools ? Scalar::Bool(ref.trues > 0) : Scalar::Null()));
}

}  // namespace

TEST_CASE("New aggregates match hand-computed values per group, NULL groups included", "[store]") {
  Fixture f;
  QueryResult r = f.Run(
      "SELECT k, var_samp(v), var_pop(v), stddev_samp(v), stddev_pop(v), median(v), "
      "quantile_cont(v, 0.25), quantile_disc(v, 0.25), quantile_disc(v, 0.5), "
      "quantile_disc(v, 0.6), median(i), count(DISTINCT s), approx_count_distinct(s), "
      "bool_and(b), bool_or(b), median(s) FROM h GROUP BY k ORDER BY k");
  const double m2 = 2.25 + 0.25 + 0.25 + 2.25;
  CHECK(Rows(r) ==
        std::vector<std::string>{
            "'a'|" + Num(m2 / 3) + "|" + Num(m2 / 4) + "|" + Num(std::sqrt(m2 / 3)) + "|" +
                Num(std::sqrt(m2 / 4)) + "|" + Num(2.5) + "|" + Num(1.75) + "|" + Num(1) + "|" +
                Num(2) + "|" + Num(3) + "|" + Num(2.5) + "|2|2|false|true|'x'",
            "'b'|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|0|0|NULL|NULL|NULL",
            "'c'|NULL|" + Num(0) + "|NULL|" + Num(0) + "|" + Num(5) + "|" + Num(5) + "|" + Num(5) +
                "|" + Num(5) + "|" + Num(5) + "|" + Num(10) + "|1|1|true|true|'z'"});
  REQUIRE(r.schema->num_fields() == 16);
  CHECK(r.schema->field(1).name == "var_samp(v)");
  CHECK(r.schema->field(6).name == "quantile_cont(v, 0.25)");
  CHECK(r.schema->field(11).name == "count(DISTINCT s)");
  CHECK(r.schema->field(1).type == DataType(TypeId::kFloat64));
  CHECK(r.schema->field(10).type == DataType(TypeId::kFloat64));  // median of int64
  CHECK(r.schema->field(11).type == DataType(TypeId::kInt64));
  CHECK(r.schema->field(13).type == DataType(TypeId::kBool));
  CHECK(r.schema->field(15).type == DataType(TypeId::kUtf8));
}

TEST_CASE("Quantiles of dates and timestamps interpolate as DuckDB does", "[store]") {
  Fixture f;
  QueryResult r = f.Run(
      "SELECT median(day), quantile_disc(day, 0.5), median(ts), quantile_cont(ts, 0.9), "
      "min(day), max(ts) FROM h WHERE k = 'a'");
  // Days 0..3: the median is day 1.5, a timestamp[us]; timestamps 0, 1000,
  // 2001, 3000 us: the median 1500.5 rounds to 1501.
  using kernels::Scalar;
  CHECK(Rows(r) ==
        std::vector<std::string>{
            Scalar::Timestamp(int64_t(1.5 * 86400e6), TimeUnit::kMicro).ToString() + "|" +
            Scalar::Date32(1).ToString() + "|" +
            Scalar::Timestamp(1501, TimeUnit::kMicro).ToString() + "|" +
            Scalar::Timestamp(2001 + std::llround(0.7 * 999), TimeUnit::kMicro).ToString() + "|" +
            Scalar::Date32(0).ToString() + "|" +
            Scalar::Timestamp(3000, TimeUnit::kMicro).ToString()});
  CHECK(r.schema->field(0).type == DataType::Timestamp(TimeUnit::kMicro));
  CHECK(r.schema->field(1).type == DataType(TypeId::kDate32));
  CHECK(r.schema->field(2).type == DataType::Timestamp(TimeUnit::kMicro));
}

TEST_CASE("Ungrouped new aggregates match a scalar reference, with and without WHERE", "[store]") {
  Fixture f;
  for (int threads : {1, 2, 4}) {
    QueryResult r = f.Run(std::string("SELECT ") + kAllAggs + " FROM t", threads);
    auto cells = Cells(r);
    REQUIRE(cells.size() == 1);
    CheckAllAggs(cells[0], 0, Reference([](int64_t) { return true; }));

    r = f.Run(std::string("SELECT ") + kAllAggs + " FROM t WHERE id >= 250 AND id < 777", threads);
    cells = Cells(r);
    REQUIRE(cells.size() == 1);
    CheckAllAggs(cells[0], 0, Reference([](int64_t i) { return i >= 250 && i < 777; }));
  }
}

TEST_CASE("An aggregate over no rows gives 0 for distinct counts and NULL otherwise", "[store]") {
  Fixture f;
  QueryResult r = f.Run(std::string("SELECT ") + kAllAggs + ", any_value(s) FROM t WHERE id < 0");
  std::string want = "0|0|0|0|0|0";
  for (int i = 0; i < 11; ++i) want += "|NULL";
  CHECK(Rows(r) == std::vector<std::string>{want});
  r = f.Run("SELECT g, count(DISTINCT s), median(x) FROM t WHERE id < 0 GROUP BY g");
  CHECK(r.num_rows == 0);
}

TEST_CASE("Grouped new aggregates match a scalar reference on 1, 2 and 4 threads", "[store]") {
  Fixture f;
  const std::string sql =
      std::string("SELECT g, ") + kAllAggs + ", any_value(gname) FROM t GROUP BY g ORDER BY g";
  std::vector<std::vector<kernels::Scalar>> first;
  for (int threads : {1, 2, 4}) {
    auto cells = Cells(f.Run(sql, threads));
    REQUIRE(cells.size() == 10);
    for (int64_t g = 0; g < 10; ++g) {
      INFO("group " << g << ", " << threads << " threads");
      CHECK(cells[size_t(g)][0] == kernels::Scalar::Int64(g));
      CheckAllAggs(cells[size_t(g)], 1, Reference([g](int64_t i) { return i % 10 == g; }));
      CHECK(cells[size_t(g)][17] == kernels::Scalar::String("g" + std::to_string(g)));
    }
    if (first.empty()) first = cells;
    CHECK(SameCells(cells, first));
  }
  // A dictionary key and a string key give the same groups.
  auto by_d =
      Cells(f.Run("SELECT d, count(DISTINCT s), median(n) FROM t GROUP BY d ORDER BY d", 2));
  REQUIRE(by_d.size() == 6);  // d0..d4 and NULL
  for (size_t k = 0; k < 5; ++k) {
    Reference ref([k](int64_t i) { return D(i) && *D(i) == "d" + std::to_string(k); });
    CHECK(by_d[k][1] == kernels::Scalar::Int64(int64_t(ref.distinct_s.size())));
    CheckDouble(by_d[k][2], Reference::Cont(ref.NsAsDouble(), 0.5), "median(n)");
  }
}

TEST_CASE("MIN and MAX cover strings, dictionaries, bools, dates and timestamps", "[store]") {
  Fixture f;
  for (const char* group : {"", " GROUP BY g ORDER BY g"}) {
    const std::string sql = std::string("SELECT ") + (group[0] ? "g, " : "") +
                            "min(s), max(s), min(d), max(d), min(b), max(b), min(day), max(day), "
                            "min(ts), max(ts) FROM t" +
                            group;
    auto cells = Cells(f.Run(sql, 3));
    REQUIRE(cells.size() == (group[0] ? 10u : 1u));
    for (size_t row = 0; row < cells.size(); ++row) {
      auto keep = [&](int64_t i) { return !group[0] || i % 10 == int64_t(row); };
      std::optional<std::string> smin, smax, dmin, dmax;
      std::optional<bool> bmin, bmax;
      int64_t daymin = INT64_MAX, daymax = INT64_MIN, tsmin = INT64_MAX, tsmax = INT64_MIN;
      for (int64_t i = 0; i < kRows; ++i) {
        if (!keep(i)) continue;
        if (auto v = S(i)) {
          smin = smin ? std::min(*smin, *v) : *v;
          smax = smax ? std::max(*smax, *v) : *v;
        }
        if (auto v = D(i)) {
          dmin = dmin ? std::min(*dmin, *v) : *v;
          dmax = dmax ? std::max(*dmax, *v) : *v;
        }
        if (auto v = B(i)) {
          bmin = bmin ? (*bmin && *v) : *v;
          bmax = bmax ? (*bmax || *v) : *v;
        }
        daymin = std::min(daymin, Day(i));
        daymax = std::max(daymax, Day(i));
        if (auto v = Ts(i)) {
          tsmin = std::min(tsmin, *v);
          tsmax = std::max(tsmax, *v);
        }
      }
      using kernels::Scalar;
      const auto& c = cells[row];
      const size_t at = group[0] ? 1 : 0;
      CHECK(c[at + 0] == Scalar::String(*smin));
      CHECK(c[at + 1] == Scalar::String(*smax));
      CHECK(c[at + 2] == Scalar::String(*dmin));
      CHECK(c[at + 3] == Scalar::String(*dmax));
      CHECK(c[at + 4] == Scalar::Bool(*bmin));
      CHECK(c[at + 5] == Scalar::Bool(*bmax));
      CHECK(c[at + 6] == Scalar::Date32(int32_t(daymin)));
      CHECK(c[at + 7] == Scalar::Date32(int32_t(daymax)));
      CHECK(c[at + 8] == Scalar::Timestamp(tsmin, TimeUnit::kMilli));
      CHECK(c[at + 9] == Scalar::Timestamp(tsmax, TimeUnit::kMilli));
    }
  }
}

TEST_CASE("FILTER (WHERE ...) folds only the rows where it is TRUE, within WHERE", "[store]") {
  Fixture f;
  // Ungrouped: COUNT(*), an AggState aggregate and grouped ones, two
  // filters and an unfiltered output in one query.
  for (int threads : {1, 2, 4}) {
    QueryResult r = f.RunFiltered(
        "SELECT count(*) AS c0, count(*) AS c1, sum(n), count(DISTINCT s), median(x), bool_or(b), "
        "max(s) "
        "FROM t WHERE id < 800",
        {"", "n > 0", "n > 0", "b", "s IS NULL", "n < -100", "x > 10"}, threads);
    auto cells = Cells(r);
    REQUIRE(cells.size() == 1);
    int64_t where_rows = 0, pos = 0, sum = 0;
    std::set<std::string> s_when_b;
    std::vector<double> x_when_s_null;
    std::optional<std::string> max_s;
    for (int64_t i = 0; i < 800; ++i) {
      ++where_rows;
      if (N(i) && *N(i) > 0) {
        ++pos;
        sum += *N(i);
      }
      if (B(i) && *B(i) && S(i)) s_when_b.insert(*S(i));
      if (!S(i) && X(i)) x_when_s_null.push_back(*X(i));
      if (X(i) && *X(i) > 10 && S(i)) max_s = max_s ? std::max(*max_s, *S(i)) : *S(i);
    }
    using kernels::Scalar;
    CHECK(cells[0][0] == Scalar::Int64(where_rows));
    CHECK(cells[0][1] == Scalar::Int64(pos));
    CHECK(cells[0][2] == Scalar::Int64(sum));
    CHECK(cells[0][3] == Scalar::Int64(int64_t(s_when_b.size())));
    CheckDouble(cells[0][4], Reference::Cont(x_when_s_null, 0.5), "median(x) FILTER");
    CHECK(cells[0][5].is_null());  // no row passes its filter
    CHECK(cells[0][6] == Scalar::String(*max_s));
  }
  // Grouped: a group whose filter keeps no row still appears, with 0 / NULL.
  for (int threads : {1, 4}) {
    QueryResult r = f.RunFiltered(
        "SELECT g, count(*) AS c0, count(*) AS c1, avg(x), count(DISTINCT s), var_pop(x) FROM t "
        "GROUP BY g ORDER BY g",
        {"", "", "id < 500", "g < 5", "g >= 5", "x > 5"}, threads);
    auto cells = Cells(r);
    REQUIRE(cells.size() == 10);
    for (int64_t g = 0; g < 10; ++g) {
      INFO("group " << g);
      const auto& c = cells[size_t(g)];
      using kernels::Scalar;
      CHECK(c[1] == Scalar::Int64(kRows / 10));
      CHECK(c[2] == Scalar::Int64(50));
      Reference all([g](int64_t i) { return i % 10 == g; });
      if (g < 5) {
        double s = 0;
        for (double x : all.xs) s += x;
        CheckDouble(c[3], s / double(all.xs.size()), "avg(x) FILTER (g < 5)");
        CHECK(c[4] == Scalar::Int64(0));
      } else {
        CHECK(c[3].is_null());
        CHECK(c[4] == Scalar::Int64(int64_t(all.distinct_s.size())));
      }
      Reference big([g](int64_t i) { return i % 10 == g && X(i) && *X(i) > 5; });
      CheckDouble(c[5], Reference::Var(big.xs, false), "var_pop(x) FILTER (x > 5)");
    }
  }
}

TEST_CASE("COUNT(DISTINCT) treats -0.0 as 0.0 and NaN as one value", "[store]") {
  TempDir dir;
  auto s = Store::Create(dir.path() + "/nan.pool", 16ull << 20);
  REQUIRE(s.ok());
  auto schema =
      std::make_shared<Schema>(std::vector<Field>{{"v", DataType(TypeId::kFloat64), true, {}}});
  RecordBatchBuilder b(schema);
  for (double v : {0.0, -0.0, std::nan(""), -std::nan(""), 1.0, 1.0}) b.column(0).AppendDouble(v);
  b.column(0).AppendNull();
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  WriteOptions w;
  w.create_schema = schema;
  REQUIRE((*s)->Write("f", {*batch}, w).ok());
  auto snap = (*s)->GetSnapshot();
  REQUIRE(snap.ok());
  auto r = ExecuteSql(*snap,
                      "SELECT count(DISTINCT v), approx_count_distinct(v), quantile_disc(v, 1), "
                      "min(v), max(v) FROM f");
  REQUIRE(r.ok());
  CHECK(Rows(*r) == std::vector<std::string>{"3|3|" + Num(std::nan("")) + "|" + Num(0) + "|" +
                                             Num(std::nan(""))});
}

TEST_CASE("GROUP BY with 100k distinct keys gives the same answer on 2 and 4 threads", "[store]") {
  TempDir dir;
  StoreOptions o;
  o.max_chunk_rows = 16384;
  auto s = Store::Create(dir.path() + "/many.pool", 128ull << 20, o);
  REQUIRE(s.ok());
  constexpr int64_t kKeys = 100000;
  auto schema =
      std::make_shared<Schema>(std::vector<Field>{{"k", DataType(TypeId::kInt64), false, {}},
                                                  {"v", DataType(TypeId::kInt64), false, {}},
                                                  {"w", DataType(TypeId::kUtf8), false, {}}});
  RecordBatchBuilder b(schema);
  for (int64_t i = 0; i < 3 * kKeys; ++i) {
    b.column(0).AppendInt((i * 7919) % kKeys);
    b.column(1).AppendInt(i);
    b.column(2).AppendString("w" + std::to_string(i % 3));
  }
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  WriteOptions w;
  w.create_schema = schema;
  REQUIRE((*s)->Write("m", {*batch}, w).ok());
  auto snap = (*s)->GetSnapshot();
  REQUIRE(snap.ok());
  const std::string sql =
      "SELECT k, count(DISTINCT v), count(DISTINCT w), approx_count_distinct(v), median(v), "
      "quantile_disc(v, 0.9), var_pop(v) FROM m GROUP BY k ORDER BY k";
  std::vector<std::vector<kernels::Scalar>> runs[2];
  int at = 0;
  for (int threads : {2, 4}) {
    QueryOptions qo;
    qo.threads = threads;
    auto r = ExecuteSql(*snap, sql, qo);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    runs[at++] = Cells(*r);
  }
  REQUIRE(runs[0].size() == size_t(kKeys));
  CHECK(SameCells(runs[0], runs[1]));
  // Key k holds the three rows i with i * 7919 = k (mod kKeys): one per
  // block of kKeys rows, so v = j, j + kKeys, j + 2 kKeys for some j.
  for (int64_t k : {int64_t(0), int64_t(1), int64_t(54321), kKeys - 1}) {
    const auto& row = runs[0][size_t(k)];
    CHECK(row[0] == kernels::Scalar::Int64(k));
    CHECK(row[1] == kernels::Scalar::Int64(3));
    CHECK(row[2] == kernels::Scalar::Int64(3));  // i, i + kKeys, i + 2 kKeys differ mod 3
    CHECK(row[3] == kernels::Scalar::Int64(3));
    REQUIRE(row[4].kind() == kernels::Scalar::Kind::kDouble);
    const int64_t j = int64_t(row[4].double_value()) - kKeys;  // the middle value
    CHECK((j * 7919) % kKeys == k);
    CHECK(row[5] == kernels::Scalar::Int64(j + 2 * kKeys));
    CheckDouble(row[6], 2.0 * double(kKeys) * double(kKeys) / 3.0, "var_pop(v)");
  }
}

TEST_CASE("The binder checks the new aggregates' types and quantile fractions", "[store]") {
  Fixture f;
  Status st = f.Fail("SELECT quantile_cont(x, 1.5) FROM t");
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message() == "QUANTILE_CONT: the quantile must be between 0 and 1, got 1.5");
  CHECK(f.Fail("SELECT quantile_disc(x, -0.25) FROM t").code() == StatusCode::kInvalidArgument);
  st = f.Fail("SELECT stddev(s) FROM t");
  CHECK(st.code() == StatusCode::kTypeError);
  CHECK(st.message() ==
        "STDDEV_SAMP is not defined for utf8 column \"s\"; it needs a numeric column");
  CHECK(f.Fail("SELECT bool_and(x) FROM t").code() == StatusCode::kTypeError);
  CHECK(f.Fail("SELECT quantile_cont(s, 0.5) FROM t").code() == StatusCode::kTypeError);
  CHECK(f.Fail("SELECT var_pop(day) FROM t").code() == StatusCode::kTypeError);
  // Edge fractions are fine.
  CHECK(Rows(f.Run("SELECT quantile_disc(id, 0), quantile_disc(id, 1), quantile_cont(id, 1) "
                   "FROM t")) == std::vector<std::string>{"0|999|" + Num(999)});
}

TEST_CASE("The new aggregates read back from SQL and JSON text", "[store]") {
  const char* sql =
      "SELECT COUNT(DISTINCT a), QUANTILE_CONT(b, 0.25), QUANTILE_DISC(b, 1.0), MEDIAN(c), "
      "STDDEV_SAMP(c), VAR_POP(c), APPROX_COUNT_DISTINCT(a), BOOL_AND(d), ANY_VALUE(a) FROM t";
  auto q = query::ParseSql(sql);
  REQUIRE(q.ok());
  CHECK(q->select[0].agg == query::AggFunc::kCountDistinct);
  CHECK(q->select[1].param == 0.25);
  CHECK(q->select[2].param == 1);
  CHECK(query::ToSql(*q) == sql);
  auto back = query::ParseJsonQuery(query::ToJson(*q));
  REQUIRE(back.ok());
  CHECK(*back == *q);
  auto aliases = query::ParseSql("SELECT stddev(a), variance(a) FROM t");
  REQUIRE(aliases.ok());
  CHECK(aliases->select[0].agg == query::AggFunc::kStddevSamp);
  CHECK(aliases->select[1].agg == query::AggFunc::kVarSamp);
  auto j = query::ParseJsonQuery(
      R"({"table": "t", "select": [{"agg": "quantile_disc", "col": "a", "q": 0.75}]})");
  REQUIRE(j.ok());
  CHECK(j->select[0].param == 0.75);
  CHECK_FALSE(query::ParseJsonQuery(
                  R"({"table": "t", "select": [{"agg": "median", "col": "a", "q": 0.1}]})")
                  .ok());
  CHECK_FALSE(
      query::ParseJsonQuery(R"({"table": "t", "select": [{"agg": "quantile_cont", "col": "a"}]})")
          .ok());
  CHECK_FALSE(query::ParseSql("SELECT quantile_cont(a) FROM t").ok());
  CHECK_FALSE(query::ParseSql("SELECT count(DISTINCT *) FROM t").ok());
}

TEST_CASE("MIN and MAX of whole integer, date and timestamp columns come from chunk statistics",
          "[store]") {
  // Many chunks (100 rows each), NULLs, int64 and uint64 extremes, a chunk
  // whose column is all NULL, and an append after the first write.
  TempDir dir;
  StoreOptions o;
  o.max_chunk_rows = 100;
  auto s = Store::Create(dir.path() + "/stats.pool", 32ull << 20, o);
  REQUIRE(s.ok());
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"i", DataType(TypeId::kInt64), true, {}},
      {"u", DataType(TypeId::kUInt64), true, {}},
      {"day", DataType(TypeId::kDate32), true, {}},
      {"ts", DataType::Timestamp(TimeUnit::kMicro), true, {}},
      {"k", DataType(TypeId::kInt8), true, {}}});
  auto batch = [&](int64_t from, int64_t n) {
    RecordBatchBuilder b(schema);
    for (int64_t r = from; r < from + n; ++r) {
      if (r % 7 == 0) {
        b.column(0).AppendNull();
      } else {
        b.column(0).AppendInt(r == 250 ? INT64_MIN : r == 333 ? INT64_MAX : r * 37 % 1000 - 500);
      }
      b.column(1).AppendUInt(r == 420 ? UINT64_MAX : uint64_t(r) * 3);
      if (r >= 100 && r < 200) {  // the second chunk: all NULL
        b.column(2).AppendNull();
      } else {
        b.column(2).AppendInt(19000 + r % 400);
      }
      b.column(3).AppendInt(int64_t(1'700'000'000'000'000) + r * 1'000'003 % 999'999'937);
      r % 5 ? b.column(4).AppendInt(int64_t(r % 200) - 100) : b.column(4).AppendNull();
    }
    auto out = b.Finish();
    REQUIRE(out.ok());
    return std::move(out).value();
  };
  WriteOptions w;
  w.create_schema = schema;
  REQUIRE((*s)->Write("t", {batch(0, 500)}, w).ok());
  WriteOptions a;
  REQUIRE((*s)->Write("t", {batch(500, 130)}, a).ok());
  auto snap = (*s)->GetSnapshot();
  REQUIRE(snap.ok());
  const std::string cols =
      "min(i), max(i), min(u), max(u), min(day), max(day), min(ts), max(ts), min(k), max(k), "
      "count(*) FROM t";
  auto stats = ExecuteSql(*snap, "SELECT " + cols);
  // The same over a WHERE every row passes: read from the chunks.
  auto scanned = ExecuteSql(*snap, "SELECT " + cols + " WHERE u >= 0");
  REQUIRE(stats.ok());
  REQUIRE(scanned.ok());
  CHECK(Rows(*stats) == Rows(*scanned));
  CHECK(stats->stats.chunks_scanned == 0);
  CHECK(scanned->stats.chunks_scanned > 5);
  CHECK(Rows(*stats)[0].rfind(std::to_string(INT64_MIN) + "|" + std::to_string(INT64_MAX) + "|0|" +
                                  std::to_string(UINT64_MAX) + "|",
                              0) == 0);
  // A COUNT(DISTINCT) beside them: the chunks are read.
  auto mixed = ExecuteSql(*snap, "SELECT min(i), max(i), count(DISTINCT k) FROM t");
  REQUIRE(mixed.ok());
  CHECK(mixed->stats.chunks_scanned > 5);
}
