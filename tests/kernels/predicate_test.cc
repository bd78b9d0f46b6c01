#include <catch2/catch.hpp>

#include "kernels/dispatch.h"
#include "kernels/predicate.h"
#include "kernels/reference.h"
#include "random_data.h"

namespace qk = quiver::kernels;
using qk::CompareOp;
using qk::Scalar;
using quiver::DataType;
using quiver::TimeUnit;
using quiver::TypeId;
using qk::testing::RandomColumn;
using qk::testing::TestLengths;

namespace {

const CompareOp kOps[] = {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt,
                          CompareOp::kLe, CompareOp::kGt, CompareOp::kGe};

// Literals that exercise exact values, fractions, out-of-range values and
// strings that parse as numbers.
std::vector<Scalar> LiteralsFor(const DataType& t) {
  if (t.id == TypeId::kDate32) {
    return {Scalar::Date32(3), Scalar::Date32(-7), Scalar::String("1970-01-05"),
            Scalar::Timestamp(86400LL * 1000 * 2 + 1, TimeUnit::kMilli)};
  }
  if (t.id == TypeId::kTimestamp) {
    return {Scalar::Timestamp(5, TimeUnit::kMilli), Scalar::Timestamp(-3, TimeUnit::kMilli),
            Scalar::Timestamp(4, TimeUnit::kSecond), Scalar::Timestamp(2500, TimeUnit::kMicro),
            Scalar::Date32(0), Scalar::String("1970-01-01 00:00:00.004")};
  }
  return {Scalar::Int64(3),          Scalar::Int64(-4),
          Scalar::Int64(0),          Scalar::Double(2.5),
          Scalar::Double(-0.5),      Scalar::Int64(1000),
          Scalar::Int64(-1000),      Scalar::UInt64(~uint64_t(0)),
          Scalar::Int64(INT64_MIN),  Scalar::Double(1e300),
          Scalar::Double(-1e300),    Scalar::String("7"),
          Scalar::Double(0.1),       Scalar::Int64(127),
          Scalar::Int64(255),        Scalar::Int64(65535)};
}

void CheckSame(const quiver::Result<qk::Mask>& got, const quiver::Result<qk::reference::Tris>& want,
               const std::string& what) {
  INFO(what);
  REQUIRE(got.ok() == want.ok());
  if (!got.ok()) {
    CHECK(got.status().code() == want.status().code());
    return;
  }
  // Invariant: TRUE rows are known.
  if (got->has_nulls()) {
    for (size_t w = 0; w < got->is_true.size(); ++w) CHECK((got->is_true[w] & ~got->is_known[w]) == 0);
  }
  auto tris = qk::reference::FromMask(*got);
  REQUIRE(tris.size() == want->size());
  for (size_t i = 0; i < tris.size(); ++i) {
    if (tris[i] != (*want)[i]) {
      FAIL_CHECK("row " << i << ": got " << int(tris[i]) << " want " << int((*want)[i]));
      return;
    }
  }
}

}  // namespace

TEST_CASE("Compare and between on every fixed-width type match the reference on every target",
          "[kernels]") {
  for (qk::Target target : qk::SupportedTargets()) {
    qk::ScopedKernelTarget scoped(target);
    REQUIRE(scoped.status().ok());
    uint64_t seed = 1;
    for (const DataType& type : qk::testing::FixedTypes()) {
      for (int64_t n : TestLengths()) {
        for (int64_t offset : {0, 3}) {
          for (double null_prob : {0.0, 0.2, 1.0}) {
            auto col = RandomColumn(type, n, offset, null_prob, ++seed);
            std::string ctx = std::string(qk::TargetName(target)) + " " + type.ToString() +
                              " n=" + std::to_string(n) + " offset=" + std::to_string(offset) +
                              " nulls=" + std::to_string(null_prob);
            auto lits = LiteralsFor(type);
            for (const Scalar& lit : lits) {
              for (CompareOp op : kOps) {
                CheckSame(qk::Compare(col.view, op, lit), qk::reference::Compare(col.view, op, lit),
                          ctx + " " + qk::CompareOpName(op) + " " + lit.ToString());
              }
            }
            for (size_t i = 0; i + 1 < lits.size(); i += 2) {
              CheckSame(qk::Between(col.view, lits[i + 1], lits[i]),
                        qk::reference::Between(col.view, lits[i + 1], lits[i]),
                        ctx + " between " + lits[i + 1].ToString() + " and " + lits[i].ToString());
              CheckSame(qk::Between(col.view, lits[i], lits[i + 1]),
                        qk::reference::Between(col.view, lits[i], lits[i + 1]),
                        ctx + " between " + lits[i].ToString() + " and " + lits[i + 1].ToString());
            }
          }
        }
      }
    }
  }
}

TEST_CASE("IN with small lists, large sets and NULLs matches the reference on every target",
          "[kernels]") {
  for (qk::Target target : qk::SupportedTargets()) {
    qk::ScopedKernelTarget scoped(target);
    uint64_t seed = 1000;
    for (const DataType& type : qk::testing::FixedTypes()) {
      for (int64_t n : {int64_t(0), int64_t(65), int64_t(1000)}) {
        for (double null_prob : {0.0, 0.3, 1.0}) {
          auto col = RandomColumn(type, n, 5, null_prob, ++seed);
          std::vector<Scalar> small = {Scalar::Int64(1), Scalar::Double(2.5), Scalar::Int64(-3)};
          std::vector<Scalar> large;
          for (int v = -20; v <= 20; v += 3) large.push_back(Scalar::Int64(v));
          large.push_back(Scalar::Double(0.5));
          std::vector<Scalar> with_null = small;
          with_null.push_back(Scalar::Null());
          std::vector<Scalar> large_null = large;
          large_null.push_back(Scalar::Null());
          if (type.id == TypeId::kDate32 || type.id == TypeId::kTimestamp) {
            small = {Scalar::Date32(0), Scalar::Date32(1)};
            large.clear();
            for (int d = -5; d < 10; ++d) large.push_back(Scalar::Date32(d));
            with_null = {Scalar::Date32(0), Scalar::Null()};
            large_null = large;
            large_null.push_back(Scalar::Null());
          }
          for (const auto& list : {small, large, with_null, large_null, std::vector<Scalar>{}}) {
            CheckSame(qk::In(col.view, list), qk::reference::In(col.view, list),
                      std::string(qk::TargetName(target)) + " " + type.ToString() + " IN list of " +
                          std::to_string(list.size()) + " n=" + std::to_string(n));
          }
        }
      }
    }
  }
}

TEST_CASE("IS NULL and IS NOT NULL are never NULL", "[kernels]") {
  uint64_t seed = 77;
  for (const DataType& type : {DataType(TypeId::kInt32), DataType(TypeId::kUtf8),
                               DataType::Dictionary(TypeId::kInt16), DataType(TypeId::kBool)}) {
    for (int64_t n : TestLengths()) {
      for (double null_prob : {0.0, 0.5, 1.0}) {
        auto col = RandomColumn(type, n, 2, null_prob, ++seed);
        auto want = qk::reference::IsNull(col.view);
        CheckSame(qk::IsNull(col.view), want, "is null " + type.ToString());
        CheckSame(qk::IsNotNull(col.view), qk::reference::Not(want), "is not null " + type.ToString());
      }
    }
  }
}

TEST_CASE("String predicates on utf8 and dictionary columns match the reference", "[kernels]") {
  std::vector<DataType> types = {DataType(TypeId::kUtf8), DataType::Dictionary(TypeId::kInt8),
                                 DataType::Dictionary(TypeId::kInt16),
                                 DataType::Dictionary(TypeId::kInt32)};
  std::vector<std::string> patterns = {"%",    "a%",  "%a",  "%ab%", "a_b", "_",   "__",  "%\xc3\xa9%",
                                       "a%b%", "%_%", "\\%%", "a\\_%", "",   "ab",  "%b_", "_%_",
                                       // a literal run of 2+ bytes (the Contains prefilter)
                                       "ab_c%", "%ab%ca%", "a\\_b%c", "%bc_a%", "%ab%b_", "_ab%",
                                       "%a\\%%", "aa%bb", "%\xc3\xa9\xc3\xa9_%", "abc\\"};
  for (qk::Target target : qk::SupportedTargets()) {
    qk::ScopedKernelTarget scoped(target);
    uint64_t seed = 5000;
    for (const DataType& type : types) {
      for (int64_t n : TestLengths()) {
        for (double null_prob : {0.0, 0.25, 1.0}) {
          auto col = RandomColumn(type, n, 3, null_prob, ++seed, type.is_dictionary() ? 9 : 0);
          std::string ctx = std::string(qk::TargetName(target)) + " " + type.ToString() + " n=" +
                            std::to_string(n) + " nulls=" + std::to_string(null_prob);
          std::vector<Scalar> lits = {Scalar::String("ab"), Scalar::String(""), Scalar::String("b"),
                                      Scalar::String("w3")};
          // A literal equal to an existing dictionary entry hits the
          // single-entry fast path.
          if (col.dict_data && !col.dict_view.IsNull(3)) lits.push_back(qk::ValueAt(col.dict_view, 3));
          if (n > 0 && type.id == TypeId::kUtf8 && col.view.IsValid(0)) lits.push_back(qk::ValueAt(col.view, 0));
          for (const Scalar& lit : lits) {
            for (CompareOp op : kOps) {
              CheckSame(qk::Compare(col.view, op, lit), qk::reference::Compare(col.view, op, lit),
                        ctx + " " + qk::CompareOpName(op) + " " + lit.ToString());
            }
          }
          CheckSame(qk::In(col.view, lits), qk::reference::In(col.view, lits), ctx + " IN");
          for (const char* p : {"a", "", "w1", "ba"}) {
            CheckSame(qk::StartsWith(col.view, p), qk::reference::StartsWith(col.view, p), ctx + " starts_with " + p);
            CheckSame(qk::Contains(col.view, p), qk::reference::Contains(col.view, p), ctx + " contains " + p);
          }
          for (const std::string& p : patterns) {
            CheckSame(qk::Like(col.view, p), qk::reference::Like(col.view, p), ctx + " LIKE '" + p + "'");
          }
        }
      }
    }
  }
}

TEST_CASE("LIKE handles multi-byte characters, escapes and backtracking", "[kernels]") {
  CHECK(qk::LikeMatch("\xc3\xa9", "_"));
  CHECK_FALSE(qk::LikeMatch("\xc3\xa9", "__"));
  CHECK(qk::LikeMatch("abcabd", "%abd"));
  CHECK(qk::LikeMatch("aaa", "%a%a%a%"));
  CHECK_FALSE(qk::LikeMatch("aa", "%a%a%a%"));
  CHECK(qk::LikeMatch("50%", "50\\%"));
  CHECK_FALSE(qk::LikeMatch("500", "50\\%"));
  CHECK(qk::LikeMatch("a_b", "a\\_b"));
  CHECK_FALSE(qk::LikeMatch("axb", "a\\_b"));
  CHECK(qk::LikeMatch("", "%"));
  CHECK_FALSE(qk::LikeMatch("", "_"));
}

TEST_CASE("A literal that cannot be cast to the column type is a TypeError, not false",
          "[kernels]") {
  auto ints = RandomColumn(DataType(TypeId::kInt64), 10, 0, 0.0, 1);
  auto r = qk::Compare(ints.view, CompareOp::kEq, Scalar::String("abc"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == quiver::StatusCode::kTypeError);
  CHECK(r.status().message() == "cannot compare int64 column with string literal 'abc'");
  CHECK_FALSE(qk::Compare(ints.view, CompareOp::kLt, Scalar::Bool(true)).ok());
  CHECK_FALSE(qk::In(ints.view, {Scalar::Int64(1), Scalar::String("x")}).ok());
  CHECK_FALSE(qk::Between(ints.view, Scalar::Int64(1), Scalar::Date32(3)).ok());
  auto strs = RandomColumn(DataType(TypeId::kUtf8), 10, 0, 0.0, 1);
  auto s = qk::Compare(strs.view, CompareOp::kEq, Scalar::Int64(42));
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() == "cannot compare utf8 column with int64 literal 42");
  CHECK_FALSE(qk::StartsWith(ints.view, "a").ok());
  auto dates = RandomColumn(DataType(TypeId::kDate32), 10, 0, 0.0, 1);
  CHECK_FALSE(qk::Compare(dates.view, CompareOp::kEq, Scalar::String("2024-13-01")).ok());
  CHECK_FALSE(qk::Compare(dates.view, CompareOp::kEq, Scalar::Int64(3)).ok());
  // A string that is a number is a valid numeric literal.
  CHECK(qk::Compare(ints.view, CompareOp::kEq, Scalar::String("42")).ok());
}

TEST_CASE("A NULL literal makes every row NULL", "[kernels]") {
  auto col = RandomColumn(DataType(TypeId::kInt32), 100, 1, 0.1, 9);
  auto m = qk::Compare(col.view, CompareOp::kEq, Scalar::Null());
  REQUIRE(m.ok());
  CHECK(qk::CountTrue(*m) == 0);
  CHECK(qk::CountTrue(qk::Not(*m)) == 0);
}
