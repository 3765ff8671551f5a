// OpenAI Responses whole answers <-> the shared model.
#include "responses_p.h"

#include <QtCore/qdatetime.h>

namespace d2a::fmt::responses {

using ir::Part;
using Kind = ir::Part::Kind;

Result<ir::Response> readResponse(const Value &o)
{
    if (!o["object"].stringIs("response"))
        return Error::badGateway(QStringLiteral("upstream answer is not a Responses object"));
    ir::Response r;
    r.id = o["id"].toString();
    r.model = o["model"].toString();
    bool tool = false;
    for (Value it : o["output"].children()) {
        const Value type = it["type"];
        if (type.stringIs("message")) {
            QStringList dropped; // output parts the client's format has no form for
            readContent(it["content"], Where("output"), &r.parts, &dropped);
        } else if (type.stringIs("function_call") || type.stringIs("custom_tool_call")) {
            r.parts.append(functionCallPart(it));
            tool = true;
        } else if (type.stringIs("reasoning")) {
            r.parts.append(reasoningPart(it));
        }
    }
    if (o["status"].stringIs("incomplete"))
        r.finish = o["incomplete_details"]["reason"].stringIs("content_filter") ? ir::Finish::ContentFilter
                                                                                : ir::Finish::Length;
    else
        r.finish = tool ? ir::Finish::ToolCalls : ir::Finish::Stop;
    r.usage = usageOf(o["usage"]);
    return r;
}

QByteArray writeResponse(const ir::Response &r, const ir::Request *request)
{
    QByteArray output;
    Writer ow(&output);
    ow.beginArray();
    QString text;
    const QString servedBy = request ? request->servedBy : QString();
    auto flushText = [&] {
        if (!text.isEmpty())
            writeMessageItem(ow, ir::newId("msg_"), text, false);
        text.clear();
    };
    for (const Part &p : r.parts) {
        if (p.kind == Kind::Text) {
            text += p.text;
        } else if (p.kind == Kind::ToolCall) {
            flushText();
            Part call = request ? clientCall(p, request->tools) : p;
            call.callId = ir::carryCallId(p, servedBy); // a Gemini call signature travels in the id
            writeCallItem(ow, ir::newId(p.freeform ? "ctc_" : "fc_"), call, false);
        } else if (p.kind == Kind::Thinking && p.signatureFormat == WireFormat::OpenAIResponses
                   && p.signature.startsWith(u'{')) {
            // OpenAI's own reasoning item (an answer it streamed to a client that asked for one answer): back
            // as it issued it, its id and encrypted content, so the client's next turn hands OpenAI its own.
            flushText();
            ow.raw(p.signature.toUtf8());
        } else if (p.kind == Kind::Thinking || p.kind == Kind::RedactedThinking) {
            flushText();
            // Another vendor's reasoning: an id marked as droid2api's own, its state in an envelope.
            const Part thought = ir::forClient(p, WireFormat::OpenAIResponses, servedBy);
            writeReasoningItem(ow, ir::newId("rs_d2a"), thought.text, thought.signature);
        }
    }
    flushText();
    ow.endArray();
    const bool incomplete = r.finish == ir::Finish::Length || r.finish == ir::Finish::ContentFilter;
    QByteArray out;
    Writer w(&out);
    writeResponseObject(w, r.id.startsWith(u"resp_") ? r.id : ir::newId("resp_"), r.model,
                        incomplete ? QLatin1StringView("incomplete") : QLatin1StringView("completed"), output, &r.usage,
                        r.finish, QDateTime::currentSecsSinceEpoch());
    return out;
}

} // namespace d2a::fmt::responses
