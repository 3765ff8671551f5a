#include "fakeupstream.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qpointer.h>
#include <QtCore/qtimer.h>
#include <QtNetwork/qtcpsocket.h>

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray sse(const QByteArray &event, const QJsonObject &data)
{
    QByteArray out;
    if (!event.isEmpty())
        out += "event: " + event + '\n';
    return out + "data: " + compact(data) + "\n\n";
}

QByteArray chunk(const QByteArray &data)
{
    return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
}

QByteArray formatOfPath(const QByteArray &path)
{
    if (path.contains("/messages"))
        return "anthropic";
    if (path.contains("/responses"))
        return "responses";
    if (path.contains("/chat/completions"))
        return "chat";
    return "gemini";
}

const char *kWords[] = { "Hello", " from", " the", " fake", " upstream", " with", " some", " words" };

} // namespace

QByteArray FakeUpstream::Received::header(const QByteArray &name) const
{
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    return {};
}

FakeUpstream::FakeUpstream(QObject *parent) : QObject(parent)
{
    clock.start();
    connect(&m_server, &QTcpServer::newConnection, this, &FakeUpstream::onConnection);
}

FakeUpstream::~FakeUpstream()
{
    // The sockets belong to m_server, which outlives the hashes their slots touch: end them first.
    const auto sockets = m_ids.keys();
    for (QTcpSocket *s : sockets) {
        s->disconnect(this);
        delete s;
    }
}

bool FakeUpstream::listen(quint16 port)
{
    return m_server.listen(QHostAddress::LocalHost, port);
}

QUrl FakeUpstream::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path));
}

void FakeUpstream::onConnection()
{
    while (QTcpSocket *s = m_server.nextPendingConnection()) {
        ++connectionsAccepted;
        ++openConnections;
        maxOpenConnections = qMax(maxOpenConnections, openConnections);
        m_ids.insert(s, connectionsAccepted);
        s->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(s, &QTcpSocket::readyRead, this, [this, s] { onReadyRead(s); });
        connect(s, &QTcpSocket::disconnected, this, [this, s] {
            --openConnections;
            if (m_streaming.value(s)) {
                ++clientDisconnectsWhileStreaming;
                Q_EMIT streamAborted();
            }
            m_buffers.remove(s);
            m_ids.remove(s);
            m_streaming.remove(s);
            s->deleteLater();
        });
    }
}

void FakeUpstream::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buf = m_buffers[socket];
    buf += socket->readAll();
    for (;;) {
        const qsizetype end = buf.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = buf.left(end).split('\n');
        Received r;
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        r.method = first.value(0);
        r.path = first.value(1);
        qint64 length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            r.headers.append({ line.left(colon).trimmed(), line.mid(colon + 1).trimmed() });
            if (line.left(colon).trimmed().toLower() == "content-length")
                length = line.mid(colon + 1).trimmed().toLongLong();
        }
        if (buf.size() < end + 4 + length)
            return;
        r.body = buf.mid(end + 4, length);
        buf.remove(0, end + 4 + length);
        r.json = QJsonDocument::fromJson(r.body).object();
        r.connectionId = m_ids.value(socket);
        received.append(r);
        Q_EMIT requestReceived();
        respond(socket, r);
        if (!m_buffers.contains(socket))
            return;
    }
}

QList<QByteArray> FakeUpstream::streamEvents(const QByteArray &format, const QString &model, int textDeltas)
{
    QList<QByteArray> ev;
    const int n = qMax(1, textDeltas);
    auto word = [](int i) { return QString::fromLatin1(kWords[i % 8]); };
    if (format == "anthropic") {
        ev << sse("message_start", { { "type", "message_start" },
                                     { "message", QJsonObject { { "id", "msg_fake1" }, { "type", "message" }, { "role", "assistant" },
                                                                { "model", model }, { "content", QJsonArray() },
                                                                { "stop_reason", QJsonValue::Null }, { "stop_sequence", QJsonValue::Null },
                                                                { "usage", QJsonObject { { "input_tokens", 12 }, { "output_tokens", 1 } } } } } });
        ev << sse("content_block_start", { { "type", "content_block_start" }, { "index", 0 },
                                           { "content_block", QJsonObject { { "type", "text" }, { "text", "" } } } });
        for (int i = 0; i < n; ++i)
            ev << sse("content_block_delta", { { "type", "content_block_delta" }, { "index", 0 },
                                               { "delta", QJsonObject { { "type", "text_delta" }, { "text", word(i) } } } });
        ev << sse("content_block_stop", { { "type", "content_block_stop" }, { "index", 0 } });
        ev << sse("message_delta", { { "type", "message_delta" },
                                     { "delta", QJsonObject { { "stop_reason", "end_turn" }, { "stop_sequence", QJsonValue::Null } } },
                                     { "usage", QJsonObject { { "output_tokens", n } } } });
        ev << sse("message_stop", { { "type", "message_stop" } });
    } else if (format == "responses") {
        int seq = 0;
        QString text;
        for (int i = 0; i < n; ++i)
            text += word(i);
        const QJsonObject inProgress { { "id", "resp_fake1" }, { "object", "response" }, { "created_at", 1700000000 },
                                       { "status", "in_progress" }, { "model", model }, { "output", QJsonArray() } };
        const QJsonObject msgItem { { "type", "message" }, { "id", "msg_fake1" }, { "status", "in_progress" },
                                    { "role", "assistant" }, { "content", QJsonArray() } };
        ev << sse("response.created", { { "type", "response.created" }, { "sequence_number", seq++ }, { "response", inProgress } });
        ev << sse("response.in_progress", { { "type", "response.in_progress" }, { "sequence_number", seq++ }, { "response", inProgress } });
        ev << sse("response.output_item.added", { { "type", "response.output_item.added" }, { "sequence_number", seq++ },
                                                  { "output_index", 0 }, { "item", msgItem } });
        ev << sse("response.content_part.added", { { "type", "response.content_part.added" }, { "sequence_number", seq++ },
                                                   { "item_id", "msg_fake1" }, { "output_index", 0 }, { "content_index", 0 },
                                                   { "part", QJsonObject { { "type", "output_text" }, { "text", "" }, { "annotations", QJsonArray() } } } });
        for (int i = 0; i < n; ++i)
            ev << sse("response.output_text.delta", { { "type", "response.output_text.delta" }, { "sequence_number", seq++ },
                                                      { "item_id", "msg_fake1" }, { "output_index", 0 }, { "content_index", 0 },
                                                      { "delta", word(i) } });
        const QJsonObject part { { "type", "output_text" }, { "text", text }, { "annotations", QJsonArray() } };
        ev << sse("response.output_text.done", { { "type", "response.output_text.done" }, { "sequence_number", seq++ },
                                                 { "item_id", "msg_fake1" }, { "output_index", 0 }, { "content_index", 0 }, { "text", text } });
        ev << sse("response.content_part.done", { { "type", "response.content_part.done" }, { "sequence_number", seq++ },
                                                  { "item_id", "msg_fake1" }, { "output_index", 0 }, { "content_index", 0 }, { "part", part } });
        QJsonObject doneItem = msgItem;
        doneItem.insert("status", "completed");
        doneItem.insert("content", QJsonArray { part });
        ev << sse("response.output_item.done", { { "type", "response.output_item.done" }, { "sequence_number", seq++ },
                                                 { "output_index", 0 }, { "item", doneItem } });
        QJsonObject completed = inProgress;
        completed.insert("status", "completed");
        completed.insert("output", QJsonArray { doneItem });
        completed.insert("usage", QJsonObject { { "input_tokens", 12 }, { "output_tokens", n }, { "total_tokens", 12 + n } });
        ev << sse("response.completed", { { "type", "response.completed" }, { "sequence_number", seq++ }, { "response", completed } });
    } else if (format == "chat") {
        const QJsonObject base { { "id", "chatcmpl-fake1" }, { "object", "chat.completion.chunk" }, { "created", 1700000000 }, { "model", model } };
        auto chunkWith = [&](const QJsonObject &delta, const QJsonValue &finish) {
            QJsonObject c = base;
            c.insert("choices", QJsonArray { QJsonObject { { "index", 0 }, { "delta", delta }, { "finish_reason", finish } } });
            return sse({}, c);
        };
        ev << chunkWith({ { "role", "assistant" }, { "content", "" } }, QJsonValue::Null);
        for (int i = 0; i < n; ++i)
            ev << chunkWith({ { "content", word(i) } }, QJsonValue::Null);
        ev << chunkWith({}, "stop");
        QJsonObject usage = base;
        usage.insert("choices", QJsonArray());
        usage.insert("usage", QJsonObject { { "prompt_tokens", 12 }, { "completion_tokens", n }, { "total_tokens", 12 + n } });
        ev << sse({}, usage);
        ev << QByteArray("data: [DONE]\n\n");
    } else {
        for (int i = 0; i < n; ++i) {
            QJsonObject c { { "candidates", QJsonArray { QJsonObject { { "content", QJsonObject { { "role", "model" }, { "parts", QJsonArray { QJsonObject { { "text", word(i) } } } } } },
                                                                       { "index", 0 } } } },
                            { "modelVersion", model } };
            if (i == n - 1) {
                QJsonArray cands = c.value("candidates").toArray();
                QJsonObject c0 = cands[0].toObject();
                c0.insert("finishReason", "STOP");
                cands[0] = c0;
                c.insert("candidates", cands);
                c.insert("usageMetadata", QJsonObject { { "promptTokenCount", 12 }, { "candidatesTokenCount", n }, { "totalTokenCount", 12 + n } });
            }
            ev << sse({}, c);
        }
    }
    return ev;
}

QByteArray FakeUpstream::wholeBody(const QByteArray &format, const QString &model)
{
    const QString text = QStringLiteral("Hello from the fake upstream");
    if (format == "anthropic")
        return compact({ { "id", "msg_fake1" }, { "type", "message" }, { "role", "assistant" }, { "model", model },
                         { "content", QJsonArray { QJsonObject { { "type", "text" }, { "text", text } } } },
                         { "stop_reason", "end_turn" }, { "stop_sequence", QJsonValue::Null },
                         { "usage", QJsonObject { { "input_tokens", 12 }, { "output_tokens", 6 } } } });
    if (format == "responses")
        return compact({ { "id", "resp_fake1" }, { "object", "response" }, { "created_at", 1700000000 }, { "status", "completed" },
                         { "model", model },
                         { "output", QJsonArray { QJsonObject { { "type", "message" }, { "id", "msg_fake1" }, { "status", "completed" }, { "role", "assistant" },
                                                                { "content", QJsonArray { QJsonObject { { "type", "output_text" }, { "text", text }, { "annotations", QJsonArray() } } } } } } },
                         { "usage", QJsonObject { { "input_tokens", 12 }, { "output_tokens", 6 }, { "total_tokens", 18 } } } });
    if (format == "chat")
        return compact({ { "id", "chatcmpl-fake1" }, { "object", "chat.completion" }, { "created", 1700000000 }, { "model", model },
                         { "choices", QJsonArray { QJsonObject { { "index", 0 }, { "message", QJsonObject { { "role", "assistant" }, { "content", text } } },
                                                                 { "finish_reason", "stop" } } } },
                         { "usage", QJsonObject { { "prompt_tokens", 12 }, { "completion_tokens", 6 }, { "total_tokens", 18 } } } });
    if (format == "count")
        return compact({ { "input_tokens", 42 } });
    return compact({ { "candidates", QJsonArray { QJsonObject { { "content", QJsonObject { { "role", "model" }, { "parts", QJsonArray { QJsonObject { { "text", text } } } } } },
                                                               { "finishReason", "STOP" }, { "index", 0 } } } },
                     { "usageMetadata", QJsonObject { { "promptTokenCount", 12 }, { "candidatesTokenCount", 6 }, { "totalTokenCount", 18 } } },
                     { "modelVersion", model } });
}

void FakeUpstream::respond(QTcpSocket *socket, const Received &req)
{
    const QJsonObject fake = req.json.value("fake").toObject();
    const QString scenario = fake.value("scenario").toString(QStringLiteral("normal"));
    const int delay = fake.value("delay_ms").toInt(0);
    const int deltas = fake.value("deltas").toInt(3);
    const QByteArray format = formatOfPath(req.path);
    const QString model = req.json.value("model").toString();
    const QByteArray extraHeaders = QByteArray("x-request-id: req_fake_") + QByteArray::number(received.size()) + "\r\n";

    if (scenario == u"hang")
        return;
    if (scenario == u"close") {
        socket->abort();
        return;
    }
    if (scenario == u"raw") {
        socket->write(fake.value("raw").toString().toUtf8());
        if (fake.value("close").toBool())
            socket->disconnectFromHost();
        return;
    }
    if (scenario == u"status") {
        const QByteArray body = fake.value("body").toString().toUtf8();
        socket->write("HTTP/1.1 " + QByteArray::number(fake.value("status").toInt(500)) + " Error\r\nContent-Type: application/json\r\n"
                      + extraHeaders + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        return;
    }
    if (scenario == u"utf8split") {
        const QByteArray event = sse("content_block_delta", { { "type", "content_block_delta" }, { "index", 0 },
                                                              { "delta", QJsonObject { { "type", "text_delta" }, { "text", QStringLiteral("h\u00e9llo \u4e16\u754c \U0001F600") } } } });
        const qsizetype cut = event.indexOf("\xe4\xb8\x96") + 1; // inside the 3-byte character
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        socket->write(chunk(event.left(cut)));
        socket->flush();
        m_streaming[socket] = true;
        QPointer<QTcpSocket> s(socket);
        QTimer::singleShot(delay, this, [this, s, event, cut] {
            if (!s)
                return;
            s->write(chunk(event.mid(cut)));
            s->write(chunk(sse("message_stop", { { "type", "message_stop" } })) + "0\r\n\r\n");
            m_streaming[s] = false;
        });
        return;
    }
    const bool isCount = req.path.contains("count_tokens");
    const bool stream = !isCount && (req.json.value("stream").toBool() || req.path.contains("stream"));
    if (!stream) {
        const QByteArray body = wholeBody(isCount ? QByteArray("count") : format, model);
        auto send = [this, socket, body, extraHeaders] {
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extraHeaders
                          + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        };
        if (delay > 0) {
            QPointer<QTcpSocket> s(socket);
            QTimer::singleShot(delay, this, [s, send] { if (s) send(); });
        } else {
            send();
        }
        return;
    }
    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n" + extraHeaders
                  + "Transfer-Encoding: chunked\r\n\r\n");
    streamTo(socket, streamEvents(format, model, deltas), delay, scenario == u"cut", scenario == u"stall");
}

void FakeUpstream::streamTo(QTcpSocket *socket, QList<QByteArray> events, int delayMs, bool cutAfterFirst,
                            bool stallAfterFirst)
{
    eventSentAtMs.clear();
    m_streaming[socket] = true;
    QPointer<QTcpSocket> s(socket);
    auto index = std::make_shared<int>(0);
    auto step = std::make_shared<std::function<void()>>();
    m_steps.append(step); // owned here; the lambda holds only a weak reference (no cycle)
    std::weak_ptr<std::function<void()>> weakStep = step;
    *step = [this, s, events, delayMs, cutAfterFirst, stallAfterFirst, index, weakStep] {
        auto step = weakStep.lock();
        if (!step)
            return;
        if (!s || s->state() != QAbstractSocket::ConnectedState)
            return;
        if (*index > 0 && cutAfterFirst) {
            m_streaming[s] = false;
            s->abort();
            return;
        }
        if (*index > 0 && stallAfterFirst)
            return;
        s->write(chunk(events[*index]));
        s->flush();
        eventSentAtMs.append(clock.elapsed());
        ++*index;
        if (*index >= events.size()) {
            s->write("0\r\n\r\n");
            m_streaming[s] = false;
            return;
        }
        QTimer::singleShot(delayMs, this, *step);
    };
    (*step)();
}
