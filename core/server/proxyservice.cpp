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
#include "../upstream/forwardjob.h"
#include "../upstream/httpclient.h"
#include "../upstream/routing.h"
#include "../upstream/useragentupdater.h"
#include "../usage/usagestore.h"
#include "httpserver.h"

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

const QString kGeminiPrefix = QStringLiteral("/v1beta/models/");

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

WireFormat formatForPath(const QString &path)
{
    if (path.startsWith(u"/v1/messages"))
        return WireFormat::Anthropic;
    if (path.startsWith(u"/v1/responses"))
        return WireFormat::OpenAIResponses;
    if (path.startsWith(u"/v1beta/") || path == u"/v1/generate")
        return WireFormat::Gemini;
    return WireFormat::OpenAIChat;
}

ProxyService::ProxyService(QObject *parent)
    : QObject(parent), m_config(std::make_shared<Config>(ConfigLoader::defaults())), m_server(new HttpServer(this)),
      m_client(new HttpClient(this)), m_userAgent(new UserAgentUpdater(this)), m_auth(new AuthManager(m_client, this)),
      m_limiter(new BackendLimiter(this)), m_usage(new UsageStore(this))
{
    tuneHeapForBodies();
    m_server->setHandler([this](Exchange *e) { handle(e); });
    m_server->setFormatForPath(&formatForPath);
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

ProxyService::~ProxyService() = default;

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

QByteArray ProxyService::clientCredential(const Exchange *exchange) const
{
    for (const QByteArray &name : { QByteArrayLiteral("authorization"), QByteArrayLiteral("x-api-key"),
                                    QByteArrayLiteral("x-goog-api-key") }) {
        const QByteArray v = bearerOf(exchange->header(name));
        if (!v.isEmpty())
            return v;
    }
    return exchange->request().query.queryItemValue(QStringLiteral("key")).toUtf8();
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
    exchange->setFormat(formatForPath(path));
    // CORS only for the origins the user allowed (admit() refused the others before the body was read).
    const QByteArray origin = exchange->header("origin");
    if (!origin.isEmpty()) {
        const QByteArray requested = exchange->header("access-control-request-headers");
        HeaderList cors { { "Access-Control-Allow-Origin", origin }, { "Vary", "Origin" },
                          { "Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS" },
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

    const bool isGet = req.method == "GET" || req.method == "HEAD";
    if (path == u"/" || path.isEmpty()) {
        if (!isGet)
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
    if (path == u"/v1/models") {
        if (!isGet)
            return exchange->respondError({ 405, QStringLiteral("use GET on /v1/models"), {} });
        return handleModels(exchange);
    }
    if (path == u"/usage") {
        if (!isGet)
            return exchange->respondError({ 405, QStringLiteral("use GET on /usage"), {} });
        return handleUsage(exchange);
    }

    struct Route
    {
        WireFormat format;
        QString model;
        bool stream = false;
        bool count = false;
    };
    std::optional<Route> route;
    if (path == u"/v1/chat/completions")
        route = Route { WireFormat::OpenAIChat, {}, false, false };
    else if (path == u"/v1/responses")
        route = Route { WireFormat::OpenAIResponses, {}, false, false };
    else if (path == u"/v1/messages")
        route = Route { WireFormat::Anthropic, {}, false, false };
    else if (path == u"/v1/messages/count_tokens")
        route = Route { WireFormat::Anthropic, {}, false, true };
    else if (path == u"/v1/generate")
        route = Route { WireFormat::Gemini, {}, false, false };
    else if (path.startsWith(kGeminiPrefix)) {
        const QString rest = path.mid(kGeminiPrefix.size());
        const qsizetype colon = rest.lastIndexOf(u':');
        const QString action = colon > 0 ? rest.mid(colon + 1) : QString();
        if (action == u"generateContent" || action == u"streamGenerateContent")
            route = Route { WireFormat::Gemini, rest.left(colon), action == u"streamGenerateContent", false };
    }
    if (!route) {
        return exchange->respondError(Error::notFound(
            QStringLiteral("no route for %1 %2; see GET / for the routes droid2api serves")
                .arg(QString::fromLatin1(req.method), path)));
    }
    if (req.method != "POST")
        return exchange->respondError({ 405, QStringLiteral("use POST on %1").arg(path), {} });
    handleProxy(exchange, route->format, route->model, route->stream, route->count);
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
    for (const char *e : { "GET /v1/models", "POST /v1/chat/completions", "POST /v1/responses", "POST /v1/messages",
                           "POST /v1/messages/count_tokens", "POST /v1beta/models/{model}:generateContent",
                           "POST /v1beta/models/{model}:streamGenerateContent?alt=sse", "POST /v1/generate",
                           "GET /usage?from=&to=&group=model|client|day|backend" })
        endpoints.append(QString::fromLatin1(e));
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

/// One proxied request on its way through the model's fallback chain.
struct ProxyService::Call
{
    QPointer<Exchange> exchange;
    std::shared_ptr<const Config> config;
    WireFormat routeFormat = WireFormat::OpenAIChat;
    QString pathModel;
    std::shared_ptr<const json::Document> body; ///< the client's body, parsed once (spans into its bytes)
    std::optional<ReasoningLevel> headerLevel;
    bool clientStream = false;
    bool countTokens = false;
    QString requested; ///< the model id as the client named it (answers report this one)
    QStringList chain; ///< model ids still to try, in order
    std::optional<Error> lastError;
    bool throughOpenCircuit = false; ///< this attempt goes to an open circuit (nothing else could take it)
};

void ProxyService::handleProxy(Exchange *exchange, WireFormat routeFormat, const QString &pathModel, bool streamRoute,
                               bool countTokens)
{
    auto call = std::make_shared<Call>();
    call->exchange = exchange;
    call->config = m_config; // one snapshot for the whole request
    call->routeFormat = routeFormat;
    call->pathModel = pathModel;
    call->countTokens = countTokens;
    const IncomingRequest &req = exchange->request();
    // Strict JSON (RFC 8259, UTF-8, no duplicate keys: upstreams resolve them differently), parsed once.
    auto parsed = json::Document::parse(req.body);
    if (!parsed)
        return exchange->respondError(Error::badRequest(QStringLiteral("request body is not valid JSON: %1").arg(parsed.error().message)));
    if (!parsed.value().root().isObject())
        return exchange->respondError(Error::badRequest(QStringLiteral("request body must be a JSON object")));
    call->body = std::make_shared<const json::Document>(std::move(parsed.value()));
    const json::Value root = call->body->root();

    QString requested = pathModel;
    if (requested.isEmpty()) {
        const json::Value m = root["model"];
        if (!m.isSet())
            return exchange->respondError(Error::badRequest(QStringLiteral("missing 'model' in the request body")));
        if (!m.isString() || m.toString().trimmed().isEmpty())
            return exchange->respondError(Error::badRequest(QStringLiteral("'model' must be a non-empty string")));
        requested = m.toString().trimmed();
    }
    if (requested.startsWith(u"models/"))
        requested = requested.mid(7); // Gemini SDKs may send "models/<id>"
    exchange->setRequestedModel(requested);
    const QString target = call->config->redirect(requested);
    const ModelConfig *model = call->config->findModel(target);
    if (!model && !m_env.envBackend)
        return exchange->respondError(Error::notFound(
            QStringLiteral("model '%1' is not configured; GET /v1/models lists the available models").arg(requested)));
    call->requested = requested;
    call->chain = QStringList { target };
    if (model)
        call->chain += model->fallback;

    const QByteArray levelHeader = exchange->header("x-reasoning-level");
    if (!levelHeader.isEmpty()) {
        call->headerLevel = parseReasoningLevel(QString::fromUtf8(levelHeader));
        if (!call->headerLevel)
            return exchange->respondError(Error::badRequest(
                QStringLiteral("x-reasoning-level must be auto, off, low, medium, high or xhigh, not '%1'")
                    .arg(QString::fromUtf8(levelHeader.left(40)))));
    }
    call->clientStream = streamRoute || root["stream"].toBool(false);
    dispatch(call);
}

std::optional<ProxyService::ResolvedRoute> ProxyService::resolveRoute(const Config &config, const QString &id) const
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

void ProxyService::dispatch(const std::shared_ptr<Call> &call)
{
    Exchange *exchange = call->exchange;
    if (!exchange)
        return;
    const std::shared_ptr<const Config> &config = call->config;
    if (call->chain.isEmpty()) {
        return exchange->respondError(call->lastError.value_or(
            Error::badGateway(QStringLiteral("no configured model could take this request"))));
    }
    const QString id = call->chain.takeFirst();
    const auto resolved = resolveRoute(*config, id);
    if (!resolved)
        return dispatch(call); // a fallback id that is not configured: skip it
    const ModelConfig &model = resolved->model;
    const BackendConfig &backend = resolved->backend;
    exchange->setModel(model.id, backend.kind == BackendConfig::Kind::Factory ? modelTypeName(model.type) : backend.name, backend.name);
    const QString circuit = CircuitBreaker::key(backend.name, resolved->upstreamModel);
    call->throughOpenCircuit = false;
    if (!m_breaker.allow(circuit)) {
        // An open circuit only diverts: to the next route of the chain that can take the request now. With
        // none, the request goes to this upstream anyway and the client gets its real answer.
        bool another = false;
        for (const QString &next : std::as_const(call->chain)) {
            const auto r = resolveRoute(*config, next);
            another = another || (r && !m_breaker.isOpen(CircuitBreaker::key(r->backend.name, r->upstreamModel)));
        }
        if (another) {
            qCInfo(lcProxy).noquote() << "skipping" << model.id << ": its circuit on backend" << backend.name
                                      << "is open; diverting to the next route of its fallback chain";
            return dispatch(call);
        }
        qCInfo(lcProxy).noquote() << "the circuit of" << model.id << "on backend" << backend.name
                                  << "is open, but no other route can take the request: sending it anyway";
        call->throughOpenCircuit = true;
    }

    const WireFormat upFormat = backendFormat(backend, model.type);
    if (call->countTokens && upFormat != WireFormat::Anthropic) {
        // No counter upstream for this model: a local estimate over everything that would be sent (never a 404).
        auto parsed = readRequest(WireFormat::Anthropic, call->body->root());
        if (!parsed)
            return exchange->respondError(parsed.error());
        ir::Request r = parsed.value();
        if (backend.kind == BackendConfig::Kind::Factory)
            r.system.prepend(ir::Part::makeText(config->systemPrompt));
        return exchange->respondJson(200, jsonText({ { QStringLiteral("input_tokens"), double(estimateInputTokens(r)) } }),
                                     { { "x-droid2api-estimate", "local" } });
    }

    auto go = [this, call, model, backend](const QByteArray &bearer, bool serverCredential) {
        Exchange *ex = call->exchange;
        if (!ex)
            return;
        const bool queued = m_limiter->acquire(backend.name, backend.maxConcurrent, backend.queueLimit, ex,
                                               [this, call, model, backend, bearer, serverCredential] {
            if (!call->exchange) {
                m_limiter->release(backend.name);
                return;
            }
            forward(call, model, backend, bearer, serverCredential);
        });
        if (!queued)
            ex->respondJson(429, renderErrorBody(ex->format(), Error { 429,
                QStringLiteral("backend '%1' is at its limit of %2 requests in flight with %3 waiting; retry shortly")
                    .arg(backend.name).arg(backend.maxConcurrent).arg(backend.queueLimit), {} }),
                { { "Retry-After", "1" } });
    };

    if (backend.kind != BackendConfig::Kind::Factory) {
        // Third-party backends: the key from the environment or the token store, never from the config file.
        QString key = backend.name == u"env" ? m_env.envBackendKey : qEnvironmentVariable(qPrintable(backend.apiKeyEnv));
        if (key.isEmpty() && backend.name != u"env")
            key = m_auth->backendKey(backend.name);
        log::registerSecret(key);
        go(key.toUtf8(), true);
        return;
    }
    QPointer<Exchange> guard(exchange);
    m_auth->acquire(exchange, [this, guard, config, go](const Result<QByteArray> &credential) {
        if (!guard)
            return;
        if (!credential)
            return guard->respondError(credential.error());
        QByteArray bearer = credential.value();
        const bool serverCredential = !bearer.isEmpty();
        if (!serverCredential && config->accessKey.isEmpty()) {
            bearer = clientCredential(guard);
            if (!bearer.isEmpty())
                log::registerSecret(QString::fromUtf8(bearer));
        }
        if (bearer.isEmpty()) {
            return guard->respondError(Error::unauthorized(
                config->accessKey.isEmpty()
                    ? QStringLiteral("no credentials: sign in with `droid2api --sign-in`, set FACTORY_API_KEY, or send "
                                     "your Factory key as 'Authorization: Bearer <key>'")
                    : QStringLiteral("droid2api has no Factory credentials: sign in with `droid2api --sign-in` or set "
                                     "FACTORY_API_KEY (client keys are not forwarded while a local access key is set)")));
        }
        go(bearer, serverCredential);
    });
}

void ProxyService::forward(const std::shared_ptr<Call> &call, const ModelConfig &model, const BackendConfig &backend,
                           const QByteArray &bearer, bool serverCredential)
{
    Exchange *exchange = call->exchange;
    const std::shared_ptr<const Config> &config = call->config;
    const IncomingRequest &req = exchange->request();
    const bool factory = backend.kind == BackendConfig::Kind::Factory;
    const WireFormat upFormat = backendFormat(backend, model.type);
    ReasoningLevel level = config->effectiveLevel(model, call->headerLevel);
    const QString upstreamModel = backend.model.isEmpty() ? model.id : backend.model;
    auto release = [this, name = backend.name] { m_limiter->release(name); };
    // Another format upstream: through the shared model (reader of the client's format, writer of the
    // upstream's); the same format: passthrough. Both then get the same protocol edits.
    std::optional<ir::Request> translated;
    std::shared_ptr<const json::Document> body = call->body;
    if (upFormat != call->routeFormat) {
        auto parsed = readRequest(call->routeFormat, call->body->root(), call->pathModel);
        if (!parsed) {
            release();
            return exchange->respondError(parsed.error());
        }
        translated = std::move(parsed.value());
        if (!translated->dropped.isEmpty()) {
            // Said twice: in the log, and to the client in a header (printable ASCII, bounded).
            QByteArray list = translated->dropped.join(QStringLiteral(", ")).toUtf8();
            for (char &c : list)
                if (uchar(c) < 0x20 || uchar(c) > 0x7e)
                    c = '?';
            if (list.size() > 1024)
                list = list.left(1021) + "...";
            exchange->addCommonHeader("x-droid2api-dropped", list);
            qCWarning(lcProxy).noquote() << QStringLiteral("%1 %2: left out what model '%3' (%4) cannot take: %5")
                                                .arg(QString::fromLatin1(req.method), req.path, model.id, wireFormatName(upFormat),
                                                     QString::fromLatin1(list));
        }
        translated->model = upstreamModel;
        translated->stream = call->clientStream;
        if (!translated->maxTokens && model.maxTokens > 0 && upFormat == WireFormat::Anthropic)
            translated->maxTokens = model.maxTokens; // Anthropic needs one: the model's own output room
        if (upFormat == WireFormat::Anthropic) {
            // The client could not place Anthropic cache breakpoints: place them as Factory's CLI does.
            translated->promptCache = true;
            translated->cacheTtl = factory ? QStringLiteral("1h") : QString();
        }
        // The client's own level, written by the target family's rules below (not the writer's generic form).
        if (level == ReasoningLevel::Auto && translated->reasoning && translated->reasoning->enabled)
            level = parseReasoningLevel(translated->reasoning->effort).value_or(ReasoningLevel::Auto);
        auto written = writeRequest(upFormat, *translated);
        if (!written) {
            release();
            Error e = written.error();
            e.message = QStringLiteral("model '%1' (%2) cannot take this request: %3").arg(model.id, wireFormatName(upFormat), e.message);
            return exchange->respondError(e);
        }
        // The answer's writers need only the model, the tools and a few flags: let the conversation go before
        // the edits below make their copy (a 30 MiB body is 60 MB more as text in the shared model).
        translated->messages = {};
        translated->system = {};
        // The protocol edits below work on the translated body as they do on a client's.
        auto reparsed = json::Document::parse(written.value(), { 4096, false });
        if (!reparsed) {
            release();
            return exchange->respondError(Error::internal(QStringLiteral("translation produced invalid JSON: %1").arg(reparsed.error().message)));
        }
        body = std::make_shared<const json::Document>(std::move(reparsed.value()));
        translated->model = call->requested; // answers and streams report the id the client asked for
    }
    // A level the model does not take becomes its default, as Factory's CLI does; a client's own level too.
    const ReasoningLevel asked = level != ReasoningLevel::Auto ? level : requestedLevel(upFormat, body->root()).value_or(ReasoningLevel::Auto);
    if (asked != ReasoningLevel::Auto && !model.supports(asked)) {
        level = model.clamp(asked);
        qCInfo(lcProxy).noquote() << QStringLiteral("model %1 does not take reasoning level %2; using %3")
                                         .arg(model.id, reasoningLevelName(asked), reasoningLevelName(level));
    }
    const QByteArray sessionId = sessionIdOf(req, call->body->root());
    PassthroughEdits edits;
    edits.upstreamModel = upstreamModel;
    edits.systemPrompt = factory ? config->systemPrompt : QString(); // the Droid prompt is Factory's alone
    edits.level = call->countTokens ? ReasoningLevel::Auto : level;
    edits.model = model;
    edits.budget = config->budgetFor(level);
    edits.fast = factory && model.fast;
    if (translated && factory)
        edits.promptCacheKey = QString::fromLatin1(sessionId); // Responses caching keyed by session, as the CLI
    auto edited = applyPassthroughEdits(upFormat, *body, edits);
    if (!edited) {
        release();
        return exchange->respondError(edited.error());
    }

    UpstreamRequest up;
    if (factory) {
        up.url = factoryEndpoint(*config, model.type);
        if (call->countTokens)
            up.url.setPath(up.url.path() + QStringLiteral("/count_tokens"));
        FactoryHeaderInput hin;
        hin.model = model;
        hin.userAgent = m_userAgent->userAgent().isEmpty() ? config->userAgent : m_userAgent->userAgent();
        hin.bearer = bearer;
        hin.clientHeaders = req.headers;
        hin.level = level;
        hin.stream = call->clientStream;
        hin.sessionId = sessionId;
        hin.organizationId = serverCredential ? m_auth->organizationId().toUtf8() : QByteArray();
        hin.extraHeaders = config->upstreamHeaders.value(modelTypeName(model.type)).toObject();
        up.headers = buildFactoryHeaders(hin);
    } else {
        up.url = backendEndpoint(backend, upFormat, call->countTokens);
        up.headers = buildBackendHeaders(upFormat, bearer, req.headers, level, model, call->clientStream);
    }
    up.body = edited.value();
    up.connectTimeoutMs = config->timeouts.connectMs;
    up.firstByteTimeoutMs = config->timeouts.firstByteMs;
    up.idleTimeoutMs = config->timeouts.idleMs;
    if (config->devMode) {
        for (const auto &h : std::as_const(up.headers))
            qCDebug(lcUpstream).noquote() << "  >" << h.first << ':' << log::loggableHeaderValue(h.first, h.second);
    }
    qCDebug(lcUpstream).noquote() << "forwarding" << req.path << "model" << model.id << "to backend" << backend.name
                                  << up.url.toString() << "reasoning" << reasoningLevelName(level) << (call->clientStream ? "stream" : "");
    auto *job = new ForwardJob(exchange, m_client, std::move(up), call->routeFormat, upFormat, call->clientStream);
    connect(job, &QObject::destroyed, this, release);
    if (translated)
        job->setTranslation(*translated);
    job->setKeepAliveInterval(config->timeouts.keepAliveMs);
    job->setLimits(config->limits.maxEventBytes, config->limits.maxAnswerBytes);
    // A route whose circuit is open gets one attempt: retrying a known failure only makes the client wait.
    job->setRetryPolicy(call->throughOpenCircuit ? 0 : config->resilience.retries, config->resilience.backoffMs,
                        config->resilience.maxBackoffMs);
    job->setOutcomeHandler([this, circuit = CircuitBreaker::key(backend.name, upstreamModel)](bool ok) {
        if (ok)
            m_breaker.recordSuccess(circuit);
        else
            m_breaker.recordFailure(circuit);
    });
    job->setGiveUpHandler([this, call, id = model.id](const Error &error) {
        // Retries spent: the next model of the fallback chain, if any, takes the request over.
        if (call->chain.isEmpty())
            return false;
        qCInfo(lcProxy).noquote() << QStringLiteral("model %1 failed (%2); falling back to %3").arg(id, error.message, call->chain.first());
        call->lastError = error;
        QMetaObject::invokeMethod(this, [this, call] { dispatch(call); }, Qt::QueuedConnection);
        return true;
    });
    if (factory && serverCredential && m_auth->canRecover()) {
        // An upstream 401 before anything reached the client: refresh once and send the request again.
        QPointer<AuthManager> auth(m_auth);
        job->setRecovery([auth, job](const QByteArray &rejected, std::function<void(Result<QByteArray>)> done) {
            if (!auth)
                return done(Error::unauthorized(QStringLiteral("shutting down")));
            auth->recover(rejected, job, std::move(done));
        });
    }
    job->start();
}

} // namespace d2a
