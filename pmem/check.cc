// Pool::Info and Pool::Check: what a pool holds and whether it is sound.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "pmem/pool_internal.h"

namespace quiver::pmem {

PoolInfo Pool::Info() const {
  PoolInfo info;
  info.path = s_->path;
  info.uuid = UuidString(s_->sb.uuid);
  info.format_version = s_->sb.format_version;
  info.page_size = s_->sb.page_size;
  info.create_time_ns = s_->sb.create_time_ns;
  info.read_only = s_->read_only;
  struct stat st {};
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
  uint64_t oldest = s_->OldestPin();
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

Status InUseProblem(const MetaSlot& m, const FreeMap& free, const Extent& exact) {
  const Extent e{exact.offset, RoundUpPage(exact.length)};
  if (e.length < exact.length || e.offset < kDataStart || e.offset > m.high_water ||
      e.length > m.high_water - e.offset) {
    return Status::Corruption("extent " + Range(exact.offset, exact.length) +
                              " lies outside the allocated area " +
                              Range(kDataStart, m.high_water - kDataStart));
  }
  auto overlap = [&](uint64_t off, uint64_t len) { return off < e.end() && e.offset < off + len; };
  auto it = free.upper_bound(e.offset);
  if (it != free.begin()) --it;
  for (int k = 0; k < 2 && it != free.end(); ++k, ++it) {
    if (overlap(it->first, it->second.length)) {
      return Status::Corruption("extent " + Range(exact.offset, exact.length) +
                                " is in use but the free list holds " +
                                Range(it->first, it->second.length));
    }
  }
  if (m.freelist_length != 0 && overlap(m.freelist_offset, m.freelist_length)) {
    return Status::Corruption("extent " + Range(exact.offset, exact.length) +
                              " overlaps the free list's own extent " +
                              Range(m.freelist_offset, m.freelist_length));
  }
  return Status::OK();
}

Status Pool::CheckInUse(const Extent& e) const {
  if (s_->read_only) return Status::OK();
  std::lock_guard<std::mutex> g(s_->mu);
  return InUseProblem(s_->current, s_->free, e);
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
    std::string where =
        "meta slot " + std::to_string(i) + " (offset " + std::to_string(kMetaOffset[i]) + ")";
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
  if (m.freelist_length)
    items.push_back({{m.freelist_offset, m.freelist_length}, "free list blob"});
  for (const FreeEntry& e : *entries) items.push_back({{e.offset, e.length}, "free extent"});
  for (size_t i = 0; i < live.size(); ++i) {
    const Extent& e = live[i];
    if (e.offset < kDataStart || e.offset > m.high_water || e.length > m.high_water - e.offset) {
      issue("extent " + Range(e.offset, e.length),
            "outside the allocated area " + Range(kDataStart, m.high_water - kDataStart));
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

}  // namespace quiver::pmem
