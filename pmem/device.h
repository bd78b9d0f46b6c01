// Device: the one seam through which the pool reaches the file system — every
// effect on a pool file that matters for durability (LevelDB's `Env` idea).
//
// The pool never calls mmap, msync, fsync, ftruncate, fallocate, pwrite or
// rename itself; it asks its Device. Production uses DefaultDevice(): libpmem
// maps the file and persists ranges with CPU cache flushes on real pmem (or
// with PMEM_IS_PMEM_FORCE=1) and with msync elsewhere. Tests substitute a
// simulated device that keeps a separate durable image of the file, applies
// only what was really persisted, may write back unpersisted pages early (as
// the page cache does), loses size changes that were never synced, and
// injects errors at a chosen call (tests/pmem/sim_device.h).
//
// What each call promises (the pool's commit protocol relies on exactly this):
//   Persist   the bytes of [offset, offset+length) of a mapping survive a power
//             loss once it returns OK. It says nothing about the file's size.
//   SyncFile  every byte written to the file and its size survive (fsync).
//   Resize    changes the file's size; durable only after SyncFile.
//   Reserve   allocates blocks for a range so that writes through a mapping
//             cannot hit a full disk (ENOSPC becomes OutOfSpace, not SIGBUS).
//   Prefault  a hint: map the pages of a reserved range writable ahead of the
//             writes (one call instead of a page fault per page). Changes no
//             byte of the file and promises nothing; may do nothing.
//   Write     writes bytes at an offset (pwrite); durable only after SyncFile.
//   Rename    renames without replacing; durable only after SyncDir.
//
// Thread-safety: a Device is shared by every pool that uses it and must be
// safe to call from any thread. Ownership: the caller keeps a non-default
// Device alive for as long as any pool or mapping made with it.
#pragma once

#include <cstdint>
#include <string>

#include "config/status.h"

namespace quiver::pmem {

// A writable mapping made by a Device.
struct DeviceMapping {
  uint8_t* base = nullptr;
  uint64_t size = 0;
  bool is_pmem = false;  // persists are cache flushes (else msync)
  int fd = -1;           // the file it maps (not owned)
};

class Device {
 public:
  virtual ~Device() = default;

  // Maps the whole file `fd` (at `path`) shared and writable.
  virtual Result<DeviceMapping> MapWritable(int fd, const std::string& path) = 0;
  virtual void Unmap(const DeviceMapping& m) = 0;
  virtual Status Persist(const DeviceMapping& m, uint64_t offset, uint64_t length) = 0;
  virtual Status SyncFile(int fd, const std::string& path) = 0;
  virtual Status Resize(int fd, uint64_t size, const std::string& path) = 0;
  virtual Status Reserve(int fd, uint64_t offset, uint64_t length, const std::string& path) = 0;
  virtual void Prefault(const DeviceMapping& /*m*/, uint64_t /*offset*/, uint64_t /*length*/) {}
  virtual Status Write(int fd, const void* data, uint64_t length, uint64_t offset,
                       const std::string& path) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status SyncDir(const std::string& dir) = 0;
};

// libpmem and the operating system. Never null; lives for the whole process.
Device* DefaultDevice();

}  // namespace quiver::pmem
