#include <catch2/catch.hpp>

#include <random>

#include "columnar/builder.h"
#include "kernels/aggregate.h"
#include "kernels/dispatch.h"
#include "kernels/take.h"
#include "random_data.h"

namespace qk = quiver::kernels;
using quiver::DataType;
using quiver::TypeId;
using qk::testing::RandomColumn;

namespace {

std::vector<DataType> AllTypes() {
  std::vector<DataType> t = qk::testing::FixedTypes();
  t.push_back(DataType(TypeId::kBool));
  t.push_back(DataType(TypeId::kUtf8));
  t.push_back(DataType(TypeId::kBinary));
  t.push_back(DataType::Dictionary(TypeId::kInt8));
  t.push_back(DataType::Dictionary(TypeId::kInt32));
  return t;
}

void CheckTaken(const qk::testing::TestColumn& col, const quiver::SelectionVector& rows,
                const std::shared_ptr<quiver::ArrayData>& out) {
  REQUIRE(out->length == int64_t(rows.size()));
  CHECK(out->offset == 0);
  CHECK(out->type == *col.view.type);
  quiver::ArrayView v = out->View();
  quiver::ArrayView dict_view;
  if (out->dictionary) {
    dict_view = out->dictionary->View();
    v.dictionary = &dict_view;
  }
  int64_t nulls = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    quiver::kernels::Scalar want = qk::ValueAt(col.view, rows[i]);
    quiver::kernels::Scalar got = qk::ValueAt(v, int64_t(i));
    nulls += v.IsNull(int64_t(i));
    if (!(want == got)) {
      FAIL_CHECK("row " << i << " (source row " << rows[i] << "): got " << got.ToString() << " want "
                        << want.ToString());
      return;
    }
  }
  CHECK(out->null_count == nulls);
  for (const auto& b : out->buffers) {
    if (b) CHECK(reinterpret_cast<uintptr_t>(b->data()) % 64 == 0);
  }
}

}  // namespace

TEST_CASE("Take gathers any column type into new aligned buffers", "[kernels]") {
  uint64_t seed = 100;
  for (const DataType& type : AllTypes()) {
    for (int64_t n : qk::testing::TestLengths()) {
      for (double null_prob : {0.0, 0.3, 1.0}) {
        auto col = RandomColumn(type, n, 3, null_prob, ++seed);
        std::mt19937_64 rng(seed);
        quiver::SelectionVector rows;
        if (n > 0) {
          for (int i = 0; i < int(n / 2) + 1; ++i) rows.push_back(int32_t(rng() % uint64_t(n)));
        }
        INFO(type.ToString() << " n=" << n << " nulls=" << null_prob);
        auto out = qk::Take(col.view, rows);
        REQUIRE(out.ok());
        CheckTaken(col, rows, *out);
        // Shared dictionary instead of a copy.
        if (col.dict_data) {
          auto shared = qk::Take(col.view, rows, col.dict_data);
          REQUIRE(shared.ok());
          CHECK((*shared)->dictionary == col.dict_data);
        }
        // Filter with a mask of every third row.
        qk::Mask m = qk::Mask::AllFalse(n);
        quiver::SelectionVector every_third;
        for (int32_t i = 0; i < n; i += 3) {
          m.is_true[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
          every_third.push_back(i);
        }
        auto filtered = qk::Filter(col.view, m);
        REQUIRE(filtered.ok());
        CheckTaken(col, every_third, *filtered);
      }
    }
  }
}

TEST_CASE("Take copies strings of every length exactly, the last one at the data's end too",
          "[kernels]") {
  // Lengths 0..150 (short strings are copied as one block, longer ones
  // byte-exact), each string's bytes distinct, the column sliced so that
  // its last row ends where the data buffer ends.
  quiver::ArrayBuilder b{DataType(TypeId::kUtf8)};
  std::vector<std::string> values;
  for (int i = 0; i < 151; ++i) {
    std::string v;
    for (int j = 0; j < i; ++j) v += char('a' + (i * 7 + j) % 26);
    values.push_back(v);
    b.AppendString(v);
  }
  auto data = b.Finish();
  REQUIRE(data.ok());
  quiver::ArrayView view = (*data)->View();
  view.offset = 1;
  view.length = 150;
  std::mt19937_64 rng(7);
  quiver::SelectionVector rows;
  for (int i = 0; i < 400; ++i) rows.push_back(int32_t(rng() % 150));
  rows.push_back(149);  // the longest, at the very end of the bytes
  rows.push_back(0);
  auto out = qk::Take(view, rows);
  REQUIRE(out.ok());
  quiver::ArrayView v = (*out)->View();
  int64_t total = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    INFO(i);
    CHECK(v.StringValue(int64_t(i)) == values[size_t(rows[i]) + 1]);
    total += int64_t(values[size_t(rows[i]) + 1].size());
  }
  // The data buffer holds exactly the strings, and its padding is zeros.
  const auto& bytes = (*out)->buffers[2];
  CHECK(bytes->size() == total);
  for (int64_t i = total; i < quiver::RoundUp64(total); ++i) CHECK(bytes->data()[i] == 0);
}

TEST_CASE("Take rejects rows outside the column", "[kernels]") {
  auto col = RandomColumn(DataType(TypeId::kInt32), 10, 0, 0.0, 1);
  CHECK(qk::Take(col.view, {0, 10}).status().code() == quiver::StatusCode::kInvalidArgument);
  CHECK(qk::Take(col.view, {-1}).status().code() == quiver::StatusCode::kInvalidArgument);
  CHECK_FALSE(qk::Filter(col.view, qk::Mask::AllTrue(9)).ok());
}

TEST_CASE("Scatter puts each row where the selection says and NULL elsewhere", "[kernels]") {
  uint64_t seed = 700;
  for (const DataType& type : AllTypes()) {
    for (int64_t n : {int64_t(0), int64_t(1), int64_t(65), int64_t(1000)}) {
      for (double null_prob : {0.0, 0.3}) {
        // A sliced column (offset 3), as a kernel's result can be.
        auto col = RandomColumn(type, n, 3, null_prob, ++seed);
        std::mt19937_64 rng(seed);
        const int64_t length = 2 * n + 5;
        quiver::SelectionVector rows;
        for (int64_t r = 0; r < length && int64_t(rows.size()) < n; ++r) {
          if (length - r == n - int64_t(rows.size()) || rng() % 2) rows.push_back(int32_t(r));
        }
        REQUIRE(int64_t(rows.size()) == n);
        INFO(type.ToString() << " n=" << n << " nulls=" << null_prob);
        auto out = qk::Scatter(col.data, rows, length);
        REQUIRE(out.ok());
        REQUIRE((*out)->length == length);
        quiver::ArrayView v = (*out)->View();
        quiver::ArrayView dict_view;
        if ((*out)->dictionary) {
          dict_view = (*out)->dictionary->View();
          v.dictionary = &dict_view;
        }
        size_t k = 0;
        int64_t nulls = 0;
        for (int64_t r = 0; r < length; ++r) {
          nulls += v.IsNull(r);
          if (k < rows.size() && rows[k] == r) {
            CHECK(qk::ValueAt(v, r) == qk::ValueAt(col.view, int64_t(k)));
            ++k;
          } else {
            CHECK(v.IsNull(r));
          }
        }
        CHECK((*out)->null_count == nulls);
      }
    }
  }
  auto col = RandomColumn(DataType(TypeId::kInt32), 3, 0, 0.0, 1);
  CHECK(qk::Scatter(col.data, {0, 1}, 5).status().code() == quiver::StatusCode::kInvalidArgument);
  CHECK(qk::Scatter(col.data, {0, 2, 1}, 5).status().code() == quiver::StatusCode::kInvalidArgument);
  CHECK(qk::Scatter(col.data, {0, 1, 5}, 5).status().code() == quiver::StatusCode::kInvalidArgument);
}
