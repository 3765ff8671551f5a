#pragma once
// Scripted answers of the fake upstream, written in each API's exact grammar with json::Writer (never
// re-sorted): a text answer, or a call of a named tool with arguments kept byte for byte. Tests and the agent
// end-to-end matrix use them to make "the model" call a shell tool, then answer after the result.

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>

struct ScriptedReply
{
    QString text; ///< a text answer (when tool is empty)
    QString tool; ///< the tool to call
    QByteArray arguments = "{}"; ///< its arguments, JSON object text as "the model" writes it
    QString callId = QStringLiteral("call_scripted_1");
    bool ping = false; ///< Anthropic streams: a ping event after message_start, as Anthropic's API sends
};

namespace fakescript {
/// SSE events ("anthropic", "responses", "chat", "gemini") with their blank lines.
QList<QByteArray> events(const QByteArray &format, const QString &model, const ScriptedReply &reply);
/// The same answer whole (application/json).
QByteArray body(const QByteArray &format, const QString &model, const ScriptedReply &reply);
} // namespace fakescript
