// Gemini event streams (streamGenerateContent?alt=sse) <-> the shared model.
#include "gemini_p.h"

#include "../registry.h"

namespace d2a::fmt::gemini {

using ir::Part;
using Kind = ir::Part::Kind;

namespace {

class Reader final : public EventReader
{
public:
    QList<ir::Event> read(const SseEvent &ev) override
    {
        m_eventUsage = {};
        QList<ir::Event> out;
        auto parsed = json::Document::parse(ev.data, { 128, false });
        if (!parsed) {
            m_done = true;
            ir::Event e;
            e.type = ir::Event::Type::Error;
            e.error = Error::badGateway(
                QStringLiteral("the upstream sent an event that is not valid JSON: %1").arg(parsed.error().message));
            return { e };
        }
        const Value o = parsed.value().root();
        m_eventUsage = formatSpec(WireFormat::Gemini).usage(o);
        if (o.contains("error")) {
            ir::Event e;
            e.type = ir::Event::Type::Error;
            e.error = Error::badGateway(o["error"]["message"].toString(QStringLiteral("upstream error")));
            m_done = true;
            return { e };
        }
        if (!m_started) {
            m_started = true;
            ir::Event e;
            e.type = ir::Event::Type::Start;
            e.id = o["responseId"].toString();
            e.model = o["modelVersion"].toString();
            out << e;
        }
        const Value cand = o["candidates"].at(0);
        QList<Part> parts;
        readParts(cand["content"]["parts"], &parts, &m_counter);
        for (const Part &p : std::as_const(parts)) {
            if (p.kind == Kind::Text && p.text.isEmpty())
                continue; // Gemini 3 closes an answer with an empty text part that carries the signature
            if (p.kind == Kind::Text || p.kind == Kind::Thinking) {
                if (m_openIndex < 0 || m_openKind != p.kind) {
                    stop(out);
                    Part s;
                    s.kind = p.kind;
                    s.signatureFormat = WireFormat::Gemini;
                    start(out, s);
                }
                if (!p.text.isEmpty()) {
                    ir::Event d;
                    d.type = p.kind == Kind::Text ? ir::Event::Type::TextDelta : ir::Event::Type::ThinkingDelta;
                    d.index = m_openIndex;
                    d.text = p.text;
                    out << d;
                }
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
        if (o.contains("usageMetadata"))
            m_usage = usageOf(o["usageMetadata"]);
        if (cand.contains("finishReason")) {
            m_finish = finishOf(cand["finishReason"].toString());
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
class StreamOut final : public StreamWriter
{
public:
    explicit StreamOut(const ir::Request &r) : m_model(r.model), m_servedBy(r.servedBy) { }

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
            if (!e.text.isEmpty()) {
                QByteArray parts;
                Writer(&parts).beginArray().beginObject().member("text", e.text).endObject().endArray();
                out += chunk(parts);
            }
            break;
        case ir::Event::Type::ThinkingDelta:
            if (!e.text.isEmpty()) {
                QByteArray parts;
                Writer(&parts)
                    .beginArray()
                    .beginObject()
                    .member("text", e.text)
                    .member("thought", true)
                    .endObject()
                    .endArray();
                out += chunk(parts);
            }
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
                QByteArray parts;
                Writer pw(&parts);
                pw.beginArray();
                writePart(pw, ir::forClient(m_open, WireFormat::Gemini, m_servedBy));
                pw.endArray();
                out += chunk(parts);
            } else if (m_inPart && (m_open.kind == Kind::Thinking || m_open.kind == Kind::RedactedThinking)) {
                // Another vendor's reasoning state, in an envelope on an empty thought part (as Gemini itself
                // sends a signature after the thought text).
                ir::Part carried = ir::forClient(m_open, WireFormat::Gemini, m_servedBy);
                if (!carried.signature.isEmpty()) {
                    carried.text.clear();
                    QByteArray parts;
                    Writer pw(&parts);
                    pw.beginArray();
                    writePart(pw, carried);
                    pw.endArray();
                    out += chunk(parts);
                }
            }
            m_inPart = false;
            break;
        case ir::Event::Type::Finish: {
            if (e.usage.known)
                m_usage = e.usage;
            QByteArray data;
            Writer w(&data);
            writeChunk(w, "[]", finishName(e.finish), &m_usage, m_model);
            out += sse({}, data, "\r\n\r\n");
            m_finished = true;
            break;
        }
        case ir::Event::Type::Error:
            out += renderStreamError(WireFormat::Gemini, e.error);
            m_finished = true;
            break;
        case ir::Event::Type::Ping: out += keepAlive(); break;
        }
        return out;
    }

    QByteArray keepAlive() override { return keepAliveEvent(WireFormat::Gemini); }
    bool finished() const override { return m_finished; }

private:
    QByteArray chunk(const QByteArray &parts) const
    {
        QByteArray data;
        Writer w(&data);
        writeChunk(w, parts, QString(), nullptr, m_model);
        return sse({}, data, "\r\n\r\n");
    }

    QString m_model;
    QString m_servedBy;
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
    return std::make_unique<StreamOut>(request);
}

} // namespace d2a::fmt::gemini
