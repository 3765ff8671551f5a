// Anthropic Messages event streams <-> the shared model.
#include "anthropic_p.h"

#include "../registry.h"

namespace d2a::fmt::anthropic {

using Kind = ir::Part::Kind;

namespace {

ir::Event delta(ir::Event::Type t, int index, const QString &text)
{
    ir::Event e;
    e.type = t;
    e.index = index;
    e.text = text;
    return e;
}

class Reader final : public EventReader
{
public:
    QList<ir::Event> read(const SseEvent &ev) override
    {
        m_eventUsage = {};
        QList<ir::Event> out;
        auto parsed = json::Document::parse(ev.data, { 128, false });
        if (!parsed)
            return invalid(parsed.error());
        const Value d = parsed.value().root();
        m_eventUsage = formatSpec(WireFormat::Anthropic).usage(d);
        const QString type = d["type"].toString(QString::fromUtf8(ev.event));
        if (type == u"message_start") {
            const Value m = d["message"];
            ir::Event e;
            e.type = ir::Event::Type::Start;
            e.id = m["id"].toString();
            e.model = m["model"].toString();
            out << e;
            m_usage = usageOf(m["usage"]);
        } else if (type == u"content_block_start") {
            const Value b = d["content_block"];
            ir::Event e;
            e.type = ir::Event::Type::PartStart;
            e.index = int(d["index"].toInteger());
            const Value bt = b["type"];
            e.part.kind = bt.stringIs("tool_use")            ? Kind::ToolCall
                          : bt.stringIs("thinking")          ? Kind::Thinking
                          : bt.stringIs("redacted_thinking") ? Kind::RedactedThinking
                                                             : Kind::Text;
            e.part.callId = b["id"].toString();
            e.part.name = b["name"].toString();
            e.part.signatureFormat = WireFormat::Anthropic;
            if (e.part.kind == Kind::RedactedThinking)
                e.part.text = b["data"].toString();
            out << e;
            if (e.part.kind == Kind::Text && !b["text"].toString().isEmpty())
                out << delta(ir::Event::Type::TextDelta, e.index, b["text"].toString());
        } else if (type == u"content_block_delta") {
            const Value dl = d["delta"];
            const int index = int(d["index"].toInteger());
            const Value dt = dl["type"];
            if (dt.stringIs("text_delta"))
                out << delta(ir::Event::Type::TextDelta, index, dl["text"].toString());
            else if (dt.stringIs("thinking_delta"))
                out << delta(ir::Event::Type::ThinkingDelta, index, dl["thinking"].toString());
            else if (dt.stringIs("signature_delta"))
                out << delta(ir::Event::Type::SignatureDelta, index, dl["signature"].toString());
            else if (dt.stringIs("input_json_delta"))
                out << delta(ir::Event::Type::ArgumentsDelta, index, dl["partial_json"].toString());
        } else if (type == u"content_block_stop") {
            ir::Event e;
            e.type = ir::Event::Type::PartStop;
            e.index = int(d["index"].toInteger());
            out << e;
        } else if (type == u"message_delta") {
            m_usage.merge(usageOf(d["usage"])); // cumulative counts: the later ones win
            m_finish = finishOf(d["delta"]["stop_reason"].toString());
            m_haveFinish = true;
        } else if (type == u"message_stop") {
            out << finishEvent();
        } else if (type == u"ping") {
            ir::Event e;
            e.type = ir::Event::Type::Ping;
            out << e;
        } else if (type == u"error") {
            ir::Event e;
            e.type = ir::Event::Type::Error;
            const Value err = d["error"];
            e.error = Error { err["type"].stringIs("overloaded_error") ? 529 : 502,
                              err["message"].toString(QStringLiteral("upstream error")),
                              {} };
            out << e;
            m_done = true;
        }
        return out;
    }

    QList<ir::Event> end() override
    {
        if (m_done)
            return {};
        return { finishEvent() };
    }

private:
    QList<ir::Event> invalid(const Error &why)
    {
        ir::Event e;
        e.type = ir::Event::Type::Error;
        e.error =
            Error::badGateway(QStringLiteral("the upstream sent an event that is not valid JSON: %1").arg(why.message));
        m_done = true;
        return { e };
    }
    ir::Event finishEvent()
    {
        m_done = true;
        ir::Event e;
        e.type = ir::Event::Type::Finish;
        e.finish = m_haveFinish ? m_finish : ir::Finish::Stop;
        e.usage = m_usage;
        return e;
    }
    ir::Usage m_usage;
    ir::Finish m_finish = ir::Finish::Stop;
    bool m_haveFinish = false;
    bool m_done = false;
};

class StreamOut final : public StreamWriter
{
public:
    explicit StreamOut(const ir::Request &r) : m_model(r.model), m_servedBy(r.servedBy) { }

    QByteArray write(const ir::Event &e) override
    {
        QByteArray out;
        if (m_finished)
            return out;
        if (!m_started && e.type != ir::Event::Type::Error) {
            m_started = true;
            QByteArray data;
            Writer w(&data);
            w.beginObject().member("type", "message_start").key("message").beginObject();
            w.member("id", e.type == ir::Event::Type::Start && e.id.startsWith(u"msg_") ? e.id : ir::newId("msg_"));
            w.member("type", "message").member("role", "assistant").member("model", m_model);
            w.key("content").beginArray().endArray().memberNull("stop_reason").memberNull("stop_sequence");
            w.key("usage").beginObject().member("input_tokens", 0).member("output_tokens", 0).endObject();
            w.endObject().endObject();
            out += sse("message_start", data);
        }
        switch (e.type) {
        case ir::Event::Type::Start:
        case ir::Event::Type::Usage:
            if (e.usage.known)
                m_usage = e.usage;
            break;
        case ir::Event::Type::PartStart: {
            closeOpen(out);
            m_open = true;
            m_openKind = e.part.kind;
            m_sawTool = m_sawTool || e.part.kind == Kind::ToolCall;
            QByteArray data;
            Writer w(&data);
            w.beginObject()
                .member("type", "content_block_start")
                .member("index", m_index)
                .key("content_block")
                .beginObject();
            switch (e.part.kind) {
            case Kind::ToolCall:
                w.member("type", "tool_use")
                    .member("id", e.part.callId.isEmpty() ? ir::newId("toolu_") : ir::carryCallId(e.part, m_servedBy));
                w.member("name", e.part.name).key("input").beginObject().endObject();
                break;
            case Kind::Thinking:
                w.member("type", "thinking").member("thinking", "").member("signature", "");
                m_thinking = e.part;
                break;
            case Kind::RedactedThinking: w.member("type", "redacted_thinking").member("data", e.part.text); break;
            default: w.member("type", "text").member("text", ""); m_openKind = Kind::Text;
            }
            w.endObject().endObject();
            out += sse("content_block_start", data);
            break;
        }
        case ir::Event::Type::TextDelta:
            ensureOpen(out, Kind::Text);
            out += blockDelta("text_delta", "text", e.text);
            break;
        case ir::Event::Type::ThinkingDelta:
            ensureOpen(out, Kind::Thinking);
            out += blockDelta("thinking_delta", "thinking", e.text);
            break;
        case ir::Event::Type::SignatureDelta:
            if (m_open && m_openKind == Kind::Thinking)
                m_thinking.signature += e.text;
            break;
        case ir::Event::Type::ArgumentsDelta:
            if (m_open && m_openKind == Kind::ToolCall && !e.text.isEmpty())
                out += blockDelta("input_json_delta", "partial_json", e.text);
            break;
        case ir::Event::Type::PartStop: closeOpen(out); break;
        case ir::Event::Type::Finish: {
            closeOpen(out);
            if (e.usage.known)
                m_usage = e.usage;
            const ir::Finish finish = m_sawTool && e.finish == ir::Finish::Stop ? ir::Finish::ToolCalls : e.finish;
            QByteArray data;
            Writer w(&data);
            w.beginObject().member("type", "message_delta").key("delta").beginObject();
            w.member("stop_reason", finishName(finish)).memberNull("stop_sequence").endObject();
            w.key("usage");
            writeUsage(w, m_usage);
            w.endObject();
            out += sse("message_delta", data);
            out += sse("message_stop", "{\"type\":\"message_stop\"}");
            m_finished = true;
            break;
        }
        case ir::Event::Type::Error:
            out += renderStreamError(WireFormat::Anthropic, e.error);
            m_finished = true;
            break;
        case ir::Event::Type::Ping: out += keepAlive(); break;
        }
        return out;
    }

    QByteArray keepAlive() override { return keepAliveEvent(WireFormat::Anthropic); }
    bool finished() const override { return m_finished; }

private:
    QByteArray blockDelta(const char *type, const char *field, const QString &text) const
    {
        QByteArray data;
        Writer w(&data);
        w.beginObject().member("type", "content_block_delta").member("index", m_index).key("delta").beginObject();
        w.key(QLatin1StringView("type")).string(QLatin1StringView(type)).key(QLatin1StringView(field)).string(text);
        w.endObject().endObject();
        return sse("content_block_delta", data);
    }
    void ensureOpen(QByteArray &out, Kind kind)
    {
        if (m_open && m_openKind == kind)
            return;
        ir::Event start;
        start.type = ir::Event::Type::PartStart;
        start.part.kind = kind;
        out += write(start);
    }
    void closeOpen(QByteArray &out)
    {
        if (!m_open)
            return;
        if (m_openKind == Kind::Thinking) // a thinking block ends with its signature (Claude Code expects it)
            out += blockDelta("signature_delta", "signature",
                              ir::forClient(m_thinking, WireFormat::Anthropic, m_servedBy).signature);
        out += sse("content_block_stop",
                   QByteArray("{\"type\":\"content_block_stop\",\"index\":" + QByteArray::number(m_index) + '}'));
        m_open = false;
        m_thinking = {};
        ++m_index;
    }

    QString m_model;
    bool m_started = false;
    bool m_finished = false;
    bool m_open = false;
    bool m_sawTool = false;
    Kind m_openKind = Kind::Text;
    int m_index = 0;
    QString m_servedBy;
    ir::Part m_thinking; ///< the open thinking block: who issued it, and its signature so far
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

} // namespace d2a::fmt::anthropic
