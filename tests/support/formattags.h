#pragma once
// The four built-in formats as the format suites name them in data rows ("anthropic -> chat").

#include "formats/wireformat.h"

#include <QtCore/qstring.h>

namespace testsupport {

inline constexpr d2a::WireFormat kFormats[] = { d2a::WireFormat::Anthropic, d2a::WireFormat::OpenAIChat,
                                                d2a::WireFormat::OpenAIResponses, d2a::WireFormat::Gemini };

inline QString tag(d2a::WireFormat f)
{
    switch (f) {
    case d2a::WireFormat::Anthropic: return QStringLiteral("anthropic");
    case d2a::WireFormat::OpenAIChat: return QStringLiteral("chat");
    case d2a::WireFormat::OpenAIResponses: return QStringLiteral("responses");
    case d2a::WireFormat::Gemini: return QStringLiteral("gemini");
    }
    return {};
}

} // namespace testsupport
