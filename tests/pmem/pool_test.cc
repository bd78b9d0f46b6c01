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
#include "sim_device.h"
#include "test_util.h"
#include "workload.h"

using namespace quiver;
using namespace quiver::pmem;
using quiver::testing::TempDir;

namespace {

constexpr uint64_t kMiB = 1ull << 20;

std::unique_ptr<Pool> MustCreate(const std::string& path, uint64_t cap = 8 * kMiB,
                                 PoolOptions o = {}) {
  auto p = Pool::Create(path, cap, std::move(o));
  INFO(p.status().ToString());
  REQUIRE(p.ok());
  return std::move(p).value();
}

// Commits one extent holding `text` as the root; returns the extent.
Extent CommitText(Pool& pool, const std::string& text) {
  auto txn = pool.Begin();
  REQUIRE(txn.ok());
  auto e = (*txn)->Allocate(text.size());
  REQUIRE(e.ok());
  std::memcpy((*txn)->Data(*e), text.data(), text.size());
  Extent root{e->offset, text.size()};
  REQUIRE((*txn)->Commit(root).ok());
  return root;
}

std::string RootText(const Snapshot& s) {
  auto p = s.Read(s.root().offset, s.root().length);
  REQUIRE(p.ok());
  return std::string(reinterpret_cast<const char*>(*p), s.root().length);
}

void CorruptBytes(const std::string& path, uint64_t offset, const std::string& bytes) {
  int fd = open(path.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(pwrite(fd, bytes.data(), bytes.size(), off_t(offset)) == ssize_t(bytes.size()));
  close(fd);
}

}  // namespace

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

TEST_CASE("A second writer is refused at once with the holder's pid", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto pool = MustCreate(path);
  auto second = Pool::Open(path);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == StatusCode::kLocked);
  CHECK(second.status().message() == "pool " + path + " is locked by pid " +
                                         std::to_string(getpid()) +
                                         " (another writer has it open)");
  // Readers are not blocked by the writer.
  auto reader = Pool::OpenReadOnly(path);
  REQUIRE(reader.ok());
  REQUIRE((*reader)->Pin().ok());
  pool.reset();
  CHECK(Pool::Open(path).ok());  // the lock is released with the writer
}

namespace {
int LockHolderChild(const std::vector<std::string>& args) {
  auto pool = Pool::Open(args.at(0));
  if (!pool.ok()) return 2;
  std::printf("locked\n");
  std::fflush(stdout);
  char c;
  while (read(STDIN_FILENO, &c, 1) > 0) {
  }
  return 0;
}
QUIVER_CHILD_ROLE("pmem-lock-holder", LockHolderChild);
}  // namespace

TEST_CASE("A writer in another process locks out this one and its death frees the lock", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  MustCreate(path).reset();
  int out = -1, in = -1;
  pid_t pid = testing::SpawnChild("pmem-lock-holder", {path}, &out, &in);
  std::string line;
  REQUIRE(testing::ReadLine(out, &line));
  REQUIRE(line == "locked");
  auto second = Pool::Open(path);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().message().find("locked by pid " + std::to_string(pid)) !=
        std::string::npos);
  kill(pid, SIGKILL);
  CHECK(testing::WaitChild(pid) == 128 + SIGKILL);
  close(out);
  close(in);
  CHECK(Pool::Open(path).ok());
}

TEST_CASE("Deleting the reader table does not let a second writer in or lose a pin", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  int out = -1, in = -1;
  MustCreate(path).reset();
  pid_t pid = testing::SpawnChild("pmem-lock-holder", {path}, &out, &in);
  std::string line;
  REQUIRE(testing::ReadLine(out, &line));
  REQUIRE(std::remove((path + ".lock").c_str()) == 0);
  auto second = Pool::Open(path);  // makes a new reader table: still refused
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == StatusCode::kLocked);
  close(in);
  CHECK(testing::WaitChild(pid) == 0);
  close(out);

  // A writer whose reader table is deleted keeps honouring pins taken
  // before (old file) and after (new file).
  auto writer = Pool::Open(path);
  REQUIRE(writer.ok());
  // Each commit frees the previous root and writes a new one.
  std::vector<uint64_t> offsets;
  auto replace = [&](const std::string& text) {
    auto txn = (*writer)->Begin();
    REQUIRE(txn.ok());
    if (!(*txn)->base_root().empty()) REQUIRE((*txn)->Free((*txn)->base_root()).ok());
    auto e = (*txn)->Allocate(text.size());
    REQUIRE(e.ok());
    std::memcpy((*txn)->Data(*e), text.data(), text.size());
    REQUIRE((*txn)->Commit({e->offset, text.size()}).ok());
    offsets.push_back(e->offset);
  };
  replace("first");
  auto early = Pool::OpenReadOnly(path);
  REQUIRE(early.ok());
  auto early_snap = (*early)->Pin();
  REQUIRE(early_snap.ok());
  REQUIRE(std::remove((path + ".lock").c_str()) == 0);
  replace("second");
  auto late = Pool::OpenReadOnly(path);  // registers in the new reader table
  REQUIRE(late.ok());
  auto late_snap = (*late)->Pin();
  REQUIRE(late_snap.ok());
  for (int i = 0; i < 4; ++i) replace("later " + std::to_string(i));
  // Neither pinned root was reused.
  for (size_t i = 2; i < offsets.size(); ++i) {
    CHECK(offsets[i] != offsets[0]);
    CHECK(offsets[i] != offsets[1]);
  }
  CHECK(RootText(*early_snap) == "first");
  CHECK(RootText(*late_snap) == "second");
  early_snap = Status::Internal("released");
  late_snap = Status::Internal("released");
  replace("after release");
  replace("after release 2");
  CHECK((offsets.back() == offsets[0] || offsets.back() == offsets[1] ||
         offsets[offsets.size() - 2] == offsets[0] || offsets[offsets.size() - 2] == offsets[1]));
}

TEST_CASE("A full reader table is a clear error and a released slot is reused", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto pool = MustCreate(path, 64 * kMiB);
  auto reader = Pool::OpenReadOnly(path);
  REQUIRE(reader.ok());
  // One reader slot per pinned txn: pin kReaderSlots different txns.
  std::vector<Snapshot> pins;
  for (uint32_t i = 0; i < kReaderSlots; ++i) {
    CommitText(*pool, "t" + std::to_string(i));
    auto s = (*reader)->Pin();
    REQUIRE(s.ok());
    pins.push_back(std::move(s).value());
  }
  CommitText(*pool, "one more");
  auto full = (*reader)->Pin();
  REQUIRE_FALSE(full.ok());
  CHECK(full.status().code() == StatusCode::kResourceExhausted);
  CHECK(full.status().message() == "all 1023 reader slots of " + path +
                                       ".lock are in use by live processes: close some "
                                       "readers (quiver pool info lists them)");
  CHECK(pool->Info().readers.size() == kReaderSlots);
  pins.erase(pins.begin());
  auto again = (*reader)->Pin();
  REQUIRE(again.ok());
  CHECK(RootText(*again) == "one more");
}

TEST_CASE("A reader's snapshot stays on its txn while the writer commits", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto writer = MustCreate(path);
  CommitText(*writer, "v1");
  auto reader = Pool::OpenReadOnly(path);
  REQUIRE(reader.ok());
  auto s1 = (*reader)->Pin();
  REQUIRE(s1.ok());
  CommitText(*writer, "v2");
  CHECK(RootText(*s1) == "v1");
  auto s2 = (*reader)->Pin();
  REQUIRE(s2.ok());
  CHECK(RootText(*s2) == "v2");
  CHECK(s2->txn_id() == s1->txn_id() + 1);
  auto info = writer->Info();
  REQUIRE(info.readers.size() == 2);
  CHECK(info.readers[0].pid == uint32_t(getpid()));
}

TEST_CASE("An extent freed after a reader's txn is reused only once the reader lets go", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto writer = MustCreate(path);
  Extent old_root = CommitText(*writer, std::string(5000, 'x'));
  auto reader = Pool::OpenReadOnly(path);
  REQUIRE(reader.ok());
  auto pinned = (*reader)->Pin();
  REQUIRE(pinned.ok());
  {
    // Free the pinned state's extent and replace the root.
    auto txn = writer->Begin();
    REQUIRE(txn.ok());
    REQUIRE((*txn)->Free({old_root.offset, 8192}).ok());
    auto e = (*txn)->Allocate(10);
    REQUIRE(e.ok());
    CHECK(e->offset != old_root.offset);  // not reusable within the freeing txn
    std::memcpy((*txn)->Data(*e), "new root!!", 10);
    REQUIRE((*txn)->Commit({e->offset, 10}).ok());
  }
  auto pending = writer->Info();
  CHECK(pending.free_list_pending >= 8192);
  for (int i = 0; i < 5; ++i) {
    auto txn = writer->Begin();
    REQUIRE(txn.ok());
    auto e = (*txn)->Allocate(8192);
    REQUIRE(e.ok());
    CHECK(e->offset != old_root.offset);
    std::memset((*txn)->Data(*e), 'y', 8192);
    REQUIRE((*txn)->Commit((*txn)->base_root()).ok());
  }
  CHECK(RootText(*pinned) == std::string(5000, 'x'));
  {
    // Re-pinning moves the reader to the newest txn and releases the old pin.
    auto fresh = (*reader)->Pin();
    REQUIRE(fresh.ok());
    *pinned = std::move(fresh.value());
  }
  bool reused = false;
  for (int i = 0; i < 2 && !reused; ++i) {
    auto txn = writer->Begin();
    REQUIRE(txn.ok());
    auto e = (*txn)->Allocate(8192);
    REQUIRE(e.ok());
    reused = e->offset == old_root.offset;
    REQUIRE((*txn)->Commit((*txn)->base_root()).ok());
  }
  CHECK(reused);
}

namespace {
// Holds a snapshot of the pool and verifies it repeatedly until stdin closes.
int PinningReaderChild(const std::vector<std::string>& args) {
  auto pool = Pool::OpenReadOnly(args.at(0));
  if (!pool.ok()) {
    std::printf("error %s\n", pool.status().ToString().c_str());
    return 2;
  }
  int rounds = std::stoi(args.at(1));
  for (int r = 0; r < rounds; ++r) {
    auto snap = (*pool)->Pin();
    if (!snap.ok()) return 3;
    std::printf("pinned %llu\n", (unsigned long long)snap->txn_id());
    std::fflush(stdout);
    // Hold the snapshot until the writer has committed 8 more transactions
    // (observed through fresh pins), verifying it all along: without the
    // pin, the writer would have recycled its extents by then.
    for (;;) {
      std::string err = testing::VerifyState(snap->base(), snap->mapped_size(), snap->root());
      if (!err.empty()) {
        std::printf("torn %s\n", err.c_str());
        std::fflush(stdout);
        return 4;
      }
      auto latest = (*pool)->Pin();
      if (!latest.ok()) return 5;
      if (latest->txn_id() >= snap->txn_id() + 8) break;
    }
  }
  std::printf("done\n");
  std::fflush(stdout);
  return 0;
}
QUIVER_CHILD_ROLE("pmem-pinning-reader", PinningReaderChild);
}  // namespace

TEST_CASE("A reader process sees one consistent snapshot while the writer commits and frees",
          "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto writer = MustCreate(path, 4 * kMiB);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20; ++i) REQUIRE(testing::WorkloadStep(*writer, rng, 12, 16 * 1024).ok());
  int out = -1;
  pid_t pid = testing::SpawnChild("pmem-pinning-reader", {path, "30"}, &out);
  std::string line;
  REQUIRE(testing::ReadLine(out, &line));
  REQUIRE(line.rfind("pinned", 0) == 0);
  // Keep committing (and recycling space in a small pool) while it reads.
  std::thread drain([&] {
    std::string l;
    while (testing::ReadLine(out, &l)) {
      if (l.rfind("torn", 0) == 0) FAIL_CHECK("reader saw a torn snapshot: " << l);
    }
  });
  int commits = 0;
  auto child_running = [pid] {
    siginfo_t info{};
    // WNOWAIT: look without reaping, so WaitChild still gets the status.
    return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0;
  };
  while (child_running() && commits < 20000) {
    auto r = testing::WorkloadStep(*writer, rng, 12, 16 * 1024);
    REQUIRE(r.ok());
    ++commits;
  }
  if (child_running()) {
    kill(pid, SIGKILL);  // it should have finished after 30 * 8 commits
    FAIL_CHECK("reader did not finish after " << commits << " commits");
  }
  int rc = testing::WaitChild(pid);
  drain.join();
  close(out);
  CHECK(rc == 0);
  CHECK(commits > 0);
  auto snap = writer->Pin();
  REQUIRE(snap.ok());
  CHECK(testing::VerifyState(snap->base(), snap->mapped_size(), snap->root()) == "");
}

namespace {
int PinAndHangChild(const std::vector<std::string>& args) {
  auto pool = Pool::OpenReadOnly(args.at(0));
  if (!pool.ok()) return 2;
  auto snap = (*pool)->Pin();
  if (!snap.ok()) return 3;
  std::printf("pinned %llu\n", (unsigned long long)snap->txn_id());
  std::fflush(stdout);
  char c;
  while (read(STDIN_FILENO, &c, 1) > 0) {
  }
  return 0;
}
QUIVER_CHILD_ROLE("pmem-pin-and-hang", PinAndHangChild);
}  // namespace

TEST_CASE("The pin of a reader process that dies is reclaimed", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  auto writer = MustCreate(path);
  Extent old_root = CommitText(*writer, "pinned state");
  int out = -1, in = -1;
  pid_t pid = testing::SpawnChild("pmem-pin-and-hang", {path}, &out, &in);
  std::string line;
  REQUIRE(testing::ReadLine(out, &line));
  CHECK(line == "pinned 2");
  auto info = writer->Info();
  REQUIRE(info.readers.size() == 1);
  CHECK(info.readers[0].pid == uint32_t(pid));
  CHECK(info.readers[0].txn_id == 2);
  {
    auto txn = writer->Begin();
    REQUIRE(txn.ok());
    REQUIRE((*txn)->Free({old_root.offset, kPageSize}).ok());
    REQUIRE((*txn)->Commit({}).ok());
  }
  {
    auto txn = writer->Begin();
    REQUIRE(txn.ok());
    auto e = (*txn)->Allocate(kPageSize);
    REQUIRE(e.ok());
    CHECK(e->offset != old_root.offset);  // still pinned by the live child
  }
  kill(pid, SIGKILL);
  CHECK(testing::WaitChild(pid) == 128 + SIGKILL);
  close(out);
  close(in);
  CHECK(writer->Info().readers.empty());
  auto txn = writer->Begin();
  REQUIRE(txn.ok());
  auto e = (*txn)->Allocate(kPageSize);
  REQUIRE(e.ok());
  CHECK(e->offset == old_root.offset);
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

// ---------------------------------------------------------------------------
// Damaged and foreign files
// ---------------------------------------------------------------------------

TEST_CASE("Opening something that is not a pool gives a clear error", "[pmem]") {
  TempDir dir;
  SECTION("missing file") {
    auto p = Pool::Open(dir.file("nope"));
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().code() == StatusCode::kNotFound);
  }
  SECTION("a directory") {
    auto p = Pool::OpenReadOnly(dir.path());
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message() == dir.path() + " is a directory, not a pool file");
    auto c = Pool::Create(dir.path(), 8 * kMiB);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message() == dir.path() + " is a directory, not a pool file");
  }
  SECTION("an empty file") {
    testing::WriteFileBytes(dir.file("e"), "");
    auto p = Pool::Open(dir.file("e"));
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message() == dir.file("e") + " is an empty file, not a Quiver pool");
  }
  SECTION("random bytes") {
    std::mt19937_64 rng(1);
    std::string junk(64 * 1024, '\0');
    for (auto& c : junk) c = char(rng());
    testing::WriteFileBytes(dir.file("r"), junk);
    auto p = Pool::OpenReadOnly(dir.file("r"));
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message() ==
          dir.file("r") + " is not a Quiver pool (no pool magic at offset 0)");
    CHECK_FALSE(Pool::Check(dir.file("r")).healthy());
  }
  SECTION("a file with no permission") {
    if (geteuid() == 0) return;  // root reads anything
    std::string path = dir.file("np");
    MustCreate(path).reset();
    chmod(path.c_str(), 0);
    auto p = Pool::Open(path);
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().code() == StatusCode::kPermissionDenied);
  }
}

TEST_CASE("A truncated pool is refused with both sizes named", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  MustCreate(path, 8 * kMiB).reset();
  REQUIRE(truncate(path.c_str(), 4 * kMiB) == 0);
  auto p = Pool::Open(path);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == StatusCode::kCorruption);
  CHECK(p.status().message().find(
            "file is truncated: 4194304 bytes, the pool's capacity is 8388608") !=
        std::string::npos);
  REQUIRE(truncate(path.c_str(), 5000) == 0);
  auto q = Pool::OpenReadOnly(path);
  REQUIRE_FALSE(q.ok());
  CHECK(q.status().message() == path + " is truncated: 5000 bytes, a pool has at least 12288");
  CHECK_FALSE(Pool::Check(path).healthy());
}

TEST_CASE("A future format version is refused as unsupported", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  MustCreate(path).reset();
  uint32_t v = 2;
  CorruptBytes(path, 8, std::string(reinterpret_cast<char*>(&v), 4));
  auto p = Pool::Open(path);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == StatusCode::kNotSupported);
  CHECK(p.status().message() == path + " has pool format version 2; this build reads version 1");
}

TEST_CASE("A damaged superblock is reported with its offset", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  MustCreate(path).reset();
  CorruptBytes(path, 40, "\x01");
  auto p = Pool::Open(path);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == StatusCode::kCorruption);
  CHECK(p.status().message().find("superblock checksum mismatch at offset 0") != std::string::npos);
}

TEST_CASE("A torn newest meta slot falls back to the previous state", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  {
    auto pool = MustCreate(path);
    CommitText(*pool, "txn 2");  // slot 1
    CommitText(*pool, "txn 3");  // slot 0
  }
  SECTION("zeroed") { CorruptBytes(path, kMetaOffset[0], std::string(128, '\0')); }
  SECTION("one flipped byte") { CorruptBytes(path, kMetaOffset[0] + 33, "\x7f"); }
  SECTION("half written") { CorruptBytes(path, kMetaOffset[0] + 64, std::string(64, '\xff')); }
  auto pool = Pool::Open(path);
  REQUIRE(pool.ok());
  auto snap = (*pool)->Pin();
  REQUIRE(snap.ok());
  CHECK(snap->txn_id() == 2);
  CHECK(RootText(*snap) == "txn 2");
  auto report = Pool::Check(path);
  CHECK(report.healthy());
  // The next commit overwrites the torn slot and moves on from txn 2.
  CommitText(**pool, "txn 3 again");
  pool->reset();
  auto reopened = Pool::OpenReadOnly(path);
  REQUIRE(reopened.ok());
  CHECK(RootText(*(*reopened)->Pin()) == "txn 3 again");
}

TEST_CASE("Both meta slots damaged is a clear error naming both", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  {
    auto pool = MustCreate(path);
    CommitText(*pool, "x");
  }
  CorruptBytes(path, kMetaOffset[0] + 16, "\x01\x02");
  CorruptBytes(path, kMetaOffset[1], std::string(128, '\0'));
  auto p = Pool::Open(path);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == StatusCode::kCorruption);
  CHECK(p.status().message().find(
            "both meta slots are damaged: slot 0 at offset 4096: checksum mismatch") !=
        std::string::npos);
  CHECK(p.status().message().find("slot 1 at offset 8192: empty (never written)") !=
        std::string::npos);
  auto report = Pool::Check(path);
  REQUIRE_FALSE(report.healthy());
  CHECK(report.issues[0].where == "meta slots");
}

TEST_CASE("Check reports overlapping extents", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  std::mt19937_64 rng(3);
  auto pool = MustCreate(path);
  for (int i = 0; i < 10; ++i) REQUIRE(testing::WorkloadStep(*pool, rng).ok());
  auto snap = pool->Pin();
  REQUIRE(snap.ok());
  auto live = testing::LiveExtents(snap->base(), snap->root());
  CHECK(Pool::Check(path, live).healthy());
  live.push_back({live[0].offset + kPageSize, kPageSize});  // inside another live extent
  auto bad = Pool::Check(path, live);
  REQUIRE_FALSE(bad.healthy());
  CHECK(bad.issues[0].problem.find("overlaps") != std::string::npos);
  live.pop_back();
  live.push_back({kDataStart + 1000 * kMiB, kPageSize});  // beyond the high-water mark
  CHECK_FALSE(Pool::Check(path, live).healthy());
}

TEST_CASE("A long free list lives in its own checksummed extent", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  uint64_t freelist_offset = 0;
  {
    auto pool = MustCreate(path, 16 * kMiB);
    std::vector<Extent> pages;
    {
      auto txn = pool->Begin();
      REQUIRE(txn.ok());
      for (int i = 0; i < 400; ++i) pages.push_back((*txn)->Allocate(kPageSize).value());
      REQUIRE((*txn)->Commit({}).ok());
    }
    auto txn = pool->Begin();
    REQUIRE(txn.ok());
    for (size_t i = 0; i < pages.size(); i += 2) REQUIRE((*txn)->Free(pages[i]).ok());
    REQUIRE((*txn)->Commit({}).ok());
    PoolInfo info = pool->Info();
    CHECK(info.free_extents >= 200);
    std::string bytes = testing::ReadFileBytes(path);
    MetaSlot m;
    std::memcpy(&m, bytes.data() + kMetaOffset[info.txn_id % 2 == 1 ? 0 : 1], sizeof m);
    CHECK(m.txn_id == info.txn_id);
    CHECK(m.inline_free_count == 0);
    freelist_offset = m.freelist_offset;
  }
  REQUIRE(freelist_offset != 0);
  REQUIRE(Pool::Check(path).healthy());
  {
    auto reopened = Pool::Open(path);
    REQUIRE(reopened.ok());
    CHECK((*reopened)->Info().free_extents >= 200);
  }
  CorruptBytes(path, freelist_offset + sizeof(FreeListHeader) + 3, "\x55");
  auto report = Pool::Check(path);
  REQUIRE_FALSE(report.healthy());
  CHECK(report.issues[0].problem.find("free list at offset " + std::to_string(freelist_offset) +
                                      ": checksum mismatch") != std::string::npos);
  auto p = Pool::Open(path);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == StatusCode::kCorruption);
}

TEST_CASE("A torn inline free list invalidates its slot like a torn meta slot", "[pmem]") {
  TempDir dir;
  std::string path = dir.file("p");
  std::mt19937_64 rng(5);
  uint64_t txn = 0;
  {
    auto pool = MustCreate(path);
    for (int i = 0; i < 10; ++i) txn = testing::WorkloadStep(*pool, rng).value();
  }
  int slot = txn % 2 == 1 ? 0 : 1;
  std::string bytes = testing::ReadFileBytes(path);
  MetaSlot m;
  std::memcpy(&m, bytes.data() + kMetaOffset[slot], sizeof m);
  REQUIRE(m.txn_id == txn);
  REQUIRE(m.inline_free_count > 0);
  CorruptBytes(path, kMetaOffset[slot] + sizeof(MetaSlot) + 5, "\xee");
  auto pool = Pool::Open(path);
  REQUIRE(pool.ok());
  auto snap = (*pool)->Pin();
  REQUIRE(snap.ok());
  CHECK(snap->txn_id() == txn - 1);
  CHECK(testing::VerifyState(snap->base(), snap->mapped_size(), snap->root()) == "");
}
