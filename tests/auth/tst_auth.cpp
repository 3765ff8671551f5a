// Factory sign-in: the real AuthManager, token stores, and ProxyService against the fake WorkOS + upstream.
#include "auth/authmanager.h"
#include "auth/devicesignin.h"
#include "auth/droidcliimport.h"
#include "auth/tokenstore.h"
#include "log/log.h"
#include "server/proxyservice.h"
#include "support/fakeupstream.h"
#include "support/testclient.h"
#include "upstream/httpclient.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qtemporarydir.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <memory>

using namespace d2a;

class TestAuth final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;
    std::unique_ptr<FakeUpstream> m_fake;
    std::unique_ptr<HttpClient> m_http;
    QStringList m_log;
    QElapsedTimer m_clock;
    int m_case = 0;

    QString storePath() const { return m_home.path() + QStringLiteral("/store-%1.json").arg(m_case); }

    Config config() const
    {
        Config c = ConfigLoader::defaults();
        c.endpoints[ModelType::Anthropic] = m_fake->url(QStringLiteral("/api/llm/a/v1/messages"));
        c.endpoints[ModelType::Common] = m_fake->url(QStringLiteral("/api/llm/o/v1/chat/completions"));
        c.workosBaseUrl = m_fake->url(QString());
        c.userAgentUpdateUrl.clear();
        c.tokenStore = QStringLiteral("file");
        return c;
    }

    /// An AuthManager on a file store at storePath(), started and loaded.
    std::unique_ptr<AuthManager> startAuth(const Environment &env, std::function<qint64()> clock = {})
    {
        auto auth = std::make_unique<AuthManager>(m_http.get());
        auth->setWorkOs(m_fake->url(QString()), m_fake->workosClientId);
        auth->setStore(new FileTokenStore(storePath()));
        auth->setDroidCliDir(m_home.path() + QStringLiteral("/no-droid"));
        if (clock)
            auth->setClock(clock);
        QSignalSpy loaded(auth.get(), &AuthManager::loaded);
        auth->start(env);
        if (!loaded.wait(5000))
            qWarning("AuthManager did not load");
        return auth;
    }

    /// A ProxyService whose auth uses storePath() and the fake WorkOS.
    std::unique_ptr<ProxyService> startProxy(const Environment &env)
    {
        auto proxy = std::make_unique<ProxyService>();
        proxy->setEnvironment(env);
        proxy->setConfig(config());
        proxy->auth()->setStore(new FileTokenStore(storePath()));
        proxy->auth()->setDroidCliDir(m_home.path() + QStringLiteral("/no-droid"));
        auto r = proxy->start(QStringLiteral("127.0.0.1"), 0);
        if (!r.ok())
            qWarning("proxy did not start");
        return proxy;
    }

    void writeStore(const StoredCredentials &c)
    {
        QFile f(storePath());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(c.toJson());
    }

    /// Stores a refresh token with an access token valid for an hour, as after an earlier sign-in.
    StoredCredentials storeValidSession()
    {
        StoredCredentials stored;
        stored.refreshToken = m_fake->issueRefreshToken();
        stored.accessToken = m_fake->makeAccessToken(3600);
        stored.accessExpiresAt = QDateTime::currentSecsSinceEpoch() + 3600;
        writeStore(stored);
        return stored;
    }

    StoredCredentials readStore() const
    {
        QFile f(storePath());
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return StoredCredentials::fromJson(f.readAll());
    }

    void post(RecordedCall &rc, ProxyService &proxy, const QByteArray &body = R"({"model":"claude-opus-4-6","max_tokens":5,"messages":[]})",
              const HeaderList &headers = {})
    {
        startCall(*m_http, rc, "POST", QUrl(proxy.baseUrl() + QStringLiteral("/v1/messages")), body, headers, m_clock);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("HOME", m_home.path().toUtf8());
        qputenv("XDG_DATA_HOME", (m_home.path() + QStringLiteral("/data")).toUtf8());
        qputenv("XDG_CONFIG_HOME", (m_home.path() + QStringLiteral("/config")).toUtf8());
        m_clock.start();
        log::installChained(false); // the sink sees every line; QTest still gets them
    }

    void init()
    {
        ++m_case;
        m_log.clear();
        log::setSink([this](QtMsgType, const QString &, const QString &line) { m_log.append(line); });
        m_fake = std::make_unique<FakeUpstream>();
        QVERIFY(m_fake->listen());
        m_http = std::make_unique<HttpClient>();
    }

    void cleanup()
    {
        // Across every auth test: no refresh or access token, and no API key, ever reaches a log line.
        QStringList secrets = m_fake->issuedAccessTokens;
        secrets += QStringList(m_fake->validRefreshTokens.begin(), m_fake->validRefreshTokens.end());
        secrets += QStringList(m_fake->spentRefreshTokens.begin(), m_fake->spentRefreshTokens.end());
        secrets << QStringLiteral("fk-env-api-key-0123456789") << QStringLiteral("fk-stored-api-key-0123456789");
        for (const QString &line : std::as_const(m_log))
            for (const QString &s : std::as_const(secrets))
                QVERIFY2(!line.contains(s), qPrintable(QStringLiteral("secret in log: ") + line));
        log::setSink({});
        m_http.reset();
        m_fake.reset();
    }

    void priorityOrder()
    {
        const QString refresh = m_fake->issueRefreshToken();
        StoredCredentials stored;
        stored.refreshToken = refresh;
        writeStore(stored);

        // 1. FACTORY_API_KEY beats a stored refresh token.
        Environment env;
        env.factoryApiKey = QStringLiteral("fk-env-api-key-0123456789");
        {
            auto proxy = startProxy(env);
            RecordedCall rc;
            post(rc, *proxy);
            QTRY_VERIFY(rc.done());
            QCOMPARE(rc.status, 200);
            QCOMPARE(m_fake->received.last().header("authorization"), QByteArray("Bearer fk-env-api-key-0123456789"));
            QCOMPARE(m_fake->refreshAttempts, 0);
        }
        // 2. A stored API key beats the refresh token.
        stored.apiKey = QStringLiteral("fk-stored-api-key-0123456789");
        writeStore(stored);
        {
            auto proxy = startProxy(Environment());
            RecordedCall rc;
            post(rc, *proxy);
            QTRY_VERIFY(rc.done());
            QCOMPARE(m_fake->received.last().header("authorization"), QByteArray("Bearer fk-stored-api-key-0123456789"));
            QCOMPARE(proxy->auth()->source(), AuthManager::Source::ApiKey);
        }
        // 3. The refresh token beats the client's own key.
        stored.apiKey.clear();
        writeStore(stored);
        {
            auto proxy = startProxy(Environment());
            RecordedCall rc;
            post(rc, *proxy, R"({"model":"claude-opus-4-6","max_tokens":5,"messages":[]})", { { "x-api-key", "client-own-key-123456789" } });
            QTRY_VERIFY(rc.done());
            QCOMPARE(rc.status, 200);
            QCOMPARE(m_fake->received.last().header("authorization"), "Bearer " + m_fake->issuedAccessTokens.last().toUtf8());
            RecordedCall info;
            startCall(*m_http, info, "GET", QUrl(proxy->baseUrl() + QStringLiteral("/")), {}, {}, m_clock);
            QTRY_VERIFY(info.done());
            const QJsonObject auth = info.json().value("auth").toObject();
            QCOMPARE(auth.value("source").toString(), QStringLiteral("refresh_token"));
            QCOMPARE(auth.value("state").toString(), QStringLiteral("ready"));
            QCOMPARE(auth.value("email").toString(), QStringLiteral("dev@example.com"));
            QVERIFY(auth.value("access_expires_at").toString().endsWith(u'Z'));
            QCOMPARE(auth.value("store").toString(), QStringLiteral("file"));
            QVERIFY(!info.body.contains(m_fake->issuedAccessTokens.last().toUtf8()));
        }
        // 4. Nothing configured: the client's own key is forwarded.
        QFile::remove(storePath());
        {
            auto proxy = startProxy(Environment());
            RecordedCall rc;
            post(rc, *proxy, R"({"model":"claude-opus-4-6","max_tokens":5,"messages":[]})", { { "x-api-key", "client-own-key-123456789" } });
            QTRY_VERIFY(rc.done());
            QCOMPARE(m_fake->received.last().header("authorization"), QByteArray("Bearer client-own-key-123456789"));
        }
    }

    void concurrentFirstRequestsShareOneRefresh()
    {
        StoredCredentials stored;
        stored.refreshToken = m_fake->issueRefreshToken();
        writeStore(stored);
        m_fake->refreshDelayMs = 300;
        auto proxy = startProxy(Environment());
        std::vector<RecordedCall> calls(10);
        for (auto &c : calls)
            post(c, *proxy);
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(calls.begin(), calls.end(), [](const RecordedCall &c) { return c.done(); }), 10000);
        QCOMPARE(m_fake->refreshAttempts, 1);
        QCOMPARE(m_fake->refreshCount, 1);
        const QByteArray expected = "Bearer " + m_fake->issuedAccessTokens.last().toUtf8();
        int upstream = 0;
        for (const auto &r : m_fake->received)
            if (r.path.startsWith("/api/")) {
                ++upstream;
                QCOMPARE(r.header("authorization"), expected);
            }
        QCOMPARE(upstream, 10);
        for (const auto &c : calls)
            QCOMPARE(c.status, 200);
    }

    void proactiveRefreshFromExpiry()
    {
        qint64 offset = 0;
        auto clock = [&offset] { return QDateTime::currentSecsSinceEpoch() + offset; };
        const StoredCredentials stored = storeValidSession();
        auto auth = startAuth(Environment(), clock);
        QCOMPARE(auth->state(), AuthManager::State::Ready);
        auth->checkRefreshDue();
        QCOMPARE(m_fake->refreshAttempts, 0); // fresh token: nothing to do
        offset = 3600 - 700; // 11 minutes before expiry: still not due (10 minutes early at most)
        auth->checkRefreshDue();
        QCOMPARE(m_fake->refreshAttempts, 0);
        offset = 3600 - 500; // within the last 10 minutes: refreshed ahead of expiry, with no request waiting
        auth->checkRefreshDue();
        QTRY_COMPARE(m_fake->refreshCount, 1);
        QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
        QVERIFY(auth->accessExpiresAt() > QDateTime::currentSecsSinceEpoch() + 3000);
        QCOMPARE(readStore().refreshToken, *m_fake->validRefreshTokens.begin());
    }

    void rotationSurvivesRestartWithSameEnv()
    {
        const QString original = m_fake->issueRefreshToken();
        Environment env;
        env.refreshKey = original;
        {
            auto auth = startAuth(env);
            QTRY_COMPARE(m_fake->refreshCount, 1);
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
        }
        QVERIFY(m_fake->spentRefreshTokens.contains(original));
        const QString rotated = readStore().refreshToken;
        QVERIFY(rotated != original);
        QVERIFY(m_fake->validRefreshTokens.contains(rotated));
        // Restart with the same DROID_REFRESH_KEY: the store continues from the rotated token, no invalid_grant.
        {
            auto auth = startAuth(env);
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
            QCOMPARE(m_fake->refreshCount, 1); // the stored access token is still valid: no refresh needed
            auth->recover(auth->statusJson().isEmpty() ? QByteArray() : readStore().accessToken.toUtf8(), this, [](Result<QByteArray>) { });
            QTRY_COMPARE(m_fake->refreshCount, 2); // a forced refresh uses the rotated token and succeeds
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
        }
        // A different DROID_REFRESH_KEY is a new sign-in: adopted.
        const QString other = m_fake->issueRefreshToken();
        env.refreshKey = other;
        auto auth = startAuth(env);
        QTRY_COMPARE(m_fake->refreshCount, 3);
        QVERIFY(m_fake->spentRefreshTokens.contains(other));
    }

    void newTokenStoredBeforeUse()
    {
        StoredCredentials stored;
        stored.refreshToken = m_fake->issueRefreshToken();
        writeStore(stored);
        auto auth = startAuth(Environment());
        bool checked = false;
        auth->acquire(this, [&](Result<QByteArray> bearer) {
            QVERIFY(bearer.ok());
            // At the moment the new access token is handed out, the rotated refresh token is already on disk.
            const StoredCredentials onDisk = readStore();
            QCOMPARE(onDisk.accessToken.toUtf8(), bearer.value());
            QVERIFY(m_fake->validRefreshTokens.contains(onDisk.refreshToken));
            checked = true;
        });
        QTRY_VERIFY(checked);
    }

    void upstream401RefreshesAndRetriesOnce()
    {
        const StoredCredentials stored = storeValidSession();
        m_fake->rejectBearers.insert(stored.accessToken.toUtf8()); // revoked early by the server
        auto proxy = startProxy(Environment());
        RecordedCall rc;
        post(rc, *proxy);
        QTRY_VERIFY(rc.done());
        QCOMPARE(rc.status, 200);
        QCOMPARE(m_fake->refreshCount, 1);
        QCOMPARE(m_fake->received.size() - m_fake->refreshAttempts, 2); // the rejected try and the retry

        // When the new token is refused too, the 401 goes to the client after one retry (no loop).
        m_fake->rejectAllBearers = true;
        const int before = int(m_fake->received.size());
        RecordedCall again;
        post(again, *proxy);
        QTRY_VERIFY(again.done());
        QCOMPARE(again.status, 401);
        QCOMPARE(again.json().value("error").toObject().value("type").toString(), QStringLiteral("authentication_error"));
        QCOMPARE(m_fake->refreshCount, 2);
        QCOMPARE(int(m_fake->received.size()) - before, 3); // request, refresh, retry
    }

    void invalidGrantMeansSignInRequired()
    {
        StoredCredentials stored;
        stored.refreshToken = QStringLiteral("rt-revoked-long-ago-123456");
        writeStore(stored);
        auto proxy = startProxy(Environment());
        RecordedCall rc;
        post(rc, *proxy);
        QTRY_VERIFY(rc.done());
        QCOMPARE(rc.status, 401);
        const QString msg = rc.json().value("error").toObject().value("message").toString();
        QVERIFY2(msg.contains(QStringLiteral("sign-in required")) && msg.contains(QStringLiteral("--sign-in")), qPrintable(msg));
        QCOMPARE(proxy->auth()->state(), AuthManager::State::SignInRequired);
        // Chat clients get it in their own shape too, and no second refresh is attempted.
        RecordedCall chat;
        startCall(*m_http, chat, "POST", QUrl(proxy->baseUrl() + QStringLiteral("/v1/chat/completions")),
                  R"({"model":"glm-5.2","messages":[]})", {}, m_clock);
        QTRY_VERIFY(chat.done());
        QCOMPARE(chat.status, 401);
        QVERIFY(chat.json().value("error").toObject().contains("code"));
        QCOMPARE(m_fake->refreshAttempts, 1);
        QVERIFY(proxy->isRunning()); // never exits
    }

    void networkErrorsBackOffWhileTokenValid()
    {
        qint64 offset = 0;
        auto clock = [&offset] { return QDateTime::currentSecsSinceEpoch() + offset; };
        const StoredCredentials stored = storeValidSession();
        auto auth = startAuth(Environment(), clock);
        m_fake->failNextRefreshes = 2; // WorkOS answers HTTP 500 twice
        offset = 3600 - 300; // due
        auth->checkRefreshDue();
        QTRY_COMPARE(m_fake->refreshAttempts, 1);
        QTRY_VERIFY(!auth->lastError().isEmpty());
        // The current token is still valid: requests keep getting it.
        QByteArray got;
        auth->acquire(this, [&](Result<QByteArray> b) { got = b.ok() ? b.value() : QByteArray("error"); });
        QTRY_COMPARE(got, stored.accessToken.toUtf8());
        // Backoff: an immediate second check does not hammer the service (a refresh would have started inside
        // checkRefreshDue(), counted at once).
        const int started = auth->refreshCount();
        auth->checkRefreshDue();
        QCOMPARE(auth->refreshCount(), started);
        QCOMPARE(m_fake->refreshAttempts, 1);
        offset += 3; // past the first backoff step (2 s)
        auth->checkRefreshDue();
        QTRY_COMPARE(m_fake->refreshAttempts, 2); // HTTP 500 again: backs off further
        QTRY_VERIFY(auth->state() != AuthManager::State::Refreshing); // its answer has been handled
        const int started2 = auth->refreshCount();
        auth->checkRefreshDue();
        QCOMPARE(auth->refreshCount(), started2);
        offset += 5; // past the second step (4 s)
        auth->checkRefreshDue();
        QTRY_COMPARE(m_fake->refreshCount, 1);
        QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
        QVERIFY(auth->lastError().isEmpty());

        // With an expired token and the service unreachable, requests get a clear 503.
        offset += 7200;
        m_fake->dropNextRefreshes = 2; // the connection drops (the pooled-connection retry drops too)
        Result<QByteArray> result = QByteArray();
        bool done = false;
        auth->acquire(this, [&](Result<QByteArray> b) { result = b; done = true; });
        QTRY_VERIFY(done);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().httpStatus, 503);
        QVERIFY(result.error().message.contains(QStringLiteral("retrying in")));
    }

    void deviceFlow_data()
    {
        QTest::addColumn<QStringList>("script");
        QTest::addColumn<QString>("failure"); // empty: success
        QTest::newRow("pending then ok") << QStringList { "authorization_pending", "authorization_pending", "ok" } << QString();
        QTest::newRow("slow_down then ok") << QStringList { "slow_down", "authorization_pending", "ok" } << QString();
        QTest::newRow("expired") << QStringList { "authorization_pending", "expired_token" } << "expired";
        QTest::newRow("denied") << QStringList { "access_denied" } << "denied";
    }

    void deviceFlow()
    {
        QFETCH(QStringList, script);
        QFETCH(QString, failure);
        m_fake->deviceScript = script;
        auto auth = startAuth(Environment());
        DeviceSignIn job(auth->workOs());
        job.setMinimumInterval(0.05);
        job.setSlowDownStep(0.1);
        QSignalSpy code(&job, &DeviceSignIn::codeReady);
        QSignalSpy ok(&job, &DeviceSignIn::succeeded);
        QSignalSpy failed(&job, &DeviceSignIn::failed);
        job.start();
        QTRY_COMPARE(code.count(), 1);
        QCOMPARE(code.first().at(0).toString(), QStringLiteral("WXYZ-1234"));
        QVERIFY(code.first().at(2).toString().contains(QStringLiteral("user_code=WXYZ-1234")));
        QTRY_VERIFY_WITH_TIMEOUT(ok.count() + failed.count() == 1, 5000);
        QCOMPARE(m_fake->devicePolls, int(script.size()));
        if (failure.isEmpty()) {
            const auto tokens = ok.first().first().value<TokenResponse>();
            QCOMPARE(tokens.email, QStringLiteral("dev@example.com"));
            bool stored = false;
            auth->adoptTokens(tokens, QStringLiteral("device"), this, [&](const QString &err) { stored = err.isEmpty(); });
            QTRY_VERIFY(stored);
            QCOMPARE(readStore().refreshToken, tokens.refreshToken);
            QCOMPARE(readStore().source, QStringLiteral("device"));
            QCOMPARE(auth->source(), AuthManager::Source::RefreshToken);
        } else {
            QVERIFY2(failed.first().first().toString().contains(failure), qPrintable(failed.first().first().toString()));
        }
    }

    void deviceFlowCancel()
    {
        m_fake->deviceScript = QStringList(50, QStringLiteral("authorization_pending"));
        auto auth = startAuth(Environment());
        DeviceSignIn job(auth->workOs());
        job.setMinimumInterval(0.05);
        QSignalSpy failed(&job, &DeviceSignIn::failed);
        job.start();
        QTRY_VERIFY(m_fake->devicePolls >= 2);
        job.cancel();
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("cancelled")));
        // Nothing is scheduled any more, and a poll already in flight schedules nothing when it answers.
        QVERIFY(!job.pollScheduled());
        // A poll in flight has been answered once its connection is back in the pool: still nothing scheduled.
        QTRY_COMPARE(m_http->idleConnections(), m_http->openConnections());
        QVERIFY(!job.pollScheduled());
    }

    void droidCliImport_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("error"); // empty: imported
        QTest::newRow("valid") << "auth.json" << QByteArray(R"({"access_token":"at-droid-123456789","refresh_token":"rt-droid-123456789"})") << QString();
        QTest::newRow("malformed") << "auth.json" << QByteArray("{not json") << "is not valid JSON";
        QTest::newRow("no refresh token") << "auth.json" << QByteArray(R"({"access_token":"at-droid-123456789"})") << "has no refresh_token";
        QTest::newRow("encrypted store") << "auth.encrypted" << QByteArray("\x01\x02") << "auth.encrypted / auth.v2.*";
        QTest::newRow("v2 store") << "auth.v2.file" << QByteArray("x") << "--sign-in";
        QTest::newRow("missing") << "" << QByteArray() << "does not exist";
    }

    void droidCliImport()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, content);
        QFETCH(QString, error);
        const QString dir = m_home.path() + QStringLiteral("/droid-%1").arg(m_case);
        QDir().mkpath(dir);
        if (!file.isEmpty()) {
            QFile f(dir + u'/' + file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        const auto r = importDroidCliAuth(dir);
        if (error.isEmpty()) {
            QVERIFY(r.ok());
            QCOMPARE(r.value().refreshToken, QStringLiteral("rt-droid-123456789"));
        } else {
            QVERIFY(!r.ok());
            QVERIFY2(r.error().message.contains(error), qPrintable(r.error().message));
        }
    }

    void droidCliImportedAutomatically()
    {
        const QString dir = m_home.path() + QStringLiteral("/droid-auto");
        QDir().mkpath(dir);
        QFile f(dir + QStringLiteral("/auth.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(QJsonObject { { "refresh_token", m_fake->issueRefreshToken() } }).toJson());
        f.close();
        auto auth = std::make_unique<AuthManager>(m_http.get());
        auth->setWorkOs(m_fake->url(QString()), m_fake->workosClientId);
        auth->setStore(new FileTokenStore(storePath()));
        auth->setDroidCliDir(dir);
        auth->start(Environment());
        QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
        QCOMPARE(auth->source(), AuthManager::Source::RefreshToken);
        QCOMPARE(readStore().source, QStringLiteral("droid-cli"));
        QCOMPARE(m_fake->refreshCount, 1);
    }

    void fileStoreIsPrivateAndAtomic()
    {
        FileTokenStore store(m_home.path() + QStringLiteral("/sub/dir/tokens.json"));
        QString err = QStringLiteral("pending");
        store.write("{\"refresh_token\":\"x\"}", this, [&](const QString &e) { err = e; });
        QTRY_VERIFY(err != u"pending");
        QVERIFY(err.isEmpty());
        const auto perms = QFile::permissions(store.location());
        QCOMPARE(perms & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ReadOwner | QFileDevice::WriteOwner),
                 QFileDevice::Permissions());
        QVERIFY(perms & QFileDevice::ReadOwner);
        // Overwrite: still private, and nothing but the file itself in the folder (no temp file left behind).
        err = QStringLiteral("pending");
        store.write("{\"refresh_token\":\"y\"}", this, [&](const QString &e) { err = e; });
        QTRY_VERIFY(err.isEmpty());
        QCOMPARE(QDir(m_home.path() + QStringLiteral("/sub/dir")).entryList(QDir::Files), QStringList { QStringLiteral("tokens.json") });
        QCOMPARE(QFile::permissions(store.location()) & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        std::optional<QByteArray> value;
        bool read = false;
        store.read(this, [&](std::optional<QByteArray> v, const QString &) { value = v; read = true; });
        QTRY_VERIFY(read);
        QCOMPARE(*value, QByteArray("{\"refresh_token\":\"y\"}"));
    }

    void failedWriteKeepsTokens()
    {
        // The store cannot be written (its folder is a file): the rotated token must not be lost.
        QFile blocker(m_home.path() + QStringLiteral("/blocker"));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        auto auth = std::make_unique<AuthManager>(m_http.get());
        auth->setWorkOs(m_fake->url(QString()), m_fake->workosClientId);
        auth->setStore(new FileTokenStore(blocker.fileName() + QStringLiteral("/tokens.json")));
        auth->setDroidCliDir(m_home.path() + QStringLiteral("/no-droid"));
        Environment env;
        env.refreshKey = m_fake->issueRefreshToken();
        auth->start(env);
        QTRY_COMPARE(m_fake->refreshCount, 1);
        QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
        QVERIFY(auth->storeWarning().contains(QStringLiteral("could not save")));
        QVERIFY(auth->statusJson().value("warning").toString().contains(QStringLiteral("kept in memory")));
        // Requests still work, and a later refresh uses the rotated token (not the spent one).
        QByteArray got;
        auth->acquire(this, [&](Result<QByteArray> b) { got = b.ok() ? b.value() : QByteArray(); });
        QTRY_VERIFY(!got.isEmpty());
        // Wait on the causally last event: the recovery's answer (the fake counts before the state changes).
        std::optional<bool> recovered;
        auth->recover(got, this, [&](Result<QByteArray> b) { recovered = b.ok(); });
        QTRY_VERIFY(recovered.has_value());
        QVERIFY(*recovered);
        QCOMPARE(m_fake->refreshCount, 2);
        QCOMPARE(auth->state(), AuthManager::State::Ready);
    }

    void noKeychainFallsBackToFile()
    {
        // No session bus, so no Secret Service: auto mode keeps tokens in a 0600 file at once and says so.
        const QByteArray saved = qgetenv("DBUS_SESSION_BUS_ADDRESS");
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        auto auth = std::make_unique<AuthManager>(m_http.get());
        auth->setDroidCliDir(m_home.path() + QStringLiteral("/no-droid"));
        QSignalSpy loaded(auth.get(), &AuthManager::loaded);
        auth->start(Environment(), TokenStoreMode::Auto);
        QVERIFY(loaded.wait(30000));
        QCOMPARE(auth->storeKind(), QStringLiteral("file"));
        QVERIFY(auth->storeWarning().contains(QStringLiteral("the OS keychain cannot be used")));
        QVERIFY(auth->statusJson().value("warning").toString().contains(QStringLiteral("readable only by you")));
        // Forced keychain mode reports the problem instead of falling back.
        auto forced = std::make_unique<AuthManager>(m_http.get());
        forced->setDroidCliDir(m_home.path() + QStringLiteral("/no-droid"));
        QSignalSpy loaded2(forced.get(), &AuthManager::loaded);
        forced->start(Environment(), TokenStoreMode::Keychain);
        QVERIFY(loaded2.wait(30000));
        QCOMPARE(forced->storeKind(), QStringLiteral("keychain"));
        QVERIFY(forced->storeWarning().contains(QStringLiteral("cannot read the token store")));
        if (saved.isEmpty())
            qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        else
            qputenv("DBUS_SESSION_BUS_ADDRESS", saved);
    }
};

QTEST_GUILESS_MAIN(TestAuth)
#include "tst_auth.moc"
