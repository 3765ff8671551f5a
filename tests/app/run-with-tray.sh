#!/bin/sh
# Runs a command on a private X server (Xvfb) with a real system tray (trayer) on it.
# Usage: run-with-tray.sh COMMAND...   (D2A_SCREEN=WIDTHxHEIGHT sets the screen; 1280x800 by default)
set -e
exec xvfb-run -a -s "-screen 0 ${D2A_SCREEN:-1280x800}x24" sh -c '
  trayer --edge top --align right --widthtype request --height 28 --transparent false --tint 0x333333 >/dev/null 2>&1 &
  tray=$!
  sleep 0.7
  "$@"; status=$?
  kill $tray 2>/dev/null
  exit $status' sh "$@"
