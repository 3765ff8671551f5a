#include "config.h"

#include "../log/log.h"

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
    case ReasoningLevel::Low: return QStringLiteral("low");
    case ReasoningLevel::Medium: return QStringLiteral("medium");
    case ReasoningLevel::High: return QStringLiteral("high");
    case ReasoningLevel::XHigh: return QStringLiteral("xhigh");
    }
    return {};
}

std::optional<ReasoningLevel> parseReasoningLevel(const QString &name)
{
    const QString n = name.trimmed().toLower();
    for (ReasoningLevel l : { ReasoningLevel::Auto, ReasoningLevel::Off, ReasoningLevel::Low, ReasoningLevel::Medium,
                              ReasoningLevel::High, ReasoningLevel::XHigh })
        if (reasoningLevelName(l) == n)
            return l;
    return std::nullopt;
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
    static const QMap<ReasoningLevel, int> defaults { { ReasoningLevel::Low, 4096 }, { ReasoningLevel::Medium, 12288 },
                                                      { ReasoningLevel::High, 24576 }, { ReasoningLevel::XHigh, 40960 } };
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
    for (const auto &[urlVar, keyVar, modelVar, kind] :
         { std::tuple { "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_MODEL", BackendConfig::Kind::Anthropic },
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
        return Error::badRequest(QStringLiteral("%1: key '%2': %3").arg(m_file, key, problem));
    }

    static QString typeName(const QJsonValue &v)
    {
        switch (v.type()) {
        case QJsonValue::Null: return QStringLiteral("null");
        case QJsonValue::Bool: return QStringLiteral("a boolean");
        case QJsonValue::Double: return QStringLiteral("a number");
        case QJsonValue::String: return QStringLiteral("a string");
        case QJsonValue::Array: return QStringLiteral("an array");
        case QJsonValue::Object: return QStringLiteral("an object");
        case QJsonValue::Undefined: return QStringLiteral("missing");
        }
        return {};
    }

    std::optional<Error> expect(const QString &key, const QJsonValue &v, QJsonValue::Type type,
                                const QString &what) const
    {
        if (v.type() != type)
            return fail(key, QStringLiteral("expected %1, got %2").arg(what, typeName(v)));
        return std::nullopt;
    }

    std::optional<Error> integer(const QString &key, const QJsonValue &v, qint64 min, qint64 max, qint64 *out) const
    {
        if (!v.isDouble())
            return fail(key, QStringLiteral("expected a whole number, got %1").arg(typeName(v)));
        const double d = v.toDouble();
        if (std::floor(d) != d || d < double(min) || d > double(max))
            return fail(key, QStringLiteral("expected a whole number from %1 to %2, got %3").arg(min).arg(max).arg(d));
        *out = qint64(d);
        return std::nullopt;
    }

    std::optional<Error> url(const QString &key, const QJsonValue &v, bool allowEmpty, QUrl *out) const
    {
        if (auto e = expect(key, v, QJsonValue::String, QStringLiteral("a URL string")))
            return e;
        const QString s = v.toString().trimmed();
        if (s.isEmpty() && allowEmpty) {
            *out = QUrl();
            return std::nullopt;
        }
        const QUrl u(s, QUrl::StrictMode);
        if (!u.isValid() || (u.scheme() != u"http" && u.scheme() != u"https") || u.host().isEmpty())
            return fail(key, QStringLiteral("'%1' is not a valid http(s) URL").arg(s));
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
    return QStringLiteral("line %1, column %2").arg(line).arg(col);
}

} // namespace

QJsonObject ConfigLoader::defaultsJson()
{
    initCoreResources();
    QFile f(QStringLiteral(":/droid2api/defaults.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

Config ConfigLoader::defaults()
{
    auto r = fromJson(QJsonDocument(defaultsJson()).toJson(), QStringLiteral("defaults.json"));
    return r.ok() ? r.value() : Config();
}

Result<Config> ConfigLoader::fromJson(const QByteArray &json, const QString &fileName)
{
    Validator v(fileName);
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError)
        return Error::badRequest(QStringLiteral("%1: invalid JSON at %2: %3")
                                     .arg(fileName, lineColumn(json, pe.offset), pe.errorString()));
    if (!doc.isObject())
        return Error::badRequest(QStringLiteral("%1: the top level must be a JSON object").arg(fileName));

    // Keys the file leaves out come from the shipped defaults, so an original config.json keeps working.
    QJsonObject o = defaultsJson();
    const QJsonObject user = doc.object();
    for (auto it = user.begin(); it != user.end(); ++it)
        o.insert(it.key(), it.value());

    Config c;
    qint64 n = 0;
    if (o.contains(u"port")) {
        if (auto e = v.integer(QStringLiteral("port"), o.value(u"port"), 0, 65535, &n))
            return *e;
        c.port = int(n);
    }
    if (o.contains(u"host")) {
        if (auto e = v.expect(QStringLiteral("host"), o.value(u"host"), QJsonValue::String, QStringLiteral("a string")))
            return *e;
        c.host = o.value(u"host").toString().trimmed();
        QHostAddress addr;
        if (c.host.isEmpty() || (!addr.setAddress(c.host) && c.host != u"localhost"))
            return v.fail(QStringLiteral("host"),
                          QStringLiteral("'%1' is not an IP address or 'localhost'").arg(c.host));
    }

    const QJsonValue endpoints = o.value(u"endpoint");
    if (!endpoints.isUndefined()) {
        if (auto e = v.expect(QStringLiteral("endpoint"), endpoints, QJsonValue::Array, QStringLiteral("an array")))
            return *e;
        const QJsonArray arr = endpoints.toArray();
        for (int i = 0; i < arr.size(); ++i) {
            const QString key = QStringLiteral("endpoint[%1]").arg(i);
            if (auto e = v.expect(key, arr[i], QJsonValue::Object, QStringLiteral("an object")))
                return *e;
            const QJsonObject ep = arr[i].toObject();
            if (auto e = v.expect(key + QStringLiteral(".name"), ep.value(u"name"), QJsonValue::String, QStringLiteral("a string")))
                return *e;
            const auto type = parseModelType(ep.value(u"name").toString());
            if (!type)
                return v.fail(key + QStringLiteral(".name"),
                              QStringLiteral("unknown type '%1' (expected anthropic, openai, common or google)")
                                  .arg(ep.value(u"name").toString()));
            QUrl url;
            if (auto e = v.url(key + QStringLiteral(".base_url"), ep.value(u"base_url"), false, &url))
                return *e;
            c.endpoints.insert(*type, url);
        }
    }
    // Types the file's endpoint[] leaves out (an original config.json has no google) keep the shipped URL.
    const QJsonArray shippedEndpoints = defaultsJson().value(u"endpoint").toArray();
    for (const QJsonValue &ep : shippedEndpoints) {
        const auto type = parseModelType(ep.toObject().value(u"name").toString());
        if (type && !c.endpoints.contains(*type))
            c.endpoints.insert(*type, QUrl(ep.toObject().value(u"base_url").toString()));
    }

    const QJsonValue models = o.value(u"models");
    if (!models.isUndefined()) {
        if (auto e = v.expect(QStringLiteral("models"), models, QJsonValue::Array, QStringLiteral("an array")))
            return *e;
        const QJsonArray arr = models.toArray();
        QSet<QString> ids;
        for (int i = 0; i < arr.size(); ++i) {
            const QString key = QStringLiteral("models[%1]").arg(i);
            if (auto e = v.expect(key, arr[i], QJsonValue::Object, QStringLiteral("an object")))
                return *e;
            const QJsonObject mo = arr[i].toObject();
            ModelConfig m;
            if (auto e = v.expect(key + QStringLiteral(".id"), mo.value(u"id"), QJsonValue::String, QStringLiteral("a string")))
                return *e;
            m.id = mo.value(u"id").toString().trimmed();
            if (m.id.isEmpty())
                return v.fail(key + QStringLiteral(".id"), QStringLiteral("must not be empty"));
            if (ids.contains(m.id))
                return v.fail(key + QStringLiteral(".id"), QStringLiteral("duplicate model id '%1'").arg(m.id));
            ids.insert(m.id);
            if (mo.contains(u"name")) {
                if (auto e = v.expect(key + QStringLiteral(".name"), mo.value(u"name"), QJsonValue::String, QStringLiteral("a string")))
                    return *e;
                m.name = mo.value(u"name").toString();
            }
            if (m.name.isEmpty())
                m.name = m.id;
            if (auto e = v.expect(key + QStringLiteral(".type"), mo.value(u"type"), QJsonValue::String, QStringLiteral("a string")))
                return *e;
            const auto type = parseModelType(mo.value(u"type").toString());
            if (!type)
                return v.fail(key + QStringLiteral(".type"),
                              QStringLiteral("unknown type '%1' (expected anthropic, openai, common or google)")
                                  .arg(mo.value(u"type").toString()));
            m.type = *type;
            if (mo.contains(u"reasoning")) {
                if (auto e = v.expect(key + QStringLiteral(".reasoning"), mo.value(u"reasoning"), QJsonValue::String,
                                      QStringLiteral("a string")))
                    return *e;
                const auto level = parseReasoningLevel(mo.value(u"reasoning").toString());
                if (!level)
                    return v.fail(key + QStringLiteral(".reasoning"),
                                  QStringLiteral("unknown level '%1' (expected auto, off, low, medium, high or xhigh)")
                                      .arg(mo.value(u"reasoning").toString()));
                m.reasoning = *level;
            }
            if (mo.contains(u"provider")) {
                if (auto e = v.expect(key + QStringLiteral(".provider"), mo.value(u"provider"), QJsonValue::String,
                                      QStringLiteral("a string")))
                    return *e;
                m.provider = mo.value(u"provider").toString().trimmed();
            }
            if (mo.contains(u"backend")) {
                if (auto e = v.expect(key + QStringLiteral(".backend"), mo.value(u"backend"), QJsonValue::String, QStringLiteral("a backend name")))
                    return *e;
                m.backend = mo.value(u"backend").toString().trimmed();
                if (m.backend == u"factory")
                    m.backend.clear();
            }
            if (mo.contains(u"fallback")) {
                if (auto e = v.expect(key + QStringLiteral(".fallback"), mo.value(u"fallback"), QJsonValue::Array, QStringLiteral("an array of model ids")))
                    return *e;
                for (const QJsonValue &f : mo.value(u"fallback").toArray())
                    m.fallback << f.toString();
            }
            if (mo.contains(u"fast")) {
                if (auto e = v.expect(key + QStringLiteral(".fast"), mo.value(u"fast"), QJsonValue::Bool, QStringLiteral("true or false")))
                    return *e;
                m.fast = mo.value(u"fast").toBool();
            }
            c.models.append(m);
        }
    }

    const QJsonValue redirects = o.value(u"model_redirects");
    if (!redirects.isUndefined() && !redirects.isNull()) {
        if (auto e = v.expect(QStringLiteral("model_redirects"), redirects, QJsonValue::Object, QStringLiteral("an object")))
            return *e;
        const QJsonObject r = redirects.toObject();
        for (auto it = r.begin(); it != r.end(); ++it) {
            if (auto e = v.expect(QStringLiteral("model_redirects.") + it.key(), it.value(), QJsonValue::String,
                                  QStringLiteral("a model id string")))
                return *e;
            c.modelRedirects.insert(it.key(), it.value().toString());
        }
    }

    auto stringKey = [&](const char *key, QString *out) -> std::optional<Error> {
        const QString k = QString::fromLatin1(key);
        if (!o.contains(k) || o.value(k).isNull())
            return std::nullopt;
        if (auto e = v.expect(k, o.value(k), QJsonValue::String, QStringLiteral("a string")))
            return e;
        *out = o.value(k).toString();
        return std::nullopt;
    };
    if (auto e = stringKey("system_prompt", &c.systemPrompt))
        return *e;
    if (auto e = stringKey("user_agent", &c.userAgent))
        return *e;
    if (auto e = stringKey("access_key", &c.accessKey))
        return *e;
    if (auto e = stringKey("tls_ca_file", &c.tlsCaFile))
        return *e;
    if (!c.tlsCaFile.isEmpty() && !QFileInfo::exists(c.tlsCaFile))
        return v.fail(QStringLiteral("tls_ca_file"), QStringLiteral("'%1' does not exist").arg(c.tlsCaFile));
    c.accessKey = c.accessKey.trimmed();
    if (o.contains(u"user_agent_update_url")) {
        QUrl u;
        if (auto e = v.url(QStringLiteral("user_agent_update_url"), o.value(u"user_agent_update_url"), true, &u))
            return *e;
        c.userAgentUpdateUrl = u.toString();
    }
    if (o.contains(u"dev_mode")) {
        if (auto e = v.expect(QStringLiteral("dev_mode"), o.value(u"dev_mode"), QJsonValue::Bool, QStringLiteral("true or false")))
            return *e;
        c.devMode = o.value(u"dev_mode").toBool();
    }
    if (o.contains(u"max_body_bytes")) {
        if (auto e = v.integer(QStringLiteral("max_body_bytes"), o.value(u"max_body_bytes"), 1024,
                               qint64(2) * 1024 * 1024 * 1024, &n))
            return *e;
        c.maxBodyBytes = n;
    }
    if (o.contains(u"timeouts")) {
        if (auto e = v.expect(QStringLiteral("timeouts"), o.value(u"timeouts"), QJsonValue::Object, QStringLiteral("an object")))
            return *e;
        const QJsonObject t = o.value(u"timeouts").toObject();
        const struct { const char *key; int *out; } fields[] = {
            { "connect_ms", &c.timeouts.connectMs },
            { "first_byte_ms", &c.timeouts.firstByteMs },
            { "idle_ms", &c.timeouts.idleMs },
            { "shutdown_ms", &c.timeouts.shutdownMs },
            { "keepalive_ms", &c.timeouts.keepAliveMs },
        };
        for (const auto &f : fields) {
            const QString k = QString::fromLatin1(f.key);
            if (!t.contains(k))
                continue;
            if (auto e = v.integer(QStringLiteral("timeouts.") + k, t.value(k), 1, 24 * 3600 * 1000, &n))
                return *e;
            *f.out = int(n);
        }
    }
    if (o.contains(u"proxies") && !o.value(u"proxies").isNull()) {
        if (auto e = v.expect(QStringLiteral("proxies"), o.value(u"proxies"), QJsonValue::Array, QStringLiteral("an array")))
            return *e;
        const QJsonArray arr = o.value(u"proxies").toArray();
        for (int i = 0; i < arr.size(); ++i) {
            const QString key = QStringLiteral("proxies[%1]").arg(i);
            const QJsonValue p = arr[i].isObject() ? arr[i].toObject().value(u"url") : arr[i];
            QUrl u;
            if (auto e = v.url(key, p, false, &u))
                return *e;
            c.proxies.append(u.toString());
        }
    }
    if (o.contains(u"upstream_headers")) {
        if (auto e = v.expect(QStringLiteral("upstream_headers"), o.value(u"upstream_headers"), QJsonValue::Object,
                              QStringLiteral("an object")))
            return *e;
        const QJsonObject uh = o.value(u"upstream_headers").toObject();
        for (auto it = uh.begin(); it != uh.end(); ++it) {
            const QString key = QStringLiteral("upstream_headers.") + it.key();
            if (!parseModelType(it.key()))
                return v.fail(key, QStringLiteral("unknown type (expected anthropic, openai, common or google)"));
            if (auto e = v.expect(key, it.value(), QJsonValue::Object, QStringLiteral("an object of header strings")))
                return *e;
            const QJsonObject hs = it.value().toObject();
            for (auto h = hs.begin(); h != hs.end(); ++h)
                if (auto e = v.expect(key + u'.' + h.key(), h.value(), QJsonValue::String, QStringLiteral("a string")))
                    return *e;
        }
        c.upstreamHeaders = uh;
    }
    if (o.contains(u"workos")) {
        if (auto e = v.expect(QStringLiteral("workos"), o.value(u"workos"), QJsonValue::Object, QStringLiteral("an object")))
            return *e;
        const QJsonObject w = o.value(u"workos").toObject();
        if (w.contains(u"base_url")) {
            if (auto e = v.url(QStringLiteral("workos.base_url"), w.value(u"base_url"), false, &c.workosBaseUrl))
                return *e;
        }
        if (w.contains(u"client_id")) {
            if (auto e = v.expect(QStringLiteral("workos.client_id"), w.value(u"client_id"), QJsonValue::String, QStringLiteral("a string")))
                return *e;
            c.workosClientId = w.value(u"client_id").toString().trimmed();
        }
    }
    if (o.contains(u"backends")) {
        if (auto e = v.expect(QStringLiteral("backends"), o.value(u"backends"), QJsonValue::Array, QStringLiteral("an array")))
            return *e;
        const QJsonArray arr = o.value(u"backends").toArray();
        QSet<QString> names;
        for (int i = 0; i < arr.size(); ++i) {
            const QString key = QStringLiteral("backends[%1]").arg(i);
            const QJsonObject bo = arr[i].toObject();
            BackendConfig b;
            b.name = bo.value(u"name").toString().trimmed();
            if (b.name.isEmpty() || b.name == u"factory" || names.contains(b.name))
                return v.fail(key + QStringLiteral(".name"), QStringLiteral("must be a unique name other than 'factory'"));
            names.insert(b.name);
            const QString kind = bo.value(u"kind").toString();
            if (kind == u"anthropic")
                b.kind = BackendConfig::Kind::Anthropic;
            else if (kind == u"openai")
                b.kind = BackendConfig::Kind::OpenAI;
            else
                return v.fail(key + QStringLiteral(".kind"), QStringLiteral("expected \"anthropic\" or \"openai\""));
            if (auto e = v.url(key + QStringLiteral(".base_url"), bo.value(u"base_url"), false, &b.baseUrl))
                return *e;
            b.model = bo.value(u"model").toString().trimmed();
            b.responses = bo.value(u"wire").toString() == u"responses";
            b.apiKeyEnv = bo.value(u"api_key_env").toString().trimmed();
            if (bo.contains(u"max_concurrent")) {
                if (auto e = v.integer(key + QStringLiteral(".max_concurrent"), bo.value(u"max_concurrent"), 1, 10000, &n))
                    return *e;
                b.maxConcurrent = int(n);
            }
            if (bo.contains(u"queue_limit")) {
                if (auto e = v.integer(key + QStringLiteral(".queue_limit"), bo.value(u"queue_limit"), 0, 100000, &n))
                    return *e;
                b.queueLimit = int(n);
            }
            c.backends.append(b);
        }
    }
    if (o.contains(u"resilience")) {
        const QJsonObject r = o.value(u"resilience").toObject();
        const struct { const char *key; int *out; qint64 min, max; } fields[] = {
            { "retries", &c.resilience.retries, 0, 10 }, { "backoff_ms", &c.resilience.backoffMs, 0, 600000 },
            { "max_backoff_ms", &c.resilience.maxBackoffMs, 0, 600000 }, { "breaker_failures", &c.resilience.breakerFailures, 1, 1000 },
            { "breaker_open_ms", &c.resilience.breakerOpenMs, 100, 3600000 },
        };
        for (const auto &f : fields) {
            const QString k = QString::fromLatin1(f.key);
            if (!r.contains(k))
                continue;
            if (auto e = v.integer(QStringLiteral("resilience.") + k, r.value(k), f.min, f.max, &n))
                return *e;
            *f.out = int(n);
        }
    }
    for (const ModelConfig &m : std::as_const(c.models))
        if (!m.backend.isEmpty() && !c.findBackend(m.backend))
            return v.fail(QStringLiteral("models"), QStringLiteral("model '%1' names backend '%2', which backends[] does not define").arg(m.id, m.backend));
    if (o.contains(u"reasoning_default")) {
        const auto level = parseReasoningLevel(o.value(u"reasoning_default").toString());
        if (!level)
            return v.fail(QStringLiteral("reasoning_default"), QStringLiteral("expected auto, off, low, medium, high or xhigh"));
        c.reasoningDefault = *level;
    }
    if (o.contains(u"reasoning_budgets")) {
        if (auto e = v.expect(QStringLiteral("reasoning_budgets"), o.value(u"reasoning_budgets"), QJsonValue::Object, QStringLiteral("an object")))
            return *e;
        const QJsonObject b = o.value(u"reasoning_budgets").toObject();
        for (auto it = b.begin(); it != b.end(); ++it) {
            const auto level = parseReasoningLevel(it.key());
            if (!level || *level == ReasoningLevel::Auto || *level == ReasoningLevel::Off)
                return v.fail(QStringLiteral("reasoning_budgets.") + it.key(), QStringLiteral("expected low, medium, high or xhigh"));
            if (auto e = v.integer(QStringLiteral("reasoning_budgets.") + it.key(), it.value(), 1024, 200000, &n))
                return *e;
            c.reasoningBudgets.insert(*level, int(n));
        }
    }
    for (const auto &[key, field] : { std::pair { "start_proxy_on_launch", &c.startProxyOnLaunch }, std::pair { "start_at_login", &c.startAtLogin } }) {
        const QString k = QString::fromLatin1(key);
        if (!o.contains(k))
            continue;
        if (auto e = v.expect(k, o.value(k), QJsonValue::Bool, QStringLiteral("true or false")))
            return *e;
        *field = o.value(k).toBool();
    }
    if (o.contains(u"log_level")) {
        const QString l = o.value(u"log_level").toString();
        if (l != u"debug" && l != u"info" && l != u"warning")
            return v.fail(QStringLiteral("log_level"), QStringLiteral("expected debug, info or warning"));
        c.logLevel = l;
    }
    if (o.contains(u"token_store")) {
        const QString ts = o.value(u"token_store").toString();
        if (ts != u"auto" && ts != u"keychain" && ts != u"file")
            return v.fail(QStringLiteral("token_store"), QStringLiteral("expected \"auto\", \"keychain\" or \"file\""));
        c.tokenStore = ts;
    }
    return c;
}

Result<Config> ConfigLoader::loadFile(const QString &path)
{
    QFile f(path);
    if (!f.exists())
        return Error::badRequest(QStringLiteral("%1: the file does not exist").arg(path));
    if (!f.open(QIODevice::ReadOnly))
        return Error::badRequest(QStringLiteral("%1: cannot read it: %2").arg(path, f.errorString()));
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
            return Error::internal(QStringLiteral("%1: cannot create it: %2").arg(path, out.errorString()));
        out.write(QJsonDocument(defaultsJson()).toJson(QJsonDocument::Indented));
        if (!out.commit())
            return Error::internal(QStringLiteral("%1: cannot write it: %2").arg(path, out.errorString()));
        if (createdPath)
            *createdPath = path;
        qCInfo(lcConfig) << "created" << path << "from the shipped defaults";
    }
    return loadFile(path);
}

QJsonObject ConfigLoader::toJson(const Config &c, const QJsonObject &original)
{
    QJsonObject o = original;
    o.insert(QStringLiteral("port"), c.port);
    o.insert(QStringLiteral("host"), c.host);
    QJsonArray endpoints;
    for (auto it = c.endpoints.begin(); it != c.endpoints.end(); ++it)
        endpoints.append(QJsonObject { { QStringLiteral("name"), modelTypeName(it.key()) }, { QStringLiteral("base_url"), it.value().toString() } });
    o.insert(QStringLiteral("endpoint"), endpoints);
    QJsonArray models;
    for (const ModelConfig &m : c.models) {
        QJsonObject mo { { QStringLiteral("name"), m.name }, { QStringLiteral("id"), m.id }, { QStringLiteral("type"), modelTypeName(m.type) },
                         { QStringLiteral("reasoning"), reasoningLevelName(m.reasoning) } };
        if (!m.provider.isEmpty())
            mo.insert(QStringLiteral("provider"), m.provider);
        if (m.fast)
            mo.insert(QStringLiteral("fast"), true);
        models.append(mo);
    }
    o.insert(QStringLiteral("models"), models);
    QJsonObject redirects;
    for (auto it = c.modelRedirects.begin(); it != c.modelRedirects.end(); ++it)
        redirects.insert(it.key(), it.value());
    o.insert(QStringLiteral("model_redirects"), redirects);
    o.insert(QStringLiteral("system_prompt"), c.systemPrompt);
    o.insert(QStringLiteral("user_agent"), c.userAgent);
    o.insert(QStringLiteral("user_agent_update_url"), c.userAgentUpdateUrl);
    o.insert(QStringLiteral("dev_mode"), c.devMode);
    o.insert(QStringLiteral("access_key"), c.accessKey);
    o.insert(QStringLiteral("max_body_bytes"), double(c.maxBodyBytes));
    o.insert(QStringLiteral("timeouts"), QJsonObject { { QStringLiteral("connect_ms"), c.timeouts.connectMs }, { QStringLiteral("first_byte_ms"), c.timeouts.firstByteMs },
                                                       { QStringLiteral("idle_ms"), c.timeouts.idleMs }, { QStringLiteral("shutdown_ms"), c.timeouts.shutdownMs },
                                                       { QStringLiteral("keepalive_ms"), c.timeouts.keepAliveMs } });
    o.insert(QStringLiteral("proxies"), QJsonArray::fromStringList(c.proxies));
    if (!c.tlsCaFile.isEmpty())
        o.insert(QStringLiteral("tls_ca_file"), c.tlsCaFile);
    o.insert(QStringLiteral("upstream_headers"), c.upstreamHeaders);
    o.insert(QStringLiteral("workos"), QJsonObject { { QStringLiteral("base_url"), c.workosBaseUrl.toString() }, { QStringLiteral("client_id"), c.workosClientId } });
    o.insert(QStringLiteral("token_store"), c.tokenStore);
    o.insert(QStringLiteral("reasoning_default"), reasoningLevelName(c.reasoningDefault));
    QJsonObject budgets;
    for (ReasoningLevel l : { ReasoningLevel::Low, ReasoningLevel::Medium, ReasoningLevel::High, ReasoningLevel::XHigh })
        budgets.insert(reasoningLevelName(l), c.budgetFor(l));
    o.insert(QStringLiteral("reasoning_budgets"), budgets);
    o.insert(QStringLiteral("start_proxy_on_launch"), c.startProxyOnLaunch);
    o.insert(QStringLiteral("start_at_login"), c.startAtLogin);
    o.insert(QStringLiteral("log_level"), c.logLevel);
    return o;
}

Result<bool> ConfigLoader::save(const QString &path, const Config &config)
{
    QJsonObject original;
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly))
        original = QJsonDocument::fromJson(existing.readAll()).object();
    existing.close();
    const QByteArray json = QJsonDocument(toJson(config, original)).toJson(QJsonDocument::Indented);
    auto check = fromJson(json, path);
    if (!check)
        return check.error();
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (QFile::exists(path)) {
        // The previous version stays next to it, so a bad edit can always be undone by hand.
        QFile::remove(path + QStringLiteral(".bak"));
        if (!QFile::copy(path, path + QStringLiteral(".bak")))
            return Error::internal(QStringLiteral("%1: cannot keep the previous version as .bak").arg(path));
    }
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return Error::internal(QStringLiteral("%1: cannot write it: %2").arg(path, out.errorString()));
    out.write(json);
    if (!out.commit())
        return Error::internal(QStringLiteral("%1: cannot write it: %2").arg(path, out.errorString()));
    return true;
}

void ConfigLoader::applyEnvironment(Config &config, const Environment &env)
{
    if (env.port && *env.port >= 0 && *env.port <= 65535)
        config.port = *env.port;
}

} // namespace d2a
