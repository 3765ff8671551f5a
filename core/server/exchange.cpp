#include "exchange.h"

#include "httpserver.h"
#include "../formats/apierrors.h"
#include "../log/log.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtNetwork/qtcpsocket.h>

namespace d2a {

namespace {

/// The message of an error answer in any of the four shapes (else its first bytes), redacted.
QString errorText(const QByteArray &body)
{
    const QJsonObject o = QJsonDocument::fromJson(body.left(64 * 1024)).object();
    const QJsonValue e = o.value(u"error");
    QString text = e.isObject() ? e.toObject().value(u"message").toString() : e.toString();
    if (text.isEmpty())
        text = o.value(u"message").toString();
    if (text.isEmpty())
        text = QString::fromUtf8(body.left(300)).simplified();
    return log::redact(text.left(500));
}
constexpr qint64 kDrainedBelow = 256 * 1024;
} // namespace

Exchange::Exchange(IncomingRequest request, HttpConnection *connection, QObject *parent)
    : QObject(parent), m_request(std::move(request)), m_connection(connection),
      m_socket(connection ? connection->socket() : nullptr)
{
    m_timer.start();
    static qint64 counter = 0;
    m_record.id = ++counter;
    m_record.at = QDateTime::currentDateTimeUtc(); // shown in local time; UTC is cheaper to take
    m_record.method = QString::fromLatin1(m_request.method);
    m_record.path = m_request.path;
    m_record.bytesIn = m_request.body.size();
    m_record.userAgent = QString::fromUtf8(headerValue(m_request.headers, "user-agent").left(200));
    if (m_socket) {
        connect(m_socket, &QTcpSocket::disconnected, this, &Exchange::onSocketGone);
        connect(m_socket, &QObject::destroyed, this, &Exchange::onSocketGone);
        connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
            if (m_socket && m_socket->bytesToWrite() < kDrainedBelow)
                Q_EMIT drained();
        });
    }
}

Exchange::~Exchange() = default;

qint64 Exchange::pendingBytes() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void Exchange::respond(int status, const HeaderList &headers, const QByteArray &body)
{
    if (m_finished || m_streaming)
        return;
    HeaderList all = m_common;
    all += headers;
    m_record.status = status;
    m_record.bytesOut = body.size();
    m_contentSent = true;
    if (status >= 400 && m_record.error.isEmpty())
        m_record.error = errorText(body);
    if (!m_clientGone)
        if (m_connection)
            m_connection->writeWhole(status, all, m_request.method == "HEAD" ? QByteArray() : body);
    finish();
}

void Exchange::respondJson(int status, const QByteArray &json, const HeaderList &extra)
{
    HeaderList h { { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") } };
    h += extra;
    respond(status, h, json);
}

void Exchange::noteError(const QString &message)
{
    m_record.error = log::redact(message.left(500));
}

void Exchange::respondError(const Error &error)
{
    m_record.error = log::redact(error.message);
    if (m_streaming) {
        writeStream(renderStreamError(m_format, error));
        m_record.status = error.httpStatus;
        endStream();
        return;
    }
    respondJson(error.httpStatus, renderErrorBody(m_format, error));
}

void Exchange::beginStream(int status, const HeaderList &headers)
{
    if (m_finished || m_streaming)
        return;
    m_streaming = true;
    m_record.streamed = true;
    m_record.status = status;
    HeaderList all = m_common;
    all += headers;
    if (!m_clientGone && m_connection)
        m_connection->beginChunked(status, all);
}

void Exchange::writeStream(const QByteArray &bytes)
{
    if (!m_streaming || m_finished || m_clientGone || bytes.isEmpty())
        return;
    m_contentSent = true;
    writeKeepAlive(bytes);
}

void Exchange::writeKeepAlive(const QByteArray &bytes)
{
    if (!m_streaming || m_finished || m_clientGone)
        return;
    m_record.bytesOut += bytes.size();
    if (m_connection)
        m_connection->writeChunk(bytes);
}

void Exchange::endStream()
{
    if (!m_streaming || m_finished)
        return;
    if (!m_clientGone && m_connection)
        m_connection->finishChunked();
    finish();
}

void Exchange::onSocketGone()
{
    if (m_finished || m_clientGone)
        return;
    m_clientGone = true;
    m_record.clientAborted = true;
    if (m_record.status == 0)
        m_record.status = 499; // nginx's "client closed request"
    Q_EMIT clientGone();
    finish();
}

void Exchange::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_record.durationMs = m_timer.elapsed();
    if (m_socket) {
        m_socket->disconnect(this);
    }
    // Answers that went wrong on our or the upstream's side are warnings, so "errors only" shows them. The
    // line is formatted only when it is logged: that costs more than the rest of a tiny request's bookkeeping.
    const QtMsgType level = m_record.status >= 500 ? QtWarningMsg : QtInfoMsg;
    if (lcServer().isEnabled(level)) {
        const QString line =
            QStringLiteral("%1 %2 model=%3 status=%4 %5ms in=%6B out=%7B%8%9")
                .arg(log::clientText(m_record.method, 20), log::clientText(m_record.path),
                     m_record.model.isEmpty() ? QStringLiteral("-") : log::clientText(m_record.model))
                .arg(m_record.status)
                .arg(m_record.durationMs)
                .arg(m_record.bytesIn)
                .arg(m_record.bytesOut)
                .arg(m_record.streamed ? QStringLiteral(" stream") : QString(),
                     m_record.clientAborted ? QStringLiteral(" client-gone") : QString())
            + (m_record.rule.isEmpty()
                   ? QString()
                   : QStringLiteral(" asked=%1 rule=\"%2\"").arg(log::clientText(m_record.requested), m_record.rule))
            + (m_record.error.isEmpty() ? QString() : QStringLiteral(": ") + m_record.error);
        if (level == QtWarningMsg)
            qCWarning(lcServer).noquote() << line;
        else
            qCInfo(lcServer).noquote() << line;
    }
    Q_EMIT done(m_record);
    deleteLater();
}

} // namespace d2a
