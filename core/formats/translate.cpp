#include "translate.h"

#include "formats_p.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/quuid.h>

namespace d2a {

namespace ir {

QString newId(const char *prefix)
{
    return QString::fromLatin1(prefix) + QUuid::createUuid().toString(QUuid::Id128).left(24);
}

bool parseDataUrl(const QString &url, QString *mediaType, QString *data)
{
    if (!url.startsWith(u"data:"))
        return false;
    const qsizetype comma = url.indexOf(u',');
    const qsizetype semi = url.indexOf(QStringLiteral(";base64"));
    if (comma < 0 || semi < 0 || semi > comma)
        return false;
    *mediaType = url.mid(5, semi - 5);
    *data = url.mid(comma + 1);
    return true;
}

QString dataUrl(const Part &image)
{
    if (!image.url.isEmpty())
        return image.url;
    return QStringLiteral("data:") + image.mediaType + QStringLiteral(";base64,") + image.data;
}

std::optional<QJsonObject> argumentsObject(const QString &arguments)
{
    const QString t = arguments.trimmed();
    if (t.isEmpty())
        return QJsonObject();
    const QJsonDocument d = QJsonDocument::fromJson(t.toUtf8());
    if (!d.isObject())
        return std::nullopt;
    return d.object();
}

QString compactJson(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isString())
        return v.toString();
    return QStringLiteral("{}");
}

int budgetForEffort(const QString &effort)
{
    if (effort == u"minimal" || effort == u"low")
        return 4096;
    if (effort == u"medium")
        return 12288;
    if (effort == u"high")
        return 24576;
    if (effort == u"xhigh")
        return 40960;
    return 0;
}

QString effortForBudget(int budget)
{
    if (budget <= 0)
        return {};
    if (budget <= 4096)
        return QStringLiteral("low");
    if (budget <= 12288)
        return QStringLiteral("medium");
    return QStringLiteral("high");
}

QString wrapSignature(WireFormat origin, const QString &signature)
{
    if (origin == WireFormat::Anthropic || signature.isEmpty())
        return signature;
    const char *tag = origin == WireFormat::OpenAIResponses ? "responses" : origin == WireFormat::Gemini ? "gemini" : "chat";
    return QStringLiteral("d2a.") + QLatin1String(tag) + u'.' + signature;
}

QString unwrapSignature(const QString &signature, WireFormat *origin)
{
    *origin = WireFormat::Anthropic;
    if (!signature.startsWith(u"d2a."))
        return signature;
    const qsizetype dot = signature.indexOf(u'.', 4);
    const QStringView tag = QStringView(signature).mid(4, dot - 4);
    *origin = tag == u"responses" ? WireFormat::OpenAIResponses : tag == u"gemini" ? WireFormat::Gemini : WireFormat::OpenAIChat;
    return signature.mid(dot + 1);
}

QJsonObject sanitizeSchemaForGemini(const QJsonObject &schema)
{
    static const char *const rejected[] = { "$schema", "$id", "$ref", "$defs", "$comment", "definitions", "additionalProperties",
                                            "uniqueItems", "exclusiveMinimum", "exclusiveMaximum", "examples", "default",
                                            "patternProperties", "dependencies", "dependentRequired", "dependentSchemas",
                                            "unevaluatedProperties", "propertyNames", "minProperties", "maxProperties",
                                            "contains", "if", "then", "else", "not", "readOnly", "writeOnly", "strict" };
    QJsonObject out;
    for (auto it = schema.begin(); it != schema.end(); ++it) {
        bool drop = false;
        for (const char *r : rejected)
            if (it.key() == QLatin1String(r))
                drop = true;
        if (drop)
            continue;
        const QJsonValue v = it.value();
        if (it.key() == u"const") {
            out.insert(QStringLiteral("enum"), QJsonArray { v });
        } else if (it.key() == u"type" && v.isArray()) {
            // ["string","null"] -> type string, nullable
            QString type;
            for (const QJsonValue &t : v.toArray())
                if (t.toString() != u"null" && type.isEmpty())
                    type = t.toString();
                else if (t.toString() == u"null")
                    out.insert(QStringLiteral("nullable"), true);
            out.insert(QStringLiteral("type"), type.isEmpty() ? QStringLiteral("string") : type);
        } else if (it.key() == u"properties" && v.isObject()) {
            QJsonObject props;
            const QJsonObject p = v.toObject();
            for (auto pi = p.begin(); pi != p.end(); ++pi)
                props.insert(pi.key(), sanitizeSchemaForGemini(pi.value().toObject()));
            out.insert(it.key(), props);
        } else if ((it.key() == u"items") && v.isObject()) {
            out.insert(it.key(), sanitizeSchemaForGemini(v.toObject()));
        } else if ((it.key() == u"anyOf" || it.key() == u"oneOf" || it.key() == u"allOf") && v.isArray()) {
            QJsonArray arr;
            for (const QJsonValue &s : v.toArray())
                arr.append(sanitizeSchemaForGemini(s.toObject()));
            out.insert(QStringLiteral("anyOf"), arr); // Gemini knows anyOf only
        } else {
            out.insert(it.key(), v);
        }
    }
    return out;
}

} // namespace ir

Result<ir::Request> readRequest(WireFormat format, const QJsonObject &body, const QString &pathModel)
{
    switch (format) {
    case WireFormat::Anthropic: return fmt::anthropic::readRequest(body);
    case WireFormat::OpenAIChat: return fmt::chat::readRequest(body);
    case WireFormat::OpenAIResponses: return fmt::responses::readRequest(body);
    case WireFormat::Gemini: return fmt::gemini::readRequest(body, pathModel);
    }
    return Error::internal(QStringLiteral("unknown format"));
}

Result<QJsonObject> writeRequest(WireFormat format, const ir::Request &request)
{
    switch (format) {
    case WireFormat::Anthropic: return fmt::anthropic::writeRequest(request);
    case WireFormat::OpenAIChat: return fmt::chat::writeRequest(request);
    case WireFormat::OpenAIResponses: return fmt::responses::writeRequest(request);
    case WireFormat::Gemini: return fmt::gemini::writeRequest(request);
    }
    return Error::internal(QStringLiteral("unknown format"));
}

Result<ir::Response> readResponse(WireFormat format, const QByteArray &body)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return Error::badGateway(QStringLiteral("upstream sent invalid JSON (%1)").arg(pe.errorString()));
    QJsonObject o = doc.object();
    if (doc.isArray() && format == WireFormat::Gemini) // a streamed Gemini answer read whole: merge the chunks
        return fmt::gemini::readChunks(doc.array());
    switch (format) {
    case WireFormat::Anthropic: return fmt::anthropic::readResponse(o);
    case WireFormat::OpenAIChat: return fmt::chat::readResponse(o);
    case WireFormat::OpenAIResponses: return fmt::responses::readResponse(o);
    case WireFormat::Gemini: return fmt::gemini::readResponse(o);
    }
    return Error::internal(QStringLiteral("unknown format"));
}

QByteArray writeResponse(WireFormat format, const ir::Response &response)
{
    QJsonObject o;
    switch (format) {
    case WireFormat::Anthropic: o = fmt::anthropic::writeResponse(response); break;
    case WireFormat::OpenAIChat: o = fmt::chat::writeResponse(response); break;
    case WireFormat::OpenAIResponses: o = fmt::responses::writeResponse(response); break;
    case WireFormat::Gemini: o = fmt::gemini::writeResponse(response); break;
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::unique_ptr<EventReader> makeEventReader(WireFormat upstream)
{
    switch (upstream) {
    case WireFormat::Anthropic: return fmt::anthropic::makeEventReader();
    case WireFormat::OpenAIChat: return fmt::chat::makeEventReader();
    case WireFormat::OpenAIResponses: return fmt::responses::makeEventReader();
    case WireFormat::Gemini: return fmt::gemini::makeEventReader();
    }
    return nullptr;
}

std::unique_ptr<StreamWriter> makeStreamWriter(WireFormat client, const ir::Request &request)
{
    switch (client) {
    case WireFormat::Anthropic: return fmt::anthropic::makeStreamWriter(request);
    case WireFormat::OpenAIChat: return fmt::chat::makeStreamWriter(request);
    case WireFormat::OpenAIResponses: return fmt::responses::makeStreamWriter(request);
    case WireFormat::Gemini: return fmt::gemini::makeStreamWriter(request);
    }
    return nullptr;
}

qint64 estimateInputTokens(const ir::Request &request)
{
    qint64 chars = 0;
    qint64 images = 0;
    auto countParts = [&](const QList<ir::Part> &parts, auto &self) -> void {
        for (const ir::Part &p : parts) {
            chars += p.text.size() + p.arguments.size() + p.name.size() + 8;
            if (p.kind == ir::Part::Kind::Image)
                ++images;
            self(p.result, self);
        }
    };
    countParts(request.system, countParts);
    for (const ir::Message &m : request.messages) {
        chars += 16; // role and message framing
        countParts(m.parts, countParts);
    }
    for (const ir::Tool &t : request.tools)
        chars += t.name.size() + t.description.size() + QJsonDocument(t.parameters).toJson(QJsonDocument::Compact).size() + 16;
    return (chars + 3) / 4 + images * 1600;
}

} // namespace d2a

namespace d2a::fmt {

QString finishName(WireFormat f, ir::Finish finish)
{
    switch (f) {
    case WireFormat::Anthropic:
        switch (finish) {
        case ir::Finish::Stop: return QStringLiteral("end_turn");
        case ir::Finish::Length: return QStringLiteral("max_tokens");
        case ir::Finish::ToolCalls: return QStringLiteral("tool_use");
        case ir::Finish::ContentFilter: return QStringLiteral("refusal");
        case ir::Finish::Error: return QStringLiteral("end_turn");
        }
        break;
    case WireFormat::OpenAIChat:
        switch (finish) {
        case ir::Finish::Stop: return QStringLiteral("stop");
        case ir::Finish::Length: return QStringLiteral("length");
        case ir::Finish::ToolCalls: return QStringLiteral("tool_calls");
        case ir::Finish::ContentFilter: return QStringLiteral("content_filter");
        case ir::Finish::Error: return QStringLiteral("stop");
        }
        break;
    case WireFormat::OpenAIResponses:
        return finish == ir::Finish::Length ? QStringLiteral("max_output_tokens")
                                            : finish == ir::Finish::ContentFilter ? QStringLiteral("content_filter") : QString();
    case WireFormat::Gemini:
        switch (finish) {
        case ir::Finish::Stop: case ir::Finish::ToolCalls: return QStringLiteral("STOP");
        case ir::Finish::Length: return QStringLiteral("MAX_TOKENS");
        case ir::Finish::ContentFilter: return QStringLiteral("SAFETY");
        case ir::Finish::Error: return QStringLiteral("OTHER");
        }
        break;
    }
    return {};
}

QByteArray sseJson(const QByteArray &event, const QJsonObject &data)
{
    return SseSplitter::format(event, QJsonDocument(data).toJson(QJsonDocument::Compact));
}

} // namespace d2a::fmt
