// quiver pool backup | restore | verify and POST /v1/admin/backup (issue 19),
// through the real binaries, with a writer process committing meanwhile.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cinttypes>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "backup_util.h"
#include "cli_test_util.h"
#include "store/store.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::PoolDigest;
using quiver::testing::Quiver;
using quiver::testing::RunShell;
using quiver::testing::TempDir;

namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// The txn a backup or restore printed on stdout ("txn N"); 0 if none.
uint64_t PrintedTxn(const std::string& out) {
  auto at = out.find("txn ");
  while (at != std::string::npos && at != 0 && out[at - 1] != '\n') at = out.find("txn ", at + 1);
  return at == std::string::npos ? 0 : std::stoull(out.substr(at + 4));
}

// ---------------------------------------------------------------------------
// The writer process: `backup_writer POOL RECORDS STOPFILE SEED` commits
// appends, replaces, drops and compactions until STOPFILE exists, appending
// "TXN DIGEST" to RECORDS after each commit; prints "ready" after 5 commits.
// ---------------------------------------------------------------------------

int BackupWriterMain(const std::vector<std::string>& args) {
  if (args.size() != 4) return 98;
  store::StoreOptions opts;
  opts.auto_grow_step = 8 << 20;
  opts.max_chunk_rows = 2000;  // several chunks per append: compact has work
  auto opened = store::Store::Open(args[0], opts);
  if (!opened.ok()) return 97;
  store::Store& st = **opened;
  int fd = open(args[1].c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return 96;
  std::mt19937_64 rng(std::stoull(args[3]));
  int64_t next_k = 0;
  int commits = 0;
  auto record = [&]() -> bool {
    auto snap = st.GetSnapshot();
    if (!snap.ok()) return false;
    char line[64];
    int n = std::snprintf(line, sizeof line, "%" PRIu64 " %" PRIx64 "\n", (*snap)->txn(),
                          quiver::testing::SnapshotDigest(**snap));
    return write(fd, line, size_t(n)) == n;
  };
  if (!record()) return 95;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (access(args[2].c_str(), F_OK) != 0 && std::chrono::steady_clock::now() < deadline) {
    auto snap = st.GetSnapshot();
    if (!snap.ok()) return 94;
    std::string t = "t" + std::to_string(rng() % 3);
    auto view = (*snap)->table(t);
    int op = int(rng() % 100);
    Status s;
    if (!view.ok() || op < 45 || (op >= 45 && op < 65)) {
      store::WriteOptions wo;
      wo.create_schema = quiver::testing::BackupSchema();
      bool big = view.ok() && (*view)->num_rows() > 20000;
      if (view.ok() && (big || op >= 45)) wo.mode = store::WriteMode::kReplace;
      std::vector<RecordBatch> batches;
      for (int b = 0, nb = 1 + int(rng() % 3); b < nb; ++b) {
        int64_t n = 1 + int64_t(rng() % 2500);
        batches.push_back(quiver::testing::BackupRows(next_k, n));
        next_k += n;
      }
      s = st.Write(t, batches, wo).status();
    } else if (op < 75) {
      s = st.DropTable(t);
    } else {
      s = st.Compact(t, 5000).status();
    }
    if (!s.ok()) {
      std::printf("writer: %s\n", s.ToString().c_str());
      return 1;
    }
    if (!record()) return 93;
    if (++commits == 5) {
      std::printf("ready\n");
      std::fflush(stdout);
    }
  }
  return 0;
}
QUIVER_CHILD_ROLE("backup_writer", BackupWriterMain);

std::map<uint64_t, uint64_t> ReadRecords(const std::string& path) {
  std::map<uint64_t, uint64_t> m;
  std::ifstream in(path);
  uint64_t txn, digest;
  while (in >> std::dec >> txn >> std::hex >> digest) m[txn] = digest;
  return m;
}

// A pool with `rows` rows in tables a and b.
void MakePool(const std::string& path, int64_t rows, uint64_t capacity = 256 << 20) {
  store::StoreOptions o;
  o.max_chunk_rows = 20000;
  auto st = store::Store::Create(path, capacity, o);
  REQUIRE(st.ok());
  for (const char* t : {"a", "b"}) {
    store::WriteOptions wo;
    wo.create_schema = quiver::testing::BackupSchema();
    REQUIRE((*st)->Write(t, {quiver::testing::BackupRows(0, rows)}, wo).ok());
  }
}

// `quiver ARGS` as a child process (stdout to `out_fd` if not null).
pid_t StartQuiver(const std::vector<std::string>& args, int* out_fd = nullptr) {
  int fds[2] = {-1, -1};
  if (out_fd != nullptr) REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(out_fd != nullptr ? fds[1] : devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    std::vector<std::string> all = {QUIVER_CLI};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(QUIVER_CLI, argv.data());
    _exit(127);
  }
  if (out_fd != nullptr) {
    close(fds[1]);
    *out_fd = fds[0];
  }
  return pid;
}

}  // namespace

TEST_CASE("backups taken while a writer commits hold exactly the txn they report", "[tools]") {
  TempDir dir;
  const std::string src = dir.file("src"), records = dir.file("records"), stop = dir.file("stop");
  REQUIRE(Quiver("pool create " + src + " --size 64M").code == 0);
  int out = -1;
  pid_t writer = quiver::testing::SpawnChild("backup_writer", {src, records, stop, "7"}, &out);
  std::string line;
  REQUIRE(quiver::testing::ReadLine(out, &line));
  REQUIRE(line == "ready");
  struct Taken {
    std::string path;
    std::string kind;
    uint64_t txn;
  };
  std::vector<Taken> taken;
  for (int i = 0; i < 9; ++i) {
    std::string dst = dir.file("b" + std::to_string(i));
    std::string kind = i % 3 == 0 ? "plain" : i % 3 == 1 ? "compact" : "stream";
    quiver::testing::ShellRun r{};
    if (kind == "plain")
      r = RunShell(std::string(QUIVER_CLI) + " pool backup " + src + " " + dst + " 2>&1");
    if (kind == "compact") {
      r = RunShell(std::string(QUIVER_CLI) + " pool backup --compact " + src + " " + dst + " 2>&1");
    }
    if (kind == "stream") {
      r = RunShell(std::string(QUIVER_CLI) + " pool backup " + src + " - | " + QUIVER_CLI +
                   " pool restore - " + dst + " 2>&1");
    }
    INFO(kind << ": " << r.out);
    REQUIRE(r.code == 0);
    uint64_t txn = PrintedTxn(r.out);
    REQUIRE(txn > 0);
    taken.push_back({dst, kind, txn});
  }
  quiver::testing::WriteFileBytes(stop, "");
  REQUIRE(quiver::testing::WaitChild(writer) == 0);
  close(out);
  auto digests = ReadRecords(records);
  REQUIRE(!digests.empty());
  // The writer kept committing while the backups ran.
  CHECK(digests.rbegin()->first > taken.front().txn);
  for (const Taken& t : taken) {
    INFO(t.kind << " backup " << t.path << " of txn " << t.txn);
    auto v = Quiver("pool verify " + t.path);
    INFO(v.out);
    CHECK(v.code == 0);
    CHECK(v.out.rfind("ok: ", 0) == 0);
    REQUIRE(digests.count(t.txn) == 1);
    auto [txn, digest] = PoolDigest(t.path);
    if (t.kind != "compact") CHECK(txn == t.txn);  // a compacted pool has its own txns
    CHECK(digest == digests[t.txn]);
  }
}

TEST_CASE("a backup killed at random moments leaves no DST; the next one replaces the .tmp",
          "[tools]") {
  TempDir dir;
  const std::string src = dir.file("src"), dst = dir.file("dst");
  MakePool(src, 200000);
  const uint64_t want = PoolDigest(src).second;
  int killed = 0, after_rename = 0;
  for (int seed = 1; seed <= 8; ++seed) {
    std::mt19937 rng{uint32_t(seed)};
    std::vector<std::string> args = {"pool", "backup", src, dst};
    if (seed % 2 == 0) args.push_back("--compact");
    pid_t pid = StartQuiver(args);
    // The moment of the kill (not synchronisation): 0-60 ms into the copy.
    usleep(useconds_t(rng() % 60000));
    kill(pid, SIGKILL);
    int code = quiver::testing::WaitChild(pid);
    INFO("seed " << seed << " exit " << code);
    REQUIRE((code == 0 || code == 128 + SIGKILL));
    if (code != 0) ++killed;
    // No DST, or a complete one: killed after the rename (or never).
    if (Exists(dst)) {
      if (code != 0) ++after_rename;
      CHECK(PoolDigest(dst).second == want);
      REQUIRE(unlink(dst.c_str()) == 0);
    }
  }
  std::printf("[backup kill test] %d kills, %d of them after the rename\n", killed, after_rename);
  CHECK(killed > 0);
  auto r = Quiver("pool backup " + src + " " + dst);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_FALSE(Exists(dst + ".tmp"));
  CHECK(Quiver("pool verify " + dst).code == 0);
  CHECK(PoolDigest(dst).second == want);
}

TEST_CASE("a streamed backup restores to an equal pool; a damaged stream leaves no DST",
          "[tools]") {
  TempDir dir;
  const std::string src = dir.file("src"), stream = dir.file("s.qvrbak");
  MakePool(src, 30000);
  auto b = RunShell(std::string(QUIVER_CLI) + " pool backup " + src + " - > " + stream);
  REQUIRE(b.code == 0);
  auto r = Quiver("pool restore " + stream + " " + dir.file("r"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(PoolDigest(dir.file("r")) == PoolDigest(src));
  CHECK(Quiver("pool restore " + stream + " " + dir.file("r")).code == 3);  // exists

  std::string bytes = quiver::testing::ReadFileBytes(stream);
  quiver::testing::WriteFileBytes(dir.file("cut"), bytes.substr(0, bytes.size() - 100));
  std::string flipped = bytes;
  flipped[bytes.size() / 2] = char(flipped[bytes.size() / 2] ^ 0x10);
  quiver::testing::WriteFileBytes(dir.file("flip"), flipped);
  for (const char* bad : {"cut", "flip"}) {
    auto x = Quiver("pool restore " + dir.file(bad) + " " + dir.file(std::string("r_") + bad));
    INFO(x.out);
    CHECK(x.code == 2);
    CHECK_FALSE(Exists(dir.file(std::string("r_") + bad)));
    CHECK_FALSE(Exists(dir.file(std::string("r_") + bad) + ".tmp"));
  }
  auto cut = Quiver("pool restore " + dir.file("cut") + " " + dir.file("r2"));
  CHECK(cut.out.find("truncated") != std::string::npos);
  auto flip = Quiver("pool restore " + dir.file("flip") + " " + dir.file("r3"));
  CHECK(flip.out.find("checksum") != std::string::npos);
}

TEST_CASE("pool verify prints one line: ok, or FAILED naming table, chunk and column", "[tools]") {
  TempDir dir;
  const std::string src = dir.file("src");
  MakePool(src, 30000);
  auto ok = Quiver("pool verify " + src);
  INFO(ok.out);
  CHECK(ok.code == 0);
  CHECK(ok.out.find("ok: 2 tables, 4 chunks, ") == 0);
  CHECK(std::count(ok.out.begin(), ok.out.end(), '\n') == 1);
  // Damage the middle of table b's first chunk.
  uint64_t off = 0;
  {
    store::StoreOptions o;
    o.read_only = true;
    auto st = store::Store::Open(src, o);
    REQUIRE(st.ok());
    auto snap = (*st)->GetSnapshot();
    REQUIRE(snap.ok());
    const auto& c = (*(*snap)->table("b"))->chunks()[0];
    off = c.offset + c.length / 2;
  }
  int fd = open(src.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(pwrite(fd, "\xff\xff\xff\xff\xff\xff\xff\xff", 8, off_t(off)) == 8);
  close(fd);
  auto bad = Quiver("pool verify " + src);
  INFO(bad.out);
  CHECK(bad.code == 3);
  CHECK(bad.out.rfind("FAILED: ", 0) == 0);
  CHECK(bad.out.find("table \"b\", chunk 0, column") != std::string::npos);
  CHECK(std::count(bad.out.begin(), bad.out.end(), '\n') == 1);
  // A backup of a damaged pool fails its verification and leaves no DST.
  auto b = Quiver("pool backup " + src + " " + dir.file("copy"));
  CHECK(b.code == 3);
  CHECK_FALSE(Exists(dir.file("copy")));
  CHECK_FALSE(Exists(dir.file("copy.tmp")));
  CHECK(Quiver("pool verify " + dir.file("missing")).code == 3);
  CHECK(Quiver("pool verify").code == 1);
}

TEST_CASE("a backup of a sparse 4 GiB pool copies only its data", "[tools]") {
  TempDir dir;
  const std::string src = dir.file("src"), dst = dir.file("dst");
  MakePool(src, 20000, 4ull << 30);
  auto r = Quiver("pool backup " + src + " " + dst);
  INFO(r.out);
  REQUIRE(r.code == 0);
  struct stat a {
  }, b{};
  REQUIRE(stat(src.c_str(), &a) == 0);
  REQUIRE(stat(dst.c_str(), &b) == 0);
  CHECK(b.st_size == a.st_size);
  CHECK(b.st_blocks * 512 <= a.st_blocks * 512);
  CHECK(b.st_blocks * 512 < (8 << 20));
  CHECK(PoolDigest(dst) == PoolDigest(src));
  CHECK(Quiver("pool backup " + src + " " + dst).code == 3);  // DST exists
}

TEST_CASE("POST /v1/admin/backup needs the write token and streams a restorable backup",
          "[tools]") {
  TempDir dir;
  const std::string src = dir.file("src"), cfg = dir.file("cfg.json");
  MakePool(src, 30000);
  quiver::testing::WriteFileBytes(cfg, R"({"write_token": "w-secret", "read_token": "r-secret"})");
  int out = -1;
  pid_t server =
      StartQuiver({"serve", "--pool", src, "--listen", "127.0.0.1:0", "--config", cfg}, &out);
  std::string line;
  REQUIRE(quiver::testing::ReadLine(out, &line));
  auto at = line.find("127.0.0.1:");
  REQUIRE(at != std::string::npos);
  std::string url = "http://" + line.substr(at, line.find(' ', at) - at) + "/v1/admin/backup";
  auto code = [&](const std::string& auth) {
    return RunShell("curl -s -o /dev/null -w '%{http_code}' -X POST -d '' " + auth + " " + url).out;
  };
  CHECK(code("") == "401");
  CHECK(code("-H 'Authorization: Bearer r-secret'") == "403");
  auto got = RunShell("curl -s -f -X POST -d '' -H 'Authorization: Bearer w-secret' " + url +
                      " -o " + dir.file("http.qvrbak"));
  CHECK(got.code == 0);
  auto zst = RunShell(
      "curl -s -f -X POST -d '' -H 'Accept-Encoding: zstd' -H 'Authorization: "
      "Bearer w-secret' " +
      url + " | zstd -d -q -o " + dir.file("zstd.qvrbak"));
  CHECK(zst.code == 0);
  kill(server, SIGTERM);
  CHECK(quiver::testing::WaitChild(server) == 0);
  close(out);
  for (const char* name : {"http", "zstd"}) {
    std::string dst = dir.file(std::string(name) + ".pool");
    auto r = Quiver("pool restore " + dir.file(std::string(name) + ".qvrbak") + " " + dst);
    INFO(name << ": " << r.out);
    REQUIRE(r.code == 0);
    CHECK(PoolDigest(dst) == PoolDigest(src));
  }
}
