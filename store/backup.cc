// Online backup, restore and verification (store/backup.h).
#include "store/backup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <thread>

#include "config/units.h"
#include "store/catalog_internal.h"
#include "store/checksum_internal.h"

namespace quiver::store {

namespace {

std::string Thousands(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = int(s.size()) - 3; i > (s[0] == '-' ? 1 : 0); i -= 3) s.insert(size_t(i), ",");
  return s;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// Removes a temporary pool file and the reader table an open of it made.
void RemoveTemp(const std::string& tmp) {
  unlink(tmp.c_str());
  unlink((tmp + ".lock").c_str());
}

// Writes the compacted state of `snap` as a new pool at `path`: every live
// chunk copied byte for byte, one after the other, and a catalog (the
// store's encoding) that points at the copies. Runs `verify` while the file
// is made durable.
Status WriteCompact(const Snapshot& snap, const std::string& src_path, const std::string& path,
                    const BackupOptions& options, const std::function<Status()>& verify) {
  const pmem::Snapshot& pin = snap.pool_snapshot();
  const pmem::Extent root = pin.root();
  CatalogState catalog;
  if (!root.empty()) {
    QUIVER_ASSIGN_OR_RETURN(const uint8_t* blob, pin.Read(root.offset, root.length));
    QUIVER_ASSIGN_OR_RETURN(catalog, DecodeCatalog(blob, root.length, root.offset));
  }
  uint64_t total = 0;
  for (const auto& [name, t] : catalog.tables) {
    for (const ChunkInfo& c : t.chunks) total += c.length;
  }
  // The source's capacity, so the copy takes the writes the source would.
  QUIVER_ASSIGN_OR_RETURN(auto w,
                          pmem::CompactWriter::Create(path, pin.mapped_size(), pin, src_path));
  uint64_t done = 0;
  for (auto& [name, t] : catalog.tables) {
    for (ChunkInfo& c : t.chunks) {
      QUIVER_ASSIGN_OR_RETURN(c.offset, w->Add(c.offset, c.length));
      // The snapshot cache knows a chunk by (offset, created_txn): make the
      // pair one this pool's history (it starts at txn 1) never repeats.
      c.created_txn = 1;
      done += c.length;
      if (options.progress) options.progress(done, total);
    }
  }
  return w->Finish(EncodeCatalog(catalog), verify);
}

// Verifies the file at `tmp` into *report: DataLoss when it fails.
Status VerifyTemp(const std::string& tmp, const std::string& dst, VerifyReport* report) {
  *report = VerifyPool(tmp);
  unlink((tmp + ".lock").c_str());
  if (report->ok()) return Status::OK();
  return Status::DataLoss("the backup failed verification, nothing was written to " + dst + ": " +
                          report->Summary());
}

// Renames a verified `tmp` to `dst`, or removes it after an error `s`.
Status Publish(Status s, const std::string& tmp, const std::string& dst) {
  if (s.ok()) s = pmem::PublishFile(tmp, dst);
  if (!s.ok() && s.code() != StatusCode::kLocked) RemoveTemp(tmp);
  return s;
}

}  // namespace

std::string VerifyReport::Summary() const {
  if (ok()) {
    return "ok: " + Thousands(tables) + (tables == 1 ? " table, " : " tables, ") +
           Thousands(chunks) + (chunks == 1 ? " chunk, " : " chunks, ") + FormatBytes(bytes) +
           " verified (txn " + std::to_string(txn) + ")";
  }
  std::string s = "FAILED: " + Thousands(int64_t(problems.size())) +
                  (problems.size() == 1 ? " error: " : " errors: ");
  for (size_t i = 0; i < problems.size() && i < 3; ++i) s += (i ? "; " : "") + problems[i];
  if (problems.size() > 3) s += "; ...";
  return s;
}

VerifyReport VerifyPool(const std::string& path) {
  VerifyReport r;
  std::vector<std::vector<std::string>> found;  // per chunk, in catalog order
  {
    StoreOptions o;
    o.read_only = true;
    auto store = Store::Open(path, o);
    auto snap = store.ok() ? (*store)->GetSnapshot()
                           : Result<std::shared_ptr<const Snapshot>>(store.status());
    if (!snap.ok()) {
      r.open_failed = true;
    } else {
      r.txn = (*snap)->txn();
      struct Item {
        const TableView* table;
        size_t index;
      };
      std::vector<Item> items;
      for (const TableView& t : (*snap)->tables()) {
        ++r.tables;
        r.chunks += int64_t(t.num_chunks());
        r.bytes += t.bytes();
        for (size_t i = 0; i < t.num_chunks(); ++i) items.push_back({&t, i});
      }
      // Every checksum of every chunk (Store::Check's deep check), chunks
      // spread over the cores.
      found.resize(items.size());
      const pmem::Snapshot& pin = (*snap)->pool_snapshot();
      std::atomic<size_t> next{0};
      auto work = [&] {
        for (size_t k = next++; k < items.size(); k = next++) {
          const TableView& t = *items[k].table;
          const ChunkInfo& ci = t.chunks()[items[k].index];
          auto p = pin.Read(ci.offset, ci.length);
          if (!p.ok()) {
            found[k].push_back(p.status().message());
            continue;
          }
          DeepCheckChunk(ChunkPlace{t.name(), items[k].index, ci}, t.schema(), *p, &found[k]);
        }
      };
      size_t n = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
      std::vector<std::thread> threads;
      for (size_t i = 1; i < n && i < items.size(); ++i) threads.emplace_back(work);
      work();
      for (auto& th : threads) th.join();
    }
  }
  // The structures: pool, meta slots, free list, catalog, every extent.
  StoreCheck c = Store::Check(path, /*deep=*/false);
  for (const auto& i : c.pool.issues) r.problems.push_back(i.where + ": " + i.problem);
  for (const auto& p : c.problems) r.problems.push_back(p);
  for (auto& f : found) {
    for (auto& p : f) r.problems.push_back(std::move(p));
  }
  if (r.open_failed && r.problems.empty()) r.problems.push_back(path + " could not be opened");
  return r;
}

Result<BackupResult> BackupToFile(Store& src, const std::string& dst,
                                  const BackupOptions& options) {
  if (Exists(dst)) return Status::AlreadyExists("backup target " + dst + " already exists");
  const std::string tmp = dst + ".tmp";
  BackupResult result;
  Status s;
  if (options.compact) {
    QUIVER_ASSIGN_OR_RETURN(auto snap, src.GetSnapshot());
    unlink((tmp + ".lock").c_str());
    result.txn = snap->txn();
    for (const TableView& t : snap->tables()) result.bytes += t.bytes();
    s = WriteCompact(*snap, src.path(), tmp, options,
                     [&] { return VerifyTemp(tmp, dst, &result.verify); });
  } else {
    QUIVER_ASSIGN_OR_RETURN(auto image, pmem::PoolImage::Capture(src.pool()));
    unlink((tmp + ".lock").c_str());
    result.txn = image->txn();
    result.bytes = image->bytes();
    s = pmem::WritePoolFile(*image, tmp, options.progress,
                            [&] { return VerifyTemp(tmp, dst, &result.verify); });
  }
  QUIVER_RETURN_NOT_OK(Publish(s, tmp, dst));
  return result;
}

Result<BackupResult> BackupToStream(Store& src, const pmem::ByteSink& sink,
                                    const BackupOptions& options) {
  if (options.compact) {
    return Status::NotSupported("a compacted backup is written to a file, not streamed");
  }
  QUIVER_ASSIGN_OR_RETURN(auto image, pmem::PoolImage::Capture(src.pool()));
  BackupResult result;
  result.txn = image->txn();
  result.bytes = image->bytes();
  QUIVER_RETURN_NOT_OK(pmem::WriteStream(*image, sink, options.progress));
  return result;
}

Result<BackupResult> RestoreFromStream(const pmem::ByteSource& source, const std::string& dst,
                                       const pmem::ProgressFn& progress) {
  if (Exists(dst)) return Status::AlreadyExists("restore target " + dst + " already exists");
  const std::string tmp = dst + ".tmp";
  unlink((tmp + ".lock").c_str());
  QUIVER_ASSIGN_OR_RETURN(pmem::RestoreResult r, pmem::RestoreStream(source, tmp, progress));
  BackupResult result;
  result.txn = r.txn;
  result.bytes = r.bytes;
  QUIVER_RETURN_NOT_OK(Publish(VerifyTemp(tmp, dst, &result.verify), tmp, dst));
  return result;
}

}  // namespace quiver::store
