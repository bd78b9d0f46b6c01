// The group-by benchmark, Quiver's side (tools/bench/groupby.sh runs it next
// to DuckDB on the same data): GROUP BY on high-cardinality keys, the shapes
// ClickBench spends its time on.
//
//   groupby_bench POOL [--rows N] [--runs 5] [--threads 2] [--query Gn]
//
// Creates POOL with the table `hits` if it does not exist (rows from the
// integer formulas below, which tools/bench/duckdb_groupby.js evaluates in
// SQL so that both engines hold identical data), then runs G1..G5 `runs`
// times each and prints one JSON line per query: its median wall and CPU
// (all threads) time and every timing in milliseconds, and its first result rows (to check both
// engines agree).
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "kernels/kernels.h"
#include "store/exec.h"
#include "store/store.h"

using namespace quiver;

namespace {

// Multiplicative hashes of the row id, exact in int64 for ids below 2^31.
int64_t H(int64_t id, int64_t add, int64_t mul) { return ((id + add) * mul) % 4294967296ll; }

// user_id: x² / 4000 for x uniform in [0, 2M): skewed towards small values
// (heavy hitters), ~0.8M distinct at 1M rows, ~2M at 10M. phrase: empty in
// 70% of rows, else one of ~150k skewed strings. watch_id: unique.
struct Hit {
  int64_t user_id, watch_id;
  std::string phrase;
  int32_t client_ip, v;
};

Hit Make(int64_t id) {
  const int64_t h1 = H(id, 0, 2654435761ll), h2 = H(id, 12345, 2246822519ll),
                h3 = H(id, 777, 3266489917ll), h4 = H(id, 99, 2654435769ll);
  Hit h;
  const int64_t x = h1 % 2000000;
  h.user_id = 4000000000000000ll + x * x / 4000;
  const int64_t p = h3 % 400000;
  h.phrase = h2 % 10 < 7 ? "" : "phrase " + std::to_string(p * p / 400000);
  h.watch_id = (h3 % 1073741824ll) * 4294967296ll + id;
  h.client_ip = int32_t(h4 % 2147483647ll);
  h.v = int32_t(h2 % 1000);
  return h;
}

std::shared_ptr<const Schema> HitsSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"user_id", DataType(TypeId::kInt64), false, {}},
      {"phrase", DataType(TypeId::kUtf8), false, {}},
      {"watch_id", DataType(TypeId::kInt64), false, {}},
      {"client_ip", DataType(TypeId::kInt32), false, {}},
      {"v", DataType(TypeId::kInt32), false, {}},
  });
}

int Generate(const std::string& path, int64_t rows) {
  auto store = store::Store::Create(path, uint64_t(rows) * 64 + (256ull << 20));
  if (!store.ok()) {
    std::fprintf(stderr, "groupby_bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  store::WriteOptions w;
  w.create_schema = HitsSchema();
  auto writer = (*store)->BeginWrite("hits", w);
  if (!writer.ok()) return 1;
  const int64_t batch_rows = 1 << 20;
  for (int64_t start = 0; start < rows; start += batch_rows) {
    RecordBatchBuilder b(HitsSchema());
    const int64_t end = std::min(rows, start + batch_rows);
    for (int64_t i = start; i < end; ++i) {
      const Hit h = Make(i);
      b.column(0).AppendInt(h.user_id);
      b.column(1).AppendString(h.phrase);
      b.column(2).AppendInt(h.watch_id);
      b.column(3).AppendInt(h.client_ip);
      b.column(4).AppendInt(h.v);
    }
    auto batch = b.Finish();
    if (!batch.ok() || !(*writer)->Append(*batch).ok()) {
      std::fprintf(stderr, "groupby_bench: generating failed\n");
      return 1;
    }
  }
  auto txn = (*writer)->Commit();
  if (!txn.ok()) {
    std::fprintf(stderr, "groupby_bench: %s\n", txn.status().ToString().c_str());
    return 1;
  }
  return 0;
}

// CPU time of the whole process (all threads), in milliseconds: on a
// machine shared with other work it says what a query cost better than the
// wall clock does.
double CpuMs() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

std::string JsonValue(const ArrayView& v, int64_t i) {
  kernels::Scalar s = kernels::ValueAt(v, i);
  switch (s.kind()) {
    case kernels::Scalar::Kind::kNull:
      return "null";
    case kernels::Scalar::Kind::kString:
      return "\"" + s.string_value() + "\"";
    case kernels::Scalar::Kind::kUInt64:
      return std::to_string(s.uint64_value());
    default:
      return std::to_string(s.int64_value());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: groupby_bench POOL [--rows N] [--runs 5] [--threads 2] [--query Gn]\n");
    return 1;
  }
  const std::string path = argv[1];
  int64_t rows = 10000000;
  int runs = 5, threads = 2;
  std::string only;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc)
      rows = std::stoll(argv[++i]);
    else if (a == "--runs" && i + 1 < argc)
      runs = std::stoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc)
      threads = std::stoi(argv[++i]);
    else if (a == "--query" && i + 1 < argc)
      only = argv[++i];
  }
  if (access(path.c_str(), F_OK) != 0) {
    if (int rc = Generate(path, rows)) return rc;
  }
  store::StoreOptions o;
  o.read_only = true;
  auto store = store::Store::Open(path, o);
  if (!store.ok()) {
    std::fprintf(stderr, "groupby_bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const std::vector<std::pair<std::string, std::string>> queries = {
      {"G1",
       "SELECT user_id, count(*) AS c FROM hits GROUP BY user_id ORDER BY c DESC, user_id LIMIT "
       "10"},
      {"G2",
       "SELECT user_id, phrase, count(*) AS c FROM hits GROUP BY user_id, phrase "
       "ORDER BY c DESC, user_id, phrase LIMIT 10"},
      {"G3",
       "SELECT watch_id, client_ip, count(*) AS c, sum(v) AS s FROM hits GROUP BY watch_id, "
       "client_ip "
       "ORDER BY c DESC, s DESC, watch_id LIMIT 10"},
      {"G4",
       "SELECT phrase, count(*) AS c FROM hits WHERE phrase <> '' GROUP BY phrase "
       "ORDER BY c DESC, phrase LIMIT 10"},
      {"G5",
       "SELECT user_id, client_ip, min(v) AS m FROM hits GROUP BY user_id, client_ip "
       "ORDER BY m, user_id, client_ip LIMIT 10"},
  };
  store::QueryOptions qo;
  qo.threads = threads;
  for (const auto& [name, sql] : queries) {
    if (!only.empty() && name != only) continue;
    std::vector<double> ms, cpu;
    store::QueryResult last;
    for (int r = 0; r < runs; ++r) {
      auto snap = (*store)->GetSnapshot();
      if (!snap.ok()) return 1;
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = CpuMs();
      auto res = store::ExecuteSql(*snap, sql, qo);
      const double t =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      cpu.push_back(CpuMs() - c0);
      if (!res.ok()) {
        std::fprintf(stderr, "groupby_bench: %s: %s\n", name.c_str(),
                     res.status().ToString().c_str());
        return 2;
      }
      ms.push_back(t);
      last = std::move(*res);
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    std::sort(cpu.begin(), cpu.end());
    std::string out =
        "{\"query\":\"" + name +
        "\",\"engine\":\"quiver\",\"median_ms\":" + std::to_string(sorted[sorted.size() / 2]) +
        ",\"median_cpu_ms\":" + std::to_string(cpu[cpu.size() / 2]) + ",\"runs_ms\":[";
    for (size_t i = 0; i < ms.size(); ++i) out += (i ? "," : "") + std::to_string(ms[i]);
    out += "],\"rows\":" + std::to_string(last.num_rows) + ",\"result\":[";
    int shown = 0;
    for (const auto& b : last.batches) {
      const ColumnViews views(b);
      for (int64_t i = 0; i < b.num_rows && shown < 3; ++i, ++shown) {
        out += shown ? ",[" : "[";
        for (size_t c = 0; c < views.size(); ++c) out += (c ? "," : "") + JsonValue(views[c], i);
        out += "]";
      }
    }
    out += "]}";
    std::printf("%s\n", out.c_str());
    std::fflush(stdout);
  }
  return 0;
}
