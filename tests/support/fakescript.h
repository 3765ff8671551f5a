#pragma once
// Scripted answers of the fake upstream, written in each API's exact grammar with json::Writer (never
// re-sorted): a text answer, or a call of a named tool with arguments kept byte for byte, optionally after the
// reasoning state a vendor issues (ScriptedReasoning). Tests and the agent end-to-end matrix use them to make
// "the model" call a shell tool, then answer after the result.

#include "json/jsonwriter.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>

/// Reasoning state an answer carries before its text or call, each API its own way (empty: none). The fake's
/// session models and its agent rule fill it signed (fakesession::reasoningFor, tests/support/vendorchecks.h).
struct ScriptedReasoning
{
    QString thinking; ///< Anthropic thinking, Responses summary, Chat reasoning_content, Gemini thought text
    QString signature; ///< Anthropic: a thinking block with this signature (empty: no block)
    QString reasoningId; ///< Responses: a reasoning item with this id (empty: no item)
    QString encryptedContent; ///< Responses: its encrypted_content (empty: none)
    bool thought = false; ///< Gemini: a thought part with the thinking
    QString thoughtSignature; ///< Gemini: on the first functionCall part, or on the answer's last (empty) text part
};

struct ScriptedReply
{
    QString text; ///< a text answer (when tool is empty)
    QString tool; ///< the tool to call
    QByteArray arguments = "{}"; ///< its arguments, JSON object text as "the model" writes it
    QString callId = QStringLiteral("call_scripted_1");
    QString id = QStringLiteral("script"); ///< the answer's ids: msg_<id>, resp_<id>, chatcmpl-<id>, fc_<id>, <id>
    bool ping = false; ///< Anthropic streams: a ping event after message_start, as Anthropic's API sends
    ScriptedReasoning reasoning {};
};

namespace fakescript {
/// One SSE event: "event: <event>\n" when given, "data: <data>", the blank line.
inline QByteArray sse(const QByteArray &event, const QByteArray &data)
{
    return (event.isEmpty() ? QByteArray() : "event: " + event + '\n') + "data: " + data + "\n\n";
}
/// A JSON object written by `f` with the project's writer (the vendors' key order, never re-sorted).
template<typename F> QByteArray obj(F f)
{
    QByteArray out;
    d2a::json::Writer w(&out);
    w.beginObject();
    f(w);
    w.endObject();
    return out;
}
/// SSE events ("anthropic", "responses", "chat", "gemini") with their blank lines.
QList<QByteArray> events(const QByteArray &format, const QString &model, const ScriptedReply &reply);
/// The same answer whole (application/json).
QByteArray body(const QByteArray &format, const QString &model, const ScriptedReply &reply);
} // namespace fakescript
