#pragma once
// Start at login. Platform-specific: XDG autostart entry on Linux, a LaunchAgent on macOS, the Run key on
// Windows.

#include <QtCore/qstring.h>

namespace Autostart {
/// Where the login item lives (a file path, or the registry key on Windows).
QString location();
bool isEnabled();
/// Returns an error message, or "".
QString setEnabled(bool enabled);
} // namespace Autostart
