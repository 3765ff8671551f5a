#include "dialogs.h"

#include "appcontroller.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qpointer.h>
#include <QtGui/qcursor.h>
#include <QtGui/qguiapplication.h>
#include <QtGui/qscreen.h>
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

void openModal(QMessageBox *box)
{
    // exec() showed it application-modal: the same here (open() would make it window-modal), minus the loop.
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::ApplicationModal);
    makeCrisp(*box);
    box->show();
}

QMessageBox *ask(QWidget *parent, QMessageBox::Icon kind, const QString &title, const QString &text,
                 QMessageBox::StandardButtons buttons, QMessageBox::StandardButton defaultButton,
                 std::function<void(QMessageBox::StandardButton)> then)
{
    auto *box = new QMessageBox(kind, title, text, buttons, parent);
    if (defaultButton != QMessageBox::NoButton)
        box->setDefaultButton(defaultButton);
    if (then)
        // finished() carries what exec() returned: the standard button clicked.
        QObject::connect(box, &QMessageBox::finished, box,
                         [then](int answer) { then(QMessageBox::StandardButton(answer)); });
    openModal(box);
    return box;
}

void placeOnScreen(QWidget *window)
{
    if (window->property("droid2api.placed").toBool())
        return;
    window->setProperty("droid2api.placed", true);
    QScreen *screen = QGuiApplication::screenAt(QCursor::pos());
    if (!screen)
        screen = window->screen() ? window->screen() : QGuiApplication::primaryScreen();
    if (!screen)
        return;
    const QRect available = screen->availableGeometry();
    // The frame is drawn outside the widget and unknown before the first show: a title bar and borders.
    const QMargins frame(8, 36, 8, 8);
    const QSize room = available.size().shrunkBy(frame);
    window->resize(window->size().boundedTo(room).expandedTo(window->minimumSize()));
    QRect outer(QPoint(), window->size().grownBy(frame));
    outer.moveCenter(available.center());
    // Never above or left of the available area (a window larger than the screen keeps its title bar reachable).
    outer.moveTopLeft(QPoint(qMax(available.left(), outer.left()), qMax(available.top(), outer.top())));
    window->move(outer.topLeft());
}

void offerToolUpdates(QWidget *parent, AppController *controller,
                      const std::function<bool(const QStringList &names)> &askOverride,
                      std::function<void(const QString &errors)> done)
{
    QStringList names;
    QStringList clients;
    for (const AppController::ToolLink &t : controller->toolLinks())
        if (t.connected && !t.matches) {
            names << t.name;
            clients << t.client;
        }
    if (clients.isEmpty())
        return done(QString());
    const auto update = [controller = QPointer<AppController>(controller), clients, done](bool agreed) {
        QStringList errors;
        for (const QString &client : std::as_const(clients)) {
            if (!agreed || !controller)
                break;
            const QString e = controller->updateTool(client);
            if (!e.isEmpty())
                errors << e;
        }
        done(errors.join(u'\n'));
    };
    if (askOverride)
        return update(askOverride(names));
    // The context stays SettingsDialog's, where the question was first asked (its translation is there).
    ask(parent, QMessageBox::Question, QCoreApplication::translate("SettingsDialog", "Update your coding tools?"),
        QCoreApplication::translate("SettingsDialog", "%1 still point at the old address or key and would fail. "
                                                      "Update their settings now? (A backup of each file is kept.)")
            .arg(names.join(QStringLiteral(", "))),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes,
        [update](QMessageBox::StandardButton answer) { update(answer == QMessageBox::Yes); });
}

} // namespace dialogs
