#!/usr/bin/env bash
# Checks that droid2api-nox needs no Qt Gui or Widgets: neither its own dynamic section (readelf -d) nor the
# libraries loaded with it (ldd, transitively) name one; and that it starts where a desktop app could not: with
# a DISPLAY that leads nowhere and no Qt platform plugin chosen, --help and --version answer and, in Chinese,
# the help text is droid2api's own translation.
# Usage: test-nox.sh PATH_TO_droid2api-nox
set -euo pipefail
bin=$1
[[ -x "$bin" ]] || { echo "FAIL: $bin is not an executable"; exit 1; }
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }

needed=$(readelf -d "$bin" | grep NEEDED || true)
check "links Qt Core and Network" 'grep -q libQt6Core <<<"$needed" && grep -q libQt6Network <<<"$needed"'
check "no Qt Gui or Widgets among its own libraries (readelf -d)" '! grep -qi "gui\|widgets" <<<"$needed"'
loaded=$(ldd "$bin")
check "every library is found (ldd)" '! grep -q "not found" <<<"$loaded"'
check "no Gui or Widgets loaded with it (ldd | grep -c -i 'widgets\|gui' is 0)" \
    '[[ $(grep -c -i "widgets\|gui" <<<"$loaded" || true) -eq 0 ]]'

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
# A display that does not exist: the desktop app would try it; droid2api-nox never looks.
nox() { env -u QT_QPA_PLATFORM -u WAYLAND_DISPLAY DISPLAY=:99 HOME="$home" XDG_CONFIG_HOME="$home/config" "$@"; }
check "--version with a DISPLAY that leads nowhere" 'nox "$bin" --version | grep -q "^droid2api [0-9]"'
help=$(nox env LC_ALL=C.UTF-8 LANG=C.UTF-8 "$bin" --help)
check "--help in English lists --headless, --config, --port" \
    'grep -q -- --headless <<<"$help" && grep -q -- --config <<<"$help" && grep -q -- --port <<<"$help"'
check "--help leaves out the desktop app's --activity" '! grep -q -- --activity <<<"$help"'
# The .qm embedded under :/i18n comes with droid2api-nox: the option texts are the zh_CN translation's.
zh=$(nox env -u LC_ALL -u LC_MESSAGES LANG=zh_CN.UTF-8 LANGUAGE=zh_CN "$bin" --help)
check "--help in zh_CN is translated (--headless: 不带图形界面运行代理。)" \
    'grep -q -- "--headless.*不带图形界面运行代理。" <<<"$zh" && ! grep -q "Run the proxy without any GUI" <<<"$zh"'

if (( fail )); then echo "0 passed, 1 failed"; exit 1; fi
echo "1 passed, 0 failed"
