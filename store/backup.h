// Online backup, restore and verification of a store's pool (issue 19).
//
// A backup pins one state as a reader (the writer keeps committing, readers
// keep reading) and writes exactly that state:
//  - plain: the pool file's live bytes at that txn (pmem/backup.h), holes
//    left for free space, so a sparse 1 TiB pool copies only its data;
//  - compact: a new pool (fresh UUID, txn 1) holding only the live tables,
//    their chunks copied byte for byte one after the other and a catalog
//    re-encoded by the store to point at them (like `mdb_copy -c`): no free
//    list, no gaps. Chunk checksums are over chunk bytes, so they carry over.
// A file backup is written to "DST.tmp", made durable, verified (VerifyPool:
// every structure and every checksum; run while the fsync is waited for)
// and only then renamed to DST; a failed or interrupted backup leaves no
// DST. A stale "DST.tmp" (a backup that was killed) is replaced by the next
// backup or restore to DST; its superblock is written last, so one killed
// while copying does not open as a pool.
// A streamed backup (pmem/backup.h's format) is restored by
// RestoreFromStream under the same rules.
//
// Thread-safety: free functions; `src` may be used by other threads (and
// its pool by other processes) meanwhile.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/status.h"
#include "pmem/backup.h"
#include "store/store.h"

namespace quiver::store {

// What VerifyPool found.
struct VerifyReport {
  uint64_t txn = 0;
  int tables = 0;
  int64_t chunks = 0;
  uint64_t bytes = 0;                 // chunk bytes verified
  std::vector<std::string> problems;  // every structure or checksum that failed
  bool open_failed = false;           // the pool could not be opened at all
  bool ok() const { return problems.empty(); }
  // One line: "ok: 12 tables, 3,456 chunks, 12.3 GiB verified (txn 42)" or
  // "FAILED: 2 errors: <first problem>; <second> ...".
  std::string Summary() const;
};

// Checks every structure (pool, meta slots, free list, catalog, extents) and
// every checksum of every column of every chunk of every table.
VerifyReport VerifyPool(const std::string& path);

struct BackupOptions {
  bool compact = false;
  pmem::ProgressFn progress;  // bytes copied of total; may be empty
};

struct BackupResult {
  uint64_t txn = 0;     // the txn whose state the backup holds
  uint64_t bytes = 0;   // pool bytes copied
  VerifyReport verify;  // of the written file (empty for a stream)
};

// Backs up the latest state of `src` into a new pool file `dst`.
// AlreadyExists when `dst` exists; DataLoss/Corruption (naming the damage)
// when the copy fails verification, in which case no `dst` is left.
Result<BackupResult> BackupToFile(Store& src, const std::string& dst, const BackupOptions& options);

// Streams the latest state of `src` (plain; compact is NotSupported) to
// `sink` in pmem/backup.h's stream format.
Result<BackupResult> BackupToStream(Store& src, const pmem::ByteSink& sink,
                                    const BackupOptions& options);

// Rebuilds a pool file `dst` from a stream, verifies it and renames it into
// place. AlreadyExists when `dst` exists; Corruption for a damaged stream.
Result<BackupResult> RestoreFromStream(const pmem::ByteSource& source, const std::string& dst,
                                       const pmem::ProgressFn& progress);

}  // namespace quiver::store
