#pragma once
// Where secrets live: the OS keychain (QtKeychain: macOS Keychain, Windows Credential Manager, Secret Service
// on Linux) or, where no keychain exists, a file only the user can read. Never QSettings, never the config.

#include <QtCore/qobject.h>
#include <QtCore/qstring.h>

#include <functional>
#include <optional>

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
/// are stored in numbered chunks on every platform (one code path, tested here on Secret Service).
class KeychainTokenStore final : public TokenStore
{
    Q_OBJECT

public:
    explicit KeychainTokenStore(QString service = QStringLiteral("droid2api"), QString key = QStringLiteral("credentials"),
                                QObject *parent = nullptr);
    void read(QObject *context, ReadDone done) override;
    void write(const QByteArray &value, QObject *context, WriteDone done) override;
    void remove(QObject *context, WriteDone done) override;
    QString kind() const override { return QStringLiteral("keychain"); }
    QString location() const override;

    static constexpr int kChunkBytes = 2000;

private:
    void readKey(const QString &key, QObject *context, std::function<void(int error, QByteArray data, QString text)> done);
    void writeKey(const QString &key, const QByteArray &data, QObject *context, std::function<void(int error, QString text)> done);
    void readChunks(int index, int count, QByteArray acc, QObject *context, ReadDone done);
    void deleteKey(const QString &key, QObject *context, std::function<void(int error, QString text)> done);
    QString m_service;
    QString m_key;
};

} // namespace d2a
