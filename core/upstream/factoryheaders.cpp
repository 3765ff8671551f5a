#include "factoryheaders.h"

#include "../formats/reasoning.h"
#include "../formats/registry.h"

#include <QtCore/qrandom.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qsysinfo.h>
#include <QtCore/quuid.h>

namespace d2a {

namespace {

QByteArray uuid()
{
    return QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
}

QByteArray randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::global()->generate(raw.begin(), raw.end());
    return raw.toHex();
}

/// X-Stainless-OS as the JS SDKs name the operating system.
QByteArray stainlessOs()
{
    // Platform-specific: the names the Stainless SDKs report.
#if defined(Q_OS_MACOS)
    return "MacOS";
#elif defined(Q_OS_WIN)
    return "Windows";
#elif defined(Q_OS_LINUX)
    return "Linux";
#else
    return "Unknown";
#endif
}

QByteArray stainlessArch()
{
    const QString arch = QSysInfo::currentCpuArchitecture();
    if (arch == u"x86_64")
        return "x64";
    if (arch == u"arm64")
        return "arm64";
    return arch.toUtf8();
}

} // namespace

HeaderList buildFactoryHeaders(const FactoryHeaderInput &in)
{
    HeaderList h;
    const ModelType type = in.model.type;
    const QString provider = in.model.provider.isEmpty() ? defaultProvider(type) : in.model.provider;
    auto add = [&h](const QByteArray &name, const QByteArray &value) { h.append({ name, value }); };
    auto clientOr = [&](const QByteArray &name, const QByteArray &fallback) {
        const QByteArray v = headerValue(in.clientHeaders, name);
        return v.isEmpty() ? fallback : v;
    };
    add("Accept", type == ModelType::Google ? QByteArrayLiteral("*/*") : QByteArrayLiteral("application/json"));
    add("Authorization", "Bearer " + in.bearer);
    add("Content-Type", "application/json");
    if (type == ModelType::OpenAI && (provider == u"openai" || provider == u"azure_openai"))
        add("OpenAI-Platform", "org-bHuLtG1fGmYk5YaOihAAXFBw");
    add("User-Agent", in.userAgent.toUtf8());
    static const QRegularExpression version(QStringLiteral("/(\\d+\\.\\d+\\.\\d+)"));
    const auto m = version.match(in.userAgent);
    if (m.hasMatch())
        add("X-Client-Version", m.captured(1).toUtf8());
    add("X-Factory-Client", "cli");
    if (!in.organizationId.isEmpty())
        add("X-Factory-Org-Id", in.organizationId);
    if (type != ModelType::Google) {
        // The SDK the CLI uses on the route: Anthropic's on /a/, OpenAI's on Responses and Chat.
        add("X-Stainless-Arch", stainlessArch());
        add("X-Stainless-Lang", "js");
        add("X-Stainless-OS", stainlessOs());
        add("X-Stainless-Package-Version",
            type == ModelType::Anthropic ? QByteArrayLiteral("0.70.1") : QByteArrayLiteral("6.25.0"));
        add("X-Stainless-Retry-Count", "0");
        add("X-Stainless-Runtime", "node");
        add("X-Stainless-Runtime-Version", "v26.3.0");
        if (type == ModelType::Anthropic)
            add("X-Stainless-Timeout", "600");
    }
    if (type == ModelType::Anthropic) {
        QByteArray beta = anthropicBetaHeader(headerValue(in.clientHeaders, "anthropic-beta"), in.level, in.model);
        for (const QString &b : in.model.factoryBetas) // what the CLI always sends for this model (fable-5.1)
            if (!beta.split(',').contains(b.toUtf8()))
                beta += (beta.isEmpty() ? QByteArray() : QByteArrayLiteral(",")) + b.toUtf8();
        if (!beta.isEmpty())
            add("anthropic-beta", beta);
        add("anthropic-version", clientOr("anthropic-version", "2023-06-01"));
    }
    add("traceparent", "00-" + randomHex(16) + '-' + randomHex(8) + "-01");
    if (type == ModelType::Anthropic)
        add("x-api-key", "placeholder");
    add("x-api-provider", provider.toUtf8());
    add("x-assistant-message-id", clientOr("x-assistant-message-id", uuid()));
    add("x-provider-routing-source",
        type == ModelType::Google || provider == u"xai" ? "session_lock" : "registry_default");
    add("x-session-id", !in.sessionId.isEmpty() ? in.sessionId : clientOr("x-session-id", uuid()));
    for (auto it = in.extraHeaders.begin(); it != in.extraHeaders.end(); ++it)
        setHeader(h, it.key().toUtf8(), it.value().toString().toUtf8());
    return h;
}

HeaderList buildBackendHeaders(WireFormat format, const QByteArray &key, const HeaderList &clientHeaders,
                               ReasoningLevel level, const ModelConfig &model, bool stream)
{
    HeaderList h;
    auto add = [&h](const QByteArray &name, const QByteArray &value) { h.append({ name, value }); };
    add("content-type", "application/json");
    add("accept", stream ? QByteArrayLiteral("text/event-stream") : QByteArrayLiteral("application/json"));
    add("user-agent", "droid2api/" DROID2API_VERSION);
    if (!key.isEmpty())
        add("authorization", "Bearer " + key);
    if (const auto formatHeaders = formatSpec(format).backendHeaders)
        formatHeaders(h, key, clientHeaders, level, model); // what a backend of this format needs besides
    return h;
}

} // namespace d2a
