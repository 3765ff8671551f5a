#include "useragentupdater.h"

#include "../log/log.h"

#include <QtCore/qregularexpression.h>
#include <QtNetwork/qnetworkaccessmanager.h>
#include <QtNetwork/qnetworkreply.h>

namespace d2a {

UserAgentUpdater::UserAgentUpdater(QObject *parent) : QObject(parent)
{
    connect(&m_timer, &QTimer::timeout, this, &UserAgentUpdater::fetch);
}

void UserAgentUpdater::start(const QString &initial, const QUrl &url, int intervalMs)
{
    m_userAgent = initial;
    m_url = url;
    m_timer.stop();
    if (!url.isValid() || url.isEmpty())
        return;
    if (!m_nam)
        m_nam = new QNetworkAccessManager(this);
    m_timer.start(intervalMs);
    fetch();
}

void UserAgentUpdater::stop()
{
    m_timer.stop();
}

void UserAgentUpdater::fetch()
{
    QNetworkRequest req(m_url);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    req.setTransferTimeout(15000);
    QNetworkReply *reply = m_nam->get(req);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (reply->error() != QNetworkReply::NoError) {
            qCDebug(lcUpstream) << "could not fetch the latest CLI version:" << reply->errorString();
            return;
        }
        const QString text = QString::fromUtf8(reply->read(256)).trimmed();
        static const QRegularExpression version(QStringLiteral("^v?(\\d+\\.\\d+\\.\\d+)$"));
        const auto m = version.match(text);
        if (!m.hasMatch()) {
            qCDebug(lcUpstream) << "ignoring an unexpected latest-version answer";
            return;
        }
        const QString ua = QStringLiteral("factory-cli/") + m.captured(1);
        if (ua != m_userAgent) {
            m_userAgent = ua;
            qCInfo(lcUpstream).noquote() << "user agent is now" << ua;
            Q_EMIT updated(ua);
        }
    });
}

} // namespace d2a
