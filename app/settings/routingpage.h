#pragma once
// The Routing page: which rule set (preset) requests use, the user's own presets and their rules (what a
// request must show, the model and level that serve it, in order), and a box that tests a pasted request
// against the rules as edited, before they are applied (README "Routing rules").

#include "config/routingrules.h"
#include "settingspage.h"

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
QT_END_NAMESPACE

class RoutingPage final : public SettingsPage
{
    Q_OBJECT

public:
    /// The rule table's columns: what a request must show, then what serves it.
    enum Column { Name, Model, Client, Thinking, MinTokens, Tools, Route, Target, Level, ColumnCount };

    explicit RoutingPage(QWidget *parent = nullptr);
    QString title() const override { return tr("Routing"); }
    void load(const d2a::Config &config) override;
    void store(d2a::Config &config) const override;
    QString validate() const override;

    /// The preset the table shows (tests; the "Edit" box does this).
    void showPreset(const QString &name);
    /// A new empty preset of the user's, shown for editing.
    void newPreset();
    /// A copy of the shown preset (shipped ones cannot be changed: this is how to start from one).
    void duplicatePreset();
    void deletePreset();
    void addRule();
    void removeRule();
    void moveRule(int delta);
    /// The rules of the shown preset as the table holds them.
    QList<d2a::RouteRule> shownRules() const;
    /// The cell widget of a rule's column (Thinking, MinTokens, Target, Level), for tests.
    QWidget *cellWidget(int row, Column column) const;

    QComboBox *activeBox; ///< "Requests use": the active preset
    QCheckBox *listLevels; ///< routing.list_levels
    QComboBox *presetBox; ///< the preset shown in the table
    QLineEdit *presetName; ///< shown for the user's own presets
    QLabel *presetNameLabel;
    QLabel *presetNote;
    QPushButton *newButton;
    QPushButton *duplicateButton;
    QPushButton *deleteButton;
    QTableWidget *rules;
    QPushButton *addButton;
    QPushButton *removeButton;
    QPushButton *upButton;
    QPushButton *downButton;
    // Test a request.
    QComboBox *testRoute;
    QComboBox *testClient;
    QPlainTextEdit *testBody;
    QLabel *testResult;

private:
    QList<d2a::RoutingPreset> allPresets() const;
    int userIndex(const QString &name) const;
    void fillPresetBoxes(const QString &active, const QString &shown);
    void fillTable();
    void readTable();
    void changed();
    void updateButtons();
    void updateTest();

    d2a::Config m_config; ///< as loaded: the models, the redirects (for the targets and the test box)
    QList<d2a::RoutingPreset> m_user; ///< the user's presets as edited
    QString m_shown;
    bool m_filling = false;
};
