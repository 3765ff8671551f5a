// Reasoning mapping, Factory headers, passthrough edits, error shapes and log redaction.
#include "formats/apierrors.h"
#include "formats/passthrough.h"
#include "formats/reasoning.h"
#include "json/jsonedit.h"
#include "log/log.h"
#include "upstream/factoryheaders.h"

#include <QtCore/qjsonarray.h>
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

    void reasoning_data()
    {
        QTest::addColumn<WireFormat>("format");
        QTest::addColumn<ReasoningLevel>("level");
        QTest::addColumn<QByteArray>("in");
        QTest::addColumn<QByteArray>("out");
        const QByteArray thinkIn = R"({"max_tokens":1000,"thinking":{"type":"enabled","budget_tokens":2000},"temperature":0.3})";
        // Exact bytes: only the edited members change, the rest keeps its order and text.
        QTest::newRow("anthropic auto keeps") << WireFormat::Anthropic << ReasoningLevel::Auto << thinkIn << thinkIn;
        QTest::newRow("anthropic off removes") << WireFormat::Anthropic << ReasoningLevel::Off << thinkIn
                                               << QByteArray(R"({"max_tokens":1000,"temperature":0.3})");
        QTest::newRow("anthropic low") << WireFormat::Anthropic << ReasoningLevel::Low << QByteArray(R"({"max_tokens":1000})")
                                       << QByteArray(R"({"max_tokens":8192,"thinking":{"type":"enabled","budget_tokens":4096}})");
        QTest::newRow("anthropic medium keeps big max") << WireFormat::Anthropic << ReasoningLevel::Medium << QByteArray(R"({"max_tokens":32000})")
                                       << QByteArray(R"({"max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":12288}})");
        QTest::newRow("anthropic high drops temperature") << WireFormat::Anthropic << ReasoningLevel::High << thinkIn
                                       << QByteArray(R"({"max_tokens":28672,"thinking":{"type":"enabled","budget_tokens":24576}})");
        QTest::newRow("anthropic xhigh") << WireFormat::Anthropic << ReasoningLevel::XHigh << QByteArray(R"({"max_tokens":64000})")
                                       << QByteArray(R"({"max_tokens":64000,"thinking":{"type":"enabled","budget_tokens":40960}})");
        QTest::newRow("responses auto") << WireFormat::OpenAIResponses << ReasoningLevel::Auto << QByteArray(R"({"reasoning":{"effort":"minimal"}})")
                                        << QByteArray(R"({"reasoning":{"effort":"minimal"}})");
        QTest::newRow("responses off") << WireFormat::OpenAIResponses << ReasoningLevel::Off << QByteArray(R"({"reasoning":{"effort":"high"}})")
                                       << QByteArray(R"({})");
        QTest::newRow("responses medium") << WireFormat::OpenAIResponses << ReasoningLevel::Medium << QByteArray(R"({})")
                                          << QByteArray(R"({"reasoning":{"effort":"medium","summary":"auto"}})");
        QTest::newRow("responses xhigh keeps summary and order") << WireFormat::OpenAIResponses << ReasoningLevel::XHigh
                                         << QByteArray(R"({"reasoning":{"summary":"detailed","x":1}})")
                                         << QByteArray(R"({"reasoning":{"summary":"detailed","x":1,"effort":"xhigh"}})");
        QTest::newRow("chat high") << WireFormat::OpenAIChat << ReasoningLevel::High << QByteArray(R"({})") << QByteArray(R"({"reasoning_effort":"high"})");
        QTest::newRow("chat off") << WireFormat::OpenAIChat << ReasoningLevel::Off << QByteArray(R"({"reasoning_effort":"low"})") << QByteArray(R"({})");
        QTest::newRow("gemini low") << WireFormat::Gemini << ReasoningLevel::Low << QByteArray(R"({"generationConfig":{"temperature":1}})")
                                    << QByteArray(R"({"generationConfig":{"temperature":1,"thinkingConfig":{"thinkingLevel":"LOW"}}})");
        QTest::newRow("gemini xhigh") << WireFormat::Gemini << ReasoningLevel::XHigh << QByteArray(R"({"generationConfig":{"thinkingConfig":{"thinkingBudget":100}}})")
                                      << QByteArray(R"({"generationConfig":{"thinkingConfig":{"thinkingLevel":"HIGH"}}})");
        QTest::newRow("gemini off") << WireFormat::Gemini << ReasoningLevel::Off << QByteArray(R"({"generationConfig":{"thinkingConfig":{"thinkingLevel":"HIGH"}}})")
                                    << QByteArray(R"({})");
        QTest::newRow("gemini off keeps the rest") << WireFormat::Gemini << ReasoningLevel::Off
                                    << QByteArray(R"({"generationConfig":{"topK":3,"thinkingConfig":{"thinkingLevel":"HIGH"},"temperature":1.0}})")
                                    << QByteArray(R"({"generationConfig":{"topK":3,"temperature":1.0}})");
    }

    void reasoning()
    {
        QFETCH(WireFormat, format);
        QFETCH(ReasoningLevel, level);
        QFETCH(QByteArray, in);
        QFETCH(QByteArray, out);
        auto doc = json::Document::parse(in);
        QVERIFY(doc.ok());
        json::Patcher p(doc.value());
        applyReasoning(format, p, doc.value().root(), level);
        QCOMPARE(p.apply(), out);
    }

    void anthropicBeta()
    {
        QCOMPARE(anthropicBetaHeader("a, b,a", ReasoningLevel::Auto, false), QByteArray("a,b"));
        QCOMPARE(anthropicBetaHeader("a", ReasoningLevel::Low, false), QByteArray("a,interleaved-thinking-2025-05-14"));
        QCOMPARE(anthropicBetaHeader("interleaved-thinking-2025-05-14,x", ReasoningLevel::Off, false), QByteArray("x"));
        QCOMPARE(anthropicBetaHeader("", ReasoningLevel::Auto, true), QByteArray("fast-mode-2026-02-01"));
    }

    void factoryHeaders()
    {
        FactoryHeaderInput in;
        in.type = ModelType::Anthropic;
        in.userAgent = QStringLiteral("factory-cli/0.99.1");
        in.bearer = "tok";
        in.clientHeaders = { { "Anthropic-Version", "2023-01-01" }, { "X-Session-Id", "s1" } };
        in.extraHeaders = QJsonObject { { "x-stainless-lang", "js" } };
        const HeaderList h = buildFactoryHeaders(in);
        QCOMPARE(headerValue(h, "authorization"), QByteArray("Bearer tok"));
        QCOMPARE(headerValue(h, "x-api-provider"), QByteArray("anthropic"));
        QCOMPARE(headerValue(h, "anthropic-version"), QByteArray("2023-01-01"));
        QCOMPARE(headerValue(h, "x-session-id"), QByteArray("s1"));
        QCOMPARE(headerValue(h, "x-client-version"), QByteArray("0.99.1"));
        QCOMPARE(headerValue(h, "x-api-key"), QByteArray("placeholder"));
        QCOMPARE(headerValue(h, "x-stainless-lang"), QByteArray("js"));
        QCOMPARE(headerValue(h, "x-assistant-message-id").size(), 36);
        in.type = ModelType::Common;
        in.clientHeaders.clear();
        const HeaderList c = buildFactoryHeaders(in);
        QCOMPARE(headerValue(c, "x-api-provider"), QByteArray("fireworks"));
        QVERIFY(!hasHeader(c, "anthropic-version"));
        QVERIFY(headerValue(c, "x-session-id") != headerValue(buildFactoryHeaders(in), "x-session-id"));
    }

    void passthroughGemini()
    {
        PassthroughEdits e;
        e.upstreamModel = QStringLiteral("gemini-x");
        e.systemPrompt = QStringLiteral("P. ");
        e.geminiStream = true;
        e.setGeminiStream = true;
        auto edit = [&e](WireFormat f, const QByteArray &in) { return applyPassthroughEdits(f, json::Document::parse(in).value(), e); };
        const auto r = edit(WireFormat::Gemini, R"({"systemInstruction":{"parts":[{"text":"mine"}]},"contents":[]})");
        QVERIFY(r.ok());
        QCOMPARE(r.value(), QByteArray(R"({"systemInstruction":{"parts":[{"text":"P. "},{"text":"mine"}]},"contents":[],"model":"gemini-x","stream":true})"));
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
        QTest::newRow("anthropic") << WireFormat::Anthropic
            << QByteArray("{ \"zeta\": {\"b\":1,\"a\":2},\n \"model\": \"alias\", \"n\": 123456789012345678901234567890, \"f\": 1.0, \"e\": \"\\u00e9\\/\",\n"
                          " \"system\": [{\"type\":\"text\",\"text\":\"mine\",\"cache_control\":{\"type\":\"ephemeral\"}}], \"messages\": [] }")
            << QByteArray("{ \"zeta\": {\"b\":1,\"a\":2},\n \"model\": \"real\", \"n\": 123456789012345678901234567890, \"f\": 1.0, \"e\": \"\\u00e9\\/\",\n"
                          " \"system\": [{\"type\":\"text\",\"text\":\"P. \"},{\"type\":\"text\",\"text\":\"mine\",\"cache_control\":{\"type\":\"ephemeral\"}}], \"messages\": [] }");
        QTest::newRow("chat") << WireFormat::OpenAIChat
            << QByteArray(R"({"messages":[{"role":"developer","content":"be brief"}],"model":"alias","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"reasoning":{"type":"string"},"answer":{"type":"string"}}}}}]})")
            << QByteArray(R"({"messages":[{"role":"developer","content":"P. be brief"}],"model":"real","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"reasoning":{"type":"string"},"answer":{"type":"string"}}}}}]})");
        QTest::newRow("responses") << WireFormat::OpenAIResponses
            << QByteArray(R"({"input":"hi","model":"alias","text":{"format":{"type":"json_schema","schema":{"properties":{"z":{},"a":{}}}}}})")
            << QByteArray(R"({"input":"hi","model":"real","text":{"format":{"type":"json_schema","schema":{"properties":{"z":{},"a":{}}}}},"instructions":"P. "})");
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
        QCOMPARE(renderErrorBody(WireFormat::OpenAIChat, e),
                 QByteArray(R"({"error":{"message":"slow","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}})"));
        QCOMPARE(renderErrorBody(WireFormat::Gemini, e),
                 QByteArray(R"({"error":{"code":429,"message":"slow","status":"RESOURCE_EXHAUSTED"}})"));
        QVERIFY(renderStreamError(WireFormat::Anthropic, e).startsWith("event: error\ndata: {"));
        QVERIFY(renderStreamError(WireFormat::OpenAIResponses, e).contains("\"type\":\"error\""));
        QCOMPARE(upstreamErrorMessage(R"({"error":{"message":"m1"}})"), QStringLiteral("m1"));
        QCOMPARE(upstreamErrorMessage(R"({"detail":"m2"})"), QStringLiteral("m2"));
        QCOMPARE(upstreamErrorMessage("plain text"), QStringLiteral("plain text"));
        QCOMPARE(upstreamErrorType(R"({"type":"error","error":{"type":"overloaded_error","message":"x"}})"), QByteArray("overloaded_error"));
    }

    void redaction()
    {
        log::registerSecret(QStringLiteral("my-registered-secret-value"));
        const QString line = log::redact(QStringLiteral(
            "auth Bearer abcdefghijklmnop123 key fk-1234567890abcdef jwt eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.sig123 "
            "refresh_token=rt_0123456789abcdef and my-registered-secret-value, \"access_token\":\"tok_0123456789\""));
        for (const char *secret : { "abcdefghijklmnop123", "fk-1234567890abcdef", "eyJhbGciOiJIUzI1", "rt_0123456789abcdef",
                                    "my-registered-secret-value", "tok_0123456789" })
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
