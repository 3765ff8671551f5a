#pragma once
// Same-format requests skip translation: the client's body goes upstream with only the edits the protocol
// demands, so unknown fields, cache_control and thinking signatures survive.

#include "../config/config.h"
#include "wireformat.h"

#include <QtCore/qjsonobject.h>

namespace d2a {

struct PassthroughEdits
{
    QString upstreamModel; ///< after model_redirects
    QString systemPrompt; ///< the Droid prefix (empty: none)
    ReasoningLevel level = ReasoningLevel::Auto;
    int budget = 0; ///< Anthropic thinking budget for `level` (0: the built-in table)
    bool fast = false;
    bool geminiStream = false; ///< Factory's Gemini endpoint reads "stream" from the body
};

/// Applies the edits to `body` in `format`: model, the Droid system prefix before the client's own system text
/// (never replacing it), reasoning, fast mode. Returns an error naming the field when a field has a wrong type.
Result<QJsonObject> applyPassthroughEdits(WireFormat format, QJsonObject body, const PassthroughEdits &edits);

} // namespace d2a
