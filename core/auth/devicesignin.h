#pragma once
// Device sign-in, like the droid CLI: ask WorkOS for a user code, show it (and the URL) to the user, poll until
// they approve it in the browser. A one-shot job; the GUI wires it to a button, --sign-in to the terminal.

#include "workosclient.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qobject.h>
#include <QtCore/qtimer.h>

namespace d2a {

class DeviceSignIn final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeviceSignIn)

public:
    explicit DeviceSignIn(WorkOsClient *workos, QObject *parent = nullptr);

    /// Seconds added to the poll interval on "slow_down" (RFC 8628 says 5; tests shorten it).
    void setSlowDownStep(double seconds) { m_slowDownStep = seconds; }
    /// Lower bound of the poll interval in seconds (tests use fractions).
    void setMinimumInterval(double seconds) { m_minInterval = seconds; }

    void start();
    void cancel();
    /// True while the next poll is waiting on its timer.
    bool pollScheduled() const { return m_timer.isActive(); }

Q_SIGNALS:
    /// Show `userCode` and open `verificationUriComplete` (it carries the code) in the browser.
    void codeReady(const QString &userCode, const QString &verificationUri, const QString &verificationUriComplete,
                   int expiresInSecs);
    void succeeded(const d2a::TokenResponse &tokens);
    void failed(const QString &reason);

private:
    void poll();
    void finishWith(const QString &failure);

    WorkOsClient *m_workos;
    DeviceCode m_code;
    QTimer m_timer;
    QElapsedTimer m_elapsed;
    double m_interval = 5;
    double m_slowDownStep = 5;
    double m_minInterval = 1;
    bool m_done = false;
};

} // namespace d2a
