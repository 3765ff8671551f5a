#include "droidcliimport.h"

#include "../log/log.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>

namespace d2a {

Result<DroidCliTokens> importDroidCliAuth(const QString &dirIn)
{
    const QString dir = dirIn.isEmpty() ? QDir::homePath() + QStringLiteral("/.factory") : dirIn;
    const QString path = dir + QStringLiteral("/auth.json");
    QFile f(path);
    if (!f.exists()) {
        const QDir d(dir);
        if (d.exists(QStringLiteral("auth.encrypted")) || !d.entryList({ QStringLiteral("auth.v2.*") }, QDir::Files).isEmpty())
            return Error::unauthorized(QStringLiteral(
                "the droid CLI in %1 keeps its tokens encrypted (auth.encrypted / auth.v2.*), a format droid2api cannot "
                "read; sign in with `droid2api --sign-in` instead").arg(QDir::toNativeSeparators(dir)));
        return Error::notFound(QStringLiteral("%1 does not exist (is the droid CLI signed in on this machine?)")
                                   .arg(QDir::toNativeSeparators(path)));
    }
    if (!f.open(QIODevice::ReadOnly))
        return Error::badRequest(QStringLiteral("cannot read %1: %2").arg(QDir::toNativeSeparators(path), f.errorString()));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error::badRequest(QStringLiteral("%1 is not valid JSON (%2)").arg(QDir::toNativeSeparators(path), pe.errorString()));
    const QJsonObject o = doc.object();
    DroidCliTokens t;
    t.refreshToken = o.value(u"refresh_token").toString().trimmed();
    t.accessToken = o.value(u"access_token").toString().trimmed();
    if (t.refreshToken.isEmpty())
        return Error::badRequest(QStringLiteral("%1 has no refresh_token").arg(QDir::toNativeSeparators(path)));
    log::registerSecret(t.refreshToken);
    log::registerSecret(t.accessToken);
    return t;
}

} // namespace d2a
