#include "forwardjob.h"

#include "../formats/apierrors.h"
#include "../log/log.h"

#include "../json/json.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>

namespace d2a {

namespace {
constexpr qint64 kPauseAbove = 1024 * 1024; // client send buffer that pauses upstream reads
constexpr qint64 kMaxErrorBody = 1024 * 1024;

bool forwardable(const QByteArray &name)
{
    const QByteArray n = name.toLower();
    return n == "x-request-id" || n == "request-id" || n == "retry-after" || n.startsWith("anthropic-ratelimit")
        || n.startsWith("x-ratelimit") || n == "openai-processing-ms" || n == "x-should-retry";
}

/// True when an upstream error body is already in the error shape of `format` (kept verbatim then).
bool isClientShapedError(WireFormat format, const QByteArray &body)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QJsonObject err = o.value(u"error").toObject();
    if (err.isEmpty())
        return false;
    switch (format) {
    case WireFormat::Anthropic: return o.value(u"type").toString() == u"error" && err.contains(u"message");
    case WireFormat::OpenAIChat:
    case WireFormat::OpenAIResponses: return err.contains(u"message") && err.contains(u"type");
    case WireFormat::Gemini: return err.contains(u"message") && err.contains(u"code");
    }
    return false;
}
} // namespace

ForwardJob::ForwardJob(Exchange *exchange, HttpClient *client, UpstreamRequest request, WireFormat clientFormat,
                       WireFormat upstreamFormat, bool clientWantsStream)
    : QObject(exchange), m_exchange(exchange), m_client(client), m_request(std::move(request)),
      m_clientFormat(clientFormat), m_upstreamFormat(upstreamFormat), m_clientWantsStream(clientWantsStream)
{
}

void ForwardJob::setTranslation(const ir::Request &request)
{
    m_translation = request;
}

void ForwardJob::writeClient(const QByteArray &bytes)
{
    if (bytes.isEmpty() || !m_exchange)
        return;
    m_exchange->writeStream(bytes);
    if (m_keepAliveMs > 0)
        m_keepAlive.start(m_keepAliveMs);
}

void ForwardJob::onKeepAlive()
{
    if (!m_exchange || m_exchange->isFinished())
        return;
    // A silent upstream (a model thinking, a slow first token): keep the client from giving up, in its own
    // grammar. The idle timeout still ends a dead upstream with an error.
    if (!m_exchange->isStreaming()) {
        if (!m_clientWantsStream || m_mode != Mode::Waiting)
            return;
        m_exchange->beginStream(200, { { "Content-Type", "text/event-stream; charset=utf-8" }, { "Cache-Control", "no-cache" },
                                       { "X-Accel-Buffering", "no" } });
    }
    writeClient(m_streamWriter ? m_streamWriter->keepAlive() : keepAliveEvent(m_clientFormat));
    qCDebug(lcUpstream) << "keepalive sent to the" << wireFormatName(m_clientFormat) << "client";
}

void ForwardJob::translateEvents(const QList<ir::Event> &events)
{
    QByteArray out;
    for (const ir::Event &e : events)
        out += m_streamWriter->write(e);
    writeClient(out);
}

QByteArray ForwardJob::synthesizeStream(const ir::Response &r)
{
    // The upstream answered whole although the client asked for a stream: replay it as events.
    auto writer = makeStreamWriter(m_clientFormat, *m_translation);
    QByteArray out;
    ir::Event start;
    start.type = ir::Event::Type::Start;
    start.id = r.id;
    start.model = r.model;
    out += writer->write(start);
    int index = 0;
    for (const ir::Part &p : r.parts) {
        ir::Event s;
        s.type = ir::Event::Type::PartStart;
        s.index = index;
        s.part = p;
        out += writer->write(s);
        ir::Event d;
        d.index = index;
        if (p.kind == ir::Part::Kind::ToolCall) {
            d.type = ir::Event::Type::ArgumentsDelta;
            d.text = p.arguments;
        } else if (p.kind == ir::Part::Kind::Thinking) {
            d.type = ir::Event::Type::ThinkingDelta;
            d.text = p.text;
        } else {
            d.type = ir::Event::Type::TextDelta;
            d.text = p.text;
        }
        if (p.kind != ir::Part::Kind::Image && p.kind != ir::Part::Kind::RedactedThinking)
            out += writer->write(d);
        if (!p.signature.isEmpty()) {
            ir::Event sig;
            sig.type = ir::Event::Type::SignatureDelta;
            sig.index = index;
            sig.text = p.signature;
            out += writer->write(sig);
        }
        ir::Event stop;
        stop.type = ir::Event::Type::PartStop;
        stop.index = index++;
        out += writer->write(stop);
    }
    ir::Event fin;
    fin.type = ir::Event::Type::Finish;
    fin.finish = r.finish;
    fin.usage = r.usage;
    out += writer->write(fin);
    return out;
}

void ForwardJob::send()
{
    ++m_attempts;
    m_reply = m_client->send(m_request, this);
    connect(m_reply, &UpstreamReply::headReceived, this, &ForwardJob::onHead);
    connect(m_reply, &UpstreamReply::dataReceived, this, &ForwardJob::onData);
    connect(m_reply, &UpstreamReply::finished, this, &ForwardJob::onFinished);
    connect(m_reply, &UpstreamReply::failed, this, &ForwardJob::onFailed);
}

bool ForwardJob::retryOrGiveUp(const Error &error, bool retryable)
{
    // Only while nothing has reached the client: a started stream is never replayed.
    if (!m_exchange || m_exchange->isStreaming())
        return false;
    if (retryable && m_retriesLeft > 0) {
        --m_retriesLeft;
        qint64 delay = qint64(m_backoffMs) << qMin(m_attempts - 1, 10);
        const QByteArray retryAfter = m_reply ? m_reply->header("retry-after").trimmed() : QByteArray();
        bool numeric = false;
        const double seconds = retryAfter.toDouble(&numeric);
        if (numeric && seconds >= 0)
            delay = qint64(seconds * 1000);
        delay = qMin<qint64>(delay, m_maxBackoffMs);
        qCInfo(lcUpstream).noquote() << QStringLiteral("attempt %1 to %2 failed (%3); retrying in %4 ms")
                                            .arg(m_attempts).arg(m_request.url.host(), error.message).arg(delay);
        if (m_reply) {
            m_reply->deleteLater();
            m_reply = nullptr;
        }
        m_mode = Mode::Waiting;
        m_body.clear();
        m_forwardHeaders.clear();
        QTimer::singleShot(int(delay), this, [this] {
            if (m_exchange && !m_exchange->isFinished())
                send();
        });
        return true;
    }
    if (m_giveUp && m_giveUp(error)) {
        if (m_reply)
            m_reply->abort();
        return true;
    }
    return false;
}

void ForwardJob::retryWithNewCredential()
{
    const QByteArray rejected = headerValue(m_request.headers, "authorization").mid(7);
    m_retrying = true;
    QPointer<ForwardJob> self(this);
    qCInfo(lcUpstream) << "upstream answered 401; refreshing the Factory token and retrying once";
    m_recovery(rejected, [self](Result<QByteArray> bearer) {
        if (!self || !self->m_exchange)
            return;
        if (!bearer)
            return self->m_exchange->respondError(bearer.error());
        setHeader(self->m_request.headers, "authorization", "Bearer " + bearer.value());
        self->m_reply->deleteLater();
        self->m_reply = nullptr;
        self->m_mode = Mode::Waiting;
        self->m_body.clear();
        self->m_forwardHeaders.clear();
        self->send();
    });
}

void ForwardJob::start()
{
    m_keepAlive.setSingleShot(true);
    connect(&m_keepAlive, &QTimer::timeout, this, &ForwardJob::onKeepAlive);
    if (m_keepAliveMs > 0 && m_clientWantsStream)
        m_keepAlive.start(m_keepAliveMs);
    send();
    // The client left: stop the upstream now, so no tokens are spent on an answer nobody reads.
    connect(m_exchange, &Exchange::clientGone, this, [this] {
        if (m_reply && !m_reply->isDone()) {
            qCInfo(lcUpstream).noquote() << "client left; aborting the upstream request to" << m_request.url.host();
            m_reply->abort();
        }
    });
    connect(m_exchange, &Exchange::drained, this, &ForwardJob::pumpBackpressure);
}

void ForwardJob::onHead()
{
    if (!m_exchange)
        return;
    const int status = m_reply->status();
    for (const auto &h : m_reply->headers())
        if (forwardable(h.first))
            m_forwardHeaders.append(h);
    if (m_outcome)
        m_outcome(status < 500);
    // Redirects are not followed (a proxy must not be led elsewhere with the user's key): a 502 below.
    if (status >= 300) {
        m_mode = Mode::Error;
        return;
    }
    const QByteArray type = m_reply->header("content-type").toLower();
    if (type.contains("text/event-stream") && !m_clientWantsStream) {
        m_mode = Mode::SseWhole;
        m_eventReader = makeEventReader(m_upstreamFormat);
    } else if (type.contains("text/event-stream")) {
        m_mode = Mode::Sse;
        if (m_translation) {
            m_eventReader = makeEventReader(m_upstreamFormat);
            m_streamWriter = makeStreamWriter(m_clientFormat, *m_translation);
        }
        HeaderList h { { "Content-Type", "text/event-stream; charset=utf-8" },
                       { "Cache-Control", "no-cache" },
                       { "X-Accel-Buffering", "no" } };
        h += m_forwardHeaders;
        if (!m_exchange->isStreaming())
            m_exchange->beginStream(status, h);
    } else {
        m_mode = Mode::Whole;
        // A declared length over the bound is refused now, not after reading up to it.
        bool known = false;
        const qint64 declared = m_reply->header("content-length").toLongLong(&known);
        if (known && declared > m_maxAnswerBytes)
            return overLimit(tr("upstream answer is larger than %1 bytes").arg(m_maxAnswerBytes));
    }
}

void ForwardJob::onData(const QByteArray &data)
{
    if (!m_exchange)
        return;
    switch (m_mode) {
    case Mode::Sse:
        if (m_eventReader) {
            for (const QByteArray &raw : m_sse.feed(data)) {
                const SseEvent ev = SseSplitter::parse(raw);
                if (ev.isComment || ev.data.isNull())
                    continue;
                countUsage(ev.data);
                translateEvents(m_eventReader->read(ev));
                if (!m_exchange)
                    return;
            }
        } else {
            const QList<QByteArray> events = m_sse.feed(data);
            for (const QByteArray &raw : events)
                if (raw.contains("sage")) // only events that may carry usage are parsed
                    countUsage(SseSplitter::parse(raw).data);
            writeEvents(events);
        }
        // One event never ends (or is huge): bounded, as it is held until its blank line.
        if (m_exchange && m_sse.pending().size() > m_maxEventBytes)
            return overLimit(tr("upstream sent an event larger than %1 bytes").arg(m_maxEventBytes));
        pumpBackpressure();
        break;
    case Mode::SseWhole:
        m_collectedBytes += data.size();
        if (m_collectedBytes > m_maxAnswerBytes)
            return overLimit(tr("upstream answer is larger than %1 bytes").arg(m_maxAnswerBytes));
        for (const QByteArray &raw : m_sse.feed(data)) {
            const SseEvent ev = SseSplitter::parse(raw);
            if (!ev.isComment && !ev.data.isNull()) {
                countUsage(ev.data);
                m_collected += m_eventReader->read(ev);
            }
        }
        if (m_sse.pending().size() > m_maxEventBytes)
            return overLimit(tr("upstream sent an event larger than %1 bytes").arg(m_maxEventBytes));
        break;
    case Mode::Error:
        if (m_body.size() < kMaxErrorBody)
            m_body += data.left(kMaxErrorBody - m_body.size());
        break;
    case Mode::Whole:
        if (m_body.size() + data.size() > m_maxAnswerBytes) {
            m_reply->abort();
            m_exchange->respondError(Error::badGateway(tr("upstream answer is larger than %1 bytes").arg(m_maxAnswerBytes)));
            return;
        }
        m_body += data;
        break;
    case Mode::Waiting:
        break;
    }
}

void ForwardJob::countUsage(const QByteArray &eventData)
{
    const TokenCounts t = usageOfEvent(m_upstreamFormat, eventData);
    if (!t.known || !m_exchange)
        return;
    m_tokens.merge(t);
    m_exchange->setTokens(m_tokens);
}

void ForwardJob::writeEvents(const QList<QByteArray> &events)
{
    if (events.isEmpty())
        return;
    if (events.size() == 1) {
        writeClient(events.first());
        return;
    }
    // Events completed by the same read leave in one write (one chunk, one syscall).
    QByteArray joined;
    for (const QByteArray &e : events)
        joined += e;
    writeClient(joined);
}

void ForwardJob::pumpBackpressure()
{
    if (!m_exchange || !m_reply || m_reply->isDone())
        return;
    m_reply->setPaused(m_exchange->pendingBytes() > kPauseAbove);
}

void ForwardJob::onFinished()
{
    if (!m_exchange)
        return;
    const int status = m_reply->status();
    switch (m_mode) {
    case Mode::Sse: {
        m_keepAlive.stop();
        const QByteArray rest = m_sse.takeRemainder();
        if (m_eventReader) {
            if (!rest.trimmed().isEmpty())
                translateEvents(m_eventReader->read(SseSplitter::parse(rest)));
            // The upstream ended: close what is open; a finish reason is written even when it sent none.
            translateEvents(m_eventReader->end());
            if (m_exchange && !m_streamWriter->finished()) {
                ir::Event fin;
                fin.type = ir::Event::Type::Finish;
                translateEvents({ fin });
            }
        } else if (!rest.trimmed().isEmpty()) {
            writeClient(rest + "\n\n");
        }
        if (m_exchange)
            m_exchange->endStream();
        break;
    }
    case Mode::SseWhole: {
        m_keepAlive.stop();
        const QByteArray rest = m_sse.takeRemainder();
        if (!rest.trimmed().isEmpty())
            m_collected += m_eventReader->read(SseSplitter::parse(rest));
        m_collected += m_eventReader->end();
        auto collected = collectResponse(m_collected);
        m_collected.clear();
        if (!collected) {
            Error e = collected.error();
            if (e.httpStatus < 400)
                e.httpStatus = 502;
            return m_exchange->respondError(e);
        }
        if (m_translation)
            collected.value().model = m_translation->model; // the id the client asked for
        HeaderList h { { "Content-Type", "application/json" } };
        h += m_forwardHeaders;
        m_exchange->respond(status, h, writeResponse(m_clientFormat, collected.value(), m_translation ? &*m_translation : nullptr));
        break;
    }
    case Mode::Error:
        if (status == 401 && m_recovery && !m_retrying)
            return retryWithNewCredential();
        // 5xx answers are failures: retried, then handed to the fallback chain. 4xx answers (429 included,
        // with its Retry-After) go to the client as they are.
        if (status >= 500 && retryOrGiveUp(Error { status, upstreamErrorMessage(m_body), {} }, true))
            return;
        finishError();
        break;
    case Mode::Whole: {
        m_keepAlive.stop();
        if (status < 300)
            m_exchange->setTokens(usageOfAnswer(m_upstreamFormat, m_body));
        if (m_translation) {
            auto parsed = readResponse(m_upstreamFormat, m_body);
            if (!parsed)
                return m_exchange->respondError(parsed.error());
            parsed.value().model = m_translation->model; // the id the client asked for, as streams report it
            if (m_clientWantsStream) {
                const QByteArray events = synthesizeStream(parsed.value());
                if (m_exchange->isStreaming()) {
                    writeClient(events);
                    m_exchange->endStream();
                } else {
                    m_exchange->respond(status, { { "Content-Type", "text/event-stream; charset=utf-8" }, { "Cache-Control", "no-cache" } }, events);
                }
                return;
            }
            HeaderList h { { "Content-Type", "application/json" } };
            h += m_forwardHeaders;
            m_exchange->respond(status, h, writeResponse(m_clientFormat, parsed.value(), m_translation ? &*m_translation : nullptr));
            return;
        }
        if (m_exchange->isStreaming()) { // keepalives already started the stream: send the answer as events
            writeClient(m_body);
            m_exchange->endStream();
            return;
        }
        HeaderList h { { "Content-Type", m_reply->header("content-type").isEmpty() ? QByteArrayLiteral("application/json")
                                                                                    : m_reply->header("content-type") } };
        h += m_forwardHeaders;
        if (m_clientWantsStream && m_clientFormat == WireFormat::Gemini) {
            // Gemini's non-SSE stream is a JSON array of chunks; the SSE client gets one event per chunk, each
            // chunk's bytes as the upstream wrote them.
            auto doc = json::Document::parse(m_body, { 512, false });
            if (!doc)
                return m_exchange->respondError(Error::badGateway(QStringLiteral("upstream sent invalid JSON (%1)").arg(doc.error().message)));
            QByteArray events;
            const json::Value root = doc.value().root();
            auto add = [&events](const json::Value &chunk) {
                events += "data: ";
                events += chunk.raw();
                events += "\r\n\r\n";
            };
            if (root.isArray())
                for (json::Value chunk : root.children())
                    add(chunk);
            else
                add(root);
            m_exchange->respond(status, { { "Content-Type", "text/event-stream; charset=utf-8" },
                                          { "Cache-Control", "no-cache" } },
                                events);
            break;
        }
        m_exchange->respond(status, h, m_body);
        break;
    }
    case Mode::Waiting:
        m_exchange->respondError(Error::badGateway(QStringLiteral("upstream ended without a response")));
        break;
    }
}

void ForwardJob::overLimit(const QString &why)
{
    qCWarning(lcUpstream).noquote() << why << "- stopping the upstream request to" << m_request.url.host();
    m_reply->abort();
    onFailed(Error::badGateway(why));
}

void ForwardJob::finishError()
{
    m_keepAlive.stop();
    int status = m_reply->status();
    if (status >= 300 && status < 400) {
        const QByteArray location = m_reply->header("location");
        m_body = QByteArray();
        const Error e = Error::badGateway(tr("upstream answered with a redirect (HTTP %1%2); droid2api does not follow redirects")
                                              .arg(status)
                                              .arg(location.isEmpty() ? QString() : tr(" to %1").arg(log::redact(QString::fromUtf8(location.left(300))))));
        status = 502;
        if (m_exchange->isStreaming()) {
            writeClient(m_streamWriter ? m_streamWriter->write([&] { ir::Event ev; ev.type = ir::Event::Type::Error; ev.error = e; return ev; }())
                                       : renderStreamError(m_clientFormat, e));
            m_exchange->endStream();
            return;
        }
        return m_exchange->respondError(e);
    }
    // An upstream's error text may quote the credential it was sent: never hand it back unredacted.
    m_body = log::redact(QString::fromUtf8(m_body)).toUtf8();
    if (m_exchange->isStreaming()) { // keepalives already started the stream: report in its grammar
        Error e { status, upstreamErrorMessage(m_body), {} };
        writeClient(m_streamWriter ? m_streamWriter->write([&] { ir::Event ev; ev.type = ir::Event::Type::Error; ev.error = e; return ev; }())
                                   : renderStreamError(m_clientFormat, e));
        m_exchange->endStream();
        return;
    }
    if (m_clientFormat == m_upstreamFormat && isClientShapedError(m_clientFormat, m_body)) {
        HeaderList h { { "Content-Type", "application/json" } };
        h += m_forwardHeaders;
        m_exchange->respond(status, h, m_body);
        return;
    }
    Error e { status, upstreamErrorMessage(m_body), m_clientFormat == m_upstreamFormat ? upstreamErrorType(m_body) : QByteArray() };
    if (e.message.isEmpty())
        e.message = QStringLiteral("upstream answered HTTP %1").arg(status);
    m_exchange->respondJson(status, renderErrorBody(m_clientFormat, e), m_forwardHeaders);
}

void ForwardJob::onFailed(const Error &error)
{
    if (!m_exchange)
        return;
    if (m_mode == Mode::Waiting) {
        if (m_outcome)
            m_outcome(false);
        // Connect errors and connections closed before any answer are safe to retry; a timeout after the
        // request was sent is not (the upstream may be working on it), nor an answer that broke HTTP (a
        // garbage status line or head would only come again).
        if (retryOrGiveUp(error, error.httpStatus == 502 && !m_reply->responseStarted()))
            return;
    }
    m_keepAlive.stop();
    if (m_mode == Mode::Sse || m_exchange->isStreaming()) {
        // Mid-stream failure: tell the client in its own grammar, never end silently. An incomplete event is
        // dropped: forwarding half an event would corrupt the stream.
        m_sse.takeRemainder();
        if (m_streamWriter) {
            ir::Event e;
            e.type = ir::Event::Type::Error;
            e.error = error;
            writeClient(m_streamWriter->write(e));
        } else {
            writeClient(renderStreamError(m_clientFormat, error));
        }
        m_exchange->endStream();
        return;
    }
    m_exchange->respondError(error);
}

} // namespace d2a
