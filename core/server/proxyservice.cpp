#include "proxyservice.h"

#include <QtCore/quuid.h>
#include <QtCore/qregularexpression.h>
#include <QtNetwork/qnetworkinterface.h>

#include "../auth/authmanager.h"
#include "../formats/apierrors.h"
#include "../formats/passthrough.h"
#include "../formats/reasoning.h"
#include "../formats/translate.h"
#include "../json/json.h"
#include "../log/log.h"
#include "../upstream/factoryheaders.h"
#include "../upstream/httpclient.h"
#include "../upstream/routing.h"
#include "../upstream/useragentupdater.h"
#include "../usage/usagestore.h"
#include "httpserver.h"
#include "relay.h"
#include "routes.h"

#include <QtCore/qcryptographichash.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qtimer.h>
#include <QtNetwork/qsslcertificate.h>
#include <QtNetwork/qsslconfiguration.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace d2a {

namespace {

QByteArray jsonText(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

/// Constant-time comparison, so the local access key cannot be guessed byte by byte from timings.
bool sameSecret(const QByteArray &a, const QByteArray &b)
{
    const QByteArray ha = QCryptographicHash::hash(a, QCryptographicHash::Sha256);
    const QByteArray hb = QCryptographicHash::hash(b, QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (int i = 0; i < ha.size(); ++i)
        diff |= static_cast<unsigned char>(ha[i] ^ hb[i]);
    return diff == 0;
}

QByteArray bearerOf(const QByteArray &authorization)
{
    const QByteArray v = authorization.trimmed();
    if (v.size() > 7 && v.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return v.mid(7).trimmed();
    return v;
}

} // namespace

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

void releaseFreeMemory()
{
#if defined(__GLIBC__)
    // Platform-specific (glibc): freed heap stays with the process until trimmed; other C libraries return it
    // on their own.
    malloc_trim(0);
#endif
}

void tuneHeapForBodies()
{
#if defined(__GLIBC__)
    // Platform-specific (glibc): blocks from 128 KB up are mmap'ed and unmapped on free by default, so every
    // agent-sized body (100-300 KB, several copies per request) paid fresh page faults. Serve them from the
    // heap instead and keep freed memory for the next request; releaseFreeMemory() returns it once idle.
    static const bool done = [] {
        mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
        return true;
    }();
    Q_UNUSED(done);
#endif
}

ProxyService::ProxyService(QObject *parent)
    : QObject(parent), m_config(std::make_shared<Config>(ConfigLoader::defaults())), m_server(new HttpServer(this)),
      m_client(new HttpClient(this)), m_userAgent(new UserAgentUpdater(this)), m_auth(new AuthManager(m_client, this)),
      m_limiter(new BackendLimiter(this)), m_usage(new UsageStore(this))
{
    tuneHeapForBodies();
    m_server->setHandler([this](Exchange *e) { handle(e); });
    m_server->setHeadFilter([this](const http::RequestHead &head, const QHostAddress &peer) { return admit(head, peer); });
    connect(m_server, &HttpServer::exchangeDone, this, &ProxyService::requestFinished);
    connect(m_server, &HttpServer::exchangeDone, this, &ProxyService::recordUsage);
    // After a burst of traffic, hand freed memory back to the system once the proxy has been idle a moment.
    m_trimTimer.setSingleShot(true);
    m_trimTimer.setInterval(1000);
    connect(&m_trimTimer, &QTimer::timeout, this, [this] {
        if (m_server->activeExchanges() == 0)
            releaseFreeMemory();
    });
    connect(m_server, &HttpServer::idle, &m_trimTimer, qOverload<>(&QTimer::start));
    // The plan's limits, for whoever watches them (the desktop app): once signed in, then every 10 minutes.
    m_limitsTimer.setInterval(10 * 60 * 1000);
    connect(&m_limitsTimer, &QTimer::timeout, this, &ProxyService::refreshLimits);
    connect(m_auth, &AuthManager::statusChanged, this, &ProxyService::followLimits);
}

QString ProxyService::limitsAccount() const
{
    return m_auth->email() + u'/' + AuthManager::sourceName(m_auth->source());
}

void ProxyService::watchLimits()
{
    m_watchLimits = true;
    followLimits();
}

void ProxyService::followLimits()
{
    if (!m_watchLimits)
        return;
    if (m_auth->source() == AuthManager::Source::None) {
        refreshLimits(); // forgets the last account's plan
    } else if (m_auth->state() == AuthManager::State::Ready && (!m_limitsTimer.isActive() || limitsAccount() != m_limitsAccount)) {
        m_limitsTimer.start();
        refreshLimits(); // signed in, or as someone else
    }
}

void ProxyService::refreshLimits()
{
    if (m_env.envBackend || m_auth->source() == AuthManager::Source::None) {
        if (m_limits) { // signed out: the last account's plan is not this one's
            m_limits.reset();
            Q_EMIT limitsChanged();
        }
        return;
    }
    m_limitsAskedAt = QDateTime::currentDateTimeUtc();
    m_limitsAccount = limitsAccount();
    m_auth->fetchLimits(this, [this](Result<PlanLimits> r) {
        if (r) {
            m_limits = r.value();
            qCDebug(lcUsage).noquote() << "plan limits:" << m_limits->used << "of" << m_limits->limit;
        } else {
            // Factory does not document this call: its absence or an error is no problem, just no limits shown.
            qCDebug(lcUsage).noquote() << "plan limits not available:" << r.error().message;
            if (r.error().httpStatus == 404)
                m_limits.reset(); // else keep the last reading through a passing error
        }
        Q_EMIT limitsChanged();
    });
}

ProxyService::~ProxyService()
{
    // Calls still running give their backend slots back while the limiter is here.
    const QList<Call *> calls = findChildren<Call *>();
    qDeleteAll(calls);
}

QUrl ProxyService::factoryEndpoint(const Config &config, ModelType type) const
{
    // An EU or on-prem account (whoami) is served from its own host, as the CLI does, unless the endpoint was
    // set to something else than Factory's default host.
    QUrl url = config.endpoints.value(type);
    QUrl regional = m_auth->regionalApiBase();
    if (regional.isEmpty() || url.host() != config.factoryApiBase.host() || url.port() != config.factoryApiBase.port())
        return url;
    if (regional.host() == u"api.eu.factory.ai" && config.factoryApiBaseEu.isValid())
        regional = config.factoryApiBaseEu;
    regional.setPath(regional.path().chopped(regional.path().endsWith(u'/') ? 1 : 0) + url.path());
    return regional;
}

void ProxyService::setConfig(const Config &config)
{
    const bool uaChanged = !m_config || m_config->userAgent != config.userAgent
        || m_config->userAgentUpdateUrl != config.userAgentUpdateUrl;
    m_config = std::make_shared<Config>(config);
    // log_level applies at once, headless or desktop, at start or on Apply.
    log::setLevel(log::effectiveLevel(config.logLevel, config.devMode || m_env.debug));
    ServerLimits limits;
    limits.head.maxHeadBytes = config.limits.maxHeaderBytes;
    limits.headTimeoutMs = config.timeouts.requestHeadMs;
    limits.bodyTimeoutMs = config.timeouts.requestBodyMs;
    limits.idleTimeoutMs = config.timeouts.clientIdleMs;
    limits.maxConnectionsPerClient = config.limits.maxConnectionsPerClient;
    limits.maxBodyBytes = config.maxBodyBytes;
    limits.maxBodiesInFlight = config.limits.maxBodiesInFlightBytes;
    m_server->setLimits(limits);
    if (!config.accessKey.isEmpty())
        log::registerSecret(config.accessKey);
    if (config.usageRecording && !m_usage->isOpen()) {
        const QString error = m_usage->open(UsageStore::defaultPath(), config.usageRetentionDays);
        if (!error.isEmpty())
            qCWarning(lcServer).noquote() << error;
    }
    m_usage->setRetentionDays(config.usageRetentionDays);
    if (uaChanged || m_userAgent->userAgent().isEmpty())
        m_userAgent->start(config.userAgent, QUrl(config.userAgentUpdateUrl));
    m_auth->setWorkOs(config.workosBaseUrl, config.workosClientId);
    m_auth->setDroidCliSync(config.droidCliSync);
    m_auth->setPreferredOrganization(config.factoryOrganization);
    // Factory's account calls (whoami, organisations) go to the host the endpoints name.
    QUrl api = config.endpoints.value(ModelType::Anthropic);
    api.setPath(QString());
    api.setQuery(QString());
    m_auth->setFactoryApi(api);
    m_breaker.configure(config.resilience.breakerFailures, config.resilience.breakerOpenMs);
    m_client->setProxies(config.proxies);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (!config.tlsCaFile.isEmpty()) {
        QList<QSslCertificate> cas = tls.caCertificates();
        cas += QSslCertificate::fromPath(config.tlsCaFile, QSsl::Pem);
        tls.setCaCertificates(cas);
    }
    tls.setAllowedNextProtocols({ QByteArrayLiteral("http/1.1") }); // the upstream client speaks HTTP/1.1
    m_client->setSslConfiguration(tls);
}

void ProxyService::startAuth(const QString &tokenStoreOverride)
{
    if (m_authStarted)
        return;
    m_authStarted = true;
    const auto mode = parseTokenStoreMode(tokenStoreOverride.isEmpty() ? m_config->tokenStore : tokenStoreOverride);
    m_auth->start(m_env, mode.value_or(TokenStoreMode::Auto));
}

void ProxyService::setEnvironment(const Environment &env)
{
    m_env = env;
    log::setLevel(log::effectiveLevel(m_config->logLevel, m_config->devMode || m_env.debug));
    log::registerSecret(env.factoryApiKey);
    log::registerSecret(env.refreshKey);
}

Result<quint16> ProxyService::start(const QString &hostOverride, int portOverride)
{
    const QString host = hostOverride.isEmpty() ? m_config->host : hostOverride;
    const int port = portOverride >= 0 ? portOverride : m_config->port;
    const QHostAddress address(host == u"localhost" ? QStringLiteral("127.0.0.1") : host);
    if (!address.isLoopback() && m_config->accessKey.isEmpty())
        return Error::badRequest(tr("listening on %1 serves your Factory account to the network: set access_key first "
                                    "(clients then send it as their API key)").arg(host));
    startAuth();
    static const qint64 fdLimit = raiseFileDescriptorLimit(); // once per process: many clients, many upstreams
    if (fdLimit > 0)
        qCDebug(lcServer) << "open-file limit" << fdLimit;
    QString error;
    const quint16 bound = m_server->start(host, quint16(port), &error);
    if (!bound)
        return Error::internal(error);
    m_host = host;
    m_port = bound;
    qCInfo(lcServer).noquote() << "serving" << m_config->models.size() << "models; credentials:" << credentialSource();
    return bound;
}

void ProxyService::stop()
{
    m_server->stopListening();
}

bool ProxyService::isRunning() const
{
    return m_server->isListening();
}

QString ProxyService::baseUrl() const
{
    const QString h = m_host.contains(u':') ? u'[' + m_host + u']' : m_host;
    return QStringLiteral("http://%1:%2").arg(h).arg(m_port);
}

int ProxyService::activeRequests() const
{
    return m_server->activeExchanges();
}

int ProxyService::openClientConnections() const
{
    return m_server->openConnections();
}

int ProxyService::openUpstreamConnections() const
{
    return m_client->openConnections();
}

void ProxyService::shutdown(int timeoutMs)
{
    m_server->stopListening();
    m_userAgent->stop();
    QElapsedTimer clock;
    clock.start();
    auto finish = [this, clock, timeoutMs](bool drained) {
        const int left = qMax(200, timeoutMs - int(clock.elapsed()));
        m_server->flushAndClose(left, [this, drained] { Q_EMIT shutdownFinished(drained); });
    };
    if (m_server->activeExchanges() == 0) {
        finish(true);
        return;
    }
    qCInfo(lcServer) << "waiting up to" << timeoutMs << "ms for" << m_server->activeExchanges() << "request(s) in flight";
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    auto fired = std::make_shared<bool>(false);
    connect(m_server, &HttpServer::idle, timer, [timer, fired, finish] {
        if (*fired)
            return;
        *fired = true;
        timer->deleteLater();
        finish(true);
    });
    connect(timer, &QTimer::timeout, this, [this, timer, fired, finish] {
        if (*fired)
            return;
        *fired = true;
        timer->deleteLater();
        qCWarning(lcServer) << m_server->activeExchanges() << "request(s) still in flight at shutdown; cutting them off";
        finish(false);
    });
    timer->start(timeoutMs);
}

QString ProxyService::credentialSource() const
{
    if (m_auth->source() != AuthManager::Source::None)
        return AuthManager::sourceName(m_auth->source());
    if (!m_config->accessKey.isEmpty())
        return QStringLiteral("none");
    return QStringLiteral("client");
}

bool ProxyService::checkAccessKey(Exchange *exchange) const
{
    const QString &key = m_config->accessKey;
    if (key.isEmpty())
        return true;
    QList<QByteArray> offered { bearerOf(exchange->header("authorization")), exchange->header("x-api-key").trimmed(),
                                exchange->header("x-goog-api-key").trimmed(),
                                exchange->request().query.queryItemValue(QStringLiteral("key")).toUtf8() };
    for (const QByteArray &o : offered)
        if (!o.isEmpty() && sameSecret(o, key.toUtf8()))
            return true;
    return false;
}

namespace {

/// `pattern` matches `origin`: exact, or with "*" standing for a port or a name part ("http://localhost:*").
bool originMatches(const QString &pattern, const QString &origin)
{
    if (pattern == u"*")
        return true;
    if (!pattern.contains(u'*'))
        return pattern.compare(origin, Qt::CaseInsensitive) == 0;
    QString rx = QRegularExpression::escape(pattern);
    rx.replace(QStringLiteral("\\*"), QStringLiteral("[^/]*"));
    return QRegularExpression(QStringLiteral("^") + rx + QStringLiteral("$"), QRegularExpression::CaseInsensitiveOption).match(origin).hasMatch();
}

} // namespace

bool ProxyService::hostAllowed(const QByteArray &hostHeader) const
{
    if (hostHeader.isEmpty())
        return true; // HTTP/1.0 without Host: not a browser (browsers always send one)
    QString host = QString::fromLatin1(hostHeader).trimmed().toLower();
    // Strip the port: "[::1]:3000", "127.0.0.1:3000", "localhost:3000".
    if (host.startsWith(u'[')) {
        const qsizetype close = host.indexOf(u']');
        if (close < 0)
            return false;
        host = host.mid(1, close - 1);
    } else if (host.count(u':') == 1) {
        host = host.left(host.indexOf(u':'));
    }
    if (host.endsWith(u'.'))
        host.chop(1);
    if (host == u"localhost")
        return true;
    const QHostAddress address(host);
    if (!address.isNull()) {
        if (address.isLoopback())
            return true;
        // The listener's own address (listening beyond loopback, with an access key).
        const QHostAddress listening(m_host);
        if (address.isEqual(listening, QHostAddress::TolerantConversion))
            return true;
        if (listening == QHostAddress::Any || listening == QHostAddress::AnyIPv4 || listening == QHostAddress::AnyIPv6)
            for (const QHostAddress &a : QNetworkInterface::allAddresses())
                if (a.isEqual(address, QHostAddress::TolerantConversion))
                    return true;
        return false;
    }
    for (const QString &allowed : m_config->allowedHosts)
        if (allowed.compare(host, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

std::optional<Error> ProxyService::admit(const http::RequestHead &head, const QHostAddress &peer) const
{
    Q_UNUSED(peer);
    // DNS rebinding: a page whose name now points at 127.0.0.1 still sends its own name as Host.
    const QByteArray host = headerValue(head.headers, "host");
    if (!hostAllowed(host))
        return Error { 403, tr("Host '%1' is not this droid2api (only loopback names and addresses, or allowed_hosts)")
                                .arg(QString::fromLatin1(host.left(200))), {} };
    // Web pages: only the origins the user allowed, preflights and simple requests alike.
    const QByteArray origin = headerValue(head.headers, "origin");
    if (!origin.isEmpty()) {
        bool allowed = false;
        for (const QString &pattern : m_config->allowedOrigins)
            allowed = allowed || originMatches(pattern, QString::fromLatin1(origin));
        if (!allowed)
            return Error { 403, tr("web pages from %1 may not use this droid2api (allow it in Settings > General > Web pages allowed, or config allowed_origins)")
                                    .arg(QString::fromLatin1(origin.left(200))), {} };
    }
    return std::nullopt;
}

void ProxyService::handle(Exchange *exchange)
{
    const IncomingRequest &req = exchange->request();
    const QString &path = req.path;
    const RouteTable &routes = RouteTable::instance();
    const RouteMatch match = routes.match(path);
    exchange->setFormat(routes.formatFor(path));
    // CORS only for the origins the user allowed (admit() refused the others before the body was read).
    const QByteArray origin = exchange->header("origin");
    if (!origin.isEmpty()) {
        const QByteArray requested = exchange->header("access-control-request-headers");
        HeaderList cors { { "Access-Control-Allow-Origin", origin }, { "Vary", "Origin" },
                          { "Access-Control-Allow-Methods", routes.allowedMethods(path) },
                          { "Access-Control-Allow-Headers", requested.isEmpty() ? QByteArrayLiteral("*") : requested } };
        // Chromium's Private Network Access: a public page asking for a loopback service.
        if (exchange->header("access-control-request-private-network").compare("true", Qt::CaseInsensitive) == 0)
            cors.append(qMakePair(QByteArray("Access-Control-Allow-Private-Network"), QByteArray("true")));
        exchange->setCommonHeaders(cors);
    }
    if (req.method == "OPTIONS") {
        exchange->respond(204, { { "Access-Control-Max-Age", "600" } }, QByteArray());
        return;
    }
    const Route *route = match.route;
    const bool methodOk = route && (route->method == req.method || (route->method == "GET" && req.method == "HEAD"));
    if (route && route->action == Route::Action::Info) {
        if (!methodOk)
            return exchange->respondError({ 405, QStringLiteral("use GET or HEAD on /"), {} });
        // The details (account, token store location) only for callers that are not web pages and, when an
        // access key is set, present it; others learn only that the proxy is up.
        if (!origin.isEmpty() || (!m_config->accessKey.isEmpty() && !checkAccessKey(exchange)))
            return exchange->respondJson(200, jsonText({ { QStringLiteral("name"), QStringLiteral("droid2api") },
                                                         { QStringLiteral("status"), QStringLiteral("ok") } }));
        return handleInfo(exchange);
    }
    if (!checkAccessKey(exchange)) {
        return exchange->respondError(Error::unauthorized(
            QStringLiteral("this droid2api requires its local access key: send it as 'Authorization: Bearer <key>' "
                           "or 'x-api-key: <key>'")));
    }
    if (!route) {
        return exchange->respondError(Error::notFound(
            QStringLiteral("no route for %1 %2; see GET / for the routes droid2api serves")
                .arg(QString::fromLatin1(req.method), path)));
    }
    if (!methodOk)
        return exchange->respondError({ 405, QStringLiteral("use %1 on %2").arg(QString::fromLatin1(route->method), path), {} });
    switch (route->action) {
    case Route::Action::Info: break;
    case Route::Action::Models: return handleModels(exchange);
    case Route::Action::Usage: return handleUsage(exchange);
    case Route::Action::Generate:
    case Route::Action::CountTokens: return (new Call(exchange, this, m_config, *route, match.pathModel))->start();
    }
}

void ProxyService::handleInfo(Exchange *exchange)
{
    QJsonObject authStatus = m_auth->statusJson();
    authStatus.insert(QStringLiteral("source"), credentialSource());
    QJsonArray backends { QStringLiteral("factory") };
    for (const BackendConfig &b : m_config->backends)
        backends.append(b.name);
    if (m_env.envBackend)
        backends = QJsonArray { QStringLiteral("env") };
    QJsonArray endpoints;
    for (const QString &e : RouteTable::instance().endpoints())
        endpoints.append(e);
    QJsonObject info { { QStringLiteral("name"), QStringLiteral("droid2api") },
                       { QStringLiteral("version"), QStringLiteral(DROID2API_VERSION) },
                       { QStringLiteral("status"), QStringLiteral("ok") },
                       { QStringLiteral("endpoints"), endpoints },
                       { QStringLiteral("models"), int(m_config->models.size()) },
                       { QStringLiteral("access_key_required"), !m_config->accessKey.isEmpty() },
                       { QStringLiteral("auth"), authStatus },
                       { QStringLiteral("backends"), backends },
                       { QStringLiteral("circuits"), m_breaker.statusJson() },
                       { QStringLiteral("refused_requests"), double(m_server->refusedRequests()) } };
    exchange->respondJson(200, jsonText(info));
}

void ProxyService::handleUsage(Exchange *exchange)
{
    // ?from=&to= (a date, local midnight, or an ISO date-time; default: the last 30 days) &group=model|client|day|backend
    const QUrlQuery &q = exchange->request().query;
    auto parse = [](const QString &text, bool end) -> std::optional<QDateTime> {
        if (text.isEmpty())
            return QDateTime();
        const QDate day = text.size() == 10 ? QDate::fromString(text, Qt::ISODate) : QDate(); // a date alone
        if (day.isValid())
            return QDateTime(end ? day.addDays(1) : day, QTime(0, 0)); // a "to" day counts whole
        const QDateTime at = QDateTime::fromString(text, Qt::ISODate);
        if (at.isValid())
            return at;
        return std::nullopt;
    };
    const auto to = parse(q.queryItemValue(QStringLiteral("to")), true);
    const auto from = parse(q.queryItemValue(QStringLiteral("from")), false);
    const QString groupText = q.queryItemValue(QStringLiteral("group"));
    const auto group = groupText.isEmpty() ? UsageStore::Group::Model : UsageStore::parseGroup(groupText);
    if (!to || !from)
        return exchange->respondError(Error::badRequest(QStringLiteral("from and to are dates (2026-11-29) or ISO date-times")));
    if (!group)
        return exchange->respondError(Error::badRequest(QStringLiteral("group is model, client, day or backend")));
    const QDateTime end = to->isValid() ? *to : QDateTime::currentDateTimeUtc();
    const QDateTime start = from->isValid() ? *from : end.addDays(-30);
    m_usage->flush(); // this answer counts every request that ended before it
    QJsonObject report = m_usage->report(start, end, *group);
    // Read the plan's limits when asked for (a headless proxy calls Factory for them only then): this answer
    // has the last reading, the next one the fresh one.
    if ((!m_limits || m_limits->readAt.secsTo(QDateTime::currentDateTimeUtc()) > 600)
        && (!m_limitsAskedAt.isValid() || m_limitsAskedAt.secsTo(QDateTime::currentDateTimeUtc()) > 60))
        refreshLimits();
    if (m_limits) {
        QJsonObject limits { { QStringLiteral("used"), m_limits->used },
                             { QStringLiteral("limit"), m_limits->limit },
                             { QStringLiteral("share_used"), m_limits->share() },
                             { QStringLiteral("read_at"), m_limits->readAt.toString(Qt::ISODate) } };
        if (m_limits->resetsAt.isValid())
            limits.insert(QStringLiteral("resets_at"), m_limits->resetsAt.toUTC().toString(Qt::ISODate));
        report.insert(QStringLiteral("limits"), limits);
    }
    exchange->respondJson(200, jsonText(report));
}

void ProxyService::recordUsage(const RequestRecord &record)
{
    if (!m_config->usageRecording || record.model.isEmpty() || record.path.endsWith(u"/count_tokens"))
        return;
    UsageRow row;
    row.atMs = record.at.toMSecsSinceEpoch();
    row.model = record.model;
    row.backend = record.backend;
    row.client = m_usage->clientFor(record.userAgent, record.path);
    row.route = record.path;
    row.status = record.status;
    row.durationMs = record.durationMs;
    row.streamed = record.streamed;
    row.tokens = record.tokens;
    // Factory credits only for what Factory served (another backend bills its own way).
    const ModelConfig *model = record.backend == u"factory" ? m_config->findModel(record.model) : nullptr;
    row.credits = creditsFor(record.tokens, model ? model->credits : 0);
    m_usage->record(row);
}

void ProxyService::handleModels(Exchange *exchange)
{
    QJsonArray data;
    for (const ModelConfig &m : m_config->models) {
        data.append(QJsonObject { { QStringLiteral("id"), m.id },
                                  { QStringLiteral("object"), QStringLiteral("model") },
                                  { QStringLiteral("created"), m_startedSecs },
                                  { QStringLiteral("owned_by"), m.provider.isEmpty() ? defaultProvider(m.type) : m.provider },
                                  { QStringLiteral("name"), m.name },
                                  { QStringLiteral("type"), modelTypeName(m.type) } });
    }
    exchange->respondJson(200, jsonText({ { QStringLiteral("object"), QStringLiteral("list") }, { QStringLiteral("data"), data } }));
}

// --- CallEnv: what a Call needs from the proxy ---------------------------------------------------------------

std::optional<ResolvedRoute> ProxyService::resolve(const Config &config, const QString &id) const
{
    // The model and the backend it names; the environment's backend (ANTHROPIC_BASE_URL / OPENAI_BASE_URL)
    // serves every request, configured model or not, as in the original.
    ResolvedRoute r;
    r.backend.name = QStringLiteral("factory");
    if (const ModelConfig *m = config.findModel(id))
        r.model = *m;
    else if (!m_env.envBackend)
        return std::nullopt;
    else
        r.model.id = r.model.name = id;
    if (m_env.envBackend) {
        r.backend = *m_env.envBackend;
        r.model.type = r.backend.kind == BackendConfig::Kind::Anthropic ? ModelType::Anthropic
            : r.backend.responses                                        ? ModelType::OpenAI
                                                                         : ModelType::Common;
    } else if (!r.model.backend.isEmpty()) {
        r.backend = *config.findBackend(r.model.backend);
    }
    r.upstreamModel = r.backend.model.isEmpty() ? r.model.id : r.backend.model;
    return r;
}

void ProxyService::factoryCredential(Exchange *exchange, std::function<void(Result<QByteArray>)> done)
{
    m_auth->acquire(exchange, std::move(done));
}

QString ProxyService::backendKey(const BackendConfig &backend) const
{
    // The key from the environment or the token store, never from the config file.
    if (backend.name == u"env")
        return m_env.envBackendKey;
    const QString key = qEnvironmentVariable(qPrintable(backend.apiKeyEnv));
    return key.isEmpty() ? m_auth->backendKey(backend.name) : key;
}

bool ProxyService::canRecover() const
{
    return m_auth->canRecover();
}

void ProxyService::recover(const QByteArray &rejected, QObject *context, std::function<void(Result<QByteArray>)> done)
{
    m_auth->recover(rejected, context, std::move(done));
}

bool ProxyService::admit(const BackendConfig &backend, QObject *context, std::function<void()> go)
{
    return m_limiter->acquire(backend.name, backend.maxConcurrent, backend.queueLimit, context, std::move(go));
}

void ProxyService::release(const QString &backend)
{
    m_limiter->release(backend);
}

QString ProxyService::userAgent(const Config &config) const
{
    return m_userAgent->userAgent().isEmpty() ? config.userAgent : m_userAgent->userAgent();
}

QByteArray ProxyService::organizationId() const
{
    return m_auth->organizationId().toUtf8();
}

Attempt *ProxyService::newAttempt(Exchange *exchange, UpstreamRequest request, const RelaySpec &spec)
{
    return new Relay(exchange, m_client, std::move(request), spec);
}

} // namespace d2a
