#!/usr/bin/env bash
# Re-renders the installers' icons from resources/icons/droid2api.svg (needs the Qt 6 Svg and Gui development
# files: make deps has them). Usage: packaging/render-icons.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tool=$(mktemp -d)/render-icons
g++ -std=c++17 -fPIC "$root/packaging/render-icons.cpp" -o "$tool" $(pkg-config --cflags --libs Qt6Svg Qt6Gui Qt6Core)
QT_QPA_PLATFORM=offscreen "$tool" "$root"
