// Arrow IPC decoding with one-time validation: chunks, streams and files.
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
using ipc_internal::kWireAsHeld;
using ipc_internal::kWireLargeOffsets;
using ipc_internal::kWireView;

namespace {

std::string At(int64_t offset) { return " at offset " + std::to_string(offset); }

bool Aligned8(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 7) == 0; }

// One message located in the input.
struct MessageRef {
  const fb::Message* message = nullptr;
  std::shared_ptr<std::vector<uint64_t>> aligned_copy;  // when the metadata was misaligned
  const uint8_t* body = nullptr;
  int64_t body_length = 0;
  int64_t offset = 0;       // message start in the input
  int64_t body_offset = 0;  // body start in the input
  int64_t end = 0;          // first byte after the message
};

// Reads the message starting at `pos`. Returns false at an end-of-stream
// marker or at the very end of the input.
Result<bool> ReadMessage(const uint8_t* data, int64_t size, int64_t pos, MessageRef* out) {
  if (pos == size) return false;
  if (size - pos < 4) return Status::Corruption("truncated message prefix" + At(pos));
  uint32_t first = ipc_internal::LoadU32(data + pos);
  int64_t header = 4;
  int64_t meta_len = int32_t(first);
  if (first == kContinuation) {
    if (size - pos < 8) return Status::Corruption("truncated message length" + At(pos));
    meta_len = ipc_internal::LoadI32(data + pos + 4);
    header = 8;
  }
  if (meta_len == 0) return false;
  if (meta_len < 0 || meta_len > size - pos - header) {
    return Status::Corruption("message metadata length " + std::to_string(meta_len) + At(pos) +
                              " exceeds the " + std::to_string(size - pos - header) + " bytes that follow");
  }
  const uint8_t* meta = data + pos + header;
  out->aligned_copy.reset();
  if ((reinterpret_cast<uintptr_t>(meta) & 7) != 0) {
    out->aligned_copy = std::make_shared<std::vector<uint64_t>>(size_t(meta_len + 7) / 8);
    std::memcpy(out->aligned_copy->data(), meta, size_t(meta_len));
    meta = reinterpret_cast<const uint8_t*>(out->aligned_copy->data());
  }
  flatbuffers::Verifier verifier(meta, size_t(meta_len), /*max_depth=*/64, /*max_tables=*/1000000);
  if (!fb::VerifyMessageBuffer(verifier)) {
    return Status::Corruption("message metadata" + At(pos) + " fails flatbuffer verification");
  }
  const fb::Message* m = fb::GetMessage(meta);
  if (m->header_type() == fb::MessageHeader::NONE || m->header() == nullptr) {
    return Status::Corruption("message" + At(pos) + " has no header table");
  }
  auto version = int(m->version());
  if (version < int(fb::MetadataVersion::V4)) {
    return Status::NotSupported("Arrow metadata version V" + std::to_string(version + 1) + At(pos) +
                                " is too old (V4 or V5 supported)");
  }
  if (version > int(fb::MetadataVersion::V5)) {
    return Status::NotSupported("future Arrow metadata version V" + std::to_string(version + 1) + At(pos) +
                                " (V4 or V5 supported)");
  }
  int64_t body_start = pos + header + meta_len;
  if (m->bodyLength() < 0 || m->bodyLength() > size - body_start) {
    return Status::Corruption("message body length " + std::to_string(m->bodyLength()) + At(pos) +
                              " exceeds the " + std::to_string(size - body_start) + " bytes that follow");
  }
  out->message = m;
  out->body = data + body_start;
  out->body_length = m->bodyLength();
  out->offset = pos;
  out->body_offset = body_start;
  out->end = body_start + m->bodyLength();
  return true;
}

// Decodes the body of one RecordBatch table into arrays of the given types.
class BodyDecoder {
 public:
  BodyDecoder(const MessageRef& msg, const fb::RecordBatch* rb, const std::shared_ptr<const void>& owner)
      : msg_(msg), rb_(rb), owner_(owner) {}

  // `view_fields`: how many view columns the schema has (each needs its
  // entry in variadicBufferCounts).
  Status Begin(size_t num_fields, size_t num_buffers, size_t view_fields = 0) {
    if (rb_ == nullptr) return Status::Corruption("message" + At(msg_.offset) + " has no RecordBatch table");
    if (rb_->compression() != nullptr) {
      return Status::NotSupported("compressed Arrow bodies (BodyCompression " +
                                  std::string(fb::EnumNameCompressionType(rb_->compression()->codec())) +
                                  ")" + At(msg_.offset) + " are not supported");
    }
    const size_t variadic = rb_->variadicBufferCounts() ? rb_->variadicBufferCounts()->size() : 0;
    if (variadic != view_fields) {
      return Status::Corruption("record batch" + At(msg_.offset) + " has " + std::to_string(variadic) +
                                " variadic buffer counts for " + std::to_string(view_fields) + " view columns");
    }
    if (rb_->length() < 0 || rb_->length() > std::numeric_limits<int32_t>::max()) {
      return Status::Corruption("record batch length " + std::to_string(rb_->length()) + At(msg_.offset));
    }
    size_t nodes = rb_->nodes() ? rb_->nodes()->size() : 0;
    size_t buffers = rb_->buffers() ? rb_->buffers()->size() : 0;
    if (nodes != num_fields) {
      return Status::Corruption("record batch" + At(msg_.offset) + " has " + std::to_string(nodes) +
                                " field nodes, schema needs " + std::to_string(num_fields));
    }
    // The verifier checks the 4-byte length prefix of struct vectors, not
    // the 8-byte alignment their elements need.
    if ((nodes > 0 && !Aligned8(rb_->nodes()->Data())) || (buffers > 0 && !Aligned8(rb_->buffers()->Data()))) {
      return Status::Corruption("record batch" + At(msg_.offset) + " has misaligned node or buffer vectors");
    }
    if (buffers != num_buffers) {
      return Status::Corruption("record batch" + At(msg_.offset) + " has " + std::to_string(buffers) +
                                " buffers, schema needs " + std::to_string(num_buffers));
    }
    return Status::OK();
  }

  int64_t length() const { return rb_->length(); }
  const std::vector<int64_t>& values_offsets() const { return values_offsets_; }
  // Moves to field node `node`, whose first buffer is `buffer` (after Begin).
  void Seek(size_t node, size_t buffer) {
    node_ = node;
    buffer_ = buffer;
  }

  // `large`: the column has 64-bit offsets (LargeUtf8/LargeBinary), which
  // are converted to 32-bit ones.
  Result<std::shared_ptr<ArrayData>> Next(const DataType& type, const std::string& name, bool large = false) {
    auto bad = [&](const std::string& what) {
      return Status::Corruption("column '" + name + "' " + what);
    };
    const fb::FieldNode* node = rb_->nodes()->Get(flatbuffers::uoffset_t(node_++));
    int64_t length = node->length();
    int64_t nulls = node->null_count();
    std::string where = At(msg_.offset);
    if (length != rb_->length()) {
      return bad("has " + std::to_string(length) + " rows in a batch of " + std::to_string(rb_->length()) + where);
    }
    if (nulls < 0 || nulls > length) return bad("null count " + std::to_string(nulls) + " of " + std::to_string(length) + " rows" + where);
    auto out = std::make_shared<ArrayData>();
    out->type = type;
    out->length = length;
    out->null_count = nulls;
    if (type.id == TypeId::kNull) {
      // No buffers in IPC (whatever null count the writer put in the node:
      // every row is null). In memory, a zeroed validity bitmap says so to
      // every kernel.
      values_offsets_.push_back(0);
      out->null_count = length;
      out->buffers = {NullBitmap(length)};
      return out;
    }
    QUIVER_ASSIGN_OR_RETURN(auto validity, NextBuffer(name));
    if (nulls > 0) {
      if (validity == nullptr || validity->size() < BytesForBits(length)) {
        return bad("validity bitmap of " + std::to_string(validity ? validity->size() : 0) + " bytes for " +
                   std::to_string(length) + " rows" + where);
      }
      int64_t counted = length - ipc_internal::CountSetBits(validity->data(), 0, length);
      if (counted != nulls) {
        return bad("null count " + std::to_string(nulls) + " disagrees with the validity bitmap (" +
                   std::to_string(counted) + ")" + where);
      }
    } else {
      validity = nullptr;
    }
    bool var = IsVarLength(type.id) && !type.is_dictionary();
    auto values_index = flatbuffers::uoffset_t(buffer_);
    QUIVER_ASSIGN_OR_RETURN(auto values, NextBuffer(name));
    // Only now is the offset known to lie within the body.
    values_offsets_.push_back(msg_.body_offset + rb_->buffers()->Get(values_index)->offset());
    int64_t need;
    if (type.is_dictionary()) {
      need = length * ByteWidth(type.dict_index);
    } else if (var) {
      need = length == 0 ? 0 : (length + 1) * (large ? 8 : 4);
    } else if (type.id == TypeId::kBool) {
      need = BytesForBits(length);
    } else {
      need = length * ByteWidth(type);
    }
    int64_t have = values ? values->size() : 0;
    if (have < need) {
      return bad(std::string(var ? "offsets" : "values") + " buffer of " + std::to_string(have) +
                 " bytes, needs " + std::to_string(need) + where);
    }
    if (values == nullptr || (var && length == 0 && have < 4)) {
      values = Buffer::Allocate(var ? 4 : 0);  // zeroed: a single 0 offset
    }
    out->buffers = {std::move(validity), values};
    if (var) {
      QUIVER_ASSIGN_OR_RETURN(auto data, NextBuffer(name));
      int64_t data_size = data ? data->size() : 0;
      if (large) {
        QUIVER_ASSIGN_OR_RETURN(values, NarrowOffsets(*values, length, &data, name, where));
        out->buffers[1] = values;
        data_size = data ? data->size() : 0;
      }
      const int32_t* o = values->data_as<int32_t>();
      if (o[0] < 0) return bad("first string offset " + std::to_string(o[0]) + " is negative" + where);
      for (int64_t i = 0; i < length; ++i) {
        if (o[i + 1] < o[i]) {
          return bad("string offsets decrease at row " + std::to_string(i) + " (" + std::to_string(o[i]) +
                     " > " + std::to_string(o[i + 1]) + ")" + where);
        }
      }
      if (o[length] > data_size) {
        return bad("last string offset " + std::to_string(o[length]) + " exceeds the data buffer of " +
                   std::to_string(data_size) + " bytes" + where);
      }
      out->buffers.push_back(data ? std::move(data) : Buffer::Allocate(0));
    }
    return out;
  }

  // A Utf8View/BinaryView column of `data_buffers` variadic buffers,
  // converted to utf8/binary (32-bit offsets, one data buffer). Each view is
  // 16 bytes: int32 length, then the bytes inline when length <= 12, else a
  // 4-byte prefix, int32 buffer index and int32 offset.
  Result<std::shared_ptr<ArrayData>> NextView(const DataType& type, const std::string& name, int64_t data_buffers) {
    auto bad = [&](const std::string& what) {
      return Status::Corruption("column '" + name + "' " + what + At(msg_.offset));
    };
    const fb::FieldNode* node = rb_->nodes()->Get(flatbuffers::uoffset_t(node_++));
    const int64_t length = node->length(), nulls = node->null_count();
    if (length != rb_->length()) return bad("has " + std::to_string(length) + " rows in a batch of " + std::to_string(rb_->length()));
    if (nulls < 0 || nulls > length) return bad("null count " + std::to_string(nulls));
    QUIVER_ASSIGN_OR_RETURN(auto validity, NextBuffer(name));
    if (nulls > 0) {
      if (validity == nullptr || validity->size() < BytesForBits(length)) return bad("validity bitmap too short");
      if (length - ipc_internal::CountSetBits(validity->data(), 0, length) != nulls) {
        return bad("null count " + std::to_string(nulls) + " disagrees with the validity bitmap");
      }
    } else {
      validity = nullptr;
    }
    values_offsets_.push_back(0);
    QUIVER_ASSIGN_OR_RETURN(auto views, NextBuffer(name));
    if ((views ? views->size() : 0) < length * 16) {
      return bad("views buffer of " + std::to_string(views ? views->size() : 0) + " bytes, needs " +
                 std::to_string(length * 16));
    }
    std::vector<std::shared_ptr<Buffer>> data(static_cast<size_t>(data_buffers));
    for (auto& d : data) {
      QUIVER_ASSIGN_OR_RETURN(d, NextBuffer(name));
    }
    auto offsets = Buffer::Allocate((length + 1) * 4);
    auto* o = reinterpret_cast<int32_t*>(offsets->mutable_data());
    std::string bytes;
    for (int64_t i = 0; i < length; ++i) {
      o[i] = int32_t(bytes.size());
      if (validity != nullptr && !GetBit(validity->data(), i)) continue;
      const uint8_t* v = views->data() + i * 16;
      int32_t len, index, offset;
      std::memcpy(&len, v, 4);
      const std::string where = "row " + std::to_string(i) + ": view of " + std::to_string(len) + " bytes";
      if (len < 0) return bad(where + " (negative)");
      if (len <= 12) {
        bytes.append(reinterpret_cast<const char*>(v + 4), size_t(len));
      } else {
        std::memcpy(&index, v + 8, 4);
        std::memcpy(&offset, v + 12, 4);
        if (index < 0 || index >= data_buffers) return bad(where + " in data buffer " + std::to_string(index) + " of " + std::to_string(data_buffers));
        const Buffer* b = data[size_t(index)].get();
        const int64_t size = b ? b->size() : 0;
        if (offset < 0 || int64_t(offset) + len > size) {
          return bad(where + " at offset " + std::to_string(offset) + " beyond data buffer " + std::to_string(index) +
                     " of " + std::to_string(size) + " bytes");
        }
        bytes.append(reinterpret_cast<const char*>(b->data() + offset), size_t(len));
      }
      if (bytes.size() > size_t(std::numeric_limits<int32_t>::max())) {
        return Status::NotSupported("column '" + name + "' holds more than 2 GiB of string data in one batch" + At(msg_.offset));
      }
    }
    o[length] = int32_t(bytes.size());
    auto out = std::make_shared<ArrayData>();
    out->type = type;
    out->length = length;
    out->null_count = nulls;
    out->buffers = {std::move(validity), std::move(offsets), Buffer::Copy(bytes.data(), int64_t(bytes.size()))};
    return out;
  }

 private:
  Result<std::shared_ptr<Buffer>> NextBuffer(const std::string& name) {
    size_t i = buffer_++;
    const fb::Buffer* b = rb_->buffers()->Get(flatbuffers::uoffset_t(i));
    int64_t off = b->offset(), len = b->length();
    if (off < 0 || len < 0 || off > msg_.body_length || len > msg_.body_length - off) {
      return Status::Corruption("column '" + name + "' buffer " + std::to_string(i) + " [" + std::to_string(off) +
                                ", +" + std::to_string(len) + ") lies outside the body of " +
                                std::to_string(msg_.body_length) + " bytes" + At(msg_.body_offset));
    }
    if (len == 0) return std::shared_ptr<Buffer>();
    const uint8_t* p = msg_.body + off;
    if (owner_ == nullptr || (reinterpret_cast<uintptr_t>(p) & 7) != 0) return Buffer::Copy(p, len);
    return Buffer::Wrap(p, len, owner_);
  }

  // Converts validated 64-bit offsets to 32-bit ones starting at 0, and
  // narrows *data to the bytes they cover.
  static Result<std::shared_ptr<Buffer>> NarrowOffsets(const Buffer& wide, int64_t length,
                                                       std::shared_ptr<Buffer>* data, const std::string& name,
                                                       const std::string& where) {
    auto narrow = Buffer::Allocate((length + 1) * 4);
    auto* out = reinterpret_cast<int32_t*>(narrow->mutable_data());
    if (length == 0) return narrow;
    const auto* in = wide.data_as<int64_t>();
    int64_t data_size = *data ? (*data)->size() : 0;
    for (int64_t i = 0; i <= length; ++i) {
      if (in[i] < in[0] || (i > 0 && in[i] < in[i - 1]) || in[i] > data_size) {
        return Status::Corruption("column '" + name + "' large string offset " + std::to_string(in[i]) +
                                  " at row " + std::to_string(i) + " is out of order or beyond the data" + where);
      }
      if (in[i] - in[0] > std::numeric_limits<int32_t>::max()) {
        return Status::NotSupported("column '" + name + "' holds more than 2 GiB of string data in one batch" + where);
      }
      out[i] = int32_t(in[i] - in[0]);
    }
    if (*data != nullptr && in[0] > 0) {
      std::shared_ptr<const void> keep = *data;
      *data = Buffer::Wrap((*data)->data() + in[0], in[length] - in[0], std::move(keep));
    }
    return narrow;
  }

  const MessageRef& msg_;
  const fb::RecordBatch* rb_;
  const std::shared_ptr<const void>& owner_;
  size_t node_ = 0;
  size_t buffer_ = 0;
  std::vector<int64_t> values_offsets_;
};

size_t BufferCount(const DataType& t) {
  if (t.id == TypeId::kNull) return 0;  // Arrow's Null has no buffers
  return (IsVarLength(t.id) && !t.is_dictionary()) ? 3 : 2;
}

// True when every valid index of `v` lies in [0, n): one typed pass that
// the compiler vectorises (a null slot's index is ignored: Arrow leaves it
// undefined).
template <typename I>
bool IndicesInRange(const ArrayView& v, int64_t n) {
  const I* idx = v.data<I>();
  const uint64_t limit = uint64_t(n);
  bool bad = false;
  if (v.validity == nullptr || v.null_count == 0) {
    for (int64_t i = 0; i < v.length; ++i) bad |= uint64_t(int64_t(idx[i])) >= limit;
  } else {
    for (int64_t i = 0; i < v.length; ++i) bad |= v.IsValid(i) & (uint64_t(int64_t(idx[i])) >= limit);
  }
  return !bad;
}

bool IndicesInRange(const ArrayView& v, int64_t n) {
  switch (v.type->dict_index) {
    case TypeId::kInt8: return IndicesInRange<int8_t>(v, n);
    case TypeId::kInt16: return IndicesInRange<int16_t>(v, n);
    case TypeId::kInt32: return IndicesInRange<int32_t>(v, n);
    case TypeId::kInt64: return IndicesInRange<int64_t>(v, n);
    case TypeId::kUInt8: return IndicesInRange<uint8_t>(v, n);
    case TypeId::kUInt16: return IndicesInRange<uint16_t>(v, n);
    case TypeId::kUInt32: return IndicesInRange<uint32_t>(v, n);
    case TypeId::kUInt64: return IndicesInRange<uint64_t>(v, n);
    default: return false;
  }
}

Status CheckIndices(const ArrayData& col, const std::string& name, int64_t indices_offset) {
  ArrayView v = col.View();
  int64_t n = col.dictionary ? col.dictionary->length : 0;
  if (IndicesInRange(v, n)) return Status::OK();
  // Find the first bad row for the message.
  for (int64_t i = 0; i < col.length; ++i) {
    if (!v.IsValid(i)) continue;
    int64_t k = v.DictIndex(i);
    if (k < 0 || k >= n) {
      return Status::Corruption("column '" + name + "' row " + std::to_string(i) + ": dictionary index " +
                                std::to_string(k) + " outside a dictionary of " + std::to_string(n) + " values" +
                                At(indices_offset + i * ByteWidth(col.type.dict_index)));
    }
  }
  return Status::OK();
}

// Concatenates two utf8 arrays (for delta dictionaries).
Result<std::shared_ptr<ArrayData>> Concat(const ArrayData& a, const ArrayData& b) {
  ArrayBuilder builder(a.type);
  for (const ArrayData* x : {&a, &b}) {
    ArrayView v = x->View();
    for (int64_t i = 0; i < x->length; ++i) {
      if (v.IsValid(i)) {
        builder.AppendString(v.StringValue(i));
      } else {
        builder.AppendNull();
      }
    }
  }
  return builder.Finish();
}

// Dictionaries of a stream, chunk or file, by dictionary id.
class DictionaryMemo {
 public:
  // `use_field_index`: Quiver's chunks use dictionary id = field index.
  DictionaryMemo(const Schema& schema, bool use_field_index, std::vector<uint8_t> large = {})
      : schema_(schema), large_(std::move(large)) {
    for (size_t i = 0; i < schema.num_fields(); ++i) {
      const DataType& t = schema.field(i).type;
      if (t.is_dictionary()) fields_[use_field_index ? int64_t(i) : t.dict_id] = i;
    }
  }

  // Reads a DictionaryBatch message.
  Status Add(const MessageRef& msg, const std::shared_ptr<const void>& owner, bool allow_replacement) {
    const fb::DictionaryBatch* db = msg.message->header_as_DictionaryBatch();
    auto it = fields_.find(db->id());
    if (it == fields_.end()) {
      return Status::Corruption("dictionary batch" + At(msg.offset) + " has id " + std::to_string(db->id()) +
                                " that no schema field uses");
    }
    const Field& f = schema_.field(it->second);
    BodyDecoder dec(msg, db->data(), owner);
    QUIVER_RETURN_NOT_OK(dec.Begin(1, 3));
    bool large = it->second < large_.size() && large_[it->second] == kWireLargeOffsets;
    QUIVER_ASSIGN_OR_RETURN(auto values, dec.Next(f.type.value_type(), f.name + "' dictionary '", large));
    auto& slot = dicts_[db->id()];
    if (db->isDelta() && slot != nullptr) {
      QUIVER_ASSIGN_OR_RETURN(slot, Concat(*slot, *values));
    } else {
      if (slot != nullptr && !allow_replacement) {
        return Status::Corruption("dictionary id " + std::to_string(db->id()) + " is replaced" + At(msg.offset) +
                                  ", which the IPC file format does not allow");
      }
      slot = std::move(values);
    }
    return Status::OK();
  }

  uint8_t wire(size_t field) const { return field < large_.size() ? large_[field] : uint8_t(kWireAsHeld); }

  // `values_offsets[i]`: input offset of column i's index buffer.
  Status Attach(RecordBatch* batch, const std::vector<int64_t>& ids, const std::vector<int64_t>& values_offsets) {
    for (size_t i = 0; i < batch->columns.size(); ++i) {
      auto& col = batch->columns[i];
      if (!col->type.is_dictionary()) continue;
      auto it = dicts_.find(ids[i]);
      const std::string& name = schema_.field(i).name;
      if (it == dicts_.end()) {
        return Status::Corruption("column '" + name + "' uses dictionary id " + std::to_string(ids[i]) +
                                  " before any dictionary batch defines it");
      }
      col->dictionary = it->second;
      QUIVER_RETURN_NOT_OK(CheckIndices(*col, name, values_offsets[i]));
    }
    return Status::OK();
  }

 private:
  const Schema& schema_;
  std::vector<uint8_t> large_;  // WireForm per field
  std::unordered_map<int64_t, size_t> fields_;
  std::unordered_map<int64_t, std::shared_ptr<ArrayData>> dicts_;
};

Result<RecordBatch> DecodeRecordBatch(const std::shared_ptr<const Schema>& schema, const MessageRef& msg,
                                      const std::shared_ptr<const void>& owner, DictionaryMemo* memo,
                                      const std::vector<int64_t>& ids) {
  const fb::RecordBatch* rb = msg.message->header_as_RecordBatch();
  BodyDecoder dec(msg, rb, owner);
  // A view column has its validity, its views and as many data buffers as
  // the batch's variadicBufferCounts says (one count per view column).
  size_t buffers = 0, views = 0;
  const auto* variadic = rb ? rb->variadicBufferCounts() : nullptr;
  const size_t num_variadic = variadic ? variadic->size() : 0;
  std::vector<int64_t> data_buffers(schema->num_fields(), 0);
  for (size_t i = 0; i < schema->num_fields(); ++i) {
    if (memo->wire(i) != kWireView) {
      buffers += BufferCount(schema->field(i).type);
      continue;
    }
    const int64_t k = views < num_variadic ? variadic->Get(flatbuffers::uoffset_t(views)) : -1;
    if (k < 0 || k > int64_t(msg.body_length)) {
      return Status::Corruption("record batch" + At(msg.offset) + " gives no valid variadic buffer count for view column '" +
                                schema->field(i).name + "'");
    }
    data_buffers[i] = k;
    buffers += 2 + size_t(k);
    ++views;
  }
  QUIVER_RETURN_NOT_OK(dec.Begin(schema->num_fields(), buffers, views));
  RecordBatch batch;
  batch.schema = schema;
  batch.num_rows = dec.length();
  for (size_t i = 0; i < schema->num_fields(); ++i) {
    const Field& f = schema->field(i);
    const uint8_t wire = f.type.is_dictionary() ? uint8_t(kWireAsHeld) : memo->wire(i);
    std::shared_ptr<ArrayData> col;
    if (wire == kWireView) {
      QUIVER_ASSIGN_OR_RETURN(col, dec.NextView(f.type, f.name, data_buffers[i]));
    } else {
      QUIVER_ASSIGN_OR_RETURN(col, dec.Next(f.type, f.name, wire == kWireLargeOffsets));
    }
    batch.columns.push_back(std::move(col));
  }
  QUIVER_RETURN_NOT_OK(memo->Attach(&batch, ids, dec.values_offsets()));
  return batch;
}

std::vector<int64_t> DictIds(const Schema& schema, bool use_field_index) {
  std::vector<int64_t> ids;
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    ids.push_back(use_field_index ? int64_t(i) : schema.field(i).type.dict_id);
  }
  return ids;
}

Status ExpectHeader(const MessageRef& m, fb::MessageHeader want) {
  if (m.message->header_type() == want) return Status::OK();
  auto t = m.message->header_type();
  if (t == fb::MessageHeader::Tensor || t == fb::MessageHeader::SparseTensor) {
    return Status::NotSupported(std::string("Arrow ") + fb::EnumNameMessageHeader(t) + " message" + At(m.offset));
  }
  const char* name = fb::EnumNameMessageHeader(t);
  return Status::Corruption(std::string("expected a ") + fb::EnumNameMessageHeader(want) + " message" + At(m.offset) +
                            ", found " + (name && *name ? name : "an unknown header"));
}

}  // namespace

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
  size_t buffers = 0;
  for (const Field& f : schema->fields()) {
    impl->first_buffer.push_back(buffers);
    buffers += BufferCount(f.type);
  }
  QUIVER_RETURN_NOT_OK(BodyDecoder(m, rb, nullptr).Begin(n, buffers));
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
  QUIVER_RETURN_NOT_OK(dec.Begin(c.schema->num_fields(), c.first_buffer.back() + BufferCount(c.schema->fields().back().type)));
  dec.Seek(i, c.first_buffer[i]);
  QUIVER_ASSIGN_OR_RETURN(auto col, dec.Next(f.type, f.name));
  if (f.type.is_dictionary()) {
    const MessageRef& d = c.dictionaries[i];
    BodyDecoder ddec(d, d.message->header_as_DictionaryBatch()->data(), owner);
    QUIVER_RETURN_NOT_OK(ddec.Begin(1, 3));
    QUIVER_ASSIGN_OR_RETURN(col->dictionary, ddec.Next(f.type.value_type(), f.name + "' dictionary '"));
    QUIVER_RETURN_NOT_OK(CheckIndices(*col, f.name, dec.values_offsets().back()));
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
  impl->ids = DictIds(*impl->schema, false);
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
        QUIVER_ASSIGN_OR_RETURN(*batch, DecodeRecordBatch(s.schema, m, s.owner, s.memo.get(), s.ids));
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
  auto misaligned = [](const auto* v) { return v != nullptr && v->size() > 0 && !Aligned8(v->Data()); };
  if (misaligned(footer->dictionaries()) || misaligned(footer->recordBatches())) {
    return Status::Corruption("Arrow file footer" + At(impl->footer_start) + " has misaligned block vectors");
  }
  std::vector<uint8_t> large;
  QUIVER_ASSIGN_OR_RETURN(impl->schema, ipc_internal::ReadSchema(footer->schema(), &large));
  impl->memo = std::make_unique<DictionaryMemo>(*impl->schema, false, std::move(large));
  impl->ids = DictIds(*impl->schema, false);
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
                          DecodeRecordBatch(impl_->schema, m, impl_->owner, impl_->memo.get(), impl_->ids));
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
