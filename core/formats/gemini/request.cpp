// Gemini generateContent requests <-> the shared model.
#include "gemini_p.h"

#include <QtCore/qhash.h>

namespace d2a::fmt::gemini {

using ir::Part;
using Kind = ir::Part::Kind;

Result<ir::Request> readRequest(const Value &given, const QString &pathModel)
{
    // countTokens takes {contents} or the whole request it would count, as {generateContentRequest: {...}}.
    const Value body = given["generateContentRequest"].isObject() ? given["generateContentRequest"] : given;
    ir::Request r;
    r.model = pathModel.isEmpty() ? body["model"].toString() : pathModel;
    const Value si = body.contains("systemInstruction") ? body["systemInstruction"] : body["system_instruction"];
    if (si.isObject()) {
        for (Value p : si["parts"].children())
            r.system.append(Part::makeText(p["text"].toText()));
    } else if (si.isString()) {
        r.system.append(Part::makeText(si.toText()));
    }
    const Value contents = body["contents"];
    if (!contents.isArray())
        return fieldError(QStringLiteral("contents"), QStringLiteral("must be an array"));
    int counter = 0;
    QHash<QString, QStringList> pendingIds; // function name -> ids of calls not answered yet, in order
    int i = -1;
    for (Value c : contents.children()) {
        ++i;
        const Value roleValue = c["role"];
        const QString role = roleValue.isString() ? roleValue.toString() : QStringLiteral("user");
        if (role != u"user" && role != u"model" && role != u"function")
            return fieldError(QStringLiteral("contents[%1].role").arg(i), QStringLiteral("must be user or model"));
        QList<Part> parts;
        QList<Part> results;
        int j = -1;
        for (Value p : c["parts"].children()) {
            ++j;
            if (p.contains("functionResponse")) {
                const Value fr = p["functionResponse"];
                Part res;
                res.kind = Kind::ToolResult;
                res.name = fr["name"].toString();
                res.callId = fr["id"].toString();
                if (res.callId.isEmpty() && !pendingIds.value(res.name).isEmpty())
                    res.callId = pendingIds[res.name].takeFirst();
                const Value response = fr["response"];
                // {output: "..."} / {content: "..."} are the common shapes; anything else goes as JSON text.
                const Value text = response.contains("output")    ? response["output"]
                                   : response.contains("content") ? response["content"]
                                                                  : response;
                res.isError =
                    response.contains("error") && !response.contains("output") && !response.contains("content");
                const Value shown = res.isError ? response["error"] : text;
                res.result.append(Part::makeText(shown.isString() ? shown.toString()
                                                                  : QString::fromUtf8(json::compact(shown.raw()))));
                results.append(res);
            } else if (p.contains("executableCode") || p.contains("codeExecutionResult")) {
                // History of Gemini's own code execution: other models cannot run or replay it.
                r.dropped << QStringLiteral("contents[%1].parts[%2] (%3)")
                                 .arg(i)
                                 .arg(j)
                                 .arg(p.contains("executableCode") ? QStringLiteral("executableCode")
                                                                   : QStringLiteral("codeExecutionResult"));
            } else {
                QList<Part> one;
                readPart(p, &one, &counter);
                for (const Part &x : std::as_const(one))
                    if (x.kind == Kind::ToolCall)
                        pendingIds[x.name].append(x.callId);
                parts += one;
            }
        }
        if (!parts.isEmpty())
            r.messages.append({ role == u"model" ? ir::Message::Role::Assistant : ir::Message::Role::User, parts });
        if (!results.isEmpty())
            r.messages.append({ ir::Message::Role::Tool, results });
    }
    i = -1;
    for (Value t : body["tools"].children()) {
        ++i;
        for (Value kind : t.children()) {
            if (!kind.keyIs("functionDeclarations") && !kind.keyIs("function_declarations")) {
                r.dropped << QStringLiteral("tools[%1].%2")
                                 .arg(i)
                                 .arg(kind.key()); // googleSearch, codeExecution, ...: Gemini runs them
                continue;
            }
            for (Value f : kind.children()) {
                const Value params = f.contains("parametersJsonSchema") ? f["parametersJsonSchema"] : f["parameters"];
                r.tools.append(ir::Tool::make(f["name"].toString(), f["description"].toText(),
                                              params.isObject() ? json::Fragment(params) : json::Fragment()));
            }
        }
    }
    const Value fcc = body["toolConfig"]["functionCallingConfig"];
    if (fcc.isObject()) {
        const Value mode = fcc["mode"];
        const Value allowed = fcc["allowedFunctionNames"];
        if (mode.stringIs("NONE"))
            r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::None, {} };
        else if (mode.stringIs("ANY") && allowed.size() == 1)
            r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::Specific, allowed.at(0).toString() };
        else if (mode.stringIs("ANY"))
            r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::Required, {} };
        else
            r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::Auto, {} };
    }
    const Value gc = body["generationConfig"];
    r.temperature = numberOf(gc["temperature"]);
    r.topP = numberOf(gc["topP"]);
    if (gc["topK"].isNumber())
        r.topK = int(gc["topK"].toInteger());
    if (gc["maxOutputTokens"].isNumber())
        r.maxTokens = int(gc["maxOutputTokens"].toInteger());
    for (Value s : gc["stopSequences"].children())
        r.stop << s.toString();
    if (gc["candidateCount"].isNumber() && gc["candidateCount"].toInteger(1) != 1)
        return fieldError(QStringLiteral("generationConfig.candidateCount"),
                          QStringLiteral("must be 1 when the model speaks another API format"));
    if (gc["responseMimeType"].stringIs("application/json")) {
        // responseJsonSchema is JSON Schema as written; responseSchema is Google's OpenAPI subset (OBJECT, nullable).
        const Value jsonSchema = gc["responseJsonSchema"];
        const Value openApiSchema = gc["responseSchema"];
        if (jsonSchema.isObject() || openApiSchema.isObject()) {
            r.jsonFormat.kind = ir::JsonFormat::Kind::Schema;
            r.jsonFormat.name = QStringLiteral("output");
            r.jsonFormat.schema = jsonSchema.isObject() ? json::Fragment(jsonSchema) : jsonSchemaOf(openApiSchema);
        } else {
            r.jsonFormat.kind = ir::JsonFormat::Kind::Object;
        }
    }
    const Value tc = gc["thinkingConfig"];
    if (tc.isObject() && !tc.isEmpty()) {
        const int budget = int(tc["thinkingBudget"].toInteger(-1));
        const QString level = tc["thinkingLevel"].toString().toLower();
        if (budget > 0 || !level.isEmpty() || budget == -1)
            r.reasoning = ir::Reasoning {
                true, budget > 0 ? budget : ir::budgetForEffort(level.isEmpty() ? QStringLiteral("medium") : level),
                level.isEmpty() ? ir::effortForBudget(budget > 0 ? budget : 12288) : level
            };
    }
    noteUnknownKeys(body,
                    { "model", "contents", "systemInstruction", "system_instruction", "tools", "toolConfig",
                      "generationConfig", "safetySettings", "cachedContent" },
                    &r.dropped);
    return r;
}

namespace {

/// How one part of the conversation goes to Gemini.
enum class Goes { Not, AsResult, AsIs, WithoutSignature };

Goes howGoes(const Part &p, const ir::Request &r)
{
    if (p.kind == Kind::ToolResult)
        return Goes::AsResult;
    // Gemini state goes back only to the model that issued it (signatures do not carry across models);
    // other vendors' thoughts cannot be replayed. A call without its signature gets Gemini's documented
    // skip value where the current turn needs one (sanitizeHistory).
    const bool own = p.signatureFormat == WireFormat::Gemini && !p.signature.isEmpty() && p.signatureModel == r.model;
    if ((p.kind == Kind::Thinking && !own) || p.kind == Kind::RedactedThinking
        || (p.kind == Kind::Text && p.text.isEmpty()))
        return Goes::Not;
    if (p.kind != Kind::Text && p.kind != Kind::Image && p.kind != Kind::ToolCall && p.kind != Kind::Thinking)
        return Goes::Not; // writePart has nothing for it
    return own || p.signature.isEmpty() ? Goes::AsIs : Goes::WithoutSignature;
}

} // namespace

Result<json::Document> writeRequest(const ir::Request &r)
{
    // First the turns: neighbouring messages of one role are one Gemini turn, a message with nothing Gemini takes
    // is left out, and a tool result needs the name of the call it answers (Gemini answers by name).
    QHash<QString, QString> callNames; // call id -> function name, as far as the conversation has come
    QList<QString> resultNames; // the function each tool result answers, in order
    struct Turn
    {
        bool model;
        QList<const ir::Message *> messages;
    };
    QList<Turn> turns;
    for (const ir::Message &m : r.messages) {
        if (m.role == ir::Message::Role::System)
            continue; // folded into systemInstruction below
        bool any = false;
        for (const Part &p : m.parts) {
            if (p.kind == Kind::ToolCall)
                callNames.insert(p.callId, p.name);
            const Goes goes = howGoes(p, r);
            if (goes == Goes::AsResult) {
                resultNames.append(p.name.isEmpty() ? callNames.value(p.callId) : p.name);
                if (resultNames.last().isEmpty())
                    return fieldError(QStringLiteral("tool result %1").arg(p.callId),
                                      QStringLiteral("answers a call that is not in the conversation"));
            }
            if (p.kind == Kind::Image && goes != Goes::Not && !p.url.isEmpty() && !p.url.startsWith(u"gs://")
                && !p.url.startsWith(u"https://generativelanguage"))
                return fieldError(
                    QStringLiteral("image_url"),
                    QStringLiteral("is an http(s) URL, which Gemini does not fetch; send the image as base64 data"));
            any = any || goes != Goes::Not;
        }
        if (!any)
            continue;
        const bool model = m.role == ir::Message::Role::Assistant;
        if (turns.isEmpty() || turns.last().model != model)
            turns.append(Turn { model, {} });
        turns.last().messages.append(&m);
    }

    QByteArray out;
    out.reserve(r.sourceBytes + r.sourceBytes / 8 + 1024); // the text is mostly the client's, copied
    Writer w(&out);
    w.recordTree(); // the protocol edits work on it next, without parsing it again
    w.beginObject().key("contents").beginArray();
    qsizetype results = 0;
    for (const Turn &t : std::as_const(turns)) {
        w.beginObject().member("role", t.model ? "model" : "user").key("parts").beginArray();
        for (const ir::Message *m : t.messages)
            for (const Part &p : m->parts) {
                switch (howGoes(p, r)) {
                case Goes::Not: break;
                case Goes::AsResult: {
                    QString text;
                    for (const Part &rp : p.result)
                        if (rp.kind == Kind::Text)
                            text += rp.text;
                    w.beginObject()
                        .key("functionResponse")
                        .beginObject()
                        .member("name", resultNames.at(results++))
                        .key("response")
                        .beginObject();
                    w.key(p.isError ? QLatin1StringView("error") : QLatin1StringView("output")).string(text);
                    w.endObject().endObject().endObject();
                    break;
                }
                case Goes::AsIs: writePart(w, p); break;
                case Goes::WithoutSignature: {
                    Part bare = p;
                    bare.signature.clear();
                    writePart(w, bare);
                    break;
                }
                }
            }
        w.endArray().endObject();
    }
    w.endArray();
    const QList<Part> system = systemWithFolded(r);
    if (!system.isEmpty()) {
        w.key("systemInstruction").beginObject().key("parts").beginArray();
        for (const Part &p : system)
            w.beginObject().member("text", p.text).endObject();
        w.endArray().endObject();
    }
    bool tools = false;
    for (const ir::Tool &t : r.tools) {
        if (!tools) {
            w.key("tools").beginArray().beginObject().key("functionDeclarations").beginArray();
            tools = true;
        }
        w.beginObject().member("name", t.name).member("description", t.description);
        if (t.parameters.root()["properties"].size() > 0) {
            w.key("parameters");
            writeSchema(w, t.parameters.root());
        }
        w.endObject();
    }
    if (tools) {
        w.endArray().endObject().endArray();
        if (r.toolChoice) {
            w.key("toolConfig").beginObject().key("functionCallingConfig").beginObject();
            switch (r.toolChoice->mode) {
            case ir::ToolChoice::Mode::Auto: w.member("mode", "AUTO"); break;
            case ir::ToolChoice::Mode::None: w.member("mode", "NONE"); break;
            case ir::ToolChoice::Mode::Required: w.member("mode", "ANY"); break;
            case ir::ToolChoice::Mode::Specific:
                w.member("mode", "ANY").key("allowedFunctionNames").beginArray().string(r.toolChoice->name).endArray();
                break;
            }
            w.endObject().endObject();
        }
    }
    const bool jsonOut = r.jsonFormat.kind != ir::JsonFormat::Kind::None;
    const bool thinking = r.reasoning && r.reasoning->enabled;
    if (r.temperature || r.topP || r.topK || r.maxTokens || !r.stop.isEmpty() || jsonOut || thinking) {
        w.key("generationConfig").beginObject();
        if (r.temperature) {
            w.key("temperature");
            writeNumber(w, *r.temperature);
        }
        if (r.topP) {
            w.key("topP");
            writeNumber(w, *r.topP);
        }
        if (r.topK)
            w.member("topK", *r.topK);
        if (r.maxTokens)
            w.member("maxOutputTokens", *r.maxTokens);
        if (!r.stop.isEmpty()) {
            w.key("stopSequences").beginArray();
            for (const QString &s : r.stop)
                w.string(s);
            w.endArray();
        }
        if (jsonOut) {
            w.member("responseMimeType", "application/json");
            if (r.jsonFormat.kind == ir::JsonFormat::Kind::Schema) {
                w.key("responseSchema");
                if (r.jsonFormat.schema.isEmpty())
                    w.beginObject().member("type", "object").endObject();
                else
                    writeSchema(w, r.jsonFormat.schema.root());
            }
        }
        if (thinking) {
            const QString effort =
                r.reasoning->effort.isEmpty() ? ir::effortForBudget(r.reasoning->budgetTokens) : r.reasoning->effort;
            w.key("thinkingConfig").beginObject().member("includeThoughts", true);
            w.member("thinkingLevel", effort == u"low" || effort == u"minimal" ? "LOW"
                                      : effort == u"medium"                    ? "MEDIUM"
                                                                               : "HIGH")
                .endObject();
        }
        w.endObject();
    }
    w.member("model", r.model).endObject();
    return w.takeDocument();
}

} // namespace d2a::fmt::gemini
