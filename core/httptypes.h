#pragma once
// Small HTTP value types shared by the server and the upstream client.

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qlist.h>
#include <QtCore/qpair.h>

namespace d2a {

/// Header fields in order; names compared case-insensitively.
using HeaderList = QList<QPair<QByteArray, QByteArray>>;

/// Whether the `n` bytes at `a` and `b` are the same in any ASCII case. Header names are ASCII tokens (the
/// parser refuses any other byte in one), so ASCII folding is theirs; Qt's compare folds Latin-1 through a table.
inline bool sameAsciiIgnoringCase(const char *a, const char *b, qsizetype n)
{
    for (qsizetype i = 0; i < n; ++i) {
        const char x = a[i], y = b[i];
        if (x != y && ((x | 0x20) != (y | 0x20) || uchar((x | 0x20) - 'a') > 'z' - 'a'))
            return false;
    }
    return true;
}

/// Whether header name `name` is `other` in any case, compared in place (no lower-cased copy). The sizes are
/// compared first: most names in a list differ in size from the one looked for.
inline bool isHeaderName(QByteArrayView name, QByteArrayView other)
{
    return name.size() == other.size() && sameAsciiIgnoringCase(name.data(), other.data(), name.size());
}

/// Whether header name `name` starts with `prefix` in any case, compared in place.
inline bool headerNameStartsWith(QByteArrayView name, QByteArrayView prefix)
{
    return name.size() >= prefix.size() && sameAsciiIgnoringCase(name.data(), prefix.data(), prefix.size());
}

/// The first value of `name` (case-insensitive), or an empty array.
inline QByteArray headerValue(const HeaderList &headers, const QByteArray &name)
{
    for (const auto &h : headers)
        if (isHeaderName(h.first, name))
            return h.second;
    return {};
}

inline bool hasHeader(const HeaderList &headers, const QByteArray &name)
{
    for (const auto &h : headers)
        if (isHeaderName(h.first, name))
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
    headers.removeIf([&](const auto &h) { return isHeaderName(h.first, name); });
    headers.append({ name, value });
}

} // namespace d2a
