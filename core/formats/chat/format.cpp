// OpenAI Chat Completions, as registered: routes, error shape, keepalive, passthrough edits and usage.

#include "../reasoning.h"
#include "../registry.h"
#include "../../usage/tokens.h"
#include "chat_p.h"

namespace d2a::fmt::chat {

namespace {

QByteArray streamError(const Error &e)
{
    return sse({}, openAiErrorBody(e));
}

std::optional<Error> prefixSystem(json::Patcher &p, const Value &body, const QString &prefix)
{
    const Value msgs = body["messages"];
    if (!msgs.isArray())
        return Error::badRequest(QStringLiteral("'messages' must be an array"));
    int i = -1;
    for (Value m : msgs.children()) {
        ++i;
        if (!m["role"].stringIs("system") && !m["role"].stringIs("developer"))
            continue;
        const Value content = m["content"];
        if (content.isString())
            p.replace(content, json::quoted(prefix + content.toString()));
        else if (content.isArray())
            p.insertElement(content, 0, textBlockJson(prefix));
        else
            return Error::badRequest(QStringLiteral("'messages[%1].content' must be a string or an array").arg(i));
        return std::nullopt;
    }
    QByteArray message;
    Writer(&message).beginObject().member("role", "system").member("content", prefix).endObject();
    p.insertElement(msgs, 0, message);
    return std::nullopt;
}

std::optional<ReasoningLevel> requestedLevel(const Value &body)
{
    return namedLevel(body["reasoning_effort"]);
}

void applyReasoning(json::Patcher &p, const Value &body, ReasoningLevel level, const ModelConfig &model, int)
{
    switch (model.style()) {
    case ThinkingStyle::None: p.removeMember(body, "reasoning_effort"); return;
    case ThinkingStyle::ChatTemplate:
        p.removeMember(body, "reasoning_effort");
        mergeObject(p, body, "chat_template_args", { { "enable_thinking", thinks(level) ? "true" : "false" } });
        return;
    default:
        // Off is said, not left out: these models think unless told "none".
        p.setMember(body, "reasoning_effort", thinks(level) ? quotedLevel(level) : QByteArray("\"none\""));
        if (thinks(level) && !model.reasoningHistory.isEmpty())
            p.setMember(body, "reasoning_history", json::quoted(model.reasoningHistory));
        else
            p.removeMember(body, "reasoning_history");
        return;
    }
}

TokenCounts usage(const Value &o)
{
    return usageOf(o["usage"]);
}

void sanitizeHistory(json::Patcher &p, const Value &body, const PassthroughEdits &, HistoryEdits *report)
{
    // Chat has no field for reasoning state; only carried call ids (a Gemini signature) go back to plain ids,
    // as some Chat APIs allow 40 characters.
    for (Value m : body["messages"].children()) {
        for (Value c : m["tool_calls"].children())
            stripCarriedId(p, c, QLatin1StringView("id"), report);
        stripCarriedId(p, m, QLatin1StringView("tool_call_id"), report);
    }
}

QJsonObject modelEntry(const ModelConfig &m, qint64 createdSecs)
{
    // OpenAI's model object, plus droid2api's display name and model type.
    return { { QStringLiteral("id"), m.id },
             { QStringLiteral("object"), QStringLiteral("model") },
             { QStringLiteral("created"), createdSecs },
             { QStringLiteral("owned_by"), m.provider.isEmpty() ? defaultProvider(m.type) : m.provider },
             { QStringLiteral("name"), m.name },
             { QStringLiteral("type"), modelTypeName(m.type) } };
}

} // namespace

QString finishName(ir::Finish finish)
{
    switch (finish) {
    case ir::Finish::Stop: return QStringLiteral("stop");
    case ir::Finish::Length: return QStringLiteral("length");
    case ir::Finish::ToolCalls: return QStringLiteral("tool_calls");
    case ir::Finish::ContentFilter: return QStringLiteral("content_filter");
    case ir::Finish::Error: return QStringLiteral("stop");
    }
    return {};
}

const FormatSpec &spec()
{
    static const FormatSpec s = [] {
        FormatSpec f;
        f.id = WireFormat::OpenAIChat;
        f.name = "OpenAI Chat Completions";
        f.usageName = "OpenAI Chat";
        f.tag = "chat";
        f.routes = { { "/v1/chat/completions" },
                     { "/v1/models", false, FormatRoute::ListModels },
                     { "/v1/models/{model}", false, FormatRoute::GetModel } };
        f.backendPath = "/v1/chat/completions";
        f.readRequest = readRequest;
        f.writeRequest = writeRequest;
        f.readResponse = readResponse;
        f.writeResponse = writeResponse;
        f.makeEventReader = makeEventReader;
        f.makeStreamWriter = makeStreamWriter;
        f.keepAlive = ": keepalive\n\n";
        f.errorBody = openAiErrorBody;
        f.streamError = streamError;
        f.isOwnError = isOpenAiError;
        f.prefixSystem = prefixSystem;
        f.requestedLevel = requestedLevel;
        f.applyReasoning = applyReasoning;
        f.usage = usage;
        f.usageNeedle = "usage";
        f.usageMembers = { "usage", nullptr };
        f.factoryCli.stainlessVersion = "6.25.0"; // OpenAI's TypeScript SDK
        f.sanitizeHistory = sanitizeHistory;
        f.modelEntry = modelEntry;
        f.modelListKey = "data";
        return f;
    }();
    return s;
}

} // namespace d2a::fmt::chat
