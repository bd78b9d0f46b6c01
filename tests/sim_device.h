// SimDevice: a simulated storage device for power-loss tests.
//
// The pool writes through a real shared mapping of a real file (the page
// cache: what a process crash keeps). Beside it, SimDevice keeps what a power
// loss would keep — the durable image of every file it has seen — and changes
// that image only as a real device would:
//   Persist   copies the persisted range, widened to whole units (4 KiB pages
//             for the msync engine, 64-byte cache lines for the flush
//             engine), from the live file into the durable image;
//   SyncFile  makes the whole live file and its size durable;
//   Resize    changes the live size only (lost unless synced);
//   Rename    changes the live name only; SyncDir makes the names of that
//             directory durable.
// Take() captures the file as a power loss would leave it now;
// WithWriteback() adds a random subset of the units that differ from it
// (the kernel writes dirty pages back whenever it likes, and caches evict
// lines). `on_effect` runs before every effect that can change durable state,
// so a test can take an image at each persist point. FailAt() makes the n-th
// effect fail with an errno (EIO, ENOSPC).
//
// Thread-safety: one thread at a time (the pool's writer).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "pmem/device.h"

namespace quiver::testing {

class SimDevice final : public pmem::Device {
 public:
  enum class Engine { kMsync, kFlush };
  explicit SimDevice(Engine engine) : engine_(engine) {}
  ~SimDevice() override;

  Engine engine() const { return engine_; }
  const char* engine_name() const { return engine_ == Engine::kMsync ? "msync" : "flush"; }
  uint64_t unit() const { return engine_ == Engine::kMsync ? 4096 : 64; }

  // Called before every Persist, SyncFile, SyncDir and Resize with its name.
  std::function<void(const char* what)> on_effect;
  // The n-th effect from now on (1 = the next) fails with `err`; 0 = never.
  void FailAt(uint64_t n, int err) {
    fail_at_ = n == 0 ? 0 : effects_ + n;
    fail_errno_ = err;
  }
  uint64_t effects() const { return effects_; }

  // Treats the file at `path` as durable as it is now (a pool made before
  // the simulation starts).
  void Adopt(const std::string& path);
  // What a power loss now would leave of the file at `path` (nullopt if its
  // name would not survive), with the live bytes beside it.
  struct Capture {
    std::string durable;     // the image: durable bytes, durable size
    std::string_view live;   // the page cache: what a process crash keeps
    std::string live_owned;  // its bytes when no mapping is open
  };
  std::optional<Capture> Take(const std::string& path) const;
  std::optional<std::string> DurableImage(const std::string& path) const;
  // The image with each unit that differs from the live file written back
  // early with probability `p`; `*units` (if given) gets how many were.
  std::string WithWriteback(const Capture& c, std::mt19937_64& rng, double p,
                            uint64_t* units = nullptr) const;

  Result<pmem::DeviceMapping> MapWritable(int fd, const std::string& path) override;
  void Unmap(const pmem::DeviceMapping& m) override;
  Status Persist(const pmem::DeviceMapping& m, uint64_t offset, uint64_t length) override;
  Status SyncFile(int fd, const std::string& path) override;
  Status Resize(int fd, uint64_t size, const std::string& path) override;
  Status Reserve(int fd, uint64_t offset, uint64_t length, const std::string& path) override;
  Status Write(int fd, const void* data, uint64_t length, uint64_t offset,
               const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& dir) override;

 private:
  struct File {
    int fd = -1;                      // a dup of the writer's fd, to read live bytes
    const uint8_t* mapped = nullptr;  // the newest writable mapping, if any
    uint64_t mapped_size = 0;
    std::string durable;  // durable bytes (may extend past durable_size)
    uint64_t durable_size = 0;
  };
  Status Effect(const char* what, const std::string& path);
  File& Track(int fd, const std::string& path);
  const File* Find(const std::string& path, bool durable_name) const;
  std::string Live(const File& f) const;

  Engine engine_;
  uint64_t effects_ = 0, fail_at_ = 0;
  int fail_errno_ = 0;
  std::map<uint64_t, File> files_;                 // by inode
  std::map<std::string, uint64_t> live_names_;     // path -> inode
  std::map<std::string, uint64_t> durable_names_;  // what survives a power loss
};

// A fast 64-bit hash of bytes (images are megabytes; std::hash is bytewise).
uint64_t QuickHash(std::string_view b);

// Writes `bytes` to `path` as a sparse file (all-zero pages are holes).
void WriteSparse(const std::string& path, const std::string& bytes);

}  // namespace quiver::testing
