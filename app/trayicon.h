#pragma once
// The system tray icon and its menu: state at a glance (icon and tooltip), start/stop, the base URL (click
// copies it), the reasoning quick-switch, account, settings, activity, quit.

#include "appcontroller.h"

#include <QtCore/qelapsedtimer.h>
#include <QtWidgets/qsystemtrayicon.h>

#include <functional>

QT_BEGIN_NAMESPACE
class QAction;
class QActionGroup;
class QMenu;
QT_END_NAMESPACE

class TrayIcon final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayIcon)

public:
    explicit TrayIcon(AppController *controller, QObject *parent = nullptr);
    ~TrayIcon() override;

    QSystemTrayIcon *icon() const { return m_icon; }
    QMenu *menu() const { return m_menu; }
    QAction *toggleAction() const { return m_toggle; }
    QAction *urlAction() const { return m_url; }
    QAction *statusAction() const { return m_status; }
    QAction *signInAction() const { return m_signIn; }
    QAction *freePortAction() const { return m_freePort; }
    /// The last notification asked for (tests; the system shows it as it likes).
    QString lastNotification() const { return m_lastNotification; }
    /// How long it asked to stay, in ms.
    int lastNotificationMs() const { return m_lastNotificationMs; }
    /// What the balloon shows now: every notification still within its time, newest first (a system shows one
    /// balloon at a time and a new one replaces the previous, so they are merged rather than lost). "" when none.
    QString shownNotification() const;
    QAction *reasoningAction(d2a::ReasoningLevel level) const;
    /// The Routing submenu's entry for a preset (README "Routing rules"); null when there is none.
    QAction *routingAction(const QString &preset) const;
    /// The icon file shown for a state (tests check the icon follows the state).
    static QString iconPath(AppController::State state);
    QString currentIconPath() const { return m_iconPath; }
    void refresh();
    /// Answers "Update your coding tools?" after "Use a free port" instead of the dialog (tests).
    std::function<bool(const QStringList &names)> askUpdateTools;

Q_SIGNALS:
    /// Opens the screen that fixes the current problem (Settings > General for the port, Account for sign-in).
    void fixRequested(AppController::Problem problem);
    void settingsRequested();
    void statusRequested();
    void activityRequested();
    void usageRequested();
    void signInRequested();
    void quitRequested();

private:
    /// What a notification is about: a newer one about the same thing replaces it (a sign-in's progress, then its
    /// end); others are shown with it.
    enum class Topic { Problem, SignIn, Port, Tools, Usage, Model, Setting, Copied };
    struct Shown
    {
        Topic topic;
        QString key; ///< within a topic (a replaced model's id), else ""
        QString text;
        QSystemTrayIcon::MessageIcon icon;
        qint64 until; ///< m_clock ms
    };
    /// `msecs` < 0: 4 s for information, 10 s for problems.
    void notify(Topic topic, const QString &text, QSystemTrayIcon::MessageIcon icon, int msecs = -1,
                const QString &key = QString());
    /// Drops the notifications whose time is over.
    void expire();

    AppController *m_controller;
    QSystemTrayIcon *m_icon;
    QMenu *m_menu;
    QAction *m_status;
    QAction *m_signIn;
    QAction *m_freePort;
    QString m_lastNotification;
    int m_lastNotificationMs = 0;
    QList<Shown> m_shown; ///< oldest first
    QElapsedTimer m_clock;
    AppController::Problem m_notifiedProblem = AppController::Problem::None;
    QAction *m_toggle;
    QAction *m_url;
    QAction *m_account;
    QActionGroup *m_reasoning;
    QMenu *m_routingMenu = nullptr;
    QActionGroup *m_routing = nullptr;
    QStringList m_routingNames; ///< the presets the submenu lists (rebuilt when the config's change)
    void rebuildRouting();
    QString m_iconPath;
};
