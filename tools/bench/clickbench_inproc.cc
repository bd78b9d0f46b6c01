// clickbench_inproc: ClickBench's queries through the C++ API, in process
// (tools/bench/clickbench.sh), to separate the engine's time from quiverd's
// HTTP cost.
//
//   clickbench_inproc POOL QUERIES.sql [--runs 3] [--threads 2] [--queries 18,19,33]
//
// QUERIES.sql holds one query per line. Each is run once to warm up, then
// `runs` times on a fresh snapshot with store::ExecuteSql. Prints one JSON
// line per query: {"query": 1-based index, "median_ms", "cpu_ms",
// "sys_ms", "faults_per_run", "rows"} or
// {"query", "error": first line of the error}. cpu_ms is the process's CPU
// time (user + system, all threads) of the timed runs together: on a shared
// machine it varies far less than the wall time. --queries runs only the
// listed (1-based) queries. faults_per_run is the minor page faults of the
// timed runs (getrusage's ru_minflt) divided by runs: fresh memory the kernel
// had to map (and zero) for each run, a count the machine's load does not
// disturb. sys_ms: the part of cpu_ms spent in the kernel (faulting in and
// zeroing pages, mostly).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "clickbench_args.h"
#include "config/allocator.h"
#include "store/exec.h"
#include "store/store.h"

namespace {

using quiver::Result;
namespace store = quiver::store;

// One timed run; the result's row count, or the error.
Result<int64_t> RunOnce(store::Store& s, const std::string& sql, int threads, double* ms) {
  QUIVER_ASSIGN_OR_RETURN(auto snap, s.GetSnapshot());
  store::QueryOptions qo;
  qo.threads = threads;
  const auto t0 = std::chrono::steady_clock::now();
  auto res = store::ExecuteSql(snap, sql, qo);
  *ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!res.ok()) return res.status();
  return res->num_rows;
}

// CPU time of this process so far (every thread), in milliseconds.
double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return double(t.tv_sec) * 1e3 + double(t.tv_usec) / 1e3; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

// Minor page faults of this process so far, and its CPU time in the kernel
// (milliseconds).
long MinorFaults(double* sys_ms) {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  *sys_ms = double(u.ru_stime.tv_sec) * 1e3 + double(u.ru_stime.tv_usec) / 1e3;
  return u.ru_minflt;
}

}  // namespace

int main(int argc, char** argv) {
  quiver::TuneAllocator();
  if (argc < 3) {
    std::fprintf(stderr, "usage: clickbench_inproc POOL QUERIES.sql [--runs 3] [--threads 2] "
                 "[--queries 1,2,...]\n");
    return 2;
  }
  const quiver::bench::ClickBenchArgs args = quiver::bench::ParseClickBenchArgs(argc, argv, 3);
  const auto queries = quiver::bench::ReadClickBenchQueries(argv[2], args.only);
  if (!queries) {
    std::perror(argv[2]);
    return 1;
  }
  const int runs = args.runs, threads = args.threads;
  store::StoreOptions o;
  o.read_only = true;
  auto st = store::Store::Open(argv[1], o);
  if (!st.ok()) {
    std::fprintf(stderr, "clickbench_inproc: %s\n", st.status().ToString().c_str());
    return 1;
  }
  for (const auto& [n, line] : *queries) {
    nlohmann::json out = {{"query", n}};
    double ms = 0;
    auto warm = RunOnce(**st, line, threads, &ms);
    if (!warm.ok()) {
      std::string msg = warm.status().ToString();
      out["error"] = msg.substr(0, msg.find('\n'));
    } else {
      std::vector<double> times;
      const double cpu0 = CpuMs();
      double sys0 = 0, sys1 = 0;
      const long faults0 = MinorFaults(&sys0);
      for (int r = 0; r < runs; ++r) {
        auto rows = RunOnce(**st, line, threads, &ms);
        if (rows.ok()) times.push_back(ms);
      }
      out["cpu_ms"] = CpuMs() - cpu0;
      out["faults_per_run"] = (MinorFaults(&sys1) - faults0) / runs;
      out["sys_ms"] = sys1 - sys0;
      std::sort(times.begin(), times.end());
      out["rows"] = *warm;
      if (!times.empty()) out["median_ms"] = times[times.size() / 2];
    }
    std::printf("%s\n", out.dump().c_str());
    std::fflush(stdout);
  }
  return 0;
}
