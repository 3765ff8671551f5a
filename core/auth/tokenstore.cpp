#include "tokenstore.h"

#include "../log/log.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qpointer.h>
#include <QtCore/qsavefile.h>
#include <QtCore/qstandardpaths.h>

#include <qt6keychain/keychain.h>

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

FileTokenStore::FileTokenStore(QString path, QObject *parent) : TokenStore(parent), m_path(std::move(path)) { }

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
        const QString err = QStringLiteral("cannot read %1: %2").arg(m_path, f.errorString());
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
        err = QStringLiteral("cannot write %1: %2").arg(m_path, out.errorString());
    else {
        out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        out.write(value);
        if (!out.commit())
            err = QStringLiteral("cannot write %1: %2").arg(m_path, out.errorString());
        else
            QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    later(context, [done, err] { done(err); });
}

void FileTokenStore::remove(QObject *context, WriteDone done)
{
    QString err;
    if (QFile::exists(m_path) && !QFile::remove(m_path))
        err = QStringLiteral("cannot remove %1").arg(m_path);
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
    return QStringLiteral("macOS Keychain, service \"%1\"").arg(m_service);
#elif defined(Q_OS_WIN)
    return QStringLiteral("Windows Credential Manager, \"%1\"").arg(m_service);
#else
    return QStringLiteral("Secret Service keyring, service \"%1\"").arg(m_service);
#endif
}

void KeychainTokenStore::readKey(const QString &key, QObject *context,
                                 std::function<void(int, QByteArray, QString)> done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain-text fallback behind the user's back
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, context, [done](QKeychain::Job *j) {
        auto *r = static_cast<QKeychain::ReadPasswordJob *>(j);
        done(int(r->error()), r->error() == QKeychain::NoError ? r->binaryData() : QByteArray(), r->errorString());
    });
    job->start();
}

void KeychainTokenStore::writeKey(const QString &key, const QByteArray &data, QObject *context,
                                  std::function<void(int, QString)> done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    job->setBinaryData(data);
    connect(job, &QKeychain::Job::finished, context, [done](QKeychain::Job *j) { done(int(j->error()), j->errorString()); });
    job->start();
}

void KeychainTokenStore::deleteKey(const QString &key, QObject *context, std::function<void(int, QString)> done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, context, [done](QKeychain::Job *j) { done(int(j->error()), j->errorString()); });
    job->start();
}

namespace {
QString keychainError(int code, const QString &text)
{
    switch (code) {
    case QKeychain::AccessDeniedByUser: return QStringLiteral("access to the keychain was denied by the user");
    case QKeychain::AccessDenied: return QStringLiteral("access to the keychain was denied (is it locked?): %1").arg(text);
    case QKeychain::NoBackendAvailable: return QStringLiteral("no OS keychain is available on this system");
    default: return QStringLiteral("the OS keychain failed (is a Secret Service such as gnome-keyring running "
                                   "and unlocked?): %1").arg(text);
    }
}
} // namespace

void KeychainTokenStore::read(QObject *context, ReadDone done)
{
    QPointer<KeychainTokenStore> self(this);
    readKey(m_key, context, [self, context, done](int err, QByteArray data, QString text) {
        if (err == QKeychain::EntryNotFound)
            return done(std::nullopt, QString());
        if (err != QKeychain::NoError)
            return done(std::nullopt, keychainError(err, text));
        if (!data.startsWith(kChunkMarker) || !self)
            return done(data, QString());
        // Chunked value: read the parts one after another.
        self->readChunks(0, data.mid(kChunkMarker.size()).toInt(), QByteArray(), context, done);
    });
}

void KeychainTokenStore::readChunks(int index, int count, QByteArray acc, QObject *context, ReadDone done)
{
    if (index >= count)
        return done(acc, QString());
    QPointer<KeychainTokenStore> self(this);
    readKey(m_key + u'.' + QString::number(index), context,
            [self, index, count, acc, context, done](int err, QByteArray data, QString text) {
        if (err != QKeychain::NoError)
            return done(std::nullopt, keychainError(err, text));
        if (self)
            self->readChunks(index + 1, count, acc + data, context, done);
    });
}

void KeychainTokenStore::write(const QByteArray &value, QObject *context, WriteDone done)
{
    if (value.size() <= kChunkBytes) {
        writeKey(m_key, value, context, [done](int err, QString text) {
            done(err == QKeychain::NoError ? QString() : keychainError(err, text));
        });
        return;
    }
    // Parts first, the marker last: a failure halfway leaves the previous value readable.
    QList<QByteArray> chunks;
    for (qsizetype i = 0; i < value.size(); i += kChunkBytes)
        chunks.append(value.mid(i, kChunkBytes));
    auto remaining = std::make_shared<int>(int(chunks.size()));
    auto failed = std::make_shared<QString>();
    QPointer<KeychainTokenStore> self(this);
    const int count = int(chunks.size());
    for (int i = 0; i < count; ++i) {
        writeKey(m_key + u'.' + QString::number(i), chunks[i], context,
                 [self, context, done, remaining, failed, count](int err, QString text) {
            if (err != QKeychain::NoError && failed->isEmpty())
                *failed = keychainError(err, text);
            if (--*remaining > 0)
                return;
            if (!failed->isEmpty() || !self)
                return done(failed->isEmpty() ? QStringLiteral("keychain store is gone") : *failed);
            self->writeKey(self->m_key, kChunkMarker + QByteArray::number(count), context, [done](int e, QString t) {
                done(e == QKeychain::NoError ? QString() : keychainError(e, t));
            });
        });
    }
}

void KeychainTokenStore::remove(QObject *context, WriteDone done)
{
    QPointer<KeychainTokenStore> self(this);
    readKey(m_key, context, [self, context, done](int err, QByteArray data, QString text) {
        if (err == QKeychain::EntryNotFound)
            return done(QString());
        if (err != QKeychain::NoError || !self)
            return done(keychainError(err, text));
        const int parts = data.startsWith(kChunkMarker) ? data.mid(kChunkMarker.size()).toInt() : 0;
        for (int i = 0; i < parts; ++i)
            self->deleteKey(self->m_key + u'.' + QString::number(i), context, [](int, QString) { });
        self->deleteKey(self->m_key, context, [done](int e, QString t) {
            done(e == QKeychain::NoError || e == QKeychain::EntryNotFound ? QString() : keychainError(e, t));
        });
    });
}

} // namespace d2a
