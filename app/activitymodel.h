#pragma once
// The Activity window's requests: a ring buffer behind a table model. Records arrive in batches (one view
// update per 100 ms at most), and the view sizes columns once, so a busy proxy on the GUI thread is never
// slowed down by the window, shown or hidden.

#include "server/exchange.h"

#include <QtCore/qabstractitemmodel.h>
#include <QtCore/qdatetime.h>
#include <QtCore/qtimer.h>

#include <deque>

class ActivityModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityModel)

public:
    enum Column { Time, Route, Model, Rule, Backend, Status, Duration, In, Out, Streamed, ColumnCount };
    static constexpr int kMaxRows = 500;

    explicit ActivityModel(QObject *parent = nullptr);

    /// Queues a finished request; the view sees it with the next batch.
    void add(const d2a::RequestRecord &record);
    /// Applies what is queued now (tests, and the batch timer).
    void flush();
    const d2a::RequestRecord &record(int row) const { return m_rows.at(std::size_t(row)).record; }
    /// Everything known about one request, for the details pane.
    QString details(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row
    {
        d2a::RequestRecord record;
        QDateTime at;
    };
    std::deque<Row> m_rows; ///< newest first
    QList<Row> m_pending;
    QTimer m_batch;
};
