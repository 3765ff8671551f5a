#pragma once
// Writing to a plain TCP socket without a turn of Qt's write machinery (both the server's connections and the
// upstream client's use it).

#include <QtCore/qbytearray.h>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace d2a::http {

/// Writes `first` then `second` to `socket`: straight to the kernel where it can (Linux, `plain`: a TCP socket
/// that is neither TLS nor behind a proxy, with nothing queued in Qt), and whatever the kernel does not take at
/// once through Qt's own buffer, in order. Over 1 MiB in all, everything goes through Qt, which keeps a big
/// QByteArray by reference instead of copying it. Through QAbstractSocket::write alone, Qt switches the socket's write
/// notifier on and off around each write, and GLib's event loop (Qt's on Linux) wakes itself for each switch with an
/// eventfd write and one more poll; two buffers would also be two writes.
void writeNow(QTcpSocket *socket, bool plain, const QByteArray &first, const QByteArray &second = {});

} // namespace d2a::http
