#include <fcntl.h>
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
    case ENOENT:
      return Status::NotFound(m);
    case EACCES:
    case EPERM:
    case EROFS:
      return Status::PermissionDenied(m);
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return Status::OutOfSpace(m + " (out of space: the disk is full)");
    case EISDIR:
      return Status::Invalid(path + " is a directory, not a pool file");
    default:
      return Status::IOError(m);
  }
}

uint32_t Crc32(const void* data, size_t n) {
  return uint32_t(crc32(0L, static_cast<const Bytef*>(data), uInt(n)));
}


std::string UuidString(const uint8_t u[16]) {
  char buf[37];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
                u[15]);
  return buf;
}

// ---------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------

Result<std::shared_ptr<Mapping>> Mapping::MapWritable(Device* device, int fd,
                                                      const std::string& path) {
  QUIVER_ASSIGN_OR_RETURN(DeviceMapping dm, device->MapWritable(fd, path));
  auto m = std::shared_ptr<Mapping>(new Mapping());
  m->device_ = device;
  m->m_ = dm;
  m->path_ = path;
  return m;
}

Result<std::shared_ptr<Mapping>> Mapping::MapReadOnly(int fd, uint64_t size,
                                                      const std::string& path) {
  void* p = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return ErrnoStatus(errno, "mmap", path);
  auto m = std::shared_ptr<Mapping>(new Mapping());
  m->m_ = DeviceMapping{static_cast<uint8_t*>(p), size, false, fd};
  m->path_ = path;
  return m;
}

Mapping::~Mapping() {
  if (m_.base == nullptr) return;
  if (device_ != nullptr) {
    device_->Unmap(m_);
  } else {
    munmap(m_.base, m_.size);
  }
}

Status Mapping::Persist(uint64_t offset, uint64_t length) const {
  if (length == 0) return Status::OK();
  if (device_ == nullptr || offset > m_.size || length > m_.size - offset) {
    return Status::Internal("persist of [" + std::to_string(offset) + ", +" +
                            std::to_string(length) + ") outside the writable mapping of " +
                            std::to_string(m_.size) + " bytes");
  }
  return device_->Persist(m_, offset, length).WithContext(path_);
}

void Mapping::Prefault(uint64_t offset, uint64_t length) const {
  if (device_ != nullptr) device_->Prefault(m_, offset, length);
}

}  // namespace quiver::pmem
