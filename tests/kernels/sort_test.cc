#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>

#include "columnar/builder.h"
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
          // Few rows kept (a heap), most (a selection then a sort), all.
          for (int64_t k : {int64_t(0), int64_t(1), int64_t(10), n / 2, n - 1, n + 5}) {
            if (k < 0) continue;
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

TEST_CASE("Sort and top-k on a normalised first key: int64/uint64 ends, -0.0, NaN, infinities, "
          "NULLs",
          "[kernels]") {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Values with their rank in ascending order (equal ranks tie; NaN last).
  const std::vector<std::pair<double, int>> floats = {
      {1.5, 5}, {-0.0, 3}, {nan, 8}, {-inf, 0}, {0.0, 3}, {4.9e-324, 4}, {inf, 7},
      {-1.0, 2}, {-nan, 8}, {1e300, 6}, {-1e300, 1}, {1.5, 5}};
  const std::vector<std::pair<int64_t, int>> ints = {
      {0, 2}, {std::numeric_limits<int64_t>::max(), 4}, {-1, 1}, {std::numeric_limits<int64_t>::min(), 0},
      {7, 3}, {-1, 1}, {0, 2}};
  for (bool desc : {false, true}) {
    for (bool nulls_first : {false, true}) {
      for (int with_nulls = 0; with_nulls < 2; ++with_nulls) {
        INFO("desc " << desc << " nulls_first " << nulls_first << " nulls " << with_nulls);
        // want: positions ordered by (NULL rank, value rank, position).
        auto check = [&](const quiver::ArrayView& v, const std::vector<int>& rank) {
          std::vector<int32_t> want(rank.size());
          std::iota(want.begin(), want.end(), 0);
          std::stable_sort(want.begin(), want.end(), [&](int32_t a, int32_t b) {
            const bool na = rank[size_t(a)] < 0, nb = rank[size_t(b)] < 0;
            if (na != nb) return na == nulls_first;
            if (na) return false;
            return desc ? rank[size_t(a)] > rank[size_t(b)] : rank[size_t(a)] < rank[size_t(b)];
          });
          const SortKey key{0, desc, nulls_first};
          CHECK(qk::SortIndices({v}, {key}).value() == quiver::SelectionVector(want));
          for (size_t k : {size_t(1), size_t(3), rank.size() - 1, rank.size()}) {
            CHECK(qk::TopK({v}, {key}, int64_t(k)).value() ==
                  quiver::SelectionVector(want.begin(), want.begin() + ptrdiff_t(k)));
          }
        };
        {
          quiver::ArrayBuilder b{DataType(TypeId::kFloat64)};
          std::vector<int> rank;
          for (size_t i = 0; i < floats.size(); ++i) {
            if (with_nulls && i % 4 == 1) {
              b.AppendNull();
              rank.push_back(-1);
            }
            b.AppendDouble(floats[i].first);
            rank.push_back(floats[i].second);
          }
          auto col = b.Finish().value();
          check(col->View(), rank);
        }
        for (TypeId id : {TypeId::kInt64, TypeId::kUInt64}) {
          quiver::ArrayBuilder b{DataType(id)};
          std::vector<int> rank;
          for (size_t i = 0; i < ints.size(); ++i) {
            if (with_nulls && i % 3 == 0) {
              b.AppendNull();
              rank.push_back(-1);
            }
            // As uint64 the negative values are the largest (their bits).
            if (id == TypeId::kUInt64) {
              b.AppendUInt(uint64_t(ints[i].first));
              const int64_t v = ints[i].first;
              rank.push_back(v >= 0 ? int(v == 0 ? 0 : v == 7 ? 1 : 2) : int(v == -1 ? 5 : 3));
            } else {
              b.AppendInt(ints[i].first);
              rank.push_back(ints[i].second);
            }
          }
          auto col = b.Finish().value();
          check(col->View(), rank);
        }
      }
    }
  }
}
