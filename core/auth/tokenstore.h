#pragma once
// Where secrets live: the OS keychain (QtKeychain: macOS Keychain, Windows Credential Manager, Secret Service
// on Linux) or, where no keychain exists, a file only the user can read. Never QSettings, never the config.

#include <QtCore/qobject.h>
#include <QtCore/qstring.h>

#include <QtCore/qlist.h>

#include <functional>
#include <optional>

namespace QKeychain {
class Job;
}

namespace d2a {

class TokenStore : public QObject
{
    Q_OBJECT

public:
    /// `value` is nullopt with an empty `error` when nothing is stored.
    using ReadDone = std::function<void(std::optional<QByteArray> value, const QString &error)>;
    /// `error` is empty on success.
    using WriteDone = std::function<void(const QString &error)>;

    using QObject::QObject;
    /// Reads the blob. `done` runs later, in the event loop, unless `context` is gone.
    virtual void read(QObject *context, ReadDone done) = 0;
    virtual void write(const QByteArray &value, QObject *context, WriteDone done) = 0;
    virtual void remove(QObject *context, WriteDone done) = 0;
    /// "keychain" or "file".
    virtual QString kind() const = 0;
    /// Where the secret is, for people (never the secret).
    virtual QString location() const = 0;
    /// A problem people should know about (e.g. the keychain is unreachable and a file is used); empty if none.
    virtual QString warning() const { return {}; }

Q_SIGNALS:
    /// A copy newer than the one last read or written turned up (a keychain that came back); the owner decides.
    void newerValueFound(const QByteArray &value);
    /// kind(), location() or warning() changed.
    void changed();
};

/// A JSON file written atomically with mode 0600, for machines without a keychain.
class FileTokenStore final : public TokenStore
{
    Q_OBJECT

public:
    explicit FileTokenStore(QString path, QObject *parent = nullptr);
    static QString defaultPath();
    void read(QObject *context, ReadDone done) override;
    void write(const QByteArray &value, QObject *context, WriteDone done) override;
    void remove(QObject *context, WriteDone done) override;
    QString kind() const override { return QStringLiteral("file"); }
    QString location() const override { return m_path; }

private:
    QString m_path;
};

/// The OS keychain through QtKeychain, under the service name "droid2api".
/// Platform note: Windows Credential Manager holds at most ~2.5 KB per credential, so values above 2000 bytes
/// are stored in numbered chunks on every platform (one code path, tested here on Secret Service). Chunks are
/// written under a new generation first and the main entry (a small pointer) switches to them last, so a reader
/// sees either the whole old value or the whole new one; the old chunks are deleted afterwards.
class KeychainTokenStore final : public TokenStore
{
    Q_OBJECT

public:
    explicit KeychainTokenStore(QString service = QStringLiteral("droid2api"),
                                QString key = QStringLiteral("credentials"), QObject *parent = nullptr);
    void read(QObject *context, ReadDone done) override;
    void write(const QByteArray &value, QObject *context, WriteDone done) override;
    void remove(QObject *context, WriteDone done) override;
    QString kind() const override { return QStringLiteral("keychain"); }
    QString location() const override;

    static constexpr int kChunkBytes = 2000;
    /// Tests: writes of entries for which `fault` returns true fail as the keychain would (nothing is written).
    void setWriteFault(std::function<bool(const QString &key)> fault) { m_fault = std::move(fault); }

private:
    struct Pointer
    {
        QString generation; ///< empty: the legacy layout (key.0, key.1, ...)
        int chunks = 0; ///< 0: the value is in the main entry
    };
    static Pointer parsePointer(const QByteArray &main);
    QString chunkKey(const QString &generation, int index) const;
    void runJob(std::function<QKeychain::Job *()> make, QObject *context, std::function<void(QKeychain::Job *)> done,
                bool retried = false);
    void readKey(const QString &key, QObject *context,
                 std::function<void(int error, QByteArray data, QString text)> done);
    void writeKey(const QString &key, const QByteArray &data, QObject *context,
                  std::function<void(int error, QString text)> done);
    void writeChunks(QList<QByteArray> chunks, int index, QString generation, QObject *context,
                     std::function<void(QString error)> done);
    void readChunks(int index, Pointer pointer, QByteArray acc, QObject *context, ReadDone done);
    void deleteKey(const QString &key, QObject *context, std::function<void(int error, QString text)> done);
    void deleteChunks(const Pointer &pointer, QObject *context);
    QString m_service;
    QString m_key;
    std::function<bool(const QString &)> m_fault;
};

/// token_store "auto": the OS keychain, and a 0600 file only while the keychain cannot be used. A rotated
/// refresh token is never lost, whatever the order in which the two become available:
/// - at start the keychain is retried with backoff (while a session bus exists) before the file is used;
/// - both are read and the newest copy wins (`newer`); a newer file copy moves into the keychain and the file
///   is removed;
/// - a keychain write that fails goes to the file, and the keychain is retried in the background; when it
///   answers again, the newest copy moves back into it (or, if the keychain's is newer, newerValueFound()).
class AutoTokenStore final : public TokenStore
{
    Q_OBJECT

public:
    using Newer = std::function<bool(const QByteArray &candidate, const QByteArray &than)>;
    AutoTokenStore(TokenStore *keychain, TokenStore *file, Newer newer, QObject *parent = nullptr);
    /// Waits between keychain attempts at start (default 250 ms doubling to 4 s, about 8 s in all, where a
    /// session bus exists); then the background retry's first and longest wait.
    void setRetries(QList<int> startupMs, int backgroundFirstMs, int backgroundMaxMs);

    void read(QObject *context, ReadDone done) override;
    void write(const QByteArray &value, QObject *context, WriteDone done) override;
    void remove(QObject *context, WriteDone done) override;
    QString kind() const override { return current()->kind(); }
    QString location() const override { return current()->location(); }
    QString warning() const override { return m_warning; }
    bool usingFile() const { return m_usingFile; }

Q_SIGNALS:
    /// A keychain read failed and will be tried again in `ms` (tests and logs).
    void retrying(int attempt, int ms);

private:
    TokenStore *current() const { return m_usingFile ? m_file : m_keychain; }
    void attempt(int index, QObject *context, ReadDone done);
    void fallBack(const QString &why);
    void scheduleBackground();
    void backgroundAttempt();
    void moveIntoKeychain(const QByteArray &value, std::function<void(QString error)> done);
    TokenStore *m_keychain;
    TokenStore *m_file;
    Newer m_newer;
    QList<int> m_startupMs;
    int m_backgroundFirstMs = 2000;
    int m_backgroundMaxMs = 300000;
    int m_backgroundDelayMs = 0;
    bool m_usingFile = false;
    bool m_backgroundPending = false;
    std::optional<QByteArray> m_last; ///< the value last read or written
    QString m_warning;
};

} // namespace d2a
