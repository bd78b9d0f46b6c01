// Builders: append values and nulls column by column, then Finish() into
// ArrayData with 64-byte-aligned, zero-padded buffers in Arrow layout.
//
// Appending a value of the wrong kind for the builder's type (e.g.
// AppendDouble on a utf8 column) is a programmer error and asserts. Failures
// that input can cause (a dictionary that outgrows its index type, more than
// 2 GiB of string data in one column) are reported by Finish().
//
// A builder is a single-threaded, move-only object.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"

namespace quiver {

class ArrayBuilder {
 public:
  explicit ArrayBuilder(DataType type);
  ArrayBuilder(ArrayBuilder&&) = default;
  ArrayBuilder& operator=(ArrayBuilder&&) = default;

  const DataType& type() const { return type_; }
  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }

  void Reserve(int64_t additional);
  void AppendNull();
  void AppendBool(bool v);
  // Signed integers, date32 (days), date64 (ms), time32/time64, duration
  // and timestamp (units since the epoch).
  // The value is truncated to the column's width.
  void AppendInt(int64_t v);
  void AppendUInt(uint64_t v);
  void AppendDouble(double v);
  // utf8, binary and dictionary-encoded utf8; fixed_size_binary when `v`
  // has exactly its byte width.
  void AppendString(std::string_view v);
  // One fixed-width value as its little-endian bytes (ByteWidth(type) of
  // them): decimal128, decimal256, fixed_size_binary.
  void AppendBytes(const void* v);
  // decimal128 (the scaled integer) and decimal256 (sign-extended).
  void AppendDecimal(__int128 v);

  // Nested types. A row of a list, large_list or map is AppendList() and
  // then its values appended to child(0) (a map's child is the struct of
  // key and value); a fixed_size_list row is AppendList() and exactly
  // list_size child values; a struct row is AppendStruct() and one value
  // appended to each child. AppendNull() on a struct or fixed_size_list
  // appends the NULLs its children need; Finish() checks the children's
  // lengths.
  void AppendList();
  void AppendStruct();
  ArrayBuilder& child(size_t k) { return children_[k]; }
  size_t num_children() const { return children_.size(); }

  // Returns the column and resets the builder to empty.
  Result<std::shared_ptr<ArrayData>> Finish();

 private:
  void AppendValidity(bool valid);
  template <typename T>
  void AppendFixed(T v);

  DataType type_;
  int64_t length_ = 0;
  int64_t null_count_ = 0;
  std::vector<uint8_t> validity_;  // bit-packed, grown per 8 rows
  std::vector<uint8_t> values_;    // fixed-width values, bool bits, dictionary indices
  std::vector<int64_t> offsets_;   // var-length: length_+1 entries
  std::string data_;               // var-length bytes / dictionary values
  std::vector<int64_t> dict_offsets_;
  std::unordered_map<std::string, int64_t> dict_index_;
  std::vector<ArrayBuilder> children_;  // nested types; offsets_ holds a list's row starts
};

// Builds a RecordBatch column by column.
class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(std::shared_ptr<const Schema> schema);
  ArrayBuilder& column(size_t i) { return columns_[i]; }
  size_t num_columns() const { return columns_.size(); }
  // Fails if the columns have different lengths.
  Result<RecordBatch> Finish();

 private:
  std::shared_ptr<const Schema> schema_;
  std::vector<ArrayBuilder> columns_;
};

// Returns rows [offset, offset+length) of `batch`, sharing its buffers (the
// columns get a non-zero ArrayData::offset).
Result<RecordBatch> SliceBatch(const RecordBatch& batch, int64_t offset, int64_t length);

// Number of null rows of `data` computed from its validity bitmap.
int64_t ComputeNullCount(const ArrayData& data);

// Checks that a batch is well-formed for its schema: column count and types,
// lengths, buffer counts and sizes, offsets. Cheap checks only (no full scan
// of offsets); used before encoding.
Status ValidateBatch(const RecordBatch& batch);

}  // namespace quiver
