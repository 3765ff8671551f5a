// OpenAI Responses event streams <-> the shared model.
#include "responses_p.h"

#include "../registry.h"

#include "../../log/log.h"

#include <QtCore/qdatetime.h>

namespace d2a::fmt::responses {

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
        // OpenAI's SDKs end every stream at a [DONE] sentinel, and some Responses upstreams send one after
        // response.completed: the end of the stream, not an event.
        if (ev.data.trimmed() == "[DONE]")
            return out;
        auto parsed = json::Document::parse(ev.data, { 128, false });
        if (!parsed) {
            m_done = true;
            ir::Event e;
            e.type = ir::Event::Type::Error;
            e.error = Error::badGateway(
                QStringLiteral("the upstream sent an event that is not valid JSON: %1").arg(parsed.error().message));
            return { e };
        }
        const Value d = parsed.value().root();
        m_eventUsage = formatSpec(WireFormat::OpenAIResponses).usage(d);
        const QString type = d["type"].toString(QString::fromUtf8(ev.event));
        if (type == u"response.created") {
            ir::Event e;
            e.type = ir::Event::Type::Start;
            e.id = d["response"]["id"].toString();
            e.model = d["response"]["model"].toString();
            out << e;
        } else if (type == u"response.output_item.added") {
            const Value it = d["item"];
            const Value itype = it["type"];
            if (itype.stringIs("function_call")) {
                Part p;
                p.kind = Kind::ToolCall;
                p.callId = it["call_id"].toString();
                p.name = it["name"].toString();
                start(out, p, it["id"].toString());
                m_sawTool = true;
            } else if (itype.stringIs("reasoning")) {
                Part p;
                p.kind = Kind::Thinking;
                p.reasoningId = it["id"].toString();
                p.signatureFormat = WireFormat::OpenAIResponses;
                start(out, p, it["id"].toString());
            }
        } else if (type == u"response.output_text.delta") {
            const QString key = d["item_id"].toString() + u'#' + QString::number(d["content_index"].toInteger());
            if (m_openKey != key)
                start(out, Part(), key);
            out << delta(ir::Event::Type::TextDelta, d["delta"].toString());
        } else if (type == u"response.function_call_arguments.delta") {
            if (m_openKey == d["item_id"].toString())
                out << delta(ir::Event::Type::ArgumentsDelta, d["delta"].toString());
        } else if (type == u"response.reasoning_summary_text.delta" || type == u"response.reasoning_text.delta") {
            if (m_openKey == d["item_id"].toString())
                out << delta(ir::Event::Type::ThinkingDelta, d["delta"].toString());
        } else if (type == u"response.output_item.done") {
            const Value it = d["item"];
            const QString id = it["id"].toString();
            // OpenAI's reasoning state is the whole item (id, summary, encrypted content): it goes back as it came.
            if (it["type"].stringIs("reasoning") && m_openKey == id && !it["encrypted_content"].toString().isEmpty())
                out << delta(ir::Event::Type::SignatureDelta, QString::fromUtf8(json::compact(it.raw())));
            if (m_openKey == id || m_openKey.startsWith(id + u'#'))
                stop(out);
        } else if (type == u"response.completed" || type == u"response.incomplete") {
            stop(out);
            const Value resp = d["response"];
            ir::Event e;
            e.type = ir::Event::Type::Finish;
            e.usage = usageOf(resp["usage"]);
            if (resp["status"].stringIs("incomplete"))
                e.finish = resp["incomplete_details"]["reason"].stringIs("content_filter") ? ir::Finish::ContentFilter
                                                                                           : ir::Finish::Length;
            else
                e.finish = m_sawTool ? ir::Finish::ToolCalls : ir::Finish::Stop;
            out << e;
            m_done = true;
        } else if (type == u"response.failed" || type == u"error") {
            const Value err = type == u"error" ? d : d["response"]["error"];
            ir::Event e;
            e.type = ir::Event::Type::Error;
            e.error = Error::badGateway(err["message"].toString(QStringLiteral("upstream error")));
            out << e;
            m_done = true;
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
        e.finish = m_sawTool ? ir::Finish::ToolCalls : ir::Finish::Stop;
        out << e;
        return out;
    }

private:
    ir::Event delta(ir::Event::Type t, const QString &text) const
    {
        ir::Event e;
        e.type = t;
        e.index = m_index;
        e.text = text;
        return e;
    }
    void start(QList<ir::Event> &out, const Part &p, const QString &key)
    {
        stop(out);
        ir::Event e;
        e.type = ir::Event::Type::PartStart;
        e.index = m_index = m_next++;
        e.part = p;
        m_openKey = key;
        out << e;
    }
    void stop(QList<ir::Event> &out)
    {
        if (m_openKey.isEmpty())
            return;
        ir::Event e;
        e.type = ir::Event::Type::PartStop;
        e.index = m_index;
        out << e;
        m_openKey.clear();
    }

    QString m_openKey;
    int m_index = -1;
    int m_next = 0;
    bool m_sawTool = false;
    bool m_done = false;
};

/// Writes the full Responses event sequence. The format repeats every item whole in its *.done events and in
/// response.completed, so this writer keeps the output items of the response (the only writer that must).
class StreamOut final : public StreamWriter
{
public:
    explicit StreamOut(const ir::Request &r)
        : m_model(r.model), m_servedBy(r.servedBy), m_id(ir::newId("resp_")),
          m_created(QDateTime::currentSecsSinceEpoch())
    {
        for (const ir::Tool &t : r.tools)
            if (t.freeform || !t.toolNamespace.isEmpty())
                m_clientTools.append(t); // calls of these go back as the client named them
    }

    QByteArray write(const ir::Event &e) override
    {
        QByteArray out;
        if (m_finished)
            return out;
        if (!m_started && e.type != ir::Event::Type::Error && e.type != ir::Event::Type::Ping) {
            m_started = true;
            out += event("response.created",
                         [&](Writer &w) { responseMember(w, "in_progress", nullptr, ir::Finish::Stop); });
            out += event("response.in_progress",
                         [&](Writer &w) { responseMember(w, "in_progress", nullptr, ir::Finish::Stop); });
        }
        switch (e.type) {
        case ir::Event::Type::Start:
        case ir::Event::Type::Usage:
            if (e.usage.known)
                m_usage = e.usage;
            break;
        case ir::Event::Type::PartStart:
            closeOpen(out);
            open(out, e.part);
            break;
        case ir::Event::Type::TextDelta:
            if (!m_open || m_kind != Kind::Text)
                open(out, Part());
            m_text += e.text;
            out += event("response.output_text.delta", [&](Writer &w) {
                w.member("item_id", m_itemId)
                    .member("output_index", m_items)
                    .member("content_index", 0)
                    .member("delta", e.text);
            });
            break;
        case ir::Event::Type::ThinkingDelta:
            if (!m_open || m_kind != Kind::Thinking) {
                Part t;
                t.kind = Kind::Thinking;
                open(out, t);
            }
            m_text += e.text;
            out += event("response.reasoning_summary_text.delta", [&](Writer &w) {
                w.member("item_id", m_itemId)
                    .member("output_index", m_items)
                    .member("summary_index", 0)
                    .member("delta", e.text);
            });
            break;
        case ir::Event::Type::SignatureDelta:
            if (m_open && m_kind == Kind::Thinking)
                m_signature += e.text;
            break;
        case ir::Event::Type::ArgumentsDelta:
            if (m_open && m_kind == Kind::ToolCall && !e.text.isEmpty()) {
                m_text += e.text;
                if (m_call.freeform)
                    break; // the input is inside {"input": ...}: given whole when the call ends
                out += event("response.function_call_arguments.delta", [&](Writer &w) {
                    w.member("item_id", m_itemId).member("output_index", m_items).member("delta", e.text);
                });
            }
            break;
        case ir::Event::Type::PartStop: closeOpen(out); break;
        case ir::Event::Type::Finish: {
            closeOpen(out);
            if (e.usage.known)
                m_usage = e.usage;
            const bool incomplete = e.finish == ir::Finish::Length || e.finish == ir::Finish::ContentFilter;
            out += event(incomplete ? "response.incomplete" : "response.completed", [&](Writer &w) {
                responseMember(w, incomplete ? "incomplete" : "completed", &m_usage, e.finish);
            });
            m_finished = true;
            break;
        }
        case ir::Event::Type::Error:
            // The error event in this stream's numbering (renderStreamError() serves streams without a writer).
            out += event("error", [&](Writer &w) {
                w.member("code",
                         e.error.httpStatus == 529 || e.error.httpStatus == 503 ? "server_error" : "upstream_error");
                w.member("message", log::redact(e.error.message)).memberNull("param");
            });
            // ... and the response's own end: failed (Codex reads the reason there). Its output is left empty:
            // the items went out already, and an answer cut for its size must not be repeated whole.
            out += event("response.failed", [&](Writer &w) {
                w.key("response");
                writeResponseObject(w, m_id, m_model, QLatin1StringView("failed"), QByteArrayView("[]"), nullptr,
                                    ir::Finish::Error, m_created, &e.error);
            });
            m_output.clear();
            m_text.clear();
            m_finished = true;
            break;
        case ir::Event::Type::Ping: out += keepAlive(); break;
        }
        return out;
    }

    QByteArray keepAlive() override { return keepAliveEvent(WireFormat::OpenAIResponses); }
    bool finished() const override { return m_finished; }

private:
    /// event: <type> / data: {"type":<type>,"sequence_number":n, ...members}
    template<typename F> QByteArray event(const char *type, F members)
    {
        QByteArray data;
        Writer w(&data);
        w.beginObject().key("type").string(QLatin1StringView(type)).member("sequence_number", m_seq++);
        members(w);
        w.endObject();
        return sse(QByteArrayView(type), data);
    }
    void responseMember(Writer &w, const char *status, const ir::Usage *usage, ir::Finish finish)
    {
        w.key("response");
        writeResponseObject(w, m_id, m_model, QLatin1StringView(status), QByteArray("[" + m_output + "]"), usage,
                            finish, m_created);
    }

    void open(QByteArray &out, const Part &part)
    {
        closeOpen(out);
        // Anthropic's redacted thinking goes out as a reasoning item whose envelope holds it.
        const Part p =
            part.kind == Kind::RedactedThinking ? ir::forClient(part, WireFormat::OpenAIResponses, m_servedBy) : part;
        m_open = true;
        m_kind = p.kind == Kind::ToolCall || p.kind == Kind::Thinking ? p.kind : Kind::Text;
        m_text.clear();
        m_signature = p.signature;
        m_call = p.kind == Kind::ToolCall ? clientCall(p, m_clientTools) : p;
        if (p.kind == Kind::ToolCall)
            m_call.callId = ir::carryCallId(p, m_servedBy); // a Gemini call signature travels in the id
        if (m_kind == Kind::ToolCall) {
            m_itemId = ir::newId(m_call.freeform ? "ctc_" : "fc_");
            if (m_call.callId.isEmpty())
                m_call.callId = ir::newId("call_");
            out += event("response.output_item.added", [&](Writer &w) {
                w.member("output_index", m_items).key("item");
                writeCallItem(w, m_itemId, m_call, true);
            });
        } else if (m_kind == Kind::Thinking) {
            // Reasoning of another vendor: an id marked as droid2api's own, never sent to OpenAI (sanitizeHistory).
            m_itemId = ir::newId("rs_d2a");
            out += event("response.output_item.added", [&](Writer &w) {
                w.member("output_index", m_items).key("item");
                writeReasoningItem(w, m_itemId, QString(), QString());
            });
            out += event("response.reasoning_summary_part.added", [&](Writer &w) {
                w.member("item_id", m_itemId).member("output_index", m_items).member("summary_index", 0);
                w.key("part").beginObject().member("type", "summary_text").member("text", "").endObject();
            });
        } else {
            m_itemId = ir::newId("msg_");
            out += event("response.output_item.added", [&](Writer &w) {
                w.member("output_index", m_items).key("item");
                writeMessageItem(w, m_itemId, QString(), true);
            });
            out += event("response.content_part.added", [&](Writer &w) {
                w.member("item_id", m_itemId).member("output_index", m_items).member("content_index", 0);
                w.key("part").beginObject().member("type", "output_text").key("annotations").beginArray().endArray();
                w.member("text", "").endObject();
            });
        }
    }

    void closeOpen(QByteArray &out)
    {
        if (!m_open)
            return;
        QByteArray item;
        Writer iw(&item);
        if (m_kind == Kind::ToolCall && m_call.freeform) {
            m_call.arguments = m_text;
            const QString input = freeformInput(m_text);
            out += event("response.custom_tool_call_input.delta", [&](Writer &w) {
                w.member("item_id", m_itemId).member("output_index", m_items).member("delta", input);
            });
            out += event("response.custom_tool_call_input.done", [&](Writer &w) {
                w.member("item_id", m_itemId).member("output_index", m_items).member("input", input);
            });
            writeCallItem(iw, m_itemId, m_call, false);
        } else if (m_kind == Kind::ToolCall) {
            m_call.arguments = m_text.isEmpty() ? QStringLiteral("{}") : m_text;
            out += event("response.function_call_arguments.done", [&](Writer &w) {
                w.member("item_id", m_itemId).member("output_index", m_items).member("arguments", m_call.arguments);
            });
            writeCallItem(iw, m_itemId, m_call, false);
        } else if (m_kind == Kind::Thinking) {
            out += event("response.reasoning_summary_text.done", [&](Writer &w) {
                w.member("item_id", m_itemId)
                    .member("output_index", m_items)
                    .member("summary_index", 0)
                    .member("text", m_text);
            });
            out += event("response.reasoning_summary_part.done", [&](Writer &w) {
                w.member("item_id", m_itemId).member("output_index", m_items).member("summary_index", 0);
                w.key("part").beginObject().member("type", "summary_text").member("text", m_text).endObject();
            });
            Part thought = m_call;
            thought.signature = m_signature;
            writeReasoningItem(iw, m_itemId, m_text,
                               ir::forClient(thought, WireFormat::OpenAIResponses, m_servedBy).signature);
        } else {
            out += event("response.output_text.done", [&](Writer &w) {
                w.member("item_id", m_itemId)
                    .member("output_index", m_items)
                    .member("content_index", 0)
                    .member("text", m_text);
            });
            out += event("response.content_part.done", [&](Writer &w) {
                w.member("item_id", m_itemId).member("output_index", m_items).member("content_index", 0);
                w.key("part").beginObject().member("type", "output_text").key("annotations").beginArray().endArray();
                w.member("text", m_text).endObject();
            });
            writeMessageItem(iw, m_itemId, m_text, false);
        }
        out += event("response.output_item.done",
                     [&](Writer &w) { w.member("output_index", m_items).memberRaw("item", item); });
        if (!m_output.isEmpty())
            m_output += ',';
        m_output += item;
        ++m_items;
        m_open = false;
        m_text.clear();
    }

    QString m_model;
    QString m_servedBy;
    QString m_id;
    qint64 m_created;
    int m_seq = 0;
    bool m_started = false;
    bool m_finished = false;
    bool m_open = false;
    Kind m_kind = Kind::Text;
    QString m_itemId;
    QString m_text;
    QString m_signature;
    Part m_call; ///< the open part (for a tool call: as the client named its tool)
    QList<ir::Tool> m_clientTools; ///< the request's namespaced and freeform tools
    QByteArray m_output; ///< the finished items, comma-separated JSON
    int m_items = 0;
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

} // namespace d2a::fmt::responses
