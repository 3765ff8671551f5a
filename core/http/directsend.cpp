#include "directsend.h"

#include <QtNetwork/qtcpsocket.h>

#if defined(Q_OS_LINUX)
#include <sys/socket.h>
#include <sys/uio.h>
#endif

namespace d2a::http {

namespace {

/// Larger writes go through Qt: QIODevice::write(const QByteArray &) keeps a big buffer by reference, where the
/// part the kernel did not take from a direct write would be copied into Qt's buffer (a 30 MiB request body:
/// 26 MB more at its peak).
constexpr qsizetype kDirectAtMost = 1024 * 1024;

} // namespace

void writeNow(QTcpSocket *socket, bool plain, const QByteArray &first, const QByteArray &second)
{
    qsizetype sent = 0;
#if defined(Q_OS_LINUX)
    // Platform-specific (Linux): sendmsg with both buffers, not blocking. A TLS socket encrypts in Qt, and a
    // proxied one may speak through Qt's proxy engine: those always go through Qt.
    if (plain && first.size() + second.size() <= kDirectAtMost && socket->bytesToWrite() == 0
        && socket->state() == QAbstractSocket::ConnectedState) {
        iovec parts[2] = { { const_cast<char *>(first.constData()), std::size_t(first.size()) },
                           { const_cast<char *>(second.constData()), std::size_t(second.size()) } };
        msghdr message {};
        message.msg_iov = parts;
        message.msg_iovlen = second.isEmpty() ? 1 : 2;
        const ssize_t n = ::sendmsg(int(socket->socketDescriptor()), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0)
            sent = qsizetype(n);
        if (sent == first.size() + second.size())
            return; // all taken: nothing for Qt to flush
    }
#endif
    if (sent == 0) {
        if (!second.isEmpty() && first.size() + second.size() < 64 * 1024) {
            // Through Qt, a small request is one write (for TLS, one record rather than two).
            QByteArray both;
            both.reserve(first.size() + second.size());
            both.append(first).append(second);
            socket->write(both);
        } else {
            socket->write(first); // big buffers by reference
            if (!second.isEmpty())
                socket->write(second);
        }
    } else {
        // What the kernel did not take (at most kDirectAtMost), after it, in order.
        if (sent < first.size()) {
            socket->write(first.constData() + sent, first.size() - sent);
            sent = first.size();
        }
        sent -= first.size();
        if (sent < second.size())
            socket->write(second.constData() + sent, second.size() - sent);
    }
    socket->flush(); // out now, not on the next turn of the event loop
}

} // namespace d2a::http
