#pragma once
// Reasoning levels in each model family's own terms (FACTORY-CLI.md §4), as splices into the request body.

#include "../config/config.h"
#include "../json/jsonedit.h"
#include "wireformat.h"

namespace d2a {

/// The level a request body asks for by itself (Anthropic thinking/output_config.effort, Responses
/// reasoning.effort, Chat reasoning_effort, Gemini thinkingConfig), if any.
std::optional<ReasoningLevel> requestedLevel(WireFormat format, const json::Value &body);

/// Applies fixed `level` (never Auto) to request `body` of `format` as `model`'s family asks for it:
/// Anthropic budget, budget + output_config.effort, or adaptive thinking + effort (with display: summarized
/// from Opus 4.7 on); Responses reasoning {effort[, summary]}; Chat reasoning_effort ("none" for off, with
/// reasoning_history), chat_template_args, or nothing; Gemini thinkingConfig {includeThoughts, thinkingLevel}.
/// `budget` is the Anthropic thinking budget for budget families. Objects it changes keep their other members
/// in order.
void applyReasoning(WireFormat format, json::Patcher &patcher, const json::Value &body, ReasoningLevel level,
                    const ModelConfig &model, int budget);

/// Fast mode in the body: Anthropic speed: "fast", Responses service_tier: "priority".
void applyFastMode(WireFormat format, json::Patcher &patcher, const json::Value &body);

/// The anthropic-beta list: the client's, then the model family's betas while it thinks, the fast-mode beta
/// for fast models; off removes interleaved thinking. Order kept, duplicates dropped.
QByteArray anthropicBetaHeader(const QByteArray &clientValue, ReasoningLevel level, const ModelConfig &model);

/// `object` rewritten with `set` members replaced or appended and `remove` members dropped; the other members
/// keep their exact text and order.
QByteArray rewriteObject(const json::Value &object, const QList<QPair<QByteArray, QByteArray>> &set, const QList<QByteArray> &remove = {});

} // namespace d2a
