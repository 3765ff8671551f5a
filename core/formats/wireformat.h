#pragma once
// The four API wire formats droid2api speaks, on the client side and on the upstream side.

#include "../config/config.h"

#include <QtCore/qstring.h>

namespace d2a {

enum class WireFormat { OpenAIChat, OpenAIResponses, Anthropic, Gemini };

/// The format a model type's upstream speaks (anthropic -> Messages, openai -> Responses, common -> Chat,
/// google -> Gemini).
inline WireFormat upstreamFormat(ModelType type)
{
    switch (type) {
    case ModelType::Anthropic: return WireFormat::Anthropic;
    case ModelType::OpenAI: return WireFormat::OpenAIResponses;
    case ModelType::Common: return WireFormat::OpenAIChat;
    case ModelType::Google: return WireFormat::Gemini;
    }
    return WireFormat::OpenAIChat;
}

/// The format's name as users know it ("Anthropic Messages"), from its registration.
QString wireFormatName(WireFormat f);

} // namespace d2a
