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
        const QJsonArray messages { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                  { QStringLiteral("content"), QStringLiteral("x") } } };
        if (name == "anthropic")
            return { WireFormat::Anthropic,
                     name,
                     QStringLiteral("/v1/messages"),
                     QStringLiteral("claude-opus-4-6"),
                     ModelType::Anthropic,
                     body({ { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
                            { QStringLiteral("stream"), true },
                            { QStringLiteral("max_tokens"), 10 },
                            { QStringLiteral("messages"), messages } }) };
        if (name == "gemini")
            return {
                WireFormat::Gemini,
                name,
                QStringLiteral("/v1beta/models/gemini-test:streamGenerateContent?alt=sse"),
                QStringLiteral("gemini-test"),
                ModelType::Google,
                body({ { QStringLiteral("contents"),
                         QJsonArray { QJsonObject {
                             { QStringLiteral("role"), QStringLiteral("user") },
                             { QStringLiteral("parts"),
                               QJsonArray { QJsonObject { { QStringLiteral("text"), QStringLiteral("x") } } } } } } } })
            };
        return { WireFormat::OpenAIChat,
                 "chat",
                 QStringLiteral("/v1/chat/completions"),
                 QStringLiteral("glm-5.2"),
                 ModelType::Common,
                 body({ { QStringLiteral("model"), QStringLiteral("glm-5.2") },
                        { QStringLiteral("stream"), true },
                        { QStringLiteral("messages"), messages } }) };
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
        call(list, "GET", QStringLiteral("/v1/models"), {});
        for (const QJsonValue &m : list.json().value(QStringLiteral("data")).toArray())
            if (m.toObject().value(QStringLiteral("id")).toString() == id)
                return m.toObject();
        return {};
    }

    static QByteArray chatBody(const QString &model)
    {
        return body({ { QStringLiteral("model"), model },
                      { QStringLiteral("messages"),
                        QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                   { QStringLiteral("content"), QStringLiteral("hi") } } } } });
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
        const QJsonObject listed = listedModel(QStringLiteral("glm-4.7"));
        QCOMPARE(listed.value(QStringLiteral("deprecated")).toString(), QStringLiteral("2026-05-14"));
        QCOMPARE(listed.value(QStringLiteral("replacement")).toString(), QStringLiteral("glm-5.2"));
        QVERIFY(!listed.contains(QStringLiteral("served_by")));
        QSignalSpy finished(m_f.proxy.get(), &ProxyService::requestFinished);
        RecordedCall rc;
        call(rc, "POST", QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("glm-4.7")));
        QCOMPARE(rc.status, 200);
        const QJsonObject sent = m_f.fake->received.last().json;
        QCOMPARE(sent.value(QStringLiteral("model")).toString(), QStringLiteral("glm-4.7"));
        QVERIFY(!sent.contains(
            QStringLiteral("reasoning_effort"))); // glm-4.7 takes no reasoning field, as the CLI sends it
        QVERIFY(rc.header("x-droid2api-model-replaced").isEmpty());
        QTRY_COMPARE(finished.size(), 1);
        const auto record = finished.first().first().value<RequestRecord>();
        QCOMPARE(record.model, QStringLiteral("glm-4.7"));
        QVERIFY(record.replacedFrom.isEmpty());
    }

    void refusedModelGoesToItsReplacement()
    {
        // Factory refuses the id: one more request, to the registry's replacement; the client gets that answer
        // and is told (header); the proxy tells the app once (the tray's notification), logs it, and keeps the
        // switch for the next requests of this run.
        m_f.fake->failModels = { QStringLiteral("glm-4.7") };
        m_f.fake->failStatus = 404;
        m_f.fake->failBody =
            R"({"error":{"message":"The model `glm-4.7` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}})";
        QSignalSpy replaced(m_f.proxy.get(), &ProxyService::modelReplaced);
        QSignalSpy finished(m_f.proxy.get(), &ProxyService::requestFinished);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
                                               "Factory refused model glm-4.7 \\(HTTP 404: The model `glm-4.7` does "
                                               "not exist.*its requests go to glm-5.2 until droid2api restarts")));
        const qsizetype before = m_f.fake->received.size();
        RecordedCall rc;
        call(rc, "POST", QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("glm-4.7")));
        QCOMPARE(rc.status, 200);
        QCOMPARE(rc.header("x-droid2api-model-replaced"), QByteArray("glm-4.7 -> glm-5.2"));
        QVERIFY(!rc.json().value(QStringLiteral("choices")).toArray().isEmpty()); // glm-5.2's answer
        QCOMPARE(m_f.fake->received.size(), before + 2);
        QCOMPARE(m_f.fake->received.at(before).json.value(QStringLiteral("model")).toString(),
                 QStringLiteral("glm-4.7"));
        QCOMPARE(m_f.fake->received.at(before + 1).json.value(QStringLiteral("model")).toString(),
                 QStringLiteral("glm-5.2"));
        QCOMPARE(replaced.size(), 1);
        QCOMPARE(replaced.first().at(0).toString(), QStringLiteral("glm-4.7"));
        QCOMPARE(replaced.first().at(1).toString(), QStringLiteral("glm-5.2"));
        QTRY_COMPARE(finished.size(), 1);
        auto record = finished.first().first().value<RequestRecord>();
        QCOMPARE(record.requested, QStringLiteral("glm-4.7"));
        QCOMPARE(record.model, QStringLiteral("glm-5.2"));
        QCOMPARE(record.replacedFrom, QStringLiteral("glm-4.7"));
        QVERIFY(record.replacedWhy.contains(QStringLiteral("does not exist")));
        // Remembered: the next request goes straight to glm-5.2, said again in the header, no second notice.
        RecordedCall again;
        call(again, "POST", QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("glm-4.7")));
        QCOMPARE(again.status, 200);
        QCOMPARE(again.header("x-droid2api-model-replaced"), QByteArray("glm-4.7 -> glm-5.2"));
        QCOMPARE(m_f.fake->received.size(), before + 3);
        QCOMPARE(m_f.fake->received.last().json.value(QStringLiteral("model")).toString(), QStringLiteral("glm-5.2"));
        QCOMPARE(replaced.size(), 1);
        QTRY_COMPARE(finished.size(), 2);
        record = finished.last().first().value<RequestRecord>();
        QCOMPARE(record.replacedFrom, QStringLiteral("glm-4.7"));
        QVERIFY(record.replacedWhy.isEmpty()); // refused earlier in this run
        QCOMPARE(listedModel(QStringLiteral("glm-4.7")).value(QStringLiteral("served_by")).toString(),
                 QStringLiteral("glm-5.2"));
        // A config redirect always wins over what the proxy learned.
        Config c = makeConfig();
        c.modelRedirects.insert(QStringLiteral("glm-4.7"), QStringLiteral("kimi-k3"));
        m_f.proxy->setConfig(c);
        RecordedCall redirected;
        call(redirected, "POST", QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("glm-4.7")));
        QCOMPARE(redirected.status, 200);
        QCOMPARE(m_f.fake->received.last().json.value(QStringLiteral("model")).toString(), QStringLiteral("kimi-k3"));
        QVERIFY(redirected.header("x-droid2api-model-replaced").isEmpty());
    }

    void otherRefusalsStayWithTheClient()
    {
        // A 4xx about something else (or a model without a replacement) goes to the client as it came: no switch.
        m_f.fake->failModels = { QStringLiteral("glm-4.7"), QStringLiteral("gpt-5.4") };
        m_f.fake->failStatus = 400;
        m_f.fake->failBody =
            R"({"error":{"message":"prompt is too long: 300000 tokens > 200000 maximum","type":"invalid_request_error"}})";
        QSignalSpy replaced(m_f.proxy.get(), &ProxyService::modelReplaced);
        const qsizetype before = m_f.fake->received.size();
        RecordedCall rc;
        call(rc, "POST", QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("glm-4.7")));
        QCOMPARE(rc.status, 400);
        QVERIFY(rc.body.contains("prompt is too long"));
        QCOMPARE(m_f.fake->received.size(), before + 1);
        m_f.fake->failStatus = 404;
        m_f.fake->failBody =
            R"({"error":{"message":"The model `gpt-5.4` does not exist","type":"invalid_request_error"}})";
        RecordedCall unknown; // gpt-5.4 has no replacement in the registry
        call(unknown, "POST", QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("gpt-5.4")));
        QCOMPARE(unknown.status, 404);
        QCOMPARE(m_f.fake->received.size(), before + 2);
        QCOMPARE(replaced.size(), 0);
    }

    void infoAndModels()
    {
        RecordedCall info;
        call(info, "GET", QStringLiteral("/"), {});
        QCOMPARE(info.status, 200);
        QCOMPARE(info.json().value(QStringLiteral("name")).toString(), QStringLiteral("droid2api"));
        QCOMPARE(info.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("source")).toString(),
                 QStringLiteral("factory_api_key"));
        QVERIFY(info.json().value(QStringLiteral("endpoints")).toArray().contains(QStringLiteral("POST /v1/messages")));
        QVERIFY(!info.body.contains(kFactoryKey.toUtf8()));

        RecordedCall head;
        call(head, "HEAD", QStringLiteral("/"), {});
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());

        RecordedCall models;
        call(models, "GET", QStringLiteral("/v1/models"), {});
        QCOMPARE(models.status, 200);
        const QJsonArray data = models.json().value(QStringLiteral("data")).toArray();
        QVERIFY(data.size() >= 15);
        const double created = data.first().toObject().value(QStringLiteral("created")).toDouble();
        QVERIFY2(created > 1.6e9 && created < 1e10, "created must be in seconds");
        QCOMPARE(data.first().toObject().value(QStringLiteral("object")).toString(), QStringLiteral("model"));

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
        QCOMPARE(info.json(), QJsonObject({ { QStringLiteral("name"), QStringLiteral("droid2api") },
                                            { QStringLiteral("status"), QStringLiteral("ok") } }));
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
        QCOMPARE(anonymous.json(), QJsonObject({ { QStringLiteral("name"), QStringLiteral("droid2api") },
                                                 { QStringLiteral("status"), QStringLiteral("ok") } }));
        RecordedCall keyedCall;
        startCall(*m_f.client, keyedCall, "GET", QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(guarded.port())), {},
                  { { "Authorization", "Bearer " + kAccessKey.toUtf8() } }, m_f.clock);
        QTRY_VERIFY(keyedCall.done());
        QVERIFY(keyedCall.json().contains(QStringLiteral("auth")));
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
        QJsonObject req { { QStringLiteral("messages"),
                            QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                       { QStringLiteral("content"), QStringLiteral("hi") } } } },
                          { QStringLiteral("max_tokens"), 100 },
                          { QStringLiteral("x_unknown_future_field"),
                            QJsonObject { { QStringLiteral("keep"), true } } } };
        if (!model.isEmpty())
            req.insert(QStringLiteral("model"), model);
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
        QCOMPARE(
            up.json.value(QStringLiteral("x_unknown_future_field")).toObject().value(QStringLiteral("keep")).toBool(),
            true);
        if (provider == "anthropic") {
            QCOMPARE(up.header("anthropic-version"), QByteArray("2023-06-01"));
            QCOMPARE(up.header("x-api-key"), QByteArray("placeholder"));
            QCOMPARE(up.header("x-stainless-lang"), QByteArray("js"));
        }
        if (provider == "google") {
            QCOMPARE(up.json.value(QStringLiteral("model")).toString(), QStringLiteral("gemini-test"));
            QVERIFY(
                !up.json.contains(QStringLiteral("stream"))); // Factory's Gemini route takes none (it always streams)
        }
    }

    void googleRoutesOnV1AsOnV1beta_data()
    {
        QTest::addColumn<QString>("version");
        QTest::newRow("v1 (genai 3)") << QStringLiteral("v1");
        QTest::newRow("v1beta (genai 1-2, Gemini CLI)") << QStringLiteral("v1beta");
    }

    void googleRoutesOnV1AsOnV1beta()
    {
        QFETCH(QString, version);
        const QJsonObject hi {
            { QStringLiteral("contents"),
              QJsonArray { QJsonObject {
                  { QStringLiteral("role"), QStringLiteral("user") },
                  { QStringLiteral("parts"),
                    QJsonArray { QJsonObject { { QStringLiteral("text"), QStringLiteral("hi") } } } } } } }
        };
        RecordedCall whole;
        call(whole, "POST", QStringLiteral("/%1/models/gemini-test:generateContent").arg(version), body(hi));
        QCOMPARE(whole.status, 200);
        QVERIFY2(whole.json().contains(QStringLiteral("candidates")), whole.body.constData());
        RecordedCall stream;
        call(stream, "POST", QStringLiteral("/%1/models/claude-opus-4-6:streamGenerateContent?alt=sse").arg(version),
             body(hi));
        QCOMPARE(stream.status, 200);
        QVERIFY2(stream.body.startsWith("data: {"), stream.body.constData());
        QCOMPARE(m_f.fake->received.size(), 2);
        QCOMPARE(m_f.fake->received.at(0).path, QByteArray("/api/llm/g/v1/generate"));
        QCOMPARE(m_f.fake->received.at(1).path, QByteArray("/api/llm/a/v1/messages"));

        // countTokens: no Gemini counter upstream, so a local estimate in Google's shape, for every model type.
        for (const char *model : { "gemini-test", "claude-opus-4-6", "gpt-5.4" }) {
            RecordedCall count;
            call(count, "POST", QStringLiteral("/%1/models/%2:countTokens").arg(version, QLatin1StringView(model)),
                 body(hi));
            QCOMPARE(count.status, 200);
            QVERIFY2(count.json().value(QStringLiteral("totalTokens")).toInt() > 0, count.body.constData());
            QCOMPARE(count.header("x-droid2api-estimate"), QByteArray("local"));
        }
        // The whole request it would count, as {generateContentRequest}, counts the same contents.
        RecordedCall wrapped;
        call(wrapped, "POST", QStringLiteral("/%1/models/gemini-test:countTokens").arg(version),
             body({ { QStringLiteral("generateContentRequest"), hi } }));
        QCOMPARE(wrapped.status, 200);
        QVERIFY(wrapped.json().value(QStringLiteral("totalTokens")).toInt() > 0);
        QCOMPARE(m_f.fake->received.size(), 2); // counted here: nothing more went upstream

        // A Google method droid2api does not serve: 404 in Google's shape, named by its path.
        RecordedCall embed;
        call(embed, "POST", QStringLiteral("/%1/models/gemini-test:batchEmbedContents").arg(version), body(hi),
             { { "x-goog-api-client", "google-genai-sdk/3.3.0" } });
        QCOMPARE(embed.status, 404);
        const QJsonObject e = embed.json().value(QStringLiteral("error")).toObject();
        QCOMPARE(e.value(QStringLiteral("code")).toInt(), 404);
        QCOMPARE(e.value(QStringLiteral("status")).toString(), QStringLiteral("NOT_FOUND"));
        QVERIFY2(e.value(QStringLiteral("message")).toString().contains(QStringLiteral(":batchEmbedContents")),
                 embed.body.constData());
    }

    void modelListsServeEverySdk()
    {
        // GET /v1/models: OpenAI's list under "data" and Google's under "models", one answer.
        RecordedCall shared;
        call(shared, "GET", QStringLiteral("/v1/models"), {});
        QCOMPARE(shared.status, 200);
        const QJsonArray data = shared.json().value(QStringLiteral("data")).toArray();
        const QJsonArray models = shared.json().value(QStringLiteral("models")).toArray();
        QVERIFY(data.size() >= 15);
        QCOMPARE(models.size(), data.size());
        QCOMPARE(models.first().toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("models/") + data.first().toObject().value(QStringLiteral("id")).toString());
        QVERIFY(models.first()
                    .toObject()
                    .value(QStringLiteral("supportedGenerationMethods"))
                    .toArray()
                    .contains(QStringLiteral("generateContent")));
        RecordedCall beta;
        call(beta, "GET", QStringLiteral("/v1beta/models"), {});
        QCOMPARE(beta.status, 200);
        QCOMPARE(beta.json().value(QStringLiteral("models")).toArray(), models);
        QVERIFY(!beta.json().contains(QStringLiteral("data")));

        // One model: OpenAI's object and Google's together on v1, Google's on v1beta ("models/<id>" too).
        RecordedCall one;
        call(one, "GET", QStringLiteral("/v1/models/claude-opus-4-6"), {});
        QCOMPARE(one.status, 200);
        QCOMPARE(one.json().value(QStringLiteral("id")).toString(), QStringLiteral("claude-opus-4-6"));
        QCOMPARE(one.json().value(QStringLiteral("object")).toString(), QStringLiteral("model"));
        QCOMPARE(one.json().value(QStringLiteral("name")).toString(), QStringLiteral("models/claude-opus-4-6"));
        RecordedCall prefixed;
        call(prefixed, "GET", QStringLiteral("/v1beta/models/models/gpt-5.4"), {});
        QCOMPARE(prefixed.status, 200);
        QCOMPARE(prefixed.json().value(QStringLiteral("name")).toString(), QStringLiteral("models/gpt-5.4"));

        // An unknown model: OpenAI's error shape, or Google's when Google's SDK asks.
        RecordedCall openaiMissing;
        call(openaiMissing, "GET", QStringLiteral("/v1/models/nope-1"), {});
        QCOMPARE(openaiMissing.status, 404);
        QCOMPARE(
            openaiMissing.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
            QStringLiteral("model_not_found"));
        RecordedCall googleMissing;
        call(googleMissing, "GET", QStringLiteral("/v1/models/nope-1"), {},
             { { "x-goog-api-client", "google-genai-sdk/3.3.0" } });
        QCOMPARE(googleMissing.status, 404);
        QCOMPARE(
            googleMissing.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("status")).toString(),
            QStringLiteral("NOT_FOUND"));

        // A path nothing serves: named as a path, never taken for a model.
        RecordedCall nowhere;
        call(nowhere, "POST", QStringLiteral("/v1/embeddings"),
             body({ { QStringLiteral("model"), QStringLiteral("gpt-5.4") } }));
        QCOMPARE(nowhere.status, 404);
        const QJsonObject err = nowhere.json().value(QStringLiteral("error")).toObject();
        QCOMPARE(err.value(QStringLiteral("code")).toString(), QStringLiteral("unknown_route"));
        QVERIFY2(err.value(QStringLiteral("message")).toString().contains(QStringLiteral("POST /v1/embeddings")),
                 nowhere.body.constData());
        QCOMPARE(m_f.fake->received.size(), 0);
    }

    void responsesCountingAndCompaction()
    {
        const QJsonObject ask { { QStringLiteral("model"), QStringLiteral("gpt-5.4") },
                                { QStringLiteral("input"), QStringLiteral("How many tokens is this?") } };
        // An OpenAI model: Factory's Responses route counts (and compacts) beside its endpoint.
        RecordedCall counted;
        call(counted, "POST", QStringLiteral("/v1/responses/input_tokens"), body(ask));
        QCOMPARE(counted.status, 200);
        QCOMPARE(counted.json().value(QStringLiteral("object")).toString(), QStringLiteral("response.input_tokens"));
        QVERIFY(counted.json().value(QStringLiteral("input_tokens")).toInt() > 0);
        QVERIFY(counted.header("x-droid2api-estimate").isEmpty());
        QCOMPARE(m_f.fake->received.last().path, QByteArray("/api/llm/o/v1/responses/input_tokens"));
        QVERIFY(
            !m_f.fake->received.last().json.contains(QStringLiteral("reasoning"))); // a count gets no reasoning edits

        // Where the upstream has no counter (404), a local estimate in the same shape.
        m_f.fake->failNextRequests = 1;
        m_f.fake->failStatus = 404;
        RecordedCall missing;
        call(missing, "POST", QStringLiteral("/v1/responses/input_tokens"), body(ask));
        QCOMPARE(missing.status, 200);
        QCOMPARE(missing.json().value(QStringLiteral("object")).toString(), QStringLiteral("response.input_tokens"));
        QVERIFY(missing.json().value(QStringLiteral("input_tokens")).toInt() > 0);
        QCOMPARE(missing.header("x-droid2api-estimate"), QByteArray("local"));
        QCOMPARE(m_f.fake->received.size(), 2);

        // Another vendor's model: counted here, nothing sent.
        QJsonObject claude = ask;
        claude.insert(QStringLiteral("model"), QStringLiteral("claude-opus-4-6"));
        RecordedCall local;
        call(local, "POST", QStringLiteral("/v1/responses/input_tokens"), body(claude));
        QCOMPARE(local.status, 200);
        QCOMPARE(local.header("x-droid2api-estimate"), QByteArray("local"));
        QCOMPARE(m_f.fake->received.size(), 2);

        // Compaction: forwarded for an OpenAI model, refused for another vendor's (the client compacts itself).
        RecordedCall compacted;
        call(compacted, "POST", QStringLiteral("/v1/responses/compact"), body(ask));
        QCOMPARE(compacted.status, 200);
        QCOMPARE(compacted.json().value(QStringLiteral("object")).toString(), QStringLiteral("response.compaction"));
        QCOMPARE(m_f.fake->received.last().path, QByteArray("/api/llm/o/v1/responses/compact"));
        RecordedCall refused;
        call(refused, "POST", QStringLiteral("/v1/responses/compact"), body(claude));
        QCOMPARE(refused.status, 400);
        QCOMPARE(refused.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                 QStringLiteral("unsupported_model"));
        QCOMPARE(m_f.fake->received.size(), 3);
    }

    void serverStateIsRefusedNeverDropped_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("field");
        const QByteArray messages = R"("max_tokens":64,"messages":[{"role":"user","content":"next"}])";
        for (const char *model : { "claude-opus-4-6", "gpt-5.4", "gemini-test" }) {
            QTest::newRow(qPrintable(QStringLiteral("thread create -> %1").arg(QLatin1StringView(model))))
                << QStringLiteral("/v1/messages")
                << QByteArray(R"({"model":")" + QByteArray(model) + R"(",)" + messages
                              + R"(,"thread":{"type":"create"}})")
                << QStringLiteral("thread");
            QTest::newRow(qPrintable(QStringLiteral("thread continue -> %1").arg(QLatin1StringView(model))))
                << QStringLiteral("/v1/messages")
                << QByteArray(R"({"model":")" + QByteArray(model) + R"(",)" + messages
                              + R"(,"thread":{"type":"continue","previous_message_id":"msg_1"}})")
                << QStringLiteral("thread");
        }
        for (const char *model : { "claude-opus-4-6", "glm-5.2", "gemini-test" }) {
            QTest::newRow(qPrintable(QStringLiteral("conversation -> %1").arg(QLatin1StringView(model))))
                << QStringLiteral("/v1/responses")
                << QByteArray(R"({"model":")" + QByteArray(model) + R"(","input":"next","conversation":"conv_1"})")
                << QStringLiteral("conversation");
            QTest::newRow(qPrintable(QStringLiteral("background -> %1").arg(QLatin1StringView(model))))
                << QStringLiteral("/v1/responses")
                << QByteArray(R"({"model":")" + QByteArray(model) + R"(","input":"next","background":true})")
                << QStringLiteral("background");
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
        const QJsonObject e = rc.json().value(QStringLiteral("error")).toObject();
        QVERIFY2(e.value(QStringLiteral("message")).toString().contains(QStringLiteral("'%1'").arg(field)),
                 rc.body.constData());
        if (field == u"thread") {
            QCOMPARE(e.value(QStringLiteral("type")).toString(), QStringLiteral("invalid_request_error"));
            QCOMPARE(e.value(QStringLiteral("details")).toObject().value(QStringLiteral("error_code")).toString(),
                     QStringLiteral("thread_unsupported_request"));
        } else {
            QCOMPARE(e.value(QStringLiteral("param")).toString(), field);
        }
        QCOMPARE(m_f.fake->received.size(), 0);
    }

    void conversationGoesToOpenAi()
    {
        RecordedCall rc;
        call(rc, "POST", QStringLiteral("/v1/responses"),
             QByteArray(R"({"model":"gpt-5.4","input":"next","conversation":"conv_1"})"));
        QCOMPARE(rc.status, 200);
        QCOMPARE(m_f.fake->received.last().json.value(QStringLiteral("conversation")).toString(),
                 QStringLiteral("conv_1"));
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
            return QString(up.value(QStringLiteral("model")).toString() + u' ')
                   + (up.contains(QStringLiteral("reasoning"))
                          ? up.value(QStringLiteral("reasoning")).toObject().value(QStringLiteral("effort")).toString()
                          : up.value(QStringLiteral("output_config"))
                                .toObject()
                                .value(QStringLiteral("effort"))
                                .toString());
        };
        // Every route, whatever the client's format: the level in the name is the request's level.
        QCOMPARE(effortOf(QStringLiteral("/v1/chat/completions"),
                          R"j({"model":"gpt-5.4(high)","messages":[{"role":"user","content":"hi"}]})j"),
                 QStringLiteral("gpt-5.4 high"));
        QCOMPARE(effortOf(QStringLiteral("/v1/responses"), R"j({"model":"gpt-5.4(low)","input":"hi"})j"),
                 QStringLiteral("gpt-5.4 low"));
        QCOMPARE(
            effortOf(
                QStringLiteral("/v1/messages"),
                R"j({"model":"claude-opus-4-6(max)","max_tokens":64,"messages":[{"role":"user","content":"hi"}]})j"),
            QStringLiteral("claude-opus-4-6 max"));
        RecordedCall gemini;
        call(gemini, "POST", QStringLiteral("/v1beta/models/gemini-3.1-pro-preview(low):generateContent"),
             R"j({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})j");
        QCOMPARE(gemini.status, 200);
        QCOMPARE(m_f.fake->received.last()
                     .json.value(QStringLiteral("generationConfig"))
                     .toObject()
                     .value(QStringLiteral("thinkingConfig"))
                     .toObject()
                     .value(QStringLiteral("thinkingLevel"))
                     .toString(),
                 QStringLiteral("LOW"));
        // The header wins over the name; a level the model does not take is clamped as any level.
        QCOMPARE(effortOf(QStringLiteral("/v1/responses"), R"j({"model":"gpt-5.4(low)","input":"hi"})j",
                          { { "x-reasoning-level", "xhigh" } }),
                 QStringLiteral("gpt-5.4 xhigh"));
        QTest::ignoreMessage(QtInfoMsg, "model gpt-5.4 does not take reasoning level max; using medium");
        QCOMPARE(effortOf(QStringLiteral("/v1/responses"), R"j({"model":"gpt-5.4(max)","input":"hi"})j"),
                 QStringLiteral("gpt-5.4 medium"));
        // Not a level: the whole name is the model, which is not configured.
        QCOMPARE(effortOf(QStringLiteral("/v1/responses"), R"j({"model":"gpt-5.4(turbo)","input":"hi"})j"),
                 QStringLiteral("HTTP 404"));

        // Listed only when the user wants it.
        QVERIFY(!listedModel(QStringLiteral("gpt-5.4")).isEmpty());
        QVERIFY(listedModel(QStringLiteral("gpt-5.4(high)")).isEmpty());
        Config c = makeConfig();
        c.routing.listLevels = true;
        startProxy(c, kFactoryKey);
        QCOMPARE(listedModel(QStringLiteral("gpt-5.4(high)")).value(QStringLiteral("name")).toString(),
                 QStringLiteral("GPT-5.4 (high)"));
        QVERIFY(listedModel(QStringLiteral("gpt-5.4(off)")).isEmpty()); // gpt-5.4 does not take off
        RecordedCall one;
        call(one, "GET", QStringLiteral("/v1/models/gpt-5.4(high)"), {});
        QCOMPARE(one.status, 200);
        QCOMPARE(one.json().value(QStringLiteral("id")).toString(), QStringLiteral("gpt-5.4(high)"));
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
        mine.name = QStringLiteral("Mine");
        mine.rules << rule("web", QStringLiteral("gemini-3.1-pro-preview"));
        mine.rules.last().tools = QStringLiteral("web_search*");
        mine.rules << rule("long", QStringLiteral("gpt-5.4"));
        mine.rules.last().minPromptTokens = 2000;
        mine.rules << rule("titles", QStringLiteral("claude-haiku-4-5-20251001"), ReasoningLevel::Off);
        mine.rules.last().client = QStringLiteral("Claude Code");
        mine.rules.last().tools = QStringLiteral("none");
        mine.rules.last().thinking = false;
        mine.rules << rule("think", QStringLiteral("claude-opus-4-6"), ReasoningLevel::Max);
        mine.rules.last().thinking = true;
        mine.rules << rule("codex", QStringLiteral("glm-5.2"));
        mine.rules.last().route = QStringLiteral("/v1/responses");
        mine.rules << rule("old haiku", QStringLiteral("claude-sonnet-4-6"));
        mine.rules.last().model = QStringLiteral("claude-3-5-haiku-*");
        Config c = makeConfig();
        c.routing.presets = { mine };
        c.routing.preset = QStringLiteral("Mine");
        startProxy(c, kFactoryKey);

        const QJsonArray bash { QJsonObject {
            { QStringLiteral("name"), QStringLiteral("Bash") },
            { QStringLiteral("input_schema"),
              QJsonObject { { QStringLiteral("type"), QStringLiteral("object") } } } } };
        const QJsonArray hi { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                            { QStringLiteral("content"), QStringLiteral("hi") } } };
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
        QJsonObject title { { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
                            { QStringLiteral("max_tokens"), 64 },
                            { QStringLiteral("messages"), hi } };
        QJsonObject turn = title;
        turn.insert(QStringLiteral("tools"), bash);
        QJsonObject thinking = turn;
        thinking.insert(QStringLiteral("thinking"),
                        QJsonObject { { QStringLiteral("type"), QStringLiteral("adaptive") } });
        QJsonObject search = thinking;
        QJsonArray withSearch = bash;
        withSearch.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("web_search_20250305") },
                                        { QStringLiteral("name"), QStringLiteral("web_search") } });
        search.insert(QStringLiteral("tools"), withSearch);
        QJsonObject longTurn = turn;
        longTurn.insert(QStringLiteral("messages"),
                        QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                   { QStringLiteral("content"), QString(12000, u'w') } } });
        const QList<Case> cases {
            { "a title call", QStringLiteral("/v1/messages"), title, claudeCode, QStringLiteral("Mine / titles"),
              QStringLiteral("claude-haiku-4-5-20251001") },
            { "a thinking turn", QStringLiteral("/v1/messages"), thinking, claudeCode, QStringLiteral("Mine / think"),
              QStringLiteral("claude-opus-4-6") },
            { "web search wins (first match)", QStringLiteral("/v1/messages"), search, claudeCode,
              QStringLiteral("Mine / web"), QStringLiteral("gemini-3.1-pro-preview") },
            { "a long prompt", QStringLiteral("/v1/messages"), longTurn, claudeCode, QStringLiteral("Mine / long"),
              QStringLiteral("gpt-5.4") },
            { "a Responses client",
              QStringLiteral("/v1/responses"),
              QJsonObject { { QStringLiteral("model"), QStringLiteral("gpt-5.4") },
                            { QStringLiteral("input"), QStringLiteral("hi") } },
              {},
              QStringLiteral("Mine / codex"),
              QStringLiteral("glm-5.2") },
            { "a pattern before the redirect",
              QStringLiteral("/v1/messages"),
              QJsonObject { { QStringLiteral("model"), QStringLiteral("claude-3-5-haiku-20241022") },
                            { QStringLiteral("max_tokens"), 64 },
                            { QStringLiteral("messages"), hi },
                            { QStringLiteral("tools"), bash } },
              {},
              QStringLiteral("Mine / old haiku"),
              QStringLiteral("claude-sonnet-4-6") },
            { "no rule: model_redirects",
              QStringLiteral("/v1/messages"),
              QJsonObject { { QStringLiteral("model"), QStringLiteral("claude-sonnet-4-5") },
                            { QStringLiteral("max_tokens"), 64 },
                            { QStringLiteral("messages"), hi },
                            { QStringLiteral("tools"), bash } },
              {},
              QString(),
              QStringLiteral("claude-sonnet-4-5-20250929") },
        };
        // The Gemini model the web-search rule names cannot run Anthropic's server tool: dropped, and said.
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("left out .*web_search_20250305")));
        QSignalSpy finished(m_f.proxy.get(), &ProxyService::requestFinished);
        for (const Case &k : cases) {
            RecordedCall rc;
            call(rc, "POST", k.path, body(k.request), k.headers);
            QVERIFY2(rc.status == 200, k.what);
            QCOMPARE(m_f.fake->received.last().json.value(QStringLiteral("model")).toString(), k.served);
            QCOMPARE(QString::fromUtf8(rc.header("x-droid2api-rule")), k.rule);
            QTRY_VERIFY(!finished.isEmpty());
            const auto record = finished.takeLast().first().value<RequestRecord>();
            QCOMPARE(record.rule, k.rule);
            QCOMPARE(record.model, k.served);
        }
        // The rules' levels: the title call goes without thinking, the thinking turn at max.
        RecordedCall titleCall;
        call(titleCall, "POST", QStringLiteral("/v1/messages"), body(title), claudeCode);
        QVERIFY(!m_f.fake->received.last().json.contains(QStringLiteral("thinking")));
        RecordedCall thinkingCall;
        call(thinkingCall, "POST", QStringLiteral("/v1/messages"), body(thinking), claudeCode);
        QCOMPARE(m_f.fake->received.last()
                     .json.value(QStringLiteral("output_config"))
                     .toObject()
                     .value(QStringLiteral("effort"))
                     .toString(),
                 QStringLiteral("max"));

        // Switching the preset takes effect at the next request: "As asked" has no rules.
        c.routing.preset = Routing::asAsked();
        m_f.proxy->setConfig(c);
        RecordedCall asAsked;
        call(asAsked, "POST", QStringLiteral("/v1/messages"), body(title), claudeCode);
        QCOMPARE(m_f.fake->received.last().json.value(QStringLiteral("model")).toString(),
                 QStringLiteral("claude-opus-4-6"));
        QVERIFY(asAsked.header("x-droid2api-rule").isEmpty());
    }

    void systemPromptPrefix()
    {
        // A string system prompt is kept, after the Droid prefix; cache_control on blocks survives.
        RecordedCall a;
        call(a, "POST", QStringLiteral("/v1/messages"),
             body({ { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
                    { QStringLiteral("max_tokens"), 50 },
                    { QStringLiteral("system"), QStringLiteral("You are a pirate.") },
                    { QStringLiteral("messages"),
                      QJsonArray {
                          QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                        { QStringLiteral("content"),
                                          QJsonArray { QJsonObject {
                                              { QStringLiteral("type"), QStringLiteral("text") },
                                              { QStringLiteral("text"), QStringLiteral("hi") },
                                              { QStringLiteral("cache_control"),
                                                QJsonObject { { QStringLiteral("type"),
                                                                QStringLiteral("ephemeral") } } } } } } } } } }));
        QCOMPARE(a.status, 200);
        const QJsonObject up = m_f.fake->received.last().json;
        const QJsonArray system = up.value(QStringLiteral("system")).toArray();
        QCOMPARE(system.size(), 2);
        QVERIFY(
            system[0].toObject().value(QStringLiteral("text")).toString().startsWith(QStringLiteral("You are Droid")));
        QCOMPARE(system[1].toObject().value(QStringLiteral("text")).toString(), QStringLiteral("You are a pirate."));
        QCOMPARE(up.value(QStringLiteral("messages"))
                     .toArray()[0]
                     .toObject()
                     .value(QStringLiteral("content"))
                     .toArray()[0]
                     .toObject()
                     .value(QStringLiteral("cache_control"))
                     .toObject()
                     .value(QStringLiteral("type"))
                     .toString(),
                 QStringLiteral("ephemeral"));

        RecordedCall c;
        call(c, "POST", QStringLiteral("/v1/chat/completions"),
             body({ { QStringLiteral("model"), QStringLiteral("glm-5.2") },
                    { QStringLiteral("messages"),
                      QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("system") },
                                                 { QStringLiteral("content"), QStringLiteral("Be brief.") } },
                                   QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                 { QStringLiteral("content"), QStringLiteral("hi") } } } } }));
        const QJsonArray msgs = m_f.fake->received.last().json.value(QStringLiteral("messages")).toArray();
        QCOMPARE(msgs.size(), 2);
        QVERIFY(
            msgs[0].toObject().value(QStringLiteral("content")).toString().startsWith(QStringLiteral("You are Droid")));
        QVERIFY(msgs[0].toObject().value(QStringLiteral("content")).toString().endsWith(QStringLiteral("Be brief.")));

        RecordedCall r;
        call(r, "POST", QStringLiteral("/v1/responses"),
             body({ { QStringLiteral("model"), QStringLiteral("gpt-5.4") },
                    { QStringLiteral("input"), QStringLiteral("hi") },
                    { QStringLiteral("instructions"), QStringLiteral("Be kind.") } }));
        const QJsonObject ru = m_f.fake->received.last().json;
        QVERIFY(ru.value(QStringLiteral("instructions")).toString().startsWith(QStringLiteral("You are Droid")));
        QVERIFY(ru.value(QStringLiteral("instructions")).toString().endsWith(QStringLiteral("Be kind.")));
        QCOMPARE(ru.value(QStringLiteral("input")).toString(),
                 QStringLiteral("hi")); // droid's string input passes unchanged
    }

    void modelRedirect()
    {
        RecordedCall rc;
        call(rc, "POST", QStringLiteral("/v1/messages"),
             body({ { QStringLiteral("model"), QStringLiteral("claude-3-5-haiku-20241022") },
                    { QStringLiteral("max_tokens"), 10 },
                    { QStringLiteral("messages"), QJsonArray() } }));
        QCOMPARE(rc.status, 200);
        QCOMPARE(m_f.fake->received.last().json.value(QStringLiteral("model")).toString(),
                 QStringLiteral("claude-haiku-4-5-20251001"));
    }

    void translatedAnswersReportTheRequestedModel()
    {
        // A Chat client asks for a redirected alias of an Anthropic model: whole answers and streams both name
        // the id the client asked for, not the upstream's.
        RecordedCall whole;
        call(whole, "POST", QStringLiteral("/v1/chat/completions"),
             body({ { QStringLiteral("model"), QStringLiteral("claude-3-5-haiku-20241022") },
                    { QStringLiteral("messages"),
                      QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                 { QStringLiteral("content"), QStringLiteral("hi") } } } } }));
        QCOMPARE(whole.status, 200);
        QCOMPARE(m_f.fake->received.last().json.value(QStringLiteral("model")).toString(),
                 QStringLiteral("claude-haiku-4-5-20251001"));
        QCOMPARE(whole.json().value(QStringLiteral("model")).toString(), QStringLiteral("claude-3-5-haiku-20241022"));
        RecordedCall stream;
        call(stream, "POST", QStringLiteral("/v1/chat/completions"),
             body({ { QStringLiteral("model"), QStringLiteral("claude-3-5-haiku-20241022") },
                    { QStringLiteral("stream"), true },
                    { QStringLiteral("messages"),
                      QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                 { QStringLiteral("content"), QStringLiteral("hi") } } } } }));
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
        const QJsonArray msgs { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                              { QStringLiteral("content"), QStringLiteral("x") } } };
        const QJsonObject claude {
            { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
            { QStringLiteral("max_tokens"), 5 },
            { QStringLiteral("messages"), msgs },
            { QStringLiteral("metadata"),
              QJsonObject {
                  { QStringLiteral("user_id"),
                    QStringLiteral(
                        R"({"device_id":"d","account_uuid":"","session_id":"21eb1f40-5e4c-4a95-ae22-e9a087b5a7f7"})") } } }
        };
        QCOMPARE(sessionOf(QStringLiteral("/v1/messages"), claude), QByteArray("21eb1f40-5e4c-4a95-ae22-e9a087b5a7f7"));
        const QJsonObject codex { { QStringLiteral("model"), QStringLiteral("gpt-5.4") },
                                  { QStringLiteral("input"), QStringLiteral("x") },
                                  { QStringLiteral("prompt_cache_key"),
                                    QStringLiteral("01a226e2-558e-75d2-b19a-0d3c1bc816b5") } };
        QCOMPARE(sessionOf(QStringLiteral("/v1/responses"), codex), QByteArray("01a226e2-558e-75d2-b19a-0d3c1bc816b5"));
        // A hint that is not a UUID becomes one, the same one each time.
        const QJsonObject chat { { QStringLiteral("model"), QStringLiteral("kimi-k3") },
                                 { QStringLiteral("messages"), msgs } };
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
             body({ { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
                    { QStringLiteral("messages"),
                      QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("system") },
                                                 { QStringLiteral("content"), QStringLiteral("Be brief.") } },
                                   QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                 { QStringLiteral("content"), QStringLiteral("q1") } },
                                   QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") },
                                                 { QStringLiteral("content"), QStringLiteral("a1") } },
                                   QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                 { QStringLiteral("content"), QStringLiteral("q2") } } } } }),
             { { "x-session-id", "0f0e0d0c-0b0a-4908-8706-050403020100" } });
        QCOMPARE(rc.status, 200);
        QJsonObject up = m_f.fake->received.last().json;
        const QJsonArray system = up.value(QStringLiteral("system")).toArray();
        QCOMPARE(system.last().toObject().value(QStringLiteral("cache_control")).toObject(),
                 QJsonObject({ { QStringLiteral("type"), QStringLiteral("ephemeral") },
                               { QStringLiteral("ttl"), QStringLiteral("1h") } }));
        QVERIFY(!system.first().toObject().contains(
            QStringLiteral("cache_control"))); // the Droid sentence block stays bare
        const QJsonArray msgs = up.value(QStringLiteral("messages")).toArray();
        QCOMPARE(msgs.last()
                     .toObject()
                     .value(QStringLiteral("content"))
                     .toArray()
                     .last()
                     .toObject()
                     .value(QStringLiteral("cache_control"))
                     .toObject(),
                 QJsonObject({ { QStringLiteral("type"), QStringLiteral("ephemeral") } }));
        QVERIFY(!msgs.first()
                     .toObject()
                     .value(QStringLiteral("content"))
                     .toArray()
                     .last()
                     .toObject()
                     .contains(QStringLiteral("cache_control")));
        QCOMPARE(up.value(QStringLiteral("max_tokens")).toInt(), 128000); // the model's own room, as the CLI sets it
        RecordedCall responses;
        call(responses, "POST", QStringLiteral("/v1/chat/completions"),
             body({ { QStringLiteral("model"), QStringLiteral("gpt-5.4") },
                    { QStringLiteral("messages"),
                      QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                 { QStringLiteral("content"), QStringLiteral("q") } } } } }),
             { { "x-session-id", "0f0e0d0c-0b0a-4908-8706-050403020100" } });
        QCOMPARE(responses.status, 200);
        QCOMPARE(m_f.fake->received.last().json.value(QStringLiteral("prompt_cache_key")).toString(),
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
        const QJsonArray tools = up.value(QStringLiteral("tools")).toArray();
        QCOMPARE(tools.size(), 1);
        QCOMPARE(tools.at(0)
                     .toObject()
                     .value(QStringLiteral("function"))
                     .toObject()
                     .value(QStringLiteral("name"))
                     .toString(),
                 QStringLiteral("Bash"));
        const QJsonArray msgs = up.value(QStringLiteral("messages")).toArray();
        QCOMPARE(msgs.size(), 4); // system, user, assistant, user: one system message, first
        QCOMPARE(msgs.at(0).toObject().value(QStringLiteral("role")).toString(), QStringLiteral("system"));
        QVERIFY(msgs.at(0)
                    .toObject()
                    .value(QStringLiteral("content"))
                    .toString()
                    .endsWith( // after the Droid prefix
                        QStringLiteral("Be brief.\n\n(System message given after message 2 of the "
                                       "conversation:)\nAnswer in French from now on.")));
        QCOMPARE(up.value(QStringLiteral("reasoning_effort")).toString(), QStringLiteral("high"));
        // Nothing left out: no header.
        RecordedCall plain;
        call(plain, "POST", QStringLiteral("/v1/messages"),
             body({ { QStringLiteral("model"), QStringLiteral("glm-5.2") },
                    { QStringLiteral("max_tokens"), 10 },
                    { QStringLiteral("messages"),
                      QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                 { QStringLiteral("content"), QStringLiteral("x") } } } } }));
        QCOMPARE(plain.status, 200);
        QVERIFY(plain.header("x-droid2api-dropped").isEmpty());
    }

    void reasoningHeader()
    {
        RecordedCall high;
        call(high, "POST", QStringLiteral("/v1/messages"),
             body({ { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
                    { QStringLiteral("max_tokens"), 1000 },
                    { QStringLiteral("temperature"), 0.2 },
                    { QStringLiteral("messages"), QJsonArray() } }),
             { { "x-reasoning-level", "high" }, { "anthropic-beta", "prompt-caching-2024-07-31" } });
        QCOMPARE(high.status, 200);
        QJsonObject up = m_f.fake->received.last().json;
        // Opus 4.6 thinks adaptively (the level is its effort); no interleaved beta for it.
        QCOMPARE(up.value(QStringLiteral("thinking")).toObject(),
                 QJsonObject({ { QStringLiteral("type"), QStringLiteral("adaptive") } }));
        QCOMPARE(up.value(QStringLiteral("output_config")).toObject().value(QStringLiteral("effort")).toString(),
                 QStringLiteral("high"));
        QCOMPARE(up.value(QStringLiteral("max_tokens")).toInt(), 1000);
        QVERIFY(!up.contains(QStringLiteral("temperature")));
        QCOMPARE(m_f.fake->received.last().header("anthropic-beta"), QByteArray("prompt-caching-2024-07-31"));
        // A budget model (Sonnet 4.5) gets the budget, room above it and the interleaved beta.
        RecordedCall budget;
        call(budget, "POST", QStringLiteral("/v1/messages"),
             body({ { QStringLiteral("model"), QStringLiteral("claude-sonnet-4-5-20250929") },
                    { QStringLiteral("max_tokens"), 1000 },
                    { QStringLiteral("messages"), QJsonArray() } }),
             { { "x-reasoning-level", "high" } });
        up = m_f.fake->received.last().json;
        QCOMPARE(up.value(QStringLiteral("thinking")).toObject().value(QStringLiteral("budget_tokens")).toInt(), 24576);
        QVERIFY(up.value(QStringLiteral("max_tokens")).toInt() > 24576);
        QCOMPARE(m_f.fake->received.last().header("anthropic-beta"), QByteArray("interleaved-thinking-2025-05-14"));
        // A level the model does not take is clamped to its default, and said.
        QTest::ignoreMessage(QtInfoMsg,
                             "model claude-sonnet-4-5-20250929 does not take reasoning level max; using off");
        RecordedCall clamped;
        call(clamped, "POST", QStringLiteral("/v1/messages"),
             body({ { QStringLiteral("model"), QStringLiteral("claude-sonnet-4-5-20250929") },
                    { QStringLiteral("max_tokens"), 1000 },
                    { QStringLiteral("messages"), QJsonArray() } }),
             { { "x-reasoning-level", "max" } });
        QVERIFY(!m_f.fake->received.last().json.contains(QStringLiteral("thinking")));

        RecordedCall off;
        call(off, "POST", QStringLiteral("/v1/messages"),
             body({ { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
                    { QStringLiteral("max_tokens"), 1000 },
                    { QStringLiteral("messages"), QJsonArray() },
                    { QStringLiteral("thinking"), QJsonObject { { QStringLiteral("type"), QStringLiteral("enabled") },
                                                                { QStringLiteral("budget_tokens"), 2000 } } } }),
             { { "x-reasoning-level", "off" }, { "anthropic-beta", "interleaved-thinking-2025-05-14" } });
        up = m_f.fake->received.last().json;
        QVERIFY(!up.contains(QStringLiteral("thinking")));
        QVERIFY(m_f.fake->received.last().header("anthropic-beta").isEmpty());

        RecordedCall responses;
        call(responses, "POST", QStringLiteral("/v1/responses"),
             body({ { QStringLiteral("model"), QStringLiteral("gpt-5.4") },
                    { QStringLiteral("input"), QStringLiteral("x") } }),
             { { "x-reasoning-level", "low" } });
        QCOMPARE(m_f.fake->received.last()
                     .json.value(QStringLiteral("reasoning"))
                     .toObject()
                     .value(QStringLiteral("effort"))
                     .toString(),
                 QStringLiteral("low"));

        RecordedCall bad;
        call(bad, "POST", QStringLiteral("/v1/chat/completions"),
             body({ { QStringLiteral("model"), QStringLiteral("glm-5.2") },
                    { QStringLiteral("messages"), QJsonArray() } }),
             { { "x-reasoning-level", "extreme" } });
        QCOMPARE(bad.status, 400);
        QVERIFY(bad.json()
                    .value(QStringLiteral("error"))
                    .toObject()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("x-reasoning-level")));

        RecordedCall fast;
        call(fast, "POST", QStringLiteral("/v1/messages"),
             body({ { QStringLiteral("model"), QStringLiteral("claude-opus-4-8-fast") },
                    { QStringLiteral("max_tokens"), 10 },
                    { QStringLiteral("messages"), QJsonArray() } }));
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
                  body({ { QStringLiteral("model"), model },
                         { QStringLiteral("stream"), true },
                         { QStringLiteral("max_tokens"), 10 },
                         { QStringLiteral("messages"), QJsonArray() },
                         { QStringLiteral("fake"),
                           QJsonObject { { QStringLiteral("lockstep"), true }, { QStringLiteral("deltas"), 4 } } } }),
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
                  body({ { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
                         { QStringLiteral("stream"), true },
                         { QStringLiteral("max_tokens"), 10 },
                         { QStringLiteral("messages"), QJsonArray() },
                         { QStringLiteral("fake"),
                           QJsonObject { { QStringLiteral("delay_ms"), 60000 }, { QStringLiteral("deltas"), 5 } } } }),
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
             body({ { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
                    { QStringLiteral("stream"), true },
                    { QStringLiteral("max_tokens"), 10 },
                    { QStringLiteral("messages"), QJsonArray() },
                    { QStringLiteral("fake"), QJsonObject { { QStringLiteral("scenario"), QStringLiteral("utf8split") },
                                                            { QStringLiteral("delay_ms"), 100 } } } }));
        QVERIFY(rc.finished);
        const QList<QByteArray> events = SseSplitter().feed(rc.body);
        QCOMPARE(events.size(), 2);
        const QJsonObject ev = QJsonDocument::fromJson(SseSplitter::parse(events[0]).data).object();
        QCOMPARE(ev.value(QStringLiteral("delta")).toObject().value(QStringLiteral("text")).toString(),
                 QStringLiteral("h\u00e9llo \u4e16\u754c \U0001F600"));
    }

    void errors_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("messagePart");
        auto statusBody = [](const char *model, int status, const char *upstreamBody) {
            return body({ { QStringLiteral("model"), QString::fromUtf8(model) },
                          { QStringLiteral("max_tokens"), 5 },
                          { QStringLiteral("messages"), QJsonArray() },
                          { QStringLiteral("fake"),
                            QJsonObject { { QStringLiteral("scenario"), QStringLiteral("status") },
                                          { QStringLiteral("status"), status },
                                          { QStringLiteral("body"), QString::fromUtf8(upstreamBody) } } } });
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
        QSignalSpy finished(m_f.proxy.get(), &ProxyService::requestFinished);
        RecordedCall rc;
        call(rc, "POST", path, body);
        QCOMPARE(rc.status, status);
        // The request's record (the log line, the Activity window) names the same fault.
        QTRY_VERIFY(!finished.isEmpty());
        const QString recorded = finished.last().first().value<RequestRecord>().error;
        QVERIFY2(recorded.contains(messagePart), qPrintable(recorded));
        const QJsonObject o = rc.json();
        const WireFormat f = RouteTable::instance().formatFor(path);
        QString message;
        if (f == WireFormat::Anthropic) {
            QCOMPARE(o.value(QStringLiteral("type")).toString(), QStringLiteral("error"));
            QVERIFY(!o.value(QStringLiteral("error")).toObject().value(QStringLiteral("type")).toString().isEmpty());
            message = o.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
        } else if (f == WireFormat::Gemini) {
            QCOMPARE(o.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(), status);
            QVERIFY(!o.value(QStringLiteral("error")).toObject().value(QStringLiteral("status")).toString().isEmpty());
            message = o.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
        } else {
            QVERIFY(o.value(QStringLiteral("error")).toObject().contains(QStringLiteral("type")));
            message = o.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
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
                    .value(QStringLiteral("error"))
                    .toObject()
                    .value(QStringLiteral("message"))
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
             body({ { QStringLiteral("model"), model },
                    { QStringLiteral("stream"), true },
                    { QStringLiteral("messages"), QJsonArray() },
                    { QStringLiteral("fake"), QJsonObject { { QStringLiteral("scenario"), scenario },
                                                            { QStringLiteral("delay_ms"), 50 } } } }));
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
        QJsonObject request { { QStringLiteral("model"), model }, { QStringLiteral("stream"), true } };
        switch (RouteTable::instance().formatFor(
            path)) { // a body in the route's own format: nothing for the translation to leave out
        case WireFormat::Anthropic: request.insert(QStringLiteral("max_tokens"), 10); Q_FALLTHROUGH();
        case WireFormat::OpenAIChat:
            request.insert(QStringLiteral("messages"),
                           QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                      { QStringLiteral("content"), QStringLiteral("x") } } });
            break;
        case WireFormat::OpenAIResponses: request.insert(QStringLiteral("input"), QStringLiteral("x")); break;
        case WireFormat::Gemini:
            request.remove(QStringLiteral("stream"));
            request.insert(QStringLiteral("contents"),
                           QJsonArray { QJsonObject {
                               { QStringLiteral("role"), QStringLiteral("user") },
                               { QStringLiteral("parts"),
                                 QJsonArray { QJsonObject { { QStringLiteral("text"), QStringLiteral("x") } } } } } });
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
             body({ { QStringLiteral("model"), model },
                    { QStringLiteral("stream"), true },
                    { QStringLiteral("max_tokens"), 10 },
                    { QStringLiteral("messages"),
                      QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                 { QStringLiteral("content"), QStringLiteral("x") } } } } }));
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
        const QByteArray events =
            joined(fakescript::events(format, client.model, textReply(QStringLiteral("retried answer"))));
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
        const QString storePath = m_home.path() + QStringLiteral("/held-401-store.json");
        {
            QFile f(storePath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(stored.toJson());
        }
        m_f.proxy = std::make_unique<ProxyService>();
        m_f.proxy->setEnvironment(Environment());
        m_f.proxy->setConfig(c);
        m_f.proxy->auth()->setStore(new FileTokenStore(storePath));
        m_f.proxy->auth()->setDroidCliDir(m_home.path() + QStringLiteral("/no-droid"));
        QVERIFY(m_f.proxy->start(QStringLiteral("127.0.0.1"), 0).ok());
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
        const QByteArray events =
            joined(fakescript::events(client.name, client.model, textReply(QStringLiteral("recovered"))));
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
                               : fakescript::body(format, client.model, textReply(QStringLiteral("whole answer")));
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
                 renderStreamError(client.format, Error { status, QStringLiteral("final failure"), {} }));
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
             body({ { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
                    { QStringLiteral("stream"), true },
                    { QStringLiteral("messages"), QJsonArray() },
                    { QStringLiteral("fake"),
                      QJsonObject { { QStringLiteral("scenario"), QStringLiteral("stall") } } } }));
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
            QVERIFY(!rc.json().value(QStringLiteral("error")).toObject().isEmpty()
                    || rc.json().value(QStringLiteral("type")).toString() == u"error");
        // The proxy still serves: the next request is answered.
        RecordedCall next;
        call(next, "GET", QStringLiteral("/v1/models"), QByteArray());
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
        QCOMPARE(none.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("type")).toString(),
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
                    .value(QStringLiteral("error"))
                    .toObject()
                    .value(QStringLiteral("message"))
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
                      body({ { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
                             { QStringLiteral("stream"), true },
                             { QStringLiteral("messages"), QJsonArray() },
                             { QStringLiteral("fake"), QJsonObject { { QStringLiteral("delay_ms"), 300 },
                                                                     { QStringLiteral("deltas"), 2 } } } }),
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
                  body({ { QStringLiteral("model"), QStringLiteral("claude-opus-4-6") },
                         { QStringLiteral("stream"), true },
                         { QStringLiteral("messages"), QJsonArray() },
                         { QStringLiteral("fake"),
                           QJsonObject { { QStringLiteral("delay_ms"), 100 }, { QStringLiteral("deltas"), 3 } } } }),
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
