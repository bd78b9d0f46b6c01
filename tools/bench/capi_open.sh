#!/usr/bin/env bash
# Open-to-first-value and sum through the C API / Python package over a
# large table, against pandas.read_csv of the same data.
#
#   tools/bench/capi_open.sh BUILD_DIR [ROWS] [CSV_ROWS] [WORK_DIR]
#
# BUILD_DIR holds libquiver.so and tests/capi/capi_make_pool (targets
# quiver_c and capi_make_pool). ROWS defaults to 64M (4 columns of 8 bytes:
# 2 GiB); CSV_ROWS (default 8M) rows are also written as CSV for the pandas
# baseline, whose figures are then scaled by ROWS / CSV_ROWS. Every
# measurement runs in a fresh /usr/bin/python3 process, with the page cache
# warm and then after `echo 3 > /proc/sys/vm/drop_caches` (root only; else
# the pool file's pages are evicted with posix_fadvise(DONTNEED)). The big
# files are deleted at the end.
set -euo pipefail
build=$(cd "${1:?usage: capi_open.sh BUILD_DIR [ROWS] [CSV_ROWS] [WORK_DIR]}" && pwd)
rows=${2:-67108864}
csv_rows=${3:-8388608}
work=${4:-$build/bench-tmp}
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
export QUIVER_LIB=$build/store/capi/libquiver.so
export PYTHONPATH=$here/../python
gen=$build/tests/capi/capi_make_pool
mkdir -p "$work"
pool=$work/big.pool
csv=$work/big.csv
trap 'rm -f "$pool" "$pool.lock" "$csv" "$work/capi_first_value"' EXIT
rm -f "$pool" "$pool.lock" "$csv"

drop_cache() {
  sync
  if (echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
    echo "cache: dropped (echo 3 > /proc/sys/vm/drop_caches)"
  else
    "$py" -c "import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)" "$pool"
    echo "cache: drop_caches not allowed; evicted the pool file with posix_fadvise(DONTNEED)"
  fi
}

echo "== generating $rows rows (4 x 8-byte columns) and $csv_rows CSV rows in $work"
start=$(date +%s.%N)
"$gen" big "$pool" "$rows" "$csv" "$csv_rows" >/dev/null
echo "generated in $(echo "$(date +%s.%N) - $start" | bc) s; pool $(du -h --apparent-size "$pool" | cut -f1), \
disk $(du -h "$pool" | cut -f1), csv $(du -h "$csv" | cut -f1)"

# The same measurement in C, without the Python interpreter and numpy import.
cc -O2 -std=c11 -Wall -Wextra -I"$here/../.." "$here/capi_first_value.c" -o "$work/capi_first_value" \
  -L"$build/store/capi" -lquiver -Wl,-rpath,"$build/store/capi"
first() {
  QUIVER_T0=$(date +%s.%N) "$work/capi_first_value" "$pool" big b
  QUIVER_T0=$(date +%s.%N) "$py" "$here/capi_open.py" first "$pool" big b
}
echo "== open to first value, page cache warm (3 fresh processes each)"
cat "$pool" > /dev/null
for i in 1 2 3; do first; done
echo "== open to first value, page cache dropped before each process"
for i in 1 2 3; do drop_cache; QUIVER_T0=$(date +%s.%N) "$work/capi_first_value" "$pool" big b; done
for i in 1 2 3; do drop_cache; QUIVER_T0=$(date +%s.%N) "$py" "$here/capi_open.py" first "$pool" big b; done

echo "== sum of column b through numpy (zero-copy views, chunk by chunk), cache warm"
cat "$pool" > /dev/null
"$py" "$here/capi_open.py" sum "$pool" big b
echo "== the same after dropping the cache"
drop_cache
"$py" "$here/capi_open.py" sum "$pool" big b

echo "== pandas.read_csv of $csv_rows rows, then the sum of b (cache warm)"
cat "$csv" > /dev/null
"$py" "$here/capi_open.py" csv "$csv" b
echo "(scale the pandas times and RSS by $rows / $csv_rows for the full table)"
