#pragma once
// The passthrough edits of droid2api 0.1 (QJson round trip), kept as the reference of the differential test.

#include "formats/passthrough.h"

#include <QtCore/qjsonobject.h>

namespace d2a::legacy {
void applyReasoning(WireFormat format, QJsonObject &body, ReasoningLevel level, int budgetOverride = 0);
Result<QJsonObject> applyPassthroughEdits(WireFormat format, QJsonObject body, const PassthroughEdits &edits);
} // namespace d2a::legacy
