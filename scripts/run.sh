#!/usr/bin/env bash
# Starts droid2api the way `make run` promises: the tray app when a display is available, else headless
# with a message saying so.
set -euo pipefail
bin=$1; shift
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && "$(uname)" == "Linux" ]]; then
    echo "droid2api: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so starting headless."
    echo "droid2api: press Ctrl+C to stop."
    exec "$bin" --headless "$@"
fi
exec "$bin" "$@"
