#include "kernels/take.h"

#include <cstring>
#include <limits>
#include <numeric>

#include "kernels/column_internal.h"

namespace quiver::kernels {
namespace {

using internal::HasNulls;

Status CheckRows(const ArrayView& col, const SelectionVector& rows) {
  for (int32_t r : rows) {
    if (r < 0 || r >= col.length) {
      return Status::Invalid("take: row " + std::to_string(r) + " is outside a column of " +
                             std::to_string(col.length) + " rows");
    }
  }
  return Status::OK();
}

// Validity of the gathered rows; sets null_count. Null buffer if none.
std::shared_ptr<Buffer> GatherValidity(const ArrayView& col, const SelectionVector& rows,
                                       int64_t* null_count) {
  *null_count = 0;
  if (!HasNulls(col)) return nullptr;
  const int64_t n = int64_t(rows.size());
  auto buf = Buffer::Allocate(BytesForBits(n));
  uint8_t* bits = buf->mutable_data();
  for (int64_t i = 0; i < n; ++i) {
    if (col.IsValid(rows[size_t(i)])) {
      SetBit(bits, i);
    } else {
      ++*null_count;
    }
  }
  return *null_count == 0 ? nullptr : buf;
}

template <typename T>
std::shared_ptr<Buffer> GatherFixed(const T* src, const SelectionVector& rows) {
  auto buf = Buffer::Allocate(int64_t(rows.size() * sizeof(T)));
  T* out = reinterpret_cast<T*>(buf->mutable_data());
  const size_t n = rows.size();
  for (size_t i = 0; i < n; ++i) out[i] = src[rows[i]];
  return buf;
}

// Wide fixed-width values (decimals) by memcpy: no alignment is assumed.
std::shared_ptr<Buffer> GatherBytes(const ArrayView& col, int width, const SelectionVector& rows) {
  auto buf = Buffer::Allocate(int64_t(rows.size()) * width);
  uint8_t* out = buf->mutable_data();
  const uint8_t* src = col.values + col.offset * width;
  for (size_t i = 0; i < rows.size(); ++i) {
    std::memcpy(out + i * size_t(width), src + int64_t(rows[i]) * width, size_t(width));
  }
  return buf;
}

Result<std::shared_ptr<ArrayData>> TakeNested(const ArrayView& col, const SelectionVector& rows,
                                              std::shared_ptr<ArrayData> out);

}  // namespace

Result<std::shared_ptr<ArrayData>> Take(const ArrayView& col, const SelectionVector& rows,
                                        std::shared_ptr<ArrayData> dictionary) {
  QUIVER_RETURN_NOT_OK(CheckRows(col, rows));
  auto out = std::make_shared<ArrayData>();
  out->type = *col.type;
  out->length = int64_t(rows.size());
  const DataType& type = *col.type;
  if (type.id == TypeId::kNull) {  // every row null, whichever are taken
    out->null_count = out->length;
    out->buffers = {NullBitmap(out->length)};
    return out;
  }
  std::shared_ptr<Buffer> validity = GatherValidity(col, rows, &out->null_count);
  if (type.is_nested()) {
    out->buffers = {validity};
    return TakeNested(col, rows, std::move(out));
  }
  if (type.is_dictionary()) {
    int width = ByteWidth(type.dict_index);
    std::shared_ptr<Buffer> idx;
    switch (width) {
      case 1: idx = GatherFixed(col.data<uint8_t>(), rows); break;
      case 2: idx = GatherFixed(col.data<uint16_t>(), rows); break;
      case 4: idx = GatherFixed(col.data<uint32_t>(), rows); break;
      case 8: idx = GatherFixed(col.data<uint64_t>(), rows); break;
      default: return Status::TypeError("take: bad dictionary index type " + type.ToString());
    }
    out->buffers = {validity, idx};
    if (dictionary == nullptr) {
      if (col.dictionary == nullptr) return Status::Invalid("take: dictionary column without dictionary");
      QUIVER_ASSIGN_OR_RETURN(dictionary, CopyArray(*col.dictionary));
    }
    out->dictionary = std::move(dictionary);
    return out;
  }
  if (type.id == TypeId::kUtf8 || type.id == TypeId::kBinary) {
    const int64_t n = int64_t(rows.size());
    auto offsets_buf = Buffer::AllocateUninitialized((n + 1) * int64_t(sizeof(int32_t)));
    int32_t* offsets = reinterpret_cast<int32_t*>(offsets_buf->mutable_data());
    int64_t total = 0;
    for (int64_t i = 0; i < n; ++i) {
      offsets[i] = int32_t(total);
      total += int64_t(col.StringValue(rows[size_t(i)]).size());
      if (total > std::numeric_limits<int32_t>::max()) {
        return Status::ResourceExhausted("take: more than 2 GiB of string data in one column");
      }
    }
    offsets[n] = int32_t(total);
    // Every byte is written (the strings end to end), so not zeroed first;
    // kCopyBlock bytes of room past the end let a short string be copied as
    // one fixed-size block (the next string's copy overwrites the excess),
    // without a call per row. The room is zeroed once all are in.
    constexpr int64_t kCopyBlock = 64;
    auto data_buf = Buffer::AllocateUninitialized(total + kCopyBlock);
    uint8_t* data = data_buf->mutable_data();
    // A source string may be read as a block only if the block ends within
    // the column's bytes.
    const uint8_t* src_end =
        col.offsets != nullptr && col.values != nullptr ? col.values + col.offsets[col.offset + col.length]
                                                        : nullptr;
    for (int64_t i = 0; i < n; ++i) {
      std::string_view s = col.StringValue(rows[size_t(i)]);
      const auto* from = reinterpret_cast<const uint8_t*>(s.data());
      if (s.size() <= size_t(kCopyBlock) && src_end != nullptr && from + kCopyBlock <= src_end) {
        std::memcpy(data + offsets[i], from, size_t(kCopyBlock));
      } else if (!s.empty()) {
        std::memcpy(data + offsets[i], from, s.size());
      }
    }
    std::memset(data + total, 0, size_t(kCopyBlock));
    data_buf->Truncate(total);
    out->buffers = {validity, offsets_buf, data_buf};
    return out;
  }
  if (type.id == TypeId::kBool) {
    const int64_t n = int64_t(rows.size());
    auto bits = Buffer::Allocate(BytesForBits(n));
    for (int64_t i = 0; i < n; ++i) {
      if (col.BoolValue(rows[size_t(i)])) SetBit(bits->mutable_data(), i);
    }
    out->buffers = {validity, bits};
    return out;
  }
  switch (ByteWidth(type)) {
    case 1: out->buffers = {validity, GatherFixed(col.data<uint8_t>(), rows)}; return out;
    case 2: out->buffers = {validity, GatherFixed(col.data<uint16_t>(), rows)}; return out;
    case 4: out->buffers = {validity, GatherFixed(col.data<uint32_t>(), rows)}; return out;
    case 8: out->buffers = {validity, GatherFixed(col.data<uint64_t>(), rows)}; return out;
    case 0: return Status::NotSupported("take: unsupported column type " + type.ToString());
    default: out->buffers = {validity, GatherBytes(col, ByteWidth(type), rows)}; return out;
  }
}

namespace {

// Children of the taken rows of a nested column (validity already in out).
// A null list row takes no child values.
Result<std::shared_ptr<ArrayData>> TakeNested(const ArrayView& col, const SelectionVector& rows,
                                              std::shared_ptr<ArrayData> out) {
  const DataType& type = *col.type;
  if (col.children == nullptr || size_t(col.num_children) != type.num_children()) {
    return Status::Invalid("take: nested column " + type.ToString() + " without its children's views");
  }
  const int64_t n = int64_t(rows.size());
  if (type.id == TypeId::kList || type.id == TypeId::kMap) {
    auto offsets_buf = Buffer::Allocate((n + 1) * 4);
    auto* offsets = reinterpret_cast<int32_t*>(offsets_buf->mutable_data());
    const int32_t* o = col.offsets + col.offset;
    SelectionVector child_rows;
    for (int64_t i = 0; i < n; ++i) {
      offsets[i] = int32_t(child_rows.size());
      const int32_t r = rows[size_t(i)];
      if (!col.IsValid(r)) continue;
      if (child_rows.size() + size_t(o[r + 1] - o[r]) > size_t(std::numeric_limits<int32_t>::max())) {
        return Status::ResourceExhausted("take: more than 2^31 list values in one column");
      }
      for (int32_t k = o[r]; k < o[r + 1]; ++k) child_rows.push_back(k);
    }
    offsets[n] = int32_t(child_rows.size());
    out->buffers.push_back(std::move(offsets_buf));
    QUIVER_ASSIGN_OR_RETURN(auto child, Take(col.children[0], child_rows));
    out->children.push_back(std::move(child));
    return out;
  }
  // Struct and fixed-size list: the column's offset applies to children.
  const int64_t per = type.id == TypeId::kFixedSizeList ? type.list_size : 1;
  if (n * per > std::numeric_limits<int32_t>::max()) {
    return Status::ResourceExhausted("take: more than 2^31 list values in one column");
  }
  SelectionVector child_rows(size_t(n * per));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < per; ++k) child_rows[size_t(i * per + k)] = int32_t((col.offset + rows[size_t(i)]) * per + k);
  }
  for (int32_t k = 0; k < col.num_children; ++k) {
    QUIVER_ASSIGN_OR_RETURN(auto child, Take(col.children[k], child_rows));
    out->children.push_back(std::move(child));
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<ArrayData>> Filter(const ArrayView& col, const Mask& mask,
                                          std::shared_ptr<ArrayData> dictionary) {
  if (mask.length != col.length) {
    return Status::Invalid("filter: mask of " + std::to_string(mask.length) + " rows for a column of " +
                           std::to_string(col.length));
  }
  return Take(col, ToSelection(mask), std::move(dictionary));
}

Result<std::shared_ptr<ArrayData>> CopyArray(const ArrayView& col) {
  SelectionVector all(size_t(col.length));
  std::iota(all.begin(), all.end(), 0);
  return Take(col, all);
}

namespace {

template <typename T>
std::shared_ptr<Buffer> ScatterFixed(const T* src, const SelectionVector& rows, int64_t length) {
  auto buf = Buffer::AllocateUninitialized(length * int64_t(sizeof(T)));
  T* out = reinterpret_cast<T*>(buf->mutable_data());
  std::memset(static_cast<void*>(out), 0, size_t(length) * sizeof(T));
  for (size_t i = 0; i < rows.size(); ++i) out[rows[i]] = src[i];
  return buf;
}

}  // namespace

Result<std::shared_ptr<ArrayData>> Scatter(const std::shared_ptr<ArrayData>& compact,
                                           const SelectionVector& rows, int64_t length) {
  const ArrayView col = compact->View();
  const DataType& type = compact->type;
  if (int64_t(rows.size()) != col.length) {
    return Status::Invalid("scatter: " + std::to_string(rows.size()) + " rows for a column of " +
                           std::to_string(col.length));
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] < 0 || rows[i] >= length || (i > 0 && rows[i] <= rows[i - 1])) {
      return Status::Invalid("scatter: rows are not ascending within " + std::to_string(length));
    }
  }
  if (type.is_nested()) return Status::NotSupported("scatter: nested column " + type.ToString());
  auto out = std::make_shared<ArrayData>();
  out->type = type;
  out->length = length;
  // Validity: the listed rows that are valid in `compact`.
  auto validity = Buffer::Allocate(BytesForBits(length));  // zeroed
  int64_t valid = 0;
  if (type.id != TypeId::kNull) {
    for (size_t i = 0; i < rows.size(); ++i) {
      if (col.IsValid(int64_t(i))) {
        SetBit(validity->mutable_data(), rows[i]);
        ++valid;
      }
    }
  }
  out->null_count = length - valid;
  if (type.id == TypeId::kNull) {
    out->buffers = {NullBitmap(length)};
    return out;
  }
  const int width = type.is_dictionary() ? ByteWidth(type.dict_index) : ByteWidth(type);
  if (type.is_dictionary() || (width > 0 && type.id != TypeId::kBool)) {
    std::shared_ptr<Buffer> values;
    switch (width) {
      case 1: values = ScatterFixed(col.data<uint8_t>(), rows, length); break;
      case 2: values = ScatterFixed(col.data<uint16_t>(), rows, length); break;
      case 4: values = ScatterFixed(col.data<uint32_t>(), rows, length); break;
      case 8: values = ScatterFixed(col.data<uint64_t>(), rows, length); break;
      default: {
        values = Buffer::Allocate(length * width);  // zeroed
        const uint8_t* src = col.values + col.offset * width;
        for (size_t i = 0; i < rows.size(); ++i) {
          std::memcpy(values->mutable_data() + int64_t(rows[i]) * width, src + i * size_t(width),
                      size_t(width));
        }
      }
    }
    out->buffers = {std::move(validity), std::move(values)};
    out->dictionary = compact->dictionary;
    return out;
  }
  if (type.id == TypeId::kBool) {
    auto bits = Buffer::Allocate(BytesForBits(length));  // zeroed
    for (size_t i = 0; i < rows.size(); ++i) {
      if (col.BoolValue(int64_t(i))) SetBit(bits->mutable_data(), rows[i]);
    }
    out->buffers = {std::move(validity), std::move(bits)};
    return out;
  }
  if (col.offsets != nullptr && compact->buffers.size() == 3) {
    // Offsets into compact's own data buffer: a row not listed is empty.
    auto offsets_buf = Buffer::AllocateUninitialized((length + 1) * int64_t(sizeof(int32_t)));
    int32_t* offsets = reinterpret_cast<int32_t*>(offsets_buf->mutable_data());
    const int32_t* src = col.offsets + col.offset;
    int32_t end = src[0];
    size_t k = 0;
    for (int64_t r = 0; r < length; ++r) {
      if (k < rows.size() && rows[k] == r) {
        offsets[r] = src[k];
        end = src[k + 1];
        ++k;
      } else {
        offsets[r] = end;
      }
    }
    offsets[length] = end;
    out->buffers = {std::move(validity), std::move(offsets_buf), compact->buffers[2]};
    return out;
  }
  return Status::NotSupported("scatter: unsupported column type " + type.ToString());
}

}  // namespace quiver::kernels
