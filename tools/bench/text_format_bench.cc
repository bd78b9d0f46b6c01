// Throughput of the text result writers (columnar/text_format.h) on real
// query results: each query runs once on the pool, then its batches are
// written `runs` times in each format to a sink that counts the bytes.
//
//   text_format_bench POOL [--runs 5] [--sql "SELECT ..."]...
//
// Without --sql it uses ClickBench Q20's shape (one int64 column, int64 as
// strings) and a wide result with strings, timestamps, floats and NULLs.
// Prints one JSON line per query and format: bytes, cpu_ms (summed over
// the runs) and MB/s.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "columnar/text_format.h"
#include "config/allocator.h"
#include "store/exec.h"
#include "store/store.h"

namespace {

using quiver::ResultFormat;
namespace store = quiver::store;

double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return double(t.tv_sec) * 1e3 + double(t.tv_usec) / 1e3; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

// Writes the result once; the byte count.
uint64_t WriteOnce(const store::QueryResult& res, ResultFormat f, bool int64_as_string) {
  quiver::TextFormatOptions o;
  o.int64_as_string = int64_as_string;
  uint64_t bytes = 0, sum = 0;
  auto w = quiver::ResultWriter::Make(f, [&](std::string_view b) {
    bytes += b.size();
    sum += b.empty() ? 0 : uint8_t(b.back());  // touch the output
    return quiver::Status::OK();
  }, o);
  w->Begin(*res.schema).IgnoreError();
  for (const auto& b : res.batches) w->Write(b).IgnoreError();
  w->End({}).IgnoreError();
  return bytes + (sum & 0);
}

}  // namespace

int main(int argc, char** argv) {
  quiver::TuneAllocator();
  if (argc < 2) {
    std::fprintf(stderr, "usage: text_format_bench POOL [--runs 5] [--sql \"SELECT ...\"]...\n");
    return 2;
  }
  int runs = 5;
  std::vector<std::string> sqls;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--runs") runs = std::max(1, std::stoi(argv[i + 1]));
    if (a == "--sql") sqls.push_back(argv[i + 1]);
  }
  if (sqls.empty()) {
    sqls = {"SELECT UserID FROM hits WHERE UserID = 435090932899640449",
            "SELECT URL, Title, EventTime, ResolutionWidth * 1.5, "
            "CASE WHEN IsMobile = 1 THEN NULL ELSE RegionID END FROM hits LIMIT 200000"};
  }
  store::StoreOptions so;
  so.read_only = true;
  auto st = store::Store::Open(argv[1], so);
  if (!st.ok()) {
    std::fprintf(stderr, "text_format_bench: %s\n", st.status().ToString().c_str());
    return 1;
  }
  auto snap = (*st)->GetSnapshot();
  if (!snap.ok()) return 1;
  for (const std::string& sql : sqls) {
    auto res = store::ExecuteSql(*snap, sql);
    if (!res.ok()) {
      std::fprintf(stderr, "%s: %s\n", sql.c_str(), res.status().ToString().c_str());
      return 1;
    }
    for (ResultFormat f : {ResultFormat::kJson, ResultFormat::kNdjson, ResultFormat::kCsv}) {
      uint64_t bytes = WriteOnce(*res, f, true);  // warm-up
      const double cpu0 = CpuMs();
      for (int r = 0; r < runs; ++r) WriteOnce(*res, f, true);
      const double cpu = CpuMs() - cpu0;
      std::printf("{\"sql\":\"%.40s\",\"format\":\"%s\",\"rows\":%lld,\"bytes\":%llu,"
                  "\"cpu_ms\":%.1f,\"MB_per_s\":%.0f}\n",
                  sql.c_str(), quiver::ResultFormatName(f), (long long)res->num_rows,
                  (unsigned long long)bytes, cpu, double(bytes) * runs / 1e6 / (cpu / 1e3));
    }
  }
  return 0;
}
