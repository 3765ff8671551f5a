#include "authmanager.h"

#include "../log/log.h"
#include "droidclistore.h"
#include "factoryapi.h"
#include "jwt.h"
#include "tokenstore.h"
#include "../text.h"

#include <QtCore/qcryptographichash.h>
#include <QtCore/qdatetime.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/quuid.h>

namespace d2a {

namespace {
constexpr qint64 kFallbackRefreshSecs = 6 * 3600; // when the access token carries no exp
constexpr qint64 kMaxBackoffSecs = 300;

QString sha256Hex(const QString &s)
{
    return QString::fromLatin1(QCryptographicHash::hash(s.toUtf8(), QCryptographicHash::Sha256).toHex());
}
} // namespace

std::optional<TokenStoreMode> parseTokenStoreMode(const QString &name)
{
    if (name == u"auto")
        return TokenStoreMode::Auto;
    if (name == u"keychain")
        return TokenStoreMode::Keychain;
    if (name == u"file")
        return TokenStoreMode::File;
    return std::nullopt;
}

AuthManager::AuthManager(HttpClient *http, QObject *parent)
    : QObject(parent), m_http(http),
      m_workos(new WorkOsClient(http, QUrl(QStringLiteral("https://api.workos.com")),
                                QStringLiteral("client_01HNM792M5G5G1A2THWPXKFMXB"), this)),
      m_now([] { return QDateTime::currentSecsSinceEpoch(); })
{
    m_droidCli = new DroidCliStore(QString(), this);
    m_api = new FactoryApiClient(http, this);
    // A periodic check rather than one long timer: it also catches up after the machine slept.
    m_tick.setInterval(30000);
    connect(&m_tick, &QTimer::timeout, this, &AuthManager::checkRefreshDue);
}

AuthManager::~AuthManager() = default;

QUrl AuthManager::WhoamiInfo::apiBase() const
{
    Whoami w;
    w.region = region;
    w.isOnPrem = isOnPrem;
    w.premBaseHost = premBaseHost;
    return w.apiBase();
}

void AuthManager::setFactoryApi(const QUrl &base)
{
    m_api->setBaseUrl(base);
}

void AuthManager::verifyKey(const QByteArray &key)
{
    if (key.isEmpty())
        return;
    ++m_keyChecks;
    m_api->whoami(key, this, [this, key](const Result<Whoami> &r) {
        --m_keyChecks;
        const QByteArray current =
            m_source == Source::FactoryApiKeyEnv ? m_envApiKey.toUtf8() : m_creds.apiKey.toUtf8();
        if (current != key)
            return; // another key since
        if (!r) {
            if (r.error().vendorType == "rejected") {
                m_lastError = r.error().message;
                qCWarning(lcAuth).noquote() << m_lastError;
                setState(State::KeyRejected);
                Q_EMIT statusChanged();
            } else {
                qCInfo(lcAuth).noquote() << "could not check the Factory API key:" << r.error().message;
            }
            return;
        }
        m_whoami = { r.value().region, r.value().isOnPrem, r.value().premBaseHost };
        if (!m_whoami.apiBase().isEmpty())
            qCInfo(lcAuth).noquote() << "this Factory account is served from" << m_whoami.apiBase().toString();
        if (m_state == State::KeyRejected)
            setState(State::Ready);
        Q_EMIT statusChanged();
    });
}

void AuthManager::scopeToOrganization()
{
    if (m_orgAsked || !m_creds.organizationId.isEmpty()
        || jwt::claims(m_creds.accessToken.toUtf8()).contains(u"org_id"))
        return;
    m_orgAsked = true; // once per run: a user without organisations is asked no further
    m_api->organizations(m_creds.accessToken.toUtf8(), this, [this](const Result<QStringList> &r) {
        if (!r || r.value().isEmpty())
            return;
        m_organizations = r.value();
        const QString chosen = m_organizations.contains(m_preferredOrg) ? m_preferredOrg : m_organizations.first();
        qCInfo(lcAuth).noquote() << "scoping the sign-in to organisation" << chosen;
        setOrganization(chosen, this, [](const QString &) {});
    });
}

void AuthManager::fetchLimits(QObject *context, std::function<void(Result<PlanLimits>)> done)
{
    QPointer<QObject> ctx(context);
    acquire(this, [this, ctx, done](Result<QByteArray> bearer) {
        if (!ctx)
            return;
        if (!bearer)
            return done(bearer.error());
        m_api->limits(bearer.value(), ctx, done);
    });
}

void AuthManager::setOrganization(const QString &id, QObject *context, Done done)
{
    QPointer<QObject> ctx(context);
    if (m_source != Source::RefreshToken || m_refreshing) {
        if (ctx)
            done(AuthText::tr("not signed in, or a refresh is in progress"));
        return;
    }
    m_refreshing = true;
    m_pendingOrg = id;
    ++m_refreshCount;
    m_workos->refresh(
        m_creds.refreshToken, this,
        [this, ctx, done, id](const Result<TokenResponse> &r) {
        if (r)
            m_creds.organizationId = id;
        onRefreshed(r);
        if (ctx)
            done(r ? QString() : r.error().message);
        },
        id);
}

void AuthManager::setDroidCliDir(const QString &dir)
{
    delete m_droidCli;
    m_droidCli = new DroidCliStore(dir, this);
}

void AuthManager::setWorkOs(const QUrl &baseUrl, const QString &clientId)
{
    m_workos->setBaseUrl(baseUrl);
    m_workos->setClientId(clientId);
}

void AuthManager::setStore(TokenStore *store)
{
    m_store = store;
    if (!store)
        return;
    if (!store->parent())
        store->setParent(this);
    connect(store, &TokenStore::newerValueFound, this, &AuthManager::adoptNewer);
    connect(store, &TokenStore::changed, this, &AuthManager::statusChanged);
}

QString AuthManager::storeWarning() const
{
    return !m_storeWarning.isEmpty() ? m_storeWarning : m_store ? m_store->warning() : QString();
}

QString AuthManager::storeKind() const
{
    return m_store ? m_store->kind() : QString();
}

QString AuthManager::sourceName(Source s)
{
    switch (s) {
    case Source::None: return QStringLiteral("none");
    case Source::FactoryApiKeyEnv: return QStringLiteral("factory_api_key");
    case Source::ApiKey: return QStringLiteral("api_key");
    case Source::RefreshToken: return QStringLiteral("refresh_token");
    }
    return {};
}

QString AuthManager::stateName(State s)
{
    switch (s) {
    case State::Loading: return QStringLiteral("loading");
    case State::NoCredentials: return QStringLiteral("no_credentials");
    case State::Ready: return QStringLiteral("ready");
    case State::Refreshing: return QStringLiteral("refreshing");
    case State::SignInRequired: return QStringLiteral("sign_in_required");
    case State::Unavailable: return QStringLiteral("unavailable");
    case State::KeyRejected: return QStringLiteral("key_rejected");
    }
    return {};
}

AuthStatus AuthManager::status() const
{
    AuthStatus s;
    s.source = m_source;
    s.state = m_state;
    if (m_source == Source::RefreshToken) {
        s.email = m_creds.email;
        s.accessExpiresAt = m_creds.accessExpiresAt;
        s.refreshTokenFrom = m_creds.source;
    }
    if (m_store) {
        s.hasStore = true;
        s.storeKind = m_store->kind();
        s.storeLocation = m_store->location();
    }
    s.warning = storeWarning();
    if (!m_lastError.isEmpty())
        s.lastError = log::redact(m_lastError);
    return s;
}

QJsonObject AuthManager::statusJson() const
{
    const AuthStatus s = status();
    QJsonObject o { { QStringLiteral("source"), sourceName(s.source) },
                    { QStringLiteral("state"), stateName(s.state) } };
    if (s.source == Source::RefreshToken) {
        if (!s.email.isEmpty())
            o.insert(QStringLiteral("email"), s.email);
        if (s.accessExpiresAt > 0)
            o.insert(QStringLiteral("access_expires_at"),
                     QDateTime::fromSecsSinceEpoch(s.accessExpiresAt).toUTC().toString(Qt::ISODate));
        o.insert(QStringLiteral("refresh_token_from"), s.refreshTokenFrom);
    }
    if (s.hasStore) {
        o.insert(QStringLiteral("store"), s.storeKind);
        o.insert(QStringLiteral("store_location"), s.storeLocation);
    }
    if (!s.warning.isEmpty())
        o.insert(QStringLiteral("warning"), s.warning);
    if (!s.lastError.isEmpty())
        o.insert(QStringLiteral("last_error"), s.lastError);
    return o;
}

void AuthManager::noteRequestRefused()
{
    if (m_source == Source::None || m_refusedByRequests)
        return;
    m_refusedByRequests = true;
    qCWarning(lcAuth).noquote() << "Factory answered 401 to a request with the" << sourceName(m_source) << "credential";
    Q_EMIT statusChanged();
}

void AuthManager::noteRequestServed()
{
    if (!m_refusedByRequests)
        return;
    m_refusedByRequests = false;
    Q_EMIT statusChanged();
}

void AuthManager::credentialChanged()
{
    m_refusedByRequests = false; // a new credential has not been refused yet
}

void AuthManager::setState(State s)
{
    if (m_state == s)
        return;
    m_state = s;
    Q_EMIT statusChanged();
}

void AuthManager::start(const Environment &env, TokenStoreMode mode)
{
    m_envApiKey = env.factoryApiKey;
    log::registerSecret(env.factoryApiKey);
    log::registerSecret(env.refreshKey);
    if (!m_store) {
        if (mode == TokenStoreMode::File)
            setStore(new FileTokenStore(FileTokenStore::defaultPath()));
        else if (mode == TokenStoreMode::Keychain)
            setStore(new KeychainTokenStore);
        else
            setStore(makeAutoStore(new KeychainTokenStore, new FileTokenStore(FileTokenStore::defaultPath())));
    }
    m_store->read(this, [this, env](std::optional<QByteArray> v, const QString &err) { settle(env, v, err); });
}

AutoTokenStore *AuthManager::makeAutoStore(TokenStore *keychain, TokenStore *file)
{
    return new AutoTokenStore(keychain, file, [](const QByteArray &candidate, const QByteArray &than) {
        return StoredCredentials::fromJson(than).olderThan(StoredCredentials::fromJson(candidate));
    });
}

void AuthManager::adoptNewer(const QByteArray &blob)
{
    const StoredCredentials found = StoredCredentials::fromJson(blob);
    if (!m_creds.olderThan(found))
        return;
    qCInfo(lcAuth) << "the keychain holds newer Factory credentials than were available at start; using them";
    m_creds = found;
    credentialChanged();
    log::registerSecret(m_creds.apiKey);
    log::registerSecret(m_creds.refreshToken);
    log::registerSecret(m_creds.accessToken);
    for (const QString &k : std::as_const(m_creds.backendKeys))
        log::registerSecret(k);
    if (!m_envApiKey.isEmpty())
        m_source = Source::FactoryApiKeyEnv;
    else if (!m_creds.apiKey.isEmpty())
        m_source = Source::ApiKey;
    else if (!m_creds.refreshToken.isEmpty())
        m_source = Source::RefreshToken;
    if (m_source == Source::RefreshToken) {
        m_lastError.clear();
        setState(accessValid() ? State::Ready : State::Refreshing);
        scheduleNext();
        m_tick.start();
        if (!accessValid() && !m_refreshing)
            refresh();
    } else if (m_source != Source::None) {
        setState(State::Ready);
    }
    Q_EMIT statusChanged();
}

void AuthManager::settle(const Environment &env, std::optional<QByteArray> stored, const QString &readError)
{
    if (!readError.isEmpty()) {
        m_storeWarning = AuthText::tr("cannot read the token store: %1").arg(readError);
        qCWarning(lcAuth).noquote() << m_storeWarning;
    }
    bool parsed = true;
    if (stored)
        m_creds = StoredCredentials::fromJson(*stored, &parsed);
    if (!parsed)
        qCWarning(lcAuth) << "the token store holds unreadable data; ignoring it";
    log::registerSecret(m_creds.apiKey);
    log::registerSecret(m_creds.refreshToken);
    log::registerSecret(m_creds.accessToken);
    log::registerSecret(m_creds.droidCliSeen);
    for (const QString &k : std::as_const(m_creds.backendKeys))
        log::registerSecret(k);

    bool mustSave = false;
    if (!env.refreshKey.isEmpty()) {
        const QString hash = sha256Hex(env.refreshKey);
        if (m_creds.envRefreshHash == hash && !m_creds.refreshToken.isEmpty()) {
            // Same DROID_REFRESH_KEY as before: that token was spent by a rotation; continue from the newer one.
            qCInfo(lcAuth) << "continuing from the stored successor of DROID_REFRESH_KEY";
        } else {
            m_creds.refreshToken = env.refreshKey;
            m_creds.accessToken.clear();
            m_creds.accessExpiresAt = 0;
            m_creds.envRefreshHash = hash;
            m_creds.source = QStringLiteral("env");
            m_creds.chain = QStringLiteral("env:") + hash;
            m_creds.generation = 1;
            mustSave = true;
        }
    } else if (m_creds.refreshToken.isEmpty() && m_creds.apiKey.isEmpty() && m_envApiKey.isEmpty()) {
        // Nothing of our own: the droid CLI's sign-in, if it has one (its keyring read runs off the loop).
        m_droidCli->read(this, [this](const Result<DroidCliSession> &imported) {
            bool mustSave = false;
            if (imported) {
                const DroidCliSession &s = imported.value();
                m_creds.refreshToken = s.refreshToken;
                m_creds.accessToken = s.accessToken;
                m_creds.accessExpiresAt = jwt::expiresAt(s.accessToken.toUtf8());
                m_creds.organizationId = s.organizationId;
                m_creds.droidCliSeen = s.refreshToken;
                m_creds.source = QStringLiteral("droid-cli");
                m_creds.chain = QUuid::createUuid().toString(QUuid::WithoutBraces);
                m_creds.generation = 1;
                m_droidCliPlaintext = s.plaintext;
                log::registerSecret(m_creds.droidCliSeen);
                mustSave = true;
                qCInfo(lcAuth).noquote() << "imported the droid CLI's sign-in from its" << s.source << "store";
            } else if (imported.error().httpStatus != 404) {
                m_lastError = imported.error().message;
                qCInfo(lcAuth).noquote() << "cannot import the droid CLI's sign-in:" << m_lastError;
            }
            finishSettle(mustSave);
        });
        return;
    }
    finishSettle(mustSave);
}

void AuthManager::finishSettle(bool mustSave)
{
    if (!m_envApiKey.isEmpty())
        m_source = Source::FactoryApiKeyEnv;
    else if (!m_creds.apiKey.isEmpty())
        m_source = Source::ApiKey;
    else if (!m_creds.refreshToken.isEmpty())
        m_source = Source::RefreshToken;
    else
        m_source = Source::None;

    auto finish = [this] {
        if (m_source == Source::RefreshToken) {
            setState(accessValid() ? State::Ready : State::Refreshing);
            scheduleNext();
            m_tick.start();
            if (!accessValid() || m_now() >= m_dueAt)
                refresh(); // expired, or due soon: refresh now rather than at the next tick
        } else {
            setState(m_source == Source::None ? State::NoCredentials : State::Ready);
            verifyKey(m_source == Source::FactoryApiKeyEnv ? m_envApiKey.toUtf8() : m_creds.apiKey.toUtf8());
        }
        qCInfo(lcAuth).noquote() << "credentials:" << sourceName(m_source) << "state:" << stateName(m_state)
                                 << "store:" << (m_store ? m_store->kind() : QStringLiteral("-"));
        Q_EMIT loaded();
        flushIfReady();
    };
    if (mustSave && m_source == Source::RefreshToken)
        save([finish](const QString &) { finish(); });
    else
        finish();
}

void AuthManager::flushIfReady()
{
    if (m_waiters.isEmpty() || m_refreshing || m_state == State::Loading)
        return;
    const QList<Waiter> waiters = std::exchange(m_waiters, {});
    for (const Waiter &w : waiters)
        if (w.context)
            acquire(w.context, w.done);
}

bool AuthManager::accessValid(qint64 margin) const
{
    if (m_creds.accessToken.isEmpty())
        return false;
    if (m_creds.accessExpiresAt <= 0)
        return true; // no exp claim: trust it until upstream says 401 or the fallback timer refreshes
    return m_now() + margin < m_creds.accessExpiresAt;
}

void AuthManager::scheduleNext()
{
    const qint64 now = m_now();
    if (m_creds.accessExpiresAt > 0) {
        // Refresh ahead of expiry: a fifth of the lifetime left, at least 60 s and at most 10 minutes early.
        const qint64 left = m_creds.accessExpiresAt - now;
        const qint64 early = qBound(qint64(60), left / 5, qint64(600));
        m_dueAt = m_creds.accessExpiresAt - early;
    } else {
        m_dueAt = now + kFallbackRefreshSecs;
    }
}

void AuthManager::checkRefreshDue()
{
    if (m_source != Source::RefreshToken || m_refreshing || m_state == State::SignInRequired
        || m_state == State::Loading)
        return;
    if (m_now() >= m_dueAt)
        refresh();
}

Error AuthManager::signInRequired(const QString &why) const
{
    return Error::unauthorized(QStringLiteral("Factory sign-in required: %1. Run `droid2api --sign-in` (or use "
                                              "Account > Sign in in the droid2api app), then try again")
                                   .arg(why));
}

void AuthManager::acquire(QObject *context, BearerDone done)
{
    switch (m_source) {
    case Source::FactoryApiKeyEnv:
    case Source::ApiKey:
        if (m_state == State::KeyRejected) {
            // The reason may have been cleared since (a sign-in does): never a 401 with an empty one.
            const QString why = m_lastError.isEmpty() ? QStringLiteral("Factory rejected the API key") : m_lastError;
            return done(Error::unauthorized(
                m_source == Source::FactoryApiKeyEnv
                    ? why
                          + QStringLiteral(" in FACTORY_API_KEY, which takes precedence over any sign-in: set a "
                                           "valid key there, or remove the variable and restart droid2api")
                    : why + QStringLiteral(": set a valid key, or sign in with `droid2api --sign-in`")));
        }
        if (m_state != State::Loading || m_source == Source::ApiKey)
            return done(m_source == Source::ApiKey ? m_creds.apiKey.toUtf8() : m_envApiKey.toUtf8());
        break;
    case Source::None:
        if (m_state != State::Loading)
            return done(QByteArray());
        break;
    case Source::RefreshToken:
        if (m_state == State::SignInRequired)
            return done(signInRequired(m_lastError));
        if (!m_refreshing && accessValid())
            return done(m_creds.accessToken.toUtf8());
        break;
    }
    m_waiters.append({ context, std::move(done) });
    if (m_source == Source::RefreshToken && !m_refreshing && m_state != State::Loading)
        refresh();
}

void AuthManager::recover(const QByteArray &rejected, QObject *context, BearerDone done)
{
    if (m_source != Source::RefreshToken)
        return done(Error::unauthorized(QStringLiteral("Factory rejected the configured credential")));
    if (m_creds.accessToken.toUtf8() != rejected && accessValid() && !m_refreshing)
        return done(m_creds.accessToken.toUtf8()); // someone already refreshed
    if (m_creds.accessToken.toUtf8() == rejected)
        m_creds.accessExpiresAt = 1; // known bad: the next acquire must not hand it out again
    m_waiters.append({ context, std::move(done) });
    if (!m_refreshing)
        refresh();
}

void AuthManager::refresh()
{
    if (m_refreshing || m_creds.refreshToken.isEmpty())
        return;
    m_refreshing = true;
    setState(State::Refreshing);
    if (!sharedWithDroidCli())
        return startRefresh();
    // The CLI may have rotated the pair since we last looked: then its pair is the live one.
    m_droidCli->read(this, [this](const Result<DroidCliSession> &r) {
        if (r && adoptFromDroidCli(r.value()) && accessValid()) {
            m_refreshing = false;
            save([this](const QString &) {
                scheduleNext();
                setState(State::Ready);
                flush(m_creds.accessToken.toUtf8());
            });
            return;
        }
        startRefresh();
    });
}

void AuthManager::startRefresh()
{
    ++m_refreshCount;
    qCInfo(lcAuth) << "refreshing the Factory access token";
    m_workos->refresh(m_creds.refreshToken, this, [this](const Result<TokenResponse> &r) { onRefreshed(r); });
}

bool AuthManager::adoptFromDroidCli(const DroidCliSession &session)
{
    m_droidCliPlaintext = session.plaintext;
    if (session.refreshToken.isEmpty() || session.refreshToken == m_creds.refreshToken
        || session.refreshToken == m_creds.droidCliSeen)
        return false; // nothing new there (or a pair we already spent, whose write-back failed)
    qCInfo(lcAuth) << "the droid CLI rotated the shared sign-in first; using its newer tokens";
    m_creds.refreshToken = session.refreshToken;
    m_creds.accessToken = session.accessToken;
    m_creds.accessExpiresAt = jwt::expiresAt(session.accessToken.toUtf8());
    m_creds.droidCliSeen = session.refreshToken;
    if (!session.organizationId.isEmpty())
        m_creds.organizationId = session.organizationId;
    ++m_creds.generation;
    log::registerSecret(session.refreshToken);
    log::registerSecret(session.accessToken);
    return true;
}

void AuthManager::writeBackToDroidCli()
{
    DroidCliSession s;
    s.accessToken = m_creds.accessToken;
    s.refreshToken = m_creds.refreshToken;
    s.plaintext = m_droidCliPlaintext;
    const QString written = m_creds.refreshToken;
    auto write = [this, s, written] {
        m_droidCli->write(s, this, [this, written](const QString &err) {
            if (!err.isEmpty()) {
                // Our own store has the pair: the CLI will need to sign in again, droid2api goes on.
                qCWarning(lcAuth).noquote() << "could not write the rotated sign-in back to the droid CLI:" << err;
                return;
            }
            m_creds.droidCliSeen = written;
            save([](const QString &) {});
        });
    };
    if (!m_droidCliPlaintext.isEmpty())
        return write();
    // Never read in this run (imported in an earlier one): read first, for the key and the file's other members.
    m_droidCli->read(this, [this, write](const Result<DroidCliSession> &r) {
        if (!r) {
            qCWarning(lcAuth).noquote() << "could not write the rotated sign-in back to the droid CLI:"
                                        << r.error().message;
            return;
        }
        m_droidCliPlaintext = r.value().plaintext;
        write();
    });
}

void AuthManager::onRefreshed(const Result<TokenResponse> &r)
{
    if (r.ok()) {
        const TokenResponse &t = r.value();
        m_backoffAttempt = 0;
        m_lastError.clear();
        // The old refresh token is spent now: keep the new one in memory whatever happens, store it, and only
        // then hand out the new access token.
        if (!t.refreshToken.isEmpty()) {
            m_creds.refreshToken = t.refreshToken;
            if (m_creds.chain.isEmpty())
                m_creds.chain = QUuid::createUuid().toString(QUuid::WithoutBraces);
            ++m_creds.generation; // one more rotation of this sign-in
        }
        m_creds.accessToken = t.accessToken;
        m_creds.accessExpiresAt = t.expiresAt;
        if (!t.email.isEmpty())
            m_creds.email = t.email;
        save([this](const QString &err) {
            m_refreshing = false;
            Q_UNUSED(err); // reported by save(); the tokens stay in memory and are saved again on the next change
            if (sharedWithDroidCli())
                writeBackToDroidCli(); // the CLI's pair is spent now: give it the new one
            scheduleNext();
            setState(State::Ready);
            scopeToOrganization();
            qCInfo(lcAuth).noquote()
                << "access token refreshed; valid until"
                << QDateTime::fromSecsSinceEpoch(m_creds.accessExpiresAt).toUTC().toString(Qt::ISODate);
            flush(m_creds.accessToken.toUtf8());
        });
        return;
    }
    const Error &e = r.error();
    m_refreshing = false;
    if (e.vendorType == "network") {
        const qint64 delay = qMin<qint64>(kMaxBackoffSecs, qint64(2) << qMin(m_backoffAttempt, 8));
        ++m_backoffAttempt;
        m_dueAt = m_now() + delay;
        m_lastError = e.message;
        qCWarning(lcAuth).noquote() << "token refresh failed:" << e.message << "- retrying in" << delay << "s";
        if (accessValid(0)) {
            setState(State::Ready);
            flush(m_creds.accessToken.toUtf8());
        } else {
            setState(State::Unavailable);
            flush(Error {
                503,
                QStringLiteral("cannot refresh the Factory sign-in (%1); retrying in %2 s").arg(e.message).arg(delay),
                {} });
        }
        QTimer::singleShot(int(delay * 1000), this, &AuthManager::checkRefreshDue);
        return;
    }
    // invalid_grant and other refusals: the refresh token is dead. Keep it stored (sign-in replaces it).
    m_lastError = e.message;
    qCWarning(lcAuth).noquote() << "sign-in required:" << e.message;
    setState(State::SignInRequired);
    flush(signInRequired(e.message));
}

void AuthManager::flush(const Result<QByteArray> &result)
{
    const QList<Waiter> waiters = std::exchange(m_waiters, {});
    for (const Waiter &w : waiters)
        if (w.context)
            w.done(result);
}

void AuthManager::save(std::function<void(const QString &)> then)
{
    if (!m_store)
        return then(AuthText::tr("no token store"));
    log::registerSecret(m_creds.refreshToken);
    log::registerSecret(m_creds.accessToken);
    m_creds.savedAt = qMax(m_creds.savedAt + 1, QDateTime::currentMSecsSinceEpoch());
    m_store->write(m_creds.toJson(), this, [this, then](const QString &err) {
        if (!err.isEmpty()) {
            m_storeWarning = AuthText::tr("could not save the Factory tokens (%1); they are kept in memory and saved "
                                          "again on the next change")
                                 .arg(err);
            m_storeWarningIsSave = true;
            qCWarning(lcAuth).noquote() << m_storeWarning;
            Q_EMIT statusChanged();
        } else if (m_storeWarningIsSave) {
            m_storeWarning.clear();
            m_storeWarningIsSave = false;
        }
        then(err);
    });
}

void AuthManager::setApiKey(const QString &key, QObject *context, Done done)
{
    QPointer<QObject> ctx(context);
    credentialChanged();
    m_creds.apiKey = key.trimmed();
    log::registerSecret(m_creds.apiKey);
    save([this, ctx, done](const QString &err) {
        if (m_envApiKey.isEmpty())
            m_source = m_creds.apiKey.isEmpty() ? (m_creds.refreshToken.isEmpty() ? Source::None : Source::RefreshToken)
                                                : Source::ApiKey;
        setState(m_source == Source::None ? State::NoCredentials : State::Ready);
        if (m_source == Source::ApiKey)
            verifyKey(m_creds.apiKey.toUtf8());
        Q_EMIT statusChanged();
        if (ctx)
            done(err);
    });
}

void AuthManager::setBackendKey(const QString &backend, const QString &key, QObject *context, Done done)
{
    QPointer<QObject> ctx(context);
    if (key.trimmed().isEmpty())
        m_creds.backendKeys.remove(backend);
    else
        m_creds.backendKeys.insert(backend, key.trimmed());
    log::registerSecret(key.trimmed());
    save([ctx, done](const QString &err) {
        if (ctx)
            done(err);
    });
}

void AuthManager::setRefreshToken(const QString &token, const QString &source, QObject *context, Done done)
{
    TokenResponse t;
    t.refreshToken = token.trimmed();
    adoptTokens(t, source, context, std::move(done));
}

void AuthManager::adoptTokens(const TokenResponse &tokens, const QString &source, QObject *context, Done done)
{
    QPointer<QObject> ctx(context);
    // A sign-in is the newest choice: it replaces a stored API key (a refused one would otherwise keep
    // precedence and every request would still fail). FACTORY_API_KEY, set outside the app, still wins.
    m_creds.apiKey.clear();
    credentialChanged();
    m_creds.refreshToken = tokens.refreshToken;
    m_creds.accessToken = tokens.accessToken;
    m_creds.accessExpiresAt = tokens.expiresAt;
    m_creds.email = tokens.email;
    m_creds.source = source;
    m_creds.envRefreshHash.clear();
    m_creds.chain = QUuid::createUuid().toString(QUuid::WithoutBraces); // a new sign-in starts a new chain
    m_creds.generation = 1;
    m_lastError.clear();
    log::registerSecret(tokens.refreshToken);
    log::registerSecret(tokens.accessToken);
    save([this, ctx, done](const QString &err) {
        if (m_envApiKey.isEmpty())
            m_source = Source::RefreshToken;
        if (m_source == Source::RefreshToken) {
            setState(accessValid() ? State::Ready : State::Refreshing);
            scheduleNext();
            m_tick.start();
            if (!accessValid())
                refresh();
        }
        Q_EMIT statusChanged();
        if (ctx)
            done(err);
    });
}

void AuthManager::importDroidCli(QObject *context, Done done)
{
    QPointer<QObject> ctx(context);
    m_droidCli->read(this, [this, ctx, done](const Result<DroidCliSession> &r) {
        if (!r) {
            if (ctx)
                done(r.error().message);
            return;
        }
        TokenResponse t;
        t.refreshToken = r.value().refreshToken;
        t.accessToken = r.value().accessToken;
        t.expiresAt = jwt::expiresAt(r.value().accessToken.toUtf8());
        m_droidCliPlaintext = r.value().plaintext;
        const QString org = r.value().organizationId;
        adoptTokens(t, QStringLiteral("droid-cli"), ctx, [this, ctx, done, t, org](const QString &err) {
            m_creds.droidCliSeen = t.refreshToken;
            m_creds.organizationId = org;
            log::registerSecret(t.refreshToken);
            save([ctx, done, err](const QString &) {
                if (ctx)
                    done(err);
            });
        });
    });
}

void AuthManager::signOut(QObject *context, Done done)
{
    QPointer<QObject> ctx(context);
    const auto backendKeys = m_creds.backendKeys; // sign-out is about Factory; other backends' keys stay
    m_creds = StoredCredentials();
    credentialChanged();
    m_creds.backendKeys = backendKeys;
    m_tick.stop();
    if (!m_store)
        return done(QString());
    auto finish = [this, ctx, done](const QString &err) {
        m_source = m_envApiKey.isEmpty() ? Source::None : Source::FactoryApiKeyEnv;
        setState(m_source == Source::None ? State::NoCredentials : State::Ready);
        Q_EMIT statusChanged();
        if (ctx)
            done(err);
    };
    if (m_creds.backendKeys.isEmpty())
        m_store->remove(this, finish);
    else
        save(finish);
}

} // namespace d2a
