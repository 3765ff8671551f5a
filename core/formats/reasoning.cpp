#include "reasoning.h"

#include "../json/jsonwriter.h"

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

void applyReasoning(WireFormat format, json::Patcher &p, const json::Value &body, ReasoningLevel level, int budgetOverride)
{
    if (level == ReasoningLevel::Auto)
        return;
    const QByteArray effort = json::quoted(reasoningLevelName(level));
    switch (format) {
    case WireFormat::Anthropic: {
        if (level == ReasoningLevel::Off) {
            p.removeMember(body, "thinking");
            return;
        }
        const int budget = budgetOverride > 0 ? budgetOverride : thinkingBudget(level);
        p.setMember(body, "thinking", "{\"type\":\"enabled\",\"budget_tokens\":" + QByteArray::number(budget) + '}');
        // Anthropic requires max_tokens > budget_tokens; keep the client's answer room on top of the budget.
        const qint64 maxTokens = body["max_tokens"].toInteger(0);
        if (maxTokens <= budget)
            p.setMember(body, "max_tokens", QByteArray::number(budget + qMax<qint64>(maxTokens, 4096)));
        // Extended thinking accepts only the default temperature and no top_k.
        p.removeMember(body, "temperature");
        p.removeMember(body, "top_k");
        return;
    }
    case WireFormat::OpenAIResponses: {
        if (level == ReasoningLevel::Off) {
            p.removeMember(body, "reasoning");
            return;
        }
        const json::Value r = body["reasoning"];
        if (r.isObject()) {
            QList<QPair<QByteArray, QByteArray>> set { { "effort", effort } };
            if (!r.contains("summary"))
                set.append(qMakePair(QByteArray("summary"), QByteArray("\"auto\"")));
            p.replace(r, rewriteObject(r, set));
        } else {
            p.setMember(body, "reasoning", "{\"effort\":" + effort + ",\"summary\":\"auto\"}");
        }
        return;
    }
    case WireFormat::OpenAIChat:
        if (level == ReasoningLevel::Off)
            p.removeMember(body, "reasoning_effort");
        else
            p.setMember(body, "reasoning_effort", effort);
        return;
    case WireFormat::Gemini: {
        const json::Value gc = body["generationConfig"];
        const QByteArray thinkingLevel = level == ReasoningLevel::Low ? "\"LOW\"" : level == ReasoningLevel::Medium ? "\"MEDIUM\"" : "\"HIGH\"";
        if (level == ReasoningLevel::Off) {
            if (!gc.contains("thinkingConfig"))
                return;
            if (gc.size() == 1)
                p.removeMember(body, "generationConfig");
            else
                p.replace(gc, rewriteObject(gc, {}, { "thinkingConfig" }));
            return;
        }
        const json::Value tc = gc["thinkingConfig"];
        // Gemini rejects a budget together with a level.
        const QByteArray thinking = tc.isObject() ? rewriteObject(tc, { { "thinkingLevel", thinkingLevel } }, { "thinkingBudget" })
                                                  : "{\"thinkingLevel\":" + thinkingLevel + '}';
        if (gc.isObject())
            p.replace(gc, rewriteObject(gc, { { "thinkingConfig", thinking } }));
        else
            p.setMember(body, "generationConfig", "{\"thinkingConfig\":" + thinking + '}');
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
