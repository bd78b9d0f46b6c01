// kernels/agg_count_distinct.cc: COUNT(DISTINCT) states against a
// std::set reference, for every number type (NaN and -0.0 as DuckDB counts
// them: -0.0 is 0.0, every NaN one value), bool, decimals, strings (empty
// and non-ASCII) and dictionary columns; with NULLs, sliced views, row
// lists, many chunks split over 1, 2 and 4 workers and merged, ungrouped
// and grouped (each worker numbering the groups its own way); merged one
// state after another, or partition by partition on two threads
// (MergeParallel).
#include <catch2/catch.hpp>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <set>
#include <thread>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "kernels/aggregate.h"
#include "kernels/grouped_agg.h"

namespace qk = quiver::kernels;
using qk::GroupedAgg;
using qk::GroupedAggKind;
using quiver::ArrayBuilder;
using quiver::ArrayData;
using quiver::ArrayView;
using quiver::ColumnViews;
using quiver::DataType;
using quiver::TypeId;

namespace {

constexpr int64_t kRows = 12000;
constexpr int64_t kChunk = 1700;  // rows per chunk: 8 chunks, the last short
constexpr int64_t kSlice = 3;     // the views start at row 3 of the column
constexpr int32_t kGroups = 23;

// A column of kRows + kSlice rows and, per row, the value's identity for the
// reference (its canonical bits or bytes; empty optional: NULL).
struct Column {
  std::shared_ptr<ArrayData> data;
  std::vector<std::string> ids;
  std::vector<bool> null;
};

std::string Bits(const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); }

// Values from a small range (many repeats) or a wide one, with the type's
// extremes, 0, and for floats -0.0, +-inf and NaNs of several payloads.
Column MakeNumbers(const DataType& type, std::mt19937_64& rng) {
  Column c;
  ArrayBuilder b{type};
  const TypeId id = type.id;
  const bool is_float = id == TypeId::kFloat32 || id == TypeId::kFloat64;
  const bool is_unsigned = id == TypeId::kUInt8 || id == TypeId::kUInt16 ||
                           id == TypeId::kUInt32 || id == TypeId::kUInt64;
  for (int64_t i = 0; i < kRows + kSlice; ++i) {
    const int p = int(rng() % 100);
    if (p < 7) {
      b.AppendNull();
      c.ids.emplace_back();
      c.null.push_back(true);
      continue;
    }
    c.null.push_back(false);
    if (id == TypeId::kBool) {
      const bool v = rng() % 2;
      b.AppendBool(v);
      c.ids.push_back(v ? "t" : "f");
    } else if (is_float) {
      double d;
      if (p < 10) {
        d = std::nan("");
      } else if (p < 12) {
        d = -std::nan("7");
      } else if (p < 14) {
        d = -0.0;
      } else if (p < 16) {
        d = 0.0;
      } else if (p < 17) {
        d = -std::numeric_limits<double>::infinity();
      } else if (p < 60) {
        d = double(int64_t(rng() % 301) - 150) / 4;
      } else {
        d = double(int64_t(rng() % 2000001) - 1000000) / 8;
      }
      b.AppendDouble(d);
      // DuckDB's equality: every NaN is one value, -0.0 is 0.0.
      double canon = std::isnan(d) ? std::numeric_limits<double>::quiet_NaN() : (d == 0 ? 0.0 : d);
      if (id == TypeId::kFloat32) {
        const float f = float(canon);
        c.ids.push_back(std::isnan(f) ? "nan" : Bits(&f, 4));
      } else {
        c.ids.push_back(std::isnan(canon) ? "nan" : Bits(&canon, 8));
      }
    } else if (id == TypeId::kDecimal128) {
      const __int128 v = p < 50 ? __int128(rng() % 200) : (__int128(rng()) << 40) + __int128(rng());
      b.AppendDecimal(v);
      c.ids.push_back(Bits(&v, 16));
    } else {
      const int width = quiver::ByteWidth(type);
      const uint64_t r = rng();
      uint64_t u = p < 12 ? 0 : p < 14 ? ~uint64_t(0) : p < 16 ? (uint64_t(1) << (width * 8 - 1)) : 
                   p < 55 ? r % 97 : r % 40000 * 0x9E3779B97F4A7C15ull;
      if (width < 8) u &= (uint64_t(1) << (width * 8)) - 1;  // the stored bits
      if (is_unsigned) {
        b.AppendUInt(u);
      } else {
        int64_t s = int64_t(u);
        if (width < 8 && (u >> (width * 8 - 1)) & 1) s = int64_t(u | (~uint64_t(0) << (width * 8)));
        b.AppendInt(s);
      }
      c.ids.push_back(Bits(&u, size_t(width)));
    }
  }
  auto r = b.Finish();
  REQUIRE(r.ok());
  c.data = *r;
  return c;
}

// Strings of 0..12 pieces (ASCII and two-byte UTF-8) from `vocabulary`
// choices, so that the dictionary is smaller or larger than a chunk;
// `empty_percent` of the non-NULL rows are '' (as most of ClickBench's
// SearchPhrase).
Column MakeStrings(const DataType& type, int vocabulary, std::mt19937_64& rng,
                   int empty_percent = 0) {
  static const char* kPieces[] = {"a", "b", "\xc3\xa9", "\xe2\x82\xac", "xyz", " "};
  Column c;
  ArrayBuilder b{type};
  for (int64_t i = 0; i < kRows + kSlice; ++i) {
    if (rng() % 100 < 7) {
      b.AppendNull();
      c.ids.emplace_back();
      c.null.push_back(true);
      continue;
    }
    uint64_t pick = rng() % uint64_t(vocabulary);
    std::string s;
    if (int(rng() % 100) < empty_percent) pick = 0;  // 0 pieces, no number: ''

    const int len = int(pick % 13);
    for (int k = 0; k < len; ++k, pick /= 6) s += kPieces[(pick + uint64_t(k)) % 6];
    if (pick % 2) s += std::to_string(pick);
    b.AppendString(s);
    c.ids.push_back(s);
    c.null.push_back(false);
  }
  auto r = b.Finish();
  REQUIRE(r.ok());
  c.data = *r;
  return c;
}

std::unique_ptr<GroupedAgg> Make(const DataType& t) {
  auto r = GroupedAgg::Make(GroupedAggKind::kCountDistinct, t);
  REQUIRE(r.ok());
  return std::move(r).value();
}

enum class Feed { kRange, kRows };
enum class MergeBy { kMerge, kTwoThreads };

// A TaskRunner on two threads taking the tasks in turn.
quiver::Status RunOnTwoThreads(int64_t n, const std::function<quiver::Status(int64_t)>& fn) {
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (int64_t i; (i = next.fetch_add(1)) < n;) {
      if (!fn(i).ok()) failed = true;
    }
  };
  std::thread other(work);
  work();
  other.join();
  return failed ? quiver::Status::Invalid("a task failed") : quiver::Status::OK();
}

// COUNT(DISTINCT) of the sliced view over `workers` states (chunk c to
// worker c % workers, as a range or as a row list in reverse order),
// ungrouped (groups = 1, no group ids) or with row i in group i * 7 % groups
// (worker w numbers group g as (g + w) % groups), merged into worker 0;
// every group's count compared with the reference.
void Check(const Column& c, const ArrayView& full, int workers, int32_t groups, Feed feed,
           MergeBy merge = MergeBy::kMerge) {
  INFO("workers " << workers << ", groups " << groups << ", feed "
                  << (feed == Feed::kRange ? "range" : "rows") << ", merge "
                  << (merge == MergeBy::kMerge ? "one call" : "two threads"));
  ArrayView view = full;
  view.offset += kSlice;
  view.length -= kSlice;
  std::vector<std::set<std::string>> want(static_cast<size_t>(groups));
  for (int64_t i = 0; i < kRows; ++i) {
    if (!c.null[size_t(i + kSlice)]) want[size_t(i * 7 % groups)].insert(c.ids[size_t(i + kSlice)]);
  }
  std::vector<std::unique_ptr<GroupedAgg>> states;
  for (int w = 0; w < workers; ++w) {
    states.push_back(Make(*full.type));
    states.back()->Resize(size_t(groups));
  }
  std::vector<int32_t> rows, gids;
  for (int64_t start = 0, chunk = 0; start < kRows; start += kChunk, ++chunk) {
    const int64_t n = std::min(kChunk, kRows - start);
    const int w = int(chunk % workers);
    rows.clear();
    gids.clear();
    for (int64_t k = 0; k < n; ++k) {
      const int64_t r = feed == Feed::kRange ? start + k : start + n - 1 - k;
      rows.push_back(int32_t(r));
      gids.push_back(int32_t((r * 7 % groups + w) % groups));
    }
    const int32_t* g = groups > 1 ? gids.data() : nullptr;
    if (feed == Feed::kRange) {
      states[size_t(w)]->Update(view, nullptr, start, n, g);
    } else {
      states[size_t(w)]->Update(view, rows.data(), 0, n, g);
    }
  }
  for (int w = 1; w < workers; ++w) {
    std::vector<int32_t> map(static_cast<size_t>(groups));
    for (int32_t g = 0; g < groups; ++g) map[size_t(g)] = (g - w % groups + groups) % groups;
    const int32_t* m = groups > 1 ? map.data() : nullptr;
    if (merge == MergeBy::kMerge) {
      states[0]->Merge(*states[size_t(w)], m);
    } else {
      REQUIRE(states[0]->MergeParallel(*states[size_t(w)], m, RunOnTwoThreads).ok());
    }
  }
  auto out = states[0]->Finalize(size_t(groups));
  REQUIRE(out.ok());
  REQUIRE((*out)->length == groups);
  for (int32_t g = 0; g < groups; ++g) {
    INFO("group " << g);
    const auto want_n = qk::Scalar::Int64(int64_t(want[size_t(g)].size()));
    CHECK(qk::ValueAt((*out)->View(), g) == want_n);
    CHECK(states[0]->GroupResult(size_t(g)) == std::optional<qk::Scalar>(want_n));
  }
  CHECK(states[0]->MemoryBytes() > 0);
}

void CheckAll(const Column& c, const ArrayView& view) {
  for (const int workers : {1, 2, 4}) {
    for (const int32_t groups : {1, kGroups}) {
      for (const Feed feed : {Feed::kRange, Feed::kRows}) Check(c, view, workers, groups, feed);
      if (workers > 1) Check(c, view, workers, groups, Feed::kRange, MergeBy::kTwoThreads);
    }
  }
}

}  // namespace

TEST_CASE("COUNT(DISTINCT) of every number type matches a set, NaN and -0.0 as DuckDB",
          "[kernels]") {
  std::mt19937_64 rng(20261201);
  const std::vector<DataType> types = {
      DataType(TypeId::kInt8),    DataType(TypeId::kInt16),   DataType(TypeId::kInt32),
      DataType(TypeId::kInt64),   DataType(TypeId::kUInt8),   DataType(TypeId::kUInt16),
      DataType(TypeId::kUInt32),  DataType(TypeId::kUInt64),  DataType(TypeId::kFloat32),
      DataType(TypeId::kFloat64), DataType(TypeId::kBool),    DataType(TypeId::kDate32),
      DataType::Decimal(30, 2)};
  for (const DataType& t : types) {
    INFO("type " << t.ToString());
    const Column c = MakeNumbers(t, rng);
    CheckAll(c, c.data->View());
  }
}

TEST_CASE("COUNT(DISTINCT) of strings and dictionaries matches a set", "[kernels]") {
  std::mt19937_64 rng(7);
  for (const int vocabulary : {40, 100000}) {
    for (const DataType& t : {DataType(TypeId::kUtf8), DataType::Dictionary(TypeId::kInt32)}) {
      INFO("type " << t.ToString() << ", vocabulary " << vocabulary);
      const Column c = MakeStrings(t, vocabulary, rng);
      ColumnViews views({c.data});
      CheckAll(c, views[0]);
    }
  }
}

TEST_CASE("COUNT(DISTINCT) of mostly empty strings counts '' once, in every batch", "[kernels]") {
  std::mt19937_64 rng(11);
  for (const int empty : {85, 100}) {
    INFO(empty << "% empty");
    const Column c = MakeStrings(DataType(TypeId::kUtf8), 100000, rng, empty);
    ColumnViews views({c.data});
    CheckAll(c, views[0]);
  }
}

TEST_CASE("COUNT(DISTINCT) keeps its values when an ungrouped state meets group ids",
          "[kernels]") {
  // A state fed without group ids (all rows in group 0) that later gets rows
  // with group ids, or is merged with a map that moves group 0, or takes in
  // a grouped state: group 0's values move into the grouped set intact.
  const DataType t(TypeId::kInt64);
  ArrayBuilder b{t};
  for (int64_t v : {0, 5, 7, 5, 0, 9, -1, 7}) b.AppendInt(v);
  auto col = b.Finish();
  REQUIRE(col.ok());
  const ArrayView v = (*col)->View();
  const int32_t gids[] = {1, 1, 1, 0, 0, 0, 1, 1};

  auto a = Make(t);
  a->Resize(2);
  a->Update(v, nullptr, 0, 4, nullptr);  // group 0: 0, 5, 7
  a->Update(v, nullptr, 0, 8, gids);     // group 0: + 0, 9; group 1: 0, 5, 7, -1
  CHECK(a->GroupResult(0) == std::optional<qk::Scalar>(qk::Scalar::Int64(4)));
  CHECK(a->GroupResult(1) == std::optional<qk::Scalar>(qk::Scalar::Int64(4)));

  auto u = Make(t);  // ungrouped: 0, 5, 7, 9, -1
  u->Resize(1);
  u->Update(v, nullptr, 0, 8, nullptr);
  auto w = Make(t);  // ungrouped: 9
  w->Resize(1);
  w->Update(v, nullptr, 5, 1, nullptr);
  const int32_t to1[] = {1};
  w->Resize(2);
  w->Merge(*u, to1);  // w: group 0: 9; group 1: 0, 5, 7, 9, -1
  CHECK(w->GroupResult(0) == std::optional<qk::Scalar>(qk::Scalar::Int64(1)));
  CHECK(w->GroupResult(1) == std::optional<qk::Scalar>(qk::Scalar::Int64(5)));

  a->Merge(*w, nullptr);  // a's group 0: 0, 5, 7, 9; group 1: + 9
  CHECK(a->GroupResult(0) == std::optional<qk::Scalar>(qk::Scalar::Int64(4)));
  CHECK(a->GroupResult(1) == std::optional<qk::Scalar>(qk::Scalar::Int64(5)));

  auto e = Make(t);  // an ungrouped state takes in a grouped one
  e->Resize(2);
  e->Update(v, nullptr, 6, 2, nullptr);  // group 0: -1, 7
  e->Merge(*a, nullptr);                 // group 0: + 0, 5, 9; group 1: a's 5
  CHECK(e->GroupResult(0) == std::optional<qk::Scalar>(qk::Scalar::Int64(5)));
  CHECK(e->GroupResult(1) == std::optional<qk::Scalar>(qk::Scalar::Int64(5)));
  const int32_t drop[] = {-1};
  e->Merge(*u, drop);  // skipped
  CHECK(e->GroupResult(0) == std::optional<qk::Scalar>(qk::Scalar::Int64(5)));
}

TEST_CASE("COUNT(DISTINCT) counts the bytes of its sets as they grow", "[kernels]") {
  const DataType t(TypeId::kInt64);
  ArrayBuilder b{t};
  for (int64_t i = 0; i < 200000; ++i) b.AppendInt(i * 7919);
  auto col = b.Finish();
  REQUIRE(col.ok());
  for (const bool grouped : {false, true}) {
    auto a = Make(t);
    a->Resize(2);
    const size_t empty = a->MemoryBytes();
    std::vector<int32_t> gids(200000, 1);
    a->Update((*col)->View(), nullptr, 0, 200000, grouped ? gids.data() : nullptr);
    // At least 8 bytes per distinct value.
    CHECK(a->MemoryBytes() >= empty + 200000 * 8);
  }
}
