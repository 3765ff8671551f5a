#pragma once
// Reasoning levels in each model family's own terms (FACTORY-CLI.md §4). Each format writes them into a body
// with its registered applyReasoning (formats/<format>/format.cpp, through applyPassthroughEdits).

#include "../config/config.h"
#include "../json/jsonedit.h"
#include "wireformat.h"

namespace d2a {

/// The level a request body asks for by itself (Anthropic thinking/output_config.effort, Responses
/// reasoning.effort, Chat reasoning_effort, Gemini thinkingConfig), if any.
std::optional<ReasoningLevel> requestedLevel(WireFormat format, const json::Value &body);

/// The anthropic-beta list: the client's, then the model family's betas while it thinks, the fast-mode beta
/// for fast models; off removes interleaved thinking. Order kept, duplicates dropped.
QByteArray anthropicBetaHeader(const QByteArray &clientValue, ReasoningLevel level, const ModelConfig &model);

/// `object` rewritten with `set` members replaced or appended and `remove` members dropped; the other members
/// keep their exact text and order.
QByteArray rewriteObject(const json::Value &object, const QList<QPair<QByteArray, QByteArray>> &set,
                         const QList<QByteArray> &remove = {});

} // namespace d2a
