// OpenAI Chat Completions <-> the shared model.
#include "formats_p.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qjsondocument.h>

namespace d2a::fmt::chat {

using ir::Part;
using Kind = ir::Part::Kind;

namespace {

std::optional<Error> readContent(const QJsonValue &content, const QString &where, QList<Part> *out)
{
    if (content.isString()) {
        out->append(Part::makeText(content.toString()));
        return std::nullopt;
    }
    if (content.isNull() || content.isUndefined())
        return std::nullopt;
    if (!content.isArray())
        return fieldError(where, QStringLiteral("must be a string or an array of content parts"));
    const QJsonArray arr = content.toArray();
    for (int i = 0; i < arr.size(); ++i) {
        const QJsonObject c = arr[i].toObject();
        const QString type = c.value(u"type").toString();
        if (type == u"text") {
            out->append(Part::makeText(c.value(u"text").toString()));
        } else if (type == u"image_url") {
            Part p;
            p.kind = Kind::Image;
            const QString url = c.value(u"image_url").isString() ? c.value(u"image_url").toString()
                                                                 : c.value(u"image_url").toObject().value(u"url").toString();
            if (!ir::parseDataUrl(url, &p.mediaType, &p.data))
                p.url = url;
            out->append(p);
        } else {
            return fieldError(QStringLiteral("%1[%2].type").arg(where).arg(i), QStringLiteral("'%1' cannot be translated to another API format").arg(type));
        }
    }
    return std::nullopt;
}

QJsonValue writeContent(const QList<Part> &parts, bool allowImages)
{
    bool onlyText = true;
    for (const Part &p : parts)
        if (p.kind != Kind::Text)
            onlyText = false;
    if (onlyText) {
        QString text;
        for (const Part &p : parts)
            text += p.text;
        return text;
    }
    QJsonArray arr;
    for (const Part &p : parts) {
        if (p.kind == Kind::Text)
            arr.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("text") }, { QStringLiteral("text"), p.text } });
        else if (p.kind == Kind::Image && allowImages)
            arr.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("image_url") },
                                     { QStringLiteral("image_url"), QJsonObject { { QStringLiteral("url"), ir::dataUrl(p) } } } });
    }
    return arr;
}

/// Chat's reasoning_content as a thinking part (Chat carries no signature).
Part reasoningPart(const QString &text)
{
    Part t;
    t.kind = Kind::Thinking;
    t.text = text;
    t.signatureFormat = WireFormat::OpenAIChat;
    return t;
}

ir::Finish finishOf(const QString &f)
{
    if (f == u"length")
        return ir::Finish::Length;
    if (f == u"tool_calls" || f == u"function_call")
        return ir::Finish::ToolCalls;
    if (f == u"content_filter")
        return ir::Finish::ContentFilter;
    return ir::Finish::Stop;
}

ir::Usage usageOf(const QJsonObject &u)
{
    ir::Usage usage;
    if (u.isEmpty())
        return usage;
    usage.known = true;
    usage.input = qint64(u.value(u"prompt_tokens").toDouble());
    usage.output = qint64(u.value(u"completion_tokens").toDouble());
    usage.cacheRead = qint64(u.value(u"prompt_tokens_details").toObject().value(u"cached_tokens").toDouble());
    usage.reasoning = qint64(u.value(u"completion_tokens_details").toObject().value(u"reasoning_tokens").toDouble());
    return usage;
}

QJsonObject usageJson(const ir::Usage &u)
{
    // Anthropic counts cached input apart from input_tokens; OpenAI's prompt_tokens includes it.
    const qint64 prompt = u.input + u.cacheRead + u.cacheWrite;
    return { { QStringLiteral("prompt_tokens"), double(prompt) },
             { QStringLiteral("completion_tokens"), double(u.output) },
             { QStringLiteral("total_tokens"), double(prompt + u.output) },
             { QStringLiteral("prompt_tokens_details"), QJsonObject { { QStringLiteral("cached_tokens"), double(u.cacheRead) } } },
             { QStringLiteral("completion_tokens_details"), QJsonObject { { QStringLiteral("reasoning_tokens"), double(u.reasoning) } } } };
}

} // namespace

Result<ir::Request> readRequest(const QJsonObject &body)
{
    ir::Request r;
    r.model = body.value(u"model").toString();
    if (body.value(u"n").toInt(1) != 1)
        return fieldError(QStringLiteral("n"), QStringLiteral("must be 1 when the model speaks another API format"));
    const QJsonValue msgs = body.value(u"messages");
    if (!msgs.isArray())
        return fieldError(QStringLiteral("messages"), QStringLiteral("must be an array"));
    const QJsonArray arr = msgs.toArray();
    for (int i = 0; i < arr.size(); ++i) {
        const QString where = QStringLiteral("messages[%1]").arg(i);
        if (!arr[i].isObject())
            return fieldError(where, QStringLiteral("must be an object"));
        const QJsonObject m = arr[i].toObject();
        const QString role = m.value(u"role").toString();
        if (role == u"system" || role == u"developer") {
            if (auto e = readContent(m.value(u"content"), where + QStringLiteral(".content"), &r.system))
                return *e;
        } else if (role == u"user") {
            ir::Message msg { ir::Message::Role::User, {} };
            if (auto e = readContent(m.value(u"content"), where + QStringLiteral(".content"), &msg.parts))
                return *e;
            r.messages.append(msg);
        } else if (role == u"assistant") {
            ir::Message msg { ir::Message::Role::Assistant, {} };
            const QString reasoning = m.value(u"reasoning_content").toString();
            if (!reasoning.isEmpty())
                msg.parts.append(reasoningPart(reasoning));
            if (auto e = readContent(m.value(u"content"), where + QStringLiteral(".content"), &msg.parts))
                return *e;
            const QJsonArray calls = m.value(u"tool_calls").toArray();
            for (int j = 0; j < calls.size(); ++j) {
                const QJsonObject c = calls[j].toObject();
                Part p;
                p.kind = Kind::ToolCall;
                p.callId = c.value(u"id").toString();
                p.name = c.value(u"function").toObject().value(u"name").toString();
                p.arguments = c.value(u"function").toObject().value(u"arguments").toString();
                if (p.name.isEmpty())
                    return fieldError(QStringLiteral("%1.tool_calls[%2].function.name").arg(where).arg(j), QStringLiteral("is missing"));
                msg.parts.append(p);
            }
            r.messages.append(msg);
        } else if (role == u"tool") {
            Part p;
            p.kind = Kind::ToolResult;
            p.callId = m.value(u"tool_call_id").toString();
            if (auto e = readContent(m.value(u"content"), where + QStringLiteral(".content"), &p.result))
                return *e;
            // Consecutive tool messages answer one assistant turn: keep them together.
            if (!r.messages.isEmpty() && r.messages.last().role == ir::Message::Role::Tool)
                r.messages.last().parts.append(p);
            else
                r.messages.append({ ir::Message::Role::Tool, { p } });
        } else {
            return fieldError(where + QStringLiteral(".role"), QStringLiteral("'%1' is not a chat role").arg(role));
        }
    }
    for (const QJsonValue &tv : body.value(u"tools").toArray()) {
        const QJsonObject t = tv.toObject();
        if (t.value(u"type").toString(QStringLiteral("function")) != u"function")
            return fieldError(QStringLiteral("tools"), QStringLiteral("only function tools can be translated"));
        const QJsonObject f = t.value(u"function").toObject();
        r.tools.append({ f.value(u"name").toString(), f.value(u"description").toString(), f.value(u"parameters").toObject() });
    }
    const QJsonValue tc = body.value(u"tool_choice");
    if (tc.isString()) {
        const QString s = tc.toString();
        r.toolChoice = ir::ToolChoice { s == u"none" ? ir::ToolChoice::Mode::None : s == u"required" ? ir::ToolChoice::Mode::Required : ir::ToolChoice::Mode::Auto, {} };
    } else if (tc.isObject()) {
        r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::Specific, tc.toObject().value(u"function").toObject().value(u"name").toString() };
    }
    if (body.contains(u"parallel_tool_calls"))
        r.parallelToolCalls = body.value(u"parallel_tool_calls").toBool(true);
    if (body.contains(u"temperature") && !body.value(u"temperature").isNull())
        r.temperature = body.value(u"temperature").toDouble();
    if (body.contains(u"top_p") && !body.value(u"top_p").isNull())
        r.topP = body.value(u"top_p").toDouble();
    const QJsonValue stop = body.value(u"stop");
    if (stop.isString())
        r.stop << stop.toString();
    for (const QJsonValue &s : stop.toArray())
        r.stop << s.toString();
    if (body.contains(u"max_completion_tokens"))
        r.maxTokens = body.value(u"max_completion_tokens").toInt();
    else if (body.contains(u"max_tokens") && !body.value(u"max_tokens").isNull())
        r.maxTokens = body.value(u"max_tokens").toInt();
    r.stream = body.value(u"stream").toBool(false);
    r.includeUsage = body.value(u"stream_options").toObject().value(u"include_usage").toBool(false);
    const QString effort = body.value(u"reasoning_effort").toString();
    if (!effort.isEmpty() && effort != u"none")
        r.reasoning = ir::Reasoning { true, ir::budgetForEffort(effort), effort };
    const QJsonObject rf = body.value(u"response_format").toObject();
    const QString rfType = rf.value(u"type").toString();
    if (rfType == u"json_object") {
        r.jsonFormat = { { QStringLiteral("type"), QStringLiteral("json_object") } };
    } else if (rfType == u"json_schema") {
        const QJsonObject js = rf.value(u"json_schema").toObject();
        r.jsonFormat = { { QStringLiteral("type"), QStringLiteral("json_schema") }, { QStringLiteral("name"), js.value(u"name").toString(QStringLiteral("output")) },
                         { QStringLiteral("schema"), js.value(u"schema").toObject() }, { QStringLiteral("strict"), js.value(u"strict").toBool(false) } };
    }
    return r;
}

Result<QJsonObject> writeRequest(const ir::Request &r)
{
    QJsonObject body { { QStringLiteral("model"), r.model } };
    QJsonArray messages;
    if (!r.system.isEmpty())
        messages.append(QJsonObject { { QStringLiteral("role"), QStringLiteral("system") }, { QStringLiteral("content"), writeContent(r.system, false) } });
    for (const ir::Message &m : r.messages) {
        if (m.role == ir::Message::Role::Tool) {
            for (const Part &p : m.parts) {
                if (p.kind != Kind::ToolResult)
                    continue;
                QJsonValue content = writeContent(p.result, false);
                if (p.isError && content.isString())
                    content = QStringLiteral("Error: ") + content.toString();
                messages.append(QJsonObject { { QStringLiteral("role"), QStringLiteral("tool") }, { QStringLiteral("tool_call_id"), p.callId },
                                              { QStringLiteral("content"), content } });
            }
            continue;
        }
        QJsonObject msg { { QStringLiteral("role"), m.role == ir::Message::Role::Assistant ? QStringLiteral("assistant") : QStringLiteral("user") } };
        QList<Part> content;
        QJsonArray calls;
        QString reasoning;
        for (const Part &p : m.parts) {
            if (p.kind == Kind::ToolCall)
                calls.append(QJsonObject { { QStringLiteral("id"), p.callId }, { QStringLiteral("type"), QStringLiteral("function") },
                                           { QStringLiteral("function"), QJsonObject { { QStringLiteral("name"), p.name }, { QStringLiteral("arguments"), p.arguments } } } });
            else if (p.kind == Kind::Thinking)
                reasoning += p.text;
            else if (p.kind == Kind::Text || p.kind == Kind::Image)
                content.append(p);
        }
        msg.insert(QStringLiteral("content"), content.isEmpty() && !calls.isEmpty() ? QJsonValue(QJsonValue::Null) : writeContent(content, true));
        if (!calls.isEmpty())
            msg.insert(QStringLiteral("tool_calls"), calls);
        if (!reasoning.isEmpty())
            msg.insert(QStringLiteral("reasoning_content"), reasoning);
        messages.append(msg);
    }
    body.insert(QStringLiteral("messages"), messages);
    if (r.maxTokens)
        body.insert(QStringLiteral("max_tokens"), *r.maxTokens);
    if (r.temperature)
        body.insert(QStringLiteral("temperature"), *r.temperature);
    if (r.topP)
        body.insert(QStringLiteral("top_p"), *r.topP);
    if (!r.stop.isEmpty())
        body.insert(QStringLiteral("stop"), QJsonArray::fromStringList(r.stop));
    if (r.stream) {
        body.insert(QStringLiteral("stream"), true);
        body.insert(QStringLiteral("stream_options"), QJsonObject { { QStringLiteral("include_usage"), true } });
    }
    QJsonArray tools;
    for (const ir::Tool &t : r.tools)
        tools.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("function") },
                                   { QStringLiteral("function"), QJsonObject { { QStringLiteral("name"), t.name }, { QStringLiteral("description"), t.description },
                                                                               { QStringLiteral("parameters"), t.parameters.isEmpty() ? QJsonObject { { QStringLiteral("type"), QStringLiteral("object") } } : t.parameters } } } });
    if (!tools.isEmpty())
        body.insert(QStringLiteral("tools"), tools);
    if (r.toolChoice && !tools.isEmpty()) {
        switch (r.toolChoice->mode) {
        case ir::ToolChoice::Mode::Auto: body.insert(QStringLiteral("tool_choice"), QStringLiteral("auto")); break;
        case ir::ToolChoice::Mode::None: body.insert(QStringLiteral("tool_choice"), QStringLiteral("none")); break;
        case ir::ToolChoice::Mode::Required: body.insert(QStringLiteral("tool_choice"), QStringLiteral("required")); break;
        case ir::ToolChoice::Mode::Specific:
            body.insert(QStringLiteral("tool_choice"), QJsonObject { { QStringLiteral("type"), QStringLiteral("function") },
                                                                     { QStringLiteral("function"), QJsonObject { { QStringLiteral("name"), r.toolChoice->name } } } });
        }
    }
    if (r.parallelToolCalls && !tools.isEmpty())
        body.insert(QStringLiteral("parallel_tool_calls"), *r.parallelToolCalls);
    if (r.reasoning && r.reasoning->enabled)
        body.insert(QStringLiteral("reasoning_effort"), r.reasoning->effort.isEmpty() ? ir::effortForBudget(r.reasoning->budgetTokens) : r.reasoning->effort);
    if (r.jsonFormat.value(u"type").toString() == u"json_object")
        body.insert(QStringLiteral("response_format"), QJsonObject { { QStringLiteral("type"), QStringLiteral("json_object") } });
    else if (!r.jsonFormat.isEmpty())
        body.insert(QStringLiteral("response_format"),
                    QJsonObject { { QStringLiteral("type"), QStringLiteral("json_schema") },
                                  { QStringLiteral("json_schema"), QJsonObject { { QStringLiteral("name"), r.jsonFormat.value(u"name") }, { QStringLiteral("schema"), r.jsonFormat.value(u"schema") },
                                                                                 { QStringLiteral("strict"), r.jsonFormat.value(u"strict") } } } });
    return body;
}

Result<ir::Response> readResponse(const QJsonObject &o)
{
    const QJsonArray choices = o.value(u"choices").toArray();
    if (choices.isEmpty())
        return Error::badGateway(QStringLiteral("upstream answer has no choices"));
    ir::Response r;
    r.id = o.value(u"id").toString();
    r.model = o.value(u"model").toString();
    const QJsonObject choice = choices.first().toObject();
    const QJsonObject msg = choice.value(u"message").toObject();
    const QString reasoning = msg.value(u"reasoning_content").toString(msg.value(u"reasoning").toString());
    if (!reasoning.isEmpty())
        r.parts.append(reasoningPart(reasoning));
    readContent(msg.value(u"content"), QStringLiteral("content"), &r.parts);
    for (const QJsonValue &cv : msg.value(u"tool_calls").toArray()) {
        const QJsonObject c = cv.toObject();
        Part p;
        p.kind = Kind::ToolCall;
        p.callId = c.value(u"id").toString();
        p.name = c.value(u"function").toObject().value(u"name").toString();
        p.arguments = c.value(u"function").toObject().value(u"arguments").toString();
        r.parts.append(p);
    }
    r.finish = finishOf(choice.value(u"finish_reason").toString());
    r.usage = usageOf(o.value(u"usage").toObject());
    return r;
}

QJsonObject writeResponse(const ir::Response &r)
{
    QJsonObject msg { { QStringLiteral("role"), QStringLiteral("assistant") } };
    QString text;
    QString reasoning;
    QJsonArray calls;
    for (const Part &p : r.parts) {
        if (p.kind == Kind::Text)
            text += p.text;
        else if (p.kind == Kind::Thinking)
            reasoning += p.text;
        else if (p.kind == Kind::ToolCall)
            calls.append(QJsonObject { { QStringLiteral("id"), p.callId }, { QStringLiteral("type"), QStringLiteral("function") },
                                       { QStringLiteral("function"), QJsonObject { { QStringLiteral("name"), p.name }, { QStringLiteral("arguments"), p.arguments } } } });
    }
    msg.insert(QStringLiteral("content"), text.isEmpty() && !calls.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text));
    if (!reasoning.isEmpty())
        msg.insert(QStringLiteral("reasoning_content"), reasoning);
    if (!calls.isEmpty())
        msg.insert(QStringLiteral("tool_calls"), calls);
    const ir::Finish finish = !calls.isEmpty() && r.finish == ir::Finish::Stop ? ir::Finish::ToolCalls : r.finish;
    return { { QStringLiteral("id"), r.id.startsWith(u"chatcmpl") ? r.id : ir::newId("chatcmpl-") },
             { QStringLiteral("object"), QStringLiteral("chat.completion") },
             { QStringLiteral("created"), double(QDateTime::currentSecsSinceEpoch()) },
             { QStringLiteral("model"), r.model },
             { QStringLiteral("choices"), QJsonArray { QJsonObject { { QStringLiteral("index"), 0 }, { QStringLiteral("message"), msg },
                                                                     { QStringLiteral("finish_reason"), finishName(WireFormat::OpenAIChat, finish) } } } },
             { QStringLiteral("usage"), usageJson(r.usage) } };
}

namespace {

class Reader final : public EventReader
{
public:
    QList<ir::Event> read(const SseEvent &ev) override
    {
        QList<ir::Event> out;
        if (ev.data.trimmed() == "[DONE]")
            return end();
        const QJsonObject c = QJsonDocument::fromJson(ev.data).object();
        if (c.contains(u"error")) {
            ir::Event e;
            e.type = ir::Event::Type::Error;
            e.error = Error::badGateway(c.value(u"error").toObject().value(u"message").toString(QStringLiteral("upstream error")));
            m_done = true;
            return { e };
        }
        if (!m_started) {
            m_started = true;
            ir::Event e;
            e.type = ir::Event::Type::Start;
            e.id = c.value(u"id").toString();
            e.model = c.value(u"model").toString();
            out << e;
        }
        if (c.value(u"usage").isObject()) {
            m_usage = usageOf(c.value(u"usage").toObject());
        }
        const QJsonArray choices = c.value(u"choices").toArray();
        if (choices.isEmpty())
            return out;
        const QJsonObject choice = choices.first().toObject();
        const QJsonObject d = choice.value(u"delta").toObject();
        const QString reasoning = d.value(u"reasoning_content").toString(d.value(u"reasoning").toString());
        if (!reasoning.isEmpty())
            deltaFor(out, Kind::Thinking, -1, reasoning, {}, {});
        const QString text = d.value(u"content").toString();
        if (!text.isEmpty())
            deltaFor(out, Kind::Text, -1, text, {}, {});
        for (const QJsonValue &tv : d.value(u"tool_calls").toArray()) {
            const QJsonObject t = tv.toObject();
            const QJsonObject f = t.value(u"function").toObject();
            deltaFor(out, Kind::ToolCall, t.value(u"index").toInt(), f.value(u"arguments").toString(), t.value(u"id").toString(), f.value(u"name").toString());
        }
        if (!choice.value(u"finish_reason").isNull() && choice.contains(u"finish_reason")) {
            m_finish = finishOf(choice.value(u"finish_reason").toString());
            m_haveFinish = true;
            closeOpen(out);
        }
        return out;
    }

    QList<ir::Event> end() override
    {
        QList<ir::Event> out;
        if (m_done)
            return out;
        m_done = true;
        closeOpen(out);
        ir::Event e;
        e.type = ir::Event::Type::Finish;
        e.finish = m_haveFinish ? m_finish : (m_sawTool ? ir::Finish::ToolCalls : ir::Finish::Stop);
        e.usage = m_usage;
        out << e;
        return out;
    }

private:
    void closeOpen(QList<ir::Event> &out)
    {
        if (m_openIndex < 0)
            return;
        ir::Event e;
        e.type = ir::Event::Type::PartStop;
        e.index = m_openIndex;
        out << e;
        m_openIndex = -1;
    }
    void deltaFor(QList<ir::Event> &out, Kind kind, int toolIndex, const QString &text, const QString &id, const QString &name)
    {
        const bool same = m_openIndex >= 0 && m_openKind == kind && (kind != Kind::ToolCall || toolIndex == m_openToolIndex || (id.isEmpty() && name.isEmpty()));
        if (!same) {
            closeOpen(out);
            ir::Event s;
            s.type = ir::Event::Type::PartStart;
            s.index = m_openIndex = m_next++;
            s.part.kind = kind;
            s.part.callId = id.isEmpty() ? ir::newId("call_") : id;
            s.part.name = name;
            s.part.signatureFormat = WireFormat::OpenAIChat;
            m_openKind = kind;
            m_openToolIndex = toolIndex;
            m_sawTool = m_sawTool || kind == Kind::ToolCall;
            out << s;
        }
        if (text.isEmpty())
            return;
        ir::Event e;
        e.type = kind == Kind::Text ? ir::Event::Type::TextDelta : kind == Kind::Thinking ? ir::Event::Type::ThinkingDelta : ir::Event::Type::ArgumentsDelta;
        e.index = m_openIndex;
        e.text = text;
        out << e;
    }

    bool m_started = false;
    bool m_done = false;
    bool m_haveFinish = false;
    bool m_sawTool = false;
    ir::Finish m_finish = ir::Finish::Stop;
    ir::Usage m_usage;
    int m_openIndex = -1;
    int m_openToolIndex = -1;
    Kind m_openKind = Kind::Text;
    int m_next = 0;
};

class Writer final : public StreamWriter
{
public:
    explicit Writer(const ir::Request &r) : m_model(r.model), m_includeUsage(r.includeUsage), m_id(ir::newId("chatcmpl-")),
                                            m_created(QDateTime::currentSecsSinceEpoch()) { }

    QByteArray write(const ir::Event &e) override
    {
        QByteArray out;
        if (m_finished)
            return out;
        if (!m_started && e.type != ir::Event::Type::Error && e.type != ir::Event::Type::Ping) {
            m_started = true;
            out += chunk(QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") }, { QStringLiteral("content"), QString() } }, QJsonValue::Null);
        }
        switch (e.type) {
        case ir::Event::Type::Start:
        case ir::Event::Type::PartStop:
            break;
        case ir::Event::Type::Usage:
            if (e.usage.known)
                m_usage = e.usage;
            break;
        case ir::Event::Type::PartStart:
            if (e.part.kind == Kind::ToolCall) {
                ++m_toolIndex;
                m_sawTool = true;
                out += chunk(QJsonObject { { QStringLiteral("tool_calls"), QJsonArray { QJsonObject {
                                                 { QStringLiteral("index"), m_toolIndex },
                                                 { QStringLiteral("id"), e.part.callId.isEmpty() ? ir::newId("call_") : e.part.callId },
                                                 { QStringLiteral("type"), QStringLiteral("function") },
                                                 { QStringLiteral("function"), QJsonObject { { QStringLiteral("name"), e.part.name }, { QStringLiteral("arguments"), QString() } } } } } } },
                             QJsonValue::Null);
            }
            break;
        case ir::Event::Type::TextDelta:
            out += chunk(QJsonObject { { QStringLiteral("content"), e.text } }, QJsonValue::Null);
            break;
        case ir::Event::Type::ThinkingDelta:
            out += chunk(QJsonObject { { QStringLiteral("reasoning_content"), e.text } }, QJsonValue::Null);
            break;
        case ir::Event::Type::SignatureDelta:
            break; // Chat has no place for reasoning signatures
        case ir::Event::Type::ArgumentsDelta:
            if (m_toolIndex >= 0 && !e.text.isEmpty())
                out += chunk(QJsonObject { { QStringLiteral("tool_calls"), QJsonArray { QJsonObject {
                                                 { QStringLiteral("index"), m_toolIndex },
                                                 { QStringLiteral("function"), QJsonObject { { QStringLiteral("arguments"), e.text } } } } } } },
                             QJsonValue::Null);
            break;
        case ir::Event::Type::Finish: {
            if (e.usage.known)
                m_usage = e.usage;
            const ir::Finish finish = m_sawTool && e.finish == ir::Finish::Stop ? ir::Finish::ToolCalls : e.finish;
            out += chunk(QJsonObject(), finishName(WireFormat::OpenAIChat, finish));
            if (m_includeUsage) {
                QJsonObject c = base();
                c.insert(QStringLiteral("choices"), QJsonArray());
                c.insert(QStringLiteral("usage"), usageJsonPublic(m_usage));
                out += "data: " + QJsonDocument(c).toJson(QJsonDocument::Compact) + "\n\n";
            }
            out += "data: [DONE]\n\n";
            m_finished = true;
            break;
        }
        case ir::Event::Type::Error:
            out += "data: " + QJsonDocument(QJsonObject { { QStringLiteral("error"), QJsonObject { { QStringLiteral("message"), e.error.message },
                                                                                                  { QStringLiteral("type"), QStringLiteral("server_error") },
                                                                                                  { QStringLiteral("code"), QStringLiteral("upstream_error") } } } })
                                  .toJson(QJsonDocument::Compact) + "\n\n";
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

    static QJsonObject usageJsonPublic(const ir::Usage &u) { return usageJson(u); }

private:
    QJsonObject base() const
    {
        return { { QStringLiteral("id"), m_id }, { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
                 { QStringLiteral("created"), double(m_created) }, { QStringLiteral("model"), m_model } };
    }
    QByteArray chunk(const QJsonObject &delta, const QJsonValue &finish) const
    {
        QJsonObject c = base();
        c.insert(QStringLiteral("choices"), QJsonArray { QJsonObject { { QStringLiteral("index"), 0 }, { QStringLiteral("delta"), delta },
                                                                       { QStringLiteral("finish_reason"), finish } } });
        return "data: " + QJsonDocument(c).toJson(QJsonDocument::Compact) + "\n\n";
    }

    QString m_model;
    bool m_includeUsage;
    QString m_id;
    qint64 m_created;
    bool m_started = false;
    bool m_finished = false;
    bool m_sawTool = false;
    int m_toolIndex = -1;
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

} // namespace d2a::fmt::chat
