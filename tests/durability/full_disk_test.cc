// Faults through the real binaries (issue 13, item 6): `quiver ingest`,
// `quiver pool grow`, `quiver pool create` and quiverd's append endpoint on a
// full disk — a small tmpfs filled up, or RLIMIT_FSIZE with SIGXFSZ ignored
// where mounting is not allowed (both are tested when they can be). Each
// failed write exits 3 (or answers 507) naming "out of space", leaves the
// table byte-for-byte unchanged and the pool clean for `pool check --deep`;
// a write that fits afterwards succeeds.
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <climits>
#include <nlohmann/json.hpp>
#include <string>

#include "durability_util.h"
#include "test_util.h"
#include "tools/cli_test_util.h"

using json = nlohmann::json;
using quiver::testing::FillDisk;
using quiver::testing::Quiver;
using quiver::testing::ShellRun;
using quiver::testing::SmallDisk;
using quiver::testing::TableFingerprint;
using quiver::testing::TempDir;
using quiver::testing::TripsCsv;
using quiver::testing::WriteFileBytes;

namespace {

constexpr uint64_t kMiB = 1 << 20;

bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// Child role: `exec-fsize LIMIT PROGRAM ARGS...` runs PROGRAM with
// RLIMIT_FSIZE = LIMIT bytes and SIGXFSZ ignored, so writes past the limit
// fail with EFBIG as they would on a full disk.
int ExecFsizeMain(const std::vector<std::string>& args) {
  if (args.size() < 2) return 98;
  rlim_t limit = std::stoull(args[0]);
  signal(SIGXFSZ, SIG_IGN);
  rlimit rl{limit, limit};
  if (setrlimit(RLIMIT_FSIZE, &rl) != 0) return 97;
  std::vector<std::string> rest(args.begin() + 1, args.end());
  std::vector<char*> argv;
  for (auto& a : rest) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  return 127;
}
QUIVER_CHILD_ROLE("exec-fsize", ExecFsizeMain);

std::string SelfExe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  REQUIRE(n > 0);
  return std::string(buf, size_t(n));
}

// `quiver ARGS` with its file-size limit at `limit` bytes.
ShellRun LimitedQuiver(uint64_t limit, const std::string& args) {
  return quiver::testing::RunShell(SelfExe() + " --quiver-child exec-fsize " +
                                   std::to_string(limit) + " " + QUIVER_CLI + " " + args + " 2>&1");
}

uint64_t Capacity(const std::string& pool) {
  ShellRun i = Quiver("pool info " + pool + " --json");
  REQUIRE(i.code == 0);
  return json::parse(i.out)["capacity_bytes"].get<uint64_t>();
}

void RequireHealthy(const std::string& pool) {
  ShellRun k = Quiver("pool check " + pool + " --deep");
  INFO(k.out);
  CHECK(k.code == 0);
  CHECK(Has(k.out, ": healthy"));
}

// Names in `dir` that start with `prefix` (a failed create leaves none).
int FilesStartingWith(const std::string& dir, const std::string& prefix) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (dirent* e = readdir(d)) n += std::string(e->d_name).rfind(prefix, 0) == 0;
  closedir(d);
  return n;
}

// The scratch data: 20,000 rows to start with, 300,000 (about 7 MiB in the
// pool) that do not fit, 100 that do.
struct Inputs {
  std::string first, big, tiny;
  explicit Inputs(const TempDir& dir)
      : first(dir.file("first.csv")), big(dir.file("big.csv")), tiny(dir.file("tiny.csv")) {
    WriteFileBytes(first, TripsCsv(0, 20000));
    WriteFileBytes(big, TripsCsv(20000, 300000));
    WriteFileBytes(tiny, TripsCsv(900000, 100));
  }
};

}  // namespace

TEST_CASE(
    "Full tmpfs: quiver ingest, pool grow and pool create exit 3 out of space, change nothing",
    "[durability]") {
  TempDir dir;
  SmallDisk disk(dir.file("disk"), 8 * kMiB);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs here (" << disk.error()
                                       << "); the RLIMIT_FSIZE case covers the full disk");
    return;
  }
  Inputs in(dir);
  const std::string pool = disk.file("p");
  REQUIRE(Quiver("pool create " + pool + " --size 64M").code == 0);
  REQUIRE(Quiver("ingest " + pool + " t " + in.first).code == 0);
  const std::string before = TableFingerprint(pool, "t");
  FillDisk(disk.file("filler"), 1 * kMiB);

  // The first chunks fit in the 1 MiB left, a later one does not.
  ShellRun r = Quiver("ingest " + pool + " t " + in.big + " --append --chunk-rows 20000");
  INFO(r.out);
  CHECK(r.code == 3);
  CHECK(Has(r.out, "out of space"));
  CHECK(TableFingerprint(pool, "t") == before);
  RequireHealthy(pool);

  ShellRun g = Quiver("pool grow " + pool + " --size 1G");
  INFO(g.out);
  CHECK(g.code == 3);
  CHECK(Has(g.out, "out of space"));
  CHECK(Capacity(pool) == 64 * kMiB);
  RequireHealthy(pool);

  ShellRun t = Quiver("ingest " + pool + " t " + in.tiny + " --append");
  INFO(t.out);
  CHECK(t.code == 0);
  CHECK(Has(TableFingerprint(pool, "t"), "rows 20100 "));
  RequireHealthy(pool);

  // Create on a full disk, then with 8 KiB more free at each step, up to
  // 256 KiB (tmpfs counts free blocks per CPU, so "free" is approximate):
  // a short write of the 12 KiB head (errno is not set then), no room for
  // the reader table once the pool file is in place, or room for both. A
  // create either succeeds or exits 3 out of space and leaves no file.
  REQUIRE(unlink(disk.file("filler").c_str()) == 0);  // filler2 takes it all
  int failed = 0, created = 0;
  for (uint64_t leave = 0; leave <= 256 * 1024; leave += 8192) {
    FillDisk(disk.file("filler2"), leave);
    ShellRun c = Quiver("pool create " + disk.file("q") + " --size 16M");
    INFO("free " << leave << ": " << c.out);
    if (c.code == 0) {
      ++created;
      RequireHealthy(disk.file("q"));
      REQUIRE(unlink(disk.file("q").c_str()) == 0);
      REQUIRE(unlink(disk.file("q.lock").c_str()) == 0);
      continue;
    }
    ++failed;
    CHECK(c.code == 3);
    CHECK(Has(c.out, "out of space"));
    CHECK(FilesStartingWith(disk.file(""), "q") == 0);
  }
  CHECK(failed > 0);
  CHECK(created > 0);

  // The reader table (PATH.lock) is written through a mapping: recreated on
  // a full disk it must fail with ENOSPC, not SIGBUS.
  REQUIRE(unlink((pool + ".lock").c_str()) == 0);
  FillDisk(disk.file("filler3"));
  for (const std::string& cmd : {"ingest " + pool + " t " + in.tiny + " --append",
                                 "pool info " + pool, "pool check " + pool}) {
    ShellRun l = Quiver(cmd);
    INFO(cmd << ": " << l.out);
    CHECK(l.code == 3);
    CHECK(Has(l.out, "out of space"));
  }
  for (const char* f : {"filler2", "filler3"}) unlink(disk.file(f).c_str());
  RequireHealthy(pool);
  CHECK(Has(TableFingerprint(pool, "t"), "rows 20100 "));
}

TEST_CASE("RLIMIT_FSIZE: quiver ingest, pool grow and pool create exit 3 out of space",
          "[durability]") {
  TempDir dir;
  Inputs in(dir);
  const std::string pool = dir.file("p");
  const uint64_t limit = 12 * kMiB;
  REQUIRE(Quiver("pool create " + pool + " --size 8M").code == 0);
  REQUIRE(Quiver("ingest " + pool + " t " + in.first).code == 0);
  const std::string before = TableFingerprint(pool, "t");

  // The pool fills up, auto-grow extends the file past the limit: EFBIG.
  ShellRun r = LimitedQuiver(limit, "ingest " + pool + " t " + in.big + " --append");
  INFO(r.out);
  CHECK(r.code == 3);
  CHECK(Has(r.out, "out of space"));
  CHECK(TableFingerprint(pool, "t") == before);
  RequireHealthy(pool);

  ShellRun g = LimitedQuiver(limit, "pool grow " + pool + " --size 1G");
  INFO(g.out);
  CHECK(g.code == 3);
  CHECK(Has(g.out, "out of space"));
  CHECK(Capacity(pool) == 8 * kMiB);
  RequireHealthy(pool);

  ShellRun c = LimitedQuiver(limit, "pool create " + dir.file("q") + " --size 64M");
  INFO(c.out);
  CHECK(c.code == 3);
  CHECK(Has(c.out, "out of space"));
  CHECK(FilesStartingWith(dir.path(), "q") == 0);

  ShellRun t = LimitedQuiver(limit, "ingest " + pool + " t " + in.tiny + " --append");
  INFO(t.out);
  CHECK(t.code == 0);
  CHECK(Has(TableFingerprint(pool, "t"), "rows 20100 "));
  RequireHealthy(pool);
}

#ifdef QUIVERD_BIN
namespace {

// quiverd (writes enabled, token) over a pool whose disk fills up: the
// append answers 507 out_of_space, health and queries still answer, and an
// append that fits afterwards succeeds. `fill` fills the disk (leaving about
// 1 MiB) or does nothing when the server runs under RLIMIT_FSIZE.
void CheckServerOnFullDisk(const TempDir& dir, const std::string& pool, uint64_t fsize_limit,
                           const std::function<void()>& fill) {
  Inputs in(dir);
  REQUIRE(Quiver("ingest " + pool + " t " + in.first).code == 0);
  const std::string before = TableFingerprint(pool, "t");
  const std::string cfg = dir.file("quiverd.json");
  WriteFileBytes(cfg, R"({"writes_enabled": true, "write_token": "tok", "log_requests": false})");
  quiver::testing::Quiverd d(pool, cfg, dir.file("quiverd.err"), fsize_limit);
  fill();
  httplib::Client c = d.Client();
  httplib::Headers auth = {{"Authorization", "Bearer tok"}};
  auto count = [&] {
    auto q = c.Get("/v1/sql?q=SELECT%20count(*)%20FROM%20t");
    REQUIRE(q);
    INFO(q->body);
    REQUIRE(q->status == 200);
    return json::parse(q->body)["rows"][0][0].get<int64_t>();
  };
  auto a = c.Post("/v1/tables/t/rows", auth, quiver::testing::ReadFileBytes(in.big), "text/csv");
  REQUIRE(a);
  INFO(a->body);
  CHECK(a->status == 507);
  CHECK(json::parse(a->body)["error"]["code"] == "out_of_space");
  auto h = c.Get("/v1/health");
  REQUIRE(h);
  CHECK(h->status == 200);
  CHECK(count() == 20000);
  CHECK(TableFingerprint(pool, "t") == before);

  auto small =
      c.Post("/v1/tables/t/rows", auth, quiver::testing::ReadFileBytes(in.tiny), "text/csv");
  REQUIRE(small);
  INFO(small->body);
  CHECK(small->status == 200);
  CHECK(count() == 20100);
  CHECK(d.Stop() == 0);
  RequireHealthy(pool);
}

}  // namespace

TEST_CASE("quiverd on a full tmpfs: append answers 507 out_of_space and the server keeps serving",
          "[durability]") {
  TempDir dir;
  SmallDisk disk(dir.file("disk"), 8 * kMiB);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs here (" << disk.error() << "); the RLIMIT_FSIZE case covers it");
    return;
  }
  const std::string pool = disk.file("p");
  REQUIRE(Quiver("pool create " + pool + " --size 64M").code == 0);
  CheckServerOnFullDisk(dir, pool, 0, [&] { FillDisk(disk.file("filler"), 1 * kMiB); });
}

TEST_CASE("quiverd under RLIMIT_FSIZE: append answers 507 out_of_space and keeps serving",
          "[durability]") {
  TempDir dir;
  const std::string pool = dir.file("p");
  REQUIRE(Quiver("pool create " + pool + " --size 8M").code == 0);
  CheckServerOnFullDisk(dir, pool, 12 * kMiB, [] {});
}
#endif
