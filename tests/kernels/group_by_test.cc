#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "columnar/builder.h"
#include "kernels/group_by.h"
#include "random_data.h"

namespace qk = quiver::kernels;
using qk::AggKind;
using qk::Scalar;
using quiver::DataType;
using quiver::TypeId;
using qk::testing::RandomColumn;

namespace {

std::string KeyText(const Scalar& v) {
  if (v.kind() == Scalar::Kind::kDouble) {
    if (std::isnan(v.double_value())) return "nan";
    if (v.double_value() == 0) return "0";
  }
  return v.ToString();
}

using Table = std::map<std::string, std::vector<std::string>>;

// key text → aggregate texts, from the kernel's output columns.
Table FromColumns(const std::vector<std::shared_ptr<quiver::ArrayData>>& cols, size_t nkeys) {
  Table t;
  int64_t n = cols.empty() ? 0 : cols[0]->length;
  for (int64_t g = 0; g < n; ++g) {
    std::string key;
    for (size_t k = 0; k < nkeys; ++k) key += KeyText(qk::ValueAt(cols[k]->View(), g)) + "|";
    std::vector<std::string> aggs;
    for (size_t a = nkeys; a < cols.size(); ++a) aggs.push_back(qk::ValueAt(cols[a]->View(), g).ToString());
    REQUIRE(t.count(key) == 0);
    t[key] = aggs;
  }
  return t;
}

// The same with a std::map and per-group AggStates fed one row at a time.
Table Reference(const std::vector<quiver::ArrayView>& keys, const std::vector<quiver::ArrayView>& values,
                const std::vector<qk::AggregateSpec>& specs, const quiver::SelectionVector& rows) {
  std::map<std::string, std::vector<qk::AggState>> states;
  std::map<std::string, int64_t> counts;
  for (int32_t r : rows) {
    std::string key;
    for (const auto& k : keys) key += KeyText(qk::ValueAt(k, r)) + "|";
    auto it = states.find(key);
    if (it == states.end()) {
      std::vector<qk::AggState> s;
      for (const auto& spec : specs) {
        s.emplace_back(spec.kind == AggKind::kCountStar ? DataType(TypeId::kInt64)
                                                        : *values[size_t(spec.value)].type);
      }
      it = states.emplace(key, std::move(s)).first;
    }
    ++counts[key];
    for (size_t a = 0; a < specs.size(); ++a) {
      if (specs[a].kind == AggKind::kCountStar) continue;
      REQUIRE(it->second[a].Update(values[size_t(specs[a].value)], quiver::SelectionVector{r}).ok());
    }
  }
  Table t;
  for (auto& [key, s] : states) {
    std::vector<std::string> out;
    for (size_t a = 0; a < specs.size(); ++a) {
      if (specs[a].kind == AggKind::kCountStar) {
        out.push_back(std::to_string(counts[key]));
      } else {
        auto v = s[a].Finalize(specs[a].kind);
        out.push_back(v.ok() ? v->ToString() : "error");
      }
    }
    t[key] = out;
  }
  return t;
}

}  // namespace

TEST_CASE("Group-by on one or more keys matches a row-at-a-time reference", "[kernels]") {
  std::vector<std::vector<DataType>> key_sets = {
      {DataType(TypeId::kInt32)},
      {DataType(TypeId::kUInt64)},
      {DataType(TypeId::kUtf8)},
      {DataType::Dictionary(TypeId::kInt8)},
      {DataType::Dictionary(TypeId::kInt32)},
      {DataType(TypeId::kFloat64)},
      {DataType(TypeId::kDate32), DataType(TypeId::kUtf8)},
      {DataType(TypeId::kInt16), DataType::Dictionary(TypeId::kInt16), DataType(TypeId::kBool)},
  };
  // int32 values: sums of random int64 extremes would overflow (tested apart).
  std::vector<DataType> value_types = {DataType(TypeId::kInt32), DataType(TypeId::kFloat64),
                                       DataType(TypeId::kUtf8), DataType(TypeId::kInt8)};
  std::vector<qk::AggregateSpec> specs = {
      {AggKind::kCountStar, -1}, {AggKind::kCount, 0}, {AggKind::kSum, 0}, {AggKind::kMin, 0},
      {AggKind::kMax, 0},        {AggKind::kAvg, 0},   {AggKind::kSum, 1}, {AggKind::kMin, 1},
      {AggKind::kMax, 1},        {AggKind::kMin, 2},   {AggKind::kMax, 2}, {AggKind::kCount, 2},
      {AggKind::kSum, 3},        {AggKind::kAvg, 3}};
  uint64_t seed = 900;
  for (const auto& key_types : key_sets) {
    for (int64_t n : {int64_t(0), int64_t(1), int64_t(100), int64_t(2000)}) {
      for (double null_prob : {0.0, 0.2, 1.0}) {
        std::vector<qk::testing::TestColumn> cols;
        std::vector<quiver::ArrayView> keys, values;
        for (const auto& t : key_types) cols.push_back(RandomColumn(t, n, 3, null_prob, ++seed, 5));
        for (const auto& t : value_types) cols.push_back(RandomColumn(t, n, 1, 0.1, ++seed));
        for (auto& c : cols) {
          if (c.dict_data) c.view.dictionary = &c.dict_view;  // the columns moved
        }
        for (size_t i = 0; i < cols.size(); ++i) (i < key_types.size() ? keys : values).push_back(cols[i].view);
        std::mt19937_64 rng(seed);
        qk::Mask filter = qk::Mask::AllFalse(n);
        for (int64_t i = 0; i < n; ++i) {
          if (rng() % 4 != 0) filter.is_true[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
        }
        INFO("keys " << key_types.size() << " first " << key_types[0].ToString() << " n=" << n
                     << " nulls=" << null_prob);
        auto state = qk::GroupByState::Make(key_types, value_types, specs);
        REQUIRE(state.ok());
        REQUIRE(state->Consume(keys, values, &filter).ok());
        auto got = state->Finalize();
        REQUIRE(got.ok());
        Table want = Reference(keys, values, specs, qk::ToSelection(filter));
        CHECK(FromColumns(*got, key_types.size()) == want);
        // Two partial tables over halves, merged, give the same table.
        qk::Mask a = filter, b = filter;
        for (int64_t i = 0; i < n; ++i) {
          uint64_t bit = uint64_t(1) << (i & 63);
          (i % 2 ? a : b).is_true[size_t(i >> 6)] &= ~bit;
        }
        auto s1 = qk::GroupByState::Make(key_types, value_types, specs);
        auto s2 = qk::GroupByState::Make(key_types, value_types, specs);
        REQUIRE(s1->Consume(keys, values, &a).ok());
        REQUIRE(s2->Consume(keys, values, &b).ok());
        REQUIRE(s1->Merge(*s2).ok());
        CHECK(FromColumns(s1->Finalize().value(), key_types.size()) == want);
        // No filter: every row.
        auto all = qk::GroupByState::Make(key_types, value_types, specs);
        REQUIRE(all->Consume(keys, values).ok());
        CHECK(FromColumns(all->Finalize().value(), key_types.size()) ==
              Reference(keys, values, specs, qk::ToSelection(qk::Mask::AllTrue(n))));
      }
    }
  }
}

TEST_CASE("Group-by rejects bad aggregates and mismatched columns", "[kernels]") {
  CHECK_FALSE(qk::GroupByState::Make({}, {}, {}).ok());
  CHECK(qk::GroupByState::Make({DataType(TypeId::kInt32)}, {DataType(TypeId::kUtf8)}, {{AggKind::kSum, 0}})
            .status()
            .code() == quiver::StatusCode::kTypeError);
  CHECK_FALSE(qk::GroupByState::Make({DataType(TypeId::kInt32)}, {}, {{AggKind::kSum, 0}}).ok());
  auto s = qk::GroupByState::Make({DataType(TypeId::kInt32)}, {}, {{AggKind::kCountStar, -1}});
  auto col = RandomColumn(DataType(TypeId::kInt64), 10, 0, 0.0, 1);
  CHECK(s->Consume({col.view}, {}).code() == quiver::StatusCode::kTypeError);
}

TEST_CASE("Group-by sums report overflow per group", "[kernels]") {
  std::vector<int64_t> v(10, std::numeric_limits<int64_t>::max() / 4);
  auto data = std::make_shared<quiver::ArrayData>();
  data->type = DataType(TypeId::kInt64);
  data->length = 10;
  data->buffers = {nullptr, quiver::Buffer::Copy(v.data(), 80)};
  auto s = qk::GroupByState::Make({data->type}, {data->type}, {{AggKind::kSum, 0}});
  REQUIRE(s->Consume({data->View()}, {data->View()}).ok());
  CHECK(s->Finalize().status().code() == quiver::StatusCode::kOverflow);
}

namespace {

// The rows of the kernel's output columns as text, in output order.
std::vector<std::string> OrderedRows(const std::vector<std::shared_ptr<quiver::ArrayData>>& cols) {
  std::vector<std::string> rows;
  const int64_t n = cols.empty() ? 0 : cols[0]->length;
  for (int64_t g = 0; g < n; ++g) {
    std::string row;
    for (const auto& c : cols) row += KeyText(qk::ValueAt(c->View(), g)) + "|";
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

TEST_CASE("Group-by admitting at most k groups keeps the first k groups whole, on one or more tables",
          "[kernels]") {
  std::vector<std::vector<DataType>> key_sets = {
      {DataType(TypeId::kInt64)},
      {DataType(TypeId::kUtf8)},
      {DataType::Dictionary(TypeId::kInt16)},
      {DataType(TypeId::kInt32), DataType(TypeId::kUtf8)},
  };
  const std::vector<DataType> value_types = {DataType(TypeId::kInt32), DataType(TypeId::kUtf8)};
  const std::vector<qk::AggregateSpec> specs = {
      {AggKind::kCountStar, -1}, {AggKind::kSum, 0}, {AggKind::kMin, 1}, {AggKind::kMax, 0}};
  constexpr int64_t n = 3000;
  uint64_t seed = 7100;
  for (const auto& key_types : key_sets) {
    std::vector<qk::testing::TestColumn> cols;
    std::vector<quiver::ArrayView> keys, values;
    // Few distinct values per key column and NULLs: groups recur across the rows.
    for (const auto& t : key_types) cols.push_back(RandomColumn(t, n, 3, 0.1, ++seed, 40));
    for (const auto& t : value_types) cols.push_back(RandomColumn(t, n, 1, 0.1, ++seed));
    for (auto& c : cols) {
      if (c.dict_data) c.view.dictionary = &c.dict_view;
    }
    for (size_t i = 0; i < cols.size(); ++i)
      (i < key_types.size() ? keys : values).push_back(cols[i].view);
    auto full = qk::GroupByState::Make(key_types, value_types, specs);
    REQUIRE(full->Consume(keys, values).ok());
    const std::vector<std::string> want_all = OrderedRows(full->Finalize().value());
    REQUIRE(want_all.size() > 8);
    for (int64_t k : {int64_t(0), int64_t(1), int64_t(5), int64_t(100000)}) {
      INFO("keys " << key_types.size() << " first " << key_types[0].ToString() << " k=" << k);
      const std::vector<std::string> want(
          want_all.begin(), want_all.begin() + std::min<int64_t>(k, int64_t(want_all.size())));
      // One table fed every row in order holds the first k groups, complete.
      auto one = qk::GroupByState::Make(key_types, value_types, specs);
      one->AdmitAtMost(k);
      REQUIRE(one->Consume(keys, values).ok());
      CHECK(OrderedRows(one->Finalize().value()) == want);
      CHECK((one->rows_skipped() > 0) == (k < int64_t(want_all.size())));
      // Three tables taking stripes of 64 rows in turn (as workers take
      // morsels) lose rows of the groups each left out: FirstGroups picks
      // the first k, and a second pass over tables of those keys only
      // completes them.
      std::vector<qk::Mask> stripes(3, qk::Mask::AllFalse(n));
      for (int64_t i = 0; i < n; ++i) {
        stripes[size_t((i / 64) % 3)].is_true[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
      }
      std::vector<qk::GroupByState> parts;
      for (const qk::Mask& m : stripes) {
        auto p = qk::GroupByState::Make(key_types, value_types, specs);
        p->AdmitAtMost(k);
        REQUIRE(p->Consume(keys, values, &m).ok());
        parts.push_back(std::move(*p));
      }
      auto first = qk::GroupByState::FirstGroups(&parts, k);
      REQUIRE(first.ok());
      CHECK(first->num_groups() == int64_t(want.size()));
      std::vector<qk::GroupByState> second;
      for (const qk::Mask& m : stripes) {
        second.push_back(first->KeysOnly());
        REQUIRE(second.back().Consume(keys, values, &m).ok());
      }
      int64_t groups = 0, bytes = 0;
      auto serial = [](int64_t count, const std::function<quiver::Status(int64_t)>& fn) {
        for (int64_t i = 0; i < count; ++i) QUIVER_RETURN_NOT_OK(fn(i));
        return quiver::Status::OK();
      };
      auto got = qk::GroupByState::FinalizeAll(&second, serial, &groups, &bytes);
      REQUIRE(got.ok());
      CHECK(OrderedRows(*got) == want);
    }
  }
}

TEST_CASE("Group-by on a small-range int key (the direct map) stays exact at int64's ends and outside "
          "its window",
          "[kernels]") {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  // Batches in Consume order: the first sets the window; later ones fall in
  // it, outside it (the hash path) or across int64's whole range.
  const std::vector<std::vector<std::vector<int64_t>>> cases = {
      {{kMax, kMax - 3, kMax - 10}, {kMin, kMax, 0}, {kMax - 1, kMax}, {kMin + 1, kMin}},
      {{kMin, kMin + 7, kMin + 2}, {kMin + 3, kMax}, {kMin, kMin + 9000}, {kMin + 1}},
      {{5, 6, 7, 5}, {-3, 100000, 5}, {6, 7, 1000}, {70000, 5}, {8, 8, 9}},
      {{-2, -1, 0, 1}, {kMin, kMax, -2}, {3, 1, 2}}};
  for (const DataType& type : {DataType(TypeId::kInt64), DataType(TypeId::kUInt64)}) {
    for (size_t c = 0; c < cases.size(); ++c) {
      INFO("type " << type.ToString() << " case " << c);
      auto state = qk::GroupByState::Make({type}, {}, {{AggKind::kCountStar, -1}});
      REQUIRE(state.ok());
      std::map<std::string, int64_t> want;
      std::vector<std::string> first_order;
      int64_t first_row = 0;
      for (const auto& batch : cases[c]) {
        quiver::ArrayBuilder b{type};
        for (int64_t v : batch) {
          type.id == TypeId::kUInt64 ? b.AppendUInt(uint64_t(v)) : b.AppendInt(v);
          const std::string key = type.id == TypeId::kUInt64 ? std::to_string(uint64_t(v))
                                                             : std::to_string(v);
          if (want[key]++ == 0) first_order.push_back(key);
        }
        auto col = b.Finish();
        REQUIRE(col.ok());
        REQUIRE(state->Consume({(*col)->View()}, {}, nullptr, first_row).ok());
        first_row += int64_t(batch.size());
      }
      auto got = state->Finalize();
      REQUIRE(got.ok());
      REQUIRE((*got)[0]->length == int64_t(first_order.size()));
      for (int64_t g = 0; g < (*got)[0]->length; ++g) {
        const std::string key = qk::ValueAt((*got)[0]->View(), g).ToString();
        CHECK(key == first_order[size_t(g)]);  // groups in first-row order
        CHECK(qk::ValueAt((*got)[1]->View(), g) == Scalar::Int64(want[key]));
      }
    }
  }
}
