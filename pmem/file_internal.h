// Private to pmem/: the OS and libpmem calls behind Pool. Only pmem/ maps
// files, persists, or takes file locks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/status.h"
#include "pmem/layout.h"
#include "pmem/pool.h"

namespace quiver::pmem {

// errno -> Status with the operation and path named.
Status ErrnoStatus(int err, const std::string& op, const std::string& path);
uint32_t Crc32(const void* data, size_t n);
uint64_t NowNs();
std::string UuidString(const uint8_t uuid[16]);

// One mapping of the whole pool file. A writable mapping comes from libpmem
// (pmem_map_file), which decides between CPU cache flushes (real pmem, or
// PMEM_IS_PMEM_FORCE=1) and msync; a read-only one is a plain PROT_READ mmap,
// because libpmem only maps read-write. Mappings are shared by Snapshots and
// Transactions, so a grow never invalidates a pointer someone holds.
class Mapping {
 public:
  static Result<std::shared_ptr<Mapping>> MapWritable(const std::string& path);
  static Result<std::shared_ptr<Mapping>> MapReadOnly(int fd, uint64_t size,
                                                      const std::string& path);
  ~Mapping();
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  uint8_t* base() const { return base_; }
  uint64_t size() const { return size_; }
  bool is_pmem() const { return is_pmem_; }
  // Makes [offset, offset+length) durable: cache flush + fence on pmem,
  // msync elsewhere.
  Status Persist(uint64_t offset, uint64_t length) const;

 private:
  Mapping() = default;
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  bool is_pmem_ = false;
  bool from_libpmem_ = false;
  std::string path_;
};

// The reader table in "<pool>.lock" (see layout.h). Slots are owned through
// OFD locks, so a process that dies loses its pins automatically.
class ReaderTable {
 public:
  static Result<std::shared_ptr<ReaderTable>> Open(const std::string& lock_path,
                                                   const uint8_t uuid[16]);
  ~ReaderTable();

  // Takes the writer lock or fails at once with Locked naming the holder.
  Status LockWriter(const std::string& pool_path);
  // Claims a free slot and records `txn` in it.
  Result<uint32_t> Claim(uint64_t txn);
  void Release(uint32_t slot);
  // Slots held by live processes (this one included).
  std::vector<ReaderInfo> Live();
  // Smallest txn pinned by a live reader; UINT64_MAX if none. Slots of dead
  // processes are reclaimed on the way.
  uint64_t OldestPin();

 private:
  ReaderTable() = default;
  bool SlotLive(uint32_t slot);
  int fd_ = -1;        // holds this process's slot and writer locks
  int probe_fd_ = -1;  // separate open file description to test others' locks
  uint8_t* map_ = nullptr;
  LockHeader* header() const { return reinterpret_cast<LockHeader*>(map_); }
  ReaderSlot* slot(uint32_t i) const {
    return reinterpret_cast<ReaderSlot*>(map_ + sizeof(LockHeader)) + i;
  }
  std::string path_;
  // Slots this object holds. An OFD lock never conflicts with its own open
  // file description, so the lock alone cannot tell our slots from free ones.
  std::vector<bool> held_ = std::vector<bool>(kReaderSlots, false);
};

}  // namespace quiver::pmem
