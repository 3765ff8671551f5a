#pragma once
// Internal to core/config: the byte-preserving save, which writes only the keys that changed into a file's text.

#include "config.h"

#include "../json/jsonedit.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qjsonvalue.h>

#include <optional>

namespace d2a::cfg {

/// `v` as compact JSON text.
QByteArray jsonText(const QJsonValue &v);
/// A field's key path as a JSON path.
json::Path toPath(const QStringList &keys);

/// Writes `now` at `path` where it differs from `was`. Objects the file already has are edited member by member
/// (a changed redirect or header is one edit); anything else is written whole.
std::optional<Error> applyDiff(QByteArray &text, const json::Path &path, const QJsonValue &was, const QJsonValue &now);

/// Writes the differences between `base` and `next` models into `text` (see loadModels for the merge rules):
/// changed keys of an existing entry, a new entry for a shipped model changed for the first time, removed
/// entries or "hidden": true, and the order when it changed.
Result<QByteArray> saveModels(QByteArray text, const QList<ModelConfig> &base, const QList<ModelConfig> &next);

} // namespace d2a::cfg
