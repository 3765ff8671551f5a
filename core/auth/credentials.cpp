#include "credentials.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>

namespace d2a {

QByteArray StoredCredentials::toJson() const
{
    QJsonObject o { { QStringLiteral("version"), 1 } };
    auto put = [&o](const char *k, const QString &v) {
        if (!v.isEmpty())
            o.insert(QString::fromLatin1(k), v);
    };
    put("api_key", apiKey);
    put("refresh_token", refreshToken);
    put("access_token", accessToken);
    put("email", email);
    put("source", source);
    put("env_refresh_sha256", envRefreshHash);
    put("organization_id", organizationId);
    put("droid_cli_seen", droidCliSeen);
    if (!backendKeys.isEmpty()) {
        QJsonObject keys;
        for (auto it = backendKeys.begin(); it != backendKeys.end(); ++it)
            keys.insert(it.key(), it.value());
        o.insert(QStringLiteral("backend_keys"), keys);
    }
    if (accessExpiresAt > 0)
        o.insert(QStringLiteral("access_expires_at"), double(accessExpiresAt));
    put("chain", chain);
    if (generation > 0)
        o.insert(QStringLiteral("generation"), double(generation));
    if (savedAt > 0)
        o.insert(QStringLiteral("saved_at"), double(savedAt));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

StoredCredentials StoredCredentials::fromJson(const QByteArray &json, bool *ok)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (ok)
        *ok = pe.error == QJsonParseError::NoError && doc.isObject();
    const QJsonObject o = doc.object();
    StoredCredentials c;
    c.apiKey = o.value(u"api_key").toString();
    c.refreshToken = o.value(u"refresh_token").toString();
    c.accessToken = o.value(u"access_token").toString();
    c.accessExpiresAt = qint64(o.value(u"access_expires_at").toDouble(0));
    c.email = o.value(u"email").toString();
    c.source = o.value(u"source").toString();
    c.envRefreshHash = o.value(u"env_refresh_sha256").toString();
    c.organizationId = o.value(u"organization_id").toString();
    c.droidCliSeen = o.value(u"droid_cli_seen").toString();
    c.chain = o.value(u"chain").toString();
    c.generation = qint64(o.value(u"generation").toDouble(0));
    c.savedAt = qint64(o.value(u"saved_at").toDouble(0));
    const QJsonObject keys = o.value(u"backend_keys").toObject();
    for (auto it = keys.begin(); it != keys.end(); ++it)
        c.backendKeys.insert(it.key(), it.value().toString());
    return c;
}

} // namespace d2a
