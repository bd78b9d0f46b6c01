#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>

#include "kernels/aggregate.h"
#include "kernels/sort.h"
#include "random_data.h"

namespace qk = quiver::kernels;
using quiver::DataType;
using quiver::TypeId;
using qk::SortKey;
using qk::testing::RandomColumn;

namespace {

// Stable sort through Scalars: a different code path from the kernel's.
quiver::SelectionVector Reference(const std::vector<quiver::ArrayView>& cols, const std::vector<SortKey>& keys,
                                  quiver::SelectionVector rows) {
  std::stable_sort(rows.begin(), rows.end(), [&](int32_t a, int32_t b) {
    for (const SortKey& k : keys) {
      qk::Scalar x = qk::ValueAt(cols[size_t(k.column)], a), y = qk::ValueAt(cols[size_t(k.column)], b);
      if (x.is_null() || y.is_null()) {
        if (x.is_null() && y.is_null()) continue;
        return x.is_null() == k.nulls_first;
      }
      int c = qk::CompareScalars(x, y);
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return false;
  });
  return rows;
}

}  // namespace

TEST_CASE("Sort and top-k order by several keys, asc/desc, NULLS FIRST/LAST, stably", "[kernels]") {
  std::vector<std::vector<DataType>> key_sets = {
      {DataType(TypeId::kInt32)},
      {DataType(TypeId::kFloat64)},
      {DataType(TypeId::kUInt64), DataType(TypeId::kInt8)},
      {DataType(TypeId::kUtf8), DataType(TypeId::kTimestamp)},
      {DataType::Dictionary(TypeId::kInt16), DataType(TypeId::kBool), DataType(TypeId::kFloat32)},
  };
  uint64_t seed = 4000;
  for (const auto& types : key_sets) {
    for (int64_t n : {int64_t(0), int64_t(1), int64_t(70), int64_t(1500)}) {
      for (double null_prob : {0.0, 0.3, 1.0}) {
        std::vector<qk::testing::TestColumn> cols;
        for (const auto& t : types) cols.push_back(RandomColumn(t, n, 2, null_prob, ++seed, 6));
        std::vector<quiver::ArrayView> views;
        for (auto& c : cols) {
          if (c.dict_data) c.view.dictionary = &c.dict_view;
          views.push_back(c.view);
        }
        std::mt19937_64 rng(seed);
        for (int variant = 0; variant < 4; ++variant) {
          std::vector<SortKey> keys;
          for (int c = 0; c < int(types.size()); ++c) {
            keys.push_back(SortKey{c, bool((rng() >> c) & 1), bool((rng() >> (c + 8)) & 1)});
          }
          quiver::SelectionVector all(static_cast<size_t>(n));
          std::iota(all.begin(), all.end(), 0);
          INFO(types[0].ToString() << " n=" << n << " nulls=" << null_prob << " variant " << variant);
          auto got = qk::SortIndices(views, keys);
          REQUIRE(got.ok());
          auto want = Reference(views, keys, all);
          CHECK(*got == want);
          // Over a selection (every other row, reversed order).
          quiver::SelectionVector some;
          for (int32_t i = int32_t(n) - 1; i >= 0; i -= 2) some.push_back(i);
          CHECK(qk::SortIndices(views, keys, &some).value() == Reference(views, keys, some));
          for (int64_t k : {int64_t(0), int64_t(1), int64_t(10), n + 5}) {
            auto top = qk::TopK(views, keys, k);
            REQUIRE(top.ok());
            quiver::SelectionVector prefix(want.begin(), want.begin() + std::min<int64_t>(k, n));
            CHECK(*top == prefix);
          }
        }
      }
    }
  }
}

TEST_CASE("Sort rejects bad keys", "[kernels]") {
  auto col = RandomColumn(DataType(TypeId::kInt32), 10, 0, 0.0, 1);
  CHECK_FALSE(qk::SortIndices({col.view}, {}).ok());
  CHECK_FALSE(qk::SortIndices({col.view}, {SortKey::Asc(1)}).ok());
  CHECK_FALSE(qk::TopK({col.view}, {SortKey::Asc(0)}, -1).ok());
}
