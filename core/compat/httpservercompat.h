#pragma once
// The one place that knows how QHttpServer differs between Qt versions. Everything else in droid2api talks to
// HttpResponseChannel and the helpers below. Verified against the headers of Qt 6.4.2 (Debian 12) and 6.8.2
// (Debian 13); 6.5-6.7 follow the Qt documentation of those versions:
//   6.4    handleRequest(req, QTcpSocket*), no responder lifetime rules, headers() is a QList of pairs,
//          no remotePort(), ignores "Expect: 100-continue", answers pipelined requests concurrently.
//   6.5-7  handleRequest(req, QHttpServerResponder&), missingHandler(req, QHttpServerResponder&&), no socket();
//          the connection reads its next request only once a moved-out responder is destroyed.
//   6.8+   missingHandler(req, QHttpServerResponder&), listen() gone (bind() a listening QTcpServer, returns
//          bool), headers are QHttpHeaders, writeStatusLine/writeBody replaced by writeBeginChunked/writeChunk.

#include <QtCore/qbytearray.h>
#include <QtCore/qglobal.h>
#include <QtCore/qlist.h>
#include <QtCore/qloggingcategory.h>
#include <QtCore/qpair.h>
#include <QtCore/qpointer.h>
#include <QtHttpServer/qabstracthttpserver.h>
#include <QtHttpServer/qhttpserverrequest.h>
#include <QtHttpServer/qhttpserverresponder.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>

#include <memory>
#include <optional>

#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
#include <QtNetwork/qhttpheaders.h>
#endif

namespace d2a::compat {

using HeaderPairs = QList<QPair<QByteArray, QByteArray>>;

#if QT_VERSION < QT_VERSION_CHECK(6, 5, 0)
#define D2A_QHTTPSERVER_SOCKET_API 1 // the server hands us the QTcpSocket; we write the response bytes ourselves
using HandlerArg = QTcpSocket *;
using MissingArg = QTcpSocket *;
#elif QT_VERSION < QT_VERSION_CHECK(6, 8, 0)
using HandlerArg = QHttpServerResponder &;
using MissingArg = QHttpServerResponder &&;
#else
using HandlerArg = QHttpServerResponder &;
using MissingArg = QHttpServerResponder &;
#endif

/// All request headers in arrival order, names as sent.
inline HeaderPairs headerPairs(const QHttpServerRequest &request)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    HeaderPairs out;
    const QHttpHeaders &h = request.headers();
    out.reserve(h.size());
    for (qsizetype i = 0; i < h.size(); ++i) {
        const QLatin1StringView name = h.nameAt(i); // 6.8 returns views: copy them out
        out.append(qMakePair(QByteArray(name.data(), name.size()), h.valueAt(i).toByteArray()));
    }
    return out;
#else
    return request.headers();
#endif
}

/// Makes the server serve connections accepted by `listener`, which must already be listening.
inline bool bindListener(QAbstractHttpServer &server, QTcpServer *listener)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    return server.bind(listener);
#else
    server.bind(listener);
    return listener->isListening();
#endif
}

/// True when this Qt's QHttpServer answers "Expect: 100-continue" itself (6.5+). On 6.4 the listener does it.
constexpr bool serverHandlesExpectContinue()
{
    return QT_VERSION >= QT_VERSION_CHECK(6, 5, 0);
}

/// The client's TCP port, used to find the accepted socket of a request on 6.5+ (0 where unknown).
inline quint16 remotePort(const QHttpServerRequest &request)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    return request.remotePort();
#else
    Q_UNUSED(request);
    return 0;
#endif
}

/// Writes one HTTP response, whole or chunked, whatever the Qt version. Holds the responder (6.5+) for as long
/// as the response is open, so the connection does not read the next request early.
class HttpResponseChannel final
{
public:
#ifdef D2A_QHTTPSERVER_SOCKET_API
    explicit HttpResponseChannel(QTcpSocket *socket, bool keepAlive) : m_socket(socket), m_keepAlive(keepAlive) { }
#else
    HttpResponseChannel(QHttpServerResponder &&responder, bool keepAlive)
        : m_responder(std::move(responder)), m_keepAlive(keepAlive)
    {
    }
#endif
    Q_DISABLE_COPY_MOVE(HttpResponseChannel)

    /// A complete response with a Content-Length.
    void writeWhole(int status, const HeaderPairs &headers, const QByteArray &body)
    {
#ifdef D2A_QHTTPSERVER_SOCKET_API
        QByteArray head = statusLine(status);
        appendHeaders(head, headers);
        head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        if (!m_keepAlive)
            head += "Connection: close\r\n";
        head += "\r\n";
        rawWrite(head + body);
        finishConnection();
#elif QT_VERSION < QT_VERSION_CHECK(6, 8, 0)
        m_responder->writeStatusLine(QHttpServerResponder::StatusCode(status));
        for (const auto &h : headers)
            m_responder->writeHeader(h.first, h.second);
        m_responder->writeHeader("Content-Length", QByteArray::number(body.size()));
        m_responder->writeBody(body);
        m_responder.reset();
#else
        m_responder->write(body, toQHttpHeaders(headers), QHttpServerResponder::StatusCode(status));
        m_responder.reset();
#endif
    }

    /// Starts a chunked response; follow with writeChunk() and end with finishChunked() or abort().
    void beginChunked(int status, const HeaderPairs &headers)
    {
#if defined(D2A_QHTTPSERVER_SOCKET_API) || QT_VERSION < QT_VERSION_CHECK(6, 8, 0)
        QByteArray head = statusLine(status);
        appendHeaders(head, headers);
        head += "Transfer-Encoding: chunked\r\n";
#ifdef D2A_QHTTPSERVER_SOCKET_API
        if (!m_keepAlive)
            head += "Connection: close\r\n";
        rawWrite(head + "\r\n");
#else
        // 6.5-6.7: writeStatusLine/writeHeader emit the head; the first writeBody() adds the blank line.
        m_responder->writeStatusLine(QHttpServerResponder::StatusCode(status));
        for (const auto &h : headers)
            m_responder->writeHeader(h.first, h.second);
        m_responder->writeHeader("Transfer-Encoding", "chunked");
#endif
#else
        m_responder->writeBeginChunked(toQHttpHeaders(headers), QHttpServerResponder::StatusCode(status));
#endif
    }

    void writeChunk(const QByteArray &data)
    {
        if (data.isEmpty())
            return;
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
        m_responder->writeChunk(data);
#else
        QByteArray framed = QByteArray::number(data.size(), 16) + "\r\n";
        framed += data;
        framed += "\r\n";
#ifdef D2A_QHTTPSERVER_SOCKET_API
        rawWrite(framed);
#else
        m_responder->writeBody(framed);
#endif
#endif
    }

    void finishChunked()
    {
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
        // writeEndChunked(empty) writes the terminating "0" chunk correctly but also warns "Chunk must have
        // length > 0" (it passes the empty data to writeChunk first). The stream's last event has already
        // left, so the empty call is right: silence qt.httpserver's warnings for this one call only.
        static QLoggingCategory::CategoryFilter previous = nullptr;
        previous = QLoggingCategory::installFilter([](QLoggingCategory *category) {
            if (previous)
                previous(category);
            if (qstrncmp(category->categoryName(), "qt.httpserver", 13) == 0)
                category->setEnabled(QtWarningMsg, false);
        });
        m_responder->writeEndChunked(QByteArray());
        QLoggingCategory::installFilter(previous);
        m_responder.reset();
#elif defined(D2A_QHTTPSERVER_SOCKET_API)
        rawWrite(QByteArrayLiteral("0\r\n\r\n"));
        finishConnection();
#else
        m_responder->writeBody(QByteArrayLiteral("0\r\n\r\n"));
        m_responder.reset();
#endif
    }

    /// Ends the response without a clean terminator: the client must not take a cut-off body as complete.
    void abort(QTcpSocket *socket)
    {
        if (socket)
            socket->abort();
#ifndef D2A_QHTTPSERVER_SOCKET_API
        m_responder.reset();
#endif
    }

private:
    static QByteArray statusLine(int status)
    {
        return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    }
    static QByteArray reasonPhrase(int status)
    {
        switch (status) {
        case 200: return "OK";
        case 204: return "No Content";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 413: return "Payload Too Large";
        case 422: return "Unprocessable Entity";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        case 529: return "Overloaded";
        default: return status < 400 ? "OK" : "Error";
        }
    }
    static void appendHeaders(QByteArray &out, const HeaderPairs &headers)
    {
        for (const auto &h : headers)
            out += h.first + ": " + h.second + "\r\n";
    }
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    static QHttpHeaders toQHttpHeaders(const HeaderPairs &headers)
    {
        QHttpHeaders out;
        for (const auto &h : headers)
            out.append(h.first, h.second);
        return out;
    }
#endif
#ifdef D2A_QHTTPSERVER_SOCKET_API
    void rawWrite(const QByteArray &bytes)
    {
        // 6.4: the socket is deleted on disconnect; a QPointer keeps us from writing to freed memory.
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
            m_socket->write(bytes);
            m_socket->flush(); // out now, not on the next turn of the event loop
        }
    }
    void finishConnection()
    {
        if (!m_keepAlive && m_socket)
            m_socket->disconnectFromHost();
    }
    QPointer<QTcpSocket> m_socket;
#else
    std::optional<QHttpServerResponder> m_responder;
#endif
    bool m_keepAlive;
};

} // namespace d2a::compat
