#include <catch2/catch.hpp>

#include "config/status.h"

using quiver::Result;
using quiver::Status;
using quiver::StatusCode;

namespace {
Result<int> Half(int x) {
  if (x % 2 != 0) return Status::Invalid("odd value " + std::to_string(x));
  return x / 2;
}
Result<int> Quarter(int x) {
  QUIVER_ASSIGN_OR_RETURN(int h, Half(x));
  QUIVER_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}
Status CheckQuarter(int x) {
  QUIVER_RETURN_NOT_OK(Quarter(x));
  return Status::OK();
}
}  // namespace

TEST_CASE("Status carries a stable code name and its message", "[config]") {
  Status s = Status::Corruption("meta slot 1 checksum mismatch at offset 4096");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kCorruption);
  CHECK(s.ToString() == "corruption: meta slot 1 checksum mismatch at offset 4096");
  CHECK(s.WithContext("open /tmp/p").message() ==
        "open /tmp/p: meta slot 1 checksum mismatch at offset 4096");
  CHECK(Status::OK().ToString() == "ok");
  CHECK(Status::DataLoss("x").code() == StatusCode::kDataLoss);
  CHECK(quiver::StatusCodeName(StatusCode::kDataLoss) == "data_loss");
}

TEST_CASE("Result propagates the first error through the macros", "[config]") {
  CHECK(Quarter(8).value() == 2);
  auto r = Quarter(6);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "odd value 3");
  CHECK(CheckQuarter(8).ok());
  CHECK(CheckQuarter(5).code() == StatusCode::kInvalidArgument);
}
