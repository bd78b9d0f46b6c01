// Online backup of a pool at the byte level (issue 19): the bytes of one
// pinned state, copied while the writer keeps committing, into a sparse pool
// file or a framed stream, and a stream back into a pool file.
//
// A PoolImage pins one txn as a reader (Pool::Pin). Invariant 3 then keeps
// every extent that txn references from being reused, so those bytes stay
// as they were until the image is destroyed. The meta slot of the txn is
// the exception: the writer rewrites that slot two commits later, so
// Capture copies the slot's page at once and validates the copy (CRC),
// pinning again if the slot was already rewritten.
//
// The copy holds: the superblock, the captured meta slot (at its slot index,
// the other slot empty) and every byte of [kDataStart, high_water) that the
// state's free list does not list as free — the catalog, the chunks and the
// free list blob. Free space is never read nor written: it stays a hole.
//
// Files are written under the caller's temporary name with their first
// kDataStart bytes (superblock and meta slots) written last: a copy killed
// before its last byte has no superblock and never opens as a pool (after a
// power loss the order is not guaranteed: a temporary is never trusted, it
// is only ever renamed after it was made durable and verified). The caller
// verifies and renames (store/backup.h).
//
// Stream format (little-endian), "the pool bytes with the holes elided":
//   header   64 bytes: magic "QVRBAK01", u32 version (1), u32 header size
//            (64), u64 capacity (the pool file's size), u64 txn, u64 bytes
//            (sum of the record lengths), u8 uuid[16], 8 reserved bytes
//   records  u64 offset, u64 length, then `length` bytes of the pool file at
//            `offset`; offsets ascending, ranges disjoint, inside capacity
//   end      u64 0xFFFFFFFFFFFFFFFF, u64 0
//   trailer  u32 CRC-32 (zlib) of every byte before the trailer, u32 0
//
// Thread-safety: a PoolImage may be read from several threads; each call
// below uses its own file descriptors. Ownership: the image holds the pin
// and the mapping its pointers point into.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/status.h"
#include "pmem/pool.h"

namespace quiver::pmem {

// Called as bytes are copied: done so far, of total.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;
// Receives a stream's bytes in order.
using ByteSink = std::function<Status(const uint8_t* data, size_t size)>;
// Fills up to `size` bytes; returns how many, 0 at the end of the input.
using ByteSource = std::function<Result<size_t>(uint8_t* data, size_t size)>;

class PoolImage {
 public:
  // Pins the latest state of `pool` (a reader or the writer's own pool).
  static Result<std::unique_ptr<PoolImage>> Capture(Pool& pool);
  ~PoolImage();
  PoolImage(const PoolImage&) = delete;
  PoolImage& operator=(const PoolImage&) = delete;

  uint64_t txn() const;
  // The size of a copy's file (the state's capacity).
  uint64_t capacity() const;
  // Sorted, disjoint byte ranges of the file that hold the state; the first
  // is [0, kDataStart).
  const std::vector<Extent>& ranges() const;
  uint64_t bytes() const;  // sum of ranges()
  const Snapshot& snapshot() const;
  // The bytes at `offset` (inside one of ranges()).
  const uint8_t* Data(uint64_t offset) const;

 private:
  struct Impl;
  friend Status WritePoolFile(const PoolImage&, const std::string&, const ProgressFn&,
                              const std::function<Status()>&);
  explicit PoolImage(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes `image` as a pool file at `path` (created, or truncated when it is a
// stale temporary: an OFD lock on it refuses a second writer with Locked),
// sparse, and makes it durable (fsync). With `verify`, runs it once the last
// byte is written, while another thread waits for the fsync, and returns its
// error. Does not rename the file.
Status WritePoolFile(const PoolImage& image, const std::string& path, const ProgressFn& progress,
                     const std::function<Status()>& verify = nullptr);

// Writes a compacted copy of a pinned state as a new pool file (like
// `mdb_copy -c`): the caller adds the extents it keeps, which land one after
// the other from the start of the data area, then finishes with the new root
// blob (written after them) that references their new offsets. The new pool
// has a fresh UUID and one state, txn 1, with no free list. Same file rules
// as WritePoolFile (temporary name, lock, head written last, durable at
// Finish, `verify` run while the fsync is waited for).
class CompactWriter {
 public:
  // `pin` and the pool file `src_path` are where extents are read; the new
  // pool's capacity is at least `capacity`.
  static Result<std::unique_ptr<CompactWriter>> Create(const std::string& path, uint64_t capacity,
                                                       const Snapshot& pin,
                                                       const std::string& src_path);
  ~CompactWriter();
  CompactWriter(const CompactWriter&) = delete;
  CompactWriter& operator=(const CompactWriter&) = delete;

  // Copies [offset, offset+length) of the pinned state; returns its offset
  // in the new pool.
  Result<uint64_t> Add(uint64_t offset, uint64_t length);
  // Writes `root` as the root blob, the meta slot and the superblock; makes
  // the file durable.
  Status Finish(const std::string& root, const std::function<Status()>& verify = nullptr);

 private:
  struct Impl;
  explicit CompactWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes `image` in the stream format to `sink`.
Status WriteStream(const PoolImage& image, const ByteSink& sink, const ProgressFn& progress);

struct RestoreResult {
  uint64_t txn = 0;
  uint64_t bytes = 0;  // pool bytes written
};
// Reads a stream from `source` into a new sparse pool file at `path` (same
// rules as WritePoolFile), verifying its framing and CRC: Corruption names
// what is wrong (a truncated stream, a bad record, a CRC mismatch). Durable
// when it returns OK; on error the file is removed.
Result<RestoreResult> RestoreStream(const ByteSource& source, const std::string& path,
                                    const ProgressFn& progress);

// Renames `tmp` to `dst`, refusing to replace an existing `dst`
// (AlreadyExists), and makes the rename durable (fsync of the directory).
Status PublishFile(const std::string& tmp, const std::string& dst);

}  // namespace quiver::pmem
