// libFuzzer target: an upstream's SSE stream through the SSE splitter, the upstream format's event reader and
// the client format's stream writer (every pair of the four formats), as the Relay runs them. Invariants: no
// crash or sanitizer report; the splitter yields the same events whatever the read sizes; events are whole
// (each ends with a line break); what a writer produces is valid UTF-8 SSE whose data lines are JSON.

#include "formats/translate.h"
#include "fuzz_common.h"
#include "json/json.h"

using namespace d2a;

namespace {

constexpr WireFormat kFormats[] = { WireFormat::Anthropic, WireFormat::OpenAIChat, WireFormat::OpenAIResponses,
                                    WireFormat::Gemini };

QList<QByteArray> split(const QByteArray &data, uint8_t seed)
{
    SseSplitter s;
    QList<QByteArray> events;
    fuzz::inPieces(data, seed, [&](const QByteArray &piece) { events += s.feed(piece); });
    return events;
}

/// Every "data:" line of the writer's output holds JSON (or Chat's [DONE]).
void checkClientStream(const QByteArray &out)
{
    SseSplitter s;
    for (const QByteArray &raw : s.feed(out)) {
        const SseEvent ev = SseSplitter::parse(raw);
        if (ev.isComment || ev.data.isNull() || ev.data == "[DONE]")
            continue;
        D2A_FUZZ_CHECK(json::Document::parse(ev.data).ok());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    fuzz::Input in(bytes, size);
    const uint8_t choice = in.byte();
    const uint8_t seed = in.byte();
    const QByteArray data = in.rest();

    const QList<QByteArray> events = split(data, seed);
    SseSplitter whole;
    D2A_FUZZ_CHECK(whole.feed(data) == events);
    for (const QByteArray &e : events)
        D2A_FUZZ_CHECK(!e.isEmpty() && (e.endsWith('\n') || e.endsWith('\r')));

    const WireFormat upstream = kFormats[choice & 3];
    const WireFormat client = kFormats[(choice >> 2) & 3];
    ir::Request request;
    request.model = QStringLiteral("fuzz-model");
    request.stream = true;
    request.includeUsage = choice & 16;
    auto reader = makeEventReader(upstream);
    auto writer = makeStreamWriter(client, request);
    QByteArray out;
    QList<ir::Event> all;
    for (const QByteArray &raw : events) {
        const SseEvent ev = SseSplitter::parse(raw);
        if (ev.isComment || ev.data.isNull())
            continue;
        for (const ir::Event &e : reader->read(ev)) {
            all << e;
            if (!writer->finished())
                out += writer->write(e);
        }
    }
    for (const ir::Event &e : reader->end()) {
        all << e;
        if (!writer->finished())
            out += writer->write(e);
    }
    out += writer->keepAlive();
    checkClientStream(out);
    // A whole answer from the same events (Factory's Gemini route streams even when the client did not ask).
    if (auto r = collectResponse(all); r.ok())
        D2A_FUZZ_CHECK(json::Document::parse(writeResponse(client, r.value(), &request)).ok());
    return 0;
}
