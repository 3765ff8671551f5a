#include "screenshots.h"

#include "activitywindow.h"
#include "appcontroller.h"
#include "auth/authmanager.h"
#include "desktopapp.h"
#include "dialogs.h"
#include "settings/clientspage.h"
#include "settings/settingsdialog.h"
#include "statuswindow.h"
#include "server/exchange.h"
#include "server/proxyservice.h"
#include "trayicon.h"
#include "usage/usagestore.h"
#include "usagewindow.h"

#include <QtCore/qdir.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qlocale.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qtimer.h>
#include <QtGui/qscreen.h>
#include <QtWidgets/qapplication.h>
#include <QtNetwork/qtcpserver.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qmenu.h>
#include <QtWidgets/qmessagebox.h>
#include <QtWidgets/qscrollarea.h>
#include <QtWidgets/qtableview.h>

#include <cstdio>
#include <iterator>

int writeScreenshots(DesktopApp &desktop, AppController &controller, const QString &dir)
{
    QDir().mkpath(dir);
    const QString lang = QLocale().name();
    int written = 0;
    // D2A_SCREENSHOT_STYLE names a style run (make screenshots' Adwaita-Dark pass): its files are marked with it,
    // and the states beyond the main screens are left to the default style's run.
    const QString style = qEnvironmentVariable("D2A_SCREENSHOT_STYLE");
    const QString suffix = style.isEmpty() ? QString() : u'-' + style.toLower();
    const bool extraStates = style.isEmpty();
    auto settle = [] {
        for (int i = 0; i < 5; ++i) {
            QEventLoop wait;
            QTimer::singleShot(20, &wait, &QEventLoop::quit);
            wait.exec();
        }
    };
    auto save = [&](QWidget *w, const QString &name) {
        QApplication::processEvents();
        const QString path = QStringLiteral("%1/%2%3-%4.png").arg(dir, name, suffix, lang);
        if (w->grab().save(path)) {
            ++written;
            std::printf("%s\n", qPrintable(path));
        }
    };
    // The tray's balloon, where Qt draws it itself (no notification service on the screenshots' X server).
    auto saveBalloon = [&](const QString &name) {
        for (QWidget *w : QApplication::topLevelWidgets())
            if (w->isVisible() && qstrcmp(w->metaObject()->className(), "QBalloonTip") == 0)
                save(w, name);
    };
    // What a user sees a moment after start: the sign-in state settled (the keychain answers asynchronously).
    for (int i = 0; i < 400 && controller.authState() == QStringLiteral("loading"); ++i) { // a keychain: up to 8 s
        QEventLoop wait;
        QTimer::singleShot(50, &wait, &QEventLoop::quit);
        wait.exec();
    }
    // The tray menu, as it opens from the panel.
    QMenu *menu = desktop.tray()->menu();
    menu->popup(QPoint(40, 40));

    for (int i = 0; i < 20; ++i)
        QApplication::processEvents();
    save(menu, QStringLiteral("tray-menu"));
    menu->hide();
    // The tray icon in each state, as the panel draws it (64 px).
    for (AppController::State st : { AppController::State::Running, AppController::State::Stopped,
                                     AppController::State::SignInRequired, AppController::State::Error }) {
        const QString path =
            QStringLiteral("%1/tray-icon-%2.png").arg(dir, QFileInfo(TrayIcon::iconPath(st)).baseName());
        if (QIcon(TrayIcon::iconPath(st)).pixmap(64, 64).save(path))
            std::printf("%s\n", qPrintable(path));
    }
    SettingsDialog *settings = desktop.settings();
    settings->show();
    const QStringList names { QStringLiteral("general"), QStringLiteral("account"),   QStringLiteral("models"),
                              QStringLiteral("routing"), QStringLiteral("endpoints"), QStringLiteral("reasoning"),
                              QStringLiteral("clients") };
    for (int i = 0; i < names.size(); ++i) {
        settings->showPage(i);
        if (names[i] == u"routing") // a preset with rules, and the test box's answer for Claude Code's title call
            settings->page<RoutingPage>()->showPreset(QStringLiteral("Save credits"));
        save(settings, QStringLiteral("settings-") + names[i]);
    }
    settings->hide();
    // The Activity window with a failed request selected: the details pane and a coloured row.
    d2a::RequestRecord ok;
    ok.at = QDateTime::currentDateTime();
    ok.id = 1;
    ok.method = QStringLiteral("POST");
    ok.path = QStringLiteral("/v1/messages");
    ok.requested = ok.model = QStringLiteral("claude-opus-4-8");
    ok.backend = QStringLiteral("factory");
    ok.status = 200;
    ok.durationMs = 2140;
    ok.bytesIn = 148213;
    ok.bytesOut = 18840;
    ok.streamed = true;
    d2a::RequestRecord failed = ok;
    failed.id = 2;
    failed.path = QStringLiteral("/v1/chat/completions");
    failed.requested = QStringLiteral("gpt-5.9");
    failed.model.clear();
    failed.backend.clear();
    failed.status = 404;
    failed.durationMs = 0;
    failed.bytesOut = 171;
    failed.streamed = false;
    failed.error = QStringLiteral("model 'gpt-5.9' is not configured; GET /v1/models lists the available models");
    d2a::RequestRecord routed = ok; // a background call a routing rule sent to a cheaper model
    routed.id = 3;
    routed.requested = QStringLiteral("claude-opus-4-8");
    routed.model = QStringLiteral("claude-haiku-4-5-20251001");
    routed.rule = QStringLiteral("Save credits / Background calls");
    routed.durationMs = 610;
    routed.bytesIn = 2310;
    routed.bytesOut = 402;
    routed.streamed = false;
    desktop.activity()->addRequest(ok);
    desktop.activity()->addRequest(failed);
    desktop.activity()->addRequest(routed);
    desktop.activity()->flush();
    desktop.showActivity();
    desktop.activity()->requests()->setCurrentIndex(desktop.activity()->requestModel()->index(0, 0));
    save(desktop.activity(), QStringLiteral("activity"));
    desktop.activity()->hide();
    // The Usage window over a month of made-up traffic (this run's HOME is a throwaway folder).
    if (d2a::UsageStore *store = controller.proxy()->usage(); store->isOpen()) {
        const struct
        {
            const char *model;
            const char *client;
            double multiplier;
            qint64 perDay;
        } traffic[] = {
            { "claude-opus-4-8", "Claude Code", 2, 900000 },
            { "claude-sonnet-4-6", "Claude Code", 1.2, 600000 },
            { "gpt-5.5", "Codex", 2, 500000 },
            { "gemini-3.5-flash", "Gemini CLI", 0.6, 300000 },
            { "glm-5.3", "opencode", 0.56, 200000 },
        };
        const QDateTime noon(QDate::currentDate(), QTime(12, 0));
        bool empty = true;
        { // a test driver, not shipping UI: it may wait for the answer in a loop of its own
            QEventLoop loop;
            store->query({ noon.addDays(-40), noon.addDays(1), { d2a::UsageStore::Group::Model } }, &loop,
                         [&](const d2a::UsageStore::Answer &a) {
                empty = a.totals.value(d2a::UsageStore::Group::Model).isEmpty();
                loop.quit();
            });
            loop.exec();
        }
        for (int day = 0; day < 30 && empty; ++day) // once (the second language's run finds it)
            for (const auto &t : traffic) {
                d2a::UsageRow r;
                r.atMs = noon.addDays(-day).toMSecsSinceEpoch();
                r.model = QString::fromLatin1(t.model);
                r.client = QString::fromLatin1(t.client);
                r.backend = QStringLiteral("factory");
                const qint64 tokens = t.perDay * (60 + (day * 37 + int(t.multiplier * 10)) % 80) / 100; // uneven days
                r.tokens.input = tokens * 3 / 4;
                r.tokens.cacheRead = tokens / 8;
                r.tokens.output = tokens - r.tokens.input - r.tokens.cacheRead;
                r.tokens.known = true;
                r.credits = d2a::creditsFor(r.tokens, t.multiplier);
                store->record(r);
                if (&t == &traffic[std::size(traffic) - 1])
                    store->writePending(); // a batch adds up alike rows under its first one's time: one a day
            }
        for (int day : { 2, 5, 9 }) { // and a few requests an upstream failed, counted apart
            if (!empty)
                break;
            d2a::UsageRow r;
            r.atMs = noon.addDays(-day).toMSecsSinceEpoch();
            r.model = QStringLiteral("gpt-5.5");
            r.client = QStringLiteral("Codex");
            r.backend = QStringLiteral("factory");
            r.status = 502;
            store->record(r);
            store->writePending();
        }
        desktop.showUsage();
        while (desktop.usage()->waiting()) // its answer comes from the store's thread
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        save(desktop.usage(), QStringLiteral("usage"));
        desktop.usage()->hide();
    }
    // The status window, as a first-run user without credentials sees it.
    desktop.showStatus();
    save(desktop.status(), QStringLiteral("status"));
    desktop.status()->hide();
    // Port in use: the tray menu and the notification's words, and Settings > General.
    QTcpServer blocker;
    if (blocker.listen(QHostAddress::LocalHost, 0)) {
        controller.stop();
        d2a::Config c = controller.config();
        const int port = c.port;
        c.port = blocker.serverPort();
        controller.applyConfig(c);
        controller.start();
        menu->popup(QPoint(40, 40));
        for (int i = 0; i < 20; ++i)
            QApplication::processEvents();
        save(menu, QStringLiteral("tray-menu-port-in-use"));
        menu->hide();
        desktop.showStatus();
        save(desktop.status(), QStringLiteral("status-port-in-use"));
        desktop.status()->hide();
        if (extraStates) {
            // "Use a free port" from the tray: the next port up, the balloon saying so (the port-in-use one is gone
            // with the problem), the menu, the status window with the error resolved, Settings > General.
            desktop.tray()->askUpdateTools = [](const QStringList &) { return false; };
            desktop.tray()->freePortAction()->trigger();
            settle();
            saveBalloon(QStringLiteral("balloon-free-port"));
            menu->popup(QPoint(40, 40));
            settle();
            save(menu, QStringLiteral("tray-menu-free-port"));
            menu->hide();
            desktop.showStatus();
            save(desktop.status(), QStringLiteral("status-free-port"));
            desktop.status()->hide();
            settings->showPage(0);
            settings->show();
            save(settings, QStringLiteral("settings-general-free-port"));
            settings->hide();
            desktop.tray()->askUpdateTools = nullptr;
            controller.stop();
        }
        c.port = port; // leave the file as it was for the next language's run
        controller.applyConfig(c);
        controller.start();
    }
    if (extraStates) {
        // Connect on the Clients page: its result and hops in Claude Code's own box (this run's HOME is a
        // throwaway folder, so the file it writes is too).
        auto *clients = settings->page<ClientsPage>();
        if (clients && controller.isRunning()) {
            settings->showPage(int(settings->pages().indexOf(clients)));
            settings->show();
            QEventLoop probed;
            QObject::connect(clients, &ClientsPage::probed, &probed, &QEventLoop::quit);
            QTimer::singleShot(10000, &probed, &QEventLoop::quit);
            clients->connectClient(QStringLiteral("claude-code"), true, false);
            probed.exec();
            settle();
            QWidget *result = clients->result(QStringLiteral("claude-code"));
            for (QWidget *p = result; p; p = p->parentWidget())
                if (auto *scroll = qobject_cast<QScrollArea *>(p)) { // the page scrolls: its box in view
                    scroll->ensureWidgetVisible(result);
                    break;
                }
            save(settings, QStringLiteral("settings-clients-connected"));
            settings->hide();
        }
        // Without a tray: the user closed the status window and chose "Keep serving"; launching again shows it.
        desktop.status()->setTrayless(true);
        desktop.showStatus();
        desktop.status()->askOverride = [] { return int(QMessageBox::Ok); }; // Keep serving
        desktop.status()->close();
        desktop.showStatus(); // what the next launch does
        save(desktop.status(), QStringLiteral("status-no-tray"));
        desktop.status()->askOverride = nullptr;
        desktop.status()->setTrayless(false);
        desktop.status()->hide();
    }
    // A key Factory refuses, then the tray's Sign in, which replaces it (make screenshots runs the tests' fake
    // Factory for this and names it in D2A_SCREENSHOT_FACTORY; its whoami refuses every key).
    const QUrl factory(qEnvironmentVariable("D2A_SCREENSHOT_FACTORY"));
    if (extraStates && factory.isValid() && !factory.isEmpty()) {
        const d2a::Config before = controller.config();
        d2a::Config c = before;
        c.workosBaseUrl = factory;
        // Factory's account calls (whoami) go to the host of the endpoints: for this state only.
        for (auto it = c.endpoints.begin(); it != c.endpoints.end(); ++it) {
            QUrl moved = factory;
            moved.setPath(it.value().path());
            it.value() = moved;
        }
        controller.applyConfig(c);
        d2a::AuthManager *auth = controller.proxy()->auth();
        auto waitFor = [](const std::function<bool()> &done) {
            for (int i = 0; i < 400 && !done(); ++i) {
                QEventLoop wait;
                QTimer::singleShot(50, &wait, &QEventLoop::quit);
                wait.exec();
            }
        };
        bool stored = false;
        auth->setApiKey(QStringLiteral("fk-screenshots-refused-0123456789"), &controller,
                        [&stored](const QString &) { stored = true; });
        waitFor([&] { return stored && controller.problem() == AppController::Problem::KeyRejected; });
        settle();
        menu->popup(QPoint(40, 40));
        settle();
        save(menu, QStringLiteral("tray-menu-refused-key"));
        menu->hide();
        desktop.showStatus();
        save(desktop.status(), QStringLiteral("status-refused-key"));
        desktop.status()->hide();
        controller.setUrlOpener([](const QUrl &) { return false; }); // no browser here: the balloon says where
        bool finished = false;
        QObject::connect(&controller, &AppController::signInFinished, &controller,
                         [&finished](const QString &, bool, const QString &) { finished = true; });
        desktop.tray()->signInAction()->trigger();
        waitFor([&] { return finished; });
        waitFor([&] { return controller.state() == AppController::State::Running; });
        settle();
        saveBalloon(QStringLiteral("balloon-signed-in"));
        settings->showPage(1);
        settings->show();
        save(settings, QStringLiteral("settings-account-signed-in"));
        settings->hide();
        desktop.showStatus();
        save(desktop.status(), QStringLiteral("status-signed-in"));
        desktop.status()->hide();
        bool out = false; // the next run starts as a first run again
        auth->signOut(&controller, [&out](const QString &) { out = true; });
        waitFor([&] { return out; });
        controller.applyConfig(before);
    }
    // Each window where it opens on this screen (centred, shrunk to the available area when it would not fit),
    // without the balloons of the states above.
    for (QWidget *w : QApplication::topLevelWidgets())
        if (qstrcmp(w->metaObject()->className(), "QBalloonTip") == 0)
            w->hide();
    const QSize screenSize = QGuiApplication::primaryScreen()->size();
    const QString screenName = QStringLiteral("screen-%1x%2-").arg(screenSize.width()).arg(screenSize.height());
    for (QWidget *w : { static_cast<QWidget *>(settings), static_cast<QWidget *>(desktop.activity()),
                        static_cast<QWidget *>(desktop.usage()), static_cast<QWidget *>(desktop.status()) }) {
        if (w == settings) {
            settings->showPage(2); // the widest page: the models table beside its panel
            dialogs::placeOnScreen(settings);
            settings->show();
        } else if (w == desktop.activity()) {
            desktop.showActivity();
        } else if (w == desktop.usage()) {
            desktop.showUsage();
            while (desktop.usage()->waiting())
                QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        } else {
            desktop.showStatus();
        }
        settle();
        const QString path = QStringLiteral("%1/%2%3%4-%5.png")
                                 .arg(dir, screenName,
                                      w == settings             ? QStringLiteral("settings-models")
                                      : w == desktop.activity() ? QStringLiteral("activity")
                                      : w == desktop.usage()    ? QStringLiteral("usage")
                                                                : QStringLiteral("status"),
                                      suffix, lang);
        if (QGuiApplication::primaryScreen()->grabWindow(0).save(path)) {
            ++written;
            std::printf("%s\n", qPrintable(path));
        }
        w->hide();
    }
    return written >= names.size() + 4 ? 0 : 1;
}
