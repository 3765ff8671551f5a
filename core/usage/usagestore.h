#pragma once
// Durable usage: one row per request that reached a model (when, model, backend, coding tool, route, status,
// duration, tokens by kind, Factory credits), never any prompt or answer content. SQLite (Qt SQL's QSQLITE) in
// WAL mode, a schema version with migrations (PRAGMA user_version), rows older than the retention deleted.
// Rows are written in batches off the request path: at most one batch (one second) is lost to a crash.

#include "tokens.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qhash.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qobject.h>
#include <QtCore/qstring.h>
#include <QtCore/qthread.h>
#include <QtCore/qtimer.h>

namespace d2a {

struct RequestRecord;

/// One request's usage (or, in the file, the sum of a batch's requests that share model, backend, coding tool,
/// route, status and streaming: `requests` of them).
struct UsageRow
{
    qint64 atMs = 0; ///< UTC, ms since the epoch (of a batch's first request)
    qint64 requests = 1;
    QString model;
    QString backend;
    QString client; ///< the coding tool (clientName)
    QString route;
    QString rule; ///< the routing rule that chose the model ("Save credits / Background calls"); empty: none
    int status = 0;
    qint64 durationMs = 0;
    bool streamed = false;
    TokenCounts tokens;
    double credits = 0; ///< Factory credits: tokens x the model's multiplier (0 when the multiplier is unknown)
};

/// Totals of a group (a model, a coding tool, a day or a backend).
struct UsageTotal
{
    QString key;
    qint64 requests = 0;
    qint64 failed = 0; ///< of the requests, those answered with an error status (400 and above)
    qint64 input = 0;
    qint64 output = 0;
    qint64 cacheRead = 0;
    qint64 cacheWrite = 0;
    qint64 reasoning = 0;
    double credits = 0;
    qint64 tokens() const { return input + output + cacheRead + cacheWrite; }
    /// Adds another group's counts (for totals over groups).
    UsageTotal &operator+=(const UsageTotal &other);
};

/// One model's share of one day (the chart's bars).
struct UsageDay
{
    QDate day; ///< local
    QString model;
    qint64 tokens = 0;
    double credits = 0;
};

/// The coding tool behind a request, from its User-Agent (Claude Code, Codex, Gemini CLI, ...), else the SDK,
/// else "Other" with the API it spoke (the format of its route).
QString clientName(const QString &userAgent, WireFormat api);

/// Credits for `tokens` at a model's multiplier.
double creditsFor(const TokenCounts &tokens, double multiplier);

class UsageWriter;

class UsageStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsageStore)

public:
    enum class Group { Model, Client, Day, Backend, Rule };
    static constexpr int kSchemaVersion = 3;

    explicit UsageStore(QObject *parent = nullptr);
    ~UsageStore() override; ///< writes what is pending

    /// Where the desktop app and the headless proxy keep it: the app data folder's usage.sqlite.
    static QString defaultPath();

    /// Opens (creating or migrating) the database. An error is a sentence for people; the store then records
    /// nothing and queries return nothing.
    QString open(const QString &path, int retentionDays);
    bool isOpen() const { return !m_connection.isEmpty(); }
    QString path() const { return m_path; }
    void setRetentionDays(int days) { m_retentionDays = days; }

    /// Queues a row; written with the next batch.
    void record(const UsageRow &row);
    /// clientName with a cache (a proxy sees few distinct User-Agents).
    QString clientFor(const QString &userAgent, WireFormat api);
    /// Writes the pending rows now (one transaction, on the writer thread) and waits for every write sent before.
    /// Returns false when the write failed.
    bool flush();
    /// Deletes rows older than the retention; returns how many.
    int prune(const QDateTime &now = QDateTime::currentDateTimeUtc());

    QList<UsageTotal> totals(const QDateTime &from, const QDateTime &to, Group group) const;
    QList<UsageDay> daily(const QDateTime &from, const QDateTime &to) const;
    /// GET /usage and `droid2api usage --json`: {from, to, group, rows: [{key, requests, *_tokens, credits}], total}.
    QJsonObject report(const QDateTime &from, const QDateTime &to, Group group) const;
    /// Credits spent since local midnight (from memory: cheap enough for a tray's poll).
    double creditsToday() const;
    /// Requests recorded and not yet written.
    qint64 pendingRows() const;
    /// SQLite's own check of the file (PRAGMA integrity_check says "ok").
    bool integrityOk() const;
    int schemaVersion() const;

    static std::optional<Group> parseGroup(const QString &name);
    static QString groupName(Group group);

Q_SIGNALS:
    /// A batch was written (the Usage window refreshes).
    void written();

private:
    QString migrate(int from);
    bool send(bool wait);
    QString m_connection; ///< the QSqlDatabase connection name ("" when closed)
    QString m_path;
    int m_retentionDays = 90;
    /// The batch: requests alike (model, backend, tool, route, status, streamed) add up into one row, so a busy
    /// second costs a handful of inserts, not one per request.
    QHash<QString, UsageRow> m_pending;
    QHash<QString, QString> m_clients; ///< User-Agent -> coding tool, so each agent's header is matched once
    QTimer m_flushTimer;
    QTimer m_pruneTimer;
    QDate m_todayDate; ///< the local day m_todayCredits counts
    double m_todayCredits = 0;
    QThread m_thread;
    UsageWriter *m_writer = nullptr; ///< lives in m_thread
};

} // namespace d2a
