// Usage recording: what each format's upstream reports is counted (streamed or whole, passed through or
// translated, a cut stream up to the cut), it lands in SQLite and survives a restart and a kill -9, old rows go,
// old databases migrate, and GET /usage and `droid2api usage` report the same numbers.
#include "support/proxyfixture.h"
#include "server/routes.h"
#include "support/testhome.h"
#include "usage/usagestore.h"

#include <QtCore/qfile.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qprocess.h>
#include <QtCore/qscopeguard.h>
#include <QtCore/qsemaphore.h>
#include <QtCore/qtemporarydir.h>
#include <QtSql/qsqldatabase.h>
#include <QtSql/qsqlquery.h>
#include <QtTest/qsignalspy.h>
#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

#include <csignal>

using namespace d2a;

class TestUsage : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    ProxyFixture m_f;

    static QDateTime longAgo() { return QDateTime::currentDateTimeUtc().addDays(-1); }
    static QDateTime later() { return QDateTime::currentDateTimeUtc().addDays(1); }

    /// The store's answer to `query`, waited for (the store answers from its own thread).
    static UsageStore::Answer ask(UsageStore *store, const UsageStore::Query &query)
    {
        UsageStore::Answer answer;
        bool answered = false;
        QObject context;
        store->query(query, &context, [&](const UsageStore::Answer &a) {
            answer = a;
            answered = true;
        });
        QTest::qVerify(QTest::qWaitFor([&] { return answered; }, 10000), "answered", "the store answers", __FILE__,
                       __LINE__);
        return answer;
    }

    static QList<UsageTotal> totals(UsageStore *store, const QDateTime &from, const QDateTime &to,
                                    UsageStore::Group group)
    {
        return ask(store, { from, to, { group } }).totals.value(group);
    }

    UsageTotal totalFor(const QString &model) const
    {
        for (const UsageTotal &t : totals(m_f.proxy->usage(), longAgo(), later(), UsageStore::Group::Model))
            if (t.key == model)
                return t;
        return {};
    }

    /// GET /usage's total requests.
    static int reportedRequests(const RecordedCall &rc)
    {
        return rc.json().value(QStringLiteral("total")).toObject().value(QStringLiteral("requests")).toInt();
    }

    /// Gives the SQLite file at `path` a schema version no droid2api knows yet.
    static bool markAsFromANewerVersion(const QString &path)
    {
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("newer"));
            db.setDatabaseName(path);
            ok = db.open() && QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version = 99"));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("newer"));
        return ok;
    }

    static void removeDatabase()
    {
        for (const char *suffix : { "", "-wal", "-shm" })
            QFile::remove(UsageStore::defaultPath() + QLatin1StringView(suffix));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        useTemporaryHome(m_home.path());
        QCoreApplication::setApplicationName(QStringLiteral("droid2api")); // the same usage.sqlite as the app's
    }

    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); // an unexpected warning is a failure
        removeDatabase();
        QVERIFY(m_f.up());
        Config c = m_f.config();
        ModelConfig cut;
        cut.id = QStringLiteral("cut-opus");
        cut.type = ModelType::Anthropic;
        cut.credits = 2;
        c.models.append(cut);
        ModelConfig think; // the fake's thinking answers report cache reads and reasoning
        think.id = QStringLiteral("think-terra");
        think.type = ModelType::OpenAI;
        think.credits = 1;
        c.models.append(think);
        QVERIFY(m_f.startProxy(c));
    }

    void cleanup()
    {
        m_f.proxy.reset();
        m_f.fake.reset();
    }

    void clientNames_data()
    {
        QTest::addColumn<QString>("agent");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");
        QTest::newRow("Claude Code") << "claude-cli/2.1.3 (external, cli)"
                                     << "/v1/messages"
                                     << "Claude Code";
        QTest::newRow("Codex") << "codex_cli_rs/0.63.0 (Debian 12; x86_64) xterm"
                               << "/v1/responses"
                               << "Codex";
        QTest::newRow("Gemini CLI") << "GeminiCLI/0.18.0 (linux; x64)"
                                    << "/v1beta/models/x:generateContent"
                                    << "Gemini CLI";
        QTest::newRow("Qwen Code") << "QwenCode/0.2.0 (linux; x64)"
                                   << "/v1/chat/completions"
                                   << "Qwen Code";
        QTest::newRow("OpenAI SDK") << "OpenAI/JS 6.9.1"
                                    << "/v1/chat/completions"
                                    << "OpenAI SDK";
        QTest::newRow("Anthropic SDK") << "Anthropic/Python 0.75.0"
                                       << "/v1/messages"
                                       << "Anthropic SDK";
        QTest::newRow("unknown") << "curl/7.88.1"
                                 << "/v1/responses"
                                 << "Other (OpenAI Responses)";
    }

    void clientNames()
    {
        QFETCH(QString, agent);
        QFETCH(QString, path);
        QFETCH(QString, expected);
        QCOMPARE(clientName(agent, RouteTable::instance().formatFor(path)), expected);
    }

    /// Each format's upstream, whole and streamed, passed through and translated: its usage fields counted.
    void recordsEachFormat_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("model");
        QTest::addColumn<qint64>("output");
        QTest::addColumn<double>("multiplier");
        const QByteArray msg = R"("messages":[{"role":"user","content":"hi"}])";
        QTest::newRow("anthropic whole") << "/v1/messages"
                                         << QByteArray(R"({"model":"claude-sonnet-4-6","max_tokens":50,)" + msg + "}")
                                         << "claude-sonnet-4-6" << qint64(6) << 1.2;
        QTest::newRow("anthropic stream")
            << "/v1/messages"
            << QByteArray(R"({"model":"claude-sonnet-4-6","max_tokens":50,"stream":true,)" + msg + "}")
            << "claude-sonnet-4-6" << qint64(3) << 1.2;
        QTest::newRow("responses whole") << "/v1/responses" << QByteArray(R"({"model":"gpt-5.6-terra","input":"hi"})")
                                         << "gpt-5.6-terra" << qint64(6) << 0.8;
        QTest::newRow("responses stream")
            << "/v1/responses" << QByteArray(R"({"model":"gpt-5.6-terra","input":"hi","stream":true})")
            << "gpt-5.6-terra" << qint64(3) << 0.8;
        QTest::newRow("chat whole") << "/v1/chat/completions" << QByteArray(R"({"model":"glm-5.3",)" + msg + "}")
                                    << "glm-5.3" << qint64(6) << 0.56;
        QTest::newRow("chat stream") << "/v1/chat/completions"
                                     << QByteArray(R"({"model":"glm-5.3","stream":true,)" + msg + "}") << "glm-5.3"
                                     << qint64(3) << 0.56;
        QTest::newRow("gemini whole") << "/v1beta/models/gemini-3.5-flash:generateContent"
                                      << QByteArray(R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})")
                                      << "gemini-3.5-flash" << qint64(3)
                                      << 0.6; // Factory's Gemini route always streams: the fake's stream
        QTest::newRow("gemini stream") << "/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse"
                                       << QByteArray(R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})")
                                       << "gemini-3.5-flash" << qint64(3) << 0.6;
        QTest::newRow("chat client, anthropic model, stream")
            << "/v1/chat/completions" << QByteArray(R"({"model":"claude-sonnet-4-6","stream":true,)" + msg + "}")
            << "claude-sonnet-4-6" << qint64(3) << 1.2;
        QTest::newRow("anthropic client, responses model")
            << "/v1/messages" << QByteArray(R"({"model":"gpt-5.6-terra","max_tokens":50,)" + msg + "}")
            << "gpt-5.6-terra" << qint64(6) << 0.8;
    }

    void recordsEachFormat()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(QString, model);
        QFETCH(qint64, output);
        QFETCH(double, multiplier);
        RecordedCall rc;
        QVERIFY(
            m_f.call(rc, "POST", path, body,
                     { { "content-type", "application/json" }, { "user-agent", "claude-cli/2.1.3 (external, cli)" } }));
        QCOMPARE(rc.status, 200);
        const UsageTotal t = totalFor(model);
        QCOMPARE(t.requests, qint64(1));
        QCOMPARE(t.input, qint64(12)); // every fake answer reports 12 input tokens
        QCOMPARE(t.output, output);
        QCOMPARE(t.credits, double(12 + output) * multiplier);
        const auto clients = totals(m_f.proxy->usage(), longAgo(), later(), UsageStore::Group::Client);
        QCOMPARE(clients.size(), 1);
        QCOMPARE(clients.first().key, QStringLiteral("Claude Code"));
    }

    void cachedAndReasoningTokens()
    {
        // The fake's thinking models report cache reads and reasoning: OpenAI counts cached tokens inside the
        // input, so they are taken out of it.
        RecordedCall rc;
        QVERIFY(m_f.call(rc, "POST", QStringLiteral("/v1/responses"),
                         R"({"model":"think-terra","input":"hi","stream":true})",
                         { { "content-type", "application/json" } }));
        QCOMPARE(rc.status, 200);
        const UsageTotal t = totalFor(QStringLiteral("think-terra"));
        QCOMPARE(t.requests, qint64(1));
        QVERIFY2(t.cacheRead > 0 && t.reasoning > 0,
                 qPrintable(QStringLiteral("cache %1, reasoning %2").arg(t.cacheRead).arg(t.reasoning)));
        QCOMPARE(t.input + t.cacheRead, qint64(35));
    }

    void aCutStreamCountsWhatWasDelivered()
    {
        RecordedCall rc;
        QVERIFY(m_f.call(
            rc, "POST", QStringLiteral("/v1/messages"),
            R"({"model":"cut-opus","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]})",
            { { "content-type", "application/json" } }));
        const UsageTotal t = totalFor(QStringLiteral("cut-opus"));
        QCOMPARE(t.requests, qint64(1));
        QCOMPARE(t.input, qint64(12)); // message_start arrived: its counts
        QCOMPARE(t.output, qint64(1)); // and nothing the cut stream never delivered
    }

    void nothingButCountsIsStored()
    {
        RecordedCall rc;
        QVERIFY(m_f.call(
            rc, "POST", QStringLiteral("/v1/messages"),
            R"({"model":"claude-sonnet-4-6","max_tokens":50,"messages":[{"role":"user","content":"SECRET-PROMPT-42"}]})",
            { { "content-type", "application/json" } }));
        QVERIFY(m_f.proxy->usage()->flush());
        m_f.proxy.reset(); // closes the database
        for (const char *suffix : { "", "-wal" }) {
            QFile f(UsageStore::defaultPath() + QLatin1StringView(suffix));
            if (!f.open(QIODevice::ReadOnly))
                continue;
            const QByteArray bytes = f.readAll();
            QVERIFY(!bytes.contains("SECRET-PROMPT-42"));
            QVERIFY(!bytes.contains("Lorem")); // the fake's answer words
        }
        QCOMPARE(QFile::permissions(UsageStore::defaultPath()) & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions());
    }

    void survivesARestart()
    {
        RecordedCall rc;
        QVERIFY(m_f.call(rc, "POST", QStringLiteral("/v1/chat/completions"),
                         R"({"model":"glm-5.3","messages":[{"role":"user","content":"hi"}]})",
                         { { "content-type", "application/json" } }));
        QCOMPARE(m_f.proxy->usage()->pendingRows(), qint64(1)); // batched, not written on the request path
        m_f.proxy.reset(); // a clean quit writes the batch
        QVERIFY(m_f.startProxy(m_f.config()));
        QCOMPARE(totalFor(QStringLiteral("glm-5.3")).requests, qint64(1));
    }

    void tokenCountsAreNotUsage()
    {
        // A count generates nothing: it is answered (here by the upstream's counter) but never recorded.
        RecordedCall count;
        QVERIFY(m_f.call(count, "POST", QStringLiteral("/v1/messages/count_tokens"),
                         R"({"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}]})",
                         { { "content-type", "application/json" } }));
        QCOMPARE(count.status, 200);
        RecordedCall turn;
        QVERIFY(m_f.call(turn, "POST", QStringLiteral("/v1/messages"),
                         R"({"model":"claude-sonnet-4-6","max_tokens":50,"messages":[{"role":"user","content":"hi"}]})",
                         { { "content-type", "application/json" } }));
        QCOMPARE(turn.status, 200);
        QCOMPARE(totalFor(QStringLiteral("claude-sonnet-4-6")).requests, qint64(1));
    }

    void groupedByRoutingRule()
    {
        // Requests a routing rule chose count under the rule's name, the others under "".
        Config c = m_f.config();
        RoutingPreset mine;
        mine.name = QStringLiteral("Mine");
        RouteRule tools;
        tools.name = QStringLiteral("tool turns");
        tools.tools = QStringLiteral("any");
        tools.target = QStringLiteral("glm-5.3");
        mine.rules << tools;
        c.routing.presets = { mine };
        c.routing.preset = QStringLiteral("Mine");
        m_f.proxy->setConfig(c);
        const QByteArray withTool =
            R"({"model":"glm-5.3","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]})";
        const QByteArray plain = R"({"model":"glm-5.3","messages":[{"role":"user","content":"hi"}]})";
        for (const QByteArray &body : { withTool, withTool, plain }) {
            RecordedCall rc;
            QVERIFY(m_f.call(rc, "POST", QStringLiteral("/v1/chat/completions"), body,
                             { { "content-type", "application/json" } }));
            QCOMPARE(rc.status, 200);
        }
        RecordedCall byRule;
        QVERIFY(m_f.call(byRule, "GET", QStringLiteral("/usage?group=rule"), {}));
        QCOMPARE(byRule.status, 200);
        QMap<QString, int> requests;
        for (const QJsonValue &row : byRule.json().value(QStringLiteral("rows")).toArray())
            requests.insert(row.toObject().value(QStringLiteral("key")).toString(),
                            row.toObject().value(QStringLiteral("requests")).toInt());
        QCOMPARE(requests, (QMap<QString, int> { { QStringLiteral("Mine / tool turns"), 2 }, { QString(), 1 } }));
    }

    void endpointReportsAndNeedsTheKey()
    {
        RecordedCall rc;
        QVERIFY(m_f.call(rc, "POST", QStringLiteral("/v1/chat/completions"),
                         R"({"model":"glm-5.3","messages":[{"role":"user","content":"hi"}]})",
                         { { "content-type", "application/json" }, { "user-agent", "OpenAI/JS 6.9.1" } }));
        RecordedCall byClient;
        QVERIFY(m_f.call(byClient, "GET", QStringLiteral("/usage?group=client"), {}));
        QCOMPARE(byClient.status, 200);
        const QJsonObject o = QJsonDocument::fromJson(byClient.body).object();
        QCOMPARE(o.value(QStringLiteral("group")).toString(), QStringLiteral("client"));
        QCOMPARE(o.value(QStringLiteral("rows")).toArray().first().toObject().value(QStringLiteral("key")).toString(),
                 QStringLiteral("OpenAI SDK"));
        QCOMPARE(o.value(QStringLiteral("total")).toObject().value(QStringLiteral("input_tokens")).toInt(), 12);
        QCOMPARE(o.value(QStringLiteral("total")).toObject().value(QStringLiteral("output_tokens")).toInt(), 6);
        RecordedCall ranged;
        QVERIFY(m_f.call(ranged, "GET", QStringLiteral("/usage?from=2020-01-01&to=2020-01-31"), {}));
        QCOMPARE(QJsonDocument::fromJson(ranged.body)
                     .object()
                     .value(QStringLiteral("total"))
                     .toObject()
                     .value(QStringLiteral("requests"))
                     .toInt(),
                 0);
        // ISO date-times keep their time of day.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        RecordedCall around;
        QVERIFY(m_f.call(around, "GET",
                         QStringLiteral("/usage?from=%1&to=%2")
                             .arg(now.addSecs(-3600).toString(Qt::ISODate), now.addSecs(3600).toString(Qt::ISODate)),
                         {}));
        QCOMPARE(around.json().value(QStringLiteral("total")).toObject().value(QStringLiteral("requests")).toInt(), 1);
        RecordedCall later;
        QVERIFY(
            m_f.call(later, "GET", QStringLiteral("/usage?from=%1").arg(now.addSecs(600).toString(Qt::ISODate)), {}));
        QCOMPARE(later.json().value(QStringLiteral("total")).toObject().value(QStringLiteral("requests")).toInt(), 0);
        RecordedCall bad;
        QVERIFY(m_f.call(bad, "GET", QStringLiteral("/usage?group=week"), {}));
        QCOMPARE(bad.status, 400);
        // With an access key set, /usage needs it.
        Config c = m_f.config();
        c.accessKey = QStringLiteral("local-usage-key-1234");
        m_f.proxy->setConfig(c);
        RecordedCall refused;
        QVERIFY(m_f.call(refused, "GET", QStringLiteral("/usage"), {}));
        QCOMPARE(refused.status, 401);
        RecordedCall allowed;
        QVERIFY(m_f.call(allowed, "GET", QStringLiteral("/usage"), {},
                         { { "authorization", "Bearer local-usage-key-1234" } }));
        QCOMPARE(allowed.status, 200);
    }

    /// GET /usage is read on the store's thread: while that thread is held busy, the proxy answers other requests,
    /// and the usage answer, once it comes, counts exactly the requests that ended before it was asked.
    void usageIsReadWithoutHoldingTheEventLoop()
    {
        const QByteArray body = R"({"model":"glm-5.3","messages":[{"role":"user","content":"hi"}]})";
        for (int i = 0; i < 2; ++i) {
            RecordedCall rc;
            QVERIFY(m_f.call(rc, "POST", QStringLiteral("/v1/chat/completions"), body,
                             { { "content-type", "application/json" } }));
            QCOMPARE(rc.status, 200);
        }
        QCOMPARE(m_f.proxy->usage()->pendingRows(), qint64(2)); // not written yet: the query writes them first
        auto entered = std::make_shared<QSemaphore>();
        auto gate = std::make_shared<QSemaphore>();
        auto letGo = qScopeGuard([gate] { gate->release(1000); }); // never leave the writer held
        m_f.proxy->usage()->setQueryHookForTests([entered, gate] {
            entered->release();
            gate->acquire();
        });
        RecordedCall report;
        startCall(*m_f.client, report, "GET", m_f.url(QStringLiteral("/usage")), {}, {}, m_f.clock);
        QVERIFY(QTest::qWaitFor([&] { return entered->tryAcquire(); }, 10000)); // the store's thread is in the query
        RecordedCall other; // served meanwhile: a request through the proxy, and the status page
        QVERIFY(m_f.call(other, "POST", QStringLiteral("/v1/chat/completions"), body,
                         { { "content-type", "application/json" } }));
        QCOMPARE(other.status, 200);
        RecordedCall info;
        QVERIFY(m_f.call(info, "GET", QStringLiteral("/"), {}));
        QCOMPARE(info.status, 200);
        QVERIFY(!report.done()); // the store's thread is still held: the event loop served without it
        m_f.proxy->usage()->setQueryHookForTests({}); // runs on the writer after the held query
        gate->release();
        QVERIFY(QTest::qWaitFor([&] { return report.done(); }, 10000));
        QCOMPARE(report.status, 200);
        QCOMPARE(reportedRequests(report), 2); // not the one that ended after it was asked
        RecordedCall next;
        QVERIFY(m_f.call(next, "GET", QStringLiteral("/usage"), {}));
        QCOMPARE(reportedRequests(next), 3);
    }

    /// Recording switched on while the proxy serves (as Apply in Settings does), with another program holding
    /// the file's lock: the database is opened on the store's thread, so requests are answered while the open
    /// waits, and they are counted once it is done.
    void usageIsOpenedWithoutHoldingTheEventLoop()
    {
        m_f.proxy.reset();
        removeDatabase();
        Config c = m_f.config();
        c.usageRecording = false;
        QVERIFY(m_f.startProxy(c));
        QVERIFY(!m_f.proxy->usage()->isOpen());
        QSqlDatabase holder = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("holder"));
        auto dropHolder = qScopeGuard([&holder] {
            holder.close();
            holder = QSqlDatabase();
            QSqlDatabase::removeDatabase(QStringLiteral("holder"));
        });
        holder.setDatabaseName(UsageStore::defaultPath());
        QVERIFY(holder.open());
        QSqlQuery lock(holder);
        QVERIFY(lock.exec(QStringLiteral("BEGIN EXCLUSIVE"))); // as `droid2api usage` or a second droid2api may
        QSignalSpy opened(m_f.proxy->usage(), &UsageStore::opened);
        c.usageRecording = true;
        m_f.proxy->setConfig(c);
        QVERIFY(m_f.proxy->usage()->isOpen()); // recording from now on, while the file is being opened
        const QByteArray body = R"({"model":"glm-5.3","messages":[{"role":"user","content":"hi"}]})";
        RecordedCall chat; // served while the open waits for the lock
        QVERIFY(m_f.call(chat, "POST", QStringLiteral("/v1/chat/completions"), body,
                         { { "content-type", "application/json" } }));
        QCOMPARE(chat.status, 200);
        RecordedCall info;
        QVERIFY(m_f.call(info, "GET", QStringLiteral("/"), {}));
        QCOMPARE(info.status, 200);
        QCOMPARE(opened.size(), 0); // the lock is still held: the open has not finished
        QVERIFY(lock.exec(QStringLiteral("COMMIT")));
        QVERIFY(opened.wait(10000));
        QCOMPARE(opened.first().first().toString(), QString());
        RecordedCall report;
        QVERIFY(m_f.call(report, "GET", QStringLiteral("/usage"), {}));
        QCOMPARE(reportedRequests(report), 1); // the request served during the open was kept and written
        QCOMPARE(report.json().value(QStringLiteral("recording")).toBool(), true);
    }

    /// An open that fails in the background (a file from a newer droid2api) says why once, drops what was recorded
    /// while it ran, and leaves the store answering nothing.
    void aFailedOpenInTheBackgroundRecordsNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("newer.sqlite"));
        QVERIFY(markAsFromANewerVersion(path));
        UsageStore store;
        QSignalSpy opened(&store, &UsageStore::opened);
        store.openInBackground(path, 90);
        UsageRow r;
        r.atMs = QDateTime::currentDateTimeUtc().toMSecsSinceEpoch();
        r.model = QStringLiteral("glm-5.3");
        r.credits = 3;
        store.record(r);
        QCOMPARE(store.pendingRows(), qint64(1));
        QVERIFY(opened.wait(10000));
        QVERIFY(opened.first().first().toString().contains(QStringLiteral("newer droid2api")));
        QVERIFY(!store.isOpen());
        QCOMPARE(store.pendingRows(), qint64(0));
        QCOMPARE(store.creditsToday(), 0.0);
        QVERIFY(totals(&store, longAgo(), later(), UsageStore::Group::Model).isEmpty());
        QVERIFY(store.flush());
        QCOMPARE(opened.size(), 1);
    }

    /// A client that leaves while its usage is read, and a shutdown while another is read: the answers find no one
    /// to write to, and nothing breaks (run under ASan too).
    void usageAnswersOutliveNeitherClientNorShutdown()
    {
        auto entered = std::make_shared<QSemaphore>();
        auto gate = std::make_shared<QSemaphore>();
        auto letGo = qScopeGuard([gate] { gate->release(1000); });
        m_f.proxy->usage()->setQueryHookForTests([entered, gate] {
            entered->release();
            gate->acquire();
        });
        QSignalSpy finished(m_f.proxy.get(), &ProxyService::requestFinished);
        {
            std::unique_ptr<QTcpSocket> s = m_f.raw();
            s->write("GET /usage HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            QVERIFY(QTest::qWaitFor([&] { return entered->tryAcquire(); }, 10000));
            s->abort();
        }
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 10000)); // the exchange is over
        QCOMPARE(finished.first().first().value<RequestRecord>().clientAborted, true);
        gate->release(2); // the query nobody waits for any more goes on, and the next one passes at once
        // The next query is answered after that one (the store's thread runs them in turn).
        RecordedCall report;
        QVERIFY(m_f.call(report, "GET", QStringLiteral("/usage"), {}));
        QCOMPARE(report.status, 200);
        QVERIFY(entered->tryAcquire()); // it passed the hook too
        // Shut down while a query is held: the store waits for its thread, the answer goes with the exchange.
        RecordedCall cut;
        startCall(*m_f.client, cut, "GET", m_f.url(QStringLiteral("/usage")), {}, {}, m_f.clock);
        QVERIFY(QTest::qWaitFor([&] { return entered->tryAcquire(); }, 10000));
        gate->release(); // the writer may finish now; the event loop does not turn before the proxy is gone
        m_f.proxy.reset();
        QVERIFY(QTest::qWaitFor([&] { return cut.done(); }, 10000));
        QVERIFY(cut.status != 200);
    }

    void planLimitsFromFactory()
    {
        // A headless proxy asks Factory only when usage is asked for (GET /usage); quietly absent when Factory has
        // no such call.
        QCOMPARE(m_f.fake->limitsCalls, 0);
        QSignalSpy first(m_f.proxy.get(), &ProxyService::limitsChanged);
        RecordedCall ask;
        QVERIFY(m_f.call(ask, "GET", QStringLiteral("/usage"), {}));
        QTRY_COMPARE(first.count(), 1);
        QCOMPARE(m_f.fake->limitsCalls, 1);
        QVERIFY(m_f.proxy->planLimits().has_value());
        QCOMPARE(m_f.proxy->planLimits()->used, 8100000.0);
        QCOMPARE(m_f.proxy->planLimits()->limit, 10000000.0);
        QCOMPARE(m_f.proxy->planLimits()->resetsAt, QDateTime(QDate(2026, 12, 1), QTime(0, 0), Qt::UTC));
        QCOMPARE(m_f.fake->accountCalls.last().header("authorization"),
                 QByteArray("Bearer ") + m_f.factoryKey.toUtf8());
        RecordedCall report;
        QVERIFY(m_f.call(report, "GET", QStringLiteral("/usage"), {}));
        QCOMPARE(
            report.json().value(QStringLiteral("limits")).toObject().value(QStringLiteral("share_used")).toDouble(),
            0.81);
        QSignalSpy changed(m_f.proxy.get(), &ProxyService::limitsChanged);
        // A passing error keeps the last reading; no such endpoint (404) means no limits.
        m_f.fake->limitsStatus = 500;
        m_f.proxy->refreshLimits();
        QTRY_COMPARE(changed.count(), 1);
        QVERIFY(m_f.proxy->planLimits().has_value());
        m_f.fake->limitsStatus = 404;
        m_f.proxy->refreshLimits();
        QTRY_COMPARE(changed.count(), 2);
        QVERIFY(!m_f.proxy->planLimits().has_value());
        RecordedCall without;
        QVERIFY(m_f.call(without, "GET", QStringLiteral("/usage"), {}));
        QCOMPARE(without.status, 200);
        QVERIFY(!without.json().contains(QStringLiteral("limits")));
    }

    void planLimitsShapes_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<double>("used");
        QTest::addColumn<double>("limit");
        QTest::newRow("nested") << QByteArray(R"({"plan":"pro","limits":{"standard":{"used":5,"limit":20}}})") << 5.0
                                << 20.0;
        QTest::newRow("remaining") << QByteArray(R"({"tokenLimit":100,"remainingTokens":30})") << 70.0 << 100.0;
        QTest::newRow("in an array") << QByteArray(R"({"periods":[{"usage":1,"allowance":4}]})") << 1.0 << 4.0;
        QTest::newRow("no limit") << QByteArray(R"({"plan":"free","used":3})") << -1.0 << -1.0;
    }

    void planLimitsShapes()
    {
        QFETCH(QByteArray, body);
        QFETCH(double, used);
        QFETCH(double, limit);
        const auto p = PlanLimits::fromJson(QJsonDocument::fromJson(body).object());
        QCOMPARE(p.has_value(), limit > 0);
        if (p) {
            QCOMPARE(p->used, used);
            QCOMPARE(p->limit, limit);
        }
    }

    void commandLineReportsTheSameNumbers()
    {
        const QString bin = qEnvironmentVariable("DROID2API_BIN");
        QVERIFY2(!bin.isEmpty(), "DROID2API_BIN is set by CTest");
        RecordedCall rc;
        QVERIFY(
            m_f.call(rc, "POST", QStringLiteral("/v1/messages"),
                     R"({"model":"claude-sonnet-4-6","max_tokens":50,"messages":[{"role":"user","content":"hi"}]})",
                     { { "content-type", "application/json" }, { "user-agent", "claude-cli/2.1.3 (external, cli)" } }));
        QVERIFY(m_f.proxy->usage()->flush()); // droid2api runs on while the command reads
        auto run = [&bin](const QStringList &args, int *exitCode) {
            QProcess p;
            p.start(bin, args);
            p.waitForFinished(20000);
            *exitCode = p.exitCode();
            return p.readAllStandardOutput();
        };
        int code = -1;
        const QJsonObject json =
            QJsonDocument::fromJson(run({ QStringLiteral("usage"), QStringLiteral("--json") }, &code)).object();
        QCOMPARE(code, 0);
        QCOMPARE(json.value(QStringLiteral("total")).toObject().value(QStringLiteral("requests")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("total")).toObject().value(QStringLiteral("input_tokens")).toInt(), 12);
        QCOMPARE(
            json.value(QStringLiteral("by_model")).toArray().first().toObject().value(QStringLiteral("key")).toString(),
            QStringLiteral("claude-sonnet-4-6"));
        QCOMPARE(json.value(QStringLiteral("by_client"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("key"))
                     .toString(),
                 QStringLiteral("Claude Code"));
        QCOMPARE(json.value(QStringLiteral("by_day")).toArray().size(), 1);
        const QByteArray text = run({ QStringLiteral("usage"), QStringLiteral("--days"), QStringLiteral("7") }, &code);
        QCOMPARE(code, 0);
        QVERIFY2(text.contains("claude-sonnet-4-6") && text.contains("Claude Code") && text.contains("By day:"),
                 text.constData());
        run({ QStringLiteral("usage"), QStringLiteral("--days"), QStringLiteral("0") }, &code);
        QCOMPARE(code, 2);
        m_f.proxy.reset();
        removeDatabase();
        run({ QStringLiteral("usage") }, &code);
        QCOMPARE(code, 1); // nothing recorded yet
    }

    void retentionPrunes()
    {
        QTemporaryDir dir;
        UsageStore store;
        QSignalSpy pruned(&store, &UsageStore::pruned);
        QCOMPARE(store.open(dir.filePath(QStringLiteral("u.sqlite")), 10), QString());
        UsageRow old;
        old.atMs = QDateTime::currentDateTimeUtc().addDays(-20).toMSecsSinceEpoch();
        old.model = QStringLiteral("old");
        UsageRow recent = old;
        recent.atMs = QDateTime::currentDateTimeUtc().addDays(-1).toMSecsSinceEpoch();
        recent.model = QStringLiteral("recent");
        store.record(old);
        store.record(recent);
        store.prune(); // returns at once: the writer thread prunes
        const auto rows =
            totals(&store, QDateTime::currentDateTimeUtc().addYears(-1), later(), UsageStore::Group::Model);
        QCOMPARE(pruned.size(), 2); // at the opening (nothing), then this one: answered before the query
        QCOMPARE(pruned.at(0).first().toInt(), 0);
        QCOMPARE(pruned.at(1).first().toInt(), 1);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().key, QStringLiteral("recent"));
    }

    /// The tray's "today": credits of rows from local midnight on, those already in the file and those recorded
    /// since, never yesterday's.
    void creditsTodayCountsOnlyToday()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("u.sqlite"));
        const qint64 midnight = QDateTime(QDate::currentDate(), QTime(0, 0)).toMSecsSinceEpoch();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        auto row = [](qint64 atMs, double credits) {
            UsageRow r;
            r.atMs = atMs;
            r.model = QStringLiteral("glm-5.3");
            r.credits = credits;
            return r;
        };
        {
            UsageStore store;
            QCOMPARE(store.open(path, 90), QString());
            store.record(row(midnight - 1, 100)); // the last millisecond of yesterday
            QVERIFY(store.flush()); // a batch's rows alike are one row at its first request's time
            store.record(row(midnight, 7)); // the first of today
            QCOMPARE(store.creditsToday(), 7.0);
            QVERIFY(store.flush());
        }
        UsageStore store;
        QCOMPARE(store.open(path, 90), QString());
        QCOMPARE(store.creditsToday(), 7.0); // read back from the file
        store.record(row(now, 2));
        store.record(row(midnight - 3600 * 1000, 50));
        QCOMPARE(store.creditsToday(), 9.0);
    }

    void migratesOldDatabases()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("u.sqlite"));
        {
            // A version-1 database, as the first schema wrote it.
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral(
                "CREATE TABLE requests (at_ms INTEGER NOT NULL, model TEXT NOT NULL, backend TEXT NOT NULL, "
                "status INTEGER NOT NULL, input INTEGER NOT NULL DEFAULT 0, output INTEGER NOT NULL DEFAULT 0)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO requests VALUES (%1, 'glm-5.3', 'factory', 200, 100, 20)")
                               .arg(QDateTime::currentDateTimeUtc().addSecs(-60).toMSecsSinceEpoch())));
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 1")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));
        {
            UsageStore store;
            QCOMPARE(store.open(path, 90), QString());
            UsageStore::Query check { longAgo(), later(), { UsageStore::Group::Model } };
            check.check = true;
            QCOMPARE(ask(&store, check).schemaVersion, UsageStore::kSchemaVersion);
            const auto rows = totals(&store, longAgo(), later(), UsageStore::Group::Model);
            QCOMPARE(rows.size(), 1);
            QCOMPARE(rows.first().input, qint64(100)); // the old rows are kept
            UsageRow r;
            r.atMs = QDateTime::currentDateTimeUtc().toMSecsSinceEpoch();
            r.model = QStringLiteral("glm-5.3");
            r.client = QStringLiteral("Codex");
            r.tokens.input = 1;
            store.record(r);
            const UsageStore::Answer after = ask(&store, check);
            QCOMPARE(after.totals.value(UsageStore::Group::Model).value(0).requests, qint64(2));
            QVERIFY(after.integrityOk);
        }
        // An empty file is a new database; a newer schema is refused, not damaged.
        const QString empty = dir.filePath(QStringLiteral("empty.sqlite"));
        QFile(empty).open(QIODevice::WriteOnly);
        {
            UsageStore store;
            QCOMPARE(store.open(empty, 90), QString());
            UsageStore::Query check;
            check.check = true;
            QCOMPARE(ask(&store, check).schemaVersion, UsageStore::kSchemaVersion);
        }
        QVERIFY(markAsFromANewerVersion(empty));
        UsageStore newer;
        QVERIFY(newer.open(empty, 90).contains(QStringLiteral("newer droid2api")));
        QVERIFY(!newer.isOpen());
    }

    /// droid2api killed with SIGKILL under load: the file is intact, and what was written before stays.
    void killDashNineLosesAtMostTheLastBatch()
    {
        const QString bin = qEnvironmentVariable("DROID2API_BIN");
        QVERIFY2(!bin.isEmpty(), "DROID2API_BIN is set by CTest");
        m_f.proxy.reset(); // the child process owns the database now
        removeDatabase();
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("config.json"));
        Config c = m_f.config();
        c.port = 0;
        QVERIFY(ConfigLoader::save(config, c).ok());
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FACTORY_API_KEY"), m_f.factoryKey);
        child.setProcessEnvironment(env);
        child.start(bin, { QStringLiteral("--headless"), QStringLiteral("--config"), config,
                           QStringLiteral("--token-store"), QStringLiteral("file") });
        QVERIFY(child.waitForStarted());
        QString base;
        QByteArray out;
        QVERIFY(QTest::qWaitFor(
            [&] {
            out += child.readAllStandardOutput();
            const qsizetype at = out.indexOf("listening on ");
            if (at >= 0 && out.indexOf('\n', at) > 0) // the whole line
                base = QString::fromUtf8(out.mid(at + 13).split('\n').first().trimmed());
            return !base.isEmpty() || child.state() == QProcess::NotRunning;
            },
            15000));
        QVERIFY2(!base.isEmpty(), child.readAllStandardError().constData());
        const QByteArray body = R"({"model":"glm-5.3","messages":[{"role":"user","content":"hi"}]})";
        auto send = [&](int n) {
            for (int i = 0; i < n; ++i) {
                RecordedCall rc;
                startCall(*m_f.client, rc, "POST", QUrl(base + QStringLiteral("/v1/chat/completions")), body,
                          { { "content-type", "application/json" } }, m_f.clock);
                if (!QTest::qWaitFor([&rc] { return rc.done(); }, 10000) || rc.status != 200)
                    return false;
            }
            return true;
        };
        QVERIFY(send(20));
        RecordedCall report; // GET /usage writes what is pending first: these 20 are on disk now
        startCall(*m_f.client, report, "GET", QUrl(base + QStringLiteral("/usage")), {}, {}, m_f.clock);
        QVERIFY(QTest::qWaitFor([&report] { return report.done(); }, 10000));
        QCOMPARE(QJsonDocument::fromJson(report.body)
                     .object()
                     .value(QStringLiteral("total"))
                     .toObject()
                     .value(QStringLiteral("requests"))
                     .toInt(),
                 20);
        // More load, then SIGKILL while requests are in flight and a batch is pending.
        QList<std::shared_ptr<RecordedCall>> inFlight;
        for (int i = 0; i < 8; ++i) {
            inFlight << std::make_shared<RecordedCall>();
            startCall(*m_f.client, *inFlight.last(), "POST", QUrl(base + QStringLiteral("/v1/chat/completions")), body,
                      { { "content-type", "application/json" } }, m_f.clock);
        }
        QVERIFY(QTest::qWaitFor([&] { return m_f.fake->received.size() >= 28; }, 10000));
        ::kill(pid_t(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        UsageStore store;
        QCOMPARE(store.open(UsageStore::defaultPath(), 90), QString());
        UsageStore::Query check { longAgo(), later(), { UsageStore::Group::Model } };
        check.check = true;
        const UsageStore::Answer answer = ask(&store, check);
        QVERIFY(answer.integrityOk);
        const auto rows = answer.totals.value(UsageStore::Group::Model);
        QCOMPARE(rows.size(), 1);
        QVERIFY2(rows.first().requests >= 20 && rows.first().requests <= 28,
                 qPrintable(QString::number(rows.first().requests)));
    }
};

QTEST_GUILESS_MAIN(TestUsage)
#include "tst_usage.moc"
