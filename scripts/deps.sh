#!/usr/bin/env bash
# Installs what droid2api needs to build (and, with --test, to run its tests), using the system's package manager.
# Debian 12 / Ubuntu 22.04+: apt-get (run as root, or with sudo available). Elsewhere: prints what to install.
# --nox: only what droid2api-nox needs (make build-nox: -DDROID2API_GUI=OFF, Qt Core, Network and Sql).
set -euo pipefail

want_test=0
want_shots=0
want_bench=0
want_nox=0
[[ "${1:-}" == "--test" ]] && want_test=1
[[ "${1:-}" == "--bench" ]] && want_test=1 && want_bench=1
[[ "${1:-}" == "--screenshots" ]] && want_test=1 && want_shots=1
[[ "${1:-}" == "--nox" ]] && want_nox=1

build_pkgs=(cmake ninja-build g++ make pkg-config qt6-base-dev
            qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n qtkeychain-qt6-dev libsecret-1-0
            libsecret-1-dev libssl-dev libqt6sql6-sqlite
            libgl-dev qt6-svg-dev libqt6svg6 libxkbcommon-dev file dpkg-dev)
# droid2api-nox: no Qt Svg, OpenGL or xkbcommon. Debian has no development package for Qt Core, Network and Sql
# alone: qt6-base-dev (and qt6-tools-dev, for lrelease's CMake functions) bring Qt Gui and Widgets' files with them,
# though droid2api-nox links none of them; at run time it needs only libqt6core6, libqt6network6, libqt6sql6,
# libqt6sql6-sqlite, libqt6keychain1, libsecret-1-0 and libssl3 (packaging/docker/Dockerfile installs just those).
nox_pkgs=(cmake ninja-build g++ make pkg-config qt6-base-dev
          qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n qtkeychain-qt6-dev libsecret-1-0
          libsecret-1-dev libssl-dev libqt6sql6-sqlite file dpkg-dev)
test_pkgs=(xvfb xauth trayer dbus dbus-x11 gnome-keyring libsecret-tools xdotool ca-certificates curl dpkg-dev
           desktop-file-utils appstream iproute2 util-linux chromium
           clang libclang-rt-dev # clang + libFuzzer: the fuzz smoke pass
           clang-format) # make format-check: the layout .clang-format describes (Debian 12: clang-format 14)
# make bench: wrk drives the load; RapidJSON and simdjson only for bench_json's comparison of JSON libraries.
bench_pkgs=(wrk rapidjson-dev libsimdjson-dev openssl)

print_other_systems() {
    cat <<'MSG'
droid2api: this is not a Debian/Ubuntu system, so nothing was installed automatically. Install:
  macOS (Homebrew):  brew install cmake ninja qt qtkeychain openssl@3 node   (qt brings Qt SQL's SQLite driver)
  Windows (vcpkg):   vcpkg install "qtbase[sql-sqlite]" qtsvg qttools qtkeychain-qt6 openssl
                     plus CMake, Ninja and Node.js (winget install Kitware.CMake Ninja-build.Ninja OpenJS.NodeJS)
  droid2api-nox only (make build-nox, cmake -DDROID2API_GUI=OFF): Qt >= 6.4 Core, Network and Sql with its SQLite
                     driver, Qt Tools' lrelease, QtKeychain, OpenSSL (and libsecret on Linux); never Gui, Widgets
                     or Svg. Homebrew's qt holds every module anyway; with vcpkg, qtbase's default gui and widgets
                     features can stay out: vcpkg install "qtbase[core,network,sql-sqlite]" qttools qtkeychain-qt6
                     openssl (qttools may build Gui for its own tools); elsewhere the distribution's Qt base
                     development package (usually all of qtbase, like Debian's), its Qt tools and QtKeychain
  Benchmark only:    wrk, RapidJSON and simdjson (brew install wrk rapidjson simdjson;
                     vcpkg install rapidjson simdjson); Linux only, as it reads /proc
  Fuzzing only:      clang with libFuzzer (macOS: brew install llvm, then CC/CXX from $(brew --prefix llvm)/bin)
  Formatting only:   clang-format 14, the version CI uses (another lays some lines out differently):
                     pip install clang-format==14.0.6 (macOS and Windows), or macOS: brew install llvm@14 and
                     make format CLANG_FORMAT=$(brew --prefix llvm@14)/bin/clang-format
  Other Linux:       Qt >= 6.4 (Core, Network, Sql with its SQLite driver, Widgets, Svg, Tools), QtKeychain for Qt 6,
                     OpenSSL (libcrypto) and libsecret development files,
                     CMake >= 3.19, Ninja, a C++17 compiler, Node.js >= 18 with npm (for the SDK tests),
                     clang with libFuzzer (for the fuzz targets), clang-format 14 (for make format-check)
MSG
}

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    print_other_systems
    exit 0
fi

pkgs=("${build_pkgs[@]}")
if (( want_nox )); then
    pkgs=("${nox_pkgs[@]}")
fi
if (( want_shots )); then
    pkgs+=(fonts-wqy-microhei adwaita-qt6) # Chinese glyphs for the zh_CN screenshots; the Adwaita-Dark pass
fi
if (( want_bench )); then
    pkgs+=("${bench_pkgs[@]}")
fi
if (( want_test )); then
    pkgs+=("${test_pkgs[@]}")
    # Node.js for the end-to-end tests with the real npm SDKs: keep a newer one if the machine has it.
    command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
    command -v npm >/dev/null 2>&1 || pkgs+=(npm)
fi

missing=()
for p in "${pkgs[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "installed" ]] || missing+=("$p")
done
if (( ${#missing[@]} == 0 )); then
    exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
        echo "droid2api: missing packages: ${missing[*]}; run as root or install them with apt-get" >&2; exit 1
    fi
fi
echo "droid2api: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q >/dev/null
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
