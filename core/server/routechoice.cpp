#include "routechoice.h"

#include "../formats/reasoning.h"
#include "../formats/registry.h"
#include "../formats/translate.h"
#include "../json/json.h"
#include "routes.h"

#include <tuple>

namespace d2a {

RequestFacts requestFacts(WireFormat format, const json::Value &root, const QString &pathModel, const QString &asked,
                          const QString &client, const QString &path)
{
    RequestFacts facts;
    facts.model = asked;
    facts.client = client;
    facts.path = path;
    const std::optional<ReasoningLevel> bodyLevel = requestedLevel(format, root);
    facts.thinking = bodyLevel && *bodyLevel != ReasoningLevel::Off;
    facts.promptTokens = [format, root, pathModel] {
        auto read = readRequest(format, root, pathModel);
        return read ? estimateInputTokens(read.value()) : qint64(0);
    };
    facts.tools = [root] {
        // Every name and type in the tools (and Google's tool kinds, such as googleSearch), whatever the format.
        QStringList out;
        for (const json::Value tool : root["tools"].children()) {
            for (const json::Value m : tool.children()) {
                out << m.key();
                if ((m.keyIs("name") || m.keyIs("type")) && m.isString())
                    out << m.toString();
                for (const json::Value inner : m.children()) // function.name, functionDeclarations[].name
                    if (inner.keyIs("name") && inner.isString())
                        out << inner.toString();
                    else if (inner.isObject() && inner["name"].isString())
                        out << inner["name"].toString();
            }
        }
        return out;
    };
    return facts;
}

AskedModel askedModel(const json::Value &root, const QString &pathModel)
{
    AskedModel out;
    QString named = pathModel;
    if (named.isEmpty()) {
        const json::Value m = root["model"];
        if (!m.isSet() || !m.isString() || m.toString().trimmed().isEmpty()) {
            out.problem = m.isSet() ? AskedModel::Problem::NotAName : AskedModel::Problem::Missing;
            return out;
        }
        named = m.toString().trimmed();
    }
    out.named = withoutModelPrefix(named); // Google's SDKs may send "models/<id>"
    // "gpt-5.4(high)": the level in the name, for clients that cannot send one (README "Routing rules").
    std::tie(out.model, out.level) = splitLevel(out.named);
    return out;
}

std::optional<RouteChoice> chooseRoute(const Config &config, const RequestFacts &facts)
{
    QList<RouteRule> rules = config.routing.activeRules();
    // A shipped preset's rule whose model the user removed from `models` never matches (the user's own rules
    // name configured models: the config refuses others). Positions stay those of the preset.
    QList<int> positions;
    QList<RouteRule> usable;
    for (qsizetype i = 0; i < rules.size(); ++i)
        if (config.findModel(rules.at(i).target)) {
            usable << rules.at(i);
            positions << int(i);
        }
    if (usable.isEmpty())
        return std::nullopt;
    const int i = matchRule(usable, facts);
    if (i < 0)
        return std::nullopt;
    const RouteRule &r = usable.at(i);
    RouteChoice choice;
    choice.preset = config.routing.preset.isEmpty() ? Routing::asAsked() : config.routing.preset;
    choice.rule = positions.at(i);
    choice.ruleName = choice.preset + QStringLiteral(" / ") + r.label(choice.rule);
    choice.target = r.target;
    choice.level = r.level;
    return choice;
}

RouteExplanation explainRoute(const Config &config, const QString &path, const QString &client, const QByteArray &body)
{
    RouteExplanation out;
    const QString bare = path.section(u'?', 0, 0);
    const RouteMatch match = RouteTable::instance().match(bare);
    if (!match.route
        || (match.route->action != Route::Action::Generate && match.route->action != Route::Action::CountTokens)) {
        out.problem = RouteExplanation::Problem::NotAGenerationRoute;
        return out;
    }
    // As Call::start reads a request: strict JSON, an object, the model from the path or the body.
    auto parsed = json::Document::parse(body, {}, json::Document::kMaxValues);
    if (!parsed) {
        out.problem = RouteExplanation::Problem::NotJson;
        out.detail = parsed.error().message;
        return out;
    }
    const json::Value root = parsed.value().root();
    if (!root.isObject()) {
        out.problem = RouteExplanation::Problem::NotAnObject;
        return out;
    }
    const AskedModel asked = askedModel(root, match.pathModel);
    if (asked.problem != AskedModel::Problem::None) {
        out.problem = RouteExplanation::Problem::NoModel;
        return out;
    }
    out.asked = asked.model;
    out.nameLevel = asked.level;
    out.choice =
        chooseRoute(config, requestFacts(match.route->format, root, match.pathModel, asked.model, client, bare));
    if (out.choice) {
        out.served = out.choice->target;
    } else {
        out.served = config.redirect(asked.model);
        out.redirected = out.served != asked.model;
    }
    return out;
}

} // namespace d2a
