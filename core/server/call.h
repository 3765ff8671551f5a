#pragma once
// One proxied request, as a state machine that reads top-down:
//
//   Resolve      the next model of the fallback chain -> its backend (an open circuit diverts to the next)
//   Credentials  the bearer for that backend (Factory sign-in, a backend's key, or the client's own key)
//   Admission    a slot under the backend's concurrency limit (429 when its queue is full)
//   Forward      the upstream request is prepared (translation, protocol edits, headers) and one Attempt sent
//   Retry        a connect error or 5xx before anything reached the client: the same route again, after backoff
//   Recover      the upstream said 401: a fresh Factory credential, then the same route once more
//   Fallback     retries spent: back to Resolve with the next model of the chain
//   Done         the answer (or an error) went to the client, or the client left
//
// Everything the machine needs from around it comes through CallEnv, so tests drive it without sockets.

#include "../backend/routing.h"
#include "../config/config.h"
#include "../formats/model.h"
#include "../upstream/httpclient.h"
#include "exchange.h"
#include "routes.h"

#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>

#include <functional>
#include <memory>
#include <optional>

namespace d2a {

namespace json {
class Document;
class Value;
} // namespace json

/// A model of the chain with the backend it names.
struct ResolvedRoute
{
    ModelConfig model;
    BackendConfig backend;
    QString upstreamModel; ///< the id sent upstream (a backend's fixed model, else the model's id)
};

/// The resolve policy: the model `id` names and the backend it names (Factory when none); the environment's backend
/// (ANTHROPIC_BASE_URL / OPENAI_BASE_URL) serves every request, configured model or not. Nothing for an unknown
/// id without one.
std::optional<ResolvedRoute> resolveRoute(const Config &config, const Environment &env, const QString &id);

/// How one attempt relays the upstream's answer to the client.
struct RelaySpec
{
    WireFormat clientFormat = WireFormat::OpenAIChat;
    WireFormat upstreamFormat = WireFormat::OpenAIChat;
    bool clientStream = false;
    std::optional<ir::Request> translation; ///< set when the formats differ: answers go through the shared model
    int keepAliveMs = 15000; ///< silence after which a stream gets a keepalive (0: never)
    qint64 maxEventBytes = 16 * 1024 * 1024;
    qint64 maxAnswerBytes = 64 * 1024 * 1024;
};

/// One upstream attempt of a call. The Relay (relay.h) is the real one; tests bring their own.
class Attempt : public QObject
{
    Q_OBJECT

public:
    struct Failure
    {
        Error error;
        bool retryable = false; ///< a connect error or a 5xx: the same route may be tried again
        bool unauthorized = false; ///< the upstream answered 401
        qint64 retryAfterMs = -1; ///< the upstream's Retry-After, when it sent one
        bool refused = false; ///< another 4xx (except 429): perhaps the upstream no longer serves the model
    };
    using QObject::QObject;
    /// Called when the attempt failed before anything reached the client. True: the call took over (a retry, a
    /// new credential or the next model) and the attempt stops; false: the attempt answers the error itself.
    std::function<bool(const Failure &)> onFailure;
    /// Each attempt's health for the circuit breaker: true for an answer below 500 (4xx never count as
    /// failures), false on a connect or TLS error, a timeout or a 5xx.
    std::function<void(bool ok)> onHealth;
    virtual void start() = 0;
};

/// What a Call needs from the proxy around it. ProxyService implements it.
class CallEnv
{
public:
    virtual ~CallEnv() = default;
    /// The model and backend of a model id (nullopt: not configured, skipped).
    virtual std::optional<ResolvedRoute> resolve(const Config &config, const QString &id) const = 0;
    virtual CircuitBreaker &breaker() = 0;
    /// Factory's credential for a request (empty: none on the server side; the client's own key may do).
    virtual void factoryCredential(Exchange *exchange, std::function<void(Result<QByteArray>)> done) = 0;
    /// A third-party backend's key (environment or token store; never the config file).
    virtual QString backendKey(const BackendConfig &backend) const = 0;
    /// Whether a rejected Factory credential can be replaced, and the replacement.
    virtual bool canRecover() const = 0;
    virtual void recover(const QByteArray &rejected, QObject *context,
                         std::function<void(Result<QByteArray>)> done) = 0;
    /// Runs `go` now or when `backend` has room (unless `context` is gone); false when its queue is full.
    virtual bool admit(const BackendConfig &backend, QObject *context, std::function<void()> go) = 0;
    virtual void release(const QString &backend) = 0;
    /// Factory's endpoint for `type` (on the account's regional host), the User-Agent and organisation it
    /// expects.
    virtual QUrl factoryEndpoint(const Config &config, ModelType type) const = 0;
    virtual QString userAgent(const Config &config) const = 0;
    virtual QByteArray organizationId() const = 0;
    /// A new attempt (not started) that sends `request` and relays its answer to `exchange` as `spec` says.
    virtual Attempt *newAttempt(Exchange *exchange, UpstreamRequest request, const RelaySpec &spec) = 0;
    /// The model that serves `id` since Factory refused it in this run (empty: none).
    virtual QString replacementOf(const QString &id) const
    {
        Q_UNUSED(id);
        return {};
    }
    /// Factory refused model `from`: `to` serves it until the next start (the user is told once per model).
    virtual void modelRefused(const QString &from, const QString &to, const QString &why)
    {
        Q_UNUSED(from);
        Q_UNUSED(to);
        Q_UNUSED(why);
    }
};

class Call final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Call)

public:
    enum class State { Idle, Resolve, Credentials, Admission, Forward, Retry, Recover, Fallback, Done };
    Q_ENUM(State)

    /// A request on a generation route. The call is a child of the exchange and dies with it.
    Call(Exchange *exchange, CallEnv *env, std::shared_ptr<const Config> config, const Route &route, QString pathModel);
    ~Call() override;

    /// Reads the body and the model, then runs the machine.
    void start();
    State state() const { return m_state; }
    int attempts() const { return m_attempts; }
    static QString stateName(State s);

Q_SIGNALS:
    void stateChanged(d2a::Call::State state);

private:
    void enter(State s);
    void resolve();
    void credentials();
    void admission(const QByteArray &bearer, bool serverCredential);
    void forward();
    void attempt();
    bool attemptFailed(const Attempt::Failure &failure);
    /// Factory refused the model: its registry replacement takes the request (true), once.
    bool replaceRefusedModel(const Error &error);
    /// The header and Activity note of a request that another model served in place of `from`.
    void noteReplaced(const QString &from, const QString &to, const QString &why);
    /// Whether an upstream error says the model (`model` as sent) is not served.
    static bool refusesModel(const Error &error, const QString &model);
    void recover();
    void fallBack(const Error &error);
    void finish(const Error &error);
    /// Answers a token count with the local estimate, in the route's format.
    void answerEstimate();
    /// The model (and level) the active routing preset's first matching rule names for this request.
    struct AppliedRule
    {
        QString target;
        std::optional<ReasoningLevel> level;
    };
    std::optional<AppliedRule> applyRules(const json::Value &root, const QString &asked);
    void finish(int status, const QByteArray &json, const HeaderList &headers);
    void releaseSlot();
    /// The Forward step's upstream request: translate, then edits, then headers (each finishes the call on a
    /// failure and returns nothing).
    std::optional<UpstreamRequest> prepare(RelaySpec *spec);
    /// The body for `upFormat`: the client's own (same format) or written from the shared model, which `spec`
    /// keeps for the answer; `level` becomes the client's own level when the config leaves it to the client.
    std::optional<std::shared_ptr<const json::Document>> translate(WireFormat upFormat, RelaySpec *spec,
                                                                   ReasoningLevel *level);
    /// The protocol edits (model, Droid prompt, reasoning, Factory's body extras) with `level` clamped to what
    /// the model takes, or Off when the tool loop's history has no thinking of this model.
    std::optional<QByteArray> edit(WireFormat upFormat, const json::Document &body, bool translated,
                                   const QByteArray &sessionId, ReasoningLevel *level);
    /// The request to the backend: its URL, Factory's or the backend's headers, the timeouts.
    UpstreamRequest withHeaders(WireFormat upFormat, ReasoningLevel level, const QByteArray &sessionId,
                                QByteArray body);

    QPointer<Exchange> m_exchange;
    CallEnv *m_env;
    std::shared_ptr<const Config> m_config; ///< one snapshot for the whole request
    const Route &m_route; ///< in the static RouteTable
    QString m_pathModel;
    State m_state = State::Idle;
    std::shared_ptr<const json::Document> m_body; ///< the client's body, parsed once (spans into its bytes)
    std::optional<ReasoningLevel> m_headerLevel;
    bool m_clientStream = false;
    QString m_requested; ///< the model id as the client named it (answers report this one)
    QStringList m_chain; ///< model ids still to try, in order
    std::optional<Error> m_lastError;
    // The route being tried.
    std::optional<ResolvedRoute> m_current;
    bool m_throughOpenCircuit = false; ///< nothing else could take it: one attempt, no retries
    QByteArray m_bearer;
    bool m_serverCredential = false;
    QString m_slot; ///< the backend whose concurrency slot this call holds
    UpstreamRequest m_upstream;
    RelaySpec m_relay;
    QPointer<Attempt> m_attempt;
    int m_attempts = 0; ///< on the current route
    int m_retriesLeft = 0;
    bool m_recovered = false; ///< a new credential was tried on this route
    bool m_replaced = false; ///< Factory refused the model and its replacement took the request over
};

} // namespace d2a
