#include "run.h"

#include "commands.h"
#include "headless.h"
#include "options.h"
#include "output.h"

#include "auth/authmanager.h"
#include "log/log.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qlibraryinfo.h>
#include <QtCore/qlocale.h>
#include <QtCore/qtranslator.h>

namespace cli {
namespace {

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

} // namespace

int run(QCoreApplication &app, Executable executable, Desktop *desktop)
{
    loadTranslations(&app);
    const Options options = parse(app, executable);

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
        return runUsageCommand(days, options.json);
    }

    if (desktop) {
        if (const auto exitCode = desktop->handOver(options))
            return *exitCode;
    }
    const QString configPath = options.configSet ? options.config : d2a::ConfigLoader::userConfigPath();
    auto loaded =
        options.configSet ? d2a::ConfigLoader::loadFile(options.config) : d2a::ConfigLoader::loadOrCreateUserConfig();
    if (!loaded) {
        const QString message =
            QCoreApplication::translate("main", "droid2api: configuration refused: %1").arg(loaded.error().message);
        printLine(stderr, message);
        if (desktop)
            desktop->configRefused(message);
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
        return runClientCommand(positional[0] == u"connect", positional[1], options.yes, options.model, config);
    }
    if (options.backendKeySet) {
        if (!config.findBackend(options.backendKey)) {
            printLine(stderr, QCoreApplication::translate(
                                  "main", "droid2api: backends[] in the config has no backend named '%1'")
                                  .arg(options.backendKey));
            return 2;
        }
        return runAccountCommand(AccountCommand::BackendKey, config, env, options.tokenStore, options.backendKey);
    }
    if (options.signIn || options.signOut || options.importDroidAuth)
        return runAccountCommand(options.signIn    ? AccountCommand::SignIn
                                 : options.signOut ? AccountCommand::SignOut
                                                   : AccountCommand::Import,
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

    if (desktop)
        return desktop->serve(options, configPath, config, env);
    return runHeadless(app, options, config, env, port);
}

} // namespace cli
