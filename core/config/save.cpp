#include "save_p.h"

#include "../json/jsonwriter.h"
#include "models_p.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qset.h>

namespace d2a::cfg {

QByteArray jsonText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Object: return QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
    case QJsonValue::Array: return QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
    case QJsonValue::String: return json::quoted(v.toString());
    case QJsonValue::Bool: return v.toBool() ? "true" : "false";
    case QJsonValue::Double: {
        QByteArray out;
        json::appendNumber(out, v.toDouble());
        return out;
    }
    default: return "null";
    }
}

json::Path toPath(const QStringList &keys)
{
    json::Path p;
    for (const QString &k : keys)
        p.append(json::Step(k));
    return p;
}

std::optional<Error> applyDiff(QByteArray &text, const json::Path &path, const QJsonValue &was, const QJsonValue &now)
{
    if (was == now)
        return std::nullopt;
    if (was.isObject() && now.isObject()) {
        const auto current = json::get(text, path);
        if (current && current->trimmed().startsWith('{')) {
            const QJsonObject a = was.toObject(), b = now.toObject();
            for (auto it = a.begin(); it != a.end(); ++it)
                if (!b.contains(it.key())) {
                    json::Path p = path;
                    p.append(json::Step(it.key()));
                    auto r = json::remove(text, p);
                    if (!r)
                        return r.error();
                    text = r.value();
                }
            for (auto it = b.begin(); it != b.end(); ++it) {
                json::Path p = path;
                p.append(json::Step(it.key()));
                if (auto e = applyDiff(text, p, a.value(it.key()), it.value()))
                    return e;
            }
            return std::nullopt;
        }
    }
    if (was.isArray() && now.isArray()) {
        // Arrays of named entries (endpoint[], backends[]) with the same names: entry by entry, matched by name
        // (the file may list them in any order).
        auto names = [](const QJsonArray &a) {
            QStringList out;
            for (const QJsonValue &v : a)
                out << (v.isObject() ? v.toObject().value(u"name").toString() : QString());
            return out;
        };
        const QStringList before = names(was.toArray()), after = names(now.toArray());
        const auto current = json::get(text, path);
        auto doc = current ? json::Document::parse(*current) : Result<json::Document>(Error());
        if (doc && doc.value().root().isArray() && !before.contains(QString()) && before.size() == after.size()
            && QSet<QString>(before.begin(), before.end()) == QSet<QString>(after.begin(), after.end())) {
            QStringList inFile;
            for (json::Value e : doc.value().root().children())
                inFile << e["name"].toString();
            if (QSet<QString>(inFile.begin(), inFile.end()) == QSet<QString>(after.begin(), after.end())
                && inFile.size() == after.size()) {
                for (int i = 0; i < after.size(); ++i) {
                    json::Path p = path;
                    p.append(json::Step(int(inFile.indexOf(after[i]))));
                    if (auto e = applyDiff(text, p, was.toArray().at(before.indexOf(after[i])), now.toArray().at(i)))
                        return e;
                }
                return std::nullopt;
            }
        }
    }
    auto r = json::set(text, path, jsonText(now));
    if (!r)
        return r.error();
    text = r.value();
    return std::nullopt;
}

Result<QByteArray> saveModels(QByteArray text, const QList<ModelConfig> &base, const QList<ModelConfig> &next)
{
    auto entryIndex = [](const QByteArray &t, const QString &id) -> int {
        auto doc = json::Document::parse(t);
        if (!doc)
            return -1;
        const json::Value models = doc.value().root()["models"];
        int i = 0;
        for (json::Value m : models.children()) {
            if (m["id"].toString().trimmed() == id)
                return i;
            ++i;
        }
        return -1;
    };
    auto entryCount = [](const QByteArray &t) {
        auto doc = json::Document::parse(t);
        return doc ? doc.value().root()["models"].size() : 0;
    };
    auto hasModels = [](const QByteArray &t) {
        auto doc = json::Document::parse(t);
        return doc && doc.value().root()["models"].isArray();
    };
    auto shippedModel = [](const QString &id) -> const ModelConfig * {
        for (const ModelConfig &s : catalog())
            if (s.id == id)
                return &s;
        return nullptr;
    };
    auto appendEntry = [&](const QJsonObject &entry) -> std::optional<Error> {
        // Keys in the shipped file's order.
        QByteArray raw = "{";
        for (const QString &k : modelKeyOrder())
            if (entry.contains(k))
                raw += (raw.size() > 1 ? "," : "") + json::quoted(k) + ':' + jsonText(entry.value(k));
        if (entry.contains(u"hidden"))
            raw += (raw.size() > 1 ? "," : "") + QByteArray("\"hidden\":true");
        raw += '}';
        auto r = hasModels(text) ? json::set(text, { "models", entryCount(text) }, raw)
                                 : json::set(text, { "models" }, '[' + raw + ']');
        if (!r)
            return r.error();
        text = r.value();
        return std::nullopt;
    };
    auto find = [](const QList<ModelConfig> &list, const QString &id) -> const ModelConfig * {
        for (const ModelConfig &m : list)
            if (m.id == id)
                return &m;
        return nullptr;
    };

    for (const ModelConfig &m : next) {
        const ModelConfig *before = find(base, m.id);
        const QJsonObject now = modelJson(m);
        const QJsonObject was = before ? modelJson(*before) : QJsonObject();
        int index = entryIndex(text, m.id);
        if (index >= 0 && !before) { // re-adding a hidden model
            auto r = json::remove(text, { "models", index, "hidden" });
            if (!r)
                return r.error();
            text = r.value();
        }
        if (index < 0) {
            if (before && now == was)
                continue;
            // A model without an entry: a shipped one changed for the first time (only its changed keys), or a
            // new one (in full).
            QJsonObject entry { { QStringLiteral("id"), m.id } };
            const ModelConfig *shipped = shippedModel(m.id);
            const QJsonObject reference = shipped ? modelJson(*shipped) : QJsonObject();
            for (const QString &k : modelKeyOrder())
                if (k != u"id" && (!shipped || now.value(k) != reference.value(k)))
                    entry.insert(k, now.value(k));
            if (!shipped) {
                entry.remove(QStringLiteral("backend"));
                entry.remove(QStringLiteral("fallback"));
                if (!m.backend.isEmpty())
                    entry.insert(QStringLiteral("backend"), m.backend);
                if (!m.fallback.isEmpty())
                    entry.insert(QStringLiteral("fallback"), QJsonArray::fromStringList(m.fallback));
                if (m.provider.isEmpty())
                    entry.remove(QStringLiteral("provider"));
                if (!m.fast)
                    entry.remove(QStringLiteral("fast"));
            }
            if (auto e = appendEntry(entry))
                return *e;
            continue;
        }
        for (const QString &k : modelKeyOrder()) {
            if (k == u"id" || now.value(k) == was.value(k))
                continue;
            auto r = json::set(text, { "models", index, k }, jsonText(now.value(k)));
            if (!r)
                return r.error();
            text = r.value();
        }
    }
    for (const ModelConfig &m : base) {
        if (find(next, m.id))
            continue;
        const int index = entryIndex(text, m.id);
        if (shippedModel(m.id)) {
            if (index >= 0) {
                auto r = json::set(text, { "models", index, "hidden" }, "true");
                if (!r)
                    return r.error();
                text = r.value();
            } else if (auto e = appendEntry({ { QStringLiteral("id"), m.id }, { QStringLiteral("hidden"), true } })) {
                return *e;
            }
        } else if (index >= 0) {
            auto r = json::remove(text, { "models", index });
            if (!r)
                return r.error();
            text = r.value();
        }
    }
    // The order: when the file, read back, would list the models in another order than `next`, model_order
    // says the new one (and goes away when the natural order is the wanted one).
    QStringList wanted;
    for (const ModelConfig &m : next)
        wanted << m.id;
    auto readBack = [&text](bool withOrder) {
        const QJsonObject o = QJsonDocument::fromJson(text).object();
        Config probe;
        QStringList ids;
        if (!loadModels(Validator(QString()), o.value(u"models"), withOrder ? o.value(u"model_order") : QJsonValue(),
                        probe))
            for (const ModelConfig &m : std::as_const(probe.models))
                ids << m.id;
        return ids;
    };
    if (readBack(true) != wanted) {
        auto r = readBack(false) == wanted
                     ? json::remove(text, { "model_order" })
                     : json::set(text, { "model_order" }, jsonText(QJsonArray::fromStringList(wanted)));
        if (!r)
            return r.error();
        text = r.value();
    }
    return text;
}

} // namespace d2a::cfg
