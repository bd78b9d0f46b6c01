// Restart-to-first-query (tools/bench/first_query.sh runs it): opens a pool
// as a fresh process would, runs one query once (the first, which validates
// and verifies the chunks' columns it reads), then the same query warm, and
// prints one JSON line. With --xxh3 it measures the checksum's throughput on
// one core instead.
//
//   first_query_bench POOL [--sql "SELECT ..."] [--runs 5] [--threads 2]
//                          [--all-columns]
//   first_query_bench --xxh3 [--mib 256] [--runs 5]
//
// --all-columns makes the first query read every column of every chunk
// first (what a first query cost before validation was lazy per column).
#include <xxhash.h>
#if defined(__x86_64__)
#include <xxh_x86dispatch.h>  // as store/checksum.cc hashes
#endif

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "store/exec.h"
#include "store/store.h"

using namespace quiver;
using Clock = std::chrono::steady_clock;

namespace {

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// CPU time of the whole process (all threads), in ms: steadier than wall
// time on a machine shared with other work.
double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int Xxh3(int mib, int runs) {
  std::vector<uint8_t> buf(size_t(mib) << 20);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = uint8_t(i * 2654435761u >> 13);
  std::vector<double> gbs;
  uint64_t sink = 0;
  for (int r = 0; r < runs; ++r) {
    auto t = Clock::now();
    sink ^= XXH3_64bits(buf.data(), buf.size());
    gbs.push_back(double(buf.size()) / 1e9 / (MsSince(t) / 1000));
  }
  // 64 KiB pieces, as small column buffers are hashed.
  std::vector<double> small;
  for (int r = 0; r < runs; ++r) {
    auto t = Clock::now();
    for (size_t off = 0; off + 65536 <= buf.size(); off += 65536) {
      sink ^= XXH3_64bits(buf.data() + off, 65536);
    }
    small.push_back(double(buf.size()) / 1e9 / (MsSince(t) / 1000));
  }
  std::printf(
      "{\"xxh3_gb_per_s\": %.2f, \"xxh3_64k_pieces_gb_per_s\": %.2f, \"mib\": %d, "
      "\"sink\": %llu}\n",
      Median(gbs), Median(small), mib, (unsigned long long)(sink & 1));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string pool, sql = "SELECT count(*) FROM trips WHERE fare > 30";
  int runs = 5, threads = 2, mib = 256;
  bool all_columns = false, xxh3 = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--sql" && i + 1 < argc) {
      sql = argv[++i];
    } else if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::stoi(argv[++i]));
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::stoi(argv[++i]);
    } else if (a == "--mib" && i + 1 < argc) {
      mib = std::max(1, std::stoi(argv[++i]));
    } else if (a == "--all-columns") {
      all_columns = true;
    } else if (a == "--xxh3") {
      xxh3 = true;
    } else if (pool.empty() && a[0] != '-') {
      pool = a;
    } else {
      std::fprintf(stderr,
                   "usage: first_query_bench POOL [--sql S] [--runs N] [--threads T] "
                   "[--all-columns] | --xxh3 [--mib N]\n");
      return 1;
    }
  }
  if (xxh3) return Xxh3(mib, runs);
  if (pool.empty()) {
    std::fprintf(stderr, "first_query_bench: no POOL\n");
    return 1;
  }
  store::QueryOptions options;
  options.threads = threads;
  auto start = Clock::now();
  const double cpu_start = CpuMs();
  store::StoreOptions ro;
  ro.read_only = true;
  auto st = store::Store::Open(pool, ro);
  if (!st.ok()) {
    std::fprintf(stderr, "first_query_bench: %s\n", st.status().ToString().c_str());
    return 1;
  }
  auto snap = (*st)->GetSnapshot();
  if (!snap.ok()) return 1;
  const double open_ms = MsSince(start);
  const double open_cpu_ms = CpuMs() - cpu_start;
  if (all_columns) {
    for (const auto& t : (*snap)->tables()) {
      for (size_t i = 0; i < t.num_chunks(); ++i) {
        if (!t.ReadChunk(i).ok()) return 1;
      }
    }
  }
  auto first = store::ExecuteSql(*snap, sql, options);
  const double first_ms = MsSince(start) - open_ms;
  const double first_cpu_ms = CpuMs() - cpu_start - open_cpu_ms;
  if (!first.ok()) {
    std::fprintf(stderr, "first_query_bench: %s\n", first.status().ToString().c_str());
    return 1;
  }
  std::vector<double> warm, warm_cpu;
  for (int r = 0; r < runs; ++r) {
    auto t = Clock::now();
    const double c = CpuMs();
    auto again = store::ExecuteSql(*snap, sql, options);
    warm.push_back(MsSince(t));
    warm_cpu.push_back(CpuMs() - c);
    if (!again.ok()) return 1;
  }
  int64_t rows = 0;
  for (const auto& t : (*snap)->tables()) rows += t.num_rows();
  const double warm_ms = Median(warm);
  const double warm_cpu_ms = Median(warm_cpu);
  std::printf(
      "{\"rows\": %lld, \"all_columns\": %s, \"open_ms\": %.2f, \"first_query_ms\": %.2f, "
      "\"open_plus_first_ms\": %.2f, \"warm_median_ms\": %.2f, \"ratio\": %.2f, "
      "\"open_plus_first_cpu_ms\": %.2f, \"warm_median_cpu_ms\": %.2f, \"cpu_ratio\": %.2f}\n",
      (long long)rows, all_columns ? "true" : "false", open_ms, first_ms, open_ms + first_ms,
      warm_ms, (open_ms + first_ms) / warm_ms, open_cpu_ms + first_cpu_ms, warm_cpu_ms,
      (open_cpu_ms + first_cpu_ms) / warm_cpu_ms);
  return 0;
}
