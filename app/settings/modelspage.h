#pragma once
// The Models page: the models the proxy serves, a table to pick one and a panel to edit it.

#include "settingspage.h"

#include <QtCore/qabstractitemmodel.h>

QT_BEGIN_NAMESPACE
class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTableWidget;
QT_END_NAMESPACE

class AppController;

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
    /// The table's columns: what a model costs comes right after its name; where it goes, its deprecation date and
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
    QLabel *facts; ///< what the registry says of it (credits, deprecation date), read-only
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
