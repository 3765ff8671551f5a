#pragma once
// The shared model every translated request, response and stream goes through: one reader and one writer per
// wire format, never N x N converters. Same-format requests skip it (passthrough keeps the client's bytes).
// What the client wrote as JSON and the target only carries (tool schemas, tool-call arguments, JSON-output
// schemas, numbers) travels as the client's exact JSON text, so key order and numbers survive translation.

#include "../error.h"
#include "../json/json.h"
#include "../usage/tokens.h"
#include "wireformat.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>

#include <optional>

namespace d2a::ir {

/// A number as the client wrote it (written back verbatim), with its value for the checks that need it.
struct Number
{
    double value = 0;
    QByteArray raw; ///< exact JSON text; empty when computed here
};

/// One piece of a message.
struct Part
{
    enum class Kind { Text, Image, ToolCall, ToolResult, Thinking, RedactedThinking };
    Kind kind = Kind::Text;
    /// Text, Thinking (the visible summary/thought), RedactedThinking (opaque data). Read from a client's body
    /// it stays the client's JSON string token until something needs it decoded (json::Text).
    json::Text text;
    /// Reasoning state as its vendor issued it (translate.h): Thinking: an Anthropic signature, a Responses
    /// reasoning item (its whole JSON), a Gemini thoughtSignature; RedactedThinking: in `text`; ToolCall: a Gemini
    /// function-call signature.
    QString signature;
    WireFormat signatureFormat = WireFormat::Anthropic; ///< who issued the signature (only that vendor accepts it back)
    /// The model that issued it, where the vendor binds state to a model (Gemini); empty: the model that answers.
    QString signatureModel;
    QString reasoningId; ///< Responses reasoning item id (a client's reasoning item)
    // Image
    QString mediaType;
    QString data; ///< base64
    QString url; ///< an http(s) URL instead of data
    // ToolCall / ToolResult
    QString callId;
    QString name; ///< ToolCall: function name; ToolResult: the called function's name when known
    /// ToolCall: JSON text, exactly as the model wrote it (from a Chat or Responses body: the JSON string holding
    /// it, decoded when something needs it).
    json::Text arguments = QStringLiteral("{}");
    QList<Part> result; ///< ToolResult: text and image parts
    bool isError = false;
    /// ToolCall / ToolResult of a freeform tool (Responses `custom`): the input is one string, carried to other
    /// formats as the arguments {"input": "..."}.
    bool freeform = false;
    /// ToolCall: the Responses tool namespace the name belongs to (the client sees `name` inside it).
    QString toolNamespace;

    static Part makeText(const json::Text &t)
    {
        Part p;
        p.text = t;
        return p;
    }
};

struct Message
{
    /// System: an instruction placed inside the conversation (Anthropic `role: system` in messages, a Chat or
    /// Responses system/developer message after the first turn); the leading ones are Request::system.
    enum class Role { User, Assistant, Tool, System };
    Role role = Role::User;
    QList<Part> parts;
};

struct Tool
{
    QString name;
    json::Text description;
    json::Fragment parameters; ///< JSON Schema object as the client wrote it, with its tree (empty: none)
    bool freeform = false; ///< Responses `custom` tool: one string input (parameters describe it as {input})
    QString toolNamespace; ///< Responses `namespace` tool this one came from; `name` is then "<namespace>__<tool>"
    QString innerName; ///< the name inside the namespace

    static Tool make(const QString &name, const json::Text &description, const json::Fragment &parameters)
    {
        Tool t;
        t.name = name;
        t.description = description;
        t.parameters = parameters;
        return t;
    }
};

struct ToolChoice
{
    enum class Mode { Auto, None, Required, Specific };
    Mode mode = Mode::Auto;
    QString name;
};

/// The client's own reasoning request (kept when the configured level is auto).
struct Reasoning
{
    bool enabled = false;
    int budgetTokens = 0; ///< Anthropic / Gemini budget
    QString effort; ///< low / medium / high / xhigh / minimal
};

/// JSON output: response_format (Chat), text.format (Responses), responseMimeType/responseSchema (Gemini).
struct JsonFormat
{
    enum class Kind { None, Object, Schema };
    Kind kind = Kind::None;
    QString name;
    QString description;
    json::Fragment schema; ///< JSON Schema object as the client wrote it, with its tree (empty: none)
    std::optional<bool> strict;
};

struct Request
{
    QString model;
    /// The upstream model that serves the request (after redirects): the issuer of the reasoning state in its
    /// answer, which writers carry to the client (translate.h).
    QString servedBy;
    QList<Part> system; ///< text parts
    QList<Message> messages;
    QList<Tool> tools;
    std::optional<ToolChoice> toolChoice;
    std::optional<bool> parallelToolCalls;
    std::optional<Number> temperature;
    std::optional<Number> topP;
    std::optional<int> topK;
    QStringList stop;
    std::optional<int> maxTokens;
    bool stream = false;
    bool includeUsage = false; ///< Chat stream_options.include_usage
    std::optional<Reasoning> reasoning;
    JsonFormat jsonFormat;
    /// Anthropic targets: place prompt-cache breakpoints as Factory's CLI does (the last system block, with
    /// `cacheTtl` when set, and the last user turn), for clients that cannot place their own.
    bool promptCache = false;
    QString cacheTtl;
    /// What the client sent that the target cannot carry and was left out, for the log and the
    /// x-droid2api-dropped header: "tools[8] (web_search)", "context_management", ...
    QStringList dropped;
    /// The size of the client's body: the room a writer makes for the upstream body at once.
    qsizetype sourceBytes = 0;
};

enum class Finish { Stop, Length, ToolCalls, ContentFilter, Error };

/// Token usage: one type for what clients are told and what usage recording keeps (usage/tokens.h). Input is
/// net of cache reads and writes, output includes reasoning; every format's reader and writer converts at its
/// edge, so input + cache read + cache write + output is the same on both sides of every translation.
using Usage = TokenCounts;

struct Response
{
    QString id;
    QString model;
    QList<Part> parts;
    Finish finish = Finish::Stop;
    Usage usage;
};

/// One stream event. Part indexes are stable and contiguous: a part starts, gets deltas, stops, and the next
/// part starts after it (writers that need one block at a time rely on that).
struct Event
{
    enum class Type {
        Start,
        PartStart,
        TextDelta,
        ThinkingDelta,
        SignatureDelta,
        ArgumentsDelta,
        PartStop,
        Usage,
        Finish,
        Error,
        Ping
    };
    Type type = Type::Start;
    int index = 0;
    Part part; ///< PartStart: kind, callId, name (and for thinking, reasoningId)
    QString text; ///< deltas
    QString id; ///< Start
    QString model; ///< Start
    ir::Usage usage; ///< Usage, Finish
    Finish finish = Finish::Stop;
    d2a::Error error;
};

} // namespace d2a::ir
