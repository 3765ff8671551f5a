#include "desktopapp.h"

#include "activitywindow.h"
#include "dialogs.h"
#include "platform/singleinstance.h"
#include "server/proxyservice.h"
#include "settings/settingsdialog.h"
#include "statuswindow.h"
#include "trayicon.h"
#include "uicolors.h"
#include "usagewindow.h"

#include <QtCore/qpointer.h>
#include <QtWidgets/qapplication.h>

namespace {

/// Keeps the application palette's placeholder text dimmer than real text (placeholderColor), whatever the style
/// or theme brings and whenever it changes.
class PlaceholderColours final : public QObject
{
public:
    explicit PlaceholderColours(QObject *parent) : QObject(parent) { apply(); }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == qApp && event->type() == QEvent::ApplicationPaletteChange)
            apply();
        return false;
    }

private:
    static void apply()
    {
        const QPalette current = QApplication::palette();
        QPalette fixed = current; // keeps which roles were set explicitly: those the theme gives still follow it
        bool same = true;
        for (QPalette::ColorGroup g : { QPalette::Active, QPalette::Inactive, QPalette::Disabled }) {
            const QColor c = placeholderColor(current, g);
            fixed.setColor(g, QPalette::PlaceholderText, c);
            same = same && current.color(g, QPalette::PlaceholderText) == c;
        }
        if (!same) // setting it sends ApplicationPaletteChange again, which then finds it the same
            QApplication::setPalette(fixed);
    }
};

void keepPlaceholdersDimmer()
{
    static QPointer<PlaceholderColours> installed; // once per application
    if (installed)
        return;
    installed = new PlaceholderColours(qApp);
    qApp->installEventFilter(installed);
}

} // namespace

DesktopApp::DesktopApp(AppController *controller, QObject *parent) : QObject(parent), m_controller(controller)
{
    keepPlaceholdersDimmer();
    m_tray = new TrayIcon(controller, this);
    connect(m_tray, &TrayIcon::settingsRequested, this, [this] { showSettings(); });
    connect(m_tray, &TrayIcon::signInRequested, this, [this] { showSettings(1); });
    connect(m_tray, &TrayIcon::fixRequested, this, [this](AppController::Problem problem) {
        switch (problem) {
        case AppController::Problem::PortInUse:
        case AppController::Problem::ListenFailed: showSettings(0); break;
        case AppController::Problem::NoCredentials:
        case AppController::Problem::SignInExpired:
        case AppController::Problem::KeyRejected:
        case AppController::Problem::EnvKeyRejected: showSettings(1); break;
        case AppController::Problem::None: showStatus(); break;
        }
    });
    connect(m_tray, &TrayIcon::activityRequested, this, &DesktopApp::showActivity);
    connect(m_tray, &TrayIcon::usageRequested, this, &DesktopApp::showUsage);
    connect(m_tray, &TrayIcon::statusRequested, this, &DesktopApp::showStatus);
    connect(m_tray, &TrayIcon::quitRequested, this, &DesktopApp::quit);
    activity(); // collects requests and log lines from the start, shown or not
    // Shown in any case: Qt embeds it as soon as a tray appears (a panel may start after the app at login).
    m_tray->icon()->show();
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        // No tray (yet; GNOME without AppIndicator): the status window is the way in, with Start/Stop and Quit.
        status()->setTrayless(true);
        showStatus();
    }
}

DesktopApp::~DesktopApp()
{
    delete m_settings;
    delete m_activity;
    delete m_status;
    delete m_usage;
}

UsageWindow *DesktopApp::usage()
{
    if (!m_usage)
        m_usage = new UsageWindow(m_controller);
    return m_usage;
}

void DesktopApp::showUsage()
{
    usage()->refresh();
    dialogs::placeOnScreen(usage());
    usage()->show();
    usage()->raise();
    usage()->activateWindow();
}

StatusWindow *DesktopApp::status()
{
    if (!m_status) {
        m_status = new StatusWindow(m_controller);
        connect(m_status, &StatusWindow::settingsRequested, this, [this](int page) { showSettings(page); });
        connect(m_status, &StatusWindow::activityRequested, this, &DesktopApp::showActivity);
        connect(m_status, &StatusWindow::usageRequested, this, &DesktopApp::showUsage);
        connect(m_status, &StatusWindow::quitRequested, this, &DesktopApp::quit);
    }
    return m_status;
}

void DesktopApp::showStatus()
{
    status()->refresh();
    dialogs::placeOnScreen(status());
    status()->show();
    status()->raise();
    status()->activateWindow();
}

SettingsDialog *DesktopApp::settings()
{
    if (!m_settings)
        m_settings = new SettingsDialog(m_controller);
    return m_settings;
}

ActivityWindow *DesktopApp::activity()
{
    if (!m_activity)
        m_activity = new ActivityWindow(m_controller);
    return m_activity;
}

void DesktopApp::showSettings(int page)
{
    SettingsDialog *d = settings();
    if (page >= 0)
        d->showPage(page);
    dialogs::placeOnScreen(d);
    d->show();
    d->raise();
    d->activateWindow();
}

void DesktopApp::showActivity()
{
    dialogs::placeOnScreen(activity());
    activity()->show();
    activity()->raise();
    activity()->activateWindow();
}

void DesktopApp::activate()
{
    if (QSystemTrayIcon::isSystemTrayAvailable())
        showSettings();
    else
        showStatus();
}

void DesktopApp::attach(SingleInstance *instance)
{
    connect(instance, &SingleInstance::activationRequested, this, &DesktopApp::activate);
    connect(instance, &SingleInstance::activityRequested, this, &DesktopApp::showActivity);
}

void DesktopApp::quit()
{
    m_tray->icon()->hide();
    connect(m_controller->proxy(), &d2a::ProxyService::shutdownFinished, qApp, &QCoreApplication::quit);
    m_controller->proxy()->shutdown(m_controller->config().timeouts.shutdownMs);
}
