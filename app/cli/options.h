#pragma once
// The command line: every option droid2api takes, parsed once (QCommandLineParser handles --help and
// --version and exits). Values stay as given; the caller checks them where the check always happened, so the
// order of error messages does not change.

#include <QtCore/qstringlist.h>

QT_BEGIN_NAMESPACE
class QCoreApplication;
QT_END_NAMESPACE

namespace cli {

/// Which executable runs: droid2api (the desktop app where it can) or droid2api-nox (always headless, no Widgets).
enum class Executable { Gui, Nox };

struct Options
{
    bool headless = false; ///< --headless, or droid2api-nox
    bool configSet = false;
    QString config; ///< --config <file>
    QString host; ///< --host (empty: from the config)
    bool portSet = false;
    QString port;
    bool signIn = false;
    bool signOut = false;
    bool importDroidAuth = false;
    QString tokenStore; ///< --token-store (empty: from the config)
    bool screenshotsSet = false;
    QString screenshotDir;
    bool backendKeySet = false;
    QString backendKey; ///< --backend-key <name>
    bool yes = false;
    QString model;
    QString days; ///< --days, "30" unless given
    bool json = false;
    bool activity = false;
    QStringList positional; ///< connect|disconnect CLIENT, or usage
};

/// Flags that never need a display: the headless proxy, account commands, help and version (read before the
/// application object exists, which decides between QApplication and QCoreApplication).
bool wantsHeadless(int argc, char *argv[]);

/// Parses the application's arguments; prints help, the version or a parse error and exits where
/// QCommandLineParser does. droid2api-nox takes the same options (--headless too, so scripts work with either),
/// and its help leaves out the desktop app's --activity.
Options parse(const QCoreApplication &app, Executable executable);

} // namespace cli
