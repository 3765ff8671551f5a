#pragma once
// `droid2api --headless` (or no display): the proxy without any GUI, until SIGINT/SIGTERM (a second one exits
// at once).

#include "config/config.h"

QT_BEGIN_NAMESPACE
class QCoreApplication;
QT_END_NAMESPACE

namespace cli {
struct Options;

/// Serves on the options' --host and `port` (-1: the config's) until a shutdown signal; returns the exit code.
int runHeadless(QCoreApplication &app, const Options &options, const d2a::Config &config, const d2a::Environment &env,
                int port);
} // namespace cli
