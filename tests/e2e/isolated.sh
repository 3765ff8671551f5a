#!/usr/bin/env bash
# Runs a command with loopback as its only network: a new network namespace (lo up, no other interface) and
# mount namespace whose /etc/resolv.conf names 127.0.0.1, where trap.mjs records any name looked up. Needs
# root (make test runs as root in CI) or unprivileged user namespaces; elsewhere the command runs as is and
# DROID2API_ISOLATED stays unset, so the tests say they rely on the proxy trap alone.
# Usage: isolated.sh COMMAND [ARGS...]
set -euo pipefail
if [[ "${DROID2API_ISOLATED:-}" == inside ]]; then
    ip link set lo up
    mount --bind "$D2A_RESOLV" /etc/resolv.conf
    export DROID2API_ISOLATED=1
    exec "$@"
fi
resolv=$(mktemp)
trap 'rm -f "$resolv"' EXIT
echo "nameserver 127.0.0.1" >"$resolv"
chmod 644 "$resolv"
if command -v ip >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1; then
    for how in "--net --mount" "--user --map-root-user --net --mount"; do
        # shellcheck disable=SC2086 # the flags are meant to split
        if unshare $how true 2>/dev/null; then
            # shellcheck disable=SC2086
            DROID2API_ISOLATED=inside D2A_RESOLV="$resolv" unshare $how -- bash "$0" "$@"
            exit $?
        fi
    done
fi
echo "isolated.sh: no network namespace available here; running with the proxy trap only" >&2
"$@"
