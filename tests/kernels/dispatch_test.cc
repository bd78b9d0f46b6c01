#include <catch2/catch.hpp>

#include "kernels/dispatch.h"

namespace qk = quiver::kernels;

TEST_CASE("Every supported SIMD target can be forced and restored", "[kernels]") {
  auto targets = qk::SupportedTargets();
  REQUIRE_FALSE(targets.empty());
  CHECK(targets.front() == qk::Target::kScalar);
  CHECK(qk::BestTarget() == targets.back());
  qk::Target before = qk::ActiveKernelTarget();
  for (qk::Target t : targets) {
    qk::ScopedKernelTarget scoped(t);
    CHECK(scoped.status().ok());
    CHECK(qk::ActiveKernelTarget() == t);
    CHECK(qk::ParseTarget(qk::TargetName(t)).value() == t);
  }
  CHECK(qk::ActiveKernelTarget() == before);
  CHECK_FALSE(qk::ParseTarget("avx9000").ok());
  for (qk::Target t : {qk::Target::kSse42, qk::Target::kAvx2, qk::Target::kAvx512}) {
    if (!qk::IsTargetSupported(t)) CHECK(qk::SetKernelTarget(t).code() == quiver::StatusCode::kNotSupported);
  }
  INFO("supported targets: " << targets.size());
}
