#pragma once
// Internal to formats/responses/: input and output items, usage, and the response object of OpenAI Responses.

#include "../formats_p.h"

namespace d2a::fmt::responses {

/// Reads message content (a string, or input_text/output_text/refusal/input_image parts) into `out`.
std::optional<Error> readContent(const Value &content, const QString &where, QList<ir::Part> *out);
/// A function_call item (input history or output) as a tool-call part.
ir::Part functionCallPart(const Value &item);
/// A reasoning item (input history or output) as a thinking part; encrypted_content is its signature.
ir::Part reasoningPart(const Value &item);
ir::Usage usageOf(const Value &usage);
void writeUsage(Writer &w, const ir::Usage &u);

// Output items, keys in OpenAI's order.
void writeMessageItem(Writer &w, const QString &id, const QString &text, bool inProgress);
void writeCallItem(Writer &w, const QString &id, const ir::Part &call, bool inProgress);
void writeReasoningItem(Writer &w, const QString &id, const QString &summary, const QString &encrypted);
/// The response object; `output` is the output array's JSON text.
void writeResponseObject(Writer &w, const QString &id, const QString &model, QLatin1StringView status, QByteArrayView output,
                         const ir::Usage *usage, ir::Finish finish, qint64 created);

} // namespace d2a::fmt::responses
