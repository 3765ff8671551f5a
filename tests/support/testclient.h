#pragma once
// A test-side HTTP call against the proxy that records what arrived and when.

#include "upstream/httpclient.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtTest/qtest.h>

struct RecordedCall
{
    int status = 0;
    d2a::HeaderList headers;
    QByteArray body;
    QList<QPair<qint64, QByteArray>> pieces; ///< arrival time (ms since the shared clock) and bytes
    bool finished = false;
    bool failed = false;
    QString error;
    d2a::UpstreamReply *reply = nullptr;

    bool done() const { return finished || failed; }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QByteArray header(const QByteArray &name) const { return d2a::headerValue(headers, name); }
};

/// Starts a call; `call` must outlive it. Uses `clock` for arrival times.
inline void startCall(d2a::HttpClient &client, RecordedCall &call, const QByteArray &method, const QUrl &url,
                      const QByteArray &body, const d2a::HeaderList &headers, const QElapsedTimer &clock)
{
    d2a::UpstreamRequest r;
    r.method = method;
    r.url = url;
    r.body = body;
    r.headers = headers;
    r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    r.firstByteTimeoutMs = 30000;
    r.idleTimeoutMs = 30000;
    call.reply = client.send(r, &client);
    QObject::connect(call.reply, &d2a::UpstreamReply::headReceived, call.reply, [&call] {
        call.status = call.reply->status();
        call.headers = call.reply->headers();
    });
    QObject::connect(call.reply, &d2a::UpstreamReply::dataReceived, call.reply, [&call, &clock](const QByteArray &d) {
        call.body += d;
        call.pieces.append({ clock.elapsed(), d });
    });
    QObject::connect(call.reply, &d2a::UpstreamReply::finished, call.reply, [&call] { call.finished = true; });
    QObject::connect(call.reply, &d2a::UpstreamReply::failed, call.reply, [&call](const d2a::Error &e) {
        call.failed = true;
        call.error = e.message;
    });
}
