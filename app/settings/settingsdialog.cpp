#include "settingsdialog.h"

#include "appcontroller.h"
#include "dialogs.h"
#include "platform/autostart.h"
#include "uicolors.h"

#include <QtGui/qevent.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qdialogbuttonbox.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlistwidget.h>
#include <QtWidgets/qmessagebox.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qscrollarea.h>
#include <QtWidgets/qstackedwidget.h>

SettingsDialog::SettingsDialog(AppController *controller, QWidget *parent) : QDialog(parent), m_controller(controller)
{
    setWindowTitle(tr("droid2api Settings"));
    setWindowIcon(QIcon(QStringLiteral(":/droid2api/icons/droid2api.svg")));
    resize(1180, 620); // the models table shows all its columns beside its panel; still fits a 1366x768 screen
    m_pages = { new GeneralPage(this),
                new AccountPage(controller, this),
                new ModelsPage(controller, this),
                new RoutingPage(this),
                new EndpointsPage(this),
                new ReasoningPage(this),
                new ClientsPage(controller, this) };
    m_nav = new QListWidget(this);
    m_nav->setMaximumWidth(180);
    m_nav->setStyleSheet(QStringLiteral("QListWidget::item { padding: 6px 8px; }"));
    m_stack = new QStackedWidget(this);
    for (SettingsPage *p : m_pages) {
        m_nav->addItem(p->title());
        // Each page scrolls on its own, so the window fits a 1366x768 screen whatever a page holds.
        auto *scroll = new QScrollArea(m_stack);
        scroll->setWidget(p);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        m_stack->addWidget(scroll);
        connect(p, &SettingsPage::edited, this, [this] {
            if (m_loading)
                return;
            m_dirty = true;
            revalidate();
        });
    }
    connect(m_nav, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Close, this);
    connect(m_buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, [this] { apply(); });
    connect(m_buttons->button(QDialogButtonBox::Ok), &QPushButton::clicked, this, [this] {
        if (!m_dirty)
            hide();
        else
            apply([this] { hide(); }); // after "Update your coding tools?", when Apply asks it
    });
    connect(m_buttons->button(QDialogButtonBox::Close), &QPushButton::clicked, this, [this] {
        if (confirmClose())
            hide();
    });
    auto *top = new QHBoxLayout;
    top->addWidget(m_nav);
    top->addWidget(m_stack, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top, 1);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);
    // A change made elsewhere (the tray) while edits are pending is kept: Apply writes only the edited keys.
    connect(controller, &AppController::configChanged, this, [this] {
        if (!m_dirty)
            reload();
    });
    // Port in use: the General page, where the status line sends the user, says so at the port and offers the
    // same "Use a free port" as the tray.
    auto *general = page<GeneralPage>();
    auto showPortProblem = [this, general] {
        general->showPortProblem(
            m_controller->problem() == AppController::Problem::PortInUse ? m_controller->stateMessage() : QString());
    };
    connect(controller, &AppController::stateChanged, this, showPortProblem);
    connect(general, &GeneralPage::freePortRequested, this, [this] {
        const QString error = m_controller->useFreePort();
        if (!error.isEmpty()) {
            m_message->setText(error);
            return;
        }
        offerToolUpdates({}); // the page shows the new port with the config (configChanged)
    });
    showPortProblem();
    reload();
    m_nav->setCurrentRow(0);
}

void SettingsDialog::showPage(int index)
{
    m_nav->setCurrentRow(index);
}

void SettingsDialog::reload()
{
    m_loading = true;
    m_base = m_controller->config();
    for (SettingsPage *p : m_pages)
        p->load(m_base);
    m_loading = false;
    m_dirty = false;
    revalidate();
}

QString SettingsDialog::validationMessage() const
{
    for (SettingsPage *p : m_pages) {
        const QString e = p->validate();
        if (!e.isEmpty())
            return tr("%1: %2").arg(p->title(), e);
    }
    return {};
}

bool SettingsDialog::canApply() const
{
    return m_buttons->button(QDialogButtonBox::Apply)->isEnabled();
}

void SettingsDialog::revalidate()
{
    const QString error = validationMessage();
    m_message->setStyleSheet(QStringLiteral("color: %1;").arg(toneColor(Tone::Error, palette()).name()));
    m_message->setText(error);
    m_buttons->button(QDialogButtonBox::Apply)->setEnabled(m_dirty && error.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty());
}

QString SettingsDialog::apply(std::function<void()> done)
{
    const QString invalid = validationMessage();
    if (!invalid.isEmpty())
        return invalid;
    d2a::Config c = m_base;
    for (SettingsPage *p : m_pages)
        p->store(c);
    QString error;
    if (c.startAtLogin != m_base.startAtLogin)
        error = Autostart::setEnabled(c.startAtLogin);
    if (error.isEmpty())
        error = m_controller->applyEdits(c, m_base);
    if (!error.isEmpty()) {
        m_message->setText(error);
        return error;
    }
    const bool moved = c.port != m_base.port || c.host != m_base.host || c.accessKey != m_base.accessKey;
    reload(); // what was applied, merged with changes made elsewhere meanwhile
    if (moved)
        offerToolUpdates(std::move(done));
    else if (done)
        done();
    return {};
}

void SettingsDialog::offerToolUpdates(std::function<void()> done)
{
    // Coding tools set up for the old address or key would now fail: say so, and offer to update them. The
    // question's box is this window's child: the answer never comes to a window that is gone.
    dialogs::offerToolUpdates(this, m_controller, askUpdateTools, [this, done](const QString &errors) {
        m_message->setText(errors);
        if (done)
            done();
    });
}

bool SettingsDialog::confirmClose()
{
    if (!m_dirty) {
        reload();
        return true;
    }
    if (m_closeQuestion && m_closeQuestion->isVisible()) { // already asked: the answer decides
        m_closeQuestion->raise();
        return false;
    }
    // Apply is offered only when it can work: with a page invalid, the choice is to discard or to go back.
    const QString invalid = validationMessage();
    m_offered = invalid.isEmpty() ? QMessageBox::Apply | QMessageBox::Discard | QMessageBox::Cancel
                                  : QMessageBox::Discard | QMessageBox::Cancel;
    if (askOverride) {
        const int answer = askOverride();
        if (answer == QMessageBox::Apply)
            return apply().isEmpty();
        if (answer == QMessageBox::Discard) {
            reload();
            return true;
        }
        return false;
    }
    // The window stays until the answer (the proxy keeps serving meanwhile); then it hides, or not.
    m_closeQuestion = dialogs::ask(
        this, QMessageBox::Question, tr("Unsaved changes"),
        invalid.isEmpty() ? tr("Apply your changes before closing?")
                          : tr("Your changes cannot be applied as they are (%1). Discard them?").arg(invalid),
        m_offered, invalid.isEmpty() ? QMessageBox::Apply : QMessageBox::Cancel,
        [this](QMessageBox::StandardButton answer) {
        if (answer == QMessageBox::Apply) {
            apply([this] { hide(); }); // after "Update your coding tools?", when Apply asks it
        } else if (answer == QMessageBox::Discard) {
            reload();
            hide();
        }
        });
    return false;
}

void SettingsDialog::closeEvent(QCloseEvent *event)
{
    if (confirmClose())
        event->accept();
    else
        event->ignore();
}

void SettingsDialog::reject()
{
    if (confirmClose())
        hide();
}
