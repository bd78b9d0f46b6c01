// Commit throughput of the pool: small transactions (allocate 256 bytes,
// write them, commit them as the root, free the previous root), timed over a
// fixed number of commits. Run it through tools/bench/pool_commit.sh, which
// compares /tmp and /dev/shm with and without PMEM_IS_PMEM_FORCE=1.
//
//   pool_commit_bench DIR [COMMITS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "pmem/pool.h"

using namespace quiver::pmem;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [COMMITS]\n", argv[0]);
    return 1;
  }
  std::string path = std::string(argv[1]) + "/commit-bench.pool";
  long commits = argc > 2 ? std::atol(argv[2]) : 2000;
  std::remove(path.c_str());
  std::remove((path + ".lock").c_str());
  auto pool = Pool::Create(path, 64ull << 20);
  if (!pool.ok()) {
    std::fprintf(stderr, "%s\n", pool.status().ToString().c_str());
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < commits; ++i) {
    auto txn = (*pool)->Begin();
    if (!txn.ok()) return 1;
    Extent old = (*txn)->base_root();
    auto e = (*txn)->Allocate(256);
    if (!e.ok()) return 1;
    std::memset((*txn)->Data(*e), int(i), 256);
    if (!old.empty() && !(*txn)->Free(old).ok()) return 1;
    quiver::Status s = (*txn)->Commit({e->offset, 256});
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%-12s engine=%-4s commits=%ld seconds=%.3f txn_per_s=%.0f us_per_txn=%.1f\n",
              argv[1], (*pool)->Info().engine(), commits, secs, double(commits) / secs,
              secs * 1e6 / double(commits));
  pool->reset();
  std::remove(path.c_str());
  std::remove((path + ".lock").c_str());
  return 0;
}
