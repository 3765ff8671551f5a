#pragma once
// The desktop app's one link to core: owns the ProxyService, the config file and the app-level state the tray
// and windows show. Widgets talk to this, never to core's internals.

#include "config/config.h"
#include "integrations/clientprobe.h"
#include "integrations/clientsetup.h"
#include "server/exchange.h"

#include <QtCore/qobject.h>

#include <functional>

namespace d2a {
class DeviceSignIn;
class HttpClient;
class ProxyService;
} // namespace d2a

class AppController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppController)

public:
    enum class State { Stopped, Running, SignInRequired, Error };
    Q_ENUM(State)
    /// What is wrong, for the screens that offer the fix (the state says only how bad it is).
    /// EnvKeyRejected: the refused key is FACTORY_API_KEY, which overrides the app: signing in cannot fix it.
    enum class Problem { None, PortInUse, ListenFailed, NoCredentials, SignInExpired, KeyRejected, EnvKeyRejected };
    Q_ENUM(Problem)

    AppController(QString configPath, const d2a::Config &config, const d2a::Environment &env,
                  QObject *parent = nullptr);
    ~AppController() override;

    const d2a::Config &config() const { return m_config; }
    QString configPath() const { return m_configPath; }
    d2a::ProxyService *proxy() const { return m_proxy; }

    State state() const { return m_state; }
    Problem problem() const { return m_problem; }
    /// One human sentence for the state, with what to do about it ("" when all is well).
    QString stateMessage() const { return m_message; }
    /// Factory credentials matter: some model is served by Factory (not only by other backends).
    bool needsFactory() const;
    QString baseUrl() const;
    bool isRunning() const;

    /// Starts listening (the config's host and port). Emits stateChanged; port in use -> Error with a message.
    void start();
    void stop();
    void toggle();

    /// Validates, saves (atomically, keeping the previous file as .bak) and applies `config`: host or port
    /// changes re-listen, everything else applies to the next request. Returns an error message or "".
    QString applyConfig(const d2a::Config &config);
    /// Settings' Apply: writes only the keys that differ between `base` (what the window loaded) and `edited`,
    /// over the file as it is now, so a change made meanwhile elsewhere (the tray) is kept. Returns an error or "".
    QString applyEdits(const d2a::Config &edited, const d2a::Config &base);
    /// The tray's quick switch: changes reasoning_default, saved and live at once.
    QString setReasoningDefault(d2a::ReasoningLevel level);
    /// Makes `preset` the active routing preset (saved, used by the next request); an error message, or empty.
    QString setRoutingPreset(const QString &preset);
    /// Port in use: moves to a free port on the same address, saved, and starts there. Returns an error or "".
    QString useFreePort();

    /// Sign-in through the browser (Factory's device flow), one at a time, shared by the tray and Account.
    void startSignIn();
    void cancelSignIn();
    /// The one button of the tray, the status window and Account: starts a sign-in, or cancels the one running.
    void toggleSignIn();
    bool signingIn() const { return m_signIn != nullptr; }
    /// The code to approve and the page to approve it on, while a sign-in waits for it ("" otherwise).
    QString signInCode() const { return m_signInCode; }
    QString signInUrl() const { return m_signInUrl; }
    /// Whether signing in is a fix for the current problem (not for FACTORY_API_KEY, which overrides it).
    bool signInFixes() const;
    /// How a URL is opened in the browser (QDesktopServices; tests record instead).
    void setUrlOpener(std::function<bool(const QUrl &)> opener) { m_openUrl = std::move(opener); }

    /// A coding tool droid2api can set up (Claude Code, Codex): whether its settings file points at droid2api,
    /// and whether with today's address and key.
    struct ToolLink
    {
        QString client; ///< claude-code, codex
        QString name; ///< as people call it
        bool connected = false;
        bool matches = false;
        QString error; ///< its file cannot be read
    };
    QList<ToolLink> toolLinks() const;
    /// The URL and key a coding tool is given (the local access key, or a placeholder).
    d2a::ClientSettings clientSettings() const;
    /// Rewrites a connected tool's settings for today's address and key (with a backup). Returns an error or "".
    QString updateTool(const QString &client);
    using ProbeHop = d2a::ProbeHop;
    /// A real request through the proxy to the upstream with exactly the URL and key a client has (the
    /// smallest there is: a token count), reported hop by hop (d2a::ClientProbe); `done` gets every hop tried.
    void probe(const QString &baseUrl, const QString &key, QObject *context,
               std::function<void(const QList<ProbeHop> &)> done);
    /// The Factory model a probe counts tokens with ("" when no model is served by Factory).
    QString probeModel() const;
    /// "Test this model": one short real answer from `model` through the running proxy, with the key a coding
    /// tool would use; `done` gets one hop (what, ok, the reply or the error, and the time taken).
    void testModel(const QString &model, QObject *context, std::function<void(const ProbeHop &)> done);

    /// The Factory plan in one sentence: "8.1 M of 10 M used (81%), renews on 1 Dec", or why it is not shown.
    QString planSummary() const;
    /// Today's usage in a few words for the tray's tooltip and the status window ("" when nothing is recorded).
    QString usageToday() const;

    /// Answers that went wrong (5xx, and failures to listen or sign in), newest first, at most 20.
    QStringList recentErrors() const { return m_errors; }
    /// How many of recentErrors() (the newest) are still current: the older ones were resolved, as the state
    /// came back to Running since.
    int currentErrors() const { return m_currentErrors; }

    /// Account summary for the tray and the Account page: signed-in email, or "" when not signed in.
    QString accountEmail() const;
    /// The account in a few words, from the sign-in state (whatever else is wrong).
    QString accountSummary() const;
    QString authState() const;

Q_SIGNALS:
    void stateChanged(AppController::State state, const QString &message);
    void configChanged();
    void requestFinished(const d2a::RequestRecord &record);
    void authChanged();
    /// The code to approve and where; `browserOpened` says whether the browser could be opened.
    void signInProgress(const QString &userCode, const QString &url, bool browserOpened);
    /// `error` empty: signed in as `email`; `cancelled`: the user stopped it (not a failure).
    void signInFinished(const QString &error, bool cancelled, const QString &email);
    void errorsChanged();
    /// The plan's use crossed 80% or 95% of its limit (once per threshold and period).
    void usageWarning(const QString &message);
    /// Factory refused model `from`; `to` serves its requests until droid2api restarts.
    void modelReplaced(const QString &from, const QString &to);

private:
    void updateState();
    QString adopt(const d2a::Config &config);

    QString m_configPath;
    d2a::Config m_config;
    d2a::Environment m_env;
    d2a::ProxyService *m_proxy;
    State m_state = State::Stopped;
    Problem m_problem = Problem::None;
    QString m_message;
    d2a::DeviceSignIn *m_signIn = nullptr;
    std::function<bool(const QUrl &)> m_openUrl;
    QStringList m_errors;
    int m_currentErrors = 0;
    QString m_warnedPeriod; ///< the plan period usageWarning last spoke of
    int m_warnedPercent = 0; ///< the highest threshold warned of in that period
    d2a::ClientProbe *newProbe(QObject *context, std::function<void(const QList<ProbeHop> &)> done);
    /// Not the proxy's upstreamClient(): probes call this proxy on loopback, and the upstream client tunnels
    /// every connection through the configured proxies[] and counts in openUpstreamConnections().
    d2a::HttpClient *m_probeHttp = nullptr;
    void noteError(const QString &text);
    bool m_signInCancelled = false;
    QString m_signInCode;
    QString m_signInUrl;
};
