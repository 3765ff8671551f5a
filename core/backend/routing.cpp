#include "routing.h"

#include "../formats/registry.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qjsonarray.h>

#include <algorithm>

namespace d2a {

WireFormat backendFormat(const BackendConfig &backend, ModelType type)
{
    switch (backend.kind) {
    case BackendConfig::Kind::Factory: return upstreamFormat(type);
    case BackendConfig::Kind::Anthropic: return WireFormat::Anthropic;
    case BackendConfig::Kind::OpenAI: return backend.responses ? WireFormat::OpenAIResponses : WireFormat::OpenAIChat;
    }
    return upstreamFormat(type);
}

QUrl joinBackendUrl(const QUrl &base, const QString &endpointPath)
{
    QUrl url = base;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    const QString tail =
        endpointPath.startsWith(QStringLiteral("/v1")) ? endpointPath.mid(3) : endpointPath; // "/messages"
    if (path.endsWith(tail))
        ; // already the full endpoint
    else if (path.endsWith(u"/v1"))
        path += tail;
    else
        path += endpointPath;
    url.setPath(path);
    return url;
}

QUrl backendEndpoint(const BackendConfig &backend, WireFormat format, const QString &suffix)
{
    QUrl url = joinBackendUrl(backend.baseUrl, QString::fromLatin1(formatSpec(format).backendPath));
    url.setPath(url.path() + suffix);
    return url;
}

// --- CircuitBreaker ----------------------------------------------------------------------------------------

qint64 CircuitBreaker::now() const
{
    return m_now ? m_now() : QDateTime::currentMSecsSinceEpoch();
}

bool CircuitBreaker::allow(const QString &key)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end() || it->state == State::Closed)
        return true;
    Entry &e = *it;
    if (e.state == State::Open && now() - e.openedAt >= m_openMs) {
        e.state = State::HalfOpen;
        e.probing = false;
    }
    if (e.state == State::HalfOpen && !e.probing) {
        e.probing = true; // exactly one probe
        return true;
    }
    return false;
}

bool CircuitBreaker::isOpen(const QString &key) const
{
    const auto it = m_entries.constFind(key);
    if (it == m_entries.cend() || it->state == State::Closed)
        return false;
    if (it->state == State::Open)
        return now() - it->openedAt < m_openMs;
    return it->probing; // half-open: open again while its probe is out
}

void CircuitBreaker::recordSuccess(const QString &key)
{
    m_entries.remove(key);
}

void CircuitBreaker::recordFailure(const QString &key)
{
    Entry &e = m_entries[key];
    ++e.failures;
    if (e.state == State::HalfOpen || e.failures >= m_threshold) {
        e.state = State::Open;
        e.openedAt = now();
        e.probing = false;
    }
}

CircuitBreaker::State CircuitBreaker::state(const QString &key) const
{
    const auto it = m_entries.constFind(key);
    if (it == m_entries.cend())
        return State::Closed;
    if (it->state == State::Open && now() - it->openedAt >= m_openMs)
        return State::HalfOpen;
    return it->state;
}

qint64 CircuitBreaker::retryAfterMs(const QString &key) const
{
    const auto it = m_entries.constFind(key);
    if (it == m_entries.cend() || it->state != State::Open)
        return 0;
    return qMax<qint64>(0, m_openMs - (now() - it->openedAt));
}

QString CircuitBreaker::stateName(State s)
{
    switch (s) {
    case State::Closed: return QStringLiteral("closed");
    case State::Open: return QStringLiteral("open");
    case State::HalfOpen: return QStringLiteral("half_open");
    }
    return {};
}

QList<CircuitBreaker::Circuit> CircuitBreaker::circuits() const
{
    QList<Circuit> out;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        const qsizetype nl = it.key().indexOf(u'\n');
        out.append({ it.key().left(nl), it.key().mid(nl + 1), state(it.key()), it->failures, retryAfterMs(it.key()) });
    }
    std::sort(out.begin(), out.end(), [](const Circuit &a, const Circuit &b) {
        return a.backend != b.backend ? a.backend < b.backend : a.model < b.model;
    });
    return out;
}

QJsonArray CircuitBreaker::statusJson() const
{
    QJsonArray out;
    for (const Circuit &c : circuits())
        out.append(QJsonObject { { QStringLiteral("backend"), c.backend },
                                 { QStringLiteral("model"), c.model },
                                 { QStringLiteral("state"), stateName(c.state) },
                                 { QStringLiteral("consecutive_failures"), c.consecutiveFailures },
                                 { QStringLiteral("retry_after_ms"), double(c.retryAfterMs) } });
    return out;
}

// --- BackendLimiter ----------------------------------------------------------------------------------------

bool BackendLimiter::acquire(const QString &backend, int maxConcurrent, int queueLimit, QObject *context,
                             std::function<void()> start)
{
    if (m_active.value(backend) < maxConcurrent) {
        ++m_active[backend];
        start();
        return true;
    }
    auto &queue = m_waiting[backend];
    if (queue.size() >= queueLimit)
        return false;
    queue.enqueue({ context, std::move(start) });
    return true;
}

void BackendLimiter::release(const QString &backend)
{
    --m_active[backend];
    auto &queue = m_waiting[backend];
    while (!queue.isEmpty()) {
        Waiter w = queue.dequeue();
        if (!w.context)
            continue;
        // The slot is the waiter's from now (no later acquire takes it), but its start runs from the event loop:
        // not inside the releasing request's own call stack, which may be that request's teardown.
        ++m_active[backend];
        QMetaObject::invokeMethod(
            this,
            [this, backend, w = std::move(w)] {
            if (w.context)
                w.start();
            else
                release(backend); // gone meanwhile: the slot goes to the next waiter
            },
            Qt::QueuedConnection);
        return;
    }
}

} // namespace d2a
