#pragma once
// The Account page: the Factory sign-in (device code), an API key or refresh token, the droid CLI's sign-in.

#include "settingspage.h"

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
QT_END_NAMESPACE

class AppController;

class AccountPage final : public SettingsPage
{
    Q_OBJECT

public:
    AccountPage(AppController *controller, QWidget *parent = nullptr);
    QString title() const override { return tr("Account"); }
    void load(const d2a::Config &config) override;
    void store(d2a::Config &config) const override;
    void refresh();
    void startSignIn();
    void showSignInProgress(const QString &userCode, const QString &url, bool browserOpened);
    void showSignInResult(const QString &error, bool cancelled, const QString &email);

    QLabel *status;
    QComboBox *organization; ///< shown when the signed-in user has several organisations
    QCheckBox *droidCliSync;
    QPushButton *signIn;
    QLabel *code;
    QLineEdit *apiKey;
    QLineEdit *refreshToken;
    QPushButton *saveKey; ///< stores what apiKey holds
    QPushButton *saveToken; ///< stores what refreshToken holds
    QPushButton *importDroid;
    QPushButton *signOut;
    QLabel *keyResult; ///< what saving a key or token did, in the credentials box
    QLabel *importResult; ///< what importing from the droid CLI did, under its button

private:
    void report(QLabel *where, const QString &error, const QString &success);
    AppController *m_controller;
    QLabel *m_orgLabel;
};
