#pragma once
// Import from the droid CLI: ~/.factory/auth.json (older droid builds). Newer builds keep auth.encrypted or
// auth.v2.* instead, whose format is not public: droid2api says so and offers sign-in, it never guesses.

#include "../error.h"

#include <QtCore/qstring.h>

namespace d2a {

struct DroidCliTokens
{
    QString accessToken;
    QString refreshToken;
};

/// Reads `dir`/auth.json (default dir: ~/.factory). Errors name the file and what is wrong.
Result<DroidCliTokens> importDroidCliAuth(const QString &dir = QString());

} // namespace d2a
