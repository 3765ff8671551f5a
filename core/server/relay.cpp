#include "relay.h"

#include "../formats/apierrors.h"
#include "../formats/registry.h"
#include "../log/log.h"

namespace d2a {

namespace {
constexpr qint64 kPauseAbove = 1024 * 1024; // client send buffer that pauses upstream reads
constexpr qint64 kMaxErrorBody = 1024 * 1024;

bool forwardable(const QByteArray &name)
{
    if (name.isEmpty())
        return false;
    // By the first letter in ASCII lower case first: an upstream sends dozens of headers, most of them kept back.
    switch (name.front() | 0x20) {
    case 'x':
        return isHeaderName(name, "x-request-id") || headerNameStartsWith(name, "x-ratelimit")
               || isHeaderName(name, "x-should-retry");
    case 'r': return isHeaderName(name, "request-id") || isHeaderName(name, "retry-after");
    case 'a': return headerNameStartsWith(name, "anthropic-ratelimit");
    case 'o': return isHeaderName(name, "openai-processing-ms");
    default: return false;
    }
}

} // namespace

Relay::Relay(Exchange *exchange, HttpClient *client, UpstreamRequest request, RelaySpec spec)
    : Attempt(exchange), m_exchange(exchange), m_client(client), m_request(std::move(request)), m_spec(std::move(spec))
{
}

void Relay::writeClient(const QByteArray &bytes)
{
    if (bytes.isEmpty() || !m_exchange)
        return;
    m_exchange->writeStream(bytes);
    if (m_spec.keepAliveMs > 0)
        m_keepAlive.start(m_spec.keepAliveMs);
}

void Relay::onKeepAlive()
{
    if (!m_exchange || m_exchange->isFinished())
        return;
    // A silent upstream (a model thinking, a slow first token): keep the client from giving up, in its own
    // grammar. The idle timeout still ends a dead upstream with an error.
    if (!m_exchange->isStreaming()) {
        if (!m_spec.clientStream || m_mode != Mode::Waiting)
            return;
        m_exchange->beginStream(200, { { "Content-Type", "text/event-stream; charset=utf-8" },
                                       { "Cache-Control", "no-cache" },
                                       { "X-Accel-Buffering", "no" } });
    }
    // Not content: the Call may still retry, recover or fall back into this stream (Exchange::hasSentContent).
    m_exchange->writeKeepAlive(m_streamWriter ? m_streamWriter->keepAlive() : keepAliveEvent(m_spec.clientFormat));
    m_keepAlive.start(m_spec.keepAliveMs);
    qCDebug(lcUpstream) << "keepalive sent to the" << wireFormatName(m_spec.clientFormat) << "client";
}

void Relay::translateEvents(const QList<ir::Event> &events)
{
    QByteArray out;
    for (const ir::Event &e : events)
        out += m_streamWriter->write(e);
    writeClient(out);
}

QByteArray Relay::synthesizeStream(const ir::Response &r)
{
    // The upstream answered whole although the client asked for a stream: replay it as events. A passthrough
    // answer (no translation) is written for a request that names only its model.
    ir::Request passthrough;
    passthrough.model = r.model;
    auto writer = makeStreamWriter(m_spec.clientFormat, m_spec.translation ? *m_spec.translation : passthrough);
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

void Relay::start()
{
    if (m_spec.keepAliveMs > 0 && m_spec.clientStream)
        m_keepAlive.start(m_spec.keepAliveMs);
    m_reply = m_client->send(m_request, this);
    connect(m_reply, &UpstreamReply::headReceived, this, &Relay::onHead);
    connect(m_reply, &UpstreamReply::dataReceived, this, &Relay::onData);
    connect(m_reply, &UpstreamReply::finished, this, &Relay::onFinished);
    connect(m_reply, &UpstreamReply::failed, this, &Relay::onFailed);
    // The client left: stop the upstream now, so no tokens are spent on an answer nobody reads.
    connect(m_exchange, &Exchange::clientGone, this, [this] {
        if (m_reply && !m_reply->isDone()) {
            qCInfo(lcUpstream).noquote() << "client left; aborting the upstream request to" << m_request.url.host();
            m_reply->abort();
        }
    });
    connect(m_exchange, &Exchange::drained, this, &Relay::pumpBackpressure);
}

bool Relay::handBack(const Error &error, bool retryable, bool unauthorized, bool refused)
{
    // Only while nothing has reached the client: an answer begun is never replayed. Keepalives are no answer:
    // the next attempt writes into the stream they started.
    if (!m_exchange || m_exchange->hasSentContent() || !onFailure)
        return false;
    Failure f { error, retryable, unauthorized, -1, refused };
    bool numeric = false;
    const double seconds = m_reply ? m_reply->header("retry-after").trimmed().toDouble(&numeric) : 0;
    if (numeric && seconds >= 0)
        f.retryAfterMs = qint64(seconds * 1000);
    if (!onFailure(f))
        return false;
    stop();
    return true;
}

void Relay::stop()
{
    m_mode = Mode::Stopped;
    m_keepAlive.stop();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
}

void Relay::streamError(const Error &error)
{
    if (m_mode != Mode::Sse && !m_exchange->hasSentContent()) {
        // Keepalives alone started the stream: the error is the whole answer, as an error event in the client's
        // grammar (and its status and message in the request's record).
        m_exchange->respondError(error);
        return;
    }
    if (m_streamWriter) {
        ir::Event e;
        e.type = ir::Event::Type::Error;
        e.error = error;
        writeClient(m_streamWriter->write(e));
    } else {
        writeClient(renderStreamError(m_spec.clientFormat, error));
    }
    m_exchange->endStream();
}

void Relay::onHead()
{
    if (!m_exchange)
        return;
    const int status = m_reply->status();
    for (const auto &h : m_reply->headers())
        if (forwardable(h.first))
            m_forwardHeaders.append(h);
    if (onHealth)
        onHealth(status < 500);
    // Redirects are not followed (a proxy must not be led elsewhere with the user's key): a 502 below.
    if (status >= 300) {
        m_mode = Mode::Error;
        return;
    }
    const QByteArray type = m_reply->header("content-type").toLower();
    if (type.contains("text/event-stream") && !m_spec.clientStream) {
        m_mode = Mode::SseWhole;
        m_eventReader = makeEventReader(m_spec.upstreamFormat);
    } else if (type.contains("text/event-stream")) {
        m_mode = Mode::Sse;
        if (m_spec.translation) {
            m_eventReader = makeEventReader(m_spec.upstreamFormat);
            m_streamWriter = makeStreamWriter(m_spec.clientFormat, *m_spec.translation);
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
        if (known && declared > m_spec.maxAnswerBytes)
            return overLimit(tr("upstream answer is larger than %1 bytes").arg(m_spec.maxAnswerBytes));
    }
}

void Relay::onData(const QByteArray &data)
{
    if (!m_exchange)
        return;
    switch (m_mode) {
    case Mode::Sse:
        if (m_eventReader) {
            // A client grammar that repeats the answer at its end makes its writer keep it: bounded like a
            // whole answer (a hostile upstream's endless deltas would otherwise grow memory without end).
            m_translatedBytes += data.size();
            if (m_translatedBytes > m_spec.maxAnswerBytes && formatSpec(m_spec.clientFormat).streamHoldsAnswer)
                return overLimit(tr("upstream answer is larger than %1 bytes").arg(m_spec.maxAnswerBytes));
            for (const QByteArray &raw : m_sse.feed(data)) {
                const SseEvent ev = SseSplitter::parse(raw);
                if (ev.isComment || ev.data.isNull())
                    continue;
                const QList<ir::Event> events = m_eventReader->read(ev);
                countUsage(m_eventReader->eventUsage()); // the reader's parse, not a second one
                translateEvents(events);
                if (!m_exchange)
                    return;
            }
        } else {
            const QList<QByteArray> events = m_sse.feed(data);
            for (const QByteArray &raw : events)
                if (mayCarryUsage(m_spec.upstreamFormat, raw)) // only events that may carry usage are read
                    countUsage(usageOfEvent(m_spec.upstreamFormat, SseSplitter::parse(raw).data));
            writeEvents(events);
        }
        // One event never ends (or is huge): bounded, as it is held until its blank line.
        if (m_exchange && m_sse.pending().size() > m_spec.maxEventBytes)
            return overLimit(tr("upstream sent an event larger than %1 bytes").arg(m_spec.maxEventBytes));
        pumpBackpressure();
        break;
    case Mode::SseWhole:
        m_collectedBytes += data.size();
        if (m_collectedBytes > m_spec.maxAnswerBytes)
            return overLimit(tr("upstream answer is larger than %1 bytes").arg(m_spec.maxAnswerBytes));
        for (const QByteArray &raw : m_sse.feed(data)) {
            const SseEvent ev = SseSplitter::parse(raw);
            if (!ev.isComment && !ev.data.isNull()) {
                m_collected += m_eventReader->read(ev);
                countUsage(m_eventReader->eventUsage());
            }
        }
        if (m_sse.pending().size() > m_spec.maxEventBytes)
            return overLimit(tr("upstream sent an event larger than %1 bytes").arg(m_spec.maxEventBytes));
        break;
    case Mode::Error:
        if (m_body.size() < kMaxErrorBody)
            m_body += data.left(kMaxErrorBody - m_body.size());
        break;
    case Mode::Whole:
        if (m_body.size() + data.size() > m_spec.maxAnswerBytes) {
            m_reply->abort();
            m_exchange->respondError(
                Error::badGateway(tr("upstream answer is larger than %1 bytes").arg(m_spec.maxAnswerBytes)));
            return;
        }
        m_body += data;
        break;
    case Mode::Waiting:
    case Mode::Stopped: break;
    }
}

void Relay::countUsage(const TokenCounts &t)
{
    if (!t.known || !m_exchange)
        return;
    m_tokens.merge(t);
    m_exchange->setTokens(m_tokens);
}

void Relay::writeEvents(const QList<QByteArray> &events)
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

void Relay::pumpBackpressure()
{
    if (!m_exchange || !m_reply || m_reply->isDone())
        return;
    m_reply->setPaused(m_exchange->pendingBytes() > kPauseAbove);
}

void Relay::onFinished()
{
    if (!m_exchange)
        return;
    const int status = m_reply->status();
    switch (m_mode) {
    case Mode::Sse: {
        m_keepAlive.stop();
        const QByteArray rest = m_sse.takeRemainder();
        if (m_eventReader) {
            if (!rest.trimmed().isEmpty()) {
                const QList<ir::Event> last = m_eventReader->read(SseSplitter::parse(rest));
                countUsage(m_eventReader->eventUsage());
                translateEvents(last);
            }
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
        if (!rest.trimmed().isEmpty()) {
            m_collected += m_eventReader->read(SseSplitter::parse(rest));
            countUsage(m_eventReader->eventUsage());
        }
        m_collected += m_eventReader->end();
        auto collected = collectResponse(m_collected);
        m_collected.clear();
        if (!collected) {
            Error e = collected.error();
            if (e.httpStatus < 400)
                e.httpStatus = 502;
            return m_exchange->respondError(e);
        }
        if (m_spec.translation)
            collected.value().model = m_spec.translation->model; // the id the client asked for
        HeaderList h { { "Content-Type", "application/json" } };
        h += m_forwardHeaders;
        m_exchange->respond(
            status, h,
            writeResponse(m_spec.clientFormat, collected.value(), m_spec.translation ? &*m_spec.translation : nullptr));
        break;
    }
    case Mode::Error: {
        // An upstream's error text may quote the credential it was sent: never handed on unredacted. The body is
        // read once, for every decision below and the client's answer.
        m_body = log::redact(QString::fromUtf8(m_body)).toUtf8();
        const UpstreamError upstream = readUpstreamError(m_body);
        const Error failure { status, upstream.message, {} };
        // A 401 may get a fresh credential from the Call. 5xx answers are failures: retried, then handed to the
        // fallback chain. 4xx answers (429 included, with its Retry-After) go to the client as they are.
        if (status == 401 && handBack(failure, false, true))
            return;
        if (status >= 500 && handBack(failure, true))
            return;
        // Another 4xx may be Factory refusing a model it no longer serves: the Call decides (its replacement).
        if (status >= 400 && status != 429 && handBack(failure, false, false, true))
            return;
        finishError(upstream);
        break;
    }
    case Mode::Whole: {
        m_keepAlive.stop();
        if (m_spec.clientStream)
            return wholeToStream(status);
        if (m_spec.translation) {
            auto parsed = readResponse(m_spec.upstreamFormat, m_body);
            if (!parsed)
                return m_exchange->respondError(parsed.error());
            if (status < 300)
                m_exchange->setTokens(parsed.value().usage); // the reader's parse, not a second one
            parsed.value().model = m_spec.translation->model; // the id the client asked for, as streams report it
            HeaderList h { { "Content-Type", "application/json" } };
            h += m_forwardHeaders;
            m_exchange->respond(status, h, writeResponse(m_spec.clientFormat, parsed.value(), &*m_spec.translation));
            return;
        }
        if (status < 300)
            m_exchange->setTokens(usageOfAnswer(m_spec.upstreamFormat, m_body));
        HeaderList h { { "Content-Type", m_reply->header("content-type").isEmpty()
                                             ? QByteArrayLiteral("application/json")
                                             : m_reply->header("content-type") } };
        h += m_forwardHeaders;
        m_exchange->respond(status, h, m_body);
        break;
    }
    case Mode::Waiting:
        m_exchange->respondError(Error::badGateway(QStringLiteral("upstream ended without a response")));
        break;
    case Mode::Stopped: break;
    }
}

void Relay::wholeToStream(int status)
{
    // The client asked for a stream and gets one, in its own grammar, whether keepalives already started it or
    // not: never the upstream's JSON inside an event stream.
    QByteArray events;
    const FormatSpec &format = formatSpec(m_spec.clientFormat);
    if (!m_spec.translation && format.wholeAsEvents) {
        if (status < 300)
            m_exchange->setTokens(usageOfAnswer(m_spec.upstreamFormat, m_body));
        // The stream framing the client's format has for one whole answer of its own.
        auto framed = format.wholeAsEvents(m_body);
        if (!framed)
            return m_exchange->respondError(framed.error());
        events = framed.value();
    } else {
        auto parsed = readResponse(m_spec.upstreamFormat, m_body);
        if (!parsed)
            return m_exchange->respondError(parsed.error());
        if (status < 300)
            m_exchange->setTokens(parsed.value().usage); // the reader's parse, not a second one
        if (m_spec.translation)
            parsed.value().model = m_spec.translation->model; // the id the client asked for, as streams report it
        events = synthesizeStream(parsed.value());
    }
    if (m_exchange->isStreaming()) {
        writeClient(events);
        m_exchange->endStream();
        return;
    }
    HeaderList h { { "Content-Type", "text/event-stream; charset=utf-8" }, { "Cache-Control", "no-cache" } };
    h += m_forwardHeaders;
    m_exchange->respond(status, h, events);
}

void Relay::overLimit(const QString &why)
{
    qCWarning(lcUpstream).noquote() << why << "- stopping the upstream request to" << m_request.url.host();
    m_reply->abort();
    onFailed(Error::badGateway(why));
}

void Relay::finishError(const UpstreamError &upstream)
{
    m_keepAlive.stop();
    int status = m_reply->status();
    if (status >= 300 && status < 400) {
        const QByteArray location = m_reply->header("location");
        m_body = QByteArray();
        const Error e = Error::badGateway(
            tr("upstream answered with a redirect (HTTP %1%2); droid2api does not follow redirects")
                .arg(status)
                .arg(location.isEmpty() ? QString()
                                        : tr(" to %1").arg(log::redact(QString::fromUtf8(location.left(300))))));
        status = 502;
        if (m_exchange->isStreaming())
            return streamError(e);
        return m_exchange->respondError(e);
    }
    if (m_exchange->isStreaming()) { // keepalives already started the stream: report in its grammar
        Error e { status, upstream.message, {} };
        if (e.message.isEmpty())
            e.message = QStringLiteral("upstream answered HTTP %1").arg(status);
        return streamError(e);
    }
    if (!upstream.message.isEmpty())
        m_exchange->noteError(upstream.message); // read once: the answer below is not parsed again for the record
    if (m_spec.clientFormat == m_spec.upstreamFormat && isOwnErrorShape(m_spec.clientFormat, upstream)) {
        HeaderList h { { "Content-Type", "application/json" } };
        h += m_forwardHeaders;
        m_exchange->respond(status, h, m_body);
        return;
    }
    Error e { status, upstream.message, m_spec.clientFormat == m_spec.upstreamFormat ? upstream.type : QByteArray() };
    if (e.message.isEmpty())
        e.message = QStringLiteral("upstream answered HTTP %1").arg(status);
    m_exchange->respondJson(status, renderErrorBody(m_spec.clientFormat, e), m_forwardHeaders);
}

void Relay::onFailed(const Error &error)
{
    if (!m_exchange)
        return;
    if (m_mode == Mode::Waiting) {
        if (onHealth)
            onHealth(false);
        // Connect errors and connections closed before any answer are safe to retry; a timeout after the
        // request was sent is not (the upstream may be working on it), nor an answer that broke HTTP (a
        // garbage status line or head would only come again).
        if (handBack(error, error.httpStatus == 502 && !m_reply->responseStarted()))
            return;
    }
    m_keepAlive.stop();
    if (m_mode == Mode::Sse || m_exchange->isStreaming()) {
        // Mid-stream failure: tell the client in its own grammar, never end silently. An incomplete event is
        // dropped: forwarding half an event would corrupt the stream.
        m_sse.takeRemainder();
        return streamError(error);
    }
    m_exchange->respondError(error);
}

} // namespace d2a
