// Anthropic Messages requests <-> the shared model.
#include "anthropic_p.h"

namespace d2a::fmt::anthropic {

using ir::Part;
using Kind = ir::Part::Kind;

Result<ir::Request> readRequest(const Value &body, const QString &)
{
    if (auto refused = refuseThread(body))
        return *refused;
    ir::Request r;
    r.model = body["model"].toString();
    const Value system = body["system"];
    if (system.isString()) {
        if (!system.toString().isEmpty())
            r.system.append(Part::makeText(system.toText()));
    } else if (system.isArray()) {
        for (Value b : system.children())
            r.system.append(Part::makeText(b["text"].toText()));
    } else if (system.isSet()) {
        return fieldError(QStringLiteral("system"), QStringLiteral("must be a string or an array of text blocks"));
    }
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
        const bool system = role.stringIs("system"); // a mid-conversation system message (Claude Code, Opus 4.8+)
        if (!role.stringIs("user") && !role.stringIs("assistant") && !system) {
            r.dropped << QStringLiteral("%1 (role %2)")
                             .arg(where.toString(), role.isString() ? role.toString() : QStringLiteral("missing"));
            continue;
        }
        QList<Part> parts;
        const Value content = m["content"];
        if (content.isString()) {
            parts.append(Part::makeText(content.toText()));
        } else if (content.isArray()) {
            int j = 0;
            for (Value b : content.children())
                if (auto e = readBlock(b, Where(where, "content", j++), &parts, &r.dropped))
                    return *e;
        } else {
            return fieldError(Where(where, "content"), QStringLiteral("must be a string or an array"));
        }
        if (system) {
            QList<Part> text;
            for (const Part &p : std::as_const(parts))
                if (p.kind == Kind::Text)
                    text.append(p);
            if (!text.isEmpty())
                r.messages.append({ ir::Message::Role::System, text });
            continue;
        }
        if (role.stringIs("assistant")) {
            r.messages.append({ ir::Message::Role::Assistant, parts });
            continue;
        }
        // Tool results travel in user turns; the shared model keeps them as Tool messages.
        ir::Message userPart { ir::Message::Role::User, {} };
        ir::Message toolPart { ir::Message::Role::Tool, {} };
        for (const Part &p : std::as_const(parts)) {
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
    i = -1;
    for (Value t : body["tools"].children()) {
        ++i;
        const Value type = t["type"];
        if (type.isString()
            && !type.stringIs("custom")) { // a server tool (web search, code execution, ...) runs at Anthropic
            r.dropped << QStringLiteral("tools[%1] (%2)").arg(i).arg(type.toString());
            continue;
        }
        const Value schema = t["input_schema"];
        r.tools.append(ir::Tool::make(t["name"].toString(), t["description"].toText(),
                                      schema.isObject() ? json::Fragment(schema) : json::Fragment()));
    }
    const Value tc = body["tool_choice"];
    if (tc.isObject()) {
        const Value type = tc["type"];
        ir::ToolChoice choice;
        choice.mode = type.stringIs("any")    ? ir::ToolChoice::Mode::Required
                      : type.stringIs("tool") ? ir::ToolChoice::Mode::Specific
                      : type.stringIs("none") ? ir::ToolChoice::Mode::None
                                              : ir::ToolChoice::Mode::Auto;
        choice.name = tc["name"].toString();
        r.toolChoice = choice;
        if (tc["disable_parallel_tool_use"].toBool(false))
            r.parallelToolCalls = false;
    }
    if (body["max_tokens"].isNumber())
        r.maxTokens = int(body["max_tokens"].toInteger());
    r.temperature = numberOf(body["temperature"]);
    r.topP = numberOf(body["top_p"]);
    if (body["top_k"].isNumber())
        r.topK = int(body["top_k"].toInteger());
    for (Value s : body["stop_sequences"].children())
        r.stop << s.toString();
    r.stream = body["stream"].toBool(false);
    const Value thinking = body["thinking"];
    const Value outputConfig = body["output_config"];
    const QString effort = outputConfig["effort"].toString().toLower();
    if (thinking["type"].stringIs("enabled")) {
        ir::Reasoning reasoning;
        reasoning.enabled = true;
        reasoning.budgetTokens = int(thinking["budget_tokens"].toInteger());
        reasoning.effort = effort.isEmpty() ? ir::effortForBudget(reasoning.budgetTokens) : effort;
        r.reasoning = reasoning;
    } else if (thinking["type"].stringIs("adaptive") || (!thinking.isSet() && !effort.isEmpty())) {
        // Adaptive thinking: the model decides how much to think, guided by output_config.effort.
        const QString level = effort.isEmpty()   ? QStringLiteral("high")
                              : effort == u"max" ? QStringLiteral("xhigh")
                                                 : effort;
        r.reasoning = ir::Reasoning { true, ir::budgetForEffort(level), level };
    }
    if (thinking["display"].isSet())
        r.dropped << QStringLiteral("thinking.display");
    // output_config.format, or the structured-outputs beta's top-level output_format.
    const Value outFormat = outputConfig["format"].isSet() ? outputConfig["format"] : body["output_format"];
    if (outFormat["type"].stringIs("json_schema")) {
        r.jsonFormat.kind = ir::JsonFormat::Kind::Schema;
        r.jsonFormat.name = QStringLiteral("output");
        r.jsonFormat.schema = outFormat["schema"].isObject() ? json::Fragment(outFormat["schema"]) : json::Fragment();
    }
    noteUnknownKeys(body,
                    { "model", "system", "messages", "tools", "tool_choice", "max_tokens", "temperature", "top_p",
                      "top_k", "stop_sequences", "stream", "thinking", "output_config", "output_format", "metadata",
                      "service_tier" },
                    &r.dropped);
    return r;
}

std::optional<Error> refuseThread(const Value &body)
{
    // Message threads (beta message-threads-2026-08-12) keep the conversation on the server; Factory and the
    // other formats keep none. The Anthropic SDK reads details.error_code and sends the turn again with the
    // whole history and without `thread` (README "SDK methods").
    if (!body["thread"].isSet())
        return std::nullopt;
    Error e = fieldError(QStringLiteral("thread"),
                         QStringLiteral("is not supported: droid2api keeps no message threads (nor does Factory); "
                                        "send the whole conversation without 'thread'"));
    e.code = "thread_unsupported_request";
    return e;
}

Result<json::Document> writeRequest(const ir::Request &r)
{
    if (r.jsonFormat.kind == ir::JsonFormat::Kind::Object)
        return fieldError(QStringLiteral("response_format"),
                          QStringLiteral("json_object (JSON without a schema) has no Anthropic Messages equivalent: "
                                         "send a json_schema"));
    // Anthropic wants alternating user/assistant turns (tool results are user content): merge neighbours.
    struct Turn
    {
        bool assistant;
        QList<const Part *> parts;
    };
    QList<Turn> turns;
    for (const ir::Message &m : r.messages) {
        if (m.role == ir::Message::Role::System)
            continue; // folded into the system prompt below (only some Claude models take them in messages)
        const bool assistant = m.role == ir::Message::Role::Assistant;
        QList<const Part *> blocks;
        for (const Part &p : m.parts) {
            if ((p.kind == Kind::Thinking || p.kind == Kind::RedactedThinking)
                && (p.signatureFormat != WireFormat::Anthropic
                    || (p.kind == Kind::Thinking && p.signature.isEmpty()))) {
                continue; // another vendor's reasoning cannot be replayed to Anthropic (sanitizeHistory then decides
                          // whether thinking can stay on)
            }
            if (p.kind == Kind::Text && p.text.isEmpty())
                continue; // "text content blocks must be non-empty" (a Chat client's content: "" beside tool_calls)
            if (p.kind == Kind::Image && !p.url.isEmpty() && !p.url.startsWith(u"http"))
                return fieldError(
                    QStringLiteral("messages"),
                    QStringLiteral("contain an image URL Anthropic cannot fetch: %1").arg(p.url.left(60)));
            blocks.append(&p);
        }
        if (blocks.isEmpty())
            continue;
        if (!turns.isEmpty() && turns.last().assistant == assistant)
            turns.last().parts += blocks;
        else
            turns.append({ assistant, blocks });
    }
    int maxTokens = r.maxTokens.value_or(32000); // Anthropic requires it (ProxyService sets the model's own room)
    int budget = 0;
    // With thinking on, Anthropic wants the last step of a continued tool loop to start with its own thinking;
    // a step another model took has none (its reasoning was left out above): this request goes without.
    bool loopWithoutThinking = false;
    if (turns.size() >= 2 && !turns.last().assistant && turns[turns.size() - 2].assistant) {
        bool results = false;
        for (const Part *p : std::as_const(turns.last().parts))
            results = results || p->kind == Kind::ToolResult;
        const Kind first = turns[turns.size() - 2].parts.first()->kind;
        loopWithoutThinking = results && first != Kind::Thinking && first != Kind::RedactedThinking;
    }
    if (r.reasoning && r.reasoning->enabled && !loopWithoutThinking) {
        budget = r.reasoning->budgetTokens > 0 ? r.reasoning->budgetTokens : ir::budgetForEffort(r.reasoning->effort);
        if (budget < 1024)
            budget = 0;
        else if (maxTokens <= budget)
            maxTokens = budget + 4096;
    }

    QByteArray out;
    out.reserve(r.sourceBytes + r.sourceBytes / 8 + 1024); // the text is mostly the client's, copied
    out.reserve(4096);
    Writer w(&out);
    w.recordTree(); // the protocol edits work on it next, without parsing it again
    w.beginObject().member("model", r.model).member("max_tokens", maxTokens);
    const QList<Part> system = systemWithFolded(r);
    const QByteArray systemCache = !r.promptCache ? QByteArray()
                                   : r.cacheTtl.isEmpty()
                                       ? QByteArray("{\"type\":\"ephemeral\"}")
                                       : "{\"type\":\"ephemeral\",\"ttl\":" + json::quoted(r.cacheTtl) + '}';
    if (!system.isEmpty()) {
        w.key("system").beginArray();
        for (qsizetype i = 0; i < system.size(); ++i)
            writeBlock(w, system[i], i + 1 == system.size() ? QByteArrayView(systemCache) : QByteArrayView());
        w.endArray();
    }
    // The other breakpoint: the end of the last user turn, so the next turn reads the conversation from cache.
    qsizetype lastUser = -1;
    for (qsizetype i = 0; i < turns.size(); ++i)
        if (!turns[i].assistant)
            lastUser = i;
    w.key("messages").beginArray();
    for (qsizetype i = 0; i < turns.size(); ++i) {
        const Turn &t = turns[i];
        w.beginObject().member("role", t.assistant ? "assistant" : "user").key("content").beginArray();
        for (qsizetype j = 0; j < t.parts.size(); ++j)
            writeBlock(w, *t.parts[j],
                       r.promptCache && i == lastUser && j + 1 == t.parts.size()
                               && !(t.parts[j]->kind == Kind::Text && t.parts[j]->text.isEmpty())
                           ? QByteArrayView("{\"type\":\"ephemeral\"}")
                           : QByteArrayView());
        w.endArray().endObject();
    }
    w.endArray();
    if (budget) {
        // Extended thinking accepts only the default temperature and no top_k.
        w.key("thinking").beginObject().member("type", "enabled").member("budget_tokens", budget).endObject();
    } else {
        if (r.temperature) {
            w.key("temperature"); // Anthropic's range is 0..1
            if (r.temperature->value > 1.0 || r.temperature->value < 0.0)
                w.number(qBound(0.0, r.temperature->value, 1.0));
            else
                writeNumber(w, *r.temperature);
        }
        if (r.topK)
            w.member("top_k", *r.topK);
    }
    if (r.topP) {
        w.key("top_p");
        writeNumber(w, *r.topP);
    }
    if (!r.stop.isEmpty()) {
        w.key("stop_sequences").beginArray();
        for (const QString &s : r.stop)
            w.string(s);
        w.endArray();
    }
    if (r.stream)
        w.member("stream", true);
    if (!r.tools.isEmpty()) {
        w.key("tools").beginArray();
        for (const ir::Tool &t : r.tools) {
            w.beginObject().member("name", t.name);
            if (!t.description.isEmpty())
                w.member("description", t.description);
            writeClientSchema(w.key("input_schema"), t.parameters);
            w.endObject();
        }
        w.endArray();
        if (r.toolChoice) {
            w.key("tool_choice").beginObject();
            switch (r.toolChoice->mode) {
            case ir::ToolChoice::Mode::Auto: w.member("type", "auto"); break;
            case ir::ToolChoice::Mode::None: w.member("type", "none"); break;
            case ir::ToolChoice::Mode::Required: w.member("type", "any"); break;
            case ir::ToolChoice::Mode::Specific: w.member("type", "tool").member("name", r.toolChoice->name); break;
            }
            if (r.parallelToolCalls == false)
                w.member("disable_parallel_tool_use", true);
            w.endObject();
        }
    }
    if (r.jsonFormat.kind == ir::JsonFormat::Kind::Schema) {
        // Structured outputs: Anthropic's output_config.format (a reasoning effort is merged in beside it later).
        // Its schemas have no name or strict flag: the output always follows the schema.
        w.key("output_config").beginObject().key("format").beginObject().member("type", "json_schema");
        writeClientSchema(w.key("schema"), r.jsonFormat.schema);
        w.endObject().endObject();
    }
    w.endObject();
    return w.takeDocument();
}

} // namespace d2a::fmt::anthropic
