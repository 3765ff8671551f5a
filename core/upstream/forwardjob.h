#pragma once
// One proxied call: sends the prepared upstream request and pipes the answer back to the client's Exchange,
// event by event for streams, aborting the upstream the moment the client leaves.

#include "../server/exchange.h"
#include "../sse/ssesplitter.h"
#include "httpclient.h"

#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>

#include <functional>

namespace d2a {

class ForwardJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ForwardJob)

public:
    /// `clientFormat` is what the client speaks, `upstreamFormat` what the upstream speaks (the same in
    /// passthrough). The job is a child of the exchange and dies with it.
    ForwardJob(Exchange *exchange, HttpClient *client, UpstreamRequest request, WireFormat clientFormat,
               WireFormat upstreamFormat, bool clientWantsStream);

    void start();

    /// Called with the rejected bearer when the upstream answers 401 before anything reached the client; a
    /// new bearer resends the request once.
    using Recovery = std::function<void(const QByteArray &rejected, std::function<void(Result<QByteArray>)> done)>;
    void setRecovery(Recovery r) { m_recovery = std::move(r); }

private:
    void onHead();
    void onData(const QByteArray &data);
    void onFinished();
    void onFailed(const Error &error);
    void writeEvents(const QList<QByteArray> &events);
    void finishError();
    void pumpBackpressure();
    void send();
    void retryWithNewCredential();

    QPointer<Exchange> m_exchange;
    HttpClient *m_client;
    UpstreamRequest m_request;
    WireFormat m_clientFormat;
    WireFormat m_upstreamFormat;
    bool m_clientWantsStream;
    UpstreamReply *m_reply = nullptr;
    enum class Mode { Waiting, Sse, Whole, Error } m_mode = Mode::Waiting;
    SseSplitter m_sse;
    QByteArray m_body;
    HeaderList m_forwardHeaders;
    Recovery m_recovery;
    bool m_retrying = false;
};

} // namespace d2a
