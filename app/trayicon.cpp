#include "trayicon.h"

#include "dialogs.h"

#include "server/proxyservice.h"

#include <QtCore/qpointer.h>
#include <QtCore/qtimer.h>
#include <QtGui/qactiongroup.h>
#include <QtGui/qclipboard.h>
#include <QtGui/qfont.h>
#include <QtGui/qguiapplication.h>
#include <QtWidgets/qmenu.h>

static void initAppResources()
{
    // The icons live in the static droid2api_gui library: register them explicitly, or the linker drops them.
    Q_INIT_RESOURCE(app_resources);
}

TrayIcon::TrayIcon(AppController *controller, QObject *parent)
    : QObject(parent), m_controller(controller), m_icon(new QSystemTrayIcon(this)), m_menu(new QMenu)
{
    initAppResources();
    m_clock.start();
    // First what needs doing (bold, one click), then the state (a line that opens the screen behind it).
    m_signIn = m_menu->addAction(QString(), controller, &AppController::toggleSignIn);
    QFont bold = m_signIn->font();
    bold.setBold(true);
    m_signIn->setFont(bold);
    m_freePort = m_menu->addAction(tr("Use a &free port"), this, [this] {
        const QString error = m_controller->useFreePort();
        if (!error.isEmpty())
            return notify(Topic::Port, error, QSystemTrayIcon::Critical);
        notify(Topic::Port, tr("droid2api now serves on %1.").arg(m_controller->baseUrl()),
               QSystemTrayIcon::Information);
        // The same question as after Apply in Settings: tools set up for the old port would fail. Asked without
        // blocking (the proxy keeps serving); the box has no parent window, so the answer checks the tray is there.
        dialogs::offerToolUpdates(nullptr, m_controller, askUpdateTools,
                                  [self = QPointer<TrayIcon>(this)](const QString &failed) {
            if (self && !failed.isEmpty())
                self->notify(Topic::Tools, failed, QSystemTrayIcon::Warning);
        });
    });
    m_freePort->setFont(bold);
    m_status = m_menu->addAction(QString(), this, [this] { Q_EMIT fixRequested(m_controller->problem()); });
    m_toggle = m_menu->addAction(QString(), controller, &AppController::toggle);
    m_url = m_menu->addAction(QString(), this, [this] {
        QGuiApplication::clipboard()->setText(m_controller->baseUrl());
        notify(Topic::Copied, tr("Copied %1").arg(m_controller->baseUrl()), QSystemTrayIcon::Information, 2000);
    });
    m_menu->addSeparator();
    QMenu *reasoning = m_menu->addMenu(tr("Reasoning default"));
    m_reasoning = new QActionGroup(this);
    const struct
    {
        d2a::ReasoningLevel level;
        const char *label;
    } levels[] = {
        { d2a::ReasoningLevel::Auto, QT_TR_NOOP("Auto (as the client asks)") },
        { d2a::ReasoningLevel::Off, QT_TR_NOOP("Off") },
        { d2a::ReasoningLevel::Minimal, QT_TR_NOOP("Minimal") },
        { d2a::ReasoningLevel::Low, QT_TR_NOOP("Low") },
        { d2a::ReasoningLevel::Medium, QT_TR_NOOP("Medium") },
        { d2a::ReasoningLevel::High, QT_TR_NOOP("High") },
        { d2a::ReasoningLevel::XHigh, QT_TR_NOOP("Extra high") },
        { d2a::ReasoningLevel::Max, QT_TR_NOOP("Max") },
    };
    for (const auto &l : levels) {
        QAction *a = reasoning->addAction(tr(l.label));
        a->setCheckable(true);
        a->setData(int(l.level));
        m_reasoning->addAction(a);
        connect(a, &QAction::triggered, this, [this, level = l.level] {
            const QString error = m_controller->setReasoningDefault(level);
            if (!error.isEmpty())
                notify(Topic::Setting, error, QSystemTrayIcon::Warning);
        });
    }
    // Routing presets (config routing.preset): which rules choose the model of each request, switched in one click.
    m_routingMenu = m_menu->addMenu(tr("Routing"));
    m_routing = new QActionGroup(this);
    rebuildRouting();
    m_account = m_menu->addAction(QString(), this, &TrayIcon::signInRequested);
    m_menu->addSeparator();
    m_menu->addAction(tr("St&atus..."), this, &TrayIcon::statusRequested);
    m_menu->addAction(tr("&Settings..."), this, &TrayIcon::settingsRequested);
    m_menu->addAction(tr("Acti&vity..."), this, &TrayIcon::activityRequested);
    m_menu->addAction(tr("&Usage..."), this, &TrayIcon::usageRequested);
    m_menu->addSeparator();
    m_menu->addAction(tr("&Quit"), this, &TrayIcon::quitRequested);
    m_icon->setContextMenu(m_menu);

    // Platform conventions: on Windows and Linux a left click opens the settings; on macOS any click shows
    // the menu (the system does that itself for a tray icon with a context menu).
#ifndef Q_OS_MACOS
    connect(m_icon, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger)
            Q_EMIT settingsRequested();
    });
#endif
    // A notification per new problem (not per refresh); clicking it opens the screen that fixes it.
    connect(controller, &AppController::stateChanged, this, [this](AppController::State state, const QString &message) {
        refresh();
        if (state == AppController::State::Stopped) // "now serves on ..." no longer holds
            m_shown.removeIf([](const Shown &s) { return s.topic == Topic::Port; });
        const AppController::Problem problem = m_controller->problem();
        if (problem == m_notifiedProblem)
            return;
        m_notifiedProblem = problem;
        if (problem == AppController::Problem::None) // fixed: not shown again with what comes next
            m_shown.removeIf([](const Shown &s) { return s.topic == Topic::Problem; });
        if (state == AppController::State::Error)
            notify(Topic::Problem, message, QSystemTrayIcon::Critical);
        else if (state == AppController::State::SignInRequired && m_controller->signInFixes())
            notify(Topic::Problem,
                   message + u' ' + tr("Choose \"Sign in to Factory\" in the droid2api menu, or click here."),
                   QSystemTrayIcon::Warning);
        else if (state == AppController::State::SignInRequired)
            notify(Topic::Problem, message, QSystemTrayIcon::Warning);
    });
    connect(m_icon, &QSystemTrayIcon::messageClicked, this, [this] { Q_EMIT fixRequested(m_controller->problem()); });
    connect(controller, &AppController::signInProgress, this,
            [this](const QString &code, const QString &url, bool opened) {
        refresh();
        // Always the page and the code: "opened" only means the system took the URL, not that a browser showed
        // it. It stays while the sign-in waits (the code is also in the menu's Cancel entry).
        notify(Topic::SignIn,
               opened ? tr("Sign in to Factory: approve the code %1 on %2 (opened in your browser).").arg(code, url)
                      : tr("Sign in to Factory: open %1 in a browser and approve the code %2.").arg(url, code),
               QSystemTrayIcon::Information, 120000);
    });
    connect(controller, &AppController::signInFinished, this,
            [this](const QString &error, bool cancelled, const QString &email) {
        refresh();
        if (cancelled) {
            // Replaces the balloon with the code, which no longer works.
            notify(Topic::SignIn, tr("Sign-in cancelled."), QSystemTrayIcon::Information, 3000);
            return;
        }
        if (error.isEmpty())
            notify(Topic::SignIn,
                   email.isEmpty() ? tr("Signed in to Factory.") : tr("Signed in to Factory as %1.").arg(email),
                   QSystemTrayIcon::Information);
        else
            notify(Topic::SignIn, tr("Sign-in did not work: %1").arg(error), QSystemTrayIcon::Warning);
    });
    connect(controller, &AppController::usageWarning, this,
            [this](const QString &message) { notify(Topic::Usage, message, QSystemTrayIcon::Warning); });
    connect(controller, &AppController::modelReplaced, this, [this](const QString &from, const QString &to) {
        notify(Topic::Model,
               tr("%1 is no longer served by Factory; requests now go to %2: change it in Settings").arg(from, to),
               QSystemTrayIcon::Warning, -1, from);
    });
    connect(controller, &AppController::configChanged, this, &TrayIcon::refresh);
    connect(controller, &AppController::authChanged, this, &TrayIcon::refresh);
    auto *poll = new QTimer(this); // circuits open and close with traffic, not with app events
    poll->setInterval(5000);
    connect(poll, &QTimer::timeout, this, &TrayIcon::refresh);
    poll->start();
    refresh();
}

TrayIcon::~TrayIcon()
{
    delete m_menu;
}

void TrayIcon::notify(Topic topic, const QString &text, QSystemTrayIcon::MessageIcon icon, int msecs,
                      const QString &key)
{
    // Clicking it opens the fix of the problem current then (messageClicked).
    m_lastNotification = text;
    m_lastNotificationMs = msecs >= 0 ? msecs : icon == QSystemTrayIcon::Information ? 4000 : 10000;
    // A system shows one balloon: showMessage replaces whatever is up. So the balloon carries every notification
    // still within its time (newest first), and one about the same thing replaces the older (the code of a
    // sign-in gives way to its end).
    expire();
    m_shown.removeIf([&](const Shown &s) { return s.topic == topic && s.key == key; });
    m_shown.append({ topic, key, text, icon, m_clock.elapsed() + m_lastNotificationMs });
    qint64 until = 0;
    auto rank = [](QSystemTrayIcon::MessageIcon i) {
        return i == QSystemTrayIcon::Critical ? 2 : i == QSystemTrayIcon::Warning ? 1 : 0;
    };
    QSystemTrayIcon::MessageIcon worst = QSystemTrayIcon::Information; // the balloon's icon: the gravest shown
    for (const Shown &s : std::as_const(m_shown)) {
        until = qMax(until, s.until);
        if (rank(s.icon) > rank(worst))
            worst = s.icon;
    }
    m_icon->showMessage(tr("droid2api"), shownNotification(), worst, int(until - m_clock.elapsed()));
}

void TrayIcon::expire()
{
    const qint64 now = m_clock.elapsed();
    m_shown.removeIf([now](const Shown &s) { return s.until <= now; });
}

QString TrayIcon::shownNotification() const
{
    const qint64 now = m_clock.elapsed();
    QStringList texts;
    for (auto it = m_shown.crbegin(); it != m_shown.crend(); ++it)
        if (it->until > now)
            texts << it->text;
    return texts.join(QStringLiteral("\n\n"));
}

void TrayIcon::rebuildRouting()
{
    QStringList names;
    QList<bool> shipped;
    for (const d2a::RoutingPreset &p : m_controller->config().routing.allPresets()) {
        names << p.name;
        shipped << p.shipped;
    }
    if (names == m_routingNames)
        return;
    m_routingNames = names;
    for (QAction *a : m_routing->actions())
        delete a;
    // The shipped presets by their translated names; the user's as written.
    static const char *const shippedNames[] = { QT_TR_NOOP("As asked"), QT_TR_NOOP("Save credits"),
                                                QT_TR_NOOP("Think harder") };
    Q_UNUSED(shippedNames)
    for (qsizetype i = 0; i < names.size(); ++i) {
        const QString &name = names.at(i);
        QAction *a = m_routingMenu->addAction(shipped.at(i) ? tr(name.toUtf8().constData()) : name);
        a->setCheckable(true);
        a->setData(name);
        m_routing->addAction(a);
        connect(a, &QAction::triggered, this, [this, name] {
            const QString error = m_controller->setRoutingPreset(name);
            if (!error.isEmpty())
                notify(Topic::Setting, error, QSystemTrayIcon::Warning);
        });
    }
}

QAction *TrayIcon::routingAction(const QString &preset) const
{
    for (QAction *a : m_routing->actions())
        if (a->data().toString() == preset)
            return a;
    return nullptr;
}

QAction *TrayIcon::reasoningAction(d2a::ReasoningLevel level) const
{
    for (QAction *a : m_reasoning->actions())
        if (a->data().toInt() == int(level))
            return a;
    return nullptr;
}

QString TrayIcon::iconPath(AppController::State state)
{
    initAppResources();
    switch (state) {
    case AppController::State::Running: return QStringLiteral(":/droid2api/icons/tray-running.svg");
    case AppController::State::SignInRequired: return QStringLiteral(":/droid2api/icons/tray-signin.svg");
    case AppController::State::Error: return QStringLiteral(":/droid2api/icons/tray-error.svg");
    case AppController::State::Stopped: break;
    }
    return QStringLiteral(":/droid2api/icons/tray-stopped.svg");
}

void TrayIcon::refresh()
{
    const AppController::State state = m_controller->state();
    m_iconPath = iconPath(state);
    m_icon->setIcon(QIcon(m_iconPath));
    const bool running = m_controller->isRunning();
    QString status;
    switch (state) {
    case AppController::State::Running: status = tr("Running on %1").arg(m_controller->baseUrl()); break;
    case AppController::State::Stopped: status = tr("Stopped"); break;
    case AppController::State::SignInRequired:
        status = m_controller->signInCode().isEmpty() ? m_controller->accountSummary()
                                                      : tr("Waiting for the sign-in: approve %1 on %2")
                                                            .arg(m_controller->signInCode(), m_controller->signInUrl());
        break;
    case AppController::State::Error:
        status = m_controller->problem() == AppController::Problem::PortInUse
                     ? tr("Not serving: port %1 is in use").arg(m_controller->config().port)
                     : tr("Not serving: %1").arg(m_controller->stateMessage());
        break;
    }
    const bool needsSignIn = state == AppController::State::SignInRequired && m_controller->signInFixes();
    m_signIn->setVisible(needsSignIn || m_controller->signingIn());
    const QString code = m_controller->signInCode();
    m_signIn->setText(!m_controller->signingIn() ? tr("Sign &in to Factory...")
                      : code.isEmpty()           ? tr("Cancel sign-in (asking Factory for a code)")
                                                 : tr("Cancel sign-in (code %1)").arg(code));
    m_freePort->setVisible(m_controller->problem() == AppController::Problem::PortInUse);
    // Models whose circuit is open (repeated upstream failures) show in the status line and tooltip.
    QStringList open;
    for (const d2a::CircuitBreaker::Circuit &c : m_controller->proxy()->breaker().circuits())
        if (c.state != d2a::CircuitBreaker::State::Closed)
            open << (c.backend == u"factory" ? c.model : tr("%1 on %2").arg(c.model, c.backend));
    if (!open.isEmpty())
        status += u' ' + tr("(circuit open: %1)").arg(open.join(QStringLiteral(", ")));
    m_status->setText(status);
    const QString usage = m_controller->usageToday();
    m_icon->setToolTip((m_controller->stateMessage().isEmpty() ? tr("droid2api - %1").arg(status)
                                                               : tr("droid2api - %1").arg(m_controller->stateMessage()))
                       + (usage.isEmpty() ? QString() : u'\n' + tr("Usage: %1").arg(usage)));
    m_toggle->setText(running ? tr("S&top proxy") : tr("S&tart proxy"));
    m_url->setText(tr("Copy %1").arg(m_controller->baseUrl()));
    m_url->setEnabled(running);
    const QString email = m_controller->accountEmail();
    m_account->setText(email.isEmpty() ? tr("A&ccount...") : tr("A&ccount: %1").arg(email));
    for (QAction *a : m_reasoning->actions())
        a->setChecked(a->data().toInt() == int(m_controller->config().reasoningDefault));
    rebuildRouting();
    const QString preset = m_controller->config().routing.preset;
    for (QAction *a : m_routing->actions())
        a->setChecked(a->data().toString() == (preset.isEmpty() ? d2a::Routing::asAsked() : preset));
}
