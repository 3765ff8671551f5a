// droid2api: the executable. The tray app when a display is there; otherwise, or with --headless, the proxy
// alone (cli/headless); the one-shot commands live in cli/commands. All of them use the same ProxyService facade.

#include "auth/authmanager.h"
#include "config/config.h"
#include "log/log.h"

#include "appcontroller.h"
#include "cli/commands.h"
#include "cli/headless.h"
#include "cli/options.h"
#include "cli/output.h"
#include "desktopapp.h"
#include "dialogs.h"
#include "platform/console.h"
#include "platform/signals.h"
#include "platform/singleinstance.h"
#include "screenshots.h"

#include <QtCore/qlibraryinfo.h>
#include <QtCore/qlocale.h>
#include <QtCore/qtranslator.h>
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

void loadTranslations(QCoreApplication *app)
{
    auto *ours = new QTranslator(app);
    if (ours->load(QLocale(), QStringLiteral("droid2api"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(ours);
    auto *qt = new QTranslator(app);
    if (qt->load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
}

int run(QCoreApplication &app, bool gui)
{
    loadTranslations(&app);
    const cli::Options options = cli::parse(app);

    const d2a::Environment env = d2a::Environment::fromProcess();
    d2a::log::install(env.debug);
    if (options.positional == QStringList { QStringLiteral("usage") }) { // needs no config
        bool ok = false;
        const int days = options.days.toInt(&ok);
        if (!ok || days < 1 || days > 3650) {
            printLine(stderr,
                      QCoreApplication::translate("main", "droid2api: --days must be a number of days from 1 to 3650"));
            return 2;
        }
        return cli::runUsageCommand(days, options.json);
    }

    if (gui) {
        // One instance per user: a second launch brings the first one's settings window forward.
        auto *instance = new SingleInstance(SingleInstance::defaultName(), &app);
        if (!options.screenshotsSet && instance->notifyRunning(1000, options.activity ? "activity" : "settings")) {
            printLine(
                stdout,
                options.activity
                    ? QCoreApplication::translate("main", "droid2api is already running; showing its Activity window.")
                    : QCoreApplication::translate("main", "droid2api is already running; showing its window."));
            return 0;
        }
        instance->listen();
        app.setProperty("droid2api.instance", QVariant::fromValue<QObject *>(instance));
    }
    const QString configPath = options.configSet ? options.config : d2a::ConfigLoader::userConfigPath();
    auto loaded =
        options.configSet ? d2a::ConfigLoader::loadFile(options.config) : d2a::ConfigLoader::loadOrCreateUserConfig();
    if (!loaded) {
        const QString message =
            QCoreApplication::translate("main", "droid2api: configuration refused: %1").arg(loaded.error().message);
        printLine(stderr, message);
        if (gui)
            dialogs::ask(nullptr, QMessageBox::Critical, QCoreApplication::translate("main", "droid2api"),
                         message
                             + QCoreApplication::translate(
                                 "main", "\n\nThe file was not changed. Fix it and start droid2api again."));
        return 2;
    }
    d2a::Config config = loaded.value();
    d2a::ConfigLoader::applyEnvironment(config, env);
    d2a::log::setLevel(d2a::log::effectiveLevel(config.logLevel, config.devMode || env.debug));

    if (!options.tokenStore.isEmpty() && !d2a::parseTokenStoreMode(options.tokenStore)) {
        printLine(stderr,
                  QCoreApplication::translate("main", "droid2api: --token-store must be auto, keychain or file"));
        return 2;
    }
    const QStringList &positional = options.positional;
    if (!positional.isEmpty()) {
        if ((positional[0] != u"connect" && positional[0] != u"disconnect") || positional.size() != 2) {
            printLine(stderr,
                      QCoreApplication::translate(
                          "main", "droid2api: usage: droid2api connect|disconnect CLIENT [--yes] [--model ID]"));
            return 2;
        }
        return cli::runClientCommand(positional[0] == u"connect", positional[1], options.yes, options.model, config);
    }
    if (options.backendKeySet) {
        if (!config.findBackend(options.backendKey)) {
            printLine(stderr, QCoreApplication::translate(
                                  "main", "droid2api: backends[] in the config has no backend named '%1'")
                                  .arg(options.backendKey));
            return 2;
        }
        return cli::runAccountCommand(cli::AccountCommand::BackendKey, config, env, options.tokenStore,
                                      options.backendKey);
    }
    if (options.signIn || options.signOut || options.importDroidAuth)
        return cli::runAccountCommand(options.signIn    ? cli::AccountCommand::SignIn
                                      : options.signOut ? cli::AccountCommand::SignOut
                                                        : cli::AccountCommand::Import,
                                      config, env, options.tokenStore);

    int port = -1;
    if (options.portSet) {
        bool ok = false;
        port = options.port.toInt(&ok);
        if (!ok || port < 0 || port > 65535) {
            printLine(stderr,
                      QCoreApplication::translate("main", "droid2api: --port must be a number from 0 to 65535"));
            return 2;
        }
    }

    if (gui)
        return runDesktop(app, options.screenshotDir, configPath, config, env, options.activity);
    return cli::runHeadless(app, options, config, env, port);
}

} // namespace

int main(int argc, char *argv[])
{
    platform::attachParentConsole();
    QCoreApplication::setApplicationName(QStringLiteral("droid2api"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DROID2API_VERSION));
    if (!cli::wantsHeadless(argc, argv) && platform::displayAvailable()) {
        QApplication app(argc, argv);
        QApplication::setQuitOnLastWindowClosed(false); // closing windows never stops the proxy
        return run(app, true);
    }
    QCoreApplication app(argc, argv);
    return run(app, false);
}
