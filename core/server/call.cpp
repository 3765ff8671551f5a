#include "call.h"

#include "../backend/factoryheaders.h"
#include "../formats/apierrors.h"
#include "../formats/passthrough.h"
#include "../formats/reasoning.h"
#include "../formats/registry.h"
#include "../formats/translate.h"
#include "../json/json.h"
#include "../log/log.h"
#include "../usage/usagestore.h"
#include "routechoice.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qtimer.h>
#include <QtCore/quuid.h>

namespace d2a {

namespace {

/// x-session-id, stable for one client session as Factory's CLI keeps it: the client's own session id (a
/// header, Claude Code's metadata.user_id session, Codex's prompt_cache_key or client_metadata), else one per
/// client connection. Always a UUID (other ids are turned into one, UUID v5).
QByteArray sessionIdOf(const IncomingRequest &req, const json::Value &body)
{
    QByteArray hint;
    for (const char *name : { "x-session-id", "x-claude-code-session-id", "session-id", "session_id" }) {
        hint = headerValue(req.headers, name);
        if (!hint.isEmpty())
            break;
    }
    if (hint.isEmpty()) {
        const json::Value userId = body["metadata"]["user_id"];
        if (userId.isString()) { // Claude Code: a JSON object as a string, with session_id inside
            auto inner = json::Document::parse(userId.toUtf8(), { 8, false });
            if (inner && inner.value().root()["session_id"].isString())
                hint = inner.value().root()["session_id"].toUtf8();
            else if (userId.toString().contains(u"_session_"))
                hint = userId.toUtf8().mid(userId.toUtf8().lastIndexOf("_session_") + 9);
        }
    }
    if (hint.isEmpty() && body["client_metadata"]["session_id"].isString())
        hint = body["client_metadata"]["session_id"].toUtf8();
    if (hint.isEmpty() && body["prompt_cache_key"].isString())
        hint = body["prompt_cache_key"].toUtf8();
    if (hint.isEmpty())
        hint = req.connectionId;
    if (hint.isEmpty())
        return QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    const QUuid direct = QUuid::fromString(QString::fromLatin1(hint));
    if (!direct.isNull())
        return direct.toByteArray(QUuid::WithoutBraces);
    static const QUuid ns = QUuid::fromString(QStringLiteral("{6b1f36a4-1f0c-4a3e-9e2e-64726f696432}"));
    return QUuid::createUuidV5(ns, hint).toByteArray(QUuid::WithoutBraces);
}

/// The key a client sent with its request (forwarded to Factory only when no server credential exists and no
/// local access key is set).
QByteArray clientCredential(const Exchange *exchange)
{
    for (const QByteArray &name :
         { QByteArrayLiteral("authorization"), QByteArrayLiteral("x-api-key"), QByteArrayLiteral("x-goog-api-key") }) {
        const QByteArray v = bearerToken(exchange->header(name));
        if (!v.isEmpty())
            return v;
    }
    return exchange->request().query.queryItemValue(QStringLiteral("key")).toUtf8();
}

/// What left out fields are called in the x-droid2api-dropped header: printable ASCII, bounded.
QByteArray droppedHeader(const QStringList &dropped)
{
    QByteArray list = dropped.join(QStringLiteral(", ")).toUtf8();
    for (char &c : list)
        if (uchar(c) < 0x20 || uchar(c) > 0x7e)
            c = '?';
    if (list.size() > 1024)
        list = list.left(1021) + "...";
    return list;
}

} // namespace

Call::Call(Exchange *exchange, CallEnv *env, std::shared_ptr<const Config> config, const Route &route,
           QString pathModel)
    : QObject(exchange), m_exchange(exchange), m_env(env), m_config(std::move(config)), m_route(route),
      m_pathModel(std::move(pathModel))
{
}

Call::~Call()
{
    releaseSlot();
}

QString Call::stateName(State s)
{
    switch (s) {
    case State::Idle: return QStringLiteral("idle");
    case State::Resolve: return QStringLiteral("resolve");
    case State::Credentials: return QStringLiteral("credentials");
    case State::Admission: return QStringLiteral("admission");
    case State::Forward: return QStringLiteral("forward");
    case State::Retry: return QStringLiteral("retry");
    case State::Recover: return QStringLiteral("recover");
    case State::Fallback: return QStringLiteral("fallback");
    case State::Done: return QStringLiteral("done");
    }
    return {};
}

void Call::enter(State s)
{
    m_state = s;
    Q_EMIT stateChanged(s);
}

void Call::finish(const Error &error)
{
    enter(State::Done);
    if (m_exchange)
        m_exchange->respondError(error);
}

void Call::finish(int status, const QByteArray &json, const HeaderList &headers)
{
    enter(State::Done);
    if (m_exchange)
        m_exchange->respondJson(status, json, headers);
}

void Call::releaseSlot()
{
    if (!m_slot.isEmpty())
        m_env->release(std::exchange(m_slot, QString()));
}

void Call::start()
{
    Exchange *exchange = m_exchange;
    // Whoever answered (an attempt, or this call), the call is over when the exchange is.
    connect(exchange, &Exchange::done, this, [this] {
        releaseSlot();
        if (m_state != State::Done)
            enter(State::Done);
    });
    const IncomingRequest &req = exchange->request();
    if (m_route.action == Route::Action::CountTokens)
        exchange->markTokenCount();
    // Strict JSON (RFC 8259, UTF-8, no duplicate keys: upstreams resolve them differently), parsed once.
    auto parsed = json::Document::parse(req.body, {}, json::Document::kMaxValues);
    if (!parsed && parsed.error().httpStatus == 413)
        return finish(Error::tooLarge(QStringLiteral("request body is too dense: %1").arg(parsed.error().message)));
    if (!parsed)
        return finish(
            Error::badRequest(QStringLiteral("request body is not valid JSON: %1").arg(parsed.error().message)));
    if (!parsed.value().root().isObject())
        return finish(Error::badRequest(QStringLiteral("request body must be a JSON object")));
    m_body = std::make_shared<const json::Document>(std::move(parsed.value()));
    const json::Value root = m_body->root();

    const AskedModel asked = askedModel(root, m_pathModel);
    if (asked.problem == AskedModel::Problem::Missing)
        return finish(Error::badRequest(QStringLiteral("missing 'model' in the request body")));
    if (asked.problem == AskedModel::Problem::NotAName)
        return finish(Error::badRequest(QStringLiteral("'model' must be a non-empty string")));
    exchange->setRequestedModel(log::clientText(asked.named)); // what the Activity and the log show
    QString requested = asked.model;
    // The active preset's first matching rule names the model (and maybe the level); else model_redirects.
    std::optional<ReasoningLevel> ruleLevel;
    QString target;
    if (const std::optional<AppliedRule> applied = applyRules(root, requested)) {
        target = applied->target;
        ruleLevel = applied->level;
    } else {
        target = m_config->redirect(requested);
    }
    // A model Factory refused earlier in this run goes to its replacement (a config redirect or rule always wins).
    if (const QString learned = m_env->replacementOf(target); !learned.isEmpty()
                                                              && !m_config->modelRedirects.contains(requested)
                                                              && target == m_config->redirect(requested)) {
        noteReplaced(target, learned, QString());
        target = learned;
    }
    if (!m_env->resolve(*m_config, target))
        return finish(
            Error::notFound(QStringLiteral("model '%1' is not configured; GET /v1/models lists the available models")
                                .arg(log::clientText(requested))));
    m_requested = requested;
    m_chain = QStringList { target };
    if (const ModelConfig *model = m_config->findModel(target))
        m_chain += model->fallback;

    const QByteArray levelHeader = exchange->header("x-reasoning-level");
    if (!levelHeader.isEmpty()) {
        m_headerLevel = parseReasoningLevel(QString::fromUtf8(levelHeader));
        if (!m_headerLevel)
            return finish(Error::badRequest(
                QStringLiteral("x-reasoning-level must be auto, off, low, medium, high or xhigh, not '%1'")
                    .arg(log::clientText(QString::fromUtf8(levelHeader), 40))));
    }
    if (!m_headerLevel) // the header, else the level in the model's name, else the rule's
        m_headerLevel = asked.level ? asked.level : ruleLevel;
    m_clientStream = m_route.stream || root["stream"].toBool(false);
    resolve();
}

std::optional<Call::AppliedRule> Call::applyRules(const json::Value &root, const QString &asked)
{
    if (m_config->routing.activeRules().isEmpty())
        return std::nullopt;
    const IncomingRequest &req = m_exchange->request();
    const QString client = clientName(QString::fromUtf8(headerValue(req.headers, "user-agent")), m_route.format);
    const std::optional<RouteChoice> choice =
        chooseRoute(*m_config, requestFacts(m_route.format, root, m_pathModel, asked, client, req.path));
    if (!choice)
        return std::nullopt;
    m_exchange->setRule(choice->ruleName);
    m_exchange->addCommonHeader("x-droid2api-rule", choice->ruleName.toUtf8());
    qCDebug(lcProxy).noquote() << QStringLiteral("%1 %2: model '%3' asked, rule '%4' chose '%5'%6")
                                      .arg(QString::fromLatin1(req.method), req.path, log::clientText(asked),
                                           choice->ruleName, choice->target,
                                           choice->level ? QStringLiteral(" at ") + reasoningLevelName(*choice->level)
                                                         : QString());
    return AppliedRule { choice->target, choice->level };
}

// --- Resolve: the next model of the chain and its backend ---------------------------------------------------

void Call::resolve()
{
    enter(State::Resolve);
    if (!m_exchange)
        return;
    m_current.reset();
    m_attempts = 0;
    m_recovered = false;
    std::optional<ResolvedRoute> resolved;
    while (!resolved) {
        if (m_chain.isEmpty())
            return finish(
                m_lastError.value_or(Error::badGateway(QStringLiteral("no configured model could take this request"))));
        resolved = m_env->resolve(*m_config, m_chain.takeFirst()); // a fallback id that is not configured: skipped
    }
    const ModelConfig &model = resolved->model;
    const BackendConfig &backend = resolved->backend;
    m_exchange->setModel(model.id,
                         backend.kind == BackendConfig::Kind::Factory ? modelTypeName(model.type) : backend.name,
                         backend.name);
    CircuitBreaker &breaker = m_env->breaker();
    m_throughOpenCircuit = false;
    if (!breaker.allow(CircuitBreaker::key(backend.name, resolved->upstreamModel))) {
        // An open circuit only diverts: to the next route of the chain that can take the request now. With
        // none, the request goes to this upstream anyway and the client gets its real answer.
        bool another = false;
        for (const QString &next : std::as_const(m_chain)) {
            const auto r = m_env->resolve(*m_config, next);
            another = another || (r && !breaker.isOpen(CircuitBreaker::key(r->backend.name, r->upstreamModel)));
        }
        if (another) {
            qCInfo(lcProxy).noquote() << "skipping" << model.id << ": its circuit on backend" << backend.name
                                      << "is open; diverting to the next route of its fallback chain";
            return resolve();
        }
        qCInfo(lcProxy).noquote() << "the circuit of" << model.id << "on backend" << backend.name
                                  << "is open, but no other route can take the request: sending it anyway";
        m_throughOpenCircuit = true;
    }
    m_retriesLeft = m_throughOpenCircuit ? 0 : m_config->resilience.retries; // a known failure gets one attempt

    const WireFormat upFormat = backendFormat(backend, model.type);
    m_current = std::move(resolved);
    if (m_route.action == Route::Action::CountTokens
        && (upFormat != m_route.format || m_route.upstreamSuffix.isEmpty()))
        return answerEstimate(); // no counter upstream for this model
    if (m_route.action == Route::Action::Operation && upFormat != m_route.format)
        return finish(
            Error(400, QStringLiteral("%1 is served only by models that speak %2 upstream; model '%3' does not "
                                      "(compact the conversation locally instead)")
                           .arg(m_route.path, wireFormatName(m_route.format), model.id))
                .withCode("unsupported_model"));
    credentials();
}

void Call::answerEstimate()
{
    // A local estimate over everything that would be sent (README "Token counting"), never a 404.
    auto read = readRequest(m_route.format, m_body->root(), m_pathModel);
    if (!read)
        return finish(read.error());
    ir::Request r = read.value();
    if (m_current->backend.kind == BackendConfig::Kind::Factory)
        r.system.prepend(ir::Part::makeText(m_config->systemPrompt));
    finish(200, formatSpec(m_route.format).countAnswer(estimateInputTokens(r)),
           { { "x-droid2api-estimate", "local" } });
}

// --- Credentials: the bearer for the backend -----------------------------------------------------------------

void Call::credentials()
{
    enter(State::Credentials);
    const BackendConfig &backend = m_current->backend;
    if (backend.kind != BackendConfig::Kind::Factory) {
        const QString key = m_env->backendKey(backend);
        log::registerSecret(key);
        return admission(key.toUtf8(), true);
    }
    QPointer<Call> self(this);
    m_env->factoryCredential(m_exchange, [self](const Result<QByteArray> &credential) {
        if (!self || !self->m_exchange)
            return;
        if (!credential)
            return self->finish(credential.error());
        QByteArray bearer = credential.value();
        const bool serverCredential = !bearer.isEmpty();
        const bool accessKeySet = !self->m_config->accessKey.isEmpty();
        if (!serverCredential && !accessKeySet) {
            bearer = clientCredential(self->m_exchange);
            if (!bearer.isEmpty())
                log::registerSecret(QString::fromUtf8(bearer));
        }
        if (bearer.isEmpty()) {
            return self->finish(Error::unauthorized(
                !accessKeySet
                    ? QStringLiteral("no credentials: sign in with `droid2api --sign-in`, set FACTORY_API_KEY, or send "
                                     "your Factory key as 'Authorization: Bearer <key>'")
                    : QStringLiteral(
                        "droid2api has no Factory credentials: sign in with `droid2api --sign-in` or set "
                        "FACTORY_API_KEY (client keys are not forwarded while a local access key is set)")));
        }
        self->admission(bearer, serverCredential);
    });
}

// --- Admission: a slot under the backend's concurrency limit ------------------------------------------------

void Call::admission(const QByteArray &bearer, bool serverCredential)
{
    enter(State::Admission);
    m_bearer = bearer;
    m_serverCredential = serverCredential;
    const BackendConfig &backend = m_current->backend;
    QPointer<Call> self(this);
    const bool queued = m_env->admit(backend, this, [self, name = backend.name] {
        if (!self)
            return;
        self->m_slot = name;
        if (!self->m_exchange)
            return self->releaseSlot();
        self->forward();
    });
    if (!queued) {
        const Error full { 429,
                           QStringLiteral(
                               "backend '%1' is at its limit of %2 requests in flight with %3 waiting; retry shortly")
                               .arg(backend.name)
                               .arg(backend.maxConcurrent)
                               .arg(backend.queueLimit),
                           {} };
        if (m_exchange->isStreaming()) // keepalives of an earlier attempt started the stream: an error event
            return finish(full);
        finish(429, renderErrorBody(m_route.format, full), { { "Retry-After", "1" } });
    }
}

// --- Forward: the upstream request, then one attempt --------------------------------------------------------

std::optional<UpstreamRequest> Call::prepare(RelaySpec *spec)
{
    const Config &config = *m_config;
    const ModelConfig &model = m_current->model;
    const WireFormat upFormat = backendFormat(m_current->backend, model.type);
    spec->clientFormat = m_route.format;
    spec->upstreamFormat = upFormat;
    spec->clientStream = m_clientStream;
    spec->keepAliveMs = config.timeouts.keepAliveMs;
    spec->maxEventBytes = config.limits.maxEventBytes;
    spec->maxAnswerBytes = config.limits.maxAnswerBytes;
    spec->translation.reset();
    ReasoningLevel level = config.effectiveLevel(model, m_headerLevel);
    const auto body = translate(upFormat, spec, &level);
    if (!body)
        return std::nullopt;
    const QByteArray sessionId = sessionIdOf(m_exchange->request(), m_body->root());
    auto edited = edit(upFormat, **body, spec->translation.has_value(), sessionId, &level);
    if (!edited)
        return std::nullopt;
    return withHeaders(upFormat, level, sessionId, std::move(*edited));
}

std::optional<std::shared_ptr<const json::Document>> Call::translate(WireFormat upFormat, RelaySpec *spec,
                                                                     ReasoningLevel *level)
{
    // Another format upstream: through the shared model (reader of the client's format, writer of the
    // upstream's); the same format: passthrough. Both then get the same protocol edits.
    if (upFormat == m_route.format)
        return m_body;
    const ModelConfig &model = m_current->model;
    const IncomingRequest &req = m_exchange->request();
    auto read = readRequest(m_route.format, m_body->root(), m_pathModel);
    if (!read) {
        finish(read.error());
        return std::nullopt;
    }
    ir::Request &translated = spec->translation.emplace(std::move(read.value()));
    if (!translated.dropped.isEmpty()) {
        // Said twice: in the log, and to the client in a header.
        const QByteArray list = droppedHeader(translated.dropped);
        m_exchange->addCommonHeader("x-droid2api-dropped", list);
        qCWarning(lcProxy).noquote() << QStringLiteral("%1 %2: left out what model '%3' (%4) cannot take: %5")
                                            .arg(QString::fromLatin1(req.method), req.path, model.id,
                                                 wireFormatName(upFormat), QString::fromLatin1(list));
    }
    const QString &upstreamModel = m_current->upstreamModel;
    translated.model = upstreamModel;
    translated.servedBy = upstreamModel; // the issuer of the answer's reasoning state (translate.h)
    translated.stream = m_clientStream;
    const bool factory = m_current->backend.kind == BackendConfig::Kind::Factory;
    if (const auto adapt = formatSpec(upFormat).adaptTranslated)
        adapt(translated, model, factory); // what the upstream's format needs that the client's could not say
    // The client's own level, written by the target family's rules (not the writer's generic form).
    if (*level == ReasoningLevel::Auto && translated.reasoning && translated.reasoning->enabled)
        *level = parseReasoningLevel(translated.reasoning->effort).value_or(ReasoningLevel::Auto);
    auto written = writeRequestDocument(upFormat, translated);
    if (!written) {
        Error e = written.error();
        e.message = QStringLiteral("model '%1' (%2) cannot take this request: %3")
                        .arg(model.id, wireFormatName(upFormat), e.message);
        finish(e);
        return std::nullopt;
    }
    // The answer's writers need only the model, the tools and a few flags: let the conversation go (a 30 MiB
    // body's text is shared with the client's body, but its parts are not).
    translated.messages = {};
    translated.system = {};
    // The protocol edits work on the translated body as they do on a client's: on its tree as written.
    translated.model = m_requested; // answers and streams report the id the client asked for
    return std::make_shared<const json::Document>(std::move(written.value()));
}

std::optional<QByteArray> Call::edit(WireFormat upFormat, const json::Document &body, bool translated,
                                     const QByteArray &sessionId, ReasoningLevel *level)
{
    const Config &config = *m_config;
    const ModelConfig &model = m_current->model;
    const IncomingRequest &req = m_exchange->request();
    const bool factory = m_current->backend.kind == BackendConfig::Kind::Factory;
    // A counter or another operation beside the generation endpoint: no reasoning or body extras added.
    const bool countTokens = m_route.action == Route::Action::CountTokens || m_route.action == Route::Action::Operation;
    // A level the model does not take becomes its default, as Factory's CLI does; a client's own level too.
    const ReasoningLevel asked =
        *level != ReasoningLevel::Auto ? *level : requestedLevel(upFormat, body.root()).value_or(ReasoningLevel::Auto);
    if (asked != ReasoningLevel::Auto && !model.supports(asked)) {
        *level = model.clamp(asked);
        qCInfo(lcProxy).noquote() << QStringLiteral("model %1 does not take reasoning level %2; using %3")
                                         .arg(model.id, reasoningLevelName(asked), reasoningLevelName(*level));
    }
    PassthroughEdits edits;
    edits.upstreamModel = m_current->upstreamModel;
    edits.systemPrompt = factory ? config.systemPrompt : QString(); // the Droid prompt is Factory's alone
    edits.level = countTokens ? ReasoningLevel::Auto : *level;
    edits.model = model;
    edits.budget = config.budgetFor(*level);
    edits.fast = factory && model.fast;
    if (factory && !countTokens)
        edits.extraBody = model.factoryBody;
    if (translated && factory)
        edits.promptCacheKey = QString::fromLatin1(sessionId); // Responses caching keyed by session, as the CLI
    HistoryEdits history;
    auto edited = applyPassthroughEdits(upFormat, body, edits, &history);
    if (!edited) {
        finish(edited.error());
        return std::nullopt;
    }
    if (!history.removed.isEmpty() || history.thinkingOff) {
        // Said twice, as every left-out field: in the log, and to the client in a header.
        QStringList said = history.removed;
        if (history.thinkingOff) {
            said << QStringLiteral("thinking (the last step of this tool loop has no %1 thinking of its own)")
                        .arg(wireFormatName(upFormat));
            *level = ReasoningLevel::Off;
        }
        m_exchange->addCommonHeader("x-droid2api-dropped", droppedHeader(said));
        qCInfo(lcProxy).noquote() << QStringLiteral("%1 %2: reasoning state model '%3' (%4) did not issue left out: %5")
                                         .arg(QString::fromLatin1(req.method), req.path, model.id,
                                              wireFormatName(upFormat), said.join(QStringLiteral(", ")));
    }
    return std::move(edited.value());
}

UpstreamRequest Call::withHeaders(WireFormat upFormat, ReasoningLevel level, const QByteArray &sessionId,
                                  QByteArray body)
{
    const Config &config = *m_config;
    const ModelConfig &model = m_current->model;
    const BackendConfig &backend = m_current->backend;
    const IncomingRequest &req = m_exchange->request();
    UpstreamRequest up;
    if (backend.kind == BackendConfig::Kind::Factory) {
        up.url = m_env->factoryEndpoint(config, model.type);
        up.url.setPath(up.url.path() + m_route.upstreamSuffix); // a counter or another operation beside it
        FactoryHeaderInput hin;
        hin.model = model;
        hin.userAgent = m_env->userAgent(config);
        hin.bearer = m_bearer;
        hin.clientHeaders = req.headers;
        hin.level = level;
        hin.stream = m_clientStream;
        hin.sessionId = sessionId;
        hin.organizationId = m_serverCredential ? m_env->organizationId() : QByteArray();
        hin.extraHeaders = config.upstreamHeaders.value(modelTypeName(model.type)).toObject();
        up.headers = buildFactoryHeaders(hin);
    } else {
        up.url = backendEndpoint(backend, upFormat, m_route.upstreamSuffix);
        up.headers = buildBackendHeaders(upFormat, m_bearer, req.headers, level, model, m_clientStream);
    }
    up.body = std::move(body);
    up.connectTimeoutMs = config.timeouts.connectMs;
    up.firstByteTimeoutMs = config.timeouts.firstByteMs;
    up.idleTimeoutMs = config.timeouts.idleMs;
    if (config.devMode) {
        for (const auto &h : std::as_const(up.headers))
            qCDebug(lcUpstream).noquote() << "  >" << h.first << ':' << log::loggableHeaderValue(h.first, h.second);
    }
    qCDebug(lcUpstream).noquote() << "forwarding" << req.path << "model" << model.id << "to backend" << backend.name
                                  << up.url.toString() << "reasoning" << reasoningLevelName(level)
                                  << (m_clientStream ? "stream" : "");
    return up;
}

void Call::forward()
{
    enter(State::Forward);
    auto up = prepare(&m_relay);
    if (!up)
        return releaseSlot();
    m_upstream = std::move(*up);
    attempt();
}

void Call::attempt()
{
    if (!m_exchange || m_exchange->isFinished())
        return;
    if (m_state != State::Forward)
        enter(State::Forward);
    ++m_attempts;
    if (m_attempt)
        m_attempt->deleteLater();
    m_attempt = m_env->newAttempt(m_exchange, m_upstream, m_relay);
    QPointer<Call> self(this);
    m_attempt->onFailure = [self](const Attempt::Failure &f) { return self && self->attemptFailed(f); };
    m_attempt->onHealth =
        [self, circuit = CircuitBreaker::key(m_current->backend.name, m_current->upstreamModel)](bool ok) {
        if (!self)
            return;
        if (ok)
            self->m_env->breaker().recordSuccess(circuit);
        else
            self->m_env->breaker().recordFailure(circuit);
    };
    m_attempt->start();
}

// --- After a failed attempt: Retry, Recover, Fallback, or the attempt answers --------------------------------

bool Call::attemptFailed(const Attempt::Failure &f)
{
    // An answer begun is never replayed; keepalives alone are no answer (the next attempt continues their stream).
    if (!m_exchange || m_exchange->isFinished() || m_exchange->hasSentContent())
        return false;
    if (f.unauthorized) {
        const bool canRecover = m_current->backend.kind == BackendConfig::Kind::Factory && m_serverCredential
                                && !m_recovered && m_env->canRecover();
        if (!canRecover)
            return false;
        recover();
        return true;
    }
    if (m_route.action == Route::Action::CountTokens && (f.error.httpStatus == 404 || f.error.httpStatus == 405)) {
        // The upstream has no counter on this route (Factory documents none): counted here instead.
        qCInfo(lcUpstream).noquote() << QStringLiteral("%1 has no token counter (HTTP %2); answering a local estimate")
                                            .arg(m_upstream.url.path())
                                            .arg(f.error.httpStatus);
        releaseSlot();
        answerEstimate();
        return true;
    }
    if (f.refused)
        return replaceRefusedModel(f.error);
    if (f.retryable && m_retriesLeft > 0) {
        --m_retriesLeft;
        enter(State::Retry);
        qint64 delay = qint64(m_config->resilience.backoffMs) << qMin(m_attempts - 1, 10);
        if (f.retryAfterMs >= 0)
            delay = f.retryAfterMs;
        delay = qMin<qint64>(delay, m_config->resilience.maxBackoffMs);
        qCInfo(lcUpstream).noquote() << QStringLiteral("attempt %1 to %2 failed (%3); retrying in %4 ms")
                                            .arg(m_attempts)
                                            .arg(m_upstream.url.host(), f.error.message)
                                            .arg(delay);
        QTimer::singleShot(int(delay), this, &Call::attempt);
        return true;
    }
    if (m_chain.isEmpty())
        return false;
    fallBack(f.error);
    return true;
}

bool Call::refusesModel(const Error &error, const QString &model)
{
    // Factory's words for an id it does not (or no longer) serve are not documented: a 4xx that speaks of the
    // model and says it is unknown, invalid, unsupported, deprecated or gone.
    static const QList<int> statuses { 400, 403, 404, 410, 422 };
    if (!statuses.contains(error.httpStatus))
        return false;
    const QString text = error.message.toLower();
    if (!text.contains(model.toLower()) && !text.contains(u"model"))
        return false;
    for (const char *word : { "not found", "not supported", "unsupported", "invalid", "unknown", "deprecated",
                              "retired", "no longer", "does not exist", "not available", "unavailable", "not allowed" })
        if (text.contains(QLatin1StringView(word)))
            return true;
    return false;
}

void Call::noteReplaced(const QString &from, const QString &to, const QString &why)
{
    if (!m_exchange)
        return;
    m_exchange->addCommonHeader("x-droid2api-model-replaced", (from + QStringLiteral(" -> ") + to).toUtf8());
    m_exchange->setReplaced(from, why);
}

bool Call::replaceRefusedModel(const Error &error)
{
    // Once per request, only for Factory, only to the registry's replacement, never against the user's redirect.
    if (m_replaced || m_current->backend.kind != BackendConfig::Kind::Factory)
        return false;
    const ModelConfig &model = m_current->model;
    const QString to = model.replacement;
    if (to.isEmpty() || to == model.id || m_config->modelRedirects.contains(model.id)
        || !refusesModel(error, m_current->upstreamModel) || !m_env->resolve(*m_config, to))
        return false;
    m_replaced = true;
    const QString why = log::redact(error.message.left(200));
    qCWarning(lcProxy).noquote() << QStringLiteral(
                                        "Factory refused model %1 (HTTP %2: %3); its requests go to %4 until "
                                        "droid2api restarts: change it in Settings (or model_redirects)")
                                        .arg(model.id)
                                        .arg(error.httpStatus)
                                        .arg(why, to);
    m_env->modelRefused(model.id, to, why);
    noteReplaced(model.id, to, QStringLiteral("HTTP %1: %2").arg(error.httpStatus).arg(why));
    enter(State::Fallback);
    releaseSlot();
    m_chain.prepend(to);
    QMetaObject::invokeMethod(this, &Call::resolve, Qt::QueuedConnection);
    return true;
}

void Call::recover()
{
    enter(State::Recover);
    m_recovered = true;
    const QByteArray rejected = bearerToken(headerValue(m_upstream.headers, "authorization"));
    qCInfo(lcUpstream) << "upstream answered 401; refreshing the Factory token and retrying once";
    QPointer<Call> self(this);
    m_env->recover(rejected, this, [self](Result<QByteArray> bearer) {
        if (!self || !self->m_exchange)
            return;
        if (!bearer)
            return self->finish(bearer.error());
        setHeader(self->m_upstream.headers, "authorization", "Bearer " + bearer.value());
        self->attempt();
    });
}

void Call::fallBack(const Error &error)
{
    // Retries spent: the next model of the fallback chain takes the request over.
    enter(State::Fallback);
    qCInfo(lcProxy).noquote() << QStringLiteral("model %1 failed (%2); falling back to %3")
                                     .arg(m_current->model.id, error.message, m_chain.first());
    m_lastError = error;
    releaseSlot();
    QMetaObject::invokeMethod(this, &Call::resolve, Qt::QueuedConnection);
}

std::optional<ResolvedRoute> resolveRoute(const Config &config, const Environment &env, const QString &id)
{
    // As in the original, the environment's backend serves every request.
    ResolvedRoute r;
    r.backend.name = QStringLiteral("factory");
    if (const ModelConfig *m = config.findModel(id))
        r.model = *m;
    else if (!env.envBackend)
        return std::nullopt;
    else
        r.model.id = r.model.name = id;
    if (env.envBackend) {
        r.backend = *env.envBackend;
        r.model.type = r.backend.kind == BackendConfig::Kind::Anthropic ? ModelType::Anthropic
                       : r.backend.responses                            ? ModelType::OpenAI
                                                                        : ModelType::Common;
    } else if (!r.model.backend.isEmpty()) {
        r.backend = *config.findBackend(r.model.backend);
    }
    r.upstreamModel = r.backend.model.isEmpty() ? r.model.id : r.backend.model;
    return r;
}

} // namespace d2a
