// Gemini generateContent, as registered: routes, error shape, keepalive, stream framing, passthrough edits
// and usage.

#include "../reasoning.h"
#include "../registry.h"
#include "../../log/log.h"
#include "../../usage/tokens.h"
#include "gemini_p.h"

#include <QtCore/qjsonarray.h>

namespace d2a::fmt::gemini {

namespace {

QByteArray statusName(int status)
{
    switch (status) {
    case 400:
    case 413:
    case 422: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 429: return "RESOURCE_EXHAUSTED";
    case 502:
    case 503:
    case 529: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: return status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
    }
}

QByteArray errorBody(const Error &e)
{
    // {error:{code,message,status}}
    QByteArray out;
    Writer w(&out);
    w.beginObject().key("error").beginObject().member("code", e.httpStatus).member("message", log::redact(e.message));
    w.member("status", statusName(e.httpStatus).constData()).endObject().endObject();
    return out;
}

QByteArray streamError(const Error &e)
{
    return sse({}, errorBody(e), "\r\n\r\n");
}

bool isOwnError(const QJsonObject &o)
{
    const QJsonObject err = o.value(u"error").toObject();
    return err.contains(u"message") && err.contains(u"code");
}

Result<ir::Response> readAnswer(const Value &root)
{
    if (root.isArray()) // a streamed answer read whole: merge the chunks
        return readChunks(root);
    return readResponse(root);
}

Result<QByteArray> wholeAsEvents(const QByteArray &body)
{
    // Gemini's non-SSE stream is a JSON array of chunks; the SSE client gets one event per chunk, each chunk's
    // bytes as the upstream wrote them.
    auto doc = json::Document::parse(body, { 512, false });
    if (!doc)
        return Error::badGateway(QStringLiteral("upstream sent invalid JSON (%1)").arg(doc.error().message));
    QByteArray events;
    const Value root = doc.value().root();
    auto add = [&events](const Value &chunk) { events += sse({}, chunk.raw(), "\r\n\r\n"); };
    if (root.isArray())
        for (Value chunk : root.children())
            add(chunk);
    else
        add(root);
    return events;
}

QByteArray textPart(const QString &text)
{
    QByteArray part;
    Writer(&part).beginObject().member("text", text).endObject();
    return part;
}

std::optional<Error> prefixSystem(json::Patcher &p, const Value &body, const QString &prefix)
{
    // Both spellings occur in the wild; the REST API documents camelCase.
    const bool snake = body.contains("system_instruction");
    const Value si = snake ? body["system_instruction"] : body["systemInstruction"];
    // As Factory's CLI: one part, the prefix joined to the client's first text part.
    QString bare = prefix;
    while (bare.endsWith(u'\n'))
        bare.chop(1);
    const QByteArray part = textPart(bare);
    auto joined = [&prefix](const QString &text) { return json::quoted(prefix + text); };
    if (si.isObject()) {
        const Value parts = si["parts"];
        const Value first = parts.isArray() ? parts.at(0) : parts;
        if (first.isObject() && first["text"].isString())
            p.replace(first["text"], joined(first["text"].toString()));
        else if (parts.isArray())
            p.insertElement(parts, 0, part);
        else
            p.setMember(si, "parts", '[' + part + ']');
    } else if (si.isString()) {
        p.replace(si, "{\"parts\":[{\"text\":" + joined(si.toString()) + "}]}");
    } else if (!si.isSet()) {
        p.setMember(body, "systemInstruction", "{\"parts\":[" + part + "]}");
    } else {
        return Error::badRequest(
            QStringLiteral("'%1' must be an object with 'parts'")
                .arg(snake ? QStringLiteral("system_instruction") : QStringLiteral("systemInstruction")));
    }
    return std::nullopt;
}

std::optional<ReasoningLevel> requestedLevel(const Value &body)
{
    const Value tc = body["generationConfig"]["thinkingConfig"];
    if (!tc.isObject())
        return std::nullopt;
    if (tc["thinkingBudget"].isNumber() && tc["thinkingBudget"].toInteger(-1) == 0)
        return ReasoningLevel::Off;
    return namedLevel(tc["thinkingLevel"]);
}

QByteArray levelName(ReasoningLevel l, const ModelConfig &model)
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

void applyReasoning(json::Patcher &p, const Value &body, ReasoningLevel level, const ModelConfig &model, int)
{
    const Value tc = body["generationConfig"]["thinkingConfig"];
    // Gemini rejects a budget together with a level.
    const QByteArray thinking =
        thinks(level) ? rewriteObject(
            tc, { { "includeThoughts", "true" }, { "thinkingLevel", levelName(level, model) } }, { "thinkingBudget" })
                      : rewriteObject(tc, { { "includeThoughts", "false" } }, { "thinkingBudget", "thinkingLevel" });
    mergeObject(p, body, "generationConfig", { { "thinkingConfig", thinking } });
}

TokenCounts usage(const Value &o)
{
    return usageOf(o["usageMetadata"]);
}

void sanitizeHistory(json::Patcher &p, const Value &body, const PassthroughEdits &, HistoryEdits *report)
{
    const Value contents = body["contents"];
    if (!contents.isArray())
        return;
    QList<Value> all;
    for (Value c : contents.children())
        all.append(c);
    // Gemini 3 checks the current turn: everything after the last user content with a part other than a
    // functionResponse. There, the first functionCall of each model step must carry a thought signature.
    qsizetype turnStart = -1;
    for (qsizetype i = all.size() - 1; i >= 0 && turnStart < 0; --i) {
        if (all[i]["role"].stringIs("model"))
            continue;
        for (Value part : all[i]["parts"].children()) {
            if (!part.contains("functionResponse")) {
                turnStart = i;
                break;
            }
        }
    }
    for (qsizetype i = 0; i < all.size(); ++i) {
        const Value c = all[i];
        const Value parts = c["parts"];
        const bool step = i > turnStart && c["role"].stringIs("model");
        QList<Value> removed;
        int kept = 0;
        bool firstCall = true;
        int j = -1;
        for (Value part : parts.children()) {
            ++j;
            const Value signature = part["thoughtSignature"];
            if (ir::mayBeEnvelope(signature.raw()) && ir::isEnvelope(signature.toString(), WireFormat::Gemini)) {
                removed.append(part); // another vendor's reasoning, carried through this client by droid2api
                report->removed << QStringLiteral("contents[%1].parts[%2] (%3)")
                                       .arg(i)
                                       .arg(j)
                                       .arg(carriedName(signature.toString(), WireFormat::Gemini));
                continue;
            }
            ++kept;
            if (step && firstCall && part.contains("functionCall")) {
                firstCall = false;
                if (signature.toString().isEmpty()) { // from another model, or a history the client rebuilt
                    p.setMember(part, "thoughtSignature", json::quoted(QString::fromLatin1(ir::kGeminiSkipSignature)));
                    ++report->skippedSignatures;
                }
            }
        }
        if (!removed.isEmpty() && kept == 0) {
            p.removeElement(contents, c);
            continue;
        }
        for (const Value &part : std::as_const(removed))
            p.removeElement(parts, part);
    }
}

QByteArray countAnswer(qint64 tokens)
{
    return QByteArrayLiteral("{\"totalTokens\":") + QByteArray::number(tokens) + '}';
}

QJsonObject modelEntry(const ModelConfig &m, qint64)
{
    // Google's Model resource, as models.list and models.get read it.
    QJsonObject entry { { QStringLiteral("name"), QString(QStringLiteral("models/") + m.id) },
                        { QStringLiteral("baseModelId"), m.id },
                        { QStringLiteral("version"), QStringLiteral("001") },
                        { QStringLiteral("displayName"), m.name },
                        { QStringLiteral("supportedGenerationMethods"),
                          QJsonArray { QStringLiteral("generateContent"), QStringLiteral("streamGenerateContent"),
                                       QStringLiteral("countTokens") } },
                        { QStringLiteral("thinking"), m.style() != ThinkingStyle::None } };
    if (m.maxTokens > 0)
        entry.insert(QStringLiteral("outputTokenLimit"), m.maxTokens);
    return entry;
}

} // namespace

QString finishName(ir::Finish finish)
{
    switch (finish) {
    case ir::Finish::Stop:
    case ir::Finish::ToolCalls: return QStringLiteral("STOP");
    case ir::Finish::Length: return QStringLiteral("MAX_TOKENS");
    case ir::Finish::ContentFilter: return QStringLiteral("SAFETY");
    case ir::Finish::Error: return QStringLiteral("OTHER");
    }
    return {};
}

const FormatSpec &spec()
{
    static const FormatSpec s = [] {
        FormatSpec f;
        f.id = WireFormat::Gemini;
        f.name = "Gemini";
        f.usageName = "Gemini";
        f.tag = "gemini";
        f.envelopeInBase64 = true; // thoughtSignature is bytes in Google's SDKs: valid base64 it must be
        f.signsCalls = true;
        // Google's SDKs call v1beta (genai 1-2, Gemini CLI) or v1 (genai 3 and later): both are served alike.
        f.routes = { { "/v1beta/models/{model}:generateContent" },
                     { "/v1beta/models/{model}:streamGenerateContent", true, FormatRoute::Generate, "?alt=sse" },
                     { "/v1beta/models/{model}:countTokens", false, FormatRoute::CountTokens },
                     { "/v1/models/{model}:generateContent" },
                     { "/v1/models/{model}:streamGenerateContent", true, FormatRoute::Generate, "?alt=sse" },
                     { "/v1/models/{model}:countTokens", false, FormatRoute::CountTokens },
                     { "/v1beta/models", false, FormatRoute::ListModels },
                     { "/v1/models", false, FormatRoute::ListModels },
                     { "/v1beta/models/{model}", false, FormatRoute::GetModel },
                     { "/v1/models/{model}", false, FormatRoute::GetModel },
                     { "/v1/generate" } };
        f.errorPathPrefixes = { "/v1beta/", "/v1/models/{model}:", "/v1/generate" };
        f.modelPrefix = "models/"; // Google's resource name of a model
        f.backendPath = "/v1/generate";
        f.readRequest = readRequest;
        f.writeRequest = writeRequest;
        f.readResponse = readAnswer;
        f.writeResponse = writeResponse;
        f.makeEventReader = makeEventReader;
        f.makeStreamWriter = makeStreamWriter;
        f.keepAlive = "\r\n";
        f.wholeAsEvents = wholeAsEvents;
        f.errorBody = errorBody;
        f.streamError = streamError;
        f.isOwnError = isOwnError;
        f.prefixSystem = prefixSystem;
        f.requestedLevel = requestedLevel;
        f.applyReasoning = applyReasoning;
        f.usage = usage;
        f.usageNeedle = "usageMetadata";
        f.usageMembers = { "usageMetadata", nullptr };
        f.factoryCli.accept = "*/*";
        f.factoryCli.sessionLock = true;
        f.sanitizeHistory = sanitizeHistory;
        f.countAnswer = countAnswer;
        f.modelEntry = modelEntry;
        f.modelListKey = "models";
        f.sdkHeader = "x-goog-api-client";
        return f;
    }();
    return s;
}

} // namespace d2a::fmt::gemini
