#include "tokenstore.h"

#include "../log/log.h"
#include "../text.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qpointer.h>
#include <QtCore/qsavefile.h>
#include <QtCore/qdatetime.h>
#include <QtCore/qstandardpaths.h>
#include <QtCore/qtimer.h>

#include <qt6keychain/keychain.h>

#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS) && !defined(Q_OS_ANDROID)
#include <dlfcn.h>
#endif

#include <memory>

namespace d2a {

namespace {
QString keychainError(int code, const QString &text);
/// Runs `f` on the next turn of the event loop, unless `context` is gone (stores answer asynchronously).
void later(QObject *context, std::function<void()> f)
{
    QMetaObject::invokeMethod(context, std::move(f), Qt::QueuedConnection);
}

const QByteArray kChunkMarker = QByteArrayLiteral("d2a-chunks:");
} // namespace

// ---------------------------------------------------------------------------------------------------------

FileTokenStore::FileTokenStore(QString path, QObject *parent) : TokenStore(parent), m_path(std::move(path))
{
}

QString FileTokenStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/tokens.json");
}

void FileTokenStore::read(QObject *context, ReadDone done)
{
    QFile f(m_path);
    if (!f.exists())
        return later(context, [done] { done(std::nullopt, QString()); });
    if (!f.open(QIODevice::ReadOnly)) {
        const QString err = AuthText::tr("cannot read %1: %2").arg(m_path, f.errorString());
        return later(context, [done, err] { done(std::nullopt, err); });
    }
    const QByteArray data = f.readAll();
    later(context, [done, data] { done(data, QString()); });
}

void FileTokenStore::write(const QByteArray &value, QObject *context, WriteDone done)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile out(m_path);
    QString err;
    // The temporary file is created 0600 and renamed over the old one, so the secret is never readable by
    // others, not even for a moment, and a crash leaves either the old or the new file.
    if (!out.open(QIODevice::WriteOnly))
        err = AuthText::tr("cannot write %1: %2").arg(m_path, out.errorString());
    else {
        out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        out.write(value);
        if (!out.commit())
            err = AuthText::tr("cannot write %1: %2").arg(m_path, out.errorString());
        else
            QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    later(context, [done, err] { done(err); });
}

void FileTokenStore::remove(QObject *context, WriteDone done)
{
    QString err;
    if (QFile::exists(m_path) && !QFile::remove(m_path))
        err = AuthText::tr("cannot remove %1").arg(m_path);
    later(context, [done, err] { done(err); });
}

// ---------------------------------------------------------------------------------------------------------

KeychainTokenStore::KeychainTokenStore(QString service, QString key, QObject *parent)
    : TokenStore(parent), m_service(std::move(service)), m_key(std::move(key))
{
}

QString KeychainTokenStore::location() const
{
#if defined(Q_OS_MACOS)
    return AuthText::tr("macOS Keychain, service \"%1\"").arg(m_service);
#elif defined(Q_OS_WIN)
    return AuthText::tr("Windows Credential Manager, \"%1\"").arg(m_service);
#else
    return AuthText::tr("Secret Service keyring, service \"%1\"").arg(m_service);
#endif
}

namespace {

#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS) && !defined(Q_OS_ANDROID)
// Platform-specific (Linux/BSD, libsecret): QtKeychain reaches the Secret Service through libsecret, which
// caches one service proxy and its session. When gnome-keyring restarts, every call then fails with "The
// session wrapping the secret does not exist" until that cache is dropped. QtKeychain loads libsecret at run
// time, so its secret_service_disconnect() is looked up in the already-loaded library.
void dropSecretServiceCache()
{
    using Disconnect = void (*)();
    static Disconnect disconnect = [] {
        void *lib = dlopen("libsecret-1.so.0", RTLD_LAZY | RTLD_NOLOAD);
        return lib ? reinterpret_cast<Disconnect>(dlsym(lib, "secret_service_disconnect")) : nullptr;
    }();
    if (disconnect)
        disconnect();
}
#else
void dropSecretServiceCache()
{
}
#endif

} // namespace

void KeychainTokenStore::runJob(std::function<QKeychain::Job *()> make, QObject *context,
                                std::function<void(QKeychain::Job *)> done, bool retried)
{
    // Jobs have no parent: libsecret answers asynchronously and would call into a job deleted with its store
    // (at shutdown, or a fire-and-forget delete of old chunks). They delete themselves when done; a store
    // that is gone simply gets no answer.
    QKeychain::Job *job = make();
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain-text fallback behind the user's back
    QPointer<KeychainTokenStore> self(this);
    QPointer<QObject> ctx(context);
    connect(job, &QKeychain::Job::finished, this, [self, ctx, make, done, retried](QKeychain::Job *j) {
        if (!ctx)
            return;
        if (j->error() == QKeychain::OtherError && !retried && self) {
            // A stale connection to a Secret Service that restarted: reconnect and try once more.
            dropSecretServiceCache();
            self->runJob(make, ctx, done, true);
            return;
        }
        done(j);
    });
    job->start();
}

void KeychainTokenStore::readKey(const QString &key, QObject *context,
                                 std::function<void(int, QByteArray, QString)> done)
{
    runJob(
        [this, key] {
        auto *job = new QKeychain::ReadPasswordJob(m_service);
        job->setKey(key);
        return job;
        },
        context,
        [done](QKeychain::Job *j) {
        auto *r = static_cast<QKeychain::ReadPasswordJob *>(j);
        done(int(r->error()), r->error() == QKeychain::NoError ? r->binaryData() : QByteArray(), r->errorString());
    });
}

void KeychainTokenStore::writeKey(const QString &key, const QByteArray &data, QObject *context,
                                  std::function<void(int, QString)> done)
{
    if (m_fault && m_fault(key)) {
        later(context, [done] { done(int(QKeychain::OtherError), QStringLiteral("write refused (injected fault)")); });
        return;
    }
    runJob(
        [this, key, data] {
        auto *job = new QKeychain::WritePasswordJob(m_service);
        job->setKey(key);
        job->setBinaryData(data);
        return job;
        },
        context, [done](QKeychain::Job *j) { done(int(j->error()), j->errorString()); });
}

void KeychainTokenStore::deleteKey(const QString &key, QObject *context, std::function<void(int, QString)> done)
{
    runJob(
        [this, key] {
        auto *job = new QKeychain::DeletePasswordJob(m_service);
        job->setKey(key);
        return job;
        },
        context, [done](QKeychain::Job *j) { done(int(j->error()), j->errorString()); });
}

namespace {
QString keychainError(int code, const QString &text)
{
    switch (code) {
    case QKeychain::AccessDeniedByUser: return AuthText::tr("access to the keychain was denied by the user");
    case QKeychain::AccessDenied:
        return AuthText::tr("access to the keychain was denied (is it locked?): %1").arg(text);
    case QKeychain::NoBackendAvailable: return AuthText::tr("no OS keychain is available on this system");
    default:
        return AuthText::tr("the OS keychain failed (is a Secret Service such as gnome-keyring running "
                            "and unlocked?): %1")
            .arg(text);
    }
}
} // namespace

KeychainTokenStore::Pointer KeychainTokenStore::parsePointer(const QByteArray &main)
{
    Pointer p;
    if (!main.startsWith(kChunkMarker))
        return p;
    // "d2a-chunks:<generation>:<count>", or the first layout's "d2a-chunks:<count>".
    const QList<QByteArray> parts = main.mid(kChunkMarker.size()).split(':');
    if (parts.size() == 2) {
        p.generation = QString::fromLatin1(parts[0]);
        p.chunks = parts[1].toInt();
    } else {
        p.chunks = parts.value(0).toInt();
    }
    return p;
}

QString KeychainTokenStore::chunkKey(const QString &generation, int index) const
{
    return generation.isEmpty() ? QString(m_key + u'.' + QString::number(index))
                                : QString(m_key + u'.' + generation + u'.' + QString::number(index));
}

void KeychainTokenStore::read(QObject *context, ReadDone done)
{
    QPointer<KeychainTokenStore> self(this);
    readKey(m_key, context, [self, context, done](int err, QByteArray data, QString text) {
        if (err == QKeychain::EntryNotFound)
            return done(std::nullopt, QString());
        if (err != QKeychain::NoError)
            return done(std::nullopt, keychainError(err, text));
        const Pointer p = parsePointer(data);
        if (!p.chunks || !self)
            return done(data, QString());
        // Chunked value: read the parts of the generation the pointer names, one after another.
        self->readChunks(0, p, QByteArray(), context, done);
    });
}

void KeychainTokenStore::readChunks(int index, Pointer pointer, QByteArray acc, QObject *context, ReadDone done)
{
    if (index >= pointer.chunks)
        return done(acc, QString());
    QPointer<KeychainTokenStore> self(this);
    readKey(chunkKey(pointer.generation, index), context,
            [self, index, pointer, acc, context, done](int err, QByteArray data, QString text) {
        if (err != QKeychain::NoError)
            return done(std::nullopt, keychainError(err, text));
        if (self)
            self->readChunks(index + 1, pointer, acc + data, context, done);
    });
}

void KeychainTokenStore::writeChunks(QList<QByteArray> chunks, int index, QString generation, QObject *context,
                                     std::function<void(QString)> done)
{
    if (index >= chunks.size())
        return done(QString());
    QPointer<KeychainTokenStore> self(this);
    writeKey(chunkKey(generation, index), chunks[index], context,
             [self, chunks, index, generation, context, done](int err, QString text) {
        if (err != QKeychain::NoError)
            return done(keychainError(err, text));
        if (!self)
            return done(AuthText::tr("keychain store is gone"));
        self->writeChunks(chunks, index + 1, generation, context, done);
    });
}

void KeychainTokenStore::deleteChunks(const Pointer &pointer, QObject *context)
{
    for (int i = 0; i < pointer.chunks; ++i)
        deleteKey(chunkKey(pointer.generation, i), context, [](int, QString) {});
}

void KeychainTokenStore::write(const QByteArray &value, QObject *context, WriteDone done)
{
    QPointer<KeychainTokenStore> self(this);
    // The current pointer first: its chunks are deleted once the new value is in place.
    readKey(m_key, context, [self, value, context, done](int err, QByteArray current, QString text) {
        if (!self)
            return done(AuthText::tr("keychain store is gone"));
        if (err != QKeychain::NoError && err != QKeychain::EntryNotFound)
            return done(keychainError(err, text));
        const Pointer old = err == QKeychain::NoError ? parsePointer(current) : Pointer();
        if (value.size() <= kChunkBytes && !value.startsWith(kChunkMarker)) {
            self->writeKey(self->m_key, value, context, [self, old, context, done](int e, QString t) {
                if (e == QKeychain::NoError && self)
                    self->deleteChunks(old, context);
                done(e == QKeychain::NoError ? QString() : keychainError(e, t));
            });
            return;
        }
        // Chunks under a new generation, then the pointer: a failure on the way leaves the old value whole.
        QList<QByteArray> chunks;
        for (qsizetype i = 0; i < value.size(); i += kChunkBytes)
            chunks.append(value.mid(i, kChunkBytes));
        QString generation = QString::number(QDateTime::currentMSecsSinceEpoch(), 36);
        if (generation == old.generation)
            generation += QStringLiteral("b");
        self->writeChunks(chunks, 0, generation, context,
                          [self, chunks, generation, old, context, done](const QString &error) {
            if (!self)
                return done(AuthText::tr("keychain store is gone"));
            const Pointer fresh { generation, int(chunks.size()) };
            if (!error.isEmpty()) {
                self->deleteChunks(fresh, context); // what was written of the new generation
                return done(error);
            }
            const QByteArray pointer = kChunkMarker + generation.toLatin1() + ':' + QByteArray::number(chunks.size());
            self->writeKey(self->m_key, pointer, context, [self, old, fresh, context, done](int e, QString t) {
                if (!self)
                    return done(AuthText::tr("keychain store is gone"));
                if (e != QKeychain::NoError) {
                    self->deleteChunks(fresh, context);
                    return done(keychainError(e, t));
                }
                self->deleteChunks(old, context);
                done(QString());
            });
        });
    });
}

void KeychainTokenStore::remove(QObject *context, WriteDone done)
{
    QPointer<KeychainTokenStore> self(this);
    readKey(m_key, context, [self, context, done](int err, QByteArray data, QString text) {
        if (err == QKeychain::EntryNotFound)
            return done(QString());
        if (err != QKeychain::NoError || !self)
            return done(keychainError(err, text));
        self->deleteChunks(parsePointer(data), context);
        self->deleteKey(self->m_key, context, [done](int e, QString t) {
            done(e == QKeychain::NoError || e == QKeychain::EntryNotFound ? QString() : keychainError(e, t));
        });
    });
}

// ---------------------------------------------------------------------------------------------------------

namespace {
/// Whether waiting for the keychain at start can help: on Linux and the BSDs only with a session bus (a server
/// or a container has none, and gets the file at once); macOS and Windows always have their keychain.
bool keychainMayAppear()
{
#if defined(Q_OS_MACOS) || defined(Q_OS_WIN)
    return true;
#else
    return qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS");
#endif
}
} // namespace

AutoTokenStore::AutoTokenStore(TokenStore *keychain, TokenStore *file, Newer newer, QObject *parent)
    : TokenStore(parent), m_keychain(keychain), m_file(file), m_newer(std::move(newer)),
      m_startupMs({ 250, 500, 1000, 2000, 4000 })
{
    m_keychain->setParent(this);
    m_file->setParent(this);
}

void AutoTokenStore::setRetries(QList<int> startupMs, int backgroundFirstMs, int backgroundMaxMs)
{
    m_startupMs = std::move(startupMs);
    m_backgroundFirstMs = backgroundFirstMs;
    m_backgroundMaxMs = backgroundMaxMs;
}

void AutoTokenStore::read(QObject *context, ReadDone done)
{
    attempt(0, context, std::move(done));
}

void AutoTokenStore::attempt(int index, QObject *context, ReadDone done)
{
    QPointer<AutoTokenStore> self(this);
    QPointer<QObject> ctx(context);
    m_keychain->read(this, [self, ctx, index, done](std::optional<QByteArray> fromKeychain, const QString &err) {
        if (!self || !ctx)
            return;
        if (!err.isEmpty()) {
            if (index < self->m_startupMs.size() && keychainMayAppear()) {
                const int ms = self->m_startupMs[index];
                qCInfo(lcAuth).noquote() << "the OS keychain is not reachable yet; trying again in" << ms << "ms";
                Q_EMIT self->retrying(index + 1, ms);
                QTimer::singleShot(ms, self, [self, ctx, index, done] {
                    if (self && ctx)
                        self->attempt(index + 1, ctx, done);
                });
                return;
            }
            // No keychain: the file, and the keychain tried again in the background.
            self->fallBack(err);
            self->m_file->read(self, [self, ctx, done](std::optional<QByteArray> v, const QString &e) {
                if (!self || !ctx)
                    return;
                self->m_last = v;
                done(v, e);
            });
            return;
        }
        // Both stores: the newest copy wins; a newer file copy moves into the keychain.
        self->m_file->read(self, [self, ctx, fromKeychain, done](std::optional<QByteArray> fromFile, const QString &) {
            if (!self || !ctx)
                return;
            if (!fromFile || (fromKeychain && !self->m_newer(*fromFile, *fromKeychain))) {
                self->m_last = fromKeychain;
                if (fromFile) // an older leftover: the keychain's copy is the one
                    self->m_file->remove(self, [](const QString &) {});
                return done(fromKeychain, QString());
            }
            qCInfo(lcAuth) << "the token file holds newer credentials than the keychain; moving them into the keychain";
            self->m_last = fromFile;
            self->moveIntoKeychain(*fromFile, [self, ctx, fromFile, done](const QString &error) {
                if (!self || !ctx)
                    return;
                if (!error.isEmpty())
                    self->fallBack(error);
                done(fromFile, QString());
            });
        });
    });
}

void AutoTokenStore::moveIntoKeychain(const QByteArray &value, std::function<void(QString)> done)
{
    QPointer<AutoTokenStore> self(this);
    m_keychain->write(value, this, [self, done](const QString &error) {
        if (!self)
            return;
        if (!error.isEmpty())
            return done(error);
        // Only once the keychain holds it is the file removed.
        self->m_file->remove(self, [self, done](const QString &) {
            if (!self)
                return;
            const bool was = self->m_usingFile;
            self->m_usingFile = false;
            self->m_warning.clear();
            if (was)
                Q_EMIT self->changed();
            done(QString());
        });
    });
}

void AutoTokenStore::fallBack(const QString &why)
{
    const bool was = m_usingFile;
    m_usingFile = true;
    m_warning = AuthText::tr("the OS keychain cannot be used (%1); tokens are kept in %2, readable only by you, "
                             "until the keychain works again")
                    .arg(why, m_file->location());
    if (!was) {
        qCWarning(lcAuth).noquote() << m_warning;
        Q_EMIT changed();
    }
    scheduleBackground();
}

void AutoTokenStore::scheduleBackground()
{
    if (m_backgroundPending)
        return;
    m_backgroundPending = true;
    m_backgroundDelayMs = m_backgroundDelayMs ? qMin(m_backgroundDelayMs * 2, m_backgroundMaxMs) : m_backgroundFirstMs;
    QTimer::singleShot(m_backgroundDelayMs, this, &AutoTokenStore::backgroundAttempt);
}

void AutoTokenStore::backgroundAttempt()
{
    m_backgroundPending = false;
    if (!m_usingFile)
        return;
    QPointer<AutoTokenStore> self(this);
    m_keychain->read(this, [self](std::optional<QByteArray> fromKeychain, const QString &err) {
        if (!self)
            return;
        if (!err.isEmpty())
            return self->scheduleBackground();
        self->m_backgroundDelayMs = 0;
        qCInfo(lcAuth) << "the OS keychain is reachable again";
        if (fromKeychain && (!self->m_last || self->m_newer(*fromKeychain, *self->m_last))) {
            // The keychain knows newer credentials (e.g. they were unreadable at start): the owner adopts them
            // and its next write goes to the keychain; the file goes.
            self->m_usingFile = false;
            self->m_warning.clear();
            self->m_last = fromKeychain;
            self->m_file->remove(self, [](const QString &) {});
            Q_EMIT self->changed();
            Q_EMIT self->newerValueFound(*fromKeychain);
            return;
        }
        if (!self->m_last) {
            self->m_usingFile = false;
            self->m_warning.clear();
            Q_EMIT self->changed();
            return;
        }
        self->moveIntoKeychain(*self->m_last, [self](const QString &error) {
            if (self && !error.isEmpty())
                self->scheduleBackground();
        });
    });
}

void AutoTokenStore::write(const QByteArray &value, QObject *context, WriteDone done)
{
    m_last = value;
    QPointer<AutoTokenStore> self(this);
    QPointer<QObject> ctx(context);
    if (m_usingFile) {
        m_file->write(value, this, [ctx, done](const QString &e) {
            if (ctx)
                done(e);
        });
        return;
    }
    m_keychain->write(value, this, [self, ctx, value, done](const QString &error) {
        if (!self || !ctx)
            return;
        if (error.isEmpty())
            return done(QString());
        // The keychain refused it: the file keeps it (a rotated token must survive a restart), and the
        // keychain gets it back once it answers again.
        self->fallBack(error);
        self->m_file->write(value, self, [ctx, done](const QString &e) {
            if (ctx)
                done(e);
        });
    });
}

void AutoTokenStore::remove(QObject *context, WriteDone done)
{
    m_last.reset();
    QPointer<AutoTokenStore> self(this);
    QPointer<QObject> ctx(context);
    m_file->remove(this, [self, ctx, done](const QString &fileError) {
        if (!self || !ctx)
            return;
        self->m_keychain->remove(self, [self, ctx, fileError, done](const QString &error) {
            if (!self || !ctx)
                return;
            done(self->m_usingFile ? fileError : error);
        });
    });
}

} // namespace d2a
