#pragma once
// The WorkOS user-management calls Factory's sign-in uses (README "Sign-in and credentials"): refresh-token
// rotation (POST user_management/authenticate, grant_type=refresh_token; each refresh token is single-use, so the
// new one is stored before anything else) and the device authorization flow (POST
// user_management/authorize/device, then authenticate with the device_code grant). Form-encoded POSTs through
// droid2api's own HTTP client.

#include "../error.h"

#include <QtCore/qobject.h>
#include <QtCore/qurl.h>

#include <functional>

namespace d2a {

class HttpClient;

struct TokenResponse
{
    QString accessToken;
    QString refreshToken;
    qint64 expiresAt = 0; ///< from the access token's exp claim
    QString email;
};

struct DeviceCode
{
    QString deviceCode;
    QString userCode;
    QString verificationUri;
    QString verificationUriComplete;
    int expiresIn = 300;
    int interval = 5;
};

class WorkOsClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkOsClient)

public:
    WorkOsClient(HttpClient *http, QUrl baseUrl, QString clientId, QObject *parent = nullptr);

    void setBaseUrl(const QUrl &url) { m_base = url; }
    void setClientId(const QString &id) { m_clientId = id; }

    /// Trades a refresh token for a new access token and a NEW refresh token (the old one is spent).
    /// Errors carry the OAuth error code in vendorType ("invalid_grant", ...) or "network".
    /// With `organizationId`, the new access token is scoped to that organisation (as the CLI switches org).
    void refresh(const QString &refreshToken, QObject *context, std::function<void(Result<TokenResponse>)> done,
                 const QString &organizationId = QString());
    void authorizeDevice(QObject *context, std::function<void(Result<DeviceCode>)> done);
    /// One poll: vendorType "authorization_pending", "slow_down", "expired_token", "access_denied" on the way.
    void pollDevice(const QString &deviceCode, QObject *context, std::function<void(Result<TokenResponse>)> done);

private:
    void post(const QString &path, const QList<QPair<QString, QString>> &form, QObject *context,
              std::function<void(int status, const QByteArray &body, const Error *networkError)> done);
    static Result<TokenResponse> parseTokens(int status, const QByteArray &body, const Error *networkError);

    HttpClient *m_http;
    QUrl m_base;
    QString m_clientId;
};

} // namespace d2a

Q_DECLARE_METATYPE(d2a::TokenResponse)
