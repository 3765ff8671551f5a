#pragma once
// Internal to formats/anthropic/: content blocks, finish reasons and usage, shared by requests, answers and
// streams.

#include "../formats_p.h"

namespace d2a::fmt::anthropic {

/// Reads one content block (a string is a text block) at `where` into `out`. Blocks another format cannot
/// carry are left out and named in `dropped`; a block whose loss would change the request's meaning (a
/// document the user attached) is an error.
std::optional<Error> readBlock(const Value &v, const Where &where, QList<ir::Part> *out, QStringList *dropped);
/// Writes one part as a content block, keys in Anthropic's order; `cacheControl` (JSON object text) marks
/// it as a prompt-cache breakpoint.
void writeBlock(Writer &w, const ir::Part &p, QByteArrayView cacheControl = {});
ir::Finish finishOf(QStringView stopReason);
ir::Usage usageOf(const Value &usage);
void writeUsage(Writer &w, const ir::Usage &u);
/// The 400 for a Messages `thread` (Factory keeps no threads), with the code the Anthropic SDK falls back on.
std::optional<Error> refuseThread(const Value &body);

/// A finish reason as this format names it (stop_reason).
QString finishName(ir::Finish finish);

} // namespace d2a::fmt::anthropic
