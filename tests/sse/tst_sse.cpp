// Byte-exact SSE splitting.
#include "sse/ssesplitter.h"

#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

using namespace d2a;

class TestSse final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    void everySplitPoint_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<int>("events");
        QTest::newRow("lf") << QByteArray("event: a\ndata: {\"x\":1}\n\ndata: two\n\n") << 2;
        QTest::newRow("crlf") << QByteArray("event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n") << 2;
        QTest::newRow("cr") << QByteArray("data: 1\r\rdata: 2\r\r") << 2;
        QTest::newRow("utf8") << QByteArray(
            "data: {\"t\":\"h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x98\x80\"}\n\n")
                              << 1;
        QTest::newRow("comment+multiline") << QByteArray(": ping\n\ndata: a\ndata: b\n\n") << 2;
    }

    void everySplitPoint()
    {
        // However TCP cuts the bytes, the events that come out are the same bytes.
        QFETCH(QByteArray, stream);
        QFETCH(int, events);
        for (int cut = 0; cut <= stream.size(); ++cut) {
            for (int cut2 = cut; cut2 <= stream.size(); cut2 += 3) {
                SseSplitter s;
                QList<QByteArray> out = s.feed(stream.left(cut));
                out += s.feed(stream.mid(cut, cut2 - cut));
                out += s.feed(stream.mid(cut2));
                // A CR-only stream's last terminator is ambiguous until the next byte or the end of the body.
                const QByteArray rest = s.takeRemainder();
                if (!rest.isEmpty())
                    out.append(rest);
                QCOMPARE(out.size(), events);
                QCOMPARE(out.join(), stream);
            }
        }
    }

    void byteByByte()
    {
        const QByteArray stream("event: message_start\ndata: {\"a\":\"\xe4\xb8\x96\"}\n\nevent: ping\ndata: {}\n\n");
        SseSplitter s;
        QList<QByteArray> out;
        for (char c : stream)
            out += s.feed(QByteArray(1, c));
        QCOMPARE(out.size(), 2);
        QCOMPARE(out.join(), stream);
    }

    void parse()
    {
        SseEvent e = SseSplitter::parse("event: content_block_delta\r\ndata: {\"a\":1}\r\nid: 7\r\n\r\n");
        QCOMPARE(e.event, QByteArray("content_block_delta"));
        QCOMPARE(e.data, QByteArray("{\"a\":1}"));
        QCOMPARE(e.id, QByteArray("7"));
        QVERIFY(!e.isComment);
        e = SseSplitter::parse("data: a\ndata:b\n\n");
        QCOMPARE(e.data, QByteArray("a\nb"));
        QVERIFY(SseSplitter::parse(": keepalive\n\n").isComment);
        // An empty data line is an empty payload, not none; a line without a colon is a field with no value.
        e = SseSplitter::parse("data:\n\n");
        QVERIFY(!e.data.isNull());
        QVERIFY(e.data.isEmpty());
        e = SseSplitter::parse("data\n\n");
        QVERIFY(!e.data.isNull());
        QVERIFY(e.data.isEmpty());
        QVERIFY(SseSplitter::parse("event: ping\n\n").data.isNull());
        e = SseSplitter::parse("event:x\rdata:\rdata: a:b\r\r");
        QCOMPARE(e.event, QByteArray("x"));
        QCOMPARE(e.data, QByteArray("\na:b"));
        QVERIFY(!e.isComment);
        QCOMPARE(SseSplitter::format("ping", "{}"), QByteArray("event: ping\ndata: {}\n\n"));
    }

    void remainder()
    {
        SseSplitter s;
        QVERIFY(s.feed("data: [DONE]").isEmpty());
        QCOMPARE(s.takeRemainder(), QByteArray("data: [DONE]"));
        QVERIFY(s.pending().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSse)
#include "tst_sse.moc"
