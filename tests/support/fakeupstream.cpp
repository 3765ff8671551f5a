#include "fakeupstream.h"

#include "http/http1.h"

#include <algorithm>

#include <QtCore/qdatetime.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qpointer.h>
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
            socket->write("HTTP/1.1 " + QByteArray::number(error.httpStatus) + ' ' + d2a::http::reasonPhrase(error.httpStatus)
                          + "\r\nConnection: close\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            buf.clear();
            socket->disconnectFromHost();
            return;
        }
        r.json = QJsonDocument::fromJson(r.body).object();
        r.connectionId = m_ids.value(socket);
        if (r.path.startsWith("/api/cli/") || r.path == "/api/billing/limits") { // account calls: apart from LLM requests
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
    auto b64 = [](const QByteArray &d) { return d.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals); };
    const QByteArray header = b64(R"({"alg":"none","typ":"JWT"})");
    QJsonObject claims { { "sub", "user_1" }, { "email", email }, { "jti", ++serial }, { "exp", double(QDateTime::currentSecsSinceEpoch() + ttl) } };
    if (!org.isEmpty())
        claims.insert("org_id", org);
    const QByteArray payload = b64(compact(claims));
    const QString token = QString::fromLatin1(header + '.' + payload + '.' + b64("fake-signature-" + QByteArray::number(serial)));
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
        QJsonObject o { { "userId", "user_1" }, { "orgId", "org_test" }, { "region", whoamiRegion }, { "isOnPrem", !whoamiPremHost.isEmpty() },
                        { "isEnterprise", false }, { "principalKind", "human" } };
        if (!whoamiPremHost.isEmpty())
            o.insert("premBaseHost", whoamiPremHost);
        return sendJson(socket, 200, compact(o));
    }
    if (req.path == "/api/cli/org")
        return sendJson(socket, 200, compact({ { "workosOrgIds", QJsonArray::fromStringList(organizations) } }));
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
        if (k.contains("issue_refresh_token")) {
            sendJson(socket, 200, compact({ { "refresh_token", issueRefreshToken() } }));
            return;
        }
        failNextRefreshes = k.value("fail_next_refreshes").toInt(failNextRefreshes);
        dropNextRefreshes = k.value("drop_next_refreshes").toInt(dropNextRefreshes);
        refreshDelayMs = k.value("refresh_delay_ms").toInt(refreshDelayMs);
        accessTtlSecs = k.value("access_ttl_secs").toInt(int(accessTtlSecs));
        if (k.contains("reject_bearer"))
            rejectBearers.insert(k.value("reject_bearer").toString().toUtf8());
        whoamiStatus = k.value("whoami_status").toInt(whoamiStatus);
        whoamiRegion = k.value("whoami_region").toString(whoamiRegion);
        if (k.contains("organizations")) {
            organizations.clear();
            for (const QJsonValue &o : k.value("organizations").toArray())
                organizations << o.toString();
        }
        if (k.contains("agent")) {
            const QJsonObject a = k.value("agent").toObject();
            AgentRule rule;
            rule.tool = a.value("tool").toString();
            rule.arguments = a.value("arguments").toString(QStringLiteral("{}")).toUtf8();
            rule.text = a.value("text").toString(rule.text);
            rule.afterTool = a.value("after_tool").toString(rule.afterTool);
            rule.delayMs = a.value("delay_ms").toInt(0);
            agent = rule;
            agentToolCalls = agentAfterTool = agentTexts = 0;
            agentToolResults.clear();
        }
        if (k.contains("device_script")) {
            deviceScript.clear();
            devicePolls = 0;
            for (const QJsonValue &v : k.value("device_script").toArray())
                deviceScript << v.toString();
        }
    }
    QJsonArray valid;
    for (const QString &t : std::as_const(validRefreshTokens))
        valid.append(t);
    QJsonArray bearers;
    for (const Received &r : std::as_const(received))
        if (!r.path.startsWith("/fake") && !r.path.startsWith("/user_management"))
            bearers.append(QString::fromUtf8(r.header("authorization")));
    sendJson(socket, 200, compact({ { "refresh_count", refreshCount }, { "refresh_attempts", refreshAttempts },
                                    { "valid_refresh_tokens", valid }, { "upstream_authorizations", bearers },
                                    { "device_polls", devicePolls }, { "agent_tool_calls", agentToolCalls },
                                    { "agent_after_tool", agentAfterTool }, { "agent_texts", agentTexts },
                                    { "agent_tool_results", QJsonArray::fromStringList(agentToolResults) },
                                    { "api_requests", int(std::count_if(received.cbegin(), received.cend(), [](const Received &r) {
                                          return !r.path.startsWith("/fake") && !r.path.startsWith("/user_management");
                                      })) },
                                    { "llm_requests", int(std::count_if(received.cbegin(), received.cend(), [](const Received &r) {
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
        sendJson(socket, 200, compact({ { "device_code", "dc-fake-device-code-123456" }, { "user_code", "WXYZ-1234" },
                                        { "verification_uri", url("/device").toString() },
                                        { "verification_uri_complete", url("/device?user_code=WXYZ-1234").toString() },
                                        { "expires_in", deviceExpiresIn }, { "interval", deviceInterval } }));
        return;
    }
    const QString grant = form.value(QStringLiteral("grant_type"));
    if (grant == u"urn:ietf:params:oauth:grant-type:device_code") {
        const QString step = deviceScript.value(devicePolls, QStringLiteral("ok"));
        ++devicePolls;
        if (step != u"ok") {
            sendJson(socket, 400, compact({ { "error", step }, { "error_description", "device flow: " + step } }));
            return;
        }
        const QString refresh = issueRefreshToken();
        sendJson(socket, 200, compact({ { "access_token", makeAccessToken(accessTtlSecs) }, { "refresh_token", refresh },
                                        { "user", QJsonObject { { "id", "user_1" }, { "email", email } } } }));
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
            sendJson(socket, 400, compact({ { "error", "invalid_grant" },
                                            { "error_description", spentRefreshTokens.contains(token)
                                                  ? "Refresh token already exchanged." : "Refresh token not found." } }));
            return;
        }
        // Rotation: the old token is spent, a new one replaces it.
        validRefreshTokens.remove(token);
        spentRefreshTokens.insert(token);
        ++refreshCount;
        // With organisations configured, a token is scoped (org_id claim) only when the refresh named one.
        const QString org = organizations.isEmpty() ? QStringLiteral("org_1") : organization;
        sendJson(socket, 200, compact({ { "access_token", makeAccessToken(accessTtlSecs, org) }, { "refresh_token", issueRefreshToken() },
                                        { "user", QJsonObject { { "id", "user_1" }, { "email", email }, { "first_name", "Dev" } } },
                                        { "organization_id", org } }));
    };
    if (refreshDelayMs > 0) {
        QPointer<QTcpSocket> s(socket);
        QTimer::singleShot(refreshDelayMs, this, [s, answer] { if (s) answer(); });
    } else {
        answer();
    }
}

QStringList FakeUpstream::toolNamesOf(const QByteArray &format, const QJsonObject &body)
{
    QStringList names;
    for (const QJsonValue &t : body.value("tools").toArray()) {
        const QJsonObject o = t.toObject();
        if (format == "chat")
            names << o.value("function").toObject().value("name").toString();
        else if (format == "gemini")
            for (const QJsonValue &f : o.value("functionDeclarations").toArray())
                names << f.toObject().value("name").toString();
        else
            names << o.value("name").toString();
    }
    return names;
}

QString FakeUpstream::toolResultsOf(const QByteArray &format, const QJsonObject &body)
{
    QStringList out;
    auto textOf = [](const QJsonValue &v) {
        if (v.isString())
            return v.toString();
        QString t;
        for (const QJsonValue &b : v.toArray())
            t += b.toObject().value("text").toString();
        return t;
    };
    if (format == "anthropic") {
        for (const QJsonValue &m : body.value("messages").toArray())
            for (const QJsonValue &b : m.toObject().value("content").toArray())
                if (b.toObject().value("type").toString() == u"tool_result")
                    out << b.toObject().value("tool_use_id").toString() + u'=' + textOf(b.toObject().value("content"));
    } else if (format == "responses") {
        for (const QJsonValue &i : body.value("input").toArray())
            if (i.toObject().value("type").toString() == u"function_call_output")
                out << i.toObject().value("call_id").toString() + u'=' + textOf(i.toObject().value("output"));
    } else if (format == "chat") {
        for (const QJsonValue &m : body.value("messages").toArray())
            if (m.toObject().value("role").toString() == u"tool")
                out << m.toObject().value("tool_call_id").toString() + u'=' + textOf(m.toObject().value("content"));
    } else {
        for (const QJsonValue &c : body.value("contents").toArray())
            for (const QJsonValue &p : c.toObject().value("parts").toArray())
                if (p.toObject().contains("functionResponse")) {
                    const QJsonObject fr = p.toObject().value("functionResponse").toObject();
                    const QJsonObject r = fr.value("response").toObject();
                    out << fr.value("name").toString() + u'=' + (r.contains("output") ? textOf(r.value("output")) : QString::fromUtf8(compact(r)));
                }
    }
    return out.join(QStringLiteral(" | "));
}

QList<QByteArray> FakeUpstream::scenarioEvents(const QByteArray &format, const QString &model, const QString &scenario, const QString &answer)
{
    if (scenario == u"plain") {
        QList<QByteArray> plain = streamEvents(format, model, 3);
        return plain;
    }
    const bool tools = scenario == u"tools" && answer.isEmpty();
    const QString text = scenario == u"tools" ? QStringLiteral("Results: ") + answer : QStringLiteral("The answer is 42.");
    const QString thought = QStringLiteral("Let me think about it.");
    const QString signature = QStringLiteral("sig-%1-opaque").arg(QString::fromLatin1(format));
    const QJsonObject paris { { "city", "Paris" } };
    const QJsonObject london { { "city", "London" } };
    QList<QByteArray> ev;
    if (format == "anthropic") {
        ev << sse("message_start", { { "type", "message_start" }, { "message", QJsonObject { { "id", "msg_s1" }, { "type", "message" }, { "role", "assistant" }, { "model", model },
                                                                                           { "content", QJsonArray() }, { "stop_reason", QJsonValue::Null }, { "stop_sequence", QJsonValue::Null },
                                                                                           { "usage", QJsonObject { { "input_tokens", 30 }, { "output_tokens", 1 }, { "cache_read_input_tokens", 5 } } } } } });
        int index = 0;
        if (scenario == u"think") {
            ev << sse("content_block_start", { { "type", "content_block_start" }, { "index", index }, { "content_block", QJsonObject { { "type", "thinking" }, { "thinking", "" }, { "signature", "" } } } });
            ev << sse("content_block_delta", { { "type", "content_block_delta" }, { "index", index }, { "delta", QJsonObject { { "type", "thinking_delta" }, { "thinking", thought } } } });
            ev << sse("content_block_delta", { { "type", "content_block_delta" }, { "index", index }, { "delta", QJsonObject { { "type", "signature_delta" }, { "signature", signature } } } });
            ev << sse("content_block_stop", { { "type", "content_block_stop" }, { "index", index++ } });
        }
        if (tools) {
            for (const auto &[id, args] : { std::pair { QStringLiteral("toolu_paris"), paris }, std::pair { QStringLiteral("toolu_london"), london } }) {
                ev << sse("content_block_start", { { "type", "content_block_start" }, { "index", index }, { "content_block", QJsonObject { { "type", "tool_use" }, { "id", id }, { "name", "get_weather" }, { "input", QJsonObject() } } } });
                const QByteArray json = compact(args);
                ev << sse("content_block_delta", { { "type", "content_block_delta" }, { "index", index }, { "delta", QJsonObject { { "type", "input_json_delta" }, { "partial_json", QString::fromUtf8(json.left(5)) } } } });
                ev << sse("content_block_delta", { { "type", "content_block_delta" }, { "index", index }, { "delta", QJsonObject { { "type", "input_json_delta" }, { "partial_json", QString::fromUtf8(json.mid(5)) } } } });
                ev << sse("content_block_stop", { { "type", "content_block_stop" }, { "index", index++ } });
            }
        } else {
            ev << sse("content_block_start", { { "type", "content_block_start" }, { "index", index }, { "content_block", QJsonObject { { "type", "text" }, { "text", "" } } } });
            ev << sse("content_block_delta", { { "type", "content_block_delta" }, { "index", index }, { "delta", QJsonObject { { "type", "text_delta" }, { "text", text } } } });
            ev << sse("content_block_stop", { { "type", "content_block_stop" }, { "index", index++ } });
        }
        ev << sse("message_delta", { { "type", "message_delta" }, { "delta", QJsonObject { { "stop_reason", tools ? "tool_use" : "end_turn" }, { "stop_sequence", QJsonValue::Null } } },
                                     { "usage", QJsonObject { { "output_tokens", 17 } } } });
        ev << sse("message_stop", { { "type", "message_stop" } });
    } else if (format == "responses") {
        int seq = 0;
        int out = 0;
        const QJsonObject resp0 { { "id", "resp_s1" }, { "object", "response" }, { "created_at", 1700000000 }, { "status", "in_progress" }, { "model", model }, { "output", QJsonArray() } };
        ev << sse("response.created", { { "type", "response.created" }, { "sequence_number", seq++ }, { "response", resp0 } });
        QJsonArray output;
        if (scenario == u"think") {
            ev << sse("response.output_item.added", { { "type", "response.output_item.added" }, { "sequence_number", seq++ }, { "output_index", out }, { "item", QJsonObject { { "type", "reasoning" }, { "id", "rs_1" }, { "summary", QJsonArray() } } } });
            ev << sse("response.reasoning_summary_part.added", { { "type", "response.reasoning_summary_part.added" }, { "sequence_number", seq++ }, { "item_id", "rs_1" }, { "output_index", out }, { "summary_index", 0 },
                                                                 { "part", QJsonObject { { "type", "summary_text" }, { "text", "" } } } });
            ev << sse("response.reasoning_summary_text.delta", { { "type", "response.reasoning_summary_text.delta" }, { "sequence_number", seq++ }, { "item_id", "rs_1" }, { "output_index", out }, { "summary_index", 0 }, { "delta", thought } });
            ev << sse("response.reasoning_summary_text.done", { { "type", "response.reasoning_summary_text.done" }, { "sequence_number", seq++ }, { "item_id", "rs_1" }, { "output_index", out }, { "summary_index", 0 }, { "text", thought } });
            ev << sse("response.reasoning_summary_part.done", { { "type", "response.reasoning_summary_part.done" }, { "sequence_number", seq++ }, { "item_id", "rs_1" }, { "output_index", out }, { "summary_index", 0 },
                                                                { "part", QJsonObject { { "type", "summary_text" }, { "text", thought } } } });
            const QJsonObject item { { "type", "reasoning" }, { "id", "rs_1" }, { "summary", QJsonArray { QJsonObject { { "type", "summary_text" }, { "text", thought } } } }, { "encrypted_content", signature } };
            ev << sse("response.output_item.done", { { "type", "response.output_item.done" }, { "sequence_number", seq++ }, { "output_index", out++ }, { "item", item } });
            output.append(item);
        }
        if (tools) {
            for (const auto &[id, args] : { std::pair { QStringLiteral("call_paris"), paris }, std::pair { QStringLiteral("call_london"), london } }) {
                const QString itemId = QStringLiteral("fc_") + id;
                ev << sse("response.output_item.added", { { "type", "response.output_item.added" }, { "sequence_number", seq++ }, { "output_index", out },
                                                          { "item", QJsonObject { { "type", "function_call" }, { "id", itemId }, { "call_id", id }, { "name", "get_weather" }, { "arguments", "" }, { "status", "in_progress" } } } });
                ev << sse("response.function_call_arguments.delta", { { "type", "response.function_call_arguments.delta" }, { "sequence_number", seq++ }, { "item_id", itemId }, { "output_index", out }, { "delta", QString::fromUtf8(compact(args)) } });
                ev << sse("response.function_call_arguments.done", { { "type", "response.function_call_arguments.done" }, { "sequence_number", seq++ }, { "item_id", itemId }, { "output_index", out }, { "arguments", QString::fromUtf8(compact(args)) } });
                const QJsonObject item { { "type", "function_call" }, { "id", itemId }, { "call_id", id }, { "name", "get_weather" }, { "arguments", QString::fromUtf8(compact(args)) }, { "status", "completed" } };
                ev << sse("response.output_item.done", { { "type", "response.output_item.done" }, { "sequence_number", seq++ }, { "output_index", out++ }, { "item", item } });
                output.append(item);
            }
        } else {
            ev << sse("response.output_item.added", { { "type", "response.output_item.added" }, { "sequence_number", seq++ }, { "output_index", out },
                                                      { "item", QJsonObject { { "type", "message" }, { "id", "msg_1" }, { "status", "in_progress" }, { "role", "assistant" }, { "content", QJsonArray() } } } });
            ev << sse("response.content_part.added", { { "type", "response.content_part.added" }, { "sequence_number", seq++ }, { "item_id", "msg_1" }, { "output_index", out }, { "content_index", 0 },
                                                       { "part", QJsonObject { { "type", "output_text" }, { "text", "" }, { "annotations", QJsonArray() } } } });
            ev << sse("response.output_text.delta", { { "type", "response.output_text.delta" }, { "sequence_number", seq++ }, { "item_id", "msg_1" }, { "output_index", out }, { "content_index", 0 }, { "delta", text } });
            const QJsonObject part { { "type", "output_text" }, { "text", text }, { "annotations", QJsonArray() } };
            ev << sse("response.output_text.done", { { "type", "response.output_text.done" }, { "sequence_number", seq++ }, { "item_id", "msg_1" }, { "output_index", out }, { "content_index", 0 }, { "text", text } });
            ev << sse("response.content_part.done", { { "type", "response.content_part.done" }, { "sequence_number", seq++ }, { "item_id", "msg_1" }, { "output_index", out }, { "content_index", 0 }, { "part", part } });
            const QJsonObject item { { "type", "message" }, { "id", "msg_1" }, { "status", "completed" }, { "role", "assistant" },
                                     { "content", QJsonArray { part } } };
            ev << sse("response.output_item.done", { { "type", "response.output_item.done" }, { "sequence_number", seq++ }, { "output_index", out++ }, { "item", item } });
            output.append(item);
        }
        QJsonObject done = resp0;
        done.insert("status", "completed");
        done.insert("output", output);
        done.insert("usage", QJsonObject { { "input_tokens", 35 }, { "input_tokens_details", QJsonObject { { "cached_tokens", 5 } } }, { "output_tokens", 17 }, { "output_tokens_details", QJsonObject { { "reasoning_tokens", 4 } } }, { "total_tokens", 52 } });
        ev << sse("response.completed", { { "type", "response.completed" }, { "sequence_number", seq++ }, { "response", done } });
    } else if (format == "chat") {
        const QJsonObject base { { "id", "chatcmpl-s1" }, { "object", "chat.completion.chunk" }, { "created", 1700000000 }, { "model", model } };
        auto chunkWith = [&](const QJsonObject &delta, const QJsonValue &finish) {
            QJsonObject c = base;
            c.insert("choices", QJsonArray { QJsonObject { { "index", 0 }, { "delta", delta }, { "finish_reason", finish } } });
            return sse({}, c);
        };
        ev << chunkWith({ { "role", "assistant" } }, QJsonValue::Null);
        if (scenario == u"think")
            ev << chunkWith({ { "reasoning_content", thought } }, QJsonValue::Null);
        if (tools) {
            int i = 0;
            for (const auto &[id, args] : { std::pair { QStringLiteral("call_paris"), paris }, std::pair { QStringLiteral("call_london"), london } }) {
                ev << chunkWith({ { "tool_calls", QJsonArray { QJsonObject { { "index", i }, { "id", id }, { "type", "function" }, { "function", QJsonObject { { "name", "get_weather" }, { "arguments", "" } } } } } } }, QJsonValue::Null);
                ev << chunkWith({ { "tool_calls", QJsonArray { QJsonObject { { "index", i }, { "function", QJsonObject { { "arguments", QString::fromUtf8(compact(args)) } } } } } } }, QJsonValue::Null);
                ++i;
            }
            ev << chunkWith({}, "tool_calls");
        } else {
            ev << chunkWith({ { "content", text } }, QJsonValue::Null);
            ev << chunkWith({}, "stop");
        }
        QJsonObject usage = base;
        usage.insert("choices", QJsonArray());
        usage.insert("usage", QJsonObject { { "prompt_tokens", 35 }, { "completion_tokens", 17 }, { "total_tokens", 52 }, { "prompt_tokens_details", QJsonObject { { "cached_tokens", 5 } } } });
        ev << sse({}, usage);
        ev << QByteArray("data: [DONE]\n\n");
    } else {
        auto chunkOf = [&](const QJsonArray &parts, const QString &finish, bool usage) {
            QJsonObject cand { { "content", QJsonObject { { "role", "model" }, { "parts", parts } } }, { "index", 0 } };
            if (!finish.isEmpty())
                cand.insert("finishReason", finish);
            QJsonObject c { { "candidates", QJsonArray { cand } }, { "modelVersion", model }, { "responseId", "gem_s1" } };
            if (usage)
                c.insert("usageMetadata", QJsonObject { { "promptTokenCount", 35 }, { "candidatesTokenCount", 13 }, { "thoughtsTokenCount", 4 }, { "totalTokenCount", 52 }, { "cachedContentTokenCount", 5 } });
            return sse({}, c);
        };
        if (scenario == u"think")
            ev << chunkOf(QJsonArray { QJsonObject { { "text", thought }, { "thought", true } } }, QString(), false);
        if (tools)
            ev << chunkOf(QJsonArray { QJsonObject { { "functionCall", QJsonObject { { "name", "get_weather" }, { "args", paris } } }, { "thoughtSignature", signature } },
                                       QJsonObject { { "functionCall", QJsonObject { { "name", "get_weather" }, { "args", london } } } } },
                          "STOP", true);
        else
            ev << chunkOf(QJsonArray { QJsonObject { { "text", text } } }, "STOP", true);
    }
    return ev;
}

QByteArray FakeUpstream::scenarioBody(const QByteArray &format, const QString &model, const QString &scenario, const QString &answer)
{
    if (scenario == u"plain")
        return wholeBody(format, model);
    // The whole answer is what the stream spells out, assembled as that format does.
    const QList<QByteArray> events = scenarioEvents(format, model, scenario, answer);
    if (format == "responses") {
        for (const QByteArray &e : events)
            if (e.startsWith("event: response.completed"))
                return compact(QJsonDocument::fromJson(e.mid(e.indexOf("data: ") + 6)).object().value("response").toObject());
    }
    if (format == "gemini") {
        QJsonArray parts;
        QJsonObject last;
        for (const QByteArray &e : events) {
            last = QJsonDocument::fromJson(e.mid(6)).object();
            for (const QJsonValue &p : last.value("candidates").toArray().first().toObject().value("content").toObject().value("parts").toArray())
                parts.append(p);
        }
        QJsonArray cands = last.value("candidates").toArray();
        QJsonObject c0 = cands.first().toObject();
        c0.insert("content", QJsonObject { { "role", "model" }, { "parts", parts } });
        cands[0] = c0;
        last.insert("candidates", cands);
        return compact(last);
    }
    if (format == "chat") {
        QString content, reasoning;
        QJsonArray calls;
        QString finish;
        for (const QByteArray &e : events) {
            const QJsonObject c = QJsonDocument::fromJson(e.mid(6)).object();
            const QJsonObject ch = c.value("choices").toArray().first().toObject();
            const QJsonObject d = ch.value("delta").toObject();
            content += d.value("content").toString();
            reasoning += d.value("reasoning_content").toString();
            for (const QJsonValue &tv : d.value("tool_calls").toArray()) {
                const QJsonObject t = tv.toObject();
                if (t.contains("id"))
                    calls.append(QJsonObject { { "id", t.value("id") }, { "type", "function" }, { "function", QJsonObject { { "name", t.value("function").toObject().value("name") }, { "arguments", "" } } } });
                else {
                    QJsonObject last = calls.last().toObject();
                    QJsonObject f = last.value("function").toObject();
                    f.insert("arguments", f.value("arguments").toString() + t.value("function").toObject().value("arguments").toString());
                    last.insert("function", f);
                    calls[calls.size() - 1] = last;
                }
            }
            if (ch.value("finish_reason").isString())
                finish = ch.value("finish_reason").toString();
        }
        QJsonObject msg { { "role", "assistant" }, { "content", calls.isEmpty() ? QJsonValue(content) : QJsonValue(QJsonValue::Null) } };
        if (!reasoning.isEmpty())
            msg.insert("reasoning_content", reasoning);
        if (!calls.isEmpty())
            msg.insert("tool_calls", calls);
        return compact({ { "id", "chatcmpl-s1" }, { "object", "chat.completion" }, { "created", 1700000000 }, { "model", model },
                         { "choices", QJsonArray { QJsonObject { { "index", 0 }, { "message", msg }, { "finish_reason", finish } } } },
                         { "usage", QJsonObject { { "prompt_tokens", 35 }, { "completion_tokens", 17 }, { "total_tokens", 52 } } } });
    }
    // anthropic
    QJsonArray content;
    QString stop;
    for (const QByteArray &e : events) {
        const QJsonObject d = QJsonDocument::fromJson(e.mid(e.indexOf("data: ") + 6)).object();
        const QString type = d.value("type").toString();
        if (type == u"content_block_start")
            content.append(d.value("content_block").toObject());
        else if (type == u"content_block_delta") {
            QJsonObject b = content.last().toObject();
            const QJsonObject dl = d.value("delta").toObject();
            if (dl.contains("text"))
                b.insert("text", b.value("text").toString() + dl.value("text").toString());
            if (dl.contains("thinking"))
                b.insert("thinking", b.value("thinking").toString() + dl.value("thinking").toString());
            if (dl.contains("signature"))
                b.insert("signature", dl.value("signature"));
            if (dl.contains("partial_json"))
                b.insert("partial", b.value("partial").toString() + dl.value("partial_json").toString());
            content[content.size() - 1] = b;
        } else if (type == u"message_delta")
            stop = d.value("delta").toObject().value("stop_reason").toString();
    }
    for (qsizetype i = 0; i < content.size(); ++i) {
        QJsonObject b = content[i].toObject();
        if (b.contains("partial")) {
            b.insert("input", QJsonDocument::fromJson(b.value("partial").toString().toUtf8()).object());
            b.remove("partial");
            content[i] = b;
        }
    }
    return compact({ { "id", "msg_s1" }, { "type", "message" }, { "role", "assistant" }, { "model", model }, { "content", content },
                     { "stop_reason", stop }, { "stop_sequence", QJsonValue::Null },
                     { "usage", QJsonObject { { "input_tokens", 30 }, { "output_tokens", 17 }, { "cache_read_input_tokens", 5 } } } });
}

void FakeUpstream::respond(QTcpSocket *socket, const Received &req)
{
    if (req.path.startsWith("/user_management/"))
        return respondWorkOs(socket, req);
    if (req.path.startsWith("/fake/"))
        return respondFake(socket, req);
    const bool failThisModel = failModels.contains(req.json.value("model").toString());
    if (failNextRequests > 0 || failThisModel) {
        if (!failThisModel)
            --failNextRequests;
        const QByteArray body = R"({"error":{"message":"fake upstream failure","type":"server_error"}})";
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
    QJsonObject fake = req.json.value("fake").toObject();
    if (!req.json.contains("fake") && !fakeQueue.isEmpty())
        fake = fakeQueue.takeFirst();
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
    if (scenario == u"trickle") {
        QList<QByteArray> lines;
        const QByteArray all = fake.value("raw").toString().toUtf8();
        for (qsizetype at = 0; at < all.size();) {
            const qsizetype nl = all.indexOf('\n', at);
            const qsizetype end = nl < 0 ? all.size() : nl + 1;
            lines << all.mid(at, end - at);
            at = end;
        }
        QPointer<QTcpSocket> s(socket);
        const bool close = fake.value("close").toBool();
        for (qsizetype i = 0; i <= lines.size(); ++i) {
            QTimer::singleShot(int(i) * delay, this, [s, line = i < lines.size() ? lines.at(i) : QByteArray(), last = i == lines.size(), close] {
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
        const QByteArray unitOnce = fake.value("unit").toString().toUtf8();
        QByteArray unit;
        while (unit.size() < 64 * 1024)
            unit += unitOnce; // write in 64 KiB pieces
        const qint64 limit = qint64(fake.value("limit_bytes").toDouble(64.0 * 1024 * 1024));
        socket->write(fake.value("head").toString().toUtf8());
        QPointer<QTcpSocket> s(socket);
        auto pump = std::make_shared<std::function<void()>>();
        const QByteArray tail = fake.value("tail").toString().toUtf8();
        *pump = [this, s, unit, limit, tail] {
            if (!s || floodDone)
                return;
            while (s->bytesToWrite() < 256 * 1024 && floodWritten < limit && s->state() == QAbstractSocket::ConnectedState) {
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
    // Factory's Gemini route always streams (SSE) and takes no "stream" member, as Factory's CLI expects it.
    const bool stream = !isCount && (req.json.value("stream").toBool() || req.path.contains("stream") || req.path.startsWith("/api/llm/g/"));
    // A scripted turn (the agent's model, or the queued script), whole or streamed as the client asked.
    auto sendScripted = [&](const ScriptedReply &reply, int delayMs) {
        if (!stream) {
            const QByteArray body = fakescript::body(format, model, reply);
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extraHeaders
                          + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            return;
        }
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" + extraHeaders + "Transfer-Encoding: chunked\r\n\r\n");
        streamTo(socket, fakescript::events(format, model, reply), delayMs, false, false);
    };
    if (agent && !isCount) {
        ScriptedReply reply;
        reply.ping = true;
        const QString results = toolResultsOf(format, req.json);
        if (!results.isEmpty()) {
            reply.text = agent->afterTool;
            ++agentAfterTool;
            agentToolResults << results;
        } else if (!agent->tool.isEmpty() && toolNamesOf(format, req.json).contains(agent->tool)) {
            reply.tool = agent->tool;
            reply.arguments = agent->arguments;
            reply.callId = QStringLiteral("call_agent_%1").arg(++agentToolCalls);
        } else {
            reply.text = agent->text;
            ++agentTexts;
        }
        return sendScripted(reply, agent->delayMs);
    }
    if (!script.isEmpty() && !isCount)
        return sendScripted(script.takeFirst(), delay);
    const QString scenarioModel = model.startsWith(u"tools-") ? QStringLiteral("tools") : model.startsWith(u"think-") ? QStringLiteral("think") : QString();
    if (model.startsWith(u"cut-") || model.startsWith(u"slow-")) {
        // Translated requests carry no "fake" object: these models cut the stream after its first event, or
        // go silent after it for fake.delay_ms-like 400 ms before going on.
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        streamTo(socket, streamEvents(format, model, 2), model.startsWith(u"slow-") ? 400 : 20, model.startsWith(u"cut-"), false);
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
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" + extraHeaders + "Transfer-Encoding: chunked\r\n\r\n");
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
            QTimer::singleShot(delay, this, [s, send] { if (s) send(); });
        } else {
            send();
        }
        return;
    }
    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n" + extraHeaders
                  + "Transfer-Encoding: chunked\r\n\r\n");
    streamTo(socket, streamEvents(format, model, deltas), fake.value("lockstep").toBool() ? -1 : delay, scenario == u"cut",
             scenario == u"stall");
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
