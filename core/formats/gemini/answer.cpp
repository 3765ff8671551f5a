// Gemini generateContent whole answers <-> the shared model.
#include "gemini_p.h"

namespace d2a::fmt::gemini {

using ir::Part;
using Kind = ir::Part::Kind;

namespace {
void mergeChunk(const Value &o, ir::Response &r, int *counter, bool *tool)
{
    r.id = o["responseId"].toString(r.id);
    r.model = o["modelVersion"].toString(r.model);
    const Value cand = o["candidates"].at(0);
    QList<Part> parts;
    readParts(cand["content"]["parts"], &parts, counter);
    for (const Part &p : std::as_const(parts)) {
        *tool = *tool || p.kind == Kind::ToolCall;
        if (p.kind == Kind::Text && p.text.isEmpty())
            continue; // Gemini 3's empty closing part (it carries a signature, which text parts do not keep)
        if (!r.parts.isEmpty() && r.parts.last().kind == p.kind && (p.kind == Kind::Text || p.kind == Kind::Thinking))
            r.parts.last().text += p.text; // streamed pieces of one part
        else
            r.parts.append(p);
    }
    if (cand.contains("finishReason"))
        r.finish = finishOf(cand["finishReason"].toString());
    if (o.contains("usageMetadata"))
        r.usage = usageOf(o["usageMetadata"]);
}
} // namespace

Result<ir::Response> readResponse(const Value &o)
{
    if (o["candidates"].isEmpty() && !o.contains("usageMetadata"))
        return Error::badGateway(QStringLiteral("upstream answer has no candidates"));
    ir::Response r;
    int counter = 0;
    bool tool = false;
    mergeChunk(o, r, &counter, &tool);
    if (tool && r.finish == ir::Finish::Stop)
        r.finish = ir::Finish::ToolCalls;
    return r;
}

Result<ir::Response> readChunks(const Value &chunks)
{
    ir::Response r;
    int counter = 0;
    bool tool = false;
    for (Value o : chunks.children())
        mergeChunk(o, r, &counter, &tool);
    if (tool && r.finish == ir::Finish::Stop)
        r.finish = ir::Finish::ToolCalls;
    return r;
}

QByteArray writeResponse(const ir::Response &r, const ir::Request *request)
{
    QByteArray parts;
    Writer pw(&parts);
    pw.beginArray();
    const QString servedBy = request ? request->servedBy : QString();
    for (const Part &p : r.parts)
        writePart(pw, ir::forClient(p, WireFormat::Gemini, servedBy)); // other vendors' state in envelopes
    pw.endArray();
    QByteArray out;
    Writer w(&out);
    writeChunk(w, parts, finishName(r.finish), &r.usage, r.model, r.id.isEmpty() ? ir::newId("") : r.id);
    return out;
}

} // namespace d2a::fmt::gemini
