#pragma once
// The Endpoints page: Factory's URL per model type.

#include "settingspage.h"

#include <QtCore/qmap.h>

QT_BEGIN_NAMESPACE
class QLineEdit;
QT_END_NAMESPACE

class EndpointsPage final : public SettingsPage
{
    Q_OBJECT

public:
    explicit EndpointsPage(QWidget *parent = nullptr);
    QString title() const override { return tr("Endpoints"); }
    void load(const d2a::Config &config) override;
    void store(d2a::Config &config) const override;
    QString validate() const override;
    QLineEdit *url(d2a::ModelType type) const { return m_urls.value(type); }

private:
    QMap<d2a::ModelType, QLineEdit *> m_urls;
};
