// Fidelity through the real proxy and a real local upstream: what the client wrote is what the upstream gets,
// byte for byte apart from the documented edits (passthrough), and in the client's key order and exact
// numbers (translation: tool schemas, JSON-output schemas, tool-call arguments, both directions, streaming or
// not). Compared as byte spans, never re-parsed.
#include "agentbody.h"
#include "json/json.h"
#include "json/jsonwriter.h"
#include "log/log.h"
#include "formats/passthrough.h"
#include "http/directsend.h"
#include "support/proxyfixture.h"
#include "support/testhome.h"

#include <QtCore/qdiriterator.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qtemporarydir.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtTest/qtest.h>

using namespace d2a;

namespace {

const QString kPrefix = QStringLiteral("You are Droid, an AI software engineering agent built by Factory.\n\n");

struct TestRoute
{
    const char *tag;
    QString path; ///< %1: the model (Gemini routes)
    bench::BodyFormat body;
};

const TestRoute kRoutes[] = {
    { "anthropic", QStringLiteral("/v1/messages"), bench::BodyFormat::Anthropic },
    { "chat", QStringLiteral("/v1/chat/completions"), bench::BodyFormat::Chat },
    { "responses", QStringLiteral("/v1/responses"), bench::BodyFormat::Responses },
    { "gemini", QStringLiteral("/v1beta/models/%1:generateContent"), bench::BodyFormat::Gemini },
};

QString pathFor(const TestRoute &r, const QString &model)
{
    return r.path.contains(u'%') ? r.path.arg(model) : r.path;
}

/// One model of each upstream type (the defaults' ids; Gemini's is added by the test's config).
QString modelOf(const char *type)
{
    const QByteArray t(type);
    return t == "anthropic"   ? QStringLiteral("claude-sonnet-4-6")
           : t == "chat"      ? QStringLiteral("glm-5.2")
           : t == "responses" ? QStringLiteral("gpt-5.4")
                              : QStringLiteral("gemini-test");
}

// The same conversation in each client format: a tool whose schema lists its properties in a deliberate
// order, an earlier call of it with arguments in a deliberate order, its result, and a JSON-output schema.
const QByteArray kSchema =
    R"({"type":"object","properties":{"reasoning":{"type":"string"},"answer":{"type":"number"},"nested":{"type":"object","properties":{"zz":{"type":"integer"},"aa":{"type":"integer"}}}},"required":["reasoning","answer"]})";
const QByteArray kArgs = R"({"zeta":1,"alpha":{"y":2,"b":3},"big":12345678901234567890,"f":1.0})";
const QByteArray kOutSchema = R"({"type":"object","properties":{"why":{"type":"string"},"verdict":{"type":"string"}}})";

QByteArray clientBody(const QByteArray &format, const QString &model, bool stream, bool jsonOutput)
{
    QByteArray out;
    json::Writer w(&out);
    const QByteArray args = kArgs;
    if (format == "anthropic") {
        w.beginObject().member("model", model).member("max_tokens", 100);
        w.key("messages").beginArray();
        w.beginObject().member("role", "user").member("content", "check").endObject();
        w.beginObject()
            .member("role", "assistant")
            .key("content")
            .beginArray()
            .beginObject()
            .member("type", "tool_use")
            .member("id", "call_1");
        w.member("name", "judge").memberRaw("input", args).endObject().endArray().endObject();
        w.beginObject()
            .member("role", "user")
            .key("content")
            .beginArray()
            .beginObject()
            .member("type", "tool_result")
            .member("tool_use_id", "call_1");
        w.member("content", "ok").endObject().endArray().endObject();
        w.endArray()
            .key("tools")
            .beginArray()
            .beginObject()
            .member("name", "judge")
            .member("description", "d")
            .memberRaw("input_schema", kSchema);
        w.endObject().endArray();
    } else if (format == "chat") {
        w.beginObject().member("model", model).key("messages").beginArray();
        w.beginObject().member("role", "user").member("content", "check").endObject();
        w.beginObject()
            .member("role", "assistant")
            .memberNull("content")
            .key("tool_calls")
            .beginArray()
            .beginObject()
            .member("id", "call_1");
        w.member("type", "function")
            .key("function")
            .beginObject()
            .member("name", "judge")
            .key("arguments")
            .stringUtf8(args)
            .endObject();
        w.endObject().endArray().endObject();
        w.beginObject().member("role", "tool").member("tool_call_id", "call_1").member("content", "ok").endObject();
        w.endArray()
            .key("tools")
            .beginArray()
            .beginObject()
            .member("type", "function")
            .key("function")
            .beginObject()
            .member("name", "judge");
        w.member("description", "d").memberRaw("parameters", kSchema).endObject().endObject().endArray();
        if (jsonOutput)
            w.key("response_format")
                .beginObject()
                .member("type", "json_schema")
                .key("json_schema")
                .beginObject()
                .member("name", "out");
        if (jsonOutput)
            w.memberRaw("schema", kOutSchema).endObject().endObject();
    } else if (format == "responses") {
        w.beginObject().member("model", model).key("input").beginArray();
        w.beginObject().member("type", "message").member("role", "user").member("content", "check").endObject();
        w.beginObject()
            .member("type", "function_call")
            .member("call_id", "call_1")
            .member("name", "judge")
            .key("arguments")
            .stringUtf8(args)
            .endObject();
        w.beginObject()
            .member("type", "function_call_output")
            .member("call_id", "call_1")
            .member("output", "ok")
            .endObject();
        w.endArray()
            .key("tools")
            .beginArray()
            .beginObject()
            .member("type", "function")
            .member("name", "judge")
            .member("description", "d");
        w.memberRaw("parameters", kSchema).endObject().endArray();
        if (jsonOutput) {
            w.key("text").beginObject().key("format").beginObject().member("type", "json_schema").member("name", "out");
            w.memberRaw("schema", kOutSchema).endObject().endObject();
        }
    } else {
        w.beginObject().key("contents").beginArray();
        w.beginObject()
            .member("role", "user")
            .key("parts")
            .beginArray()
            .beginObject()
            .member("text", "check")
            .endObject()
            .endArray()
            .endObject();
        w.beginObject()
            .member("role", "model")
            .key("parts")
            .beginArray()
            .beginObject()
            .key("functionCall")
            .beginObject()
            .member("name", "judge");
        w.memberRaw("args", args).endObject().endObject().endArray().endObject();
        w.beginObject()
            .member("role", "user")
            .key("parts")
            .beginArray()
            .beginObject()
            .key("functionResponse")
            .beginObject()
            .member("name", "judge");
        w.key("response")
            .beginObject()
            .member("output", "ok")
            .endObject()
            .endObject()
            .endObject()
            .endArray()
            .endObject();
        w.endArray()
            .key("tools")
            .beginArray()
            .beginObject()
            .key("functionDeclarations")
            .beginArray()
            .beginObject()
            .member("name", "judge");
        w.member("description", "d")
            .memberRaw("parametersJsonSchema", kSchema)
            .endObject()
            .endArray()
            .endObject()
            .endArray();
        if (jsonOutput) {
            w.key("generationConfig")
                .beginObject()
                .member("responseMimeType", "application/json")
                .memberRaw("responseJsonSchema", kOutSchema);
            w.endObject();
        }
    }
    if (stream && format != "gemini")
        w.member("stream", true);
    w.endObject();
    return out;
}

/// The arguments a client of `format` sees in `body` (whole answer or stream), as text.
QByteArray argumentsSeen(const QByteArray &format, const QByteArray &body, bool stream)
{
    QByteArray seen;
    auto each = [&](auto f) {
        if (!stream) {
            auto d = json::Document::parse(body);
            if (d)
                f(d.value().root());
            return;
        }
        for (const QByteArray &line : body.split('\n')) {
            if (!line.startsWith("data: "))
                continue;
            auto d = json::Document::parse(line.mid(6).trimmed());
            if (d)
                f(d.value().root());
        }
    };
    each([&](const json::Value &o) {
        if (format == "anthropic") {
            if (!stream) {
                for (json::Value b : o["content"].children())
                    if (b["type"].stringIs("tool_use"))
                        seen += b["input"].raw();
            } else if (o["delta"]["type"].stringIs("input_json_delta")) {
                seen += o["delta"]["partial_json"].toUtf8();
            }
        } else if (format == "chat") {
            const json::Value c = o["choices"].at(0);
            for (json::Value t : (stream ? c["delta"] : c["message"])["tool_calls"].children())
                seen += t["function"]["arguments"].toUtf8();
        } else if (format == "responses") {
            if (!stream) {
                for (json::Value it : o["output"].children())
                    if (it["type"].stringIs("function_call"))
                        seen += it["arguments"].toUtf8();
            } else if (o["type"].stringIs("response.function_call_arguments.delta")) {
                seen += o["delta"].toUtf8();
            }
        } else {
            for (json::Value p : o["candidates"].at(0)["content"]["parts"].children())
                if (p.contains("functionCall"))
                    seen += p["functionCall"]["args"].raw();
        }
    });
    return seen;
}

} // namespace

class TestFidelity final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    ProxyFixture m_f;

    void call(RecordedCall &rc, const QString &path, const QByteArray &body)
    {
        startCall(*m_f.client, rc, "POST", m_f.url(path), body, {}, m_f.clock);
        QTRY_VERIFY_WITH_TIMEOUT(rc.done(), 20000);
    }

    QByteArray lastUpstreamBody() const
    {
        return m_f.fake->received.isEmpty() ? QByteArray() : m_f.fake->received.last().body;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        useTemporaryHome(m_home.path());
    }

    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
        QVERIFY(m_f.up());
        Config c = m_f.config();
        ModelConfig gemini;
        gemini.id = gemini.name = QStringLiteral("gemini-test");
        gemini.type = ModelType::Google;
        c.models.append(gemini);
        for (ModelConfig &m : c.models)
            m.reasoning = ReasoningLevel::Auto; // no reasoning edit: only the model and the Droid prefix change
        m_f.factoryKey = QStringLiteral("fk-fidelity-test-0123456789");
        QVERIFY(m_f.startProxy(c));
    }

    void cleanup()
    {
        m_f.client.reset();
        m_f.proxy.reset();
        m_f.fake.reset();
    }

    /// A realistic coding-agent conversation (~140 KB) in each format, to a model of that format: the upstream
    /// gets the client's bytes with the Droid prefix put first (and, for Gemini, the model Factory's route
    /// reads); nothing else differs.
    void passthroughAgentBodyIsByteExact_data()
    {
        QTest::addColumn<int>("route");
        for (int i = 0; i < 4; ++i)
            QTest::newRow(kRoutes[i].tag) << i;
    }
    void passthroughAgentBodyIsByteExact()
    {
        QFETCH(int, route);
        const TestRoute &r = kRoutes[route];
        bench::AgentBodyOptions o;
        o.model = modelOf(r.tag).toUtf8();
        const QByteArray body = bench::agentBody(r.body, o);
        QVERIFY(body.size() > 100000);
        RecordedCall rc;
        call(rc, pathFor(r, modelOf(r.tag)), body);
        QCOMPARE(rc.status, 200);
        // The expectation, built from the client's bytes by plain text substitution.
        QByteArray expected = body;
        const QByteArray prefixJson = json::quoted(kPrefix); // "You are Droid ...\n\n" with its quotes
        const QByteArray prefixInside = prefixJson.mid(1, prefixJson.size() - 2);
        QString sentence = kPrefix; // Anthropic's first block is the sentence alone, as Factory's CLI sends it
        while (sentence.endsWith(u'\n'))
            sentence.chop(1);
        if (QByteArray(r.tag) == "anthropic") {
            QVERIFY(expected.contains("\"system\":["));
            expected.replace("\"system\":[",
                             QByteArray("\"system\":[{\"type\":\"text\",\"text\":" + json::quoted(sentence) + "},"));
        } else if (QByteArray(r.tag) == "chat") {
            expected.replace("{\"role\":\"system\",\"content\":\"",
                             QByteArray("{\"role\":\"system\",\"content\":\"" + prefixInside));
        } else if (QByteArray(r.tag) == "responses") {
            expected.replace("\"instructions\":\"", QByteArray("\"instructions\":\"" + prefixInside));
        } else {
            // One system part, as Factory's CLI sends it: the prefix joined to the client's first part's text.
            expected.replace("\"systemInstruction\":{\"parts\":[{\"text\":\"",
                             QByteArray("\"systemInstruction\":{\"parts\":[{\"text\":\"" + prefixInside));
            expected.chop(1);
            expected += ",\"model\":\"gemini-test\"}";
        }
        QCOMPARE(lastUpstreamBody().size(), expected.size());
        QVERIFY(lastUpstreamBody() == expected);
    }

    /// A 24 MiB body of numbered lines (handed to Qt by reference, past the direct write's 1 MiB) reaches the
    /// upstream byte for byte.
    void passthroughBodyBiggerThanOneWrite()
    {
        const TestRoute &r = kRoutes[1]; // chat
        QByteArray text;
        text.reserve(24 * 1024 * 1024 + 64);
        for (int line = 0; text.size() < 24 * 1024 * 1024; ++line)
            text += QByteArray::number(line).rightJustified(8, '0') + " the quick brown fox jumps over it\\n";
        const QByteArray body = "{\"model\":\"" + modelOf(r.tag).toUtf8()
                                + "\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                                  "{\"role\":\"user\",\"content\":\""
                                + text + "\"}]}";
        RecordedCall rc;
        call(rc, pathFor(r, modelOf(r.tag)), body);
        QCOMPARE(rc.status, 200);
        const QByteArray prefixJson = json::quoted(kPrefix);
        QByteArray expected = body;
        expected.replace("{\"role\":\"system\",\"content\":\"",
                         QByteArray("{\"role\":\"system\",\"content\":\"" + prefixJson.mid(1, prefixJson.size() - 2)));
        QCOMPARE(lastUpstreamBody().size(), expected.size());
        QVERIFY(lastUpstreamBody() == expected);
    }

    /// http::writeNow with a peer that reads nothing yet and small socket buffers: the kernel takes only part of
    /// a head and a body written straight to it, Qt sends the rest after it, and the peer gets every byte in
    /// order. Then a second write while Qt still holds bytes goes behind them.
    void directWriteLeavesTheRestToQtInOrder()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QTcpSocket sender;
        sender.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(sender.waitForConnected(5000));
        sender.setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 16 * 1024);
        QVERIFY(server.waitForNewConnection(5000));
        std::unique_ptr<QTcpSocket> peer(server.nextPendingConnection());
        peer->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 16 * 1024);
        QByteArray head = "HEAD\n", body, more;
        for (int i = 0; body.size() < 900 * 1024; ++i)
            body += QByteArray::number(i).rightJustified(8, '0') + '\n';
        for (int i = 0; more.size() < 300 * 1024; ++i)
            more += QByteArray::number(i, 16).rightJustified(8, '.') + '\n';
        http::writeNow(&sender, true, head, body);
        QVERIFY(sender.bytesToWrite() > 0); // the kernel did not take it all: Qt holds the rest
        http::writeNow(&sender, true, more); // queued behind it, never before
        QByteArray got;
        const QByteArray expected = head + body + more;
        QVERIFY(QTest::qWaitFor(
            [&] {
            got += peer->readAll();
            return got.size() >= expected.size();
            },
            20000));
        QCOMPARE(got.size(), expected.size());
        QVERIFY(got == expected);
    }

    /// Keys in unusual order, whitespace, big integers, 1.0, escapes and unknown nested objects pass untouched.
    void passthroughKeepsEverythingElse()
    {
        const QByteArray body = "{\n  \"zz_unknown\": {\"b\": [1, 2.50, -0.0, 1e3], \"a\": null},\n  \"messages\": [ "
                                "{\"content\": \"caf\\u00e9 \\/ \\\"q\\\"\", "
                                "\"role\": \"user\"} ],\n  \"temperature\": 1.0,\n  \"seed\": "
                                "123456789012345678901234567890,\n  \"model\": \"glm-5.2\"\n}";
        RecordedCall rc;
        call(rc, QStringLiteral("/v1/chat/completions"), body);
        QCOMPARE(rc.status, 200);
        QByteArray expected = body;
        const QByteArray prefixJson = json::quoted(kPrefix);
        expected.replace("\"messages\": [ ",
                         QByteArray("\"messages\": [ {\"role\":\"system\",\"content\":" + prefixJson + "},"));
        QCOMPARE(lastUpstreamBody(), expected);
    }

    /// The byte-keeping edits against droid2api 0.1's QJson ones, over every request body the project has
    /// (recorded transcripts, the real agents' captures, the Factory CLI's captures, generated agent bodies)
    /// and each reasoning level: the same JSON after canonicalisation, and byte for byte the client's outside
    /// the members the edits touch, in the client's order.
    void splicedEditsKeepEverythingElse_data()
    {
        QTest::addColumn<WireFormat>("format");
        QTest::addColumn<QByteArray>("body");
        auto formatOfPath = [](const QString &path) {
            return path.contains(u"/messages")           ? WireFormat::Anthropic
                   : path.contains(u"/responses")        ? WireFormat::OpenAIResponses
                   : path.contains(u"/chat/completions") ? WireFormat::OpenAIChat
                                                         : WireFormat::Gemini;
        };
        auto read = [](const QString &path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        const QString data = QStringLiteral(D2A_TEST_DATA_DIR);
        int n = 0;
        for (QDirIterator it(data + QStringLiteral("/transcripts/requests"), { QStringLiteral("*.json") });
             it.hasNext();) {
            const QString file = it.next();
            const QString tag = file.section(u'.', -2, -2);
            const WireFormat f = tag == u"anthropic"   ? WireFormat::Anthropic
                                 : tag == u"responses" ? WireFormat::OpenAIResponses
                                 : tag == u"chat"      ? WireFormat::OpenAIChat
                                                       : WireFormat::Gemini;
            QTest::newRow(qPrintable(file.mid(data.size() + 1))) << f << read(file);
            ++n;
        }
        for (const QString &dir : { QStringLiteral("/agents"), QStringLiteral("/factory-cli") }) {
            for (QDirIterator it(data + dir, { QStringLiteral("*.json") }, QDir::Files, QDirIterator::Subdirectories);
                 it.hasNext();) {
                const QString file = it.next();
                if (file.endsWith(u".meta.json") || file.endsWith(u".headers.json") || file.contains(u"/_scripts/")
                    || file.contains(u"/auth-v2/"))
                    continue;
                QString meta = file;
                meta.replace(QRegularExpression(QStringLiteral("\\.json$")),
                             dir == u"/agents" ? QStringLiteral(".meta.json") : QStringLiteral(".headers.json"));
                const QJsonObject m = QJsonDocument::fromJson(read(meta)).object();
                if (!m.contains(u"path"))
                    continue;
                QTest::newRow(qPrintable(file.mid(data.size() + 1)))
                    << formatOfPath(m.value(u"path").toString()) << read(file);
                ++n;
            }
        }
        for (const TestRoute &r : kRoutes)
            QTest::newRow(qPrintable(QStringLiteral("generated agent body %1").arg(QLatin1StringView(r.tag))))
                << (r.body == bench::BodyFormat::Anthropic   ? WireFormat::Anthropic
                    : r.body == bench::BodyFormat::Chat      ? WireFormat::OpenAIChat
                    : r.body == bench::BodyFormat::Responses ? WireFormat::OpenAIResponses
                                                             : WireFormat::Gemini)
                << bench::agentBody(r.body);
        QVERIFY(n >= 8);
    }
    void splicedEditsKeepEverythingElse()
    {
        // Every captured and generated body, at every level, with a model of each family: the edits give valid
        // strict JSON, and every member they do not touch stays byte for byte, in the client's order.
        QFETCH(WireFormat, format);
        QFETCH(QByteArray, body);
        auto doc = json::Document::parse(body, { 512, false });
        QVERIFY2(doc.ok(), qPrintable(doc.ok() ? QString() : doc.error().message));
        // The members an edit may touch, per format.
        const QStringList touched { QStringLiteral("model"),
                                    QStringLiteral("system"),
                                    QStringLiteral("instructions"),
                                    QStringLiteral("messages"),
                                    QStringLiteral("systemInstruction"),
                                    QStringLiteral("system_instruction"),
                                    QStringLiteral("thinking"),
                                    QStringLiteral("output_config"),
                                    QStringLiteral("max_tokens"),
                                    QStringLiteral("temperature"),
                                    QStringLiteral("top_k"),
                                    QStringLiteral("reasoning"),
                                    QStringLiteral("reasoning_effort"),
                                    QStringLiteral("reasoning_history"),
                                    QStringLiteral("chat_template_args"),
                                    QStringLiteral("generationConfig"),
                                    QStringLiteral("service_tier"),
                                    QStringLiteral("speed"),
                                    QStringLiteral("prompt_cache_key") };
        const Config catalog = ConfigLoader::defaults();
        QStringList families;
        switch (format) {
        case WireFormat::Anthropic:
            families = { QStringLiteral("claude-sonnet-4-5-20250929"), QStringLiteral("claude-opus-4-5-20251101"),
                         QStringLiteral("claude-opus-4-6"), QStringLiteral("claude-opus-4-8") };
            break;
        case WireFormat::OpenAIResponses: families = { QStringLiteral("gpt-5.4"), QStringLiteral("grok-4.6") }; break;
        case WireFormat::OpenAIChat:
            families = { QStringLiteral("kimi-k3"), QStringLiteral("nemotron-3-ultra"), QStringLiteral("glm-5.3") };
            break;
        case WireFormat::Gemini: families = { QStringLiteral("gemini-3-flash-preview") }; break;
        }
        for (const QString &id : std::as_const(families)) {
            const ModelConfig *model = catalog.findModel(id);
            QVERIFY2(model, qPrintable(id));
            for (ReasoningLevel level : allReasoningLevels()) {
                PassthroughEdits e;
                e.upstreamModel = QStringLiteral("upstream-model");
                e.systemPrompt = kPrefix;
                e.level = model->clamp(level);
                e.model = *model;
                e.budget = 12288;
                e.fast = true;
                e.promptCacheKey = QStringLiteral("session");
                const auto now = applyPassthroughEdits(format, doc.value(), e);
                if (!now.ok())
                    continue;
                auto out = json::Document::parse(now.value(), { 512, true });
                QVERIFY2(out.ok(), qPrintable(out.ok() ? QString() : out.error().message));
                QCOMPARE(out.value().root()["model"].toString(), QStringLiteral("upstream-model"));
                qsizetype at = 0;
                for (json::Value m : doc.value().root().children()) {
                    if (touched.contains(m.key()))
                        continue;
                    const QByteArrayView member(body.constData() + m.keyStart(), m.end() - m.keyStart());
                    const qsizetype found = now.value().indexOf(member.toByteArray(), at);
                    QVERIFY2(found >= 0, qPrintable(QStringLiteral("member '%1' changed or moved").arg(m.key())));
                    at = found + member.size();
                }
            }
        }
    }

    void duplicateKeysAreRefused()
    {
        RecordedCall rc;
        call(rc, QStringLiteral("/v1/chat/completions"),
             R"({"model":"glm-5.2","messages":[{"role":"user","content":"a","content":"b"}]})");
        QCOMPARE(rc.status, 400);
        QVERIFY2(rc.json()
                     .value(QStringLiteral("error"))
                     .toObject()
                     .value(QStringLiteral("message"))
                     .toString()
                     .contains(QStringLiteral("duplicate key 'content'")),
                 rc.body.constData());
        QVERIFY(m_f.fake->received.isEmpty());
    }

    /// Every translated pair, whole and streamed: the schema's key order and the tool-call arguments' bytes
    /// reach the upstream, and the upstream's tool-call arguments reach the client, unchanged.
    void translationKeepsOrder_data()
    {
        QTest::addColumn<QByteArray>("client");
        QTest::addColumn<QByteArray>("upstream");
        QTest::addColumn<bool>("stream");
        for (const TestRoute &c : kRoutes)
            for (const TestRoute &u : kRoutes)
                if (QByteArray(c.tag) != QByteArray(u.tag))
                    for (bool stream : { false, true })
                        QTest::newRow(qPrintable(QStringLiteral("%1->%2%3")
                                                     .arg(QLatin1StringView(c.tag), QLatin1StringView(u.tag),
                                                          stream ? QStringLiteral(" stream") : QString())))
                            << QByteArray(c.tag) << QByteArray(u.tag) << stream;
    }
    void translationKeepsOrder()
    {
        QFETCH(QByteArray, client);
        QFETCH(QByteArray, upstream);
        QFETCH(bool, stream);
        const TestRoute *route = nullptr;
        for (const TestRoute &r : kRoutes)
            if (QByteArray(r.tag) == client)
                route = &r;
        QString path = pathFor(*route, modelOf(upstream));
        if (client == "gemini" && stream)
            path.replace(QStringLiteral(":generateContent"), QStringLiteral(":streamGenerateContent?alt=sse"));
        const bool jsonOutput = upstream != "anthropic" && client != "anthropic"; // Anthropic has no JSON output mode
        const QByteArray answerArgs = R"({"zeta":true,"alpha":1.0,"mid":{"y":2,"b":3},"n":-12345678901234567890})";
        m_f.fake->script.append({ QString(), QStringLiteral("judge"), answerArgs, QStringLiteral("call_9") });
        RecordedCall rc;
        call(rc, path, clientBody(client, modelOf(upstream), stream, jsonOutput));
        QVERIFY2(rc.status == 200, rc.body.constData());
        const QByteArray sent = lastUpstreamBody();
        QVERIFY2(json::Document::parse(sent).ok(), sent.constData());
        // The tool schema and the JSON-output schema: the client's bytes (Gemini: the same order, cleaned, with
        // propertyOrdering).
        if (upstream == "gemini") {
            QVERIFY2(
                sent.contains(
                    R"("properties":{"reasoning":{"type":"string"},"answer":{"type":"number"},"nested":{"type":"object","properties":{"zz":{"type":"integer"},"aa":{"type":"integer"}},"propertyOrdering":["zz","aa"]}},"propertyOrdering":["reasoning","answer","nested"])"),
                sent.constData());
            if (jsonOutput)
                QVERIFY2(
                    sent.contains(
                        R"("properties":{"why":{"type":"string"},"verdict":{"type":"string"}},"propertyOrdering":["why","verdict"])"),
                    sent.constData());
        } else {
            QVERIFY2(sent.contains(kSchema), sent.constData());
            if (jsonOutput)
                QVERIFY2(sent.contains(kOutSchema), sent.constData());
        }
        // The earlier call's arguments, as the client wrote them (a string's content or an object).
        const QByteArray argsAsString = json::quoted(QString::fromUtf8(kArgs));
        QVERIFY2(upstream == "anthropic" || upstream == "gemini" ? sent.contains(kArgs) : sent.contains(argsAsString),
                 sent.constData());
        // The upstream's call reaches the client with its arguments unchanged.
        QCOMPARE(argumentsSeen(client, rc.body, stream || (client == "gemini" && stream)), answerArgs);
    }
};

QTEST_GUILESS_MAIN(TestFidelity)
#include "tst_fidelity.moc"
