#include "screenshots.h"

#include "activitywindow.h"
#include "appcontroller.h"
#include "desktopapp.h"
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
#include <QtWidgets/qmenu.h>
#include <QtWidgets/qtableview.h>

#include <cstdio>

int writeScreenshots(DesktopApp &desktop, AppController &controller, const QString &dir)
{
    QDir().mkpath(dir);
    const QString lang = QLocale().name();
    int written = 0;
    auto save = [&](QWidget *w, const QString &name) {
        QApplication::processEvents();
        const QString path = QStringLiteral("%1/%2-%3.png").arg(dir, name, lang);
        if (w->grab().save(path)) {
            ++written;
            std::printf("%s\n", qPrintable(path));
        }
    };
    // What a user sees a moment after start: the sign-in state settled (the keychain answers asynchronously).
    for (int i = 0; i < 100 && controller.authState() == QStringLiteral("loading"); ++i) {
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
    const QStringList names { QStringLiteral("general"),   QStringLiteral("account"),   QStringLiteral("models"),
                              QStringLiteral("endpoints"), QStringLiteral("reasoning"), QStringLiteral("clients") };
    for (int i = 0; i < names.size(); ++i) {
        settings->showPage(i);
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
        const bool empty = store->totals(noon.addDays(-40), noon.addDays(1), d2a::UsageStore::Group::Model).isEmpty();
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
            }
        desktop.showUsage();
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
        c.port = port; // leave the file as it was for the next language's run
        controller.applyConfig(c);
    }
    return written >= names.size() + 4 ? 0 : 1;
}
