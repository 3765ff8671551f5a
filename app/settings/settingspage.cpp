#include "settingspage.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qregularexpression.h>

using d2a::ReasoningLevel;

namespace settingspage {

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

QStringList originList(const QString &text)
{
    return text.split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
}

} // namespace settingspage
