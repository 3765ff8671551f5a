#pragma once
// Factory's account calls the droid CLI makes around sign-in (FACTORY-CLI.md §6): whoami (validates a key, tells
// the region or the on-prem host) and the organisations of a WorkOS user.

#include "../error.h"

#include <QtCore/qobject.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>

#include <functional>

namespace d2a {

class HttpClient;

struct Whoami
{
    QString userId;
    QString orgId;
    QString region; ///< "global" or "eu"
    bool isOnPrem = false;
    QString premBaseHost;
    /// The API base this account belongs to: https://api.eu.factory.ai for the EU region, the on-prem host,
    /// else empty (the default).
    QUrl apiBase() const;
};

class FactoryApiClient final : public QObject
{
    Q_OBJECT

public:
    FactoryApiClient(HttpClient *http, QObject *parent = nullptr);
    void setBaseUrl(const QUrl &base) { m_base = base; }
    QUrl baseUrl() const { return m_base; }

    /// GET /api/cli/whoami (X-Factory-Whoami-Extended: true). A key Factory refuses (400/401/403) is an error
    /// with httpStatus 401 and vendorType "rejected"; unreachable is vendorType "network".
    void whoami(const QByteArray &bearer, QObject *context, std::function<void(Result<Whoami>)> done);
    /// GET /api/cli/org: the WorkOS organisations of the signed-in user.
    void organizations(const QByteArray &bearer, QObject *context, std::function<void(Result<QStringList>)> done);

private:
    void get(const QString &path, const QByteArray &bearer, bool extended, QObject *context,
             std::function<void(int status, const QByteArray &body, const Error *networkError)> done);
    HttpClient *m_http;
    QUrl m_base = QUrl(QStringLiteral("https://api.factory.ai"));
};

} // namespace d2a
