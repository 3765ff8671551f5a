#pragma once
// One-click client setup: points Claude Code and Codex at this proxy by editing their own config files with
// the smallest change (every other byte kept), after showing the diff; keeps a timestamped backup and records
// what it did, so `disconnect` restores exactly what was there (or, if the user edited the file since, removes
// only droid2api's keys). Cursor, Continue and the OpenAI SDK get printed instructions.

#include "../error.h"

#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>

namespace d2a {

struct ClientSettings
{
    QString baseUrl; ///< e.g. http://127.0.0.1:3000
    QString key; ///< the local access key, or a placeholder when none is set
    QString model; ///< optional model to select
};

/// A change to one file, ready to show and to apply.
struct ClientChange
{
    QString client;
    QString path;
    bool existed = false;
    QString before;
    QString after;
    QString diff; ///< empty when nothing changes
    bool removeFile = false; ///< disconnect of a file droid2api created: delete it
};

class ClientSetup final
{
public:
    /// claude-code, codex (files), cursor, continue, openai-sdk (instructions).
    static QStringList clients();
    static bool writesFile(const QString &client);
    /// The file the client reads, under `home` (default: the user's home).
    static QString configPath(const QString &client, const QString &home = {});
    /// How to connect clients droid2api does not configure itself.
    static QString instructions(const QString &client, const ClientSettings &s);
    /// What a client is given: droid2api's URL and its local access key, or a placeholder when none is set
    /// (clients insist on some key).
    static ClientSettings settingsFor(const QString &baseUrl, const QString &accessKey, const QString &model = {});

    explicit ClientSetup(QString home = {}, QString stateDir = {});

    /// What `connect` would write; errors name the file (unreadable, not valid JSON/TOML: never touched).
    Result<ClientChange> planConnect(const QString &client, const ClientSettings &s) const;
    /// Writes the change atomically after a timestamped backup of the old file; records it for disconnect.
    Result<QString> apply(const ClientChange &change) const;
    /// What `disconnect` would write: the exact old bytes when the file is as droid2api left it, else the file
    /// without droid2api's keys (with the values they replaced).
    Result<ClientChange> planDisconnect(const QString &client) const;
    /// Applies a disconnect plan and forgets the record.
    Result<QString> applyDisconnect(const ClientChange &change) const;

private:
    QString statePath() const;
    QString m_home;
    QString m_stateDir;
};

} // namespace d2a
