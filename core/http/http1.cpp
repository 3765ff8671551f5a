#include "http1.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qvarlengtharray.h>

#include <cstring>

#include <utility>

namespace d2a::http {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("http", text);
}

/// The bytes of a header line, classed once: RFC 9110 token characters (a header name), and the bytes a field
/// value may hold (VCHAR, SP, HTAB, obs-text; no other control byte).
struct ByteClasses
{
    bool tchar[256] {};
    bool valueByte[256] {};
    constexpr ByteClasses()
    {
        for (int c = 0; c < 256; ++c) {
            tchar[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            valueByte[c] = c == '\t' || (c >= 0x20 && c != 0x7f);
        }
        for (const char *p = "!#$%&'*+-.^_`|~"; *p; ++p)
            tchar[uchar(*p)] = true;
    }
};
constexpr ByteClasses kBytes;

QList<QByteArrayView> split(QByteArrayView v, char sep)
{
    QList<QByteArrayView> out;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= v.size(); ++i)
        if (i == v.size() || v[i] == sep) {
            out.append(v.sliced(start, i - start));
            start = i + 1;
        }
    return out;
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

Parsed invalid(int status, const QString &why)
{
    Parsed p;
    p.state = Parsed::State::Invalid;
    p.error = Error { status, why, {} };
    return p;
}

/// The common part of request and response heads: finds the end of the head (CRLF or LF line ends, never a
/// bare CR), splits the start line, parses and checks the header lines. `startLine` receives the first line.
struct Head
{
    QByteArrayView startLine;
    HeaderList headers;
    qint64 contentLength = -1;
    bool chunked = false;
    bool hasTransferEncoding = false;
    bool close = false;
    bool keepAlive = false;
    bool expectContinue = false;
    int hosts = 0;
};

Parsed parseHead(QByteArrayView data, const Limits &limits, Head *head)
{
    // Up to a few empty lines may precede a request (RFC 9112 §2.2): skip them.
    qsizetype start = 0;
    while (start < data.size() && start < kMaxLeadingBlankBytes && (data[start] == '\r' || data[start] == '\n'))
        ++start;
    const qsizetype window = qMin(data.size(), limits.maxHeadBytes);
    const char *const d = data.data();
    // The end of the head: an empty line. Line by line (memchr finds the line feed, a NUL and each carriage
    // return, which must end its line), each line's end kept for the second walk.
    qsizetype end = -1;
    qsizetype lineStart = start;
    QVarLengthArray<qsizetype, 64> lineEnds; // where each line before the empty one has its line feed
    while (lineStart < window) {
        const auto *lf = static_cast<const char *>(std::memchr(d + lineStart, '\n', size_t(window - lineStart)));
        const qsizetype lineEnd = lf ? lf - d : window; // the bytes to check: [lineStart, lineEnd)
        const auto *nul = static_cast<const char *>(std::memchr(d + lineStart, '\0', size_t(lineEnd - lineStart)));
        const qsizetype nulAt = nul ? nul - d : lineEnd;
        // The first carriage return before nulAt that no line feed follows (one at the very end of the data may
        // get its line feed with the next read).
        bool waitForLineFeed = false;
        for (qsizetype from = lineStart; from < nulAt;) {
            const auto *cr = static_cast<const char *>(std::memchr(d + from, '\r', size_t(nulAt - from)));
            if (!cr)
                break;
            const qsizetype at = cr - d;
            if (at + 1 >= data.size()) {
                waitForLineFeed = true;
                break;
            }
            if (d[at + 1] != '\n')
                return invalid(400, tr("a bare carriage return in the request head"));
            from = at + 1;
        }
        if (waitForLineFeed)
            break;
        if (nul)
            return invalid(400, tr("a NUL byte in the message head"));
        if (!lf)
            break;
        const qsizetype contentEnd = (lineEnd > lineStart && d[lineEnd - 1] == '\r') ? lineEnd - 1 : lineEnd;
        if (contentEnd == lineStart) { // the empty line
            end = lineEnd + 1;
            break;
        }
        if (lineEnds.size() + 1 > limits.maxHeaders + 1)
            return invalid(431, tr("more than %1 header lines").arg(limits.maxHeaders));
        lineEnds.append(lineEnd);
        lineStart = lineEnd + 1;
    }
    if (end < 0) {
        if (data.size() >= limits.maxHeadBytes)
            return invalid(431, tr("the message head is larger than %1 bytes").arg(limits.maxHeadBytes));
        return {};
    }
    // Walk the lines again, now parsing them.
    head->headers.reserve(lineEnds.size());
    qsizetype pos = start;
    for (qsizetype k = 0; k < lineEnds.size(); ++k) {
        const qsizetype nl = lineEnds[k];
        const QByteArrayView line = data.sliced(pos, (nl > pos && d[nl - 1] == '\r' ? nl - 1 : nl) - pos);
        pos = nl + 1;
        if (k == 0) {
            head->startLine = line;
            continue;
        }
        if (line.front() == ' ' || line.front() == '\t')
            return invalid(400, tr("obsolete line folding in a header"));
        const auto *colonAt = static_cast<const char *>(std::memchr(line.data(), ':', size_t(line.size())));
        const qsizetype colon = colonAt ? colonAt - line.data() : -1;
        if (colon <= 0)
            return invalid(400, tr("a header line without a name and a colon"));
        const QByteArrayView name = line.first(colon);
        for (char c : name)
            if (!kBytes.tchar[uchar(c)])
                return invalid(400, tr("an invalid character in a header name (whitespace before the colon?)"));
        const QByteArrayView value = trimmed(line.sliced(colon + 1));
        for (char c : value)
            if (!kBytes.valueByte[uchar(c)])
                return invalid(400,
                               tr("a control character in the value of header '%1'").arg(QString::fromLatin1(name)));
        head->headers.append({ name.toByteArray(), value.toByteArray() });
        if (isHeaderName(name, "content-length")) {
            // One non-negative number; a list of the same number is tolerated, different ones are not.
            for (QByteArrayView part : split(value, ',')) {
                part = trimmed(part);
                if (part.isEmpty() || part.size() > 18)
                    return invalid(400, tr("an invalid Content-Length"));
                qint64 n = 0;
                for (char c : part) {
                    if (c < '0' || c > '9')
                        return invalid(400, tr("an invalid Content-Length"));
                    n = n * 10 + (c - '0');
                }
                if (head->contentLength >= 0 && head->contentLength != n)
                    return invalid(400, tr("two different Content-Length values"));
                head->contentLength = n;
            }
        } else if (isHeaderName(name, "transfer-encoding")) {
            head->hasTransferEncoding = true;
            const QByteArray v = value.toByteArray().toLower();
            if (v.trimmed() != "chunked" || head->chunked)
                return invalid(
                    501, tr("transfer coding '%1' is not supported (only chunked)").arg(QString::fromLatin1(value)));
            head->chunked = true;
        } else if (isHeaderName(name, "connection")) {
            for (QByteArrayView token : split(value, ',')) {
                const QByteArray t = trimmed(token).toByteArray().toLower();
                head->close = head->close || t == "close";
                head->keepAlive = head->keepAlive || t == "keep-alive";
            }
        } else if (isHeaderName(name, "expect")) {
            head->expectContinue = value.compare(QByteArrayView("100-continue"), Qt::CaseInsensitive) == 0;
        } else if (isHeaderName(name, "host")) {
            ++head->hosts;
        }
    }
    if (head->hasTransferEncoding && head->contentLength >= 0)
        return invalid(400, tr("both Content-Length and Transfer-Encoding (refused: request smuggling)"));
    Parsed p;
    p.state = Parsed::State::Done;
    p.headBytes = end;
    return p;
}

/// "HTTP/1.<d>" -> d, or -1 for another HTTP version (-2 when not a version at all).
int minorVersion(QByteArrayView v)
{
    if (v.size() != 8 || !v.startsWith("HTTP/") || v[6] != '.' || v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
        return -2;
    if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
        return -1;
    return v[7] - '0';
}

} // namespace

Parsed parseRequestHead(QByteArrayView data, const Limits &limits, RequestHead *out)
{
    Head head;
    Parsed p = parseHead(data, limits, &head);
    if (p.state != Parsed::State::Done)
        return p;
    const QList<QByteArrayView> parts = split(head.startLine, ' ');
    if (parts.size() != 3 || parts[0].isEmpty() || parts[1].isEmpty())
        return invalid(400, tr("a malformed request line"));
    for (char c : parts[0])
        if (!kBytes.tchar[uchar(c)])
            return invalid(400, tr("a malformed request line"));
    for (char c : parts[1])
        if (uchar(c) <= 0x20 || uchar(c) >= 0x7f)
            return invalid(400, tr("a malformed request target"));
    const int minor = minorVersion(parts[2]);
    if (minor == -2)
        return invalid(400, tr("a malformed request line"));
    if (minor < 0)
        return invalid(505, tr("HTTP version %1 is not supported (HTTP/1.1 is)").arg(QString::fromLatin1(parts[2])));
    if (minor == 1 && head.hosts != 1)
        return invalid(400, head.hosts == 0 ? tr("an HTTP/1.1 request without Host") : tr("more than one Host header"));
    out->method = parts[0].toByteArray();
    out->target = parts[1].toByteArray();
    out->minorVersion = minor;
    out->headers = std::move(head.headers);
    out->contentLength = head.contentLength;
    out->chunked = head.chunked;
    out->keepAlive = minor == 1 ? !head.close : (head.keepAlive && !head.close);
    out->expectContinue = head.expectContinue && minor == 1;
    return p;
}

Parsed parseResponseHead(QByteArrayView data, const Limits &limits, ResponseHead *out)
{
    Head head;
    Parsed p = parseHead(data, limits, &head);
    if (p.state != Parsed::State::Done)
        return p;
    const QByteArrayView line = head.startLine;
    const int minor = minorVersion(line.first(qMin<qsizetype>(8, line.size())));
    if (minor < 0 || line.size() < 12 || line[8] != ' ' || (line.size() > 12 && line[12] != ' '))
        return invalid(502, tr("a malformed status line from the upstream"));
    int status = 0;
    for (qsizetype i = 9; i < 12; ++i) {
        if (line[i] < '0' || line[i] > '9')
            return invalid(502, tr("a malformed status line from the upstream"));
        status = status * 10 + (line[i] - '0');
    }
    if (status < 100 || status > 599)
        return invalid(502, tr("status %1 from the upstream is not an HTTP status").arg(status));
    out->status = status;
    out->minorVersion = minor;
    out->headers = std::move(head.headers);
    out->contentLength = head.contentLength;
    out->chunked = head.chunked;
    out->keepAlive = minor == 1 ? !head.close : (head.keepAlive && !head.close);
    return p;
}

// --- chunked bodies

bool ChunkedDecoder::fail(int status, const QString &why)
{
    m_state = State::Failed;
    m_error = Error { status, why, {} };
    return false;
}

qsizetype ChunkedDecoder::feed(QByteArrayView data, QByteArray *body)
{
    qsizetype i = 0;
    while (i < data.size() && m_state != State::Done && m_state != State::Failed) {
        switch (m_state) {
        case State::Size:
        case State::Trailers:
        case State::DataEnd: {
            const qsizetype nl = data.indexOf('\n', i);
            const qsizetype take = (nl < 0 ? data.size() : nl + 1) - i;
            if (m_line.size() + take > 4096) {
                fail(400, tr("a chunk-size or trailer line that never ends"));
                break;
            }
            // A line that arrived whole is read where it is (each event of a stream has two: its size and the
            // CRLF after its data); only one split across reads is collected in m_line.
            QByteArray collected;
            QByteArrayView line;
            if (m_line.isEmpty() && nl >= 0) {
                line = data.sliced(i, take);
                i += take;
            } else {
                m_line += data.sliced(i, take);
                i += take;
                if (nl < 0)
                    break;
                collected = std::exchange(m_line, QByteArray());
                line = collected;
            }
            line.chop(line.endsWith("\r\n") ? 2 : 1);
            if (line.contains('\r') || line.contains('\0')) {
                fail(400, tr("a bare carriage return or NUL in chunked framing"));
                break;
            }
            if (m_state == State::DataEnd) {
                if (!line.isEmpty())
                    fail(400, tr("chunk data longer than its size"));
                else
                    m_state = State::Size;
                break;
            }
            if (m_state == State::Trailers) {
                m_trailerBytes += line.size();
                if (m_trailerBytes > 16 * 1024)
                    fail(431, tr("chunked trailers larger than 16 KiB"));
                else if (line.isEmpty())
                    m_state = State::Done;
                break;
            }
            // chunk-size [; extensions]
            const qsizetype semi = line.indexOf(';');
            const QByteArrayView hex = (semi < 0 ? line : line.first(semi)).trimmed();
            if (hex.isEmpty() || hex.size() > 15) {
                fail(400, tr("an invalid chunk size"));
                break;
            }
            qint64 size = 0;
            for (char c : hex) {
                const int d = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
                if (d < 0) {
                    size = -1;
                    break;
                }
                size = size * 16 + d;
            }
            if (size < 0) {
                fail(400, tr("an invalid chunk size"));
                break;
            }
            if (m_decoded + size > m_max) {
                fail(413, tr("the body is larger than %1 bytes").arg(m_max));
                break;
            }
            m_remaining = size;
            m_state = size == 0 ? State::Trailers : State::Data;
            break;
        }
        case State::Data: {
            const qsizetype take = qsizetype(qMin<qint64>(m_remaining, data.size() - i));
            body->append(data.sliced(i, take));
            i += take;
            m_remaining -= take;
            m_decoded += take;
            if (m_remaining == 0)
                m_state = State::DataEnd;
            break;
        }
        case State::Done:
        case State::Failed: break;
        }
    }
    return i;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 499: return "Client Closed Request";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 529: return "Overloaded";
    default: return status < 400 ? "OK" : "Error";
    }
}

} // namespace d2a::http
