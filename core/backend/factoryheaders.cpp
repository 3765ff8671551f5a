#include "factoryheaders.h"

#include "../formats/registry.h"

#include <QtCore/qrandom.h>
#include <QtCore/qsysinfo.h>
#include <QtCore/quuid.h>

#include <algorithm>

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
    static const QByteArray arch = [] { // asked once: QSysInfo calls uname() each time
        const QString name = QSysInfo::currentCpuArchitecture();
        return name == u"x86_64" ? QByteArray("x64") : name.toUtf8();
    }();
    return arch;
}

} // namespace

/// The first "/1.2.3" of a User-Agent, without the slash (what /(\d+\.\d+\.\d+)/ finds, without building a
/// regular expression's match for every request).
QByteArray clientVersion(QStringView userAgent)
{
    const auto digits = [&](qsizetype i) {
        const qsizetype from = i;
        while (i < userAgent.size() && userAgent[i] >= u'0' && userAgent[i] <= u'9')
            ++i;
        return i > from ? i : qsizetype(-1);
    };
    for (qsizetype slash = userAgent.indexOf(u'/'); slash >= 0; slash = userAgent.indexOf(u'/', slash + 1)) {
        qsizetype i = digits(slash + 1);
        for (int part = 1; part < 3 && i >= 0; ++part)
            i = i < userAgent.size() && userAgent[i] == u'.' ? digits(i + 1) : -1;
        if (i >= 0)
            return userAgent.sliced(slash + 1, i - slash - 1).toLatin1();
    }
    return {};
}

HeaderList buildFactoryHeaders(const FactoryHeaderInput &in)
{
    HeaderList h;
    h.reserve(32);
    const FormatSpec &format = formatSpec(upstreamFormat(in.model.type));
    const QString provider = in.model.provider.isEmpty() ? defaultProvider(in.model.type) : in.model.provider;
    auto add = [&h](const QByteArray &name, const QByteArray &value) { h.append({ name, value }); };
    auto clientOr = [&](const QByteArray &name, const QByteArray &fallback) {
        const QByteArray v = headerValue(in.clientHeaders, name);
        return v.isEmpty() ? fallback : v;
    };
    add("Accept", format.factoryCli.accept);
    add("Authorization", "Bearer " + in.bearer);
    add("Content-Type", "application/json");
    add("User-Agent", in.userAgent.toUtf8());
    if (const QByteArray version = clientVersion(in.userAgent); !version.isEmpty())
        add("X-Client-Version", version);
    add("X-Factory-Client", "cli");
    if (!in.organizationId.isEmpty())
        add("X-Factory-Org-Id", in.organizationId);
    if (format.factoryCli.stainlessVersion) {
        // The SDK the CLI uses on the route (Anthropic's on /a/, OpenAI's on Responses and Chat).
        add("X-Stainless-Arch", stainlessArch());
        add("X-Stainless-Lang", "js");
        add("X-Stainless-OS", stainlessOs());
        add("X-Stainless-Package-Version", format.factoryCli.stainlessVersion);
        add("X-Stainless-Retry-Count", "0");
        add("X-Stainless-Runtime", "node");
        add("X-Stainless-Runtime-Version", "v26.3.0");
        if (format.factoryCli.stainlessTimeout)
            add("X-Stainless-Timeout", format.factoryCli.stainlessTimeout);
    }
    add("traceparent", "00-" + randomHex(16) + '-' + randomHex(8) + "-01");
    add("x-api-provider", provider.toUtf8());
    add("x-assistant-message-id", clientOr("x-assistant-message-id", uuid()));
    add("x-provider-routing-source",
        format.factoryCli.sessionLock || provider == u"xai" ? "session_lock" : "registry_default");
    add("x-session-id", !in.sessionId.isEmpty() ? in.sessionId : clientOr("x-session-id", uuid()));
    if (format.vendorHeaders) // the format's own (Anthropic: anthropic-beta, anthropic-version, x-api-key)
        format.vendorHeaders(h, {}, in.clientHeaders, in.level, in.model, true);
    // The CLI's order is its names' byte order (capitalised names first).
    std::stable_sort(h.begin(), h.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
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
    if (const auto formatHeaders = formatSpec(format).vendorHeaders)
        formatHeaders(h, key, clientHeaders, level, model, false); // what a backend of this format needs besides
    return h;
}

} // namespace d2a
