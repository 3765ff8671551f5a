#pragma once
// What the vendors document they check about reasoning state and tool history, with their real error texts
// and error shapes, for the fake upstream: a proxy that loses a signature, forges one, carries one to another
// model or breaks the pairing of tool calls and results gets the 400 the real API would give.
//
// Signatures the fake issues are verifiable without state: base64 of "d2a1|tag|model|extra|mac", where mac is
// a hash of a fixed secret, the tag, the model, the extra field (an item id, a nonce) and the signed content
// (an Anthropic thinking text), so a changed thinking text, another item id or another tag fails.
//
// Anthropic (Messages): thinking signatures and redacted_thinking data the fake issued, tool_use id pattern,
// tool_result ids answering the previous assistant message, a final assistant message that starts with thinking
// when thinking is on and the last user message carries tool results.
// OpenAI Responses: reasoning items under store:false need encrypted_content the fake issued for that item id;
// each function_call_output needs an earlier function_call; call_id at most 64 characters.
// Chat Completions: tool messages answer the preceding assistant's tool_calls, every call is answered, ids at
// most 40 characters.
// Gemini (models whose id contains "google" or "gemini", all treated as Gemini 3): the first functionCall of each
// model content of the current turn needs a thoughtSignature; every other signature must be the fake's for this
// model (or a documented dummy); function responses match the calls they answer in number.

#include <QtCore/qbytearray.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qstring.h>

#include <optional>

namespace vendorchecks {

/// A signature of `content` under `tag` for `model` (`extra`: an item id or a nonce; no '|' in model or extra).
QString sign(const QString &tag, const QString &model, const QString &extra, const QString &content);

struct Signed
{
    QString model;
    QString extra;
};
/// The fields of `token` when it is a signature the fake issued under `tag` for exactly `content`.
std::optional<Signed> verify(const QString &token, const QString &tag, const QString &content);

QString anthropicThinkingSignature(const QString &model, const QString &thinking);
QString anthropicRedactedData(const QString &model, const QString &nonce);
QString responsesEncryptedContent(const QString &model, const QString &itemId);
QString geminiThoughtSignature(const QString &model, const QString &nonce);

struct Rejection
{
    int status = 400;
    QByteArray body; ///< the vendor's error shape
    QString message;
};

/// The vendor's refusal of `body` sent to `path` (the format is the path's), or nothing when it passes.
std::optional<Rejection> check(const QByteArray &path, const QJsonObject &body);

} // namespace vendorchecks
