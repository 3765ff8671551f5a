#include "httpserver.h"

#include "routes.h"

#include "../formats/apierrors.h"
#include "../http/deadline.h"
#include "../http/directsend.h"
#include "../log/log.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qsocketnotifier.h>
#include <QtCore/qurlquery.h>
#include <QtCore/qvarlengtharray.h>
#include <QtNetwork/qtcpsocket.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#if defined(Q_OS_WIN)
#include <winsock2.h> // Platform-specific: shutdown()
#else
#include <cerrno>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace d2a {

namespace {
constexpr qint64 kSocketReadBuffer = 256 * 1024; ///< what Qt reads ahead of us: the rest stays in the kernel
constexpr qint64 kHeadReadStep = 16 * 1024; ///< a head is read this much at a time (most fit in one step)
constexpr qint64 kLingerBytes = 4 * 1024 * 1024; ///< read and discarded after a refusal, at most
constexpr int kLingerMs = 2000; ///< and for at most this long
constexpr qint64 kStalledMs = 1000; ///< a request slower than this to arrive counts as stalled (shed first)

using http::monotonicMs;
} // namespace

// --- one connection

HttpConnection::HttpConnection(QTcpSocket *socket, HttpServer *server, bool overCapacity)
    : QObject(server), m_server(server), m_socket(socket), m_peer(socket->peerAddress()),
      m_peerPort(socket->peerPort()), m_overCapacity(overCapacity)
{
    socket->setParent(this);
    // Without TCP_NODELAY every proxied response stalls 20-40 ms on Nagle + delayed ACK (measured on loopback).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // A client that sends faster than we read (pipelining, a body while we answer) is held back by TCP.
    socket->setReadBufferSize(kSocketReadBuffer);
    m_connectionId = m_peer.toString().toLatin1() + ':' + QByteArray::number(m_peerPort) + '@'
                     + QByteArray::number(server->startedMs());
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &HttpConnection::onDeadline);
    connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        if (m_state != State::Serving) // a request in flight finishes through its Exchange first
            deleteLater();
    });
    setState(State::Idle);
}

HttpConnection::~HttpConnection()
{
    releaseBudget();
    m_server->forget(this);
    // The socket dies with us (a child): its destructor would emit disconnected() half-destroyed, into an
    // Exchange still serving it (the server torn down with requests in flight). Blocked, it emits only
    // destroyed(), which the Exchange also takes as the client gone, its pointer to the socket already null.
    if (m_socket)
        m_socket->blockSignals(true);
}

void HttpConnection::onDeadline()
{
    switch (m_state) {
    case State::Head:
        refuse(
            Error { 408, tr("the request head did not arrive within %1 ms").arg(m_server->limits().headTimeoutMs), {} },
            partialTarget());
        break;
    case State::Body: {
        // Bytes already read off the socket count before the body is judged.
        if (m_socket->bytesAvailable() > 0) {
            process();
            if (m_state != State::Body)
                return;
        }
        const ServerLimits &l = m_server->limits();
        const qint64 now = monotonicMs();
        if (now >= m_bodyEndsAt)
            refuse(Error { 408, tr("the request body did not arrive within %1 ms").arg(l.bodyTimeoutMs), {} },
                   m_head.target);
        else if (l.minBodyBytesPerSec > 0 && now >= m_bodyCreditUntil)
            refuse(Error { 408,
                           tr("the request body arrived at under %1 bytes a second for %2 ms (config key "
                              "limits.min_body_bytes_per_sec)")
                               .arg(l.minBodyBytesPerSec)
                               .arg(l.bodyRateWindowMs),
                           {} },
                   m_head.target);
        else
            armBodyDeadline(now); // a timer may fire a little early; bytes since have moved the deadline
        break;
    }
    case State::Idle:
        if (m_overCapacity) // it said nothing within its second: the answer it would have had
            refuse(overCapacityError(), QByteArray());
        else
            close(); // an idle keep-alive connection: nothing to say
        break;
    case State::Serving:
    case State::Closing: break;
    }
}

QByteArray HttpConnection::partialTarget() const
{
    const qsizetype nl = m_buf.indexOf('\n');
    const QByteArray line = m_buf.left(qMin<qsizetype>(nl < 0 ? m_buf.size() : nl, 8192));
    const QList<QByteArray> parts = line.split(' ');
    return parts.size() >= 3 ? parts.at(1) : QByteArray();
}

void HttpConnection::armBodyDeadline(qint64 now)
{
    const ServerLimits &l = m_server->limits();
    qint64 due = m_bodyEndsAt;
    if (l.minBodyBytesPerSec > 0)
        due = qMin(due, m_bodyCreditUntil);
    m_deadline.start(int(qBound(qint64(0), due - now, qint64(std::numeric_limits<int>::max()))));
}

bool HttpConnection::bodyArrived(qint64 bytes)
{
    const ServerLimits &l = m_server->limits();
    const qint64 now = monotonicMs();
    m_lastBodyBytesAt = now;
    // The minimum rate as a bucket of time: each byte earns 1/rate s, at most a window ahead of now.
    if (l.minBodyBytesPerSec > 0 && bytes > 0) {
        const qint64 earned = bytes * 1000 / l.minBodyBytesPerSec;
        m_bodyCreditUntil = qMax(m_bodyCreditUntil, qMin(m_bodyCreditUntil + earned, now + l.bodyRateWindowMs));
    }
    // The budget holds what the body's buffer holds, taken as it grows: a head announcing 32 MiB and trickling
    // holds what it sent, not 32 MiB.
    const qint64 held = m_body.capacity();
    if (held > m_budget) {
        if (!m_server->takeBudget(held - m_budget)) {
            refuse(Error { 503, tr("too many large requests at once; retry shortly"), {} }, m_head.target);
            return false;
        }
        m_budget = held;
    }
    return true;
}

qint64 HttpConnection::stalledSinceMs() const
{
    switch (m_state) {
    case State::Head: return m_stateSince;
    case State::Idle: return m_served == 0 ? m_stateSince : -1;
    case State::Body: {
        // Behind the minimum rate since its time earned last ran a whole window ahead: a body keeping up,
        // since its last bytes.
        const ServerLimits &l = m_server->limits();
        return l.minBodyBytesPerSec > 0 ? qMin(m_lastBodyBytesAt, m_bodyCreditUntil - l.bodyRateWindowMs)
                                        : m_lastBodyBytesAt;
    }
    case State::Serving:
    case State::Closing: break;
    }
    return -1;
}

bool HttpConnection::isStalled(qint64 now) const
{
    const qint64 since = stalledSinceMs();
    return since >= 0 && now - since > kStalledMs;
}

void HttpConnection::shedForRoom()
{
    switch (m_state) {
    case State::Head:
        return refuse(Error { 408,
                              tr("the request head arrived too slowly: the connection was closed to make room for "
                                 "others"),
                              {} },
                      partialTarget(), false);
    case State::Body:
        return refuse(Error { 408,
                              tr("the request body arrived too slowly: the connection was closed to make room for "
                                 "others"),
                              {} },
                      m_head.target, false);
    case State::Idle:
    case State::Serving:
    case State::Closing: return close();
    }
}

void HttpConnection::setState(State s)
{
    m_state = s;
    const qint64 now = monotonicMs();
    m_stateSince = now;
    const ServerLimits &l = m_server->limits();
    switch (s) {
    case State::Idle:
        m_idleSince = now;
        m_deadline.start(m_overCapacity ? qMin(l.idleTimeoutMs, 1000) : l.idleTimeoutMs);
        break;
    case State::Head: m_deadline.start(m_overCapacity ? qMin(l.headTimeoutMs, 1000) : l.headTimeoutMs); break;
    case State::Body:
        m_bodyEndsAt = now + l.bodyTimeoutMs;
        m_bodyCreditUntil = now + l.bodyRateWindowMs;
        m_lastBodyBytesAt = now;
        armBodyDeadline(now);
        break;
    case State::Serving:
    case State::Closing: m_deadline.stop(); break;
    }
}

void HttpConnection::releaseBudget()
{
    if (m_budget > 0)
        m_server->returnBudget(m_budget);
    m_budget = 0;
}

void HttpConnection::onReadyRead()
{
    if (m_state == State::Serving || m_state == State::Closing)
        return; // one request at a time: the rest waits (in Qt's bounded buffer, then in the kernel)
    process();
}

void HttpConnection::process()
{
    const ServerLimits &limits = m_server->limits();
    while (m_state == State::Idle || m_state == State::Head || m_state == State::Body) {
        if (m_state != State::Body) {
            // Parse only once the blank line has arrived (or the head is too long): a head trickled a byte at
            // a time costs one scan of each new byte, not a re-parse of the whole head per read.
            if (!readHead(limits.head.maxHeadBytes))
                return;
            m_head = http::RequestHead();
            const http::Parsed parsed = http::parseRequestHead(m_buf, limits.head, &m_head);
            if (parsed.state == http::Parsed::State::NeedMore)
                return;
            if (parsed.state == http::Parsed::State::Invalid)
                return refuse(parsed.error, QByteArray());
            m_buf.remove(0, parsed.headBytes);
            m_scanned = 0;
            m_keepAlive = m_head.keepAlive;
            // No room was left for this connection: an answer in its route's format, not a reset.
            if (m_overCapacity)
                return refuse(overCapacityError(), m_head.target);
            // Refusals that need no body: the filter (Host, Origin), then the size.
            if (auto e = m_server->filterHead(m_head, m_peer))
                return refuse(*e, m_head.target);
            if (m_head.contentLength > limits.maxBodyBytes)
                return refuse(
                    Error::tooLarge(
                        tr("request body of %1 bytes is over the limit of %2 bytes (config key max_body_bytes)")
                            .arg(m_head.contentLength)
                            .arg(limits.maxBodyBytes)),
                    m_head.target);
            // Nothing of the body budget is taken here: it is charged as the body's bytes arrive (readBody).
            m_body = QByteArray();
            m_chunked.reset();
            if (m_head.chunked)
                m_chunked.emplace(limits.maxBodyBytes);
            // Qt's QHttpServer 6.4 ignored "Expect: 100-continue": curl and others stalled a second before the body.
            if (m_head.expectContinue && (m_head.chunked || m_head.contentLength > 0) && m_buf.isEmpty()
                && m_socket->bytesAvailable() == 0)
                write("HTTP/1.1 100 Continue\r\n\r\n");
            setState(State::Body);
        }
        if (!readBody())
            return;
        dispatch();
    }
}

bool HttpConnection::readHead(qsizetype maxHeadBytes)
{
    for (;;) {
        // Read only what a head may take, in steps: the body is read by readBody() under its own limits,
        // and the less of it comes in with the head, the less of it is copied twice. A step that takes all
        // Qt holds, in one block, takes Qt's buffer itself.
        const qint64 room = qMin<qint64>(maxHeadBytes + 1 - m_buf.size(), kHeadReadStep);
        const qint64 take = qMin<qint64>(room, m_socket->bytesAvailable());
        if (take > 0) {
            if (m_buf.isEmpty()) {
                m_buf = m_socket->read(take);
                // Qt's block may be one a large body was read from: keep only what the head needs of it.
                if (m_buf.capacity() > kHeadReadStep)
                    m_buf.squeeze();
            } else {
                m_buf += m_socket->read(take);
            }
        }
        if (m_buf.isEmpty())
            return false;
        if (m_state == State::Idle)
            setState(State::Head);
        if (headComplete(maxHeadBytes))
            return true;
        if (take <= 0)
            return false;
    }
}

bool HttpConnection::headComplete(qsizetype maxHeadBytes)
{
    if (m_buf.size() > maxHeadBytes)
        return true; // the parser answers 431
    // Blank lines before a request line are skipped by the parser, a few bytes of them: a head that starts with
    // more is refused without waiting for the rest. (Counting them again at every line feed made 64 KiB of
    // line feeds cost seconds of the event loop.)
    qsizetype firstContent = 0;
    while (firstContent < m_buf.size() && (m_buf[firstContent] == '\r' || m_buf[firstContent] == '\n'))
        if (++firstContent > http::kMaxLeadingBlankBytes)
            return true; // the parser answers 400
    // The blank line ends in "\n\n" or "\n\r\n": look from a little before the bytes already scanned.
    qsizetype from = qMax<qsizetype>(0, m_scanned - 2);
    for (;;) {
        const qsizetype nl = m_buf.indexOf('\n', from);
        if (nl < 0)
            break;
        // A lone leading "\n" (a blank line the parser skips) is not an end.
        if (nl >= 1 && firstContent < nl
            && (m_buf[nl - 1] == '\n' || (nl >= 2 && m_buf[nl - 1] == '\r' && m_buf[nl - 2] == '\n')))
            return true;
        from = nl + 1;
    }
    m_scanned = m_buf.size();
    return false;
}

bool HttpConnection::readBody()
{
    auto input = [this]() -> QByteArray {
        if (!m_buf.isEmpty())
            return std::exchange(m_buf, QByteArray());
        return m_socket->read(256 * 1024);
    };
    if (m_chunked) {
        for (;;) {
            QByteArray data = input();
            if (data.isEmpty())
                return false;
            const qsizetype used = m_chunked->feed(data, &m_body);
            if (m_chunked->failed()) {
                refuse(m_chunked->error(), m_head.target);
                return false;
            }
            if (!bodyArrived(used))
                return false;
            if (m_chunked->done()) {
                m_buf = data.mid(used); // the next pipelined request
                return true;
            }
        }
    }
    const qint64 length = qMax<qint64>(0, m_head.contentLength);
    // The buffer grows with what arrived (doubling, never past the announced length), not with what the head
    // announced: its capacity is what the body budget is charged.
    auto makeRoom = [this, length](qint64 take) {
        const qint64 need = m_body.size() + take;
        if (m_body.capacity() < need)
            m_body.reserve(qsizetype(qMin<qint64>(length, qMax<qint64>(need, 2 * qint64(m_body.size())))));
    };
    while (m_body.size() < length) {
        qint64 take = 0;
        if (!m_buf.isEmpty()) { // what came with the head (or after the previous request)
            take = qMin<qint64>(length - m_body.size(), m_buf.size());
            if (m_body.isEmpty() && take == m_buf.size() && m_buf.capacity() <= qMin<qint64>(length, 2 * take)) {
                m_body = std::exchange(m_buf, QByteArray()); // all body, in a buffer the policy allows: kept
            } else {
                makeRoom(take);
                m_body.append(m_buf.constData(), qsizetype(take));
                m_buf.remove(0, qsizetype(take)); // what is left is the next pipelined request
            }
        } else { // straight from the socket's buffer into the body's
            take = qMin<qint64>(length - m_body.size(), m_socket->bytesAvailable());
            if (take <= 0)
                return false;
            makeRoom(take);
            const qsizetype at = m_body.size();
            m_body.resize(at + qsizetype(take));
            take = qMax<qint64>(0, m_socket->read(m_body.data() + at, take));
            m_body.resize(at + qsizetype(take));
            if (take == 0)
                return false;
        }
        if (!bodyArrived(take))
            return false;
    }
    return true;
}

void HttpConnection::dispatch()
{
    setState(State::Serving);
    IncomingRequest req;
    req.method = m_head.method;
    const qsizetype q = m_head.target.indexOf('?');
    req.path = QUrl::fromPercentEncoding(q < 0 ? m_head.target : m_head.target.left(q));
    if (q >= 0)
        req.query = QUrlQuery(QString::fromUtf8(m_head.target.mid(q + 1)));
    req.headers = std::move(m_head.headers);
    req.body = std::exchange(m_body, QByteArray());
    req.peer = m_peer;
    req.peerPort = m_peerPort;
    req.connectionId = m_connectionId;
    m_chunkedResponse = false;
    m_server->startExchange(this, std::move(req));
}

void HttpConnection::write(const QByteArray &bytes)
{
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    // Each event a stream relays is one write: straight to the kernel when nothing is queued in Qt.
    http::writeNow(m_socket, true, bytes); // a connection accepted here: plain TCP
}

void HttpConnection::writeWhole(int status, const HeaderList &headers, const QByteArray &body)
{
    QByteArray out;
    out.reserve(256 + body.size());
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + http::reasonPhrase(status) + "\r\n";
    for (const auto &h : headers)
        out += h.first + ": " + h.second + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    if (!m_keepAlive)
        out += "Connection: close\r\n";
    out += "\r\n";
    out += body;
    write(out);
}

void HttpConnection::beginChunked(int status, const HeaderList &headers)
{
    // HTTP/1.0 clients know no chunked framing: their stream is delimited by the end of the connection.
    m_chunkedResponse = m_head.minorVersion >= 1;
    if (!m_chunkedResponse)
        m_keepAlive = false;
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + http::reasonPhrase(status) + "\r\n";
    for (const auto &h : headers)
        out += h.first + ": " + h.second + "\r\n";
    if (m_chunkedResponse)
        out += "Transfer-Encoding: chunked\r\n";
    if (!m_keepAlive)
        out += "Connection: close\r\n";
    out += "\r\n";
    write(out);
}

void HttpConnection::writeChunk(const QByteArray &data)
{
    if (data.isEmpty())
        return;
    if (!m_chunkedResponse)
        return write(data);
    // Every event a stream relays is framed here: one allocation (QByteArray::number and appends took four).
    char hex[16];
    int digits = 0;
    for (quint64 v = quint64(data.size());; v >>= 4) {
        hex[digits++] = "0123456789abcdef"[v & 15];
        if (v < 16)
            break;
    }
    QByteArray framed(digits + 2 + data.size() + 2, Qt::Uninitialized);
    char *p = framed.data();
    while (digits)
        *p++ = hex[--digits];
    *p++ = '\r';
    *p++ = '\n';
    std::memcpy(p, data.constData(), std::size_t(data.size()));
    p += data.size();
    *p++ = '\r';
    *p = '\n';
    write(framed);
}

void HttpConnection::finishChunked()
{
    if (m_chunkedResponse)
        write(QByteArrayLiteral("0\r\n\r\n"));
}

void HttpConnection::close()
{
    m_deadline.stop();
    m_state = State::Closing;
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        return deleteLater();
    m_socket->disconnectFromHost(); // after the pending bytes
}

void HttpConnection::onResponseDone()
{
    m_exchange = nullptr;
    releaseBudget();
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        deleteLater();
        return;
    }
    if (!m_keepAlive)
        return close();
    ++m_served;
    setState(State::Idle);
    // A pipelined request may be waiting already (read into Qt's buffer while this one was served): taken on
    // the next turn. Otherwise the next bytes bring readyRead, and no turn of the event loop is asked for.
    if (m_buf.isEmpty() && m_socket->bytesAvailable() == 0)
        return;
    QMetaObject::invokeMethod(
        this,
        [this] {
        if (m_state == State::Idle && (!m_buf.isEmpty() || m_socket->bytesAvailable() > 0))
            process();
        },
        Qt::QueuedConnection);
}

Error HttpConnection::overCapacityError() const
{
    return Error { 503,
                   tr("too many connections at once (%1 from this client, %2 in all); retry shortly")
                       .arg(m_server->limits().maxConnectionsPerClient)
                       .arg(m_server->limits().maxConnections),
                   {} };
}

void HttpConnection::refuse(const Error &error, const QByteArray &target, bool linger)
{
    releaseBudget();
    const qsizetype q = target.indexOf('?');
    const QString path = QString::fromLatin1(q < 0 ? target : target.left(q));
    const QByteArray body = renderErrorBody(m_server->formatForPath(path), error);
    const qint64 unlogged = m_server->noteRefusal();
    if (unlogged >= 0)
        qCInfo(lcServer).noquote() << QStringLiteral("refused a request from %1 to %2: %3 (%4)")
                                          .arg(m_peer.toString(), path.isEmpty() ? QStringLiteral("-") : path,
                                               log::redact(error.message))
                                          .arg(error.httpStatus)
                                   << (unlogged > 0 ? QStringLiteral("(and %1 more since the last line)").arg(unlogged)
                                                    : QString());
    m_keepAlive = false;
    HeaderList headers { { "Content-Type", "application/json" } };
    if (error.httpStatus == 503)
        headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("1")));
    writeWhole(error.httpStatus, headers, body);
    m_buf.clear();
    m_scanned = 0;
    if (linger)
        lingeringClose();
    else
        close();
}

void HttpConnection::lingeringClose()
{
    // The client may still be sending (a body we refused, a head we stopped reading). Closing with its bytes
    // unread would answer with a TCP reset, which can destroy our error response before the client reads it.
    // So, as nginx does: send the response, half-close (FIN), then read and discard for a bounded time and
    // amount, and close when the client does.
    m_deadline.stop();
    m_state = State::Closing;
    disconnect(m_socket, &QTcpSocket::readyRead, this, nullptr);
    connect(m_socket, &QTcpSocket::readyRead, this, [this] {
        m_lingered += m_socket->skip(m_socket->bytesAvailable());
        if (m_lingered > kLingerBytes)
            abortNow();
    });
    auto halfClose = [this] {
        if (m_halfClosed || m_socket->bytesToWrite() > 0 || m_socket->state() != QAbstractSocket::ConnectedState)
            return;
        m_halfClosed = true;
#if defined(Q_OS_WIN) // Platform-specific: the half-close
        ::shutdown(SOCKET(m_socket->socketDescriptor()), SD_SEND);
#else
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
#endif
    };
    connect(m_socket, &QTcpSocket::bytesWritten, this, halfClose);
    halfClose();
    m_linger.setSingleShot(true);
    connect(&m_linger, &QTimer::timeout, this, &HttpConnection::abortNow);
    m_linger.start(kLingerMs);
}

void HttpConnection::abortNow()
{
    m_linger.stop();
    m_socket->abort();
    deleteLater();
}

// --- the server

HttpServer::HttpServer(QObject *parent) : QObject(parent)
{
    m_resumeAccepting.setSingleShot(true);
    connect(&m_resumeAccepting, &QTimer::timeout, this, [this] {
        if (m_acceptNotifier)
            m_acceptNotifier->setEnabled(true);
        else if (m_listener)
            m_listener->resumeAccepting();
    });
}

HttpServer::~HttpServer()
{
    // Connections first: they tell the server they are gone while it still exists.
    const QList<HttpConnection *> connections = std::exchange(m_connections, {});
    for (HttpConnection *c : connections)
        delete c;
}

quint16 HttpServer::start(const QString &host, quint16 port, QString *error)
{
    if (m_listener && m_listener->isListening()) {
        *error = tr("already listening");
        return 0;
    }
    m_acceptNotifier = nullptr; // a child of the listener
    delete m_listener;
    m_listener = new QTcpServer(this);
    QHostAddress address;
    if (host == u"localhost")
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(host)) {
        *error = tr("'%1' is not an IP address").arg(host);
        return 0;
    }
    // A burst of clients (an agent opening many streams at once) must not overflow the accept queue: Qt's
    // default backlog of 50 makes the kernel drop the extra SYNs, and each of those connections then waits
    // a whole second for the retry.
    m_listener->setListenBacklogSize(1024);
    m_listenError = QAbstractSocket::UnknownSocketError;
    if (!m_listener->listen(address, port)) {
        m_listenError = m_listener->serverError();
        *error = m_listenError == QAbstractSocket::AddressInUseError
                     ? tr("port %1 on %2 is in use by another program (another droid2api, or the original one, also "
                          "use 3000)")
                           .arg(port)
                           .arg(host)
                     : tr("cannot listen on %1:%2: %3").arg(host).arg(port).arg(m_listener->errorString());
        delete m_listener;
        m_listener = nullptr;
        return 0;
    }
#if defined(Q_OS_UNIX)
    // Platform-specific (POSIX): accept() ourselves on the listening socket. Qt 6.4's QTcpServer leaves EMFILE
    // reported as the temporary error of the accept before it, so it never emits acceptError and polls the
    // listening socket at ~100% CPU for as long as the process is out of descriptors. Here every failure is
    // seen, and accepting pauses for 100 ms.
    m_listener->pauseAccepting();
    m_acceptNotifier = new QSocketNotifier(m_listener->socketDescriptor(), QSocketNotifier::Read, m_listener);
    connect(m_acceptNotifier, &QSocketNotifier::activated, this, &HttpServer::acceptPending);
    // Enabled explicitly while descriptors are plentiful: UBSan's vptr check (make test's sanitizer pass)
    // learns the type here, as it cannot probe memory once the process is out of descriptors.
    m_acceptNotifier->setEnabled(true);
#else
    connect(m_listener, &QTcpServer::newConnection, this, &HttpServer::onNewConnection);
    connect(m_listener, &QTcpServer::acceptError, this, &HttpServer::onAcceptError);
#endif
    return m_listener->serverPort();
}

void HttpServer::acceptPending()
{
#if defined(Q_OS_UNIX)
    const int listening = int(m_listener->socketDescriptor());
    for (int i = 0; i < 256; ++i) { // bounded per wake-up, so a connect storm cannot starve the event loop
        const int fd = ::accept(listening, nullptr, nullptr);
        if (fd < 0) {
            const int e = errno;
            if (e == EINTR || e == ECONNABORTED)
                continue;
            if (e == EAGAIN || e == EWOULDBLOCK) {
                // The queue is drained: a shortage is over only now, not at the first connection let in.
                if (m_acceptTrouble) {
                    m_acceptTrouble = false;
                    qCInfo(lcServer).noquote() << tr("accepting connections again");
                }
                return;
            }
            m_acceptNotifier->setEnabled(false);
            const bool resources = e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
            return onAcceptError(resources ? QAbstractSocket::SocketResourceError
                                           : QAbstractSocket::UnknownSocketError);
        }
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(fd)) {
            ::close(fd);
            delete socket;
            continue;
        }
        adopt(socket);
    }
#endif
}

void HttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_listener->nextPendingConnection())
        adopt(socket);
}

void HttpServer::adopt(QTcpSocket *socket)
{
    if (m_acceptTrouble && !m_acceptNotifier) {
        m_acceptTrouble = false;
        qCInfo(lcServer).noquote() << tr("accepting connections again");
    }
    ++m_accepted;
    const bool room = makeRoomFor(socket->peerAddress());
    if (!room) {
        ++m_shed;
        // Beyond a quarter over the cap nobody can be answered any more: the connection is dropped.
        if (m_connections.size() >= qsizetype(m_limits.maxConnections) + m_limits.maxConnections / 4) {
            socket->abort();
            socket->deleteLater();
            return;
        }
    }
    // Without room it is still answered (503 with Retry-After, in its route's format), never reset.
    m_connections.append(new HttpConnection(socket, this, !room));
    ++m_perClient[clientKey(socket->peerAddress())];
}

QByteArray HttpServer::clientKey(const QHostAddress &peer)
{
    // IPv4 in its v4-mapped IPv6 form: one key per address however the socket reports it.
    const Q_IPV6ADDR a = peer.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(a.c), 16);
}

QList<HttpConnection *> HttpServer::sheddable(const QList<HttpConnection *> &among, bool silentAtAnyAge,
                                              qsizetype count) const
{
    // Stalled connections first, stalled longest first: a head trickling or a body behind the minimum rate for
    // over a second, or a connection silent that long (a real client sends a request in milliseconds). Then
    // keep-alive connections between requests (idle longest first), then, with `silentAtAnyAge`, connections
    // that have sent nothing yet (oldest first). A connection just accepted, whose bytes are not read yet, is
    // otherwise never shed for its own sake, nor one with a request in flight. The first `count` are found in
    // one pass (one, at every accept at a cap: no sort, no list of them all).
    const qint64 now = monotonicMs();
    struct Candidate
    {
        int rank; ///< 0 stalled, 1 keep-alive idle, 2 silent
        qint64 since;
        HttpConnection *connection;
        bool operator<(const Candidate &o) const { return rank != o.rank ? rank < o.rank : since < o.since; }
    };
    // The best `count` so far, in order: one pass, no allocation for the usual count of one.
    QVarLengthArray<Candidate, 16> best;
    for (HttpConnection *c : among) {
        Candidate candidate { 0, 0, c };
        if (c->isStalled(now))
            candidate = { 0, c->stalledSinceMs(), c };
        else if (c->isKeepAliveIdle())
            candidate = { 1, c->idleSinceMs(), c };
        else if (silentAtAnyAge && c->isIdle())
            candidate = { 2, c->stalledSinceMs(), c };
        else
            continue;
        if (best.size() == count && !(candidate < best.last()))
            continue;
        if (best.size() == count)
            best.removeLast();
        best.insert(std::upper_bound(best.begin(), best.end(), candidate), candidate);
    }
    QList<HttpConnection *> out;
    out.reserve(best.size());
    for (const Candidate &b : best)
        out << b.connection;
    return out;
}

int HttpServer::stalledConnections() const
{
    const qint64 now = monotonicMs();
    return int(std::count_if(m_connections.cbegin(), m_connections.cend(),
                             [now](const HttpConnection *c) { return c->isStalled(now); }));
}

void HttpServer::shed(HttpConnection *connection)
{
    ++m_shed;
    connection->shedForRoom();
    forget(connection);
}

bool HttpServer::makeRoomFor(const QHostAddress &peer)
{
    // The counts are kept per address: only at a cap are the connections looked at.
    if (m_perClient.value(clientKey(peer)) >= m_limits.maxConnectionsPerClient) {
        QList<HttpConnection *> mine;
        for (HttpConnection *c : std::as_const(m_connections))
            if (c->peer().isEqual(peer, QHostAddress::TolerantConversion))
                mine << c;
        // The newcomer waits while the others had their chance: a silent one goes at any age (on loopback every
        // local client shares one address, so a slowloris must not lock the others out).
        const QList<HttpConnection *> candidates = sheddable(mine, true, 1);
        if (candidates.isEmpty())
            return false;
        shed(candidates.first());
    }
    // All clients together (every 127.x.y.z address is another client): the same order, across them all.
    if (m_connections.size() >= m_limits.maxConnections) {
        const QList<HttpConnection *> candidates = sheddable(m_connections, true, 1);
        if (candidates.isEmpty())
            return false;
        shed(candidates.first());
    }
    return true;
}

void HttpServer::onAcceptError(QAbstractSocket::SocketError error)
{
    // Accepting pauses (acceptPending disabled its notifier; a QTcpServer is told to, whatever it did itself).
    // Out of file descriptors (EMFILE/ENFILE) or any other accept failure: wait a moment instead of spinning on
    // the listening socket, and make room:
    // the (up to) 16 clients stalled longest, so those queued behind them get in within a few pauses, else the
    // oldest keep-alive connection. One warning per episode, not one per retry.
    ++m_acceptPauses;
    m_listener->pauseAccepting();
    if (error == QAbstractSocket::SocketResourceError) {
        const qint64 now = monotonicMs();
        const QList<HttpConnection *> candidates = sheddable(m_connections, false, 16);
        const qsizetype stalled = std::count_if(candidates.cbegin(), candidates.cend(),
                                                [now](const HttpConnection *c) { return c->isStalled(now); });
        for (HttpConnection *c : candidates.mid(0, stalled > 0 ? stalled : 1))
            shed(c);
    }
    if (!m_acceptTrouble) {
        m_acceptTrouble = true;
        qCWarning(lcServer).noquote()
            << (error == QAbstractSocket::SocketResourceError
                    ? tr("out of file descriptors (%1 client connections open): pausing new connections, retrying "
                         "every 100 ms")
                          .arg(m_connections.size())
                    : tr("accepting a connection failed (%1): retrying in 100 ms").arg(m_listener->errorString()));
    }
    m_resumeAccepting.start(100);
}

void HttpServer::forget(HttpConnection *connection)
{
    if (m_connections.removeAll(connection) == 0)
        return; // shed earlier, and forgotten then
    const auto it = m_perClient.find(clientKey(connection->peer()));
    if (it != m_perClient.end() && --*it <= 0)
        m_perClient.erase(it);
}

bool HttpServer::takeBudget(qint64 bytes)
{
    if (m_budgetUsed + bytes > m_limits.maxBodiesInFlight && m_budgetUsed > 0)
        return false;
    m_budgetUsed += bytes;
    return true;
}

WireFormat HttpServer::formatForPath(const QString &path) const
{
    return RouteTable::instance().formatFor(path); // errors raised before routing (413, 431...) in the path's shape
}

std::optional<Error> HttpServer::filterHead(const http::RequestHead &head, const QHostAddress &peer) const
{
    return m_headFilter ? m_headFilter(head, peer) : std::nullopt;
}

qint64 HttpServer::noteRefusal()
{
    ++m_refused;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_lastRefusalLogMs && now - m_lastRefusalLogMs < 1000) {
        ++m_refusalsUnlogged;
        return -1;
    }
    m_lastRefusalLogMs = now;
    return std::exchange(m_refusalsUnlogged, 0);
}

void HttpServer::startExchange(HttpConnection *connection, IncomingRequest request)
{
    ++m_active;
    auto *exchange = new Exchange(std::move(request), connection, this);
    QPointer<HttpConnection> guard(connection);
    connect(exchange, &Exchange::done, this, [this, guard](const RequestRecord &record) {
        --m_active;
        Q_EMIT exchangeDone(record);
        if (guard)
            guard->onResponseDone();
        if (m_active == 0)
            Q_EMIT idle();
    });
    if (m_handler)
        m_handler(exchange);
    else
        exchange->respondJson(
            503, renderErrorBody(formatForPath(exchange->request().path), Error { 503, tr("not ready"), {} }));
}

void HttpServer::stopListening()
{
    m_resumeAccepting.stop();
    if (m_acceptNotifier) {
        m_acceptNotifier->setEnabled(false);
        delete m_acceptNotifier;
        m_acceptNotifier = nullptr;
    }
    if (m_listener)
        m_listener->close();
}

void HttpServer::flushAndClose(int timeoutMs, std::function<void()> done)
{
    // Exiting with bytes still in a socket's buffer would cut the last events of a finished stream.
    for (HttpConnection *c : std::as_const(m_connections))
        if (c->isIdle())
            c->close();
    auto *timer = new QTimer(this);
    QElapsedTimer clock;
    clock.start();
    auto check = [this, timer, clock, timeoutMs, done] {
        bool flushed = true;
        for (HttpConnection *c : std::as_const(m_connections)) {
            if (c->isIdle())
                c->close();
            if (c->socket()->state() != QAbstractSocket::UnconnectedState && c->socket()->bytesToWrite() > 0)
                flushed = false;
        }
        if (!flushed && clock.elapsed() < timeoutMs)
            return;
        timer->stop();
        timer->deleteLater();
        done();
    };
    connect(timer, &QTimer::timeout, this, check);
    timer->start(10);
}

bool HttpServer::isListening() const
{
    return m_listener && m_listener->isListening();
}

qint64 raiseFileDescriptorLimit()
{
#if defined(Q_OS_UNIX)
    // Platform-specific (POSIX): the soft limit (often 1024) up to the hard one; macOS caps it at OPEN_MAX.
    rlimit l {};
    if (getrlimit(RLIMIT_NOFILE, &l) != 0)
        return 0;
    rlim_t want = l.rlim_max;
#if defined(Q_OS_MACOS)
    want = qMin<rlim_t>(want, 10240);
#endif
    if (want != RLIM_INFINITY && want > l.rlim_cur) {
        rlimit raised = l;
        raised.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            return qint64(want);
    }
    return l.rlim_cur == RLIM_INFINITY ? 0 : qint64(l.rlim_cur);
#else
    return 0;
#endif
}

} // namespace d2a
