#include "proxyservice.h"

#include "../auth/authmanager.h"
#include "../backend/routing.h"
#include "../formats/registry.h"
#include "../log/log.h"
#include "../upstream/httpclient.h"
#include "../upstream/useragentupdater.h"
#include "../usage/usagestore.h"
#include "gate.h"
#include "httpserver.h"
#include "relay.h"
#include "routes.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qtimer.h>
#include <QtNetwork/qsslcertificate.h>
#include <QtNetwork/qsslconfiguration.h>

namespace d2a {

ProxyService::ProxyService(QObject *parent)
    : QObject(parent), m_config(std::make_shared<Config>(ConfigLoader::defaults())), m_server(new HttpServer(this)),
      m_client(new HttpClient(this)), m_userAgent(new UserAgentUpdater(this)), m_auth(new AuthManager(m_client, this)),
      m_limiter(new BackendLimiter(this)), m_usage(new UsageStore(this))
{
    tuneHeapForBodies();
    m_server->setHandler([this](Exchange *e) { handle(e); });
    m_server->setHeadFilter(
        [this](const http::RequestHead &head, const QHostAddress &) { return Gate(*m_config, m_host).admit(head); });
    connect(m_server, &HttpServer::exchangeDone, this, &ProxyService::requestFinished);
    connect(m_server, &HttpServer::exchangeDone, this, &ProxyService::recordUsage);
    connect(m_usage, &UsageStore::opened, this, [](const QString &error) {
        if (!error.isEmpty())
            qCWarning(lcServer).noquote() << error;
    });
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
    limits.maxConnections = config.limits.maxConnections;
    limits.maxBodyBytes = config.maxBodyBytes;
    limits.maxBodiesInFlight = config.limits.maxBodiesInFlightBytes;
    limits.minBodyBytesPerSec = config.limits.minBodyBytesPerSec;
    m_server->setLimits(limits);
    if (!config.accessKey.isEmpty())
        log::registerSecret(config.accessKey);
    if (config.usageRecording && !m_usage->isOpen()) // opened on the writer thread: SQLite never holds the event loop
        m_usage->openInBackground(UsageStore::defaultPath(), config.usageRetentionDays);
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
                                    "(clients then send it as their API key)")
                                     .arg(host));
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
    qCInfo(lcServer) << "waiting up to" << timeoutMs << "ms for" << m_server->activeExchanges()
                     << "request(s) in flight";
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
        qCWarning(lcServer) << m_server->activeExchanges()
                            << "request(s) still in flight at shutdown; cutting them off";
        finish(false);
    });
    timer->start(timeoutMs);
}

void ProxyService::handle(Exchange *exchange)
{
    const IncomingRequest &req = exchange->request();
    const QString &path = req.path;
    RouteMatch match = RouteTable::instance().match(path);
    if (match.route) {
        // A path formats share answers errors in the shape of the SDK that calls it (Google's sends its header).
        for (const WireFormat f : match.route->formats) {
            const char *sdkHeader = formatSpec(f).sdkHeader;
            if (sdkHeader && !exchange->header(sdkHeader).isEmpty())
                match.format = f;
        }
    }
    exchange->setFormat(match.format);
    // CORS only for the origins the user allowed (the Gate refused the others before the body was read).
    const QByteArray origin = exchange->header("origin");
    if (!origin.isEmpty()) {
        const QByteArray requested = exchange->header("access-control-request-headers");
        HeaderList cors { { "Access-Control-Allow-Origin", origin },
                          { "Vary", "Origin" },
                          { "Access-Control-Allow-Methods", RouteTable::allowedMethods(match) },
                          { "Access-Control-Allow-Headers",
                            requested.isEmpty() ? QByteArrayLiteral("*") : requested } };
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
            return exchange->respondJson(200, QByteArrayLiteral("{\"name\":\"droid2api\",\"status\":\"ok\"}"));
        return handleInfo(exchange);
    }
    if (!checkAccessKey(exchange)) {
        return exchange->respondError(Error::unauthorized(
            QStringLiteral("this droid2api requires its local access key: send it as 'Authorization: Bearer <key>' "
                           "or 'x-api-key: <key>'")));
    }
    if (!route) {
        // Named by its path, not taken for a model (OpenAI's own words for an unknown path: "Invalid URL").
        return exchange->respondError(
            Error::notFound(QStringLiteral("Invalid URL (%1 %2): droid2api has no route there; GET / lists the routes "
                                           "it serves")
                                .arg(QString::fromLatin1(req.method), log::clientText(path)))
                .withCode("unknown_route"));
    }
    if (!methodOk)
        return exchange->respondError(
            { 405, QStringLiteral("use %1 on %2").arg(QString::fromLatin1(route->method), path), {} });
    switch (route->action) {
    case Route::Action::Info: break;
    case Route::Action::Models: return handleModels(exchange, *route);
    case Route::Action::Model: return handleModel(exchange, *route, match.pathModel);
    case Route::Action::Usage: return handleUsage(exchange);
    case Route::Action::Generate:
    case Route::Action::CountTokens:
    case Route::Action::Operation: return (new Call(exchange, this, m_config, *route, match.pathModel))->start();
    }
}

// --- CallEnv: what a Call needs from the proxy ---------------------------------------------------------------

std::optional<ResolvedRoute> ProxyService::resolve(const Config &config, const QString &id) const
{
    return resolveRoute(config, m_env, id);
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

QString ProxyService::replacementOf(const QString &id) const
{
    return m_replacements.value(id);
}

void ProxyService::modelRefused(const QString &from, const QString &to, const QString &why)
{
    if (m_replacements.value(from) == to)
        return;
    m_replacements.insert(from, to); // until the next start: Factory may serve it again after an update
    Q_EMIT modelReplaced(from, to, why);
}

void ProxyService::recover(const QByteArray &rejected, QObject *context, std::function<void(Result<QByteArray>)> done)
{
    m_auth->recover(rejected, context, std::move(done));
}

bool ProxyService::checkAccessKey(Exchange *exchange) const
{
    return Gate(*m_config, m_host).offersAccessKey(exchange->request().headers, exchange->request().query);
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
