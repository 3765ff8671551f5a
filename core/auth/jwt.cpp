#include "jwt.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qlist.h>

namespace d2a::jwt {

QJsonObject claims(const QByteArray &token)
{
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3)
        return {};
    const auto decoded =
        QByteArray::fromBase64Encoding(parts[1], QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    if (!decoded)
        return {};
    return QJsonDocument::fromJson(*decoded).object();
}

qint64 expiresAt(const QByteArray &token)
{
    return qint64(claims(token).value(u"exp").toDouble(0));
}

QString email(const QByteArray &token)
{
    return claims(token).value(u"email").toString();
}

} // namespace d2a::jwt
