// Run-time selection of the instruction set the kernels use.
//
// Every SIMD kernel is compiled once per target (each in its own translation
// unit with that ISA's compiler flags) and once as plain scalar code. The
// best target the CPU supports is chosen on first use, by CPUID; the
// environment variable QUIVER_SIMD=scalar|sse42|avx2|avx512 or
// SetKernelTarget() forces one (tests use this to run every target the
// machine supports against the scalar reference).
//
// Thread-safety: ActiveKernelTarget() may be called from any thread.
// SetKernelTarget() swaps one pointer atomically; call it while no kernel is
// running (tests and start-up), not to re-tune a running query.
#pragma once

#include <string_view>
#include <vector>

#include "config/status.h"

namespace quiver::kernels {

enum class Target : int { kScalar = 0, kSse42 = 1, kAvx2 = 2, kAvx512 = 3 };

// "scalar", "sse42", "avx2", "avx512".
const char* TargetName(Target t);
Result<Target> ParseTarget(std::string_view name);

// True if this build has the target's code and the CPU can run it.
bool IsTargetSupported(Target t);
// Every supported target, scalar first.
std::vector<Target> SupportedTargets();
// The best supported target (ignores QUIVER_SIMD).
Target BestTarget();

// The target kernels use now.
Target ActiveKernelTarget();
// Forces a target; NotSupported if this CPU or build cannot run it.
Status SetKernelTarget(Target t);

// Sets a target for the lifetime of the object and restores the previous one
// (tests).
class ScopedKernelTarget {
 public:
  explicit ScopedKernelTarget(Target t);
  ~ScopedKernelTarget();
  ScopedKernelTarget(const ScopedKernelTarget&) = delete;
  ScopedKernelTarget& operator=(const ScopedKernelTarget&) = delete;
  const Status& status() const { return status_; }

 private:
  Target previous_;
  Status status_;
};

}  // namespace quiver::kernels
