#include "grammar.h"

#include "sse/ssesplitter.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qset.h>

using d2a::SseEvent;
using d2a::SseSplitter;
using d2a::WireFormat;

namespace {

QList<SseEvent> events(const QByteArray &stream)
{
    SseSplitter s;
    QList<QByteArray> raw = s.feed(stream);
    const QByteArray rest = s.takeRemainder();
    if (!rest.trimmed().isEmpty())
        raw.append(rest);
    QList<SseEvent> out;
    for (const QByteArray &r : raw) {
        SseEvent e = SseSplitter::parse(r);
        if (!e.isComment)
            out.append(e);
    }
    return out;
}

QString anthropic(const QList<SseEvent> &evs)
{
    if (evs.isEmpty() || evs.first().event != "message_start")
        return QStringLiteral("does not start with message_start");
    int nextIndex = 0;
    int open = -1;
    QString openType;
    bool signature = false;
    bool sawDelta = false;
    for (int i = 1; i < evs.size(); ++i) {
        const SseEvent &e = evs[i];
        const QJsonObject d = QJsonDocument::fromJson(e.data).object();
        if (d.value(u"type").toString().toUtf8() != e.event)
            return QStringLiteral("event %1: 'event:' and data.type differ").arg(i);
        if (e.event == "ping")
            continue;
        if (e.event == "error")
            return i == evs.size() - 1 ? QString() : QStringLiteral("events after error");
        if (sawDelta && e.event != "message_stop")
            return QStringLiteral("event %1 (%2) after message_delta").arg(i).arg(QString::fromUtf8(e.event));
        if (e.event == "content_block_start") {
            if (open >= 0)
                return QStringLiteral("block %1 starts while %2 is open").arg(d.value(u"index").toInt()).arg(open);
            if (d.value(u"index").toInt() != nextIndex)
                return QStringLiteral("block index %1, expected %2").arg(d.value(u"index").toInt()).arg(nextIndex);
            open = nextIndex++;
            const QJsonObject b = d.value(u"content_block").toObject();
            openType = b.value(u"type").toString();
            signature = false;
            if (openType == u"tool_use"
                && (b.value(u"input").toObject() != QJsonObject() || b.value(u"id").toString().isEmpty()
                    || b.value(u"name").toString().isEmpty()))
                return QStringLiteral("tool_use block %1 must start with id, name and input {}").arg(open);
        } else if (e.event == "content_block_delta") {
            if (d.value(u"index").toInt() != open)
                return QStringLiteral("delta for block %1 while %2 is open").arg(d.value(u"index").toInt()).arg(open);
            const QString dt = d.value(u"delta").toObject().value(u"type").toString();
            const bool ok = (openType == u"text" && dt == u"text_delta")
                            || (openType == u"tool_use" && dt == u"input_json_delta")
                            || (openType == u"thinking" && (dt == u"thinking_delta" || dt == u"signature_delta"));
            if (!ok)
                return QStringLiteral("%1 in a %2 block").arg(dt, openType);
            if (signature)
                return QStringLiteral("delta after signature_delta in block %1").arg(open);
            if (dt == u"signature_delta")
                signature = true;
        } else if (e.event == "content_block_stop") {
            if (d.value(u"index").toInt() != open)
                return QStringLiteral("stop for block %1 while %2 is open").arg(d.value(u"index").toInt()).arg(open);
            if (openType == u"thinking" && !signature)
                return QStringLiteral("thinking block %1 ends without signature_delta").arg(open);
            open = -1;
        } else if (e.event == "message_delta") {
            if (open >= 0)
                return QStringLiteral("message_delta while block %1 is open").arg(open);
            if (d.value(u"delta").toObject().value(u"stop_reason").toString().isEmpty())
                return QStringLiteral("message_delta without stop_reason");
            if (!d.value(u"usage").toObject().contains(u"output_tokens"))
                return QStringLiteral("message_delta without usage.output_tokens");
            sawDelta = true;
        } else if (e.event == "message_stop") {
            if (!sawDelta)
                return QStringLiteral("message_stop without message_delta");
            return i == evs.size() - 1 ? QString() : QStringLiteral("events after message_stop");
        } else {
            return QStringLiteral("unknown event %1").arg(QString::fromUtf8(e.event));
        }
    }
    return QStringLiteral("no message_stop");
}

QString chat(const QList<SseEvent> &evs)
{
    if (evs.isEmpty())
        return QStringLiteral("empty stream");
    bool first = true;
    bool finished = false;
    QSet<int> tools;
    for (int i = 0; i < evs.size(); ++i) {
        const QByteArray data = evs[i].data.trimmed();
        if (data == "[DONE]")
            return i == evs.size() - 1 ? (finished ? QString() : QStringLiteral("[DONE] without a finish_reason"))
                                       : QStringLiteral("events after [DONE]");
        const QJsonObject c = QJsonDocument::fromJson(data).object();
        if (c.contains(u"error"))
            return i == evs.size() - 1 ? QString() : QStringLiteral("events after an error");
        if (c.value(u"object").toString() != u"chat.completion.chunk")
            return QStringLiteral("chunk %1 is not a chat.completion.chunk").arg(i);
        const QJsonArray choices = c.value(u"choices").toArray();
        if (choices.isEmpty()) {
            if (!c.contains(u"usage"))
                return QStringLiteral("chunk %1 has neither choices nor usage").arg(i);
            continue;
        }
        const QJsonObject ch = choices.first().toObject();
        const QJsonObject d = ch.value(u"delta").toObject();
        if (first) {
            if (d.value(u"role").toString() != u"assistant")
                return QStringLiteral("the first chunk has no assistant role");
            first = false;
        }
        if (finished)
            return QStringLiteral("chunk %1 after the finish_reason").arg(i);
        for (const QJsonValue &tv : d.value(u"tool_calls").toArray()) {
            const QJsonObject t = tv.toObject();
            const int index = t.value(u"index").toInt(-1);
            if (index < 0)
                return QStringLiteral("tool call delta without index");
            if (!tools.contains(index)) {
                if (t.value(u"id").toString().isEmpty()
                    || t.value(u"function").toObject().value(u"name").toString().isEmpty())
                    return QStringLiteral("tool call %1 first appears without id and name").arg(index);
                tools.insert(index);
            }
        }
        if (ch.value(u"finish_reason").isString())
            finished = true;
    }
    return QStringLiteral("no [DONE]");
}

QString responses(const QList<SseEvent> &evs)
{
    if (evs.isEmpty() || evs.first().event != "response.created")
        return QStringLiteral("does not start with response.created");
    int seq = -1;
    QSet<QString> openItems;
    for (int i = 0; i < evs.size(); ++i) {
        const QJsonObject d = QJsonDocument::fromJson(evs[i].data).object();
        const QString type = d.value(u"type").toString();
        if (type.toUtf8() != evs[i].event)
            return QStringLiteral("event %1: 'event:' and data.type differ").arg(i);
        const int s = d.value(u"sequence_number").toInt(-1);
        if (s <= seq)
            return QStringLiteral("sequence_number %1 after %2").arg(s).arg(seq);
        seq = s;
        if (type == u"error") // then only the response's own end, failed
            return i == evs.size() - 1
                           || (i == evs.size() - 2 && evs.last().event == "response.failed"
                               && QJsonDocument::fromJson(evs.last().data)
                                          .object()
                                          .value(u"response")
                                          .toObject()
                                          .value(u"status")
                                          .toString()
                                      == u"failed")
                       ? QString()
                       : QStringLiteral("events after error");
        if (type == u"response.output_item.added") {
            openItems.insert(d.value(u"item").toObject().value(u"id").toString());
        } else if (type == u"response.output_item.done") {
            if (!openItems.remove(d.value(u"item").toObject().value(u"id").toString()))
                return QStringLiteral("output_item.done for an item never added");
        } else if (type.endsWith(u".delta") || type.endsWith(u".done") || type.endsWith(u".added")) {
            if (type.startsWith(u"response.output_text") || type.startsWith(u"response.function_call_arguments")
                || type.startsWith(u"response.content_part") || type.startsWith(u"response.reasoning_summary"))
                if (!openItems.contains(d.value(u"item_id").toString()))
                    return QStringLiteral("%1 for an item that is not open").arg(type);
        } else if (type == u"response.completed" || type == u"response.incomplete") {
            if (!openItems.isEmpty())
                return QStringLiteral("response ends with items still open");
            if (d.value(u"response").toObject().value(u"output").toArray().isEmpty())
                return QStringLiteral("response.completed carries no output");
            return i == evs.size() - 1 ? QString() : QStringLiteral("events after response.completed");
        }
    }
    return QStringLiteral("no response.completed");
}

QString gemini(const QList<SseEvent> &evs)
{
    if (evs.isEmpty())
        return QStringLiteral("empty stream");
    for (int i = 0; i < evs.size(); ++i) {
        const QJsonObject o = QJsonDocument::fromJson(evs[i].data).object();
        if (o.contains(u"error"))
            return i == evs.size() - 1 ? QString() : QStringLiteral("events after an error");
        if (!o.value(u"candidates").isArray())
            return QStringLiteral("chunk %1 has no candidates").arg(i);
        const bool hasFinish = o.value(u"candidates").toArray().first().toObject().contains(u"finishReason");
        if (hasFinish && i != evs.size() - 1)
            return QStringLiteral("chunk %1 has a finishReason but is not the last").arg(i);
        if (!hasFinish && i == evs.size() - 1)
            return QStringLiteral("the last chunk has no finishReason");
    }
    return {};
}

} // namespace

QString checkStreamGrammar(WireFormat format, const QByteArray &stream)
{
    const QList<SseEvent> evs = events(stream);
    switch (format) {
    case WireFormat::Anthropic: return anthropic(evs);
    case WireFormat::OpenAIChat: return chat(evs);
    case WireFormat::OpenAIResponses: return responses(evs);
    case WireFormat::Gemini: return gemini(evs);
    }
    return QStringLiteral("unknown format");
}
