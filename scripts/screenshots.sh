#!/usr/bin/env bash
# Writes screenshots of the desktop app under Xvfb with a real tray (trayer), in English and Simplified
# Chinese, into the given folder: every window and state at 1280x800 in the default style (Fusion), the main
# ones again in Adwaita-Dark (adwaita-qt6; files marked -adwaita-dark), and where each window opens on 1280x800
# and 1366x768 screens (screen-WxH-*). Usage: screenshots.sh BINARY OUTDIR
set -euo pipefail
bin=$(realpath "$1"); out=$(mkdir -p "$2" && realpath "$2")
# A private session bus without a keyring: tokens go to the 0600 file at once (a keychain that is not there
# would be waited for), and the user's own keyring is never touched.
home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
dark=Adwaita-Dark
if [[ ! -e "$(qtpaths6 --query QT_INSTALL_PLUGINS 2>/dev/null)/styles/adwaita.so" ]]; then
    echo "screenshots: no Adwaita-Dark style (apt-get install adwaita-qt6): the dark pass is skipped" >&2
    dark=
fi
# The tests' fake Factory (built with them) for the refused key and the sign-in that replaces it.
factory=
fake_bin=$(dirname "$bin")/../tests/fake_factory
if [[ -x "$fake_bin" ]]; then
    "$fake_bin" > "$home/fake.out" &
    fake_pid=$!
    trap 'kill $fake_pid 2>/dev/null; rm -rf "$home"' EXIT
    for _ in $(seq 50); do grep -q listening "$home/fake.out" && break; sleep 0.1; done
    factory=$(sed -n 's/^fake_factory listening on //p' "$home/fake.out")
    curl -s -X POST -H 'content-type: application/json' -d '{"whoami_status":401}' "$factory/fake/knobs" >/dev/null
else
    echo "screenshots: no $fake_bin: the refused-key pictures are skipped" >&2
fi
shoot() { # LANG SCREEN OUTDIR [STYLE]
    env HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" LANG="$1.UTF-8" LANGUAGE="$1" \
        LC_ALL="$1.UTF-8" QT_QPA_PLATFORM=xcb D2A_SCREEN="$2" D2A_SCREENSHOT_STYLE="${4:-}" D2A_SCREENSHOT_FACTORY="$factory" \
        ${4:+QT_STYLE_OVERRIDE="$4"} \
        dbus-run-session --config-file="$PWD/tests/auth/keychain/session-bus.conf" -- \
        bash tests/app/run-with-tray.sh "$bin" --screenshots "$3" 2> >(grep -v 'Failed to set fd limit' >&2)
}
for lang in en_US zh_CN; do
    shoot "$lang" 1280x800 "$out"
    [[ -n "$dark" ]] && shoot "$lang" 1280x800 "$out" "$dark"
    # On the smaller-height screen only where the windows open is new: the rest is the same picture.
    small=$(mktemp -d -p "$home")
    shoot "$lang" 1366x768 "$small" >/dev/null
    cp "$small"/screen-1366x768-*.png "$out"/
    ls "$out"/screen-1366x768-*-"$lang".png
done
echo "screenshots in $out"
