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

class DroidCliStore;
struct DroidCliSession;
class HttpClient;
class TokenStore;
class AutoTokenStore;

enum class TokenStoreMode { Auto, Keychain, File };
struct AuthStatus;
std::optional<TokenStoreMode> parseTokenStoreMode(const QString &name);

class AuthManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuthManager)

public:
    enum class Source { None, FactoryApiKeyEnv, ApiKey, RefreshToken };
    /// KeyRejected: Factory refused the API key (whoami answered 400/401/403): not "ready", and said so.
    enum class State { Loading, NoCredentials, Ready, Refreshing, SignInRequired, Unavailable, KeyRejected };

    using BearerDone = std::function<void(Result<QByteArray>)>;
    using Done = std::function<void(const QString &error)>;

    explicit AuthManager(HttpClient *http, QObject *parent = nullptr);
    ~AuthManager() override;

    void setWorkOs(const QUrl &baseUrl, const QString &clientId);
    /// Factory's API base (whoami, organisations): the origin of the configured endpoints.
    void setFactoryApi(const QUrl &base);
    /// The organisation to scope a multi-organisation sign-in to (config factory_organization; empty: the first).
    void setPreferredOrganization(const QString &id) { m_preferredOrg = id; }
    /// Where this account's requests go when whoami names a region or an on-prem host (empty: the default).
    QUrl regionalApiBase() const { return m_whoami.apiBase(); }
    /// True once Factory answered (or could not be reached) about the API key in use, or there is none to check.
    bool keyChecked() const { return m_keyChecks == 0; }
    /// The WorkOS organisations of the signed-in user (known after a sign-in whose token had none).
    QStringList organizations() const { return m_organizations; }
    /// Scopes the sign-in to `id` (one of organizations()): refreshes with organization_id and stores the choice.
    void setOrganization(const QString &id, QObject *context, Done done);
    /// The plan's limits for this period (GET /api/billing/limits with the current credential).
    void fetchLimits(QObject *context, std::function<void(Result<struct PlanLimits>)> done);
    /// Seconds since the epoch; tests inject a clock to expire tokens at will.
    void setClock(std::function<qint64()> nowSecs) { m_now = std::move(nowSecs); }
    /// Uses this store instead of choosing one (tests, or a caller that already chose).
    void setStore(TokenStore *store);
    /// Where the droid CLI keeps its sign-in (default ~/.factory or $FACTORY_HOME_OVERRIDE; tests point it
    /// elsewhere).
    void setDroidCliDir(const QString &dir);
    /// Whether a sign-in taken from the droid CLI is shared with it (config droid_cli_sync, default on): each
    /// rotated pair is written back in the CLI's format, and a pair the CLI rotated first is picked up.
    void setDroidCliSync(bool on) { m_droidCliSync = on; }
    bool droidCliSync() const { return m_droidCliSync; }
    DroidCliStore *droidCliStore() const { return m_droidCli; }

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

    /// What requests get, whatever the checks at start said: Factory answered 401 to a request with this
    /// credential (after any refresh), or a request went through. refusedByRequests() holds from the first until
    /// the second or until the credential changes (a key saved, a sign-in, a sign-out).
    void noteRequestRefused();
    void noteRequestServed();
    bool refusedByRequests() const { return m_refusedByRequests; }

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
    /// For the GUI: source, state, email, expiry, store; never a secret.
    AuthStatus status() const;
    /// status() as GET / shows it.
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
    void finishSettle(bool mustSave);
    /// The session came from the droid CLI and is shared with it.
    bool sharedWithDroidCli() const { return m_droidCliSync && m_creds.source == u"droid-cli"; }
    /// Takes the CLI's pair when the CLI rotated it after droid2api last looked; true when it did.
    bool adoptFromDroidCli(const DroidCliSession &session);
    void writeBackToDroidCli();
    void startRefresh();
    /// whoami for an API key: a refused key becomes KeyRejected; the region (EU, on-prem) is remembered.
    void verifyKey(const QByteArray &key);
    /// After a refresh: a token without an organisation is scoped to one, as the CLI does (GET /api/cli/org).
    void scopeToOrganization();
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
    DroidCliStore *m_droidCli = nullptr;
    class FactoryApiClient *m_api = nullptr;
    struct WhoamiInfo
    {
        QString region;
        bool isOnPrem = false;
        QString premBaseHost;
        QUrl apiBase() const;
    } m_whoami;
    QStringList m_organizations;
    QString m_preferredOrg;
    bool m_orgAsked = false;
    int m_keyChecks = 0; ///< whoami calls in flight
    QString m_pendingOrg; ///< the organisation the refresh in flight scopes to
    bool m_droidCliSync = true;
    QJsonObject m_droidCliPlaintext; ///< the CLI store's JSON as last read (its other members are written back)
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
    bool m_storeWarningIsSave = false; // m_storeWarning says a save failed (a later save clears it)
    QString m_lastError;
    bool m_refusedByRequests = false;
    void credentialChanged();
    QTimer m_tick;
};

/// Where the Factory credentials stand (AuthManager::status()); never a secret.
struct AuthStatus
{
    AuthManager::Source source = AuthManager::Source::None;
    AuthManager::State state = AuthManager::State::Loading;
    // Set only with a refresh token (Source::RefreshToken); empty or 0 otherwise.
    QString email;
    qint64 accessExpiresAt = 0; ///< seconds since the epoch, 0 when unknown
    QString refreshTokenFrom; ///< where the refresh token came from ("device", "droid-cli", ...)
    bool hasStore = false; ///< a token store was chosen (storeKind/storeLocation are set)
    QString storeKind;
    QString storeLocation;
    QString warning; ///< empty when none
    QString lastError; ///< redacted; empty when none
};

} // namespace d2a
