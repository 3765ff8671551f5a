// droid2api: the executable. The tray app when a display is there; otherwise, or with --headless, the proxy
// alone (cli/headless); the one-shot commands live in cli/commands, and cli/run takes the command line from
// start to end, as in droid2api-nox (nox/main.cpp). All of them use the same ProxyService facade.

#include "config/config.h"

#include "appcontroller.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/run.h"
#include "desktopapp.h"
#include "dialogs.h"
#include "platform/console.h"
#include "platform/signals.h"
#include "platform/singleinstance.h"
#include "screenshots.h"

#include <QtWidgets/qapplication.h>
#include <QtWidgets/qmessagebox.h>

using cli::printLine;

namespace {

/// The tray app (or, with `screenshotDir`, PNGs of its windows in the current language).
int runDesktop(QCoreApplication &app, const QString &screenshotDir, const QString &configPath,
               const d2a::Config &config, const d2a::Environment &env, bool showActivity)
{
    AppController controller(configPath, config, env);
    DesktopApp desktop(&controller);
    if (auto *instance = qobject_cast<SingleInstance *>(app.property("droid2api.instance").value<QObject *>()))
        desktop.attach(instance);
    if (config.startProxyOnLaunch)
        controller.start();
    if (controller.isRunning() && screenshotDir.isEmpty()) // the same machine-readable line as --headless
        printLine(stdout, QStringLiteral("droid2api %1 listening on %2")
                              .arg(QStringLiteral(DROID2API_VERSION), controller.baseUrl()));
    if (!screenshotDir.isEmpty())
        return writeScreenshots(desktop, controller, screenshotDir);
    if (showActivity)
        desktop.showActivity();
    platform::installShutdownSignals(&app, [&desktop] { desktop.quit(); });
    return QCoreApplication::exec();
}

/// What the tray app adds to the command line's run (cli::run): one instance per user, a refused config shown
/// in a dialog too, and the tray instead of the headless proxy.
class TrayDesktop final : public cli::Desktop
{
    Q_DISABLE_COPY_MOVE(TrayDesktop)

public:
    explicit TrayDesktop(QCoreApplication &app) : m_app(app) { }

    std::optional<int> handOver(const cli::Options &options) override
    {
        // One instance per user: a second launch brings the first one's settings window forward.
        auto *instance = new SingleInstance(SingleInstance::defaultName(), &m_app);
        if (!options.screenshotsSet && instance->notifyRunning(1000, options.activity ? "activity" : "settings")) {
            printLine(
                stdout,
                options.activity
                    ? QCoreApplication::translate("main", "droid2api is already running; showing its Activity window.")
                    : QCoreApplication::translate("main", "droid2api is already running; showing its window."));
            return 0;
        }
        instance->listen();
        m_app.setProperty("droid2api.instance", QVariant::fromValue<QObject *>(instance));
        return std::nullopt;
    }

    void configRefused(const QString &message) override
    {
        // The one exec() left in the app's own windows, on purpose: no proxy exists yet (nothing is served, no
        // request can wait), and the process ends once the user has read it.
        QMessageBox box(QMessageBox::Critical, QCoreApplication::translate("main", "droid2api"),
                        message
                            + QCoreApplication::translate(
                                "main", "\n\nThe file was not changed. Fix it and start droid2api again."),
                        QMessageBox::Ok);
        dialogs::makeCrisp(box);
        box.exec();
    }

    int serve(const cli::Options &options, const QString &configPath, const d2a::Config &config,
              const d2a::Environment &env) override
    {
        return runDesktop(m_app, options.screenshotDir, configPath, config, env, options.activity);
    }

private:
    QCoreApplication &m_app;
};

} // namespace

int main(int argc, char *argv[])
{
    platform::attachParentConsole();
    QCoreApplication::setApplicationName(QStringLiteral("droid2api"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DROID2API_VERSION));
    if (!cli::wantsHeadless(argc, argv) && platform::displayAvailable()) {
        QApplication app(argc, argv);
        QApplication::setQuitOnLastWindowClosed(false); // closing windows never stops the proxy
        TrayDesktop desktop(app);
        return cli::run(app, cli::Executable::Gui, &desktop);
    }
    QCoreApplication app(argc, argv);
    return cli::run(app, cli::Executable::Gui, nullptr);
}
