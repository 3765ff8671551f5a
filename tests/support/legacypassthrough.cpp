// The passthrough edits as droid2api made them before its JSON layer kept bytes (QJson objects, sorted keys):
// the reference of the differential test. Test-only; not product code.
#include "legacypassthrough.h"

#include <QtCore/qjsonarray.h>

namespace d2a::legacy {

namespace {

bool isFixed(ReasoningLevel l)
{
    return l == ReasoningLevel::Low || l == ReasoningLevel::Medium || l == ReasoningLevel::High
        || l == ReasoningLevel::XHigh;
}
} // namespace

int legacyThinkingBudget(ReasoningLevel level)
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
            const int budget = budgetOverride > 0 ? budgetOverride : legacyThinkingBudget(level);
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


namespace {

QJsonObject textBlock(const QString &text)
{
    return { { QStringLiteral("type"), QStringLiteral("text") }, { QStringLiteral("text"), text } };
}

std::optional<Error> prefixAnthropic(QJsonObject &body, const QString &prefix)
{
    const QJsonValue system = body.value(u"system");
    QJsonArray blocks { textBlock(prefix) };
    if (system.isString()) {
        if (!system.toString().isEmpty())
            blocks.append(textBlock(system.toString()));
    } else if (system.isArray()) {
        for (const QJsonValue &b : system.toArray())
            blocks.append(b);
    } else if (!system.isUndefined() && !system.isNull()) {
        return Error::badRequest(QStringLiteral("'system' must be a string or an array of content blocks"));
    }
    body.insert(QStringLiteral("system"), blocks);
    return std::nullopt;
}

std::optional<Error> prefixResponses(QJsonObject &body, const QString &prefix)
{
    const QJsonValue instr = body.value(u"instructions");
    if (!instr.isUndefined() && !instr.isNull() && !instr.isString())
        return Error::badRequest(QStringLiteral("'instructions' must be a string"));
    body.insert(QStringLiteral("instructions"), prefix + instr.toString());
    return std::nullopt;
}

std::optional<Error> prefixChat(QJsonObject &body, const QString &prefix)
{
    const QJsonValue msgsValue = body.value(u"messages");
    if (!msgsValue.isArray())
        return Error::badRequest(QStringLiteral("'messages' must be an array"));
    QJsonArray msgs = msgsValue.toArray();
    for (qsizetype i = 0; i < msgs.size(); ++i) {
        QJsonObject m = msgs[i].toObject();
        const QString role = m.value(u"role").toString();
        if (role != u"system" && role != u"developer")
            continue;
        const QJsonValue content = m.value(u"content");
        if (content.isString()) {
            m.insert(QStringLiteral("content"), prefix + content.toString());
        } else if (content.isArray()) {
            QJsonArray parts = content.toArray();
            parts.prepend(textBlock(prefix));
            m.insert(QStringLiteral("content"), parts);
        } else {
            return Error::badRequest(QStringLiteral("'messages[%1].content' must be a string or an array").arg(i));
        }
        msgs[i] = m;
        body.insert(QStringLiteral("messages"), msgs);
        return std::nullopt;
    }
    msgs.prepend(QJsonObject { { QStringLiteral("role"), QStringLiteral("system") },
                               { QStringLiteral("content"), prefix } });
    body.insert(QStringLiteral("messages"), msgs);
    return std::nullopt;
}

std::optional<Error> prefixGemini(QJsonObject &body, const QString &prefix)
{
    // Both spellings occur in the wild; the REST API documents camelCase.
    const QString key = body.contains(u"system_instruction") ? QStringLiteral("system_instruction")
                                                             : QStringLiteral("systemInstruction");
    const QJsonValue si = body.value(key);
    QJsonObject instr;
    QJsonArray parts { QJsonObject { { QStringLiteral("text"), prefix } } };
    if (si.isObject()) {
        instr = si.toObject();
        const QJsonValue p = instr.value(u"parts");
        if (p.isArray())
            for (const QJsonValue &v : p.toArray())
                parts.append(v);
        else if (p.isObject())
            parts.append(p);
    } else if (si.isString()) {
        parts.append(QJsonObject { { QStringLiteral("text"), si.toString() } });
    } else if (!si.isUndefined() && !si.isNull()) {
        return Error::badRequest(QStringLiteral("'%1' must be an object with 'parts'").arg(key));
    }
    instr.insert(QStringLiteral("parts"), parts);
    body.insert(key, instr);
    return std::nullopt;
}

} // namespace

Result<QJsonObject> applyPassthroughEdits(WireFormat format, QJsonObject body, const PassthroughEdits &edits)
{
    if (!edits.upstreamModel.isEmpty())
        body.insert(QStringLiteral("model"), edits.upstreamModel);
    std::optional<Error> err;
    if (!edits.systemPrompt.isEmpty()) {
        switch (format) {
        case WireFormat::Anthropic: err = prefixAnthropic(body, edits.systemPrompt); break;
        case WireFormat::OpenAIResponses: err = prefixResponses(body, edits.systemPrompt); break;
        case WireFormat::OpenAIChat: err = prefixChat(body, edits.systemPrompt); break;
        case WireFormat::Gemini: err = prefixGemini(body, edits.systemPrompt); break;
        }
    }
    if (err)
        return *err;
    applyReasoning(format, body, edits.level, edits.budget);
    if (edits.fast && format == WireFormat::OpenAIResponses)
        body.insert(QStringLiteral("service_tier"), QStringLiteral("priority"));
    if (format == WireFormat::Gemini)
        body.insert(QStringLiteral("stream"), edits.geminiStream);
    return body;
}


} // namespace d2a::legacy
