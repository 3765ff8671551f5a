#pragma once
// Usage at a glance: a chart of tokens or credits per day for the chosen days, stacked by model; totals per
// model, per coding tool and per routing rule, failed requests apart; the Factory plan's allowance; export to CSV.
// Read from the proxy's usage store, which answers on its own time: the window never waits for it.

#include "usage/usagestore.h"

#include <QtCore/qtimer.h>
#include <QtWidgets/qwidget.h>

QT_BEGIN_NAMESPACE
class QComboBox;
class QDateEdit;
class QLabel;
class QPushButton;
class QTableWidget;
QT_END_NAMESPACE

class AppController;

/// Stacked bars per day (QPainter: no chart library needed for this one picture).
class UsageChart final : public QWidget
{
    Q_OBJECT

public:
    explicit UsageChart(QWidget *parent = nullptr);
    void setData(const QList<d2a::UsageDay> &days, const QDate &from, const QDate &to, bool credits);
    /// The models drawn, largest first, at most kSeries (the rest are "Other").
    QStringList series() const { return m_series; }
    /// The value axis' labels, bottom to top: round numbers from 0, also when the range has no usage.
    QStringList axisLabels() const;
    /// The top of the value axis: a round number at least the largest day (2 when there is nothing to show).
    double axisTop() const { return m_top; }
    static constexpr int kSeries = 6;
    QSize sizeHint() const override { return { 720, 260 }; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<d2a::UsageDay> m_days;
    QDate m_from;
    QDate m_to;
    bool m_credits = false;
    QStringList m_series;
    QList<QList<double>> m_values; ///< per day, per series (the last is "Other")
    double m_top = 2;
};

class UsageWindow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsageWindow)

public:
    explicit UsageWindow(AppController *controller, QWidget *parent = nullptr);

    /// Asks the store for the chosen range; the tables and the chart are filled when the answer arrives.
    void refresh();
    /// True from a refresh until its answer is shown.
    bool waiting() const { return m_answered != m_asked; }
    /// Writes every request's totals per day, model and coding tool for the range as CSV when the store answers,
    /// then says so in the summary and emits exported().
    void exportCsv(const QString &path);

    QDateEdit *from;
    QDateEdit *to;
    QComboBox *measure; ///< tokens or credits
    UsageChart *chart;
    QTableWidget *byModel;
    QTableWidget *byClient;
    QTableWidget *byRule; ///< per routing rule (README "Routing rules"); requests no rule chose in one row
    QLabel *failed; ///< the failed requests of the range, in the error colour; hidden when there are none
    QLabel *plan;
    QLabel *summary;
    QPushButton *exportButton;

Q_SIGNALS:
    /// An export finished: `error` is why it failed, or "".
    void exported(const QString &error);

private:
    void showAnswer(const d2a::UsageStore::Answer &answer);
    static QString writeCsv(const QString &path, const d2a::UsageStore::Answer &answer,
                            const QList<d2a::UsageStore::Group> &groups);
    void fill(QTableWidget *table, const QList<d2a::UsageTotal> &rows);
    QDateTime rangeStart() const;
    QDateTime rangeEnd() const;
    AppController *m_controller;
    QTimer m_refresh; ///< new rows arrive in batches: one refresh per batch at most every few seconds
    quint64 m_asked = 0; ///< the last refresh's number: only its answer is shown
    quint64 m_answered = 0; ///< the refresh whose answer is shown
};
