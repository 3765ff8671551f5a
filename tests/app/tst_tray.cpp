// The real system tray: Xvfb with trayer (run-with-tray.sh). The icon embeds, follows the proxy's state, and
// its menu actions work.
#include "appcontroller.h"
#include "desktopapp.h"
#include "settings/settingsdialog.h"
#include "support/fakeupstream.h"
#include "trayicon.h"

#include <QtCore/qregularexpression.h>
#include <QtCore/qtemporarydir.h>
#include <QtGui/qclipboard.h>
#include <QtGui/qguiapplication.h>
#include <QtNetwork/qtcpserver.h>
#include <QtTest/qtest.h>
#include <QtWidgets/qapplication.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qmenu.h>

using namespace d2a;

class TestTray final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); // an unexpected warning is a failure
    }

    void trayWorks()
    {
        QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
        QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 5000);
        QTemporaryDir home;
        qputenv("HOME", home.path().toUtf8());
        qputenv("XDG_DATA_HOME", (home.path() + QStringLiteral("/data")).toUtf8());
        FakeUpstream fake;
        QVERIFY(fake.listen());
        Config c = ConfigLoader::defaults();
        c.port = 0;
        c.userAgentUpdateUrl.clear();
        c.tokenStore = QStringLiteral("file");
        c.endpoints[ModelType::Anthropic] = fake.url(QStringLiteral("/a"));
        const QString path = home.path() + QStringLiteral("/config.json");
        QVERIFY(ConfigLoader::save(path, c).ok());
        AppController controller(path, c, Environment());
        controller.start();
        DesktopApp desktop(&controller);
        TrayIcon *tray = desktop.tray();
        QVERIFY(tray->icon()->isVisible());
        QVERIFY(!desktop.settings()->isVisible()); // with a tray, the app starts quietly
        // Embedded in the panel: the icon has a real place on screen.
        QTRY_VERIFY_WITH_TIMEOUT(!tray->icon()->geometry().isEmpty(), 5000);
        QCOMPARE(tray->currentIconPath(), TrayIcon::iconPath(AppController::State::Running));
        QVERIFY(!tray->icon()->icon().pixmap(32, 32).isNull()); // the SVG really renders
        const QImage running = tray->icon()->icon().pixmap(32, 32).toImage();

        // Copy URL puts the live base URL on the clipboard.
        tray->urlAction()->trigger();
        QTRY_COMPARE(QGuiApplication::clipboard()->text(), controller.baseUrl());
        QVERIFY(controller.baseUrl().startsWith(QStringLiteral("http://127.0.0.1:")));

        // Start/Stop toggles the proxy and the icon follows.
        tray->toggleAction()->trigger();
        QVERIFY(!controller.isRunning());
        QCOMPARE(tray->currentIconPath(), TrayIcon::iconPath(AppController::State::Stopped));
        QVERIFY(tray->icon()->toolTip().contains(TrayIcon::tr("Stopped")));
        QVERIFY(tray->icon()->icon().pixmap(32, 32).toImage() != running); // a different picture, not just a name
        tray->toggleAction()->trigger();
        QVERIFY(controller.isRunning());
        QCOMPARE(tray->currentIconPath(), TrayIcon::iconPath(AppController::State::Running));

        // The menu opens for real on the X server, and Settings... opens the window.
        tray->menu()->popup(QPoint(100, 100));
        QTRY_VERIFY(tray->menu()->isVisible());
        tray->menu()->hide();
        Q_EMIT tray->icon()->activated(QSystemTrayIcon::Trigger); // a left click
        QTRY_VERIFY(desktop.settings()->isVisible());

        // The reasoning quick-switch is saved and live.
        tray->reasoningAction(ReasoningLevel::Low)->trigger();
        QCOMPARE(controller.config().reasoningDefault, ReasoningLevel::Low);
        QCOMPARE(ConfigLoader::loadFile(path).value().reasoningDefault, ReasoningLevel::Low);

        // The routing presets switch there too, saved.
        tray->menu()->popup(QPoint(100, 100));
        QTRY_VERIFY(tray->menu()->isVisible());
        QVERIFY(tray->routingAction(QStringLiteral("Save credits")));
        tray->menu()->hide();
        tray->routingAction(QStringLiteral("Save credits"))->trigger();
        QCOMPARE(controller.config().routing.preset, QStringLiteral("Save credits"));
        QCOMPARE(ConfigLoader::loadFile(path).value().routing.preset, QStringLiteral("Save credits"));

        // Quit stops the proxy gracefully.
        desktop.quit();
        QTRY_VERIFY(!controller.isRunning());
        QVERIFY(!tray->icon()->isVisible());
    }

    void notificationsInARowBothReachTheUser()
    {
        // The system shows one balloon and a new one replaces it: notifications in a row are merged into it.
        QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 5000);
        QTemporaryDir home;
        qputenv("HOME", home.path().toUtf8());
        qputenv("XDG_DATA_HOME", (home.path() + QStringLiteral("/data")).toUtf8());
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        Config c = ConfigLoader::defaults();
        c.port = blocker.serverPort();
        c.userAgentUpdateUrl.clear();
        c.tokenStore = QStringLiteral("file");
        const QString path = home.path() + QStringLiteral("/config.json");
        QVERIFY(ConfigLoader::save(path, c).ok());
        Environment env;
        env.factoryApiKey = QStringLiteral("fk-tray-test-0123456789");
        AppController controller(path, c, env);
        DesktopApp desktop(&controller);
        TrayIcon *tray = desktop.tray();
        QTRY_VERIFY_WITH_TIMEOUT(!tray->icon()->geometry().isEmpty(), 5000);
        // The balloon as drawn on the X server (Qt's own, where no notification service runs): its labels.
        auto balloon = [] {
            for (QWidget *w : QApplication::topLevelWidgets())
                if (w->isVisible() && qstrcmp(w->metaObject()->className(), "QBalloonTip") == 0) {
                    QStringList texts;
                    for (QLabel *l : w->findChildren<QLabel *>())
                        texts << l->text();
                    return texts.join(u'\n');
                }
            return QString();
        };
        QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression(QStringLiteral("^Port %1 is in use by another program, so droid2api is not serving\\. ")
                                   .arg(blocker.serverPort())));
        controller.start();
        QCOMPARE(controller.problem(), AppController::Problem::PortInUse);
        QTRY_VERIFY(balloon().contains(QString::number(blocker.serverPort())));
        tray->askUpdateTools = [](const QStringList &) { return false; };
        tray->freePortAction()->trigger();
        QCOMPARE(controller.state(), AppController::State::Running);
        const QString serving = TrayIcon::tr("droid2api now serves on %1.").arg(controller.baseUrl());
        QTRY_VERIFY2(balloon().contains(serving), qPrintable(balloon()));
        tray->urlAction()->trigger(); // Copy, while that one is up: both are read
        const QString copied = TrayIcon::tr("Copied %1").arg(controller.baseUrl());
        QTRY_VERIFY2(balloon().contains(copied), qPrintable(balloon()));
        QVERIFY2(balloon().contains(serving), qPrintable(balloon()));
        QVERIFY2(!balloon().contains(QString::number(blocker.serverPort()) + u' '), qPrintable(balloon())); // fixed
        desktop.quit();
        QTRY_VERIFY(!controller.isRunning());
    }
};

QTEST_MAIN(TestTray)
#include "tst_tray.moc"
