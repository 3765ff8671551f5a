#pragma once
// The base of the settings window's pages, and the few helpers more than one page uses. Each page loads from a
// Config, validates inline, and stores back into a Config; the dialog applies them together (Apply stays
// disabled until every page is valid).

#include "config/config.h"

#include <QtWidgets/qwidget.h>

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

namespace settingspage {
/// The reasoning levels in the order people pick them.
inline constexpr d2a::ReasoningLevel kReasoningLevels[] = {
    d2a::ReasoningLevel::Auto,   d2a::ReasoningLevel::Off,  d2a::ReasoningLevel::Minimal, d2a::ReasoningLevel::Low,
    d2a::ReasoningLevel::Medium, d2a::ReasoningLevel::High, d2a::ReasoningLevel::XHigh,   d2a::ReasoningLevel::Max,
};
/// What a reasoning level is called where people read it.
QString levelLabel(d2a::ReasoningLevel l);
/// A list typed into one line edit, split at spaces and commas.
QStringList originList(const QString &text);
} // namespace settingspage
