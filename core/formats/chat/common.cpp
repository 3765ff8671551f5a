// OpenAI Chat Completions content, finish reasons and usage.
#include "chat_p.h"

namespace d2a::fmt::chat {

using ir::Part;
using Kind = ir::Part::Kind;

std::optional<Error> readContent(const Value &content, const Where &where, QList<Part> *out, QStringList *dropped)
{
    if (content.isString()) {
        out->append(Part::makeText(content.toText()));
        return std::nullopt;
    }
    if (!content.isSet())
        return std::nullopt;
    if (!content.isArray())
        return fieldError(where, QStringLiteral("must be a string or an array of content parts"));
    int i = -1;
    for (Value c : content.children()) {
        ++i;
        const Value type = c["type"];
        if (type.stringIs("text")) {
            out->append(Part::makeText(c["text"].toText()));
        } else if (type.stringIs("image_url")) {
            Part p;
            p.kind = Kind::Image;
            const Value image = c["image_url"];
            const QString url = image.isString() ? image.toString() : image["url"].toString();
            if (!ir::parseDataUrl(url, &p.mediaType, &p.data))
                p.url = url;
            out->append(p);
        } else if (type.stringIs("refusal")) {
            out->append(Part::makeText(c["refusal"].toText()));
        } else if (type.stringIs("input_audio") || type.stringIs("file")) {
            return fieldError(
                QStringLiteral("%1[%2].type").arg(where).arg(i),
                QStringLiteral("'%1' (the user's audio or file) cannot be carried to a model of another API format")
                    .arg(type.toString()));
        } else {
            *dropped << QStringLiteral("%1[%2] (%3)")
                            .arg(where)
                            .arg(i)
                            .arg(type.isString() ? type.toString() : QStringLiteral("untyped"));
        }
    }
    return std::nullopt;
}

Part reasoningPart(const QString &text)
{
    Part t;
    t.kind = Kind::Thinking;
    t.text = text;
    t.signatureFormat = WireFormat::OpenAIChat;
    return t;
}

ir::Finish finishOf(QStringView f)
{
    if (f == u"length")
        return ir::Finish::Length;
    if (f == u"tool_calls" || f == u"function_call")
        return ir::Finish::ToolCalls;
    if (f == u"content_filter")
        return ir::Finish::ContentFilter;
    return ir::Finish::Stop;
}

ir::Usage usageOf(const Value &u)
{
    // prompt_tokens counts the cached ones too: openAiUsage takes them out.
    return openAiUsage(u, "prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details");
}

void writeUsage(Writer &w, const ir::Usage &u)
{
    // Anthropic counts cached input apart from input_tokens; OpenAI's prompt_tokens includes it.
    const qint64 prompt = u.input + u.cacheRead + u.cacheWrite;
    w.beginObject()
        .member("prompt_tokens", prompt)
        .member("completion_tokens", u.output)
        .member("total_tokens", prompt + u.output);
    w.key("prompt_tokens_details").beginObject().member("cached_tokens", u.cacheRead).endObject();
    w.key("completion_tokens_details").beginObject().member("reasoning_tokens", u.reasoning).endObject();
    w.endObject();
}

} // namespace d2a::fmt::chat
