// Pool readers and the writer lock: one writer at a time (across
// processes), the reader table, snapshots that keep their txn, and extents
// reused only once no reader pins an older state.
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
#include "pmem/pool.h"
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
