#include "accountpage.h"

#include "appcontroller.h"
#include "auth/authmanager.h"
#include "dialogs.h"
#include "server/proxyservice.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qlocale.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcheckbox.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qformlayout.h>
#include <QtWidgets/qgroupbox.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qmessagebox.h>
#include <QtWidgets/qpushbutton.h>

AccountPage::AccountPage(AppController *controller, QWidget *parent) : SettingsPage(parent), m_controller(controller)
{
    auto *layout = new QVBoxLayout(this);
    status = new QLabel(this);
    status->setWordWrap(true);
    status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status);
    auto *signInBox = new QGroupBox(tr("Sign in with your browser"), this);
    auto *signInLayout = new QVBoxLayout(signInBox);
    signIn = new QPushButton(tr("Sign in with Factory..."), signInBox);
    code = new QLabel(signInBox);
    code->setWordWrap(true);
    code->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    code->setOpenExternalLinks(true);
    auto *signInRow = new QHBoxLayout;
    signInRow->addWidget(signIn);
    signInRow->addStretch(); // a normal-width button: a full-width one read as a banner
    signInLayout->addLayout(signInRow);
    signInLayout->addWidget(code);
    layout->addWidget(signInBox);
    auto *keys = new QGroupBox(tr("Or paste a credential (stored with your sign-in, never shown again)"), this);
    auto *form = new QFormLayout(keys);
    apiKey = new QLineEdit(keys);
    apiKey->setEchoMode(QLineEdit::Password);
    saveKey = new QPushButton(tr("Save"), keys);
    auto *keyRow = new QHBoxLayout;
    keyRow->addWidget(apiKey, 1);
    keyRow->addWidget(saveKey);
    refreshToken = new QLineEdit(keys);
    refreshToken->setEchoMode(QLineEdit::Password);
    saveToken = new QPushButton(tr("Save"), keys);
    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(refreshToken, 1);
    tokenRow->addWidget(saveToken);
    form->addRow(tr("Factory API key:"), keyRow);
    form->addRow(tr("Refresh token:"), tokenRow);
    keyResult = new QLabel(keys);
    keyResult->setWordWrap(true);
    keyResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(keyResult);
    layout->addWidget(keys);
    auto *row = new QHBoxLayout;
    importDroid = new QPushButton(tr("Import from the droid CLI"), this);
    signOut = new QPushButton(tr("Sign out"), this);
    row->addWidget(importDroid);
    row->addStretch();
    row->addWidget(signOut);
    layout->addLayout(row);
    importResult = new QLabel(this); // what importing did, right under its button
    importResult->setWordWrap(true);
    importResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(importResult);
    auto *orgRow = new QHBoxLayout;
    m_orgLabel = new QLabel(tr("Organisation:"), this);
    organization = new QComboBox(this);
    organization->setToolTip(tr("The Factory organisation your requests are billed to (sent as X-Factory-Org-Id)"));
    orgRow->addWidget(m_orgLabel);
    orgRow->addWidget(organization, 1);
    layout->addLayout(orgRow);
    droidCliSync =
        new QCheckBox(tr("Share the sign-in with the droid CLI (write each renewed token back to it)"), this);
    droidCliSync->setToolTip(
        tr("Factory renews sign-in tokens on every refresh and refuses the old one: without this, the droid CLI "
           "would have to sign in again after droid2api renewed a sign-in imported from it."));
    layout->addWidget(droidCliSync);
    layout->addStretch();

    d2a::AuthManager *auth = controller->proxy()->auth();
    connect(droidCliSync, &QCheckBox::toggled, this, &SettingsPage::edited);
    connect(organization, &QComboBox::activated, this, [this, auth](int index) {
        const QString id = organization->itemData(index).toString();
        if (id == auth->organizationId())
            return;
        auth->setOrganization(id, this,
                              [this](const QString &err) { report(code, err, tr("Switched organisation.")); });
        Q_EMIT edited(); // the choice is also kept in the config (factory_organization)
    });
    connect(signIn, &QPushButton::clicked, this, &AccountPage::startSignIn);
    connect(saveKey, &QPushButton::clicked, this, [this, auth] {
        if (apiKey->text().trimmed().isEmpty())
            return;
        auth->setApiKey(apiKey->text(), this,
                        [this](const QString &err) { report(keyResult, err, tr("API key saved.")); });
        apiKey->clear(); // never shown back
    });
    connect(saveToken, &QPushButton::clicked, this, [this, auth] {
        if (refreshToken->text().trimmed().isEmpty())
            return;
        auth->setRefreshToken(refreshToken->text(), QStringLiteral("app"), this,
                              [this](const QString &err) { report(keyResult, err, tr("Refresh token saved.")); });
        refreshToken->clear();
    });
    connect(importDroid, &QPushButton::clicked, this, [this, auth] {
        auth->importDroidCli(
            this, [this](const QString &err) { report(importResult, err, tr("Imported the droid CLI sign-in.")); });
    });
    connect(signOut, &QPushButton::clicked, this, [this, auth] {
        // Asked without blocking (the proxy keeps serving); the box is this page's child, so the answer never
        // comes to a page that is gone.
        dialogs::ask(this, QMessageBox::Question, tr("Sign out"),
                     tr("Sign out of Factory? Requests will fail until you sign in again. The stored "
                        "tokens are deleted."),
                     QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel,
                     [this, auth](QMessageBox::StandardButton answer) {
            if (answer != QMessageBox::Yes)
                return;
            auth->signOut(this, [this](const QString &err) { report(code, err, tr("Signed out.")); });
        });
    });
    connect(controller, &AppController::authChanged, this, &AccountPage::refresh);
    connect(controller, &AppController::signInProgress, this, &AccountPage::showSignInProgress);
    connect(controller, &AppController::signInFinished, this, &AccountPage::showSignInResult);
}

void AccountPage::report(QLabel *where, const QString &error, const QString &success)
{
    where->setText(error.isEmpty() ? success : tr("That did not work: %1").arg(error.toHtmlEscaped()));
    refresh();
}

void AccountPage::startSignIn()
{
    // One sign-in for the app: the tray's "Sign in to Factory" and this button share it.
    if (!m_controller->signingIn())
        code->setText(tr("Asking Factory for a sign-in code..."));
    m_controller->toggleSignIn();
    refresh();
}

void AccountPage::showSignInProgress(const QString &userCode, const QString &url, bool browserOpened)
{
    code->setText(browserOpened
                      ? tr("Your code: <b>%1</b><br>Approve it in the browser window that opened (<a href=\"%2\">open "
                           "it again</a>). Waiting...")
                            .arg(userCode.toHtmlEscaped(), url.toHtmlEscaped())
                      : tr("Your code: <b>%1</b><br>Open <a href=\"%2\">%2</a> in a browser and approve it. Waiting...")
                            .arg(userCode.toHtmlEscaped(), url.toHtmlEscaped()));
    refresh();
}

void AccountPage::showSignInResult(const QString &error, bool cancelled, const QString &email)
{
    if (cancelled)
        code->setText(tr("Sign-in cancelled."));
    else if (error.isEmpty())
        // What comes next: the tools still need pointing at droid2api.
        code->setText((email.isEmpty() ? tr("Signed in.") : tr("Signed in as %1.").arg(email.toHtmlEscaped())) + u' '
                      + tr("Next, connect your coding tools on the Clients page."));
    else
        code->setText(tr("Sign-in did not work: %1").arg(error.toHtmlEscaped()));
    refresh();
}

void AccountPage::load(const d2a::Config &config)
{
    const QSignalBlocker block(droidCliSync);
    droidCliSync->setChecked(config.droidCliSync);
    refresh();
}

void AccountPage::store(d2a::Config &config) const
{
    config.droidCliSync = droidCliSync->isChecked();
    if (organization->count() > 1)
        config.factoryOrganization = organization->currentData().toString();
}

void AccountPage::refresh()
{
    using Source = d2a::AuthManager::Source;
    using State = d2a::AuthManager::State;
    const d2a::AuthStatus s = m_controller->proxy()->auth()->status();
    const Source source = s.source;
    const QString &email = s.email;
    QString text;
    // Factory refusing requests counts as much as the checks at start (which may have had no clear answer).
    const bool refused = s.state == State::KeyRejected || m_controller->proxy()->auth()->refusedByRequests();
    if (s.state == State::SignInRequired)
        text = tr("Your Factory sign-in has ended%1: sign in again.")
                   .arg(email.isEmpty() ? QString() : tr(" (%1)").arg(email));
    else if (refused && source == Source::FactoryApiKeyEnv)
        text = tr("Factory refused the key in the FACTORY_API_KEY environment variable. That variable takes "
                  "precedence over a sign-in or a key stored here: remove it (or correct it) and start droid2api "
                  "again.");
    else if (refused && source == Source::ApiKey)
        text = tr("Factory refused this API key: requests fail until you enter a valid key or sign in.");
    else if (refused)
        text = tr("Factory refuses requests with your sign-in%1: sign in again.")
                   .arg(email.isEmpty() ? QString() : tr(" (%1)").arg(email));
    else if (source == Source::RefreshToken) {
        // One human state, in local time, no enum names.
        const QString until = s.accessExpiresAt > 86400 ? QLocale().toString(
                                  QDateTime::fromSecsSinceEpoch(s.accessExpiresAt).toLocalTime(), QLocale::ShortFormat)
                                                        : QString();
        text = email.isEmpty() ? tr("Signed in to Factory.") : tr("Signed in to Factory as %1.").arg(email);
        if (s.state == State::Refreshing)
            text += u' ' + tr("Renewing the sign-in...");
        else if (s.state == State::Unavailable)
            text += u' ' + tr("Factory cannot be reached right now; retrying.");
        else if (!until.isEmpty())
            text += u' ' + tr("Renewed automatically (next before %1).").arg(until);
    } else if (source == Source::FactoryApiKeyEnv)
        text = tr("Using the FACTORY_API_KEY environment variable (it takes precedence over a sign-in here).");
    else if (source == Source::ApiKey)
        text = tr("Using a stored Factory API key.");
    else
        text = tr("Not signed in to Factory. Requests fail unless a client sends its own Factory key: sign in below.");
    if (s.hasStore)
        text += u'\n' + tr("Tokens are kept in: %1").arg(s.storeLocation);
    if (!s.warning.isEmpty())
        text += u'\n' + tr("Warning: %1").arg(s.warning);
    signIn->setText(m_controller->signingIn() ? tr("Cancel sign-in") : tr("Sign in with Factory..."));
    // FACTORY_API_KEY overrides a sign-in: offering one would succeed and change nothing.
    signIn->setEnabled(source != Source::FactoryApiKeyEnv || m_controller->signingIn());
    status->setText(text);
    d2a::AuthManager *auth = m_controller->proxy()->auth();
    const QStringList orgs = auth->organizations();
    {
        const QSignalBlocker block(organization);
        organization->clear();
        for (const QString &o : orgs)
            organization->addItem(o, o);
        organization->setCurrentIndex(qMax(0, orgs.indexOf(auth->organizationId())));
    }
    const bool several = orgs.size() > 1;
    organization->setVisible(several);
    m_orgLabel->setVisible(several);
    apiKey->setPlaceholderText(source == Source::ApiKey ? tr("stored (enter a new key to replace it)") : tr("fk-..."));
    refreshToken->setPlaceholderText(source == Source::RefreshToken ? tr("stored (enter a new token to replace it)")
                                                                    : QString());
    signOut->setEnabled(source == Source::RefreshToken || source == Source::ApiKey);
}
