#pragma once
// Reasoning levels in each wire format's own terms (PROTOCOL.md §3).

#include "../config/config.h"
#include "wireformat.h"

#include <QtCore/qjsonobject.h>

namespace d2a {

/// Anthropic thinking budget for a fixed level (0 for auto/off).
int thinkingBudget(ReasoningLevel level);

/// Applies `level` to a request body of `format`: auto keeps the client's setting, off removes it, a fixed
/// level sets it (Anthropic thinking budget with max_tokens raised above it, Responses reasoning.effort, Chat
/// reasoning_effort, Gemini thinkingConfig.thinkingLevel).
void applyReasoning(WireFormat format, QJsonObject &body, ReasoningLevel level, int budgetOverride = 0);

/// The anthropic-beta list after the level and fast mode: fixed levels add interleaved thinking, off removes
/// it, fast models add the fast-mode beta. Order kept, duplicates dropped.
QByteArray anthropicBetaHeader(const QByteArray &clientValue, ReasoningLevel level, bool fast);

} // namespace d2a
