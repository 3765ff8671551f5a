// The HTTP/1.1 head parser's line scan (memchr over each line for its line feed, a NUL and its carriage
// returns) and the in-place header-name compares: faults named where they are, whatever the line they are on,
// every prefix of a head waiting for more, and names equal in ASCII case only.
#include "http/http1.h"

#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

using namespace d2a;
using State = http::Parsed::State;

Q_DECLARE_METATYPE(http::Parsed::State)

namespace {

http::Parsed request(const QByteArray &text, http::Limits limits = {})
{
    http::RequestHead out;
    return http::parseRequestHead(text, limits, &out);
}

http::Parsed response(const QByteArray &text, http::ResponseHead *out = nullptr)
{
    http::ResponseHead scratch;
    return http::parseResponseHead(text, http::Limits(), out ? out : &scratch);
}

/// ASCII lower case: the reference the compares are checked against.
char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

} // namespace

class TestHttp1 final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    void faultsAreNamedOnWhateverLineTheyAre_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<State>("state");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("why");
        const QByteArray ok = "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\r\n";
        QTest::newRow("whole") << ok << State::Done << 0 << QString();
        QTest::newRow("LF line ends") << QByteArray("GET / HTTP/1.1\nHost: a\nX-A: b\n\n") << State::Done << 0
                                      << QString();
        QTest::newRow("bare CR in the request line")
            << QByteArray("GET /\r HTTP/1.1\r\nHost: a\r\n\r\n") << State::Invalid << 400
            << QStringLiteral("a bare carriage return");
        QTest::newRow("bare CR in the last header")
            << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n") << State::Invalid << 400
            << QStringLiteral("a bare carriage return");
        QTest::newRow("CR CR LF") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n") << State::Invalid << 400
                                  << QStringLiteral("a bare carriage return");
        QTest::newRow("NUL in a value") << QByteArrayLiteral("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n")
                                        << State::Invalid << 400 << QStringLiteral("a NUL byte");
        QTest::newRow("NUL then a bare CR: the NUL is first")
            << QByteArrayLiteral("GET / HTTP/1.1\r\nX-A: \0b\rc\r\n\r\n") << State::Invalid << 400
            << QStringLiteral("a NUL byte");
        QTest::newRow("a bare CR then a NUL: the CR is first")
            << QByteArrayLiteral("GET / HTTP/1.1\r\nX-A: b\rc\0\r\n\r\n") << State::Invalid << 400
            << QStringLiteral("a bare carriage return");
        QTest::newRow("CR right before a NUL") << QByteArrayLiteral("GET / HTTP/1.1\r\nX-A: b\r\0\r\n\r\n")
                                               << State::Invalid << 400 << QStringLiteral("a bare carriage return");
        QTest::newRow("NUL in the line being received")
            << QByteArrayLiteral("GET / HTTP/1.1\r\nX-A: b\0") << State::Invalid << 400 << QStringLiteral("a NUL byte");
        QTest::newRow("CR last: its LF may follow")
            << QByteArray("GET / HTTP/1.1\r\nHost: a\r") << State::NeedMore << 0 << QString();
        QTest::newRow("fault after the head is not the head's")
            << QByteArrayLiteral("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody\r\0") << State::Done << 0 << QString();
        QTest::newRow("a header without a colon") << QByteArray("GET / HTTP/1.1\r\nHost a\r\n\r\n") << State::Invalid
                                                  << 400 << QStringLiteral("without a name and a colon");
        QTest::newRow("a colon first") << QByteArray("GET / HTTP/1.1\r\n: a\r\n\r\n") << State::Invalid << 400
                                       << QStringLiteral("without a name and a colon");
        QTest::newRow("space before the colon") << QByteArray("GET / HTTP/1.1\r\nHost : a\r\n\r\n") << State::Invalid
                                                << 400 << QStringLiteral("an invalid character in a header name");
        QTest::newRow("folded line") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n") << State::Invalid << 400
                                     << QStringLiteral("obsolete line folding");
        QTest::newRow("control byte in a value") << QByteArray("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n")
                                                 << State::Invalid << 400 << QStringLiteral("a control character");
        QTest::newRow("DEL in a value") << QByteArray("GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n") << State::Invalid << 400
                                        << QStringLiteral("a control character");
        QTest::newRow("tab and obs-text in a value")
            << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-A: \tb\xe9\r\n\r\n") << State::Done << 0 << QString();
    }

    void faultsAreNamedOnWhateverLineTheyAre()
    {
        QFETCH(QByteArray, head);
        QFETCH(State, state);
        QFETCH(int, status);
        QFETCH(QString, why);
        const http::Parsed p = request(head);
        QCOMPARE(p.state, state);
        if (state == State::Invalid) {
            QCOMPARE(p.error.httpStatus, status);
            QVERIFY2(p.error.message.contains(why), qPrintable(p.error.message));
        }
        if (state == State::Done)
            QCOMPARE(p.headBytes, head.indexOf(head.contains("\r\n\r\n") ? "\r\n\r\n" : "\n\n")
                                      + (head.contains("\r\n\r\n") ? 4 : 2));
    }

    void everyPrefixOfAHeadWaitsForMore()
    {
        // A head arriving a byte at a time: each prefix asks for more (never a fault, never done early), and the
        // whole head is read with its headers as sent.
        const QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-ratelimit-a: 1\r\n"
                                "Content-Length: 2\r\nX-Empty:\r\nx-b:  two words \r\n\r\nok";
        const qsizetype end = head.indexOf("\r\n\r\n") + 4;
        for (qsizetype n = 0; n < end; ++n)
            QVERIFY2(response(head.left(n)).state == State::NeedMore, qPrintable(QString::number(n)));
        http::ResponseHead out;
        const http::Parsed p = response(head, &out);
        QCOMPARE(p.state, State::Done);
        QCOMPARE(p.headBytes, end);
        QCOMPARE(out.status, 200);
        QCOMPARE(out.contentLength, 2);
        const HeaderList expected { { "Content-Type", "application/json" },
                                    { "x-ratelimit-a", "1" },
                                    { "Content-Length", "2" },
                                    { "X-Empty", "" },
                                    { "x-b", "two words" } };
        QCOMPARE(out.headers, expected);
    }

    void limitsOnLinesAndBytes()
    {
        http::Limits limits;
        limits.maxHeaders = 3;
        QByteArray head = "GET / HTTP/1.1\r\nHost: a\r\n";
        head += "X-1: 1\r\nX-2: 2\r\n";
        QCOMPARE(request(head + "\r\n", limits).state, State::Done); // 3 headers: at the limit
        const http::Parsed over = request(head + "X-3: 3\r\n\r\n", limits);
        QCOMPARE(over.state, State::Invalid);
        QCOMPARE(over.error.httpStatus, 431);
        // A head larger than the byte limit, its last byte a CR whose LF has not come: refused, not waited for.
        http::Limits small;
        small.maxHeadBytes = 32;
        const QByteArray big = "GET / HTTP/1.1\r\nX-Long: " + QByteArray(7, 'a') + '\r';
        QCOMPARE(big.size(), 32);
        const http::Parsed tooBig = request(big, small);
        QCOMPARE(tooBig.state, State::Invalid);
        QCOMPARE(tooBig.error.httpStatus, 431);
        QCOMPARE(request(big.chopped(1), small).state, State::NeedMore);
    }

    void headerNamesCompareInAsciiCaseOnly()
    {
        // Every pair of bytes: equal exactly when their ASCII lower cases are.
        for (int a = 0; a < 256; ++a)
            for (int b = 0; b < 256; ++b) {
                const char x = char(a), y = char(b);
                if (sameAsciiIgnoringCase(&x, &y, 1) != (lower(x) == lower(y)))
                    QFAIL(qPrintable(QStringLiteral("bytes %1 and %2").arg(a).arg(b)));
            }
        QVERIFY(isHeaderName("Content-Length", "content-length"));
        QVERIFY(isHeaderName("CONTENT-LENGTH", "Content-Length"));
        QVERIFY(!isHeaderName("content-lengths", "content-length"));
        QVERIFY(!isHeaderName("content_length", "content-length"));
        QVERIFY(headerNameStartsWith("X-RateLimit-Remaining", "x-ratelimit"));
        QVERIFY(!headerNameStartsWith("X-Rate", "x-ratelimit"));
        QVERIFY(!headerNameStartsWith("x-ratelimiT", "x-ratelimit-"));
        const HeaderList headers { { "content-typex", "no" }, { "Content-Type", "yes" }, { "content-type", "later" } };
        QCOMPARE(headerValue(headers, "CONTENT-TYPE"), QByteArray("yes"));
        QVERIFY(hasHeader(headers, "Content-typeX"));
        QVERIFY(!hasHeader(headers, "content-typ"));
        HeaderList set = headers;
        setHeader(set, "CONTENT-type", "one");
        const HeaderList expected { { "content-typex", "no" }, { "CONTENT-type", "one" } };
        QCOMPARE(set, expected);
    }
};

QTEST_GUILESS_MAIN(TestHttp1)
#include "tst_http1.moc"
