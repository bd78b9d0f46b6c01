// Column data in Arrow's memory layout: owning buffers, ArrayData, and the
// non-owning ArrayView that kernels read.
//
// Buffer layout per type (Arrow's, so bytes go to IPC unchanged):
//   bool:               [validity, bit-packed values]
//   fixed-width:        [validity, values]             (int*, uint*, float*, date32, timestamp)
//   utf8 / binary:      [validity, int32 offsets (length+1), data bytes]
//   fixed_size_binary:  [validity, values (byte_width bytes each)]
//   null:               [validity, all zero] (Arrow's Null has no buffers on the
//                        wire; in memory a zeroed bitmap marks every row null)
//   dictionary<idx,v>:  [validity, indices]  + ArrayData::dictionary (the values)
//   list / map:         [validity, int32 offsets (length+1)] + children[0] (the
//                        values; a map's is struct<key, value>)
//   fixed_size_list:    [validity] + children[0] (list_size values per row)
//   struct:             [validity] + one child per field
// Children follow Arrow's C++ convention: a list's offsets index its child
// (from the child's own offset); a struct's or fixed_size_list's `offset`
// applies to its children too (row i of a struct is row offset + i of each
// child, of a fixed_size_list child rows (offset + i) * list_size ...).
// The validity buffer may be null (no nulls). Bitmaps are LSB-first. `offset`
// is Arrow's logical offset (in elements, bits for bitmaps) into the buffers.
//
// Ownership: a Buffer either owns 64-byte-aligned heap memory or borrows bytes
// whose lifetime is held by `owner` (e.g. a pinned pool snapshot). ArrayData
// holds shared_ptrs to its buffers, so slices and views keep their parent
// alive. An ArrayView holds raw pointers: it is valid only while the ArrayData
// (or the mapping) it was made from is alive.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "columnar/types.h"

namespace quiver {

constexpr int64_t kBufferAlignment = 64;

inline bool GetBit(const uint8_t* bits, int64_t i) {
  return (bits[i >> 3] >> (i & 7)) & 1;
}
inline void SetBit(uint8_t* bits, int64_t i) { bits[i >> 3] |= uint8_t(1u << (i & 7)); }
inline void ClearBit(uint8_t* bits, int64_t i) { bits[i >> 3] &= uint8_t(~(1u << (i & 7))); }
inline void SetBitTo(uint8_t* bits, int64_t i, bool v) {
  bits[i >> 3] = uint8_t((bits[i >> 3] & ~(1u << (i & 7))) | (unsigned(v) << (i & 7)));
}
inline int64_t BytesForBits(int64_t bits) { return (bits + 7) / 8; }
inline int64_t RoundUp64(int64_t n) { return (n + 63) & ~int64_t(63); }

// Immutable bytes. Move-only when owning; shared via shared_ptr.
class Buffer {
 public:
  // Allocates `size` zeroed bytes, 64-byte aligned, padded to a multiple of 64.
  static std::shared_ptr<Buffer> Allocate(int64_t size);
  // As Allocate, but only the padding past `size` is zeroed: for a buffer
  // whose every byte the caller writes before anyone reads it.
  static std::shared_ptr<Buffer> AllocateUninitialized(int64_t size);
  // Borrows [data, data+size); `owner` keeps the bytes alive.
  static std::shared_ptr<Buffer> Wrap(const uint8_t* data, int64_t size,
                                      std::shared_ptr<const void> owner);
  // Copies bytes into a new owned buffer.
  static std::shared_ptr<Buffer> Copy(const void* data, int64_t size);

  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  const uint8_t* data() const { return data_; }
  // Writable only for owned buffers while they are being built.
  uint8_t* mutable_data() { return owned_ ? const_cast<uint8_t*>(data_) : nullptr; }
  int64_t size() const { return size_; }
  // Shrinks the logical size (never grows); used by builders.
  void Truncate(int64_t n) { if (n < size_) size_ = n; }
  template <typename T>
  const T* data_as() const { return reinterpret_cast<const T*>(data_); }

 private:
  Buffer() = default;
  const uint8_t* data_ = nullptr;
  int64_t size_ = 0;
  bool owned_ = false;
  std::shared_ptr<const void> owner_;
};

// A zeroed validity bitmap for `length` rows: every row null (the null
// type's one buffer in memory).
std::shared_ptr<Buffer> NullBitmap(int64_t length);

struct ArrayView;

// One column's data (of one chunk or one result batch).
struct ArrayData {
  DataType type;
  int64_t length = 0;
  int64_t offset = 0;
  int64_t null_count = 0;
  std::vector<std::shared_ptr<Buffer>> buffers;  // see layout above
  std::shared_ptr<ArrayData> dictionary;         // dictionary-encoded only
  std::vector<std::shared_ptr<ArrayData>> children;  // nested types only

  // A view of this data; valid while *this is alive.
  ArrayView View() const;
};

// Non-owning view of a column in Arrow layout, the input of every kernel.
// What keeps the memory alive is stated where the view is made (an ArrayData
// or a pinned pool snapshot).
struct ArrayView {
  const DataType* type = nullptr;
  int64_t length = 0;
  int64_t offset = 0;        // logical element offset into the buffers
  int64_t null_count = 0;    // 0 means no nulls (validity may still be set)
  const uint8_t* validity = nullptr;  // may be null: all valid
  const uint8_t* values = nullptr;    // fixed-width values, bool bits, dict indices, or var-length data
  const int32_t* offsets = nullptr;   // utf8/binary only (length + 1 entries, from `offset`)
  const ArrayView* dictionary = nullptr;  // dictionary-encoded only
  int32_t byte_width = 0;             // fixed_size_binary only (offsets is null)
  // Nested types only (list and map also set `offsets`).
  const ArrayView* children = nullptr;
  int32_t num_children = 0;

  bool IsValid(int64_t i) const {
    return validity == nullptr || GetBit(validity, offset + i);
  }
  bool IsNull(int64_t i) const { return !IsValid(i); }
  template <typename T>
  const T* data() const { return reinterpret_cast<const T*>(values) + offset; }
  template <typename T>
  T Value(int64_t i) const { return data<T>()[i]; }
  bool BoolValue(int64_t i) const { return GetBit(values, offset + i); }
  // utf8, binary and fixed_size_binary (IsBinaryLike).
  std::string_view StringValue(int64_t i) const {
    if (offsets == nullptr) [[unlikely]] {
      return {reinterpret_cast<const char*>(values) + (offset + i) * byte_width, size_t(byte_width)};
    }
    const int32_t* o = offsets + offset;
    return {reinterpret_cast<const char*>(values) + o[i], size_t(o[i + 1] - o[i])};
  }
  // Dictionary index of row i as int64 (for any index width).
  int64_t DictIndex(int64_t i) const;
};

// Equal-length columns under one schema: a chunk, or a batch of results.
struct RecordBatch {
  std::shared_ptr<const Schema> schema;
  int64_t num_rows = 0;
  std::vector<std::shared_ptr<ArrayData>> columns;
};

// Views of columns with their dictionaries wired up (ArrayData::View() does
// not set ArrayView::dictionary: the dictionary's view needs a home, and this
// is it). Valid while the columns are alive. A null column (one a reader
// did not ask for) gets a default view with no type. Movable (the views keep
// pointing at the moved storage), not copyable.
class ColumnViews {
 public:
  ColumnViews() = default;
  explicit ColumnViews(const std::vector<std::shared_ptr<ArrayData>>& columns);
  explicit ColumnViews(const RecordBatch& batch) : ColumnViews(batch.columns) {}
  ColumnViews(ColumnViews&&) = default;
  ColumnViews& operator=(ColumnViews&&) = default;
  ColumnViews(const ColumnViews&) = delete;
  ColumnViews& operator=(const ColumnViews&) = delete;

  const ArrayView& operator[](size_t i) const { return views_[i]; }
  size_t size() const { return views_.size(); }
  const std::vector<ArrayView>& views() const { return views_; }

 private:
  std::vector<ArrayView> views_;
  std::vector<ArrayView> dicts_;
  // Views of nested columns' children, dictionaries of children (blocks
  // that never move).
  std::vector<std::unique_ptr<ArrayView[]>> nested_;
  void WireNested(const ArrayData& data, ArrayView* view);
};

// A selection of row indices within a batch (ascending), the output of
// predicates and the input of take/aggregate kernels. 32-bit indices keep it
// compact: one chunk holds fewer than 2^31 rows.
using SelectionVector = std::vector<int32_t>;

}  // namespace quiver
