#pragma once
// The set-up the proxy suites share: a fake Factory upstream on 127.0.0.1, a ProxyService in front of it
// (Factory key credential, file token store, the four endpoints pointing at the fake), and a client. Also a
// raw socket helper for the tests that must write bytes no well-behaved client would.

#include "auth/authmanager.h"
#include "config/config.h"
#include "server/proxyservice.h"
#include "support/fakeupstream.h"
#include "support/testclient.h"
#include "upstream/httpclient.h"

#include <QtNetwork/qtcpsocket.h>
#include <QtTest/qtest.h>

#include <memory>

struct ProxyFixture
{
    std::unique_ptr<FakeUpstream> fake;
    std::unique_ptr<d2a::ProxyService> proxy;
    std::unique_ptr<d2a::HttpClient> client;
    QElapsedTimer clock;
    QString factoryKey = QStringLiteral("fk-fixture-0123456789abcdef");
    QString startError; ///< why the last startProxy() failed

    /// Starts the fake and a client; call startProxy() next (with a config from config()).
    bool up()
    {
        clock.start();
        fake = std::make_unique<FakeUpstream>();
        client = std::make_unique<d2a::HttpClient>();
        return fake->listen();
    }

    d2a::Config config() const
    {
        d2a::Config c = d2a::ConfigLoader::defaults();
        c.endpoints[d2a::ModelType::Anthropic] = fake->url(QStringLiteral("/api/llm/a/v1/messages"));
        c.endpoints[d2a::ModelType::OpenAI] = fake->url(QStringLiteral("/api/llm/o/v1/responses"));
        c.endpoints[d2a::ModelType::Common] = fake->url(QStringLiteral("/api/llm/o/v1/chat/completions"));
        c.endpoints[d2a::ModelType::Google] = fake->url(QStringLiteral("/api/llm/g/v1/generate"));
        c.userAgentUpdateUrl.clear();
        c.tokenStore = QStringLiteral("file");
        return c;
    }

    /// A ProxyService on 127.0.0.1:0 with `c`, its key check (whoami) settled. False when it did not start.
    bool startProxy(const d2a::Config &c)
    {
        proxy = std::make_unique<d2a::ProxyService>();
        d2a::Environment env;
        env.factoryApiKey = factoryKey;
        proxy->setEnvironment(env);
        proxy->setConfig(c);
        const auto started = proxy->start(QStringLiteral("127.0.0.1"), 0);
        startError = started.ok() ? QString() : started.error().message;
        if (!started.ok())
            return false;
        if (QTest::qWaitFor([this] { return proxy->auth()->isLoaded() && proxy->auth()->keyChecked(); }, 10000))
            return true;
        startError = QStringLiteral("the key check (whoami) did not settle within 10 s");
        return false;
    }

    QUrl url(const QString &path) const { return QUrl(proxy->baseUrl() + path); }

    /// One call to completion through the test client.
    bool call(RecordedCall &rc, const QByteArray &method, const QString &path, const QByteArray &body,
              const d2a::HeaderList &headers = {})
    {
        startCall(*client, rc, method, url(path), body, headers, clock);
        return QTest::qWaitFor([&rc] { return rc.done(); }, 10000);
    }

    /// A raw connection to the proxy.
    std::unique_ptr<QTcpSocket> raw() const
    {
        auto s = std::make_unique<QTcpSocket>();
        s->connectToHost(QHostAddress::LocalHost, proxy->port());
        s->waitForConnected(5000);
        return s;
    }
};

/// Reads from `socket` until the server has closed it (or `timeoutMs`); returns everything that arrived.
inline QByteArray readUntilClosed(QTcpSocket &socket, int timeoutMs = 10000)
{
    QByteArray all;
    // Callers check what arrived and, where it matters, the socket state.
    (void)QTest::qWaitFor(
        [&] {
        all += socket.readAll();
        return socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    return all + socket.readAll();
}
