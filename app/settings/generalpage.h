#pragma once
// The General page: where the proxy listens, start at login, the access key, allowed web pages, logging.

#include "settingspage.h"

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
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

    QLineEdit *host;
    QLineEdit *port;
    QCheckBox *startProxy;
    QCheckBox *startAtLogin;
    QLineEdit *accessKey;
    QLineEdit *allowedOrigins; ///< web pages allowed to call (CORS), space- or comma-separated
    QLabel *originsHint;
    QComboBox *logLevel;
    QCheckBox *devMode;

private:
    void updateOriginsHint();
};
