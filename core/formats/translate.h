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
/// A reasoning signature of another vendor, carried inside an Anthropic signature field so it can find its way
/// back: "d2a.<format>.<signature>". unwrapSignature() restores the origin (Anthropic when there is no prefix).
QString wrapSignature(WireFormat origin, const QString &signature);
QString unwrapSignature(const QString &signature, WireFormat *origin);
} // namespace ir

} // namespace d2a
