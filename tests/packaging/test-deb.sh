#!/usr/bin/env bash
# Checks the .deb that `make package` built: unpacks it into a temporary root (dpkg -x), checks its files and
# dependencies, then runs the packaged binaries: --version, and headless serving GET /, droid2api --headless and
# droid2api-nox alike.
# Usage: test-deb.sh BUILD_DIR VERSION
set -euo pipefail
build=$1; version=$2
deb=$(ls "$build"/droid2api_"$version"_*.deb 2>/dev/null | head -n 1 || true)
[[ -n "$deb" ]] || { echo "FAIL: no droid2api_${version}_*.deb in $build (run make package)"; exit 1; }
root=$(mktemp -d); home=$(mktemp -d); pid=
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$root" "$home"; }
trap cleanup EXIT
dpkg -x "$deb" "$root"
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }

check "binary installed" "[[ -x $root/usr/bin/droid2api ]]"
check "droid2api-nox installed beside it" "[[ -x $root/usr/bin/droid2api-nox ]]"
check "menu entry" "[[ -f $root/usr/share/applications/droid2api.desktop ]]"
if command -v desktop-file-validate >/dev/null; then
    check "menu entry validates" "desktop-file-validate $root/usr/share/applications/droid2api.desktop"
fi
check "AppStream metainfo" "[[ -f $root/usr/share/metainfo/ai.droid2api.Droid2api.metainfo.xml ]]"
if command -v appstreamcli >/dev/null; then
    check "metainfo validates" "appstreamcli validate --no-net --pedantic $root/usr/share/metainfo/ai.droid2api.Droid2api.metainfo.xml >/dev/null 2>&1 || appstreamcli validate --no-net $root/usr/share/metainfo/ai.droid2api.Droid2api.metainfo.xml"
fi
check "scalable icon" "[[ -f $root/usr/share/icons/hicolor/scalable/apps/droid2api.svg ]]"
for s in 16 22 24 32 48 64 128 256 512; do
    check "icon ${s}x${s}" "[[ -f $root/usr/share/icons/hicolor/${s}x${s}/apps/droid2api.png ]]"
done
check "systemd user unit runs droid2api-nox" "grep -qx 'ExecStart=/usr/bin/droid2api-nox' $root/usr/lib/systemd/user/droid2api.service"
depends=$(dpkg-deb -f "$deb" Depends)
for d in libqt6core6 libqt6network6 libqt6widgets6 libqt6keychain1 libqt6svg6 qt6-qpa-plugins libsecret-1-0 libssl3; do
    check "depends on $d" "[[ '$depends' == *$d* ]]"
done
serve() { # NAME ARGS...: the packaged binary NAME serves GET / until SIGTERM, then exits 0
    local name=$1; shift
    check "$name --version" "$root/usr/bin/$name --version | grep -q 'droid2api $version'"
    local out="$home/$name.out"
    HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" LC_ALL=C.UTF-8 \
        "$root/usr/bin/$name" "$@" --port 0 --token-store file >"$out" 2>"$home/$name.err" &
    pid=$!
    for _ in $(seq 50); do grep -q 'listening on' "$out" && break; sleep 0.1; done
    local url
    url=$(grep -o 'http://[0-9.:]*' "$out" | head -n 1)
    check "$name serves headless" "[[ -n '$url' ]]"
    check "$name: GET / answers" "curl -fsS '$url/' | grep -q '\"name\":\"droid2api\"'"
    kill -TERM "$pid"; local status=0; wait "$pid" || status=$?; pid=
    check "$name: SIGTERM exits 0" "[[ $status -eq 0 ]]"
}
serve droid2api --headless
serve droid2api-nox
if (( fail )); then echo "0 passed, 1 failed"; exit 1; fi
echo "1 passed, 0 failed"
