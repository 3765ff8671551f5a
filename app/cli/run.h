#pragma once
// The command line of droid2api and droid2api-nox, start to end: translations (droid2api's own, embedded under
// :/i18n, and Qt's), the options, the commands that do one thing and exit, the config, then serving: headless,
// or through the desktop app where there is one. Both executables run this, so droid2api-nox and
// `droid2api --headless` answer every option alike.

#include "options.h"

#include "config/config.h"

#include <QtCore/qstring.h>

#include <optional>

QT_BEGIN_NAMESPACE
class QCoreApplication;
QT_END_NAMESPACE

namespace cli {

/// What the desktop app adds to a run (droid2api with a display and without --headless). droid2api-nox has none.
class Desktop
{
    Q_DISABLE_COPY_MOVE(Desktop)

public:
    Desktop() = default;
    virtual ~Desktop() = default;
    /// Before the config is read: another instance took over (the exit code), or nothing and this one goes on.
    virtual std::optional<int> handOver(const Options &options) = 0;
    /// The config was refused; `message`, already printed, says why.
    virtual void configRefused(const QString &message) = 0;
    /// Serves until the user quits; returns the exit code.
    virtual int serve(const Options &options, const QString &configPath, const d2a::Config &config,
                      const d2a::Environment &env) = 0;
};

/// The whole run; `desktop` null: the commands and the headless proxy only. Returns the process's exit code.
int run(QCoreApplication &app, Executable executable, Desktop *desktop);

} // namespace cli
