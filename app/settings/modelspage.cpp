#include "modelspage.h"

#include "appcontroller.h"
#include "uicolors.h"

#include <QtCore/qlocale.h>
#include <QtGui/qaction.h>
#include <QtGui/qclipboard.h>
#include <QtGui/qguiapplication.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcheckbox.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qformlayout.h>
#include <QtWidgets/qgroupbox.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qtablewidget.h>
#include <QtWidgets/qtableview.h>

using d2a::ModelType;
using d2a::ReasoningLevel;

namespace {
const ModelType kTypes[] = { ModelType::Anthropic, ModelType::OpenAI, ModelType::Common, ModelType::Google };

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

QString credits(const d2a::ModelConfig &m)
{
    return m.credits > 0 ? QStringLiteral("\u00d7%1").arg(QLocale().toString(m.credits, 'g', 3)) : QString();
}

QString retirement(const d2a::ModelConfig &m)
{
    // A date is information: the model is served as configured until Factory itself refuses the id.
    return m.replacement.isEmpty()
               ? ModelsPage::tr("Deprecated by Factory from %1; served until Factory refuses it").arg(m.deprecated)
               : ModelsPage::tr("Deprecated by Factory from %1; served until Factory refuses it, then %2 answers")
                     .arg(m.deprecated, m.replacement);
}
} // namespace

ModelTableModel::ModelTableModel(QObject *parent) : QAbstractTableModel(parent)
{
}

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
    if (role == Qt::ToolTipRole && index.column() == ModelsPage::Name)
        return m.name; // the column gives way first: the whole name
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case ModelsPage::Id: return m.id;
    case ModelsPage::Name: return m.name;
    case ModelsPage::Credits: return credits(m);
    case ModelsPage::Type: return typeLabel(m.type);
    case ModelsPage::Reasoning:
        return m.reasoning == ReasoningLevel::Auto ? ModelsPage::tr("Auto") : settingspage::levelLabel(m.reasoning);
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
    case ModelsPage::Name:
        return ModelsPage::tr("Name"); // short: the column that gives way (the panel says "Display name")
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
    // Every column in view at the default size: the names give way (elided, whole in their tooltip) rather than
    // the Fast column being pushed half out of sight.
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setSectionResizeMode(Name, QHeaderView::Stretch);
    table->horizontalHeader()->setStretchLastSection(false);
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
        typeBox->setItemData(typeBox->count() - 1, tr("\"%1\" in config.json").arg(d2a::modelTypeName(t)),
                             Qt::ToolTipRole);
    }
    levelBox = new QComboBox(panel);
    levelBox->setToolTip(tr("The levels this model supports; Auto follows what the client asks for"));
    backendBox = new QComboBox(panel);
    backendBox->setToolTip(tr("Where its requests go: Factory, or a backend from config.json's backends"));
    providerEdit = new QLineEdit(panel);
    providerEdit->setPlaceholderText(tr("as the type says"));
    fallbackEdit = new QLineEdit(panel);
    fallbackEdit->setPlaceholderText(tr("model ids, in order"));
    fallbackEdit->setToolTip(
        tr("Models that take a request over when this one keeps failing, separated by spaces or commas"));
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

    panel->setMaximumWidth(320); // the table keeps the room for its columns under styles with wider fields (Adwaita)
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
    for (QWidget *w : std::initializer_list<QWidget *> { idEdit, nameEdit, typeBox, levelBox, backendBox, providerEdit,
                                                         fallbackEdit, fastBox, copyButton, testButton })
        w->setEnabled(any);
    testResult->clear();
    const d2a::ModelConfig m = any ? models->at(row) : d2a::ModelConfig();
    idEdit->setText(m.id);
    nameEdit->setText(m.name);
    typeBox->setCurrentIndex(typeBox->findData(int(m.type)));
    // The levels this model supports (every level when the registry names none), and whatever it is set to.
    levelBox->clear();
    for (ReasoningLevel l : settingspage::kReasoningLevels)
        if (l == ReasoningLevel::Auto || l == m.reasoning || m.supports(l))
            levelBox->addItem(settingspage::levelLabel(l), int(l));
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
    m.fallback = settingspage::originList(fallbackEdit->text());
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
                                     hop.ok ? QStringLiteral("\u2713") : QStringLiteral("\u2717"),
                                     hop.detail.toHtmlEscaped()));
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
    QStringList from = c.modelRedirects.keys();
    from.sort(Qt::CaseInsensitive); // by requested id, not in the hash's order (which changes from run to run)
    for (const QString &id : std::as_const(from)) {
        const int r = redirects->rowCount();
        redirects->insertRow(r);
        redirects->setItem(r, 0, new QTableWidgetItem(id));
        redirects->setItem(r, 1, new QTableWidgetItem(c.modelRedirects.value(id)));
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
