// Arrow IPC encoding: chunks, streams and files.
#include <algorithm>
#include <limits>
#include <unordered_map>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "columnar/ipc_internal.h"
#include "columnar/schema.h"

namespace quiver {

namespace fb = ipc_internal::fb;
using ipc_internal::kContinuation;
using ipc_internal::kMessageAlignment;

namespace {

// One body buffer to write: a byte range copied as is, a bitmap shifted to
// bit 0, or int32 offsets rebased to start at 0.
struct BufferWrite {
  enum Kind { kBytes, kBits, kOffsets, kOffsets64 } kind = kBytes;
  const uint8_t* src = nullptr;
  int64_t src_bit_offset = 0;  // kBits
  int64_t src_bytes = 0;       // kBits: readable bytes from src
  int32_t base = 0;            // kOffsets
  int64_t dst_offset = 0;
  int64_t dst_length = 0;
};

struct BodyPlan {
  int64_t length = 0;  // rows
  std::vector<fb::FieldNode> nodes;
  std::vector<fb::Buffer> buffers;
  std::vector<BufferWrite> writes;
  int64_t body_length = 0;

  void Add(BufferWrite w) {
    body_length = RoundUp64(body_length);
    w.dst_offset = body_length;
    buffers.emplace_back(w.dst_offset, w.dst_length);
    body_length += w.dst_length;
    if (w.dst_length > 0) writes.push_back(w);
  }
  void AddEmpty() { Add(BufferWrite{}); }

  // Rows [off, off + len) of `a` (`off` counts from the buffers' start,
  // a.offset included) and, for nested types, the child values they use.
  // `wire`: the type the writer's schema declares (null for chunks): its
  // large_offsets flags make offsets go out as 64-bit values.
  void AddArray(const ArrayData& a, int64_t off, int64_t len, const DataType* wire) {
    const DataType& t = a.type;
    if (t.id == TypeId::kNull) {  // no buffers
      nodes.emplace_back(len, len);
      return;
    }
    const uint8_t* validity = a.buffers[0] ? a.buffers[0]->data() : nullptr;
    const int64_t nulls = validity ? len - ipc_internal::CountSetBits(validity, off, len) : 0;
    nodes.emplace_back(len, nulls);
    if (nulls > 0) {
      AddBits(validity, a.buffers[0]->size(), off, len);
    } else {
      AddEmpty();
    }
    const bool large = wire != nullptr && wire->large_offsets && !t.is_dictionary();
    if (t.is_nested()) {
      AddChildren(a, off, len, wire);
    } else if (t.is_dictionary()) {
      int w = ByteWidth(t.dict_index);
      AddBytes(a.buffers[1]->data() + off * w, len * w);
    } else if (IsVarLength(t.id)) {
      const int32_t* o = a.buffers[1]->data_as<int32_t>() + off;
      AddOffsets(o, len, large);
      int64_t n = int64_t(o[len]) - o[0];
      AddBytes(n > 0 ? a.buffers[2]->data() + o[0] : nullptr, n);
    } else if (t.id == TypeId::kBool) {
      AddBits(a.buffers[1]->data(), a.buffers[1]->size(), off, len);
    } else {
      int w = ByteWidth(t);
      AddBytes(a.buffers[1]->data() + off * w, len * w);
    }
  }
  void AddArray(const ArrayData& a, const DataType* wire) { AddArray(a, a.offset, a.length, wire); }

  void AddChildren(const ArrayData& a, int64_t off, int64_t len, const DataType* wire) {
    const DataType& t = a.type;
    auto wire_child = [&](size_t k) { return wire != nullptr && k < wire->num_children() ? &wire->child(k).type : nullptr; };
    if (t.id == TypeId::kList || t.id == TypeId::kMap) {
      const int32_t* o = a.buffers[1]->data_as<int32_t>() + off;
      AddOffsets(o, len, wire != nullptr && wire->large_offsets);
      const ArrayData& c = *a.children[0];
      AddArray(c, c.offset + o[0], int64_t(o[len]) - o[0], wire_child(0));
      return;
    }
    const int64_t per = t.id == TypeId::kFixedSizeList ? t.list_size : 1;
    for (size_t k = 0; k < a.children.size(); ++k) {
      const ArrayData& c = *a.children[k];
      AddArray(c, c.offset + off * per, len * per, wire_child(k));
    }
  }

  // Offsets rebased to start at 0, 32- or 64-bit.
  void AddOffsets(const int32_t* o, int64_t len, bool large) {
    BufferWrite w;
    w.kind = large ? BufferWrite::kOffsets64 : BufferWrite::kOffsets;
    w.src = reinterpret_cast<const uint8_t*>(o);
    w.base = o[0];
    w.dst_length = (len + 1) * (large ? 8 : 4);
    Add(w);
  }

  void AddBytes(const uint8_t* src, int64_t n) {
    BufferWrite w;
    w.src = src;
    w.dst_length = n;
    Add(w);
  }
  void AddBits(const uint8_t* src, int64_t src_bytes, int64_t bit_offset, int64_t bits) {
    BufferWrite w;
    w.kind = BufferWrite::kBits;
    w.src = src;
    w.src_bytes = src_bytes;
    w.src_bit_offset = bit_offset;
    w.dst_length = BytesForBits(bits);
    Add(w);
  }

  // Writes the body into dst (body_length bytes), zeroing all padding.
  void Write(uint8_t* dst) const {
    int64_t pos = 0;
    for (const BufferWrite& w : writes) {
      std::memset(dst + pos, 0, size_t(w.dst_offset - pos));
      uint8_t* out = dst + w.dst_offset;
      switch (w.kind) {
        case BufferWrite::kBytes:
          std::memcpy(out, w.src, size_t(w.dst_length));
          break;
        case BufferWrite::kOffsets: {
          int64_t n = w.dst_length / 4;
          for (int64_t i = 0; i < n; ++i) {
            int32_t v;
            std::memcpy(&v, w.src + i * 4, 4);
            v -= w.base;
            std::memcpy(out + i * 4, &v, 4);
          }
          break;
        }
        case BufferWrite::kOffsets64: {  // int32 in, int64 out (large_utf8 / large_binary)
          int64_t n = w.dst_length / 8;
          for (int64_t i = 0; i < n; ++i) {
            int32_t v;
            std::memcpy(&v, w.src + i * 4, 4);
            const int64_t x = int64_t(v) - w.base;
            std::memcpy(out + i * 8, &x, 8);
          }
          break;
        }
        case BufferWrite::kBits: {
          int64_t byte0 = w.src_bit_offset >> 3;
          int shift = int(w.src_bit_offset & 7);
          if (shift == 0) {
            std::memcpy(out, w.src + byte0, size_t(w.dst_length));
          } else {
            for (int64_t i = 0; i < w.dst_length; ++i) {
              int64_t k = byte0 + i;
              unsigned lo = w.src[k] >> shift;
              unsigned hi = (k + 1 < w.src_bytes) ? unsigned(w.src[k + 1]) << (8 - shift) : 0u;
              out[i] = uint8_t(lo | hi);
            }
          }
          break;
        }
      }
      pos = w.dst_offset + w.dst_length;
    }
    std::memset(dst + pos, 0, size_t(body_length - pos));
  }
};

// One encapsulated message: metadata flatbuffer plus its body plan.
struct EncodedMessage {
  flatbuffers::DetachedBuffer metadata;
  BodyPlan body;

  int64_t metadata_length() const {
    return RoundUp64(8 + int64_t(metadata.size())) - 8;
  }
  int64_t size() const { return 8 + metadata_length() + body.body_length; }
  void Write(uint8_t* dst) const {
    ipc_internal::StoreU32(dst, kContinuation);
    ipc_internal::StoreU32(dst + 4, uint32_t(metadata_length()));
    std::memcpy(dst + 8, metadata.data(), metadata.size());
    std::memset(dst + 8 + metadata.size(), 0, size_t(metadata_length() - int64_t(metadata.size())));
    body.Write(dst + 8 + metadata_length());
  }
  std::string ToString() const {
    std::string s(size_t(size()), '\0');
    Write(reinterpret_cast<uint8_t*>(s.data()));
    return s;
  }
};

flatbuffers::Offset<fb::RecordBatch> BuildRecordBatch(flatbuffers::FlatBufferBuilder& fbb,
                                                      const BodyPlan& plan) {
  auto nodes = fbb.CreateVectorOfStructs(plan.nodes);
  auto buffers = fbb.CreateVectorOfStructs(plan.buffers);
  return fb::CreateRecordBatch(fbb, plan.length, nodes, buffers);
}

flatbuffers::DetachedBuffer FinishMessage(flatbuffers::FlatBufferBuilder& fbb,
                                          fb::MessageHeader type, flatbuffers::Offset<void> header,
                                          int64_t body_length) {
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, type, header, body_length));
  return fbb.Release();
}

// Field i's type in `wire` (the schema an IPC writer declared; null for
// chunks, which keep 32-bit offsets).
const DataType* WireType(const Schema* wire, size_t i) {
  return wire != nullptr && i < wire->num_fields() ? &wire->field(i).type : nullptr;
}
bool LargeOnWire(const Schema* wire, size_t i) {
  const DataType* t = WireType(wire, i);
  return t != nullptr && t->large_offsets;
}

EncodedMessage MakeRecordBatchMessage(const RecordBatch& batch, const Schema* wire = nullptr) {
  EncodedMessage m;
  m.body.length = batch.num_rows;
  for (size_t i = 0; i < batch.columns.size(); ++i) {
    const ArrayData& c = *batch.columns[i];
    m.body.AddArray(c, WireType(wire, i));
  }
  m.body.body_length = RoundUp64(m.body.body_length);
  flatbuffers::FlatBufferBuilder fbb(1024);
  auto rb = BuildRecordBatch(fbb, m.body);
  m.metadata = FinishMessage(fbb, fb::MessageHeader::RecordBatch, rb.Union(), m.body.body_length);
  return m;
}

EncodedMessage MakeDictionaryMessage(int64_t id, const ArrayData& dictionary, bool large = false) {
  EncodedMessage m;
  m.body.length = dictionary.length;
  DataType declared = dictionary.type;
  declared.large_offsets = large;
  m.body.AddArray(dictionary, &declared);
  m.body.body_length = RoundUp64(m.body.body_length);
  flatbuffers::FlatBufferBuilder fbb(256);
  auto rb = BuildRecordBatch(fbb, m.body);
  auto db = fb::CreateDictionaryBatch(fbb, id, rb, false);
  m.metadata = FinishMessage(fbb, fb::MessageHeader::DictionaryBatch, db.Union(), m.body.body_length);
  return m;
}

Status CheckDictionaries(const RecordBatch& batch) {
  for (size_t i = 0; i < batch.columns.size(); ++i) {
    const ArrayData& c = *batch.columns[i];
    if (!c.type.is_dictionary()) continue;
    const ArrayData& d = *c.dictionary;
    if (!(d.type == c.type.value_type())) {
      return Status::Invalid("column '" + batch.schema->field(i).name + "' has a dictionary of type " +
                             d.type.ToString());
    }
    RecordBatch tmp;
    tmp.schema = std::make_shared<Schema>(std::vector<Field>{{"dictionary", d.type, true, {}}});
    tmp.num_rows = d.length;
    tmp.columns = {c.dictionary};
    QUIVER_RETURN_NOT_OK(ValidateBatch(tmp).WithContext("dictionary of column '" + batch.schema->field(i).name + "'"));
  }
  return Status::OK();
}

Status CheckSchemaMatches(const Schema& schema, const RecordBatch& batch) {
  if (batch.schema == nullptr || !SchemaEquals(schema, *batch.schema, /*check_metadata=*/false)) {
    return Status::Invalid("record batch schema differs from the writer's schema");
  }
  return Status::OK();
}

}  // namespace

// ---------------------------------------------------------------------------
// ChunkEncoder
// ---------------------------------------------------------------------------

struct ChunkEncoder::Impl {
  RecordBatch batch;  // keeps the source buffers alive
  std::vector<EncodedMessage> messages;
  int64_t size = 0;
};

ChunkEncoder::ChunkEncoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChunkEncoder::ChunkEncoder(ChunkEncoder&&) noexcept = default;
ChunkEncoder& ChunkEncoder::operator=(ChunkEncoder&&) noexcept = default;
ChunkEncoder::~ChunkEncoder() = default;

Result<ChunkEncoder> ChunkEncoder::Make(const RecordBatch& batch) {
  QUIVER_RETURN_NOT_OK(ValidateBatch(batch));
  QUIVER_RETURN_NOT_OK(CheckDictionaries(batch));
  auto impl = std::make_unique<Impl>();
  impl->batch = batch;
  for (size_t i = 0; i < batch.columns.size(); ++i) {
    if (batch.columns[i]->type.is_dictionary()) {
      impl->messages.push_back(MakeDictionaryMessage(int64_t(i), *batch.columns[i]->dictionary));
    }
  }
  impl->messages.push_back(MakeRecordBatchMessage(batch));
  for (const auto& m : impl->messages) impl->size += m.size();
  return ChunkEncoder(std::move(impl));
}

int64_t ChunkEncoder::size() const { return impl_->size; }

Status ChunkEncoder::WriteTo(uint8_t* dst, int64_t capacity) const {
  if (capacity < impl_->size) {
    return Status::Invalid("chunk needs " + std::to_string(impl_->size) + " bytes, destination has " +
                           std::to_string(capacity));
  }
  for (const auto& m : impl_->messages) {
    m.Write(dst);
    dst += m.size();
  }
  return Status::OK();
}

Result<int64_t> EncodedSize(const RecordBatch& batch) {
  QUIVER_ASSIGN_OR_RETURN(ChunkEncoder e, ChunkEncoder::Make(batch));
  return e.size();
}

Status EncodeInto(const RecordBatch& batch, uint8_t* dst, int64_t size) {
  QUIVER_ASSIGN_OR_RETURN(ChunkEncoder e, ChunkEncoder::Make(batch));
  return e.WriteTo(dst, size);
}

Result<std::string> EncodeChunk(const RecordBatch& batch) {
  QUIVER_ASSIGN_OR_RETURN(ChunkEncoder e, ChunkEncoder::Make(batch));
  std::string out(size_t(e.size()), '\0');
  QUIVER_RETURN_NOT_OK(e.WriteTo(reinterpret_cast<uint8_t*>(out.data()), e.size()));
  return out;
}

// ---------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------

Result<std::string> SchemaMessage(const Schema& schema) {
  QUIVER_RETURN_NOT_OK(ValidateSchema(schema));
  EncodedMessage m;
  flatbuffers::FlatBufferBuilder fbb(1024);
  auto s = ipc_internal::BuildSchema(fbb, schema);
  m.metadata = FinishMessage(fbb, fb::MessageHeader::Schema, s.Union(), 0);
  return m.ToString();
}

std::string EndOfStreamMarker() {
  std::string s(8, '\0');
  ipc_internal::StoreU32(reinterpret_cast<uint8_t*>(s.data()), kContinuation);
  return s;
}

Result<std::unique_ptr<StreamWriter>> StreamWriter::Open(OutputSink* sink,
                                                         std::shared_ptr<const Schema> schema) {
  QUIVER_ASSIGN_OR_RETURN(std::string msg, SchemaMessage(*schema));
  QUIVER_RETURN_NOT_OK(sink->Write(reinterpret_cast<const uint8_t*>(msg.data()), int64_t(msg.size())));
  std::unique_ptr<StreamWriter> w(new StreamWriter());
  w->sink_ = sink;
  w->schema_ = std::move(schema);
  w->last_dictionaries_.assign(w->schema_->num_fields(), nullptr);
  return w;
}

Status StreamWriter::WriteBatch(const RecordBatch& batch) {
  if (closed_) return Status::Invalid("stream writer is closed");
  QUIVER_RETURN_NOT_OK(CheckSchemaMatches(*schema_, batch));
  QUIVER_RETURN_NOT_OK(ValidateBatch(batch));
  QUIVER_RETURN_NOT_OK(CheckDictionaries(batch));
  for (size_t i = 0; i < batch.columns.size(); ++i) {
    const ArrayData* d = batch.columns[i]->dictionary.get();
    if (!batch.columns[i]->type.is_dictionary() || d == last_dictionaries_[i]) continue;
    std::string m = MakeDictionaryMessage(int64_t(i), *d, LargeOnWire(schema_.get(), i)).ToString();
    QUIVER_RETURN_NOT_OK(sink_->Write(reinterpret_cast<const uint8_t*>(m.data()), int64_t(m.size())));
    last_dictionaries_[i] = d;
  }
  std::string m = MakeRecordBatchMessage(batch, schema_.get()).ToString();
  return sink_->Write(reinterpret_cast<const uint8_t*>(m.data()), int64_t(m.size()));
}

Status StreamWriter::WriteChunk(const uint8_t* data, int64_t size) {
  if (closed_) return Status::Invalid("stream writer is closed");
  for (const Field& f : schema_->fields()) {
    if (!f.type.large_offsets) continue;
    // Chunks hold 32-bit offsets; a large_* column is re-encoded.
    QUIVER_ASSIGN_OR_RETURN(RecordBatch batch, OpenChunk(schema_, data, size, nullptr));
    return WriteBatch(batch);
  }
  // The chunk carries its own dictionaries; the next WriteBatch resends them.
  std::fill(last_dictionaries_.begin(), last_dictionaries_.end(), nullptr);
  return sink_->Write(data, size);
}

Status StreamWriter::Close() {
  if (closed_) return Status::OK();
  closed_ = true;
  std::string eos = EndOfStreamMarker();
  return sink_->Write(reinterpret_cast<const uint8_t*>(eos.data()), int64_t(eos.size()));
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

namespace {
constexpr char kFileMagic[8] = {'A', 'R', 'R', 'O', 'W', '1', 0, 0};

// A dictionary unified over all batches of a file.
struct UnifiedDictionary {
  std::unordered_map<std::string, int32_t> index;
  ArrayBuilder values{DataType(TypeId::kUtf8)};
};
}  // namespace

struct FileWriter::Impl {
  OutputSink* sink = nullptr;
  std::shared_ptr<const Schema> schema;
  int64_t position = 0;
  std::vector<fb::Block> dictionaries;
  std::vector<fb::Block> batches;
  std::vector<std::unique_ptr<UnifiedDictionary>> dicts;  // per field; null if not dictionary
  bool closed = false;

  Status Write(const std::string& bytes) {
    QUIVER_RETURN_NOT_OK(sink->Write(reinterpret_cast<const uint8_t*>(bytes.data()), int64_t(bytes.size())));
    position += int64_t(bytes.size());
    return Status::OK();
  }
  Status WriteMessage(const EncodedMessage& m, std::vector<fb::Block>* blocks) {
    blocks->emplace_back(position, int32_t(8 + m.metadata_length()), m.body.body_length);
    return Write(m.ToString());
  }

  // Re-encodes the indices of column i against the file's unified dictionary.
  Result<std::shared_ptr<ArrayData>> Remap(size_t i, const ArrayData& col) {
    UnifiedDictionary& u = *dicts[i];
    const ArrayData& d = *col.dictionary;
    ArrayView dv = d.View();
    std::vector<int32_t> remap(size_t(d.length));
    const int64_t max_values = MaxDictionarySize(col.type.dict_index);
    for (int64_t k = 0; k < d.length; ++k) {
      std::string s(dv.IsValid(k) ? dv.StringValue(k) : std::string_view());
      auto [it, inserted] = u.index.try_emplace(s, int32_t(u.index.size()));
      if (inserted) {
        if (int64_t(u.index.size()) > max_values) {
          return Status::Overflow("file writer: the dictionary of field '" + schema->field(i).name +
                                  "' outgrows " + TypeIdName(col.type.dict_index) +
                                  " indices across batches");
        }
        u.values.AppendString(s);
      }
      remap[size_t(k)] = it->second;
    }
    auto out = std::make_shared<ArrayData>(col);
    out->offset = 0;
    int w = ByteWidth(col.type.dict_index);
    auto idx = Buffer::Allocate(col.length * w);
    ArrayView cv = col.View();
    for (int64_t r = 0; r < col.length; ++r) {
      int64_t v = 0;
      if (cv.IsValid(r)) {
        int64_t old = cv.DictIndex(r);
        if (old < 0 || old >= d.length) {
          return Status::Invalid("column '" + schema->field(i).name + "' row " + std::to_string(r) +
                                 ": dictionary index " + std::to_string(old) + " out of range");
        }
        v = remap[size_t(old)];
      }
      uint8_t* p = idx->mutable_data() + r * w;
      if (w == 1) {
        *p = uint8_t(v);
      } else if (w == 2) {
        int16_t x = int16_t(v);
        std::memcpy(p, &x, 2);
      } else if (w == 4) {
        int32_t x = int32_t(v);
        std::memcpy(p, &x, 4);
      } else {
        std::memcpy(p, &v, 8);
      }
    }
    out->null_count = ComputeNullCount(col);
    if (out->null_count > 0) {
      // Shift the bitmap to offset 0 along with the indices.
      auto bits = Buffer::Allocate(BytesForBits(col.length));
      for (int64_t r = 0; r < col.length; ++r) {
        if (cv.IsValid(r)) SetBit(bits->mutable_data(), r);
      }
      out->buffers[0] = std::move(bits);
    } else {
      out->buffers[0] = nullptr;
    }
    out->buffers[1] = std::move(idx);
    return out;
  }
};

FileWriter::FileWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileWriter::~FileWriter() = default;

Result<std::unique_ptr<FileWriter>> FileWriter::Open(OutputSink* sink,
                                                     std::shared_ptr<const Schema> schema) {
  auto impl = std::make_unique<Impl>();
  impl->sink = sink;
  impl->schema = std::move(schema);
  for (const Field& f : impl->schema->fields()) {
    impl->dicts.push_back(f.type.is_dictionary() ? std::make_unique<UnifiedDictionary>() : nullptr);
  }
  QUIVER_ASSIGN_OR_RETURN(std::string msg, SchemaMessage(*impl->schema));
  std::string head(kFileMagic, 8);
  QUIVER_RETURN_NOT_OK(impl->Write(head));
  QUIVER_RETURN_NOT_OK(impl->Write(msg));
  return std::unique_ptr<FileWriter>(new FileWriter(std::move(impl)));
}

Status FileWriter::WriteBatch(const RecordBatch& batch) {
  if (impl_->closed) return Status::Invalid("file writer is closed");
  QUIVER_RETURN_NOT_OK(CheckSchemaMatches(*impl_->schema, batch));
  QUIVER_RETURN_NOT_OK(ValidateBatch(batch));
  QUIVER_RETURN_NOT_OK(CheckDictionaries(batch));
  RecordBatch b = batch;
  for (size_t i = 0; i < b.columns.size(); ++i) {
    if (impl_->dicts[i] == nullptr) continue;
    QUIVER_ASSIGN_OR_RETURN(b.columns[i], impl_->Remap(i, *b.columns[i]));
  }
  return impl_->WriteMessage(MakeRecordBatchMessage(b, impl_->schema.get()), &impl_->batches);
}

Status FileWriter::Close() {
  if (impl_->closed) return Status::OK();
  impl_->closed = true;
  for (size_t i = 0; i < impl_->dicts.size(); ++i) {
    if (impl_->dicts[i] == nullptr) continue;
    QUIVER_ASSIGN_OR_RETURN(auto values, impl_->dicts[i]->values.Finish());
    QUIVER_RETURN_NOT_OK(impl_->WriteMessage(
        MakeDictionaryMessage(int64_t(i), *values, LargeOnWire(impl_->schema.get(), i)), &impl_->dictionaries));
  }
  QUIVER_RETURN_NOT_OK(impl_->Write(EndOfStreamMarker()));
  flatbuffers::FlatBufferBuilder fbb(1024);
  auto schema = ipc_internal::BuildSchema(fbb, *impl_->schema);
  auto dicts = fbb.CreateVectorOfStructs(impl_->dictionaries);
  auto batches = fbb.CreateVectorOfStructs(impl_->batches);
  fbb.Finish(fb::CreateFooter(fbb, fb::MetadataVersion::V5, schema, dicts, batches));
  std::string tail(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  uint8_t len[4];
  ipc_internal::StoreU32(len, uint32_t(fbb.GetSize()));
  tail.append(reinterpret_cast<const char*>(len), 4);
  tail.append(kFileMagic, 6);
  return impl_->Write(tail);
}

Result<std::string> WriteIpcStream(const Schema& schema, const std::vector<RecordBatch>& batches) {
  std::string out;
  StringSink sink(&out);
  QUIVER_ASSIGN_OR_RETURN(auto w, StreamWriter::Open(&sink, std::make_shared<Schema>(schema)));
  for (const auto& b : batches) QUIVER_RETURN_NOT_OK(w->WriteBatch(b));
  QUIVER_RETURN_NOT_OK(w->Close());
  return out;
}

Result<std::string> WriteIpcFile(const Schema& schema, const std::vector<RecordBatch>& batches) {
  std::string out;
  StringSink sink(&out);
  QUIVER_ASSIGN_OR_RETURN(auto w, FileWriter::Open(&sink, std::make_shared<Schema>(schema)));
  for (const auto& b : batches) QUIVER_RETURN_NOT_OK(w->WriteBatch(b));
  QUIVER_RETURN_NOT_OK(w->Close());
  return out;
}

}  // namespace quiver
