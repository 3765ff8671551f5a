// Client setup against a temporary HOME: minimal edits, backups, exact restore, refusals.
#include "integrations/clientsetup.h"
#include "integrations/textedit.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qtemporarydir.h>
#include <QtTest/qtest.h>

using namespace d2a;

class TestClientSetup final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_case = 0;
    QString home() const { return m_dir.path() + QStringLiteral("/home%1").arg(m_case); }
    ClientSetup setup() const { return ClientSetup(home(), home() + QStringLiteral("/state")); }
    static ClientSettings settings()
    {
        return { QStringLiteral("http://127.0.0.1:3000"), QStringLiteral("d2a-key-123"), QString() };
    }

    void write(const QString &path, const QByteArray &bytes)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
    static QByteArray read(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
    }

private Q_SLOTS:
    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
        ++m_case;
    }

    void freshFilesAndRemoval()
    {
        ClientSetup s = setup();
        for (const QString &client : { QStringLiteral("claude-code"), QStringLiteral("codex") }) {
            auto plan = s.planConnect(client, settings());
            QVERIFY2(plan.ok(), qPrintable(plan.ok() ? QString() : plan.error().message));
            QVERIFY(!plan.value().existed);
            QVERIFY(plan.value().diff.contains(QStringLiteral("+")));
            QVERIFY(s.apply(plan.value()).ok());
        }
        const QJsonObject claude =
            QJsonDocument::fromJson(read(ClientSetup::configPath(QStringLiteral("claude-code"), home()))).object();
        QCOMPARE(claude.value(QStringLiteral("env")).toObject().value(QStringLiteral("ANTHROPIC_BASE_URL")).toString(),
                 QStringLiteral("http://127.0.0.1:3000"));
        QCOMPARE(
            claude.value(QStringLiteral("env")).toObject().value(QStringLiteral("ANTHROPIC_AUTH_TOKEN")).toString(),
            QStringLiteral("d2a-key-123"));
        const QByteArray codex = read(ClientSetup::configPath(QStringLiteral("codex"), home()));
        QVERIFY(codex.startsWith("model_provider = \"droid2api\"\n"));
        QVERIFY(codex.contains("[model_providers.droid2api]\nname = \"droid2api\"\nbase_url = "
                               "\"http://127.0.0.1:3000/v1\"\nwire_api = \"responses\"\n"));
        QVERIFY(codex.contains("http_headers = { \"Authorization\" = \"Bearer d2a-key-123\" }"));
        QVERIFY(textedit::tomlValidate(QString::fromUtf8(codex)).ok());
        // Disconnect removes the files droid2api created.
        for (const QString &client : { QStringLiteral("claude-code"), QStringLiteral("codex") }) {
            auto plan = s.planDisconnect(client);
            QVERIFY(plan.ok());
            QVERIFY(plan.value().removeFile);
            QVERIFY(s.applyDisconnect(plan.value()).ok());
            QVERIFY(!QFile::exists(ClientSetup::configPath(client, home())));
        }
        QVERIFY(!s.planDisconnect(QStringLiteral("codex")).ok()); // nothing left to undo
    }

    void existingFilesKeepEveryOtherByte()
    {
        const QString claudePath = ClientSetup::configPath(QStringLiteral("claude-code"), home());
        const QByteArray claudeBefore = "{\n    \"model\": \"opus\",\n    \"permissions\": {\"allow\": "
                                        "[\"Bash(ls:*)\"]},\n    \"env\": {\n        \"FOO\": \"bar\"\n    }\n}\n";
        write(claudePath, claudeBefore);
        const QString codexPath = ClientSetup::configPath(QStringLiteral("codex"), home());
        const QByteArray codexBefore =
            "# my codex settings\nmodel = \"o4-mini\"  # keep\napproval_policy = "
            "\"on-request\"\n\n[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\n  \"-y\",\n  \"docs-mcp\",\n]\n";
        write(codexPath, codexBefore);
        ClientSetup s = setup();
        auto claude = s.planConnect(QStringLiteral("claude-code"), settings());
        QVERIFY(claude.ok());
        QCOMPARE(claude.value().after, QStringLiteral("{\n    \"model\": \"opus\",\n    \"permissions\": {\"allow\": "
                                                      "[\"Bash(ls:*)\"]},\n    \"env\": {\n        \"FOO\": \"bar\",\n"
                                                      "        \"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:3000\",\n    "
                                                      "    \"ANTHROPIC_AUTH_TOKEN\": \"d2a-key-123\"\n    }\n}\n"));
        QVERIFY(
            !claude.value().diff.contains(QStringLiteral("\n-    \"model\""))); // untouched lines are not in the change
        QVERIFY(s.apply(claude.value()).ok());
        auto codex = s.planConnect(QStringLiteral("codex"), settings());
        QVERIFY(codex.ok());
        QVERIFY(codex.value().after.startsWith(
            QStringLiteral("# my codex settings\nmodel = \"o4-mini\"  # keep\napproval_policy = "
                           "\"on-request\"\nmodel_provider = \"droid2api\"\n")));
        QVERIFY(codex.value().after.contains(
            QString::fromUtf8(codexBefore.mid(codexBefore.indexOf("[mcp_servers.docs]")))));
        QVERIFY(s.apply(codex.value()).ok());
        // Backups hold the old bytes, and disconnect restores them exactly.
        const QStringList backups = QDir(QFileInfo(claudePath).absolutePath())
                                        .entryList({ QStringLiteral("settings.json.droid2api-backup-*") });
        QCOMPARE(backups.size(), 1);
        QCOMPARE(read(QFileInfo(claudePath).absolutePath() + u'/' + backups.first()), claudeBefore);
        for (const QString &client : { QStringLiteral("claude-code"), QStringLiteral("codex") }) {
            auto plan = s.planDisconnect(client);
            QVERIFY(plan.ok());
            QVERIFY(s.applyDisconnect(plan.value()).ok());
        }
        QCOMPARE(read(claudePath), claudeBefore);
        QCOMPARE(read(codexPath), codexBefore);
    }

    void malformedFilesAreNeverTouched_data()
    {
        QTest::addColumn<QString>("client");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("problem");
        QTest::newRow("json syntax") << "claude-code" << QByteArray("{ \"env\": { \"A\": 1, } ") << "not valid JSON";
        QTest::newRow("json array") << "claude-code" << QByteArray("[1,2]") << "not an object";
        QTest::newRow("json env not object")
            << "claude-code" << QByteArray("{\"env\": \"x\"}") << "'env' is not an object";
        QTest::newRow("toml header") << "codex" << QByteArray("[broken\nx = 1\n") << "not valid TOML at line 1";
        QTest::newRow("toml garbage") << "codex" << QByteArray("model = \"a\"\nthis is not toml\n")
                                      << "not valid TOML at line 2";
        QTest::newRow("toml string") << "codex" << QByteArray("model = \"unterminated\n") << "unterminated string";
    }

    void malformedFilesAreNeverTouched()
    {
        QFETCH(QString, client);
        QFETCH(QByteArray, content);
        QFETCH(QString, problem);
        const QString path = ClientSetup::configPath(client, home());
        write(path, content);
        auto plan = setup().planConnect(client, settings());
        QVERIFY(!plan.ok());
        QVERIFY2(plan.error().message.contains(path) && plan.error().message.contains(problem),
                 qPrintable(plan.error().message));
        QCOMPARE(read(path), content);
        QCOMPARE(QDir(QFileInfo(path).absolutePath()).entryList(QDir::Files).size(), 1); // no backup, no temp file
    }

    void disconnectAfterUserEditRemovesOnlyOurKeys()
    {
        const QString claudePath = ClientSetup::configPath(QStringLiteral("claude-code"), home());
        write(claudePath,
              "{\n  \"env\": {\n    \"ANTHROPIC_BASE_URL\": \"https://old.example\",\n    \"KEEP\": \"1\"\n  }\n}\n");
        const QString codexPath = ClientSetup::configPath(QStringLiteral("codex"), home());
        write(codexPath, "model_provider = \"openai\"\n");
        ClientSetup s = setup();
        QVERIFY(s.apply(s.planConnect(QStringLiteral("claude-code"), settings()).value()).ok());
        QVERIFY(s.apply(s.planConnect(QStringLiteral("codex"), settings()).value()).ok());
        // The user edits both files after connecting.
        QByteArray claude = read(claudePath);
        claude.replace("\"KEEP\": \"1\"", "\"KEEP\": \"2\",\n    \"NEW\": \"mine\"");
        write(claudePath, claude);
        write(codexPath, read(codexPath) + "\n[profiles.fast]\nmodel = \"x\"\n");
        for (const QString &client : { QStringLiteral("claude-code"), QStringLiteral("codex") }) {
            auto plan = s.planDisconnect(client);
            QVERIFY(plan.ok());
            QVERIFY(!plan.value().removeFile);
            QVERIFY(s.applyDisconnect(plan.value()).ok());
        }
        const QJsonObject env =
            QJsonDocument::fromJson(read(claudePath)).object().value(QStringLiteral("env")).toObject();
        QCOMPARE(env.value(QStringLiteral("ANTHROPIC_BASE_URL")).toString(),
                 QStringLiteral("https://old.example")); // what it replaced
        QVERIFY(!env.contains(QStringLiteral("ANTHROPIC_AUTH_TOKEN")));
        QCOMPARE(env.value(QStringLiteral("KEEP")).toString(), QStringLiteral("2"));
        QCOMPARE(env.value(QStringLiteral("NEW")).toString(), QStringLiteral("mine"));
        const QByteArray codex = read(codexPath);
        QVERIFY2(codex.startsWith("model_provider = \"openai\"\n"), codex.constData());
        QVERIFY(!codex.contains("droid2api"));
        QVERIFY(codex.contains("[profiles.fast]\nmodel = \"x\"\n"));
        QVERIFY(textedit::tomlValidate(QString::fromUtf8(codex)).ok());
    }

    void reconnectKeepsTheOriginalForDisconnect()
    {
        const QString path = ClientSetup::configPath(QStringLiteral("claude-code"), home());
        const QByteArray original = "{\"theme\": \"dark\"}\n";
        write(path, original);
        ClientSetup s = setup();
        QVERIFY(s.apply(s.planConnect(QStringLiteral("claude-code"), settings()).value()).ok());
        ClientSettings other = settings();
        other.baseUrl = QStringLiteral("http://127.0.0.1:4000");
        other.model = QStringLiteral("claude-opus-4-6");
        auto again = s.planConnect(QStringLiteral("claude-code"), other);
        QVERIFY(again.value().diff.contains(QStringLiteral("4000")));
        QVERIFY(s.apply(again.value()).ok());
        QVERIFY(s.applyDisconnect(s.planDisconnect(QStringLiteral("claude-code")).value()).ok());
        QCOMPARE(read(path), original);
    }

    void instructionsForOtherClients()
    {
        for (const QString &client :
             { QStringLiteral("cursor"), QStringLiteral("continue"), QStringLiteral("openai-sdk") }) {
            const QString text = ClientSetup::instructions(client, settings());
            QVERIFY(text.contains(QStringLiteral("http://127.0.0.1:3000/v1")));
            QVERIFY(text.contains(QStringLiteral("d2a-key-123")));
            QVERIFY(!setup().planConnect(client, settings()).ok());
        }
    }
};

QTEST_GUILESS_MAIN(TestClientSetup)
#include "tst_clientsetup.moc"
