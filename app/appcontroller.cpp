#include "appcontroller.h"

#include "auth/authmanager.h"
#include "log/log.h"
#include "server/proxyservice.h"

AppController::AppController(QString configPath, const d2a::Config &config, const d2a::Environment &env, QObject *parent)
    : QObject(parent), m_configPath(std::move(configPath)), m_config(config), m_proxy(new d2a::ProxyService(this))
{
    m_proxy->setEnvironment(env);
    m_proxy->setConfig(m_config);
    m_proxy->startAuth();
    connect(m_proxy, &d2a::ProxyService::requestFinished, this, &AppController::requestFinished);
    connect(m_proxy->auth(), &d2a::AuthManager::statusChanged, this, [this] {
        updateState();
        Q_EMIT authChanged();
    });
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
        m_message = r.error().message;
        Q_EMIT stateChanged(m_state, m_message);
        return;
    }
    m_message.clear();
    updateState();
}

void AppController::stop()
{
    m_proxy->stop();
    updateState();
}

void AppController::toggle()
{
    if (m_proxy->isRunning())
        stop();
    else
        start();
}

void AppController::updateState()
{
    State s = State::Stopped;
    if (m_proxy->isRunning())
        s = m_proxy->auth()->state() == d2a::AuthManager::State::SignInRequired ? State::SignInRequired : State::Running;
    else if (m_state == State::Error && !m_message.isEmpty())
        s = State::Error;
    if (s == State::SignInRequired)
        m_message = tr("Factory sign-in required");
    if (s != m_state || s == State::Running) {
        m_state = s;
        Q_EMIT stateChanged(m_state, m_message);
    }
}

QString AppController::applyConfig(const d2a::Config &config)
{
    const auto saved = d2a::ConfigLoader::save(m_configPath, config);
    if (!saved)
        return saved.error().message;
    const bool relisten = config.host != m_config.host || config.port != m_config.port;
    m_config = config;
    m_proxy->setConfig(m_config);
    if (relisten && m_proxy->isRunning()) {
        m_proxy->stop();
        start();
    }
    Q_EMIT configChanged();
    return {};
}

QString AppController::setReasoningDefault(d2a::ReasoningLevel level)
{
    d2a::Config c = m_config;
    c.reasoningDefault = level;
    return applyConfig(c);
}

QString AppController::accountEmail() const
{
    return m_proxy->auth()->source() == d2a::AuthManager::Source::RefreshToken ? m_proxy->auth()->email() : QString();
}

QString AppController::authState() const
{
    return d2a::AuthManager::stateName(m_proxy->auth()->state());
}
