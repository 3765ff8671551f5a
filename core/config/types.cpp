#include "types.h"

#include <QtCore/qpair.h>

namespace d2a {

QString modelTypeName(ModelType type)
{
    switch (type) {
    case ModelType::Anthropic: return QStringLiteral("anthropic");
    case ModelType::OpenAI: return QStringLiteral("openai");
    case ModelType::Common: return QStringLiteral("common");
    case ModelType::Google: return QStringLiteral("google");
    }
    return {};
}

std::optional<ModelType> parseModelType(const QString &name)
{
    for (ModelType t : { ModelType::Anthropic, ModelType::OpenAI, ModelType::Common, ModelType::Google })
        if (modelTypeName(t) == name)
            return t;
    return std::nullopt;
}

QString reasoningLevelName(ReasoningLevel level)
{
    switch (level) {
    case ReasoningLevel::Auto: return QStringLiteral("auto");
    case ReasoningLevel::Off: return QStringLiteral("off");
    case ReasoningLevel::Minimal: return QStringLiteral("minimal");
    case ReasoningLevel::Low: return QStringLiteral("low");
    case ReasoningLevel::Medium: return QStringLiteral("medium");
    case ReasoningLevel::High: return QStringLiteral("high");
    case ReasoningLevel::XHigh: return QStringLiteral("xhigh");
    case ReasoningLevel::Max: return QStringLiteral("max");
    }
    return {};
}

const QList<ReasoningLevel> &allReasoningLevels()
{
    static const QList<ReasoningLevel> all { ReasoningLevel::Auto,  ReasoningLevel::Off,    ReasoningLevel::Minimal,
                                             ReasoningLevel::Low,   ReasoningLevel::Medium, ReasoningLevel::High,
                                             ReasoningLevel::XHigh, ReasoningLevel::Max };
    return all;
}

std::optional<ReasoningLevel> parseReasoningLevel(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"none")
        return ReasoningLevel::Off;
    for (ReasoningLevel l : allReasoningLevels())
        if (reasoningLevelName(l) == n)
            return l;
    return std::nullopt;
}

namespace {
const QList<QPair<ThinkingStyle, QString>> &thinkingStyleNames()
{
    static const QList<QPair<ThinkingStyle, QString>> names {
        { ThinkingStyle::Budget, QStringLiteral("budget") },
        { ThinkingStyle::BudgetEffort, QStringLiteral("budget_effort") },
        { ThinkingStyle::Adaptive, QStringLiteral("adaptive") },
        { ThinkingStyle::AdaptiveSummarized, QStringLiteral("adaptive_summarized") },
        { ThinkingStyle::EffortSummary, QStringLiteral("effort_summary") },
        { ThinkingStyle::Effort, QStringLiteral("effort") },
        { ThinkingStyle::ReasoningEffort, QStringLiteral("reasoning_effort") },
        { ThinkingStyle::ChatTemplate, QStringLiteral("chat_template") },
        { ThinkingStyle::None, QStringLiteral("none") },
        { ThinkingStyle::ThinkingLevel, QStringLiteral("thinking_level") },
    };
    return names;
}
} // namespace

QString thinkingStyleName(ThinkingStyle style)
{
    for (const auto &n : thinkingStyleNames())
        if (n.first == style)
            return n.second;
    return {};
}

std::optional<ThinkingStyle> parseThinkingStyle(const QString &name)
{
    for (const auto &n : thinkingStyleNames())
        if (n.second == name)
            return n.first;
    return std::nullopt;
}

QString defaultProvider(ModelType type)
{
    switch (type) {
    case ModelType::Anthropic: return QStringLiteral("anthropic");
    case ModelType::OpenAI: return QStringLiteral("openai");
    case ModelType::Common: return QStringLiteral("fireworks");
    case ModelType::Google: return QStringLiteral("google");
    }
    return {};
}

} // namespace d2a
