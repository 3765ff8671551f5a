#pragma once

// Translation contexts for messages from core/ that people read (the desktop app and the CLI show them);
// translations/*.ts covers them. Error bodies that go to API clients stay English and do not use these.

#include <QtCore/qcoreapplication.h>

namespace d2a {

/// A config file's problems.
class ConfigText
{
    Q_DECLARE_TR_FUNCTIONS(d2a::ConfigText)
};

/// Sign-in, tokens and the token store.
class AuthText
{
    Q_DECLARE_TR_FUNCTIONS(d2a::AuthText)
};

/// Setting up coding tools (connect, disconnect, editing their files).
class SetupText
{
    Q_DECLARE_TR_FUNCTIONS(d2a::SetupText)
};

/// Recording and reporting usage.
class UsageText
{
    Q_DECLARE_TR_FUNCTIONS(d2a::UsageText)
};

} // namespace d2a
