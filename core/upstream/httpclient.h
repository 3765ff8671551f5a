#pragma once
// A lean keep-alive HTTP/1.1 client on QTcpSocket/QSslSocket, in the caller's event loop.
// Why not QNetworkAccessManager: on Qt 6.4 it caps a host at 6 connections (64 concurrent streams queue),
// sets no TCP_NODELAY (request bodies over ~16 KB stall ~44 ms) and reads headers a byte per syscall
// (measured on Debian 12's Qt 6.4.2; README "How it is built"). This client pools connections per host with a
// high cap, sets TCP_NODELAY, skips 1xx, decodes chunked / Content-Length / until-close bodies, and applies
// backpressure toward slow clients.

#include "../http/deadline.h"
#include "../http/http1.h"
#include "../error.h"
#include "../httptypes.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qhash.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qqueue.h>
#include <QtCore/qtimer.h>
#include <QtCore/qurl.h>

#include <optional>
#include <QtNetwork/qsslconfiguration.h>

#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace d2a {

class HttpClient;

/// What to send upstream. Host, Content-Length and Connection are added by the client.
struct UpstreamRequest
{
    QByteArray method = QByteArrayLiteral("POST");
    QUrl url;
    HeaderList headers;
    QByteArray body;
    int connectTimeoutMs = 10000;
    int firstByteTimeoutMs = 600000;
    int idleTimeoutMs = 300000;
};

/// One request/response exchange. Emits headReceived once, then dataReceived for each decoded piece of body as
/// it arrives, then exactly one of finished() or failed(). Deleting it (or abort()) closes its connection.
class UpstreamReply final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamReply)

public:
    ~UpstreamReply() override;

    int status() const { return m_status; }
    const HeaderList &headers() const { return m_headers; }
    QByteArray header(const QByteArray &name) const { return headerValue(m_headers, name); }
    bool isDone() const { return m_done; }
    /// True once any byte of the response arrived (so a retry could duplicate work).
    bool responseStarted() const { return m_anyResponseByte; }

    /// Stops at once: the connection is closed, not reused. No further signals.
    void abort();
    /// Backpressure: while paused no more bytes are read from the upstream socket (TCP flow control holds it).
    void setPaused(bool paused);

    /// The response parser alone, with no connection (the fuzz target's entry, fuzz/fuzz_upstream.cpp): a reply
    /// whose request was just sent. feed() hands it bytes as reads off the socket would, endOfInput() the
    /// upstream closing; the signals are the ones a connected reply emits.
    static std::unique_ptr<UpstreamReply> detached(const UpstreamRequest &request);
    void feed(const QByteArray &bytes);
    void endOfInput(const QString &socketError = QString());
    /// Response bytes read but not consumed yet (a head still arriving): bounded by the head's limit.
    qsizetype bufferedBytes() const { return m_buf.size(); }

Q_SIGNALS:
    void headReceived();
    void dataReceived(const QByteArray &data);
    void finished();
    void failed(const d2a::Error &error);

private:
    friend class HttpClient;
    UpstreamReply(HttpClient *client, UpstreamRequest request);

    void start(QTcpSocket *socket, bool reused);
    void onConnected();
    void onReadyRead();
    void onSocketClosed();
    void onTimeout();
    bool parse(); // false: a failure was emitted
    bool markDone(); // false when the reply had already ended
    void complete();
    void fail(const Error &error);
    void detachSocket(bool reusable);
    void armTimer(int ms);

    enum class State { Waiting, Connecting, Sending, StatusLine, Headers, Body, Done };
    enum class Framing { None, Length, Chunked, UntilClose };

    QPointer<HttpClient> m_client;
    UpstreamRequest m_request;
    QString m_poolKey;
    QTcpSocket *m_socket = nullptr;
    bool m_reused = false;
    bool m_retried = false;
    State m_state = State::Waiting;
    Framing m_framing = Framing::None;
    /// Chunked framing: the shared, fuzzed decoder of core/http (size and trailer lines bounded).
    std::optional<http::ChunkedDecoder> m_chunked;
    qint64 m_remaining = 0;
    QByteArray m_buf;
    qsizetype m_headScanned = 0; ///< bytes of m_buf searched for the end of a head's line already
    int m_status = 0;
    HeaderList m_headers;
    bool m_keepAlive = true;
    bool m_anyResponseByte = false;
    bool m_done = false;
    bool m_paused = false;
    /// Set while HttpClient::send starts this reply on a pooled connection, before the caller has connected.
    bool m_startingInSend = false;
    qint64 m_headerBytes = 0;
    http::Deadline m_timer { [this] { onTimeout(); } }; ///< connect, first byte, then idle (pushed by each read)
    enum class TimerKind { Connect, FirstByte, Idle } m_timerKind = TimerKind::Connect;
};

/// Sends UpstreamRequests over pooled keep-alive connections.
class HttpClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpClient)

public:
    explicit HttpClient(QObject *parent = nullptr);
    ~HttpClient() override;

    /// Starts a request. The reply is owned by `owner` (or the caller, if null) and must be deleted by it.
    UpstreamReply *send(const UpstreamRequest &request, QObject *owner = nullptr);

    /// A small request answered whole (account calls, probes): `done` gets the status and the body (its first
    /// `maxBody` bytes), or status 0 and the error when nothing answered. The reply lives under `context`.
    using WholeAnswer = std::function<void(int status, const QByteArray &body, const Error *error)>;
    void fetch(const UpstreamRequest &request, QObject *context, WholeAnswer done, qint64 maxBody = 1024 * 1024);

    /// Outbound HTTP proxies ("http://host:port", used round-robin per new connection; CONNECT for https).
    /// Empty: the application's proxy settings (the system's, when QNetworkProxyFactory uses them).
    void setProxies(const QStringList &proxies) { m_proxies = proxies; }
    /// TLS settings for https URLs (e.g. an extra trusted CA).
    void setSslConfiguration(const QSslConfiguration &config) { m_ssl = config; }

    int openConnections() const;
    int idleConnections() const;

private:
    friend class UpstreamReply;
    struct Idle
    {
        QTcpSocket *socket;
        qint64 since;
    };

    void dispatch(UpstreamReply *reply);
    void dispatchLater(UpstreamReply *reply);
    /// Starts `reply` on a live idle connection to its host, if there is one (writing the request now).
    bool startPooled(UpstreamReply *reply);
    void release(const QString &key, QTcpSocket *socket, bool reusable);
    void sweep();
    QTcpSocket *newSocket(const QUrl &url);

    QHash<QString, QList<Idle>> m_idle;
    QHash<QString, int> m_active;
    QHash<QString, QQueue<QPointer<UpstreamReply>>> m_waiting;
    static constexpr int m_maxPerHost = 256; ///< connections per host:port at most (requests beyond wait)
    static constexpr int m_idleTimeoutMs = 30000; ///< idle keep-alive connections are closed after this long
    QSslConfiguration m_ssl = QSslConfiguration::defaultConfiguration();
    QStringList m_proxies;
    int m_nextProxy = 0;
    QTimer m_sweepTimer;
    QElapsedTimer m_clock;
};

} // namespace d2a
