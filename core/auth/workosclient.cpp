#include "workosclient.h"

#include "../log/log.h"
#include "../upstream/httpclient.h"
#include "jwt.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>

namespace d2a {

WorkOsClient::WorkOsClient(HttpClient *http, QUrl baseUrl, QString clientId, QObject *parent)
    : QObject(parent), m_http(http), m_base(std::move(baseUrl)), m_clientId(std::move(clientId))
{
}

void WorkOsClient::post(const QString &path, const QList<QPair<QString, QString>> &form, QObject *context,
                        std::function<void(int, const QByteArray &, const Error *)> done)
{
    QByteArray encoded;
    for (const auto &kv : form) {
        if (!encoded.isEmpty())
            encoded += '&';
        encoded += QUrl::toPercentEncoding(kv.first) + '=' + QUrl::toPercentEncoding(kv.second);
    }
    UpstreamRequest r;
    r.url = m_base;
    r.url.setPath(m_base.path().chopped(m_base.path().endsWith(u'/') ? 1 : 0) + path);
    r.headers = { { "content-type", "application/x-www-form-urlencoded" },
                  { "accept", "application/json" },
                  { "user-agent", "droid2api/" DROID2API_VERSION } };
    r.body = encoded;
    r.connectTimeoutMs = 10000;
    r.firstByteTimeoutMs = 30000;
    r.idleTimeoutMs = 30000;
    m_http->fetch(r, context, done);
}

// Messages here stay English: a refused refresh becomes the 401 API clients get ("Factory sign-in required: ...").
Result<TokenResponse> WorkOsClient::parseTokens(int status, const QByteArray &body, const Error *networkError)
{
    if (networkError)
        return Error { 503, QStringLiteral("cannot reach the sign-in service: %1").arg(networkError->message),
                       "network" };
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    if (status >= 500)
        return Error { 503, QStringLiteral("the sign-in service answered HTTP %1").arg(status), "network" };
    if (status != 200) {
        const QString code = o.value(u"error").toString(o.value(u"code").toString());
        const QString description = o.value(u"error_description").toString(o.value(u"message").toString());
        return Error { 401,
                       QStringLiteral("the sign-in service refused: %1%2")
                           .arg(code.isEmpty() ? QStringLiteral("HTTP %1").arg(status) : code,
                                description.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(description)),
                       code.toLatin1() };
    }
    TokenResponse t;
    t.accessToken = o.value(u"access_token").toString();
    t.refreshToken = o.value(u"refresh_token").toString();
    if (t.accessToken.isEmpty())
        return Error { 502, QStringLiteral("the sign-in service sent no access token"), "network" };
    log::registerSecret(t.accessToken);
    log::registerSecret(t.refreshToken);
    t.expiresAt = jwt::expiresAt(t.accessToken.toLatin1());
    t.email = o.value(u"user").toObject().value(u"email").toString();
    if (t.email.isEmpty())
        t.email = jwt::email(t.accessToken.toLatin1());
    return t;
}

void WorkOsClient::refresh(const QString &refreshToken, QObject *context,
                           std::function<void(Result<TokenResponse>)> done, const QString &organizationId)
{
    QList<QPair<QString, QString>> form { { QStringLiteral("grant_type"), QStringLiteral("refresh_token") },
                                          { QStringLiteral("refresh_token"), refreshToken },
                                          { QStringLiteral("client_id"), m_clientId } };
    if (!organizationId.isEmpty())
        form.append({ QStringLiteral("organization_id"), organizationId });
    post(QStringLiteral("/user_management/authenticate"), form, context,
         [done](int status, const QByteArray &body, const Error *e) { done(parseTokens(status, body, e)); });
}

void WorkOsClient::authorizeDevice(QObject *context, std::function<void(Result<DeviceCode>)> done)
{
    post(QStringLiteral("/user_management/authorize/device"), { { QStringLiteral("client_id"), m_clientId } }, context,
         [done](int status, const QByteArray &body, const Error *e) {
        if (e)
            return done(
                Error { 503, QStringLiteral("cannot reach the sign-in service: %1").arg(e->message), "network" });
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        if (status != 200 || !o.contains(u"device_code"))
            return done(
                Error { 502, QStringLiteral("the sign-in service refused device sign-in (HTTP %1)").arg(status), {} });
        DeviceCode d;
        d.deviceCode = o.value(u"device_code").toString();
        log::registerSecret(d.deviceCode);
        d.userCode = o.value(u"user_code").toString();
        d.verificationUri = o.value(u"verification_uri").toString();
        d.verificationUriComplete = o.value(u"verification_uri_complete").toString(d.verificationUri);
        d.expiresIn = o.value(u"expires_in").toInt(300);
        d.interval = o.value(u"interval").toInt(5);
        done(d);
    });
}

void WorkOsClient::pollDevice(const QString &deviceCode, QObject *context,
                              std::function<void(Result<TokenResponse>)> done)
{
    post(QStringLiteral("/user_management/authenticate"),
         { { QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:device_code") },
           { QStringLiteral("device_code"), deviceCode },
           { QStringLiteral("client_id"), m_clientId } },
         context, [done](int status, const QByteArray &body, const Error *e) { done(parseTokens(status, body, e)); });
}

} // namespace d2a
