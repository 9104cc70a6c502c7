#!/usr/bin/env bash
# Installs the workspace: the pinned pnpm through npx, the frozen lockfile, no questions asked.
#
# better-sqlite3 is a native addon, built from source by node-gyp on install. node-gyp builds
# against the headers of the Node.js that runs it; when they are installed beside it (Debian's
# nodejs, the official tarballs and installers put them in <prefix>/include/node), they are used
# as they are, instead of being downloaded from nodejs.org, which a machine without that network
# cannot reach. A nodedir set by the caller wins.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="$(node -p "require('node:path').resolve(process.execPath, '../..')")"
if [[ -z "${npm_config_nodedir:-}" && -f "$prefix/include/node/node.h" ]]; then
  export npm_config_nodedir="$prefix"
fi
exec npx -y pnpm@10.34.9 install --frozen-lockfile --config.confirm-modules-purge=false
