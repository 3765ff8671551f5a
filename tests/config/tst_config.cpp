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

    void defaultsShipTodaysCatalog()
    {
        const Config c = ConfigLoader::defaults();
        QCOMPARE(c.port, 3000);
        QCOMPARE(c.host, QStringLiteral("127.0.0.1"));
        // Exactly the 54 models Factory's CLI 0.225 offers, dated ones included (a date is information).
        const QList<ModelConfig> shipped = ConfigLoader::shippedModels();
        QCOMPARE(shipped.size(), 54);
        QCOMPARE(c.models.size(), 54);
        for (const ModelConfig &m : shipped)
            QVERIFY2(c.findModel(m.id), qPrintable(m.id));
        const ModelConfig *fable = c.findModel(QStringLiteral("claude-fable-5.1"));
        QCOMPARE(fable->factoryBetas, (QStringList { QStringLiteral("server-side-fallback-2026-06-01"),
                                                     QStringLiteral("fallback-credit-2026-06-01") }));
        QCOMPARE(QJsonDocument(fable->factoryBody).toJson(QJsonDocument::Compact),
                 QByteArray(R"({"fallbacks":[{"model":"claude-opus-5"}]})"));
        QVERIFY(!c.findModel(QStringLiteral("minimax-m2.5"))); // no longer offered
        const ModelConfig *opus = c.findModel(QStringLiteral("claude-opus-4-8"));
        QVERIFY(opus);
        QCOMPARE(opus->style(), ThinkingStyle::AdaptiveSummarized);
        QCOMPARE(opus->credits, 2.0);
        QVERIFY(opus->supports(ReasoningLevel::Max));
        const ModelConfig *sonnet = c.findModel(QStringLiteral("claude-sonnet-4-5-20250929"));
        QCOMPARE(sonnet->style(), ThinkingStyle::Budget);
        QCOMPARE(sonnet->clamp(ReasoningLevel::XHigh), ReasoningLevel::Off); // unsupported: the model's default
        QCOMPARE(c.findModel(QStringLiteral("grok-4.6"))->provider, QStringLiteral("xai"));
        QCOMPARE(c.findModel(QStringLiteral("nemotron-3-ultra"))->provider, QStringLiteral("baseten"));
        QVERIFY(c.findModel(QStringLiteral("claude-opus-4-8-fast"))->fast);
        QCOMPARE(c.endpoints.value(ModelType::Google).toString(),
                 QStringLiteral("https://api.factory.ai/api/llm/g/v1/generate"));
        QVERIFY(c.systemPrompt.startsWith(QStringLiteral("You are Droid")));
        QCOMPARE(c.redirect(QStringLiteral("claude-sonnet-4-5")), QStringLiteral("claude-sonnet-4-5-20250929"));
        QCOMPARE(c.userAgent, QStringLiteral("factory-cli/0.225.2"));
    }

    void deprecationDatesAreInformation()
    {
        // Past its date a model is still listed and served as configured, with its own reasoning, until Factory
        // itself refuses it (the Call then moves to the replacement); nothing is said at load, nothing redirected.
        const auto r = ConfigLoader::fromJson(
            R"({"models": [{"id": "glm-4.7", "reasoning": "off"},
                                                            {"id": "mine", "type": "common", "deprecated": "2000-01-01", "replacement": "kimi-k3"}],
                                                 "model_redirects": {"claude-opus-4-6-fast": "claude-opus-4-8"}})",
            QStringLiteral("x"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        const Config &c = r.value();
        for (const char *id : { "glm-4.7", "glm-5", "kimi-k2.5", "minimax-m2.7", "claude-opus-4-7-fast",
                                "claude-opus-4-6-fast", "gpt-5.2-codex", "gpt-5.1-codex-max", "glm-5.1", "mine" }) {
            QVERIFY2(c.findModel(QString::fromLatin1(id)), id);
            QVERIFY2(!c.findModel(QString::fromLatin1(id))->deprecated.isEmpty(), id);
        }
        QCOMPARE(c.redirect(QStringLiteral("glm-4.7")), QStringLiteral("glm-4.7"));
        QCOMPARE(c.findModel(QStringLiteral("glm-4.7"))->reasoning, ReasoningLevel::Off);
        QCOMPARE(c.findModel(QStringLiteral("glm-4.7"))->replacement, QStringLiteral("glm-5.2"));
        QCOMPARE(c.redirect(QStringLiteral("mine")), QStringLiteral("mine"));
        QCOMPARE(c.redirect(QStringLiteral("claude-opus-4-6-fast")), QStringLiteral("claude-opus-4-8")); // the user's
        QVERIFY(!ConfigLoader::fromJson(R"({"models": [{"id": "x", "type": "common", "deprecated": "soon"}]})",
                                        QStringLiteral("x"))
                     .ok());
    }

    void upgradeKeepsUserModelsAndGainsNewOnes()
    {
        // A config.json an earlier droid2api wrote on first run lists its 15 shipped models in full (keys sorted
        // by QJson): those unedited copies give way to today's catalog (minimax-m2.5 is gone), while an edited
        // one and the user's own model stay.
        QFile f(QStringLiteral(":/droid2api/previous-models.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QJsonArray models = QJsonDocument::fromJson(f.readAll()).object().value(u"models").toArray();
        QCOMPARE(models.size(), 15);
        QJsonObject edited = models.at(6).toObject(); // gpt-5.4
        QCOMPARE(edited.value(u"id").toString(), QStringLiteral("gpt-5.4"));
        edited.insert(QStringLiteral("reasoning"), QStringLiteral("high"));
        models.replace(6, edited);
        models.append(QJsonObject { { QStringLiteral("id"), QStringLiteral("my-local") },
                                    { QStringLiteral("type"), QStringLiteral("common") },
                                    { QStringLiteral("backend"), QStringLiteral("local") } });
        const QJsonObject file { { QStringLiteral("models"), models },
                                 { QStringLiteral("backends"),
                                   QJsonArray { QJsonObject {
                                       { QStringLiteral("name"), QStringLiteral("local") },
                                       { QStringLiteral("kind"), QStringLiteral("openai") },
                                       { QStringLiteral("base_url"), QStringLiteral("http://127.0.0.1:1/v1") } } } } };
        const auto r = ConfigLoader::fromJson(QJsonDocument(file).toJson(), QStringLiteral("config.json"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        const Config &c = r.value();
        QCOMPARE(c.models.size(), ConfigLoader::defaults().models.size() + 1);
        QVERIFY(!c.findModel(QStringLiteral("minimax-m2.5")));
        QVERIFY(c.findModel(QStringLiteral("claude-opus-4-8")));
        QCOMPARE(c.findModel(QStringLiteral("gpt-5.4"))->reasoning, ReasoningLevel::High);
        QCOMPARE(c.findModel(QStringLiteral("gpt-5.4"))->credits, 1.0); // the rest from today's catalog
        QCOMPARE(c.findModel(QStringLiteral("my-local"))->backend, QStringLiteral("local"));
        QCOMPARE(c.redirect(QStringLiteral("glm-5")), QStringLiteral("glm-5")); // served as itself
    }

    void originalConfigLoadsUnchanged()
    {
        // The original droid2api config.json shape: three endpoints, proxies as objects, no google endpoint.
        QFile file(QStringLiteral(D2A_TEST_DATA_DIR "/original-config.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray original = file.readAll();
        const auto r = ConfigLoader::fromJson(original, QStringLiteral("config.json"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        // Its models merge by id over the shipped catalog.
        QCOMPARE(r.value().models.size(), ConfigLoader::defaults().models.size());
        QCOMPARE(r.value().redirect(QStringLiteral("glm-5")), QStringLiteral("glm-5")); // dated, still served
        QCOMPARE(r.value().proxies, QStringList { QStringLiteral("http://proxy.example:8080") });
        QVERIFY(r.value().endpoints.contains(ModelType::Google));
        QCOMPARE(r.value().redirect(QStringLiteral("claude-opus-4-6-fast")), QStringLiteral("claude-opus-4-6-fast"));
    }

    void modelsMergeByIdOverTheCatalog()
    {
        const auto r = ConfigLoader::fromJson(
            "{\"models\": [{\"id\": \"mine\", \"type\": \"common\", \"backend\": \"local\"},"
            "{\"id\": \"glm-5.2\", \"reasoning\": \"high\"}, {\"id\": \"kimi-k2.6\", \"hidden\": true}],"
            "\"backends\": [{\"name\": \"local\", \"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:1/v1\"}]}",
            QStringLiteral("x"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        const Config &c = r.value();
        const Config shipped = ConfigLoader::defaults();
        QCOMPARE(c.models.size(), shipped.models.size()); // one added, one hidden
        QCOMPARE(c.models.last().id, QStringLiteral("mine")); // the catalog's order, then added models
        QCOMPARE(c.models.last().backend, QStringLiteral("local"));
        const ModelConfig *glm = c.findModel(QStringLiteral("glm-5.2"));
        QCOMPARE(glm->reasoning, ReasoningLevel::High); // the key it sets
        QCOMPARE(glm->type, ModelType::Common); // the rest from the catalog
        QCOMPARE(glm->provider, QStringLiteral("fireworks"));
        const auto ordered =
            ConfigLoader::fromJson("{\"model_order\": [\"kimi-k2.6\", \"glm-5.2\"]}", QStringLiteral("x"));
        QCOMPARE(ordered.value().models.at(0).id, QStringLiteral("kimi-k2.6"));
        QCOMPARE(ordered.value().models.at(1).id, QStringLiteral("glm-5.2"));
        QVERIFY(!c.findModel(QStringLiteral("kimi-k2.6")));
        const auto missingType = ConfigLoader::fromJson(R"({"models": [{"id": "new-one"}]})", QStringLiteral("x"));
        QVERIFY(!missingType.ok());
        QVERIFY(missingType.error().message.contains(QStringLiteral("models[0].type")));
    }

    void saveWithoutChangeIsByteIdentical_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("first-run file") << ConfigLoader::firstRunText();
        QFile every(QStringLiteral(D2A_TEST_DATA_DIR "/config-every-key.json"));
        QVERIFY(every.open(QIODevice::ReadOnly));
        QTest::newRow("hand-written, every key") << every.readAll();
        QFile original(QStringLiteral(D2A_TEST_DATA_DIR "/original-config.json"));
        QVERIFY(original.open(QIODevice::ReadOnly));
        QTest::newRow("the original's") << original.readAll();
    }
    void saveWithoutChangeIsByteIdentical()
    {
        QFETCH(QByteArray, text);
        const auto loaded = ConfigLoader::fromJson(text, QStringLiteral("x"));
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message));
        const auto edited = ConfigLoader::edit(text, loaded.value(), loaded.value());
        QVERIFY(edited.ok());
        QCOMPARE(edited.value(), text);
        // Through the file: nothing is written at all (no .bak either).
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
        f.close();
        QVERIFY(ConfigLoader::save(path, ConfigLoader::loadFile(path).value()).ok());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), text);
        QVERIFY(!QFile::exists(path + QStringLiteral(".bak")));
    }

    void saveChangesExactlyTheKey_data()
    {
        QTest::addColumn<int>("change");
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::newRow("port") << 0 << QByteArray("\"port\": 3000,") << QByteArray("\"port\": 4000,");
        QTest::newRow("a timeout") << 1 << QByteArray("\"idle_ms\": 120000") << QByteArray("\"idle_ms\": 60000");
        QTest::newRow("a model's reasoning (entry)")
            << 2 << QByteArray("{ \"id\": \"glm-5.2\", \"reasoning\": \"low\" }")
            << QByteArray("{ \"id\": \"glm-5.2\", \"reasoning\": \"high\" }");
        QTest::newRow("a shipped model's reasoning (no entry yet)")
            << 3 << QByteArray("{ \"id\": \"gpt-5.5-pro\", \"hidden\": true }\n")
            << QByteArray("{ \"id\": \"gpt-5.5-pro\", \"hidden\": true },\n        {\n"
                          "            \"id\": \"gpt-5.4\",\n            \"reasoning\": \"high\"\n        }\n");
        QTest::newRow("a fallback chain") << 4 << QByteArray("\"fallback\": [\"glm-5.2\", \"local-llama\"]")
                                          << QByteArray("\"fallback\": [\"local-llama\"]");
        QTest::newRow("hide a shipped model")
            << 5 << QByteArray("{ \"id\": \"gpt-5.5-pro\", \"hidden\": true }\n")
            << QByteArray("{ \"id\": \"gpt-5.5-pro\", \"hidden\": true },\n        {\n"
                          "            \"id\": \"kimi-k2.6\",\n            \"hidden\": true\n        }\n");
        QTest::newRow("a redirect added")
            << 6 << QByteArray("\"claude-sonnet-4-5\": \"claude-sonnet-4-5-20250929\" }")
            << QByteArray("\"claude-sonnet-4-5\": \"claude-sonnet-4-5-20250929\", \"o3\": \"gpt-5.4\" }");
        QTest::newRow("reasoning_default")
            << 7 << QByteArray("\"reasoning_default\": \"auto\"") << QByteArray("\"reasoning_default\": \"high\"");
        QTest::newRow("a budget") << 8 << QByteArray("\"medium\": 12288") << QByteArray("\"medium\": 9000");
        QTest::newRow("the routing preset (the tray's switch)")
            << 9 << QByteArray("\"preset\": \"Mine\"") << QByteArray("\"preset\": \"Save credits\"");
    }
    void saveChangesExactlyTheKey()
    {
        QFETCH(int, change);
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFile every(QStringLiteral(D2A_TEST_DATA_DIR "/config-every-key.json"));
        QVERIFY(every.open(QIODevice::ReadOnly));
        const QByteArray text = every.readAll();
        QVERIFY(text.contains(from));
        const Config base = ConfigLoader::fromJson(text, QStringLiteral("x")).value();
        Config next = base;
        auto model = [&next](const char *id) -> ModelConfig & {
            for (ModelConfig &m : next.models)
                if (m.id == QLatin1StringView(id))
                    return m;
            return next.models.first();
        };
        switch (change) {
        case 0: next.port = 4000; break;
        case 1: next.timeouts.idleMs = 60000; break;
        case 2: model("glm-5.2").reasoning = ReasoningLevel::High; break;
        case 3: model("gpt-5.4").reasoning = ReasoningLevel::High; break;
        case 4: model("my-glm").fallback = { QStringLiteral("local-llama") }; break;
        case 5: next.models.removeIf([](const ModelConfig &m) { return m.id == u"kimi-k2.6"; }); break;
        case 6: next.modelRedirects.insert(QStringLiteral("o3"), QStringLiteral("gpt-5.4")); break;
        case 7: next.reasoningDefault = ReasoningLevel::High; break;
        case 8: next.reasoningBudgets.insert(ReasoningLevel::Medium, 9000); break;
        case 9: next.routing.preset = QStringLiteral("Save credits"); break;
        }
        const auto edited = ConfigLoader::edit(text, next, base);
        QVERIFY(edited.ok());
        QByteArray expected = text;
        expected.replace(from, to);
        QCOMPARE(edited.value(), expected);
        // And it reads back as the changed config.
        const auto back = ConfigLoader::fromJson(edited.value(), QStringLiteral("x"));
        QVERIFY(back.ok());
        QCOMPARE(ConfigLoader::edit(edited.value(), back.value(), next).value(), edited.value());
    }

    void factoryUrlVariables()
    {
        // FACTORY_API_BASE_URL moves the endpoints on Factory's host (paths kept; a custom endpoint stays);
        // FACTORY_WORKOS_BASE_URL includes /user_management, as for the CLI.
        Config c = ConfigLoader::defaults();
        c.endpoints[ModelType::Common] = QUrl(QStringLiteral("https://my.proxy.example/v1/chat/completions"));
        Environment env;
        env.factoryApiBase = QUrl(QStringLiteral("http://127.0.0.1:9/"));
        env.factoryApiBaseEu = QUrl(QStringLiteral("http://127.0.0.1:10"));
        env.workosBase = QUrl(QStringLiteral("http://127.0.0.1:11/workos/user_management"));
        ConfigLoader::applyEnvironment(c, env);
        QCOMPARE(c.endpoints.value(ModelType::Anthropic),
                 QUrl(QStringLiteral("http://127.0.0.1:9/api/llm/a/v1/messages")));
        QCOMPARE(c.endpoints.value(ModelType::Google),
                 QUrl(QStringLiteral("http://127.0.0.1:9/api/llm/g/v1/generate")));
        QCOMPARE(c.endpoints.value(ModelType::Common),
                 QUrl(QStringLiteral("https://my.proxy.example/v1/chat/completions")));
        QCOMPARE(c.factoryApiBase, env.factoryApiBase);
        QCOMPARE(c.factoryApiBaseEu, env.factoryApiBaseEu);
        QCOMPARE(c.workosBaseUrl, QUrl(QStringLiteral("http://127.0.0.1:11/workos")));
    }

    void savingNeverDropsAField()
    {
        QFile every(QStringLiteral(D2A_TEST_DATA_DIR "/config-every-key.json"));
        QVERIFY(every.open(QIODevice::ReadOnly));
        const QByteArray text = every.readAll();
        const Config base = ConfigLoader::fromJson(text, QStringLiteral("x")).value();
        Config next = base;
        next.port = 3999;
        const QString moved = next.models.at(0).id;
        next.models.move(0, 2);
        const auto edited = ConfigLoader::edit(text, next, base);
        QVERIFY(edited.ok());
        const Config back = ConfigLoader::fromJson(edited.value(), QStringLiteral("x")).value();
        QCOMPARE(back.findModel(QStringLiteral("my-glm"))->backend, QStringLiteral("glm"));
        QCOMPARE(back.findModel(QStringLiteral("my-glm"))->fallback,
                 QStringList({ QStringLiteral("glm-5.2"), QStringLiteral("local-llama") }));
        QCOMPARE(back.models.at(2).id, moved);
        QVERIFY(edited.value().contains("\"model_order\""));
        QCOMPARE(back.backends.size(), 2);
        QVERIFY(!back.findModel(QStringLiteral("gpt-5.5-pro")));
        QCOMPARE(back.droidCliSync, false);
        QCOMPARE(back.factoryOrganization, QStringLiteral("org_team"));
        QVERIFY(edited.value().contains(
            "\"x-my-notes\": { \"why\": \"keys droid2api does not know are kept\", \"list\": [3, 1, 2] }"));
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
                << r.value(QStringLiteral("json")).toString().toUtf8()
                << r.value(QStringLiteral("expected")).toString();
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
        const auto r = ConfigLoader::fromJson(R"({"port": 4123, "access_key": "k", "user_agent_update_url": ""})",
                                              QStringLiteral("x"));
        QVERIFY(r.ok());
        QCOMPARE(r.value().port, 4123);
        QCOMPARE(r.value().models.size(), ConfigLoader::defaults().models.size());
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
