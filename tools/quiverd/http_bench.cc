// http_bench: a bounded HTTP load generator for quiverd (used by
// tools/bench/http_bench.sh when wrk is not installed).
//
//   http_bench --port P [--host H] [--connections N] [--seconds S] PATH...
//
// N threads, each with one keep-alive connection, send GET PATH (cycling
// through the paths given) for S seconds and record every latency. Prints
// requests/s, p50, p99 and max latency, and the count of non-200 replies.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 0, connections = 8;
  double seconds = 5;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "http_bench: %s needs a value\n", a.c_str());
        std::exit(1);
      }
      return argv[++i];
    };
    if (a == "--host") host = next();
    else if (a == "--port") port = std::atoi(next().c_str());
    else if (a == "--connections") connections = std::atoi(next().c_str());
    else if (a == "--seconds") seconds = std::atof(next().c_str());
    else paths.push_back(a);
  }
  if (port <= 0 || paths.empty() || connections < 1 || connections > 1024 || seconds <= 0 ||
      seconds > 600) {
    std::fprintf(stderr,
                 "usage: http_bench --port P [--host H] [--connections N<=1024] [--seconds S<=600] PATH...\n");
    return 1;
  }
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::vector<double>> lat(static_cast<size_t>(connections));
  std::atomic<long> errors{0};
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c(host, port);
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);
      size_t k = size_t(t);
      while (Clock::now() < deadline) {
        auto t0 = Clock::now();
        auto r = c.Get(paths[k++ % paths.size()]);
        auto t1 = Clock::now();
        if (!r || r->status != 200) ++errors;
        lat[size_t(t)].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
    });
  }
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[size_t(p * double(all.size() - 1))]; };
  std::printf("%zu requests in %.2f s over %d connections: %.0f req/s, p50 %.3f ms, p99 %.3f ms, "
              "max %.3f ms, %ld errors\n",
              all.size(), elapsed, connections, double(all.size()) / elapsed, pct(0.50), pct(0.99),
              all.empty() ? 0.0 : all.back(), errors.load());
  return errors.load() == 0 ? 0 : 2;
}
