#pragma once
// Internal to formats/gemini/: parts, finish reasons, usage and schemas of Gemini generateContent.

#include "../formats_p.h"

namespace d2a::fmt::gemini {

ir::Finish finishOf(QStringView reason);
ir::Usage usageOf(const Value &usage);
void writeUsage(Writer &w, const ir::Usage &u);
/// Reads a model turn's parts; function calls get ids (Gemini's are optional) so tool results can refer to them.
void readParts(const Value &parts, QList<ir::Part> *out, int *callCounter);
void readPart(const Value &part, QList<ir::Part> *out, int *callCounter);
/// Writes one part; false (nothing written) for parts Gemini has no form for.
bool writePart(Writer &w, const ir::Part &p);
/// A chunk: {"candidates":[{"content":{"role":"model","parts":<parts>},"finishReason":..,"index":0}],
/// "usageMetadata":..,"modelVersion":..,"responseId":..}; `parts` is the parts array's JSON text.
void writeChunk(Writer &w, QByteArrayView parts, const QString &finish, const ir::Usage *usage, const QString &model,
                const QString &responseId = {});
/// A JSON Schema as Gemini accepts it, in the client's key order: keys Gemini rejects dropped, ["x","null"]
/// types as nullable, anyOf for oneOf/allOf, and propertyOrdering set to the client's order of properties
/// (Gemini orders properties alphabetically otherwise).
void writeSchema(Writer &w, const Value &schema);
/// A schema in Google's OpenAPI subset (generationConfig.responseSchema) as JSON Schema, for other formats.
json::Fragment jsonSchemaOf(const Value &openApiSchema);

/// A finish reason as this format names it (finishReason).
QString finishName(ir::Finish finish);

} // namespace d2a::fmt::gemini
