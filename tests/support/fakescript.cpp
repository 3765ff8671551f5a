#include "fakescript.h"

#include "json/jsonwriter.h"

using d2a::json::Writer;

namespace {

using fakescript::obj;
using fakescript::sse;

/// A Responses reasoning item: while streaming (empty), or done (the summary and the encrypted content).
QByteArray reasoningItem(const ScriptedReasoning &rs, bool done)
{
    return obj([&](Writer &w) {
        w.member("id", rs.reasoningId).member("type", "reasoning");
        if (done && !rs.encryptedContent.isEmpty())
            w.member("encrypted_content", rs.encryptedContent);
        w.key("summary").beginArray();
        if (done && !rs.thinking.isEmpty())
            w.beginObject().member("type", "summary_text").member("text", rs.thinking).endObject();
        w.endArray();
    });
}

/// One streamed Gemini chunk (with its "data: " and blank line); the last one has the finish reason and usage.
QByteArray geminiChunk(const QString &model, const QString &id, const QByteArray &parts, bool last)
{
    return "data: " + obj([&](Writer &w) {
               w.key("candidates").beginArray().beginObject().key("content").beginObject().key("parts").raw(parts);
               w.member("role", "model").endObject();
               if (last)
                   w.member("finishReason", "STOP");
               w.member("index", 0).endObject().endArray();
               if (last) {
                   w.key("usageMetadata")
                       .beginObject()
                       .member("promptTokenCount", 20)
                       .member("candidatesTokenCount", 9);
                   w.member("totalTokenCount", 29).endObject();
               }
               w.member("modelVersion", model).member("responseId", id);
           })
           + "\r\n\r\n";
}

/// A Gemini answer's parts: the thought (empty: none), the call or text, and the empty text part that ends a stream.
struct GeminiParts
{
    QByteArray thought;
    QByteArray answer;
    QByteArray trailer;
};

GeminiParts geminiParts(const ScriptedReply &r)
{
    const ScriptedReasoning &rs = r.reasoning;
    const bool tool = !r.tool.isEmpty();
    GeminiParts p;
    if (rs.thought && !rs.thinking.isEmpty())
        p.thought = obj([&](Writer &w) { w.member("text", rs.thinking).member("thought", true); });
    p.answer = tool ? obj([&](Writer &w) {
        w.key("functionCall").beginObject().member("name", r.tool).memberRaw("args", r.arguments).endObject();
        if (!rs.thoughtSignature.isEmpty())
            w.member("thoughtSignature", rs.thoughtSignature);
    })
                    : obj([&](Writer &w) { w.member("text", r.text); });
    p.trailer = obj([&](Writer &w) {
        w.member("text", "");
        if (!tool && !rs.thoughtSignature.isEmpty())
            w.member("thoughtSignature", rs.thoughtSignature);
    });
    return p;
}

} // namespace

namespace fakescript {

QList<QByteArray> events(const QByteArray &format, const QString &model, const ScriptedReply &r)
{
    const bool tool = !r.tool.isEmpty();
    const QByteArray half1 = r.arguments.left(r.arguments.size() / 2);
    const QByteArray half2 = r.arguments.mid(r.arguments.size() / 2);
    const ScriptedReasoning &rs = r.reasoning;
    QList<QByteArray> ev;
    if (format == "anthropic") {
        ev << sse("message_start", obj([&](Writer &w) {
                      w.member("type", "message_start")
                          .key("message")
                          .beginObject()
                          .member("id", QStringLiteral("msg_") + r.id)
                          .member("type", "message");
                      w.member("role", "assistant")
                          .member("model", model)
                          .key("content")
                          .beginArray()
                          .endArray()
                          .memberNull("stop_reason");
                      w.memberNull("stop_sequence")
                          .key("usage")
                          .beginObject()
                          .member("input_tokens", 20)
                          .member("output_tokens", 1)
                          .endObject()
                          .endObject();
                  }));
        if (r.ping)
            ev << sse("ping", obj([&](Writer &w) { w.member("type", "ping"); }));
        int index = 0;
        if (!rs.thinking.isEmpty()) {
            ev << sse("content_block_start", obj([&](Writer &w) {
                          w.member("type", "content_block_start").member("index", 0).key("content_block").beginObject();
                          w.member("type", "thinking").member("thinking", "").member("signature", "").endObject();
                      }));
            ev << sse("content_block_delta", obj([&](Writer &w) {
                          w.member("type", "content_block_delta").member("index", 0).key("delta").beginObject();
                          w.member("type", "thinking_delta").member("thinking", rs.thinking).endObject();
                      }));
            ev << sse("content_block_delta", obj([&](Writer &w) {
                          w.member("type", "content_block_delta").member("index", 0).key("delta").beginObject();
                          w.member("type", "signature_delta").member("signature", rs.signature).endObject();
                      }));
            ev << sse("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
            index = 1;
        }
        if (tool) {
            ev << sse("content_block_start", obj([&](Writer &w) {
                          w.member("type", "content_block_start").member("index", index).key("content_block");
                          w.beginObject()
                              .member("type", "tool_use")
                              .member("id", r.callId)
                              .member("name", r.tool)
                              .key("input")
                              .beginObject()
                              .endObject()
                              .endObject();
                      }));
            for (const QByteArray &piece : { half1, half2 })
                ev << sse("content_block_delta", obj([&](Writer &w) {
                              w.member("type", "content_block_delta").member("index", index).key("delta").beginObject();
                              w.member("type", "input_json_delta").key("partial_json").stringUtf8(piece).endObject();
                          }));
        } else {
            ev << sse("content_block_start", obj([&](Writer &w) {
                          w.member("type", "content_block_start").member("index", index).key("content_block");
                          w.beginObject().member("type", "text").member("text", "").endObject();
                      }));
            ev << sse("content_block_delta", obj([&](Writer &w) {
                          w.member("type", "content_block_delta").member("index", index).key("delta").beginObject();
                          w.member("type", "text_delta").member("text", r.text).endObject();
                      }));
        }
        ev << sse("content_block_stop",
                  "{\"type\":\"content_block_stop\",\"index\":" + QByteArray::number(index) + '}');
        ev << sse("message_delta", obj(
                                       [&](Writer &w) {
            w.member("type", "message_delta")
                .key("delta")
                .beginObject()
                .member("stop_reason", tool ? "tool_use" : "end_turn");
            w.memberNull("stop_sequence").endObject().key("usage").beginObject().member("output_tokens", 9).endObject();
        }));
        ev << sse("message_stop", "{\"type\":\"message_stop\"}");
    } else if (format == "chat") {
        auto chunk = [&](auto delta, const char *finish) {
            return sse({}, obj([&](Writer &w) {
                           w.member("id", QStringLiteral("chatcmpl-") + r.id)
                               .member("object", "chat.completion.chunk")
                               .member("created", 1700000000)
                               .member("model", model);
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
        ev << chunk([](Writer &w) { w.member("role", "assistant").member("content", ""); }, nullptr);
        if (!rs.thinking.isEmpty())
            ev << chunk([&](Writer &w) { w.member("reasoning_content", rs.thinking); }, nullptr);
        if (tool) {
            ev << chunk(
                [&](Writer &w) {
                w.key("tool_calls")
                    .beginArray()
                    .beginObject()
                    .member("index", 0)
                    .member("id", r.callId)
                    .member("type", "function");
                w.key("function")
                    .beginObject()
                    .member("name", r.tool)
                    .member("arguments", "")
                    .endObject()
                    .endObject()
                    .endArray();
                },
                nullptr);
            for (const QByteArray &piece : { half1, half2 })
                ev << chunk(
                    [&](Writer &w) {
                    w.key("tool_calls").beginArray().beginObject().member("index", 0);
                    w.key("function")
                        .beginObject()
                        .key("arguments")
                        .stringUtf8(piece)
                        .endObject()
                        .endObject()
                        .endArray();
                    },
                    nullptr);
            ev << chunk([](Writer &) {}, "tool_calls");
        } else {
            ev << chunk([&](Writer &w) { w.member("content", r.text); }, nullptr);
            ev << chunk([](Writer &) {}, "stop");
        }
        ev << sse({}, obj([&](Writer &w) {
                      w.member("id", QStringLiteral("chatcmpl-") + r.id)
                          .member("object", "chat.completion.chunk")
                          .member("created", 1700000000)
                          .member("model", model);
                      w.key("choices")
                          .beginArray()
                          .endArray()
                          .key("usage")
                          .beginObject()
                          .member("prompt_tokens", 20)
                          .member("completion_tokens", 9);
                      w.member("total_tokens", 29).endObject();
                  }));
        ev << "data: [DONE]\n\n";
    } else if (format == "responses") {
        int seq = 0;
        auto event = [&](const char *type, auto members) {
            return sse(type, obj([&](Writer &w) {
                           w.key("type").string(QLatin1StringView(type)).member("sequence_number", seq++);
                           members(w);
                       }));
        };
        auto response = [&](Writer &w, const char *status, const QByteArray &output) {
            w.key("response")
                .beginObject()
                .member("id", QStringLiteral("resp_") + r.id)
                .member("object", "response")
                .member("created_at", 1700000000);
            w.member("status", status).member("model", model).memberRaw("output", output);
            if (QByteArray(status) == "completed")
                w.key("usage")
                    .beginObject()
                    .member("input_tokens", 20)
                    .member("output_tokens", 9)
                    .member("total_tokens", 29)
                    .endObject();
            w.endObject();
        };
        ev << event("response.created", [&](Writer &w) { response(w, "in_progress", "[]"); });
        int out = 0;
        QByteArray reasoning; // the reasoning item, done
        if (!rs.reasoningId.isEmpty()) {
            reasoning = reasoningItem(rs, true);
            ev << event("response.output_item.added",
                        [&](Writer &w) { w.member("output_index", 0).memberRaw("item", reasoningItem(rs, false)); });
            if (!rs.thinking.isEmpty()) {
                auto summary = [&](Writer &w) {
                    w.member("item_id", rs.reasoningId).member("output_index", 0).member("summary_index", 0);
                };
                ev << event("response.reasoning_summary_part.added", [&](Writer &w) {
                    summary(w);
                    w.key("part").beginObject().member("type", "summary_text").member("text", "").endObject();
                });
                ev << event("response.reasoning_summary_text.delta", [&](Writer &w) {
                    summary(w);
                    w.member("delta", rs.thinking);
                });
                ev << event("response.reasoning_summary_text.done", [&](Writer &w) {
                    summary(w);
                    w.member("text", rs.thinking);
                });
                ev << event("response.reasoning_summary_part.done", [&](Writer &w) {
                    summary(w);
                    w.key("part").beginObject().member("type", "summary_text").member("text", rs.thinking);
                    w.endObject();
                });
            }
            ev << event("response.output_item.done",
                        [&](Writer &w) { w.member("output_index", 0).memberRaw("item", reasoning); });
            out = 1;
        }
        QByteArray item;
        if (tool) {
            item = obj([&](Writer &w) {
                w.member("id", QStringLiteral("fc_") + r.id)
                    .member("type", "function_call")
                    .member("status", "completed")
                    .key("arguments")
                    .stringUtf8(r.arguments);
                w.member("call_id", r.callId).member("name", r.tool);
            });
            ev << event("response.output_item.added", [&](Writer &w) {
                w.member("output_index", out)
                    .key("item")
                    .beginObject()
                    .member("id", QStringLiteral("fc_") + r.id)
                    .member("type", "function_call");
                w.member("status", "in_progress")
                    .member("arguments", "")
                    .member("call_id", r.callId)
                    .member("name", r.tool)
                    .endObject();
            });
            for (const QByteArray &piece : { half1, half2 })
                ev << event("response.function_call_arguments.delta", [&](Writer &w) {
                    w.member("item_id", QStringLiteral("fc_") + r.id)
                        .member("output_index", out)
                        .key("delta")
                        .stringUtf8(piece);
                });
            ev << event("response.function_call_arguments.done", [&](Writer &w) {
                w.member("item_id", QStringLiteral("fc_") + r.id)
                    .member("output_index", out)
                    .key("arguments")
                    .stringUtf8(r.arguments);
            });
        } else {
            item = obj([&](Writer &w) {
                w.member("id", QStringLiteral("msg_") + r.id)
                    .member("type", "message")
                    .member("status", "completed")
                    .key("content")
                    .beginArray();
                w.beginObject()
                    .member("type", "output_text")
                    .key("annotations")
                    .beginArray()
                    .endArray()
                    .member("text", r.text)
                    .endObject();
                w.endArray().member("role", "assistant");
            });
            ev << event("response.output_item.added", [&](Writer &w) {
                w.member("output_index", out)
                    .key("item")
                    .beginObject()
                    .member("id", QStringLiteral("msg_") + r.id)
                    .member("type", "message");
                w.member("status", "in_progress")
                    .key("content")
                    .beginArray()
                    .endArray()
                    .member("role", "assistant")
                    .endObject();
            });
            // OpenAI's grammar: the part opens before its first delta and closes after its text is done (the
            // OpenAI SDK's ResponseStream refuses a delta for a part it has not seen).
            auto part = [&](Writer &w, const QString &text) {
                w.key("part").beginObject().member("type", "output_text").key("annotations").beginArray().endArray();
                w.member("text", text).endObject();
            };
            ev << event("response.content_part.added", [&](Writer &w) {
                w.member("item_id", QStringLiteral("msg_") + r.id)
                    .member("output_index", out)
                    .member("content_index", 0);
                part(w, QString());
            });
            ev << event("response.output_text.delta", [&](Writer &w) {
                w.member("item_id", QStringLiteral("msg_") + r.id)
                    .member("output_index", out)
                    .member("content_index", 0)
                    .member("delta", r.text);
            });
            ev << event("response.output_text.done", [&](Writer &w) {
                w.member("item_id", QStringLiteral("msg_") + r.id)
                    .member("output_index", out)
                    .member("content_index", 0)
                    .member("text", r.text);
            });
            ev << event("response.content_part.done", [&](Writer &w) {
                w.member("item_id", QStringLiteral("msg_") + r.id)
                    .member("output_index", out)
                    .member("content_index", 0);
                part(w, r.text);
            });
        }
        ev << event("response.output_item.done",
                    [&](Writer &w) { w.member("output_index", out).memberRaw("item", item); });
        ev << event("response.completed", [&](Writer &w) {
            response(w, "completed", "[" + (reasoning.isEmpty() ? QByteArray() : reasoning + ',') + item + "]");
        });
    } else { // gemini
        // The thought (when asked for), the answer, then (as Gemini does) a last chunk with an empty text part, the
        // finish reason and usage; a text answer's signature comes on that last part, as Gemini 3 streams it.
        const GeminiParts p = geminiParts(r);
        if (!p.thought.isEmpty())
            ev << geminiChunk(model, r.id, "[" + p.thought + "]", false);
        ev << geminiChunk(model, r.id, "[" + p.answer + "]", false);
        ev << geminiChunk(model, r.id, "[" + p.trailer + "]", true);
    }
    return ev;
}

QByteArray body(const QByteArray &format, const QString &model, const ScriptedReply &r)
{
    const bool tool = !r.tool.isEmpty();
    const ScriptedReasoning &rs = r.reasoning;
    if (format == "anthropic")
        return obj([&](Writer &w) {
            w.member("id", QStringLiteral("msg_") + r.id)
                .member("type", "message")
                .member("role", "assistant")
                .member("model", model)
                .key("content")
                .beginArray();
            if (!rs.thinking.isEmpty())
                w.beginObject()
                    .member("type", "thinking")
                    .member("thinking", rs.thinking)
                    .member("signature", rs.signature)
                    .endObject();
            if (tool)
                w.beginObject()
                    .member("type", "tool_use")
                    .member("id", r.callId)
                    .member("name", r.tool)
                    .memberRaw("input", r.arguments)
                    .endObject();
            else
                w.beginObject().member("type", "text").member("text", r.text).endObject();
            w.endArray().member("stop_reason", tool ? "tool_use" : "end_turn").memberNull("stop_sequence");
            w.key("usage").beginObject().member("input_tokens", 20).member("output_tokens", 9).endObject();
        });
    if (format == "chat")
        return obj([&](Writer &w) {
            w.member("id", QStringLiteral("chatcmpl-") + r.id)
                .member("object", "chat.completion")
                .member("created", 1700000000)
                .member("model", model);
            w.key("choices")
                .beginArray()
                .beginObject()
                .member("index", 0)
                .key("message")
                .beginObject()
                .member("role", "assistant");
            if (tool) {
                w.memberNull("content")
                    .key("tool_calls")
                    .beginArray()
                    .beginObject()
                    .member("id", r.callId)
                    .member("type", "function");
                w.key("function")
                    .beginObject()
                    .member("name", r.tool)
                    .key("arguments")
                    .stringUtf8(r.arguments)
                    .endObject()
                    .endObject()
                    .endArray();
            } else {
                w.member("content", r.text);
            }
            if (!rs.thinking.isEmpty())
                w.member("reasoning_content", rs.thinking);
            w.endObject().member("finish_reason", tool ? "tool_calls" : "stop").endObject().endArray();
            w.key("usage")
                .beginObject()
                .member("prompt_tokens", 20)
                .member("completion_tokens", 9)
                .member("total_tokens", 29)
                .endObject();
        });
    if (format == "responses")
        return obj([&](Writer &w) {
            w.member("id", QStringLiteral("resp_") + r.id)
                .member("object", "response")
                .member("created_at", 1700000000)
                .member("status", "completed");
            w.member("model", model).key("output").beginArray();
            if (!rs.reasoningId.isEmpty())
                w.raw(reasoningItem(rs, true));
            w.beginObject();
            if (tool) {
                w.member("id", QStringLiteral("fc_") + r.id)
                    .member("type", "function_call")
                    .member("status", "completed")
                    .key("arguments")
                    .stringUtf8(r.arguments);
                w.member("call_id", r.callId).member("name", r.tool);
            } else {
                w.member("id", QStringLiteral("msg_") + r.id)
                    .member("type", "message")
                    .member("status", "completed")
                    .key("content")
                    .beginArray();
                w.beginObject()
                    .member("type", "output_text")
                    .key("annotations")
                    .beginArray()
                    .endArray()
                    .member("text", r.text)
                    .endObject();
                w.endArray().member("role", "assistant");
            }
            w.endObject().endArray();
            w.key("usage")
                .beginObject()
                .member("input_tokens", 20)
                .member("output_tokens", 9)
                .member("total_tokens", 29)
                .endObject();
        });
    // Gemini: the answer's chunk without "data: " and "\r\n\r\n"; with reasoning state, all parts in one last chunk.
    const GeminiParts p = geminiParts(r);
    if (p.thought.isEmpty() && rs.thoughtSignature.isEmpty()) {
        const QByteArray chunk = geminiChunk(model, r.id, "[" + p.answer + "]", false);
        return chunk.mid(6, chunk.size() - 10);
    }
    QByteArray parts = "[";
    if (!p.thought.isEmpty())
        parts += p.thought + ',';
    parts += tool ? p.answer
                  : obj([&](Writer &w) { w.member("text", r.text).member("thoughtSignature", rs.thoughtSignature); });
    const QByteArray chunk = geminiChunk(model, r.id, parts + "]", true);
    return chunk.mid(6, chunk.size() - 10);
}

} // namespace fakescript
