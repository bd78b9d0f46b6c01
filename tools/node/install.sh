#!/bin/sh
# Installs the node packages of tools/node/package.json into <repo>/.deps/node.
# Idempotent and offline-friendly: when node_modules already holds the pinned
# versions nothing is fetched.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
prefix="${QUIVER_NODE_PREFIX:-$repo/.deps/node}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: node and npm are required (apt-get install nodejs npm)" >&2
  exit 1
fi

# Prints "ok" when every dependency in package.json is installed at exactly the
# pinned version.
check() {
  node -e '
    const fs = require("fs"), path = require("path");
    const [pkgFile, prefix] = process.argv.slice(1);
    const deps = JSON.parse(fs.readFileSync(pkgFile, "utf8")).dependencies;
    for (const [name, want] of Object.entries(deps)) {
      const f = path.join(prefix, "node_modules", name, "package.json");
      if (!fs.existsSync(f)) process.exit(1);
      if (JSON.parse(fs.readFileSync(f, "utf8")).version !== want) process.exit(1);
    }
    console.log("ok");
  ' "$here/package.json" "$prefix" 2>/dev/null || true
}

if [ "$(check)" = "ok" ]; then
  echo "install.sh: node packages already installed in $prefix"
  exit 0
fi
mkdir -p "$prefix"
cp "$here/package.json" "$prefix/package.json"
# puppeteer-core drives Debian's /usr/bin/chromium; never fetch a browser.
export PUPPETEER_SKIP_DOWNLOAD=1
npm install --prefix "$prefix" --no-audit --no-fund --omit=dev --prefer-offline
if [ "$(check)" != "ok" ]; then
  echo "install.sh: npm install finished but the pinned versions are missing in $prefix" >&2
  exit 1
fi
echo "install.sh: installed node packages in $prefix"
