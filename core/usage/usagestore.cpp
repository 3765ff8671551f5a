#include "usagestore.h"

#include "../formats/registry.h"
#include "../log/log.h"
#include "../text.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qstandardpaths.h>
#include <QtCore/quuid.h>
#include <QtSql/qsqldatabase.h>
#include <QtSql/qsqlerror.h>
#include <QtSql/qsqlquery.h>

namespace d2a {

namespace {

constexpr int kBatchMs = 1000;

QString addConnection(const QString &path, QString *error)
{
    const QString name = QStringLiteral("usage-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    if (!db.isValid()) {
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        *error = UsageText::tr("usage is not recorded: Qt's SQLite driver is missing (install libqt6sql6-sqlite)");
        return {};
    }
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        const QString why = db.lastError().text();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        *error = UsageText::tr("usage is not recorded: cannot open %1: %2").arg(QDir::toNativeSeparators(path), why);
        return {};
    }
    QSqlQuery q(db);
    q.exec(QStringLiteral("PRAGMA synchronous=NORMAL")); // WAL: a crash loses at most the last commit, never the file
    q.exec(QStringLiteral("PRAGMA cache_size=-512")); // 512 KiB: the rows are small and read in sums
    return name;
}

void removeConnection(QString &name)
{
    if (name.isEmpty())
        return;
    QSqlDatabase::database(name, false).close();
    QSqlDatabase::removeDatabase(std::exchange(name, QString()));
}

/// Brings the file at `connection` from schema version `from` to UsageStore::kSchemaVersion; an error is SQLite's.
QString migrate(const QString &connection, int from)
{
    QSqlDatabase db = QSqlDatabase::database(connection);
    QSqlQuery q(db);
    // Another droid2api (the desktop app and a headless one, or `droid2api usage`) may upgrade the same file at
    // this moment: take the write lock first, then read the version again under it.
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return q.lastError().text();
    if (q.exec(QStringLiteral("PRAGMA user_version")) && q.next())
        from = q.value(0).toInt();
    if (from >= UsageStore::kSchemaVersion) {
        q.exec(QStringLiteral("COMMIT"));
        return {};
    }
    QStringList steps;
    if (from < 1) // version 1: the first schema
        steps << QStringLiteral(
            "CREATE TABLE requests (at_ms INTEGER NOT NULL, model TEXT NOT NULL, backend TEXT NOT NULL, "
            "status INTEGER NOT NULL, input INTEGER NOT NULL DEFAULT 0, output INTEGER NOT NULL DEFAULT 0)")
              << QStringLiteral("CREATE INDEX requests_at ON requests(at_ms)");
    if (from < 2) // version 2: requests per row, the coding tool, route, timing, cache and reasoning tokens, credits
        steps << QStringLiteral("ALTER TABLE requests ADD COLUMN requests INTEGER NOT NULL DEFAULT 1")
              << QStringLiteral("ALTER TABLE requests ADD COLUMN client TEXT NOT NULL DEFAULT ''")
              << QStringLiteral("ALTER TABLE requests ADD COLUMN route TEXT NOT NULL DEFAULT ''")
              << QStringLiteral("ALTER TABLE requests ADD COLUMN duration_ms INTEGER NOT NULL DEFAULT 0")
              << QStringLiteral("ALTER TABLE requests ADD COLUMN streamed INTEGER NOT NULL DEFAULT 0")
              << QStringLiteral("ALTER TABLE requests ADD COLUMN cache_read INTEGER NOT NULL DEFAULT 0")
              << QStringLiteral("ALTER TABLE requests ADD COLUMN cache_write INTEGER NOT NULL DEFAULT 0")
              << QStringLiteral("ALTER TABLE requests ADD COLUMN reasoning INTEGER NOT NULL DEFAULT 0")
              << QStringLiteral("ALTER TABLE requests ADD COLUMN credits REAL NOT NULL DEFAULT 0");
    if (from < 3) // version 3: the routing rule that chose the model
        steps << QStringLiteral("ALTER TABLE requests ADD COLUMN rule TEXT NOT NULL DEFAULT ''");
    steps << QStringLiteral("PRAGMA user_version = %1").arg(UsageStore::kSchemaVersion);
    for (const QString &step : std::as_const(steps))
        if (!q.exec(step)) {
            const QString why = q.lastError().text();
            q.exec(QStringLiteral("ROLLBACK"));
            return why;
        }
    if (!q.exec(QStringLiteral("COMMIT")))
        return q.lastError().text();
    if (from > 0)
        qCInfo(lcUsage).noquote() << "usage database migrated from version" << from << "to"
                                  << UsageStore::kSchemaVersion;
    return {};
}

} // namespace

/// Writes batches on a thread of its own with its own connection (a Qt SQL connection belongs to one thread),
/// so a commit or a WAL checkpoint never holds up the event loop that serves requests.
class UsageWriter final : public QObject
{
    Q_OBJECT

public:
    struct Opened
    {
        QString error; ///< empty: open
        double todayCredits = 0; ///< credits already in the file for the local day `day`
    };
    /// Opens the file (creating or migrating it) on this thread. On an error the writer stays closed: writes,
    /// prunes and queries then do nothing.
    Opened open(const QString &path, const QDate &day)
    {
        Opened out;
        QDir().mkpath(QFileInfo(path).absolutePath());
        m_connection = addConnection(path, &out.error);
        if (m_connection.isEmpty())
            return out;
        QFile::setPermissions(path,
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner); // which tools you use is yours alone
        {
            QSqlQuery q(QSqlDatabase::database(m_connection));
            q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
            int version = 0;
            if (q.exec(QStringLiteral("PRAGMA user_version")) && q.next())
                version = q.value(0).toInt();
            if (version > UsageStore::kSchemaVersion)
                out.error = UsageText::tr("usage is not recorded: %1 was written by a newer droid2api")
                                .arg(QDir::toNativeSeparators(path));
            else if (const QString why =
                         version < UsageStore::kSchemaVersion ? migrate(m_connection, version) : QString();
                     !why.isEmpty())
                out.error = UsageText::tr("usage is not recorded: cannot prepare %1: %2")
                                .arg(QDir::toNativeSeparators(path), why);
        }
        if (!out.error.isEmpty()) {
            removeConnection(m_connection);
            return out;
        }
        const QDateTime midnight(day, QTime(0, 0));
        for (const UsageTotal &t : totals(m_connection, midnight, midnight.addDays(1), UsageStore::Group::Backend))
            out.todayCredits += t.credits;
        return out;
    }
    void close() { removeConnection(m_connection); }

    bool write(const QList<UsageRow> &rows)
    {
        if (m_connection.isEmpty()) // the open failed: the store drops these rows
            return false;
        QSqlDatabase db = QSqlDatabase::database(m_connection);
        if (!db.transaction()) {
            qCWarning(lcUsage).noquote() << "cannot write usage:" << db.lastError().text();
            return false;
        }
        QSqlQuery q(db);
        q.prepare(QStringLiteral(
            "INSERT INTO requests (at_ms, model, backend, status, input, output, client, route, duration_ms, "
            "streamed, cache_read, cache_write, reasoning, credits, requests, rule) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
        auto text = [](const QString &t) { return t.isNull() ? QStringLiteral("") : t; }; // NOT NULL columns
        for (const UsageRow &r : rows) {
            const QVariantList values { r.atMs,
                                        text(r.model),
                                        text(r.backend),
                                        r.status,
                                        r.tokens.input,
                                        r.tokens.output,
                                        text(r.client),
                                        text(r.route),
                                        r.durationMs,
                                        int(r.streamed),
                                        r.tokens.cacheRead,
                                        r.tokens.cacheWrite,
                                        r.tokens.reasoning,
                                        r.credits,
                                        r.requests,
                                        text(r.rule) };
            for (int i = 0; i < values.size(); ++i)
                q.bindValue(i, values.at(i));
            if (!q.exec()) {
                qCWarning(lcUsage).noquote() << "cannot write usage:" << q.lastError().text();
                db.rollback();
                return false;
            }
        }
        if (!db.commit()) {
            qCWarning(lcUsage).noquote() << "cannot write usage:" << db.lastError().text();
            db.rollback();
            return false;
        }
        Q_EMIT written();
        return true;
    }

    int prune(qint64 cutoffMs)
    {
        if (m_connection.isEmpty())
            return 0;
        QSqlQuery q(QSqlDatabase::database(m_connection));
        q.prepare(QStringLiteral("DELETE FROM requests WHERE at_ms < ?"));
        q.addBindValue(cutoffMs);
        return q.exec() ? q.numRowsAffected() : 0;
    }

    UsageStore::Answer run(const UsageStore::Query &query)
    {
        if (m_hook)
            m_hook();
        UsageStore::Answer a;
        a.from = query.from;
        a.to = query.to;
        for (const UsageStore::Group g : query.groups)
            a.totals.insert(g, m_connection.isEmpty() ? QList<UsageTotal>()
                                                      : totals(m_connection, query.from, query.to, g));
        if (m_connection.isEmpty()) // the open failed: nothing to read
            return a;
        if (query.daily)
            a.days = daily(query.from, query.to);
        if (query.check) {
            QSqlQuery q(QSqlDatabase::database(m_connection));
            a.integrityOk =
                q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next() && q.value(0).toString() == u"ok";
            a.schemaVersion = q.exec(QStringLiteral("PRAGMA user_version")) && q.next() ? q.value(0).toInt() : 0;
        }
        return a;
    }

    static QList<UsageTotal> totals(const QString &connection, const QDateTime &from, const QDateTime &to,
                                    UsageStore::Group group)
    {
        using Group = UsageStore::Group;
        QList<UsageTotal> out;
        const QString key = group == Group::Model     ? QStringLiteral("model")
                            : group == Group::Client  ? QStringLiteral("client")
                            : group == Group::Backend ? QStringLiteral("backend")
                            : group == Group::Rule    ? QStringLiteral("rule")
                                                      : QStringLiteral("date(at_ms / 1000, 'unixepoch', 'localtime')");
        QSqlQuery q(QSqlDatabase::database(connection));
        q.prepare(QStringLiteral("SELECT %1 AS k, SUM(requests), SUM(input), SUM(output), SUM(cache_read), "
                                 "SUM(cache_write), SUM(reasoning), "
                                 "SUM(credits), SUM(CASE WHEN status >= 400 THEN requests ELSE 0 END) "
                                 "FROM requests WHERE at_ms >= ? AND at_ms < ? GROUP BY k ORDER BY %2")
                      .arg(key, group == Group::Day ? QStringLiteral("k") : QStringLiteral("SUM(credits) DESC, k")));
        q.addBindValue(from.toMSecsSinceEpoch());
        q.addBindValue(to.toMSecsSinceEpoch());
        if (!q.exec())
            return out;
        while (q.next()) {
            UsageTotal t;
            t.key = q.value(0).toString();
            t.requests = q.value(1).toLongLong();
            t.input = q.value(2).toLongLong();
            t.output = q.value(3).toLongLong();
            t.cacheRead = q.value(4).toLongLong();
            t.cacheWrite = q.value(5).toLongLong();
            t.reasoning = q.value(6).toLongLong();
            t.credits = q.value(7).toDouble();
            t.failed = q.value(8).toLongLong();
            out.append(t);
        }
        return out;
    }

    void setHook(std::function<void()> hook) { m_hook = std::move(hook); }

Q_SIGNALS:
    void written();
    void pruned(int removed);

private:
    QList<UsageDay> daily(const QDateTime &from, const QDateTime &to) const
    {
        QList<UsageDay> out;
        QSqlQuery q(QSqlDatabase::database(m_connection));
        q.prepare(QStringLiteral("SELECT date(at_ms / 1000, 'unixepoch', 'localtime') AS d, model, "
                                 "SUM(input + output + cache_read + cache_write), SUM(credits) FROM requests "
                                 "WHERE at_ms >= ? AND at_ms < ? GROUP BY d, model ORDER BY d, model"));
        q.addBindValue(from.toMSecsSinceEpoch());
        q.addBindValue(to.toMSecsSinceEpoch());
        if (!q.exec())
            return out;
        while (q.next())
            out.append({ QDate::fromString(q.value(0).toString(), Qt::ISODate), q.value(1).toString(),
                         q.value(2).toLongLong(), q.value(3).toDouble() });
        return out;
    }

    QString m_connection;
    std::function<void()> m_hook; ///< setQueryHookForTests
};

QString clientName(const QString &userAgent, WireFormat api)
{
    struct Known
    {
        const char *needle;
        const char *name;
    };
    // Coding tools first: several also carry their SDK's name.
    static const Known known[] = {
        { "claude-cli", "Claude Code" },
        { "claude-code", "Claude Code" },
        { "codex", "Codex" },
        { "geminicli", "Gemini CLI" },
        { "gemini-cli", "Gemini CLI" },
        { "qwencode", "Qwen Code" },
        { "qwen-code", "Qwen Code" },
        { "opencode", "opencode" },
        { "cursor", "Cursor" },
        { "continue", "Continue" },
        { "droid2api", "droid2api" },
        { "openai/", "OpenAI SDK" },
        { "anthropic/", "Anthropic SDK" },
        { "google-genai", "Google GenAI SDK" },
        { "genai-js", "Google GenAI SDK" },
    };
    const QString ua = userAgent.toLower();
    for (const Known &k : known)
        if (ua.contains(QLatin1StringView(k.needle)))
            return QString::fromLatin1(k.name);
    return QStringLiteral("Other (%1)").arg(QLatin1StringView(formatSpec(api).usageName));
}

UsageTotal &UsageTotal::operator+=(const UsageTotal &other)
{
    requests += other.requests;
    failed += other.failed;
    input += other.input;
    output += other.output;
    cacheRead += other.cacheRead;
    cacheWrite += other.cacheWrite;
    reasoning += other.reasoning;
    credits += other.credits;
    return *this;
}

double creditsFor(const TokenCounts &tokens, double multiplier)
{
    return double(tokens.total()) * multiplier;
}

UsageStore::UsageStore(QObject *parent) : QObject(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kBatchMs);
    connect(&m_flushTimer, &QTimer::timeout, this, [this] { send(false); });
    m_pruneTimer.setInterval(6 * 3600 * 1000);
    connect(&m_pruneTimer, &QTimer::timeout, this, [this] { prune(); });
}

UsageStore::~UsageStore()
{
    flush(); // nothing is served any more: waiting here is what keeps the last batch
    if (m_writer) {
        QMetaObject::invokeMethod(
            m_writer, [w = m_writer] { w->close(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        delete m_writer;
    }
    // Answers the writer posted that were not delivered yet go with this object (Qt drops its posted events).
}

QString UsageStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/usage.sqlite");
}

void UsageStore::startOpening(const QString &path, int retentionDays)
{
    m_path = path;
    m_retentionDays = retentionDays;
    m_state = State::Opening; // rows recorded meanwhile wait in the batch; the writer opens the file first
    m_todayDate = QDate::currentDate();
    m_todayFromMs = m_todayToMs = 0; // found again by the first row
    m_todayCredits = 0;
    if (m_writer)
        return; // a failed open left its thread running: it opens again
    // Writes and reads happen on their own thread, with its own connection (WAL lets other readers in beside it).
    m_writer = new UsageWriter;
    m_writer->moveToThread(&m_thread);
    connect(m_writer, &UsageWriter::written, this, &UsageStore::written);
    connect(m_writer, &UsageWriter::pruned, this, &UsageStore::pruned);
    m_thread.setObjectName(QStringLiteral("usage writer"));
    m_thread.start(QThread::LowPriority);
}

void UsageStore::openInBackground(const QString &path, int retentionDays)
{
    startOpening(path, retentionDays);
    // The store outlives the writer thread (its destructor waits for it), so the writer may post to it.
    QMetaObject::invokeMethod(
        m_writer,
        [w = m_writer, store = this, path, day = m_todayDate] {
        const UsageWriter::Opened opened = w->open(path, day);
        QMetaObject::invokeMethod(
            store, [store, opened] { store->finishOpening(opened.error, opened.todayCredits); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

QString UsageStore::open(const QString &path, int retentionDays)
{
    startOpening(path, retentionDays);
    UsageWriter::Opened opened;
    QMetaObject::invokeMethod(
        m_writer, [w = m_writer, &opened, &path, day = m_todayDate] { opened = w->open(path, day); },
        Qt::BlockingQueuedConnection);
    finishOpening(opened.error, opened.todayCredits);
    return opened.error;
}

void UsageStore::finishOpening(const QString &error, double todayCredits)
{
    if (!error.isEmpty()) {
        m_state = State::Closed;
        m_pending.clear(); // nowhere to write them
        m_flushTimer.stop();
        m_todayCredits = 0;
    } else {
        m_state = State::Open;
        if (m_todayDate == QDate::currentDate())
            m_todayCredits += todayCredits;
        prune();
        m_pruneTimer.start();
    }
    Q_EMIT opened(error);
}

QString UsageStore::clientFor(const QString &userAgent, WireFormat api)
{
    if (!userAgent.isEmpty()) {
        auto it = m_clients.constFind(userAgent);
        if (it != m_clients.constEnd())
            return *it;
    }
    const QString name = clientName(userAgent, api);
    if (!userAgent.isEmpty() && !name.startsWith(u"Other")) { // "Other" depends on the route
        if (m_clients.size() > 256)
            m_clients.clear();
        m_clients.insert(userAgent, name);
    }
    return name;
}

void UsageStore::record(const UsageRow &row)
{
    if (m_state == State::Closed)
        return;
    const QString key = row.model + u'\x1f' + row.backend + u'\x1f' + row.client + u'\x1f' + row.route + u'\x1f'
                        + row.rule + u'\x1f' + QString::number(row.status) + (row.streamed ? u's' : u'w');
    auto it = m_pending.find(key);
    if (it == m_pending.end()) {
        m_pending.insert(key, row);
    } else {
        it->requests += row.requests;
        it->durationMs += row.durationMs;
        it->tokens += row.tokens;
        it->credits += row.credits;
    }
    if (row.atMs < m_todayFromMs || row.atMs >= m_todayToMs) { // not the day counted (or none yet): which is it?
        const QDate day = QDateTime::fromMSecsSinceEpoch(row.atMs).date();
        if (day == QDate::currentDate()) {
            if (day != m_todayDate)
                m_todayCredits = 0;
            m_todayDate = day;
            m_todayFromMs = QDateTime(day, QTime(0, 0)).toMSecsSinceEpoch();
            m_todayToMs = QDateTime(day.addDays(1), QTime(0, 0)).toMSecsSinceEpoch();
        }
    }
    if (row.atMs >= m_todayFromMs && row.atMs < m_todayToMs)
        m_todayCredits += row.credits;
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

qint64 UsageStore::pendingRows() const
{
    qint64 n = 0;
    for (const UsageRow &r : m_pending)
        n += r.requests;
    return n;
}

bool UsageStore::send(bool wait)
{
    m_flushTimer.stop();
    if (m_state == State::Closed)
        return true;
    bool ok = true;
    if (!m_pending.isEmpty()) {
        const QList<UsageRow> rows = m_pending.values();
        m_pending.clear();
        if (wait)
            QMetaObject::invokeMethod(
                m_writer, [w = m_writer, rows, &ok] { ok = w->write(rows); }, Qt::BlockingQueuedConnection);
        else
            QMetaObject::invokeMethod(
                m_writer, [w = m_writer, rows] { w->write(rows); }, Qt::QueuedConnection);
    } else if (wait) {
        QMetaObject::invokeMethod(
            m_writer, [] {}, Qt::BlockingQueuedConnection); // what was sent before is written
    }
    return ok;
}

bool UsageStore::flush()
{
    return send(true);
}

void UsageStore::prune(const QDateTime &now)
{
    if (m_state != State::Open)
        return;
    send(false); // rows recorded before are pruned alike
    const qint64 cutoff = now.addDays(-m_retentionDays).toMSecsSinceEpoch();
    QMetaObject::invokeMethod(
        m_writer,
        [w = m_writer, cutoff, days = m_retentionDays] {
        const int removed = w->prune(cutoff);
        if (removed > 0)
            qCInfo(lcUsage).noquote() << "usage older than" << days << "days removed:" << removed << "requests";
        Q_EMIT w->pruned(removed);
        },
        Qt::QueuedConnection);
}

void UsageStore::query(const Query &query, QObject *context, std::function<void(const Answer &)> done)
{
    Q_ASSERT(context && context->thread() == thread());
    const quint64 id = ++m_lastId;
    m_asked.insert(id, { context, std::move(done) });
    if (m_state == State::Closed) { // nothing to read, answered alike from the event loop
        Answer none;
        none.from = query.from;
        none.to = query.to;
        for (const Group g : query.groups)
            none.totals.insert(g, {});
        QMetaObject::invokeMethod(
            this, [this, id, none] { answer(id, none); }, Qt::QueuedConnection);
        return;
    }
    send(false); // the writer writes the batch first: the answer counts every request recorded before it was asked
    // The store outlives the writer thread (its destructor waits for it), so the writer may post to it.
    QMetaObject::invokeMethod(
        m_writer,
        [w = m_writer, store = this, id, query] {
        Answer a = w->run(query);
        QMetaObject::invokeMethod(
            store, [store, id, a = std::move(a)] { store->answer(id, a); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void UsageStore::answer(quint64 id, const Answer &answer)
{
    const Asked asked = m_asked.take(id);
    if (asked.context && asked.done)
        asked.done(answer);
}

void UsageStore::setQueryHookForTests(std::function<void()> hook)
{
    if (m_writer) // set on the writer's own thread, before the next query it runs
        QMetaObject::invokeMethod(
            m_writer, [w = m_writer, hook = std::move(hook)] { w->setHook(hook); }, Qt::QueuedConnection);
}

std::optional<UsageStore::Group> UsageStore::parseGroup(const QString &name)
{
    if (name == u"model")
        return Group::Model;
    if (name == u"client")
        return Group::Client;
    if (name == u"day")
        return Group::Day;
    if (name == u"backend")
        return Group::Backend;
    if (name == u"rule")
        return Group::Rule;
    return std::nullopt;
}

QString UsageStore::groupName(Group group)
{
    switch (group) {
    case Group::Model: return QStringLiteral("model");
    case Group::Client: return QStringLiteral("client");
    case Group::Day: return QStringLiteral("day");
    case Group::Backend: return QStringLiteral("backend");
    case Group::Rule: return QStringLiteral("rule");
    }
    return {};
}

QJsonObject UsageStore::report(const Answer &answer, Group group) const
{
    auto json = [](const UsageTotal &t) {
        return QJsonObject { { QStringLiteral("key"), t.key },
                             { QStringLiteral("requests"), double(t.requests) },
                             { QStringLiteral("input_tokens"), double(t.input) },
                             { QStringLiteral("output_tokens"), double(t.output) },
                             { QStringLiteral("cache_read_tokens"), double(t.cacheRead) },
                             { QStringLiteral("cache_write_tokens"), double(t.cacheWrite) },
                             { QStringLiteral("reasoning_tokens"), double(t.reasoning) },
                             { QStringLiteral("credits"), t.credits } };
    };
    QJsonArray rows;
    UsageTotal total;
    total.key = QStringLiteral("total");
    for (const UsageTotal &t : answer.totals.value(group)) {
        rows.append(json(t));
        total += t;
    }
    QJsonObject t = json(total);
    t.remove(QStringLiteral("key"));
    return { { QStringLiteral("from"), answer.from.toUTC().toString(Qt::ISODate) },
             { QStringLiteral("to"), answer.to.toUTC().toString(Qt::ISODate) },
             { QStringLiteral("group"), groupName(group) },
             { QStringLiteral("recording"), isOpen() },
             { QStringLiteral("rows"), rows },
             { QStringLiteral("total"), t } };
}

double UsageStore::creditsToday() const
{
    // Kept in memory (the tray asks every few seconds: no query, no wait for the writer).
    return m_todayDate == QDate::currentDate() ? m_todayCredits : 0;
}

} // namespace d2a

#include "usagestore.moc"
