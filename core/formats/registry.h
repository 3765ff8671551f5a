#pragma once
// The format registry: everything droid2api knows about one API format, in one record filled in by that
// format's folder (formats/<format>/format.cpp). The server, the upstream side, usage and the tests ask the
// registry; no code outside formats/ branches on a format. Adding a format is a folder, its WireFormat value
// and its line in registry.cpp.

#include "../config/config.h"
#include "../error.h"
#include "../httptypes.h"
#include "../json/jsonedit.h"
#include "model.h"
#include "wireformat.h"

#include <QtCore/qjsonobject.h>

#include <array>
#include <memory>

namespace d2a {

class EventReader;
class StreamWriter;
struct PassthroughEdits;
struct HistoryEdits;
struct TokenCounts;

/// A client-facing route of a format. `path` is exact, or has one "{model}" segment (the model named in the
/// URL, as Gemini's ".../models/{model}:generateContent").
struct FormatRoute
{
    enum Use {
        Generate, ///< POST: a generation
        CountTokens, ///< POST: a token counter (a local estimate where the model's upstream has none)
        /// POST: another operation beside the generation endpoint (Responses compaction): only a model of this
        /// format can serve it; others refuse it.
        Operation,
        ListModels, ///< GET: the model list (formats sharing a path share one answer, each under its modelListKey)
        GetModel, ///< GET: one model ("{model}" in the path; formats sharing the path share one object)
    };
    const char *path;
    bool stream = false; ///< the route itself asks for a stream (whatever the body says)
    Use use = Generate;
    const char *query = ""; ///< the query shown in GET / ("?alt=sse")
    /// CountTokens and Operation: appended to the format's endpoint upstream ("/count_tokens"); null: the
    /// upstream has none (a count is then always a local estimate).
    const char *upstream = nullptr;
};

/// One format's record. Built by name, never positionally (two hooks of one type could be swapped unnoticed):
/// default-construct it, then set the members the format has; a null hook or empty field means "none".
struct FormatSpec
{
    explicit FormatSpec() = default; // explicit: not an aggregate, so no positional initialisation

    WireFormat id = WireFormat::OpenAIChat;
    const char *name = nullptr; ///< as shown to users ("Anthropic Messages")
    /// How usage names the API of a request whose client it does not know: "Other (OpenAI Chat)".
    const char *usageName = nullptr;
    /// Names the format in the envelopes that carry its reasoning state through other formats (translate.h).
    /// Unique: an envelope whose tag no format has is never opened.
    const char *tag = nullptr;
    /// This client's reasoning field holds bytes (Gemini's thoughtSignature is base64 in Google's SDKs): an
    /// envelope in it is base64 of the envelope text.
    bool envelopeInBase64 = false;
    /// This vendor signs function calls (Gemini 3: a thought signature on a step's first call), and the signature
    /// travels to clients of other formats in the call id (translate.h).
    bool signsCalls = false;
    QList<FormatRoute> routes;
    /// Paths whose errors are rendered in this format even where no route matches (a typo under /v1/messages).
    QList<const char *> errorPathPrefixes;
    /// A prefix this format's SDKs may put before a model id ("models/" for Google's), wherever the id is named:
    /// it is not part of the id.
    const char *modelPrefix = nullptr;
    /// The endpoint of an Anthropic- or OpenAI-compatible backend that speaks this format, and whether it has a
    /// /count_tokens beside it.
    const char *backendPath = nullptr;

    // Requests: client body <-> shared model. `pathModel` is a model named in the URL.
    Result<ir::Request> (*readRequest)(const json::Value &body, const QString &pathModel) = nullptr;
    /// The text with its tree, recorded as it is written (json::Writer::recordTree), for the protocol edits.
    Result<json::Document> (*writeRequest)(const ir::Request &request) = nullptr;
    // Answers: upstream JSON -> shared model -> client JSON.
    Result<ir::Response> (*readResponse)(const json::Value &root) = nullptr;
    QByteArray (*writeResponse)(const ir::Response &response, const ir::Request *request) = nullptr;
    // Streams.
    std::unique_ptr<EventReader> (*makeEventReader)() = nullptr;
    std::unique_ptr<StreamWriter> (*makeStreamWriter)(const ir::Request &request) = nullptr;
    /// What keeps a silent stream alive in this client's grammar.
    QByteArrayView keepAlive;
    /// An upstream of this format answered a streaming request whole (same format on both sides): the SSE a
    /// client of this format expects instead. Null: the answer goes to the client as it came.
    Result<QByteArray> (*wholeAsEvents)(const QByteArray &body) = nullptr;
    // Errors: the one renderer of this format's error shape, for whole answers and mid-stream alike.
    QByteArray (*errorBody)(const Error &error) = nullptr;
    QByteArray (*streamError)(const Error &error) = nullptr;
    /// True when an upstream error body already has this format's shape (kept verbatim then).
    bool (*isOwnError)(const QJsonObject &body) = nullptr;
    // Passthrough edits (the protocol's edits on a same-format or translated body, spliced in place).
    std::optional<Error> (*prefixSystem)(json::Patcher &p, const json::Value &body, const QString &prefix) = nullptr;
    std::optional<ReasoningLevel> (*requestedLevel)(const json::Value &body) = nullptr;
    void (*applyReasoning)(json::Patcher &p, const json::Value &body, ReasoningLevel level, const ModelConfig &model,
                           int budget) = nullptr;
    /// Fast mode and the prompt-cache key, where the format has them. Null: none.
    void (*applyExtras)(json::Patcher &p, const json::Value &body, const PassthroughEdits &edits) = nullptr;
    /// Token usage in one JSON answer or stream event (whatever member the format puts it under).
    TokenCounts (*usage)(const json::Value &object) = nullptr;
    /// Bytes every stream event that carries usage holds (the name of its usage member): an event without them
    /// is not parsed for usage (most are not).
    QByteArrayView usageNeedle;
    /// The top-level members of a stream event under which its usage may be (Anthropic: message, usage): only
    /// these are parsed when a passthrough stream is read for usage, the rest of the event is skipped. None: the
    /// whole event is parsed.
    std::array<const char *, 2> usageMembers {};
    /// A request translated from another format, before it is written for an upstream of this format: what this
    /// format needs that the client's could not say (Anthropic: max_tokens, cache breakpoints). Null: nothing.
    void (*adaptTranslated)(ir::Request &request, const ModelConfig &model, bool factory) = nullptr;
    /// The headers this format's vendor API needs beyond content type, accept, user agent and the bearer
    /// (Anthropic: x-api-key, anthropic-version, anthropic-beta; Responses through Factory: OpenAI-Platform).
    /// `factory`: for Factory's route of this format, as Factory's CLI sends them (`key` is then empty); else for
    /// an Anthropic- or OpenAI-compatible backend whose key is `key`. Null: none.
    void (*vendorHeaders)(HeaderList &headers, const QByteArray &key, const HeaderList &clientHeaders,
                          ReasoningLevel level, const ModelConfig &model, bool factory) = nullptr;
    /// How Factory's CLI calls Factory's route of this format, where that differs by route (FACTORY-CLI.md §2).
    struct FactoryCli
    {
        const char *accept = "application/json";
        /// The version of the Stainless SDK the CLI uses on this route (its X-Stainless set); null: none.
        const char *stainlessVersion = nullptr;
        const char *stainlessTimeout = nullptr; ///< X-Stainless-Timeout; null: not sent
        bool sessionLock = false; ///< x-provider-routing-source is session_lock (else registry_default)
    } factoryCli;
    /// The history of a body on its way to an upstream of this format, as the vendor checks it: reasoning state
    /// another vendor issued (carried by droid2api, translate.h) removed, carried call-id suffixes stripped,
    /// what the vendor requires of a continued tool loop supplied (Gemini: a signature on each step's first
    /// call; Anthropic: thinking off when the last assistant turn has none of its own). Null: nothing to do.
    void (*sanitizeHistory)(json::Patcher &p, const json::Value &body, const PassthroughEdits &edits,
                            HistoryEdits *report) = nullptr;
    /// This client grammar repeats the whole answer at its end (Responses: every item again in
    /// response.completed), so its stream writer holds the answer: a translated stream to it is bounded by
    /// limits.max_answer_bytes like a whole answer.
    bool streamHoldsAnswer = false;
    /// The answer of this format's token counter for `tokens` ({"input_tokens":n}, {"totalTokens":n}); null: the
    /// format has no counter route.
    QByteArray (*countAnswer)(qint64 tokens) = nullptr;
    /// A configured model as this format's model routes show it; null: the format has no model routes.
    QJsonObject (*modelEntry)(const ModelConfig &model, qint64 createdSecs) = nullptr;
    /// The member of a model-list answer that holds this format's entries ("data", "models").
    const char *modelListKey = nullptr;
    /// A request header only this format's SDKs send ("x-goog-api-client"): on a path another format shares,
    /// errors come in this format's shape when the request carries it. Null: none.
    const char *sdkHeader = nullptr;
};

/// What FormatSpec::sanitizeHistory did to one request body.
struct HistoryEdits
{
    QStringList removed; ///< "messages[3].content[0] (thinking of openai)": reasoning another vendor issued
    int strippedIds = 0; ///< tool call ids that lost a carried suffix
    int skippedSignatures = 0; ///< Gemini calls given the documented skip value
    bool thinkingOff = false; ///< the vendor would refuse thinking for this body: send it without
};

/// The format whose envelope tag is `tag`; nullptr when none (an unknown tag is nobody's: never another vendor's).
const FormatSpec *formatForTag(QStringView tag);

/// The record of `format`.
const FormatSpec &formatSpec(WireFormat format);
/// Every registered format, in registration order.
const QList<const FormatSpec *> &allFormats();
/// Registers a format beyond the built-in four (its id the next WireFormat value, its tag unused): a format
/// kept outside core, such as the tests' fifth. Before anything asks the registry (the route table is built
/// from it once): not while requests are served.
void registerFormat(const FormatSpec &spec);

/// `model` as a client named it, without a prefix a format's SDKs put before ids ("models/gemini-3-pro").
QString withoutModelPrefix(const QString &model);

} // namespace d2a
