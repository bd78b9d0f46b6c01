// Private to store/: checksums of stored data.
//
// Quiver checksums with XXH3-64 (libxxhash): tens of GB/s on one core, so
// verifying what a query reads costs little next to reading it, where
// CRC-32C (zlib has only CRC-32) is several times slower without hand-written
// SSE4.2 code. Two things carry checksums, both recorded in the catalog:
//  - every chunk: one checksum per column buffer (ChunkInfo::checksums) and
//    one over the messages' prefixes and metadata, so a query verifies only
//    the columns it reads;
//  - the catalog itself: a 16-byte header of the root blob ("QVK1", four
//    zero bytes, the XXH3-64 of the flatbuffer that follows). A root blob
//    without the header is a catalog written before checksums.
// A mismatch is Status::DataLoss naming where the damaged bytes are.
//
// Thread-safety: free functions over caller-owned bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "columnar/ipc.h"
#include "config/status.h"
#include "store/store.h"

namespace quiver::store {

uint64_t Checksum(const uint8_t* data, size_t size);

constexpr size_t kCatalogHeaderSize = 16;
// Header + flatbuffer: what becomes the pool's root blob.
std::string SealCatalog(const std::string& flatbuffer);
// The flatbuffer inside a root blob at pool offset `offset`, verified when
// the blob has a header (*checksummed says whether it had).
Result<std::pair<const uint8_t*, uint64_t>> UnsealCatalog(const uint8_t* blob, uint64_t length,
                                                          uint64_t offset, bool* checksummed);

// Computes ci->metadata_checksum and ci->checksums (for `columns` columns)
// for the chunk bytes `data` that `reader` has parsed, and sets
// ci->checksummed. Touches no other field of *ci.
void ComputeChecksums(const ChunkReader& reader, const uint8_t* data, size_t columns, ChunkInfo* ci);

// Where a chunk lies, for messages: `table "t", chunk 3`.
struct ChunkPlace {
  const std::string& table;
  size_t index;
  const ChunkInfo& info;
  std::string Describe() const;
};

// Verifies the chunk's metadata checksum (OK when it carries none).
Status VerifyMetadata(const ChunkReader& reader, const uint8_t* data, const ChunkPlace& place);
// Verifies column `col`'s buffers (OK when the chunk carries no
// checksums). With `all` every damaged buffer is reported in *problems and
// the first one returned; otherwise it stops at the first.
Status VerifyColumn(const ChunkReader& reader, const uint8_t* data, const ChunkPlace& place,
                    const Schema& schema, size_t col, std::vector<std::string>* problems = nullptr);

// Pool check --deep of one chunk (bytes `data`): reports in *problems every
// buffer that fails its checksum (with its file offset) and every column
// that fails validation.
void DeepCheckChunk(const ChunkPlace& place, const std::shared_ptr<const Schema>& schema,
                    const uint8_t* data, std::vector<std::string>* problems);

}  // namespace quiver::store
