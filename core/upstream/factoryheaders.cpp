#include "factoryheaders.h"

#include "../formats/reasoning.h"

#include <QtCore/qregularexpression.h>
#include <QtCore/quuid.h>

namespace d2a {

HeaderList buildFactoryHeaders(const FactoryHeaderInput &in)
{
    HeaderList h;
    const QString provider = in.provider.isEmpty() ? defaultProvider(in.type) : in.provider;
    auto add = [&h](const QByteArray &name, const QByteArray &value) { h.append({ name, value }); };
    auto clientOr = [&](const QByteArray &name, const QByteArray &fallback) {
        const QByteArray v = headerValue(in.clientHeaders, name);
        return v.isEmpty() ? fallback : v;
    };
    add("content-type", "application/json");
    add("accept", in.stream ? QByteArrayLiteral("text/event-stream") : QByteArrayLiteral("application/json"));
    add("authorization", "Bearer " + in.bearer);
    add("x-factory-client", "cli");
    add("x-api-provider", provider.toUtf8());
    add("x-session-id", clientOr("x-session-id", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)));
    add("x-assistant-message-id",
               clientOr("x-assistant-message-id", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)));
    add("user-agent", in.userAgent.toUtf8());
    static const QRegularExpression version(QStringLiteral("/(\\d+\\.\\d+\\.\\d+)"));
    const auto m = version.match(in.userAgent);
    if (m.hasMatch())
        add("x-client-version", m.captured(1).toUtf8());
    if (in.type == ModelType::Anthropic) {
        add("anthropic-version", clientOr("anthropic-version", "2023-06-01"));
        add("x-api-key", "placeholder");
        const QByteArray beta = anthropicBetaHeader(headerValue(in.clientHeaders, "anthropic-beta"), in.level, in.fast);
        if (!beta.isEmpty())
            add("anthropic-beta", beta);
    }
    for (auto it = in.extraHeaders.begin(); it != in.extraHeaders.end(); ++it)
        setHeader(h, it.key().toUtf8(), it.value().toString().toUtf8());
    return h;
}

HeaderList buildBackendHeaders(WireFormat format, const QByteArray &key, const HeaderList &clientHeaders,
                               ReasoningLevel level, bool stream)
{
    HeaderList h;
    auto add = [&h](const QByteArray &name, const QByteArray &value) { h.append({ name, value }); };
    add("content-type", "application/json");
    add("accept", stream ? QByteArrayLiteral("text/event-stream") : QByteArrayLiteral("application/json"));
    add("user-agent", "droid2api/" DROID2API_VERSION);
    if (!key.isEmpty())
        add("authorization", "Bearer " + key);
    if (format == WireFormat::Anthropic) {
        if (!key.isEmpty())
            add("x-api-key", key);
        const QByteArray version = headerValue(clientHeaders, "anthropic-version");
        add("anthropic-version", version.isEmpty() ? QByteArrayLiteral("2023-06-01") : version);
        const QByteArray beta = anthropicBetaHeader(headerValue(clientHeaders, "anthropic-beta"), level, false);
        if (!beta.isEmpty())
            add("anthropic-beta", beta);
    }
    return h;
}

} // namespace d2a
