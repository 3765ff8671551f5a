// OpenAI Chat Completions event streams <-> the shared model.
#include "chat_p.h"

#include "../registry.h"

#include <QtCore/qdatetime.h>

namespace d2a::fmt::chat {

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
        if (ev.data.trimmed() == "[DONE]")
            return end();
        auto parsed = json::Document::parse(ev.data, { 128, false });
        if (!parsed) {
            m_done = true;
            ir::Event e;
            e.type = ir::Event::Type::Error;
            e.error = Error::badGateway(
                QStringLiteral("the upstream sent an event that is not valid JSON: %1").arg(parsed.error().message));
            return { e };
        }
        const Value c = parsed.value().root();
        m_eventUsage = formatSpec(WireFormat::OpenAIChat).usage(c);
        if (c.contains("error")) {
            ir::Event e;
            e.type = ir::Event::Type::Error;
            e.error = Error::badGateway(c["error"]["message"].toString(QStringLiteral("upstream error")));
            m_done = true;
            return { e };
        }
        if (!m_started) {
            m_started = true;
            ir::Event e;
            e.type = ir::Event::Type::Start;
            e.id = c["id"].toString();
            e.model = c["model"].toString();
            out << e;
        }
        if (c["usage"].isObject())
            m_usage = usageOf(c["usage"]);
        const Value choices = c["choices"];
        if (choices.isEmpty())
            return out;
        const Value choice = choices.at(0);
        const Value d = choice["delta"];
        const QString reasoning = d["reasoning_content"].toString(d["reasoning"].toString());
        if (!reasoning.isEmpty())
            deltaFor(out, Kind::Thinking, -1, reasoning, {}, {});
        const QString text = d["content"].toString();
        if (!text.isEmpty())
            deltaFor(out, Kind::Text, -1, text, {}, {});
        for (Value t : d["tool_calls"].children()) {
            const Value f = t["function"];
            deltaFor(out, Kind::ToolCall, int(t["index"].toInteger()), f["arguments"].toString(), t["id"].toString(),
                     f["name"].toString());
        }
        if (choice["finish_reason"].isString()) {
            m_finish = finishOf(choice["finish_reason"].toString());
            m_haveFinish = true;
            closeOpen(out);
        }
        return out;
    }

    QList<ir::Event> end() override
    {
        QList<ir::Event> out;
        if (m_done)
            return out;
        m_done = true;
        closeOpen(out);
        ir::Event e;
        e.type = ir::Event::Type::Finish;
        e.finish = m_haveFinish ? m_finish : (m_sawTool ? ir::Finish::ToolCalls : ir::Finish::Stop);
        e.usage = m_usage;
        out << e;
        return out;
    }

private:
    void closeOpen(QList<ir::Event> &out)
    {
        if (m_openIndex < 0)
            return;
        ir::Event e;
        e.type = ir::Event::Type::PartStop;
        e.index = m_openIndex;
        out << e;
        m_openIndex = -1;
    }
    void deltaFor(QList<ir::Event> &out, Kind kind, int toolIndex, const QString &text, const QString &id,
                  const QString &name)
    {
        const bool same =
            m_openIndex >= 0 && m_openKind == kind
            && (kind != Kind::ToolCall || toolIndex == m_openToolIndex || (id.isEmpty() && name.isEmpty()));
        if (!same) {
            closeOpen(out);
            ir::Event s;
            s.type = ir::Event::Type::PartStart;
            s.index = m_openIndex = m_next++;
            s.part.kind = kind;
            s.part.callId = id.isEmpty() ? ir::newId("call_") : id;
            s.part.name = name;
            s.part.signatureFormat = WireFormat::OpenAIChat;
            m_openKind = kind;
            m_openToolIndex = toolIndex;
            m_sawTool = m_sawTool || kind == Kind::ToolCall;
            out << s;
        }
        if (text.isEmpty())
            return;
        ir::Event e;
        e.type = kind == Kind::Text       ? ir::Event::Type::TextDelta
                 : kind == Kind::Thinking ? ir::Event::Type::ThinkingDelta
                                          : ir::Event::Type::ArgumentsDelta;
        e.index = m_openIndex;
        e.text = text;
        out << e;
    }

    bool m_started = false;
    bool m_done = false;
    bool m_haveFinish = false;
    bool m_sawTool = false;
    ir::Finish m_finish = ir::Finish::Stop;
    ir::Usage m_usage;
    int m_openIndex = -1;
    int m_openToolIndex = -1;
    Kind m_openKind = Kind::Text;
    int m_next = 0;
};

class StreamOut final : public StreamWriter
{
public:
    explicit StreamOut(const ir::Request &r) : m_includeUsage(r.includeUsage), m_servedBy(r.servedBy)
    {
        // Every chunk starts the same: {"id":...,"object":"chat.completion.chunk","created":...,"model":...,
        QByteArray head;
        Writer w(&head);
        w.beginObject().member("id", ir::newId("chatcmpl-")).member("object", "chat.completion.chunk");
        w.member("created", QDateTime::currentSecsSinceEpoch()).member("model", r.model);
        m_head = head; // without the closing brace
    }

    QByteArray write(const ir::Event &e) override
    {
        QByteArray out;
        if (m_finished)
            return out;
        if (!m_started && e.type != ir::Event::Type::Error && e.type != ir::Event::Type::Ping) {
            m_started = true;
            out += chunk([](Writer &w) { w.member("role", "assistant").member("content", ""); }, nullptr);
        }
        switch (e.type) {
        case ir::Event::Type::Start:
        case ir::Event::Type::PartStop: break;
        case ir::Event::Type::Usage:
            if (e.usage.known)
                m_usage = e.usage;
            break;
        case ir::Event::Type::PartStart:
            if (e.part.kind == Kind::ToolCall) {
                ++m_toolIndex;
                m_sawTool = true;
                const QString id = e.part.callId.isEmpty() ? ir::newId("call_") : ir::carryCallId(e.part, m_servedBy);
                out += chunk(
                    [&](Writer &w) {
                    w.key("tool_calls")
                        .beginArray()
                        .beginObject()
                        .member("index", m_toolIndex)
                        .member("id", id)
                        .member("type", "function");
                    w.key("function")
                        .beginObject()
                        .member("name", e.part.name)
                        .member("arguments", "")
                        .endObject()
                        .endObject()
                        .endArray();
                    },
                    nullptr);
            }
            break;
        case ir::Event::Type::TextDelta: out += chunk([&](Writer &w) { w.member("content", e.text); }, nullptr); break;
        case ir::Event::Type::ThinkingDelta:
            out += chunk([&](Writer &w) { w.member("reasoning_content", e.text); }, nullptr);
            break;
        case ir::Event::Type::SignatureDelta: break; // Chat has no place for reasoning signatures
        case ir::Event::Type::ArgumentsDelta:
            if (m_toolIndex >= 0 && !e.text.isEmpty())
                out += chunk(
                    [&](Writer &w) {
                    w.key("tool_calls").beginArray().beginObject().member("index", m_toolIndex);
                    w.key("function").beginObject().member("arguments", e.text).endObject().endObject().endArray();
                    },
                    nullptr);
            break;
        case ir::Event::Type::Finish: {
            if (e.usage.known)
                m_usage = e.usage;
            const ir::Finish finish = m_sawTool && e.finish == ir::Finish::Stop ? ir::Finish::ToolCalls : e.finish;
            const QString reason = finishName(finish);
            out += chunk([](Writer &) {}, &reason);
            if (m_includeUsage) {
                QByteArray data = m_head;
                Writer w(&data);
                data += ",\"choices\":[],\"usage\":";
                writeUsage(w, m_usage);
                data += '}';
                out += sse({}, data);
            }
            out += "data: [DONE]\n\n";
            m_finished = true;
            break;
        }
        case ir::Event::Type::Error:
            out += renderStreamError(WireFormat::OpenAIChat, e.error);
            m_finished = true;
            break;
        case ir::Event::Type::Ping: out += keepAlive(); break;
        }
        return out;
    }

    QByteArray keepAlive() override { return keepAliveEvent(WireFormat::OpenAIChat); }
    bool finished() const override { return m_finished; }

private:
    /// {head,"choices":[{"index":0,"delta":{...},"finish_reason":...}]}
    template<typename F> QByteArray chunk(F delta, const QString *finish) const
    {
        QByteArray data = m_head;
        data += ",\"choices\":[{\"index\":0,\"delta\":{";
        Writer w(&data);
        w.beginObject(); // a nested writer context for the members
        data.chop(1);
        delta(w);
        data += "},\"finish_reason\":";
        if (finish)
            json::appendString(data, *finish);
        else
            data += "null";
        data += "}]}";
        return sse({}, data);
    }

    bool m_includeUsage;
    QString m_servedBy;
    QByteArray m_head;
    bool m_started = false;
    bool m_finished = false;
    bool m_sawTool = false;
    int m_toolIndex = -1;
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

} // namespace d2a::fmt::chat
