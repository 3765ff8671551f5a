#include "turns.h"

#include "formats/translate.h"
#include "json/jsonwriter.h"

namespace turns {

using namespace d2a;

namespace {

WireFormat self()
{
    return spec().id;
}

QString finishName(ir::Finish finish)
{
    switch (finish) {
    case ir::Finish::Stop: return QStringLiteral("done");
    case ir::Finish::Length: return QStringLiteral("cut");
    case ir::Finish::ToolCalls: return QStringLiteral("tools");
    case ir::Finish::ContentFilter: return QStringLiteral("filtered");
    case ir::Finish::Error: return QStringLiteral("failed");
    }
    return {};
}

Result<ir::Request> readRequest(const json::Value &body, const QString &)
{
    ir::Request r;
    r.model = body["model"].toString();
    r.stream = body["stream"].toBool(false);
    const json::Value turnList = body["turns"];
    if (!turnList.isArray())
        return Error::badRequest(QStringLiteral("'turns' must be an array"));
    for (const json::Value &turn : turnList.children()) {
        ir::Message m;
        m.role = turn["role"].stringIs("model") ? ir::Message::Role::Assistant : ir::Message::Role::User;
        const json::Value thought = turn["thought"];
        if (thought.isObject()) {
            ir::Part p;
            p.kind = ir::Part::Kind::Thinking;
            p.text = thought["text"].toString();
            p.signature = thought["seal"].toString();
            ir::fromClient(&p, self()); // another vendor's state if the seal is an envelope, else ours
            m.parts.append(p);
        }
        if (turn["text"].isString())
            m.parts.append(ir::Part::makeText(turn["text"].toString()));
        r.messages.append(m);
    }
    return r;
}

void writeThought(json::Writer &w, const ir::Part &thinking, const QString &servedBy)
{
    const ir::Part mine = ir::forClient(thinking, self(), servedBy);
    w.key("thought").beginObject().member("text", mine.text).member("seal", mine.signature).endObject();
}

void writeUsage(json::Writer &w, const ir::Usage &u)
{
    w.key("usage").beginObject().member("in", u.input).member("out", u.output).endObject();
}

QByteArray writeResponse(const ir::Response &response, const ir::Request *request)
{
    QByteArray out;
    json::Writer w(&out);
    QString text;
    w.beginObject().member("model", response.model);
    for (const ir::Part &p : response.parts) {
        if (p.kind == ir::Part::Kind::Thinking || p.kind == ir::Part::Kind::RedactedThinking)
            writeThought(w, p, request ? request->servedBy : QString());
        else if (p.kind == ir::Part::Kind::Text)
            text += p.text;
    }
    w.member("text", text).member("finish", finishName(response.finish));
    writeUsage(w, response.usage);
    w.endObject();
    return out;
}

QByteArray event(const QByteArray &json)
{
    return "data: " + json + "\n\n";
}

class Writer final : public StreamWriter
{
public:
    explicit Writer(const ir::Request &request) : m_servedBy(request.servedBy) { }

    QByteArray write(const ir::Event &e) override
    {
        QByteArray data;
        json::Writer w(&data);
        switch (e.type) {
        case ir::Event::Type::PartStart: m_open = e.part; return {};
        case ir::Event::Type::ThinkingDelta:
            m_open.text += e.text;
            w.beginObject().member("thought", e.text).endObject();
            return event(data);
        case ir::Event::Type::SignatureDelta: m_open.signature += e.text; return {};
        case ir::Event::Type::PartStop:
            if (m_open.kind != ir::Part::Kind::Thinking && m_open.kind != ir::Part::Kind::RedactedThinking)
                return {};
            w.beginObject().member("seal", ir::forClient(m_open, self(), m_servedBy).signature).endObject();
            return event(data);
        case ir::Event::Type::TextDelta: w.beginObject().member("text", e.text).endObject(); return event(data);
        case ir::Event::Type::Finish:
            m_finished = true;
            w.beginObject().member("finish", finishName(e.finish));
            writeUsage(w, e.usage);
            w.endObject();
            return event(data);
        case ir::Event::Type::Error: m_finished = true; return spec().streamError(e.error);
        default: return {};
        }
    }
    QByteArray keepAlive() override { return QByteArray(spec().keepAlive.data(), spec().keepAlive.size()); }
    bool finished() const override { return m_finished; }

private:
    QString m_servedBy;
    ir::Part m_open;
    bool m_finished = false;
};

std::unique_ptr<StreamWriter> makeStreamWriter(const ir::Request &request)
{
    return std::make_unique<Writer>(request);
}

QByteArray errorBody(const Error &e)
{
    QByteArray out;
    json::Writer w(&out);
    w.beginObject().key("problem").beginObject().member("status", e.httpStatus).member("message", e.message);
    w.endObject().endObject();
    return out;
}

QByteArray streamError(const Error &e)
{
    return event(errorBody(e));
}

bool isOwnError(const QJsonObject &body)
{
    return body.contains(u"problem");
}

} // namespace

const FormatSpec &spec()
{
    static const FormatSpec s = [] {
        FormatSpec f;
        f.id = WireFormat(allFormats().size()); // the next value after the registered ones
        f.name = "Turns";
        f.usageName = "Turns";
        f.tag = "turns";
        f.routes = { { "/v5/turns" } };
        f.errorPathPrefixes = { "/v5/" };
        f.readRequest = readRequest;
        f.writeResponse = writeResponse;
        f.makeStreamWriter = makeStreamWriter;
        f.keepAlive = ": keepalive\n\n";
        f.errorBody = errorBody;
        f.streamError = streamError;
        f.isOwnError = isOwnError;
        return f;
    }();
    return s;
}

void registerFormat()
{
    static const bool once = [] {
        d2a::registerFormat(spec());
        return true;
    }();
    Q_UNUSED(once);
}

} // namespace turns
