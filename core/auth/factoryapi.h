#pragma once
// Factory's account calls the droid CLI makes around sign-in (FACTORY-CLI.md §6): whoami (validates a key, tells
// the region or the on-prem host) and the organisations of a WorkOS user.

#include "../error.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qobject.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>

#include <functional>
#include <optional>

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

/// The account's plan allowance for the current period, from GET /api/billing/limits. Factory does not document
/// the body: any object with a used amount and a limit is read (used/usage/consumed with limit/allowance/total/
/// included, or remaining), the first such object found depth-first, with its reset time when named.
struct PlanLimits
{
    double used = 0;
    double limit = 0; ///< > 0 when known
    QDateTime resetsAt; ///< invalid when not named
    QDateTime readAt;
    bool known() const { return limit > 0; }
    double share() const { return known() ? used / limit : 0; } ///< used, as a share of the limit
    static std::optional<PlanLimits> fromJson(const QJsonObject &o);
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
    /// GET /api/billing/limits (the droid CLI reads it at start). No such endpoint, or a body without a limit, is
    /// an error with httpStatus 404.
    void limits(const QByteArray &bearer, QObject *context, std::function<void(Result<PlanLimits>)> done);

private:
    void get(const QString &path, const QByteArray &bearer, bool extended, QObject *context,
             std::function<void(int status, const QByteArray &body, const Error *networkError)> done);
    HttpClient *m_http;
    QUrl m_base = QUrl(QStringLiteral("https://api.factory.ai"));
};

} // namespace d2a
