#pragma once
// The status window: the state in colour with what to do about it, the addresses to copy, the account, the
// coding tools droid2api set up (and whether they still match the port and key), and the last errors. It is
// also the way in where there is no system tray: Start/Stop, Activity, Settings and Quit are here.

#include "appcontroller.h"

#include <QtCore/qpointer.h>
#include <QtWidgets/qwidget.h>

#include <functional>

QT_BEGIN_NAMESPACE
class QLabel;
class QMessageBox;
class QPushButton;
class QVBoxLayout;
QT_END_NAMESPACE

class StatusWindow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusWindow)

public:
    explicit StatusWindow(AppController *controller, QWidget *parent = nullptr);

    void refresh();
    /// Without a tray, closing asks whether to quit or keep serving: the window is closed (or not) once the user
    /// answered, without blocking. `askOverride` answers at once instead (a QMessageBox button value; tests).
    void setTrayless(bool trayless) { m_trayless = trayless; }
    std::function<int()> askOverride;
    /// Answers "Update your coding tools?" after "Use a free port" instead of the dialog (tests).
    std::function<bool(const QStringList &names)> askUpdateTools;

    QLabel *state() const { return m_state; }
    QPushButton *fix() const { return m_fix; }
    QLabel *address() const { return m_address; }
    QLabel *openAiAddress() const { return m_openAi; }
    QLabel *account() const { return m_account; }
    QLabel *tools() const { return m_tools; }
    QLabel *errors() const { return m_errors; }
    QPushButton *toggle() const { return m_toggle; }
    QPushButton *usageButton() const { return m_usageButton; }
    /// The "Update" button of a connected tool whose settings no longer match (nullptr when none).
    QPushButton *updateButton(const QString &client) const;

Q_SIGNALS:
    void settingsRequested(int page);
    void activityRequested();
    void usageRequested();
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void fitHeight();
    AppController *m_controller;
    bool m_trayless = false;
    bool m_closeAnswered = false; ///< the close that follows the user's answer
    QPointer<QMessageBox> m_closeQuestion;
    QLabel *m_state;
    QPushButton *m_fix;
    QLabel *m_address;
    QLabel *m_openAi;
    QLabel *m_account;
    QLabel *m_usage;
    QLabel *m_tools;
    QVBoxLayout *m_toolButtons;
    QList<QPushButton *> m_updates;
    QLabel *m_errors;
    QPushButton *m_toggle;
    QPushButton *m_usageButton;
};
