// Config loading and validation.
#include "config/config.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qstandardpaths.h>
#include <QtCore/qtemporarydir.h>
#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

using namespace d2a;

class TestConfig final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    void defaultsShipTheOriginalModels()
    {
        const Config c = ConfigLoader::defaults();
        QCOMPARE(c.port, 3000);
        QCOMPARE(c.host, QStringLiteral("127.0.0.1"));
        QCOMPARE(c.models.size(), 15);
        QVERIFY(c.findModel(QStringLiteral("claude-opus-4-6")));
        QCOMPARE(c.findModel(QStringLiteral("glm-4.7"))->type, ModelType::Common);
        QCOMPARE(c.findModel(QStringLiteral("glm-4.7"))->reasoning, ReasoningLevel::Off);
        QVERIFY(c.findModel(QStringLiteral("claude-opus-4-6-fast"))->fast);
        QCOMPARE(c.endpoints.value(ModelType::Google).toString(), QStringLiteral("https://api.factory.ai/api/llm/g/v1/generate"));
        QVERIFY(c.systemPrompt.startsWith(QStringLiteral("You are Droid")));
        QCOMPARE(c.redirect(QStringLiteral("claude-sonnet-4-5")), QStringLiteral("claude-sonnet-4-5-20250929"));
    }

    void originalConfigLoadsUnchanged()
    {
        // The original droid2api config.json shape: three endpoints, proxies as objects, no google endpoint.
        QFile file(QStringLiteral(D2A_TEST_DATA_DIR "/original-config.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray original = file.readAll();
        const auto r = ConfigLoader::fromJson(original, QStringLiteral("config.json"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r.value().models.size(), 2);
        QCOMPARE(r.value().proxies, QStringList { QStringLiteral("http://proxy.example:8080") });
        QVERIFY(r.value().endpoints.contains(ModelType::Google));
        QVERIFY(r.value().findModel(QStringLiteral("claude-opus-4-6-fast"))->fast);
    }

    void refusals_data()
    {
        // Rows live in tests/data/config-refusals.json: {name, json (the file's text), expected (part of the message)}.
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QFile file(QStringLiteral(D2A_TEST_DATA_DIR "/config-refusals.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray rows = QJsonDocument::fromJson(file.readAll()).array();
        QVERIFY(rows.size() >= 15);
        for (const QJsonValue &row : rows) {
            const QJsonObject r = row.toObject();
            QTest::newRow(qPrintable(r.value(QStringLiteral("name")).toString()))
                << r.value(QStringLiteral("json")).toString().toUtf8() << r.value(QStringLiteral("expected")).toString();
        }
    }

    void refusals()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const auto r = ConfigLoader::fromJson(json, QStringLiteral("my.json"));
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(expected), qPrintable(r.error().message));
    }

    void partialFileTakesDefaults()
    {
        const auto r = ConfigLoader::fromJson(R"({"port": 4123, "access_key": "k", "user_agent_update_url": ""})", QStringLiteral("x"));
        QVERIFY(r.ok());
        QCOMPARE(r.value().port, 4123);
        QCOMPARE(r.value().models.size(), 15);
        QVERIFY(r.value().userAgentUpdateUrl.isEmpty());
        QCOMPARE(r.value().accessKey, QStringLiteral("k"));
    }

    void userFileCreatedOnceAndNeverOverwritten()
    {
        QTemporaryDir home;
        qputenv("HOME", home.path().toUtf8());
        qputenv("XDG_CONFIG_HOME", (home.path() + QStringLiteral("/.config")).toUtf8());
        QStandardPaths::setTestModeEnabled(false);
        QString created;
        auto first = ConfigLoader::loadOrCreateUserConfig(&created);
        QVERIFY(first.ok());
        QVERIFY(created.startsWith(home.path()));
        QVERIFY(QFile::exists(created));
        // The user's edit, even a broken one, is refused and left as it is.
        QFile f(created);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{ broken");
        f.close();
        QString again;
        auto second = ConfigLoader::loadOrCreateUserConfig(&again);
        QVERIFY(!second.ok());
        QVERIFY(again.isEmpty());
        QVERIFY(second.error().message.contains(QStringLiteral("invalid JSON")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("{ broken"));
    }

    void missingFile()
    {
        const auto r = ConfigLoader::loadFile(QStringLiteral("/nonexistent/droid2api.json"));
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("does not exist")));
    }

    void environment()
    {
        qputenv("PORT", "4555");
        qputenv("DEBUG", "true");
        qputenv("FACTORY_API_KEY", "  fk-abc  ");
        const Environment env = Environment::fromProcess();
        QCOMPARE(*env.port, 4555);
        QVERIFY(env.debug);
        QCOMPARE(env.factoryApiKey, QStringLiteral("fk-abc"));
        Config c = ConfigLoader::defaults();
        ConfigLoader::applyEnvironment(c, env);
        QCOMPARE(c.port, 4555);
        qunsetenv("PORT");
        qunsetenv("DEBUG");
        qunsetenv("FACTORY_API_KEY");
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
