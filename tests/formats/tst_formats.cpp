// Reasoning mapping, Factory headers, passthrough edits, error shapes and log redaction.
#include "config/config.h"
#include "formats/apierrors.h"
#include "formats/passthrough.h"
#include "formats/reasoning.h"
#include "formats/registry.h"
#include "json/jsonedit.h"
#include "log/log.h"
#include "backend/factoryheaders.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qfile.h>
#include <QtCore/qdir.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

using namespace d2a;

Q_DECLARE_METATYPE(d2a::WireFormat)
Q_DECLARE_METATYPE(d2a::ReasoningLevel)

class TestFormats final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    static ModelConfig model(const QString &id)
    {
        for (const ModelConfig &m : ConfigLoader::shippedModels())
            if (m.id == id)
                return m;
        return ModelConfig();
    }

    void reasoning_data()
    {
        QTest::addColumn<WireFormat>("format");
        QTest::addColumn<QString>("model");
        QTest::addColumn<ReasoningLevel>("level");
        QTest::addColumn<QByteArray>("in");
        QTest::addColumn<QByteArray>("out");
        const QByteArray thinkIn =
            R"({"max_tokens":1000,"thinking":{"type":"enabled","budget_tokens":2000},"temperature":0.3})";
        const QString sonnet45 = QStringLiteral("claude-sonnet-4-5-20250929"),
                      opus45 = QStringLiteral("claude-opus-4-5-20251101");
        const QString opus46 = QStringLiteral("claude-opus-4-6"), opus48 = QStringLiteral("claude-opus-4-8");
        // Exact bytes: only the edited members change, the rest keeps its order and text.
        QTest::newRow("anthropic auto keeps")
            << WireFormat::Anthropic << opus46 << ReasoningLevel::Auto << thinkIn << thinkIn;
        QTest::newRow("anthropic off removes") << WireFormat::Anthropic << sonnet45 << ReasoningLevel::Off << thinkIn
                                               << QByteArray(R"({"max_tokens":1000,"temperature":0.3})");
        QTest::newRow("anthropic off removes the effort, keeps output_config")
            << WireFormat::Anthropic << opus46 << ReasoningLevel::Off
            << QByteArray(
                   R"({"thinking":{"type":"adaptive"},"output_config":{"format":{"type":"json_schema"},"effort":"high"}})")
            << QByteArray(R"({"output_config":{"format":{"type":"json_schema"}}})");
        QTest::newRow("budget low") << WireFormat::Anthropic << sonnet45 << ReasoningLevel::Low
                                    << QByteArray(R"({"max_tokens":1000})")
                                    << QByteArray(
                                           R"({"max_tokens":8192,"thinking":{"type":"enabled","budget_tokens":4096}})");
        QTest::newRow("budget medium keeps big max")
            << WireFormat::Anthropic << sonnet45 << ReasoningLevel::Medium << QByteArray(R"({"max_tokens":32000})")
            << QByteArray(R"({"max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":12288}})");
        QTest::newRow("budget + effort (opus 4.5)")
            << WireFormat::Anthropic << opus45 << ReasoningLevel::Medium << QByteArray(R"({"max_tokens":32000})")
            << QByteArray(
                   R"({"max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":12288},"output_config":{"effort":"medium"}})");
        QTest::newRow("adaptive drops temperature and the budget")
            << WireFormat::Anthropic << opus46 << ReasoningLevel::Max << thinkIn
            << QByteArray(R"({"max_tokens":1000,"thinking":{"type":"adaptive"},"output_config":{"effort":"max"}})");
        QTest::newRow("adaptive summarized (opus 4.8)")
            << WireFormat::Anthropic << opus48 << ReasoningLevel::XHigh << QByteArray(R"({"max_tokens":64000})")
            << QByteArray(
                   R"({"max_tokens":64000,"thinking":{"type":"adaptive","display":"summarized"},"output_config":{"effort":"xhigh"}})");
        QTest::newRow("responses auto") << WireFormat::OpenAIResponses << QStringLiteral("gpt-5.4")
                                        << ReasoningLevel::Auto << QByteArray(R"({"reasoning":{"effort":"minimal"}})")
                                        << QByteArray(R"({"reasoning":{"effort":"minimal"}})");
        QTest::newRow("responses off") << WireFormat::OpenAIResponses << QStringLiteral("gpt-5.6-sol")
                                       << ReasoningLevel::Off << QByteArray(R"({"reasoning":{"effort":"high"}})")
                                       << QByteArray(R"({})");
        QTest::newRow("responses medium")
            << WireFormat::OpenAIResponses << QStringLiteral("gpt-5.4") << ReasoningLevel::Medium << QByteArray(R"({})")
            << QByteArray(R"({"reasoning":{"effort":"medium","summary":"auto"}})");
        QTest::newRow("responses xhigh keeps summary and order")
            << WireFormat::OpenAIResponses << QStringLiteral("gpt-5.4") << ReasoningLevel::XHigh
            << QByteArray(R"({"reasoning":{"summary":"detailed","x":1}})")
            << QByteArray(R"({"reasoning":{"summary":"detailed","x":1,"effort":"xhigh"}})");
        QTest::newRow("responses xai: no summary")
            << WireFormat::OpenAIResponses << QStringLiteral("grok-4.6") << ReasoningLevel::High
            << QByteArray(R"({"reasoning":{"summary":"auto"}})") << QByteArray(R"({"reasoning":{"effort":"high"}})");
        QTest::newRow("chat high with history")
            << WireFormat::OpenAIChat << QStringLiteral("kimi-k3") << ReasoningLevel::High << QByteArray(R"({})")
            << QByteArray(R"({"reasoning_effort":"high","reasoning_history":"preserved"})");
        QTest::newRow("chat off says none")
            << WireFormat::OpenAIChat << QStringLiteral("kimi-k3") << ReasoningLevel::Off
            << QByteArray(R"({"reasoning_effort":"low"})") << QByteArray(R"({"reasoning_effort":"none"})");
        QTest::newRow("chat without reasoning")
            << WireFormat::OpenAIChat << QStringLiteral("glm-4.7") << ReasoningLevel::Off
            << QByteArray(R"({"reasoning_effort":"low","x":1})") << QByteArray(R"({"x":1})");
        QTest::newRow("chat template (nemotron)") << WireFormat::OpenAIChat << QStringLiteral("nemotron-3-ultra")
                                                  << ReasoningLevel::High << QByteArray(R"({"reasoning_effort":"low"})")
                                                  << QByteArray(R"({"chat_template_args":{"enable_thinking":true}})");
        QTest::newRow("gemini low")
            << WireFormat::Gemini << QStringLiteral("gemini-3.1-pro-preview") << ReasoningLevel::Low
            << QByteArray(R"({"generationConfig":{"temperature":1}})")
            << QByteArray(
                   R"({"generationConfig":{"temperature":1,"thinkingConfig":{"includeThoughts":true,"thinkingLevel":"LOW"}}})");
        QTest::newRow("gemini medium on flash is HIGH")
            << WireFormat::Gemini << QStringLiteral("gemini-3-flash-preview") << ReasoningLevel::Medium
            << QByteArray(R"({"generationConfig":{"thinkingConfig":{"thinkingBudget":100}}})")
            << QByteArray(R"({"generationConfig":{"thinkingConfig":{"includeThoughts":true,"thinkingLevel":"HIGH"}}})");
        QTest::newRow("gemini off keeps the rest")
            << WireFormat::Gemini << QStringLiteral("gemini-3.1-pro-preview") << ReasoningLevel::Off
            << QByteArray(
                   R"({"generationConfig":{"topK":3,"thinkingConfig":{"thinkingLevel":"HIGH"},"temperature":1.0}})")
            << QByteArray(
                   R"({"generationConfig":{"topK":3,"thinkingConfig":{"includeThoughts":false},"temperature":1.0}})");
    }

    void reasoning()
    {
        QFETCH(WireFormat, format);
        QFETCH(QString, model);
        QFETCH(ReasoningLevel, level);
        QFETCH(QByteArray, in);
        QFETCH(QByteArray, out);
        const ModelConfig m = TestFormats::model(model);
        QCOMPARE(m.id, model);
        auto doc = json::Document::parse(in);
        QVERIFY(doc.ok());
        json::Patcher p(doc.value());
        if (level != ReasoningLevel::Auto) // Auto leaves the body alone (applyPassthroughEdits does not call it)
            formatSpec(format).applyReasoning(p, doc.value().root(), level, m,
                                              ConfigLoader::defaults().budgetFor(level));
        QCOMPARE(p.apply(), out);
    }

    /// Factory's own CLI (tests/data/factory-cli/, captured): for every model and level it was run with, the
    /// reasoning members droid2api writes for that model's family equal the CLI's, and so do the headers that
    /// depend on the model (anthropic-beta, x-api-provider, routing source, Accept, the SDK header set).
    void asFactoryCli_data()
    {
        QTest::addColumn<QString>("capture");
        const QDir dir(QStringLiteral(D2A_TEST_DATA_DIR "/factory-cli"));
        int n = 0;
        for (const QString &f : dir.entryList({ QStringLiteral("*__*.json") }, QDir::Files)) {
            if (f.endsWith(u".headers.json") || f.contains(u".workos."))
                continue;
            QTest::newRow(qPrintable(f.chopped(5))) << dir.filePath(f);
            ++n;
        }
        QVERIFY(n >= 25);
    }

    void clientVersionAsTheCliPattern()
    {
        // X-Client-Version is the first "/d+.d+.d+" of the User-Agent: the same as that regular expression finds.
        const QRegularExpression pattern(QStringLiteral("/(\\d+\\.\\d+\\.\\d+)"));
        for (const QString &ua :
             { QStringLiteral("factory-cli/0.27.3"), QStringLiteral("factory-cli/0.27.3 (linux; x64)"),
               QStringLiteral("a/b/1.2/3.4.5.6"), QStringLiteral("x/1.2"), QStringLiteral("x/1.2."),
               QStringLiteral("x/.1.2.3"), QStringLiteral("droid/10.200.3000-beta"), QStringLiteral("no version"),
               QStringLiteral(""), QStringLiteral("/"), QStringLiteral("/1.2.3"), QStringLiteral("x/1..2.3/4.5.6") }) {
            const auto m = pattern.match(ua);
            QCOMPARE(clientVersion(ua), m.hasMatch() ? m.captured(1).toLatin1() : QByteArray());
        }
        QCOMPARE(clientVersion(QStringLiteral("factory-cli/0.27.3")), QByteArray("0.27.3"));
    }

    void asFactoryCli()
    {
        QFETCH(QString, capture);
        auto read = [](const QString &path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        const QString name = QFileInfo(capture).completeBaseName();
        const QString id = name.section(QStringLiteral("__"), 0, 0);
        const QString effort = name.section(QStringLiteral("__"), 1, 1);
        const ModelConfig m = model(id);
        QVERIFY2(m.id == id, qPrintable(id + QStringLiteral(" is in the catalog")));
        // `droid exec` without -r sent high on every model.
        const ReasoningLevel asked = effort == u"default" ? ReasoningLevel::High : parseReasoningLevel(effort).value();
        const ReasoningLevel level = m.clamp(asked);
        const QJsonObject cli = QJsonDocument::fromJson(read(capture)).object();
        const WireFormat format = m.type == ModelType::Anthropic ? WireFormat::Anthropic
                                  : m.type == ModelType::OpenAI  ? WireFormat::OpenAIResponses
                                  : m.type == ModelType::Common  ? WireFormat::OpenAIChat
                                                                 : WireFormat::Gemini;
        // The same body without what the level and fast mode write, then droid2api's edits.
        QJsonObject bare = cli;
        for (const char *k : { "thinking", "output_config", "reasoning", "reasoning_effort", "reasoning_history",
                               "chat_template_args", "speed", "service_tier" })
            bare.remove(QLatin1StringView(k));
        QJsonObject gc = bare.value(u"generationConfig").toObject();
        gc.remove(QStringLiteral("thinkingConfig"));
        if (bare.contains(u"generationConfig"))
            bare.insert(QStringLiteral("generationConfig"), gc);
        auto doc = json::Document::parse(QJsonDocument(bare).toJson(QJsonDocument::Compact));
        QVERIFY(doc.ok());
        PassthroughEdits e;
        e.level = level;
        e.model = m;
        e.budget = ConfigLoader::defaults().budgetFor(level);
        e.fast = m.fast;
        const auto edited = applyPassthroughEdits(format, doc.value(), e);
        QVERIFY(edited.ok());
        const QJsonObject ours = QJsonDocument::fromJson(edited.value()).object();
        for (const char *k : { "thinking", "output_config", "reasoning", "reasoning_effort", "reasoning_history",
                               "chat_template_args", "speed", "service_tier", "max_tokens" })
            QVERIFY2(ours.value(QLatin1StringView(k)) == cli.value(QLatin1StringView(k)),
                     qPrintable(
                         QStringLiteral("%1: ours %2, the CLI's %3")
                             .arg(QLatin1StringView(k),
                                  QString::fromUtf8(QJsonDocument(QJsonObject { { QStringLiteral("v"),
                                                                                  ours.value(QLatin1StringView(k)) } })
                                                        .toJson(QJsonDocument::Compact)),
                                  QString::fromUtf8(QJsonDocument(QJsonObject { { QStringLiteral("v"),
                                                                                  cli.value(QLatin1StringView(k)) } })
                                                        .toJson(QJsonDocument::Compact)))));
        QCOMPARE(ours.value(u"generationConfig").toObject().value(u"thinkingConfig"),
                 cli.value(u"generationConfig").toObject().value(u"thinkingConfig"));

        // Headers: those that follow the model (tools add fine-grained-tool-streaming on the CLI's side).
        const QJsonArray cliHeaders =
            QJsonDocument::fromJson(
                read(QString(capture).replace(QStringLiteral(".json"), QStringLiteral(".headers.json"))))
                .object()
                .value(u"headers")
                .toArray();
        auto cliHeader = [&cliHeaders](const char *name) {
            for (const QJsonValue &h : cliHeaders)
                if (h.toArray().at(0).toString().compare(QLatin1StringView(name), Qt::CaseInsensitive) == 0)
                    return h.toArray().at(1).toString().toUtf8();
            return QByteArray();
        };
        FactoryHeaderInput in;
        in.model = m;
        in.userAgent = QStringLiteral("factory-cli/0.225.2");
        in.bearer = "k";
        in.level = level;
        const HeaderList ourHeaders = buildFactoryHeaders(in);
        QByteArray cliBeta = cliHeader("anthropic-beta");
        cliBeta.replace("fine-grained-tool-streaming-2025-05-14", "");
        QList<QByteArray> cliBetas;
        for (const QByteArray &b : cliBeta.split(','))
            if (!b.trimmed().isEmpty())
                cliBetas << b.trimmed();
        QList<QByteArray> ourBetas = headerValue(ourHeaders, "anthropic-beta").split(',');
        ourBetas.removeAll(QByteArray());
        QCOMPARE(ourBetas, cliBetas);
        for (const char *h : { "x-api-provider", "x-provider-routing-source", "Accept", "OpenAI-Platform",
                               "X-Stainless-Package-Version", "X-Stainless-Runtime-Version", "X-Client-Version",
                               "User-Agent", "x-api-key", "anthropic-version", "X-Factory-Client" })
            QVERIFY2(headerValue(ourHeaders, h) == cliHeader(h),
                     qPrintable(QStringLiteral("%1: ours '%2', the CLI's '%3'")
                                    .arg(QLatin1StringView(h), QString::fromUtf8(headerValue(ourHeaders, h)),
                                         QString::fromUtf8(cliHeader(h)))));
    }

    /// What Factory's CLI sends for every model of its catalog (FACTORY-CLI.md §4 and §5, written here from its
    /// family table, not from droid2api's registry): the reasoning members, fast mode, per-model body members and
    /// the anthropic-beta list, at the CLI's default (`droid exec` sends high) and at off.
    void catalogAsFactoryCli_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("level");
        QTest::addColumn<QByteArray>("members"); // the CLI's members, compact JSON
        QTest::addColumn<QString>("betas");
        const auto row = [](const QString &id, const char *level, const QByteArray &members, const char *betas = "") {
            QVERIFY(QJsonDocument::fromJson(members).isObject());
            QTest::addRow("%s at %s", qPrintable(id), level)
                << id << QString::fromLatin1(level) << members << QString::fromLatin1(betas);
        };
        const QByteArray none = "{}";
        // Members added to an object's JSON text (keys in order).
        auto plus = [](const QByteArray &object, const QByteArray &more) -> QByteArray {
            QJsonObject o = QJsonDocument::fromJson(object).object();
            const QJsonObject m = QJsonDocument::fromJson(more).object();
            for (auto it = m.begin(); it != m.end(); ++it)
                o.insert(it.key(), it.value());
            return QJsonDocument(o).toJson(QJsonDocument::Compact);
        };
        auto compact = [](const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); };
        auto adaptive = [&compact](const char *effort, bool summarized) -> QByteArray {
            QJsonObject thinking { { QStringLiteral("type"), QStringLiteral("adaptive") } };
            if (summarized)
                thinking.insert(QStringLiteral("display"), QStringLiteral("summarized"));
            return compact({ { QStringLiteral("thinking"), thinking },
                             { QStringLiteral("output_config"),
                               QJsonObject { { QStringLiteral("effort"), QString::fromLatin1(effort) } } } });
        };
        // Anthropic, 4.5 generation: budgets.
        for (const char *id : { "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001" }) {
            row(QString::fromLatin1(id), "high", R"({"thinking":{"type":"enabled","budget_tokens":24576}})",
                "interleaved-thinking-2025-05-14");
            row(QString::fromLatin1(id), "off", none);
        }
        row(QStringLiteral("claude-opus-4-5-20251101"), "high",
            R"({"thinking":{"type":"enabled","budget_tokens":24576},"output_config":{"effort":"high"}})",
            "effort-2025-11-24");
        row(QStringLiteral("claude-opus-4-5-20251101"), "off", none);
        // 4.6: adaptive; 4.7 and later: adaptive, summarized; -fast: speed and its beta at every level.
        for (const char *id : { "claude-opus-4-6", "claude-sonnet-4-6" }) {
            row(QString::fromLatin1(id), "high", adaptive("high", false));
            row(QString::fromLatin1(id), "off", none);
        }
        row(QStringLiteral("claude-opus-4-6-fast"), "high", plus(adaptive("high", false), R"({"speed":"fast"})"),
            "fast-mode-2026-02-01");
        row(QStringLiteral("claude-opus-4-6-fast"), "off", R"({"speed":"fast"})", "fast-mode-2026-02-01");
        for (const char *id :
             { "claude-fable-5", "claude-opus-5", "claude-opus-4-8", "claude-opus-4-7", "claude-sonnet-5" }) {
            row(QString::fromLatin1(id), "high", adaptive("high", true));
            row(QString::fromLatin1(id), "off", none);
        }
        for (const char *id : { "claude-opus-5-fast", "claude-opus-4-8-fast", "claude-opus-4-7-fast" }) {
            row(QString::fromLatin1(id), "high", plus(adaptive("high", true), R"({"speed":"fast"})"),
                "fast-mode-2026-02-01");
            row(QString::fromLatin1(id), "off", R"({"speed":"fast"})", "fast-mode-2026-02-01");
        }
        row(QStringLiteral("claude-fable-5.1"), "high",
            plus(adaptive("high", true), R"({"fallbacks":[{"model":"claude-opus-5"}]})"),
            "server-side-fallback-2026-06-01,fallback-credit-2026-06-01");
        row(QStringLiteral("claude-fable-5.1"), "off", R"({"fallbacks":[{"model":"claude-opus-5"}]})",
            "server-side-fallback-2026-06-01,fallback-credit-2026-06-01");
        // minimax-m2.7 (Anthropic wire, Fireworks): high is its only level.
        for (const char *level : { "high", "off" })
            row(QStringLiteral("minimax-m2.7"), level,
                R"({"thinking":{"type":"enabled","budget_tokens":24576},"output_config":{"effort":"high"}})");
        // OpenAI: effort with a summary; off where the model has it (none), else its default level.
        auto effort = [&compact](const char *e) -> QByteArray {
            return compact({ { QStringLiteral("reasoning"),
                               QJsonObject { { QStringLiteral("effort"), QString::fromLatin1(e) },
                                             { QStringLiteral("summary"), QStringLiteral("auto") } } } });
        };
        const QList<std::pair<const char *, const char *>> openai {
            { "gpt-6-astra", "medium" },   { "gpt-5.5", "medium" },          { "gpt-5.5-pro", "medium" },
            { "gpt-5.4", "medium" },       { "gpt-5.4-mini", "high" },       { "gpt-5.3-codex", "medium" },
            { "gpt-5.2-codex", "medium" }, { "gpt-5.1-codex-max", "medium" }
        };
        for (const auto &[id, fallback] : openai) {
            row(QString::fromLatin1(id), "high", effort("high"));
            row(QString::fromLatin1(id), "off", effort(fallback));
        }
        for (const char *id : { "gpt-5.6-sol", "gpt-5.6-terra", "gpt-5.6-luna", "gpt-5.2" }) {
            row(QString::fromLatin1(id), "high", effort("high"));
            row(QString::fromLatin1(id), "off", none);
        }
        const QList<std::pair<const char *, const char *>> fastOpenai { { "gpt-5.5-fast", "medium" },
                                                                        { "gpt-5.4-fast", "medium" },
                                                                        { "gpt-5.4-mini-fast", "high" },
                                                                        { "gpt-5.3-codex-fast", "medium" } };
        for (const auto &[id, fallback] : fastOpenai) {
            row(QString::fromLatin1(id), "high", plus(effort("high"), R"({"service_tier":"priority"})"));
            row(QString::fromLatin1(id), "off", plus(effort(fallback), R"({"service_tier":"priority"})"));
        }
        row(QStringLiteral("gpt-5.6-sol-fast"), "high", plus(effort("high"), R"({"service_tier":"priority"})"));
        row(QStringLiteral("gpt-5.6-sol-fast"), "off", R"({"service_tier":"priority"})");
        // xAI: an effort without a summary; no off.
        for (const char *id : { "grok-4.6", "grok-4.5" })
            for (const char *level : { "high", "off" })
                row(QString::fromLatin1(id), level, R"({"reasoning":{"effort":"high"}})");
        // Gemini: a thinking level with thoughts; no off.
        for (const char *id : { "gemini-3.1-pro-preview", "gemini-3-flash-preview", "gemini-3.5-flash",
                                "gemini-3.6-flash", "gemini-3.7-flash", "gemini-3.8-flash" })
            for (const char *level : { "high", "off" })
                row(QString::fromLatin1(id), level,
                    R"({"generationConfig":{"thinkingConfig":{"includeThoughts":true,"thinkingLevel":"HIGH"}}})");
        // Chat: reasoning_effort with reasoning_history; off is said ("none"), where the model has it.
        auto chat = [&compact](const char *e, const char *history) -> QByteArray {
            return compact({ { QStringLiteral("reasoning_effort"), QString::fromLatin1(e) },
                             { QStringLiteral("reasoning_history"), QString::fromLatin1(history) } });
        };
        for (const char *id : { "inkling", "glm-5.2", "glm-5.1", "kimi-k3", "kimi-k2.6", "kimi-k2.5" }) {
            row(QString::fromLatin1(id), "high", chat("high", "preserved"));
            row(QString::fromLatin1(id), "off", R"({"reasoning_effort":"none"})");
        }
        row(QStringLiteral("glm-5.3"), "high", chat("high", "preserved"));
        row(QStringLiteral("glm-5.3"), "off", chat("max", "preserved"));
        row(QStringLiteral("glm-5.3-flash"), "high", chat("high", "preserved"));
        row(QStringLiteral("glm-5.3-flash"), "off", chat("high", "preserved"));
        for (const char *id : { "deepseek-v4-pro", "deepseek-v4-flash-0731" }) {
            row(QString::fromLatin1(id), "high", chat("high", "interleaved"));
            row(QString::fromLatin1(id), "off", R"({"reasoning_effort":"none"})");
        }
        // glm-5 and glm-4.7 take no reasoning field at any level.
        for (const char *id : { "glm-5", "glm-4.7" })
            for (const char *level : { "high", "off" })
                row(QString::fromLatin1(id), level, none);
        row(QStringLiteral("nemotron-3-ultra"), "high", R"({"chat_template_args":{"enable_thinking":true}})");
    }

    void catalogAsFactoryCli()
    {
        QFETCH(QString, id);
        QFETCH(QString, level);
        QFETCH(QByteArray, members);
        QFETCH(QString, betas);
        const ModelConfig m = model(id);
        QVERIFY2(m.id == id, qPrintable(id + QStringLiteral(" is in the catalog")));
        const WireFormat format = m.type == ModelType::Anthropic ? WireFormat::Anthropic
                                  : m.type == ModelType::OpenAI  ? WireFormat::OpenAIResponses
                                  : m.type == ModelType::Common  ? WireFormat::OpenAIChat
                                                                 : WireFormat::Gemini;
        const ReasoningLevel l = m.clamp(parseReasoningLevel(level).value());
        auto doc = json::Document::parse(R"({"model":"m","max_tokens":64000})");
        QVERIFY(doc.ok());
        PassthroughEdits e;
        e.level = l;
        e.model = m;
        e.budget = ConfigLoader::defaults().budgetFor(l);
        e.fast = m.fast;
        e.extraBody = m.factoryBody;
        const auto edited = applyPassthroughEdits(format, doc.value(), e);
        QVERIFY(edited.ok());
        QJsonObject ours = QJsonDocument::fromJson(edited.value()).object();
        ours.remove(QStringLiteral("model"));
        ours.remove(QStringLiteral("max_tokens"));
        const QJsonObject cli = QJsonDocument::fromJson(members).object();
        QVERIFY2(ours == cli, qPrintable(QStringLiteral("ours %1, the CLI's %2")
                                             .arg(QString::fromUtf8(QJsonDocument(ours).toJson(QJsonDocument::Compact)),
                                                  QString::fromUtf8(members))));
        if (m.type == ModelType::Anthropic) {
            FactoryHeaderInput in;
            in.model = m;
            in.userAgent = QStringLiteral("factory-cli/0.225.2");
            in.bearer = "k";
            in.level = l;
            QCOMPARE(QString::fromUtf8(headerValue(buildFactoryHeaders(in), "anthropic-beta")), betas);
        }
    }

    void anthropicBeta()
    {
        const ModelConfig sonnet45 = model(QStringLiteral("claude-sonnet-4-5-20250929"));
        const ModelConfig opus46 = model(QStringLiteral("claude-opus-4-6"));
        QCOMPARE(anthropicBetaHeader("a, b,a", ReasoningLevel::Auto, sonnet45), QByteArray("a,b"));
        QCOMPARE(anthropicBetaHeader("a", ReasoningLevel::Low, sonnet45),
                 QByteArray("a,interleaved-thinking-2025-05-14"));
        QCOMPARE(anthropicBetaHeader("a", ReasoningLevel::Low, opus46),
                 QByteArray("a")); // adaptive models take no interleaved beta
        QCOMPARE(anthropicBetaHeader("interleaved-thinking-2025-05-14,x", ReasoningLevel::Off, sonnet45),
                 QByteArray("x"));
        QCOMPARE(anthropicBetaHeader("", ReasoningLevel::Auto, model(QStringLiteral("claude-opus-4-8-fast"))),
                 QByteArray("fast-mode-2026-02-01"));
    }

    void factoryHeaders()
    {
        FactoryHeaderInput in;
        in.model = model(QStringLiteral("claude-opus-4-6"));
        in.userAgent = QStringLiteral("factory-cli/0.99.1");
        in.bearer = "tok";
        in.clientHeaders = { { "Anthropic-Version", "2023-01-01" }, { "X-Session-Id", "s1" } };
        in.extraHeaders = QJsonObject { { QStringLiteral("x-stainless-lang"), QStringLiteral("ts") } };
        const HeaderList h = buildFactoryHeaders(in);
        QCOMPARE(headerValue(h, "authorization"), QByteArray("Bearer tok"));
        QCOMPARE(headerValue(h, "x-api-provider"), QByteArray("anthropic"));
        QCOMPARE(headerValue(h, "anthropic-version"), QByteArray("2023-01-01"));
        QCOMPARE(headerValue(h, "x-session-id"), QByteArray("s1"));
        QCOMPARE(headerValue(h, "x-client-version"), QByteArray("0.99.1"));
        QCOMPARE(headerValue(h, "x-api-key"), QByteArray("placeholder"));
        QCOMPARE(headerValue(h, "x-stainless-lang"), QByteArray("ts")); // config upstream_headers win
        QCOMPARE(headerValue(h, "x-assistant-message-id").size(), 36);
        QVERIFY(QRegularExpression(QStringLiteral("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$"))
                    .match(QString::fromLatin1(headerValue(h, "traceparent")))
                    .hasMatch());
        QVERIFY(!hasHeader(h, "X-Factory-Org-Id"));
        in.model = model(QStringLiteral("kimi-k3"));
        in.clientHeaders.clear();
        in.organizationId = "org_1";
        const HeaderList c = buildFactoryHeaders(in);
        QCOMPARE(headerValue(c, "x-api-provider"), QByteArray("fireworks"));
        QCOMPARE(headerValue(c, "X-Factory-Org-Id"), QByteArray("org_1"));
        QVERIFY(!hasHeader(c, "anthropic-version"));
        QVERIFY(headerValue(c, "x-session-id") != headerValue(buildFactoryHeaders(in), "x-session-id"));
        in.sessionId = "0f0e0d0c-0b0a-4908-8706-050403020100";
        QCOMPARE(headerValue(buildFactoryHeaders(in), "x-session-id"), in.sessionId);
    }

    void passthroughGemini()
    {
        PassthroughEdits e;
        e.upstreamModel = QStringLiteral("gemini-x");
        e.systemPrompt = QStringLiteral("P.\n\n");
        auto edit = [&e](WireFormat f, const QByteArray &in) {
            return applyPassthroughEdits(f, json::Document::parse(in).value(), e);
        };
        // As Factory's CLI: one system part (the prefix joined to the client's first), and never a "stream" member.
        const auto r = edit(WireFormat::Gemini,
                            R"({"systemInstruction":{"parts":[{"text":"mine"},{"text":"more"}]},"contents":[]})");
        QVERIFY(r.ok());
        QCOMPARE(
            r.value(),
            QByteArray(
                R"({"systemInstruction":{"parts":[{"text":"P.\n\nmine"},{"text":"more"}]},"contents":[],"model":"gemini-x"})"));
        QCOMPARE(edit(WireFormat::Gemini, R"({"contents":[]})").value(),
                 QByteArray(R"({"contents":[],"model":"gemini-x","systemInstruction":{"parts":[{"text":"P."}]}})"));
        // The Anthropic block 0 is the sentence alone.
        QCOMPARE(
            edit(WireFormat::Anthropic, R"({"system":"mine"})").value(),
            QByteArray(R"({"system":[{"type":"text","text":"P."},{"type":"text","text":"mine"}],"model":"gemini-x"})"));
        const auto bad = edit(WireFormat::Anthropic, R"({"system":5})");
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.contains(QStringLiteral("'system'")));
        QVERIFY(!edit(WireFormat::OpenAIChat, R"({"messages":"x"})").ok());
    }

    /// Passthrough keeps the client's bytes: key order, spacing, big and float numbers, escapes, unknown
    /// objects; only the documented edits change (compared as byte spans, not re-parsed JSON).
    void passthroughIsByteExact_data()
    {
        QTest::addColumn<WireFormat>("format");
        QTest::addColumn<QByteArray>("in");
        QTest::addColumn<QByteArray>("out");
        QTest::newRow("anthropic")
            << WireFormat::Anthropic
            << QByteArray(
                   "{ \"zeta\": {\"b\":1,\"a\":2},\n \"model\": \"alias\", \"n\": 123456789012345678901234567890, "
                   "\"f\": 1.0, \"e\": \"\\u00e9\\/\",\n"
                   " \"system\": [{\"type\":\"text\",\"text\":\"mine\",\"cache_control\":{\"type\":\"ephemeral\"}}], "
                   "\"messages\": [] }")
            << QByteArray("{ \"zeta\": {\"b\":1,\"a\":2},\n \"model\": \"real\", \"n\": "
                          "123456789012345678901234567890, \"f\": 1.0, \"e\": \"\\u00e9\\/\",\n"
                          " \"system\": [{\"type\":\"text\",\"text\":\"P. "
                          "\"},{\"type\":\"text\",\"text\":\"mine\",\"cache_control\":{\"type\":\"ephemeral\"}}], "
                          "\"messages\": [] }");
        QTest::newRow("chat")
            << WireFormat::OpenAIChat
            << QByteArray(
                   R"({"messages":[{"role":"developer","content":"be brief"}],"model":"alias","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"reasoning":{"type":"string"},"answer":{"type":"string"}}}}}]})")
            << QByteArray(
                   R"({"messages":[{"role":"developer","content":"P. be brief"}],"model":"real","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"reasoning":{"type":"string"},"answer":{"type":"string"}}}}}]})");
        QTest::newRow("responses")
            << WireFormat::OpenAIResponses
            << QByteArray(
                   R"({"input":"hi","model":"alias","text":{"format":{"type":"json_schema","schema":{"properties":{"z":{},"a":{}}}}}})")
            << QByteArray(
                   R"({"input":"hi","model":"real","text":{"format":{"type":"json_schema","schema":{"properties":{"z":{},"a":{}}}}},"instructions":"P. "})");
    }
    void passthroughIsByteExact()
    {
        QFETCH(WireFormat, format);
        QFETCH(QByteArray, in);
        QFETCH(QByteArray, out);
        PassthroughEdits e;
        e.upstreamModel = QStringLiteral("real");
        e.systemPrompt = QStringLiteral("P. ");
        const auto r = applyPassthroughEdits(format, json::Document::parse(in).value(), e);
        QVERIFY(r.ok());
        QCOMPARE(r.value(), out);
    }

    void errorShapes()
    {
        const Error e { 429, QStringLiteral("slow"), {} };
        QCOMPARE(renderErrorBody(WireFormat::Anthropic, e),
                 QByteArray(R"({"type":"error","error":{"type":"rate_limit_error","message":"slow"}})"));
        QCOMPARE(
            renderErrorBody(WireFormat::OpenAIChat, e),
            QByteArray(
                R"({"error":{"message":"slow","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}})"));
        QCOMPARE(renderErrorBody(WireFormat::Gemini, e),
                 QByteArray(R"({"error":{"code":429,"message":"slow","status":"RESOURCE_EXHAUSTED"}})"));
        QVERIFY(renderStreamError(WireFormat::Anthropic, e).startsWith("event: error\ndata: {"));
        QVERIFY(renderStreamError(WireFormat::OpenAIResponses, e).contains("\"type\":\"error\""));
        QCOMPARE(readUpstreamError(R"({"error":{"message":"m1"}})").message, QStringLiteral("m1"));
        QCOMPARE(readUpstreamError(R"({"detail":"m2"})").message, QStringLiteral("m2"));
        QCOMPARE(readUpstreamError("plain text").message, QStringLiteral("plain text"));
        // Gemini's REST API may wrap its error in an array.
        QCOMPARE(readUpstreamError(R"([{"error":{"code":400,"message":"m3","status":"INVALID_ARGUMENT"}}])").message,
                 QStringLiteral("m3"));
        const UpstreamError overloaded =
            readUpstreamError(R"({"type":"error","error":{"type":"overloaded_error","message":"x"}})");
        QCOMPARE(overloaded.type, QByteArray("overloaded_error"));
        QCOMPARE(overloaded.message, QStringLiteral("x"));
        QVERIFY(isOwnErrorShape(WireFormat::Anthropic, overloaded));
        QVERIFY(!isOwnErrorShape(WireFormat::Gemini, overloaded));
        QVERIFY(!isOwnErrorShape(WireFormat::Anthropic, readUpstreamError("plain text")));
    }

    void redaction()
    {
        log::registerSecret(QStringLiteral("my-registered-secret-value"));
        const QString line = log::redact(QStringLiteral(
            "auth Bearer abcdefghijklmnop123 key fk-1234567890abcdef jwt eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.sig123 "
            "refresh_token=rt_0123456789abcdef and my-registered-secret-value, \"access_token\":\"tok_0123456789\""));
        for (const char *secret : { "abcdefghijklmnop123", "fk-1234567890abcdef", "eyJhbGciOiJIUzI1",
                                    "rt_0123456789abcdef", "my-registered-secret-value", "tok_0123456789" })
            QVERIFY2(!line.contains(QLatin1String(secret)), qPrintable(line));
        QVERIFY(line.contains(QStringLiteral("Bearer [redacted]")));
        // Help texts stay readable.
        QCOMPARE(log::redact(QStringLiteral("send it as 'Authorization: Bearer <key>'")),
                 QStringLiteral("send it as 'Authorization: Bearer <key>'"));
        QCOMPARE(log::loggableHeaderValue("Authorization", "Bearer xyz"), QByteArray("[redacted]"));
        QCOMPARE(log::loggableHeaderValue("x-api-key", "abc"), QByteArray("[redacted]"));
        QCOMPARE(log::loggableHeaderValue("anthropic-version", "2023-06-01"), QByteArray("2023-06-01"));
    }
};

QTEST_GUILESS_MAIN(TestFormats)
#include "tst_formats.moc"
