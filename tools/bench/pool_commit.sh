#!/usr/bin/env bash
# Small-commit throughput on /tmp (ordinary file: msync) and /dev/shm
# (tmpfs), each with and without PMEM_IS_PMEM_FORCE=1 (cache-flush path).
#   tools/bench/pool_commit.sh [BUILD_DIR] [COMMITS]
set -euo pipefail
build=${1:-build}
n=${2:-2000}
bin=$build/tools/pool_commit_bench
for dir in /tmp /dev/shm; do
  "$bin" "$dir" "$n"
  PMEM_IS_PMEM_FORCE=1 "$bin" "$dir" "$((n * 10))"
done
