#pragma once
// Errors in each client API's own shape: the registry's renderer of each format (formats/<format>/format.cpp),
// and what is read from an upstream's error body.

#include "../error.h"
#include "wireformat.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qjsonobject.h>

namespace d2a {

/// JSON body of an error response in `format` (OpenAI {error:{message,type,code}}, Anthropic
/// {type:"error",error:{type,message}}, Gemini {error:{code,message,status}}).
QByteArray renderErrorBody(WireFormat format, const Error &error);

/// One SSE event that reports `error` in the middle of a stream, in the client's event grammar.
QByteArray renderStreamError(WireFormat format, const Error &error);

/// What keeps a silent stream of `format` alive in that client's grammar: Anthropic's ping event; a blank line
/// for Gemini (the @google/genai parser in Gemini CLI fails on SSE comment lines); an SSE comment otherwise.
QByteArray keepAliveEvent(WireFormat format);

/// An upstream's error body, read once: what the retry, fallback and refusal decisions and the client's error
/// need of it.
struct UpstreamError
{
    /// Best-effort message (JSON of any of the four shapes, or plain text), redacted and bounded.
    QString message;
    QByteArray type; ///< the vendor error type, if any (e.g. Anthropic "overloaded_error")
    QJsonObject object; ///< the body as a JSON object; empty when it is none
};

/// Reads an upstream error body (parsed once).
UpstreamError readUpstreamError(const QByteArray &body);

/// True when an upstream error already has the error shape of `format` (its body is kept verbatim then).
bool isOwnErrorShape(WireFormat format, const UpstreamError &error);

} // namespace d2a
