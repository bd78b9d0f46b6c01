// FinalizeAll's merge of a few partial tables by lookup (FoldTables): a
// group of a smaller table folds into the first larger table that holds its
// key, the others are output from where they are. Checked against a
// std::map reference fed the same rows: values, NULL keys, the first-row
// order, sums that overflow only once merged, an ORDER BY ... LIMIT pushed
// into the finalize, and ranges of groups folded on several threads.
#include <catch2/catch.hpp>
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "columnar/builder.h"
#include "kernels/group_by.h"

namespace qk = quiver::kernels;
using quiver::ArrayBuilder;
using quiver::ArrayData;
using quiver::ArrayView;
using quiver::DataType;
using quiver::Status;
using quiver::Result;
using quiver::TypeId;

namespace {

// A row of the input: key (nullopt: NULL), value.
struct Row {
  std::optional<int64_t> key;
  int64_t value;
};

std::shared_ptr<ArrayData> KeyColumn(const std::vector<Row>& rows, TypeId type) {
  ArrayBuilder b{DataType(type)};
  for (const Row& r : rows) {
    if (!r.key) {
      b.AppendNull();
    } else if (type == TypeId::kUtf8) {
      b.AppendString("k" + std::to_string(*r.key));
    } else {
      b.AppendInt(*r.key);
    }
  }
  return b.Finish().value();
}

std::shared_ptr<ArrayData> ValueColumn(const std::vector<Row>& rows) {
  ArrayBuilder b{DataType(TypeId::kInt64)};
  for (const Row& r : rows) b.AppendInt(r.value);
  return b.Finish().value();
}

std::string KeyText(const std::optional<int64_t>& k, TypeId type) {
  if (!k) return "NULL";
  // As Scalar::ToString prints them: strings quoted.
  if (type == TypeId::kUtf8) return "'k" + std::to_string(*k) + "'";
  return std::to_string(*k);
}

// Runs fn(i) for i in [0, n) on up to four threads at once.
Status Threaded(int64_t n, const std::function<Status(int64_t)>& fn) {
  std::vector<Status> status(4, Status::OK());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t i = t; i < n; i += 4) {
        Status s = fn(i);
        if (!s.ok()) {
          status[size_t(t)] = s;
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const Status& s : status) QUIVER_RETURN_NOT_OK(s);
  return Status::OK();
}

// Feeds table w the rows tables[w] names (row ordinals into `rows`, in
// increasing order), finalizes them all, and returns the output rows as
// "key|count|sum" text.
Result<std::vector<std::string>> Run(const std::vector<Row>& rows,
                                     const std::vector<std::vector<int32_t>>& tables, TypeId type,
                                     const qk::GroupByState::OutputLimit* limit = nullptr) {
  auto keys = KeyColumn(rows, type);
  auto values = ValueColumn(rows);
  std::vector<qk::GroupByState> states;
  for (const auto& sel : tables) {
    QUIVER_ASSIGN_OR_RETURN(auto s, qk::GroupByState::Make({DataType(type)},
                                                           {DataType(TypeId::kInt64)},
                                                           {{qk::AggKind::kCountStar, -1},
                                                            {qk::AggKind::kSum, 0}}));
    const qk::Mask mask = qk::Mask::FromSelection(sel, int64_t(rows.size()));
    QUIVER_RETURN_NOT_OK(s.Consume({keys->View()}, {values->View()}, &mask, 0));
    states.push_back(std::move(s));
  }
  int64_t groups = 0, bytes = 0;
  QUIVER_ASSIGN_OR_RETURN(auto cols,
                          qk::GroupByState::FinalizeAll(&states, Threaded, &groups, &bytes, limit));
  std::vector<std::string> out;
  for (int64_t g = 0; g < groups; ++g) {
    std::string row;
    for (const auto& c : cols) row += qk::ValueAt(c->View(), g).ToString() + "|";
    out.push_back(row);
  }
  return out;
}

// The same rows through a std::map: groups in first-row order.
std::vector<std::string> Reference(const std::vector<Row>& rows, TypeId type) {
  std::vector<std::string> order;
  std::map<std::string, std::pair<int64_t, int64_t>> groups;
  for (const Row& r : rows) {
    const std::string k = KeyText(r.key, type);
    auto [it, added] = groups.emplace(k, std::make_pair(int64_t(0), int64_t(0)));
    if (added) order.push_back(k);
    ++it->second.first;
    it->second.second += r.value;
  }
  std::vector<std::string> out;
  for (const std::string& k : order) {
    out.push_back(k + "|" + std::to_string(groups[k].first) + "|" +
                  std::to_string(groups[k].second) + "|");
  }
  return out;
}

}  // namespace

TEST_CASE("Folded partial tables give every group once, with NULL keys, in first-row order",
          "[kernels]") {
  // Table 0 (the largest) holds keys 0..99; table 1 keys 100..149, 7 and
  // 500; table 2 keys 500 (folds into table 1, not 0), 7 (into table 0),
  // 150 (its own) and NULL (also in table 1). Rows are dealt so that some
  // groups' first rows are in the smaller tables.
  std::vector<Row> rows;
  std::vector<std::vector<int32_t>> tables(3);
  auto add = [&](size_t t, std::optional<int64_t> key) {
    tables[t].push_back(int32_t(rows.size()));
    rows.push_back(Row{key, int64_t(rows.size()) % 11 - 3});
  };
  add(2, 500);
  add(1, std::nullopt);
  add(2, 7);
  for (int64_t k = 0; k < 100; ++k) add(0, k);
  for (int64_t k = 100; k < 150; ++k) add(1, k);
  add(1, 7);
  add(1, 500);
  add(2, 150);
  add(2, std::nullopt);
  for (int64_t k = 99; k >= 0; k -= 3) add(0, k);
  for (TypeId type : {TypeId::kInt64, TypeId::kUtf8}) {
    INFO(DataType(type).ToString());
    auto got = Run(rows, tables, type);
    REQUIRE(got.ok());
    CHECK(*got == Reference(rows, type));
  }
}

TEST_CASE("Folding many groups on several threads matches one table", "[kernels]") {
  // Two tables of about 100,000 groups each (several fold ranges), every
  // third key in both, the rest in one; morsels of 1000 rows dealt in turn.
  std::vector<Row> rows;
  std::vector<std::vector<int32_t>> tables(2);
  for (int64_t i = 0; i < 300000; ++i) {
    const int64_t k = (i * 7919) % 150001;
    const size_t t = size_t((i / 1000) % 2);
    tables[t].push_back(int32_t(rows.size()));
    rows.push_back(Row{i % 997 == 0 ? std::nullopt : std::optional<int64_t>(k), i % 13});
  }
  for (TypeId type : {TypeId::kInt64, TypeId::kUtf8}) {
    INFO(DataType(type).ToString());
    auto got = Run(rows, tables, type);
    REQUIRE(got.ok());
    CHECK(*got == Reference(rows, type));
  }
}

TEST_CASE("A sum that overflows only once its partial tables fold is an error", "[kernels]") {
  const int64_t big = std::numeric_limits<int64_t>::max() / 2 + 1;
  std::vector<Row> rows = {{1, big}, {2, 1}, {3, 1}, {1, big}};
  auto got = Run(rows, {{0, 1, 2}, {3}}, TypeId::kInt64);
  CHECK(got.status().code() == quiver::StatusCode::kOverflow);
  // Apart, each fits.
  CHECK(Run(rows, {{0, 1, 2}}, TypeId::kInt64).ok());
}

TEST_CASE("ORDER BY count LIMIT k over one or folded tables keeps the top groups in first-row order",
          "[kernels]") {
  // Key k appears (k % 7) + 1 times; ties by first row, as TopK breaks them.
  std::vector<Row> rows;
  std::vector<std::vector<int32_t>> two(2), one(1);
  for (int64_t rep = 0; rep < 7; ++rep) {
    for (int64_t k = 0; k < 3000; ++k) {
      if (k % 7 < rep) continue;
      two[size_t((k / 100 + rep) % 2)].push_back(int32_t(rows.size()));
      one[0].push_back(int32_t(rows.size()));
      rows.push_back(Row{k, rep});
    }
  }
  const std::vector<std::string> all = Reference(rows, TypeId::kInt64);
  auto count = [&](size_t i) {
    const std::string& r = all[i];
    const size_t a = r.find('|') + 1;
    return std::stoll(r.substr(a, r.find('|', a) - a));
  };
  for (const auto* tables : {&one, &two}) {
    for (bool desc : {true, false}) {
      // Few groups kept (a heap) or most (a selection: k * 8 >= groups).
      const int64_t groups = int64_t(all.size());
      for (int64_t k : {int64_t(0), int64_t(1), int64_t(10), int64_t(500), groups / 2, groups - 1}) {
        INFO("tables " << tables->size() << (desc ? " desc" : " asc") << " k=" << k);
        qk::GroupByState::OutputLimit limit;
        limit.columns = {1};  // count(*)
        limit.keys = {desc ? qk::SortKey::Desc(0) : qk::SortKey::Asc(0)};
        limit.k = k;
        auto got = Run(rows, *tables, TypeId::kInt64, &limit);
        REQUIRE(got.ok());
        // The reference: a stable sort by count, the first k, back in
        // first-row order.
        std::vector<size_t> idx(all.size());
        for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
        std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
          return desc ? count(a) > count(b) : count(a) < count(b);
        });
        idx.resize(size_t(k));
        std::sort(idx.begin(), idx.end());
        std::vector<std::string> want;
        for (size_t i : idx) want.push_back(all[i]);
        CHECK(*got == want);
      }
    }
  }
}
