#pragma once
// Token usage read from what an upstream sends, in its own format: a whole answer, or the events of a stream
// (only the events that carry usage are parsed). Counts are kept per kind; a stream's later counts replace
// earlier ones (they are cumulative), so a stream cut mid-way counts what was delivered up to the cut.

#include "../formats/wireformat.h"

#include <QtCore/qbytearray.h>

namespace d2a {

struct TokenCounts
{
    qint64 input = 0; ///< input tokens not read from a cache
    qint64 output = 0; ///< output tokens, reasoning included
    qint64 cacheRead = 0;
    qint64 cacheWrite = 0;
    qint64 reasoning = 0; ///< of `output`, the reasoning
    bool known = false; ///< the upstream reported any usage

    qint64 total() const { return input + output + cacheRead + cacheWrite; }
    /// Takes each count the other side reported (a later report of a stream supersedes an earlier one).
    void merge(const TokenCounts &later);
    /// Adds another request's counts (requests summed into one row).
    TokenCounts &operator+=(const TokenCounts &other);
};

/// Usage in a whole answer of `format` (a Gemini stream-as-array answer counts its last chunk's usage).
TokenCounts usageOfAnswer(WireFormat format, const QByteArray &body);

/// Usage carried by one stream event's data (empty when it carries none). Cheap for events without usage.
TokenCounts usageOfEvent(WireFormat format, const QByteArray &data);

/// False when `bytes` (an event, framed or not) cannot carry usage of `format` (it lacks the format's usage
/// needle): the one check that lets most events go unparsed.
bool mayCarryUsage(WireFormat format, QByteArrayView bytes);

} // namespace d2a
