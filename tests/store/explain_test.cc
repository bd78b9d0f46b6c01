// EXPLAIN ANALYZE's operator tree (store/explain_internal.h): rows per
// operator equal the counts the fixture's data gives, scans read bytes,
// times are non-negative and a stage's time covers the stages it reads;
// EXPLAIN (FORMAT JSON) without ANALYZE has the same shape and no figures.
#include <catch2/catch.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "columnar/builder.h"
#include "kernels/kernels.h"
#include "store/exec.h"
#include "store/query.h"
#include "test_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;
using json = nlohmann::json;

namespace {

constexpr int64_t kRows = 600;
constexpr int64_t kChunkRows = 64;

// id 0..599 (sorted); k = id % 7, NULL when id % 25 == 0; x = id * 3 % 101 - 50.
std::optional<int64_t> K(int64_t i) { return i % 25 == 0 ? std::nullopt : std::optional(i % 7); }
int64_t X(int64_t i) { return i * 3 % 101 - 50; }

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store;

  Fixture() {
    StoreOptions o;
    o.max_chunk_rows = kChunkRows;
    auto s = Store::Create(dir.path() + "/explain.pool", 64ull << 20, o);
    REQUIRE(s.ok());
    store = std::move(s).value();
    auto schema = std::make_shared<Schema>(std::vector<Field>{
        {"id", DataType(TypeId::kInt64), false, {}},
        {"k", DataType(TypeId::kInt32), true, {}},
        {"x", DataType(TypeId::kInt64), false, {}},
    });
    RecordBatchBuilder b(schema);
    for (int64_t i = 0; i < kRows; ++i) {
      b.column(0).AppendInt(i);
      if (auto k = K(i)) b.column(1).AppendInt(*k); else b.column(1).AppendNull();
      b.column(2).AppendInt(X(i));
    }
    auto batch = b.Finish();
    REQUIRE(batch.ok());
    WriteOptions w;
    w.create_schema = schema;
    REQUIRE(store->Write("t", {*batch}, w).ok());
  }

  // The plan of EXPLAIN ... (FORMAT JSON) `sql`, parsed.
  json Plan(const std::string& sql, int threads = 2) {
    auto snap = store->GetSnapshot();
    REQUIRE(snap.ok());
    QueryOptions o;
    o.threads = threads;
    auto r = ExecuteSql(*snap, sql, o);
    INFO(sql << ": " << r.status().ToString());
    REQUIRE(r.ok());
    REQUIRE(r->num_rows == 1);
    const ColumnViews v(r->batches.at(0));
    return json::parse(kernels::ValueAt(v[0], 0).string_value());
  }
};

// Every node of the tree, depth first.
void Walk(const json& n, const std::function<void(const json&, const json*)>& fn,
          const json* parent = nullptr) {
  fn(n, parent);
  for (const auto& c : n["children"]) Walk(c, fn, &n);
}

const json* FindOp(const json& root, const std::string& op) {
  const json* found = nullptr;
  Walk(root, [&](const json& n, const json*) {
    if (!found && n["op"] == op) found = &n;
  });
  return found;
}

// Times non-negative; a node with a wall time covers its descendants' wall
// times (the scan, filter and compute run inside their stage).
void CheckTimes(const json& root) {
  Walk(root, [](const json& n, const json*) {
    for (const char* k : {"time_ms", "cpu_ms"}) {
      if (!n[k].is_null()) CHECK(n[k].get<double>() >= 0);
    }
  });
  std::function<double(const json&)> check = [&](const json& n) -> double {
    double below = 0;
    for (const auto& c : n["children"]) below = std::max(below, check(c));
    if (n["time_ms"].is_null()) return below;
    INFO(n.dump());
    CHECK(n["time_ms"].get<double>() + 1e-6 >= below);
    return n["time_ms"].get<double>();
  };
  check(root);
}

}  // namespace

TEST_CASE("EXPLAIN ANALYZE counts the rows each operator hands on, and the bytes scans read",
          "[store]") {
  Fixture f;
  int64_t matching = 0;
  std::set<std::optional<int64_t>> groups;
  for (int64_t i = 100; i < kRows; ++i) {
    ++matching;
    groups.insert(K(i));
  }
  // ids are sorted: the chunk [0, 64) is pruned, the other nine are read.
  const int64_t scanned = kRows - kChunkRows;
  for (int threads : {1, 3}) {
    json doc = f.Plan("EXPLAIN ANALYZE (FORMAT JSON) SELECT k, count(*) FROM t WHERE id >= 100 "
                      "GROUP BY k",
                      threads);
    CHECK(doc["analyze"] == true);
    const json& root = doc["plan"];
    CHECK(root["op"] == "hash group by");
    CHECK(root["rows"] == int64_t(groups.size()));
    CHECK(root["bytes_out"].get<int64_t>() > 0);
    const json* filter = FindOp(root, "filter");
    const json* scan = FindOp(root, "scan");
    REQUIRE(filter);
    REQUIRE(scan);
    CHECK((*filter)["detail"] == "id >= 100");
    CHECK((*filter)["rows"] == matching);
    CHECK((*scan)["rows"] == scanned);
    // id and k are read: 8 bytes and 4 bytes a row at least.
    CHECK((*scan)["bytes_read"].get<int64_t>() >= scanned * 12);
    CHECK((*scan)["detail"].get<std::string>().find("10 chunks, 1 pruned") != std::string::npos);
    CheckTimes(root);
    bool text = false;
    for (const auto& l : doc["text"]) {
      text = text || l.get<std::string>().find("filter id >= 100: " + std::to_string(matching) +
                                               " rows") != std::string::npos;
    }
    CHECK(text);
  }
}

TEST_CASE("EXPLAIN ANALYZE of a top-k: the WHERE runs within the bound, late columns unread",
          "[store]") {
  Fixture f;
  // On one thread the first chunk's five first ids bound the rest: the
  // filter then runs on no row of a later chunk (ids are sorted).
  int64_t first_chunk = 0;
  for (int64_t i = 0; i < kChunkRows; ++i) first_chunk += X(i) > 0;
  REQUIRE(first_chunk >= 5);
  json doc = f.Plan("EXPLAIN ANALYZE (FORMAT JSON) SELECT id, k, x FROM t WHERE x > 0 "
                    "ORDER BY id LIMIT 5",
                    1);
  const json& root = doc["plan"];
  CHECK(root["op"] == "top-k");
  CHECK(root["rows"] == 5);
  const std::string detail = root["detail"];
  CHECK(detail.find("once a chunk has 5 rows, rows ordered after them by id are dropped") !=
        std::string::npos);
  CHECK(detail.find("reads id x of every chunk") != std::string::npos);
  const json* filter = FindOp(root, "filter");
  const json* scan = FindOp(root, "scan");
  REQUIRE(filter);
  REQUIRE(scan);
  CHECK((*filter)["rows"] == first_chunk);
  // id and x (8 bytes a row each) of every chunk; k of the chosen rows only.
  const int64_t late_bytes = (*scan)["bytes_read"].get<int64_t>();
  CHECK(late_bytes >= kRows * 16);
  CHECK(late_bytes < kRows * 20);
  // Without LIMIT every chunk's k is read too, and the filter sees every row.
  json all = f.Plan("EXPLAIN ANALYZE (FORMAT JSON) SELECT id, k, x FROM t WHERE x > 0 ORDER BY id", 1);
  CHECK((*FindOp(all["plan"], "scan"))["bytes_read"].get<int64_t>() >= kRows * 20);
  int64_t matching = 0;
  for (int64_t i = 0; i < kRows; ++i) matching += X(i) > 0;
  CHECK((*FindOp(all["plan"], "filter"))["rows"] == matching);
}

TEST_CASE("EXPLAIN ANALYZE of two stages and computed columns nests them with their counts",
          "[store]") {
  Fixture f;
  // Stage A groups by k; stage B keeps the groups with more than 80 rows.
  std::map<std::optional<int64_t>, int64_t> counts;
  for (int64_t i = 0; i < kRows; ++i) counts[K(i)]++;
  int64_t kept = 0;
  for (const auto& [k, n] : counts) kept += n > 80 ? 1 : 0;
  json doc = f.Plan(
      "EXPLAIN ANALYZE (FORMAT JSON) SELECT k, count(*) * 2 AS c FROM t GROUP BY k "
      "HAVING count(*) > 80 ORDER BY k");
  const json& root = doc["plan"];
  CHECK(root["rows"] == kept);
  const json* group = FindOp(root, "hash group by");
  REQUIRE(group);
  CHECK((*group)["rows"] == int64_t(counts.size()));
  CHECK(root["time_ms"].get<double>() >= (*group)["time_ms"].get<double>());
  // The table scan is under stage A; stage B scans A's result in memory.
  int scans = 0;
  Walk(root, [&](const json& n, const json*) {
    if (n["op"] != "scan") return;
    ++scans;
    CHECK(n["bytes_read"].get<int64_t>() > 0);
    if (n["detail"].get<std::string>().rfind("table t", 0) == 0) CHECK(n["rows"] == kRows);
  });
  CHECK(scans == 2);
  CheckTimes(root);

  int64_t positive = 0;
  for (int64_t i = 0; i < kRows; ++i) positive += X(i) * 2 > 10 ? 1 : 0;
  json comp = f.Plan("EXPLAIN ANALYZE (FORMAT JSON) SELECT id, x * 2 AS y FROM t WHERE x * 2 > 10");
  const json* compute = FindOp(comp["plan"], "compute");
  const json* filter = FindOp(comp["plan"], "filter");
  REQUIRE(compute);
  REQUIRE(filter);
  CHECK((*compute)["rows"] == kRows);
  CHECK((*filter)["rows"] == positive);
  CHECK(comp["plan"]["rows"] == positive);
  CheckTimes(comp["plan"]);
  // A column the WHERE does not read is computed after it, on the rows it keeps.
  json late = f.Plan("EXPLAIN ANALYZE (FORMAT JSON) SELECT id, x * 3 FROM t WHERE x * 2 > 10");
  const json* late_compute = FindOp(late["plan"], "compute");
  REQUIRE(late_compute);
  CHECK((*late_compute)["rows"] == kRows + positive);
}

TEST_CASE("EXPLAIN (FORMAT JSON) without ANALYZE has the tree and no figures", "[store]") {
  Fixture f;
  json doc = f.Plan("EXPLAIN (FORMAT JSON) SELECT id FROM t WHERE id > 5 UNION ALL SELECT x FROM t");
  CHECK(doc["analyze"] == false);
  REQUIRE(FindOp(doc["plan"], "union all"));
  Walk(doc["plan"], [](const json& n, const json*) {
    CHECK(n["rows"].is_null());
    CHECK(n["time_ms"].is_null());
  });
  json a = f.Plan("EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM t WHERE id > 5 UNION ALL "
                  "SELECT x FROM t");
  const json* u = FindOp(a["plan"], "union all");
  REQUIRE(u);
  CHECK((*u)["rows"] == 2 * kRows - 6);
  CHECK((*u)["children"].size() == 2);
  CHECK(a["plan"]["rows"] == 2 * kRows - 6);

  // The option list reads back from ToSql; an unknown option is an error.
  auto q = query::ParseSql("explain analyze (format json) select id from t");
  REQUIRE(q.ok());
  CHECK(q->explain_json);
  CHECK(query::ToSql(*q) == "EXPLAIN ANALYZE (FORMAT JSON) SELECT id FROM t");
  auto back = query::ParseSql(query::ToSql(*q));
  REQUIRE(back.ok());
  CHECK(*back == *q);
  auto bad = query::ParseSql("EXPLAIN (FORMAT XML) SELECT id FROM t");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("expected JSON or TEXT") != std::string::npos);
}
