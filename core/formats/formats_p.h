#pragma once
// Internal: what the per-format modules (formats/<format>/) share, and their entry points behind translate.h.

#include "../json/json.h"
#include "../json/jsonwriter.h"
#include "apierrors.h"
#include "registry.h"
#include "translate.h"
#include "../usage/tokens.h"

namespace d2a::fmt {

using json::Value;
using json::Writer;

/// A place in the client's body ("messages[3].content[0]"), put into words only when an error or a left-out
/// field names it: every turn and block of a request would otherwise format its own. A Where points at its
/// parent: keep the parent alive (a named variable, or a temporary of the same full expression).
class Where
{
public:
    explicit Where(const char *name) : m_name(name) { }
    /// parent[index]
    Where(const Where &parent, int index) : m_parent(&parent), m_index(index) { }
    /// parent.member, or parent.member[index]
    Where(const Where &parent, const char *member, int index = -1) : m_parent(&parent), m_name(member), m_index(index)
    {
    }
    QString toString() const;
    operator QString() const { return toString(); }

private:
    const Where *m_parent = nullptr;
    const char *m_name = nullptr;
    int m_index = -1;
};

#define D2A_FORMAT_MODULE(ns)                                                                                          \
    namespace ns {                                                                                                     \
    Result<ir::Response> readResponse(const Value &body);                                                              \
    QByteArray writeResponse(const ir::Response &response, const ir::Request *request);                                \
    /* `pathModel`: a model named in the URL (formats whose routes have one) */                                        \
    Result<ir::Request> readRequest(const Value &body, const QString &pathModel);                                      \
    Result<json::Document> writeRequest(const ir::Request &request);                                                   \
    std::unique_ptr<EventReader> makeEventReader();                                                                    \
    std::unique_ptr<StreamWriter> makeStreamWriter(const ir::Request &request);                                        \
    const FormatSpec &spec(); /* format.cpp: the format's registration */                                              \
    }

D2A_FORMAT_MODULE(anthropic)
D2A_FORMAT_MODULE(chat)
D2A_FORMAT_MODULE(responses)
D2A_FORMAT_MODULE(gemini)
#undef D2A_FORMAT_MODULE

namespace gemini {
/// A streamed Gemini answer read whole (a JSON array of chunks), merged into one response.
Result<ir::Response> readChunks(const Value &chunks);
} // namespace gemini

/// The error shape OpenAI's two APIs share: {error:{message,type,param,code}}, and its type and code per status.
QByteArray openAiErrorBody(const Error &error);
QByteArray openAiErrorType(int status);
QByteArray openAiErrorCode(int status);
bool isOpenAiError(const QJsonObject &body);

/// OpenAI's two APIs' usage, which differ in names only: the input counts the cached tokens, the output the
/// reasoning.
TokenCounts openAiUsage(const Value &usage, const char *in, const char *out, const char *inDetails,
                        const char *outDetails);
/// Sets `field` from a JSON number; false when `v` is not one.
bool takeCount(qint64 &field, const Value &v);

/// {"type":"text","text":<text>}
QByteArray textBlockJson(const QString &text);

/// Reasoning helpers of the formats' passthrough edits (reasoning.cpp).
bool thinks(ReasoningLevel level); ///< neither Auto nor Off
QByteArray quotedLevel(ReasoningLevel level); ///< "\"high\""
std::optional<ReasoningLevel> namedLevel(const Value &v); ///< a level name in a string
/// Sets `member` of `body` to an object with `set` applied over the one already there (its other members kept).
void mergeObject(json::Patcher &p, const Value &body, const char *member,
                 const QList<QPair<QByteArray, QByteArray>> &set, const QList<QByteArray> &remove = {});
/// Removes `key` from object `member` of `body`, and the member itself when nothing else is left in it.
void removeFromObject(json::Patcher &p, const Value &body, const char *member, const QByteArray &key);

/// History sanitising (FormatSpec::sanitizeHistory), shared by the formats (passthrough.cpp).
/// Replaces the string `holder[key]` with its plain call id when it carries a suffix.
void stripCarriedId(json::Patcher &p, const Value &holder, QLatin1StringView key, HistoryEdits *report);
/// Names what a removed envelope held, for the log and the x-droid2api-dropped header: "thinking of Gemini".
QString carriedName(const QString &field, WireFormat client);

/// Top-level members of `body` that are neither in `known` (what the reader maps) nor transport, caching or
/// tracking hints with no effect on the answer (metadata, user, store, prompt_cache_key, ...): each is named in
/// `dropped`, so the client learns (x-droid2api-dropped) what the target did not get.
void noteUnknownKeys(const Value &body, std::initializer_list<const char *> known, QStringList *dropped);

/// The system prompt for formats whose system text must come first: Request::system, then each
/// mid-conversation system message, marked with where it stood.
QList<ir::Part> systemWithFolded(const ir::Request &r);

/// A 400 that names the offending field: "'messages[2].content' must be ...".
inline Error fieldError(const QString &field, const QString &problem)
{
    Error e = Error::badRequest(QStringLiteral("'%1' %2").arg(field, problem));
    e.param = field;
    return e;
}

/// An SSE event: "event: <event>\n" (when given), "data: <json>", then the blank line ("\n\n", or "\r\n\r\n").
QByteArray sse(QByteArrayView event, QByteArrayView json, QByteArrayView end = "\n\n");

/// Writes a number as the client wrote it (or its shortest text when computed here).
void writeNumber(Writer &w, const ir::Number &n);
/// A number value from JSON (raw text kept).
std::optional<ir::Number> numberOf(const Value &v);

/// Writes a schema the client gave (a tool's parameters, a JSON-output schema) with its tree, or
/// {"type":"object"} when it gave none.
void writeClientSchema(Writer &w, const json::Fragment &schema);

/// Writes tool-call arguments (JSON text) as the object they hold, their exact text; {} when they are empty or
/// not an object.
void writeArgumentsObject(Writer &w, const json::Text &arguments);

} // namespace d2a::fmt
