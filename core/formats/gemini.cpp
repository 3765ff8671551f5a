// Gemini generateContent <-> the shared model.
#include "formats_p.h"

#include <QtCore/qhash.h>
#include <QtCore/qjsondocument.h>

namespace d2a::fmt::gemini {

using ir::Part;
using Kind = ir::Part::Kind;

namespace {

ir::Finish finishOf(const QString &f)
{
    if (f == u"MAX_TOKENS")
        return ir::Finish::Length;
    if (f == u"SAFETY" || f == u"RECITATION" || f == u"BLOCKLIST" || f == u"PROHIBITED_CONTENT" || f == u"SPII")
        return ir::Finish::ContentFilter;
    return ir::Finish::Stop;
}

ir::Usage usageOf(const QJsonObject &u)
{
    ir::Usage usage;
    if (u.isEmpty())
        return usage;
    usage.known = true;
    usage.cacheRead = qint64(u.value(u"cachedContentTokenCount").toDouble());
    usage.input = qint64(u.value(u"promptTokenCount").toDouble()) - usage.cacheRead;
    usage.reasoning = qint64(u.value(u"thoughtsTokenCount").toDouble());
    usage.output = qint64(u.value(u"candidatesTokenCount").toDouble()) + usage.reasoning;
    return usage;
}

QJsonObject usageJson(const ir::Usage &u)
{
    const qint64 prompt = u.input + u.cacheRead + u.cacheWrite;
    QJsonObject o { { QStringLiteral("promptTokenCount"), double(prompt) },
                    { QStringLiteral("candidatesTokenCount"), double(u.output - u.reasoning) },
                    { QStringLiteral("totalTokenCount"), double(prompt + u.output) } };
    if (u.cacheRead)
        o.insert(QStringLiteral("cachedContentTokenCount"), double(u.cacheRead));
    if (u.reasoning)
        o.insert(QStringLiteral("thoughtsTokenCount"), double(u.reasoning));
    return o;
}

/// Reads a model turn's parts; function calls get ids (Gemini's are optional) so tool results can refer to them.
void readParts(const QJsonArray &parts, QList<Part> *out, int *callCounter)
{
    for (const QJsonValue &pv : parts) {
        const QJsonObject p = pv.toObject();
        if (p.contains(u"functionCall")) {
            const QJsonObject fc = p.value(u"functionCall").toObject();
            Part c;
            c.kind = Kind::ToolCall;
            c.name = fc.value(u"name").toString();
            c.callId = fc.value(u"id").toString();
            if (c.callId.isEmpty())
                c.callId = QStringLiteral("call_%1_%2").arg(c.name).arg((*callCounter)++);
            c.arguments = ir::compactJson(fc.value(u"args").isObject() ? fc.value(u"args") : QJsonValue(QJsonObject()));
            c.signature = p.value(u"thoughtSignature").toString();
            c.signatureFormat = WireFormat::Gemini;
            out->append(c);
        } else if (p.value(u"thought").toBool(false)) {
            Part t;
            t.kind = Kind::Thinking;
            t.text = p.value(u"text").toString();
            t.signature = p.value(u"thoughtSignature").toString();
            t.signatureFormat = WireFormat::Gemini;
            out->append(t);
        } else if (p.contains(u"text")) {
            out->append(Part::makeText(p.value(u"text").toString()));
        } else if (p.contains(u"inlineData") || p.contains(u"inline_data")) {
            const QJsonObject d = p.value(p.contains(u"inlineData") ? u"inlineData" : u"inline_data").toObject();
            Part i;
            i.kind = Kind::Image;
            i.mediaType = d.value(u"mimeType").toString(d.value(u"mime_type").toString());
            i.data = d.value(u"data").toString();
            out->append(i);
        } else if (p.contains(u"fileData")) {
            Part i;
            i.kind = Kind::Image;
            i.url = p.value(u"fileData").toObject().value(u"fileUri").toString();
            i.mediaType = p.value(u"fileData").toObject().value(u"mimeType").toString();
            out->append(i);
        }
    }
}

QJsonObject writePart(const Part &p)
{
    switch (p.kind) {
    case Kind::Text: return { { QStringLiteral("text"), p.text } };
    case Kind::Image:
        if (!p.url.isEmpty())
            return { { QStringLiteral("fileData"), QJsonObject { { QStringLiteral("fileUri"), p.url }, { QStringLiteral("mimeType"), p.mediaType.isEmpty() ? QStringLiteral("image/jpeg") : p.mediaType } } } };
        return { { QStringLiteral("inlineData"), QJsonObject { { QStringLiteral("mimeType"), p.mediaType }, { QStringLiteral("data"), p.data } } } };
    case Kind::ToolCall: {
        QJsonObject o { { QStringLiteral("functionCall"), QJsonObject { { QStringLiteral("name"), p.name }, { QStringLiteral("args"), ir::argumentsObject(p.arguments).value_or(QJsonObject()) } } } };
        if (p.signatureFormat == WireFormat::Gemini && !p.signature.isEmpty())
            o.insert(QStringLiteral("thoughtSignature"), p.signature);
        return o;
    }
    case Kind::Thinking: {
        QJsonObject o { { QStringLiteral("text"), p.text }, { QStringLiteral("thought"), true } };
        if (p.signatureFormat == WireFormat::Gemini && !p.signature.isEmpty())
            o.insert(QStringLiteral("thoughtSignature"), p.signature);
        return o;
    }
    default: return {};
    }
}

QJsonObject candidateChunk(const QJsonArray &parts, const QString &finish, const QJsonObject &usage, const QString &model)
{
    QJsonObject cand { { QStringLiteral("content"), QJsonObject { { QStringLiteral("role"), QStringLiteral("model") }, { QStringLiteral("parts"), parts } } },
                       { QStringLiteral("index"), 0 } };
    if (!finish.isEmpty())
        cand.insert(QStringLiteral("finishReason"), finish);
    QJsonObject o { { QStringLiteral("candidates"), QJsonArray { cand } }, { QStringLiteral("modelVersion"), model } };
    if (!usage.isEmpty())
        o.insert(QStringLiteral("usageMetadata"), usage);
    return o;
}

} // namespace

Result<ir::Request> readRequest(const QJsonObject &body, const QString &pathModel)
{
    ir::Request r;
    r.model = pathModel.isEmpty() ? body.value(u"model").toString() : pathModel;
    const QJsonValue si = body.contains(u"systemInstruction") ? body.value(u"systemInstruction") : body.value(u"system_instruction");
    if (si.isObject()) {
        for (const QJsonValue &p : si.toObject().value(u"parts").toArray())
            r.system.append(Part::makeText(p.toObject().value(u"text").toString()));
    } else if (si.isString()) {
        r.system.append(Part::makeText(si.toString()));
    }
    const QJsonValue contents = body.value(u"contents");
    if (!contents.isArray())
        return fieldError(QStringLiteral("contents"), QStringLiteral("must be an array"));
    int counter = 0;
    QHash<QString, QStringList> pendingIds; // function name -> ids of calls not answered yet, in order
    const QJsonArray arr = contents.toArray();
    for (int i = 0; i < arr.size(); ++i) {
        const QJsonObject c = arr[i].toObject();
        const QString role = c.value(u"role").toString(QStringLiteral("user"));
        if (role != u"user" && role != u"model" && role != u"function")
            return fieldError(QStringLiteral("contents[%1].role").arg(i), QStringLiteral("must be user or model"));
        QList<Part> parts;
        QList<Part> results;
        const QJsonArray ps = c.value(u"parts").toArray();
        for (int j = 0; j < ps.size(); ++j) {
            const QJsonObject p = ps[j].toObject();
            if (p.contains(u"functionResponse")) {
                const QJsonObject fr = p.value(u"functionResponse").toObject();
                Part res;
                res.kind = Kind::ToolResult;
                res.name = fr.value(u"name").toString();
                res.callId = fr.value(u"id").toString();
                if (res.callId.isEmpty() && !pendingIds.value(res.name).isEmpty())
                    res.callId = pendingIds[res.name].takeFirst();
                const QJsonValue response = fr.value(u"response");
                const QJsonObject ro = response.toObject();
                // {output: "..."} / {content: "..."} are the common shapes; anything else goes as JSON text.
                const QJsonValue text = ro.contains(u"output") ? ro.value(u"output") : ro.contains(u"content") ? ro.value(u"content") : response;
                res.result.append(Part::makeText(text.isString() ? text.toString() : ir::compactJson(text)));
                results.append(res);
            } else if (p.contains(u"executableCode") || p.contains(u"codeExecutionResult")) {
                return fieldError(QStringLiteral("contents[%1].parts[%2]").arg(i).arg(j), QStringLiteral("(code execution) cannot be translated"));
            } else {
                QList<Part> one;
                readParts(QJsonArray { p }, &one, &counter);
                for (const Part &x : one)
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
    const QJsonArray tools = body.value(u"tools").toArray();
    for (int i = 0; i < tools.size(); ++i) {
        const QJsonObject t = tools[i].toObject();
        for (auto it = t.begin(); it != t.end(); ++it) {
            if (it.key() != u"functionDeclarations" && it.key() != u"function_declarations")
                return fieldError(QStringLiteral("tools[%1].%2").arg(i).arg(it.key()), QStringLiteral("is a Gemini built-in tool and cannot be translated"));
            for (const QJsonValue &fv : it.value().toArray()) {
                const QJsonObject f = fv.toObject();
                r.tools.append({ f.value(u"name").toString(), f.value(u"description").toString(),
                                 f.contains(u"parametersJsonSchema") ? f.value(u"parametersJsonSchema").toObject() : f.value(u"parameters").toObject() });
            }
        }
    }
    const QJsonObject fcc = body.value(u"toolConfig").toObject().value(u"functionCallingConfig").toObject();
    if (!fcc.isEmpty()) {
        const QString mode = fcc.value(u"mode").toString();
        const QJsonArray allowed = fcc.value(u"allowedFunctionNames").toArray();
        if (mode == u"NONE")
            r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::None, {} };
        else if (mode == u"ANY" && allowed.size() == 1)
            r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::Specific, allowed.first().toString() };
        else if (mode == u"ANY")
            r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::Required, {} };
        else
            r.toolChoice = ir::ToolChoice { ir::ToolChoice::Mode::Auto, {} };
    }
    const QJsonObject gc = body.value(u"generationConfig").toObject();
    if (gc.contains(u"temperature"))
        r.temperature = gc.value(u"temperature").toDouble();
    if (gc.contains(u"topP"))
        r.topP = gc.value(u"topP").toDouble();
    if (gc.contains(u"topK"))
        r.topK = gc.value(u"topK").toInt();
    if (gc.contains(u"maxOutputTokens"))
        r.maxTokens = gc.value(u"maxOutputTokens").toInt();
    for (const QJsonValue &s : gc.value(u"stopSequences").toArray())
        r.stop << s.toString();
    if (gc.value(u"candidateCount").toInt(1) != 1)
        return fieldError(QStringLiteral("generationConfig.candidateCount"), QStringLiteral("must be 1 when the model speaks another API format"));
    if (gc.value(u"responseMimeType").toString() == u"application/json") {
        const QJsonObject schema = gc.contains(u"responseJsonSchema") ? gc.value(u"responseJsonSchema").toObject() : gc.value(u"responseSchema").toObject();
        r.jsonFormat = schema.isEmpty() ? QJsonObject { { QStringLiteral("type"), QStringLiteral("json_object") } }
                                        : QJsonObject { { QStringLiteral("type"), QStringLiteral("json_schema") }, { QStringLiteral("name"), QStringLiteral("output") },
                                                        { QStringLiteral("schema"), schema }, { QStringLiteral("strict"), false } };
    }
    const QJsonObject tc = gc.value(u"thinkingConfig").toObject();
    if (!tc.isEmpty()) {
        const int budget = tc.value(u"thinkingBudget").toInt(-1);
        const QString level = tc.value(u"thinkingLevel").toString().toLower();
        if (budget > 0 || !level.isEmpty() || budget == -1)
            r.reasoning = ir::Reasoning { true, budget > 0 ? budget : ir::budgetForEffort(level.isEmpty() ? QStringLiteral("medium") : level),
                                          level.isEmpty() ? ir::effortForBudget(budget > 0 ? budget : 12288) : level };
    }
    return r;
}

Result<QJsonObject> writeRequest(const ir::Request &r)
{
    QJsonObject body;
    if (!r.system.isEmpty()) {
        QJsonArray parts;
        for (const Part &p : r.system)
            parts.append(QJsonObject { { QStringLiteral("text"), p.text } });
        body.insert(QStringLiteral("systemInstruction"), QJsonObject { { QStringLiteral("parts"), parts } });
    }
    QHash<QString, QString> callNames; // call id -> function name (Gemini answers by name)
    QJsonArray contents;
    for (const ir::Message &m : r.messages) {
        QJsonArray parts;
        for (const Part &p : m.parts) {
            if (p.kind == Kind::ToolCall)
                callNames.insert(p.callId, p.name);
            if (p.kind == Kind::ToolResult) {
                QString text;
                for (const Part &rp : p.result)
                    if (rp.kind == Kind::Text)
                        text += rp.text;
                const QString name = p.name.isEmpty() ? callNames.value(p.callId) : p.name;
                if (name.isEmpty())
                    return fieldError(QStringLiteral("tool result %1").arg(p.callId), QStringLiteral("answers a call that is not in the conversation"));
                parts.append(QJsonObject { { QStringLiteral("functionResponse"),
                                             QJsonObject { { QStringLiteral("name"), name },
                                                           { QStringLiteral("response"), QJsonObject { { p.isError ? QStringLiteral("error") : QStringLiteral("output"), text } } } } } });
                continue;
            }
            if (p.kind == Kind::Thinking && p.signatureFormat != WireFormat::Gemini)
                continue; // other vendors' thoughts cannot be replayed
            if (p.kind == Kind::RedactedThinking)
                continue;
            if (p.kind == Kind::Image && !p.url.isEmpty() && !p.url.startsWith(u"gs://") && !p.url.startsWith(u"https://generativelanguage"))
                return fieldError(QStringLiteral("image_url"), QStringLiteral("is an http(s) URL, which Gemini does not fetch; send the image as base64 data"));
            parts.append(writePart(p));
        }
        if (parts.isEmpty())
            continue;
        const QString role = m.role == ir::Message::Role::Assistant ? QStringLiteral("model") : QStringLiteral("user");
        if (!contents.isEmpty() && contents.last().toObject().value(u"role").toString() == role) {
            QJsonObject last = contents.last().toObject();
            QJsonArray merged = last.value(u"parts").toArray();
            for (const QJsonValue &v : parts)
                merged.append(v);
            last.insert(QStringLiteral("parts"), merged);
            contents[contents.size() - 1] = last;
        } else {
            contents.append(QJsonObject { { QStringLiteral("role"), role }, { QStringLiteral("parts"), parts } });
        }
    }
    body.insert(QStringLiteral("contents"), contents);
    QJsonArray decls;
    for (const ir::Tool &t : r.tools) {
        QJsonObject d { { QStringLiteral("name"), t.name }, { QStringLiteral("description"), t.description } };
        if (!t.parameters.isEmpty() && !t.parameters.value(u"properties").toObject().isEmpty())
            d.insert(QStringLiteral("parameters"), ir::sanitizeSchemaForGemini(t.parameters));
        decls.append(d);
    }
    if (!decls.isEmpty())
        body.insert(QStringLiteral("tools"), QJsonArray { QJsonObject { { QStringLiteral("functionDeclarations"), decls } } });
    if (r.toolChoice && !decls.isEmpty()) {
        QJsonObject fcc;
        switch (r.toolChoice->mode) {
        case ir::ToolChoice::Mode::Auto: fcc.insert(QStringLiteral("mode"), QStringLiteral("AUTO")); break;
        case ir::ToolChoice::Mode::None: fcc.insert(QStringLiteral("mode"), QStringLiteral("NONE")); break;
        case ir::ToolChoice::Mode::Required: fcc.insert(QStringLiteral("mode"), QStringLiteral("ANY")); break;
        case ir::ToolChoice::Mode::Specific:
            fcc.insert(QStringLiteral("mode"), QStringLiteral("ANY"));
            fcc.insert(QStringLiteral("allowedFunctionNames"), QJsonArray { r.toolChoice->name });
        }
        body.insert(QStringLiteral("toolConfig"), QJsonObject { { QStringLiteral("functionCallingConfig"), fcc } });
    }
    QJsonObject gc;
    if (r.temperature)
        gc.insert(QStringLiteral("temperature"), *r.temperature);
    if (r.topP)
        gc.insert(QStringLiteral("topP"), *r.topP);
    if (r.topK)
        gc.insert(QStringLiteral("topK"), *r.topK);
    if (r.maxTokens)
        gc.insert(QStringLiteral("maxOutputTokens"), *r.maxTokens);
    if (!r.stop.isEmpty())
        gc.insert(QStringLiteral("stopSequences"), QJsonArray::fromStringList(r.stop));
    if (!r.jsonFormat.isEmpty()) {
        gc.insert(QStringLiteral("responseMimeType"), QStringLiteral("application/json"));
        if (r.jsonFormat.contains(u"schema"))
            gc.insert(QStringLiteral("responseSchema"), ir::sanitizeSchemaForGemini(r.jsonFormat.value(u"schema").toObject()));
    }
    if (r.reasoning && r.reasoning->enabled) {
        const QString effort = r.reasoning->effort.isEmpty() ? ir::effortForBudget(r.reasoning->budgetTokens) : r.reasoning->effort;
        gc.insert(QStringLiteral("thinkingConfig"), QJsonObject { { QStringLiteral("includeThoughts"), true },
                                                                  { QStringLiteral("thinkingLevel"), effort == u"low" || effort == u"minimal" ? QStringLiteral("LOW")
                                                                                                   : effort == u"medium" ? QStringLiteral("MEDIUM") : QStringLiteral("HIGH") } });
    }
    if (!gc.isEmpty())
        body.insert(QStringLiteral("generationConfig"), gc);
    body.insert(QStringLiteral("model"), r.model);
    return body;
}

Result<ir::Response> readResponse(const QJsonObject &o)
{
    const QJsonArray cands = o.value(u"candidates").toArray();
    if (cands.isEmpty() && !o.contains(u"usageMetadata"))
        return Error::badGateway(QStringLiteral("upstream answer has no candidates"));
    return readChunks(QJsonArray { o });
}

Result<ir::Response> readChunks(const QJsonArray &chunks)
{
    ir::Response r;
    int counter = 0;
    bool tool = false;
    for (const QJsonValue &cv : chunks) {
        const QJsonObject o = cv.toObject();
        r.id = o.value(u"responseId").toString(r.id);
        r.model = o.value(u"modelVersion").toString(r.model);
        const QJsonObject cand = o.value(u"candidates").toArray().first().toObject();
        QList<Part> parts;
        readParts(cand.value(u"content").toObject().value(u"parts").toArray(), &parts, &counter);
        for (const Part &p : parts) {
            tool = tool || p.kind == Kind::ToolCall;
            if (!r.parts.isEmpty() && r.parts.last().kind == p.kind && (p.kind == Kind::Text || p.kind == Kind::Thinking))
                r.parts.last().text += p.text; // streamed pieces of one part
            else
                r.parts.append(p);
        }
        if (cand.contains(u"finishReason"))
            r.finish = finishOf(cand.value(u"finishReason").toString());
        if (o.contains(u"usageMetadata"))
            r.usage = usageOf(o.value(u"usageMetadata").toObject());
    }
    if (tool && r.finish == ir::Finish::Stop)
        r.finish = ir::Finish::ToolCalls;
    return r;
}

QJsonObject writeResponse(const ir::Response &r)
{
    QJsonArray parts;
    for (const Part &p : r.parts) {
        const QJsonObject w = writePart(p);
        if (!w.isEmpty())
            parts.append(w);
    }
    QJsonObject o = candidateChunk(parts, finishName(WireFormat::Gemini, r.finish), usageJson(r.usage), r.model);
    o.insert(QStringLiteral("responseId"), r.id.isEmpty() ? ir::newId("") : r.id);
    return o;
}

namespace {

class Reader final : public EventReader
{
public:
    QList<ir::Event> read(const SseEvent &ev) override
    {
        QList<ir::Event> out;
        const QJsonObject o = QJsonDocument::fromJson(ev.data).object();
        if (o.contains(u"error")) {
            ir::Event e;
            e.type = ir::Event::Type::Error;
            e.error = Error::badGateway(o.value(u"error").toObject().value(u"message").toString(QStringLiteral("upstream error")));
            m_done = true;
            return { e };
        }
        if (!m_started) {
            m_started = true;
            ir::Event e;
            e.type = ir::Event::Type::Start;
            e.id = o.value(u"responseId").toString();
            e.model = o.value(u"modelVersion").toString();
            out << e;
        }
        const QJsonObject cand = o.value(u"candidates").toArray().first().toObject();
        QList<Part> parts;
        readParts(cand.value(u"content").toObject().value(u"parts").toArray(), &parts, &m_counter);
        for (const Part &p : parts) {
            if (p.kind == Kind::Text || p.kind == Kind::Thinking) {
                if (m_openIndex < 0 || m_openKind != p.kind) {
                    stop(out);
                    Part s;
                    s.kind = p.kind;
                    s.signatureFormat = WireFormat::Gemini;
                    start(out, s);
                }
                ir::Event d;
                d.type = p.kind == Kind::Text ? ir::Event::Type::TextDelta : ir::Event::Type::ThinkingDelta;
                d.index = m_openIndex;
                d.text = p.text;
                if (!d.text.isEmpty())
                    out << d;
                if (!p.signature.isEmpty()) {
                    ir::Event s;
                    s.type = ir::Event::Type::SignatureDelta;
                    s.index = m_openIndex;
                    s.text = p.signature;
                    out << s;
                }
            } else if (p.kind == Kind::ToolCall) {
                // Gemini sends a call whole: start, all arguments, stop.
                stop(out);
                start(out, p);
                ir::Event a;
                a.type = ir::Event::Type::ArgumentsDelta;
                a.index = m_openIndex;
                a.text = p.arguments;
                out << a;
                stop(out);
                m_sawTool = true;
            }
        }
        if (o.contains(u"usageMetadata"))
            m_usage = usageOf(o.value(u"usageMetadata").toObject());
        if (cand.contains(u"finishReason")) {
            m_finish = finishOf(cand.value(u"finishReason").toString());
            m_haveFinish = true;
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
        e.finish = m_sawTool && (!m_haveFinish || m_finish == ir::Finish::Stop) ? ir::Finish::ToolCalls : m_finish;
        e.usage = m_usage;
        out << e;
        return out;
    }

private:
    void start(QList<ir::Event> &out, const Part &p)
    {
        ir::Event e;
        e.type = ir::Event::Type::PartStart;
        e.index = m_openIndex = m_next++;
        e.part = p;
        m_openKind = p.kind;
        out << e;
    }
    void stop(QList<ir::Event> &out)
    {
        if (m_openIndex < 0)
            return;
        ir::Event e;
        e.type = ir::Event::Type::PartStop;
        e.index = m_openIndex;
        out << e;
        m_openIndex = -1;
    }

    bool m_started = false;
    bool m_done = false;
    bool m_sawTool = false;
    bool m_haveFinish = false;
    ir::Finish m_finish = ir::Finish::Stop;
    ir::Usage m_usage;
    int m_openIndex = -1;
    Kind m_openKind = Kind::Text;
    int m_next = 0;
    int m_counter = 0;
};

/// One SSE chunk per delta; a function call leaves whole once its arguments are complete (Gemini has no
/// partial-arguments event), so only that call's arguments are held.
class Writer final : public StreamWriter
{
public:
    explicit Writer(const ir::Request &r) : m_model(r.model) { }

    QByteArray write(const ir::Event &e) override
    {
        QByteArray out;
        if (m_finished)
            return out;
        switch (e.type) {
        case ir::Event::Type::Start:
        case ir::Event::Type::Usage:
            if (e.usage.known)
                m_usage = e.usage;
            break;
        case ir::Event::Type::PartStart:
            m_open = e.part;
            m_open.arguments.clear();
            m_inPart = true;
            break;
        case ir::Event::Type::TextDelta:
            if (!e.text.isEmpty())
                out += chunk(QJsonArray { QJsonObject { { QStringLiteral("text"), e.text } } });
            break;
        case ir::Event::Type::ThinkingDelta:
            if (!e.text.isEmpty())
                out += chunk(QJsonArray { QJsonObject { { QStringLiteral("text"), e.text }, { QStringLiteral("thought"), true } } });
            break;
        case ir::Event::Type::SignatureDelta:
            if (m_inPart)
                m_open.signature += e.text;
            break;
        case ir::Event::Type::ArgumentsDelta:
            if (m_inPart && m_open.kind == Kind::ToolCall)
                m_open.arguments += e.text;
            break;
        case ir::Event::Type::PartStop:
            if (m_inPart && m_open.kind == Kind::ToolCall) {
                m_sawTool = true;
                out += chunk(QJsonArray { writePart(m_open) });
            }
            m_inPart = false;
            break;
        case ir::Event::Type::Finish:
            if (e.usage.known)
                m_usage = e.usage;
            out += "data: " + QJsonDocument(candidateChunk(QJsonArray(), finishName(WireFormat::Gemini, e.finish), usageJson(m_usage), m_model)).toJson(QJsonDocument::Compact) + "\r\n\r\n";
            m_finished = true;
            break;
        case ir::Event::Type::Error:
            out += "data: " + QJsonDocument(QJsonObject { { QStringLiteral("error"), QJsonObject { { QStringLiteral("code"), e.error.httpStatus },
                                                                                                  { QStringLiteral("message"), e.error.message },
                                                                                                  { QStringLiteral("status"), QStringLiteral("UNAVAILABLE") } } } })
                                  .toJson(QJsonDocument::Compact) + "\r\n\r\n";
            m_finished = true;
            break;
        case ir::Event::Type::Ping:
            out += keepAlive();
            break;
        }
        return out;
    }

    QByteArray keepAlive() override { return QByteArrayLiteral(": keepalive\r\n\r\n"); }
    bool finished() const override { return m_finished; }

private:
    QByteArray chunk(const QJsonArray &parts) const
    {
        return "data: " + QJsonDocument(candidateChunk(parts, QString(), QJsonObject(), m_model)).toJson(QJsonDocument::Compact) + "\r\n\r\n";
    }

    QString m_model;
    Part m_open;
    bool m_inPart = false;
    bool m_finished = false;
    bool m_sawTool = false;
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

} // namespace d2a::fmt::gemini
