#!/usr/bin/env bash
# The README's main command: installs dependencies, builds Quiver, creates a
# demo pool in ./demo and shows it. (Later stages add sample data and serve
# it with quiverd.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --no-node
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
quiver=build/tools/cli/quiver
mkdir -p demo
rm -f demo/demo.pool demo/demo.pool.lock
$quiver pool create demo/demo.pool --size 4G
$quiver pool info demo/demo.pool
$quiver pool check demo/demo.pool
echo
echo "Demo pool: demo/demo.pool   (try: $quiver --help)"
