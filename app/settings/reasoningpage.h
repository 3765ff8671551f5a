#pragma once
// The Reasoning page: the default reasoning level and the thinking budget of each level.

#include "settingspage.h"

#include <QtCore/qmap.h>

QT_BEGIN_NAMESPACE
class QComboBox;
class QSpinBox;
QT_END_NAMESPACE

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
