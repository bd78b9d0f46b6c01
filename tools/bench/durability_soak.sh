#!/usr/bin/env bash
# The durability soak (issue 13, item 7): the "Processes together" test of
# tests/durability/processes_test.cc run for MINUTES instead of CI's 60 s. A
# writer process loops over create/append/replace/truncate/rename/drop/
# compact/grow and records a digest per txn; four C-API reader processes pin,
# read every column and compare; quiverd answers count/sum queries checked
# against the writer's record. Prints the figures (commits, snapshots
# verified per reader, mismatches, queries, bytes accounted) and exits non-zero
# on any mismatch, leaked pin or leaked extent.
#   tools/bench/durability_soak.sh MINUTES [BUILD_DIR]
# e.g. tools/bench/durability_soak.sh 10      (needs: cmake --build build --target durability_tests)
set -euo pipefail
minutes=${1:?usage: durability_soak.sh MINUTES [BUILD_DIR]}
build=${2:-build}
bin=$build/tests/durability/durability_tests
[ -x "$bin" ] || { echo "durability_soak: $bin not built (cmake --build $build --target durability_tests)" >&2; exit 1; }
mkdir -p "$build/test-tmp"
QUIVER_SOAK_SECONDS=$((minutes * 60)) QUIVER_TEST_TMP="$build/test-tmp" \
  "$bin" -w NoTests "Processes together*"
