#include "log.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdatetime.h>
#include <QtCore/qmutex.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qset.h>

#include <cstdio>
#include <cstdlib>

Q_LOGGING_CATEGORY(lcServer, "droid2api.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUsage, "droid2api.usage", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUpstream, "droid2api.upstream", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConfig, "droid2api.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "droid2api.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProxy, "droid2api.proxy", QtInfoMsg)

namespace d2a::log {
namespace {

QMutex &mutex()
{
    static QMutex m;
    return m;
}

QSet<QString> &secrets()
{
    static QSet<QString> s;
    return s;
}

Sink &sink()
{
    static Sink s;
    return s;
}

QtMessageHandler g_previous = nullptr;

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "error";
    case QtFatalMsg: return "fatal";
    }
    return "info";
}

/// Lines waiting for stderr: written once per turn of the event loop (one write for every line logged while
/// serving a burst of requests), at once for warnings and errors, and at exit.
QByteArray &pending()
{
    static QByteArray p;
    return p;
}

void flushPendingLocked()
{
    QByteArray &p = pending();
    if (p.isEmpty())
        return;
    std::fwrite(p.constData(), 1, size_t(p.size()), stderr);
    std::fflush(stderr);
    p.clear();
}

void flushPending()
{
    QMutexLocker lock(&mutex());
    flushPendingLocked();
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QString category = QString::fromLatin1(context.category ? context.category : "default");
    const QString safe = redact(message);
    // Local time with its offset ("2026-11-29T15:04:05.123+01:00"), as the Activity window shows times.
    const QDateTime now = QDateTime::currentDateTime();
    const QString line = now.toOffsetFromUtc(now.offsetFromUtc()).toString(Qt::ISODateWithMs) + u' '
                         + QString::fromLatin1(levelName(type)) + u' ' + category + QStringLiteral(": ") + safe;
    if (g_previous) {
        g_previous(type, context, safe);
    } else {
        bool schedule = false;
        {
            QMutexLocker lock(&mutex());
            schedule = pending().isEmpty();
            pending() += line.toUtf8();
            pending() += '\n';
            if (type >= QtWarningMsg || pending().size() > 16 * 1024) {
                flushPendingLocked();
                schedule = false;
            }
        }
        if (schedule) {
            if (QCoreApplication *app = QCoreApplication::instance())
                QMetaObject::invokeMethod(app, &flushPending, Qt::QueuedConnection);
            else
                flushPending();
        }
    }
    Sink s;
    {
        QMutexLocker lock(&mutex());
        s = sink();
    }
    if (s)
        s(type, category, line);
    if (type == QtFatalMsg && !g_previous) {
        flushPending();
        std::abort();
    }
}

} // namespace

void installChained(bool debug)
{
    QtMessageHandler previous = qInstallMessageHandler(handler);
    if (previous != handler)
        g_previous = previous;
    QLoggingCategory::setFilterRules(debug ? QStringLiteral("droid2api.*.debug=true\nqt.*.debug=false")
                                           : QStringLiteral("droid2api.*.debug=false"));
}

void flush()
{
    flushPending();
}

void install(bool debug)
{
    // The buffer and its lock exist before the exit hook is registered, so they outlive it.
    static const bool flushAtExit = [] {
        mutex();
        pending();
        return std::atexit(flushPending) == 0;
    }();
    Q_UNUSED(flushAtExit);
    g_previous = nullptr;
    qInstallMessageHandler(handler);
    QLoggingCategory::setFilterRules(debug ? QStringLiteral("droid2api.*.debug=true\nqt.*.debug=false")
                                           : QStringLiteral("droid2api.*.debug=false"));
}

QString effectiveLevel(const QString &configLevel, bool debug)
{
    return debug ? QStringLiteral("debug") : configLevel;
}

void setLevel(const QString &level)
{
    if (level == u"debug")
        QLoggingCategory::setFilterRules(QStringLiteral("droid2api.*.debug=true\nqt.*.debug=false"));
    else if (level == u"warning")
        QLoggingCategory::setFilterRules(QStringLiteral("droid2api.*.debug=false\ndroid2api.*.info=false"));
    else
        QLoggingCategory::setFilterRules(QStringLiteral("droid2api.*.debug=false"));
}

void registerSecret(const QString &secret)
{
    if (secret.size() < 8)
        return;
    QMutexLocker lock(&mutex());
    if (secrets().size() > 256)
        secrets().clear(); // bounded; the pattern rules below still catch credential-shaped strings
    secrets().insert(secret);
}

namespace {
/// True when `text` could hold something the patterns below match (most log lines cannot: checking these few
/// needles is much cheaper than running the expression).
bool mayHoldCredential(const QString &text)
{
    static const QLatin1StringView needles[] = { QLatin1StringView("bearer"), QLatin1StringView("fk-"),
                                                 QLatin1StringView("sk-"),    QLatin1StringView("rk-"),
                                                 QLatin1StringView("eyJ"),    QLatin1StringView("token"),
                                                 QLatin1StringView("key"),    QLatin1StringView("device_code") };
    for (const QLatin1StringView n : needles)
        if (text.contains(n, Qt::CaseInsensitive))
            return true;
    return false;
}
} // namespace

QString clientText(QStringView value, qsizetype max)
{
    QString out;
    const qsizetype n = qMin(value.size(), max);
    out.reserve(n + 16);
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = value.at(i).unicode();
        if (c == u'\n')
            out += QLatin1StringView("\\n");
        else if (c == u'\r')
            out += QLatin1StringView("\\r");
        else if (c == u'\t')
            out += QLatin1StringView("\\t");
        else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
            out += QStringLiteral("\\x%1").arg(uint(c), c > 0xff ? 4 : 2, 16, QLatin1Char('0'));
        else
            out += QChar(c);
    }
    if (value.size() > max)
        out += QStringLiteral("\u2026(+%1)").arg(value.size() - max);
    return out;
}

QString redact(const QString &text)
{
    // Credential-shaped strings, as a second line of defence behind registerSecret(). Values shorter than a
    // real token ("Bearer <key>" in a help text) are left alone.
    static const QRegularExpression patterns(QStringLiteral(
        R"((?i)(bearer\s+)[A-Za-z0-9._~+/=\-]{12,})"
        R"(|\b(?:fk|sk|rk)-[A-Za-z0-9_\-]{8,})"
        R"(|eyJ[A-Za-z0-9_\-]{6,}\.[A-Za-z0-9_\-]{6,}\.[A-Za-z0-9_\-]*)"
        R"(|((?:refresh_token|access_token|api_key|x-api-key|x-goog-api-key|device_code)["']?\s*[:=]\s*["']?)[^\s"'&,;}]{8,})"));
    QString out = text;
    {
        QMutexLocker lock(&mutex());
        for (const QString &s : std::as_const(secrets()))
            out.replace(s, QStringLiteral("[redacted]"));
    }
    if (!mayHoldCredential(out))
        return out;
    QString result;
    qsizetype last = 0;
    auto it = patterns.globalMatch(out);
    while (it.hasNext()) {
        const auto m = it.next();
        result += QStringView(out).mid(last, m.capturedStart() - last);
        if (m.capturedLength(1) > 0)
            result += m.captured(1);
        else if (m.capturedLength(2) > 0)
            result += m.captured(2);
        result += QStringLiteral("[redacted]");
        last = m.capturedEnd();
    }
    result += QStringView(out).mid(last);
    return result;
}

QByteArray loggableHeaderValue(const QByteArray &name, const QByteArray &value)
{
    const QByteArray n = name.toLower();
    if (n == "authorization" || n == "x-api-key" || n == "x-goog-api-key" || n == "cookie" || n == "set-cookie"
        || n == "proxy-authorization")
        return QByteArrayLiteral("[redacted]");
    return redact(QString::fromUtf8(value)).toUtf8();
}

void setSink(Sink s)
{
    QMutexLocker lock(&mutex());
    sink() = std::move(s);
}

} // namespace d2a::log
