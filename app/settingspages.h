#pragma once
// The settings window's pages. Each loads from a Config, validates inline, and stores back into a Config;
// the dialog applies them together (Apply stays disabled until every page is valid).

#include "config/config.h"

#include <QtCore/qabstractitemmodel.h>
#include <QtWidgets/qwidget.h>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QAction;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableView;
class QTableWidget;
QT_END_NAMESPACE

class AppController;

class SettingsPage : public QWidget
{
    Q_OBJECT

public:
    using QWidget::QWidget;
    virtual QString title() const = 0;
    virtual void load(const d2a::Config &config) = 0;
    virtual void store(d2a::Config &config) const = 0;
    /// Empty when the page is valid, else what is wrong (shown inline).
    virtual QString validate() const { return {}; }

Q_SIGNALS:
    void edited();
};

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
    QPushButton *importDroid;
    QPushButton *signOut;
    QLabel *keyResult;    ///< what saving a key or token did, in the credentials box
    QLabel *importResult; ///< what importing from the droid CLI did, under its button

private:
    void report(QLabel *where, const QString &error, const QString &success);
    AppController *m_controller;
    QLabel *m_orgLabel;
};

/// The models the Models page lists, one whole d2a::ModelConfig per row (read-only cells; the page's panel edits).
class ModelTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    explicit ModelTableModel(QObject *parent = nullptr);
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    const QList<d2a::ModelConfig> &models() const { return m_models; }
    const d2a::ModelConfig &at(int row) const { return m_models.at(row); }
    void setModels(const QList<d2a::ModelConfig> &models);
    void replace(int row, const d2a::ModelConfig &m);
    void insert(int row, const d2a::ModelConfig &m);
    void remove(int row);
    void move(int from, int to);

private:
    QList<d2a::ModelConfig> m_models;
};

/// Models: a read-only table (what each costs, its type and reasoning in words) and a panel that edits the
/// selected model, with Copy id and Test (one short real request through the proxy).
class ModelsPage final : public SettingsPage
{
    Q_OBJECT

public:
    /// The table's columns: what a model costs comes right after its name; where it goes, when it retires and
    /// the rest are in the panel, so every column shows without scrolling.
    enum Column { Id, Name, Credits, Type, Reasoning, Fast, ColumnCount };

    ModelsPage(AppController *controller, QWidget *parent = nullptr);
    QString title() const override { return tr("Models"); }
    void load(const d2a::Config &config) override;
    void store(d2a::Config &config) const override;
    QString validate() const override;

    void addModel();
    void removeSelected();
    void moveSelected(int delta);
    void resetToDefaults();
    void selectRow(int row);
    int currentRow() const;
    void testSelected();

    ModelTableModel *models;
    QTableView *table;
    QTableWidget *redirects;
    QAction *copyId;
    QAction *testModel;
    // The panel for the selected model.
    QLineEdit *idEdit;
    QLineEdit *nameEdit;
    QComboBox *typeBox;
    QComboBox *levelBox;
    QComboBox *backendBox;
    QLineEdit *providerEdit;
    QLineEdit *fallbackEdit;
    QCheckBox *fastBox;
    QLabel *facts; ///< what the registry says of it (credits, retirement), read-only
    QPushButton *copyButton;
    QPushButton *testButton;
    QLabel *testResult;

Q_SIGNALS:
    void modelTested(bool ok);

private:
    void showSelected();
    void panelEdited();
    AppController *m_controller;
    QStringList m_backends;
};

class EndpointsPage final : public SettingsPage
{
    Q_OBJECT

public:
    explicit EndpointsPage(QWidget *parent = nullptr);
    QString title() const override { return tr("Endpoints"); }
    void load(const d2a::Config &config) override;
    void store(d2a::Config &config) const override;
    QString validate() const override;
    QLineEdit *url(d2a::ModelType type) const { return m_urls.value(type); }

private:
    QMap<d2a::ModelType, QLineEdit *> m_urls;
};

class ReasoningPage final : public SettingsPage
{
    Q_OBJECT

public:
    explicit ReasoningPage(QWidget *parent = nullptr);
    QString title() const override { return tr("Reasoning"); }
    void load(const d2a::Config &config) override;
    void store(d2a::Config &config) const override;

    QComboBox *level;
    QMap<d2a::ReasoningLevel, QSpinBox *> budgets;
};

class ClientsPage final : public SettingsPage
{
    Q_OBJECT

public:
    ClientsPage(AppController *controller, QWidget *parent = nullptr);
    QString title() const override { return tr("Clients"); }
    void load(const d2a::Config &config) override;
    void store(d2a::Config &) const override { }
    QString snippet(const QString &client) const;
    /// Connect or disconnect Claude Code / Codex: shows the diff, asks (unless `confirm` is false), writes,
    /// then probes the proxy with the client's settings. Returns what the page shows afterwards.
    QString connectClient(const QString &client, bool connecting, bool confirm = true);
    QLabel *result;

Q_SIGNALS:
    void probed(bool ok);

private:
    AppController *m_controller;
    QMap<QString, QPlainTextEdit *> m_snippets;
};
