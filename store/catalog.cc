#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cstring>

#include "columnar/ipc.h"
#include "columnar/schema.h"
#include "columnar/stats.h"
#include "pmem/layout.h"
#include "store/catalog_internal.h"
#include "store/checksum_internal.h"
#include "store/exec_internal.h"
#include "store/fbs/catalog_generated.h"

namespace quiver::store {

Status UnknownTable(const std::string& name, const std::vector<std::string>& existing) {
  std::string list;
  for (const auto& t : existing) list += (list.empty() ? "" : ", ") + t;
  return Status::NotFound(
      "unknown table \"" + name + "\"; " +
      (list.empty() ? std::string("the pool has no tables") : "tables: " + list));
}

Status UnknownTable(const std::string& name, const CatalogState& catalog) {
  std::vector<std::string> names;
  for (const auto& [n, t] : catalog.tables) names.push_back(n);
  return UnknownTable(name, names);
}

Result<CatalogState> DecodeCatalog(const uint8_t* blob, uint64_t blob_length, uint64_t offset) {
  CatalogState c;
  if (blob_length == 0) return c;
  bool checksummed = false;
  QUIVER_ASSIGN_OR_RETURN(auto fb_bytes, UnsealCatalog(blob, blob_length, offset, &checksummed));
  c.checksummed = checksummed;
  const uint8_t* data = fb_bytes.first;
  const uint64_t length = fb_bytes.second;
  flatbuffers::Verifier verifier(data, size_t(length));
  if (!fb::CatalogBufferHasIdentifier(data) || !fb::VerifyCatalogBuffer(verifier)) {
    return Status::Corruption("the catalog (" + std::to_string(length) +
                              " bytes) fails flatbuffer verification");
  }
  const fb::Catalog* cat = fb::GetCatalog(data);
  if (cat->format_version() != 1) {
    return Status::NotSupported("catalog format version " + std::to_string(cat->format_version()) +
                                " is not supported (this build reads 1)");
  }
  c.next_table_id = cat->next_table_id();
  if (cat->tables() == nullptr) return c;
  for (const fb::TableEntry* t : *cat->tables()) {
    TableState s;
    s.id = t->id();
    s.name = t->name()->str();
    s.schema_fb.assign(reinterpret_cast<const char*>(t->schema()->data()), t->schema()->size());
    auto schema = SchemaFromFlatbuffer(reinterpret_cast<const uint8_t*>(s.schema_fb.data()),
                                       int64_t(s.schema_fb.size()));
    if (!schema.ok()) return schema.status().WithContext("catalog, table \"" + s.name + "\"");
    s.schema = *schema;
    s.created_ns = t->created_ns();
    s.modified_ns = t->modified_ns();
    s.created_txn = t->created_txn();
    s.modified_txn = t->modified_txn();
    if (t->commit_keys() != nullptr) {
      for (const fb::CommitKey* k : *t->commit_keys()) {
        s.commit_keys.push_back(CommitKey{k->key()->str(), k->txn(), k->rows()});
      }
    }
    if (t->chunks() != nullptr) {
      for (const fb::Chunk* ch : *t->chunks()) {
        ChunkInfo ci;
        ci.offset = ch->offset();
        ci.length = ch->length();
        ci.rows = ch->rows();
        ci.created_txn = ch->created_txn();
        if (ci.rows < 0) {
          return Status::Corruption("catalog, table \"" + s.name + "\": chunk at offset " +
                                    std::to_string(ci.offset) + " has a negative row count");
        }
        if (ch->stats() != nullptr) {
          for (const fb::ColumnStatsBytes* sb : *ch->stats()) {
            std::string_view bytes;
            if (sb->bytes() != nullptr) {
              bytes = {reinterpret_cast<const char*>(sb->bytes()->data()), sb->bytes()->size()};
            }
            auto st = ColumnStats::Deserialize(bytes);
            if (!st.ok()) {
              return st.status().WithContext("catalog, table \"" + s.name +
                                             "\", statistics of the chunk at offset " +
                                             std::to_string(ci.offset));
            }
            ci.stats.push_back(std::move(*st));
          }
        }
        if (ch->checksums() != nullptr) {
          ci.checksummed = true;
          ci.metadata_checksum = ch->metadata_checksum();
          for (const fb::ColumnChecksums* cc : *ch->checksums()) {
            std::vector<uint64_t> sums;
            if (cc->buffers() != nullptr) sums.assign(cc->buffers()->begin(), cc->buffers()->end());
            ci.checksums.push_back(std::move(sums));
          }
        }
        if (ci.stats.size() != s.schema->num_fields()) {
          return Status::Corruption("catalog, table \"" + s.name + "\": chunk at offset " +
                                    std::to_string(ci.offset) + " has statistics for " +
                                    std::to_string(ci.stats.size()) + " columns, the schema has " +
                                    std::to_string(s.schema->num_fields()));
        }
        s.chunks.push_back(std::move(ci));
      }
    }
    std::string name = s.name;
    c.tables.emplace(std::move(name), std::move(s));
  }
  QUIVER_RETURN_NOT_OK(CheckChunkExtents(c, offset, blob_length));
  return c;
}

Status CheckChunkExtents(const CatalogState& c, uint64_t root_offset, uint64_t root_length) {
  // Whole pages, as the pool allocates and frees them: freeing one chunk
  // frees every page it touches.
  auto pages = [](uint64_t off, uint64_t len) {
    uint64_t end = off + len;
    if (end < off) return UINT64_MAX;
    uint64_t rounded = (end + pmem::kPageSize - 1) / pmem::kPageSize * pmem::kPageSize;
    return rounded < end ? UINT64_MAX : rounded;
  };
  struct Item {
    uint64_t begin, end;
    std::string what;
  };
  std::vector<Item> items;
  auto place = [](const std::string& table, size_t i, uint64_t off, uint64_t len) {
    return "table \"" + table + "\", chunk " + std::to_string(i) + " [" + std::to_string(off) +
           ", +" + std::to_string(len) + ")";
  };
  if (root_length != 0) {
    items.push_back({root_offset, pages(root_offset, root_length),
                     "the catalog [" + std::to_string(root_offset) + ", +" +
                         std::to_string(root_length) + ")"});
  }
  for (const auto& [name, t] : c.tables) {
    for (size_t i = 0; i < t.chunks.size(); ++i) {
      const ChunkInfo& ci = t.chunks[i];
      if (ci.length == 0) continue;
      items.push_back({ci.offset, pages(ci.offset, ci.length), ""});
      items.back().what = place(name, i, ci.offset, ci.length);
    }
  }
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < items.size(); ++i) {
    if (items[i].begin < items[i - 1].end) {
      return Status::Corruption("catalog: " + items[i - 1].what + " and " + items[i].what +
                                " share pool pages (every chunk has extents of its own)");
    }
  }
  return Status::OK();
}

std::string EncodeCatalog(const CatalogState& c, bool checksums) {
  flatbuffers::FlatBufferBuilder b(4096);
  std::vector<flatbuffers::Offset<fb::TableEntry>> tables;
  for (const auto& [name, t] : c.tables) {
    std::vector<flatbuffers::Offset<fb::Chunk>> chunks;
    for (const ChunkInfo& ci : t.chunks) {
      std::vector<flatbuffers::Offset<fb::ColumnStatsBytes>> stats;
      for (const ColumnStats& st : ci.stats) {
        std::string bytes = st.Serialize();
        stats.push_back(fb::CreateColumnStatsBytes(
            b, b.CreateVector(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
      }
      flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::ColumnChecksums>>> sums;
      if (ci.checksummed) {
        std::vector<flatbuffers::Offset<fb::ColumnChecksums>> cols;
        for (const auto& c : ci.checksums) {
          cols.push_back(fb::CreateColumnChecksums(b, b.CreateVector(c)));
        }
        sums = b.CreateVector(cols);
      }
      chunks.push_back(fb::CreateChunk(b, ci.offset, ci.length, ci.rows, ci.created_txn,
                                       b.CreateVector(stats), ci.metadata_checksum, sums));
    }
    auto name_off = b.CreateString(name);
    auto schema_off =
        b.CreateVector(reinterpret_cast<const uint8_t*>(t.schema_fb.data()), t.schema_fb.size());
    auto chunks_off = b.CreateVector(chunks);
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::CommitKey>>> keys_off;
    if (!t.commit_keys.empty()) {
      std::vector<flatbuffers::Offset<fb::CommitKey>> keys;
      for (const CommitKey& k : t.commit_keys) {
        keys.push_back(fb::CreateCommitKey(b, b.CreateString(k.key), k.txn, k.rows));
      }
      keys_off = b.CreateVector(keys);
    }
    tables.push_back(fb::CreateTableEntry(b, t.id, name_off, schema_off, chunks_off, t.rows(),
                                          t.created_ns, t.modified_ns, t.created_txn,
                                          t.modified_txn, keys_off));
  }
  auto cat = fb::CreateCatalog(b, 1, c.next_table_id, b.CreateVector(tables));
  fb::FinishCatalogBuffer(b, cat);
  std::string fb_bytes(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  return checksums ? SealCatalog(fb_bytes) : fb_bytes;
}

Result<uint64_t> CommitCatalog(pmem::Transaction& txn, const CatalogState& c,
                               pmem::Durability durability, bool checksums) {
  std::string bytes = EncodeCatalog(c, checksums);
  QUIVER_ASSIGN_OR_RETURN(pmem::Extent e, txn.Allocate(bytes.size()));
  std::memcpy(txn.Data(e), bytes.data(), bytes.size());
  pmem::Extent old = txn.base_root();
  if (!old.empty()) QUIVER_RETURN_NOT_OK(txn.Free(old));
  uint64_t id = txn.txn_id();
  QUIVER_RETURN_NOT_OK(txn.Commit({e.offset, bytes.size()}, durability));
  return id;
}

Result<CatalogState> LoadCatalog(const pmem::Transaction& txn) {
  pmem::Extent root = txn.base_root();
  if (root.empty()) return CatalogState{};
  QUIVER_ASSIGN_OR_RETURN(const uint8_t* p, txn.Read(root.offset, root.length));
  return DecodeCatalog(p, root.length, root.offset);
}

bool SameLayout(const Schema& a, const Schema& b) {
  if (a.num_fields() != b.num_fields()) return false;
  for (size_t i = 0; i < a.num_fields(); ++i) {
    if (a.field(i).name != b.field(i).name || !(a.field(i).type == b.field(i).type)) return false;
  }
  return true;
}

std::string SchemaText(const Schema& s) { return SchemaToDatashape(s); }

Result<ChunkInfo> WriteChunk(pmem::Transaction& txn, const RecordBatch& batch, bool checksums) {
  QUIVER_ASSIGN_OR_RETURN(ChunkEncoder enc, ChunkEncoder::Make(batch));
  QUIVER_ASSIGN_OR_RETURN(pmem::Extent e, txn.Allocate(uint64_t(enc.size())));
  uint8_t* data = txn.Data(e);
  ChunkInfo ci;
  ci.offset = e.offset;
  ci.length = uint64_t(enc.size());
  ci.rows = batch.num_rows;
  ci.created_txn = txn.txn_id();
  const size_t columns = batch.columns.size();
  ci.stats.resize(columns);
  // Item 0 copies the batch into the pool and checksums the bytes; item
  // 1 + c computes column c's statistics from the batch. A second thread of
  // the shared pool takes the statistics when it is idle: an ingest's
  // writing thread is its pipeline's narrowest stage (the decoders wait for
  // it), and this is half of its work.
  QUIVER_RETURN_NOT_OK(internal::ParallelFor(
      int64_t(1 + columns), 2, nullptr, [&](int, int64_t item) -> Status {
        if (item > 0) {
          ci.stats[size_t(item - 1)] = ComputeColumnStats(*batch.columns[size_t(item - 1)]);
          return Status::OK();
        }
        QUIVER_RETURN_NOT_OK(enc.WriteTo(data, enc.size()));
        if (checksums) {
          QUIVER_ASSIGN_OR_RETURN(ChunkReader reader, ChunkReader::Open(batch.schema, data, enc.size()));
          ComputeChecksums(reader, data, columns, &ci);
        }
        return Status::OK();
      }));
  return ci;
}

}  // namespace quiver::store
