#pragma once
// Translation between the four wire formats through the shared model (model.h). One reader and one writer per
// format for requests, responses and streams.

#include "../json/json.h"
#include "../sse/ssesplitter.h"
#include "model.h"

#include <memory>
#include <optional>

namespace d2a {

/// Client body -> shared model. `pathModel` is the model named in the URL (Gemini routes). Errors are 400s
/// that name the field.
Result<ir::Request> readRequest(WireFormat format, const json::Value &body, const QString &pathModel = {});
/// Shared model -> upstream body of `format`, as JSON text in the vendor's key order. Fails (400 naming the
/// field) on what the target cannot express.
Result<QByteArray> writeRequest(WireFormat format, const ir::Request &request);
/// The same with the text's tree, recorded as it was written: the protocol edits take it without a parse.
Result<json::Document> writeRequestDocument(WireFormat format, const ir::Request &request);
/// Upstream JSON answer -> shared model.
Result<ir::Response> readResponse(WireFormat format, const QByteArray &body);
/// Shared model -> the client's JSON answer. `request` is the client's request as read (tool calls go back
/// under the names the client gave its tools).
QByteArray writeResponse(WireFormat format, const ir::Response &response, const ir::Request *request = nullptr);

/// Reads one upstream stream, event by event (holds only what the current event needs).
class EventReader
{
public:
    virtual ~EventReader() = default;
    virtual QList<ir::Event> read(const SseEvent &event) = 0;
    /// The upstream ended: close what is open (a finish event is synthesised when none came).
    virtual QList<ir::Event> end() = 0;
    /// The token usage the event of the last read() reported, as its format's usage hook reads it (unknown when
    /// it reported none): usage recording takes it from here, so an event is parsed once, by its reader.
    const TokenCounts &eventUsage() const { return m_eventUsage; }

protected:
    TokenCounts m_eventUsage;
};

/// Writes one client stream in its exact event grammar.
class StreamWriter
{
public:
    virtual ~StreamWriter() = default;
    virtual QByteArray write(const ir::Event &event) = 0;
    /// Keeps a silent connection alive in the client's grammar (Anthropic ping, SSE comment).
    virtual QByteArray keepAlive() = 0;
    /// True once the stream's final event was written.
    virtual bool finished() const = 0;
};

std::unique_ptr<EventReader> makeEventReader(WireFormat upstream);

/// A whole answer from a stream's events (an upstream that streams although the client asked for one answer,
/// as Factory's Gemini route always does). An Error event makes it an error.
Result<ir::Response> collectResponse(const QList<ir::Event> &events);
std::unique_ptr<StreamWriter> makeStreamWriter(WireFormat client, const ir::Request &request);

/// Local token estimate for count_tokens where the upstream has no counter: about 4 characters per token over
/// the system prompt, every message part, tool definitions and images (a fixed 1600 each), never less than
/// what was sent.
qint64 estimateInputTokens(const ir::Request &request);

namespace ir {
/// Helpers shared by the format modules.
QString newId(const char *prefix);
/// "data:image/png;base64,AAAA" -> media type and data; false if not a data URL.
bool parseDataUrl(const QString &url, QString *mediaType, QString *data);
QString dataUrl(const Part &image);
/// Anthropic-style budget for an effort name (low/medium/high/xhigh), and back.
int budgetForEffort(const QString &effort);
QString effortForBudget(int budget);
/// Reasoning state travels home (README "Reasoning across models"). Each vendor signs what its model thought
/// and checks the signature when the history comes back: Anthropic thinking signatures, OpenAI's encrypted
/// reasoning items, Gemini thought signatures (on thought parts and on the first function call of a step, bound
/// to the model that issued them). A client of another format has no field for that state, so droid2api carries
/// it in one the client keeps: an "envelope" string in the client's own reasoning field (Anthropic thinking
/// `signature`, Responses `encrypted_content`, Gemini `thoughtSignature` as base64), and a suffix on the tool
/// call id for a Gemini function-call signature (every client keeps ids). Envelopes and suffixes are recognised
/// when the history comes back: the state goes back to the vendor (and, for Gemini, the model) that issued it,
/// and is removed on its way to any other.
///   envelope:  "d2a.<format tag>.<t|r>.<base64url(model)>.<state>"  (t thinking, r redacted thinking)
///   call id:   "<id>__d2a<base64url(tag \n model \n state)>"
/// Part::signature holds the issuing vendor's own state: an Anthropic signature (or redacted data), the whole
/// Responses reasoning item as JSON text (id, summary, encrypted_content: OpenAI gets back exactly what it sent),
/// a Gemini thoughtSignature.
QString envelope(const Part &p, WireFormat client, const QString &servedBy);
/// Reads an envelope from a client's reasoning field into `p` (kind, signatureFormat, signatureModel,
/// signature). False when `field` is not one (it is then the client's own vendor's state).
bool openEnvelope(const QString &field, WireFormat client, Part *p);
/// True when a JSON string token (raw, quotes included) may hold an envelope of any client's encoding: its first
/// bytes only, nothing decoded (the history edits' check of every field that can carry one).
bool mayBeEnvelope(QByteArrayView rawString);
/// True when a client's reasoning field holds an envelope (cheap: no decoding for Anthropic and Responses).
bool isEnvelope(QStringView field, WireFormat client);
/// The tool call id a client sees: the call's own id, with its Gemini signature (and model) as a suffix.
QString carryCallId(const Part &call, const QString &servedBy);
/// The call's own id from a client's (tool call or tool result) id; a carried signature goes into `p` when it
/// is a tool call.
void openCallId(Part *p);
/// `id` without a carried suffix (unchanged when it has none).
QString plainCallId(const QString &id);
/// The documented value for a Gemini 3 function call that has no signature of its own (it came from another
/// model, or the client rebuilt the history): the API then skips the check for that call.
inline constexpr const char *kGeminiSkipSignature = "skip_thought_signature_validator";
/// A part as a client of `client` receives it: another vendor's reasoning in an envelope (redacted thinking
/// as a thinking part), a Gemini call signature in the call id. `servedBy` is the upstream model that answered.
Part forClient(const Part &p, WireFormat client, const QString &servedBy);
/// The reverse, for a part read from a client's request: reasoning in no envelope is the client's own vendor's.
void fromClient(Part *p, WireFormat client);
} // namespace ir

} // namespace d2a
