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
        ev << sse("message_start", { { QStringLiteral("type"), QStringLiteral("message_start") },
                                     { QStringLiteral("message"),
                                       QJsonObject { { QStringLiteral("id"), QStringLiteral("msg_fake1") },
                                                     { QStringLiteral("type"), QStringLiteral("message") },
                                                     { QStringLiteral("role"), QStringLiteral("assistant") },
                                                     { QStringLiteral("model"), model },
                                                     { QStringLiteral("content"), QJsonArray() },
                                                     { QStringLiteral("stop_reason"), QJsonValue::Null },
                                                     { QStringLiteral("stop_sequence"), QJsonValue::Null },
                                                     { QStringLiteral("usage"),
                                                       QJsonObject { { QStringLiteral("input_tokens"), 12 },
                                                                     { QStringLiteral("output_tokens"), 1 } } } } } });
        ev << sse("content_block_start", { { QStringLiteral("type"), QStringLiteral("content_block_start") },
                                           { QStringLiteral("index"), 0 },
                                           { QStringLiteral("content_block"),
                                             QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                                                           { QStringLiteral("text"), QStringLiteral("") } } } });
        for (int i = 0; i < n; ++i)
            ev << sse("content_block_delta", { { QStringLiteral("type"), QStringLiteral("content_block_delta") },
                                               { QStringLiteral("index"), 0 },
                                               { QStringLiteral("delta"),
                                                 QJsonObject { { QStringLiteral("type"), QStringLiteral("text_delta") },
                                                               { QStringLiteral("text"), word(i) } } } });
        ev << sse("content_block_stop",
                  { { QStringLiteral("type"), QStringLiteral("content_block_stop") }, { QStringLiteral("index"), 0 } });
        ev << sse(
            "message_delta",
            { { QStringLiteral("type"), QStringLiteral("message_delta") },
              { QStringLiteral("delta"), QJsonObject { { QStringLiteral("stop_reason"), QStringLiteral("end_turn") },
                                                       { QStringLiteral("stop_sequence"), QJsonValue::Null } } },
              { QStringLiteral("usage"), QJsonObject { { QStringLiteral("output_tokens"), n } } } });
        ev << sse("message_stop", { { QStringLiteral("type"), QStringLiteral("message_stop") } });
    } else if (format == "responses") {
        int seq = 0;
        QString text;
        for (int i = 0; i < n; ++i)
            text += word(i);
        const QJsonObject inProgress { { QStringLiteral("id"), QStringLiteral("resp_fake1") },
                                       { QStringLiteral("object"), QStringLiteral("response") },
                                       { QStringLiteral("created_at"), 1700000000 },
                                       { QStringLiteral("status"), QStringLiteral("in_progress") },
                                       { QStringLiteral("model"), model },
                                       { QStringLiteral("output"), QJsonArray() } };
        const QJsonObject msgItem { { QStringLiteral("type"), QStringLiteral("message") },
                                    { QStringLiteral("id"), QStringLiteral("msg_fake1") },
                                    { QStringLiteral("status"), QStringLiteral("in_progress") },
                                    { QStringLiteral("role"), QStringLiteral("assistant") },
                                    { QStringLiteral("content"), QJsonArray() } };
        ev << sse("response.created", { { QStringLiteral("type"), QStringLiteral("response.created") },
                                        { QStringLiteral("sequence_number"), seq++ },
                                        { QStringLiteral("response"), inProgress } });
        ev << sse("response.in_progress", { { QStringLiteral("type"), QStringLiteral("response.in_progress") },
                                            { QStringLiteral("sequence_number"), seq++ },
                                            { QStringLiteral("response"), inProgress } });
        ev << sse("response.output_item.added",
                  { { QStringLiteral("type"), QStringLiteral("response.output_item.added") },
                    { QStringLiteral("sequence_number"), seq++ },
                    { QStringLiteral("output_index"), 0 },
                    { QStringLiteral("item"), msgItem } });
        ev << sse("response.content_part.added",
                  { { QStringLiteral("type"), QStringLiteral("response.content_part.added") },
                    { QStringLiteral("sequence_number"), seq++ },
                    { QStringLiteral("item_id"), QStringLiteral("msg_fake1") },
                    { QStringLiteral("output_index"), 0 },
                    { QStringLiteral("content_index"), 0 },
                    { QStringLiteral("part"), QJsonObject { { QStringLiteral("type"), QStringLiteral("output_text") },
                                                            { QStringLiteral("text"), QStringLiteral("") },
                                                            { QStringLiteral("annotations"), QJsonArray() } } } });
        for (int i = 0; i < n; ++i)
            ev << sse("response.output_text.delta",
                      { { QStringLiteral("type"), QStringLiteral("response.output_text.delta") },
                        { QStringLiteral("sequence_number"), seq++ },
                        { QStringLiteral("item_id"), QStringLiteral("msg_fake1") },
                        { QStringLiteral("output_index"), 0 },
                        { QStringLiteral("content_index"), 0 },
                        { QStringLiteral("delta"), word(i) } });
        const QJsonObject part { { QStringLiteral("type"), QStringLiteral("output_text") },
                                 { QStringLiteral("text"), text },
                                 { QStringLiteral("annotations"), QJsonArray() } };
        ev << sse("response.output_text.done",
                  { { QStringLiteral("type"), QStringLiteral("response.output_text.done") },
                    { QStringLiteral("sequence_number"), seq++ },
                    { QStringLiteral("item_id"), QStringLiteral("msg_fake1") },
                    { QStringLiteral("output_index"), 0 },
                    { QStringLiteral("content_index"), 0 },
                    { QStringLiteral("text"), text } });
        ev << sse("response.content_part.done",
                  { { QStringLiteral("type"), QStringLiteral("response.content_part.done") },
                    { QStringLiteral("sequence_number"), seq++ },
                    { QStringLiteral("item_id"), QStringLiteral("msg_fake1") },
                    { QStringLiteral("output_index"), 0 },
                    { QStringLiteral("content_index"), 0 },
                    { QStringLiteral("part"), part } });
        QJsonObject doneItem = msgItem;
        doneItem.insert(QStringLiteral("status"), QStringLiteral("completed"));
        doneItem.insert(QStringLiteral("content"), QJsonArray { part });
        ev << sse("response.output_item.done",
                  { { QStringLiteral("type"), QStringLiteral("response.output_item.done") },
                    { QStringLiteral("sequence_number"), seq++ },
                    { QStringLiteral("output_index"), 0 },
                    { QStringLiteral("item"), doneItem } });
        QJsonObject completed = inProgress;
        completed.insert(QStringLiteral("status"), QStringLiteral("completed"));
        completed.insert(QStringLiteral("output"), QJsonArray { doneItem });
        completed.insert(QStringLiteral("usage"), QJsonObject { { QStringLiteral("input_tokens"), 12 },
                                                                { QStringLiteral("output_tokens"), n },
                                                                { QStringLiteral("total_tokens"), 12 + n } });
        ev << sse("response.completed", { { QStringLiteral("type"), QStringLiteral("response.completed") },
                                          { QStringLiteral("sequence_number"), seq++ },
                                          { QStringLiteral("response"), completed } });
    } else if (format == "chat") {
        const QJsonObject base { { QStringLiteral("id"), QStringLiteral("chatcmpl-fake1") },
                                 { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
                                 { QStringLiteral("created"), 1700000000 },
                                 { QStringLiteral("model"), model } };
        auto chunkWith = [&](const QJsonObject &delta, const QJsonValue &finish) {
            QJsonObject c = base;
            c.insert(QStringLiteral("choices"),
                     QJsonArray { QJsonObject { { QStringLiteral("index"), 0 },
                                                { QStringLiteral("delta"), delta },
                                                { QStringLiteral("finish_reason"), finish } } });
            return sse({}, c);
        };
        ev << chunkWith({ { QStringLiteral("role"), QStringLiteral("assistant") },
                          { QStringLiteral("content"), QStringLiteral("") } },
                        QJsonValue::Null);
        for (int i = 0; i < n; ++i)
            ev << chunkWith({ { QStringLiteral("content"), word(i) } }, QJsonValue::Null);
        ev << chunkWith({}, QStringLiteral("stop"));
        QJsonObject usage = base;
        usage.insert(QStringLiteral("choices"), QJsonArray());
        usage.insert(QStringLiteral("usage"), QJsonObject { { QStringLiteral("prompt_tokens"), 12 },
                                                            { QStringLiteral("completion_tokens"), n },
                                                            { QStringLiteral("total_tokens"), 12 + n } });
        ev << sse({}, usage);
        ev << QByteArray("data: [DONE]\n\n");
    } else {
        for (int i = 0; i < n; ++i) {
            QJsonObject c {
                { QStringLiteral("candidates"),
                  QJsonArray { QJsonObject {
                      { QStringLiteral("content"),
                        QJsonObject { { QStringLiteral("role"), QStringLiteral("model") },
                                      { QStringLiteral("parts"),
                                        QJsonArray { QJsonObject { { QStringLiteral("text"), word(i) } } } } } },
                      { QStringLiteral("index"), 0 } } } },
                { QStringLiteral("modelVersion"), model }
            };
            if (i == n - 1) {
                QJsonArray cands = c.value(QStringLiteral("candidates")).toArray();
                QJsonObject c0 = cands[0].toObject();
                c0.insert(QStringLiteral("finishReason"), QStringLiteral("STOP"));
                cands[0] = c0;
                c.insert(QStringLiteral("candidates"), cands);
                c.insert(QStringLiteral("usageMetadata"),
                         QJsonObject { { QStringLiteral("promptTokenCount"), 12 },
                                       { QStringLiteral("candidatesTokenCount"), n },
                                       { QStringLiteral("totalTokenCount"), 12 + n } });
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
        return compact({ { QStringLiteral("id"), QStringLiteral("msg_fake1") },
                         { QStringLiteral("type"), QStringLiteral("message") },
                         { QStringLiteral("role"), QStringLiteral("assistant") },
                         { QStringLiteral("model"), model },
                         { QStringLiteral("content"),
                           QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                                                      { QStringLiteral("text"), text } } } },
                         { QStringLiteral("stop_reason"), QStringLiteral("end_turn") },
                         { QStringLiteral("stop_sequence"), QJsonValue::Null },
                         { QStringLiteral("usage"), QJsonObject { { QStringLiteral("input_tokens"), 12 },
                                                                  { QStringLiteral("output_tokens"), 6 } } } });
    if (format == "responses")
        return compact({ { QStringLiteral("id"), QStringLiteral("resp_fake1") },
                         { QStringLiteral("object"), QStringLiteral("response") },
                         { QStringLiteral("created_at"), 1700000000 },
                         { QStringLiteral("status"), QStringLiteral("completed") },
                         { QStringLiteral("model"), model },
                         { QStringLiteral("output"),
                           QJsonArray { QJsonObject {
                               { QStringLiteral("type"), QStringLiteral("message") },
                               { QStringLiteral("id"), QStringLiteral("msg_fake1") },
                               { QStringLiteral("status"), QStringLiteral("completed") },
                               { QStringLiteral("role"), QStringLiteral("assistant") },
                               { QStringLiteral("content"),
                                 QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("output_text") },
                                                            { QStringLiteral("text"), text },
                                                            { QStringLiteral("annotations"), QJsonArray() } } } } } } },
                         { QStringLiteral("usage"), QJsonObject { { QStringLiteral("input_tokens"), 12 },
                                                                  { QStringLiteral("output_tokens"), 6 },
                                                                  { QStringLiteral("total_tokens"), 18 } } } });
    if (format == "chat")
        return compact(
            { { QStringLiteral("id"), QStringLiteral("chatcmpl-fake1") },
              { QStringLiteral("object"), QStringLiteral("chat.completion") },
              { QStringLiteral("created"), 1700000000 },
              { QStringLiteral("model"), model },
              { QStringLiteral("choices"),
                QJsonArray { QJsonObject {
                    { QStringLiteral("index"), 0 },
                    { QStringLiteral("message"), QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") },
                                                               { QStringLiteral("content"), text } } },
                    { QStringLiteral("finish_reason"), QStringLiteral("stop") } } } },
              { QStringLiteral("usage"), QJsonObject { { QStringLiteral("prompt_tokens"), 12 },
                                                       { QStringLiteral("completion_tokens"), 6 },
                                                       { QStringLiteral("total_tokens"), 18 } } } });
    if (format == "count")
        return compact({ { QStringLiteral("input_tokens"), 42 } });
    return compact({ { QStringLiteral("candidates"),
                       QJsonArray { QJsonObject {
                           { QStringLiteral("content"),
                             QJsonObject { { QStringLiteral("role"), QStringLiteral("model") },
                                           { QStringLiteral("parts"),
                                             QJsonArray { QJsonObject { { QStringLiteral("text"), text } } } } } },
                           { QStringLiteral("finishReason"), QStringLiteral("STOP") },
                           { QStringLiteral("index"), 0 } } } },
                     { QStringLiteral("usageMetadata"), QJsonObject { { QStringLiteral("promptTokenCount"), 12 },
                                                                      { QStringLiteral("candidatesTokenCount"), 6 },
                                                                      { QStringLiteral("totalTokenCount"), 18 } } },
                     { QStringLiteral("modelVersion"), model } });
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
    QJsonObject claims { { QStringLiteral("sub"), QStringLiteral("user_1") },
                         { QStringLiteral("email"), email },
                         { QStringLiteral("jti"), ++serial },
                         { QStringLiteral("exp"), double(QDateTime::currentSecsSinceEpoch() + ttl) } };
    if (!org.isEmpty())
        claims.insert(QStringLiteral("org_id"), org);
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
        QJsonObject o { { QStringLiteral("userId"), QStringLiteral("user_1") },
                        { QStringLiteral("orgId"), QStringLiteral("org_test") },
                        { QStringLiteral("region"), whoamiRegion },
                        { QStringLiteral("isOnPrem"), !whoamiPremHost.isEmpty() },
                        { QStringLiteral("isEnterprise"), false },
                        { QStringLiteral("principalKind"), QStringLiteral("human") } };
        if (!whoamiPremHost.isEmpty())
            o.insert(QStringLiteral("premBaseHost"), whoamiPremHost);
        return sendJson(socket, 200, compact(o));
    }
    if (req.path == "/api/cli/org")
        return sendJson(socket, 200,
                        compact({ { QStringLiteral("workosOrgIds"), QJsonArray::fromStringList(organizations) } }));
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
        if (k.contains(QStringLiteral("issue_refresh_token"))) {
            sendJson(socket, 200, compact({ { QStringLiteral("refresh_token"), issueRefreshToken() } }));
            return;
        }
        failNextRefreshes = k.value(QStringLiteral("fail_next_refreshes")).toInt(failNextRefreshes);
        dropNextRefreshes = k.value(QStringLiteral("drop_next_refreshes")).toInt(dropNextRefreshes);
        refreshDelayMs = k.value(QStringLiteral("refresh_delay_ms")).toInt(refreshDelayMs);
        accessTtlSecs = k.value(QStringLiteral("access_ttl_secs")).toInt(int(accessTtlSecs));
        if (k.contains(QStringLiteral("reject_bearer")))
            rejectBearers.insert(k.value(QStringLiteral("reject_bearer")).toString().toUtf8());
        whoamiStatus = k.value(QStringLiteral("whoami_status")).toInt(whoamiStatus);
        whoamiRegion = k.value(QStringLiteral("whoami_region")).toString(whoamiRegion);
        if (k.contains(QStringLiteral("organizations"))) {
            organizations.clear();
            for (const QJsonValue &o : k.value(QStringLiteral("organizations")).toArray())
                organizations << o.toString();
        }
        vendorChecks = k.value(QStringLiteral("vendor_checks")).toBool(vendorChecks);
        if (k.contains(QStringLiteral("agent"))) {
            const QJsonObject a = k.value(QStringLiteral("agent")).toObject();
            AgentRule rule;
            rule.tool = a.value(QStringLiteral("tool")).toString();
            rule.arguments = a.value(QStringLiteral("arguments")).toString(QStringLiteral("{}")).toUtf8();
            rule.text = a.value(QStringLiteral("text")).toString(rule.text);
            rule.afterTool = a.value(QStringLiteral("after_tool")).toString(rule.afterTool);
            rule.delayMs = a.value(QStringLiteral("delay_ms")).toInt(0);
            agent = rule;
            agentToolCalls = agentAfterTool = agentTexts = 0;
            agentToolResults.clear();
            agentRequests.clear();
        }
        if (k.contains(QStringLiteral("device_script"))) {
            deviceScript.clear();
            devicePolls = 0;
            for (const QJsonValue &v : k.value(QStringLiteral("device_script")).toArray())
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
        compact({ { QStringLiteral("refresh_count"), refreshCount },
                  { QStringLiteral("refresh_attempts"), refreshAttempts },
                  { QStringLiteral("valid_refresh_tokens"), valid },
                  { QStringLiteral("upstream_authorizations"), bearers },
                  { QStringLiteral("device_polls"), devicePolls },
                  { QStringLiteral("vendor_checks"), vendorChecks },
                  { QStringLiteral("vendor_rejections"), vendorRejections },
                  { QStringLiteral("last_vendor_rejection"), lastVendorRejection },
                  { QStringLiteral("vendor_rejection_messages"), QJsonArray::fromStringList(vendorRejectionMessages) },
                  { QStringLiteral("agent_tool_calls"), agentToolCalls },
                  { QStringLiteral("agent_after_tool"), agentAfterTool },
                  { QStringLiteral("agent_texts"), agentTexts },
                  { QStringLiteral("agent_tool_results"), QJsonArray::fromStringList(agentToolResults) },
                  { QStringLiteral("agent_requests"), agentRequestsJson },
                  { QStringLiteral("api_requests"), int(std::count_if(
                                                        received.cbegin(), received.cend(),
                                                        [](const Received &r) {
        return !r.path.startsWith("/fake") && !r.path.startsWith("/user_management");
                                                        })) },
                  { QStringLiteral("llm_requests"),
                    int(std::count_if(received.cbegin(), received.cend(),
                                      [](const Received &r) { return r.path.startsWith("/api/llm/"); })) } }));
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
                 compact({ { QStringLiteral("device_code"), QStringLiteral("dc-fake-device-code-123456") },
                           { QStringLiteral("user_code"), QStringLiteral("WXYZ-1234") },
                           { QStringLiteral("verification_uri"), url(QStringLiteral("/device")).toString() },
                           { QStringLiteral("verification_uri_complete"),
                             url(QStringLiteral("/device?user_code=WXYZ-1234")).toString() },
                           { QStringLiteral("expires_in"), deviceExpiresIn },
                           { QStringLiteral("interval"), deviceInterval } }));
        return;
    }
    const QString grant = form.value(QStringLiteral("grant_type"));
    if (grant == u"urn:ietf:params:oauth:grant-type:device_code") {
        const QString step = deviceScript.value(devicePolls, QStringLiteral("ok"));
        ++devicePolls;
        if (step != u"ok") {
            sendJson(
                socket, 400,
                compact({ { QStringLiteral("error"), step },
                          { QStringLiteral("error_description"), QString(QStringLiteral("device flow: ") + step) } }));
            return;
        }
        const QString refresh = issueRefreshToken();
        sendJson(socket, 200,
                 compact({ { QStringLiteral("access_token"), makeAccessToken(accessTtlSecs) },
                           { QStringLiteral("refresh_token"), refresh },
                           { QStringLiteral("user"), QJsonObject { { QStringLiteral("id"), QStringLiteral("user_1") },
                                                                   { QStringLiteral("email"), email } } } }));
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
                     compact({ { QStringLiteral("error"), QStringLiteral("invalid_grant") },
                               { QStringLiteral("error_description"),
                                 spentRefreshTokens.contains(token) ? QStringLiteral("Refresh token already exchanged.")
                                                                    : QStringLiteral("Refresh token not found.") } }));
            return;
        }
        // Rotation: the old token is spent, a new one replaces it.
        validRefreshTokens.remove(token);
        spentRefreshTokens.insert(token);
        ++refreshCount;
        // With organisations configured, a token is scoped (org_id claim) only when the refresh named one.
        const QString org = organizations.isEmpty() ? QStringLiteral("org_1") : organization;
        sendJson(socket, 200,
                 compact({ { QStringLiteral("access_token"), makeAccessToken(accessTtlSecs, org) },
                           { QStringLiteral("refresh_token"), issueRefreshToken() },
                           { QStringLiteral("user"),
                             QJsonObject { { QStringLiteral("id"), QStringLiteral("user_1") },
                                           { QStringLiteral("email"), email },
                                           { QStringLiteral("first_name"), QStringLiteral("Dev") } } },
                           { QStringLiteral("organization_id"), org } }));
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
    for (const QJsonValue &t : body.value(QStringLiteral("tools")).toArray()) {
        const QJsonObject o = t.toObject();
        if (format == "chat")
            names << o.value(QStringLiteral("function")).toObject().value(QStringLiteral("name")).toString();
        else if (format == "gemini")
            for (const QJsonValue &f : o.value(QStringLiteral("functionDeclarations")).toArray())
                names << f.toObject().value(QStringLiteral("name")).toString();
        else
            names << o.value(QStringLiteral("name")).toString();
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
            t += b.toObject().value(QStringLiteral("text")).toString();
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
            const QString type = p.value(QStringLiteral("type")).toString();
            if (p.value(QStringLiteral("thought")).toBool() || !p.value(QStringLiteral("text")).isString()
                || !(type.isEmpty() || type == u"text" || type == u"input_text"))
                continue;
            *has = true;
            t += (t.isEmpty() ? QString() : QStringLiteral("\n")) + p.value(QStringLiteral("text")).toString();
        }
        return t;
    };
    if (format == "anthropic" || format == "chat") {
        for (const QJsonValue &mv : body.value(QStringLiteral("messages")).toArray()) {
            const QJsonObject m = mv.toObject();
            const QString role = m.value(QStringLiteral("role")).toString();
            Entry e;
            if (role == u"tool")
                e.results << m.value(QStringLiteral("tool_call_id")).toString() + u'='
                                 + textOf(m.value(QStringLiteral("content")));
            for (const QJsonValue &b : m.value(QStringLiteral("content")).toArray())
                if (format == "anthropic" && b.toObject().value(QStringLiteral("type")).toString() == u"tool_result")
                    e.results << b.toObject().value(QStringLiteral("tool_use_id")).toString() + u'='
                                     + textOf(b.toObject().value(QStringLiteral("content")));
            if (role == u"user") {
                bool has = false;
                e.text = userText(m.value(QStringLiteral("content")), &has);
                e.user = has && e.results.isEmpty();
            }
            out << e;
        }
    } else if (format == "responses") {
        const QJsonValue input = body.value(QStringLiteral("input"));
        if (input.isString())
            out << Entry { true, input.toString(), {} };
        for (const QJsonValue &iv : input.toArray()) {
            const QJsonObject item = iv.toObject();
            const QString type = item.value(QStringLiteral("type")).toString();
            Entry e;
            if (type == u"function_call_output" || type == u"custom_tool_call_output")
                e.results << item.value(QStringLiteral("call_id")).toString() + u'='
                                 + textOf(item.value(QStringLiteral("output")));
            else if ((type.isEmpty() || type == u"message") && item.value(QStringLiteral("role")).toString() == u"user")
                e.text = userText(item.value(QStringLiteral("content")), &e.user);
            out << e;
        }
    } else {
        for (const QJsonValue &cv : body.value(QStringLiteral("contents")).toArray()) {
            const QJsonObject c = cv.toObject();
            Entry e;
            if (c.value(QStringLiteral("role")).toString() != u"model") {
                for (const QJsonValue &p : c.value(QStringLiteral("parts")).toArray())
                    if (p.toObject().contains(QStringLiteral("functionResponse"))) {
                        const QJsonObject fr = p.toObject().value(QStringLiteral("functionResponse")).toObject();
                        const QJsonObject r = fr.value(QStringLiteral("response")).toObject();
                        e.results << fr.value(QStringLiteral("name")).toString() + u'='
                                         + (r.contains(QStringLiteral("output"))
                                                ? textOf(r.value(QStringLiteral("output")))
                                                : QString::fromUtf8(compact(r)));
                    }
                bool has = false;
                e.text = userText(c.value(QStringLiteral("parts")), &has);
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
    static const QRegularExpression step(QStringLiteral("\\bstep (\\d+)\\b"),
                                         QRegularExpression::CaseInsensitiveOption);
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
    const QJsonObject paris { { QStringLiteral("city"), QStringLiteral("Paris") } };
    const QJsonObject london { { QStringLiteral("city"), QStringLiteral("London") } };
    QList<QByteArray> ev;
    if (format == "anthropic") {
        ev << sse("message_start",
                  { { QStringLiteral("type"), QStringLiteral("message_start") },
                    { QStringLiteral("message"),
                      QJsonObject { { QStringLiteral("id"), QStringLiteral("msg_s1") },
                                    { QStringLiteral("type"), QStringLiteral("message") },
                                    { QStringLiteral("role"), QStringLiteral("assistant") },
                                    { QStringLiteral("model"), model },
                                    { QStringLiteral("content"), QJsonArray() },
                                    { QStringLiteral("stop_reason"), QJsonValue::Null },
                                    { QStringLiteral("stop_sequence"), QJsonValue::Null },
                                    { QStringLiteral("usage"),
                                      QJsonObject { { QStringLiteral("input_tokens"), 30 },
                                                    { QStringLiteral("output_tokens"), 1 },
                                                    { QStringLiteral("cache_read_input_tokens"), 5 } } } } } });
        int index = 0;
        if (scenario == u"think") {
            ev << sse("content_block_start",
                      { { QStringLiteral("type"), QStringLiteral("content_block_start") },
                        { QStringLiteral("index"), index },
                        { QStringLiteral("content_block"),
                          QJsonObject { { QStringLiteral("type"), QStringLiteral("thinking") },
                                        { QStringLiteral("thinking"), QStringLiteral("") },
                                        { QStringLiteral("signature"), QStringLiteral("") } } } });
            ev << sse(
                "content_block_delta",
                { { QStringLiteral("type"), QStringLiteral("content_block_delta") },
                  { QStringLiteral("index"), index },
                  { QStringLiteral("delta"), QJsonObject { { QStringLiteral("type"), QStringLiteral("thinking_delta") },
                                                           { QStringLiteral("thinking"), thought } } } });
            ev << sse("content_block_delta",
                      { { QStringLiteral("type"), QStringLiteral("content_block_delta") },
                        { QStringLiteral("index"), index },
                        { QStringLiteral("delta"),
                          QJsonObject { { QStringLiteral("type"), QStringLiteral("signature_delta") },
                                        { QStringLiteral("signature"), signature } } } });
            ev << sse("content_block_stop", { { QStringLiteral("type"), QStringLiteral("content_block_stop") },
                                              { QStringLiteral("index"), index++ } });
        }
        if (tools) {
            for (const auto &[id, args] : { std::pair { QStringLiteral("toolu_paris"), paris },
                                            std::pair { QStringLiteral("toolu_london"), london } }) {
                ev << sse("content_block_start",
                          { { QStringLiteral("type"), QStringLiteral("content_block_start") },
                            { QStringLiteral("index"), index },
                            { QStringLiteral("content_block"),
                              QJsonObject { { QStringLiteral("type"), QStringLiteral("tool_use") },
                                            { QStringLiteral("id"), id },
                                            { QStringLiteral("name"), QStringLiteral("get_weather") },
                                            { QStringLiteral("input"), QJsonObject() } } } });
                const QByteArray json = compact(args);
                ev << sse("content_block_delta",
                          { { QStringLiteral("type"), QStringLiteral("content_block_delta") },
                            { QStringLiteral("index"), index },
                            { QStringLiteral("delta"),
                              QJsonObject { { QStringLiteral("type"), QStringLiteral("input_json_delta") },
                                            { QStringLiteral("partial_json"), QString::fromUtf8(json.left(5)) } } } });
                ev << sse("content_block_delta",
                          { { QStringLiteral("type"), QStringLiteral("content_block_delta") },
                            { QStringLiteral("index"), index },
                            { QStringLiteral("delta"),
                              QJsonObject { { QStringLiteral("type"), QStringLiteral("input_json_delta") },
                                            { QStringLiteral("partial_json"), QString::fromUtf8(json.mid(5)) } } } });
                ev << sse("content_block_stop", { { QStringLiteral("type"), QStringLiteral("content_block_stop") },
                                                  { QStringLiteral("index"), index++ } });
            }
        } else {
            ev << sse("content_block_start", { { QStringLiteral("type"), QStringLiteral("content_block_start") },
                                               { QStringLiteral("index"), index },
                                               { QStringLiteral("content_block"),
                                                 QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                                                               { QStringLiteral("text"), QStringLiteral("") } } } });
            ev << sse("content_block_delta", { { QStringLiteral("type"), QStringLiteral("content_block_delta") },
                                               { QStringLiteral("index"), index },
                                               { QStringLiteral("delta"),
                                                 QJsonObject { { QStringLiteral("type"), QStringLiteral("text_delta") },
                                                               { QStringLiteral("text"), text } } } });
            ev << sse("content_block_stop", { { QStringLiteral("type"), QStringLiteral("content_block_stop") },
                                              { QStringLiteral("index"), index++ } });
        }
        ev << sse("message_delta",
                  { { QStringLiteral("type"), QStringLiteral("message_delta") },
                    { QStringLiteral("delta"),
                      QJsonObject { { QStringLiteral("stop_reason"),
                                      tools ? QStringLiteral("tool_use") : QStringLiteral("end_turn") },
                                    { QStringLiteral("stop_sequence"), QJsonValue::Null } } },
                    { QStringLiteral("usage"), QJsonObject { { QStringLiteral("output_tokens"), 17 } } } });
        ev << sse("message_stop", { { QStringLiteral("type"), QStringLiteral("message_stop") } });
    } else if (format == "responses") {
        int seq = 0;
        int out = 0;
        const QJsonObject resp0 { { QStringLiteral("id"), QStringLiteral("resp_s1") },
                                  { QStringLiteral("object"), QStringLiteral("response") },
                                  { QStringLiteral("created_at"), 1700000000 },
                                  { QStringLiteral("status"), QStringLiteral("in_progress") },
                                  { QStringLiteral("model"), model },
                                  { QStringLiteral("output"), QJsonArray() } };
        ev << sse("response.created", { { QStringLiteral("type"), QStringLiteral("response.created") },
                                        { QStringLiteral("sequence_number"), seq++ },
                                        { QStringLiteral("response"), resp0 } });
        QJsonArray output;
        if (scenario == u"think") {
            ev << sse("response.output_item.added",
                      { { QStringLiteral("type"), QStringLiteral("response.output_item.added") },
                        { QStringLiteral("sequence_number"), seq++ },
                        { QStringLiteral("output_index"), out },
                        { QStringLiteral("item"), QJsonObject { { QStringLiteral("type"), QStringLiteral("reasoning") },
                                                                { QStringLiteral("id"), QStringLiteral("rs_1") },
                                                                { QStringLiteral("summary"), QJsonArray() } } } });
            ev << sse(
                "response.reasoning_summary_part.added",
                { { QStringLiteral("type"), QStringLiteral("response.reasoning_summary_part.added") },
                  { QStringLiteral("sequence_number"), seq++ },
                  { QStringLiteral("item_id"), QStringLiteral("rs_1") },
                  { QStringLiteral("output_index"), out },
                  { QStringLiteral("summary_index"), 0 },
                  { QStringLiteral("part"), QJsonObject { { QStringLiteral("type"), QStringLiteral("summary_text") },
                                                          { QStringLiteral("text"), QStringLiteral("") } } } });
            ev << sse("response.reasoning_summary_text.delta",
                      { { QStringLiteral("type"), QStringLiteral("response.reasoning_summary_text.delta") },
                        { QStringLiteral("sequence_number"), seq++ },
                        { QStringLiteral("item_id"), QStringLiteral("rs_1") },
                        { QStringLiteral("output_index"), out },
                        { QStringLiteral("summary_index"), 0 },
                        { QStringLiteral("delta"), thought } });
            ev << sse("response.reasoning_summary_text.done",
                      { { QStringLiteral("type"), QStringLiteral("response.reasoning_summary_text.done") },
                        { QStringLiteral("sequence_number"), seq++ },
                        { QStringLiteral("item_id"), QStringLiteral("rs_1") },
                        { QStringLiteral("output_index"), out },
                        { QStringLiteral("summary_index"), 0 },
                        { QStringLiteral("text"), thought } });
            ev << sse(
                "response.reasoning_summary_part.done",
                { { QStringLiteral("type"), QStringLiteral("response.reasoning_summary_part.done") },
                  { QStringLiteral("sequence_number"), seq++ },
                  { QStringLiteral("item_id"), QStringLiteral("rs_1") },
                  { QStringLiteral("output_index"), out },
                  { QStringLiteral("summary_index"), 0 },
                  { QStringLiteral("part"), QJsonObject { { QStringLiteral("type"), QStringLiteral("summary_text") },
                                                          { QStringLiteral("text"), thought } } } });
            const QJsonObject item { { QStringLiteral("type"), QStringLiteral("reasoning") },
                                     { QStringLiteral("id"), QStringLiteral("rs_1") },
                                     { QStringLiteral("summary"),
                                       QJsonArray {
                                           QJsonObject { { QStringLiteral("type"), QStringLiteral("summary_text") },
                                                         { QStringLiteral("text"), thought } } } },
                                     { QStringLiteral("encrypted_content"), signature } };
            ev << sse("response.output_item.done",
                      { { QStringLiteral("type"), QStringLiteral("response.output_item.done") },
                        { QStringLiteral("sequence_number"), seq++ },
                        { QStringLiteral("output_index"), out++ },
                        { QStringLiteral("item"), item } });
            output.append(item);
        }
        if (tools) {
            for (const auto &[id, args] : { std::pair { QStringLiteral("call_paris"), paris },
                                            std::pair { QStringLiteral("call_london"), london } }) {
                const QString itemId = QStringLiteral("fc_") + id;
                ev << sse("response.output_item.added",
                          { { QStringLiteral("type"), QStringLiteral("response.output_item.added") },
                            { QStringLiteral("sequence_number"), seq++ },
                            { QStringLiteral("output_index"), out },
                            { QStringLiteral("item"),
                              QJsonObject { { QStringLiteral("type"), QStringLiteral("function_call") },
                                            { QStringLiteral("id"), itemId },
                                            { QStringLiteral("call_id"), id },
                                            { QStringLiteral("name"), QStringLiteral("get_weather") },
                                            { QStringLiteral("arguments"), QStringLiteral("") },
                                            { QStringLiteral("status"), QStringLiteral("in_progress") } } } });
                ev << sse("response.function_call_arguments.delta",
                          { { QStringLiteral("type"), QStringLiteral("response.function_call_arguments.delta") },
                            { QStringLiteral("sequence_number"), seq++ },
                            { QStringLiteral("item_id"), itemId },
                            { QStringLiteral("output_index"), out },
                            { QStringLiteral("delta"), QString::fromUtf8(compact(args)) } });
                ev << sse("response.function_call_arguments.done",
                          { { QStringLiteral("type"), QStringLiteral("response.function_call_arguments.done") },
                            { QStringLiteral("sequence_number"), seq++ },
                            { QStringLiteral("item_id"), itemId },
                            { QStringLiteral("output_index"), out },
                            { QStringLiteral("arguments"), QString::fromUtf8(compact(args)) } });
                const QJsonObject item { { QStringLiteral("type"), QStringLiteral("function_call") },
                                         { QStringLiteral("id"), itemId },
                                         { QStringLiteral("call_id"), id },
                                         { QStringLiteral("name"), QStringLiteral("get_weather") },
                                         { QStringLiteral("arguments"), QString::fromUtf8(compact(args)) },
                                         { QStringLiteral("status"), QStringLiteral("completed") } };
                ev << sse("response.output_item.done",
                          { { QStringLiteral("type"), QStringLiteral("response.output_item.done") },
                            { QStringLiteral("sequence_number"), seq++ },
                            { QStringLiteral("output_index"), out++ },
                            { QStringLiteral("item"), item } });
                output.append(item);
            }
        } else {
            ev << sse(
                "response.output_item.added",
                { { QStringLiteral("type"), QStringLiteral("response.output_item.added") },
                  { QStringLiteral("sequence_number"), seq++ },
                  { QStringLiteral("output_index"), out },
                  { QStringLiteral("item"), QJsonObject { { QStringLiteral("type"), QStringLiteral("message") },
                                                          { QStringLiteral("id"), QStringLiteral("msg_1") },
                                                          { QStringLiteral("status"), QStringLiteral("in_progress") },
                                                          { QStringLiteral("role"), QStringLiteral("assistant") },
                                                          { QStringLiteral("content"), QJsonArray() } } } });
            ev << sse(
                "response.content_part.added",
                { { QStringLiteral("type"), QStringLiteral("response.content_part.added") },
                  { QStringLiteral("sequence_number"), seq++ },
                  { QStringLiteral("item_id"), QStringLiteral("msg_1") },
                  { QStringLiteral("output_index"), out },
                  { QStringLiteral("content_index"), 0 },
                  { QStringLiteral("part"), QJsonObject { { QStringLiteral("type"), QStringLiteral("output_text") },
                                                          { QStringLiteral("text"), QStringLiteral("") },
                                                          { QStringLiteral("annotations"), QJsonArray() } } } });
            ev << sse("response.output_text.delta",
                      { { QStringLiteral("type"), QStringLiteral("response.output_text.delta") },
                        { QStringLiteral("sequence_number"), seq++ },
                        { QStringLiteral("item_id"), QStringLiteral("msg_1") },
                        { QStringLiteral("output_index"), out },
                        { QStringLiteral("content_index"), 0 },
                        { QStringLiteral("delta"), text } });
            const QJsonObject part { { QStringLiteral("type"), QStringLiteral("output_text") },
                                     { QStringLiteral("text"), text },
                                     { QStringLiteral("annotations"), QJsonArray() } };
            ev << sse("response.output_text.done",
                      { { QStringLiteral("type"), QStringLiteral("response.output_text.done") },
                        { QStringLiteral("sequence_number"), seq++ },
                        { QStringLiteral("item_id"), QStringLiteral("msg_1") },
                        { QStringLiteral("output_index"), out },
                        { QStringLiteral("content_index"), 0 },
                        { QStringLiteral("text"), text } });
            ev << sse("response.content_part.done",
                      { { QStringLiteral("type"), QStringLiteral("response.content_part.done") },
                        { QStringLiteral("sequence_number"), seq++ },
                        { QStringLiteral("item_id"), QStringLiteral("msg_1") },
                        { QStringLiteral("output_index"), out },
                        { QStringLiteral("content_index"), 0 },
                        { QStringLiteral("part"), part } });
            const QJsonObject item { { QStringLiteral("type"), QStringLiteral("message") },
                                     { QStringLiteral("id"), QStringLiteral("msg_1") },
                                     { QStringLiteral("status"), QStringLiteral("completed") },
                                     { QStringLiteral("role"), QStringLiteral("assistant") },
                                     { QStringLiteral("content"), QJsonArray { part } } };
            ev << sse("response.output_item.done",
                      { { QStringLiteral("type"), QStringLiteral("response.output_item.done") },
                        { QStringLiteral("sequence_number"), seq++ },
                        { QStringLiteral("output_index"), out++ },
                        { QStringLiteral("item"), item } });
            output.append(item);
        }
        QJsonObject done = resp0;
        done.insert(QStringLiteral("status"), QStringLiteral("completed"));
        done.insert(QStringLiteral("output"), output);
        done.insert(
            QStringLiteral("usage"),
            QJsonObject {
                { QStringLiteral("input_tokens"), 35 },
                { QStringLiteral("input_tokens_details"), QJsonObject { { QStringLiteral("cached_tokens"), 5 } } },
                { QStringLiteral("output_tokens"), 17 },
                { QStringLiteral("output_tokens_details"), QJsonObject { { QStringLiteral("reasoning_tokens"), 4 } } },
                { QStringLiteral("total_tokens"), 52 } });
        ev << sse("response.completed", { { QStringLiteral("type"), QStringLiteral("response.completed") },
                                          { QStringLiteral("sequence_number"), seq++ },
                                          { QStringLiteral("response"), done } });
    } else if (format == "chat") {
        const QJsonObject base { { QStringLiteral("id"), QStringLiteral("chatcmpl-s1") },
                                 { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
                                 { QStringLiteral("created"), 1700000000 },
                                 { QStringLiteral("model"), model } };
        auto chunkWith = [&](const QJsonObject &delta, const QJsonValue &finish) {
            QJsonObject c = base;
            c.insert(QStringLiteral("choices"),
                     QJsonArray { QJsonObject { { QStringLiteral("index"), 0 },
                                                { QStringLiteral("delta"), delta },
                                                { QStringLiteral("finish_reason"), finish } } });
            return sse({}, c);
        };
        ev << chunkWith({ { QStringLiteral("role"), QStringLiteral("assistant") } }, QJsonValue::Null);
        if (scenario == u"think")
            ev << chunkWith({ { QStringLiteral("reasoning_content"), thought } }, QJsonValue::Null);
        if (tools) {
            int i = 0;
            for (const auto &[id, args] : { std::pair { QStringLiteral("call_paris"), paris },
                                            std::pair { QStringLiteral("call_london"), london } }) {
                ev << chunkWith({ { QStringLiteral("tool_calls"),
                                    QJsonArray { QJsonObject {
                                        { QStringLiteral("index"), i },
                                        { QStringLiteral("id"), id },
                                        { QStringLiteral("type"), QStringLiteral("function") },
                                        { QStringLiteral("function"),
                                          QJsonObject { { QStringLiteral("name"), QStringLiteral("get_weather") },
                                                        { QStringLiteral("arguments"), QStringLiteral("") } } } } } } },
                                QJsonValue::Null);
                ev << chunkWith(
                    { { QStringLiteral("tool_calls"),
                        QJsonArray { QJsonObject { { QStringLiteral("index"), i },
                                                   { QStringLiteral("function"),
                                                     QJsonObject { { QStringLiteral("arguments"),
                                                                     QString::fromUtf8(compact(args)) } } } } } } },
                    QJsonValue::Null);
                ++i;
            }
            ev << chunkWith({}, QStringLiteral("tool_calls"));
        } else {
            ev << chunkWith({ { QStringLiteral("content"), text } }, QJsonValue::Null);
            ev << chunkWith({}, QStringLiteral("stop"));
        }
        QJsonObject usage = base;
        usage.insert(QStringLiteral("choices"), QJsonArray());
        usage.insert(QStringLiteral("usage"),
                     QJsonObject { { QStringLiteral("prompt_tokens"), 35 },
                                   { QStringLiteral("completion_tokens"), 17 },
                                   { QStringLiteral("total_tokens"), 52 },
                                   { QStringLiteral("prompt_tokens_details"),
                                     QJsonObject { { QStringLiteral("cached_tokens"), 5 } } } });
        ev << sse({}, usage);
        ev << QByteArray("data: [DONE]\n\n");
    } else {
        auto chunkOf = [&](const QJsonArray &parts, const QString &finish, bool usage) {
            QJsonObject cand { { QStringLiteral("content"),
                                 QJsonObject { { QStringLiteral("role"), QStringLiteral("model") },
                                               { QStringLiteral("parts"), parts } } },
                               { QStringLiteral("index"), 0 } };
            if (!finish.isEmpty())
                cand.insert(QStringLiteral("finishReason"), finish);
            QJsonObject c { { QStringLiteral("candidates"), QJsonArray { cand } },
                            { QStringLiteral("modelVersion"), model },
                            { QStringLiteral("responseId"), QStringLiteral("gem_s1") } };
            if (usage)
                c.insert(QStringLiteral("usageMetadata"),
                         QJsonObject { { QStringLiteral("promptTokenCount"), 35 },
                                       { QStringLiteral("candidatesTokenCount"), 13 },
                                       { QStringLiteral("thoughtsTokenCount"), 4 },
                                       { QStringLiteral("totalTokenCount"), 52 },
                                       { QStringLiteral("cachedContentTokenCount"), 5 } });
            return sse({}, c);
        };
        if (scenario == u"think")
            ev << chunkOf(
                QJsonArray { QJsonObject { { QStringLiteral("text"), thought }, { QStringLiteral("thought"), true } } },
                QString(), false);
        if (tools)
            ev << chunkOf(
                QJsonArray { QJsonObject { { QStringLiteral("functionCall"),
                                             QJsonObject { { QStringLiteral("name"), QStringLiteral("get_weather") },
                                                           { QStringLiteral("args"), paris } } },
                                           { QStringLiteral("thoughtSignature"), signature } },
                             QJsonObject { { QStringLiteral("functionCall"),
                                             QJsonObject { { QStringLiteral("name"), QStringLiteral("get_weather") },
                                                           { QStringLiteral("args"), london } } } } },
                QStringLiteral("STOP"), true);
        else
            ev << chunkOf(QJsonArray { QJsonObject { { QStringLiteral("text"), text } } }, QStringLiteral("STOP"),
                          true);
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
                return compact(QJsonDocument::fromJson(e.mid(e.indexOf("data: ") + 6))
                                   .object()
                                   .value(QStringLiteral("response"))
                                   .toObject());
    }
    if (format == "gemini") {
        QJsonArray parts;
        QJsonObject last;
        for (const QByteArray &e : events) {
            last = QJsonDocument::fromJson(e.mid(6)).object();
            for (const QJsonValue &p : last.value(QStringLiteral("candidates"))
                                           .toArray()
                                           .first()
                                           .toObject()
                                           .value(QStringLiteral("content"))
                                           .toObject()
                                           .value(QStringLiteral("parts"))
                                           .toArray())
                parts.append(p);
        }
        QJsonArray cands = last.value(QStringLiteral("candidates")).toArray();
        QJsonObject c0 = cands.first().toObject();
        c0.insert(QStringLiteral("content"), QJsonObject { { QStringLiteral("role"), QStringLiteral("model") },
                                                           { QStringLiteral("parts"), parts } });
        cands[0] = c0;
        last.insert(QStringLiteral("candidates"), cands);
        return compact(last);
    }
    if (format == "chat") {
        QString content, reasoning;
        QJsonArray calls;
        QString finish;
        for (const QByteArray &e : events) {
            const QJsonObject c = QJsonDocument::fromJson(e.mid(6)).object();
            const QJsonObject ch = c.value(QStringLiteral("choices")).toArray().first().toObject();
            const QJsonObject d = ch.value(QStringLiteral("delta")).toObject();
            content += d.value(QStringLiteral("content")).toString();
            reasoning += d.value(QStringLiteral("reasoning_content")).toString();
            for (const QJsonValue &tv : d.value(QStringLiteral("tool_calls")).toArray()) {
                const QJsonObject t = tv.toObject();
                if (t.contains(QStringLiteral("id")))
                    calls.append(QJsonObject {
                        { QStringLiteral("id"), t.value(QStringLiteral("id")) },
                        { QStringLiteral("type"), QStringLiteral("function") },
                        { QStringLiteral("function"),
                          QJsonObject {
                              { QStringLiteral("name"),
                                t.value(QStringLiteral("function")).toObject().value(QStringLiteral("name")) },
                              { QStringLiteral("arguments"), QStringLiteral("") } } } });
                else {
                    QJsonObject last = calls.last().toObject();
                    QJsonObject f = last.value(QStringLiteral("function")).toObject();
                    f.insert(QStringLiteral("arguments"), QString(f.value(QStringLiteral("arguments")).toString()
                                                                  + t.value(QStringLiteral("function"))
                                                                        .toObject()
                                                                        .value(QStringLiteral("arguments"))
                                                                        .toString()));
                    last.insert(QStringLiteral("function"), f);
                    calls[calls.size() - 1] = last;
                }
            }
            if (ch.value(QStringLiteral("finish_reason")).isString())
                finish = ch.value(QStringLiteral("finish_reason")).toString();
        }
        QJsonObject msg { { QStringLiteral("role"), QStringLiteral("assistant") },
                          { QStringLiteral("content"),
                            calls.isEmpty() ? QJsonValue(content) : QJsonValue(QJsonValue::Null) } };
        if (!reasoning.isEmpty())
            msg.insert(QStringLiteral("reasoning_content"), reasoning);
        if (!calls.isEmpty())
            msg.insert(QStringLiteral("tool_calls"), calls);
        return compact(
            { { QStringLiteral("id"), QStringLiteral("chatcmpl-s1") },
              { QStringLiteral("object"), QStringLiteral("chat.completion") },
              { QStringLiteral("created"), 1700000000 },
              { QStringLiteral("model"), model },
              { QStringLiteral("choices"), QJsonArray { QJsonObject { { QStringLiteral("index"), 0 },
                                                                      { QStringLiteral("message"), msg },
                                                                      { QStringLiteral("finish_reason"), finish } } } },
              { QStringLiteral("usage"), QJsonObject { { QStringLiteral("prompt_tokens"), 35 },
                                                       { QStringLiteral("completion_tokens"), 17 },
                                                       { QStringLiteral("total_tokens"), 52 } } } });
    }
    // anthropic
    QJsonArray content;
    QString stop;
    for (const QByteArray &e : events) {
        const QJsonObject d = QJsonDocument::fromJson(e.mid(e.indexOf("data: ") + 6)).object();
        const QString type = d.value(QStringLiteral("type")).toString();
        if (type == u"content_block_start")
            content.append(d.value(QStringLiteral("content_block")).toObject());
        else if (type == u"content_block_delta") {
            QJsonObject b = content.last().toObject();
            const QJsonObject dl = d.value(QStringLiteral("delta")).toObject();
            if (dl.contains(QStringLiteral("text")))
                b.insert(QStringLiteral("text"), QString(b.value(QStringLiteral("text")).toString()
                                                         + dl.value(QStringLiteral("text")).toString()));
            if (dl.contains(QStringLiteral("thinking")))
                b.insert(QStringLiteral("thinking"), QString(b.value(QStringLiteral("thinking")).toString()
                                                             + dl.value(QStringLiteral("thinking")).toString()));
            if (dl.contains(QStringLiteral("signature")))
                b.insert(QStringLiteral("signature"), dl.value(QStringLiteral("signature")));
            if (dl.contains(QStringLiteral("partial_json")))
                b.insert(QStringLiteral("partial"), QString(b.value(QStringLiteral("partial")).toString()
                                                            + dl.value(QStringLiteral("partial_json")).toString()));
            content[content.size() - 1] = b;
        } else if (type == u"message_delta")
            stop = d.value(QStringLiteral("delta")).toObject().value(QStringLiteral("stop_reason")).toString();
    }
    for (qsizetype i = 0; i < content.size(); ++i) {
        QJsonObject b = content[i].toObject();
        if (b.contains(QStringLiteral("partial"))) {
            b.insert(QStringLiteral("input"),
                     QJsonDocument::fromJson(b.value(QStringLiteral("partial")).toString().toUtf8()).object());
            b.remove(QStringLiteral("partial"));
            content[i] = b;
        }
    }
    return compact({ { QStringLiteral("id"), QStringLiteral("msg_s1") },
                     { QStringLiteral("type"), QStringLiteral("message") },
                     { QStringLiteral("role"), QStringLiteral("assistant") },
                     { QStringLiteral("model"), model },
                     { QStringLiteral("content"), content },
                     { QStringLiteral("stop_reason"), stop },
                     { QStringLiteral("stop_sequence"), QJsonValue::Null },
                     { QStringLiteral("usage"), QJsonObject { { QStringLiteral("input_tokens"), 30 },
                                                              { QStringLiteral("output_tokens"), 17 },
                                                              { QStringLiteral("cache_read_input_tokens"), 5 } } } });
}

void FakeUpstream::respond(QTcpSocket *socket, const Received &req)
{
    if (req.path.startsWith("/user_management/"))
        return respondWorkOs(socket, req);
    if (req.path.startsWith("/fake/"))
        return respondFake(socket, req);
    const bool failThisModel = failModels.contains(req.json.value(QStringLiteral("model")).toString());
    if (failNextRequests > 0 || failThisModel) {
        if (!failThisModel)
            --failNextRequests;
        const QByteArray body =
            failBody.isEmpty() ? QByteArray(R"({"error":{"message":"fake upstream failure","type":"server_error"}})")
                               : failBody;
        socket->write("HTTP/1.1 " + QByteArray::number(failStatus) + " Fail\r\nContent-Type: application/json\r\n"
                      + (failRetryAfter.isEmpty() ? QByteArray() : "Retry-After: " + failRetryAfter + "\r\n")
                      + failHeaders + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        return;
    }
    const QByteArray auth = req.header("authorization");
    if (auth.startsWith("Bearer ") && (rejectAllBearers || rejectBearers.contains(auth.mid(7)))) {
        sendJson(socket, 401, R"({"type":"error","error":{"type":"authentication_error","message":"token expired"}})");
        return;
    }
    const QString requestModel = req.json.value(QStringLiteral("model")).toString();
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
    QJsonObject fake = req.json.value(QStringLiteral("fake")).toObject();
    if (!req.json.contains(QStringLiteral("fake")) && !fakeQueue.isEmpty())
        fake = fakeQueue.takeFirst();
    const QString scenario = fake.value(QStringLiteral("scenario")).toString(QStringLiteral("normal"));
    const int delay = fake.value(QStringLiteral("delay_ms")).toInt(0);
    const int deltas = fake.value(QStringLiteral("deltas")).toInt(3);
    const QByteArray format = formatOfPath(req.path);
    const QString model = req.json.value(QStringLiteral("model")).toString();
    const QByteArray extraHeaders =
        QByteArray("x-request-id: req_fake_") + QByteArray::number(received.size()) + "\r\n";

    if (scenario == u"hang")
        return;
    if (scenario == u"close") {
        socket->abort();
        return;
    }
    if (scenario == u"raw") {
        socket->write(fake.value(QStringLiteral("raw")).toString().toUtf8());
        if (fake.value(QStringLiteral("close")).toBool())
            socket->disconnectFromHost();
        return;
    }
    if (scenario == u"trickle") {
        QList<QByteArray> lines;
        const QByteArray all = fake.value(QStringLiteral("raw")).toString().toUtf8();
        for (qsizetype at = 0; at < all.size();) {
            const qsizetype nl = all.indexOf('\n', at);
            const qsizetype end = nl < 0 ? all.size() : nl + 1;
            lines << all.mid(at, end - at);
            at = end;
        }
        QPointer<QTcpSocket> s(socket);
        const bool close = fake.value(QStringLiteral("close")).toBool();
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
        const QByteArray unitOnce = fake.value(QStringLiteral("unit")).toString().toUtf8();
        QByteArray unit;
        while (unit.size() < 64 * 1024)
            unit += unitOnce; // write in 64 KiB pieces
        const qint64 limit = qint64(fake.value(QStringLiteral("limit_bytes")).toDouble(64.0 * 1024 * 1024));
        socket->write(fake.value(QStringLiteral("head")).toString().toUtf8());
        QPointer<QTcpSocket> s(socket);
        auto pump = std::make_shared<std::function<void()>>();
        const QByteArray tail = fake.value(QStringLiteral("tail")).toString().toUtf8();
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
        const QByteArray body = fake.value(QStringLiteral("body")).toString().toUtf8();
        socket->write("HTTP/1.1 " + QByteArray::number(fake.value(u"status").toInt(500))
                      + " Error\r\nContent-Type: application/json\r\n" + extraHeaders
                      + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        return;
    }
    if (scenario == u"utf8split") {
        const QByteArray event = sse(
            "content_block_delta",
            { { QStringLiteral("type"), QStringLiteral("content_block_delta") },
              { QStringLiteral("index"), 0 },
              { QStringLiteral("delta"),
                QJsonObject { { QStringLiteral("type"), QStringLiteral("text_delta") },
                              { QStringLiteral("text"), QStringLiteral("h\u00e9llo \u4e16\u754c \U0001F600") } } } });
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
            s->write(chunk(sse("message_stop", { { QStringLiteral("type"), QStringLiteral("message_stop") } }))
                     + "0\r\n\r\n");
            m_streaming[s] = false;
        });
        return;
    }
    const bool isCount = req.path.contains("count_tokens");
    // Factory's Gemini route always streams (SSE) and takes no "stream" member, as Factory's CLI expects it.
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
            reply.text = QString(agent->afterTool).replace(QStringLiteral("{step}"), step);
            ++agentAfterTool;
            agentToolResults << turn.results.join(QStringLiteral(" | "));
            answer = QStringLiteral("after_tool");
        } else if (!agent->tool.isEmpty() && toolNamesOf(format, req.json).contains(agent->tool)) {
            reply.tool = agent->tool;
            reply.arguments = QByteArray(agent->arguments).replace("{step}", step.toUtf8());
            reply.callId = QStringLiteral("call_agent_%1").arg(++agentToolCalls);
            answer = QStringLiteral("tool");
        } else {
            reply.text = QString(agent->text).replace(QStringLiteral("{step}"), step);
            ++agentTexts;
            answer = QStringLiteral("text");
        }
        ++agentSerial;
        reply.id = QStringLiteral("agent%1").arg(agentSerial); // ids of their own, as every real answer has
        if (vendorChecks)
            reply.reasoning =
                fakesession::reasoningFor(format, model, req.json, QStringLiteral("Thinking about step %1.").arg(step),
                                          model + QStringLiteral("|agent|") + QString::number(agentSerial));
        const ScriptedReasoning &rs = reply.reasoning;
        agentRequests << QJsonObject { { QStringLiteral("format"), QString::fromLatin1(format) },
                                       { QStringLiteral("model"), model },
                                       { QStringLiteral("answer"), answer },
                                       { QStringLiteral("step"), turn.step },
                                       { QStringLiteral("user_turns"), turn.userTurns },
                                       { QStringLiteral("history_results"), turn.historyResults },
                                       { QStringLiteral("current_results"), int(turn.results.size()) },
                                       { QStringLiteral("thinking"), !rs.thinking.isEmpty() || !rs.reasoningId.isEmpty()
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
            reply.id = QStringLiteral("structured");
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
    streamTo(socket, streamEvents(format, model, deltas), fake.value(QStringLiteral("lockstep")).toBool() ? -1 : delay,
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
