#pragma once
// Internal to formats/anthropic/: content blocks, finish reasons and usage, shared by requests, answers and
// streams.

#include "../formats_p.h"

namespace d2a::fmt::anthropic {

/// Reads one content block (a string is a text block) at `where` into `out`.
std::optional<Error> readBlock(const Value &v, const QString &where, QList<ir::Part> *out);
/// Writes one part as a content block, keys in Anthropic's order.
void writeBlock(Writer &w, const ir::Part &p);
ir::Finish finishOf(QStringView stopReason);
ir::Usage usageOf(const Value &usage);
void writeUsage(Writer &w, const ir::Usage &u);

} // namespace d2a::fmt::anthropic
