#include "routingpage.h"

#include "server/routechoice.h"
#include "uicolors.h"

#include <QtCore/qregularexpression.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcheckbox.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qformlayout.h>
#include <QtWidgets/qgroupbox.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qspinbox.h>
#include <QtWidgets/qtablewidget.h>

#include <algorithm>

using d2a::ReasoningLevel;
using d2a::RouteRule;
using d2a::RoutingPreset;

namespace {
// The Thinking column's choices, in the combo's order.
enum ThinkingChoice { ThinkingAny, ThinkingYes, ThinkingNo };

bool validPattern(const QString &p)
{
    return QRegularExpression(QRegularExpression::wildcardToRegularExpression(p)).isValid();
}

/// A Claude Code title call: what most people want to route first.
const char kExampleBody[] = R"({"model": "claude-sonnet-4-5-20250929", "max_tokens": 512,
 "messages": [{"role": "user", "content": "Please write a 5-10 word title for this conversation"}]})";
} // namespace

RoutingPage::RoutingPage(QWidget *parent) : SettingsPage(parent)
{
    auto *intro = new QLabel(tr("Rules send each kind of request to the model you choose: Claude Code's title "
                                "calls to a cheap model, thinking turns to the strongest, long prompts to a big "
                                "one. The first rule that matches wins; when none does, model redirects apply."),
                             this);
    intro->setWordWrap(true);
    activeBox = new QComboBox(this);
    listLevels = new QCheckBox(tr("List every model with each reasoning level, as \"gpt-5.4(high)\""), this);
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Requests use:"), this));
    top->addWidget(activeBox, 1);
    top->addSpacing(12);
    top->addWidget(listLevels);

    auto *rulesGroup = new QGroupBox(tr("Presets and their rules"), this);
    presetBox = new QComboBox(rulesGroup);
    newButton = new QPushButton(tr("New"), rulesGroup);
    duplicateButton = new QPushButton(tr("Duplicate"), rulesGroup);
    deleteButton = new QPushButton(tr("Delete"), rulesGroup);
    presetName = new QLineEdit(rulesGroup);
    presetNote = new QLabel(rulesGroup);
    presetNote->setWordWrap(true);
    auto *presetRow = new QHBoxLayout;
    presetRow->addWidget(new QLabel(tr("Preset:"), rulesGroup));
    presetRow->addWidget(presetBox, 1);
    presetRow->addWidget(newButton);
    presetRow->addWidget(duplicateButton);
    presetRow->addWidget(deleteButton);
    presetNameLabel = new QLabel(tr("Name:"), rulesGroup);
    auto *nameRow = new QHBoxLayout;
    nameRow->addWidget(presetNameLabel);
    nameRow->addWidget(presetName, 1);

    rules = new QTableWidget(0, ColumnCount, rulesGroup);
    rules->setHorizontalHeaderLabels({ tr("Name"), tr("Model asked"), tr("Client"), tr("Thinking"),
                                       tr("Prompt tokens ≥"), tr("Tools"), tr("Route"), tr("Served by"), tr("Level") });
    rules->horizontalHeaderItem(Model)->setToolTip(tr("An id, or a pattern with * and ? (\"*haiku*\"); empty: any"));
    rules->horizontalHeaderItem(Client)->setToolTip(tr("The coding tool as the Usage window names it; empty: any"));
    rules->horizontalHeaderItem(Tools)->setToolTip(
        tr("\"none\", \"any\", or a pattern a tool's name or type matches (\"web_search*\"); empty: any"));
    rules->horizontalHeaderItem(Route)->setToolTip(tr("The request path starts with this (\"/v1/messages\")"));
    rules->horizontalHeaderItem(MinTokens)->setToolTip(
        tr("The local estimate of the prompt, as count_tokens answers, is at least this; 0: any"));
    rules->setSelectionBehavior(QAbstractItemView::SelectRows);
    rules->setSelectionMode(QAbstractItemView::SingleSelection);
    rules->verticalHeader()->setVisible(true);
    rules->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    rules->horizontalHeader()->setStretchLastSection(true);
    rules->setMinimumHeight(100);
    addButton = new QPushButton(tr("Add rule"), rulesGroup);
    removeButton = new QPushButton(tr("Remove"), rulesGroup);
    upButton = new QPushButton(tr("Move up"), rulesGroup);
    downButton = new QPushButton(tr("Move down"), rulesGroup);
    auto *ruleButtons = new QHBoxLayout;
    ruleButtons->addWidget(addButton);
    ruleButtons->addWidget(removeButton);
    ruleButtons->addWidget(upButton);
    ruleButtons->addWidget(downButton);
    ruleButtons->addStretch(1);
    auto *rulesLayout = new QVBoxLayout(rulesGroup);
    rulesLayout->addLayout(presetRow);
    rulesLayout->addLayout(nameRow);
    rulesLayout->addWidget(presetNote);
    rulesLayout->addWidget(rules, 1);
    rulesLayout->addLayout(ruleButtons);

    auto *testGroup = new QGroupBox(tr("Test a request"), this);
    testRoute = new QComboBox(testGroup);
    testRoute->setEditable(true);
    testRoute->addItems({ QStringLiteral("/v1/messages"), QStringLiteral("/v1/chat/completions"),
                          QStringLiteral("/v1/responses"),
                          QStringLiteral("/v1beta/models/gemini-3.1-pro-preview:generateContent") });
    testClient = new QComboBox(testGroup);
    testClient->setEditable(true);
    // As usage recording names the tools (the rules' "client" matches these names).
    testClient->addItems({ QStringLiteral("Claude Code"), QStringLiteral("Codex"), QStringLiteral("Gemini CLI"),
                           QStringLiteral("Qwen Code"), QStringLiteral("opencode"), QStringLiteral("Cursor"),
                           QStringLiteral("OpenAI SDK"), QStringLiteral("Anthropic SDK"),
                           QStringLiteral("Google GenAI SDK") });
    testBody = new QPlainTextEdit(testGroup);
    testBody->setPlaceholderText(tr("Paste a request body as a client sends it"));
    testBody->setPlainText(QString::fromUtf8(kExampleBody));
    testBody->setFixedHeight(testBody->fontMetrics().lineSpacing() * 3 + 12);
    testResult = new QLabel(testGroup);
    testResult->setWordWrap(true);
    testResult->setMinimumHeight(testResult->fontMetrics().lineSpacing() * 2 + 4); // room for the answer and its note
    testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *testTop = new QHBoxLayout;
    testTop->addWidget(new QLabel(tr("Route:"), testGroup));
    testTop->addWidget(testRoute, 3);
    testTop->addWidget(new QLabel(tr("Client:"), testGroup));
    testTop->addWidget(testClient, 1);
    auto *testLayout = new QVBoxLayout(testGroup);
    testLayout->addLayout(testTop);
    testLayout->addWidget(testBody);
    testLayout->addWidget(testResult);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(top);
    layout->addWidget(rulesGroup, 2);
    layout->addWidget(testGroup);

    connect(activeBox, &QComboBox::currentIndexChanged, this, &RoutingPage::changed);
    connect(listLevels, &QCheckBox::toggled, this, &RoutingPage::changed);
    connect(presetBox, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_filling)
            showPreset(presetBox->currentData().toString());
    });
    connect(presetName, &QLineEdit::textEdited, this, [this](const QString &text) {
        const int i = userIndex(m_shown);
        if (i < 0)
            return;
        const QString old = m_shown;
        m_user[i].name = text.trimmed();
        m_shown = m_user[i].name;
        const QString active =
            activeBox->currentData().toString() == old ? m_shown : activeBox->currentData().toString();
        fillPresetBoxes(active, m_shown);
        changed();
    });
    connect(newButton, &QPushButton::clicked, this, &RoutingPage::newPreset);
    connect(duplicateButton, &QPushButton::clicked, this, &RoutingPage::duplicatePreset);
    connect(deleteButton, &QPushButton::clicked, this, &RoutingPage::deletePreset);
    connect(addButton, &QPushButton::clicked, this, &RoutingPage::addRule);
    connect(removeButton, &QPushButton::clicked, this, &RoutingPage::removeRule);
    connect(upButton, &QPushButton::clicked, this, [this] { moveRule(-1); });
    connect(downButton, &QPushButton::clicked, this, [this] { moveRule(1); });
    connect(rules, &QTableWidget::itemChanged, this, [this] {
        if (!m_filling) {
            readTable();
            changed();
        }
    });
    connect(rules, &QTableWidget::itemSelectionChanged, this, &RoutingPage::updateButtons);
    connect(testRoute, &QComboBox::currentTextChanged, this, &RoutingPage::updateTest);
    connect(testClient, &QComboBox::currentTextChanged, this, &RoutingPage::updateTest);
    connect(testBody, &QPlainTextEdit::textChanged, this, &RoutingPage::updateTest);
}

QList<RoutingPreset> RoutingPage::allPresets() const
{
    d2a::Routing r;
    r.presets = m_user;
    return r.allPresets();
}

int RoutingPage::userIndex(const QString &name) const
{
    for (qsizetype i = 0; i < m_user.size(); ++i)
        if (m_user.at(i).name == name)
            return int(i);
    return -1;
}

void RoutingPage::load(const d2a::Config &config)
{
    m_config = config;
    m_user = config.routing.presets;
    const QString active = config.routing.preset.isEmpty() ? d2a::Routing::asAsked() : config.routing.preset;
    m_filling = true;
    listLevels->setChecked(config.routing.listLevels);
    m_filling = false;
    fillPresetBoxes(active, active);
    showPreset(active);
}

void RoutingPage::store(d2a::Config &config) const
{
    config.routing.presets = m_user;
    const QString active = activeBox->currentData().toString();
    // "As asked" is also what no preset means: a config without the key keeps it absent.
    if (!(active == d2a::Routing::asAsked() && config.routing.preset.isEmpty()))
        config.routing.preset = active;
    config.routing.listLevels = listLevels->isChecked();
}

QString RoutingPage::validate() const
{
    QStringList names;
    for (const RoutingPreset &p : m_user) {
        if (p.name.isEmpty())
            return tr("a preset needs a name");
        if (names.contains(p.name))
            return tr("two presets are named \"%1\"").arg(p.name);
        names << p.name;
        for (qsizetype i = 0; i < p.rules.size(); ++i) {
            const RouteRule &r = p.rules.at(i);
            const QString where = tr("preset \"%1\", rule %2").arg(p.name).arg(i + 1);
            if (r.target.isEmpty())
                return tr("%1: choose the model that serves it").arg(where);
            if (!m_config.findModel(r.target))
                return tr("%1: \"%2\" is not a configured model").arg(where, r.target);
            for (const QString &pattern : { r.model, r.client, r.tools })
                if (!pattern.isEmpty() && !validPattern(pattern))
                    return tr("%1: \"%2\" is not a valid pattern").arg(where, pattern);
            if (!r.route.isEmpty() && !r.route.startsWith(u'/'))
                return tr("%1: the route must be a path such as /v1/messages").arg(where);
        }
    }
    return {};
}

void RoutingPage::fillPresetBoxes(const QString &active, const QString &shown)
{
    m_filling = true;
    activeBox->clear();
    presetBox->clear();
    for (const RoutingPreset &p : allPresets()) {
        const QString label = p.shipped ? tr("%1 (shipped)").arg(p.name) : p.name;
        activeBox->addItem(label, p.name);
        presetBox->addItem(label, p.name);
    }
    // A preset the config names but nothing defines (removed meanwhile): shown, so Apply does not change it.
    if (activeBox->findData(active) < 0)
        activeBox->addItem(active, active);
    activeBox->setCurrentIndex(activeBox->findData(active));
    presetBox->setCurrentIndex(qMax(0, presetBox->findData(shown)));
    m_filling = false;
}

void RoutingPage::showPreset(const QString &name)
{
    m_shown = name;
    m_filling = true;
    presetBox->setCurrentIndex(qMax(0, presetBox->findData(name)));
    const bool own = userIndex(name) >= 0;
    presetName->setText(name);
    presetName->setVisible(own);
    presetNameLabel->setVisible(own);
    presetNote->setText(own ? QString()
                            : tr("droid2api's own presets cannot be changed: Duplicate one to start your own "
                                 "from it."));
    presetNote->setVisible(!own);
    m_filling = false;
    fillTable();
    updateButtons();
    updateTest();
}

QList<RouteRule> RoutingPage::shownRules() const
{
    for (const RoutingPreset &p : allPresets())
        if (p.name == m_shown)
            return p.rules;
    return {};
}

QWidget *RoutingPage::cellWidget(int row, Column column) const
{
    return rules->cellWidget(row, column);
}

void RoutingPage::fillTable()
{
    m_filling = true;
    const bool own = userIndex(m_shown) >= 0;
    const QList<RouteRule> list = shownRules();
    rules->setRowCount(0);
    rules->setRowCount(int(list.size()));
    QStringList ids;
    for (const d2a::ModelConfig &m : m_config.models)
        ids << m.id;
    for (int row = 0; row < list.size(); ++row) {
        const RouteRule &r = list.at(row);
        const auto text = [&](Column c, const QString &value) {
            auto *item = new QTableWidgetItem(value);
            if (!own)
                item->setFlags(item->flags() & ~Qt::ItemIsEditable);
            rules->setItem(row, c, item);
        };
        text(Name, r.name);
        text(Model, r.model);
        text(Client, r.client);
        text(Tools, r.tools);
        text(Route, r.route);
        auto *thinking = new QComboBox;
        thinking->addItems({ tr("Any"), tr("Yes"), tr("No") });
        thinking->setCurrentIndex(!r.thinking ? ThinkingAny : *r.thinking ? ThinkingYes : ThinkingNo);
        auto *tokens = new QSpinBox;
        tokens->setRange(0, 10'000'000);
        tokens->setSingleStep(10'000);
        tokens->setSpecialValueText(tr("any"));
        tokens->setValue(int(qMin<qint64>(r.minPromptTokens, 10'000'000)));
        auto *target = new QComboBox;
        target->setEditable(true);
        target->addItems(ids);
        target->setCurrentText(r.target);
        auto *level = new QComboBox;
        level->addItem(tr("The model's"), -1);
        for (ReasoningLevel l : settingspage::kReasoningLevels)
            level->addItem(settingspage::levelLabel(l), int(l));
        level->setCurrentIndex(qMax(0, level->findData(r.level ? int(*r.level) : -1)));
        const QList<QWidget *> widgets { thinking, tokens, target, level };
        for (QWidget *w : widgets)
            w->setEnabled(own);
        rules->setCellWidget(row, Thinking, thinking);
        rules->setCellWidget(row, MinTokens, tokens);
        rules->setCellWidget(row, Target, target);
        rules->setCellWidget(row, Level, level);
        const auto edited = [this] {
            if (!m_filling) {
                readTable();
                changed();
            }
        };
        connect(thinking, &QComboBox::currentIndexChanged, this, edited);
        connect(tokens, &QSpinBox::valueChanged, this, edited);
        connect(target, &QComboBox::currentTextChanged, this, edited);
        connect(level, &QComboBox::currentIndexChanged, this, edited);
    }
    m_filling = false;
}

void RoutingPage::readTable()
{
    const int i = userIndex(m_shown);
    if (i < 0)
        return;
    QList<RouteRule> list;
    for (int row = 0; row < rules->rowCount(); ++row) {
        const auto text = [&](Column c) {
            const QTableWidgetItem *item = rules->item(row, c);
            return item ? item->text().trimmed() : QString();
        };
        RouteRule r;
        r.name = text(Name);
        r.model = text(Model);
        r.client = text(Client);
        r.tools = text(Tools);
        r.route = text(Route);
        if (auto *thinking = qobject_cast<QComboBox *>(rules->cellWidget(row, Thinking)))
            r.thinking = thinking->currentIndex() == ThinkingAny
                             ? std::nullopt
                             : std::optional<bool>(thinking->currentIndex() == ThinkingYes);
        if (auto *tokens = qobject_cast<QSpinBox *>(rules->cellWidget(row, MinTokens)))
            r.minPromptTokens = tokens->value();
        if (auto *target = qobject_cast<QComboBox *>(rules->cellWidget(row, Target)))
            r.target = target->currentText().trimmed();
        if (auto *level = qobject_cast<QComboBox *>(rules->cellWidget(row, Level)); level && level->currentData() != -1)
            r.level = ReasoningLevel(level->currentData().toInt());
        list << r;
    }
    m_user[i].rules = list;
}

void RoutingPage::newPreset()
{
    QString name = tr("My rules");
    for (int n = 2; userIndex(name) >= 0 || presetBox->findData(name) >= 0; ++n)
        name = tr("My rules %1").arg(n);
    m_user.append(RoutingPreset { name, {}, false });
    fillPresetBoxes(activeBox->currentData().toString(), name);
    showPreset(name);
    changed();
    presetName->setFocus();
    presetName->selectAll();
}

void RoutingPage::duplicatePreset()
{
    RoutingPreset copy;
    for (const RoutingPreset &p : allPresets())
        if (p.name == m_shown)
            copy = p;
    copy.shipped = false;
    QString name = tr("%1 (copy)").arg(m_shown);
    for (int n = 2; userIndex(name) >= 0 || presetBox->findData(name) >= 0; ++n)
        name = tr("%1 (copy %2)").arg(m_shown).arg(n);
    copy.name = name;
    m_user.append(copy);
    fillPresetBoxes(activeBox->currentData().toString(), name);
    showPreset(name);
    changed();
}

void RoutingPage::deletePreset()
{
    const int i = userIndex(m_shown);
    if (i < 0)
        return;
    m_user.removeAt(i);
    // Requests that used it fall back to a shipped preset of that name, else to "As asked".
    QString active = activeBox->currentData().toString();
    const QList<RoutingPreset> all = allPresets();
    const bool exists = std::any_of(all.cbegin(), all.cend(), [&](const RoutingPreset &p) { return p.name == active; });
    if (!exists)
        active = d2a::Routing::asAsked();
    const QString shown = exists && active == m_shown ? m_shown : active;
    fillPresetBoxes(active, shown);
    showPreset(presetBox->currentData().toString());
    changed();
}

void RoutingPage::addRule()
{
    const int i = userIndex(m_shown);
    if (i < 0)
        return;
    RouteRule r;
    r.target = m_config.models.isEmpty() ? QString() : m_config.models.first().id;
    m_user[i].rules.append(r);
    fillTable();
    rules->selectRow(rules->rowCount() - 1);
    changed();
}

void RoutingPage::removeRule()
{
    const int i = userIndex(m_shown);
    const int row = rules->currentRow();
    if (i < 0 || row < 0 || row >= m_user.at(i).rules.size())
        return;
    m_user[i].rules.removeAt(row);
    fillTable();
    if (rules->rowCount() > 0)
        rules->selectRow(qMin(row, rules->rowCount() - 1));
    changed();
}

void RoutingPage::moveRule(int delta)
{
    const int i = userIndex(m_shown);
    const int row = rules->currentRow();
    const int to = row + delta;
    if (i < 0 || row < 0 || to < 0 || to >= m_user.at(i).rules.size())
        return;
    m_user[i].rules.move(row, to);
    fillTable();
    rules->selectRow(to);
    changed();
}

void RoutingPage::changed()
{
    if (m_filling)
        return;
    updateButtons();
    updateTest();
    Q_EMIT edited();
}

void RoutingPage::updateButtons()
{
    const bool own = userIndex(m_shown) >= 0;
    const int row = rules->currentRow();
    deleteButton->setEnabled(own);
    addButton->setEnabled(own);
    removeButton->setEnabled(own && row >= 0);
    upButton->setEnabled(own && row > 0);
    downButton->setEnabled(own && row >= 0 && row + 1 < rules->rowCount());
}

void RoutingPage::updateTest()
{
    // The preset shown, as edited on this page, with the models and redirects as loaded.
    d2a::Config c = m_config;
    store(c);
    c.routing.preset = m_shown;
    const d2a::RouteExplanation e = d2a::explainRoute(
        c, testRoute->currentText().trimmed(), testClient->currentText().trimmed(), testBody->toPlainText().toUtf8());
    using Problem = d2a::RouteExplanation::Problem;
    QString text;
    std::optional<Tone> tone;
    switch (e.problem) {
    case Problem::NotAGenerationRoute:
        text = tr("%1 is not a route that generates text (such as /v1/messages)").arg(testRoute->currentText());
        tone = Tone::Error;
        break;
    case Problem::NotJson:
        text = tr("The body is not valid JSON: %1").arg(e.detail);
        tone = Tone::Error;
        break;
    case Problem::NotAnObject:
        text = tr("The body must be a JSON object");
        tone = Tone::Error;
        break;
    case Problem::NoModel:
        text = tr("The body names no model (\"model\")");
        tone = Tone::Error;
        break;
    case Problem::None:
        if (e.choice) {
            const RouteRule *rule = nullptr;
            const QList<RouteRule> active = c.routing.activeRules();
            if (e.choice->rule >= 0 && e.choice->rule < active.size())
                rule = &active.at(e.choice->rule);
            text = tr("Rule %1, \"%2\", of \"%3\" matches: %4 asked, served by %5")
                       .arg(e.choice->rule + 1)
                       .arg(rule ? rule->label(e.choice->rule) : QString(), e.choice->preset, e.asked, e.served);
            if (e.choice->level && !e.nameLevel)
                text += tr(" at reasoning level %1").arg(settingspage::levelLabel(*e.choice->level));
            tone = Tone::Good;
        } else if (e.redirected) {
            text = tr("No rule matches: model redirects send %1 to %2").arg(e.asked, e.served);
        } else {
            text = tr("No rule matches: served by %1, as asked").arg(e.served);
        }
        if (e.nameLevel)
            text += tr(" (reasoning level %1, from the model's name)").arg(settingspage::levelLabel(*e.nameLevel));
        if (!c.findModel(e.served)) {
            text += tr("; %1 is not a configured model, so the request would be refused").arg(e.served);
            tone = Tone::Error;
        }
        break;
    }
    if (e.problem == Problem::None && m_shown != activeBox->currentData().toString())
        text +=
            u'\n'
            + tr("(Requests use \"%1\" until you choose this preset above.)").arg(activeBox->currentData().toString());
    testResult->setText(text);
    testResult->setStyleSheet(tone ? QStringLiteral("color: %1;").arg(toneColor(*tone, palette()).name()) : QString());
}
