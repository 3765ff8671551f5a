#pragma once
// The terminal and the display the process was started with. Platform-specific: Windows consoles, X11/Wayland.

namespace platform {
/// Windows: droid2api.exe is a GUI-subsystem program with no console of its own; this attaches to the one it was
/// started from, so --headless, --help and the commands print where the user typed them. Elsewhere a no-op.
void attachParentConsole();
/// On Linux/BSD a GUI needs an X11 or Wayland display (or an explicit QT_QPA_PLATFORM); elsewhere always true.
bool displayAvailable();
/// Standard input is a terminal (someone can answer a question).
bool stdinIsTerminal();
} // namespace platform
