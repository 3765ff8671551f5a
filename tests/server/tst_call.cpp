// The Call state machine without sockets: a CallEnv of its own (real config, real circuit breaker, scripted
// credentials and admission) and scripted attempts, so each path of the machine (retry, 401 recovery, fallback,
// open circuit, full queue, missing credentials) is checked state by state.

#include "config/config.h"
#include "json/json.h"
#include "server/call.h"
#include "server/exchange.h"
#include "server/routes.h"

#include <QtTest/qsignalspy.h>
#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

using namespace d2a;

namespace {

class ScriptedAttempt;
using Script = std::function<void(ScriptedAttempt *)>;

/// One attempt that plays a script instead of talking to an upstream.
class ScriptedAttempt final : public Attempt
{
public:
    ScriptedAttempt(Exchange *exchange, Script script)
        : Attempt(exchange), m_exchange(exchange), m_script(std::move(script))
    {
    }
    void start() override
    {
        QMetaObject::invokeMethod(
            this, [this] { m_script(this); }, Qt::QueuedConnection);
    }
    /// An upstream answer: 200 for the client.
    void answer()
    {
        onHealth(true);
        m_exchange->respondJson(200, QByteArrayLiteral("{\"ok\":true}"));
    }
    /// A keepalive while the upstream is silent: it starts the client's stream, but is no content.
    void keepAlive()
    {
        if (!m_exchange->isStreaming())
            m_exchange->beginStream(200, { { "Content-Type", "text/event-stream" } });
        m_exchange->writeKeepAlive(QByteArrayLiteral("event: ping\ndata: {\"type\":\"ping\"}\n\n"));
    }
    /// The first event of an answer: content, so the answer can no longer be replaced.
    void firstEvent()
    {
        if (!m_exchange->isStreaming())
            m_exchange->beginStream(200, { { "Content-Type", "text/event-stream" } });
        m_exchange->writeStream(QByteArrayLiteral("event: message_start\ndata: {}\n\n"));
    }
    /// A whole streamed answer, into the stream a keepalive may have started.
    void streamAnswer()
    {
        onHealth(true);
        firstEvent();
        m_exchange->endStream();
    }
    /// A failure before anything reached the client: the call decides, else the attempt answers it.
    void fail(int status, bool retryable, bool unauthorized = false)
    {
        onHealth(status < 500 && status != 0);
        const Error e { status ? status : 502, QStringLiteral("scripted failure %1").arg(status), {} };
        if (!onFailure({ e, retryable, unauthorized, 0 }))
            m_exchange->respondError(e);
    }

private:
    QPointer<Exchange> m_exchange;
    Script m_script;
};

class TestEnv final : public CallEnv
{
public:
    /// The proxy's own policy, with the environment the test sets.
    std::optional<ResolvedRoute> resolve(const Config &config, const QString &id) const override
    {
        return resolveRoute(config, environment, id);
    }
    CircuitBreaker &breaker() override { return m_breaker; }
    void factoryCredential(Exchange *, std::function<void(Result<QByteArray>)> done) override
    {
        ++credentialCalls;
        done(credential);
    }
    QString backendKey(const BackendConfig &) const override { return {}; }
    bool canRecover() const override { return recoverable; }
    void recover(const QByteArray &rejected, QObject *, std::function<void(Result<QByteArray>)> done) override
    {
        rejectedBearers.append(rejected);
        done(QByteArrayLiteral("fresh-token"));
    }
    bool admit(const BackendConfig &, QObject *, std::function<void()> go) override
    {
        if (queueFull)
            return false;
        ++admitted;
        go();
        return true;
    }
    void release(const QString &) override { ++released; }
    QUrl factoryEndpoint(const Config &, ModelType type) const override
    {
        return QUrl(QStringLiteral("http://127.0.0.1:9/%1").arg(modelTypeName(type)));
    }
    QString userAgent(const Config &) const override { return QStringLiteral("tst_call"); }
    QByteArray organizationId() const override { return {}; }
    Attempt *newAttempt(Exchange *exchange, UpstreamRequest request, const RelaySpec &spec) override
    {
        sent.append(request);
        specs.append(spec);
        Q_ASSERT_X(!scripts.isEmpty(), "newAttempt", "more attempts than scripted");
        return new ScriptedAttempt(exchange, scripts.takeFirst());
    }

    Environment environment;
    Result<QByteArray> credential = QByteArrayLiteral("server-token");
    bool recoverable = true;
    bool queueFull = false;
    int credentialCalls = 0;
    int admitted = 0;
    int released = 0;
    QList<QByteArray> rejectedBearers;
    QList<Script> scripts;
    QList<UpstreamRequest> sent;
    QList<RelaySpec> specs;
    CircuitBreaker m_breaker;
};

QByteArray modelOf(const UpstreamRequest &r)
{
    auto doc = json::Document::parse(r.body);
    return doc ? doc.value().root()["model"].toUtf8() : QByteArray();
}

} // namespace

class TestCall : public QObject
{
    Q_OBJECT

    TestEnv *m_env = nullptr;
    std::shared_ptr<Config> m_config;
    QString m_first; ///< an Anthropic model (the same format as /v1/messages: passthrough)
    QString m_second; ///< a Chat model (a translation)

    struct Run
    {
        QList<Call::State> states;
        RequestRecord record;
        int attempts = 0;
    };

    /// Sends one /v1/messages request through a Call and waits for the exchange to end (its causally last event).
    Run run(const QByteArray &body, const HeaderList &headers = {})
    {
        IncomingRequest req;
        req.method = "POST";
        req.path = QStringLiteral("/v1/messages");
        req.headers = headers;
        req.body = body;
        auto *exchange = new Exchange(req, nullptr);
        exchange->setFormat(WireFormat::Anthropic);
        const RouteMatch match = RouteTable::instance().match(req.path);
        auto *call = new Call(exchange, m_env, m_config, *match.route, match.pathModel);
        Run out;
        connect(call, &Call::stateChanged, this, [&out, call](Call::State s) {
            out.states.append(s);
            out.attempts = call->attempts();
        });
        QSignalSpy done(exchange, &Exchange::done);
        call->start();
        if (done.isEmpty())
            done.wait(10000);
        if (!done.isEmpty())
            out.record = done.first().first().value<RequestRecord>();
        return out;
    }

    QByteArray body(const QString &model) const
    {
        return QStringLiteral(R"({"model":"%1","max_tokens":64,"messages":[{"role":"user","content":"hi"}]})")
            .arg(model)
            .toUtf8();
    }

private Q_SLOTS:
    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); // an unexpected warning is a failure
        qRegisterMetaType<RequestRecord>();
        m_env = new TestEnv;
        Config c = ConfigLoader::defaults();
        c.resilience.retries = 1;
        c.resilience.backoffMs = 0;
        m_first.clear();
        m_second.clear();
        for (const ModelConfig &m : std::as_const(c.models)) {
            if (m_first.isEmpty() && m.type == ModelType::Anthropic)
                m_first = m.id;
            if (m_second.isEmpty() && m.type == ModelType::Common)
                m_second = m.id;
        }
        QVERIFY(!m_first.isEmpty() && !m_second.isEmpty());
        for (ModelConfig &m : c.models)
            if (m.id == m_first)
                m.fallback = QStringList { QStringLiteral("not-configured"), m_second };
        m_config = std::make_shared<Config>(c);
    }
    void cleanup()
    {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete); // the exchanges (and their calls) first
        delete m_env;
        m_env = nullptr;
    }

    void answersOnFirstAttempt()
    {
        m_env->scripts = { [](ScriptedAttempt *a) { a->answer(); } };
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 200);
        QCOMPARE(r.states, (QList<Call::State> { Call::State::Resolve, Call::State::Credentials, Call::State::Admission,
                                                 Call::State::Forward, Call::State::Done }));
        QCOMPARE(m_env->sent.size(), 1);
        QCOMPARE(modelOf(m_env->sent.first()), m_first.toUtf8());
        QCOMPARE(headerValue(m_env->sent.first().headers, "authorization"), QByteArrayLiteral("Bearer server-token"));
        QVERIFY(!m_env->specs.first().translation); // same format: passthrough
        QCOMPARE(r.record.model, m_first);
    }

    void environmentBackendServesEveryId()
    {
        // The real resolve policy: ANTHROPIC_BASE_URL's backend takes an id the config does not know, sent as the
        // backend's own model when it names one.
        BackendConfig b;
        b.name = QStringLiteral("env");
        b.kind = BackendConfig::Kind::Anthropic;
        b.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:9/v1"));
        b.model = QStringLiteral("their-model");
        m_env->environment.envBackend = b;
        m_env->scripts = { [](ScriptedAttempt *a) { a->answer(); } };
        const Run r = run(body(QStringLiteral("no-such-model")));
        QCOMPARE(r.record.status, 200);
        QCOMPARE(m_env->sent.size(), 1);
        QCOMPARE(modelOf(m_env->sent.first()), QByteArrayLiteral("their-model"));
        QCOMPARE(m_env->sent.first().url.host(), QStringLiteral("127.0.0.1"));
        QVERIFY(!m_env->specs.first().translation); // an Anthropic backend for /v1/messages: passthrough
        // Without it, the same id is unknown and never reaches an attempt.
        m_env->environment.envBackend.reset();
        m_env->sent.clear();
        QCOMPARE(run(body(QStringLiteral("no-such-model"))).record.status, 404);
        QVERIFY(m_env->sent.isEmpty());
    }

    void retriesThenAnswers()
    {
        m_env->scripts = { [](ScriptedAttempt *a) { a->fail(503, true); }, [](ScriptedAttempt *a) { a->answer(); } };
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 200);
        QCOMPARE(r.states, (QList<Call::State> { Call::State::Resolve, Call::State::Credentials, Call::State::Admission,
                                                 Call::State::Forward, Call::State::Retry, Call::State::Forward,
                                                 Call::State::Done }));
        QCOMPARE(r.attempts, 2);
        QCOMPARE(m_env->sent.size(), 2);
        QCOMPARE(m_env->breaker().state(CircuitBreaker::key(QStringLiteral("factory"), m_first)),
                 CircuitBreaker::State::Closed);
        QCOMPARE(m_env->released, 1); // the slot goes back when the exchange ends
    }

    void fallsBackWhenRetriesAreSpent()
    {
        // Two 503s on the first model (one retry), the unknown id of the chain skipped, the Chat model answers.
        m_env->scripts = { [](ScriptedAttempt *a) { a->fail(503, true); },
                           [](ScriptedAttempt *a) { a->fail(503, true); }, [](ScriptedAttempt *a) { a->answer(); } };
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 200);
        QCOMPARE(r.states, (QList<Call::State> { Call::State::Resolve, Call::State::Credentials, Call::State::Admission,
                                                 Call::State::Forward, Call::State::Retry, Call::State::Forward,
                                                 Call::State::Fallback, Call::State::Resolve, Call::State::Credentials,
                                                 Call::State::Admission, Call::State::Forward, Call::State::Done }));
        QCOMPARE(m_env->sent.size(), 3);
        QCOMPARE(modelOf(m_env->sent.at(0)), m_first.toUtf8());
        QCOMPARE(modelOf(m_env->sent.at(1)), m_first.toUtf8());
        QCOMPARE(modelOf(m_env->sent.at(2)), m_second.toUtf8());
        QVERIFY(m_env->specs.at(2).translation); // Messages -> Chat goes through the shared model
        QCOMPARE(m_env->specs.at(2).upstreamFormat, WireFormat::OpenAIChat);
        QCOMPARE(r.record.model, m_second);
        QCOMPARE(m_env->admitted, 2);
        QCOMPARE(m_env->released,
                 2); // the first backend's slot was given back at the fallback, the second's at the end
    }

    void lastFailureGoesToTheClient()
    {
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("status=503 .*scripted failure 503$")));
        m_config = std::make_shared<Config>([this] {
            Config c = *m_config;
            for (ModelConfig &m : c.models)
                m.fallback.clear();
            return c;
        }());
        m_env->scripts = { [](ScriptedAttempt *a) { a->fail(503, true); },
                           [](ScriptedAttempt *a) { a->fail(503, true); } };
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 503);
        QVERIFY(r.record.error.contains(u"scripted failure 503"));
        QCOMPARE(r.states.last(), Call::State::Done);
        QVERIFY(!r.states.contains(Call::State::Fallback));
        QCOMPARE(m_env->released, 1);
    }

    void openCircuitDivertsToTheChain()
    {
        for (int i = 0; i < m_config->resilience.breakerFailures; ++i)
            m_env->breaker().recordFailure(CircuitBreaker::key(QStringLiteral("factory"), m_first));
        QVERIFY(m_env->breaker().isOpen(CircuitBreaker::key(QStringLiteral("factory"), m_first)));
        m_env->scripts = { [](ScriptedAttempt *a) { a->answer(); } };
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 200);
        QCOMPARE(m_env->sent.size(), 1);
        QCOMPARE(modelOf(m_env->sent.first()), m_second.toUtf8()); // never sent to the open circuit
        QCOMPARE(r.states.mid(0, 2), (QList<Call::State> { Call::State::Resolve, Call::State::Resolve }));
    }

    void unauthorizedGetsOneFreshCredential()
    {
        m_env->scripts = { [](ScriptedAttempt *a) { a->fail(401, false, true); },
                           [](ScriptedAttempt *a) { a->answer(); } };
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 200);
        QVERIFY(r.states.contains(Call::State::Recover));
        QCOMPARE(m_env->rejectedBearers, (QList<QByteArray> { "server-token" }));
        QCOMPARE(headerValue(m_env->sent.at(1).headers, "authorization"), QByteArrayLiteral("Bearer fresh-token"));
    }

    void secondUnauthorizedGoesToTheClient()
    {
        m_config = std::make_shared<Config>([this] {
            Config c = *m_config;
            for (ModelConfig &m : c.models)
                m.fallback.clear();
            return c;
        }());
        m_env->scripts = { [](ScriptedAttempt *a) { a->fail(401, false, true); },
                           [](ScriptedAttempt *a) { a->fail(401, false, true); } };
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 401);
        QCOMPARE(m_env->rejectedBearers.size(), 1); // once per route, never a loop
        QCOMPARE(r.states.count(Call::State::Recover), 1);
    }

    void keepAliveDoesNotStopTheRetry()
    {
        // A keepalive started the stream, then the upstream failed: nothing of the answer went out, so the call
        // retries and the next attempt writes into the same stream.
        m_env->scripts = { [](ScriptedAttempt *a) {
                              a->keepAlive();
                              a->fail(503, true);
                          },
                           [](ScriptedAttempt *a) {
            a->keepAlive();
            a->streamAnswer();
                          } };
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 200);
        QVERIFY(r.record.streamed);
        QVERIFY(r.states.contains(Call::State::Retry));
        QCOMPARE(m_env->sent.size(), 2);
    }

    void keepAliveDoesNotStopTheRecoveryOrFallback()
    {
        // 401 after a keepalive: a fresh credential; then two 503s after keepalives: the next model of the chain.
        m_env->scripts = { [](ScriptedAttempt *a) {
                              a->keepAlive();
                              a->fail(401, false, true);
                          },
                           [](ScriptedAttempt *a) {
            a->keepAlive();
            a->fail(503, true);
                          },
                           [](ScriptedAttempt *a) {
            a->keepAlive();
            a->fail(503, true);
        },
        [](ScriptedAttempt *a) { a->streamAnswer(); } };
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 200);
        QVERIFY(r.states.contains(Call::State::Recover));
        QVERIFY(r.states.contains(Call::State::Fallback));
        QCOMPARE(m_env->rejectedBearers, (QList<QByteArray> { "server-token" }));
        QCOMPARE(m_env->sent.size(), 4);
        QCOMPARE(modelOf(m_env->sent.at(3)), m_second.toUtf8());
        QCOMPARE(r.record.model, m_second);
    }

    void contentStopsTheRetry()
    {
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("status=503 .*scripted failure 503$")));
        // Once an event of the answer went out, a failure is the client's: no retry replays it.
        m_env->scripts = { [](ScriptedAttempt *a) {
            a->keepAlive();
            a->firstEvent();
            a->fail(503, true);
        } };
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 503); // the error event ended the stream
        QVERIFY(r.record.streamed);
        QVERIFY(!r.states.contains(Call::State::Retry));
        QCOMPARE(m_env->sent.size(), 1);
    }

    void finalFailureAfterKeepAlivesEndsTheStream()
    {
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("status=503 .*scripted failure 503$")));
        m_config = std::make_shared<Config>([this] {
            Config c = *m_config;
            for (ModelConfig &m : c.models)
                m.fallback.clear();
            return c;
        }());
        m_env->scripts = { [](ScriptedAttempt *a) {
                              a->keepAlive();
                              a->fail(503, true);
                          },
                           [](ScriptedAttempt *a) {
            a->keepAlive();
            a->fail(503, true);
                          } };
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 503);
        QVERIFY(r.record.streamed);
        QVERIFY(r.record.error.contains(u"scripted failure 503"));
        QCOMPARE(r.states.last(), Call::State::Done);
        QCOMPARE(m_env->sent.size(), 2);
    }

    void fullQueueIs429()
    {
        m_env->queueFull = true;
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 429);
        QVERIFY(m_env->sent.isEmpty());
        QCOMPARE(r.states.last(), Call::State::Done);
    }

    void noCredentialsIs401()
    {
        m_env->credential = QByteArray(); // no server credential, and the client sent no key
        const Run r = run(body(m_first));
        QCOMPARE(r.record.status, 401);
        QVERIFY(r.record.error.contains(u"no credentials"));
        QVERIFY(m_env->sent.isEmpty());

        // The client's own key goes upstream when no server credential and no access key exist.
        m_env->scripts = { [](ScriptedAttempt *a) { a->answer(); } };
        const Run own = run(body(m_first), { { "x-api-key", "client-key" } });
        QCOMPARE(own.record.status, 200);
        QCOMPARE(headerValue(m_env->sent.first().headers, "authorization"), QByteArrayLiteral("Bearer client-key"));
    }

    /// The one route table: generation routes come from the format registry, errors follow the path's format.
    void routeTable()
    {
        const RouteTable &t = RouteTable::instance();
        const RouteMatch g = t.match(QStringLiteral("/v1beta/models/gemini-x:streamGenerateContent"));
        QVERIFY(g.route);
        QCOMPARE(g.route->format, WireFormat::Gemini);
        QVERIFY(g.route->stream);
        QCOMPARE(g.pathModel, QStringLiteral("gemini-x"));
        QVERIFY(!t.match(QStringLiteral("/v1beta/models/:generateContent")).route); // no model, no route
        QCOMPARE(t.match(QStringLiteral("/v1/messages/count_tokens")).route->action, Route::Action::CountTokens);
        QCOMPARE(t.formatFor(QStringLiteral("/v1/messages/typo")), WireFormat::Anthropic);
        QCOMPARE(t.formatFor(QStringLiteral("/v1/responses/x")), WireFormat::OpenAIResponses);
        QCOMPARE(t.formatFor(QStringLiteral("/v1beta/anything")), WireFormat::Gemini);
        QCOMPARE(t.formatFor(QStringLiteral("/elsewhere")), WireFormat::OpenAIChat);
        QCOMPARE(RouteTable::allowedMethods(t.match(QStringLiteral("/v1/chat/completions"))),
                 QByteArrayLiteral("POST, OPTIONS"));
        QCOMPARE(RouteTable::allowedMethods(t.match(QStringLiteral("/v1/models"))),
                 QByteArrayLiteral("GET, HEAD, OPTIONS"));
        // Google's SDKs on v1 (genai 3) as on v1beta; a model named last in a path holds no ':' (an unserved
        // Google method is no model), and such paths answer errors in Google's shape.
        const RouteMatch v1 = t.match(QStringLiteral("/v1/models/gemini-x:streamGenerateContent"));
        QVERIFY(v1.route);
        QCOMPARE(v1.route->format, WireFormat::Gemini);
        QCOMPARE(v1.pathModel, QStringLiteral("gemini-x"));
        QCOMPARE(t.match(QStringLiteral("/v1/models/gemini-x:countTokens")).route->action, Route::Action::CountTokens);
        QVERIFY(!t.match(QStringLiteral("/v1/models/gemini-x:batchEmbedContents")).route);
        QCOMPARE(t.formatFor(QStringLiteral("/v1/models/gemini-x:batchEmbedContents")), WireFormat::Gemini);
        QCOMPARE(t.formatFor(QStringLiteral("/v1/modelsx")), WireFormat::OpenAIChat);
        const RouteMatch get = t.match(QStringLiteral("/v1/models/claude-x"));
        QCOMPARE(get.route->action, Route::Action::Model);
        QCOMPARE(get.pathModel, QStringLiteral("claude-x"));
        // One path, two formats' answers: OpenAI's and Google's model lists are one.
        QCOMPARE(t.match(QStringLiteral("/v1/models")).route->formats,
                 (QList<WireFormat> { WireFormat::OpenAIChat, WireFormat::Gemini }));
        QCOMPARE(t.match(QStringLiteral("/v1beta/models")).route->formats, QList<WireFormat> { WireFormat::Gemini });
        QCOMPARE(t.match(QStringLiteral("/v1/responses/input_tokens")).route->upstreamSuffix,
                 QStringLiteral("/input_tokens"));
        QCOMPARE(t.match(QStringLiteral("/v1/responses/compact")).route->action, Route::Action::Operation);
        QCOMPARE(t.endpoints(),
                 (QStringList {
                     QStringLiteral("POST /v1/chat/completions"), QStringLiteral("POST /v1/responses"),
                     QStringLiteral("POST /v1/responses/input_tokens"), QStringLiteral("POST /v1/responses/compact"),
                     QStringLiteral("POST /v1/messages"), QStringLiteral("POST /v1/messages/count_tokens"),
                     QStringLiteral("POST /v1beta/models/{model}:generateContent"),
                     QStringLiteral("POST /v1beta/models/{model}:streamGenerateContent?alt=sse"),
                     QStringLiteral("POST /v1beta/models/{model}:countTokens"),
                     QStringLiteral("POST /v1/models/{model}:generateContent"),
                     QStringLiteral("POST /v1/models/{model}:streamGenerateContent?alt=sse"),
                     QStringLiteral("POST /v1/models/{model}:countTokens"), QStringLiteral("POST /v1/generate"),
                     QStringLiteral("GET /v1/models"), QStringLiteral("GET /v1/models/{model}"),
                     QStringLiteral("GET /v1beta/models"), QStringLiteral("GET /v1beta/models/{model}"),
                     QStringLiteral("GET /usage?from=&to=&group=model|client|day|backend|rule") }));
    }

    void badRequestsNeverStartTheMachine()
    {
        QCOMPARE(run("{not json").record.status, 400);
        QCOMPARE(run(R"({"messages":[]})").record.status, 400);
        const Run unknown = run(body(QStringLiteral("no-such-model")));
        QCOMPARE(unknown.record.status, 404);
        QVERIFY(!unknown.states.contains(Call::State::Resolve));
        QCOMPARE(m_env->credentialCalls, 0);
    }
};

QTEST_GUILESS_MAIN(TestCall)
#include "tst_call.moc"
