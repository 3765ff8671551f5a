// Anthropic Messages, as registered: routes, error shape, keepalive, passthrough edits and usage.

#include "../passthrough.h"
#include "../reasoning.h"
#include "../registry.h"
#include "../../log/log.h"
#include "../../usage/tokens.h"
#include "anthropic_p.h"

namespace d2a::fmt::anthropic {

namespace {

QByteArray errorType(int status)
{
    switch (status) {
    case 400:
    case 422: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 529: return "overloaded_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
    }
}

QByteArray errorBody(const Error &e)
{
    // {type:"error",error:{type,message}}; an upstream's own error type is kept.
    QByteArray out;
    Writer w(&out);
    const QByteArray type = e.vendorType.isEmpty() ? errorType(e.httpStatus) : e.vendorType;
    w.beginObject().member("type", "error").key("error").beginObject();
    w.key("type").stringUtf8(type).member("message", log::redact(e.message));
    if (!e.code.isEmpty()) // what the SDKs branch on (the Messages thread fallback reads details.error_code)
        w.key("details").beginObject().key("error_code").stringUtf8(e.code).endObject();
    w.endObject().endObject();
    return out;
}

QByteArray streamError(const Error &e)
{
    return sse("error", errorBody(e));
}

bool isOwnError(const QJsonObject &o)
{
    return o.value(u"type").toString() == u"error" && o.value(u"error").toObject().contains(u"message");
}

std::optional<Error> prefixSystem(json::Patcher &p, const Value &body, const QString &prefixText)
{
    // A thread's continue turn holds only the new messages and deliberately no system: Factory keeps no thread.
    if (auto refused = refuseThread(body))
        return refused;
    // As Factory's CLI: the first block is exactly the sentence (no trailing blank line, no cache_control).
    QString prefix = prefixText;
    while (prefix.endsWith(u'\n'))
        prefix.chop(1);
    const Value system = body["system"];
    if (system.isString()) {
        QByteArray blocks = '[' + textBlockJson(prefix);
        const QString text = system.toString();
        if (!text.isEmpty())
            blocks += ',' + textBlockJson(text);
        p.replace(system, blocks + ']');
    } else if (system.isArray()) {
        p.insertElement(system, 0, textBlockJson(prefix));
    } else if (!system.isSet()) {
        p.setMember(body, "system", '[' + textBlockJson(prefix) + ']');
    } else {
        return Error::badRequest(QStringLiteral("'system' must be a string or an array of content blocks"));
    }
    return std::nullopt;
}

std::optional<ReasoningLevel> requestedLevel(const Value &body)
{
    const Value thinking = body["thinking"];
    if (thinking["type"].stringIs("disabled"))
        return ReasoningLevel::Off;
    if (auto effort = namedLevel(body["output_config"]["effort"]))
        return effort;
    if (thinking["type"].stringIs("enabled")) {
        const qint64 budget = thinking["budget_tokens"].toInteger(0);
        return budget <= 4096 ? ReasoningLevel::Low : budget <= 12288 ? ReasoningLevel::Medium : ReasoningLevel::High;
    }
    if (thinking["type"].stringIs("adaptive"))
        return ReasoningLevel::High;
    return std::nullopt;
}

void applyReasoning(json::Patcher &p, const Value &body, ReasoningLevel level, const ModelConfig &model, int budget)
{
    const ThinkingStyle style = model.style();
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
            mergeObject(p, body, "output_config", { { "effort", quotedLevel(level) } });
        else
            removeFromObject(p, body, "output_config", "effort");
    } else { // adaptive: the model decides how long to think, guided by the effort
        p.setMember(body, "thinking",
                    style == ThinkingStyle::AdaptiveSummarized ? "{\"type\":\"adaptive\",\"display\":\"summarized\"}"
                                                               : "{\"type\":\"adaptive\"}");
        mergeObject(p, body, "output_config", { { "effort", quotedLevel(level) } });
    }
    // Thinking accepts only the default temperature and no top_k.
    p.removeMember(body, "temperature");
    p.removeMember(body, "top_k");
}

void applyExtras(json::Patcher &p, const Value &body, const PassthroughEdits &edits)
{
    if (edits.fast)
        p.setMember(body, "speed", "\"fast\"");
}

TokenCounts usage(const Value &o)
{
    // message_start: message.usage; message_delta and a whole answer: usage.
    return usageOf(o["message"].isObject() ? o["message"]["usage"] : o["usage"]);
}

void adaptTranslated(ir::Request &r, const ModelConfig &model, bool factory)
{
    if (!r.maxTokens && model.maxTokens > 0)
        r.maxTokens = model.maxTokens; // Anthropic needs one: the model's own output room
    // The client could not place Anthropic cache breakpoints: place them as Factory's CLI does.
    r.promptCache = true;
    r.cacheTtl = factory ? QStringLiteral("1h") : QString();
}

void vendorHeaders(HeaderList &h, const QByteArray &key, const HeaderList &clientHeaders, ReasoningLevel level,
                   const ModelConfig &model, bool factory)
{
    const QByteArray clientVersion = headerValue(clientHeaders, "anthropic-version");
    const QByteArray version = clientVersion.isEmpty() ? QByteArrayLiteral("2023-06-01") : clientVersion;
    if (factory) {
        // As Factory's CLI sends them: the family's betas (fast mode included), then what the CLI always sends for
        // this model (fable-5.1); its x-api-key is a placeholder (the bearer authenticates).
        QByteArray beta = anthropicBetaHeader(headerValue(clientHeaders, "anthropic-beta"), level, model);
        for (const QString &b : model.factoryBetas)
            if (!beta.split(',').contains(b.toUtf8()))
                beta += (beta.isEmpty() ? QByteArray() : QByteArrayLiteral(",")) + b.toUtf8();
        if (!beta.isEmpty())
            h.append({ "anthropic-beta", beta });
        h.append({ "anthropic-version", version });
        h.append({ "x-api-key", QByteArrayLiteral("placeholder") });
        return;
    }
    if (!key.isEmpty())
        h.append({ "x-api-key", key });
    h.append({ "anthropic-version", version });
    ModelConfig family = model;
    family.fast = false; // fast mode is Factory's
    const QByteArray beta = anthropicBetaHeader(headerValue(clientHeaders, "anthropic-beta"), level, family);
    if (!beta.isEmpty())
        h.append({ "anthropic-beta", beta });
}

void sanitizeHistory(json::Patcher &p, const Value &body, const PassthroughEdits &edits, HistoryEdits *report)
{
    const Value messages = body["messages"];
    if (!messages.isArray())
        return;
    // Anthropic checks every thinking signature (another vendor's is removed) and, with thinking on, that the
    // last assistant turn of a continued tool loop starts with its own thinking (else: thinking off, once).
    int lastAssistant = -1;
    bool lastAssistantThinks = false;
    bool loopContinues = false;
    int i = -1;
    for (Value m : messages.children()) {
        ++i;
        const bool assistant = m["role"].stringIs("assistant");
        const Value content = m["content"];
        QList<Value> removed;
        int kept = 0;
        bool firstThinks = false;
        bool hasToolResult = false;
        int j = -1;
        for (Value b : content.children()) {
            ++j;
            const Value type = b["type"];
            if (type.stringIs("thinking") && ir::mayBeEnvelope(b["signature"].raw())
                && ir::isEnvelope(b["signature"].toString(), WireFormat::Anthropic)) {
                removed.append(b);
                report->removed << QStringLiteral("messages[%1].content[%2] (%3)")
                                       .arg(i)
                                       .arg(j)
                                       .arg(carriedName(b["signature"].toString(), WireFormat::Anthropic));
                continue;
            }
            if (type.stringIs("tool_use"))
                stripCarriedId(p, b, QLatin1StringView("id"), report);
            else if (type.stringIs("tool_result"))
                stripCarriedId(p, b, QLatin1StringView("tool_use_id"), report);
            if (kept++ == 0)
                firstThinks = type.stringIs("thinking") || type.stringIs("redacted_thinking");
            hasToolResult = hasToolResult || type.stringIs("tool_result");
        }
        if (!removed.isEmpty() && kept == 0) {
            p.removeElement(messages, m); // only carried reasoning: the turn goes (Anthropic refuses an empty one)
            continue;
        }
        for (const Value &b : std::as_const(removed))
            p.removeElement(content, b);
        if (assistant) {
            lastAssistant = i;
            lastAssistantThinks = firstThinks;
        }
        loopContinues = !assistant && hasToolResult;
    }
    const Value thinking = body["thinking"];
    const bool thinkingOn = edits.level == ReasoningLevel::Auto
                                ? thinking["type"].stringIs("enabled") || thinking["type"].stringIs("adaptive")
                                : thinks(edits.level);
    if (thinkingOn && loopContinues && lastAssistant >= 0 && !lastAssistantThinks)
        report->thinkingOff = true;
}

QByteArray countAnswer(qint64 tokens)
{
    return QByteArrayLiteral("{\"input_tokens\":") + QByteArray::number(tokens) + '}';
}

} // namespace

QString finishName(ir::Finish finish)
{
    switch (finish) {
    case ir::Finish::Stop: return QStringLiteral("end_turn");
    case ir::Finish::Length: return QStringLiteral("max_tokens");
    case ir::Finish::ToolCalls: return QStringLiteral("tool_use");
    case ir::Finish::ContentFilter: return QStringLiteral("refusal");
    case ir::Finish::Error: return QStringLiteral("end_turn");
    }
    return {};
}

const FormatSpec &spec()
{
    static const FormatSpec s = [] {
        FormatSpec f;
        f.id = WireFormat::Anthropic;
        f.name = "Anthropic Messages";
        f.usageName = "Anthropic Messages";
        f.tag = "anthropic";
        f.routes = { { "/v1/messages" },
                     { "/v1/messages/count_tokens", false, FormatRoute::CountTokens, "", "/count_tokens" } };
        f.errorPathPrefixes = { "/v1/messages" };
        f.backendPath = "/v1/messages";
        f.readRequest = readRequest;
        f.writeRequest = writeRequest;
        f.readResponse = readResponse;
        f.writeResponse = writeResponse;
        f.makeEventReader = makeEventReader;
        f.makeStreamWriter = makeStreamWriter;
        f.keepAlive = "event: ping\ndata: {\"type\":\"ping\"}\n\n";
        f.errorBody = errorBody;
        f.streamError = streamError;
        f.isOwnError = isOwnError;
        f.prefixSystem = prefixSystem;
        f.requestedLevel = requestedLevel;
        f.applyReasoning = applyReasoning;
        f.applyExtras = applyExtras;
        f.usage = usage;
        f.usageNeedle = "usage";
        f.usageMembers = { "message", "usage" };
        f.adaptTranslated = adaptTranslated;
        f.vendorHeaders = vendorHeaders;
        f.factoryCli.stainlessVersion = "0.70.1"; // Anthropic's TypeScript SDK
        f.factoryCli.stainlessTimeout = "600";
        f.sanitizeHistory = sanitizeHistory;
        f.countAnswer = countAnswer;
        return f;
    }();
    return s;
}

} // namespace d2a::fmt::anthropic
