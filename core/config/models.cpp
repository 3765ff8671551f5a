#include "models_p.h"

#include "../text.h"

#include <QtCore/qfile.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qset.h>

#include <algorithm>

static void initCoreResources()
{
    Q_INIT_RESOURCE(core_resources);
}

namespace d2a {

ThinkingStyle ModelConfig::style() const
{
    if (thinking)
        return *thinking;
    switch (type) {
    case ModelType::Anthropic: return ThinkingStyle::Adaptive; // every Claude model from 4.6 on
    case ModelType::OpenAI: return ThinkingStyle::EffortSummary;
    case ModelType::Common: return ThinkingStyle::ReasoningEffort;
    case ModelType::Google: return ThinkingStyle::ThinkingLevel;
    }
    return ThinkingStyle::Adaptive;
}

bool ModelConfig::supports(ReasoningLevel level) const
{
    return level == ReasoningLevel::Auto || levels.isEmpty() || levels.contains(level);
}

ReasoningLevel ModelConfig::clamp(ReasoningLevel level) const
{
    return supports(level) ? level : defaultLevel;
}

namespace cfg {

namespace {

/// The registry keys of a models[] entry (see README "Models"): levels, default_level, thinking, betas,
/// factory_betas, factory_body, reasoning_history, level_names, max_tokens, credits, deprecated, replacement.
std::optional<Error> readRegistry(const Validator &v, const QString &key, const QJsonObject &mo, ModelConfig &m)
{
    auto level = [&](const QString &k, const QJsonValue &value) -> std::optional<ReasoningLevel> {
        const auto l = parseReasoningLevel(value.toString());
        if (!value.isString() || !l)
            return std::nullopt;
        Q_UNUSED(k);
        return l;
    };
    if (mo.contains(u"levels")) {
        if (auto e = v.expect(key + QStringLiteral(".levels"), mo.value(u"levels"), QJsonValue::Array,
                              ConfigText::tr("an array of levels")))
            return e;
        m.levels.clear();
        const QJsonArray arr = mo.value(u"levels").toArray();
        for (int i = 0; i < arr.size(); ++i) {
            const auto l = level(key, arr[i]);
            if (!l || *l == ReasoningLevel::Auto)
                return v.fail(QStringLiteral("%1.levels[%2]").arg(key).arg(i),
                              ConfigText::tr("unknown level (expected %1)").arg(levelList()));
            if (!m.levels.contains(*l))
                m.levels << *l;
        }
    }
    if (mo.contains(u"default_level")) {
        const auto l = level(key, mo.value(u"default_level"));
        if (!l || *l == ReasoningLevel::Auto)
            return v.fail(key + QStringLiteral(".default_level"),
                          ConfigText::tr("unknown level (expected %1)").arg(levelList()));
        m.defaultLevel = *l;
    }
    if (mo.contains(u"thinking")) {
        const auto t = parseThinkingStyle(mo.value(u"thinking").toString());
        if (!t)
            return v.fail(
                key + QStringLiteral(".thinking"),
                ConfigText::tr(
                    "unknown style (expected budget, budget_effort, adaptive, adaptive_summarized, effort_summary, "
                    "effort, reasoning_effort, chat_template, none or thinking_level)"));
        m.thinking = *t;
    }
    if (mo.contains(u"betas")) {
        if (auto e = v.expect(key + QStringLiteral(".betas"), mo.value(u"betas"), QJsonValue::Array,
                              ConfigText::tr("an array of strings")))
            return e;
        m.betas.clear();
        for (const QJsonValue &b : mo.value(u"betas").toArray())
            m.betas << b.toString();
    }
    if (mo.contains(u"factory_betas")) {
        if (auto e = v.expect(key + QStringLiteral(".factory_betas"), mo.value(u"factory_betas"), QJsonValue::Array,
                              ConfigText::tr("an array of strings")))
            return e;
        m.factoryBetas.clear();
        for (const QJsonValue &b : mo.value(u"factory_betas").toArray())
            m.factoryBetas << b.toString();
    }
    if (mo.contains(u"factory_body")) {
        if (auto e = v.expect(key + QStringLiteral(".factory_body"), mo.value(u"factory_body"), QJsonValue::Object,
                              ConfigText::tr("an object")))
            return e;
        m.factoryBody = mo.value(u"factory_body").toObject();
    }
    if (mo.contains(u"level_names")) {
        if (auto e = v.expect(key + QStringLiteral(".level_names"), mo.value(u"level_names"), QJsonValue::Object,
                              ConfigText::tr("an object")))
            return e;
        m.levelNames.clear();
        const QJsonObject names = mo.value(u"level_names").toObject();
        for (auto it = names.begin(); it != names.end(); ++it)
            m.levelNames.insert(it.key(), it.value().toString());
    }
    for (const auto &[name, member] : { std::pair { "reasoning_history", &ModelConfig::reasoningHistory },
                                        std::pair { "deprecated", &ModelConfig::deprecated },
                                        std::pair { "replacement", &ModelConfig::replacement } }) {
        const QString k = QString::fromLatin1(name);
        if (!mo.contains(k))
            continue;
        if (mo.value(k).isNull()) { // null clears a shipped value (e.g. keep using a retired model)
            m.*member = QString();
            continue;
        }
        if (auto e = v.expect(key + u'.' + k, mo.value(k), QJsonValue::String, ConfigText::tr("a string")))
            return e;
        m.*member = mo.value(k).toString().trimmed();
    }
    if (!m.deprecated.isEmpty() && !QDate::fromString(m.deprecated, Qt::ISODate).isValid())
        return v.fail(key + QStringLiteral(".deprecated"), ConfigText::tr("must be a date like 2026-07-24"));
    if (mo.contains(u"max_tokens")) {
        if (auto e = v.expect(key + QStringLiteral(".max_tokens"), mo.value(u"max_tokens"), QJsonValue::Double,
                              ConfigText::tr("a number")))
            return e;
        m.maxTokens = mo.value(u"max_tokens").toInt();
    }
    if (mo.contains(u"credits")) {
        if (auto e = v.expect(key + QStringLiteral(".credits"), mo.value(u"credits"), QJsonValue::Double,
                              ConfigText::tr("a number")))
            return e;
        m.credits = mo.value(u"credits").toDouble();
    }
    return std::nullopt;
}

bool previouslyShipped(const QJsonObject &entry)
{
    for (const QJsonValue &m : previousDefaults().value(u"models").toArray())
        if (m.toObject() == entry)
            return true;
    return false;
}

} // namespace

QJsonObject modelJson(const ModelConfig &m)
{
    QJsonObject o { { QStringLiteral("name"), m.name },
                    { QStringLiteral("id"), m.id },
                    { QStringLiteral("type"), modelTypeName(m.type) },
                    { QStringLiteral("reasoning"), reasoningLevelName(m.reasoning) },
                    { QStringLiteral("provider"), m.provider },
                    { QStringLiteral("fast"), m.fast },
                    { QStringLiteral("backend"), m.backend },
                    { QStringLiteral("fallback"), QJsonArray::fromStringList(m.fallback) } };
    return o;
}

const QStringList &modelKeyOrder()
{
    static const QStringList order { QStringLiteral("name"),      QStringLiteral("id"),       QStringLiteral("type"),
                                     QStringLiteral("reasoning"), QStringLiteral("provider"), QStringLiteral("fast"),
                                     QStringLiteral("backend"),   QStringLiteral("fallback") };
    return order;
}

std::optional<Error> readModel(const Validator &v, const QString &key, const QJsonObject &mo, bool shipped,
                               ModelConfig &m)
{
    if (auto e = v.expect(key + QStringLiteral(".id"), mo.value(u"id"), QJsonValue::String, ConfigText::tr("a string")))
        return e;
    m.id = mo.value(u"id").toString().trimmed();
    if (m.id.isEmpty())
        return v.fail(key + QStringLiteral(".id"), ConfigText::tr("must not be empty"));
    if (mo.contains(u"name")) {
        if (auto e = v.expect(key + QStringLiteral(".name"), mo.value(u"name"), QJsonValue::String,
                              ConfigText::tr("a string")))
            return e;
        m.name = mo.value(u"name").toString();
    }
    if (m.name.isEmpty())
        m.name = m.id;
    if (mo.contains(u"type") || !shipped) {
        if (auto e = v.expect(key + QStringLiteral(".type"), mo.value(u"type"), QJsonValue::String,
                              ConfigText::tr("a string")))
            return e;
        const auto type = parseModelType(mo.value(u"type").toString());
        if (!type)
            return v.fail(
                key + QStringLiteral(".type"),
                ConfigText::tr("unknown type '%1' (expected %2)").arg(mo.value(u"type").toString(), typeList()));
        m.type = *type;
    }
    if (mo.contains(u"reasoning")) {
        if (auto e = v.expect(key + QStringLiteral(".reasoning"), mo.value(u"reasoning"), QJsonValue::String,
                              ConfigText::tr("a string")))
            return e;
        const auto level = parseReasoningLevel(mo.value(u"reasoning").toString());
        if (!level)
            return v.fail(
                key + QStringLiteral(".reasoning"),
                ConfigText::tr("unknown level '%1' (expected %2)").arg(mo.value(u"reasoning").toString(), levelList()));
        m.reasoning = *level;
    }
    if (mo.contains(u"provider")) {
        if (auto e = v.expect(key + QStringLiteral(".provider"), mo.value(u"provider"), QJsonValue::String,
                              ConfigText::tr("a string")))
            return e;
        m.provider = mo.value(u"provider").toString().trimmed();
    }
    if (mo.contains(u"backend")) {
        if (auto e = v.expect(key + QStringLiteral(".backend"), mo.value(u"backend"), QJsonValue::String,
                              ConfigText::tr("a backend name")))
            return e;
        m.backend = mo.value(u"backend").toString().trimmed();
        if (m.backend == u"factory")
            m.backend.clear();
    }
    if (mo.contains(u"fallback")) {
        if (auto e = v.expect(key + QStringLiteral(".fallback"), mo.value(u"fallback"), QJsonValue::Array,
                              ConfigText::tr("an array of model ids")))
            return e;
        m.fallback.clear();
        for (const QJsonValue &f : mo.value(u"fallback").toArray())
            m.fallback << f.toString();
    }
    if (mo.contains(u"fast")) {
        if (auto e = v.expect(key + QStringLiteral(".fast"), mo.value(u"fast"), QJsonValue::Bool,
                              ConfigText::tr("true or false")))
            return e;
        m.fast = mo.value(u"fast").toBool();
    }
    return readRegistry(v, key, mo, m);
}

const QJsonObject &previousDefaults()
{
    static const QJsonObject previous = [] {
        initCoreResources();
        QFile f(QStringLiteral(":/droid2api/previous-models.json"));
        return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
    }();
    return previous;
}

std::optional<Error> loadModels(const Validator &v, const QJsonValue &value, const QJsonValue &order, Config &c)
{
    QList<ModelConfig> shipped = catalog();
    QList<ModelConfig> added;
    QSet<QString> seen;
    QSet<QString> hidden;
    if (!value.isUndefined() && !value.isNull()) {
        if (auto e = v.expect(QStringLiteral("models"), value, QJsonValue::Array, ConfigText::tr("an array")))
            return e;
        const QJsonArray arr = value.toArray();
        for (int i = 0; i < arr.size(); ++i) {
            const QString key = QStringLiteral("models[%1]").arg(i);
            if (auto e = v.expect(key, arr[i], QJsonValue::Object, ConfigText::tr("an object")))
                return e;
            const QJsonObject mo = arr[i].toObject();
            if (previouslyShipped(mo))
                continue;
            const QString id = mo.value(u"id").toString().trimmed();
            if (!id.isEmpty() && seen.contains(id))
                return v.fail(key + QStringLiteral(".id"), ConfigText::tr("duplicate model id '%1'").arg(id));
            qsizetype at = -1;
            for (qsizetype k = 0; k < shipped.size(); ++k)
                if (shipped[k].id == id)
                    at = k;
            ModelConfig m = at >= 0 ? shipped[at] : ModelConfig();
            if (auto e = readModel(v, key, mo, at >= 0, m))
                return e;
            seen.insert(m.id);
            if (mo.contains(u"hidden")) {
                if (auto e = v.expect(key + QStringLiteral(".hidden"), mo.value(u"hidden"), QJsonValue::Bool,
                                      ConfigText::tr("true or false")))
                    return e;
                if (mo.value(u"hidden").toBool())
                    hidden.insert(m.id);
            }
            if (at >= 0)
                shipped[at] = m;
            else
                added.append(m);
        }
    }
    QList<ModelConfig> out;
    for (const ModelConfig &m : std::as_const(shipped) + added)
        if (!hidden.contains(m.id))
            out.append(m);
    if (!order.isUndefined() && !order.isNull()) {
        if (auto e = v.expect(QStringLiteral("model_order"), order, QJsonValue::Array,
                              ConfigText::tr("an array of model ids")))
            return e;
        QStringList ids;
        for (const QJsonValue &id : order.toArray())
            ids << id.toString();
        std::stable_sort(out.begin(), out.end(), [&ids](const ModelConfig &a, const ModelConfig &b) {
            const qsizetype ia = ids.indexOf(a.id), ib = ids.indexOf(b.id);
            return (ia < 0 ? ids.size() : ia) < (ib < 0 ? ids.size() : ib);
        });
    }
    // A deprecation date is information (GET /v1/models, the Models page), never a reason to hide or reroute a
    // model: Factory decides when an id stops being served, and the Call then moves to its replacement.
    c.models = out;
    return std::nullopt;
}

QByteArray shippedDefaultsText()
{
    initCoreResources();
    QFile f(QStringLiteral(":/droid2api/defaults.json"));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("{}");
}

const QList<ModelConfig> &catalog()
{
    static const QList<ModelConfig> models = [] {
        QList<ModelConfig> out;
        const QJsonArray arr = QJsonDocument::fromJson(shippedDefaultsText()).object().value(u"models").toArray();
        const Validator v(QStringLiteral("defaults.json"));
        for (int i = 0; i < arr.size(); ++i) {
            ModelConfig m;
            if (!readModel(v, QStringLiteral("models[%1]").arg(i), arr[i].toObject(), false, m))
                out.append(m);
        }
        return out;
    }();
    return models;
}

} // namespace cfg
} // namespace d2a
