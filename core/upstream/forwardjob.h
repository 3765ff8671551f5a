#pragma once
// One proxied call: sends the prepared upstream request and pipes the answer back to the client's Exchange,
// event by event for streams, aborting the upstream the moment the client leaves.

#include "../formats/translate.h"
#include "../server/exchange.h"
#include "../sse/ssesplitter.h"
#include "httpclient.h"

#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qtimer.h>

#include <functional>

namespace d2a {

class ForwardJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ForwardJob)

public:
    /// `clientFormat` is what the client speaks, `upstreamFormat` what the upstream speaks (the same in
    /// passthrough). The job is a child of the exchange and dies with it.
    ForwardJob(Exchange *exchange, HttpClient *client, UpstreamRequest request, WireFormat clientFormat,
               WireFormat upstreamFormat, bool clientWantsStream);

    void start();

    /// Called with the rejected bearer when the upstream answers 401 before anything reached the client; a
    /// new bearer resends the request once.
    using Recovery = std::function<void(const QByteArray &rejected, std::function<void(Result<QByteArray>)> done)>;
    void setRecovery(Recovery r) { m_recovery = std::move(r); }
    /// The client speaks another format than the upstream: answers are translated through the shared model.
    void setTranslation(const ir::Request &request);
    /// Silence after which a stream gets a keepalive in the client's grammar (0: never).
    void setKeepAliveInterval(int ms) { m_keepAliveMs = ms; }
    /// Bounds on what one upstream may send: one SSE event, one whole answer (config limits).
    void setLimits(qint64 maxEventBytes, qint64 maxAnswerBytes)
    {
        m_maxEventBytes = maxEventBytes;
        m_maxAnswerBytes = maxAnswerBytes;
    }
    /// Retries on connect errors and 5xx while nothing has reached the client: `retries` more attempts,
    /// waiting Retry-After (up to maxBackoffMs) or backoffMs doubling. A 429 goes to the client as it is.
    void setRetryPolicy(int retries, int backoffMs, int maxBackoffMs)
    {
        m_retriesLeft = retries;
        m_backoffMs = backoffMs;
        m_maxBackoffMs = maxBackoffMs;
    }
    /// Each attempt's outcome (for the circuit breaker): true on an answer below 500 (4xx never count as
    /// failures), false on a connect or TLS error, a timeout or a 5xx.
    void setOutcomeHandler(std::function<void(bool ok)> h) { m_outcome = std::move(h); }
    /// Called when retries are spent and nothing reached the client yet; returns true when it took over the
    /// exchange (a fallback model), false to answer the error here.
    void setGiveUpHandler(std::function<bool(const Error &error)> h) { m_giveUp = std::move(h); }
    int attempts() const { return m_attempts; }

private:
    void onHead();
    void onData(const QByteArray &data);
    void onFinished();
    void onFailed(const Error &error);
    void writeEvents(const QList<QByteArray> &events);
    void countUsage(const QByteArray &eventData);
    void finishError();
    void pumpBackpressure();
    void send();
    bool retryOrGiveUp(const Error &error, bool retryable);
    void retryWithNewCredential();
    void writeClient(const QByteArray &bytes);
    void translateEvents(const QList<ir::Event> &events);
    void onKeepAlive();
    QByteArray synthesizeStream(const ir::Response &response);

    QPointer<Exchange> m_exchange;
    HttpClient *m_client;
    UpstreamRequest m_request;
    WireFormat m_clientFormat;
    WireFormat m_upstreamFormat;
    TokenCounts m_tokens; ///< usage the upstream's stream reported so far
    bool m_clientWantsStream;
    UpstreamReply *m_reply = nullptr;
    /// SseWhole: the upstream streams although the client asked for one answer (Factory's Gemini route
    /// always streams): the events are collected into a whole answer.
    enum class Mode { Waiting, Sse, SseWhole, Whole, Error } m_mode = Mode::Waiting;
    SseSplitter m_sse;
    QList<ir::Event> m_collected; ///< SseWhole: the events so far
    qint64 m_collectedBytes = 0;
    qint64 m_maxEventBytes = 16 * 1024 * 1024;
    qint64 m_maxAnswerBytes = 64 * 1024 * 1024;
    /// The upstream broke a limit mid-stream: stop it and end the client's stream with an error event.
    void overLimit(const QString &why);
    QByteArray m_body;
    HeaderList m_forwardHeaders;
    Recovery m_recovery;
    bool m_retrying = false;
    std::optional<ir::Request> m_translation;
    std::unique_ptr<EventReader> m_eventReader;
    std::unique_ptr<StreamWriter> m_streamWriter;
    int m_keepAliveMs = 15000;
    QTimer m_keepAlive;
    int m_retriesLeft = 0;
    int m_backoffMs = 500;
    int m_maxBackoffMs = 8000;
    int m_attempts = 0;
    std::function<void(bool)> m_outcome;
    std::function<bool(const Error &)> m_giveUp;
};

} // namespace d2a
