// The production Device: libpmem for mappings and persists, the OS for the
// rest. The only file in Quiver that calls these functions on a pool file.
#include "pmem/device.h"

#include <fcntl.h>
#include <libpmem.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "pmem/file_internal.h"

namespace quiver::pmem {

namespace {

class OsDevice final : public Device {
 public:
  Result<DeviceMapping> MapWritable(int fd, const std::string& path) override {
    size_t len = 0;
    int is_pmem = 0;
    // libpmem maps by path (and chooses MAP_SYNC on a DAX file system, so
    // that a page fault's block allocation is durable before the write).
    void* p = pmem_map_file(path.c_str(), 0, 0, 0, &len, &is_pmem);
    if (p == nullptr) {
      int err = errno;
      return ErrnoStatus(err, "map", path).WithContext(pmem_errormsg());
    }
    return DeviceMapping{static_cast<uint8_t*>(p), len, is_pmem != 0, fd};
  }

  void Unmap(const DeviceMapping& m) override { pmem_unmap(m.base, m.size); }

  Status Persist(const DeviceMapping& m, uint64_t offset, uint64_t length) override {
    if (m.is_pmem) {
      pmem_persist(m.base + offset, length);
      return Status::OK();
    }
    if (pmem_msync(m.base + offset, length) != 0) {
      return ErrnoStatus(errno, "msync", "pool file");
    }
    return Status::OK();
  }

  Status SyncFile(int fd, const std::string& path) override {
    if (fsync(fd) != 0) return ErrnoStatus(errno, "fsync", path);
    return Status::OK();
  }

  Status Resize(int fd, uint64_t size, const std::string& path) override {
    if (ftruncate(fd, off_t(size)) != 0) {
      return ErrnoStatus(errno, "resize to " + std::to_string(size) + " bytes", path);
    }
    return Status::OK();
  }

  Status Reserve(int fd, uint64_t offset, uint64_t length, const std::string& path) override {
    int rc = posix_fallocate(fd, off_t(offset), off_t(length));
    // File systems without fallocate: writes may then SIGBUS on a full disk,
    // which is what mmap gives everywhere; nothing better to do.
    if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL) {
      return ErrnoStatus(rc,
                         "reserve " + std::to_string(length) + " bytes at offset " +
                             std::to_string(offset) + " of",
                         path);
    }
    return Status::OK();
  }

  void Prefault(const DeviceMapping& m, uint64_t offset, uint64_t length) override {
#ifdef MADV_POPULATE_WRITE
    // Linux 5.14+: the pages of the range become present and writable in one
    // call, as the writes' faults would make them (no byte changes). Older
    // kernels say EINVAL; the writes then fault page by page as before.
    if (offset < m.size && length > 0) {
      (void)madvise(m.base + offset, size_t(std::min(length, m.size - offset)), MADV_POPULATE_WRITE);
    }
#else
    (void)m, (void)offset, (void)length;
#endif
  }

  Status Write(int fd, const void* data, uint64_t length, uint64_t offset,
               const std::string& path) override {
    const auto* p = static_cast<const uint8_t*>(data);
    uint64_t done = 0;
    while (done < length) {
      ssize_t w = pwrite(fd, p + done, length - done, off_t(offset + done));
      if (w < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "write", path);
      }
      done += uint64_t(w);
    }
    return Status::OK();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
      int err = errno;
      if (err == EEXIST) return Status::AlreadyExists("pool file " + to + " already exists");
      return ErrnoStatus(err, "rename into place", to);
    }
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return ErrnoStatus(errno, "open directory", dir);
    int rc = fsync(dfd);
    int err = errno;
    close(dfd);
    if (rc != 0) return ErrnoStatus(err, "fsync directory", dir);
    return Status::OK();
  }
};

}  // namespace

Device* DefaultDevice() {
  static OsDevice device;
  return &device;
}

}  // namespace quiver::pmem
