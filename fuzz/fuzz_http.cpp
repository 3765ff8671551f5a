// libFuzzer target: the HTTP/1.1 head parsers (requests from clients, responses from upstreams) and the
// chunked decoder behind them. Invariants: no crash or sanitizer report; a parsed head never claims more
// bytes than it had; a head that parses whole parses the same when it arrives in pieces; chunked decoding
// gives the same body and outcome whatever the read sizes, and never more than its limit.

#include "fuzz_common.h"
#include "http/http1.h"

using namespace d2a;

namespace {

void checkChunked(const QByteArray &data, uint8_t seed)
{
    constexpr qint64 kMax = 4096;
    http::ChunkedDecoder whole(kMax);
    QByteArray wholeBody;
    const qsizetype used = whole.feed(data, &wholeBody);
    D2A_FUZZ_CHECK(used >= 0 && used <= data.size());
    D2A_FUZZ_CHECK(wholeBody.size() <= kMax);
    D2A_FUZZ_CHECK(
        !whole.failed()
        || (whole.error().httpStatus == 400 || whole.error().httpStatus == 413 || whole.error().httpStatus == 431));

    http::ChunkedDecoder split(kMax);
    QByteArray splitBody;
    qsizetype consumed = 0;
    bool stopped = false;
    fuzz::inPieces(data, seed, [&](const QByteArray &piece) {
        if (stopped)
            return;
        const qsizetype n = split.feed(piece, &splitBody);
        consumed += n;
        if (split.done() || split.failed() || n < piece.size())
            stopped = true;
    });
    D2A_FUZZ_CHECK(split.done() == whole.done());
    D2A_FUZZ_CHECK(split.failed() == whole.failed());
    if (whole.done()) {
        D2A_FUZZ_CHECK(splitBody == wholeBody);
        D2A_FUZZ_CHECK(consumed == used);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    fuzz::Input in(bytes, size);
    const uint8_t mode = in.byte();
    const uint8_t seed = in.byte();
    const QByteArray data = in.rest();
    http::Limits limits;
    limits.maxHeadBytes = 2048 + (mode >> 2) * 64;
    limits.maxHeaders = 4 + (mode >> 3);

    if ((mode & 3) == 2) {
        checkChunked(data, seed);
        return 0;
    }
    http::Parsed p;
    qint64 contentLength = -1;
    bool chunked = false;
    if ((mode & 1) == 0) {
        http::RequestHead head;
        p = http::parseRequestHead(data, limits, &head);
        contentLength = head.contentLength;
        chunked = head.chunked;
        if (p.state == http::Parsed::State::Done) {
            D2A_FUZZ_CHECK(!head.method.isEmpty() && !head.target.isEmpty());
            D2A_FUZZ_CHECK(head.minorVersion == 0 || head.minorVersion == 1);
            D2A_FUZZ_CHECK(!(chunked && contentLength >= 0)); // smuggling is refused
            D2A_FUZZ_CHECK(head.headers.size() <= limits.maxHeaders);
        }
    } else {
        http::ResponseHead head;
        p = http::parseResponseHead(data, limits, &head);
        contentLength = head.contentLength;
        chunked = head.chunked;
        if (p.state == http::Parsed::State::Done)
            D2A_FUZZ_CHECK(head.status >= 100 && head.status <= 599);
    }
    if (p.state == http::Parsed::State::Done) {
        D2A_FUZZ_CHECK(p.headBytes > 0 && p.headBytes <= data.size() && p.headBytes <= limits.maxHeadBytes);
        // A complete head is complete at every prefix that contains it, and incomplete before its end.
        http::RequestHead again;
        if ((mode & 1) == 0) {
            D2A_FUZZ_CHECK(http::parseRequestHead(data.left(p.headBytes), limits, &again).state
                           == http::Parsed::State::Done);
            D2A_FUZZ_CHECK(http::parseRequestHead(data.left(p.headBytes - 1), limits, &again).state
                           != http::Parsed::State::Done);
        }
        if (chunked)
            checkChunked(data.mid(p.headBytes), seed);
    } else if (p.state == http::Parsed::State::Invalid) {
        const int s = p.error.httpStatus;
        D2A_FUZZ_CHECK(s == 400 || s == 431 || s == 501 || s == 505 || s == 502);
    } else {
        // More is needed only while the head is within its limit.
        D2A_FUZZ_CHECK(data.size() < limits.maxHeadBytes);
    }
    return 0;
}
