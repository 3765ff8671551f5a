// The real OS keychain: gnome-keyring's Secret Service on a private session bus (see run-with-keyring.sh).
#include "auth/authmanager.h"
#include "auth/tokenstore.h"
#include "support/fakeupstream.h"
#include "upstream/httpclient.h"

#include <QtCore/qregularexpression.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

using namespace d2a;

class TestKeychain final : public QObject
{
    Q_OBJECT

    static std::optional<QByteArray> readStore(TokenStore &store, QString *error = nullptr)
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
        if (!QTest::qWaitFor([&] { return done; }, 10000))
            qWarning("keychain read timed out");
        return value;
    }

    static QString writeStore(TokenStore &store, const QByteArray &value)
    {
        QString error = QStringLiteral("timeout");
        bool done = false;
        QObject ctx;
        store.write(value, &ctx, [&](const QString &e) {
            error = e;
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 10000))
            qWarning("keychain write timed out");
        return error;
    }

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    void roundTripSmallAndChunked()
    {
        KeychainTokenStore store(QStringLiteral("droid2api-test"), QStringLiteral("credentials"));
        QString error;
        readStore(store, &error);
        QVERIFY2(error.isEmpty(), qPrintable(QStringLiteral("the keychain is not usable here: ") + error));

        QCOMPARE(writeStore(store, "{\"refresh_token\":\"small\"}"), QString());
        QCOMPARE(*readStore(store), QByteArray("{\"refresh_token\":\"small\"}"));

        // Larger than one Windows credential blob: stored in chunks, read back whole.
        QByteArray big;
        for (int i = 0; big.size() < 5000; ++i)
            big += "token-part-" + QByteArray::number(i) + ';';
        QCOMPARE(writeStore(store, big), QString());
        QCOMPARE(*readStore(store), big);
        KeychainTokenStore part0(QStringLiteral("droid2api-test"), QStringLiteral("credentials.0"));
        QCOMPARE(readStore(part0)->size(), qsizetype(KeychainTokenStore::kChunkBytes));

        // Back to a small value, then removal of every part.
        QCOMPARE(writeStore(store, "{}"), QString());
        QCOMPARE(*readStore(store), QByteArray("{}"));
        QCOMPARE(writeStore(store, big), QString());
        bool removed = false;
        QObject ctx;
        store.remove(&ctx, [&](const QString &e) { removed = e.isEmpty(); });
        QTRY_VERIFY(removed);
        QVERIFY(!readStore(store).has_value());
        QTRY_VERIFY(!readStore(part0).has_value());
    }

    void rotationSurvivesRestartInKeychain()
    {
        FakeUpstream fake;
        QVERIFY(fake.listen());
        HttpClient http;
        Environment env;
        env.refreshKey = fake.issueRefreshToken();
        auto startAuth = [&] {
            auto auth = std::make_unique<AuthManager>(&http);
            auth->setWorkOs(fake.url(QString()), fake.workosClientId);
            auth->setStore(new KeychainTokenStore(QStringLiteral("droid2api-test-rotation")));
            auth->setDroidCliDir(QStringLiteral("/nonexistent"));
            auth->start(env, TokenStoreMode::Keychain);
            return auth;
        };
        {
            auto auth = startAuth();
            QTRY_COMPARE(fake.refreshCount, 1);
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
            QCOMPARE(auth->storeKind(), QStringLiteral("keychain"));
        }
        KeychainTokenStore reader(QStringLiteral("droid2api-test-rotation"));
        const StoredCredentials stored = StoredCredentials::fromJson(*readStore(reader));
        QVERIFY(fake.validRefreshTokens.contains(stored.refreshToken)); // the rotated token is in the keychain
        QVERIFY(stored.refreshToken != env.refreshKey);
        {
            auto auth = startAuth(); // same DROID_REFRESH_KEY, already spent upstream
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
            auth->recover(stored.accessToken.toUtf8(), this, [](Result<QByteArray>) { });
            QTRY_COMPARE(fake.refreshCount, 2);
            QTRY_COMPARE(auth->state(), AuthManager::State::Ready);
        }
    }
};

QTEST_GUILESS_MAIN(TestKeychain)
#include "tst_keychain.moc"
