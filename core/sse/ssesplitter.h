#pragma once
// Byte-exact Server-Sent Events splitting: no decoding of partial data, so a multi-byte UTF-8 character split
// across TCP reads is never corrupted, and every event is forwarded the moment its blank line arrives.

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>

namespace d2a {

/// One parsed event (fields per the SSE spec; data lines joined with '\n').
struct SseEvent
{
    QByteArray event;
    QByteArray data;
    QByteArray id;
    bool isComment = false; ///< only ':' lines
};

class SseSplitter final
{
public:
    /// Appends bytes and returns the raw events completed by them, each with its terminating blank line.
    QList<QByteArray> feed(const QByteArray &bytes);
    /// Bytes of an event not yet complete.
    const QByteArray &pending() const { return m_buf; }
    /// Returns what is pending as a final event (upstream closed without a trailing blank line).
    QByteArray takeRemainder();

    /// Parses one raw event.
    static SseEvent parse(const QByteArray &raw);
    /// Formats an event: "event: NAME\ndata: DATA\n\n" (no event line when `event` is empty).
    static QByteArray format(const QByteArray &event, const QByteArray &data);

private:
    QByteArray m_buf;
    qsizetype m_scanFrom = 0;
};

} // namespace d2a
