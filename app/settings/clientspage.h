#pragma once
// The Clients page: settings snippets per coding tool, and connect/disconnect with a probe.

#include "settingspage.h"

#include <QtCore/qmap.h>

QT_BEGIN_NAMESPACE
class QLabel;
class QPlainTextEdit;
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
    /// then probes the proxy with the client's settings. Returns what the page shows afterwards.
    QString connectClient(const QString &client, bool connecting, bool confirm = true);
    QLabel *result;

Q_SIGNALS:
    void probed(bool ok);

private:
    AppController *m_controller;
    QMap<QString, QPlainTextEdit *> m_snippets;
};
