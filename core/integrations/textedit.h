#pragma once
// Minimal edits to configuration files other programs own: only the bytes of the keys droid2api sets change;
// everything else (order, comments, formatting) stays byte for byte. A file that does not parse is refused.

#include "../error.h"

#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>

#include <optional>

namespace d2a::textedit {

/// JSON: the value at `path` (object keys) as raw JSON text, or nullopt.
std::optional<QString> jsonGet(const QString &text, const QStringList &path);
/// JSON: sets the value at `path` to `rawJson` (JSON text), creating objects on the way; other bytes unchanged.
Result<QString> jsonSetRaw(const QString &text, const QStringList &path, const QString &rawJson);
/// JSON: jsonSetRaw with a string value.
Result<QString> jsonSetString(const QString &text, const QStringList &path, const QString &value);
/// JSON: removes the member at `path` (and its comma); other bytes unchanged. Absent: unchanged.
Result<QString> jsonRemove(const QString &text, const QStringList &path);

/// TOML (the subset config files use: comments, [tables], [[arrays]], key = value, multi-line strings and
/// arrays). Refuses what it cannot read rather than guess.
Result<bool> tomlValidate(const QString &text);
/// The raw value text of a key of the root table, or nullopt.
std::optional<QString> tomlRootValue(const QString &text, const QString &key);
/// Sets `key = value` (value is TOML text) in the root table: replaces the line, or inserts it before the
/// first table header.
QString tomlSetRoot(const QString &text, const QString &key, const QString &value);
QString tomlRemoveRoot(const QString &text, const QString &key);
/// Replaces the whole table `[header]` (header line through the line before the next header) with `block`,
/// or appends `block` when absent. An empty block removes the table.
QString tomlSetTable(const QString &text, const QString &header, const QString &block);

/// A unified-style line diff with `context` lines around each change ("--- old", "+++ new" lines first).
QString lineDiff(const QString &before, const QString &after, const QString &name, int context = 2);

} // namespace d2a::textedit
