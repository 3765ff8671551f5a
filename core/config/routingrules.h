#pragma once
// Routing by what a request is for (config `routing`, README "Routing rules"): named rule sets (presets), each an
// ordered list of rules that match what a request shows (the model asked, the client, thinking, the estimated
// prompt size, its tools, the route) and name the model, and optionally the reasoning level, that serves it.
// The first matching rule of the active preset wins; model_redirects apply when none matches. Also the
// reasoning level written in a model name: "gpt-5.4(high)".

#include "../error.h"
#include "types.h"

#include <QtCore/qjsonvalue.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>

#include <functional>
#include <optional>

namespace d2a {

struct RouteRule
{
    QString name; ///< shown in the Activity and the x-droid2api-rule header ("" : "rule <n>")
    // What a request must show (every given one holds).
    QString model; ///< the model asked, an id or a pattern with * and ? ("claude-haiku-*")
    QString client; ///< the coding tool as usage names it ("Claude Code"), or a pattern
    std::optional<bool> thinking; ///< the request asks for reasoning (true) or does not (false)
    qint64 minPromptTokens = 0; ///< the local estimate of the prompt (as count_tokens) is at least this
    QString tools; ///< "none", "any", or a pattern a tool's name or type matches ("web_search*")
    QString route; ///< the request path starts with this ("/v1/messages")
    // What serves it.
    QString target; ///< a configured model id
    std::optional<ReasoningLevel> level; ///< the reasoning level (clamped to the model's, as any level)

    QString label(int index) const;
    bool operator==(const RouteRule &o) const;
};

struct RoutingPreset
{
    QString name;
    QList<RouteRule> rules;
    bool shipped = false; ///< one of droid2api's own (As asked, Save credits, Think harder)
};

struct Routing
{
    QString preset; ///< the active preset's name; empty: "As asked" (no rules)
    QList<RoutingPreset> presets; ///< the user's own (config `routing.presets`), after the shipped ones by name
    bool listLevels = false; ///< GET /v1/models also lists "<id>(<level>)" for every level a model takes

    /// The shipped presets, then the user's (a user preset named like a shipped one replaces it).
    QList<RoutingPreset> allPresets() const;
    /// The rules of the active preset (none for an unknown name).
    QList<RouteRule> activeRules() const;
    static QString asAsked();
};

/// Reads routing.presets (an array of {name, rules: [...]}) into `out`; errors name the rule's position
/// ("routing.presets[0].rules[2].match.model").
std::optional<Error> loadPresets(const QJsonValue &value, QList<RoutingPreset> *out,
                                 const std::function<Error(const QString &key, const QString &problem)> &fail);
QJsonValue savePresets(const QList<RoutingPreset> &presets);

/// What a request shows, for the rules; the costly facts are computed only when a rule asks.
struct RequestFacts
{
    QString model; ///< asked, after the "(level)" suffix
    QString client;
    QString path;
    bool thinking = false;
    std::function<qint64()> promptTokens;
    std::function<QStringList()> tools; ///< names and types of the request's tools
};

/// The first rule of `rules` that `facts` match, or -1.
int matchRule(const QList<RouteRule> &rules, const RequestFacts &facts);

/// "gpt-5.4(high)" -> {"gpt-5.4", High}; a name without a level suffix -> {name, nullopt}.
std::pair<QString, std::optional<ReasoningLevel>> splitLevel(const QString &model);

} // namespace d2a
