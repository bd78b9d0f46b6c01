#include "columnar/array.h"

#include <cstdint>
#include <cstdlib>
#include <new>

namespace quiver {

std::shared_ptr<Buffer> Buffer::AllocateUninitialized(int64_t size) {
  auto b = std::shared_ptr<Buffer>(new Buffer());
  const int64_t used = size > 0 ? size : 0;
  const int64_t padded = RoundUp64(used > 0 ? used : 1);
  void* p = std::aligned_alloc(kBufferAlignment, size_t(padded));
  if (p == nullptr) throw std::bad_alloc();
  std::memset(static_cast<uint8_t*>(p) + used, 0, size_t(padded - used));
  b->data_ = static_cast<uint8_t*>(p);
  b->size_ = size;
  b->owned_ = true;
  return b;
}

std::shared_ptr<Buffer> Buffer::Allocate(int64_t size) {
  auto b = AllocateUninitialized(size);
  if (size > 0) std::memset(b->mutable_data(), 0, size_t(size));
  return b;
}

std::shared_ptr<Buffer> Buffer::Wrap(const uint8_t* data, int64_t size,
                                     std::shared_ptr<const void> owner) {
  auto b = std::shared_ptr<Buffer>(new Buffer());
  b->data_ = data;
  b->size_ = size;
  b->owner_ = std::move(owner);
  return b;
}

std::shared_ptr<Buffer> Buffer::Copy(const void* data, int64_t size) {
  auto b = AllocateUninitialized(size);
  if (size > 0) std::memcpy(b->mutable_data(), data, size_t(size));
  return b;
}

Buffer::~Buffer() {
  if (owned_) std::free(const_cast<uint8_t*>(data_));
}

std::shared_ptr<Buffer> NullBitmap(int64_t length) { return Buffer::Allocate(BytesForBits(length)); }

ArrayView ArrayData::View() const {
  ArrayView v;
  v.type = &type;
  v.length = length;
  v.offset = offset;
  v.null_count = null_count;
  auto buf = [&](size_t i) -> const uint8_t* {
    return i < buffers.size() && buffers[i] ? buffers[i]->data() : nullptr;
  };
  v.validity = buf(0);
  if (type.id == TypeId::kList || type.id == TypeId::kMap) {
    v.offsets = reinterpret_cast<const int32_t*>(buf(1));
  } else if (type.is_nested()) {
    // validity only; children are wired by ColumnViews
  } else if (IsVarLength(type.id) && !type.is_dictionary()) {
    v.offsets = reinterpret_cast<const int32_t*>(buf(1));
    v.values = buf(2);
  } else {
    v.values = buf(1);
    if (type.id == TypeId::kFixedSizeBinary) v.byte_width = type.byte_width;
  }
  return v;
}

ColumnViews::ColumnViews(const std::vector<std::shared_ptr<ArrayData>>& columns) {
  views_.resize(columns.size());
  dicts_.resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == nullptr) continue;  // a column not read (a default view)
    views_[i] = columns[i]->View();
    if (columns[i]->dictionary) {
      dicts_[i] = columns[i]->dictionary->View();
      views_[i].dictionary = &dicts_[i];
    }
    if (!columns[i]->children.empty()) WireNested(*columns[i], &views_[i]);
  }
}

void ColumnViews::WireNested(const ArrayData& data, ArrayView* view) {
  const size_t n = data.children.size();
  nested_.push_back(std::make_unique<ArrayView[]>(n));
  ArrayView* kids = nested_.back().get();
  for (size_t k = 0; k < n; ++k) {
    const ArrayData& child = *data.children[k];
    kids[k] = child.View();
    if (child.dictionary) {
      nested_.push_back(std::make_unique<ArrayView[]>(1));
      nested_.back()[0] = child.dictionary->View();
      kids[k].dictionary = &nested_.back()[0];
    }
    if (!child.children.empty()) WireNested(child, &kids[k]);
  }
  view->children = kids;
  view->num_children = int32_t(n);
}

int64_t ArrayView::DictIndex(int64_t i) const {
  switch (type->dict_index) {
    case TypeId::kInt8: return data<int8_t>()[i];
    case TypeId::kInt16: return data<int16_t>()[i];
    case TypeId::kInt32: return data<int32_t>()[i];
    case TypeId::kInt64: return data<int64_t>()[i];
    case TypeId::kUInt8: return data<uint8_t>()[i];
    case TypeId::kUInt16: return data<uint16_t>()[i];
    case TypeId::kUInt32: return data<uint32_t>()[i];
    case TypeId::kUInt64: {  // past int64: -1, out of every dictionary
      const uint64_t x = data<uint64_t>()[i];
      return x > uint64_t(INT64_MAX) ? -1 : int64_t(x);
    }
    default: return -1;
  }
}

}  // namespace quiver
