#pragma once
// Factory's droid CLI sign-in store, read and written as the CLI 0.225 does (FACTORY-CLI.md §6):
//   auth.v2.file + auth.v2.key        the key in a file (keyring disabled or unavailable)
//   auth.v2.keyring                   the key in the OS keyring (service "Factory CLI", account
//                                     "auth-encryption-key"; Linux: the Secret Service)
//   auth.json                         older CLIs, plain JSON (read only)
// in ~/.factory or $FACTORY_HOME_OVERRIDE. A v2 file is base64(iv):base64(tag):base64(ciphertext), AES-256-GCM
// (OpenSSL), the plaintext JSON {access_token, refresh_token, active_organization_id?, whoami?}. Writes take the
// CLI's lock (a directory auth.v2.write.lock holding owner.json {token, pid}), go to a temporary file, fsync
// and rename, so the CLI and droid2api can share one sign-in: refresh tokens rotate, and whoever refreshes
// writes the new pair back.

#include "../error.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qobject.h>
#include <QtCore/qstring.h>
#include <QtCore/qtimer.h>

#include <functional>

namespace d2a {

struct DroidCliSession
{
    QString accessToken;
    QString refreshToken;
    QString organizationId; ///< active_organization_id
    QJsonObject plaintext; ///< the whole decrypted JSON (members droid2api does not use are written back as read)
    QString source; ///< "keyring-v2", "keyfile-v2" or "auth.json"
};

namespace droidcli {
/// AES-256-GCM with a random 16-byte IV and no associated data, in the CLI's text form.
Result<QByteArray> encrypt(const QByteArray &plaintext, const QByteArray &key);
Result<QByteArray> decrypt(const QByteArray &text, const QByteArray &key);
/// ~/.factory, or $FACTORY_HOME_OVERRIDE.
QString defaultDir();
} // namespace droidcli

/// The CLI's write lock: mkdir a pending directory holding owner.json, rename it onto auth.v2.write.lock.
/// A lock whose owner process is gone, or an owner-less one older than 10 s, is reclaimed.
class DroidCliLock
{
public:
    explicit DroidCliLock(QString dir);
    ~DroidCliLock();
    /// One attempt; false when another live process holds it.
    bool tryAcquire();
    void release();
    bool held() const { return m_held; }

private:
    bool reclaimIfStale();
    QString m_dir;
    QByteArray m_token;
    bool m_held = false;
};

class DroidCliStore final : public QObject
{
    Q_OBJECT

public:
    explicit DroidCliStore(QString dir = QString(), QObject *parent = nullptr);
    QString dir() const { return m_dir; }

    /// Reads the newest sign-in the CLI keeps (keyring first, as the CLI, then the key file, then auth.json).
    /// The keyring lookup runs off the event loop. Errors name the file and the problem.
    void read(QObject *context, std::function<void(Result<DroidCliSession>)> done);

    /// Writes `session`'s tokens into the store they were read from, with the same key, keeping the other
    /// members of the file's JSON. Waits for the CLI's lock (polling every 15 ms, at most 12 s, as the CLI).
    /// auth.json is never written (the CLI no longer reads it).
    void write(const DroidCliSession &session, QObject *context, std::function<void(const QString &error)> done);

    /// The lock timeout (tests shorten it).
    void setLockTimeoutMs(int ms) { m_lockTimeoutMs = ms; }

private:
    QString path(const char *name) const;
    Result<DroidCliSession> readWithKey(const QString &file, const QByteArray &key, const QString &source);
    QString writeLocked(const DroidCliSession &session);

    QString m_dir;
    QByteArray m_key; ///< the key of the file last read
    QString m_source;
    int m_lockTimeoutMs = 12000;
};

} // namespace d2a
