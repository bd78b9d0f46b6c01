// Private to columnar/: locating Arrow IPC messages and decoding their
// bodies into validated ArrayData (ipc_decode.cc), used by the chunk, stream
// and file readers (ipc_read.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "columnar/ipc_internal.h"

namespace quiver::ipc_internal {

// " at offset N", the suffix of every decoding error.
std::string At(int64_t offset);

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
Result<bool> ReadMessage(const uint8_t* data, int64_t size, int64_t pos, MessageRef* out);

// Arrow field nodes and body buffers a column of type `t` takes, its
// children's included (pre-order, as IPC lays them out).
size_t NodeCount(const DataType& t);
size_t BufferCount(const DataType& t);

// Decodes the body of one RecordBatch table into arrays of the given types,
// validating everything a reader relies on (lengths, null counts, offsets
// within their buffers and children) once.
class BodyDecoder {
 public:
  BodyDecoder(const MessageRef& msg, const fb::RecordBatch* rb, const std::shared_ptr<const void>& owner)
      : msg_(msg), rb_(rb), owner_(owner) {}

  // `view_fields`: how many view columns the schema has (each needs its
  // entry in variadicBufferCounts).
  Status Begin(size_t num_nodes, size_t num_buffers, size_t view_fields = 0);

  int64_t length() const { return rb_->length(); }
  // Input offset of each decoded top-level column's values buffer.
  const std::vector<int64_t>& values_offsets() const { return values_offsets_; }
  // Moves to field node `node`, whose first buffer is `buffer` (after Begin).
  void Seek(size_t node, size_t buffer) {
    node_ = node;
    buffer_ = buffer;
  }

  // The next top-level column. `large`: 64-bit offsets on the wire
  // (LargeUtf8/LargeBinary, or anywhere inside a nested column: every
  // large_offsets type in it), converted to 32-bit ones.
  Result<std::shared_ptr<ArrayData>> Next(const DataType& type, const std::string& name, bool large = false);
  // A Utf8View/BinaryView column of `data_buffers` variadic buffers,
  // converted to utf8/binary.
  Result<std::shared_ptr<ArrayData>> NextView(const DataType& type, const std::string& name, int64_t data_buffers);

 private:
  // One node and its children: `length` must equal `want` when `exact`,
  // else be at least `want` (a child may hold more values than its parent
  // uses).
  Result<std::shared_ptr<ArrayData>> Node(const DataType& type, const std::string& name, bool large, int64_t want,
                                          bool exact, int depth);
  Status Children(ArrayData* out, const std::string& name, bool large, int depth);
  Result<std::shared_ptr<Buffer>> NextBuffer(const std::string& name);
  Result<std::shared_ptr<Buffer>> Validity(const std::string& name, int64_t length, int64_t nulls);

  const MessageRef& msg_;
  const fb::RecordBatch* rb_;
  const std::shared_ptr<const void>& owner_;
  size_t node_ = 0;
  size_t buffer_ = 0;
  size_t num_nodes_ = 0;
  std::vector<int64_t> values_offsets_;
};

// Checks every valid dictionary index of `col` lies in its dictionary.
Status CheckIndices(const ArrayData& col, const std::string& name, int64_t indices_offset);

// Dictionaries of a stream, chunk or file, by dictionary id.
class DictionaryMemo {
 public:
  // `use_field_index`: Quiver's chunks use dictionary id = field index.
  // `wire`: WireForm per field (ReadSchema's).
  DictionaryMemo(const Schema& schema, bool use_field_index, std::vector<uint8_t> wire = {});

  // Reads a DictionaryBatch message.
  Status Add(const MessageRef& msg, const std::shared_ptr<const void>& owner, bool allow_replacement);
  uint8_t wire(size_t field) const { return field < wire_.size() ? wire_[field] : uint8_t(kWireAsHeld); }
  // `values_offsets[i]`: input offset of column i's index buffer.
  Status Attach(RecordBatch* batch, const std::vector<int64_t>& ids, const std::vector<int64_t>& values_offsets);

 private:
  const Schema& schema_;
  std::vector<uint8_t> wire_;
  std::unordered_map<int64_t, size_t> fields_;
  std::unordered_map<int64_t, std::shared_ptr<ArrayData>> dicts_;
};

Result<RecordBatch> DecodeRecordBatch(const std::shared_ptr<const Schema>& schema, const MessageRef& msg,
                                      const std::shared_ptr<const void>& owner, DictionaryMemo* memo,
                                      const std::vector<int64_t>& ids);
// Dictionary id per field: the field index (chunks) or the schema's ids.
std::vector<int64_t> DictIds(const Schema& schema, bool use_field_index);
Status ExpectHeader(const MessageRef& m, fb::MessageHeader want);

}  // namespace quiver::ipc_internal
