#pragma once
// The General page: where the proxy listens, start at login, the access key, allowed web pages, logging.

#include "settingspage.h"

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
QT_END_NAMESPACE

class GeneralPage final : public SettingsPage
{
    Q_OBJECT

public:
    explicit GeneralPage(QWidget *parent = nullptr);
    QString title() const override { return tr("General"); }
    void load(const d2a::Config &config) override;
    void store(d2a::Config &config) const override;
    QString validate() const override;
    /// The port-in-use sentence beside the port field ("" hides it and the button).
    void showPortProblem(const QString &message);

    QLineEdit *host;
    QSpinBox *port; ///< 0 (shown as "any free port") picks a free one at each start
    QLabel *portProblem; ///< beside the port: it is in use (hidden when all is well)
    QPushButton *useFreePort; ///< "Use a free port", shown with portProblem
    QPushButton *revealKey; ///< shows or hides the local access key
    QCheckBox *startProxy;
    QCheckBox *startAtLogin;
    QLineEdit *accessKey;
    QLineEdit *allowedOrigins; ///< web pages allowed to call (CORS), space- or comma-separated
    QLabel *originsHint;
    QComboBox *logLevel;
    QCheckBox *devMode;

Q_SIGNALS:
    void freePortRequested();

private:
    void updateOriginsHint();
};
