#include "ssesplitter.h"

#include <cstring>

namespace d2a {

namespace {
/// Where the line at `from` ends: its first '\n', or a '\r' before it; `n` when neither comes. Every streamed
/// event is scanned here (by feed, then by parse), so with memchr rather than byte by byte; the '\r' search stops
/// at the '\n', so each byte is looked at about twice at most.
qsizetype lineBreakAt(const char *d, qsizetype from, qsizetype n)
{
    const void *nl = std::memchr(d + from, '\n', std::size_t(n - from));
    const qsizetype end = nl ? static_cast<const char *>(nl) - d : n;
    const void *cr = std::memchr(d + from, '\r', std::size_t(end - from));
    return cr ? static_cast<const char *>(cr) - d : end;
}
} // namespace

QList<QByteArray> SseSplitter::feed(const QByteArray &bytes)
{
    QList<QByteArray> events;
    if (bytes.isEmpty())
        return events;
    m_buf += bytes;
    qsizetype start = 0;
    qsizetype i = qMax<qsizetype>(0, m_scanFrom);
    const qsizetype n = m_buf.size();
    const char *d = m_buf.constData();
    // An event ends at an empty line: "\n\n", "\r\n\r\n", "\r\r" (and the mixed "\n\r\n", "\r\n\n").
    while (i < n) {
        i = lineBreakAt(d, i, n);
        if (i >= n)
            break;
        const char c = d[i];
        qsizetype lineEnd = i + 1;
        if (c == '\r') {
            if (i + 1 >= n)
                break; // a lone '\r' at the end: wait to see whether '\n' follows
            if (d[i + 1] == '\n')
                lineEnd = i + 2;
        }
        // lineEnd is just past one line terminator; an empty line right after it ends the event.
        if (lineEnd >= n) {
            i = lineEnd;
            break;
        }
        const char e = d[lineEnd];
        qsizetype eventEnd = -1;
        if (e == '\n') {
            eventEnd = lineEnd + 1;
        } else if (e == '\r') {
            if (lineEnd + 1 >= n) {
                i = lineEnd; // "\r" or "\r\n" ends the empty line: wait for the next byte to know which
                break;
            }
            eventEnd = d[lineEnd + 1] == '\n' ? lineEnd + 2 : lineEnd + 1;
        }
        if (eventEnd > 0) {
            events.append(m_buf.mid(start, eventEnd - start));
            start = eventEnd;
            i = eventEnd;
        } else {
            i = lineEnd;
        }
    }
    if (start == n) { // the usual case: the read ended with an event
        m_buf = QByteArray();
        i = 0;
    } else if (start > 0) {
        m_buf.remove(0, start);
        i -= start;
    }
    // Rescan from a little before the end so a terminator split across reads is still found.
    m_scanFrom = qMax<qsizetype>(0, qMin(i, m_buf.size()) - 2);
    return events;
}

QByteArray SseSplitter::takeRemainder()
{
    QByteArray rest;
    rest.swap(m_buf);
    m_scanFrom = 0;
    return rest;
}

SseEvent SseSplitter::parse(const QByteArray &raw)
{
    SseEvent ev;
    bool anyField = false;
    bool anyComment = false;
    qsizetype pos = 0;
    const qsizetype n = raw.size();
    const QByteArrayView all(raw);
    const char *d = raw.constData();
    while (pos < n) {
        const qsizetype end = lineBreakAt(d, pos, n);
        const QByteArrayView line = all.sliced(pos, end - pos); // a view: no copy of each line
        if (end < n && all[end] == '\r' && end + 1 < n && all[end + 1] == '\n')
            pos = end + 2;
        else
            pos = end + 1;
        if (line.isEmpty())
            continue;
        if (line.front() == ':') {
            anyComment = true;
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        const QByteArrayView field = colon < 0 ? line : line.first(colon);
        QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
        if (value.startsWith(' '))
            value = value.sliced(1);
        anyField = true;
        if (field == "event") {
            ev.event = value.toByteArray();
        } else if (field == "data") {
            if (ev.data.isNull()) {
                ev.data = value.toByteArray(); // the usual single data line: one copy
                if (ev.data.isNull())
                    ev.data = QByteArray(""); // "data:" with nothing after it is an empty payload, not none
            } else {
                ev.data += '\n';
                ev.data += value;
            }
        } else if (field == "id") {
            ev.id = value.toByteArray();
        }
    }
    ev.isComment = anyComment && !anyField;
    return ev;
}

QByteArray SseSplitter::format(const QByteArray &event, const QByteArray &data)
{
    QByteArray out;
    out.reserve(event.size() + data.size() + 16);
    if (!event.isEmpty())
        out += "event: " + event + '\n';
    out += "data: " + data + "\n\n";
    return out;
}

} // namespace d2a
