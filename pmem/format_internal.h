// Private to pmem/: reading, validating and encoding the on-disk structures
// of pmem/layout.h (superblock, meta slots, free lists). Pure functions over
// bytes; no file effects (those go through the Device).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/status.h"
#include "pmem/layout.h"

namespace quiver::pmem {

inline uint64_t RoundUpPage(uint64_t n) { return (n + kPageSize - 1) & ~(kPageSize - 1); }
std::string Hex(uint64_t v);
// "[off, end)" for messages.
std::string Range(uint64_t off, uint64_t len);

// A free run in the writer's in-memory allocator, keyed by offset.
struct FreeRun {
  uint64_t length;
  uint64_t freed_txn;  // 0 = reusable whatever readers pin
};
using FreeMap = std::map<uint64_t, FreeRun>;

// Inserts a run; runs reusable now (freed_txn 0) merge with their neighbours.
void InsertFree(FreeMap& free, uint64_t off, uint64_t len, uint64_t freed_txn);

uint32_t SuperblockCrc(const Superblock& sb);
uint32_t MetaCrc(const MetaSlot& m);

// A new superblock with a random UUID, and the meta slot of txn 1 for it.
Superblock NewSuperblock(uint64_t capacity, uint64_t now_ns);
MetaSlot FirstMeta(const Superblock& sb);

Status ValidateSuperblock(const Superblock& sb, const std::string& path);

// Reads both meta slots from `base` and returns the index of the current one:
// the valid slot with the highest txn_id not above `max_txn` (the txn the
// writer last acknowledged; a slot above it is a commit in flight or one
// whose persist failed). Corruption names both slots' problems when neither
// is valid.
Result<int> PickMeta(const uint8_t* base, const Superblock& sb, MetaSlot out[2],
                     std::string problems[2], uint64_t max_txn = UINT64_MAX);

// Structural checks of a meta slot against the file; "" if fine.
std::string MetaBoundsProblem(const MetaSlot& m, uint64_t file_size);

// Decodes and verifies the free list of `m`, the meta slot at index `slot`:
// inline after the slot (its CRC checked by PickMeta) or in its own extent.
Result<std::vector<FreeEntry>> LoadFreeList(const uint8_t* base, const MetaSlot& m, int slot);

// Bytes of an out-of-line free list of `runs` entries (with slack).
uint64_t FreeListBytes(size_t runs);
// Writes `free` as an out-of-line free list (header + entries) at `p`.
void EncodeFreeList(const FreeMap& free, uint8_t* p);

// An opened pool file whose superblock passed validation.
struct OpenedFile {
  int fd = -1;
  uint64_t size = 0;
  Superblock sb{};
};
Result<OpenedFile> OpenPoolFile(const std::string& path, bool writable);

}  // namespace quiver::pmem
