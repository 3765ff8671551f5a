// bench_upstream: a fast local LLM-API stand-in for the benchmark. Keep-alive HTTP/1.1 on 127.0.0.1:
//   POST .../chat/completions            a small Chat Completions answer (JSON)
//   POST .../chat/completions + "stream"  64 SSE chunks, 5 ms apart, then [DONE]
//   POST .../messages                    the same in Anthropic Messages (answer, or a 64-event stream)
// A request for the model "bench-s500" streams 500 events at once instead, and one for a model named
// "bench-paced..." 500 events 5 ms apart (a model's pace: the per-event CPU measurement).
// With --big-headers every answer carries ~1.5 KB of headers, as real LLM APIs send; with --tls CERT KEY it
// serves HTTPS (HTTP/1.1 offered by ALPN).
#include "http/http1.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qhash.h>
#include <QtCore/qtimer.h>
#include <QtCore/qfile.h>
#include <QtNetwork/qsslcertificate.h>
#include <QtNetwork/qsslconfiguration.h>
#include <QtNetwork/qsslkey.h>
#include <QtNetwork/qsslserver.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>

#include <cstdio>
#include <memory>

namespace {
constexpr qint64 kMaxBodyBytes = 64 * 1024 * 1024;
QByteArray g_extraHeaders;
const QByteArray kBody =
    R"({"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the benchmark upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":7,"total_tokens":17}})";

const QByteArray kAnthropicBody =
    R"({"id":"msg_bench","type":"message","role":"assistant","model":"bench","content":[{"type":"text","text":"Hello from the benchmark upstream."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":7}})";

QByteArray chunked(const QByteArray &ev)
{
    return QByteArray::number(ev.size(), 16) + "\r\n" + ev + "\r\n";
}

QByteArray chatEvent(int n, int total)
{
    if (n < total)
        return "data: "
               "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"bench\",\"choices\":[{"
               "\"index\":0,\"delta\":{\"content\":\"t"
               + QByteArray::number(n) + "\"},\"finish_reason\":null}]}\n\n";
    return "data: [DONE]\n\n";
}

QByteArray anthropicEvent(int n, int total)
{
    // message_start, content_block_start, total-4 text deltas, content_block_stop, message_delta, message_stop
    if (n == 0)
        return "event: message_start\ndata: "
               "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":"
               "\"assistant\",\"model\":\"bench\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
               "{\"input_tokens\":10,\"output_tokens\":1}}}\n\n";
    if (n == 1)
        return "event: content_block_start\ndata: "
               "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
    if (n < total - 2)
        return "event: content_block_delta\ndata: "
               "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" token "
               + QByteArray::number(n) + "\"}}\n\n";
    if (n == total - 2)
        return "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\nevent: "
               "message_delta\ndata: "
               "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{"
               "\"output_tokens\":500}}\n\n";
    return "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
}

/// A stream of `total` events; `spacingMs` apart (0: all at once, as fast as the socket takes them).
void stream(QTcpSocket *s, bool anthropic, int total, int spacingMs)
{
    s->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n" + g_extraHeaders
             + "Transfer-Encoding: chunked\r\n\r\n");
    auto event = [anthropic, total](int n) { return anthropic ? anthropicEvent(n, total) : chatEvent(n, total); };
    const int last = anthropic ? total - 1 : total; // chat ends with [DONE] after `total` chunks
    if (spacingMs == 0) {
        QByteArray all;
        for (int n = 0; n <= last; ++n)
            all += chunked(event(n));
        s->write(all + "0\r\n\r\n");
        return;
    }
    auto n = std::make_shared<int>(0);
    auto *timer = new QTimer(s);
    timer->setInterval(spacingMs);
    QObject::connect(timer, &QTimer::timeout, s, [s, n, timer, event, last] {
        s->write(chunked(event(*n)));
        if (++*n > last) {
            s->write("0\r\n\r\n");
            timer->stop();
            timer->deleteLater();
        }
    });
    timer->start();
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (app.arguments().contains(QStringLiteral("--big-headers"))) {
        for (int i = 0; g_extraHeaders.size() < 1500; ++i)
            g_extraHeaders += "x-ratelimit-header-" + QByteArray::number(i) + ": " + QByteArray(40, 'v') + "\r\n";
    }
    const QStringList args = app.arguments();
    const qsizetype tls = args.indexOf(QStringLiteral("--tls"));
    std::unique_ptr<QTcpServer> serverPtr;
    if (tls > 0 && tls + 2 < args.size()) {
        auto *ssl = new QSslServer;
        QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
        QFile cert(args[tls + 1]), key(args[tls + 2]);
        if (!cert.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly))
            return 1;
        conf.setLocalCertificate(QSslCertificate(&cert, QSsl::Pem));
        conf.setPrivateKey(QSslKey(&key, QSsl::Rsa, QSsl::Pem));
        conf.setAllowedNextProtocols({ QByteArrayLiteral("http/1.1") });
        ssl->setSslConfiguration(conf);
        serverPtr.reset(ssl);
    } else {
        serverPtr = std::make_unique<QTcpServer>();
    }
    QTcpServer &server = *serverPtr;
    server.setListenBacklogSize(1024); // as the proxy: bursts of connections are not dropped
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 1;
    const bool https = tls > 0;
    QHash<QTcpSocket *, QByteArray> buffers;
    // A TLS server announces a connection once its handshake is done; a plain one at once.
    auto accept = [&] {
        while (QTcpSocket *s = server.nextPendingConnection()) {
            s->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            QObject::connect(s, &QTcpSocket::disconnected, s, [&buffers, s] {
                buffers.remove(s);
                s->deleteLater();
            });
            QObject::connect(s, &QTcpSocket::readyRead, s, [&buffers, s] {
                QByteArray &b = buffers[s];
                b += s->readAll();
                for (;;) {
                    // The project's own HTTP/1.1 parser: the benchmark measures the proxy, not a lenient stand-in.
                    d2a::http::RequestHead head;
                    const d2a::http::Parsed parsed = d2a::http::parseRequestHead(b, d2a::http::Limits(), &head);
                    if (parsed.state == d2a::http::Parsed::State::NeedMore)
                        return;
                    if (parsed.state == d2a::http::Parsed::State::Invalid) {
                        s->write("HTTP/1.1 " + QByteArray::number(parsed.error.httpStatus) + ' '
                                 + d2a::http::reasonPhrase(parsed.error.httpStatus)
                                 + "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
                        b.clear();
                        s->disconnectFromHost();
                        return;
                    }
                    const QByteArrayView rest = QByteArrayView(b).sliced(parsed.headBytes);
                    QByteArray body;
                    qsizetype bodyBytes = 0;
                    if (head.chunked) {
                        d2a::http::ChunkedDecoder decoder(kMaxBodyBytes); // decoded again until whole: bodies are small
                        bodyBytes = decoder.feed(rest, &body);
                        if (decoder.failed()) {
                            s->write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
                            b.clear();
                            s->disconnectFromHost();
                            return;
                        }
                        if (!decoder.done())
                            return;
                    } else {
                        bodyBytes = qsizetype(qMax<qint64>(0, head.contentLength));
                        if (rest.size() < bodyBytes)
                            return;
                        body = rest.first(bodyBytes).toByteArray();
                    }
                    const bool anthropic = head.target.contains("/messages");
                    b.remove(0, parsed.headBytes + bodyBytes);
                    if (body.contains("\"stream\":true")) {
                        const bool many = body.contains("\"bench-s500\"");
                        const bool paced = body.contains("\"bench-paced");
                        stream(s, anthropic, many || paced ? 500 : 64, many ? 0 : 5);
                    } else {
                        const QByteArray &answer = anthropic ? kAnthropicBody : kBody;
                        s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + g_extraHeaders
                                 + "Content-Length: " + QByteArray::number(answer.size()) + "\r\n\r\n" + answer);
                    }
                }
            });
        }
    };
    if (https)
        QObject::connect(&server, &QTcpServer::pendingConnectionAvailable, &server, accept);
    else
        QObject::connect(&server, &QTcpServer::newConnection, &server, accept);
    std::printf("bench_upstream listening on %s://127.0.0.1:%u\n", https ? "https" : "http",
                unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}
