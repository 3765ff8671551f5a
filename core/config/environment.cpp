#include "config.h"

#include <tuple>

namespace d2a {

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

} // namespace d2a
