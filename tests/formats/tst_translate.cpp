// Translation between every pair of formats, over recorded transcripts in tests/data/transcripts/:
// requests (requests/<scenario>.<format>.json), upstream streams (streams/<scenario>.<format>.sse) and whole
// answers (answers/<scenario>.<format>.json). Each row asserts the exact output (expected/...), and every
// translated stream passes the client format's grammar checker. D2A_RECORD=1 rewrites the expected files.
#include "formats/translate.h"
#include "json/jsonedit.h"
#include "json/jsonwriter.h"
#include "sse/ssesplitter.h"
#include "support/fakeupstream.h"
#include "support/grammar.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

using namespace d2a;

Q_DECLARE_METATYPE(d2a::WireFormat)

namespace {

const QString kDir = QStringLiteral(D2A_TEST_DATA_DIR "/transcripts");
const WireFormat kFormats[] = { WireFormat::Anthropic, WireFormat::OpenAIChat, WireFormat::OpenAIResponses, WireFormat::Gemini };

QString tag(WireFormat f)
{
    switch (f) {
    case WireFormat::Anthropic: return QStringLiteral("anthropic");
    case WireFormat::OpenAIChat: return QStringLiteral("chat");
    case WireFormat::OpenAIResponses: return QStringLiteral("responses");
    case WireFormat::Gemini: return QStringLiteral("gemini");
    }
    return {};
}

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
    QVERIFY2(!expected.isEmpty(), qPrintable(QStringLiteral("missing expected file %1 (run with D2A_RECORD=1)").arg(path)));
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
                const QString sc = s == u"answer" ? QStringLiteral("tools") : s == u"text" ? QStringLiteral("plain") : s;
                const QString answer = s == u"answer" ? QStringLiteral("call_1=sunny, 21C | call_2=rain, 14C") : QString();
                QByteArray stream;
                for (const QByteArray &e : FakeUpstream::scenarioEvents(upstreamTag(f).toLatin1(), QStringLiteral("m"), sc, answer))
                    stream += e;
                QDir().mkpath(kDir + QStringLiteral("/streams"));
                QFile sf(kDir + QStringLiteral("/streams/%1.%2.sse").arg(s, tag(f)));
                QVERIFY(sf.open(QIODevice::WriteOnly | QIODevice::Truncate));
                sf.write(stream);
                QDir().mkpath(kDir + QStringLiteral("/answers"));
                QFile af(kDir + QStringLiteral("/answers/%1.%2.json").arg(s, tag(f)));
                QVERIFY(af.open(QIODevice::WriteOnly | QIODevice::Truncate));
                af.write(pretty(FakeUpstream::scenarioBody(upstreamTag(f).toLatin1(), QStringLiteral("m"), sc, answer)));
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
                        QTest::newRow(qPrintable(QStringLiteral("%1 %2->%3").arg(QLatin1String(scenario), tag(from), tag(to))))
                            << QString::fromLatin1(scenario) << from << to;
    }

    void requests()
    {
        QFETCH(QString, scenario);
        QFETCH(WireFormat, from);
        QFETCH(WireFormat, to);
        auto body = json::Document::parse(readFile(kDir + QStringLiteral("/requests/%1.%2.json").arg(scenario, tag(from))));
        QVERIFY(body.ok());
        auto parsed = readRequest(from, body.value().root(), QStringLiteral("m"));
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        auto written = writeRequest(to, parsed.value());
        const QByteArray out = written.ok() ? written.value() : "{\"error\":" + json::quoted(written.error().message) + '}';
        QVERIFY2(json::Document::parse(out).ok(), out.constData()); // valid, strict JSON (no duplicate keys)
        compareOrRecord(kDir + QStringLiteral("/expected/requests/%1.%2-to-%3.json").arg(scenario, tag(from), tag(to)), normalize(pretty(out)));
        if (scenario == u"tools" && written.ok()) {
            // Whatever the pair: both calls, both results and the follow-up question made it across.
            const QByteArray text = out;
            for (const char *needle : { "Paris", "London", "sunny, 21C", "rain, 14C", "Which is warmer?", "get_weather" })
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
                        QTest::newRow(qPrintable(QStringLiteral("%1 %2->%3").arg(QLatin1String(scenario), tag(up), tag(client))))
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
        compareOrRecord(kDir + QStringLiteral("/expected/streams/%1.%2-to-%3.sse").arg(scenario, tag(upstream), tag(client)), normalize(out));
    }

    void answers_data() { streams_data(); }

    void answers()
    {
        QFETCH(QString, scenario);
        QFETCH(WireFormat, upstream);
        QFETCH(WireFormat, client);
        auto parsed = readResponse(upstream, readFile(kDir + QStringLiteral("/answers/%1.%2.json").arg(scenario, tag(upstream))));
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        const QByteArray out = writeResponse(client, parsed.value());
        QVERIFY2(json::Document::parse(out).ok(), out.constData());
        compareOrRecord(kDir + QStringLiteral("/expected/answers/%1.%2-to-%3.json").arg(scenario, tag(upstream), tag(client)),
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
        const QByteArray errorEvent = upstream == WireFormat::Anthropic ? QByteArray("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
            : upstream == WireFormat::OpenAIResponses                    ? QByteArray("event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":\"Overloaded\"}\n\n")
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
        QTest::newRow("chat messages type") << WireFormat::OpenAIChat << QByteArray(R"({"messages":"hi"})") << "messages";
        QTest::newRow("chat bad role") << WireFormat::OpenAIChat << QByteArray(R"({"messages":[{"role":"wizard","content":"x"}]})") << "messages[0].role";
        QTest::newRow("chat content number") << WireFormat::OpenAIChat << QByteArray(R"({"messages":[{"role":"user","content":5}]})") << "messages[0].content";
        QTest::newRow("chat audio part") << WireFormat::OpenAIChat << QByteArray(R"({"messages":[{"role":"user","content":[{"type":"input_audio"}]}]})") << "messages[0].content[0].type";
        QTest::newRow("anthropic messages missing") << WireFormat::Anthropic << QByteArray(R"({"model":"x"})") << "messages";
        QTest::newRow("anthropic document") << WireFormat::Anthropic << QByteArray(R"({"messages":[{"role":"user","content":[{"type":"document"}]}]})") << "messages[0].content[0].type";
        QTest::newRow("anthropic system number") << WireFormat::Anthropic << QByteArray(R"({"system":1,"messages":[]})") << "system";
        QTest::newRow("responses input number") << WireFormat::OpenAIResponses << QByteArray(R"({"input":7})") << "input";
        QTest::newRow("responses previous id") << WireFormat::OpenAIResponses << QByteArray(R"({"input":"x","previous_response_id":"resp_1"})") << "previous_response_id";
        QTest::newRow("responses hosted tool") << WireFormat::OpenAIResponses << QByteArray(R"({"input":"x","tools":[{"type":"web_search"}]})") << "tools[0].type";
        QTest::newRow("gemini contents missing") << WireFormat::Gemini << QByteArray(R"({})") << "contents";
        QTest::newRow("gemini search tool") << WireFormat::Gemini << QByteArray(R"({"contents":[],"tools":[{"googleSearch":{}}]})") << "tools[0].googleSearch";
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
