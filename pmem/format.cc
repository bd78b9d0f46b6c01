// Reading, validating and encoding the structures of pmem/layout.h.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <random>

#include "pmem/file_internal.h"
#include "pmem/format_internal.h"

namespace quiver::pmem {

std::string Hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}

std::string Range(uint64_t off, uint64_t len) {
  return "[" + std::to_string(off) + ", " + std::to_string(off + len) + ")";
}

void InsertFree(FreeMap& free, uint64_t off, uint64_t len, uint64_t freed_txn) {
  auto it = free.emplace(off, FreeRun{len, freed_txn}).first;
  if (freed_txn != 0) return;  // only reusable runs merge
  auto next = std::next(it);
  if (next != free.end() && next->second.freed_txn == 0 && off + len == next->first) {
    it->second.length += next->second.length;
    free.erase(next);
  }
  if (it != free.begin()) {
    auto prev = std::prev(it);
    if (prev->second.freed_txn == 0 && prev->first + prev->second.length == off) {
      prev->second.length += it->second.length;
      free.erase(it);
    }
  }
}

uint32_t SuperblockCrc(const Superblock& sb) { return Crc32(&sb, offsetof(Superblock, checksum)); }
uint32_t MetaCrc(const MetaSlot& m) { return Crc32(&m, offsetof(MetaSlot, checksum)); }

Superblock NewSuperblock(uint64_t capacity, uint64_t now_ns) {
  Superblock sb{};
  std::memcpy(sb.magic, kSuperblockMagic, sizeof sb.magic);
  sb.format_version = kFormatVersion;
  sb.page_size = kPageSize;
  std::random_device rd;
  for (int i = 0; i < 16; i += 4) {
    uint32_t r = rd();
    std::memcpy(sb.uuid + i, &r, 4);
  }
  sb.uuid[6] = uint8_t((sb.uuid[6] & 0x0f) | 0x40);  // RFC 4122 version 4
  sb.uuid[8] = uint8_t((sb.uuid[8] & 0x3f) | 0x80);
  sb.initial_capacity = capacity;
  sb.create_time_ns = now_ns;
  sb.meta_offset[0] = kMetaOffset[0];
  sb.meta_offset[1] = kMetaOffset[1];
  sb.data_start = kDataStart;
  sb.checksum = SuperblockCrc(sb);
  return sb;
}

MetaSlot FirstMeta(const Superblock& sb) {
  MetaSlot m{};
  m.magic = kMetaMagic;
  m.txn_id = 1;
  m.capacity = sb.initial_capacity;
  m.high_water = kDataStart;
  m.commit_time_ns = sb.create_time_ns;
  std::memcpy(m.uuid, sb.uuid, 16);
  m.checksum = MetaCrc(m);
  return m;
}

namespace {

// Why a meta slot is not valid, or "" if it is.
std::string MetaProblem(const MetaSlot& m, const Superblock& sb) {
  if (m.magic != kMetaMagic) {
    bool zero = true;
    for (size_t i = 0; i < sizeof m; ++i) zero &= reinterpret_cast<const uint8_t*>(&m)[i] == 0;
    return zero ? "empty (never written)" : "bad magic " + Hex(m.magic);
  }
  uint32_t crc = MetaCrc(m);
  if (crc != m.checksum) {
    return "checksum mismatch: stored " + Hex(m.checksum) + ", computed " + Hex(crc);
  }
  if (std::memcmp(m.uuid, sb.uuid, 16) != 0) return "belongs to another pool (uuid differs)";
  return "";
}

std::string InlineFreeListProblem(const uint8_t* base, const MetaSlot& m, int slot) {
  if (m.inline_free_count == 0) return "";
  if (m.inline_free_count > kInlineFreeEntries) {
    return "inline free list of " + std::to_string(m.inline_free_count) +
           " entries does not fit its page";
  }
  uint32_t crc =
      Crc32(base + kMetaOffset[slot] + sizeof(MetaSlot), m.inline_free_count * sizeof(FreeEntry));
  if (crc != m.inline_free_crc) {
    return "inline free list checksum mismatch: stored " + Hex(m.inline_free_crc) + ", computed " +
           Hex(crc);
  }
  return "";
}

}  // namespace

Result<int> PickMeta(const uint8_t* base, const Superblock& sb, MetaSlot out[2],
                     std::string problems[2], uint64_t max_txn) {
  int best = -1, best_within = -1;
  for (int i = 0; i < 2; ++i) {
    // Copy first, then validate the copy: the writer may be rewriting the
    // older slot while a reader looks at it.
    std::memcpy(&out[i], base + kMetaOffset[i], sizeof(MetaSlot));
    std::atomic_thread_fence(std::memory_order_acquire);
    problems[i] = MetaProblem(out[i], sb);
    if (problems[i].empty()) problems[i] = InlineFreeListProblem(base, out[i], i);
    if (!problems[i].empty()) continue;
    if (best < 0 || out[i].txn_id > out[best].txn_id) best = i;
    if (out[i].txn_id <= max_txn && (best_within < 0 || out[i].txn_id > out[best_within].txn_id)) {
      best_within = i;
    }
  }
  if (best < 0) {
    return Status::Corruption(
        "both meta slots are damaged: slot 0 at offset " + std::to_string(kMetaOffset[0]) + ": " +
        problems[0] + "; slot 1 at offset " + std::to_string(kMetaOffset[1]) + ": " + problems[1]);
  }
  // Both valid slots newer than max_txn: the bound is stale (a lock file of
  // an earlier incarnation of this pool), so it does not apply.
  return best_within >= 0 ? best_within : best;
}

Status ValidateSuperblock(const Superblock& sb, const std::string& path) {
  if (std::memcmp(sb.magic, kSuperblockMagic, sizeof sb.magic) != 0) {
    return Status::Invalid(path + " is not a Quiver pool (no pool magic at offset 0)");
  }
  if (sb.format_version != kFormatVersion) {
    return Status::NotSupported(path + " has pool format version " +
                                std::to_string(sb.format_version) + "; this build reads version " +
                                std::to_string(kFormatVersion));
  }
  uint32_t crc = SuperblockCrc(sb);
  if (crc != sb.checksum) {
    return Status::Corruption(path + ": superblock checksum mismatch at offset 0: stored " +
                              Hex(sb.checksum) + ", computed " + Hex(crc));
  }
  if (sb.page_size != kPageSize || sb.data_start != kDataStart ||
      sb.meta_offset[0] != kMetaOffset[0] || sb.meta_offset[1] != kMetaOffset[1]) {
    return Status::Corruption(path + ": superblock has an impossible layout (page size " +
                              std::to_string(sb.page_size) + ")");
  }
  return Status::OK();
}

std::string MetaBoundsProblem(const MetaSlot& m, uint64_t file_size) {
  if (m.capacity < kDataStart || m.capacity % kPageSize != 0) {
    return "impossible capacity " + std::to_string(m.capacity);
  }
  if (file_size < m.capacity) {
    return "file is truncated: " + std::to_string(file_size) + " bytes, the pool's capacity is " +
           std::to_string(m.capacity);
  }
  if (m.high_water < kDataStart || m.high_water > m.capacity) {
    return "allocation high-water mark " + std::to_string(m.high_water) + " outside " +
           Range(kDataStart, m.capacity - kDataStart);
  }
  auto in = [&](uint64_t off, uint64_t len) {
    return len == 0 || (off >= kDataStart && off <= m.high_water && len <= m.high_water - off);
  };
  // Both blobs lie in extents of their own, which start on a page (and the
  // free list's extent returns to the allocator whole when it is replaced).
  if (m.root_length != 0 && m.root_offset % kPageSize != 0) {
    return "root blob " + Range(m.root_offset, m.root_length) + " does not start on a page";
  }
  if (m.freelist_length != 0 &&
      (m.freelist_offset % kPageSize != 0 || m.freelist_length % kPageSize != 0)) {
    return "free list " + Range(m.freelist_offset, m.freelist_length) +
           " is not a whole number of pages";
  }
  if (!in(m.root_offset, m.root_length)) {
    return "root blob " + Range(m.root_offset, m.root_length) + " is outside the allocated area";
  }
  if (!in(m.freelist_offset, m.freelist_length) ||
      (m.freelist_length != 0 && m.freelist_length < sizeof(FreeListHeader))) {
    return "free list " + Range(m.freelist_offset, m.freelist_length) +
           " is outside the allocated area";
  }
  return "";
}

Result<std::vector<FreeEntry>> LoadFreeList(const uint8_t* base, const MetaSlot& m, int slot) {
  std::vector<FreeEntry> out;
  std::string where;
  if (m.inline_free_count != 0) {
    where = "inline free list of meta slot " + std::to_string(slot);
    out.resize(m.inline_free_count);
    std::memcpy(out.data(), base + kMetaOffset[slot] + sizeof(MetaSlot),
                out.size() * sizeof(FreeEntry));
  } else if (m.freelist_length != 0) {
    where = "free list at offset " + std::to_string(m.freelist_offset);
    FreeListHeader h;
    std::memcpy(&h, base + m.freelist_offset, sizeof h);
    if (h.magic != kFreeListMagic) return Status::Corruption(where + ": bad magic " + Hex(h.magic));
    uint64_t max_entries = (m.freelist_length - sizeof h) / sizeof(FreeEntry);
    if (h.count > max_entries) {
      return Status::Corruption(where + ": " + std::to_string(h.count) + " entries do not fit in " +
                                std::to_string(m.freelist_length) + " bytes");
    }
    const uint8_t* entries = base + m.freelist_offset + sizeof h;
    uint32_t crc = Crc32(entries, h.count * sizeof(FreeEntry));
    if (crc != h.checksum) {
      return Status::Corruption(where + ": checksum mismatch: stored " + Hex(h.checksum) +
                                ", computed " + Hex(crc));
    }
    out.resize(h.count);
    if (h.count != 0) std::memcpy(out.data(), entries, h.count * sizeof(FreeEntry));
  }
  uint64_t prev_end = kDataStart;
  for (size_t i = 0; i < out.size(); ++i) {
    const FreeEntry& e = out[i];
    std::string what = where + ", entry " + std::to_string(i) + " " + Range(e.offset, e.length);
    if (e.length == 0 || e.offset % kPageSize != 0 || e.length % kPageSize != 0) {
      return Status::Corruption(what + ": not a whole number of pages");
    }
    if (e.offset < prev_end) return Status::Corruption(what + ": overlaps the previous entry");
    if (e.offset > m.high_water || e.length > m.high_water - e.offset) {
      return Status::Corruption(what + ": beyond the high-water mark " +
                                std::to_string(m.high_water));
    }
    prev_end = e.offset + e.length;
  }
  return out;
}

uint64_t FreeListBytes(size_t runs) {
  // Two spare entries: allocating the list's own extent can split a run.
  return sizeof(FreeListHeader) + (runs + 2) * sizeof(FreeEntry);
}

void EncodeFreeList(const FreeMap& free, uint8_t* p) {
  FreeListHeader h{};
  h.magic = kFreeListMagic;
  h.count = free.size();
  uint8_t* out = p + sizeof h;
  for (const auto& [off, run] : free) {
    FreeEntry fe{off, run.length, run.freed_txn};
    std::memcpy(out, &fe, sizeof fe);
    out += sizeof fe;
  }
  h.checksum = Crc32(p + sizeof h, h.count * sizeof(FreeEntry));
  std::memcpy(p, &h, sizeof h);
}

namespace {

Status ReadExact(int fd, void* buf, size_t n, off_t off, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = pread(fd, static_cast<uint8_t*>(buf) + done, n - done, off + off_t(done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read", path);
    }
    if (r == 0) break;
    done += size_t(r);
  }
  if (done < n) {
    return Status::Corruption(path + " is truncated: could not read " + std::to_string(n) +
                              " bytes at offset " + std::to_string(off));
  }
  return Status::OK();
}

}  // namespace

Result<OpenedFile> OpenPoolFile(const std::string& path, bool writable) {
  OpenedFile f;
  f.fd = open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (f.fd < 0) return ErrnoStatus(errno, "open pool", path);
  struct stat st {};
  if (fstat(f.fd, &st) != 0) {
    Status s = ErrnoStatus(errno, "stat", path);
    close(f.fd);
    return s;
  }
  auto fail = [&](Status s) -> Result<OpenedFile> {
    close(f.fd);
    return s;
  };
  if (S_ISDIR(st.st_mode)) return fail(Status::Invalid(path + " is a directory, not a pool file"));
  if (!S_ISREG(st.st_mode)) return fail(Status::Invalid(path + " is not a regular file"));
  f.size = uint64_t(st.st_size);
  if (f.size == 0) return fail(Status::Invalid(path + " is an empty file, not a Quiver pool"));
  if (f.size < sizeof(Superblock)) {
    return fail(Status::Invalid(path + " is not a Quiver pool (" + std::to_string(f.size) +
                                " bytes, too small for a superblock)"));
  }
  Status s = ReadExact(f.fd, &f.sb, sizeof f.sb, 0, path);
  if (!s.ok()) return fail(s);
  s = ValidateSuperblock(f.sb, path);
  if (!s.ok()) return fail(s);
  if (f.size < kDataStart) {
    return fail(Status::Corruption(path + " is truncated: " + std::to_string(f.size) +
                                   " bytes, a pool has at least " + std::to_string(kDataStart)));
  }
  return f;
}

}  // namespace quiver::pmem
