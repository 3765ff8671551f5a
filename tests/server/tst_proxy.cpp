// Integration: the real ProxyService on 127.0.0.1:0 in front of the real fake upstream, driven over HTTP.
#include "config/config.h"
#include "log/log.h"
#include "auth/authmanager.h"
#include "auth/credentials.h"
#include "auth/tokenstore.h"
#include "formats/apierrors.h"
#include "server/routes.h"
#include "sse/ssesplitter.h"
#include "support/fakescript.h"
#include "support/grammar.h"
#include "support/proxyfixture.h"
#include "support/testhome.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qfile.h>
#include <QtCore/qpointer.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qtemporarydir.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <memory>

using namespace Qt::StringLiterals;

using namespace d2a;

namespace {
const QString kFactoryKey = QStringLiteral("fk-test-factory-key-0123456789abcdef");
const QString kClientKey = QStringLiteral("sk-client-own-key-abcdefghijklmnop");
const QString kAccessKey = QStringLiteral("local-access-key-zyxwvutsrqponm");

/// An upstream the test answers step by step: each request is read whole and held, unanswered, until the test
/// calls answer(). So a test can let the proxy's keepalive reach the client first, then choose the answer.
class HeldUpstream final : public QObject
{
public:
    struct Request
    {
        QByteArray head;
        QByteArray body;
        QPointer<QTcpSocket> socket;
        QByteArray header(const QByteArray &name) const
        {
            for (const QByteArray &line : head.split('\n')) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0 && line.left(colon).trimmed().toLower() == name)
                    return line.mid(colon + 1).trimmed();
            }
            return {};
        }
    };

    HeldUpstream()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                s->setParent(this);
                auto buffer = std::make_shared<QByteArray>();
                connect(s, &QTcpSocket::readyRead, this, [this, s, buffer] {
                    *buffer += s->readAll();
                    const qsizetype end = buffer->indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    Request r;
                    r.head = buffer->left(end);
                    const qsizetype length = r.header("content-length").toLongLong();
                    if (buffer->size() < end + 4 + length)
                        return;
                    r.body = buffer->mid(end + 4, length);
                    r.socket = s;
                    buffer->remove(0, end + 4 + length);
                    requests.append(r);
                });
            }
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url(const QString &path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
    }

    /// Answers request `i` whole and closes its connection.
    void answer(int i, int status, const QByteArray &contentType, const QByteArray &body)
    {
        QTcpSocket *s = requests.at(i).socket;
        QVERIFY(s);
        s->write("HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: " + contentType
                 + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        s->disconnectFromHost();
    }

    QList<Request> requests;

private:
    QTcpServer m_server;
};

/// A stream as its grammar checker expects it: without the keepalives the proxy sent while the upstream was
/// silent, all before the answer's first byte (an Anthropic ping before message_start is no event of the answer).
QByteArray withoutKeepAlives(WireFormat format, QByteArray stream)
{
    const QByteArray ping = keepAliveEvent(format);
    while (stream.startsWith(ping))
        stream.remove(0, ping.size());
    return stream;
}
} // namespace

class TestProxy final : public QObject
{
    Q_OBJECT

private:
    ProxyFixture m_f;
    QStringList m_logLines;
    QTemporaryDir m_home; // HOME, config and data dirs: no test reads or writes the developer's own state

    Config makeConfig()
    {
        Config c = m_f.config();
        auto model = [](const QString &name, const QString &id, ModelType type, const QString &provider) {
            ModelConfig m;
            m.name = name;
            m.id = id;
            m.type = type;
            m.reasoning = ReasoningLevel::Auto;
            m.provider = provider;
            return m;
        };
        c.models.append(model(QStringLiteral("Gemini Test"), QStringLiteral("gemini-test"), ModelType::Google,
                              QStringLiteral("google")));
        for (ModelType t : { ModelType::Anthropic, ModelType::OpenAI, ModelType::Common, ModelType::Google }) {
            c.models.append(model(QString(), QStringLiteral("cut-") + modelTypeName(t), t, QString()));
            c.models.append(model(QString(), QStringLiteral("slow-") + modelTypeName(t), t, QString()));
        }
        c.timeouts.firstByteMs = 800;
        c.timeouts.idleMs = 800;
        c.maxBodyBytes = 512 * 1024;
        return c;
    }

    void startProxy(const Config &c, const QString &factoryKey)
    {
        m_f.factoryKey = factoryKey;
        // The key is checked with Factory (whoami) at start: the fixture lets that settle before the test counts
        // connections.
        QVERIFY2(m_f.startProxy(c), qPrintable(m_f.startError));
    }

    QUrl proxyUrl(const QString &path) const { return m_f.url(path); }

    /// Runs one call to completion.
    void call(RecordedCall &rc, const QByteArray &method, const QString &path, const QByteArray &body,
              const HeaderList &headers = {})
    {
        startCall(*m_f.client, rc, method, proxyUrl(path), body, headers, m_f.clock);
        QTRY_VERIFY_WITH_TIMEOUT(rc.done(), 10000);
    }

    static QByteArray body(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

    /// A streaming request in one client format, to a model of the same format (passthrough).
    struct StreamClient
    {
        WireFormat format;
        QByteArray name; ///< as fakescript names the format
        QString path;
        QString model;
        ModelType type;
        QByteArray body;
    };
    static StreamClient streamClient(const QByteArray &name)
    {
        const QJsonArray messages { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"x"_s } } };
        if (name == "anthropic")
            return { WireFormat::Anthropic,
                     name,
                     u"/v1/messages"_s,
                     u"claude-opus-4-6"_s,
                     ModelType::Anthropic,
                     body({ { u"model"_s, u"claude-opus-4-6"_s },
                            { u"stream"_s, true },
                            { u"max_tokens"_s, 10 },
                            { u"messages"_s, messages } }) };
        if (name == "gemini")
            return { WireFormat::Gemini,
                     name,
                     u"/v1beta/models/gemini-test:streamGenerateContent?alt=sse"_s,
                     u"gemini-test"_s,
                     ModelType::Google,
                     body({ { u"contents"_s,
                              QJsonArray { QJsonObject {
                                  { u"role"_s, u"user"_s },
                                  { u"parts"_s, QJsonArray { QJsonObject { { u"text"_s, u"x"_s } } } } } } } }) };
        return { WireFormat::OpenAIChat,
                 "chat",
                 u"/v1/chat/completions"_s,
                 u"glm-5.2"_s,
                 ModelType::Common,
                 body({ { u"model"_s, u"glm-5.2"_s }, { u"stream"_s, true }, { u"messages"_s, messages } }) };
    }

    /// The test config with `type`'s Factory endpoint on `held`: keepalives every `keepAliveMs`, timeouts far
    /// beyond the test's steps, retries without a wait.
    Config heldConfig(const HeldUpstream &held, ModelType type, int keepAliveMs = 50)
    {
        Config c = makeConfig();
        c.endpoints[type] = held.url(c.endpoints.value(type).path());
        c.timeouts.keepAliveMs = keepAliveMs;
        c.timeouts.firstByteMs = 30000;
        c.timeouts.idleMs = 30000;
        c.resilience.backoffMs = 1;
        return c;
    }

    /// Starts `client`'s request and waits until `held` holds it and, with `keepAlive`, the client has received a
    /// keepalive (so the proxy has started the stream).
    void startHeld(RecordedCall &rc, const HeldUpstream &held, const StreamClient &client, bool keepAlive = true)
    {
        startCall(*m_f.client, rc, "POST", proxyUrl(client.path), client.body, {}, m_f.clock);
        const QByteArray ping = keepAliveEvent(client.format);
        QTRY_VERIFY_WITH_TIMEOUT(held.requests.size() == 1 && (!keepAlive || rc.body.contains(ping)), 10000);
        QCOMPARE(rc.status, keepAlive ? 200 : 0);
        QVERIFY(!rc.done());
    }

    static ScriptedReply textReply(const QString &text)
    {
        ScriptedReply r;
        r.text = text;
        return r;
    }

    static QByteArray joined(const QList<QByteArray> &events)
    {
        QByteArray all;
        for (const QByteArray &e : events)
            all += e;
        return all;
    }

    QJsonObject listedModel(const QString &id)
    {
        RecordedCall list;
        call(list, "GET", u"/v1/models"_s, {});
        for (const QJsonValue &m : list.json().value(u"data"_s).toArray())
            if (m.toObject().value(u"id"_s).toString() == id)
                return m.toObject();
        return {};
    }

    static QByteArray chatBody(const QString &model)
    {
        return body(
            { { u"model"_s, model },
              { u"messages"_s, QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"hi"_s } } } } });
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        useTemporaryHome(m_home.path());
        log::installChained(false); // the sink sees every line; QTest still gets them
    }

    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); // an unexpected warning is a failure
        m_logLines.clear();
        log::setSink([this](QtMsgType, const QString &, const QString &line) { m_logLines.append(line); });
        QVERIFY(m_f.up());
        startProxy(makeConfig(), kFactoryKey);
    }

    void cleanup()
    {
        // Every test's log, whatever it did, must not contain a secret.
        for (const QString &line : std::as_const(m_logLines)) {
            QVERIFY2(!line.contains(kFactoryKey), qPrintable(line));
            QVERIFY2(!line.contains(kClientKey), qPrintable(line));
            QVERIFY2(!line.contains(kAccessKey), qPrintable(line));
        }
        log::setSink({});
        m_f.client.reset();
        m_f.proxy.reset();
        m_f.fake.reset();
    }

    // --- Models: dates are information, Factory's refusal moves a model to its replacement ---------------------

    void datedModelIsServedAsConfigured()
    {
        // glm-4.7 is dated 2026-05-14 in Factory's registry; the user set it off: glm-4.7 answers, off, recorded
        // under its own id, listed with its date.
        Config c = makeConfig();
        for (ModelConfig &m : c.models)
            if (m.id == u"glm-4.7")
                m.reasoning = ReasoningLevel::Off;
        startProxy(c, kFactoryKey);
        const QJsonObject listed = listedModel(u"glm-4.7"_s);
        QCOMPARE(listed.value(u"deprecated"_s).toString(), u"2026-05-14"_s);
        QCOMPARE(listed.value(u"replacement"_s).toString(), u"glm-5.2"_s);
        QVERIFY(!listed.contains(u"served_by"_s));
        QSignalSpy finished(m_f.proxy.get(), &ProxyService::requestFinished);
        RecordedCall rc;
        call(rc, "POST", u"/v1/chat/completions"_s, chatBody(u"glm-4.7"_s));
        QCOMPARE(rc.status, 200);
        const QJsonObject sent = m_f.fake->received.last().json;
        QCOMPARE(sent.value(u"model"_s).toString(), u"glm-4.7"_s);
        QVERIFY(!sent.contains(u"reasoning_effort"_s)); // glm-4.7 takes no reasoning field, as the CLI sends it
        QVERIFY(rc.header("x-droid2api-model-replaced").isEmpty());
        QTRY_COMPARE(finished.size(), 1);
        const auto record = finished.first().first().value<RequestRecord>();
        QCOMPARE(record.model, u"glm-4.7"_s);
        QVERIFY(record.replacedFrom.isEmpty());
    }

    void refusedModelGoesToItsReplacement()
    {
        // Factory refuses the id: one more request, to the registry's replacement; the client gets that answer
        // and is told (header); the proxy tells the app once (the tray's notification), logs it, and keeps the
        // switch for the next requests of this run.
        m_f.fake->failModels = { u"glm-4.7"_s };
        m_f.fake->failStatus = 404;
        m_f.fake->failBody =
            R"({"error":{"message":"The model `glm-4.7` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}})";
        QSignalSpy replaced(m_f.proxy.get(), &ProxyService::modelReplaced);
        QSignalSpy finished(m_f.proxy.get(), &ProxyService::requestFinished);
        QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression(
                u"Factory refused model glm-4.7 \\(HTTP 404: The model `glm-4.7` does not exist.*its requests go to glm-5.2 until droid2api restarts"_s));
        const qsizetype before = m_f.fake->received.size();
        RecordedCall rc;
        call(rc, "POST", u"/v1/chat/completions"_s, chatBody(u"glm-4.7"_s));
        QCOMPARE(rc.status, 200);
        QCOMPARE(rc.header("x-droid2api-model-replaced"), QByteArray("glm-4.7 -> glm-5.2"));
        QVERIFY(!rc.json().value(u"choices"_s).toArray().isEmpty()); // glm-5.2's answer
        QCOMPARE(m_f.fake->received.size(), before + 2);
        QCOMPARE(m_f.fake->received.at(before).json.value(u"model"_s).toString(), u"glm-4.7"_s);
        QCOMPARE(m_f.fake->received.at(before + 1).json.value(u"model"_s).toString(), u"glm-5.2"_s);
        QCOMPARE(replaced.size(), 1);
        QCOMPARE(replaced.first().at(0).toString(), u"glm-4.7"_s);
        QCOMPARE(replaced.first().at(1).toString(), u"glm-5.2"_s);
        QTRY_COMPARE(finished.size(), 1);
        auto record = finished.first().first().value<RequestRecord>();
        QCOMPARE(record.requested, u"glm-4.7"_s);
        QCOMPARE(record.model, u"glm-5.2"_s);
        QCOMPARE(record.replacedFrom, u"glm-4.7"_s);
        QVERIFY(record.replacedWhy.contains(u"does not exist"_s));
        // Remembered: the next request goes straight to glm-5.2, said again in the header, no second notice.
        RecordedCall again;
        call(again, "POST", u"/v1/chat/completions"_s, chatBody(u"glm-4.7"_s));
        QCOMPARE(again.status, 200);
        QCOMPARE(again.header("x-droid2api-model-replaced"), QByteArray("glm-4.7 -> glm-5.2"));
        QCOMPARE(m_f.fake->received.size(), before + 3);
        QCOMPARE(m_f.fake->received.last().json.value(u"model"_s).toString(), u"glm-5.2"_s);
        QCOMPARE(replaced.size(), 1);
        QTRY_COMPARE(finished.size(), 2);
        record = finished.last().first().value<RequestRecord>();
        QCOMPARE(record.replacedFrom, u"glm-4.7"_s);
        QVERIFY(record.replacedWhy.isEmpty()); // refused earlier in this run
        QCOMPARE(listedModel(u"glm-4.7"_s).value(u"served_by"_s).toString(), u"glm-5.2"_s);
        // A config redirect always wins over what the proxy learned.
        Config c = makeConfig();
        c.modelRedirects.insert(u"glm-4.7"_s, u"kimi-k3"_s);
        m_f.proxy->setConfig(c);
        RecordedCall redirected;
        call(redirected, "POST", u"/v1/chat/completions"_s, chatBody(u"glm-4.7"_s));
        QCOMPARE(redirected.status, 200);
        QCOMPARE(m_f.fake->received.last().json.value(u"model"_s).toString(), u"kimi-k3"_s);
        QVERIFY(redirected.header("x-droid2api-model-replaced").isEmpty());
    }

    void otherRefusalsStayWithTheClient()
    {
        // A 4xx about something else (or a model without a replacement) goes to the client as it came: no switch.
        m_f.fake->failModels = { u"glm-4.7"_s, u"gpt-5.4"_s };
        m_f.fake->failStatus = 400;
        m_f.fake->failBody =
            R"({"error":{"message":"prompt is too long: 300000 tokens > 200000 maximum","type":"invalid_request_error"}})";
        QSignalSpy replaced(m_f.proxy.get(), &ProxyService::modelReplaced);
        const qsizetype before = m_f.fake->received.size();
        RecordedCall rc;
        call(rc, "POST", u"/v1/chat/completions"_s, chatBody(u"glm-4.7"_s));
        QCOMPARE(rc.status, 400);
        QVERIFY(rc.body.contains("prompt is too long"));
        QCOMPARE(m_f.fake->received.size(), before + 1);
        m_f.fake->failStatus = 404;
        m_f.fake->failBody =
            R"({"error":{"message":"The model `gpt-5.4` does not exist","type":"invalid_request_error"}})";
        RecordedCall unknown; // gpt-5.4 has no replacement in the registry
        call(unknown, "POST", u"/v1/chat/completions"_s, chatBody(u"gpt-5.4"_s));
        QCOMPARE(unknown.status, 404);
        QCOMPARE(m_f.fake->received.size(), before + 2);
        QCOMPARE(replaced.size(), 0);
    }

    void infoAndModels()
    {
        RecordedCall info;
        call(info, "GET", QStringLiteral("/"), {});
        QCOMPARE(info.status, 200);
        QCOMPARE(info.json().value(u"name"_s).toString(), QStringLiteral("droid2api"));
        QCOMPARE(info.json().value(u"auth"_s).toObject().value(u"source"_s).toString(),
                 QStringLiteral("factory_api_key"));
        QVERIFY(info.json().value(u"endpoints"_s).toArray().contains(QStringLiteral("POST /v1/messages")));
        QVERIFY(!info.body.contains(kFactoryKey.toUtf8()));

        RecordedCall head;
        call(head, "HEAD", QStringLiteral("/"), {});
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());

        RecordedCall models;
        call(models, "GET", QStringLiteral("/v1/models"), {});
        QCOMPARE(models.status, 200);
        const QJsonArray data = models.json().value(u"data"_s).toArray();
        QVERIFY(data.size() >= 15);
        const double created = data.first().toObject().value(u"created"_s).toDouble();
        QVERIFY2(created > 1.6e9 && created < 1e10, "created must be in seconds");
        QCOMPARE(data.first().toObject().value(u"object"_s).toString(), QStringLiteral("model"));

        RecordedCall preflight;
        call(preflight, "OPTIONS", QStringLiteral("/v1/messages"), {},
             { { "Origin", "http://example.test" }, { "Access-Control-Request-Headers", "x-api-key,content-type" } });
        QCOMPARE(preflight.status, 403); // no web page is allowed by default
        QVERIFY(preflight.header("access-control-allow-origin").isEmpty());
        QCOMPARE(m_f.fake->received.size(), 0);
    }

    void webPagesAndForeignHostsAreRefused_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("value");
        for (const char *path :
             { "/", "/v1/models", "/v1/chat/completions", "/v1/messages", "/v1/responses", "/v1/messages/count_tokens",
               "/v1beta/models/gemini-test:generateContent", "/v1/generate" }) {
            const QString method = QByteArray(path) == "/" || QByteArray(path) == "/v1/models" ? QStringLiteral("GET")
                                                                                               : QStringLiteral("POST");
            for (const char *host : { "attacker.example:3000", "evil.test", "192.168.1.7:3000", "127.0.0.1.evil.test" })
                QTest::newRow(
                    qPrintable(QStringLiteral("%1 Host %2").arg(QLatin1StringView(path), QLatin1StringView(host))))
                    << method << QString::fromLatin1(path) << QByteArray("Host") << QByteArray(host);
            for (const char *origin : { "http://127.0.0.2:8000", "http://localhost:5555", "null", "https://evil.test" })
                QTest::newRow(
                    qPrintable(QStringLiteral("%1 Origin %2").arg(QLatin1StringView(path), QLatin1StringView(origin))))
                    << method << QString::fromLatin1(path) << QByteArray("Origin") << QByteArray(origin);
        }
    }

    void webPagesAndForeignHostsAreRefused()
    {
        // DNS rebinding (a foreign Host) and web pages (an Origin not allowed): 403 in the route's own error
        // shape, before anything is read or forwarded; GET / included.
        QFETCH(QString, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, value);
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, m_f.proxy->port());
        QVERIFY(raw.waitForConnected(5000));
        const QByteArray body =
            R"({"model":"claude-opus-4-6","max_tokens":5,"messages":[{"role":"user","content":"x"}],"contents":[],"input":"x"})";
        QByteArray request = method.toLatin1() + ' ' + path.toLatin1() + " HTTP/1.1\r\n";
        request += header == "Host" ? QByteArray("Host: " + value + "\r\n")
                                    : QByteArray("Host: 127.0.0.1\r\nOrigin: " + value + "\r\n");
        request += "Content-Type: text/plain\r\nContent-Length: "
                   + QByteArray::number(method == u"POST" ? body.size() : 0) + "\r\n\r\n";
        if (method == u"POST")
            request += body;
        raw.write(request);
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += raw.readAll()).contains("\r\n\r\n") && answer.endsWith("}"), 5000);
        QVERIFY2(answer.startsWith("HTTP/1.1 403 "), answer.constData());
        QVERIFY(!answer.contains("Access-Control-Allow-Origin"));
        const QByteArray json = answer.mid(answer.indexOf("\r\n\r\n") + 4);
        QVERIFY2(!json.contains("auth") && !json.contains("store"), json.constData()); // nothing about the account
        const WireFormat f = RouteTable::instance().formatFor(path);
        if (f == WireFormat::Anthropic)
            QVERIFY2(json.contains("\"type\":\"error\""), json.constData());
        else if (f == WireFormat::Gemini)
            QVERIFY2(json.contains("\"status\":\"PERMISSION_DENIED\""), json.constData());
        QCOMPARE(m_f.fake->received.size(), 0);
    }

    void allowedOriginsAndHostsWork()
    {
        // The user allows a web tool's origin (and a LAN name): its preflight, with Chromium's Private Network
        // Access question, and its request are answered with CORS headers for that origin only.
        Config c = makeConfig();
        c.allowedOrigins = { QStringLiteral("http://localhost:*"), QStringLiteral("https://tool.example") };
        c.allowedHosts = { QStringLiteral("devbox.lan") };
        startProxy(c, kFactoryKey);
        RecordedCall preflight;
        call(preflight, "OPTIONS", QStringLiteral("/v1/chat/completions"), {},
             { { "Origin", "http://localhost:5173" },
               { "Access-Control-Request-Method", "POST" },
               { "Access-Control-Request-Headers", "content-type" },
               { "Access-Control-Request-Private-Network", "true" } });
        QCOMPARE(preflight.status, 204);
        QCOMPARE(preflight.header("access-control-allow-origin"), QByteArray("http://localhost:5173"));
        QCOMPARE(preflight.header("access-control-allow-private-network"), QByteArray("true"));
        QCOMPARE(preflight.header("vary"), QByteArray("Origin"));
        RecordedCall post;
        call(post, "POST", QStringLiteral("/v1/chat/completions"),
             R"({"model":"glm-5.2","messages":[{"role":"user","content":"x"}]})",
             { { "Origin", "https://tool.example" } });
        QCOMPARE(post.status, 200);
        QCOMPARE(post.header("access-control-allow-origin"), QByteArray("https://tool.example"));
        QCOMPARE(m_f.fake->received.size(), 1);
        // GET / from a page says only that the proxy is up.
        RecordedCall info;
        call(info, "GET", QStringLiteral("/"), {}, { { "Origin", "https://tool.example" } });
        QCOMPARE(info.json(), QJsonObject({ { u"name"_s, u"droid2api"_s }, { u"status"_s, u"ok"_s } }));
        // An allowed name as Host.
        RecordedCall named;
        call(named, "GET", QStringLiteral("/v1/models"), {}, { { "Host", "devbox.lan:3000" } });
        QCOMPARE(named.status, 200);
        // Not an allowed origin: refused as before.
        RecordedCall other;
        call(other, "POST", QStringLiteral("/v1/chat/completions"), R"({"model":"glm-5.2","messages":[]})",
             { { "Origin", "https://tool.example.evil" } });
        QCOMPARE(other.status, 403);
        QCOMPARE(m_f.fake->received.size(), 1);
    }

    void listeningBeyondLoopbackNeedsAnAccessKey()
    {
        ProxyService open;
        open.setConfig(makeConfig());
        auto r = open.start(QStringLiteral("0.0.0.0"), 0);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QStringLiteral("access_key")), qPrintable(r.error().message));
        Config keyed = makeConfig();
        keyed.accessKey = kAccessKey;
        ProxyService guarded;
        guarded.setConfig(keyed);
        QVERIFY(guarded.start(QStringLiteral("0.0.0.0"), 0).ok());
        // With the key set, GET / shows details only to callers that present it.
        RecordedCall anonymous;
        startCall(*m_f.client, anonymous, "GET", QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(guarded.port())), {},
                  {}, m_f.clock);
        QTRY_VERIFY(anonymous.done());
        QCOMPARE(anonymous.json(), QJsonObject({ { u"name"_s, u"droid2api"_s }, { u"status"_s, u"ok"_s } }));
        RecordedCall keyedCall;
        startCall(*m_f.client, keyedCall, "GET", QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(guarded.port())), {},
                  { { "Authorization", "Bearer " + kAccessKey.toUtf8() } }, m_f.clock);
        QTRY_VERIFY(keyedCall.done());
        QVERIFY(keyedCall.json().contains(u"auth"_s));
    }

    void routes_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QByteArray>("upstreamPath");
        QTest::addColumn<QByteArray>("provider");
        QTest::addColumn<QString>("answerKey"); // a key the client format's answer has
        QTest::newRow("chat/common") << "/v1/chat/completions"
                                     << "glm-5.2" << QByteArray("/api/llm/o/v1/chat/completions")
                                     << QByteArray("fireworks") << "choices";
        QTest::newRow("responses/openai")
            << "/v1/responses"
            << "gpt-5.4" << QByteArray("/api/llm/o/v1/responses") << QByteArray("openai") << "output";
        QTest::newRow("messages/anthropic")
            << "/v1/messages"
            << "claude-opus-4-6" << QByteArray("/api/llm/a/v1/messages") << QByteArray("anthropic") << "content";
        QTest::newRow("messages?beta=true")
            << "/v1/messages?beta=true"
            << "claude-sonnet-4-6" << QByteArray("/api/llm/a/v1/messages") << QByteArray("anthropic") << "content";
        QTest::newRow("gemini generateContent")
            << "/v1beta/models/gemini-test:generateContent"
            << "" << QByteArray("/api/llm/g/v1/generate") << QByteArray("google") << "candidates";
        QTest::newRow("v1/generate") << "/v1/generate"
                                     << "gemini-test" << QByteArray("/api/llm/g/v1/generate") << QByteArray("google")
                                     << "candidates";
        QTest::newRow("count_tokens") << "/v1/messages/count_tokens"
                                      << "claude-opus-4-6" << QByteArray("/api/llm/a/v1/messages/count_tokens")
                                      << QByteArray("anthropic") << "input_tokens";
    }

    void routes()
    {
        QFETCH(QString, path);
        QFETCH(QString, model);
        QFETCH(QByteArray, upstreamPath);
        QFETCH(QByteArray, provider);
        QFETCH(QString, answerKey);
        QJsonObject req { { u"messages"_s,
                            QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"hi"_s } } } },
                          { u"max_tokens"_s, 100 },
                          { u"x_unknown_future_field"_s, QJsonObject { { u"keep"_s, true } } } };
        if (!model.isEmpty())
            req.insert(u"model"_s, model);
        RecordedCall rc;
        call(rc, "POST", path, body(req), { { "x-session-id", "0f0e0d0c-0b0a-4908-8706-050403020100" } });
        QCOMPARE(rc.status, 200);
        QVERIFY2(rc.json().contains(answerKey), rc.body.constData());
        QCOMPARE(rc.header("x-request-id"), QByteArray("req_fake_1"));
        QCOMPARE(m_f.fake->received.size(), 1);
        const FakeUpstream::Received &up = m_f.fake->received.first();
        QCOMPARE(up.path, upstreamPath);
        QCOMPARE(up.header("authorization"), "Bearer " + kFactoryKey.toUtf8());
        QCOMPARE(up.header("x-factory-client"), QByteArray("cli"));
        QCOMPARE(up.header("x-api-provider"), provider);
        QCOMPARE(up.header("x-session-id"), QByteArray("0f0e0d0c-0b0a-4908-8706-050403020100"));
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f-]{36}$"))
                    .match(QString::fromLatin1(up.header("x-assistant-message-id")))
                    .hasMatch());
        QCOMPARE(up.header("user-agent"), QByteArray("factory-cli/0.225.2"));
        QVERIFY(up.header("accept-encoding").isEmpty());
        // Same-format passthrough keeps fields it has no reason to touch.
        QCOMPARE(up.json.value(u"x_unknown_future_field"_s).toObject().value(u"keep"_s).toBool(), true);
        if (provider == "anthropic") {
            QCOMPARE(up.header("anthropic-version"), QByteArray("2023-06-01"));
            QCOMPARE(up.header("x-api-key"), QByteArray("placeholder"));
            QCOMPARE(up.header("x-stainless-lang"), QByteArray("js"));
        }
        if (provider == "google") {
            QCOMPARE(up.json.value(u"model"_s).toString(), QStringLiteral("gemini-test"));
            QVERIFY(!up.json.contains(u"stream"_s)); // Factory's Gemini route takes none (it always streams)
        }
    }

    void googleRoutesOnV1AsOnV1beta_data()
    {
        QTest::addColumn<QString>("version");
        QTest::newRow("v1 (genai 3)") << u"v1"_s;
        QTest::newRow("v1beta (genai 1-2, Gemini CLI)") << u"v1beta"_s;
    }

    void googleRoutesOnV1AsOnV1beta()
    {
        QFETCH(QString, version);
        const QJsonObject hi {
            { u"contents"_s,
              QJsonArray { QJsonObject { { u"role"_s, u"user"_s },
                                         { u"parts"_s, QJsonArray { QJsonObject { { u"text"_s, u"hi"_s } } } } } } }
        };
        RecordedCall whole;
        call(whole, "POST", u"/%1/models/gemini-test:generateContent"_s.arg(version), body(hi));
        QCOMPARE(whole.status, 200);
        QVERIFY2(whole.json().contains(u"candidates"_s), whole.body.constData());
        RecordedCall stream;
        call(stream, "POST", u"/%1/models/claude-opus-4-6:streamGenerateContent?alt=sse"_s.arg(version), body(hi));
        QCOMPARE(stream.status, 200);
        QVERIFY2(stream.body.startsWith("data: {"), stream.body.constData());
        QCOMPARE(m_f.fake->received.size(), 2);
        QCOMPARE(m_f.fake->received.at(0).path, QByteArray("/api/llm/g/v1/generate"));
        QCOMPARE(m_f.fake->received.at(1).path, QByteArray("/api/llm/a/v1/messages"));

        // countTokens: no Gemini counter upstream, so a local estimate in Google's shape, for every model type.
        for (const char *model : { "gemini-test", "claude-opus-4-6", "gpt-5.4" }) {
            RecordedCall count;
            call(count, "POST", u"/%1/models/%2:countTokens"_s.arg(version, QLatin1StringView(model)), body(hi));
            QCOMPARE(count.status, 200);
            QVERIFY2(count.json().value(u"totalTokens"_s).toInt() > 0, count.body.constData());
            QCOMPARE(count.header("x-droid2api-estimate"), QByteArray("local"));
        }
        // The whole request it would count, as {generateContentRequest}, counts the same contents.
        RecordedCall wrapped;
        call(wrapped, "POST", u"/%1/models/gemini-test:countTokens"_s.arg(version),
             body({ { u"generateContentRequest"_s, hi } }));
        QCOMPARE(wrapped.status, 200);
        QVERIFY(wrapped.json().value(u"totalTokens"_s).toInt() > 0);
        QCOMPARE(m_f.fake->received.size(), 2); // counted here: nothing more went upstream

        // A Google method droid2api does not serve: 404 in Google's shape, named by its path.
        RecordedCall embed;
        call(embed, "POST", u"/%1/models/gemini-test:batchEmbedContents"_s.arg(version), body(hi),
             { { "x-goog-api-client", "google-genai-sdk/3.3.0" } });
        QCOMPARE(embed.status, 404);
        const QJsonObject e = embed.json().value(u"error"_s).toObject();
        QCOMPARE(e.value(u"code"_s).toInt(), 404);
        QCOMPARE(e.value(u"status"_s).toString(), u"NOT_FOUND"_s);
        QVERIFY2(e.value(u"message"_s).toString().contains(u":batchEmbedContents"_s), embed.body.constData());
    }

    void modelListsServeEverySdk()
    {
        // GET /v1/models: OpenAI's list under "data" and Google's under "models", one answer.
        RecordedCall shared;
        call(shared, "GET", u"/v1/models"_s, {});
        QCOMPARE(shared.status, 200);
        const QJsonArray data = shared.json().value(u"data"_s).toArray();
        const QJsonArray models = shared.json().value(u"models"_s).toArray();
        QVERIFY(data.size() >= 15);
        QCOMPARE(models.size(), data.size());
        QCOMPARE(models.first().toObject().value(u"name"_s).toString(),
                 u"models/"_s + data.first().toObject().value(u"id"_s).toString());
        QVERIFY(
            models.first().toObject().value(u"supportedGenerationMethods"_s).toArray().contains(u"generateContent"_s));
        RecordedCall beta;
        call(beta, "GET", u"/v1beta/models"_s, {});
        QCOMPARE(beta.status, 200);
        QCOMPARE(beta.json().value(u"models"_s).toArray(), models);
        QVERIFY(!beta.json().contains(u"data"_s));

        // One model: OpenAI's object and Google's together on v1, Google's on v1beta ("models/<id>" too).
        RecordedCall one;
        call(one, "GET", u"/v1/models/claude-opus-4-6"_s, {});
        QCOMPARE(one.status, 200);
        QCOMPARE(one.json().value(u"id"_s).toString(), u"claude-opus-4-6"_s);
        QCOMPARE(one.json().value(u"object"_s).toString(), u"model"_s);
        QCOMPARE(one.json().value(u"name"_s).toString(), u"models/claude-opus-4-6"_s);
        RecordedCall prefixed;
        call(prefixed, "GET", u"/v1beta/models/models/gpt-5.4"_s, {});
        QCOMPARE(prefixed.status, 200);
        QCOMPARE(prefixed.json().value(u"name"_s).toString(), u"models/gpt-5.4"_s);

        // An unknown model: OpenAI's error shape, or Google's when Google's SDK asks.
        RecordedCall openaiMissing;
        call(openaiMissing, "GET", u"/v1/models/nope-1"_s, {});
        QCOMPARE(openaiMissing.status, 404);
        QCOMPARE(openaiMissing.json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"model_not_found"_s);
        RecordedCall googleMissing;
        call(googleMissing, "GET", u"/v1/models/nope-1"_s, {}, { { "x-goog-api-client", "google-genai-sdk/3.3.0" } });
        QCOMPARE(googleMissing.status, 404);
        QCOMPARE(googleMissing.json().value(u"error"_s).toObject().value(u"status"_s).toString(), u"NOT_FOUND"_s);

        // A path nothing serves: named as a path, never taken for a model.
        RecordedCall nowhere;
        call(nowhere, "POST", u"/v1/embeddings"_s, body({ { u"model"_s, u"gpt-5.4"_s } }));
        QCOMPARE(nowhere.status, 404);
        const QJsonObject err = nowhere.json().value(u"error"_s).toObject();
        QCOMPARE(err.value(u"code"_s).toString(), u"unknown_route"_s);
        QVERIFY2(err.value(u"message"_s).toString().contains(u"POST /v1/embeddings"_s), nowhere.body.constData());
        QCOMPARE(m_f.fake->received.size(), 0);
    }

    void responsesCountingAndCompaction()
    {
        const QJsonObject ask { { u"model"_s, u"gpt-5.4"_s }, { u"input"_s, u"How many tokens is this?"_s } };
        // An OpenAI model: Factory's Responses route counts (and compacts) beside its endpoint.
        RecordedCall counted;
        call(counted, "POST", u"/v1/responses/input_tokens"_s, body(ask));
        QCOMPARE(counted.status, 200);
        QCOMPARE(counted.json().value(u"object"_s).toString(), u"response.input_tokens"_s);
        QVERIFY(counted.json().value(u"input_tokens"_s).toInt() > 0);
        QVERIFY(counted.header("x-droid2api-estimate").isEmpty());
        QCOMPARE(m_f.fake->received.last().path, QByteArray("/api/llm/o/v1/responses/input_tokens"));
        QVERIFY(!m_f.fake->received.last().json.contains(u"reasoning"_s)); // a count gets no reasoning edits

        // Where the upstream has no counter (404), a local estimate in the same shape.
        m_f.fake->failNextRequests = 1;
        m_f.fake->failStatus = 404;
        RecordedCall missing;
        call(missing, "POST", u"/v1/responses/input_tokens"_s, body(ask));
        QCOMPARE(missing.status, 200);
        QCOMPARE(missing.json().value(u"object"_s).toString(), u"response.input_tokens"_s);
        QVERIFY(missing.json().value(u"input_tokens"_s).toInt() > 0);
        QCOMPARE(missing.header("x-droid2api-estimate"), QByteArray("local"));
        QCOMPARE(m_f.fake->received.size(), 2);

        // Another vendor's model: counted here, nothing sent.
        QJsonObject claude = ask;
        claude.insert(u"model"_s, u"claude-opus-4-6"_s);
        RecordedCall local;
        call(local, "POST", u"/v1/responses/input_tokens"_s, body(claude));
        QCOMPARE(local.status, 200);
        QCOMPARE(local.header("x-droid2api-estimate"), QByteArray("local"));
        QCOMPARE(m_f.fake->received.size(), 2);

        // Compaction: forwarded for an OpenAI model, refused for another vendor's (the client compacts itself).
        RecordedCall compacted;
        call(compacted, "POST", u"/v1/responses/compact"_s, body(ask));
        QCOMPARE(compacted.status, 200);
        QCOMPARE(compacted.json().value(u"object"_s).toString(), u"response.compaction"_s);
        QCOMPARE(m_f.fake->received.last().path, QByteArray("/api/llm/o/v1/responses/compact"));
        RecordedCall refused;
        call(refused, "POST", u"/v1/responses/compact"_s, body(claude));
        QCOMPARE(refused.status, 400);
        QCOMPARE(refused.json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"unsupported_model"_s);
        QCOMPARE(m_f.fake->received.size(), 3);
    }

    void serverStateIsRefusedNeverDropped_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("field");
        const QByteArray messages = R"("max_tokens":64,"messages":[{"role":"user","content":"next"}])";
        for (const char *model : { "claude-opus-4-6", "gpt-5.4", "gemini-test" }) {
            QTest::newRow(qPrintable(u"thread create -> %1"_s.arg(QLatin1StringView(model))))
                << u"/v1/messages"_s
                << QByteArray(R"({"model":")" + QByteArray(model) + R"(",)" + messages
                              + R"(,"thread":{"type":"create"}})")
                << u"thread"_s;
            QTest::newRow(qPrintable(u"thread continue -> %1"_s.arg(QLatin1StringView(model))))
                << u"/v1/messages"_s
                << QByteArray(R"({"model":")" + QByteArray(model) + R"(",)" + messages
                              + R"(,"thread":{"type":"continue","previous_message_id":"msg_1"}})")
                << u"thread"_s;
        }
        for (const char *model : { "claude-opus-4-6", "glm-5.2", "gemini-test" }) {
            QTest::newRow(qPrintable(u"conversation -> %1"_s.arg(QLatin1StringView(model))))
                << u"/v1/responses"_s
                << QByteArray(R"({"model":")" + QByteArray(model) + R"(","input":"next","conversation":"conv_1"})")
                << u"conversation"_s;
            QTest::newRow(qPrintable(u"background -> %1"_s.arg(QLatin1StringView(model))))
                << u"/v1/responses"_s
                << QByteArray(R"({"model":")" + QByteArray(model) + R"(","input":"next","background":true})")
                << u"background"_s;
        }
    }

    void serverStateIsRefusedNeverDropped()
    {
        // What needs a server to keep the conversation cannot be carried: a 400 naming the field, with the code
        // the SDKs act on (the Anthropic SDK then sends the whole history itself), and nothing sent upstream.
        QFETCH(QString, path);
        QFETCH(QByteArray, request);
        QFETCH(QString, field);
        RecordedCall rc;
        call(rc, "POST", path, request);
        QCOMPARE(rc.status, 400);
        const QJsonObject e = rc.json().value(u"error"_s).toObject();
        QVERIFY2(e.value(u"message"_s).toString().contains(u"'%1'"_s.arg(field)), rc.body.constData());
        if (field == u"thread") {
            QCOMPARE(e.value(u"type"_s).toString(), u"invalid_request_error"_s);
            QCOMPARE(e.value(u"details"_s).toObject().value(u"error_code"_s).toString(),
                     u"thread_unsupported_request"_s);
        } else {
            QCOMPARE(e.value(u"param"_s).toString(), field);
        }
        QCOMPARE(m_f.fake->received.size(), 0);
    }

    void conversationGoesToOpenAi()
    {
        RecordedCall rc;
        call(rc, "POST", u"/v1/responses"_s,
             QByteArray(R"({"model":"gpt-5.4","input":"next","conversation":"conv_1"})"));
        QCOMPARE(rc.status, 200);
        QCOMPARE(m_f.fake->received.last().json.value(u"conversation"_s).toString(), u"conv_1"_s);
    }

    // --- Routing: the level in a model's name, and rules by what a request is for ----------------------------

    void levelInTheModelName()
    {
        auto effortOf = [this](const QString &path, const QByteArray &request,
                               const HeaderList &headers = {}) -> QString {
            RecordedCall rc;
            call(rc, "POST", path, request, headers);
            if (rc.status != 200)
                return QStringLiteral("HTTP %1").arg(rc.status);
            const QJsonObject up = m_f.fake->received.last().json;
            return QString(up.value(u"model"_s).toString() + u' ')
                   + (up.contains(u"reasoning"_s)
                          ? up.value(u"reasoning"_s).toObject().value(u"effort"_s).toString()
                          : up.value(u"output_config"_s).toObject().value(u"effort"_s).toString());
        };
        // Every route, whatever the client's format: the level in the name is the request's level.
        QCOMPARE(effortOf(u"/v1/chat/completions"_s,
                          R"j({"model":"gpt-5.4(high)","messages":[{"role":"user","content":"hi"}]})j"),
                 u"gpt-5.4 high"_s);
        QCOMPARE(effortOf(u"/v1/responses"_s, R"j({"model":"gpt-5.4(low)","input":"hi"})j"), u"gpt-5.4 low"_s);
        QCOMPARE(
            effortOf(
                u"/v1/messages"_s,
                R"j({"model":"claude-opus-4-6(max)","max_tokens":64,"messages":[{"role":"user","content":"hi"}]})j"),
            u"claude-opus-4-6 max"_s);
        RecordedCall gemini;
        call(gemini, "POST", u"/v1beta/models/gemini-3.1-pro-preview(low):generateContent"_s,
             R"j({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})j");
        QCOMPARE(gemini.status, 200);
        QCOMPARE(m_f.fake->received.last()
                     .json.value(u"generationConfig"_s)
                     .toObject()
                     .value(u"thinkingConfig"_s)
                     .toObject()
                     .value(u"thinkingLevel"_s)
                     .toString(),
                 u"LOW"_s);
        // The header wins over the name; a level the model does not take is clamped as any level.
        QCOMPARE(effortOf(u"/v1/responses"_s, R"j({"model":"gpt-5.4(low)","input":"hi"})j",
                          { { "x-reasoning-level", "xhigh" } }),
                 u"gpt-5.4 xhigh"_s);
        QTest::ignoreMessage(QtInfoMsg, "model gpt-5.4 does not take reasoning level max; using medium");
        QCOMPARE(effortOf(u"/v1/responses"_s, R"j({"model":"gpt-5.4(max)","input":"hi"})j"), u"gpt-5.4 medium"_s);
        // Not a level: the whole name is the model, which is not configured.
        QCOMPARE(effortOf(u"/v1/responses"_s, R"j({"model":"gpt-5.4(turbo)","input":"hi"})j"), u"HTTP 404"_s);

        // Listed only when the user wants it.
        QVERIFY(!listedModel(u"gpt-5.4"_s).isEmpty());
        QVERIFY(listedModel(u"gpt-5.4(high)"_s).isEmpty());
        Config c = makeConfig();
        c.routing.listLevels = true;
        startProxy(c, kFactoryKey);
        QCOMPARE(listedModel(u"gpt-5.4(high)"_s).value(u"name"_s).toString(), u"GPT-5.4 (high)"_s);
        QVERIFY(listedModel(u"gpt-5.4(off)"_s).isEmpty()); // gpt-5.4 does not take off
        RecordedCall one;
        call(one, "GET", u"/v1/models/gpt-5.4(high)"_s, {});
        QCOMPARE(one.status, 200);
        QCOMPARE(one.json().value(u"id"_s).toString(), u"gpt-5.4(high)"_s);
    }

    void routingRules()
    {
        auto rule = [](const char *name, const QString &target, std::optional<ReasoningLevel> level = std::nullopt) {
            RouteRule r;
            r.name = QString::fromLatin1(name);
            r.target = target;
            r.level = level;
            return r;
        };
        RoutingPreset mine;
        mine.name = u"Mine"_s;
        mine.rules << rule("web", u"gemini-3.1-pro-preview"_s);
        mine.rules.last().tools = u"web_search*"_s;
        mine.rules << rule("long", u"gpt-5.4"_s);
        mine.rules.last().minPromptTokens = 2000;
        mine.rules << rule("titles", u"claude-haiku-4-5-20251001"_s, ReasoningLevel::Off);
        mine.rules.last().client = u"Claude Code"_s;
        mine.rules.last().tools = u"none"_s;
        mine.rules.last().thinking = false;
        mine.rules << rule("think", u"claude-opus-4-6"_s, ReasoningLevel::Max);
        mine.rules.last().thinking = true;
        mine.rules << rule("codex", u"glm-5.2"_s);
        mine.rules.last().route = u"/v1/responses"_s;
        mine.rules << rule("old haiku", u"claude-sonnet-4-6"_s);
        mine.rules.last().model = u"claude-3-5-haiku-*"_s;
        Config c = makeConfig();
        c.routing.presets = { mine };
        c.routing.preset = u"Mine"_s;
        startProxy(c, kFactoryKey);

        const QJsonArray bash { QJsonObject { { u"name"_s, u"Bash"_s },
                                              { u"input_schema"_s, QJsonObject { { u"type"_s, u"object"_s } } } } };
        const QJsonArray hi { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"hi"_s } } };
        const HeaderList claudeCode { { "user-agent", "claude-cli/2.1.332 (external, cli)" } };
        struct Case
        {
            const char *what;
            QString path;
            QJsonObject request;
            HeaderList headers;
            QString rule; // empty: none matched
            QString served;
        };
        QJsonObject title { { u"model"_s, u"claude-opus-4-6"_s }, { u"max_tokens"_s, 64 }, { u"messages"_s, hi } };
        QJsonObject turn = title;
        turn.insert(u"tools"_s, bash);
        QJsonObject thinking = turn;
        thinking.insert(u"thinking"_s, QJsonObject { { u"type"_s, u"adaptive"_s } });
        QJsonObject search = thinking;
        QJsonArray withSearch = bash;
        withSearch.append(QJsonObject { { u"type"_s, u"web_search_20250305"_s }, { u"name"_s, u"web_search"_s } });
        search.insert(u"tools"_s, withSearch);
        QJsonObject longTurn = turn;
        longTurn.insert(u"messages"_s, QJsonArray { QJsonObject { { u"role"_s, u"user"_s },
                                                                  { u"content"_s, QString(12000, u'w') } } });
        const QList<Case> cases {
            { "a title call", u"/v1/messages"_s, title, claudeCode, u"Mine / titles"_s,
              u"claude-haiku-4-5-20251001"_s },
            { "a thinking turn", u"/v1/messages"_s, thinking, claudeCode, u"Mine / think"_s, u"claude-opus-4-6"_s },
            { "web search wins (first match)", u"/v1/messages"_s, search, claudeCode, u"Mine / web"_s,
              u"gemini-3.1-pro-preview"_s },
            { "a long prompt", u"/v1/messages"_s, longTurn, claudeCode, u"Mine / long"_s, u"gpt-5.4"_s },
            { "a Responses client",
              u"/v1/responses"_s,
              QJsonObject { { u"model"_s, u"gpt-5.4"_s }, { u"input"_s, u"hi"_s } },
              {},
              u"Mine / codex"_s,
              u"glm-5.2"_s },
            { "a pattern before the redirect",
              u"/v1/messages"_s,
              QJsonObject { { u"model"_s, u"claude-3-5-haiku-20241022"_s },
                            { u"max_tokens"_s, 64 },
                            { u"messages"_s, hi },
                            { u"tools"_s, bash } },
              {},
              u"Mine / old haiku"_s,
              u"claude-sonnet-4-6"_s },
            { "no rule: model_redirects",
              u"/v1/messages"_s,
              QJsonObject { { u"model"_s, u"claude-sonnet-4-5"_s },
                            { u"max_tokens"_s, 64 },
                            { u"messages"_s, hi },
                            { u"tools"_s, bash } },
              {},
              QString(),
              u"claude-sonnet-4-5-20250929"_s },
        };
        // The Gemini model the web-search rule names cannot run Anthropic's server tool: dropped, and said.
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"left out .*web_search_20250305"_s));
        QSignalSpy finished(m_f.proxy.get(), &ProxyService::requestFinished);
        for (const Case &k : cases) {
            RecordedCall rc;
            call(rc, "POST", k.path, body(k.request), k.headers);
            QVERIFY2(rc.status == 200, k.what);
            QCOMPARE(m_f.fake->received.last().json.value(u"model"_s).toString(), k.served);
            QCOMPARE(QString::fromUtf8(rc.header("x-droid2api-rule")), k.rule);
            QTRY_VERIFY(!finished.isEmpty());
            const auto record = finished.takeLast().first().value<RequestRecord>();
            QCOMPARE(record.rule, k.rule);
            QCOMPARE(record.model, k.served);
        }
        // The rules' levels: the title call goes without thinking, the thinking turn at max.
        RecordedCall titleCall;
        call(titleCall, "POST", u"/v1/messages"_s, body(title), claudeCode);
        QVERIFY(!m_f.fake->received.last().json.contains(u"thinking"_s));
        RecordedCall thinkingCall;
        call(thinkingCall, "POST", u"/v1/messages"_s, body(thinking), claudeCode);
        QCOMPARE(m_f.fake->received.last().json.value(u"output_config"_s).toObject().value(u"effort"_s).toString(),
                 u"max"_s);

        // Switching the preset takes effect at the next request: "As asked" has no rules.
        c.routing.preset = Routing::asAsked();
        m_f.proxy->setConfig(c);
        RecordedCall asAsked;
        call(asAsked, "POST", u"/v1/messages"_s, body(title), claudeCode);
        QCOMPARE(m_f.fake->received.last().json.value(u"model"_s).toString(), u"claude-opus-4-6"_s);
        QVERIFY(asAsked.header("x-droid2api-rule").isEmpty());
    }

    void systemPromptPrefix()
    {
        // A string system prompt is kept, after the Droid prefix; cache_control on blocks survives.
        RecordedCall a;
        call(a, "POST", QStringLiteral("/v1/messages"),
             body({ { u"model"_s, u"claude-opus-4-6"_s },
                    { u"max_tokens"_s, 50 },
                    { u"system"_s, u"You are a pirate."_s },
                    { u"messages"_s,
                      QJsonArray { QJsonObject {
                          { u"role"_s, u"user"_s },
                          { u"content"_s,
                            QJsonArray { QJsonObject {
                                { u"type"_s, u"text"_s },
                                { u"text"_s, u"hi"_s },
                                { u"cache_control"_s, QJsonObject { { u"type"_s, u"ephemeral"_s } } } } } } } } } }));
        QCOMPARE(a.status, 200);
        const QJsonObject up = m_f.fake->received.last().json;
        const QJsonArray system = up.value(u"system"_s).toArray();
        QCOMPARE(system.size(), 2);
        QVERIFY(system[0].toObject().value(u"text"_s).toString().startsWith(QStringLiteral("You are Droid")));
        QCOMPARE(system[1].toObject().value(u"text"_s).toString(), QStringLiteral("You are a pirate."));
        QCOMPARE(up.value(u"messages"_s)
                     .toArray()[0]
                     .toObject()
                     .value(u"content"_s)
                     .toArray()[0]
                     .toObject()
                     .value(u"cache_control"_s)
                     .toObject()
                     .value(u"type"_s)
                     .toString(),
                 QStringLiteral("ephemeral"));

        RecordedCall c;
        call(c, "POST", QStringLiteral("/v1/chat/completions"),
             body({ { u"model"_s, u"glm-5.2"_s },
                    { u"messages"_s,
                      QJsonArray { QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, u"Be brief."_s } },
                                   QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"hi"_s } } } } }));
        const QJsonArray msgs = m_f.fake->received.last().json.value(u"messages"_s).toArray();
        QCOMPARE(msgs.size(), 2);
        QVERIFY(msgs[0].toObject().value(u"content"_s).toString().startsWith(QStringLiteral("You are Droid")));
        QVERIFY(msgs[0].toObject().value(u"content"_s).toString().endsWith(QStringLiteral("Be brief.")));

        RecordedCall r;
        call(r, "POST", QStringLiteral("/v1/responses"),
             body({ { u"model"_s, u"gpt-5.4"_s }, { u"input"_s, u"hi"_s }, { u"instructions"_s, u"Be kind."_s } }));
        const QJsonObject ru = m_f.fake->received.last().json;
        QVERIFY(ru.value(u"instructions"_s).toString().startsWith(QStringLiteral("You are Droid")));
        QVERIFY(ru.value(u"instructions"_s).toString().endsWith(QStringLiteral("Be kind.")));
        QCOMPARE(ru.value(u"input"_s).toString(), QStringLiteral("hi")); // droid's string input passes unchanged
    }

    void modelRedirect()
    {
        RecordedCall rc;
        call(rc, "POST", QStringLiteral("/v1/messages"),
             body({ { u"model"_s, u"claude-3-5-haiku-20241022"_s },
                    { u"max_tokens"_s, 10 },
                    { u"messages"_s, QJsonArray() } }));
        QCOMPARE(rc.status, 200);
        QCOMPARE(m_f.fake->received.last().json.value(u"model"_s).toString(),
                 QStringLiteral("claude-haiku-4-5-20251001"));
    }

    void translatedAnswersReportTheRequestedModel()
    {
        // A Chat client asks for a redirected alias of an Anthropic model: whole answers and streams both name
        // the id the client asked for, not the upstream's.
        RecordedCall whole;
        call(whole, "POST", QStringLiteral("/v1/chat/completions"),
             body({ { u"model"_s, u"claude-3-5-haiku-20241022"_s },
                    { u"messages"_s,
                      QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"hi"_s } } } } }));
        QCOMPARE(whole.status, 200);
        QCOMPARE(m_f.fake->received.last().json.value(u"model"_s).toString(),
                 QStringLiteral("claude-haiku-4-5-20251001"));
        QCOMPARE(whole.json().value(u"model"_s).toString(), QStringLiteral("claude-3-5-haiku-20241022"));
        RecordedCall stream;
        call(stream, "POST", QStringLiteral("/v1/chat/completions"),
             body({ { u"model"_s, u"claude-3-5-haiku-20241022"_s },
                    { u"stream"_s, true },
                    { u"messages"_s,
                      QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"hi"_s } } } } }));
        QCOMPARE(stream.status, 200);
        QVERIFY2(stream.body.contains("\"model\":\"claude-3-5-haiku-20241022\""), stream.body.constData());
        QVERIFY(!stream.body.contains("claude-haiku-4-5-20251001"));
    }

    void sessionIdsFollowTheClientSession()
    {
        // x-session-id stays the same for one client session, as Factory's CLI keeps it: Claude Code's session
        // (inside metadata.user_id), a session header, Codex's prompt_cache_key; else one per connection.
        auto sessionOf = [this](const QString &path, const QJsonObject &request, const HeaderList &headers = {}) {
            RecordedCall rc;
            call(rc, "POST", path, body(request), headers);
            return rc.status == 200 ? m_f.fake->received.last().header("x-session-id") : QByteArray("failed");
        };
        const QJsonArray msgs { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"x"_s } } };
        const QJsonObject claude {
            { u"model"_s, u"claude-opus-4-6"_s },
            { u"max_tokens"_s, 5 },
            { u"messages"_s, msgs },
            { u"metadata"_s,
              QJsonObject {
                  { u"user_id"_s,
                    QStringLiteral(
                        R"({"device_id":"d","account_uuid":"","session_id":"21eb1f40-5e4c-4a95-ae22-e9a087b5a7f7"})") } } }
        };
        QCOMPARE(sessionOf(QStringLiteral("/v1/messages"), claude), QByteArray("21eb1f40-5e4c-4a95-ae22-e9a087b5a7f7"));
        const QJsonObject codex { { u"model"_s, u"gpt-5.4"_s },
                                  { u"input"_s, u"x"_s },
                                  { u"prompt_cache_key"_s, u"01a226e2-558e-75d2-b19a-0d3c1bc816b5"_s } };
        QCOMPARE(sessionOf(QStringLiteral("/v1/responses"), codex), QByteArray("01a226e2-558e-75d2-b19a-0d3c1bc816b5"));
        // A hint that is not a UUID becomes one, the same one each time.
        const QJsonObject chat { { u"model"_s, u"kimi-k3"_s }, { u"messages"_s, msgs } };
        const QByteArray a =
            sessionOf(QStringLiteral("/v1/chat/completions"), chat, { { "session_id", "my-session" } });
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$"))
                    .match(QString::fromLatin1(a))
                    .hasMatch());
        QCOMPARE(sessionOf(QStringLiteral("/v1/chat/completions"), chat, { { "session_id", "my-session" } }), a);
        QVERIFY(sessionOf(QStringLiteral("/v1/chat/completions"), chat, { { "session_id", "other" } }) != a);
        // No hint: one id per client connection (this test's client keeps its connection).
        const QByteArray c1 = sessionOf(QStringLiteral("/v1/chat/completions"), chat);
        QCOMPARE(sessionOf(QStringLiteral("/v1/chat/completions"), chat), c1);
        QVERIFY(c1 != a);
    }

    void translatedRequestsAreCached()
    {
        // A Chat client cannot place Anthropic cache breakpoints: droid2api places them as Factory's CLI does
        // (the last system block for an hour, the end of the last user turn); to a Responses model the session
        // id keys the cache.
        RecordedCall rc;
        call(rc, "POST", QStringLiteral("/v1/chat/completions"),
             body({ { u"model"_s, u"claude-opus-4-6"_s },
                    { u"messages"_s,
                      QJsonArray { QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, u"Be brief."_s } },
                                   QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"q1"_s } },
                                   QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, u"a1"_s } },
                                   QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"q2"_s } } } } }),
             { { "x-session-id", "0f0e0d0c-0b0a-4908-8706-050403020100" } });
        QCOMPARE(rc.status, 200);
        QJsonObject up = m_f.fake->received.last().json;
        const QJsonArray system = up.value(u"system"_s).toArray();
        QCOMPARE(system.last().toObject().value(u"cache_control"_s).toObject(),
                 QJsonObject({ { u"type"_s, u"ephemeral"_s }, { u"ttl"_s, u"1h"_s } }));
        QVERIFY(!system.first().toObject().contains(u"cache_control"_s)); // the Droid sentence block stays bare
        const QJsonArray msgs = up.value(u"messages"_s).toArray();
        QCOMPARE(
            msgs.last().toObject().value(u"content"_s).toArray().last().toObject().value(u"cache_control"_s).toObject(),
            QJsonObject({ { u"type"_s, u"ephemeral"_s } }));
        QVERIFY(!msgs.first().toObject().value(u"content"_s).toArray().last().toObject().contains(u"cache_control"_s));
        QCOMPARE(up.value(u"max_tokens"_s).toInt(), 128000); // the model's own room, as the CLI sets it
        RecordedCall responses;
        call(responses, "POST", QStringLiteral("/v1/chat/completions"),
             body({ { u"model"_s, u"gpt-5.4"_s },
                    { u"messages"_s,
                      QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"q"_s } } } } }),
             { { "x-session-id", "0f0e0d0c-0b0a-4908-8706-050403020100" } });
        QCOMPARE(responses.status, 200);
        QCOMPARE(m_f.fake->received.last().json.value(u"prompt_cache_key"_s).toString(),
                 QStringLiteral("0f0e0d0c-0b0a-4908-8706-050403020100"));
    }

    void whatATranslationLeavesOutIsNamed()
    {
        // What today's Claude Code sends, to a Chat model: the server tool, context_management and the
        // thinking display have no Chat form; they are left out, named in a header and a log line, and the
        // rest (the mid-conversation system message folded into the system prompt, adaptive thinking as an
        // effort) goes on.
        const QByteArray request = R"({"model":"glm-5.2","max_tokens":100,"system":"Be brief.",
            "messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},
                        {"role":"system","content":"Answer in French from now on."},{"role":"user","content":"and now?"}],
            "tools":[{"type":"web_search_20250305","name":"web_search"},{"name":"Bash","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}}],
            "thinking":{"type":"adaptive","display":"omitted"},"output_config":{"effort":"high"},
            "context_management":{"edits":[{"type":"clear_thinking_20251015","keep":"all"}]}})";
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
                                               "left out what model 'glm-5.2' .*tools\\[0\\] "
                                               "\\(web_search_20250305\\), thinking\\.display, context_management")));
        RecordedCall rc;
        call(rc, "POST", QStringLiteral("/v1/messages"), request,
             { { "x-reasoning-level", "auto" } }); // keep the client's own
        QCOMPARE(rc.status, 200);
        QCOMPARE(rc.header("x-droid2api-dropped"),
                 QByteArray("tools[0] (web_search_20250305), thinking.display, context_management"));
        const QJsonObject up = m_f.fake->received.last().json;
        const QJsonArray tools = up.value(u"tools"_s).toArray();
        QCOMPARE(tools.size(), 1);
        QCOMPARE(tools.at(0).toObject().value(u"function"_s).toObject().value(u"name"_s).toString(),
                 QStringLiteral("Bash"));
        const QJsonArray msgs = up.value(u"messages"_s).toArray();
        QCOMPARE(msgs.size(), 4); // system, user, assistant, user: one system message, first
        QCOMPARE(msgs.at(0).toObject().value(u"role"_s).toString(), QStringLiteral("system"));
        QVERIFY(msgs.at(0)
                    .toObject()
                    .value(u"content"_s)
                    .toString()
                    .endsWith( // after the Droid prefix
                        QStringLiteral("Be brief.\n\n(System message given after message 2 of the "
                                       "conversation:)\nAnswer in French from now on.")));
        QCOMPARE(up.value(u"reasoning_effort"_s).toString(), QStringLiteral("high"));
        // Nothing left out: no header.
        RecordedCall plain;
        call(plain, "POST", QStringLiteral("/v1/messages"),
             body({ { u"model"_s, u"glm-5.2"_s },
                    { u"max_tokens"_s, 10 },
                    { u"messages"_s,
                      QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"x"_s } } } } }));
        QCOMPARE(plain.status, 200);
        QVERIFY(plain.header("x-droid2api-dropped").isEmpty());
    }

    void reasoningHeader()
    {
        RecordedCall high;
        call(high, "POST", QStringLiteral("/v1/messages"),
             body({ { u"model"_s, u"claude-opus-4-6"_s },
                    { u"max_tokens"_s, 1000 },
                    { u"temperature"_s, 0.2 },
                    { u"messages"_s, QJsonArray() } }),
             { { "x-reasoning-level", "high" }, { "anthropic-beta", "prompt-caching-2024-07-31" } });
        QCOMPARE(high.status, 200);
        QJsonObject up = m_f.fake->received.last().json;
        // Opus 4.6 thinks adaptively (the level is its effort); no interleaved beta for it.
        QCOMPARE(up.value(u"thinking"_s).toObject(), QJsonObject({ { u"type"_s, u"adaptive"_s } }));
        QCOMPARE(up.value(u"output_config"_s).toObject().value(u"effort"_s).toString(), QStringLiteral("high"));
        QCOMPARE(up.value(u"max_tokens"_s).toInt(), 1000);
        QVERIFY(!up.contains(u"temperature"_s));
        QCOMPARE(m_f.fake->received.last().header("anthropic-beta"), QByteArray("prompt-caching-2024-07-31"));
        // A budget model (Sonnet 4.5) gets the budget, room above it and the interleaved beta.
        RecordedCall budget;
        call(budget, "POST", QStringLiteral("/v1/messages"),
             body({ { u"model"_s, u"claude-sonnet-4-5-20250929"_s },
                    { u"max_tokens"_s, 1000 },
                    { u"messages"_s, QJsonArray() } }),
             { { "x-reasoning-level", "high" } });
        up = m_f.fake->received.last().json;
        QCOMPARE(up.value(u"thinking"_s).toObject().value(u"budget_tokens"_s).toInt(), 24576);
        QVERIFY(up.value(u"max_tokens"_s).toInt() > 24576);
        QCOMPARE(m_f.fake->received.last().header("anthropic-beta"), QByteArray("interleaved-thinking-2025-05-14"));
        // A level the model does not take is clamped to its default, and said.
        QTest::ignoreMessage(QtInfoMsg,
                             "model claude-sonnet-4-5-20250929 does not take reasoning level max; using off");
        RecordedCall clamped;
        call(clamped, "POST", QStringLiteral("/v1/messages"),
             body({ { u"model"_s, u"claude-sonnet-4-5-20250929"_s },
                    { u"max_tokens"_s, 1000 },
                    { u"messages"_s, QJsonArray() } }),
             { { "x-reasoning-level", "max" } });
        QVERIFY(!m_f.fake->received.last().json.contains(u"thinking"_s));

        RecordedCall off;
        call(off, "POST", QStringLiteral("/v1/messages"),
             body({ { u"model"_s, u"claude-opus-4-6"_s },
                    { u"max_tokens"_s, 1000 },
                    { u"messages"_s, QJsonArray() },
                    { u"thinking"_s, QJsonObject { { u"type"_s, u"enabled"_s }, { u"budget_tokens"_s, 2000 } } } }),
             { { "x-reasoning-level", "off" }, { "anthropic-beta", "interleaved-thinking-2025-05-14" } });
        up = m_f.fake->received.last().json;
        QVERIFY(!up.contains(u"thinking"_s));
        QVERIFY(m_f.fake->received.last().header("anthropic-beta").isEmpty());

        RecordedCall responses;
        call(responses, "POST", QStringLiteral("/v1/responses"),
             body({ { u"model"_s, u"gpt-5.4"_s }, { u"input"_s, u"x"_s } }), { { "x-reasoning-level", "low" } });
        QCOMPARE(m_f.fake->received.last().json.value(u"reasoning"_s).toObject().value(u"effort"_s).toString(),
                 QStringLiteral("low"));

        RecordedCall bad;
        call(bad, "POST", QStringLiteral("/v1/chat/completions"),
             body({ { u"model"_s, u"glm-5.2"_s }, { u"messages"_s, QJsonArray() } }),
             { { "x-reasoning-level", "extreme" } });
        QCOMPARE(bad.status, 400);
        QVERIFY(bad.json()
                    .value(u"error"_s)
                    .toObject()
                    .value(u"message"_s)
                    .toString()
                    .contains(QStringLiteral("x-reasoning-level")));

        RecordedCall fast;
        call(fast, "POST", QStringLiteral("/v1/messages"),
             body({ { u"model"_s, u"claude-opus-4-8-fast"_s },
                    { u"max_tokens"_s, 10 },
                    { u"messages"_s, QJsonArray() } }));
        QVERIFY(m_f.fake->received.last().header("anthropic-beta").contains("fast-mode-2026-02-01"));
    }

    void streaming_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QByteArray>("format");
        QTest::newRow("anthropic") << "/v1/messages"
                                   << "claude-opus-4-6" << QByteArray("anthropic");
        QTest::newRow("responses") << "/v1/responses"
                                   << "gpt-5.4" << QByteArray("responses");
        QTest::newRow("chat") << "/v1/chat/completions"
                              << "glm-5.2" << QByteArray("chat");
        QTest::newRow("gemini") << "/v1beta/models/gemini-test:streamGenerateContent?alt=sse"
                                << "gemini-test" << QByteArray("gemini");
    }

    void streaming()
    {
        // Events leave the proxy as they arrive: the upstream sends each next event only once the client has
        // received the previous one (lockstep). A proxy that buffered would never deliver it: the wait fails.
        QFETCH(QString, path);
        QFETCH(QString, model);
        QFETCH(QByteArray, format);
        RecordedCall rc;
        startCall(*m_f.client, rc, "POST", proxyUrl(path),
                  body({ { u"model"_s, model },
                         { u"stream"_s, true },
                         { u"max_tokens"_s, 10 },
                         { u"messages"_s, QJsonArray() },
                         { u"fake"_s, QJsonObject { { u"lockstep"_s, true }, { u"deltas"_s, 4 } } } }),
                  {}, m_f.clock);
        const QList<QByteArray> expected = FakeUpstream::streamEvents(format, model, 4);
        QByteArray sent;
        for (int i = 0; i < expected.size(); ++i) {
            sent += expected[i];
            QTRY_VERIFY2_WITH_TIMEOUT(rc.body == sent,
                                      qPrintable(QStringLiteral("event %1 did not reach the client before the upstream "
                                                                "sent the next one")
                                                     .arg(i)),
                                      10000);
            if (i + 1 < expected.size())
                QVERIFY(m_f.fake->releaseNextEvent());
        }
        QTRY_VERIFY_WITH_TIMEOUT(rc.done(), 10000);
        QVERIFY2(rc.finished, qPrintable(rc.error));
        QCOMPARE(rc.status, 200);
        QVERIFY(rc.header("content-type").startsWith("text/event-stream"));
        QCOMPARE(rc.header("cache-control"), QByteArray("no-cache"));
        QCOMPARE(rc.header("x-accel-buffering"), QByteArray("no"));
        QCOMPARE(rc.body, sent); // byte for byte
    }

    void clientAbortReachesUpstream()
    {
        // The upstream stream would take minutes; the only way it ends early is the proxy aborting it.
        RecordedCall rc;
        startCall(*m_f.client, rc, "POST", proxyUrl(QStringLiteral("/v1/messages")),
                  body({ { u"model"_s, u"claude-opus-4-6"_s },
                         { u"stream"_s, true },
                         { u"max_tokens"_s, 10 },
                         { u"messages"_s, QJsonArray() },
                         { u"fake"_s, QJsonObject { { u"delay_ms"_s, 60000 }, { u"deltas"_s, 5 } } } }),
                  {}, m_f.clock);
        QTRY_VERIFY_WITH_TIMEOUT(!rc.body.isEmpty(), 10000);
        QSignalSpy aborted(m_f.fake.get(), &FakeUpstream::streamAborted);
        rc.reply->abort();
        QTRY_VERIFY_WITH_TIMEOUT(aborted.count() == 1, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(m_f.proxy->activeRequests(), 0, 10000);
    }

    void utf8SplitAcrossWrites()
    {
        RecordedCall rc;
        call(rc, "POST", QStringLiteral("/v1/messages"),
             body({ { u"model"_s, u"claude-opus-4-6"_s },
                    { u"stream"_s, true },
                    { u"max_tokens"_s, 10 },
                    { u"messages"_s, QJsonArray() },
                    { u"fake"_s, QJsonObject { { u"scenario"_s, u"utf8split"_s }, { u"delay_ms"_s, 100 } } } }));
        QVERIFY(rc.finished);
        const QList<QByteArray> events = SseSplitter().feed(rc.body);
        QCOMPARE(events.size(), 2);
        const QJsonObject ev = QJsonDocument::fromJson(SseSplitter::parse(events[0]).data).object();
        QCOMPARE(ev.value(u"delta"_s).toObject().value(u"text"_s).toString(),
                 QStringLiteral("h\u00e9llo \u4e16\u754c \U0001F600"));
    }

    void errors_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("messagePart");
        auto statusBody = [](const char *model, int status, const char *upstreamBody) {
            return body({ { u"model"_s, QString::fromUtf8(model) },
                          { u"max_tokens"_s, 5 },
                          { u"messages"_s, QJsonArray() },
                          { u"fake"_s, QJsonObject { { u"scenario"_s, u"status"_s },
                                                     { u"status"_s, status },
                                                     { u"body"_s, QString::fromUtf8(upstreamBody) } } } });
        };
        const QByteArray fakeStatus = statusBody("claude-opus-4-6", 429, "{\"detail\":\"slow down please\"}");
        QTest::newRow("malformed json/messages")
            << "/v1/messages" << QByteArray("{\"model\":") << 400 << "not valid JSON";
        QTest::newRow("malformed json/chat") << "/v1/chat/completions" << QByteArray("[1,2") << 400 << "not valid JSON";
        QTest::newRow("malformed json/gemini")
            << "/v1beta/models/gemini-test:generateContent" << QByteArray("nope") << 400 << "not valid JSON";
        QTest::newRow("not an object") << "/v1/responses" << QByteArray("[]") << 400 << "JSON object";
        QTest::newRow("missing model") << "/v1/chat/completions" << QByteArray("{\"messages\":[]}") << 400
                                       << "missing 'model'";
        QTest::newRow("model wrong type")
            << "/v1/chat/completions" << QByteArray("{\"model\":5}") << 400 << "'model' must be";
        QTest::newRow("unknown model") << "/v1/messages" << QByteArray("{\"model\":\"claude-9\"}") << 404 << "claude-9";
        QTest::newRow("untranslatable n")
            << "/v1/chat/completions" << QByteArray("{\"model\":\"claude-opus-4-6\",\"n\":2,\"messages\":[]}") << 400
            << "'n' must be 1";
        QTest::newRow("untranslatable attachment")
            << "/v1/messages"
            << QByteArray(
                   R"({"model":"glm-5.2","messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}},{"type":"text","text":"Summarise it"}]}]})")
            << 400 << "attached file";
        QTest::newRow("unknown route") << "/v1/nothing" << QByteArray("{}") << 404 << "no route";
        QTest::newRow("upstream 429 kept") << "/v1/messages" << fakeStatus << 429 << "slow down please";
        QTest::newRow("upstream 500") << "/v1/chat/completions"
                                      << statusBody(
                                             "glm-5.2", 500,
                                             "{\"error\":{\"message\":\"boom inside\",\"type\":\"server_error\"}}")
                                      << 500 << "boom inside";
        QTest::newRow("upstream closes") << "/v1/responses"
                                         << QByteArray(R"({"model":"gpt-5.4","input":"x","fake":{"scenario":"close"}})")
                                         << 502 << "closed the connection";
        QTest::newRow("upstream timeout")
            << "/v1/responses" << QByteArray(R"({"model":"gpt-5.4","input":"x","fake":{"scenario":"hang"}})") << 504
            << "no response within";
        QTest::newRow("upstream garbage")
            << "/v1/chat/completions"
            << QByteArray(
                   R"({"model":"glm-5.2","messages":[],"fake":{"scenario":"raw","raw":"SMTP ready\r\n\r\n","close":true}})")
            << 502 << "malformed status line";
    }

    void errors()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, messagePart);
        if (status >= 500) // failures on the upstream's side are warnings, so the Activity window's "errors" show them
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(" status=%1 ").arg(status)));
        RecordedCall rc;
        call(rc, "POST", path, body);
        QCOMPARE(rc.status, status);
        const QJsonObject o = rc.json();
        const WireFormat f = RouteTable::instance().formatFor(path);
        QString message;
        if (f == WireFormat::Anthropic) {
            QCOMPARE(o.value(u"type"_s).toString(), QStringLiteral("error"));
            QVERIFY(!o.value(u"error"_s).toObject().value(u"type"_s).toString().isEmpty());
            message = o.value(u"error"_s).toObject().value(u"message"_s).toString();
        } else if (f == WireFormat::Gemini) {
            QCOMPARE(o.value(u"error"_s).toObject().value(u"code"_s).toInt(), status);
            QVERIFY(!o.value(u"error"_s).toObject().value(u"status"_s).toString().isEmpty());
            message = o.value(u"error"_s).toObject().value(u"message"_s).toString();
        } else {
            QVERIFY(o.value(u"error"_s).toObject().contains(u"type"_s));
            message = o.value(u"error"_s).toObject().value(u"message"_s).toString();
        }
        QVERIFY2(message.contains(messagePart), qPrintable(message));
    }

    void unreachableUpstream()
    {
        Config c = makeConfig();
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 deadPort = closed.serverPort();
        closed.close();
        c.endpoints[ModelType::Common] = QUrl(QStringLiteral("http://127.0.0.1:%1/x").arg(deadPort));
        m_f.proxy->setConfig(c);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(" status=502 ")));
        RecordedCall rc;
        call(rc, "POST", QStringLiteral("/v1/chat/completions"), R"({"model":"glm-5.2","messages":[]})");
        QCOMPARE(rc.status, 502);
        QVERIFY(rc.json()
                    .value(u"error"_s)
                    .toObject()
                    .value(u"message"_s)
                    .toString()
                    .contains(QStringLiteral("cannot connect")));
    }

    void midStreamFailures_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QByteArray>("marker");
        QTest::newRow("anthropic cut") << "/v1/messages"
                                       << "claude-opus-4-6"
                                       << "cut" << QByteArray("event: error\ndata: {\"type\":\"error\",\"error\":{");
        QTest::newRow("chat cut") << "/v1/chat/completions"
                                  << "glm-5.2"
                                  << "cut" << QByteArray("data: {\"error\":{");
        QTest::newRow("responses stall")
            << "/v1/responses"
            << "gpt-5.4"
            << "stall" << QByteArray("event: error\ndata: {\"type\":\"error\",\"code\":\"upstream_timeout\"");
        QTest::newRow("gemini cut") << "/v1beta/models/gemini-test:streamGenerateContent?alt=sse"
                                    << "gemini-test"
                                    << "cut" << QByteArray("data: {\"error\":{\"code\":502");
    }

    void midStreamFailures()
    {
        // A stream that breaks ends with an error event in the client's grammar, never silently.
        QFETCH(QString, path);
        QFETCH(QString, model);
        QFETCH(QString, scenario);
        QFETCH(QByteArray, marker);
        RecordedCall rc;
        call(rc, "POST", path,
             body({ { u"model"_s, model },
                    { u"stream"_s, true },
                    { u"messages"_s, QJsonArray() },
                    { u"fake"_s, QJsonObject { { u"scenario"_s, scenario }, { u"delay_ms"_s, 50 } } } }));
        QCOMPARE(rc.status, 200);
        QVERIFY2(rc.body.contains(marker), rc.body.constData());
        QVERIFY(rc.finished);
    }

    void translatedStreamBreaks_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("model");
        QTest::newRow("chat client, anthropic model") << "/v1/chat/completions"
                                                      << "cut-anthropic";
        QTest::newRow("anthropic client, responses model") << "/v1/messages"
                                                           << "cut-openai";
        QTest::newRow("responses client, gemini model") << "/v1/responses"
                                                        << "cut-google";
        QTest::newRow("gemini client, chat model") << "/v1beta/models/cut-common:streamGenerateContent?alt=sse"
                                                   << "cut-common";
    }

    void translatedStreamBreaks()
    {
        // A translated stream cut upstream ends with the error event of the client's grammar, and the whole
        // stream still passes that grammar's checker.
        QFETCH(QString, path);
        QFETCH(QString, model);
        RecordedCall rc;
        QJsonObject request { { u"model"_s, model }, { u"stream"_s, true } };
        switch (RouteTable::instance().formatFor(
            path)) { // a body in the route's own format: nothing for the translation to leave out
        case WireFormat::Anthropic: request.insert(u"max_tokens"_s, 10); Q_FALLTHROUGH();
        case WireFormat::OpenAIChat:
            request.insert(u"messages"_s,
                           QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"x"_s } } });
            break;
        case WireFormat::OpenAIResponses: request.insert(u"input"_s, u"x"_s); break;
        case WireFormat::Gemini:
            request.remove(u"stream"_s);
            request.insert(u"contents"_s, QJsonArray { QJsonObject {
                                              { u"role"_s, u"user"_s },
                                              { u"parts"_s, QJsonArray { QJsonObject { { u"text"_s, u"x"_s } } } } } });
            break;
        }
        call(rc, "POST", path, body(request));
        QCOMPARE(rc.status, 200);
        QVERIFY2(rc.body.contains("closed the connection"), rc.body.constData());
        const QString grammar = checkStreamGrammar(RouteTable::instance().formatFor(path), rc.body);
        QVERIFY2(grammar.isEmpty(), qPrintable(grammar));
    }

    void keepAliveDuringSilence_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QByteArray>("ping");
        QTest::newRow("anthropic passthrough")
            << "/v1/messages"
            << "slow-anthropic" << QByteArray("event: ping\ndata: {\"type\":\"ping\"}\n\n");
        QTest::newRow("anthropic translated")
            << "/v1/messages"
            << "slow-common" << QByteArray("event: ping\ndata: {\"type\":\"ping\"}\n\n");
        QTest::newRow("chat translated") << "/v1/chat/completions"
                                         << "slow-openai" << QByteArray(": keepalive\n\n");
    }

    void keepAliveDuringSilence()
    {
        Config c = makeConfig();
        c.timeouts.keepAliveMs = 150;
        c.timeouts.idleMs = 5000;
        m_f.proxy->setConfig(c);
        QFETCH(QString, path);
        QFETCH(QString, model);
        QFETCH(QByteArray, ping);
        RecordedCall rc;
        call(rc, "POST", path,
             body({ { u"model"_s, model },
                    { u"stream"_s, true },
                    { u"max_tokens"_s, 10 },
                    { u"messages"_s,
                      QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"x"_s } } } } }));
        QCOMPARE(rc.status, 200);
        QVERIFY2(rc.body.contains(ping), rc.body.constData());
        const QString grammar = checkStreamGrammar(RouteTable::instance().formatFor(path), rc.body);
        QVERIFY2(grammar.isEmpty(), qPrintable(grammar));
    }

    void keepAliveThenRetry_data()
    {
        QTest::addColumn<QByteArray>("format");
        QTest::newRow("chat") << QByteArray("chat");
        QTest::newRow("anthropic") << QByteArray("anthropic");
    }

    void keepAliveThenRetry()
    {
        // A keepalive is no content: the 503 that follows it is retried into the stream the keepalive started.
        QFETCH(QByteArray, format);
        const StreamClient client = streamClient(format);
        HeldUpstream held;
        QVERIFY(held.listen());
        m_f.proxy->setConfig(heldConfig(held, client.type));
        RecordedCall rc;
        startHeld(rc, held, client);
        held.answer(0, 503, "application/json", R"({"error":{"message":"overloaded","type":"server_error"}})");
        QTRY_COMPARE_WITH_TIMEOUT(held.requests.size(), 2, 10000);
        const QByteArray events = joined(fakescript::events(format, client.model, textReply(u"retried answer"_s)));
        held.answer(1, 200, "text/event-stream", events);
        QTRY_VERIFY_WITH_TIMEOUT(rc.done(), 10000);
        QVERIFY2(rc.finished, qPrintable(rc.error));
        QCOMPARE(rc.status, 200);
        QCOMPARE(held.requests.size(), 2);
        const QByteArray stream = withoutKeepAlives(client.format, rc.body);
        QCOMPARE(stream, events); // one stream: keepalives, then the retried answer byte for byte
        const QString grammar = checkStreamGrammar(client.format, stream);
        QVERIFY2(grammar.isEmpty(), qPrintable(grammar));
    }

    void keepAliveThenUnauthorizedRecovers()
    {
        // Signed in with a refresh token (the fake's WorkOS): a 401 after a keepalive still gets one fresh token
        // and one more try, into the same stream.
        const StreamClient client = streamClient("chat");
        HeldUpstream held;
        QVERIFY(held.listen());
        Config c = heldConfig(held, client.type);
        c.workosBaseUrl = m_f.fake->url(QString());
        StoredCredentials stored;
        stored.refreshToken = m_f.fake->issueRefreshToken();
        stored.accessToken = m_f.fake->makeAccessToken(3600);
        stored.accessExpiresAt = QDateTime::currentSecsSinceEpoch() + 3600;
        const QString storePath = m_home.path() + u"/held-401-store.json"_s;
        {
            QFile f(storePath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(stored.toJson());
        }
        m_f.proxy = std::make_unique<ProxyService>();
        m_f.proxy->setEnvironment(Environment());
        m_f.proxy->setConfig(c);
        m_f.proxy->auth()->setStore(new FileTokenStore(storePath));
        m_f.proxy->auth()->setDroidCliDir(m_home.path() + u"/no-droid"_s);
        QVERIFY(m_f.proxy->start(u"127.0.0.1"_s, 0).ok());
        QTRY_VERIFY_WITH_TIMEOUT(m_f.proxy->auth()->isLoaded(), 10000);
        QCOMPARE(m_f.proxy->auth()->source(), AuthManager::Source::RefreshToken);

        RecordedCall rc;
        startHeld(rc, held, client);
        QCOMPARE(held.requests.at(0).header("authorization"), "Bearer " + stored.accessToken.toUtf8());
        held.answer(0, 401, "application/json",
                    R"({"error":{"message":"token revoked","type":"invalid_request_error"}})");
        QTRY_COMPARE_WITH_TIMEOUT(held.requests.size(), 2, 10000);
        QCOMPARE(m_f.fake->refreshCount, 1);
        QCOMPARE(held.requests.at(1).header("authorization"), "Bearer " + m_f.fake->issuedAccessTokens.last().toUtf8());
        const QByteArray events = joined(fakescript::events(client.name, client.model, textReply(u"recovered"_s)));
        held.answer(1, 200, "text/event-stream", events);
        QTRY_VERIFY_WITH_TIMEOUT(rc.done(), 10000);
        QVERIFY2(rc.finished, qPrintable(rc.error));
        QCOMPARE(withoutKeepAlives(client.format, rc.body), events);
    }

    void wholeAnswerToAStreamingClient_data()
    {
        QTest::addColumn<QByteArray>("format");
        QTest::addColumn<bool>("keepAlive");
        for (const char *f : { "anthropic", "chat", "gemini" }) {
            QTest::addRow("%s after a keepalive", f) << QByteArray(f) << true;
            QTest::addRow("%s at once", f) << QByteArray(f) << false;
        }
    }

    void wholeAnswerToAStreamingClient()
    {
        // The upstream answers a streaming request with one JSON answer (same format, passthrough): the client
        // gets it as events of its own grammar, whether keepalives started the stream or not; never raw JSON.
        QFETCH(QByteArray, format);
        QFETCH(bool, keepAlive);
        const StreamClient client = streamClient(format);
        HeldUpstream held;
        QVERIFY(held.listen());
        m_f.proxy->setConfig(heldConfig(held, client.type, keepAlive ? 50 : 0));
        RecordedCall rc;
        startHeld(rc, held, client, keepAlive);
        // Gemini's answer as generateContent sends it whole (the fake's script splits the finish into a stream chunk).
        const QByteArray whole =
            format == "gemini" ? QByteArray(
                R"({"candidates":[{"content":{"parts":[{"text":"whole answer"}],"role":"model"},"finishReason":"STOP","index":0}],"modelVersion":"gemini-test"})")
                               : fakescript::body(format, client.model, textReply(u"whole answer"_s));
        held.answer(0, 200, "application/json", whole);
        QTRY_VERIFY_WITH_TIMEOUT(rc.done(), 10000);
        QVERIFY2(rc.finished, qPrintable(rc.error));
        QCOMPARE(rc.status, 200);
        QVERIFY(rc.header("content-type").startsWith("text/event-stream"));
        const QByteArray stream = withoutKeepAlives(client.format, rc.body);
        QVERIFY2(stream.startsWith(format == "anthropic" ? "event: message_start\n" : "data: {"), rc.body.constData());
        QVERIFY2(stream.contains("whole answer"), rc.body.constData());
        if (format == "anthropic")
            QVERIFY2(stream.endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"),
                     rc.body.constData());
        if (format == "chat")
            QVERIFY2(stream.endsWith("data: [DONE]\n\n"), rc.body.constData());
        const QString grammar = checkStreamGrammar(client.format, stream);
        QVERIFY2(grammar.isEmpty(), qPrintable(grammar));
    }

    void keepAliveThenFinalError_data()
    {
        QTest::addColumn<QByteArray>("format");
        QTest::addColumn<int>("status");
        QTest::newRow("chat 500") << QByteArray("chat") << 500;
        QTest::newRow("anthropic 503") << QByteArray("anthropic") << 503;
        QTest::newRow("gemini 500") << QByteArray("gemini") << 500;
        QTest::newRow("chat 401, nothing to recover with") << QByteArray("chat") << 401;
        QTest::newRow("anthropic 401, nothing to recover with") << QByteArray("anthropic") << 401;
    }

    void keepAliveThenFinalError()
    {
        // No retry left (and a Factory API key, which no refresh replaces): the failure after keepalives is an
        // error event in the client's grammar, and the stream ends cleanly.
        QFETCH(QByteArray, format);
        QFETCH(int, status);
        const StreamClient client = streamClient(format);
        HeldUpstream held;
        QVERIFY(held.listen());
        Config c = heldConfig(held, client.type);
        c.resilience.retries = 0;
        m_f.proxy->setConfig(c);
        if (status >= 500)
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(" status=%1 ").arg(status)));
        RecordedCall rc;
        startHeld(rc, held, client);
        held.answer(0, status, "application/json", R"({"error":{"message":"final failure","type":"server_error"}})");
        QTRY_VERIFY_WITH_TIMEOUT(rc.done(), 10000);
        QVERIFY2(rc.finished, qPrintable(rc.error)); // the chunked stream's own end, not a cut connection
        QCOMPARE(rc.status, 200);
        QCOMPARE(held.requests.size(), 1);
        QCOMPARE(withoutKeepAlives(client.format, rc.body),
                 renderStreamError(client.format, Error { status, u"final failure"_s, {} }));
    }

    void idleTimeoutStillFailsCleanly()
    {
        // Keepalives do not hide a dead upstream: the idle timeout ends the stream with an error event.
        Config c = makeConfig();
        c.timeouts.keepAliveMs = 100;
        c.timeouts.idleMs = 500;
        m_f.proxy->setConfig(c);
        RecordedCall rc;
        call(rc, "POST", QStringLiteral("/v1/messages"),
             body({ { u"model"_s, u"claude-opus-4-6"_s },
                    { u"stream"_s, true },
                    { u"messages"_s, QJsonArray() },
                    { u"fake"_s, QJsonObject { { u"scenario"_s, u"stall"_s } } } }));
        QVERIFY(rc.body.contains("event: ping"));
        QVERIFY2(rc.body.contains("event: error") && rc.body.contains("went silent"), rc.body.constData());
    }

    void hostileBodies_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::newRow("deeply nested") << "/v1/chat/completions" << (QByteArray(5000, '[') + QByteArray(5000, ']'))
                                       << 400;
        QTest::newRow("nested in messages") << "/v1/messages"
                                            << (QByteArray("{\"model\":\"glm-5.2\",\"messages\":")
                                                + QByteArray(3000, '[') + QByteArray(3000, ']') + "}")
                                            << 400;
        QTest::newRow("invalid utf-8") << "/v1/responses"
                                       << QByteArray("{\"model\":\"gpt-5.4\",\"input\":\"\xff\xfe\xc3\"}") << 400;
        QTest::newRow("wrong types translated")
            << "/v1/chat/completions"
            << QByteArray("{\"model\":\"claude-opus-4-6\",\"messages\":[{\"role\":\"user\",\"content\":{\"a\":1}}]}")
            << 400;
        QTest::newRow("messages missing translated") << "/v1/messages" << QByteArray("{\"model\":\"gpt-5.4\"}") << 400;
        QTest::newRow("huge string")
            << "/v1/chat/completions"
            << (QByteArray("{\"model\":\"claude-opus-4-6\",\"messages\":[{\"role\":\"user\",\"content\":\"")
                + QByteArray(400 * 1024, 'z') + "\"}]}")
            << 200;
    }

    void hostileBodies()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        RecordedCall rc;
        call(rc, "POST", path, body);
        QCOMPARE(rc.status, status);
        if (status >= 400)
            QVERIFY(!rc.json().value(u"error"_s).toObject().isEmpty()
                    || rc.json().value(u"type"_s).toString() == u"error");
        // The proxy still serves: the next request is answered.
        RecordedCall next;
        call(next, "GET", u"/v1/models"_s, QByteArray());
        QCOMPARE(next.status, 200);
    }

    void bodyLimit()
    {
        // Announced too large: refused from the headers, before the body is buffered.
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, m_f.proxy->port());
        QVERIFY(raw.waitForConnected(2000));
        raw.write("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                  "900000000\r\n"
                  "Expect: 100-continue\r\n\r\n");
        QByteArray answer;
        QTRY_VERIFY2_WITH_TIMEOUT((answer += raw.readAll()).contains("max_body_bytes") && answer.endsWith("}"),
                                  answer.constData(), 3000);
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.constData());
        QVERIFY2(answer.contains("\"type\":\"error\""), answer.constData()); // the Anthropic route's shape
        QVERIFY(answer.contains("max_body_bytes"));
        raw.write(QByteArray(64 * 1024, 'x')); // the client goes on sending its body: nothing more is answered
        // The proxy closes the connection after its answer: everything it ever sent is then in hand.
        QTRY_COMPARE_WITH_TIMEOUT(raw.state(), QAbstractSocket::UnconnectedState, 10000);
        answer += raw.readAll();
        QVERIFY2(answer.endsWith("(config key max_body_bytes)\"}}"), answer.constData());

        // Really too large.
        RecordedCall rc;
        QByteArray big = QByteArray("{\"model\":\"glm-5.2\",\"messages\":[{\"role\":\"user\",\"content\":\"")
                         + QByteArray(600 * 1024, 'a') + "\"}]}";
        call(rc, "POST", QStringLiteral("/v1/chat/completions"), big);
        QCOMPARE(rc.status, 413);
        QCOMPARE(m_f.fake->received.size(), 0);
    }

    void expectContinue()
    {
        // curl sends "Expect: 100-continue" for large bodies and stalls a second unless answered.
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, m_f.proxy->port());
        QVERIFY(raw.waitForConnected(2000));
        const QByteArray payload = R"({"model":"glm-5.2","messages":[]})";
        raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                  "application/json\r\nContent-Length: "
                  + QByteArray::number(payload.size()) + "\r\nExpect: 100-continue\r\n\r\n");
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += raw.readAll()).contains("100 Continue"), 10000); // before the body is sent
        raw.write(payload);
        QTRY_VERIFY_WITH_TIMEOUT((got += raw.readAll()).contains("Hello from the fake upstream"), 3000);
    }

    void credentials()
    {
        // No FACTORY_API_KEY: the client's own key is forwarded.
        startProxy(makeConfig(), QString());
        RecordedCall none;
        call(none, "POST", QStringLiteral("/v1/messages"), R"({"model":"claude-opus-4-6","messages":[]})");
        QCOMPARE(none.status, 401);
        QCOMPARE(none.json().value(u"error"_s).toObject().value(u"type"_s).toString(),
                 QStringLiteral("authentication_error"));

        RecordedCall own;
        call(own, "POST", QStringLiteral("/v1/messages"), R"({"model":"claude-opus-4-6","messages":[]})",
             { { "x-api-key", kClientKey.toUtf8() } });
        QCOMPARE(own.status, 200);
        QCOMPARE(m_f.fake->received.last().header("authorization"), "Bearer " + kClientKey.toUtf8());

        RecordedCall bearer;
        call(bearer, "POST", QStringLiteral("/v1/chat/completions"), R"({"model":"glm-5.2","messages":[]})",
             { { "Authorization", "Bearer " + kClientKey.toUtf8() } });
        QCOMPARE(bearer.status, 200);
        QCOMPARE(m_f.fake->received.last().header("authorization"), "Bearer " + kClientKey.toUtf8());
    }

    void accessKey()
    {
        Config c = makeConfig();
        c.accessKey = kAccessKey;
        c.devMode = true; // even with dev mode's header logging, no secret reaches the log
        log::installChained(true);
        startProxy(c, kFactoryKey);
        RecordedCall noKey;
        call(noKey, "POST", QStringLiteral("/v1/responses"), R"({"model":"gpt-5.4","input":"x"})");
        QCOMPARE(noKey.status, 401);
        QVERIFY(noKey.json()
                    .value(u"error"_s)
                    .toObject()
                    .value(u"message"_s)
                    .toString()
                    .contains(QStringLiteral("access key")));
        RecordedCall wrong;
        call(wrong, "GET", QStringLiteral("/v1/models"), {}, { { "Authorization", "Bearer wrong-key-123456789" } });
        QCOMPARE(wrong.status, 401);
        RecordedCall right;
        call(right, "POST", QStringLiteral("/v1/responses"), R"({"model":"gpt-5.4","input":"x"})",
             { { "Authorization", "Bearer " + kAccessKey.toUtf8() } });
        QCOMPARE(right.status, 200);
        // The local key is never forwarded; Factory gets its own key.
        QCOMPARE(m_f.fake->received.last().header("authorization"), "Bearer " + kFactoryKey.toUtf8());
        RecordedCall goog;
        call(goog, "POST", QStringLiteral("/v1beta/models/gemini-test:generateContent"), R"({"contents":[]})",
             { { "x-goog-api-key", kAccessKey.toUtf8() } });
        QCOMPARE(goog.status, 200);
        RecordedCall health;
        call(health, "GET", QStringLiteral("/"), {});
        QCOMPARE(health.status, 200);
        QVERIFY(!m_logLines.isEmpty());
        log::installChained(false);
    }

    void manyConcurrentStreamsDoNotQueue()
    {
        // Qt's QNetworkAccessManager would hold all but 6 of these back; every stream must start at once.
        constexpr int n = 16;
        std::vector<RecordedCall> calls(n);
        for (int i = 0; i < n; ++i)
            startCall(*m_f.client, calls[size_t(i)], "POST", proxyUrl(QStringLiteral("/v1/messages")),
                      body({ { u"model"_s, u"claude-opus-4-6"_s },
                             { u"stream"_s, true },
                             { u"messages"_s, QJsonArray() },
                             { u"fake"_s, QJsonObject { { u"delay_ms"_s, 300 }, { u"deltas"_s, 2 } } } }),
                      {}, m_f.clock);
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(calls.begin(), calls.end(), [](const RecordedCall &c) { return c.done(); }), 10000);
        QCOMPARE(m_f.fake->maxOpenConnections, n);
        for (const RecordedCall &c : calls)
            QCOMPARE(c.status, 200);
    }

    void upstreamConnectionsAreReused()
    {
        for (int i = 0; i < 3; ++i) {
            RecordedCall rc;
            call(rc, "POST", QStringLiteral("/v1/chat/completions"), R"({"model":"glm-5.2","messages":[]})");
            QCOMPARE(rc.status, 200);
        }
        QCOMPARE(m_f.fake->received.size(), 3);
        QCOMPARE(m_f.fake->connectionsAccepted, 1);
    }

    void gracefulShutdownWaitsForStreams()
    {
        RecordedCall rc;
        startCall(*m_f.client, rc, "POST", proxyUrl(QStringLiteral("/v1/messages")),
                  body({ { u"model"_s, u"claude-opus-4-6"_s },
                         { u"stream"_s, true },
                         { u"messages"_s, QJsonArray() },
                         { u"fake"_s, QJsonObject { { u"delay_ms"_s, 100 }, { u"deltas"_s, 3 } } } }),
                  {}, m_f.clock);
        QTRY_VERIFY_WITH_TIMEOUT(!rc.body.isEmpty(), 3000);
        QSignalSpy finished(m_f.proxy.get(), &ProxyService::shutdownFinished);
        m_f.proxy->shutdown(5000);
        // No new connection is taken while the stream drains.
        QTcpSocket late;
        late.connectToHost(QHostAddress::LocalHost, m_f.proxy->port());
        QTRY_COMPARE_WITH_TIMEOUT(late.error(), QAbstractSocket::ConnectionRefusedError, 3000);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        QCOMPARE(finished.first().first().toBool(), true);
        QVERIFY(rc.finished);
        QVERIFY(rc.body.contains("message_stop"));
    }
};

QTEST_GUILESS_MAIN(TestProxy)
#include "tst_proxy.moc"
