#include "fakeupstream.h"

#include "fakesession.h"
#include "http/http1.h"
#include "json/json.h"
#include "json/jsonwriter.h"
#include "vendorchecks.h"

#include <algorithm>

#include <QtCore/qdatetime.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qpointer.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qtimer.h>
#include <QtNetwork/qtcpsocket.h>

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMaxBodyBytes = 64 * 1024 * 1024;

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

enum class Take { NeedMore, Done, Invalid };

/// Takes one whole request off the front of `buf`, read by droid2api's own HTTP/1.1 parser (core/http/http1.h)
/// so the fake is exactly as strict as the server it stands in front of; a chunked body is decoded.
Take takeRequest(QByteArray &buf, FakeUpstream::Received *r, d2a::Error *error)
{
    d2a::http::Limits limits;
    limits.maxHeadBytes = 1024 * 1024;
    limits.maxHeaders = 1000;
    d2a::http::RequestHead head;
    const d2a::http::Parsed parsed = d2a::http::parseRequestHead(buf, limits, &head);
    if (parsed.state == d2a::http::Parsed::State::NeedMore)
        return Take::NeedMore;
    if (parsed.state == d2a::http::Parsed::State::Invalid) {
        *error = parsed.error;
        return Take::Invalid;
    }
    const QByteArrayView rest = QByteArrayView(buf).sliced(parsed.headBytes);
    qsizetype bodyBytes = 0;
    if (head.chunked) {
        // The whole body is decoded again on each read until it is complete: test bodies are small.
        d2a::http::ChunkedDecoder decoder(kMaxBodyBytes);
        bodyBytes = decoder.feed(rest, &r->body);
        if (decoder.failed()) {
            *error = decoder.error();
            return Take::Invalid;
        }
        if (!decoder.done())
            return Take::NeedMore;
    } else {
        bodyBytes = qsizetype(qMax<qint64>(0, head.contentLength));
        if (rest.size() < bodyBytes)
            return Take::NeedMore;
        r->body = rest.first(bodyBytes).toByteArray();
    }
    r->method = head.method;
    r->path = head.target;
    r->headers = head.headers;
    buf.remove(0, parsed.headBytes + bodyBytes);
    return Take::Done;
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

/// A value that follows `schema` (JSON Schema, or Google's OpenAPI subset with upper-case types), keys in the
/// schema's order (or its propertyOrdering): what "the model" answers when asked for structured output.
void writeSample(d2a::json::Writer &w, const d2a::json::Value &schema)
{
    using d2a::json::Value;
    if (schema["enum"].isArray() && schema["enum"].size() > 0) {
        w.value(schema["enum"].at(0));
        return;
    }
    QString type = schema["type"].toString().toLower();
    if (schema["type"].isArray())
        for (Value t : schema["type"].children())
            if (!t.stringIs("null")) {
                type = t.toString().toLower();
                break;
            }
    if (type == u"object" || (type.isEmpty() && schema["properties"].isObject())) {
        w.beginObject();
        const Value props = schema["properties"];
        QStringList order;
        for (Value k : schema["propertyOrdering"].children())
            order << k.toString();
        if (order.isEmpty())
            for (Value p : props.children())
                order << p.key();
        for (const QString &k : std::as_const(order)) {
            w.key(k);
            writeSample(w, props[QLatin1StringView(k.toLatin1())]);
        }
        w.endObject();
    } else if (type == u"array") {
        w.beginArray();
        writeSample(w, schema["items"]);
        w.endArray();
    } else if (type == u"integer") {
        w.number(qint64(7));
    } else if (type == u"number") {
        w.raw("2.5");
    } else if (type == u"boolean") {
        w.boolean(true);
    } else {
        w.string(u"x");
    }
}

/// The structured-output schema a request asks for in `format` (null: none).
QByteArray schemaAsked(const QByteArray &format, const QByteArray &body)
{
    auto doc = d2a::json::Document::parse(body);
    if (!doc)
        return {};
    const d2a::json::Value root = doc.value().root();
    d2a::json::Value schema;
    if (format == "anthropic")
        schema = root["output_config"]["format"]["schema"];
    else if (format == "responses")
        schema = root["text"]["format"]["schema"];
    else if (format == "chat")
        schema = root["response_format"]["json_schema"]["schema"];
    else
        schema = root["generationConfig"].contains("responseJsonSchema")
                     ? root["generationConfig"]["responseJsonSchema"]
                     : root["generationConfig"]["responseSchema"];
    if (!schema.isObject())
        return {};
    QByteArray out;
    d2a::json::Writer w(&out);
    writeSample(w, schema);
    return out;
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
    m_server.setListenBacklogSize(1024);
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
        Received r;
        d2a::Error error;
        const Take taken = takeRequest(buf, &r, &error);
        if (taken == Take::NeedMore)
            return;
        if (taken == Take::Invalid) {
            // droid2api never sends a request its own parser refuses: answer as its server would, then close.
            const QByteArray body = error.message.toUtf8();
            socket->write("HTTP/1.1 " + QByteArray::number(error.httpStatus) + ' '
                          + d2a::http::reasonPhrase(error.httpStatus) + "\r\nConnection: close\r\nContent-Length: "
                          + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            buf.clear();
            socket->disconnectFromHost();
            return;
        }
        r.json = QJsonDocument::fromJson(r.body).object();
        r.connectionId = m_ids.value(socket);
        if (r.path.startsWith("/api/cli/")
            || r.path == "/api/billing/limits") { // account calls: apart from LLM requests
            accountCalls.append(r);
            respondAccount(socket, r);
            if (!m_buffers.contains(socket))
                return;
            continue;
        }
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
        ev << sse("message_start",
                  { { u"type"_s, u"message_start"_s },
                    { u"message"_s, QJsonObject { { u"id"_s, u"msg_fake1"_s },
                                                  { u"type"_s, u"message"_s },
                                                  { u"role"_s, u"assistant"_s },
                                                  { u"model"_s, model },
                                                  { u"content"_s, QJsonArray() },
                                                  { u"stop_reason"_s, QJsonValue::Null },
                                                  { u"stop_sequence"_s, QJsonValue::Null },
                                                  { u"usage"_s, QJsonObject { { u"input_tokens"_s, 12 },
                                                                              { u"output_tokens"_s, 1 } } } } } });
        ev << sse("content_block_start",
                  { { u"type"_s, u"content_block_start"_s },
                    { u"index"_s, 0 },
                    { u"content_block"_s, QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, u""_s } } } });
        for (int i = 0; i < n; ++i)
            ev << sse("content_block_delta",
                      { { u"type"_s, u"content_block_delta"_s },
                        { u"index"_s, 0 },
                        { u"delta"_s, QJsonObject { { u"type"_s, u"text_delta"_s }, { u"text"_s, word(i) } } } });
        ev << sse("content_block_stop", { { u"type"_s, u"content_block_stop"_s }, { u"index"_s, 0 } });
        ev << sse("message_delta", { { u"type"_s, u"message_delta"_s },
                                     { u"delta"_s, QJsonObject { { u"stop_reason"_s, u"end_turn"_s },
                                                                 { u"stop_sequence"_s, QJsonValue::Null } } },
                                     { u"usage"_s, QJsonObject { { u"output_tokens"_s, n } } } });
        ev << sse("message_stop", { { u"type"_s, u"message_stop"_s } });
    } else if (format == "responses") {
        int seq = 0;
        QString text;
        for (int i = 0; i < n; ++i)
            text += word(i);
        const QJsonObject inProgress { { u"id"_s, u"resp_fake1"_s },    { u"object"_s, u"response"_s },
                                       { u"created_at"_s, 1700000000 }, { u"status"_s, u"in_progress"_s },
                                       { u"model"_s, model },           { u"output"_s, QJsonArray() } };
        const QJsonObject msgItem { { u"type"_s, u"message"_s },
                                    { u"id"_s, u"msg_fake1"_s },
                                    { u"status"_s, u"in_progress"_s },
                                    { u"role"_s, u"assistant"_s },
                                    { u"content"_s, QJsonArray() } };
        ev << sse(
            "response.created",
            { { u"type"_s, u"response.created"_s }, { u"sequence_number"_s, seq++ }, { u"response"_s, inProgress } });
        ev << sse("response.in_progress", { { u"type"_s, u"response.in_progress"_s },
                                            { u"sequence_number"_s, seq++ },
                                            { u"response"_s, inProgress } });
        ev << sse("response.output_item.added", { { u"type"_s, u"response.output_item.added"_s },
                                                  { u"sequence_number"_s, seq++ },
                                                  { u"output_index"_s, 0 },
                                                  { u"item"_s, msgItem } });
        ev << sse("response.content_part.added", { { u"type"_s, u"response.content_part.added"_s },
                                                   { u"sequence_number"_s, seq++ },
                                                   { u"item_id"_s, u"msg_fake1"_s },
                                                   { u"output_index"_s, 0 },
                                                   { u"content_index"_s, 0 },
                                                   { u"part"_s, QJsonObject { { u"type"_s, u"output_text"_s },
                                                                              { u"text"_s, u""_s },
                                                                              { u"annotations"_s, QJsonArray() } } } });
        for (int i = 0; i < n; ++i)
            ev << sse("response.output_text.delta", { { u"type"_s, u"response.output_text.delta"_s },
                                                      { u"sequence_number"_s, seq++ },
                                                      { u"item_id"_s, u"msg_fake1"_s },
                                                      { u"output_index"_s, 0 },
                                                      { u"content_index"_s, 0 },
                                                      { u"delta"_s, word(i) } });
        const QJsonObject part { { u"type"_s, u"output_text"_s },
                                 { u"text"_s, text },
                                 { u"annotations"_s, QJsonArray() } };
        ev << sse("response.output_text.done", { { u"type"_s, u"response.output_text.done"_s },
                                                 { u"sequence_number"_s, seq++ },
                                                 { u"item_id"_s, u"msg_fake1"_s },
                                                 { u"output_index"_s, 0 },
                                                 { u"content_index"_s, 0 },
                                                 { u"text"_s, text } });
        ev << sse("response.content_part.done", { { u"type"_s, u"response.content_part.done"_s },
                                                  { u"sequence_number"_s, seq++ },
                                                  { u"item_id"_s, u"msg_fake1"_s },
                                                  { u"output_index"_s, 0 },
                                                  { u"content_index"_s, 0 },
                                                  { u"part"_s, part } });
        QJsonObject doneItem = msgItem;
        doneItem.insert(u"status"_s, u"completed"_s);
        doneItem.insert(u"content"_s, QJsonArray { part });
        ev << sse("response.output_item.done", { { u"type"_s, u"response.output_item.done"_s },
                                                 { u"sequence_number"_s, seq++ },
                                                 { u"output_index"_s, 0 },
                                                 { u"item"_s, doneItem } });
        QJsonObject completed = inProgress;
        completed.insert(u"status"_s, u"completed"_s);
        completed.insert(u"output"_s, QJsonArray { doneItem });
        completed.insert(
            u"usage"_s,
            QJsonObject { { u"input_tokens"_s, 12 }, { u"output_tokens"_s, n }, { u"total_tokens"_s, 12 + n } });
        ev << sse(
            "response.completed",
            { { u"type"_s, u"response.completed"_s }, { u"sequence_number"_s, seq++ }, { u"response"_s, completed } });
    } else if (format == "chat") {
        const QJsonObject base { { u"id"_s, u"chatcmpl-fake1"_s },
                                 { u"object"_s, u"chat.completion.chunk"_s },
                                 { u"created"_s, 1700000000 },
                                 { u"model"_s, model } };
        auto chunkWith = [&](const QJsonObject &delta, const QJsonValue &finish) {
            QJsonObject c = base;
            c.insert(u"choices"_s, QJsonArray { QJsonObject {
                                       { u"index"_s, 0 }, { u"delta"_s, delta }, { u"finish_reason"_s, finish } } });
            return sse({}, c);
        };
        ev << chunkWith({ { u"role"_s, u"assistant"_s }, { u"content"_s, u""_s } }, QJsonValue::Null);
        for (int i = 0; i < n; ++i)
            ev << chunkWith({ { u"content"_s, word(i) } }, QJsonValue::Null);
        ev << chunkWith({}, u"stop"_s);
        QJsonObject usage = base;
        usage.insert(u"choices"_s, QJsonArray());
        usage.insert(
            u"usage"_s,
            QJsonObject { { u"prompt_tokens"_s, 12 }, { u"completion_tokens"_s, n }, { u"total_tokens"_s, 12 + n } });
        ev << sse({}, usage);
        ev << QByteArray("data: [DONE]\n\n");
    } else {
        for (int i = 0; i < n; ++i) {
            QJsonObject c { { u"candidates"_s,
                              QJsonArray { QJsonObject {
                                  { u"content"_s, QJsonObject { { u"role"_s, u"model"_s },
                                                                { u"parts"_s, QJsonArray { QJsonObject {
                                                                                  { u"text"_s, word(i) } } } } } },
                                  { u"index"_s, 0 } } } },
                            { u"modelVersion"_s, model } };
            if (i == n - 1) {
                QJsonArray cands = c.value(u"candidates"_s).toArray();
                QJsonObject c0 = cands[0].toObject();
                c0.insert(u"finishReason"_s, u"STOP"_s);
                cands[0] = c0;
                c.insert(u"candidates"_s, cands);
                c.insert(u"usageMetadata"_s, QJsonObject { { u"promptTokenCount"_s, 12 },
                                                           { u"candidatesTokenCount"_s, n },
                                                           { u"totalTokenCount"_s, 12 + n } });
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
        return compact({ { u"id"_s, u"msg_fake1"_s },
                         { u"type"_s, u"message"_s },
                         { u"role"_s, u"assistant"_s },
                         { u"model"_s, model },
                         { u"content"_s, QJsonArray { QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } } } },
                         { u"stop_reason"_s, u"end_turn"_s },
                         { u"stop_sequence"_s, QJsonValue::Null },
                         { u"usage"_s, QJsonObject { { u"input_tokens"_s, 12 }, { u"output_tokens"_s, 6 } } } });
    if (format == "responses")
        return compact(
            { { u"id"_s, u"resp_fake1"_s },
              { u"object"_s, u"response"_s },
              { u"created_at"_s, 1700000000 },
              { u"status"_s, u"completed"_s },
              { u"model"_s, model },
              { u"output"_s,
                QJsonArray { QJsonObject {
                    { u"type"_s, u"message"_s },
                    { u"id"_s, u"msg_fake1"_s },
                    { u"status"_s, u"completed"_s },
                    { u"role"_s, u"assistant"_s },
                    { u"content"_s, QJsonArray { QJsonObject { { u"type"_s, u"output_text"_s },
                                                               { u"text"_s, text },
                                                               { u"annotations"_s, QJsonArray() } } } } } } },
              { u"usage"_s,
                QJsonObject { { u"input_tokens"_s, 12 }, { u"output_tokens"_s, 6 }, { u"total_tokens"_s, 18 } } } });
    if (format == "chat")
        return compact(
            { { u"id"_s, u"chatcmpl-fake1"_s },
              { u"object"_s, u"chat.completion"_s },
              { u"created"_s, 1700000000 },
              { u"model"_s, model },
              { u"choices"_s, QJsonArray { QJsonObject { { u"index"_s, 0 },
                                                         { u"message"_s, QJsonObject { { u"role"_s, u"assistant"_s },
                                                                                       { u"content"_s, text } } },
                                                         { u"finish_reason"_s, u"stop"_s } } } },
              { u"usage"_s, QJsonObject { { u"prompt_tokens"_s, 12 },
                                          { u"completion_tokens"_s, 6 },
                                          { u"total_tokens"_s, 18 } } } });
    if (format == "count")
        return compact({ { u"input_tokens"_s, 42 } });
    return compact(
        { { u"candidates"_s,
            QJsonArray { QJsonObject {
                { u"content"_s, QJsonObject { { u"role"_s, u"model"_s },
                                              { u"parts"_s, QJsonArray { QJsonObject { { u"text"_s, text } } } } } },
                { u"finishReason"_s, u"STOP"_s },
                { u"index"_s, 0 } } } },
          { u"usageMetadata"_s, QJsonObject { { u"promptTokenCount"_s, 12 },
                                              { u"candidatesTokenCount"_s, 6 },
                                              { u"totalTokenCount"_s, 18 } } },
          { u"modelVersion"_s, model } });
}

QString FakeUpstream::issueRefreshToken()
{
    static int serial = 0;
    const QString t = QStringLiteral("rt-fake-%1-%2").arg(++serial).arg(QString::number(clock.nsecsElapsed(), 36));
    validRefreshTokens.insert(t);
    return t;
}

QString FakeUpstream::makeAccessToken(qint64 ttl, const QString &org)
{
    static int serial = 0;
    auto b64 = [](const QByteArray &d) {
        return d.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    const QByteArray header = b64(R"({"alg":"none","typ":"JWT"})");
    QJsonObject claims { { u"sub"_s, u"user_1"_s },
                         { u"email"_s, email },
                         { u"jti"_s, ++serial },
                         { u"exp"_s, double(QDateTime::currentSecsSinceEpoch() + ttl) } };
    if (!org.isEmpty())
        claims.insert(u"org_id"_s, org);
    const QByteArray payload = b64(compact(claims));
    const QString token =
        QString::fromLatin1(header + '.' + payload + '.' + b64("fake-signature-" + QByteArray::number(serial)));
    issuedAccessTokens.append(token);
    return token;
}

void FakeUpstream::respondAccount(QTcpSocket *socket, const Received &req)
{
    if (req.path == "/api/billing/limits") {
        ++limitsCalls;
        if (limitsStatus != 200)
            return sendJson(socket, limitsStatus, R"({"error":"not found"})");
        return sendJson(socket, 200, limitsBody);
    }
    if (req.path == "/api/cli/whoami") {
        if (whoamiStatus != 200)
            return sendJson(socket, whoamiStatus, R"({"error":"invalid api key"})");
        QJsonObject o { { u"userId"_s, u"user_1"_s },  { u"orgId"_s, u"org_test"_s },
                        { u"region"_s, whoamiRegion }, { u"isOnPrem"_s, !whoamiPremHost.isEmpty() },
                        { u"isEnterprise"_s, false },  { u"principalKind"_s, u"human"_s } };
        if (!whoamiPremHost.isEmpty())
            o.insert(u"premBaseHost"_s, whoamiPremHost);
        return sendJson(socket, 200, compact(o));
    }
    if (req.path == "/api/cli/org")
        return sendJson(socket, 200, compact({ { u"workosOrgIds"_s, QJsonArray::fromStringList(organizations) } }));
    sendJson(socket, 404, R"({"error":"not found"})");
}

void FakeUpstream::sendJson(QTcpSocket *socket, int status, const QByteArray &body)
{
    socket->write("HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: application/json\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
}

void FakeUpstream::respondFake(QTcpSocket *socket, const Received &req)
{
    if (req.path == "/fake/knobs") {
        const QJsonObject k = req.json;
        if (k.contains(u"issue_refresh_token"_s)) {
            sendJson(socket, 200, compact({ { u"refresh_token"_s, issueRefreshToken() } }));
            return;
        }
        failNextRefreshes = k.value(u"fail_next_refreshes"_s).toInt(failNextRefreshes);
        dropNextRefreshes = k.value(u"drop_next_refreshes"_s).toInt(dropNextRefreshes);
        refreshDelayMs = k.value(u"refresh_delay_ms"_s).toInt(refreshDelayMs);
        accessTtlSecs = k.value(u"access_ttl_secs"_s).toInt(int(accessTtlSecs));
        if (k.contains(u"reject_bearer"_s))
            rejectBearers.insert(k.value(u"reject_bearer"_s).toString().toUtf8());
        whoamiStatus = k.value(u"whoami_status"_s).toInt(whoamiStatus);
        whoamiRegion = k.value(u"whoami_region"_s).toString(whoamiRegion);
        if (k.contains(u"organizations"_s)) {
            organizations.clear();
            for (const QJsonValue &o : k.value(u"organizations"_s).toArray())
                organizations << o.toString();
        }
        vendorChecks = k.value(u"vendor_checks"_s).toBool(vendorChecks);
        if (k.contains(u"agent"_s)) {
            const QJsonObject a = k.value(u"agent"_s).toObject();
            AgentRule rule;
            rule.tool = a.value(u"tool"_s).toString();
            rule.arguments = a.value(u"arguments"_s).toString(QStringLiteral("{}")).toUtf8();
            rule.text = a.value(u"text"_s).toString(rule.text);
            rule.afterTool = a.value(u"after_tool"_s).toString(rule.afterTool);
            rule.delayMs = a.value(u"delay_ms"_s).toInt(0);
            agent = rule;
            agentToolCalls = agentAfterTool = agentTexts = 0;
            agentToolResults.clear();
            agentRequests.clear();
        }
        if (k.contains(u"device_script"_s)) {
            deviceScript.clear();
            devicePolls = 0;
            for (const QJsonValue &v : k.value(u"device_script"_s).toArray())
                deviceScript << v.toString();
        }
    }
    QJsonArray agentRequestsJson;
    for (const QJsonObject &o : std::as_const(agentRequests))
        agentRequestsJson.append(o);
    QJsonArray valid;
    for (const QString &t : std::as_const(validRefreshTokens))
        valid.append(t);
    QJsonArray bearers;
    for (const Received &r : std::as_const(received))
        if (!r.path.startsWith("/fake") && !r.path.startsWith("/user_management"))
            bearers.append(QString::fromUtf8(r.header("authorization")));
    sendJson(
        socket, 200,
        compact({ { u"refresh_count"_s, refreshCount },
                  { u"refresh_attempts"_s, refreshAttempts },
                  { u"valid_refresh_tokens"_s, valid },
                  { u"upstream_authorizations"_s, bearers },
                  { u"device_polls"_s, devicePolls },
                  { u"vendor_checks"_s, vendorChecks },
                  { u"vendor_rejections"_s, vendorRejections },
                  { u"last_vendor_rejection"_s, lastVendorRejection },
                  { u"vendor_rejection_messages"_s, QJsonArray::fromStringList(vendorRejectionMessages) },
                  { u"agent_tool_calls"_s, agentToolCalls },
                  { u"agent_after_tool"_s, agentAfterTool },
                  { u"agent_texts"_s, agentTexts },
                  { u"agent_tool_results"_s, QJsonArray::fromStringList(agentToolResults) },
                  { u"agent_requests"_s, agentRequestsJson },
                  { u"api_requests"_s, int(std::count_if(
                                           received.cbegin(), received.cend(),
                                           [](const Received &r) {
        return !r.path.startsWith("/fake") && !r.path.startsWith("/user_management");
                                           })) },
                  { u"llm_requests"_s, int(std::count_if(received.cbegin(), received.cend(), [](const Received &r) {
                        return r.path.startsWith("/api/llm/");
                    })) } }));
}

void FakeUpstream::respondWorkOs(QTcpSocket *socket, const Received &req)
{
    QHash<QString, QString> form;
    for (const QByteArray &pair : req.body.split('&')) {
        const qsizetype eq = pair.indexOf('=');
        if (eq > 0)
            form.insert(QUrl::fromPercentEncoding(pair.left(eq)), QUrl::fromPercentEncoding(pair.mid(eq + 1)));
    }
    if (form.value(QStringLiteral("client_id")) != workosClientId) {
        sendJson(socket, 400, R"({"error":"invalid_client","error_description":"unknown client_id"})");
        return;
    }
    if (req.path.endsWith("/authorize/device")) {
        sendJson(socket, 200,
                 compact({ { u"device_code"_s, u"dc-fake-device-code-123456"_s },
                           { u"user_code"_s, u"WXYZ-1234"_s },
                           { u"verification_uri"_s, url(u"/device"_s).toString() },
                           { u"verification_uri_complete"_s, url(u"/device?user_code=WXYZ-1234"_s).toString() },
                           { u"expires_in"_s, deviceExpiresIn },
                           { u"interval"_s, deviceInterval } }));
        return;
    }
    const QString grant = form.value(QStringLiteral("grant_type"));
    if (grant == u"urn:ietf:params:oauth:grant-type:device_code") {
        const QString step = deviceScript.value(devicePolls, QStringLiteral("ok"));
        ++devicePolls;
        if (step != u"ok") {
            sendJson(socket, 400,
                     compact({ { u"error"_s, step }, { u"error_description"_s, QString(u"device flow: "_s + step) } }));
            return;
        }
        const QString refresh = issueRefreshToken();
        sendJson(socket, 200,
                 compact({ { u"access_token"_s, makeAccessToken(accessTtlSecs) },
                           { u"refresh_token"_s, refresh },
                           { u"user"_s, QJsonObject { { u"id"_s, u"user_1"_s }, { u"email"_s, email } } } }));
        return;
    }
    if (grant != u"refresh_token") {
        sendJson(socket, 400, R"({"error":"unsupported_grant_type"})");
        return;
    }
    ++refreshAttempts;
    if (dropNextRefreshes > 0) {
        --dropNextRefreshes;
        socket->abort();
        return;
    }
    if (failNextRefreshes > 0) {
        --failNextRefreshes;
        sendJson(socket, 500, R"({"error":"server_error"})");
        return;
    }
    const QString token = form.value(QStringLiteral("refresh_token"));
    const QString organization = form.value(QStringLiteral("organization_id"));
    refreshOrganizations << organization;
    auto answer = [this, socket, token, organization] {
        if (!validRefreshTokens.contains(token)) {
            sendJson(socket, 400,
                     compact({ { u"error"_s, u"invalid_grant"_s },
                               { u"error_description"_s, spentRefreshTokens.contains(token)
                                                             ? u"Refresh token already exchanged."_s
                                                             : u"Refresh token not found."_s } }));
            return;
        }
        // Rotation: the old token is spent, a new one replaces it.
        validRefreshTokens.remove(token);
        spentRefreshTokens.insert(token);
        ++refreshCount;
        // With organisations configured, a token is scoped (org_id claim) only when the refresh named one.
        const QString org = organizations.isEmpty() ? QStringLiteral("org_1") : organization;
        sendJson(socket, 200,
                 compact({ { u"access_token"_s, makeAccessToken(accessTtlSecs, org) },
                           { u"refresh_token"_s, issueRefreshToken() },
                           { u"user"_s, QJsonObject { { u"id"_s, u"user_1"_s },
                                                      { u"email"_s, email },
                                                      { u"first_name"_s, u"Dev"_s } } },
                           { u"organization_id"_s, org } }));
    };
    if (refreshDelayMs > 0) {
        QPointer<QTcpSocket> s(socket);
        QTimer::singleShot(refreshDelayMs, this, [s, answer] {
            if (s)
                answer();
        });
    } else {
        answer();
    }
}

QStringList FakeUpstream::toolNamesOf(const QByteArray &format, const QJsonObject &body)
{
    QStringList names;
    for (const QJsonValue &t : body.value(u"tools"_s).toArray()) {
        const QJsonObject o = t.toObject();
        if (format == "chat")
            names << o.value(u"function"_s).toObject().value(u"name"_s).toString();
        else if (format == "gemini")
            for (const QJsonValue &f : o.value(u"functionDeclarations"_s).toArray())
                names << f.toObject().value(u"name"_s).toString();
        else
            names << o.value(u"name"_s).toString();
    }
    return names;
}

namespace {

/// One message (item, content) of a request's history as the agent rule reads it.
struct Entry
{
    bool user = false; ///< a user message with text
    QString text;
    QStringList results; ///< its tool results, "id=text"
};

QList<Entry> entriesOf(const QByteArray &format, const QJsonObject &body)
{
    QList<Entry> out;
    auto textOf = [](const QJsonValue &v) {
        if (v.isString())
            return v.toString();
        QString t;
        for (const QJsonValue &b : v.toArray())
            t += b.toObject().value(u"text"_s).toString();
        return t;
    };
    // The text parts of a content (a string, or parts of any API's shape, thoughts left out).
    auto userText = [](const QJsonValue &content, bool *has) {
        if (content.isString()) {
            *has = true;
            return content.toString();
        }
        QString t;
        for (const QJsonValue &pv : content.toArray()) {
            const QJsonObject p = pv.toObject();
            const QString type = p.value(u"type"_s).toString();
            if (p.value(u"thought"_s).toBool() || !p.value(u"text"_s).isString()
                || !(type.isEmpty() || type == u"text" || type == u"input_text"))
                continue;
            *has = true;
            t += (t.isEmpty() ? QString() : u"\n"_s) + p.value(u"text"_s).toString();
        }
        return t;
    };
    if (format == "anthropic" || format == "chat") {
        for (const QJsonValue &mv : body.value(u"messages"_s).toArray()) {
            const QJsonObject m = mv.toObject();
            const QString role = m.value(u"role"_s).toString();
            Entry e;
            if (role == u"tool")
                e.results << m.value(u"tool_call_id"_s).toString() + u'=' + textOf(m.value(u"content"_s));
            for (const QJsonValue &b : m.value(u"content"_s).toArray())
                if (format == "anthropic" && b.toObject().value(u"type"_s).toString() == u"tool_result")
                    e.results << b.toObject().value(u"tool_use_id"_s).toString() + u'='
                                     + textOf(b.toObject().value(u"content"_s));
            if (role == u"user") {
                bool has = false;
                e.text = userText(m.value(u"content"_s), &has);
                e.user = has && e.results.isEmpty();
            }
            out << e;
        }
    } else if (format == "responses") {
        const QJsonValue input = body.value(u"input"_s);
        if (input.isString())
            out << Entry { true, input.toString(), {} };
        for (const QJsonValue &iv : input.toArray()) {
            const QJsonObject item = iv.toObject();
            const QString type = item.value(u"type"_s).toString();
            Entry e;
            if (type == u"function_call_output" || type == u"custom_tool_call_output")
                e.results << item.value(u"call_id"_s).toString() + u'=' + textOf(item.value(u"output"_s));
            else if ((type.isEmpty() || type == u"message") && item.value(u"role"_s).toString() == u"user")
                e.text = userText(item.value(u"content"_s), &e.user);
            out << e;
        }
    } else {
        for (const QJsonValue &cv : body.value(u"contents"_s).toArray()) {
            const QJsonObject c = cv.toObject();
            Entry e;
            if (c.value(u"role"_s).toString() != u"model") {
                for (const QJsonValue &p : c.value(u"parts"_s).toArray())
                    if (p.toObject().contains(u"functionResponse"_s)) {
                        const QJsonObject fr = p.toObject().value(u"functionResponse"_s).toObject();
                        const QJsonObject r = fr.value(u"response"_s).toObject();
                        e.results << fr.value(u"name"_s).toString() + u'='
                                         + (r.contains(u"output"_s) ? textOf(r.value(u"output"_s))
                                                                    : QString::fromUtf8(compact(r)));
                    }
                bool has = false;
                e.text = userText(c.value(u"parts"_s), &has);
                e.user = has && e.results.isEmpty();
            }
            out << e;
        }
    }
    return out;
}

} // namespace

QString FakeUpstream::toolResultsOf(const QByteArray &format, const QJsonObject &body)
{
    QStringList out;
    for (const Entry &e : entriesOf(format, body))
        out << e.results;
    return out.join(QStringLiteral(" | "));
}

FakeUpstream::AgentTurn FakeUpstream::agentTurnOf(const QByteArray &format, const QJsonObject &body)
{
    AgentTurn t;
    for (const Entry &e : entriesOf(format, body)) {
        t.historyResults += int(e.results.size());
        if (e.user) {
            ++t.userTurns;
            t.userText = e.text;
            t.results.clear();
        }
        t.results << e.results;
    }
    static const QRegularExpression step(u"\\bstep (\\d+)\\b"_s, QRegularExpression::CaseInsensitiveOption);
    for (auto it = step.globalMatch(t.userText); it.hasNext();)
        t.step = it.next().captured(1).toInt();
    return t;
}

QList<QByteArray> FakeUpstream::scenarioEvents(const QByteArray &format, const QString &model, const QString &scenario,
                                               const QString &answer)
{
    if (scenario == u"plain") {
        QList<QByteArray> plain = streamEvents(format, model, 3);
        return plain;
    }
    const bool tools = scenario == u"tools" && answer.isEmpty();
    const QString text =
        scenario == u"tools" ? QStringLiteral("Results: ") + answer : QStringLiteral("The answer is 42.");
    const QString thought = QStringLiteral("Let me think about it.");
    const QString signature = QStringLiteral("sig-%1-opaque").arg(QString::fromLatin1(format));
    const QJsonObject paris { { u"city"_s, u"Paris"_s } };
    const QJsonObject london { { u"city"_s, u"London"_s } };
    QList<QByteArray> ev;
    if (format == "anthropic") {
        ev << sse(
            "message_start",
            { { u"type"_s, u"message_start"_s },
              { u"message"_s, QJsonObject { { u"id"_s, u"msg_s1"_s },
                                            { u"type"_s, u"message"_s },
                                            { u"role"_s, u"assistant"_s },
                                            { u"model"_s, model },
                                            { u"content"_s, QJsonArray() },
                                            { u"stop_reason"_s, QJsonValue::Null },
                                            { u"stop_sequence"_s, QJsonValue::Null },
                                            { u"usage"_s, QJsonObject { { u"input_tokens"_s, 30 },
                                                                        { u"output_tokens"_s, 1 },
                                                                        { u"cache_read_input_tokens"_s, 5 } } } } } });
        int index = 0;
        if (scenario == u"think") {
            ev << sse("content_block_start", { { u"type"_s, u"content_block_start"_s },
                                               { u"index"_s, index },
                                               { u"content_block"_s, QJsonObject { { u"type"_s, u"thinking"_s },
                                                                                   { u"thinking"_s, u""_s },
                                                                                   { u"signature"_s, u""_s } } } });
            ev << sse("content_block_delta", { { u"type"_s, u"content_block_delta"_s },
                                               { u"index"_s, index },
                                               { u"delta"_s, QJsonObject { { u"type"_s, u"thinking_delta"_s },
                                                                           { u"thinking"_s, thought } } } });
            ev << sse("content_block_delta", { { u"type"_s, u"content_block_delta"_s },
                                               { u"index"_s, index },
                                               { u"delta"_s, QJsonObject { { u"type"_s, u"signature_delta"_s },
                                                                           { u"signature"_s, signature } } } });
            ev << sse("content_block_stop", { { u"type"_s, u"content_block_stop"_s }, { u"index"_s, index++ } });
        }
        if (tools) {
            for (const auto &[id, args] : { std::pair { QStringLiteral("toolu_paris"), paris },
                                            std::pair { QStringLiteral("toolu_london"), london } }) {
                ev << sse("content_block_start",
                          { { u"type"_s, u"content_block_start"_s },
                            { u"index"_s, index },
                            { u"content_block"_s, QJsonObject { { u"type"_s, u"tool_use"_s },
                                                                { u"id"_s, id },
                                                                { u"name"_s, u"get_weather"_s },
                                                                { u"input"_s, QJsonObject() } } } });
                const QByteArray json = compact(args);
                ev << sse("content_block_delta",
                          { { u"type"_s, u"content_block_delta"_s },
                            { u"index"_s, index },
                            { u"delta"_s, QJsonObject { { u"type"_s, u"input_json_delta"_s },
                                                        { u"partial_json"_s, QString::fromUtf8(json.left(5)) } } } });
                ev << sse("content_block_delta",
                          { { u"type"_s, u"content_block_delta"_s },
                            { u"index"_s, index },
                            { u"delta"_s, QJsonObject { { u"type"_s, u"input_json_delta"_s },
                                                        { u"partial_json"_s, QString::fromUtf8(json.mid(5)) } } } });
                ev << sse("content_block_stop", { { u"type"_s, u"content_block_stop"_s }, { u"index"_s, index++ } });
            }
        } else {
            ev << sse("content_block_start",
                      { { u"type"_s, u"content_block_start"_s },
                        { u"index"_s, index },
                        { u"content_block"_s, QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, u""_s } } } });
            ev << sse("content_block_delta",
                      { { u"type"_s, u"content_block_delta"_s },
                        { u"index"_s, index },
                        { u"delta"_s, QJsonObject { { u"type"_s, u"text_delta"_s }, { u"text"_s, text } } } });
            ev << sse("content_block_stop", { { u"type"_s, u"content_block_stop"_s }, { u"index"_s, index++ } });
        }
        ev << sse("message_delta",
                  { { u"type"_s, u"message_delta"_s },
                    { u"delta"_s, QJsonObject { { u"stop_reason"_s, tools ? u"tool_use"_s : u"end_turn"_s },
                                                { u"stop_sequence"_s, QJsonValue::Null } } },
                    { u"usage"_s, QJsonObject { { u"output_tokens"_s, 17 } } } });
        ev << sse("message_stop", { { u"type"_s, u"message_stop"_s } });
    } else if (format == "responses") {
        int seq = 0;
        int out = 0;
        const QJsonObject resp0 { { u"id"_s, u"resp_s1"_s },       { u"object"_s, u"response"_s },
                                  { u"created_at"_s, 1700000000 }, { u"status"_s, u"in_progress"_s },
                                  { u"model"_s, model },           { u"output"_s, QJsonArray() } };
        ev << sse("response.created",
                  { { u"type"_s, u"response.created"_s }, { u"sequence_number"_s, seq++ }, { u"response"_s, resp0 } });
        QJsonArray output;
        if (scenario == u"think") {
            ev << sse("response.output_item.added", { { u"type"_s, u"response.output_item.added"_s },
                                                      { u"sequence_number"_s, seq++ },
                                                      { u"output_index"_s, out },
                                                      { u"item"_s, QJsonObject { { u"type"_s, u"reasoning"_s },
                                                                                 { u"id"_s, u"rs_1"_s },
                                                                                 { u"summary"_s, QJsonArray() } } } });
            ev << sse("response.reasoning_summary_part.added",
                      { { u"type"_s, u"response.reasoning_summary_part.added"_s },
                        { u"sequence_number"_s, seq++ },
                        { u"item_id"_s, u"rs_1"_s },
                        { u"output_index"_s, out },
                        { u"summary_index"_s, 0 },
                        { u"part"_s, QJsonObject { { u"type"_s, u"summary_text"_s }, { u"text"_s, u""_s } } } });
            ev << sse("response.reasoning_summary_text.delta",
                      { { u"type"_s, u"response.reasoning_summary_text.delta"_s },
                        { u"sequence_number"_s, seq++ },
                        { u"item_id"_s, u"rs_1"_s },
                        { u"output_index"_s, out },
                        { u"summary_index"_s, 0 },
                        { u"delta"_s, thought } });
            ev << sse("response.reasoning_summary_text.done",
                      { { u"type"_s, u"response.reasoning_summary_text.done"_s },
                        { u"sequence_number"_s, seq++ },
                        { u"item_id"_s, u"rs_1"_s },
                        { u"output_index"_s, out },
                        { u"summary_index"_s, 0 },
                        { u"text"_s, thought } });
            ev << sse("response.reasoning_summary_part.done",
                      { { u"type"_s, u"response.reasoning_summary_part.done"_s },
                        { u"sequence_number"_s, seq++ },
                        { u"item_id"_s, u"rs_1"_s },
                        { u"output_index"_s, out },
                        { u"summary_index"_s, 0 },
                        { u"part"_s, QJsonObject { { u"type"_s, u"summary_text"_s }, { u"text"_s, thought } } } });
            const QJsonObject item { { u"type"_s, u"reasoning"_s },
                                     { u"id"_s, u"rs_1"_s },
                                     { u"summary"_s, QJsonArray { QJsonObject { { u"type"_s, u"summary_text"_s },
                                                                                { u"text"_s, thought } } } },
                                     { u"encrypted_content"_s, signature } };
            ev << sse("response.output_item.done", { { u"type"_s, u"response.output_item.done"_s },
                                                     { u"sequence_number"_s, seq++ },
                                                     { u"output_index"_s, out++ },
                                                     { u"item"_s, item } });
            output.append(item);
        }
        if (tools) {
            for (const auto &[id, args] : { std::pair { QStringLiteral("call_paris"), paris },
                                            std::pair { QStringLiteral("call_london"), london } }) {
                const QString itemId = QStringLiteral("fc_") + id;
                ev << sse("response.output_item.added",
                          { { u"type"_s, u"response.output_item.added"_s },
                            { u"sequence_number"_s, seq++ },
                            { u"output_index"_s, out },
                            { u"item"_s, QJsonObject { { u"type"_s, u"function_call"_s },
                                                       { u"id"_s, itemId },
                                                       { u"call_id"_s, id },
                                                       { u"name"_s, u"get_weather"_s },
                                                       { u"arguments"_s, u""_s },
                                                       { u"status"_s, u"in_progress"_s } } } });
                ev << sse("response.function_call_arguments.delta",
                          { { u"type"_s, u"response.function_call_arguments.delta"_s },
                            { u"sequence_number"_s, seq++ },
                            { u"item_id"_s, itemId },
                            { u"output_index"_s, out },
                            { u"delta"_s, QString::fromUtf8(compact(args)) } });
                ev << sse("response.function_call_arguments.done",
                          { { u"type"_s, u"response.function_call_arguments.done"_s },
                            { u"sequence_number"_s, seq++ },
                            { u"item_id"_s, itemId },
                            { u"output_index"_s, out },
                            { u"arguments"_s, QString::fromUtf8(compact(args)) } });
                const QJsonObject item { { u"type"_s, u"function_call"_s },
                                         { u"id"_s, itemId },
                                         { u"call_id"_s, id },
                                         { u"name"_s, u"get_weather"_s },
                                         { u"arguments"_s, QString::fromUtf8(compact(args)) },
                                         { u"status"_s, u"completed"_s } };
                ev << sse("response.output_item.done", { { u"type"_s, u"response.output_item.done"_s },
                                                         { u"sequence_number"_s, seq++ },
                                                         { u"output_index"_s, out++ },
                                                         { u"item"_s, item } });
                output.append(item);
            }
        } else {
            ev << sse("response.output_item.added", { { u"type"_s, u"response.output_item.added"_s },
                                                      { u"sequence_number"_s, seq++ },
                                                      { u"output_index"_s, out },
                                                      { u"item"_s, QJsonObject { { u"type"_s, u"message"_s },
                                                                                 { u"id"_s, u"msg_1"_s },
                                                                                 { u"status"_s, u"in_progress"_s },
                                                                                 { u"role"_s, u"assistant"_s },
                                                                                 { u"content"_s, QJsonArray() } } } });
            ev << sse("response.content_part.added",
                      { { u"type"_s, u"response.content_part.added"_s },
                        { u"sequence_number"_s, seq++ },
                        { u"item_id"_s, u"msg_1"_s },
                        { u"output_index"_s, out },
                        { u"content_index"_s, 0 },
                        { u"part"_s, QJsonObject { { u"type"_s, u"output_text"_s },
                                                   { u"text"_s, u""_s },
                                                   { u"annotations"_s, QJsonArray() } } } });
            ev << sse("response.output_text.delta", { { u"type"_s, u"response.output_text.delta"_s },
                                                      { u"sequence_number"_s, seq++ },
                                                      { u"item_id"_s, u"msg_1"_s },
                                                      { u"output_index"_s, out },
                                                      { u"content_index"_s, 0 },
                                                      { u"delta"_s, text } });
            const QJsonObject part { { u"type"_s, u"output_text"_s },
                                     { u"text"_s, text },
                                     { u"annotations"_s, QJsonArray() } };
            ev << sse("response.output_text.done", { { u"type"_s, u"response.output_text.done"_s },
                                                     { u"sequence_number"_s, seq++ },
                                                     { u"item_id"_s, u"msg_1"_s },
                                                     { u"output_index"_s, out },
                                                     { u"content_index"_s, 0 },
                                                     { u"text"_s, text } });
            ev << sse("response.content_part.done", { { u"type"_s, u"response.content_part.done"_s },
                                                      { u"sequence_number"_s, seq++ },
                                                      { u"item_id"_s, u"msg_1"_s },
                                                      { u"output_index"_s, out },
                                                      { u"content_index"_s, 0 },
                                                      { u"part"_s, part } });
            const QJsonObject item { { u"type"_s, u"message"_s },
                                     { u"id"_s, u"msg_1"_s },
                                     { u"status"_s, u"completed"_s },
                                     { u"role"_s, u"assistant"_s },
                                     { u"content"_s, QJsonArray { part } } };
            ev << sse("response.output_item.done", { { u"type"_s, u"response.output_item.done"_s },
                                                     { u"sequence_number"_s, seq++ },
                                                     { u"output_index"_s, out++ },
                                                     { u"item"_s, item } });
            output.append(item);
        }
        QJsonObject done = resp0;
        done.insert(u"status"_s, u"completed"_s);
        done.insert(u"output"_s, output);
        done.insert(u"usage"_s,
                    QJsonObject { { u"input_tokens"_s, 35 },
                                  { u"input_tokens_details"_s, QJsonObject { { u"cached_tokens"_s, 5 } } },
                                  { u"output_tokens"_s, 17 },
                                  { u"output_tokens_details"_s, QJsonObject { { u"reasoning_tokens"_s, 4 } } },
                                  { u"total_tokens"_s, 52 } });
        ev << sse("response.completed",
                  { { u"type"_s, u"response.completed"_s }, { u"sequence_number"_s, seq++ }, { u"response"_s, done } });
    } else if (format == "chat") {
        const QJsonObject base { { u"id"_s, u"chatcmpl-s1"_s },
                                 { u"object"_s, u"chat.completion.chunk"_s },
                                 { u"created"_s, 1700000000 },
                                 { u"model"_s, model } };
        auto chunkWith = [&](const QJsonObject &delta, const QJsonValue &finish) {
            QJsonObject c = base;
            c.insert(u"choices"_s, QJsonArray { QJsonObject {
                                       { u"index"_s, 0 }, { u"delta"_s, delta }, { u"finish_reason"_s, finish } } });
            return sse({}, c);
        };
        ev << chunkWith({ { u"role"_s, u"assistant"_s } }, QJsonValue::Null);
        if (scenario == u"think")
            ev << chunkWith({ { u"reasoning_content"_s, thought } }, QJsonValue::Null);
        if (tools) {
            int i = 0;
            for (const auto &[id, args] : { std::pair { QStringLiteral("call_paris"), paris },
                                            std::pair { QStringLiteral("call_london"), london } }) {
                ev << chunkWith(
                    { { u"tool_calls"_s,
                        QJsonArray { QJsonObject { { u"index"_s, i },
                                                   { u"id"_s, id },
                                                   { u"type"_s, u"function"_s },
                                                   { u"function"_s, QJsonObject { { u"name"_s, u"get_weather"_s },
                                                                                  { u"arguments"_s, u""_s } } } } } } },
                    QJsonValue::Null);
                ev << chunkWith({ { u"tool_calls"_s,
                                    QJsonArray { QJsonObject {
                                        { u"index"_s, i },
                                        { u"function"_s, QJsonObject { { u"arguments"_s,
                                                                         QString::fromUtf8(compact(args)) } } } } } } },
                                QJsonValue::Null);
                ++i;
            }
            ev << chunkWith({}, u"tool_calls"_s);
        } else {
            ev << chunkWith({ { u"content"_s, text } }, QJsonValue::Null);
            ev << chunkWith({}, u"stop"_s);
        }
        QJsonObject usage = base;
        usage.insert(u"choices"_s, QJsonArray());
        usage.insert(u"usage"_s,
                     QJsonObject { { u"prompt_tokens"_s, 35 },
                                   { u"completion_tokens"_s, 17 },
                                   { u"total_tokens"_s, 52 },
                                   { u"prompt_tokens_details"_s, QJsonObject { { u"cached_tokens"_s, 5 } } } });
        ev << sse({}, usage);
        ev << QByteArray("data: [DONE]\n\n");
    } else {
        auto chunkOf = [&](const QJsonArray &parts, const QString &finish, bool usage) {
            QJsonObject cand { { u"content"_s, QJsonObject { { u"role"_s, u"model"_s }, { u"parts"_s, parts } } },
                               { u"index"_s, 0 } };
            if (!finish.isEmpty())
                cand.insert(u"finishReason"_s, finish);
            QJsonObject c { { u"candidates"_s, QJsonArray { cand } },
                            { u"modelVersion"_s, model },
                            { u"responseId"_s, u"gem_s1"_s } };
            if (usage)
                c.insert(u"usageMetadata"_s, QJsonObject { { u"promptTokenCount"_s, 35 },
                                                           { u"candidatesTokenCount"_s, 13 },
                                                           { u"thoughtsTokenCount"_s, 4 },
                                                           { u"totalTokenCount"_s, 52 },
                                                           { u"cachedContentTokenCount"_s, 5 } });
            return sse({}, c);
        };
        if (scenario == u"think")
            ev << chunkOf(QJsonArray { QJsonObject { { u"text"_s, thought }, { u"thought"_s, true } } }, QString(),
                          false);
        if (tools)
            ev << chunkOf(QJsonArray { QJsonObject { { u"functionCall"_s, QJsonObject { { u"name"_s, u"get_weather"_s },
                                                                                        { u"args"_s, paris } } },
                                                     { u"thoughtSignature"_s, signature } },
                                       QJsonObject { { u"functionCall"_s, QJsonObject { { u"name"_s, u"get_weather"_s },
                                                                                        { u"args"_s, london } } } } },
                          u"STOP"_s, true);
        else
            ev << chunkOf(QJsonArray { QJsonObject { { u"text"_s, text } } }, u"STOP"_s, true);
    }
    return ev;
}

QByteArray FakeUpstream::scenarioBody(const QByteArray &format, const QString &model, const QString &scenario,
                                      const QString &answer)
{
    if (scenario == u"plain")
        return wholeBody(format, model);
    // The whole answer is what the stream spells out, assembled as that format does.
    const QList<QByteArray> events = scenarioEvents(format, model, scenario, answer);
    if (format == "responses") {
        for (const QByteArray &e : events)
            if (e.startsWith("event: response.completed"))
                return compact(
                    QJsonDocument::fromJson(e.mid(e.indexOf("data: ") + 6)).object().value(u"response"_s).toObject());
    }
    if (format == "gemini") {
        QJsonArray parts;
        QJsonObject last;
        for (const QByteArray &e : events) {
            last = QJsonDocument::fromJson(e.mid(6)).object();
            for (const QJsonValue &p : last.value(u"candidates"_s)
                                           .toArray()
                                           .first()
                                           .toObject()
                                           .value(u"content"_s)
                                           .toObject()
                                           .value(u"parts"_s)
                                           .toArray())
                parts.append(p);
        }
        QJsonArray cands = last.value(u"candidates"_s).toArray();
        QJsonObject c0 = cands.first().toObject();
        c0.insert(u"content"_s, QJsonObject { { u"role"_s, u"model"_s }, { u"parts"_s, parts } });
        cands[0] = c0;
        last.insert(u"candidates"_s, cands);
        return compact(last);
    }
    if (format == "chat") {
        QString content, reasoning;
        QJsonArray calls;
        QString finish;
        for (const QByteArray &e : events) {
            const QJsonObject c = QJsonDocument::fromJson(e.mid(6)).object();
            const QJsonObject ch = c.value(u"choices"_s).toArray().first().toObject();
            const QJsonObject d = ch.value(u"delta"_s).toObject();
            content += d.value(u"content"_s).toString();
            reasoning += d.value(u"reasoning_content"_s).toString();
            for (const QJsonValue &tv : d.value(u"tool_calls"_s).toArray()) {
                const QJsonObject t = tv.toObject();
                if (t.contains(u"id"_s))
                    calls.append(
                        QJsonObject { { u"id"_s, t.value(u"id"_s) },
                                      { u"type"_s, u"function"_s },
                                      { u"function"_s,
                                        QJsonObject { { u"name"_s, t.value(u"function"_s).toObject().value(u"name"_s) },
                                                      { u"arguments"_s, u""_s } } } });
                else {
                    QJsonObject last = calls.last().toObject();
                    QJsonObject f = last.value(u"function"_s).toObject();
                    f.insert(u"arguments"_s,
                             QString(f.value(u"arguments"_s).toString()
                                     + t.value(u"function"_s).toObject().value(u"arguments"_s).toString()));
                    last.insert(u"function"_s, f);
                    calls[calls.size() - 1] = last;
                }
            }
            if (ch.value(u"finish_reason"_s).isString())
                finish = ch.value(u"finish_reason"_s).toString();
        }
        QJsonObject msg { { u"role"_s, u"assistant"_s },
                          { u"content"_s, calls.isEmpty() ? QJsonValue(content) : QJsonValue(QJsonValue::Null) } };
        if (!reasoning.isEmpty())
            msg.insert(u"reasoning_content"_s, reasoning);
        if (!calls.isEmpty())
            msg.insert(u"tool_calls"_s, calls);
        return compact(
            { { u"id"_s, u"chatcmpl-s1"_s },
              { u"object"_s, u"chat.completion"_s },
              { u"created"_s, 1700000000 },
              { u"model"_s, model },
              { u"choices"_s, QJsonArray { QJsonObject {
                                  { u"index"_s, 0 }, { u"message"_s, msg }, { u"finish_reason"_s, finish } } } },
              { u"usage"_s, QJsonObject { { u"prompt_tokens"_s, 35 },
                                          { u"completion_tokens"_s, 17 },
                                          { u"total_tokens"_s, 52 } } } });
    }
    // anthropic
    QJsonArray content;
    QString stop;
    for (const QByteArray &e : events) {
        const QJsonObject d = QJsonDocument::fromJson(e.mid(e.indexOf("data: ") + 6)).object();
        const QString type = d.value(u"type"_s).toString();
        if (type == u"content_block_start")
            content.append(d.value(u"content_block"_s).toObject());
        else if (type == u"content_block_delta") {
            QJsonObject b = content.last().toObject();
            const QJsonObject dl = d.value(u"delta"_s).toObject();
            if (dl.contains(u"text"_s))
                b.insert(u"text"_s, QString(b.value(u"text"_s).toString() + dl.value(u"text"_s).toString()));
            if (dl.contains(u"thinking"_s))
                b.insert(u"thinking"_s,
                         QString(b.value(u"thinking"_s).toString() + dl.value(u"thinking"_s).toString()));
            if (dl.contains(u"signature"_s))
                b.insert(u"signature"_s, dl.value(u"signature"_s));
            if (dl.contains(u"partial_json"_s))
                b.insert(u"partial"_s,
                         QString(b.value(u"partial"_s).toString() + dl.value(u"partial_json"_s).toString()));
            content[content.size() - 1] = b;
        } else if (type == u"message_delta")
            stop = d.value(u"delta"_s).toObject().value(u"stop_reason"_s).toString();
    }
    for (qsizetype i = 0; i < content.size(); ++i) {
        QJsonObject b = content[i].toObject();
        if (b.contains(u"partial"_s)) {
            b.insert(u"input"_s, QJsonDocument::fromJson(b.value(u"partial"_s).toString().toUtf8()).object());
            b.remove(u"partial"_s);
            content[i] = b;
        }
    }
    return compact({ { u"id"_s, u"msg_s1"_s },
                     { u"type"_s, u"message"_s },
                     { u"role"_s, u"assistant"_s },
                     { u"model"_s, model },
                     { u"content"_s, content },
                     { u"stop_reason"_s, stop },
                     { u"stop_sequence"_s, QJsonValue::Null },
                     { u"usage"_s, QJsonObject { { u"input_tokens"_s, 30 },
                                                 { u"output_tokens"_s, 17 },
                                                 { u"cache_read_input_tokens"_s, 5 } } } });
}

void FakeUpstream::respond(QTcpSocket *socket, const Received &req)
{
    if (req.path.startsWith("/user_management/"))
        return respondWorkOs(socket, req);
    if (req.path.startsWith("/fake/"))
        return respondFake(socket, req);
    const bool failThisModel = failModels.contains(req.json.value(u"model"_s).toString());
    if (failNextRequests > 0 || failThisModel) {
        if (!failThisModel)
            --failNextRequests;
        const QByteArray body =
            failBody.isEmpty() ? QByteArray(R"({"error":{"message":"fake upstream failure","type":"server_error"}})")
                               : failBody;
        socket->write("HTTP/1.1 " + QByteArray::number(failStatus) + " Fail\r\nContent-Type: application/json\r\n"
                      + (failRetryAfter.isEmpty() ? QByteArray() : "Retry-After: " + failRetryAfter + "\r\n")
                      + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        return;
    }
    const QByteArray auth = req.header("authorization");
    if (auth.startsWith("Bearer ") && (rejectAllBearers || rejectBearers.contains(auth.mid(7)))) {
        sendJson(socket, 401, R"({"type":"error","error":{"type":"authentication_error","message":"token expired"}})");
        return;
    }
    const QString requestModel = req.json.value(u"model"_s).toString();
    if (vendorChecks || fakesession::isSessionModel(requestModel)) {
        if (const auto rejection = vendorchecks::check(req.path, req.json)) {
            ++vendorRejections;
            lastVendorRejection = rejection->message;
            vendorRejectionMessages << rejection->message;
            sendJson(socket, rejection->status, rejection->body);
            return;
        }
    }
    // OpenAI's operations beside the Responses endpoint, answered as OpenAI does.
    if (req.path.endsWith("/responses/input_tokens")) {
        sendJson(socket, 200,
                 "{\"object\":\"response.input_tokens\",\"input_tokens\":" + QByteArray::number(req.body.size() / 4)
                     + '}');
        return;
    }
    if (req.path.endsWith("/responses/compact")) {
        sendJson(socket, 200,
                 R"({"id":"cmp_fake_1","object":"response.compaction","created_at":1,"output":[{"type":"compaction",)"
                 R"("id":"cmp_item_1","encrypted_content":"fake-compacted-history"}],"usage":{"input_tokens":12,)"
                 R"("output_tokens":3,"total_tokens":15}})");
        return;
    }
    if (fakesession::isSessionModel(requestModel) && !req.path.contains("count_tokens")) {
        const QByteArray format = formatOfPath(req.path);
        const int serial = ++sessionSerial;
        const bool stream =
            req.json.value(u"stream").toBool() || req.path.contains("stream") || req.path.startsWith("/api/llm/g/");
        const QByteArray headers = "x-request-id: req_fake_" + QByteArray::number(received.size()) + "\r\n";
        if (!stream) {
            const QByteArray body = fakesession::body(format, requestModel, req.json, serial);
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + headers
                          + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            return;
        }
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" + headers
                      + "Transfer-Encoding: chunked\r\n\r\n");
        streamTo(socket, fakesession::events(format, requestModel, req.json, serial), 0, false, false);
        return;
    }
    QJsonObject fake = req.json.value(u"fake"_s).toObject();
    if (!req.json.contains(u"fake"_s) && !fakeQueue.isEmpty())
        fake = fakeQueue.takeFirst();
    const QString scenario = fake.value(u"scenario"_s).toString(QStringLiteral("normal"));
    const int delay = fake.value(u"delay_ms"_s).toInt(0);
    const int deltas = fake.value(u"deltas"_s).toInt(3);
    const QByteArray format = formatOfPath(req.path);
    const QString model = req.json.value(u"model"_s).toString();
    const QByteArray extraHeaders =
        QByteArray("x-request-id: req_fake_") + QByteArray::number(received.size()) + "\r\n";

    if (scenario == u"hang")
        return;
    if (scenario == u"close") {
        socket->abort();
        return;
    }
    if (scenario == u"raw") {
        socket->write(fake.value(u"raw"_s).toString().toUtf8());
        if (fake.value(u"close"_s).toBool())
            socket->disconnectFromHost();
        return;
    }
    if (scenario == u"trickle") {
        QList<QByteArray> lines;
        const QByteArray all = fake.value(u"raw"_s).toString().toUtf8();
        for (qsizetype at = 0; at < all.size();) {
            const qsizetype nl = all.indexOf('\n', at);
            const qsizetype end = nl < 0 ? all.size() : nl + 1;
            lines << all.mid(at, end - at);
            at = end;
        }
        QPointer<QTcpSocket> s(socket);
        const bool close = fake.value(u"close"_s).toBool();
        for (qsizetype i = 0; i <= lines.size(); ++i) {
            QTimer::singleShot(
                int(i) * delay, this,
                [s, line = i < lines.size() ? lines.at(i) : QByteArray(), last = i == lines.size(), close] {
                if (!s)
                    return;
                if (!last) {
                    s->write(line);
                    s->flush();
                } else if (close) {
                    s->disconnectFromHost();
                }
                });
        }
        return;
    }
    if (scenario == u"flood") {
        floodWritten = 0;
        floodPeerClosed = false;
        floodDone = false;
        const QByteArray unitOnce = fake.value(u"unit"_s).toString().toUtf8();
        QByteArray unit;
        while (unit.size() < 64 * 1024)
            unit += unitOnce; // write in 64 KiB pieces
        const qint64 limit = qint64(fake.value(u"limit_bytes"_s).toDouble(64.0 * 1024 * 1024));
        socket->write(fake.value(u"head"_s).toString().toUtf8());
        QPointer<QTcpSocket> s(socket);
        auto pump = std::make_shared<std::function<void()>>();
        const QByteArray tail = fake.value(u"tail"_s).toString().toUtf8();
        *pump = [this, s, unit, limit, tail] {
            if (!s || floodDone)
                return;
            while (s->bytesToWrite() < 256 * 1024 && floodWritten < limit
                   && s->state() == QAbstractSocket::ConnectedState) {
                s->write(unit);
                floodWritten += unit.size();
            }
            if (floodWritten >= limit) {
                floodDone = true;
                s->write(tail);
                s->disconnectFromHost();
            }
        };
        connect(socket, &QTcpSocket::bytesWritten, this, [pump] { (*pump)(); });
        connect(socket, &QTcpSocket::disconnected, this, [this] {
            if (!floodDone) {
                floodPeerClosed = true;
                floodDone = true;
            }
        });
        (*pump)();
        return;
    }
    if (scenario == u"status") {
        const QByteArray body = fake.value(u"body"_s).toString().toUtf8();
        socket->write("HTTP/1.1 " + QByteArray::number(fake.value(u"status").toInt(500))
                      + " Error\r\nContent-Type: application/json\r\n" + extraHeaders
                      + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        return;
    }
    if (scenario == u"utf8split") {
        const QByteArray event = sse(
            "content_block_delta",
            { { u"type"_s, u"content_block_delta"_s },
              { u"index"_s, 0 },
              { u"delta"_s, QJsonObject { { u"type"_s, u"text_delta"_s },
                                          { u"text"_s, QStringLiteral("h\u00e9llo \u4e16\u754c \U0001F600") } } } });
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
            s->write(chunk(sse("message_stop", { { u"type"_s, u"message_stop"_s } })) + "0\r\n\r\n");
            m_streaming[s] = false;
        });
        return;
    }
    const bool isCount = req.path.contains("count_tokens");
    // Factory's Gemini route always streams (SSE) and takes no u"stream"_s member, as Factory's CLI expects it.
    const bool stream =
        !isCount
        && (req.json.value(u"stream").toBool() || req.path.contains("stream") || req.path.startsWith("/api/llm/g/"));
    // A scripted turn (the agent's model, or the queued script), whole or streamed as the client asked.
    auto sendScripted = [&](const ScriptedReply &reply, int delayMs) {
        if (!stream) {
            const QByteArray body = fakescript::body(format, model, reply);
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extraHeaders
                          + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            return;
        }
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" + extraHeaders
                      + "Transfer-Encoding: chunked\r\n\r\n");
        streamTo(socket, fakescript::events(format, model, reply), delayMs, false, false);
    };
    if (agent && !isCount) {
        ScriptedReply reply;
        reply.ping = true;
        const AgentTurn turn = agentTurnOf(format, req.json);
        const QString step = QString::number(turn.step);
        QString answer;
        if (!turn.results.isEmpty()) {
            reply.text = QString(agent->afterTool).replace(u"{step}"_s, step);
            ++agentAfterTool;
            agentToolResults << turn.results.join(u" | "_s);
            answer = u"after_tool"_s;
        } else if (!agent->tool.isEmpty() && toolNamesOf(format, req.json).contains(agent->tool)) {
            reply.tool = agent->tool;
            reply.arguments = QByteArray(agent->arguments).replace("{step}", step.toUtf8());
            reply.callId = QStringLiteral("call_agent_%1").arg(++agentToolCalls);
            answer = u"tool"_s;
        } else {
            reply.text = QString(agent->text).replace(u"{step}"_s, step);
            ++agentTexts;
            answer = u"text"_s;
        }
        ++agentSerial;
        reply.id = u"agent%1"_s.arg(agentSerial); // ids of their own, as every real answer has
        if (vendorChecks)
            reply.reasoning = fakesession::reasoningFor(format, model, req.json, u"Thinking about step %1."_s.arg(step),
                                                        model + u"|agent|"_s + QString::number(agentSerial));
        const ScriptedReasoning &rs = reply.reasoning;
        agentRequests << QJsonObject { { u"format"_s, QString::fromLatin1(format) },
                                       { u"model"_s, model },
                                       { u"answer"_s, answer },
                                       { u"step"_s, turn.step },
                                       { u"user_turns"_s, turn.userTurns },
                                       { u"history_results"_s, turn.historyResults },
                                       { u"current_results"_s, int(turn.results.size()) },
                                       { u"thinking"_s, !rs.thinking.isEmpty() || !rs.reasoningId.isEmpty()
                                                            || !rs.thoughtSignature.isEmpty() } };
        return sendScripted(reply, agent->delayMs);
    }
    if (!script.isEmpty() && !isCount)
        return sendScripted(script.takeFirst(), delay);
    if (!isCount) {
        // Structured output: "the model" answers a value that follows the schema, as constrained decoding does.
        if (const QByteArray sample = schemaAsked(format, req.body); !sample.isEmpty()) {
            ScriptedReply reply;
            reply.text = QString::fromUtf8(sample);
            reply.id = u"structured"_s;
            return sendScripted(reply, delay);
        }
    }
    const QString scenarioModel = model.startsWith(u"tools-")   ? QStringLiteral("tools")
                                  : model.startsWith(u"think-") ? QStringLiteral("think")
                                                                : QString();
    if (model.startsWith(u"cut-") || model.startsWith(u"slow-")) {
        // Translated requests carry no "fake" object: these models cut the stream after its first event, or
        // go silent after it for fake.delay_ms-like 400 ms before going on.
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        streamTo(socket, streamEvents(format, model, 2), model.startsWith(u"slow-") ? 400 : 20,
                 model.startsWith(u"cut-"), false);
        return;
    }
    if (!scenarioModel.isEmpty() && !isCount) {
        const QString answer = toolResultsOf(format, req.json);
        if (!stream) {
            const QByteArray body = scenarioBody(format, model, scenarioModel, answer);
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extraHeaders
                          + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            return;
        }
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" + extraHeaders
                      + "Transfer-Encoding: chunked\r\n\r\n");
        streamTo(socket, scenarioEvents(format, model, scenarioModel, answer), delay, false, false);
        return;
    }
    if (!stream) {
        const QByteArray body = wholeBody(isCount ? QByteArray("count") : format, model);
        auto send = [this, socket, body, extraHeaders] {
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extraHeaders
                          + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        };
        if (delay > 0) {
            QPointer<QTcpSocket> s(socket);
            QTimer::singleShot(delay, this, [s, send] {
                if (s)
                    send();
            });
        } else {
            send();
        }
        return;
    }
    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n" + extraHeaders
                  + "Transfer-Encoding: chunked\r\n\r\n");
    streamTo(socket, streamEvents(format, model, deltas), fake.value(u"lockstep"_s).toBool() ? -1 : delay,
             scenario == u"cut", scenario == u"stall");
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
        if (delayMs < 0) { // lockstep: the next event waits for releaseNextEvent()
            m_release = weakStep;
            return;
        }
        QTimer::singleShot(delayMs, this, *step);
    };
    (*step)();
}

bool FakeUpstream::releaseNextEvent()
{
    auto step = m_release.lock();
    m_release.reset();
    if (!step)
        return false;
    (*step)();
    return true;
}
