#pragma once
// Internal to formats/responses/: input and output items, usage, and the response object of OpenAI Responses.

#include "../formats_p.h"

namespace d2a::fmt::responses {

/// Reads message content (a string, or input_text/output_text/refusal/input_image parts) into `out`. Parts no
/// other format can carry are named in `dropped`; files (the user's input) are an error.
std::optional<Error> readContent(const Value &content, const Where &where, QList<ir::Part> *out, QStringList *dropped);
/// A function_call or custom_tool_call item (input history or output) as a tool-call part: a namespaced call
/// gets its flattened name, a custom call's input becomes the arguments {"input": "..."}.
ir::Part functionCallPart(const Value &item);
/// A `custom` (freeform) tool as a function with one string parameter, `input`, described by the tool's
/// grammar or format.
ir::Tool freeformTool(const Value &tool);
/// A tool call as the Responses client knows it: back inside its namespace, or as a custom (freeform) call,
/// when the request's tools say so.
ir::Part clientCall(const ir::Part &call, const QList<ir::Tool> &tools);
/// A reasoning item (input history or output) as a thinking part: OpenAI's own (the item's JSON text is its
/// state), or another vendor's carried in an envelope.
ir::Part reasoningPart(const Value &item);
ir::Usage usageOf(const Value &usage);
void writeUsage(Writer &w, const ir::Usage &u);

// Output items, keys in OpenAI's order.
void writeMessageItem(Writer &w, const QString &id, const QString &text, bool inProgress);
/// A function_call item, or a custom_tool_call for a freeform call (then `input` is the call's input text).
void writeCallItem(Writer &w, const QString &id, const ir::Part &call, bool inProgress);
/// The input text of a freeform call from its arguments {"input": "..."}.
QString freeformInput(const QString &arguments);
void writeReasoningItem(Writer &w, const QString &id, const QString &summary, const QString &encrypted);
/// The response object; `output` is the output array's JSON text; `error` makes it a failed one.
void writeResponseObject(Writer &w, const QString &id, const QString &model, QLatin1StringView status,
                         QByteArrayView output, const ir::Usage *usage, ir::Finish finish, qint64 created,
                         const Error *error = nullptr);

/// A finish reason as this format names it (incomplete_details.reason (empty: complete)).
QString finishName(ir::Finish finish);

} // namespace d2a::fmt::responses
