#pragma once
// The desktop app's one link to core: owns the ProxyService, the config file and the app-level state the tray
// and windows show. Widgets talk to this, never to core's internals.

#include "config/config.h"
#include "server/exchange.h"

#include <QtCore/qobject.h>

namespace d2a {
class ProxyService;
}

class AppController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppController)

public:
    enum class State { Stopped, Running, SignInRequired, Error };
    Q_ENUM(State)

    AppController(QString configPath, const d2a::Config &config, const d2a::Environment &env, QObject *parent = nullptr);
    ~AppController() override;

    const d2a::Config &config() const { return m_config; }
    QString configPath() const { return m_configPath; }
    d2a::ProxyService *proxy() const { return m_proxy; }

    State state() const { return m_state; }
    QString stateMessage() const { return m_message; }
    QString baseUrl() const;
    bool isRunning() const;

    /// Starts listening (the config's host and port). Emits stateChanged; port in use -> Error with a message.
    void start();
    void stop();
    void toggle();

    /// Validates, saves (atomically, keeping the previous file as .bak) and applies `config`: host or port
    /// changes re-listen, everything else applies to the next request. Returns an error message or "".
    QString applyConfig(const d2a::Config &config);
    /// The tray's quick switch: changes reasoning_default, saved and live at once.
    QString setReasoningDefault(d2a::ReasoningLevel level);

    /// Account summary for the tray and the Account page: signed-in email, or "" when not signed in.
    QString accountEmail() const;
    QString authState() const;

Q_SIGNALS:
    void stateChanged(AppController::State state, const QString &message);
    void configChanged();
    void requestFinished(const d2a::RequestRecord &record);
    void authChanged();

private:
    void updateState();

    QString m_configPath;
    d2a::Config m_config;
    d2a::ProxyService *m_proxy;
    State m_state = State::Stopped;
    QString m_message;
};
