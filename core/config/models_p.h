#pragma once
// Internal to core/config: model entries (read, written), the shipped catalog and the merge of a file's
// models[] over it.

#include "fields_p.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>

#include <optional>

namespace d2a::cfg {

/// The shipped defaults file as written (resource :/droid2api/defaults.json).
QByteArray shippedDefaultsText();

/// The shipped model catalog, in its order.
const QList<ModelConfig> &catalog();

/// Entries earlier versions shipped (and their first run copied into config files): such an entry in a
/// user's file is an unedited old default, which the current catalog replaces.
const QJsonObject &previousDefaults();

/// The keys of a model entry the save writes (registry keys are never written back).
QJsonObject modelJson(const ModelConfig &m);
/// The order keys of a model entry are written in (as the shipped file has them).
const QStringList &modelKeyOrder();

/// Reads one models[] entry over `m` (the shipped model with that id, if any): only keys present change.
std::optional<Error> readModel(const Validator &v, const QString &key, const QJsonObject &mo, bool shipped,
                               ModelConfig &m);

/// models[]: entries merge by id over the shipped catalog. An entry with a shipped id changes only the keys it
/// has; a new id adds a model (it needs a type); "hidden": true removes a shipped model. The order is the
/// catalog's, then the added models in the file's order, unless model_order lists ids to put first.
std::optional<Error> loadModels(const Validator &v, const QJsonValue &value, const QJsonValue &order, Config &c);

} // namespace d2a::cfg
