// The `trips` benchmark, Quiver's side (tools/bench/trips.sh runs it next to
// DuckDB on the same data and prints the comparison).
//
//   trips_bench POOL [--rows N] [--runs 5] [--threads 2] [--generate-only] [--start ID]
//
// Creates POOL with the table `trips` if it does not exist (rows from the
// integer formulas below, which tools/bench/duckdb_trips.js evaluates in SQL
// so that both engines hold identical data), then runs Q1..Q6 `runs` times
// each and prints one JSON line per query: its median and every timing in
// milliseconds, the median CPU time of the process (all threads) per run
// (cpu_ms: steadier than wall time on a shared machine), and its result
// rows (to check both engines agree).
//
// It also measures, in the same run, the memory read bandwidth of `threads`
// threads (tools/bench/bandwidth.h, over a buffer 8 times the last-level
// cache, at least 256 MB) and, per query, the bytes its scan touches: every
// buffer (validity, values, offsets, dictionary indices and the dictionary's
// own) of the columns it reads, as the chunks' IPC metadata sizes them, in
// the chunks it did not prune. bytes / bandwidth is the query's floor (the
// time to read its data once from memory); each line carries floor_ms and
// median / floor.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <unistd.h>
#include <vector>

#include "config/allocator.h"
#include "columnar/builder.h"
#include "kernels/kernels.h"
#include "store/exec.h"
#include "store/store.h"
#include "tools/bench/bandwidth.h"

using namespace quiver;

namespace {

constexpr int64_t kTsBase = 1700000000000;  // ms

// The generator: four multiplicative hashes of the row id, exact in int64
// for ids below 2^31 (DuckDB computes the same expressions).
int64_t H(int64_t id, int64_t add, int64_t mul) { return ((id + add) * mul) % 4294967296ll; }

struct Trip {
  int64_t id, ts;
  std::string vendor, city;
  bool passengers_null;
  int64_t passengers;
  double distance;
  bool fare_null;
  double fare;
};

Trip Make(int64_t id) {
  const int64_t h1 = H(id, 0, 2654435761ll), h2 = H(id, 12345, 2246822519ll),
                h3 = H(id, 777, 3266489917ll), h4 = H(id, 99, 2654435769ll);
  Trip t;
  t.id = id;
  t.ts = kTsBase + h1 % 2592000000ll;
  t.vendor = "v" + std::to_string(h2 % 8);
  t.passengers_null = h1 % 100 == 0;
  t.passengers = h3 % 7;
  t.distance = double(h2 % 20000) / 1000.0;
  t.fare_null = (h4 / 256) % 20 == 0;
  t.fare = 2.5 + double(h3 % 10000) / 100.0;
  char city[16];
  std::snprintf(city, sizeof city, "city_%04d", int(h4 % 1000));
  t.city = city;
  return t;
}

std::shared_ptr<const Schema> TripsSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"ts", DataType(TypeId::kInt64), false, {}},
      {"vendor", DataType::Dictionary(TypeId::kInt8), false, {}},
      {"passengers", DataType(TypeId::kInt8), true, {}},
      {"distance", DataType(TypeId::kFloat64), false, {}},
      {"fare", DataType(TypeId::kFloat64), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt16), false, {}},
  });
}

int Generate(const std::string& path, int64_t first, int64_t rows) {
  const uint64_t capacity = uint64_t(rows) * 48 + (256ull << 20);
  auto store = store::Store::Create(path, capacity);
  if (!store.ok()) {
    std::fprintf(stderr, "trips_bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  store::WriteOptions w;
  w.create_schema = TripsSchema();
  w.durability = pmem::Durability::kSync;
  auto writer = (*store)->BeginWrite("trips", w);
  if (!writer.ok()) return 1;
  const int64_t batch_rows = 1 << 20;
  for (int64_t start = first; start < first + rows; start += batch_rows) {
    RecordBatchBuilder b(TripsSchema());
    const int64_t end = std::min(first + rows, start + batch_rows);
    for (int c = 0; c < 7; ++c) b.column(size_t(c)).Reserve(end - start);
    for (int64_t i = start; i < end; ++i) {
      const Trip t = Make(i);
      b.column(0).AppendInt(t.id);
      b.column(1).AppendInt(t.ts);
      b.column(2).AppendString(t.vendor);
      if (t.passengers_null) b.column(3).AppendNull(); else b.column(3).AppendInt(t.passengers);
      b.column(4).AppendDouble(t.distance);
      if (t.fare_null) b.column(5).AppendNull(); else b.column(5).AppendDouble(t.fare);
      b.column(6).AppendString(t.city);
    }
    auto batch = b.Finish();
    if (!batch.ok() || !(*writer)->Append(*batch).ok()) {
      std::fprintf(stderr, "trips_bench: generating failed\n");
      return 1;
    }
    if (isatty(2)) std::fprintf(stderr, "\rgenerating trips: %lld / %lld rows", (long long)end, (long long)rows);
  }
  if (isatty(2)) std::fprintf(stderr, "\n");
  auto txn = (*writer)->Commit();
  if (!txn.ok()) {
    std::fprintf(stderr, "trips_bench: %s\n", txn.status().ToString().c_str());
    return 1;
  }
  return 0;
}

std::string JsonValue(const ArrayView& v, int64_t i) {
  kernels::Scalar s = kernels::ValueAt(v, i);
  switch (s.kind()) {
    case kernels::Scalar::Kind::kNull: return "null";
    case kernels::Scalar::Kind::kDouble: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.10g", s.double_value());
      return buf;
    }
    case kernels::Scalar::Kind::kString: return "\"" + s.string_value() + "\"";
    case kernels::Scalar::Kind::kUInt64: return std::to_string(s.uint64_value());
    case kernels::Scalar::Kind::kBool: return s.bool_value() ? "true" : "false";
    default: return std::to_string(s.int64_value());
  }
}

// Writes the same rows as CSV (header id,ts,vendor,passengers,distance,fare,
// city; NULL as an empty field; floats in their shortest exact form), for
// the ingest benchmark (tools/bench/ingest_vs_duckdb.sh).
int WriteCsv(const std::string& path, int64_t first, int64_t rows) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::fprintf(stderr, "trips_bench: cannot write %s\n", path.c_str());
    return 1;
  }
  std::string buf = "id,ts,vendor,passengers,distance,fare,city\n";
  char num[64];
  auto put_double = [&](double v) {
    auto r = std::to_chars(num, num + sizeof num, v);
    buf.append(num, r.ptr);
  };
  for (int64_t i = first; i < first + rows; ++i) {
    const Trip t = Make(i);
    buf += std::to_string(t.id);
    buf += ',';
    buf += std::to_string(t.ts);
    buf += ',';
    buf += t.vendor;
    buf += ',';
    if (!t.passengers_null) buf += std::to_string(t.passengers);
    buf += ',';
    put_double(t.distance);
    buf += ',';
    if (!t.fare_null) put_double(t.fare);
    buf += ',';
    buf += t.city;
    buf += '\n';
    if (buf.size() > (1 << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  return std::fclose(f) == 0 ? 0 : 1;
}

// CPU time of this process (every thread) in ms.
double CpuMs() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// The bytes of the buffers of `columns` in every chunk of `table` (see the
// header comment), or -1 when a chunk cannot be read.
int64_t ColumnBytes(const store::TableView& table, const std::vector<std::string>& columns) {
  std::vector<size_t> fields;
  for (const std::string& c : columns) {
    for (size_t f = 0; f < table.schema()->num_fields(); ++f) {
      if (table.schema()->field(f).name == c) fields.push_back(f);
    }
  }
  auto buffers = [](const ArrayData& d) {
    int64_t n = 0;
    for (const auto& b : d.buffers) n += b ? b->size() : 0;
    return n;
  };
  int64_t total = 0;
  for (size_t i = 0; i < table.num_chunks(); ++i) {
    auto batch = table.ReadChunk(i, fields);
    if (!batch.ok()) return -1;
    for (size_t f : fields) {
      const auto& col = batch->columns[f];
      if (!col) return -1;
      total += buffers(*col) + (col->dictionary ? buffers(*col->dictionary) : 0);
    }
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  quiver::TuneAllocator();
  if (argc < 2) {
    std::fprintf(stderr, "usage: trips_bench POOL [--rows N] [--runs 5] [--threads 2] [--generate-only] [--query Qn] [--csv FILE] [--start ID]\n");
    return 1;
  }
  const std::string path = argv[1];
  int64_t rows = 50000000;
  int64_t first = 0;  // the first row id (a shard of a larger table: tools/bench/dask_bench.sh)
  int runs = 5, threads = 2;
  bool generate_only = false;
  std::string only;  // run just this query (e.g. Q3), for profiling
  std::string csv;   // write the rows as CSV to this file instead (POOL unused)
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc) rows = std::stoll(argv[++i]);
    else if (a == "--runs" && i + 1 < argc) runs = std::stoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = std::stoi(argv[++i]);
    else if (a == "--generate-only") generate_only = true;
    else if (a == "--query" && i + 1 < argc) only = argv[++i];
    else if (a == "--csv" && i + 1 < argc) csv = argv[++i];
    else if (a == "--start" && i + 1 < argc) first = std::stoll(argv[++i]);
  }
  if (!csv.empty()) return WriteCsv(csv, first, rows);
  if (access(path.c_str(), F_OK) != 0) {
    if (int rc = Generate(path, first, rows)) return rc;
  }
  if (generate_only) return 0;
  store::StoreOptions o;
  o.read_only = true;
  auto store = store::Store::Open(path, o);
  if (!store.ok()) {
    std::fprintf(stderr, "trips_bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const double bandwidth = bench::MeasureReadBandwidth(
      std::max<size_t>(size_t(256) << 20, 8 * bench::LastLevelCacheBytes()), threads);
  auto snap0 = (*store)->GetSnapshot();
  if (!snap0.ok()) return 1;
  auto table = (*snap0)->table("trips");
  if (!table.ok()) {
    std::fprintf(stderr, "trips_bench: %s\n", table.status().ToString().c_str());
    return 1;
  }
  const int64_t x = kTsBase + 86400000ll * 3, y = kTsBase + 86400000ll * 5;
  struct Query {
    std::string name, sql;
    std::vector<std::string> columns;  // the columns its scan reads
  };
  const std::vector<Query> queries = {
      {"Q1", "SELECT count(*) FROM trips WHERE fare > 30", {"fare"}},
      {"Q2", "SELECT sum(fare) FROM trips WHERE distance BETWEEN 2 AND 5 AND passengers >= 2",
       {"fare", "distance", "passengers"}},
      {"Q3", "SELECT vendor, count(*), avg(fare) FROM trips GROUP BY vendor ORDER BY vendor",
       {"vendor", "fare"}},
      {"Q4", "SELECT * FROM trips WHERE id = 23456789",
       {"id", "ts", "vendor", "passengers", "distance", "fare", "city"}},
      {"Q5", "SELECT id, fare FROM trips WHERE city = 'city_0042' LIMIT 1000", {"city", "id", "fare"}},
      {"Q6",
       "SELECT city, max(distance) FROM trips WHERE ts BETWEEN " + std::to_string(x) + " AND " +
           std::to_string(y) + " GROUP BY city ORDER BY 2 DESC, 1 LIMIT 10",
       {"ts", "city", "distance"}},
  };
  store::QueryOptions qo;
  qo.threads = threads;
  for (const Query& q : queries) {
    const std::string& name = q.name;
    const std::string& sql = q.sql;
    if (!only.empty() && name != only) continue;
    std::vector<double> ms, cpu;
    store::QueryResult last;
    for (int r = 0; r < runs; ++r) {
      auto snap = (*store)->GetSnapshot();
      if (!snap.ok()) return 1;
      const double c0 = CpuMs();
      const auto t0 = std::chrono::steady_clock::now();
      auto res = store::ExecuteSql(*snap, sql, qo);
      const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      cpu.push_back(CpuMs() - c0);
      if (!res.ok()) {
        std::fprintf(stderr, "trips_bench: %s: %s\n", name.c_str(), res.status().ToString().c_str());
        return 2;
      }
      ms.push_back(t);
      last = std::move(*res);
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    std::sort(cpu.begin(), cpu.end());
    const double cpu_median = cpu[cpu.size() / 2];
    // The chunks' bytes, scaled to the chunks scanned (exact when none or
    // every chunk is pruned; the chunks hold equal rows but the last).
    const int64_t all_bytes = ColumnBytes(**table, q.columns);
    const store::QueryStats& st = last.stats;
    const double bytes = st.chunks_total > 0 ? double(all_bytes) * double(st.chunks_scanned) /
                                                   double(st.chunks_total)
                                             : 0.0;
    const double floor_ms = bandwidth > 0 ? bytes / bandwidth * 1e3 : 0.0;
    char floor_json[200];
    std::snprintf(floor_json, sizeof floor_json,
                  ",\"cpu_ms\":%.3f,\"bandwidth_gbs\":%.3f,\"bytes\":%.0f,\"floor_ms\":%.3f,"
                  "\"floor_ratio\":%.3f",
                  cpu_median, bandwidth / 1e9, bytes, floor_ms, floor_ms > 0 ? median / floor_ms : 0.0);
    std::string out = "{\"query\":\"" + name + "\",\"engine\":\"quiver\",\"median_ms\":" +
                      std::to_string(median) + floor_json + ",\"runs_ms\":[";
    for (size_t i = 0; i < ms.size(); ++i) out += (i ? "," : "") + std::to_string(ms[i]);
    out += "],\"rows\":" + std::to_string(last.num_rows) + ",\"chunks_pruned\":" +
           std::to_string(last.stats.chunks_pruned) + ",\"result\":[";
    // The first 3 result rows, to check agreement (Q5: LIMIT without ORDER
    // BY may pick any rows in SQL; only its row count is compared).
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
