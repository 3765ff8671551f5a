// The real OS keychain: gnome-keyring's Secret Service on a private session bus (see run-with-keyring.sh),
// started and stopped by the test, so "the keychain is down at start" and "it came up later" are real.
#include "auth/authmanager.h"
#include "auth/droidclistore.h"
#include "auth/credentials.h"
#include "auth/tokenstore.h"
#include "support/fakeupstream.h"
#include "upstream/httpclient.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qprocess.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qtemporarydir.h>
#include <QtDBus/qdbusconnection.h>
#include <QtDBus/qdbusconnectioninterface.h>
#include <QtTest/qsignalspy.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtTest/qtest.h>

#include <qt6keychain/keychain.h>

using namespace d2a;

namespace {

/// gnome-keyring-daemon in the foreground, owned by the test: up() returns once the Secret Service name is on
/// the bus, down() once it is gone. The keyring file stays in the test's HOME between the two.
class KeyringDaemon
{
public:
    ~KeyringDaemon() { down(); }
    bool up()
    {
        if (m_process.state() != QProcess::NotRunning)
            return true;
        m_process.start(
            QStringLiteral("gnome-keyring-daemon"),
            { QStringLiteral("--foreground"), QStringLiteral("--unlock"), QStringLiteral("--components=secrets") });
        if (!m_process.waitForStarted(5000))
            return false;
        m_process.write("droid2api-test-keyring");
        m_process.closeWriteChannel();
        return QTest::qWaitFor([] { return registered(); }, 10000);
    }
    bool down()
    {
        if (m_process.state() == QProcess::NotRunning)
            return !registered();
        m_process.terminate();
        m_process.waitForFinished(5000);
        return QTest::qWaitFor([] { return !registered(); }, 10000);
    }
    static bool registered()
    {
        return QDBusConnection::sessionBus().interface()->isServiceRegistered(
            QStringLiteral("org.freedesktop.secrets"));
    }

private:
    QProcess m_process;
};

std::optional<QByteArray> readStore(TokenStore &store, QString *error = nullptr)
{
    std::optional<QByteArray> value;
    bool done = false;
    QObject ctx;
    store.read(&ctx, [&](std::optional<QByteArray> v, const QString &e) {
        value = v;
        if (error)
            *error = e;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 20000))
        qWarning("keychain read timed out");
    return value;
}

QString writeStore(TokenStore &store, const QByteArray &value)
{
    QString error = QStringLiteral("timeout");
    bool done = false;
    QObject ctx;
    store.write(value, &ctx, [&](const QString &e) {
        error = e;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 20000))
        qWarning("keychain write timed out");
    return error;
}

QByteArray bigValue(const QByteArray &tag)
{
    QByteArray big;
    for (int i = 0; big.size() < 5000; ++i)
        big += tag + '-' + QByteArray::number(i) + ';';
    return big;
}

/// One keychain entry as stored (bypassing the store's chunk logic); nullopt when absent.
std::optional<QByteArray> rawEntry(const QString &service, const QString &key)
{
    auto *job = new QKeychain::ReadPasswordJob(service);
    job->setAutoDelete(true);
    job->setKey(key);
    std::optional<QByteArray> value;
    bool done = false;
    QObject::connect(job, &QKeychain::Job::finished, job, [&](QKeychain::Job *j) {
        if (j->error() == QKeychain::NoError)
            value = static_cast<QKeychain::ReadPasswordJob *>(j)->binaryData();
        done = true;
    });
    job->start();
    // A read that never finishes must not pass for "no such entry".
    if (!QTest::qWaitFor([&] { return done; }, 10000))
        qFatal("reading %s/%s from the Secret Service did not finish within 10 s", qPrintable(service),
               qPrintable(key));
    return value;
}

} // namespace

class TestKeychain final : public QObject
{
    Q_OBJECT

    KeyringDaemon m_daemon;
    QTemporaryDir m_dir;
    std::unique_ptr<FakeUpstream> m_fake;
    std::unique_ptr<HttpClient> m_http;
    int m_run = 0;

    QString tokenFile() const { return m_dir.filePath(QStringLiteral("tokens.json")); }

    /// An AuthManager in token_store "auto" mode over the real keychain and a file in the test's folder.
    std::unique_ptr<AuthManager> startAuto(const Environment &env, QList<int> startupRetries,
                                           int backgroundFirstMs = 50, KeychainTokenStore **keychainOut = nullptr,
                                           AutoTokenStore **storeOut = nullptr)
    {
        auto auth = std::make_unique<AuthManager>(m_http.get());
        auth->setWorkOs(m_fake->url(QString()), m_fake->workosClientId);
        auth->setDroidCliDir(QStringLiteral("/nonexistent"));
        auto *keychain = new KeychainTokenStore(QStringLiteral("droid2api-test-auto"));
        if (keychainOut)
            *keychainOut = keychain;
        AutoTokenStore *store = AuthManager::makeAutoStore(keychain, new FileTokenStore(tokenFile()));
        store->setRetries(std::move(startupRetries), backgroundFirstMs, qMax(200, backgroundFirstMs));
        if (storeOut)
            *storeOut = store;
        auth->setStore(store);
        auth->start(env, TokenStoreMode::Auto);
        return auth;
    }

    /// Refreshes once now and waits for its answer (the causally last event).
    static bool refreshNow(AuthManager &auth)
    {
        std::optional<bool> ok;
        QByteArray bearer;
        auth.acquire(&auth, [&](Result<QByteArray> b) { bearer = b.ok() ? b.value() : QByteArray("x"); });
        if (!QTest::qWaitFor([&] { return !bearer.isEmpty(); }, 10000))
            return false;
        auth.recover(bearer, &auth, [&](Result<QByteArray> b) { ok = b.ok(); });
        return QTest::qWaitFor([&] { return ok.has_value(); }, 10000) && *ok;
    }

    StoredCredentials inKeychain()
    {
        KeychainTokenStore reader(QStringLiteral("droid2api-test-auto"));
        return StoredCredentials::fromJson(readStore(reader).value_or(QByteArray("{}")));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QDBusConnection::sessionBus().isConnected(), "run under tests/auth/keychain/run-with-keyring.sh");
        QVERIFY(m_daemon.up());
    }

    void init()
    {
        // Expected warnings: the file fallback, and a refused (spent) refresh token in the last run below.
        QTest::failOnWarning(
            QRegularExpression(QStringLiteral("^(?!.*(OS keychain cannot be used|sign-in required)).*$")));
        m_fake = std::make_unique<FakeUpstream>();
        QVERIFY(m_fake->listen());
        m_http = std::make_unique<HttpClient>();
        // Each test starts with an empty keychain service and no token file.
        QVERIFY(m_daemon.up());
        KeychainTokenStore clean(QStringLiteral("droid2api-test-auto"));
        bool removed = false;
        QObject ctx;
        clean.remove(&ctx, [&](const QString &e) { removed = e.isEmpty(); });
        QTRY_VERIFY(removed);
        QFile::remove(tokenFile());
    }

    void roundTripSmallAndChunked()
    {
        KeychainTokenStore store(QStringLiteral("droid2api-test"), QStringLiteral("credentials"));
        QString error;
        readStore(store, &error);
        QVERIFY2(error.isEmpty(), qPrintable(QStringLiteral("the keychain is not usable here: ") + error));

        QCOMPARE(writeStore(store, "{\"refresh_token\":\"small\"}"), QString());
        QCOMPARE(*readStore(store), QByteArray("{\"refresh_token\":\"small\"}"));

        // Larger than one Windows credential blob: stored in chunks behind a pointer, read back whole.
        const QByteArray big = bigValue("token-part");
        QCOMPARE(writeStore(store, big), QString());
        QCOMPARE(*readStore(store), big);
        // The main entry is a pointer to the chunks of one generation; the first chunk is 2000 bytes.
        const QByteArray pointer =
            rawEntry(QStringLiteral("droid2api-test"), QStringLiteral("credentials")).value_or(QByteArray());
        QVERIFY2(pointer.startsWith("d2a-chunks:") && pointer.count(':') == 2, pointer.constData());
        const QString generation = QString::fromLatin1(pointer.split(':').at(1));
        QCOMPARE(rawEntry(QStringLiteral("droid2api-test"), QStringLiteral("credentials.%1.0").arg(generation))->size(),
                 qsizetype(KeychainTokenStore::kChunkBytes));
        // A new value moves the pointer to a new generation and deletes the old chunks.
        const QByteArray big2 = bigValue("second");
        QCOMPARE(writeStore(store, big2), QString());
        QCOMPARE(*readStore(store), big2);
        QTRY_VERIFY(!rawEntry(QStringLiteral("droid2api-test"), QStringLiteral("credentials.%1.0").arg(generation))
                         .has_value());

        // Back to a small value, then removal of every part.
        QCOMPARE(writeStore(store, "{}"), QString());
        QCOMPARE(*readStore(store), QByteArray("{}"));
        QCOMPARE(writeStore(store, big), QString());
        bool removed = false;
        QObject ctx;
        store.remove(&ctx, [&](const QString &e) { removed = e.isEmpty(); });
        QTRY_VERIFY(removed);
        QVERIFY(!readStore(store).has_value());
    }

    void droidCliKeyringStore()
    {
        // The droid CLI's auth.v2.keyring: its key lives in the Secret Service as keytar stores it (generic
        // secret, attributes service "Factory CLI" and account "auth-encryption-key"), put there with
        // secret-tool as the CLI would. droid2api reads the key, decrypts, and writes a rotation back with it.
        const QByteArray key = QByteArray::fromHex("1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100");
        QProcess tool;
        tool.start(QStringLiteral("secret-tool"),
                   { QStringLiteral("store"), QStringLiteral("--label=Factory CLI"), QStringLiteral("service"),
                     QStringLiteral("Factory CLI"), QStringLiteral("account"), QStringLiteral("auth-encryption-key") });
        QVERIFY(tool.waitForStarted());
        tool.write(key.toBase64());
        tool.closeWriteChannel();
        QVERIFY(tool.waitForFinished());
        QCOMPARE(tool.exitCode(), 0);
        const QString dir = m_dir.path() + QStringLiteral("/factory-keyring");
        QDir().mkpath(dir);
        QFile file(dir + QStringLiteral("/auth.v2.keyring"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            droidcli::encrypt(
                R"({"access_token":"at-k","refresh_token":"rt-keyring-1","active_organization_id":"org_k"})", key)
                .value());
        file.close();
        DroidCliStore store(dir);
        std::optional<Result<DroidCliSession>> r;
        store.read(this, [&](const Result<DroidCliSession> &x) { r = x; });
        QTRY_VERIFY(r.has_value());
        QVERIFY2(r->ok(), qPrintable(r->ok() ? QString() : r->error().message));
        QCOMPARE(r->value().source, QStringLiteral("keyring-v2"));
        QCOMPARE(r->value().refreshToken, QStringLiteral("rt-keyring-1"));
        QCOMPARE(r->value().organizationId, QStringLiteral("org_k"));
        DroidCliSession next = r->value();
        next.refreshToken = QStringLiteral("rt-keyring-2");
        std::optional<QString> err;
        store.write(next, this, [&](const QString &e) { err = e; });
        QTRY_VERIFY(err.has_value());
        QCOMPARE(*err, QString());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject back = QJsonDocument::fromJson(droidcli::decrypt(file.readAll(), key).value()).object();
        QCOMPARE(back.value(QStringLiteral("refresh_token")).toString(), QStringLiteral("rt-keyring-2"));
        QCOMPARE(back.value(QStringLiteral("active_organization_id")).toString(), QStringLiteral("org_k"));
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/auth.v2.file"))); // written where it was read from
    }

    /// A chunked write that fails halfway: readers (and a restart) still see the whole old value; old and new
    /// chunks never mix.
    void chunkedWriteFailingHalfwayKeepsTheOldValue()
    {
        const QString service = QStringLiteral("droid2api-test-fault");
        KeychainTokenStore store(service);
        const QByteArray before = bigValue("old");
        QCOMPARE(writeStore(store, before), QString());
        int chunkWrites = 0;
        store.setWriteFault([&chunkWrites](const QString &key) { return key.count(u'.') == 2 && ++chunkWrites == 2; });
        const QByteArray after = bigValue("new");
        QVERIFY(!writeStore(store, after).isEmpty());
        QCOMPARE(chunkWrites, 2);
        QCOMPARE(*readStore(store), before);
        KeychainTokenStore restarted(service); // a new process reads the old value whole
        QCOMPARE(*readStore(restarted), before);
        // The pointer itself failing: the same.
        store.setWriteFault([](const QString &key) { return !key.contains(u'.'); });
        QVERIFY(!writeStore(store, after).isEmpty());
        QCOMPARE(*readStore(restarted), before);
        store.setWriteFault({});
        QCOMPARE(writeStore(store, after), QString());
        QCOMPARE(*readStore(restarted), after);
    }

    void rotationSurvivesRestartInKeychain()
    {
        Environment env;
        env.refreshKey = m_fake->issueRefreshToken();
        {
            auto auth = startAuto(env, {});
            QTRY_COMPARE(m_fake->refreshCount, 1);
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
            QCOMPARE(auth->storeKind(), QStringLiteral("keychain"));
        }
        const StoredCredentials stored = inKeychain();
        QVERIFY(m_fake->validRefreshTokens.contains(stored.refreshToken)); // the rotated token is in the keychain
        QVERIFY(stored.refreshToken != env.refreshKey);
        {
            auto auth = startAuto(env, {}); // same DROID_REFRESH_KEY, already spent upstream
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
            QVERIFY(refreshNow(*auth));
            QCOMPARE(m_fake->refreshCount, 2);
            QCOMPARE(m_fake->refreshAttempts, 2); // never an invalid_grant
        }
    }

    /// The keychain is down when droid2api starts (started at login before the Secret Service), then comes up;
    /// whatever the order, the token the fake WorkOS issued last is the one used after every restart.
    void keychainDownAtStartThenUp()
    {
        Environment env;
        env.refreshKey = m_fake->issueRefreshToken();
        auto lastIssued = [this] { return m_fake->validRefreshTokens.values(); };

        // Run 1: the keychain is down throughout. The rotation goes to the file, and nothing is lost.
        QVERIFY(m_daemon.down());
        {
            auto auth = startAuto(env, { 20, 20 });
            QTRY_COMPARE(m_fake->refreshCount, 1);
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
            QCOMPARE(auth->storeKind(), QStringLiteral("file"));
            QVERIFY(auth->storeWarning().contains(QStringLiteral("OS keychain cannot be used")));
        }
        QVERIFY(QFile::exists(tokenFile()));
        QCOMPARE(QFile::permissions(tokenFile()) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
        const QString afterRun1 = StoredCredentials::fromJson([this] {
                                      QFile f(tokenFile());
                                      f.open(QIODevice::ReadOnly);
                                      return f.readAll();
                                  }())
                                      .refreshToken;
        QCOMPARE(QStringList { afterRun1 }, lastIssued());

        // Run 2: the keychain is up. The file's copy is newer than the keychain's (none): it moves into the
        // keychain, the file goes, and the chain continues from it (the spent DROID_REFRESH_KEY is not reused).
        QVERIFY(m_daemon.up());
        {
            auto auth = startAuto(env, { 20 });
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
            QCOMPARE(auth->storeKind(), QStringLiteral("keychain"));
            QVERIFY(!QFile::exists(tokenFile()));
            QCOMPARE(inKeychain().refreshToken, afterRun1);
            QVERIFY(refreshNow(*auth));
            QCOMPARE(m_fake->refreshAttempts, m_fake->refreshCount); // no invalid_grant
        }
        QCOMPARE(QStringList { inKeychain().refreshToken }, lastIssued());

        // Run 3: down at start, up while droid2api waits for it: the keychain's copy is used.
        QVERIFY(m_daemon.down());
        {
            AutoTokenStore *store = nullptr;
            auto auth = startAuto(env, { 300, 300, 300, 300, 300, 2000, 5000 }, 50, nullptr, &store);
            QSignalSpy retrying(store, &AutoTokenStore::retrying);
            QVERIFY(retrying.wait(10000)); // the first attempt found no keychain
            QCOMPARE(auth->state(), AuthManager::State::Loading); // it waits for the keychain
            QVERIFY(m_daemon.up());
            QTRY_COMPARE_WITH_TIMEOUT(auth->state(), AuthManager::State::Ready, 15000);
            QCOMPARE(auth->storeKind(), QStringLiteral("keychain"));
            QVERIFY(refreshNow(*auth));
            QCOMPARE(m_fake->refreshAttempts, m_fake->refreshCount);
        }
        QCOMPARE(QStringList { inKeychain().refreshToken }, lastIssued());

        // Run 4: down for the whole start. The only token at hand is the spent DROID_REFRESH_KEY (refused),
        // until the keychain answers again: then its newer copy is adopted and used.
        QVERIFY(m_daemon.down());
        {
            auto auth = startAuto(env, {});
            QTRY_COMPARE(auth->state(), AuthManager::State::SignInRequired);
            QCOMPARE(auth->storeKind(), QStringLiteral("file"));
            const int attempts = m_fake->refreshAttempts;
            QCOMPARE(m_fake->refreshCount, attempts - 1); // that one was refused
            QVERIFY(m_daemon.up());
            QTRY_COMPARE_WITH_TIMEOUT(auth->state(), AuthManager::State::Ready, 20000);
            QCOMPARE(auth->storeKind(), QStringLiteral("keychain"));
            QVERIFY(refreshNow(*auth)); // with the keychain's token: accepted
            QCOMPARE(m_fake->refreshAttempts, attempts + 1);
            QCOMPARE(m_fake->refreshCount, attempts);
        }
        QCOMPARE(QStringList { inKeychain().refreshToken }, lastIssued());
        QVERIFY(!QFile::exists(tokenFile()));
    }

    /// A rotation whose keychain write fails halfway through its chunks is kept in the file, and the next start
    /// uses it (then moves it into the keychain).
    void rotationWrittenHalfwayIsNotLost()
    {
        Environment env;
        env.refreshKey = m_fake->issueRefreshToken();
        m_fake->email = QString(3000, u'x') + QStringLiteral("@example.com"); // credentials over one chunk
        KeychainTokenStore *keychain = nullptr;
        {
            auto auth = startAuto(env, {}, 600000, &keychain); // no background retry during this run
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
            int chunkWrites = 0;
            keychain->setWriteFault(
                [&chunkWrites](const QString &key) { return key.count(u'.') == 2 && ++chunkWrites == 2; });
            QVERIFY(refreshNow(*auth));
            QCOMPARE(chunkWrites, 2);
            QCOMPARE(auth->storeKind(), QStringLiteral("file")); // the rotation went to the file
            keychain->setWriteFault({});
        }
        const QStringList issued = m_fake->validRefreshTokens.values();
        QVERIFY(inKeychain().refreshToken != issued.value(0)); // the keychain still has the older one
        {
            auto auth = startAuto(env, {});
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
            QCOMPARE(inKeychain().refreshToken, issued.value(0)); // moved into the keychain
            QVERIFY(!QFile::exists(tokenFile()));
            QVERIFY(refreshNow(*auth));
            QCOMPARE(m_fake->refreshAttempts, m_fake->refreshCount);
        }
        m_fake->email = QStringLiteral("dev@example.com");
    }
};

QTEST_GUILESS_MAIN(TestKeychain)
#include "tst_keychain.moc"
