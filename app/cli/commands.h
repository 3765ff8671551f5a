#pragma once
// The commands that do one thing and exit, without serving: usage, connect/disconnect, and the account
// commands (--sign-in, --sign-out, --import-droid-auth, --backend-key). Each returns the process's exit code.

#include "config/config.h"

#include <QtCore/qstring.h>

namespace cli {

/// `droid2api usage [--days N] [--json]`: tokens and credits per model, coding tool and day.
int runUsageCommand(int days, bool json);

/// `droid2api connect|disconnect CLIENT`: changes the client's settings file (asking unless `yes`), then,
/// when connecting, probes the proxy with the client's new settings.
int runClientCommand(bool connecting, const QString &client, bool yes, const QString &model, const d2a::Config &config);

enum class AccountCommand { SignIn, SignOut, Import, BackendKey };

/// Account work without serving: sign in (device code), sign out, import the droid CLI's sign-in, or store the
/// key of backend `backendName` (read from standard input).
int runAccountCommand(AccountCommand command, const d2a::Config &config, const d2a::Environment &env,
                      const QString &tokenStore, const QString &backendName = {});

} // namespace cli
