// Damaged and foreign pool files: every one refused (or reported by Check)
// with a clear error naming what is wrong and where.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

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

namespace {

uint32_t Crc(const void* p, size_t n) {
  return uint32_t(crc32(0L, static_cast<const Bytef*>(p), uInt(n)));
}

// Rewrites the newest meta slot of `path` through `edit` (which may also
// change its inline free entries), with both its checksums recomputed: the
// slot is consistent, only wrong.
// "[off, end)" as pool messages name a range.
std::string Range(uint64_t off, uint64_t len) {
  return "[" + std::to_string(off) + ", " + std::to_string(off + len) + ")";
}

template <typename Edit>
void EditNewestMeta(const std::string& path, Edit edit) {
  std::string bytes = testing::ReadFileBytes(path);
  MetaSlot m[2];
  std::memcpy(&m[0], bytes.data() + kMetaOffset[0], sizeof(MetaSlot));
  std::memcpy(&m[1], bytes.data() + kMetaOffset[1], sizeof(MetaSlot));
  int slot = m[1].magic == kMetaMagic && m[1].txn_id > m[0].txn_id ? 1 : 0;
  auto* entries = reinterpret_cast<FreeEntry*>(bytes.data() + kMetaOffset[slot] + sizeof(MetaSlot));
  edit(m[slot], entries);
  m[slot].inline_free_crc = Crc(entries, m[slot].inline_free_count * sizeof(FreeEntry));
  m[slot].checksum = Crc(&m[slot], offsetof(MetaSlot, checksum));
  std::memcpy(bytes.data() + kMetaOffset[slot], &m[slot], sizeof(MetaSlot));
  testing::WriteFileBytes(path, bytes);
}

}  // namespace

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

TEST_CASE("A free list that holds the root blob is refused by the writer, not by readers",
          "[pmem]") {
  // Found by store/pool_fuzz: the writer allocated the catalog's pages again
  // and wrote over them while the state that references them was current.
  TempDir dir;
  std::string path = dir.file("p");
  Extent root;
  {
    auto pool = MustCreate(path);
    root = CommitText(*pool, "the root");
  }
  EditNewestMeta(path, [&](MetaSlot& m, FreeEntry* entries) {
    entries[0] = {root.offset, kPageSize, 0};
    m.inline_free_count = 1;
  });
  auto writer = Pool::Open(path);
  REQUIRE_FALSE(writer.ok());
  INFO(writer.status().message());
  CHECK(writer.status().code() == StatusCode::kCorruption);
  CHECK(writer.status().message().find("root blob: extent " + Range(root.offset, 8) +
                                       " is in use but the free list holds " +
                                       Range(root.offset, kPageSize)) != std::string::npos);
  auto reader = Pool::OpenReadOnly(path);
  REQUIRE(reader.ok());
  auto snap = (*reader)->Pin();
  REQUIRE(snap.ok());
  CHECK(RootText(*snap) == "the root");
}

TEST_CASE("A root blob or free list that does not start on a page is refused", "[pmem]") {
  // Found by store/pool_fuzz: a free list blob at an odd offset went back to
  // the allocator when the next commit replaced it, which then handed out
  // misaligned extents (a catalog flatbuffer read at an odd address).
  TempDir dir;
  std::string path = dir.file("p");
  Extent root;
  {
    auto pool = MustCreate(path);
    root = CommitText(*pool, "the root");
    auto txn = pool->Begin();
    REQUIRE(txn.ok());
    // A root must be where an extent starts.
    CHECK((*txn)->Commit({root.offset + 8, 4}).code() == StatusCode::kInvalidArgument);
  }
  SECTION("root blob") {
    EditNewestMeta(path, [&](MetaSlot& m, FreeEntry*) { m.root_offset += 8; });
    auto writer = Pool::Open(path);
    REQUIRE_FALSE(writer.ok());
    CHECK(writer.status().message().find("root blob " + Range(root.offset + 8, root.length) +
                                         " does not start on a page") != std::string::npos);
    CHECK_FALSE(Pool::OpenReadOnly(path).ok());
    CHECK_FALSE(Pool::Check(path).healthy());
  }
  SECTION("free list") {
    EditNewestMeta(path, [&](MetaSlot& m, FreeEntry*) {
      m.freelist_offset = root.offset + 100;
      m.freelist_length = kPageSize;
    });
    auto writer = Pool::Open(path);
    REQUIRE_FALSE(writer.ok());
    INFO(writer.status().message());
    CHECK(writer.status().message().find("is not a whole number of pages") != std::string::npos);
  }
}

TEST_CASE("An out-of-line free list of no entries reads as an empty list", "[pmem]") {
  // Found by store/pool_fuzz: its zero entries were copied from a null
  // vector (memcpy of 0 bytes to nullptr, undefined behaviour under UBSan).
  TempDir dir;
  std::string path = dir.file("p");
  uint64_t freelist_offset = 0;
  {
    auto pool = MustCreate(path, 16 * kMiB);
    std::vector<Extent> pages;
    auto txn = pool->Begin();
    REQUIRE(txn.ok());
    for (int i = 0; i < 400; ++i) pages.push_back((*txn)->Allocate(kPageSize).value());
    REQUIRE((*txn)->Commit({}).ok());
    txn = pool->Begin();
    REQUIRE(txn.ok());
    for (size_t i = 0; i < pages.size(); i += 2) REQUIRE((*txn)->Free(pages[i]).ok());
    REQUIRE((*txn)->Commit({}).ok());
  }
  EditNewestMeta(path, [&](MetaSlot& m, FreeEntry*) { freelist_offset = m.freelist_offset; });
  REQUIRE(freelist_offset != 0);
  FreeListHeader h;
  std::string bytes = testing::ReadFileBytes(path);
  std::memcpy(&h, bytes.data() + freelist_offset, sizeof h);
  h.count = 0;
  h.checksum = Crc(nullptr, 0);
  CorruptBytes(path, freelist_offset, std::string(reinterpret_cast<const char*>(&h), sizeof h));
  auto pool = Pool::Open(path);
  REQUIRE(pool.ok());
  CHECK((*pool)->Info().free_extents == 0);
  CHECK(Pool::Check(path).healthy());
}
