#include "fakesession.h"

#include "vendorchecks.h"

#include "json/jsonwriter.h"

#include <QtCore/qcryptographichash.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qregularexpression.h>

using d2a::json::Writer;

namespace fakesession {

namespace {

struct Call
{
    QString id; ///< call id (Anthropic tool_use id, Responses/Chat call id; none for Gemini)
    QString itemId; ///< Responses function_call item id
    QByteArray args; ///< the arguments, JSON object text
};

struct Answer
{
    QString id; ///< message / response id
    QString thinking; ///< empty: no thinking
    QString signature; ///< Anthropic thinking signature (empty when thinking is off)
    QString reasoningId; ///< Responses reasoning item id
    QString encrypted; ///< its encrypted_content (empty when not asked for)
    bool thought = false; ///< Gemini: a thought part (includeThoughts)
    QString geminiSignature; ///< on the first function call, or on the last text part
    QList<Call> calls;
    QString text;
    bool tools() const { return !calls.isEmpty(); }
};

/// What the request's history says: the scenario, user text messages, tool-call steps since the last one.
struct History
{
    QString scenario = QStringLiteral("reasoning");
    int userTexts = 0;
    int steps = 0;
};

using fakescript::obj;
using fakescript::sse;

QString hexOf(const QString &seed, int length)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(seed.toUtf8(), QCryptographicHash::Sha256).toHex().left(length));
}

/// The text of a message's content: a string, or the text of its text parts (any API's part shapes).
QString textOf(const QJsonValue &content, bool *hasText)
{
    if (content.isString()) {
        *hasText = true;
        return content.toString();
    }
    QString t;
    for (const QJsonValue &pv : content.toArray()) {
        const QJsonObject p = pv.toObject();
        const QString type = p.value(QStringLiteral("type")).toString();
        if (p.value(QStringLiteral("thought")).toBool())
            continue;
        if ((type.isEmpty() || type == u"text" || type == u"input_text") && p.contains(QStringLiteral("text"))) {
            *hasText = true;
            t += p.value(QStringLiteral("text")).toString();
        }
    }
    return t;
}

History historyOf(const QByteArray &format, const QJsonObject &body)
{
    History h;
    bool scenarioSeen = false;
    auto userText = [&](const QString &text) {
        ++h.userTexts;
        h.steps = 0;
        if (scenarioSeen)
            return;
        scenarioSeen = true;
        static const QRegularExpression re(QStringLiteral("scenario:([a-z]+)"));
        const QRegularExpressionMatch m = re.match(text);
        if (m.hasMatch())
            h.scenario = m.captured(1);
    };
    if (format == "anthropic" || format == "chat") {
        for (const QJsonValue &mv : body.value(QStringLiteral("messages")).toArray()) {
            const QJsonObject m = mv.toObject();
            const QString role = m.value(QStringLiteral("role")).toString();
            bool hasText = false;
            const QString text = textOf(m.value(QStringLiteral("content")), &hasText);
            if (role == u"user" && hasText)
                userText(text);
            if (role != u"assistant")
                continue;
            bool calls = !m.value(QStringLiteral("tool_calls")).toArray().isEmpty();
            for (const QJsonValue &b : m.value(QStringLiteral("content")).toArray())
                calls = calls || b.toObject().value(QStringLiteral("type")).toString() == u"tool_use";
            h.steps += calls ? 1 : 0;
        }
    } else if (format == "responses") {
        const QJsonValue input = body.value(QStringLiteral("input"));
        if (input.isString())
            userText(input.toString());
        bool inCalls = false; // a run of calls is one step
        for (const QJsonValue &iv : input.toArray()) {
            const QJsonObject item = iv.toObject();
            const QString type = item.value(QStringLiteral("type")).toString();
            if ((type.isEmpty() || type == u"message") && item.value(QStringLiteral("role")).toString() == u"user") {
                bool hasText = false;
                const QString text = textOf(item.value(QStringLiteral("content")), &hasText);
                if (hasText)
                    userText(text);
                inCalls = false;
            } else if (type == u"function_call" || type == u"custom_tool_call") {
                if (!inCalls)
                    ++h.steps;
                inCalls = true;
            } else if (type == u"function_call_output" || type == u"custom_tool_call_output") {
                inCalls = false;
            }
        }
    } else {
        for (const QJsonValue &cv : body.value(QStringLiteral("contents")).toArray()) {
            const QJsonObject c = cv.toObject();
            const QJsonArray parts = c.value(QStringLiteral("parts")).toArray();
            if (c.value(QStringLiteral("role")).toString() == u"model") {
                bool calls = false;
                for (const QJsonValue &p : parts)
                    calls = calls || p.toObject().contains(QStringLiteral("functionCall"));
                h.steps += calls ? 1 : 0;
                continue;
            }
            bool hasText = false;
            const QString text = textOf(parts, &hasText);
            if (hasText)
                userText(text);
        }
    }
    return h;
}

Answer plan(const QByteArray &format, const QString &model, const QJsonObject &body, int serial)
{
    const History h = historyOf(format, body);
    Answer a;
    const QString seed = model + u'|' + QString::number(serial);
    const int n = qMax(1, h.userTexts);
    a.id = hexOf(seed + QStringLiteral("|id"), 24);
    const bool steps = h.scenario == u"tools" || h.scenario == u"parallel";
    a.thinking = steps ? QStringLiteral("Thinking about turn %1, step %2.").arg(n).arg(qMin(h.steps, 2) + 1)
                       : QStringLiteral("Thinking about turn %1.").arg(n);
    if (steps && h.steps < 2) {
        const int s = h.steps + 1;
        const int parts = h.scenario == u"parallel" ? 2 : 1;
        for (int k = 1; k <= parts; ++k) {
            Call c;
            const QString hex = hexOf(seed + QStringLiteral("|call") + QString::number(k), 24);
            c.id = (format == "anthropic" ? QStringLiteral("toolu_") : QStringLiteral("call_")) + hex;
            c.itemId = QStringLiteral("fc_") + hexOf(seed + QStringLiteral("|item") + QString::number(k), 32);
            c.args = "{\"step\":" + QByteArray::number(s);
            if (parts > 1)
                c.args += ",\"part\":" + QByteArray::number(k);
            c.args += '}';
            a.calls << c;
        }
    } else if (steps) {
        a.text = QStringLiteral("Done after %1 steps").arg(h.steps);
    } else {
        a.text = QStringLiteral("Answer %1").arg(n);
    }
    const ScriptedReasoning r = reasoningFor(format, model, body, a.thinking, seed);
    a.thinking = r.thinking;
    a.signature = r.signature;
    a.reasoningId = r.reasoningId;
    a.encrypted = r.encryptedContent;
    a.thought = r.thought;
    a.geminiSignature = r.thoughtSignature;
    return a;
}

// --- Anthropic Messages

void anthropicUsage(Writer &w, bool start)
{
    w.key("usage").beginObject().member("input_tokens", 40).member("cache_creation_input_tokens", 0);
    w.member("cache_read_input_tokens", 8).member("output_tokens", start ? 1 : 24).endObject();
}

QList<QByteArray> anthropicEvents(const QString &model, const Answer &a)
{
    QList<QByteArray> ev;
    ev << sse(
        "message_start", obj([&](Writer &w) {
            w.member("type", "message_start").key("message").beginObject().member("id", QStringLiteral("msg_") + a.id);
            w.member("type", "message").member("role", "assistant").member("model", model);
            w.key("content").beginArray().endArray().memberNull("stop_reason").memberNull("stop_sequence");
            anthropicUsage(w, true);
            w.endObject();
        }));
    int index = 0;
    auto delta = [&](auto f) {
        return sse("content_block_delta", obj([&](Writer &w) {
                       w.member("type", "content_block_delta").member("index", index).key("delta").beginObject();
                       f(w);
                       w.endObject();
                   }));
    };
    auto stop = [&] {
        ev << sse("content_block_stop",
                  obj([&](Writer &w) { w.member("type", "content_block_stop").member("index", index); }));
        ++index;
    };
    auto start = [&](auto f) {
        return sse("content_block_start", obj([&](Writer &w) {
                       w.member("type", "content_block_start").member("index", index).key("content_block");
                       w.beginObject();
                       f(w);
                       w.endObject();
                   }));
    };
    if (!a.thinking.isEmpty()) {
        ev << start([&](Writer &w) { w.member("type", "thinking").member("thinking", "").member("signature", ""); });
        ev << delta([&](Writer &w) { w.member("type", "thinking_delta").member("thinking", a.thinking); });
        ev << delta([&](Writer &w) { w.member("type", "signature_delta").member("signature", a.signature); });
        stop();
    }
    if (!a.text.isEmpty()) {
        ev << start([&](Writer &w) { w.member("type", "text").member("text", ""); });
        ev << delta([&](Writer &w) { w.member("type", "text_delta").member("text", a.text); });
        stop();
    }
    for (const Call &c : a.calls) {
        ev << start([&](Writer &w) {
            w.member("type", "tool_use").member("id", c.id).member("name", "run").key("input").beginObject();
            w.endObject();
        });
        const qsizetype half = c.args.size() / 2;
        for (const QByteArray &piece : { c.args.left(half), c.args.mid(half) })
            ev << delta([&](Writer &w) { w.member("type", "input_json_delta").key("partial_json").stringUtf8(piece); });
        stop();
    }
    ev << sse("message_delta", obj([&](Writer &w) {
                  w.member("type", "message_delta").key("delta").beginObject();
                  w.member("stop_reason", a.tools() ? "tool_use" : "end_turn").memberNull("stop_sequence").endObject();
                  w.key("usage").beginObject().member("output_tokens", 24).endObject();
              }));
    ev << sse("message_stop", obj([&](Writer &w) { w.member("type", "message_stop"); }));
    return ev;
}

QByteArray anthropicBody(const QString &model, const Answer &a)
{
    return obj([&](Writer &w) {
        w.member("id", QStringLiteral("msg_") + a.id)
            .member("type", "message")
            .member("role", "assistant")
            .member("model", model);
        w.key("content").beginArray();
        if (!a.thinking.isEmpty())
            w.beginObject()
                .member("type", "thinking")
                .member("thinking", a.thinking)
                .member("signature", a.signature)
                .endObject();
        if (!a.text.isEmpty())
            w.beginObject().member("type", "text").member("text", a.text).endObject();
        for (const Call &c : a.calls)
            w.beginObject()
                .member("type", "tool_use")
                .member("id", c.id)
                .member("name", "run")
                .memberRaw("input", c.args)
                .endObject();
        w.endArray().member("stop_reason", a.tools() ? "tool_use" : "end_turn").memberNull("stop_sequence");
        anthropicUsage(w, false);
    });
}

// --- OpenAI Responses

QByteArray reasoningItem(const Answer &a, bool done)
{
    return obj([&](Writer &w) {
        w.member("id", a.reasoningId).member("type", "reasoning");
        if (done && !a.encrypted.isEmpty())
            w.member("encrypted_content", a.encrypted);
        w.key("summary").beginArray();
        if (done && !a.thinking.isEmpty())
            w.beginObject().member("type", "summary_text").member("text", a.thinking).endObject();
        w.endArray();
    });
}

QByteArray outputTextPart(const QString &text)
{
    return obj([&](Writer &w) {
        w.member("type", "output_text").key("annotations").beginArray().endArray();
        w.key("logprobs").beginArray().endArray().member("text", text);
    });
}

QByteArray messageItem(const Answer &a, bool done)
{
    return obj([&](Writer &w) {
        w.member("id", QStringLiteral("msg_") + a.id)
            .member("type", "message")
            .member("status", done ? "completed" : "in_progress");
        w.key("content").beginArray();
        if (done)
            w.raw(outputTextPart(a.text));
        w.endArray().member("role", "assistant");
    });
}

QByteArray callItem(const Call &c, bool done)
{
    return obj([&](Writer &w) {
        w.member("id", c.itemId).member("type", "function_call").member("status", done ? "completed" : "in_progress");
        w.key("arguments").stringUtf8(done ? c.args : QByteArray()).member("call_id", c.id).member("name", "run");
    });
}

QByteArray responseObject(const QString &model, const Answer &a, bool done, const QByteArray &output)
{
    return obj([&](Writer &w) {
        w.member("id", QStringLiteral("resp_") + a.id).member("object", "response").member("created_at", 1700000000);
        w.member("status", done ? "completed" : "in_progress").memberNull("error").memberNull("incomplete_details");
        w.member("model", model).memberRaw("output", output).member("parallel_tool_calls", true);
        w.member("store", false).key("usage");
        if (!done) {
            w.null();
            return;
        }
        w.beginObject().member("input_tokens", 40).key("input_tokens_details").beginObject();
        w.member("cached_tokens", 8).endObject().member("output_tokens", 24).key("output_tokens_details");
        w.beginObject().member("reasoning_tokens", 6).endObject().member("total_tokens", 64).endObject();
    });
}

QByteArray responsesOutput(const Answer &a)
{
    QByteArray out = "[";
    auto add = [&](const QByteArray &item) { out += (out.size() > 1 ? "," : "") + item; };
    if (!a.reasoningId.isEmpty())
        add(reasoningItem(a, true));
    if (!a.text.isEmpty())
        add(messageItem(a, true));
    for (const Call &c : a.calls)
        add(callItem(c, true));
    return out + ']';
}

QList<QByteArray> responsesEvents(const QString &model, const Answer &a)
{
    QList<QByteArray> ev;
    int seq = 0;
    int out = 0;
    auto event = [&](const char *type, auto members) {
        ev << sse(type, obj([&](Writer &w) {
                      w.key("type").string(QLatin1StringView(type)).member("sequence_number", seq++);
                      members(w);
                  }));
    };
    event("response.created", [&](Writer &w) { w.memberRaw("response", responseObject(model, a, false, "[]")); });
    event("response.in_progress", [&](Writer &w) { w.memberRaw("response", responseObject(model, a, false, "[]")); });
    if (!a.reasoningId.isEmpty()) {
        event("response.output_item.added",
              [&](Writer &w) { w.member("output_index", out).memberRaw("item", reasoningItem(a, false)); });
        if (!a.thinking.isEmpty()) {
            auto summary = [&](Writer &w) {
                w.member("item_id", a.reasoningId).member("output_index", out).member("summary_index", 0);
            };
            event("response.reasoning_summary_part.added", [&](Writer &w) {
                summary(w);
                w.key("part").beginObject().member("type", "summary_text").member("text", "").endObject();
            });
            event("response.reasoning_summary_text.delta", [&](Writer &w) {
                summary(w);
                w.member("delta", a.thinking);
            });
            event("response.reasoning_summary_text.done", [&](Writer &w) {
                summary(w);
                w.member("text", a.thinking);
            });
            event("response.reasoning_summary_part.done", [&](Writer &w) {
                summary(w);
                w.key("part").beginObject().member("type", "summary_text").member("text", a.thinking).endObject();
            });
        }
        event("response.output_item.done",
              [&](Writer &w) { w.member("output_index", out).memberRaw("item", reasoningItem(a, true)); });
        ++out;
    }
    if (!a.text.isEmpty()) {
        const QString itemId = QStringLiteral("msg_") + a.id;
        auto at = [&](Writer &w) {
            w.member("item_id", itemId).member("output_index", out).member("content_index", 0);
        };
        event("response.output_item.added",
              [&](Writer &w) { w.member("output_index", out).memberRaw("item", messageItem(a, false)); });
        event("response.content_part.added", [&](Writer &w) {
            at(w);
            w.memberRaw("part", outputTextPart(QString()));
        });
        event("response.output_text.delta", [&](Writer &w) {
            at(w);
            w.member("delta", a.text).key("logprobs").beginArray().endArray();
        });
        event("response.output_text.done", [&](Writer &w) {
            at(w);
            w.member("text", a.text).key("logprobs").beginArray().endArray();
        });
        event("response.content_part.done", [&](Writer &w) {
            at(w);
            w.memberRaw("part", outputTextPart(a.text));
        });
        event("response.output_item.done",
              [&](Writer &w) { w.member("output_index", out).memberRaw("item", messageItem(a, true)); });
        ++out;
    }
    for (const Call &c : a.calls) {
        event("response.output_item.added",
              [&](Writer &w) { w.member("output_index", out).memberRaw("item", callItem(c, false)); });
        event("response.function_call_arguments.delta", [&](Writer &w) {
            w.member("item_id", c.itemId).member("output_index", out).key("delta").stringUtf8(c.args);
        });
        event("response.function_call_arguments.done", [&](Writer &w) {
            w.member("item_id", c.itemId).member("output_index", out).key("arguments").stringUtf8(c.args);
        });
        event("response.output_item.done",
              [&](Writer &w) { w.member("output_index", out).memberRaw("item", callItem(c, true)); });
        ++out;
    }
    event("response.completed",
          [&](Writer &w) { w.memberRaw("response", responseObject(model, a, true, responsesOutput(a))); });
    return ev;
}

// --- Chat Completions

void chatUsage(Writer &w)
{
    w.key("usage").beginObject().member("prompt_tokens", 40).member("completion_tokens", 24);
    w.member("total_tokens", 64).key("prompt_tokens_details").beginObject().member("cached_tokens", 8).endObject();
    w.key("completion_tokens_details").beginObject().member("reasoning_tokens", 6).endObject().endObject();
}

QList<QByteArray> chatEvents(const QString &model, const Answer &a)
{
    QList<QByteArray> ev;
    auto head = [&](Writer &w) {
        w.member("id", QStringLiteral("chatcmpl-") + a.id)
            .member("object", "chat.completion.chunk")
            .member("created", 1700000000);
        w.member("model", model);
    };
    auto chunk = [&](auto delta, const char *finish) {
        ev << sse({}, obj([&](Writer &w) {
                      head(w);
                      w.key("choices").beginArray().beginObject().member("index", 0).key("delta").beginObject();
                      delta(w);
                      w.endObject().key("finish_reason");
                      if (finish)
                          w.string(QLatin1StringView(finish));
                      else
                          w.null();
                      w.endObject().endArray();
                  }));
    };
    chunk([](Writer &w) { w.member("role", "assistant"); }, nullptr);
    if (!a.thinking.isEmpty())
        chunk([&](Writer &w) { w.member("reasoning_content", a.thinking); }, nullptr);
    if (!a.text.isEmpty())
        chunk([&](Writer &w) { w.member("content", a.text); }, nullptr);
    for (qsizetype k = 0; k < a.calls.size(); ++k) {
        const Call &c = a.calls[k];
        chunk(
            [&](Writer &w) {
            w.key("tool_calls").beginArray().beginObject().member("index", int(k)).member("id", c.id);
            w.member("type", "function").key("function").beginObject().member("name", "run").member("arguments", "");
            w.endObject().endObject().endArray();
            },
            nullptr);
        chunk(
            [&](Writer &w) {
            w.key("tool_calls").beginArray().beginObject().member("index", int(k)).key("function").beginObject();
            w.key("arguments").stringUtf8(c.args).endObject().endObject().endArray();
            },
            nullptr);
    }
    chunk([](Writer &) {}, a.tools() ? "tool_calls" : "stop");
    ev << sse({}, obj([&](Writer &w) {
                  head(w);
                  w.key("choices").beginArray().endArray();
                  chatUsage(w);
              }));
    ev << QByteArray("data: [DONE]\n\n");
    return ev;
}

QByteArray chatBody(const QString &model, const Answer &a)
{
    return obj([&](Writer &w) {
        w.member("id", QStringLiteral("chatcmpl-") + a.id)
            .member("object", "chat.completion")
            .member("created", 1700000000);
        w.member("model", model).key("choices").beginArray().beginObject().member("index", 0).key("message");
        w.beginObject().member("role", "assistant").key("content");
        if (a.text.isEmpty())
            w.null();
        else
            w.string(a.text);
        if (!a.thinking.isEmpty())
            w.member("reasoning_content", a.thinking);
        if (a.tools()) {
            w.key("tool_calls").beginArray();
            for (const Call &c : a.calls) {
                w.beginObject().member("id", c.id).member("type", "function").key("function").beginObject();
                w.member("name", "run").key("arguments").stringUtf8(c.args).endObject().endObject();
            }
            w.endArray();
        }
        w.endObject().member("finish_reason", a.tools() ? "tool_calls" : "stop").endObject().endArray();
        chatUsage(w);
    });
}

// --- Gemini

QByteArray geminiThoughtPart(const Answer &a)
{
    return obj([&](Writer &w) { w.member("text", a.thinking).member("thought", true); });
}

QByteArray geminiCallPart(const Answer &a, qsizetype k)
{
    return obj([&](Writer &w) {
        w.key("functionCall").beginObject().member("name", "run").memberRaw("args", a.calls[k].args).endObject();
        if (k == 0)
            w.member("thoughtSignature", a.geminiSignature);
    });
}

QByteArray geminiChunk(const QString &model, const Answer &a, const QByteArray &parts, bool last)
{
    return obj([&](Writer &w) {
        w.key("candidates").beginArray().beginObject().key("content").beginObject().memberRaw("parts", parts);
        w.member("role", "model").endObject();
        if (last)
            w.member("finishReason", "STOP");
        w.member("index", 0).endObject().endArray();
        if (last) {
            w.key("usageMetadata").beginObject().member("promptTokenCount", 40).member("candidatesTokenCount", 18);
            w.member("totalTokenCount", 64).member("cachedContentTokenCount", 8);
            w.member("thoughtsTokenCount", 6).endObject();
        }
        w.member("modelVersion", model).member("responseId", a.id);
    });
}

QList<QByteArray> geminiEvents(const QString &model, const Answer &a)
{
    QList<QByteArray> ev;
    auto data = [&](const QByteArray &json) { ev << "data: " + json + "\r\n\r\n"; };
    if (!a.thinking.isEmpty())
        data(geminiChunk(model, a, "[" + geminiThoughtPart(a) + "]", false));
    if (a.tools()) {
        QByteArray parts = "[";
        for (qsizetype k = 0; k < a.calls.size(); ++k)
            parts += (k ? "," : "") + geminiCallPart(a, k);
        data(geminiChunk(model, a, parts + "]", true));
    } else {
        // As Gemini 3 streams it: the text, then an empty text part that carries the signature.
        data(geminiChunk(model, a, "[" + obj([&](Writer &w) { w.member("text", a.text); }) + "]", false));
        data(geminiChunk(model, a, "[" + obj([&](Writer &w) {
                                       w.member("text", "").member("thoughtSignature", a.geminiSignature);
                                   }) + "]",
                         true));
    }
    return ev;
}

QByteArray geminiBody(const QString &model, const Answer &a)
{
    QByteArray parts = "[";
    auto add = [&](const QByteArray &p) { parts += (parts.size() > 1 ? "," : "") + p; };
    if (!a.thinking.isEmpty())
        add(geminiThoughtPart(a));
    for (qsizetype k = 0; k < a.calls.size(); ++k)
        add(geminiCallPart(a, k));
    if (!a.tools())
        add(obj([&](Writer &w) { w.member("text", a.text).member("thoughtSignature", a.geminiSignature); }));
    return geminiChunk(model, a, parts + "]", true);
}

} // namespace

ScriptedReasoning reasoningFor(const QByteArray &format, const QString &model, const QJsonObject &body,
                               const QString &thinking, const QString &seed)
{
    ScriptedReasoning r;
    r.thinking = thinking;
    if (format == "anthropic") {
        const QString type = body.value(QStringLiteral("thinking")).toObject().value(QStringLiteral("type")).toString();
        if (type == u"enabled" || type == u"adaptive")
            r.signature = vendorchecks::anthropicThinkingSignature(model, r.thinking);
        else
            r.thinking.clear();
    } else if (format == "responses") {
        const QJsonValue reasoning = body.value(QStringLiteral("reasoning"));
        bool include = false;
        for (const QJsonValue &v : body.value(QStringLiteral("include")).toArray())
            include = include || v.toString() == u"reasoning.encrypted_content";
        const bool reasons =
            reasoning.isObject() && reasoning.toObject().value(QStringLiteral("effort")).toString() != u"none";
        if (reasons || include) {
            r.reasoningId = QStringLiteral("rs_") + hexOf(seed + QStringLiteral("|rs"), 32);
            if (include)
                r.encryptedContent = vendorchecks::responsesEncryptedContent(model, r.reasoningId);
        } else {
            r.thinking.clear();
        }
    } else if (format == "chat") {
        if (body.value(QStringLiteral("reasoning_effort")).toString() == u"none")
            r.thinking.clear();
    } else {
        r.thought = body.value(QStringLiteral("generationConfig"))
                        .toObject()
                        .value(QStringLiteral("thinkingConfig"))
                        .toObject()
                        .value(QStringLiteral("includeThoughts"))
                        .toBool();
        if (!r.thought)
            r.thinking.clear();
        r.thoughtSignature = vendorchecks::geminiThoughtSignature(model, hexOf(seed + QStringLiteral("|id"), 24));
    }
    return r;
}

bool isSessionModel(const QString &model)
{
    return model.startsWith(QStringLiteral("sess-"));
}

QList<QByteArray> events(const QByteArray &format, const QString &model, const QJsonObject &body, int serial)
{
    const Answer a = plan(format, model, body, serial);
    if (format == "anthropic")
        return anthropicEvents(model, a);
    if (format == "responses")
        return responsesEvents(model, a);
    if (format == "chat")
        return chatEvents(model, a);
    return geminiEvents(model, a);
}

QByteArray body(const QByteArray &format, const QString &model, const QJsonObject &body, int serial)
{
    const Answer a = plan(format, model, body, serial);
    if (format == "anthropic")
        return anthropicBody(model, a);
    if (format == "responses")
        return responseObject(model, a, true, responsesOutput(a));
    if (format == "chat")
        return chatBody(model, a);
    return geminiBody(model, a);
}

} // namespace fakesession
