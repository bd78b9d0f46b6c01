// Pool lifecycle: create, open, transactions and their extents, growth,
// and relaxed versus sync durability. Readers and pins are in
// pool_readers_test.cc, damaged files in pool_damage_test.cc.
#include "pmem/pool.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <thread>

#include "pmem/layout.h"
#include "pool_test_util.h"
#include "sim_device.h"
#include "test_util.h"
#include "workload.h"

using namespace quiver;
using namespace quiver::pmem;
using quiver::testing::CommitText;
using quiver::testing::CorruptBytes;
using quiver::testing::kMiB;
using quiver::testing::MustCreate;
using quiver::testing::RootText;
using quiver::testing::TempDir;

TEST_CASE("A new pool is sparse, starts at txn 1 and reports its engine", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  {
    auto pool = MustCreate(path, 1ull << 30);
    PoolInfo i = pool->Info();
    CHECK(i.txn_id == 1);
    CHECK(i.capacity == (1ull << 30));
    CHECK(i.file_bytes == (1ull << 30));
    CHECK(i.disk_bytes < 1 * kMiB);  // sparse
    CHECK(i.used_bytes == kDataStart);
    CHECK(i.root.empty());
    CHECK(std::string(i.engine()) == (i.is_pmem ? "pmem" : "mmap"));
    CHECK(i.uuid.size() == 36);
  }
  // On disk: magic at 0, version 1, meta slot 0 holds txn 1.
  std::string bytes = testing::ReadFileBytes(path).substr(0, kDataStart);
  CHECK(bytes.substr(0, 8) == "QVRPOOL1");
  uint32_t version;
  std::memcpy(&version, bytes.data() + 8, 4);
  CHECK(version == 1);
  uint64_t txn;
  std::memcpy(&txn, bytes.data() + kMetaOffset[0] + 8, 8);
  CHECK(txn == 1);
}

TEST_CASE("Create refuses an existing path and tiny capacities", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  MustCreate(path);
  auto again = Pool::Create(path, 8 * kMiB);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == StatusCode::kAlreadyExists);
  auto tiny = Pool::Create(dir.file("q"), 4096);
  REQUIRE_FALSE(tiny.ok());
  CHECK(tiny.status().code() == StatusCode::kInvalidArgument);
  CHECK(tiny.status().message().find("minimum") != std::string::npos);
}

TEST_CASE("Committed data survives closing and reopening the pool", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  {
    auto pool = MustCreate(path);
    CommitText(*pool, "first state");
    CommitText(*pool, "second state");
  }
  auto pool = Pool::Open(path);
  REQUIRE(pool.ok());
  auto snap = (*pool)->Pin();
  REQUIRE(snap.ok());
  CHECK(snap->txn_id() == 3);
  CHECK(RootText(*snap) == "second state");
  auto ro = Pool::OpenReadOnly(path);
  REQUIRE(ro.ok());
  auto rsnap = (*ro)->Pin();
  REQUIRE(rsnap.ok());
  CHECK(RootText(*rsnap) == "second state");
}

TEST_CASE("An aborted transaction leaves the pool unchanged and returns its extents", "[pmem]") {
  TempDir dir;
  auto pool = MustCreate(dir.file("p"));
  CommitText(*pool, "kept");
  PoolInfo before = pool->Info();
  uint64_t first_offset;
  {
    auto txn = pool->Begin();
    REQUIRE(txn.ok());
    auto e = (*txn)->Allocate(100000);
    REQUIRE(e.ok());
    first_offset = e->offset;
    std::memset((*txn)->Data(*e), 0xAB, 100000);
    // Destroyed without Commit: aborted.
  }
  PoolInfo after = pool->Info();
  CHECK(after.txn_id == before.txn_id);
  CHECK(after.used_bytes == before.used_bytes);
  CHECK(after.high_water == before.high_water);
  auto txn = pool->Begin();
  REQUIRE(txn.ok());
  auto e = (*txn)->Allocate(100000);
  REQUIRE(e.ok());
  CHECK(e->offset == first_offset);
  (*txn)->Abort();
  auto snap = pool->Pin();
  REQUIRE(snap.ok());
  CHECK(RootText(*snap) == "kept");
}

TEST_CASE("Extents are page-aligned and never overlap", "[pmem]") {
  TempDir dir;
  auto pool = MustCreate(dir.file("p"));
  auto txn = pool->Begin();
  REQUIRE(txn.ok());
  std::vector<Extent> got;
  for (uint64_t size : {1ull, 64ull, 4095ull, 4096ull, 4097ull, 100000ull}) {
    auto e = (*txn)->Allocate(size);
    REQUIRE(e.ok());
    CHECK(e->offset % kPageSize == 0);
    CHECK(e->offset % 64 == 0);
    CHECK(e->length >= size);
    CHECK(e->length % kPageSize == 0);
    for (const Extent& o : got) CHECK((e->end() <= o.offset || o.end() <= e->offset));
    got.push_back(*e);
  }
  CHECK_FALSE((*txn)->Allocate(0).ok());
}

TEST_CASE("A full pool says how much was asked and how much is free", "[pmem]") {
  TempDir dir;
  auto pool = MustCreate(dir.file("p"), 1 * kMiB);
  auto txn = pool->Begin();
  REQUIRE(txn.ok());
  auto e = (*txn)->Allocate(2 * kMiB);
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().code() == StatusCode::kOutOfSpace);
  CHECK(e.status().message().find("asked for 2097152 bytes, " + std::to_string(kMiB - kDataStart) +
                                  " bytes free") != std::string::npos);
}

TEST_CASE("Grow raises capacity; readers see it and old snapshots stay valid", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto writer = MustCreate(path, 1 * kMiB);
  CommitText(*writer, "before grow");
  auto reader = Pool::OpenReadOnly(path);
  REQUIRE(reader.ok());
  auto old_snap = (*reader)->Pin();
  REQUIRE(old_snap.ok());
  REQUIRE(writer->Grow(64 * kMiB).ok());
  CHECK(writer->Info().capacity == 64 * kMiB);
  CHECK_FALSE(writer->Grow(2 * kMiB).ok());
  {
    auto txn = writer->Begin();
    REQUIRE(txn.ok());
    auto e = (*txn)->Allocate(32 * kMiB);  // did not fit before
    REQUIRE(e.ok());
    std::memset((*txn)->Data(*e), 'z', e->length);
    REQUIRE((*txn)->Commit({e->offset, e->length}).ok());
  }
  auto snap = (*reader)->Pin();
  REQUIRE(snap.ok());
  CHECK(snap->mapped_size() >= 64 * kMiB);
  auto p = snap->Read(snap->root().offset + 32 * kMiB - 1, 1);
  REQUIRE(p.ok());
  CHECK(**p == 'z');
  CHECK(RootText(*old_snap) == "before grow");
}

TEST_CASE("Auto-grow extends a full pool during a transaction", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  PoolOptions o;
  o.auto_grow_step = 4 * kMiB;
  auto pool = MustCreate(path, 1 * kMiB, o);
  auto txn = pool->Begin();
  REQUIRE(txn.ok());
  auto a = (*txn)->Allocate(512 * 1024);
  REQUIRE(a.ok());
  std::memset((*txn)->Data(*a), 'a', a->length);
  auto b = (*txn)->Allocate(3 * kMiB);
  REQUIRE(b.ok());
  std::memset((*txn)->Data(*b), 'b', b->length);
  REQUIRE((*txn)->Commit({a->offset, 16}).ok());
  CHECK(pool->Info().capacity >= 4 * kMiB);
  pool.reset();
  auto reopened = Pool::OpenReadOnly(path);
  REQUIRE(reopened.ok());
  auto snap = (*reopened)->Pin();
  REQUIRE(snap.ok());
  CHECK(*snap->Read(a->offset, 1).value() == 'a');
  CHECK(*snap->Read(b->end() - 1, 1).value() == 'b');
  CHECK(Pool::Check(path).healthy());
}

TEST_CASE("Freeing twice or freeing what was never allocated is refused", "[pmem]") {
  TempDir dir;
  auto pool = MustCreate(dir.file("p"));
  Extent root = CommitText(*pool, "x");
  auto txn = pool->Begin();
  REQUIRE(txn.ok());
  Extent page{root.offset, kPageSize};
  REQUIRE((*txn)->Free(page).ok());
  CHECK((*txn)->Free(page).code() == StatusCode::kInternal);
  CHECK((*txn)->Free({kDataStart + 100 * kPageSize, kPageSize}).code() ==
        StatusCode::kInvalidArgument);
  CHECK((*txn)->Free({root.offset + 1, kPageSize}).code() == StatusCode::kInvalidArgument);
}

namespace {

// The txn a power loss now would leave `path` at (opened from the image).
uint64_t DurableTxn(testing::SimDevice& sim, const std::string& path, const std::string& image) {
  auto img = sim.DurableImage(path);
  REQUIRE(img.has_value());
  testing::WriteFileBytes(image, *img);
  std::remove((image + ".lock").c_str());
  auto p = Pool::OpenReadOnly(image);
  REQUIRE(p.ok());
  auto s = (*p)->Pin();
  REQUIRE(s.ok());
  REQUIRE(testing::VerifyState(s->base(), s->mapped_size(), s->root()) == "");
  return s->txn_id();
}

}  // namespace

TEST_CASE("Relaxed commits become durable at the next sync commit or Sync()", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  testing::SimDevice sim(testing::SimDevice::Engine::kMsync);
  PoolOptions o;
  o.device = &sim;
  auto pool = MustCreate(path, 8 * kMiB, o);
  std::mt19937_64 rng(3);
  auto t1 = testing::WorkloadStep(*pool, rng, 24, 8192, Durability::kRelaxed);
  REQUIRE(t1.ok());
  CHECK(DurableTxn(sim, path, dir.file("img")) == 1);
  REQUIRE(pool->Sync().ok());
  CHECK(DurableTxn(sim, path, dir.file("img")) == *t1);
  auto t2 = testing::WorkloadStep(*pool, rng, 24, 8192, Durability::kRelaxed);
  auto t3 = testing::WorkloadStep(*pool, rng, 24, 8192, Durability::kSync);
  REQUIRE((t2.ok() && t3.ok()));
  CHECK(DurableTxn(sim, path, dir.file("img")) == *t3);
}

TEST_CASE("A sync commit by the next writer process makes an earlier relaxed commit durable",
          "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  testing::SimDevice sim(testing::SimDevice::Engine::kFlush);
  PoolOptions o;
  o.device = &sim;
  std::mt19937_64 rng(4);
  uint64_t relaxed = 0;
  {
    auto pool = MustCreate(path, 8 * kMiB, o);
    for (int i = 0; i < 3; ++i) {
      auto t = testing::WorkloadStep(*pool, rng, 24, 8192, Durability::kRelaxed);
      REQUIRE(t.ok());
      relaxed = *t;
    }
    CHECK(DurableTxn(sim, path, dir.file("img")) == 1);
  }  // the writer goes away without Sync
  auto pool = Pool::Open(path, o);
  REQUIRE(pool.ok());
  CHECK((*pool)->Info().txn_id == relaxed);
  CHECK(DurableTxn(sim, path, dir.file("img")) == relaxed);
}

TEST_CASE("Space freed by a relaxed commit is not reused before a durable commit", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  testing::SimDevice sim(testing::SimDevice::Engine::kMsync);
  PoolOptions o;
  o.device = &sim;
  auto pool = MustCreate(path, 8 * kMiB, o);
  Extent first = CommitText(*pool, "durable root");
  // A relaxed commit frees the durable root; the next relaxed commit must not
  // write into it, or a power loss would bring back a damaged durable state.
  for (int i = 0; i < 2; ++i) {
    auto txn = pool->Begin();
    REQUIRE(txn.ok());
    REQUIRE((*txn)->Free((*txn)->base_root()).ok());
    auto e = (*txn)->Allocate(kPageSize);
    REQUIRE(e.ok());
    CHECK(e->offset != first.offset);
    std::memset((*txn)->Data(*e), 'r', kPageSize);
    REQUIRE((*txn)->Commit({e->offset, 10}, Durability::kRelaxed).ok());
  }
  std::mt19937_64 rng(1);
  auto capture = sim.Take(path);
  REQUIRE(capture.has_value());
  auto img = std::optional<std::string>(sim.WithWriteback(*capture, rng, 1.0));
  CHECK(img->substr(first.offset, first.length) == "durable root");
  // After a sync commit the space comes back.
  REQUIRE(pool->Sync().ok());
  auto txn = pool->Begin();
  REQUIRE(txn.ok());
  auto e = (*txn)->Allocate(kPageSize);
  REQUIRE(e.ok());
  CHECK(e->offset == first.offset);
}
