#include "columnar/builder.h"

#include <cassert>
#include <limits>

#include "columnar/half_float.h"
#include "columnar/ipc_internal.h"
#include "columnar/schema.h"

namespace quiver {

namespace {

std::shared_ptr<Buffer> ToBuffer(const void* data, int64_t size) {
  return Buffer::Copy(data, size);
}

std::shared_ptr<ArrayData> FinishVarLength(const DataType& type, int64_t length,
                                           const std::vector<int64_t>& offsets,
                                           const std::string& data) {
  auto out = std::make_shared<ArrayData>();
  out->type = type;
  out->length = length;
  auto off = Buffer::Allocate(int64_t(sizeof(int32_t)) * (length + 1));
  auto* o = reinterpret_cast<int32_t*>(off->mutable_data());
  for (int64_t i = 0; i <= length; ++i) o[i] = int32_t(offsets[size_t(i)]);
  out->buffers = {nullptr, std::move(off), ToBuffer(data.data(), int64_t(data.size()))};
  return out;
}

}  // namespace

ArrayBuilder::ArrayBuilder(DataType type) : type_(std::move(type)) {
  for (size_t k = 0; k < type_.num_children(); ++k) children_.emplace_back(type_.child(k).type);
  if (IsVarLength(type_.id) || type_.is_dictionary()) {
    offsets_.push_back(0);
    dict_offsets_.push_back(0);
  }
}

void ArrayBuilder::Reserve(int64_t additional) {
  int64_t n = length_ + additional;
  validity_.reserve(size_t(BytesForBits(n)));
  if (type_.is_dictionary()) {
    values_.reserve(size_t(n * ByteWidth(type_.dict_index)));
  } else if (IsVarLength(type_.id)) {
    offsets_.reserve(size_t(n + 1));
  } else if (type_.id == TypeId::kBool) {
    values_.reserve(size_t(BytesForBits(n)));
  } else {
    values_.reserve(size_t(n * ByteWidth(type_)));
  }
}

void ArrayBuilder::AppendValidity(bool valid) {
  if ((length_ & 7) == 0) validity_.push_back(0);
  if (valid) {
    SetBit(validity_.data(), length_);
  } else {
    ++null_count_;
  }
}

template <typename T>
void ArrayBuilder::AppendFixed(T v) {
  size_t n = values_.size();
  values_.resize(n + sizeof(T));
  std::memcpy(values_.data() + n, &v, sizeof(T));
}

void ArrayBuilder::AppendList() {
  assert(type_.id == TypeId::kList || type_.id == TypeId::kMap || type_.id == TypeId::kFixedSizeList);
  AppendValidity(true);
  if (type_.id != TypeId::kFixedSizeList) offsets_.push_back(children_[0].length());
  ++length_;
}

void ArrayBuilder::AppendStruct() {
  assert(type_.id == TypeId::kStruct);
  AppendValidity(true);
  ++length_;
}

void ArrayBuilder::AppendNull() {
  AppendValidity(false);
  if (type_.is_nested()) {
    if (type_.id == TypeId::kList || type_.id == TypeId::kMap) {
      offsets_.push_back(children_[0].length());
    } else {
      const int64_t per = type_.id == TypeId::kFixedSizeList ? type_.list_size : 1;
      for (ArrayBuilder& c : children_) {
        for (int64_t k = 0; k < per; ++k) c.AppendNull();
      }
    }
  } else if (type_.is_dictionary()) {
    values_.resize(values_.size() + size_t(ByteWidth(type_.dict_index)));
  } else if (IsVarLength(type_.id)) {
    offsets_.push_back(int64_t(data_.size()));
  } else if (type_.id == TypeId::kBool) {
    if ((length_ & 7) == 0) values_.push_back(0);
  } else {
    values_.resize(values_.size() + size_t(ByteWidth(type_)));
  }
  ++length_;
}

void ArrayBuilder::AppendBool(bool v) {
  assert(type_.id == TypeId::kBool);
  AppendValidity(true);
  if ((length_ & 7) == 0) values_.push_back(0);
  SetBitTo(values_.data(), length_, v);
  ++length_;
}

void ArrayBuilder::AppendInt(int64_t v) {
  assert(!type_.is_dictionary());
  if (type_.id == TypeId::kBool) {
    AppendBool(v != 0);
    return;
  }
  AppendValidity(true);
  switch (type_.id) {
    case TypeId::kInt8: AppendFixed(int8_t(v)); break;
    case TypeId::kInt16: AppendFixed(int16_t(v)); break;
    case TypeId::kInt32: case TypeId::kDate32: case TypeId::kTime32: AppendFixed(int32_t(v)); break;
    case TypeId::kInt64: case TypeId::kTimestamp: case TypeId::kDate64: case TypeId::kTime64:
    case TypeId::kDuration: AppendFixed(int64_t(v)); break;
    case TypeId::kUInt8: AppendFixed(uint8_t(v)); break;
    case TypeId::kUInt16: AppendFixed(uint16_t(v)); break;
    case TypeId::kUInt32: AppendFixed(uint32_t(v)); break;
    case TypeId::kUInt64: AppendFixed(uint64_t(v)); break;
    case TypeId::kFloat32: AppendFixed(float(v)); break;
    case TypeId::kFloat64: AppendFixed(double(v)); break;
    default: assert(false && "AppendInt on a non-numeric column");
  }
  ++length_;
}

void ArrayBuilder::AppendUInt(uint64_t v) {
  if (type_.id == TypeId::kUInt64) {
    AppendValidity(true);
    AppendFixed(v);
    ++length_;
  } else {
    AppendInt(int64_t(v));
  }
}

void ArrayBuilder::AppendBytes(const void* v) {
  assert(ByteWidth(type_) > 0 && !type_.is_dictionary());
  AppendValidity(true);
  size_t n = values_.size();
  values_.resize(n + size_t(ByteWidth(type_)));
  std::memcpy(values_.data() + n, v, size_t(ByteWidth(type_)));
  ++length_;
}

void ArrayBuilder::AppendDecimal(__int128 v) {
  assert(type_.is_decimal());
  uint8_t bytes[32];
  std::memcpy(bytes, &v, 16);
  std::memset(bytes + 16, v < 0 ? 0xFF : 0, 16);
  AppendBytes(bytes);
}

void ArrayBuilder::AppendDouble(double v) {
  AppendValidity(true);
  if (type_.id == TypeId::kFloat32) {
    AppendFixed(float(v));
  } else if (type_.id == TypeId::kFloat16) {
    AppendFixed(FloatToHalf(v));
  } else {
    assert(type_.id == TypeId::kFloat64);
    AppendFixed(v);
  }
  ++length_;
}

void ArrayBuilder::AppendString(std::string_view v) {
  if (type_.id == TypeId::kFixedSizeBinary) {
    assert(int64_t(v.size()) == type_.byte_width);
    AppendBytes(v.data());
    return;
  }
  assert(IsVarLength(type_.id));
  AppendValidity(true);
  if (type_.is_dictionary()) {
    auto [it, inserted] = dict_index_.try_emplace(std::string(v), int64_t(dict_index_.size()));
    if (inserted) {
      data_.append(v);
      dict_offsets_.push_back(int64_t(data_.size()));
    }
    int64_t idx = it->second;
    switch (ByteWidth(type_.dict_index)) {  // idx < MaxDictionarySize: the same bits signed or not
      case 1: AppendFixed(uint8_t(idx)); break;
      case 2: AppendFixed(uint16_t(idx)); break;
      case 4: AppendFixed(uint32_t(idx)); break;
      default: AppendFixed(uint64_t(idx)); break;
    }
  } else {
    data_.append(v);
    offsets_.push_back(int64_t(data_.size()));
  }
  ++length_;
}

Result<std::shared_ptr<ArrayData>> ArrayBuilder::Finish() {
  std::shared_ptr<ArrayData> out;
  if (type_.is_nested()) {
    out = std::make_shared<ArrayData>();
    out->type = type_;
    out->length = length_;
    out->buffers = {nullptr};
    int64_t need = length_;
    if (type_.id == TypeId::kList || type_.id == TypeId::kMap) {
      need = children_[0].length();
      if (need > std::numeric_limits<int32_t>::max()) {
        return Status::Overflow("list column of type " + type_.ToString() + " holds " + std::to_string(need) +
                                " values; at most 2^31-1 fit in one chunk");
      }
      auto off = Buffer::Allocate(4 * (length_ + 1));
      auto* o = reinterpret_cast<int32_t*>(off->mutable_data());
      for (int64_t i = 0; i < length_; ++i) o[i] = int32_t(offsets_[size_t(i)]);
      o[length_] = int32_t(need);
      out->buffers.push_back(std::move(off));
    } else if (type_.id == TypeId::kFixedSizeList) {
      need = length_ * type_.list_size;
    }
    for (size_t k = 0; k < children_.size(); ++k) {
      if (children_[k].length() != need) {
        return Status::Invalid("nested column of type " + type_.ToString() + ": child '" + type_.child(k).name +
                               "' has " + std::to_string(children_[k].length()) + " values, " +
                               std::to_string(need) + " expected");
      }
      QUIVER_ASSIGN_OR_RETURN(auto c, children_[k].Finish());
      out->children.push_back(std::move(c));
    }
    out->null_count = null_count_;
    if (null_count_ > 0) out->buffers[0] = ToBuffer(validity_.data(), int64_t(validity_.size()));
    *this = ArrayBuilder(type_);
    return out;
  }
  if (int64_t(data_.size()) > std::numeric_limits<int32_t>::max()) {
    return Status::Overflow("column of type " + type_.ToString() + " holds " +
                            std::to_string(data_.size()) + " bytes of string data; at most 2^31-1 fit in one chunk");
  }
  if (type_.is_dictionary()) {
    const int64_t max_values = MaxDictionarySize(type_.dict_index);
    int64_t n = int64_t(dict_index_.size());
    if (n > max_values) {
      return Status::Overflow("dictionary of " + std::to_string(n) + " distinct values does not fit " +
                              TypeIdName(type_.dict_index) + " indices");
    }
    out = std::make_shared<ArrayData>();
    out->type = type_;
    out->length = length_;
    out->buffers = {nullptr, ToBuffer(values_.data(), int64_t(values_.size()))};
    out->dictionary = FinishVarLength(type_.value_type(), n, dict_offsets_, data_);
  } else if (IsVarLength(type_.id)) {
    out = FinishVarLength(type_, length_, offsets_, data_);
  } else if (type_.id == TypeId::kNull) {
    out = std::make_shared<ArrayData>();
    out->type = type_;
    out->length = length_;
    out->null_count = length_;
    out->buffers = {NullBitmap(length_)};
    *this = ArrayBuilder(type_);
    return out;
  } else {
    out = std::make_shared<ArrayData>();
    out->type = type_;
    out->length = length_;
    out->buffers = {nullptr, ToBuffer(values_.data(), int64_t(values_.size()))};
  }
  out->null_count = null_count_;
  if (null_count_ > 0) out->buffers[0] = ToBuffer(validity_.data(), int64_t(validity_.size()));
  *this = ArrayBuilder(type_);
  return out;
}

RecordBatchBuilder::RecordBatchBuilder(std::shared_ptr<const Schema> schema)
    : schema_(std::move(schema)) {
  for (const Field& f : schema_->fields()) columns_.emplace_back(f.type);
}

Result<RecordBatch> RecordBatchBuilder::Finish() {
  RecordBatch batch;
  batch.schema = schema_;
  batch.num_rows = columns_.empty() ? 0 : columns_[0].length();
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].length() != batch.num_rows) {
      return Status::Invalid("column '" + schema_->field(i).name + "' has " +
                             std::to_string(columns_[i].length()) + " rows, expected " +
                             std::to_string(batch.num_rows));
    }
    QUIVER_ASSIGN_OR_RETURN(auto col, columns_[i].Finish());
    batch.columns.push_back(std::move(col));
  }
  return batch;
}

int64_t ComputeNullCount(const ArrayData& data) {
  if (data.buffers.empty() || data.buffers[0] == nullptr) return 0;
  return data.length - ipc_internal::CountSetBits(data.buffers[0]->data(), data.offset, data.length);
}

Result<RecordBatch> SliceBatch(const RecordBatch& batch, int64_t offset, int64_t length) {
  if (offset < 0 || length < 0 || offset > batch.num_rows || length > batch.num_rows - offset) {
    return Status::Invalid("slice [" + std::to_string(offset) + ", +" + std::to_string(length) +
                           ") outside a batch of " + std::to_string(batch.num_rows) + " rows");
  }
  RecordBatch out;
  out.schema = batch.schema;
  out.num_rows = length;
  for (const auto& col : batch.columns) {
    auto c = std::make_shared<ArrayData>(*col);
    c->offset = col->offset + offset;
    c->length = length;
    c->null_count = ComputeNullCount(*c);
    out.columns.push_back(std::move(c));
  }
  return out;
}

namespace {

// One array's buffers and children cover its rows [offset, offset + length).
Status ValidateArray(const ArrayData* c, const DataType& type, const std::string& name) {
  auto bad = [&](const std::string& what) { return Status::Invalid("column '" + name + "': " + what); };
  if (c == nullptr) return bad("missing");
  if (!(c->type == type)) return bad("type " + c->type.ToString() + " differs from schema type " + type.ToString());
  if (c->offset < 0 || c->length < 0) return bad("negative offset or length");
  const int64_t end = c->offset + c->length;
  if (type.id == TypeId::kNull) {
    if (c->buffers.empty() || !c->buffers[0] || c->buffers[0]->size() < BytesForBits(end)) {
      return bad("null column without its (zeroed) validity bitmap");
    }
    return Status::OK();
  }
  if (c->buffers.empty()) return bad("has no buffers");
  if (c->buffers[0] && c->buffers[0]->size() < BytesForBits(end)) return bad("validity bitmap too short");
  if (type.is_nested()) {
    if (c->children.size() != type.num_children()) {
      return bad("has " + std::to_string(c->children.size()) + " children, type needs " + std::to_string(type.num_children()));
    }
    int64_t need = end;  // child values the rows use
    if (type.id == TypeId::kList || type.id == TypeId::kMap) {
      if (c->buffers.size() < 2 || !c->buffers[1] || c->buffers[1]->size() < (end + 1) * 4) return bad("list offsets buffer too short");
      const int32_t* o = c->buffers[1]->data_as<int32_t>();
      for (int64_t i = c->offset; i < end; ++i) {
        if (o[i + 1] < o[i]) return bad("list offsets decrease at row " + std::to_string(i - c->offset));
      }
      if (o[c->offset] < 0) return bad("negative list offset");
      need = o[end];
    } else if (type.id == TypeId::kFixedSizeList) {
      need = end * int64_t(type.list_size);
    }
    for (size_t k = 0; k < type.num_children(); ++k) {
      const ArrayData* child = c->children[k].get();
      QUIVER_RETURN_NOT_OK(ValidateArray(child, type.child(k).type, name + "." + type.child(k).name));
      if (child->length < need) {
        return bad("child '" + type.child(k).name + "' has " + std::to_string(child->length) + " values, rows need " +
                   std::to_string(need));
      }
    }
    return Status::OK();
  }
  const bool var = IsVarLength(type.id) && !type.is_dictionary();
  size_t want = var ? 3 : 2;
  if (c->buffers.size() < want) return bad("has " + std::to_string(c->buffers.size()) + " buffers, needs " + std::to_string(want));
  for (size_t b = 1; b < want; ++b) {
    if (!c->buffers[b] && !(var && b == 2)) return bad("buffer " + std::to_string(b) + " missing");
  }
  int64_t need = 0;
  if (type.is_dictionary()) {
    need = end * ByteWidth(type.dict_index);
    if (c->dictionary == nullptr) return bad("dictionary missing");
  } else if (var) {
    need = (end + 1) * 4;
  } else if (type.id == TypeId::kBool) {
    need = BytesForBits(end);
  } else {
    need = end * ByteWidth(type);
  }
  if (c->buffers[1]->size() < need) return bad("values buffer of " + std::to_string(c->buffers[1]->size()) + " bytes, needs " + std::to_string(need));
  if (var) {
    const int32_t* o = c->buffers[1]->data_as<int32_t>();
    int64_t data_size = c->buffers[2] ? c->buffers[2]->size() : 0;
    if (o[c->offset] < 0 || o[end] < o[c->offset] || o[end] > data_size) return bad("offsets outside the data buffer");
  }
  return Status::OK();
}

}  // namespace

Status ValidateBatch(const RecordBatch& batch) {
  if (batch.schema == nullptr) return Status::Invalid("record batch has no schema");
  const Schema& schema = *batch.schema;
  if (batch.columns.size() != schema.num_fields()) {
    return Status::Invalid("record batch has " + std::to_string(batch.columns.size()) +
                           " columns, schema has " + std::to_string(schema.num_fields()));
  }
  for (size_t i = 0; i < batch.columns.size(); ++i) {
    const Field& f = schema.field(i);
    QUIVER_RETURN_NOT_OK(ValidateArray(batch.columns[i].get(), f.type, f.name));
    if (batch.columns[i]->length != batch.num_rows) {
      return Status::Invalid("column '" + f.name + "': length " + std::to_string(batch.columns[i]->length) +
                             " differs from batch rows " + std::to_string(batch.num_rows));
    }
  }
  return Status::OK();
}

}  // namespace quiver
