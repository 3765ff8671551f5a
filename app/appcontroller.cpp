#include "appcontroller.h"

#include "auth/authmanager.h"
#include "auth/devicesignin.h"
#include "integrations/clientsetup.h"
#include "log/log.h"
#include "server/httpserver.h"
#include "upstream/httpclient.h"
#include "server/proxyservice.h"
#include "usage/usagestore.h"

#include <QtCore/qfile.h>
#include <QtCore/qlocale.h>
#include <QtCore/qmath.h>
#include <QtCore/qdatetime.h>
#include <QtCore/qloggingcategory.h>
#include <QtCore/qurl.h>
#include <QtGui/qdesktopservices.h>
#include <QtNetwork/qtcpserver.h>

Q_LOGGING_CATEGORY(lcApp, "droid2api.app")

AppController::AppController(QString configPath, const d2a::Config &config, const d2a::Environment &env,
                             QObject *parent)
    : QObject(parent), m_configPath(std::move(configPath)), m_config(config), m_env(env),
      m_proxy(new d2a::ProxyService(this))
{
    m_proxy->setEnvironment(env);
    m_proxy->setConfig(m_config);
    m_proxy->startAuth();
    connect(m_proxy, &d2a::ProxyService::requestFinished, this, &AppController::requestFinished);
    connect(m_proxy, &d2a::ProxyService::modelReplaced, this,
            [this](const QString &from, const QString &to) { Q_EMIT modelReplaced(from, to); });
    connect(m_proxy, &d2a::ProxyService::requestFinished, this, [this](const d2a::RequestRecord &r) {
        if (r.status >= 500)
            noteError(tr("%1 %2 (%3): %4")
                          .arg(r.method, r.path, r.model.isEmpty() ? r.requested : r.model,
                               r.error.isEmpty() ? tr("HTTP %1").arg(r.status) : r.error));
    });
    // The state follows what requests get: Factory refusing one with droid2api's credential turns the sign-in
    // look on at once (even when the check at start got no clear answer), one going through turns it off.
    // Requests refused before reaching Factory name no backend (the local access key) or find no credential.
    connect(m_proxy, &d2a::ProxyService::requestFinished, this, [this](const d2a::RequestRecord &r) {
        if (r.backend != u"factory")
            return;
        if (r.status == 401)
            m_proxy->auth()->noteRequestRefused();
        else if (r.status > 0 && r.status < 400)
            m_proxy->auth()->noteRequestServed();
    });
    connect(m_proxy->auth(), &d2a::AuthManager::statusChanged, this, [this] {
        updateState();
        Q_EMIT authChanged();
    });
    m_proxy->watchLimits(); // the tray and the Usage window show the plan's share
    connect(m_proxy, &d2a::ProxyService::limitsChanged, this, [this] {
        const auto limits = m_proxy->planLimits();
        if (!limits)
            return;
        const QString period = limits->resetsAt.isValid() ? limits->resetsAt.toString(Qt::ISODate)
                                                          : QDate::currentDate().toString(QStringLiteral("yyyy-MM"));
        if (period != m_warnedPeriod) {
            m_warnedPeriod = period;
            m_warnedPercent = 0;
        }
        const int percent = limits->share() >= 0.95 ? 95 : limits->share() >= 0.8 ? 80 : 0;
        if (percent > m_warnedPercent) {
            m_warnedPercent = percent;
            Q_EMIT usageWarning(tr("You have used %1% of your Factory plan for this period. %2")
                                    .arg(qFloor(limits->share() * 100))
                                    .arg(planSummary()));
        }
    });
}

QString AppController::planSummary() const
{
    const auto limits = m_proxy->planLimits();
    if (!limits)
        return tr("Plan: not known (Factory tells its allowance to signed-in accounts).");
    const QLocale l;
    auto amount = [&l](double v) {
        return v >= 1e6 ? tr("%1 M").arg(l.toString(v / 1e6, 'f', 1)) : l.toString(v, 'f', 0);
    };
    const QString used = tr("Plan: %1 of %2 used (%3%), %4 left")
                             .arg(amount(limits->used), amount(limits->limit))
                             .arg(qFloor(limits->share() * 100))
                             .arg(amount(qMax(0.0, limits->limit - limits->used)));
    return limits->resetsAt.isValid()
               ? tr("%1; renews on %2.")
                     .arg(used, l.toString(limits->resetsAt.toLocalTime().date(), QLocale::ShortFormat))
               : used + u'.';
}

QString AppController::usageToday() const
{
    d2a::UsageStore *store = m_proxy->usage();
    if (!store->isOpen())
        return {};
    const double credits = store->creditsToday();
    const auto limits = m_proxy->planLimits();
    const QString today = tr("today %1 credits").arg(QLocale().toString(credits, 'f', 0));
    return limits ? tr("%1, plan %2% left").arg(today).arg(qMax(0, 100 - qFloor(limits->share() * 100))) : today;
}

AppController::~AppController() = default;

QString AppController::baseUrl() const
{
    return m_proxy->isRunning() ? m_proxy->baseUrl()
                                : QStringLiteral("http://%1:%2").arg(m_config.host).arg(m_config.port);
}

bool AppController::isRunning() const
{
    return m_proxy->isRunning();
}

void AppController::start()
{
    if (m_proxy->isRunning())
        return;
    const auto r = m_proxy->start();
    if (!r) {
        m_state = State::Error;
        const bool inUse = m_proxy->server()->lastListenError() == QAbstractSocket::AddressInUseError;
        m_problem = inUse ? Problem::PortInUse : Problem::ListenFailed;
        m_message =
            inUse ? tr("Port %1 is in use by another program, so droid2api is not serving. Choose another port in "
                       "Settings > General, or use a free one.")
                        .arg(m_config.port)
                  : tr("droid2api could not start: %1").arg(r.error().message);
        qCWarning(lcApp).noquote() << m_message;
        noteError(m_message);
        Q_EMIT stateChanged(m_state, m_message);
        return;
    }
    m_message.clear();
    m_problem = Problem::None;
    updateState();
}

void AppController::stop()
{
    m_proxy->stop();
    m_problem = Problem::None;
    m_message.clear();
    updateState();
}

void AppController::toggle()
{
    if (m_proxy->isRunning())
        stop();
    else
        start();
}

bool AppController::needsFactory() const
{
    if (m_env.envBackend)
        return false;
    for (const d2a::ModelConfig &m : m_config.models)
        if (m.backend.isEmpty() || m.backend == u"factory")
            return true;
    return false;
}

void AppController::updateState()
{
    State s = State::Stopped;
    Problem p = Problem::None;
    QString message;
    if (m_proxy->isRunning()) {
        s = State::Running;
        if (needsFactory()) {
            // "Running" only when Factory can be reached with credentials it takes: the proxy listening is not
            // enough (a request without them fails).
            switch (m_proxy->auth()->state()) {
            case d2a::AuthManager::State::NoCredentials:
                s = State::SignInRequired;
                p = Problem::NoCredentials;
                message = tr("Not signed in to Factory: requests fail until you sign in (or a client sends its own "
                             "Factory key).");
                break;
            case d2a::AuthManager::State::SignInRequired:
                s = State::SignInRequired;
                p = Problem::SignInExpired;
                message = tr("Your Factory sign-in has ended: sign in again.");
                break;
            case d2a::AuthManager::State::KeyRejected:
                s = State::SignInRequired;
                if (m_proxy->auth()->source() == d2a::AuthManager::Source::FactoryApiKeyEnv) {
                    // A sign-in would not help: the variable takes precedence over anything the app stores.
                    p = Problem::EnvKeyRejected;
                    message = tr("Factory refused the key in the FACTORY_API_KEY environment variable, which "
                                 "overrides the app's sign-in: remove the variable (or correct it) and start "
                                 "droid2api again.");
                } else {
                    p = Problem::KeyRejected;
                    message = tr("Factory refused your API key: enter a valid key or sign in.");
                }
                break;
            default:
                if (m_proxy->auth()->refusedByRequests()) {
                    s = State::SignInRequired;
                    switch (m_proxy->auth()->source()) {
                    case d2a::AuthManager::Source::FactoryApiKeyEnv:
                        p = Problem::EnvKeyRejected;
                        message = tr("Factory refused the key in the FACTORY_API_KEY environment variable, which "
                                     "overrides the app's sign-in: remove the variable (or correct it) and start "
                                     "droid2api again.");
                        break;
                    case d2a::AuthManager::Source::ApiKey:
                        p = Problem::KeyRejected;
                        message = tr("Factory refused your API key: enter a valid key or sign in.");
                        break;
                    default:
                        p = Problem::SignInExpired;
                        message = tr("Factory refuses requests with your sign-in: sign in again.");
                        break;
                    }
                }
                break;
            }
        }
    } else if (m_state == State::Error && !m_message.isEmpty()) {
        s = State::Error;
        p = m_problem;
        message = m_message;
    }
    const bool changed = s != m_state || p != m_problem || message != m_message;
    if (changed && s == State::Running && m_currentErrors > 0) {
        m_currentErrors = 0; // whatever went wrong before is fixed now: shown as resolved
        Q_EMIT errorsChanged();
    }
    m_state = s;
    m_problem = p;
    m_message = message;
    if (changed || s == State::Running)
        Q_EMIT stateChanged(m_state, m_message);
}

QString AppController::applyConfig(const d2a::Config &config)
{
    const auto saved = d2a::ConfigLoader::save(m_configPath, config);
    if (!saved)
        return saved.error().message;
    return adopt(config);
}

QString AppController::applyEdits(const d2a::Config &edited, const d2a::Config &base)
{
    const auto saved = d2a::ConfigLoader::save(m_configPath, edited, base);
    if (!saved)
        return saved.error().message;
    auto merged = d2a::ConfigLoader::loadFile(m_configPath);
    if (!merged)
        return merged.error().message;
    d2a::Config c = merged.value();
    d2a::ConfigLoader::applyEnvironment(c, m_env);
    return adopt(c);
}

QString AppController::adopt(const d2a::Config &config)
{
    const bool relisten = config.host != m_config.host || config.port != m_config.port;
    const bool keyChanged = config.accessKey != m_config.accessKey;
    m_config = config;
    m_proxy->setConfig(m_config);
    if (keyChanged)
        qCInfo(lcApp).noquote() << (m_config.accessKey.isEmpty() ? tr("the local access key was removed")
                                                                 : tr("the local access key was changed"));
    // A new address is taken at once; in the error state (port in use) Apply is the way to start again. A
    // proxy the user stopped stays stopped.
    if (relisten) {
        const bool serve = m_proxy->isRunning() || m_state == State::Error;
        if (m_proxy->isRunning())
            m_proxy->stop();
        if (serve) {
            m_state = State::Stopped;
            start();
        }
    }
    updateState();
    Q_EMIT configChanged();
    return {};
}

QString AppController::useFreePort()
{
    // The next ports first (3001, 3002, ... after 3000: easy to read and to type into a tool's settings), and
    // only when all of those are taken one the system picks.
    const QHostAddress address =
        m_config.host == u"localhost" ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(m_config.host);
    int port = 0;
    for (int candidate = m_config.port + 1; m_config.port > 0 && candidate <= qMin(m_config.port + 20, 65535);
         ++candidate) {
        QTcpServer probe;
        if (probe.listen(address, quint16(candidate))) {
            port = candidate;
            break;
        }
    }
    if (port == 0) {
        QTcpServer probe;
        if (!probe.listen(address, 0))
            return tr("no free port found on %1: %2").arg(m_config.host, probe.errorString());
        port = probe.serverPort();
    }
    d2a::Config c = m_config;
    c.port = port;
    const QString error = applyConfig(c);
    if (!error.isEmpty())
        return error;
    if (!m_proxy->isRunning())
        start();
    qCInfo(lcApp).noquote() << tr("moved to the free port %1").arg(port);
    return m_proxy->isRunning() ? QString() : m_message;
}

void AppController::startSignIn()
{
    if (m_signIn)
        return;
    m_signInCancelled = false;
    m_signIn = new d2a::DeviceSignIn(m_proxy->auth()->workOs(), this);
    qCInfo(lcApp).noquote() << tr("signing in to Factory in the browser");
    connect(m_signIn, &d2a::DeviceSignIn::codeReady, this,
            [this](const QString &userCode, const QString &uri, const QString &complete, int) {
        const QString url = complete.isEmpty() ? uri : complete;
        m_signInCode = userCode;
        m_signInUrl = url;
        const bool opened = m_openUrl ? m_openUrl(QUrl(url)) : QDesktopServices::openUrl(QUrl(url));
        Q_EMIT signInProgress(userCode, url, opened);
    });
    auto finish = [this] {
        m_signIn->deleteLater();
        m_signIn = nullptr;
        m_signInCode.clear();
        m_signInUrl.clear();
    };
    connect(m_signIn, &d2a::DeviceSignIn::succeeded, this, [this, finish](const d2a::TokenResponse &t) {
        finish();
        m_proxy->auth()->adoptTokens(t, QStringLiteral("device"), this, [this, email = t.email](const QString &err) {
            if (err.isEmpty())
                qCInfo(lcApp).noquote() << tr("signed in to Factory");
            else
                qCWarning(lcApp).noquote() << tr("sign-in failed: %1").arg(err);
            Q_EMIT signInFinished(err, false, email);
        });
    });
    connect(m_signIn, &d2a::DeviceSignIn::failed, this, [this, finish](const QString &reason) {
        finish();
        if (m_signInCancelled) {
            qCInfo(lcApp).noquote() << tr("sign-in cancelled");
        } else {
            qCWarning(lcApp).noquote() << tr("sign-in failed: %1").arg(reason);
            noteError(tr("Sign-in did not work: %1").arg(reason));
        }
        Q_EMIT signInFinished(m_signInCancelled ? QString() : reason, m_signInCancelled, QString());
    });
    m_signIn->start();
}

void AppController::noteError(const QString &text)
{
    m_errors.prepend(QLocale().toString(QTime::currentTime(), QStringLiteral("HH:mm:ss")) + u' ' + text);
    while (m_errors.size() > 20)
        m_errors.removeLast();
    m_currentErrors = qMin(m_currentErrors + 1, int(m_errors.size()));
    Q_EMIT errorsChanged();
}

d2a::ClientSettings AppController::clientSettings() const
{
    return d2a::ClientSetup::settingsFor(baseUrl(), m_config.accessKey);
}

QList<AppController::ToolLink> AppController::toolLinks() const
{
    const d2a::ClientSettings settings = clientSettings();
    d2a::ClientSetup setup;
    QList<ToolLink> links;
    for (const auto &[client, name] : { std::pair { QStringLiteral("claude-code"), tr("Claude Code") },
                                        std::pair { QStringLiteral("codex"), tr("Codex") } }) {
        ToolLink link { client, name, false, false, {} };
        const auto off = setup.planDisconnect(client);
        const auto on = setup.planConnect(client, settings);
        if (!on) {
            link.error = on.error().message; // its file is unreadable or not valid
        } else if (!off) {
            link.connected = false; // droid2api never connected it on this machine
        } else {
            // Connected: disconnecting would change its file (it holds droid2api's settings).
            link.connected = !off.value().diff.isEmpty() || off.value().removeFile;
            link.matches = link.connected && on.value().diff.isEmpty();
        }
        links << link;
    }
    return links;
}

QString AppController::updateTool(const QString &client)
{
    const d2a::ClientSettings settings = clientSettings();
    d2a::ClientSetup setup;
    const auto plan = setup.planConnect(client, settings);
    if (!plan)
        return plan.error().message;
    if (plan.value().diff.isEmpty())
        return {};
    const auto done = setup.apply(plan.value());
    if (!done)
        return done.error().message;
    qCInfo(lcApp).noquote() << tr("updated %1 for %2").arg(client, settings.baseUrl);
    return {};
}

QString AppController::probeModel() const
{
    return d2a::ClientProbe::modelFor(m_config, m_env.envBackend.has_value());
}

d2a::ClientProbe *AppController::newProbe(QObject *context, std::function<void(const QList<ProbeHop> &)> done)
{
    if (!m_probeHttp)
        m_probeHttp = new d2a::HttpClient(this);
    auto *probe = new d2a::ClientProbe(m_probeHttp, context);
    QObject::connect(probe, &d2a::ClientProbe::finished, context, [probe, done](const QList<d2a::ProbeHop> &hops) {
        probe->deleteLater();
        done(hops);
    });
    return probe;
}

void AppController::probe(const QString &baseUrl, const QString &key, QObject *context,
                          std::function<void(const QList<ProbeHop> &)> done)
{
    newProbe(context, std::move(done))->start(baseUrl, key, probeModel());
}

void AppController::testModel(const QString &model, QObject *context, std::function<void(const ProbeHop &)> done)
{
    const d2a::ClientSettings s = clientSettings();
    newProbe(context, [done](const QList<ProbeHop> &hops) { done(hops.value(0)); })->testModel(s.baseUrl, s.key, model);
}

bool AppController::signInFixes() const
{
    return m_problem == Problem::NoCredentials || m_problem == Problem::SignInExpired
           || m_problem == Problem::KeyRejected;
}

void AppController::toggleSignIn()
{
    if (signingIn())
        cancelSignIn();
    else
        startSignIn();
}

void AppController::cancelSignIn()
{
    if (!m_signIn)
        return;
    m_signInCancelled = true;
    m_signIn->cancel();
}

QString AppController::setReasoningDefault(d2a::ReasoningLevel level)
{
    d2a::Config c = m_config;
    c.reasoningDefault = level;
    return applyConfig(c);
}

QString AppController::setRoutingPreset(const QString &preset)
{
    d2a::Config c = m_config;
    c.routing.preset = preset;
    return applyConfig(c);
}

QString AppController::accountEmail() const
{
    return m_proxy->auth()->source() == d2a::AuthManager::Source::RefreshToken ? m_proxy->auth()->email() : QString();
}

QString AppController::accountSummary() const
{
    const d2a::AuthManager *auth = m_proxy->auth();
    if (auth->refusedByRequests() && auth->state() != d2a::AuthManager::State::KeyRejected)
        return auth->source() == d2a::AuthManager::Source::FactoryApiKeyEnv
                   ? tr("Factory refused the key in FACTORY_API_KEY")
               : auth->source() == d2a::AuthManager::Source::ApiKey ? tr("Factory refused the API key")
                                                                    : tr("Factory refuses the sign-in");
    switch (auth->state()) {
    case d2a::AuthManager::State::NoCredentials:
        return needsFactory() ? tr("Not signed in to Factory") : tr("Other backends only (no Factory account needed)");
    case d2a::AuthManager::State::SignInRequired: return tr("The Factory sign-in has ended");
    case d2a::AuthManager::State::KeyRejected:
        return auth->source() == d2a::AuthManager::Source::FactoryApiKeyEnv
                   ? tr("Factory refused the key in FACTORY_API_KEY")
                   : tr("Factory refused the API key");
    case d2a::AuthManager::State::Loading: return tr("Checking the sign-in...");
    default: break;
    }
    switch (auth->source()) {
    case d2a::AuthManager::Source::RefreshToken:
        return auth->email().isEmpty() ? tr("Signed in to Factory") : auth->email();
    case d2a::AuthManager::Source::FactoryApiKeyEnv: return tr("Factory, with the FACTORY_API_KEY variable");
    case d2a::AuthManager::Source::ApiKey: return tr("Factory, with a stored API key");
    case d2a::AuthManager::Source::None: break;
    }
    return tr("Not signed in to Factory");
}

QString AppController::authState() const
{
    return d2a::AuthManager::stateName(m_proxy->auth()->state());
}
