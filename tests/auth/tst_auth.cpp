// Factory sign-in: the real AuthManager, token stores, and ProxyService against the fake WorkOS + upstream.
#include "auth/authmanager.h"
#include "auth/devicesignin.h"
#include "auth/droidclistore.h"
#include "auth/jwt.h"
#include "auth/tokenstore.h"
#include "log/log.h"
#include "server/proxyservice.h"
#include "support/fakeupstream.h"
#include "support/testclient.h"
#include "support/testhome.h"
#include "upstream/httpclient.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qtemporarydir.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qprocess.h>
#include <QtTest/qsignalspy.h>
#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

#include <memory>
#include <optional>

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

    void post(RecordedCall &rc, ProxyService &proxy,
              const QByteArray &body = R"({"model":"claude-opus-4-6","max_tokens":5,"messages":[]})",
              const HeaderList &headers = {})
    {
        startCall(*m_http, rc, "POST", QUrl(proxy.baseUrl() + QStringLiteral("/v1/messages")), body, headers, m_clock);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        useTemporaryHome(m_home.path());
        qputenv("XDG_CONFIG_HOME", (m_home.path() + QStringLiteral("/config")).toUtf8());
        m_clock.start();
        log::installChained(false); // the sink sees every line; QTest still gets them
    }

    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); // an unexpected warning is a failure
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
            QCOMPARE(m_fake->received.last().header("authorization"),
                     QByteArray("Bearer fk-stored-api-key-0123456789"));
            QCOMPARE(proxy->auth()->source(), AuthManager::Source::ApiKey);
        }
        // 3. The refresh token beats the client's own key.
        stored.apiKey.clear();
        writeStore(stored);
        {
            auto proxy = startProxy(Environment());
            RecordedCall rc;
            post(rc, *proxy, R"({"model":"claude-opus-4-6","max_tokens":5,"messages":[]})",
                 { { "x-api-key", "client-own-key-123456789" } });
            QTRY_VERIFY(rc.done());
            QCOMPARE(rc.status, 200);
            QCOMPARE(m_fake->received.last().header("authorization"),
                     "Bearer " + m_fake->issuedAccessTokens.last().toUtf8());
            RecordedCall info;
            startCall(*m_http, info, "GET", QUrl(proxy->baseUrl() + QStringLiteral("/")), {}, {}, m_clock);
            QTRY_VERIFY(info.done());
            const QJsonObject auth = info.json().value(QStringLiteral("auth")).toObject();
            QCOMPARE(auth.value(QStringLiteral("source")).toString(), QStringLiteral("refresh_token"));
            QCOMPARE(auth.value(QStringLiteral("state")).toString(), QStringLiteral("ready"));
            QCOMPARE(auth.value(QStringLiteral("email")).toString(), QStringLiteral("dev@example.com"));
            QVERIFY(auth.value(QStringLiteral("access_expires_at")).toString().endsWith(u'Z'));
            QCOMPARE(auth.value(QStringLiteral("store")).toString(), QStringLiteral("file"));
            QVERIFY(!info.body.contains(m_fake->issuedAccessTokens.last().toUtf8()));
        }
        // 4. Nothing configured: the client's own key is forwarded.
        QFile::remove(storePath());
        {
            auto proxy = startProxy(Environment());
            RecordedCall rc;
            post(rc, *proxy, R"({"model":"claude-opus-4-6","max_tokens":5,"messages":[]})",
                 { { "x-api-key", "client-own-key-123456789" } });
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
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(calls.begin(), calls.end(), [](const RecordedCall &c) { return c.done(); }), 10000);
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
            // The upstream refused the stored access token: a forced refresh uses the rotated token and succeeds.
            const QByteArray rejected = readStore().accessToken.toUtf8();
            QVERIFY(!rejected.isEmpty());
            std::optional<Result<QByteArray>> recovered;
            auth->recover(rejected, this, [&recovered](Result<QByteArray> r) { recovered.emplace(std::move(r)); });
            QTRY_COMPARE(m_fake->refreshCount, 2);
            QTRY_VERIFY(recovered.has_value());
            QVERIFY(recovered->ok());
            QVERIFY(!recovered->value().isEmpty() && recovered->value() != rejected);
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
        QCOMPARE(again.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("authentication_error"));
        QCOMPARE(m_fake->refreshCount, 2);
        QCOMPARE(int(m_fake->received.size()) - before, 3); // request, refresh, retry
    }

    void invalidGrantMeansSignInRequired()
    {
        QTest::ignoreMessage(QtWarningMsg,
                             "sign-in required: the sign-in service refused: invalid_grant (Refresh token "
                             "not found.)");
        StoredCredentials stored;
        stored.refreshToken = QStringLiteral("rt-revoked-long-ago-123456");
        writeStore(stored);
        auto proxy = startProxy(Environment());
        RecordedCall rc;
        post(rc, *proxy);
        QTRY_VERIFY(rc.done());
        QCOMPARE(rc.status, 401);
        const QString msg =
            rc.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
        QVERIFY2(msg.contains(QStringLiteral("sign-in required")) && msg.contains(QStringLiteral("--sign-in")),
                 qPrintable(msg));
        QCOMPARE(proxy->auth()->state(), AuthManager::State::SignInRequired);
        // Chat clients get it in their own shape too, and no second refresh is attempted.
        RecordedCall chat;
        startCall(*m_http, chat, "POST", QUrl(proxy->baseUrl() + QStringLiteral("/v1/chat/completions")),
                  R"({"model":"glm-5.2","messages":[]})", {}, m_clock);
        QTRY_VERIFY(chat.done());
        QCOMPARE(chat.status, 401);
        QVERIFY(chat.json().value(QStringLiteral("error")).toObject().contains(QStringLiteral("code")));
        QCOMPARE(m_fake->refreshAttempts, 1);
        // The proxy stays up and keeps answering (GET / needs no credential).
        RecordedCall info;
        startCall(*m_http, info, "GET", QUrl(proxy->baseUrl() + QStringLiteral("/")), QByteArray(), {}, m_clock);
        QTRY_VERIFY(info.done());
        QCOMPARE(info.status, 200);
        QCOMPARE(info.json().value(QStringLiteral("name")).toString(), QStringLiteral("droid2api"));
    }

    void networkErrorsBackOffWhileTokenValid()
    {
        // Two 500s, then the service unreachable: each failure said, with the next try's delay.
        for (const char *failure : { "the sign-in service answered HTTP 500 - retrying in 2 s",
                                     "the sign-in service answered HTTP 500 - retrying in 4 s",
                                     "cannot reach the sign-in service: .* - retrying in 2 s" })
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^token refresh failed: ")
                                                                  + QString::fromLatin1(failure) + u'$'));
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
        auth->acquire(this, [&](Result<QByteArray> b) {
            result = b;
            done = true;
        });
        QTRY_VERIFY(done);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().httpStatus, 503);
        QVERIFY(result.error().message.contains(QStringLiteral("retrying in")));
    }

    void deviceFlow_data()
    {
        QTest::addColumn<QStringList>("script");
        QTest::addColumn<QString>("failure"); // empty: success
        QTest::newRow("pending then ok") << QStringList {
            QStringLiteral("authorization_pending"), QStringLiteral("authorization_pending"), QStringLiteral("ok")
        } << QString();
        QTest::newRow("slow_down then ok")
            << QStringList { QStringLiteral("slow_down"), QStringLiteral("authorization_pending"),
                             QStringLiteral("ok") }
            << QString();
        QTest::newRow("expired") << QStringList { QStringLiteral("authorization_pending"),
                                                  QStringLiteral("expired_token") }
                                 << QStringLiteral("expired");
        QTest::newRow("denied") << QStringList { QStringLiteral("access_denied") } << QStringLiteral("denied");
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
            auth->adoptTokens(tokens, QStringLiteral("device"), this,
                              [&](const QString &err) { stored = err.isEmpty(); });
            QTRY_VERIFY(stored);
            QCOMPARE(readStore().refreshToken, tokens.refreshToken);
            QCOMPARE(readStore().source, QStringLiteral("device"));
            QCOMPARE(auth->source(), AuthManager::Source::RefreshToken);
        } else {
            QVERIFY2(failed.first().first().toString().contains(failure),
                     qPrintable(failed.first().first().toString()));
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

    static QByteArray testKey()
    {
        return QByteArray::fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    }

    /// A droid CLI v2 file store in `dir` holding `plaintext`, encrypted with testKey() as the CLI does.
    static void writeV2(const QString &dir, const QJsonObject &plaintext)
    {
        QDir().mkpath(dir);
        QFile key(dir + QStringLiteral("/auth.v2.key"));
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.write(testKey().toBase64());
        key.close();
        QFile file(dir + QStringLiteral("/auth.v2.file"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(droidcli::encrypt(QJsonDocument(plaintext).toJson(QJsonDocument::Compact), testKey()).value());
    }
    static QJsonObject readV2(const QString &dir)
    {
        QFile file(dir + QStringLiteral("/auth.v2.file"));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(droidcli::decrypt(file.readAll(), testKey()).value()).object();
    }

    void droidCliCrypto()
    {
        // What the real CLI wrote (tests/data/factory-cli/auth-v2, fake tokens) decrypts with its key file to
        // exactly the plaintext recorded next to it; a round trip with our own key gives the input back; a
        // changed byte is refused (GCM's tag).
        for (const char *folder : { "device-login", "refresh" }) {
            const QString dir = QStringLiteral(D2A_TEST_DATA_DIR "/factory-cli/auth-v2/") + QLatin1StringView(folder);
            QFile key(dir + QStringLiteral("/auth.v2.key")), file(dir + QStringLiteral("/auth.v2.file")),
                plain(dir + QStringLiteral("/plaintext.json"));
            QVERIFY(key.open(QIODevice::ReadOnly) && file.open(QIODevice::ReadOnly) && plain.open(QIODevice::ReadOnly));
            const auto r = droidcli::decrypt(file.readAll(), QByteArray::fromBase64(key.readAll().trimmed()));
            QVERIFY2(r.ok(), folder);
            QCOMPARE(r.value(), plain.readAll().trimmed());
        }
        const QByteArray text = droidcli::encrypt(R"({"a":1})", testKey()).value();
        QCOMPARE(text.split(':').size(), 3);
        QCOMPARE(QByteArray::fromBase64(text.split(':').at(0)).size(), 16);
        QCOMPARE(droidcli::decrypt(text, testKey()).value(), QByteArray(R"({"a":1})"));
        QList<QByteArray> fields = text.split(':');
        QByteArray ct = QByteArray::fromBase64(fields[2]);
        ct[0] = char(ct[0] ^ 0x01); // one bit of the ciphertext
        fields[2] = ct.toBase64();
        QVERIFY(!droidcli::decrypt(fields.join(':'), testKey()).ok());
        QVERIFY(!droidcli::decrypt(text, QByteArray(32, 'k')).ok());
    }

    void droidCliImport_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("error"); // empty: imported
        QTest::newRow("v2 file") << "v2" << QString();
        QTest::newRow("v2 without its key") << "v2-nokey"
                                            << "auth.v2.key, is missing";
        QTest::newRow("v2 with another key") << "v2-wrongkey"
                                             << "cannot decrypt";
        QTest::newRow("v2 not the format") << "v2-garbage"
                                           << "iv:tag:ciphertext";
        QTest::newRow("auth.json (older CLIs)") << "json" << QString();
        QTest::newRow("auth.json malformed") << "json-bad"
                                             << "has no refresh_token";
        QTest::newRow("missing") << "none"
                                 << "not signed in";
    }

    void droidCliImport()
    {
        QFETCH(QString, kind);
        QFETCH(QString, error);
        const QString dir = m_home.path() + QStringLiteral("/droid-%1").arg(m_case);
        QDir().mkpath(dir);
        const QJsonObject plain { { QStringLiteral("access_token"), QStringLiteral("at-droid-123456789") },
                                  { QStringLiteral("refresh_token"), QStringLiteral("rt-droid-123456789") },
                                  { QStringLiteral("active_organization_id"), QStringLiteral("org_test") },
                                  { QStringLiteral("whoami"),
                                    QJsonObject { { QStringLiteral("region"), QStringLiteral("global") } } } };
        auto put = [&dir](const char *name, const QByteArray &bytes) {
            QFile f(dir + u'/' + QLatin1StringView(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        };
        if (kind.startsWith(u"v2"))
            writeV2(dir, plain);
        if (kind == u"v2-nokey")
            QFile::remove(dir + QStringLiteral("/auth.v2.key"));
        if (kind == u"v2-wrongkey")
            put("auth.v2.key", QByteArray(32, 'k').toBase64());
        if (kind == u"v2-garbage")
            put("auth.v2.file", "not-the-format");
        if (kind == u"json")
            put("auth.json", QJsonDocument(plain).toJson());
        if (kind == u"json-bad")
            put("auth.json", "{not json");
        DroidCliStore store(dir);
        std::optional<Result<DroidCliSession>> r;
        store.read(this, [&](const Result<DroidCliSession> &x) { r = x; });
        QTRY_VERIFY(r.has_value());
        if (error.isEmpty()) {
            QVERIFY2(r->ok(), qPrintable(r->ok() ? QString() : r->error().message));
            QCOMPARE(r->value().refreshToken, QStringLiteral("rt-droid-123456789"));
            QCOMPARE(r->value().source, kind == u"v2" ? QStringLiteral("keyfile-v2") : QStringLiteral("auth.json"));
        } else {
            QVERIFY(!r->ok());
            QVERIFY2(r->error().message.contains(error), qPrintable(r->error().message));
        }
    }

    void droidCliImportedAutomatically()
    {
        const QString dir = m_home.path() + QStringLiteral("/droid-auto");
        writeV2(dir, QJsonObject { { QStringLiteral("access_token"), m_fake->makeAccessToken(-10) },
                                   { QStringLiteral("refresh_token"), m_fake->issueRefreshToken() },
                                   { QStringLiteral("active_organization_id"), QStringLiteral("org_test") } });
        auto auth = std::make_unique<AuthManager>(m_http.get());
        auth->setWorkOs(m_fake->url(QString()), m_fake->workosClientId);
        auth->setStore(new FileTokenStore(storePath()));
        auth->setDroidCliDir(dir);
        auth->start(Environment());
        QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
        QCOMPARE(auth->source(), AuthManager::Source::RefreshToken);
        QCOMPARE(readStore().source, QStringLiteral("droid-cli"));
        QCOMPARE(auth->organizationId(), QStringLiteral("org_test"));
        QCOMPARE(m_fake->refreshCount, 1);
    }

    void droidCliSignInIsShared()
    {
        // droid2api refreshes the pair it took from the CLI: the CLI's file then holds the new pair (the same key,
        // its other members kept). When the CLI rotates first, droid2api takes the CLI's pair instead of spending
        // the old one. With droid_cli_sync off, the CLI's file is left alone.
        const QString dir = m_home.path() + QStringLiteral("/droid-shared");
        writeV2(dir, QJsonObject { { QStringLiteral("access_token"), m_fake->makeAccessToken(-10) },
                                   { QStringLiteral("refresh_token"), m_fake->issueRefreshToken() },
                                   { QStringLiteral("active_organization_id"), QStringLiteral("org_test") },
                                   { QStringLiteral("whoami"),
                                     QJsonObject { { QStringLiteral("region"), QStringLiteral("global") } } } });
        qint64 now = QDateTime::currentSecsSinceEpoch();
        auto auth = std::make_unique<AuthManager>(m_http.get());
        auth->setWorkOs(m_fake->url(QString()), m_fake->workosClientId);
        auth->setStore(new FileTokenStore(storePath()));
        auth->setDroidCliDir(dir);
        auth->setClock([&now] { return now; });
        auth->start(Environment());
        QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
        QCOMPARE(m_fake->refreshCount, 1);
        // The rotated pair is in the CLI's file once droid2api has written it back (our store says so).
        QTRY_COMPARE(readStore().droidCliSeen, readStore().refreshToken);
        QJsonObject cli = readV2(dir);
        QCOMPARE(cli.value(QStringLiteral("refresh_token")).toString(), readStore().refreshToken);
        QCOMPARE(cli.value(QStringLiteral("access_token")).toString(), readStore().accessToken);
        QCOMPARE(cli.value(QStringLiteral("active_organization_id")).toString(), QStringLiteral("org_test"));
        QCOMPARE(cli.value(QStringLiteral("whoami")).toObject().value(QStringLiteral("region")).toString(),
                 QStringLiteral("global"));
        QVERIFY(m_fake->validRefreshTokens.contains(cli.value(QStringLiteral("refresh_token")).toString()));
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/auth.v2.write.lock"))); // released

        // The CLI rotates first: a new valid pair in its file. droid2api's next refresh takes it, spending nothing.
        const QString cliRefresh = m_fake->issueRefreshToken();
        const QString cliAccess = m_fake->makeAccessToken(7200 + 3600); // fresh at the clock below
        cli.insert(QStringLiteral("refresh_token"), cliRefresh);
        cli.insert(QStringLiteral("access_token"), cliAccess);
        writeV2(dir, cli);
        now += 7200; // our access token is due
        const int refreshes = m_fake->refreshCount;
        std::optional<Result<QByteArray>> bearer;
        auth->acquire(this, [&](Result<QByteArray> b) { bearer = b; });
        QTRY_VERIFY(bearer.has_value());
        QVERIFY(bearer->ok());
        QCOMPARE(QString::fromUtf8(bearer->value()), cliAccess);
        QCOMPARE(m_fake->refreshCount, refreshes); // no refresh: the CLI's access token is fresh
        QTRY_COMPARE(readStore().refreshToken, cliRefresh);
        QVERIFY(m_fake->validRefreshTokens.contains(cliRefresh)); // not spent

        // Sync off: a refresh leaves the CLI's file as it is.
        auth->setDroidCliSync(false);
        const QByteArray before = [&] {
            QFile f(dir + QStringLiteral("/auth.v2.file"));
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }();
        now += 7200 * 24 * 365;
        bearer.reset();
        auth->acquire(this, [&](Result<QByteArray> b) { bearer = b; });
        QTRY_VERIFY(bearer.has_value());
        QVERIFY(bearer->ok());
        QCOMPARE(m_fake->refreshCount, refreshes + 1);
        QFile after(dir + QStringLiteral("/auth.v2.file"));
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before);
    }

    void droidCliLockDiscipline()
    {
        // The CLI's lock: a live owner makes the write wait (and give up after the timeout, the tokens kept);
        // the lock of a process that is gone is reclaimed; an empty lock directory is simply replaced.
        const QString dir = m_home.path() + QStringLiteral("/droid-lock");
        writeV2(dir, QJsonObject { { QStringLiteral("access_token"), QStringLiteral("a1") },
                                   { QStringLiteral("refresh_token"), QStringLiteral("r1") } });
        DroidCliStore store(dir);
        store.setLockTimeoutMs(200);
        std::optional<Result<DroidCliSession>> read;
        store.read(this, [&](const Result<DroidCliSession> &x) { read = x; });
        QTRY_VERIFY(read.has_value());
        QVERIFY(read->ok());
        DroidCliSession next = read->value();
        next.refreshToken = QStringLiteral("r2");
        next.accessToken = QStringLiteral("a2");
        auto lockWith = [&dir](qint64 pid) {
            QDir().mkpath(dir + QStringLiteral("/auth.v2.write.lock"));
            QFile owner(dir + QStringLiteral("/auth.v2.write.lock/owner.json"));
            QVERIFY(owner.open(QIODevice::WriteOnly));
            owner.write(QJsonDocument(QJsonObject { { QStringLiteral("token"), QStringLiteral("someone") },
                                                    { QStringLiteral("pid"), double(pid) } })
                            .toJson(QJsonDocument::Compact));
        };
        auto write = [&] {
            std::optional<QString> err;
            store.write(next, this, [&](const QString &e) { err = e; });
            if (!QTest::qWaitFor([&] { return err.has_value(); }, 5000))
                return QStringLiteral("no answer");
            return *err;
        };
        lockWith(QCoreApplication::applicationPid()); // alive: this very process
        QVERIFY(write().contains(QStringLiteral("timed out")));
        QCOMPARE(readV2(dir).value(QStringLiteral("refresh_token")).toString(), QStringLiteral("r1"));
        QDir(dir + QStringLiteral("/auth.v2.write.lock")).removeRecursively();
        QProcess gone;
        gone.start(QStringLiteral("true"));
        QVERIFY(gone.waitForFinished());
        lockWith(gone.processId() > 0 ? gone.processId() : 2147483000); // that process has exited
        QCOMPARE(write(), QString());
        QCOMPARE(readV2(dir).value(QStringLiteral("refresh_token")).toString(), QStringLiteral("r2"));
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/auth.v2.write.lock")));
        QDir().mkpath(dir + QStringLiteral("/auth.v2.write.lock")); // empty: the rename replaces it
        next.refreshToken = QStringLiteral("r3");
        QCOMPARE(write(), QString());
        QCOMPARE(readV2(dir).value(QStringLiteral("refresh_token")).toString(), QStringLiteral("r3"));
        const auto perms = QFile::permissions(dir + QStringLiteral("/auth.v2.file"));
        QCOMPARE(
            perms
                & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
            QFileDevice::Permissions());
    }

    void rejectedKeyShowsAsSuch()
    {
        // whoami refuses the key: not "ready", and requests get a 401 that says why (no upstream call).
        m_fake->whoamiStatus = 401;
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("Factory rejected the API key \\(HTTP 401\\)")));
        Environment env;
        env.factoryApiKey = QStringLiteral("fk-rejected-0123456789");
        auto proxy = startProxy(env);
        QTRY_COMPARE(proxy->auth()->state(), AuthManager::State::KeyRejected);
        QCOMPARE(m_fake->accountCalls.size(), 1);
        QCOMPARE(m_fake->accountCalls.first().header("x-factory-whoami-extended"), QByteArray("true"));
        QCOMPARE(m_fake->accountCalls.first().header("authorization"), QByteArray("Bearer fk-rejected-0123456789"));
        RecordedCall rc;
        post(rc, *proxy);
        QTRY_VERIFY(rc.done());
        QCOMPARE(rc.status, 401);
        QVERIFY2(rc.body.contains("Factory rejected the API key"), rc.body.constData());
        QVERIFY(m_fake->received.isEmpty());
        QVERIFY(!rc.body.contains("fk-rejected"));
    }

    void regionalAccountsAreServedFromTheirHost()
    {
        // whoami says the account is in the EU: requests go to the EU host (here FACTORY_API_BASE_URL_EU, a
        // second local upstream), as the CLI does; Factory's default host is FACTORY_API_BASE_URL here.
        FakeUpstream eu;
        QVERIFY(eu.listen());
        m_fake->whoamiRegion = QStringLiteral("eu");
        Environment env;
        env.factoryApiKey = QStringLiteral("fk-eu-0123456789");
        env.factoryApiBase = m_fake->url(QString());
        env.factoryApiBaseEu = eu.url(QString());
        auto proxy = std::make_unique<ProxyService>();
        proxy->setEnvironment(env);
        Config c = ConfigLoader::defaults(); // endpoints on api.factory.ai, moved by FACTORY_API_BASE_URL
        c.userAgentUpdateUrl.clear();
        c.tokenStore = QStringLiteral("file");
        ConfigLoader::applyEnvironment(c, env);
        QCOMPARE(c.endpoints.value(ModelType::Anthropic), m_fake->url(QStringLiteral("/api/llm/a/v1/messages")));
        proxy->setConfig(c);
        proxy->auth()->setStore(new FileTokenStore(storePath()));
        proxy->auth()->setDroidCliDir(m_home.path() + QStringLiteral("/no-droid"));
        QVERIFY(proxy->start(QStringLiteral("127.0.0.1"), 0).ok());
        QTRY_COMPARE(m_fake->accountCalls.size(), 1);
        QTRY_VERIFY(!proxy->auth()->regionalApiBase().isEmpty());
        RecordedCall rc;
        post(rc, *proxy);
        QTRY_VERIFY(rc.done());
        QCOMPARE(rc.status, 200);
        QCOMPARE(eu.received.size(), 1);
        QCOMPARE(eu.received.first().path, QByteArray("/api/llm/a/v1/messages"));
        QVERIFY(m_fake->received.isEmpty());
    }

    void signInIsScopedToAnOrganization()
    {
        // A token without an organisation: droid2api asks Factory for the user's organisations and refreshes
        // with organization_id (the first, or the one chosen), then sends it as X-Factory-Org-Id.
        m_fake->organizations = { QStringLiteral("org_a"), QStringLiteral("org_b") };
        Environment env;
        env.refreshKey = m_fake->issueRefreshToken();
        auto proxy = startProxy(env);
        QTRY_COMPARE(proxy->auth()->organizationId(), QStringLiteral("org_a"));
        QCOMPARE(m_fake->refreshOrganizations, QStringList({ QString(), QStringLiteral("org_a") }));
        QCOMPARE(proxy->auth()->organizations(), QStringList({ QStringLiteral("org_a"), QStringLiteral("org_b") }));
        RecordedCall rc;
        post(rc, *proxy);
        QTRY_VERIFY(rc.done());
        QCOMPARE(rc.status, 200);
        QCOMPARE(m_fake->received.last().header("x-factory-org-id"), QByteArray("org_a"));
        // The user picks the other one (Settings > Account): a scoped refresh, stored, sent from then on.
        std::optional<QString> err;
        proxy->auth()->setOrganization(QStringLiteral("org_b"), this, [&](const QString &e) { err = e; });
        QTRY_VERIFY(err.has_value());
        QCOMPARE(*err, QString());
        QCOMPARE(m_fake->refreshOrganizations.last(), QStringLiteral("org_b"));
        QTRY_COMPARE(readStore().organizationId, QStringLiteral("org_b"));
        RecordedCall after;
        post(after, *proxy);
        QTRY_VERIFY(after.done());
        QCOMPARE(m_fake->received.last().header("x-factory-org-id"), QByteArray("org_b"));
    }

    void fileStoreIsPrivateAndAtomic()
    {
        FileTokenStore store(m_home.path() + QStringLiteral("/sub/dir/tokens.json"));
        QString err = QStringLiteral("pending");
        store.write("{\"refresh_token\":\"x\"}", this, [&](const QString &e) { err = e; });
        QTRY_VERIFY(err != u"pending");
        QVERIFY(err.isEmpty());
        const auto perms = QFile::permissions(store.location());
        QCOMPARE(
            perms
                & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ReadOwner | QFileDevice::WriteOwner),
            QFileDevice::Permissions());
        QVERIFY(perms & QFileDevice::ReadOwner);
        // Overwrite: still private, and nothing but the file itself in the folder (no temp file left behind).
        err = QStringLiteral("pending");
        store.write("{\"refresh_token\":\"y\"}", this, [&](const QString &e) { err = e; });
        QTRY_VERIFY(err.isEmpty());
        QCOMPARE(QDir(m_home.path() + QStringLiteral("/sub/dir")).entryList(QDir::Files),
                 QStringList { QStringLiteral("tokens.json") });
        QCOMPARE(QFile::permissions(store.location()) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        std::optional<QByteArray> value;
        bool read = false;
        store.read(this, [&](std::optional<QByteArray> v, const QString &) {
            value = v;
            read = true;
        });
        QTRY_VERIFY(read);
        QCOMPARE(*value, QByteArray("{\"refresh_token\":\"y\"}"));
    }

    void failedWriteKeepsTokens()
    {
        // The store cannot be written (its folder is a file): the rotated token must not be lost. Each failed
        // write is said (the first rotation, the recovery's, and the one after it).
        for (int i = 0; i < 3; ++i)
            QTest::ignoreMessage(QtWarningMsg,
                                 QRegularExpression(QStringLiteral("^could not save the Factory tokens \\(cannot write "
                                                                   ".*blocker/tokens.json: Not a directory\\); they "
                                                                   "are kept in memory")));
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
        QVERIFY(
            auth->statusJson().value(QStringLiteral("warning")).toString().contains(QStringLiteral("kept in memory")));
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
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("^the OS keychain cannot be used .*tokens "
                                                               "are kept in .*tokens.json, readable only "
                                                               "by you, until the keychain works again")));
        auto auth = std::make_unique<AuthManager>(m_http.get());
        auth->setDroidCliDir(m_home.path() + QStringLiteral("/no-droid"));
        QSignalSpy loaded(auth.get(), &AuthManager::loaded);
        auth->start(Environment(), TokenStoreMode::Auto);
        QVERIFY(loaded.wait(30000));
        QCOMPARE(auth->storeKind(), QStringLiteral("file"));
        QVERIFY(auth->storeWarning().contains(QStringLiteral("the OS keychain cannot be used")));
        QVERIFY(auth->statusJson()
                    .value(QStringLiteral("warning"))
                    .toString()
                    .contains(QStringLiteral("readable only by you")));
        // Forced keychain mode reports the problem instead of falling back.
        auto forced = std::make_unique<AuthManager>(m_http.get());
        forced->setDroidCliDir(m_home.path() + QStringLiteral("/no-droid"));
        QSignalSpy loaded2(forced.get(), &AuthManager::loaded);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^cannot read the token store: the OS "
                                                                             "keychain failed")));
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
