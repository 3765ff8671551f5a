#!/bin/sh
# Runs a command against a real, unlocked gnome-keyring (Secret Service) on a private session bus, with a
# throw-away HOME so the developer's own keyring is never touched. Usage: run-with-keyring.sh COMMAND...
set -e
export HOME="$(mktemp -d)"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config" XDG_RUNTIME_DIR="$HOME/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
trap 'rm -rf "$HOME"' EXIT
exec dbus-run-session -- sh -c '
  printf %s droid2api-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' sh "$@"
