#pragma once
// A timeout that activity keeps pushing later, shared by the server and the upstream client.

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qtimer.h>

#include <functional>

namespace d2a::http {

/// Milliseconds on the monotonic clock: deadlines and ages must not jump with the wall clock.
inline qint64 monotonicMs()
{
    return QDeadlineTimer::current().deadline();
}

/// A timeout re-armed on every event of a stream (the upstream's idle timeout, the keep-alive ping to a client).
/// QTimer::start on each event unregisters and registers a timer with the event loop every time; here a start
/// that moves the deadline later only records it, and the timer, when it fires before the deadline, waits out
/// the rest. `onDue` runs once, no earlier than `ms` after the last start (and may delete the owner).
class Deadline
{
public:
    explicit Deadline(std::function<void()> onDue);
    Deadline(const Deadline &) = delete;
    Deadline &operator=(const Deadline &) = delete;

    void start(int ms);
    void stop();
    bool isActive() const { return m_due >= 0; }

private:
    void onTimer();

    QTimer m_timer;
    std::function<void()> m_onDue;
    qint64 m_due = -1; ///< when it is due (monotonic ms); -1 when stopped
    qint64 m_firesAt = -1; ///< when the armed timer fires (monotonic ms)
};

} // namespace d2a::http
