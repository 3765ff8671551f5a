#pragma once
// A realistic coding-agent request, generated in code (no copied prompts): three system blocks with
// cache_control, ~20 tools with nested JSON Schemas, ~80 messages with tool calls and their results (code,
// diffs, logs with quotes, backslashes, tabs and non-ASCII). The same conversation in each wire format, about
// 150 KB, deterministic for a seed. Used by `make bench` and by the fidelity tests.

#include <QtCore/qbytearray.h>

namespace d2a::bench {

enum class BodyFormat { Anthropic, Chat, Responses, Gemini };

struct AgentBodyOptions
{
    int turns = 51; ///< tool round trips (each: assistant tool call + its result)
    int userMessages = 4; ///< extra plain user turns spread over the conversation
    int tools = 21;
    unsigned seed = 1;
    bool stream = true;
    QByteArray model = "claude-sonnet-4-6";
};

QByteArray agentBody(BodyFormat format, const AgentBodyOptions &options = {});

} // namespace d2a::bench
