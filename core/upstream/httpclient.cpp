#include "httpclient.h"

#include <limits>

#include <memory>

#include "../http/directsend.h"
#include "../http/http1.h"

#include "../log/log.h"

#include <QtNetwork/qnetworkproxy.h>
#include <QtNetwork/qsslsocket.h>
#include <QtNetwork/qtcpsocket.h>

namespace d2a {

namespace {
constexpr qint64 kSocketReadBuffer = 1024 * 1024;

QString poolKey(const QUrl &url)
{
    const bool tls = url.scheme() == u"https";
    return url.scheme() + QStringLiteral("://") + url.host().toLower() + u':'
           + QString::number(url.port(tls ? 443 : 80));
}
} // namespace

// ---------------------------------------------------------------------------------------------------------
// UpstreamReply

UpstreamReply::UpstreamReply(HttpClient *client, UpstreamRequest request)
    : m_client(client), m_request(std::move(request)), m_poolKey(poolKey(m_request.url))
{
}

UpstreamReply::~UpstreamReply()
{
    if (m_socket)
        detachSocket(false);
}

bool UpstreamReply::markDone()
{
    if (m_done)
        return false;
    m_done = true;
    m_state = State::Done;
    m_timer.stop();
    return true;
}

void UpstreamReply::abort()
{
    if (markDone() && m_socket)
        detachSocket(false);
}

void UpstreamReply::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused && m_socket)
        QMetaObject::invokeMethod(this, &UpstreamReply::onReadyRead, Qt::QueuedConnection);
}

void UpstreamReply::armTimer(int ms)
{
    if (ms > 0)
        m_timer.start(ms);
    else
        m_timer.stop();
}

void UpstreamReply::start(QTcpSocket *socket, bool reused)
{
    m_socket = socket;
    m_reused = reused;
    connect(socket, &QTcpSocket::readyRead, this, &UpstreamReply::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &UpstreamReply::onSocketClosed);
    connect(socket, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) { onSocketClosed(); });
    if (reused) {
        onConnected();
        return;
    }
    m_state = State::Connecting;
    m_timerKind = TimerKind::Connect;
    armTimer(m_request.connectTimeoutMs);
    const QUrl &url = m_request.url;
    if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
        connect(ssl, &QSslSocket::encrypted, this, &UpstreamReply::onConnected);
        connect(ssl, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            QStringList msgs;
            for (const QSslError &e : errors)
                msgs << e.errorString();
            fail(Error::badGateway(QStringLiteral("TLS error talking to %1: %2")
                                       .arg(m_request.url.host(), msgs.join(QStringLiteral("; ")))));
        });
        ssl->connectToHostEncrypted(url.host(), quint16(url.port(443)));
    } else {
        connect(socket, &QTcpSocket::connected, this, &UpstreamReply::onConnected);
        socket->connectToHost(url.host(), quint16(url.port(80)));
    }
}

void UpstreamReply::onConnected()
{
    if (!m_socket || m_state == State::Done)
        return;
    if (!m_reused) {
        // Nagle + delayed ACK stall request bodies over ~16 KB by ~40 ms (measured on loopback with Qt 6.4). Once per
        // connection: a pooled one keeps its options (two system calls saved per request).
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
        m_socket->setReadBufferSize(kSocketReadBuffer);
    }

    const QUrl &url = m_request.url;
    QByteArray head;
    head.reserve(512 + m_request.headers.size() * 64);
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    head += m_request.method + ' ' + target + " HTTP/1.1\r\nHost: " + url.host(QUrl::FullyEncoded).toLatin1();
    const bool tls = url.scheme() == u"https";
    if (url.port() > 0 && url.port() != (tls ? 443 : 80))
        head += ':' + QByteArray::number(url.port());
    head += "\r\n";
    for (const auto &h : std::as_const(m_request.headers)) {
        if (isHeaderName(h.first, "host") || isHeaderName(h.first, "content-length")
            || isHeaderName(h.first, "connection") || isHeaderName(h.first, "transfer-encoding"))
            continue;
        head += h.first + ": " + h.second + "\r\n";
    }
    if (!m_request.body.isEmpty() || m_request.method == "POST" || m_request.method == "PUT")
        head += "Content-Length: " + QByteArray::number(m_request.body.size()) + "\r\n";
    head += "Connection: keep-alive\r\n\r\n";
    m_state = State::StatusLine;
    // Head and body in one system call, now rather than on the next turn of the event loop.
    // A plain connection is one HttpClient made with no proxy (newSocket): written to directly.
    const bool plain = !qobject_cast<QSslSocket *>(m_socket) && m_socket->proxy().type() == QNetworkProxy::NoProxy;
    http::writeNow(m_socket, plain, head, m_request.body);
    m_timerKind = TimerKind::FirstByte;
    armTimer(m_request.firstByteTimeoutMs);
}

void UpstreamReply::onReadyRead()
{
    if (!m_socket || m_done || m_paused)
        return;
    if (m_startingInSend) {
        // Bytes reported while the request is written inside send() (QSslSocket's flush can decrypt what was
        // already buffered): read on the next turn, once the caller's slots are connected.
        QMetaObject::invokeMethod(this, &UpstreamReply::onReadyRead, Qt::QueuedConnection);
        return;
    }
    if (m_state == State::Connecting)
        return;
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    m_anyResponseByte = true;
    m_buf += data;
    // The head has one deadline (first_byte_ms from the request): a head trickled a byte at a time does not
    // re-arm it. Inside the body each piece of data does (idle_ms).
    const bool inBody = m_state == State::Body;
    if (inBody) {
        m_timerKind = TimerKind::Idle;
        armTimer(m_request.idleTimeoutMs);
    }
    parse();
    if (!inBody && m_state == State::Body && !m_done) {
        m_timerKind = TimerKind::Idle;
        armTimer(m_request.idleTimeoutMs);
    }
}

bool UpstreamReply::parse()
{
    QPointer<UpstreamReply> guard(this);
    qsizetype pos = 0;
    auto emitData = [&](qsizetype n) -> bool {
        if (n <= 0)
            return true;
        Q_EMIT dataReceived(pos == 0 && n == m_buf.size() ? m_buf : m_buf.mid(pos, n));
        pos += n;
        return !guard.isNull() && !m_done;
    };

    while (!m_done) {
        if (m_state == State::StatusLine || m_state == State::Headers) {
            // The shared strict parser (core/http): a bounded head, a real status, no conflicting framing.
            static const http::Limits limits { 64 * 1024, 200 };
            // Parsed again only when a line has ended (or the head is over its limit): a head trickled a byte
            // at a time costs a scan of each new byte, not a parse of the whole head per read (at most 200
            // lines, 64 KiB each time).
            const qsizetype from = qMax(pos, m_headScanned);
            if (m_buf.size() - pos <= limits.maxHeadBytes && m_buf.indexOf('\n', from) < 0) {
                m_headScanned = m_buf.size();
                break;
            }
            http::ResponseHead head;
            const http::Parsed parsed = http::parseResponseHead(QByteArrayView(m_buf).sliced(pos), limits, &head);
            if (parsed.state == http::Parsed::State::NeedMore) {
                m_headScanned = m_buf.size();
                break;
            }
            if (parsed.state == http::Parsed::State::Invalid) {
                fail(Error::badGateway(
                    QStringLiteral("upstream sent an invalid response head: %1").arg(parsed.error.message)));
                return false;
            }
            pos += parsed.headBytes;
            m_headerBytes += parsed.headBytes;
            m_status = head.status;
            m_headers = std::move(head.headers);
            m_keepAlive = head.keepAlive;
            // 1xx answers (100 Continue, 103 Early Hints) are skipped.
            if (m_status >= 100 && m_status < 200 && m_status != 101) {
                m_state = State::StatusLine;
                continue;
            }
            if (m_request.method == "HEAD" || m_status == 204 || m_status == 304) {
                m_framing = Framing::None;
            } else if (head.chunked) {
                m_framing = Framing::Chunked;
                // No size bound here: a stream may run long; the Relay bounds events and whole answers.
                m_chunked.emplace(std::numeric_limits<qint64>::max() / 4);
            } else if (head.contentLength >= 0) {
                m_remaining = head.contentLength;
                m_framing = m_remaining == 0 ? Framing::None : Framing::Length;
            } else {
                m_framing = Framing::UntilClose;
                m_keepAlive = false;
            }
            m_state = State::Body;
            Q_EMIT headReceived();
            if (guard.isNull() || m_done)
                return false;
            if (m_framing == Framing::None) {
                m_buf.remove(0, pos);
                pos = 0;
                complete();
                return true;
            }
        } else if (m_state == State::Body) {
            const qsizetype avail = m_buf.size() - pos;
            if (m_framing == Framing::Length) {
                const qsizetype n = qsizetype(qMin<qint64>(avail, m_remaining));
                if (n == 0)
                    break;
                m_remaining -= n;
                if (!emitData(n))
                    return false;
                if (m_remaining == 0) {
                    m_buf.remove(0, pos);
                    pos = 0;
                    complete();
                    return true;
                }
            } else if (m_framing == Framing::UntilClose) {
                if (avail == 0)
                    break;
                if (!emitData(avail))
                    return false;
            } else { // Chunked: the shared decoder; a size, CRLF or trailer line that never ends is an error
                QByteArray payload;
                const qsizetype used = m_chunked->feed(QByteArrayView(m_buf).sliced(pos), &payload);
                pos += used;
                if (m_chunked->failed()) {
                    fail(Error::badGateway(
                        QStringLiteral("upstream sent invalid chunked framing: %1").arg(m_chunked->error().message)));
                    return false;
                }
                if (!payload.isEmpty()) {
                    Q_EMIT dataReceived(payload);
                    if (guard.isNull() || m_done)
                        return false;
                }
                if (m_chunked->done()) {
                    m_buf.remove(0, pos);
                    pos = 0;
                    complete();
                    return true;
                }
                if (used == 0 || pos >= m_buf.size())
                    break;
            }
        } else {
            break;
        }
    }
    if (!guard.isNull() && pos > 0) {
        m_buf.remove(0, pos);
        m_headScanned = qMax<qsizetype>(0, m_headScanned - pos);
    }
    return !guard.isNull();
}

void UpstreamReply::complete()
{
    if (!markDone())
        return;
    const bool reusable = m_keepAlive && m_buf.isEmpty() && m_socket
                          && m_socket->state() == QAbstractSocket::ConnectedState && m_socket->bytesAvailable() == 0;
    detachSocket(reusable);
    Q_EMIT finished();
}

void UpstreamReply::fail(const Error &error)
{
    if (!markDone())
        return;
    if (m_socket)
        detachSocket(false);
    qCInfo(lcUpstream).noquote() << "upstream" << m_request.url.host() << "failed:" << error.message;
    Q_EMIT failed(error);
}

std::unique_ptr<UpstreamReply> UpstreamReply::detached(const UpstreamRequest &request)
{
    std::unique_ptr<UpstreamReply> reply(new UpstreamReply(nullptr, request));
    reply->m_state = State::StatusLine;
    return reply;
}

void UpstreamReply::feed(const QByteArray &bytes)
{
    if (m_done || m_socket || bytes.isEmpty())
        return;
    m_anyResponseByte = true;
    m_buf += bytes;
    parse();
}

void UpstreamReply::onSocketClosed()
{
    if (!m_socket || m_done)
        return;
    if (m_state == State::Body && m_framing == Framing::UntilClose) {
        m_buf += m_socket->readAll();
        return endOfInput();
    }
    if (m_reused && !m_anyResponseByte && !m_retried && m_state != State::Connecting) {
        // A pooled connection the server had already closed: no response byte arrived, so the request was not
        // processed and is sent again once, on a fresh connection. A POST is never retried after a byte arrived.
        m_retried = true;
        detachSocket(false);
        m_state = State::Waiting;
        m_timer.stop();
        // On a later turn: this may run inside HttpClient::send, before the caller has connected its slots.
        if (m_client)
            m_client->dispatchLater(this);
        return;
    }
    endOfInput(m_socket->errorString());
}

void UpstreamReply::endOfInput(const QString &socketError)
{
    if (m_done)
        return;
    if (m_state == State::Body && m_framing == Framing::UntilClose) {
        // The end of the connection is the end of the body.
        if (parse())
            complete();
        return;
    }
    const QString where = m_request.url.host() + u':'
                          + QString::number(m_request.url.port(m_request.url.scheme() == u"https" ? 443 : 80));
    if (m_state == State::Connecting)
        fail(Error::badGateway(QStringLiteral("cannot connect to upstream %1: %2").arg(where, socketError)));
    else if (!m_anyResponseByte)
        fail(Error::badGateway(QStringLiteral("upstream %1 closed the connection without answering").arg(where)));
    else
        fail(Error::badGateway(
            QStringLiteral("upstream %1 closed the connection in the middle of the response").arg(where)));
}

void UpstreamReply::onTimeout()
{
    switch (m_timerKind) {
    case TimerKind::Connect:
        fail(Error::timeout(QStringLiteral("timed out connecting to upstream %1 after %2 ms")
                                .arg(m_request.url.host())
                                .arg(m_request.connectTimeoutMs)));
        break;
    case TimerKind::FirstByte:
        fail(Error::timeout(QStringLiteral("upstream %1 sent no response within %2 ms")
                                .arg(m_request.url.host())
                                .arg(m_request.firstByteTimeoutMs)));
        break;
    case TimerKind::Idle:
        fail(Error::timeout(QStringLiteral("upstream %1 went silent for %2 ms")
                                .arg(m_request.url.host())
                                .arg(m_request.idleTimeoutMs)));
        break;
    }
}

void UpstreamReply::detachSocket(bool reusable)
{
    QTcpSocket *s = m_socket;
    m_socket = nullptr;
    if (!s)
        return;
    s->disconnect(this);
    if (m_client)
        m_client->release(m_poolKey, s, reusable);
    else {
        s->abort();
        s->deleteLater();
    }
}

// ---------------------------------------------------------------------------------------------------------
// HttpClient

HttpClient::HttpClient(QObject *parent) : QObject(parent)
{
    m_clock.start();
    m_sweepTimer.setInterval(2000);
    connect(&m_sweepTimer, &QTimer::timeout, this, &HttpClient::sweep);
}

HttpClient::~HttpClient()
{
    for (auto &list : m_idle)
        for (const Idle &i : list) {
            i.socket->disconnect(this);
            i.socket->abort();
            delete i.socket;
        }
}

UpstreamReply *HttpClient::send(const UpstreamRequest &request, QObject *owner)
{
    auto *reply = new UpstreamReply(this, request);
    if (owner)
        reply->setParent(owner);
    // On a pooled connection the request is written now: that emits nothing (the answer is read on a later turn
    // of the event loop, even bytes a TLS flush reports at once, and a write that fails retries on a later turn
    // too), so the caller still connects its slots first, and the request costs no wake-up of the event loop.
    // Anything else starts on the next turn.
    reply->m_startingInSend = true;
    const bool started = startPooled(reply);
    reply->m_startingInSend = false;
    if (!started)
        dispatchLater(reply);
    return reply;
}

void HttpClient::dispatchLater(UpstreamReply *reply)
{
    QMetaObject::invokeMethod(
        this,
        [this, r = QPointer<UpstreamReply>(reply)] {
        if (r && !r->isDone())
            dispatch(r);
        },
        Qt::QueuedConnection);
}

void HttpClient::fetch(const UpstreamRequest &request, QObject *context, WholeAnswer done, qint64 maxBody)
{
    UpstreamReply *reply = send(request, context);
    auto body = std::make_shared<QByteArray>();
    connect(reply, &UpstreamReply::dataReceived, context, [body, maxBody](const QByteArray &d) {
        if (body->size() < maxBody)
            *body += d;
    });
    connect(reply, &UpstreamReply::finished, context, [reply, body, done] {
        reply->deleteLater();
        done(reply->status(), *body, nullptr);
    });
    connect(reply, &UpstreamReply::failed, context, [reply, done](const Error &e) {
        reply->deleteLater();
        done(0, QByteArray(), &e);
    });
}

QTcpSocket *HttpClient::newSocket(const QUrl &url)
{
    QTcpSocket *s = nullptr;
    if (url.scheme() == u"https") {
        auto *ssl = new QSslSocket;
        ssl->setSslConfiguration(m_ssl);
        ssl->setPeerVerifyName(url.host());
        s = ssl;
    } else {
        s = new QTcpSocket;
    }
    if (m_proxies.isEmpty()) {
        // What Qt would pick for this URL, once per connection. None pinned as none: the request is then
        // written straight to the kernel (http::writeNow).
        if (QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(url)).value(0).type() == QNetworkProxy::NoProxy)
            s->setProxy(QNetworkProxy::NoProxy);
    } else {
        // proxies[] from the config, round-robin: the connection is tunnelled with CONNECT.
        const QUrl p(m_proxies.at(m_nextProxy++ % m_proxies.size()));
        QNetworkProxy proxy(QNetworkProxy::HttpProxy, p.host(), quint16(p.port(8080)), p.userName(), p.password());
        s->setProxy(proxy);
    }
    return s;
}

bool HttpClient::startPooled(UpstreamReply *reply)
{
    if (reply->m_retried)
        return false;
    const QString &key = reply->m_poolKey;
    auto idle = m_idle.find(key);
    while (idle != m_idle.end() && !idle->isEmpty()) {
        QTcpSocket *s = idle->takeLast().socket;
        s->disconnect(this);
        if (s->state() == QAbstractSocket::ConnectedState && s->bytesAvailable() == 0) {
            ++m_active[key];
            reply->start(s, true);
            return true;
        }
        s->abort();
        s->deleteLater();
    }
    return false;
}

void HttpClient::dispatch(UpstreamReply *reply)
{
    if (startPooled(reply))
        return;
    const QString &key = reply->m_poolKey;
    if (m_active.value(key) >= m_maxPerHost) {
        m_waiting[key].enqueue(reply);
        return;
    }
    ++m_active[key];
    reply->start(newSocket(reply->m_request.url), false);
}

void HttpClient::release(const QString &key, QTcpSocket *socket, bool reusable)
{
    --m_active[key];
    if (reusable) {
        m_idle[key].append({ socket, m_clock.elapsed() });
        connect(socket, &QTcpSocket::disconnected, this, [this, key, socket] {
            auto &list = m_idle[key];
            list.removeIf([socket](const Idle &i) { return i.socket == socket; });
            socket->deleteLater();
        });
        // Bytes on an idle connection mean the server is closing it or misbehaving: drop it.
        connect(socket, &QTcpSocket::readyRead, this, [socket] { socket->abort(); });
        if (!m_sweepTimer.isActive())
            m_sweepTimer.start();
    } else {
        socket->abort();
        socket->deleteLater();
    }
    auto it = m_waiting.find(key);
    while (it != m_waiting.end() && !it->isEmpty() && m_active.value(key) < m_maxPerHost) {
        QPointer<UpstreamReply> next = it->dequeue();
        if (next && !next->isDone())
            dispatch(next);
    }
}

void HttpClient::sweep()
{
    const qint64 now = m_clock.elapsed();
    bool any = false;
    for (auto it = m_idle.begin(); it != m_idle.end(); ++it) {
        it->removeIf([&](const Idle &i) {
            if (now - i.since < m_idleTimeoutMs)
                return false;
            i.socket->disconnect(this);
            i.socket->abort();
            i.socket->deleteLater();
            return true;
        });
        any = any || !it->isEmpty();
    }
    if (!any)
        m_sweepTimer.stop();
}

int HttpClient::openConnections() const
{
    int n = idleConnections();
    for (int a : m_active)
        n += a;
    return n;
}

int HttpClient::idleConnections() const
{
    int n = 0;
    for (const auto &l : m_idle)
        n += int(l.size());
    return n;
}

} // namespace d2a
