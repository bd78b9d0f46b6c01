// Byte-level backup of a pinned pool state (pmem/backup.h).
#include "pmem/backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

#include "pmem/pool_internal.h"

namespace quiver::pmem {

namespace {

constexpr char kStreamMagic[8] = {'Q', 'V', 'R', 'B', 'A', 'K', '0', '1'};
constexpr uint32_t kStreamVersion = 1;
constexpr uint64_t kEndMarker = UINT64_MAX;
constexpr size_t kIoBytes = 1 << 20;  // one read or write of a stream

struct StreamHeader {
  char magic[8];
  uint32_t version;
  uint32_t header_size;
  uint64_t capacity;
  uint64_t txn;
  uint64_t bytes;
  uint8_t uuid[16];
  uint8_t reserved[8];
};
static_assert(sizeof(StreamHeader) == 64);

struct RecordHeader {
  uint64_t offset;
  uint64_t length;
};
static_assert(sizeof(RecordHeader) == 16);

struct StreamTrailer {
  uint32_t crc;
  uint32_t zero;
};
static_assert(sizeof(StreamTrailer) == 8);

uint32_t CrcUpdate(uint32_t crc, const uint8_t* p, size_t n) {
  while (n > 0) {
    uInt part = uInt(std::min<size_t>(n, 1u << 30));
    crc = uint32_t(crc32(crc, p, part));
    p += part;
    n -= part;
  }
  return crc;
}

// A file descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// Opens (or takes over a stale) temporary file at `path`, locked against a
// second backup writing it, empty and `size` bytes long (sparse).
Status OpenTarget(const std::string& path, uint64_t size, Fd* out) {
  out->fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (out->fd < 0) return ErrnoStatus(errno, "create", path);
  flock fl{};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(out->fd, F_OFD_SETLK, &fl) != 0) {
    if (errno == EAGAIN || errno == EACCES) {
      return Status::Locked(path + " is being written by another backup or restore");
    }
    return ErrnoStatus(errno, "lock", path);
  }
  if (ftruncate(out->fd, 0) != 0 || ftruncate(out->fd, off_t(size)) != 0) {
    return ErrnoStatus(errno, "resize", path);
  }
  return Status::OK();
}

// Copies [off, off+len) from `src_fd` (or, when the kernel cannot copy
// between the two files, from `mem`) into `dst_fd` at the same offset.
Status CopyRange(int src_fd, const uint8_t* mem, int dst_fd, uint64_t off, uint64_t len,
                 const std::string& path, bool* use_copy_file_range) {
  uint64_t done = 0;
  while (done < len) {
    if (*use_copy_file_range) {
      loff_t in = loff_t(off + done), o = loff_t(off + done);
      ssize_t n = copy_file_range(src_fd, &in, dst_fd, &o, size_t(len - done), 0);
      if (n > 0) {
        done += uint64_t(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
        return ErrnoStatus(errno, "copy into", path);
      }
      *use_copy_file_range = false;  // fall back to writes from the mapping
    }
    ssize_t w = pwrite(dst_fd, mem + off + done, size_t(std::min<uint64_t>(len - done, 64 << 20)),
                       off_t(off + done));
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", path);
    }
    done += uint64_t(w);
  }
  return Status::OK();
}

Status WriteAll(int fd, const uint8_t* p, uint64_t n, uint64_t off, const std::string& path) {
  return DefaultDevice()->Write(fd, p, n, off, path);
}

Status Sync(int fd, const std::string& path) {
  if (fdatasync(fd) != 0) return ErrnoStatus(errno, "fsync", path);
  return Status::OK();
}

// Makes the file durable: with `verify`, run on this thread meanwhile (the
// verification reads the page cache, the fsync waits for the disk).
Status SyncVerifying(int fd, const std::string& path, const std::function<Status()>& verify) {
  if (!verify) return Sync(fd, path);
  Status synced;
  std::thread syncer([&] { synced = Sync(fd, path); });
  Status verified = verify();
  syncer.join();
  QUIVER_RETURN_NOT_OK(synced);
  return verified;
}

}  // namespace

// ---------------------------------------------------------------------------
// PoolImage
// ---------------------------------------------------------------------------

struct PoolImage::Impl {
  std::optional<Snapshot> snap;  // set by Capture
  std::vector<uint8_t> head;     // [0, kDataStart) as the copy has it
  MetaSlot meta{};
  std::vector<Extent> ranges;
  uint64_t bytes = 0;
  int src_fd = -1;
  ~Impl() {
    if (src_fd >= 0) close(src_fd);
  }
};

PoolImage::PoolImage(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PoolImage::~PoolImage() = default;
uint64_t PoolImage::txn() const { return impl_->meta.txn_id; }
uint64_t PoolImage::capacity() const { return impl_->meta.capacity; }
const std::vector<Extent>& PoolImage::ranges() const { return impl_->ranges; }
uint64_t PoolImage::bytes() const { return impl_->bytes; }
const Snapshot& PoolImage::snapshot() const { return *impl_->snap; }
const uint8_t* PoolImage::Data(uint64_t offset) const {
  return offset < kDataStart ? impl_->head.data() + offset : impl_->snap->base() + offset;
}

namespace {

// Copies the page of the meta slot that holds `txn` and validates the copy;
// -1 when neither slot holds it any more (the writer moved on twice).
int CopyMetaPage(const uint8_t* base, const Superblock& sb, uint64_t txn, uint8_t* page) {
  for (int i = 0; i < 2; ++i) {
    std::memcpy(page, base + kMetaOffset[i], kPageSize);
    std::atomic_thread_fence(std::memory_order_acquire);
    MetaSlot m;
    std::memcpy(&m, page, sizeof m);
    if (m.magic != kMetaMagic || m.txn_id != txn || MetaCrc(m) != m.checksum) continue;
    if (std::memcmp(m.uuid, sb.uuid, 16) != 0) continue;
    if (m.inline_free_count > kInlineFreeEntries) continue;
    if (m.inline_free_count != 0 &&
        Crc32(page + sizeof m, m.inline_free_count * sizeof(FreeEntry)) != m.inline_free_crc) {
      continue;
    }
    return i;
  }
  return -1;
}

}  // namespace

Result<std::unique_ptr<PoolImage>> PoolImage::Capture(Pool& pool) {
  auto impl = std::make_unique<Impl>();
  impl->head.assign(kDataStart, 0);
  int slot = -1;
  std::vector<uint8_t> page(kPageSize);
  for (int attempt = 0; attempt < 100 && slot < 0; ++attempt) {
    QUIVER_ASSIGN_OR_RETURN(impl->snap, pool.Pin());
    const uint8_t* base = impl->snap->base();
    Superblock sb;
    std::memcpy(&sb, base, sizeof sb);
    QUIVER_RETURN_NOT_OK(ValidateSuperblock(sb, pool.path()));
    slot = CopyMetaPage(base, sb, impl->snap->txn_id(), page.data());
  }
  if (slot < 0) {
    return Status::Internal("could not capture a meta slot of " + pool.path() +
                            ": the writer rewrote it every time");
  }
  const uint8_t* base = impl->snap->base();
  std::memcpy(impl->head.data(), base, kPageSize);  // the superblock: written once
  std::memcpy(impl->head.data() + kMetaOffset[slot], page.data(), kPageSize);
  std::memcpy(&impl->meta, page.data(), sizeof impl->meta);
  const MetaSlot& m = impl->meta;
  std::string bounds = MetaBoundsProblem(m, impl->snap->mapped_size());
  if (!bounds.empty()) return Status::Corruption(pool.path() + ": " + bounds);
  // An inline free list is read from our copy of the page, an out-of-line
  // one from its extent (pinned, so immutable).
  auto entries = m.freelist_length != 0 ? LoadFreeList(base, m, slot)
                                        : LoadFreeList(impl->head.data(), m, slot);
  if (!entries.ok()) return entries.status().WithContext(pool.path());
  impl->ranges.push_back({0, kDataStart});
  uint64_t at = kDataStart;
  for (const FreeEntry& e : *entries) {  // sorted, disjoint (LoadFreeList checks)
    if (e.offset > at) impl->ranges.push_back({at, e.offset - at});
    at = std::max(at, e.offset + e.length);
  }
  if (m.high_water > at) impl->ranges.push_back({at, m.high_water - at});
  for (const Extent& r : impl->ranges) impl->bytes += r.length;
  impl->src_fd = open(pool.path().c_str(), O_RDONLY | O_CLOEXEC);
  return std::unique_ptr<PoolImage>(new PoolImage(std::move(impl)));
}

// ---------------------------------------------------------------------------
// Pool file
// ---------------------------------------------------------------------------

Status WritePoolFile(const PoolImage& image, const std::string& path, const ProgressFn& progress,
                     const std::function<Status()>& verify) {
  Fd dst;
  QUIVER_RETURN_NOT_OK(OpenTarget(path, image.capacity(), &dst));
  bool use_cfr = image.impl_->src_fd >= 0;
  uint64_t done = 0, total = image.bytes();
  const auto& ranges = image.ranges();
  // Everything but the head first; the head (superblock and meta slots)
  // once the rest is durable.
  for (size_t i = 1; i < ranges.size(); ++i) {
    const Extent& r = ranges[i];
    for (uint64_t off = r.offset; off < r.end(); off += 64 << 20) {
      uint64_t n = std::min<uint64_t>(64 << 20, r.end() - off);
      QUIVER_RETURN_NOT_OK(
          CopyRange(image.impl_->src_fd, image.snapshot().base(), dst.fd, off, n, path, &use_cfr));
      done += n;
      if (progress) progress(done, total);
    }
  }
  QUIVER_RETURN_NOT_OK(WriteAll(dst.fd, image.Data(0), kDataStart, 0, path));
  if (progress) progress(total, total);
  return SyncVerifying(dst.fd, path, verify);
}

// ---------------------------------------------------------------------------
// Compacted pool file
// ---------------------------------------------------------------------------

struct CompactWriter::Impl {
  std::string path;
  Fd dst;
  Fd src;
  const uint8_t* base = nullptr;  // the pinned mapping (fallback source)
  uint64_t mapped = 0;
  uint64_t capacity = 0;
  uint64_t next = kDataStart;  // where the next extent goes
  bool use_cfr = true;
};

CompactWriter::CompactWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompactWriter::~CompactWriter() = default;

Result<std::unique_ptr<CompactWriter>> CompactWriter::Create(const std::string& path,
                                                             uint64_t capacity, const Snapshot& pin,
                                                             const std::string& src_path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->base = pin.base();
  impl->mapped = pin.mapped_size();
  impl->capacity = std::max(RoundUpPage(capacity), kMinCapacity);
  impl->src.fd = open(src_path.c_str(), O_RDONLY | O_CLOEXEC);
  impl->use_cfr = impl->src.fd >= 0;
  QUIVER_RETURN_NOT_OK(OpenTarget(path, impl->capacity, &impl->dst));
  return std::unique_ptr<CompactWriter>(new CompactWriter(std::move(impl)));
}

Result<uint64_t> CompactWriter::Add(uint64_t offset, uint64_t length) {
  Impl& w = *impl_;
  if (offset > w.mapped || length > w.mapped - offset) {
    return Status::Corruption("extent " + Range(offset, length) + " reaches beyond the pool");
  }
  uint64_t to = w.next;
  if (to + length > w.capacity) {
    w.capacity = RoundUpPage(std::max(w.capacity * 2, to + length));
    if (ftruncate(w.dst.fd, off_t(w.capacity)) != 0) return ErrnoStatus(errno, "resize", w.path);
  }
  uint64_t done = 0;
  while (done < length) {
    if (w.use_cfr) {
      loff_t in = loff_t(offset + done), o = loff_t(to + done);
      ssize_t n = copy_file_range(w.src.fd, &in, w.dst.fd, &o, size_t(length - done), 0);
      if (n > 0) {
        done += uint64_t(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
        return ErrnoStatus(errno, "copy into", w.path);
      }
      w.use_cfr = false;
    }
    QUIVER_RETURN_NOT_OK(
        WriteAll(w.dst.fd, w.base + offset + done, length - done, to + done, w.path));
    done = length;
  }
  w.next = to + RoundUpPage(length);
  return to;
}

Status CompactWriter::Finish(const std::string& root, const std::function<Status()>& verify) {
  Impl& w = *impl_;
  Extent r{w.next, root.size()};
  uint64_t high_water = r.offset + RoundUpPage(r.length);
  if (high_water > w.capacity) {
    w.capacity = high_water;
    if (ftruncate(w.dst.fd, off_t(w.capacity)) != 0) return ErrnoStatus(errno, "resize", w.path);
  }
  if (!root.empty()) {
    QUIVER_RETURN_NOT_OK(WriteAll(w.dst.fd, reinterpret_cast<const uint8_t*>(root.data()),
                                  root.size(), r.offset, w.path));
  }
  Superblock sb = NewSuperblock(w.capacity, NowNs());
  MetaSlot m = FirstMeta(sb);
  m.high_water = high_water;
  m.root_offset = root.empty() ? 0 : r.offset;
  m.root_length = r.length;
  m.checksum = MetaCrc(m);
  std::vector<uint8_t> head(kDataStart, 0);
  std::memcpy(head.data(), &sb, sizeof sb);
  std::memcpy(head.data() + kMetaOffset[0], &m, sizeof m);
  QUIVER_RETURN_NOT_OK(WriteAll(w.dst.fd, head.data(), kDataStart, 0, w.path));
  return SyncVerifying(w.dst.fd, w.path, verify);
}

Status PublishFile(const std::string& tmp, const std::string& dst) {
  Device* dev = DefaultDevice();
  QUIVER_RETURN_NOT_OK(dev->Rename(tmp, dst));
  std::string dir = dst.find('/') == std::string::npos ? "." : dst.substr(0, dst.rfind('/'));
  if (dir.empty()) dir = "/";
  return dev->SyncDir(dir);
}

// ---------------------------------------------------------------------------
// Stream
// ---------------------------------------------------------------------------

Status WriteStream(const PoolImage& image, const ByteSink& sink, const ProgressFn& progress) {
  uint32_t crc = 0;
  auto emit = [&](const void* p, size_t n) {
    crc = CrcUpdate(crc, static_cast<const uint8_t*>(p), n);
    return sink(static_cast<const uint8_t*>(p), n);
  };
  StreamHeader h{};
  std::memcpy(h.magic, kStreamMagic, 8);
  h.version = kStreamVersion;
  h.header_size = sizeof h;
  h.capacity = image.capacity();
  h.txn = image.txn();
  h.bytes = image.bytes();
  std::memcpy(h.uuid, image.Data(0) + offsetof(Superblock, uuid), 16);
  QUIVER_RETURN_NOT_OK(emit(&h, sizeof h));
  uint64_t done = 0;
  for (const Extent& r : image.ranges()) {
    RecordHeader rh{r.offset, r.length};
    QUIVER_RETURN_NOT_OK(emit(&rh, sizeof rh));
    for (uint64_t off = r.offset; off < r.end(); off += kIoBytes) {
      size_t n = size_t(std::min<uint64_t>(kIoBytes, r.end() - off));
      QUIVER_RETURN_NOT_OK(emit(image.Data(off), n));
      done += n;
      if (progress) progress(done, image.bytes());
    }
  }
  RecordHeader end{kEndMarker, 0};
  QUIVER_RETURN_NOT_OK(emit(&end, sizeof end));
  StreamTrailer t{crc, 0};
  return sink(reinterpret_cast<const uint8_t*>(&t), sizeof t);
}

namespace {

// Reads exactly `n` bytes; Corruption when the stream ends first.
Status ReadExactly(const ByteSource& source, uint8_t* p, size_t n, const char* what) {
  size_t got = 0;
  while (got < n) {
    QUIVER_ASSIGN_OR_RETURN(size_t r, source(p + got, n - got));
    if (r == 0) {
      return Status::Corruption(std::string("the backup stream ends inside its ") + what +
                                " (truncated)");
    }
    got += r;
  }
  return Status::OK();
}

// The body of RestoreStream, writing into the open file `fd`.
Result<RestoreResult> RestoreInto(const ByteSource& source, const std::string& path, Fd* dst,
                                  const ProgressFn& progress) {
  uint32_t crc = 0;
  auto read = [&](void* p, size_t n, const char* what) -> Status {
    QUIVER_RETURN_NOT_OK(ReadExactly(source, static_cast<uint8_t*>(p), n, what));
    crc = CrcUpdate(crc, static_cast<const uint8_t*>(p), n);
    return Status::OK();
  };
  StreamHeader h;
  QUIVER_RETURN_NOT_OK(read(&h, sizeof h, "header"));
  if (std::memcmp(h.magic, kStreamMagic, 8) != 0) {
    return Status::Invalid("not a Quiver backup stream (no QVRBAK01 magic at its start)");
  }
  if (h.version != kStreamVersion || h.header_size != sizeof h) {
    return Status::NotSupported("backup stream version " + std::to_string(h.version) +
                                "; this build reads version " + std::to_string(kStreamVersion));
  }
  if (h.capacity < kDataStart || h.capacity % kPageSize != 0) {
    return Status::Corruption("backup stream header: impossible capacity " +
                              std::to_string(h.capacity));
  }
  QUIVER_RETURN_NOT_OK(OpenTarget(path, h.capacity, dst));
  std::vector<uint8_t> head(kDataStart, 0), buf(kIoBytes);
  uint64_t next = 0, done = 0;
  for (uint64_t index = 0;; ++index) {
    RecordHeader rh;
    QUIVER_RETURN_NOT_OK(read(&rh, sizeof rh, "record header"));
    if (rh.offset == kEndMarker && rh.length == 0) break;
    const std::string where =
        "backup stream record " + std::to_string(index) + " " + Range(rh.offset, rh.length);
    if (rh.offset < next || rh.offset > h.capacity || rh.length > h.capacity - rh.offset) {
      return Status::Corruption(where + ": out of order or outside the pool's " +
                                std::to_string(h.capacity) + " bytes");
    }
    for (uint64_t off = rh.offset; off < rh.offset + rh.length;) {
      size_t n = size_t(std::min<uint64_t>(kIoBytes, rh.offset + rh.length - off));
      QUIVER_RETURN_NOT_OK(read(buf.data(), n, "record data"));
      // The head (superblock, meta slots) is written last.
      uint64_t in_head = off < kDataStart ? std::min<uint64_t>(n, kDataStart - off) : 0;
      if (in_head > 0) std::memcpy(head.data() + off, buf.data(), in_head);
      if (n > in_head) {
        QUIVER_RETURN_NOT_OK(
            WriteAll(dst->fd, buf.data() + in_head, n - in_head, off + in_head, path));
      }
      off += n;
      done += n;
      if (progress) progress(done, h.bytes);
    }
    next = rh.offset + rh.length;
  }
  const uint32_t want = crc;
  StreamTrailer t;
  QUIVER_RETURN_NOT_OK(ReadExactly(source, reinterpret_cast<uint8_t*>(&t), sizeof t, "trailer"));
  if (t.crc != want || t.zero != 0) {
    return Status::Corruption("the backup stream fails its checksum: stored " + Hex(t.crc) +
                              ", computed " + Hex(want));
  }
  if (done != h.bytes) {
    return Status::Corruption("the backup stream holds " + std::to_string(done) +
                              " bytes, its header says " + std::to_string(h.bytes));
  }
  uint8_t extra;
  QUIVER_ASSIGN_OR_RETURN(size_t more, source(&extra, 1));
  if (more != 0) return Status::Corruption("bytes follow the backup stream's trailer");
  QUIVER_RETURN_NOT_OK(WriteAll(dst->fd, head.data(), kDataStart, 0, path));
  QUIVER_RETURN_NOT_OK(Sync(dst->fd, path));
  return RestoreResult{h.txn, done};
}

}  // namespace

Result<RestoreResult> RestoreStream(const ByteSource& source, const std::string& path,
                                    const ProgressFn& progress) {
  Fd dst;
  auto r = RestoreInto(source, path, &dst, progress);
  if (!r.ok() && dst.fd >= 0 && r.status().code() != StatusCode::kLocked) unlink(path.c_str());
  return r;
}

}  // namespace quiver::pmem
