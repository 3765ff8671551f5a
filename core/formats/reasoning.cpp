#include "reasoning.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qstringlist.h>

namespace d2a {

namespace {
const QByteArray kInterleaved = QByteArrayLiteral("interleaved-thinking-2025-05-14");
const QByteArray kFastMode = QByteArrayLiteral("fast-mode-2026-02-01");

bool isFixed(ReasoningLevel l)
{
    return l == ReasoningLevel::Low || l == ReasoningLevel::Medium || l == ReasoningLevel::High
        || l == ReasoningLevel::XHigh;
}
} // namespace

int thinkingBudget(ReasoningLevel level)
{
    switch (level) {
    case ReasoningLevel::Low: return 4096;
    case ReasoningLevel::Medium: return 12288;
    case ReasoningLevel::High: return 24576;
    case ReasoningLevel::XHigh: return 40960;
    default: return 0;
    }
}

void applyReasoning(WireFormat format, QJsonObject &body, ReasoningLevel level, int budgetOverride)
{
    if (level == ReasoningLevel::Auto)
        return;
    const QString effort = reasoningLevelName(level);
    switch (format) {
    case WireFormat::Anthropic:
        if (level == ReasoningLevel::Off) {
            body.remove(QStringLiteral("thinking"));
            return;
        } else {
            const int budget = budgetOverride > 0 ? budgetOverride : thinkingBudget(level);
            body.insert(QStringLiteral("thinking"),
                        QJsonObject { { QStringLiteral("type"), QStringLiteral("enabled") },
                                      { QStringLiteral("budget_tokens"), budget } });
            // Anthropic requires max_tokens > budget_tokens; keep the client's answer room on top of the budget.
            const int maxTokens = body.value(u"max_tokens").toInt(0);
            if (maxTokens <= budget)
                body.insert(QStringLiteral("max_tokens"), budget + qMax(maxTokens, 4096));
            // Extended thinking accepts only the default temperature and no top_k.
            body.remove(QStringLiteral("temperature"));
            body.remove(QStringLiteral("top_k"));
        }
        return;
    case WireFormat::OpenAIResponses:
        if (level == ReasoningLevel::Off) {
            body.remove(QStringLiteral("reasoning"));
        } else {
            QJsonObject r = body.value(u"reasoning").toObject();
            r.insert(QStringLiteral("effort"), effort);
            if (!r.contains(u"summary"))
                r.insert(QStringLiteral("summary"), QStringLiteral("auto"));
            body.insert(QStringLiteral("reasoning"), r);
        }
        return;
    case WireFormat::OpenAIChat:
        if (level == ReasoningLevel::Off)
            body.remove(QStringLiteral("reasoning_effort"));
        else
            body.insert(QStringLiteral("reasoning_effort"), effort);
        return;
    case WireFormat::Gemini: {
        QJsonObject gc = body.value(u"generationConfig").toObject();
        if (level == ReasoningLevel::Off) {
            gc.remove(QStringLiteral("thinkingConfig"));
        } else {
            QJsonObject tc = gc.value(u"thinkingConfig").toObject();
            tc.remove(QStringLiteral("thinkingBudget")); // Gemini rejects a budget together with a level
            tc.insert(QStringLiteral("thinkingLevel"),
                      level == ReasoningLevel::Low ? QStringLiteral("LOW")
                                                   : level == ReasoningLevel::Medium ? QStringLiteral("MEDIUM")
                                                                                     : QStringLiteral("HIGH"));
            gc.insert(QStringLiteral("thinkingConfig"), tc);
        }
        if (gc.isEmpty())
            body.remove(QStringLiteral("generationConfig"));
        else
            body.insert(QStringLiteral("generationConfig"), gc);
        return;
    }
    }
}

QByteArray anthropicBetaHeader(const QByteArray &clientValue, ReasoningLevel level, bool fast)
{
    QList<QByteArray> out;
    for (const QByteArray &part : clientValue.split(',')) {
        const QByteArray b = part.trimmed();
        if (!b.isEmpty() && !out.contains(b))
            out.append(b);
    }
    if (isFixed(level) && !out.contains(kInterleaved))
        out.append(kInterleaved);
    if (level == ReasoningLevel::Off)
        out.removeAll(kInterleaved);
    if (fast && !out.contains(kFastMode))
        out.append(kFastMode);
    return out.join(',');
}

} // namespace d2a
