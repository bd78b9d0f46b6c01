#include <xxhash.h>
#if defined(__x86_64__)
// libxxhash's run-time dispatch to its SSE2/AVX2/AVX-512 kernels (the same
// hash values, about twice as fast on AVX2 machines as the default SSE2).
#include <xxh_x86dispatch.h>
#endif

#include <cstring>

#include "store/checksum_internal.h"

namespace quiver::store {

namespace {

constexpr char kCatalogMagic[4] = {'Q', 'V', 'K', '1'};

// What buffer k of a column of type `t` holds (its dictionary's follow).
std::string BufferName(const DataType& t, size_t k) {
  static const char* kFixed[] = {"validity", "values"};
  static const char* kIndices[] = {"validity", "indices"};
  static const char* kVar[] = {"validity", "offsets", "data"};
  if (t.is_dictionary()) {
    if (k < 2) return kIndices[k];
    return k - 2 < 3 ? std::string("dictionary ") + kVar[k - 2] : "buffer " + std::to_string(k);
  }
  if (IsVarLength(t.id)) return k < 3 ? kVar[k] : "buffer " + std::to_string(k);
  return k < 2 ? kFixed[k] : "buffer " + std::to_string(k);
}

}  // namespace

uint64_t Checksum(const uint8_t* data, size_t size) { return XXH3_64bits(data, size); }

std::string SealCatalog(const std::string& flatbuffer) {
  std::string out(kCatalogHeaderSize, '\0');
  std::memcpy(out.data(), kCatalogMagic, 4);
  uint64_t sum = Checksum(reinterpret_cast<const uint8_t*>(flatbuffer.data()), flatbuffer.size());
  std::memcpy(out.data() + 8, &sum, 8);
  return out + flatbuffer;
}

Result<std::pair<const uint8_t*, uint64_t>> UnsealCatalog(const uint8_t* blob, uint64_t length,
                                                          uint64_t offset, bool* checksummed) {
  // A catalog from before checksums starts with its flatbuffer's root
  // offset, a small number; "QVK1" read as one would exceed any catalog.
  *checksummed = length >= kCatalogHeaderSize && std::memcmp(blob, kCatalogMagic, 4) == 0;
  if (!*checksummed) return std::make_pair(blob, length);
  uint64_t want;
  std::memcpy(&want, blob + 8, 8);
  const uint8_t* fb = blob + kCatalogHeaderSize;
  uint64_t n = length - kCatalogHeaderSize;
  if (Checksum(fb, size_t(n)) != want) {
    return Status::DataLoss("the catalog at file offset " + std::to_string(offset) + " (" +
                            std::to_string(length) + " bytes) fails its checksum");
  }
  return std::make_pair(fb, n);
}

void ComputeChecksums(const ChunkReader& reader, const uint8_t* data, size_t columns, ChunkInfo* ci) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  for (const ByteRange& r : reader.metadata_ranges()) {
    XXH3_64bits_update(state, data + r.offset, size_t(r.length));
  }
  ci->metadata_checksum = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  ci->checksums.clear();
  for (size_t c = 0; c < columns; ++c) {
    std::vector<uint64_t> sums;
    for (const ByteRange& r : reader.column_ranges(c)) {
      sums.push_back(Checksum(data + r.offset, size_t(r.length)));
    }
    ci->checksums.push_back(std::move(sums));
  }
  ci->checksummed = true;
}

std::string ChunkPlace::Describe() const {
  return "table \"" + table + "\", chunk " + std::to_string(index);
}

Status VerifyMetadata(const ChunkReader& reader, const uint8_t* data, const ChunkPlace& place) {
  if (!place.info.checksummed) return Status::OK();
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  for (const ByteRange& r : reader.metadata_ranges()) {
    XXH3_64bits_update(state, data + r.offset, size_t(r.length));
  }
  uint64_t got = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  if (got == place.info.metadata_checksum) return Status::OK();
  return Status::DataLoss(place.Describe() + ": the chunk's message metadata at file offset " +
                          std::to_string(place.info.offset) + " fails its checksum");
}

Status VerifyColumn(const ChunkReader& reader, const uint8_t* data, const ChunkPlace& place,
                    const Schema& schema, size_t col, std::vector<std::string>* problems) {
  if (!place.info.checksummed) return Status::OK();
  const Field& f = schema.field(col);
  const std::string where = place.Describe() + ", column \"" + f.name + "\"";
  const auto& ranges = reader.column_ranges(col);
  if (col >= place.info.checksums.size() || place.info.checksums[col].size() != ranges.size()) {
    Status s = Status::Corruption(
        where + ": the catalog records " +
        std::to_string(col < place.info.checksums.size() ? place.info.checksums[col].size() : 0) +
        " buffer checksums, the chunk has " + std::to_string(ranges.size()) + " buffers");
    if (problems) problems->push_back(s.message());
    return s;
  }
  Status first;
  for (size_t k = 0; k < ranges.size(); ++k) {
    const ByteRange& r = ranges[k];
    if (Checksum(data + r.offset, size_t(r.length)) == place.info.checksums[col][k]) continue;
    Status s =
        Status::DataLoss(where + ": the " + BufferName(f.type, k) + " buffer at file offset " +
                         std::to_string(place.info.offset + uint64_t(r.offset)) + " (" +
                         std::to_string(r.length) + " bytes) fails its checksum");
    if (problems == nullptr) return s;
    problems->push_back(s.message());
    if (first.ok()) first = s;
  }
  return first;
}

void DeepCheckChunk(const ChunkPlace& place, const std::shared_ptr<const Schema>& schema,
                    const uint8_t* data, std::vector<std::string>* problems) {
  const ChunkInfo& ci = place.info;
  const std::string where = place.Describe() + " at pool offset " + std::to_string(ci.offset);
  auto reader = ChunkReader::Open(schema, data, int64_t(ci.length));
  if (!reader.ok()) {
    problems->push_back(where + ": " + reader.status().message() +
                        (ci.checksummed ? " (damaged: it parsed when written)" : ""));
    return;
  }
  Status meta = VerifyMetadata(*reader, data, place);
  if (!meta.ok()) problems->push_back(meta.message());
  if (reader->num_rows() != ci.rows) {
    problems->push_back(where + " holds " + std::to_string(reader->num_rows()) +
                        " rows, the catalog says " + std::to_string(ci.rows));
  }
  // The bytes outlive this function; columns borrow them rather than copy.
  auto borrowed = std::make_shared<int>(0);
  for (size_t c = 0; c < schema->num_fields(); ++c) {
    if (!VerifyColumn(*reader, data, place, *schema, c, problems).ok()) continue;
    auto col = reader->Column(c, borrowed);
    if (!col.ok()) problems->push_back(col.status().WithContext(where).message());
  }
}

}  // namespace quiver::store
