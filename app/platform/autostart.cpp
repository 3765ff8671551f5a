#include "autostart.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qsavefile.h>
#include <QtCore/qsettings.h>
#include <QtCore/qstandardpaths.h>

namespace Autostart {

#if defined(Q_OS_WIN)
// --- Windows: HKCU\Software\Microsoft\Windows\CurrentVersion\Run
static const char *kRunKey = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";

QString location()
{
    return QString::fromLatin1(kRunKey);
}

bool isEnabled()
{
    return QSettings(QString::fromLatin1(kRunKey), QSettings::NativeFormat).contains(QStringLiteral("droid2api"));
}

QString setEnabled(bool enabled)
{
    QSettings run(QString::fromLatin1(kRunKey), QSettings::NativeFormat);
    if (enabled)
        run.setValue(QStringLiteral("droid2api"),
                     QString(QLatin1Char('"') + QDir::toNativeSeparators(QCoreApplication::applicationFilePath())
                             + QLatin1Char('"')));
    else
        run.remove(QStringLiteral("droid2api"));
    run.sync();
    return run.status() == QSettings::NoError
               ? QString()
               : QCoreApplication::translate("Autostart", "cannot write the Run registry key");
}
#else
QString location()
{
#if defined(Q_OS_MACOS)
    // --- macOS: a LaunchAgent
    return QDir::homePath() + QStringLiteral("/Library/LaunchAgents/ai.droid2api.plist");
#else
    // --- Linux and other XDG desktops: an autostart entry
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
           + QStringLiteral("/autostart/droid2api.desktop");
#endif
}

bool isEnabled()
{
    return QFile::exists(location());
}

QString setEnabled(bool enabled)
{
    const QString path = location();
    if (!enabled) {
        if (QFile::exists(path) && !QFile::remove(path))
            return QCoreApplication::translate("Autostart", "cannot remove %1").arg(path);
        return {};
    }
    const QString exe = QCoreApplication::applicationFilePath();
#if defined(Q_OS_MACOS)
    const QString content =
        QStringLiteral(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
            "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\"><dict>\n"
            "  <key>Label</key><string>ai.droid2api</string>\n"
            "  <key>ProgramArguments</key><array><string>%1</string></array>\n"
            "  <key>RunAtLoad</key><true/>\n</dict></plist>\n")
            .arg(exe.toHtmlEscaped());
#else
    const QString content =
        QStringLiteral("[Desktop Entry]\nType=Application\nName=droid2api\nComment=Local LLM API bridge\n"
                       "Exec=\"%1\"\nIcon=droid2api\nTerminal=false\nX-GNOME-Autostart-enabled=true\n")
            .arg(exe);
#endif
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return QCoreApplication::translate("Autostart", "cannot write %1: %2").arg(path, f.errorString());
    f.write(content.toUtf8());
    return f.commit() ? QString()
                      : QCoreApplication::translate("Autostart", "cannot write %1: %2").arg(path, f.errorString());
}
#endif

} // namespace Autostart
