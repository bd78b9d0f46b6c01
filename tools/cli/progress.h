// The progress line of the quiver subcommands that move many bytes (ingest,
// pool backup and restore): a bar on stderr when it is a terminal, or one
// line per update for scripts. Not thread-safe: one command's thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace quiver::cli {

enum class ProgressMode { kNone, kBar, kLines };

inline std::string Thousands(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = int(s.size()) - 3; i > (s[0] == '-' ? 1 : 0); i -= 3) s.insert(size_t(i), ",");
  return s;
}

class Progress {
 public:
  explicit Progress(ProgressMode mode) : mode_(mode), start_(Clock::now()) {}

  double Seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  // raw_done/raw_total: bytes of the current file (for the percentage);
  // bytes: decompressed bytes parsed over all files.
  void Update(int64_t raw_done, int64_t raw_total, int64_t bytes, int64_t rows, int64_t chunks) {
    if (mode_ == ProgressMode::kLines) {
      std::fprintf(stderr, "progress: rows=%lld chunks=%lld bytes=%lld\n", (long long)rows,
                   (long long)chunks, (long long)bytes);
      std::fflush(stderr);
      return;
    }
    if (mode_ != ProgressMode::kBar) return;
    double t = Seconds();
    if (t - last_ < 0.1) return;
    last_ = t;
    double mbs = t > 0 ? double(bytes) / 1e6 / t : 0;
    double rps = t > 0 ? double(rows) / t : 0;
    char line[256];
    if (raw_total > 0) {
      double frac = std::min(1.0, double(raw_done) / double(raw_total));
      int width = 24, filled = int(frac * width);
      std::string bar(size_t(filled), '#');
      bar.append(size_t(width - filled), '.');
      double eta = frac > 0 ? t * (1 - frac) / frac : 0;
      std::snprintf(line, sizeof line,
                    "\r[%s] %5.1f%% %9.1f MB %14s rows %10.0f rows/s %7.1f MB/s ETA %d:%02d ",
                    bar.c_str(), frac * 100, double(bytes) / 1e6, Thousands(rows).c_str(), rps, mbs,
                    int(eta) / 60, int(eta) % 60);
    } else {
      std::snprintf(line, sizeof line, "\r%9.1f MB %14s rows %10.0f rows/s %7.1f MB/s ",
                    double(bytes) / 1e6, Thousands(rows).c_str(), rps, mbs);
    }
    std::fputs(line, stderr);
    std::fflush(stderr);
    drawn_ = true;
  }

  // Byte copies without rows (pool backup, restore): `done` of `total`.
  void UpdateBytes(uint64_t done, uint64_t total) {
    if (mode_ == ProgressMode::kLines) {
      std::fprintf(stderr, "progress: bytes=%llu total=%llu\n", (unsigned long long)done,
                   (unsigned long long)total);
      std::fflush(stderr);
      return;
    }
    if (mode_ != ProgressMode::kBar) return;
    double t = Seconds();
    if (t - last_ < 0.1 && done < total) return;
    last_ = t;
    double frac = total > 0 ? std::min(1.0, double(done) / double(total)) : 1.0;
    int width = 24, filled = int(frac * width);
    std::string bar(size_t(filled), '#');
    bar.append(size_t(width - filled), '.');
    double eta = frac > 0 ? t * (1 - frac) / frac : 0;
    char line[160];
    std::snprintf(line, sizeof line, "\r[%s] %5.1f%% %9.1f of %.1f MB %7.1f MB/s ETA %d:%02d ",
                  bar.c_str(), frac * 100, double(done) / 1e6, double(total) / 1e6,
                  t > 0 ? double(done) / 1e6 / t : 0.0, int(eta) / 60, int(eta) % 60);
    std::fputs(line, stderr);
    std::fflush(stderr);
    drawn_ = true;
  }

  void Clear() {
    if (drawn_) std::fputs("\r\033[K", stderr);
    drawn_ = false;
  }

 private:
  using Clock = std::chrono::steady_clock;
  ProgressMode mode_;
  Clock::time_point start_;
  double last_ = -1;
  bool drawn_ = false;
};

}  // namespace quiver::cli
