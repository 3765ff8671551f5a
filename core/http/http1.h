#pragma once
// HTTP/1.1 message framing (RFC 9112), as pure functions over bytes: the request head parser of droid2api's
// server, the response head parser of its upstream client and the test servers, and a chunked-body decoder.
// Strict where leniency is an attack (request smuggling, unbounded memory): every limit is explicit and every
// refusal carries the status to answer with.

#include "../error.h"
#include "../httptypes.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>

namespace d2a::http {

/// Empty lines before a request line are skipped, up to this many bytes of them (RFC 9112 §2.2 allows some);
/// a head that starts with more is refused.
constexpr qsizetype kMaxLeadingBlankBytes = 8;

struct Limits
{
    qsizetype maxHeadBytes = 64 * 1024; ///< request line + headers + the blank line (431 beyond)
    int maxHeaders = 100; ///< header lines (431 beyond)
};

struct RequestHead
{
    QByteArray method;
    QByteArray target; ///< as sent: origin-form path and query
    int minorVersion = 1; ///< HTTP/1.<minor>: 0 or 1
    HeaderList headers; ///< names as sent, in order
    qint64 contentLength = -1; ///< -1: none
    bool chunked = false;
    bool keepAlive = true; ///< HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive"
    bool expectContinue = false;
};

struct ResponseHead
{
    int status = 0;
    int minorVersion = 1;
    HeaderList headers;
    qint64 contentLength = -1;
    bool chunked = false;
    bool keepAlive = true;
};

/// The outcome of parsing a head from the start of a buffer.
struct Parsed
{
    enum class State { NeedMore, Done, Invalid } state = State::NeedMore;
    qsizetype headBytes = 0; ///< Done: bytes the head took, blank line included
    Error error; ///< Invalid: the status to answer (400, 431, 501, 505) and why
};

/// Parses a request head at the start of `data`. NeedMore while the blank line has not arrived and the head is
/// still within the limits. Refuses (RFC 9112): a malformed request line or header line, whitespace before a
/// colon, obsolete line folding, bare CR, NUL and other control bytes, a version other than HTTP/1.0 or 1.1
/// (505), more than maxHeaders or maxHeadBytes (431), Content-Length that is not one non-negative number (or
/// two different ones), Transfer-Encoding together with Content-Length (request smuggling), a transfer coding
/// other than "chunked" (501), and an HTTP/1.1 request without Host.
Parsed parseRequestHead(QByteArrayView data, const Limits &limits, RequestHead *out);

/// Parses a response head (an upstream's): the same strictness; a status outside 100-599 is invalid.
Parsed parseResponseHead(QByteArrayView data, const Limits &limits, ResponseHead *out);

/// Decodes a chunked body incrementally, with a limit on the decoded size and on chunk-size lines and trailers.
class ChunkedDecoder
{
public:
    explicit ChunkedDecoder(qint64 maxBodyBytes) : m_max(maxBodyBytes) { }
    /// Consumes from `data` (returns how many bytes), appends payload to `body`. After the last chunk and its
    /// trailers, done() is true and the rest of `data` is not consumed (the next pipelined message).
    qsizetype feed(QByteArrayView data, QByteArray *body);
    bool done() const { return m_state == State::Done; }
    bool failed() const { return m_state == State::Failed; }
    /// Why it failed: 400 for bad framing, 413 when the body is over the limit.
    const Error &error() const { return m_error; }

private:
    enum class State { Size, Data, DataEnd, Trailers, Done, Failed } m_state = State::Size;
    bool fail(int status, const QString &why);
    qint64 m_max;
    qint64 m_decoded = 0;
    qint64 m_remaining = 0;
    QByteArray m_line; ///< a size or trailer line being collected
    qsizetype m_trailerBytes = 0;
    Error m_error;
};

/// The reason phrase of a status code.
QByteArray reasonPhrase(int status);

} // namespace d2a::http
