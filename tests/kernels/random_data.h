// Random columns for the kernels tests: every type, with NULLs, sliced so
// that views start at a non-zero offset.
#pragma once

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "kernels/aggregate.h"

namespace quiver::kernels::testing {

// A column and the views that point into it. view.dictionary points at
// dict_view: after moving a TestColumn, point it again.
struct TestColumn {
  std::shared_ptr<ArrayData> data;
  std::shared_ptr<ArrayData> dict_data;
  ArrayView dict_view;
  ArrayView view;
};

inline const std::vector<DataType>& FixedTypes() {
  static const std::vector<DataType> types = {
      DataType(TypeId::kInt8),    DataType(TypeId::kInt16),   DataType(TypeId::kInt32),
      DataType(TypeId::kInt64),   DataType(TypeId::kUInt8),   DataType(TypeId::kUInt16),
      DataType(TypeId::kUInt32),  DataType(TypeId::kUInt64),  DataType(TypeId::kFloat32),
      DataType(TypeId::kFloat64), DataType(TypeId::kDate32),  DataType::Timestamp(TimeUnit::kMilli)};
  return types;
}

template <typename T>
T RandomValue(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> pick(0, 99);
  int p = pick(rng);
  if constexpr (std::is_floating_point_v<T>) {
    if (p == 0) return std::numeric_limits<T>::quiet_NaN();
    if (p == 1) return T(-0.0);
    return T(std::uniform_int_distribution<int>(-40, 40)(rng)) / T(2);
  } else {
    if (p == 0) return std::numeric_limits<T>::min();
    if (p == 1) return std::numeric_limits<T>::max();
    if constexpr (std::is_unsigned_v<T>) {
      return T(std::uniform_int_distribution<int>(0, 40)(rng));
    } else {
      return T(std::uniform_int_distribution<int>(-20, 20)(rng));
    }
  }
}

inline std::string RandomString(std::mt19937_64& rng) {
  static const char* kPieces[] = {"a", "b", "c", "%", "_", "\xc3\xa9", "ab", "ba"};
  int len = std::uniform_int_distribution<int>(0, 5)(rng);
  std::string s;
  for (int i = 0; i < len; ++i) s += kPieces[std::uniform_int_distribution<int>(0, 7)(rng)];
  return s;
}

inline std::shared_ptr<Buffer> RandomValidity(int64_t n, double null_prob, std::mt19937_64& rng,
                                              int64_t* null_count) {
  auto v = Buffer::Allocate(BytesForBits(n));
  std::bernoulli_distribution is_null(null_prob);
  *null_count = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (is_null(rng)) {
      ++*null_count;
    } else {
      SetBit(v->mutable_data(), i);
    }
  }
  return v;
}

// Drops the first `offset` rows from the view by Arrow offset (no copy).
inline void Slice(TestColumn* c, int64_t offset) {
  auto d = std::make_shared<ArrayData>(*c->data);
  d->offset = offset;
  d->length = c->data->length - offset;
  d->null_count = 0;
  if (d->buffers[0]) {
    for (int64_t i = 0; i < d->length; ++i) d->null_count += !GetBit(d->buffers[0]->data(), offset + i);
  }
  c->data = d;
  c->view = d->View();
  if (c->dict_data) c->view.dictionary = &c->dict_view;
}

// `n` visible rows after an offset of `offset` rows.
inline TestColumn RandomColumn(const DataType& type, int64_t n, int64_t offset, double null_prob,
                               uint64_t seed, int dict_size = 7) {
  std::mt19937_64 rng(seed);
  const int64_t total = n + offset;
  TestColumn c;
  c.data = std::make_shared<ArrayData>();
  c.data->type = type;
  c.data->length = total;
  auto validity = RandomValidity(total, null_prob, rng, &c.data->null_count);
  if (type.is_dictionary()) {
    std::vector<Scalar> words;
    for (int i = 0; i < dict_size; ++i) words.push_back(Scalar::String("w" + std::to_string(i) + RandomString(rng)));
    if (dict_size > 2 && seed % 3 == 0) words[1] = Scalar::Null();  // a NULL entry
    c.dict_data = ScalarsToArray(words, DataType(TypeId::kUtf8)).value();
    c.dict_view = c.dict_data->View();
    c.data->dictionary = c.dict_data;
    int w = ByteWidth(type.dict_index);
    auto idx = Buffer::Allocate(total * w);
    for (int64_t i = 0; i < total; ++i) {
      int64_t k = std::uniform_int_distribution<int>(0, dict_size - 1)(rng);
      std::memcpy(idx->mutable_data() + i * w, &k, size_t(w));  // little-endian
    }
    c.data->buffers = {validity, idx};
  } else if (type.id == TypeId::kUtf8 || type.id == TypeId::kBinary) {
    std::vector<Scalar> vals;
    for (int64_t i = 0; i < total; ++i) vals.push_back(Scalar::String(RandomString(rng)));
    auto tmp = ScalarsToArray(vals, type).value();
    c.data->buffers = {validity, tmp->buffers[1], tmp->buffers[2]};
  } else if (type.id == TypeId::kBool) {
    auto bits = Buffer::Allocate(BytesForBits(total));
    for (int64_t i = 0; i < total; ++i) {
      if (rng() & 1) SetBit(bits->mutable_data(), i);
    }
    c.data->buffers = {validity, bits};
  } else {
    int w = ByteWidth(type.id);
    auto buf = Buffer::Allocate(total * w);
    auto fill = [&](auto tag) {
      using T = decltype(tag);
      T* p = reinterpret_cast<T*>(buf->mutable_data());
      for (int64_t i = 0; i < total; ++i) p[i] = RandomValue<T>(rng);
    };
    switch (type.id) {
      case TypeId::kInt8: fill(int8_t{}); break;
      case TypeId::kInt16: fill(int16_t{}); break;
      case TypeId::kInt32: case TypeId::kDate32: fill(int32_t{}); break;
      case TypeId::kInt64: case TypeId::kTimestamp: fill(int64_t{}); break;
      case TypeId::kUInt8: fill(uint8_t{}); break;
      case TypeId::kUInt16: fill(uint16_t{}); break;
      case TypeId::kUInt32: fill(uint32_t{}); break;
      case TypeId::kUInt64: fill(uint64_t{}); break;
      case TypeId::kFloat32: fill(float{}); break;
      case TypeId::kFloat64: fill(double{}); break;
      default: break;
    }
    c.data->buffers = {validity, buf};
  }
  if (c.data->null_count == 0) c.data->buffers[0] = nullptr;
  c.view = c.data->View();
  if (c.dict_data) c.view.dictionary = &c.dict_view;
  if (offset > 0) Slice(&c, offset);
  return c;
}

// A runner of n tasks one after the other, stopping at the first error
// (for FinalizeAll and the other calls that take the query's task runner).
inline Status Serial(int64_t n, const std::function<Status(int64_t)>& fn) {
  for (int64_t i = 0; i < n; ++i) {
    Status s = fn(i);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

// Lengths around the vector widths, and a larger one.
inline const std::vector<int64_t>& TestLengths() {
  static const std::vector<int64_t> lengths = {0, 1, 7, 63, 64, 65, 130, 1000, 3001};
  return lengths;
}

}  // namespace quiver::kernels::testing
