#pragma once
// droid2api's HTTP/1.1 server: a QTcpServer and one HttpConnection per client socket, reading each request
// with the strict parser of http/http1.h under explicit limits (head size and time, body size and time, idle
// keep-alive, connections per client, bodies held at once), answering one request at a time per connection
// (pipelined ones wait their turn, and the socket is not read meanwhile), and writing responses whole or
// chunked. It replaced QHttpServer, which on Qt 6.4 reads heads a byte at a time without a limit and drops
// headers beyond 100 silently (request smuggling).

#include "../http/http1.h"
#include "exchange.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qhash.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qtimer.h>
#include <QtNetwork/qtcpserver.h>

#include <functional>
#include <optional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace d2a {

class HttpServer;

/// What the server accepts from clients (config `limits` and `timeouts`).
struct ServerLimits
{
    http::Limits head; ///< 64 KiB and 100 header lines by default
    int headTimeoutMs = 10000; ///< from a request's first byte to its blank line (408 after)
    int bodyTimeoutMs = 120000; ///< from the head to the body's last byte (408 after)
    int idleTimeoutMs = 60000; ///< a keep-alive connection with no request in flight is closed after this
    /// Per client address, above a backend's admission (64 in flight + 256 queued), so its queue can be used;
    /// at the cap an idle or stalled one is closed to make room, else the newcomer is answered 503.
    int maxConnectionsPerClient = 512;
    int maxConnections = 4096; ///< all clients together (every 127.x.y.z is another client), shed the same way
    qint64 maxBodyBytes = 32 * 1024 * 1024; ///< one request body (413 beyond, whatever the framing)
    /// Bodies held at once (being read or served), charged as their bytes arrive (never from what a head
    /// announces, so a trickled body holds only what it sent); 503 beyond.
    qint64 maxBodiesInFlight = 256 * 1024 * 1024;
    /// A body must keep arriving at this rate (0: no minimum). It may fall behind it by up to bodyRateWindowMs
    /// (a pause that long included, the first one right after the head), else 408. Behind by over a second, it
    /// counts as stalled: shed first when room is needed.
    qint64 minBodyBytesPerSec = 16 * 1024;
    int bodyRateWindowMs = 10000;
};

/// One client connection: reads requests, hands each to the server as an Exchange, writes its response.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    /// `overCapacity`: no room was left: its request is answered 503 with Retry-After, in its route's format,
    /// as soon as its head is read (within a second), and the connection closes.
    HttpConnection(QTcpSocket *socket, HttpServer *server, bool overCapacity = false);
    ~HttpConnection() override;

    QTcpSocket *socket() const { return m_socket; }
    QHostAddress peer() const { return m_peer; }
    /// No request being read or served: a keep-alive connection between requests.
    bool isIdle() const { return m_state == State::Idle; }
    /// Between two requests of a keep-alive client: the one to close when room is needed (a connection that
    /// has sent nothing yet was just accepted, and closing it would reset a client that is about to send).
    bool isKeepAliveIdle() const { return m_state == State::Idle && m_served > 0; }
    /// Since when (monotonic ms) the connection waits on a client that is slow to send its request: connected
    /// and silent, trickling a head, or sending a body behind the minimum rate (since the moment it fell behind;
    /// a body keeping up: since its last bytes). -1 when it is not waiting on a request.
    qint64 stalledSinceMs() const;
    /// Stalled for over a second at `now`: a real client sends a head or a body in milliseconds.
    bool isStalled(qint64 now) const;
    qint64 idleSinceMs() const { return m_idleSince; }
    /// Closes it to make room for another connection, telling a client in the middle of a request so (408 in
    /// its route's format) when it can.
    void shedForRoom();

    // The response of the request in flight (Exchange calls these).
    void writeWhole(int status, const HeaderList &headers, const QByteArray &body);
    void beginChunked(int status, const HeaderList &headers);
    void writeChunk(const QByteArray &data);
    void finishChunked();
    /// Closes after what is pending is sent (shutdown, or room for another client's connection).
    void close();
    /// The request's Exchange is over: read the next request (keep-alive) or close.
    void onResponseDone();

private:
    enum class State { Idle, Head, Body, Serving, Closing };
    void onReadyRead();
    void process();
    bool readBody();
    /// Reads the head into m_buf (a step at a time, as far as Qt holds it); true once headComplete().
    bool readHead(qsizetype maxHeadBytes);
    /// The head in m_buf has its blank line (or is over `maxHeadBytes`); scans only bytes not scanned before.
    bool headComplete(qsizetype maxHeadBytes);
    void dispatch();
    /// Answers `error` in the format the path's clients expect, then closes the connection: gracefully
    /// (`linger`: reading what the client still sends, for a bounded time) or as soon as the answer is sent.
    void refuse(const Error &error, const QByteArray &target, bool linger = true);
    /// The target of a head still arriving, if its request line is in (it picks the error's shape).
    QByteArray partialTarget() const;
    /// `bytes` of the body arrived: they earn time at the minimum rate and are charged to the body budget
    /// (what the body's buffer holds). False when the budget is used up (the request was refused).
    bool bodyArrived(qint64 bytes);
    /// The body's next deadline: its whole time (request_body_ms) or falling behind the minimum rate.
    void armBodyDeadline(qint64 now);
    void onDeadline();
    Error overCapacityError() const;
    void setState(State s);
    /// After a refusal: the response, a half-close, then input discarded until the client closes (bounded).
    void lingeringClose();
    void abortNow();
    void write(const QByteArray &bytes);
    void releaseBudget();

    HttpServer *m_server;
    QTcpSocket *m_socket;
    QHostAddress m_peer;
    quint16 m_peerPort = 0;
    QByteArray m_connectionId;
    State m_state = State::Idle;
    QByteArray m_buf;
    qsizetype m_scanned = 0; ///< bytes of m_buf already searched for the head's end
    http::RequestHead m_head;
    QByteArray m_body;
    std::optional<http::ChunkedDecoder> m_chunked;
    qint64 m_budget = 0; ///< bytes of the global body budget this connection holds
    qint64 m_bodyEndsAt = 0; ///< monotonic ms: the body must be complete by then (request_body_ms)
    qint64 m_bodyCreditUntil = 0; ///< monotonic ms: the body has fallen behind the minimum rate once this passes
    qint64 m_lastBodyBytesAt = 0;
    bool m_keepAlive = true;
    bool m_overCapacity = false; ///< accepted only to be told 503 (no room was left for it)
    bool m_chunkedResponse = false;
    QTimer m_deadline;
    QTimer m_linger;
    qint64 m_lingered = 0;
    bool m_halfClosed = false;
    qint64 m_idleSince = 0; ///< monotonic ms
    int m_served = 0; ///< requests answered on this connection
    qint64 m_stateSince = 0; ///< monotonic ms
    QPointer<Exchange> m_exchange;
};

class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    using Handler = std::function<void(Exchange *)>;
    /// Decides from the head alone (before any body is read): an error refuses the request.
    using HeadFilter = std::function<std::optional<Error>(const http::RequestHead &head, const QHostAddress &peer)>;

    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    void setHeadFilter(HeadFilter filter) { m_headFilter = std::move(filter); }
    void setLimits(const ServerLimits &limits) { m_limits = limits; }
    const ServerLimits &limits() const { return m_limits; }
    qint64 maxBodyBytes() const { return m_limits.maxBodyBytes; }

    /// Listens on host:port (port 0: any free port). Returns the bound port, or 0 with `error` set.
    quint16 start(const QString &host, quint16 port, QString *error);
    /// Stops accepting connections. In-flight exchanges continue.
    void stopListening();
    /// Closes client connections after their last bytes are sent, then calls `done` (bounded wait).
    void flushAndClose(int timeoutMs, std::function<void()> done);
    bool isListening() const;
    /// Why the last start() failed (AddressInUseError: the port is taken).
    QAbstractSocket::SocketError lastListenError() const { return m_listenError; }
    int activeExchanges() const { return m_active; }
    int openConnections() const { return int(m_connections.size()); }
    /// Connections refused or closed to protect the server (per-client cap, fd exhaustion), for the tests.
    int shedConnections() const { return m_shed; }
    /// Connections accepted since the start (kept, answered 503 or dropped), for the tests.
    qint64 acceptedConnections() const { return m_accepted; }
    /// Times accepting was paused because accept() failed (e.g. out of descriptors), for the tests.
    int acceptPauses() const { return m_acceptPauses; }
    /// Requests answered with an error before they were served (bad framing, Host/Origin, size, timeouts).
    qint64 refusedRequests() const { return m_refused; }

    // For HttpConnection.
    WireFormat formatForPath(const QString &path) const;
    std::optional<Error> filterHead(const http::RequestHead &head, const QHostAddress &peer) const;
    /// Counts a refusal; returns how many went unlogged before it when this one should be logged (at most
    /// one log line a second, so a hostile client cannot flood the log), or -1 when it should not.
    qint64 noteRefusal();
    void startExchange(HttpConnection *connection, IncomingRequest request);
    /// Takes `bytes` of the body budget; false (nothing taken) when it is used up.
    bool takeBudget(qint64 bytes);
    void returnBudget(qint64 bytes) { m_budgetUsed -= bytes; }
    /// Bytes of the body budget held now (for the tests).
    qint64 budgetUsed() const { return m_budgetUsed; }
    /// Connections stalled for over a second (HttpConnection::isStalled), for the tests.
    int stalledConnections() const;
    qint64 startedMs() const { return m_startedMs; }
    void forget(HttpConnection *connection);

Q_SIGNALS:
    void exchangeDone(const d2a::RequestRecord &record);
    void idle(); ///< no exchange in flight any more

private:
    void onNewConnection();
    void acceptPending();
    void adopt(QTcpSocket *socket);
    void onAcceptError(QAbstractSocket::SocketError error);
    /// Connections that may be closed to make room, the most deserving first (see the definition).
    QList<HttpConnection *> sheddable(const QList<HttpConnection *> &among, bool silentAtAnyAge, qsizetype count) const;
    void shed(HttpConnection *connection);
    /// Room for one more connection from `peer`: closes its oldest idle one when at the cap; false when all of
    /// its connections are busy.
    bool makeRoomFor(const QHostAddress &peer);
    static QByteArray clientKey(const QHostAddress &peer);

    QTcpServer *m_listener = nullptr;
    QSocketNotifier *m_acceptNotifier = nullptr; ///< POSIX: our own accept() on the listener's socket
    Handler m_handler;
    HeadFilter m_headFilter;
    ServerLimits m_limits;
    QList<HttpConnection *> m_connections;
    QHash<QByteArray, int> m_perClient; ///< open connections per client address (constant-time at each accept)
    int m_active = 0;
    int m_shed = 0;
    qint64 m_accepted = 0;
    int m_acceptPauses = 0;
    qint64 m_refused = 0;
    QAbstractSocket::SocketError m_listenError = QAbstractSocket::UnknownSocketError;
    qint64 m_refusalsUnlogged = 0;
    qint64 m_lastRefusalLogMs = 0;
    bool m_acceptTrouble = false;
    qint64 m_budgetUsed = 0;
    qint64 m_startedMs = QDateTime::currentMSecsSinceEpoch();
    QTimer m_resumeAccepting;
};

/// Platform-specific (POSIX): raises the soft limit on open files to the hard limit, so many concurrent
/// clients and upstream connections do not run out of descriptors. Returns the limit in effect (0: unknown).
qint64 raiseFileDescriptorLimit();

} // namespace d2a
