// OpenAI Chat Completions requests <-> the shared model.
#include "chat_p.h"

namespace d2a::fmt::chat {

using ir::Part;
using Kind = ir::Part::Kind;

namespace {

/// A message's content: one string when it is all text, else an array of parts.
void writeContent(Writer &w, const QList<const Part *> &parts, bool allowImages, const QString &separator = {})
{
    bool onlyText = true;
    for (const Part *p : parts)
        onlyText = onlyText && p->kind == Kind::Text;
    if (onlyText) {
        if (parts.size() == 1) {
            w.string(parts.first()->text);
            return;
        }
        QString text;
        for (const Part *p : parts)
            text += (text.isEmpty() ? QString() : separator) + p->text.toString();
        w.string(text);
        return;
    }
    w.beginArray();
    for (const Part *p : parts) {
        if (p->kind == Kind::Text)
            w.beginObject().member("type", "text").member("text", p->text).endObject();
        else if (p->kind == Kind::Image && allowImages)
            w.beginObject()
                .member("type", "image_url")
                .key("image_url")
                .beginObject()
                .member("url", ir::dataUrl(*p))
                .endObject()
                .endObject();
    }
    w.endArray();
}

QList<const Part *> pointers(const QList<Part> &parts)
{
    QList<const Part *> out;
    for (const Part &p : parts)
        out.append(&p);
    return out;
}

} // namespace

Result<ir::Request> readRequest(const Value &body, const QString &)
{
    ir::Request r;
    r.model = body["model"].toString();
    if (body["n"].isNumber() && body["n"].toInteger(1) != 1)
        return fieldError(QStringLiteral("n"), QStringLiteral("must be 1 when the model speaks another API format"));
    const Value msgs = body["messages"];
    if (!msgs.isArray())
        return fieldError(QStringLiteral("messages"), QStringLiteral("must be an array"));
    const Where messages("messages");
    int i = -1;
    for (Value m : msgs.children()) {
        ++i;
        const Where where(messages, i);
        if (!m.isObject())
            return fieldError(where, QStringLiteral("must be an object"));
        const Value role = m["role"];
        if (role.stringIs("system") || role.stringIs("developer")) {
            // Leading ones are the system prompt; later ones stay where they are in the conversation.
            if (r.messages.isEmpty()) {
                if (auto e = readContent(m["content"], Where(where, "content"), &r.system, &r.dropped))
                    return *e;
            } else {
                ir::Message msg { ir::Message::Role::System, {} };
                if (auto e = readContent(m["content"], Where(where, "content"), &msg.parts, &r.dropped))
                    return *e;
                if (!msg.parts.isEmpty())
                    r.messages.append(std::move(msg));
            }
        } else if (role.stringIs("user")) {
            ir::Message msg { ir::Message::Role::User, {} };
            if (auto e = readContent(m["content"], Where(where, "content"), &msg.parts, &r.dropped))
                return *e;
            r.messages.append(std::move(msg));
        } else if (role.stringIs("assistant")) {
            ir::Message msg { ir::Message::Role::Assistant, {} };
            const QString reasoning = m["reasoning_content"].toString();
            if (!reasoning.isEmpty())
                msg.parts.append(reasoningPart(reasoning));
            if (auto e = readContent(m["content"], Where(where, "content"), &msg.parts, &r.dropped))
                return *e;
            int j = -1;
            for (Value c : m["tool_calls"].children()) {
                ++j;
                Part p;
                p.kind = Kind::ToolCall;
                p.callId = c["id"].toString();
                p.name = c["function"]["name"].toString();
                p.arguments = c["function"]["arguments"].toText();
                if (p.name.isEmpty())
                    return fieldError(QStringLiteral("%1.tool_calls[%2].function.name").arg(where).arg(j),
                                      QStringLiteral("is missing"));
                ir::fromClient(&p, WireFormat::OpenAIChat); // a Gemini call signature carried in the id
                msg.parts.append(std::move(p));
            }
            r.messages.append(std::move(msg));
        } else if (role.stringIs("tool")) {
            Part p;
            p.kind = Kind::ToolResult;
            p.callId = ir::plainCallId(m["tool_call_id"].toString());
            if (auto e = readContent(m["content"], Where(where, "content"), &p.result, &r.dropped))
                return *e;
            // Consecutive tool messages answer one assistant turn: keep them together.
            if (!r.messages.isEmpty() && r.messages.last().role == ir::Message::Role::Tool)
                r.messages.last().parts.append(std::move(p));
            else
                r.messages.append({ ir::Message::Role::Tool, { std::move(p) } });
        } else {
            r.dropped << QStringLiteral("%1 (role %2)")
                             .arg(where.toString(), role.isString() ? role.toString() : QStringLiteral("missing"));
        }
    }
    i = -1;
    for (Value t : body["tools"].children()) {
        ++i;
        if (t["type"].isString() && !t["type"].stringIs("function")) {
            r.dropped << QStringLiteral("tools[%1] (%2)").arg(i).arg(t["type"].toString());
            continue;
        }
        const Value f = t["function"];
        const Value params = f["parameters"];
        r.tools.append(ir::Tool::make(f["name"].toString(), f["description"].toText(),
                                      params.isObject() ? json::Fragment(params) : json::Fragment()));
    }
    const Value tc = body["tool_choice"];
    if (tc.isString()) {
        r.toolChoice = ir::ToolChoice { tc.stringIs("none")       ? ir::ToolChoice::Mode::None
                                        : tc.stringIs("required") ? ir::ToolChoice::Mode::Required
                                                                  : ir::ToolChoice::Mode::Auto,
                                        {} };
    } else if (tc.isObject()) {
        r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::Specific, tc["function"]["name"].toString() };
    }
    if (body["parallel_tool_calls"].isBool())
        r.parallelToolCalls = body["parallel_tool_calls"].toBool(true);
    r.temperature = numberOf(body["temperature"]);
    r.topP = numberOf(body["top_p"]);
    const Value stop = body["stop"];
    if (stop.isString())
        r.stop << stop.toString();
    for (Value s : stop.children())
        r.stop << s.toString();
    if (body["max_completion_tokens"].isNumber())
        r.maxTokens = int(body["max_completion_tokens"].toInteger());
    else if (body["max_tokens"].isNumber())
        r.maxTokens = int(body["max_tokens"].toInteger());
    r.stream = body["stream"].toBool(false);
    r.includeUsage = body["stream_options"]["include_usage"].toBool(false);
    const QString effort = body["reasoning_effort"].toString();
    if (!effort.isEmpty() && effort != u"none")
        r.reasoning = ir::Reasoning { true, ir::budgetForEffort(effort), effort };
    const Value rf = body["response_format"];
    if (rf["type"].stringIs("json_object")) {
        r.jsonFormat.kind = ir::JsonFormat::Kind::Object;
    } else if (rf["type"].stringIs("json_schema")) {
        const Value js = rf["json_schema"];
        r.jsonFormat.kind = ir::JsonFormat::Kind::Schema;
        r.jsonFormat.name = js["name"].toString(QStringLiteral("output"));
        r.jsonFormat.description = js["description"].toString();
        r.jsonFormat.schema = js["schema"].isObject() ? json::Fragment(js["schema"]) : json::Fragment();
        if (js["strict"].isBool())
            r.jsonFormat.strict = js["strict"].toBool();
    }
    noteUnknownKeys(body,
                    { "model", "messages", "tools", "tool_choice", "parallel_tool_calls", "temperature", "top_p",
                      "stop", "max_tokens", "max_completion_tokens", "stream", "reasoning_effort", "response_format",
                      "n" },
                    &r.dropped);
    return r;
}

Result<json::Document> writeRequest(const ir::Request &r)
{
    QByteArray out;
    out.reserve(r.sourceBytes + r.sourceBytes / 8 + 1024); // the text is mostly the client's, copied
    out.reserve(4096);
    Writer w(&out);
    w.recordTree(); // the protocol edits work on it next, without parsing it again
    w.beginObject().member("model", r.model).key("messages").beginArray();
    // One system message first: chat templates of many open models (vLLM, llama.cpp) accept no other.
    const QList<Part> system = systemWithFolded(r);
    if (!system.isEmpty()) {
        w.beginObject().member("role", "system").key("content");
        writeContent(w, pointers(system), false, QStringLiteral("\n\n")); // blocks of a system prompt are paragraphs
        w.endObject();
    }
    for (const ir::Message &m : r.messages) {
        if (m.role == ir::Message::Role::System)
            continue;
        if (m.role == ir::Message::Role::Tool) {
            for (const Part &p : m.parts) {
                if (p.kind != Kind::ToolResult)
                    continue;
                w.beginObject().member("role", "tool").member("tool_call_id", p.callId).key("content");
                bool onlyText = true;
                for (const Part &rp : p.result)
                    onlyText = onlyText && rp.kind == Kind::Text;
                if (onlyText) {
                    QString text = p.isError ? QStringLiteral("Error: ") : QString();
                    for (const Part &rp : p.result)
                        text += rp.text;
                    w.string(text);
                } else {
                    writeContent(w, pointers(p.result), false);
                }
                w.endObject();
            }
            continue;
        }
        QList<const Part *> content;
        QList<const Part *> calls;
        QString reasoning;
        for (const Part &p : m.parts) {
            if (p.kind == Kind::ToolCall)
                calls.append(&p);
            else if (p.kind == Kind::Thinking && p.signatureFormat == WireFormat::OpenAIChat)
                reasoning += p.text; // a Chat model's own reasoning text; another vendor's is not replayed
            else if (p.kind == Kind::Text || p.kind == Kind::Image)
                content.append(&p);
        }
        w.beginObject().member("role", m.role == ir::Message::Role::Assistant ? "assistant" : "user").key("content");
        if (content.isEmpty() && !calls.isEmpty())
            w.null();
        else
            writeContent(w, content, true);
        if (!calls.isEmpty()) {
            w.key("tool_calls").beginArray();
            for (const Part *c : calls) {
                w.beginObject().member("id", c->callId).member("type", "function").key("function").beginObject();
                w.member("name", c->name).member("arguments", c->arguments).endObject().endObject();
            }
            w.endArray();
        }
        if (!reasoning.isEmpty())
            w.member("reasoning_content", reasoning);
        w.endObject();
    }
    w.endArray();
    if (r.maxTokens)
        w.member("max_tokens", *r.maxTokens);
    if (r.temperature) {
        w.key("temperature");
        writeNumber(w, *r.temperature);
    }
    if (r.topP) {
        w.key("top_p");
        writeNumber(w, *r.topP);
    }
    if (!r.stop.isEmpty()) {
        w.key("stop").beginArray();
        for (const QString &s : r.stop)
            w.string(s);
        w.endArray();
    }
    if (r.stream) {
        w.member("stream", true);
        w.key("stream_options").beginObject().member("include_usage", true).endObject();
    }
    if (!r.tools.isEmpty()) {
        w.key("tools").beginArray();
        for (const ir::Tool &t : r.tools) {
            w.beginObject().member("type", "function").key("function").beginObject().member("name", t.name);
            w.member("description", t.description).key("parameters");
            writeClientSchema(w, t.parameters);
            w.endObject().endObject();
        }
        w.endArray();
        if (r.toolChoice) {
            w.key("tool_choice");
            switch (r.toolChoice->mode) {
            case ir::ToolChoice::Mode::Auto: w.string("auto"); break;
            case ir::ToolChoice::Mode::None: w.string("none"); break;
            case ir::ToolChoice::Mode::Required: w.string("required"); break;
            case ir::ToolChoice::Mode::Specific:
                w.beginObject()
                    .member("type", "function")
                    .key("function")
                    .beginObject()
                    .member("name", r.toolChoice->name)
                    .endObject()
                    .endObject();
                break;
            }
        }
        if (r.parallelToolCalls)
            w.member("parallel_tool_calls", *r.parallelToolCalls);
    }
    if (r.reasoning && r.reasoning->enabled)
        w.member("reasoning_effort",
                 r.reasoning->effort.isEmpty() ? ir::effortForBudget(r.reasoning->budgetTokens) : r.reasoning->effort);
    if (r.jsonFormat.kind == ir::JsonFormat::Kind::Object) {
        w.key("response_format").beginObject().member("type", "json_object").endObject();
    } else if (r.jsonFormat.kind == ir::JsonFormat::Kind::Schema) {
        w.key("response_format").beginObject().member("type", "json_schema").key("json_schema").beginObject();
        w.member("name", r.jsonFormat.name);
        if (!r.jsonFormat.description.isEmpty())
            w.member("description", r.jsonFormat.description);
        writeClientSchema(w.key("schema"), r.jsonFormat.schema);
        if (r.jsonFormat.strict)
            w.member("strict", *r.jsonFormat.strict);
        w.endObject().endObject();
    }
    w.endObject();
    return w.takeDocument();
}

} // namespace d2a::fmt::chat
