#include "generalpage.h"

#include <QtCore/qrandom.h>
#include <QtCore/qregularexpression.h>
#include <QtGui/qclipboard.h>
#include <QtGui/qguiapplication.h>
#include <QtNetwork/qhostaddress.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcheckbox.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qformlayout.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qpushbutton.h>

namespace {
// "scheme://host[:port]" with * for a port or a name part ("http://localhost:*", "https://*.example.com"),
// "null" (file:// pages, sandboxed frames) or "*" (any page: the user's explicit choice).
bool validOriginPattern(const QString &o)
{
    static const QRegularExpression rx(QStringLiteral("^(\\*|null|[a-z][a-z0-9+.-]*://[^/?#\\s]+)$"),
                                       QRegularExpression::CaseInsensitiveOption);
    return rx.match(o).hasMatch();
}
} // namespace

GeneralPage::GeneralPage(QWidget *parent) : SettingsPage(parent)
{
    auto *form = new QFormLayout(this);
    host = new QLineEdit(this);
    port = new QLineEdit(this);
    startProxy = new QCheckBox(tr("Start the proxy when the app starts"), this);
    startAtLogin = new QCheckBox(tr("Start droid2api when I log in"), this);
    accessKey = new QLineEdit(this);
    accessKey->setEchoMode(QLineEdit::Password);
    accessKey->setPlaceholderText(tr("none: any local client may connect"));
    auto *generate = new QPushButton(tr("Generate"), this);
    auto *copy = new QPushButton(tr("Copy"), this);
    auto *keyRow = new QHBoxLayout;
    keyRow->addWidget(accessKey, 1);
    keyRow->addWidget(generate);
    keyRow->addWidget(copy);
    allowedOrigins = new QLineEdit(this);
    allowedOrigins->setPlaceholderText(tr("none: web pages cannot use droid2api (recommended)"));
    allowedOrigins->setToolTip(tr("Origins of web pages that may call droid2api from a browser, separated by spaces, "
                                  "e.g. http://localhost:5173 or http://localhost:*. Every other page is refused."));
    originsHint = new QLabel(this);
    originsHint->setWordWrap(true);
    logLevel = new QComboBox(this);
    logLevel->addItem(tr("Debug"), QStringLiteral("debug"));
    logLevel->addItem(tr("Info"), QStringLiteral("info"));
    logLevel->addItem(tr("Warnings only"), QStringLiteral("warning"));
    devMode = new QCheckBox(tr("Developer mode (log upstream request headers, credentials redacted)"), this);
    form->addRow(tr("Listen on address:"), host);
    form->addRow(tr("Port:"), port);
    form->addRow(QString(), startProxy);
    form->addRow(QString(), startAtLogin);
    form->addRow(tr("Local access key:"), keyRow);
    form->addRow(tr("Web pages allowed:"), allowedOrigins);
    form->addRow(QString(), originsHint);
    form->addRow(tr("Log level:"), logLevel);
    form->addRow(QString(), devMode);
    connect(generate, &QPushButton::clicked, this, [this] {
        QByteArray bytes(24, Qt::Uninitialized);
        for (char &b : bytes)
            b = char(QRandomGenerator::system()->bounded(256));
        accessKey->setText(
            QStringLiteral("d2a-")
            + QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)));
    });
    connect(copy, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(accessKey->text()); });
    for (QLineEdit *e : { host, port, accessKey, allowedOrigins })
        connect(e, &QLineEdit::textChanged, this, &SettingsPage::edited);
    for (QLineEdit *e : { accessKey, allowedOrigins })
        connect(e, &QLineEdit::textChanged, this, &GeneralPage::updateOriginsHint);
    updateOriginsHint();
    for (QCheckBox *c : { startProxy, startAtLogin, devMode })
        connect(c, &QCheckBox::toggled, this, &SettingsPage::edited);
    connect(logLevel, &QComboBox::currentIndexChanged, this, &SettingsPage::edited);
}

void GeneralPage::load(const d2a::Config &c)
{
    host->setText(c.host);
    port->setText(QString::number(c.port));
    startProxy->setChecked(c.startProxyOnLaunch);
    startAtLogin->setChecked(c.startAtLogin);
    accessKey->setText(c.accessKey);
    allowedOrigins->setText(c.allowedOrigins.join(u' '));
    logLevel->setCurrentIndex(logLevel->findData(c.logLevel));
    devMode->setChecked(c.devMode);
}

void GeneralPage::store(d2a::Config &c) const
{
    c.host = host->text().trimmed();
    c.port = port->text().toInt();
    c.startProxyOnLaunch = startProxy->isChecked();
    c.startAtLogin = startAtLogin->isChecked();
    c.accessKey = accessKey->text().trimmed();
    c.allowedOrigins = settingspage::originList(allowedOrigins->text());
    c.logLevel = logLevel->currentData().toString();
    c.devMode = devMode->isChecked();
}

QString GeneralPage::validate() const
{
    bool ok = false;
    const int p = port->text().toInt(&ok);
    if (!ok || p < 0 || p > 65535)
        return tr("The port must be a number from 1 to 65535 (0 picks a free one at each start).");
    QHostAddress a;
    if (host->text().trimmed() != u"localhost" && !a.setAddress(host->text().trimmed()))
        return tr("The address must be an IP address such as 127.0.0.1, or localhost.");
    for (const QString &o : settingspage::originList(allowedOrigins->text())) {
        if (!validOriginPattern(o))
            return tr("'%1' is not a web origin: write scheme://host or scheme://host:port, such as "
                      "http://localhost:5173 (* stands for any port or name part).")
                .arg(o);
    }
    return {};
}

void GeneralPage::updateOriginsHint()
{
    const QStringList origins = settingspage::originList(allowedOrigins->text());
    if (origins.isEmpty())
        originsHint->setText(
            tr("No web page can use droid2api; coding agents and apps are not web pages and are not affected."));
    else if (accessKey->text().trimmed().isEmpty())
        originsHint->setText(
            tr("The pages you allow can spend your Factory account from your browser: set a local access key "
               "too, and give it only to the tools you trust."));
    else
        originsHint->setText(tr("The pages you allow must send the local access key."));
}
