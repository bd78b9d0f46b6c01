// I/O faults at every effect: the simulated device fails the n-th persist,
// fsync, resize or reservation of a script of operations with EIO (and
// ENOSPC). The failed operation is never acknowledged; after a failed persist
// the pool refuses every write until reopened; a reader never pins the state
// that was being written; the live file and the power-loss image both open
// to an acknowledged state.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <iostream>
#include <random>

#include "pmem/pool.h"
#include "sim_device.h"
#include "test_util.h"
#include "workload.h"

using namespace quiver;
using namespace quiver::pmem;
using quiver::testing::SimDevice;
using quiver::testing::TempDir;

namespace {

constexpr uint64_t kMiB = 1ull << 20;

struct Outcome {
  bool failed = false;   // an operation returned an error
  bool stopped = false;  // the pool refused writes afterwards
  uint64_t newest = 0;   // newest acknowledged txn
  uint64_t floor = 0;    // newest durably acknowledged txn
  std::string error;
};

// Runs a fixed script until an operation fails. Every effect counts.
Outcome RunScript(Pool& pool, std::mt19937_64& rng, uint64_t start_txn) {
  Outcome o;
  o.newest = o.floor = start_txn;
  auto step = [&](Durability d, uint64_t min_extent) -> bool {
    auto r = testing::WorkloadStep(pool, rng, 24, 32 * 1024, d, 3, min_extent);
    if (!r.ok()) {
      o.failed = true;
      o.error = r.status().ToString();
      return false;
    }
    o.newest = *r;
    if (d == Durability::kSync) o.floor = *r;
    return true;
  };
  if (!step(Durability::kSync, 8)) return o;
  if (!step(Durability::kRelaxed, 8)) return o;
  if (!step(Durability::kRelaxed, 8)) return o;
  if (Status s = pool.Sync(); !s.ok()) {
    o.failed = true;
    o.error = s.ToString();
    return o;
  }
  o.floor = o.newest;
  if (Status s = pool.Grow(pool.Info().capacity + kMiB); !s.ok()) {
    o.failed = true;
    o.error = s.ToString();
    return o;
  }
  o.newest = o.floor = pool.Info().txn_id;
  PoolInfo info = pool.Info();
  if (!step(Durability::kSync, info.capacity - info.high_water + 4096)) return o;  // auto-grow
  step(Durability::kSync, 8);
  return o;
}

}  // namespace

TEST_CASE("An I/O error at any effect is never acknowledged and stops the writer",
          "[pmem][crash]") {
  int scenarios = 0, stopped = 0;
  for (int err : {EIO, ENOSPC}) {
    for (uint64_t n = 1;; ++n) {
      TempDir dir;
      std::string path = dir.file("p");
      SimDevice sim(SimDevice::Engine::kMsync);
      PoolOptions opts;
      opts.device = &sim;
      opts.auto_grow_step = kMiB;
      auto pool = Pool::Create(path, 2 * kMiB, opts);
      REQUIRE(pool.ok());
      std::mt19937_64 rng(n);
      for (int i = 0; i < 3; ++i) REQUIRE(testing::WorkloadStep(**pool, rng).ok());
      uint64_t start = (*pool)->Info().txn_id;
      sim.FailAt(n, err);
      Outcome o = RunScript(**pool, rng, start);
      if (!o.failed) break;  // n is past the script's last effect
      ++scenarios;
      INFO("errno " << err << ", effect " << n << ": " << o.error);
      // Readers see exactly the acknowledged state, never the one in flight.
      {
        auto reader = Pool::OpenReadOnly(path);
        REQUIRE(reader.ok());
        auto snap = (*reader)->Pin();
        REQUIRE(snap.ok());
        CHECK(snap->txn_id() == o.newest);
        CHECK(testing::VerifyState(snap->base(), snap->mapped_size(), snap->root()) == "");
      }
      // A failed persist stops the writer; a failed reservation does not.
      auto next = (*pool)->Begin();
      if (!next.ok()) {
        ++stopped;
        CHECK(next.status().message().find("stopped accepting writes") != std::string::npos);
        CHECK((*pool)->Sync().code() == next.status().code());
      } else {
        next->reset();
      }
      // A power loss now leaves an acknowledged durable state or later.
      auto img = sim.DurableImage(path);
      REQUIRE(img.has_value());
      testing::WriteFileBytes(dir.file("img"), *img);
      {
        auto p = Pool::OpenReadOnly(dir.file("img"));
        REQUIRE(p.ok());
        auto snap = (*p)->Pin();
        REQUIRE(snap.ok());
        CHECK(snap->txn_id() >= o.floor);
        CHECK(snap->txn_id() <= o.newest + 1);
        CHECK(testing::VerifyState(snap->base(), snap->mapped_size(), snap->root()) == "");
      }
      // Reopened, the writer starts from the acknowledged state and commits.
      pool->reset();
      auto again = Pool::Open(path);
      REQUIRE(again.ok());
      CHECK((*again)->Info().txn_id == o.newest);
      CHECK(testing::WorkloadStep(**again, rng).ok());
    }
  }
  std::cout << "fault test: " << scenarios << " injected faults, " << stopped
            << " stopped the writer\n";
  CHECK(scenarios > 20);
  CHECK(stopped > 5);
}
