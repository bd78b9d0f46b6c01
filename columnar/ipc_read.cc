// Arrow IPC readers: chunks (a pool's, opened lazily column by column),
// streams and files. Message framing and body decoding: ipc_decode.cc.
#include <algorithm>

#include "columnar/ipc.h"
#include "columnar/ipc_decode_internal.h"
#include "columnar/schema.h"

namespace quiver {

namespace fb = ipc_internal::fb;
using ipc_internal::At;
using ipc_internal::BodyDecoder;
using ipc_internal::BufferCount;
using ipc_internal::DictionaryMemo;
using ipc_internal::ExpectHeader;
using ipc_internal::MessageRef;
using ipc_internal::NodeCount;
using ipc_internal::ReadMessage;

// ---------------------------------------------------------------------------
// Chunks
// ---------------------------------------------------------------------------

struct ChunkReader::Impl {
  std::shared_ptr<const Schema> schema;
  const uint8_t* data = nullptr;
  int64_t size = 0;
  std::vector<MessageRef> dictionaries;  // by field; message == nullptr: none
  MessageRef batch;
  std::vector<size_t> first_buffer;  // by field: index of its first batch buffer
  std::vector<size_t> first_node;    // by field: index of its first field node
  size_t num_nodes = 0, num_buffers = 0;
  std::vector<ByteRange> metadata;
  std::vector<std::vector<ByteRange>> columns;
};

namespace {

// The byte ranges of a message's body buffers, each extended over the
// padding up to the next buffer (or the body's end). Buffers must lie in
// the body (checked here).
Result<std::vector<ByteRange>> BodyRanges(const MessageRef& m,
                                          const flatbuffers::Vector<const fb::Buffer*>* buffers) {
  std::vector<ByteRange> out;
  if (buffers == nullptr) return out;
  std::vector<int64_t> starts;
  for (const fb::Buffer* b : *buffers) {
    if (b->offset() < 0 || b->length() < 0 || b->offset() > m.body_length ||
        b->length() > m.body_length - b->offset()) {
      return Status::Corruption("buffer [" + std::to_string(b->offset()) + ", +" +
                                std::to_string(b->length()) + ") lies outside the body of " +
                                std::to_string(m.body_length) + " bytes" + At(m.body_offset));
    }
    if (b->length() > 0) starts.push_back(b->offset());
  }
  std::sort(starts.begin(), starts.end());
  for (const fb::Buffer* b : *buffers) {
    if (b->length() == 0) {
      out.push_back({m.body_offset + b->offset(), 0});
      continue;
    }
    auto next = std::upper_bound(starts.begin(), starts.end(), b->offset());
    int64_t end = next == starts.end() ? m.body_length : *next;
    out.push_back({m.body_offset + b->offset(), end - b->offset()});
  }
  return out;
}

}  // namespace

ChunkReader::ChunkReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChunkReader::ChunkReader(ChunkReader&&) noexcept = default;
ChunkReader& ChunkReader::operator=(ChunkReader&&) noexcept = default;
ChunkReader::~ChunkReader() = default;

Result<ChunkReader> ChunkReader::Open(std::shared_ptr<const Schema> schema, const uint8_t* data,
                                      int64_t size) {
  if (data == nullptr || size <= 0) return Status::Corruption("empty chunk");
  auto impl = std::make_unique<Impl>();
  const size_t n = schema->num_fields();
  impl->dictionaries.resize(n);
  impl->columns.resize(n);
  int64_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!schema->field(i).type.is_dictionary()) continue;
    MessageRef& m = impl->dictionaries[i];
    QUIVER_ASSIGN_OR_RETURN(bool ok, ReadMessage(data, size, pos, &m));
    if (!ok) return Status::Corruption("chunk ends" + At(pos) + " before the dictionary of column '" + schema->field(i).name + "'");
    QUIVER_RETURN_NOT_OK(ExpectHeader(m, fb::MessageHeader::DictionaryBatch));
    const fb::DictionaryBatch* db = m.message->header_as_DictionaryBatch();
    if (db->id() != int64_t(i)) {
      return Status::Corruption("chunk dictionary" + At(pos) + " has id " + std::to_string(db->id()) +
                                ", expected " + std::to_string(i));
    }
    if (db->data() == nullptr) return Status::Corruption("message" + At(m.offset) + " has no RecordBatch table");
    impl->metadata.push_back({m.offset, m.body_offset - m.offset});
    pos = m.end;
  }
  MessageRef& m = impl->batch;
  QUIVER_ASSIGN_OR_RETURN(bool ok, ReadMessage(data, size, pos, &m));
  if (!ok) return Status::Corruption("chunk ends" + At(pos) + " before its record batch");
  QUIVER_RETURN_NOT_OK(ExpectHeader(m, fb::MessageHeader::RecordBatch));
  if (m.end != size) {
    return Status::Corruption("chunk has " + std::to_string(size - m.end) + " trailing bytes" + At(m.end));
  }
  impl->metadata.push_back({m.offset, m.body_offset - m.offset});
  const fb::RecordBatch* rb = m.message->header_as_RecordBatch();
  size_t nodes = 0, buffers = 0;
  for (const Field& f : schema->fields()) {
    impl->first_node.push_back(nodes);
    impl->first_buffer.push_back(buffers);
    nodes += NodeCount(f.type);
    buffers += BufferCount(f.type);
  }
  impl->num_nodes = nodes;
  impl->num_buffers = buffers;
  QUIVER_RETURN_NOT_OK(BodyDecoder(m, rb, nullptr).Begin(nodes, buffers));
  QUIVER_ASSIGN_OR_RETURN(std::vector<ByteRange> ranges, BodyRanges(m, rb->buffers()));
  for (size_t i = 0; i < n; ++i) {
    size_t first = impl->first_buffer[i];
    auto& col = impl->columns[i];
    col.assign(ranges.begin() + ptrdiff_t(first),
               ranges.begin() + ptrdiff_t(first + BufferCount(schema->field(i).type)));
    const MessageRef& d = impl->dictionaries[i];
    if (d.message == nullptr) continue;
    const fb::RecordBatch* drb = d.message->header_as_DictionaryBatch()->data();
    QUIVER_RETURN_NOT_OK(BodyDecoder(d, drb, nullptr).Begin(1, 3));
    QUIVER_ASSIGN_OR_RETURN(std::vector<ByteRange> dr, BodyRanges(d, drb->buffers()));
    col.insert(col.end(), dr.begin(), dr.end());
  }
  impl->schema = std::move(schema);
  impl->data = data;
  impl->size = size;
  return ChunkReader(std::move(impl));
}

int64_t ChunkReader::num_rows() const { return impl_->batch.message->header_as_RecordBatch()->length(); }
const std::vector<ByteRange>& ChunkReader::metadata_ranges() const { return impl_->metadata; }
const std::vector<ByteRange>& ChunkReader::column_ranges(size_t i) const { return impl_->columns[i]; }

Result<std::shared_ptr<ArrayData>> ChunkReader::Column(size_t i, const std::shared_ptr<const void>& owner) const {
  const Impl& c = *impl_;
  const Field& f = c.schema->field(i);
  const fb::RecordBatch* rb = c.batch.message->header_as_RecordBatch();
  BodyDecoder dec(c.batch, rb, owner);
  QUIVER_RETURN_NOT_OK(dec.Begin(c.num_nodes, c.num_buffers));
  dec.Seek(c.first_node[i], c.first_buffer[i]);
  QUIVER_ASSIGN_OR_RETURN(auto col, dec.Next(f.type, f.name));
  if (f.type.is_dictionary()) {
    const MessageRef& d = c.dictionaries[i];
    BodyDecoder ddec(d, d.message->header_as_DictionaryBatch()->data(), owner);
    QUIVER_RETURN_NOT_OK(ddec.Begin(1, 3));
    QUIVER_ASSIGN_OR_RETURN(col->dictionary, ddec.Next(f.type.value_type(), f.name + "' dictionary '"));
    QUIVER_RETURN_NOT_OK(ipc_internal::CheckIndices(*col, f.name, dec.values_offsets().back()));
  }
  return col;
}

Result<RecordBatch> OpenChunk(std::shared_ptr<const Schema> schema, const uint8_t* data, int64_t size,
                              std::shared_ptr<const void> owner) {
  QUIVER_ASSIGN_OR_RETURN(ChunkReader reader, ChunkReader::Open(schema, data, size));
  RecordBatch batch;
  batch.schema = std::move(schema);
  batch.num_rows = reader.num_rows();
  for (size_t i = 0; i < batch.schema->num_fields(); ++i) {
    QUIVER_ASSIGN_OR_RETURN(auto col, reader.Column(i, owner));
    batch.columns.push_back(std::move(col));
  }
  return batch;
}

// ---------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------

struct StreamReader::Impl {
  const uint8_t* data = nullptr;
  int64_t size = 0;
  std::shared_ptr<const void> owner;
  std::shared_ptr<const Schema> schema;
  std::unique_ptr<DictionaryMemo> memo;
  std::vector<int64_t> ids;
  int64_t pos = 0;
  bool done = false;
};

StreamReader::StreamReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamReader::~StreamReader() = default;
const std::shared_ptr<const Schema>& StreamReader::schema() const { return impl_->schema; }

Result<std::unique_ptr<StreamReader>> StreamReader::Open(const uint8_t* data, int64_t size,
                                                         std::shared_ptr<const void> owner) {
  auto impl = std::make_unique<Impl>();
  impl->data = data;
  impl->size = size;
  impl->owner = std::move(owner);
  MessageRef m;
  QUIVER_ASSIGN_OR_RETURN(bool ok, ReadMessage(data, size, 0, &m));
  if (!ok) return Status::Corruption("Arrow stream has no schema message");
  QUIVER_RETURN_NOT_OK(ExpectHeader(m, fb::MessageHeader::Schema));
  std::vector<uint8_t> large;
  QUIVER_ASSIGN_OR_RETURN(impl->schema, ipc_internal::ReadSchema(m.message->header_as_Schema(), &large));
  impl->memo = std::make_unique<DictionaryMemo>(*impl->schema, false, std::move(large));
  impl->ids = ipc_internal::DictIds(*impl->schema, false);
  impl->pos = m.end;
  return std::unique_ptr<StreamReader>(new StreamReader(std::move(impl)));
}

Result<bool> StreamReader::Next(RecordBatch* batch) {
  Impl& s = *impl_;
  while (!s.done) {
    MessageRef m;
    QUIVER_ASSIGN_OR_RETURN(bool ok, ReadMessage(s.data, s.size, s.pos, &m));
    if (!ok) {
      s.done = true;
      break;
    }
    s.pos = m.end;
    switch (m.message->header_type()) {
      case fb::MessageHeader::DictionaryBatch:
        QUIVER_RETURN_NOT_OK(s.memo->Add(m, s.owner, /*allow_replacement=*/true));
        break;
      case fb::MessageHeader::RecordBatch: {
        QUIVER_ASSIGN_OR_RETURN(*batch, ipc_internal::DecodeRecordBatch(s.schema, m, s.owner, s.memo.get(), s.ids));
        return true;
      }
      case fb::MessageHeader::Schema:
        return Status::Corruption("second schema message" + At(m.offset));
      default:
        QUIVER_RETURN_NOT_OK(ExpectHeader(m, fb::MessageHeader::RecordBatch));
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

struct FileReader::Impl {
  const uint8_t* data = nullptr;
  int64_t size = 0;
  int64_t footer_start = 0;
  std::shared_ptr<const void> owner;
  std::shared_ptr<const Schema> schema;
  std::unique_ptr<DictionaryMemo> memo;
  std::vector<int64_t> ids;
  std::vector<int64_t> batch_offsets;
  std::vector<uint64_t> footer_copy;

  Result<MessageRef> MessageAt(int64_t offset, fb::MessageHeader want) {
    if (offset < 8 || offset >= footer_start) {
      return Status::Corruption("file block offset " + std::to_string(offset) + " outside [8, " +
                                std::to_string(footer_start) + ")");
    }
    MessageRef m;
    QUIVER_ASSIGN_OR_RETURN(bool ok, ReadMessage(data, footer_start, offset, &m));
    if (!ok) return Status::Corruption("file block" + At(offset) + " holds an end-of-stream marker");
    QUIVER_RETURN_NOT_OK(ExpectHeader(m, want));
    return m;
  }
};

FileReader::FileReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileReader::~FileReader() = default;
const std::shared_ptr<const Schema>& FileReader::schema() const { return impl_->schema; }
int FileReader::num_batches() const { return int(impl_->batch_offsets.size()); }

Result<std::unique_ptr<FileReader>> FileReader::Open(const uint8_t* data, int64_t size,
                                                     std::shared_ptr<const void> owner) {
  static const char kMagic[6] = {'A', 'R', 'R', 'O', 'W', '1'};
  if (size < 8 + 10 || std::memcmp(data, kMagic, 6) != 0) {
    return Status::Corruption("not an Arrow IPC file: no ARROW1 magic at offset 0");
  }
  if (std::memcmp(data + size - 6, kMagic, 6) != 0) {
    return Status::Corruption("Arrow IPC file has no trailing ARROW1 magic" + At(size - 6) + " (truncated?)");
  }
  auto impl = std::make_unique<Impl>();
  impl->data = data;
  impl->size = size;
  impl->owner = std::move(owner);
  int64_t footer_len = ipc_internal::LoadI32(data + size - 10);
  if (footer_len <= 0 || footer_len > size - 18) {
    return Status::Corruption("Arrow file footer length " + std::to_string(footer_len) + At(size - 10) +
                              " does not fit the file of " + std::to_string(size) + " bytes");
  }
  impl->footer_start = size - 10 - footer_len;
  impl->footer_copy.resize(size_t(footer_len + 7) / 8);
  std::memcpy(impl->footer_copy.data(), data + impl->footer_start, size_t(footer_len));
  const uint8_t* footer_bytes = reinterpret_cast<const uint8_t*>(impl->footer_copy.data());
  flatbuffers::Verifier verifier(footer_bytes, size_t(footer_len), 64, 1000000);
  if (!fb::VerifyFooterBuffer(verifier)) {
    return Status::Corruption("Arrow file footer" + At(impl->footer_start) + " fails flatbuffer verification");
  }
  const fb::Footer* footer = fb::GetFooter(footer_bytes);
  if (int(footer->version()) > int(fb::MetadataVersion::V5)) {
    return Status::NotSupported("future Arrow metadata version V" + std::to_string(int(footer->version()) + 1) +
                                " in the file footer");
  }
  if (int(footer->version()) < int(fb::MetadataVersion::V4)) {
    return Status::NotSupported("Arrow metadata version V" + std::to_string(int(footer->version()) + 1) +
                                " in the file footer is too old");
  }
  auto misaligned = [](const auto* v) { return v != nullptr && v->size() > 0 && (reinterpret_cast<uintptr_t>(v->Data()) & 7) != 0; };
  if (misaligned(footer->dictionaries()) || misaligned(footer->recordBatches())) {
    return Status::Corruption("Arrow file footer" + At(impl->footer_start) + " has misaligned block vectors");
  }
  std::vector<uint8_t> large;
  QUIVER_ASSIGN_OR_RETURN(impl->schema, ipc_internal::ReadSchema(footer->schema(), &large));
  impl->memo = std::make_unique<DictionaryMemo>(*impl->schema, false, std::move(large));
  impl->ids = ipc_internal::DictIds(*impl->schema, false);
  if (footer->dictionaries() != nullptr) {
    for (const fb::Block* b : *footer->dictionaries()) {
      QUIVER_ASSIGN_OR_RETURN(MessageRef m, impl->MessageAt(b->offset(), fb::MessageHeader::DictionaryBatch));
      QUIVER_RETURN_NOT_OK(impl->memo->Add(m, impl->owner, /*allow_replacement=*/false));
    }
  }
  if (footer->recordBatches() != nullptr) {
    for (const fb::Block* b : *footer->recordBatches()) impl->batch_offsets.push_back(b->offset());
  }
  return std::unique_ptr<FileReader>(new FileReader(std::move(impl)));
}

Result<RecordBatch> FileReader::ReadBatch(int i) {
  if (i < 0 || i >= num_batches()) return Status::Invalid("no record batch " + std::to_string(i));
  QUIVER_ASSIGN_OR_RETURN(MessageRef m, impl_->MessageAt(impl_->batch_offsets[size_t(i)], fb::MessageHeader::RecordBatch));
  QUIVER_ASSIGN_OR_RETURN(RecordBatch batch,
                          ipc_internal::DecodeRecordBatch(impl_->schema, m, impl_->owner, impl_->memo.get(), impl_->ids));
  return batch;
}

Result<IpcTable> ReadIpc(std::shared_ptr<const std::string> bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes->data());
  auto size = int64_t(bytes->size());
  IpcTable table;
  if (size >= 6 && std::memcmp(data, "ARROW1", 6) == 0) {
    QUIVER_ASSIGN_OR_RETURN(auto reader, FileReader::Open(data, size, bytes));
    table.schema = reader->schema();
    for (int i = 0; i < reader->num_batches(); ++i) {
      QUIVER_ASSIGN_OR_RETURN(RecordBatch b, reader->ReadBatch(i));
      table.batches.push_back(std::move(b));
    }
    return table;
  }
  QUIVER_ASSIGN_OR_RETURN(auto reader, StreamReader::Open(data, size, bytes));
  table.schema = reader->schema();
  RecordBatch b;
  while (true) {
    QUIVER_ASSIGN_OR_RETURN(bool more, reader->Next(&b));
    if (!more) break;
    table.batches.push_back(std::move(b));
  }
  return table;
}

}  // namespace quiver
