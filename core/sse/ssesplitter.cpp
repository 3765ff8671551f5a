#include "ssesplitter.h"

namespace d2a {

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
        const char c = d[i];
        if (c != '\n' && c != '\r') {
            ++i;
            continue;
        }
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
    if (start > 0) {
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
    while (pos < n) {
        qsizetype end = pos;
        while (end < n && raw[end] != '\n' && raw[end] != '\r')
            ++end;
        const QByteArray line = raw.mid(pos, end - pos);
        if (end < n && raw[end] == '\r' && end + 1 < n && raw[end + 1] == '\n')
            pos = end + 2;
        else
            pos = end + 1;
        if (line.isEmpty())
            continue;
        if (line.startsWith(':')) {
            anyComment = true;
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        QByteArray field = colon < 0 ? line : line.left(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
        anyField = true;
        if (field == "event") {
            ev.event = value;
        } else if (field == "data") {
            if (!ev.data.isNull())
                ev.data += '\n';
            else
                ev.data = QByteArray("");
            ev.data += value;
        } else if (field == "id") {
            ev.id = value;
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
