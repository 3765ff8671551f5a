#pragma once
// Ingress: QHttpServer (through the compat header) on our own QTcpServer, so accepted sockets get TCP_NODELAY,
// oversized bodies are refused before they are buffered, and each request becomes an Exchange.

#include "../compat/httpservercompat.h"
#include "exchange.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qhash.h>
#include <QtCore/qqueue.h>
#include <QtCore/qset.h>
#include <QtHttpServer/qabstracthttpserver.h>
#include <QtNetwork/qtcpserver.h>

#include <functional>

namespace d2a {

class HttpServer;

/// Accepts connections for HttpServer and keeps a registry of them.
class HttpListener final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpListener)

public:
    explicit HttpListener(HttpServer *server);
    /// The accepted socket talking to peer:port (used on Qt 6.5+, where requests do not carry their socket).
    QTcpSocket *socketFor(const QHostAddress &peer, quint16 port) const;
    int connectionCount() const { return int(m_sockets.size()); }
    /// Closes every connection once its pending bytes are written; true when none has bytes left to send.
    bool closeAll();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void inspect(QTcpSocket *socket);
    HttpServer *m_server;
    QHash<QTcpSocket *, quint16> m_sockets;
};

class HttpServer final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    using Handler = std::function<void(Exchange *)>;
    using FormatForPath = std::function<WireFormat(const QString &path)>;

    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    /// Which error shape a path's clients expect (for errors raised before routing, e.g. 413).
    void setFormatForPath(FormatForPath f) { m_formatForPath = std::move(f); }
    void setMaxBodyBytes(qint64 n) { m_maxBody = n; }
    qint64 maxBodyBytes() const { return m_maxBody; }

    /// Listens on host:port (port 0: any free port). Returns the bound port, or 0 with `error` set.
    quint16 start(const QString &host, quint16 port, QString *error);
    /// Stops accepting connections. In-flight exchanges continue.
    void stopListening();
    /// Closes idle client connections after their last bytes are sent, then calls `done` (bounded wait).
    void flushAndClose(int timeoutMs, std::function<void()> done);
    bool isListening() const;
    int activeExchanges() const { return m_active; }
    int openConnections() const { return m_listener ? m_listener->connectionCount() : 0; }

    /// Sends an error for `path` directly on `socket` and closes it (requests refused before QHttpServer
    /// buffers them).
    void refuseEarly(QTcpSocket *socket, const QString &path, const Error &error);
    bool isBusy(QTcpSocket *socket) const { return m_busy.contains(socket); }
    bool isRefused(QTcpSocket *socket) const { return m_refused.contains(socket); }

Q_SIGNALS:
    void exchangeDone(const d2a::RequestRecord &record);
    void idle(); ///< no exchange in flight any more

protected:
    bool handleRequest(const QHttpServerRequest &request, compat::HandlerArg arg) override;
    void missingHandler(const QHttpServerRequest &request, compat::MissingArg arg) override;

private:
    void dispatch(QTcpSocket *socket, IncomingRequest req, std::unique_ptr<compat::HttpResponseChannel> channel,
                  bool keepAlive);
    void onExchangeDone(QTcpSocket *socket, const RequestRecord &record);

    struct Queued
    {
        IncomingRequest request;
        bool keepAlive;
    };

    HttpListener *m_listener = nullptr;
    Handler m_handler;
    FormatForPath m_formatForPath;
    qint64 m_maxBody = 32 * 1024 * 1024;
    int m_active = 0;
    qint64 m_startedMs = QDateTime::currentMSecsSinceEpoch();
    QHash<QTcpSocket *, bool> m_busy; ///< sockets with a response in flight
    QHash<QTcpSocket *, QQueue<Queued>> m_pipelined; ///< 6.4: requests that arrived while one was in flight
    QHash<QTcpSocket *, bool> m_refused;
    QSet<QTcpSocket *> m_watched;
};

} // namespace d2a
