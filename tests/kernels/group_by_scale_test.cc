// Group-by on many groups (past the size where tables split into hash
// partitions), fed to several partial tables and merged with FinalizeAll,
// against a std::map reference: values, and the first-row group order.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "kernels/group_by.h"

namespace qk = quiver::kernels;
using quiver::ArrayBuilder;
using quiver::ArrayData;
using quiver::ArrayView;
using quiver::DataType;
using quiver::Status;
using quiver::TypeId;

namespace {

std::string Text(const ArrayView& v, int64_t i) {
  qk::Scalar s = qk::ValueAt(v, i);
  if (s.kind() == qk::Scalar::Kind::kDouble) {
    if (std::isnan(s.double_value())) return "nan";
    if (s.double_value() == 0) return "0";
  }
  return s.ToString();
}

struct Expected {
  std::vector<std::string> order;                             // keys in first-row order
  std::map<std::string, std::pair<int64_t, int64_t>> groups;  // key -> count, sum
  std::vector<std::string> rows;  // "key|count|sum" in first-row order
};

// Runs keys/values (value column 0 is int64) through `parts` partial tables
// fed in morsels of `morsel` rows handed out round-robin, merges them with
// FinalizeAll, and checks every group and the order against the reference.
// `expect`: each table is told its share of the rows (ExpectRows), so that
// it may reserve ahead of its growth (GrowAhead).
void CheckScale(const std::vector<std::shared_ptr<ArrayData>>& key_cols,
                const std::shared_ptr<ArrayData>& value, int parts, int64_t morsel,
                bool expect = false) {
  std::vector<DataType> key_types;
  std::vector<ArrayView> keys;
  for (const auto& c : key_cols) {
    key_types.push_back(c->type);
    keys.push_back(c->View());
  }
  const int64_t n = keys[0].length;
  const ArrayView v = value->View();
  // The reference depends on the columns only: computed once per key set and
  // shared by the sections that vary the tables and ExpectRows.
  static std::map<std::vector<const ArrayData*>, Expected> references;
  std::vector<const ArrayData*> id;
  for (const auto& c : key_cols) id.push_back(c.get());
  id.push_back(value.get());
  auto [cached, fresh] = references.try_emplace(id);
  Expected& want = cached->second;
  for (int64_t r = 0; fresh && r < n; ++r) {
    std::string key;
    for (const ArrayView& k : keys) key += Text(k, r) + "|";
    auto [it, added] = want.groups.emplace(key, std::make_pair(int64_t(0), int64_t(0)));
    if (added) want.order.push_back(key);
    ++it->second.first;
    it->second.second += v.Value<int64_t>(r);
  }
  for (size_t g = 0; fresh && g < want.order.size(); ++g) {
    const auto& [count, sum] = want.groups[want.order[g]];
    want.rows.push_back(want.order[g] + std::to_string(count) + "|" + std::to_string(sum));
  }
  std::vector<qk::GroupByState> states;
  for (int p = 0; p < parts; ++p) {
    auto s = qk::GroupByState::Make(key_types, {value->type},
                                    {{qk::AggKind::kCountStar, -1}, {qk::AggKind::kSum, 0}});
    REQUIRE(s.ok());
    if (expect) s->ExpectRows(n / parts + morsel);
    states.push_back(std::move(*s));
  }
  int64_t m = 0;
  for (int64_t start = 0; start < n; start += morsel, ++m) {
    const int64_t len = std::min(morsel, n - start);
    std::vector<ArrayView> ks = keys;
    for (ArrayView& k : ks) {
      k.offset += start;
      k.length = len;
    }
    ArrayView vs = v;
    vs.offset += start;
    vs.length = len;
    REQUIRE(states[size_t(m % parts)].Consume(ks, {vs}, nullptr, start).ok());
  }
  auto serial = [](int64_t count, const std::function<Status(int64_t)>& fn) {
    for (int64_t i = 0; i < count; ++i) {
      Status s = fn(i);
      if (!s.ok()) return s;
    }
    return Status::OK();
  };
  int64_t groups = 0, bytes = 0;
  auto out = qk::GroupByState::FinalizeAll(&states, serial, &groups, &bytes);
  REQUIRE(out.ok());
  REQUIRE(groups == int64_t(want.order.size()));
  const size_t nk = keys.size();
  REQUIRE((*out)[0]->length == groups);
  // Rows as text, compared at once (one assertion, not one per group).
  std::vector<std::string> got_rows;
  for (int64_t g = 0; g < groups; ++g) {
    std::string key;
    for (size_t k = 0; k < nk; ++k) key += Text((*out)[k]->View(), g) + "|";
    got_rows.push_back(key + Text((*out)[nk]->View(), g) + "|" + Text((*out)[nk + 1]->View(), g));
  }
  CHECK(got_rows == want.rows);
}

std::shared_ptr<ArrayData> Ints(int64_t n, const std::function<int64_t(int64_t)>& f, int null_every,
                                TypeId type = TypeId::kInt64) {
  ArrayBuilder b{DataType(type)};
  for (int64_t i = 0; i < n; ++i) {
    if (null_every && i % null_every == 0)
      b.AppendNull();
    else
      b.AppendInt(f(i));
  }
  return b.Finish().value();
}

std::shared_ptr<ArrayData> Strings(int64_t n, const std::function<std::string(int64_t)>& f,
                                   int null_every) {
  ArrayBuilder b{DataType(TypeId::kUtf8)};
  for (int64_t i = 0; i < n; ++i) {
    if (null_every && i % null_every == 0)
      b.AppendNull();
    else
      b.AppendString(f(i));
  }
  return b.Finish().value();
}

// The columns, built once: Catch runs the test case again from the top for
// every section, and the reference cache above keys on these arrays.
struct ScaleInputs {
  std::shared_ptr<ArrayData> value, int_key, str_key, third_new, small, float_key;
};

const ScaleInputs& Inputs() {
  static const ScaleInputs in = [] {
    ScaleInputs r;
    const int64_t n = 200000;
    r.value = Ints(
        n, [](int64_t i) { return (i * 37) % 1001 - 500; }, 0);
    // Zipf-ish int64 keys: many distinct values, a few heavy hitters.
    r.int_key = Ints(
        n,
        [](int64_t i) {
          const int64_t x = (i * 7919) % 200003;
          return x * x / 97 + (int64_t(1) << 40);
        },
        101);
    r.str_key = Strings(
        n, [](int64_t i) { return "s" + std::to_string((i * 31) % 120011); }, 89);
    // A third of the rows a new group, the others among 1000: too few new
    // groups for Presize, enough for GrowAhead to reserve ahead of growth.
    r.third_new = Ints(
        n, [](int64_t i) { return i % 3 == 0 ? i * 1009 : i % 1000; }, 0);
    r.small = Ints(
        n, [](int64_t i) { return i % 3; }, 0, TypeId::kInt32);
    ArrayBuilder fb{DataType(TypeId::kFloat64)};
    for (int64_t i = 0; i < n; ++i) {
      if (i % 13 == 0)
        fb.AppendDouble(std::nan(""));
      else if (i % 17 == 0)
        fb.AppendDouble(-0.0);
      else if (i % 23 == 0)
        fb.AppendNull();
      else
        fb.AppendDouble(double((i * 13) % 70001) / 4);
    }
    r.float_key = fb.Finish().value();
    return r;
  }();
  return in;
}

}  // namespace

TEST_CASE("Group-by on many groups matches a std::map reference, in first-row order", "[kernels]") {
  const ScaleInputs& in = Inputs();
  const auto& [value, int_key, str_key, third_new, small, float_key] = in;
  for (int parts : {1, 2, 4}) {
    for (bool expect : {false, true}) {
      INFO("partial tables: " << parts << ", rows expected: " << expect);
      const std::string name = std::to_string(parts) + (expect ? " expecting rows" : "");
      SECTION("int64 key " + name) { CheckScale({int_key}, value, parts, 8192, expect); }
      SECTION("utf8 key " + name) { CheckScale({str_key}, value, parts, 8192, expect); }
      SECTION("int64 and utf8 keys " + name) {
        CheckScale({int_key, str_key}, value, parts, 10000, expect);
      }
      SECTION("int64 key, a third of the rows new " + name) {
        CheckScale({third_new}, value, parts, 8192, expect);
      }
      SECTION("int64 and utf8 keys, a third of the rows new " + name) {
        CheckScale({third_new, str_key}, value, parts, 8192, expect);
      }
      SECTION("int64 and int32 keys " + name) {
        CheckScale({int_key, small}, value, parts, 4096, expect);
      }
      SECTION("float64 key with NaN, -0 and NULL " + name) {
        CheckScale({float_key}, value, parts, 8192, expect);
      }
    }
  }
}

// Grouped (kernels/grouped_agg.h) and FILTERed aggregates through the split
// tables and the partitioned merge: COUNT(DISTINCT v), COUNT(*) FILTER and
// SUM FILTER per group against a std::map reference, in first-row order.
TEST_CASE("Grouped and filtered aggregates survive the partitioned merge", "[kernels]") {
  const int64_t n = 150000;
  auto key = Ints(
      n, [](int64_t i) { return (i * 7919) % 60013; }, 0);
  auto value = Ints(
      n, [](int64_t i) { return (i * 37) % 7; }, 0);
  const ArrayView kv = key->View(), vv = value->View();
  quiver::SelectionVector even_rows;
  for (int64_t r = 0; r < n; ++r) {
    if (vv.Value<int64_t>(r) % 2 == 0) even_rows.push_back(int32_t(r));
  }
  const qk::Mask even = qk::Mask::FromSelection(even_rows, n);
  struct Want {
    std::set<int64_t> distinct;
    int64_t even_count = 0, even_sum = 0;
  };
  std::map<int64_t, Want> want;
  std::vector<int64_t> order;
  for (int64_t r = 0; r < n; ++r) {
    auto [it, added] = want.emplace(kv.Value<int64_t>(r), Want{});
    if (added) order.push_back(it->first);
    const int64_t v = vv.Value<int64_t>(r);
    it->second.distinct.insert(v);
    if (v % 2 == 0) {
      ++it->second.even_count;
      it->second.even_sum += v;
    }
  }
  qk::AggregateSpec distinct;
  distinct.value = 0;
  distinct.grouped = qk::GroupedAggKind::kCountDistinct;
  qk::AggregateSpec star;
  star.filtered = true;
  qk::AggregateSpec sum;
  sum.kind = qk::AggKind::kSum;
  sum.value = 0;
  sum.filtered = true;
  const std::vector<const qk::Mask*> masks = {nullptr, &even, &even};
  for (int parts : {1, 2, 4}) {
    INFO("partial tables: " << parts);
    std::vector<qk::GroupByState> states;
    for (int p = 0; p < parts; ++p) {
      auto s = qk::GroupByState::Make({key->type}, {value->type}, {distinct, star, sum});
      REQUIRE(s.ok());
      states.push_back(std::move(*s));
    }
    const int64_t morsel = 8192;
    int64_t m = 0;
    for (int64_t start = 0; start < n; start += morsel, ++m) {
      const int64_t len = std::min(morsel, n - start);
      ArrayView k = kv, v = vv;
      k.offset += start;
      k.length = v.length = len;
      v.offset += start;
      quiver::SelectionVector sel;
      for (int64_t r = 0; r < len; ++r) {
        if (even.IsTrue(start + r)) sel.push_back(int32_t(r));
      }
      const qk::Mask part_even = qk::Mask::FromSelection(sel, len);
      REQUIRE(states[size_t(m % parts)]
                  .Consume({k}, {v}, nullptr, start, {nullptr, &part_even, &part_even})
                  .ok());
    }
    CHECK(states[0].GroupedAggBytes() > 0);
    CHECK(states[0].memory_bytes() > int64_t(states[0].GroupedAggBytes()));
    auto serial = [](int64_t count, const std::function<Status(int64_t)>& fn) {
      for (int64_t i = 0; i < count; ++i) {
        Status s = fn(i);
        if (!s.ok()) return s;
      }
      return Status::OK();
    };
    int64_t groups = 0, bytes = 0;
    auto out = qk::GroupByState::FinalizeAll(&states, serial, &groups, &bytes);
    REQUIRE(out.ok());
    REQUIRE(groups == int64_t(order.size()));
    std::vector<std::string> got_rows, want_rows;
    for (int64_t g = 0; g < groups; ++g) {
      got_rows.push_back(Text((*out)[0]->View(), g) + "|" + Text((*out)[1]->View(), g) + "|" +
                         Text((*out)[2]->View(), g) + "|" + Text((*out)[3]->View(), g));
      const Want& w = want[order[size_t(g)]];
      want_rows.push_back(std::to_string(order[size_t(g)]) + "|" +
                          std::to_string(w.distinct.size()) + "|" + std::to_string(w.even_count) +
                          "|" + (w.even_count ? std::to_string(w.even_sum) : "NULL"));
    }
    CHECK(got_rows == want_rows);
  }
}
