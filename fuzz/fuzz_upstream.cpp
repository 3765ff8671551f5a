// libFuzzer target: arbitrary bytes as an upstream's HTTP/1.1 response, through the upstream client's own
// response parser (UpstreamReply: 1xx skipping, the framing choice, Content-Length, the shared chunked decoder,
// until-close bodies) and on into the SSE splitter, as the Relay reads a stream. Invariants: no crash, leak or
// sanitizer report; exactly one end (finished or failed) once the input ends, a head before any body; what it
// holds unparsed stays within the head's limit; the body is never more than the bytes given; the outcome and
// status (and a finished body) are the same whatever the read sizes.

#include "fuzz_common.h"
#include "sse/ssesplitter.h"
#include "upstream/httpclient.h"

#include <QtCore/qloggingcategory.h>

using namespace d2a;

namespace {

struct Outcome
{
    int heads = 0;
    int status = 0;
    QByteArray body;
    int finished = 0;
    int failed = 0;
    int errorStatus = 0;
    /// The same end: a failure may come after more or less of the body, as the reads fall.
    bool operator==(const Outcome &o) const
    {
        return heads == o.heads && status == o.status && finished == o.finished && failed == o.failed
               && errorStatus == o.errorStatus && (!finished || body == o.body);
    }
};

/// Feeds `pieces` (all of `data` when `seed` is 0, else reads of 1..64 bytes), then the end of the connection.
Outcome run(const QByteArray &data, uint8_t seed, bool head)
{
    UpstreamRequest request;
    request.method = head ? QByteArrayLiteral("HEAD") : QByteArrayLiteral("POST");
    request.url = QUrl(QStringLiteral("http://127.0.0.1:9/v1/messages"));
    auto reply = UpstreamReply::detached(request);
    Outcome o;
    QObject::connect(reply.get(), &UpstreamReply::headReceived, [&] {
        ++o.heads;
        o.status = reply->status();
        D2A_FUZZ_CHECK(o.body.isEmpty());
    });
    QObject::connect(reply.get(), &UpstreamReply::dataReceived, [&](const QByteArray &d) {
        D2A_FUZZ_CHECK(o.heads == 1 && !d.isEmpty());
        o.body += d;
    });
    QObject::connect(reply.get(), &UpstreamReply::finished, [&] { ++o.finished; });
    QObject::connect(reply.get(), &UpstreamReply::failed, [&](const Error &e) {
        ++o.failed;
        o.errorStatus = e.httpStatus;
    });
    // The head's limit (64 KiB) plus the read that crossed it: nothing else accumulates.
    constexpr qsizetype kHeld = 64 * 1024 + 64;
    if (seed == 0) {
        reply->feed(data);
        D2A_FUZZ_CHECK(reply->isDone() || reply->bufferedBytes() <= kHeld);
    } else {
        fuzz::inPieces(data, seed, [&](const QByteArray &piece) {
            reply->feed(piece);
            D2A_FUZZ_CHECK(reply->isDone() || reply->bufferedBytes() <= kHeld);
        });
    }
    reply->endOfInput(QStringLiteral("closed"));
    D2A_FUZZ_CHECK(reply->isDone());
    D2A_FUZZ_CHECK(o.finished + o.failed == 1);
    D2A_FUZZ_CHECK(o.heads <= 1);
    D2A_FUZZ_CHECK(o.body.size() <= data.size());
    if (o.heads == 1)
        D2A_FUZZ_CHECK(o.status >= 100 && o.status <= 599);
    if (o.finished)
        D2A_FUZZ_CHECK(o.heads == 1);
    if (o.failed)
        D2A_FUZZ_CHECK(o.errorStatus == 502);
    if (head)
        D2A_FUZZ_CHECK(o.body.isEmpty());
    return o;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // Every refused answer logs a line: quiet, so the fuzzer runs at full speed.
    QLoggingCategory::setFilterRules(QStringLiteral("*=false"));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    fuzz::Input in(bytes, size);
    const uint8_t mode = in.byte();
    const uint8_t seed = in.byte();
    const QByteArray data = in.rest();
    const bool head = mode & 1;

    const Outcome whole = run(data, 0, head);
    const Outcome split = run(data, uint8_t(seed | 1), head);
    D2A_FUZZ_CHECK(whole == split);

    // A stream's body goes on to the SSE splitter, as the Relay reads it: events are whole, and the same
    // whatever the pieces.
    if (whole.finished && !whole.body.isEmpty()) {
        SseSplitter a;
        const QList<QByteArray> events = a.feed(whole.body);
        for (const QByteArray &e : events)
            D2A_FUZZ_CHECK(!e.isEmpty() && (e.endsWith('\n') || e.endsWith('\r')));
        SseSplitter b;
        QList<QByteArray> pieces;
        fuzz::inPieces(whole.body, seed, [&](const QByteArray &piece) { pieces += b.feed(piece); });
        D2A_FUZZ_CHECK(pieces == events);
        D2A_FUZZ_CHECK(a.pending() == b.pending());
    }
    return 0;
}
