#pragma once
// Keeps the factory-cli user agent current: fetches the latest CLI version (plain text) hourly; failures keep
// the old value.

#include <QtCore/qobject.h>
#include <QtCore/qtimer.h>
#include <QtCore/qurl.h>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
QT_END_NAMESPACE

namespace d2a {

/// The version of Factory's CLI droid2api presents itself as until the hourly update has fetched a newer one.
inline constexpr const char *kFactoryCliVersion = "0.225.2";

class UserAgentUpdater final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UserAgentUpdater)

public:
    explicit UserAgentUpdater(QObject *parent = nullptr);

    /// Starts with `initial`; fetches `url` now and every `intervalMs` (empty url: never).
    void start(const QString &initial, const QUrl &url, int intervalMs = 3600 * 1000);
    void stop();
    QString userAgent() const { return m_userAgent; }

Q_SIGNALS:
    void updated(const QString &userAgent);

private:
    void fetch();
    QNetworkAccessManager *m_nam = nullptr; // a once-an-hour GET: QNetworkAccessManager serves this well
    QTimer m_timer;
    QUrl m_url;
    QString m_userAgent;
};

} // namespace d2a
