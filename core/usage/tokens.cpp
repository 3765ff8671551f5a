#include "tokens.h"

#include "../json/json.h"

namespace d2a {

namespace {

void take(qint64 &field, const json::Value &v, bool &seen)
{
    if (v.isNumber()) {
        field = v.toInteger();
        seen = true;
    }
}

/// OpenAI's two APIs, which differ in names only: the input counts the cached tokens, the output the reasoning.
TokenCounts openAiStyle(const json::Value &u, const char *in, const char *out, const char *inDetails, const char *outDetails)
{
    TokenCounts t;
    if (!u.isObject())
        return t;
    bool seen = false;
    qint64 input = 0;
    take(input, u[QLatin1StringView(in)], seen);
    take(t.output, u[QLatin1StringView(out)], seen);
    take(t.cacheRead, u[QLatin1StringView(inDetails)]["cached_tokens"], seen);
    take(t.reasoning, u[QLatin1StringView(outDetails)]["reasoning_tokens"], seen);
    t.input = qMax<qint64>(0, input - t.cacheRead); // nothing counts twice
    t.known = seen;
    return t;
}

/// The usage object of one JSON answer or event, whatever the format puts it under.
TokenCounts fromObject(WireFormat format, const json::Value &o)
{
    TokenCounts t;
    bool seen = false;
    switch (format) {
    case WireFormat::Anthropic: {
        // message_start: message.usage; message_delta and a whole answer: usage.
        const json::Value u = o["message"].isObject() ? o["message"]["usage"] : o["usage"];
        if (!u.isObject())
            return t;
        take(t.input, u["input_tokens"], seen);
        take(t.output, u["output_tokens"], seen);
        take(t.cacheRead, u["cache_read_input_tokens"], seen);
        take(t.cacheWrite, u["cache_creation_input_tokens"], seen);
        break;
    }
    case WireFormat::OpenAIChat:
        return openAiStyle(o["usage"], "prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details");
    case WireFormat::OpenAIResponses:
        // Events: response.completed (and .incomplete/.failed) carry response.usage; a whole answer: usage.
        return openAiStyle(o["response"].isObject() ? o["response"]["usage"] : o["usage"], "input_tokens", "output_tokens",
                           "input_tokens_details", "output_tokens_details");
    case WireFormat::Gemini: {
        const json::Value u = o["usageMetadata"];
        if (!u.isObject())
            return t;
        qint64 prompt = 0;
        qint64 candidates = 0;
        take(prompt, u["promptTokenCount"], seen);
        take(candidates, u["candidatesTokenCount"], seen);
        take(t.cacheRead, u["cachedContentTokenCount"], seen);
        take(t.reasoning, u["thoughtsTokenCount"], seen);
        t.input = qMax<qint64>(0, prompt - t.cacheRead);
        t.output = candidates + t.reasoning; // Gemini counts thoughts apart from the candidates
        break;
    }
    }
    t.known = seen;
    return t;
}

} // namespace

void TokenCounts::merge(const TokenCounts &later)
{
    if (!later.known)
        return;
    // A field a later report leaves at zero keeps what an earlier one said (Anthropic's message_delta
    // repeats only the output; its input came with message_start).
    auto keep = [](qint64 &mine, qint64 theirs) {
        if (theirs > 0 || mine == 0)
            mine = theirs;
    };
    if (later.input > 0 || later.cacheRead > 0 || input == 0) { // input is counted net of cache reads: a pair
        input = later.input;
        cacheRead = later.cacheRead;
    }
    keep(output, later.output);
    keep(cacheWrite, later.cacheWrite);
    keep(reasoning, later.reasoning);
    known = true;
}

TokenCounts &TokenCounts::operator+=(const TokenCounts &other)
{
    input += other.input;
    output += other.output;
    cacheRead += other.cacheRead;
    cacheWrite += other.cacheWrite;
    reasoning += other.reasoning;
    known = known || other.known;
    return *this;
}

TokenCounts usageOfAnswer(WireFormat format, const QByteArray &body)
{
    auto doc = json::Document::parse(body, { 64, false });
    if (!doc)
        return {};
    const json::Value root = doc.value().root();
    if (root.isArray()) {
        TokenCounts t;
        for (const json::Value &chunk : root.children())
            t.merge(fromObject(format, chunk));
        return t;
    }
    return fromObject(format, root);
}

TokenCounts usageOfEvent(WireFormat format, const QByteArray &data)
{
    // Most events carry no usage: skip them without parsing ("usage", "usageMetadata").
    if (!data.contains("sage"))
        return {};
    auto doc = json::Document::parse(data, { 64, false });
    if (!doc)
        return {};
    return fromObject(format, doc.value().root());
}

} // namespace d2a
