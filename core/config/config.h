#pragma once
// The configuration: plain value types with defaults, loaded from a JSON file that is a superset of the
// original droid2api config.json.

#include "../error.h"

#include <QtCore/qhash.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qmap.h>
#include <QtCore/qstring.h>
#include <QtCore/qurl.h>

#include <optional>

namespace d2a {

/// The wire format of a model's upstream, named as in the original config ("type").
enum class ModelType { Anthropic, OpenAI, Common, Google };

/// Reasoning effort; Auto keeps what the client asked for.
enum class ReasoningLevel { Auto, Off, Low, Medium, High, XHigh };

QString modelTypeName(ModelType type);
std::optional<ModelType> parseModelType(const QString &name);
QString reasoningLevelName(ReasoningLevel level);
std::optional<ReasoningLevel> parseReasoningLevel(const QString &name);
/// The provider Factory expects in x-api-provider when a model names none.
QString defaultProvider(ModelType type);

struct ModelConfig
{
    QString name;
    QString id;
    ModelType type = ModelType::Anthropic;
    ReasoningLevel reasoning = ReasoningLevel::Auto;
    QString provider; ///< empty: defaultProvider(type)
    bool fast = false;
};

struct Timeouts
{
    int connectMs = 10000;
    int firstByteMs = 600000; ///< non-streaming answers of long generations can take minutes
    int idleMs = 300000; ///< silence allowed between two chunks of a body
    int shutdownMs = 10000; ///< how long SIGINT/SIGTERM waits for in-flight requests
    int keepAliveMs = 15000; ///< silence after which a stream gets a keepalive in the client's grammar
};

struct Config
{
    QString host = QStringLiteral("127.0.0.1");
    int port = 3000;
    QMap<ModelType, QUrl> endpoints; ///< full URL per model type, as in the original's endpoint[].base_url
    QList<ModelConfig> models;
    QHash<QString, QString> modelRedirects;
    QString systemPrompt;
    QString userAgent;
    QString userAgentUpdateUrl; ///< empty: never fetch the latest CLI version
    bool devMode = false;
    QString accessKey; ///< optional local key clients must present
    Timeouts timeouts;
    qint64 maxBodyBytes = 32 * 1024 * 1024;
    QStringList proxies; ///< kept from the original's config; used by the backends work
    QJsonObject upstreamHeaders; ///< extra headers per model type name, e.g. {"anthropic": {"x-stainless-lang": "js"}}
    QUrl workosBaseUrl = QUrl(QStringLiteral("https://api.workos.com"));
    QString workosClientId = QStringLiteral("client_01HNM792M5G5G1A2THWPXKFMXB");
    QString tokenStore = QStringLiteral("auto"); ///< auto, keychain or file
    ReasoningLevel reasoningDefault = ReasoningLevel::Auto; ///< for models whose own level is auto
    QMap<ReasoningLevel, int> reasoningBudgets; ///< Anthropic thinking budget per fixed level
    bool startProxyOnLaunch = true;
    bool startAtLogin = false;
    QString logLevel = QStringLiteral("info"); ///< debug, info or warning

    /// The level a request gets: the x-reasoning-level header, else the model's own, else reasoning_default.
    ReasoningLevel effectiveLevel(const ModelConfig &model, std::optional<ReasoningLevel> header) const;
    int budgetFor(ReasoningLevel level) const;

    /// The model with this id, after no redirect.
    const ModelConfig *findModel(const QString &id) const;
    /// Follows model_redirects (one hop, as the original).
    QString redirect(const QString &id) const;
};

/// Environment overrides, read once at start-up.
struct Environment
{
    std::optional<int> port; ///< PORT
    QString factoryApiKey; ///< FACTORY_API_KEY
    QString refreshKey; ///< DROID_REFRESH_KEY
    bool debug = false; ///< DEBUG (1/true/yes)

    static Environment fromProcess();
};

/// Loads and validates configuration files. Never writes to a file it did not create.
class ConfigLoader final
{
public:
    /// The shipped defaults (resource :/droid2api/defaults.json).
    static QJsonObject defaultsJson();
    static Config defaults();

    /// Parses and validates `json` (keys missing from it come from the defaults). `fileName` names the file in
    /// error messages, which also name the key and the problem.
    static Result<Config> fromJson(const QByteArray &json, const QString &fileName);

    /// Loads `path`. A missing file is an error.
    static Result<Config> loadFile(const QString &path);

    /// The user's config file in the app config location.
    static QString userConfigPath();

    /// Loads the user's file, creating it from the defaults on first run.
    static Result<Config> loadOrCreateUserConfig(QString *createdPath = nullptr);

    /// Applies PORT and the other environment overrides.
    static void applyEnvironment(Config &config, const Environment &env);

    /// `config` as JSON, merged into `original` so keys droid2api does not know survive a save.
    static QJsonObject toJson(const Config &config, const QJsonObject &original = {});
    /// Writes `config` to `path` atomically; the previous file is kept as `path`.bak. Never writes an invalid
    /// config (it is validated first).
    static Result<bool> save(const QString &path, const Config &config);
};

} // namespace d2a
