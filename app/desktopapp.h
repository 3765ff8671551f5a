#pragma once
// The desktop app: tray icon, settings and activity windows around one AppController.

#include "appcontroller.h"

#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>

class ActivityWindow;
class SettingsDialog;
class SingleInstance;
class StatusWindow;
class TrayIcon;
class UsageWindow;

class DesktopApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopApp)

public:
    DesktopApp(AppController *controller, QObject *parent = nullptr);
    ~DesktopApp() override;

    TrayIcon *tray() const { return m_tray; }
    SettingsDialog *settings();
    ActivityWindow *activity();
    StatusWindow *status();
    UsageWindow *usage();
    void showUsage();
    void showSettings(int page = -1);
    void showActivity();
    void showStatus();
    /// Another launch asked this one to come forward: Settings with a tray; without one the Status window,
    /// the way in there (Start/Stop, Activity, Usage, Settings, Quit).
    void activate();
    /// Answers the single-instance requests of later launches (activate(), or the Activity window).
    void attach(SingleInstance *instance);
    /// Stops the proxy gracefully, then quits the application.
    void quit();

private:
    AppController *m_controller;
    TrayIcon *m_tray = nullptr;
    QPointer<SettingsDialog> m_settings;
    QPointer<ActivityWindow> m_activity;
    QPointer<StatusWindow> m_status;
    QPointer<UsageWindow> m_usage;
};
