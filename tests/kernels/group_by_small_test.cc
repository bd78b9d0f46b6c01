// The group-by fast path for a single dictionary key of few entries
// (kernels/group_by_small.cc) against the general path: the same rows
// grouped by the dictionary decoded to utf8 (which takes the general path)
// must give the same groups, in the same order, with the same aggregates,
// bit for bit (the float values are halves, so every sum is exact whatever
// the order of the additions; NaN and ±Inf are among them).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <random>

#include "kernels/dispatch.h"
#include "kernels/group_by.h"
#include "random_data.h"

namespace qk = quiver::kernels;
using qk::AggKind;
using qk::Scalar;
using quiver::ArrayData;
using quiver::ArrayView;
using quiver::DataType;
using quiver::Status;
using quiver::TypeId;

namespace {

// A value as exact text: doubles in hexadecimal (so -0 and 0 differ), any NaN as "nan".
std::string Exact(const ArrayView& col, int64_t i) {
  const Scalar v = qk::ValueAt(col, i);
  if (v.kind() != Scalar::Kind::kDouble) return v.ToString();
  if (std::isnan(v.double_value())) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v.double_value());
  return buf;
}

// One chunk: a dictionary key, the same key decoded to utf8, and values.
struct Chunk {
  qk::testing::TestColumn key;        // dictionary
  std::shared_ptr<ArrayData> decoded;  // utf8, NULL where the key is
  std::vector<qk::testing::TestColumn> values;
  std::optional<qk::Mask> filter;
  int64_t first_row = 0;
};

struct KeyShape {
  TypeId index;
  int entries;        // dictionary entries
  int used;           // rows use indices [0, used) (the others are unused)
  bool null_entry;    // entry 1 is NULL
  bool duplicate;     // entry 2 repeats entry 0
  bool out_of_range;  // some indices are >= entries (grouped as NULL)
};

// A dictionary key column of n rows after `offset` rows, its entries a
// shuffle of a shared word list (so chunks share keys but not indices).
// Chunks made with the same dict_seed have equal dictionaries (in buffers
// of their own).
Chunk MakeChunk(const KeyShape& shape, int64_t n, int64_t offset, double key_nulls,
                const std::vector<DataType>& value_types, uint64_t seed, uint64_t dict_seed = 0,
                double value_nulls = 0.15) {
  std::mt19937_64 rng(seed);
  std::vector<Scalar> words;
  for (int i = 0; i < shape.entries; ++i) words.push_back(Scalar::String("k" + std::to_string(i)));
  std::mt19937_64 dict_rng(dict_seed ? dict_seed : seed);
  std::shuffle(words.begin(), words.end(), dict_rng);
  if (shape.null_entry && shape.entries > 1) words[1] = Scalar::Null();
  if (shape.duplicate && shape.entries > 2) words[2] = words[0];
  Chunk c;
  qk::testing::TestColumn& k = c.key;
  k.dict_data = qk::ScalarsToArray(words, DataType(TypeId::kUtf8)).value();
  k.dict_view = k.dict_data->View();
  const int64_t total = n + offset;
  k.data = std::make_shared<ArrayData>();
  k.data->type = DataType::Dictionary(shape.index);
  k.data->length = total;
  k.data->dictionary = k.dict_data;
  auto validity = qk::testing::RandomValidity(total, key_nulls, rng, &k.data->null_count);
  const int w = quiver::ByteWidth(shape.index);
  auto idx = quiver::Buffer::Allocate(total * w);
  const int64_t top = shape.index == TypeId::kInt8 ? 127 : shape.entries + 40;
  for (int64_t i = 0; i < total; ++i) {
    int64_t x = std::uniform_int_distribution<int64_t>(0, shape.used - 1)(rng);
    if (shape.out_of_range && rng() % 50 == 0) x = std::uniform_int_distribution<int64_t>(shape.entries, top)(rng);
    std::memcpy(idx->mutable_data() + i * w, &x, size_t(w));  // little-endian
  }
  k.data->buffers = {k.data->null_count ? validity : nullptr, idx};
  k.view = k.data->View();
  k.view.dictionary = &k.dict_view;
  if (offset > 0) qk::testing::Slice(&k, offset);
  std::vector<Scalar> dec;
  for (int64_t i = 0; i < n; ++i) dec.push_back(qk::ValueAt(k.view, i));
  c.decoded = qk::ScalarsToArray(dec, DataType(TypeId::kUtf8)).value();
  for (const DataType& t : value_types) {
    c.values.push_back(qk::testing::RandomColumn(t, n, offset, value_nulls, rng()));
    auto& v = c.values.back();
    if (t.id == TypeId::kFloat64 || t.id == TypeId::kFloat32) {  // some ±Inf too
      auto* p = const_cast<uint8_t*>(v.view.values);
      for (int64_t i = 0; i < n; ++i) {
        if (rng() % 97 != 0) continue;
        const double inf = rng() % 2 ? HUGE_VAL : -HUGE_VAL;
        if (t.id == TypeId::kFloat64) reinterpret_cast<double*>(p)[v.view.offset + i] = inf;
        else reinterpret_cast<float*>(p)[v.view.offset + i] = float(inf);
      }
    }
  }
  return c;
}

using qk::testing::Serial;

// The chunks fed to `threads` partial tables (chunk i to table i % threads),
// finalized together: the output rows as exact text, or the error.
std::vector<std::string> Run(const std::vector<Chunk>& chunks, bool dictionary, int threads,
                             const std::vector<DataType>& value_types,
                             const std::vector<qk::AggregateSpec>& specs) {
  const DataType key_type = dictionary ? chunks[0].key.view.type[0] : DataType(TypeId::kUtf8);
  std::vector<qk::GroupByState> states;
  for (int t = 0; t < threads; ++t) states.push_back(qk::GroupByState::Make({key_type}, value_types, specs).value());
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& c = chunks[i];
    ArrayView key = dictionary ? c.key.view : c.decoded->View();
    if (dictionary) key.dictionary = &c.key.dict_view;
    std::vector<ArrayView> values;
    for (const auto& v : c.values) values.push_back(v.view);
    const Status s = states[i % size_t(threads)].Consume({key}, values, c.filter ? &*c.filter : nullptr,
                                                         c.first_row);
    if (!s.ok()) return {"consume: " + s.ToString()};
  }
  int64_t groups = 0, bytes = 0;
  auto out = qk::GroupByState::FinalizeAll(&states, Serial, &groups, &bytes);
  if (!out.ok()) return {"finalize: " + std::string(quiver::StatusCodeName(out.status().code()))};
  std::vector<std::string> rows;
  for (int64_t g = 0; g < groups; ++g) {
    std::string row;
    for (const auto& col : *out) row += Exact(col->View(), g) + "|";
    rows.push_back(row);
  }
  return rows;
}

const std::vector<DataType>& ValueTypes() {
  static const std::vector<DataType> types = {
      DataType(TypeId::kFloat64), DataType(TypeId::kFloat32), DataType(TypeId::kInt8),
      DataType(TypeId::kInt16),   DataType(TypeId::kInt32),   DataType(TypeId::kUInt8),
      DataType(TypeId::kInt64),   DataType(TypeId::kUInt64)};
  return types;
}

// count/sum/avg/min/max of each value column (no sums of the 64-bit ones:
// their random extremes overflow; see the overflow test).
std::vector<qk::AggregateSpec> Specs() {
  std::vector<qk::AggregateSpec> specs = {{AggKind::kCountStar, -1}};
  for (int v = 0; v < int(ValueTypes().size()); ++v) {
    const bool wide = ValueTypes()[size_t(v)].id == TypeId::kInt64 ||
                      ValueTypes()[size_t(v)].id == TypeId::kUInt64;
    for (AggKind k : {AggKind::kCount, AggKind::kSum, AggKind::kAvg, AggKind::kMin, AggKind::kMax}) {
      if (wide && (k == AggKind::kSum || k == AggKind::kAvg)) continue;
      specs.push_back({k, v});
    }
  }
  return specs;
}

}  // namespace

TEST_CASE("The small-dictionary group-by gives the general path's groups, order and aggregates",
          "[kernels]") {
  const std::vector<KeyShape> shapes = {
      {TypeId::kInt8, 8, 8, false, false, false},    {TypeId::kInt8, 20, 5, true, true, true},
      {TypeId::kUInt8, 200, 200, false, false, false}, {TypeId::kInt16, 6, 4, true, false, true},
      {TypeId::kInt16, 1000, 1000, false, true, false}, {TypeId::kUInt16, 300, 250, true, false, true},
      {TypeId::kInt32, 12, 12, false, false, true},  {TypeId::kInt16, 5000, 5000, false, false, false},
  };
  const auto specs = Specs();
  uint64_t seed = 7100;
  for (const KeyShape& shape : shapes) {
    for (int case_no = 0; case_no < 3; ++case_no) {
      // Case 0: one chunk, no filter. 1: many chunks, sliced, filtered, NULL
      // keys. 2: many chunks, every key NULL in some, empty chunks.
      std::mt19937_64 rng(++seed);
      const uint64_t dict_base = seed * 100;
      const int nchunks = case_no == 0 ? 1 : 7;
      std::vector<Chunk> chunks;
      int64_t first_row = 0;
      for (int i = 0; i < nchunks; ++i) {
        const int64_t n = case_no == 0 ? 4000 : int64_t(rng() % 900) * (i % 3 != 2);
        const int64_t offset = case_no == 0 ? 0 : int64_t(rng() % 70);
        const double key_nulls = case_no == 0 ? 0.0 : case_no == 1 ? 0.1 : (i == 1 ? 1.0 : 0.02);
        // Chunks 2k and 2k + 1 share their dictionary's entries.
        Chunk c = MakeChunk(shape, n, offset, key_nulls, ValueTypes(), ++seed, dict_base + uint64_t(i / 2));
        if (case_no >= 1 && i % 2 == 0) {
          c.filter = qk::Mask::AllFalse(n);
          for (int64_t r = 0; r < n; ++r) {
            if (rng() % 3 != 0) c.filter->is_true[size_t(r >> 6)] |= uint64_t(1) << (r & 63);
          }
        }
        c.first_row = first_row;
        first_row += n;
        chunks.push_back(std::move(c));
      }
      for (int threads : {1, 2, 4}) {
        INFO("index " << quiver::TypeIdName(shape.index) << " entries " << shape.entries << " case "
                      << case_no << " threads " << threads);
        const auto want = Run(chunks, false, threads, ValueTypes(), specs);
        const auto got = Run(chunks, true, threads, ValueTypes(), specs);
        REQUIRE(!want.empty());
        CHECK(want.front().rfind("consume", 0) != 0);
        CHECK(got == want);
      }
    }
  }
}

TEST_CASE("The small-dictionary group-by over empty input and all-false filters gives no groups",
          "[kernels]") {
  const KeyShape shape{TypeId::kInt8, 8, 8, false, false, false};
  for (int64_t n : {0, 100}) {
    std::vector<Chunk> chunks;
    chunks.push_back(MakeChunk(shape, n, 3, 0.0, ValueTypes(), 42));
    chunks.back().filter = qk::Mask::AllFalse(n);
    CHECK(Run(chunks, true, 1, ValueTypes(), Specs()).empty());
    CHECK(Run(chunks, true, 2, ValueTypes(), Specs()).empty());
  }
}

TEST_CASE("The small-dictionary group-by reports an int64 sum overflow like the general path",
          "[kernels]") {
  const KeyShape shape{TypeId::kInt8, 4, 4, false, false, false};
  std::vector<Chunk> chunks;
  for (int i = 0; i < 3; ++i) chunks.push_back(MakeChunk(shape, 500, 0, 0.0, {DataType(TypeId::kInt64)}, 50 + i));
  const std::vector<qk::AggregateSpec> sum = {{AggKind::kSum, 0}};
  const auto want = Run(chunks, false, 2, {DataType(TypeId::kInt64)}, sum);
  CHECK(want == std::vector<std::string>{"finalize: overflow"});
  CHECK(Run(chunks, true, 2, {DataType(TypeId::kInt64)}, sum) == want);
}

TEST_CASE("The small-dictionary group-by keeps the first of 0 and -0 as min and max, as the general path",
          "[kernels]") {
  const KeyShape shape{TypeId::kInt8, 5, 5, false, false, false};
  std::vector<Chunk> chunks;
  std::mt19937_64 rng(99);
  for (int i = 0; i < 4; ++i) {
    chunks.push_back(MakeChunk(shape, 300, 0, 0.0, {DataType(TypeId::kFloat64)}, 60 + i));
    chunks.back().first_row = 300 * i;
    // Only zeros of either sign, some NaN: the extremes are ties.
    auto* p = reinterpret_cast<double*>(const_cast<uint8_t*>(chunks.back().values[0].view.values));
    for (int64_t r = 0; r < 300; ++r) {
      const uint64_t pick = rng() % 9;
      p[chunks.back().values[0].view.offset + r] = pick == 0 ? std::nan("") : pick % 2 ? -0.0 : 0.0;
    }
  }
  const std::vector<qk::AggregateSpec> specs = {
      {AggKind::kMin, 0}, {AggKind::kMax, 0}, {AggKind::kSum, 0}, {AggKind::kCount, 0}};
  for (int threads : {1, 2}) {
    const auto want = Run(chunks, false, threads, {DataType(TypeId::kFloat64)}, specs);
    REQUIRE(want.size() == 5);
    CHECK(Run(chunks, true, threads, {DataType(TypeId::kFloat64)}, specs) == want);
  }
}

TEST_CASE("The small-dictionary group-by sees a dictionary rewritten in place between batches",
          "[kernels]") {
  // The same buffers, other entries: groups must follow the new entries.
  const KeyShape shape{TypeId::kInt16, 30, 30, false, false, false};
  const std::vector<qk::AggregateSpec> specs = {{AggKind::kCountStar, -1}, {AggKind::kSum, 0}};
  const std::vector<DataType> types = {DataType(TypeId::kFloat64)};
  Chunk c = MakeChunk(shape, 400, 0, 0.05, types, 77);
  for (int threads : {1, 2}) {
    auto fast = qk::GroupByState::Make({c.key.view.type[0]}, types, specs).value();
    auto general = qk::GroupByState::Make({DataType(TypeId::kUtf8)}, types, specs).value();
    auto feed = [&](int64_t first_row) {
      ArrayView key = c.key.view;
      key.dictionary = &c.key.dict_view;
      REQUIRE(fast.Consume({key}, {c.values[0].view}, nullptr, first_row).ok());
      std::vector<Scalar> dec;
      for (int64_t i = 0; i < key.length; ++i) dec.push_back(qk::ValueAt(key, i));
      auto decoded = qk::ScalarsToArray(dec, DataType(TypeId::kUtf8)).value();
      REQUIRE(general.Consume({decoded->View()}, {c.values[0].view}, nullptr, first_row).ok());
    };
    feed(0);
    // Entry 0's text becomes another word of the same length ("k…" ↔ "x…").
    auto* bytes = const_cast<uint8_t*>(c.key.dict_view.values) + c.key.dict_view.offsets[c.key.dict_view.offset];
    bytes[0] = threads == 1 ? 'x' : 'k';
    feed(400);
    auto rows = [](const qk::GroupByState& st) {
      std::vector<std::string> out;
      auto cols = st.Finalize().value();
      for (int64_t g = 0; g < cols[0]->length; ++g) {
        std::string row;
        for (const auto& col : cols) row += Exact(col->View(), g) + "|";
        out.push_back(row);
      }
      return out;
    };
    CHECK(rows(fast) == rows(general));
    // 30 entries, NULL, and the renamed entry's new word (the second pass
    // renames it back: "x…" → "k…").
    CHECK(rows(fast).size() == 32u);
  }
}

TEST_CASE("The small-dictionary group-by's one-pass count(*) with one count/sum/avg matches the general path",
          "[kernels]") {
  // count(*) and one count/sum/avg: unfiltered chunks take the fused loop.
  const std::vector<KeyShape> shapes = {{TypeId::kInt8, 8, 8, false, false, false},
                                        {TypeId::kUInt8, 20, 12, true, true, true},
                                        {TypeId::kInt16, 300, 300, false, false, true},
                                        {TypeId::kInt32, 6, 6, true, false, true}};
  const std::vector<DataType> types = {DataType(TypeId::kFloat64), DataType(TypeId::kFloat32),
                                       DataType(TypeId::kInt32), DataType(TypeId::kInt64)};
  uint64_t seed = 8800;
  for (const KeyShape& shape : shapes) {
    std::vector<Chunk> chunks;
    int64_t first_row = 0;
    for (int i = 0; i < 5; ++i) {
      const int64_t n = 300 + 211 * i;
      chunks.push_back(MakeChunk(shape, n, i * 13, i == 2 ? 0.0 : 0.1, types, ++seed, 5 + uint64_t(i / 2)));
      chunks.back().first_row = first_row;
      first_row += n;
    }
    for (int v = 0; v < int(types.size()); ++v) {
      for (AggKind k : {AggKind::kCount, AggKind::kSum, AggKind::kAvg}) {
        const std::vector<qk::AggregateSpec> specs = {{AggKind::kCountStar, -1}, {k, v}};
        for (int threads : {1, 3}) {
          INFO("index " << quiver::TypeIdName(shape.index) << " value " << types[size_t(v)].ToString()
                        << " agg " << qk::AggKindName(k) << " threads " << threads);
          const auto want = Run(chunks, false, threads, types, specs);
          // (int64 sums of the random extremes overflow, in both paths.)
          CHECK((want.size() > 1 || want == std::vector<std::string>{"finalize: overflow"}));
          CHECK(Run(chunks, true, threads, types, specs) == want);
        }
      }
    }
  }
}

TEST_CASE("The small-dictionary group-by's vector loop (no NULL keys, up to 8 entries) matches the general path",
          "[kernels]") {
  // No NULL keys, up to 8 entries, every index in range (of 1, 2 or 4
  // bytes) and a float value or count(x): an unfiltered chunk but its last
  // rows goes through the vector lanes (dict_sum_internal.h) when the value's
  // validity starts on a byte, on every kernel target this CPU has (the
  // scalar target has no vector kernel); the rest, and the other shapes,
  // through FusedSumBlock. Blocks of 2048 rows, lengths that are not
  // multiples of 8, and NULL values among them.
  const std::vector<KeyShape> shapes = {{TypeId::kInt8, 8, 8, false, false, false},
                                        {TypeId::kUInt8, 200, 200, true, true, true},
                                        {TypeId::kInt8, 3, 3, false, true, true},
                                        {TypeId::kUInt8, 5, 5, true, true, false},
                                        {TypeId::kInt8, 1, 1, false, false, false},
                                        {TypeId::kInt32, 8, 8, false, false, false},
                                        {TypeId::kInt32, 5, 5, true, true, true},
                                        {TypeId::kUInt16, 3, 3, false, true, false},
                                        {TypeId::kInt16, 7, 7, true, false, false}};
  const std::vector<DataType> types = {DataType(TypeId::kFloat64), DataType(TypeId::kFloat32),
                                       DataType(TypeId::kInt32), DataType(TypeId::kInt64)};
  const std::vector<std::pair<int64_t, int64_t>> sizes = {{5000, 0}, {2048, 8}, {4103, 16},
                                                          {7, 64},   {3001, 5}, {20000, 24}};
  // MakeChunk's float values hold NaN at 1 in 100 rows, which makes every
  // sum of thousands of rows NaN: round 1 makes them finite halves (exact
  // sums in any order) so that each added or missed row shows, and round 2
  // values of many magnitudes, whose sums depend on the order of the
  // additions: there the vector lanes must give the scalar target's sums
  // (its four copies in row order), bit for bit.
  const qk::Target was = qk::ActiveKernelTarget();
  uint64_t seed = 9900;
  for (const qk::Target target : qk::SupportedTargets()) {
    for (const KeyShape& shape : shapes) {
      for (const int round : {0, 1, 2}) {
        const bool finite = round > 0;
        std::vector<Chunk> chunks;
        int64_t first_row = 0;
        for (const auto& [n, offset] : sizes) {
          // Values 15 % NULL (counted by the vector kernel) or 3 % (taken off
        // from the validity bytes), by turns.
        chunks.push_back(MakeChunk(shape, n, offset, 0.0, types, ++seed, 77, chunks.size() % 2 ? 0.03 : 0.15));
          chunks.back().first_row = first_row;
          first_row += n;
          for (size_t v = 0; finite && v < types.size(); ++v) {
            auto& col = chunks.back().values[v].view;
            auto* p = const_cast<uint8_t*>(col.values);
            for (int64_t i = 0; i < col.offset + col.length; ++i) {
              const uint64_t u = uint64_t(i) * 2654435761u + seed;
              const uint64_t h = u * 0x9E3779B97F4A7C15ull;
              const double x = round == 1 ? double(int64_t(u % 81) - 40) / 2
                                          : std::ldexp(double(h >> 11) - 0x1p52, int(h % 41) - 70);
              if (types[v].id == TypeId::kFloat64) reinterpret_cast<double*>(p)[i] = x;
              if (types[v].id == TypeId::kFloat32) reinterpret_cast<float*>(p)[i] = float(x);
            }
          }
        }
        REQUIRE(chunks[0].key.view.null_count == 0);
        for (int v = 0; v < int(types.size()); ++v) {
          for (AggKind k : {AggKind::kCount, AggKind::kSum, AggKind::kAvg}) {
            const std::vector<qk::AggregateSpec> specs = {{AggKind::kCountStar, -1}, {k, v}};
            for (int threads : {1, 2}) {
              INFO("target " << qk::TargetName(target) << " round " << round << " index "
                             << quiver::TypeIdName(shape.index) << " entries " << shape.entries
                             << " value " << types[size_t(v)].ToString() << " agg "
                             << qk::AggKindName(k) << " threads " << threads);
              REQUIRE(qk::SetKernelTarget(round == 2 ? qk::Target::kScalar : target).ok());
              const auto want = Run(chunks, round == 2, threads, types, specs);
              REQUIRE(qk::SetKernelTarget(target).ok());
              CHECK((want.size() > (shape.entries > 1 ? 1u : 0u) ||
                     want == std::vector<std::string>{"finalize: overflow"}));
              CHECK(Run(chunks, true, threads, types, specs) == want);
            }
          }
        }
      }
    }
  }
  REQUIRE(qk::SetKernelTarget(was).ok());
}
