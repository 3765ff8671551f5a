#pragma once
// Renders an Error in each client API's own error shape; the only code that knows those shapes.

#include "../error.h"
#include "wireformat.h"

#include <QtCore/qbytearray.h>

namespace d2a {

/// JSON body of an error response in `format` (OpenAI {error:{message,type,code}}, Anthropic
/// {type:"error",error:{type,message}}, Gemini {error:{code,message,status}}).
QByteArray renderErrorBody(WireFormat format, const Error &error);

/// One SSE event that reports `error` in the middle of a stream, in the client's event grammar.
QByteArray renderStreamError(WireFormat format, const Error &error);

/// What keeps a silent stream of `format` alive in that client's grammar: Anthropic's ping event; a blank line
/// for Gemini (the @google/genai parser in Gemini CLI fails on SSE comment lines); an SSE comment otherwise.
QByteArray keepAliveEvent(WireFormat format);

/// Best-effort message from an upstream error body (JSON of any of the four shapes, or plain text), bounded.
QString upstreamErrorMessage(const QByteArray &body);

/// The vendor error type in an upstream body, if any (e.g. Anthropic "overloaded_error").
QByteArray upstreamErrorType(const QByteArray &body);

} // namespace d2a
