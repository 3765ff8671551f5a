#include "routes.h"

#include "../formats/registry.h"

#include <algorithm>

namespace d2a {

namespace {

bool matches(const QString &pattern, const QString &path, QString *model)
{
    const qsizetype hole = pattern.indexOf(u"{model}");
    if (hole < 0)
        return pattern == path;
    const QStringView prefix = QStringView(pattern).left(hole);
    const QStringView suffix = QStringView(pattern).mid(hole + 7);
    if (path.size() <= prefix.size() + suffix.size() || !path.startsWith(prefix) || !path.endsWith(suffix))
        return false;
    const QString named = path.mid(prefix.size(), path.size() - prefix.size() - suffix.size());
    // A model named at the end of a path holds no ':' (Google's method separator: "models/x:embedContent" is a
    // method droid2api does not serve, not a model called "x:embedContent").
    if (suffix.isEmpty() && named.contains(u':'))
        return false;
    *model = named;
    return true;
}

/// An error-path prefix, which may hold "{model}": "/v1/models/{model}:" is any path under /v1/models/ with a
/// ':' after the model.
bool underPrefix(QLatin1StringView prefix, const QString &path)
{
    const qsizetype hole = prefix.indexOf(QLatin1StringView("{model}"));
    if (hole < 0)
        return path.startsWith(prefix);
    const QLatin1StringView head = prefix.left(hole);
    return path.startsWith(head) && path.indexOf(prefix.mid(hole + 7), head.size()) > head.size();
}

Route::Action actionOf(FormatRoute::Use use)
{
    switch (use) {
    case FormatRoute::Generate: return Route::Action::Generate;
    case FormatRoute::CountTokens: return Route::Action::CountTokens;
    case FormatRoute::Operation: return Route::Action::Operation;
    case FormatRoute::ListModels: return Route::Action::Models;
    case FormatRoute::GetModel: return Route::Action::Model;
    }
    return Route::Action::Generate;
}

QList<Route> defaultRoutes()
{
    QList<Route> routes;
    routes.append({ "GET", QStringLiteral("/"), Route::Action::Info, WireFormat::OpenAIChat, false, {}, {}, {} });
    // The generation routes first, then the model routes: "/v1/models/{model}" must not shadow Google's
    // "/v1/models/{model}:generateContent".
    for (const bool models : { false, true }) {
        for (const FormatSpec *f : allFormats()) {
            for (const FormatRoute &r : f->routes) {
                const bool get = r.use == FormatRoute::ListModels || r.use == FormatRoute::GetModel;
                if (get != models)
                    continue;
                const QString path = QString::fromLatin1(r.path);
                auto same = std::find_if(routes.begin(), routes.end(), [&](const Route &o) { return o.path == path; });
                if (same != routes.end()) { // a path two formats share: one route, both formats' answer
                    same->formats.append(f->id);
                    continue;
                }
                routes.append({ get ? "GET" : "POST",
                                path,
                                actionOf(r.use),
                                f->id,
                                r.stream,
                                QString::fromLatin1(r.query),
                                QString::fromLatin1(r.upstream),
                                { f->id } });
            }
        }
    }
    routes.append({ "GET",
                    QStringLiteral("/usage"),
                    Route::Action::Usage,
                    WireFormat::OpenAIChat,
                    false,
                    QStringLiteral("?from=&to=&group=model|client|day|backend|rule"),
                    {},
                    {} });
    return routes;
}

} // namespace

const RouteTable &RouteTable::instance()
{
    static const RouteTable table(defaultRoutes());
    return table;
}

RouteTable::RouteTable(QList<Route> routes) : m_routes(std::move(routes))
{
}

RouteMatch RouteTable::match(const QString &path) const
{
    const QString p = path.isEmpty() ? QStringLiteral("/") : path;
    RouteMatch m;
    for (const Route &r : m_routes) {
        if (matches(r.path, p, &m.pathModel)) {
            m.route = &r;
            m.format = r.format;
            return m;
        }
    }
    m.pathModel.clear();
    for (const FormatSpec *f : allFormats())
        for (const char *prefix : f->errorPathPrefixes)
            if (underPrefix(QLatin1StringView(prefix), path)) {
                m.format = f->id;
                return m;
            }
    return m;
}

QByteArray RouteTable::allowedMethods(const RouteMatch &m)
{
    if (!m.route)
        return QByteArrayLiteral("GET, HEAD, POST, OPTIONS");
    return m.route->method == "GET" ? QByteArrayLiteral("GET, HEAD, OPTIONS") : m.route->method + ", OPTIONS";
}

QStringList RouteTable::endpoints() const
{
    QStringList out;
    for (const Route &r : m_routes)
        if (r.action != Route::Action::Info)
            out.append(QString::fromLatin1(r.method) + u' ' + r.path + r.query);
    return out;
}

} // namespace d2a
