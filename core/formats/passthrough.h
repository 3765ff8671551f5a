#pragma once
// Same-format requests skip translation: the client's bytes go upstream with only the edits the protocol
// demands, spliced in place, so key order, numbers, escapes, unknown fields, cache_control and thinking
// signatures survive byte for byte.

#include "../config/config.h"
#include "../json/json.h"
#include "wireformat.h"

#include <QtCore/qjsonobject.h>

namespace d2a {

struct PassthroughEdits
{
    QString upstreamModel; ///< after model_redirects
    QString systemPrompt; ///< the Droid prefix (empty: none)
    ReasoningLevel level = ReasoningLevel::Auto; ///< already clamped to what `model` supports; Auto keeps the client's
    ModelConfig model; ///< its family decides how a level is written (reasoning.h)
    int budget = 0; ///< Anthropic thinking budget for `level` (budget families)
    bool fast = false; ///< Factory fast mode (Anthropic speed: fast, Responses service_tier: priority)
    QJsonObject extraBody; ///< members added where the body has none (Factory's per-model fields: fable-5.1)
    QString promptCacheKey; ///< Responses: prompt_cache_key when the body has none (translated requests)
};

struct HistoryEdits;

/// The body of `doc` in `format` with the edits spliced in: the model, the Droid system prefix before the
/// client's own system text (never replacing it), reasoning, fast mode, and the history as the vendor checks it
/// (FormatSpec::sanitizeHistory: another vendor's reasoning removed, carried ids stripped, Gemini's skip value,
/// thinking off where Anthropic would refuse it; what it did goes to `history`). Every other byte is the
/// client's. Returns an error naming the field when a field the edits touch has a wrong type.
Result<QByteArray> applyPassthroughEdits(WireFormat format, const json::Document &doc, const PassthroughEdits &edits,
                                         HistoryEdits *history = nullptr);

} // namespace d2a
