#pragma once
// The Clients page: settings snippets per coding tool, and connect/disconnect with a probe.

#include "settingspage.h"

#include "integrations/clientsetup.h"

#include <QtCore/qmap.h>

#include <functional>

QT_BEGIN_NAMESPACE
class QLabel;
class QPlainTextEdit;
class QPushButton;
QT_END_NAMESPACE

class AppController;

class ClientsPage final : public SettingsPage
{
    Q_OBJECT

public:
    ClientsPage(AppController *controller, QWidget *parent = nullptr);
    QString title() const override { return tr("Clients"); }
    void load(const d2a::Config &config) override;
    void store(d2a::Config &) const override { }
    QString snippet(const QString &client) const;
    /// Connect or disconnect Claude Code / Codex: shows the diff, asks (unless `confirm` is false), writes,
    /// then probes the proxy with the client's settings. Returns what the page shows afterwards, or "" while
    /// the question is open (it asks without blocking; the answer writes or says "Nothing changed.").
    QString connectClient(const QString &client, bool connecting, bool confirm = true);
    /// Under a tool's snippet, beside its buttons: what Connect or Disconnect did and the probe's hops.
    QLabel *result(const QString &client) const { return m_results.value(client); }
    /// "Connected", "Not connected", or set up for another address or key (Claude Code, Codex).
    QLabel *linkState(const QString &client) const { return m_links.value(client); }
    QPushButton *connectButton(const QString &client) const { return m_connects.value(client); }
    QPushButton *updateButton(const QString &client) const { return m_updates.value(client); }
    /// Answers the "Write these settings?" question instead of the dialog (tests): true applies.
    std::function<bool(const QString &path, const QString &diff)> confirmOverride;
    void refreshLinks();

Q_SIGNALS:
    void probed(bool ok);

private:
    QString write(const QString &client, bool connecting, const d2a::ClientSettings &settings,
                  const d2a::ClientChange &change);

    AppController *m_controller;
    QMap<QString, QPlainTextEdit *> m_snippets;
    QMap<QString, QLabel *> m_results;
    QMap<QString, QLabel *> m_links;
    QMap<QString, QPushButton *> m_connects;
    QMap<QString, QPushButton *> m_updates;
};
