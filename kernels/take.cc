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
    auto offsets_buf = Buffer::Allocate((n + 1) * int64_t(sizeof(int32_t)));
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
    auto data_buf = Buffer::Allocate(total);
    uint8_t* data = data_buf->mutable_data();
    for (int64_t i = 0; i < n; ++i) {
      std::string_view s = col.StringValue(rows[size_t(i)]);
      if (!s.empty()) std::memcpy(data + offsets[i], s.data(), s.size());
    }
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

}  // namespace quiver::kernels
