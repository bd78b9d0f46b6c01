#!/usr/bin/env bash
# The README's test command: installs dependencies, then builds and runs the
# whole suite twice, as CI does: a normal build, then one with
# AddressSanitizer + UndefinedBehaviorSanitizer; then the bounded fuzz runs.
#
#   tools/test.sh                 # everything
#   QUIVER_SKIP_ASAN=1 tools/test.sh   # normal build only (quick local run)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

tools/setup.sh

run_suite() {  # run_suite BUILD_DIR [cmake options...]
  local dir=$1; shift
  echo "=== configure + build: $dir $* (at $(( $(date +%s) - start )) s)" >&2
  cmake -S "$root" -B "$dir" -DQUIVER_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "=== tests: $dir (at $(( $(date +%s) - start )) s)" >&2
  (cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout 600)
}

start=$(date +%s)
run_suite build -DCMAKE_BUILD_TYPE=Release
fuzz_build=
if [[ -z "${QUIVER_SKIP_ASAN:-}" ]]; then
  # The sanitizer build is clang's, and it builds the libFuzzer targets too
  # (-DQUIVER_FUZZ=ON), so one build serves the suite and the fuzz runs: two
  # builds of the tree instead of three.
  # The kill and power-loss tests run in full in the normal build; the
  # sanitizer build repeats them with fewer points (each is slower there).
  # Timed HTTP checks (a query stopped within twice its timeout) get 3x the
  # time there: ASan slows the work between two cancellation checks. The
  # timed multi-process run (durability) gets 30 s instead of 60.
  CC=clang CXX=clang++ \
  QUIVER_TIME_SLACK=3 QUIVER_KILL_POINTS=50 QUIVER_POWER_LOSS_OPS=80 QUIVER_STORE_POWER_LOSS_OPS=150 \
  QUIVER_SOAK_SECONDS=30 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-san -DQUIVER_SANITIZE=ON -DQUIVER_FUZZ=ON -DQUIVER_BUILD_BENCH=OFF \
      -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCMAKE_C_FLAGS_DEBUG="-O1 -g1"
  fuzz_build="$root/build-san"
fi
for fuzz in tests/*/run_fuzz.sh; do
  [[ -x "$fuzz" && -z "${QUIVER_SKIP_FUZZ:-}" ]] || continue
  echo "=== fuzz: $fuzz (at $(( $(date +%s) - start )) s)" >&2
  QUIVER_FUZZ_BUILD="$fuzz_build" "$fuzz" "${QUIVER_FUZZ_SECONDS:-60}"
done
echo "=== all test stages passed in $(( $(date +%s) - start )) s" >&2
