// Group-by on many groups (past the size where tables split into hash
// partitions), fed to several partial tables and merged with FinalizeAll,
// against a std::map reference: values, and the first-row group order.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
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
};

// Runs keys/values (value column 0 is int64) through `parts` partial tables
// fed in morsels of `morsel` rows handed out round-robin, merges them with
// FinalizeAll, and checks every group and the order against the reference.
void CheckScale(const std::vector<std::shared_ptr<ArrayData>>& key_cols,
                const std::shared_ptr<ArrayData>& value, int parts, int64_t morsel) {
  std::vector<DataType> key_types;
  std::vector<ArrayView> keys;
  for (const auto& c : key_cols) {
    key_types.push_back(c->type);
    keys.push_back(c->View());
  }
  const int64_t n = keys[0].length;
  Expected want;
  const ArrayView v = value->View();
  for (int64_t r = 0; r < n; ++r) {
    std::string key;
    for (const ArrayView& k : keys) key += Text(k, r) + "|";
    auto [it, added] = want.groups.emplace(key, std::make_pair(int64_t(0), int64_t(0)));
    if (added) want.order.push_back(key);
    ++it->second.first;
    it->second.second += v.Value<int64_t>(r);
  }
  std::vector<qk::GroupByState> states;
  for (int p = 0; p < parts; ++p) {
    auto s = qk::GroupByState::Make(key_types, {value->type},
                                    {{qk::AggKind::kCountStar, -1}, {qk::AggKind::kSum, 0}});
    REQUIRE(s.ok());
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
  std::vector<std::string> got_rows, want_rows;
  for (int64_t g = 0; g < groups; ++g) {
    std::string key;
    for (size_t k = 0; k < nk; ++k) key += Text((*out)[k]->View(), g) + "|";
    got_rows.push_back(key + Text((*out)[nk]->View(), g) + "|" + Text((*out)[nk + 1]->View(), g));
    const std::string& wkey = want.order[size_t(g)];
    const auto& [count, sum] = want.groups[wkey];
    want_rows.push_back(wkey + std::to_string(count) + "|" + std::to_string(sum));
  }
  CHECK(got_rows == want_rows);
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

}  // namespace

TEST_CASE("Group-by on many groups matches a std::map reference, in first-row order", "[kernels]") {
  const int64_t n = 200000;
  auto value = Ints(
      n, [](int64_t i) { return (i * 37) % 1001 - 500; }, 0);
  // Zipf-ish int64 keys: many distinct values, a few heavy hitters.
  auto int_key = Ints(
      n,
      [](int64_t i) {
        const int64_t x = (i * 7919) % 200003;
        return x * x / 97 + (int64_t(1) << 40);
      },
      101);
  auto str_key = Strings(
      n, [](int64_t i) { return "s" + std::to_string((i * 31) % 120011); }, 89);
  auto small = Ints(
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
  auto float_key = fb.Finish().value();
  for (int parts : {1, 2, 4}) {
    INFO("partial tables: " << parts);
    SECTION("int64 key " + std::to_string(parts)) { CheckScale({int_key}, value, parts, 8192); }
    SECTION("utf8 key " + std::to_string(parts)) { CheckScale({str_key}, value, parts, 8192); }
    SECTION("int64 and utf8 keys " + std::to_string(parts)) {
      CheckScale({int_key, str_key}, value, parts, 10000);
    }
    SECTION("int64 and int32 keys " + std::to_string(parts)) {
      CheckScale({int_key, small}, value, parts, 4096);
    }
    SECTION("float64 key with NaN, -0 and NULL " + std::to_string(parts)) {
      CheckScale({float_key}, value, parts, 8192);
    }
  }
}
