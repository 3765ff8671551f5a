#include "passthrough.h"

#include "../json/jsonedit.h"
#include "../json/jsonwriter.h"
#include "reasoning.h"

namespace d2a {

namespace {

using json::Patcher;
using json::Value;
using json::Writer;

QByteArray textBlock(const QString &text)
{
    QByteArray out;
    Writer(&out).beginObject().member("type", "text").member("text", text).endObject();
    return out;
}

std::optional<Error> prefixAnthropic(Patcher &p, const Value &body, const QString &prefixText)
{
    // As Factory's CLI: the first block is exactly the sentence (no trailing blank line, no cache_control).
    QString prefix = prefixText;
    while (prefix.endsWith(u'\n'))
        prefix.chop(1);
    const Value system = body["system"];
    if (system.isString()) {
        QByteArray blocks = '[' + textBlock(prefix);
        const QString text = system.toString();
        if (!text.isEmpty())
            blocks += ',' + textBlock(text);
        p.replace(system, blocks + ']');
    } else if (system.isArray()) {
        p.insertElement(system, 0, textBlock(prefix));
    } else if (!system.isSet()) {
        p.setMember(body, "system", '[' + textBlock(prefix) + ']');
    } else {
        return Error::badRequest(QStringLiteral("'system' must be a string or an array of content blocks"));
    }
    return std::nullopt;
}

std::optional<Error> prefixResponses(Patcher &p, const Value &body, const QString &prefix)
{
    const Value instr = body["instructions"];
    if (instr.isSet() && !instr.isString())
        return Error::badRequest(QStringLiteral("'instructions' must be a string"));
    p.setMember(body, "instructions", json::quoted(prefix + instr.toString()));
    return std::nullopt;
}

std::optional<Error> prefixChat(Patcher &p, const Value &body, const QString &prefix)
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
            p.insertElement(content, 0, textBlock(prefix));
        else
            return Error::badRequest(QStringLiteral("'messages[%1].content' must be a string or an array").arg(i));
        return std::nullopt;
    }
    QByteArray message;
    Writer(&message).beginObject().member("role", "system").member("content", prefix).endObject();
    p.insertElement(msgs, 0, message);
    return std::nullopt;
}

std::optional<Error> prefixGemini(Patcher &p, const Value &body, const QString &prefix)
{
    // Both spellings occur in the wild; the REST API documents camelCase.
    const bool snake = body.contains("system_instruction");
    const Value si = snake ? body["system_instruction"] : body["systemInstruction"];
    // As Factory's CLI: one part, the prefix joined to the client's first text part.
    QString bare = prefix;
    while (bare.endsWith(u'\n'))
        bare.chop(1);
    QByteArray part;
    Writer(&part).beginObject().member("text", bare).endObject();
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
        return Error::badRequest(QStringLiteral("'%1' must be an object with 'parts'")
                                     .arg(snake ? QStringLiteral("system_instruction") : QStringLiteral("systemInstruction")));
    }
    return std::nullopt;
}

} // namespace

Result<QByteArray> applyPassthroughEdits(WireFormat format, const json::Document &doc, const PassthroughEdits &edits)
{
    const Value body = doc.root();
    if (!body.isObject())
        return Error::badRequest(QStringLiteral("request body must be a JSON object"));
    Patcher p(doc);
    if (!edits.upstreamModel.isEmpty()) // Factory's Gemini route reads the model from the body too
        p.setMember(body, "model", json::quoted(edits.upstreamModel));
    if (!edits.systemPrompt.isEmpty()) {
        std::optional<Error> err;
        switch (format) {
        case WireFormat::Anthropic: err = prefixAnthropic(p, body, edits.systemPrompt); break;
        case WireFormat::OpenAIResponses: err = prefixResponses(p, body, edits.systemPrompt); break;
        case WireFormat::OpenAIChat: err = prefixChat(p, body, edits.systemPrompt); break;
        case WireFormat::Gemini: err = prefixGemini(p, body, edits.systemPrompt); break;
        }
        if (err)
            return *err;
    }
    applyReasoning(format, p, body, edits.level, edits.model, edits.budget);
    if (edits.fast)
        applyFastMode(format, p, body);
    if (format == WireFormat::OpenAIResponses && !edits.promptCacheKey.isEmpty() && !body.contains("prompt_cache_key"))
        p.setMember(body, "prompt_cache_key", json::quoted(edits.promptCacheKey));
    return p.apply();
}

} // namespace d2a
