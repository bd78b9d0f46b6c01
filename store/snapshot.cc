#include <algorithm>

#include "columnar/ipc.h"
#include "store/checksum_internal.h"
#include "store/snapshot_internal.h"

namespace quiver::store {

namespace {

// Re-points the buffers of `in` that lie in the mapping [from, from + size)
// at the same file offsets of the mapping starting at `to`, owned by
// `owner` (a null owner borrows). Buffers outside it (copied by the reader)
// keep their own ownership.
std::shared_ptr<ArrayData> Rebind(const std::shared_ptr<ArrayData>& in, const uint8_t* from,
                                  uint64_t size, const uint8_t* to,
                                  const std::shared_ptr<const void>& owner) {
  auto out = std::make_shared<ArrayData>(*in);
  for (auto& b : out->buffers) {
    if (b && b->data() >= from && b->data() < from + size) {
      b = Buffer::Wrap(to + (b->data() - from), b->size(), owner);
    }
  }
  if (in->dictionary) out->dictionary = Rebind(in->dictionary, from, size, to, owner);
  return out;
}

}  // namespace

Status SnapshotCache::Prepare(const pmem::Snapshot& pin, std::vector<TableView>* tables,
                              std::shared_ptr<const EntryList>* entries) {
  const pmem::Extent root = pin.root();
  if (!valid_ || txn_ != pin.txn_id() || root_.offset != root.offset ||
      root_.length != root.length) {
    CatalogState cat;
    if (!root.empty()) {
      QUIVER_ASSIGN_OR_RETURN(const uint8_t* p, pin.Read(root.offset, root.length));
      QUIVER_ASSIGN_OR_RETURN(cat, DecodeCatalog(p, root.length, root.offset));
    }
    std::vector<TableView> views;
    auto list = std::make_shared<EntryList>();
    std::map<std::pair<uint64_t, uint64_t>, std::shared_ptr<ChunkEntry>> kept;
    for (auto& [name, t] : cat.tables) {
      TableView v;
      v.name_ = t.name;
      v.id_ = t.id;
      v.schema_ = t.schema;
      v.rows_ = t.rows();
      v.created_ns_ = t.created_ns;
      v.modified_ns_ = t.modified_ns;
      v.created_txn_ = t.created_txn;
      v.modified_txn_ = t.modified_txn;
      v.first_cache_slot_ = list->size();
      for (const ChunkInfo& ci : t.chunks) {
        std::pair<uint64_t, uint64_t> key{ci.offset, ci.created_txn};
        auto it = entries_.find(key);
        auto e = it != entries_.end() ? it->second : std::make_shared<ChunkEntry>();
        kept[key] = e;
        list->push_back(std::move(e));
      }
      v.chunks_ = std::make_shared<const std::vector<ChunkInfo>>(std::move(t.chunks));
      v.commit_keys_ = std::make_shared<const std::vector<CommitKey>>(std::move(t.commit_keys));
      views.push_back(std::move(v));
    }
    tables_ = std::move(views);
    list_ = std::move(list);
    entries_ = std::move(kept);
    txn_ = pin.txn_id();
    root_ = root;
    valid_ = true;
  }
  *tables = tables_;
  *entries = list_;
  return Status::OK();
}

Result<std::shared_ptr<SnapshotData>> SnapshotData::Make(pmem::Snapshot pin, SnapshotCache* cache) {
  auto s = std::shared_ptr<SnapshotData>(new SnapshotData(std::move(pin)));
  QUIVER_RETURN_NOT_OK(cache->Prepare(s->pin_, &s->tables_, &s->entries_));
  for (TableView& v : s->tables_) v.snap_ = s.get();
  s->slots_ = std::make_unique<Slot[]>(s->entries_->size());
  return s;
}

Result<const TableView*> SnapshotData::table(const std::string& name) const {
  auto it = std::lower_bound(tables_.begin(), tables_.end(), name,
                             [](const TableView& t, const std::string& n) { return t.name() < n; });
  if (it != tables_.end() && it->name() == name) return &*it;
  std::vector<std::string> names;
  for (const auto& t : tables_) names.push_back(t.name());
  return UnknownTable(name, names);
}

Status SnapshotData::Open(const TableView& t, size_t i, const std::vector<size_t>& columns,
                          ChunkEntry& e) const {
  const ChunkInfo& ci = (*t.chunks_)[i];
  const ChunkPlace place{t.name_, i, ci};
  const std::string where = place.Describe() + " at pool offset " + std::to_string(ci.offset);
  QUIVER_ASSIGN_OR_RETURN(const uint8_t* p, pin_.Read(ci.offset, ci.length));
  auto reader = ChunkReader::Open(t.schema_, p, int64_t(ci.length));
  if (!reader.ok()) {
    // A chunk written with checksums parsed when it was written.
    if (ci.checksummed) {
      return Status::DataLoss(where + ": the chunk no longer parses (" + reader.status().message() +
                              "); its bytes were damaged");
    }
    return reader.status().WithContext(where);
  }
  if (!e.structure_checked) {
    QUIVER_RETURN_NOT_OK(VerifyMetadata(*reader, p, place));
    if (reader->num_rows() != ci.rows) {
      return Status::Corruption(where + " holds " + std::to_string(reader->num_rows()) +
                                " rows, the catalog says " + std::to_string(ci.rows));
    }
    e.columns.resize(t.schema_->num_fields());
    e.structure_checked = true;
  }
  for (size_t c : columns) {
    if (e.columns[c].data) continue;
    QUIVER_RETURN_NOT_OK(VerifyColumn(*reader, p, place, *t.schema_, c));
    auto col = reader->Column(c, pin_.keep_alive());
    if (!col.ok()) return col.status().WithContext(where);
    // The entry must not hold the pin: keep the pointers, drop the owner.
    e.columns[c] = {Rebind(*col, pin_.base(), pin_.mapped_size(), pin_.base(), nullptr),
                    pin_.base(), pin_.mapped_size()};
  }
  return Status::OK();
}

Result<RecordBatch> SnapshotData::Read(const TableView& t, size_t i,
                                       const std::vector<size_t>* columns) const {
  if (i >= t.chunks_->size()) {
    return Status::Invalid("table \"" + t.name_ + "\" has no chunk " + std::to_string(i));
  }
  const size_t n = t.schema_->num_fields();
  std::vector<size_t> all;
  if (columns == nullptr) {
    for (size_t c = 0; c < n; ++c) all.push_back(c);
    columns = &all;
  }
  for (size_t c : *columns) {
    if (c >= n) {
      return Status::Invalid("table \"" + t.name_ + "\" has no column " + std::to_string(c));
    }
  }
  const ChunkInfo& ci = (*t.chunks_)[i];
  Slot& slot = slots_[t.first_cache_slot_ + i];
  std::lock_guard<std::mutex> g(slot.mu);
  if (slot.columns.empty()) slot.columns.resize(n);
  std::vector<size_t> missing;
  for (size_t c : *columns) {
    if (!slot.columns[c]) missing.push_back(c);
  }
  if (!missing.empty()) {
    {
      auto bytes = pin_.Read(ci.offset, ci.length);  // range check only
      if (!bytes.ok()) return bytes.status();
    }
    ChunkEntry& e = *(*entries_)[t.first_cache_slot_ + i];
    std::lock_guard<std::mutex> ge(e.mu);
    std::vector<size_t> unopened;
    for (size_t c : missing) {
      if (!e.structure_checked || !e.columns[c].data) unopened.push_back(c);
    }
    if (!unopened.empty()) QUIVER_RETURN_NOT_OK(Open(t, i, unopened, e));
    for (size_t c : missing) {
      const ChunkEntry::Column& ec = e.columns[c];
      slot.columns[c] = Rebind(ec.data, ec.base, ec.mapped, pin_.base(), pin_.keep_alive());
    }
  }
  RecordBatch b;
  b.schema = t.schema_;
  b.num_rows = ci.rows;
  b.columns.resize(n);
  for (size_t c : *columns) b.columns[c] = slot.columns[c];
  return b;
}

uint64_t TableView::bytes() const {
  uint64_t n = 0;
  for (const auto& c : *chunks_) n += c.length;
  return n;
}

const CommitKey* TableView::FindCommitKey(const std::string& key) const {
  for (const CommitKey& k : *commit_keys_) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

TableView TableView::Slice(size_t first, size_t count) const {
  first = std::min(first, chunks_->size());
  count = std::min(count, chunks_->size() - first);
  TableView v = *this;
  auto begin = chunks_->begin() + std::ptrdiff_t(first);
  v.chunks_ = std::make_shared<const std::vector<ChunkInfo>>(begin, begin + std::ptrdiff_t(count));
  v.first_cache_slot_ = first_cache_slot_ + first;
  v.rows_ = 0;
  for (const ChunkInfo& c : *v.chunks_) v.rows_ += c.rows;
  return v;
}

Result<RecordBatch> TableView::ReadChunk(size_t i) const { return snap_->Read(*this, i, nullptr); }

Result<RecordBatch> TableView::ReadChunk(size_t i, const std::vector<size_t>& columns) const {
  return snap_->Read(*this, i, &columns);
}

Result<std::pair<const uint8_t*, uint64_t>> TableView::ChunkBytes(size_t i) const {
  if (i >= chunks_->size()) {
    return Status::Invalid("table \"" + name_ + "\" has no chunk " + std::to_string(i));
  }
  // Validate once (cached) before handing raw bytes out.
  QUIVER_RETURN_NOT_OK(ReadChunk(i));
  QUIVER_ASSIGN_OR_RETURN(const uint8_t* p,
                          snap_->pool_snapshot().Read((*chunks_)[i].offset, (*chunks_)[i].length));
  return std::make_pair(p, (*chunks_)[i].length);
}

}  // namespace quiver::store
