#pragma once
// Internal to core/config: the validator and the field table that loading, validation and saving share.

#include "../text.h"
#include "config.h"

#include <QtCore/qjsonobject.h>
#include <QtCore/qjsonvalue.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>

#include <cmath>
#include <functional>
#include <optional>

namespace d2a::cfg {

/// Validates one file; each failure names the file, the key path and the problem.
class Validator
{
public:
    explicit Validator(QString fileName) : m_file(std::move(fileName)) { }

    Error fail(const QString &key, const QString &problem) const
    {
        return Error::badRequest(ConfigText::tr("%1: key '%2': %3").arg(m_file, key, problem));
    }

    static QString typeName(const QJsonValue &v)
    {
        switch (v.type()) {
        case QJsonValue::Null: return QStringLiteral("null");
        case QJsonValue::Bool: return ConfigText::tr("a boolean");
        case QJsonValue::Double: return ConfigText::tr("a number");
        case QJsonValue::String: return ConfigText::tr("a string");
        case QJsonValue::Array: return ConfigText::tr("an array");
        case QJsonValue::Object: return ConfigText::tr("an object");
        case QJsonValue::Undefined: return QStringLiteral("missing");
        }
        return {};
    }

    std::optional<Error> expect(const QString &key, const QJsonValue &v, QJsonValue::Type type,
                                const QString &what) const
    {
        if (v.type() != type)
            return fail(key, ConfigText::tr("expected %1, got %2").arg(what, typeName(v)));
        return std::nullopt;
    }

    std::optional<Error> integer(const QString &key, const QJsonValue &v, qint64 min, qint64 max, qint64 *out) const
    {
        if (!v.isDouble())
            return fail(key, ConfigText::tr("expected a whole number, got %1").arg(typeName(v)));
        const double d = v.toDouble();
        if (std::floor(d) != d || d < double(min) || d > double(max))
            return fail(key, ConfigText::tr("expected a whole number from %1 to %2, got %3").arg(min).arg(max).arg(d));
        *out = qint64(d);
        return std::nullopt;
    }

    std::optional<Error> url(const QString &key, const QJsonValue &v, bool allowEmpty, QUrl *out) const
    {
        if (auto e = expect(key, v, QJsonValue::String, ConfigText::tr("a URL string")))
            return e;
        const QString s = v.toString().trimmed();
        if (s.isEmpty() && allowEmpty) {
            *out = QUrl();
            return std::nullopt;
        }
        const QUrl u(s, QUrl::StrictMode);
        if (!u.isValid() || (u.scheme() != u"http" && u.scheme() != u"https") || u.host().isEmpty())
            return fail(key, ConfigText::tr("'%1' is not a valid http(s) URL").arg(s));
        *out = u;
        return std::nullopt;
    }

private:
    QString m_file;
};

/// "line L, column C" of `offset` in `json`, for a parse error.
QString lineColumn(const QByteArray &json, int offset);

/// The model types and reasoning levels as an error message lists them.
QString typeList();
QString levelList();

/// The value at `path` in `o` (undefined when a step is missing or not an object).
QJsonValue at(const QJsonObject &o, const QStringList &path);

/// One configuration key: where it lives in the file, how it is read and validated into a Config, and how it
/// is written back. Loading, validation and saving all go through this table, so they cannot drift.
struct Field
{
    QStringList path;
    std::function<std::optional<Error>(const Validator &v, const QString &key, const QJsonValue &value, Config &c)>
        load;
    std::function<QJsonValue(const Config &c)> save;
    bool skipNull = true; ///< null means "not set" (the default applies)
};

/// Every configuration key but models[] and model_order (models_p.h), in the order they are checked.
const QList<Field> &fields();

/// Objects whose members are separate fields: the object itself must be an object, with known members only
/// where the member names are fixed.
struct Group
{
    const char *key;
    QStringList members; ///< empty: any
};
/// The groups, each checked before its members.
const QList<Group> &groups();

} // namespace d2a::cfg
