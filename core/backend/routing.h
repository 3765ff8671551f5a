#pragma once
// Where one request goes: the backend a model names (Factory by default, or an Anthropic- or
// OpenAI-compatible service), the wire format and URL there, and the per-backend circuit breaker and
// concurrency limit that decide whether it may go now.

#include "../config/config.h"
#include "../formats/wireformat.h"

#include <QtCore/qhash.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qqueue.h>

#include <functional>

namespace d2a {

/// The format a backend speaks for a model of `type`.
WireFormat backendFormat(const BackendConfig &backend, ModelType type);

/// Joins a base URL given with or without /v1, or as the full endpoint, with an endpoint path such as
/// "/v1/messages" or "/v1/chat/completions" (never /v1/v1/...).
QUrl joinBackendUrl(const QUrl &base, const QString &endpointPath);

/// The endpoint URL of `backend` for `format`, with `suffix` for an operation beside it ("/count_tokens").
QUrl backendEndpoint(const BackendConfig &backend, WireFormat format, const QString &suffix = {});

/// A circuit per backend and upstream model (Factory serves many models on one host: one model's failures say
/// nothing about the others). Failures are connect errors, TLS failures, timeouts and 5xx answers; 4xx never
/// count. It opens after repeated failures; after a pause one probe goes through (half-open) and the first
/// success closes it. It only ever diverts traffic to another route: the caller sends a request to an open
/// circuit anyway when nothing else can take it (Envoy's max_ejection_percent, LiteLLM's cooldowns).
class CircuitBreaker final
{
public:
    enum class State { Closed, Open, HalfOpen };
    /// One circuit, for GET / and the tray.
    struct Circuit
    {
        QString backend;
        QString model;
        State state = State::Closed;
        int consecutiveFailures = 0;
        qint64 retryAfterMs = 0;
    };
    static QString key(const QString &backend, const QString &model) { return backend + u'\n' + model; }

    void setClock(std::function<qint64()> nowMs) { m_now = std::move(nowMs); }
    void configure(int failures, int openMs)
    {
        m_threshold = failures;
        m_openMs = openMs;
    }
    /// May a request take this route now? (In half-open state only the one probe may.)
    bool allow(const QString &key);
    /// True while the circuit is open and no probe is due (no side effect, unlike allow()).
    bool isOpen(const QString &key) const;
    void recordSuccess(const QString &key);
    void recordFailure(const QString &key);
    State state(const QString &key) const;
    /// Milliseconds until an open circuit lets a probe through (0 when not open).
    qint64 retryAfterMs(const QString &key) const;
    /// Every circuit that has seen a failure, in a stable order.
    QList<Circuit> circuits() const;
    QJsonArray statusJson() const;
    static QString stateName(State s);

private:
    struct Entry
    {
        int failures = 0;
        State state = State::Closed;
        qint64 openedAt = 0;
        bool probing = false;
    };
    qint64 now() const;
    QHash<QString, Entry> m_entries;
    std::function<qint64()> m_now;
    int m_threshold = 5;
    int m_openMs = 30000;
};

/// Bounded concurrency per backend: up to max requests at once, up to queueLimit waiting; beyond that the
/// caller answers 429.
class BackendLimiter final : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    /// Runs `start` now or, once a slot frees up, from the event loop (unless `context` is gone by then). False:
    /// the queue is full.
    bool acquire(const QString &backend, int maxConcurrent, int queueLimit, QObject *context,
                 std::function<void()> start);
    /// Frees a slot: it is handed to the first waiter still there at once (active() counts it), whose start runs
    /// on the next turn of the event loop, never inside this call.
    void release(const QString &backend);
    int active(const QString &backend) const { return m_active.value(backend); }

private:
    struct Waiter
    {
        QPointer<QObject> context;
        std::function<void()> start;
    };
    QHash<QString, int> m_active;
    QHash<QString, QQueue<Waiter>> m_waiting;
};

} // namespace d2a
