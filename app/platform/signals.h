#pragma once
// Shutdown requests from outside: SIGINT/SIGTERM on Unix, console control events (Ctrl+C, closing the console)
// on Windows, turned into a queued call on the event loop.

#include <QtCore/qglobal.h>

#include <functional>

QT_BEGIN_NAMESPACE
class QObject;
QT_END_NAMESPACE

namespace platform {
/// Calls `onSignal` on `context`'s thread for each shutdown request (a no-op where the OS has neither). On Unix
/// it also ignores SIGPIPE, so a client that hangs up is a write error, not the end of the process.
void installShutdownSignals(QObject *context, const std::function<void()> &onSignal);
} // namespace platform
