#include "devicesignin.h"

#include "../log/log.h"
#include "../text.h"

namespace d2a {

DeviceSignIn::DeviceSignIn(WorkOsClient *workos, QObject *parent) : QObject(parent), m_workos(workos)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &DeviceSignIn::poll);
}

void DeviceSignIn::start()
{
    m_workos->authorizeDevice(this, [this](const Result<DeviceCode> &r) {
        if (m_done)
            return;
        if (!r)
            return finishWith(r.error().message);
        m_code = r.value();
        m_interval = qMax(m_minInterval, double(m_code.interval));
        m_elapsed.start();
        Q_EMIT codeReady(m_code.userCode, m_code.verificationUri, m_code.verificationUriComplete, m_code.expiresIn);
        m_timer.start(int(m_interval * 1000));
    });
}

void DeviceSignIn::cancel()
{
    if (!m_done)
        finishWith(AuthText::tr("sign-in cancelled"));
}

void DeviceSignIn::poll()
{
    if (m_done)
        return;
    if (m_elapsed.elapsed() > qint64(m_code.expiresIn) * 1000)
        return finishWith(AuthText::tr("the sign-in code expired before it was approved; start again"));
    m_workos->pollDevice(m_code.deviceCode, this, [this](const Result<TokenResponse> &r) {
        if (m_done)
            return;
        if (r.ok()) {
            m_done = true;
            m_timer.stop();
            Q_EMIT succeeded(r.value());
            return;
        }
        const QByteArray code = r.error().vendorType;
        if (code == "authorization_pending" || code == "network") {
            m_timer.start(int(m_interval * 1000));
        } else if (code == "slow_down") {
            m_interval += m_slowDownStep;
            m_timer.start(int(m_interval * 1000));
        } else if (code == "expired_token") {
            finishWith(AuthText::tr("the sign-in code expired before it was approved; start again"));
        } else if (code == "access_denied") {
            finishWith(AuthText::tr("sign-in was denied in the browser"));
        } else {
            finishWith(r.error().message);
        }
    });
}

void DeviceSignIn::finishWith(const QString &failure)
{
    m_done = true;
    m_timer.stop();
    qCInfo(lcAuth).noquote() << "device sign-in failed:" << failure;
    Q_EMIT failed(failure);
}

} // namespace d2a
