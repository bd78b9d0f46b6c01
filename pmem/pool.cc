// Pool: open, create, pin, grow and sync. Transactions are in txn.cc,
// Info and Check in check.cc, the on-disk structures in format.cc.
#include "pmem/pool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "config/units.h"
#include "pmem/pool_internal.h"

namespace quiver::pmem {

std::string LockPath(const std::string& path) { return path + ".lock"; }

// ---------------------------------------------------------------------------
// Pins
// ---------------------------------------------------------------------------

Status PinRegistry::Ref(uint64_t txn) {
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

void PinRegistry::Unref(uint64_t txn) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = pins_.find(txn);
  if (it == pins_.end()) return;
  if (--it->second.refs == 0) {
    table_->Release(it->second.slot);
    pins_.erase(it);
  }
}

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

// An OFD write lock on the pool file itself: the writer lock holds even if
// someone deletes "<pool>.lock".
Status LockPoolFile(int fd, const std::string& path, const ReaderTable& table) {
  flock fl{};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 1;
  if (fcntl(fd, F_OFD_SETLK, &fl) == 0) return Status::OK();
  if (errno != EAGAIN && errno != EACCES) return ErrnoStatus(errno, "lock", path);
  uint32_t pid = table.WriterPid();
  return Status::Locked("pool " + path + " is locked by " +
                        (pid != 0 ? "pid " + std::to_string(pid) : std::string("another process")) +
                        " (another writer has it open)");
}
}  // namespace

// ---------------------------------------------------------------------------
// Shared state
// ---------------------------------------------------------------------------

PoolShared::~PoolShared() {
  if (fd >= 0) close(fd);
}

Result<MetaSlot> PoolShared::ReadCurrentMeta(int* slot) {
  if (!read_only) {
    if (slot != nullptr) *slot = current_slot;
    return current;
  }
  MetaSlot slots[2];
  std::string problems[2];
  uint64_t acked = table->Acked();
  QUIVER_ASSIGN_OR_RETURN(
      int best, PickMeta(mapping->base(), sb, slots, problems, acked == 0 ? UINT64_MAX : acked));
  if (slot != nullptr) *slot = best;
  return slots[best];
}

Status PoolShared::EnsureMapped(uint64_t capacity) {
  if (capacity <= mapping->size()) return Status::OK();
  struct stat st {};
  if (fstat(fd, &st) != 0) return ErrnoStatus(errno, "stat", path);
  if (uint64_t(st.st_size) < capacity) {
    return Status::Corruption(path + " is truncated: " + std::to_string(st.st_size) +
                              " bytes, the pool's capacity is " + std::to_string(capacity));
  }
  QUIVER_ASSIGN_OR_RETURN(mapping, Mapping::MapReadOnly(fd, uint64_t(st.st_size), path));
  return Status::OK();
}

Status PoolShared::CheckWritable() const {
  if (read_only) return Status::Invalid("pool " + path + " is open read-only");
  return failed;
}

Status PoolShared::Fail(const Status& why) {
  std::lock_guard<std::mutex> g(mu);
  if (failed.ok()) {
    failed =
        Status(why.code(), "pool " + path + " stopped accepting writes after a failed persist (" +
                               why.message() +
                               "); nothing after the last acknowledged commit was "
                               "acknowledged: reopen the pool");
  }
  return failed;
}

uint64_t PoolShared::OldestPin() {
  if (!read_only && table->Unlinked()) {
    // "<pool>.lock" was deleted or replaced: readers that come now register
    // in a new file. Make it (taking its writer lock too) and keep counting
    // the pins of the old one.
    auto fresh = ReaderTable::Open(LockPath(path), sb.uuid);
    if (fresh.ok() && (*fresh)->LockWriter(path).ok()) {
      orphan_tables.push_back(table);
      table = *fresh;
      uint64_t acked;
      {
        std::lock_guard<std::mutex> g(mu);
        acked = current.txn_id;
      }
      table->SetAcked(acked);
    }
  }
  uint64_t oldest = table->OldestPin();
  for (auto& t : orphan_tables) oldest = std::min(oldest, t->OldestPin());
  return oldest;
}

// ---------------------------------------------------------------------------
// Snapshot
// ---------------------------------------------------------------------------

Snapshot::Snapshot(Snapshot&&) noexcept = default;
Snapshot& Snapshot::operator=(Snapshot&&) noexcept = default;
Snapshot::~Snapshot() = default;

Result<const uint8_t*> Snapshot::Read(uint64_t offset, uint64_t length) const {
  if (offset > mapped_size_ || length > mapped_size_ - offset) {
    return Status::Corruption("reference " + Range(offset, length) + " reaches beyond the pool (" +
                              std::to_string(mapped_size_) + " bytes mapped) in txn " +
                              std::to_string(txn_id_));
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

Result<std::unique_ptr<Pool>> Pool::Create(const std::string& path, uint64_t capacity,
                                           PoolOptions options) {
  Device* dev = options.device != nullptr ? options.device : DefaultDevice();
  capacity = RoundUpPage(capacity);
  if (capacity < kMinCapacity) {
    return Status::Invalid("pool capacity " + std::to_string(capacity) +
                           " bytes is below the minimum of " + FormatBytes(kMinCapacity));
  }
  struct stat st {};
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
  Superblock sb = NewSuperblock(capacity, NowNs());
  MetaSlot m = FirstMeta(sb);
  std::vector<uint8_t> head(kDataStart, 0);
  std::memcpy(head.data(), &sb, sizeof sb);
  std::memcpy(head.data() + kMetaOffset[0], &m, sizeof m);
  Status s = dev->Resize(fd, capacity, tmp);
  if (s.ok()) s = dev->Reserve(fd, 0, kDataStart, tmp);
  if (s.ok()) s = dev->Write(fd, head.data(), head.size(), 0, tmp);
  if (s.ok()) s = dev->SyncFile(fd, tmp);
  if (s.ok()) s = dev->Rename(tmp, path);
  if (!s.ok()) return fail(s);
  close(fd);
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  QUIVER_RETURN_NOT_OK(dev->SyncDir(dir));
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
  s.device = s.options.device != nullptr ? s.options.device : DefaultDevice();
  s.fd = f.fd;
  s.sb = f.sb;
  QUIVER_ASSIGN_OR_RETURN(s.table, ReaderTable::Open(LockPath(path), s.sb.uuid));
  QUIVER_RETURN_NOT_OK(LockPoolFile(s.fd, path, *s.table));
  QUIVER_RETURN_NOT_OK(s.table->LockWriter(path));
  s.pins = std::make_shared<PinRegistry>(s.table);
  QUIVER_ASSIGN_OR_RETURN(s.mapping, Mapping::MapWritable(s.device, s.fd, path));
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
  if (s.current.root_length != 0) {
    Status root = InUseProblem(s.current, s.free, {s.current.root_offset, s.current.root_length});
    if (!root.ok()) {
      return root.WithContext(path + ": meta slot " + std::to_string(best) + " (txn " +
                              std::to_string(s.current.txn_id) + "), root blob");
    }
  }
  // The current state may be a relaxed commit of a writer that died: its
  // extents were persisted when it committed, its meta slot perhaps not.
  // Persist the meta pages, so that this writer starts from a durable state
  // and a sync commit made now covers everything before it.
  QUIVER_RETURN_NOT_OK(s.mapping->Persist(kMetaOffset[0], kDataStart - kMetaOffset[0]));
  s.durable_txn = s.current.txn_id;
  s.durable_slot = best;
  s.table->SetAcked(s.current.txn_id);
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
  QUIVER_ASSIGN_OR_RETURN(s.table, ReaderTable::Open(LockPath(path), s.sb.uuid));
  int best = 0;
  QUIVER_ASSIGN_OR_RETURN(MetaSlot m, s.ReadCurrentMeta(&best));
  std::string bounds = MetaBoundsProblem(m, f.size);
  if (!bounds.empty()) {
    return Status::Corruption(path + ": meta slot " + std::to_string(best) + ": " + bounds);
  }
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
// Grow and sync
// ---------------------------------------------------------------------------

namespace {
// A grow that the file system cannot hold fails now rather than with SIGBUS
// later. The file stays sparse (nothing is reserved): this is a check.
Status CheckRoom(int fd, uint64_t old_size, uint64_t new_size, const std::string& path) {
  struct statvfs vfs {};
  if (fstatvfs(fd, &vfs) != 0) return Status::OK();
  uint64_t avail = uint64_t(vfs.f_bavail) * vfs.f_frsize;
  uint64_t need = new_size - old_size;
  if (need > avail) {
    return Status::OutOfSpace("cannot grow pool " + path + " to " + std::to_string(new_size) +
                              " bytes: out of space (the file system has " + std::to_string(avail) +
                              " bytes free, the grow adds " + std::to_string(need) + ")");
  }
  return Status::OK();
}
}  // namespace

Status Pool::Grow(uint64_t new_capacity) {
  QUIVER_RETURN_NOT_OK(s_->CheckWritable());
  new_capacity = RoundUpPage(new_capacity);
  QUIVER_ASSIGN_OR_RETURN(auto txn, Begin());
  Transaction::State& st = *txn->state_;
  if (new_capacity <= st.capacity) {
    return Status::Invalid("new capacity " + std::to_string(new_capacity) +
                           " is not above the current capacity " + std::to_string(st.capacity));
  }
  QUIVER_RETURN_NOT_OK(CheckRoom(s_->fd, st.capacity, new_capacity, s_->path));
  QUIVER_RETURN_NOT_OK(s_->device->Resize(s_->fd, new_capacity, s_->path));
  // The new size must be durable before a meta slot that claims it is.
  Status synced = s_->device->SyncFile(s_->fd, s_->path);
  if (!synced.ok()) return s_->Fail(synced);
  QUIVER_ASSIGN_OR_RETURN(auto mapped, Mapping::MapWritable(s_->device, s_->fd, s_->path));
  st.old_mappings.push_back(st.mapping);
  st.mapping = mapped;
  st.capacity = new_capacity;
  return txn->Commit(txn->base_root());
}

Status Pool::Sync() {
  if (s_->read_only) return Status::OK();
  QUIVER_RETURN_NOT_OK(s_->CheckWritable());
  std::shared_ptr<Mapping> mapping;
  int slot;
  uint64_t txn;
  {
    std::lock_guard<std::mutex> g(s_->mu);
    if (s_->durable_txn == s_->current.txn_id) return Status::OK();
    mapping = s_->mapping;
    slot = s_->current_slot;
    txn = s_->current.txn_id;
  }
  // Relaxed commits persisted their extents already: only the newest meta
  // slot (with its inline free list) is missing.
  Status ps = mapping->Persist(kMetaOffset[slot], kPageSize);
  if (!ps.ok()) return s_->Fail(ps);
  std::lock_guard<std::mutex> g(s_->mu);
  s_->durable_txn = txn;
  s_->durable_slot = slot;
  return Status::OK();
}

}  // namespace quiver::pmem
