#pragma once
// The headers Factory's LLM API expects on every call (PROTOCOL.md §1).

#include "../config/config.h"
#include "../formats/wireformat.h"
#include "../httptypes.h"

#include <QtCore/qjsonobject.h>

namespace d2a {

struct FactoryHeaderInput
{
    ModelType type = ModelType::Anthropic;
    QString provider; ///< empty: the type's default
    QString userAgent; ///< e.g. "factory-cli/0.84.0"
    QByteArray bearer; ///< the credential, without "Bearer "
    HeaderList clientHeaders;
    ReasoningLevel level = ReasoningLevel::Auto;
    bool fast = false;
    bool stream = false;
    QJsonObject extraHeaders; ///< config upstream_headers.<type>
};

/// authorization, x-factory-client, x-api-provider, session and message ids (the client's, else fresh UUIDs),
/// user-agent, and per type: Anthropic's version, placeholder x-api-key and merged anthropic-beta list.
HeaderList buildFactoryHeaders(const FactoryHeaderInput &in);

/// Headers for an Anthropic- or OpenAI-compatible backend: the key as a bearer (and x-api-key for Anthropic),
/// the client's anthropic-version and anthropic-beta (with the reasoning level's beta), nothing Factory-specific.
HeaderList buildBackendHeaders(WireFormat format, const QByteArray &key, const HeaderList &clientHeaders,
                               ReasoningLevel level, bool stream);

} // namespace d2a
