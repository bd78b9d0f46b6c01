#include <fcntl.h>
#include <libpmem.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <ctime>

#include "config/clock.h"
#include "pmem/file_internal.h"

namespace quiver::pmem {

Status ErrnoStatus(int err, const std::string& op, const std::string& path) {
  std::string m = op + " " + path + ": " + std::strerror(err);
  switch (err) {
    case ENOENT: return Status::NotFound(m);
    case EACCES:
    case EPERM:
    case EROFS: return Status::PermissionDenied(m);
    case ENOSPC:
    case EDQUOT:
    case EFBIG: return Status::OutOfSpace(m + " (disk full)");
    case EISDIR: return Status::Invalid(path + " is a directory, not a pool file");
    default: return Status::IOError(m);
  }
}

uint32_t Crc32(const void* data, size_t n) {
  return uint32_t(crc32(0L, static_cast<const Bytef*>(data), uInt(n)));
}

uint64_t NowNs() { return quiver::NowNs(); }

std::string UuidString(const uint8_t u[16]) {
  char buf[37];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
                u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
                u[14], u[15]);
  return buf;
}

// ---------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------

Result<std::shared_ptr<Mapping>> Mapping::MapWritable(const std::string& path) {
  size_t len = 0;
  int is_pmem = 0;
  void* p = pmem_map_file(path.c_str(), 0, 0, 0, &len, &is_pmem);
  if (p == nullptr) {
    int err = errno;
    return ErrnoStatus(err, "map", path).WithContext(pmem_errormsg());
  }
  auto m = std::shared_ptr<Mapping>(new Mapping());
  m->base_ = static_cast<uint8_t*>(p);
  m->size_ = len;
  m->is_pmem_ = is_pmem != 0;
  m->from_libpmem_ = true;
  m->path_ = path;
  return m;
}

Result<std::shared_ptr<Mapping>> Mapping::MapReadOnly(int fd, uint64_t size,
                                                      const std::string& path) {
  void* p = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return ErrnoStatus(errno, "mmap", path);
  auto m = std::shared_ptr<Mapping>(new Mapping());
  m->base_ = static_cast<uint8_t*>(p);
  m->size_ = size;
  m->path_ = path;
  return m;
}

Mapping::~Mapping() {
  if (base_ == nullptr) return;
  if (from_libpmem_) {
    pmem_unmap(base_, size_);
  } else {
    munmap(base_, size_);
  }
}

Status Mapping::Persist(uint64_t offset, uint64_t length) const {
  if (length == 0) return Status::OK();
  if (offset > size_ || length > size_ - offset) {
    return Status::Internal("persist of [" + std::to_string(offset) + ", +" +
                            std::to_string(length) + ") beyond mapping of " +
                            std::to_string(size_) + " bytes");
  }
  if (is_pmem_) {
    pmem_persist(base_ + offset, length);
    return Status::OK();
  }
  if (pmem_msync(base_ + offset, length) != 0) return ErrnoStatus(errno, "msync", path_);
  return Status::OK();
}

// ---------------------------------------------------------------------------
// ReaderTable
// ---------------------------------------------------------------------------

namespace {
constexpr off_t kWriterLockOffset = 0;
constexpr off_t kWriterLockLen = 8;

off_t SlotOffset(uint32_t i) { return off_t(sizeof(LockHeader) + uint64_t(i) * sizeof(ReaderSlot)); }

int OfdLock(int fd, int cmd, short type, off_t start, off_t len, flock* out = nullptr) {
  flock fl{};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = len;
  fl.l_pid = 0;
  int rc = fcntl(fd, cmd, &fl);
  if (out != nullptr) *out = fl;
  return rc;
}

std::atomic_ref<uint64_t> AtomicTxn(ReaderSlot* s) { return std::atomic_ref<uint64_t>(s->txn_id); }
}  // namespace

Result<std::shared_ptr<ReaderTable>> ReaderTable::Open(const std::string& lock_path,
                                                       const uint8_t uuid[16]) {
  auto t = std::shared_ptr<ReaderTable>(new ReaderTable());
  t->path_ = lock_path;
  t->fd_ = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (t->fd_ < 0) {
    return ErrnoStatus(errno, "open reader table", lock_path)
        .WithContext("readers and the writer need read-write access to the lock file");
  }
  t->probe_fd_ = open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
  if (t->probe_fd_ < 0) return ErrnoStatus(errno, "open reader table", lock_path);
  struct stat st{};
  if (fstat(t->fd_, &st) != 0) return ErrnoStatus(errno, "stat", lock_path);
  if (uint64_t(st.st_size) < kLockFileSize && ftruncate(t->fd_, off_t(kLockFileSize)) != 0) {
    return ErrnoStatus(errno, "extend", lock_path);
  }
  void* p = mmap(nullptr, kLockFileSize, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd_, 0);
  if (p == MAP_FAILED) return ErrnoStatus(errno, "mmap", lock_path);
  t->map_ = static_cast<uint8_t*>(p);
  LockHeader* h = t->header();
  if (h->magic != kLockMagic || std::memcmp(h->uuid, uuid, 16) != 0 ||
      h->slots != kReaderSlots) {
    // A new or stale table (e.g. of a pool recreated under this name). Its
    // contents are not durable state: reset it. Slots are owned through
    // locks, so a reset cannot steal a live reader's ownership.
    std::memset(t->map_ + sizeof(LockHeader), 0, kLockFileSize - sizeof(LockHeader));
    std::memcpy(h->uuid, uuid, 16);
    h->slots = kReaderSlots;
    h->writer_pid = 0;
    std::atomic_thread_fence(std::memory_order_seq_cst);
    h->magic = kLockMagic;
  }
  return t;
}

ReaderTable::~ReaderTable() {
  if (map_ != nullptr) munmap(map_, kLockFileSize);
  if (fd_ >= 0) close(fd_);  // drops every OFD lock taken through fd_
  if (probe_fd_ >= 0) close(probe_fd_);
}

Status ReaderTable::LockWriter(const std::string& pool_path) {
  if (OfdLock(fd_, F_OFD_SETLK, F_WRLCK, kWriterLockOffset, kWriterLockLen) != 0) {
    if (errno == EAGAIN || errno == EACCES) {
      return Status::Locked("pool " + pool_path + " is locked by pid " +
                            std::to_string(header()->writer_pid) +
                            " (another writer has it open)");
    }
    return ErrnoStatus(errno, "lock", path_);
  }
  header()->writer_pid = uint32_t(getpid());
  return Status::OK();
}

Result<uint32_t> ReaderTable::Claim(uint64_t txn) {
  for (uint32_t i = 0; i < kReaderSlots; ++i) {
    if (held_[i]) continue;
    if (OfdLock(fd_, F_OFD_SETLK, F_WRLCK, SlotOffset(i), sizeof(ReaderSlot)) != 0) {
      if (errno == EAGAIN || errno == EACCES) continue;
      return ErrnoStatus(errno, "lock reader slot in", path_);
    }
    held_[i] = true;
    ReaderSlot* s = slot(i);
    s->pid = uint32_t(getpid());
    s->pin_time_ns = NowNs();
    AtomicTxn(s).store(txn, std::memory_order_seq_cst);
    return i;
  }
  return Status::ResourceExhausted("all " + std::to_string(kReaderSlots) +
                                   " reader slots of " + path_ + " are in use");
}

void ReaderTable::Release(uint32_t i) {
  AtomicTxn(slot(i)).store(0, std::memory_order_seq_cst);
  OfdLock(fd_, F_OFD_SETLK, F_UNLCK, SlotOffset(i), sizeof(ReaderSlot));
  held_[i] = false;
}

bool ReaderTable::SlotLive(uint32_t i) {
  flock fl{};
  if (OfdLock(probe_fd_, F_OFD_GETLK, F_WRLCK, SlotOffset(i), sizeof(ReaderSlot), &fl) != 0) {
    return true;  // cannot tell: keep the pin (safe side)
  }
  return fl.l_type != F_UNLCK;
}

std::vector<ReaderInfo> ReaderTable::Live() {
  std::vector<ReaderInfo> out;
  for (uint32_t i = 0; i < kReaderSlots; ++i) {
    ReaderSlot* s = slot(i);
    uint64_t txn = AtomicTxn(s).load(std::memory_order_seq_cst);
    if (txn == 0 || !SlotLive(i)) continue;
    out.push_back({i, s->pid, txn, s->pin_time_ns});
  }
  return out;
}

uint64_t ReaderTable::OldestPin() {
  uint64_t oldest = UINT64_MAX;
  for (uint32_t i = 0; i < kReaderSlots; ++i) {
    ReaderSlot* s = slot(i);
    uint64_t txn = AtomicTxn(s).load(std::memory_order_seq_cst);
    if (txn == 0) continue;
    if (!SlotLive(i)) {
      // A dead process's pin. Reclaim it under the slot's lock so that a
      // reader claiming the slot at this moment cannot lose its pin.
      if (OfdLock(probe_fd_, F_OFD_SETLK, F_WRLCK, SlotOffset(i), sizeof(ReaderSlot)) == 0) {
        AtomicTxn(s).store(0, std::memory_order_seq_cst);
        OfdLock(probe_fd_, F_OFD_SETLK, F_UNLCK, SlotOffset(i), sizeof(ReaderSlot));
        continue;
      }
      txn = AtomicTxn(s).load(std::memory_order_seq_cst);
      if (txn == 0) continue;
    }
    if (txn < oldest) oldest = txn;
  }
  return oldest;
}

}  // namespace quiver::pmem
