// The vendors' own stream and answer examples (tests/data/vendor/, each file's source in its README.md) through
// droid2api's real code paths, beside our own recordings: each is read by its format's reader and means what the
// vendor wrote (text, thinking and its signature, tool calls, finish reason, usage); it is written by every other
// format's writer, valid in that client's grammar, and read back with the same meaning (reasoning state in the
// client's envelope, opened back into the vendor's own); usage is found in it the way usage recording finds it;
// and on its own format's route through a real proxy the client gets the vendor's bytes as they came.
#include "formats/registry.h"
#include "formats/translate.h"
#include "server/exchange.h"
#include "usage/tokens.h"
#include "json/json.h"
#include "sse/ssesplitter.h"
#include "support/formattags.h"
#include "support/grammar.h"
#include "support/proxyfixture.h"
#include "support/testhome.h"

#include <QtCore/qfile.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qtemporarydir.h>
#include <algorithm>
#include <QtTest/qtest.h>

using namespace d2a;

Q_DECLARE_METATYPE(d2a::WireFormat)

namespace {

using testsupport::kFormats;
using testsupport::tag;

/// What an answer means, whatever its format: the parts that reach a user, in order of kind.
struct Meaning
{
    struct Call
    {
        QString id;
        QString name;
        QByteArray arguments; ///< compact JSON (key order kept)
        bool operator==(const Call &o) const { return id == o.id && name == o.name && arguments == o.arguments; }
    };
    QString text;
    QString thinking;
    QString signature; ///< the issuing vendor's reasoning state
    WireFormat signatureFormat = WireFormat::Anthropic;
    QList<Call> calls;
    ir::Finish finish = ir::Finish::Stop;
    TokenCounts usage;
};

/// One vendor example and what it says, read off the file by hand.
struct Example
{
    const char *file; ///< under tests/data/vendor/
    WireFormat format;
    bool stream;
    Meaning meaning;
};

Meaning::Call call(const char *id, const char *name, const char *arguments)
{
    return { QString::fromUtf8(id), QString::fromUtf8(name), QByteArray(arguments) };
}

TokenCounts usage(qint64 input, qint64 output, qint64 reasoning = 0)
{
    TokenCounts t;
    t.input = input;
    t.output = output;
    t.reasoning = reasoning;
    t.known = true;
    return t;
}

QList<Example> examples()
{
    QList<Example> all;
    {
        Example e { "anthropic/stream-tool-use.sse", WireFormat::Anthropic, true, {} };
        e.meaning.text = QStringLiteral("Okay, let's check the weather for San Francisco, CA:");
        e.meaning.calls = { call("toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather",
                                 R"({"location":"San Francisco, CA","unit":"fahrenheit"})") };
        e.meaning.finish = ir::Finish::ToolCalls;
        e.meaning.usage = usage(472, 89);
        all << e;
    }
    {
        Example e { "anthropic/stream-thinking.sse", WireFormat::Anthropic, true, {} };
        e.meaning.text = QStringLiteral("27 * 453 = 12,231");
        e.meaning.thinking =
            QStringLiteral("Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3\n3. "
                           "27 * 400 = 10,800\n4. 27 * 50 = 1,350\n5. 27 * 3 = 81\n6. 10,800 + 1,350 + 81 = 12,231");
        e.meaning.signature = QStringLiteral("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...");
        e.meaning.finish = ir::Finish::Stop; // the docs' example reports no usage at all
        all << e;
    }
    {
        Example e { "anthropic/stream-basic-sdk.sse", WireFormat::Anthropic, true, {} };
        e.meaning.text = QStringLiteral("Hello there!");
        e.meaning.usage = usage(11, 6);
        all << e;
    }
    {
        Example e { "anthropic/message-recording.json", WireFormat::Anthropic, false, {} };
        e.meaning.text = QStringLiteral(
            R"({"items":[{"product_name":"Green Tea","price":5.50,"quantity":2},{"product_name":"Coffee","price":3.00,"quantity":1}],"total":14.0})");
        e.meaning.usage = usage(406, 50);
        all << e;
    }
    {
        Example e { "chat/stream-parallel-tools.sse", WireFormat::OpenAIChat, true, {} };
        e.meaning.calls = { call("call_lQnnsesjFMWMQ5IeWPHzR4th", "GetWeatherArgs",
                                 R"({"city":"Edinburgh","country":"UK","units":"c"})"),
                            call("call_2xjOUgaCdiwAcl9ZBL9LyMUU", "get_stock_price",
                                 R"({"ticker":"AAPL","exchange":"NASDAQ"})") };
        e.meaning.finish = ir::Finish::ToolCalls;
        e.meaning.usage = usage(149, 60);
        all << e;
    }
    {
        Example e { "chat/stream-length.sse", WireFormat::OpenAIChat, true, {} };
        e.meaning.text = QStringLiteral("{\"");
        e.meaning.finish = ir::Finish::Length;
        e.meaning.usage = usage(17, 1);
        all << e;
    }
    {
        Example e { "chat/completion-parallel-tools.json", WireFormat::OpenAIChat, false, {} };
        e.meaning.calls = { call("call_fdNz3vOBKYgOIpMdWotB9MjY", "GetWeatherArgs",
                                 R"({"city":"Edinburgh","country":"GB","units":"c"})"),
                            call("call_h1DWI1POMJLb0KwIyQHWXD4p", "get_stock_price",
                                 R"({"ticker":"AAPL","exchange":"NASDAQ"})") };
        e.meaning.finish = ir::Finish::ToolCalls;
        e.meaning.usage = usage(149, 60);
        all << e;
    }
    {
        Example e { "responses/stream-reasoning.sse", WireFormat::OpenAIResponses, true, {} };
        e.meaning.text = QStringLiteral("The answer is 42");
        e.meaning.thinking = QStringLiteral("Chain: Step 1. Step 2."); // no encrypted_content: no state to carry home
        e.meaning.usage = usage(0, 6, 2);
        all << e;
    }
    {
        Example e { "responses/response-text.json", WireFormat::OpenAIResponses, false, {} };
        e.meaning.text = QStringLiteral(
            "I can't provide real-time updates, but you can easily check the current weather in San Francisco using "
            "a weather website or app. Typically, San Francisco has cool, foggy summers and mild winters, so it's "
            "good to be prepared for variable weather!");
        e.meaning.usage = usage(14, 50);
        all << e;
    }
    {
        Example e { "gemini/generate-function-call.resp", WireFormat::Gemini, false, {} };
        e.meaning.calls = { call("", "concatStringFunction", R"({"secondString":"world","firstString":"hello"})") };
        e.meaning.finish = ir::Finish::ToolCalls;
        e.meaning.usage = usage(31, 9);
        all << e;
    }
    {
        Example e { "gemini/stream.resp", WireFormat::Gemini, true, {} };
        e.meaning.text = QStringLiteral("Since a = 5, then a + 10 = 5 + 10 = 15.\n\nSo, a + 10 = **15**\n");
        e.meaning.usage = usage(13, 38);
        all << e;
    }
    return all;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

/// The vendor's HTTP body in an example file: the file itself, but for Google's SDK recordings (a head of
/// "Status code" and header lines, a blank line, then the body) and Anthropic's SDK recording (a JSON array of
/// request/response pairs whose response.body is the answer).
QByteArray vendorBody(const char *file)
{
    const QByteArray bytes = readFile(QStringLiteral(D2A_TEST_DATA_DIR "/vendor/") + QString::fromUtf8(file));
    if (QByteArrayView(file).endsWith(".resp"))
        return bytes.mid(bytes.indexOf("\n\n") + 2);
    if (QByteArrayView(file) == "anthropic/message-recording.json") {
        auto doc = json::Document::parse(bytes);
        return doc ? doc.value().root().at(0)["response"]["body"].rawBytes() : QByteArray();
    }
    return bytes;
}

/// A vendor stream's events as the relay reads them: split in small pieces, as TCP delivers them, and the last
/// event taken even without its blank line.
QList<QByteArray> splitEvents(const QByteArray &stream)
{
    SseSplitter splitter;
    QList<QByteArray> events;
    for (qsizetype i = 0; i < stream.size(); i += 13)
        events += splitter.feed(stream.mid(i, 13));
    const QByteArray rest = splitter.takeRemainder();
    if (!rest.trimmed().isEmpty())
        events << rest;
    return events;
}

/// An upstream (or client) stream of `format` read into one answer, as the relay reads it.
Result<ir::Response> readStream(WireFormat format, const QByteArray &stream)
{
    auto reader = makeEventReader(format);
    QList<ir::Event> events;
    for (const QByteArray &raw : splitEvents(stream)) {
        const SseEvent ev = SseSplitter::parse(raw);
        if (!ev.isComment && !ev.data.isNull())
            events += reader->read(ev);
    }
    events += reader->end();
    return collectResponse(events);
}

/// What a list of parts means (text, thinking and the vendor state on it, tool calls).
Meaning meaningOfParts(const QList<ir::Part> &parts)
{
    Meaning m;
    for (const ir::Part &p : parts) {
        switch (p.kind) {
        case ir::Part::Kind::Text: m.text += p.text; break;
        case ir::Part::Kind::Thinking:
            m.thinking += p.text;
            if (!p.signature.isEmpty()) {
                m.signature = p.signature;
                m.signatureFormat = p.signatureFormat;
            }
            break;
        case ir::Part::Kind::ToolCall:
            m.calls << Meaning::Call { p.callId, p.name, json::compact(p.arguments.toString().toUtf8()) };
            break;
        default: break;
        }
    }
    return m;
}

/// What a response means as its reader left it.
Meaning meaningOf(const ir::Response &r)
{
    Meaning m = meaningOfParts(r.parts);
    m.finish = r.finish;
    m.usage = r.usage;
    return m;
}

/// Usage as usage recording finds it in what `format` sent: a whole answer, or a stream's events (those that
/// may carry usage parsed, the rest skipped by the format's needle).
TokenCounts usageFound(WireFormat format, const QByteArray &bytes, bool stream)
{
    if (!stream)
        return usageOfAnswer(format, bytes);
    TokenCounts t;
    for (const QByteArray &raw : splitEvents(bytes))
        t.merge(usageOfEvent(format, SseSplitter::parse(raw).data));
    return t;
}

/// Usage read from every event of a stream, needle or not: what the needle must never miss.
TokenCounts usageOfEveryEvent(WireFormat format, const QByteArray &stream)
{
    TokenCounts t;
    for (const QByteArray &raw : splitEvents(stream)) {
        auto doc = json::Document::parse(SseSplitter::parse(raw).data);
        if (doc)
            t.merge(formatSpec(format).usage(doc.value().root()));
    }
    return t;
}

/// A client's whole answer from the stream it got, as the client keeps it: Responses' final response object
/// (response.completed repeats every item), every part of every Gemini chunk in order, and for Anthropic and Chat
/// the blocks or message the stream built (the stream read with the client format's reader and written whole).
QByteArray wholeAsTheClientKeepsIt(WireFormat client, const QByteArray &stream, const ir::Response &read,
                                   const ir::Request &request)
{
    QByteArray parts;
    for (const QByteArray &raw : splitEvents(stream)) {
        const SseEvent ev = SseSplitter::parse(raw);
        auto doc = json::Document::parse(ev.data);
        if (!doc)
            continue;
        const json::Value d = doc.value().root();
        if (client == WireFormat::OpenAIResponses && d["type"].stringIs("response.completed"))
            return d["response"].rawBytes();
        if (client == WireFormat::Gemini)
            for (json::Value part : d["candidates"].at(0)["content"]["parts"].children())
                parts += (parts.isEmpty() ? "" : ",") + part.rawBytes();
    }
    if (client == WireFormat::Gemini)
        return R"({"candidates":[{"content":{"role":"model","parts":[)" + parts + "]}}]}";
    return writeResponse(client, read, &request);
}

/// The next request a client of `client` sends after `answer` (its whole answer): the user's turn, the assistant
/// turn echoed as the client got it, and a result "ok" for each of its calls.
QByteArray nextRequest(WireFormat client, const QByteArray &answer)
{
    auto doc = json::Document::parse(answer);
    if (!doc)
        return {};
    const json::Value a = doc.value().root();
    QByteArray turns;
    QByteArray results;
    auto add = [](QByteArray &list, const QByteArray &item) {
        if (!list.isEmpty())
            list += ',';
        list += item;
    };
    switch (client) {
    case WireFormat::Anthropic:
        for (json::Value b : a["content"].children())
            if (b["type"].stringIs("tool_use"))
                add(results, R"({"type":"tool_result","tool_use_id":)" + b["id"].rawBytes() + R"(,"content":"ok"})");
        turns = R"({"role":"user","content":"hi"},{"role":"assistant","content":)" + a["content"].rawBytes() + '}';
        if (!results.isEmpty())
            turns += R"(,{"role":"user","content":[)" + results + "]}";
        return R"({"model":"client-model","max_tokens":64,"messages":[)" + turns + "]}";
    case WireFormat::OpenAIChat: {
        const json::Value message = a["choices"].at(0)["message"];
        turns = R"({"role":"user","content":"hi"},)" + message.rawBytes();
        for (json::Value c : message["tool_calls"].children())
            turns += R"(,{"role":"tool","tool_call_id":)" + c["id"].rawBytes() + R"(,"content":"ok"})";
        return R"({"model":"client-model","messages":[)" + turns + "]}";
    }
    case WireFormat::OpenAIResponses:
        turns = R"({"role":"user","content":"hi"})";
        for (json::Value item : a["output"].children()) {
            turns += ',' + item.rawBytes();
            if (item["type"].stringIs("function_call"))
                add(results,
                    R"({"type":"function_call_output","call_id":)" + item["call_id"].rawBytes() + R"(,"output":"ok"})");
        }
        if (!results.isEmpty())
            turns += ',' + results;
        return R"({"model":"client-model","input":[)" + turns + "]}";
    case WireFormat::Gemini: {
        const json::Value content = a["candidates"].at(0)["content"];
        for (json::Value part : content["parts"].children())
            if (part.contains("functionCall"))
                add(results, R"({"functionResponse":{"name":)" + part["functionCall"]["name"].rawBytes()
                                 + R"(,"response":{"output":"ok"}}})");
        turns = R"({"role":"user","parts":[{"text":"hi"}]},)" + content.rawBytes();
        if (!results.isEmpty())
            turns += R"(,{"role":"user","parts":[)" + results + "]}";
        return R"({"contents":[)" + turns + "]}";
    }
    }
    return {};
}

/// Every event of a client stream is JSON (or Chat's [DONE]) and, where it is named, named for its type.
QString checkEvents(WireFormat client, const QByteArray &stream)
{
    for (const QByteArray &raw : splitEvents(stream)) {
        const SseEvent ev = SseSplitter::parse(raw);
        if (ev.isComment)
            continue;
        if (client == WireFormat::OpenAIChat && ev.data == "[DONE]")
            continue;
        auto doc = json::Document::parse(ev.data);
        if (!doc)
            return QStringLiteral("not JSON: ") + QString::fromUtf8(raw);
        if (!ev.event.isEmpty() && doc.value().root()["type"].toString() != QString::fromUtf8(ev.event))
            return QStringLiteral("event name differs from its type: ") + QString::fromUtf8(raw);
    }
    return {};
}

const Example *exampleNamed(const QString &file)
{
    static const QList<Example> all = examples();
    for (const Example &e : all)
        if (QString::fromUtf8(e.file) == file)
            return &e;
    return nullptr;
}

} // namespace

class TestVendorExamples final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home; // HOME, config and data dirs for the proxy: no test touches the developer's own state

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        useTemporaryHome(m_home.path());
    }

    void everyExampleIsThere()
    {
        // The files are the vendors' bytes, kept as they are: a missing or emptied one fails here, not silently.
        for (const Example &e : examples())
            QVERIFY2(!vendorBody(e.file).isEmpty(), e.file);
    }

    void readsWhatTheVendorWrote_data()
    {
        QTest::addColumn<QString>("file");
        for (const Example &e : examples())
            QTest::newRow(e.file) << QString::fromUtf8(e.file);
    }

    void readsWhatTheVendorWrote()
    {
        QFETCH(QString, file);
        const Example &e = *exampleNamed(file);
        const QByteArray body = vendorBody(e.file);
        auto read = e.stream ? readStream(e.format, body) : readResponse(e.format, body);
        QVERIFY2(read.ok(), qPrintable(read.ok() ? QString() : read.error().message));
        const Meaning m = meaningOf(read.value());
        QCOMPARE(m.text, e.meaning.text);
        QCOMPARE(m.thinking, e.meaning.thinking);
        QCOMPARE(m.signature, e.meaning.signature);
        if (!m.signature.isEmpty())
            QCOMPARE(m.signatureFormat, e.format); // the vendor's own state, marked as its own
        QCOMPARE(m.calls.size(), e.meaning.calls.size());
        for (int i = 0; i < m.calls.size(); ++i) {
            QCOMPARE(m.calls[i].name, e.meaning.calls[i].name);
            QCOMPARE(m.calls[i].arguments, e.meaning.calls[i].arguments);
            if (!e.meaning.calls[i].id.isEmpty()) // Gemini's calls carry no id: droid2api gives them one
                QCOMPARE(m.calls[i].id, e.meaning.calls[i].id);
            else
                QVERIFY(!m.calls[i].id.isEmpty());
        }
        QCOMPARE(m.finish, e.meaning.finish);
        QCOMPARE(m.usage.known, e.meaning.usage.known);
        QCOMPARE(m.usage.input, e.meaning.usage.input);
        QCOMPARE(m.usage.output, e.meaning.usage.output);
        QCOMPARE(m.usage.cacheRead, e.meaning.usage.cacheRead);
        QCOMPARE(m.usage.cacheWrite, e.meaning.usage.cacheWrite);
        QCOMPARE(m.usage.reasoning, e.meaning.usage.reasoning);
    }

    void usageRecordingFindsTheVendorsFigures_data() { readsWhatTheVendorWrote_data(); }

    void usageRecordingFindsTheVendorsFigures()
    {
        // What usage recording keeps (usage/tokens.h), from the bytes as the upstream sent them; for streams the
        // format's needle skips events without usage, and must never skip one that has it.
        QFETCH(QString, file);
        const Example &e = *exampleNamed(file);
        const QByteArray body = vendorBody(e.file);
        const TokenCounts found = usageFound(e.format, body, e.stream);
        QCOMPARE(found.known, e.meaning.usage.known);
        QCOMPARE(found.input, e.meaning.usage.input);
        QCOMPARE(found.output, e.meaning.usage.output);
        QCOMPARE(found.cacheRead, e.meaning.usage.cacheRead);
        QCOMPARE(found.reasoning, e.meaning.usage.reasoning);
        if (e.stream) {
            const TokenCounts every = usageOfEveryEvent(e.format, body);
            QCOMPARE(found.total(), every.total());
            QCOMPARE(found.known, every.known);
            for (const QByteArray &raw : splitEvents(body)) {
                auto doc = json::Document::parse(SseSplitter::parse(raw).data);
                if (doc && formatSpec(e.format).usage(doc.value().root()).known)
                    QVERIFY2(mayCarryUsage(e.format, raw), raw.constData());
            }
        }
    }

    void everyOtherFormatCarriesTheMeaning_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<WireFormat>("client");
        for (const Example &e : examples())
            for (WireFormat client : kFormats)
                if (client != e.format)
                    QTest::addRow("%s -> %s", e.file, qPrintable(tag(client))) << QString::fromUtf8(e.file) << client;
    }

    void everyOtherFormatCarriesTheMeaning()
    {
        QFETCH(QString, file);
        QFETCH(WireFormat, client);
        const Example &e = *exampleNamed(file);
        const QByteArray body = vendorBody(e.file);
        ir::Request request;
        request.model = QStringLiteral("client-model");
        request.servedBy = QStringLiteral("vendor-model");
        request.stream = e.stream;
        request.includeUsage = true; // a Chat client that asks for the usage chunk
        QByteArray out;
        Result<ir::Response> back = Error::badGateway(QString());
        if (e.stream) {
            // The upstream's events, one by one through its reader, straight into the client's writer.
            auto reader = makeEventReader(e.format);
            auto writer = makeStreamWriter(client, request);
            for (const QByteArray &raw : splitEvents(body)) {
                const SseEvent ev = SseSplitter::parse(raw);
                if (!ev.isComment && !ev.data.isNull())
                    for (const ir::Event &x : reader->read(ev))
                        out += writer->write(x);
            }
            for (const ir::Event &x : reader->end())
                out += writer->write(x);
            QVERIFY(writer->finished());
            const QString grammar = checkStreamGrammar(client, out);
            QVERIFY2(grammar.isEmpty(), qPrintable(grammar + QStringLiteral("\n") + QString::fromUtf8(out)));
            const QString events = checkEvents(client, out);
            QVERIFY2(events.isEmpty(), qPrintable(events));
            back = readStream(client, out);
        } else {
            auto read = readResponse(e.format, body);
            QVERIFY(read.ok());
            out = writeResponse(client, read.value(), &request);
            QVERIFY2(json::Document::parse(out).ok(), out.constData());
            back = readResponse(client, out);
        }
        QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().message));

        // What the client got means what the vendor wrote.
        auto originalRead = e.stream ? readStream(e.format, body) : readResponse(e.format, body);
        QVERIFY(originalRead.ok());
        const Meaning original = meaningOf(originalRead.value());
        const Meaning m = meaningOf(back.value());
        QCOMPARE(m.text, e.meaning.text);
        QCOMPARE(m.thinking, e.meaning.thinking);
        QCOMPARE(m.calls.size(), e.meaning.calls.size());
        for (int i = 0; i < m.calls.size(); ++i) {
            QCOMPARE(m.calls[i].name, e.meaning.calls[i].name);
            QCOMPARE(m.calls[i].arguments, e.meaning.calls[i].arguments);
            // The id the vendor gave (droid2api's own for Gemini's id-less calls). A Gemini client's calls carry
            // none: it matches results to calls by name and order, and droid2api names them call_<name>_<n>.
            QCOMPARE(m.calls[i].id, client == WireFormat::Gemini
                                        ? QStringLiteral("call_%1_%2").arg(m.calls[i].name).arg(i)
                                        : original.calls[i].id);
        }
        QCOMPARE(m.finish, e.meaning.finish);

        // The client sends the answer back as history in its next request, the assistant turn as it got it (with
        // a result for each call), and droid2api reads that request: the vendor's reasoning state comes out of the
        // client's envelope as the vendor's own, the calls under their ids, and the state goes on to its own
        // vendor only.
        const QByteArray whole = e.stream ? wholeAsTheClientKeepsIt(client, out, back.value(), request) : out;
        const QByteArray next = nextRequest(client, whole);
        auto nextDoc = json::Document::parse(next);
        QVERIFY2(nextDoc.ok(), next.constData());
        auto history = readRequest(client, nextDoc.value().root(), QStringLiteral("client-model"));
        QVERIFY2(history.ok(), qPrintable(history.ok() ? QString() : history.error().message));
        const auto assistant =
            std::find_if(history.value().messages.cbegin(), history.value().messages.cend(),
                         [](const ir::Message &x) { return x.role == ir::Message::Role::Assistant; });
        QVERIFY(assistant != history.value().messages.cend());
        const Meaning home = meaningOfParts(assistant->parts);
        if (client == WireFormat::OpenAIChat) {
            QVERIFY(home.signature.isEmpty()); // Chat has no field for reasoning state (README: Known gaps)
        } else {
            QCOMPARE(home.signature, e.meaning.signature);
            if (!home.signature.isEmpty())
                QCOMPARE(home.signatureFormat, e.format);
        }
        if (client != WireFormat::Gemini)
            for (int i = 0; i < home.calls.size(); ++i)
                QCOMPARE(home.calls[i].id, original.calls[i].id);
        if (!e.meaning.signature.isEmpty() && client != WireFormat::OpenAIChat) {
            ir::Request onward = history.value();
            onward.model = QStringLiteral("vendor-model");
            for (WireFormat upstream : kFormats) {
                auto written = writeRequest(upstream, onward);
                QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().message));
                QCOMPARE(written.value().contains(e.meaning.signature.toUtf8()), upstream == e.format);
            }
        }

        // The usage the client is told is the vendor's: every token counted once, output as output.
        const TokenCounts told = usageFound(client, out, e.stream);
        QCOMPARE(told.total(), e.meaning.usage.total());
        QCOMPARE(told.output, e.meaning.usage.output);
    }

    void ownRouteKeepsTheVendorsBytes_data() { readsWhatTheVendorWrote_data(); }

    void ownRouteKeepsTheVendorsBytes()
    {
        // A client of the vendor's own format, through a real proxy whose upstream answers with the example: the
        // client gets the vendor's bytes unchanged, and the request's record holds the vendor's usage figures.
        QFETCH(QString, file);
        const Example &e = *exampleNamed(file);
        const QByteArray body = vendorBody(e.file);
        RecordedCall rc;
        TokenCounts t;
        const QString failed = serve(e, e.stream, &rc, &t);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
        QCOMPARE(rc.status, 200);
        // An event the upstream left without its blank line (the stream just ended) gets one: nothing else
        // changes.
        QByteArray expected = body;
        SseSplitter framing;
        framing.feed(body);
        if (e.stream && !framing.takeRemainder().trimmed().isEmpty())
            expected += "\n\n";
        QCOMPARE(rc.body, expected);
        QCOMPARE(t.known, e.meaning.usage.known);
        QCOMPARE(t.input, e.meaning.usage.input);
        QCOMPARE(t.output, e.meaning.usage.output);
        QCOMPARE(t.reasoning, e.meaning.usage.reasoning);
    }

    void streamedAnswerToAWholeRequest_data()
    {
        QTest::addColumn<QString>("file");
        for (const Example &e : examples())
            if (e.stream)
                QTest::newRow(e.file) << QString::fromUtf8(e.file);
    }

    void streamedAnswerToAWholeRequest()
    {
        // The upstream streams although the client asked for one answer (as Factory's Gemini route always does):
        // the proxy collects the vendor's events into one answer of the client's format, meaning what they meant.
        QFETCH(QString, file);
        const Example &e = *exampleNamed(file);
        RecordedCall rc;
        TokenCounts t;
        const QString failed = serve(e, false, &rc, &t);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
        QVERIFY2(rc.status == 200, rc.body.constData());
        auto read = readResponse(e.format, rc.body);
        QVERIFY2(read.ok(), rc.body.constData());
        const Meaning m = meaningOf(read.value());
        QCOMPARE(m.text, e.meaning.text);
        QCOMPARE(m.thinking, e.meaning.thinking);
        QCOMPARE(m.calls.size(), e.meaning.calls.size());
        for (int i = 0; i < m.calls.size(); ++i) {
            QCOMPARE(m.calls[i].name, e.meaning.calls[i].name);
            QCOMPARE(m.calls[i].arguments, e.meaning.calls[i].arguments);
        }
        QCOMPARE(m.finish, e.meaning.finish);
        QCOMPARE(m.usage.output, e.meaning.usage.output);
        QCOMPARE(m.usage.total(), e.meaning.usage.total());
        QCOMPARE(t.output, e.meaning.usage.output);
        QCOMPARE(t.total(), e.meaning.usage.total());
    }

private:
    /// A client of the example's own format asks, streamed or not, through a real proxy whose upstream answers with
    /// the example's bytes (streams as text/event-stream ended by closing, answers with their length): what the
    /// client got and the usage the request's record holds. Returns what went wrong, if anything.
    QString serve(const Example &e, bool clientStream, RecordedCall *rc, TokenCounts *recorded)
    {
        const QByteArray body = vendorBody(e.file);
        QList<RequestRecord> records; // outlives the proxy, which may still report while it shuts down
        ProxyFixture f;
        if (!f.up())
            return QStringLiteral("the fake upstream did not start");
        Config c = f.config();
        ModelConfig model;
        model.id = model.name = QStringLiteral("vendor-example");
        model.type = e.format == WireFormat::Anthropic         ? ModelType::Anthropic
                     : e.format == WireFormat::OpenAIResponses ? ModelType::OpenAI
                     : e.format == WireFormat::OpenAIChat      ? ModelType::Common
                                                               : ModelType::Google;
        model.reasoning = ReasoningLevel::Auto;
        c.models.append(model);
        if (!f.startProxy(c))
            return f.startError;
        connect(f.proxy.get(), &ProxyService::requestFinished, this,
                [&records](const RequestRecord &r) { records << r; });

        const QByteArray head = e.stream ? QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
                                         : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                               + QByteArray::number(body.size()) + "\r\n\r\n";
        const QJsonObject fake { { QStringLiteral("scenario"), QStringLiteral("raw") },
                                 { QStringLiteral("raw"), QString::fromUtf8(head + body) },
                                 { QStringLiteral("close"), true } };
        const QJsonArray userHi { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                { QStringLiteral("content"), QStringLiteral("hi") } } };
        QString path;
        QJsonObject request { { QStringLiteral("fake"), fake } };
        switch (e.format) {
        case WireFormat::Anthropic:
            path = QStringLiteral("/v1/messages");
            request.insert(QStringLiteral("model"), QStringLiteral("vendor-example"));
            request.insert(QStringLiteral("max_tokens"), 64);
            request.insert(QStringLiteral("messages"), userHi);
            request.insert(QStringLiteral("stream"), clientStream);
            break;
        case WireFormat::OpenAIChat:
            path = QStringLiteral("/v1/chat/completions");
            request.insert(QStringLiteral("model"), QStringLiteral("vendor-example"));
            request.insert(QStringLiteral("messages"), userHi);
            request.insert(QStringLiteral("stream"), clientStream);
            break;
        case WireFormat::OpenAIResponses:
            path = QStringLiteral("/v1/responses");
            request.insert(QStringLiteral("model"), QStringLiteral("vendor-example"));
            request.insert(QStringLiteral("input"), QStringLiteral("hi"));
            request.insert(QStringLiteral("stream"), clientStream);
            break;
        case WireFormat::Gemini:
            path = clientStream ? QStringLiteral("/v1beta/models/vendor-example:streamGenerateContent?alt=sse")
                                : QStringLiteral("/v1beta/models/vendor-example:generateContent");
            request.insert(QStringLiteral("contents"),
                           QJsonArray { QJsonObject {
                               { QStringLiteral("role"), QStringLiteral("user") },
                               { QStringLiteral("parts"),
                                 QJsonArray { QJsonObject { { QStringLiteral("text"), QStringLiteral("hi") } } } } } });
            break;
        }
        if (!f.call(*rc, "POST", path, QJsonDocument(request).toJson(QJsonDocument::Compact)))
            return QStringLiteral("the call did not complete: ") + rc->error;
        if (!QTest::qWaitFor([&records] { return !records.isEmpty(); }, 5000))
            return QStringLiteral("the request was never recorded");
        *recorded = records.first().tokens;
        return {};
    }
};

QTEST_GUILESS_MAIN(TestVendorExamples)
#include "tst_vendorexamples.moc"
