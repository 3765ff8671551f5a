// OpenAI Responses <-> the shared model.
#include "formats_p.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qjsondocument.h>

namespace d2a::fmt::responses {

using ir::Part;
using Kind = ir::Part::Kind;

namespace {

std::optional<Error> readContent(const QJsonValue &content, const QString &where, QList<Part> *out)
{
    if (content.isString()) {
        out->append(Part::makeText(content.toString()));
        return std::nullopt;
    }
    const QJsonArray arr = content.toArray();
    for (int i = 0; i < arr.size(); ++i) {
        const QJsonObject c = arr[i].toObject();
        const QString type = c.value(u"type").toString();
        if (type == u"input_text" || type == u"output_text" || type == u"text") {
            out->append(Part::makeText(c.value(u"text").toString()));
        } else if (type == u"refusal") {
            out->append(Part::makeText(c.value(u"refusal").toString()));
        } else if (type == u"input_image") {
            Part p;
            p.kind = Kind::Image;
            const QString url = c.value(u"image_url").toString();
            if (url.isEmpty())
                return fieldError(QStringLiteral("%1[%2]").arg(where).arg(i), QStringLiteral("needs image_url (file_id images cannot be translated)"));
            if (!ir::parseDataUrl(url, &p.mediaType, &p.data))
                p.url = url;
            out->append(p);
        } else {
            return fieldError(QStringLiteral("%1[%2].type").arg(where).arg(i), QStringLiteral("'%1' cannot be translated to another API format").arg(type));
        }
    }
    return std::nullopt;
}

/// A function_call item (input history or output) as a tool-call part.
Part functionCallPart(const QJsonObject &item)
{
    Part p;
    p.kind = Kind::ToolCall;
    p.callId = item.value(u"call_id").toString();
    p.name = item.value(u"name").toString();
    p.arguments = item.value(u"arguments").toString();
    return p;
}

/// A reasoning item (input history or output) as a thinking part; encrypted_content is its signature.
Part reasoningPart(const QJsonObject &item)
{
    Part p;
    p.kind = Kind::Thinking;
    for (const QJsonValue &s : item.value(u"summary").toArray())
        p.text += s.toObject().value(u"text").toString();
    p.signature = item.value(u"encrypted_content").toString();
    p.reasoningId = item.value(u"id").toString();
    p.signatureFormat = WireFormat::OpenAIResponses;
    return p;
}

QJsonObject usageJson(const ir::Usage &u)
{
    const qint64 input = u.input + u.cacheRead + u.cacheWrite;
    return { { QStringLiteral("input_tokens"), double(input) },
             { QStringLiteral("input_tokens_details"), QJsonObject { { QStringLiteral("cached_tokens"), double(u.cacheRead) } } },
             { QStringLiteral("output_tokens"), double(u.output) },
             { QStringLiteral("output_tokens_details"), QJsonObject { { QStringLiteral("reasoning_tokens"), double(u.reasoning) } } },
             { QStringLiteral("total_tokens"), double(input + u.output) } };
}

ir::Usage usageOf(const QJsonObject &u)
{
    ir::Usage usage;
    if (u.isEmpty())
        return usage;
    usage.known = true;
    usage.cacheRead = qint64(u.value(u"input_tokens_details").toObject().value(u"cached_tokens").toDouble());
    usage.input = qint64(u.value(u"input_tokens").toDouble()) - usage.cacheRead;
    usage.output = qint64(u.value(u"output_tokens").toDouble());
    usage.reasoning = qint64(u.value(u"output_tokens_details").toObject().value(u"reasoning_tokens").toDouble());
    return usage;
}

QJsonObject messageItem(const QString &id, const QString &text, const QString &status)
{
    return { { QStringLiteral("type"), QStringLiteral("message") }, { QStringLiteral("id"), id }, { QStringLiteral("status"), status },
             { QStringLiteral("role"), QStringLiteral("assistant") },
             { QStringLiteral("content"), status == u"in_progress" ? QJsonArray()
                                                                   : QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("output_text") }, { QStringLiteral("text"), text },
                                                                                                { QStringLiteral("annotations"), QJsonArray() } } } } };
}

QJsonObject callItem(const QString &id, const Part &p, const QString &status)
{
    return { { QStringLiteral("type"), QStringLiteral("function_call") }, { QStringLiteral("id"), id }, { QStringLiteral("status"), status },
             { QStringLiteral("call_id"), p.callId }, { QStringLiteral("name"), p.name }, { QStringLiteral("arguments"), p.arguments } };
}

QJsonObject reasoningItem(const QString &id, const QString &summary, const QString &encrypted)
{
    QJsonObject o { { QStringLiteral("type"), QStringLiteral("reasoning") }, { QStringLiteral("id"), id },
                    { QStringLiteral("summary"), summary.isEmpty() ? QJsonArray()
                                                                   : QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("summary_text") }, { QStringLiteral("text"), summary } } } } };
    if (!encrypted.isEmpty())
        o.insert(QStringLiteral("encrypted_content"), encrypted);
    return o;
}

QJsonObject responseObject(const QString &id, const QString &model, const QString &status, const QJsonArray &output,
                           const ir::Usage *usage, ir::Finish finish, qint64 created)
{
    QJsonObject o { { QStringLiteral("id"), id }, { QStringLiteral("object"), QStringLiteral("response") },
                    { QStringLiteral("created_at"), double(created) }, { QStringLiteral("status"), status },
                    { QStringLiteral("model"), model }, { QStringLiteral("output"), output },
                    { QStringLiteral("error"), QJsonValue::Null }, { QStringLiteral("incomplete_details"), QJsonValue::Null },
                    { QStringLiteral("parallel_tool_calls"), true }, { QStringLiteral("tool_choice"), QStringLiteral("auto") },
                    { QStringLiteral("tools"), QJsonArray() } };
    if (usage)
        o.insert(QStringLiteral("usage"), usageJson(*usage));
    if (status == u"incomplete")
        o.insert(QStringLiteral("incomplete_details"), QJsonObject { { QStringLiteral("reason"), finishName(WireFormat::OpenAIResponses, finish) } });
    return o;
}

} // namespace

Result<ir::Request> readRequest(const QJsonObject &body)
{
    ir::Request r;
    r.model = body.value(u"model").toString();
    if (body.contains(u"previous_response_id") && !body.value(u"previous_response_id").isNull())
        return fieldError(QStringLiteral("previous_response_id"), QStringLiteral("needs server-side conversation state, which only OpenAI-type models have; send the whole input instead"));
    const QString instructions = body.value(u"instructions").toString();
    if (!instructions.isEmpty())
        r.system.append(Part::makeText(instructions));
    const QJsonValue input = body.value(u"input");
    if (input.isString()) {
        r.messages.append({ ir::Message::Role::User, { Part::makeText(input.toString()) } });
    } else if (input.isArray()) {
        const QJsonArray items = input.toArray();
        for (int i = 0; i < items.size(); ++i) {
            const QString where = QStringLiteral("input[%1]").arg(i);
            const QJsonObject it = items[i].toObject();
            const QString type = it.value(u"type").toString(QStringLiteral("message"));
            auto appendTo = [&r](ir::Message::Role role, const Part &p) {
                if (!r.messages.isEmpty() && r.messages.last().role == role)
                    r.messages.last().parts.append(p);
                else
                    r.messages.append({ role, { p } });
            };
            if (type == u"message") {
                const QString role = it.value(u"role").toString();
                QList<Part> parts;
                if (auto e = readContent(it.value(u"content"), where + QStringLiteral(".content"), &parts))
                    return *e;
                if (role == u"system" || role == u"developer") {
                    r.system += parts;
                } else if (role == u"user" || role == u"assistant") {
                    const auto irRole = role == u"user" ? ir::Message::Role::User : ir::Message::Role::Assistant;
                    for (const Part &p : parts)
                        appendTo(irRole, p);
                } else {
                    return fieldError(where + QStringLiteral(".role"), QStringLiteral("'%1' is not a message role").arg(role));
                }
            } else if (type == u"function_call") {
                appendTo(ir::Message::Role::Assistant, functionCallPart(it));
            } else if (type == u"function_call_output") {
                Part p;
                p.kind = Kind::ToolResult;
                p.callId = it.value(u"call_id").toString();
                if (auto e = readContent(it.value(u"output"), where + QStringLiteral(".output"), &p.result))
                    return *e;
                appendTo(ir::Message::Role::Tool, p);
            } else if (type == u"reasoning") {
                appendTo(ir::Message::Role::Assistant, reasoningPart(it));
            } else {
                return fieldError(where + QStringLiteral(".type"), QStringLiteral("'%1' cannot be translated to another API format").arg(type));
            }
        }
    } else {
        return fieldError(QStringLiteral("input"), QStringLiteral("must be a string or an array of items"));
    }
    const QJsonArray tools = body.value(u"tools").toArray();
    for (int i = 0; i < tools.size(); ++i) {
        const QJsonObject t = tools[i].toObject();
        if (t.value(u"type").toString() != u"function")
            return fieldError(QStringLiteral("tools[%1].type").arg(i), QStringLiteral("'%1' is an OpenAI hosted tool and cannot be translated").arg(t.value(u"type").toString()));
        r.tools.append({ t.value(u"name").toString(), t.value(u"description").toString(), t.value(u"parameters").toObject() });
    }
    const QJsonValue tc = body.value(u"tool_choice");
    if (tc.isString()) {
        const QString s = tc.toString();
        r.toolChoice = ir::ToolChoice { s == u"none" ? ir::ToolChoice::Mode::None : s == u"required" ? ir::ToolChoice::Mode::Required : ir::ToolChoice::Mode::Auto, {} };
    } else if (tc.isObject()) {
        r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::Specific, tc.toObject().value(u"name").toString() };
    }
    if (body.contains(u"parallel_tool_calls"))
        r.parallelToolCalls = body.value(u"parallel_tool_calls").toBool(true);
    if (body.contains(u"max_output_tokens") && !body.value(u"max_output_tokens").isNull())
        r.maxTokens = body.value(u"max_output_tokens").toInt();
    if (body.contains(u"temperature") && !body.value(u"temperature").isNull())
        r.temperature = body.value(u"temperature").toDouble();
    if (body.contains(u"top_p") && !body.value(u"top_p").isNull())
        r.topP = body.value(u"top_p").toDouble();
    r.stream = body.value(u"stream").toBool(false);
    const QString effort = body.value(u"reasoning").toObject().value(u"effort").toString();
    if (!effort.isEmpty() && effort != u"none")
        r.reasoning = ir::Reasoning { true, ir::budgetForEffort(effort), effort };
    const QJsonObject format = body.value(u"text").toObject().value(u"format").toObject();
    if (format.value(u"type").toString() == u"json_object")
        r.jsonFormat = { { QStringLiteral("type"), QStringLiteral("json_object") } };
    else if (format.value(u"type").toString() == u"json_schema")
        r.jsonFormat = { { QStringLiteral("type"), QStringLiteral("json_schema") }, { QStringLiteral("name"), format.value(u"name").toString(QStringLiteral("output")) },
                         { QStringLiteral("schema"), format.value(u"schema").toObject() }, { QStringLiteral("strict"), format.value(u"strict").toBool(false) } };
    return r;
}

Result<QJsonObject> writeRequest(const ir::Request &r)
{
    QJsonObject body { { QStringLiteral("model"), r.model } };
    QString instructions;
    for (const Part &p : r.system)
        instructions += (instructions.isEmpty() ? QString() : QStringLiteral("\n\n")) + p.text;
    if (!instructions.isEmpty())
        body.insert(QStringLiteral("instructions"), instructions);
    QJsonArray input;
    for (const ir::Message &m : r.messages) {
        QJsonArray content;
        auto flush = [&] {
            if (content.isEmpty())
                return;
            input.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("message") },
                                       { QStringLiteral("role"), m.role == ir::Message::Role::Assistant ? QStringLiteral("assistant") : QStringLiteral("user") },
                                       { QStringLiteral("content"), content } });
            content = QJsonArray();
        };
        for (const Part &p : m.parts) {
            switch (p.kind) {
            case Kind::Text:
                content.append(QJsonObject { { QStringLiteral("type"), m.role == ir::Message::Role::Assistant ? QStringLiteral("output_text") : QStringLiteral("input_text") },
                                             { QStringLiteral("text"), p.text } });
                break;
            case Kind::Image:
                content.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("input_image") }, { QStringLiteral("image_url"), ir::dataUrl(p) } });
                break;
            case Kind::ToolCall:
                flush();
                input.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("function_call") }, { QStringLiteral("call_id"), p.callId },
                                           { QStringLiteral("name"), p.name }, { QStringLiteral("arguments"), p.arguments } });
                break;
            case Kind::ToolResult: {
                flush();
                QString text;
                for (const Part &rp : p.result)
                    if (rp.kind == Kind::Text)
                        text += rp.text;
                input.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("function_call_output") }, { QStringLiteral("call_id"), p.callId },
                                           { QStringLiteral("output"), p.isError ? QStringLiteral("Error: ") + text : text } });
                break;
            }
            case Kind::Thinking:
                // Only OpenAI's own encrypted reasoning can be replayed; other vendors' thoughts are dropped.
                if (p.signatureFormat == WireFormat::OpenAIResponses && !p.signature.isEmpty()) {
                    flush();
                    QJsonObject item = reasoningItem(p.reasoningId.isEmpty() ? ir::newId("rs_") : p.reasoningId, p.text, p.signature);
                    input.append(item);
                }
                break;
            case Kind::RedactedThinking:
                break;
            }
        }
        flush();
    }
    body.insert(QStringLiteral("input"), input);
    if (r.maxTokens)
        body.insert(QStringLiteral("max_output_tokens"), *r.maxTokens);
    if (r.temperature)
        body.insert(QStringLiteral("temperature"), *r.temperature);
    if (r.topP)
        body.insert(QStringLiteral("top_p"), *r.topP);
    if (!r.stop.isEmpty())
        return fieldError(QStringLiteral("stop"), QStringLiteral("(stop sequences) has no OpenAI Responses equivalent"));
    if (r.stream)
        body.insert(QStringLiteral("stream"), true);
    body.insert(QStringLiteral("store"), false);
    QJsonArray tools;
    for (const ir::Tool &t : r.tools)
        tools.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("function") }, { QStringLiteral("name"), t.name },
                                   { QStringLiteral("description"), t.description },
                                   { QStringLiteral("parameters"), t.parameters.isEmpty() ? QJsonObject { { QStringLiteral("type"), QStringLiteral("object") } } : t.parameters },
                                   { QStringLiteral("strict"), false } });
    if (!tools.isEmpty())
        body.insert(QStringLiteral("tools"), tools);
    if (r.toolChoice && !tools.isEmpty()) {
        switch (r.toolChoice->mode) {
        case ir::ToolChoice::Mode::Auto: body.insert(QStringLiteral("tool_choice"), QStringLiteral("auto")); break;
        case ir::ToolChoice::Mode::None: body.insert(QStringLiteral("tool_choice"), QStringLiteral("none")); break;
        case ir::ToolChoice::Mode::Required: body.insert(QStringLiteral("tool_choice"), QStringLiteral("required")); break;
        case ir::ToolChoice::Mode::Specific:
            body.insert(QStringLiteral("tool_choice"), QJsonObject { { QStringLiteral("type"), QStringLiteral("function") }, { QStringLiteral("name"), r.toolChoice->name } });
        }
    }
    if (r.parallelToolCalls && !tools.isEmpty())
        body.insert(QStringLiteral("parallel_tool_calls"), *r.parallelToolCalls);
    if (r.reasoning && r.reasoning->enabled) {
        body.insert(QStringLiteral("reasoning"), QJsonObject { { QStringLiteral("effort"), r.reasoning->effort.isEmpty() ? ir::effortForBudget(r.reasoning->budgetTokens) : r.reasoning->effort },
                                                               { QStringLiteral("summary"), QStringLiteral("auto") } });
        body.insert(QStringLiteral("include"), QJsonArray { QStringLiteral("reasoning.encrypted_content") });
    }
    if (r.jsonFormat.value(u"type").toString() == u"json_object")
        body.insert(QStringLiteral("text"), QJsonObject { { QStringLiteral("format"), QJsonObject { { QStringLiteral("type"), QStringLiteral("json_object") } } } });
    else if (!r.jsonFormat.isEmpty())
        body.insert(QStringLiteral("text"), QJsonObject { { QStringLiteral("format"), r.jsonFormat } });
    return body;
}

Result<ir::Response> readResponse(const QJsonObject &o)
{
    if (o.value(u"object").toString() != u"response")
        return Error::badGateway(QStringLiteral("upstream answer is not a Responses object"));
    ir::Response r;
    r.id = o.value(u"id").toString();
    r.model = o.value(u"model").toString();
    bool tool = false;
    for (const QJsonValue &iv : o.value(u"output").toArray()) {
        const QJsonObject it = iv.toObject();
        const QString type = it.value(u"type").toString();
        if (type == u"message") {
            readContent(it.value(u"content"), QStringLiteral("output"), &r.parts);
        } else if (type == u"function_call") {
            r.parts.append(functionCallPart(it));
            tool = true;
        } else if (type == u"reasoning") {
            r.parts.append(reasoningPart(it));
        }
    }
    const QString status = o.value(u"status").toString();
    if (status == u"incomplete")
        r.finish = o.value(u"incomplete_details").toObject().value(u"reason").toString() == u"content_filter" ? ir::Finish::ContentFilter : ir::Finish::Length;
    else
        r.finish = tool ? ir::Finish::ToolCalls : ir::Finish::Stop;
    r.usage = usageOf(o.value(u"usage").toObject());
    return r;
}

QJsonObject writeResponse(const ir::Response &r)
{
    QJsonArray output;
    QString text;
    auto flushText = [&] {
        if (!text.isEmpty())
            output.append(messageItem(ir::newId("msg_"), text, QStringLiteral("completed")));
        text.clear();
    };
    for (const Part &p : r.parts) {
        if (p.kind == Kind::Text) {
            text += p.text;
        } else if (p.kind == Kind::ToolCall) {
            flushText();
            output.append(callItem(ir::newId("fc_"), p, QStringLiteral("completed")));
        } else if (p.kind == Kind::Thinking) {
            flushText();
            output.append(reasoningItem(ir::newId("rs_"), p.text, p.signatureFormat == WireFormat::OpenAIResponses ? p.signature : QString()));
        }
    }
    flushText();
    const bool incomplete = r.finish == ir::Finish::Length || r.finish == ir::Finish::ContentFilter;
    return responseObject(r.id.startsWith(u"resp_") ? r.id : ir::newId("resp_"), r.model, incomplete ? QStringLiteral("incomplete") : QStringLiteral("completed"),
                          output, &r.usage, r.finish, QDateTime::currentSecsSinceEpoch());
}

namespace {

class Reader final : public EventReader
{
public:
    QList<ir::Event> read(const SseEvent &ev) override
    {
        QList<ir::Event> out;
        const QJsonObject d = QJsonDocument::fromJson(ev.data).object();
        const QString type = d.value(u"type").toString(QString::fromUtf8(ev.event));
        if (type == u"response.created") {
            ir::Event e;
            e.type = ir::Event::Type::Start;
            e.id = d.value(u"response").toObject().value(u"id").toString();
            e.model = d.value(u"response").toObject().value(u"model").toString();
            out << e;
        } else if (type == u"response.output_item.added") {
            const QJsonObject it = d.value(u"item").toObject();
            const QString itype = it.value(u"type").toString();
            if (itype == u"function_call") {
                Part p;
                p.kind = Kind::ToolCall;
                p.callId = it.value(u"call_id").toString();
                p.name = it.value(u"name").toString();
                start(out, p, it.value(u"id").toString());
                m_sawTool = true;
            } else if (itype == u"reasoning") {
                Part p;
                p.kind = Kind::Thinking;
                p.reasoningId = it.value(u"id").toString();
                p.signatureFormat = WireFormat::OpenAIResponses;
                start(out, p, it.value(u"id").toString());
            }
        } else if (type == u"response.output_text.delta") {
            const QString key = d.value(u"item_id").toString() + u'#' + QString::number(d.value(u"content_index").toInt());
            if (m_openKey != key) {
                Part p;
                start(out, p, key);
            }
            out << delta(ir::Event::Type::TextDelta, d.value(u"delta").toString());
        } else if (type == u"response.function_call_arguments.delta") {
            if (m_openKey == d.value(u"item_id").toString())
                out << delta(ir::Event::Type::ArgumentsDelta, d.value(u"delta").toString());
        } else if (type == u"response.reasoning_summary_text.delta" || type == u"response.reasoning_text.delta") {
            if (m_openKey == d.value(u"item_id").toString())
                out << delta(ir::Event::Type::ThinkingDelta, d.value(u"delta").toString());
        } else if (type == u"response.output_item.done") {
            const QJsonObject it = d.value(u"item").toObject();
            const QString id = it.value(u"id").toString();
            if (it.value(u"type").toString() == u"reasoning" && m_openKey == id && !it.value(u"encrypted_content").toString().isEmpty())
                out << delta(ir::Event::Type::SignatureDelta, it.value(u"encrypted_content").toString());
            if (m_openKey == id || m_openKey.startsWith(id + u'#'))
                stop(out);
        } else if (type == u"response.completed" || type == u"response.incomplete") {
            stop(out);
            const QJsonObject resp = d.value(u"response").toObject();
            ir::Event e;
            e.type = ir::Event::Type::Finish;
            e.usage = usageOf(resp.value(u"usage").toObject());
            if (resp.value(u"status").toString() == u"incomplete")
                e.finish = resp.value(u"incomplete_details").toObject().value(u"reason").toString() == u"content_filter" ? ir::Finish::ContentFilter : ir::Finish::Length;
            else
                e.finish = m_sawTool ? ir::Finish::ToolCalls : ir::Finish::Stop;
            out << e;
            m_done = true;
        } else if (type == u"response.failed" || type == u"error") {
            const QJsonObject err = type == u"error" ? d : d.value(u"response").toObject().value(u"error").toObject();
            ir::Event e;
            e.type = ir::Event::Type::Error;
            e.error = Error::badGateway(err.value(u"message").toString(QStringLiteral("upstream error")));
            out << e;
            m_done = true;
        }
        return out;
    }

    QList<ir::Event> end() override
    {
        QList<ir::Event> out;
        if (m_done)
            return out;
        m_done = true;
        stop(out);
        ir::Event e;
        e.type = ir::Event::Type::Finish;
        e.finish = m_sawTool ? ir::Finish::ToolCalls : ir::Finish::Stop;
        out << e;
        return out;
    }

private:
    ir::Event delta(ir::Event::Type t, const QString &text) const
    {
        ir::Event e;
        e.type = t;
        e.index = m_index;
        e.text = text;
        return e;
    }
    void start(QList<ir::Event> &out, const Part &p, const QString &key)
    {
        stop(out);
        ir::Event e;
        e.type = ir::Event::Type::PartStart;
        e.index = m_index = m_next++;
        e.part = p;
        m_openKey = key;
        out << e;
    }
    void stop(QList<ir::Event> &out)
    {
        if (m_openKey.isEmpty())
            return;
        ir::Event e;
        e.type = ir::Event::Type::PartStop;
        e.index = m_index;
        out << e;
        m_openKey.clear();
    }

    QString m_openKey;
    int m_index = -1;
    int m_next = 0;
    bool m_sawTool = false;
    bool m_done = false;
};

/// Writes the full Responses event sequence. The format repeats every item whole in its *.done events and in
/// response.completed, so this writer keeps the output items of the response (the only writer that must).
class Writer final : public StreamWriter
{
public:
    explicit Writer(const ir::Request &r) : m_model(r.model), m_id(ir::newId("resp_")), m_created(QDateTime::currentSecsSinceEpoch()) { }

    QByteArray write(const ir::Event &e) override
    {
        QByteArray out;
        if (m_finished)
            return out;
        if (!m_started && e.type != ir::Event::Type::Error && e.type != ir::Event::Type::Ping) {
            m_started = true;
            const QJsonObject resp = responseObject(m_id, m_model, QStringLiteral("in_progress"), QJsonArray(), nullptr, ir::Finish::Stop, m_created);
            out += eventOut("response.created", { { QStringLiteral("response"), resp } });
            out += eventOut("response.in_progress", { { QStringLiteral("response"), resp } });
        }
        switch (e.type) {
        case ir::Event::Type::Start:
        case ir::Event::Type::Usage:
            if (e.usage.known)
                m_usage = e.usage;
            break;
        case ir::Event::Type::PartStart:
            closeOpen(out);
            open(out, e.part);
            break;
        case ir::Event::Type::TextDelta:
            if (!m_open || m_kind != Kind::Text)
                open(out, Part());
            m_text += e.text;
            out += eventOut("response.output_text.delta", { { QStringLiteral("item_id"), m_itemId }, { QStringLiteral("output_index"), int(m_output.size()) },
                                                       { QStringLiteral("content_index"), 0 }, { QStringLiteral("delta"), e.text } });
            break;
        case ir::Event::Type::ThinkingDelta: {
            if (!m_open || m_kind != Kind::Thinking) {
                Part t;
                t.kind = Kind::Thinking;
                open(out, t);
            }
            m_text += e.text;
            out += eventOut("response.reasoning_summary_text.delta", { { QStringLiteral("item_id"), m_itemId }, { QStringLiteral("output_index"), int(m_output.size()) },
                                                                  { QStringLiteral("summary_index"), 0 }, { QStringLiteral("delta"), e.text } });
            break;
        }
        case ir::Event::Type::SignatureDelta:
            if (m_open && m_kind == Kind::Thinking)
                m_signature += e.text;
            break;
        case ir::Event::Type::ArgumentsDelta:
            if (m_open && m_kind == Kind::ToolCall && !e.text.isEmpty()) {
                m_text += e.text;
                out += eventOut("response.function_call_arguments.delta", { { QStringLiteral("item_id"), m_itemId }, { QStringLiteral("output_index"), int(m_output.size()) },
                                                                       { QStringLiteral("delta"), e.text } });
            }
            break;
        case ir::Event::Type::PartStop:
            closeOpen(out);
            break;
        case ir::Event::Type::Finish: {
            closeOpen(out);
            if (e.usage.known)
                m_usage = e.usage;
            const bool incomplete = e.finish == ir::Finish::Length || e.finish == ir::Finish::ContentFilter;
            const QJsonObject resp = responseObject(m_id, m_model, incomplete ? QStringLiteral("incomplete") : QStringLiteral("completed"),
                                                    m_output, &m_usage, e.finish, m_created);
            out += eventOut(incomplete ? "response.incomplete" : "response.completed", { { QStringLiteral("response"), resp } });
            m_finished = true;
            break;
        }
        case ir::Event::Type::Error:
            out += eventOut("error", { { QStringLiteral("code"), QStringLiteral("upstream_error") }, { QStringLiteral("message"), e.error.message },
                                   { QStringLiteral("param"), QJsonValue::Null } });
            m_finished = true;
            break;
        case ir::Event::Type::Ping:
            out += keepAlive();
            break;
        }
        return out;
    }

    QByteArray keepAlive() override { return QByteArrayLiteral(": keepalive\n\n"); }
    bool finished() const override { return m_finished; }

private:
    QByteArray eventOut(const char *type, QJsonObject data)
    {
        data.insert(QStringLiteral("type"), QLatin1String(type));
        data.insert(QStringLiteral("sequence_number"), m_seq++);
        return sseJson(type, data);
    }

    void open(QByteArray &out, const Part &p)
    {
        closeOpen(out);
        m_open = true;
        m_kind = p.kind == Kind::ToolCall || p.kind == Kind::Thinking ? p.kind : Kind::Text;
        m_text.clear();
        m_signature = p.signature;
        m_call = p;
        const int index = int(m_output.size());
        if (m_kind == Kind::ToolCall) {
            m_itemId = ir::newId("fc_");
            if (m_call.callId.isEmpty())
                m_call.callId = ir::newId("call_");
            Part shown = m_call;
            shown.arguments.clear();
            out += eventOut("response.output_item.added", { { QStringLiteral("output_index"), index }, { QStringLiteral("item"), callItem(m_itemId, shown, QStringLiteral("in_progress")) } });
        } else if (m_kind == Kind::Thinking) {
            m_itemId = p.reasoningId.isEmpty() ? ir::newId("rs_") : p.reasoningId;
            out += eventOut("response.output_item.added", { { QStringLiteral("output_index"), index }, { QStringLiteral("item"), reasoningItem(m_itemId, QString(), QString()) } });
            out += eventOut("response.reasoning_summary_part.added", { { QStringLiteral("item_id"), m_itemId }, { QStringLiteral("output_index"), index }, { QStringLiteral("summary_index"), 0 },
                                                                  { QStringLiteral("part"), QJsonObject { { QStringLiteral("type"), QStringLiteral("summary_text") }, { QStringLiteral("text"), QString() } } } });
        } else {
            m_itemId = ir::newId("msg_");
            out += eventOut("response.output_item.added", { { QStringLiteral("output_index"), index }, { QStringLiteral("item"), messageItem(m_itemId, QString(), QStringLiteral("in_progress")) } });
            out += eventOut("response.content_part.added", { { QStringLiteral("item_id"), m_itemId }, { QStringLiteral("output_index"), index }, { QStringLiteral("content_index"), 0 },
                                                        { QStringLiteral("part"), QJsonObject { { QStringLiteral("type"), QStringLiteral("output_text") }, { QStringLiteral("text"), QString() },
                                                                                                { QStringLiteral("annotations"), QJsonArray() } } } });
        }
    }

    void closeOpen(QByteArray &out)
    {
        if (!m_open)
            return;
        const int index = int(m_output.size());
        QJsonObject item;
        if (m_kind == Kind::ToolCall) {
            m_call.arguments = m_text.isEmpty() ? QStringLiteral("{}") : m_text;
            out += eventOut("response.function_call_arguments.done", { { QStringLiteral("item_id"), m_itemId }, { QStringLiteral("output_index"), index },
                                                                  { QStringLiteral("arguments"), m_call.arguments } });
            item = callItem(m_itemId, m_call, QStringLiteral("completed"));
        } else if (m_kind == Kind::Thinking) {
            out += eventOut("response.reasoning_summary_text.done", { { QStringLiteral("item_id"), m_itemId }, { QStringLiteral("output_index"), index },
                                                                 { QStringLiteral("summary_index"), 0 }, { QStringLiteral("text"), m_text } });
            out += eventOut("response.reasoning_summary_part.done", { { QStringLiteral("item_id"), m_itemId }, { QStringLiteral("output_index"), index }, { QStringLiteral("summary_index"), 0 },
                                                                 { QStringLiteral("part"), QJsonObject { { QStringLiteral("type"), QStringLiteral("summary_text") }, { QStringLiteral("text"), m_text } } } });
            item = reasoningItem(m_itemId, m_text, m_call.signatureFormat == WireFormat::OpenAIResponses ? m_signature : QString());
        } else {
            const QJsonObject part { { QStringLiteral("type"), QStringLiteral("output_text") }, { QStringLiteral("text"), m_text }, { QStringLiteral("annotations"), QJsonArray() } };
            out += eventOut("response.output_text.done", { { QStringLiteral("item_id"), m_itemId }, { QStringLiteral("output_index"), index },
                                                      { QStringLiteral("content_index"), 0 }, { QStringLiteral("text"), m_text } });
            out += eventOut("response.content_part.done", { { QStringLiteral("item_id"), m_itemId }, { QStringLiteral("output_index"), index },
                                                       { QStringLiteral("content_index"), 0 }, { QStringLiteral("part"), part } });
            item = messageItem(m_itemId, m_text, QStringLiteral("completed"));
        }
        out += eventOut("response.output_item.done", { { QStringLiteral("output_index"), index }, { QStringLiteral("item"), item } });
        m_output.append(item);
        m_open = false;
        m_text.clear();
    }

    QString m_model;
    QString m_id;
    qint64 m_created;
    int m_seq = 0;
    bool m_started = false;
    bool m_finished = false;
    bool m_open = false;
    Kind m_kind = Kind::Text;
    QString m_itemId;
    QString m_text;
    QString m_signature;
    Part m_call;
    QJsonArray m_output;
    ir::Usage m_usage;
};

} // namespace

std::unique_ptr<EventReader> makeEventReader()
{
    return std::make_unique<Reader>();
}

std::unique_ptr<StreamWriter> makeStreamWriter(const ir::Request &request)
{
    return std::make_unique<Writer>(request);
}

} // namespace d2a::fmt::responses
