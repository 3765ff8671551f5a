// The proxy's own endpoints: GET / (status), GET /v1/models, GET /usage with the plan's limits, and the
// usage recorded for each finished request.

#include "proxyservice.h"

#include "../auth/authmanager.h"
#include "../formats/registry.h"
#include "../log/log.h"
#include "../usage/usagestore.h"
#include "httpserver.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>

namespace d2a {

namespace {

QByteArray jsonText(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

/// The levels a model takes, as "<id>(<level>)" variants name them (routing.list_levels).
QList<ReasoningLevel> namedLevels(const ModelConfig &m)
{
    QList<ReasoningLevel> out;
    for (const ReasoningLevel l : allReasoningLevels())
        if (l != ReasoningLevel::Auto && (m.levels.isEmpty() || m.levels.contains(l)))
            out << l;
    return out;
}

ModelConfig withLevel(const ModelConfig &m, ReasoningLevel level)
{
    ModelConfig v = m;
    const QString name = reasoningLevelName(level);
    v.id = m.id + u'(' + name + u')';
    v.name = (m.name.isEmpty() ? m.id : m.name) + QStringLiteral(" (") + name + u')';
    return v;
}

} // namespace

QString ProxyService::credentialSource() const
{
    if (m_auth->source() != AuthManager::Source::None)
        return AuthManager::sourceName(m_auth->source());
    if (!m_config->accessKey.isEmpty())
        return QStringLiteral("none");
    return QStringLiteral("client");
}

void ProxyService::handleInfo(Exchange *exchange)
{
    QJsonObject authStatus = m_auth->statusJson();
    authStatus.insert(QStringLiteral("source"), credentialSource());
    QJsonArray backends { QStringLiteral("factory") };
    for (const BackendConfig &b : m_config->backends)
        backends.append(b.name);
    if (m_env.envBackend)
        backends = QJsonArray { QStringLiteral("env") };
    QJsonArray endpoints;
    for (const QString &e : RouteTable::instance().endpoints())
        endpoints.append(e);
    QJsonObject info { { QStringLiteral("name"), QStringLiteral("droid2api") },
                       { QStringLiteral("version"), QStringLiteral(DROID2API_VERSION) },
                       { QStringLiteral("status"), QStringLiteral("ok") },
                       { QStringLiteral("endpoints"), endpoints },
                       { QStringLiteral("models"), int(m_config->models.size()) },
                       { QStringLiteral("access_key_required"), !m_config->accessKey.isEmpty() },
                       { QStringLiteral("auth"), authStatus },
                       { QStringLiteral("backends"), backends },
                       { QStringLiteral("circuits"), m_breaker.statusJson() },
                       { QStringLiteral("refused_requests"), double(m_server->refusedRequests()) } };
    exchange->respondJson(200, jsonText(info));
}

void ProxyService::handleUsage(Exchange *exchange)
{
    // ?from=&to= (a date, local midnight, or an ISO date-time; default: the last 30 days)
    // &group=model|client|day|backend|rule
    const QUrlQuery &q = exchange->request().query;
    auto parse = [](const QString &text, bool end) -> std::optional<QDateTime> {
        if (text.isEmpty())
            return QDateTime();
        const QDate day = text.size() == 10 ? QDate::fromString(text, Qt::ISODate) : QDate(); // a date alone
        if (day.isValid())
            return QDateTime(end ? day.addDays(1) : day, QTime(0, 0)); // a "to" day counts whole
        const QDateTime at = QDateTime::fromString(text, Qt::ISODate);
        if (at.isValid())
            return at;
        return std::nullopt;
    };
    const auto to = parse(q.queryItemValue(QStringLiteral("to")), true);
    const auto from = parse(q.queryItemValue(QStringLiteral("from")), false);
    const QString groupText = q.queryItemValue(QStringLiteral("group"));
    const auto group = groupText.isEmpty() ? UsageStore::Group::Model : UsageStore::parseGroup(groupText);
    if (!to || !from)
        return exchange->respondError(
            Error::badRequest(QStringLiteral("from and to are dates (2026-11-29) or ISO date-times")));
    if (!group)
        return exchange->respondError(
            Error::badRequest(QStringLiteral("group is model, client, day, backend or rule")));
    const QDateTime end = to->isValid() ? *to : QDateTime::currentDateTimeUtc();
    const QDateTime start = from->isValid() ? *from : end.addDays(-30);
    // Read on the usage store's thread (it writes what is pending first: this answer counts every request that
    // ended before it); the event loop serves on meanwhile. The exchange is the context: a client gone (or a
    // shutdown) in between deletes it, and then no answer is written.
    UsageStore::Query query;
    query.from = start;
    query.to = end;
    query.groups = { *group };
    m_usage->query(query, exchange, [this, exchange, group = *group](const UsageStore::Answer &answer) {
        if (exchange->isFinished())
            return;
        QJsonObject report = m_usage->report(answer, group);
        // Read the plan's limits when asked for (a headless proxy calls Factory for them only then): this answer
        // has the last reading, the next one the fresh one.
        if ((!m_limits || m_limits->readAt.secsTo(QDateTime::currentDateTimeUtc()) > 600)
            && (!m_limitsAskedAt.isValid() || m_limitsAskedAt.secsTo(QDateTime::currentDateTimeUtc()) > 60))
            refreshLimits();
        if (m_limits) {
            QJsonObject limits { { QStringLiteral("used"), m_limits->used },
                                 { QStringLiteral("limit"), m_limits->limit },
                                 { QStringLiteral("share_used"), m_limits->share() },
                                 { QStringLiteral("read_at"), m_limits->readAt.toString(Qt::ISODate) } };
            if (m_limits->resetsAt.isValid())
                limits.insert(QStringLiteral("resets_at"), m_limits->resetsAt.toUTC().toString(Qt::ISODate));
            report.insert(QStringLiteral("limits"), limits);
        }
        exchange->respondJson(200, jsonText(report));
    });
}

void ProxyService::recordUsage(const RequestRecord &record)
{
    if (!m_config->usageRecording || record.model.isEmpty() || record.tokenCount)
        return;
    UsageRow row;
    row.atMs = record.at.toMSecsSinceEpoch();
    row.model = record.model;
    row.backend = record.backend;
    row.client = m_usage->clientFor(record.userAgent, record.format);
    row.route = record.path;
    row.rule = record.rule;
    row.status = record.status;
    row.durationMs = record.durationMs;
    row.streamed = record.streamed;
    row.tokens = record.tokens;
    // Factory credits only for what Factory served (another backend bills its own way).
    const ModelConfig *model = record.backend == u"factory" ? m_config->findModel(record.model) : nullptr;
    row.credits = creditsFor(record.tokens, model ? model->credits : 0);
    m_usage->record(row);
}

QJsonObject ProxyService::modelEntry(WireFormat format, const ModelConfig &m) const
{
    QJsonObject entry = formatSpec(format).modelEntry(m, m_startedSecs);
    // Information, not an action: the model is served until Factory itself refuses it.
    if (!m.deprecated.isEmpty())
        entry.insert(QStringLiteral("deprecated"), m.deprecated);
    if (!m.replacement.isEmpty())
        entry.insert(QStringLiteral("replacement"), m.replacement);
    if (const QString now = m_replacements.value(m.id); !now.isEmpty())
        entry.insert(QStringLiteral("served_by"), now); // Factory refused it in this run
    return entry;
}

void ProxyService::handleModels(Exchange *exchange, const Route &route)
{
    // One answer for every format that lists models on this path, each under its own member: GET /v1/models
    // is {"object":"list","data":[OpenAI's entries],"models":[Google's entries]}, read by both SDKs.
    QJsonObject answer { { QStringLiteral("object"), QStringLiteral("list") } };
    for (const WireFormat f : route.formats) {
        QJsonArray list;
        for (const ModelConfig &m : m_config->models) {
            list.append(modelEntry(f, m));
            if (m_config->routing.listLevels) // "gpt-5.4(high)" for clients that cannot send a level
                for (const ReasoningLevel l : namedLevels(m))
                    list.append(modelEntry(f, withLevel(m, l)));
        }
        answer.insert(QLatin1StringView(formatSpec(f).modelListKey), list);
    }
    exchange->respondJson(200, jsonText(answer));
}

void ProxyService::handleModel(Exchange *exchange, const Route &route, const QString &named)
{
    // One object for every format that shows models on this path; where two name the same member, the later
    // format's wins (Google's "name" is "models/<id>"; OpenAI's display name is then in "displayName").
    const QString id = withoutModelPrefix(named);
    const auto [base, level] = splitLevel(id);
    const ModelConfig *found = m_config->findModel(base);
    std::optional<ModelConfig> variant;
    if (found && level && namedLevels(*found).contains(*level))
        variant = withLevel(*found, *level);
    const ModelConfig *m = !level ? found : variant ? &*variant : nullptr;
    if (!m)
        return exchange->respondError(
            Error::notFound(QStringLiteral("model '%1' is not configured; GET /v1/models lists the available models")
                                .arg(log::clientText(id))));
    QJsonObject object;
    for (const WireFormat f : route.formats) {
        const QJsonObject entry = modelEntry(f, *m);
        for (auto it = entry.begin(); it != entry.end(); ++it)
            object.insert(it.key(), it.value());
    }
    exchange->respondJson(200, jsonText(object));
}

QString ProxyService::limitsAccount() const
{
    return m_auth->email() + u'/' + AuthManager::sourceName(m_auth->source());
}

void ProxyService::watchLimits()
{
    m_watchLimits = true;
    followLimits();
}

void ProxyService::followLimits()
{
    if (!m_watchLimits)
        return;
    if (m_auth->source() == AuthManager::Source::None) {
        refreshLimits(); // forgets the last account's plan
    } else if (m_auth->state() == AuthManager::State::Ready
               && (!m_limitsTimer.isActive() || limitsAccount() != m_limitsAccount)) {
        m_limitsTimer.start();
        refreshLimits(); // signed in, or as someone else
    }
}

void ProxyService::refreshLimits()
{
    if (m_env.envBackend || m_auth->source() == AuthManager::Source::None) {
        if (m_limits) { // signed out: the last account's plan is not this one's
            m_limits.reset();
            Q_EMIT limitsChanged();
        }
        return;
    }
    m_limitsAskedAt = QDateTime::currentDateTimeUtc();
    m_limitsAccount = limitsAccount();
    m_auth->fetchLimits(this, [this](Result<PlanLimits> r) {
        if (r) {
            m_limits = r.value();
            qCDebug(lcUsage).noquote() << "plan limits:" << m_limits->used << "of" << m_limits->limit;
        } else {
            // Factory does not document this call: its absence or an error is no problem, just no limits shown.
            qCDebug(lcUsage).noquote() << "plan limits not available:" << r.error().message;
            if (r.error().httpStatus == 404)
                m_limits.reset(); // else keep the last reading through a passing error
        }
        Q_EMIT limitsChanged();
    });
}

ProxyService::~ProxyService()
{
    // Calls still running give their backend slots back while the limiter is here.
    const QList<Call *> calls = findChildren<Call *>();
    qDeleteAll(calls);
}

} // namespace d2a
