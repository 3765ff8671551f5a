#pragma once
// Durable usage: one row per request that reached a model (when, model, backend, coding tool, route, status,
// duration, tokens by kind, Factory credits), never any prompt or answer content. SQLite (Qt SQL's QSQLITE) in
// WAL mode, a schema version with migrations (PRAGMA user_version), rows older than the retention deleted.
// Rows are written in batches off the request path: at most one batch (one second) is lost to a crash. Writes and
// reads run on a thread of the store's own; answers come back to the asker's thread, so no event loop waits on SQLite.

#include "tokens.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qhash.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qmap.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qstring.h>
#include <QtCore/qthread.h>
#include <QtCore/qtimer.h>

#include <functional>
#include <optional>

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

/// Recording, and every read, happen off the caller's thread: the proxy serves requests on its event loop (the
/// GUI thread in the desktop app), so a query is asked with query() and answered later on the asker's thread.
class UsageStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsageStore)

public:
    enum class Group { Model, Client, Day, Backend, Rule };
    static constexpr int kSchemaVersion = 3;

    /// What to read for one range [from, to).
    struct Query
    {
        QDateTime from;
        QDateTime to;
        QList<Group> groups; ///< totals per each of these
        bool daily = false; ///< each day's tokens and credits per model (the chart)
        bool check = false; ///< SQLite's integrity check and the schema version (slow on a big file)
    };
    /// The answer to a Query.
    struct Answer
    {
        QDateTime from;
        QDateTime to;
        QMap<Group, QList<UsageTotal>> totals; ///< per group asked for, each ordered as report() lists it
        QList<UsageDay> days;
        bool integrityOk = false; ///< PRAGMA integrity_check said "ok" (with `check`)
        int schemaVersion = 0; ///< PRAGMA user_version (with `check`)
    };

    explicit UsageStore(QObject *parent = nullptr);
    ~UsageStore() override; ///< writes what is pending (waits for the writer thread)

    /// Where the desktop app and the headless proxy keep it: the app data folder's usage.sqlite.
    static QString defaultPath();

    /// Opens (creating or migrating) the database on the writer thread and returns at once; opened() tells how it
    /// went. Requests recorded meanwhile are kept and written once it is open, and queries wait for it. An error
    /// is a sentence for people; the store then records nothing and queries answer nothing.
    void openInBackground(const QString &path, int retentionDays);
    /// The same, waiting for the open: only where nothing is served (the usage command, tests).
    QString open(const QString &path, int retentionDays);
    /// Recording: open, or being opened.
    bool isOpen() const { return m_state != State::Closed; }
    QString path() const { return m_path; }
    void setRetentionDays(int days) { m_retentionDays = days; }

    /// Queues a row; written with the next batch.
    void record(const UsageRow &row);
    /// clientName with a cache (a proxy sees few distinct User-Agents).
    QString clientFor(const QString &userAgent, WireFormat api);
    /// Hands the pending rows to the writer thread now (one transaction there) without waiting: a batch ends here.
    void writePending() { send(false); }
    /// Writes the pending rows now and waits for every write sent before. Blocks the caller: only where nothing
    /// is served (shutdown, the usage command, tests). Returns false when the write failed.
    bool flush();
    /// Deletes rows older than the retention on the writer thread (pruned() tells how many); returns at once.
    void prune(const QDateTime &now = QDateTime::currentDateTimeUtc());

    /// Reads on the writer thread, after writing what is pending (so the answer counts every request recorded
    /// before it was asked), and calls `done` on the caller's thread when the answer is there: never from
    /// within query(), never once `context` (an object of this store's thread) is gone. A closed store answers
    /// nothing (empty totals) alike, later.
    void query(const Query &query, QObject *context, std::function<void(const Answer &)> done);

    /// GET /usage and `droid2api usage --json`: {from, to, group, recording, rows: [{key, requests, *_tokens,
    /// credits}], total} from an answer that holds `group`.
    QJsonObject report(const Answer &answer, Group group) const;
    /// Credits spent since local midnight (from memory: cheap enough for a tray's poll).
    double creditsToday() const;
    /// Requests recorded and not yet written.
    qint64 pendingRows() const;

    /// For tests: runs on the writer thread at the start of every query (to hold the writer busy).
    void setQueryHookForTests(std::function<void()> hook);

    static std::optional<Group> parseGroup(const QString &name);
    static QString groupName(Group group);

Q_SIGNALS:
    /// The open asked for finished: `error` is empty when the store records, else the reason it does not.
    void opened(const QString &error);
    /// A batch was written (the Usage window refreshes).
    void written();
    /// A prune finished: `removed` requests were older than the retention.
    void pruned(int removed);

private:
    struct Asked
    {
        QPointer<QObject> context;
        std::function<void(const Answer &)> done;
    };
    enum class State { Closed, Opening, Open };
    void startOpening(const QString &path, int retentionDays);
    void finishOpening(const QString &error, double todayCredits);
    bool send(bool wait);
    void answer(quint64 id, const Answer &answer);
    QString m_path;
    int m_retentionDays = 90;
    /// The batch: requests alike (model, backend, tool, route, status, streamed) add up into one row, so a busy
    /// second costs a handful of inserts, not one per request.
    QHash<QString, UsageRow> m_pending;
    QHash<QString, QString> m_clients; ///< User-Agent -> coding tool, so each agent's header is matched once
    QHash<quint64, Asked> m_asked; ///< queries not yet answered, by id
    quint64 m_lastId = 0;
    QTimer m_flushTimer;
    QTimer m_pruneTimer;
    QDate m_todayDate; ///< the local day m_todayCredits counts
    qint64 m_todayFromMs = 0; ///< that day's bounds in UTC ms, so a row of today is known without a time zone
    qint64 m_todayToMs = 0; ///< lookup (glibc reads /etc/localtime's status for each local time)
    double m_todayCredits = 0;
    QThread m_thread;
    State m_state = State::Closed;
    UsageWriter *m_writer = nullptr; ///< lives in m_thread; made by the first open, kept until the store goes
};

} // namespace d2a
