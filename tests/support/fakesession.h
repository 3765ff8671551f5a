#pragma once
// The fake upstream's session models (sess-anthropic, sess-openai, sess-common, sess-google, sess-google-b):
// multi-turn conversations that a test can switch between models midway. The first user message names the
// scenario ("scenario:reasoning", "scenario:tools", "scenario:parallel"); the answer depends only on the history
// the request carries, so a proxy that loses or garbles history is seen in the answer:
//   reasoning  thinking + "Answer N" (N: user text messages so far)
//   tools      while fewer than 2 tool-call steps follow the last user text: thinking + one call of `run`
//              {"step":S}; then thinking + "Done after 2 steps"
//   parallel   the same with two calls per step, {"step":S,"part":1} and {"step":S,"part":2}
// Thinking comes in each vendor's own way with state the fake can verify (see vendorchecks.h): an Anthropic
// thinking block with its signature when the request enables thinking; a Responses reasoning item (encrypted_content
// when `include` asks for it); Chat reasoning_content; a Gemini thought part when thinkingConfig.includeThoughts,
// and always a thoughtSignature (signed for the model) on the first function call and on the last text part.
// Answers are written in each API's exact grammar (json::Writer, the vendors' key order), streamed or whole.

#include "fakescript.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>

namespace fakesession {

bool isSessionModel(const QString &model);

/// The SSE events (with their blank lines) answering `body` of `format` ("anthropic", "responses", "chat",
/// "gemini"); `serial` makes the ids of this answer unique.
QList<QByteArray> events(const QByteArray &format, const QString &model, const QJsonObject &body, int serial);
/// The same answer whole (application/json).
QByteArray body(const QByteArray &format, const QString &model, const QJsonObject &body, int serial);

/// The reasoning state the vendor of `format` returns with its answer to `body` (see above): `thinking` as the
/// request asks for it, signed for `model`, its ids made from `seed` (unique per answer). The agent rule of the
/// fake upstream gives its answers the same.
ScriptedReasoning reasoningFor(const QByteArray &format, const QString &model, const QJsonObject &body,
                               const QString &thinking, const QString &seed);

} // namespace fakesession
