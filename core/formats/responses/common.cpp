// OpenAI Responses items, usage and the response object.
#include "responses_p.h"

#include "../../log/log.h"

namespace d2a::fmt::responses {

using ir::Part;
using Kind = ir::Part::Kind;

std::optional<Error> readContent(const Value &content, const Where &where, QList<Part> *out, QStringList *dropped)
{
    if (content.isString()) {
        out->append(Part::makeText(content.toText()));
        return std::nullopt;
    }
    int i = -1;
    for (Value c : content.children()) {
        ++i;
        const Value type = c["type"];
        if (type.stringIs("input_text") || type.stringIs("output_text") || type.stringIs("text")) {
            out->append(Part::makeText(c["text"].toText()));
        } else if (type.stringIs("refusal")) {
            out->append(Part::makeText(c["refusal"].toText()));
        } else if (type.stringIs("input_image")) {
            Part p;
            p.kind = Kind::Image;
            const QString url = c["image_url"].toString();
            if (url.isEmpty())
                return fieldError(QStringLiteral("%1[%2]").arg(where).arg(i),
                                  QStringLiteral("needs image_url (file_id images cannot be translated)"));
            if (!ir::parseDataUrl(url, &p.mediaType, &p.data))
                p.url = url;
            out->append(p);
        } else if (type.stringIs("input_file") || type.stringIs("input_audio")) {
            return fieldError(
                QStringLiteral("%1[%2].type").arg(where).arg(i),
                QStringLiteral("'%1' (the user's file) cannot be carried to a model of another API format")
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

Part functionCallPart(const Value &item)
{
    Part p;
    p.kind = Kind::ToolCall;
    p.callId = item["call_id"].toString();
    p.name = item["name"].toString();
    if (item["type"].stringIs("custom_tool_call")) {
        p.freeform = true;
        QByteArray args;
        Writer w(&args);
        w.beginObject().member("input", item["input"].toString()).endObject();
        p.arguments = QString::fromUtf8(args);
    } else {
        p.arguments = item["arguments"].toString();
        const QString ns = item["namespace"].toString();
        if (!ns.isEmpty())
            p.name = ns + QStringLiteral("__") + p.name;
    }
    return p;
}

ir::Tool freeformTool(const Value &tool)
{
    const Value format = tool["format"];
    QString about = QStringLiteral("The raw input of this tool (free text, not JSON).");
    if (format["type"].stringIs("grammar"))
        about = QStringLiteral("The raw input of this tool (free text, not JSON), following this %1 grammar:\n%2")
                    .arg(format["syntax"].toString(), format["definition"].toString());
    QByteArray schema;
    Writer w(&schema);
    w.recordTree();
    w.beginObject().member("type", "object").key("properties").beginObject();
    w.key("input").beginObject().member("type", "string").member("description", about).endObject();
    w.endObject().key("required").beginArray().string("input").endArray().endObject();
    auto written = w.takeDocument();
    ir::Tool t = ir::Tool::make(tool["name"].toString(), tool["description"].toString(),
                                written ? json::Fragment(std::move(written.value())) : json::Fragment());
    t.freeform = true;
    return t;
}

Part clientCall(const Part &call, const QList<ir::Tool> &tools)
{
    Part p = call;
    for (const ir::Tool &t : tools) {
        if (t.name != call.name)
            continue;
        if (!t.toolNamespace.isEmpty()) {
            p.toolNamespace = t.toolNamespace;
            p.name = t.innerName;
        }
        p.freeform = t.freeform;
        break;
    }
    return p;
}

Part reasoningPart(const Value &item)
{
    Part p;
    p.kind = Kind::Thinking;
    for (Value s : item["summary"].children())
        p.text += s["text"].toString();
    const QString encrypted = item["encrypted_content"].toString();
    if (ir::openEnvelope(encrypted, WireFormat::OpenAIResponses, &p))
        return p; // another vendor's reasoning, carried here by droid2api
    p.reasoningId = item["id"].toString();
    p.signatureFormat = WireFormat::OpenAIResponses;
    // OpenAI's state is the whole item; without encrypted content (store: true) there is nothing to carry.
    if (!encrypted.isEmpty())
        p.signature = QString::fromUtf8(json::compact(item.raw()));
    return p;
}

ir::Usage usageOf(const Value &u)
{
    // input_tokens counts the cached ones too: openAiUsage takes them out.
    return openAiUsage(u, "input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details");
}

void writeUsage(Writer &w, const ir::Usage &u)
{
    const qint64 input = u.input + u.cacheRead + u.cacheWrite;
    w.beginObject().member("input_tokens", input);
    w.key("input_tokens_details").beginObject().member("cached_tokens", u.cacheRead).endObject();
    w.member("output_tokens", u.output);
    w.key("output_tokens_details").beginObject().member("reasoning_tokens", u.reasoning).endObject();
    w.member("total_tokens", input + u.output).endObject();
}

void writeMessageItem(Writer &w, const QString &id, const QString &text, bool inProgress)
{
    w.beginObject()
        .member("id", id)
        .member("type", "message")
        .member("status", inProgress ? "in_progress" : "completed");
    w.key("content").beginArray();
    if (!inProgress) {
        w.beginObject().member("type", "output_text").key("annotations").beginArray().endArray();
        w.member("text", text).endObject();
    }
    w.endArray().member("role", "assistant").endObject();
}

void writeCallItem(Writer &w, const QString &id, const Part &call, bool inProgress)
{
    if (call.freeform) {
        w.beginObject()
            .member("id", id)
            .member("type", "custom_tool_call")
            .member("status", inProgress ? "in_progress" : "completed");
        w.member("call_id", call.callId)
            .member("name", call.name)
            .member("input", inProgress ? QString() : freeformInput(call.arguments));
        w.endObject();
        return;
    }
    w.beginObject()
        .member("id", id)
        .member("type", "function_call")
        .member("status", inProgress ? "in_progress" : "completed");
    w.member("arguments", inProgress ? json::Text() : call.arguments)
        .member("call_id", call.callId)
        .member("name", call.name);
    if (!call.toolNamespace.isEmpty())
        w.member("namespace", call.toolNamespace);
    w.endObject();
}

QString freeformInput(const QString &arguments)
{
    auto doc = json::Document::parse(arguments.toUtf8(), { 64, false });
    if (!doc || !doc.value().root().isObject())
        return arguments; // the model wrote the input bare: take it as it is
    const Value input = doc.value().root()["input"];
    return input.isString() ? input.toString() : QString::fromUtf8(input.raw());
}

void writeReasoningItem(Writer &w, const QString &id, const QString &summary, const QString &encrypted)
{
    w.beginObject().member("id", id).member("type", "reasoning");
    if (!encrypted.isEmpty())
        w.member("encrypted_content", encrypted);
    w.key("summary").beginArray();
    if (!summary.isEmpty())
        w.beginObject().member("type", "summary_text").member("text", summary).endObject();
    w.endArray().endObject();
}

void writeResponseObject(Writer &w, const QString &id, const QString &model, QLatin1StringView status,
                         QByteArrayView output, const ir::Usage *usage, ir::Finish finish, qint64 created,
                         const Error *error)
{
    w.beginObject()
        .member("id", id)
        .member("object", "response")
        .member("created_at", created)
        .member("status", status);
    if (error) // a failed response: what went wrong, as OpenAI reports it
        w.key("error")
            .beginObject()
            .member("code", error->httpStatus == 529 || error->httpStatus == 503 ? "server_error" : "upstream_error")
            .member("message", log::redact(error->message))
            .endObject();
    else
        w.memberNull("error");
    w.key("incomplete_details");
    if (status == QLatin1StringView("incomplete"))
        w.beginObject().member("reason", finishName(finish)).endObject();
    else
        w.null();
    w.member("model", model)
        .memberRaw("output", output)
        .member("parallel_tool_calls", true)
        .member("tool_choice", "auto");
    w.key("tools").beginArray().endArray();
    if (usage) {
        w.key("usage");
        writeUsage(w, *usage);
    }
    w.endObject();
}

} // namespace d2a::fmt::responses
