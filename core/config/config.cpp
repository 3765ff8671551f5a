#include "config.h"

#include "../json/jsonedit.h"
#include "../json/jsonwriter.h"
#include "../log/log.h"
#include "../text.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qsavefile.h>
#include <QtCore/qset.h>
#include <QtCore/qstandardpaths.h>
#include <QtNetwork/qhostaddress.h>

#include <cmath>
#include <functional>

static void initCoreResources()
{
    Q_INIT_RESOURCE(core_resources);
}

namespace d2a {

QString modelTypeName(ModelType type)
{
    switch (type) {
    case ModelType::Anthropic: return QStringLiteral("anthropic");
    case ModelType::OpenAI: return QStringLiteral("openai");
    case ModelType::Common: return QStringLiteral("common");
    case ModelType::Google: return QStringLiteral("google");
    }
    return {};
}

std::optional<ModelType> parseModelType(const QString &name)
{
    for (ModelType t : { ModelType::Anthropic, ModelType::OpenAI, ModelType::Common, ModelType::Google })
        if (modelTypeName(t) == name)
            return t;
    return std::nullopt;
}

QString reasoningLevelName(ReasoningLevel level)
{
    switch (level) {
    case ReasoningLevel::Auto: return QStringLiteral("auto");
    case ReasoningLevel::Off: return QStringLiteral("off");
    case ReasoningLevel::Minimal: return QStringLiteral("minimal");
    case ReasoningLevel::Low: return QStringLiteral("low");
    case ReasoningLevel::Medium: return QStringLiteral("medium");
    case ReasoningLevel::High: return QStringLiteral("high");
    case ReasoningLevel::XHigh: return QStringLiteral("xhigh");
    case ReasoningLevel::Max: return QStringLiteral("max");
    }
    return {};
}

const QList<ReasoningLevel> &allReasoningLevels()
{
    static const QList<ReasoningLevel> all { ReasoningLevel::Auto,  ReasoningLevel::Off,    ReasoningLevel::Minimal,
                                             ReasoningLevel::Low,   ReasoningLevel::Medium, ReasoningLevel::High,
                                             ReasoningLevel::XHigh, ReasoningLevel::Max };
    return all;
}

std::optional<ReasoningLevel> parseReasoningLevel(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"none")
        return ReasoningLevel::Off;
    for (ReasoningLevel l : allReasoningLevels())
        if (reasoningLevelName(l) == n)
            return l;
    return std::nullopt;
}

namespace {
const QList<QPair<ThinkingStyle, QString>> &thinkingStyleNames()
{
    static const QList<QPair<ThinkingStyle, QString>> names {
        { ThinkingStyle::Budget, QStringLiteral("budget") },
        { ThinkingStyle::BudgetEffort, QStringLiteral("budget_effort") },
        { ThinkingStyle::Adaptive, QStringLiteral("adaptive") },
        { ThinkingStyle::AdaptiveSummarized, QStringLiteral("adaptive_summarized") },
        { ThinkingStyle::EffortSummary, QStringLiteral("effort_summary") },
        { ThinkingStyle::Effort, QStringLiteral("effort") },
        { ThinkingStyle::ReasoningEffort, QStringLiteral("reasoning_effort") },
        { ThinkingStyle::ChatTemplate, QStringLiteral("chat_template") },
        { ThinkingStyle::None, QStringLiteral("none") },
        { ThinkingStyle::ThinkingLevel, QStringLiteral("thinking_level") },
    };
    return names;
}
} // namespace

QString thinkingStyleName(ThinkingStyle style)
{
    for (const auto &n : thinkingStyleNames())
        if (n.first == style)
            return n.second;
    return {};
}

std::optional<ThinkingStyle> parseThinkingStyle(const QString &name)
{
    for (const auto &n : thinkingStyleNames())
        if (n.second == name)
            return n.first;
    return std::nullopt;
}

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

QString defaultProvider(ModelType type)
{
    switch (type) {
    case ModelType::Anthropic: return QStringLiteral("anthropic");
    case ModelType::OpenAI: return QStringLiteral("openai");
    case ModelType::Common: return QStringLiteral("fireworks");
    case ModelType::Google: return QStringLiteral("google");
    }
    return {};
}

const BackendConfig *Config::findBackend(const QString &name) const
{
    for (const BackendConfig &b : backends)
        if (b.name == name)
            return &b;
    return nullptr;
}

const ModelConfig *Config::findModel(const QString &id) const
{
    for (const ModelConfig &m : models)
        if (m.id == id)
            return &m;
    return nullptr;
}

QString Config::redirect(const QString &id) const
{
    return modelRedirects.value(id, id);
}

ReasoningLevel Config::effectiveLevel(const ModelConfig &model, std::optional<ReasoningLevel> header) const
{
    if (header)
        return *header;
    return model.reasoning != ReasoningLevel::Auto ? model.reasoning : reasoningDefault;
}

int Config::budgetFor(ReasoningLevel level) const
{
    static const QMap<ReasoningLevel, int> defaults {
        { ReasoningLevel::Minimal, 4096 }, { ReasoningLevel::Low, 4096 },    { ReasoningLevel::Medium, 12288 },
        { ReasoningLevel::High, 24576 },   { ReasoningLevel::XHigh, 40960 }, { ReasoningLevel::Max, 40960 }
    };
    return reasoningBudgets.value(level, defaults.value(level, 0));
}

Environment Environment::fromProcess()
{
    Environment env;
    bool ok = false;
    const int port = qEnvironmentVariableIntValue("PORT", &ok);
    if (ok)
        env.port = port;
    env.factoryApiKey = qEnvironmentVariable("FACTORY_API_KEY").trimmed();
    env.refreshKey = qEnvironmentVariable("DROID_REFRESH_KEY").trimmed();
    // The URL variables of Factory's CLI, honoured the same way.
    auto url = [](const char *name) {
        const QString v = qEnvironmentVariable(name).trimmed();
        return v.isEmpty() ? QUrl() : QUrl(v);
    };
    env.factoryApiBase = url("FACTORY_API_BASE_URL");
    env.factoryApiBaseEu = url("FACTORY_API_BASE_URL_EU");
    env.workosBase = url("FACTORY_WORKOS_BASE_URL");
    for (const auto &[urlVar, keyVar, modelVar, kind] :
         { std::tuple { "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_MODEL",
                        BackendConfig::Kind::Anthropic },
           std::tuple { "OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL", BackendConfig::Kind::OpenAI } }) {
        const QString url = qEnvironmentVariable(urlVar).trimmed();
        if (url.isEmpty() || env.envBackend)
            continue;
        BackendConfig b;
        b.name = QStringLiteral("env");
        b.kind = kind;
        b.baseUrl = QUrl(url);
        b.model = qEnvironmentVariable(modelVar).trimmed();
        env.envBackend = b;
        env.envBackendKey = qEnvironmentVariable(keyVar).trimmed();
        if (env.envBackendKey.isEmpty() && kind == BackendConfig::Kind::Anthropic)
            env.envBackendKey = qEnvironmentVariable("ANTHROPIC_API_KEY").trimmed();
    }
    const QString debug = qEnvironmentVariable("DEBUG").trimmed().toLower();
    env.debug = debug == u"1" || debug == u"true" || debug == u"yes" || debug == u"on";
    return env;
}

namespace {

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

QString lineColumn(const QByteArray &json, int offset)
{
    int line = 1, col = 1;
    for (int i = 0; i < offset && i < json.size(); ++i) {
        if (json[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return ConfigText::tr("line %1, column %2").arg(line).arg(col);
}

} // namespace

namespace {

QString typeList()
{
    return ConfigText::tr("anthropic, openai, common or google");
}

QString levelList()
{
    return ConfigText::tr("auto, off (or none), minimal, low, medium, high, xhigh or max");
}

QJsonValue at(const QJsonObject &o, const QStringList &path)
{
    QJsonValue v = o;
    for (const QString &k : path) {
        if (!v.isObject())
            return QJsonValue(QJsonValue::Undefined);
        v = v.toObject().value(k);
    }
    return v;
}

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

template<typename T> Field intField(const char *path, T Config::*member, qint64 min, qint64 max)
{
    return { QString::fromLatin1(path).split(u'.'),
             [member, min, max](const Validator &v, const QString &key, const QJsonValue &value,
                                Config &c) -> std::optional<Error> {
                 qint64 n = 0;
                 if (auto e = v.integer(key, value, min, max, &n))
                     return e;
                 c.*member = T(n);
                 return std::nullopt;
             },
             [member](const Config &c) { return QJsonValue(double(c.*member)); } };
}

template<typename S, typename T>
Field intSubField(const char *path, S Config::*group, T S::*member, qint64 min, qint64 max)
{
    return { QString::fromLatin1(path).split(u'.'),
             [group, member, min, max](const Validator &v, const QString &key, const QJsonValue &value,
                                       Config &c) -> std::optional<Error> {
                 qint64 n = 0;
                 if (auto e = v.integer(key, value, min, max, &n))
                     return e;
                 (c.*group).*member = T(n);
                 return std::nullopt;
             },
             [group, member](const Config &c) { return QJsonValue(double((c.*group).*member)); } };
}

/// A member of a config group with its own type check, as intSubField for numbers ("routing.preset").
template<typename S, typename T>
Field subField(const char *path, S Config::*group, T S::*member, QJsonValue::Type type, const char *expected)
{
    return { QString::fromLatin1(path).split(u'.'),
             [group, member, type, expected](const Validator &v, const QString &key, const QJsonValue &value,
                                             Config &c) -> std::optional<Error> {
                 if (auto e = v.expect(key, value, type, ConfigText::tr(expected)))
                     return e;
                 (c.*group).*member = value.toVariant().value<T>();
                 return std::nullopt;
             },
             [group, member](const Config &c) { return QJsonValue((c.*group).*member); } };
}

Field boolField(const char *path, bool Config::*member)
{
    return { { QString::fromLatin1(path) },
             [member](const Validator &v, const QString &key, const QJsonValue &value,
                      Config &c) -> std::optional<Error> {
                 if (auto e = v.expect(key, value, QJsonValue::Bool, ConfigText::tr("true or false")))
                     return e;
                 c.*member = value.toBool();
                 return std::nullopt;
             },
             [member](const Config &c) { return QJsonValue(c.*member); } };
}

Field stringField(const char *path, QString Config::*member, bool trim = false)
{
    return { QString::fromLatin1(path).split(u'.'),
             [member, trim](const Validator &v, const QString &key, const QJsonValue &value,
                            Config &c) -> std::optional<Error> {
                 if (auto e = v.expect(key, value, QJsonValue::String, ConfigText::tr("a string")))
                     return e;
                 c.*member = trim ? value.toString().trimmed() : value.toString();
                 return std::nullopt;
             },
             [member](const Config &c) { return QJsonValue(c.*member); } };
}

Field choiceField(const char *path, QString Config::*member, QStringList choices, QString expected)
{
    return { { QString::fromLatin1(path) },
             [member, choices, expected](const Validator &v, const QString &key, const QJsonValue &value,
                                         Config &c) -> std::optional<Error> {
                 if (!value.isString() || !choices.contains(value.toString()))
                     return v.fail(key, ConfigText::tr("expected %1").arg(expected));
                 c.*member = value.toString();
                 return std::nullopt;
             },
             [member](const Config &c) { return QJsonValue(c.*member); } };
}

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

/// The order keys of a model entry are written in (as the shipped file has them).
const QStringList &modelKeyOrder()
{
    static const QStringList order { QStringLiteral("name"),      QStringLiteral("id"),       QStringLiteral("type"),
                                     QStringLiteral("reasoning"), QStringLiteral("provider"), QStringLiteral("fast"),
                                     QStringLiteral("backend"),   QStringLiteral("fallback") };
    return order;
}

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

/// Reads one models[] entry over `base` (the shipped model with that id, if any): only keys present change.
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

/// The shipped model catalog, in its order.
const QList<ModelConfig> &catalog();

/// Entries earlier versions shipped (and their first run copied into config files): such an entry in a
/// user's file is an unedited old default, which the current catalog replaces.
const QJsonObject &previousDefaults()
{
    static const QJsonObject previous = [] {
        initCoreResources();
        QFile f(QStringLiteral(":/droid2api/previous-models.json"));
        return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
    }();
    return previous;
}

bool previouslyShipped(const QJsonObject &entry)
{
    for (const QJsonValue &m : previousDefaults().value(u"models").toArray())
        if (m.toObject() == entry)
            return true;
    return false;
}

/// models[]: entries merge by id over the shipped catalog. An entry with a shipped id changes only the keys it
/// has; a new id adds a model (it needs a type); "hidden": true removes a shipped model. The order is the
/// catalog's, then the added models in the file's order, unless model_order lists ids to put first.
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

const QList<Field> &fields()
{
    static const QList<Field> table = [] {
        QList<Field> f;
        f << intField("port", &Config::port, 0, 65535);
        f << Field { { QStringLiteral("host") },
                     [](const Validator &v, const QString &key, const QJsonValue &value,
                        Config &c) -> std::optional<Error> {
                         if (auto e = v.expect(key, value, QJsonValue::String, ConfigText::tr("a string")))
                             return e;
                         c.host = value.toString().trimmed();
                         QHostAddress addr;
                         if (c.host.isEmpty() || (!addr.setAddress(c.host) && c.host != u"localhost"))
                             return v.fail(key, ConfigText::tr("'%1' is not an IP address or 'localhost'").arg(c.host));
                         return std::nullopt;
                     },
                     [](const Config &c) { return QJsonValue(c.host); } };
        f << Field {
            { QStringLiteral("endpoint") },
            [](const Validator &v, const QString &key, const QJsonValue &value, Config &c) -> std::optional<Error> {
                if (auto e = v.expect(key, value, QJsonValue::Array, ConfigText::tr("an array")))
                    return e;
                const QJsonArray arr = value.toArray();
                for (int i = 0; i < arr.size(); ++i) {
                    const QString k = QStringLiteral("endpoint[%1]").arg(i);
                    if (auto e = v.expect(k, arr[i], QJsonValue::Object, ConfigText::tr("an object")))
                        return e;
                    const QJsonObject ep = arr[i].toObject();
                    if (auto e = v.expect(k + QStringLiteral(".name"), ep.value(u"name"), QJsonValue::String,
                                          ConfigText::tr("a string")))
                        return e;
                    const auto type = parseModelType(ep.value(u"name").toString());
                    if (!type)
                        return v.fail(k + QStringLiteral(".name"), ConfigText::tr("unknown type '%1' (expected %2)")
                                                                       .arg(ep.value(u"name").toString(), typeList()));
                    QUrl url;
                    if (auto e = v.url(k + QStringLiteral(".base_url"), ep.value(u"base_url"), false, &url))
                        return e;
                    c.endpoints.insert(*type, url);
                }
                return std::nullopt;
            },
            [](const Config &c) {
            QJsonArray a;
            for (auto it = c.endpoints.begin(); it != c.endpoints.end(); ++it)
                a.append(QJsonObject { { QStringLiteral("name"), modelTypeName(it.key()) },
                                       { QStringLiteral("base_url"), it.value().toString() } });
            return QJsonValue(a);
            } };
        f << Field {
            { QStringLiteral("model_redirects") },
            [](const Validator &v, const QString &key, const QJsonValue &value, Config &c) -> std::optional<Error> {
                if (auto e = v.expect(key, value, QJsonValue::Object, ConfigText::tr("an object")))
                    return e;
                c.modelRedirects.clear();
                const QJsonObject r = value.toObject();
                for (auto it = r.begin(); it != r.end(); ++it) {
                    if (auto e = v.expect(key + u'.' + it.key(), it.value(), QJsonValue::String,
                                          ConfigText::tr("a model id string")))
                        return e;
                    c.modelRedirects.insert(it.key(), it.value().toString());
                }
                return std::nullopt;
            },
            [](const Config &c) {
            QJsonObject o;
            for (auto it = c.modelRedirects.begin(); it != c.modelRedirects.end(); ++it)
                o.insert(it.key(), it.value());
            return QJsonValue(o);
            } };
        // Routing rules (routingrules.h): the active preset, the user's presets, levels in the model list.
        f << subField("routing.preset", &Config::routing, &Routing::preset, QJsonValue::String,
                      QT_TRANSLATE_NOOP("d2a::ConfigText", "a preset name"));
        f << subField("routing.list_levels", &Config::routing, &Routing::listLevels, QJsonValue::Bool,
                      QT_TRANSLATE_NOOP("d2a::ConfigText", "true or false"));
        f << Field { { QStringLiteral("routing"), QStringLiteral("presets") },
                     [](const Validator &v, const QString &, const QJsonValue &value,
                        Config &c) -> std::optional<Error> {
                         auto fail = [&v](const QString &k, const QString &problem) { return v.fail(k, problem); };
                         return loadPresets(value, &c.routing.presets, fail);
                     },
                     [](const Config &c) { return savePresets(c.routing.presets); } };
        f << stringField("system_prompt", &Config::systemPrompt);
        f << stringField("user_agent", &Config::userAgent);
        f << Field { { QStringLiteral("user_agent_update_url") },
                     [](const Validator &v, const QString &key, const QJsonValue &value,
                        Config &c) -> std::optional<Error> {
                         QUrl u;
                         if (auto e = v.url(key, value, true, &u))
                             return e;
                         c.userAgentUpdateUrl = u.toString();
                         return std::nullopt;
                     },
                     [](const Config &c) { return QJsonValue(c.userAgentUpdateUrl); },
                     false };
        f << boolField("dev_mode", &Config::devMode);
        f << stringField("access_key", &Config::accessKey, true);
        f << intField("max_body_bytes", &Config::maxBodyBytes, 1024, qint64(2) * 1024 * 1024 * 1024);
        f << intSubField("timeouts.connect_ms", &Config::timeouts, &Timeouts::connectMs, 1, 24 * 3600 * 1000);
        f << intSubField("timeouts.first_byte_ms", &Config::timeouts, &Timeouts::firstByteMs, 1, 24 * 3600 * 1000);
        f << intSubField("timeouts.idle_ms", &Config::timeouts, &Timeouts::idleMs, 1, 24 * 3600 * 1000);
        f << intSubField("timeouts.shutdown_ms", &Config::timeouts, &Timeouts::shutdownMs, 1, 24 * 3600 * 1000);
        f << intSubField("timeouts.keepalive_ms", &Config::timeouts, &Timeouts::keepAliveMs, 1, 24 * 3600 * 1000);
        f << intSubField("timeouts.request_head_ms", &Config::timeouts, &Timeouts::requestHeadMs, 100, 3600 * 1000);
        f << intSubField("timeouts.request_body_ms", &Config::timeouts, &Timeouts::requestBodyMs, 100,
                         24 * 3600 * 1000);
        f << intSubField("timeouts.client_idle_ms", &Config::timeouts, &Timeouts::clientIdleMs, 100, 24 * 3600 * 1000);
        f << intSubField("limits.max_header_bytes", &Config::limits, &Limits::maxHeaderBytes, 1024, 16 * 1024 * 1024);
        f << intSubField("limits.max_connections_per_client", &Config::limits, &Limits::maxConnectionsPerClient, 1,
                         1000000);
        f << intSubField("limits.max_connections", &Config::limits, &Limits::maxConnections, 1, 1000000);
        f << intSubField("limits.max_bodies_in_flight_bytes", &Config::limits, &Limits::maxBodiesInFlightBytes, 1024,
                         qint64(1) << 40);
        f << intSubField("limits.min_body_bytes_per_sec", &Config::limits, &Limits::minBodyBytesPerSec, 0,
                         qint64(1) << 30);
        f << intSubField("limits.max_event_bytes", &Config::limits, &Limits::maxEventBytes, 1024, qint64(1) << 34);
        f << intSubField("limits.max_answer_bytes", &Config::limits, &Limits::maxAnswerBytes, 1024, qint64(1) << 36);
        f << Field { { QStringLiteral("tls_ca_file") },
                     [](const Validator &v, const QString &key, const QJsonValue &value,
                        Config &c) -> std::optional<Error> {
                         if (auto e = v.expect(key, value, QJsonValue::String, ConfigText::tr("a string")))
                             return e;
                         c.tlsCaFile = value.toString();
                         if (!c.tlsCaFile.isEmpty() && !QFileInfo::exists(c.tlsCaFile))
                             return v.fail(key, ConfigText::tr("'%1' does not exist").arg(c.tlsCaFile));
                         return std::nullopt;
                     },
                     [](const Config &c) { return QJsonValue(c.tlsCaFile); } };
        f << Field { { QStringLiteral("proxies") },
                     [](const Validator &v, const QString &key, const QJsonValue &value,
                        Config &c) -> std::optional<Error> {
                         if (auto e = v.expect(key, value, QJsonValue::Array, ConfigText::tr("an array")))
                             return e;
                         c.proxies.clear();
                         const QJsonArray arr = value.toArray();
                         for (int i = 0; i < arr.size(); ++i) {
                             const QJsonValue p = arr[i].isObject() ? arr[i].toObject().value(u"url") : arr[i];
                             QUrl u;
                             if (auto e = v.url(QStringLiteral("proxies[%1]").arg(i), p, false, &u))
                                 return e;
                             c.proxies.append(u.toString());
                         }
                         return std::nullopt;
                     },
                     [](const Config &c) { return QJsonValue(QJsonArray::fromStringList(c.proxies)); } };
        for (const auto &[name, member] : { std::pair { "allowed_hosts", &Config::allowedHosts },
                                            std::pair { "allowed_origins", &Config::allowedOrigins } })
            f << Field {
                { QString::fromLatin1(name) },
                [member = member](const Validator &v, const QString &key, const QJsonValue &value,
                                  Config &c) -> std::optional<Error> {
                    if (auto e = v.expect(key, value, QJsonValue::Array, ConfigText::tr("an array of strings")))
                        return e;
                    QStringList list;
                    const QJsonArray arr = value.toArray();
                    for (int i = 0; i < arr.size(); ++i) {
                        if (auto e = v.expect(QStringLiteral("%1[%2]").arg(key).arg(i), arr[i], QJsonValue::String,
                                              ConfigText::tr("a string")))
                            return e;
                        list << arr[i].toString().trimmed();
                    }
                    c.*member = list;
                    return std::nullopt;
                },
                [member = member](const Config &c) { return QJsonValue(QJsonArray::fromStringList(c.*member)); }
            };
        f << Field { { QStringLiteral("upstream_headers") },
                     [](const Validator &v, const QString &key, const QJsonValue &value,
                        Config &c) -> std::optional<Error> {
                         if (auto e = v.expect(key, value, QJsonValue::Object, ConfigText::tr("an object")))
                             return e;
                         const QJsonObject uh = value.toObject();
                         for (auto it = uh.begin(); it != uh.end(); ++it) {
                             const QString k = key + u'.' + it.key();
                             if (!parseModelType(it.key()))
                                 return v.fail(k, ConfigText::tr("unknown type (expected %1)").arg(typeList()));
                             if (auto e = v.expect(k, it.value(), QJsonValue::Object,
                                                   ConfigText::tr("an object of header strings")))
                                 return e;
                             const QJsonObject hs = it.value().toObject();
                             for (auto h = hs.begin(); h != hs.end(); ++h)
                                 if (auto e = v.expect(k + u'.' + h.key(), h.value(), QJsonValue::String,
                                                       ConfigText::tr("a string")))
                                     return e;
                         }
                         c.upstreamHeaders = uh;
                         return std::nullopt;
                     },
                     [](const Config &c) { return QJsonValue(c.upstreamHeaders); } };
        f << Field { { QStringLiteral("workos"), QStringLiteral("base_url") },
                     [](const Validator &v, const QString &key, const QJsonValue &value, Config &c) {
            return v.url(key, value, false, &c.workosBaseUrl);
                    },
                     [](const Config &c) { return QJsonValue(c.workosBaseUrl.toString()); } };
        f << Field { { QStringLiteral("workos"), QStringLiteral("client_id") },
                     [](const Validator &v, const QString &key, const QJsonValue &value,
                        Config &c) -> std::optional<Error> {
                         if (auto e = v.expect(key, value, QJsonValue::String, ConfigText::tr("a string")))
                             return e;
                         c.workosClientId = value.toString().trimmed();
                         return std::nullopt;
                     },
                     [](const Config &c) { return QJsonValue(c.workosClientId); } };
        f << Field {
            { QStringLiteral("backends") },
            [](const Validator &v, const QString &key, const QJsonValue &value, Config &c) -> std::optional<Error> {
                if (auto e = v.expect(key, value, QJsonValue::Array, ConfigText::tr("an array")))
                    return e;
                const QJsonArray arr = value.toArray();
                QSet<QString> names;
                c.backends.clear();
                for (int i = 0; i < arr.size(); ++i) {
                    const QString k = QStringLiteral("backends[%1]").arg(i);
                    if (auto e = v.expect(k, arr[i], QJsonValue::Object, ConfigText::tr("an object")))
                        return e;
                    const QJsonObject bo = arr[i].toObject();
                    BackendConfig b;
                    b.name = bo.value(u"name").toString().trimmed();
                    if (b.name.isEmpty() || b.name == u"factory" || names.contains(b.name))
                        return v.fail(k + QStringLiteral(".name"),
                                      ConfigText::tr("must be a unique name other than 'factory'"));
                    names.insert(b.name);
                    const QString kind = bo.value(u"kind").toString();
                    if (kind == u"anthropic")
                        b.kind = BackendConfig::Kind::Anthropic;
                    else if (kind == u"openai")
                        b.kind = BackendConfig::Kind::OpenAI;
                    else
                        return v.fail(k + QStringLiteral(".kind"),
                                      QStringLiteral("expected \"anthropic\" or \"openai\""));
                    if (auto e = v.url(k + QStringLiteral(".base_url"), bo.value(u"base_url"), false, &b.baseUrl))
                        return e;
                    b.model = bo.value(u"model").toString().trimmed();
                    b.responses = bo.value(u"wire").toString() == u"responses";
                    b.apiKeyEnv = bo.value(u"api_key_env").toString().trimmed();
                    qint64 n = 0;
                    if (bo.contains(u"max_concurrent")) {
                        if (auto e = v.integer(k + QStringLiteral(".max_concurrent"), bo.value(u"max_concurrent"), 1,
                                               10000, &n))
                            return e;
                        b.maxConcurrent = int(n);
                    }
                    if (bo.contains(u"queue_limit")) {
                        if (auto e =
                                v.integer(k + QStringLiteral(".queue_limit"), bo.value(u"queue_limit"), 0, 100000, &n))
                            return e;
                        b.queueLimit = int(n);
                    }
                    b.raw = bo;
                    c.backends.append(b);
                }
                return std::nullopt;
            },
            [](const Config &c) {
            QJsonArray a;
            for (const BackendConfig &b : c.backends)
                a.append(b.raw);
            return QJsonValue(a);
            } };
        f << intSubField("resilience.retries", &Config::resilience, &ResilienceConfig::retries, 0, 10);
        f << intSubField("resilience.backoff_ms", &Config::resilience, &ResilienceConfig::backoffMs, 0, 600000);
        f << intSubField("resilience.max_backoff_ms", &Config::resilience, &ResilienceConfig::maxBackoffMs, 0, 600000);
        f << intSubField("resilience.breaker_failures", &Config::resilience, &ResilienceConfig::breakerFailures, 1,
                         1000);
        f << intSubField("resilience.breaker_open_ms", &Config::resilience, &ResilienceConfig::breakerOpenMs, 100,
                         3600000);
        f << choiceField("token_store", &Config::tokenStore,
                         { QStringLiteral("auto"), QStringLiteral("keychain"), QStringLiteral("file") },
                         QStringLiteral("\"auto\", \"keychain\" or \"file\""));
        f << Field { { QStringLiteral("reasoning_default") },
                     [](const Validator &v, const QString &key, const QJsonValue &value,
                        Config &c) -> std::optional<Error> {
                         const auto level = parseReasoningLevel(value.toString());
                         if (!value.isString() || !level)
                             return v.fail(key, ConfigText::tr("expected %1").arg(levelList()));
                         c.reasoningDefault = *level;
                         return std::nullopt;
                     },
                     [](const Config &c) { return QJsonValue(reasoningLevelName(c.reasoningDefault)); } };
        for (ReasoningLevel l :
             { ReasoningLevel::Low, ReasoningLevel::Medium, ReasoningLevel::High, ReasoningLevel::XHigh })
            f << Field { { QStringLiteral("reasoning_budgets"), reasoningLevelName(l) },
                         [l](const Validator &v, const QString &key, const QJsonValue &value,
                             Config &c) -> std::optional<Error> {
                             qint64 n = 0;
                             if (auto e = v.integer(key, value, 1024, 200000, &n))
                                 return e;
                             c.reasoningBudgets.insert(l, int(n));
                             return std::nullopt;
                         },
                         [l](const Config &c) { return QJsonValue(c.budgetFor(l)); } };
        f << boolField("droid_cli_sync", &Config::droidCliSync);
        f << stringField("factory_organization", &Config::factoryOrganization, true);
        f << boolField("start_proxy_on_launch", &Config::startProxyOnLaunch);
        f << boolField("start_at_login", &Config::startAtLogin);
        f << boolField("usage_recording", &Config::usageRecording);
        f << intField("usage_retention_days", &Config::usageRetentionDays, 1, 3650);
        f << choiceField("log_level", &Config::logLevel,
                         { QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warning") },
                         ConfigText::tr("debug, info or warning"));
        return f;
    }();
    return table;
}

/// Objects whose members are separate fields: the object itself must be an object, with known members only
/// where the member names are fixed.
struct Group
{
    const char *key;
    QStringList members; ///< empty: any
};
const Group kGroups[] = {
    { "timeouts", {} },
    { "resilience", {} },
    { "limits", {} },
    { "routing", { QStringLiteral("preset"), QStringLiteral("presets"), QStringLiteral("list_levels") } },
    { "workos", {} },
    { "reasoning_budgets",
      { QStringLiteral("low"), QStringLiteral("medium"), QStringLiteral("high"), QStringLiteral("xhigh") } },
};

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

/// Writes `now` at `path` where it differs from `was`. Objects the file already has are edited member by member
/// (a changed redirect or header is one edit); anything else is written whole.
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

/// Writes the differences between `base` and `next` models into `text` (see loadModels for the merge rules):
/// changed keys of an existing entry, a new entry for a shipped model changed for the first time, removed
/// entries or "hidden": true, and the order when it changed.
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

} // namespace

QJsonObject ConfigLoader::defaultsJson()
{
    return QJsonDocument::fromJson(shippedDefaultsText()).object();
}

QByteArray ConfigLoader::firstRunText()
{
    // The shipped defaults as they are written (order, layout), without the model catalog: the app ships it,
    // and the file lists only what the user adds or changes.
    const QByteArray text = shippedDefaultsText();
    auto r = json::remove(text, { "models" });
    return r ? r.value() : text;
}

QList<ModelConfig> ConfigLoader::shippedModels()
{
    return catalog();
}

Config ConfigLoader::defaults()
{
    auto r = fromJson(shippedDefaultsText(), QStringLiteral("defaults.json"));
    return r.ok() ? r.value() : Config();
}

Result<Config> ConfigLoader::fromJson(const QByteArray &json, const QString &fileName)
{
    Validator v(fileName);
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError)
        return Error::badRequest(
            ConfigText::tr("%1: invalid JSON at %2: %3").arg(fileName, lineColumn(json, pe.offset), pe.errorString()));
    if (!doc.isObject())
        return Error::badRequest(ConfigText::tr("%1: the top level must be a JSON object").arg(fileName));

    // Keys the file leaves out come from the shipped defaults, so an original config.json keeps working.
    QJsonObject o = defaultsJson();
    QJsonObject user = doc.object();
    // An unedited copy of the Stainless headers earlier versions shipped: the built-in set replaces it.
    if (user.value(u"upstream_headers") == previousDefaults().value(u"upstream_headers"))
        user.remove(QStringLiteral("upstream_headers"));
    for (auto it = user.begin(); it != user.end(); ++it)
        o.insert(it.key(), it.value());

    for (const Group &g : kGroups) {
        const QString key = QString::fromLatin1(g.key);
        const QJsonValue value = o.value(key);
        if (value.isUndefined() || value.isNull())
            continue;
        if (auto e = v.expect(key, value, QJsonValue::Object, ConfigText::tr("an object")))
            return *e;
        if (!g.members.isEmpty())
            for (const QString &k : value.toObject().keys())
                if (!g.members.contains(k))
                    return v.fail(key + u'.' + k,
                                  ConfigText::tr("expected %1").arg(g.members.join(QStringLiteral(", "))));
    }

    Config c;
    for (const Field &f : fields()) {
        const QJsonValue value = at(o, f.path);
        if (value.isUndefined() || (f.skipNull && value.isNull()))
            continue;
        if (auto e = f.load(v, f.path.join(u'.'), value, c))
            return *e;
    }
    // Types the file's endpoint[] leaves out (an original config.json has no google) keep the shipped URL.
    const QJsonArray shippedEndpoints = defaultsJson().value(u"endpoint").toArray();
    for (const QJsonValue &ep : shippedEndpoints) {
        const auto type = parseModelType(ep.toObject().value(u"name").toString());
        if (type && !c.endpoints.contains(*type))
            c.endpoints.insert(*type, QUrl(ep.toObject().value(u"base_url").toString()));
    }
    if (auto e = loadModels(v, user.value(u"models"), user.value(u"model_order"), c))
        return *e;
    for (const ModelConfig &m : std::as_const(c.models))
        if (!m.backend.isEmpty() && !c.findBackend(m.backend))
            return v.fail(
                QStringLiteral("models"),
                ConfigText::tr("model '%1' names backend '%2', which backends[] does not define").arg(m.id, m.backend));
    // A rule of the user's names a configured model; the active preset exists.
    for (qsizetype i = 0; i < c.routing.presets.size(); ++i)
        for (qsizetype j = 0; j < c.routing.presets.at(i).rules.size(); ++j)
            if (const QString &t = c.routing.presets.at(i).rules.at(j).target; !c.findModel(t))
                return v.fail(QStringLiteral("routing.presets[%1].rules[%2].model").arg(i).arg(j),
                              ConfigText::tr("'%1' is not a configured model").arg(t));
    if (!c.routing.preset.isEmpty()) {
        QStringList names;
        for (const RoutingPreset &p : c.routing.allPresets())
            names << p.name;
        if (!names.contains(c.routing.preset))
            return v.fail(QStringLiteral("routing.preset"),
                          ConfigText::tr("no preset is named '%1' (presets: %2)")
                              .arg(c.routing.preset, names.join(QStringLiteral(", "))));
    }
    return c;
}

Result<Config> ConfigLoader::loadFile(const QString &path)
{
    QFile f(path);
    if (!f.exists())
        return Error::badRequest(ConfigText::tr("%1: the file does not exist").arg(path));
    if (!f.open(QIODevice::ReadOnly))
        return Error::badRequest(ConfigText::tr("%1: cannot read it: %2").arg(path, f.errorString()));
    return fromJson(f.readAll(), QDir::toNativeSeparators(QFileInfo(path).absoluteFilePath()));
}

QString ConfigLoader::userConfigPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QStringLiteral("/config.json");
}

Result<Config> ConfigLoader::loadOrCreateUserConfig(QString *createdPath)
{
    const QString path = userConfigPath();
    if (!QFileInfo::exists(path)) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly))
            return Error::internal(ConfigText::tr("%1: cannot create it: %2").arg(path, out.errorString()));
        out.write(firstRunText());
        if (!out.commit())
            return Error::internal(ConfigText::tr("%1: cannot write it: %2").arg(path, out.errorString()));
        if (createdPath)
            *createdPath = path;
        qCInfo(lcConfig) << "created" << path << "from the shipped defaults";
    }
    return loadFile(path);
}

Result<QByteArray> ConfigLoader::edit(const QByteArray &fileText, const Config &next, const Config &base)
{
    QByteArray text = fileText.trimmed().isEmpty() ? QByteArray("{}\n") : fileText;
    for (const Field &f : fields()) {
        if (auto e = applyDiff(text, toPath(f.path), f.save(base), f.save(next)))
            return *e;
    }
    return saveModels(text, base.models, next.models);
}

Result<bool> ConfigLoader::save(const QString &path, const Config &next, const Config &base)
{
    QByteArray before;
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly))
        before = existing.readAll();
    existing.close();
    auto edited = edit(before.isEmpty() ? firstRunText() : before, next, base);
    if (!edited)
        return Error::badRequest(QStringLiteral("%1: %2").arg(path, edited.error().message));
    const QByteArray &text = edited.value();
    if (text == before)
        return true; // nothing changed: the file is not touched
    auto check = fromJson(text, path);
    if (!check)
        return check.error();
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (QFile::exists(path)) {
        // The previous version stays next to it, so a bad edit can always be undone by hand.
        QFile::remove(path + QStringLiteral(".bak"));
        if (!QFile::copy(path, path + QStringLiteral(".bak")))
            return Error::internal(ConfigText::tr("%1: cannot keep the previous version as .bak").arg(path));
    }
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return Error::internal(ConfigText::tr("%1: cannot write it: %2").arg(path, out.errorString()));
    out.write(text);
    if (!out.commit())
        return Error::internal(ConfigText::tr("%1: cannot write it: %2").arg(path, out.errorString()));
    return true;
}

Result<bool> ConfigLoader::save(const QString &path, const Config &next)
{
    QFile existing(path);
    Config base = defaults();
    if (existing.open(QIODevice::ReadOnly)) {
        auto loaded = fromJson(existing.readAll(), path);
        if (loaded)
            base = loaded.value();
    }
    return save(path, next, base);
}

void ConfigLoader::applyEnvironment(Config &config, const Environment &env)
{
    if (env.port && *env.port >= 0 && *env.port <= 65535)
        config.port = *env.port;
    // FACTORY_API_BASE_URL moves the Factory endpoints that point at Factory's default host (their paths kept).
    if (env.factoryApiBase.isValid() && !env.factoryApiBase.isEmpty()) {
        for (auto it = config.endpoints.begin(); it != config.endpoints.end(); ++it) {
            if (it.value().host() != config.factoryApiBase.host())
                continue;
            QUrl moved = env.factoryApiBase;
            moved.setPath(env.factoryApiBase.path().chopped(env.factoryApiBase.path().endsWith(u'/') ? 1 : 0)
                          + it.value().path());
            it.value() = moved;
        }
        config.factoryApiBase = env.factoryApiBase;
    }
    if (env.factoryApiBaseEu.isValid() && !env.factoryApiBaseEu.isEmpty())
        config.factoryApiBaseEu = env.factoryApiBaseEu;
    if (env.workosBase.isValid() && !env.workosBase.isEmpty()) {
        QUrl base = env.workosBase;
        QString path = base.path();
        if (path.endsWith(u'/'))
            path.chop(1);
        if (path.endsWith(u"/user_management"))
            path.chop(int(qstrlen("/user_management")));
        base.setPath(path);
        config.workosBaseUrl = base;
    }
}

} // namespace d2a
