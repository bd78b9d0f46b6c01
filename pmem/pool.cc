#include "pmem/pool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cctype>
#include <cinttypes>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <random>

#include "pmem/file_internal.h"
#include "pmem/layout.h"

namespace quiver::pmem {

namespace {

uint64_t RoundUpPage(uint64_t n) { return (n + kPageSize - 1) & ~(kPageSize - 1); }
std::string Hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}
std::string Range(uint64_t off, uint64_t len) {
  return "[" + std::to_string(off) + ", " + std::to_string(off + len) + ")";
}

// A free run in the writer's in-memory allocator.
struct FreeRun {
  uint64_t length;
  uint64_t freed_txn;  // 0 = reusable now
};
using FreeMap = std::map<uint64_t, FreeRun>;

uint32_t SuperblockCrc(const Superblock& sb) { return Crc32(&sb, offsetof(Superblock, checksum)); }
uint32_t MetaCrc(const MetaSlot& m) { return Crc32(&m, offsetof(MetaSlot, checksum)); }

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

// Reads both meta slots from `base` and returns the index of the current one
// (valid, highest txn), or Corruption naming both problems.
Result<int> PickMeta(const uint8_t* base, const Superblock& sb, MetaSlot out[2],
                     std::string problems[2]) {
  int best = -1;
  for (int i = 0; i < 2; ++i) {
    // Copy first, then validate the copy: the writer may be rewriting the
    // older slot while a reader looks at it.
    std::memcpy(&out[i], base + kMetaOffset[i], sizeof(MetaSlot));
    std::atomic_thread_fence(std::memory_order_acquire);
    problems[i] = MetaProblem(out[i], sb);
    if (problems[i].empty() && out[i].inline_free_count != 0) {
      if (out[i].inline_free_count > kInlineFreeEntries) {
        problems[i] = "inline free list of " + std::to_string(out[i].inline_free_count) +
                      " entries does not fit its page";
      } else {
        uint32_t crc = Crc32(base + kMetaOffset[i] + sizeof(MetaSlot),
                             out[i].inline_free_count * sizeof(FreeEntry));
        if (crc != out[i].inline_free_crc) {
          problems[i] = "inline free list checksum mismatch: stored " +
                        Hex(out[i].inline_free_crc) + ", computed " + Hex(crc);
        }
      }
    }
    if (problems[i].empty() && (best < 0 || out[i].txn_id > out[best].txn_id)) best = i;
  }
  if (best < 0) {
    return Status::Corruption("both meta slots are damaged: slot 0 at offset " +
                              std::to_string(kMetaOffset[0]) + ": " + problems[0] +
                              "; slot 1 at offset " + std::to_string(kMetaOffset[1]) + ": " +
                              problems[1]);
  }
  return best;
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

// Structural checks of a meta slot against the file; "" if fine.
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

// Decodes and verifies the free list of `m`, the meta slot at index `slot`:
// inline after the slot (checked by PickMeta) or in its own extent.
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
      return Status::Corruption(where + ": " + std::to_string(h.count) +
                                " entries do not fit in " + std::to_string(m.freelist_length) +
                                " bytes");
    }
    const uint8_t* entries = base + m.freelist_offset + sizeof h;
    uint32_t crc = Crc32(entries, h.count * sizeof(FreeEntry));
    if (crc != h.checksum) {
      return Status::Corruption(where + ": checksum mismatch: stored " + Hex(h.checksum) +
                                ", computed " + Hex(crc));
    }
    out.resize(h.count);
    std::memcpy(out.data(), entries, h.count * sizeof(FreeEntry));
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

// Opens the file and validates what can be checked without mapping it.
struct OpenedFile {
  int fd = -1;
  uint64_t size = 0;
  Superblock sb{};
};

Result<OpenedFile> OpenPoolFile(const std::string& path, bool writable) {
  OpenedFile f;
  f.fd = open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (f.fd < 0) return ErrnoStatus(errno, "open pool", path);
  struct stat st{};
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

}  // namespace

// ---------------------------------------------------------------------------
// Shared state
// ---------------------------------------------------------------------------

// In-process pins: one reader-table slot per pinned txn, shared by every
// Snapshot of that txn in this process.
class PinRegistry {
 public:
  explicit PinRegistry(std::shared_ptr<ReaderTable> table) : table_(std::move(table)) {}
  Status Ref(uint64_t txn) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = pins_.find(txn);
    if (it != pins_.end()) {
      ++it->second.refs;
      return Status::OK();
    }
    QUIVER_ASSIGN_OR_RETURN(uint32_t slot, table_->Claim(txn));
    pins_[txn] = {slot, 1};
    return Status::OK();
  }
  void Unref(uint64_t txn) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = pins_.find(txn);
    if (it == pins_.end()) return;
    if (--it->second.refs == 0) {
      table_->Release(it->second.slot);
      pins_.erase(it);
    }
  }
  ReaderTable* table() const { return table_.get(); }

 private:
  struct Pin {
    uint32_t slot;
    uint64_t refs;
  };
  std::mutex mu_;
  std::shared_ptr<ReaderTable> table_;
  std::map<uint64_t, Pin> pins_;
};

namespace {
// What a Snapshot holds: the pin and the mapping its pointers point into.
struct PinHandle {
  std::shared_ptr<PinRegistry> registry;
  std::shared_ptr<Mapping> mapping;
  uint64_t txn = 0;
  ~PinHandle() {
    if (registry) registry->Unref(txn);
  }
};
}  // namespace

struct PoolShared {
  std::string path;
  bool read_only = false;
  PoolOptions options;
  int fd = -1;
  Superblock sb{};
  std::shared_ptr<ReaderTable> table;
  std::shared_ptr<PinRegistry> pins;

  std::mutex mu;  // guards everything below
  std::shared_ptr<Mapping> mapping;  // the newest mapping
  // Writer only: the authoritative current state and allocator.
  MetaSlot current{};
  int current_slot = 0;
  FreeMap free;
  std::vector<Extent> unsynced;  // committed with kRelaxed, not yet persisted
  bool txn_open = false;

  ~PoolShared() {
    if (fd >= 0) close(fd);
  }

  Status Persist(const Mapping& m, uint64_t off, uint64_t len) {
    QUIVER_RETURN_NOT_OK(m.Persist(off, len));
    if (options.persist_hook) options.persist_hook(off, len);
    return Status::OK();
  }

  // Reader: the current meta slot as the mapping shows it now.
  Result<MetaSlot> ReadCurrentMeta(int* slot = nullptr) {
    if (!read_only) {
      if (slot != nullptr) *slot = current_slot;
      return current;
    }
    MetaSlot slots[2];
    std::string problems[2];
    QUIVER_ASSIGN_OR_RETURN(int best, PickMeta(mapping->base(), sb, slots, problems));
    if (slot != nullptr) *slot = best;
    return slots[best];
  }

  // Reader: remaps if the state reaches beyond the mapping (the pool grew).
  Status EnsureMapped(uint64_t capacity) {
    if (capacity <= mapping->size()) return Status::OK();
    struct stat st{};
    if (fstat(fd, &st) != 0) return ErrnoStatus(errno, "stat", path);
    if (uint64_t(st.st_size) < capacity) {
      return Status::Corruption(path + " is truncated: " + std::to_string(st.st_size) +
                                " bytes, the pool's capacity is " + std::to_string(capacity));
    }
    QUIVER_ASSIGN_OR_RETURN(mapping, Mapping::MapReadOnly(fd, uint64_t(st.st_size), path));
    return Status::OK();
  }
};

// ---------------------------------------------------------------------------
// Snapshot
// ---------------------------------------------------------------------------

Snapshot::Snapshot(Snapshot&&) noexcept = default;
Snapshot& Snapshot::operator=(Snapshot&&) noexcept = default;
Snapshot::~Snapshot() = default;

Result<const uint8_t*> Snapshot::Read(uint64_t offset, uint64_t length) const {
  if (offset > mapped_size_ || length > mapped_size_ - offset) {
    return Status::Corruption("reference " + Range(offset, length) +
                              " reaches beyond the pool (" + std::to_string(mapped_size_) +
                              " bytes mapped) in txn " + std::to_string(txn_id_));
  }
  return base_ + offset;
}

// ---------------------------------------------------------------------------
// Pool: open and create
// ---------------------------------------------------------------------------

Pool::Pool() : s_(std::make_unique<PoolShared>()) {}
Pool::~Pool() = default;

const std::string& Pool::path() const { return s_->path; }
bool Pool::read_only() const { return s_->read_only; }
bool Pool::is_pmem() const {
  std::lock_guard<std::mutex> g(s_->mu);
  return s_->mapping->is_pmem();
}

static std::string LockPath(const std::string& path) { return path + ".lock"; }

Result<std::unique_ptr<Pool>> Pool::Create(const std::string& path, uint64_t capacity,
                                           PoolOptions options) {
  capacity = RoundUpPage(capacity);
  if (capacity < kMinCapacity) {
    return Status::Invalid("pool capacity " + std::to_string(capacity) +
                           " bytes is below the minimum of " + FormatBytes(kMinCapacity));
  }
  struct stat st{};
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Invalid(path + " is a directory, not a pool file");
    return Status::AlreadyExists("pool file " + path + " already exists");
  }
  // Build the pool under a temporary name and rename it into place, so a
  // crash during create never leaves a half-made pool at `path`.
  std::string tmp = path + ".creating." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, "create", tmp);
  auto fail = [&](Status s) -> Result<std::unique_ptr<Pool>> {
    close(fd);
    unlink(tmp.c_str());
    return s;
  };
  if (ftruncate(fd, off_t(capacity)) != 0) return fail(ErrnoStatus(errno, "size", tmp));
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
  sb.create_time_ns = NowNs();
  sb.meta_offset[0] = kMetaOffset[0];
  sb.meta_offset[1] = kMetaOffset[1];
  sb.data_start = kDataStart;
  sb.checksum = SuperblockCrc(sb);
  MetaSlot m{};
  m.magic = kMetaMagic;
  m.txn_id = 1;
  m.capacity = capacity;
  m.high_water = kDataStart;
  m.commit_time_ns = sb.create_time_ns;
  std::memcpy(m.uuid, sb.uuid, 16);
  m.checksum = MetaCrc(m);
  std::vector<uint8_t> head(kDataStart, 0);
  std::memcpy(head.data(), &sb, sizeof sb);
  std::memcpy(head.data() + kMetaOffset[0], &m, sizeof m);
  // A short write means the disk filled up (errno is not set then).
  if (ssize_t w = pwrite(fd, head.data(), head.size(), 0); w != ssize_t(head.size())) {
    return fail(ErrnoStatus(w < 0 ? errno : ENOSPC, "write", tmp));
  }
  if (fsync(fd) != 0) return fail(ErrnoStatus(errno, "fsync", tmp));
  if (renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
    int err = errno;
    if (err == EEXIST) return fail(Status::AlreadyExists("pool file " + path + " already exists"));
    return fail(ErrnoStatus(err, "rename into place", path));
  }
  close(fd);
  // Persist the directory entry too.
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  auto opened = Open(path, std::move(options));
  if (!opened.ok() && opened.status().code() == StatusCode::kOutOfSpace) {
    // The disk filled up after the rename (the reader table has no room): a
    // create that fails leaves no pool behind.
    unlink(path.c_str());
    unlink(LockPath(path).c_str());
  }
  return opened;
}

Result<std::unique_ptr<Pool>> Pool::Open(const std::string& path, PoolOptions options) {
  QUIVER_ASSIGN_OR_RETURN(OpenedFile f, OpenPoolFile(path, /*writable=*/true));
  std::unique_ptr<Pool> pool(new Pool());
  PoolShared& s = *pool->s_;
  s.path = path;
  s.options = std::move(options);
  s.fd = f.fd;
  s.sb = f.sb;
  QUIVER_ASSIGN_OR_RETURN(s.table, ReaderTable::Open(LockPath(path), s.sb.uuid));
  QUIVER_RETURN_NOT_OK(s.table->LockWriter(path));
  s.pins = std::make_shared<PinRegistry>(s.table);
  QUIVER_ASSIGN_OR_RETURN(s.mapping, Mapping::MapWritable(path));
  MetaSlot slots[2];
  std::string problems[2];
  QUIVER_ASSIGN_OR_RETURN(int best, PickMeta(s.mapping->base(), s.sb, slots, problems));
  std::string bounds = MetaBoundsProblem(slots[best], f.size);
  if (!bounds.empty()) {
    return Status::Corruption(path + ": meta slot " + std::to_string(best) + " (txn " +
                              std::to_string(slots[best].txn_id) + "): " + bounds);
  }
  s.current = slots[best];
  s.current_slot = best;
  auto entries = LoadFreeList(s.mapping->base(), s.current, best);
  if (!entries.ok()) return entries.status().WithContext(path);
  for (const FreeEntry& e : *entries) s.free[e.offset] = {e.length, e.freed_txn};
  return pool;
}

Result<std::unique_ptr<Pool>> Pool::OpenReadOnly(const std::string& path, PoolOptions options) {
  QUIVER_ASSIGN_OR_RETURN(OpenedFile f, OpenPoolFile(path, /*writable=*/false));
  std::unique_ptr<Pool> pool(new Pool());
  PoolShared& s = *pool->s_;
  s.path = path;
  s.read_only = true;
  s.options = std::move(options);
  s.fd = f.fd;
  s.sb = f.sb;
  QUIVER_ASSIGN_OR_RETURN(s.mapping, Mapping::MapReadOnly(f.fd, f.size, path));
  MetaSlot slots[2];
  std::string problems[2];
  QUIVER_ASSIGN_OR_RETURN(int best, PickMeta(s.mapping->base(), s.sb, slots, problems));
  std::string bounds = MetaBoundsProblem(slots[best], f.size);
  if (!bounds.empty()) {
    return Status::Corruption(path + ": meta slot " + std::to_string(best) + ": " + bounds);
  }
  QUIVER_ASSIGN_OR_RETURN(s.table, ReaderTable::Open(LockPath(path), s.sb.uuid));
  s.pins = std::make_shared<PinRegistry>(s.table);
  return pool;
}

// ---------------------------------------------------------------------------
// Pins
// ---------------------------------------------------------------------------

Result<Snapshot> Pool::Pin() {
  std::lock_guard<std::mutex> g(s_->mu);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    QUIVER_ASSIGN_OR_RETURN(MetaSlot m, s_->ReadCurrentMeta());
    QUIVER_RETURN_NOT_OK(s_->pins->Ref(m.txn_id));
    // LMDB's check: if a newer state was published meanwhile, the writer may
    // already reuse what `m` references without having seen our pin. Retry.
    auto again = s_->ReadCurrentMeta();
    if (again.ok() && again->txn_id == m.txn_id) {
      Status st = s_->read_only ? s_->EnsureMapped(m.capacity) : Status::OK();
      if (!st.ok()) {
        s_->pins->Unref(m.txn_id);
        return st;
      }
      auto handle = std::make_shared<PinHandle>();
      handle->registry = s_->pins;
      handle->mapping = s_->mapping;
      handle->txn = m.txn_id;
      Snapshot snap;
      snap.txn_id_ = m.txn_id;
      snap.root_ = {m.root_offset, m.root_length};
      snap.base_ = s_->mapping->base();
      snap.mapped_size_ = std::min<uint64_t>(s_->mapping->size(), m.capacity);
      snap.pin_ = std::move(handle);
      return snap;
    }
    s_->pins->Unref(m.txn_id);
  }
  return Status::Internal("could not pin a stable state of " + s_->path);
}

// ---------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------

struct Transaction::State {
  uint64_t txn = 0;
  MetaSlot base{};
  FreeMap free;
  uint64_t high_water = 0;
  uint64_t capacity = 0;
  uint64_t oldest_pin = UINT64_MAX;
  std::vector<Extent> allocated;
  std::vector<Extent> freed;  // extents of the base state, freed by this txn
  std::shared_ptr<Mapping> mapping;
  std::vector<std::shared_ptr<Mapping>> old_mappings;  // kept alive until the end
  bool done = false;
};

Transaction::Transaction(Pool* pool) : pool_(pool), state_(std::make_unique<State>()) {}

Transaction::~Transaction() { Abort(); }

uint64_t Transaction::txn_id() const { return state_->txn; }
Extent Transaction::base_root() const { return {state_->base.root_offset, state_->base.root_length}; }

void Transaction::Abort() {
  if (state_->done) return;
  state_->done = true;
  std::lock_guard<std::mutex> g(pool_->s_->mu);
  pool_->s_->txn_open = false;
}

Result<std::unique_ptr<Transaction>> Pool::Begin() {
  if (s_->read_only) return Status::Invalid("pool " + s_->path + " is open read-only");
  std::unique_ptr<Transaction> t(new Transaction(this));
  uint64_t oldest = s_->table->OldestPin();
  std::lock_guard<std::mutex> g(s_->mu);
  if (s_->txn_open) return Status::Invalid("a transaction is already open on " + s_->path);
  s_->txn_open = true;
  Transaction::State& st = *t->state_;
  st.base = s_->current;
  st.txn = s_->current.txn_id + 1;
  st.high_water = s_->current.high_water;
  st.capacity = s_->current.capacity;
  st.mapping = s_->mapping;
  st.oldest_pin = oldest;
  // Runs freed by txn T become reusable once no reader pins a txn < T.
  // Normalise them to 0 and merge neighbours that are reusable now.
  st.free = s_->free;
  for (auto it = st.free.begin(); it != st.free.end();) {
    if (it->second.freed_txn != 0 && it->second.freed_txn <= oldest) it->second.freed_txn = 0;
    if (it != st.free.begin()) {
      auto prev = std::prev(it);
      if (prev->second.freed_txn == 0 && it->second.freed_txn == 0 &&
          prev->first + prev->second.length == it->first) {
        prev->second.length += it->second.length;
        it = st.free.erase(it);
        continue;
      }
    }
    ++it;
  }
  return t;
}

static void InsertFree(FreeMap& free, uint64_t off, uint64_t len, uint64_t freed_txn) {
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

Result<Extent> Transaction::Allocate(uint64_t size) {
  State& st = *state_;
  if (st.done) return Status::Invalid("transaction is finished");
  if (size == 0) return Status::Invalid("cannot allocate 0 bytes");
  uint64_t need = RoundUpPage(size);
  if (need < size) return Status::OutOfSpace("allocation of " + std::to_string(size) + " bytes");
  // First fit among runs that are reusable now.
  for (auto it = st.free.begin(); it != st.free.end(); ++it) {
    if (it->second.freed_txn != 0 || it->second.length < need) continue;
    Extent e{it->first, need};
    FreeRun rest{it->second.length - need, 0};
    st.free.erase(it);
    if (rest.length > 0) st.free.emplace(e.offset + need, rest);
    st.allocated.push_back(e);
    return e;
  }
  PoolShared& s = *pool_->s_;
  if (st.high_water + need > st.capacity) {
    uint64_t step = s.options.auto_grow_step;
    if (step == 0) {
      uint64_t free_total = st.capacity - st.high_water, largest = st.capacity - st.high_water;
      for (auto& [off, run] : st.free) {
        if (run.freed_txn == 0) {
          free_total += run.length;
          largest = std::max(largest, run.length);
        }
      }
      return Status::OutOfSpace("pool " + s.path + " is full: asked for " + std::to_string(size) +
                                " bytes, " + std::to_string(free_total) +
                                " bytes free (largest free extent " + std::to_string(largest) +
                                ") of capacity " + std::to_string(st.capacity));
    }
    uint64_t target = std::max({st.capacity * 2, st.capacity + step, st.high_water + need});
    target = RoundUpPage(target);
    if (ftruncate(s.fd, off_t(target)) != 0) return ErrnoStatus(errno, "grow", s.path);
    auto mapped = Mapping::MapWritable(s.path);
    if (!mapped.ok()) {
      // The file is longer but the state still says the old capacity; the
      // next grow or open will use the space.
      return mapped.status();
    }
    st.old_mappings.push_back(st.mapping);
    st.mapping = *mapped;
    st.capacity = target;
  }
  // Reserve the blocks now: writing through a mapping into a hole of a full
  // disk would raise SIGBUS; fallocate reports ENOSPC instead.
  int rc = posix_fallocate(s.fd, off_t(st.high_water), off_t(need));
  if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL) {
    return ErrnoStatus(rc, "reserve " + std::to_string(need) + " bytes at offset " +
                               std::to_string(st.high_water) + " of",
                       s.path);
  }
  Extent e{st.high_water, need};
  st.high_water += need;
  st.allocated.push_back(e);
  return e;
}

uint8_t* Transaction::Data(const Extent& e) { return state_->mapping->base() + e.offset; }

Result<const uint8_t*> Transaction::Read(uint64_t offset, uint64_t length) const {
  const State& st = *state_;
  if (offset > st.high_water || length > st.high_water - offset) {
    return Status::Corruption("reference " + Range(offset, length) +
                              " reaches beyond the allocated area of " + pool_->s_->path);
  }
  return st.mapping->base() + offset;
}

Status Transaction::Free(const Extent& exact) {
  State& st = *state_;
  if (st.done) return Status::Invalid("transaction is finished");
  if (exact.length == 0) return Status::OK();
  // Extents are whole pages; callers may name the bytes they used.
  const Extent e{exact.offset, RoundUpPage(exact.length)};
  if (e.offset % kPageSize != 0 || e.offset < kDataStart ||
      e.end() > st.high_water) {
    return Status::Invalid("cannot free " + Range(e.offset, e.length) +
                           ": not an allocated extent");
  }
  // Refuse double frees: the range must not overlap a free run.
  auto it = st.free.upper_bound(e.offset);
  if (it != st.free.end() && it->first < e.end()) {
    return Status::Internal("double free of " + Range(e.offset, e.length));
  }
  if (it != st.free.begin()) {
    auto prev = std::prev(it);
    if (prev->first + prev->second.length > e.offset) {
      return Status::Internal("double free of " + Range(e.offset, e.length));
    }
  }
  auto mine = std::find(st.allocated.begin(), st.allocated.end(), e);
  if (mine != st.allocated.end()) {
    // Allocated by this very transaction: no state references it.
    st.allocated.erase(mine);
    InsertFree(st.free, e.offset, e.length, 0);
    return Status::OK();
  }
  for (const Extent& f : st.freed) {
    if (f.offset < e.end() && e.offset < f.end()) {
      return Status::Internal("double free of " + Range(e.offset, e.length));
    }
  }
  st.freed.push_back(e);
  return Status::OK();
}

Status Transaction::Commit(const Extent& root, Durability durability) {
  State& st = *state_;
  if (st.done) return Status::Invalid("transaction is finished");
  PoolShared& s = *pool_->s_;
  auto fail = [&](Status why) {
    Abort();
    return why;
  };
  if (!root.empty() && (root.offset < kDataStart || root.end() > st.high_water)) {
    return fail(Status::Invalid("root " + Range(root.offset, root.length) +
                                " is not inside an allocated extent"));
  }
  // The new free list: runs not allocated, the base state's extents freed
  // now (reusable once readers move past this txn), and the old free list
  // blob itself, freed the same way.
  FreeMap next = st.free;
  for (const Extent& f : st.freed) InsertFree(next, f.offset, f.length, st.txn);
  if (st.base.freelist_length != 0) {
    InsertFree(next, st.base.freelist_offset, st.base.freelist_length, st.txn);
  }
  // A short list goes inline into the meta slot's page; a long one into an
  // extent of its own.
  Extent list_extent;
  std::vector<FreeEntry> inline_entries;
  if (next.size() <= kInlineFreeEntries) {
    st.free = std::move(next);
    for (const auto& [off, run] : st.free) inline_entries.push_back({off, run.length, run.freed_txn});
  } else {
    uint64_t bytes = sizeof(FreeListHeader) + (next.size() + 2) * sizeof(FreeEntry);
    st.free = std::move(next);
    auto e = Allocate(bytes);
    if (!e.ok()) return fail(e.status());
    list_extent = *e;
    uint8_t* p = Data(list_extent);
    FreeListHeader h{};
    h.magic = kFreeListMagic;
    h.count = st.free.size();
    uint8_t* out = p + sizeof h;
    for (const auto& [off, run] : st.free) {
      FreeEntry fe{off, run.length, run.freed_txn};
      std::memcpy(out, &fe, sizeof fe);
      out += sizeof fe;
    }
    h.checksum = Crc32(p + sizeof h, h.count * sizeof(FreeEntry));
    std::memcpy(p, &h, sizeof h);
  }

  // Persist everything the new state references before the meta slot.
  std::vector<Extent> ranges = st.allocated;
  if (durability == Durability::kSync) {
    std::lock_guard<std::mutex> g(s.mu);
    ranges.insert(ranges.end(), s.unsynced.begin(), s.unsynced.end());
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const Extent& a, const Extent& b) { return a.offset < b.offset; });
  std::vector<Extent> merged;
  for (const Extent& r : ranges) {
    if (!merged.empty() && merged.back().end() >= r.offset) {
      merged.back().length = std::max(merged.back().end(), r.end()) - merged.back().offset;
    } else {
      merged.push_back(r);
    }
  }
  if (durability == Durability::kSync && !merged.empty()) {
    if (st.mapping->is_pmem()) {
      // Cache flushes cost per byte: flush exactly the ranges.
      for (const Extent& r : merged) {
        Status ps = s.Persist(*st.mapping, r.offset, r.length);
        if (!ps.ok()) return fail(ps);
      }
    } else {
      // msync costs per call and writes back only dirty pages: one call
      // over the whole span (pages between the ranges are clean).
      uint64_t lo = merged.front().offset, hi = merged.back().end();
      Status ps = s.Persist(*st.mapping, lo, hi - lo);
      if (!ps.ok()) return fail(ps);
    }
  }

  MetaSlot m{};
  m.magic = kMetaMagic;
  m.txn_id = st.txn;
  m.capacity = st.capacity;
  m.high_water = st.high_water;
  m.root_offset = root.offset;
  m.root_length = root.length;
  m.freelist_offset = list_extent.offset;
  m.freelist_length = list_extent.length;
  m.commit_time_ns = NowNs();
  std::memcpy(m.uuid, s.sb.uuid, 16);
  int slot;
  {
    std::lock_guard<std::mutex> g(s.mu);
    slot = 1 - s.current_slot;
  }
  uint8_t* page = st.mapping->base() + kMetaOffset[slot];
  uint64_t inline_bytes = inline_entries.size() * sizeof(FreeEntry);
  if (!inline_entries.empty()) std::memcpy(page + sizeof m, inline_entries.data(), inline_bytes);
  m.inline_free_count = uint32_t(inline_entries.size());
  m.inline_free_crc = inline_entries.empty() ? 0 : Crc32(page + sizeof m, inline_bytes);
  m.checksum = MetaCrc(m);
  std::memcpy(page, &m, sizeof m);
  if (durability == Durability::kSync) {
    Status ps = s.Persist(*st.mapping, kMetaOffset[slot], sizeof m + inline_bytes);
    if (!ps.ok()) return fail(ps);
  }

  std::lock_guard<std::mutex> g(s.mu);
  if (durability == Durability::kSync) {
    s.unsynced.clear();
  } else {
    s.unsynced.insert(s.unsynced.end(), merged.begin(), merged.end());
    s.unsynced.push_back({kMetaOffset[slot], kPageSize});
  }
  s.current = m;
  s.current_slot = slot;
  s.free = std::move(st.free);
  s.mapping = st.mapping;
  s.txn_open = false;
  st.done = true;
  return Status::OK();
}

Status Pool::Grow(uint64_t new_capacity) {
  if (s_->read_only) return Status::Invalid("pool " + s_->path + " is open read-only");
  new_capacity = RoundUpPage(new_capacity);
  QUIVER_ASSIGN_OR_RETURN(auto txn, Begin());
  Transaction::State& st = *txn->state_;
  if (new_capacity <= st.capacity) {
    return Status::Invalid("new capacity " + std::to_string(new_capacity) +
                           " is not above the current capacity " + std::to_string(st.capacity));
  }
  // The file stays sparse, but a capacity the disk can never hold is refused
  // here rather than met as ENOSPC by every later write.
  struct statvfs vfs{};
  if (fstatvfs(s_->fd, &vfs) == 0 &&
      new_capacity - st.capacity > uint64_t(vfs.f_bavail) * vfs.f_frsize) {
    return Status::OutOfSpace("grow " + s_->path + " to " + std::to_string(new_capacity) +
                              " bytes: out of space: the disk has " +
                              std::to_string(uint64_t(vfs.f_bavail) * vfs.f_frsize) +
                              " bytes free for the " + std::to_string(new_capacity - st.capacity) +
                              " bytes added");
  }
  if (ftruncate(s_->fd, off_t(new_capacity)) != 0) {
    return ErrnoStatus(errno, "grow to " + std::to_string(new_capacity) + " bytes", s_->path);
  }
  QUIVER_ASSIGN_OR_RETURN(auto mapped, Mapping::MapWritable(s_->path));
  st.old_mappings.push_back(st.mapping);
  st.mapping = mapped;
  st.capacity = new_capacity;
  return txn->Commit(txn->base_root());
}

Status Pool::Sync() {
  if (s_->read_only) return Status::OK();
  std::lock_guard<std::mutex> g(s_->mu);
  for (const Extent& r : s_->unsynced) {
    QUIVER_RETURN_NOT_OK(s_->Persist(*s_->mapping, r.offset, r.length));
  }
  s_->unsynced.clear();
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Info and check
// ---------------------------------------------------------------------------

PoolInfo Pool::Info() const {
  PoolInfo info;
  info.path = s_->path;
  info.uuid = UuidString(s_->sb.uuid);
  info.format_version = s_->sb.format_version;
  info.page_size = s_->sb.page_size;
  info.create_time_ns = s_->sb.create_time_ns;
  info.read_only = s_->read_only;
  struct stat st{};
  if (fstat(s_->fd, &st) == 0) {
    info.file_bytes = uint64_t(st.st_size);
    info.disk_bytes = uint64_t(st.st_blocks) * 512;
  }
  MetaSlot m{};
  std::vector<FreeEntry> entries;
  {
    std::lock_guard<std::mutex> g(s_->mu);
    info.is_pmem = s_->mapping->is_pmem();
    int m_slot = 0;
    auto cur = s_->ReadCurrentMeta(&m_slot);
    if (cur.ok()) m = *cur;
    if (!s_->read_only) {
      for (auto& [off, run] : s_->free) entries.push_back({off, run.length, run.freed_txn});
    } else if (m.capacity <= s_->mapping->size()) {
      auto loaded = LoadFreeList(s_->mapping->base(), m, m_slot);
      if (loaded.ok()) entries = std::move(*loaded);
    }
  }
  info.txn_id = m.txn_id;
  info.commit_time_ns = m.commit_time_ns;
  info.capacity = m.capacity;
  info.high_water = m.high_water;
  info.root = {m.root_offset, m.root_length};
  uint64_t oldest = s_->table->OldestPin();
  for (const FreeEntry& e : entries) {
    info.free_list_bytes += e.length;
    if (e.freed_txn != 0 && e.freed_txn > oldest) info.free_list_pending += e.length;
  }
  info.free_extents = entries.size();
  info.used_bytes = m.high_water - info.free_list_bytes;
  info.free_bytes = m.capacity - info.used_bytes;
  info.readers = s_->table->Live();
  return info;
}

CheckReport Pool::Check(const std::string& path, const std::vector<Extent>& live) {
  CheckReport r;
  auto issue = [&](std::string where, std::string problem) {
    r.issues.push_back({std::move(where), std::move(problem)});
  };
  auto f = OpenPoolFile(path, /*writable=*/false);
  if (!f.ok()) {
    issue("file", f.status().message());
    return r;
  }
  r.notes.push_back("superblock: ok (format " + std::to_string(f->sb.format_version) + ", uuid " +
                    UuidString(f->sb.uuid) + ")");
  auto mapped = Mapping::MapReadOnly(f->fd, f->size, path);
  if (!mapped.ok()) {
    issue("file", mapped.status().message());
    close(f->fd);
    return r;
  }
  const uint8_t* base = (*mapped)->base();
  MetaSlot slots[2];
  std::string problems[2];
  auto best = PickMeta(base, f->sb, slots, problems);
  close(f->fd);
  if (!best.ok()) {
    issue("meta slots", best.status().message());
    return r;
  }
  for (int i = 0; i < 2; ++i) {
    std::string where = "meta slot " + std::to_string(i) + " (offset " +
                        std::to_string(kMetaOffset[i]) + ")";
    if (i == *best) {
      r.notes.push_back(where + ": current, txn " + std::to_string(slots[i].txn_id));
    } else if (problems[i].empty()) {
      r.notes.push_back(where + ": previous, txn " + std::to_string(slots[i].txn_id));
    } else {
      // The slot being written when a commit was interrupted: the pool falls
      // back to the other slot, which is the state that was acknowledged.
      r.notes.push_back(where + ": not usable (" + problems[i] +
                        "); the other slot holds the current state");
    }
  }
  const MetaSlot& m = slots[*best];
  std::string bounds = MetaBoundsProblem(m, f->size);
  if (!bounds.empty()) {
    issue("meta slot " + std::to_string(*best), bounds);
    return r;
  }
  auto entries = LoadFreeList(base, m, *best);
  if (!entries.ok()) {
    issue("free list", entries.status().message());
    return r;
  }
  // Every referenced range: no overlaps between live extents, the root, the
  // free list blob and free runs.
  struct Item {
    Extent e;
    std::string what;
  };
  std::vector<Item> items;
  if (m.root_length) items.push_back({{m.root_offset, m.root_length}, "root blob"});
  if (m.freelist_length) items.push_back({{m.freelist_offset, m.freelist_length}, "free list blob"});
  for (const FreeEntry& e : *entries) items.push_back({{e.offset, e.length}, "free extent"});
  for (size_t i = 0; i < live.size(); ++i) {
    const Extent& e = live[i];
    if (e.offset < kDataStart || e.offset > m.high_water || e.length > m.high_water - e.offset) {
      issue("extent " + Range(e.offset, e.length), "outside the allocated area " +
                                                       Range(kDataStart, m.high_water - kDataStart));
    }
    items.push_back({e, "live extent"});
  }
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.e.offset < b.e.offset; });
  for (size_t i = 1; i < items.size(); ++i) {
    const Item& a = items[i - 1];
    const Item& b = items[i];
    bool contained = a.what == "live extent" && b.what == "root blob" && b.e.end() <= a.e.end();
    contained |= b.what == "live extent" && a.what == "root blob" && b.e.end() <= a.e.end();
    if (a.e.end() > b.e.offset && !contained) {
      issue(a.what + " " + Range(a.e.offset, a.e.length),
            "overlaps " + b.what + " " + Range(b.e.offset, b.e.length));
    }
  }
  uint64_t free_bytes = 0;
  for (const FreeEntry& e : *entries) free_bytes += e.length;
  r.notes.push_back("extents: high-water " + std::to_string(m.high_water) + ", " +
                    std::to_string(entries->size()) + " free extents (" +
                    std::to_string(free_bytes) + " bytes), " + std::to_string(live.size()) +
                    " live extents checked");
  return r;
}

// ---------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------

Result<uint64_t> ParseSize(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return Status::Invalid("size \"" + text + "\" does not start with a number");
  double value = 0;
  try {
    value = std::stod(text.substr(0, i));
  } catch (...) {
    return Status::Invalid("size \"" + text + "\" is not a number");
  }
  std::string unit = text.substr(i);
  for (auto& c : unit) c = char(std::tolower(static_cast<unsigned char>(c)));
  uint64_t mult = 1;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") mult = 1ull << 10;
  else if (unit == "m" || unit == "mb" || unit == "mib") mult = 1ull << 20;
  else if (unit == "g" || unit == "gb" || unit == "gib") mult = 1ull << 30;
  else if (unit == "t" || unit == "tb" || unit == "tib") mult = 1ull << 40;
  else return Status::Invalid("size \"" + text + "\" has an unknown unit \"" + unit + "\" (use K, M, G or T)");
  double bytes = value * double(mult);
  if (!(bytes < 1.8e19)) return Status::Invalid("size \"" + text + "\" is too large");
  return uint64_t(std::llround(bytes));
}

std::string FormatBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%" PRIu64 " B", bytes);
  else std::snprintf(buf, sizeof buf, "%.2f %s", v, units[u]);
  return buf;
}

}  // namespace quiver::pmem
