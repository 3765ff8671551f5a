#include "deadline.h"

namespace d2a::http {

Deadline::Deadline(std::function<void()> onDue) : m_onDue(std::move(onDue))
{
    m_timer.setSingleShot(true);
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { onTimer(); });
}

void Deadline::start(int ms)
{
    ms = qMax(0, ms);
    m_due = monotonicMs() + ms;
    if (m_timer.isActive() && m_firesAt <= m_due)
        return; // the armed timer fires first and waits out the rest
    m_firesAt = m_due;
    m_timer.start(ms);
}

void Deadline::stop()
{
    m_due = -1;
    m_timer.stop();
}

void Deadline::onTimer()
{
    if (m_due < 0)
        return;
    const qint64 now = monotonicMs();
    if (now < m_due) {
        m_firesAt = m_due;
        m_timer.start(int(m_due - now));
        return;
    }
    m_due = -1;
    m_onDue(); // last: it may delete the owner, and this with it
}

} // namespace d2a::http
