#pragma once
// Tests never read or write the developer's own state: HOME and the XDG config and data folders point into a
// temporary folder (config files, token stores, client settings, autostart entries all land there).

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>

inline void useTemporaryHome(const QString &home)
{
    qputenv("HOME", home.toUtf8());
    qputenv("XDG_CONFIG_HOME", (home + QStringLiteral("/config")).toUtf8());
    qputenv("XDG_DATA_HOME", (home + QStringLiteral("/data")).toUtf8());
}
