#include "directsend.h"

#include <QtNetwork/qtcpsocket.h>

#if defined(Q_OS_LINUX)
#include <sys/socket.h>
#include <sys/uio.h>
#endif

namespace d2a::http {

void writeNow(QTcpSocket *socket, bool plain, QByteArrayView first, QByteArrayView second)
{
    qsizetype sent = 0;
#if defined(Q_OS_LINUX)
    // Platform-specific (Linux): sendmsg with both buffers, not blocking. A TLS socket encrypts in Qt, and a
    // proxied one may speak through Qt's proxy engine: those always go through Qt.
    if (plain && socket->bytesToWrite() == 0 && socket->state() == QAbstractSocket::ConnectedState) {
        iovec parts[2] = { { const_cast<char *>(first.data()), std::size_t(first.size()) },
                           { const_cast<char *>(second.data()), std::size_t(second.size()) } };
        msghdr message {};
        message.msg_iov = parts;
        message.msg_iovlen = second.isEmpty() ? 1 : 2;
        const ssize_t n = ::sendmsg(int(socket->socketDescriptor()), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0)
            sent = qsizetype(n);
    }
#endif
    if (sent == 0 && !second.isEmpty() && first.size() + second.size() < 64 * 1024) {
        // Through Qt, a small request is one write (for TLS, one record rather than two).
        QByteArray both;
        both.reserve(first.size() + second.size());
        both.append(first).append(second);
        socket->write(both);
        socket->flush();
        return;
    }
    if (sent < first.size()) {
        socket->write(first.data() + sent, first.size() - sent);
        sent = first.size();
    }
    sent -= first.size();
    if (sent < second.size())
        socket->write(second.data() + sent, second.size() - sent);
    socket->flush(); // out now, not on the next turn of the event loop
}

} // namespace d2a::http
