// The pool file format, version 1. Every structure that lies in the pool is
// declared here, little-endian, with its size and field offsets fixed by
// static_asserts. README.md ("Pool format") describes the protocol in prose.
//
//   [0, 4K)       Superblock: identity of the pool, written once at create.
//   [4K, 8K)      meta slot 0 } the current state is the valid slot with the
//   [8K, 12K)     meta slot 1 } highest txn_id (LMDB's two-meta scheme);
//                               a short free list follows the slot inline
//   [12K, ...)    extents: page-aligned, page-multiple byte ranges
//
// The invariants that every part of Quiver keeps true (cited by number in
// comments elsewhere):
//   1. Nothing in the pool stores a pointer: every reference is a byte offset
//      from the start of the file, so any process can map it anywhere.
//   2. Published bytes are immutable. A commit writes new extents, persists
//      them, then writes the meta slot that does not hold the newest durable
//      state; a crash leaves the old state or the new one, never a mix, and a
//      torn slot fails its checksum.
//   3. An extent freed by txn T is reused only when no reader pins a txn
//      older than T and a durable commit has made T's freeing durable.
//   4. One writer at a time (OFD locks on the pool file and on its reader
//      table); readers never block the writer, nor the writer readers.
//   5. A write is acknowledged only after it is persisted (a relaxed commit:
//      its extents), and a failed persist is never acknowledged.
#pragma once

#include <cstddef>
#include <cstdint>

namespace quiver::pmem {

constexpr uint64_t kPageSize = 4096;
constexpr uint32_t kFormatVersion = 1;
constexpr char kSuperblockMagic[8] = {'Q', 'V', 'R', 'P', 'O', 'O', 'L', '1'};
constexpr uint64_t kMetaMagic = 0x3154454D52565155ull;       // "QUVRMET1"
constexpr uint64_t kFreeListMagic = 0x31455246'52565155ull;  // "QUVRFRE1"
constexpr uint64_t kMetaOffset[2] = {kPageSize, 2 * kPageSize};
constexpr uint64_t kDataStart = 3 * kPageSize;
constexpr uint64_t kMinCapacity = 1ull << 20;  // 1 MiB

struct Superblock {
  char magic[8];            // kSuperblockMagic
  uint32_t format_version;  // kFormatVersion
  uint32_t page_size;       // kPageSize
  uint8_t uuid[16];         // random identity of this pool
  uint64_t initial_capacity;
  uint64_t create_time_ns;  // CLOCK_REALTIME at create
  uint64_t meta_offset[2];
  uint64_t data_start;
  uint8_t reserved[48];
  uint32_t pad;
  uint32_t checksum;  // CRC-32 of the bytes before this field
};
static_assert(sizeof(Superblock) == 128);
static_assert(offsetof(Superblock, format_version) == 8);
static_assert(offsetof(Superblock, uuid) == 16);
static_assert(offsetof(Superblock, checksum) == 124);

// One committed state. Written only into the slot that does not hold the
// current state, after everything it references is persisted.
struct MetaSlot {
  uint64_t magic;        // kMetaMagic
  uint64_t txn_id;       // 1 for the empty pool made by create
  uint64_t capacity;     // pool size in bytes for this state (grows)
  uint64_t high_water;   // end of the highest extent ever allocated
  uint64_t root_offset;  // the root blob of the layer above (0 = none)
  uint64_t root_length;
  uint64_t freelist_offset;  // FreeListHeader + entries (0 = empty list)
  uint64_t freelist_length;
  uint64_t commit_time_ns;
  uint8_t uuid[16];  // copy of the superblock's, ties slot to pool
  // A short free list lies inline in the slot's page, right after the slot
  // (kInlineFreeEntries at most), so one persist publishes both. Then
  // freelist_offset/length are 0 and these say how many entries and their
  // CRC-32; a torn page fails that CRC and the slot is not valid.
  uint32_t inline_free_count;
  uint32_t inline_free_crc;
  uint8_t reserved[24];
  uint32_t pad;
  uint32_t checksum;  // CRC-32 of the bytes before this field
};
static_assert(sizeof(MetaSlot) == 128);
static_assert(offsetof(MetaSlot, txn_id) == 8);
static_assert(offsetof(MetaSlot, root_offset) == 32);
static_assert(offsetof(MetaSlot, uuid) == 72);
static_assert(offsetof(MetaSlot, inline_free_count) == 88);
static_assert(offsetof(MetaSlot, checksum) == 124);

// A free extent. freed_txn is the transaction that freed it: the extent may
// be reused only once no reader pins a txn older than freed_txn
// (invariant 3). 0 means reusable whatever readers pin.
struct FreeEntry {
  uint64_t offset;
  uint64_t length;
  uint64_t freed_txn;
};
static_assert(sizeof(FreeEntry) == 24);
constexpr uint64_t kInlineFreeEntries = (kPageSize - sizeof(MetaSlot)) / sizeof(FreeEntry);
static_assert(kInlineFreeEntries == 165);

struct FreeListHeader {
  uint64_t magic;  // kFreeListMagic
  uint64_t count;
  uint32_t checksum;  // CRC-32 of the entries
  uint32_t pad;
  uint64_t reserved;
};
static_assert(sizeof(FreeListHeader) == 32);

// ---------------------------------------------------------------------------
// The reader table: a separate file "<pool>.lock" beside the pool (LMDB's
// lock file). Not part of the durable state: it is rebuilt when damaged.
// Each slot is owned by whoever holds an OFD write lock on its bytes; a slot
// whose lock is free is dead, whatever it says (the kernel drops the locks of
// a process that dies).
// ---------------------------------------------------------------------------
constexpr uint64_t kLockMagic = 0x314B434C52565155ull;  // "QUVRLCK1"
constexpr uint32_t kReaderSlots = 1023;

struct LockHeader {
  uint64_t magic;
  uint8_t uuid[16];     // the pool's
  uint32_t writer_pid;  // pid of the process holding the writer lock
  uint32_t slots;       // kReaderSlots
  // The newest txn the writer acknowledged (0 = unknown). A meta slot above
  // it is a commit in flight, or one whose persist failed: readers never pin
  // it. Kept here, not in the pool, because only live processes need it.
  uint64_t acked_txn;
  uint8_t reserved[24];
};
static_assert(sizeof(LockHeader) == 64);
static_assert(offsetof(LockHeader, acked_txn) == 32);

struct ReaderSlot {
  uint64_t txn_id;  // pinned txn; 0 = none
  uint32_t pid;
  uint32_t pad;
  uint64_t pin_time_ns;  // CLOCK_REALTIME when pinned
  uint8_t reserved[40];
};
static_assert(sizeof(ReaderSlot) == 64);

constexpr uint64_t kLockFileSize = sizeof(LockHeader) + uint64_t(kReaderSlots) * sizeof(ReaderSlot);

}  // namespace quiver::pmem
