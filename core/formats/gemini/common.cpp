// Gemini parts, finish reasons, usage and schemas.
#include "gemini_p.h"

namespace d2a::fmt::gemini {

using ir::Part;
using Kind = ir::Part::Kind;

ir::Finish finishOf(QStringView f)
{
    if (f == u"MAX_TOKENS")
        return ir::Finish::Length;
    if (f == u"SAFETY" || f == u"RECITATION" || f == u"BLOCKLIST" || f == u"PROHIBITED_CONTENT" || f == u"SPII")
        return ir::Finish::ContentFilter;
    return ir::Finish::Stop;
}

ir::Usage usageOf(const Value &u)
{
    ir::Usage t;
    if (!u.isObject())
        return t;
    qint64 prompt = 0;
    qint64 candidates = 0;
    bool seen = takeCount(prompt, u["promptTokenCount"]);
    seen |= takeCount(candidates, u["candidatesTokenCount"]);
    seen |= takeCount(t.cacheRead, u["cachedContentTokenCount"]);
    seen |= takeCount(t.reasoning, u["thoughtsTokenCount"]);
    t.input = qMax<qint64>(0, prompt - t.cacheRead); // promptTokenCount counts the cached ones too
    t.output = candidates + t.reasoning; // Gemini counts thoughts apart from the candidates
    t.known = seen;
    return t;
}

void writeUsage(Writer &w, const ir::Usage &u)
{
    const qint64 prompt = u.input + u.cacheRead + u.cacheWrite;
    w.beginObject().member("promptTokenCount", prompt).member("candidatesTokenCount", u.output - u.reasoning);
    w.member("totalTokenCount", prompt + u.output);
    if (u.cacheRead)
        w.member("cachedContentTokenCount", u.cacheRead);
    if (u.reasoning)
        w.member("thoughtsTokenCount", u.reasoning);
    w.endObject();
}

void readParts(const Value &parts, QList<Part> *out, int *callCounter)
{
    for (Value p : parts.children())
        readPart(p, out, callCounter);
}

void readPart(const Value &p, QList<Part> *out, int *callCounter)
{
    {
        if (p.contains("functionCall")) {
            const Value fc = p["functionCall"];
            Part c;
            c.kind = Kind::ToolCall;
            c.name = fc["name"].toString();
            c.callId = fc["id"].toString();
            if (c.callId.isEmpty())
                c.callId = QStringLiteral("call_%1_%2").arg(c.name).arg((*callCounter)++);
            c.arguments =
                fc["args"].isObject() ? QString::fromUtf8(json::compact(fc["args"].raw())) : QStringLiteral("{}");
            c.signature = p["thoughtSignature"].toString();
            c.signatureFormat = WireFormat::Gemini;
            out->append(c);
        } else if (p["thought"].toBool(false)) {
            Part t;
            t.kind = Kind::Thinking;
            t.text = p["text"].toText();
            t.signature = p["thoughtSignature"].toString();
            t.signatureFormat = WireFormat::Gemini;
            ir::fromClient(&t, WireFormat::Gemini); // another vendor's reasoning carried here by droid2api
            out->append(t);
        } else if (p.contains("text")) {
            out->append(Part::makeText(p["text"].toText()));
        } else if (p.contains("inlineData") || p.contains("inline_data")) {
            const Value d = p.contains("inlineData") ? p["inlineData"] : p["inline_data"];
            Part i;
            i.kind = Kind::Image;
            i.mediaType = d["mimeType"].toString(d["mime_type"].toString());
            i.data = d["data"].toString();
            out->append(i);
        } else if (p.contains("fileData")) {
            Part i;
            i.kind = Kind::Image;
            i.url = p["fileData"]["fileUri"].toString();
            i.mediaType = p["fileData"]["mimeType"].toString();
            out->append(i);
        }
    }
}

bool writePart(Writer &w, const Part &p)
{
    switch (p.kind) {
    case Kind::Text: w.beginObject().member("text", p.text).endObject(); return true;
    case Kind::Image:
        w.beginObject();
        if (!p.url.isEmpty())
            w.key("fileData")
                .beginObject()
                .member("mimeType", p.mediaType.isEmpty() ? QStringLiteral("image/jpeg") : p.mediaType)
                .member("fileUri", p.url)
                .endObject();
        else
            w.key("inlineData").beginObject().member("mimeType", p.mediaType).member("data", p.data).endObject();
        w.endObject();
        return true;
    case Kind::ToolCall:
        w.beginObject().key("functionCall").beginObject().member("name", p.name);
        writeArgumentsObject(w.key("args"), p.arguments);
        w.endObject();
        if (p.signatureFormat == WireFormat::Gemini && !p.signature.isEmpty())
            w.member("thoughtSignature", p.signature);
        w.endObject();
        return true;
    case Kind::Thinking:
        w.beginObject().member("text", p.text).member("thought", true);
        if (p.signatureFormat == WireFormat::Gemini && !p.signature.isEmpty())
            w.member("thoughtSignature", p.signature);
        w.endObject();
        return true;
    default: return false;
    }
}

void writeChunk(Writer &w, QByteArrayView parts, const QString &finish, const ir::Usage *usage, const QString &model,
                const QString &responseId)
{
    w.beginObject().key("candidates").beginArray().beginObject();
    w.key("content").beginObject().memberRaw("parts", parts).member("role", "model").endObject();
    if (!finish.isEmpty())
        w.member("finishReason", finish);
    w.member("index", 0).endObject().endArray();
    if (usage) {
        w.key("usageMetadata");
        writeUsage(w, *usage);
    }
    w.member("modelVersion", model);
    if (!responseId.isEmpty())
        w.member("responseId", responseId);
    w.endObject();
}

void writeSchema(Writer &w, const Value &schema)
{
    static const char *const rejected[] = { "$schema",
                                            "$id",
                                            "$ref",
                                            "$defs",
                                            "$comment",
                                            "definitions",
                                            "additionalProperties",
                                            "uniqueItems",
                                            "exclusiveMinimum",
                                            "exclusiveMaximum",
                                            "examples",
                                            "default",
                                            "patternProperties",
                                            "dependencies",
                                            "dependentRequired",
                                            "dependentSchemas",
                                            "unevaluatedProperties",
                                            "propertyNames",
                                            "minProperties",
                                            "maxProperties",
                                            "contains",
                                            "if",
                                            "then",
                                            "else",
                                            "not",
                                            "readOnly",
                                            "writeOnly",
                                            "strict",
                                            "propertyOrdering" };
    if (!schema.isObject()) {
        w.value(schema);
        return;
    }
    w.beginObject();
    bool nullable = false;
    bool wroteNullable = false;
    for (Value m : schema.children()) {
        bool drop = false;
        for (const char *r : rejected)
            drop = drop || m.keyIs(QLatin1StringView(r));
        if (drop)
            continue;
        if (m.keyIs("const")) {
            w.key("enum").beginArray().value(m).endArray();
        } else if (m.keyIs("type") && m.isArray()) {
            // ["string","null"] -> type string, nullable
            QString type;
            for (Value t : m.children()) {
                if (t.stringIs("null"))
                    nullable = true;
                else if (type.isEmpty())
                    type = t.toString();
            }
            w.member("type", type.isEmpty() ? QStringLiteral("string") : type);
            if (nullable) {
                w.member("nullable", true);
                wroteNullable = true;
            }
        } else if (m.keyIs("nullable")) {
            if (!wroteNullable)
                w.key("nullable").value(m);
            wroteNullable = true;
        } else if (m.keyIs("properties") && m.isObject()) {
            w.key("properties").beginObject();
            for (Value p : m.children()) {
                w.key(p.key());
                writeSchema(w, p);
            }
            w.endObject();
            // Gemini orders properties alphabetically unless told the order the schema gives.
            if (m.size() > 1) {
                w.key("propertyOrdering").beginArray();
                for (Value p : m.children())
                    w.string(p.key());
                w.endArray();
            }
        } else if (m.keyIs("items") && m.isObject()) {
            w.key("items");
            writeSchema(w, m);
        } else if ((m.keyIs("anyOf") || m.keyIs("oneOf") || m.keyIs("allOf")) && m.isArray()) {
            w.key("anyOf").beginArray(); // Gemini knows anyOf only
            for (Value s : m.children())
                writeSchema(w, s);
            w.endArray();
        } else {
            w.key(m.key()).value(m);
        }
    }
    w.endObject();
}

namespace {

void writeJsonSchema(Writer &w, const Value &schema)
{
    // Google's OpenAPI subset -> JSON Schema: types in lower case, `nullable` as a "null" type, the property
    // order kept by the object itself (propertyOrdering is Gemini's alone). Everything else as written.
    if (schema.isArray()) {
        w.beginArray();
        for (Value v : schema.children())
            writeJsonSchema(w, v);
        w.endArray();
        return;
    }
    if (!schema.isObject()) {
        w.value(schema);
        return;
    }
    const bool nullable = schema["nullable"].toBool(false);
    w.beginObject();
    for (Value m : schema.children()) {
        if (m.keyIs("nullable") || m.keyIs("propertyOrdering"))
            continue;
        if (m.keyIs("type") && m.isString()) {
            w.key("type");
            if (nullable)
                w.beginArray().string(m.toString().toLower()).string("null").endArray();
            else
                w.string(m.toString().toLower());
        } else if (m.keyIs("properties") && m.isObject()) {
            w.key("properties").beginObject();
            for (Value p : m.children()) {
                w.key(p.key());
                writeJsonSchema(w, p);
            }
            w.endObject();
        } else if (m.keyIs("items") || m.keyIs("anyOf")) {
            w.key(m.key());
            writeJsonSchema(w, m);
        } else {
            w.key(m.key()).value(m);
        }
    }
    w.endObject();
}

} // namespace

json::Fragment jsonSchemaOf(const Value &openApiSchema)
{
    QByteArray out;
    Writer w(&out);
    w.recordTree();
    writeJsonSchema(w, openApiSchema);
    auto written = w.takeDocument();
    return written ? json::Fragment(std::move(written.value())) : json::Fragment();
}

} // namespace d2a::fmt::gemini
