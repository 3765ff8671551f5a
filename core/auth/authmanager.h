#pragma once
// Factory credentials: picks the source by priority, refreshes WorkOS tokens ahead of expiry (one refresh at a
// time, the rotated refresh token stored before the new access token is used), and never logs the user out
// because of a network error or a failed write.

#include "../config/config.h"
#include "../error.h"
#include "credentials.h"
#include "workosclient.h"

#include <QtCore/qjsonobject.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qtimer.h>

#include <functional>

namespace d2a {

class HttpClient;
class TokenStore;
class AutoTokenStore;

enum class TokenStoreMode { Auto, Keychain, File };
std::optional<TokenStoreMode> parseTokenStoreMode(const QString &name);

class AuthManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuthManager)

public:
    enum class Source { None, FactoryApiKeyEnv, ApiKey, RefreshToken };
    enum class State { Loading, NoCredentials, Ready, Refreshing, SignInRequired, Unavailable };

    using BearerDone = std::function<void(Result<QByteArray>)>;
    using Done = std::function<void(const QString &error)>;

    explicit AuthManager(HttpClient *http, QObject *parent = nullptr);
    ~AuthManager() override;

    void setWorkOs(const QUrl &baseUrl, const QString &clientId);
    /// Seconds since the epoch; tests inject a clock to expire tokens at will.
    void setClock(std::function<qint64()> nowSecs) { m_now = std::move(nowSecs); }
    /// Uses this store instead of choosing one (tests, or a caller that already chose).
    void setStore(TokenStore *store);
    /// Where ~/.factory lives (tests point it elsewhere).
    void setDroidCliDir(const QString &dir) { m_droidDir = dir; }

    /// Chooses the store (auto: the OS keychain, else a 0600 file with a warning), loads what it holds and
    /// settles the source: FACTORY_API_KEY > stored API key > refresh token (DROID_REFRESH_KEY, stored, or the
    /// droid CLI's auth.json) > none (clients' own keys are forwarded). Emits loaded() once done.
    void start(const Environment &env, TokenStoreMode mode = TokenStoreMode::Auto);
    bool isLoaded() const { return m_state != State::Loading; }

    /// The bearer for one upstream request. An empty value means no server-side credential: forward the
    /// client's own. Waits for a refresh in flight; never starts a second one.
    void acquire(QObject *context, BearerDone done);
    /// After the upstream answered 401 to `rejected`: refresh once (unless a newer token exists) and return it.
    void recover(const QByteArray &rejected, QObject *context, BearerDone done);
    bool canRecover() const { return m_source == Source::RefreshToken; }

    /// Refreshes when the access token is due (called by a timer; public for tests with an injected clock).
    void checkRefreshDue();

    // Account management (the tray's Account page and the command line use these).
    void setApiKey(const QString &key, QObject *context, Done done);
    void setRefreshToken(const QString &token, const QString &source, QObject *context, Done done);
    void adoptTokens(const TokenResponse &tokens, const QString &source, QObject *context, Done done);
    void importDroidCli(QObject *context, Done done);
    void signOut(QObject *context, Done done);
    /// Keys of third-party backends (backends[]), kept in the same token store.
    QString backendKey(const QString &backend) const { return m_creds.backendKeys.value(backend); }
    void setBackendKey(const QString &backend, const QString &key, QObject *context, Done done);

    Source source() const { return m_source; }
    State state() const { return m_state; }
    QString email() const { return m_creds.email; }
    /// The organisation the signed-in token is scoped to (empty with an API key or none chosen).
    QString organizationId() const { return m_source == Source::RefreshToken ? m_creds.organizationId : QString(); }
    qint64 accessExpiresAt() const { return m_creds.accessExpiresAt; }
    QString storeKind() const;
    QString storeWarning() const;
    QString lastError() const { return m_lastError; }
    int refreshCount() const { return m_refreshCount; }
    /// For GET / and the GUI: source, state, email, expiry, store; never a secret.
    QJsonObject statusJson() const;
    static QString stateName(State s);
    static QString sourceName(Source s);
    WorkOsClient *workOs() const { return m_workos; }
    /// The token_store "auto" policy over these two stores (the comparison of StoredCredentials decides which
    /// copy is newest).
    static AutoTokenStore *makeAutoStore(TokenStore *keychain, TokenStore *file);

Q_SIGNALS:
    void loaded();
    void statusChanged();

private:
    struct Waiter
    {
        QPointer<QObject> context;
        BearerDone done;
    };
    void settle(const Environment &env, std::optional<QByteArray> stored, const QString &readError);
    void adoptNewer(const QByteArray &blob);
    void refresh();
    void flushIfReady();
    void onRefreshed(const Result<TokenResponse> &result);
    void save(std::function<void(const QString &)> then);
    void flush(const Result<QByteArray> &result);
    void setState(State s);
    bool accessValid(qint64 margin = 30) const;
    void scheduleNext();
    Error signInRequired(const QString &why) const;

    HttpClient *m_http;
    WorkOsClient *m_workos;
    TokenStore *m_store = nullptr;
    std::function<qint64()> m_now;
    QString m_droidDir;
    StoredCredentials m_creds;
    QString m_envApiKey;
    Source m_source = Source::None;
    State m_state = State::Loading;
    QList<Waiter> m_waiters;
    bool m_refreshing = false;
    int m_refreshCount = 0;
    int m_backoffAttempt = 0;
    qint64 m_dueAt = 0;
    QString m_storeWarning;
    QString m_lastError;
    QTimer m_tick;
};

} // namespace d2a
