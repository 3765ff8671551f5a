#include "reasoning.h"

#include "../json/jsonwriter.h"
#include "formats_p.h"

namespace d2a {

namespace {
const QByteArray kInterleaved = QByteArrayLiteral("interleaved-thinking-2025-05-14");
const QByteArray kFastMode = QByteArrayLiteral("fast-mode-2026-02-01");
} // namespace

namespace fmt {

bool thinks(ReasoningLevel l)
{
    return l != ReasoningLevel::Auto && l != ReasoningLevel::Off;
}

QByteArray quotedLevel(ReasoningLevel l)
{
    return json::quoted(reasoningLevelName(l));
}

void mergeObject(json::Patcher &p, const json::Value &body, const char *member,
                 const QList<QPair<QByteArray, QByteArray>> &set, const QList<QByteArray> &remove)
{
    const json::Value existing = body[QLatin1StringView(member)];
    if (existing.isObject())
        p.replace(existing, rewriteObject(existing, set, remove));
    else
        p.setMember(body, QLatin1StringView(member), rewriteObject(json::Value(), set));
}

void removeFromObject(json::Patcher &p, const json::Value &body, const char *member, const QByteArray &key)
{
    const json::Value o = body[QLatin1StringView(member)];
    if (!o.isObject() || !o.contains(QLatin1StringView(key)))
        return;
    if (o.size() == 1)
        p.removeMember(body, QLatin1StringView(member));
    else
        p.replace(o, rewriteObject(o, {}, { key }));
}

std::optional<ReasoningLevel> namedLevel(const json::Value &v)
{
    return v.isString() ? parseReasoningLevel(v.toString()) : std::nullopt;
}

} // namespace fmt

using fmt::thinks;

std::optional<ReasoningLevel> requestedLevel(WireFormat format, const json::Value &body)
{
    return formatSpec(format).requestedLevel(body);
}

QByteArray rewriteObject(const json::Value &object, const QList<QPair<QByteArray, QByteArray>> &set,
                         const QList<QByteArray> &remove)
{
    QByteArray out = "{";
    QList<QByteArray> done;
    auto add = [&out](QByteArrayView key, QByteArrayView value) {
        if (out.size() > 1)
            out += ',';
        out += key;
        out += ':';
        out += value;
    };
    for (json::Value m : object.children()) {
        const QByteArray key = m.key().toUtf8();
        if (remove.contains(key))
            continue;
        bool replaced = false;
        for (const auto &kv : set)
            if (kv.first == key) {
                add(m.rawKey(), kv.second);
                done.append(key);
                replaced = true;
            }
        if (!replaced)
            add(m.rawKey(), m.raw());
    }
    for (const auto &kv : set)
        if (!done.contains(kv.first))
            add(json::quoted(QString::fromUtf8(kv.first)), kv.second);
    return out + '}';
}

QByteArray anthropicBetaHeader(const QByteArray &clientValue, ReasoningLevel level, const ModelConfig &model)
{
    QList<QByteArray> out;
    for (const QByteArray &part : clientValue.split(',')) {
        const QByteArray b = part.trimmed();
        if (!b.isEmpty() && !out.contains(b))
            out.append(b);
    }
    if (thinks(level))
        for (const QString &b : model.betas)
            if (!out.contains(b.toUtf8()))
                out.append(b.toUtf8());
    if (level == ReasoningLevel::Off)
        out.removeAll(kInterleaved);
    if (model.fast && !out.contains(kFastMode))
        out.append(kFastMode);
    return out.join(',');
}

} // namespace d2a
