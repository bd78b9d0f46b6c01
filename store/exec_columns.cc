// Result columns: dictionary indices widened to int32, concatenation of
// per-chunk pieces, and cutting columns into output batches.
#include <algorithm>
#include <cstring>
#include <string>

#include "columnar/builder.h"
#include "store/exec_internal.h"

namespace quiver::store::internal {

DataType ResultType(const DataType& t) {
  if (!t.is_dictionary()) return t;
  DataType r = DataType::Dictionary(TypeId::kInt32, t.id);
  return r;
}

// A dictionary column with int32 indices (the dictionary is shared).
Result<std::shared_ptr<ArrayData>> WidenDictionary(const std::shared_ptr<ArrayData>& col) {
  if (!col->type.is_dictionary() || col->type.dict_index == TypeId::kInt32) return col;
  ArrayView v = col->View();
  auto out = std::make_shared<ArrayData>();
  out->type = ResultType(col->type);
  out->length = col->length;
  out->null_count = col->null_count;
  out->dictionary = col->dictionary;
  std::shared_ptr<Buffer> validity;
  if (col->null_count > 0 && v.validity != nullptr) {
    validity = Buffer::Allocate(BytesForBits(col->length));
    kernels::CopyBitmap(v.validity, v.offset, col->length,
                        reinterpret_cast<uint64_t*>(validity->mutable_data()));
  }
  auto idx = Buffer::Allocate(col->length * 4);
  int32_t* p = reinterpret_cast<int32_t*>(idx->mutable_data());
  for (int64_t i = 0; i < col->length; ++i) p[i] = v.IsValid(i) ? int32_t(v.DictIndex(i)) : 0;
  out->buffers = {validity, idx};
  return out;
}

namespace {

// Appends bits [off, off+n) of `src` (null = all set) at bit `at` of `dst`.
void AppendBits(const uint8_t* src, int64_t off, int64_t n, uint8_t* dst, int64_t at) {
  for (int64_t i = 0; i < n; ++i) {
    if (src == nullptr || GetBit(src, off + i)) SetBit(dst, at + i);
  }
}

}  // namespace

// Concatenates columns of one type. Dictionary columns get one dictionary
// (shared when every part shares it, else merged) and int32 indices.
Result<std::shared_ptr<ArrayData>> Concat(const DataType& type,
                                          const std::vector<std::shared_ptr<ArrayData>>& parts) {
  int64_t n = 0, nulls = 0;
  for (const auto& p : parts) {
    n += p->length;
    nulls += p->null_count;
  }
  if (type.id == TypeId::kNull) {
    auto out = std::make_shared<ArrayData>();
    out->type = type;
    out->length = out->null_count = n;
    out->buffers = {NullBitmap(n)};
    return out;
  }
  if (parts.size() == 1 && (!type.is_dictionary() || parts[0]->type.dict_index == TypeId::kInt32)) {
    return parts[0];
  }
  if (type.is_dictionary()) {
    bool shared = !parts.empty();
    for (const auto& p : parts) shared &= p->dictionary == parts[0]->dictionary;
    if (!shared) {
      ArrayBuilder b(ResultType(type));
      b.Reserve(n);
      for (const auto& p : parts) {
        ArrayView v = p->View();
        ArrayView d = p->dictionary->View();
        for (int64_t i = 0; i < v.length; ++i) {
          if (!v.IsValid(i)) {
            b.AppendNull();
            continue;
          }
          const int64_t x = v.DictIndex(i);
          if (x < 0 || x >= d.length || !d.IsValid(x)) {
            b.AppendNull();
          } else {
            b.AppendString(d.StringValue(x));
          }
        }
      }
      return b.Finish();
    }
  }
  auto out = std::make_shared<ArrayData>();
  out->type = type.is_dictionary() ? ResultType(type) : type;
  out->length = n;
  out->null_count = nulls;
  std::shared_ptr<Buffer> validity;
  if (nulls > 0) {
    validity = Buffer::Allocate(BytesForBits(n));
    int64_t at = 0;
    for (const auto& p : parts) {
      ArrayView v = p->View();
      AppendBits(p->null_count > 0 ? v.validity : nullptr, v.offset, v.length,
                 validity->mutable_data(), at);
      at += v.length;
    }
  }
  if (type.is_dictionary()) {
    auto idx = Buffer::Allocate(n * 4);
    int32_t* q = reinterpret_cast<int32_t*>(idx->mutable_data());
    for (const auto& p : parts) {
      ArrayView v = p->View();
      for (int64_t i = 0; i < v.length; ++i) *q++ = v.IsValid(i) ? int32_t(v.DictIndex(i)) : 0;
    }
    out->buffers = {validity, idx};
    out->dictionary = parts[0]->dictionary;
    return out;
  }
  if (type.id == TypeId::kBool) {
    auto bits = Buffer::Allocate(BytesForBits(n));
    int64_t at = 0;
    for (const auto& p : parts) {
      ArrayView v = p->View();
      for (int64_t i = 0; i < v.length; ++i) {
        if (v.BoolValue(i)) SetBit(bits->mutable_data(), at + i);
      }
      at += v.length;
    }
    out->buffers = {validity, bits};
    return out;
  }
  if (IsVarLength(type.id)) {
    int64_t bytes = 0;
    for (const auto& p : parts) {
      ArrayView v = p->View();
      if (v.length > 0) bytes += v.offsets[v.offset + v.length] - v.offsets[v.offset];
    }
    if (bytes > INT32_MAX) {
      return Status::ResourceExhausted("a result column holds more than 2 GiB of string data (" +
                                       std::to_string(bytes) + " bytes); add a LIMIT");
    }
    auto offs = Buffer::Allocate((n + 1) * 4);
    auto data = Buffer::Allocate(std::max<int64_t>(bytes, 1));
    int32_t* o = reinterpret_cast<int32_t*>(offs->mutable_data());
    uint8_t* d = data->mutable_data();
    int32_t pos = 0;
    int64_t row = 0;
    for (const auto& p : parts) {
      ArrayView v = p->View();
      if (v.length == 0) continue;
      const int32_t* src = v.offsets + v.offset;
      const int32_t base = src[0];
      const int32_t len = src[v.length] - base;
      std::memcpy(d + pos, v.values + base, size_t(len));
      for (int64_t i = 0; i < v.length; ++i) o[row + i] = pos + (src[i] - base);
      pos += len;
      row += v.length;
    }
    o[n] = pos;
    data->Truncate(bytes);
    out->buffers = {validity, offs, data};
    return out;
  }
  const int w = ByteWidth(type);
  auto values = Buffer::Allocate(n * w);
  int64_t at = 0;
  for (const auto& p : parts) {
    ArrayView v = p->View();
    if (v.length > 0)
      std::memcpy(values->mutable_data() + at * w, v.values + v.offset * w, size_t(v.length * w));
    at += v.length;
  }
  out->buffers = {validity, values};
  return out;
}

// Cuts columns into batches of at most batch_rows rows.
Result<std::vector<RecordBatch>> ToBatches(const std::shared_ptr<const Schema>& schema,
                                           std::vector<std::shared_ptr<ArrayData>> cols,
                                           int64_t rows, int64_t batch_rows) {
  RecordBatch whole;
  whole.schema = schema;
  whole.num_rows = rows;
  whole.columns = std::move(cols);
  std::vector<RecordBatch> out;
  if (rows <= batch_rows) {
    if (rows > 0) out.push_back(std::move(whole));
    return out;
  }
  for (int64_t at = 0; at < rows; at += batch_rows) {
    QUIVER_ASSIGN_OR_RETURN(RecordBatch b, SliceBatch(whole, at, std::min(batch_rows, rows - at)));
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace quiver::store::internal
