// Helpers of the durability tests (tests/durability): a small tmpfs to fill
// up, the real quiverd binary as a child process, and a fingerprint of a
// table's bytes to prove a failed write left it unchanged.
#pragma once

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "store/store.h"
#include "test_util.h"

namespace quiver::testing {

// A tmpfs of `bytes` mounted at `dir` (created) for the object's lifetime, if
// this process may mount (root, or CAP_SYS_ADMIN); mounted() says whether it
// is. Unmounted lazily so a leftover open file cannot keep it busy.
class SmallDisk {
 public:
  SmallDisk(const std::string& dir, uint64_t bytes) : dir_(dir) {
    mkdir(dir.c_str(), 0755);
    std::string opts = "size=" + std::to_string(bytes) + ",mode=0755";
    mounted_ = mount("tmpfs", dir.c_str(), "tmpfs", 0, opts.c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

// Writes zeros to `path` until the disk is full; then, if `leave` > 0, shrinks
// the file so that about `leave` bytes are free again. Returns the file size.
inline uint64_t FillDisk(const std::string& path, uint64_t leave = 0) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  std::vector<char> zeros(1 << 16, 0);
  uint64_t size = 0;
  for (size_t chunk = zeros.size(); chunk >= 512;) {
    ssize_t w = write(fd, zeros.data(), chunk);
    if (w > 0) {
      size += uint64_t(w);
    } else {
      REQUIRE((w == 0 || errno == ENOSPC));
      chunk /= 2;  // the last few blocks
    }
  }
  if (leave > 0) {
    size = size > leave ? size - leave : 0;
    REQUIRE(ftruncate(fd, off_t(size)) == 0);
  }
  fsync(fd);
  close(fd);
  return size;
}

// A table's state as bytes: the txn that last modified it, its row count and
// an FNV-1a hash of every chunk's encoded bytes, read through a read-only
// Store. Equal fingerprints = the same data at the same offsets.
inline std::string TableFingerprint(const std::string& pool, const std::string& table) {
  store::StoreOptions ro;
  ro.read_only = true;
  auto s = store::Store::Open(pool, ro);
  REQUIRE(s.ok());
  auto snap = (*s)->GetSnapshot();
  REQUIRE(snap.ok());
  auto t = (*snap)->table(table);
  if (!t.ok()) return "no table";
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < (*t)->num_chunks(); ++i) {
    auto b = (*t)->ChunkBytes(i);
    REQUIRE(b.ok());
    h ^= b->second;
    for (uint64_t j = 0; j < b->second; ++j) h = (h ^ b->first[j]) * 1099511628211ull;
  }
  return "txn " + std::to_string((*t)->modified_txn()) + " rows " +
         std::to_string((*t)->num_rows()) + " chunks " + std::to_string((*t)->num_chunks()) +
         " hash " + std::to_string(h);
}

// The rows "id,x,s" for id in [start, start + n) as CSV with a header.
inline std::string TripsCsv(int64_t start, int64_t n) {
  std::string out = "id,x,s\n";
  char line[96];
  for (int64_t i = start; i < start + n; ++i) {
    std::snprintf(line, sizeof line, "%lld,%lld.5,s%lld\n", (long long)i, (long long)i,
                  (long long)i);
    out += line;
  }
  return out;
}

#ifdef QUIVERD_BIN
// The real quiverd serving `pool` with `config_file`, as a child process.
// `fsize_limit` > 0 runs it under RLIMIT_FSIZE with SIGXFSZ ignored (the
// file-size limit then fails writes with EFBIG, as a full disk does).
class Quiverd {
 public:
  Quiverd(const std::string& pool, const std::string& config_file, const std::string& err_file,
          uint64_t fsize_limit = 0) {
    int out[2];
    REQUIRE(pipe(out) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err < 0) _exit(126);
      dup2(err, 2);
      if (fsize_limit > 0) {
        signal(SIGXFSZ, SIG_IGN);
        rlimit rl{fsize_limit, fsize_limit};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(125);
      }
      execl(QUIVERD_BIN, "quiverd", "--pool", pool.c_str(), "--config", config_file.c_str(),
            "--listen", "127.0.0.1:0", nullptr);
      _exit(127);
    }
    close(out[1]);
    std::string line;
    bool got = ReadLine(out[0], &line);
    close(out[0]);
    INFO("quiverd said: " << line << "\n" << ReadFileBytes(err_file));
    REQUIRE(got);
    auto at = line.find("http://127.0.0.1:");
    REQUIRE(at != std::string::npos);
    port_ = std::stoi(line.substr(at + 17));
  }
  ~Quiverd() {
    if (pid_ > 0) Stop();
  }
  Quiverd(const Quiverd&) = delete;
  Quiverd& operator=(const Quiverd&) = delete;
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }
  // SIGTERM and wait; returns the exit code.
  int Stop() {
    kill(pid_, SIGTERM);
    int rc = WaitChild(pid_);
    pid_ = -1;
    return rc;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};
#endif

}  // namespace quiver::testing
