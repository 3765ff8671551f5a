#pragma once
// The configuration's named types: model types, reasoning levels and thinking styles, with their names as the
// config file writes them.

#include <QtCore/qlist.h>
#include <QtCore/qstring.h>

#include <optional>

namespace d2a {

/// The wire format of a model's upstream, named as in the original config ("type").
enum class ModelType { Anthropic, OpenAI, Common, Google };

/// Reasoning effort, named as Factory's CLI names them; Auto keeps what the client asked for. "none" is read as
/// Off (the CLI uses both names for the same thing).
enum class ReasoningLevel { Auto, Off, Minimal, Low, Medium, High, XHigh, Max };

/// How a model family is asked to think (Factory's CLI registry, FACTORY-CLI.md §4).
enum class ThinkingStyle {
    Budget, ///< Anthropic thinking {type: enabled, budget_tokens} (Sonnet/Haiku 4.5)
    BudgetEffort, ///< the same plus output_config.effort (Opus 4.5, MiniMax M2.7)
    Adaptive, ///< thinking {type: adaptive} + output_config.effort (Opus/Sonnet 4.6)
    AdaptiveSummarized, ///< adaptive with display: summarized (Opus 4.7 and later)
    EffortSummary, ///< Responses reasoning {effort, summary: auto} (OpenAI)
    Effort, ///< Responses reasoning {effort} without summary (xAI Grok)
    ReasoningEffort, ///< Chat reasoning_effort, "none" for off, with reasoning_history when set (Kimi, GLM 5.1+,
                     ///< DeepSeek)
    ChatTemplate, ///< Chat chat_template_args.enable_thinking (Nemotron)
    None, ///< no reasoning control (GLM 5, GLM 4.7)
    ThinkingLevel, ///< Gemini thinkingConfig {includeThoughts, thinkingLevel}
};

QString modelTypeName(ModelType type);
std::optional<ModelType> parseModelType(const QString &name);
QString reasoningLevelName(ReasoningLevel level);
std::optional<ReasoningLevel> parseReasoningLevel(const QString &name);
/// Every level, in order (Auto first).
const QList<ReasoningLevel> &allReasoningLevels();
QString thinkingStyleName(ThinkingStyle style);
std::optional<ThinkingStyle> parseThinkingStyle(const QString &name);
/// The provider Factory expects in x-api-provider when a model names none.
QString defaultProvider(ModelType type);

} // namespace d2a
