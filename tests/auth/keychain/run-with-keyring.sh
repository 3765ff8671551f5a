#!/usr/bin/env bash
# Runs a command on a private session bus with a throw-away HOME, so the developer's own keyring is never
# touched. The bus has no service activation: the command starts and stops the real gnome-keyring (Secret
# Service) itself (see KeyringDaemon in tst_keychain.cpp). Usage: run-with-keyring.sh COMMAND...
set -e
here=$(cd "$(dirname "$0")" && pwd)
export HOME="$(mktemp -d)"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config" XDG_RUNTIME_DIR="$HOME/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
trap 'rm -rf "$HOME"' EXIT
# dbus-daemon cannot raise its fd limit when not privileged; that note is not a failure.
dbus-run-session --config-file="$here/session-bus.conf" -- "$@" 2> >(grep -v 'Failed to set fd limit' >&2)
