#include "signals.h"

#include <QtCore/qobject.h>
#include <QtCore/qsocketnotifier.h>

#if defined(Q_OS_UNIX)
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#elif defined(Q_OS_WIN)
#include <windows.h>
#endif

namespace platform {

// A signal handler may only write to a pipe; the notifier does the rest on the event loop.
#if defined(Q_OS_UNIX)
// --- Unix: SIGINT/SIGTERM through a socket pair
namespace {
int g_signalFds[2] = { -1, -1 };
void onUnixSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFds[0], &c, 1);
}
} // namespace

void installShutdownSignals(QObject *context, const std::function<void()> &onSignal)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalFds[1], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [onSignal] {
        char c;
        [[maybe_unused]] const auto n = ::read(g_signalFds[1], &c, 1);
        onSignal();
    });
    struct sigaction sa = {};
    sa.sa_handler = onUnixSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}
#elif defined(Q_OS_WIN)
// --- Windows: console control events (they arrive on a thread of their own)
namespace {
std::function<void()> *g_onSignal = nullptr;
QObject *g_signalContext = nullptr;
BOOL WINAPI onConsoleCtrl(DWORD)
{
    QMetaObject::invokeMethod(
        g_signalContext, [] { (*g_onSignal)(); }, Qt::QueuedConnection);
    return TRUE;
}
} // namespace

void installShutdownSignals(QObject *context, const std::function<void()> &onSignal)
{
    g_onSignal = new std::function<void()>(onSignal);
    g_signalContext = context;
    SetConsoleCtrlHandler(onConsoleCtrl, TRUE);
}
#else
// --- Elsewhere: nothing to install
void installShutdownSignals(QObject *, const std::function<void()> &)
{
}
#endif

} // namespace platform
