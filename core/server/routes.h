#pragma once
// The one route table: every path droid2api answers, what it does there and in which format its errors come.
// Dispatch, CORS and the endpoint list of GET / all read it; the generation routes come from the format
// registry (formats/registry.h), so a new format's paths need no edit here.

#include "../formats/wireformat.h"

#include <QtCore/qlist.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>

namespace d2a {

struct Route
{
    enum class Action { Info, Models, Model, Usage, Generate, CountTokens, Operation };
    QByteArray method; ///< "GET" (HEAD too) or "POST"
    QString path; ///< exact, or with one "{model}" segment
    Action action = Action::Info;
    WireFormat format = WireFormat::OpenAIChat; ///< of its body and its errors
    bool stream = false; ///< the route itself asks for a stream
    QString query; ///< shown in GET / ("?alt=sse")
    /// CountTokens and Operation: what is appended to the format's endpoint upstream ("/count_tokens"); empty:
    /// the upstream has none.
    QString upstreamSuffix;
    /// Every format that registered this path (model lists are shared: OpenAI's and Google's `GET /v1/models`
    /// are one answer), `format` first.
    QList<WireFormat> formats;
};

struct RouteMatch
{
    const Route *route = nullptr; ///< null: no route has this path
    QString pathModel; ///< the {model} segment, where the route has one
    /// The format of errors on the path: its route's, else the format whose paths it is under, else Chat.
    WireFormat format = WireFormat::OpenAIChat;
};

class RouteTable final
{
public:
    static const RouteTable &instance();
    explicit RouteTable(QList<Route> routes);

    /// The route at `path`, whatever the method, and the format of its errors.
    RouteMatch match(const QString &path) const;
    WireFormat formatFor(const QString &path) const { return match(path).format; }
    /// The methods a matched path takes, for CORS preflights ("POST, OPTIONS"; every method the table uses
    /// for a path it does not know).
    static QByteArray allowedMethods(const RouteMatch &match);
    /// "POST /v1/messages" for every route but GET / itself, in table order.
    QStringList endpoints() const;
    const QList<Route> &routes() const { return m_routes; }

private:
    QList<Route> m_routes;
};

} // namespace d2a
