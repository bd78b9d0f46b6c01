#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan; in build-fuzz, or the
# build QUIVER_FUZZ_BUILD names) and
# runs each on its committed seed corpus:
#   columnar/ipc_fuzz              Arrow IPC streams and files
#   columnar/text_fuzz             CSV/TSV and NDJSON readers
#   columnar/parquet/parquet_fuzz  the Parquet reader
#   store/query_fuzz               SQL and JSON queries parsed, bound and
#                                  executed against a small table
#   store/pool_fuzz                the pool opener and every reader of pool
#                                  bytes, fed edited copies of small pools
#   http/http_fuzz                 raw requests through quiverd's connection
#                                  loop, parser, router and routes
# Six targets, two at a time on the machine's two cores (three pairs), each
# for SECONDS/2 (default 60), so the runs take 1.5 x SECONDS of wall time, as
# they did with four targets at 3/4 x SECONDS. Fails on a crash, leak,
# sanitizer report or hang (http_fuzz aborts on a connection the server does
# not close, and on a malformed response or a 500), on a non-zero exit of the
# fuzzer, and on a run with fewer than QUIVER_FUZZ_MIN_RUNS executions
# (default 1000, pool_fuzz a quarter of it: a fuzzer that did not really run). New inputs go to scratch
# corpora in build-fuzz, not into the checked-in seeds.
# Usage: tests/columnar/run_fuzz.sh [SECONDS]
set -eu
seconds="${1:-60}"
min_runs="${QUIVER_FUZZ_MIN_RUNS:-1000}"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# QUIVER_FUZZ_BUILD names an existing clang build configured with
# -DQUIVER_FUZZ=ON (tools/test.sh passes its sanitizer build, which is one);
# otherwise build-fuzz is configured here.
build="${QUIVER_FUZZ_BUILD:-$repo/build-fuzz}"
jobs="${QUIVER_FUZZ_JOBS:-2}"

if ! command -v clang++ >/dev/null 2>&1; then
  echo "run_fuzz.sh: clang++ is required (apt-get install clang)" >&2
  exit 1
fi
if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^QUIVER_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "run_fuzz.sh: $build is not configured with -DQUIVER_FUZZ=ON" >&2
  exit 1
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQUIVER_FUZZ=ON -DQUIVER_SANITIZE=ON -DQUIVER_BUILD_TESTS=OFF -DQUIVER_BUILD_BENCH=OFF \
    >/dev/null
fi
cmake --build "$build" -j"$jobs" --target ipc_fuzz text_fuzz query_fuzz parquet_fuzz pool_fuzz \
  http_fuzz
per_target=$(( seconds / 2 ))
[ "$per_target" -ge 1 ] || per_target=1

artifacts="$repo/tests/columnar/fuzz-artifacts"
mkdir -p "$artifacts"

# run_one TARGET SEEDS [LAYER]: runs build-fuzz/LAYER/TARGET for $per_target seconds.
run_one() {
  target=$1
  seeds=$2
  layer=${3:-columnar}
  work="$build/fuzz-corpus-$target"
  log="$build/fuzz-$target.log"
  mkdir -p "$work"
  # pool_fuzz reaches ~20k coverage features per input (open, read, check,
  # commit): libFuzzer's entropic schedule then spends two thirds of the time
  # updating feature frequencies (55 exec/s in a pair here, 190 without it).
  # Each input of it is a whole pool opened, read, checked and committed to
  # (~2,000 per 30 s here), so its floor is a quarter of the others'.
  extra=""
  floor=$min_runs
  if [ "$target" = pool_fuzz ]; then
    extra="-entropic=0"
    floor=$(( min_runs / 4 ))
  fi
  set +e
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/$layer/$target" -max_total_time="$per_target" -max_len=65536 -rss_limit_mb=2048 \
    $extra -print_final_stats=1 -artifact_prefix="$artifacts/$target-" "$work" "$seeds" \
    >"$log" 2>&1
  rc=$?
  set -e
  tail -n 8 "$log"
  # The report of a crash (stack, reproducer) is above the final stats.
  sed -n '/ERROR: \|runtime error:\|deadly signal/,$p' "$log" | head -n 60
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  echo "run_fuzz.sh: $target: ${runs:-0} executions, ${rate:-0} exec/s, exit $rc"
  if [ "$rc" -ne 0 ] ||
     grep -qE "ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined)" "$log"; then
    echo "run_fuzz.sh: $target FAILED, crash input saved under $artifacts" >&2
    exit 1
  fi
  if [ "${runs:-0}" -lt "$floor" ]; then
    echo "run_fuzz.sh: $target ran only ${runs:-0} inputs (fewer than $floor)" >&2
    exit 1
  fi
}

# run_pair T1 SEEDS1 LAYER1 T2 SEEDS2 LAYER2: two targets at once (libFuzzer
# uses one core each, so the pair takes the wall time of one), then both logs.
status=0
run_pair() {
  run_one "$1" "$2" "$3" >"$build/fuzz-$1.out" 2>&1 &
  a=$!
  run_one "$4" "$5" "$6" >"$build/fuzz-$4.out" 2>&1 &
  b=$!
  wait "$a" || status=1
  wait "$b" || status=1
  cat "$build/fuzz-$1.out" "$build/fuzz-$4.out"
}
run_pair ipc_fuzz "$here/fuzz_corpus" columnar text_fuzz "$here/text_fuzz_corpus" columnar
run_pair query_fuzz "$repo/tests/store/query_fuzz_corpus" store \
  parquet_fuzz "$here/parquet_fuzz_corpus" columnar/parquet
run_pair pool_fuzz "$repo/tests/store/pool_fuzz_corpus" store \
  http_fuzz "$repo/tests/http/http_fuzz_corpus" http
if [ "$status" -ne 0 ]; then
  echo "run_fuzz.sh: a fuzz target failed (its log is above)" >&2
  exit 1
fi
echo "run_fuzz.sh: no crash in ${per_target}s per target"
