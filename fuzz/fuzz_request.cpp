// libFuzzer target: a client's request body in each of the four formats, as the proxy takes it: our JSON
// parser, then either the same-format passthrough edits (model, Droid system prefix, reasoning per the
// model's family, fast mode) or the format's request reader and every upstream format's writer.
// Invariants: no crash or sanitizer report; compacting accepted JSON is idempotent and re-parses;
// passthrough output is JSON; a written upstream body is JSON.

#include "config/config.h"
#include "formats/passthrough.h"
#include "formats/translate.h"
#include "fuzz_common.h"
#include "json/json.h"

using namespace d2a;

namespace {

constexpr WireFormat kFormats[] = { WireFormat::Anthropic, WireFormat::OpenAIChat, WireFormat::OpenAIResponses,
                                    WireFormat::Gemini };

const QList<ModelConfig> &catalog()
{
    static const QList<ModelConfig> models = ConfigLoader::defaults().models;
    return models;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    fuzz::Input in(bytes, size);
    const uint8_t choice = in.byte();
    const uint8_t modelPick = in.byte();
    const QByteArray body = in.rest();

    json::Document::Options options;
    options.maxDepth = 64 + (choice & 64);
    auto parsed = json::Document::parse(body, options);
    if (!parsed)
        return 0;
    const json::Document &doc = parsed.value();
    const QByteArray compact = json::compact(doc.source());
    auto again = json::Document::parse(compact, options);
    D2A_FUZZ_CHECK(again.ok());
    D2A_FUZZ_CHECK(json::compact(compact) == compact);
    D2A_FUZZ_CHECK(again.value().nodeCount() == doc.nodeCount());

    const WireFormat client = kFormats[choice & 3];
    if (choice & 4) {
        const ModelConfig &model = catalog().at(modelPick % catalog().size());
        PassthroughEdits edits;
        edits.upstreamModel = model.id;
        edits.systemPrompt = (choice & 8)
                                 ? QStringLiteral("You are Droid, an AI software engineering agent built by Factory.")
                                 : QString();
        edits.model = model;
        edits.level = allReasoningLevels().at((choice >> 4) % allReasoningLevels().size());
        edits.budget = (choice & 16) ? 4096 : 0;
        edits.fast = choice & 128;
        edits.promptCacheKey = (choice & 32) ? QStringLiteral("fuzz-session") : QString();
        if (auto out = applyPassthroughEdits(client, doc, edits); out.ok())
            D2A_FUZZ_CHECK(json::Document::parse(out.value()).ok());
        return 0;
    }
    auto request = readRequest(client, doc.root(), QStringLiteral("fuzz-model"));
    if (!request)
        return 0;
    for (WireFormat upstream : kFormats)
        if (auto out = writeRequestDocument(upstream, request.value()); out.ok()) {
            auto parsed = json::Document::parse(out.value().source());
            D2A_FUZZ_CHECK(parsed.ok());
            D2A_FUZZ_CHECK(out.value().sameTreeAs(parsed.value())); // the tree recorded while writing
        }
    (void)estimateInputTokens(request.value());
    return 0;
}
