#include "fields_p.h"

#include "../text.h"

#include <QtCore/qfileinfo.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qset.h>
#include <QtNetwork/qhostaddress.h>

#include <cmath>

namespace d2a::cfg {

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

namespace {

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

} // namespace

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

const QList<Group> &groups()
{
    static const QList<Group> all {
        { "timeouts", {} },
        { "resilience", {} },
        { "limits", {} },
        { "routing", { QStringLiteral("preset"), QStringLiteral("presets"), QStringLiteral("list_levels") } },
        { "workos", {} },
        { "reasoning_budgets",
          { QStringLiteral("low"), QStringLiteral("medium"), QStringLiteral("high"), QStringLiteral("xhigh") } },
    };
    return all;
}

} // namespace d2a::cfg
