#include "kernels/dispatch.h"

#include <atomic>
#include <cstdlib>
#include <string>

#include "kernels/dispatch_internal.h"

namespace quiver::kernels {
namespace {

using internal::KernelTable;

bool CpuHas(Target t) {
#if defined(QUIVER_KERNELS_X86)
  __builtin_cpu_init();
  switch (t) {
    case Target::kScalar: return true;
    case Target::kSse42:
      return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt");
    case Target::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
             __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
    case Target::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
             CpuHas(Target::kAvx2);
  }
  return false;
#else
  return t == Target::kScalar;
#endif
}

struct Tables {
  KernelTable by_target[4];
  Tables() {
    internal::FillScalarTable(&by_target[0]);
#if defined(QUIVER_KERNELS_X86)
    if (CpuHas(Target::kSse42)) internal::FillSse42Table(&by_target[1]);
    if (CpuHas(Target::kAvx2)) internal::FillAvx2Table(&by_target[2]);
    if (CpuHas(Target::kAvx512)) internal::FillAvx512Table(&by_target[3]);
#endif
  }
};

const Tables& AllTables() {
  static const Tables tables;
  return tables;
}

Target InitialTarget() {
  if (const char* env = std::getenv("QUIVER_SIMD"); env != nullptr && *env != '\0') {
    auto t = ParseTarget(env);
    if (t.ok() && IsTargetSupported(*t)) return *t;
    // An unknown or unsupported request falls back to the best target
    // rather than failing every query.
  }
  return BestTarget();
}

std::atomic<int>& ActiveSlot() {
  static std::atomic<int> slot{int(InitialTarget())};
  return slot;
}

}  // namespace

const char* TargetName(Target t) {
  switch (t) {
    case Target::kScalar: return "scalar";
    case Target::kSse42: return "sse42";
    case Target::kAvx2: return "avx2";
    case Target::kAvx512: return "avx512";
  }
  return "unknown";
}

Result<Target> ParseTarget(std::string_view name) {
  for (Target t : {Target::kScalar, Target::kSse42, Target::kAvx2, Target::kAvx512}) {
    if (name == TargetName(t)) return t;
  }
  return Status::Invalid("unknown SIMD target '" + std::string(name) +
                         "' (expected scalar, sse42, avx2 or avx512)");
}

bool IsTargetSupported(Target t) { return CpuHas(t); }

std::vector<Target> SupportedTargets() {
  std::vector<Target> out;
  for (Target t : {Target::kScalar, Target::kSse42, Target::kAvx2, Target::kAvx512}) {
    if (IsTargetSupported(t)) out.push_back(t);
  }
  return out;
}

Target BestTarget() { return SupportedTargets().back(); }

Target ActiveKernelTarget() { return Target(ActiveSlot().load(std::memory_order_relaxed)); }

Status SetKernelTarget(Target t) {
  if (!IsTargetSupported(t)) {
    return Status::NotSupported(std::string("SIMD target ") + TargetName(t) +
                                " is not supported by this CPU or build");
  }
  ActiveSlot().store(int(t), std::memory_order_relaxed);
  return Status::OK();
}

ScopedKernelTarget::ScopedKernelTarget(Target t)
    : previous_(ActiveKernelTarget()), status_(SetKernelTarget(t)) {}

ScopedKernelTarget::~ScopedKernelTarget() { SetKernelTarget(previous_).IgnoreError(); }

const char* CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

namespace internal {
const KernelTable& Kernels() {
  return AllTables().by_target[ActiveSlot().load(std::memory_order_relaxed)];
}
}  // namespace internal

}  // namespace quiver::kernels
