#!/usr/bin/env bash
# Installs the npm packages of a test folder from its lockfile, only when they are missing or stale.
set -euo pipefail
dir=$1
stamp="$dir/node_modules/.droid2api-lock"
if [[ -f "$stamp" ]] && cmp -s "$dir/package-lock.json" "$stamp"; then
    exit 0
fi
echo "droid2api: installing the npm SDKs for the end-to-end tests (npm ci in $dir)"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
cp "$dir/package-lock.json" "$stamp"
