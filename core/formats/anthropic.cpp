// Anthropic Messages <-> the shared model.
#include "formats_p.h"

#include <QtCore/qjsondocument.h>

namespace d2a::fmt::anthropic {

using ir::Part;
using Kind = ir::Part::Kind;

namespace {

std::optional<Error> readBlock(const QJsonValue &v, const QString &where, QList<Part> *out)
{
    if (v.isString()) {
        out->append(Part::makeText(v.toString()));
        return std::nullopt;
    }
    if (!v.isObject())
        return fieldError(where, QStringLiteral("must be a content block object"));
    const QJsonObject b = v.toObject();
    const QString type = b.value(u"type").toString();
    Part p;
    if (type == u"text") {
        p.text = b.value(u"text").toString();
    } else if (type == u"image") {
        p.kind = Kind::Image;
        const QJsonObject src = b.value(u"source").toObject();
        if (src.value(u"type").toString() == u"url") {
            p.url = src.value(u"url").toString();
        } else if (src.value(u"type").toString() == u"base64") {
            p.mediaType = src.value(u"media_type").toString();
            p.data = src.value(u"data").toString();
        } else {
            return fieldError(where + QStringLiteral(".source.type"), QStringLiteral("must be base64 or url"));
        }
    } else if (type == u"tool_use") {
        p.kind = Kind::ToolCall;
        p.callId = b.value(u"id").toString();
        p.name = b.value(u"name").toString();
        p.arguments = ir::compactJson(b.value(u"input").isObject() ? b.value(u"input") : QJsonValue(QJsonObject()));
    } else if (type == u"tool_result") {
        p.kind = Kind::ToolResult;
        p.callId = b.value(u"tool_use_id").toString();
        p.isError = b.value(u"is_error").toBool(false);
        const QJsonValue c = b.value(u"content");
        if (c.isString()) {
            p.result.append(Part::makeText(c.toString()));
        } else if (c.isArray()) {
            const QJsonArray arr = c.toArray();
            for (int i = 0; i < arr.size(); ++i)
                if (auto e = readBlock(arr[i], where + QStringLiteral(".content[%1]").arg(i), &p.result))
                    return e;
        }
    } else if (type == u"thinking") {
        p.kind = Kind::Thinking;
        p.text = b.value(u"thinking").toString();
        p.signature = ir::unwrapSignature(b.value(u"signature").toString(), &p.signatureFormat);
    } else if (type == u"redacted_thinking") {
        p.kind = Kind::RedactedThinking;
        p.text = b.value(u"data").toString();
        p.signatureFormat = WireFormat::Anthropic;
    } else {
        return fieldError(where + QStringLiteral(".type"), QStringLiteral("'%1' cannot be translated to another API format").arg(type));
    }
    out->append(p);
    return std::nullopt;
}

QJsonObject writeBlock(const Part &p)
{
    switch (p.kind) {
    case Kind::Text: return { { QStringLiteral("type"), QStringLiteral("text") }, { QStringLiteral("text"), p.text } };
    case Kind::Image:
        if (!p.url.isEmpty())
            return { { QStringLiteral("type"), QStringLiteral("image") },
                     { QStringLiteral("source"), QJsonObject { { QStringLiteral("type"), QStringLiteral("url") }, { QStringLiteral("url"), p.url } } } };
        return { { QStringLiteral("type"), QStringLiteral("image") },
                 { QStringLiteral("source"), QJsonObject { { QStringLiteral("type"), QStringLiteral("base64") },
                                                           { QStringLiteral("media_type"), p.mediaType },
                                                           { QStringLiteral("data"), p.data } } } };
    case Kind::ToolCall:
        return { { QStringLiteral("type"), QStringLiteral("tool_use") }, { QStringLiteral("id"), p.callId },
                 { QStringLiteral("name"), p.name }, { QStringLiteral("input"), ir::argumentsObject(p.arguments).value_or(QJsonObject()) } };
    case Kind::ToolResult: {
        QJsonArray content;
        for (const Part &r : p.result)
            content.append(writeBlock(r));
        QJsonObject o { { QStringLiteral("type"), QStringLiteral("tool_result") }, { QStringLiteral("tool_use_id"), p.callId },
                        { QStringLiteral("content"), content } };
        if (p.isError)
            o.insert(QStringLiteral("is_error"), true);
        return o;
    }
    case Kind::Thinking:
        return { { QStringLiteral("type"), QStringLiteral("thinking") }, { QStringLiteral("thinking"), p.text },
                 { QStringLiteral("signature"), ir::wrapSignature(p.signatureFormat, p.signature) } };
    case Kind::RedactedThinking:
        return { { QStringLiteral("type"), QStringLiteral("redacted_thinking") }, { QStringLiteral("data"), p.text } };
    }
    return {};
}

ir::Finish finishOf(const QString &stop)
{
    if (stop == u"max_tokens" || stop == u"model_context_window_exceeded")
        return ir::Finish::Length;
    if (stop == u"tool_use")
        return ir::Finish::ToolCalls;
    if (stop == u"refusal")
        return ir::Finish::ContentFilter;
    return ir::Finish::Stop;
}

ir::Usage usageOf(const QJsonObject &u)
{
    ir::Usage usage;
    if (u.isEmpty())
        return usage;
    usage.known = true;
    usage.input = qint64(u.value(u"input_tokens").toDouble());
    usage.output = qint64(u.value(u"output_tokens").toDouble());
    usage.cacheRead = qint64(u.value(u"cache_read_input_tokens").toDouble());
    usage.cacheWrite = qint64(u.value(u"cache_creation_input_tokens").toDouble());
    return usage;
}

QJsonObject usageJson(const ir::Usage &u)
{
    QJsonObject o { { QStringLiteral("input_tokens"), double(u.input) }, { QStringLiteral("output_tokens"), double(u.output) } };
    if (u.cacheRead)
        o.insert(QStringLiteral("cache_read_input_tokens"), double(u.cacheRead));
    if (u.cacheWrite)
        o.insert(QStringLiteral("cache_creation_input_tokens"), double(u.cacheWrite));
    return o;
}

} // namespace

Result<ir::Request> readRequest(const QJsonObject &body)
{
    ir::Request r;
    r.model = body.value(u"model").toString();
    const QJsonValue system = body.value(u"system");
    if (system.isString()) {
        if (!system.toString().isEmpty())
            r.system.append(Part::makeText(system.toString()));
    } else if (system.isArray()) {
        for (const QJsonValue &b : system.toArray())
            r.system.append(Part::makeText(b.toObject().value(u"text").toString()));
    } else if (!system.isUndefined() && !system.isNull()) {
        return fieldError(QStringLiteral("system"), QStringLiteral("must be a string or an array of text blocks"));
    }
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
        if (role != u"user" && role != u"assistant")
            return fieldError(where + QStringLiteral(".role"), QStringLiteral("must be user or assistant"));
        QList<Part> parts;
        const QJsonValue content = m.value(u"content");
        if (content.isString()) {
            parts.append(Part::makeText(content.toString()));
        } else if (content.isArray()) {
            const QJsonArray blocks = content.toArray();
            for (int j = 0; j < blocks.size(); ++j)
                if (auto e = readBlock(blocks[j], where + QStringLiteral(".content[%1]").arg(j), &parts))
                    return *e;
        } else {
            return fieldError(where + QStringLiteral(".content"), QStringLiteral("must be a string or an array"));
        }
        // Tool results travel in user turns; the shared model keeps them as Tool messages.
        ir::Message userPart { ir::Message::Role::User, {} };
        ir::Message toolPart { ir::Message::Role::Tool, {} };
        if (role == u"assistant") {
            r.messages.append({ ir::Message::Role::Assistant, parts });
            continue;
        }
        for (const Part &p : parts) {
            if (p.kind == Kind::ToolResult) {
                if (!userPart.parts.isEmpty()) {
                    r.messages.append(userPart);
                    userPart.parts.clear();
                }
                toolPart.parts.append(p);
            } else {
                if (!toolPart.parts.isEmpty()) {
                    r.messages.append(toolPart);
                    toolPart.parts.clear();
                }
                userPart.parts.append(p);
            }
        }
        if (!toolPart.parts.isEmpty())
            r.messages.append(toolPart);
        if (!userPart.parts.isEmpty())
            r.messages.append(userPart);
    }
    const QJsonArray tools = body.value(u"tools").toArray();
    for (int i = 0; i < tools.size(); ++i) {
        const QJsonObject t = tools[i].toObject();
        const QString type = t.value(u"type").toString();
        if (!type.isEmpty() && type != u"custom")
            return fieldError(QStringLiteral("tools[%1].type").arg(i),
                       QStringLiteral("'%1' is an Anthropic server tool and cannot be translated").arg(type));
        r.tools.append({ t.value(u"name").toString(), t.value(u"description").toString(), t.value(u"input_schema").toObject() });
    }
    if (body.contains(u"tool_choice")) {
        const QJsonObject tc = body.value(u"tool_choice").toObject();
        const QString type = tc.value(u"type").toString();
        ir::ToolChoice choice;
        choice.mode = type == u"any" ? ir::ToolChoice::Mode::Required
            : type == u"tool"        ? ir::ToolChoice::Mode::Specific
            : type == u"none"        ? ir::ToolChoice::Mode::None
                                     : ir::ToolChoice::Mode::Auto;
        choice.name = tc.value(u"name").toString();
        r.toolChoice = choice;
        if (tc.value(u"disable_parallel_tool_use").toBool(false))
            r.parallelToolCalls = false;
    }
    if (body.contains(u"max_tokens"))
        r.maxTokens = body.value(u"max_tokens").toInt();
    if (body.contains(u"temperature"))
        r.temperature = body.value(u"temperature").toDouble();
    if (body.contains(u"top_p"))
        r.topP = body.value(u"top_p").toDouble();
    if (body.contains(u"top_k"))
        r.topK = body.value(u"top_k").toInt();
    for (const QJsonValue &s : body.value(u"stop_sequences").toArray())
        r.stop << s.toString();
    r.stream = body.value(u"stream").toBool(false);
    const QJsonObject thinking = body.value(u"thinking").toObject();
    if (thinking.value(u"type").toString() == u"enabled") {
        ir::Reasoning reasoning;
        reasoning.enabled = true;
        reasoning.budgetTokens = thinking.value(u"budget_tokens").toInt();
        reasoning.effort = ir::effortForBudget(reasoning.budgetTokens);
        r.reasoning = reasoning;
    }
    return r;
}

Result<QJsonObject> writeRequest(const ir::Request &r)
{
    QJsonObject body { { QStringLiteral("model"), r.model } };
    if (!r.jsonFormat.isEmpty())
        return fieldError(QStringLiteral("response_format"), QStringLiteral("(JSON output mode) has no Anthropic Messages equivalent"));
    QJsonArray system;
    for (const Part &p : r.system)
        system.append(writeBlock(p));
    if (!system.isEmpty())
        body.insert(QStringLiteral("system"), system);
    // Anthropic wants alternating user/assistant turns; tool results are user content.
    QJsonArray messages;
    QString lastRole;
    bool droppedThinking = false;
    for (const ir::Message &m : r.messages) {
        const QString role = m.role == ir::Message::Role::Assistant ? QStringLiteral("assistant") : QStringLiteral("user");
        QJsonArray blocks;
        for (const Part &p : m.parts) {
            if ((p.kind == Kind::Thinking || p.kind == Kind::RedactedThinking)
                && (p.signatureFormat != WireFormat::Anthropic || (p.kind == Kind::Thinking && p.signature.isEmpty()))) {
                droppedThinking = true; // another vendor's reasoning cannot be replayed to Anthropic
                continue;
            }
            if (p.kind == Kind::Image && !p.url.isEmpty() && !p.url.startsWith(u"http"))
                return fieldError(QStringLiteral("messages"), QStringLiteral("contain an image URL Anthropic cannot fetch: %1").arg(p.url.left(60)));
            blocks.append(writeBlock(p));
        }
        if (blocks.isEmpty())
            continue;
        if (role == lastRole && !messages.isEmpty()) {
            QJsonObject prev = messages.last().toObject();
            QJsonArray content = prev.value(u"content").toArray();
            for (const QJsonValue &b : blocks)
                content.append(b);
            prev.insert(QStringLiteral("content"), content);
            messages[messages.size() - 1] = prev;
        } else {
            messages.append(QJsonObject { { QStringLiteral("role"), role }, { QStringLiteral("content"), blocks } });
        }
        lastRole = role;
    }
    body.insert(QStringLiteral("messages"), messages);
    // Anthropic requires max_tokens; 32000 fits every current Claude model's output limit.
    body.insert(QStringLiteral("max_tokens"), r.maxTokens.value_or(32000));
    if (r.temperature)
        body.insert(QStringLiteral("temperature"), qBound(0.0, *r.temperature, 1.0));
    if (r.topP)
        body.insert(QStringLiteral("top_p"), *r.topP);
    if (r.topK)
        body.insert(QStringLiteral("top_k"), *r.topK);
    if (!r.stop.isEmpty())
        body.insert(QStringLiteral("stop_sequences"), QJsonArray::fromStringList(r.stop));
    if (r.stream)
        body.insert(QStringLiteral("stream"), true);
    QJsonArray tools;
    for (const ir::Tool &t : r.tools) {
        QJsonObject schema = t.parameters.isEmpty() ? QJsonObject { { QStringLiteral("type"), QStringLiteral("object") } } : t.parameters;
        QJsonObject tool { { QStringLiteral("name"), t.name }, { QStringLiteral("input_schema"), schema } };
        if (!t.description.isEmpty())
            tool.insert(QStringLiteral("description"), t.description);
        tools.append(tool);
    }
    if (!tools.isEmpty())
        body.insert(QStringLiteral("tools"), tools);
    if (r.toolChoice && !tools.isEmpty()) {
        QJsonObject tc;
        switch (r.toolChoice->mode) {
        case ir::ToolChoice::Mode::Auto: tc.insert(QStringLiteral("type"), QStringLiteral("auto")); break;
        case ir::ToolChoice::Mode::None: tc.insert(QStringLiteral("type"), QStringLiteral("none")); break;
        case ir::ToolChoice::Mode::Required: tc.insert(QStringLiteral("type"), QStringLiteral("any")); break;
        case ir::ToolChoice::Mode::Specific:
            tc.insert(QStringLiteral("type"), QStringLiteral("tool"));
            tc.insert(QStringLiteral("name"), r.toolChoice->name);
            break;
        }
        if (r.parallelToolCalls == false)
            tc.insert(QStringLiteral("disable_parallel_tool_use"), true);
        body.insert(QStringLiteral("tool_choice"), tc);
    }
    if (r.reasoning && r.reasoning->enabled && !droppedThinking) {
        const int budget = r.reasoning->budgetTokens > 0 ? r.reasoning->budgetTokens : ir::budgetForEffort(r.reasoning->effort);
        if (budget >= 1024) {
            body.insert(QStringLiteral("thinking"), QJsonObject { { QStringLiteral("type"), QStringLiteral("enabled") },
                                                                   { QStringLiteral("budget_tokens"), budget } });
            if (body.value(u"max_tokens").toInt() <= budget)
                body.insert(QStringLiteral("max_tokens"), budget + 4096);
            body.remove(QStringLiteral("temperature"));
            body.remove(QStringLiteral("top_k"));
        }
    }
    return body;
}

Result<ir::Response> readResponse(const QJsonObject &o)
{
    if (o.value(u"type").toString() != u"message")
        return Error::badGateway(QStringLiteral("upstream answer is not an Anthropic message"));
    ir::Response r;
    r.id = o.value(u"id").toString();
    r.model = o.value(u"model").toString();
    for (const QJsonValue &b : o.value(u"content").toArray())
        readBlock(b, QStringLiteral("content"), &r.parts);
    r.finish = finishOf(o.value(u"stop_reason").toString());
    r.usage = usageOf(o.value(u"usage").toObject());
    return r;
}

QJsonObject writeResponse(const ir::Response &r)
{
    QJsonArray content;
    for (const Part &p : r.parts)
        content.append(writeBlock(p));
    return { { QStringLiteral("id"), r.id.startsWith(u"msg_") ? r.id : ir::newId("msg_") },
             { QStringLiteral("type"), QStringLiteral("message") },
             { QStringLiteral("role"), QStringLiteral("assistant") },
             { QStringLiteral("model"), r.model },
             { QStringLiteral("content"), content },
             { QStringLiteral("stop_reason"), finishName(WireFormat::Anthropic, r.finish) },
             { QStringLiteral("stop_sequence"), QJsonValue::Null },
             { QStringLiteral("usage"), usageJson(r.usage) } };
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
        if (type == u"message_start") {
            const QJsonObject m = d.value(u"message").toObject();
            ir::Event e;
            e.type = ir::Event::Type::Start;
            e.id = m.value(u"id").toString();
            e.model = m.value(u"model").toString();
            out << e;
            m_usage = usageOf(m.value(u"usage").toObject());
        } else if (type == u"content_block_start") {
            const QJsonObject b = d.value(u"content_block").toObject();
            ir::Event e;
            e.type = ir::Event::Type::PartStart;
            e.index = d.value(u"index").toInt();
            const QString bt = b.value(u"type").toString();
            e.part.kind = bt == u"tool_use" ? Kind::ToolCall : bt == u"thinking" ? Kind::Thinking
                        : bt == u"redacted_thinking" ? Kind::RedactedThinking : Kind::Text;
            e.part.callId = b.value(u"id").toString();
            e.part.name = b.value(u"name").toString();
            e.part.signatureFormat = WireFormat::Anthropic;
            if (e.part.kind == Kind::RedactedThinking)
                e.part.text = b.value(u"data").toString();
            out << e;
            if (e.part.kind == Kind::Text && !b.value(u"text").toString().isEmpty())
                out << delta(ir::Event::Type::TextDelta, e.index, b.value(u"text").toString());
        } else if (type == u"content_block_delta") {
            const QJsonObject dl = d.value(u"delta").toObject();
            const int index = d.value(u"index").toInt();
            const QString dt = dl.value(u"type").toString();
            if (dt == u"text_delta")
                out << delta(ir::Event::Type::TextDelta, index, dl.value(u"text").toString());
            else if (dt == u"thinking_delta")
                out << delta(ir::Event::Type::ThinkingDelta, index, dl.value(u"thinking").toString());
            else if (dt == u"signature_delta")
                out << delta(ir::Event::Type::SignatureDelta, index, dl.value(u"signature").toString());
            else if (dt == u"input_json_delta")
                out << delta(ir::Event::Type::ArgumentsDelta, index, dl.value(u"partial_json").toString());
        } else if (type == u"content_block_stop") {
            ir::Event e;
            e.type = ir::Event::Type::PartStop;
            e.index = d.value(u"index").toInt();
            out << e;
        } else if (type == u"message_delta") {
            const ir::Usage u = usageOf(d.value(u"usage").toObject());
            m_usage.known = true;
            m_usage.output = u.output;
            if (u.input)
                m_usage.input = u.input;
            if (u.cacheRead)
                m_usage.cacheRead = u.cacheRead;
            m_finish = finishOf(d.value(u"delta").toObject().value(u"stop_reason").toString());
            m_haveFinish = true;
        } else if (type == u"message_stop") {
            out << finishEvent();
        } else if (type == u"ping") {
            ir::Event e;
            e.type = ir::Event::Type::Ping;
            out << e;
        } else if (type == u"error") {
            ir::Event e;
            e.type = ir::Event::Type::Error;
            const QJsonObject err = d.value(u"error").toObject();
            e.error = Error { err.value(u"type").toString() == u"overloaded_error" ? 529 : 502,
                              err.value(u"message").toString(QStringLiteral("upstream error")), {} };
            out << e;
            m_done = true;
        }
        return out;
    }

    QList<ir::Event> end() override
    {
        if (m_done)
            return {};
        return { finishEvent() };
    }

private:
    static ir::Event delta(ir::Event::Type t, int index, const QString &text)
    {
        ir::Event e;
        e.type = t;
        e.index = index;
        e.text = text;
        return e;
    }
    ir::Event finishEvent()
    {
        m_done = true;
        ir::Event e;
        e.type = ir::Event::Type::Finish;
        e.finish = m_haveFinish ? m_finish : ir::Finish::Stop;
        e.usage = m_usage;
        return e;
    }
    ir::Usage m_usage;
    ir::Finish m_finish = ir::Finish::Stop;
    bool m_haveFinish = false;
    bool m_done = false;
};

class Writer final : public StreamWriter
{
public:
    explicit Writer(const ir::Request &r) : m_model(r.model) { }

    QByteArray write(const ir::Event &e) override
    {
        QByteArray out;
        if (m_finished)
            return out;
        if (!m_started && e.type != ir::Event::Type::Error) {
            m_started = true;
            out += sseJson("message_start",
                           { { QStringLiteral("type"), QStringLiteral("message_start") },
                             { QStringLiteral("message"),
                               QJsonObject { { QStringLiteral("id"), e.type == ir::Event::Type::Start && !e.id.isEmpty() && e.id.startsWith(u"msg_") ? e.id : ir::newId("msg_") },
                                             { QStringLiteral("type"), QStringLiteral("message") },
                                             { QStringLiteral("role"), QStringLiteral("assistant") },
                                             { QStringLiteral("model"), m_model },
                                             { QStringLiteral("content"), QJsonArray() },
                                             { QStringLiteral("stop_reason"), QJsonValue::Null },
                                             { QStringLiteral("stop_sequence"), QJsonValue::Null },
                                             { QStringLiteral("usage"), QJsonObject { { QStringLiteral("input_tokens"), 0 }, { QStringLiteral("output_tokens"), 0 } } } } } });
        }
        switch (e.type) {
        case ir::Event::Type::Start:
        case ir::Event::Type::Usage:
            if (e.usage.known)
                m_usage = e.usage;
            break;
        case ir::Event::Type::PartStart: {
            closeOpen(out);
            m_open = true;
            m_openKind = e.part.kind;
            m_sawTool = m_sawTool || e.part.kind == Kind::ToolCall;
            QJsonObject block;
            switch (e.part.kind) {
            case Kind::ToolCall:
                block = { { QStringLiteral("type"), QStringLiteral("tool_use") }, { QStringLiteral("id"), e.part.callId.isEmpty() ? ir::newId("toolu_") : e.part.callId },
                          { QStringLiteral("name"), e.part.name }, { QStringLiteral("input"), QJsonObject() } };
                break;
            case Kind::Thinking:
                block = { { QStringLiteral("type"), QStringLiteral("thinking") }, { QStringLiteral("thinking"), QString() }, { QStringLiteral("signature"), QString() } };
                m_signature = e.part.signature;
                m_signatureFormat = e.part.signatureFormat;
                break;
            case Kind::RedactedThinking:
                block = { { QStringLiteral("type"), QStringLiteral("redacted_thinking") }, { QStringLiteral("data"), e.part.text } };
                break;
            default:
                block = { { QStringLiteral("type"), QStringLiteral("text") }, { QStringLiteral("text"), QString() } };
                m_openKind = Kind::Text;
            }
            out += sseJson("content_block_start", { { QStringLiteral("type"), QStringLiteral("content_block_start") },
                                                    { QStringLiteral("index"), m_index }, { QStringLiteral("content_block"), block } });
            break;
        }
        case ir::Event::Type::TextDelta:
            ensureOpen(out, Kind::Text);
            out += blockDelta(QJsonObject { { QStringLiteral("type"), QStringLiteral("text_delta") }, { QStringLiteral("text"), e.text } });
            break;
        case ir::Event::Type::ThinkingDelta:
            ensureOpen(out, Kind::Thinking);
            out += blockDelta(QJsonObject { { QStringLiteral("type"), QStringLiteral("thinking_delta") }, { QStringLiteral("thinking"), e.text } });
            break;
        case ir::Event::Type::SignatureDelta:
            if (m_open && m_openKind == Kind::Thinking)
                m_signature += e.text;
            break;
        case ir::Event::Type::ArgumentsDelta:
            if (m_open && m_openKind == Kind::ToolCall && !e.text.isEmpty())
                out += blockDelta(QJsonObject { { QStringLiteral("type"), QStringLiteral("input_json_delta") }, { QStringLiteral("partial_json"), e.text } });
            break;
        case ir::Event::Type::PartStop:
            closeOpen(out);
            break;
        case ir::Event::Type::Finish: {
            closeOpen(out);
            if (e.usage.known)
                m_usage = e.usage;
            const ir::Finish finish = m_sawTool && e.finish == ir::Finish::Stop ? ir::Finish::ToolCalls : e.finish;
            QJsonObject usage = usageJson(m_usage);
            out += sseJson("message_delta", { { QStringLiteral("type"), QStringLiteral("message_delta") },
                                              { QStringLiteral("delta"), QJsonObject { { QStringLiteral("stop_reason"), finishName(WireFormat::Anthropic, finish) },
                                                                                       { QStringLiteral("stop_sequence"), QJsonValue::Null } } },
                                              { QStringLiteral("usage"), usage } });
            out += sseJson("message_stop", { { QStringLiteral("type"), QStringLiteral("message_stop") } });
            m_finished = true;
            break;
        }
        case ir::Event::Type::Error:
            out += "event: error\ndata: " + QJsonDocument(QJsonObject { { QStringLiteral("type"), QStringLiteral("error") },
                                                                         { QStringLiteral("error"), QJsonObject { { QStringLiteral("type"), e.error.httpStatus == 529 ? QStringLiteral("overloaded_error") : QStringLiteral("api_error") },
                                                                                                                 { QStringLiteral("message"), e.error.message } } } })
                                                 .toJson(QJsonDocument::Compact) + "\n\n";
            m_finished = true;
            break;
        case ir::Event::Type::Ping:
            out += keepAlive();
            break;
        }
        return out;
    }

    QByteArray keepAlive() override { return QByteArrayLiteral("event: ping\ndata: {\"type\":\"ping\"}\n\n"); }
    bool finished() const override { return m_finished; }

private:
    QByteArray blockDelta(const QJsonObject &delta)
    {
        return sseJson("content_block_delta", { { QStringLiteral("type"), QStringLiteral("content_block_delta") },
                                                { QStringLiteral("index"), m_index }, { QStringLiteral("delta"), delta } });
    }
    void ensureOpen(QByteArray &out, Kind kind)
    {
        if (m_open && m_openKind == kind)
            return;
        ir::Event start;
        start.type = ir::Event::Type::PartStart;
        start.part.kind = kind;
        out += write(start);
    }
    void closeOpen(QByteArray &out)
    {
        if (!m_open)
            return;
        if (m_openKind == Kind::Thinking) // a thinking block ends with its signature (Claude Code expects it)
            out += blockDelta(QJsonObject { { QStringLiteral("type"), QStringLiteral("signature_delta") },
                                            { QStringLiteral("signature"), ir::wrapSignature(m_signatureFormat, m_signature) } });
        out += sseJson("content_block_stop", { { QStringLiteral("type"), QStringLiteral("content_block_stop") }, { QStringLiteral("index"), m_index } });
        m_open = false;
        m_signature.clear();
        ++m_index;
    }

    QString m_model;
    bool m_started = false;
    bool m_finished = false;
    bool m_open = false;
    bool m_sawTool = false;
    Kind m_openKind = Kind::Text;
    int m_index = 0;
    QString m_signature;
    WireFormat m_signatureFormat = WireFormat::Anthropic;
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

} // namespace d2a::fmt::anthropic
