#include "endpointspage.h"

#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qformlayout.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qpushbutton.h>

using d2a::ModelType;

namespace {
bool validHttpUrl(const QString &s)
{
    const QUrl u(s.trimmed(), QUrl::StrictMode);
    return u.isValid() && (u.scheme() == u"http" || u.scheme() == u"https") && !u.host().isEmpty();
}
} // namespace

EndpointsPage::EndpointsPage(QWidget *parent) : SettingsPage(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    const struct
    {
        ModelType t;
        const char *label;
    } rows[] = {
        { ModelType::Anthropic, QT_TR_NOOP("Anthropic models (Messages):") },
        { ModelType::OpenAI, QT_TR_NOOP("OpenAI models (Responses):") },
        { ModelType::Common, QT_TR_NOOP("Other models (Chat Completions):") },
        { ModelType::Google, QT_TR_NOOP("Gemini models:") },
    };
    for (const auto &r : rows) {
        auto *e = new QLineEdit(this);
        m_urls.insert(r.t, e);
        form->addRow(tr(r.label), e);
        connect(e, &QLineEdit::textChanged, this, &SettingsPage::edited);
    }
    layout->addLayout(form);
    auto *reset = new QPushButton(tr("Reset to defaults"), this);
    auto *row = new QHBoxLayout;
    row->addStretch();
    row->addWidget(reset);
    layout->addLayout(row);
    layout->addStretch();
    connect(reset, &QPushButton::clicked, this, [this] {
        const d2a::Config d = d2a::ConfigLoader::defaults();
        for (auto it = m_urls.begin(); it != m_urls.end(); ++it)
            it.value()->setText(d.endpoints.value(it.key()).toString());
    });
}

void EndpointsPage::load(const d2a::Config &c)
{
    for (auto it = m_urls.begin(); it != m_urls.end(); ++it)
        it.value()->setText(c.endpoints.value(it.key()).toString());
}

void EndpointsPage::store(d2a::Config &c) const
{
    for (auto it = m_urls.begin(); it != m_urls.end(); ++it)
        c.endpoints.insert(it.key(), QUrl(it.value()->text().trimmed()));
}

QString EndpointsPage::validate() const
{
    for (auto it = m_urls.begin(); it != m_urls.end(); ++it)
        if (!validHttpUrl(it.value()->text()))
            return tr("'%1' is not a valid http(s) URL.").arg(it.value()->text());
    return {};
}
