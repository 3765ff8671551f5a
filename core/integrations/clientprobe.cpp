#include "clientprobe.h"

#include "../config/config.h"
#include "../upstream/httpclient.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qlocale.h>
#include <QtCore/qjsonobject.h>

namespace d2a {

ClientProbe::ClientProbe(HttpClient *http, QObject *parent)
    : QObject(parent), m_http(http ? http : new HttpClient(this))
{
}

QString ClientProbe::modelFor(const Config &config, bool environmentBackend)
{
    if (environmentBackend)
        return {};
    for (const ModelConfig &m : config.models)
        if (m.type == ModelType::Anthropic && (m.backend.isEmpty() || m.backend == u"factory")
            && m.deprecated.isEmpty())
            return m.id;
    return {};
}

UpstreamRequest ClientProbe::get(const QString &path) const
{
    UpstreamRequest r;
    r.method = "GET";
    r.url = QUrl(m_base + path);
    r.headers = { { "authorization", "Bearer " + m_key.toUtf8() }, { "x-api-key", m_key.toUtf8() } };
    r.connectTimeoutMs = 3000;
    r.firstByteTimeoutMs = 5000;
    return r;
}

void ClientProbe::start(const QString &baseUrl, const QString &key, const QString &model)
{
    m_base = baseUrl;
    m_key = key;
    m_model = model;
    m_hops.clear();
    const QString what = tr("reaches droid2api");
    m_http->fetch(get(QStringLiteral("/v1/models")), this,
                  [this, what](int status, const QByteArray &, const Error *error) {
        if (error) {
            m_hops.append({ what, false, tr("nothing answers there: is droid2api running on this address?") });
            return done();
        }
        if (status != 200) {
            m_hops.append({ what, false,
                            status == 401 ? tr("droid2api refused the key: use the local access key")
                                          : tr("HTTP %1").arg(status) });
            return done();
        }
        m_hops.append({ what, true, {} });
        signedIn();
    });
}

void ClientProbe::signedIn()
{
    const QString what = tr("droid2api is signed in");
    if (m_model.isEmpty()) {
        m_hops.append({ what, true, tr("no model is served by Factory") });
        return done();
    }
    m_http->fetch(get(QStringLiteral("/")), this, [this, what](int, const QByteArray &body, const Error *error) {
        const QString state =
            QJsonDocument::fromJson(body).object().value(u"auth").toObject().value(u"state").toString();
        if (error)
            m_hops.append({ what, false, error->message });
        else if (state == u"no_credentials")
            m_hops.append({ what, false, tr("not signed in to Factory: sign in (tray menu or droid2api --sign-in)") });
        else if (state == u"sign_in_required")
            m_hops.append({ what, false, tr("the Factory sign-in has ended: sign in again") });
        else if (state == u"key_rejected")
            m_hops.append({ what, false, tr("Factory refused the API key") });
        else {
            m_hops.append({ what, true, {} });
            return count();
        }
        done();
    });
}

void ClientProbe::count()
{
    const QString what = tr("Factory answered");
    UpstreamRequest r;
    r.url = QUrl(m_base + QStringLiteral("/v1/messages/count_tokens"));
    r.headers = { { "authorization", "Bearer " + m_key.toUtf8() },
                  { "x-api-key", m_key.toUtf8() },
                  { "content-type", "application/json" },
                  { "anthropic-version", "2023-06-01" } };
    r.body = QStringLiteral(R"({"model":"%1","messages":[{"role":"user","content":"ping"}]})").arg(m_model).toUtf8();
    r.connectTimeoutMs = 3000;
    r.firstByteTimeoutMs = 30000;
    m_http->fetch(r, this, [this, what](int status, const QByteArray &body, const Error *error) {
        if (error) {
            m_hops.append({ what, false, error->message });
        } else if (status == 200) {
            m_hops.append({ what, true, {} });
        } else {
            const QString message =
                QJsonDocument::fromJson(body).object().value(u"error").toObject().value(u"message").toString();
            m_hops.append(
                { what, false,
                  message.isEmpty() ? tr("HTTP %1").arg(status) : tr("HTTP %1: %2").arg(status).arg(message) });
        }
        done();
    });
}

void ClientProbe::testModel(const QString &baseUrl, const QString &key, const QString &model)
{
    m_base = baseUrl;
    m_key = key;
    m_model = model;
    m_hops.clear();
    UpstreamRequest r;
    r.url = QUrl(m_base + QStringLiteral("/v1/chat/completions"));
    r.headers = { { "authorization", "Bearer " + m_key.toUtf8() }, { "content-type", "application/json" } };
    QJsonObject body {
        { QStringLiteral("model"), model },
        { QStringLiteral("messages"),
          QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                     { QStringLiteral("content"), QStringLiteral("Reply with the word OK.") } } } },
        { QStringLiteral("max_tokens"), 32 },
        { QStringLiteral("stream"), false }
    };
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    r.connectTimeoutMs = 3000;
    r.firstByteTimeoutMs = 60000;
    QElapsedTimer clock;
    clock.start();
    m_http->fetch(r, this, [this, clock](int status, const QByteArray &answer, const Error *error) {
        const QString what = tr("%1 answers").arg(m_model);
        const QString took = tr("%1 s").arg(QLocale().toString(clock.elapsed() / 1000.0, 'f', 1));
        const QJsonObject o = QJsonDocument::fromJson(answer).object();
        if (error) {
            m_hops.append({ what, false, error->message });
        } else if (status == 200) {
            const QString reply = o.value(u"choices")
                                      .toArray()
                                      .at(0)
                                      .toObject()
                                      .value(u"message")
                                      .toObject()
                                      .value(u"content")
                                      .toString()
                                      .simplified();
            m_hops.append({ what, true,
                            reply.isEmpty()
                                ? tr("answered in %1 (no text: the answer room went to reasoning)").arg(took)
                                : tr("answered in %1: \u201c%2\u201d").arg(took, reply.left(80)) });
        } else {
            const QString message = o.value(u"error").toObject().value(u"message").toString();
            m_hops.append(
                { what, false,
                  message.isEmpty() ? tr("HTTP %1").arg(status) : tr("HTTP %1: %2").arg(status).arg(message) });
        }
        done();
    });
}

void ClientProbe::done()
{
    Q_EMIT finished(m_hops);
}

} // namespace d2a
