#include "settingspages.h"

#include "appcontroller.h"
#include "auth/authmanager.h"
#include "dialogs.h"
#include "integrations/clientsetup.h"
#include "server/proxyservice.h"
#include "uicolors.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qlocale.h>
#include <QtCore/qrandom.h>
#include <QtCore/qregularexpression.h>
#include <QtGui/qaction.h>
#include <QtGui/qclipboard.h>
#include <QtGui/qdesktopservices.h>
#include <QtGui/qevent.h>
#include <QtGui/qguiapplication.h>
#include <QtNetwork/qhostaddress.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcheckbox.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qformlayout.h>
#include <QtWidgets/qgroupbox.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qmessagebox.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qspinbox.h>
#include <QtWidgets/qtablewidget.h>
#include <QtWidgets/qtableview.h>

using d2a::ModelType;
using d2a::ReasoningLevel;

namespace {
const ModelType kTypes[] = { ModelType::Anthropic, ModelType::OpenAI, ModelType::Common, ModelType::Google };
const ReasoningLevel kLevels[] = { ReasoningLevel::Auto, ReasoningLevel::Off,   ReasoningLevel::Minimal, ReasoningLevel::Low,
                                   ReasoningLevel::Medium, ReasoningLevel::High, ReasoningLevel::XHigh,   ReasoningLevel::Max };

QString levelLabel(ReasoningLevel l)
{
    switch (l) {
    case ReasoningLevel::Auto: return QCoreApplication::translate("SettingsPage", "Auto (as the client asks)");
    case ReasoningLevel::Off: return QCoreApplication::translate("SettingsPage", "Off");
    case ReasoningLevel::Minimal: return QCoreApplication::translate("SettingsPage", "Minimal");
    case ReasoningLevel::Low: return QCoreApplication::translate("SettingsPage", "Low");
    case ReasoningLevel::Medium: return QCoreApplication::translate("SettingsPage", "Medium");
    case ReasoningLevel::High: return QCoreApplication::translate("SettingsPage", "High");
    case ReasoningLevel::XHigh: return QCoreApplication::translate("SettingsPage", "Extra high");
    case ReasoningLevel::Max: return QCoreApplication::translate("SettingsPage", "Max");
    }
    return {};
}

/// What a model type is called where people read it (the config keeps anthropic/openai/common/google).
QString typeLabel(ModelType t)
{
    switch (t) {
    case ModelType::Anthropic: return ModelsPage::tr("Anthropic Messages");
    case ModelType::OpenAI: return ModelsPage::tr("OpenAI Responses");
    case ModelType::Common: return ModelsPage::tr("OpenAI Chat");
    case ModelType::Google: return ModelsPage::tr("Gemini");
    }
    return {};
}

QComboBox *levelCombo(QWidget *parent)
{
    auto *c = new QComboBox(parent);
    for (ReasoningLevel l : kLevels)
        c->addItem(levelLabel(l), int(l));
    return c;
}

QStringList originList(const QString &text)
{
    return text.split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
}

// "scheme://host[:port]" with * for a port or a name part ("http://localhost:*", "https://*.example.com"),
// "null" (file:// pages, sandboxed frames) or "*" (any page: the user's explicit choice).
bool validOriginPattern(const QString &o)
{
    static const QRegularExpression rx(QStringLiteral("^(\\*|null|[a-z][a-z0-9+.-]*://[^/?#\\s]+)$"),
                                       QRegularExpression::CaseInsensitiveOption);
    return rx.match(o).hasMatch();
}

bool validHttpUrl(const QString &s)
{
    const QUrl u(s.trimmed(), QUrl::StrictMode);
    return u.isValid() && (u.scheme() == u"http" || u.scheme() == u"https") && !u.host().isEmpty();
}
} // namespace

// --- General ----------------------------------------------------------------------------------------------

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
        accessKey->setText(QStringLiteral("d2a-") + QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)));
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
    c.allowedOrigins = originList(allowedOrigins->text());
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
    for (const QString &o : originList(allowedOrigins->text())) {
        if (!validOriginPattern(o))
            return tr("'%1' is not a web origin: write scheme://host or scheme://host:port, such as "
                      "http://localhost:5173 (* stands for any port or name part).").arg(o);
    }
    return {};
}

void GeneralPage::updateOriginsHint()
{
    const QStringList origins = originList(allowedOrigins->text());
    if (origins.isEmpty())
        originsHint->setText(tr("No web page can use droid2api; coding agents and apps are not web pages and are not affected."));
    else if (accessKey->text().trimmed().isEmpty())
        originsHint->setText(tr("The pages you allow can spend your Factory account from your browser: set a local access key "
                                "too, and give it only to the tools you trust."));
    else
        originsHint->setText(tr("The pages you allow must send the local access key."));
}

// --- Account ----------------------------------------------------------------------------------------------

AccountPage::AccountPage(AppController *controller, QWidget *parent) : SettingsPage(parent), m_controller(controller)
{
    auto *layout = new QVBoxLayout(this);
    status = new QLabel(this);
    status->setWordWrap(true);
    status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status);
    auto *signInBox = new QGroupBox(tr("Sign in in the browser, like the droid CLI"), this);
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
    auto *keys = new QGroupBox(tr("Or paste a credential (kept in the OS keychain, never shown again)"), this);
    auto *form = new QFormLayout(keys);
    apiKey = new QLineEdit(keys);
    apiKey->setEchoMode(QLineEdit::Password);
    auto *saveKey = new QPushButton(tr("Save"), keys);
    auto *keyRow = new QHBoxLayout;
    keyRow->addWidget(apiKey, 1);
    keyRow->addWidget(saveKey);
    refreshToken = new QLineEdit(keys);
    refreshToken->setEchoMode(QLineEdit::Password);
    auto *saveToken = new QPushButton(tr("Save"), keys);
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
    droidCliSync = new QCheckBox(tr("Share the sign-in with the droid CLI (write each renewed token back to it)"), this);
    droidCliSync->setToolTip(tr("Factory renews sign-in tokens on every refresh and refuses the old one: without this, the droid CLI "
                                "would have to sign in again after droid2api renewed a sign-in imported from it."));
    layout->addWidget(droidCliSync);
    layout->addStretch();

    d2a::AuthManager *auth = controller->proxy()->auth();
    connect(droidCliSync, &QCheckBox::toggled, this, &SettingsPage::edited);
    connect(organization, &QComboBox::activated, this, [this, auth](int index) {
        const QString id = organization->itemData(index).toString();
        if (id == auth->organizationId())
            return;
        auth->setOrganization(id, this, [this](const QString &err) { report(code, err, tr("Switched organisation.")); });
        Q_EMIT edited(); // the choice is also kept in the config (factory_organization)
    });
    connect(signIn, &QPushButton::clicked, this, &AccountPage::startSignIn);
    connect(saveKey, &QPushButton::clicked, this, [this, auth] {
        if (apiKey->text().trimmed().isEmpty())
            return;
        auth->setApiKey(apiKey->text(), this, [this](const QString &err) { report(keyResult, err, tr("API key saved.")); });
        apiKey->clear(); // never shown back
    });
    connect(saveToken, &QPushButton::clicked, this, [this, auth] {
        if (refreshToken->text().trimmed().isEmpty())
            return;
        auth->setRefreshToken(refreshToken->text(), QStringLiteral("app"), this, [this](const QString &err) { report(keyResult, err, tr("Refresh token saved.")); });
        refreshToken->clear();
    });
    connect(importDroid, &QPushButton::clicked, this, [this, auth] {
        auth->importDroidCli(this, [this](const QString &err) { report(importResult, err, tr("Imported the droid CLI sign-in.")); });
    });
    connect(signOut, &QPushButton::clicked, this, [this, auth] {
        const auto answer = dialogs::ask(this, QMessageBox::Question, tr("Sign out"),
                                         tr("Sign out of Factory? Requests will fail until you sign in again. The stored "
                                            "tokens are deleted."),
                                         QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return;
        auth->signOut(this, [this](const QString &err) { report(code, err, tr("Signed out.")); });
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
                      ? tr("Your code: <b>%1</b><br>Approve it in the browser window that opened (<a href=\"%2\">open it again</a>). Waiting...")
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
        code->setText(email.isEmpty() ? tr("Signed in.") : tr("Signed in as %1.").arg(email.toHtmlEscaped()));
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
    if (s.state == State::SignInRequired)
        text = tr("Your Factory sign-in has ended%1: sign in again.").arg(email.isEmpty() ? QString() : tr(" (%1)").arg(email));
    else if (s.state == State::KeyRejected)
        text = tr("Factory refused this API key: requests fail until you enter a valid key or sign in.");
    else if (source == Source::RefreshToken) {
        // One human state, in local time, no enum names.
        const QString until = s.accessExpiresAt > 86400
            ? QLocale().toString(QDateTime::fromSecsSinceEpoch(s.accessExpiresAt).toLocalTime(), QLocale::ShortFormat)
            : QString();
        text = email.isEmpty() ? tr("Signed in to Factory.") : tr("Signed in to Factory as %1.").arg(email);
        if (s.state == State::Refreshing)
            text += u' ' + tr("Renewing the sign-in...");
        else if (s.state == State::Unavailable)
            text += u' ' + tr("Factory cannot be reached right now; retrying.");
        else if (!until.isEmpty())
            text += u' ' + tr("Renewed automatically (next before %1).").arg(until);
    } else if (source == Source::FactoryApiKeyEnv)
        text = tr("Using the FACTORY_API_KEY environment variable.");
    else if (source == Source::ApiKey)
        text = tr("Using a stored Factory API key.");
    else
        text = tr("Not signed in to Factory. Requests fail unless a client sends its own Factory key: sign in below.");
    if (s.hasStore)
        text += u'\n' + tr("Tokens are kept in: %1").arg(s.storeLocation);
    if (!s.warning.isEmpty())
        text += u'\n' + tr("Warning: %1").arg(s.warning);
    signIn->setText(m_controller->signingIn() ? tr("Cancel sign-in") : tr("Sign in with Factory..."));
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
    refreshToken->setPlaceholderText(source == Source::RefreshToken ? tr("stored (enter a new token to replace it)") : QString());
    signOut->setEnabled(source == Source::RefreshToken || source == Source::ApiKey);
}

// --- Models -----------------------------------------------------------------------------------------------

namespace {
QString credits(const d2a::ModelConfig &m)
{
    return m.credits > 0 ? QStringLiteral("\u00d7%1").arg(QLocale().toString(m.credits, 'g', 3)) : QString();
}

QString retirement(const d2a::ModelConfig &m)
{
    return m.replacement.isEmpty() ? ModelsPage::tr("Retires on %1: then hidden").arg(m.deprecated)
                                   : ModelsPage::tr("Retires on %1: then its requests go to %2").arg(m.deprecated, m.replacement);
}
} // namespace

ModelTableModel::ModelTableModel(QObject *parent) : QAbstractTableModel(parent) { }

int ModelTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_models.size());
}

int ModelTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ModelsPage::ColumnCount;
}

QVariant ModelTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_models.size())
        return {};
    const d2a::ModelConfig &m = m_models.at(index.row());
    if (role == Qt::CheckStateRole && index.column() == ModelsPage::Fast)
        return m.fast ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::ToolTipRole && index.column() == ModelsPage::Type)
        return ModelsPage::tr("\"%1\" in config.json").arg(d2a::modelTypeName(m.type));
    if (role == Qt::ToolTipRole && index.column() == ModelsPage::Id && !m.deprecated.isEmpty())
        return retirement(m);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case ModelsPage::Id: return m.id;
    case ModelsPage::Name: return m.name;
    case ModelsPage::Credits: return credits(m);
    case ModelsPage::Type: return typeLabel(m.type);
    case ModelsPage::Reasoning: return m.reasoning == ReasoningLevel::Auto ? ModelsPage::tr("Auto") : levelLabel(m.reasoning);
    default: return {};
    }
}

QVariant ModelTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole && section == ModelsPage::Credits)
        return ModelsPage::tr("Factory's credit multiplier: what a token of this model costs against the base price");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ModelsPage::Id: return ModelsPage::tr("Model id");
    case ModelsPage::Name: return ModelsPage::tr("Display name");
    case ModelsPage::Credits: return ModelsPage::tr("Credits");
    case ModelsPage::Type: return ModelsPage::tr("Type");
    case ModelsPage::Reasoning: return ModelsPage::tr("Reasoning");
    case ModelsPage::Fast: return ModelsPage::tr("Fast");
    default: return {};
    }
}

Qt::ItemFlags ModelTableModel::flags(const QModelIndex &index) const
{
    // Read-only cells: a model is edited in the panel beside the table, so the wheel scrolls and Tab leaves.
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

void ModelTableModel::setModels(const QList<d2a::ModelConfig> &models)
{
    beginResetModel();
    m_models = models;
    endResetModel();
}

void ModelTableModel::replace(int row, const d2a::ModelConfig &m)
{
    m_models[row] = m;
    Q_EMIT dataChanged(index(row, 0), index(row, ModelsPage::ColumnCount - 1));
}

void ModelTableModel::insert(int row, const d2a::ModelConfig &m)
{
    beginInsertRows({}, row, row);
    m_models.insert(row, m);
    endInsertRows();
}

void ModelTableModel::remove(int row)
{
    beginRemoveRows({}, row, row);
    m_models.removeAt(row);
    endRemoveRows();
}

void ModelTableModel::move(int from, int to)
{
    // beginMoveRows counts the destination before the move: one further down when moving down.
    beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
    m_models.move(from, to);
    endMoveRows();
}

ModelsPage::ModelsPage(AppController *controller, QWidget *parent) : SettingsPage(parent), m_controller(controller)
{
    auto *layout = new QVBoxLayout(this);
    models = new ModelTableModel(this);
    table = new QTableView(this);
    table->setModel(models);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setMinimumSectionSize(48);
    table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->verticalHeader()->setVisible(false);
    table->setTabKeyNavigation(false); // Tab goes on to the panel
    // Right click: copy a model's id (what clients put in "model"), or try it.
    table->setContextMenuPolicy(Qt::ActionsContextMenu);
    copyId = new QAction(tr("&Copy model id"), table);
    testModel = new QAction(tr("&Test this model"), table);
    table->addAction(copyId);
    table->addAction(testModel);
    connect(copyId, &QAction::triggered, this, [this] {
        const int row = currentRow();
        if (row >= 0)
            QGuiApplication::clipboard()->setText(models->at(row).id);
    });

    // The panel: every field of the selected model, with type and reasoning in words.
    auto *panel = new QGroupBox(tr("Selected model"), this);
    auto *form = new QFormLayout(panel);
    idEdit = new QLineEdit(panel);
    nameEdit = new QLineEdit(panel);
    typeBox = new QComboBox(panel);
    for (ModelType t : kTypes) {
        typeBox->addItem(typeLabel(t), int(t));
        typeBox->setItemData(typeBox->count() - 1, tr("\"%1\" in config.json").arg(d2a::modelTypeName(t)), Qt::ToolTipRole);
    }
    levelBox = new QComboBox(panel);
    levelBox->setToolTip(tr("The levels this model supports; Auto follows what the client asks for"));
    backendBox = new QComboBox(panel);
    backendBox->setToolTip(tr("Where its requests go: Factory, or a backend from config.json's backends"));
    providerEdit = new QLineEdit(panel);
    providerEdit->setPlaceholderText(tr("as the type says"));
    fallbackEdit = new QLineEdit(panel);
    fallbackEdit->setPlaceholderText(tr("model ids, in order"));
    fallbackEdit->setToolTip(tr("Models that take a request over when this one keeps failing, separated by spaces or commas"));
    fastBox = new QCheckBox(tr("Fast mode"), panel);
    facts = new QLabel(panel);
    facts->setWordWrap(true);
    form->addRow(tr("Model &id:"), idEdit);
    form->addRow(tr("&Display name:"), nameEdit);
    form->addRow(tr("T&ype:"), typeBox);
    form->addRow(tr("&Reasoning:"), levelBox);
    form->addRow(tr("&Backend:"), backendBox);
    form->addRow(tr("&Provider:"), providerEdit);
    form->addRow(tr("&Fallback:"), fallbackEdit);
    form->addRow(QString(), fastBox);
    form->addRow(facts);
    auto *actions = new QHBoxLayout;
    copyButton = new QPushButton(tr("Copy id"), panel);
    testButton = new QPushButton(tr("Test"), panel);
    testButton->setToolTip(tr("Send this model one short real request through droid2api"));
    actions->addWidget(copyButton);
    actions->addWidget(testButton);
    actions->addStretch();
    form->addRow(actions);
    testResult = new QLabel(panel);
    testResult->setWordWrap(true);
    testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(testResult);
    connect(copyButton, &QPushButton::clicked, copyId, &QAction::trigger);
    connect(testButton, &QPushButton::clicked, testModel, &QAction::trigger);
    connect(testModel, &QAction::triggered, this, &ModelsPage::testSelected);

    panel->setMaximumWidth(340);
    auto *top = new QHBoxLayout;
    top->addWidget(table, 1);
    top->addWidget(panel);
    layout->addLayout(top, 3);
    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add"), this);
    auto *remove = new QPushButton(tr("Remove"), this);
    auto *up = new QPushButton(tr("Move up"), this);
    auto *down = new QPushButton(tr("Move down"), this);
    auto *reset = new QPushButton(tr("Reset to defaults"), this);
    for (QPushButton *b : { add, remove, up, down })
        buttons->addWidget(b);
    buttons->addStretch();
    buttons->addWidget(reset);
    layout->addLayout(buttons);
    layout->addWidget(new QLabel(tr("Model redirects (requested id -> served id):"), this));
    redirects = new QTableWidget(0, 2, this);
    redirects->setHorizontalHeaderLabels({ tr("Requested id"), tr("Served id") });
    redirects->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    redirects->verticalHeader()->setVisible(false);
    redirects->setMaximumHeight(110);
    layout->addWidget(redirects, 1);
    auto *redirectButtons = new QHBoxLayout;
    auto *addRedirect = new QPushButton(tr("Add redirect"), this);
    auto *removeRedirect = new QPushButton(tr("Remove redirect"), this);
    redirectButtons->addWidget(addRedirect);
    redirectButtons->addWidget(removeRedirect);
    redirectButtons->addStretch();
    layout->addLayout(redirectButtons);

    connect(add, &QPushButton::clicked, this, &ModelsPage::addModel);
    connect(remove, &QPushButton::clicked, this, &ModelsPage::removeSelected);
    connect(up, &QPushButton::clicked, this, [this] { moveSelected(-1); });
    connect(down, &QPushButton::clicked, this, [this] { moveSelected(1); });
    connect(reset, &QPushButton::clicked, this, &ModelsPage::resetToDefaults);
    connect(addRedirect, &QPushButton::clicked, this, [this] {
        redirects->insertRow(redirects->rowCount());
        redirects->setItem(redirects->rowCount() - 1, 0, new QTableWidgetItem);
        redirects->setItem(redirects->rowCount() - 1, 1, new QTableWidgetItem);
        Q_EMIT edited();
    });
    connect(removeRedirect, &QPushButton::clicked, this, [this] {
        if (redirects->currentRow() >= 0)
            redirects->removeRow(redirects->currentRow());
        Q_EMIT edited();
    });
    connect(redirects, &QTableWidget::itemChanged, this, &SettingsPage::edited);
    connect(table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { showSelected(); });
    for (QLineEdit *e : { idEdit, nameEdit, providerEdit, fallbackEdit })
        connect(e, &QLineEdit::textEdited, this, &ModelsPage::panelEdited);
    for (QComboBox *c : { typeBox, levelBox, backendBox })
        connect(c, &QComboBox::activated, this, &ModelsPage::panelEdited);
    connect(fastBox, &QCheckBox::clicked, this, &ModelsPage::panelEdited);
    showSelected();
}

int ModelsPage::currentRow() const
{
    const QModelIndex i = table->currentIndex();
    return i.isValid() ? i.row() : -1;
}

void ModelsPage::selectRow(int row)
{
    table->setCurrentIndex(models->index(row, Id));
    table->selectRow(row);
}

void ModelsPage::showSelected()
{
    const int row = currentRow();
    const bool any = row >= 0;
    for (QWidget *w : std::initializer_list<QWidget *> { idEdit, nameEdit, typeBox, levelBox, backendBox, providerEdit, fallbackEdit,
                                                         fastBox, copyButton, testButton })
        w->setEnabled(any);
    testResult->clear();
    const d2a::ModelConfig m = any ? models->at(row) : d2a::ModelConfig();
    idEdit->setText(m.id);
    nameEdit->setText(m.name);
    typeBox->setCurrentIndex(typeBox->findData(int(m.type)));
    // The levels this model supports (every level when the registry names none), and whatever it is set to.
    levelBox->clear();
    for (ReasoningLevel l : kLevels)
        if (l == ReasoningLevel::Auto || l == m.reasoning || m.supports(l))
            levelBox->addItem(levelLabel(l), int(l));
    levelBox->setCurrentIndex(levelBox->findData(int(m.reasoning)));
    backendBox->clear();
    backendBox->addItem(tr("Factory"), QString());
    for (const QString &b : std::as_const(m_backends))
        backendBox->addItem(b, b);
    if (!m.backend.isEmpty() && backendBox->findData(m.backend) < 0)
        backendBox->addItem(m.backend, m.backend);
    backendBox->setCurrentIndex(backendBox->findData(m.backend));
    providerEdit->setText(m.provider);
    fallbackEdit->setText(m.fallback.join(QStringLiteral(", ")));
    fastBox->setChecked(m.fast);
    QStringList about;
    if (m.credits > 0)
        about << tr("Costs %1 the base price in Factory credits.").arg(credits(m));
    if (!m.deprecated.isEmpty())
        about << retirement(m) + u'.';
    facts->setText(about.join(u' '));
}

void ModelsPage::panelEdited()
{
    const int row = currentRow();
    if (row < 0)
        return;
    d2a::ModelConfig m = models->at(row);
    m.id = idEdit->text().trimmed();
    m.name = nameEdit->text().trimmed();
    m.type = ModelType(typeBox->currentData().toInt());
    m.reasoning = ReasoningLevel(levelBox->currentData().toInt());
    m.backend = backendBox->currentData().toString();
    m.provider = providerEdit->text().trimmed();
    m.fallback = originList(fallbackEdit->text());
    m.fast = fastBox->isChecked();
    models->replace(row, m);
    Q_EMIT edited();
}

void ModelsPage::testSelected()
{
    const int row = currentRow();
    if (row < 0)
        return;
    const QString id = models->at(row).id;
    bool applied = false;
    for (const d2a::ModelConfig &m : m_controller->config().models)
        applied = applied || m.id == id;
    if (!applied) {
        testResult->setText(tr("Apply first: droid2api serves %1 once the change is applied.").arg(id));
        return;
    }
    if (!m_controller->isRunning()) {
        testResult->setText(tr("Start the proxy first."));
        return;
    }
    testResult->setText(tr("Asking %1...").arg(id));
    testButton->setEnabled(false);
    m_controller->testModel(id, this, [this, id](const AppController::ProbeHop &hop) {
        testButton->setEnabled(currentRow() >= 0);
        if (currentRow() < 0 || models->at(currentRow()).id != id)
            return; // another model is shown now
        testResult->setText(QStringLiteral("<span style=\"color:%1\">%2 %3</span>")
                                .arg(toneColor(hop.ok ? Tone::Good : Tone::Error, palette()).name(),
                                     hop.ok ? QStringLiteral("\u2713") : QStringLiteral("\u2717"), hop.detail.toHtmlEscaped()));
        Q_EMIT modelTested(hop.ok);
    });
}

void ModelsPage::load(const d2a::Config &c)
{
    const int row = currentRow();
    m_backends.clear();
    for (const d2a::BackendConfig &b : c.backends)
        m_backends << b.name;
    // The whole model is kept per row, so what the table does not show (registry fields) is written back unchanged.
    models->setModels(c.models);
    if (models->rowCount() > 0)
        selectRow(qBound(0, row, models->rowCount() - 1)); // the panel always shows a model
    showSelected();
    const QSignalBlocker block(redirects);
    redirects->setRowCount(0);
    for (auto it = c.modelRedirects.begin(); it != c.modelRedirects.end(); ++it) {
        const int r = redirects->rowCount();
        redirects->insertRow(r);
        redirects->setItem(r, 0, new QTableWidgetItem(it.key()));
        redirects->setItem(r, 1, new QTableWidgetItem(it.value()));
    }
}

void ModelsPage::store(d2a::Config &c) const
{
    c.models.clear();
    for (d2a::ModelConfig m : models->models()) {
        if (m.name.isEmpty())
            m.name = m.id;
        c.models.append(m);
    }
    c.modelRedirects.clear();
    for (int row = 0; row < redirects->rowCount(); ++row) {
        const QString from = redirects->item(row, 0) ? redirects->item(row, 0)->text().trimmed() : QString();
        const QString to = redirects->item(row, 1) ? redirects->item(row, 1)->text().trimmed() : QString();
        if (!from.isEmpty() && !to.isEmpty())
            c.modelRedirects.insert(from, to);
    }
}

QString ModelsPage::validate() const
{
    QSet<QString> seen;
    const QList<d2a::ModelConfig> &all = models->models();
    for (int row = 0; row < all.size(); ++row) {
        const QString id = all.at(row).id;
        if (id.isEmpty())
            return tr("Row %1: the model id is empty.").arg(row + 1);
        if (seen.contains(id))
            return tr("Row %1: the model id '%2' is used twice.").arg(row + 1).arg(id);
        seen.insert(id);
    }
    return {};
}

void ModelsPage::addModel()
{
    d2a::ModelConfig m;
    m.id = tr("new-model");
    m.name = tr("New model");
    m.type = ModelType::Common;
    models->insert(models->rowCount(), m);
    selectRow(models->rowCount() - 1);
    idEdit->setFocus();
    idEdit->selectAll();
    Q_EMIT edited();
}

void ModelsPage::removeSelected()
{
    const int row = currentRow();
    if (row < 0)
        return;
    models->remove(row);
    if (models->rowCount() > 0)
        selectRow(qMin(row, models->rowCount() - 1));
    showSelected();
    Q_EMIT edited();
}

void ModelsPage::moveSelected(int delta)
{
    const int row = currentRow();
    const int target = row + delta;
    if (row < 0 || target < 0 || target >= models->rowCount())
        return;
    models->move(row, target);
    selectRow(target);
    Q_EMIT edited();
}

void ModelsPage::resetToDefaults()
{
    const d2a::Config defaults = d2a::ConfigLoader::defaults();
    d2a::Config c;
    store(c);
    c.models = defaults.models;
    c.modelRedirects = defaults.modelRedirects;
    load(c);
    Q_EMIT edited();
}

// --- Endpoints --------------------------------------------------------------------------------------------

EndpointsPage::EndpointsPage(QWidget *parent) : SettingsPage(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    const struct { ModelType t; const char *label; } rows[] = {
        { ModelType::Anthropic, QT_TR_NOOP("Anthropic models (Messages):") },
        { ModelType::OpenAI, QT_TR_NOOP("OpenAI models (Responses):") },
        { ModelType::Common, QT_TR_NOOP("Other models (Chat Completions):") },
        { ModelType::Google, QT_TR_NOOP("Gemini models:") },
    };
    for (const auto &r : rows) {
        auto *e = new QLineEdit(this);
        m_urls.insert(r.t, e);
        form->addRow(tr(r.label), e);
        connect(e, &QLineEdit::textChanged, this, &SettingsPage::edited);
    }
    layout->addLayout(form);
    auto *reset = new QPushButton(tr("Reset to defaults"), this);
    auto *row = new QHBoxLayout;
    row->addStretch();
    row->addWidget(reset);
    layout->addLayout(row);
    layout->addStretch();
    connect(reset, &QPushButton::clicked, this, [this] {
        const d2a::Config d = d2a::ConfigLoader::defaults();
        for (auto it = m_urls.begin(); it != m_urls.end(); ++it)
            it.value()->setText(d.endpoints.value(it.key()).toString());
    });
}

void EndpointsPage::load(const d2a::Config &c)
{
    for (auto it = m_urls.begin(); it != m_urls.end(); ++it)
        it.value()->setText(c.endpoints.value(it.key()).toString());
}

void EndpointsPage::store(d2a::Config &c) const
{
    for (auto it = m_urls.begin(); it != m_urls.end(); ++it)
        c.endpoints.insert(it.key(), QUrl(it.value()->text().trimmed()));
}

QString EndpointsPage::validate() const
{
    for (auto it = m_urls.begin(); it != m_urls.end(); ++it)
        if (!validHttpUrl(it.value()->text()))
            return tr("'%1' is not a valid http(s) URL.").arg(it.value()->text());
    return {};
}

// --- Reasoning --------------------------------------------------------------------------------------------

ReasoningPage::ReasoningPage(QWidget *parent) : SettingsPage(parent)
{
    auto *form = new QFormLayout(this);
    level = levelCombo(this);
    form->addRow(tr("Default level (for models set to auto):"), level);
    connect(level, &QComboBox::currentIndexChanged, this, &SettingsPage::edited);
    for (ReasoningLevel l : { ReasoningLevel::Low, ReasoningLevel::Medium, ReasoningLevel::High, ReasoningLevel::XHigh }) {
        auto *spin = new QSpinBox(this);
        spin->setRange(1024, 200000);
        spin->setSingleStep(1024);
        spin->setSuffix(tr(" tokens"));
        budgets.insert(l, spin);
        form->addRow(tr("Thinking budget, %1:").arg(levelLabel(l)), spin);
        connect(spin, &QSpinBox::valueChanged, this, &SettingsPage::edited);
    }
    auto *note = new QLabel(tr("Budgets apply to Anthropic models; OpenAI and Gemini models get the level itself. A request "
                               "can still choose with the x-reasoning-level header."), this);
    note->setWordWrap(true);
    form->addRow(note);
}

void ReasoningPage::load(const d2a::Config &c)
{
    level->setCurrentIndex(level->findData(int(c.reasoningDefault)));
    for (auto it = budgets.begin(); it != budgets.end(); ++it)
        it.value()->setValue(c.budgetFor(it.key()));
}

void ReasoningPage::store(d2a::Config &c) const
{
    c.reasoningDefault = ReasoningLevel(level->currentData().toInt());
    for (auto it = budgets.begin(); it != budgets.end(); ++it)
        c.reasoningBudgets.insert(it.key(), it.value()->value());
}

// --- Clients ----------------------------------------------------------------------------------------------

ClientsPage::ClientsPage(AppController *controller, QWidget *parent) : SettingsPage(parent), m_controller(controller)
{
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Ready-to-copy settings for your tools, filled with this proxy's address and key:"), this));
    for (const QString &client : { QStringLiteral("Claude Code"), QStringLiteral("Codex"), QStringLiteral("Cursor"),
                                   QStringLiteral("Continue"), QStringLiteral("OpenAI SDK") }) {
        auto *box = new QGroupBox(client, this);
        auto *boxLayout = new QHBoxLayout(box);
        auto *text = new QPlainTextEdit(box);
        text->setReadOnly(true);
        text->setMaximumHeight(80);
        auto *copy = new QPushButton(tr("Copy"), box);
        auto *buttons = new QVBoxLayout;
        buttons->addWidget(copy);
        const QString id = client == u"Claude Code" ? QStringLiteral("claude-code") : client == u"Codex" ? QStringLiteral("codex") : QString();
        if (!id.isEmpty()) { // droid2api writes these clients' settings itself
            auto *connectButton = new QPushButton(tr("Connect..."), box);
            auto *disconnectButton = new QPushButton(tr("Disconnect..."), box);
            buttons->addWidget(connectButton);
            buttons->addWidget(disconnectButton);
            connect(connectButton, &QPushButton::clicked, this, [this, id] { connectClient(id, true); });
            connect(disconnectButton, &QPushButton::clicked, this, [this, id] { connectClient(id, false); });
        }
        buttons->addStretch();
        boxLayout->addWidget(text, 1);
        boxLayout->addLayout(buttons);
        m_snippets.insert(client, text);
        connect(copy, &QPushButton::clicked, this, [text] { QGuiApplication::clipboard()->setText(text->toPlainText()); });
        layout->addWidget(box);
    }
    result = new QLabel(this);
    result->setWordWrap(true);
    result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(result);
    connect(controller, &AppController::stateChanged, this, [this] { load(m_controller->config()); });
}

QString ClientsPage::snippet(const QString &client) const
{
    return m_snippets.value(client) ? m_snippets.value(client)->toPlainText() : QString();
}

QString ClientsPage::connectClient(const QString &client, bool connecting, bool confirm)
{
    const d2a::ClientSettings settings = m_controller->clientSettings();
    d2a::ClientSetup setup;
    auto plan = connecting ? setup.planConnect(client, settings) : setup.planDisconnect(client);
    if (!plan) {
        result->setText(tr("Not changed: %1").arg(plan.error().message));
        return result->text();
    }
    if (confirm && !plan.value().diff.isEmpty()) {
        QMessageBox box(QMessageBox::Question, tr("droid2api"),
                        connecting ? tr("Write these settings to %1?").arg(plan.value().path) : tr("Restore %1?").arg(plan.value().path),
                        QMessageBox::Apply | QMessageBox::Cancel, this);
        box.setDetailedText(plan.value().diff);
        box.setInformativeText(tr("The previous file is kept as a backup. Details shows the change."));
        dialogs::makeCrisp(box);
        if (box.exec() != QMessageBox::Apply) {
            result->setText(tr("Nothing changed."));
            return result->text();
        }
    }
    auto done = connecting ? setup.apply(plan.value()) : setup.applyDisconnect(plan.value());
    if (!done) {
        result->setText(tr("Failed: %1").arg(done.error().message));
        return result->text();
    }
    QString text = done.value();
    if (connecting) {
        // The probe: a request through the proxy with exactly the URL and key the client now has.
        text += u'\n' + tr("Probe: asking droid2api at %1...").arg(settings.baseUrl);
        const QString written = done.value();
        m_controller->probe(settings.baseUrl, settings.key, this, [this, written, client](const QList<AppController::ProbeHop> &hops) {
            // Each hop on its own line: where the way breaks is where to look.
            QStringList lines { written };
            bool ok = !hops.isEmpty();
            for (const AppController::ProbeHop &h : hops) {
                lines << (h.ok ? tr("\u2713 %1").arg(h.what) : tr("\u2717 %1: %2").arg(h.what, h.detail));
                ok = ok && h.ok;
            }
            lines << (ok ? tr("%1 will work through droid2api.").arg(client) : tr("%1 will not work until this is fixed.").arg(client));
            result->setText(lines.join(u'\n'));
            Q_EMIT probed(ok);
        });
    }
    result->setText(text);
    return text;
}

void ClientsPage::load(const d2a::Config &c)
{
    const QString url = m_controller->baseUrl();
    const QString key = d2a::ClientSetup::settingsFor(url, c.accessKey).key;
    m_snippets[QStringLiteral("Claude Code")]->setPlainText(
        QStringLiteral("export ANTHROPIC_BASE_URL=%1\nexport ANTHROPIC_AUTH_TOKEN=%2\nclaude").arg(url, key));
    m_snippets[QStringLiteral("Codex")]->setPlainText(
        QStringLiteral("# ~/.codex/config.toml\nmodel_provider = \"droid2api\"\nmodel = \"gpt-5.3-codex\"\n[model_providers.droid2api]\n"
                       "name = \"droid2api\"\nbase_url = \"%1/v1\"\nwire_api = \"responses\"\nenv_key = \"DROID2API_KEY\"  # export DROID2API_KEY=%2")
            .arg(url, key));
    m_snippets[QStringLiteral("Cursor")]->setPlainText(
        QStringLiteral("Settings > Models > OpenAI API Key: %2\nOverride OpenAI Base URL: %1/v1").arg(url, key));
    m_snippets[QStringLiteral("Continue")]->setPlainText(
        QStringLiteral("models:\n  - name: Claude via droid2api\n    provider: openai\n    model: claude-sonnet-4-6\n    apiBase: %1/v1\n    apiKey: %2")
            .arg(url, key));
    m_snippets[QStringLiteral("OpenAI SDK")]->setPlainText(
        QStringLiteral("from openai import OpenAI\nclient = OpenAI(base_url=\"%1/v1\", api_key=\"%2\")").arg(url, key));
}
