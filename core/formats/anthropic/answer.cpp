// Anthropic Messages whole answers <-> the shared model.
#include "anthropic_p.h"

namespace d2a::fmt::anthropic {

Result<ir::Response> readResponse(const Value &o)
{
    if (!o["type"].stringIs("message"))
        return Error::badGateway(QStringLiteral("upstream answer is not an Anthropic message"));
    ir::Response r;
    r.id = o["id"].toString();
    r.model = o["model"].toString();
    QStringList dropped; // upstream blocks the client's format has no form for
    for (Value b : o["content"].children())
        readBlock(b, Where("content"), &r.parts, &dropped);
    r.finish = finishOf(o["stop_reason"].toString());
    r.usage = usageOf(o["usage"]);
    return r;
}

QByteArray writeResponse(const ir::Response &r, const ir::Request *request)
{
    QByteArray out;
    Writer w(&out);
    w.beginObject()
        .member("id", r.id.startsWith(u"msg_") ? r.id : ir::newId("msg_"))
        .member("type", "message")
        .member("role", "assistant")
        .member("model", r.model)
        .key("content")
        .beginArray();
    const QString servedBy = request ? request->servedBy : QString();
    for (const ir::Part &p : r.parts)
        writeBlock(w, ir::forClient(p, WireFormat::Anthropic, servedBy));
    w.endArray().member("stop_reason", finishName(r.finish)).memberNull("stop_sequence").key("usage");
    writeUsage(w, r.usage);
    w.endObject();
    return out;
}

} // namespace d2a::fmt::anthropic
