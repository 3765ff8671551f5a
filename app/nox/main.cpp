// droid2api-nox: droid2api without the desktop app, for servers and containers (as qBittorrent ships
// qbittorrent-nox). It links Qt Core, Network and Sql only, never Gui or Widgets, and runs the same command line
// as droid2api (cli/run): every option and command, --headless accepted, and the proxy always headless.

#include "cli/run.h"

#include <QtCore/qcoreapplication.h>

int main(int argc, char *argv[])
{
    // The same name as droid2api: the same config, token store and usage database.
    QCoreApplication::setApplicationName(QStringLiteral("droid2api"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DROID2API_VERSION));
    QCoreApplication app(argc, argv);
    return cli::run(app, cli::Executable::Nox, nullptr);
}
