#pragma once
// The configuration: plain value types with defaults, loaded from a JSON file that is a superset of the
// original droid2api config.json.

#include "../error.h"
#include "routingrules.h"
#include "types.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qhash.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qmetatype.h>
#include <QtCore/qmap.h>
#include <QtCore/qstring.h>
#include <QtCore/qurl.h>

#include <optional>

namespace d2a {

struct ModelConfig
{
    QString name;
    QString id;
    ModelType type = ModelType::Anthropic;
    ReasoningLevel reasoning = ReasoningLevel::Auto;
    QString provider; ///< empty: defaultProvider(type)
    bool fast = false;
    QString backend; ///< a backends[] name; empty: Factory
    QStringList fallback; ///< model ids tried in order when this one's retries are spent or its backend is open

    // The registry (shipped per model, overridable per model in the file; see README "Models").
    QList<ReasoningLevel> levels; ///< levels the model supports (empty: any); others are clamped to defaultLevel
    ReasoningLevel defaultLevel = ReasoningLevel::High; ///< what an unsupported level becomes
    std::optional<ThinkingStyle> thinking; ///< empty: the type's usual style
    QStringList betas; ///< anthropic-beta values this family gets while it thinks
    QStringList factoryBetas; ///< anthropic-beta values Factory's CLI always sends for this model
    QJsonObject factoryBody; ///< members Factory's CLI adds to this model's request bodies (fable-5.1: fallbacks)
    QString reasoningHistory; ///< Chat reasoning_history sent with a reasoning level ("preserved", "interleaved")
    QMap<QString, QString> levelNames; ///< wire names that differ from the usual ones (Gemini: {"medium": "HIGH"})
    int maxTokens = 0; ///< output room used when a translated request names none (0: 32000)
    double credits = 0; ///< Factory's credit multiplier (0: unknown)
    /// "YYYY-MM-DD": the day Factory's registry lists for the model's deprecation. Information only: the model is
    /// served as configured until Factory itself refuses its id.
    QString deprecated;
    /// The model that serves its requests once Factory refuses the id (README "Models": dates and refusals).
    QString replacement;

    ThinkingStyle style() const;
    bool supports(ReasoningLevel level) const;
    /// `level` when the model supports it (or it is Auto), else the model's default.
    ReasoningLevel clamp(ReasoningLevel level) const;
};

/// Where requests go: Factory (URL per model type from endpoint[]), or an Anthropic- or OpenAI-compatible
/// service. Secrets are never in the file: they come from the token store (or the environment).
struct BackendConfig
{
    enum class Kind { Factory, Anthropic, OpenAI };
    QString name;
    Kind kind = Kind::Factory;
    QUrl baseUrl; ///< with or without /v1, or the full endpoint path
    QString model; ///< optional: every request to this backend uses this model id
    bool responses = false; ///< OpenAI-compatible: speak the Responses API instead of Chat Completions
    QString apiKeyEnv; ///< optional: the environment variable holding the key
    int maxConcurrent = 64;
    int queueLimit = 256;
    QJsonObject raw; ///< the entry as the file has it (written back unchanged)
};

/// Retries (only before anything reached the client), and the circuit breaker per backend.
struct ResilienceConfig
{
    /// Extra attempts on connect errors and connections closed before any answer, and on 5xx answers; never on
    /// a timeout after the request was sent, nor on a 4xx (429 goes to the client with its Retry-After).
    int retries = 2;
    int backoffMs = 500; ///< first wait; doubles each attempt
    int maxBackoffMs = 8000; ///< Retry-After is honoured up to this
    int breakerFailures = 5; ///< consecutive failures that open a backend's circuit
    int breakerOpenMs = 30000; ///< how long it stays open before one probe is let through
};

struct Timeouts
{
    int connectMs = 10000;
    int firstByteMs = 600000; ///< non-streaming answers of long generations can take minutes
    int idleMs = 300000; ///< silence allowed between two chunks of a body
    int shutdownMs = 10000; ///< how long SIGINT/SIGTERM waits for in-flight requests
    int keepAliveMs = 15000; ///< silence after which a stream gets a keepalive in the client's grammar
    int requestHeadMs = 10000; ///< a client's request head must arrive within this (408)
    int requestBodyMs = 120000; ///< and its body within this after the head (408)
    int clientIdleMs = 60000; ///< an idle keep-alive client connection is closed after this
};

/// What one client may hold (the rest of the protection against hostile peers is fixed: see README Security).
struct Limits
{
    int maxHeaderBytes = 64 * 1024; ///< request line and headers (431 beyond)
    /// Per client address, above a backend's admission (64 + 256) so its queue is usable; an idle or stalled one
    /// makes room, else the newcomer is answered 503.
    int maxConnectionsPerClient = 512;
    int maxConnections = 4096; ///< all clients together (each 127.x.y.z address is another client)
    qint64 maxBodiesInFlightBytes = 256 * 1024 * 1024; ///< request bodies held at once, as they arrive (503 beyond)
    /// A request body must keep arriving at this rate, falling behind it by 10 s at most (408 beyond); 0: none.
    qint64 minBodyBytesPerSec = 16 * 1024;
    qint64 maxEventBytes = 16 * 1024 * 1024; ///< one upstream SSE event (an error event beyond)
    qint64 maxAnswerBytes = 64 * 1024 * 1024; ///< one whole upstream answer (502 beyond)
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
    QString accessKey; ///< optional local key clients must present (required to listen beyond loopback)
    QStringList allowedHosts; ///< Host names served besides loopback names and the listener's addresses
    QStringList allowedOrigins; ///< browser origins allowed to call (CORS), e.g. "http://localhost:*"; none by default
    Timeouts timeouts;
    Limits limits;
    qint64 maxBodyBytes = 32 * 1024 * 1024;
    QString tlsCaFile; ///< extra PEM CA certificates upstream TLS trusts (a private or self-signed service)
    QStringList proxies; ///< outbound HTTP(S) proxies, used round-robin; empty: the system proxy settings
    QList<BackendConfig> backends;
    ResilienceConfig resilience;
    QJsonObject upstreamHeaders; ///< extra headers per model type name, e.g. {"anthropic": {"x-stainless-lang": "js"}}
    QUrl workosBaseUrl = QUrl(QStringLiteral("https://api.workos.com"));
    QString workosClientId = QStringLiteral("client_01HNM792M5G5G1A2THWPXKFMXB");
    QString tokenStore = QStringLiteral("auto"); ///< auto, keychain or file
    bool droidCliSync = true; ///< share a sign-in imported from the droid CLI with it (write rotations back)
    QString factoryOrganization; ///< the organisation a multi-organisation sign-in is scoped to (empty: the first)
    QUrl factoryApiBase = QUrl(QStringLiteral("https://api.factory.ai")); ///< Factory's host (FACTORY_API_BASE_URL)
    QUrl factoryApiBaseEu =
        QUrl(QStringLiteral("https://api.eu.factory.ai")); ///< EU accounts' host (FACTORY_API_BASE_URL_EU)
    ReasoningLevel reasoningDefault = ReasoningLevel::Auto; ///< for models whose own level is auto
    QMap<ReasoningLevel, int> reasoningBudgets; ///< Anthropic thinking budget per fixed level
    bool startProxyOnLaunch = true;
    bool startAtLogin = false;
    QString logLevel = QStringLiteral("info"); ///< debug, info or warning
    bool usageRecording = true; ///< record each request's token usage (never content) in usage.sqlite
    int usageRetentionDays = 90; ///< usage older than this is deleted
    Routing routing; ///< routing rules and presets (routingrules.h)

    /// The level a request gets: the x-reasoning-level header, else the model's own, else reasoning_default.
    ReasoningLevel effectiveLevel(const ModelConfig &model, std::optional<ReasoningLevel> header) const;
    int budgetFor(ReasoningLevel level) const;

    const BackendConfig *findBackend(const QString &name) const;
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
    QUrl factoryApiBase; ///< FACTORY_API_BASE_URL: Factory's API host (as for Factory's CLI)
    QUrl factoryApiBaseEu; ///< FACTORY_API_BASE_URL_EU: the host EU accounts use
    QUrl workosBase; ///< FACTORY_WORKOS_BASE_URL (includes the /user_management path, as for the CLI)
    /// ANTHROPIC_BASE_URL + ANTHROPIC_AUTH_TOKEN (+ ANTHROPIC_MODEL), or OPENAI_BASE_URL + OPENAI_API_KEY
    /// (+ OPENAI_MODEL): a backend that serves every request, as in the original.
    std::optional<BackendConfig> envBackend;
    QString envBackendKey;

    static Environment fromProcess();
};

/// Loads and validates configuration files. Never writes to a file it did not create.
class ConfigLoader final
{
public:
    /// The shipped defaults (resource :/droid2api/defaults.json).
    static QJsonObject defaultsJson();
    static Config defaults();
    /// Every model the app ships, in the catalog's order.
    static QList<ModelConfig> shippedModels();

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

    /// The text of a first-run config file: the shipped defaults as written, without the model catalog.
    static QByteArray firstRunText();
    /// `fileText` with the keys that differ between `base` (what the file was loaded as) and `next` changed;
    /// every other byte (order, layout, unknown keys) stays. Models merge by id (see README).
    static Result<QByteArray> edit(const QByteArray &fileText, const Config &next, const Config &base);
    /// Writes the changes from `base` to `next` into `path` atomically (the previous file kept as `path`.bak);
    /// nothing is written when nothing changed. Never writes an invalid config (it is validated first).
    static Result<bool> save(const QString &path, const Config &next, const Config &base);
    /// save() against what the file holds now (or the defaults when there is no file).
    static Result<bool> save(const QString &path, const Config &next);
};

} // namespace d2a

Q_DECLARE_METATYPE(d2a::ModelConfig)
