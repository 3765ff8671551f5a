#include "headless.h"

#include "options.h"
#include "output.h"
#include "platform/console.h"
#include "platform/signals.h"

#include "server/proxyservice.h"

#include <QtCore/qcoreapplication.h>

namespace cli {

int runHeadless(QCoreApplication &app, const Options &options, const d2a::Config &config, const d2a::Environment &env,
                int port)
{
    if (!options.headless && !platform::displayAvailable()) {
        printLine(
            stdout,
            QCoreApplication::translate(
                "main",
                "droid2api: no display found, so the proxy runs headless (the tray app needs a desktop session)."));
    }

    d2a::ProxyService proxy;
    proxy.setEnvironment(env);
    proxy.setConfig(config);
    proxy.startAuth(options.tokenStore);
    const auto started = proxy.start(options.host, port);
    if (!started) {
        printLine(stderr, QCoreApplication::translate("main", "droid2api: %1").arg(started.error().message));
        return 1;
    }

    bool shuttingDown = false;
    platform::installShutdownSignals(&app, [&] {
        if (shuttingDown) {
            printLine(stderr, QCoreApplication::translate("main", "droid2api: second signal, exiting now"));
            QCoreApplication::exit(0);
            return;
        }
        shuttingDown = true;
        printLine(stderr, QCoreApplication::translate("main", "droid2api: shutting down"));
        proxy.shutdown(config.timeouts.shutdownMs);
    });
    QObject::connect(&proxy, &d2a::ProxyService::shutdownFinished, &app, [](bool) { QCoreApplication::exit(0); });

    printLine(stdout, QCoreApplication::translate("main", "droid2api %1 listening on %2")
                          .arg(QCoreApplication::applicationVersion(), proxy.baseUrl()));
    return app.exec();
}

} // namespace cli
