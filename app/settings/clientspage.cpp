#include "clientspage.h"

#include "appcontroller.h"
#include "dialogs.h"
#include "integrations/clientsetup.h"

#include <QtCore/qscopeguard.h>
#include <QtGui/qclipboard.h>
#include <QtGui/qguiapplication.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qgroupbox.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qmessagebox.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qscrollbar.h>

ClientsPage::ClientsPage(AppController *controller, QWidget *parent) : SettingsPage(parent), m_controller(controller)
{
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(
        new QLabel(tr("Ready-to-copy settings for your tools, filled with this proxy's address and key:"), this));
    for (const QString &client : { QStringLiteral("Claude Code"), QStringLiteral("Codex"), QStringLiteral("Cursor"),
                                   QStringLiteral("Continue"), QStringLiteral("OpenAI SDK") }) {
        auto *box = new QGroupBox(client, this);
        auto *boxLayout = new QVBoxLayout(box);
        auto *row = new QHBoxLayout;
        auto *text = new QPlainTextEdit(box);
        text->setReadOnly(true);
        text->setLineWrapMode(QPlainTextEdit::NoWrap);
        auto *copy = new QPushButton(tr("Copy"), box);
        auto *buttons = new QVBoxLayout;
        buttons->addWidget(copy);
        const QString id = client == u"Claude Code" ? QStringLiteral("claude-code")
                           : client == u"Codex"     ? QStringLiteral("codex")
                                                    : QString();
        row->addWidget(text, 1);
        row->addLayout(buttons);
        if (!id.isEmpty()) { // droid2api writes these clients' settings itself
            // Whether it is connected, on a line of its own, with Update when it points elsewhere.
            auto *linkRow = new QHBoxLayout;
            auto *link = new QLabel(box);
            link->setWordWrap(true);
            auto *update = new QPushButton(tr("Update"), box);
            linkRow->addWidget(link, 1);
            linkRow->addWidget(update);
            boxLayout->addLayout(linkRow);
            auto *connectButton = new QPushButton(tr("Connect..."), box);
            auto *disconnectButton = new QPushButton(tr("Disconnect..."), box);
            buttons->addWidget(connectButton);
            buttons->addWidget(disconnectButton);
            connect(connectButton, &QPushButton::clicked, this, [this, id] { connectClient(id, true); });
            connect(disconnectButton, &QPushButton::clicked, this, [this, id] { connectClient(id, false); });
            connect(update, &QPushButton::clicked, this, [this, id] { connectClient(id, true, false); });
            m_links.insert(id, link);
            m_updates.insert(id, update);
            m_connects.insert(id, connectButton);
        }
        buttons->addStretch();
        boxLayout->addLayout(row);
        if (!id.isEmpty()) {
            // The result right under the buttons that produced it (it was below the last box, out of sight).
            auto *result = new QLabel(box);
            result->setWordWrap(true);
            result->setTextInteractionFlags(Qt::TextSelectableByMouse);
            result->setVisible(false);
            boxLayout->addWidget(result);
            m_results.insert(id, result);
        }
        m_snippets.insert(client, text);
        connect(copy, &QPushButton::clicked, this, [text, copy] {
            QGuiApplication::clipboard()->setText(text->toPlainText());
            copy->setText(tr("Copied")); // the click did something
        });
        layout->addWidget(box);
    }
    layout->addStretch(); // the boxes keep their height in a tall window
    connect(controller, &AppController::stateChanged, this, [this] { load(m_controller->config()); });
}

void ClientsPage::refreshLinks()
{
    for (const AppController::ToolLink &t : m_controller->toolLinks()) {
        QLabel *link = m_links.value(t.client);
        if (!link)
            continue;
        const bool stale = t.error.isEmpty() && t.connected && !t.matches;
        link->setText(!t.error.isEmpty() ? tr("Its settings cannot be read: %1").arg(t.error)
                      : !t.connected     ? tr("Not connected.")
                      : t.matches        ? tr("Connected to this droid2api.")
                                         : tr("Set up for another address or key: it would fail until updated."));
        m_updates.value(t.client)->setVisible(stale);
    }
}

QString ClientsPage::snippet(const QString &client) const
{
    return m_snippets.value(client) ? m_snippets.value(client)->toPlainText() : QString();
}

QString ClientsPage::connectClient(const QString &client, bool connecting, bool confirm)
{
    const d2a::ClientSettings settings = m_controller->clientSettings();
    QLabel *result = m_results.value(client);
    result->setVisible(true);
    auto finish = qScopeGuard([this] { refreshLinks(); });
    d2a::ClientSetup setup;
    auto plan = connecting ? setup.planConnect(client, settings) : setup.planDisconnect(client);
    if (!plan) {
        result->setText(tr("Not changed: %1").arg(plan.error().message));
        return result->text();
    }
    if (confirm && !plan.value().diff.isEmpty() && confirmOverride) {
        if (!confirmOverride(plan.value().path, plan.value().diff)) {
            result->setText(tr("Nothing changed."));
            return result->text();
        }
    } else if (confirm && !plan.value().diff.isEmpty()) {
        // Asked without blocking (the proxy keeps serving): the answer writes, or not.
        finish.dismiss();
        auto *box = new QMessageBox(QMessageBox::Question, tr("droid2api"),
                                    connecting ? tr("Write these settings to %1?").arg(plan.value().path)
                                               : tr("Restore %1?").arg(plan.value().path),
                                    QMessageBox::Apply | QMessageBox::Cancel, this);
        box->setDetailedText(plan.value().diff);
        box->setInformativeText(tr("The previous file is kept as a backup. Details shows the change."));
        connect(box, &QMessageBox::finished, this,
                [this, client, connecting, settings, change = plan.value()](int answer) {
            if (answer == QMessageBox::Apply) {
                write(client, connecting, settings, change);
            } else {
                m_results.value(client)->setText(tr("Nothing changed."));
                refreshLinks();
            }
        });
        dialogs::openModal(box);
        return {};
    }
    finish.dismiss();
    return write(client, connecting, settings, plan.value());
}

QString ClientsPage::write(const QString &client, bool connecting, const d2a::ClientSettings &settings,
                           const d2a::ClientChange &change)
{
    QLabel *result = m_results.value(client);
    const QString name = client == u"codex" ? tr("Codex") : tr("Claude Code");
    auto finish = qScopeGuard([this] { refreshLinks(); });
    d2a::ClientSetup setup;
    auto done = connecting ? setup.apply(change) : setup.applyDisconnect(change);
    if (!done) {
        result->setText(tr("Failed: %1").arg(done.error().message));
        return result->text();
    }
    QString text = done.value();
    if (connecting) {
        // The probe: a request through the proxy with exactly the URL and key the client now has.
        text += u'\n' + tr("Probe: asking droid2api at %1...").arg(settings.baseUrl);
        const QString written = done.value();
        m_controller->probe(settings.baseUrl, settings.key, this,
                            [this, written, name, result](const QList<AppController::ProbeHop> &hops) {
            // Each hop on its own line: where the way breaks is where to look.
            QStringList lines { written };
            bool ok = !hops.isEmpty();
            for (const AppController::ProbeHop &h : hops) {
                lines << (h.ok ? tr("\u2713 %1").arg(h.what) : tr("\u2717 %1: %2").arg(h.what, h.detail));
                ok = ok && h.ok;
            }
            lines << (ok ? tr("%1 will work through droid2api.").arg(name)
                         : tr("%1 will not work until this is fixed.").arg(name));
            result->setText(lines.join(u'\n'));
            Q_EMIT probed(ok);
        });
    }
    result->setText(text);
    return text;
}

void ClientsPage::load(const d2a::Config &c)
{
    const QString url = m_controller->baseUrl();
    const QString key = d2a::ClientSetup::settingsFor(url, c.accessKey).key;
    m_snippets[QStringLiteral("Claude Code")]->setPlainText(
        QStringLiteral("export ANTHROPIC_BASE_URL=%1\nexport ANTHROPIC_AUTH_TOKEN=%2\nclaude").arg(url, key));
    // Exactly what Connect writes into a new ~/.codex/config.toml (planned against a home with no file).
    const auto codex = d2a::ClientSetup(QStringLiteral("/nonexistent-droid2api-snippet-home"))
                           .planConnect(QStringLiteral("codex"), d2a::ClientSetup::settingsFor(url, c.accessKey));
    m_snippets[QStringLiteral("Codex")]->setPlainText(QStringLiteral("# ~/.codex/config.toml\n")
                                                      + (codex ? codex.value().after.trimmed() : QString()));
    m_snippets[QStringLiteral("Cursor")]->setPlainText(
        QStringLiteral("Settings > Models > OpenAI API Key: %2\nOverride OpenAI Base URL: %1/v1").arg(url, key));
    m_snippets[QStringLiteral("Continue")]->setPlainText(
        QStringLiteral("models:\n  - name: Claude via droid2api\n    provider: openai\n    model: claude-sonnet-4-6\n  "
                       "  apiBase: %1/v1\n    apiKey: %2")
            .arg(url, key));
    m_snippets[QStringLiteral("OpenAI SDK")]->setPlainText(
        QStringLiteral("from openai import OpenAI\nclient = OpenAI(base_url=\"%1/v1\", api_key=\"%2\")").arg(url, key));
    // Each snippet shown whole (they were cut at 80 px): as tall as its lines, plus a horizontal scroll bar.
    for (QPlainTextEdit *text : std::as_const(m_snippets)) {
        const int lines = int(text->toPlainText().count(u'\n')) + 1;
        const int margins = int(2 * text->document()->documentMargin()) + 2 * text->frameWidth();
        text->setFixedHeight(lines * text->fontMetrics().lineSpacing() + margins
                             + text->horizontalScrollBar()->sizeHint().height());
    }
    refreshLinks();
}
