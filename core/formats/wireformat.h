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

inline QString wireFormatName(WireFormat f)
{
    switch (f) {
    case WireFormat::OpenAIChat: return QStringLiteral("OpenAI Chat Completions");
    case WireFormat::OpenAIResponses: return QStringLiteral("OpenAI Responses");
    case WireFormat::Anthropic: return QStringLiteral("Anthropic Messages");
    case WireFormat::Gemini: return QStringLiteral("Gemini");
    }
    return {};
}

} // namespace d2a
