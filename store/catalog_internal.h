// Private to store/: the catalog (store/fbs/catalog.fbs) in its mutable form,
// its encoding and decoding, and the transaction steps that read and publish
// it.
//
// Thread-safety: plain values and free functions; a CatalogState belongs to
// the one transaction (or snapshot build) that decoded it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/status.h"
#include "pmem/pool.h"
#include "store/store.h"

namespace quiver::store {

// The mutable form of one table while a transaction changes the catalog.
struct TableState {
  uint64_t id = 0;
  std::string name;
  std::string schema_fb;  // Arrow Schema flatbuffer
  std::shared_ptr<const Schema> schema;
  std::vector<ChunkInfo> chunks;
  std::vector<CommitKey> commit_keys;  // oldest first, at most kMaxCommitKeys
  uint64_t created_ns = 0, modified_ns = 0, created_txn = 0, modified_txn = 0;
  int64_t rows() const {
    int64_t n = 0;
    for (const auto& c : chunks) n += c.rows;
    return n;
  }
};

struct CatalogState {
  bool checksummed = false;  // decoded from a blob with a checksum header
  uint64_t next_table_id = 1;
  std::map<std::string, TableState> tables;  // by name
};

// NotFound for an unknown table, naming the tables that exist (sorted).
Status UnknownTable(const std::string& name, const std::vector<std::string>& existing);
Status UnknownTable(const std::string& name, const CatalogState& catalog);

// Verifies (checksum, flatbuffer) and decodes a root blob found at pool
// offset `offset` (empty: an empty catalog).
Result<CatalogState> DecodeCatalog(const uint8_t* blob, uint64_t length, uint64_t offset);
// Corruption when two chunks of the catalog (in any tables), or a chunk and
// the catalog's own blob [root_offset, +root_length), share a pool page:
// every chunk lies in extents of its own, which are freed with it.
Status CheckChunkExtents(const CatalogState& catalog, uint64_t root_offset, uint64_t root_length);
// The root blob: checksum header and flatbuffer (without `checksums`, the
// flatbuffer alone, as written before checksums: for tests of old pools).
std::string EncodeCatalog(const CatalogState& catalog, bool checksums = true);

// The catalog as of the state `txn` started from.
Result<CatalogState> LoadCatalog(const pmem::Transaction& txn);
// Writes the catalog into a new extent of `txn`, frees the old one and
// commits. Returns the committed txn id.
Result<uint64_t> CommitCatalog(pmem::Transaction& txn, const CatalogState& catalog,
                               pmem::Durability durability, bool checksums = true);

// Same field names and types, in order (nullability and metadata aside).
bool SameLayout(const Schema& a, const Schema& b);
std::string SchemaText(const Schema& s);

// Encodes `batch` as a chunk into a new extent of `txn` and describes it
// (offset, length, rows, statistics). Used by appends and compaction.
// Without `checksums` the chunk records none (tests of old pools).
Result<ChunkInfo> WriteChunk(pmem::Transaction& txn, const RecordBatch& batch,
                             bool checksums = true);

}  // namespace quiver::store
