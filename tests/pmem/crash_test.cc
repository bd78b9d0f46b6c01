// Crash safety of the pool: a writer process killed at random moments.
// (Power loss: power_loss_test.cc.)
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>

#include "pmem/pool.h"
#include "test_util.h"
#include "workload.h"

using namespace quiver;
using namespace quiver::pmem;
using quiver::testing::TempDir;

namespace {

// Runs random transactions forever, printing each txn id after Commit
// returned (an acknowledgement).
int CrashWriterChild(const std::vector<std::string>& args) {
  auto pool = Pool::Open(args.at(0));
  if (!pool.ok()) {
    std::fprintf(stderr, "child: %s\n", pool.status().ToString().c_str());
    return 2;
  }
  std::mt19937_64 rng(std::stoull(args.at(1)));
  for (;;) {
    auto r = testing::WorkloadStep(**pool, rng, 24, 96 * 1024);
    if (!r.ok()) {
      std::fprintf(stderr, "child: %s\n", r.status().ToString().c_str());
      return 3;
    }
    std::printf("%llu\n", (unsigned long long)*r);
    std::fflush(stdout);
  }
}
QUIVER_CHILD_ROLE("pmem-crash-writer", CrashWriterChild);

}  // namespace

TEST_CASE("A writer killed at random moments leaves the last acknowledged state intact",
          "[pmem][crash]") {
  TempDir dir;
  std::string path = dir.file("p");
  REQUIRE(Pool::Create(path, 16ull << 20).ok());
  const int kills = testing::EnvInt("QUIVER_KILL_POINTS", 200);
  const uint64_t seed =
      uint64_t(testing::EnvInt("QUIVER_KILL_SEED", int(std::random_device{}() & 0x7fffffff)));
  std::cout << "kill test: " << kills << " kill points, seed " << seed
            << " (replay with QUIVER_KILL_SEED=" << seed << ")\n";
  std::mt19937_64 rng(seed);
  uint64_t last_acked = 1;
  int killed_mid_run = 0;
  auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < kills; ++k) {
    int out = -1;
    pid_t pid = testing::SpawnChild("pmem-crash-writer", {path, std::to_string(rng())}, &out);
    // Let it acknowledge a random number of commits, then kill it a random
    // number of microseconds later: mid-commit, mid-write or between.
    int wait_acks = int(rng() % 8);
    std::string line;
    for (int a = 0; a < wait_acks && testing::ReadLine(out, &line); ++a) {
      last_acked = std::max<uint64_t>(last_acked, std::stoull(line));
    }
    usleep(useconds_t(rng() % 3000));
    kill(pid, SIGKILL);
    int rc = testing::WaitChild(pid);
    while (testing::ReadLine(out, &line))
      last_acked = std::max<uint64_t>(last_acked, std::stoull(line));
    close(out);
    INFO("seed " << seed << ", kill point " << k << ", child exit " << rc);
    REQUIRE(rc == 128 + SIGKILL);
    ++killed_mid_run;

    auto pool = Pool::Open(path);
    INFO(pool.status().ToString());
    REQUIRE(pool.ok());
    auto snap = (*pool)->Pin();
    REQUIRE(snap.ok());
    CHECK(snap->txn_id() >= last_acked);
    // At most the commit in flight can be newer than the last ack.
    CHECK(snap->txn_id() <= last_acked + 1);
    last_acked = snap->txn_id();
    REQUIRE(testing::VerifyState(snap->base(), snap->mapped_size(), snap->root()) == "");
    auto live = testing::LiveExtents(snap->base(), snap->root());
    snap = Status::Internal("released");  // drop the pin before check
    pool->reset();
    auto report = Pool::Check(path, live);
    for (auto& i : report.issues) UNSCOPED_INFO(i.where << ": " << i.problem);
    REQUIRE(report.healthy());
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "kill test: " << killed_mid_run << " kill points passed in " << secs
            << " s, last txn " << last_acked << "\n";
}
