#include "singleinstance.h"

#include <QtCore/qcryptographichash.h>
#include <QtCore/qdir.h>
#include <QtNetwork/qlocalserver.h>
#include <QtNetwork/qlocalsocket.h>

SingleInstance::SingleInstance(QString name, QObject *parent) : QObject(parent), m_name(std::move(name))
{
}

QString SingleInstance::defaultName()
{
    // Per user (the home folder), so two users on one machine each get their own app.
    return QStringLiteral("droid2api-")
           + QString::fromLatin1(
               QCryptographicHash::hash(QDir::homePath().toUtf8(), QCryptographicHash::Sha1).toHex().left(12));
}

bool SingleInstance::notifyRunning(int timeoutMs, const QByteArray &window)
{
    QLocalSocket socket;
    socket.connectToServer(m_name);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    socket.write(window == "activity" ? "show activity\n" : "show\n");
    socket.waitForBytesWritten(timeoutMs);
    socket.waitForReadyRead(timeoutMs); // the first instance answers "ok"
    return true;
}

bool SingleInstance::listen()
{
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_name)) {
        // A stale socket from a crashed instance: nobody answered notifyRunning(), so take it over.
        QLocalServer::removeServer(m_name);
        if (!m_server->listen(m_name))
            return false;
    }
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *s = m_server->nextPendingConnection()) {
            connect(s, &QLocalSocket::readyRead, s, [this, s] {
                const QByteArray command = s->readAll();
                if (command.startsWith("show")) {
                    s->write("ok\n");
                    s->flush();
                    if (command.startsWith("show activity"))
                        Q_EMIT activityRequested();
                    else
                        Q_EMIT activationRequested();
                }
                s->disconnectFromServer();
            });
            connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    return true;
}
