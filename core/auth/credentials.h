#pragma once
// What droid2api keeps in the token store: one JSON blob, never in the config file, never in a log.

#include <QtCore/qbytearray.h>
#include <QtCore/qhash.h>
#include <QtCore/qstring.h>

namespace d2a {

struct StoredCredentials
{
    QString apiKey; ///< a Factory API key entered in the app
    QString refreshToken;
    QString accessToken;
    qint64 accessExpiresAt = 0; ///< seconds since the epoch
    QString email;
    QString source; ///< where the refresh token came from: env, app, device, droid-cli
    QString envRefreshHash; ///< SHA-256 of the DROID_REFRESH_KEY value this chain of rotations started from
    QHash<QString, QString> backendKeys; ///< keys of third-party backends, by backend name

    bool isEmpty() const { return apiKey.isEmpty() && refreshToken.isEmpty(); }
    QByteArray toJson() const;
    static StoredCredentials fromJson(const QByteArray &json, bool *ok = nullptr);
};

} // namespace d2a
