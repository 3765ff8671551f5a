#include "gate.h"

#include "../log/log.h"

#include <QtCore/qcryptographichash.h>
#include <QtCore/qregularexpression.h>
#include <QtNetwork/qhostaddress.h>
#include <QtNetwork/qnetworkinterface.h>

namespace d2a {

namespace {

/// Constant-time comparison, so the local access key cannot be guessed byte by byte from timings.
bool sameSecret(const QByteArray &a, const QByteArray &b)
{
    const QByteArray ha = QCryptographicHash::hash(a, QCryptographicHash::Sha256);
    const QByteArray hb = QCryptographicHash::hash(b, QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (int i = 0; i < ha.size(); ++i)
        diff |= static_cast<unsigned char>(ha[i] ^ hb[i]);
    return diff == 0;
}

} // namespace

bool Gate::offersAccessKey(const HeaderList &headers, const QUrlQuery &query) const
{
    const QString &key = m_config.accessKey;
    if (key.isEmpty())
        return true;
    // Everywhere a client puts a key: Authorization, x-api-key, x-goog-api-key, ?key=. All of it is in the head.
    QList<QByteArray> offered { bearerToken(headerValue(headers, "authorization")),
                                headerValue(headers, "x-api-key").trimmed(),
                                headerValue(headers, "x-goog-api-key").trimmed(),
                                query.queryItemValue(QStringLiteral("key")).toUtf8() };
    for (const QByteArray &o : offered)
        if (!o.isEmpty() && sameSecret(o, key.toUtf8()))
            return true;
    return false;
}

namespace {

/// `pattern` matches `origin`: exact, or with "*" standing for a port or a name part ("http://localhost:*").
bool originMatches(const QString &pattern, const QString &origin)
{
    if (pattern == u"*")
        return true;
    if (!pattern.contains(u'*'))
        return pattern.compare(origin, Qt::CaseInsensitive) == 0;
    QString rx = QRegularExpression::escape(pattern);
    rx.replace(QStringLiteral("\\*"), QStringLiteral("[^/]*"));
    return QRegularExpression(QStringLiteral("^") + rx + QStringLiteral("$"), QRegularExpression::CaseInsensitiveOption)
        .match(origin)
        .hasMatch();
}

} // namespace

bool Gate::hostAllowed(const QByteArray &hostHeader) const
{
    if (hostHeader.isEmpty())
        return true; // HTTP/1.0 without Host: not a browser (browsers always send one)
    QString host = QString::fromLatin1(hostHeader).trimmed().toLower();
    // Strip the port: "[::1]:3000", "127.0.0.1:3000", "localhost:3000".
    if (host.startsWith(u'[')) {
        const qsizetype close = host.indexOf(u']');
        if (close < 0)
            return false;
        host = host.mid(1, close - 1);
    } else if (host.count(u':') == 1) {
        host = host.left(host.indexOf(u':'));
    }
    if (host.endsWith(u'.'))
        host.chop(1);
    if (host == u"localhost")
        return true;
    const QHostAddress address(host);
    if (!address.isNull()) {
        if (address.isLoopback())
            return true;
        // The listener's own address (listening beyond loopback, with an access key).
        const QHostAddress listening(m_listenHost);
        if (address.isEqual(listening, QHostAddress::TolerantConversion))
            return true;
        if (listening == QHostAddress::Any || listening == QHostAddress::AnyIPv4 || listening == QHostAddress::AnyIPv6)
            for (const QHostAddress &a : QNetworkInterface::allAddresses())
                if (a.isEqual(address, QHostAddress::TolerantConversion))
                    return true;
        return false;
    }
    for (const QString &allowed : m_config.allowedHosts)
        if (allowed.compare(host, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

std::optional<Error> Gate::admit(const http::RequestHead &head) const
{
    // DNS rebinding: a page whose name now points at 127.0.0.1 still sends its own name as Host.
    const QByteArray host = headerValue(head.headers, "host");
    if (!hostAllowed(host))
        return Error { 403,
                       tr("Host '%1' is not this droid2api (only loopback names and addresses, or allowed_hosts)")
                           .arg(log::clientText(QString::fromLatin1(host))),
                       {} };
    // Web pages: only the origins the user allowed, preflights and simple requests alike.
    const QByteArray origin = headerValue(head.headers, "origin");
    if (!origin.isEmpty()) {
        bool allowed = false;
        for (const QString &pattern : m_config.allowedOrigins)
            allowed = allowed || originMatches(pattern, QString::fromLatin1(origin));
        if (!allowed)
            return Error { 403,
                           tr("web pages from %1 may not use this droid2api (allow it in Settings > General > Web "
                              "pages allowed, or config allowed_origins)")
                               .arg(log::clientText(QString::fromLatin1(origin))),
                           {} };
    } else {
        // A page's request that sends no Origin (a no-cors GET: an image, a script tag) still says where it
        // comes from: another site's page gets nothing, not even a call to Factory with the user's key behind it.
        const QByteArray site = headerValue(head.headers, "sec-fetch-site").trimmed().toLower();
        if ((site == "cross-site" || site == "same-site") && !m_config.allowedOrigins.contains(QStringLiteral("*")))
            return Error { 403,
                           tr("web pages of other sites may not use this droid2api (Sec-Fetch-Site: %1; allow every "
                              "page with allowed_origins [\"*\"])")
                               .arg(QString::fromLatin1(site.left(20))),
                           {} };
    }
    // The access key is checked at the head, before any of the body budget is reserved: a client without it
    // cannot hold the budget with trickled bodies. GET / (a bare status without it) and preflights go on.
    if (!m_config.accessKey.isEmpty() && head.method != "OPTIONS") {
        const QUrl url = QUrl::fromEncoded(QByteArray("http://local" + head.target));
        const QString path = url.path();
        if (!(path.isEmpty() || path == u"/") && !offersAccessKey(head.headers, QUrlQuery(url)))
            return Error::unauthorized(tr("this droid2api requires its local access key: send it as 'Authorization: "
                                          "Bearer <key>' or 'x-api-key: <key>'"));
    }
    return std::nullopt;
}

} // namespace d2a
