#pragma once
// The proxy facade: owns the HTTP server, the upstream client and the route table. The headless main, the tray
// app and the tests drive droid2api through this class only.

#include "../config/config.h"
#include "../auth/factoryapi.h"
#include "../backend/routing.h"
#include "../http/http1.h"
#include "call.h"
#include "exchange.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qhash.h>
#include <QtCore/qobject.h>
#include <QtCore/qtimer.h>

#include <memory>

namespace d2a {

class HttpServer;
class HttpClient;
class UserAgentUpdater;
class AuthManager;
class BackendLimiter;
class UsageStore;

class ProxyService final : public QObject, private CallEnv
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyService)

public:
    explicit ProxyService(QObject *parent = nullptr);
    ~ProxyService() override;

    /// Replaces the configuration; applies to the next request. Re-listen is the caller's choice (host/port).
    void setConfig(const Config &config);
    const Config &config() const { return *m_config; }
    void setEnvironment(const Environment &env);
    /// Starts loading credentials (token store, refresh). Called by start() if not called before.
    void startAuth(const QString &tokenStoreOverride = {});
    AuthManager *auth() const { return m_auth; }

    /// Starts listening on the config's host and port (overridable). Returns the port, or an error.
    Result<quint16> start(const QString &hostOverride = {}, int portOverride = -1);
    /// Stops listening; in-flight requests go on.
    void stop();
    bool isRunning() const;
    quint16 port() const { return m_port; }
    QString host() const { return m_host; }
    QString baseUrl() const;

    /// Stops listening, waits for in-flight requests up to `timeoutMs`, then emits shutdownFinished().
    void shutdown(int timeoutMs);

    int activeRequests() const;
    int openClientConnections() const;
    int openUpstreamConnections() const;
    HttpClient *upstreamClient() const { return m_client; }
    HttpServer *server() const { return m_server; }
    CircuitBreaker &breaker() override { return m_breaker; }
    /// Usage of every request that reached a model (usage.sqlite; recording follows usage_recording).
    UsageStore *usage() const { return m_usage; }
    /// The Factory plan's allowance as last read, if Factory said. Read when GET /usage asks, or every 10 minutes
    /// while signed in once watchLimits() was called (the desktop app does).
    std::optional<PlanLimits> planLimits() const { return m_limits; }
    void watchLimits();
    /// Reads the plan's limits now (quietly does nothing without a Factory credential).
    void refreshLimits();

Q_SIGNALS:
    void requestFinished(const d2a::RequestRecord &record);
    /// A reading of the plan's limits ended (they may be unchanged): read planLimits().
    void limitsChanged();
    void shutdownFinished(bool drained);
    /// Factory refused model `from`; `to` serves its requests until the next start. Once per model.
    void modelReplaced(const QString &from, const QString &to, const QString &why);

private:
    void handle(Exchange *exchange);
    void handleInfo(Exchange *exchange);
    void handleModels(Exchange *exchange, const Route &route);
    void handleModel(Exchange *exchange, const Route &route, const QString &id);
    /// The entries `format` shows for a configured model, with what droid2api knows of its deprecation.
    QJsonObject modelEntry(WireFormat format, const ModelConfig &model) const;
    void handleUsage(Exchange *exchange);
    /// Reads the plan's limits when a watched sign-in starts or changes account; forgets them at sign-out.
    void followLimits();
    QString limitsAccount() const; ///< whose plan a reading is (email and credential source)
    void recordUsage(const RequestRecord &record);
    /// The request carries the local access key, or none is set (the Gate's check).
    bool checkAccessKey(Exchange *exchange) const;
    QString credentialSource() const;
    // CallEnv: what each Call asks of the proxy.
    std::optional<ResolvedRoute> resolve(const Config &config, const QString &id) const override;
    void factoryCredential(Exchange *exchange, std::function<void(Result<QByteArray>)> done) override;
    QString backendKey(const BackendConfig &backend) const override;
    bool canRecover() const override;
    QString replacementOf(const QString &id) const override;
    void modelRefused(const QString &from, const QString &to, const QString &why) override;
    void recover(const QByteArray &rejected, QObject *context, std::function<void(Result<QByteArray>)> done) override;
    bool admit(const BackendConfig &backend, QObject *context, std::function<void()> go) override;
    void release(const QString &backend) override;
    QUrl factoryEndpoint(const Config &config, ModelType type) const override;
    QString userAgent(const Config &config) const override;
    QByteArray organizationId() const override;
    Attempt *newAttempt(Exchange *exchange, UpstreamRequest request, const RelaySpec &spec) override;

    std::shared_ptr<const Config> m_config;
    Environment m_env;
    HttpServer *m_server;
    HttpClient *m_client;
    UserAgentUpdater *m_userAgent;
    AuthManager *m_auth;
    BackendLimiter *m_limiter;
    UsageStore *m_usage;
    CircuitBreaker m_breaker;
    bool m_authStarted = false;
    QString m_host;
    quint16 m_port = 0;
    qint64 m_startedSecs = QDateTime::currentSecsSinceEpoch();
    QHash<QString, QString> m_replacements; ///< models Factory refused in this run -> the model serving them
    QTimer m_trimTimer;
    QTimer m_limitsTimer;
    std::optional<PlanLimits> m_limits;
    bool m_watchLimits = false;
    QDateTime m_limitsAskedAt; ///< the last time Factory was asked (GET /usage asks at most once a minute)
    QString m_limitsAccount; ///< whose plan m_limits is
};

/// Returns freed heap memory to the system (glibc keeps it otherwise).
void releaseFreeMemory();
/// Once per process: large request bodies come from the heap rather than fresh mappings (glibc).
void tuneHeapForBodies();

} // namespace d2a
