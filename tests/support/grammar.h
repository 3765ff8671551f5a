#pragma once
// Stream grammar checkers: does a byte stream follow the event grammar its clients expect?

#include "formats/wireformat.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>

/// Returns an empty string when `stream` is a complete, well-formed stream of `format`, else what is wrong.
/// Anthropic: message_start first; per block start / deltas of the block's type / stop with contiguous indexes;
/// a tool block starts with input {} and gets input_json_delta; thinking ends with signature_delta;
/// message_delta with stop_reason, then message_stop last. Chat: assistant role first, tool calls introduced
/// with id and name, one finish_reason, [DONE] last. Responses: response.created first, increasing
/// sequence_number, items added before their deltas and done, response.completed/incomplete last.
/// Gemini: every event a JSON chunk with candidates (or an error), the last with a finishReason.
QString checkStreamGrammar(d2a::WireFormat format, const QByteArray &stream);
