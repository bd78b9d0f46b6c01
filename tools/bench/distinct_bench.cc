// COUNT(DISTINCT) states on their own (kernels/grouped_agg.h), shaped like
// ClickBench's distinct queries at 1M rows:
//
//   distinct_bench [--rows=1000000] [--runs=9] [--case=global_int64]
//
//   global_int64:  COUNT(DISTINCT UserID) (Q5): ~100k distinct of skewed
//                  int64s; 16 chunks split over two worker states, merged.
//   grouped_int64: COUNT(DISTINCT UserID) GROUP BY RegionID (Q9): ~12k
//                  skewed groups, ~950k (group, value) pairs; batches of 4096
//                  rows with group ids, two states (half the rows each)
//                  merged with a group map.
//   global_utf8:   COUNT(DISTINCT SearchPhrase) (Q6): ~10k distinct strings,
//                  most rows the empty string.
//   global_dict:   the same strings as a dictionary<int32> column.
//
// Prints the best and the median CPU time of --runs runs per case (one
// thread: the machine is shared, the best run is the least disturbed one).
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "kernels/grouped_agg.h"

namespace qk = quiver::kernels;
using quiver::ArrayBuilder;
using quiver::ArrayData;
using quiver::ColumnViews;
using quiver::DataType;
using quiver::TypeId;

namespace {

int64_t g_rows = 1'000'000;
int g_runs = 9;
std::string g_case;  // --case=NAME: only that case

struct Rng {
  uint64_t s = 0x9E3779B97F4A7C15ull;
  uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  // Skewed in [0, n): the square of a uniform fraction favours small ranks.
  uint64_t Skewed(uint64_t n) {
    const double u = double(Next() >> 11) / double(uint64_t(1) << 53);
    return std::min(n - 1, uint64_t(u * u * u * double(n)));
  }
};

std::shared_ptr<ArrayData> Finish(ArrayBuilder* b) {
  auto r = b->Finish();
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return *r;
}

std::unique_ptr<qk::GroupedAgg> MakeState(const DataType& t) {
  auto r = qk::GroupedAgg::Make(qk::GroupedAggKind::kCountDistinct, t);
  if (!r.ok()) std::exit(1);
  return std::move(r).value();
}

// This thread's CPU time: the machine is shared, and the wall time counts
// the time other processes had the core.
double CpuMs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

void Report(const char* name, const std::function<int64_t()>& run) {
  if (!g_case.empty() && g_case != name) return;
  std::vector<double> ms;
  int64_t result = 0;
  for (int i = 0; i < g_runs; ++i) {
    const double t0 = CpuMs();
    result = run();
    ms.push_back(CpuMs() - t0);
  }
  std::sort(ms.begin(), ms.end());
  std::printf("{\"case\":\"%s\",\"best_cpu_ms\":%.3f,\"median_cpu_ms\":%.3f,\"result\":%lld}\n", name,
              ms[0], ms[ms.size() / 2], static_cast<long long>(result));
}

// Chunks [0, 16) of `col`, the first half to worker a and the second to b
// (one after the other: each worker's set has the cache to itself, as on
// its own core), then b merged into a; returns a's count of group 0.
int64_t GlobalRun(const DataType& type, const quiver::ArrayView& col) {
  auto a = MakeState(type);
  auto b = a->NewEmpty();
  a->Resize(1);
  b->Resize(1);
  const int64_t chunk = (g_rows + 15) / 16;
  for (int64_t c = 0; c * chunk < g_rows; ++c) {
    const int64_t start = c * chunk, n = std::min(chunk, g_rows - start);
    (c >= 8 ? b : a)->Update(col, nullptr, start, n, nullptr);
  }
  a->Merge(*b, nullptr);
  return a->GroupResult(0)->int64_value();
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--rows=", 7) == 0) g_rows = std::atoll(argv[i] + 7);
    if (std::strncmp(argv[i], "--runs=", 7) == 0) g_runs = std::max(1, std::atoi(argv[i] + 7));
    if (std::strncmp(argv[i], "--case=", 7) == 0) g_case = argv[i] + 7;
  }
  Rng rng;
  const int64_t users = g_rows / 10, regions = g_rows / 80, phrases = g_rows / 100;
  ArrayBuilder ub{DataType(TypeId::kInt64)};
  std::vector<int32_t> region(static_cast<size_t>(g_rows));
  for (int64_t i = 0; i < g_rows; ++i) {
    ub.AppendInt(int64_t(rng.Skewed(uint64_t(users)) * 0x9E3779B97F4A7C15ull >> 1));
    region[size_t(i)] = int32_t(rng.Skewed(uint64_t(regions)));
  }
  const auto user = Finish(&ub);
  const DataType int64(TypeId::kInt64);
  Report("global_int64", [&] { return GlobalRun(int64, user->View()); });

  Report("grouped_int64", [&] {
    auto a = MakeState(int64);
    auto b = a->NewEmpty();
    a->Resize(size_t(regions));
    b->Resize(size_t(regions));
    constexpr int64_t kBatch = 4096;
    const quiver::ArrayView col = user->View();
    for (int64_t start = 0; start < g_rows; start += kBatch) {
      const int64_t n = std::min(kBatch, g_rows - start);
      (start >= g_rows / 2 ? b : a)->Update(col, nullptr, start, n, region.data() + start);
    }
    std::vector<int32_t> map(static_cast<size_t>(regions));
    for (int64_t g = 0; g < regions; ++g) map[size_t(g)] = int32_t(g);
    a->Merge(*b, map.data());
    int64_t pairs = 0;
    for (int64_t g = 0; g < regions; ++g) pairs += a->GroupResult(size_t(g))->int64_value();
    return pairs;
  });

  const DataType utf8(TypeId::kUtf8), dict = DataType::Dictionary(TypeId::kInt32);
  ArrayBuilder sb{utf8}, db{dict};
  for (int64_t i = 0; i < g_rows; ++i) {
    std::string s;
    if (rng.Next() % 8 == 0) {
      s = "search phrase number " + std::to_string(rng.Skewed(uint64_t(phrases)));
    }
    sb.AppendString(s);
    db.AppendString(s);
  }
  const auto phrase = Finish(&sb), phrase_dict = Finish(&db);
  Report("global_utf8", [&] { return GlobalRun(utf8, phrase->View()); });
  ColumnViews dv({phrase_dict});
  Report("global_dict", [&] { return GlobalRun(dict, dv[0]); });
  return 0;
}
