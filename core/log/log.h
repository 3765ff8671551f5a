#pragma once
// Logging: one QLoggingCategory per area, one message handler that formats lines and scrubs secrets.

#include <QtCore/qloggingcategory.h>
#include <QtCore/qstring.h>

#include <functional>

Q_DECLARE_LOGGING_CATEGORY(lcServer)
Q_DECLARE_LOGGING_CATEGORY(lcUsage)
Q_DECLARE_LOGGING_CATEGORY(lcUpstream)
Q_DECLARE_LOGGING_CATEGORY(lcConfig)
Q_DECLARE_LOGGING_CATEGORY(lcAuth)
Q_DECLARE_LOGGING_CATEGORY(lcProxy)

namespace d2a::log {

/// Installs the process-wide message handler (stderr, one line per message, secrets scrubbed).
/// `debug` enables debug output for every droid2api category.
void install(bool debug);
/// Writes the lines waiting for stderr now (they go once per turn of the event loop, warnings at once).
void flush();

/// For tests: like install(), but lines go on to the previously installed handler (QTest's) instead of
/// stderr, so QTest::failOnWarning keeps working while the sink sees every line.
void installChained(bool debug);

/// Sets the minimum level of droid2api's categories: "debug", "info" or "warning".
void setLevel(const QString &level);
/// The level in force: "debug" when developer mode or DEBUG asks for it, else the config's log_level.
QString effectiveLevel(const QString &configLevel, bool debug);

/// Every later log line has `secret` replaced by "[redacted]". Strings shorter than 8 characters are ignored.
void registerSecret(const QString &secret);

/// Replaces registered secrets and anything shaped like a credential (Bearer values, fk-/sk- keys, JWTs,
/// refresh/access token fields) with "[redacted]".
QString redact(const QString &text);

/// A value a client chose (a model name, a path), as it may appear in a log line or an error message: control
/// characters escaped ("\n", "\x1b"), so it cannot forge another line, and at most `max` characters (the rest
/// counted: "…(+1048000)").
QString clientText(QStringView value, qsizetype max = 200);

/// Value of a header as it may be logged: credentials become "[redacted]".
QByteArray loggableHeaderValue(const QByteArray &name, const QByteArray &value);

/// Receives every formatted line after redaction (activity view, tests). Pass {} to remove.
using Sink = std::function<void(QtMsgType type, const QString &category, const QString &line)>;
void setSink(Sink sink);

} // namespace d2a::log
