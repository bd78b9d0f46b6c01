// Power loss at every persist point. A simulated device (tests/sim_device.h)
// keeps only what really reached the disk; before every persist, fsync and
// directory fsync of every operation — create, sync and relaxed commits,
// inline and out-of-line free lists, grow and auto-grow, reopen — the test
// takes the durable image and variants in which random dirty pages (or cache
// lines) were written back early, and each image must: open as reader and as
// writer, pass Check with its live extents, hold exactly one committed state
// (every extent its pattern) no older than the last acknowledged durable
// commit, and take a new commit. Both engines: msync (4 KiB pages) and cache
// flush (64-byte lines). Then the same with an I/O error injected at each
// effect in turn: the failed operation is not acknowledged, the pool refuses
// writes until reopened, readers never see the unacknowledged state.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <random>
#include <string_view>
#include <unordered_map>

#include "pmem/layout.h"
#include "pmem/pool.h"
#include "power_loss_driver.h"
#include "sim_device.h"
#include "test_util.h"
#include "workload.h"

using namespace quiver;
using namespace quiver::pmem;
using quiver::testing::SimDevice;
using quiver::testing::TempDir;

namespace {

constexpr uint64_t kMiB = 1ull << 20;
// Grow and auto-grow stop here, so images stay small (auto-grow doubles).
constexpr uint64_t kMaxCapacity = 4 * kMiB;

// Images go to /dev/shm when it exists: each is written, opened, checked and
// committed to, so msync there costs microseconds instead of milliseconds.
std::string ScratchDir(const TempDir& dir) {
  struct stat st {};
  if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0) {
    return "/dev/shm";
  }
  return dir.path();
}

class PowerLoss {
 public:
  PowerLoss(SimDevice::Engine engine, const TempDir& dir, uint64_t seed)
      : sim_(engine), rng_(seed) {
    path_ = dir.file("pool");
    image_ =
        ScratchDir(dir) + "/quiver-image-" + std::to_string(getpid()) + "-" + sim_.engine_name();
    sim_.on_effect = [this](const char* what) {
      std::string w = what;
      if (w == "persist" || w == "fsync" || w == "fsync directory") Images(what);
    };
  }
  ~PowerLoss() {
    unlink(image_.c_str());
    unlink((image_ + ".lock").c_str());
  }

  void Run(int ops) {
    op_ = "create";
    PoolOptions o = Options();
    auto created = Pool::Create(path_, kMiB, o);
    REQUIRE(created.ok());
    pool_ = std::move(created).value();
    created_ = true;
    newest_ = floor_ = 1;
    Images("end of create");
    for (int i = 0; i < ops; ++i) Step();
    capacity_ = pool_->Info().capacity;
    pool_.reset();
  }

  void Report() const {
    for (auto& [op, n] : by_op_) std::cout << "  " << op << ": " << n << " images\n";
    std::cout << "power loss (" << sim_.engine_name() << "): " << images_ << " images (" << repeats_
              << " repeats of an image verified before), " << writeback_units_
              << " units written back early, final capacity " << (capacity_ >> 20) << " MiB, "
              << failures_.size() << " bad\n";
  }
  uint64_t images() const { return images_; }
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  PoolOptions Options() {
    PoolOptions o;
    o.device = &sim_;
    o.auto_grow_step = kMiB;
    return o;
  }

  // One random operation; keeps floor_ (the newest txn whose durability was
  // acknowledged) and newest_ (the newest txn acknowledged at all).
  void Step() {
    uint64_t r = rng_() % 100;
    if (r < 40) {
      op_ = "sync commit";
      Commit(Durability::kSync, 24, 96 * 1024, 3);
    } else if (r < 60) {
      int n = 1 + int(rng_() % 4);
      op_ = "relaxed commits";
      for (int i = 0; i < n; ++i) Commit(Durability::kRelaxed, 24, 64 * 1024, 3);
      if (rng_() % 2) {
        op_ = "sync commit after relaxed";
        Commit(Durability::kSync, 24, 64 * 1024, 3);
      } else {
        op_ = "Sync after relaxed";
        REQUIRE(pool_->Sync().ok());
        floor_ = newest_;
      }
    } else if (r < 70) {
      // Many small extents, then free all but a few at once: hundreds of free
      // runs tagged with one txn, so the free list leaves the meta page.
      op_ = "many small extents";
      Commit(Durability::kSync, 400, 4096, 80);
      Commit(Durability::kSync, 400, 4096, 80);
      op_ = "free list out of line";
      Commit(Durability::kSync, 6, 4096, 2);
    } else if (r < 78 && pool_->Info().capacity < kMaxCapacity) {
      op_ = "grow";
      REQUIRE(pool_->Grow(pool_->Info().capacity + kMiB).ok());
      newest_ = floor_ = pool_->Info().txn_id;
    } else if (r < 86) {
      op_ = "relaxed then reopen";
      Commit(Durability::kRelaxed, 24, 32 * 1024, 3);
      pool_.reset();
      auto p = Pool::Open(path_, Options());
      REQUIRE(p.ok());
      pool_ = std::move(p).value();
      floor_ = newest_;  // Open makes the current state durable
    } else if (r >= 86 && pool_->Info().capacity < kMaxCapacity) {
      // An extent larger than the free space: the pool grows by itself.
      op_ = "auto-grow";
      PoolInfo info = pool_->Info();
      uint64_t over = info.capacity - info.high_water + 4096;
      Commit(rng_() % 2 ? Durability::kSync : Durability::kRelaxed, 4, 64 * 1024, 1, over);
    } else {
      op_ = "sync commit";
      Commit(Durability::kSync, 24, 96 * 1024, 3);
    }
    Images("end of operation");
  }

  void Commit(Durability d, size_t max_live, uint64_t max_extent, size_t max_allocs,
              uint64_t min_extent = 8) {
    auto r = testing::WorkloadStep(*pool_, rng_, max_live, max_extent, d, max_allocs, min_extent);
    INFO(op_ << ": " << r.status().ToString());
    REQUIRE(r.ok());
    newest_ = *r;
    if (d == Durability::kSync) floor_ = *r;
  }

  void Images(const char* what) {
    auto c = sim_.Take(path_);
    if (!c) return Check(std::nullopt, what);
    Check(c->durable, what);
    for (double p : {0.1, 0.5, 1.0}) {
      uint64_t units = 0;
      Check(sim_.WithWriteback(*c, rng_, p, &units), what);
      writeback_units_ += units;
    }
  }

  void Bad(const std::string& why) {
    if (failures_.size() < 20) {
      failures_.push_back(std::string(sim_.engine_name()) + ", " + op_ + ", image " +
                          std::to_string(images_) + ": " + why);
    }
  }

  void Check(const std::optional<std::string>& img, const char* what) {
    ++images_;
    ++by_op_[op_];
    if (!img) {
      if (created_) Bad(std::string("no pool file after a power loss at ") + what);
      return;
    }
    // The same bytes were verified before: only the txn window can differ.
    size_t key = testing::QuickHash(*img);
    auto seen = verified_.find(key);
    if (seen != verified_.end()) {
      ++repeats_;
      if (seen->second < floor_ || seen->second > newest_ + 1) {
        Bad("opens at txn " + std::to_string(seen->second) + ", durable floor " +
            std::to_string(floor_) + ", newest acknowledged " + std::to_string(newest_));
      }
      return;
    }
    testing::WriteSparse(image_, *img);
    unlink((image_ + ".lock").c_str());
    uint64_t txn = 0;
    {
      auto ro = Pool::OpenReadOnly(image_);
      if (!ro.ok()) return Bad("open read-only: " + ro.status().ToString());
      auto snap = (*ro)->Pin();
      if (!snap.ok()) return Bad("pin: " + snap.status().ToString());
      txn = snap->txn_id();
      // The last durable state or a later one: at most the commit in flight
      // beyond the newest acknowledged.
      if (txn < floor_ || txn > newest_ + 1) {
        return Bad("opens at txn " + std::to_string(txn) + ", durable floor " +
                   std::to_string(floor_) + ", newest acknowledged " + std::to_string(newest_));
      }
      std::string err = testing::VerifyState(snap->base(), snap->mapped_size(), snap->root());
      if (!err.empty()) return Bad("txn " + std::to_string(txn) + ": " + err);
      auto live = testing::LiveExtents(snap->base(), snap->root());
      auto report = Pool::Check(image_, live);
      if (!report.healthy()) {
        return Bad("check: " + report.issues[0].where + ": " + report.issues[0].problem);
      }
    }
    // The writer opens it (loading the free list) and commits again, growing
    // as the pool the image came from does: a state the workload left nearly
    // full (hundreds of small extents at 1 MiB) may need more room for the
    // commit, which the pool under test would have taken by auto-growing.
    PoolOptions grow;
    grow.auto_grow_step = kMiB;
    auto w = Pool::Open(image_, grow);
    if (!w.ok()) return Bad("open as writer: " + w.status().ToString());
    std::mt19937_64 local(txn);
    auto next = testing::WorkloadStep(**w, local, 24, 32 * 1024);
    if (!next.ok()) return Bad("commit after reopen: " + next.status().ToString());
    w->reset();
    auto again = Pool::OpenReadOnly(image_);
    if (!again.ok()) return Bad("reopen after commit: " + again.status().ToString());
    auto s2 = (*again)->Pin();
    if (!s2.ok() || s2->txn_id() != *next) return Bad("commit after reopen not visible");
    std::string err = testing::VerifyState(s2->base(), s2->mapped_size(), s2->root());
    if (!err.empty()) return Bad("after a commit on the image: " + err);
    verified_[key] = txn;
  }

  SimDevice sim_;
  std::mt19937_64 rng_;
  std::string path_, image_, op_;
  std::unique_ptr<Pool> pool_;
  bool created_ = false;
  uint64_t floor_ = 0, newest_ = 0, images_ = 0, writeback_units_ = 0, capacity_ = 0;
  std::map<std::string, uint64_t> by_op_;
  std::unordered_map<size_t, uint64_t> verified_;  // image hash -> txn it opened at
  uint64_t repeats_ = 0;
  std::vector<std::string> failures_;
};

}  // namespace

TEST_CASE("Every power-loss image of every persist point opens to a durable state",
          "[pmem][crash]") {
  testing::RunPowerLoss<PowerLoss>("power-loss test", "QUIVER_POWER_LOSS_OPS", 300, 20);
}
