#include "sim_device.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace quiver::testing {

namespace {

uint64_t Inode(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return 0;
  return uint64_t(st.st_ino);
}

uint64_t InodeOf(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return uint64_t(st.st_ino);
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status Errno(int err, const std::string& what) {
  std::string m = what + ": " + std::strerror(err);
  if (err == ENOSPC) return Status::OutOfSpace(m + " (disk full)");
  return Status::IOError(m);
}

}  // namespace

SimDevice::~SimDevice() {
  for (auto& [ino, f] : files_) {
    if (f.fd >= 0) close(f.fd);
  }
}

Status SimDevice::Effect(const char* what, const std::string& path) {
  if (on_effect) on_effect(what);
  ++effects_;
  if (fail_at_ != 0 && effects_ == fail_at_) {
    fail_at_ = 0;
    return Errno(fail_errno_, std::string("simulated ") + what + " of " + path);
  }
  return Status::OK();
}

SimDevice::File& SimDevice::Track(int fd, const std::string& path) {
  uint64_t ino = Inode(fd);
  auto it = files_.find(ino);
  if (it == files_.end()) {
    File f;
    f.fd = dup(fd);
    it = files_.emplace(ino, std::move(f)).first;
  }
  if (!path.empty() && live_names_.count(path) == 0) live_names_[path] = ino;
  return it->second;
}

void SimDevice::Adopt(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  File& f = Track(fd, path);
  close(fd);
  f.durable = Live(f);
  f.durable_size = f.durable.size();
  durable_names_[path] = live_names_[path];
}

std::string SimDevice::Live(const File& f) const {
  struct stat st {};
  fstat(f.fd, &st);
  std::string bytes(size_t(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t r = pread(f.fd, bytes.data() + done, bytes.size() - done, off_t(done));
    if (r <= 0) break;
    done += size_t(r);
  }
  return bytes;
}

const SimDevice::File* SimDevice::Find(const std::string& path, bool durable_name) const {
  const auto& names = durable_name ? durable_names_ : live_names_;
  auto n = names.find(path);
  if (n == names.end()) return nullptr;
  auto it = files_.find(n->second);
  return it == files_.end() ? nullptr : &it->second;
}

std::optional<SimDevice::Capture> SimDevice::Take(const std::string& path) const {
  const File* f = Find(path, true);
  if (f == nullptr) return std::nullopt;
  Capture c;
  c.durable = f->durable.substr(0, std::min<size_t>(f->durable.size(), f->durable_size));
  c.durable.resize(f->durable_size, '\0');
  struct stat st {};
  fstat(f->fd, &st);
  if (f->mapped != nullptr && f->mapped_size == uint64_t(st.st_size)) {
    c.live = std::string_view(reinterpret_cast<const char*>(f->mapped), f->mapped_size);
  } else {
    c.live_owned = Live(*f);
    c.live = c.live_owned;
  }
  return c;
}

std::optional<std::string> SimDevice::DurableImage(const std::string& path) const {
  auto c = Take(path);
  if (!c) return std::nullopt;
  return std::move(c->durable);
}

std::string SimDevice::WithWriteback(const Capture& c, std::mt19937_64& rng, double p,
                                     uint64_t* units) const {
  std::string img = c.durable;
  if (units != nullptr) *units = 0;
  std::bernoulli_distribution pick(p);
  const uint64_t u = unit();
  const uint64_t end = std::min<uint64_t>(img.size(), c.live.size());
  for (uint64_t page = 0; page < end; page += 4096) {
    uint64_t page_end = std::min<uint64_t>(page + 4096, end);
    if (std::memcmp(img.data() + page, c.live.data() + page, page_end - page) == 0) continue;
    for (uint64_t off = page; off < page_end; off += u) {
      uint64_t n = std::min(u, page_end - off);
      if (std::memcmp(img.data() + off, c.live.data() + off, n) == 0 || !pick(rng)) continue;
      std::memcpy(img.data() + off, c.live.data() + off, n);
      if (units != nullptr) ++*units;
    }
  }
  return img;
}

Result<pmem::DeviceMapping> SimDevice::MapWritable(int fd, const std::string& path) {
  File& f = Track(fd, path);
  (void)f;
  struct stat st {};
  if (fstat(fd, &st) != 0) return Errno(errno, "stat " + path);
  void* p = mmap(nullptr, size_t(st.st_size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return Errno(errno, "mmap " + path);
  return pmem::DeviceMapping{static_cast<uint8_t*>(p), uint64_t(st.st_size),
                             engine_ == Engine::kFlush, fd};
}

void SimDevice::Unmap(const pmem::DeviceMapping& m) {
  for (auto& [ino, f] : files_) {
    if (f.mapped == m.base) f.mapped = nullptr;
  }
  munmap(m.base, m.size);
}

Status SimDevice::Persist(const pmem::DeviceMapping& m, uint64_t offset, uint64_t length) {
  QUIVER_RETURN_NOT_OK(Effect("persist", "pool"));
  File& f = Track(m.fd, "");
  uint64_t u = unit();
  uint64_t lo = offset / u * u;
  uint64_t hi = std::min<uint64_t>((offset + length + u - 1) / u * u, m.size);
  if (f.durable.size() < hi) f.durable.resize(hi, '\0');
  std::memcpy(f.durable.data() + lo, m.base + lo, hi - lo);
  return Status::OK();
}

Status SimDevice::SyncFile(int fd, const std::string& path) {
  QUIVER_RETURN_NOT_OK(Effect("fsync", path));
  File& f = Track(fd, path);
  std::string live = Live(f);
  f.durable_size = live.size();
  if (f.durable.size() < live.size()) f.durable.resize(live.size(), '\0');
  std::memcpy(f.durable.data(), live.data(), live.size());
  return Status::OK();
}

Status SimDevice::Resize(int fd, uint64_t size, const std::string& path) {
  QUIVER_RETURN_NOT_OK(Effect("resize", path));
  Track(fd, path);
  if (ftruncate(fd, off_t(size)) != 0) return Errno(errno, "resize " + path);
  return Status::OK();
}

Status SimDevice::Reserve(int fd, uint64_t offset, uint64_t length, const std::string& path) {
  QUIVER_RETURN_NOT_OK(Effect("reserve", path));
  int rc = posix_fallocate(fd, off_t(offset), off_t(length));
  if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL) return Errno(rc, "reserve " + path);
  return Status::OK();
}

Status SimDevice::Write(int fd, const void* data, uint64_t length, uint64_t offset,
                        const std::string& path) {
  QUIVER_RETURN_NOT_OK(Effect("write", path));
  Track(fd, path);
  if (pwrite(fd, data, length, off_t(offset)) != ssize_t(length)) {
    return Errno(errno, "write " + path);
  }
  return Status::OK();
}

Status SimDevice::Rename(const std::string& from, const std::string& to) {
  QUIVER_RETURN_NOT_OK(Effect("rename", to));
  if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
    return Errno(errno, "rename " + to);
  }
  uint64_t ino = InodeOf(to);
  live_names_.erase(from);
  live_names_[to] = ino;
  return Status::OK();
}

Status SimDevice::SyncDir(const std::string& dir) {
  QUIVER_RETURN_NOT_OK(Effect("fsync directory", dir));
  for (auto it = durable_names_.begin(); it != durable_names_.end();) {
    if (DirOf(it->first) == dir && live_names_.count(it->first) == 0) {
      it = durable_names_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [name, ino] : live_names_) {
    if (DirOf(name) == dir) durable_names_[name] = ino;
  }
  return Status::OK();
}

uint64_t QuickHash(std::string_view b) {
  uint64_t h = b.size() * 0x9E3779B97F4A7C15ull, a = 0, c = 0;
  size_t i = 0;
  for (; i + 16 <= b.size(); i += 16) {
    uint64_t w1, w2;
    std::memcpy(&w1, b.data() + i, 8);
    std::memcpy(&w2, b.data() + i + 8, 8);
    a = (a ^ w1) * 0xBF58476D1CE4E5B9ull;
    c = (c ^ w2) * 0x94D049BB133111EBull;
    a ^= a >> 29;
    c ^= c >> 31;
  }
  for (; i < b.size(); ++i) h = (h ^ uint8_t(b[i])) * 0x100000001B3ull;
  return h ^ a ^ (c * 0x9E3779B97F4A7C15ull);
}

void WriteSparse(const std::string& path, const std::string& bytes) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (ftruncate(fd, off_t(bytes.size())) != 0) {
    close(fd);
    return;
  }
  static const std::string kZero(4096, '\0');
  uint64_t off = 0;
  while (off < bytes.size()) {
    uint64_t n = std::min<uint64_t>(4096, bytes.size() - off);
    if (std::memcmp(bytes.data() + off, kZero.data(), n) == 0) {
      off += n;
      continue;
    }
    uint64_t run = off + n;
    while (run < bytes.size()) {
      uint64_t m = std::min<uint64_t>(4096, bytes.size() - run);
      if (std::memcmp(bytes.data() + run, kZero.data(), m) == 0) break;
      run += m;
    }
    if (pwrite(fd, bytes.data() + off, run - off, off_t(off)) != ssize_t(run - off)) break;
    off = run;
  }
  close(fd);
}

}  // namespace quiver::testing
