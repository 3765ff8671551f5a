#pragma once
// Small HTTP value types shared by the server and the upstream client.

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qlist.h>
#include <QtCore/qpair.h>

namespace d2a {

/// Header fields in order; names compared case-insensitively.
using HeaderList = QList<QPair<QByteArray, QByteArray>>;

/// Whether header name `name` is `lower` (given in lower case), compared in place (no lower-cased copy).
inline bool isHeaderName(QByteArrayView name, QByteArrayView lower)
{
    return name.size() == lower.size() && name.compare(lower, Qt::CaseInsensitive) == 0;
}

/// Whether header name `name` starts with `lowerPrefix` (given in lower case), compared in place.
inline bool headerNameStartsWith(QByteArrayView name, QByteArrayView lowerPrefix)
{
    return name.size() >= lowerPrefix.size()
           && name.first(lowerPrefix.size()).compare(lowerPrefix, Qt::CaseInsensitive) == 0;
}

/// The first value of `name` (case-insensitive), or an empty array.
inline QByteArray headerValue(const HeaderList &headers, const QByteArray &name)
{
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    return {};
}

inline bool hasHeader(const HeaderList &headers, const QByteArray &name)
{
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

/// The credential in an Authorization value: what follows "Bearer " (any case), else the value itself, trimmed.
inline QByteArray bearerToken(const QByteArray &authorization)
{
    const QByteArray v = authorization.trimmed();
    if (v.size() > 7 && v.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return v.mid(7).trimmed();
    return v;
}

/// Sets `name` to `value`, replacing every existing field of that name.
inline void setHeader(HeaderList &headers, const QByteArray &name, const QByteArray &value)
{
    headers.removeIf([&](const auto &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
    headers.append({ name, value });
}

} // namespace d2a
