// Backends, routing and resilience: third-party backends, env-var backends, retries, Retry-After, fallback,
// the circuit breaker, overload and proxies[], against the real fake upstream.
#include "log/log.h"
#include "server/proxyservice.h"
#include "support/fakeupstream.h"
#include "support/testclient.h"
#include "support/testhome.h"
#include "backend/routing.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qtemporarydir.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtTest/qtest.h>

#include <memory>

#if defined(Q_OS_UNIX)
#include <sys/socket.h> // Platform-specific (POSIX): SO_LINGER in a test
#endif

using namespace d2a;

namespace {
const QString kBackendKey = QStringLiteral("glm-secret-key-0123456789abcdef");

/// A minimal HTTP CONNECT proxy: counts tunnels and pipes bytes.
class ConnectProxy final : public QObject
{
public:
    ConnectProxy()
    {
        server.listen(QHostAddress::LocalHost, 0);
        connect(&server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *client = server.nextPendingConnection();
            auto *buf = new QByteArray;
            connect(client, &QTcpSocket::readyRead, this, [this, client, buf] {
                if (client->property("upstream").isValid()) {
                    qobject_cast<QTcpSocket *>(client->property("upstream").value<QObject *>())
                        ->write(client->readAll());
                    return;
                }
                *buf += client->readAll();
                const qsizetype end = buf->indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                const QList<QByteArray> first = buf->left(buf->indexOf("\r\n")).split(' ');
                const QList<QByteArray> hostPort = first.value(1).split(':');
                auto *up = new QTcpSocket(client);
                client->setProperty("upstream", QVariant::fromValue<QObject *>(up));
                ++tunnels;
                const QByteArray rest = buf->mid(end + 4);
                delete buf;
                connect(up, &QTcpSocket::connected, client, [client, up, rest] {
                    client->write("HTTP/1.1 200 Connection established\r\n\r\n");
                    if (!rest.isEmpty())
                        up->write(rest);
                });
                connect(up, &QTcpSocket::readyRead, client, [client, up] { client->write(up->readAll()); });
                connect(up, &QTcpSocket::disconnected, client, [client] { client->disconnectFromHost(); });
                up->connectToHost(QString::fromLatin1(hostPort.value(0)), quint16(hostPort.value(1).toInt()));
            });
        });
    }
    QTcpServer server;
    int tunnels = 0;
};

/// A bare keep-alive HTTP/1.1 upstream: answers each request (head, then Content-Length bytes) with "ok".
class KeepAliveUpstream final : public QObject
{
public:
    KeepAliveUpstream()
    {
        server.listen(QHostAddress::LocalHost, 0);
        connect(&server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = server.nextPendingConnection()) {
                sockets << s;
                connect(s, &QTcpSocket::readyRead, this, [this, s] { serve(s); });
            }
        });
    }
    UpstreamRequest request() const
    {
        UpstreamRequest req;
        req.url = QUrl(QStringLiteral("http://127.0.0.1:%1/v1/x").arg(server.serverPort()));
        req.body = QByteArrayLiteral("{}");
        return req;
    }
    /// Answers what `s` holds now; false while no whole request is there.
    bool serve(QTcpSocket *s)
    {
        QByteArray &buf = pending[s];
        buf += s->readAll();
        const qsizetype end = buf.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        static const QRegularExpression length(QStringLiteral("(?i)content-length: *(\\d+)"));
        const auto m = length.match(QString::fromLatin1(buf.left(end)));
        const qsizetype total = end + 4 + (m.hasMatch() ? m.captured(1).toLongLong() : 0);
        if (buf.size() < total)
            return false;
        buf.remove(0, total);
        ++answered;
        s->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok");
        return true;
    }
    QTcpServer server;
    QList<QTcpSocket *> sockets;
    QHash<QTcpSocket *, QByteArray> pending;
    int answered = 0;
};

/// What an UpstreamReply ended with.
struct ReplyEnd
{
    bool finished = false;
    QString error;
    bool done() const { return finished || !error.isEmpty(); }
};

void watch(UpstreamReply *reply, ReplyEnd *end)
{
    QObject::connect(reply, &UpstreamReply::finished, reply, [end] { end->finished = true; });
    QObject::connect(reply, &UpstreamReply::failed, reply, [end](const Error &e) { end->error = e.message; });
}
} // namespace

class TestBackends final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    std::unique_ptr<FakeUpstream> m_fake;
    std::unique_ptr<ProxyService> m_proxy;
    std::unique_ptr<HttpClient> m_client;
    QElapsedTimer m_clock;
    QStringList m_log;

    Config config() const
    {
        Config c = ConfigLoader::defaults();
        c.userAgentUpdateUrl.clear();
        c.tokenStore = QStringLiteral("file");
        c.resilience.backoffMs = 50;
        c.resilience.maxBackoffMs = 3000;
        BackendConfig glm;
        glm.name = QStringLiteral("glm");
        glm.kind = BackendConfig::Kind::Anthropic;
        glm.baseUrl = m_fake->url(QStringLiteral("/api/anthropic")); // no /v1: joined as /api/anthropic/v1/messages
        glm.model = QStringLiteral("glm-4.6");
        glm.apiKeyEnv = QStringLiteral("D2A_TEST_GLM_KEY");
        BackendConfig local;
        local.name = QStringLiteral("local");
        local.kind = BackendConfig::Kind::OpenAI;
        local.baseUrl = m_fake->url(QStringLiteral("/v1"));
        BackendConfig dead;
        dead.name = QStringLiteral("dead");
        dead.kind = BackendConfig::Kind::OpenAI;
        QTcpServer closed;
        closed.listen(QHostAddress::LocalHost, 0);
        dead.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(closed.serverPort()));
        c.backends = { glm, local, dead };
        auto model = [](const QString &id, const QString &backend, ModelType type = ModelType::Common) {
            ModelConfig m;
            m.id = m.name = id;
            m.type = type;
            m.backend = backend;
            return m;
        };
        c.models.append(model(QStringLiteral("glm-custom"), QStringLiteral("glm")));
        c.models.append(model(QStringLiteral("local-llama"), QStringLiteral("local")));
        ModelConfig flaky = model(QStringLiteral("flaky"), QStringLiteral("dead"));
        flaky.fallback = QStringList { QStringLiteral("not-configured"), QStringLiteral("local-llama") };
        c.models.append(flaky);
        c.models.append(model(QStringLiteral("dead-only"), QStringLiteral("dead")));
        return c;
    }

    void start(const Config &c, const Environment &env = {})
    {
        m_proxy = std::make_unique<ProxyService>();
        m_proxy->setEnvironment(env);
        m_proxy->setConfig(c);
        QVERIFY(m_proxy->start(QStringLiteral("127.0.0.1"), 0).ok());
    }

    void call(RecordedCall &rc, const QString &path, const QByteArray &body, const HeaderList &headers = {})
    {
        startCall(*m_client, rc, "POST", QUrl(m_proxy->baseUrl() + path), body, headers, m_clock);
        QTRY_VERIFY_WITH_TIMEOUT(rc.done(), 15000);
    }

    int apiRequests() const
    {
        int n = 0;
        for (const auto &r : m_fake->received)
            if (!r.path.startsWith("/fake"))
                ++n;
        return n;
    }

    /// One request answered on a new connection to `up`, which the client then keeps in its pool.
    void poolAConnection(const KeepAliveUpstream &up, const UpstreamRequest &req)
    {
        ReplyEnd first;
        std::unique_ptr<UpstreamReply> reply(m_client->send(req));
        watch(reply.get(), &first);
        QTRY_VERIFY_WITH_TIMEOUT(first.done(), 5000);
        QVERIFY(first.finished);
        QCOMPARE(m_client->idleConnections(), 1);
        QCOMPARE(up.sockets.size(), 1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        useTemporaryHome(m_home.path());
        qputenv("D2A_TEST_GLM_KEY", kBackendKey.toUtf8());
        m_clock.start();
        log::installChained(false); // the sink sees every line; QTest still gets them
    }

    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); // an unexpected warning is a failure
        m_log.clear();
        log::setSink([this](QtMsgType, const QString &, const QString &line) { m_log.append(line); });
        m_fake = std::make_unique<FakeUpstream>();
        QVERIFY(m_fake->listen());
        m_client = std::make_unique<HttpClient>();
    }

    void cleanup()
    {
        for (const QString &line : std::as_const(m_log))
            QVERIFY2(!line.contains(kBackendKey), qPrintable(line)); // third-party secrets never logged
        log::setSink({});
        m_proxy.reset();
        m_client.reset();
        m_fake.reset();
    }

    void urlJoining_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");
        QTest::newRow("bare host") << "https://api.example/"
                                   << "/v1/messages"
                                   << "https://api.example/v1/messages";
        QTest::newRow("with v1") << "https://open.example/api/anthropic/v1"
                                 << "/v1/messages"
                                 << "https://open.example/api/anthropic/v1/messages";
        QTest::newRow("no v1 prefix") << "https://open.example/api/anthropic"
                                      << "/v1/messages"
                                      << "https://open.example/api/anthropic/v1/messages";
        QTest::newRow("full path") << "http://127.0.0.1:8080/v1/chat/completions"
                                   << "/v1/chat/completions"
                                   << "http://127.0.0.1:8080/v1/chat/completions";
        QTest::newRow("router v1 slash") << "http://127.0.0.1:3456/v1/"
                                         << "/v1/chat/completions"
                                         << "http://127.0.0.1:3456/v1/chat/completions";
        QTest::newRow("responses") << "https://r.example/openai"
                                   << "/v1/responses"
                                   << "https://r.example/openai/v1/responses";
    }

    void urlJoining()
    {
        QFETCH(QString, base);
        QFETCH(QString, path);
        QFETCH(QString, expected);
        QCOMPARE(joinBackendUrl(QUrl(base), path).toString(), expected);
    }

    void thirdPartyBackendSelectedAndTranslated()
    {
        start(config());
        RecordedCall rc;
        call(
            rc, QStringLiteral("/v1/chat/completions"),
            R"({"model":"glm-custom","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]})");
        QCOMPARE(rc.status, 200);
        QVERIFY(rc.json().contains(QStringLiteral("choices"))); // answered in the client's format
        const auto &up = m_fake->received.last();
        QCOMPARE(up.path, QByteArray("/api/anthropic/v1/messages"));
        QCOMPARE(up.header("x-api-key"), kBackendKey.toUtf8());
        QCOMPARE(up.header("authorization"), "Bearer " + kBackendKey.toUtf8());
        QVERIFY(up.header("x-factory-client").isEmpty()); // nothing Factory-specific
        QCOMPARE(up.json.value(QStringLiteral("model")).toString(),
                 QStringLiteral("glm-4.6")); // the backend's model override
        const QString system =
            QString::fromUtf8(QJsonDocument(up.json.value(QStringLiteral("system")).toArray()).toJson());
        QVERIFY(system.contains(QStringLiteral("Be brief.")));
        QVERIFY(!system.contains(QStringLiteral("You are Droid"))); // the Droid prompt is Factory's alone

        RecordedCall local;
        call(local, QStringLiteral("/v1/messages"),
             R"({"model":"local-llama","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})");
        QCOMPARE(local.status, 200);
        QCOMPARE(local.json().value(QStringLiteral("type")).toString(), QStringLiteral("message"));
        QCOMPARE(m_fake->received.last().path, QByteArray("/v1/chat/completions"));
        QVERIFY(m_fake->received.last().header("authorization").isEmpty()); // a local server with no key
    }

    void envBackendServesEveryRequest()
    {
        Environment env;
        BackendConfig b;
        b.name = QStringLiteral("env");
        b.kind = BackendConfig::Kind::OpenAI;
        b.baseUrl = m_fake->url(QStringLiteral("/v1"));
        b.model = QStringLiteral("router-default");
        env.envBackend = b;
        env.envBackendKey = kBackendKey;
        start(config(), env);
        RecordedCall rc;
        call(rc, QStringLiteral("/v1/chat/completions"),
             R"({"model":"anything-at-all","messages":[{"role":"user","content":"hi"}]})");
        QCOMPARE(rc.status, 200);
        QCOMPARE(m_fake->received.last().path, QByteArray("/v1/chat/completions"));
        QCOMPARE(m_fake->received.last().header("authorization"), "Bearer " + kBackendKey.toUtf8());
        QCOMPARE(m_fake->received.last().json.value(QStringLiteral("model")).toString(),
                 QStringLiteral("router-default"));
        // Environment parsing, as the original names them.
        qputenv("ANTHROPIC_BASE_URL", "https://open.example/api/anthropic");
        qputenv("ANTHROPIC_AUTH_TOKEN", "tok-123456789");
        qputenv("ANTHROPIC_MODEL", "glm-4.6");
        const Environment parsed = Environment::fromProcess();
        qunsetenv("ANTHROPIC_BASE_URL");
        qunsetenv("ANTHROPIC_AUTH_TOKEN");
        qunsetenv("ANTHROPIC_MODEL");
        QVERIFY(parsed.envBackend);
        QCOMPARE(parsed.envBackend->kind, BackendConfig::Kind::Anthropic);
        QCOMPARE(parsed.envBackend->model, QStringLiteral("glm-4.6"));
        QCOMPARE(parsed.envBackendKey, QStringLiteral("tok-123456789"));
    }

    void retriesOnlyBeforeTheFirstByte()
    {
        start(config());
        m_fake->failNextRequests = 2;
        m_fake->failStatus = 503;
        RecordedCall rc;
        call(rc, QStringLiteral("/v1/chat/completions"), R"({"model":"local-llama","messages":[]})");
        QCOMPARE(rc.status, 200);
        QCOMPARE(apiRequests(), 3);
        // Once the stream started, a cut is reported, never replayed.
        const int before = apiRequests();
        RecordedCall cut;
        call(cut, QStringLiteral("/v1/chat/completions"), R"({"model":"cut-openai","messages":[]})");
        Q_UNUSED(cut);
        QCOMPARE(apiRequests(), before); // unknown model: nothing sent upstream
        Config c = config();
        ModelConfig m;
        m.id = m.name = QStringLiteral("cut-local");
        m.type = ModelType::Common;
        m.backend = QStringLiteral("local");
        c.models.append(m);
        m_proxy->setConfig(c);
        RecordedCall stream;
        call(stream, QStringLiteral("/v1/chat/completions"), R"({"model":"cut-local","stream":true,"messages":[]})");
        QVERIFY(stream.body.contains("closed the connection"));
        QCOMPARE(apiRequests(), before + 1);
    }

    void retryAfterIsHonoured()
    {
        start(config());
        m_fake->failNextRequests = 1;
        m_fake->failStatus = 503;
        m_fake->failRetryAfter = "1";
        RecordedCall rc;
        call(rc, QStringLiteral("/v1/chat/completions"), R"({"model":"local-llama","messages":[]})");
        QCOMPARE(rc.status, 200);
        QCOMPARE(apiRequests(), 2);
        bool waited = false; // the wait the upstream asked for, not the 50 ms backoff
        for (const QString &l : std::as_const(m_log))
            waited = waited || l.contains(QStringLiteral("retrying in 1000 ms"));
        QVERIFY(waited);
    }

    void rateLimitPassesThroughAndNeverOpensTheCircuit()
    {
        Config c = config();
        c.resilience.breakerFailures = 2;
        start(c);
        m_fake->failNextRequests = 6;
        m_fake->failStatus = 429;
        m_fake->failRetryAfter = "7";
        // The rate-limit family reaches the client whatever the case of its names; other headers do not.
        m_fake->failHeaders = "Anthropic-RateLimit-Requests-Remaining: 0\r\nX-RATELIMIT-RESET-REQUESTS: 7s\r\n"
                              "X-Request-Id: req_7\r\nX-Upstream-Trace: t\r\n";
        for (int i = 0; i < 6; ++i) {
            RecordedCall rc;
            call(rc, QStringLiteral("/v1/chat/completions"), R"({"model":"local-llama","messages":[]})");
            QCOMPARE(rc.status, 429);
            QCOMPARE(rc.header("retry-after"), QByteArray("7")); // the upstream's own
            QCOMPARE(rc.header("anthropic-ratelimit-requests-remaining"), QByteArray("0"));
            QCOMPARE(rc.header("x-ratelimit-reset-requests"), QByteArray("7s"));
            QCOMPARE(rc.header("x-request-id"), QByteArray("req_7"));
            QCOMPARE(rc.header("x-upstream-trace"), QByteArray());
            QCOMPARE(apiRequests(), i + 1); // never retried by the proxy: the client decides
        }
        QVERIFY(m_proxy->breaker().circuits().isEmpty()); // 4xx never count as failures
        RecordedCall ok;
        call(ok, QStringLiteral("/v1/chat/completions"), R"({"model":"local-llama","messages":[]})");
        QCOMPARE(ok.status, 200);
    }

    /// Factory serves many models on one host: two requests whose upstream answers 500 (retried twice each)
    /// open the circuit of that model only; other models are served, and the failing model, with no other
    /// route, still reaches the upstream and gets its real answer (never a synthetic 503).
    void breakerNeverLocksUsersOut()
    {
        Config c = ConfigLoader::defaults();
        c.userAgentUpdateUrl.clear();
        c.tokenStore = QStringLiteral("file");
        c.resilience.backoffMs = 1;
        c.endpoints.insert(ModelType::Common, m_fake->url(QStringLiteral("/api/llm/o/v1/chat/completions")));
        Environment env;
        env.factoryApiKey = QStringLiteral("fk-breaker-test-0123456789");
        start(c, env);
        m_fake->failModels = { QStringLiteral("glm-5.2") };
        m_fake->failStatus = 500;
        // The three 500s the client gets are logged as warnings (the retries before them are not).
        for (int i = 0; i < 3; ++i)
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
                                                   "^POST /v1/chat/completions model=glm-5.2 status=500 .*: fake "
                                                   "upstream failure$")));
        for (int i = 0; i < 2; ++i) {
            RecordedCall rc;
            call(rc, QStringLiteral("/v1/chat/completions"), R"({"model":"glm-5.2","messages":[]})");
            QCOMPARE(rc.status, 500);
        }
        QCOMPARE(apiRequests(), 6); // 2 requests x (1 + 2 retries)
        QCOMPARE(m_proxy->breaker().state(CircuitBreaker::key(QStringLiteral("factory"), QStringLiteral("glm-5.2"))),
                 CircuitBreaker::State::Open);
        // Another model on the same backend: served.
        RecordedCall other;
        call(other, QStringLiteral("/v1/chat/completions"), R"({"model":"kimi-k2.6","messages":[]})");
        QCOMPARE(other.status, 200);
        QCOMPARE(m_fake->received.last().json.value(QStringLiteral("model")).toString(), QStringLiteral("kimi-k2.6"));
        // The open model, with no fallback: it goes to the upstream anyway and the client sees the real 500.
        RecordedCall again;
        call(again, QStringLiteral("/v1/chat/completions"), R"({"model":"glm-5.2","messages":[]})");
        QCOMPARE(again.status, 500);
        QVERIFY2(again.json()
                     .value(QStringLiteral("error"))
                     .toObject()
                     .value(QStringLiteral("message"))
                     .toString()
                     .contains(QStringLiteral("fake upstream failure")),
                 again.body.constData());
        QCOMPARE(apiRequests(), 8); // one attempt: retrying a known failure only makes the client wait
        bool sentAnyway = false;
        for (const QString &l : std::as_const(m_log))
            sentAnyway =
                sentAnyway || l.contains(QStringLiteral("no other route can take the request: sending it anyway"));
        QVERIFY(sentAnyway);
        // GET / shows the circuit, per backend and model.
        RecordedCall info;
        startCall(*m_client, info, "GET", QUrl(m_proxy->baseUrl() + QStringLiteral("/")), {}, {}, m_clock);
        QTRY_VERIFY(info.done());
        const QJsonArray circuits = info.json().value(QStringLiteral("circuits")).toArray();
        QCOMPARE(circuits.size(), 1);
        QCOMPARE(circuits[0].toObject().value(QStringLiteral("backend")).toString(), QStringLiteral("factory"));
        QCOMPARE(circuits[0].toObject().value(QStringLiteral("model")).toString(), QStringLiteral("glm-5.2"));
        QCOMPARE(circuits[0].toObject().value(QStringLiteral("state")).toString(), QStringLiteral("open"));
        // Once the upstream recovers, the first success closes it.
        m_fake->failModels.clear();
        RecordedCall healed;
        call(healed, QStringLiteral("/v1/chat/completions"), R"({"model":"glm-5.2","messages":[]})");
        QCOMPARE(healed.status, 200);
        QVERIFY(m_proxy->breaker().circuits().isEmpty());
    }

    void openCircuitDivertsToTheFallback()
    {
        Config c = config();
        c.resilience.retries = 0;
        c.resilience.breakerFailures = 1;
        c.resilience.breakerOpenMs = 60000;
        for (ModelConfig &m : c.models)
            if (m.id == u"dead-only")
                m.fallback = { QStringLiteral("local-llama") };
        start(c);
        // The first request fails on "dead" (connection refused), which opens its circuit, and falls back.
        RecordedCall first;
        call(first, QStringLiteral("/v1/chat/completions"), R"({"model":"dead-only","messages":[]})");
        QCOMPARE(first.status, 200);
        QCOMPARE(m_proxy->breaker().state(CircuitBreaker::key(QStringLiteral("dead"), QStringLiteral("dead-only"))),
                 CircuitBreaker::State::Open);
        // Now the open circuit diverts at once: no connection attempt to "dead", the fallback answers.
        m_log.clear();
        RecordedCall second;
        call(second, QStringLiteral("/v1/chat/completions"), R"({"model":"dead-only","messages":[]})");
        QCOMPARE(second.status, 200);
        QCOMPARE(m_fake->received.last().json.value(QStringLiteral("model")).toString(), QStringLiteral("local-llama"));
        bool diverted = false, attempted = false;
        for (const QString &l : std::as_const(m_log)) {
            diverted =
                diverted || l.contains(QStringLiteral("skipping dead-only : its circuit on backend dead is open"));
            attempted = attempted || l.contains(QStringLiteral("model dead-only failed"));
        }
        QVERIFY(diverted);
        QVERIFY(!attempted);
    }

    void fallbackInOrder()
    {
        // flaky's backend refuses connections: its retries are spent, then the chain goes on in order
        // (skipping an id that is not configured) to local-llama.
        start(config());
        RecordedCall rc;
        call(rc, QStringLiteral("/v1/chat/completions"), R"({"model":"flaky","messages":[]})");
        QCOMPARE(rc.status, 200);
        QCOMPARE(m_fake->received.last().json.value(QStringLiteral("model")).toString(), QStringLiteral("local-llama"));
        bool sawFallback = false;
        for (const QString &l : std::as_const(m_log))
            sawFallback = sawFallback || l.contains(QStringLiteral("model flaky failed (cannot connect"));
        QVERIFY(sawFallback);
    }

    void breakerTransitions()
    {
        qint64 now = 1000;
        CircuitBreaker b;
        b.setClock([&now] { return now; });
        b.configure(3, 10000);
        const QString x = CircuitBreaker::key(QStringLiteral("factory"), QStringLiteral("x"));
        const QString y = CircuitBreaker::key(QStringLiteral("factory"), QStringLiteral("y"));
        QVERIFY(b.allow(x));
        b.recordFailure(x);
        b.recordFailure(x);
        QCOMPARE(b.state(x), CircuitBreaker::State::Closed);
        b.recordFailure(x);
        QCOMPARE(b.state(x), CircuitBreaker::State::Open);
        QVERIFY(b.isOpen(x));
        QVERIFY(!b.allow(x));
        QVERIFY(b.allow(y)); // another model on the same backend is not affected
        QVERIFY(!b.isOpen(y));
        QCOMPARE(b.retryAfterMs(x), qint64(10000));
        now += 10000;
        QCOMPARE(b.state(x), CircuitBreaker::State::HalfOpen);
        QVERIFY(!b.isOpen(x)); // a probe is due
        QVERIFY(b.allow(x)); // the one probe
        QVERIFY(b.isOpen(x));
        QVERIFY(!b.allow(x));
        b.recordFailure(x); // probe failed: open again
        QCOMPARE(b.state(x), CircuitBreaker::State::Open);
        now += 10000;
        QVERIFY(b.allow(x));
        b.recordSuccess(x); // probe succeeded: closed
        QCOMPARE(b.state(x), CircuitBreaker::State::Closed);
        QVERIFY(b.allow(x));
        QVERIFY(b.allow(x));
        QVERIFY(b.circuits().isEmpty());
    }

    void overloadGets429()
    {
        Config c = config();
        for (BackendConfig &b : c.backends)
            if (b.name == u"local") {
                b.maxConcurrent = 1;
                b.queueLimit = 0;
            }
        ModelConfig slow;
        slow.id = slow.name = QStringLiteral("slow-local");
        slow.type = ModelType::Common;
        slow.backend = QStringLiteral("local");
        c.models.append(slow);
        start(c);
        RecordedCall busy;
        startCall(*m_client, busy, "POST", QUrl(m_proxy->baseUrl() + QStringLiteral("/v1/chat/completions")),
                  R"({"model":"slow-local","stream":true,"messages":[]})", {}, m_clock);
        QTRY_VERIFY(!busy.body.isEmpty());
        RecordedCall rejected;
        call(rejected, QStringLiteral("/v1/chat/completions"), R"({"model":"local-llama","messages":[]})");
        QCOMPARE(rejected.status, 429);
        QCOMPARE(rejected.header("retry-after"), QByteArray("1"));
        QVERIFY(rejected.json()
                    .value(QStringLiteral("error"))
                    .toObject()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("limit")));
        QTRY_VERIFY_WITH_TIMEOUT(busy.done(), 5000);
        RecordedCall after;
        call(after, QStringLiteral("/v1/chat/completions"), R"({"model":"local-llama","messages":[]})");
        QCOMPARE(after.status, 200); // the slot was released
    }

    void limiterHandsOverFromTheEventLoop()
    {
        // A freed slot is reserved for the first waiter at once, but its start runs from the event loop, never
        // inside release() (which a finishing request calls from its own teardown).
        BackendLimiter limiter;
        const QString b = QStringLiteral("local");
        QStringList started;
        bool inRelease = false;
        bool startedInRelease = false;
        auto starter = [&](const QString &name) {
            return [&, name] {
                started << name;
                startedInRelease = startedInRelease || inRelease;
            };
        };
        QObject first, second, third;
        QVERIFY(limiter.acquire(b, 1, 3, &first, starter(QStringLiteral("first")))); // a free slot: started at once
        QCOMPARE(started, QStringList { QStringLiteral("first") });
        auto *gone = new QObject;
        QVERIFY(limiter.acquire(b, 1, 3, gone, starter(QStringLiteral("gone"))));
        QVERIFY(limiter.acquire(b, 1, 3, &second, starter(QStringLiteral("second"))));
        QCOMPARE(limiter.active(b), 1);
        inRelease = true;
        limiter.release(b); // first is done: the slot is gone's
        inRelease = false;
        QCOMPARE(started, QStringList { QStringLiteral("first") }); // not within release()
        QCOMPARE(limiter.active(b), 1); // reserved: a newcomer waits behind the others
        QVERIFY(limiter.acquire(b, 1, 3, &third, starter(QStringLiteral("third"))));
        QCOMPARE(started, QStringList { QStringLiteral("first") });
        delete gone; // its context goes before the loop turns: the slot passes on to second
        QTRY_COMPARE(started, (QStringList { QStringLiteral("first"), QStringLiteral("second") }));
        QVERIFY(!startedInRelease);
        QCOMPARE(limiter.active(b), 1);
        limiter.release(b); // second is done
        QCOMPARE(limiter.active(b), 1);
        QTRY_COMPARE(started,
                     (QStringList { QStringLiteral("first"), QStringLiteral("second"), QStringLiteral("third") }));
        limiter.release(b);
        QCOMPARE(limiter.active(b), 0);
        QVERIFY(limiter.acquire(b, 1, 0, &first, starter(QStringLiteral("again")))); // the slot is free again
        QCOMPARE(started.last(), QStringLiteral("again"));
        QVERIFY(!startedInRelease);
    }

    void aPooledRequestIsWrittenBeforeTheLoopTurns()
    {
        // On a pooled connection the request leaves inside send(): no wake-up of the event loop per request.
        KeepAliveUpstream up;
        const UpstreamRequest req = up.request();
        poolAConnection(up, req);
        if (QTest::currentTestFailed())
            return;

        ReplyEnd second;
        std::unique_ptr<UpstreamReply> b(m_client->send(req));
        watch(b.get(), &second); // the caller connects after send(), as Relay does
        // Without a turn of the event loop: the bytes are already in the upstream's socket (waitForReadyRead
        // reads them and emits readyRead, which answers).
        QVERIFY(up.sockets.first()->waitForReadyRead(5000));
        QCOMPARE(up.answered, 2);
        QTRY_VERIFY_WITH_TIMEOUT(second.done(), 5000);
        QVERIFY(second.finished);
        QCOMPARE(up.answered, 2);
        QCOMPARE(up.sockets.size(), 1); // the same connection
    }

    void anUpstreamGoneBehindAPooledConnectionFailsTheRequest()
    {
        // The upstream died (its connections reset, nothing listening) while a connection sat in the pool, and
        // the event loop has not seen it yet. The write fails inside send(), the one retry on a fresh connection
        // is refused: the caller, whose slots are connected after send() returns, still hears of it.
        KeepAliveUpstream up;
        const UpstreamRequest req = up.request();
        poolAConnection(up, req);
        if (QTest::currentTestFailed())
            return;

#if !defined(Q_OS_UNIX)
        QSKIP("needs SO_LINGER from <sys/socket.h>");
#else
        up.server.close();
        // Platform-specific (POSIX): SO_LINGER 0 makes the close a reset, which the pooled socket's kernel sees
        // at once on loopback, while Qt still believes it connected.
        const linger reset { 1, 0 };
        QCOMPARE(::setsockopt(int(up.sockets.first()->socketDescriptor()), SOL_SOCKET, SO_LINGER, &reset, sizeof reset),
                 0);
        up.sockets.first()->abort();

        ReplyEnd second;
        std::unique_ptr<UpstreamReply> b(m_client->send(req));
        watch(b.get(), &second);
        QTRY_VERIFY_WITH_TIMEOUT(second.done(), 5000);
        QVERIFY2(second.error.contains(QStringLiteral("cannot connect to upstream")), qPrintable(second.error));
#endif
    }

    void proxiesAreUsed()
    {
        ConnectProxy proxy;
        Config c = config();
        c.proxies = { QStringLiteral("http://127.0.0.1:%1").arg(proxy.server.serverPort()) };
        start(c);
        RecordedCall rc;
        call(rc, QStringLiteral("/v1/chat/completions"), R"({"model":"local-llama","messages":[]})");
        QCOMPARE(rc.status, 200);
        QCOMPARE(proxy.tunnels, 1);
    }
};

QTEST_GUILESS_MAIN(TestBackends)
#include "tst_backends.moc"
