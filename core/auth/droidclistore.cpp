#include "droidclistore.h"

#include "../log/log.h"
#include "../text.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qcryptographichash.h>
#include <QtCore/qdatetime.h>
#include <QtCore/qdir.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qpointer.h>
#include <QtCore/qrandom.h>
#include <QtCore/qsavefile.h>
#include <QtCore/quuid.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <thread>

#if defined(Q_OS_LINUX) && defined(D2A_HAVE_LIBSECRET)
// GLib names a struct member "signals", which Qt defines as a macro.
#pragma push_macro("signals")
#undef signals
#include <libsecret/secret.h>
#pragma pop_macro("signals")
#elif !defined(Q_OS_LINUX)
#include <QtCore/qeventloop.h>
#include <qt6keychain/keychain.h>
#endif

#if defined(Q_OS_UNIX)
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace d2a {

namespace {

constexpr int kIvBytes = 16;
constexpr int kTagBytes = 16;
constexpr int kKeyBytes = 32;
const char kService[] = "Factory CLI";
const char kAccount[] = "auth-encryption-key";

QString native(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

QByteArray readFile(const QString &path, bool *exists)
{
    QFile f(path);
    *exists = f.exists();
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// A key as the CLI stores it: base64 of 32 bytes (whitespace around it ignored).
Result<QByteArray> parseKey(const QByteArray &text, const QString &where)
{
    const QByteArray key = QByteArray::fromBase64(text.trimmed(), QByteArray::AbortOnBase64DecodingErrors);
    if (key.size() != kKeyBytes)
        return Error::badRequest(AuthText::tr("%1 does not hold a 32-byte key").arg(where));
    return key;
}

#if defined(Q_OS_UNIX)
bool processAlive(qint64 pid)
{
    // Platform-specific (POSIX): kill(pid, 0) probes without signalling; EPERM means it exists.
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}
#else
bool processAlive(qint64 pid)
{
    return pid > 0; // Platform-specific: without a cheap probe, a lock with an owner is treated as live
}
#endif

/// Writes `data` to `path` as the CLI does: mode 0600, a temporary file fsynced and renamed over.
QString atomicWrite(const QString &path, const QByteArray &data)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return AuthText::tr("cannot write %1: %2").arg(native(path), f.errorString());
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    f.write(data);
    if (!f.commit()) // QSaveFile flushes, fsyncs and renames
        return AuthText::tr("cannot write %1: %2").arg(native(path), f.errorString());
    return {};
}

/// The Secret Service key the CLI keeps for auth.v2.keyring. Blocking: run off the event loop.
Result<QByteArray> keyringKey()
{
#if defined(Q_OS_LINUX) && defined(D2A_HAVE_LIBSECRET)
    // Platform-specific (Linux): the CLI's keytar stores a generic secret with attributes service/account.
    static const SecretSchema schema = { "org.freedesktop.Secret.Generic",
                                         SECRET_SCHEMA_DONT_MATCH_NAME,
                                         { { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
                                           { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
                                           { nullptr, SecretSchemaAttributeType(0) } },
                                         0,
                                         nullptr,
                                         nullptr,
                                         nullptr,
                                         nullptr,
                                         nullptr,
                                         nullptr,
                                         nullptr };
    GError *error = nullptr;
    gchar *secret =
        secret_password_lookup_sync(&schema, nullptr, &error, "service", kService, "account", kAccount, nullptr);
    if (error) {
        const QString message = QString::fromUtf8(error->message);
        g_error_free(error);
        return Error::serviceUnavailable(AuthText::tr("the OS keyring is not available (%1)").arg(message));
    }
    if (!secret)
        return Error::notFound(AuthText::tr("the OS keyring holds no droid CLI key (service \"Factory CLI\")"));
    const QByteArray text(secret);
    secret_password_free(secret);
    return parseKey(text, AuthText::tr("the droid CLI's keyring entry"));
#elif defined(Q_OS_LINUX)
    return Error::serviceUnavailable(AuthText::tr("this build reads no keyring (built without libsecret)"));
#else
    // Platform-specific (macOS, Windows): keytar's generic password service/account, read through QtKeychain.
    QKeychain::ReadPasswordJob job(QString::fromLatin1(kService));
    job.setKey(QString::fromLatin1(kAccount));
    job.setAutoDelete(false);
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    if (job.error() != QKeychain::NoError)
        return Error::notFound(AuthText::tr("the OS keychain holds no droid CLI key (%1)").arg(job.errorString()));
    return parseKey(job.textData().toUtf8(), AuthText::tr("the droid CLI's keychain entry"));
#endif
}

} // namespace

namespace droidcli {

Result<QByteArray> encrypt(const QByteArray &plaintext, const QByteArray &key)
{
    if (key.size() != kKeyBytes)
        return Error::internal(AuthText::tr("the key must be 32 bytes"));
    QByteArray iv(kIvBytes, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(iv.data()), kIvBytes) != 1)
        return Error::internal(AuthText::tr("no random bytes for the IV"));
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    QByteArray out(plaintext.size() + 16, Qt::Uninitialized);
    QByteArray tag(kTagBytes, Qt::Uninitialized);
    int len = 0, total = 0;
    const auto *k = reinterpret_cast<const unsigned char *>(key.constData());
    const auto *i = reinterpret_cast<const unsigned char *>(iv.constData());
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kIvBytes, nullptr) != 1
        || EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, k, i) != 1
        || EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(out.data()), &len,
                             reinterpret_cast<const unsigned char *>(plaintext.constData()), int(plaintext.size()))
               != 1)
        return Error::internal(AuthText::tr("AES-256-GCM encryption failed"));
    total = len;
    if (EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(out.data()) + total, &len) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) != 1)
        return Error::internal(AuthText::tr("AES-256-GCM encryption failed"));
    out.truncate(total + len);
    return QByteArray(iv.toBase64() + ':' + tag.toBase64() + ':' + out.toBase64());
}

Result<QByteArray> decrypt(const QByteArray &text, const QByteArray &key)
{
    const QList<QByteArray> fields = text.trimmed().split(':');
    if (fields.size() != 3)
        return Error::badRequest(AuthText::tr("not the droid CLI's format (iv:tag:ciphertext)"));
    const QByteArray iv = QByteArray::fromBase64(fields[0]);
    const QByteArray tag = QByteArray::fromBase64(fields[1]);
    const QByteArray ct = QByteArray::fromBase64(fields[2]);
    if (iv.size() != kIvBytes || tag.size() != kTagBytes || key.size() != kKeyBytes)
        return Error::badRequest(AuthText::tr("not the droid CLI's format (iv or tag length)"));
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    QByteArray out(ct.size() + 16, Qt::Uninitialized);
    int len = 0, total = 0;
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kIvBytes, nullptr) != 1
        || EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const unsigned char *>(key.constData()),
                              reinterpret_cast<const unsigned char *>(iv.constData()))
               != 1
        || EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(out.data()), &len,
                             reinterpret_cast<const unsigned char *>(ct.constData()), int(ct.size()))
               != 1)
        return Error::badRequest(AuthText::tr("cannot decrypt it"));
    total = len;
    QByteArray tagCopy = tag;
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tagCopy.data()) != 1
        || EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(out.data()) + total, &len) != 1)
        return Error::badRequest(AuthText::tr("cannot decrypt it (wrong key, or the file was altered)"));
    out.truncate(total + len);
    return out;
}

QString defaultDir()
{
    const QString override = qEnvironmentVariable("FACTORY_HOME_OVERRIDE").trimmed();
    return override.isEmpty() ? QDir::homePath() + QStringLiteral("/.factory") : override;
}

} // namespace droidcli

// --- the CLI's write lock

DroidCliLock::DroidCliLock(QString dir) : m_dir(std::move(dir))
{
}

DroidCliLock::~DroidCliLock()
{
    release();
}

bool DroidCliLock::tryAcquire()
{
    if (m_held)
        return true;
    const QString lock = m_dir + QStringLiteral("/auth.v2.write.lock");
    if (m_token.isEmpty())
        m_token = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    const QString pending =
        m_dir + QStringLiteral("/auth.v2.write.")
        + QString::fromLatin1(QCryptographicHash::hash(m_token, QCryptographicHash::Sha256).toHex().left(32))
        + QStringLiteral(".pending");
    QDir().mkpath(m_dir);
    QDir(pending).removeRecursively();
    if (!QDir().mkdir(pending))
        return false;
    QFile::setPermissions(pending, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QFile owner(pending + QStringLiteral("/owner.json"));
    if (!owner.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        QDir(pending).removeRecursively();
        return false;
    }
    owner.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    owner.write(QJsonDocument(QJsonObject { { QStringLiteral("token"), QString::fromLatin1(m_token) },
                                            { QStringLiteral("pid"), double(QCoreApplication::applicationPid()) } })
                    .toJson(QJsonDocument::Compact));
    owner.close();
    for (int attempt = 0; attempt < 2; ++attempt) {
        // rename() replaces an empty directory at the lock path; a held lock has owner.json inside it.
        if (::rename(QFile::encodeName(pending).constData(), QFile::encodeName(lock).constData()) == 0) {
            m_held = true;
            return true;
        }
        if (attempt == 0 && !reclaimIfStale())
            break;
    }
    QDir(pending).removeRecursively();
    return false;
}

bool DroidCliLock::reclaimIfStale()
{
    const QString lock = m_dir + QStringLiteral("/auth.v2.write.lock");
    const QFileInfo info(lock);
    if (!info.exists())
        return true;
    bool exists = false;
    // The owner: owner.json inside the directory, or (an older CLI) the lock file itself.
    const QByteArray text = readFile(info.isDir() ? lock + QStringLiteral("/owner.json") : lock, &exists);
    const QJsonObject owner = QJsonDocument::fromJson(text).object();
    const bool hasOwner = owner.contains(u"pid");
    const bool stale = hasOwner ? !processAlive(qint64(owner.value(u"pid").toDouble()))
                                : info.lastModified().msecsTo(QDateTime::currentDateTime()) > 10000;
    if (!stale)
        return false;
    qCInfo(lcAuth).noquote() << "reclaiming the droid CLI's stale write lock in" << native(m_dir);
    if (info.isDir())
        QDir(lock).removeRecursively();
    else
        QFile::remove(lock);
    return true;
}

void DroidCliLock::release()
{
    if (!m_held)
        return;
    const QString lock = m_dir + QStringLiteral("/auth.v2.write.lock");
    bool exists = false;
    const QJsonObject owner = QJsonDocument::fromJson(readFile(lock + QStringLiteral("/owner.json"), &exists)).object();
    if (owner.value(u"token").toString().toLatin1() == m_token)
        QDir(lock).removeRecursively();
    m_held = false;
}

// --- the store

DroidCliStore::DroidCliStore(QString dir, QObject *parent)
    : QObject(parent), m_dir(dir.isEmpty() ? droidcli::defaultDir() : std::move(dir))
{
}

QString DroidCliStore::path(const char *name) const
{
    return m_dir + u'/' + QLatin1StringView(name);
}

Result<DroidCliSession> DroidCliStore::readWithKey(const QString &file, const QByteArray &key, const QString &source)
{
    bool exists = false;
    const QByteArray text = readFile(file, &exists);
    auto plain = droidcli::decrypt(text, key);
    if (!plain)
        return Error::badRequest(QStringLiteral("%1: %2").arg(native(file), plain.error().message));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(plain.value(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error::badRequest(AuthText::tr("%1 decrypts to something that is not the CLI's JSON").arg(native(file)));
    DroidCliSession s;
    s.plaintext = doc.object();
    s.accessToken = s.plaintext.value(u"access_token").toString();
    s.refreshToken = s.plaintext.value(u"refresh_token").toString();
    s.organizationId = s.plaintext.value(u"active_organization_id").toString();
    s.source = source;
    if (s.refreshToken.isEmpty())
        return Error::badRequest(AuthText::tr("%1 holds no refresh token").arg(native(file)));
    log::registerSecret(s.refreshToken);
    log::registerSecret(s.accessToken);
    m_key = key;
    m_source = source;
    return s;
}

void DroidCliStore::read(QObject *context, std::function<void(Result<DroidCliSession>)> done)
{
    QPointer<QObject> ctx(context);
    QPointer<DroidCliStore> self(this);
    auto fromFiles = [this]() -> Result<DroidCliSession> {
        bool exists = false;
        if (QFileInfo::exists(path("auth.v2.file"))) {
            const QByteArray keyText = readFile(path("auth.v2.key"), &exists);
            if (!exists)
                return Error::badRequest(
                    AuthText::tr("%1 exists but its key, auth.v2.key, is missing").arg(native(path("auth.v2.file"))));
            auto key = parseKey(keyText, native(path("auth.v2.key")));
            if (!key)
                return key.error();
            return readWithKey(path("auth.v2.file"), key.value(), QStringLiteral("keyfile-v2"));
        }
        // Older CLIs: plain JSON.
        const QByteArray legacy = readFile(path("auth.json"), &exists);
        if (!exists)
            return Error::notFound(
                AuthText::tr("the droid CLI is not signed in on this machine (no auth.v2.* or auth.json in %1)")
                    .arg(native(m_dir)));
        const QJsonObject o = QJsonDocument::fromJson(legacy).object();
        DroidCliSession s;
        s.plaintext = o;
        s.refreshToken = o.value(u"refresh_token").toString().trimmed();
        s.accessToken = o.value(u"access_token").toString().trimmed();
        s.source = QStringLiteral("auth.json");
        if (s.refreshToken.isEmpty())
            return Error::badRequest(AuthText::tr("%1 has no refresh_token").arg(native(path("auth.json"))));
        log::registerSecret(s.refreshToken);
        log::registerSecret(s.accessToken);
        m_source = s.source;
        return s;
    };
    if (!QFileInfo::exists(path("auth.v2.keyring")) || qEnvironmentVariableIsSet("FACTORY_DISABLE_KEYRING")) {
        auto r = fromFiles();
        return QTimer::singleShot(0, this, [ctx, done, r] {
            if (ctx)
                done(r);
        });
    }
    // The keyring's answer may take a while (a locked keyring asks the user): off the event loop.
    std::thread([self, ctx, done, fromFiles]() mutable {
        auto key = keyringKey();
        QMetaObject::invokeMethod(self, [self, ctx, done, fromFiles, key] {
            if (!self)
                return;
            Result<DroidCliSession> r =
                key ? self->readWithKey(self->path("auth.v2.keyring"), key.value(), QStringLiteral("keyring-v2"))
                    : Result<DroidCliSession>(key.error());
            if (!r) {
                // As the CLI: the key file is the fallback when the keyring copy cannot be read.
                auto files = fromFiles();
                if (files)
                    r = files;
                else
                    qCInfo(lcAuth).noquote() << "droid CLI keyring store:" << r.error().message;
            }
            if (ctx)
                done(r);
        });
    }).detach();
}

QString DroidCliStore::writeLocked(const DroidCliSession &session)
{
    QJsonObject plain = session.plaintext;
    plain.insert(QStringLiteral("access_token"), session.accessToken);
    plain.insert(QStringLiteral("refresh_token"), session.refreshToken);
    // The CLI writes its members in this order: keep it.
    QJsonObject ordered;
    QByteArray json = "{";
    auto add = [&json](const QString &k, const QJsonValue &v) {
        if (json.size() > 1)
            json += ',';
        json += QJsonDocument(QJsonObject { { k, v } }).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    };
    for (const char *k : { "access_token", "refresh_token", "active_organization_id", "whoami" })
        if (plain.contains(QLatin1StringView(k)))
            add(QString::fromLatin1(k), plain.value(QLatin1StringView(k)));
    for (auto it = plain.begin(); it != plain.end(); ++it)
        if (!QStringList { QStringLiteral("access_token"), QStringLiteral("refresh_token"),
                           QStringLiteral("active_organization_id"), QStringLiteral("whoami") }
                 .contains(it.key()))
            add(it.key(), it.value());
    json += '}';
    auto encrypted = droidcli::encrypt(json, m_key);
    if (!encrypted)
        return encrypted.error().message;
    return atomicWrite(path(m_source == u"keyring-v2" ? "auth.v2.keyring" : "auth.v2.file"), encrypted.value());
}

void DroidCliStore::write(const DroidCliSession &session, QObject *context, std::function<void(const QString &)> done)
{
    QPointer<QObject> ctx(context);
    if (m_key.isEmpty() || (m_source != u"keyring-v2" && m_source != u"keyfile-v2")) {
        return QTimer::singleShot(0, this, [ctx, done] {
            if (ctx)
                done(AuthText::tr("the droid CLI store was not read with a key (auth.json is never written)"));
        });
    }
    // Poll the lock every 15 ms as the CLI does, on timers: the proxy keeps serving meanwhile.
    auto lock = std::make_shared<DroidCliLock>(m_dir);
    auto started = std::make_shared<QElapsedTimer>();
    started->start();
    auto attempt = std::make_shared<std::function<void()>>();
    std::weak_ptr<std::function<void()>> weak = attempt;
    *attempt = [this, lock, started, weak, session, ctx, done] {
        if (lock->tryAcquire()) {
            const QString error = writeLocked(session);
            lock->release();
            if (error.isEmpty())
                qCInfo(lcAuth).noquote() << "wrote the rotated sign-in back to the droid CLI's" << m_source << "store";
            if (ctx)
                done(error);
            return;
        }
        if (started->elapsed() >= m_lockTimeoutMs) {
            if (ctx)
                done(AuthText::tr("timed out waiting for the droid CLI's write lock in %1").arg(native(m_dir)));
            return;
        }
        if (auto next = weak.lock())
            QTimer::singleShot(15, this, [next] { (*next)(); });
    };
    QTimer::singleShot(0, this, [attempt] { (*attempt)(); });
}

} // namespace d2a
