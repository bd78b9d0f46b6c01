// quiver pool backup | restore | verify (issue 19; store/backup.h).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "config/units.h"
#include "store/backup.h"
#include "tools/cli/cli.h"
#include "tools/cli/progress.h"
#include "tools/cli/store_util.h"

namespace quiver::cli {
namespace {

// --progress draws a bar when stderr is a terminal and prints lines
// otherwise (scripts, tests).
ProgressMode ProgressFor(const Args& args) {
  if (!args.Has("progress")) return ProgressMode::kNone;
  return StderrIsTerminal() ? ProgressMode::kBar : ProgressMode::kLines;
}

pmem::ProgressFn ProgressCallback(Progress* p, ProgressMode mode) {
  if (mode == ProgressMode::kNone) return nullptr;
  return [p](uint64_t done, uint64_t total) { p->UpdateBytes(done, total); };
}

std::string FormatSeconds(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f s", s);
  return b;
}

Status WriteFd(int fd, const uint8_t* data, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(std::string("write to stdout: ") + std::strerror(errno));
    }
    data += w;
    n -= size_t(w);
  }
  return Status::OK();
}

int PoolBackup(const std::vector<std::string>& argv) {
  const std::string cmd = "pool backup";
  auto args = Args::Parse(argv, {"compact", "progress"}, {});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 2) return UsageError(cmd, "expected SRC and DST");
  const std::string& src = args->positional()[0];
  const std::string& dst = args->positional()[1];
  if (dst == "-" && args->Has("compact")) {
    return UsageError(cmd, "--compact writes a file; stream a plain backup with DST -");
  }
  if (dst == "-" && isatty(STDOUT_FILENO)) {
    return UsageError(cmd, "refusing to write a backup stream to a terminal (redirect stdout)");
  }
  auto store = OpenStore(src, /*read_only=*/true);
  if (!store.ok()) return Fail(cmd, store.status(), ErrorSource::kPool);
  ProgressMode mode = ProgressFor(*args);
  Progress progress(mode);
  store::BackupOptions options;
  options.compact = args->Has("compact");
  options.progress = ProgressCallback(&progress, mode);
  Result<store::BackupResult> r = Status::OK();
  if (dst == "-") {
    r = store::BackupToStream(
        **store, [](const uint8_t* p, size_t n) { return WriteFd(STDOUT_FILENO, p, n); }, options);
  } else {
    r = store::BackupToFile(**store, dst, options);
  }
  progress.Clear();
  // SRC or DST could not be read, written or verified: a pool error (3).
  if (!r.ok()) return Fail(cmd, r.status(), ErrorSource::kPool);
  double secs = progress.Seconds();
  std::cerr << "backed up txn " << r->txn << " of " << src << " to "
            << (dst == "-" ? std::string("stdout") : dst) << ": " << FormatBytes(r->bytes)
            << (options.compact ? " (compacted)" : "") << " in " << FormatSeconds(secs);
  if (dst != "-") std::cerr << "; " << r->verify.Summary();
  std::cerr << "\n";
  // The captured txn on stdout for scripts (a file backup's stdout is free).
  if (dst != "-") std::cout << "txn " << r->txn << "\n";
  return kExitOk;
}

int PoolRestore(const std::vector<std::string>& argv) {
  const std::string cmd = "pool restore";
  auto args = Args::Parse(argv, {"progress"}, {});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 2) return UsageError(cmd, "expected STREAM (or -) and DST");
  const std::string& from = args->positional()[0];
  const std::string& dst = args->positional()[1];
  int fd = STDIN_FILENO;
  if (from != "-") {
    fd = open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Fail(cmd, Status::NotFound("open " + from + ": " + std::strerror(errno)),
                  ErrorSource::kInput);
    }
  }
  ProgressMode mode = ProgressFor(*args);
  Progress progress(mode);
  pmem::ByteSource source = [fd](uint8_t* p, size_t n) -> Result<size_t> {
    for (;;) {
      ssize_t r = read(fd, p, n);
      if (r >= 0) return size_t(r);
      if (errno != EINTR) return Status::IOError(std::string("read: ") + std::strerror(errno));
    }
  };
  auto r = store::RestoreFromStream(source, dst, ProgressCallback(&progress, mode));
  if (fd != STDIN_FILENO) close(fd);
  progress.Clear();
  if (!r.ok()) {
    // A damaged or truncated stream is bad input; the target's own
    // problems (exists, disk full) are pool errors.
    bool input = r.status().code() == StatusCode::kCorruption ||
                 r.status().code() == StatusCode::kInvalidArgument ||
                 r.status().code() == StatusCode::kNotSupported;
    return Fail(cmd, r.status(), input ? ErrorSource::kInput : ErrorSource::kPool);
  }
  std::cerr << "restored txn " << r->txn << " into " << dst << ": " << FormatBytes(r->bytes) << "; "
            << r->verify.Summary() << "\n";
  std::cout << "txn " << r->txn << "\n";
  return kExitOk;
}

int PoolVerify(const std::vector<std::string>& argv) {
  const std::string cmd = "pool verify";
  auto args = Args::Parse(argv, {}, {});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 1) return UsageError(cmd, "expected exactly one PATH");
  store::VerifyReport r = store::VerifyPool(args->positional()[0]);
  std::cout << r.Summary() << "\n";
  if (r.ok()) return kExitOk;
  // Damage found (or a pool that does not open): the pool error of
  // ExitCodeFor, as `pool check` reports it.
  return ExitCodeFor(Status::DataLoss(r.Summary()), ErrorSource::kPool);
}

const bool kRegistered = [] {
  Register({"pool backup", "copy a consistent snapshot of a pool while it is written",
            "Usage: quiver pool backup SRC DST [--compact] [--progress]\n\n"
            "Pins the latest state of pool SRC as a reader (writers and readers carry on)\n"
            "and writes exactly that state as a new pool DST: its live bytes only (free\n"
            "space stays a hole). --compact writes only the live tables, their chunks one\n"
            "after the other, with no free space (like mdb_copy -c). DST is written as\n"
            "DST.tmp, made durable, verified (every structure and checksum) and renamed;\n"
            "a failed or interrupted backup leaves no DST (the next backup replaces a\n"
            "stale DST.tmp). Prints \"txn N\", the state it holds, on stdout.\n"
            "DST - streams the backup to stdout (holes elided, with a checksum) for a\n"
            "pipe or a compressor; `quiver pool restore` turns it back into a pool.\n"
            "--progress reports bytes copied on stderr.\n"
            "Exit 0 when DST is complete and verified, 3 when SRC or DST cannot be read,\n"
            "written or verified (DST exists, disk full, damage found).\n",
            PoolBackup});
  Register({"pool restore", "rebuild a pool file from a backup stream",
            "Usage: quiver pool restore STREAM|- DST [--progress]\n\n"
            "Reads a stream written by `quiver pool backup SRC -` (or POST\n"
            "/v1/admin/backup) from STREAM or stdin, checks its framing and checksum,\n"
            "writes a sparse pool file DST.tmp, verifies it and renames it to DST.\n"
            "Exit 2 for a damaged or truncated stream (no DST is left), 3 when DST\n"
            "exists or cannot be written.\n",
            PoolRestore});
  Register({"pool verify", "verify every structure and checksum; one summary line",
            "Usage: quiver pool verify PATH\n\n"
            "Checks the pool's structures (superblock, meta slots, free list, catalog,\n"
            "extents) and every checksum of every column of every chunk of every table,\n"
            "then prints one line for a cron job: \"ok: 12 tables, 3,456 chunks, 12.3 GiB\n"
            "verified (txn 42)\" and exit 0, or \"FAILED: N errors: ...\" naming table,\n"
            "chunk, column and file offset, and exit 3.\n",
            PoolVerify});
  return true;
}();

}  // namespace
}  // namespace quiver::cli
