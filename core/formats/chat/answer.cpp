// OpenAI Chat Completions whole answers <-> the shared model.
#include "chat_p.h"

#include <QtCore/qdatetime.h>

namespace d2a::fmt::chat {

using ir::Part;
using Kind = ir::Part::Kind;

Result<ir::Response> readResponse(const Value &o)
{
    const Value choices = o["choices"];
    if (choices.isEmpty())
        return Error::badGateway(QStringLiteral("upstream answer has no choices"));
    ir::Response r;
    r.id = o["id"].toString();
    r.model = o["model"].toString();
    const Value choice = choices.at(0);
    const Value msg = choice["message"];
    const QString reasoning = msg["reasoning_content"].toString(msg["reasoning"].toString());
    if (!reasoning.isEmpty())
        r.parts.append(reasoningPart(reasoning));
    QStringList dropped; // upstream parts the client's format has no form for
    readContent(msg["content"], Where("content"), &r.parts, &dropped);
    for (Value c : msg["tool_calls"].children()) {
        Part p;
        p.kind = Kind::ToolCall;
        p.callId = c["id"].toString();
        p.name = c["function"]["name"].toString();
        p.arguments = c["function"]["arguments"].toString();
        r.parts.append(p);
    }
    r.finish = finishOf(choice["finish_reason"].toString());
    r.usage = usageOf(o["usage"]);
    return r;
}

QByteArray writeResponse(const ir::Response &r, const ir::Request *request)
{
    QString text;
    QString reasoning;
    QList<const Part *> calls;
    for (const Part &p : r.parts) {
        if (p.kind == Kind::Text)
            text += p.text;
        else if (p.kind == Kind::Thinking)
            reasoning += p.text;
        else if (p.kind == Kind::ToolCall)
            calls.append(&p);
    }
    const ir::Finish finish = !calls.isEmpty() && r.finish == ir::Finish::Stop ? ir::Finish::ToolCalls : r.finish;
    QByteArray out;
    Writer w(&out);
    w.beginObject()
        .member("id", r.id.startsWith(u"chatcmpl") ? r.id : ir::newId("chatcmpl-"))
        .member("object", "chat.completion")
        .member("created", QDateTime::currentSecsSinceEpoch())
        .member("model", r.model)
        .key("choices")
        .beginArray()
        .beginObject()
        .member("index", 0)
        .key("message")
        .beginObject()
        .member("role", "assistant")
        .key("content");
    if (text.isEmpty() && !calls.isEmpty())
        w.null();
    else
        w.string(text);
    if (!reasoning.isEmpty())
        w.member("reasoning_content", reasoning);
    if (!calls.isEmpty()) {
        w.key("tool_calls").beginArray();
        for (const Part *c : calls) {
            const QString id = ir::carryCallId(*c, request ? request->servedBy : QString());
            w.beginObject().member("id", id).member("type", "function").key("function").beginObject();
            w.member("name", c->name).member("arguments", c->arguments).endObject().endObject();
        }
        w.endArray();
    }
    w.endObject().member("finish_reason", finishName(finish)).endObject().endArray().key("usage");
    writeUsage(w, r.usage);
    w.endObject();
    return out;
}

} // namespace d2a::fmt::chat
