// Translation between every pair of formats, over recorded transcripts in tests/data/transcripts/:
// requests (requests/<scenario>.<format>.json), upstream streams (streams/<scenario>.<format>.sse) and whole
// answers (answers/<scenario>.<format>.json). Each row asserts the exact output (expected/...), and every
// translated stream passes the client format's grammar checker. D2A_RECORD=1 rewrites the expected files.
#include "formats/passthrough.h"
#include "formats/registry.h"
#include "formats/translate.h"
#include "usage/tokens.h"
#include "json/jsonedit.h"
#include "json/jsonwriter.h"
#include "sse/ssesplitter.h"
#include "support/fakeupstream.h"
#include "support/formattags.h"
#include "support/grammar.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

using namespace d2a;

Q_DECLARE_METATYPE(d2a::WireFormat)

namespace {

const QString kDir = QStringLiteral(D2A_TEST_DATA_DIR "/transcripts");
using testsupport::kFormats;
using testsupport::tag;

bool recording()
{
    return qEnvironmentVariableIntValue("D2A_RECORD") == 1;
}

/// Random ids and clock values differ per run: replace them so outputs compare exactly.
QByteArray normalize(QByteArray text)
{
    static const QRegularExpression ids(QStringLiteral("(chatcmpl-|msg_|resp_|rs_|fc_|call_|toolu_)?[0-9a-f]{24}\\b"));
    static const QRegularExpression created(QStringLiteral("\"(created|created_at)\":\\s*\\d+"));
    QString s = QString::fromUtf8(text);
    s.replace(ids, QStringLiteral("\\1<id>"));
    s.replace(created, QStringLiteral("\"\\1\":0"));
    return s.toUtf8();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

void compareOrRecord(const QString &path, const QByteArray &actual)
{
    if (recording()) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(actual);
        return;
    }
    const QByteArray expected = readFile(path);
    QVERIFY2(!expected.isEmpty(),
             qPrintable(QStringLiteral("missing expected file %1 (run with D2A_RECORD=1)").arg(path)));
    QCOMPARE(actual, expected);
}

/// Indented for reading, keys in the order they were written (never sorted: order is part of what is tested).
QByteArray pretty(const QByteArray &json)
{
    return json::pretty(json) + '\n';
}

QString upstreamTag(WireFormat f)
{
    return tag(f); // the fake's format names are the same
}

} // namespace

class TestTranslate final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    void initTestCase()
    {
        if (!recording())
            return;
        // Record the upstream transcripts from the fake upstream's scenarios (each format's real grammar).
        for (WireFormat f : kFormats) {
            for (const char *scenario : { "text", "tools", "think", "answer" }) {
                const QString s = QString::fromLatin1(scenario);
                const QString sc = s == u"answer" ? QStringLiteral("tools")
                                   : s == u"text" ? QStringLiteral("plain")
                                                  : s;
                const QString answer =
                    s == u"answer" ? QStringLiteral("call_1=sunny, 21C | call_2=rain, 14C") : QString();
                QByteArray stream;
                for (const QByteArray &e :
                     FakeUpstream::scenarioEvents(upstreamTag(f).toLatin1(), QStringLiteral("m"), sc, answer))
                    stream += e;
                QDir().mkpath(kDir + QStringLiteral("/streams"));
                QFile sf(kDir + QStringLiteral("/streams/%1.%2.sse").arg(s, tag(f)));
                QVERIFY(sf.open(QIODevice::WriteOnly | QIODevice::Truncate));
                sf.write(stream);
                QDir().mkpath(kDir + QStringLiteral("/answers"));
                QFile af(kDir + QStringLiteral("/answers/%1.%2.json").arg(s, tag(f)));
                QVERIFY(af.open(QIODevice::WriteOnly | QIODevice::Truncate));
                af.write(
                    pretty(FakeUpstream::scenarioBody(upstreamTag(f).toLatin1(), QStringLiteral("m"), sc, answer)));
            }
        }
    }

    void requests_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<WireFormat>("from");
        QTest::addColumn<WireFormat>("to");
        for (const char *scenario : { "basic", "tools" })
            for (WireFormat from : kFormats)
                for (WireFormat to : kFormats)
                    if (from != to)
                        QTest::newRow(
                            qPrintable(QStringLiteral("%1 %2->%3").arg(QLatin1String(scenario), tag(from), tag(to))))
                            << QString::fromLatin1(scenario) << from << to;
    }

    void requests()
    {
        QFETCH(QString, scenario);
        QFETCH(WireFormat, from);
        QFETCH(WireFormat, to);
        auto body =
            json::Document::parse(readFile(kDir + QStringLiteral("/requests/%1.%2.json").arg(scenario, tag(from))));
        QVERIFY(body.ok());
        auto parsed = readRequest(from, body.value().root(), QStringLiteral("m"));
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        auto written = writeRequestDocument(to, parsed.value());
        const QByteArray out =
            written.ok() ? written.value().source() : "{\"error\":" + json::quoted(written.error().message) + '}';
        auto reparsed = json::Document::parse(out);
        QVERIFY2(reparsed.ok(), out.constData()); // valid, strict JSON (no duplicate keys)
        if (written.ok()) // the tree recorded while writing is the one a parse finds
            QVERIFY(written.value().sameTreeAs(reparsed.value()));
        compareOrRecord(kDir + QStringLiteral("/expected/requests/%1.%2-to-%3.json").arg(scenario, tag(from), tag(to)),
                        normalize(pretty(out)));
        if (scenario == u"tools" && written.ok()) {
            // Whatever the pair: both calls, both results and the follow-up question made it across.
            const QByteArray text = out;
            for (const char *needle :
                 { "Paris", "London", "sunny, 21C", "rain, 14C", "Which is warmer?", "get_weather" })
                QVERIFY2(text.contains(needle), needle);
        }
    }

    void streams_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<WireFormat>("upstream");
        QTest::addColumn<WireFormat>("client");
        for (const char *scenario : { "text", "tools", "think", "answer" })
            for (WireFormat up : kFormats)
                for (WireFormat client : kFormats)
                    if (up != client)
                        QTest::newRow(
                            qPrintable(QStringLiteral("%1 %2->%3").arg(QLatin1String(scenario), tag(up), tag(client))))
                            << QString::fromLatin1(scenario) << up << client;
    }

    void streams()
    {
        QFETCH(QString, scenario);
        QFETCH(WireFormat, upstream);
        QFETCH(WireFormat, client);
        const QByteArray input = readFile(kDir + QStringLiteral("/streams/%1.%2.sse").arg(scenario, tag(upstream)));
        QVERIFY(!input.isEmpty());
        ir::Request req;
        req.model = QStringLiteral("m");
        req.includeUsage = true;
        auto reader = makeEventReader(upstream);
        auto writer = makeStreamWriter(client, req);
        // Fed in small pieces, as TCP would deliver it.
        SseSplitter splitter;
        QByteArray out;
        for (qsizetype i = 0; i < input.size(); i += 7)
            for (const QByteArray &raw : splitter.feed(input.mid(i, 7)))
                for (const ir::Event &e : reader->read(SseSplitter::parse(raw)))
                    out += writer->write(e);
        for (const ir::Event &e : reader->end())
            out += writer->write(e);
        QVERIFY(writer->finished());
        const QString grammar = checkStreamGrammar(client, out);
        QVERIFY2(grammar.isEmpty(), qPrintable(grammar + QStringLiteral("\n") + QString::fromUtf8(out)));
        compareOrRecord(
            kDir + QStringLiteral("/expected/streams/%1.%2-to-%3.sse").arg(scenario, tag(upstream), tag(client)),
            normalize(out));
    }

    void answers_data() { streams_data(); }

    void answers()
    {
        QFETCH(QString, scenario);
        QFETCH(WireFormat, upstream);
        QFETCH(WireFormat, client);
        auto parsed =
            readResponse(upstream, readFile(kDir + QStringLiteral("/answers/%1.%2.json").arg(scenario, tag(upstream))));
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        const QByteArray out = writeResponse(client, parsed.value());
        QVERIFY2(json::Document::parse(out).ok(), out.constData());
        compareOrRecord(
            kDir + QStringLiteral("/expected/answers/%1.%2-to-%3.json").arg(scenario, tag(upstream), tag(client)),
            normalize(pretty(out)));
    }

    void upstreamErrorMidStream_data()
    {
        QTest::addColumn<WireFormat>("upstream");
        QTest::addColumn<WireFormat>("client");
        for (WireFormat up : kFormats)
            for (WireFormat client : kFormats)
                if (up != client)
                    QTest::newRow(qPrintable(tag(up) + QStringLiteral("->") + tag(client))) << up << client;
    }

    void upstreamErrorMidStream()
    {
        QFETCH(WireFormat, upstream);
        QFETCH(WireFormat, client);
        const QByteArray errorEvent =
            upstream == WireFormat::Anthropic ? QByteArray(
                "event: error\ndata: "
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
            : upstream == WireFormat::OpenAIResponses
                ? QByteArray(
                    "event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":\"Overloaded\"}\n\n")
                : QByteArray("data: {\"error\":{\"code\":503,\"message\":\"Overloaded\"}}\n\n");
        const QByteArray input = readFile(kDir + QStringLiteral("/streams/text.%1.sse").arg(tag(upstream)));
        SseSplitter splitter;
        const QList<QByteArray> events = splitter.feed(input);
        ir::Request req;
        req.model = QStringLiteral("m");
        auto reader = makeEventReader(upstream);
        auto writer = makeStreamWriter(client, req);
        QByteArray out;
        for (int i = 0; i < 2; ++i) // a good start, then the upstream reports an error
            for (const ir::Event &e : reader->read(SseSplitter::parse(events[i])))
                out += writer->write(e);
        for (const ir::Event &e : reader->read(SseSplitter::parse(errorEvent)))
            out += writer->write(e);
        for (const ir::Event &e : reader->end())
            out += writer->write(e);
        QVERIFY(out.contains("Overloaded"));
        QVERIFY(writer->finished());
        const QString grammar = checkStreamGrammar(client, out);
        QVERIFY2(grammar.isEmpty(), qPrintable(grammar));
    }

    void hostileRequests_data()
    {
        QTest::addColumn<WireFormat>("format");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("chat messages type")
            << WireFormat::OpenAIChat << QByteArray(R"({"messages":"hi"})") << "messages";
        QTest::newRow("chat content number")
            << WireFormat::OpenAIChat << QByteArray(R"({"messages":[{"role":"user","content":5}]})")
            << "messages[0].content";
        QTest::newRow("chat audio part") << WireFormat::OpenAIChat
                                         << QByteArray(
                                                R"({"messages":[{"role":"user","content":[{"type":"input_audio"}]}]})")
                                         << "messages[0].content[0].type";
        QTest::newRow("anthropic messages missing")
            << WireFormat::Anthropic << QByteArray(R"({"model":"x"})") << "messages";
        QTest::newRow("anthropic document")
            << WireFormat::Anthropic
            << QByteArray(
                   R"({"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64"}}]}]})")
            << "messages[0].content[0].type";
        QTest::newRow("responses file")
            << WireFormat::OpenAIResponses
            << QByteArray(R"({"input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]})")
            << "input[0].content[0].type";
        QTest::newRow("responses item reference")
            << WireFormat::OpenAIResponses << QByteArray(R"({"input":[{"type":"item_reference","id":"msg_1"}]})")
            << "input[0].type";
        QTest::newRow("anthropic system number")
            << WireFormat::Anthropic << QByteArray(R"({"system":1,"messages":[]})") << "system";
        QTest::newRow("responses input number")
            << WireFormat::OpenAIResponses << QByteArray(R"({"input":7})") << "input";
        QTest::newRow("responses previous id")
            << WireFormat::OpenAIResponses << QByteArray(R"({"input":"x","previous_response_id":"resp_1"})")
            << "previous_response_id";
        QTest::newRow("gemini contents missing") << WireFormat::Gemini << QByteArray(R"({})") << "contents";
    }

    void hostileRequests()
    {
        QFETCH(WireFormat, format);
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        auto doc = json::Document::parse(body);
        QVERIFY(doc.ok());
        auto r = readRequest(format, doc.value().root(), QStringLiteral("m"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().httpStatus, 400);
        QVERIFY2(r.error().message.contains(u'\'' + field + u'\''), qPrintable(r.error().message));
    }

    void leftOutNotRefused_data()
    {
        QTest::addColumn<WireFormat>("format");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("dropped");
        QTest::newRow("chat unknown role")
            << WireFormat::OpenAIChat
            << QByteArray(R"({"messages":[{"role":"wizard","content":"x"},{"role":"user","content":"y"}]})")
            << "messages[0] (role wizard)";
        QTest::newRow("chat unknown part")
            << WireFormat::OpenAIChat
            << QByteArray(R"({"messages":[{"role":"user","content":[{"type":"sparkle"},{"type":"text","text":"y"}]}]})")
            << "messages[0].content[0] (sparkle)";
        QTest::newRow("chat unknown tool type")
            << WireFormat::OpenAIChat << QByteArray(R"({"messages":[],"tools":[{"type":"web_search_preview"}]})")
            << "tools[0] (web_search_preview)";
        QTest::newRow("chat unknown key, hints silent")
            << WireFormat::OpenAIChat << QByteArray(R"({"messages":[],"seed":4,"user":"u","metadata":{},"store":true})")
            << "seed";
        QTest::newRow("anthropic server tool")
            << WireFormat::Anthropic
            << QByteArray(
                   R"({"messages":[],"tools":[{"type":"web_search_20250305","name":"web_search"},{"name":"a","input_schema":{}}]})")
            << "tools[0] (web_search_20250305)";
        QTest::newRow("anthropic server tool history")
            << WireFormat::Anthropic
            << QByteArray(
                   R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"server_tool_use","id":"s","name":"web_search","input":{}},{"type":"web_search_tool_result","tool_use_id":"s","content":[]},{"type":"text","text":"a"}]}]})")
            << "messages[1].content[0] (server_tool_use), messages[1].content[1] (web_search_tool_result)";
        QTest::newRow("anthropic adaptive thinking")
            << WireFormat::Anthropic
            << QByteArray(
                   R"({"messages":[],"thinking":{"type":"adaptive","display":"omitted"},"context_management":{"edits":[]},"metadata":{"user_id":"x"}})")
            << "thinking.display, context_management";
        QTest::newRow("responses hosted tools")
            << WireFormat::OpenAIResponses
            << QByteArray(
                   R"({"input":"x","tools":[{"type":"web_search","external_web_access":true},{"type":"tool_search","execution":"client"},{"type":"function","name":"f","parameters":{}}],"text":{"verbosity":"low"},"client_metadata":{},"prompt_cache_key":"k"})")
            << "tools[0] (web_search), tools[1] (tool_search), text.verbosity";
        QTest::newRow("responses hosted history")
            << WireFormat::OpenAIResponses
            << QByteArray(
                   R"({"input":[{"role":"user","content":"q"},{"type":"web_search_call","id":"ws","status":"completed"},{"type":"compaction","encrypted_content":"e"}]})")
            << "input[1] (web_search_call), input[2] (compaction)";
        QTest::newRow("gemini built-in tools")
            << WireFormat::Gemini
            << QByteArray(
                   R"({"contents":[{"role":"model","parts":[{"executableCode":{"code":"1"}},{"text":"t"}]}],"tools":[{"googleSearch":{}},{"functionDeclarations":[{"name":"f"}]}]})")
            << "contents[0].parts[0] (executableCode), tools[0].googleSearch";
    }

    void leftOutNotRefused()
    {
        // What another format cannot carry is left out and named, not refused: the rest of the request goes on.
        QFETCH(WireFormat, format);
        QFETCH(QByteArray, body);
        QFETCH(QString, dropped);
        auto doc = json::Document::parse(body);
        QVERIFY(doc.ok());
        auto r = readRequest(format, doc.value().root(), QStringLiteral("m"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r.value().dropped.join(QStringLiteral(", ")), dropped);
        for (WireFormat to : kFormats)
            if (to != format) {
                auto written = writeRequest(to, r.value());
                QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().message));
            }
    }

    void midConversationSystemMessages_data()
    {
        QTest::addColumn<WireFormat>("from");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("anthropic")
            << WireFormat::Anthropic
            << QByteArray(
                   R"({"system":"S","messages":[{"role":"user","content":"u1"},{"role":"assistant","content":"a1"},{"role":"system","content":[{"type":"text","text":"MID"}]},{"role":"user","content":"u2"}]})");
        QTest::newRow("chat")
            << WireFormat::OpenAIChat
            << QByteArray(
                   R"({"messages":[{"role":"system","content":"S"},{"role":"user","content":"u1"},{"role":"assistant","content":"a1"},{"role":"developer","content":"MID"},{"role":"user","content":"u2"}]})");
        QTest::newRow("responses")
            << WireFormat::OpenAIResponses
            << QByteArray(
                   R"({"input":[{"role":"developer","content":"S"},{"role":"user","content":"u1"},{"role":"assistant","content":"a1"},{"role":"developer","content":"MID"},{"role":"user","content":"u2"}]})");
    }

    void midConversationSystemMessages()
    {
        // Kept in place where the target takes one there (OpenAI models: a developer message), else folded into
        // the leading system prompt with its position.
        QFETCH(WireFormat, from);
        QFETCH(QByteArray, body);
        auto doc = json::Document::parse(body);
        QVERIFY(doc.ok());
        auto r = readRequest(from, doc.value().root(), QStringLiteral("m"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QVERIFY(r.value().dropped.isEmpty());
        const QString folded = QStringLiteral("(System message given after message 2 of the conversation:)\nMID");
        for (WireFormat to : kFormats) {
            if (to == from)
                continue;
            auto written = writeRequest(to, r.value());
            QVERIFY(written.ok());
            auto out = json::Document::parse(written.value());
            QVERIFY(out.ok());
            const json::Value root = out.value().root();
            switch (to) {
            case WireFormat::OpenAIResponses: {
                QCOMPARE(root["instructions"].toString(), QStringLiteral("S"));
                QCOMPARE(root["input"].size(), 4);
                const json::Value mid = root["input"].at(2);
                QCOMPARE(mid["role"].toString(), QStringLiteral("developer"));
                QCOMPARE(mid["content"].at(0)["text"].toString(), QStringLiteral("MID"));
                break;
            }
            case WireFormat::OpenAIChat:
                QCOMPARE(root["messages"].size(), 4);
                QCOMPARE(root["messages"].at(0)["content"].toString(), QStringLiteral("S\n\n") + folded);
                break;
            case WireFormat::Anthropic:
                QCOMPARE(root["messages"].size(), 3);
                QCOMPARE(root["system"].at(1)["text"].toString(), folded);
                break;
            case WireFormat::Gemini:
                QCOMPARE(root["contents"].size(), 3);
                QCOMPARE(root["systemInstruction"]["parts"].at(1)["text"].toString(), folded);
                break;
            }
        }
    }

    void codexToolsRoundTrip()
    {
        // Codex's namespaced and freeform (custom) tools reach other models as plain functions and come back,
        // whole and streamed, under the names and in the item types Codex gave them.
        const QByteArray body = readFile(QStringLiteral(D2A_TEST_DATA_DIR "/requests/codex-tools.responses.json"));
        auto doc = json::Document::parse(body);
        QVERIFY(doc.ok());
        auto r = readRequest(WireFormat::OpenAIResponses, doc.value().root());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        const ir::Request &req = r.value();
        QCOMPARE(req.tools.size(), 2);
        QCOMPARE(req.tools[0].name, QStringLiteral("multi_agent_v1__wait_agent"));
        QCOMPARE(req.tools[1].name, QStringLiteral("apply_patch"));
        auto chat = writeRequest(WireFormat::OpenAIChat, req);
        QVERIFY(chat.ok());
        auto chatDoc = json::Document::parse(chat.value());
        QVERIFY(chatDoc.ok());
        const json::Value c = chatDoc.value().root();
        QCOMPARE(c["tools"].at(0)["function"]["name"].toString(), QStringLiteral("multi_agent_v1__wait_agent"));
        const json::Value patchParams = c["tools"].at(1)["function"]["parameters"];
        QCOMPARE(patchParams["required"].at(0).toString(), QStringLiteral("input"));
        QVERIFY(patchParams["properties"]["input"]["description"].toString().contains(QStringLiteral("start: patch")));
        // History: the namespaced call under its flat name, the freeform call's input as {"input": ...}.
        QCOMPARE(c["messages"].at(1)["tool_calls"].at(0)["function"]["name"].toString(),
                 QStringLiteral("multi_agent_v1__wait_agent"));
        QCOMPARE(c["messages"].at(3)["tool_calls"].at(0)["function"]["arguments"].toString(),
                 QStringLiteral("{\"input\":\"*** Begin Patch\\n*** End Patch\"}"));

        // The model calls both; the answer goes back in Codex's own terms.
        ir::Response answer;
        answer.model = QStringLiteral("m");
        answer.finish = ir::Finish::ToolCalls;
        ir::Part call1;
        call1.kind = ir::Part::Kind::ToolCall;
        call1.callId = QStringLiteral("c3");
        call1.name = QStringLiteral("multi_agent_v1__wait_agent");
        call1.arguments = QStringLiteral("{\"id\":\"b\"}");
        ir::Part call2 = call1;
        call2.callId = QStringLiteral("c4");
        call2.name = QStringLiteral("apply_patch");
        call2.arguments = QStringLiteral("{\"input\":\"*** Begin Patch\\n+x\\n*** End Patch\"}");
        answer.parts = { call1, call2 };
        auto whole = json::Document::parse(writeResponse(WireFormat::OpenAIResponses, answer, &req));
        QVERIFY(whole.ok());
        const json::Value out = whole.value().root()["output"];
        QCOMPARE(out.at(0)["type"].toString(), QStringLiteral("function_call"));
        QCOMPARE(out.at(0)["name"].toString(), QStringLiteral("wait_agent"));
        QCOMPARE(out.at(0)["namespace"].toString(), QStringLiteral("multi_agent_v1"));
        QCOMPARE(out.at(1)["type"].toString(), QStringLiteral("custom_tool_call"));
        QCOMPARE(out.at(1)["name"].toString(), QStringLiteral("apply_patch"));
        QCOMPARE(out.at(1)["input"].toString(), QStringLiteral("*** Begin Patch\n+x\n*** End Patch"));

        auto writer = makeStreamWriter(WireFormat::OpenAIResponses, req);
        QByteArray stream;
        ir::Event start;
        start.type = ir::Event::Type::Start;
        stream += writer->write(start);
        int index = 0;
        for (const ir::Part &p : answer.parts) {
            ir::Event e;
            e.type = ir::Event::Type::PartStart;
            e.index = index;
            e.part = p;
            e.part.arguments.clear();
            stream += writer->write(e);
            for (qsizetype i = 0; i < p.arguments.size(); i += 5) { // arguments arrive in pieces
                ir::Event d;
                d.type = ir::Event::Type::ArgumentsDelta;
                d.index = index;
                d.text = p.arguments.toString().mid(i, 5);
                stream += writer->write(d);
            }
            ir::Event stop;
            stop.type = ir::Event::Type::PartStop;
            stop.index = index++;
            stream += writer->write(stop);
        }
        ir::Event finish;
        finish.type = ir::Event::Type::Finish;
        finish.finish = ir::Finish::ToolCalls;
        stream += writer->write(finish);
        const QString grammar = checkStreamGrammar(WireFormat::OpenAIResponses, stream);
        QVERIFY2(grammar.isEmpty(), qPrintable(grammar));
        QVERIFY(stream.contains("\"type\":\"response.custom_tool_call_input.done\""));
        QVERIFY(!stream.contains("\"delta\":\"{\\\"input")); // the freeform input never leaks its JSON wrapper
        QVERIFY(stream.contains(R"("name":"wait_agent","namespace":"multi_agent_v1")"));
        QVERIFY(stream.contains(R"("input":"*** Begin Patch\n+x\n*** End Patch")"));
    }

    void agentCapturesTranslateEverywhere_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<WireFormat>("from");
        QTest::addColumn<WireFormat>("to");
        const QDir dir(QStringLiteral(D2A_TEST_DATA_DIR "/agents"));
        for (const QString &agent : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            if (agent.startsWith(u'_'))
                continue;
            for (const QString &name : QDir(dir.filePath(agent)).entryList({ QStringLiteral("*-[0-9].json") })) {
                const QString path = dir.filePath(agent + u'/' + name);
                QFile meta(QString(path).replace(QStringLiteral(".json"), QStringLiteral(".meta.json")));
                QVERIFY(meta.open(QIODevice::ReadOnly));
                const QString route =
                    QJsonDocument::fromJson(meta.readAll()).object().value(QStringLiteral("path")).toString();
                const WireFormat from = route.startsWith(u"/v1/messages")    ? WireFormat::Anthropic
                                        : route.startsWith(u"/v1/responses") ? WireFormat::OpenAIResponses
                                        : route.startsWith(u"/v1beta/")      ? WireFormat::Gemini
                                                                             : WireFormat::OpenAIChat;
                for (WireFormat to : kFormats)
                    if (to != from)
                        QTest::newRow(qPrintable(QStringLiteral("%1/%2 -> %3").arg(agent, name, tag(to))))
                            << path << from << to;
            }
        }
    }

    void agentCapturesTranslateEverywhere()
    {
        // Every request a real agent CLI sent (tests/data/agents/) is carried to every other format: nothing is
        // refused, every tool and every message turn arrives, and only what the target cannot run is left out.
        QFETCH(QString, file);
        QFETCH(WireFormat, from);
        QFETCH(WireFormat, to);
        auto doc = json::Document::parse(readFile(file));
        QVERIFY(doc.ok());
        auto r = readRequest(from, doc.value().root(), QStringLiteral("agent-model"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        for (const QString &d : r.value().dropped) // only hosted tools, history/hints of them, and verbosity
            QVERIFY2(d.contains(QStringLiteral("web_search")) || d.contains(QStringLiteral("tool_search"))
                         || d == u"context_management" || d == u"thinking.display" || d == u"text.verbosity",
                     qPrintable(d));
        auto written = writeRequestDocument(to, r.value());
        QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().message));
        const QByteArray text = written.value().source();
        auto out = json::Document::parse(text, { 4096, false });
        QVERIFY(out.ok());
        // The tree recorded while writing (what the protocol edits work on) is the one a parse finds.
        QVERIFY(written.value().sameTreeAs(out.value()));
        // Every client tool is offered to the target.
        for (const ir::Tool &t : r.value().tools)
            QVERIFY2(text.contains(QByteArray('"' + t.name.toUtf8() + '"')), qPrintable(t.name));
        // And every tool result made it across.
        for (const ir::Message &m : r.value().messages)
            for (const ir::Part &p : m.parts)
                if (p.kind == ir::Part::Kind::ToolResult && !p.result.isEmpty() && !p.result.first().text.isEmpty())
                    QVERIFY2(text.contains(json::quoted(p.result.first().text.toString().left(20)).chopped(1).mid(1)),
                             qPrintable(p.result.first().text.toString().left(40)));
    }

    // --- Reasoning state across models (README "Reasoning across models") ------------------------------------

    void envelopesCarryStateHome_data()
    {
        QTest::addColumn<WireFormat>("vendor");
        QTest::addColumn<WireFormat>("client");
        QTest::addColumn<bool>("redacted");
        for (WireFormat v : { WireFormat::Anthropic, WireFormat::OpenAIResponses, WireFormat::Gemini })
            for (WireFormat c : { WireFormat::Anthropic, WireFormat::OpenAIResponses, WireFormat::Gemini })
                if (v != c)
                    for (bool redacted : { false, true })
                        if (!redacted || v == WireFormat::Anthropic)
                            QTest::addRow("%s via %s%s", qPrintable(tag(v)), qPrintable(tag(c)),
                                          redacted ? " (redacted)" : "")
                                << v << c << redacted;
    }

    void envelopesCarryStateHome()
    {
        QFETCH(WireFormat, vendor);
        QFETCH(WireFormat, client);
        QFETCH(bool, redacted);
        ir::Part p;
        p.kind = redacted ? ir::Part::Kind::RedactedThinking : ir::Part::Kind::Thinking;
        p.text = redacted ? QStringLiteral("opaque+redacted/data==") : QStringLiteral("I should call run.");
        p.signature = redacted                                ? QString()
                      : vendor == WireFormat::OpenAIResponses ? QStringLiteral(
                            "{\"id\":\"rs_1\",\"type\":\"reasoning\",\"summary\":[],\"encrypted_content\":\"gAAA.x\"}")
                                                              : QStringLiteral("EqQBCkYIBxgCKkB+sig/with.dots==");
        p.signatureFormat = vendor;
        const ir::Part shown = ir::forClient(p, client, QStringLiteral("gemini-3.1-pro-preview"));
        QCOMPARE(shown.kind, ir::Part::Kind::Thinking); // every client has a thinking form for it
        QCOMPARE(shown.signatureFormat, client);
        QVERIFY(ir::isEnvelope(shown.signature, client));
        if (client == WireFormat::Gemini) // Google's SDKs decode thoughtSignature as bytes
            QVERIFY(
                QByteArray::fromBase64Encoding(shown.signature.toLatin1(), QByteArray::AbortOnBase64DecodingErrors));
        ir::Part back = shown;
        ir::fromClient(&back, client);
        QCOMPARE(back.kind, p.kind);
        QCOMPARE(back.signatureFormat, vendor);
        QCOMPARE(back.signature, p.signature);
        QCOMPARE(back.text, p.text);
        QCOMPARE(back.signatureModel, QStringLiteral("gemini-3.1-pro-preview"));
        // The client's own vendor's state is never taken for an envelope.
        ir::Part own;
        own.kind = ir::Part::Kind::Thinking;
        own.signature = QStringLiteral("EqQBCkYIBxgC");
        own.signatureFormat = client;
        ir::fromClient(&own, client);
        QCOMPARE(own.signatureFormat, client);
        QCOMPARE(own.signature, QStringLiteral("EqQBCkYIBxgC"));
    }

    void responsesReasoningGoesBackAsIssued()
    {
        // An OpenAI answer gathered from its stream for a Responses client that asked for one answer: its
        // reasoning item goes to the client as OpenAI issued it (its id and encrypted content), not re-made
        // under an id of droid2api's, which the next turn's history edits would leave out.
        const QByteArray item =
            "{\"id\":\"rs_68af\",\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"Plan.\"}],"
            "\"encrypted_content\":\"gAAAAB.x/y+z=\"}";
        const QByteArray body =
            "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"gpt-5\","
            "\"output\":["
            + item
            + ",{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":"
              "\"output_text\",\"text\":\"Done.\"}]}],"
              "\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}";
        auto read = readResponse(WireFormat::OpenAIResponses, body);
        QVERIFY(read.ok());
        const QByteArray out = writeResponse(WireFormat::OpenAIResponses, read.value());
        auto doc = json::Document::parse(out);
        QVERIFY2(doc.ok(), out.constData());
        const json::Value output = doc.value().root()["output"];
        QCOMPARE(output.size(), 2);
        QCOMPARE(output.at(0).raw(), QByteArrayView(item));
        QVERIFY(output.at(1)["content"].at(0)["text"].stringIs("Done."));
        // Another vendor's reasoning still gets droid2api's id and an envelope.
        auto anthropic = readResponse(
            WireFormat::Anthropic,
            "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[{\"type\":"
            "\"thinking\",\"thinking\":\"t\",\"signature\":\"EqQB\"},{\"type\":\"text\",\"text\":\"x\"}],"
            "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}");
        QVERIFY(anthropic.ok());
        const QByteArray other = writeResponse(WireFormat::OpenAIResponses, anthropic.value());
        QVERIFY2(other.contains("\"id\":\"rs_d2a"), other.constData());
    }

    void callIdsCarryGeminiSignatures()
    {
        ir::Part call;
        call.kind = ir::Part::Kind::ToolCall;
        call.callId = QStringLiteral("call_run_0");
        call.name = QStringLiteral("run");
        call.signature = QStringLiteral("CiQB0e2Kb+/sig==");
        call.signatureFormat = WireFormat::Gemini;
        for (WireFormat client : { WireFormat::Anthropic, WireFormat::OpenAIChat, WireFormat::OpenAIResponses }) {
            const ir::Part shown = ir::forClient(call, client, QStringLiteral("gemini-3-flash-preview"));
            QVERIFY(shown.callId.startsWith(u"call_run_0__d2a"));
            // Anthropic's tool_use id pattern, should the id ever reach it.
            QVERIFY(QRegularExpression(QStringLiteral("^[a-zA-Z0-9_-]+$")).match(shown.callId).hasMatch());
            QVERIFY(shown.signature.isEmpty());
            ir::Part back = shown;
            back.signatureFormat = client;
            ir::fromClient(&back, client);
            QCOMPARE(back.callId, QStringLiteral("call_run_0"));
            QCOMPARE(back.signature, call.signature);
            QCOMPARE(back.signatureFormat, WireFormat::Gemini);
            QCOMPARE(back.signatureModel, QStringLiteral("gemini-3-flash-preview"));
            ir::Part result;
            result.kind = ir::Part::Kind::ToolResult;
            result.callId = shown.callId;
            ir::fromClient(&result, client);
            QCOMPARE(result.callId, QStringLiteral("call_run_0"));
            QVERIFY(result.signature.isEmpty());
        }
        // A call without state keeps its id as it is.
        ir::Part plain = call;
        plain.signature.clear();
        QCOMPARE(ir::forClient(plain, WireFormat::Anthropic, QStringLiteral("m")).callId, QStringLiteral("call_run_0"));
        QCOMPARE(ir::plainCallId(QStringLiteral("toolu_01")), QStringLiteral("toolu_01"));
    }

    void geminiStateOnlyToItsModel()
    {
        ir::Request r;
        r.messages.append({ ir::Message::Role::User, { ir::Part::makeText(QStringLiteral("scenario:tools")) } });
        ir::Part thought;
        thought.kind = ir::Part::Kind::Thinking;
        thought.text = QStringLiteral("thinking");
        thought.signature = QStringLiteral("c2lnLXRob3VnaHQ=");
        thought.signatureFormat = WireFormat::Gemini;
        thought.signatureModel = QStringLiteral("gemini-a");
        ir::Part call;
        call.kind = ir::Part::Kind::ToolCall;
        call.callId = QStringLiteral("call_run_0");
        call.name = QStringLiteral("run");
        call.signature = QStringLiteral("c2lnLWNhbGw=");
        call.signatureFormat = WireFormat::Gemini;
        call.signatureModel = QStringLiteral("gemini-a");
        r.messages.append({ ir::Message::Role::Assistant, { thought, call } });
        ir::Part result;
        result.kind = ir::Part::Kind::ToolResult;
        result.callId = QStringLiteral("call_run_0");
        result.result.append(ir::Part::makeText(QStringLiteral("ok")));
        r.messages.append({ ir::Message::Role::Tool, { result } });
        r.model = QStringLiteral("gemini-a");
        auto same = writeRequest(WireFormat::Gemini, r);
        QVERIFY(same.ok());
        QVERIFY(same.value().contains("\"thoughtSignature\":\"c2lnLWNhbGw=\""));
        QVERIFY(same.value().contains("\"thoughtSignature\":\"c2lnLXRob3VnaHQ=\""));
        r.model = QStringLiteral("gemini-b"); // another Gemini model: its signatures do not carry across models
        auto other = writeRequest(WireFormat::Gemini, r);
        QVERIFY(other.ok());
        QVERIFY(!other.value().contains("c2lnLWNhbGw="));
        QVERIFY(!other.value().contains("c2lnLXRob3VnaHQ="));
        // ... and the call, in the current turn, gets the documented skip value on its way upstream.
        auto doc = json::Document::parse(other.value());
        QVERIFY(doc.ok());
        PassthroughEdits e;
        HistoryEdits h;
        auto edited = applyPassthroughEdits(WireFormat::Gemini, doc.value(), e, &h);
        QVERIFY(edited.ok());
        QVERIFY(edited.value().contains(
            R"({"functionCall":{"name":"run","args":{}},"thoughtSignature":"skip_thought_signature_validator"})"));
        QCOMPARE(h.skippedSignatures, 1);
        // Every other vendor gets none of it.
        for (WireFormat f : { WireFormat::Anthropic, WireFormat::OpenAIResponses, WireFormat::OpenAIChat }) {
            auto w = writeRequest(f, r);
            QVERIFY(w.ok());
            QVERIFY2(!w.value().contains("c2ln") && !w.value().contains("d2a"), w.value().constData());
        }
    }

    void sanitizeHistory_data()
    {
        QTest::addColumn<WireFormat>("format");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<bool>("thinkingOff");
        // Claude -> GPT -> Claude in an Anthropic client: the GPT step's carried thinking is removed, its call id
        // stripped, and thinking is off for this one request (its last step has no thinking of Claude's own).
        QTest::newRow("anthropic: another vendor's step ends the tool loop")
            << WireFormat::Anthropic
            << QByteArray(
                   R"({"model":"m","messages":[{"role":"user","content":"q"},)"
                   R"({"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"d2a.responses.t.bQ.{}"},)"
                   R"({"type":"tool_use","id":"call_1__d2aAbC-_","name":"run","input":{}}]},)"
                   R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1__d2aAbC-_","content":"ok"}]}],)"
                   R"("thinking":{"type":"enabled","budget_tokens":2048}})")
            << QByteArray(
                   R"({"model":"m","messages":[{"role":"user","content":"q"},)"
                   R"({"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"run","input":{}}]},)"
                   R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"ok"}]}]})")
            << true;
        QTest::newRow("anthropic: Claude's own step keeps thinking on")
            << WireFormat::Anthropic
            << QByteArray(
                   R"({"model":"m","messages":[{"role":"user","content":"q"},)"
                   R"({"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"d2a.gemini.t.bQ.c2ln"},{"type":"text","text":"a"}]},)"
                   R"({"role":"user","content":"q2"},)"
                   R"({"role":"assistant","content":[{"type":"thinking","thinking":"u","signature":"EqQB"},{"type":"tool_use","id":"toolu_1","name":"run","input":{}}]},)"
                   R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}],)"
                   R"("thinking":{"type":"enabled","budget_tokens":2048}})")
            << QByteArray(
                   R"({"model":"m","messages":[{"role":"user","content":"q"},)"
                   R"({"role":"assistant","content":[{"type":"text","text":"a"}]},)"
                   R"({"role":"user","content":"q2"},)"
                   R"({"role":"assistant","content":[{"type":"thinking","thinking":"u","signature":"EqQB"},{"type":"tool_use","id":"toolu_1","name":"run","input":{}}]},)"
                   R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}],)"
                   R"("thinking":{"type":"enabled","budget_tokens":2048}})")
            << false;
        // GPT -> Claude -> GPT in Codex: Claude's reasoning item (droid2api's id) never reaches OpenAI.
        QTest::newRow("responses: carried reasoning items and ids")
            << WireFormat::OpenAIResponses
            << QByteArray(
                   R"({"model":"m","store":false,"input":[{"role":"user","content":"q"},)"
                   R"({"id":"rs_abc","type":"reasoning","summary":[],"encrypted_content":"gAAA"},)"
                   R"({"id":"rs_d2a0123","type":"reasoning","summary":[{"type":"summary_text","text":"t"}],"encrypted_content":"d2a.anthropic.t.bQ.EqQB"},)"
                   R"({"type":"function_call","call_id":"call_2__d2aQUJD","name":"run","arguments":"{}"},)"
                   R"({"type":"function_call_output","call_id":"call_2__d2aQUJD","output":"ok"}]})")
            << QByteArray(R"({"model":"m","store":false,"input":[{"role":"user","content":"q"},)"
                          R"({"id":"rs_abc","type":"reasoning","summary":[],"encrypted_content":"gAAA"},)"
                          R"({"type":"function_call","call_id":"call_2","name":"run","arguments":"{}"},)"
                          R"({"type":"function_call_output","call_id":"call_2","output":"ok"}]})")
            << false;
        QTest::newRow("chat: carried call ids")
            << WireFormat::OpenAIChat
            << QByteArray(
                   R"({"model":"m","messages":[{"role":"user","content":"q"},)"
                   R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_3__d2aQUJD","type":"function","function":{"name":"run","arguments":"{}"}}]},)"
                   R"({"role":"tool","tool_call_id":"call_3__d2aQUJD","content":"ok"}]})")
            << QByteArray(
                   R"({"model":"m","messages":[{"role":"user","content":"q"},)"
                   R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_3","type":"function","function":{"name":"run","arguments":"{}"}}]},)"
                   R"({"role":"tool","tool_call_id":"call_3","content":"ok"}]})")
            << false;
        // Gemini CLI after a GPT step: the carried thought goes, and only the current turn's first call of each
        // step gets the skip value (an old turn's call is not checked; a parallel second call has none).
        const QByteArray carried = "d2a.responses.t.bQ.{}";
        QTest::newRow("gemini: current turn steps and carried thoughts")
            << WireFormat::Gemini
            << QByteArray(
                   R"({"contents":[{"role":"user","parts":[{"text":"q"}]},)"
                   R"({"role":"model","parts":[{"functionCall":{"name":"run","args":{}}}]},)"
                   R"({"role":"user","parts":[{"functionResponse":{"name":"run","response":{}}}]},)"
                   R"({"role":"model","parts":[{"text":"done"}]},)"
                   R"({"role":"user","parts":[{"text":"again"}]},)"
                   R"({"role":"model","parts":[{"text":"","thought":true,"thoughtSignature":")"
                   + carried.toBase64()
                   + R"("},{"functionCall":{"name":"run","args":{"a":1}}},{"functionCall":{"name":"run","args":{"a":2}}}]},)"
                     R"({"role":"user","parts":[{"functionResponse":{"name":"run","response":{}}},{"functionResponse":{"name":"run","response":{}}}]},)"
                     R"({"role":"model","parts":[{"functionCall":{"name":"run","args":{}},"thoughtSignature":"own"}]},)"
                     R"({"role":"user","parts":[{"functionResponse":{"name":"run","response":{}}}]}]})")
            << QByteArray(
                   R"({"contents":[{"role":"user","parts":[{"text":"q"}]},)"
                   R"({"role":"model","parts":[{"functionCall":{"name":"run","args":{}}}]},)"
                   R"({"role":"user","parts":[{"functionResponse":{"name":"run","response":{}}}]},)"
                   R"({"role":"model","parts":[{"text":"done"}]},)"
                   R"({"role":"user","parts":[{"text":"again"}]},)"
                   R"({"role":"model","parts":[{"functionCall":{"name":"run","args":{"a":1}},"thoughtSignature":"skip_thought_signature_validator"},{"functionCall":{"name":"run","args":{"a":2}}}]},)"
                   R"({"role":"user","parts":[{"functionResponse":{"name":"run","response":{}}},{"functionResponse":{"name":"run","response":{}}}]},)"
                   R"({"role":"model","parts":[{"functionCall":{"name":"run","args":{}},"thoughtSignature":"own"}]},)"
                   R"({"role":"user","parts":[{"functionResponse":{"name":"run","response":{}}}]}]})")
            << false;
    }

    void sanitizeHistory()
    {
        QFETCH(WireFormat, format);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, expected);
        QFETCH(bool, thinkingOff);
        auto doc = json::Document::parse(body);
        QVERIFY2(doc.ok(), qPrintable(doc.ok() ? QString() : doc.error().message));
        PassthroughEdits e;
        e.model.id = QStringLiteral("m");
        HistoryEdits h;
        auto edited = applyPassthroughEdits(format, doc.value(), e, &h);
        QVERIFY(edited.ok());
        QCOMPARE(edited.value(), expected);
        QCOMPARE(h.thinkingOff, thinkingOff);
    }

    void usageIsConserved_data()
    {
        QTest::addColumn<WireFormat>("upstream");
        QTest::addColumn<WireFormat>("client");
        QTest::addColumn<bool>("stream");
        for (WireFormat u : kFormats)
            for (WireFormat c : kFormats)
                for (bool stream : { false, true })
                    QTest::addRow("%s-to-%s %s", qPrintable(tag(u)), qPrintable(tag(c)), stream ? "stream" : "whole")
                        << u << c << stream;
    }

    void usageIsConserved()
    {
        // input + cache read + cache write + output is what the upstream charged: every client is told the same
        // sum, and usage recording (the same reader) keeps it. A 35-token prompt, 5 of them from the cache.
        QFETCH(WireFormat, upstream);
        QFETCH(WireFormat, client);
        QFETCH(bool, stream);
        QByteArray answer;
        QList<QByteArray> events;
        qint64 charged = 0;
        switch (upstream) {
        case WireFormat::Anthropic:
            answer =
                R"({"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":28,"cache_creation_input_tokens":2,"cache_read_input_tokens":5,"output_tokens":12}})";
            events = { "event: message_start\ndata: "
                       "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":"
                       "\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":"
                       "28,\"cache_creation_input_tokens\":2,\"cache_read_input_tokens\":5,\"output_tokens\":1}}}\n\n",
                       "event: content_block_start\ndata: "
                       "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":"
                       "\"\"}}\n\n",
                       "event: content_block_delta\ndata: "
                       "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
                       "\"hi\"}}\n\n",
                       "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                       "event: message_delta\ndata: "
                       "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_"
                       "tokens\":12}}\n\n",
                       "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n" };
            charged = 28 + 2 + 5 + 12;
            break;
        case WireFormat::OpenAIChat:
            answer =
                R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":35,"completion_tokens":12,"total_tokens":47,"prompt_tokens_details":{"cached_tokens":5}}})";
            events = {
                "data: "
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{"
                "\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":null}]}\n\n",
                "data: "
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{"
                "\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
                "data: "
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],"
                "\"usage\":{\"prompt_tokens\":35,\"completion_tokens\":12,\"total_tokens\":47,\"prompt_tokens_"
                "details\":{\"cached_tokens\":5}}}\n\n",
                "data: [DONE]\n\n"
            };
            charged = 35 + 12;
            break;
        case WireFormat::OpenAIResponses:
            answer =
                R"({"id":"resp_1","object":"response","status":"completed","model":"m","output":[{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"output_text","text":"hi","annotations":[]}]}],"usage":{"input_tokens":35,"input_tokens_details":{"cached_tokens":5},"output_tokens":12,"output_tokens_details":{"reasoning_tokens":4},"total_tokens":47}})";
            events = { "event: response.created\ndata: "
                       "{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"model\":\"m\",\"status\":\"in_"
                       "progress\",\"output\":[]}}\n\n",
                       "event: response.output_item.added\ndata: "
                       "{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"id\":\"msg_1\","
                       "\"type\":\"message\",\"role\":\"assistant\",\"content\":[]}}\n\n",
                       "event: response.output_text.delta\ndata: "
                       "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_"
                       "index\":0,\"delta\":\"hi\"}\n\n",
                       "event: response.output_item.done\ndata: "
                       "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":"
                       "\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"hi\","
                       "\"annotations\":[]}]}}\n\n",
                       "event: response.completed\ndata: "
                       "{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"model\":\"m\",\"status\":"
                       "\"completed\",\"output\":[],\"usage\":{\"input_tokens\":35,\"input_tokens_details\":{\"cached_"
                       "tokens\":5},\"output_tokens\":12,\"output_tokens_details\":{\"reasoning_tokens\":4},\"total_"
                       "tokens\":47}}}\n\n" };
            charged = 35 + 12;
            break;
        case WireFormat::Gemini:
            answer =
                R"({"candidates":[{"content":{"parts":[{"text":"hi"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":35,"candidatesTokenCount":8,"thoughtsTokenCount":4,"cachedContentTokenCount":5,"totalTokenCount":47},"modelVersion":"m"})";
            events = { "data: "
                       "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"}],\"role\":\"model\"}}],"
                       "\"modelVersion\":\"m\"}\r\n\r\n",
                       "data: "
                       "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":\"model\"},"
                       "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":35,"
                       "\"candidatesTokenCount\":8,\"thoughtsTokenCount\":4,\"cachedContentTokenCount\":5,"
                       "\"totalTokenCount\":47},\"modelVersion\":\"m\"}\r\n\r\n" };
            charged = 35 + 12;
            break;
        }
        ir::Request request;
        request.model = QStringLiteral("m");
        request.stream = stream;
        request.includeUsage = true; // Chat clients that ask for the usage chunk
        TokenCounts seen;
        TokenCounts upstreamSide;
        if (!stream) {
            upstreamSide = usageOfAnswer(upstream, answer);
            auto r = readResponse(upstream, answer);
            QVERIFY(r.ok());
            seen = usageOfAnswer(client, writeResponse(client, r.value(), &request));
        } else {
            auto reader = makeEventReader(upstream);
            auto writer = makeStreamWriter(client, request);
            QByteArray out;
            TokenCounts fromReader; // what the relay records when it translates: the reader's own parse
            for (const QByteArray &raw : events) {
                const SseEvent ev = SseSplitter::parse(raw);
                upstreamSide.merge(usageOfEvent(upstream, ev.data));
                const QList<ir::Event> read = reader->read(ev);
                fromReader.merge(reader->eventUsage());
                for (const ir::Event &e : read)
                    out += writer->write(e);
            }
            QCOMPARE(fromReader.total(), charged);
            QCOMPARE(fromReader.cacheRead, qint64(5));
            QCOMPARE(fromReader.output, qint64(12));
            for (const ir::Event &e : reader->end())
                out += writer->write(e);
            SseSplitter split;
            for (const QByteArray &raw : split.feed(out))
                seen.merge(usageOfEvent(client, SseSplitter::parse(raw).data));
        }
        QCOMPARE(upstreamSide.total(), charged); // what usage recording keeps
        QVERIFY(seen.known);
        QCOMPARE(seen.total(), charged); // what the client is told
        QCOMPARE(seen.cacheRead, qint64(5));
        QCOMPARE(seen.output, qint64(12));
    }

    void structuredOutputEveryPair_data()
    {
        QTest::addColumn<WireFormat>("from");
        QTest::addColumn<WireFormat>("to");
        QTest::addColumn<bool>("openApi"); // Gemini's responseSchema (Google's OpenAPI subset) instead of JSON Schema
        for (WireFormat from : kFormats)
            for (WireFormat to : kFormats)
                if (from != to) {
                    QTest::newRow(qPrintable(QStringLiteral("%1->%2").arg(tag(from), tag(to)))) << from << to << false;
                    if (from == WireFormat::Gemini)
                        QTest::newRow(qPrintable(QStringLiteral("%1 responseSchema->%2").arg(tag(from), tag(to))))
                            << from << to << true;
                }
    }

    void structuredOutputEveryPair()
    {
        // The schema reaches every vendor's structured-output field with its key order and exact numbers; the
        // name and strict flag travel where both sides have them.
        QFETCH(WireFormat, from);
        QFETCH(WireFormat, to);
        QFETCH(bool, openApi);
        const QByteArray schema =
            R"({"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"number","maximum":1.50},"mid":{"type":"array","items":{"type":"integer"}}},"required":["zeta","alpha","mid"],"additionalProperties":false})";
        const QByteArray googleSchema =
            R"({"type":"OBJECT","properties":{"zeta":{"type":"STRING","nullable":true},"alpha":{"type":"NUMBER","maximum":1.50}},"propertyOrdering":["zeta","alpha"]})";
        const QByteArray user = R"([{"role":"user","content":"Weather in Paris?"}])";
        QByteArray body;
        switch (from) {
        case WireFormat::Anthropic:
            body = R"({"model":"m","max_tokens":64,"messages":)" + user
                   + R"(,"output_config":{"format":{"type":"json_schema","schema":)" + schema + "}}}";
            break;
        case WireFormat::OpenAIChat:
            body =
                R"({"model":"m","messages":)" + user
                + R"(,"response_format":{"type":"json_schema","json_schema":{"name":"weather","strict":true,"schema":)"
                + schema + "}}}";
            break;
        case WireFormat::OpenAIResponses:
            body =
                R"({"model":"m","input":"Weather in Paris?","text":{"format":{"type":"json_schema","name":"weather","strict":true,"schema":)"
                + schema + "}}}";
            break;
        case WireFormat::Gemini:
            body =
                R"({"contents":[{"role":"user","parts":[{"text":"Weather in Paris?"}]}],"generationConfig":{"responseMimeType":"application/json",)"
                + (openApi ? QByteArray("\"responseSchema\":" + googleSchema)
                           : QByteArray("\"responseJsonSchema\":" + schema))
                + "}}";
            break;
        }
        auto doc = json::Document::parse(body);
        QVERIFY2(doc.ok(), body.constData());
        auto read = readRequest(from, doc.value().root(), QStringLiteral("m"));
        QVERIFY2(read.ok(), qPrintable(read.ok() ? QString() : read.error().message));
        auto written = writeRequest(to, read.value());
        QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().message));
        auto out = json::Document::parse(written.value());
        QVERIFY(out.ok());
        const json::Value root = out.value().root();
        // Google's OpenAPI schema arrives as JSON Schema: types in lower case, nullable as a "null" type.
        const QByteArray expected =
            openApi ? QByteArray(
                R"({"type":"object","properties":{"zeta":{"type":["string","null"]},"alpha":{"type":"number","maximum":1.50}}})")
                    : schema;
        const bool named = from == WireFormat::OpenAIChat || from == WireFormat::OpenAIResponses;
        switch (to) {
        case WireFormat::Anthropic:
            QCOMPARE(root["output_config"]["format"]["type"].toString(), QStringLiteral("json_schema"));
            QCOMPARE(root["output_config"]["format"]["schema"].rawBytes(), expected);
            break;
        case WireFormat::OpenAIChat: {
            const json::Value js = root["response_format"]["json_schema"];
            QCOMPARE(root["response_format"]["type"].toString(), QStringLiteral("json_schema"));
            QCOMPARE(js["schema"].rawBytes(), expected);
            QCOMPARE(js["name"].toString(), named ? QStringLiteral("weather") : QStringLiteral("output"));
            QCOMPARE(js["strict"].isBool(), named);
            break;
        }
        case WireFormat::OpenAIResponses: {
            const json::Value f = root["text"]["format"];
            QCOMPARE(f["type"].toString(), QStringLiteral("json_schema"));
            QCOMPARE(f["schema"].rawBytes(), expected);
            QCOMPARE(f["name"].toString(), named ? QStringLiteral("weather") : QStringLiteral("output"));
            break;
        }
        case WireFormat::Gemini: {
            const json::Value gc = root["generationConfig"];
            QCOMPARE(gc["responseMimeType"].toString(), QStringLiteral("application/json"));
            const json::Value s = gc["responseSchema"];
            QCOMPARE(s["type"].toString().toLower(), QStringLiteral("object"));
            QCOMPARE(s["properties"]["alpha"]["maximum"].rawBytes(), QByteArray("1.50"));
            QStringList order;
            for (json::Value k : s["propertyOrdering"].children())
                order << k.toString();
            QCOMPARE(order, (QStringList { QStringLiteral("zeta"), QStringLiteral("alpha"), QStringLiteral("mid") }));
            break;
        }
        }
    }

    void jsonWithoutSchemaIsRefusedOnlyWhereNothingCarriesIt()
    {
        // JSON mode without a schema: Chat, Responses and Gemini carry it; Anthropic has only schemas.
        auto doc = json::Document::parse(
            R"({"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}})");
        QVERIFY(doc.ok());
        auto read = readRequest(WireFormat::OpenAIChat, doc.value().root(), QStringLiteral("m"));
        QVERIFY(read.ok());
        QVERIFY(writeRequest(WireFormat::OpenAIResponses, read.value()).ok());
        QVERIFY(writeRequest(WireFormat::Gemini, read.value()).ok());
        auto anthropic = writeRequest(WireFormat::Anthropic, read.value());
        QVERIFY(!anthropic.ok());
        QCOMPARE(anthropic.error().param, QStringLiteral("response_format"));
        QVERIFY2(anthropic.error().message.contains(u"json_schema"), qPrintable(anthropic.error().message));
    }

    void countEstimateNeverUndercounts()
    {
        auto doc = json::Document::parse(readFile(kDir + QStringLiteral("/requests/tools.anthropic.json")));
        QVERIFY(doc.ok());
        auto r = readRequest(WireFormat::Anthropic, doc.value().root());
        QVERIFY(r.ok());
        const qint64 withTools = estimateInputTokens(r.value());
        ir::Request bare = r.value();
        bare.tools.clear();
        QVERIFY(withTools > estimateInputTokens(bare));
        bare.system.append(ir::Part::makeText(QString(4000, u'x')));
        QVERIFY(estimateInputTokens(bare) >= 1000);
    }
};

QTEST_GUILESS_MAIN(TestTranslate)
#include "tst_translate.moc"
