// Anthropic Messages content blocks, finish reasons and usage.
#include "anthropic_p.h"

namespace d2a::fmt::anthropic {

using ir::Part;
using Kind = ir::Part::Kind;

std::optional<Error> readBlock(const Value &v, const Where &where, QList<Part> *out, QStringList *dropped)
{
    if (v.isString()) {
        out->append(Part::makeText(v.toText()));
        return std::nullopt;
    }
    if (!v.isObject())
        return fieldError(where, QStringLiteral("must be a content block object"));
    const Value type = v["type"];
    Part p;
    if (type.stringIs("text")) {
        p.text = v["text"].toText();
    } else if (type.stringIs("image")) {
        p.kind = Kind::Image;
        const Value src = v["source"];
        if (src["type"].stringIs("url")) {
            p.url = src["url"].toString();
        } else if (src["type"].stringIs("base64")) {
            p.mediaType = src["media_type"].toString();
            p.data = src["data"].toString();
        } else {
            return fieldError(Where(where, "source.type"), QStringLiteral("must be base64 or url"));
        }
    } else if (type.stringIs("tool_use")) {
        p.kind = Kind::ToolCall;
        p.callId = v["id"].toString();
        p.name = v["name"].toString();
        const Value input = v["input"];
        p.arguments = input.isObject() ? QString::fromUtf8(json::compact(input.raw())) : QStringLiteral("{}");
    } else if (type.stringIs("tool_result")) {
        p.kind = Kind::ToolResult;
        p.callId = v["tool_use_id"].toString();
        p.isError = v["is_error"].toBool(false);
        const Value c = v["content"];
        if (c.isString()) {
            p.result.append(Part::makeText(c.toText()));
        } else if (c.isArray()) {
            int i = 0;
            for (Value b : c.children())
                if (auto e = readBlock(b, Where(where, "content", i++), &p.result, dropped))
                    return e;
        }
    } else if (type.stringIs("thinking")) {
        p.kind = Kind::Thinking;
        p.text = v["thinking"].toText();
        p.signature = v["signature"].toString();
        p.signatureFormat = WireFormat::Anthropic;
    } else if (type.stringIs("redacted_thinking")) {
        p.kind = Kind::RedactedThinking;
        p.text = v["data"].toText();
        p.signatureFormat = WireFormat::Anthropic;
    } else if (type.stringIs("document") && v["source"]["type"].stringIs("text")) {
        p.text = v["source"]["data"].toString(); // a plain-text document is its text
    } else if (type.stringIs("search_result")) {
        p.text = v["title"].toString();
        for (Value c : v["content"].children())
            p.text += QStringLiteral("\n") + c["text"].toString();
    } else if (type.stringIs("document") || type.stringIs("file") || type.stringIs("container_upload")) {
        // What the user attached is the request: without it the model would answer another question.
        return fieldError(Where(where, "type"),
                          QStringLiteral("'%1' (an attached file) cannot be carried to a model of another API format")
                              .arg(type.toString()));
    } else {
        // Server-tool history (server_tool_use, web_search_tool_result, ...) and blocks new to droid2api: the
        // target has no such block; the rest of the turn goes on.
        *dropped << QStringLiteral("%1 (%2)").arg(where.toString(),
                                                  type.isString() ? type.toString() : QStringLiteral("untyped"));
        return std::nullopt;
    }
    // Another vendor's reasoning and call signatures, carried here by droid2api, go back to their own kind.
    ir::fromClient(&p, WireFormat::Anthropic);
    out->append(p);
    return std::nullopt;
}

void writeBlock(Writer &w, const Part &p, QByteArrayView cacheControl)
{
    w.beginObject();
    switch (p.kind) {
    case Kind::Text: w.member("type", "text").member("text", p.text); break;
    case Kind::Image:
        w.member("type", "image").key("source").beginObject();
        if (!p.url.isEmpty())
            w.member("type", "url").member("url", p.url);
        else
            w.member("type", "base64").member("media_type", p.mediaType).member("data", p.data);
        w.endObject();
        break;
    case Kind::ToolCall:
        w.member("type", "tool_use").member("id", p.callId).member("name", p.name);
        writeArgumentsObject(w.key("input"), p.arguments);
        break;
    case Kind::ToolResult:
        w.member("type", "tool_result").member("tool_use_id", p.callId).key("content").beginArray();
        for (const Part &r : p.result)
            writeBlock(w, r);
        w.endArray();
        if (p.isError)
            w.member("is_error", true);
        break;
    case Kind::Thinking:
        w.member("type", "thinking").member("thinking", p.text).member("signature", p.signature);
        break;
    case Kind::RedactedThinking: w.member("type", "redacted_thinking").member("data", p.text); break;
    }
    if (!cacheControl.isEmpty())
        w.memberRaw("cache_control", cacheControl);
    w.endObject();
}

ir::Finish finishOf(QStringView stop)
{
    if (stop == u"max_tokens" || stop == u"model_context_window_exceeded")
        return ir::Finish::Length;
    if (stop == u"tool_use")
        return ir::Finish::ToolCalls;
    if (stop == u"refusal")
        return ir::Finish::ContentFilter;
    return ir::Finish::Stop;
}

ir::Usage usageOf(const Value &u)
{
    ir::Usage t;
    if (!u.isObject())
        return t;
    // Anthropic's input_tokens is already net of cache reads and writes.
    bool seen = takeCount(t.input, u["input_tokens"]);
    seen |= takeCount(t.output, u["output_tokens"]);
    seen |= takeCount(t.cacheRead, u["cache_read_input_tokens"]);
    seen |= takeCount(t.cacheWrite, u["cache_creation_input_tokens"]);
    t.known = seen;
    return t;
}

void writeUsage(Writer &w, const ir::Usage &u)
{
    w.beginObject().member("input_tokens", u.input);
    if (u.cacheWrite)
        w.member("cache_creation_input_tokens", u.cacheWrite);
    if (u.cacheRead)
        w.member("cache_read_input_tokens", u.cacheRead);
    w.member("output_tokens", u.output).endObject();
}

} // namespace d2a::fmt::anthropic
