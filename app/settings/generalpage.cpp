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
#include <QtWidgets/qspinbox.h>

#include "uicolors.h"

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
    port = new QSpinBox(this);
    port->setRange(0, 65535);
    port->setSpecialValueText(tr("any free port"));
    port->setAccelerated(true);
    portProblem = new QLabel(this);
    portProblem->setWordWrap(true);
    useFreePort = new QPushButton(tr("Use a &free port"), this);
    connect(useFreePort, &QPushButton::clicked, this, &GeneralPage::freePortRequested);
    startProxy = new QCheckBox(tr("Start the proxy when the app starts"), this);
    startAtLogin = new QCheckBox(tr("Start droid2api when I log in"), this);
    accessKey = new QLineEdit(this);
    accessKey->setEchoMode(QLineEdit::Password);
    accessKey->setPlaceholderText(tr("none: any local client may connect"));
    revealKey = new QPushButton(tr("Show"), this);
    revealKey->setCheckable(true);
    connect(revealKey, &QPushButton::toggled, this, [this](bool shown) {
        accessKey->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
        revealKey->setText(shown ? tr("Hide") : tr("Show"));
    });
    auto *generate = new QPushButton(tr("Generate"), this);
    auto *copy = new QPushButton(tr("Copy"), this);
    auto *keyRow = new QHBoxLayout;
    keyRow->addWidget(accessKey, 1);
    keyRow->addWidget(revealKey);
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
    auto *portRow = new QHBoxLayout;
    portRow->addWidget(port);
    portRow->addWidget(useFreePort);
    portRow->addStretch();
    form->addRow(tr("Port:"), portRow);
    form->addRow(QString(), portProblem);
    showPortProblem(QString());
    form->addRow(QString(), startProxy);
    form->addRow(QString(), startAtLogin);
    form->addRow(tr("Local access key:"), keyRow);
    form->addRow(tr("Web pages allowed:"), allowedOrigins);
    form->addRow(QString(), originsHint);
    form->addRow(tr("Log level:"), logLevel);
    form->addRow(QString(), devMode);
    connect(port, &QSpinBox::valueChanged, this, &SettingsPage::edited);
    connect(generate, &QPushButton::clicked, this, [this] {
        QByteArray bytes(24, Qt::Uninitialized);
        for (char &b : bytes)
            b = char(QRandomGenerator::system()->bounded(256));
        accessKey->setText(
            QStringLiteral("d2a-")
            + QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)));
    });
    connect(copy, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(accessKey->text()); });
    for (QLineEdit *e : { host, accessKey, allowedOrigins })
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
    port->setValue(c.port);
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
    c.port = port->value();
    c.startProxyOnLaunch = startProxy->isChecked();
    c.startAtLogin = startAtLogin->isChecked();
    c.accessKey = accessKey->text().trimmed();
    c.allowedOrigins = settingspage::originList(allowedOrigins->text());
    c.logLevel = logLevel->currentData().toString();
    c.devMode = devMode->isChecked();
}

QString GeneralPage::validate() const
{
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

void GeneralPage::showPortProblem(const QString &message)
{
    // The port field itself says what is wrong with it, and the fix sits beside it.
    portProblem->setText(message);
    portProblem->setStyleSheet(QStringLiteral("color: %1;").arg(toneColor(Tone::Error, palette()).name()));
    portProblem->setVisible(!message.isEmpty());
    useFreePort->setVisible(!message.isEmpty());
    port->setStyleSheet(
        message.isEmpty()
            ? QString()
            : QStringLiteral("QSpinBox { border: 2px solid %1; }").arg(toneColor(Tone::Error, palette()).name()));
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
