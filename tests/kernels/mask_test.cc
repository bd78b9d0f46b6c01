#include <catch2/catch.hpp>

#include <random>

#include "kernels/mask.h"
#include "kernels/reference.h"

namespace qk = quiver::kernels;
namespace ref = quiver::kernels::reference;

namespace {

qk::Mask RandomMask(int64_t n, double null_prob, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution null(null_prob);
  qk::Mask m = null_prob > 0 ? qk::Mask::AllNull(n) : qk::Mask::AllFalse(n);
  for (int64_t i = 0; i < n; ++i) {
    bool is_null = null(rng);
    bool t = rng() & 1;
    if (!is_null && null_prob > 0) m.is_known[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
    if (!is_null && t) m.is_true[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
  }
  return m;
}

}  // namespace

TEST_CASE("AND, OR and NOT follow SQL three-valued logic", "[kernels]") {
  uint64_t seed = 1;
  for (int64_t n : {0, 1, 63, 64, 65, 200, 1000}) {
    for (double pa : {0.0, 0.3, 1.0}) {
      for (double pb : {0.0, 0.3}) {
        qk::Mask a = RandomMask(n, pa, ++seed), b = RandomMask(n, pb, ++seed);
        auto ta = ref::FromMask(a), tb = ref::FromMask(b);
        CHECK(ref::FromMask(qk::And(a, b).value()) == ref::And(ta, tb));
        CHECK(ref::FromMask(qk::Or(a, b).value()) == ref::Or(ta, tb));
        CHECK(ref::FromMask(qk::Not(a)) == ref::Not(ta));
        CHECK(qk::CountTrue(a) == ref::CountTrue(ta));
        auto sel = qk::ToSelection(a);
        CHECK(int64_t(sel.size()) == ref::CountTrue(ta));
        for (int32_t r : sel) CHECK(ta[size_t(r)] == ref::kTrue);
        qk::Mask back = qk::Mask::FromSelection(sel, n);
        CHECK_FALSE(back.has_nulls());
        CHECK(qk::ToSelection(back) == sel);
      }
    }
  }
  // The truth table itself.
  qk::Mask t = qk::Mask::AllTrue(1), f = qk::Mask::AllFalse(1), u = qk::Mask::AllNull(1);
  CHECK(qk::And(f, u)->IsTrue(0) == false);
  CHECK_FALSE(qk::And(f, u)->IsNull(0));
  CHECK(qk::And(t, u)->IsNull(0));
  CHECK(qk::Or(t, u)->IsTrue(0));
  CHECK(qk::Or(f, u)->IsNull(0));
  CHECK(qk::Not(u).IsNull(0));
  CHECK_FALSE(qk::And(qk::Mask::AllTrue(3), qk::Mask::AllTrue(4)).ok());
}

TEST_CASE("CopyBitmap reads bitmaps at any bit offset", "[kernels]") {
  std::mt19937_64 rng(3);
  std::vector<uint8_t> bytes(40);
  for (auto& b : bytes) b = uint8_t(rng());
  for (int64_t off : {0, 1, 7, 8, 13, 64, 71}) {
    for (int64_t n : {0, 1, 60, 64, 65, 200}) {
      if (off + n > 320) continue;
      std::vector<uint64_t> out(size_t(qk::Mask::WordsFor(n)) + 1, ~uint64_t(0));
      qk::CopyBitmap(bytes.data(), off, n, out.data());
      for (int64_t i = 0; i < n; ++i) {
        REQUIRE(((out[size_t(i >> 6)] >> (i & 63)) & 1) == quiver::GetBit(bytes.data(), off + i));
      }
      if (n % 64 != 0) CHECK((out[size_t(n >> 6)] >> (n % 64)) == 0);
    }
  }
}
