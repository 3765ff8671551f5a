#pragma once
// A real local upstream for tests: a raw HTTP/1.1 server on 127.0.0.1:0 that answers like Factory's four
// endpoints, streams with delays, and misbehaves on demand. The scenario comes from the request body's
// "fake" object (passthrough keeps unknown fields): {"fake": {"scenario": "...", "delay_ms": N, ...}}.
//   normal     an answer in the endpoint's format (SSE when the body says stream, and always on Factory's Gemini
//              route /api/llm/g/, which streams as Factory's CLI expects)
//   status     answer fake.status with fake.body (a string) as application/json
//   cut        stream head and the first event, then drop the connection
//   stall      stream head and the first event, then say nothing
//   hang       read the request and never answer
//   close      close the connection without answering
//   utf8split  one SSE event whose multi-byte UTF-8 text is split across two writes fake.delay_ms apart
//   raw        write fake.raw (a string) verbatim, then close if fake.close is true
//   trickle    write fake.raw one line (up to and including its \n) every fake.delay_ms, then close if fake.close
//   flood      write fake.head, then fake.unit over and over (as fast as the peer reads) until fake.limit_bytes
//              are written (then fake.tail, and close) or the peer closes; floodWritten and floodPeerClosed say which
//              (a hostile upstream's endless header section, SSE line or event stream)
// A request without a "fake" object (a translated one) takes the first of fakeQueue as its own, if any.
// With "lockstep": true a stream sends its first event, then each next one only when releaseNextEvent() is
// called: a test proves no buffering by waiting for event N at the client before the upstream sends N+1.
// Models named "tools-*" answer with two parallel tool calls (get_weather for Paris and London), or, once
// the request carries tool results, with text that quotes them; "think-*" models think (with a signature)
// before they answer; "cut-*" models break the stream after one event and "slow-*" models pause 400 ms
// between events. These work for translated requests too, whose bodies carry no "fake" object. "sess-*" models
// play multi-turn sessions and always get the vendor checks (fakesession.h, vendorchecks.h).
// It is also a fake WorkOS (paths under /user_management/): refresh tokens rotate and a reused one gets
// invalid_grant; it answers slowly or fails on demand and serves the device flow. Knobs are members, and
// POST /fake/knobs {json} sets them from another process (GET /fake/state reads counters).

#include "fakescript.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qobject.h>
#include <QtCore/qpair.h>
#include <QtCore/qset.h>
#include <QtCore/qurl.h>
#include <QtNetwork/qtcpserver.h>

#include <functional>
#include <memory>
#include <optional>

class QTcpSocket;

class FakeUpstream final : public QObject
{
    Q_OBJECT

public:
    struct Received
    {
        QByteArray method;
        QByteArray path;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;
        QJsonObject json;
        int connectionId = 0;
        QByteArray header(const QByteArray &name) const;
    };

    explicit FakeUpstream(QObject *parent = nullptr);
    ~FakeUpstream() override;
    bool listen(quint16 port = 0);
    quint16 port() const { return m_server.serverPort(); }
    QUrl url(const QString &path) const;

    QList<Received> received;
    int connectionsAccepted = 0;
    int openConnections = 0;
    int maxOpenConnections = 0;
    int clientDisconnectsWhileStreaming = 0;
    QList<qint64> eventSentAtMs; ///< per streamed event of the latest stream, ms since construction
    QElapsedTimer clock;
    int failNextRequests = 0; ///< the next N API requests get failStatus (with Retry-After: failRetryAfter, if set)
    int failStatus = 503;
    QSet<QString> failModels; ///< every request for these models gets failStatus
    QByteArray failBody; ///< the body of those failures (empty: a generic server error)
    /// Scripted answers: each API request (not count_tokens) takes the first one, in the route's format, streamed
    /// or whole as the request asks; an empty script answers as usual.
    QList<ScriptedReply> script;
    QList<QJsonObject> fakeQueue; ///< "fake" objects for requests that carry none (translated routes)
    qint64 floodWritten = 0; ///< bytes the latest flood wrote
    bool floodPeerClosed = false; ///< the latest flood ended because the peer closed (not at its limit)
    bool floodDone = false; ///< the latest flood has ended, either way
    /// Plays "the model" for a real coding agent, in sessions of many turns too. It reads the current turn only
    /// (agentTurnOf): a request whose current turn carries tool results gets `afterTool`; else one that offers
    /// `tool` gets a call of it with `arguments`; any other (side requests such as title generation) gets
    /// `text`. "{step}" in the three is replaced by N of the last "step N" in the user text that began the turn
    /// (0 when none), so each turn of a session calls its own command. Streams send their events `delayMs` apart
    /// (Anthropic with a ping). With vendorChecks on, every answer carries the vendor's signed reasoning state as
    /// the session models do (fakesession::reasoningFor), so an agent must send it back as issued. POST
    /// /fake/knobs {"agent": {...}} sets it; GET /fake/state reports the counters below.
    struct AgentRule
    {
        QString tool;
        QByteArray arguments = "{}";
        QString text = QStringLiteral("OK");
        QString afterTool = QStringLiteral("DONE");
        int delayMs = 0;
    };
    std::optional<AgentRule> agent;
    int agentToolCalls = 0;
    int agentAfterTool = 0;
    int agentTexts = 0;
    QStringList agentToolResults; ///< per after-tool answer, the current turn's tool results (" | "-joined)
    /// Per agent answer: format, model, answer ("tool", "after_tool", "text"), step, user_turns,
    /// history_results (tool results in the whole history), current_results, thinking (reasoning state sent).
    QList<QJsonObject> agentRequests;
    int agentSerial = 0; ///< agent answers ever (ids of their reasoning state; never reset)
    /// What the agent rule reads of a request of `format`. The current turn begins at the last user message with
    /// text and no tool results (Anthropic user text without tool_result blocks, a Responses user message item,
    /// a Chat user message, a Gemini user content with a text part and no functionResponse).
    struct AgentTurn
    {
        QString userText; ///< the text of the message that began the current turn
        int step = 0; ///< N of the last "step N" in it (0: none)
        int userTurns = 0; ///< messages that began a turn, in the whole history
        QStringList results; ///< the tool results after it, as toolResultsOf() writes them
        int historyResults = 0; ///< tool results in the whole history
    };
    static AgentTurn agentTurnOf(const QByteArray &format, const QJsonObject &body);
    /// The names of the tools a request of `format` offers.
    static QStringList toolNamesOf(const QByteArray &format, const QJsonObject &body);
    /// Vendor checks (tests/support/vendorchecks.h) on every API request; requests for sess-* models always get
    /// them. POST /fake/knobs {"vendor_checks": true} sets it; GET /fake/state reports the rejections.
    bool vendorChecks = false;
    int vendorRejections = 0; ///< requests answered with a vendor's 400
    QString lastVendorRejection; ///< the message of the latest one
    QStringList vendorRejectionMessages;
    int sessionSerial = 0; ///< answers of the session models (tests/support/fakesession.h) so far
    QByteArray failRetryAfter;
    QByteArray failHeaders; ///< more header lines (each ending in CRLF) on those failures
    QSet<QByteArray> rejectBearers; ///< upstream answers 401 to these bearer tokens
    bool rejectAllBearers = false;
    QStringList issuedAccessTokens; ///< every access token the fake WorkOS issued (tests check logs for them)

    // --- Factory's account calls (GET /api/cli/whoami, /api/cli/org), kept apart from `received`
    QList<Received> accountCalls;
    int whoamiStatus = 200; ///< 401: the key is rejected
    QString whoamiRegion = QStringLiteral("global");
    QString whoamiPremHost;
    /// GET /api/billing/limits (its real shape is not documented; this one is a plausible guess).
    int limitsStatus = 200;
    QByteArray limitsBody =
        R"({"limits":{"standard":{"used":8100000,"limit":10000000,"resetsAt":"2026-12-01T00:00:00Z"}}})";
    int limitsCalls = 0;
    QStringList organizations; ///< GET /api/cli/org; when set, tokens carry org_id only if a refresh named one
    QStringList refreshOrganizations; ///< organization_id of every refresh request ("" when none)

    // --- fake WorkOS
    QString workosClientId = QStringLiteral("client_01HNM792M5G5G1A2THWPXKFMXB");
    QSet<QString> validRefreshTokens; ///< each may be used once
    QSet<QString> spentRefreshTokens;
    int refreshCount = 0; ///< refresh requests answered with new tokens
    int refreshAttempts = 0; ///< every refresh request, answered or not
    int refreshDelayMs = 0;
    int failNextRefreshes = 0; ///< answer HTTP 500
    int dropNextRefreshes = 0; ///< close the connection without answering
    qint64 accessTtlSecs = 3600;
    QString email = QStringLiteral("dev@example.com");
    QStringList deviceScript { QStringLiteral("authorization_pending"), QStringLiteral("ok") }; ///< one answer per poll
    int devicePolls = 0;
    int deviceInterval = 0;
    int deviceExpiresIn = 600;
    /// Lockstep streams: sends the next event now; false when none is waiting.
    bool releaseNextEvent();
    /// Makes and remembers a valid refresh token.
    QString issueRefreshToken();
    /// A JWT access token expiring `ttl` seconds from now (with an org_id claim when `org` is set).
    QString makeAccessToken(qint64 ttl, const QString &org = QString());

    /// The SSE events (raw, with their blank line) a normal stream of `format` sends: "anthropic", "responses",
    /// "chat", "gemini".
    static QList<QByteArray> streamEvents(const QByteArray &format, const QString &model, int textDeltas);
    static QByteArray wholeBody(const QByteArray &format, const QString &model);
    /// Tool calls / thinking scenarios (see above) in `format`, streamed or whole.
    static QList<QByteArray> scenarioEvents(const QByteArray &format, const QString &model, const QString &scenario,
                                            const QString &answer);
    static QByteArray scenarioBody(const QByteArray &format, const QString &model, const QString &scenario,
                                   const QString &answer);
    /// The text of every tool result in a request body of `format`, joined with " | ".
    static QString toolResultsOf(const QByteArray &format, const QJsonObject &body);

Q_SIGNALS:
    void requestReceived();
    void streamAborted();

private:
    void onConnection();
    void onReadyRead(QTcpSocket *socket);
    void respond(QTcpSocket *socket, const Received &req);
    void respondWorkOs(QTcpSocket *socket, const Received &req);
    void respondFake(QTcpSocket *socket, const Received &req);
    void respondAccount(QTcpSocket *socket, const Received &req);
    void sendJson(QTcpSocket *socket, int status, const QByteArray &body);
    void streamTo(QTcpSocket *socket, QList<QByteArray> events, int delayMs, bool cutAfterFirst, bool stallAfterFirst);

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QHash<QTcpSocket *, int> m_ids;
    QHash<QTcpSocket *, bool> m_streaming;
    QList<std::shared_ptr<std::function<void()>>> m_steps;
    std::weak_ptr<std::function<void()>> m_release;
};
