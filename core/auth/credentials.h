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
    QString organizationId; ///< the Factory organisation the WorkOS token is scoped to (sent as X-Factory-Org-Id)
    QString droidCliSeen; ///< the refresh token the droid CLI's store held when droid2api last read or wrote it
    /// Which copy is newest when two stores disagree: one chain per sign-in (or DROID_REFRESH_KEY), its
    /// generation counts the rotations, savedAt (ms since the epoch) orders different chains.
    QString chain;
    qint64 generation = 0;
    qint64 savedAt = 0;

    bool isEmpty() const { return apiKey.isEmpty() && refreshToken.isEmpty(); }
    /// True when `other` holds newer credentials than this (same chain: more rotations; else saved later).
    bool olderThan(const StoredCredentials &other) const
    {
        if (!chain.isEmpty() && chain == other.chain && generation != other.generation)
            return generation < other.generation;
        return savedAt < other.savedAt;
    }
    QByteArray toJson() const;
    static StoredCredentials fromJson(const QByteArray &json, bool *ok = nullptr);
};

} // namespace d2a
