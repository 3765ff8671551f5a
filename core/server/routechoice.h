#pragma once
// Which model serves a request, as the routing rules decide (README "Routing rules"): the one place that reads
// what a request shows for the rules. The proxy's Call asks it for every generation request; the Settings
// window's "Test a request" box asks it for a pasted body, so what the box says is what a request gets.

#include "../config/config.h"
#include "../config/routingrules.h"
#include "../formats/wireformat.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>

#include <optional>

namespace d2a {
namespace json {
class Value;
}

/// The model a request asks for, read as the proxy reads it: the path's {model}, else the body's "model"
/// (trimmed), without Google's "models/" prefix; the reasoning level written in its name split off.
struct AskedModel
{
    enum class Problem { None, Missing, NotAName }; ///< no "model"; not a non-empty string
    Problem problem = Problem::None;
    QString named; ///< as the client named it, "(level)" included (what the Activity and the log show)
    QString model; ///< without the "(level)"
    std::optional<ReasoningLevel> level; ///< the level in the name
};
AskedModel askedModel(const json::Value &root, const QString &pathModel);

/// What the rules see in a request in `format` (root: its parsed body), asked for model `asked` by `client`
/// at `path`. The prompt estimate and the tool names are computed only when a rule asks.
RequestFacts requestFacts(WireFormat format, const json::Value &root, const QString &pathModel, const QString &asked,
                          const QString &client, const QString &path);

struct RouteChoice
{
    QString preset; ///< the active preset's name
    int rule = -1; ///< the matching rule's position in the preset, or -1
    QString ruleName; ///< "<preset> / <rule>" (the x-droid2api-rule header), or empty
    QString target; ///< the model that serves it
    std::optional<ReasoningLevel> level; ///< the rule's reasoning level
};

/// The first rule of the active preset that `facts` match (a rule whose model is not configured never
/// matches), or nullopt: then model_redirects decide.
std::optional<RouteChoice> chooseRoute(const Config &config, const RequestFacts &facts);

/// The whole decision for a request body as a client would send it (the Settings test box).
struct RouteExplanation
{
    enum class Problem { None, NotAGenerationRoute, NotJson, NotAnObject, NoModel };
    Problem problem = Problem::None;
    QString detail; ///< the JSON parser's message, for NotJson
    QString asked; ///< the model asked, without its "(level)"
    std::optional<ReasoningLevel> nameLevel; ///< the level written in the model's name
    std::optional<RouteChoice> choice; ///< the rule that matched, if any
    QString served; ///< the model that serves it: the rule's, else model_redirects', else the one asked
    bool redirected = false; ///< model_redirects sent it elsewhere (no rule matched)
};
RouteExplanation explainRoute(const Config &config, const QString &path, const QString &client, const QByteArray &body);

} // namespace d2a
