// Group-by on integer and string keys together, which GroupByState packs
// into one 128-bit key with each string as its id in a per-table string
// table (kernels/group_by_intern.cc): exact counts and sums against a
// std::map reference in first-row order, NULL apart from '' and from the
// string 'NULL', plain utf8 chunks and dictionary chunks (each chunk its own
// dictionary, entries shuffled, a NULL entry and out-of-range indices), keys
// whose rows span chunks and tables, 1, 2 and 4 partial tables (4: past the
// split size, the partitioned merge) giving the same rows in the same order,
// Merge, AdmitAtMost, and the string tables counted in memory_bytes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "kernels/group_by.h"
#include "random_data.h"

namespace qk = quiver::kernels;
using quiver::ArrayBuilder;
using quiver::ArrayData;
using quiver::ArrayView;
using quiver::DataType;
using quiver::Status;
using quiver::TypeId;
using Str = std::optional<std::string>;

namespace {

using qk::testing::Serial;

// A value as text, strings quoted (so NULL, '' and 'NULL' differ).
std::string Text(const ArrayView& v, int64_t i) {
  const qk::Scalar s = qk::ValueAt(v, i);
  if (s.is_null()) return "NULL";
  if (s.kind() == qk::Scalar::Kind::kString) return "'" + s.string_value() + "'";
  return s.ToString();
}

// A key column of rows [start, start + n) of `rows`: utf8, or (dict) a
// dictionary<int32> of its own whose entries are the chunk's distinct
// strings shuffled with a NULL entry and an unused one; a NULL row is a
// NULL index (even rows), the NULL entry or an index past the end.
struct KeyChunk {
  std::shared_ptr<ArrayData> data, dict;
  ArrayView dict_view, view;
};
KeyChunk MakeKeys(const std::vector<Str>& rows, int64_t start, int64_t n, bool dict,
                  uint64_t seed) {
  KeyChunk k;
  if (!dict) {
    ArrayBuilder b{DataType(TypeId::kUtf8)};
    for (int64_t r = start; r < start + n; ++r) {
      if (rows[size_t(r)])
        b.AppendString(*rows[size_t(r)]);
      else
        b.AppendNull();
    }
    k.data = b.Finish().value();
    k.view = k.data->View();
    return k;
  }
  std::vector<std::string> words;
  for (int64_t r = start; r < start + n; ++r) {
    if (rows[size_t(r)]) words.push_back(*rows[size_t(r)]);
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  words.push_back("unused entry " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::shuffle(words.begin(), words.end(), rng);
  std::vector<qk::Scalar> entries;
  for (const std::string& w : words) entries.push_back(qk::Scalar::String(w));
  std::map<std::string, int64_t> index;
  for (size_t e = 0; e < words.size(); ++e) index[words[e]] = int64_t(e);
  const int64_t null_entry = int64_t(entries.size());
  entries.push_back(qk::Scalar::Null());
  k.dict = qk::ScalarsToArray(entries, DataType(TypeId::kUtf8)).value();
  k.dict_view = k.dict->View();
  ArrayBuilder b{DataType(TypeId::kInt32)};
  for (int64_t r = start; r < start + n; ++r) {
    const Str& s = rows[size_t(r)];
    if (s)
      b.AppendInt(index.at(*s));
    else if (r % 2 == 0)
      b.AppendNull();
    else
      b.AppendInt(r % 3 == 0 ? null_entry : null_entry + 5);
  }
  k.data = b.Finish().value();
  k.data->type = DataType::Dictionary(TypeId::kInt32);
  k.data->dictionary = k.dict;
  k.view = k.data->View();
  k.view.dictionary = &k.dict_view;
  return k;
}

std::shared_ptr<ArrayData> Ints(TypeId type, const std::vector<std::optional<int64_t>>& v) {
  ArrayBuilder b{DataType(type)};
  for (const auto& x : v) {
    if (x)
      b.AppendInt(*x);
    else
      b.AppendNull();
  }
  return b.Finish().value();
}

// The rows of a test: integer key columns and string key columns, in the
// order `layout` gives ('i': next int column, 's': next string column).
struct Rows {
  std::string layout;
  std::vector<std::shared_ptr<ArrayData>> ints;
  std::vector<std::vector<Str>> strs;
  std::shared_ptr<ArrayData> value;  // int64
  int64_t n = 0;
};

// Row r's key as text, columns joined by '|'.
std::string RowKey(const Rows& t, int64_t r) {
  std::string key;
  size_t i = 0, s = 0;
  for (char c : t.layout) {
    if (c == 'i') {
      key += Text(t.ints[i++]->View(), r) + "|";
    } else {
      const Str& v = t.strs[s++][size_t(r)];
      key += (v ? "'" + *v + "'" : std::string("NULL")) + "|";
    }
  }
  return key;
}

std::vector<qk::GroupByState> MakeStates(const Rows& t, bool dict, int parts) {
  std::vector<DataType> kt;
  size_t i = 0;
  for (char c : t.layout) {
    if (c == 'i')
      kt.push_back(t.ints[i++]->type);
    else
      kt.push_back(dict ? DataType::Dictionary(TypeId::kInt32) : DataType(TypeId::kUtf8));
  }
  std::vector<qk::GroupByState> states;
  for (int p = 0; p < parts; ++p) {
    states.push_back(qk::GroupByState::Make(kt, {DataType(TypeId::kInt64)},
                                            {{qk::AggKind::kCountStar, -1}, {qk::AggKind::kSum, 0}})
                         .value());
  }
  return states;
}

// Feeds the rows in morsels, morsel m to states[m % size].
void Feed(const Rows& t, bool dict, std::vector<qk::GroupByState>* states) {
  const int64_t morsel = 5000;
  int64_t m = 0;
  for (int64_t start = 0; start < t.n; start += morsel, ++m) {
    const int64_t len = std::min(morsel, t.n - start);
    auto slice = [&](const std::shared_ptr<ArrayData>& a) {
      ArrayView v = a->View();
      v.offset += start;
      v.length = len;
      return v;
    };
    std::vector<KeyChunk> chunks;
    for (size_t s = 0; s < t.strs.size(); ++s)
      chunks.push_back(MakeKeys(t.strs[s], start, len, dict, uint64_t(m * 31 + int64_t(s))));
    std::vector<ArrayView> keys;
    size_t i = 0, s = 0;
    for (char c : t.layout) {
      if (c == 'i') {
        keys.push_back(slice(t.ints[i++]));
      } else {
        keys.push_back(chunks[s].view);
        if (dict) keys.back().dictionary = &chunks[s].dict_view;
        ++s;
      }
    }
    REQUIRE((*states)[size_t(m) % states->size()]
                .Consume(keys, {slice(t.value)}, nullptr, start)
                .ok());
  }
}

// The output rows as "key|count|sum".
std::vector<std::string> OutputRows(const std::vector<std::shared_ptr<ArrayData>>& out,
                                    size_t nkeys, int64_t groups) {
  std::vector<std::string> rows;
  for (int64_t g = 0; g < groups; ++g) {
    std::string row;
    for (size_t k = 0; k < nkeys + 2; ++k) row += Text(out[k]->View(), g) + (k < nkeys + 1 ? "|" : "");
    rows.push_back(row);
  }
  return rows;
}

// The reference: groups in first-row order, the first `limit` of them.
std::vector<std::string> Want(const Rows& t, size_t limit = SIZE_MAX) {
  std::map<std::string, std::pair<int64_t, int64_t>> acc;
  std::vector<std::string> order;
  const ArrayView vv = t.value->View();
  for (int64_t r = 0; r < t.n; ++r) {
    const std::string key = RowKey(t, r);
    auto [it, added] = acc.emplace(key, std::make_pair(int64_t(0), int64_t(0)));
    if (added) order.push_back(key);
    ++it->second.first;
    it->second.second += vv.Value<int64_t>(r);
  }
  std::vector<std::string> rows;
  for (size_t g = 0; g < order.size() && g < limit; ++g) {
    const auto& [count, sum] = acc[order[g]];
    rows.push_back(order[g] + std::to_string(count) + "|" + std::to_string(sum));
  }
  return rows;
}

std::vector<std::string> Run(const Rows& t, bool dict, int parts) {
  auto states = MakeStates(t, dict, parts);
  Feed(t, dict, &states);
  int64_t groups = 0, bytes = 0;
  auto out = qk::GroupByState::FinalizeAll(&states, Serial, &groups, &bytes);
  REQUIRE(out.ok());
  size_t i = 0;
  for (size_t k = 0; k < t.layout.size(); ++k)
    CHECK((*out)[k]->type == (t.layout[k] == 'i' ? t.ints[i++]->type : DataType(TypeId::kUtf8)));
  return OutputRows(*out, t.layout.size(), groups);
}

// A phrase: '' on a third of the rows, NULL, the string 'NULL', long
// strings and a few thousand short ones.
Str Phrase(int64_t r, int64_t salt) {
  if (r % 11 == 0) return std::nullopt;
  if (r % 3 == 0) return std::string();
  if (r % 29 == 0) return std::string("NULL");
  if (r % 5 == 0) return std::string(40, char('a' + (r + salt) % 26)) + std::to_string(r % 97);
  return "p" + std::to_string((r * 13 + salt) % 1500);
}

Rows UserPhrases(int64_t n) {
  Rows t;
  t.layout = "is";
  t.n = n;
  std::vector<std::optional<int64_t>> uid, val;
  std::vector<Str> phrase;
  for (int64_t r = 0; r < n; ++r) {
    // NULL, 0 and negative user ids; ~20000 of them (past the split size
    // of 4 tables in pairs with the phrases).
    uid.push_back(r % 17 == 0 ? std::nullopt
                              : std::optional<int64_t>((r * 7919) % 20011 - 10000));
    phrase.push_back(Phrase(r, 0));
    val.push_back(r % 1000 - 300);
  }
  t.ints = {Ints(TypeId::kInt64, uid)};
  t.strs = {phrase};
  t.value = Ints(TypeId::kInt64, val);
  return t;
}

}  // namespace

TEST_CASE("Integer and string keys group exactly, in first-row order on 1, 2 and 4 tables",
          "[kernels]") {
  const Rows t = UserPhrases(50000);
  const std::vector<std::string> want = Want(t);
  REQUIRE(want.size() > 32768);  // past the split size (kSplitGroups) with 4 tables
  for (bool dict : {false, true}) {
    for (int parts : {1, 2, 4}) {
      INFO("dictionary chunks: " << dict << ", partial tables: " << parts);
      CHECK(Run(t, dict, parts) == want);
    }
  }
}

TEST_CASE("Two string keys and an int32 pack as interned ids; NULL, '' and 'NULL' differ",
          "[kernels]") {
  Rows t;
  t.layout = "sis";
  t.n = 30000;
  std::vector<std::optional<int64_t>> small, val;
  std::vector<Str> a, b;
  for (int64_t r = 0; r < t.n; ++r) {
    a.push_back(Phrase(r / 3, 1));
    b.push_back(r % 7 == 0 ? std::nullopt : Phrase(r % 500, 7));
    small.push_back(r % 13 == 0 ? std::nullopt : std::optional<int64_t>(r % 5 - 2));
    val.push_back(r);
  }
  t.ints = {Ints(TypeId::kInt32, small)};
  t.strs = {a, b};
  t.value = Ints(TypeId::kInt64, val);
  const std::vector<std::string> want = Want(t);
  // The three spellings of nothing are three groups of each column.
  int nulls = 0, empties = 0, words = 0;
  for (const std::string& row : want) {
    nulls += row.rfind("NULL|", 0) == 0;
    empties += row.rfind("''|", 0) == 0;
    words += row.rfind("'NULL'|", 0) == 0;
  }
  CHECK((nulls > 0 && empties > 0 && words > 0));
  for (bool dict : {false, true}) {
    for (int parts : {1, 2, 4}) {
      INFO("dictionary chunks: " << dict << ", partial tables: " << parts);
      CHECK(Run(t, dict, parts) == want);
    }
  }
}

TEST_CASE("Interned keys merge with Merge: the ids of the two tables are translated",
          "[kernels]") {
  const Rows t = UserPhrases(20000);
  const std::vector<std::string> want = Want(t);
  for (bool dict : {false, true}) {
    INFO("dictionary chunks: " << dict);
    auto states = MakeStates(t, dict, 3);
    Feed(t, dict, &states);
    REQUIRE(states[0].Merge(states[1]).ok());
    REQUIRE(states[0].Merge(states[2]).ok());
    auto out = states[0].Finalize();
    REQUIRE(out.ok());
    std::vector<std::string> got = OutputRows(*out, 2, states[0].num_groups());
    std::vector<std::string> sorted_want = want;
    std::sort(got.begin(), got.end());
    std::sort(sorted_want.begin(), sorted_want.end());
    CHECK(got == sorted_want);
  }
}

TEST_CASE("Interned keys admit at most k groups, each whole", "[kernels]") {
  const Rows t = UserPhrases(20000);
  for (bool dict : {false, true}) {
    for (size_t k : {size_t(1), size_t(7), size_t(300)}) {
      INFO("dictionary chunks: " << dict << ", k: " << k);
      auto states = MakeStates(t, dict, 1);
      states[0].AdmitAtMost(int64_t(k));
      Feed(t, dict, &states);
      CHECK(states[0].rows_skipped() > 0);
      int64_t groups = 0, bytes = 0;
      auto out = qk::GroupByState::FinalizeAll(&states, Serial, &groups, &bytes);
      REQUIRE(out.ok());
      CHECK(OutputRows(*out, 2, groups) == Want(t, k));
    }
  }
}

TEST_CASE("Interned keys' string tables count in memory_bytes", "[kernels]") {
  // 2000 distinct strings of 1000 bytes, each in one group.
  Rows t;
  t.layout = "is";
  t.n = 4000;
  std::vector<std::optional<int64_t>> uid, val;
  std::vector<Str> s;
  for (int64_t r = 0; r < t.n; ++r) {
    uid.push_back(r % 2000);
    s.push_back(std::string(1000, 'x') + std::to_string(r % 2000));
    val.push_back(1);
  }
  t.ints = {Ints(TypeId::kInt64, uid)};
  t.strs = {s};
  t.value = Ints(TypeId::kInt64, val);
  for (bool dict : {false, true}) {
    auto states = MakeStates(t, dict, 1);
    const int64_t empty = states[0].memory_bytes();
    Feed(t, dict, &states);
    CHECK(states[0].num_groups() == 2000);
    CHECK(states[0].memory_bytes() - empty >= 2000 * 1000);
  }
}
