#pragma once
// One instance per user: the first one listens on a local socket; a second launch asks it to bring its
// settings window forward, then exits.

#include <QtCore/qobject.h>

QT_BEGIN_NAMESPACE
class QLocalServer;
QT_END_NAMESPACE

class SingleInstance final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SingleInstance)

public:
    explicit SingleInstance(QString name = defaultName(), QObject *parent = nullptr);
    static QString defaultName();
    /// True when another instance answered and was asked to show itself (this one should exit). `window` is
    /// "settings" or "activity".
    bool notifyRunning(int timeoutMs = 1000, const QByteArray &window = "settings");
    /// Becomes the instance that others notify. False if the name cannot be taken.
    bool listen();

Q_SIGNALS:
    /// Another launch asked for the settings window.
    void activationRequested();
    /// Another launch (droid2api --activity) asked for the Activity window.
    void activityRequested();

private:
    QString m_name;
    QLocalServer *m_server = nullptr;
};
