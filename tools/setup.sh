#!/usr/bin/env bash
# Installs everything Quiver needs on Debian 12, idempotently: the Debian
# packages (apt-get, as root) and the npm packages used by the interop tests
# and benchmarks (into the git-ignored .deps/ folder).
#
#   tools/setup.sh            # build + test dependencies
#   tools/setup.sh --no-node  # skip the npm packages
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libpmem-dev                          # PMDK libpmem: map, pmem detection, persist
  flatbuffers-compiler libflatbuffers-dev  # flatc + runtime: Arrow IPC metadata, catalog
  libcpp-httplib-dev                   # HTTP server (quiverd)
  nlohmann-json3-dev                   # JSON
  libxsimd-dev                         # SIMD kernels
  libre2-dev                           # regular expressions (regexp_* SQL functions)
  catch2                               # unit tests (v2)
  libzstd-dev zlib1g-dev               # compression, CRC-32
  libxxhash-dev                        # XXH3 checksums of chunks and the catalog
  libthrift-dev thrift-compiler libboost-dev  # Parquet footer / page headers (Thrift compact protocol)
  libsnappy-dev liblz4-dev libbrotli-dev      # Parquet page codecs (with zlib and zstd)
  libbenchmark-dev                     # microbenchmarks (tools/bench)
  clang libclang-rt-14-dev             # libFuzzer targets
  sqlite3                              # reference engine for query tests
  python3-numpy python3-pandas         # the Python package (tools/python) and its tests
  python3-dask python3-distributed     # quiver.dask: tables as Dask DataFrames (tests, dask_bench.sh)
  chromium                             # headless browser for the web page test (tests/http)
  wrk                                  # HTTP load generator (tools/bench/http_bench.sh)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js + npm for the apache-arrow interop tests and the DuckDB benchmark
# peer. A machine may already have a Node.js of its own (e.g. a nodejs build
# that bundles npm, which conflicts with Debian's npm package): use it.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Quiver needs these Debian packages: ${missing[*]}" >&2
    echo "Run as root, or:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" != "--no-node" && -x tools/node/install.sh ]]; then
  tools/node/install.sh
fi
echo "setup: all dependencies present" >&2
