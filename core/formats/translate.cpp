#include "translate.h"

#include "formats_p.h"

#include <QtCore/qhash.h>
#include <QtCore/qlocale.h>
#include <QtCore/quuid.h>

#include <optional>

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

namespace {

constexpr QLatin1StringView kEnvelope("d2a.");
constexpr QLatin1StringView kEnvelopeBase64("ZDJhL"); // base64 of "d2a." followed by a tag letter
constexpr QLatin1StringView kCallMark("__d2a");

QByteArray b64url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> unb64(QByteArrayView text, QByteArray::Base64Options options)
{
    auto decoded =
        QByteArray::fromBase64Encoding(text.toByteArray(), options | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

/// The envelope's text, before the client's field encoding.
QString envelopeText(const Part &p, const QString &servedBy)
{
    const QString model = p.signatureModel.isEmpty() ? servedBy : p.signatureModel;
    const bool redacted = p.kind == Part::Kind::RedactedThinking;
    return kEnvelope + QLatin1StringView(formatSpec(p.signatureFormat).tag) + (redacted ? u".r." : u".t.")
           + QString::fromLatin1(b64url(model.toUtf8())) + u'.' + (redacted ? p.text.toString() : p.signature);
}

bool openEnvelopeText(const QString &text, Part *p)
{
    if (!text.startsWith(kEnvelope))
        return false;
    const qsizetype tagEnd = text.indexOf(u'.', kEnvelope.size());
    if (tagEnd < 0)
        return false;
    const FormatSpec *vendor = formatForTag(QStringView(text).mid(kEnvelope.size(), tagEnd - kEnvelope.size()));
    if (!vendor)
        return false;
    QString model;
    QString state;
    bool redacted = false;
    const QStringView rest = QStringView(text).mid(tagEnd + 1);
    const qsizetype modelEnd = rest.size() > 2 ? rest.indexOf(u'.', 2) : -1;
    if (rest.size() > 2 && (rest.startsWith(u"t.") || rest.startsWith(u"r.")) && modelEnd > 0) {
        redacted = rest.startsWith(u"r.");
        const auto decoded = unb64(rest.mid(2, modelEnd - 2).toLatin1(), QByteArray::Base64UrlEncoding);
        if (!decoded)
            return false;
        model = QString::fromUtf8(*decoded);
        state = rest.mid(modelEnd + 1).toString();
    } else {
        state = rest.toString(); // the older form "d2a.<tag>.<state>": the model is not known
    }
    p->kind = redacted ? Part::Kind::RedactedThinking : Part::Kind::Thinking;
    p->signatureFormat = vendor->id;
    p->signatureModel = model;
    if (redacted) {
        p->text = state;
        p->signature.clear();
    } else {
        p->signature = state;
    }
    return true;
}

} // namespace

QString envelope(const Part &p, WireFormat client, const QString &servedBy)
{
    const QString text = envelopeText(p, servedBy);
    if (formatSpec(client).envelopeInBase64) // the client's field holds bytes: valid base64 it must be
        return QString::fromLatin1(text.toUtf8().toBase64());
    return text;
}

bool mayBeEnvelope(QByteArrayView rawString)
{
    // The raw string token, its quote first: no decoding.
    if (!rawString.startsWith('"'))
        return false;
    const QByteArrayView text = rawString.sliced(1);
    return text.startsWith(QByteArrayView(kEnvelope.data(), kEnvelope.size()))
           || text.startsWith(QByteArrayView(kEnvelopeBase64.data(), kEnvelopeBase64.size()));
}

bool isEnvelope(QStringView field, WireFormat client)
{
    if (!formatSpec(client).envelopeInBase64)
        return field.startsWith(kEnvelope);
    if (!field.startsWith(kEnvelopeBase64))
        return false;
    const auto decoded = unb64(field.toLatin1(), QByteArray::Base64Encoding);
    return decoded && decoded->startsWith("d2a.");
}

bool openEnvelope(const QString &field, WireFormat client, Part *p)
{
    if (!isEnvelope(field, client))
        return false;
    if (!formatSpec(client).envelopeInBase64)
        return openEnvelopeText(field, p);
    const auto decoded = unb64(field.toLatin1(), QByteArray::Base64Encoding);
    return decoded && openEnvelopeText(QString::fromUtf8(*decoded), p);
}

QString carryCallId(const Part &call, const QString &servedBy)
{
    if (call.kind != Part::Kind::ToolCall || call.signature.isEmpty() || !formatSpec(call.signatureFormat).signsCalls)
        return call.callId;
    const QString model = call.signatureModel.isEmpty() ? servedBy : call.signatureModel;
    const QByteArray packed =
        QByteArray(formatSpec(call.signatureFormat).tag) + '\n' + model.toUtf8() + '\n' + call.signature.toUtf8();
    return call.callId + kCallMark + QString::fromLatin1(b64url(packed));
}

QString plainCallId(const QString &id)
{
    const qsizetype at = id.indexOf(kCallMark);
    return at < 0 ? id : id.left(at);
}

void openCallId(Part *p)
{
    const qsizetype at = p->callId.indexOf(kCallMark);
    if (at < 0)
        return;
    const auto packed =
        unb64(QStringView(p->callId).mid(at + kCallMark.size()).toLatin1(), QByteArray::Base64UrlEncoding);
    p->callId.truncate(at);
    if (!packed || p->kind != Part::Kind::ToolCall)
        return;
    const QList<QByteArray> fields = packed->split('\n');
    const FormatSpec *vendor = fields.size() == 3 ? formatForTag(QString::fromLatin1(fields[0])) : nullptr;
    if (!vendor)
        return;
    p->signatureFormat = vendor->id;
    p->signatureModel = QString::fromUtf8(fields[1]);
    p->signature = QString::fromUtf8(fields[2]);
}

Part forClient(const Part &p, WireFormat client, const QString &servedBy)
{
    Part out = p;
    if (p.kind == Part::Kind::ToolCall) {
        out.callId = carryCallId(p, servedBy);
        out.signature.clear();
        out.signatureFormat = client;
        return out;
    }
    const bool reasoning = p.kind == Part::Kind::Thinking || p.kind == Part::Kind::RedactedThinking;
    if (!reasoning || p.signatureFormat == client)
        return out;
    // Another vendor's reasoning: its text as the client's reasoning text, its state in an envelope. Reasoning
    // without state (a Chat model's, a Gemini thought whose signature came on another part) gets one too, so
    // that it is recognised as another vendor's when the client sends it back.
    out.kind = Part::Kind::Thinking;
    out.signatureFormat = client;
    out.signatureModel.clear();
    out.reasoningId.clear();
    if (p.kind == Part::Kind::RedactedThinking)
        out.text.clear();
    out.signature = envelope(p, client, servedBy);
    return out;
}

void fromClient(Part *p, WireFormat client)
{
    if (p->kind == Part::Kind::ToolCall || p->kind == Part::Kind::ToolResult) {
        openCallId(p);
        return;
    }
    if (p->kind != Part::Kind::Thinking && p->kind != Part::Kind::RedactedThinking)
        return;
    Part carried = *p;
    if (p->kind == Part::Kind::Thinking && !p->signature.isEmpty() && openEnvelope(p->signature, client, &carried)) {
        if (carried.kind == Part::Kind::Thinking)
            carried.text = p->text;
        carried.reasoningId.clear();
        *p = carried;
        return;
    }
    // Not carried: the client's own vendor's state, whatever the reader left in the field (its default names a
    // real vendor, which would get it back).
    p->signatureFormat = client;
}

} // namespace ir

Result<ir::Request> readRequest(WireFormat format, const json::Value &body, const QString &pathModel)
{
    auto read = formatSpec(format).readRequest(body, pathModel);
    if (read)
        read.value().sourceBytes = body.end() - body.start();
    return read;
}

Result<QByteArray> writeRequest(WireFormat format, const ir::Request &request)
{
    auto written = formatSpec(format).writeRequest(request);
    if (!written)
        return written.error();
    return written.value().source();
}

Result<json::Document> writeRequestDocument(WireFormat format, const ir::Request &request)
{
    return formatSpec(format).writeRequest(request);
}

Result<ir::Response> readResponse(WireFormat format, const QByteArray &body)
{
    auto doc = json::Document::parse(body, { 512, false }, json::Document::kMaxValues);
    if (!doc)
        return Error::badGateway(QStringLiteral("upstream sent invalid JSON (%1)").arg(doc.error().message));
    return formatSpec(format).readResponse(doc.value().root());
}

QByteArray writeResponse(WireFormat format, const ir::Response &response, const ir::Request *request)
{
    return formatSpec(format).writeResponse(response, request);
}

std::unique_ptr<EventReader> makeEventReader(WireFormat upstream)
{
    return formatSpec(upstream).makeEventReader();
}

Result<ir::Response> collectResponse(const QList<ir::Event> &events)
{
    ir::Response r;
    QHash<int, qsizetype> at; // event index -> position in r.parts
    auto part = [&](int index) -> ir::Part * {
        const auto it = at.constFind(index);
        return it == at.cend() ? nullptr : &r.parts[*it];
    };
    for (const ir::Event &e : events) {
        switch (e.type) {
        case ir::Event::Type::Start:
            r.id = e.id;
            r.model = e.model;
            if (e.usage.known)
                r.usage = e.usage;
            break;
        case ir::Event::Type::PartStart:
            at.insert(e.index, r.parts.size());
            r.parts.append(e.part);
            if (e.part.kind == ir::Part::Kind::ToolCall)
                r.parts.last().arguments.clear(); // filled by the deltas
            break;
        case ir::Event::Type::TextDelta:
        case ir::Event::Type::ThinkingDelta:
            if (ir::Part *p = part(e.index))
                p->text += e.text;
            break;
        case ir::Event::Type::SignatureDelta:
            if (ir::Part *p = part(e.index))
                p->signature += e.text;
            break;
        case ir::Event::Type::ArgumentsDelta:
            if (ir::Part *p = part(e.index))
                p->arguments += e.text;
            break;
        case ir::Event::Type::PartStop:
            if (ir::Part *p = part(e.index); p && p->kind == ir::Part::Kind::ToolCall && p->arguments.isEmpty())
                p->arguments = QStringLiteral("{}");
            break;
        case ir::Event::Type::Usage:
            if (e.usage.known)
                r.usage = e.usage;
            break;
        case ir::Event::Type::Finish:
            r.finish = e.finish;
            if (e.usage.known)
                r.usage = e.usage;
            break;
        case ir::Event::Type::Error: return e.error;
        case ir::Event::Type::Ping: break;
        }
    }
    return r;
}

std::unique_ptr<StreamWriter> makeStreamWriter(WireFormat client, const ir::Request &request)
{
    return formatSpec(client).makeStreamWriter(request);
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
        chars += t.name.size() + t.description.size() + t.parameters.text().size() + 16;
    return (chars + 3) / 4 + images * 1600;
}

} // namespace d2a

namespace d2a::fmt {

void noteUnknownKeys(const Value &body, std::initializer_list<const char *> known, QStringList *dropped)
{
    static const char *const hints[] = { "metadata",
                                         "user",
                                         "store",
                                         "prompt_cache_key",
                                         "prompt_cache_retention",
                                         "safety_identifier",
                                         "client_metadata",
                                         "service_tier",
                                         "stream_options",
                                         "include",
                                         "cache_control" };
    for (Value member : body.children()) {
        bool handled = false;
        for (const char *k : known)
            handled = handled || member.keyIs(QLatin1StringView(k));
        for (const char *k : hints)
            handled = handled || member.keyIs(QLatin1StringView(k));
        if (!handled)
            *dropped << member.key();
    }
}

QList<ir::Part> systemWithFolded(const ir::Request &r)
{
    QList<ir::Part> out = r.system;
    int before = 0;
    for (const ir::Message &m : r.messages) {
        if (m.role != ir::Message::Role::System) {
            ++before;
            continue;
        }
        QString text;
        for (const ir::Part &p : m.parts)
            text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + p.text.toString();
        out.append(ir::Part::makeText(
            before == 0 ? text
                        : QStringLiteral("(System message given after message %1 of the conversation:)\n%2")
                              .arg(before)
                              .arg(text)));
    }
    return out;
}

bool takeCount(qint64 &field, const Value &v)
{
    if (!v.isNumber())
        return false;
    field = v.toInteger();
    return true;
}

TokenCounts openAiUsage(const Value &u, const char *in, const char *out, const char *inDetails, const char *outDetails)
{
    TokenCounts t;
    if (!u.isObject())
        return t;
    qint64 input = 0;
    bool seen = takeCount(input, u[QLatin1StringView(in)]);
    seen |= takeCount(t.output, u[QLatin1StringView(out)]);
    seen |= takeCount(t.cacheRead, u[QLatin1StringView(inDetails)]["cached_tokens"]);
    seen |= takeCount(t.reasoning, u[QLatin1StringView(outDetails)]["reasoning_tokens"]);
    t.input = qMax<qint64>(0, input - t.cacheRead); // nothing counts twice
    t.known = seen;
    return t;
}

QByteArray sse(QByteArrayView event, QByteArrayView json, QByteArrayView end)
{
    QByteArray out;
    out.reserve(event.size() + json.size() + 16);
    if (!event.isEmpty()) {
        out += "event: ";
        out += event;
        out += '\n';
    }
    out += "data: ";
    out += json;
    out += end;
    return out;
}

void writeNumber(Writer &w, const ir::Number &n)
{
    if (!n.raw.isEmpty())
        w.raw(n.raw);
    else
        w.number(n.value);
}

std::optional<ir::Number> numberOf(const Value &v)
{
    if (!v.isNumber())
        return std::nullopt;
    return ir::Number { v.toDouble(), v.rawBytes() };
}

void writeClientSchema(Writer &w, const json::Fragment &schema)
{
    if (schema.isEmpty())
        w.beginObject().member("type", "object").endObject();
    else
        w.value(schema.root());
}

QString Where::toString() const
{
    QString out = m_parent ? m_parent->toString() : QString();
    if (m_name) {
        if (m_parent)
            out += u'.';
        out += QLatin1StringView(m_name);
    }
    if (m_index >= 0)
        out += u'[' + QString::number(m_index) + u']';
    return out;
}

void writeArgumentsObject(Writer &w, const json::Text &arguments)
{
    // Read from a JSON string: its text straight to UTF-8, never through UTF-16.
    const QByteArray text =
        arguments.token().isEmpty() ? arguments.toString().toUtf8() : json::decodeStringUtf8(arguments.token());
    auto doc = json::Document::parse(text, { 512, false });
    if (doc && doc.value().root().isObject())
        w.value(doc.value().root()); // its tree goes along: the writer need not parse it again
    else
        w.beginObject().endObject();
}

} // namespace d2a::fmt
