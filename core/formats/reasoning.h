#pragma once
// Reasoning levels in each wire format's own terms (PROTOCOL.md §3), as splices into the request body.

#include "../config/config.h"
#include "../json/jsonedit.h"
#include "wireformat.h"

namespace d2a {

/// Anthropic thinking budget for a fixed level (0 for auto/off).
int thinkingBudget(ReasoningLevel level);

/// Applies `level` to request `body` of `format` through `patcher`: auto keeps the client's setting, off
/// removes it, a fixed level sets it (Anthropic thinking budget with max_tokens raised above it, Responses
/// reasoning.effort, Chat reasoning_effort, Gemini thinkingConfig.thinkingLevel). Objects it changes inside
/// (reasoning, generationConfig) keep their other members in order.
void applyReasoning(WireFormat format, json::Patcher &patcher, const json::Value &body, ReasoningLevel level, int budgetOverride = 0);

/// The anthropic-beta list after the level and fast mode: fixed levels add interleaved thinking, off removes
/// it, fast models add the fast-mode beta. Order kept, duplicates dropped.
QByteArray anthropicBetaHeader(const QByteArray &clientValue, ReasoningLevel level, bool fast);

/// `object` rewritten with `set` members replaced or appended and `remove` members dropped; the other members
/// keep their exact text and order.
QByteArray rewriteObject(const json::Value &object, const QList<QPair<QByteArray, QByteArray>> &set, const QList<QByteArray> &remove = {});

} // namespace d2a
