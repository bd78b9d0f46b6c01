// Private to pmem/: mappings of the pool file, the reader table, and small
// helpers. Only pmem/ maps files or takes file locks; every effect on the
// pool file's durability goes through its Device (pmem/device.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/clock.h"
#include "config/status.h"
#include "pmem/device.h"
#include "pmem/layout.h"
#include "pmem/pool.h"

namespace quiver::pmem {

// errno -> Status with the operation and path named.
Status ErrnoStatus(int err, const std::string& op, const std::string& path);
uint32_t Crc32(const void* data, size_t n);
std::string UuidString(const uint8_t uuid[16]);

// One mapping of the whole pool file. A writable one comes from the Device
// (libpmem in production, which decides between CPU cache flushes and
// msync); a read-only one is a plain PROT_READ mmap, which has no effect on
// durability. Mappings are shared by Snapshots and Transactions, so a grow
// never invalidates a pointer someone holds.
class Mapping {
 public:
  static Result<std::shared_ptr<Mapping>> MapWritable(Device* device, int fd,
                                                      const std::string& path);
  static Result<std::shared_ptr<Mapping>> MapReadOnly(int fd, uint64_t size,
                                                      const std::string& path);
  ~Mapping();
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  uint8_t* base() const { return m_.base; }
  uint64_t size() const { return m_.size; }
  bool is_pmem() const { return m_.is_pmem; }
  // Makes [offset, offset+length) durable through the Device.
  Status Persist(uint64_t offset, uint64_t length) const;
  // Maps the pages of [offset, offset+length) ahead of writes (Device::Prefault).
  void Prefault(uint64_t offset, uint64_t length) const;

 private:
  Mapping() = default;
  Device* device_ = nullptr;  // null for a read-only mapping
  DeviceMapping m_;
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
  // The newest txn the writer acknowledged (LockHeader::acked_txn).
  uint64_t Acked() const;
  void SetAcked(uint64_t txn);
  uint32_t WriterPid() const { return header()->writer_pid; }
  // True when the file was deleted (or replaced) since it was opened: new
  // readers would register in another file.
  bool Unlinked() const;

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
