#pragma once
// One client request and its response: owns the response channel, watches the client's socket (disconnect,
// backpressure) and writes the request's log line when it ends.

#include "../error.h"
#include "../formats/wireformat.h"
#include "../httptypes.h"
#include "../usage/tokens.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qdatetime.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qurlquery.h>
#include <QtNetwork/qhostaddress.h>

#include <memory>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace d2a {

class HttpConnection;

/// The parts of an HTTP request the proxy uses.
struct IncomingRequest
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    HeaderList headers;
    QByteArray body;
    QHostAddress peer;
    quint16 peerPort = 0;
    QByteArray connectionId; ///< the same for every request of one client connection (a fallback session id)
};

/// Facts about one finished request, for the log line and the activity view. Never holds a secret.
struct RequestRecord
{
    qint64 id = 0; ///< this run's request number (the Activity window's details)
    QDateTime at; ///< when the request arrived
    QString method;
    QString path;
    WireFormat format = WireFormat::OpenAIChat; ///< of the path's route (its body and errors)
    QString requested; ///< the model as the client named it, even when unknown
    QString model;
    QString modelType;
    QString backend; ///< the backend that served it ("factory" or a backends[] name)
    QString error; ///< what went wrong, for error answers (redacted like every log line)
    int status = 0;
    qint64 durationMs = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    bool streamed = false;
    bool clientAborted = false;
    TokenCounts tokens; ///< what the upstream reported it used (what was delivered, for a cut stream)
    QString userAgent; ///< the client's User-Agent, to tell coding tools apart in usage
    QString replacedFrom; ///< the model Factory refused, when its replacement served this request
    QString replacedWhy; ///< Factory's words when it refused it in this request (empty: refused earlier in the run)
    QString rule; ///< the routing rule that chose the model ("Save credits / Background calls"); empty: none
    bool tokenCount = false; ///< a token count: it generates nothing, so it is not recorded as usage
};

class Exchange final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Exchange)

public:
    /// `connection` writes the response (and owns the client socket).
    Exchange(IncomingRequest request, HttpConnection *connection, QObject *parent = nullptr);
    ~Exchange() override;

    const IncomingRequest &request() const { return m_request; }
    QByteArray header(const QByteArray &name) const { return headerValue(m_request.headers, name); }

    /// The format errors are rendered in (set by the router from the route).
    void setFormat(WireFormat f) { m_format = m_record.format = f; }
    WireFormat format() const { return m_format; }
    void setModel(const QString &model, const QString &type, const QString &backend = {})
    {
        m_record.model = model;
        m_record.modelType = type;
        m_record.backend = backend;
    }
    void setRequestedModel(const QString &model) { m_record.requested = model; }
    void setReplaced(const QString &from, const QString &why)
    {
        m_record.replacedFrom = from;
        m_record.replacedWhy = why;
    }
    void setTokens(const TokenCounts &tokens) { m_record.tokens = tokens; }
    void setRule(const QString &rule) { m_record.rule = rule; }
    void markTokenCount() { m_record.tokenCount = true; }
    /// Headers added to every response of this exchange (CORS).
    void setCommonHeaders(const HeaderList &headers) { m_common = headers; }
    void addCommonHeader(const QByteArray &name, const QByteArray &value) { m_common.append({ name, value }); }

    void respond(int status, const HeaderList &headers, const QByteArray &body);
    void respondJson(int status, const QByteArray &json, const HeaderList &extra = {});
    void respondError(const Error &error);
    /// The message the request record keeps for an error answer sent with respond() (the upstream's, read once
    /// by the relay), so the answer's body is not parsed again for it.
    void noteError(const QString &message);

    void beginStream(int status, const HeaderList &headers);
    /// Content of a started stream: once any went out, the answer can no longer be replaced (no retry).
    void writeStream(const QByteArray &bytes);
    /// A keepalive in a started stream: keeps a silent client waiting, but is no content of the answer, so the
    /// Call may still retry, recover or fall back (the next attempt writes into the same stream).
    void writeKeepAlive(const QByteArray &bytes);
    void endStream();

    /// The response's head went out as a stream (keepalives alone may have started it).
    bool isStreaming() const { return m_streaming; }
    /// Part of the answer reached the client: stream bytes other than keepalives, or a whole response.
    bool hasSentContent() const { return m_contentSent; }
    bool isFinished() const { return m_finished; }
    /// Bytes written to the client socket but not yet sent (for backpressure).
    qint64 pendingBytes() const;

Q_SIGNALS:
    void clientGone();
    /// The client socket's send buffer drained below the backpressure threshold.
    void drained();
    /// The exchange is over (response done or client gone); it deletes itself after this.
    void done(const d2a::RequestRecord &record);

private:
    void finish();
    void onSocketGone();

    IncomingRequest m_request;
    QPointer<HttpConnection> m_connection;
    QPointer<QTcpSocket> m_socket;
    WireFormat m_format = WireFormat::OpenAIChat;
    HeaderList m_common;
    RequestRecord m_record;
    QElapsedTimer m_timer;
    bool m_streaming = false;
    bool m_contentSent = false;
    bool m_finished = false;
    bool m_clientGone = false;
};

} // namespace d2a
