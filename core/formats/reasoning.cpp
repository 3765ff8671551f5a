#include "reasoning.h"

#include "../json/jsonwriter.h"

namespace d2a {

namespace {
const QByteArray kInterleaved = QByteArrayLiteral("interleaved-thinking-2025-05-14");
const QByteArray kFastMode = QByteArrayLiteral("fast-mode-2026-02-01");

bool thinks(ReasoningLevel l)
{
    return l != ReasoningLevel::Auto && l != ReasoningLevel::Off;
}

QByteArray quotedName(ReasoningLevel l)
{
    return json::quoted(reasoningLevelName(l));
}

/// Sets `member` of `body` to an object with `set` applied over the one already there (its other members kept).
void mergeObject(json::Patcher &p, const json::Value &body, const char *member, const QList<QPair<QByteArray, QByteArray>> &set,
                 const QList<QByteArray> &remove = {})
{
    const json::Value existing = body[QLatin1StringView(member)];
    if (existing.isObject())
        p.replace(existing, rewriteObject(existing, set, remove));
    else
        p.setMember(body, QLatin1StringView(member), rewriteObject(json::Value(), set));
}

/// Removes `key` from object `member` of `body`, and the member itself when nothing else is left in it.
void removeFromObject(json::Patcher &p, const json::Value &body, const char *member, const QByteArray &key)
{
    const json::Value o = body[QLatin1StringView(member)];
    if (!o.isObject() || !o.contains(QLatin1StringView(key)))
        return;
    if (o.size() == 1)
        p.removeMember(body, QLatin1StringView(member));
    else
        p.replace(o, rewriteObject(o, {}, { key }));
}

QByteArray geminiLevel(ReasoningLevel l, const ModelConfig &model)
{
    const QString custom = model.levelNames.value(reasoningLevelName(l));
    if (!custom.isEmpty())
        return json::quoted(custom);
    switch (l) {
    case ReasoningLevel::Minimal: return "\"MINIMAL\"";
    case ReasoningLevel::Low: return "\"LOW\"";
    case ReasoningLevel::Medium: return "\"MEDIUM\"";
    default: return "\"HIGH\"";
    }
}
} // namespace

std::optional<ReasoningLevel> requestedLevel(WireFormat format, const json::Value &body)
{
    auto named = [](const json::Value &v) -> std::optional<ReasoningLevel> {
        return v.isString() ? parseReasoningLevel(v.toString()) : std::nullopt;
    };
    switch (format) {
    case WireFormat::Anthropic: {
        const json::Value thinking = body["thinking"];
        if (thinking["type"].stringIs("disabled"))
            return ReasoningLevel::Off;
        if (auto effort = named(body["output_config"]["effort"]))
            return effort;
        if (thinking["type"].stringIs("enabled")) {
            const qint64 budget = thinking["budget_tokens"].toInteger(0);
            return budget <= 4096 ? ReasoningLevel::Low : budget <= 12288 ? ReasoningLevel::Medium : ReasoningLevel::High;
        }
        if (thinking["type"].stringIs("adaptive"))
            return ReasoningLevel::High;
        return std::nullopt;
    }
    case WireFormat::OpenAIResponses: return named(body["reasoning"]["effort"]);
    case WireFormat::OpenAIChat: return named(body["reasoning_effort"]);
    case WireFormat::Gemini: {
        const json::Value tc = body["generationConfig"]["thinkingConfig"];
        if (!tc.isObject())
            return std::nullopt;
        if (tc["thinkingBudget"].isNumber() && tc["thinkingBudget"].toInteger(-1) == 0)
            return ReasoningLevel::Off;
        return named(tc["thinkingLevel"]);
    }
    }
    return std::nullopt;
}

QByteArray rewriteObject(const json::Value &object, const QList<QPair<QByteArray, QByteArray>> &set, const QList<QByteArray> &remove)
{
    QByteArray out = "{";
    QList<QByteArray> done;
    auto add = [&out](QByteArrayView key, QByteArrayView value) {
        if (out.size() > 1)
            out += ',';
        out += key;
        out += ':';
        out += value;
    };
    for (json::Value m : object.children()) {
        const QByteArray key = m.key().toUtf8();
        if (remove.contains(key))
            continue;
        bool replaced = false;
        for (const auto &kv : set)
            if (kv.first == key) {
                add(m.rawKey(), kv.second);
                done.append(key);
                replaced = true;
            }
        if (!replaced)
            add(m.rawKey(), m.raw());
    }
    for (const auto &kv : set)
        if (!done.contains(kv.first))
            add(json::quoted(QString::fromUtf8(kv.first)), kv.second);
    return out + '}';
}

void applyReasoning(WireFormat format, json::Patcher &p, const json::Value &body, ReasoningLevel level, const ModelConfig &model, int budget)
{
    if (level == ReasoningLevel::Auto)
        return;
    const ThinkingStyle style = model.style();
    switch (format) {
    case WireFormat::Anthropic: {
        if (!thinks(level)) {
            p.removeMember(body, "thinking");
            removeFromObject(p, body, "output_config", "effort");
            return;
        }
        if (style == ThinkingStyle::Budget || style == ThinkingStyle::BudgetEffort) {
            p.setMember(body, "thinking", "{\"type\":\"enabled\",\"budget_tokens\":" + QByteArray::number(budget) + '}');
            // Anthropic requires max_tokens > budget_tokens; keep the client's answer room on top of the budget.
            const qint64 maxTokens = body["max_tokens"].toInteger(0);
            if (maxTokens <= budget)
                p.setMember(body, "max_tokens", QByteArray::number(budget + qMax<qint64>(maxTokens, 4096)));
            if (style == ThinkingStyle::BudgetEffort)
                mergeObject(p, body, "output_config", { { "effort", quotedName(level) } });
            else
                removeFromObject(p, body, "output_config", "effort");
        } else { // adaptive: the model decides how long to think, guided by the effort
            p.setMember(body, "thinking", style == ThinkingStyle::AdaptiveSummarized ? "{\"type\":\"adaptive\",\"display\":\"summarized\"}"
                                                                                     : "{\"type\":\"adaptive\"}");
            mergeObject(p, body, "output_config", { { "effort", quotedName(level) } });
        }
        // Thinking accepts only the default temperature and no top_k.
        p.removeMember(body, "temperature");
        p.removeMember(body, "top_k");
        return;
    }
    case WireFormat::OpenAIResponses: {
        if (!thinks(level)) {
            p.removeMember(body, "reasoning");
            return;
        }
        QList<QPair<QByteArray, QByteArray>> set { { "effort", quotedName(level) } };
        QList<QByteArray> remove;
        if (style == ThinkingStyle::Effort)
            remove << "summary"; // xAI takes no summary
        else if (!body["reasoning"].contains("summary"))
            set.append(qMakePair(QByteArray("summary"), QByteArray("\"auto\"")));
        mergeObject(p, body, "reasoning", set, remove);
        return;
    }
    case WireFormat::OpenAIChat:
        switch (style) {
        case ThinkingStyle::None:
            p.removeMember(body, "reasoning_effort");
            return;
        case ThinkingStyle::ChatTemplate:
            p.removeMember(body, "reasoning_effort");
            mergeObject(p, body, "chat_template_args", { { "enable_thinking", thinks(level) ? "true" : "false" } });
            return;
        default:
            // Off is said, not left out: these models think unless told "none".
            p.setMember(body, "reasoning_effort", thinks(level) ? quotedName(level) : QByteArray("\"none\""));
            if (thinks(level) && !model.reasoningHistory.isEmpty())
                p.setMember(body, "reasoning_history", json::quoted(model.reasoningHistory));
            else
                p.removeMember(body, "reasoning_history");
            return;
        }
    case WireFormat::Gemini: {
        const json::Value gc = body["generationConfig"];
        const json::Value tc = gc["thinkingConfig"];
        // Gemini rejects a budget together with a level.
        const QByteArray thinking = thinks(level)
            ? rewriteObject(tc, { { "includeThoughts", "true" }, { "thinkingLevel", geminiLevel(level, model) } }, { "thinkingBudget" })
            : rewriteObject(tc, { { "includeThoughts", "false" } }, { "thinkingBudget", "thinkingLevel" });
        mergeObject(p, body, "generationConfig", { { "thinkingConfig", thinking } });
        return;
    }
    }
}

void applyFastMode(WireFormat format, json::Patcher &p, const json::Value &body)
{
    if (format == WireFormat::Anthropic)
        p.setMember(body, "speed", "\"fast\"");
    else if (format == WireFormat::OpenAIResponses)
        p.setMember(body, "service_tier", "\"priority\"");
}

QByteArray anthropicBetaHeader(const QByteArray &clientValue, ReasoningLevel level, const ModelConfig &model)
{
    QList<QByteArray> out;
    for (const QByteArray &part : clientValue.split(',')) {
        const QByteArray b = part.trimmed();
        if (!b.isEmpty() && !out.contains(b))
            out.append(b);
    }
    if (thinks(level))
        for (const QString &b : model.betas)
            if (!out.contains(b.toUtf8()))
                out.append(b.toUtf8());
    if (level == ReasoningLevel::Off)
        out.removeAll(kInterleaved);
    if (model.fast && !out.contains(kFastMode))
        out.append(kFastMode);
    return out.join(',');
}

} // namespace d2a
