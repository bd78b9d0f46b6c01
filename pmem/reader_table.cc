// The reader table "<pool>.lock": slots owned through OFD locks.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "pmem/file_internal.h"

namespace quiver::pmem {

// ---------------------------------------------------------------------------
// ReaderTable
// ---------------------------------------------------------------------------

namespace {
constexpr off_t kWriterLockOffset = 0;
constexpr off_t kWriterLockLen = 8;

off_t SlotOffset(uint32_t i) {
  return off_t(sizeof(LockHeader) + uint64_t(i) * sizeof(ReaderSlot));
}

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
std::atomic_ref<uint64_t> AtomicAcked(LockHeader* h) {
  return std::atomic_ref<uint64_t>(h->acked_txn);
}
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
  struct stat st {};
  if (fstat(t->fd_, &st) != 0) return ErrnoStatus(errno, "stat", lock_path);
  if (uint64_t(st.st_size) < kLockFileSize && ftruncate(t->fd_, off_t(kLockFileSize)) != 0) {
    return ErrnoStatus(errno, "extend", lock_path);
  }
  // Reserve the blocks: the table is written through a shared mapping, and a
  // store into a hole of a full disk would raise SIGBUS; this says ENOSPC.
  if (int rc = posix_fallocate(t->fd_, 0, off_t(kLockFileSize));
      rc != 0 && rc != EOPNOTSUPP && rc != EINVAL) {
    return ErrnoStatus(rc, "reserve", lock_path);
  }
  void* p = mmap(nullptr, kLockFileSize, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd_, 0);
  if (p == MAP_FAILED) return ErrnoStatus(errno, "mmap", lock_path);
  t->map_ = static_cast<uint8_t*>(p);
  LockHeader* h = t->header();
  if (h->magic != kLockMagic || std::memcmp(h->uuid, uuid, 16) != 0 || h->slots != kReaderSlots) {
    // A new or stale table (e.g. of a pool recreated under this name). Its
    // contents are not durable state: reset it. Slots are owned through
    // locks, so a reset cannot steal a live reader's ownership.
    std::memset(t->map_ + sizeof(LockHeader), 0, kLockFileSize - sizeof(LockHeader));
    std::memcpy(h->uuid, uuid, 16);
    h->slots = kReaderSlots;
    h->writer_pid = 0;
    h->acked_txn = 0;
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
                            std::to_string(header()->writer_pid) + " (another writer has it open)");
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
  return Status::ResourceExhausted(
      "all " + std::to_string(kReaderSlots) + " reader slots of " + path_ +
      " are in use by live processes: close some readers (quiver pool info lists them)");
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

uint64_t ReaderTable::Acked() const {
  return AtomicAcked(header()).load(std::memory_order_seq_cst);
}

void ReaderTable::SetAcked(uint64_t txn) {
  AtomicAcked(header()).store(txn, std::memory_order_seq_cst);
}

bool ReaderTable::Unlinked() const {
  struct stat st {};
  struct stat now {};
  if (fstat(fd_, &st) != 0) return false;
  if (st.st_nlink == 0) return true;
  // Replaced: the name now leads to another file.
  if (stat(path_.c_str(), &now) != 0) return true;
  return now.st_ino != st.st_ino || now.st_dev != st.st_dev;
}

}  // namespace quiver::pmem
