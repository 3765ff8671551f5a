// OpenAI Responses, as registered: routes, error shape, keepalive, passthrough edits and usage.

#include "../passthrough.h"
#include "../reasoning.h"
#include "../registry.h"
#include "../../log/log.h"
#include "../../usage/tokens.h"
#include "responses_p.h"

namespace d2a::fmt::responses {

namespace {

QByteArray streamError(const Error &e)
{
    // The Responses stream's own error event: {type:"error", code, message, param}.
    const QByteArray code = !e.code.isEmpty()                         ? e.code
                            : openAiErrorCode(e.httpStatus).isEmpty() ? openAiErrorType(e.httpStatus)
                                                                      : openAiErrorCode(e.httpStatus);
    QByteArray data;
    Writer w(&data);
    w.beginObject().member("type", "error").key("code").stringUtf8(code).member("message", log::redact(e.message));
    if (e.param.isEmpty())
        w.memberNull("param");
    else
        w.member("param", e.param);
    w.endObject();
    return sse("error", data);
}

std::optional<Error> prefixSystem(json::Patcher &p, const Value &body, const QString &prefix)
{
    const Value instr = body["instructions"];
    if (instr.isSet() && !instr.isString())
        return Error::badRequest(QStringLiteral("'instructions' must be a string"));
    p.setMember(body, "instructions", json::quoted(prefix + instr.toString()));
    return std::nullopt;
}

std::optional<ReasoningLevel> requestedLevel(const Value &body)
{
    return namedLevel(body["reasoning"]["effort"]);
}

void applyReasoning(json::Patcher &p, const Value &body, ReasoningLevel level, const ModelConfig &model, int)
{
    if (!thinks(level)) {
        p.removeMember(body, "reasoning");
        return;
    }
    QList<QPair<QByteArray, QByteArray>> set { { "effort", quotedLevel(level) } };
    QList<QByteArray> remove;
    if (model.style() == ThinkingStyle::Effort)
        remove << "summary"; // xAI takes no summary
    else if (!body["reasoning"].contains("summary"))
        set.append(qMakePair(QByteArray("summary"), QByteArray("\"auto\"")));
    mergeObject(p, body, "reasoning", set, remove);
}

void applyExtras(json::Patcher &p, const Value &body, const PassthroughEdits &edits)
{
    if (edits.fast)
        p.setMember(body, "service_tier", "\"priority\"");
    if (!edits.promptCacheKey.isEmpty() && !body.contains("prompt_cache_key"))
        p.setMember(body, "prompt_cache_key", json::quoted(edits.promptCacheKey));
}

TokenCounts usage(const Value &o)
{
    // Events: response.completed (and .incomplete/.failed) carry response.usage; a whole answer: usage.
    return usageOf(o["response"].isObject() ? o["response"]["usage"] : o["usage"]);
}

void vendorHeaders(HeaderList &h, const QByteArray &, const HeaderList &, ReasoningLevel, const ModelConfig &model,
                   bool factory)
{
    // Factory's CLI names OpenAI's platform organisation for OpenAI's own models (and Azure's).
    const QString provider = model.provider.isEmpty() ? defaultProvider(model.type) : model.provider;
    if (factory && (provider == u"openai" || provider == u"azure_openai"))
        h.append({ "OpenAI-Platform", QByteArrayLiteral("org-bHuLtG1fGmYk5YaOihAAXFBw") });
}

void sanitizeHistory(json::Patcher &p, const Value &body, const PassthroughEdits &, HistoryEdits *report)
{
    // OpenAI looks a reasoning item up by its id unless it carries OpenAI's own encrypted content, so one that
    // droid2api made for another vendor's reasoning (marked id, envelope) would be "not found" with store:false.
    const Value input = body["input"];
    if (!input.isArray())
        return;
    int i = -1;
    for (Value it : input.children()) {
        ++i;
        const Value type = it["type"];
        if (type.stringIs("reasoning")) {
            const Value encrypted = it["encrypted_content"];
            if (!it["id"].raw().startsWith("\"rs_d2a") && !ir::mayBeEnvelope(encrypted.raw()))
                continue; // OpenAI's own item: nothing decoded
            p.removeElement(input, it);
            report->removed << QStringLiteral("input[%1] (%2)")
                                   .arg(i)
                                   .arg(carriedName(encrypted.toString(), WireFormat::OpenAIResponses));
        } else if (type.stringIs("function_call") || type.stringIs("function_call_output")
                   || type.stringIs("custom_tool_call") || type.stringIs("custom_tool_call_output")) {
            stripCarriedId(p, it, QLatin1StringView("call_id"), report);
        }
    }
}

QByteArray countAnswer(qint64 tokens)
{
    return QByteArrayLiteral("{\"object\":\"response.input_tokens\",\"input_tokens\":") + QByteArray::number(tokens)
           + '}';
}

} // namespace

QString finishName(ir::Finish finish)
{
    return finish == ir::Finish::Length          ? QStringLiteral("max_output_tokens")
           : finish == ir::Finish::ContentFilter ? QStringLiteral("content_filter")
                                                 : QString();
}

const FormatSpec &spec()
{
    static const FormatSpec s = [] {
        FormatSpec f;
        f.id = WireFormat::OpenAIResponses;
        f.name = "OpenAI Responses";
        f.usageName = "OpenAI Responses";
        f.tag = "responses";
        f.routes = { { "/v1/responses" },
                     { "/v1/responses/input_tokens", false, FormatRoute::CountTokens, "", "/input_tokens" },
                     { "/v1/responses/compact", false, FormatRoute::Operation, "", "/compact" } };
        f.errorPathPrefixes = { "/v1/responses" };
        f.backendPath = "/v1/responses";
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
        f.applyExtras = applyExtras;
        f.usage = usage;
        f.usageNeedle = "usage";
        f.usageMembers = { "response", "usage" };
        f.vendorHeaders = vendorHeaders;
        f.factoryCli.stainlessVersion = "6.25.0"; // OpenAI's TypeScript SDK
        f.sanitizeHistory = sanitizeHistory;
        f.streamHoldsAnswer = true;
        f.countAnswer = countAnswer;
        return f;
    }();
    return s;
}

} // namespace d2a::fmt::responses
