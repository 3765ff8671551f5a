#include "factoryapi.h"

#include "../upstream/httpclient.h"
#include "../upstream/useragentupdater.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>

namespace d2a {

QUrl Whoami::apiBase() const
{
    if (isOnPrem && !premBaseHost.isEmpty())
        return QUrl(premBaseHost.contains(u"://") ? premBaseHost : QStringLiteral("https://") + premBaseHost);
    if (region == u"eu")
        return QUrl(QStringLiteral("https://api.eu.factory.ai"));
    return {};
}

FactoryApiClient::FactoryApiClient(HttpClient *http, QObject *parent) : QObject(parent), m_http(http)
{
}

void FactoryApiClient::get(const QString &path, const QByteArray &bearer, bool extended, QObject *context,
                           std::function<void(int, const QByteArray &, const Error *)> done)
{
    UpstreamRequest r;
    r.method = "GET";
    r.url = m_base;
    r.url.setPath(m_base.path().chopped(m_base.path().endsWith(u'/') ? 1 : 0) + path);
    r.headers = { { "authorization", "Bearer " + bearer },
                  { "accept", "application/json" },
                  { "x-factory-client", "cli" },
                  { "user-agent", QByteArray("factory-cli/") + kFactoryCliVersion } };
    if (extended)
        r.headers.append(qMakePair(QByteArray("x-factory-whoami-extended"), QByteArray("true")));
    r.connectTimeoutMs = 10000;
    r.firstByteTimeoutMs = 30000;
    r.idleTimeoutMs = 30000;
    m_http->fetch(r, context, done);
}

// Messages here stay English: they reach API clients too (a 401 says why the key or sign-in failed).
void FactoryApiClient::whoami(const QByteArray &bearer, QObject *context, std::function<void(Result<Whoami>)> done)
{
    get(QStringLiteral("/api/cli/whoami"), bearer, true, context,
        [done](int status, const QByteArray &body, const Error *e) {
        if (e)
            return done(
                Error { 503, QStringLiteral("cannot reach Factory to check the key: %1").arg(e->message), "network" });
        if (status == 400 || status == 401 || status == 403)
            return done(
                Error { 401, QStringLiteral("Factory rejected the API key (HTTP %1)").arg(status), "rejected" });
        if (status != 200)
            return done(
                Error { 503, QStringLiteral("Factory could not check the key (HTTP %1)").arg(status), "network" });
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        Whoami w;
        w.userId = o.value(u"userId").toString();
        w.orgId = o.value(u"orgId").toString();
        w.region = o.value(u"region").toString(QStringLiteral("global"));
        w.isOnPrem = o.value(u"isOnPrem").toBool();
        w.premBaseHost = o.value(u"premBaseHost").toString();
        done(w);
    });
}

std::optional<PlanLimits> PlanLimits::fromJson(const QJsonObject &o)
{
    auto number = [&o](std::initializer_list<const char *> names) -> std::optional<double> {
        for (const char *n : names) {
            const QJsonValue v = o.value(QLatin1StringView(n));
            if (v.isDouble())
                return v.toDouble();
        }
        return std::nullopt;
    };
    const auto used = number({ "used", "usage", "consumed", "usedTokens", "used_tokens", "tokensUsed" });
    const auto limit = number({ "limit", "allowance", "total", "included", "tokenLimit", "token_limit", "max" });
    const auto remaining = number({ "remaining", "remainingTokens", "remaining_tokens" });
    if (limit && *limit > 0 && (used || remaining)) {
        PlanLimits p;
        p.limit = *limit;
        p.used = used ? *used : *limit - *remaining;
        for (const char *n : { "resetsAt", "resetAt", "reset_at", "periodEnd", "period_end", "renewsAt", "endsAt" }) {
            const QDateTime at = QDateTime::fromString(o.value(QLatin1StringView(n)).toString(), Qt::ISODateWithMs);
            if (at.isValid()) {
                p.resetsAt = at;
                break;
            }
        }
        return p;
    }
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.value().isObject())
            if (auto p = fromJson(it.value().toObject()))
                return p;
        if (it.value().isArray())
            for (const QJsonValue &v : it.value().toArray())
                if (v.isObject())
                    if (auto p = fromJson(v.toObject()))
                        return p;
    }
    return std::nullopt;
}

void FactoryApiClient::limits(const QByteArray &bearer, QObject *context, std::function<void(Result<PlanLimits>)> done)
{
    get(QStringLiteral("/api/billing/limits"), bearer, false, context,
        [done](int status, const QByteArray &body, const Error *e) {
        if (e)
            return done(Error { 503, e->message, "network" });
        if (status != 200)
            return done(Error { status == 404 ? 404 : 503, QStringLiteral("HTTP %1").arg(status), "network" });
        auto limits = PlanLimits::fromJson(QJsonDocument::fromJson(body).object());
        if (!limits)
            return done(Error { 404, QStringLiteral("no limit in the answer"), {} });
        limits->readAt = QDateTime::currentDateTimeUtc();
        done(*limits);
    });
}

void FactoryApiClient::organizations(const QByteArray &bearer, QObject *context,
                                     std::function<void(Result<QStringList>)> done)
{
    get(QStringLiteral("/api/cli/org"), bearer, false, context,
        [done](int status, const QByteArray &body, const Error *e) {
        if (e || status != 200)
            return done(Error { 503, e ? e->message : QStringLiteral("HTTP %1").arg(status), "network" });
        QStringList ids;
        for (const QJsonValue &v : QJsonDocument::fromJson(body).object().value(u"workosOrgIds").toArray())
            ids << v.toString();
        done(ids);
    });
}

} // namespace d2a
