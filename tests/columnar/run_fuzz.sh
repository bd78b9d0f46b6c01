#!/bin/sh
# Builds the libFuzzer target columnar/ipc_fuzz.cc with clang in build-fuzz
# (ASan + UBSan) and runs it on the seed corpus for SECONDS (default 60).
# Fails on any crash, leak or sanitizer report. New inputs found go to a
# scratch corpus in build-fuzz, not into the checked-in seeds.
# Usage: tests/columnar/run_fuzz.sh [SECONDS]
set -eu
seconds="${1:-60}"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build="$repo/build-fuzz"
jobs="${QUIVER_FUZZ_JOBS:-2}"

if ! command -v clang++ >/dev/null 2>&1; then
  echo "run_fuzz.sh: clang++ is required (apt-get install clang)" >&2
  exit 1
fi
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQUIVER_FUZZ=ON -DQUIVER_BUILD_TESTS=OFF -DQUIVER_BUILD_BENCH=OFF \
    "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_C_FLAGS=$flags" >/dev/null
fi
cmake --build "$build" -j"$jobs" --target ipc_fuzz

work="$build/fuzz-corpus"
artifacts="$repo/tests/columnar/fuzz-artifacts"
mkdir -p "$work" "$artifacts"
log="$build/fuzz.log"
set +e
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$build/columnar/ipc_fuzz" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "$here/fuzz_corpus" 2>&1 | tee "$log" | tail -n 25
status=0
grep -qE "ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined)" "$log" && status=1
set -e
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
[ -n "$runs" ] && echo "run_fuzz.sh: $runs executions, $rate exec/s"
if [ "$status" -ne 0 ]; then
  echo "run_fuzz.sh: FAILED, crash input saved under $artifacts" >&2
  exit 1
fi
echo "run_fuzz.sh: no crash in ${seconds}s"
