#!/usr/bin/env bash
# Writes screenshots of the desktop app under Xvfb with a real tray (trayer), in English and Simplified
# Chinese, into the given folder. Usage: screenshots.sh BINARY OUTDIR
set -euo pipefail
bin=$(realpath "$1"); out=$(mkdir -p "$2" && realpath "$2")
home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
for lang in en_US zh_CN; do
    HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" LANG="$lang.UTF-8" LANGUAGE="$lang" \
    LC_ALL="$lang.UTF-8" QT_QPA_PLATFORM=xcb bash tests/app/run-with-tray.sh "$bin" --screenshots "$out"
done
echo "screenshots in $out"
