#include "screenshots.h"

#include "activitywindow.h"
#include "appcontroller.h"
#include "desktopapp.h"
#include "settingsdialog.h"
#include "trayicon.h"

#include <QtCore/qdir.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qlocale.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qtimer.h>
#include <QtGui/qscreen.h>
#include <QtWidgets/qapplication.h>
#include <QtWidgets/qmenu.h>

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
        const QString path = QStringLiteral("%1/tray-icon-%2.png").arg(dir, QFileInfo(TrayIcon::iconPath(st)).baseName());
        if (QIcon(TrayIcon::iconPath(st)).pixmap(64, 64).save(path))
            std::printf("%s\n", qPrintable(path));
    }
    SettingsDialog *settings = desktop.settings();
    settings->show();
    const QStringList names { QStringLiteral("general"), QStringLiteral("account"), QStringLiteral("models"),
                              QStringLiteral("endpoints"), QStringLiteral("reasoning"), QStringLiteral("clients") };
    for (int i = 0; i < names.size(); ++i) {
        settings->showPage(i);
        save(settings, QStringLiteral("settings-") + names[i]);
    }
    settings->hide();
    desktop.showActivity();
    save(desktop.activity(), QStringLiteral("activity"));
    desktop.activity()->hide();
    Q_UNUSED(controller);
    return written >= names.size() + 2 ? 0 : 1;
}
