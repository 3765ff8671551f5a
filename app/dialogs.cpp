#include "dialogs.h"

#include <QtWidgets/qstyle.h>

#include <algorithm>

namespace dialogs {

namespace {

QStyle::StandardPixmap standardPixmap(QMessageBox::Icon kind)
{
    switch (kind) {
    case QMessageBox::Warning: return QStyle::SP_MessageBoxWarning;
    case QMessageBox::Critical: return QStyle::SP_MessageBoxCritical;
    case QMessageBox::Question: return QStyle::SP_MessageBoxQuestion;
    default: return QStyle::SP_MessageBoxInformation;
    }
}

} // namespace

QIcon icon(QMessageBox::Icon kind)
{
    switch (kind) {
    case QMessageBox::Warning: return QIcon(QStringLiteral(":/droid2api/icons/dialog-warning.svg"));
    case QMessageBox::Critical: return QIcon(QStringLiteral(":/droid2api/icons/dialog-error.svg"));
    case QMessageBox::Question: return QIcon(QStringLiteral(":/droid2api/icons/dialog-question.svg"));
    case QMessageBox::Information: return QIcon(QStringLiteral(":/droid2api/icons/dialog-information.svg"));
    default: return {};
    }
}

void makeCrisp(QMessageBox &box)
{
    const QMessageBox::Icon kind = box.icon();
    if (kind == QMessageBox::NoIcon)
        return;
    const int size = box.style()->pixelMetric(QStyle::PM_MessageBoxIconSize, nullptr, &box);
    const qreal dpr = box.devicePixelRatioF();
    // A platform style with large enough bitmaps (or a scalable theme icon, which lists no sizes) is kept.
    const QList<QSize> sizes = box.style()->standardIcon(standardPixmap(kind), nullptr, &box).availableSizes();
    const int largest = sizes.isEmpty() ? 0 : std::max_element(sizes.begin(), sizes.end(), [](QSize a, QSize b) {
                                                  return a.width() < b.width();
                                              })->width();
    if (sizes.isEmpty() || largest >= size * dpr)
        return;
    box.setIconPixmap(icon(kind).pixmap(QSize(size, size), dpr));
}

QMessageBox::StandardButton ask(QWidget *parent, QMessageBox::Icon kind, const QString &title, const QString &text,
                                QMessageBox::StandardButtons buttons, QMessageBox::StandardButton defaultButton)
{
    QMessageBox box(kind, title, text, buttons, parent);
    if (defaultButton != QMessageBox::NoButton)
        box.setDefaultButton(defaultButton);
    makeCrisp(box);
    return QMessageBox::StandardButton(box.exec());
}

} // namespace dialogs
