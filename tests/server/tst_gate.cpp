// The Gate on its own: each refusal and each admission of a request head, parsed by the real head parser as the
// server parses it (Host against DNS rebinding, Origin and Sec-Fetch-Site against web pages, the access key).

#include "config/config.h"
#include "http/http1.h"
#include "server/gate.h"

#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

using namespace d2a;

namespace {

http::RequestHead head(const QByteArray &text)
{
    http::RequestHead out;
    const http::Parsed parsed = http::parseRequestHead(text, http::Limits(), &out);
    if (parsed.state != http::Parsed::State::Done)
        qFatal("test head did not parse: %s", qPrintable(parsed.error.message));
    return out;
}

/// A POST to /v1/messages with these extra header lines (each ending in CRLF).
http::RequestHead post(const QByteArray &host, const QByteArray &extra = {}, const QByteArray &target = "/v1/messages")
{
    return head("POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 2\r\n" + extra + "\r\n");
}

/// The status of the refusal, or 0 when the gate lets the request in.
int refusal(const Config &config, const QString &listenHost, const http::RequestHead &h)
{
    const auto e = Gate(config, listenHost).admit(h);
    return e ? e->httpStatus : 0;
}

} // namespace

class TestGate final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    void hosts_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<QString>("listen");
        QTest::addColumn<bool>("allowed");
        const QString loopback = QStringLiteral("127.0.0.1");
        QTest::newRow("no Host") << QByteArray() << loopback << true;
        QTest::newRow("localhost") << QByteArray("localhost:3000") << loopback << true;
        QTest::newRow("LOCALHOST.") << QByteArray("LOCALHOST.:3000") << loopback << true;
        QTest::newRow("127.0.0.1") << QByteArray("127.0.0.1:3000") << loopback << true;
        QTest::newRow("another loopback address") << QByteArray("127.4.5.6") << loopback << true;
        QTest::newRow("[::1]") << QByteArray("[::1]:3000") << loopback << true;
        QTest::newRow("unclosed bracket") << QByteArray("[::1:3000") << loopback << false;
        QTest::newRow("rebinding name") << QByteArray("attacker.example:3000") << loopback << false;
        QTest::newRow("a LAN address while on loopback") << QByteArray("192.168.1.5:3000") << loopback << false;
        QTest::newRow("the listener's own address")
            << QByteArray("192.168.1.5:3000") << QStringLiteral("192.168.1.5") << true;
        QTest::newRow("another address than the listener's")
            << QByteArray("192.168.1.6:3000") << QStringLiteral("192.168.1.5") << false;
        QTest::newRow("allowed_hosts, any case") << QByteArray("My.Box:3000") << loopback << true;
        QTest::newRow("a name that only starts like an allowed one") << QByteArray("my.box.evil") << loopback << false;
    }
    void hosts()
    {
        QFETCH(QByteArray, host);
        QFETCH(QString, listen);
        QFETCH(bool, allowed);
        Config config = ConfigLoader::defaults();
        config.allowedHosts = { QStringLiteral("my.box") };
        QCOMPARE(Gate(config, listen).hostAllowed(host), allowed);
        if (!host.isEmpty()) // the same answer through admit(): 403 with the Host named (as the client sent it)
            QCOMPARE(refusal(config, listen, post(host)), allowed ? 0 : 403);
    }

    void origins_data()
    {
        QTest::addColumn<QStringList>("allowedOrigins");
        QTest::addColumn<QByteArray>("lines");
        QTest::addColumn<int>("status");
        const QStringList none;
        const QStringList dev { QStringLiteral("http://localhost:*") };
        QTest::newRow("no Origin, no Sec-Fetch-Site (a CLI)") << none << QByteArray() << 0;
        QTest::newRow("an Origin with none allowed") << none << QByteArray("Origin: http://localhost:5173\r\n") << 403;
        QTest::newRow("null Origin (file://)") << none << QByteArray("Origin: null\r\n") << 403;
        QTest::newRow("a pattern's port") << dev << QByteArray("Origin: http://localhost:5173\r\n") << 0;
        QTest::newRow("a pattern's port, other case") << dev << QByteArray("Origin: HTTP://LOCALHOST:1\r\n") << 0;
        QTest::newRow("the pattern's name made longer")
            << dev << QByteArray("Origin: http://localhost.evil.example:1\r\n") << 403;
        QTest::newRow("another scheme") << dev << QByteArray("Origin: https://localhost:5173\r\n") << 403;
        QTest::newRow("exact origin") << QStringList { QStringLiteral("https://app.example") }
                                      << QByteArray("Origin: https://app.example\r\n") << 0;
        QTest::newRow("every origin") << QStringList { QStringLiteral("*") }
                                      << QByteArray("Origin: https://anything.example\r\n") << 0;
        QTest::newRow("another site's page without Origin")
            << none << QByteArray("Sec-Fetch-Site: cross-site\r\n") << 403;
        QTest::newRow("a same-site page without Origin") << dev << QByteArray("Sec-Fetch-Site: same-site\r\n") << 403;
        QTest::newRow("the user typing the URL") << none << QByteArray("Sec-Fetch-Site: none\r\n") << 0;
        QTest::newRow("same-origin") << none << QByteArray("Sec-Fetch-Site: same-origin\r\n") << 0;
        QTest::newRow("another site, every origin allowed")
            << QStringList { QStringLiteral("*") } << QByteArray("Sec-Fetch-Site: cross-site\r\n") << 0;
    }
    void origins()
    {
        QFETCH(QStringList, allowedOrigins);
        QFETCH(QByteArray, lines);
        QFETCH(int, status);
        Config config = ConfigLoader::defaults();
        config.allowedOrigins = allowedOrigins;
        const auto e = Gate(config, config.host).admit(post("127.0.0.1:3000", lines));
        QCOMPARE(e ? e->httpStatus : 0, status);
        if (e)
            QVERIFY2(e->message.contains(QStringLiteral("web pages")), qPrintable(e->message));
    }

    void accessKey_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        const QByteArray host = "Host: 127.0.0.1:3000\r\n";
        QTest::newRow("none") << QByteArray("POST /v1/messages HTTP/1.1\r\n" + host + "\r\n") << 401;
        QTest::newRow("Authorization: Bearer")
            << QByteArray("POST /v1/messages HTTP/1.1\r\n" + host + "Authorization: Bearer s3cret\r\n\r\n") << 0;
        QTest::newRow("a wrong bearer") << QByteArray("POST /v1/messages HTTP/1.1\r\n" + host
                                                      + "Authorization: Bearer s3cre\r\n\r\n")
                                        << 401;
        QTest::newRow("the key without Bearer (taken as it is)")
            << QByteArray("POST /v1/messages HTTP/1.1\r\n" + host + "Authorization: s3cret\r\n\r\n") << 0;
        QTest::newRow("x-api-key") << QByteArray("POST /v1/messages HTTP/1.1\r\n" + host + "x-api-key: s3cret\r\n\r\n")
                                   << 0;
        QTest::newRow("x-goog-api-key") << QByteArray("POST /v1beta/models/g:generateContent HTTP/1.1\r\n" + host
                                                      + "x-goog-api-key: s3cret\r\n\r\n")
                                        << 0;
        QTest::newRow("?key=") << QByteArray("POST /v1beta/models/g:generateContent?key=s3cret HTTP/1.1\r\n" + host
                                             + "\r\n")
                               << 0;
        QTest::newRow("?key= wrong") << QByteArray("POST /v1beta/models/g:generateContent?key=nope HTTP/1.1\r\n" + host
                                                   + "\r\n")
                                     << 401;
        QTest::newRow("GET / (a bare status)") << QByteArray("GET / HTTP/1.1\r\n" + host + "\r\n") << 0;
        QTest::newRow("GET /v1/models") << QByteArray("GET /v1/models HTTP/1.1\r\n" + host + "\r\n") << 401;
        QTest::newRow("a preflight") << QByteArray("OPTIONS /v1/messages HTTP/1.1\r\n" + host + "\r\n") << 0;
    }
    void accessKey()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        Config config = ConfigLoader::defaults();
        config.accessKey = QStringLiteral("s3cret");
        const auto e = Gate(config, config.host).admit(head(request));
        QCOMPARE(e ? e->httpStatus : 0, status);
        if (e) // the refusal says how to send the key, and never the key itself
            QVERIFY(e->message.contains(QStringLiteral("access key")) && !e->message.contains(u"s3cret"));
    }

    void noAccessKeySet()
    {
        const Config config = ConfigLoader::defaults();
        QVERIFY(config.accessKey.isEmpty());
        const Gate gate(config, config.host);
        QVERIFY(gate.offersAccessKey({}, QUrlQuery()));
        QVERIFY(!gate.admit(post("localhost:3000")));
    }

    void hostIsCheckedBeforeTheKey()
    {
        // A rebinding page that somehow has the key is still refused for its Host (403, not admitted).
        Config config = ConfigLoader::defaults();
        config.accessKey = QStringLiteral("s3cret");
        QCOMPARE(refusal(config, config.host, post("attacker.example", "x-api-key: s3cret\r\n")), 403);
        QCOMPARE(refusal(config, config.host, post("localhost", "x-api-key: s3cret\r\n")), 0);
    }
};

QTEST_GUILESS_MAIN(TestGate)
#include "tst_gate.moc"
