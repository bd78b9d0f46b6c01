#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "columnar/stats.h"
#include "columnar_test_util.h"

using namespace quiver;

TEST_CASE("Column statistics give typed min, max and null counts", "[columnar]") {
  RecordBatch batch = testing::AllTypesBatch(0, 200);
  auto stats = ComputeBatchStats(batch);
  REQUIRE(stats.size() == batch.columns.size());
  for (size_t c = 0; c < stats.size(); ++c) {
    const ColumnStats& s = stats[c];
    CHECK(s.row_count == 200);
    CHECK(s.null_count == ComputeNullCount(*batch.columns[c]));
    auto back = ColumnStats::Deserialize(s.Serialize());
    REQUIRE(back.ok());
    CHECK(*back == s);
  }
  CHECK(stats[4].kind == ColumnStats::Kind::kInt);
  CHECK(stats[4].min_int == std::numeric_limits<int64_t>::min());
  CHECK(stats[4].max_int == std::numeric_limits<int64_t>::max());
  CHECK(stats[8].kind == ColumnStats::Kind::kUInt);
  CHECK(stats[8].max_uint == std::numeric_limits<uint64_t>::max());
  CHECK(stats[21].min_int == 0);
  CHECK(stats[21].max_int == 199);
  CHECK(stats[21].null_count == 0);
  CHECK(stats[18].kind == ColumnStats::Kind::kBytes);
  CHECK(stats[18].min_bytes == "");
  CHECK(stats[18].max_bytes == "delta");  // gamma rows are all null here
}

TEST_CASE("String statistics truncate to a safe prefix", "[columnar]") {
  ArrayBuilder b{DataType(TypeId::kUtf8)};
  std::string long_a(100, 'a');
  std::string long_z(70, 'z');
  long_z.push_back('\xff');
  std::string all_ff(80, '\xff');
  b.AppendString("m");
  b.AppendString(long_a);
  b.AppendString(long_z);
  auto col = b.Finish().value();
  ColumnStats s = ComputeColumnStats(*col);
  CHECK(s.min_bytes == std::string(64, 'a'));
  CHECK_FALSE(s.min_exact);
  std::string want_max(63, 'z');
  want_max.push_back('{');
  CHECK(s.max_bytes == want_max);
  CHECK_FALSE(s.max_exact);
  CHECK(s.max_bytes > long_z);
  CHECK(s.min_bytes <= long_a);

  b.AppendString(all_ff);
  b.AppendString("b");
  ColumnStats u = ComputeColumnStats(*b.Finish().value());
  CHECK_FALSE(u.has_max);
  CHECK(u.min_bytes == "b");
}

TEST_CASE("Float statistics skip NaN and all-null columns have no bounds", "[columnar]") {
  ArrayBuilder f{DataType(TypeId::kFloat64)};
  f.AppendDouble(std::nan(""));
  f.AppendDouble(2.5);
  f.AppendNull();
  f.AppendDouble(-1);
  ColumnStats s = ComputeColumnStats(*f.Finish().value());
  CHECK(s.has_nan);
  CHECK(s.min_double == -1);
  CHECK(s.max_double == 2.5);
  CHECK(s.null_count == 1);

  ArrayBuilder n{DataType(TypeId::kInt32)};
  n.AppendNull();
  ColumnStats e = ComputeColumnStats(*n.Finish().value());
  CHECK_FALSE(e.has_min);
  CHECK_FALSE(e.has_max);
  CHECK(e.null_count == 1);
  CHECK(ColumnStats::Deserialize("QST1").status().code() == StatusCode::kCorruption);
  std::string bytes = s.Serialize();
  CHECK_FALSE(ColumnStats::Deserialize(bytes.substr(0, bytes.size() - 1)).ok());
}

TEST_CASE("Integer statistics say whether the column is sorted, and keep it serialized",
          "[columnar]") {
  auto make = [](std::vector<std::optional<int64_t>> xs) {
    ArrayBuilder b{DataType(TypeId::kInt32)};
    for (auto x : xs) {
      if (x) b.AppendInt(*x);
      else b.AppendNull();
    }
    return ComputeColumnStats(*b.Finish().value());
  };
  ColumnStats up = make({-3, -3, 0, 7, 7, 100});
  CHECK(up.sorted);
  CHECK(ColumnStats::Deserialize(up.Serialize()).value().sorted);
  CHECK(ColumnStats::Deserialize(up.Serialize()).value() == up);
  CHECK_FALSE(make({1, 3, 2}).sorted);
  CHECK_FALSE(make({1, std::nullopt, 2}).sorted);  // nulls: no binary search
  CHECK_FALSE(ColumnStats::Deserialize(make({3, 2}).Serialize()).value().sorted);
}

TEST_CASE("Dictionary statistics cover the entries the rows use, not the whole dictionary",
          "[columnar]") {
  ArrayBuilder dict{DataType(TypeId::kUtf8)};
  for (const char* s : {"zz", "aa", "mm", "bb", "cc"}) dict.AppendString(s);
  dict.AppendNull();  // entry 5: a null entry, used by a row below
  ArrayBuilder idx{DataType(TypeId::kInt8)};
  for (int k : {2, 3, -1, 2, 5, 4}) {
    if (k < 0) idx.AppendNull();
    else idx.AppendInt(k);
  }
  auto col = idx.Finish();
  REQUIRE(col.ok());
  auto d = dict.Finish();
  REQUIRE(d.ok());
  (*col)->type = DataType::Dictionary(TypeId::kInt8);
  (*col)->dictionary = *d;
  const ColumnStats s = ComputeColumnStats(**col);
  CHECK(s.kind == ColumnStats::Kind::kBytes);
  CHECK(s.null_count == 1);
  CHECK(s.has_min);
  CHECK(s.min_bytes == "bb");  // "aa" and "zz" are in the dictionary, unused
  CHECK(s.max_bytes == "mm");
}

namespace {

// A dictionary<index, utf8> column over `entries` (nullopt: a null entry)
// whose rows hold `rows` (nullopt: a null row).
std::shared_ptr<ArrayData> DictionaryColumn(TypeId index, const std::vector<std::optional<std::string>>& entries,
                                            const std::vector<std::optional<int64_t>>& rows) {
  ArrayBuilder dict{DataType(TypeId::kUtf8)};
  for (const auto& e : entries) {
    if (e) dict.AppendString(*e);
    else dict.AppendNull();
  }
  ArrayBuilder idx{DataType(index)};
  for (auto r : rows) {
    if (r) idx.AppendInt(*r);
    else idx.AppendNull();
  }
  auto col = idx.Finish();
  auto d = dict.Finish();
  REQUIRE(col.ok());
  REQUIRE(d.ok());
  (*col)->type = DataType::Dictionary(index);
  (*col)->dictionary = *d;
  return *col;
}

// The same rows decoded to plain utf8: a row is null when its index or its
// entry is null. The statistics of this column are the oracle: computing
// them compares every row's string.
std::shared_ptr<ArrayData> Decoded(const std::vector<std::optional<std::string>>& entries,
                                   const std::vector<std::optional<int64_t>>& rows) {
  ArrayBuilder b{DataType(TypeId::kUtf8)};
  for (auto r : rows) {
    if (r && entries[size_t(*r)]) b.AppendString(*entries[size_t(*r)]);
    else b.AppendNull();
  }
  auto col = b.Finish();
  REQUIRE(col.ok());
  return *col;
}

}  // namespace

TEST_CASE("Dictionary statistics over the used entries equal the statistics of the decoded rows",
          "[columnar]") {
  std::mt19937 rng(1234);
  // Entries with a shared prefix, long ones (truncated bounds), 0xFF bytes
  // (a max with no finite prefix bound) and the empty string.
  std::vector<std::string> pool = {"", "a", "ab", "abc", "b", "zz", std::string(100, 'm'),
                                   std::string(90, 'm') + "n", std::string(70, '\xff'),
                                   std::string(65, '\xff') + "a", "\xff", "caf\xc3\xa9"};
  for (TypeId index : {TypeId::kInt8, TypeId::kUInt16, TypeId::kInt32, TypeId::kInt64}) {
    for (int trial = 0; trial < 200; ++trial) {
      const int n_entries = 1 + int(rng() % 12);
      std::vector<std::optional<std::string>> entries;
      for (int k = 0; k < n_entries; ++k) {
        if (rng() % 8 == 0) entries.push_back(std::nullopt);
        else entries.push_back(pool[rng() % pool.size()]);
      }
      // Some trials use a few entries only; some have no valid row at all
      // (all-null chunks), some no null rows.
      const int n_rows = int(rng() % 40);
      const int null_pct = trial % 5 == 0 ? 100 : trial % 3 == 0 ? 0 : 30;
      const int used = 1 + int(rng() % uint32_t(n_entries));
      std::vector<std::optional<int64_t>> rows;
      for (int i = 0; i < n_rows; ++i) {
        if (int(rng() % 100) < null_pct) rows.push_back(std::nullopt);
        else rows.push_back(int64_t(rng() % uint32_t(used)));
      }
      INFO("index " << int(index) << ", trial " << trial);
      const ColumnStats got = ComputeColumnStats(*DictionaryColumn(index, entries, rows));
      ColumnStats want = ComputeColumnStats(*Decoded(entries, rows));
      // A row that refers to a null entry counts as valid in the dictionary
      // column's null count (its index is valid); only the bounds skip it.
      int64_t null_rows = 0;
      for (auto r : rows) null_rows += r ? 0 : 1;
      CHECK(got.null_count == null_rows);
      want.null_count = null_rows;
      CHECK(got == want);
      // Also from a slice that starts inside the rows.
      if (n_rows > 3) {
        RecordBatch b;
        b.schema = std::make_shared<Schema>(std::vector<Field>{{"d", DataType::Dictionary(index), true, {}}});
        b.num_rows = n_rows;
        b.columns = {DictionaryColumn(index, entries, rows)};
        auto s = SliceBatch(b, 2, n_rows - 3);
        REQUIRE(s.ok());
        std::vector<std::optional<int64_t>> mid(rows.begin() + 2, rows.end() - 1);
        ColumnStats want_mid = ComputeColumnStats(*Decoded(entries, mid));
        want_mid.null_count = 0;
        for (auto r : mid) want_mid.null_count += r ? 0 : 1;
        CHECK(ComputeColumnStats(*s->columns[0]) == want_mid);
      }
    }
  }
}
