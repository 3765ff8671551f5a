#pragma once
// The proxy's gate: which requests may come in at all, decided from the head alone (before any body is read):
// Host and Origin checks against DNS rebinding and web pages, and the local access key.

#include "../config/config.h"
#include "../error.h"
#include "../http/http1.h"
#include "../httptypes.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qurlquery.h>

#include <optional>

namespace d2a {

/// The checks of one configuration on a server listening on one address. Cheap to make: it keeps references to
/// both, which must outlive it.
class Gate final
{
    Q_DECLARE_TR_FUNCTIONS(d2a::Gate)

public:
    Gate(const Config &config, const QString &listenHost) : m_config(config), m_listenHost(listenHost) { }

    /// Nothing when the request may come in; else the refusal: 403 for a Host that is not this droid2api (DNS
    /// rebinding), an Origin not in allowed_origins or another site's page without one (Sec-Fetch-Site), 401 for
    /// a request without the access key (when one is set; GET / and preflights go on without it).
    std::optional<Error> admit(const http::RequestHead &head) const;
    /// A loopback name or address, the listener's own address, or one of allowed_hosts (an empty Host: yes, an
    /// HTTP/1.0 client that is no browser).
    bool hostAllowed(const QByteArray &hostHeader) const;
    /// Whether `headers` or `query` carry the local access key (true when none is set): Authorization: Bearer,
    /// x-api-key, x-goog-api-key or ?key=, compared in constant time.
    bool offersAccessKey(const HeaderList &headers, const QUrlQuery &query) const;

private:
    const Config &m_config;
    const QString &m_listenHost;
};

} // namespace d2a
