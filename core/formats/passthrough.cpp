#include "passthrough.h"

#include "formats_p.h"

namespace d2a {

namespace fmt {

QByteArray textBlockJson(const QString &text)
{
    QByteArray out;
    Writer(&out).beginObject().member("type", "text").member("text", text).endObject();
    return out;
}

} // namespace fmt

Result<QByteArray> applyPassthroughEdits(WireFormat format, const json::Document &doc, const PassthroughEdits &edits)
{
    const json::Value body = doc.root();
    if (!body.isObject())
        return Error::badRequest(QStringLiteral("request body must be a JSON object"));
    const FormatSpec &spec = formatSpec(format);
    json::Patcher p(doc);
    if (!edits.upstreamModel.isEmpty()) // Factory's Gemini route reads the model from the body too
        p.setMember(body, "model", json::quoted(edits.upstreamModel));
    if (!edits.systemPrompt.isEmpty()) {
        if (auto err = spec.prefixSystem(p, body, edits.systemPrompt))
            return *err;
    }
    if (edits.level != ReasoningLevel::Auto)
        spec.applyReasoning(p, body, edits.level, edits.model, edits.budget);
    if (spec.applyExtras)
        spec.applyExtras(p, body, edits);
    return p.apply();
}

} // namespace d2a
