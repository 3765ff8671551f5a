#pragma once
// Reads the claims droid2api needs from a JWT access token (no signature check: the token is only ever sent
// back to the service that issued it).

#include <QtCore/qjsonobject.h>
#include <QtCore/qstring.h>

namespace d2a::jwt {

/// The payload claims, or an empty object when `token` is not a JWT.
QJsonObject claims(const QByteArray &token);
/// The `exp` claim in seconds since the epoch, or 0.
qint64 expiresAt(const QByteArray &token);
/// The `email` claim, if any.
QString email(const QByteArray &token);

} // namespace d2a::jwt
