#pragma once
// The probe after a client is set up: real requests through the proxy with exactly the URL and key the client
// has, reported hop by hop: droid2api answers, droid2api is signed in (its own GET /), and Factory answers a
// token count (costs nothing, proves the whole way). It stops at the first hop that fails. Used by the
// Clients page and by `droid2api connect`.

#include <QtCore/qlist.h>
#include <QtCore/qobject.h>
#include <QtCore/qstring.h>

namespace d2a {

struct Config;
class HttpClient;
struct UpstreamRequest;

struct ProbeHop
{
    QString what;
    bool ok = false;
    QString detail;
};

class ClientProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientProbe)

public:
    /// `http`: the client to send with; nullptr makes the probe own a plain one (the command line has no other).
    explicit ClientProbe(HttpClient *http, QObject *parent = nullptr);

    /// The model the last hop counts tokens with: the first current Anthropic model Factory serves, or ""
    /// when requests go elsewhere (an environment backend, or only other backends).
    static QString modelFor(const Config &config, bool environmentBackend);

    /// `model`: a Factory model to count tokens with; empty skips that hop (no model is served by Factory).
    void start(const QString &baseUrl, const QString &key, const QString &model);

    /// One short real answer from `model` through the proxy (Chat Completions, a few output tokens, so any
    /// model type and backend is tried the way clients use it): finished() gets one hop, whose detail is the
    /// reply (or the error) and how long it took.
    void testModel(const QString &baseUrl, const QString &key, const QString &model);

Q_SIGNALS:
    void finished(const QList<d2a::ProbeHop> &hops);

private:
    UpstreamRequest get(const QString &path) const;
    void signedIn();
    void count();
    void done();

    HttpClient *m_http;
    QString m_base;
    QString m_key;
    QString m_model;
    QList<ProbeHop> m_hops;
};

} // namespace d2a
