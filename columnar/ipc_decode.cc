// Arrow IPC message framing and body decoding with one-time validation:
// what the chunk, stream and file readers of ipc_read.cc share.
#include <algorithm>
#include <limits>

#include "columnar/builder.h"
#include "columnar/ipc_decode_internal.h"

namespace quiver::ipc_internal {

std::string At(int64_t offset) { return " at offset " + std::to_string(offset); }

namespace {

bool Aligned8(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 7) == 0; }

Result<std::shared_ptr<Buffer>> NarrowOffsets(const Buffer& wide, int64_t length,
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

}  // namespace

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

Status BodyDecoder::Begin(size_t num_nodes, size_t num_buffers, size_t view_fields) {
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
  if (nodes != num_nodes) {
    return Status::Corruption("record batch" + At(msg_.offset) + " has " + std::to_string(nodes) +
                              " field nodes, schema needs " + std::to_string(num_nodes));
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
  num_nodes_ = nodes;
  return Status::OK();
}



size_t NodeCount(const DataType& t) {
  size_t n = 1;
  for (size_t k = 0; k < t.num_children(); ++k) n += NodeCount(t.child(k).type);
  return n;
}

size_t BufferCount(const DataType& t) {
  switch (t.id) {
    case TypeId::kNull: return 0;  // Arrow's Null has no buffers
    case TypeId::kList:
    case TypeId::kMap: return 2 + BufferCount(t.child(0).type);
    case TypeId::kFixedSizeList: return 1 + BufferCount(t.child(0).type);
    case TypeId::kStruct: {
      size_t n = 1;
      for (size_t k = 0; k < t.num_children(); ++k) n += BufferCount(t.child(k).type);
      return n;
    }
    default: return (IsVarLength(t.id) && !t.is_dictionary()) ? 3 : 2;
  }
}

Result<std::shared_ptr<ArrayData>> BodyDecoder::Next(const DataType& type, const std::string& name, bool large) {
  return Node(type, name, large, rb_->length(), /*exact=*/true, 0);
}

// The validity buffer of a node of `length` rows and `nulls` nulls (null
// when there are none), checked against the count.
Result<std::shared_ptr<Buffer>> BodyDecoder::Validity(const std::string& name, int64_t length, int64_t nulls) {
  QUIVER_ASSIGN_OR_RETURN(auto validity, NextBuffer(name));
  if (nulls == 0) return std::shared_ptr<Buffer>();
  if (validity == nullptr || validity->size() < BytesForBits(length)) {
    return Status::Corruption("column '" + name + "' validity bitmap of " + std::to_string(validity ? validity->size() : 0) +
                              " bytes for " + std::to_string(length) + " rows" + At(msg_.offset));
  }
  const int64_t counted = length - CountSetBits(validity->data(), 0, length);
  if (counted != nulls) {
    return Status::Corruption("column '" + name + "' null count " + std::to_string(nulls) +
                              " disagrees with the validity bitmap (" + std::to_string(counted) + ")" + At(msg_.offset));
  }
  return validity;
}

Result<std::shared_ptr<ArrayData>> BodyDecoder::Node(const DataType& type, const std::string& name, bool large,
                                                     int64_t want, bool exact, int depth) {
  auto bad = [&](const std::string& what) { return Status::Corruption("column '" + name + "' " + what); };
  const std::string where = At(msg_.offset);
  if (node_ >= num_nodes_) return bad("has no field node left" + where);
  const fb::FieldNode* node = rb_->nodes()->Get(flatbuffers::uoffset_t(node_++));
  const int64_t length = node->length();
  const int64_t nulls = node->null_count();
  if (exact ? length != want : (length < want || length > std::numeric_limits<int32_t>::max())) {
    return bad("has " + std::to_string(length) + " values where " + (exact ? "" : "at least ") + std::to_string(want) +
               (depth == 0 ? " rows make the batch" : " are needed") + where);
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
    if (depth == 0) values_offsets_.push_back(0);
    out->null_count = length;
    out->buffers = {NullBitmap(length)};
    return out;
  }
  QUIVER_ASSIGN_OR_RETURN(auto validity, Validity(name, length, nulls));
  if (type.is_nested()) {
    if (depth == 0) values_offsets_.push_back(0);
    out->buffers = {std::move(validity)};
    QUIVER_RETURN_NOT_OK(Children(out.get(), name, large, depth));
    return out;
  }
  // In a nested column (depth > 0) every large type is 64-bit on the wire.
  const bool wide = depth == 0 ? large : (large && type.large_offsets);
  const bool var = IsVarLength(type.id) && !type.is_dictionary();
  auto values_index = flatbuffers::uoffset_t(buffer_);
  QUIVER_ASSIGN_OR_RETURN(auto values, NextBuffer(name));
  // Only now is the offset known to lie within the body.
  if (depth == 0) values_offsets_.push_back(msg_.body_offset + rb_->buffers()->Get(values_index)->offset());
  int64_t need;
  if (type.is_dictionary()) {
    need = length * ByteWidth(type.dict_index);
  } else if (var) {
    need = length == 0 ? 0 : (length + 1) * (wide ? 8 : 4);
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
  if (!var) return out;
  QUIVER_ASSIGN_OR_RETURN(auto data, NextBuffer(name));
  int64_t data_size = data ? data->size() : 0;
  if (wide) {
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
  return out;
}

namespace {

// A list's offsets (64-bit ones narrowed to 32) checked to start at or past
// 0 and never decrease; returns them with the child length they need.
Result<std::shared_ptr<Buffer>> ListOffsets(std::shared_ptr<Buffer> offsets, int64_t length, bool wide,
                                            const std::string& name, const std::string& where, int64_t* need) {
  auto bad = [&](const std::string& what) { return Status::Corruption("column '" + name + "' " + what + where); };
  const int64_t have = offsets ? offsets->size() : 0;
  if (length == 0) {
    *need = 0;
    return Buffer::Allocate(4);
  }
  if (have < (length + 1) * (wide ? 8 : 4)) {
    return bad("list offsets buffer of " + std::to_string(have) + " bytes for " + std::to_string(length) + " rows");
  }
  if (wide) {
    auto narrow = Buffer::Allocate((length + 1) * 4);
    auto* out = reinterpret_cast<int32_t*>(narrow->mutable_data());
    const auto* in = offsets->data_as<int64_t>();
    for (int64_t i = 0; i <= length; ++i) {
      if (in[i] < 0 || in[i] > std::numeric_limits<int32_t>::max()) {
        return Status::NotSupported("column '" + name + "' large list offset " + std::to_string(in[i]) + " at row " +
                                    std::to_string(i) + " is negative or past 2^31 values in one batch" + where);
      }
      out[i] = int32_t(in[i]);
    }
    offsets = std::move(narrow);
  }
  const int32_t* o = offsets->data_as<int32_t>();
  if (o[0] < 0) return bad("first list offset " + std::to_string(o[0]) + " is negative");
  for (int64_t i = 0; i < length; ++i) {
    if (o[i + 1] < o[i]) {
      return bad("list offsets decrease at row " + std::to_string(i) + " (" + std::to_string(o[i]) + " > " +
                 std::to_string(o[i + 1]) + ")");
    }
  }
  *need = o[length];
  return offsets;
}

}  // namespace

// A nested node's own buffers after validity, then its children.
Status BodyDecoder::Children(ArrayData* out, const std::string& name, bool large, int depth) {
  const DataType& type = out->type;
  const std::string where = At(msg_.offset);
  int64_t need = out->length;  // struct: each child as long as the struct
  if (type.id == TypeId::kList || type.id == TypeId::kMap) {
    QUIVER_ASSIGN_OR_RETURN(auto offsets, NextBuffer(name));
    const bool wide = large && type.large_offsets;
    QUIVER_ASSIGN_OR_RETURN(offsets, ListOffsets(std::move(offsets), out->length, wide, name, where, &need));
    out->buffers.push_back(std::move(offsets));
  } else if (type.id == TypeId::kFixedSizeList) {
    need = out->length * int64_t(type.list_size);  // both < 2^31: no overflow
  }
  for (size_t k = 0; k < type.num_children(); ++k) {
    const Field& f = type.child(k);
    QUIVER_ASSIGN_OR_RETURN(auto child, Node(f.type, name + "." + f.name, large, need, /*exact=*/false, depth + 1));
    out->children.push_back(std::move(child));
  }
  return Status::OK();
}

Result<std::shared_ptr<ArrayData>> BodyDecoder::NextView(const DataType& type, const std::string& name,
                                                         int64_t data_buffers) {
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

Result<std::shared_ptr<Buffer>> BodyDecoder::NextBuffer(const std::string& name) {
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


namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

DictionaryMemo::DictionaryMemo(const Schema& schema, bool use_field_index, std::vector<uint8_t> wire)
    : schema_(schema), wire_(std::move(wire)) {
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    const DataType& t = schema.field(i).type;
    if (t.is_dictionary()) fields_[use_field_index ? int64_t(i) : t.dict_id] = i;
  }
}

Status DictionaryMemo::Add(const MessageRef& msg, const std::shared_ptr<const void>& owner, bool allow_replacement) {
  const fb::DictionaryBatch* db = msg.message->header_as_DictionaryBatch();
  auto it = fields_.find(db->id());
  if (it == fields_.end()) {
    return Status::Corruption("dictionary batch" + At(msg.offset) + " has id " + std::to_string(db->id()) +
                              " that no schema field uses");
  }
  const Field& f = schema_.field(it->second);
  BodyDecoder dec(msg, db->data(), owner);
  QUIVER_RETURN_NOT_OK(dec.Begin(1, 3));
  bool large = wire(it->second) == kWireLargeOffsets;
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


Status DictionaryMemo::Attach(RecordBatch* batch, const std::vector<int64_t>& ids, const std::vector<int64_t>& values_offsets) {
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

Result<RecordBatch> DecodeRecordBatch(const std::shared_ptr<const Schema>& schema, const MessageRef& msg,
                                      const std::shared_ptr<const void>& owner, DictionaryMemo* memo,
                                      const std::vector<int64_t>& ids) {
  const fb::RecordBatch* rb = msg.message->header_as_RecordBatch();
  BodyDecoder dec(msg, rb, owner);
  // A view column has its validity, its views and as many data buffers as
  // the batch's variadicBufferCounts says (one count per view column).
  size_t nodes = 0, buffers = 0, views = 0;
  const auto* variadic = rb ? rb->variadicBufferCounts() : nullptr;
  const size_t num_variadic = variadic ? variadic->size() : 0;
  std::vector<int64_t> data_buffers(schema->num_fields(), 0);
  for (size_t i = 0; i < schema->num_fields(); ++i) {
    if (memo->wire(i) != kWireView) {
      nodes += NodeCount(schema->field(i).type);
      buffers += BufferCount(schema->field(i).type);
      continue;
    }
    const int64_t k = views < num_variadic ? variadic->Get(flatbuffers::uoffset_t(views)) : -1;
    if (k < 0 || k > int64_t(msg.body_length)) {
      return Status::Corruption("record batch" + At(msg.offset) + " gives no valid variadic buffer count for view column '" +
                                schema->field(i).name + "'");
    }
    data_buffers[i] = k;
    nodes += 1;
    buffers += 2 + size_t(k);
    ++views;
  }
  QUIVER_RETURN_NOT_OK(dec.Begin(nodes, buffers, views));
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


}  // namespace quiver::ipc_internal
