// http::Deadline: a timeout that each start pushes later, fired once, never before its time.
#include "http/deadline.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

#include <memory>

using d2a::http::Deadline;

class TestDeadline final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    void firesOnceNoEarlierThanItsTime()
    {
        QElapsedTimer clock;
        int fired = 0, laterFired = 0;
        qint64 firedAt = -1;
        Deadline d([&] { ++fired, firedAt = clock.elapsed(); });
        Deadline later([&] { ++laterFired; });
        clock.start();
        d.start(40);
        later.start(120);
        QVERIFY(d.isActive());
        QTRY_COMPARE_WITH_TIMEOUT(laterFired, 1, 10000); // the later one is due after the first
        QCOMPARE(fired, 1);
        QVERIFY2(firedAt >= 39, qPrintable(QString::number(firedAt)));
        QVERIFY(!d.isActive());
    }

    /// Each start moves the deadline to `ms` after it: a stream's events keep its idle timeout away, and the
    /// timeout comes `ms` after the last of them (the timer armed by the first start waits out the rest). Checked
    /// as that invariant, so a loaded machine that stalls between two starts (which rightly lets it fire) does
    /// not fail it: each firing comes at least `ms` after the start before it.
    void eachStartPushesItLater()
    {
        QElapsedTimer clock;
        clock.start();
        QList<qint64> startedAt, firedAt;
        Deadline d([&] { firedAt.append(clock.elapsed()); });
        auto push = [&] {
            d.start(60);
            startedAt.append(clock.elapsed());
        };
        QTimer activity;
        activity.setInterval(20);
        connect(&activity, &QTimer::timeout, this, [&] {
            push();
            if (startedAt.size() == 8)
                activity.stop();
        });
        push();
        activity.start();
        QTRY_VERIFY_WITH_TIMEOUT(startedAt.size() == 8 && !d.isActive(), 10000); // due after the last start
        QVERIFY(!firedAt.isEmpty());
        // 58: the deadline's clock and this test's each round to a millisecond.
        QVERIFY(firedAt.last() - startedAt.last() >= 58);
        for (qint64 f : std::as_const(firedAt)) {
            qint64 before = -1;
            for (qint64 s : std::as_const(startedAt))
                if (s <= f)
                    before = s;
            QVERIFY2(f - before >= 58,
                     qPrintable(QStringLiteral("fired at %1 ms, started at %2 ms").arg(f).arg(before)));
        }
    }

    /// A start with a shorter time than the one armed is not left to the longer timer.
    void aShorterStartFiresSooner()
    {
        QElapsedTimer clock;
        clock.start();
        int fired = 0;
        Deadline d([&] { ++fired; });
        d.start(600000);
        d.start(30);
        QTRY_COMPARE_WITH_TIMEOUT(fired, 1, 10000);
        QVERIFY(clock.elapsed() >= 29);
    }

    void stopCancels()
    {
        int fired = 0, laterFired = 0;
        Deadline d([&] { ++fired; });
        Deadline later([&] { ++laterFired; });
        d.start(20);
        d.stop();
        QVERIFY(!d.isActive());
        later.start(80);
        QTRY_COMPARE_WITH_TIMEOUT(laterFired, 1, 10000); // due well after the stopped one would have been
        QCOMPARE(fired, 0);
        d.start(10); // and it can be started again
        QTRY_COMPARE_WITH_TIMEOUT(fired, 1, 10000);
    }

    /// What runs when it is due may delete the owner, and the deadline with it (ASan checks the rest).
    void whatRunsMayDeleteIt()
    {
        std::unique_ptr<Deadline> d;
        bool ran = false;
        d = std::make_unique<Deadline>([&] {
            ran = true;
            d.reset();
        });
        d->start(10);
        d->start(20); // pushed once: the first firing re-arms, the second runs
        QTRY_VERIFY_WITH_TIMEOUT(ran, 10000);
        QVERIFY(!d);
    }
};

QTEST_GUILESS_MAIN(TestDeadline)
#include "tst_deadline.moc"
