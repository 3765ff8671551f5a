#include "statuswindow.h"

#include "dialogs.h"
#include "uicolors.h"

#include <QtGui/qclipboard.h>
#include <QtGui/qevent.h>
#include <QtGui/qguiapplication.h>
#include <QtGui/qscreen.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qgridlayout.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qmessagebox.h>
#include <QtWidgets/qpushbutton.h>

#include <type_traits>

namespace {
QPushButton *copyButton(QWidget *parent, const std::function<QString()> &text)
{
    auto *b = new QPushButton(StatusWindow::tr("Copy"), parent);
    QObject::connect(b, &QPushButton::clicked, b, [b, text] {
        QGuiApplication::clipboard()->setText(text());
        b->setText(StatusWindow::tr("Copied"));
    });
    return b;
}
} // namespace

StatusWindow::StatusWindow(AppController *controller, QWidget *parent) : QWidget(parent), m_controller(controller)
{
    setWindowTitle(tr("droid2api"));
    setWindowIcon(QIcon(QStringLiteral(":/droid2api/icons/droid2api.svg")));
    auto *layout = new QVBoxLayout(this);
    m_state = new QLabel(this);
    m_state->setWordWrap(true);
    m_state->setTextFormat(Qt::RichText);
    m_fix = new QPushButton(this);
    QFont bold = m_fix->font();
    bold.setBold(true);
    m_fix->setFont(bold);
    auto *stateRow = new QHBoxLayout;
    stateRow->addWidget(m_state, 1);
    stateRow->addWidget(m_fix);
    layout->addLayout(stateRow);

    // A grid: each row takes the height its wrapped text needs at the width it gets (fitHeight() gives the
    // window that height; the rows overlapped with Adwaita's larger metrics).
    auto *form = new QGridLayout;
    form->setColumnStretch(1, 1);
    auto addRow = [this, form](const QString &label, auto *field) {
        const int row = form->rowCount();
        form->addWidget(new QLabel(label, this), row, 0, Qt::AlignLeft | Qt::AlignTop);
        if constexpr (std::is_base_of_v<QLayout, std::remove_pointer_t<decltype(field)>>)
            form->addLayout(field, row, 1);
        else
            form->addWidget(field, row, 1);
    };
    m_address = new QLabel(this);
    m_address->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_openAi = new QLabel(this);
    m_openAi->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *addressRow = new QHBoxLayout;
    addressRow->addWidget(m_address, 1);
    addressRow->addWidget(copyButton(this, [this] { return m_controller->baseUrl(); }));
    auto *openAiRow = new QHBoxLayout;
    openAiRow->addWidget(m_openAi, 1);
    openAiRow->addWidget(copyButton(this, [this] { return m_controller->baseUrl() + QStringLiteral("/v1"); }));
    addRow(tr("Address:"), addressRow);
    addRow(tr("For OpenAI clients:"), openAiRow);
    m_account = new QLabel(this);
    m_account->setWordWrap(true);
    addRow(tr("Account:"), m_account);
    m_usage = new QLabel(this);
    m_usage->setWordWrap(true);
    addRow(tr("Usage:"), m_usage);
    m_tools = new QLabel(this);
    m_tools->setWordWrap(true);
    m_toolButtons = new QVBoxLayout;
    auto *toolsBox = new QVBoxLayout;
    toolsBox->addWidget(m_tools);
    toolsBox->addLayout(m_toolButtons);
    addRow(tr("Coding tools:"), toolsBox);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Last errors:"), this));
    m_errors = new QLabel(this);
    m_errors->setWordWrap(true);
    m_errors->setTextFormat(Qt::RichText);
    m_errors->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errors->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    layout->addWidget(m_errors, 1);

    auto *buttons = new QHBoxLayout;
    m_toggle = new QPushButton(this);
    auto *activity = new QPushButton(tr("&Activity..."), this);
    m_usageButton = new QPushButton(tr("&Usage..."), this);
    auto *settings = new QPushButton(tr("&Settings..."), this);
    auto *quit = new QPushButton(tr("&Quit"), this);
    buttons->addWidget(m_toggle);
    buttons->addWidget(activity);
    buttons->addWidget(m_usageButton);
    buttons->addWidget(settings);
    buttons->addStretch();
    buttons->addWidget(quit);
    layout->addLayout(buttons);

    connect(m_toggle, &QPushButton::clicked, controller, &AppController::toggle);
    connect(activity, &QPushButton::clicked, this, &StatusWindow::activityRequested);
    connect(m_usageButton, &QPushButton::clicked, this, &StatusWindow::usageRequested);
    connect(settings, &QPushButton::clicked, this, [this] { Q_EMIT settingsRequested(-1); });
    connect(quit, &QPushButton::clicked, this, &StatusWindow::quitRequested);
    connect(m_fix, &QPushButton::clicked, this, [this] {
        switch (m_controller->problem()) {
        case AppController::Problem::PortInUse:
            if (m_controller->useFreePort().isEmpty()) {
                // The question's box is this window's child: the answer never comes to a window that is gone.
                dialogs::offerToolUpdates(this, m_controller, askUpdateTools, [this](const QString &failed) {
                    if (!failed.isEmpty())
                        dialogs::ask(this, QMessageBox::Warning, tr("droid2api"), failed);
                    refresh();
                });
            }
            break;
        case AppController::Problem::NoCredentials:
        case AppController::Problem::SignInExpired:
        case AppController::Problem::KeyRejected: m_controller->toggleSignIn(); break;
        case AppController::Problem::ListenFailed: Q_EMIT settingsRequested(0); break;
        case AppController::Problem::EnvKeyRejected: break; // only the variable's owner can fix it
        case AppController::Problem::None:
            if (!m_controller->isRunning())
                m_controller->start();
            break;
        }
        refresh();
    });
    for (auto signal : { &AppController::configChanged, &AppController::authChanged, &AppController::errorsChanged })
        connect(controller, signal, this, &StatusWindow::refresh);
    connect(controller, &AppController::stateChanged, this, &StatusWindow::refresh);
    connect(controller, &AppController::signInProgress, this, &StatusWindow::refresh);
    connect(controller, &AppController::signInFinished, this, &StatusWindow::refresh);
    resize(560, 420);
    refresh();
}

QPushButton *StatusWindow::updateButton(const QString &client) const
{
    for (QPushButton *b : m_updates)
        if (b->property("client").toString() == client)
            return b;
    return nullptr;
}

void StatusWindow::refresh()
{
    const AppController::State state = m_controller->state();
    // Colour and words: green only when requests can work.
    QString colour = QStringLiteral("#9e9e9e");
    QString words;
    switch (state) {
    case AppController::State::Running: {
        // Running, but a coding tool set up for another address or key would fail: name it.
        QStringList stale;
        for (const AppController::ToolLink &t : m_controller->toolLinks())
            if (t.connected && !t.matches)
                stale << t.name;
        colour = toneColor(stale.isEmpty() ? Tone::Good : Tone::Warning, palette()).name();
        words = stale.isEmpty() ? tr("Running: coding tools can use droid2api.")
                                : tr("Running, but %1 is set up for another address or key and fails: update it "
                                     "below.")
                                      .arg(stale.join(QStringLiteral(", ")));
        break;
    }
    case AppController::State::Stopped: words = tr("Stopped: droid2api is not serving."); break;
    case AppController::State::SignInRequired:
        colour = toneColor(Tone::Warning, palette()).name();
        words = m_controller->stateMessage();
        break;
    case AppController::State::Error:
        colour = toneColor(Tone::Error, palette()).name();
        words = m_controller->stateMessage();
        break;
    }
    m_state->setText(QStringLiteral("<span style=\"color:%1; font-size:large\">&#9679;</span> %2")
                         .arg(colour, words.toHtmlEscaped()));
    QString fix;
    switch (m_controller->problem()) {
    case AppController::Problem::PortInUse: fix = tr("Use a &free port"); break;
    case AppController::Problem::NoCredentials:
    case AppController::Problem::SignInExpired:
    case AppController::Problem::KeyRejected:
        fix = !m_controller->signingIn()             ? tr("Sign &in to Factory...")
              : m_controller->signInCode().isEmpty() ? tr("Cancel sign-in")
                                                     : tr("Cancel sign-in (code %1)").arg(m_controller->signInCode());
        break;
    case AppController::Problem::ListenFailed: fix = tr("Open Settings"); break;
    case AppController::Problem::EnvKeyRejected: break;
    case AppController::Problem::None:
        if (state == AppController::State::Stopped)
            fix = tr("S&tart");
        break;
    }
    m_fix->setText(fix);
    m_fix->setVisible(!fix.isEmpty());
    m_address->setText(m_controller->baseUrl());
    m_openAi->setText(m_controller->baseUrl() + QStringLiteral("/v1"));
    m_account->setText(m_controller->accountSummary());
    const QString today = m_controller->usageToday();
    m_usage->setText(today.isEmpty() ? tr("not recorded") : today + u'\n' + m_controller->planSummary());
    // The tools droid2api set up, and whether they still point at today's address and key.
    qDeleteAll(m_updates);
    m_updates.clear();
    QStringList lines;
    for (const AppController::ToolLink &t : m_controller->toolLinks()) {
        if (!t.error.isEmpty()) {
            lines << tr("%1: its settings cannot be read (%2)").arg(t.name, t.error);
        } else if (!t.connected) {
            lines << tr("%1: not connected (Settings > Clients)").arg(t.name);
        } else if (t.matches) {
            lines << tr("%1: connected").arg(t.name);
        } else {
            lines << tr("%1: connected, but set up for another address or key").arg(t.name);
            auto *update = new QPushButton(tr("Update %1").arg(t.name), this);
            update->setProperty("client", t.client);
            connect(update, &QPushButton::clicked, this, [this, client = t.client] {
                const QString error = m_controller->updateTool(client);
                if (!error.isEmpty())
                    dialogs::ask(this, QMessageBox::Warning, tr("droid2api"), error);
                refresh();
            });
            m_toolButtons->addWidget(update);
            m_updates << update;
        }
    }
    m_tools->setText(lines.join(u'\n'));
    const QStringList errors = m_controller->recentErrors();
    QStringList shown;
    // Current ones in red; those fixed since (the state came back to Running) greyed and marked resolved.
    const int current = m_controller->currentErrors();
    for (int i = 0; i < qMin(5, int(errors.size())); ++i)
        shown << (i < current ? QStringLiteral("<span style=\"color:%1\">%2</span>")
                                    .arg(toneColor(Tone::Error, palette()).name(), errors[i].toHtmlEscaped())
                              : QStringLiteral("<span style=\"color:%1\">%2</span>")
                                    .arg(palette().color(QPalette::Disabled, QPalette::WindowText).name(),
                                         tr("%1 (resolved)").arg(errors[i]).toHtmlEscaped()));
    m_errors->setText(shown.isEmpty() ? tr("None.") : shown.join(QStringLiteral("<br>")));
    m_toggle->setText(m_controller->isRunning() ? tr("S&top proxy") : tr("S&tart proxy"));
    fitHeight();
}

void StatusWindow::fitHeight()
{
    // Wrapped rows need more height at this width than the window may have (a larger font or style, a longer
    // sentence): grow to what they need, up to the screen's available height, instead of squeezing them.
    layout()->activate();
    int needed = layout()->totalHeightForWidth(width());
    if (const QScreen *s = screen())
        needed = qMin(needed, s->availableGeometry().height() - 48);
    if (needed > height())
        resize(width(), needed);
}

void StatusWindow::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    fitHeight();
}

void StatusWindow::closeEvent(QCloseEvent *event)
{
    if (!m_trayless || m_closeAnswered) {
        event->accept();
        return;
    }
    // No tray to come back from: ask, and say how to get back.
    if (askOverride) {
        const int answer = askOverride();
        if (answer == QMessageBox::Cancel) {
            event->ignore();
            return;
        }
        event->accept();
        if (answer == QMessageBox::Close)
            Q_EMIT quitRequested();
        return;
    }
    // The window stays until the answer (the proxy keeps serving meanwhile); then it closes, or not.
    event->ignore();
    if (m_closeQuestion && m_closeQuestion->isVisible()) { // already asked: the answer decides
        m_closeQuestion->raise();
        return;
    }
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("droid2api"),
        tr("There is no system tray here. Quit droid2api, or keep serving in the background? Start droid2api "
           "again to bring this window back."),
        QMessageBox::NoButton, this);
    box->addButton(tr("Keep serving"), QMessageBox::AcceptRole);
    QPushButton *quit = box->addButton(tr("Quit"), QMessageBox::DestructiveRole);
    box->addButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, box, quit] {
        if (box->clickedButton() == box->button(QMessageBox::Cancel))
            return;
        m_closeAnswered = true;
        close();
        m_closeAnswered = false;
        if (box->clickedButton() == quit)
            Q_EMIT quitRequested();
    });
    m_closeQuestion = box;
    dialogs::openModal(box);
}
