// OpenAI Responses requests <-> the shared model.
#include "responses_p.h"

namespace d2a::fmt::responses {

using ir::Part;
using Kind = ir::Part::Kind;

Result<ir::Request> readRequest(const Value &body, const QString &)
{
    ir::Request r;
    r.model = body["model"].toString();
    // What needs OpenAI's server-side state cannot be served by another vendor: refused, never dropped.
    for (const char *stateful : { "previous_response_id", "conversation" })
        if (body[QLatin1StringView(stateful)].isSet())
            return fieldError(QLatin1StringView(stateful),
                              QStringLiteral("needs server-side conversation state, which only OpenAI-type models "
                                             "have; send the whole input instead"));
    if (body["background"].toBool(false))
        return fieldError(QStringLiteral("background"),
                          QStringLiteral("needs a stored response to fetch later, which only OpenAI-type models have; "
                                         "send the request without background"));
    const QString instructions = body["instructions"].toString();
    if (!instructions.isEmpty())
        r.system.append(Part::makeText(instructions));
    const Value input = body["input"];
    auto appendTo = [&r](ir::Message::Role role, const Part &p) {
        if (!r.messages.isEmpty() && r.messages.last().role == role)
            r.messages.last().parts.append(p);
        else
            r.messages.append({ role, { p } });
    };
    if (input.isString()) {
        r.messages.append({ ir::Message::Role::User, { Part::makeText(input.toText()) } });
    } else if (input.isArray()) {
        const Where inputs("input");
        int i = -1;
        for (Value it : input.children()) {
            ++i;
            const Where where(inputs, i);
            const Value type = it["type"];
            if (!type.isString() || type.stringIs("message")) {
                const Value role = it["role"];
                QList<Part> parts;
                if (auto e = readContent(it["content"], Where(where, "content"), &parts, &r.dropped))
                    return *e;
                if (role.stringIs("system") || role.stringIs("developer")) {
                    // Leading ones are the instructions; later ones stay where they are in the conversation.
                    if (r.messages.isEmpty())
                        r.system += parts;
                    else if (!parts.isEmpty())
                        r.messages.append({ ir::Message::Role::System, parts });
                } else if (role.stringIs("user") || role.stringIs("assistant")) {
                    const auto irRole = role.stringIs("user") ? ir::Message::Role::User : ir::Message::Role::Assistant;
                    for (const Part &p : std::as_const(parts))
                        appendTo(irRole, p);
                } else {
                    r.dropped << QStringLiteral("%1 (role %2)")
                                     .arg(where.toString(),
                                          role.isString() ? role.toString() : QStringLiteral("missing"));
                }
            } else if (type.stringIs("function_call") || type.stringIs("custom_tool_call")) {
                Part call = functionCallPart(it);
                ir::fromClient(&call, WireFormat::OpenAIResponses); // a Gemini call signature carried in the id
                appendTo(ir::Message::Role::Assistant, call);
            } else if (type.stringIs("function_call_output") || type.stringIs("custom_tool_call_output")) {
                Part p;
                p.kind = Kind::ToolResult;
                p.callId = ir::plainCallId(it["call_id"].toString());
                p.freeform = type.stringIs("custom_tool_call_output");
                if (auto e = readContent(it["output"], Where(where, "output"), &p.result, &r.dropped))
                    return *e;
                appendTo(ir::Message::Role::Tool, p);
            } else if (type.stringIs("reasoning")) {
                appendTo(ir::Message::Role::Assistant, reasoningPart(it));
            } else if (type.stringIs("item_reference")) {
                return fieldError(
                    Where(where, "type"),
                    QStringLiteral(
                        "'item_reference' needs OpenAI's stored conversation, which only OpenAI-type models have"));
            } else {
                // Hosted-tool history (web_search_call, ...), compaction items, items new to droid2api.
                r.dropped << QStringLiteral("%1 (%2)").arg(where.toString(), type.toString());
            }
        }
    } else {
        return fieldError(QStringLiteral("input"), QStringLiteral("must be a string or an array of items"));
    }
    int i = -1;
    for (Value t : body["tools"].children()) {
        ++i;
        if (t["type"].stringIs("function")) {
            const Value params = t["parameters"];
            r.tools.append(ir::Tool::make(t["name"].toString(), t["description"].toText(),
                                          params.isObject() ? json::Fragment(params) : json::Fragment()));
        } else if (t["type"].stringIs("namespace")) {
            // Functions grouped under a name: flattened to "<namespace>__<name>", which every format accepts
            // as a function name; calls are given back inside the namespace.
            const QString ns = t["name"].toString();
            for (Value f : t["tools"].children()) {
                if (!f["type"].stringIs("function")) {
                    r.dropped << QStringLiteral("tools[%1].tools (%2)").arg(i).arg(f["type"].toString());
                    continue;
                }
                const Value params = f["parameters"];
                ir::Tool tool =
                    ir::Tool::make(ns + QStringLiteral("__") + f["name"].toString(), f["description"].toText(),
                                   params.isObject() ? json::Fragment(params) : json::Fragment());
                tool.toolNamespace = ns;
                tool.innerName = f["name"].toString();
                r.tools.append(tool);
            }
        } else if (t["type"].stringIs("custom")) {
            r.tools.append(freeformTool(t));
        } else {
            // Tools OpenAI runs itself (web_search, file_search, code_interpreter, image_generation, mcp, ...)
            // or that need OpenAI's client protocol (tool_search): other models cannot run them.
            r.dropped << QStringLiteral("tools[%1] (%2)").arg(i).arg(t["type"].toString());
        }
    }
    const Value tc = body["tool_choice"];
    if (tc.isString()) {
        r.toolChoice = ir::ToolChoice { tc.stringIs("none")       ? ir::ToolChoice::Mode::None
                                        : tc.stringIs("required") ? ir::ToolChoice::Mode::Required
                                                                  : ir::ToolChoice::Mode::Auto,
                                        {} };
    } else if (tc.isObject()) {
        r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::Specific, tc["name"].toString() };
    }
    if (body["parallel_tool_calls"].isBool())
        r.parallelToolCalls = body["parallel_tool_calls"].toBool(true);
    if (body["max_output_tokens"].isNumber())
        r.maxTokens = int(body["max_output_tokens"].toInteger());
    r.temperature = numberOf(body["temperature"]);
    r.topP = numberOf(body["top_p"]);
    r.stream = body["stream"].toBool(false);
    const Value reasoning = body["reasoning"];
    // A reasoning object without an effort (Codex sends only {"summary": "auto"}) means OpenAI's default, medium.
    const QString effort = reasoning["effort"].isString() ? reasoning["effort"].toString()
                           : reasoning.isObject()         ? QStringLiteral("medium")
                                                          : QString();
    if (!effort.isEmpty() && effort != u"none")
        r.reasoning = ir::Reasoning { true, ir::budgetForEffort(effort), effort };
    const Value format = body["text"]["format"];
    if (format["type"].stringIs("json_object")) {
        r.jsonFormat.kind = ir::JsonFormat::Kind::Object;
    } else if (format["type"].stringIs("json_schema")) {
        r.jsonFormat.kind = ir::JsonFormat::Kind::Schema;
        r.jsonFormat.name = format["name"].toString(QStringLiteral("output"));
        r.jsonFormat.description = format["description"].toString();
        r.jsonFormat.schema = format["schema"].isObject() ? json::Fragment(format["schema"]) : json::Fragment();
        if (format["strict"].isBool())
            r.jsonFormat.strict = format["strict"].toBool();
    }
    if (body["text"]["verbosity"].isSet())
        r.dropped << QStringLiteral("text.verbosity");
    noteUnknownKeys(body,
                    { "model", "instructions", "input", "tools", "tool_choice", "parallel_tool_calls",
                      "max_output_tokens", "temperature", "top_p", "stream", "reasoning", "text",
                      "previous_response_id", "conversation", "background" },
                    &r.dropped);
    return r;
}

Result<json::Document> writeRequest(const ir::Request &r)
{
    if (!r.stop.isEmpty())
        return fieldError(QStringLiteral("stop"),
                          QStringLiteral("(stop sequences) has no OpenAI Responses equivalent"));
    QByteArray out;
    out.reserve(r.sourceBytes + r.sourceBytes / 8 + 1024); // the text is mostly the client's, copied
    out.reserve(4096);
    Writer w(&out);
    w.recordTree(); // the protocol edits work on it next, without parsing it again
    w.beginObject().member("model", r.model);
    QString instructions;
    for (const Part &p : r.system)
        instructions += (instructions.isEmpty() ? QString() : QStringLiteral("\n\n")) + p.text.toString();
    if (!instructions.isEmpty())
        w.member("instructions", instructions);
    w.key("input").beginArray();
    for (const ir::Message &m : r.messages) {
        if (m.role == ir::Message::Role::System) {
            // OpenAI models take developer messages anywhere in the conversation.
            w.beginObject().member("type", "message").member("role", "developer").key("content").beginArray();
            for (const Part &p : m.parts)
                w.beginObject().member("type", "input_text").member("text", p.text).endObject();
            w.endArray().endObject();
            continue;
        }
        const bool assistant = m.role == ir::Message::Role::Assistant;
        bool open = false; // a message item whose content array is open
        auto flush = [&] {
            if (open)
                w.endArray().endObject();
            open = false;
        };
        auto openMessage = [&] {
            if (open)
                return;
            w.beginObject()
                .member("type", "message")
                .member("role", assistant ? "assistant" : "user")
                .key("content")
                .beginArray();
            open = true;
        };
        for (const Part &p : m.parts) {
            switch (p.kind) {
            case Kind::Text:
                openMessage();
                w.beginObject()
                    .member("type", assistant ? "output_text" : "input_text")
                    .member("text", p.text)
                    .endObject();
                break;
            case Kind::Image:
                openMessage();
                w.beginObject().member("type", "input_image").member("image_url", ir::dataUrl(p)).endObject();
                break;
            case Kind::ToolCall:
                flush();
                w.beginObject().member("type", "function_call").member("call_id", p.callId).member("name", p.name);
                w.member("arguments", p.arguments).endObject();
                break;
            case Kind::ToolResult: {
                flush();
                QString text = p.isError ? QStringLiteral("Error: ") : QString();
                for (const Part &rp : p.result)
                    if (rp.kind == Kind::Text)
                        text += rp.text;
                w.beginObject()
                    .member("type", "function_call_output")
                    .member("call_id", p.callId)
                    .member("output", text)
                    .endObject();
                break;
            }
            case Kind::Thinking:
                // Only OpenAI's own reasoning can be replayed, exactly as it issued it (the whole item); other
                // vendors' thoughts are dropped.
                if (p.signatureFormat == WireFormat::OpenAIResponses && p.signature.startsWith(u'{')) {
                    flush();
                    w.raw(p.signature.toUtf8());
                }
                break;
            case Kind::RedactedThinking: break;
            }
        }
        flush();
    }
    w.endArray();
    if (r.maxTokens)
        w.member("max_output_tokens", *r.maxTokens);
    if (r.temperature) {
        w.key("temperature");
        writeNumber(w, *r.temperature);
    }
    if (r.topP) {
        w.key("top_p");
        writeNumber(w, *r.topP);
    }
    if (r.stream)
        w.member("stream", true);
    w.member("store", false);
    if (!r.tools.isEmpty()) {
        w.key("tools").beginArray();
        for (const ir::Tool &t : r.tools) {
            w.beginObject().member("type", "function").member("name", t.name).member("description", t.description);
            writeClientSchema(w.key("parameters"), t.parameters);
            w.member("strict", false).endObject();
        }
        w.endArray();
        if (r.toolChoice) {
            w.key("tool_choice");
            switch (r.toolChoice->mode) {
            case ir::ToolChoice::Mode::Auto: w.string("auto"); break;
            case ir::ToolChoice::Mode::None: w.string("none"); break;
            case ir::ToolChoice::Mode::Required: w.string("required"); break;
            case ir::ToolChoice::Mode::Specific:
                w.beginObject().member("type", "function").member("name", r.toolChoice->name).endObject();
                break;
            }
        }
        if (r.parallelToolCalls)
            w.member("parallel_tool_calls", *r.parallelToolCalls);
    }
    if (r.reasoning && r.reasoning->enabled) {
        w.key("reasoning").beginObject();
        w.member("effort",
                 r.reasoning->effort.isEmpty() ? ir::effortForBudget(r.reasoning->budgetTokens) : r.reasoning->effort);
        w.member("summary", "auto").endObject();
        w.key("include").beginArray().string("reasoning.encrypted_content").endArray();
    }
    if (r.jsonFormat.kind == ir::JsonFormat::Kind::Object) {
        w.key("text").beginObject().key("format").beginObject().member("type", "json_object").endObject().endObject();
    } else if (r.jsonFormat.kind == ir::JsonFormat::Kind::Schema) {
        w.key("text")
            .beginObject()
            .key("format")
            .beginObject()
            .member("type", "json_schema")
            .member("name", r.jsonFormat.name);
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

} // namespace d2a::fmt::responses
