#include "routes.h"

#include "../formats/registry.h"

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
    *model = path.mid(prefix.size(), path.size() - prefix.size() - suffix.size());
    return true;
}

QList<Route> defaultRoutes()
{
    QList<Route> routes;
    routes.append({ "GET", QStringLiteral("/"), Route::Action::Info, WireFormat::OpenAIChat, false, {} });
    routes.append({ "GET", QStringLiteral("/v1/models"), Route::Action::Models, WireFormat::OpenAIChat, false, {} });
    for (const FormatSpec *f : allFormats()) {
        for (const FormatRoute &r : f->routes)
            routes.append({ "POST", QString::fromLatin1(r.path),
                            r.countTokens ? Route::Action::CountTokens : Route::Action::Generate, f->id, r.stream,
                            QString::fromLatin1(r.query) });
    }
    routes.append({ "GET", QStringLiteral("/usage"), Route::Action::Usage, WireFormat::OpenAIChat, false,
                    QStringLiteral("?from=&to=&group=model|client|day|backend") });
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
            if (path.startsWith(QLatin1StringView(prefix))) {
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
