// bench_json: what one passthrough edit (the model, and the Droid system block put first) costs on a realistic
// ~150 KB coding-agent body with each JSON representation considered for the proxy. Prints the median of many
// runs in microseconds, and whether each keeps the client's key order and exact numbers.
//   Qt QJsonDocument          parse, edit, serialise (sorts keys, re-prints numbers)
//   d2a::json (ours)          strict validating parse with spans, then byte splices
//   RapidJSON DOM             parse (numbers as strings), edit, serialise      [when rapidjson-dev is installed]
//   simdjson On-Demand        locate the splice points only (no full validation) [when libsimdjson-dev is installed]
#include "agentbody.h"
#include "json/json.h"
#include "json/jsonedit.h"
#include "json/jsonwriter.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

#ifdef D2A_HAVE_RAPIDJSON
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#endif
#ifdef D2A_HAVE_SIMDJSON
#include <simdjson.h>
#endif

namespace {

const QByteArray kPrefix = "You are Droid, an AI software engineering agent built by Factory.";

double medianMicros(int runs, const std::function<QByteArray()> &f, QByteArray *last)
{
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer c;
        c.start();
        *last = f();
        t.push_back(c.nsecsElapsed() / 1000.0);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    const int runs = argc > 1 ? atoi(argv[1]) : 200;
    const QByteArray body = d2a::bench::agentBody(d2a::bench::BodyFormat::Anthropic);
    std::printf("body: %lld bytes (Anthropic Messages, generated coding-agent conversation)\n",
                static_cast<long long>(body.size()));
    std::printf("%-34s %10s   %s\n", "representation", "median us", "order / numbers kept");
    QByteArray out;

    const double qt = medianMicros(
        runs,
        [&] {
        QJsonObject o = QJsonDocument::fromJson(body).object();
        o.insert(QStringLiteral("model"), QStringLiteral("claude-opus-4-6"));
        QJsonArray system = o.value(u"system").toArray();
        system.prepend(QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                                     { QStringLiteral("text"), QString::fromUtf8(kPrefix) } });
        o.insert(QStringLiteral("system"), system);
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
        },
        &out);
    std::printf("%-34s %10.0f   %s\n", "Qt QJsonDocument round trip", qt,
                out.startsWith("{\"max_tokens\"") ? "no (sorted)" : "?");

    const double ours = medianMicros(
        runs,
        [&] {
        auto doc = d2a::json::Document::parse(body);
        const d2a::json::Value root = doc.value().root();
        d2a::json::Patcher p(doc.value());
        p.setMember(root, "model", "\"claude-opus-4-6\"");
        QByteArray block;
        d2a::json::Writer(&block)
            .beginObject()
            .member(QLatin1StringView("type"), "text")
            .key(QLatin1StringView("text"))
            .stringUtf8(kPrefix)
            .endObject();
        p.insertElement(root["system"], 0, block);
        return p.apply();
        },
        &out);
    std::printf("%-34s %10.0f   %s\n", "d2a::json parse + splice", ours,
                out.size() == body.size() + 82 - 17 + 15 ? "yes (byte-exact)" : "yes");

    const double oursParse = medianMicros(
        runs, [&] { return d2a::json::Document::parse(body).ok() ? QByteArray("ok") : QByteArray(); }, &out);
    std::printf("%-34s %10.0f\n", "  of which the validating parse", oursParse);

#ifdef D2A_HAVE_RAPIDJSON
    const double rj = medianMicros(
        runs,
        [&] {
        rapidjson::Document d;
        d.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag>(body.constData(),
                                                                                               size_t(body.size()));
        auto &a = d.GetAllocator();
        d["model"].SetString("claude-opus-4-6", a);
        rapidjson::Value block(rapidjson::kObjectType);
        block.AddMember("type", "text", a);
        block.AddMember("text", rapidjson::Value(kPrefix.constData(), rapidjson::SizeType(kPrefix.size()), a), a);
        auto &sys = d["system"];
        sys.PushBack(block, a);
        for (rapidjson::SizeType i = sys.Size() - 1; i > 0; --i)
            sys[i].Swap(sys[i - 1]);
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        d.Accept(w);
        return QByteArray(sb.GetString(), qsizetype(sb.GetSize()));
        },
        &out);
    std::printf("%-34s %10.0f   %s\n", "RapidJSON DOM round trip", rj, "order yes; whitespace/escapes re-written");
#endif
#ifdef D2A_HAVE_SIMDJSON
    simdjson::ondemand::parser parser;
    const simdjson::padded_string padded(body.constData(), size_t(body.size()));
    const double sj = medianMicros(
        runs,
        [&] {
        auto doc = parser.iterate(padded);
        std::string_view model, system;
        for (auto field : doc.get_object()) {
            std::string_view key = field.unescaped_key().value();
            if (key == "model")
                model = field.value().raw_json_token().value();
            else if (key == "system")
                system = field.value().raw_json_token().value(); // the '[' where the block goes (3.0 has no raw_json())
            // every other value is skipped unread (and so not validated)
        }
        return QByteArray(system.data(), 1);
        },
        &out);
    std::printf("%-34s %10.0f   %s\n", "simdjson On-Demand locate only", sj, "spans yes; skipped values not validated");
#endif
    return 0;
}
