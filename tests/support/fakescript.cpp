#include "fakescript.h"

#include "json/jsonwriter.h"

using d2a::json::Writer;

namespace {

QByteArray sse(const QByteArray &event, const QByteArray &data)
{
    return (event.isEmpty() ? QByteArray() : "event: " + event + '\n') + "data: " + data + "\n\n";
}

template<typename F> QByteArray obj(F f)
{
    QByteArray out;
    Writer w(&out);
    w.beginObject();
    f(w);
    w.endObject();
    return out;
}

} // namespace

namespace fakescript {

QList<QByteArray> events(const QByteArray &format, const QString &model, const ScriptedReply &r)
{
    const bool tool = !r.tool.isEmpty();
    const QByteArray half1 = r.arguments.left(r.arguments.size() / 2);
    const QByteArray half2 = r.arguments.mid(r.arguments.size() / 2);
    QList<QByteArray> ev;
    if (format == "anthropic") {
        ev << sse("message_start", obj([&](Writer &w) {
                      w.member("type", "message_start")
                          .key("message")
                          .beginObject()
                          .member("id", "msg_script")
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
        if (tool) {
            ev << sse("content_block_start", obj([&](Writer &w) {
                          w.member("type", "content_block_start").member("index", 0).key("content_block").beginObject();
                          w.member("type", "tool_use")
                              .member("id", r.callId)
                              .member("name", r.tool)
                              .key("input")
                              .beginObject()
                              .endObject()
                              .endObject();
                      }));
            for (const QByteArray &piece : { half1, half2 })
                ev << sse("content_block_delta", obj([&](Writer &w) {
                              w.member("type", "content_block_delta").member("index", 0).key("delta").beginObject();
                              w.member("type", "input_json_delta").key("partial_json").stringUtf8(piece).endObject();
                          }));
        } else {
            ev << sse("content_block_start", obj([&](Writer &w) {
                          w.member("type", "content_block_start").member("index", 0).key("content_block").beginObject();
                          w.member("type", "text").member("text", "").endObject();
                      }));
            ev << sse("content_block_delta", obj([&](Writer &w) {
                          w.member("type", "content_block_delta").member("index", 0).key("delta").beginObject();
                          w.member("type", "text_delta").member("text", r.text).endObject();
                      }));
        }
        ev << sse("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
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
                           w.member("id", "chatcmpl-script")
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
                      w.member("id", "chatcmpl-script")
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
                .member("id", "resp_script")
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
        QByteArray item;
        if (tool) {
            item = obj([&](Writer &w) {
                w.member("id", "fc_script")
                    .member("type", "function_call")
                    .member("status", "completed")
                    .key("arguments")
                    .stringUtf8(r.arguments);
                w.member("call_id", r.callId).member("name", r.tool);
            });
            ev << event("response.output_item.added", [&](Writer &w) {
                w.member("output_index", 0)
                    .key("item")
                    .beginObject()
                    .member("id", "fc_script")
                    .member("type", "function_call");
                w.member("status", "in_progress")
                    .member("arguments", "")
                    .member("call_id", r.callId)
                    .member("name", r.tool)
                    .endObject();
            });
            for (const QByteArray &piece : { half1, half2 })
                ev << event("response.function_call_arguments.delta", [&](Writer &w) {
                    w.member("item_id", "fc_script").member("output_index", 0).key("delta").stringUtf8(piece);
                });
            ev << event("response.function_call_arguments.done", [&](Writer &w) {
                w.member("item_id", "fc_script").member("output_index", 0).key("arguments").stringUtf8(r.arguments);
            });
        } else {
            item = obj([&](Writer &w) {
                w.member("id", "msg_script")
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
                w.member("output_index", 0)
                    .key("item")
                    .beginObject()
                    .member("id", "msg_script")
                    .member("type", "message");
                w.member("status", "in_progress")
                    .key("content")
                    .beginArray()
                    .endArray()
                    .member("role", "assistant")
                    .endObject();
            });
            ev << event("response.output_text.delta", [&](Writer &w) {
                w.member("item_id", "msg_script")
                    .member("output_index", 0)
                    .member("content_index", 0)
                    .member("delta", r.text);
            });
        }
        ev << event("response.output_item.done",
                    [&](Writer &w) { w.member("output_index", 0).memberRaw("item", item); });
        ev << event("response.completed", [&](Writer &w) { response(w, "completed", "[" + item + "]"); });
    } else { // gemini
        const QByteArray part = tool ? obj([&](Writer &w) {
            w.key("functionCall").beginObject().member("name", r.tool).memberRaw("args", r.arguments).endObject();
        })
                                     : obj([&](Writer &w) { w.member("text", r.text); });
        // The answer, then (as Gemini does) a last chunk with an empty text part, the finish reason and usage.
        ev << "data: " + obj([&](Writer &w) {
                  w.key("candidates")
                      .beginArray()
                      .beginObject()
                      .key("content")
                      .beginObject()
                      .key("parts")
                      .raw(QByteArray("[" + part + "]"));
                  w.member("role", "model").endObject().member("index", 0).endObject().endArray();
                  w.member("modelVersion", model).member("responseId", "script");
              }) + "\r\n\r\n";
        ev << "data: " + obj([&](Writer &w) {
                  w.key("candidates")
                      .beginArray()
                      .beginObject()
                      .key("content")
                      .beginObject()
                      .key("parts")
                      .raw(R"([{"text":""}])");
                  w.member("role", "model")
                      .endObject()
                      .member("finishReason", "STOP")
                      .member("index", 0)
                      .endObject()
                      .endArray();
                  w.key("usageMetadata")
                      .beginObject()
                      .member("promptTokenCount", 20)
                      .member("candidatesTokenCount", 9)
                      .member("totalTokenCount", 29)
                      .endObject();
                  w.member("modelVersion", model).member("responseId", "script");
              }) + "\r\n\r\n";
    }
    return ev;
}

QByteArray body(const QByteArray &format, const QString &model, const ScriptedReply &r)
{
    const bool tool = !r.tool.isEmpty();
    if (format == "anthropic")
        return obj([&](Writer &w) {
            w.member("id", "msg_script")
                .member("type", "message")
                .member("role", "assistant")
                .member("model", model)
                .key("content")
                .beginArray();
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
            w.member("id", "chatcmpl-script")
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
            w.member("id", "resp_script")
                .member("object", "response")
                .member("created_at", 1700000000)
                .member("status", "completed");
            w.member("model", model).key("output").beginArray().beginObject();
            if (tool) {
                w.member("id", "fc_script")
                    .member("type", "function_call")
                    .member("status", "completed")
                    .key("arguments")
                    .stringUtf8(r.arguments);
                w.member("call_id", r.callId).member("name", r.tool);
            } else {
                w.member("id", "msg_script")
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
    const QByteArray event = events(format, model, r).first();
    return event.mid(6, event.size() - 10); // gemini: the one chunk, without "data: " and "\r\n\r\n"
}

} // namespace fakescript
