#include "reasoningpage.h"

#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qformlayout.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qspinbox.h>

using d2a::ReasoningLevel;

namespace {
QComboBox *levelCombo(QWidget *parent)
{
    auto *c = new QComboBox(parent);
    for (ReasoningLevel l : settingspage::kReasoningLevels)
        c->addItem(settingspage::levelLabel(l), int(l));
    return c;
}
} // namespace

ReasoningPage::ReasoningPage(QWidget *parent) : SettingsPage(parent)
{
    auto *form = new QFormLayout(this);
    level = levelCombo(this);
    form->addRow(tr("Default level (for models set to auto):"), level);
    connect(level, &QComboBox::currentIndexChanged, this, &SettingsPage::edited);
    for (ReasoningLevel l :
         { ReasoningLevel::Low, ReasoningLevel::Medium, ReasoningLevel::High, ReasoningLevel::XHigh }) {
        auto *spin = new QSpinBox(this);
        spin->setRange(1024, 200000);
        spin->setSingleStep(1024);
        spin->setSuffix(tr(" tokens"));
        budgets.insert(l, spin);
        form->addRow(tr("Thinking budget, %1:").arg(settingspage::levelLabel(l)), spin);
        connect(spin, &QSpinBox::valueChanged, this, &SettingsPage::edited);
    }
    auto *note =
        new QLabel(tr("Budgets apply to Anthropic models; OpenAI and Gemini models get the level itself. A request "
                      "can still choose with the x-reasoning-level header."),
                   this);
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
