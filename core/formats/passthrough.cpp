#include "passthrough.h"

#include "formats_p.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>

#include <string_view>

namespace d2a {

namespace fmt {

QByteArray textBlockJson(const QString &text)
{
    QByteArray out;
    Writer(&out).beginObject().member("type", "text").member("text", text).endObject();
    return out;
}

void stripCarriedId(json::Patcher &p, const Value &holder, QLatin1StringView key, HistoryEdits *report)
{
    const Value id = holder[key];
    const QByteArrayView raw = id.raw();
    if (!id.isString() || std::string_view(raw.data(), size_t(raw.size())).find("__d2a") == std::string_view::npos)
        return; // most ids: no decoding, no allocation
    const QString text = id.toString();
    const QString plain = ir::plainCallId(text);
    if (plain.size() == text.size())
        return;
    p.replace(id, json::quoted(plain));
    ++report->strippedIds;
}

QString carriedName(const QString &field, WireFormat client)
{
    ir::Part p;
    if (!ir::openEnvelope(field, client, &p))
        return QStringLiteral("reasoning of another model");
    return QStringLiteral("%1 of %2")
        .arg(p.kind == ir::Part::Kind::RedactedThinking ? QStringLiteral("redacted thinking")
                                                        : QStringLiteral("thinking"),
             p.signatureModel.isEmpty() ? wireFormatName(p.signatureFormat) : p.signatureModel);
}

} // namespace fmt

Result<QByteArray> applyPassthroughEdits(WireFormat format, const json::Document &doc, const PassthroughEdits &edits,
                                         HistoryEdits *history)
{
    const json::Value body = doc.root();
    if (!body.isObject())
        return Error::badRequest(QStringLiteral("request body must be a JSON object"));
    const FormatSpec &spec = formatSpec(format);
    json::Patcher p(doc);
    HistoryEdits local;
    HistoryEdits &report = history ? *history : local;
    if (spec.sanitizeHistory)
        spec.sanitizeHistory(p, body, edits, &report);
    // The vendor would refuse thinking for this body (a tool loop whose last step has no thinking of its own).
    const ReasoningLevel level = report.thinkingOff ? ReasoningLevel::Off : edits.level;
    if (!edits.upstreamModel.isEmpty()) // Factory's Gemini route reads the model from the body too
        p.setMember(body, "model", json::quoted(edits.upstreamModel));
    if (!edits.systemPrompt.isEmpty()) {
        if (auto err = spec.prefixSystem(p, body, edits.systemPrompt))
            return *err;
    }
    if (level != ReasoningLevel::Auto)
        spec.applyReasoning(p, body, level, edits.model, edits.budget);
    if (spec.applyExtras)
        spec.applyExtras(p, body, edits);
    for (auto it = edits.extraBody.begin(); it != edits.extraBody.end(); ++it)
        if (!body.contains(QLatin1StringView(it.key().toLatin1())))
            p.setMember(body, QLatin1StringView(it.key().toLatin1()),
                        QJsonDocument(QJsonArray { it.value() }).toJson(QJsonDocument::Compact).mid(1).chopped(1));
    return p.apply();
}

} // namespace d2a
