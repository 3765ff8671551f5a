#include "httpserver.h"

#include "../compat/httpservercompat.h"
#include "../formats/apierrors.h"
#include "../log/log.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qtimer.h>
#include <QtHttpServer/qhttpserverrequest.h>
#include <QtNetwork/qtcpsocket.h>

namespace d2a {

namespace {

QByteArray methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get: return "GET";
    case QHttpServerRequest::Method::Put: return "PUT";
    case QHttpServerRequest::Method::Delete: return "DELETE";
    case QHttpServerRequest::Method::Post: return "POST";
    case QHttpServerRequest::Method::Head: return "HEAD";
    case QHttpServerRequest::Method::Options: return "OPTIONS";
    case QHttpServerRequest::Method::Patch: return "PATCH";
    case QHttpServerRequest::Method::Connect: return "CONNECT";
    case QHttpServerRequest::Method::Trace: return "TRACE";
    default: return "UNKNOWN";
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------------------

HttpListener::HttpListener(HttpServer *server) : QTcpServer(server), m_server(server) { }

void HttpListener::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    // Without TCP_NODELAY every proxied response stalls 20-40 ms on Nagle + delayed ACK (PROTOCOL.md §7).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_sockets.insert(socket, socket->peerPort());
    connect(socket, &QObject::destroyed, this, [this, socket] { m_sockets.remove(socket); });
    // Connected before QHttpServer's own slot, so this sees each request head before it is consumed.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { inspect(socket); });
    addPendingConnection(socket);
}

QTcpSocket *HttpListener::socketFor(const QHostAddress &peer, quint16 port) const
{
    for (auto it = m_sockets.cbegin(); it != m_sockets.cend(); ++it)
        if (it.value() == port && it.key()->peerAddress().isEqual(peer, QHostAddress::TolerantConversion))
            return it.key();
    return nullptr;
}

void HttpListener::inspect(QTcpSocket *socket)
{
    if (m_server->isRefused(socket)) {
        socket->readAll(); // the rest of a refused request never reaches QHttpServer
        return;
    }
    if (m_server->isBusy(socket))
        return;
    const QByteArray head = socket->peek(16 * 1024);
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0)
        return;
    const qsizetype firstLineEnd = head.indexOf("\r\n");
    const QList<QByteArray> requestLine = head.left(firstLineEnd).split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1."))
        return;
    qint64 contentLength = -1;
    bool expectContinue = false;
    for (const QByteArray &line : head.mid(firstLineEnd + 2, end - firstLineEnd - 2).split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length")
            contentLength = value.toLongLong();
        else if (name == "expect")
            expectContinue = value.compare("100-continue", Qt::CaseInsensitive) == 0;
    }
    const qsizetype q = requestLine[1].indexOf('?');
    const QString path = QString::fromLatin1(q < 0 ? requestLine[1] : requestLine[1].left(q));
    if (contentLength > m_server->maxBodyBytes()) {
        m_server->refuseEarly(socket, path,
                              Error::tooLarge(QStringLiteral("request body of %1 bytes is over the limit of %2 bytes "
                                                             "(config key max_body_bytes)")
                                                  .arg(contentLength)
                                                  .arg(m_server->maxBodyBytes())));
        return;
    }
    // Qt 6.4 ignores "Expect: 100-continue", so curl and others stall a second before sending large bodies.
    if (expectContinue && !compat::serverHandlesExpectContinue() && contentLength > 0
        && socket->bytesAvailable() <= end + 4)
        socket->write("HTTP/1.1 100 Continue\r\n\r\n");
}

// ---------------------------------------------------------------------------------------------------------

bool HttpListener::closeAll()
{
    bool flushed = true;
    for (auto it = m_sockets.cbegin(); it != m_sockets.cend(); ++it) {
        QTcpSocket *s = it.key();
        if (s->state() == QAbstractSocket::ConnectedState)
            s->disconnectFromHost(); // writes what is pending first
        if (s->state() != QAbstractSocket::UnconnectedState && s->bytesToWrite() > 0)
            flushed = false;
    }
    return flushed;
}

HttpServer::HttpServer(QObject *parent) : QAbstractHttpServer(parent) { }

HttpServer::~HttpServer() = default;

quint16 HttpServer::start(const QString &host, quint16 port, QString *error)
{
    if (m_listener && m_listener->isListening()) {
        *error = QStringLiteral("already listening");
        return 0;
    }
    delete m_listener;
    m_listener = new HttpListener(this);
    QHostAddress address;
    if (host == u"localhost")
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(host)) {
        *error = QStringLiteral("'%1' is not an IP address").arg(host);
        return 0;
    }
    // A burst of clients (an agent opening many streams at once) must not overflow the accept queue: Qt's
    // default backlog of 50 makes the kernel drop the extra SYNs, and each of those connections then waits
    // a whole second for the retry.
    m_listener->setListenBacklogSize(1024);
    if (!m_listener->listen(address, port)) {
        *error = QStringLiteral("cannot listen on %1:%2: %3").arg(host).arg(port).arg(m_listener->errorString());
        delete m_listener;
        m_listener = nullptr;
        return 0;
    }
    if (!compat::bindListener(*this, m_listener)) {
        *error = QStringLiteral("QHttpServer refused the listening socket");
        return 0;
    }
    return m_listener->serverPort();
}

void HttpServer::stopListening()
{
    if (m_listener)
        m_listener->close();
}

void HttpServer::flushAndClose(int timeoutMs, std::function<void()> done)
{
    // Exiting with bytes still in a socket's buffer would cut the last events of a finished stream.
    auto *timer = new QTimer(this);
    QElapsedTimer clock;
    clock.start();
    auto check = [this, timer, clock, timeoutMs, done] {
        if ((m_listener && !m_listener->closeAll()) && clock.elapsed() < timeoutMs)
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

void HttpServer::refuseEarly(QTcpSocket *socket, const QString &path, const Error &error)
{
    m_refused.insert(socket, true);
    const WireFormat format = m_formatForPath ? m_formatForPath(path) : WireFormat::OpenAIChat;
    const QByteArray body = renderErrorBody(format, error);
    qCInfo(lcServer).noquote() << "refused a request to" << path << "before reading its body:" << error.message;
    socket->write("HTTP/1.1 " + QByteArray::number(error.httpStatus)
                  + " Payload Too Large\r\nContent-Type: application/json\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    // Swallow the request (now and whatever follows) before QHttpServer's own slot sees it, so it neither
    // buffers the body nor answers "100 Continue" after our 413 (Qt 6.5+ does that on its own).
    socket->readAll();
    socket->disconnectFromHost();
}

bool HttpServer::handleRequest(const QHttpServerRequest &request, compat::HandlerArg arg)
{
    IncomingRequest req;
    req.method = methodName(request.method());
    req.path = request.url().path();
    req.query = request.query();
    req.headers = compat::headerPairs(request);
    req.body = request.body();
    req.peer = request.remoteAddress();
    req.peerPort = compat::remotePort(request);
    // One id per client connection: the peer's address and port, unique while the connection lasts, and the
    // time this server started (ports are reused across runs).
    req.connectionId = req.peer.toString().toLatin1() + ':' + QByteArray::number(req.peerPort) + '@' + QByteArray::number(m_startedMs);
    const bool keepAlive = !headerValue(req.headers, "connection").toLower().contains("close");

#ifdef D2A_QHTTPSERVER_SOCKET_API
    QTcpSocket *socket = arg;
    if (m_refused.contains(socket))
        return true;
    if (m_busy.contains(socket)) {
        // Qt 6.4 would answer pipelined requests concurrently, in completion order: hold them back.
        m_pipelined[socket].enqueue({ std::move(req), keepAlive });
        return true;
    }
    auto channel = std::make_unique<compat::HttpResponseChannel>(socket, keepAlive);
#else
    QTcpSocket *socket = m_listener ? m_listener->socketFor(req.peer, req.peerPort) : nullptr;
    if (socket && m_refused.contains(socket))
        return true;
    auto channel = std::make_unique<compat::HttpResponseChannel>(std::move(arg), keepAlive);
#endif
    dispatch(socket, std::move(req), std::move(channel), keepAlive);
    return true;
}

void HttpServer::missingHandler(const QHttpServerRequest &request, compat::MissingArg arg)
{
    // handleRequest() accepts every request, so this is never reached; answer 404 all the same.
#ifdef D2A_QHTTPSERVER_SOCKET_API
    compat::HttpResponseChannel(arg, false).writeWhole(404, {}, QByteArray());
#else
    compat::HttpResponseChannel(std::move(arg), true).writeWhole(404, {}, QByteArray());
#endif
    Q_UNUSED(request);
}

void HttpServer::dispatch(QTcpSocket *socket, IncomingRequest req, std::unique_ptr<compat::HttpResponseChannel> channel,
                          bool keepAlive)
{
    if (socket && !m_watched.contains(socket)) {
        m_watched.insert(socket);
        connect(socket, &QObject::destroyed, this, [this, socket] {
            m_watched.remove(socket);
            m_busy.remove(socket);
            m_pipelined.remove(socket);
            m_refused.remove(socket);
        });
    }
    if (socket)
        m_busy.insert(socket, true);
    ++m_active;
    const qint64 bodySize = req.body.size();
    const QString path = req.path;
    auto *exchange = new Exchange(std::move(req), std::move(channel), socket, keepAlive, this);
    QPointer<QTcpSocket> guard(socket);
    connect(exchange, &Exchange::done, this, [this, guard, socket](const RequestRecord &record) {
        onExchangeDone(guard ? socket : nullptr, record);
    });
    if (bodySize > m_maxBody) {
        exchange->setFormat(m_formatForPath ? m_formatForPath(path) : WireFormat::OpenAIChat);
        exchange->respondError(Error::tooLarge(QStringLiteral("request body of %1 bytes is over the limit of %2 bytes "
                                                              "(config key max_body_bytes)")
                                                   .arg(bodySize)
                                                   .arg(m_maxBody)));
        return;
    }
    if (m_handler)
        m_handler(exchange);
    else
        exchange->respondJson(503, renderErrorBody(WireFormat::OpenAIChat, Error { 503, QStringLiteral("not ready"), {} }));
}

void HttpServer::onExchangeDone(QTcpSocket *socket, const RequestRecord &record)
{
    --m_active;
    Q_EMIT exchangeDone(record);
    if (socket) {
        m_busy.remove(socket);
        auto it = m_pipelined.find(socket);
        if (it != m_pipelined.end() && !it->isEmpty()) {
            Queued next = it->dequeue();
#ifdef D2A_QHTTPSERVER_SOCKET_API
            auto channel = std::make_unique<compat::HttpResponseChannel>(socket, next.keepAlive);
            dispatch(socket, std::move(next.request), std::move(channel), next.keepAlive);
#endif
            return;
        }
    }
    if (m_active == 0)
        Q_EMIT idle();
}

} // namespace d2a
