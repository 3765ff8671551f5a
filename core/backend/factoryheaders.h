#pragma once
// The headers Factory's LLM API gets on every call, as Factory's own CLI sends them (FACTORY-CLI.md §2).

#include "../config/config.h"
#include "../formats/wireformat.h"
#include "../httptypes.h"

#include <QtCore/qjsonobject.h>

namespace d2a {

struct FactoryHeaderInput
{
    ModelConfig model; ///< type, provider, fast mode and betas
    QString userAgent; ///< e.g. "factory-cli/0.225.2"
    QByteArray bearer; ///< the credential, without "Bearer "
    HeaderList clientHeaders;
    ReasoningLevel level = ReasoningLevel::Auto;
    bool stream = false;
    QByteArray sessionId; ///< stable per client session (see ProxyService); empty: the client's or a fresh one
    QByteArray organizationId; ///< X-Factory-Org-Id, when the user's token is scoped to a chosen organisation
    QJsonObject extraHeaders; ///< config upstream_headers.<type>
};

/// What the CLI sends, in its order: Accept (application/json; Gemini */*), Authorization, Content-Type,
/// OpenAI-Platform (Responses to OpenAI), User-Agent, X-Client-Version, X-Factory-Client, X-Factory-Org-Id, the
/// X-Stainless set of the SDK the CLI uses on that route (Anthropic's or OpenAI's; none on Gemini),
/// anthropic-beta and anthropic-version, traceparent, x-api-key: placeholder, x-api-provider,
/// x-assistant-message-id, x-provider-routing-source, x-session-id. Config upstream_headers override.
HeaderList buildFactoryHeaders(const FactoryHeaderInput &in);

/// The version a User-Agent names, its first "/1.2.3" without the slash ("factory-cli/0.27.3" -> "0.27.3");
/// empty when it names none. Sent as X-Client-Version.
QByteArray clientVersion(QStringView userAgent);

/// Headers for an Anthropic- or OpenAI-compatible backend: the key as a bearer (and x-api-key for Anthropic),
/// the client's anthropic-version and anthropic-beta (with the family's betas), nothing Factory-specific.
HeaderList buildBackendHeaders(WireFormat format, const QByteArray &key, const HeaderList &clientHeaders,
                               ReasoningLevel level, const ModelConfig &model, bool stream);

} // namespace d2a
