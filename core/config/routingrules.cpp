#include "routingrules.h"

#include "../text.h"

#include <QtCore/qhash.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qregularexpression.h>

namespace d2a {

namespace {

/// A pattern with * and ? (case-insensitive, whole text), or an exact name without them.
bool globMatches(const QString &pattern, const QString &text)
{
    if (!pattern.contains(u'*') && !pattern.contains(u'?'))
        return pattern.compare(text, Qt::CaseInsensitive) == 0;
    // Rules match on every request: each pattern is compiled once (a thread's own cache, bounded).
    thread_local QHash<QString, QRegularExpression> compiled;
    auto it = compiled.constFind(pattern);
    if (it == compiled.cend()) {
        if (compiled.size() >= 256)
            compiled.clear();
        it = compiled.insert(pattern, QRegularExpression(QRegularExpression::wildcardToRegularExpression(pattern),
                                                         QRegularExpression::CaseInsensitiveOption));
    }
    return it->match(text).hasMatch();
}

RouteRule rule(const char *name, QString model, std::optional<bool> thinking, QString tools, QString client,
               QString target, ReasoningLevel level)
{
    RouteRule r;
    r.name = QString::fromLatin1(name);
    r.model = std::move(model);
    r.thinking = thinking;
    r.tools = std::move(tools);
    r.client = std::move(client);
    r.target = std::move(target);
    r.level = level;
    return r;
}

const QList<RoutingPreset> &shippedPresets()
{
    // Targets from the shipped catalog; a rule whose target the user removed from `models` never matches.
    static const QList<RoutingPreset> presets {
        { Routing::asAsked(), {}, true },
        { QStringLiteral("Save credits"),
          { // Claude Code's title, summary and topic calls: no tools, no thinking, on its small model or not.
            rule("Background calls", {}, false, QStringLiteral("none"), QStringLiteral("Claude Code"),
                 QStringLiteral("claude-haiku-4-5-20251001"), ReasoningLevel::Off),
            rule("Small-model calls", QStringLiteral("*haiku*"), std::nullopt, {}, {},
                 QStringLiteral("claude-haiku-4-5-20251001"), ReasoningLevel::Off) },
          true },
        { QStringLiteral("Think harder"),
          { rule("Thinking turns", {}, true, {}, {}, QStringLiteral("claude-opus-4-8"), ReasoningLevel::Max) },
          true },
    };
    return presets;
}

const QStringList kMatchKeys { QStringLiteral("model"),    QStringLiteral("client"),
                               QStringLiteral("thinking"), QStringLiteral("min_prompt_tokens"),
                               QStringLiteral("tools"),    QStringLiteral("route") };

} // namespace

QString RouteRule::label(int index) const
{
    return name.isEmpty() ? ConfigText::tr("rule %1").arg(index + 1) : name;
}

bool RouteRule::operator==(const RouteRule &o) const
{
    return name == o.name && model == o.model && client == o.client && thinking == o.thinking
           && minPromptTokens == o.minPromptTokens && tools == o.tools && route == o.route && target == o.target
           && level == o.level;
}

QString Routing::asAsked()
{
    return QStringLiteral("As asked");
}

QList<RoutingPreset> Routing::allPresets() const
{
    QList<RoutingPreset> all = shippedPresets();
    for (const RoutingPreset &p : presets) {
        auto same = std::find_if(all.begin(), all.end(), [&](const RoutingPreset &o) { return o.name == p.name; });
        if (same != all.end())
            *same = p;
        else
            all.append(p);
    }
    return all;
}

QList<RouteRule> Routing::activeRules() const
{
    // Asked on every request: the user's presets first (one named like a shipped one replaces it, as in
    // allPresets), then the shipped ones, without building the merged list.
    const QString name = preset.isEmpty() ? asAsked() : preset;
    for (const QList<RoutingPreset> *list : { &presets, &shippedPresets() })
        for (const RoutingPreset &p : *list)
            if (p.name == name)
                return p.rules;
    return {};
}

std::optional<Error> loadPresets(const QJsonValue &value, QList<RoutingPreset> *out,
                                 const std::function<Error(const QString &key, const QString &problem)> &fail)
{
    if (!value.isArray())
        return fail(QStringLiteral("routing.presets"), ConfigText::tr("expected an array of {name, rules}"));
    out->clear();
    const QJsonArray presets = value.toArray();
    for (qsizetype i = 0; i < presets.size(); ++i) {
        const QString at = QStringLiteral("routing.presets[%1]").arg(i);
        const QJsonObject p = presets.at(i).toObject();
        if (!presets.at(i).isObject() || !p.value(u"name").isString() || p.value(u"name").toString().isEmpty())
            return fail(at, ConfigText::tr("expected an object with a non-empty 'name' and 'rules'"));
        RoutingPreset preset;
        preset.name = p.value(u"name").toString();
        if (!p.value(u"rules").isArray())
            return fail(at + QStringLiteral(".rules"), ConfigText::tr("expected an array of rules"));
        const QJsonArray rules = p.value(u"rules").toArray();
        for (qsizetype j = 0; j < rules.size(); ++j) {
            const QString rk = at + QStringLiteral(".rules[%1]").arg(j);
            const QJsonObject r = rules.at(j).toObject();
            if (!rules.at(j).isObject())
                return fail(rk, ConfigText::tr("expected an object with 'match' and 'model'"));
            for (const QString &k : r.keys())
                if (k != u"name" && k != u"match" && k != u"model" && k != u"reasoning")
                    return fail(rk + u'.' + k, ConfigText::tr("expected name, match, model or reasoning"));
            RouteRule rule;
            rule.name = r.value(u"name").toString();
            if (!r.value(u"model").isString() || r.value(u"model").toString().isEmpty())
                return fail(rk + QStringLiteral(".model"),
                            ConfigText::tr("expected the id of the model that serves it"));
            rule.target = r.value(u"model").toString();
            if (r.contains(u"reasoning")) {
                const auto level = parseReasoningLevel(r.value(u"reasoning").toString());
                if (!level)
                    return fail(rk + QStringLiteral(".reasoning"),
                                ConfigText::tr("expected auto, off, minimal, low, medium, high, xhigh or max"));
                rule.level = level;
            }
            const QJsonValue matchValue = r.value(u"match");
            if (!matchValue.isUndefined() && !matchValue.isObject())
                return fail(rk + QStringLiteral(".match"), ConfigText::tr("expected an object"));
            const QJsonObject m = matchValue.toObject();
            for (auto it = m.begin(); it != m.end(); ++it) {
                const QString mk = rk + QStringLiteral(".match.") + it.key();
                if (!kMatchKeys.contains(it.key()))
                    return fail(mk, ConfigText::tr("expected one of %1").arg(kMatchKeys.join(QStringLiteral(", "))));
                if (it.key() == u"thinking") {
                    if (!it.value().isBool())
                        return fail(mk, ConfigText::tr("expected true or false"));
                    rule.thinking = it.value().toBool();
                } else if (it.key() == u"min_prompt_tokens") {
                    if (!it.value().isDouble() || it.value().toDouble() < 1)
                        return fail(mk, ConfigText::tr("expected a number of tokens (at least 1)"));
                    rule.minPromptTokens = qint64(it.value().toDouble());
                } else {
                    if (!it.value().isString() || it.value().toString().isEmpty())
                        return fail(mk, ConfigText::tr("expected a non-empty string"));
                    const QString text = it.value().toString();
                    if (it.key() != u"route"
                        && !QRegularExpression(QRegularExpression::wildcardToRegularExpression(text)).isValid())
                        return fail(mk, ConfigText::tr("'%1' is not a valid pattern").arg(text));
                    if (it.key() == u"model")
                        rule.model = text;
                    else if (it.key() == u"client")
                        rule.client = text;
                    else if (it.key() == u"tools")
                        rule.tools = text;
                    else if (!text.startsWith(u'/'))
                        return fail(mk, ConfigText::tr("expected a path such as /v1/messages"));
                    else
                        rule.route = text;
                }
            }
            preset.rules.append(rule);
        }
        out->append(preset);
    }
    return std::nullopt;
}

QJsonValue savePresets(const QList<RoutingPreset> &presets)
{
    QJsonArray out;
    for (const RoutingPreset &p : presets) {
        QJsonArray rules;
        for (const RouteRule &r : p.rules) {
            QJsonObject match;
            if (!r.model.isEmpty())
                match.insert(QStringLiteral("model"), r.model);
            if (!r.client.isEmpty())
                match.insert(QStringLiteral("client"), r.client);
            if (r.thinking)
                match.insert(QStringLiteral("thinking"), *r.thinking);
            if (r.minPromptTokens > 0)
                match.insert(QStringLiteral("min_prompt_tokens"), double(r.minPromptTokens));
            if (!r.tools.isEmpty())
                match.insert(QStringLiteral("tools"), r.tools);
            if (!r.route.isEmpty())
                match.insert(QStringLiteral("route"), r.route);
            QJsonObject o;
            if (!r.name.isEmpty())
                o.insert(QStringLiteral("name"), r.name);
            o.insert(QStringLiteral("match"), match);
            o.insert(QStringLiteral("model"), r.target);
            if (r.level)
                o.insert(QStringLiteral("reasoning"), reasoningLevelName(*r.level));
            rules.append(o);
        }
        out.append(QJsonObject { { QStringLiteral("name"), p.name }, { QStringLiteral("rules"), rules } });
    }
    return out;
}

int matchRule(const QList<RouteRule> &rules, const RequestFacts &facts)
{
    std::optional<qint64> tokens;
    std::optional<QStringList> tools;
    for (qsizetype i = 0; i < rules.size(); ++i) {
        const RouteRule &r = rules.at(i);
        if (!r.model.isEmpty() && !globMatches(r.model, facts.model))
            continue;
        if (!r.client.isEmpty() && !globMatches(r.client, facts.client))
            continue;
        if (r.thinking && *r.thinking != facts.thinking)
            continue;
        if (!r.route.isEmpty() && !facts.path.startsWith(r.route))
            continue;
        if (!r.tools.isEmpty()) {
            if (!tools)
                tools = facts.tools ? facts.tools() : QStringList();
            const bool ok = r.tools == u"none"  ? tools->isEmpty()
                            : r.tools == u"any" ? !tools->isEmpty()
                                                : std::any_of(tools->cbegin(), tools->cend(), [&](const QString &t) {
                                                      return globMatches(r.tools, t);
                                                  });
            if (!ok)
                continue;
        }
        if (r.minPromptTokens > 0) {
            if (!tokens)
                tokens = facts.promptTokens ? facts.promptTokens() : 0;
            if (*tokens < r.minPromptTokens)
                continue;
        }
        return int(i);
    }
    return -1;
}

std::pair<QString, std::optional<ReasoningLevel>> splitLevel(const QString &model)
{
    if (!model.endsWith(u')'))
        return { model, std::nullopt };
    const qsizetype open = model.lastIndexOf(u'(');
    if (open <= 0)
        return { model, std::nullopt };
    const auto level = parseReasoningLevel(model.mid(open + 1, model.size() - open - 2));
    if (!level)
        return { model, std::nullopt };
    return { model.left(open), level };
}

} // namespace d2a
