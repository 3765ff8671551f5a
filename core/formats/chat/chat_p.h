#pragma once
// Internal to formats/chat/: message content, reasoning, finish reasons and usage of Chat Completions.

#include "../formats_p.h"

namespace d2a::fmt::chat {

/// Reads a message's content (a string, null, or an array of text/image parts) at `where` into `out`. Parts
/// no other format can carry are named in `dropped`; audio and files (the user's input) are an error.
std::optional<Error> readContent(const Value &content, const Where &where, QList<ir::Part> *out, QStringList *dropped);
/// Chat's reasoning_content as a thinking part (Chat carries no signature).
ir::Part reasoningPart(const QString &text);
ir::Finish finishOf(QStringView reason);
ir::Usage usageOf(const Value &usage);
void writeUsage(Writer &w, const ir::Usage &u);

/// A finish reason as this format names it (finish_reason).
QString finishName(ir::Finish finish);

} // namespace d2a::fmt::chat
