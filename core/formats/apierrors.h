#pragma once
// Errors in each client API's own shape: the registry's renderer of each format (formats/<format>/format.cpp),
// and what is read from an upstream's error body.

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

/// True when an upstream error body already has the error shape of `format` (it is kept verbatim then).
bool isOwnErrorShape(WireFormat format, const QByteArray &body);

/// Best-effort message from an upstream error body (JSON of any of the four shapes, or plain text), bounded.
QString upstreamErrorMessage(const QByteArray &body);

/// The vendor error type in an upstream body, if any (e.g. Anthropic "overloaded_error").
QByteArray upstreamErrorType(const QByteArray &body);

} // namespace d2a
