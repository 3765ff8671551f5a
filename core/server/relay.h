#pragma once
// One attempt of a Call: sends the prepared upstream request and relays the answer to the client's Exchange,
// event by event for streams (translated through the shared model when the formats differ), with keepalives
// in the client's grammar, bounded memory, backpressure, and the upstream aborted the moment the client
// leaves. A failure before anything reached the client goes back to the Call (retry, new credential,
// fallback); one after is reported in the client's own grammar.

#include "../formats/apierrors.h"
#include "../http/deadline.h"
#include "../formats/translate.h"
#include "../sse/ssesplitter.h"
#include "../upstream/httpclient.h"
#include "call.h"

#include <QtCore/qpointer.h>
#include <QtCore/qtimer.h>

#include <memory>

namespace d2a {

class Relay final : public Attempt
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Relay)

public:
    /// The relay is a child of the exchange and dies with it.
    Relay(Exchange *exchange, HttpClient *client, UpstreamRequest request, RelaySpec spec);
    void start() override;

private:
    void onHead();
    void onData(const QByteArray &data);
    void onFinished();
    void onFailed(const Error &error);
    /// Hands a failure to the Call while nothing reached the client; true when it took over.
    bool handBack(const Error &error, bool retryable, bool unauthorized = false, bool refused = false);
    void stop();
    void writeEvents(const QList<QByteArray> &events);
    void countUsage(const TokenCounts &usage);
    void finishError(const UpstreamError &upstream);
    /// Ends a started stream with `error` in the client's grammar.
    void streamError(const Error &error);
    void pumpBackpressure();
    void writeClient(const QByteArray &bytes);
    void translateEvents(const QList<ir::Event> &events);
    void onKeepAlive();
    /// A whole answer (Mode::Whole) to a client that asked for a stream: as events in the client's grammar.
    void wholeToStream(int status);
    QByteArray synthesizeStream(const ir::Response &response);
    /// The upstream broke a limit: stop it and end the client's answer with an error.
    void overLimit(const QString &why);

    QPointer<Exchange> m_exchange;
    HttpClient *m_client;
    UpstreamRequest m_request;
    RelaySpec m_spec;
    TokenCounts m_tokens; ///< usage the upstream's stream reported so far
    UpstreamReply *m_reply = nullptr;
    /// SseWhole: the upstream streams although the client asked for one answer (Factory's Gemini route
    /// always streams): the events are collected into a whole answer. Stopped: handed back to the Call.
    enum class Mode { Waiting, Sse, SseWhole, Whole, Error, Stopped } m_mode = Mode::Waiting;
    SseSplitter m_sse;
    QList<ir::Event> m_collected; ///< SseWhole: the events so far
    qint64 m_collectedBytes = 0;
    qint64 m_translatedBytes = 0; ///< Sse, translated: upstream bytes read so far
    QByteArray m_body;
    HeaderList m_forwardHeaders;
    std::unique_ptr<EventReader> m_eventReader;
    std::unique_ptr<StreamWriter> m_streamWriter;
    http::Deadline m_keepAlive { [this] { onKeepAlive(); } }; ///< pushed later by every event sent
};

} // namespace d2a
