// The whole-buffer substring search behind contains / LIKE '%x%'
// (kernels/string_search_internal.h) against a per-row std::string_view::find,
// on every SIMD target.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "kernels/aggregate.h"
#include "kernels/dispatch.h"
#include "kernels/predicate.h"
#include "kernels/reference.h"
#include "kernels/string_search_internal.h"

namespace qk = quiver::kernels;
using qk::Scalar;
using quiver::ArrayData;
using quiver::ArrayView;
using quiver::DataType;
using quiver::TypeId;

namespace {

// Text over a small alphabet (so that needles occur often, at row starts and
// ends and across rows), with a multi-byte character.
std::string RandomText(std::mt19937_64& rng, int max_len) {
  static const char* kPieces[] = {"a", "b", "g", "o", "\xc3\xa9", "ab", "go", "x"};
  const int len = std::uniform_int_distribution<int>(0, max_len)(rng);
  std::string s;
  for (int i = 0; i < len; ++i) s += kPieces[std::uniform_int_distribution<int>(0, 7)(rng)];
  return s;
}

// A utf8 column of `rows` after `offset` hidden rows; NULL rows keep their
// bytes (Arrow allows that), so a match inside one must still read as NULL.
struct TextColumn {
  std::shared_ptr<ArrayData> data;
  ArrayView view;
  std::vector<std::string> values;  // the visible rows
  std::vector<bool> valid;
};

TextColumn MakeColumn(std::mt19937_64& rng, int64_t rows, int64_t offset, double null_prob,
                      int max_len, bool large) {
  std::vector<Scalar> vals;
  TextColumn c;
  std::bernoulli_distribution is_null(null_prob);
  std::vector<bool> valid;
  for (int64_t i = 0; i < rows + offset; ++i) {
    std::string s = RandomText(rng, max_len);
    vals.push_back(Scalar::String(s));
    valid.push_back(!is_null(rng));
    if (i >= offset) {
      c.values.push_back(s);
      c.valid.push_back(valid.back());
    }
  }
  DataType type(TypeId::kUtf8);
  type.large_offsets = large;  // large_utf8 is held with 32-bit offsets as well
  c.data = qk::ScalarsToArray(vals, type).value();
  auto bits = quiver::Buffer::Allocate(quiver::BytesForBits(rows + offset));
  int64_t nulls = 0;
  for (int64_t i = 0; i < rows + offset; ++i) {
    if (valid[size_t(i)]) {
      quiver::SetBit(bits->mutable_data(), i);
    } else if (i >= offset) {
      ++nulls;
    }
  }
  c.data->buffers[0] = bits;
  c.data->offset = offset;
  c.data->length = rows;
  c.data->null_count = nulls;
  c.view = c.data->View();
  return c;
}

void CheckContains(const TextColumn& c, const std::string& needle, const std::string& what) {
  INFO(what << " needle='" << needle << "'");
  auto got = qk::Contains(c.view, needle);
  REQUIRE(got.ok());
  auto like = qk::Like(c.view, "%" + needle + "%");
  REQUIRE(like.ok());
  const auto tris = qk::reference::FromMask(*got);
  const auto like_tris = qk::reference::FromMask(*like);
  REQUIRE(tris.size() == c.values.size());
  for (size_t i = 0; i < c.values.size(); ++i) {
    const qk::reference::Tri want =
        !c.valid[i] ? qk::reference::kUnknown
                    : (c.values[i].find(needle) != std::string::npos ? qk::reference::kTrue
                                                                     : qk::reference::kFalse);
    if (tris[i] != want || like_tris[i] != want) {
      FAIL_CHECK("row " << i << " '" << c.values[i] << "': contains " << int(tris[i]) << " LIKE "
                        << int(like_tris[i]) << " want " << int(want));
    }
  }
}

}  // namespace

TEST_CASE("FindSubstring finds the first occurrence like string_view::find on every target",
          "[kernels]") {
  std::mt19937_64 rng(71);
  for (qk::Target target : qk::SupportedTargets()) {
    qk::ScopedKernelTarget scoped(target);
    for (int round = 0; round < 400; ++round) {
      const std::string hay = RandomText(rng, round % 60);
      std::string needle = RandomText(rng, 4);
      if (needle.empty()) needle = "g";
      if (round % 5 == 0 && hay.size() > 3) {
        needle = hay.substr(hay.size() - 3);  // at the very end
      }
      if (round % 7 == 0) needle = hay.substr(0, std::min<size_t>(hay.size(), 2)) + "o";
      if (needle.empty()) continue;
      const size_t want = std::string_view(hay).find(needle);
      const size_t got = qk::internal::FindSubstring(hay.data(), hay.size(), needle);
      INFO(qk::TargetName(target) << " hay='" << hay << "' needle='" << needle << "'");
      CHECK(got == (want == std::string_view::npos ? qk::internal::kNotFound : want));
    }
    // A long needle, matching only at the end of a long haystack.
    std::string hay(300, 'a');
    const std::string needle = std::string(40, 'a') + "b";
    CHECK(qk::internal::FindSubstring(hay.data(), hay.size(), needle) == qk::internal::kNotFound);
    hay += "b";
    CHECK(qk::internal::FindSubstring(hay.data(), hay.size(), needle) == hay.size() - 41);
  }
}

TEST_CASE("Contains and LIKE '%x%' on plain utf8 columns match a per-row search on every target",
          "[kernels]") {
  const std::vector<std::string> needles = {"g",
                                            "go",
                                            "goo",
                                            "ab",
                                            "ba",
                                            "\xc3\xa9",
                                            "o\xc3\xa9",
                                            "gogogo",
                                            "abgoxab",
                                            "gogogogo",
                                            "abgoxabgo",
                                            "ab\xc3\xa9goxabgo",
                                            "goooooooooooooog",
                                            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                                            "",
                                            "z"};
  std::mt19937_64 rng(1234);
  for (qk::Target target : qk::SupportedTargets()) {
    qk::ScopedKernelTarget scoped(target);
    for (int64_t rows : {0, 1, 2, 63, 64, 65, 300, 1000}) {
      for (int64_t offset : {0, 5}) {
        for (int max_len : {0, 2, 6, 40}) {
          const double null_prob = rows % 2 == 0 ? 0.2 : 0.0;
          const TextColumn c = MakeColumn(rng, rows, offset, null_prob, max_len, offset == 5);
          const std::string what =
              std::string(qk::TargetName(target)) + " rows=" + std::to_string(rows) +
              " offset=" + std::to_string(offset) + " max_len=" + std::to_string(max_len);
          for (const std::string& n : needles) CheckContains(c, n, what);
          // Needles taken from the data: a whole row, a row's end joined to
          // the next row's start (crossing a boundary), the first and the
          // last bytes of the buffer.
          std::string all;
          for (const std::string& v : c.values) all += v;
          if (!all.empty()) {
            CheckContains(c, all.substr(0, std::min<size_t>(3, all.size())), what + " head");
            CheckContains(c, all.substr(all.size() - std::min<size_t>(3, all.size())),
                          what + " tail");
          }
          for (size_t i = 0; i + 1 < c.values.size() && i < 40; i += 7) {
            const std::string& a = c.values[i];
            const std::string& b = c.values[i + 1];
            CheckContains(c, a, what + " row");
            if (!a.empty() && !b.empty())
              CheckContains(c, a.substr(a.size() - 1) + b.substr(0, 1), what + " span");
          }
        }
      }
    }
  }
}

TEST_CASE("NOT LIKE '%x%' keeps NULL rows NULL", "[kernels]") {
  std::mt19937_64 rng(9);
  const TextColumn c = MakeColumn(rng, 200, 3, 0.3, 8, false);
  auto m = qk::Like(c.view, "%go%");
  REQUIRE(m.ok());
  const auto tris = qk::reference::FromMask(qk::Not(*m));
  for (size_t i = 0; i < c.values.size(); ++i) {
    const qk::reference::Tri want =
        !c.valid[i] ? qk::reference::kUnknown
                    : (c.values[i].find("go") == std::string::npos ? qk::reference::kTrue
                                                                   : qk::reference::kFalse);
    CHECK(tris[i] == want);
  }
}
