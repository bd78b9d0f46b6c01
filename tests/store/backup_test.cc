// Online backup in one process (store/backup.h, pmem/backup.h): the writer's
// own pool backed up while it commits (the quiverd route's path), a captured
// state that outlives its meta slot, free space left out, and the stream
// format's framing.
#include "pmem/backup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "pmem/layout.h"
#include "store/backup.h"
#include "store/store.h"
#include "test_util.h"
#include "tools/backup_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::BackupRows;
using quiver::testing::BackupSchema;
using quiver::testing::PoolDigest;
using quiver::testing::SnapshotDigest;
using quiver::testing::TempDir;

namespace {

Status Append(Store& st, const std::string& t, int64_t first, int64_t n,
              WriteMode mode = WriteMode::kAppend) {
  WriteOptions wo;
  wo.create_schema = BackupSchema();
  wo.mode = mode;
  return st.Write(t, {BackupRows(first, n)}, wo).status();
}

uint64_t Digest(Store& st) {
  auto snap = st.GetSnapshot();
  REQUIRE(snap.ok());
  return SnapshotDigest(**snap);
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE("a captured state is copied exactly after the writer rewrote its meta slot",
          "[store][backup]") {
  TempDir dir;
  auto st = Store::Create(dir.file("p"), 64 << 20);
  REQUIRE(st.ok());
  REQUIRE(Append(**st, "a", 0, 5000).ok());
  REQUIRE(Append(**st, "b", 0, 3000).ok());
  const uint64_t want = Digest(**st);
  auto image = pmem::PoolImage::Capture((*st)->pool());
  REQUIRE(image.ok());
  const uint64_t txn = (*image)->txn();
  // Three more commits: both meta slots are rewritten and "a"'s chunk is
  // freed, but not reused while the image pins txn.
  REQUIRE((*st)->DropTable("a").ok());
  REQUIRE(Append(**st, "b", 0, 9000, WriteMode::kReplace).ok());
  REQUIRE(Append(**st, "c", 0, 7000).ok());
  REQUIRE(pmem::WritePoolFile(**image, dir.file("copy"), nullptr).ok());
  image->reset();
  auto got = PoolDigest(dir.file("copy"));
  CHECK(got.first == txn);
  CHECK(got.second == want);
  CHECK(VerifyPool(dir.file("copy")).ok());
}

TEST_CASE("an image leaves out the free extents of its state", "[store][backup]") {
  TempDir dir;
  auto st = Store::Create(dir.file("p"), 64 << 20);
  REQUIRE(st.ok());
  REQUIRE(Append(**st, "a", 0, 20000).ok());
  REQUIRE(Append(**st, "b", 0, 1000).ok());
  REQUIRE((*st)->DropTable("a").ok());
  REQUIRE(Append(**st, "b", 1000, 10).ok());  // makes the drop's free extent reusable
  auto image = pmem::PoolImage::Capture((*st)->pool());
  REQUIRE(image.ok());
  pmem::PoolInfo info = (*st)->pool().Info();
  REQUIRE(info.free_list_bytes > 0);
  CHECK((*image)->bytes() == info.used_bytes);  // [0, high_water) less the free runs
  CHECK((*image)->ranges().front() == pmem::Extent{0, pmem::kDataStart});
  for (size_t i = 2; i < (*image)->ranges().size(); ++i) {
    CHECK((*image)->ranges()[i - 1].end() < (*image)->ranges()[i].offset);  // holes between
  }
}

TEST_CASE("backups of the writer's own pool while another thread commits", "[store][backup]") {
  TempDir dir;
  auto opened = Store::Create(dir.file("p"), 64 << 20);
  REQUIRE(opened.ok());
  Store& st = **opened;
  REQUIRE(Append(st, "a", 0, 1000).ok());
  std::mutex mu;
  std::map<uint64_t, uint64_t> digests;  // txn -> digest, recorded by the writer
  std::atomic<bool> stop{false};
  std::atomic<int> commits{0};
  std::thread writer([&] {
    for (int64_t i = 0; !stop.load(); ++i) {
      Status s = i % 5 == 4 ? st.Compact("a", 4000).status()
                            : Append(st, i % 2 ? "a" : "b", i * 100, 1 + i % 700,
                                     i % 7 == 6 ? WriteMode::kReplace : WriteMode::kAppend);
      if (!s.ok()) break;
      auto snap = st.GetSnapshot();
      if (!snap.ok()) break;
      std::lock_guard<std::mutex> g(mu);
      digests[(*snap)->txn()] = SnapshotDigest(**snap);
      commits++;
    }
  });
  std::vector<std::pair<std::string, uint64_t>> taken;
  for (int i = 0; i < 6; ++i) {
    std::string dst = dir.file("b" + std::to_string(i));
    if (i % 2 == 0) {
      auto r = BackupToFile(st, dst, {});
      REQUIRE(r.ok());
      CHECK(r->verify.ok());
      taken.push_back({dst, r->txn});
    } else {
      std::string bytes;
      auto r = BackupToStream(st,
                              [&](const uint8_t* p, size_t n) {
                                bytes.append(reinterpret_cast<const char*>(p), n);
                                return Status::OK();
                              },
                              {});
      REQUIRE(r.ok());
      size_t at = 0;
      auto restored = RestoreFromStream(
          [&](uint8_t* p, size_t n) -> Result<size_t> {
            size_t k = std::min(n, bytes.size() - at);
            std::memcpy(p, bytes.data() + at, k);
            at += k;
            return k;
          },
          dst, nullptr);
      REQUIRE(restored.ok());
      CHECK(restored->txn == r->txn);
      taken.push_back({dst, r->txn});
    }
  }
  stop = true;
  writer.join();
  CHECK(commits.load() > 0);
  for (auto& [path, txn] : taken) {
    INFO(path << " txn " << txn);
    auto got = PoolDigest(path);
    CHECK(got.first == txn);
    std::lock_guard<std::mutex> g(mu);
    if (digests.count(txn)) CHECK(got.second == digests[txn]);
  }
}

TEST_CASE("a compacted backup holds the live chunks contiguously, nothing free",
          "[store][backup]") {
  TempDir dir;
  auto st = Store::Create(dir.file("p"), 64 << 20);
  REQUIRE(st.ok());
  for (int i = 0; i < 5; ++i)
    REQUIRE(Append(**st, "t" + std::to_string(i % 2), i * 1000, 999).ok());
  REQUIRE((*st)->DropTable("t0").ok());
  REQUIRE(Append(**st, "t2", 0, 10).ok());
  BackupOptions o;
  o.compact = true;
  auto r = BackupToFile(**st, dir.file("c"), o);
  REQUIRE(r.ok());
  CHECK(r->verify.ok());
  CHECK(PoolDigest(dir.file("c")).second == Digest(**st));
  StoreOptions ro;
  ro.read_only = true;
  auto c = Store::Open(dir.file("c"), ro);
  REQUIRE(c.ok());
  pmem::PoolInfo info = (*c)->pool().Info();
  CHECK(info.free_extents == 0);
  CHECK(info.used_bytes == info.high_water);
}

TEST_CASE("a backup to an existing DST or a stream that is not a backup leaves nothing",
          "[store][backup]") {
  TempDir dir;
  auto st = Store::Create(dir.file("p"), 64 << 20);
  REQUIRE(st.ok());
  REQUIRE(Append(**st, "a", 0, 100).ok());
  CHECK(BackupToFile(**st, dir.file("p"), {}).status().code() == StatusCode::kAlreadyExists);
  std::string junk(200, 'x');
  size_t at = 0;
  auto r = RestoreFromStream(
      [&](uint8_t* p, size_t n) -> Result<size_t> {
        size_t k = std::min(n, junk.size() - at);
        std::memcpy(p, junk.data() + at, k);
        at += k;
        return k;
      },
      dir.file("r"), nullptr);
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK_FALSE(Exists(dir.file("r")));
  CHECK_FALSE(Exists(dir.file("r.tmp")));
  BackupOptions o;
  o.compact = true;
  CHECK(BackupToStream(
            **st, [](const uint8_t*, size_t) { return Status::OK(); }, o)
            .status()
            .code() == StatusCode::kNotSupported);
}
