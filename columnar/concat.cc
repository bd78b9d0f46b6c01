#include "columnar/concat.h"

#include <cstring>
#include <limits>
#include <string>

namespace quiver {

namespace {

const uint8_t* BufferData(const ArrayData& a, size_t i) {
  return i < a.buffers.size() && a.buffers[i] ? a.buffers[i]->data() : nullptr;
}

// Copies `n` bits from src (at bit `from`) to dst (at bit `to`).
void CopyBits(const uint8_t* src, int64_t from, uint8_t* dst, int64_t to, int64_t n) {
  if (((from | to) & 7) == 0) {
    std::memcpy(dst + to / 8, src + from / 8, size_t(n / 8));
    for (int64_t i = n & ~int64_t(7); i < n; ++i) SetBitTo(dst, to + i, GetBit(src, from + i));
    return;
  }
  for (int64_t i = 0; i < n; ++i) SetBitTo(dst, to + i, GetBit(src, from + i));
}

// The validity of the concatenation, or null when no part has a null.
std::shared_ptr<Buffer> ConcatValidity(const std::vector<ArraySlice>& parts, int64_t total, int64_t* nulls) {
  *nulls = 0;
  bool any = false;
  for (const ArraySlice& p : parts) any |= p.data->null_count != 0 && BufferData(*p.data, 0) != nullptr;
  if (!any) return nullptr;
  auto out = Buffer::Allocate(BytesForBits(total));
  uint8_t* bits = out->mutable_data();
  int64_t at = 0;
  for (const ArraySlice& p : parts) {
    const uint8_t* v = BufferData(*p.data, 0);
    const int64_t from = p.data->offset + p.begin;
    for (int64_t i = 0; i < p.length; ++i) {
      const bool valid = v == nullptr || GetBit(v, from + i);
      if (valid) SetBit(bits, at + i);
      *nulls += !valid;
    }
    at += p.length;
  }
  return out;
}

// Rebased offsets of lists or strings, and the child/data ranges they use.
Result<std::shared_ptr<Buffer>> ConcatOffsets(const std::vector<ArraySlice>& parts, int64_t total,
                                              std::vector<ArraySlice>* ranges) {
  auto out = Buffer::Allocate((total + 1) * 4);
  auto* o = reinterpret_cast<int32_t*>(out->mutable_data());
  int64_t at = 0, base = 0;
  for (const ArraySlice& p : parts) {
    const int32_t* in = reinterpret_cast<const int32_t*>(BufferData(*p.data, 1)) + p.data->offset + p.begin;
    const int64_t first = p.length ? in[0] : 0, last = p.length ? in[p.length] : 0;
    for (int64_t i = 0; i < p.length; ++i) o[at + i] = int32_t(base + in[i] - first);
    at += p.length;
    base += last - first;
    if (base > std::numeric_limits<int32_t>::max()) {
      return Status::NotSupported("concatenation holds more than 2^31 values or bytes in one array");
    }
    ranges->push_back({p.data, first, last - first});
  }
  o[total] = int32_t(base);
  return out;
}

Status ConcatValues(const DataType& type, const std::vector<ArraySlice>& parts, int64_t total, ArrayData* out) {
  if (type.id == TypeId::kBool) {
    auto b = Buffer::Allocate(BytesForBits(total));
    int64_t at = 0;
    for (const ArraySlice& p : parts) {
      CopyBits(BufferData(*p.data, 1), p.data->offset + p.begin, b->mutable_data(), at, p.length);
      at += p.length;
    }
    out->buffers.push_back(std::move(b));
  } else if (IsVarLength(type.id)) {
    std::vector<ArraySlice> bytes;
    QUIVER_ASSIGN_OR_RETURN(auto offsets, ConcatOffsets(parts, total, &bytes));
    const int64_t size = reinterpret_cast<const int32_t*>(offsets->data())[total];
    auto data = Buffer::Allocate(size);
    int64_t at = 0;
    for (const ArraySlice& r : bytes) {
      if (r.length > 0) std::memcpy(data->mutable_data() + at, BufferData(*r.data, 2) + r.begin, size_t(r.length));
      at += r.length;
    }
    out->buffers.push_back(std::move(offsets));
    out->buffers.push_back(std::move(data));
  } else {
    const int w = ByteWidth(type);
    auto b = Buffer::Allocate(total * w);
    int64_t at = 0;
    for (const ArraySlice& p : parts) {
      if (p.length > 0) {
        std::memcpy(b->mutable_data() + at * w, BufferData(*p.data, 1) + (p.data->offset + p.begin) * w,
                    size_t(p.length * w));
      }
      at += p.length;
    }
    out->buffers.push_back(std::move(b));
  }
  return Status::OK();
}

}  // namespace

Result<std::shared_ptr<ArrayData>> ConcatenateArrays(const DataType& type, const std::vector<ArraySlice>& parts) {
  if (type.is_dictionary()) {
    return Status::NotSupported("ConcatenateArrays of dictionary columns (re-encode them)");
  }
  auto out = std::make_shared<ArrayData>();
  out->type = type;
  for (const ArraySlice& p : parts) out->length += p.length;
  const int64_t total = out->length;
  if (type.id == TypeId::kNull) {
    out->null_count = total;
    out->buffers = {NullBitmap(total)};
    return out;
  }
  out->buffers.push_back(ConcatValidity(parts, total, &out->null_count));
  if (!type.is_nested()) {
    QUIVER_RETURN_NOT_OK(ConcatValues(type, parts, total, out.get()));
    return out;
  }
  std::vector<std::vector<ArraySlice>> kids(type.num_children());
  if (type.id == TypeId::kList || type.id == TypeId::kMap) {
    QUIVER_ASSIGN_OR_RETURN(auto offsets, ConcatOffsets(parts, total, &kids[0]));
    for (ArraySlice& r : kids[0]) r.data = r.data->children[0].get();
    out->buffers.push_back(std::move(offsets));
  } else {
    // Struct and fixed-size list: the parent's offset applies to children.
    const int64_t per = type.id == TypeId::kFixedSizeList ? type.list_size : 1;
    for (const ArraySlice& p : parts) {
      for (size_t k = 0; k < kids.size(); ++k) {
        kids[k].push_back({p.data->children[k].get(), (p.data->offset + p.begin) * per, p.length * per});
      }
    }
  }
  for (size_t k = 0; k < kids.size(); ++k) {
    QUIVER_ASSIGN_OR_RETURN(auto child, ConcatenateArrays(type.child(k).type, kids[k]));
    out->children.push_back(std::move(child));
  }
  return out;
}

}  // namespace quiver
